#!/bin/sh
# The bus between real processes: bus_sys_server (REP + PUB on libevent) and the clients
# bus_sys_client (REQ, blocking) and bus_sys_sub (SUB, libevent), over
#   ipc://    sockets in $BGPBUS_TEST_DIR
#   tcp://    127.0.0.1, ports chosen by the kernel for this run (listen on port 0)
#   tls+tcp:// mutual TLS with certificates made here by openssl; a client without a
#             certificate must be refused
# In each: 200 small round trips (timed), one Request of 10,000 routes with attributes whose
# Reply carries 10,000 item statuses (timed), and a burst of 50,000 events into a subscriber
# with a two-message queue that sleeps: the gap must be seen and the counts must add up.
#
# Usage: bus_system_test.sh [BUILD_DIR]   (env BGPBUS_BUILD, BGPBUS_TEST_DIR as ctest sets them)
set -eu

BUILD=${1:-${BGPBUS_BUILD:?BGPBUS_BUILD or an argument: the build directory}}
BIN=$BUILD/tests
DIR=${BGPBUS_TEST_DIR:-/tmp/bgpbus-bus-system-$$}
ROUTES=${BUS_SYSTEM_ROUTES:-10000}
BURST=${BUS_SYSTEM_BURST:-50000}
rm -rf "$DIR"
mkdir -p "$DIR"

PIDS=""
cleanup() {
    for pid in $PIDS; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $PIDS; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# run_case NAME CMD_URL EVENTS_URL [tls]
# CMD_URL/EVENTS_URL may contain PORT, replaced by the port the server was given.
run_case() {
    name=$1
    cmd_url=$2
    ev_url=$3
    tls=${4:-}
    ready=$DIR/$name.ready
    sub_ready=$DIR/$name.sub.ready
    server_tls=""
    client_tls=""
    if [ -n "$tls" ]; then
        server_tls="--cert $DIR/server.crt --key $DIR/server.key --ca $DIR/ca.crt"
        client_tls="--cert $DIR/client.crt --key $DIR/client.key --ca $DIR/ca.crt --server-name localhost"
    fi
    echo "== $name"
    # Not under timeout(1): the server must get our SIGUSR1 itself. A watchdog kills it instead.
    # shellcheck disable=SC2086
    "$BIN/bus_sys_server" --cmd "$(echo "$cmd_url" | sed 's/PORT/0/')" \
        --events "$(echo "$ev_url" | sed 's/PORT/0/')" --burst "$BURST" --ready "$ready" \
        $server_tls 2>"$DIR/$name.server.log" &
    server=$!
    (sleep 240 && kill -KILL "$server") >/dev/null 2>&1 &
    watchdog=$!
    PIDS="$PIDS $server $watchdog"
    i=0
    while [ ! -s "$ready" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$server" 2>/dev/null; then
            cat "$DIR/$name.server.log" >&2
            fail "$name: server did not start"
        fi
        sleep 0.05
    done
    read -r cmd_port ev_port <"$ready"
    cmd_url=$(echo "$cmd_url" | sed "s/PORT/$cmd_port/")
    ev_url=$(echo "$ev_url" | sed "s/PORT/$ev_port/")

    # shellcheck disable=SC2086
    timeout -s KILL 60 "$BIN/bus_sys_client" --cmd "$cmd_url" $client_tls ping 200 ||
        fail "$name: ping"
    # shellcheck disable=SC2086
    timeout -s KILL 120 "$BIN/bus_sys_client" --cmd "$cmd_url" $client_tls announce "$ROUTES" ||
        fail "$name: announce of $ROUTES routes"

    if [ -n "$tls" ]; then
        # Mutual TLS: no client certificate, no service.
        timeout -s KILL 60 "$BIN/bus_sys_client" --cmd "$cmd_url" --ca "$DIR/ca.crt" \
            --server-name localhost --timeout-ms 3000 --expect-refusal ping 1 ||
            fail "$name: a client without a certificate was served"
        # A certificate from another CA is refused as well.
        timeout -s KILL 60 "$BIN/bus_sys_client" --cmd "$cmd_url" --cert "$DIR/rogue.crt" \
            --key "$DIR/rogue.key" --ca "$DIR/ca.crt" --server-name localhost \
            --timeout-ms 3000 --expect-refusal ping 1 ||
            fail "$name: a client with a certificate of another CA was served"
    fi

    # shellcheck disable=SC2086
    timeout -s KILL 120 "$BIN/bus_sys_sub" --events "$ev_url" --ready "$sub_ready" \
        --sleep-ms 500 --queue 2 $client_tls >"$DIR/$name.sub.out" 2>"$DIR/$name.sub.log" &
    sub=$!
    PIDS="$PIDS $sub"
    i=0
    while [ ! -e "$sub_ready" ]; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$sub" 2>/dev/null; then
            cat "$DIR/$name.sub.log" >&2
            fail "$name: subscriber did not connect"
        fi
        sleep 0.05
    done
    kill -USR1 "$server"
    if ! wait "$sub"; then
        cat "$DIR/$name.sub.out" "$DIR/$name.sub.log" >&2
        fail "$name: subscriber (gap detection)"
    fi
    cat "$DIR/$name.sub.out"

    kill -TERM "$server"
    if ! wait "$server"; then
        cat "$DIR/$name.server.log" >&2
        fail "$name: server did not stop cleanly"
    fi
    kill "$watchdog" 2>/dev/null || true
    grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" \
        "$DIR/$name.server.log" && { cat "$DIR/$name.server.log" >&2; fail "$name: sanitizer"; }
    return 0
}

run_case ipc "ipc://$DIR/command.sock" "ipc://$DIR/events.sock"
run_case tcp "tcp://127.0.0.1:PORT" "tcp://127.0.0.1:PORT"

if ! command -v openssl >/dev/null 2>&1; then
    echo "SKIP tls: openssl is not installed, no certificates to test with"
    exit 0
fi
(
    cd "$DIR"
    exec 2>openssl.log
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bgpbus test CA" \
        -keyout ca.key -out ca.crt
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.crt
    openssl req -newkey rsa:2048 -nodes -subj "/CN=bgpbus test client" -keyout client.key \
        -out client.csr
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -out client.crt
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rogue" -keyout rogue.key \
        -out rogue.crt
) >/dev/null || { cat "$DIR/openssl.log" >&2; fail "openssl could not make test certificates"; }
run_case tls "tls+tcp://127.0.0.1:PORT" "tls+tcp://127.0.0.1:PORT" tls

echo "PASS bus system test"
