#!/usr/bin/python3
"""helper_count.py STATUS EXPECT: an ExaBGP API helper that reads every route as JSON.

Counts the announced prefixes of the update messages on stdin (ExaBGP 4.2 JSON, encoder json,
receive { parsed; update; }) and appends to STATUS:
  first WALL           the first update
  reached N WALL       EXPECT prefixes announced
  count N LINES        every 0.1 s while it changes, and when stdin ends
"""
import json
import sys
import time


def main():
    status, expect = sys.argv[1], int(sys.argv[2])
    out = open(status, "a", buffering=1)
    count = lines = 0
    first = reached = False
    last = 0.0
    for ln in sys.stdin:
        if '"update"' not in ln:
            continue
        msg = json.loads(ln)
        lines += 1
        ann = msg.get("neighbor", {}).get("message", {}).get("update", {}).get("announce", {})
        for fam in ann.values():
            for nlris in fam.values():
                count += len(nlris)
        now = time.time()
        if not first:
            first = True
            out.write("first %.6f\n" % now)
        if not reached and count >= expect:
            reached = True
            out.write("reached %d %.6f\n" % (expect, now))
        if now - last >= 0.1:
            last = now
            out.write("count %d %d\n" % (count, lines))
    out.write("count %d %d\n" % (count, lines))


if __name__ == "__main__":
    main()
