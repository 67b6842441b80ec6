#!/usr/bin/env bash
# tests/interop/interop_l2vpn.sh -- EVPN (RFC 7432) and VPLS (RFC 4761) between bgpbus-speaker
# and GoBGP 3.10 (EVPN both ways), FRR 8.4 (EVPN, receives) and ExaBGP 4.2 (EVPN receives, VPLS
# both ways), all at once on one speaker. The EVPN and VPLS lines of
# tests/data/vectors/seed-commands.txt, sent with `bbclient send`, must appear in every peer's
# table that can hold them, and the bytes ExaBGP receives must be those ExaBGP 4.2's own encoder
# makes; the peers' routes arrive as typed events; route refresh both ways; End-of-RIB; the seed
# withdrawals empty the tables.
source "$(dirname "$0")/lib.sh"
it_init interop_l2vpn 80
NET=${ADDR_S%.1}
NORM="$PY $IT_DIR/l2vpn_norm.py"
SEED=$BGPBUS_SOURCE/tests/data/vectors/seed-commands.txt
NH=198.51.100.1 # GoBGP and FRR refuse loopback next hops (tests/peers/README.md)

addr() { case $1 in gobgp) echo "$NET.2" ;; frr) echo "$NET.3" ;; exabgp) echo "$NET.4" ;; esac; }
asn() { case $1 in gobgp) echo 65002 ;; frr) echo 65003 ;; exabgp) echo 65005 ;; esac; }
# GoBGP 3.10's CLI has no VPLS family ("unsupported address family: vpls"), FRR 8.4 has no VPLS
fams() { case $1 in frr | gobgp) echo evpn ;; exabgp) echo evpn,vpls ;; esac; }
PEERS_ALL="gobgp frr exabgp"
GOBGP() { gobgp --target "unix://$W/gobgp/gobgp.sock" "$@"; }
VTY() { vtysh --vty_socket "$W/frr" -d bgpd "$@"; }

# ---- setup: one neighbor per peer; the speaker's routes carry next hop $NH. Graceful restart
# is announced because FRR 8.4 sends End-of-RIB only to a peer that announced it.
IT_CAPS="graceful-restart 60;"
{
  for p in $PEERS_ALL; do it_neighbor "$(addr "$p")" "$(asn "$p")" "$PORT_P" 9 "$(fams "$p")"; done
} > "$W/speaker.conf"
it_speaker_start "$W/speaker.conf"
it_watch_start
pids=()
for p in $PEERS_ALL; do
  it_peer "$p" start --local-addr "$(addr "$p")" --local-as "$(asn "$p")" --peer-addr "$ADDR_S" \
    --peer-as 65000 --listen-port "$PORT_P" --peer-port "$PORT_S" --families "$(fams "$p")" \
    --next-hop 198.51.100.2 > "$W/start-$p.out" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || it_check "every peer started" eval "cat $W/start-*.out; false"; done
established() { # IMPL
  it_wait 30 it_speaker_established "$(addr "$1")" || {
    echo "the speaker reports: $(bb neighbors)"
    return 1
  }
  it_peer "$1" wait --timeout 10
}
for p in $PEERS_ALL; do
  it_check "$p: session established with $(fams "$p")" established "$p"
done

send() {
  local l out
  for l in "$@"; do
    out=$("$BB_BIN" --timeout 10000 send "$l" 2>> "$W/send.err")
    [ "$out" = done ] || {
      echo "'$l' answered: $out"
      return 1
    }
  done
}
# the peer's table in FAM, normalised (l2vpn_norm.py)
table() { # IMPL FAM
  case $1 in
    gobgp) GOBGP global rib -a "$2" -j | $NORM gobgp "$2" "$ADDR_S" ;;
    frr) VTY -c "show bgp l2vpn evpn route detail json" | $NORM frr "$2" "$ADDR_S" ;;
    exabgp) $NORM exabgp "$2" < "$W/exabgp/exa-updates.jsonl" ;;
  esac | LC_ALL=C sort
}
table_is() { table "$1" "$2" | cmp -s - <(LC_ALL=C sort "$3"); }
wait_table() { # IMPL FAM FILE
  it_wait 20 table_is "$@" || {
    echo "$1's $2 table does not match (< expected, > table):"
    diff <(LC_ALL=C sort "$3") <(table "$1" "$2")
    return 1
  }
}
events() { $NORM events "$2" "$1" < "$W/watch.log" | LC_ALL=C sort; }
events_are() { events "$1" "$2" | cmp -s - <(LC_ALL=C sort "$3"); }
wait_events() { # PEER_ADDR FAM FILE
  it_wait 20 events_are "$@" || {
    echo "the speaker's $2 events for $1 do not match (< expected, > events):"
    diff <(LC_ALL=C sort "$3") <(events "$1" "$2")
    return 1
  }
}

# ---- bgpbus -> peers: the seed lines (next hop $NH appended: the lines leave it to the session)
mapfile -t ANN < <(grep -E '^announce (evpn|vpls) ' "$SEED")
mapfile -t WD < <(grep -E '^withdraw (evpn|vpls) ' "$SEED")
[ "${#ANN[@]}" = 3 ] && [ "${#WD[@]}" = 2 ] || {
  echo "not ok - expected 3 EVPN/VPLS announcements and 2 withdrawals in $SEED"
  exit 1
}
it_check "the speaker accepts the seed lines: ${ANN[*]/%/ next-hop $NH;}" send "${ANN[@]/%/ next-hop $NH}"
MAC_KEY="macadv,65001:100,0,aa:bb:cc:dd:ee:ff,100.10.0.1"
MC_KEY="multicast,65001:100,0,192.168.1.1"
VPLS_KEY="65001:100,ve=0,offset=10"
# label 1000 is the field 16001 (1000 << 4 | bottom of stack, as ExaBGP 4.2 writes it); GoBGP
# and FRR show the field (a VNI to them), GoBGP the ESI, ExaBGP both label and field
printf '%s\n' "$MAC_KEY label=1000 field=16001 esi=- nh=$NH rt=65001:100" "$MC_KEY nh=$NH rt=65001:100" > "$W/evpn.expect-exabgp"
printf '%s\n' "$MAC_KEY field=16001 esi=- nh=$NH rt=65001:100" "$MC_KEY nh=$NH rt=65001:100" > "$W/evpn.expect-gobgp"
# FRR also shows the multicast route's PMSI tunnel (RFC 7432 11.2: ingress replication)
printf '%s\n' "$MAC_KEY field=16001 nh=$NH rt=65001:100" \
  "$MC_KEY pmsi=ingress-replication nh=$NH rt=65001:100" > "$W/evpn.expect-frr"
echo "$VPLS_KEY size=8 base=16 nh=$NH rt=65001:100" > "$W/vpls.expect"
it_check "bgpbus -> gobgp: EVPN MAC/IP and multicast routes in its table" wait_table gobgp evpn "$W/evpn.expect-gobgp"
it_check "bgpbus -> frr: EVPN MAC/IP (VNI 16001) and multicast (PMSI ingress replication) routes" wait_table frr evpn "$W/evpn.expect-frr"
it_check "bgpbus -> exabgp: EVPN routes as ExaBGP 4.2 decodes them" wait_table exabgp evpn "$W/evpn.expect-exabgp"
it_check "bgpbus -> exabgp: the VPLS route (endpoint 0, offset 10, size 8, label base 16)" wait_table exabgp vpls "$W/vpls.expect"
it_skip "bgpbus -> gobgp VPLS" "the gobgp 3.10 CLI has no VPLS family (unsupported address family: vpls)"
it_skip "bgpbus -> frr VPLS" "FRR 8.4 has no VPLS (l2vpn vpls) address family"
# the bytes ExaBGP received are the bytes ExaBGP 4.2 itself makes for the same routes
{
  $NORM exabgp42 macadv 65001:100 aa:bb:cc:dd:ee:ff 100.10.0.1 1000
  $NORM exabgp42 multicast 65001:100 192.168.1.1
} | LC_ALL=C sort > "$W/evpn.bytes"
$NORM exabgp42 vpls 65001:100 0 16 10 8 > "$W/vpls.bytes"
raw_is() { $NORM exabgp-raw "$1" < "$W/exabgp/exa-updates.jsonl" | LC_ALL=C sort | cmp - "$2"; }
it_check "the EVPN NLRI bytes equal ExaBGP 4.2's encoding ($(tr '\n' ' ' < "$W/evpn.bytes"))" raw_is evpn "$W/evpn.bytes"
# ExaBGP's VPLS JSON has no raw member: the decoded fields above are the bytes' fields; the
# encoder's bytes are compared with ExaBGP's by tests/unit/test_nlri_evpn.c and the
# conformance vectors (commands.jsonl)
it_check "the VPLS NLRI ExaBGP 4.2 makes for it is 17 octets with label base 16 ($(cat "$W/vpls.bytes"))" \
  grep -qx 00110000FDE9000000640000000A0008000101 "$W/vpls.bytes"

# ---- peers -> bgpbus
GMAC="macadv,65002:1,0,aa:bb:cc:dd:ee:01,10.0.0.5"
GMC="multicast,65002:1,0,198.51.100.2"
it_check "gobgp originates an EVPN MAC/IP route and a multicast route" eval \
  "GOBGP global rib -a evpn add macadv aa:bb:cc:dd:ee:01 10.0.0.5 etag 0 label 1000 rd 65002:1 rt 65002:1 nexthop 198.51.100.2 origin igp &&
   GOBGP global rib -a evpn add multicast 198.51.100.2 etag 0 rd 65002:1 rt 65002:1 nexthop 198.51.100.2 origin igp"
# GoBGP writes label 1000 as the field 1000 (a VNI): MPLS label 62 to the speaker, which says both
printf '%s\n' "$GMAC label=62 field=1000 esi=- nh=198.51.100.2 rt=65002:1" "$GMC nh=198.51.100.2 rt=65002:1" > "$W/gobgp.in"
it_check "gobgp -> bgpbus: typed EVPN events (MAC/IP with label, multicast)" wait_events "$(addr gobgp)" evpn "$W/gobgp.in"
EVPLS="announce vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 next-hop 198.51.100.4 extended-community [ target:65005:1 l2info:19:0:1500:111 ]"
echo "$EVPLS" >> "$W/exabgp/commands"
echo "192.168.201.1:123,ve=5,offset=1 size=8 base=10702 l2info=19:0:1500:111 nh=198.51.100.4 rt=65005:1" > "$W/exabgp.in"
it_check "exabgp -> bgpbus: a typed VPLS event with its typed layer2-info community" wait_events "$(addr exabgp)" vpls "$W/exabgp.in"
for p in frr exabgp; do
  it_check "$p -> bgpbus: End-of-RIB for l2vpn evpn (event)" it_wait_event 0 "^eor $(addr "$p") evpn\$" 10
done
it_skip "gobgp -> bgpbus End-of-RIB" "gobgpd 3.10 sends End-of-RIB only when graceful restart is configured on its side (tests/peers/gobgp.sh does not)"
it_check "exabgp -> bgpbus: End-of-RIB for l2vpn vpls (event)" it_wait_event 0 "^eor $(addr exabgp) vpls\$" 10
eor_to_exabgp() { grep -q "\"eor\": { \"afi\" : \"l2vpn\", \"safi\" : \"$1\" }" "$W/exabgp/exa-updates.jsonl"; }
it_check "bgpbus -> exabgp: End-of-RIB for l2vpn evpn and vpls" eval "it_wait 10 eor_to_exabgp evpn && eor_to_exabgp vpls"

# ---- route refresh (RFC 2918) of l2vpn evpn, both ways
refresh_resent() { # PEER_ADDR FAM KEY
  local m
  m=$(it_mark)
  send "neighbor $1 announce route-refresh l2vpn $2" || return 1
  it_wait_event "$m" "^update $1 announce $2 $3 " 15
}
it_check "the speaker asks gobgp for an evpn refresh, gobgp re-sends" refresh_resent "$(addr gobgp)" evpn "$GMAC"
it_check "the speaker asks exabgp for a vpls refresh, exabgp re-sends" refresh_resent "$(addr exabgp)" vpls "192.168.201.1:123,ve=5,offset=1"
refresh_by_frr() {
  local before
  before=$(it_peer frr rx-updates) || return 1
  VTY -c "clear bgp l2vpn evpn $ADDR_S soft in" || return 1
  it_rx_grows frr "$before" 15 && wait_table frr evpn "$W/evpn.expect-frr"
}
it_check "frr asks for an evpn refresh, the speaker re-sends its routes" refresh_by_frr

# ---- withdrawals: the seed lines
printf '%s\n' "$MC_KEY nh=$NH rt=65001:100" > "$W/evpn.left"
printf '%s\n' "$MC_KEY pmsi=ingress-replication nh=$NH rt=65001:100" > "$W/evpn.left-frr"
: > "$W/empty"
it_check "the speaker accepts the seed withdrawals: ${WD[*]}" send "${WD[@]}"
for p in $PEERS_ALL; do
  f=$W/evpn.left
  [ "$p" = frr ] && f=$W/evpn.left-frr
  it_check "bgpbus -> $p: the MAC/IP route withdrawn, the multicast route left" wait_table "$p" evpn "$f"
done
it_check "bgpbus -> exabgp: the VPLS route withdrawn" wait_table exabgp vpls "$W/empty"
it_check "gobgp withdraws its MAC/IP route" GOBGP global rib -a evpn del macadv aa:bb:cc:dd:ee:01 10.0.0.5 etag 0 label 1000 rd 65002:1
echo "$GMC nh=198.51.100.2 rt=65002:1" > "$W/gobgp.left"
it_check "gobgp -> bgpbus: the MAC/IP route withdrawn (events)" wait_events "$(addr gobgp)" evpn "$W/gobgp.left"
for p in $PEERS_ALL; do
  it_check "$p: session still established" established "$p"
done
it_finish
