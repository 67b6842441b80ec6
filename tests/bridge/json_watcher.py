#!/usr/bin/python3
"""A typical ExaBGP 4.2 helper: announces its routes (waiting for `done` after each), then reads
the JSON events ExaBGP writes and logs the ones it understands to the file in argv[1]:
    state <peer> <state>
    update <peer> announce <prefix> <next-hop> / update <peer> withdraw <prefix>
Routes to announce come from argv[2:] ("PREFIX NEXTHOP")."""

import json
import sys

log = open(sys.argv[1], "a", buffering=1)
for spec in sys.argv[2:]:
    prefix, nh = spec.split()
    sys.stdout.write("announce route %s next-hop %s\n" % (prefix, nh))
    sys.stdout.flush()
    while True:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)
        if line.strip() in ("done", "error"):
            log.write("ack %s %s\n" % (prefix, line.strip()))
            break

for line in sys.stdin:
    line = line.strip()
    if not line or line in ("done", "error"):
        continue
    try:
        msg = json.loads(line)
    except ValueError:
        log.write("bad-json %s\n" % line)
        continue
    kind = msg.get("type")
    if kind == "notification" and msg.get("notification") == "shutdown":
        log.write("shutdown\n")
        break
    nb = msg.get("neighbor", {})
    peer = nb.get("address", {}).get("peer")
    if kind == "state":
        log.write("state %s %s\n" % (peer, nb.get("state")))
    elif kind == "update":
        upd = nb.get("message", {}).get("update", {})
        for fam, by_nh in upd.get("announce", {}).items():
            for nh, routes in by_nh.items():
                for r in routes:
                    log.write("update %s announce %s %s\n" % (peer, r.get("nlri", r) if isinstance(r, dict) else r, nh))
        for fam, routes in upd.get("withdraw", {}).items():
            for r in routes:
                log.write("update %s withdraw %s\n" % (peer, r.get("nlri", r) if isinstance(r, dict) else r))
