#!/usr/bin/env bash
# tests/interop/interop_flow.sh -- FlowSpec (RFC 8955, RFC 8956) between bgpbus-speaker and
# BIRD 2.0, GoBGP 3.10, ExaBGP 4.2 (both directions) and FRR 8.4 (receives), all at once on
# one speaker: the FlowSpec lines of tests/data/vectors/seed-commands.txt (and an IPv6 rule)
# sent with `bbclient send` must appear in every peer's table with their match and action;
# the bad line is refused; `announce refresh ipv4 flowspec` makes the peers send their rules
# again; the peers' own rules (discard, rate-limit, redirect to a VRF, ExaBGP's redirect to
# a next hop) arrive as typed events, End-of-RIB too; withdrawals empty every table.
# flow-vpn (SAFI 134, RFC 8955 8), IPv4 and IPv6, both ways with GoBGP (BIRD 2.0.12 and
# ExaBGP's launcher have no flow-vpn).
source "$(dirname "$0")/lib.sh"
it_init interop_flow 90
source "$IT_DIR/flowvpn_lib.sh"
PEERS_ALL="bird gobgp exabgp frr"
ORIGINATORS="bird gobgp exabgp"

# the peers' rules (tests/peers route format); ExaBGP adds a redirect to a next hop
IN_RULES="flow4 dst=10.90.1.0/24,proto=6,dport=80 action=discard
flow4 dst=10.90.2.0/24,src=10.80.0.0/16 action=rate=1000
flow4 dst=10.90.3.0/24 action=redirect=65001:7
flow6 dst=2001:db8:90::/48,proto=17,dport=53 action=discard"
for p in $ORIGINATORS; do echo "$IN_RULES" > "$W/in-$p.routes"; done
echo "flow4 dst=10.90.4.0/24 action=redirect=198.51.100.9" >> "$W/in-exabgp.routes"
# shellcheck disable=SC2034 # read by fv_setup (FAMS_<impl>)
FAMS_gobgp=flow4,flow6,flowvpn4,flowvpn6
printf '%s\n' "flowvpn4 dst=10.90.5.0/24,proto=6 rd=65002:90 action=discard" \
  "flowvpn6 dst=2001:db8:95::/48 rd=65002:90 action=rate=1000" >> "$W/in-gobgp.routes"
ANN_VPN=("announce flow route { rd 65001:20; match { destination 10.93.0.0/24; protocol =udp; } then { redirect 65001:100; } }"
  "announce flow route { rd 65001:20; match { destination 2001:db8:93::/48; } then { discard; } }")
WD_VPN=("withdraw flow route { rd 65001:20; match { destination 10.93.0.0/24; protocol =udp; } }"
  "withdraw flow route { rd 65001:20; match { destination 2001:db8:93::/48; } }")

# seed-commands.txt lines 14-18 (19: an error), one IPv6 rule, and the withdrawals (line 33
# and the same for the others)
SEED=$BGPBUS_SOURCE/tests/data/vectors/seed-commands.txt
mapfile -t ANN < <(grep '^announce flow route' "$SEED" | grep -v '# error')
BAD=$(grep '^announce flow route.*# error' "$SEED" | sed 's/ *#.*//')
ANN+=("announce flow route { match { destination 2001:db8:1::/48; next-header =tcp; destination-port =80; } then { discard; } }")
WD=()
for l in "${ANN[@]}"; do WD+=("$(sed 's/^announce/withdraw/; s/ then {[^}]*} }$/ }/' <<< "$l")"); done
grep -qxF "${WD[0]}" "$SEED" || {
  echo "not ok - the derived withdrawal '${WD[0]}' is not line 33 of $SEED"
  exit 1
}

# What each peer's table shows for them (tests/peers dump format).  The tcp-flags component
# [ syn ] (any of SYN, RFC 8955 4.2.2.9) in each peer's notation: BIRD 'tcp flags !0x0/0x2',
# GoBGP its type number and value, FRR its JSON ('tcp': '∋2'), ExaBGP its keyword.
tcp_flags() {
  case $1 in bird) echo "tcp=flags!0x0/0x2" ;; gobgp) echo "9=2" ;; frr) echo "tcp=∋2" ;;
    exabgp) echo "tcp-flags=syn" ;; esac
}
expect_out() { # IMPL FAM
  if [ "$2" = flow4 ]; then
    printf '%s\n' "flow4 src=10.0.0.0/8,proto=6,dport=80 action=discard" \
      "flow4 proto=17,dport=53 action=rate=1000000" \
      "flow4 proto=6,dport=443,$(tcp_flags "$1") action=discard" \
      "flow4 dst=100.10.0.0/24 action=redirect=65001:100" \
      "flow4 src=10.0.0.0/8 action=discard"
  else
    echo "flow6 dst=2001:db8:1::/48,proto=6,dport=80 action=discard"
  fi
}
# what the speaker reports of a peer's rules (events)
expect_in() { # IMPL FAM
  awk -v f="$2" '$1 == f { a = $3; if (a ~ /^action=redirect=[0-9.]+$/) { sub(/redirect=/, "", a);
      print $1, $2, "nh=" substr(a, 8), "action=redirect-nh" } else print }' "$W/in-$1.routes"
}

# shellcheck disable=SC2086 # one argument per peer
fv_setup flow4,flow6 $PEERS_ALL || it_check "every peer started" eval "cat $W/start-*.out; false"
for p in $PEERS_ALL; do
  it_check "$p: session established with flow4 and flow6" fv_established "$p"
done

# ---- peers -> bgpbus
for p in $ORIGINATORS; do
  for f in flow4 flow6; do
    expect_in "$p" "$f" > "$W/speaker.expect-$p-$f"
    it_check "$p -> bgpbus $f rules in the speaker's events ($(wc -l < "$W/speaker.expect-$p-$f"))" \
      fv_wait_events "$(fv_addr "$p")" "$f" "$W/speaker.expect-$p-$f"
  done
done
for p in bird exabgp; do
  it_check "$p -> bgpbus End-of-RIB for flow4 and flow6 (events)" eval \
    "it_wait_event 0 '^eor $(fv_addr "$p") flow4\$' 5 && it_wait_event 0 '^eor $(fv_addr "$p") flow6\$' 5"
done
for f in flowvpn4 flowvpn6; do
  expect_in gobgp "$f" > "$W/speaker.expect-gobgp-$f"
  it_check "gobgp -> bgpbus $f rule with its RD in the speaker's events" \
    fv_wait_events "$(fv_addr gobgp)" "$f" "$W/speaker.expect-gobgp-$f"
done
it_skip "gobgp -> bgpbus End-of-RIB" "gobgpd 3.10 sends End-of-RIB only with graceful restart"
it_skip "frr -> bgpbus FlowSpec rules" "FRR 8.4 cannot originate FlowSpec (no 'flowspec' route configuration in bgpd; tests/peers/frr.sh)"

# ---- bgpbus -> peers
it_check "the speaker accepts the ${#ANN[@]} FlowSpec announcements (seed lines 14-18, flow6)" fv_send "${ANN[@]}"
it_check "the speaker refuses '$BAD' with an error" eval \
  "out=\$(\"\$BB_BIN\" send \"\$BAD\" 2>> \"\$W/bbclient.err\"); echo \"\$out\"; [[ \$out == error:*then* ]]"
for p in $PEERS_ALL; do
  for f in flow4 flow6; do
    expect_out "$p" "$f" > "$W/peer.expect-$p-$f"
    it_check "bgpbus -> $p $f rules with match and action ($(wc -l < "$W/peer.expect-$p-$f"))" \
      fv_dump_is "$p" "$f" "$W/peer.expect-$p-$f"
  done
done

it_check "the speaker accepts 2 flow-vpn announcements (rd 65001:20)" fv_send "${ANN_VPN[@]}"
echo "flowvpn4 dst=10.93.0.0/24,proto=17 rd=65001:20 action=redirect=65001:100" > "$W/peer.expect-gobgp-flowvpn4"
echo "flowvpn6 dst=2001:db8:93::/48 rd=65001:20 action=discard" > "$W/peer.expect-gobgp-flowvpn6"
for f in flowvpn4 flowvpn6; do
  it_check "bgpbus -> gobgp $f rule with RD, match and action" fv_dump_is gobgp "$f" "$W/peer.expect-gobgp-$f"
done

# ---- route refresh (RFC 2918) of ipv4 flowspec, both ways
REFRESH=$(grep -x 'announce refresh ipv4 flowspec' "$SEED")
M=$(it_mark)
it_check "the speaker accepts '$REFRESH' (seed line 28)" fv_send "$REFRESH"
resent() { # IMPL: every flow4 rule of IMPL comes again after the refresh
  local nlri
  while read -r _ nlri _; do
    it_wait_event "$M" "^update $(fv_addr "$1") announce flow4 $nlri " 15 || return 1
  done < <(expect_in "$1" flow4)
}
for p in $ORIGINATORS; do
  it_check "$p answers the speaker's ROUTE-REFRESH: its flow4 rules again" resent "$p"
done
refresh_by_peer() { # IMPL
  local before m a
  a=$(fv_addr "$1")
  before=$(it_peer "$1" rx-updates) || return 1
  m=$(it_mark)
  it_peer "$1" refresh --family flow4 || return 1
  it_wait_event "$m" "^refresh $a flow4\$" 15 || return 1
  it_rx_grows "$1" "$before" 15 && fv_dump_is "$1" flow4 "$W/peer.expect-$1-flow4" 5
}
for p in bird frr exabgp; do
  it_check "$p asks for a flow4 refresh, the speaker re-sends its rules" refresh_by_peer "$p"
done
it_skip "gobgp asks for a refresh" "gobgp 3.10 'neighbor X softresetin' sends no ROUTE-REFRESH (tests/peers/README.md)"

# ---- withdrawals
: > "$W/empty"
it_check "the speaker accepts the ${#WD[@]} FlowSpec withdrawals (seed line 33 and the others)" fv_send "${WD[@]}"
for p in $PEERS_ALL; do
  for f in flow4 flow6; do
    it_check "bgpbus -> $p $f withdrawn (table empty)" fv_dump_is "$p" "$f" "$W/empty"
  done
done
it_check "the speaker accepts 2 flow-vpn withdrawals" fv_send "${WD_VPN[@]}"
for f in flowvpn4 flowvpn6; do
  it_check "bgpbus -> gobgp $f withdrawn (table empty)" fv_dump_is gobgp "$f" "$W/empty"
done
for p in $ORIGINATORS; do
  it_check "$p withdraws its rules" it_peer "$p" withdraw "$W/in-$p.routes"
  for f in flow4 flow6 $([ "$p" != gobgp ] || echo flowvpn4 flowvpn6); do
    it_check "$p -> bgpbus $f withdrawn (events)" fv_wait_events "$(fv_addr "$p")" "$f" "$W/empty"
  done
done
for p in $PEERS_ALL; do
  it_check "$p: session still established" fv_established "$p"
done
it_finish
