#!/bin/sh
# tests/containers/systemd_units.sh: docker/systemd/*.service pass `systemd-analyze verify`
# with no message at all (it exits 0 on unknown keys and bad values, so its output is the
# verdict), their ExecStart binaries being the build's (copies of the units point at them), and
# they send the signals the daemons act on (speaker/main.c, apibridge/main.c): SIGUSR1 to
# reload, SIGTERM to stop; the bridge is ordered after the speaker.
set -eu
SRC=${BGPBUS_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BGPBUS_BUILD:-$SRC/build}
DIR=${BGPBUS_TEST_DIR:-/tmp/bgpbus-systemd-units}

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed"; exit 77; }
rm -rf "$DIR"
mkdir -p "$DIR"
for unit in bgpbus-speaker.service bgpbus-apibridge.service; do
    sed "s|/usr/local/bin/|$BUILD/bin/|g" "$SRC/docker/systemd/$unit" >"$DIR/$unit"
done
systemd-analyze verify "$DIR/bgpbus-speaker.service" "$DIR/bgpbus-apibridge.service" \
    >"$DIR/verify.log" 2>&1 || true
if [ -s "$DIR/verify.log" ]; then
    cat "$DIR/verify.log"
    echo "FAIL: systemd-analyze verify has something to say"
    exit 1
fi

# want FILE LINE: the unit has exactly this line
want() {
    grep -qxF "$2" "$DIR/$1" || { echo "FAIL: $1 lacks: $2"; exit 1; }
}
for unit in bgpbus-speaker.service bgpbus-apibridge.service; do
    # shellcheck disable=SC2016 # the unit's literal $MAINPID
    want "$unit" 'ExecReload=/bin/kill -USR1 $MAINPID'
    want "$unit" 'KillSignal=SIGTERM'
    want "$unit" 'NoNewPrivileges=yes'
    want "$unit" 'ProtectSystem=strict'
done
want bgpbus-apibridge.service 'After=bgpbus-speaker.service'
want bgpbus-apibridge.service 'Requires=bgpbus-speaker.service'
# the daemons act on those signals
grep -q 'case SIGUSR1: speaker_reload' "$SRC/speaker/main.c" || { echo "FAIL: speaker: SIGUSR1"; exit 1; }
grep -q 'case SIGUSR1:' "$SRC/apibridge/main.c" || { echo "FAIL: apibridge: SIGUSR1"; exit 1; }
for unit in bgpbus-speaker.service bgpbus-apibridge.service; do
    systemd-analyze security --offline=yes "$DIR/$unit" 2>/dev/null | tail -n 1 || true
done
echo "systemd units: verified"
