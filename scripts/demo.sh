#!/usr/bin/env bash
# scripts/demo.sh: the README's demo command. Installs what is missing (Debian 12, as root), builds the
# release folder, then starts the speaker, the apibridge with an example helper, and a BIRD peer on
# loopback, and shows what the helper announced in BIRD's table and the JSON events it received.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh demo
scripts/build.sh release
for b in bgpbus-speaker bgpbus-apibridge; do
  if [ ! -x "build/bin/$b" ]; then
    echo "demo: build/bin/$b does not exist yet: the speaker and the apibridge are still being built" \
         "(issues 3 and 4); the demo runs when they land." >&2
    exit 1
  fi
done
exec tests/demo/run-demo.sh build
