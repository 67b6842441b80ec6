#!/usr/bin/python3
"""helper_send.py LINES STATUS [--wait-up]: a classic ExaBGP API helper for the benchmarks.

With --wait-up, waits for the neighbor to come up (the JSON state message on stdin: ExaBGP
starts its helpers before the session), then prints every line of
LINES (ExaBGP API commands) as fast as the pipe takes them, never waiting for the acks, which a
thread reads and counts (exabgp.api.ack: 'done' / 'error' lines). Appends to STATUS:
  first WALL          just before the first line is written
  acked WALL OK ERR   when every line has been answered
Runs the same under ExaBGP 4.2 and under bgpbus-apibridge.
"""
import sys
import threading
import time


def log(status, text):
    with open(status, "a") as f:
        f.write(text + "\n")


def main():
    lines_file, status = sys.argv[1], sys.argv[2]
    wait_up = "--wait-up" in sys.argv[3:]
    with open(lines_file) as f:
        data = f.read()
    total = data.count("\n")
    up = threading.Event()
    acks = {"done": 0, "error": 0}

    def reader():
        for ln in sys.stdin:
            ln = ln.strip()
            if ln in acks:
                acks[ln] += 1
                if acks["done"] + acks["error"] == total:
                    log(status, "acked %.6f %d %d" % (time.time(), acks["done"], acks["error"]))
            elif '"state"' in ln and '"up"' in ln:
                up.set()
        up.set()  # stdin closed: the daemon is going away

    threading.Thread(target=reader, daemon=True).start()
    if wait_up:
        up.wait()
    log(status, "first %.6f" % time.time())
    step = 1 << 16
    for i in range(0, len(data), step):
        sys.stdout.write(data[i:i + step])
    sys.stdout.flush()
    while True:  # a helper lives as long as its daemon
        time.sleep(3600)


if __name__ == "__main__":
    main()
