#!/usr/bin/env bash
# tests/interop/interop_bird.sh -- bgpbus-speaker against BIRD 2 on loopback: eBGP with IPv4,
# IPv6, IPv4 and IPv6 multicast in both directions, route refresh both ways, peer restart,
# hold timer expiry; and an iBGP session with a second BIRD (LOCAL_PREF both ways).
source "$(dirname "$0")/lib.sh"
it_init interop_bird 1
IMPL=bird PEER_AS=65001 FAMS=ipv4,ipv6,mcast4,mcast6 ORIG=ipv4,ipv6,mcast4,mcast6 HOLD=6

# BIRD's view of the speaker's OPEN: the "Neighbor capabilities" block of 'show protocols all'
bird_caps() { # DIR FAMILIES-AS-BIRD-NAMES
  local out caps c
  out=$(birdc -s "$1/bird.ctl" show protocols all peer) || return 1
  caps=$(awk '/Neighbor capabilities/ { on = 1; next } /Session:/ { on = 0 } on' <<< "$out")
  for c in "Route refresh" "Enhanced refresh" "4-octet AS numbers" "AF announced: *$2\$"; do
    grep -Eq "^ *$c" <<< "$caps" || {
      echo "BIRD does not list '$c' in the speaker's capabilities:"
      echo "$out"
      return 1
    }
  done
  # each channel UP: multiprotocol negotiated for every family
  [ "$(grep -c 'State: *UP' <<< "$out")" -eq "$(wc -w <<< "$2")" ] || {
    echo "not every channel is UP:"
    echo "$out"
    return 1
  }
}

# ---- iBGP with a second BIRD (AS 65000): LOCAL_PREF both ways, no AS prepended
ibgp_bird() { IT_PEER_DIR=bird-ibgp it_peer bird "$@"; }
ibgp_lp_in_bird() { # BIRD's own view of the LOCAL_PREF the speaker sent
  birdc -s "$W/bird-ibgp/bird.ctl" show route 10.1.200.0/24 all | grep -q 'BGP.local_pref: 200'
}
ibgp() {
  echo "ipv4 10.1.201.0/24 lp=300 med=4 comm=65000:30" > "$W/ibgp-in.routes"
  echo "ipv4 10.1.200.0/24 nh=$NH_S lp=200 med=5 comm=65000:20" > "$W/ibgp-out.routes"
  it_check "bird iBGP: second BIRD started" ibgp_bird start --local-addr "$ADDR_P2" \
    --local-as 65000 --peer-addr "$ADDR_S" --peer-as 65000 --listen-port "$PORT_P2" \
    --peer-port "$PORT_S" --families ipv4 --next-hop 198.51.100.3 --announce "$W/ibgp-in.routes"
  it_check "bird iBGP: session established" eval 'it_wait 30 it_speaker_established "$ADDR_P2" && ibgp_bird wait --timeout 10'
  it_check "bird iBGP: the speaker accepts a route for the iBGP neighbor only" \
    it_bb_routes announce "$W/ibgp-out.routes" "$ADDR_P2"
  it_expect ipv4 --nh "$NH_S" < "$W/ibgp-out.routes" > "$W/ibgp-peer.expect"
  it_check "bird iBGP: bgpbus -> bird route, empty AS path" \
    ibgp_bird wait-dump --expect "$W/ibgp-peer.expect" --timeout 20
  it_check "bird iBGP: LOCAL_PREF 200 in BIRD's table" ibgp_lp_in_bird
  it_expect ipv4 --nh 198.51.100.3 --lp < "$W/ibgp-in.routes" > "$W/ibgp-speaker.expect"
  it_check "bird iBGP: bird -> bgpbus route with LOCAL_PREF 300 in the events" \
    it_wait_rib_in "$ADDR_P2" ipv4 "$W/ibgp-speaker.expect"
  it_check "bird iBGP: the eBGP peer did not get the iBGP-only route" \
    eval '! it_peer bird routes --dump | grep -q 10.1.200.0/24'
  it_check "bird iBGP: second BIRD stops" ibgp_bird stop
}

it_neighbor "$ADDR_P2" 65000 "$PORT_P2" 9 ipv4 65000 > "$W/ibgp.conf"
it_scn_start 1 "$W/ibgp.conf"
it_scn_established "bird_caps $W/bird 'ipv4 ipv4-mc ipv6 ipv6-mc'"
it_scn_out
it_scn_in
ibgp
it_scn_refresh_by_peer
it_scn_refresh_by_speaker
it_scn_restart
it_scn_hold
it_scn_withdraw
it_finish
