#!/usr/bin/python3
"""Speaker system test: the TTL options of a neighbor.

- `outgoing-ttl N`: every IP packet of the session from the speaker carries TTL N, whether the
  speaker connected out or accepted the peer's connection. TCP gives no per-packet TTL to a
  socket (IP_RECVTTL is for datagrams), so the packets are read from a packet socket on lo.
- `incoming-ttl 255` (GTSM, RFC 5082, the speaker's IP_MINTTL): a peer sending with TTL 64 is
  never established, the same peer sending with TTL 255 is (loopback keeps the TTL as sent).
Needs CAP_NET_RAW for the packet socket (the outgoing checks are skipped without it)."""

import socket
import sys
import threading
import time

from speaker_lib import Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer

h = Harness("speaker_ttl", 67)
LOCAL, A, B = h.addr(1), h.addr(2), h.addr(3)
PORT, PEER_PORT = h.port(), h.port()
ETH_P_IP = 0x0800


class TtlSniffer:
    """Records the TTL of every IPv4 TCP packet on lo from SRC to DST (addresses)."""

    def __init__(self, src, dst, skip_syn=False):
        self.src, self.dst = socket.inet_aton(src), socket.inet_aton(dst)
        self.skip_syn = skip_syn
        self.ttls = []
        self.stop = threading.Event()
        # SOCK_DGRAM: the payload starts at the IP header, without lo's link-layer header
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self.sock.bind(("lo", ETH_P_IP))
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                pkt = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != socket.IPPROTO_TCP:
                continue
            ihl = (pkt[0] & 15) * 4
            if len(pkt) < ihl + 14 or pkt[12:16] != self.src or pkt[16:20] != self.dst:
                continue
            if self.skip_syn and pkt[ihl + 13] & 0x02:  # TCP flags: SYN
                continue
            self.ttls.append(pkt[8])

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def can_sniff():
    try:
        socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP)).close()
        return True
    except OSError:
        return False


def connect_with_ttl(peer, ttl, addr, port, timeout=5):
    """Connects ScriptedPeer peer to addr:port from peer.local, sending with IP TTL ttl."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    s.bind((peer.local, 0))
    s.settimeout(timeout)
    try:
        s.connect((addr, port))
    except OSError:
        s.close()
        raise
    s.settimeout(None)
    peer._attach(s)


def check_ttls(name, sniff, want):
    got = sorted(set(sniff.ttls))
    h.check("%s: %d packets from the speaker, all with TTL %d" % (name, len(sniff.ttls), want),
            len(sniff.ttls) >= 3 and got == [want], "TTLs seen: %s" % got)


def test_outgoing_connect():
    """The speaker connects out with outgoing-ttl 7."""
    sniff = TtlSniffer(LOCAL, A)
    peer = ScriptedPeer(local=A, asn=65001)
    peer.listen(A, PEER_PORT)
    sp = Speaker(h, "ttl-out", neighbor_conf(A, LOCAL, 65001, PORT, connect=PEER_PORT,
                                             passive=False, extra="\toutgoing-ttl 7;\n"))
    peer.accept(10)
    peer.establish(10)
    h.check("outgoing (speaker connects): established", sp.wait_state(A, "established", 10))
    peer.send_keepalive()
    time.sleep(0.5)
    sniff.close()
    check_ttls("outgoing (speaker connects)", sniff, 7)
    peer.close()
    h.check("the speaker exits cleanly", sp.stop() == 0)


def test_outgoing_accept():
    """The peer connects to the speaker; the accepted socket must get outgoing-ttl too."""
    # the SYN-ACK comes from the listener, before the speaker knows which neighbor connects
    sniff = TtlSniffer(LOCAL, A, skip_syn=True)
    sp = Speaker(h, "ttl-acc", neighbor_conf(A, LOCAL, 65001, PORT,
                                             extra="\toutgoing-ttl 9;\n"))
    peer = ScriptedPeer(local=A, asn=65001)
    peer.connect(LOCAL, PORT)
    peer.establish(10)
    h.check("outgoing (speaker accepts): established", sp.wait_state(A, "established", 10))
    peer.send_keepalive()
    time.sleep(0.5)
    sniff.close()
    check_ttls("outgoing (speaker accepts, after the SYN-ACK)", sniff, 9)
    peer.close()
    h.check("the speaker exits cleanly", sp.stop() == 0)


def test_incoming_gtsm():
    """incoming-ttl 255: a peer at TTL 64 is never established; at TTL 255 it is."""
    conf = (neighbor_conf(A, LOCAL, 65001, PORT, extra="\tincoming-ttl 255;\n") +
            neighbor_conf(B, LOCAL, 65002, PORT, extra="\tincoming-ttl 255;\n"))
    sp = Speaker(h, "ttl-in", conf)
    far = ScriptedPeer(local=A, asn=65001)
    up = False
    try:
        connect_with_ttl(far, 64, LOCAL, PORT)
        far.send_open()
        far.send_keepalive()
        up = sp.wait_state(A, "established", 4)
    except OSError:
        pass  # refused or timed out: not established either
    h.check("incoming-ttl 255: a peer sending with TTL 64 is not established", not up,
            "state %s" % sp.neighbor_state(A))
    far.close()
    near = ScriptedPeer(local=B, asn=65002)
    connect_with_ttl(near, 255, LOCAL, PORT)
    near.establish(10)
    h.check("incoming-ttl 255: a peer sending with TTL 255 is established",
            sp.wait_state(B, "established", 10), "state %s" % sp.neighbor_state(B))
    near.close()
    h.check("the speaker exits cleanly", sp.stop() == 0)


def test_incoming_gtsm_connect():
    """The speaker connects out with incoming-ttl 255: the peer's SYN-ACK at TTL 64 is dropped."""
    far = ScriptedPeer(local=A, asn=65001)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)  # inherited by accepted sockets
    lsock.bind((A, PEER_PORT))
    lsock.listen(4)
    far.lsock = lsock
    sp = Speaker(h, "ttl-in-out", neighbor_conf(A, LOCAL, 65001, PORT, connect=PEER_PORT,
                                                passive=False, extra="\tincoming-ttl 255;\n"))
    up = False
    try:
        far.accept(5)
        far.establish(4)
        up = sp.wait_state(A, "established", 2)
    except (OSError, TimeoutError, AssertionError):
        pass  # no connection, or no OPEN from the speaker: not established either
    h.check("incoming-ttl 255, speaker connects: a peer at TTL 64 is not established", not up,
            "state %s" % sp.neighbor_state(A))
    far.close()
    h.check("the speaker exits cleanly", sp.stop() == 0)


if not can_sniff():
    print("# no packet socket (CAP_NET_RAW): the outgoing-ttl checks are skipped")
else:
    h.run("outgoing-ttl, speaker connects", test_outgoing_connect)
    h.run("outgoing-ttl, speaker accepts", test_outgoing_accept)
h.run("incoming-ttl (GTSM), peer connects", test_incoming_gtsm)
h.run("incoming-ttl (GTSM), speaker connects", test_incoming_gtsm_connect)
sys.exit(h.finish())
