"""The recording BGP peer of the end-to-end conformance harness (SPEC.md 5.3).

It behaves like ExaBGP's test peer (qa/sbin/bgp): it answers the speaker's OPEN by echoing it
with the router-id's last byte + 1 (and the AS replaced, also in the ASN4 capability, when the
record says option:asn), so both sides negotiate exactly what the speaker offered; it sends a
KEEPALIVE, then per the record's options a default route, an unknown capability, an unknown
message; it acknowledges every message with a KEEPALIVE, and answers a ROUTE-REFRESH by replaying
every UPDATE received so far on that connection. Every message received is recorded, in arrival
order, across all the connections of a record (a record with two neighbors has one stream, as
with ExaBGP's single peer).
"""

import os
import queue
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "system"))
from scripted_peer import (KEEPALIVE, MARKER, OPEN, ROUTE_REFRESH, UPDATE,  # noqa: E402
                           as_path, local_pref, message, next_hop, origin, update)

CAP_ASN4, CAP_UNKNOWN = 65, 66


def split_messages(buf):
    """Whole messages at the front of buf: (list of (type, whole message), rest)."""
    out = []
    while len(buf) >= 19:
        length = struct.unpack("!H", buf[16:18])[0]
        if length < 19 or buf[:16] != MARKER:
            raise ValueError("bad BGP header: %s" % buf[:19].hex())
        if len(buf) < length:
            break
        out.append((buf[18], buf[:length]))
        buf = buf[length:]
    return out, buf


def open_params(body):
    """An OPEN body's optional parameters as a list of (type, value) (RFC 4271 4.2, RFC 9072
    extended length not used by speakers of this corpus)."""
    plen = body[9]
    params, p, end = [], 10, 10 + plen
    while p + 2 <= end:
        ptype, ln = body[p], body[p + 1]
        params.append((ptype, body[p + 2:p + 2 + ln]))
        p += 2 + ln
    return params


def capabilities(body):
    """The capabilities of an OPEN body as a list of (code, value) (RFC 5492 4)."""
    caps = []
    for ptype, value in open_params(body):
        if ptype != 2:
            continue
        p = 0
        while p + 2 <= len(value):
            code, ln = value[p], value[p + 1]
            caps.append((code, value[p + 2:p + 2 + ln]))
            p += 2 + ln
    return caps


def echo_open(body, asn=None, unknown_capability=False):
    """ExaBGP's peer answer: the same OPEN, router-id + 1, optionally another AS."""
    version, my_as, hold = struct.unpack("!BHH", body[:5])
    rid = bytearray(body[5:9])
    rid[3] = (rid[3] + 1) & 0xFF
    caps = capabilities(body)
    if asn is not None:
        my_as = asn if asn < 65536 else 23456  # RFC 6793 9: AS_TRANS
        caps = [(c, struct.pack("!I", asn) if c == CAP_ASN4 else v) for c, v in caps]
    if unknown_capability:
        caps.append((CAP_UNKNOWN, b"loremipsum"))
    params = b"".join(struct.pack("!BBBB", 2, len(v) + 2, c, len(v)) + v for c, v in caps)
    return struct.pack("!BHH", version, my_as, hold) + bytes(rid) + bytes([len(params)]) + params


class Connection:
    def __init__(self, sock, letter):
        self.sock = sock
        self.letter = letter
        self.updates = []  # replayed on ROUTE-REFRESH (SPEC 5.3 step 4)
        self.lock = threading.Lock()

    def send(self, data):
        with self.lock:
            try:
                self.sock.sendall(data)
            except OSError:
                pass


class RecordingPeer:
    """Listens on each (address, port), or connects to them for passive neighbors; records.

    events: a queue of ("msg", conn letter, type, bytes), ("closed", letter) and ("error", text).
    """

    def __init__(self, options):
        self.options = options
        self.events = queue.Queue()
        self.conns = []
        self.socks = []
        self.stopping = threading.Event()
        self.letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.established = threading.Event()

    def listen(self, addr, port):
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(8)
        s.settimeout(0.2)
        self.socks.append(s)
        threading.Thread(target=self._accept_loop, args=(s,), daemon=True).start()

    def connect(self, local, addr, port):
        threading.Thread(target=self._connect_loop, args=(local, addr, port), daemon=True).start()

    def _connect_loop(self, local, addr, port):
        while not self.stopping.is_set():
            s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
            try:
                s.bind((local, 0))
                s.connect((addr, port))
            except OSError:
                s.close()
                time.sleep(0.2)
                continue
            self._serve(s)
            return

    def _accept_loop(self, lsock):
        while not self.stopping.is_set():
            try:
                s, _ = lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(s,), daemon=True).start()

    def _serve(self, s):
        s.settimeout(None)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Connection(s, next(self.letters, "Z"))
        self.conns.append(conn)
        buf = b""
        try:
            while not self.stopping.is_set():
                data = s.recv(65536)
                if not data:
                    break
                msgs, buf = split_messages(buf + data)
                for mtype, msg in msgs:
                    self._handle(conn, mtype, msg)
        except (OSError, ValueError) as e:
            if not self.stopping.is_set():
                self.events.put(("error", "connection %s: %s" % (conn.letter, e)))
        self.events.put(("closed", conn.letter))

    def _handle(self, conn, mtype, msg):
        opt = self.options
        self.events.put(("msg", conn.letter, mtype, msg))
        if mtype == OPEN:
            asn = int(opt["asn"]) if "asn" in opt else None
            reply = echo_open(msg[19:], asn, opt.get("open") == "send-unknown-capability")
            conn.send(message(OPEN, reply) + message(KEEPALIVE))
            if opt.get("update") == "send-default-route":
                attrs = origin(0) + as_path([]) + next_hop("127.0.0.1") + local_pref(100)
                conn.send(message(UPDATE, update(attrs=attrs, nlri=["0.0.0.0/32"])))
            if opt.get("open") == "send-unknown-message":
                conn.send(message(255))
            return
        if mtype == KEEPALIVE:
            self.established.set()
            return
        if mtype == UPDATE:
            conn.updates.append(msg)
        conn.send(message(KEEPALIVE))
        if mtype == ROUTE_REFRESH:
            conn.send(b"".join(conn.updates) + message(KEEPALIVE))

    def send_all(self, data):
        for c in self.conns:
            c.send(data)

    def close(self):
        self.stopping.set()
        for s in self.socks:
            s.close()
        for c in self.conns:
            try:
                c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.sock.close()
