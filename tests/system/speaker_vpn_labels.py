#!/usr/bin/python3
"""Speaker system test: a VPN route's identity is its RD and prefix, not its labels (RFC 4364,
RFC 8277). Re-announcing it with another label and the same attributes replaces it on the wire;
announcing it again unchanged sends nothing."""

import sys

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer, cap_asn4, cap_mp

h = Harness("speaker_vpn_labels", 69)
LOCAL, A = h.addr(1), h.addr(2)
PORT = h.port()


def labels(u):
    """The first label of every NLRI in the UPDATE's MP_REACH_NLRI (VPNv4)."""
    if 14 not in u.attrs:
        return []
    v = u.attrs[14][1]
    nhlen = v[3]
    nlri, out = v[5 + nhlen:], []
    while nlri:
        bits = nlri[0]
        out.append(int.from_bytes(nlri[1:4], "big") >> 4)
        nlri = nlri[1 + (bits + 7) // 8:]
    return out


def test_labels():
    sp = Speaker(h, "vpn", neighbor_conf(A, LOCAL, 65001, PORT,
                                          extra="\tfamily { ipv4 mpls-vpn; }\n"))
    a = ScriptedPeer(local=A, asn=65001)
    a.connect(LOCAL, PORT)
    a.establish(caps=[cap_mp(1, 128), cap_asn4(65001)])
    a.keepalive_every(10)
    a.updates(5, until=lambda u: any(x.is_eor() for x in u))
    line = "announce vpnv4 10.69.0.0/24 next-hop 198.51.100.69 route-distinguisher 65001:100 label %d"
    sp.client("send", line % 16)
    got = a.updates(5, until=lambda u: any(labels(x) for x in u))
    h.check("announced with label 16", [l for x in got for l in labels(x)] == [16],
            [labels(x) for x in got])
    sp.client("send", line % 17)
    got = a.updates(5, until=lambda u: any(labels(x) for x in u))
    h.check("the same route with label 17 is sent again, with 17",
            [l for x in got for l in labels(x)] == [17], [labels(x) for x in got])
    sp.client("send", line % 17)
    again = a.updates(1.5)
    h.check("the same route with the same label again sends nothing", not again,
            [labels(x) for x in again])
    out = sp.client("rib-out").stdout
    h.check("one route in the Adj-RIB-Out", len(out.strip().splitlines()) == 1, out)
    a.close()
    sp.stop()


h.run("vpn labels", test_labels)
sys.exit(h.finish())
