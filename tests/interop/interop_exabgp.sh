#!/usr/bin/env bash
# tests/interop/interop_exabgp.sh -- bgpbus-speaker against ExaBGP 4.2 on loopback: eBGP
# with IPv4, IPv6 and IPv4 multicast (received by ExaBGP: its API cannot originate multicast)
# in both directions, route refresh both ways, peer restart.
source "$(dirname "$0")/lib.sh"
it_init interop_exabgp 5
IMPL=exabgp PEER_AS=65005 FAMS=ipv4,ipv6,mcast4 ORIG=ipv4,ipv6 HOLD=9

it_scn_start 5
it_check "exabgp: session established (speaker and exabgp)" it_both_established 30
it_check "exabgp: the speaker saw the peer's OPEN (AS $PEER_AS)" \
  it_wait_event 0 "^open $ADDR_P received asn=$PEER_AS " 5
it_skip "exabgp: capabilities negotiated" "ExaBGP 4.2 does not report them through the launcher; the routes of every family and the refreshes below need them"
it_scn_out
it_scn_in
it_scn_refresh_by_peer
it_scn_refresh_by_speaker
it_scn_restart
it_scn_withdraw
it_finish
