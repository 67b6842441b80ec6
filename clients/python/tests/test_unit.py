#!/usr/bin/python3
"""Unit tests of the bgpbus package without a speaker: Route <-> protobuf, communities,
and the event stream's sequencing (gap -> ReadEvents repair, duplicates, restarts) against a
fake REQ side. Usage: test_unit.py <build>/python"""

import os
import sys
import unittest

sys.path.insert(0, sys.argv.pop(1) if len(sys.argv) > 1 else
                os.path.join(os.path.dirname(__file__), "../../../build/python"))

import bgpbus  # noqa: E402
from bgpbus import events, routes  # noqa: E402
from bgpbus.v1 import event_pb2, reply_pb2  # noqa: E402


class RouteTests(unittest.TestCase):
    def test_round_trip(self):
        r = bgpbus.Route(prefix="10.0.0.0/24", next_hop="192.0.2.1", communities=["65000:1",
                         "no-export"], local_pref=200, med=0, as_path=[64512, 4200000000],
                         origin="egp", large_communities=["1:2:3"], path_id=7)
        pb = routes.to_pb(r)
        self.assertEqual(pb.nlri.unicast.address, bytes([10, 0, 0, 0]))
        self.assertEqual(pb.nlri.unicast.length, 24)
        self.assertEqual(list(pb.attributes.communities), [65000 << 16 | 1, 0xFFFFFF01])
        self.assertTrue(pb.attributes.HasField("med"))  # MED 0 is not an absent MED
        self.assertFalse(pb.attributes.HasField("aigp"))
        back = routes.from_pb(pb)
        for name in ("prefix", "next_hop", "local_pref", "med", "as_path", "origin",
                     "large_communities", "path_id"):
            self.assertEqual(getattr(back, name), getattr(r, name), name)
        self.assertEqual(back.communities, ["65000:1", "no-export"])

    def test_absent_and_empty(self):
        pb = routes.to_pb(bgpbus.Route(prefix="2001:db8::/32", as_path=[]))
        self.assertEqual(len(pb.nlri.unicast.address), 16)
        self.assertTrue(pb.attributes.HasField("as_path"))  # explicitly empty
        self.assertFalse(pb.attributes.HasField("next_hop"))
        self.assertFalse(routes.to_pb(bgpbus.Route(prefix="1.0.0.0/8")).attributes.HasField(
            "as_path"))
        self.assertTrue(routes.to_pb(bgpbus.Route(prefix="1.0.0.0/8", next_hop="self"))
                        .attributes.next_hop.use_local_address)

    def test_withdraw_has_identity_only(self):
        pb = routes.to_pb(bgpbus.Route(prefix="10.1.0.0/16", next_hop="1.2.3.4", med=5),
                          with_attributes=False)
        self.assertFalse(pb.HasField("attributes"))

    def test_bad_input(self):
        for bad in (dict(prefix="10.0.0.1/24"), dict(prefix="nope"),
                    dict(prefix="10.0.0.0/8", communities=["65536:1"]),
                    dict(prefix="10.0.0.0/8", communities=["1"]),
                    dict(prefix="10.0.0.0/8", med=-1), dict(prefix="10.0.0.0/8", med=1 << 32),
                    dict(prefix="10.0.0.0/8", origin="bgp"),
                    dict(prefix="10.0.0.0/8", next_hop="10.0.0"),
                    dict(prefix="10.0.0.0/8", large_communities=["1:2"])):
            with self.assertRaises(ValueError, msg=repr(bad)):
                routes.to_pb(bgpbus.Route(**bad))


def update(seq, tseq, prefix, epoch=9):
    ev = event_pb2.Event(epoch=epoch, seq=seq, type_seq=tseq, peer_seq=tseq)
    ev.peer.address = bytes([192, 0, 2, 2])
    g = ev.update.announced.add()
    g.family.afi, g.family.safi = 1, 1
    g.next_hop.address = bytes([192, 0, 2, 1])
    n = g.nlri.add()
    n.unicast.address, n.unicast.length = bytes([10, 0, tseq % 256, 0]), 24
    ev.update.attributes.communities.append(65000 << 16 | tseq)
    return ev


class FakeSock:
    def __init__(self, msgs):
        self.msgs = list(msgs)

    def recv(self):
        if not self.msgs:
            raise bgpbus.NngError("nng_recv", bgpbus._nng.NNG_ECLOSED)
        return self.msgs.pop(0)

    def close(self):
        pass


class FakeClient:
    """The replay ring: every event ever published, answering ReadEvents by global seq."""

    def __init__(self, ring, oldest=1):
        self.ring, self.oldest, self.reads = ring, oldest, []

    def _read_events(self, from_seq, prefix):
        self.reads.append((from_seq, prefix))
        page = reply_pb2.Reply().events
        page.epoch, page.oldest_seq = 9, self.oldest
        page.newest_seq = self.ring[-1].seq
        for ev in self.ring:
            if ev.seq >= max(from_seq, self.oldest) and len(page.events) < 2:
                page.events.append(ev)
        return page


def stream(published, delivered, oldest=1, types=("update",)):
    s = events.EventStream.__new__(events.EventStream)
    s._client = FakeClient(published, oldest)
    s._neighbor, s._topics, s._timeout, s._epoch = None, events.topics_for(types, None), None, None
    s._last, s._pending = {}, events.collections.deque()
    s.gaps = s.repaired = s.lost = s.duplicates = s.restarts = 0
    s._sock = FakeSock(b"ev/update/192.0.2.2/\0" + e.SerializeToString() for e in delivered)
    return s


class EventStreamTests(unittest.TestCase):
    def test_gap_repaired_in_order(self):
        # Global seqs interleave other types: update type_seq 1..6 = seq 2,4,6,8,10,12.
        pub = [update(2 * i, i, "x") for i in range(1, 7)]
        s = stream(pub, [pub[0], pub[4], pub[2], pub[5]])  # lost 2,3,4; 3 arrives late
        got = [(e.type_seq, e.announced[0].prefix) for e in s]
        self.assertEqual([t for t, _ in got], [1, 2, 3, 4, 5, 6])
        self.assertEqual(got[1][1], "10.0.2.0/24")
        self.assertEqual((s.gaps, s.repaired, s.lost, s.duplicates), (1, 3, 0, 1))
        self.assertEqual(s._client.reads[0], (3, "ev/update/"))

    def test_ring_moved_on(self):
        pub = [update(i, i, "x") for i in range(1, 8)]
        s = stream(pub, [pub[0], pub[6]], oldest=5)
        self.assertEqual([e.type_seq for e in s], [1, 5, 6, 7])
        self.assertEqual(s.lost, 3)

    def test_restart(self):
        a, b = update(5, 5, "x"), update(1, 1, "x", epoch=10)
        s = stream([a], [a, b])
        self.assertEqual([e.seq for e in s], [5, 1])
        self.assertEqual((s.restarts, s.gaps), (1, 0))

    def test_event_fields(self):
        ev = events.Event(update(3, 3, "x"))
        self.assertEqual((ev.type, ev.neighbor), ("update", "192.0.2.2"))
        r = ev.announced[0]
        self.assertEqual((r.prefix, r.next_hop, r.communities, r.family),
                         ("10.0.3.0/24", "192.0.2.1", ["65000:3"], "ipv4 unicast"))

    def test_topics(self):
        self.assertEqual(events.topics_for(None, None), [("ev/", 0)])
        self.assertEqual(events.topics_for(["update", "eor"], "192.0.2.2"),
                         [("ev/update/192.0.2.2/", 2), ("ev/eor/192.0.2.2/", 2)])


if __name__ == "__main__":
    unittest.main(verbosity=1)
