#!/usr/bin/python3
"""Speaker system test: routes tied to their owner's life (bgpbus.v1.OwnerSession). An owner
with a heartbeat keeps its routes while it beats (any Request with its owner, here Ping); when
the beats stop while its connection stays open, or it ends the session, or the bus connection
that opened the session closes (the client is killed), its routes are withdrawn on the wire,
and nobody else's are. Sessions are opened from Python clients that stay connected (the
owner-session command of bbclient would end its session as it exits)."""

import os
import signal
import subprocess
import sys
import time

from speaker_lib import BUILD, Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer

sys.path.insert(0, os.path.join(BUILD, "python"))
import bgpbus  # noqa: E402

h = Harness("speaker_owner_session", 67)
LOCAL, A = h.addr(1), h.addr(2)
PORT = h.port()
NH = "198.51.100.9"


def withdrawn(ups):
    return sorted(p for u in ups for p in u.withdrawals())


def test_owner_session():
    sp = Speaker(h, "owners", neighbor_conf(A, LOCAL, 65001, PORT))
    a = ScriptedPeer(local=A, asn=65001)
    a.connect(LOCAL, PORT)
    a.establish()
    a.keepalive_every(10)
    a.updates(3, until=lambda u: any(x.is_eor() for x in u))
    for owner, pfx in (("ctl", "10.67.1.0/24"), ("ctl", "10.67.2.0/24"), ("other", "10.67.3.0/24"),
                       ("quitter", "10.67.4.0/24")):
        sp.client("announce", "--nh", NH, "--owner", owner, pfx)
    a.updates(5, until=lambda u: sum(len(x.announced()) for x in u) >= 4)

    command = "ipc://%s/command.sock" % sp.rt
    ctl = bgpbus.Client(command=command, owner="ctl", timeout=10)
    quitter = bgpbus.Client(command=command, owner="quitter", timeout=10)
    ctl.owner_session(2)
    quitter.owner_session(60)
    # Beats keep the routes: 4 s of pings every 0.5 s, twice the heartbeat.
    for _ in range(8):
        ctl.ping()
        time.sleep(0.5)
    early = a.updates(0.5)
    h.check("routes stay while the owner beats", not withdrawn(early), withdrawn(early))

    # Silence on an open connection: withdrawn within the heartbeat (+ slack), only ctl's.
    wd = a.updates(6, until=lambda u: len(withdrawn(u)) >= 2)
    h.check("heartbeat missed: the owner's routes are withdrawn on the wire",
            withdrawn(wd) == ["10.67.1.0/24", "10.67.2.0/24"], withdrawn(wd))
    out = sp.client("rib-out").stdout
    h.check("other owners' routes stay", "10.67.3.0/24" in out and "10.67.1.0/24" not in out, out)

    quitter.owner_session(60, end=True)
    wd = a.updates(5, until=lambda u: len(withdrawn(u)) >= 1)
    h.check("ending the session withdraws the owner's routes", withdrawn(wd) == ["10.67.4.0/24"],
            withdrawn(wd))
    ctl.close()
    quitter.close()
    r = sp.client("owner-session", "", "2", check=False)
    h.check("an owner session without an owner is refused", r.returncode != 0, r.stdout)
    a.close()
    sp.stop()


# A client that owns routes, in its own process: opens an owner session (heartbeat 600 s, so
# that only the connection close can end it in time), announces, says "ready", then waits.
VICTIM = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
import bgpbus
c = bgpbus.Client(command=sys.argv[2], owner="victim", timeout=10)
c.owner_session(600)
res = c.announce([bgpbus.Route(prefix=p, next_hop=sys.argv[3]) for p in sys.argv[4:]])
assert all(res), res
print("ready", flush=True)
time.sleep(600)
"""


def test_connection_close():
    """SIGKILL of the client that opened the session: its routes are withdrawn at once (the
    nng pipe closes), long before the 600 s heartbeat; a connection that closes without an
    owner session, or that is not the session's, withdraws nothing."""
    local, peer = "127.74.%d.1" % h.sub, "127.74.%d.2" % h.sub
    port = h.port()
    sp = Speaker(h, "close", neighbor_conf(peer, local, 65001, port))
    a = ScriptedPeer(local=peer, asn=65001)
    a.connect(local, port)
    a.establish()
    a.keepalive_every(10)
    a.updates(3, until=lambda u: any(x.is_eor() for x in u))
    command = "ipc://%s/command.sock" % sp.rt
    sp.client("announce", "--nh", NH, "--owner", "victim", "10.74.9.0/24")  # exits: no session
    victim = subprocess.Popen([sys.executable, "-c", VICTIM, os.path.join(BUILD, "python"),
                               command, NH, "10.74.1.0/24", "10.74.2.0/24"],
                              stdout=subprocess.PIPE, text=True)
    h.procs.append(victim)
    h.check("the victim client is ready", victim.stdout.readline().strip() == "ready")
    up = a.updates(5, until=lambda u: sum(len(x.announced()) for x in u) >= 3)
    h.check("the victim's routes reach the peer",
            sorted(p for u in up for p in u.announced()) ==
            ["10.74.1.0/24", "10.74.2.0/24", "10.74.9.0/24"], up)
    # Another client of the same owner connects and leaves: not the session's connection.
    other = bgpbus.Client(command=command, owner="victim", timeout=10)
    other.ping()
    other.close()
    quiet = a.updates(1)
    h.check("another connection of the owner closing withdraws nothing", not withdrawn(quiet),
            withdrawn(quiet))
    t0 = time.monotonic()
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    wd = a.updates(10, until=lambda u: len(withdrawn(u)) >= 3)
    took = time.monotonic() - t0
    h.check("SIGKILL: every route of the owner withdrawn on the wire (%.2f s, heartbeat 600 s)"
            % took, withdrawn(wd) == ["10.74.1.0/24", "10.74.2.0/24", "10.74.9.0/24"] and
            took < 5, (withdrawn(wd), took))
    h.check("the speaker says why", "closed its bus connection" in sp.log_text())
    a.close()
    sp.stop()


h.run("owner session", test_owner_session)
h.run("owner session ends with its connection", test_connection_close)
sys.exit(h.finish())
