#!/usr/bin/env bash
# tests/peers/exabgp.sh -- ExaBGP 4.2 as a BGP test peer.  Usage: see _lib.sh (exabgp.sh --help).
# Runs as user exabgp (or the caller when not root).  Two API processes: _exabgp_feed.py
# follows $DIR/commands (announce, withdraw and refresh append ExaBGP text API lines there);
# _exabgp_recv.py turns ExaBGP's JSON into $DIR/exa-{state,count,rib,updates}.
# ExaBGP 4.2 cannot originate multicast through its API: mcast4/mcast6 are receive only.
source "$(dirname "$0")/_lib.sh"
IMPL_FAMILIES="ipv4 ipv6 mcast4 mcast6 lu4 lu6 vpn4 vpn6 flow4 flow6 evpn vpls"
IMPL_USER=exabgp

efam() {
  case $1 in
    ipv4) echo "ipv4 unicast" ;; ipv6) echo "ipv6 unicast" ;;
    mcast4) echo "ipv4 multicast" ;; mcast6) echo "ipv6 multicast" ;;
    flow4) echo "ipv4 flow" ;; flow6) echo "ipv6 flow" ;;
    vpn4) echo "ipv4 mpls-vpn" ;; vpn6) echo "ipv6 mpls-vpn" ;;
    lu4) echo "ipv4 nlri-mpls" ;; lu6) echo "ipv6 nlri-mpls" ;;
    evpn) echo "l2vpn evpn" ;; vpls) echo "l2vpn vpls" ;;
  esac
}

impl_start() {
  local f ap
  : > "$DIR/commands"
  case $ADD_PATH in send) ap=send ;; receive) ap=receive ;; both) ap=send/receive ;; esac
  {
    echo "process feed { run $PY $PEERS_DIR/_exabgp_feed.py $DIR/commands; encoder text; }"
    echo "process recv { run $PY $PEERS_DIR/_exabgp_recv.py $DIR; encoder json; }"
    echo "neighbor $PEER_ADDR {"
    echo "  router-id $ROUTER_ID;"
    echo "  local-address $LOCAL_ADDR;"
    echo "  local-as $LOCAL_AS;"
    echo "  peer-as $PEER_AS;"
    echo "  hold-time $HOLD;"
    echo "  connect $PEER_PORT;"
    [ "$PASSIVE" = 1 ] && echo "  passive true;"
    [ -n "$PASSWORD" ] && echo "  md5-password $PASSWORD;"
    echo "  capability {"
    echo "    route-refresh;"
    [ -n "$ADD_PATH" ] && echo "    add-path $ap;"
    echo "  }"
    echo "  family {"
    for f in $FAMILIES; do echo "    $(efam "$f");"; done
    echo "  }"
    if [ -n "$ADD_PATH" ]; then # on unicast only (README.md)
      echo "  add-path {"
      has_family ipv4 && echo "    ipv4 unicast;"
      has_family ipv6 && echo "    ipv6 unicast;"
      echo "  }"
    fi
    echo "  api feed { processes [ feed ]; }"
    echo "  api recv { processes [ recv ]; neighbor-changes; receive { parsed; update; } }"
    echo "}"
  } > "$DIR/exabgp.conf"
  # These override /etc/exabgp/exabgp.env.  tcp.bind/port: listen on local-addr:listen-port
  # (also when active: a collision is resolved by BGP).  api.ack=false: the feeder never
  # reads ExaBGP's acks.  No privilege drop: we start it unprivileged already.
  EXA_ENV=(exabgp.daemon.user="$(id -un "${RUN_USER:-$(id -u)}")" exabgp.daemon.drop=false
    exabgp.daemon.daemonize=false exabgp.api.ack=false exabgp.api.cli=false
    exabgp.tcp.bind="$LOCAL_ADDR" exabgp.tcp.port="$LISTEN_PORT"
    exabgp.log.destination=stdout exabgp.log.level=INFO)
  env "${EXA_ENV[@]}" exabgp --test "$DIR/exabgp.conf" >> "$DIR/daemon.log" 2>&1 || return 1
  spawn env "${EXA_ENV[@]}" exabgp "$DIR/exabgp.conf"
}
impl_ready() { [ -s "$DIR/exa-state" ]; }
impl_state() { cat "$DIR/exa-state"; }
impl_count() { awk -v f="$1" '$1 == f { print $2 }' "$DIR/exa-count"; }
impl_rx_updates() { cat "$DIR/exa-updates"; }
# the receiver publishes exa-rib when its input has been idle for 0.2 s
impl_dump() {
  sleep 0.3
  grep "^$1 " "$DIR/exa-rib" || true
}

# RFC 2918 ROUTE-REFRESH through the API
impl_refresh() {
  local f
  for f in ${1:-$FAMILIES}; do echo "announce route-refresh $(efam "$f")" >> "$DIR/commands"; done
}

# ---- origination: route file -> ExaBGP text API commands, appended to the file the feeder follows
api() { $PY "$PEERS_DIR/_routes.py" exabgp "$1" "$NEXT_HOP" "$NEXT_HOP6" "$LOCAL_AS" "$PEER_AS" < "$2" >> "$DIR/commands"; }
impl_announce() { api announce "$1"; }
impl_withdraw() { api withdraw "$1"; }

main "$@"
