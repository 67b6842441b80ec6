# tests/peers/_lib.sh -- common part of the real-peer launchers (sourced by bird.sh, gobgp.sh,
# frr.sh, openbgpd.sh, exabgp.sh and stop-all.sh).  Needs bash, coreutils, util-linux (setsid,
# setpriv), procps (pgrep) and /usr/bin/python3.
#
# Usage (every launcher X.sh):
#   X.sh start --dir D --local-addr A --local-as N --peer-addr B --peer-as M
#              --listen-port P --peer-port Q
#              [--passive] [--families ipv4,ipv6,...] [--router-id ID]
#              [--next-hop A4] [--next-hop6 A6] [--hold SECONDS] [--password MD5SECRET]
#              [--add-path send|receive|both] [--api-port N (gobgp only)] [--announce FILE]
#              [--as4 on|off] [--ext-message] [--graceful-restart SECONDS]
#              [--ext-next-hop] [--extra-conf FILE] (these five: bird only, see bird.sh)
#   X.sh state   --dir D                 prints Established (rc 0) or the FSM state (rc 1)
#   X.sh wait    --dir D [--timeout 60]  waits for Established
#   X.sh routes  --dir D [--family F] [--dump]
#                count of the routes received from the peer in family F (default ipv4);
#                with --dump one normalised line per route, sorted (format below)
#   X.sh wait-routes --dir D --count N [--family F] [--timeout 60]   waits for >= N routes
#   X.sh wait-dump   --dir D --expect FILE [--family F] [--timeout 60]
#                waits until 'routes --dump' equals FILE (sorted); prints the diff on timeout
#   X.sh announce --dir D FILE  |  X.sh withdraw --dir D FILE     originate / withdraw routes
#   X.sh refresh --dir D [--family F]   makes the daemon ask its peer for a ROUTE-REFRESH
#                                       (RFC 2918) of family F (default: every family)
#   X.sh rx-updates --dir D   a counter of updates received from the peer (grows on a refresh)
#   X.sh rss --dir D          "peak_kb current_kb" summed over the daemon's processes
#   X.sh pid --dir D          pid of the daemon (its process-group leader)
#   X.sh stop --dir D         TERM the process group, then KILL what is left of its session
#   X.sh stop-all --root R    stop every peer started in a directory under R (stop-all.sh too)
# Exit codes: 0 ok, 1 failed / timeout / not established, 2 usage error, 3 not running,
#             4 not supported by this implementation.
#
# Families: ipv4 ipv6 mcast4 mcast6 lu4 lu6 vpn4 vpn6 flow4 flow6 (see README.md for who supports
# what).
# Route file, one route per line, '#' comments:
#   ipv4   10.1.0.0/24 [nh=A] [aspath=65010,65011] [origin=igp|egp|incomplete] [med=N] [lp=N]
#                      [comm=65000:1,65000:2]                     (ipv6, mcast4, mcast6 alike)
#   vpn4   10.2.0.0/24 rd=65000:1 label=100 [rt=65000:1,...] [attributes as above]   (vpn6 alike)
#   lu4    10.5.0.0/24 label=100[,200...] [attributes as above]    (labeled unicast, lu6 alike)
#   flow4  dst=10.3.0.0/24,src=10.4.0.0/16,proto=6,dport=80,sport=1024
#          action=discard|rate=BYTES_PER_S|redirect=ASN:NN                         (flow6 alike)
# Dump lines: FAM NLRI [rd= label=] nh= aspath= origin= [med=] [comm=] [rt=]
#             (flow: FAM NLRI action=; lu: FAM NLRI label=100,200 nh= ..., the whole stack);
#             med only when non-zero, lp never (not sent on eBGP).
#
# Next hops: --next-hop (default --local-addr) goes on the IPv4 routes this peer sends,
# --next-hop6 (default fd00::<next-hop as 32 bits>) on IPv6 ones (IPv6 NLRI over an IPv4 session).
# GoBGP treats an IPv4 route with a 127/8 next hop as withdrawn and FRR resets the session on it:
# whatever sends to them needs a non-loopback next hop (e.g. 198.51.100.x).

set -u
umask 022 # the daemon may run as another user: it must read what we write
PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ME=$(basename "$0" .sh)
PY=/usr/bin/python3
ALL_FAMILIES="ipv4 ipv6 mcast4 mcast6 lu4 lu6 vpn4 vpn6 flow4 flow6 flowvpn4 flowvpn6 evpn vpls"

die() {
  echo "$ME: $1" >&2
  exit "${2:-1}"
}
log() { echo "$ME: $*" >&2; }

usage() { sed -n '1,/^$/s/^# \{0,1\}//p' "$PEERS_DIR/_lib.sh"; }

parse_args() {
  CMD=${1:-help}
  [ $# -gt 0 ] && shift
  case $CMD in -h | --help) CMD=help ;; esac
  DIR= ROOT= LOCAL_ADDR= LOCAL_AS= PEER_ADDR= PEER_AS= LISTEN_PORT= PEER_PORT= PASSIVE=0
  FAMILIES=ipv4 ROUTER_ID= NEXT_HOP= NEXT_HOP6= HOLD=90 PASSWORD= ADD_PATH= API_PORT=
  ANNOUNCE= FAMILY= DUMP=0 TIMEOUT=60 COUNT= EXPECT= ARGS=()
  AS4=on EXT_MESSAGE=0 GRACEFUL_RESTART= EXTRA_CONF= EXT_NEXT_HOP=0
  while [ $# -gt 0 ]; do
    case $1 in
      --passive) PASSIVE=1 ;;
      --dump) DUMP=1 ;;
      --ext-message) EXT_MESSAGE=1 ;;
      --ext-next-hop) EXT_NEXT_HOP=1 ;;
      -h | --help) CMD=help ;;
      --*)
        [ $# -ge 2 ] || die "option $1 needs a value" 2
        case $1 in
          --dir) DIR=$2 ;;
          --root) ROOT=$2 ;;
          --local-addr) LOCAL_ADDR=$2 ;;
          --local-as) LOCAL_AS=$2 ;;
          --peer-addr) PEER_ADDR=$2 ;;
          --peer-as) PEER_AS=$2 ;;
          --listen-port) LISTEN_PORT=$2 ;;
          --peer-port) PEER_PORT=$2 ;;
          --families) FAMILIES=$2 ;;
          --router-id) ROUTER_ID=$2 ;;
          --next-hop) NEXT_HOP=$2 ;;
          --next-hop6) NEXT_HOP6=$2 ;;
          --hold) HOLD=$2 ;;
          --password) PASSWORD=$2 ;;
          --add-path) ADD_PATH=$2 ;;
          --api-port) API_PORT=$2 ;;
          --announce) ANNOUNCE=$2 ;;
          --family) FAMILY=$2 ;;
          --timeout) TIMEOUT=$2 ;;
          --count) COUNT=$2 ;;
          --expect) EXPECT=$2 ;;
          --as4) AS4=$2 ;;
          --graceful-restart) GRACEFUL_RESTART=$2 ;;
          --extra-conf) EXTRA_CONF=$2 ;;
          *) die "unknown option $1" 2 ;;
        esac
        shift
        ;;
      *) ARGS+=("$1") ;;
    esac
    shift
  done
  if [ "$CMD" = help ]; then
    usage
    exit 0
  fi
  if [ "$CMD" = stop-all ]; then
    [ -n "$ROOT" ] || die "stop-all needs --root DIR" 2
    return
  fi
  [ -n "$DIR" ] || die "--dir is required" 2
  DIR=$(realpath -m "$DIR")
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
is_v4() { [[ $1 =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]]; }

# check the start options; fill the defaults that depend on other options
check_start_args() {
  local o f
  for o in LOCAL_ADDR LOCAL_AS PEER_ADDR PEER_AS LISTEN_PORT PEER_PORT; do
    [ -n "${!o}" ] || die "start needs --$(echo "$o" | tr 'A-Z_' 'a-z-')" 2
  done
  is_v4 "$LOCAL_ADDR" && is_v4 "$PEER_ADDR" || die "--local-addr/--peer-addr must be IPv4" 2
  for o in LOCAL_AS PEER_AS LISTEN_PORT PEER_PORT HOLD; do
    is_uint "${!o}" || die "--$(echo "$o" | tr 'A-Z_' 'a-z-') must be a number" 2
  done
  # RFC 4271 4.2: the hold time is zero or at least three seconds
  [ "$HOLD" -eq 0 ] || [ "$HOLD" -ge 3 ] || die "--hold must be 0 or >= 3" 2
  case $ADD_PATH in "" | send | receive | both) ;; *) die "--add-path: send, receive or both" 2 ;; esac
  case $AS4 in on | off) ;; *) die "--as4: on or off" 2 ;; esac
  [ -z "$GRACEFUL_RESTART" ] || is_uint "$GRACEFUL_RESTART" || die "--graceful-restart must be a number" 2
  [ -z "$EXTRA_CONF" ] || [ -r "$EXTRA_CONF" ] || die "cannot read --extra-conf $EXTRA_CONF" 2
  [[ $PASSWORD != *[\"\'\\\ ]* ]] || die "--password must not contain quotes, spaces or backslashes" 2
  : "${ROUTER_ID:=$LOCAL_ADDR}"
  : "${NEXT_HOP:=$LOCAL_ADDR}"
  is_v4 "$NEXT_HOP" || die "--next-hop must be IPv4" 2
  [ -n "$NEXT_HOP6" ] || NEXT_HOP6=$(v4_in_v6 "$NEXT_HOP")
  FAMILIES=${FAMILIES//,/ }
  for f in $FAMILIES; do
    [[ " $ALL_FAMILIES " == *" $f "* ]] || die "unknown family $f" 2
    [[ " $IMPL_FAMILIES " == *" $f "* ]] || die "$ME does not support family $f" 4
  done
}
v4_in_v6() {
  local IFS=.
  set -- $1
  printf 'fd00::%x:%x\n' $(($1 * 256 + $2)) $(($3 * 256 + $4))
}
has_family() { [[ " $FAMILIES " == *" $1 "* ]]; }
add_path_send() { [ "$ADD_PATH" = send ] || [ "$ADD_PATH" = both ]; }
add_path_recv() { [ "$ADD_PATH" = receive ] || [ "$ADD_PATH" = both ]; }

PARAMS="LOCAL_ADDR LOCAL_AS PEER_ADDR PEER_AS LISTEN_PORT PEER_PORT PASSIVE FAMILIES ROUTER_ID
        NEXT_HOP NEXT_HOP6 HOLD PASSWORD ADD_PATH API_PORT RUN_USER AS4 EXT_MESSAGE GRACEFUL_RESTART
        EXTRA_CONF EXT_NEXT_HOP"
save_params() {
  local v
  {
    printf 'IMPL=%q\n' "$ME"
    for v in $PARAMS; do printf '%s=%q\n' "$v" "${!v}"; done
  } > "$DIR/peer.params"
}
load_params() {
  [ -f "$DIR/peer.params" ] || die "no peer in $DIR (not started?)" 3
  local fam=$FAMILY
  source "$DIR/peer.params"
  FAMILY=$fam
}

# ---- process handling.  The daemon is started with setsid, so its pid is also its process group
# and session id; 'pid' holds "PID STARTTIME" (field 22 of /proc/PID/stat) so that a recycled pid
# is never mistaken for the daemon.
proc_starttime() {
  local s
  s=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
  s=${s##*) } # the command name may hold spaces and parentheses
  set -- $s   # now $1 is field 3 (state)
  [ "$1" != Z ] || return 1
  echo "${20}"
}
daemon_pid() {
  local p t
  read -r p t 2> /dev/null < "$DIR/pid" || return 1
  [ "$(proc_starttime "$p")" = "$t" ] || return 1
  echo "$p"
}
running() { daemon_pid > /dev/null; }
need_running() { running || die "daemon in $DIR is not running (see $DIR/daemon.log)" 3; }

# The user the daemon runs as: the caller itself, or, when the caller is root, the
# implementation's unprivileged user ($1) if it can reach and write $DIR (a private parent
# directory can prevent it; the daemon then runs as root, with a warning).
pick_user() {
  RUN_USER=
  [ "$(id -u)" -eq 0 ] || return 0
  [ "$1" != root ] || return 0
  id -u "$1" > /dev/null 2>&1 || {
    log "no user $1: running as root"
    return 0
  }
  chown -R "$1:$(id -gn "$1")" "$DIR" || return 1
  if as_user_of "$1" test -w "$DIR" -a -x "$DIR" -a -r "$PEERS_DIR/_lib.sh"; then
    RUN_USER=$1
  else
    log "user $1 cannot use $DIR or $PEERS_DIR: running as root"
  fi
}
as_user_of() {
  local u=$1
  shift
  setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups -- "$@"
}

# run "$@" in its own session, as RUN_USER, output to $DIR/daemon.log
spawn() {
  local pre=() p
  [ -z "$RUN_USER" ] || pre=(setpriv --reuid="$RUN_USER" --regid="$(id -g "$RUN_USER")" --clear-groups --)
  # in a non-interactive shell a background job is not a group leader, so setsid does not fork
  setsid "${pre[@]}" "$@" >> "$DIR/daemon.log" 2>&1 < /dev/null &
  p=$!
  sleep 0.05
  echo "$p $(proc_starttime "$p")" > "$DIR/pid"
  running || return 1
}

# poll "$@" every 0.1 s for up to $1 seconds
wait_for() {
  local t=$1 end
  shift
  end=$(($(date +%s%N) + t * 1000000000))
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.1
  done
}

# the daemon's session: setsid made its pid the session id; ExaBGP puts its helpers in process
# groups of their own, but they stay in the session
session_pids() { pgrep -s "$1"; }
session_alive() { pgrep -s "$1" > /dev/null; }
stop_daemon() {
  local p q
  if p=$(daemon_pid); then
    kill -TERM -- "-$p" 2> /dev/null
    wait_for 10 eval '! running' || log "pid $p ignored TERM for 10 s: KILL"
    for q in $(session_pids "$p"); do kill -KILL "$q" 2> /dev/null; done
    wait_for 5 eval "! session_alive $p" || log "processes of session $p still alive"
  fi
  rm -f "$DIR/pid"
  echo stopped
}

stop_all() {
  [ -d "$ROOT" ] || return 0
  local f
  while IFS= read -r -d '' f; do
    DIR=$(dirname "$f")
    if [ -f "$DIR/pid" ]; then
      printf '%s: ' "$DIR"
      stop_daemon
    fi
  done < <(find "$ROOT" -name peer.params -print0)
}

# "peak_kb current_kb" summed over the daemon's session
rss() {
  local p pk=0 cur=0 q h r
  p=$(daemon_pid) || die "not running" 3
  for q in $(session_pids "$p"); do
    h=$(awk '/^VmHWM/{print $2}' "/proc/$q/status" 2> /dev/null)
    r=$(awk '/^VmRSS/{print $2}' "/proc/$q/status" 2> /dev/null)
    pk=$((pk + ${h:-0}))
    cur=$((cur + ${r:-0}))
  done
  echo "$pk $cur"
}

# every family used in route file $1 must be configured
check_route_file() {
  local f
  [ -r "$1" ] || die "cannot read $1" 2
  for f in $(awk '!/^[ \t]*(#|$)/ { print $1 }' "$1" | sort -u); do
    has_family "$f" || die "family $f (in $1) not configured" 2
  done
}
# iterate over a route file: calls "$1" FAM NLRI with the associative array A filled with key=val
declare -A A
each_route() {
  local cb=$1 file=$2 fam nlri rest kv
  while read -r fam nlri rest; do
    [[ -z $fam || $fam == \#* ]] && continue
    A=()
    for kv in $rest; do A[${kv%%=*}]=${kv#*=}; done
    "$cb" "$fam" "$nlri" || return
  done < "$file"
}
# flow components "dst=..,src=..,proto=6" -> associative array F
declare -A F
parse_flow() {
  local kv IFS=,
  F=()
  for kv in $1; do F[${kv%%=*}]=${kv#*=}; done
}

dump_sorted() { impl_dump "$FAMILY" | LC_ALL=C sort; }
dump_matches() { dump_sorted | cmp -s - <(grep -v '^[[:space:]]*\(#\|$\)' "$EXPECT" | LC_ALL=C sort); }
is_established() { [ "$(impl_state)" = Established ]; }
count_at_least() {
  local c
  c=$(impl_count "$FAMILY") && [ "${c:-0}" -ge "$COUNT" ]
}

main() {
  parse_args "$@"
  case $CMD in
    start)
      [ -z "$ANNOUNCE" ] || [ -r "$ANNOUNCE" ] || die "cannot read $ANNOUNCE" 2
      [ -n "$ANNOUNCE" ] && ANNOUNCE=$(realpath "$ANNOUNCE")
      check_start_args
      mkdir -p "$DIR" || die "cannot create $DIR"
      [ ! -f "$DIR/pid" ] || ! running || die "already running in $DIR (pid $(daemon_pid))"
      rm -f "$DIR/daemon.log" "$DIR/pid"
      [ -z "$ANNOUNCE" ] || check_route_file "$ANNOUNCE"
      pick_user "$IMPL_USER" || die "cannot chown $DIR"
      save_params
      if ! impl_start; then
        stop_daemon > /dev/null
        die "start failed; see $DIR/daemon.log"
      fi
      if ! wait_for 20 impl_ready; then
        tail -20 "$DIR/daemon.log" >&2
        stop_daemon > /dev/null
        die "daemon did not come up"
      fi
      if [ -n "$ANNOUNCE" ] && ! impl_announce "$ANNOUNCE"; then
        stop_daemon > /dev/null
        die "announce failed"
      fi
      echo "started pid $(daemon_pid)"
      ;;
    stop)
      [ -f "$DIR/peer.params" ] || {
        echo "not running"
        exit 0
      }
      stop_daemon
      ;;
    stop-all) stop_all ;;
    state)
      load_params
      need_running
      local s
      s=$(impl_state)
      echo "${s:-Unknown}"
      [ "$s" = Established ]
      ;;
    wait)
      load_params
      need_running
      wait_for "$TIMEOUT" is_established || {
        impl_state
        exit 1
      }
      echo Established
      ;;
    routes | wait-routes | wait-dump)
      load_params
      need_running
      : "${FAMILY:=ipv4}"
      has_family "$FAMILY" || die "family $FAMILY not configured" 2
      case $CMD in
        routes) if [ "$DUMP" = 1 ]; then dump_sorted; else impl_count "$FAMILY"; fi ;;
        wait-routes)
          is_uint "$COUNT" || die "--count N required" 2
          wait_for "$TIMEOUT" count_at_least || {
            impl_count "$FAMILY"
            exit 1
          }
          impl_count "$FAMILY"
          ;;
        wait-dump)
          [ -r "$EXPECT" ] || die "--expect FILE required" 2
          wait_for "$TIMEOUT" dump_matches || {
            diff <(grep -v '^[[:space:]]*\(#\|$\)' "$EXPECT" | LC_ALL=C sort) <(dump_sorted)
            exit 1
          }
          ;;
      esac
      ;;
    announce | withdraw)
      load_params
      need_running
      [ ${#ARGS[@]} -eq 1 ] || die "usage: $ME.sh $CMD --dir D FILE" 2
      check_route_file "${ARGS[0]}"
      "impl_$CMD" "$(realpath "${ARGS[0]}")"
      ;;
    refresh)
      load_params
      need_running
      [ -z "$FAMILY" ] || has_family "$FAMILY" || die "family $FAMILY not configured" 2
      impl_refresh "$FAMILY"
      ;;
    rx-updates)
      load_params
      need_running
      impl_rx_updates
      ;;
    rss)
      load_params
      need_running
      rss
      ;;
    pid)
      load_params
      need_running
      daemon_pid
      ;;
    *) die "unknown command $CMD (see $ME.sh --help)" 2 ;;
  esac
}
