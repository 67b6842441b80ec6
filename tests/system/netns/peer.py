#!/usr/bin/python3
"""The BGP neighbor of client_netns.sh's speaker: a scripted peer (../scripted_peer.py) that
connects, establishes, and reports each UPDATE it receives as lines on stdout:
    established
    announce PREFIX nh=A
    withdraw PREFIX
    eor AFI/SAFI
    closed
Lines on stdin are orders: `announce PREFIX NEXT_HOP` sends an IPv4 UPDATE (so that the
speaker publishes an update event for the watchers), `quit` ends it.

Usage: peer.py --local A --connect ADDR:PORT --as N
"""

import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from scripted_peer import (  # noqa: E402
    UPDATE, PeerClosed, ScriptedPeer, Update, as_path, next_hop, origin, update)


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def orders(peer, asn):
    for line in sys.stdin:
        w = line.split()
        if w[:1] == ["announce"] and len(w) == 3:
            peer.send_update(update(nlri=[w[1]], attrs=origin(0) + as_path([asn]) +
                                    next_hop(w[2])))
        elif w[:1] == ["quit"]:
            break
    os._exit(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", required=True)
    ap.add_argument("--connect", required=True, help="ADDR:PORT of the speaker")
    ap.add_argument("--as", dest="asn", type=int, required=True)
    a = ap.parse_args()
    addr, port = a.connect.rsplit(":", 1)
    p = ScriptedPeer(local=a.local, asn=a.asn, hold=30)
    p.connect(addr, int(port))
    p.establish()
    p.keepalive_every(10)
    say("established")
    threading.Thread(target=orders, args=(p, a.asn), daemon=True).start()
    while True:
        try:
            t, body = p.recv(3600)
        except (PeerClosed, TimeoutError):
            break
        if t is None:
            break
        if t != UPDATE:
            continue
        u = Update(body)
        eor = u.is_eor()
        if eor:
            say("eor %d/%d" % eor)
            continue
        for pfx in u.withdrawals():
            say("withdraw %s" % pfx)
        for pfx in u.announced():
            say("announce %s nh=%s" % (pfx, u.nexthop_v4()))
    say("closed")


if __name__ == "__main__":
    main()
