#!/usr/bin/python3
"""The API helper of the end-to-end conformance harness: what an ExaBGP `process` script does.

    e2e_helper.py PLAN.json

PLAN: {"lines": [...] (a line "sleep S" pauses S seconds), "started": FILE (created at start), "go": FILE, "record": FILE, "sent": FILE, "others": [FILE...],
"ack_timeout": S}. A `shutdown` line waits until the other helpers' `sent` files end.
It waits until the harness creates `go` (the BGP session is up: ExaBGP's scripts sleep first for
the same reason), then writes each line and waits for its ack as ExaBGP's run/exabgp_api.py
wait_for_ack does (`done`, `error`, `shutdown`, or JSON {"answer": ...}; on a timeout it goes
on, as those scripts do). Everything read on stdin is appended to `record`, one line each; `sent`
gets one line per command written, then "end". It exits at EOF or on `shutdown`.
"""

import json
import os
import queue
import sys
import threading
import time


def finished(path):
    try:
        with open(path) as f:
            return "end" in f.read().splitlines()
    except OSError:
        return False


def main():
    with open(sys.argv[1]) as f:
        plan = json.load(f)
    acks = queue.Queue()
    record = open(plan["record"], "a", buffering=1)
    sent = open(plan["sent"], "a", buffering=1)

    def reader():
        for line in sys.stdin:
            line = line.rstrip("\n")
            record.write(line + "\n")
            word = line.strip()
            if word in ("done", "error"):
                acks.put(word)
            elif word.startswith("shutdown") or '"notification": "shutdown"' in word:
                acks.put("shutdown")
            elif word.startswith("{"):
                try:
                    answer = json.loads(word).get("answer")
                except (ValueError, AttributeError):
                    answer = None
                if answer in ("done", "error"):
                    acks.put(answer)
        acks.put("eof")

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    open(plan["started"], "w").close()
    deadline = time.monotonic() + float(plan.get("start_timeout", 60))
    while not os.path.exists(plan["go"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    acking = True
    for line in plan["lines"]:
        if line.strip() == "shutdown":
            # ExaBGP's scripts end a test with it: it comes after every other helper's lines
            end = time.monotonic() + 30
            while time.monotonic() < end and not all(finished(p) for p in plan["others"]):
                time.sleep(0.05)
        words = line.split()
        if len(words) == 2 and words[0] == "sleep":  # a pause of ExaBGP's qa scripts
            time.sleep(float(words[1]))
            continue
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            return 0
        # SPEC 0.1: silence-ack turns acks off and is not answered; disable-ack is answered once,
        # then acks are off; enable-ack turns them on and is answered.
        words = line.split()
        verb = words[-1] + "-ack" if words[:2] == ["session", "ack"] and len(words) == 3 \
            else line.strip()
        if verb == "silence-ack":
            acking = False
        elif verb == "enable-ack":
            acking = True
        if acking:
            try:
                ack = acks.get(timeout=float(plan.get("ack_timeout", 5)))
            except queue.Empty:
                ack = "timeout"
        else:
            time.sleep(0.1)  # as ExaBGP's scripts do when they expect no ack
            ack = "none"
        if verb == "disable-ack":
            acking = False
        sent.write("%s\t%s\n" % (ack, line))
        if ack in ("shutdown", "eof"):
            break
    sent.write("end\n")
    t.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
