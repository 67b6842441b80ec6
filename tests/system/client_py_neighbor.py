#!/usr/bin/python3
"""The Python client adds a neighbor at run time for a real BIRD (the speaker starts with
none): the session comes up (state event and neighbors()), a route announced reaches BIRD's
table, a duplicate add and bad settings are refused, and remove_neighbor() drops the session
(BIRD sees it down, the route leaves its table); removing it again is refused."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_neighbor_harness import BareSetup  # noqa: E402
from client_py_harness import PYTHONPATH, Harness, wait_until  # noqa: E402

sys.path.insert(0, PYTHONPATH)
import bgpbus  # noqa: E402

h = Harness("client_py_neighbor", 72)


def test_neighbor():
    s = BareSetup(h, "pyn")
    try:
        c = bgpbus.Client(command=s.command, events=s.events, owner="pyneighbor")
        h.check("the speaker starts with no neighbor", c.neighbors() == [], repr(c.neighbors()))
        states = c.events(types=["state"], neighbor=s.peer, timeout=30)
        seen = []

        def collect():
            for ev in states:
                seen.append(ev.state)
                if ev.state == "established":
                    return
        t = threading.Thread(target=collect, daemon=True)
        t.start()

        c.add_neighbor(s.peer, local_as=65000, peer_as=65001, local_address=s.local,
                       connect=s.bird_port, listen=s.sp_port, hold_time=30,
                       families=["ipv4 unicast", "ipv6"])
        t.join(30)
        h.check("add_neighbor: a state event says established", seen[-1:] == ["established"],
                repr(seen))
        ns = c.neighbors()
        h.check("neighbors() lists it established",
                [(n.address, n.state, n.peer_as) for n in ns] == [(s.peer, "established", 65001)],
                repr(ns))
        h.check("BIRD sees the session established",
                wait_until(lambda: s.bird_state() == "Established"), s.bird_state())

        try:
            c.add_neighbor(s.peer, local_as=65000, peer_as=65001, local_address=s.local)
            h.check("a duplicate add raises BgpbusError", False)
        except bgpbus.BgpbusError as e:
            h.check("a duplicate add raises BgpbusError", e.status == "invalid_argument", str(e))
        for bad in (dict(address="10.0.0.300", local_as=1, peer_as=2),
                    dict(address="192.0.2.9", local_as=-1, peer_as=2),
                    dict(address="192.0.2.9", local_as=1, peer_as=2, families=["ipv5"])):
            try:
                c.add_neighbor(**bad)
                h.check("bad settings raise ValueError: %r" % bad, False)
            except ValueError:
                h.check("bad settings raise ValueError: %r" % bad, True)

        res = c.announce([bgpbus.Route(prefix="10.72.0.0/24", next_hop="198.51.100.1",
                                       communities=["65000:72"])], neighbor=s.peer)
        h.check("announce to the added neighbor", all(res), repr(res))
        got = wait_until(lambda: [x for x in s.bird_dump() if "10.72." in x])
        h.check("BIRD has the route",
                len(got) == 1 and got[0].startswith("ipv4 10.72.0.0/24 nh=198.51.100.1 ")
                and got[0].endswith(" comm=65000:72"), repr(got))

        c.remove_neighbor(s.peer)
        h.check("remove_neighbor: gone from neighbors()", c.neighbors() == [],
                repr(c.neighbors()))
        down = wait_until(lambda: s.bird_state() != "Established")
        h.check("remove_neighbor: BIRD sees the session down", down, s.bird_state())
        gone = wait_until(lambda: not [x for x in s.bird_dump() if "10.72." in x])
        h.check("remove_neighbor: the route left BIRD's table", gone)
        try:
            c.remove_neighbor(s.peer)
            h.check("removing an unknown neighbor raises BgpbusError", False)
        except bgpbus.BgpbusError as e:
            h.check("removing an unknown neighbor raises BgpbusError",
                    e.status == "no_matching_neighbor", str(e))
        c.close()
    finally:
        s.stop()


h.run("python client adds and removes a BIRD neighbor", test_neighbor)
sys.exit(h.finish())
