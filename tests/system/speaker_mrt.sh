#!/bin/sh
# Speaker system test: an MRT file replayed into the real speaker by bgpbus-mrtsend over a BGP
# session; every prefix sent must come out as an update event, and the speaker log must show
# no decode error, no treat-as-withdraw and no session reset.
#   speaker_mrt.sh FILE [FILE...]   (a missing file: exit 77, skipped)
set -u
B=${BGPBUS_BUILD:?}
W=${BGPBUS_TEST_DIR:?}/run-$$
SEND=$B/bin/bgpbus-mrtsend SPEAKER=$B/bin/bgpbus-speaker BB=$B/tests/bbclient
for f in "$@"; do
  if [ ! -r "$f" ]; then echo "SKIP: $f is absent (the shared MRT data set is not next to the source tree)"; exit 77; fi
done
mkdir -p "$W/rt" && chmod 700 "$W/rt"
export BGPBUS_RUNTIME_DIR="$W/rt"
NET=$((63)) SUB=$(( $$ % 250 + 1 ))
LOCAL=127.$NET.$SUB.1 PEER=127.$NET.$SUB.2
PORT=$(( 20000 + ($$ * 11) % 30000 ))
passed=0 failed=0 spid= mpid= wpid=
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
cleanup() {
  for p in $mpid $wpid $spid; do kill "$p" 2>/dev/null; done
  for p in $mpid $wpid $spid; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

n=0
for f in "$@"; do
  n=$((n + 1)); name=$(basename "$f")
  echo "== $name"
  chosen=$("$SEND" --list-peers "$f" | awk '/^chosen peer/ {print $5, $6, $7}')
  set -- $chosen "$@"; peer_as=$1 kind=$2 expect=$3; shift 3
  [ -n "$peer_as" ] || { fail "$name: no peer found in the file"; continue; }
  cat > "$W/s$n.conf" <<CONF
neighbor $PEER {
	router-id $LOCAL;
	local-address $LOCAL;
	local-as 65000;
	peer-as $peer_as;
	listen $PORT;
	passive true;
	family { ipv4 unicast; ipv6 unicast; }
}
CONF
  "$SPEAKER" --config "$W/s$n.conf" > "$W/speaker$n.log" 2>&1 & spid=$!
  i=0; until "$BB" ping > /dev/null 2>&1; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
  # Subscribe first: a subscriber sees the events published after it joined.
  "$BB" watch --topic ev/update/ --updates 999999999 --seconds 900 > "$W/watch$n.out" 2> "$W/watch$n.err" & wpid=$!
  i=0; until grep -q ready "$W/watch$n.out"; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
  t0=$(date +%s.%N)
  "$SEND" --connect "$LOCAL:$PORT" --local-address "$PEER" "$f" > "$W/send$n.out" 2> "$W/send$n.err" & mpid=$!
  # Wait for the sender's totals (it prints them once End-of-RIB is out).
  i=0; until grep -q '^sent:' "$W/send$n.out"; do
    i=$((i + 1)); [ $i -lt 6000 ] && kill -0 $mpid 2>/dev/null || break; sleep 0.1
  done
  cat "$W/send$n.out"
  sent=$(awk '/^sent:/ {print $3}' "$W/send$n.out")
  secs=$(awk '/^sent:/ {print $13}' "$W/send$n.out")
  [ -n "$sent" ] || { fail "$name: sender did not finish: $(cat "$W/send$n.err")"; kill $spid $mpid $wpid; wait $spid $mpid $wpid; spid= mpid= wpid=; continue; }
  [ "$kind" = entries ] && { [ "$sent" = "$expect" ] && ok "$name: all $expect RIB entries sent" || fail "$name: sent $sent of $expect"; }
  # Every prefix sent must come out as an event (announce or withdraw).
  i=0; while [ "$(grep -c '^update ' "$W/watch$n.out")" -lt "$sent" ] && [ $i -lt 3000 ]; do i=$((i + 1)); sleep 0.2; done
  t1=$(date +%s.%N)
  kill $mpid $wpid; wait $mpid $wpid; mpid= wpid=
  got=$(grep -c '^update ' "$W/watch$n.out")
  [ "$got" -ge "$sent" ] && ok "$name: $got prefix events for $sent prefixes sent (send ${secs}s, all events $(echo "$t1 - $t0" | bc)s)" \
    || fail "$name: $got prefix events for $sent sent: $(tail -2 "$W/watch$n.err")"
  kill $spid; wait $spid; src=$?; spid=
  if grep -Ei 'malformed|treated as withdraw|decode|sent NOTIFICATION [^6]' "$W/speaker$n.log" | head -5 | grep .; then
    fail "$name: the speaker log shows decode errors"
  else ok "$name: no decode error, no treat-as-withdraw"; fi
  [ "$(grep -c 'session down' "$W/speaker$n.log")" -le 1 ] && [ "$(grep -c 'session established' "$W/speaker$n.log")" -eq 1 ] \
    && ok "$name: one session, no reset" || fail "$name: session reset: $(grep 'session' "$W/speaker$n.log" | head -5)"
  [ $src -eq 0 ] && ok "$name: speaker exits 0" || fail "$name: speaker exit status $src"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
