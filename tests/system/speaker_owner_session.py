#!/usr/bin/python3
"""Speaker system test: routes tied to their owner's life (bgpbus.v1.OwnerSession). An owner
with a heartbeat keeps its routes while it beats (any Request with its owner, here Ping); when
the beats stop, or it ends the session, its routes are withdrawn on the wire, and nobody
else's are."""

import sys
import time

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer

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

    sp.client("owner-session", "ctl", "2", "--withdraw")
    sp.client("owner-session", "quitter", "60", "--withdraw")
    # Beats keep the routes: 4 s of pings every 0.5 s, twice the heartbeat.
    for _ in range(8):
        sp.client("ping", "--owner", "ctl")
        time.sleep(0.5)
    early = a.updates(0.5)
    h.check("routes stay while the owner beats", not withdrawn(early), withdrawn(early))

    # Silence: withdrawn within the heartbeat (+ slack), only ctl's.
    wd = a.updates(6, until=lambda u: len(withdrawn(u)) >= 2)
    h.check("heartbeat missed: the owner's routes are withdrawn on the wire",
            withdrawn(wd) == ["10.67.1.0/24", "10.67.2.0/24"], withdrawn(wd))
    out = sp.client("rib-out").stdout
    h.check("other owners' routes stay", "10.67.3.0/24" in out and "10.67.1.0/24" not in out, out)

    sp.client("owner-end", "quitter")
    wd = a.updates(5, until=lambda u: len(withdrawn(u)) >= 1)
    h.check("ending the session withdraws the owner's routes", withdrawn(wd) == ["10.67.4.0/24"],
            withdrawn(wd))
    r = sp.client("owner-session", "", "2", check=False)
    h.check("an owner session without an owner is refused", r.returncode != 0, r.stdout)
    a.close()
    sp.stop()


h.run("owner session", test_owner_session)
sys.exit(h.finish())
