#!/usr/bin/env bash
# tests/system/bridge_bird.sh: the apibridge's done-when (issue 4). A helper written for ExaBGP 4.2
# (tests/bridge/exabgp42/helper.py: announce, withdraw, read JSON, wait for `done`) runs unchanged
# with its original configuration (tests/bridge/exabgp42/exabgp.conf) under bgpbus-speaker +
# bgpbus-apibridge, and its routes reach a real BIRD. Then the same helper and the same file run
# under the real ExaBGP 4.2 against a fresh BIRD, which must end with the same table: proof that
# the helper and the configuration are genuine 4.2 and that bgpbus did what ExaBGP does.
#
# Each half checks: BIRD's table (every attribute) holds exactly the helper's routes; every
# command was acked `done`; the helper read `state up` and BIRD's own route as 4.2 update JSON;
# the maintenance withdrawal reached BIRD; the helper exited on the shutdown event.
# Addresses 127.43.N.x and ports derived from the pid: other daemons may hold 127.0.0.1:179.
set -u
: "${BGPBUS_TEST_DIR:?}" "${BGPBUS_BUILD:?}" "${BGPBUS_SOURCE:?}"
src=$BGPBUS_SOURCE
peers=$src/tests/peers
exa42=$src/tests/bridge/exabgp42
py=/usr/bin/python3

root=$BGPBUS_TEST_DIR
rm -rf "$root"
mkdir -p "$root" && chmod 755 "$root" || exit 1
n=$(($$ % 250 + 1))
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  "$peers/stop-all.sh" --root "$root" >/dev/null 2>&1
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# stop PID: TERM, then wait (bounded) for it; KILL if it does not go
stop_pid() {
  local p=$1
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
}

# wait_file FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN
wait_file() {
  for _ in $(seq $((${3:-20} * 10))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# run_half NAME US PEER PORT_US PORT_PEER START_FN STOP_FN
# START_FN CONF DIR starts the ExaBGP side (bgpbus or ExaBGP) and appends its pids to pids.
run_half() {
  local name=$1 us=$2 peer=$3 port_us=$4 port_peer=$5 start=$6 stop=$7
  local w=$root/$name
  mkdir -p "$w" && chmod 755 "$w"
  # The original file with only its addresses, ports and helper path replaced.
  sed -e "s|192\.0\.2\.1|$us|g" -e "s|192\.0\.2\.2|$peer|g" \
    -e "s|listen 179;|listen $port_us;|" -e "s|connect 179;|connect $port_peer;|" \
    -e "s|run /etc/exabgp/helper.py;|run $exa42/helper.py;|" "$exa42/exabgp.conf" > "$w/exabgp.conf"
  cat > "$w/exabgp.env" <<ENV
[exabgp.daemon]
daemonize = false
drop = false
[exabgp.api]
ack = true
cli = false
[exabgp.log]
destination = stdout
ENV
  export HELPER_LOG=$w/helper.log HELPER_MAINTENANCE=$w/maintenance
  : > "$HELPER_LOG"

  echo "ipv4 10.99.0.0/16 nh=198.51.100.2 aspath=65001 origin=igp comm=65001:7" > "$w/bird-routes"
  cat > "$w/expect4" <<EXP
ipv4 198.18.7.0/24 nh=$us aspath=65000 origin=egp med=70 comm=65000:7
ipv4 203.0.113.0/26 nh=$us aspath=65000 origin=igp med=10 comm=65000:1,65000:2
ipv4 203.0.113.64/26 nh=$us aspath=65000,64999 origin=incomplete comm=65000:3
EXP
  echo "ipv6 2001:db8:42::/48 nh=2001:db8::42 aspath=65000,64998 origin=igp med=60 comm=65000:6" > "$w/expect6"
  grep -v 198.18.7.0 "$w/expect4" > "$w/expect4-drained"

  if ! "$start" "$w/exabgp.conf" "$w"; then
    fail "$name: did not start (see $w)"
    return
  fi
  if ! "$peers/bird.sh" start --dir "$w/bird" --local-addr "$peer" --local-as 65001 \
    --listen-port "$port_peer" --peer-addr "$us" --peer-as 65000 --peer-port "$port_us" \
    --families ipv4,ipv6 --next-hop 198.51.100.2 --announce "$w/bird-routes" > /dev/null; then
    fail "$name: BIRD did not start"
    return
  fi

  if "$peers/bird.sh" wait-dump --dir "$w/bird" --expect "$w/expect4" --timeout 25 > "$w/diff4"; then
    ok "$name: BIRD holds exactly the helper's IPv4 routes and attributes"
  else
    fail "$name: BIRD's IPv4 table: $(cat "$w/diff4")"
  fi
  if "$peers/bird.sh" wait-dump --dir "$w/bird" --family ipv6 --expect "$w/expect6" --timeout 10 > "$w/diff6"; then
    ok "$name: BIRD holds exactly the helper's IPv6 route and attributes"
  else
    fail "$name: BIRD's IPv6 table: $(cat "$w/diff6")"
  fi
  # The service goes into maintenance: the helper withdraws one route.
  touch "$w/maintenance"
  if "$peers/bird.sh" wait-dump --dir "$w/bird" --expect "$w/expect4-drained" --timeout 15 > "$w/diff4d"; then
    ok "$name: the helper's withdrawal reached BIRD"
  else
    fail "$name: after the withdrawal: $(cat "$w/diff4d")"
  fi
  wait_file "$HELPER_LOG" "learned ipv4 unicast 10.99.0.0/16" 10

  "$stop" "$w"
  if wait_file "$HELPER_LOG" "^exit: shutdown" 5; then
    ok "$name: the helper read the shutdown event and exited"
  else
    fail "$name: the helper did not see the shutdown event"
  fi
  "$peers/bird.sh" stop --dir "$w/bird" > /dev/null

  if "$py" - "$HELPER_LOG" "$us" "$peer" > "$w/check" 2>&1 <<'PY'; then
import json, sys
log, us, peer = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(log).read().splitlines()
problems = []
sent = [l[3:] for l in text if l.startswith(">> ")]
acks = [l[3:] for l in text if l.startswith("<< ")]
if len(sent) != 5 or acks != ["done"] * len(sent):
    problems.append("commands %r got %r" % (sent, acks))
events = [json.loads(l) for l in text if l.startswith("{")]
for e in events:
    if e.get("exabgp") != "4.0.1" or not isinstance(e.get("counter", 0), int):
        problems.append("not 4.2 JSON: %r" % e)
        break
up = [e for e in events if e.get("type") == "state" and e["neighbor"]["state"] == "up"]
if not up:
    problems.append("no state up")
elif up[0]["neighbor"]["address"] != {"local": us, "peer": peer} or \
        up[0]["neighbor"]["asn"] != {"local": 65000, "peer": 65001}:
    problems.append("state up names %r" % up[0]["neighbor"])
seen = False
for e in events:
    if e.get("type") != "update":
        continue
    nb = e["neighbor"]
    upd = nb["message"].get("update", {})
    nlris = upd.get("announce", {}).get("ipv4 unicast", {}).get("198.51.100.2", [])
    if {"nlri": "10.99.0.0/16"} not in nlris:
        continue
    seen = True
    attr = upd["attribute"]
    if nb["address"] != {"local": us, "peer": peer} or nb["direction"] != "receive":
        problems.append("update names %r" % nb["address"])
    if attr.get("origin") != "igp" or attr.get("as-path", [])[-1:] != [65001] \
            or attr.get("community") != [[65001, 7]]:
        problems.append("BIRD's route attributes %r" % attr)
if not seen:
    problems.append("BIRD's 10.99.0.0/16 not seen as update JSON")
if not any(e.get("type") == "notification" and e.get("notification") == "shutdown" for e in events):
    problems.append("no shutdown notification")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
    ok "$name: acks done; the helper read state up and BIRD's route as ExaBGP 4.2 JSON"
  else
    fail "$name: helper's view: $(cat "$w/check")"
  fi
}

# ---- bgpbus: the speaker and the bridge on the same file
bgpbus_start() {
  local conf=$1 w=$2
  export BGPBUS_RUNTIME_DIR=$w/run
  "$BGPBUS_BUILD/bin/bgpbus-speaker" --config "$conf" > "$w/speaker.log" 2>&1 &
  pids+=($!) speaker_pid=$!
  for _ in $(seq 100); do # until the speaker answers on the bus (10 s)
    "$BGPBUS_BUILD/tests/bbclient" --timeout 2000 ping > /dev/null 2>&1 && break
    kill -0 "$speaker_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  "$BGPBUS_BUILD/bin/bgpbus-apibridge" --config "$conf" --env "$w/exabgp.env" > "$w/apibridge.log" 2>&1 &
  pids+=($!) bridge_pid=$!
  sleep 0.3
  kill -0 "$speaker_pid" 2>/dev/null && kill -0 "$bridge_pid" 2>/dev/null
}
bgpbus_stop() {
  stop_pid "$bridge_pid" # the bridge writes the shutdown event to the helper
  stop_pid "$speaker_pid"
}

# ---- ExaBGP 4.2 itself (Debian's exabgp), as tests/peers/exabgp.sh starts it
exabgp_start() {
  local conf=$1 w=$2
  exabgp --env "$w/exabgp.env" --test "$conf" > "$w/exabgp-test.log" 2>&1 || return 1
  exabgp --env "$w/exabgp.env" "$conf" > "$w/exabgp.log" 2>&1 &
  pids+=($!) exabgp_pid=$!
  sleep 0.3
  kill -0 "$exabgp_pid" 2>/dev/null
}
exabgp_stop() { stop_pid "$exabgp_pid"; }

base=$((20000 + ($$ % 2000) * 4))
run_half bgpbus "127.43.$n.1" "127.43.$n.2" "$base" "$((base + 1))" bgpbus_start bgpbus_stop
if ! command -v exabgp > /dev/null; then
  echo "skip: ExaBGP 4.2 half (no exabgp binary)"
else
  run_half exabgp "127.43.$n.3" "127.43.$n.4" "$((base + 2))" "$((base + 3))" exabgp_start exabgp_stop
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
