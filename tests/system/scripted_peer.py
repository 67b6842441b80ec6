#!/usr/bin/python3
"""A BGP peer that does exactly what a test tells it, and records every byte it receives.

It speaks raw BGP (RFC 4271) with the standard library only: OPEN with any version, AS, hold
time and capabilities, KEEPALIVEs (on demand or from a timer), arbitrary UPDATE bytes, and a
reader thread that keeps every received message (type, body, hex) in order.

As a module (what the system tests do):
    p = ScriptedPeer(local="127.50.0.2", asn=65001)
    p.connect("127.50.0.1", 20179)          # or p.listen(addr, port); p.accept()
    p.establish()                            # OPEN, wait OPEN, KEEPALIVE, wait KEEPALIVE
    p.send_update(update(nlri=["10.0.0.0/24"], attrs=origin(0) + as_path([65001]) + next_hop("192.0.2.1")))
    code, sub, data = p.wait_notification(5)

As a command:
    scripted_peer.py --connect ADDR:PORT [--local A] --as N [--hold S] [--record FILE]
                     [--send-hex HEX]... [--seconds S]
    prints each received message as `TYPE HEX` (also to --record), exits after --seconds.
"""

import argparse
import ipaddress
import queue
import socket
import struct
import sys
import threading
import time

OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
MARKER = b"\xff" * 16

# Attribute flags (RFC 4271 4.3).
F_OPT, F_TRANS, F_PARTIAL, F_EXT = 0x80, 0x40, 0x20, 0x10


def message(mtype, body=b""):
    """A whole BGP message: marker, length, type, body (RFC 4271 4.1)."""
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


# ---- capabilities and OPEN ------------------------------------------------------------------

def cap(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def cap_mp(afi, safi):
    return cap(1, struct.pack("!HBB", afi, 0, safi))


def cap_asn4(asn):
    return cap(65, struct.pack("!I", asn))


def default_caps(asn, ext_message=False):
    caps = [cap_mp(1, 1), cap_mp(2, 1), cap(2), cap_asn4(asn)]
    if ext_message:
        caps.append(cap(6))
    return caps


def open_body(asn, hold=90, router_id="192.0.2.99", caps=None, version=4):
    params = b"".join(struct.pack("!BB", 2, len(c)) + c for c in (caps or []))
    my_as = asn if asn < 65536 else 23456  # RFC 6793 9: AS_TRANS
    return (struct.pack("!BHH", version, my_as, hold) + socket.inet_aton(router_id)
            + struct.pack("!B", len(params)) + params)


# ---- UPDATE building ------------------------------------------------------------------------

def attr(flags, atype, value):
    if len(value) > 255 or flags & F_EXT:
        return struct.pack("!BBH", flags | F_EXT, atype, len(value)) + value
    return struct.pack("!BBB", flags, atype, len(value)) + value


def origin(v=0, flags=F_TRANS):
    return attr(flags, 1, bytes([v]))


def as_path(asns, flags=F_TRANS):
    if not asns:
        return attr(flags, 2, b"")
    return attr(flags, 2, struct.pack("!BB", 2, len(asns)) + b"".join(struct.pack("!I", a) for a in asns))


def next_hop(addr, flags=F_TRANS):
    return attr(flags, 3, socket.inet_aton(addr))


def med(v, flags=F_OPT):
    return attr(flags, 4, struct.pack("!I", v))


def local_pref(v, flags=F_TRANS):
    return attr(flags, 5, struct.pack("!I", v))


def communities(pairs, flags=F_OPT | F_TRANS):
    return attr(flags, 8, b"".join(struct.pack("!HH", a, b) for a, b in pairs))


def prefix_bytes(text):
    net = ipaddress.ip_network(text, strict=False)
    n = (net.prefixlen + 7) // 8
    return bytes([net.prefixlen]) + net.network_address.packed[:n]


def mp_reach(afi, safi, nh, prefixes):
    nhb = b"".join(ipaddress.ip_address(a).packed for a in ([nh] if isinstance(nh, str) else nh))
    return attr(F_OPT, 14, struct.pack("!HBB", afi, safi, len(nhb)) + nhb + b"\x00"
                + b"".join(prefix_bytes(p) for p in prefixes))


def mp_unreach(afi, safi, prefixes):
    return attr(F_OPT, 15, struct.pack("!HB", afi, safi) + b"".join(prefix_bytes(p) for p in prefixes))


def update(withdrawn=(), attrs=b"", nlri=()):
    """An UPDATE body (RFC 4271 4.3); attrs is the raw path attributes field."""
    w = b"".join(prefix_bytes(p) for p in withdrawn)
    n = b"".join(prefix_bytes(p) for p in nlri)
    return struct.pack("!H", len(w)) + w + struct.pack("!H", len(attrs)) + attrs + n


# ---- UPDATE parsing -------------------------------------------------------------------------

def parse_prefixes(buf, afi):
    out, i, size = [], 0, 4 if afi == 1 else 16
    while i < len(buf):
        plen = buf[i]
        n = (plen + 7) // 8
        raw = buf[i + 1:i + 1 + n] + bytes(size - n)
        addr = ipaddress.ip_address(raw[:size])
        out.append("%s/%d" % (addr, plen))
        i += 1 + n
    return out


class Update:
    """A decoded UPDATE: withdrawn, nlri (IPv4 fields), attrs {type: (flags, value)}, mp."""

    def __init__(self, body):
        self.body = body
        wl = struct.unpack("!H", body[0:2])[0]
        self.withdrawn = parse_prefixes(body[2:2 + wl], 1)
        al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
        abuf = body[4 + wl:4 + wl + al]
        self.nlri = parse_prefixes(body[4 + wl + al:], 1)
        self.attrs, self.attr_order = {}, []
        i = 0
        while i < len(abuf):
            flags, atype = abuf[i], abuf[i + 1]
            if flags & F_EXT:
                alen = struct.unpack("!H", abuf[i + 2:i + 4])[0]
                i += 4
            else:
                alen = abuf[i + 2]
                i += 3
            self.attrs[atype] = (flags, abuf[i:i + alen])
            self.attr_order.append(atype)
            i += alen
        self.mp_reach = self.mp_unreach = None
        self.mp_family = None
        if 14 in self.attrs:
            v = self.attrs[14][1]
            afi, safi, nhl = struct.unpack("!HBB", v[:4])
            self.mp_family = (afi, safi)
            self.mp_nexthop = v[4:4 + nhl]
            # Plain prefixes only for unicast/multicast; other families keep their bytes.
            self.mp_reach = (parse_prefixes(v[5 + nhl:], afi) if safi in (1, 2)
                             else [v[5 + nhl:]] if len(v) > 5 + nhl else [])
        if 15 in self.attrs:
            v = self.attrs[15][1]
            afi, safi = struct.unpack("!HB", v[:3])
            self.mp_family = (afi, safi)
            self.mp_unreach = (parse_prefixes(v[3:], afi) if safi in (1, 2)
                               else [v[3:]] if len(v) > 3 else [])

    def is_eor(self):
        """RFC 4724 2: an empty UPDATE (IPv4 unicast) or an empty MP_UNREACH_NLRI."""
        if self.body == b"\x00\x00\x00\x00":
            return (1, 1)
        if self.attr_order == [15] and not self.mp_unreach and not self.withdrawn and not self.nlri:
            return self.mp_family
        return None

    def announced(self):
        return self.nlri + (self.mp_reach or [])

    def withdrawals(self):
        return self.withdrawn + (self.mp_unreach or [])

    def nexthop_v4(self):
        return socket.inet_ntoa(self.attrs[3][1]) if 3 in self.attrs else None

    def as_path_list(self):
        if 2 not in self.attrs:
            return None
        v, out, i = self.attrs[2][1], [], 0
        while i < len(v):
            n = v[i + 1]
            out += list(struct.unpack("!%dI" % n, v[i + 2:i + 2 + 4 * n]))
            i += 2 + 4 * n
        return out

    def med(self):
        return struct.unpack("!I", self.attrs[4][1])[0] if 4 in self.attrs else None


# ---- the peer -------------------------------------------------------------------------------

class PeerClosed(Exception):
    pass


class ScriptedPeer:
    def __init__(self, local=None, asn=65001, hold=90, router_id=None, record=None):
        self.local, self.asn, self.hold = local, asn, hold
        self.router_id = router_id or (local if local and ":" not in local else "192.0.2.99")
        self.sock = self.lsock = None
        self.received = []  # (monotonic time, type, body)
        self.q = queue.Queue()
        self.closed = threading.Event()
        self.record = open(record, "a") if record else None
        self.peer_open = None
        self._ka_stop = threading.Event()
        self._wlock = threading.Lock()

    # connections
    def connect(self, addr, port, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self.local:
                s.bind((self.local, 0))
            try:
                s.connect((addr, port))
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._attach(s)

    def listen(self, addr, port):
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(4)
        self.lsock = s

    def accept(self, timeout=10):
        self.lsock.settimeout(timeout)
        s, _ = self.lsock.accept()
        s.settimeout(None)
        self._attach(s)

    def _attach(self, s):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.closed.clear()
        threading.Thread(target=self._reader, args=(s,), daemon=True).start()

    def _reader(self, s):
        buf = b""
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                buf += data
                while len(buf) >= 19:
                    length, mtype = struct.unpack("!HB", buf[16:19])
                    if length < 19 or len(buf) < length:
                        break
                    body, buf = buf[19:length], buf[length:]
                    self.received.append((time.monotonic(), mtype, body))
                    if self.record:
                        self.record.write("%d %s\n" % (mtype, body.hex()))
                        self.record.flush()
                    self.q.put((mtype, body))
        except OSError:
            pass
        self.closed.set()
        self.q.put((None, None))

    def close(self):
        self._ka_stop.set()
        for s in (self.sock, self.lsock):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass

    # sending
    def send_raw(self, data):
        with self._wlock:
            self.sock.sendall(data)

    def send(self, mtype, body=b""):
        self.send_raw(message(mtype, body))

    def send_open(self, asn=None, hold=None, router_id=None, caps=None, version=4):
        asn = self.asn if asn is None else asn
        caps = default_caps(asn) if caps is None else caps
        self.send(OPEN, open_body(asn, self.hold if hold is None else hold,
                                  router_id or self.router_id, caps, version))

    def send_keepalive(self):
        self.send(KEEPALIVE)

    def send_update(self, body):
        self.send(UPDATE, body)

    def send_notification(self, code, subcode, data=b""):
        self.send(NOTIFICATION, bytes([code, subcode]) + data)

    def keepalive_every(self, seconds):
        """Sends KEEPALIVEs from a thread until stop_keepalives() or close()."""
        self._ka_stop.clear()

        def run():
            while not self._ka_stop.wait(seconds):
                try:
                    self.send_keepalive()
                except OSError:
                    return
        threading.Thread(target=run, daemon=True).start()

    def stop_keepalives(self):
        self._ka_stop.set()

    # receiving
    def recv(self, timeout=5):
        """The next message as (type, body); (None, None) when the connection closed."""
        try:
            return self.q.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("no message within %ss" % timeout)

    def expect(self, mtype, timeout=5, skip=(KEEPALIVE,)):
        deadline = time.monotonic() + timeout
        while True:
            t, body = self.recv(max(0.01, deadline - time.monotonic()))
            if t == mtype:
                return body
            if t is None:
                raise PeerClosed("closed while waiting for type %d" % mtype)
            if t not in skip:
                raise AssertionError("expected type %d, got %d (%s)" % (mtype, t, body.hex()))

    def wait_notification(self, timeout=5):
        """(code, subcode, data) of the next NOTIFICATION, skipping everything else."""
        body = self.expect(NOTIFICATION, timeout, skip=(KEEPALIVE, UPDATE, OPEN, ROUTE_REFRESH))
        return body[0], body[1], body[2:]

    def establish(self, timeout=10, **open_args):
        self.send_open(**open_args)
        self.peer_open = self.expect(OPEN, timeout)
        self.send_keepalive()
        self.expect(KEEPALIVE, timeout)

    def updates(self, timeout=5, until=None, quiet=None):
        """Collects UPDATEs until until(list) is true (or, with quiet=S, until S seconds pass
        with nothing new). Returns the list of Update."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if until is not None and until(got):
                return got
            if left <= 0:
                if until is None:
                    return got
                raise TimeoutError("condition not met within %ss (%d updates)" % (timeout, len(got)))
            try:
                t, body = self.q.get(timeout=min(left, quiet) if quiet else left)
            except queue.Empty:
                if quiet:
                    return got
                continue
            if t is None:
                raise PeerClosed("closed while collecting updates")
            if t == UPDATE:
                got.append(Update(body))
            elif t == NOTIFICATION:
                raise AssertionError("NOTIFICATION %d/%d received" % (body[0], body[1]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connect")
    ap.add_argument("--listen")
    ap.add_argument("--local")
    ap.add_argument("--as", dest="asn", type=int, default=65001)
    ap.add_argument("--hold", type=int, default=90)
    ap.add_argument("--router-id")
    ap.add_argument("--record")
    ap.add_argument("--send-hex", action="append", default=[],
                    help="a whole message (with header) or, without the marker, an UPDATE body")
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    p = ScriptedPeer(local=a.local, asn=a.asn, hold=a.hold, router_id=a.router_id, record=a.record)
    if a.connect:
        host, port = a.connect.rsplit(":", 1)
        p.connect(host.strip("[]"), int(port))
    elif a.listen:
        host, port = a.listen.rsplit(":", 1)
        p.listen(host.strip("[]"), int(port))
        p.accept(a.seconds)
    else:
        ap.error("--connect or --listen")
    p.establish()
    if a.hold:
        p.keepalive_every(max(1, a.hold // 3))
    for h in a.send_hex:
        raw = bytes.fromhex(h)
        p.send_raw(raw if raw.startswith(MARKER) else message(UPDATE, raw))
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            t, body = p.recv(end - time.monotonic())
        except TimeoutError:
            break
        if t is None:
            break
        print(t, body.hex(), flush=True)
    p.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
