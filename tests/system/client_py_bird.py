#!/usr/bin/python3
"""The Python client against the real speaker and a real BIRD peer: neighbors(), announce
with every attribute seen by BIRD, per-route results (one bad route in a batch), an IPv6
route, withdraw, routes(), and BIRD's routes seen as update events in order."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_py_harness import PYTHONPATH, Harness, Setup, wait_until  # noqa: E402

sys.path.insert(0, PYTHONPATH)
import bgpbus  # noqa: E402

h = Harness("client_py_bird", 44)


def test_client():
    s = Setup(h, "py")
    try:
        c = bgpbus.Client(command=s.command, events=s.events, owner="pytest")
        ns = c.neighbors()
        h.check("neighbors() lists BIRD established",
                [(n.address, n.state, n.peer_as) for n in ns] == [(s.peer, "established", 65001)],
                repr(ns))
        h.check("version()", bool(c.version()))

        stream = c.events(types=["update"], timeout=30)
        got = []

        def collect():
            for ev in stream:
                got.append(ev)
                if sum(len(e.announced) for e in got) >= 3:
                    return
        t = threading.Thread(target=collect, daemon=True)
        t.start()

        res = c.announce([
            bgpbus.Route(prefix="10.71.0.0/24", next_hop="198.51.100.1", communities=["65000:1"],
                         local_pref=200, med=10, as_path=[64512]),
            bgpbus.Route(prefix="10.71.1.0/24"),  # IPv4 without a next hop: refused alone
            bgpbus.Route(prefix="2001:db8:71::/48", next_hop="2001:db8::1", origin="egp"),
        ])
        h.check("announce: one result per route", [r.ok for r in res] == [True, False, True],
                repr(res))
        h.check("announce: the refused route says why", res[1].error and "next" in res[1].error,
                repr(res[1].error))
        want4 = "ipv4 10.71.0.0/24 nh=198.51.100.1 aspath=64512 origin=igp med=10 comm=65000:1"
        wait_until(lambda: [x for x in s.bird_dump() if "10.71." in x] == [want4])
        d4 = [x for x in s.bird_dump() if "10.71." in x]
        h.check("BIRD has the route with every attribute", d4 == [want4], repr(d4))
        d6 = wait_until(lambda: [x for x in s.bird_dump("ipv6") if "2001:db8:71::" in x])
        h.check("BIRD has the IPv6 route", d6 and "origin=egp" in d6[0], repr(d6))
        listed = c.routes(owner="pytest")
        h.check("routes(owner) lists what we announced",
                sorted(r.prefix for _, r in listed) == ["10.71.0.0/24", "2001:db8:71::/48"],
                repr(listed))

        s.bird_announce(["ipv4 10.72.0.0/24 comm=65001:7", "ipv4 10.72.1.0/24",
                         "ipv6 2001:db8:72::/48"])
        t.join(30)
        ann = [r for e in got for r in e.announced]
        h.check("BIRD's routes arrive as update events",
                sorted(r.prefix for r in ann) == ["10.72.0.0/24", "10.72.1.0/24",
                                                   "2001:db8:72::/48"], repr(got))
        h.check("events carry type and neighbor",
                all(e.type == "update" and e.neighbor == s.peer for e in got), repr(got))
        r0 = [r for r in ann if r.prefix == "10.72.0.0/24"]
        h.check("event routes carry attributes",
                r0 and r0[0].next_hop == "198.51.100.2" and r0[0].communities == ["65001:7"]
                and r0[0].as_path == [65001], repr(r0))
        h.check("no gap and no loss", (stream.gaps, stream.lost) == (0, 0))

        res = c.withdraw(["10.71.0.0/24", bgpbus.Route(prefix="2001:db8:71::/48")])
        h.check("withdraw: all ok", all(res), repr(res))
        gone = wait_until(lambda: not [x for x in s.bird_dump() + s.bird_dump("ipv6")
                                       if "71" in x.split()[1]])
        h.check("BIRD lost the withdrawn routes", gone)
        try:
            c.announce([bgpbus.Route(prefix="10.73.0.0/24", next_hop="198.51.100.1")],
                       neighbor="192.0.2.99")
            h.check("unknown neighbor raises BgpbusError", False)
        except bgpbus.BgpbusError as e:
            h.check("unknown neighbor raises BgpbusError", e.status == "no_matching_neighbor",
                    str(e))
        c.close()
        h.check("close() ends a stream", list(stream) == [])
    finally:
        s.stop()


h.run("python client with BIRD", test_client)
sys.exit(h.finish())
