#!/usr/bin/env bash
# tests/peers/stop-all.sh --root DIR -- stop every peer started in a directory under DIR
# (for traps in tests: trap '"$PEERS/stop-all.sh" --root "$WORK"' EXIT).
source "$(dirname "$0")/_lib.sh"
main stop-all "$@"
