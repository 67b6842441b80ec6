#!/usr/bin/python3
"""service-announcer: an ExaBGP 4.2 API helper, written for ExaBGP and nothing else.

It announces the routes of a service (IPv4 and IPv6, with attributes), waits for ExaBGP's
`done` or `error` after every command (exabgp.api.ack, on by default in 4.2), reads ExaBGP's
JSON events (encoder json), withdraws one route when the service goes into maintenance (a file
appears), and exits when ExaBGP announces its shutdown.

Environment (both optional):
  HELPER_LOG          file to append what it sends and reads (default: stderr)
  HELPER_MAINTENANCE  file whose existence puts the service into maintenance
                      (default: /etc/exabgp/maintenance)

bgpbus's tests run this file unchanged under the real ExaBGP 4.2 and under bgpbus-apibridge
(tests/system/bridge_bird.sh).
"""
import json
import os
import queue
import sys
import threading
import time

LOG_PATH = os.environ.get("HELPER_LOG")
MAINTENANCE = os.environ.get("HELPER_MAINTENANCE", "/etc/exabgp/maintenance")
ACK_TIMEOUT = 30

SERVICE = [
    "announce route 203.0.113.0/26 next-hop self origin igp med 10 community [ 65000:1 65000:2 ]",
    "announce route 203.0.113.64/26 next-hop self origin incomplete as-path [ 65000 64999 ] community [ 65000:3 ]",
    "announce route 2001:db8:42::/48 next-hop 2001:db8::42 origin igp as-path [ 65000 64998 ] med 60 community [ 65000:6 ]",
]
# Drained when the service goes into maintenance.
DRAINABLE = "route 198.18.7.0/24 next-hop self origin egp med 70 community [ 65000:7 ]"

lines = queue.Queue()
log = open(LOG_PATH, "a", buffering=1) if LOG_PATH else sys.stderr


def reader():
    # ExaBGP writes acks and events on the same pipe; None marks its end.
    for line in sys.stdin:
        lines.put(line.strip())
    lines.put(None)


def handle_event(line):
    """Logs one JSON event; returns False when it is the shutdown notification."""
    try:
        event = json.loads(line)
    except ValueError:
        log.write("unparsed: %s\n" % line)
        return True
    log.write(line + "\n")
    if event.get("type") == "state":
        neighbor = event["neighbor"]
        log.write("peer %s is %s\n" % (neighbor["address"]["peer"], neighbor["state"]))
    elif event.get("type") == "update":
        update = event["neighbor"]["message"].get("update", {})
        for family, nexthops in update.get("announce", {}).items():
            for nexthop, nlris in nexthops.items():
                for nlri in nlris:
                    log.write("learned %s %s via %s\n" % (family, nlri["nlri"], nexthop))
    return not (event.get("type") == "notification" and event.get("notification") == "shutdown")


def wait_event(timeout):
    """Handles the lines that come within timeout; False when ExaBGP shuts down."""
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        return True
    if line is None:
        return False
    if line in ("done", "error"):
        log.write("unexpected %s\n" % line)
        return True
    return handle_event(line)


def send(command):
    """Writes one command and waits for its ack, handling the events that come first."""
    sys.stdout.write(command + "\n")
    sys.stdout.flush()
    log.write(">> %s\n" % command)
    deadline = time.monotonic() + ACK_TIMEOUT
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            log.write("<< timeout\n")
            return False
        if line is None:
            sys.exit(0)
        if line in ("done", "error"):
            log.write("<< %s\n" % line)
            return line == "done"
        if not handle_event(line):
            log.write("exit: shutdown\n")
            sys.exit(0)


def main():
    threading.Thread(target=reader, daemon=True).start()
    for command in SERVICE:
        send(command)
    send("announce " + DRAINABLE)
    drained = False
    while wait_event(0.2):
        if not drained and os.path.exists(MAINTENANCE):
            send("withdraw " + DRAINABLE)
            drained = True
    log.write("exit: shutdown\n")


if __name__ == "__main__":
    main()
