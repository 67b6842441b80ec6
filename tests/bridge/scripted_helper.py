#!/usr/bin/python3
"""An ExaBGP API helper driven by a file: it prints the command lines of --commands on its
stdout (all at once with --burst, else one at a time waiting for the `done`/`error` answer, as
most helpers written for ExaBGP 4.2 do) and appends every line ExaBGP (here: the bridge) writes
on its stdin to --record. It then keeps reading until its stdin closes.

    scripted_helper.py --commands FILE --record FILE [--burst] [--no-ack] [--never-read]
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
ap.add_argument("--exit-after", type=float, default=-1, help="exit after S seconds")
a = ap.parse_args()

rec = open(a.record, "a", buffering=1)
rec.write("#start %d\n" % os.getpid())

with open(a.commands) as f:
    commands = [line.rstrip("\n") for line in f]

if a.never_read:
    for c in commands:
        sys.stdout.write(c + "\n")
    sys.stdout.flush()
    time.sleep(3600)
    sys.exit(0)


if a.burst:
    sys.stdout.write("".join(c + "\n" for c in commands))
    sys.stdout.flush()
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
for line in sys.stdin:
    rec.write(line)
