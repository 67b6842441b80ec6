#!/usr/bin/env bash
# install.sh: the one script that installs what bgpbus needs on Debian 12, builds it, and runs it.
# The README's two commands, .ci/run and docker/ all go through it.
#
#   ./install.sh demo               install what is missing, build build/, run the demo
#   ./install.sh test [CTEST ARGS]  install what is missing, build build/ and build-asan/, run
#                                   every test under ASan + UBSan (extra arguments go to ctest,
#                                   e.g. -L unit)
#   ./install.sh deps PROFILE       only install: build (compilers and libraries: docker's build
#                                   stage), test (+ test tools, Node.js if missing, the real BGP
#                                   peers), demo (+ BIRD), all
#   ./install.sh build [release|asan|all]
#
# Non-interactive and idempotent: `apt-get update` runs first whenever something is missing.
# Debian's /usr/bin/python3 with python3-protobuf; nothing is installed with pip.
set -euo pipefail
cd "$(dirname "$0")"

deps() {
  local profile=${1:-all} build_pkgs test_pkgs demo_pkgs pkgs
  build_pkgs=(build-essential cmake pkg-config git ca-certificates
    libnng-dev libmbedtls-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
    libevent-dev libcmocka-dev)
  test_pkgs=(python3 python3-protobuf procps iproute2 bzip2 gzip xxd openssl
    bird2 gobgpd frr openbgpd exabgp
    docker.io docker-compose debootstrap) # tests/containers: a local engine and base image
  demo_pkgs=(python3 bird2 procps)

  case $profile in
    build) pkgs=("${build_pkgs[@]}") ;;
    test)  pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
    demo)  pkgs=("${build_pkgs[@]}" "${demo_pkgs[@]}") ;;
    all)   pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}" "${demo_pkgs[@]}") ;;
    *) echo "usage: $0 deps [build|test|demo|all]" >&2; exit 2 ;;
  esac

  local SUDO= p v need_node=0 missing=()
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive

  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "$profile" != build ] && ! command -v node >/dev/null 2>&1; then need_node=1; fi

  if [ ${#missing[@]} -gt 0 ] || [ $need_node -eq 1 ]; then
    $SUDO apt-get update -q
    [ $need_node -eq 1 ] && missing+=(nodejs npm)
    # Daemons must not start themselves on install: the tests start their own instances.
    local own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
      $SUDO chmod +x /usr/sbin/policy-rc.d
      own_policy=1
    fi
    local rc=0
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
    [ $own_policy -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
    [ $rc -eq 0 ] || exit $rc
  fi

  if [ "$profile" != build ]; then
    v=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$v" -ge 18 ] || { echo "install.sh: Node.js >= 18 is needed (have $v)" >&2; exit 1; }
  fi
  echo "install.sh: packages for profile $profile ready"
}

build() {
  local what=${1:-all} jobs=${BGPBUS_JOBS:-$(nproc)}
  one() { # dir, cmake args...
    local dir=$1; shift
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
  }
  case $what in
    release) one build -DCMAKE_BUILD_TYPE=Release ;;
    asan)    one build-asan -DBGPBUS_SANITIZE=ON ;;
    all)     one build -DCMAKE_BUILD_TYPE=Release; one build-asan -DBGPBUS_SANITIZE=ON ;;
    *) echo "usage: $0 build [release|asan|all]" >&2; exit 2 ;;
  esac
}

run_tests() {
  local start rc=0
  start=$(date +%s)
  deps test
  build all
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  ctest --test-dir build-asan --output-on-failure -j "${BGPBUS_TEST_JOBS:-2}" "$@" || rc=$?
  echo "install.sh: whole run (install, build, tests) took $(( $(date +%s) - start )) s"
  return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  demo)  deps demo; build release; exec apibridge/examples/run-demo.sh build ;;
  test)  run_tests "$@" ;;
  deps)  deps "$@" ;;
  build) build "$@" ;;
  *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
esac
