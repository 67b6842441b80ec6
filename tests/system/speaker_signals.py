#!/usr/bin/python3
"""Speaker system test: signals and shutdown as a scripted peer sees them. SIGUSR1 reloads a
changed static route without dropping the session; SIGALRM restarts the sessions; SIGTERM and
`bbclient shutdown` send Cease 6/2 (RFC 4486) and exit 0 within 2 s."""

import signal
import sys
import time

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer

h = Harness("speaker_signals", 65)
LOCAL, A = h.addr(1), h.addr(2)
PORT = h.port()


def conf(nh):
    return neighbor_conf(A, LOCAL, 65001, PORT, extra="\thold-time 30;\n",
                         static="\t\troute 10.70.0.0/24 next-hop %s;\n" % nh)


def peer():
    p = ScriptedPeer(local=A, asn=65001)
    p.connect(LOCAL, PORT)
    p.establish()
    p.keepalive_every(5)
    return p


def route_nh(p, timeout=5):
    got = p.updates(timeout, until=lambda u: any("10.70.0.0/24" in x.announced() for x in u))
    return [x for x in got if "10.70.0.0/24" in x.announced()][-1].nexthop_v4()


def test_reload_restart_term():
    sp = Speaker(h, "signals", conf("198.51.100.1"))
    a = peer()
    h.check("static route sent", route_nh(a) == "198.51.100.1")
    sp.write_conf(conf("198.51.100.2"))
    sp.signal(signal.SIGUSR1)
    h.check("SIGUSR1: the changed route is re-sent", route_nh(a) == "198.51.100.2")
    time.sleep(0.5)
    h.check("SIGUSR1: the session stayed up", not a.closed.is_set()
            and sp.neighbor_state(A) == "established")

    sp.signal(signal.SIGALRM)
    a.closed.wait(5)
    h.check("SIGALRM: the session is restarted", a.closed.is_set())
    a.close()
    a = peer()
    h.check("SIGALRM: re-established with the route", route_nh(a) == "198.51.100.2"
            and sp.wait_state(A, "established", 5))

    t0 = time.monotonic()
    sp.signal(signal.SIGTERM)
    code, sub, _ = a.wait_notification(3)
    h.check("SIGTERM: Cease 6/2 received", (code, sub) == (6, 2), "%d/%d" % (code, sub))
    try:
        rc = sp.proc.wait(2.5 - (time.monotonic() - t0))
    except Exception:  # noqa: BLE001
        rc = None
    h.check("SIGTERM: exit 0 within 2 s (%.2fs)" % (time.monotonic() - t0), rc == 0, str(rc))
    a.close()


def test_bbclient_shutdown():
    sp = Speaker(h, "shutdown", conf("198.51.100.1"))
    a = peer()
    route_nh(a)
    t0 = time.monotonic()
    sp.client("shutdown")
    code, sub, _ = a.wait_notification(3)
    h.check("bbclient shutdown: Cease 6/2 received", (code, sub) == (6, 2), "%d/%d" % (code, sub))
    try:
        rc = sp.proc.wait(2.5 - (time.monotonic() - t0))
    except Exception:  # noqa: BLE001
        rc = None
    h.check("bbclient shutdown: exit 0 within 2 s (%.2fs)" % (time.monotonic() - t0), rc == 0,
            str(rc))
    a.close()


h.run("reload, restart, TERM", test_reload_restart_term)
h.run("bbclient shutdown", test_bbclient_shutdown)
sys.exit(h.finish())
