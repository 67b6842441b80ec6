#!/usr/bin/env bash
# tests/interop/interop_lu.sh -- labeled unicast (RFC 8277, AFI 1/2 SAFI 4, ExaBGP's `ipv4
# nlri-mpls` / `ipv6 nlri-mpls`) between bgpbus-speaker and BIRD 2.0, GoBGP 3.10, ExaBGP 4.2
# and FRR 8.4, both ways, all at once on one speaker: the labeled records of
# tests/data/vectors/commands.jsonl and two label stacks sent with `bbclient send` must appear
# in every peer's table with prefix, labels and next hop, then be replaced (a new stack on the
# same prefix) and withdrawn; the peers' own labeled routes arrive as typed events and in the
# speaker's Adj-RIB-In with their labels; End-of-RIB for SAFI 4 both ways; the peers'
# withdrawals empty the speaker's view.
#
# What the peers can do (found here, see tests/peers/README.md):
# - BIRD 2.0.12 has no MPLS domain (BIRD 2.14+); a labeled route's labels are its gateway's MPLS
#   stack (static `via GW%lo onlink mpls 100/200`), which BIRD exports (bgp_use_gateway()) to an
#   iBGP peer (or a single-hop peer on the gateway's interface) only; to an eBGP multihop peer
#   it sends implicit null (3).  So BIRD is an iBGP peer here (AS 65000).
# - FRR 8.4 keeps one label a path (the bottom of the stack: remoteLabel), and without zebra's
#   label manager (bgpd -Z) it sends its own routes with implicit null (3).
source "$(dirname "$0")/lib.sh"
it_init interop_lu 100
source "$IT_DIR/flowvpn_lib.sh"
PEERS_ALL="bird gobgp exabgp frr"
fv_as() { # IMPL -> its AS: BIRD is iBGP (see above)
  case $1 in bird) echo 65000 ;; gobgp) echo 65002 ;; frr) echo 65003 ;; exabgp) echo 65005 ;; esac
}

IN_ROUTES="lu4 10.100.1.0/24 label=1000 med=5 comm=65009:3
lu4 10.100.2.0/24 label=1001,1002
lu6 2001:db8:100:1::/64 label=1003"
for p in $PEERS_ALL; do echo "$IN_ROUTES" > "$W/in-$p.routes"; done

# The labeled-unicast records of the ExaBGP command vectors (one label, IPv4 and IPv6)
VEC=$BGPBUS_SOURCE/tests/data/vectors/commands.jsonl
mapfile -t VEC_LU < <($PY -c '
import json, re, sys
for ln in open(sys.argv[1]):
    c = json.loads(ln)["cmd"]
    if re.fullmatch(r"announce route \S+ next-hop \S+ label \d+", c):
        print(c)' "$VEC")
if [ ${#VEC_LU[@]} -ne 2 ]; then
  echo "not ok - $VEC: 2 labeled-unicast records expected, found ${#VEC_LU[@]}"
  exit 1
fi
STACKS=("announce route 10.100.3.0/24 next-hop 198.51.100.1 label [ 200 300 ] med 7 community [ 65000:1 ]"
  "announce route 2001:db8:100:3::/64 next-hop 2001:db8:ffff::1 label [ 400 500 ]")
REPLACE=("announce route 10.0.0.0/24 next-hop 192.0.2.1 label [ 16 17 ]")
# `label` makes a withdrawal labeled unicast (ExaBGP: without it, `route` is unicast); which
# labels does not matter (RFC 8277 2.4: they are not part of the route)
WITHDRAW=("withdraw route 10.0.0.0/24 next-hop 192.0.2.1 label [ 16 17 ]"
  "withdraw route 2001:db8::/32 label 100" "withdraw route 10.100.3.0/24 label 0"
  "withdraw route 2001:db8:100:3::/64 next-hop 2001:db8:ffff::1 label 999")

# What a peer's table shows (tests/peers dump format): FRR keeps the bottom label only
expect_out() { # IMPL FAM STAGE(first|replaced)
  local a=65000 s1=200,300 s2=400,500 s3=16,17
  [ "$1" = bird ] && a= # iBGP: no AS prepended
  [ "$1" = frr ] && s1=300 s2=500 s3=17
  if [ "$2" = lu4 ]; then
    if [ "$3" = first ]; then
      echo "lu4 10.0.0.0/24 label=100 nh=192.0.2.1 aspath=$a origin=igp"
    else
      echo "lu4 10.0.0.0/24 label=$s3 nh=192.0.2.1 aspath=$a origin=igp"
    fi
    echo "lu4 10.100.3.0/24 label=$s1 nh=198.51.100.1 aspath=$a origin=igp med=7 comm=65000:1"
  else
    echo "lu6 2001:db8::/32 label=100 nh=2001:db8::1 aspath=$a origin=igp"
    echo "lu6 2001:db8:100:3::/64 label=$s2 nh=2001:db8:ffff::1 aspath=$a origin=igp"
  fi
}
# What the speaker reports of a peer's routes (events and Adj-RIB-In): FRR's carry implicit
# null (3); BIRD's are iBGP (empty path, local preference)
expect_in() { # IMPL FAM
  $PY -c '
import sys
impl, fam, asn, nh, nh6 = sys.argv[1:6]
for ln in open(sys.argv[6]):
    t = ln.split()
    if not t or t[0] != fam:
        continue
    a = dict(kv.split("=", 1) for kv in t[2:])
    out = [fam, t[1], "label=" + ("3" if impl == "frr" else a["label"]),
           "nh=" + (nh if fam == "lu4" else nh6), "aspath=" + ("" if impl == "bird" else asn),
           "origin=igp"]
    out += ["med=" + a["med"]] if "med" in a else []
    out += ["lp=100"] if impl == "bird" else []
    out += ["comm=" + a["comm"]] if "comm" in a else []
    print(" ".join(out))' "$1" "$2" "$(fv_as "$1")" "$NH_P" "$NH6_P" "$W/in-$1.routes" | LC_ALL=C sort
}
# the speaker's Adj-RIB-In for PEER in FAM (bbclient rib-in) is FILE
rib_in_is() { # PEER FAM FILE
  bb rib-in --neighbor "$1" | awk -v f="$2" '$1 == f' | LC_ALL=C sort | cmp -s - "$3"
}
rib_in_wait() { # PEER FAM FILE
  it_wait 10 rib_in_is "$@" || {
    echo "the speaker's Adj-RIB-In for $1 $2 (< expected, > rib-in):"
    diff "$3" <(bb rib-in --neighbor "$1" | awk -v f="$2" '$1 == f' | LC_ALL=C sort)
    return 1
  }
}

# shellcheck disable=SC2086 # one argument per peer
fv_setup lu4,lu6 $PEERS_ALL || it_check "every peer started" eval "cat $W/start-*.out; false"
for p in $PEERS_ALL; do
  it_check "$p: session established with lu4 and lu6" fv_established "$p"
done

# ---- peers -> bgpbus
for p in $PEERS_ALL; do
  for f in lu4 lu6; do
    expect_in "$p" "$f" > "$W/speaker.expect-$p-$f"
    it_check "$p -> bgpbus $f routes with labels and next hop, in the events ($(wc -l < "$W/speaker.expect-$p-$f"))" \
      fv_wait_events "$(fv_addr "$p")" "$f" "$W/speaker.expect-$p-$f"
    it_check "$p -> bgpbus $f routes in the speaker's Adj-RIB-In (bbclient rib-in)" \
      rib_in_wait "$(fv_addr "$p")" "$f" "$W/speaker.expect-$p-$f"
  done
done
for p in bird exabgp frr; do
  it_check "$p -> bgpbus End-of-RIB for lu4 and lu6 (events)" eval \
    "it_wait_event 0 '^eor $(fv_addr "$p") lu4\$' 5 && it_wait_event 0 '^eor $(fv_addr "$p") lu6\$' 5"
done
it_skip "gobgp -> bgpbus End-of-RIB" "GoBGP 3.10 sends End-of-RIB only on a graceful-restart session (server.go getBestFromLocal: 'if peer.isGracefulRestartEnabled()'), which gobgp.sh does not configure"

# ---- bgpbus -> peers: one label (the vectors), stacks of two, then a new stack on a prefix
check_out() { # STAGE
  local p f
  for p in $PEERS_ALL; do
    for f in lu4 lu6; do
      expect_out "$p" "$f" "$1" > "$W/peer.expect-$p-$f"
      it_check "bgpbus -> $p $f ($1): prefix, labels, next hop" fv_dump_is "$p" "$f" "$W/peer.expect-$p-$f"
    done
  done
}
it_check "the speaker accepts the labeled records of commands.jsonl" fv_send "${VEC_LU[@]}"
it_check "the speaker accepts two label stacks" fv_send "${STACKS[@]}"
check_out first
it_check "bgpbus -> frr End-of-RIB for labeled unicast (bgpd.log)" eval \
  "grep -q 'rcvd End-of-RIB for IPv4 Labeled Unicast from $ADDR_S' $W/frr/bgpd.log &&
   grep -q 'rcvd End-of-RIB for IPv6 Labeled Unicast from $ADDR_S' $W/frr/bgpd.log"
it_check "bgpbus -> exabgp End-of-RIB for nlri-mpls (ExaBGP's JSON)" eval \
  "grep -q '\"eor\": { \"afi\" : \"ipv4\", \"safi\" : \"nlri-mpls\" }' $W/exabgp/exa-updates.jsonl &&
   grep -q '\"eor\": { \"afi\" : \"ipv6\", \"safi\" : \"nlri-mpls\" }' $W/exabgp/exa-updates.jsonl"
it_check "the speaker accepts a new label stack for 10.0.0.0/24" fv_send "${REPLACE[@]}"
check_out replaced

# ---- withdrawals
: > "$W/empty"
it_check "the speaker accepts the withdrawals (with and without labels)" fv_send "${WITHDRAW[@]}"
for p in $PEERS_ALL; do
  for f in lu4 lu6; do
    it_check "bgpbus -> $p $f withdrawn (table empty)" fv_dump_is "$p" "$f" "$W/empty"
  done
done
# a withdrawal has one label field, not the stack (RFC 8277 2.4): BIRD reads one only
it_check "bgpbus -> bird: the withdrawals of label stacks parse (no 'Invalid network field')" \
  eval "! grep -E 'Error|Invalid' $W/bird/bird.log"
for p in $PEERS_ALL; do
  it_check "$p withdraws its routes" it_peer "$p" withdraw "$W/in-$p.routes"
  for f in lu4 lu6; do
    it_check "$p -> bgpbus $f withdrawn (events and Adj-RIB-In)" eval \
      "fv_wait_events $(fv_addr "$p") $f $W/empty && rib_in_wait $(fv_addr "$p") $f $W/empty"
  done
done
for p in $PEERS_ALL; do
  it_check "$p: session still established" fv_established "$p"
done
it_finish
