#!/usr/bin/python3
"""Harness of the client system tests: the real bgpbus-speaker with a real BIRD peer (eBGP,
IPv4 + IPv6, on loopback addresses and ports unique to this process), and the bus URLs the
Python and JS clients under test use.

As a program: `client_py_harness.py run CMD...` brings up the speaker and BIRD, runs CMD with
BGPBUS_COMMAND_URL, BGPBUS_EVENTS_URL, BGPBUS_RUNTIME_DIR, BIRD_DIR, PEER_ADDR, LOCAL_ADDR in
its environment, stops everything and exits with CMD's status (tests/system/client_js_*.sh)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from speaker_lib import BBCLIENT, BUILD, Harness, Speaker, Watcher, neighbor_conf  # noqa: E402,F401

SOURCE = os.environ.get("BGPBUS_SOURCE",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
PEERS = os.path.join(SOURCE, "tests", "peers")
PYTHONPATH = os.path.join(BUILD, "python")
JS_DIR = os.path.join(SOURCE, "clients", "js")


class Setup:
    """Speaker (AS 65000, active) <-> BIRD (AS 65001) on 127.<net>.<pid>.{1,2}."""

    def __init__(self, h, name):
        self.h = h
        self.local, self.peer = h.addr(1), h.addr(2)
        sp_port, bird_port = h.port(), h.port()
        conf = neighbor_conf(self.peer, self.local, 65001, sp_port, connect=bird_port,
                             passive=False)
        self.sp = Speaker(h, name, conf)
        self.command = "ipc://%s/command.sock" % self.sp.rt
        self.events = "ipc://%s/events.sock" % self.sp.rt
        self.bird_dir = os.path.join(h.dir, name + "-bird")
        self.bird("start", "--local-addr", self.peer, "--local-as", "65001",
                  "--peer-addr", self.local, "--peer-as", "65000", "--listen-port", str(bird_port),
                  "--peer-port", str(sp_port), "--families", "ipv4,ipv6",
                  "--next-hop", "198.51.100.2", "--passive", "--hold", "30")
        if not self.sp.wait_state(self.peer, "established", 30):
            raise RuntimeError("session with BIRD not established:\n%s" %
                               self.sp.log_text()[-3000:])

    def bird(self, cmd, *args, check=True, timeout=90):
        r = subprocess.run([os.path.join(PEERS, "bird.sh"), cmd, "--dir", self.bird_dir] +
                           list(args), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("bird.sh %s: rc %d: %s%s" % (cmd, r.returncode, r.stdout,
                                                           r.stderr))
        return r

    def bird_dump(self, family="ipv4"):
        return self.bird("routes", "--family", family, "--dump").stdout.splitlines()

    def bird_announce(self, lines, withdraw=False):
        path = os.path.join(self.h.dir, "bird-routes-%d.txt" % self.h.port())
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in lines))
        self.bird("withdraw" if withdraw else "announce", path)

    def env(self):
        return dict(os.environ, BGPBUS_COMMAND_URL=self.command, BGPBUS_EVENTS_URL=self.events,
                    BGPBUS_RUNTIME_DIR=self.sp.rt, BIRD_DIR=self.bird_dir, PEER_ADDR=self.peer,
                    LOCAL_ADDR=self.local, PYTHONPATH=PYTHONPATH, BGPBUS_PEERS=PEERS)

    def stop(self):
        subprocess.run([os.path.join(PEERS, "stop-all.sh"), "--root", self.h.dir],
                       capture_output=True, timeout=60)
        self.sp.stop()


def wait_until(fn, timeout=20, step=0.2):
    import time
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def main():
    if len(sys.argv) < 3 or sys.argv[1] != "run":
        sys.exit("usage: client_py_harness.py run CMD...")
    h = Harness("client_run", 43)
    s = None
    rc = 1
    try:
        s = Setup(h, "run")
        rc = subprocess.run(sys.argv[2:], env=s.env(), timeout=120).returncode
    finally:
        if s:
            s.stop()
        h.stop_all()
    sys.exit(rc)


if __name__ == "__main__":
    main()
