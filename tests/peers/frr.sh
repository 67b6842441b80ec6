#!/usr/bin/env bash
# tests/peers/frr.sh -- FRRouting 8 bgpd as a BGP test peer.  Usage: see _lib.sh (frr.sh --help).
# bgpd runs alone (-Z: no zebra, nothing reaches the kernel) as user frr (or the caller when not
# root; -S: it does not switch users itself), with its vty socket in $DIR.
# FRR cannot originate FlowSpec (receive only).
# NOTE: FRR 8.4 rejects a 127/8 NEXT_HOP as martian (NOTIFICATION, session reset) and has no
# knob to allow it: whoever sends IPv4 routes to this peer must use a non-loopback next hop.
source "$(dirname "$0")/_lib.sh"
IMPL_FAMILIES="ipv4 ipv6 mcast4 mcast6 lu4 lu6 vpn4 vpn6 flow4 flow6 evpn"
IMPL_USER=frr

BGPD=/usr/lib/frr/bgpd
VTY() { vtysh --vty_socket "$DIR" -d bgpd "$@"; }
afname() {
  case $1 in
    ipv4) echo "ipv4 unicast" ;; ipv6) echo "ipv6 unicast" ;;
    mcast4) echo "ipv4 multicast" ;; mcast6) echo "ipv6 multicast" ;;
    vpn4) echo "ipv4 vpn" ;; vpn6) echo "ipv6 vpn" ;;
    lu4) echo "ipv4 labeled-unicast" ;; lu6) echo "ipv6 labeled-unicast" ;;
    flow4) echo "ipv4 flowspec" ;; flow6) echo "ipv6 flowspec" ;;
    evpn) echo "l2vpn evpn" ;;
  esac
}
afkey() {
  case $1 in
    ipv4) echo ipv4Unicast ;; ipv6) echo ipv6Unicast ;; mcast4) echo ipv4Multicast ;;
    mcast6) echo ipv6Multicast ;; vpn4) echo ipv4Vpn ;; vpn6) echo ipv6Vpn ;;
    lu4) echo ipv4LabeledUnicast ;; lu6) echo ipv6LabeledUnicast ;;
    flow4) echo ipv4Flowspec ;; flow6) echo ipv6Flowspec ;;
  esac
}

impl_start() {
  local f P=$PEER_ADDR
  {
    echo "frr defaults traditional"
    echo "hostname frr-$LOCAL_ADDR"
    echo "log file $DIR/bgpd.log informational"
    # outbound: FRR would echo the peer's own routes back to it; set the next hops
    echo "bgp as-path access-list FROM-PEER seq 5 permit _${PEER_AS}_"
    echo "route-map NH4-OUT deny 5"
    echo " match as-path FROM-PEER"
    echo "route-map NH4-OUT permit 10"
    [ "$NEXT_HOP" != "$LOCAL_ADDR" ] && echo " set ip next-hop $NEXT_HOP"
    echo "route-map NH6-OUT deny 5"
    echo " match as-path FROM-PEER"
    echo "route-map NH6-OUT permit 10"
    echo " set ipv6 next-hop global $NEXT_HOP6"
    echo "router bgp $LOCAL_AS"
    echo " bgp router-id $ROUTER_ID"
    echo " no bgp ebgp-requires-policy"  # RFC 8212 default: no eBGP route in or out without policy
    echo " no bgp network import-check"  # 'network' without a matching IGP route (no zebra)
    echo " no bgp default ipv4-unicast"
    echo " neighbor $P remote-as $PEER_AS"
    echo " neighbor $P port $PEER_PORT"
    echo " neighbor $P update-source $LOCAL_ADDR"
    echo " neighbor $P timers $((HOLD / 3)) $HOLD"
    echo " neighbor $P timers connect 3"
    [ -n "$PASSWORD" ] && echo " neighbor $P password $PASSWORD"
    [ "$PASSIVE" = 1 ] && echo " neighbor $P passive"
    for f in $FAMILIES; do
      echo " address-family $(afname "$f")"
      echo "  neighbor $P activate"
      case $f in
        ipv4 | mcast4 | lu4 | vpn4) echo "  neighbor $P route-map NH4-OUT out" ;;
        ipv6 | mcast6 | lu6 | vpn6) echo "  neighbor $P route-map NH6-OUT out" ;;
      esac
      # FRR always offers to receive ADD-PATH; on unicast only (README.md)
      if [ "$f" = ipv4 ] || [ "$f" = ipv6 ]; then
        add_path_send && echo "  neighbor $P addpath-tx-all-paths"
        add_path_recv || echo "  neighbor $P disable-addpath-rx"
      fi
      echo " exit-address-family"
    done
  } > "$DIR/bgpd.conf"
  spawn "$BGPD" -f "$DIR/bgpd.conf" -i "$DIR/bgpd.pid" --vty_socket "$DIR" -Z -S \
    -l "$LOCAL_ADDR" -p "$LISTEN_PORT" -P 0
}
impl_ready() { VTY -c 'show bgp summary'; }

neighbor_json() {
  VTY -c "show bgp neighbors $PEER_ADDR json" | $PY -c '
import json, sys
n = json.load(sys.stdin).get(sys.argv[1], {})
print(n.get("bgpState", "Unknown") if sys.argv[2] == "state" else n.get("messageStats", {}).get("updatesRecv", 0))' "$PEER_ADDR" "$1"
}
impl_state() { neighbor_json state; }
impl_rx_updates() { neighbor_json updates; }

impl_count() {
  VTY -c "show bgp $(afname "$1") summary json" | $PY -c '
import json, sys
d = json.load(sys.stdin)
d = d.get(sys.argv[1], d)
print(d.get("peers", {}).get(sys.argv[2], {}).get("pfxRcd", 0))' "$(afkey "$1")" "$PEER_ADDR"
}

impl_dump() {
  local af
  af=$(afname "$1")
  case $1 in
    ipv4 | ipv6 | mcast4 | mcast6 | lu4 | lu6) VTY -c "show bgp $af json detail" ;;
    flow4 | flow6) VTY -c "show bgp $af detail json" ;;
    vpn4 | vpn6) # no 'json detail' for VPN in 8.4: list, then ask per prefix
      local rd pfx
      VTY -c "show bgp $af json" | $PY -c '
import json, sys
for rd, d in json.load(sys.stdin).get("routes", {}).get("routeDistinguishers", {}).items():
    for pfx, paths in d.items():
        if any(p.get("peerId") == sys.argv[1] for p in paths):
            print(rd, pfx)' "$PEER_ADDR" |
        while read -r rd pfx; do
          VTY -c "show bgp $af rd $rd $pfx json"
          echo =====
        done
      ;;
  esac | $PY "$PEERS_DIR/_norm.py" frr "$1" "$PEER_ADDR"
}

# without 'soft-reconfiguration inbound' FRR sends a ROUTE-REFRESH
impl_refresh() {
  if [ -n "$1" ]; then
    VTY -c "clear bgp $(afname "$1") $PEER_ADDR soft in"
  else
    VTY -c "clear bgp $PEER_ADDR soft in"
  fi
}

# ---- origination: 'network' statements, one route-map per route carrying attributes
N=0
net_cmds() {
  local fam=$1 nlri=$2 rm="" c
  case $fam in flow4 | flow6)
    log "FRR cannot originate FlowSpec ($nlri)"
    RC=4
    return 1
    ;;
  esac
  if [ "$OP" = add ]; then
    N=$((N + 1))
    rm="ANN-$$-$N"
    echo "route-map $rm permit 10"
    [ -n "${A[aspath]:-}" ] && echo " set as-path prepend ${A[aspath]//,/ }"
    [ -n "${A[origin]:-}" ] && echo " set origin ${A[origin]}"
    [ -n "${A[med]:-}" ] && echo " set metric ${A[med]}"
    [ -n "${A[lp]:-}" ] && echo " set local-preference ${A[lp]}"
    [ -n "${A[comm]:-}" ] && echo " set community ${A[comm]//,/ }"
    [ -n "${A[rt]:-}" ] && echo " set extcommunity rt ${A[rt]//,/ }"
    if [ -n "${A[nh]:-}" ]; then
      case $fam in ipv4 | mcast4 | lu4 | vpn4) echo " set ip next-hop ${A[nh]}" ;; *) echo " set ipv6 next-hop global ${A[nh]}" ;; esac
    fi
    echo "exit"
    rm=" route-map $rm"
  fi
  c="network $nlri"
  case $fam in vpn4 | vpn6) c="$c rd ${A[rd]} label ${A[label]:-0}" ;; esac
  [ "$OP" = del ] && c="no $c" && rm=""
  # labeled unicast shares the unicast table: FRR sends a unicast route to a labeled-unicast
  # peer with a label from zebra's label manager, or implicit null (3) without zebra (-Z here):
  # the route file's label= cannot be set
  case $fam in lu4) fam=ipv4 ;; lu6) fam=ipv6 ;; esac
  printf 'router bgp %s\n address-family %s\n  %s%s\n exit-address-family\nexit\n' "$LOCAL_AS" "$(afname "$fam")" "$c" "$rm"
}
apply() {
  local out
  RC=0
  each_route net_cmds "$1" > "$DIR/cmds" || return $RC
  out=$(VTY -f "$DIR/cmds" 2>&1)
  [ -z "$out" ] || {
    echo "$out" >&2
    return 1
  }
}
impl_announce() {
  OP=add
  apply "$1"
}
impl_withdraw() {
  OP=del
  apply "$1"
}

main "$@"
