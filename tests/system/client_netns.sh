#!/bin/sh
# Controllers on other hosts: two network namespaces of this run, joined by a veth pair.
#   A (10.254.N.1/30): bgpbus-speaker, its bus on tcp:// then tls+tcp:// on the veth address,
#                      and its BGP neighbor (netns/peer.py) on A's own loopback
#   B (10.254.N.2/30): the controllers, bgpbusctl and the Python client (netns/pyclient.py)
# Checks (netns/run.py): announce, neighbors, watch from B over each transport; with mutual
# TLS, a client without a certificate, one with a certificate of another CA, and one expecting
# another server name are refused; an owner session (withdraw, heartbeat) whose client is
# SIGKILLed: the neighbor sees its routes withdrawn within the heartbeat + slack.
#
# Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN) for `ip netns add`: exit 77 (skipped) otherwise.
# Nothing of the test is visible outside its namespaces but their names (bgpbus-<pid>-a/-b),
# removed on exit.  Usage: client_netns.sh [BUILD_DIR]  (env BGPBUS_BUILD, BGPBUS_TEST_DIR)
set -eu

BUILD=${1:-${BGPBUS_BUILD:?BGPBUS_BUILD or an argument: the build directory}}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
DIR=${BGPBUS_TEST_DIR:-/tmp/bgpbus-client-netns-$$}/run-$$
NS_A=bgpbus-$$-a
NS_B=bgpbus-$$-b
NET=10.254.$(($$ % 250 + 1))
ADDR_A=$NET.1
ADDR_B=$NET.2

skip() {
    echo "SKIP: $*"
    exit 77
}

for tool in ip /usr/bin/python3; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
for f in "$BUILD/bin/bgpbus-speaker" "$BUILD/bin/bgpbusctl" "$BUILD/python/bgpbus/client.py"; do
    [ -e "$f" ] || { echo "FAIL: $f not built" >&2; exit 1; }
done
if ! ip netns add "$NS_A" 2>/dev/null; then
    skip "cannot create a network namespace (ip netns add needs root / CAP_SYS_ADMIN)"
fi

DRIVER=
cleanup() {
    rc=$?
    trap - EXIT INT TERM
    [ -z "$DRIVER" ] || kill -TERM "$DRIVER" 2>/dev/null || true
    # Whatever still runs in our namespaces was started by this test: stop it by pid.
    for ns in "$NS_A" "$NS_B"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$NS_B"
ip -n "$NS_A" link set lo up
ip -n "$NS_B" link set lo up
# Both ends are created inside the namespaces: nothing appears in the host's namespace.
ip -n "$NS_A" link add veth-a type veth peer name veth-b netns "$NS_B"
ip -n "$NS_A" addr add "$ADDR_A/30" dev veth-a
ip -n "$NS_B" addr add "$ADDR_B/30" dev veth-b
ip -n "$NS_A" link set veth-a up
ip -n "$NS_B" link set veth-b up
# The veth's carrier comes up asynchronously: wait for it on both ends.
i=0
until ip -n "$NS_A" link show veth-a | grep -q LOWER_UP &&
    ip -n "$NS_B" link show veth-b | grep -q LOWER_UP; do
    i=$((i + 1))
    [ $i -lt 50 ] || { echo "FAIL: the veth between $NS_A and $NS_B has no carrier" >&2; exit 1; }
    sleep 0.1
done

rm -rf "$DIR"
mkdir -p "$DIR"
rc=0
sh "$SRC/tests/tls/make-certs.sh" "$DIR/certs" bgpbus-speaker "$ADDR_A" || rc=$?
[ $rc -eq 0 ] || { [ $rc -eq 77 ] && skip "openssl is missing: no test certificates"; exit 1; }

echo "namespaces $NS_A ($ADDR_A: speaker, neighbor) and $NS_B ($ADDR_B: clients), dir $DIR"
NETNS_A=$NS_A NETNS_B=$NS_B ADDR_A=$ADDR_A NETNS_DIR=$DIR NETNS_CERTS=$DIR/certs \
    NETNS_PORT=$((20000 + $$ % 20000)) BGPBUS_BUILD=$BUILD \
    /usr/bin/python3 "$HERE/netns/run.py" &
# In the background so that a TERM (ctest's timeout) runs the cleanup at once.
DRIVER=$!
wait "$DRIVER"
