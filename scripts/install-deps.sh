#!/usr/bin/env bash
# scripts/install-deps.sh -- the one place that installs what bgpbus needs on Debian 12.
# Used by the README's two commands, by .ci/run (through the README's test command) and by
# docker/Dockerfile.
#
#   scripts/install-deps.sh [build|test|demo|all]
#     build  compilers and libraries only (what the docker build stage needs)
#     test   build + test tools + the real BGP peers the interop tests start (+ Node.js if missing)
#     demo   build + BIRD (the demo's peer)
#     all    test + demo
#
# Non-interactive, idempotent, runs `apt-get update` first. Uses Debian's /usr/bin/python3 and
# python3-protobuf: nothing is installed with pip.
set -euo pipefail
profile=${1:-all}

build_pkgs=(build-essential cmake pkg-config git ca-certificates
  libnng-dev libmbedtls-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
  libevent-dev libcmocka-dev)
test_pkgs=(python3 python3-protobuf procps iproute2 bzip2 gzip xxd openssl
  bird2 gobgpd frr openbgpd exabgp)
demo_pkgs=(python3 bird2 procps)

case $profile in
  build) pkgs=("${build_pkgs[@]}") ;;
  test)  pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  demo)  pkgs=("${build_pkgs[@]}" "${demo_pkgs[@]}") ;;
  all)   pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}" "${demo_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|demo|all]" >&2; exit 2 ;;
esac

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
need_node=0
if [ "$profile" != build ] && ! command -v node >/dev/null 2>&1; then need_node=1; fi

if [ ${#missing[@]} -gt 0 ] || [ $need_node -eq 1 ]; then
  $SUDO apt-get update -q
  [ $need_node -eq 1 ] && missing+=(nodejs npm)
  # Daemons must not start themselves on install: the tests start their own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "$profile" != build ]; then
  v=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$v" -ge 18 ] || { echo "install-deps: Node.js >= 18 is needed (have $v)" >&2; exit 1; }
fi
echo "install-deps: profile $profile ready"
