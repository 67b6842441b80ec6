#!/usr/bin/python3
"""The example helper of docker/compose.yaml, run by bgpbus-apibridge as ExaBGP would run it.

Announces three routes to the BIRD peer (waiting for each `done`), then prints every JSON event
it reads on stdin to stderr, which is the apibridge container's log:
    docker-compose -f docker/compose.yaml logs apibridge
Routes the peer sends show as `helper: received 203.0.113.0/24 from 10.179.0.20` lines, each
followed by the ExaBGP JSON it came in."""
import json
import sys
import threading

acks = []
cond = threading.Condition()


def log(text):
    sys.stderr.write("helper: " + text + "\n")
    sys.stderr.flush()


def received_prefixes(event):
    """The prefixes of an ExaBGP 4.2 update event: neighbor.message.update.announce.FAMILY.NH."""
    update = event.get("neighbor", {}).get("message", {}).get("update", {})
    for family in update.get("announce", {}).values():
        for routes in family.values():
            for route in routes:
                yield route.get("nlri", "?") if isinstance(route, dict) else str(route)


def reader():
    for line in sys.stdin:
        line = line.strip()
        if line in ("done", "error"):
            with cond:
                acks.append(line)
                cond.notify()
            continue
        try:
            event = json.loads(line)
        except ValueError:
            log("not JSON: " + line)
            continue
        peer = event.get("neighbor", {}).get("address", {}).get("peer", "?")
        if event.get("type") == "state":
            log("neighbor %s is %s" % (peer, event["neighbor"].get("state")))
        for prefix in received_prefixes(event):
            log("received %s from %s" % (prefix, peer))
        log("json " + line)
    with cond:  # stdin closed: the bridge is stopping
        acks.append("eof")
        cond.notify()


def send(command):
    with cond:
        n = len(acks)
        sys.stdout.write(command + "\n")
        sys.stdout.flush()
        cond.wait_for(lambda: len(acks) > n, timeout=30)
        answer = acks[n] if len(acks) > n else "timeout"
    log("%s: %s" % (command, answer))


threading.Thread(target=reader, daemon=True).start()
for i in range(1, 4):
    send("announce route 100.10.%d.0/24 next-hop self community [65000:%d] med %d" % (i, i, 10 * i))
with cond:
    cond.wait_for(lambda: "eof" in acks)
