#!/usr/bin/env bash
# tests/interop/interop_gobgp.sh -- bgpbus-speaker against GoBGP 3.10 on loopback: eBGP with
# IPv4 and IPv6 in both directions, route refresh asked by the speaker, peer restart.
# Skipped, with the reason: IPv4 multicast (the gobgp 3.10 CLI has no multicast family, it
# can neither originate nor show such routes: "unsupported address family: ipv4-multicast";
# interop_bird.sh and interop_frr.sh cover it), a refresh asked by GoBGP ('softresetin'
# sends no ROUTE-REFRESH).
source "$(dirname "$0")/lib.sh"
it_init interop_gobgp 2
IMPL=gobgp PEER_AS=65002 FAMS=ipv4,ipv6 ORIG=ipv4,ipv6 HOLD=9

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

it_scn_start 2
it_scn_established gobgp_caps
it_scn_out
it_scn_in
it_skip "gobgp: IPv4 multicast" "the gobgp 3.10 CLI has no multicast family (unsupported address family: ipv4-multicast); covered with BIRD and FRR"
it_skip "gobgp asks for a route refresh" "gobgp 3.10 'neighbor X softresetin' replays its Adj-RIB-In and sends no ROUTE-REFRESH (tests/peers/README.md)"
it_scn_refresh_by_speaker
it_scn_restart
it_scn_withdraw
it_finish
