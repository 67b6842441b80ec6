#!/usr/bin/env bash
# tests/containers/run.sh: the container test (issue 8), with Debian's docker.io, docker-compose
# and debootstrap only, no registry:
#   1. its own docker engine: dockerd with its own data root (a cache that survives runs), exec
#      root, pidfile and socket, no default bridge (--bridge=none: it leaves docker0 and any other
#      engine of the machine alone); stopped by pid at the end;
#   2. the base image debian:bookworm(-slim) made locally by debootstrap from the machine's Debian
#      mirror (read from its apt sources) when the engine does not have it yet;
#   3. docker/Dockerfile and docker/bird/Dockerfile built (the build steps use the host's network
#      to reach that mirror, since the engine has no default bridge);
#   4. docker/compose.yaml started (always `down` first) and checked: the speaker's HEALTHCHECK
#      (bgpbusctl ping) turns healthy, the example helper's three routes are in the BIRD
#      container's table, and the helper received BIRD's route 203.0.113.0/24 as ExaBGP JSON;
#      then torn down;
#   5. the same with docker/compose.tls.yaml (bus over mutual TLS, certificates from
#      docker/tls/make-certs.sh), plus: the speaker refuses plain tcp:// and a client without a
#      certificate.
# Containers talk only to each other on the compose network 10.179.0.0/24.
# Exit 77 (skipped, with the reason) when the engine cannot run here: not root, tools missing,
# dockerd does not start (no cgroups, no iptables, ...).
set -euo pipefail

SRC=${BGPBUS_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
DIR=${BGPBUS_TEST_DIR:-/tmp/bgpbus-containers}
CACHE=${BGPBUS_DOCKER_CACHE:-/var/lib/bgpbus-docker}
SOCK=/run/bgpbus-docker.sock
PIDFILE=/run/bgpbus-docker.pid
EXEC_ROOT=/run/bgpbus-docker # containerd's socket lives here: keep the path short
PROJECT=bgpbus-ctest
export DOCKER_HOST=unix://$SOCK
# compose.tls.yaml mounts the certificates from here
export BGPBUS_TLS_CERTS=$DIR/certs
ROUTES="100.10.1.0/24 100.10.2.0/24 100.10.3.0/24"
PEER_ROUTE=203.0.113.0/24

say() { echo "containers: $* [${SECONDS}s]"; }
skip() {
    echo "containers: SKIP: $*"
    exit 77
}
fail() {
    echo "containers: FAIL: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || skip "running a docker engine needs root"
for tool in dockerd docker-compose debootstrap; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (./install.sh deps test)"
done
# Debian's client, of the engine's version (another docker on PATH may be a newer client only)
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker) || skip "no docker client"
docker() { "$DOCKER" "$@"; }

rm -rf "$DIR"
mkdir -p "$DIR" "$CACHE"
# One run at a time uses the engine, its cache and the compose project.
exec 9>"$CACHE/lock"
flock -w 900 9 || fail "another container test holds $CACHE/lock"

ENGINE=
VARIANT_FILES=()
compose() { docker-compose -p "$PROJECT" "${VARIANT_FILES[@]}" "$@"; }
cleanup() {
    local rc=$?
    trap - EXIT
    if [ -n "$ENGINE" ]; then
        VARIANT_FILES=(-f "$SRC/docker/compose.yaml")
        compose down -v --remove-orphans >>"$DIR/compose.log" 2>&1 || true
        kill "$ENGINE" 2>/dev/null || true
        for _ in $(seq 30); do kill -0 "$ENGINE" 2>/dev/null || break; sleep 1; done
        kill -KILL "$ENGINE" 2>/dev/null || true
        wait "$ENGINE" 2>/dev/null || true
        # the bind mount of the host's network namespace that dockerd may leave behind
        ! mountpoint -q "$EXEC_ROOT/netns/default" || umount "$EXEC_ROOT/netns/default" || true
        say "engine stopped"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# An engine of an earlier run that was killed (its pidfile, our options): ours, stop it.
if [ -s "$PIDFILE" ]; then
    old=$(cat "$PIDFILE")
    if tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q -- "--pidfile $PIDFILE"; then
        say "stopping the engine left by an earlier run (pid $old)"
        kill "$old"
        for _ in $(seq 30); do kill -0 "$old" 2>/dev/null || break; sleep 1; done
    fi
fi

start_engine() {
    say "starting dockerd (data root $CACHE/engine, socket $SOCK)"
    dockerd --data-root "$CACHE/engine" --exec-root "$EXEC_ROOT" --pidfile "$PIDFILE" \
        -H "unix://$SOCK" --bridge=none --containerd-namespace bgpbus \
        --containerd-plugins-namespace bgpbus-plugins >"$DIR/dockerd.log" 2>&1 &
    ENGINE=$!
    for _ in $(seq 60); do
        docker version >/dev/null 2>&1 && return 0
        kill -0 "$ENGINE" 2>/dev/null || break
        sleep 0.5
    done
    tail -n 15 "$DIR/dockerd.log"
    kill -0 "$ENGINE" 2>/dev/null || ENGINE=
    skip "the docker engine does not start on this machine (log above, $DIR/dockerd.log)"
}

# The URI of the machine's Debian archive for bookworm, from its apt sources (deb822 first).
debian_mirror() {
    /usr/bin/python3 - <<'EOF'
import re, sys
def deb822(path):
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        f = {}
        for line in stanza.splitlines():
            m = re.match(r"([A-Za-z-]+):\s*(.*)", line)
            if m and not line.startswith("#"):
                f[m.group(1).lower()] = m.group(2).split()
        if "deb" in f.get("types", []) and "bookworm" in f.get("suites", []) and f.get("uris"):
            return f["uris"][0]
def one_line(path):
    for line in open(path):
        w = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
        if len(w) >= 3 and w[0] == "deb" and w[2] == "bookworm":
            return w[1]
for path, parse in (("/etc/apt/sources.list.d/debian.sources", deb822),
                    ("/etc/apt/sources.list", one_line)):
    try:
        uri = parse(path)
    except OSError:
        continue
    if uri:
        print(uri)
        sys.exit(0)
sys.exit("no bookworm archive in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list")
EOF
}

base_image() {
    if docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
        say "base image debian:bookworm-slim: in the engine's cache"
        return
    fi
    local tarball=$CACHE/debian-bookworm-minbase.tar mirror root=$CACHE/rootfs.tmp
    if [ ! -s "$tarball" ]; then
        mirror=$(debian_mirror)
        say "debootstrap --variant=minbase bookworm from the machine's mirror"
        rm -rf "$root"
        debootstrap --variant=minbase bookworm "$root" "$mirror" >"$DIR/debootstrap.log" 2>&1 ||
            { tail -n 20 "$DIR/debootstrap.log"; fail "debootstrap failed"; }
        # as Debian's own images: no package lists or caches (images run apt-get update)
        tar -C "$root" --numeric-owner --exclude='./var/lib/apt/lists/*_*' \
            --exclude='./var/cache/apt/*.bin' --exclude='./var/cache/apt/archives/*.deb' \
            -cf "$tarball.tmp" .
        mv "$tarball.tmp" "$tarball"
        rm -rf "$root"
    fi
    say "importing $tarball as debian:bookworm and debian:bookworm-slim"
    docker import --change 'CMD ["bash"]' "$tarball" debian:bookworm >/dev/null
    docker tag debian:bookworm debian:bookworm-slim
}

build_images() {
    say "building bgpbus:latest (docker/Dockerfile) and bgpbus-bird:latest (docker/bird)"
    # The build stage is tagged too, so that pruning the images of earlier runs (untagged)
    # keeps its compiler layer for the next run.
    {
        docker build --network host --target build -t bgpbus-build:latest \
            -f "$SRC/docker/Dockerfile" "$SRC" &&
            docker build --network host -t bgpbus:latest -f "$SRC/docker/Dockerfile" "$SRC" &&
            docker build --network host -t bgpbus-bird:latest "$SRC/docker/bird" &&
            docker image prune -f
    } >"$DIR/build.log" 2>&1 || { tail -n 30 "$DIR/build.log"; fail "an image did not build"; }
    docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^bgpbus'
}

# wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds.
wait_for() {
    local limit=$1 what=$2
    shift 2
    for _ in $(seq "$limit"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 1
    done
    echo "containers: after ${limit} s, still not: $what" >&2
    compose ps >&2 || true
    compose logs --no-color --tail 30 >&2 || true
    fail "$what"
}

speaker_healthy() {
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$(compose ps -q speaker)")" = healthy ]
}
bird_has_routes() {
    local table r
    table=$(compose exec -T bird birdc show route) || return 1
    for r in $ROUTES; do grep -q "^$r .*\[AS65000i\]" <<<"$table" || return 1; done
    echo "$table" >"$DIR/bird-table.txt"
}
# The helper logs each JSON line it reads as `helper: json {...}` (docker/examples/helper.py):
# one of them must be an ExaBGP update from BIRD announcing the peer's route.
helper_got_json() {
    compose logs --no-color apibridge | sed -n 's/^[^|]*| helper: json //p' >"$DIR/helper.json"
    /usr/bin/python3 - "$DIR/helper.json" "$PEER_ROUTE" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event.get("type") != "update" or event["neighbor"]["address"]["peer"] != "10.179.0.20":
        continue
    for nexthops in event["neighbor"]["message"]["update"].get("announce", {}).values():
        if any(r.get("nlri") == sys.argv[2] for routes in nexthops.values() for r in routes):
            sys.exit(0)
sys.exit(1)
EOF
}

# run_variant NAME COMPOSE_FILES...: up, the checks, down.
run_variant() {
    local name=$1 f
    shift
    VARIANT_FILES=()
    for f in "$@"; do VARIANT_FILES+=(-f "$SRC/docker/$f"); done
    say "$name: down, then up"
    compose down -v --remove-orphans >>"$DIR/compose.log" 2>&1
    compose up -d --no-build >>"$DIR/compose.log" 2>&1 || { tail -n 20 "$DIR/compose.log"; fail "$name: up"; }
    wait_for 60 "$name: the speaker's HEALTHCHECK (bgpbusctl ping) is healthy" speaker_healthy
    wait_for 60 "$name: the helper's routes ($ROUTES) are in BIRD's table" bird_has_routes
    say "$name: BIRD's table holds the helper's routes"
    grep -E "^(${ROUTES// /|}) " "$DIR/bird-table.txt"
    wait_for 30 "$name: the helper received $PEER_ROUTE from BIRD as ExaBGP JSON" helper_got_json
    say "$name: the helper received BIRD's $PEER_ROUTE as JSON:"
    grep -F "\"$PEER_ROUTE\"" "$DIR/helper.json" | head -n 1
    [ "$name" != tls ] || tls_refusals
    compose logs --no-color >"$DIR/$name-logs.txt" 2>&1 || true
    compose down -v --remove-orphans >>"$DIR/compose.log" 2>&1 || fail "$name: down"
    say "$name: passed, torn down"
}

# With the TLS variant up: plain tcp:// and TLS without a client certificate are refused.
tls_refusals() {
    local ctl=/usr/local/libexec/bgpbus/bgpbusctl
    if compose exec -T apibridge "$ctl" --command tcp://10.179.0.10:7179 ping >/dev/null 2>&1; then
        fail "tls: the speaker answered plain tcp://"
    fi
    if compose exec -T apibridge "$ctl" --command tls+tcp://10.179.0.10:7179 \
        --tls-ca /etc/bgpbus/tls/ca.crt --tls-server-name bgpbus-speaker ping >/dev/null 2>&1; then
        fail "tls: the speaker answered a client without a certificate"
    fi
    say "tls: plain tcp:// and a client without a certificate are refused"
}

start_engine
base_image
build_images
run_variant tcp compose.yaml
sh "$SRC/docker/tls/make-certs.sh" "$BGPBUS_TLS_CERTS" >/dev/null
run_variant tls compose.yaml compose.tls.yaml
say "passed"
