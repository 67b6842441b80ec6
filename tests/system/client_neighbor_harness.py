#!/usr/bin/python3
"""Harness of the clients' neighbor tests: the real bgpbus-speaker started with no neighbor
at all, and a real BIRD (passive, AS 65001) waiting on loopback for a speaker that a client
adds at run time (client_py_neighbor.py, client_js_neighbor.js).

As a program: `client_neighbor_harness.py run NET CMD...` brings up both (addresses
127.NET.x.y), runs CMD with BGPBUS_COMMAND_URL, BGPBUS_EVENTS_URL, BIRD_DIR, PEER_ADDR,
LOCAL_ADDR, BIRD_PORT, SPEAKER_PORT, BGPBUS_PEERS in its environment, stops everything and
exits with CMD's status."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_py_harness import SOURCE, Setup  # noqa: E402
from speaker_lib import Harness, Speaker  # noqa: E402


class BareSetup(Setup):
    """The speaker (AS 65000, no neighbor) and BIRD on 127.<net>.<pid>.{1,2}; BIRD listens on
    bird_port and expects the speaker to connect from local (the neighbor a client adds)."""

    def __init__(self, h, name):  # noqa: super().__init__ would want a configured neighbor
        self.h = h
        self.local, self.peer = h.addr(1), h.addr(2)
        self.sp_port, self.bird_port = h.port(), h.port()
        self.sp = Speaker(h, name, "# no neighbor: the test adds it over the bus\n")
        self.command = "ipc://%s/command.sock" % self.sp.rt
        self.events = "ipc://%s/events.sock" % self.sp.rt
        self.bird_dir = os.path.join(h.dir, name + "-bird")
        self.bird("start", "--local-addr", self.peer, "--local-as", "65001",
                  "--peer-addr", self.local, "--peer-as", "65000",
                  "--listen-port", str(self.bird_port), "--peer-port", str(self.sp_port),
                  "--families", "ipv4,ipv6", "--next-hop", "198.51.100.2", "--passive",
                  "--hold", "30")

    def bird_state(self):
        """BIRD's view of the session: "Established", or its FSM state."""
        return self.bird("state", check=False).stdout.strip()

    def env(self):
        return dict(super().env(), BIRD_PORT=str(self.bird_port),
                    SPEAKER_PORT=str(self.sp_port), BGPBUS_SOURCE=SOURCE)


def main():
    if len(sys.argv) < 4 or sys.argv[1] != "run":
        sys.exit("usage: client_neighbor_harness.py run NET CMD...")
    h = Harness("client_neighbor_run", int(sys.argv[2]))
    s = None
    rc = 1
    try:
        s = BareSetup(h, "run")
        rc = subprocess.run(sys.argv[3:], env=s.env(), timeout=150).returncode
    finally:
        if s:
            s.stop()
        h.stop_all()
    sys.exit(rc)


if __name__ == "__main__":
    main()
