#!/usr/bin/env bash
# apibridge/examples/run-demo.sh [BUILD_DIR]: the demo that `./install.sh demo` runs once it has
# installed and built. Starts on loopback a real BIRD peer, the speaker, and the apibridge with an
# unchanged ExaBGP-style helper (announce.py beside this file), and shows the routes the helper
# announced in BIRD's table and the JSON events the helper received. Everything it starts, it
# stops (by pid).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
top=$PWD
bin=${1:-build}/bin
for b in bgpbus-speaker bgpbus-apibridge; do
  [ -x "$bin/$b" ] || { echo "demo: $bin/$b is missing: build first (./install.sh build release)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bgpbus-demo.XXXXXX)
chmod 755 "$work"
# Addresses and ports of our own: other BGP daemons on this machine may hold 127.0.0.1:179.
n=$(( $$ % 200 + 20 ))
us=127.77.$n.1 peer=127.77.$n.2
port_us=$(( 21000 + $$ % 4000 )) port_peer=$(( 25000 + $$ % 4000 ))
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  tests/peers/bird.sh stop --dir "$work/bird" >/dev/null 2>&1 || true
}
trap cleanup EXIT

sed -e "s|DEMO_HELPER|$here/announce.py|" -e "s|DEMO_PEER|$peer|" \
    -e "s|DEMO_LOCAL|$us|g" -e "s|DEMO_LISTEN|$port_us|" -e "s|DEMO_CONNECT|$port_peer|" \
    "$here/demo.conf" > "$work/demo.conf"
export BGPBUS_RUNTIME_DIR=$work/run DEMO_EVENTS_LOG=$work/helper-events.log
echo "== bgpbus-speaker and bgpbus-apibridge on $us (AS 65000), bus in $BGPBUS_RUNTIME_DIR"
"$bin/bgpbus-speaker" --config "$work/demo.conf" >"$work/speaker.log" 2>&1 &
pids+=($!)
sleep 0.5
"$bin/bgpbus-apibridge" --config "$work/demo.conf" >"$work/apibridge.log" 2>&1 &
pids+=($!)
sleep 1 # the helper is running: it will see the session come up

echo "== BIRD on $peer (AS 65001), announcing one route of its own"
echo "ipv4 192.0.2.0/24 nh=198.51.100.2 aspath=65001 comm=65001:7" > "$work/bird-routes"
tests/peers/bird.sh start --dir "$work/bird" --local-addr "$peer" --local-as 65001 \
  --listen-port "$port_peer" --peer-addr "$us" --peer-as 65000 --peer-port "$port_us" \
  --families ipv4,ipv6 --next-hop 198.51.100.2 --announce "$work/bird-routes" >/dev/null

if ! tests/peers/bird.sh wait-routes --dir "$work/bird" --count 3 --timeout 30 >/dev/null; then
  echo "demo: the routes did not reach BIRD in 30 s; logs:" >&2
  tail -n 20 "$work/speaker.log" "$work/apibridge.log" >&2
  exit 1
fi
sleep 1 # let the IPv6 route and the withdrawal of 100.10.9.0/24 land too
echo
echo "== BIRD's table: what the helper announced (IPv4 and IPv6), as BIRD holds it"
tests/peers/bird.sh routes --dir "$work/bird" --dump
tests/peers/bird.sh routes --dir "$work/bird" --family ipv6 --dump
echo
echo "== The JSON events the helper read on its stdin (ExaBGP 4.2 format)"
cat "$work/helper-events.log"
echo
echo "demo: done (logs in $work)"
