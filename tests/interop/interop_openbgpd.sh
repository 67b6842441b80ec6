#!/usr/bin/env bash
# tests/interop/interop_openbgpd.sh -- bgpbus-speaker against OpenBGPD 7.7 (portable) on
# loopback: eBGP with IPv4 and IPv6 in both directions, route refresh both ways, peer restart.
# OpenBGPD originates without AS path or origin (bgpctl cannot set them: tests/peers/README.md)
# and has no multicast.  Skipped: OpenBGPD 7.7 ignores a ROUTE-REFRESH sent to it ("route
# refresh: AID IPv4 unicast not negotiated", also with FRR).
source "$(dirname "$0")/lib.sh"
it_init interop_openbgpd 4
IMPL=openbgpd PEER_AS=65004 FAMS=ipv4,ipv6 ORIG=ipv4,ipv6 HOLD=9

openbgpd_caps() { # OpenBGPD's "Negotiated capabilities" with the speaker
  local out neg c
  out=$(bgpctl -s "$W/openbgpd/bgpd.sock" show neighbor "$ADDR_S") || return 1
  neg=$(awk '/Negotiated capabilities/ { on = 1; next } on && /^ *$/ { on = 0 } on' <<< "$out")
  # (OpenBGPD offers no Enhanced Route Refresh unless configured to: only the plain one here)
  for c in "IPv4 unicast" "IPv6 unicast" "Route Refresh" "4-byte AS"; do
    grep -q "$c" <<< "$neg" || {
      echo "OpenBGPD did not negotiate '$c':"
      echo "$out"
      return 1
    }
  done
}

it_scn_start 4
it_scn_established openbgpd_caps
it_scn_out
it_scn_in
it_scn_refresh_by_peer
it_skip "the speaker asks openbgpd for a route refresh" "OpenBGPD 7.7 logs 'route refresh: AID IPv4 unicast not negotiated' and ignores it, as it does FRR's (tests/peers/README.md)"
it_scn_restart
it_scn_withdraw
it_finish
