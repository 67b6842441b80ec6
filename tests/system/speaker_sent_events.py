#!/usr/bin/python3
"""Speaker system test: what the speaker sends is published too (direction sent) for a neighbor
whose api asks for `send { update; }`, read back exactly as the peer receives it; a neighbor
without it publishes nothing of the kind."""

import sys

from speaker_lib import Harness, Speaker, Watcher, neighbor_conf
from scripted_peer import ScriptedPeer

h = Harness("speaker_sent_events", 68)
LOCAL, A, B = h.addr(1), h.addr(2), h.addr(3)
PORT = h.port()
NH = "198.51.100.68"


def test_sent_events():
    conf = ("process watcher { run /bin/cat; encoder json; }\n"
            + neighbor_conf(A, LOCAL, 65001, PORT,
                            extra="\tapi { processes [ watcher ]; send { update; } }\n")
            + neighbor_conf(B, LOCAL, 65002, PORT))
    sp = Speaker(h, "sent", conf)
    w = Watcher(sp)
    peers = []
    for addr, asn in ((A, 65001), (B, 65002)):
        p = ScriptedPeer(local=addr, asn=asn)
        p.connect(LOCAL, PORT)
        p.establish()
        p.keepalive_every(10)
        peers.append(p)
    sp.client("announce", "--nh", NH, "--med", "68", "10.68.0.0/24")
    peers[0].updates(5, until=lambda u: any("10.68.0.0/24" in x.announced() for x in u))
    want = "sent-update %s announce ipv4 10.68.0.0/24 nh=%s aspath=65000 origin=igp med=68" % (A, NH)
    h.check("the UPDATE sent to A is published as sent, as A received it",
            w.wait_for(lambda l: l == want, 10) is not None, w.matching('sent-')[-10:])
    h.check("End-of-RIB sent to A is published as sent",
            w.wait_for(lambda l: l == "sent-eor %s ipv4" % A, 5) is not None,
            w.matching('sent-')[-10:])
    h.check("nothing sent to B (no `send { update; }`) is published",
            not w.matching(lambda l: l.startswith("sent-") and (" %s " % B) in l),
            w.matching('sent-'))
    for p in peers:
        p.close()
    sp.stop()


h.run("sent events", test_sent_events)
sys.exit(h.finish())
