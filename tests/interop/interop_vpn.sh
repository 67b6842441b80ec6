#!/usr/bin/env bash
# tests/interop/interop_vpn.sh -- VPNv4/VPNv6 (RFC 4364, RFC 4659) between bgpbus-speaker and
# BIRD 2.0, GoBGP 3.10, ExaBGP 4.2, FRR 8.4 (both directions) and OpenBGPD 7.7 (receives), all
# at once on one speaker: the vpnv4/vpnv6 lines of tests/data/vectors/seed-commands.txt sent
# with `bbclient send` must appear in every peer's table with their RD, label, next hop and
# route target, then be replaced (label 16, target) and withdrawn; the peers' own VPN routes
# (RD, label, route targets, MED, communities) arrive as typed events; route refresh both
# ways; the peers' withdrawals empty the speaker's view.
source "$(dirname "$0")/lib.sh"
it_init interop_vpn 91
source "$IT_DIR/flowvpn_lib.sh"
PEERS_ALL="bird gobgp exabgp frr openbgpd"
ORIGINATORS="bird gobgp exabgp frr"

IN_ROUTES="vpn4 10.91.1.0/24 rd=65009:1 label=100 rt=65009:1 med=5 comm=65009:3
vpn4 10.91.2.0/24 rd=65009:2 label=101
vpn6 2001:db8:91:1::/64 rd=65009:1 label=102 rt=65009:1,65009:2"
for p in $ORIGINATORS; do echo "$IN_ROUTES" > "$W/in-$p.routes"; done

SEED=$BGPBUS_SOURCE/tests/data/vectors/seed-commands.txt
seed() { grep -E "^$1 vpnv[46] " "$SEED" | grep -v '#'; } # announce|withdraw
mapfile -t ANN < <(seed announce)
mapfile -t WD < <(seed withdraw)
if [ ${#ANN[@]} -ne 4 ] || [ ${#WD[@]} -ne 2 ]; then
  echo "not ok - $SEED: 4 vpnv4/vpnv6 announcements and 2 withdrawals expected"
  exit 1
fi
ANN_PLAIN=("${ANN[0]}" "${ANN[2]}") # no label: lines 20 and 22
ANN_LABEL=("${ANN[1]}" "${ANN[3]}") # label 16 (and a route target on vpnv4): lines 21 and 23

# What a peer's table shows (tests/peers dump format).  Without a label the speaker sends
# ExaBGP 4.2's value 0x80000 (with the bottom-of-stack bit); OpenBGPD's bgpctl shows no label.
expect_out() { # IMPL FAM STAGE(plain|label)
  local l=524288 rt=
  [ "$3" = label ] && l=16 rt=" rt=65001:100"
  [ "$1" = openbgpd ] && l='?'
  if [ "$2" = vpn4 ]; then
    echo "vpn4 10.0.0.0/24 rd=65001:100 label=$l nh=192.168.1.2 aspath=65000 origin=igp$rt"
  else
    echo "vpn6 2001:db8::/32 rd=65001:100 label=$l nh=2001:db8::1 aspath=65000 origin=igp"
  fi
}
# What the speaker reports of a peer's routes: BIRD's static VPN routes carry label 3
# (tests/peers/_routes.py: a blackhole route has no label of its own)
expect_in() { # IMPL FAM
  $PY -c '
import sys
impl, fam, asn, nh, nh6 = sys.argv[1:6]
for ln in open(sys.argv[6]):
    t = ln.split()
    if not t or t[0] != fam:
        continue
    a = dict(kv.split("=", 1) for kv in t[2:])
    out = [fam, t[1], "rd=" + a["rd"], "label=" + ("3" if impl == "bird" else a["label"]),
           "nh=" + (nh if fam == "vpn4" else nh6), "aspath=" + asn, "origin=igp"]
    out += ["med=" + a["med"]] if "med" in a else []
    out += ["comm=" + a["comm"]] if "comm" in a else []
    out += ["rt=" + ",".join(sorted(a["rt"].split(",")))] if "rt" in a else []
    print(" ".join(out))' "$1" "$2" "$(fv_as "$1")" "$NH_P" "$NH6_P" "$W/in-$1.routes"
}

# shellcheck disable=SC2086 # one argument per peer
fv_setup vpn4,vpn6 $PEERS_ALL || it_check "every peer started" eval "cat $W/start-*.out; false"
for p in $PEERS_ALL; do
  it_check "$p: session established with vpn4 and vpn6" fv_established "$p"
done

# ---- peers -> bgpbus
for p in $ORIGINATORS; do
  for f in vpn4 vpn6; do
    expect_in "$p" "$f" > "$W/speaker.expect-$p-$f"
    it_check "$p -> bgpbus $f routes with RD, label, next hop, route targets ($(wc -l < "$W/speaker.expect-$p-$f"))" \
      fv_wait_events "$(fv_addr "$p")" "$f" "$W/speaker.expect-$p-$f"
  done
done
it_skip "openbgpd -> bgpbus VPN routes" "OpenBGPD 7.7 originates VPN routes only from an mpe(4) interface (OpenBSD); tests/peers/openbgpd.sh: 'OpenBGPD originates ipv4/ipv6 only'"
for p in bird exabgp; do
  it_check "$p -> bgpbus End-of-RIB for vpn4 and vpn6 (events)" eval \
    "it_wait_event 0 '^eor $(fv_addr "$p") vpn4\$' 5 && it_wait_event 0 '^eor $(fv_addr "$p") vpn6\$' 5"
done

# ---- bgpbus -> peers: without a label, then replaced with label 16 (and a route target)
check_out() { # STAGE
  local p f
  for p in $PEERS_ALL; do
    for f in vpn4 vpn6; do
      expect_out "$p" "$f" "$1" > "$W/peer.expect-$p-$f"
      it_check "bgpbus -> $p $f ($1): RD, label, next hop, route target" fv_dump_is "$p" "$f" "$W/peer.expect-$p-$f"
    done
  done
}
it_check "the speaker accepts seed lines 20 and 22 (no label)" fv_send "${ANN_PLAIN[@]}"
check_out plain
it_check "the speaker accepts seed lines 21 and 23 (label 16, route target)" fv_send "${ANN_LABEL[@]}"
check_out label

# ---- route refresh (RFC 2918) of ipv4 mpls-vpn, both ways
M=$(it_mark)
it_check "the speaker accepts 'announce refresh ipv4 mpls-vpn'" fv_send "announce refresh ipv4 mpls-vpn"
resent() { # IMPL: every vpn4 route of IMPL comes again after the refresh
  local pfx
  while read -r _ pfx _; do
    it_wait_event "$M" "^update $(fv_addr "$1") announce vpn4 $pfx " 15 || return 1
  done < <(expect_in "$1" vpn4)
}
for p in $ORIGINATORS; do
  it_check "$p answers the speaker's ROUTE-REFRESH: its vpn4 routes again" resent "$p"
done
refresh_by_peer() { # IMPL
  local before m a
  a=$(fv_addr "$1")
  before=$(it_peer "$1" rx-updates) || return 1
  m=$(it_mark)
  it_peer "$1" refresh --family vpn4 || return 1
  it_wait_event "$m" "^refresh $a vpn4\$" 15 || return 1
  it_rx_grows "$1" "$before" 15 && fv_dump_is "$1" vpn4 "$W/peer.expect-$1-vpn4" 5
}
for p in bird frr exabgp openbgpd; do
  it_check "$p asks for a vpn4 refresh, the speaker re-sends its routes" refresh_by_peer "$p"
done
it_skip "gobgp asks for a refresh" "gobgp 3.10 'neighbor X softresetin' sends no ROUTE-REFRESH (tests/peers/README.md)"

# ---- withdrawals
: > "$W/empty"
ob_withdraws() { # withdrawn prefixes OpenBGPD counted from the speaker
  bgpctl -s "$W/openbgpd/bgpd.sock" show neighbor "$ADDR_S" | awk '$1 == "Withdraws" { print $3 }'
}
OB_WD=$(ob_withdraws)
it_check "the speaker accepts seed lines 34 and 35 (withdraw vpnv4, vpnv6)" fv_send "${WD[@]}"
for p in bird gobgp exabgp frr; do
  for f in vpn4 vpn6; do
    it_check "bgpbus -> $p $f withdrawn (table empty)" fv_dump_is "$p" "$f" "$W/empty"
  done
done
it_check "bgpbus -> openbgpd: OpenBGPD counts the 2 withdrawals" \
  it_wait 10 eval "[ \"\$(ob_withdraws)\" -ge $((${OB_WD:-0} + 2)) ]"
it_skip "bgpbus -> openbgpd vpn4/vpn6 table empty" "OpenBGPD 7.7 counts VPN withdrawals ('Withdraws' received grows) but keeps the routes in 'bgpctl show rib', from GoBGP 3.10 too (checked by hand: gobgp.sh withdraw of a vpn4 route, OpenBGPD still lists it)"
for p in bird gobgp exabgp; do
  it_check "$p withdraws its routes" it_peer "$p" withdraw "$W/in-$p.routes"
  for f in vpn4 vpn6; do
    it_check "$p -> bgpbus $f withdrawn (events)" fv_wait_events "$(fv_addr "$p")" "$f" "$W/empty"
  done
done
it_skip "frr withdraws its VPN routes" "FRR 8.4 'no network ... rd ...' leaves the route marked removed (R>) and never withdraws it (tests/peers/README.md)"
for p in $PEERS_ALL; do
  it_check "$p: session still established" fv_established "$p"
done
it_finish
