#!/usr/bin/python3
"""An ExaBGP 4.2-style helper: announces a few routes, waits for each `done`, withdraws one,
and logs every JSON event it reads on stdin to a file. Runs unchanged under ExaBGP or bgpbus."""
import json
import os
import sys
import threading
import time

LOG = os.environ.get("DEMO_EVENTS_LOG", "/tmp/bgpbus-demo-events.log")
acks = []
cond = threading.Condition()


def reader():
    with open(LOG, "a") as log:
        for line in sys.stdin:
            line = line.strip()
            if line in ("done", "error"):
                with cond:
                    acks.append(line)
                    cond.notify()
                continue
            log.write(line + "\n")
            log.flush()
            try:
                if json.loads(line).get("type") == "notification":
                    break  # the shutdown event
            except ValueError:
                pass


def send(command):
    with cond:
        n = len(acks)
        sys.stdout.write(command + "\n")
        sys.stdout.flush()
        cond.wait_for(lambda: len(acks) > n, timeout=30)
        return acks[n] if len(acks) > n else "timeout"


threading.Thread(target=reader, daemon=True).start()
for i in range(1, 4):
    send(f"announce route 100.10.{i}.0/24 next-hop self community [65000:{i}] med {10 * i}")
send("announce route 2001:db8:100::/48 next-hop 2001:db8::1 as-path [ 65000 65100 ]")
send("announce route 100.10.9.0/24 next-hop self")
time.sleep(1)
send("withdraw route 100.10.9.0/24")
while True:
    time.sleep(60)
