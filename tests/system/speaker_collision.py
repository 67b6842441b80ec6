#!/usr/bin/python3
"""Speaker system test: connection collision (RFC 4271 6.8). The scripted peer accepts the
speaker's connection and opens one of its own at the same time; with the peer's higher BGP
Identifier, the connection the peer initiated must survive and the other get Cease 6/7."""

import sys
import time

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer

h = Harness("speaker_collision", 66)
LOCAL, A = h.addr(1), h.addr(2)
PORT, PEER_PORT = h.port(), h.port()


def test_collision():
    inbound = ScriptedPeer(local=A, asn=65001, router_id=A)  # the speaker's connection
    inbound.listen(A, PEER_PORT)
    sp = Speaker(h, "collision", neighbor_conf(A, LOCAL, 65001, PORT, connect=PEER_PORT,
                                               passive=False))
    inbound.accept(10)
    outbound = ScriptedPeer(local=A, asn=65001, router_id=A)  # ours to the speaker
    outbound.connect(LOCAL, PORT)
    for p in (inbound, outbound):
        p.send_open()
    for p in (inbound, outbound):
        p.peer_open = p.expect(1, 5)
    # No KEEPALIVE from us yet: both connections must be in OpenConfirm together for the
    # collision to be resolved by identifier (once one is Established, RFC 4271 6.8 closes the
    # newer one instead, and which one that is would depend on scheduling).
    # A's identifier (127.66.x.2) is higher than the speaker's (127.66.x.1): keep A's connection.
    code, sub, _ = inbound.wait_notification(5)
    h.check("the speaker's own connection closed with Cease 6/7", (code, sub) == (6, 7),
            "%d/%d" % (code, sub))
    outbound.expect(4, 5)
    outbound.send_keepalive()
    outbound.keepalive_every(3)
    time.sleep(1)
    h.check("the peer's connection survives", not outbound.closed.is_set()
            and sp.neighbor_state(A) == "established")
    inbound.close()
    outbound.close()
    sp.stop()


h.run("collision", test_collision)
sys.exit(h.finish())
