# tests/interop/lib.sh -- shared part of the interop tests (sourced by interop_X.sh).
#
# Each test runs bgpbus-speaker against one real BGP implementation on loopback, started with
# tests/peers/X.sh, and prints one `ok - ...`, `not ok - ... (details)` or `ok - ... # SKIP why`
# line per check, then `N passed, M failed, K skipped`; it exits 1 on any failure.
#
#   it_init NAME INDEX        work dir $W, addresses 127.(60+INDEX).R.{1,2,3}, ports from $$,
#                             a trap that stops everything started here
#   it_neighbor ADDR PEER_AS PEER_PORT [HOLD] [FAMILIES] [LOCAL_AS]   a speaker neighbor block
#                             ($IT_CAPS: more capability statements, e.g. "graceful-restart 60;")
#   it_speaker_start CONF     the speaker (ASan build) with its bus in $W/run, waits for ping
#   it_watch_start            `bbclient watch` on every event, into $W/watch.log
#   it_peer IMPL start|...    tests/peers/IMPL.sh with --dir $W/IMPL (after `start`: its args)
#   it_check NAME CMD...      runs CMD; ok / not ok with its output as the details
#   it_skip NAME WHY          a check the daemon cannot do (known limitation), never a pass
#   it_finish                 summary, logs on failure, exit status
#
# The speaker's view of a peer's routes (its "Adj-RIB-In" as the events tell it) is rebuilt
# from the watch log: an announce sets a route, a withdraw or the session going down removes it.
set -u
IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${BGPBUS_SOURCE:=$(cd "$IT_DIR/../.." && pwd)}"
: "${BGPBUS_BUILD:?BGPBUS_BUILD must name the build directory}"
: "${BGPBUS_TEST_DIR:=${TMPDIR:-/tmp}/bgpbus-interop}"
PEERS=$BGPBUS_SOURCE/tests/peers
SPEAKER_BIN=$BGPBUS_BUILD/bin/bgpbus-speaker
BB_BIN=$BGPBUS_BUILD/tests/bbclient
PY=/usr/bin/python3
# ASan reports leaks and errors on stderr; a finding must fail the test, not scroll by
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=0}

IT_PASS=0 IT_FAIL=0 IT_SKIP=0
IT_SPEAKER_PID='' IT_WATCH_PID='' IT_START=$(date +%s)

it_log() { echo "# $*"; }

# ---- setup ----------------------------------------------------------------------------------

it_init() { # NAME INDEX
  IT_NAME=$1
  local idx=$2 r
  W=$BGPBUS_TEST_DIR/$IT_NAME.$$
  rm -rf "$W"
  mkdir -p "$W/run" || exit 1
  # the daemons run as their own users (bird, nobody, frr, exabgp) and must reach $W
  chmod 755 "$BGPBUS_TEST_DIR" "$W"
  r=$(($$ % 250 + 1))
  ADDR_S=127.$((60 + idx)).$r.1  # the speaker
  ADDR_P=127.$((60 + idx)).$r.2  # the peer
  ADDR_P2=127.$((60 + idx)).$r.3 # a second peer (iBGP)
  # ports unique to this run; listeners bind their own address, so tests cannot collide
  PORT_S=$((20000 + ($$ % 1000) * 10 + idx))
  PORT_P=$((PORT_S + 5))
  PORT_P2=$((PORT_S + 7))
  export BGPBUS_RUNTIME_DIR=$W/run
  trap it_cleanup EXIT
  trap 'exit 130' INT TERM
  it_log "$IT_NAME: work directory $W, speaker $ADDR_S:$PORT_S, peer $ADDR_P:$PORT_P"
}

it_cleanup() {
  local rc=$?
  if [ -z "${IT_FINISHED:-}" ]; then
    echo "not ok - $IT_NAME stopped before its end (status $rc)"
    rc=1
  fi
  it_watch_stop
  it_speaker_stop
  "$PEERS/stop-all.sh" --root "$W" > /dev/null 2>&1
  exit $rc
}

# A neighbor block in the speaker's ExaBGP configuration (printed on stdout).
it_neighbor() { # ADDR PEER_AS PEER_PORT [HOLD] [FAMILIES] [LOCAL_AS]
  local addr=$1 pas=$2 port=$3 hold=${4:-9} fams=${5:-ipv4,ipv6} las=${6:-65000} f
  echo "neighbor $addr {"
  echo "  router-id $ADDR_S;"
  echo "  local-address $ADDR_S;"
  echo "  local-as $las;"
  echo "  peer-as $pas;"
  echo "  hold-time $hold;"
  echo "  listen $PORT_S;"
  echo "  connect $port;"
  echo "  capability { route-refresh; ${IT_CAPS:-} }"
  echo "  family {"
  for f in ${fams//,/ }; do
    case $f in
      ipv4) echo "    ipv4 unicast;" ;; ipv6) echo "    ipv6 unicast;" ;;
      mcast4) echo "    ipv4 multicast;" ;; mcast6) echo "    ipv6 multicast;" ;;
      flow4) echo "    ipv4 flow;" ;; flow6) echo "    ipv6 flow;" ;;
      flowvpn4) echo "    ipv4 flow-vpn;" ;; flowvpn6) echo "    ipv6 flow-vpn;" ;;
      vpn4) echo "    ipv4 mpls-vpn;" ;; vpn6) echo "    ipv6 mpls-vpn;" ;;
      lu4) echo "    ipv4 nlri-mpls;" ;; lu6) echo "    ipv6 nlri-mpls;" ;;
      evpn) echo "    l2vpn evpn;" ;; vpls) echo "    l2vpn vpls;" ;;
    esac
  done
  echo "  }"
  echo "}"
}

it_speaker_start() { # CONF
  IT_CONF=$1
  setsid "$SPEAKER_BIN" --config "$IT_CONF" --log-level debug >> "$W/speaker.log" 2>&1 < /dev/null &
  IT_SPEAKER_PID=$!
  it_wait 15 bb ping || {
    it_log "the speaker did not answer a ping"
    tail -20 "$W/speaker.log"
    exit 1
  }
}

# TERM, then KILL after 10 s; a non-zero exit (ASan finding: 23) is a failure
it_speaker_stop() {
  [ -n "$IT_SPEAKER_PID" ] || return 0
  local p=$IT_SPEAKER_PID rc
  IT_SPEAKER_PID=
  kill -TERM "$p" 2> /dev/null
  it_wait 10 eval "! kill -0 $p" || kill -KILL "$p" 2> /dev/null
  wait "$p" 2> /dev/null
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 143 ]; then
    echo "not ok - speaker exited with status $rc (see $W/speaker.log)"
    grep -A30 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$W/speaker.log" | head -60
    IT_FAIL=$((IT_FAIL + 1))
  fi
}

bb() { "$BB_BIN" --timeout 10000 "$@"; }

# ---- events ---------------------------------------------------------------------------------

it_watch_start() {
  : > "$W/watch.log"
  "$BB_BIN" watch --topic ev/ >> "$W/watch.log" 2> "$W/watch.err" &
  IT_WATCH_PID=$!
  it_wait 10 grep -qx ready "$W/watch.log" || {
    it_log "bbclient watch did not subscribe"
    exit 1
  }
}
it_watch_stop() {
  [ -n "$IT_WATCH_PID" ] || return 0
  kill "$IT_WATCH_PID" 2> /dev/null
  wait "$IT_WATCH_PID" 2> /dev/null
  IT_WATCH_PID=
}
# the current end of the watch log (a line count), to look only at what comes after it
it_mark() { wc -l < "$W/watch.log"; }
# lines after MARK matching the extended regular expression RE
it_events_after() { tail -n +"$(($1 + 1))" "$W/watch.log" | grep -E -- "$2"; }
# wait until a line after MARK matches RE
it_wait_event() { # MARK RE [TIMEOUT]
  it_wait "${3:-20}" it_events_after "$1" "$2" || {
    echo "no event matching '$2' within ${3:-20} s; the last ones:"
    tail -n +"$(($1 + 1))" "$W/watch.log" | tail -8
    return 1
  }
}

# The routes of PEER in family FAM as the speaker's events tell them, in the dump format of
# tests/peers (communities sorted), sorted.
it_rib_in() { # PEER FAM
  awk -v peer="$1" -v fam="$2" '
    $1 == "state" && $2 == peer && $3 == "down" { split("", rib) }
    $1 == "update" && $2 == peer && $4 == fam {
      if ($3 == "withdraw") { delete rib[$5]; next }
      line = $4
      for (i = 5; i <= NF; i++) line = line " " $i
      rib[$5] = line
    }
    END { for (k in rib) print rib[k] }' "$W/watch.log" | it_sort_comm | LC_ALL=C sort
}
it_sort_comm() {
  $PY -c '
import sys
for ln in sys.stdin:
    out = []
    for w in ln.split():
        if w.startswith("comm="):
            w = "comm=" + ",".join(sorted(w[5:].split(","), key=lambda c: [int(x) for x in c.split(":")]))
        out.append(w)
    print(" ".join(out))'
}
it_rib_in_is() { # PEER FAM FILE
  it_rib_in "$1" "$2" | cmp -s - <(LC_ALL=C sort "$3")
}
it_wait_rib_in() { # PEER FAM FILE [TIMEOUT]
  it_wait "${4:-20}" it_rib_in_is "$1" "$2" "$3" || {
    echo "the speaker's events for $1 $2 do not match (< expected, > events):"
    diff <(LC_ALL=C sort "$3") <(it_rib_in "$1" "$2")
    return 1
  }
}

# ---- routes ---------------------------------------------------------------------------------
# Route files use the tests/peers format, one route a line:
#   FAM PREFIX [nh=A] [aspath=1,2] [origin=igp|egp|incomplete] [med=N] [lp=N] [comm=a:b,c:d]

# announce (or withdraw) every route of FILE through the bus, one request per line, to every
# neighbor or to NEIGHBOR only
it_bb_routes() { # announce|withdraw FILE [NEIGHBOR]
  local op=$1 fam pfx rest kv args
  while read -r fam pfx rest; do
    [[ -z $fam || $fam == \#* ]] && continue
    args=()
    [ -z "${3:-}" ] || args+=(--neighbor "$3")
    [[ $fam == mcast* ]] && args+=(--multicast)
    if [ "$op" = announce ]; then
      for kv in $rest; do
        case $kv in
          nh=*) args+=(--nh "${kv#nh=}") ;; aspath=*) args+=(--aspath "${kv#aspath=}") ;;
          origin=*) args+=(--origin "${kv#origin=}") ;; med=*) args+=(--med "${kv#med=}") ;;
          lp=*) args+=(--lp "${kv#lp=}") ;; comm=*) args+=(--comm "${kv#comm=}") ;;
        esac
      done
    fi
    bb "$op" "${args[@]}" "$pfx" || return 1
  done < "$2"
}

# FILE (stdin) -> the dump lines a receiver shows for family FAM:
#   it_expect FAM [--prepend AS] [--default-path P] [--nh A] [--nh6 A] [--lp]
# --prepend: the sender's AS goes in front of the path (a peer's eBGP routes); --default-path:
# the path of a line without aspath= (the speaker writes [local-as] on eBGP, ExaBGP does);
# --nh/--nh6: the next hop when the line has none; --lp: show lp= (iBGP events; default 100).
it_expect() {
  $PY -c '
import sys
fam, args = sys.argv[1], sys.argv[2:]
opt = {"--prepend": "", "--nh": "", "--nh6": "", "--default-path": "", "--lp": None}
i = 0
while i < len(args):
    if args[i] == "--lp":
        opt["--lp"] = True; i += 1
    else:
        opt[args[i]] = args[i + 1]; i += 2
for ln in sys.stdin:
    t = ln.split()
    if not t or t[0].startswith("#") or t[0] != fam:
        continue
    a = dict(kv.split("=", 1) for kv in t[2:])
    v6 = fam.endswith("6")
    nh = a.get("nh") or (opt["--nh6"] if v6 else opt["--nh"])
    path = ",".join(x for x in [opt["--prepend"], a.get("aspath", opt["--default-path"])] if x)
    out = [fam, t[1], "nh=" + nh, "aspath=" + path, "origin=" + a.get("origin", "igp")]
    if int(a.get("med", "0")):
        out.append("med=" + a["med"])
    if opt["--lp"]:
        out.append("lp=" + a.get("lp", "100"))
    if "comm" in a:
        out.append("comm=" + ",".join(sorted(a["comm"].split(","), key=lambda c: [int(x) for x in c.split(":")])))
    print(" ".join(out))' "$@" | LC_ALL=C sort
}

# ---- peers ----------------------------------------------------------------------------------

# it_peer IMPL CMD [ARGS...]: tests/peers/IMPL.sh CMD --dir $W/IMPL ARGS...
it_peer() {
  local impl=$1 cmd=$2
  shift 2
  "$PEERS/$impl.sh" "$cmd" --dir "$W/${IT_PEER_DIR:-$impl}" "$@"
}

# the peer's counter of received updates grows within TIMEOUT seconds after CMD
it_rx_grows() { # IMPL BEFORE [TIMEOUT]
  local n
  it_wait "${3:-15}" eval "[ \"\$(it_peer $1 rx-updates)\" -gt $2 ]" || {
    n=$(it_peer "$1" rx-updates)
    echo "the peer's update counter stayed at $n (was $2)"
    return 1
  }
}

# the speaker reports the peer Established (bbclient neighbors)
it_speaker_established() { # ADDR
  bb neighbors | grep -q "^$1 established "
}

# ---- checks ---------------------------------------------------------------------------------

# poll "$@" every 0.1 s for up to $1 seconds
it_wait() {
  local t=$1 end
  shift
  end=$(($(date +%s%N) + t * 1000000000))
  until "$@" > /dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$end" ] || return 1
    sleep 0.1
  done
}

it_check() { # NAME CMD...
  local name=$1 t0
  shift
  t0=$(date +%s%N)
  if "$@" > "$W/check.out" 2>&1; then
    echo "ok - $name ($((($(date +%s%N) - t0) / 1000000)) ms)"
    IT_PASS=$((IT_PASS + 1))
  else
    echo "not ok - $name"
    sed 's/^/#   /' "$W/check.out" | head -40
    IT_FAIL=$((IT_FAIL + 1))
  fi
}

it_skip() { # NAME WHY
  echo "ok - $1 # SKIP $2"
  IT_SKIP=$((IT_SKIP + 1))
}

it_finish() {
  IT_FINISHED=1
  it_watch_stop
  it_speaker_stop
  if [ "$IT_FAIL" -gt 0 ]; then
    local f
    echo "# ---- speaker log (tail) $W/speaker.log"
    tail -40 "$W/speaker.log" | sed 's/^/# /'
    for f in "$W"/*/daemon.log "$W"/*/bird.log "$W"/*/bgpd.log; do
      [ -f "$f" ] || continue
      echo "# ---- $f (tail)"
      tail -20 "$f" | sed 's/^/# /'
    done
    echo "# ---- events (tail) $W/watch.log"
    tail -20 "$W/watch.log" | sed 's/^/# /'
  fi
  echo "$IT_NAME: $(($(date +%s) - IT_START)) s"
  echo "$IT_PASS passed, $IT_FAIL failed, $IT_SKIP skipped"
  [ "$IT_FAIL" -eq 0 ] && [ "$IT_PASS" -gt 0 ]
  exit
}

# ---- the scenario shared by every implementation ------------------------------------------
# A test sets IMPL, PEER_AS (the peer's AS), FAMS (families exchanged), ORIG (families the peer
# can originate), HOLD (the speaker's hold time) and calls the steps it needs in this order:
#   it_scn_start, it_scn_established CAPCHECK, it_scn_out, it_scn_in, it_scn_refresh_*,
#   it_scn_restart, it_scn_hold, it_scn_withdraw.
# Route files: $W/out.routes (the speaker announces them through the bus) and $W/in.routes
# (the peer originates them).  Next hops are not loopback (tests/peers/README.md).
NH_S=198.51.100.1 NH6_S=2001:db8:ffff::1 # on the speaker's routes
NH_P=198.51.100.2 NH6_P=fd00::c633:6402  # on the peer's routes (the launchers' v4_in_v6)

it_routes_out() { # the speaker's routes, per family in FAMS
  local f i=$1
  for f in ${FAMS//,/ }; do
    case $f in
      ipv4) echo "ipv4 10.$i.1.0/24 nh=$NH_S aspath=65000,65010 origin=egp med=10 comm=65000:2,65000:1"
        echo "ipv4 10.$i.2.0/24 nh=$NH_S" ;; # no AS path: the speaker writes [local-as] (eBGP)
      ipv6) echo "ipv6 2001:db8:$i:1::/64 nh=$NH6_S aspath=65000,65020 origin=incomplete med=7 comm=65000:6"
        echo "ipv6 2001:db8:$i:2::/64 nh=$NH6_S aspath=65000" ;;
      mcast4) echo "mcast4 10.$i.3.0/24 nh=$NH_S aspath=65000 comm=65000:9" ;;
      mcast6) echo "mcast6 2001:db8:$i:3::/64 nh=$NH6_S aspath=65000 med=3" ;;
    esac
  done
}
it_routes_in() { # the peer's routes, per family in ORIG (OpenBGPD cannot set aspath/origin)
  local f i=$1 a="aspath=65030 origin=egp "
  [ "$IMPL" = openbgpd ] && a=
  for f in ${ORIG//,/ }; do
    case $f in
      ipv4) echo "ipv4 10.$i.101.0/24 ${a}med=20 comm=$PEER_AS:2,$PEER_AS:1"
        echo "ipv4 10.$i.102.0/24" ;;
      ipv6) echo "ipv6 2001:db8:$i:101::/64 med=5 comm=$PEER_AS:6"
        echo "ipv6 2001:db8:$i:102::/64 ${a}" ;;
      mcast4) echo "mcast4 10.$i.103.0/24 comm=$PEER_AS:9" ;;
      mcast6) echo "mcast6 2001:db8:$i:103::/64" ;;
    esac
  done
}

it_scn_start() { # INDEX [MORE-SPEAKER-CONFIG-FILE]
  local i=$1
  it_routes_out "$i" > "$W/out.routes"
  it_routes_in "$i" > "$W/in.routes"
  it_neighbor "$ADDR_P" "$PEER_AS" "$PORT_P" "$HOLD" "$FAMS" > "$W/speaker.conf"
  [ -z "${2:-}" ] || cat "$2" >> "$W/speaker.conf"
  it_speaker_start "$W/speaker.conf"
  it_watch_start
  IT_PEER_ARGS=(--local-addr "$ADDR_P" --local-as "$PEER_AS" --peer-addr "$ADDR_S" --peer-as 65000
    --listen-port "$PORT_P" --peer-port "$PORT_S" --families "$FAMS" --next-hop "$NH_P"
    --announce "$W/in.routes")
  it_peer "$IMPL" start "${IT_PEER_ARGS[@]}" > "$W/peer-start.out" 2>&1 || {
    cat "$W/peer-start.out"
    echo "not ok - $IMPL did not start"
    IT_FAIL=$((IT_FAIL + 1))
    it_finish
  }
}

it_both_established() {
  it_wait "${1:-30}" it_speaker_established "$ADDR_P" || {
    echo "the speaker reports: $(bb neighbors)"
    return 1
  }
  it_peer "$IMPL" wait --timeout 10
}

it_scn_established() { # CAPCHECK (a shell command: prints what is missing and fails)
  it_check "$IMPL: session established (speaker and $IMPL)" it_both_established 30
  it_check "$IMPL: the speaker saw the peer's OPEN (AS $PEER_AS)" \
    it_wait_event 0 "^open $ADDR_P received asn=$PEER_AS " 5
  it_check "$IMPL: capabilities negotiated" eval "$1"
}

it_dump_is() { # FAM FILE: the peer's table for FAM is FILE
  it_peer "$IMPL" wait-dump --family "$1" --expect "$2" --timeout "${3:-20}"
}

it_scn_out() {
  local f
  it_check "$IMPL: the speaker accepts the routes on the bus" it_bb_routes announce "$W/out.routes" "$ADDR_P"
  for f in ${FAMS//,/ }; do
    it_expect "$f" --nh "$NH_S" --nh6 "$NH6_S" --default-path 65000 < "$W/out.routes" > "$W/peer.expect-$f"
    it_check "$IMPL: bgpbus -> $IMPL $f routes with attributes ($(wc -l < "$W/peer.expect-$f"))" \
      it_dump_is "$f" "$W/peer.expect-$f"
  done
}

it_scn_in() {
  local f
  for f in ${ORIG//,/ }; do
    it_expect "$f" --nh "$NH_P" --nh6 "$NH6_P" --prepend "$PEER_AS" < "$W/in.routes" > "$W/speaker.expect-$f"
    it_check "$IMPL -> bgpbus $f routes in the speaker's events ($(wc -l < "$W/speaker.expect-$f"))" \
      it_wait_rib_in "$ADDR_P" "$f" "$W/speaker.expect-$f"
  done
}

# the peer asks (ROUTE-REFRESH) and the speaker sends its Adj-RIB-Out again
it_refresh_by_peer() {
  local before m
  before=$(it_peer "$IMPL" rx-updates) || return 1
  m=$(it_mark)
  it_peer "$IMPL" refresh --family ipv4 || return 1
  it_wait_event "$m" "^refresh $ADDR_P ipv4\$" 15 || return 1
  it_rx_grows "$IMPL" "$before" 15 || return 1
  it_dump_is ipv4 "$W/peer.expect-ipv4" 5 && it_peer "$IMPL" state
}
it_scn_refresh_by_peer() {
  it_check "$IMPL asks for a route refresh, the speaker re-sends" it_refresh_by_peer
}

# the speaker asks and the peer sends its routes again: every prefix it originated in FAM
# appears again in the events
it_refresh_by_speaker() { # FAM
  local m pfx fam=$1 afi safi
  case $fam in ipv4) afi=ipv4 safi=unicast ;; ipv6) afi=ipv6 safi=unicast ;; mcast4) afi=ipv4 safi=multicast ;;
    mcast6) afi=ipv6 safi=multicast ;;
  esac
  m=$(it_mark)
  bb refresh --neighbor "$ADDR_P" "$afi" "$safi" || return 1
  for pfx in $(awk -v f="$fam" '$1 == f { print $2 }' "$W/in.routes"); do
    it_wait_event "$m" "^update $ADDR_P announce $fam $pfx " 15 || return 1
  done
  it_speaker_established "$ADDR_P" && it_peer "$IMPL" state
}
it_scn_refresh_by_speaker() {
  local f
  for f in ${ORIG//,/ }; do
    it_check "the speaker asks $IMPL for a route refresh ($f), $IMPL re-sends" it_refresh_by_speaker "$f"
  done
}

# every route is back on both sides
it_all_routes_back() {
  local f
  for f in ${FAMS//,/ }; do it_dump_is "$f" "$W/peer.expect-$f" || return 1; done
  for f in ${ORIG//,/ }; do it_wait_rib_in "$ADDR_P" "$f" "$W/speaker.expect-$f" || return 1; done
}

# the peer stops: the speaker reports the session down; it starts again: the session comes
# back and the Adj-RIB-Out is sent again without any new command
it_scn_restart() {
  local m
  m=$(it_mark)
  it_check "$IMPL stops" it_peer "$IMPL" stop
  it_check "the speaker reports $IMPL down" it_wait_event "$m" "^state $ADDR_P down " 15
  it_check "$IMPL starts again" it_peer "$IMPL" start "${IT_PEER_ARGS[@]}"
  it_check "$IMPL: session re-established" it_both_established 40
  it_check "$IMPL: routes back in both directions after the restart" it_all_routes_back
}

# the peer freezes (SIGSTOP on its process group): the speaker's hold timer expires and it
# sends NOTIFICATION 4/0 (RFC 4271 6.5) within hold time + 2 s; the peer thaws and the session
# comes back with the routes.  The speaker publishes no event for a NOTIFICATION it sends:
# the down event's reason and its log say it.  (BIRD, GoBGP and FRR as launched do not log
# the NOTIFICATION they find on thawing, so the peer's side is not checked.)
it_hold_expires() { # MARK T0
  it_wait_event "$1" "^state $ADDR_P down .*hold timer expired" $((HOLD + 2)) || return 1
  echo "down after $((($(date +%s%N) - $2) / 1000000)) ms"
  grep "peer $ADDR_P: sent NOTIFICATION 4/0" "$W/speaker.log" || {
    echo "the speaker's log does not say it sent NOTIFICATION 4/0"
    return 1
  }
}
it_scn_hold() {
  local pid m t0
  pid=$(it_peer "$IMPL" pid) || {
    it_check "$IMPL: pid for the hold timer test" false
    return
  }
  m=$(it_mark)
  t0=$(date +%s%N)
  kill -STOP -- "-$pid"
  it_check "$IMPL frozen: the speaker's hold timer ($HOLD s) expires, NOTIFICATION 4/0 sent" \
    it_hold_expires "$m" "$t0"
  kill -CONT -- "-$pid"
  it_check "$IMPL thawed: session re-established" it_both_established 40
  it_check "$IMPL: routes back in both directions after the hold timer expiry" it_all_routes_back
}

# withdrawals in both directions: the tables become empty
it_scn_withdraw() {
  local f
  : > "$W/empty"
  it_check "the speaker withdraws its routes on the bus" it_bb_routes withdraw "$W/out.routes" "$ADDR_P"
  for f in ${FAMS//,/ }; do
    it_check "bgpbus -> $IMPL $f withdrawn" it_dump_is "$f" "$W/empty"
  done
  it_check "$IMPL withdraws its routes" it_peer "$IMPL" withdraw "$W/in.routes"
  for f in ${ORIG//,/ }; do
    it_check "$IMPL -> bgpbus $f withdrawn (events)" it_wait_rib_in "$ADDR_P" "$f" "$W/empty"
  done
  it_check "$IMPL: session still established" it_both_established 1
}
