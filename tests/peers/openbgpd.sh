#!/usr/bin/env bash
# tests/peers/openbgpd.sh -- OpenBGPD (portable 7.7) as a BGP test peer.
# Usage: see _lib.sh (openbgpd.sh --help).
# bgpd must be started as root: it privilege-separates itself (its session engine and RDE run
# as _openbgpd, chrooted into that user's home /run/openbgpd, created here if missing).  It runs
# in the foreground (-d) with config and control socket in $DIR and 'fib-update no'.
# Originate: ipv4 ipv6 (no aspath= or origin=: bgpctl cannot set them; a per-route nh= is
# overridden by the session's 'set nexthop', i.e. --next-hop / --next-hop6).
# Receive: ipv4 ipv6 vpn4 vpn6 (originating VPN routes needs an OpenBSD mpe(4) interface).
source "$(dirname "$0")/_lib.sh"
IMPL_FAMILIES="ipv4 ipv6 vpn4 vpn6"
IMPL_USER=root

CTL() { bgpctl -s "$DIR/bgpd.sock" "$@"; }
bfam() { case $1 in ipv4) echo inet ;; ipv6) echo inet6 ;; vpn4) echo vpnv4 ;; vpn6) echo vpnv6 ;; esac }
afisafi() { case $1 in ipv4) echo "IPv4 unicast" ;; ipv6) echo "IPv6 unicast" ;; vpn4) echo "IPv4 vpn" ;; vpn6) echo "IPv6 vpn" ;; esac }

impl_start() {
  [ "$(id -u)" -eq 0 ] || {
    log "OpenBGPD's bgpd needs root (it drops privileges itself)"
    return 4
  }
  mkdir -p /run/openbgpd || return 1
  {
    echo "AS $LOCAL_AS"
    echo "router-id $ROUTER_ID"
    echo "listen on $LOCAL_ADDR port $LISTEN_PORT"
    echo "socket \"$DIR/bgpd.sock\""
    echo "fib-update no"
    echo "holdtime $HOLD"
    echo "neighbor $PEER_ADDR {"
    echo "  remote-as $PEER_AS"
    echo "  local-address $LOCAL_ADDR"
    echo "  port $PEER_PORT"
    [ "$PASSIVE" = 1 ] && echo "  passive"
    [ -n "$PASSWORD" ] && echo "  tcp md5sig password $PASSWORD"
    # eBGP multihop + 'nexthop no-modify' is the only way to send a next hop other than our
    # own address (and an IPv6 one other than ::1) on an eBGP session
    [ "$LOCAL_AS" != "$PEER_AS" ] && echo "  multihop 2"
    has_family ipv4 && echo "  announce IPv4 unicast" || echo "  announce IPv4 none"
    has_family ipv6 && echo "  announce IPv6 unicast" || echo "  announce IPv6 none"
    has_family vpn4 && echo "  announce IPv4 vpn"
    has_family vpn6 && echo "  announce IPv6 vpn"
    add_path_recv && echo "  announce add-path recv yes"
    add_path_send && echo "  announce add-path send all"
    echo "}"
    echo "allow from any" # the default filter action is deny
    echo "allow to any"
    # a next hop of the other address family is ignored; no-modify must come last
    echo "match to $PEER_ADDR set nexthop $NEXT_HOP"
    echo "match to $PEER_ADDR set nexthop $NEXT_HOP6"
    echo "match to $PEER_ADDR set nexthop no-modify"
  } > "$DIR/bgpd.conf"
  chmod 600 "$DIR/bgpd.conf" # bgpd refuses a configuration others can read (it may hold keys)
  bgpd -n -f "$DIR/bgpd.conf" >> "$DIR/daemon.log" 2>&1 || return 1
  spawn bgpd -d -f "$DIR/bgpd.conf"
}
impl_ready() { CTL show summary; }

neighbor_json() {
  CTL -j show neighbor "$PEER_ADDR" | $PY -c '
import json, sys
n = json.load(sys.stdin).get("neighbors", [])
n = n[0] if n else {}
if sys.argv[1] == "state":
    print(n.get("state", "Unknown"))
else:
    print(n.get("stats", {}).get("message", {}).get("received", {}).get("updates", 0))' "$1"
}
impl_state() { neighbor_json state; }
impl_rx_updates() { neighbor_json updates; }

# the valid ('*') RIB entries learned from the peer (the neighbor's prefix counter would also
# count AS-looped prefixes)
impl_count() {
  CTL show rib neighbor "$PEER_ADDR" "$(bfam "$1")" | awk '$1 ~ /^[A-Za-z]*\*/ { n++ } END { print n + 0 }'
}

impl_dump() { CTL -j show rib detail neighbor "$PEER_ADDR" "$(bfam "$1")" | $PY "$PEERS_DIR/_norm.py" openbgpd "$1" "$PEER_ADDR"; }

impl_refresh() {
  [ -z "$1" ] || log "bgpctl refreshes every family"
  CTL neighbor "$PEER_ADDR" refresh > /dev/null
}

# ---- origination: 'bgpctl network bulk', one call per distinct attribute set
bulk_args() { # A -> array B of bgpctl set arguments (no AS path, no origin: always igp)
  local c IFS=$' \t\n,'
  B=()
  [ -n "${A[aspath]:-}${A[origin]:-}" ] && log "aspath=/origin= cannot be set with bgpctl: ignored"
  [ -n "${A[med]:-}" ] && B+=(med "${A[med]}")
  [ -n "${A[lp]:-}" ] && B+=(localpref "${A[lp]}")
  [ -n "${A[nh]:-}" ] && B+=(nexthop "${A[nh]}")
  for c in ${A[comm]:-}; do B+=(community "$c"); done
}
attrs_of() { awk '!/^[ \t]*(#|$)/ { k = ""; for (i = 3; i <= NF; i++) k = k " " $i; print k }' "$1"; }
prefixes_with() {
  awk -v want="$2" '!/^[ \t]*(#|$)/ { k = ""; for (i = 3; i <= NF; i++) k = k " " $i; if (k == want) print $2 }' "$1"
}
bulk() {
  local op=$1 file=$2 key kv rc=0
  if grep -qE '^\s*(vpn|flow)' "$file"; then
    log "OpenBGPD originates ipv4/ipv6 only"
    return 4
  fi
  if [ "$op" = delete ]; then
    awk '!/^[ \t]*(#|$)/ { print $2 }' "$file" | CTL network bulk delete > /dev/null || rc=1
    return $rc
  fi
  while IFS= read -r key; do
    A=()
    for kv in $key; do A[${kv%%=*}]=${kv#*=}; done
    bulk_args
    prefixes_with "$file" "$key" | CTL network bulk "${B[@]}" add > /dev/null || rc=1
  done < <(attrs_of "$file" | sort -u)
  return $rc
}
impl_announce() { bulk add "$1"; }
impl_withdraw() { bulk delete "$1"; }

main "$@"
