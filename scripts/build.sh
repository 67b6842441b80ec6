#!/usr/bin/env bash
# scripts/build.sh [release|asan|all]: configure and build the two build folders.
#   build/       release: what users and benchmarks run (binaries in build/bin/)
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer: what the tests run
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=${BGPBUS_JOBS:-$(nproc)}

build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
case $what in
  release) build build -DCMAKE_BUILD_TYPE=Release ;;
  asan)    build build-asan -DBGPBUS_SANITIZE=ON ;;
  all)     build build -DCMAKE_BUILD_TYPE=Release; build build-asan -DBGPBUS_SANITIZE=ON ;;
  *) echo "usage: $0 [release|asan|all]" >&2; exit 2 ;;
esac
