#!/usr/bin/env bash
# tests/interop/interop_caps_bird.sh -- the speaker's session features against BIRD 2, one
# speaker with six neighbors, each a BIRD of its own started in parallel:
#   md5     TCP MD5 (RFC 2385) with the right password: established
#   badmd5  TCP MD5 with a wrong password on BIRD's side: never established
#   addpath ADD-PATH (RFC 7911) both ways: two paths of one prefix each way, told apart by path id
#   as2     4-octet AS (RFC 6793) towards a 2-octet-only BIRD: AS_TRANS in the OPEN, AS4_PATH
#           both ways, so each side sees the real 4-octet ASNs
#   ext     extended message (RFC 8654), graceful restart (RFC 4724), host name advertised, seen by
#           BIRD; a 4400-byte UPDATE (1100 communities) crosses the session
#   enh     extended next hop (RFC 8950) over the IPv4 session: IPv4 routes with IPv6 next hops
#           both ways, each side shows the IPv6 next hop the other one sent
# Each check fails when the feature is missing: without MD5 BIRD's signed SYNs are dropped,
# without ADD-PATH the second path replaces the first, without AS4_PATH BIRD shows 23456,
# without the extended next hop capability neither side may send (nor accept) an IPv6 next hop
# for IPv4 NLRI.
source "$(dirname "$0")/lib.sh"
it_init interop_caps_bird 41
NET=${ADDR_S%.1}
A_MD5=$NET.2 A_BAD=$NET.3 A_AP=$NET.4 A_AS2=$NET.5 A_EXT=$NET.6 A_ENH=$NET.7
I=41 # the second octet of the routes' prefixes
MD5_PW=bgpbus-md5-s3cret
AS_BIG=4200000001 # the speaker's AS towards the 2-octet BIRD

# it_neighbor with more neighbor statements (EXTRA, e.g. "md5-password x;") before its end
caps_neighbor() { # EXTRA ADDR PEER_AS [HOLD] [FAMILIES] [LOCAL_AS]
  local extra=$1
  shift
  it_neighbor "$1" "$2" "$PORT_P" "${@:3}" | sed '$d'
  echo "  $extra"
  echo "}"
}

bird_of() { IT_PEER_DIR=bird-$1 it_peer bird "${@:2}"; }
birdc_of() { birdc -s "$W/bird-$1/bird.ctl" "${@:2}"; }
# every BIRD listens on PORT_P of its own address (strict bind)
bird_start() { # NAME ADDR LOCAL_AS PEER_AS [MORE OPTIONS]
  bird_of "$1" start --local-addr "$2" --local-as "$3" --peer-addr "$ADDR_S" --peer-as "$4" \
    --listen-port "$PORT_P" --peer-port "$PORT_S" --families ipv4 --next-hop "$NH_P" --hold 9 \
    "${@:5}" > "$W/start-$1.out" 2>&1
}
# BIRD's "Neighbor capabilities" block, and its session line, from 'show protocols all'
bird_neighbor_caps() { # NAME
  birdc_of "$1" show protocols all peer |
    awk '/Neighbor capabilities/ { on = 1; next } /^ *(Session|Source address):/ { on = 0 } on'
}
both_established() { # NAME ADDR
  it_wait 30 it_speaker_established "$2" || {
    echo "the speaker reports: $(bb neighbors)"
    return 1
  }
  bird_of "$1" wait --timeout 10
}

# ---- the speaker: six neighbors
{
  caps_neighbor "md5-password $MD5_PW;" "$A_MD5" 65001 9 ipv4
  caps_neighbor "md5-password $MD5_PW;" "$A_BAD" 65002 9 ipv4
  IT_CAPS="add-path send/receive;" caps_neighbor "" "$A_AP" 65004 9 ipv4
  # a 4-octet AS without the AS4 capability: the 2-octet encoding of RFC 6793 4.2
  IT_CAPS="asn4 disable;" caps_neighbor "" "$A_AS2" 65005 9 ipv4 "$AS_BIG"
  IT_CAPS="extended-message enable; graceful-restart 120;" \
    caps_neighbor "host-name bgpbus-caps;" "$A_EXT" 65006 9 ipv4
  # RFC 8950 needs both families announced: IPv4 NLRI, IPv6 next hop
  IT_CAPS="nexthop;" caps_neighbor "nexthop { ipv4 unicast ipv6; }" "$A_ENH" 65007 9 ipv4,ipv6
} > "$W/speaker.conf"
it_speaker_start "$W/speaker.conf"
it_watch_start

# ---- the BIRDs, started together
echo "ipv4 10.$I.51.0/24 med=11" > "$W/ap-in.routes"
# a second static protocol: BIRD then holds two paths for 10.I.51.0/24 and sends both
echo "protocol static st_second { ipv4; route 10.$I.51.0/24 blackhole { bgp_med = 77; }; }" \
  > "$W/ap-extra.conf"
echo "ipv4 10.$I.41.0/24 aspath=4200000009,65030 origin=egp" > "$W/as2-in.routes"
pids=()
bird_start md5 "$A_MD5" 65001 65000 --password "$MD5_PW" & pids+=($!)
bird_start badmd5 "$A_BAD" 65002 65000 --password wrong-password & pids+=($!)
bird_start addpath "$A_AP" 65004 65000 --add-path both --announce "$W/ap-in.routes" \
  --extra-conf "$W/ap-extra.conf" & pids+=($!)
# BIRD without 4-octet AS support: it sees the speaker's AS as AS_TRANS (RFC 6793 4.2.1).
# (BIRD takes the AS4 capability's number whenever one is sent, whatever its own setting, so
# the speaker's neighbor leaves the capability out to meet it as a 2-octet speaker would.)
bird_start as2 "$A_AS2" 65005 23456 --as4 off --announce "$W/as2-in.routes" & pids+=($!)
bird_start ext "$A_EXT" 65006 65000 --ext-message --graceful-restart 120 & pids+=($!)
echo "ipv4 10.$I.71.0/24 nh=2001:db8:$I::2 aspath=65031 origin=egp med=4 comm=65007:1" > "$W/enh-in.routes"
bird_start enh "$A_ENH" 65007 65000 --ext-next-hop --announce "$W/enh-in.routes" & pids+=($!)
started=0
for p in "${pids[@]}"; do wait "$p" && started=$((started + 1)); done
it_check "six BIRDs started" eval "[ $started -eq 6 ] || { cat $W/start-*.out; false; }"

# ---- TCP MD5 (RFC 2385)
it_check "md5: established with the right password" both_established md5 "$A_MD5"
md5_never_up() {
  # BIRD retries every 3 s; give it two attempts after the good session came up
  sleep 7
  ! it_speaker_established "$A_BAD" || {
    echo "the speaker is established with a peer that has the wrong password"
    return 1
  }
  ! bird_of badmd5 state || return 1
  echo "BIRD: $(bird_of badmd5 state); speaker: $(bb neighbors | grep "^$A_BAD ")"
}
# in parallel with the other checks below: it only waits
md5_never_up > "$W/badmd5.out" 2>&1 &
BAD_PID=$!

# ---- ADD-PATH (RFC 7911)
it_check "add-path: established" both_established addpath "$A_AP"
addpath_caps() {
  local c
  c=$(bird_neighbor_caps addpath)
  grep -Eq 'ADD-PATH' <<< "$c" && grep -Eq 'RX: *ipv4' <<< "$c" && grep -Eq 'TX: *ipv4' <<< "$c" || {
    echo "BIRD does not list ADD-PATH send and receive for ipv4 in the speaker's OPEN:"
    echo "$c"
    return 1
  }
}
it_check "add-path: BIRD sees the speaker's ADD-PATH send/receive" addpath_caps
ap_announce() {
  bb announce --neighbor "$A_AP" --path-id 1 --nh 198.51.100.1 --med 1 "10.$I.50.0/24" &&
    bb announce --neighbor "$A_AP" --path-id 2 --nh 198.51.100.9 --med 2 "10.$I.50.0/24"
}
it_check "add-path: the speaker accepts two paths of 10.$I.50.0/24 (path ids 1 and 2)" ap_announce
{
  echo "ipv4 10.$I.50.0/24 nh=198.51.100.1 aspath=65000 origin=igp med=1"
  echo "ipv4 10.$I.50.0/24 nh=198.51.100.9 aspath=65000 origin=igp med=2"
} > "$W/ap-peer.expect"
it_check "add-path: bgpbus -> bird, BIRD holds both paths" \
  bird_of addpath wait-dump --expect "$W/ap-peer.expect" --timeout 20
# both of BIRD's paths reach the speaker, each with its own path id
ap_two_in() {
  local n re="^update $A_AP announce ipv4 10\\.$I\\.51\\.0/24 path-id=([0-9]+) .*med="
  it_wait_event 0 "${re}11( |\$)" 20 && it_wait_event 0 "${re}77( |\$)" 20 || return 1
  n=$(it_events_after 0 "^update $A_AP announce ipv4 10\\.$I\\.51\\.0/24 path-id=" |
    awk '{ print $6 }' | sort -u | wc -l)
  it_events_after 0 "^update $A_AP announce ipv4 10\\.$I\\.51\\.0/24 "
  [ "$n" -ge 2 ] || {
    echo "the two paths do not have distinct path ids"
    return 1
  }
}
it_check "add-path: bird -> bgpbus, two paths with distinct path-id= in the events" ap_two_in

# ---- 4-octet AS towards a 2-octet peer (RFC 6793)
it_check "as4: established with a 2-octet BIRD (AS_TRANS in the speaker's OPEN)" \
  both_established as2 "$A_AS2"
as2_session() {
  local out
  out=$(birdc_of as2 show protocols all peer)
  grep -q "Neighbor AS: *23456" <<< "$out" && grep -q "Session: .*external" <<< "$out" &&
    ! grep -q "Session: .*AS4" <<< "$out" || {
    echo "BIRD should see AS 23456 on a session without AS4:"
    echo "$out"
    return 1
  }
}
it_check "as4: BIRD sees AS_TRANS (23456) on a 2-octet session" as2_session
it_check "as4: the speaker's route with 4-octet ASNs accepted" \
  bb announce --neighbor "$A_AS2" --nh "$NH_S" --aspath "$AS_BIG,4200000002,65010" "10.$I.40.0/24"
echo "ipv4 10.$I.40.0/24 nh=$NH_S aspath=$AS_BIG,4200000002,65010 origin=igp" > "$W/as2-peer.expect"
it_check "as4: bgpbus -> bird, BIRD rebuilds the 4-octet path from AS4_PATH" \
  bird_of as2 wait-dump --expect "$W/as2-peer.expect" --timeout 20
# BIRD sends AS_PATH 65005,23456,65030 with AS4_PATH 4200000009,65030: the speaker merges them
it_expect ipv4 --nh "$NH_P" --prepend 65005 < "$W/as2-in.routes" > "$W/as2-speaker.expect"
it_check "as4: bird -> bgpbus, the events show the 4-octet path from a 2-octet peer" \
  it_wait_rib_in "$A_AS2" ipv4 "$W/as2-speaker.expect"

# ---- extended message (RFC 8654) and graceful restart (RFC 4724)
it_check "ext: established" both_established ext "$A_EXT"
ext_caps() {
  local c want
  c=$(bird_neighbor_caps ext)
  for want in "Extended message" "Graceful restart" "Restart time: *120" "Hostname: bgpbus-caps"; do
    grep -Eq "^ *$want" <<< "$c" || {
      echo "BIRD does not list '$want' in the speaker's capabilities:"
      echo "$c"
      return 1
    }
  done
  # the MD5 neighbor leaves graceful restart and host-name out: BIRD must not list them there
  ! bird_neighbor_caps md5 | grep -q "Graceful restart\|Hostname" || {
    echo "graceful restart or host name advertised to a neighbor without them configured"
    return 1
  }
}
it_check "ext: BIRD lists extended message, graceful restart (120 s), host name from the speaker" ext_caps
# 1100 communities: a 4.4 kB attribute, beyond RFC 4271's 4096-octet message
big_comm=$(seq -s, -f '65000:%g' 1 1100)
it_check "ext: the speaker accepts a route with 1100 communities" \
  bb announce --neighbor "$A_EXT" --nh "$NH_S" --comm "$big_comm" "10.$I.60.0/24"
# (birdc cuts long attribute lines: ask BIRD's filter for the first and the last community)
ext_big_in_bird() {
  local c
  for c in 1 1100; do
    birdc_of ext show route where "(65000,$c) ~ bgp_community" | grep -q "^10\.$I\.60\.0/24 " || {
      echo "BIRD's route has no community 65000:$c"
      birdc_of ext show route "10.$I.60.0/24" all | cut -c1-200
      return 1
    }
  done
}
it_check "ext: bgpbus -> bird, a 4.4 kB UPDATE arrives whole" it_wait 20 ext_big_in_bird

# ---- extended next hop (RFC 8950), over the IPv4 session
it_check "enh: established" both_established enh "$A_ENH"
enh_caps() {
  local c
  c=$(bird_neighbor_caps enh)
  grep -Eq '^ *Extended next hop' <<< "$c" && grep -Eq '^ *IPv6 nexthop: ipv4$' <<< "$c" || {
    echo "BIRD does not list 'Extended next hop / IPv6 nexthop: ipv4' in the speaker's OPEN:"
    echo "$c"
    return 1
  }
  # the neighbors without a nexthop block leave the capability out
  ! bird_neighbor_caps ext | grep -q "Extended next hop" || {
    echo "extended next hop advertised to a neighbor without it configured"
    return 1
  }
}
it_check "enh: BIRD sees the speaker's extended next hop capability (ipv4 unicast, IPv6)" enh_caps
it_check "enh: the speaker accepts an IPv4 route with an IPv6 next hop" \
  bb announce --neighbor "$A_ENH" --nh "2001:db8:$I::1" --med 3 --comm 65000:7 "10.$I.70.0/24"
echo "ipv4 10.$I.70.0/24 nh=2001:db8:$I::1 aspath=65000 origin=igp med=3 comm=65000:7" \
  > "$W/enh-peer.expect"
it_check "enh: bgpbus -> bird, BIRD's ipv4 table shows the IPv6 next hop" \
  bird_of enh wait-dump --expect "$W/enh-peer.expect" --timeout 20
it_expect ipv4 --prepend 65007 < "$W/enh-in.routes" > "$W/enh-speaker.expect"
it_check "enh: bird -> bgpbus, the events show the IPv4 route with BIRD's IPv6 next hop" \
  it_wait_rib_in "$A_ENH" ipv4 "$W/enh-speaker.expect"

wait "$BAD_PID"
bad_rc=$?
it_check "md5: a wrong password on BIRD's side is never established" \
  eval "cat $W/badmd5.out; [ $bad_rc -eq 0 ]"
all_good_up() {
  local a
  for a in "$A_MD5" "$A_AP" "$A_AS2" "$A_EXT" "$A_ENH"; do
    it_speaker_established "$a" || {
      echo "$a is not established: $(bb neighbors)"
      return 1
    }
  done
}
it_check "all the good sessions still established" all_good_up
it_finish
