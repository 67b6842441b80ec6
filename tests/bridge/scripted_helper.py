#!/usr/bin/python3
"""An ExaBGP API helper driven by a file: it prints the command lines of --commands on its
stdout (all at once with --burst, else one at a time waiting for the `done`/`error` answer, as
most helpers written for ExaBGP 4.2 do) and appends every line ExaBGP (here: the bridge) writes
on its stdin to --record. It then keeps reading until its stdin closes.

    scripted_helper.py --commands FILE --record FILE [--burst] [--no-ack] [--never-read]
                       [--read-after S] [--exit-after S] [--wait-file F] [--exit]
--wait-file F: writes nothing before the file F exists (lets a test pick the moment).
--exit: exits once every command was answered (one at a time mode).
--read-after S: writes its commands at once, reads nothing for S seconds (a helper busy
elsewhere: the bridge's buffer for it fills), then records everything like --burst.
"""

import argparse
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--commands", required=True)
ap.add_argument("--record", required=True)
ap.add_argument("--burst", action="store_true", help="write every command without waiting")
ap.add_argument("--never-read", action="store_true", help="never read stdin (a stuck helper)")
ap.add_argument("--read-after", type=float, default=-1, help="start reading after S seconds")
ap.add_argument("--wait-file", help="write the commands once this file exists")
ap.add_argument("--exit", action="store_true", help="exit after the last answer")
ap.add_argument("--exit-after", type=float, default=-1, help="exit after S seconds")
a = ap.parse_args()

rec = open(a.record, "a", buffering=1)
rec.write("#start %d\n" % os.getpid())

while a.wait_file and not os.path.exists(a.wait_file):
    time.sleep(0.05)
if a.wait_file:
    os.unlink(a.wait_file)  # once: a restarted helper waits for the next one

with open(a.commands) as f:
    commands = [line.rstrip("\n") for line in f]

if a.never_read:
    for c in commands:
        sys.stdout.write(c + "\n")
    sys.stdout.flush()
    time.sleep(3600)
    sys.exit(0)


if a.burst or a.read_after >= 0:
    sys.stdout.write("".join(c + "\n" for c in commands))
    sys.stdout.flush()
    if a.read_after > 0:
        time.sleep(a.read_after)
        rec.write("#reading\n")
    start = time.monotonic()
    for line in sys.stdin:
        rec.write(line)
        if a.exit_after >= 0 and time.monotonic() - start > a.exit_after:
            break
    sys.exit(0)

for c in commands:
    sys.stdout.write(c + "\n")
    sys.stdout.flush()
    # Wait for the answer, as 4.2 helpers do; events may come before it.
    while True:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)
        rec.write(line)
        if line.strip() in ("done", "error"):
            break
if a.exit:
    sys.exit(0)
for line in sys.stdin:
    rec.write(line)
