#!/usr/bin/env bash
# tests/peers/gobgp.sh -- GoBGP 3 (gobgpd + gobgp CLI) as a BGP test peer.
# Usage: see _lib.sh (gobgp.sh --help).  Runs as user nobody (or the caller when not root).
# The gRPC API listens on the unix socket $DIR/gobgp.sock, or on --local-addr:--api-port when
# that option is given.
# NOTE: gobgpd treats an IPv4 UPDATE whose NEXT_HOP is in 127/8 as a withdraw ("invalid nexthop
# address"): whoever sends IPv4 routes to this peer must use a non-loopback next hop.
source "$(dirname "$0")/_lib.sh"
# mcast4/mcast6: gobgpd 3.10 negotiates them (capability only), but its CLI has no multicast
# family ("unsupported address family: ipv4-multicast"): no dump, no origination; and gobgpd
# decodes a received multicast NLRI as unicast (see tests/interop/interop_gobgp.sh).
IMPL_FAMILIES="ipv4 ipv6 mcast4 mcast6 lu4 lu6 vpn4 vpn6 flow4 flow6 flowvpn4 flowvpn6 evpn vpls"
IMPL_USER=nobody

api_target() { if [ -n "$API_PORT" ]; then echo "$LOCAL_ADDR:$API_PORT"; else echo "unix://$DIR/gobgp.sock"; fi }
GOBGP() {
  if [ -n "$API_PORT" ]; then
    gobgp -u "$LOCAL_ADDR" -p "$API_PORT" "$@"
  else
    gobgp --target "unix://$DIR/gobgp.sock" "$@"
  fi
}
afisafi() {
  case $1 in
    ipv4) echo ipv4-unicast ;; ipv6) echo ipv6-unicast ;;
    mcast4) echo ipv4-multicast ;; mcast6) echo ipv6-multicast ;;
    vpn4) echo l3vpn-ipv4-unicast ;; vpn6) echo l3vpn-ipv6-unicast ;;
    lu4) echo ipv4-labelled-unicast ;; lu6) echo ipv6-labelled-unicast ;;
    flow4) echo ipv4-flowspec ;; flow6) echo ipv6-flowspec ;;
    flowvpn4) echo l3vpn-ipv4-flowspec ;; flowvpn6) echo l3vpn-ipv6-flowspec ;;
    evpn) echo l2vpn-evpn ;; vpls) echo l2vpn-vpls ;;
  esac
}
clifam() {
  case $1 in
    vpn4) echo vpnv4 ;; vpn6) echo vpnv6 ;; lu4) echo ipv4-mpls ;; lu6) echo ipv6-mpls ;;
    mcast4) echo ipv4-multicast ;; mcast6) echo ipv6-multicast ;;
    flowvpn4) echo ipv4-l3vpn-flowspec ;; flowvpn6) echo ipv6-l3vpn-flowspec ;;
    flow4) echo ipv4-flowspec ;; flow6) echo ipv6-flowspec ;; *) echo "$1" ;;
  esac
}
# AFI/SAFI numbers as used in 'gobgp neighbor -j'
afinum() {
  case $1 in
    ipv4) echo 1/1 ;; ipv6) echo 2/1 ;; mcast4) echo 1/2 ;; mcast6) echo 2/2 ;;
    lu4) echo 1/4 ;; lu6) echo 2/4 ;; vpn4) echo 1/128 ;; vpn6) echo 2/128 ;; flow4) echo 1/133 ;; flow6) echo 2/133 ;;
    flowvpn4) echo 1/134 ;; flowvpn6) echo 2/134 ;;
    evpn) echo 25/70 ;; vpls) echo 25/65 ;;
  esac
}

impl_start() {
  local f passive=false
  if add_path_send && { has_family flow4 || has_family flow6; }; then
    log "gobgpd 3.10 with ADD-PATH send encodes FlowSpec NLRI wrongly (BIRD: 'Bad component order')"
    return 4
  fi
  [ "$PASSIVE" = 1 ] && passive=true
  {
    echo "[global.config]"
    echo "  as = $LOCAL_AS"
    echo "  router-id = \"$ROUTER_ID\""
    echo "  port = $LISTEN_PORT"
    echo "  local-address-list = [\"$LOCAL_ADDR\"]"
    echo "[[neighbors]]"
    echo "  [neighbors.config]"
    echo "    neighbor-address = \"$PEER_ADDR\""
    echo "    peer-as = $PEER_AS"
    [ -n "$PASSWORD" ] && echo "    auth-password = \"$PASSWORD\""
    echo "  [neighbors.timers.config]"
    echo "    connect-retry = 3"
    echo "    hold-time = $HOLD"
    echo "    keepalive-interval = $((HOLD / 3))"
    echo "  [neighbors.transport.config]"
    echo "    local-address = \"$LOCAL_ADDR\""
    echo "    remote-port = $PEER_PORT"
    echo "    passive-mode = $passive"
    for f in $FAMILIES; do
      echo "  [[neighbors.afi-safis]]"
      echo "    [neighbors.afi-safis.config]"
      echo "      afi-safi-name = \"$(afisafi "$f")\""
      # ADD-PATH on unicast only (see README.md)
      if [ -n "$ADD_PATH" ] && { [ "$f" = ipv4 ] || [ "$f" = ipv6 ]; }; then
        echo "    [neighbors.afi-safis.add-paths.config]"
        add_path_recv && echo "      receive = true"
        add_path_send && echo "      send-max = 8"
      fi
    done
  } > "$DIR/gobgpd.toml"
  gobgpd -d -f "$DIR/gobgpd.toml" >> "$DIR/daemon.log" 2>&1 || return 1
  spawn gobgpd -f "$DIR/gobgpd.toml" --api-hosts "$(api_target)" --pprof-disable -p
}
impl_ready() { GOBGP global; }

impl_state() {
  GOBGP neighbor "$PEER_ADDR" | awk -F'[ ,=]+' '/BGP state =/ { print toupper(substr($4, 1, 1)) tolower(substr($4, 2)) }'
}

neighbor_json() {
  GOBGP neighbor "$PEER_ADDR" -j | $PY -c '
import json, sys
n = json.load(sys.stdin)
if sys.argv[1] == "updates":
    print(n.get("state", {}).get("messages", {}).get("received", {}).get("update", 0))
    sys.exit()
afi, safi = map(int, sys.argv[1].split("/"))
for a in n.get("afi_safis", []):
    f = a["state"]["family"]
    if f.get("afi") == afi and f.get("safi") == safi:
        print(a["state"].get("accepted", 0))
        break
else:
    print(0)' "$1"
}
impl_count() { neighbor_json "$(afinum "$1")"; }
impl_rx_updates() { neighbor_json updates; }

impl_dump() {
  case $1 in mcast4 | mcast6)
    log "the gobgp 3.10 CLI cannot show $1 (unsupported address family: $(clifam "$1"))"
    return 4
    ;;
  esac
  GOBGP global rib -a "$(clifam "$1")" -j | $PY "$PEERS_DIR/_norm.py" gobgp "$1" "$PEER_ADDR"
}

impl_refresh() {
  if [ -n "$1" ]; then
    GOBGP neighbor "$PEER_ADDR" softresetin -a "$(clifam "$1")"
  else
    GOBGP neighbor "$PEER_ADDR" softresetin
  fi
}

# ---- origination: route-file line -> gobgp CLI arguments (after "add"/"del")
route_args() {
  local fam=$1 nlri=$2 a=()
  case $fam in
    ipv4 | ipv6) a=("$nlri") ;;
    lu4 | lu6) a=("$nlri" "${A[label]//,//}") ;; # the stack as 100/200
    vpn4 | vpn6)
      a=("$nlri" label "${A[label]:-0}" rd "${A[rd]}")
      [ -n "${A[rt]:-}" ] && a+=(rt ${A[rt]//,/ })
      ;;
    flow4 | flow6 | flowvpn4 | flowvpn6)
      parse_flow "$nlri"
      a=(match)
      [ -z "${A[rd]:-}" ] || a=(rd "${A[rd]}" match)
      [ -n "${F[dst]:-}" ] && a+=(destination "${F[dst]}")
      [ -n "${F[src]:-}" ] && a+=(source "${F[src]}")
      [ -n "${F[proto]:-}" ] && a+=(protocol "==${F[proto]}")
      [ -n "${F[port]:-}" ] && a+=(port "==${F[port]}")
      [ -n "${F[dport]:-}" ] && a+=(destination-port "==${F[dport]}")
      [ -n "${F[sport]:-}" ] && a+=(source-port "==${F[sport]}")
      a+=(then)
      case ${A[action]:-discard} in
        discard) a+=(discard) ;;
        rate=*) a+=(rate-limit "${A[action]#rate=}") ;;
        redirect=*) a+=(redirect "${A[action]#redirect=}") ;;
      esac
      ;;
  esac
  case $fam in
    ipv4 | lu4 | vpn4) a+=(nexthop "${A[nh]:-$NEXT_HOP}") ;;
    ipv6 | lu6 | vpn6) a+=(nexthop "${A[nh]:-$NEXT_HOP6}") ;;
  esac
  [ -n "${A[aspath]:-}" ] && a+=(aspath "${A[aspath]}")
  a+=(origin "${A[origin]:-igp}") # the CLI default would be incomplete
  [ -n "${A[med]:-}" ] && a+=(med "${A[med]}")
  [ -n "${A[lp]:-}" ] && a+=(local-pref "${A[lp]}")
  [ -n "${A[comm]:-}" ] && a+=(community "${A[comm]}")
  printf '%s\n' "${a[@]}"
}
OP=add
RC=0
rib_op() {
  local -a args
  mapfile -t args < <(route_args "$1" "$2")
  GOBGP global rib -a "$(clifam "$1")" "$OP" "${args[@]}" || {
    log "failed: $OP $1 $2"
    RC=1
  }
}
# One CLI call per route costs ~20 ms.  Large unicast sets (more than MRT_MIN routes) are
# written as an MRT TABLE_DUMP_V2 file and streamed with 'gobgp mrt inject global' (~20k
# routes/s).  gobgp 3.10's 'mrt inject' returns without closing its gRPC stream, so the last
# records in flight are lost (~2k of 1M); we append 10000 + n/50 duplicates of records already
# sent (gobgpd ignores a path it already has) as a sacrificial tail.  Feeding it from a FIFO
# is not safe: 3.10 uses a bare Read() and mis-parses short reads.
MRT_MIN=200
impl_announce() {
  local n
  RC=0
  n=$(grep -cE '^\s*ipv[46] ' "$1")
  if [ "$n" -le "$MRT_MIN" ]; then
    OP=add each_route rib_op "$1"
    return $RC
  fi
  $PY "$PEERS_DIR/_routes.py" mrt "$DIR/inject.mrt" "$NEXT_HOP" "$NEXT_HOP6" $((10000 + n / 50)) \
    < "$1" > "$DIR/inject.rest" || return 1
  GOBGP mrt inject global "$DIR/inject.mrt" || RC=1
  OP=add each_route rib_op "$DIR/inject.rest"
  return $RC
}
impl_withdraw() {
  RC=0
  OP=del each_route rib_op "$1"
  return $RC
}

main "$@"
