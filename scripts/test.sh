#!/usr/bin/env bash
# scripts/test.sh: the README's test command. Installs what is missing (Debian 12, as root), builds
# build/ and build-asan/, and runs every test under the sanitizers with ctest.
#   scripts/test.sh                 everything
#   scripts/test.sh -L unit         one label (unit, system, interop, conformance, containers)
# Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh test
scripts/build.sh all
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
rc=0
ctest --test-dir build-asan --output-on-failure -j "${BGPBUS_TEST_JOBS:-2}" "$@" || rc=$?
echo "scripts/test.sh: whole run (install, build, tests) took $(( $(date +%s) - start )) s"
exit $rc
