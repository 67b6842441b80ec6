#!/usr/bin/env bash
# tests/peers/bird.sh -- BIRD 2 as a BGP test peer.  Usage: see _lib.sh (bird.sh --help).
# Runs as user bird (or the caller when not root).  Originated routes are static routes in
# $DIR/static-FAM.conf, regenerated from $DIR/announced and applied with 'birdc configure'.
# Session knobs: --as4 off (RFC 6793: a 2-octet-only speaker), --ext-message (RFC 8654),
# --graceful-restart SECONDS (RFC 4724), --ext-next-hop (RFC 8950: the IPv4 channels take and
# send IPv6 next hops, e.g. nh=2001:db8::2 on an ipv4 route), --extra-conf FILE (BIRD
# configuration included at the top level, e.g. a second static protocol so that ADD-PATH has
# two paths to send).
source "$(dirname "$0")/_lib.sh"
IMPL_FAMILIES="ipv4 ipv6 mcast4 mcast6 lu4 lu6 vpn4 vpn6 flow4 flow6"
IMPL_USER=bird

BIRDC() { birdc -s "$DIR/bird.ctl" "$@"; }
# master4/master6 hold unicast; every other family has its own table
table() { case $1 in ipv4) echo master4 ;; ipv6) echo master6 ;; *) echo "t_$1" ;; esac }
tabledecl() {
  case $1 in
    ipv4 | ipv6) ;;
    mcast4) echo "ipv4 table t_mcast4;" ;;
    mcast6) echo "ipv6 table t_mcast6;" ;;
    lu4) echo "ipv4 table t_lu4;" ;; lu6) echo "ipv6 table t_lu6;" ;;
    *) echo "$1 table t_$1;" ;;
  esac
}
# channel type in the configuration, and its name in 'show protocols all'
channel() { case $1 in vpn4 | vpn6) echo "$1 mpls" ;; lu4) echo "ipv4 mpls" ;; lu6) echo "ipv6 mpls" ;; mcast4) echo "ipv4 multicast" ;; mcast6) echo "ipv6 multicast" ;; *) echo "$1" ;; esac }
chname() { case $1 in vpn4 | vpn6) echo "$1-mpls" ;; lu4) echo "ipv4-mpls" ;; lu6) echo "ipv6-mpls" ;; mcast4) echo "ipv4-mc" ;; mcast6) echo "ipv6-mc" ;; *) echo "$1" ;; esac }
stype() { case $1 in mcast4 | lu4) echo ipv4 ;; mcast6 | lu6) echo ipv6 ;; *) echo "$1" ;; esac }
tblopt() { case $1 in ipv4 | ipv6) ;; *) echo "table t_$1;" ;; esac }

impl_start() {
  local f c
  {
    echo "router id $ROUTER_ID;"
    echo "log \"$DIR/bird.log\" { info, remote, warning, error, auth, fatal, bug };"
    echo "protocol device { scan time 60; }"
    [ -z "$EXTRA_CONF" ] || echo "include \"$(realpath "$EXTRA_CONF")\";"
    for f in $FAMILIES; do
      tabledecl "$f"
      : > "$DIR/static-$f.conf"
      printf 'protocol static st_%s {\n  %s { %s };\n  include "%s";\n}\n' \
        "$f" "$(stype "$f")" "$(tblopt "$f")" "$DIR/static-$f.conf"
    done
    # export only what we originate; a MED set on a static route reaches an eBGP peer only
    # if the export filter (re)sets it
    echo "filter export_static { if source != RTS_STATIC then reject;"
    echo "  if defined(bgp_med) then bgp_med = bgp_med; accept; }"
    echo "protocol bgp peer {"
    echo "  local $LOCAL_ADDR port $LISTEN_PORT as $LOCAL_AS;"
    echo "  neighbor $PEER_ADDR port $PEER_PORT as $PEER_AS;"
    echo "  strict bind yes;" # listen on local-addr only: other daemons use the same port
    echo "  multihop;"        # BIRD refuses a 127/8 neighbour as directly connected
    [ "$PASSIVE" = 1 ] && echo "  passive on;"
    [ -n "$PASSWORD" ] && echo "  password \"$PASSWORD\";"
    echo "  hold time $HOLD; connect delay time 1; connect retry time 3; error wait time 1, 10;"
    [ "$AS4" = off ] && echo "  enable as4 off;"
    [ "$EXT_MESSAGE" = 1 ] && echo "  enable extended messages on;"
    [ -n "$GRACEFUL_RESTART" ] && echo "  graceful restart on; graceful restart time $GRACEFUL_RESTART;"
    for f in $FAMILIES; do
      c="$(tblopt "$f") import all; export filter export_static;"
      case $f in
        ipv4 | mcast4 | lu4 | vpn4) c="$c next hop keep; next hop address $NEXT_HOP;"
          [ "$EXT_NEXT_HOP" = 1 ] && c="$c extended next hop on;" ;;
        ipv6 | mcast6 | lu6 | vpn6) c="$c next hop keep; next hop address $NEXT_HOP6;" ;;
      esac
      if [ "$f" = ipv4 ] || [ "$f" = ipv6 ]; then # see README.md: ADD-PATH on unicast only
        case $ADD_PATH in send) c="$c add paths tx;" ;; receive) c="$c add paths rx;" ;; both) c="$c add paths on;" ;; esac
      fi
      echo "  $(channel "$f") { $c };"
    done
    echo "}"
  } > "$DIR/bird.conf"
  : > "$DIR/announced"
  bird -p -c "$DIR/bird.conf" >> "$DIR/daemon.log" 2>&1 || return 1
  spawn bird -f -c "$DIR/bird.conf" -s "$DIR/bird.ctl" -P "$DIR/bird.pid"
}
impl_ready() { BIRDC show status | grep -q 'Daemon is up'; }

impl_state() {
  BIRDC show protocols peer | awk '$1 == "peer" { print ($6 == "Established") ? "Established" : ($6 ? $6 : $4) }'
}

impl_count() {
  BIRDC show protocols all peer | awk -v ch="$(chname "$1")" '
    $1 == "Channel" { cur = $2 } cur == ch && $1 == "Routes:" { print $2; found = 1; exit }
    END { if (!found) print 0 }'
}

impl_dump() {
  BIRDC show route table "$(table "$1")" protocol peer all | $PY "$PEERS_DIR/_norm.py" bird "$1" "$PEER_ADDR"
}

# BIRD has no per-family refresh here: every channel is reloaded
impl_refresh() { BIRDC reload in peer | grep -q 'reload' || return 1; }
impl_rx_updates() {
  BIRDC show protocols all peer | awk '$1 == "Import" && $2 == "updates:" { n += $3 } END { print n + 0 }'
}

# ---- origination: $DIR/announced (the routes announced so far) -> static-FAM.conf, reconfigure
regen_and_configure() {
  local f
  $PY "$PEERS_DIR/_routes.py" bird "$DIR" "$FAMILIES" "$NEXT_HOP" "$NEXT_HOP6" < "$DIR/announced" || return 2
  for f in $FAMILIES; do mv "$DIR/static-$f.conf.new" "$DIR/static-$f.conf"; done
  BIRDC configure | grep -q 'Reconfigured\|Reconfiguration in progress' || {
    BIRDC configure >&2
    return 1
  }
}
# the lines of route file $2 whose key (family, nlri, rd) is not in route file $1
without_routes() {
  awk 'function key(  k, i) { k = $1 " " $2; for (i = 3; i <= NF; i++) if ($i ~ /^rd=/) k = k " " $i; return k }
       /^[ \t]*(#|$)/ { next }  FILENAME == ARGV[1] { drop[key()] = 1; next }  !(key() in drop)' "$1" "$2"
}
impl_announce() {
  # a route announced again replaces the previous version (BIRD rejects duplicate statics)
  without_routes "$1" "$DIR/announced" > "$DIR/announced.new"
  grep -v '^[[:space:]]*\(#\|$\)' "$1" >> "$DIR/announced.new"
  mv "$DIR/announced.new" "$DIR/announced"
  regen_and_configure
}
impl_withdraw() {
  without_routes "$1" "$DIR/announced" > "$DIR/announced.new"
  mv "$DIR/announced.new" "$DIR/announced"
  regen_and_configure
}

main "$@"
