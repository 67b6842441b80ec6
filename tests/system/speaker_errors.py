#!/usr/bin/python3
"""Speaker system test: malformed UPDATEs (RFC 7606: session reset, treat-as-withdraw,
attribute discard), OPEN errors (RFC 4271 6.2) and hold timer expiry (RFC 4271 6.5), each
against the real speaker with scripted peers that check the exact NOTIFICATION received."""

import sys
import time

from speaker_lib import Harness, Speaker, Watcher, neighbor_conf
from scripted_peer import (F_OPT, F_TRANS, ScriptedPeer, as_path, attr, mp_reach, next_hop,
                           origin, update)

h = Harness("speaker_errors", 61)
LOCAL, A, B = h.addr(1), h.addr(2), h.addr(3)
PORT = h.port()
AS_A, AS_B = 65001, 65002


def attrs_for(asn, nh="198.51.100.9", org=None):
    return (org if org is not None else origin(0)) + as_path([asn]) + next_hop(nh)


def start():
    conf = (neighbor_conf(A, LOCAL, AS_A, PORT, extra="\thold-time 30;\n")
            + neighbor_conf(B, LOCAL, AS_B, PORT, extra="\thold-time 30;\n\tadj-rib-in true;\n"))
    return Speaker(h, "errors", conf)


def peer(addr, asn, **kw):
    p = ScriptedPeer(local=addr, asn=asn, **kw)
    p.connect(LOCAL, PORT)
    return p


def test_update_errors():
    sp = start()
    w = Watcher(sp, "--topic", "ev/")
    b = peer(B, AS_B)
    b.establish()
    b.keepalive_every(3)
    b.send_update(update(attrs=attrs_for(AS_B), nlri=["10.62.0.0/24", "10.62.1.0/24"]))
    h.check("B's routes announced", w.wait_for("update %s announce ipv4 10.62.1.0/24" % B))
    sp.client("announce", "--nh", "198.51.100.1", "--neighbor", B, "10.99.0.0/24")
    h.check("B receives our route", b.updates(10, until=lambda u: any(
        "10.99.0.0/24" in x.announced() for x in u)) is not None)

    a = peer(A, AS_A)
    a.establish()
    a.keepalive_every(3)
    a.send_update(update(attrs=attrs_for(AS_A), nlri=["10.61.1.0/24", "10.61.2.0/24"]))
    h.check("A's routes announced", w.wait_for("update %s announce ipv4 10.61.2.0/24" % A))

    # RFC 7606 7.1: an ORIGIN with an undefined value is treat-as-withdraw.
    a.send_update(update(attrs=attrs_for(AS_A, org=origin(7)), nlri=["10.61.1.0/24"]))
    h.check("treat-as-withdraw: route reported withdrawn",
            w.wait_for("update %s withdraw ipv4 10.61.1.0/24" % A))
    time.sleep(0.3)
    h.check("treat-as-withdraw: session stays up", sp.neighbor_state(A) == "established"
            and not a.closed.is_set())
    h.check("treat-as-withdraw logged", "treated as withdraw" in sp.log_text())

    # RFC 7606 7.6: ATOMIC_AGGREGATE with a length other than 0 is attribute discard.
    bad_atomic = attr(F_TRANS, 6, b"\x01")
    a.send_update(update(attrs=attrs_for(AS_A) + bad_atomic, nlri=["10.61.3.0/24"]))
    line = w.wait_for("update %s announce ipv4 10.61.3.0/24" % A)
    h.check("attribute discard: route still announced", line, sp.log_text()[-1500:])
    time.sleep(0.3)
    h.check("attribute discard: session stays up", sp.neighbor_state(A) == "established")

    # RFC 7606 3 (g): MP_REACH_NLRI twice is a session reset, UPDATE error 3/1.
    mp = mp_reach(2, 1, "2001:db8::1", ["2001:db8:61::/48"])
    a.send_update(update(attrs=mp + origin(0) + as_path([AS_A]) + mp))
    code, sub, _ = a.wait_notification(5)
    h.check("duplicate MP_REACH: NOTIFICATION 3/1", (code, sub) == (3, 1), "%d/%d" % (code, sub))
    h.check("A reported down", w.wait_for(lambda s: s.startswith("state %s down" % A), 5),
            "\n".join(w.matching("state")))
    time.sleep(1)
    h.check("B stays established", sp.neighbor_state(B) == "established" and not b.closed.is_set())
    h.check("B's routes not withdrawn", not w.matching("update %s withdraw" % B))
    r = sp.client("rib-in", "--neighbor", B, check=False)
    rib = r.stdout + r.stderr
    h.check("B's routes still in the Adj-RIB-In", "10.62.0.0/24" in rib and "10.62.1.0/24" in rib,
            rib)
    got = b.updates(2, quiet=1)
    h.check("B got no withdrawal of our route",
            not any("10.99.0.0/24" in u.withdrawals() for u in got))
    a.close()
    b.close()
    h.check("speaker exits 0 on TERM", sp.stop() == 0)


def open_error(name, expect, **open_args):
    a = peer(A, open_args.pop("asn", AS_A))
    a.send_open(**open_args)
    try:
        code, sub, _ = a.wait_notification(5)
    except Exception as e:  # noqa: BLE001
        code, sub = -1, -1
        print("   ", e)
    h.check("%s: NOTIFICATION %d/%d" % (name, expect[0], expect[1]), (code, sub) == expect,
            "got %d/%d" % (code, sub))
    a.close()


def test_open_errors():
    sp = start()
    open_error("wrong peer AS", (2, 2), asn=65099)
    open_error("hold time 1", (2, 6), hold=1)
    open_error("version 3", (2, 1), version=3)
    h.check("speaker still running", sp.proc.poll() is None)
    sp.stop()


def test_hold_timer():
    sp = start()
    a = peer(A, AS_A, hold=3)
    a.establish()
    t0 = time.monotonic()
    # Silent from now on: no KEEPALIVE, so the speaker's hold timer (3 s) must expire.
    code, sub, _ = a.wait_notification(8)
    dt = time.monotonic() - t0
    h.check("hold timer expired: NOTIFICATION 4/0", (code, sub) == (4, 0), "%d/%d" % (code, sub))
    h.check("after about 3 s (%.1fs)" % dt, 2.0 <= dt <= 5.0)
    a.close()
    sp.stop()


h.run("update errors", test_update_errors)
h.run("open errors", test_open_errors)
h.run("hold timer", test_hold_timer)
sys.exit(h.finish())
