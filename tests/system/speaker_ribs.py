#!/usr/bin/python3
"""Speaker system test: the Adj-RIBs as `rib-out`/`rib-in` show them and as the wire sees them,
with many routes over many attribute sets (issue 7: sets are kept packed and decoded on demand,
route entries live in chunks and freed ones are reused). Every route must be shown with its own
set's attributes, withdrawn routes must go, and routes set after a withdrawal (reusing the freed
entries) must be sent and shown like any other."""

import sys

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer, update, origin, as_path, next_hop, med

h = Harness("speaker_ribs", 210)
LOCAL, A = h.addr(1), h.addr(2)
PORT = h.port()
NH = "198.51.100.7"
SETS = 40  # distinct MEDs
PER_SET = 25  # routes per set: 1000 routes


def prefix(i):
    return "10.%d.%d.0/24" % (80 + i // 256, i % 256)


def shown(text):
    """{prefix: med} of `bbclient rib-out/rib-in` lines (no med shown = 0)."""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2 or words[0] != "ipv4":
            continue
        m = [w for w in words if w.startswith("med=")]
        out[words[1]] = int(m[0][4:]) if m else 0
    return out


def announce_sets(sp, first_set, sets):
    for s in range(first_set, first_set + sets):
        sp.client("announce", "--nh", NH, "--aspath", "65000", "--med", str(s + 1), "--neighbor",
                  A, "--count", str(PER_SET), prefix(s * PER_SET))


def test_rib_out(sp, a):
    announce_sets(sp, 0, SETS)
    n = SETS * PER_SET
    got = a.updates(30, until=lambda u: sum(len(x.announced()) for x in u) >= n)
    sent = {p: u.med() for u in got for p in u.announced()}
    want = {prefix(i): i // PER_SET + 1 for i in range(n)}
    h.check("the peer got every route with its set's MED", sent == want,
            "%d of %d" % (len(set(sent.items()) & set(want.items())), n))
    h.check("rib-out shows every route with its set's attributes",
            shown(sp.client("rib-out", "--neighbor", A).stdout) == want)

    # Withdraw the first half of the sets: their entries and sets are freed.
    for s in range(SETS // 2):
        sp.client("withdraw", "--neighbor", A, "--count", str(PER_SET), prefix(s * PER_SET))
    half = SETS // 2 * PER_SET
    wd = a.updates(30, until=lambda u: sum(len(x.withdrawals()) for x in u) >= half)
    gone = {p for u in wd for p in u.withdrawals()}
    h.check("the withdrawals reach the peer", gone == {prefix(i) for i in range(half)},
            str(len(gone)))
    for i in range(half):
        del want[prefix(i)]
    h.check("rib-out no longer shows them", shown(sp.client("rib-out", "--neighbor", A).stdout)
            == want)

    # New routes with new sets take the freed entries.
    announce_sets(sp, SETS, SETS // 2)
    got = a.updates(30, until=lambda u: sum(len(x.announced()) for x in u) >= half)
    sent = {p: u.med() for u in got for p in u.announced()}
    new = {prefix(i): i // PER_SET + 1 for i in range(n, n + half)}
    h.check("routes set after the withdrawals are sent with their MEDs", sent == new,
            "%d of %d" % (len(set(sent.items()) & set(new.items())), half))
    want.update(new)
    h.check("rib-out shows old and new routes, each with its attributes",
            shown(sp.client("rib-out", "--neighbor", A).stdout) == want)


def peer_update(med_value, prefixes):
    attrs = origin(0) + as_path([65001]) + next_hop("192.0.2.1") + med(med_value)
    return update(attrs=attrs, nlri=prefixes)


def test_rib_in(sp, a):
    n = 600
    for s in range(n // 30):  # 20 sets of 30 routes
        a.send_update(peer_update(100 + s, [prefix(2000 + s * 30 + i) for i in range(30)]))
    want = {prefix(2000 + i): 100 + i // 30 for i in range(n)}
    seen = {}
    for _ in range(50):
        seen = shown(sp.client("rib-in", "--neighbor", A).stdout)
        if len(seen) >= n:
            break
        a.updates(0.1)
    h.check("rib-in shows every received route with its set's attributes", seen == want,
            "%d routes" % len(seen))
    # The peer withdraws a third, then re-announces some of them with another MED.
    a.send_update(update(withdrawn=[prefix(2000 + i) for i in range(0, n, 3)]))
    a.send_update(peer_update(999, [prefix(2000 + i) for i in range(0, 60, 3)]))
    for i in range(0, n, 3):
        del want[prefix(2000 + i)]
    for i in range(0, 60, 3):
        want[prefix(2000 + i)] = 999
    for _ in range(50):
        seen = shown(sp.client("rib-in", "--neighbor", A).stdout)
        if seen == want:
            break
        a.updates(0.1)
    h.check("rib-in after withdrawals and re-announcements", seen == want,
            "%d routes, %d differ" % (len(seen), len(set(seen.items()) ^ set(want.items()))))


def test_all():
    sp = Speaker(h, "ribs", neighbor_conf(A, LOCAL, 65001, PORT))
    a = ScriptedPeer(local=A, asn=65001)
    a.connect(LOCAL, PORT)
    a.establish()
    a.keepalive_every(10)
    a.updates(5, until=lambda u: any(x.is_eor() for x in u))
    test_rib_out(sp, a)
    test_rib_in(sp, a)
    h.check("speaker exits 0", sp.stop() == 0)


h.run("adj-ribs", test_all)
sys.exit(h.finish())
