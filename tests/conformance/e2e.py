"""End-to-end runs of encoding and api records (SPEC.md 5.3, 5.6, 5.7), for tests/conformance/run.

For one record: its config_text files are written to a scratch directory with only the addresses
and ports rewritten (see rewrite_config); bgpbus-speaker (and, for api records, bgpbus-apibridge
on the same configuration, whose `run` lines now start e2e_helper.py with the record's
helpers[].lines, or those of tests/data/vectors/helper-lines.json) runs against
e2e_peer.RecordingPeer; the messages the peer receives are compared with the record's `messages`,
and for api records the JSON a helper read with the json_42 of the messages it describes, and
that a helper bound to OPEN events read them (where a helper reads events, the peer takes the
session only once the helpers run, as ExaBGP starts its processes first). A record of several
configuration files switches to the next one at each SIGUSR1 action, as ExaBGP does on reload.

Comparison (SPEC 5.2, 5.3): the expected messages are grouped by conn/seq; a group may arrive in
any order and groups are consumed in order. KEEPALIVEs are ignored, and so is an End-of-RIB that
arrives after the last expectation; any other unexpected or different message fails the record.
The OPEN (only expected with option:open:inspect-open-message) is compared field by field with the
capabilities as a set, and the software-version capability (RFC draft, code 75) only for being
there: its text names the implementation. A NOTIFICATION is compared by code and subcode: its data
is the implementation's own text. UPDATEs are compared in the canonical encoding of
update_canonical: the extended-length flag, the place of the MP attributes and the order of
COMMUNITIES and EXTENDED_COMMUNITIES are the sender's choice (RFC 4271 4.3, RFC 7606 5.1, SPEC
2.12); nothing else is. The expected UPDATEs are first rewritten where ExaBGP breaks an RFC, as
tests/conformance/run does (expected_rfc_way).
"""

import ipaddress
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_peer  # noqa: E402

IMPLEMENTED = {(1, 1): "ipv4 unicast", (1, 2): "ipv4 multicast", (2, 1): "ipv6 unicast",
               (2, 2): "ipv6 multicast", (1, 133): "ipv4 flow", (2, 133): "ipv6 flow",
               (1, 134): "ipv4 flow-vpn", (2, 134): "ipv6 flow-vpn", (1, 4): "ipv4 nlri-mpls",
               (2, 4): "ipv6 nlri-mpls", (1, 128): "ipv4 mpls-vpn", (2, 128): "ipv6 mpls-vpn",
               (25, 65): "l2vpn vpls", (25, 70): "l2vpn evpn"}
# Families outside the reference this project implements (ExaBGP 4.2's families of issue 5):
# records that use them are skipped with this reason.
OUT_OF_REFERENCE = {5: "MVPN (SAFI 5)", 73: "SR policy (SAFI 73)", 85: "MUP (SAFI 85)"}
NOTIFICATION, OPEN_T, KEEPALIVE_T = 3, 1, 4
CAP_SOFTWARE_VERSION = 75
SUPPORTED_OPTIONS = {"file", "update", "open", "asn", "bind", "timeout", "tcp_connections"}
VOLATILE = {"time", "host", "pid", "ppid", "counter", "exabgp", "direction"}


class Ports:
    """Loopback addresses and ports unique to this run (derived from the pid)."""

    def __init__(self):
        pid = os.getpid()
        self.lock = threading.Lock()
        self.net = 100 + pid % 100
        self.sub = (pid // 100) % 250 + 1
        self.host = 1
        self.port = 20000 + (pid * 37) % 40000

    def address(self):
        with self.lock:
            self.host += 1
            if self.host > 254:
                self.host, self.sub = 2, self.sub % 250 + 1
            return "127.%d.%d.%d" % (self.net, self.sub, self.host)

    def next_port(self):
        with self.lock:
            self.port += 1
            if self.port > 64000:
                self.port = 20001
            return self.port


def is_loopback(text):
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


# ---- families and skips -----------------------------------------------------------------------

def message_family(data):
    """(afi, safi) of an UPDATE, or None for other messages (RFC 4760: MP attributes)."""
    if data[18] != 2:
        return None
    body = data[19:]
    wlen = struct.unpack("!H", body[0:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    p, end = 4 + wlen, 4 + wlen + alen
    while p < end:
        flags, code = body[p], body[p + 1]
        hl = 4 if flags & 0x10 else 3
        ln = struct.unpack("!H", body[p + 2:p + 4])[0] if flags & 0x10 else body[p + 2]
        if code in (14, 15):
            return struct.unpack("!HB", body[p + hl:p + hl + 3])
        p += hl + ln
    return (1, 1)


def skip_reason(rec, kind):
    unknown = sorted(set(k.split(":")[1] for k in rec.get("option_lines", [])
                         if k.startswith("option:")) - SUPPORTED_OPTIONS)
    if unknown:
        return "option not supported by the harness: %s" % ", ".join(unknown)
    if len(rec.get("configs", [])) > 1 and not any(
            a["kind"] == "signal" and a["value"] == "SIGUSR1" for a in rec.get("actions", [])):
        return "several configuration files but no reload (SIGUSR1) that switches between them"
    for m in rec["messages"]:
        fam = message_family(bytes.fromhex(m["hex"]))
        if fam is not None and fam[1] in OUT_OF_REFERENCE:
            return "%s is outside this project's reference (ExaBGP 4.2 families)" % (
                OUT_OF_REFERENCE[fam[1]])
        if fam is not None and fam not in IMPLEMENTED:
            return "family the speaker does not encode: AFI %d SAFI %d in the messages" % fam
    if kind == "encoding" and rec.get("processes"):
        return "the configuration runs a process whose script the record does not ship"
    if kind == "api":
        for h in rec.get("helpers", []):
            for line in h["lines"]:
                words = line.split()
                for fam in ("mcast-vpn", "mup"):
                    if fam in words:
                        return "%s is outside this project's reference (ExaBGP 4.2 families)" % fam
    return None


# ---- configuration rewrite ------------------------------------------------------------------

NEIGHBOR_RE = re.compile(r"(\bneighbor\s+)([0-9A-Fa-f.:]+)(\s*\{)")
PORT_RE = re.compile(r"^\s*(listen|connect)\s+\d+\s*;\s*$", re.M)
RUN_RE = re.compile(r"^(\s*)run\s+[^;]*;", re.M)
PROCESS_RE = re.compile(r"\bprocess\s+([A-Za-z0-9_.-]+)\s*\{")


def rewrite_config(text, addrs, ports, helper_cmd, assigned=None):
    """Only addresses and ports change: every loopback neighbor address becomes one unique to
    this run (a neighbor that is not loopback stays, unreachable as under ExaBGP's harness), and
    each such neighbor gets `listen`/`connect` ports of its own, kept in `assigned` so that the
    same neighbor of another file of the record (a reload) keeps them; `run` lines start our
    helper."""
    text = PORT_RE.sub("", text)
    out, pos, neighbors = [], 0, []
    assigned = {} if assigned is None else assigned
    seen = {}
    for m in NEIGHBOR_RE.finditer(text):
        addr = m.group(2)
        out.append(text[pos:m.start()])
        if is_loopback(addr):
            if addr not in addrs:
                addrs[addr] = "::1" if ":" in addr else ports.address()
            seen[addr] = seen.get(addr, 0) + 1
            key = (addr, seen[addr])
            if key not in assigned:
                assigned[key] = (ports.next_port(), ports.next_port())
            listen, connect = assigned[key]
            neighbors.append((addrs[addr], listen, connect))
            out.append("%s%s%s\n\tlisten %d;\n\tconnect %d;\n" % (
                m.group(1), addrs[addr], m.group(3), listen, connect))
        else:
            out.append(m.group(0))
        pos = m.end()
    out.append(text[pos:])
    text = "".join(out)
    if helper_cmd:
        # each process block's run line: the helper with that process's plan
        res, pos = [], 0
        for m in PROCESS_RE.finditer(text):
            res.append(text[pos:m.end()])
            pos = m.end()
            nxt = PROCESS_RE.search(text, pos)
            block_end = nxt.start() if nxt else len(text)
            res.append(RUN_RE.sub(lambda r, n=m.group(1): "%srun %s;" % (r.group(1), helper_cmd(n)),
                                  text[pos:block_end], count=1))
            pos = block_end
        res.append(text[pos:])
        text = "".join(res)
    return text, neighbors


HELPER_LINES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "data", "vectors",
                            "helper-lines.json")


def helper_lines(helper):
    """A helper's command lines: the record's, or for the qa scripts that build their lines from
    variables (where the record's extraction got none, or the script's error strings) the lines
    of tests/data/vectors/helper-lines.json, keyed by the script's path ("sleep" is a pause)."""
    try:
        with open(HELPER_LINES) as f:
            known = json.load(f)
    except OSError:
        known = {}
    return known.get(helper.get("path"), helper["lines"])


def rewrite_line(line, addrs):
    """A helper line with its neighbor selectors (`neighbor A`, `peer-address A`) mapped; the
    local address (`local-ip`) stays as in the configuration."""
    def sub(m):
        return m.group(1) + addrs.get(m.group(2), m.group(2))
    return re.sub(r"(\b(?:neighbor|peer-address)\s+)([0-9A-Fa-f.:]+)", sub, line)


# ---- comparison -----------------------------------------------------------------------------

def parse_open(data):
    body = data[19:]
    version, asn, hold = struct.unpack("!BHH", body[:5])
    caps = sorted((c, b"" if c == CAP_SOFTWARE_VERSION else v)
                  for c, v in e2e_peer.capabilities(body))
    return (version, asn, hold, body[5:9], caps)


def update_canonical(data):
    """An UPDATE in a canonical encoding, for what RFCs leave to the sender:
    - the Extended Length flag set only where the length needs it (RFC 4271 4.3 lets a sender
      use two length octets for any attribute; ExaBGP does for MP_UNREACH_NLRI);
    - MP_REACH_NLRI / MP_UNREACH_NLRI first (RFC 7606 5.1 asks for that; 4.2 and main put
      them after the other attributes);
    - COMMUNITIES and EXTENDED_COMMUNITIES values in ascending order (SPEC 2.12: 4.2 keeps them
      as written or produced, main sorts them; the same set either way, RFC 1997, RFC 4360 2:
      the records were made with main, the speaker keeps 4.2's order)."""
    body = data[19:]
    wlen = struct.unpack("!H", body[0:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    p, end = 4 + wlen, 4 + wlen + alen
    if end > len(body):
        raise IndexError("attributes overrun")
    attrs = []
    while p < end:
        flags, code = body[p], body[p + 1]
        hl = 4 if flags & 0x10 else 3
        ln = struct.unpack("!H", body[p + 2:p + 4])[0] if flags & 0x10 else body[p + 2]
        value = body[p + hl:p + hl + ln]
        size = {8: 4, 16: 8}.get(code)
        if size and ln % size == 0:
            value = b"".join(sorted(value[i:i + size] for i in range(0, ln, size)))
        attrs.append((flags & ~0x10, code, value))
        p += hl + ln
    attrs = [x for x in attrs if x[1] in (14, 15)] + [x for x in attrs if x[1] not in (14, 15)]
    out = bytearray(body[:2 + wlen])
    enc = bytearray()
    for flags, code, value in attrs:
        if len(value) > 255:
            enc += struct.pack("!BBH", flags | 0x10, code, len(value)) + value
        else:
            enc += struct.pack("!BBB", flags, code, len(value)) + value
    out += struct.pack("!H", len(enc)) + enc + body[end:]
    return bytes(out)


def expected_rfc_way(data):
    """An expected UPDATE rewritten where the ExaBGP that made the record breaks an RFC, as
    tests/conformance/run does for the commands records (same rules, same reasons):
    - no NEXT_HOP attribute in an UPDATE whose only NLRI is in MP_REACH_NLRI (RFC 4760 3,
      "SHOULD NOT"; ExaBGP adds one to its VPN and labeled UPDATEs);
    - a withdraw-only MP UPDATE carries MP_UNREACH_NLRI alone (SPEC 2.12: 4.2 repeats the
      route's attributes, which RFC 4760 4 gives no meaning)."""
    if len(data) < 23 or data[18] != 2:
        return data
    body = data[19:]
    wlen = struct.unpack("!H", body[0:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    p, end = 4 + wlen, 4 + wlen + alen
    if wlen or end > len(body) or body[end:]:
        return data
    attrs = []
    while p < end:
        flags, code = body[p], body[p + 1]
        hl = 4 if flags & 0x10 else 3
        ln = struct.unpack("!H", body[p + 2:p + 4])[0] if flags & 0x10 else body[p + 2]
        attrs.append((code, body[p:p + hl + ln]))
        p += hl + ln
    codes = [c for c, _ in attrs]
    if 14 in codes:
        attrs = [a for a in attrs if a[0] != 3]
    elif 15 in codes:
        attrs = [a for a in attrs if a[0] == 15]
    enc = b"".join(raw for _, raw in attrs)
    msg = b"\x00\x00" + struct.pack("!H", len(enc)) + enc
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(msg), 2) + msg


def same_message(expected, got):
    """SPEC 5.3 with the OPEN, NOTIFICATION and community order rules of the module header."""
    if expected == got:
        return True
    if expected[18] == 2 and got[18] == 2:
        try:
            return update_canonical(expected) == update_canonical(got)
        except (IndexError, struct.error):
            return False
    if len(got) < 19 or expected[18] != got[18]:
        return False
    if expected[18] == OPEN_T:
        try:
            return parse_open(expected) == parse_open(got)
        except (IndexError, struct.error):
            return False
    if expected[18] == NOTIFICATION:
        return expected[19:21] == got[19:21]
    return False


def is_eor(data):
    if data[18] != 2:
        return False
    body = data[19:]
    if body == b"\x00\x00\x00\x00":
        return True
    return len(body) == 10 and body[:4] == b"\x00\x00\x00\x06" and body[4:6] == b"\x80\x0f" \
        and body[6] == 3


def split_prefixes(field):
    out, p = [], 0
    while p < len(field):
        n = (field[p] + 7) // 8
        if p + 1 + n > len(field):
            raise IndexError("prefix overruns the field")
        out.append(field[p:p + 1 + n])
        p += 1 + n
    return out


def update_routes(data):
    """An UPDATE as a list of per-prefix routes: (withdraw|announce, afi, safi, next hop,
    prefix, the other attributes canonical); None for an End-of-RIB or a message of another
    type. How routes are packed into UPDATEs is the sender's choice (RFC 4271 9.2): ExaBGP
    sends one MP_REACH prefix per UPDATE where the speaker packs all of an attribute set."""
    if data[18] != 2 or is_eor(data):
        return None
    body = update_canonical(data)
    wlen = struct.unpack("!H", body[0:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    p, end = 4 + wlen, 4 + wlen + alen
    others, routes, nh = bytearray(), [], b""
    mp = []
    while p < end:
        flags, code = body[p], body[p + 1]
        hl = 4 if flags & 0x10 else 3
        ln = struct.unpack("!H", body[p + 2:p + 4])[0] if flags & 0x10 else body[p + 2]
        value = body[p + hl:p + hl + ln]
        if code in (14, 15):
            mp.append((code, value))
        else:
            if code == 3:
                nh = value
            others += body[p:p + hl + ln]
        p += hl + ln
    others = bytes(others)
    for pfx in split_prefixes(body[2:2 + wlen]):
        routes.append(("withdraw", 1, 1, b"", pfx, b""))
    for pfx in split_prefixes(body[end:]):
        routes.append(("announce", 1, 1, nh, pfx, others))
    for code, value in mp:
        afi, safi = struct.unpack("!HB", value[:3])
        if (afi, safi) not in IMPLEMENTED:
            raise IndexError("MP family not split")
        if code == 15:
            routes += [("withdraw", afi, safi, b"", x, b"") for x in split_prefixes(value[3:])]
        else:
            nhl = value[3]
            mnh = value[4:4 + nhl]
            routes += [("announce", afi, safi, mnh, x, others)
                       for x in split_prefixes(value[5 + nhl:])]
    return sorted(routes)


class Matcher:
    """Consumes the received messages against the expected groups (SPEC 5.2); within a group a
    message matches an expected one (same_message), or its routes are taken from the routes of
    the group's remaining UPDATEs (update_routes) when it packs them differently."""

    def __init__(self, messages, inspect_open):
        groups = {}
        for m in messages:
            groups.setdefault((m["conn"], m["seq"]), []).append(
                expected_rfc_way(bytes.fromhex(m["hex"])))
        self.groups = [groups[k] for k in sorted(groups)]
        self.keys = sorted(groups)
        self.inspect_open = inspect_open
        self.problem = None
        self.repacked = 0
        self.pool = None  # routes of the current group's UPDATEs once a repacked one came

    def done(self):
        return not self.groups

    def current(self):
        return self.keys[0] if self.keys else None

    def _advance_if_empty(self):
        group = self.groups[0]
        if not group or (self.pool is not None and not self.pool
                         and all(update_routes(e) is not None for e in group)):
            del self.groups[0]
            del self.keys[0]
            self.pool = None

    def _take_routes(self, data):
        try:
            got = update_routes(data)
        except (IndexError, struct.error):
            return False
        if not got:
            return False
        if self.pool is None:
            pool = []
            try:
                for e in self.groups[0]:
                    r = update_routes(e)
                    if r:
                        pool += r
            except (IndexError, struct.error):
                return False
            self.pool = pool
        left = list(self.pool)
        for r in got:
            if r not in left:
                return False
            left.remove(r)
        self.pool = left
        # whole expected messages whose routes are all gone are consumed too
        self.groups[0] = [e for e in self.groups[0]
                          if update_routes(e) is None or any(r in left for r in update_routes(e))]
        self.repacked += 1
        return True

    def feed(self, data):
        mtype = data[18]
        if mtype == KEEPALIVE_T:
            return
        if mtype == OPEN_T and not self.inspect_open:
            return
        if self.groups:
            for i, exp in enumerate(self.groups[0]):
                if same_message(exp, data):
                    del self.groups[0][i]
                    if self.pool is not None:
                        for r in update_routes(exp) or []:
                            if r in self.pool:
                                self.pool.remove(r)
                    self._advance_if_empty()
                    return
            if self._take_routes(data):
                self._advance_if_empty()
                return
        if not self.groups and is_eor(data):
            return
        if self.problem is None:
            if self.groups:
                want = "one of group %s%d: %s" % (self.keys[0][0], self.keys[0][1], " ".join(
                    e.hex().upper() for e in self.groups[0]))
            else:
                want = "nothing more"
            self.problem = "unexpected message %s (expected %s)" % (data.hex().upper(), want)


def strip_volatile(obj):
    if isinstance(obj, dict):
        return {k: strip_volatile(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [strip_volatile(v) for v in obj]
    return obj


def json_comparable(doc):
    """What of an ExaBGP JSON update must match: the message part and the AS numbers."""
    n = doc.get("neighbor") or {}
    return strip_volatile({"type": doc.get("type"), "asn": n.get("asn"),
                           "message": n.get("message")})


def check_json(rec, records, addrs):
    """Each UPDATE JSON a helper read for an UPDATE we sent must equal the json_42 of one expected
    message; returns (problem or None, number compared)."""
    expected = [json_comparable(m["json_42"]) for m in rec["messages"] if "json_42" in m]
    compared = 0
    for text in records:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if not isinstance(doc, dict) or doc.get("type") != "update":
            continue
        n = doc.get("neighbor") or {}
        if n.get("direction") != "send":  # 4.2 (and the bridge) say "send" for a sent UPDATE
            continue
        compared += 1
        got = json_comparable(doc)
        if got not in expected:
            return "helper read JSON matching no expected message: %s" % json.dumps(got), compared
    return None, compared


def subscribed_to(neighbor, proc, direction, mtype):
    """SPEC 1.2: a process gets a message type in a direction when that type is switched on and
    it is rendered (parsed, packets or consolidate)."""
    api = neighbor.get("api") or {}
    return proc in api.get("%s-%s" % (direction, mtype), []) and any(
        proc in api.get("%s-%s" % (direction, form), [])
        for form in ("parsed", "packets", "consolidate"))


def read_open(lines, direction):
    """Whether a helper read an OPEN event (SPEC 3.4) of that direction."""
    for text in lines:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("type") == "open" and \
                (doc.get("neighbor") or {}).get("direction") == direction:
            return True
    return False


# ---- running a record -----------------------------------------------------------------------

class Run:
    def __init__(self, rec, kind, build, ports, keep):
        self.rec, self.kind, self.build, self.ports = rec, kind, build, ports
        base = os.environ.get("BGPBUS_TEST_DIR") or tempfile.gettempdir()
        os.makedirs(base, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="e2e-%s-" % re.sub(r"[^A-Za-z0-9_-]", "_",
                                                             rec.get("name", "rec")), dir=base)
        self.keep = keep
        self.procs = []
        self.addrs = {}

    def helper_cmd(self, process):
        lines = []
        for h in self.rec.get("helpers", []):
            if h.get("process") == process:
                lines += [rewrite_line(x, self.addrs) for x in helper_lines(h)]
        plan = os.path.join(self.dir, "plan-%s.json" % process)
        others = [os.path.join(self.dir, "sent-%s.txt" % h.get("process"))
                  for h in self.rec.get("helpers", []) if h.get("process") != process]
        with open(plan, "w") as f:
            json.dump({"lines": lines, "go": os.path.join(self.dir, "go"), "others": others,
                       "record": os.path.join(self.dir, "read-%s.txt" % process),
                       "sent": os.path.join(self.dir, "sent-%s.txt" % process),
                       "started": os.path.join(self.dir, "started-%s" % process),
                       "ack_timeout": 10}, f)
        return "/usr/bin/python3 %s %s" % (os.path.join(HERE, "e2e_helper.py"), plan)

    def start(self, argv, name, env):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
        self.procs.append((name, p))
        return p

    def log_tail(self, name, n=6):
        try:
            with open(os.path.join(self.dir, name + ".log")) as f:
                lines = f.read().splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-n:])

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def sanitizer_problem(self):
        for name, _ in self.procs:
            text = self.log_tail(name, 400)
            if "ERROR: AddressSanitizer" in text or "runtime error:" in text \
                    or "ERROR: LeakSanitizer" in text:
                return "%s: sanitizer report (see %s.log)" % (name, name)
        return None

    def execute(self):
        rec = self.rec
        options = rec.get("options") or {}
        conf_names = rec.get("configs") or sorted(rec["config_text"])
        helper = self.helper_cmd if self.kind == "api" else None
        neighbors = []
        paths = []
        assigned = {}
        self.texts = []
        for fname in conf_names:
            text, ns = rewrite_config(rec["config_text"][fname], self.addrs, self.ports, helper,
                                      assigned)
            neighbors += [n for n in ns if n not in neighbors]
            path = os.path.join(self.dir, os.path.basename(fname))
            with open(path, "w") as f:
                f.write(text)
            paths.append(path)
            self.texts.append(text)
        self.config_path, self.loaded = paths[0], 0
        if not neighbors:
            return "fail", "no loopback neighbor in the configuration"
        peer = e2e_peer.RecordingPeer(options)
        passive = {n.get("peer-address"): n.get("passive") for n in rec.get("neighbors", [])}

        def open_sessions():
            for orig, mapped in self.addrs.items():
                for addr, listen, connect in neighbors:
                    if addr != mapped:
                        continue
                    if passive.get(orig):
                        peer.connect(mapped, "::1" if ":" in mapped else "127.0.0.1", listen)
                    else:
                        peer.listen(mapped, connect)

        # ExaBGP starts its processes before its sessions: where a helper reads session or
        # message events, the peer takes sessions only once the helpers run (the bridge
        # subscribes to the speaker's events before it starts them); the speaker's first
        # connection then fails and its retry (2 s) makes the session.
        late = self.kind == "api" and any(
            v for nb in rec.get("neighbors", []) for k, v in (nb.get("api") or {}).items()
            if k != "processes")
        try:
            if not late:
                open_sessions()
            rt = os.path.join(self.dir, "rt")
            os.makedirs(rt, mode=0o700, exist_ok=True)
            env = dict(os.environ, BGPBUS_RUNTIME_DIR=rt)
            speaker = self.start([os.path.join(self.build, "bin", "bgpbus-speaker"), "--config",
                                  paths[0], "--log-level", "debug"], "speaker", env)
            if self.kind == "api":
                time.sleep(0.3)
                self.start([os.path.join(self.build, "bin", "bgpbus-apibridge"), "--config",
                            paths[0], "--log-level", "debug"], "bridge", env)
                self.wait_helpers_started()
            if late:
                open_sessions()
            verdict, detail = self.watch(peer, speaker)
            if verdict == "pass" and self.kind == "api":
                self.wait_helpers()
        finally:
            peer.close()
            self.stop()
        if verdict == "pass":
            problem = self.sanitizer_problem()
            if problem:
                verdict, detail = "fail", problem
        if verdict == "pass" and self.kind == "api":
            verdict, detail = self.check_helpers(detail)
        return verdict, detail

    def watch(self, peer, speaker):
        rec = self.rec
        options = rec.get("options") or {}
        matcher = Matcher(rec["messages"], options.get("open") == "inspect-open-message")
        actions = sorted(rec.get("actions") or [], key=lambda a: (a["conn"], a["seq"]))
        # A busy machine (sanitizers, parallel tests) gets more than ExaBGP's 3 s per message.
        per_message = max(float(options.get("timeout", 3)), 3.0) * 3
        start_deadline = time.monotonic() + 30
        deadline = None
        go = os.path.join(self.dir, "go")
        with open(os.path.join(self.dir, "received.txt"), "w", buffering=1) as received:
            return self.watch_loop(peer, speaker, matcher, actions, received, go,
                                   per_message, start_deadline, deadline)

    def watch_loop(self, peer, speaker, matcher, actions, received, go, per_message,
                   start_deadline, deadline):
        """watch's loop; every message received is also written to `received` (the record's
        received.txt, kept with a failure's files)."""
        while True:
            if peer.established.is_set() and not os.path.exists(go):
                open(go, "w").close()
                deadline = time.monotonic() + per_message
            while actions and peer.established.is_set() and (
                    matcher.done() or (actions[0]["conn"], actions[0]["seq"]) <= matcher.current()):
                a = actions.pop(0)
                if a["kind"] == "notification":
                    text = a["value"].encode()
                    # RFC 9003: Cease / Administrative Shutdown with a length-prefixed reason
                    peer.send_all(e2e_peer.message(3, bytes([6, 2, len(text)]) + text))
                elif a["kind"] == "signal":
                    if a["value"] == "SIGUSR1":
                        self.next_config()
                    speaker.send_signal(getattr(signal, a["value"]))
            if matcher.problem:
                return "fail", matcher.problem
            if matcher.done() and not actions:
                break
            now = time.monotonic()
            limit = deadline if deadline is not None else start_deadline
            if now > limit:
                what = ("group %s%d" % matcher.current()) if not matcher.done() else "actions"
                if deadline is None:
                    return "fail", "no session within 30 s; speaker: %s" % self.log_tail("speaker")
                return "fail", "timeout waiting for %s (%d group(s) left); speaker: %s" % (
                    what, len(matcher.groups), self.log_tail("speaker", 3))
            try:
                ev = peer.events.get(timeout=min(0.2, max(0.01, limit - now)))
            except Exception:
                if speaker.poll() is not None:
                    return "fail", "speaker exited (%d): %s" % (speaker.returncode,
                                                                self.log_tail("speaker"))
                continue
            if ev[0] == "msg":
                received.write("%s %s\n" % (ev[1], ev[3].hex().upper()))
                matcher.feed(ev[3])
                if deadline is not None:
                    deadline = time.monotonic() + per_message
            elif ev[0] == "error":
                return "fail", ev[1]
        # UPDATEs that arrive shortly after the last expectation are still checked (a
        # NOTIFICATION then is the end of the run, e.g. a helper's `shutdown`).
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            try:
                ev = peer.events.get(timeout=max(0.01, end - time.monotonic()))
            except Exception:
                break
            if ev[0] == "msg" and ev[2] == 2:
                received.write("%s %s\n" % (ev[1], ev[3].hex().upper()))
                matcher.feed(ev[3])
        if matcher.problem:
            return "fail", matcher.problem
        return "pass", "%d message(s) as expected%s" % (
            len(self.rec["messages"]), " (%d UPDATE(s) packed differently)" % matcher.repacked
            if matcher.repacked else "")

    def next_config(self):
        """ExaBGP given several configuration files loads the next one, round robin, on each
        reload (Configuration._reload); the speaker re-reads its --config file on SIGUSR1, so
        that file gets the next text."""
        if len(self.texts) < 2:
            return
        self.loaded = (self.loaded + 1) % len(self.texts)
        tmp = self.config_path + ".next"
        with open(tmp, "w") as f:
            f.write(self.texts[self.loaded])
        os.replace(tmp, self.config_path)

    def wait_helpers_started(self, timeout=30):
        """Waits until every helper of the record runs (it creates its `started` file)."""
        procs = set(h.get("process") for h in self.rec.get("helpers", []))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(
                os.path.exists(os.path.join(self.dir, "started-%s" % p)) for p in procs):
            time.sleep(0.05)

    def wait_helpers(self, timeout=5):
        """Lets each helper finish its lines (their acks are part of the verdict)."""
        deadline = time.monotonic() + timeout
        for h in self.rec.get("helpers", []):
            path = os.path.join(self.dir, "sent-%s.txt" % h.get("process"))
            while time.monotonic() < deadline:
                try:
                    with open(path) as f:
                        if "end" in f.read().splitlines():
                            break
                except OSError:
                    pass
                time.sleep(0.05)

    def check_helpers(self, detail):
        notes = []
        for h in self.rec.get("helpers", []):
            proc = h.get("process")
            read = []
            try:
                with open(os.path.join(self.dir, "read-%s.txt" % proc)) as f:
                    read = f.read().splitlines()
            except OSError:
                pass
            try:
                with open(os.path.join(self.dir, "sent-%s.txt" % proc)) as f:
                    sent = f.read().splitlines()
            except OSError:
                sent = []
            if helper_lines(h) and not sent:
                return "fail", "helper %s never ran (bridge: %s)" % (proc, self.log_tail("bridge"))
            errors = [s for s in sent if s.startswith("error\t")]
            if errors:
                notes.append("%s: %d line(s) answered error" % (proc, len(errors)))
            problem, n = check_json(self.rec, read, self.addrs)
            if problem:
                return "fail", "%s: %s" % (proc, problem)
            subscribed = any(subscribed_to(nb, proc, "send", "update")
                             for nb in self.rec.get("neighbors", []))
            if subscribed and n == 0 and any(m["type"] == 2 and not m.get("eor")
                                             for m in self.rec["messages"]):
                return "fail", "%s: subscribed to sent updates but read no UPDATE JSON" % proc
            if n:
                notes.append("%s: %d JSON update(s) equal json_42" % (proc, n))
            for direction in ("send", "receive"):
                if any(subscribed_to(nb, proc, direction, "open")
                       for nb in self.rec.get("neighbors", [])):
                    if not read_open(read, direction):
                        return "fail", "%s: subscribed to %s OPENs but read no OPEN event" % (
                            proc, direction)
                    notes.append("%s: %s OPEN event read" % (proc, direction))
        return "pass", "; ".join([detail] + notes)

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def check_record(rec, kind, build, ports, keep=False):
    reason = skip_reason(rec, kind)
    if reason:
        return "skip", reason
    run = Run(rec, kind, build, ports, keep)
    try:
        verdict, detail = run.execute()
    except Exception as e:  # a harness error is this record's failure, not the whole run's
        verdict, detail = "fail", "harness: %s: %s" % (type(e).__name__, e)
    if verdict == "fail":
        detail += " [files: %s]" % run.dir
        run.keep = True
    run.cleanup()
    return verdict, detail
