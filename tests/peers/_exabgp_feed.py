#!/usr/bin/python3
"""ExaBGP API helper: follow a command file (like tail -f) and hand every new line to ExaBGP.
usage (from exabgp.conf): _exabgp_feed.py FILE"""
import os, sys, time

with open(sys.argv[1]) as f:
    buf, kicks = '', 0
    while True:
        chunk = f.read(1 << 20)
        if chunk:
            kicks = 200
            buf += chunk
            lines, _, buf = buf.rpartition('\n')
            if lines:
                sys.stdout.write(lines + '\n')
            continue
        sys.stdout.flush()
        if os.getppid() == 1:        # ExaBGP is gone
            break
        time.sleep(0.05)
        # ExaBGP 4.2 reads this pipe through a buffered file object (16 KiB per turn, only when
        # poll() says readable): the tail of a burst can stay in its buffer until more input
        # arrives.  A few empty lines after each burst (ignored, logged as not understood) fix it.
        if kicks:
            kicks -= 1
            if kicks % 4 == 0:
                sys.stdout.write('\n')
