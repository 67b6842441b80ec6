#!/usr/bin/env bash
# tests/interop/interop_gobgp.sh -- bgpbus-speaker against GoBGP 3.10 on loopback: eBGP with
# IPv4 and IPv6 in both directions, route refresh asked by the speaker, peer restart, the IPv4
# multicast capability.  Skipped, with the reason: a refresh asked by GoBGP ('softresetin'
# sends no ROUTE-REFRESH), IPv4 multicast routes (below).
#
# IPv4 multicast: only the capability is checked, against a second gobgpd configured with
# afi-safi "ipv4-multicast" alone (it shows "ipv4-multicast: advertised and received").  Routes
# cannot cross in either direction with gobgpd 3.10 (skipped, see MC_SKIP_* below).
source "$(dirname "$0")/lib.sh"
it_init interop_gobgp 2
IMPL=gobgp PEER_AS=65002 FAMS=ipv4,ipv6 ORIG=ipv4,ipv6 HOLD=9
NET=${ADDR_S%.1}
MC_A=$NET.3 MC_AS=65012 MC_PORT=$PORT_P2
# Seen here with gobgpd 3.10, and in its source (pkg/packet/bgp: an ipv4-multicast NLRI is
# decoded as an IPAddrPrefix, whose SAFI() is always unicast; ValidateAttribute checks that).
MC_SKIP_IN="gobgpd 3.10 takes the speaker's MP_REACH_NLRI (AFI 1, SAFI 2) for ipv4-unicast:"
MC_SKIP_IN+=" with only ipv4-multicast negotiated it resets the session ('Address-family"
MC_SKIP_IN+=" ipv4-unicast not available for this session', NOTIFICATION 0/0); with ipv4-unicast"
MC_SKIP_IN+=" too it files the prefixes in its ipv4-unicast RIB, next hop 'fictitious', no attributes"
MC_SKIP_OUT="gobgp 3.10 cannot originate ipv4-multicast: 'gobgp global rib -a ipv4-multicast add"
MC_SKIP_OUT+=" ...' answers 'unsupported address family: ipv4-multicast', 'gobgp mrt inject'"
MC_SKIP_OUT+=" takes only the RIB_IPV4/IPV6_UNICAST subtypes, and it relays none (see above)"

gobgp_caps() { # GoBGP's view of the capabilities: each "advertised and received"
  local out c
  out=$(gobgp --target "unix://$W/gobgp/gobgp.sock" neighbor "$ADDR_S") || return 1
  for c in "ipv4-unicast" "ipv6-unicast" "route-refresh" "4-octet-as"; do
    grep -Eq "^ *$c:[[:space:]]*advertised and received" <<< "$out" || {
      echo "GoBGP does not show '$c: advertised and received':"
      echo "$out"
      return 1
    }
  done
}

# ---- IPv4 multicast: a second gobgpd with ipv4-multicast only
mc_gobgp() { IT_PEER_DIR=gobgp-mc it_peer gobgp "$@"; }
mc_established() {
  it_wait 30 it_speaker_established "$MC_A" || {
    echo "the speaker reports: $(bb neighbors)"
    return 1
  }
  mc_gobgp wait --timeout 10
}
# GoBGP's view: ipv4-multicast in both OPENs
mc_caps() {
  local out
  out=$(gobgp --target "unix://$W/gobgp-mc/gobgp.sock" neighbor "$ADDR_S") || return 1
  grep -Eq "^ *ipv4-multicast:[[:space:]]*advertised and received" <<< "$out" || {
    echo "GoBGP does not show 'ipv4-multicast: advertised and received':"
    echo "$out"
    return 1
  }
}
it_neighbor "$MC_A" "$MC_AS" "$MC_PORT" 9 mcast4 > "$W/mc-speaker.conf"

it_scn_start 2 "$W/mc-speaker.conf"
mc_gobgp start --local-addr "$MC_A" --local-as "$MC_AS" --peer-addr "$ADDR_S" --peer-as 65000 \
  --listen-port "$MC_PORT" --peer-port "$PORT_S" --families mcast4 --hold 9 > "$W/mc-start.out" 2>&1 &
MC_START_PID=$!
it_scn_established gobgp_caps
it_scn_out
it_scn_in
wait "$MC_START_PID"
mc_rc=$?
it_check "gobgp (ipv4-multicast only): started" eval "[ $mc_rc -eq 0 ] || { cat $W/mc-start.out; false; }"
it_check "gobgp (ipv4-multicast only): session established" mc_established
it_check "gobgp: ipv4-multicast negotiated (advertised and received)" mc_caps
it_skip "bgpbus -> gobgp mcast4 routes" "$MC_SKIP_IN"
it_skip "gobgp -> bgpbus mcast4 routes" "$MC_SKIP_OUT"
it_skip "gobgp asks for a route refresh" "gobgp 3.10 'neighbor X softresetin' replays its Adj-RIB-In and sends no ROUTE-REFRESH (tests/peers/README.md)"
it_scn_refresh_by_speaker
it_scn_restart
it_scn_withdraw
it_finish
