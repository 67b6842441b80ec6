#!/usr/bin/python3
"""Speaker system test: the Adj-RIB-Out as seen on the wire by a scripted peer. Coalescing and
packing (10,000 routes announced while the session is down arrive in the fewest 4096-octet
UPDATEs, then End-of-RIB), no re-send of unchanged routes, per-route changes, packed
withdrawals; `auto-flush false`; route owners; `manual-eor`; next-hop self."""

import math
import sys
import time

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer

h = Harness("speaker_adjout", 64)
LOCAL, A, C, D = h.addr(1), h.addr(2), h.addr(3), h.addr(4)
PORT = h.port()
N = 10000
NH = "198.51.100.7"


def start():
    conf = (neighbor_conf(A, LOCAL, 65001, PORT)
            + neighbor_conf(C, LOCAL, 65003, PORT, extra="\tauto-flush false;\n")
            + neighbor_conf(D, LOCAL, 65004, PORT, extra="\tmanual-eor true;\n"))
    return Speaker(h, "adjout", conf)


def peer(addr, asn):
    p = ScriptedPeer(local=addr, asn=asn)
    p.connect(LOCAL, PORT)
    p.establish()
    p.keepalive_every(10)
    return p


def is_eor(u):
    return u.is_eor() == (1, 1)


def both_eors(ups):
    """End-of-RIB for both configured families (RFC 4724 2) has arrived."""
    seen = {u.is_eor() for u in ups}
    return (1, 1) in seen and (2, 1) in seen


def test_packing(sp):
    sp.client("announce", "--nh", NH, "--aspath", "65000", "--origin", "igp", "--neighbor", A,
              "--count", str(N), "10.64.0.0/24")
    a = peer(A, 65001)
    got = a.updates(60, until=both_eors)
    ups = [u for u in got if not u.is_eor()]
    prefixes = [p for u in ups for p in u.announced()]
    h.check("all %d routes received once" % N, len(prefixes) == N and len(set(prefixes)) == N,
            "%d (%d distinct)" % (len(prefixes), len(set(prefixes))))
    attr_len = len(ups[0].body) - 4 - 4 * len(ups[0].nlri)
    per_msg = (4096 - 19 - 4 - attr_len) // 4
    want = math.ceil(N / per_msg)
    h.check("packed into the minimum %d UPDATEs" % want, len(ups) == want, "got %d" % len(ups))
    full = [len(u.body) + 19 for u in ups[:-1]]
    h.check("every UPDATE but the last within 4 octets of 4096", all(4092 < n <= 4096 for n in full),
            str(sorted(set(full))[:5]))
    h.check("End-of-RIB after the routes", all(u.is_eor() for u in got[len(ups):]))
    h.check("next hop and AS path as announced",
            ups[0].nexthop_v4() == NH and ups[0].as_path_list() == [65000])

    sp.client("announce", "--nh", NH, "--aspath", "65000", "--origin", "igp", "--neighbor", A,
              "--count", str(N), "10.64.0.0/24")
    again = a.updates(1.5)
    h.check("re-announcing the same routes sends nothing", not again,
            [(u.announced()[:4], len(u.announced()), u.withdrawals()[:4]) for u in again])

    sp.client("announce", "--nh", NH, "--aspath", "65000", "--origin", "igp", "--med", "5",
              "--neighbor", A, "10.64.7.0/24")
    changed = a.updates(5, until=lambda u: len(u) >= 1)
    changed += a.updates(1)
    h.check("changing one route re-sends just it",
            len(changed) == 1 and changed[0].announced() == ["10.64.7.0/24"]
            and changed[0].med() == 5, [u.announced()[:3] for u in changed])

    sp.client("withdraw", "--neighbor", A, "--count", str(N), "10.64.0.0/24")
    wd = a.updates(30, until=lambda u: sum(len(x.withdrawals()) for x in u) >= N)
    wd += a.updates(1)
    withdrawn = [p for u in wd for p in u.withdrawals()]
    want = math.ceil(N * 4 / (4096 - 19 - 4))
    h.check("all withdrawn", len(set(withdrawn)) == N and len(withdrawn) == N, str(len(withdrawn)))
    h.check("withdrawals packed into %d UPDATEs" % want, len(wd) == want, "got %d" % len(wd))
    return a


def test_owners(sp, a):
    for owner, pfx in (("a", "10.65.1.0/24"), ("a", "10.65.2.0/24"), ("b", "10.65.3.0/24")):
        sp.client("announce", "--nh", NH, "--owner", owner, "--neighbor", A, pfx)
    a.updates(5, until=lambda u: sum(len(x.announced()) for x in u) >= 3)
    out = sp.client("rib-out", "--neighbor", A, "--owner", "a").stdout
    h.check("rib-out --owner a lists only a's routes",
            "10.65.1.0/24" in out and "10.65.2.0/24" in out and "10.65.3.0/24" not in out, out)
    sp.client("withdraw-owner", "a")
    wd = a.updates(5, until=lambda u: sum(len(x.withdrawals()) for x in u) >= 2)
    wd += a.updates(1)
    withdrawn = sorted(p for u in wd for p in u.withdrawals())
    h.check("withdraw-owner a withdraws only a's routes on the wire",
            withdrawn == ["10.65.1.0/24", "10.65.2.0/24"], str(withdrawn))
    out = sp.client("rib-out", "--neighbor", A).stdout
    h.check("b's route stays in the Adj-RIB-Out", "10.65.3.0/24" in out and "10.65.1.0/24" not in out,
            out)


def test_nexthop_self(sp, a):
    sp.client("announce", "--nh", "self", "--neighbor", A, "10.66.0.0/24")
    u = a.updates(5, until=lambda u: u)
    h.check("next-hop self is the session's local address (%s)" % LOCAL,
            u[0].nexthop_v4() == LOCAL, u[0].nexthop_v4())


def test_auto_flush(sp):
    c = peer(C, 65003)
    c.updates(3, until=both_eors)
    sp.client("announce", "--nh", NH, "--neighbor", C, "10.67.0.0/24")
    early = c.updates(1.5)
    h.check("auto-flush false: nothing on the wire before flush", not early,
            [(u.announced(), u.is_eor()) for u in early])
    sp.client("flush")
    got = c.updates(5, until=lambda u: u)
    h.check("flush sends the route", got and got[0].announced() == ["10.67.0.0/24"])


def test_manual_eor(sp):
    sp.client("announce", "--nh", NH, "--neighbor", D, "10.68.0.0/24")
    d = peer(D, 65004)
    got = d.updates(2)
    h.check("manual-eor: the routes but no End-of-RIB",
            any(u.announced() == ["10.68.0.0/24"] for u in got) and not any(u.is_eor() for u in got),
            [u.body.hex() for u in got])
    sp.client("eor", "ipv4", "unicast")
    got = d.updates(5, until=lambda u: u)
    h.check("bbclient eor ipv4 unicast sends End-of-RIB", got and is_eor(got[0]))


def test_all():
    sp = start()
    a = test_packing(sp)
    test_owners(sp, a)
    test_nexthop_self(sp, a)
    test_auto_flush(sp)
    test_manual_eor(sp)
    h.check("speaker exits 0", sp.stop() == 0)


h.run("adj-rib-out", test_all)
sys.exit(h.finish())
