#!/usr/bin/python3
"""Issues 4 and 7: no event lost under a full-table-like burst, neither by the apibridge's JSON
helpers nor by a C subscriber (libbgpbus_client) that falls far behind.

A scripted peer sends BURST_UPDATES UPDATEs (4 prefixes each) in one go. Through the bridge, a
JSON helper (tests/bridge/json_watcher.py) must read every prefix, in order, once. The bridge
runs with a tiny event queue (bgpbus.api.event_queue=4), so nng drops events whenever it is
busy: gaps are read back from the speaker's replay ring, and new gaps open while such a read is
in flight (the case that lost events before: the held events were released across the second
gap). The C subscriber (bgpbus_example_watch) is stopped for the whole burst, so it falls more
than 65536 events behind (the ring's old count bound) and must still see every prefix in order.

Then with a ring too small for the burst (--event-ring-mb 1), bridge and C subscriber both
stopped through it: what the ring lost is reported, never silent (the bridge's error log with
its count, the client's bgpbus_event_lost), and everything else still comes in order.
"""

import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_lib import (BUILD, HELPERS, Bridge, Harness, ScriptedPeer, Speaker,  # noqa: E402
                        api_block, neighbor_conf, process_conf, wait_lines)
from speaker_lib import SPEAKER  # noqa: E402
from scripted_peer import UPDATE, as_path, med, message, next_hop, origin, update  # noqa: E402

h = Harness("bridge_burst", 77)
LOCAL, PEER = h.addr(1), h.addr(2)
PORTS = [h.port(), h.port()]
PY = "/usr/bin/python3"
RECV = "\t\tneighbor-changes;\n\t\treceive {\n\t\t\tparsed;\n\t\t\tupdate;\n\t\t}\n"
WATCH = os.path.join(BUILD, "bin", "bgpbus_example_watch")
SUBCOUNT = os.path.join(BUILD, "tests", "bench", "bench-subcount")
N_UPDATES = int(os.environ.get("BURST_UPDATES", "70000"))
N_SMALL_RING = 20000
PER_UPDATE = 4


def path(name):
    return os.path.join(h.dir, name)


def prefix(k):
    return "%d.%d.%d.0/24" % (11 + k // 65536, (k // 256) % 256, k % 256)


class RingSpeaker(Speaker):
    """The speaker with --event-ring-mb M (speaker_lib.Speaker takes no extra arguments)."""

    def __init__(self, hs, name, conf, ring_mb):
        self.h = hs
        self.name = name
        self.rt = os.path.join(hs.dir, name + ".rt")
        os.makedirs(self.rt, mode=0o700, exist_ok=True)
        os.chmod(self.rt, 0o700)
        self.conf_path = os.path.join(hs.dir, name + ".conf")
        self.log_path = os.path.join(hs.dir, name + ".log")
        self.write_conf(conf)
        self.env = dict(os.environ, BGPBUS_RUNTIME_DIR=self.rt)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([SPEAKER, "--config", self.conf_path, "--log-level", "info",
                                      "--event-ring-mb", str(ring_mb)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        hs.procs.append(self.proc)
        self.wait_ready()


def burst(n_updates):
    """The UPDATE messages (one MED each, so no two are alike) and their prefixes in order."""
    want, msgs = [], []
    for i in range(n_updates):
        nlri = [prefix(i * PER_UPDATE + j) for j in range(PER_UPDATE)]
        attrs = origin(0) + as_path([65001]) + next_hop(PEER) + med(i)
        msgs.append(message(UPDATE, update(attrs=attrs, nlri=nlri)))
        want += nlri
    return b"".join(msgs), want


def announced(lines):
    return [x.split()[3] for x in lines if x.startswith("update %s announce " % PEER)]


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "at %d: %s, expected %s" % (i, g, w)
    return "%d of %d" % (len(got), len(want))


def speaker_conf(log, port):
    watch = process_conf("watch", [PY, os.path.join(HELPERS, "json_watcher.py"), path(log)],
                         encoder="json")
    return watch + neighbor_conf(PEER, LOCAL, 65001, port, extra=api_block(["watch"], RECV))


def connect_peer(log, port):
    peer = ScriptedPeer(local=PEER, asn=65001)
    peer.connect(LOCAL, port)
    peer.establish()
    peer.keepalive_every(3)
    up = wait_lines(path(log), lambda ls: "state %s up" % PEER in ls, 10)
    h.check("helper: session up", "state %s up" % PEER in up, repr(up[-5:]))
    return peer


def test_burst():
    data, want = burst(N_UPDATES)
    sp = Speaker(h, "burst", speaker_conf("j.log", PORTS[0]))
    br = Bridge(sp, "burst-bridge", env={"bgpbus_api_event_queue": "4"})
    h.check("bridge: running", br.wait_log("running ", 10), br.log_text()[-800:])
    out = open(path("c.out"), "w")
    csub = subprocess.Popen([WATCH, "-n", str(len(want))], stdout=out, stderr=subprocess.STDOUT,
                            env=sp.env)
    h.procs.append(csub)
    h.check("C subscriber: ready", wait_lines(path("c.out"), lambda ls: "ready" in ls, 10))
    time.sleep(0.5)  # the bridge's subscription is up
    peer = connect_peer("j.log", PORTS[0])

    # The C subscriber reads nothing during the burst: it falls the whole burst behind.
    csub.send_signal(signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        peer.send_raw(data)
        lines = wait_lines(path("j.log"), lambda ls: len(announced(ls)) >= len(want), 50)
        print("# helper read %d prefixes in %.1f s" % (len(announced(lines)),
                                                      time.monotonic() - t0), flush=True)
    finally:
        csub.send_signal(signal.SIGCONT)
    got = announced(lines)
    log = br.log_text()
    h.check("bridge: gaps were read from the speaker",
            "missed; reading them from the speaker" in log, log[-800:])
    h.check("bridge: a gap opened while another was being read, and was read too",
            "missed while earlier ones were read; reading them" in log, log[-800:])
    h.check("bridge: no event reported lost", "helpers miss them" not in log,
            "\n".join(x for x in log.splitlines() if "helpers miss them" in x)[:800])
    h.check("helper: every prefix, in order, once", got == want, first_difference(got, want))

    clines = wait_lines(path("c.out"), lambda ls: len(ls) >= len(want) + 1, 40)
    cgot = [x.split()[2] for x in clines if x.startswith("announce ")]
    h.check("C subscriber: every prefix, in order, once", cgot == want,
            first_difference(cgot, want))
    br.stop()
    peer.close()


def in_order_once(got, want):
    """got is want with some prefixes left out, in want's order, none twice."""
    at = {p: i for i, p in enumerate(want)}
    idx = [at.get(p, -1) for p in got]
    return all(i >= 0 for i in idx) and all(a < b for a, b in zip(idx, idx[1:]))


def last_count(lines):
    """bench-subcount's last `count ANNOUNCED WITHDRAWN EVENTS LOST`, as ints."""
    counts = [x.split()[1:] for x in lines if x.startswith("count ")]
    return [int(v) for v in counts[-1]] if counts else [0, 0, 0, 0]


def test_small_ring():
    data, want = burst(N_SMALL_RING)
    sp = RingSpeaker(h, "small", speaker_conf("s.log", PORTS[1]), 1)
    br = Bridge(sp, "small-bridge", env={"bgpbus_api_event_queue": "4"})
    h.check("small ring: bridge running", br.wait_log("running ", 10), br.log_text()[-800:])
    out = open(path("s.out"), "w")
    csub = subprocess.Popen([SUBCOUNT], stdout=out, stderr=subprocess.STDOUT, env=sp.env)
    h.procs.append(csub)
    h.check("small ring: C subscriber ready",
            wait_lines(path("s.out"), lambda ls: "ready" in ls, 10))
    time.sleep(0.5)
    peer = connect_peer("s.log", PORTS[1])
    # Both stop reading while the speaker publishes the whole burst through a 1 MiB ring.
    br.proc.send_signal(signal.SIGSTOP)
    csub.send_signal(signal.SIGSTOP)
    try:
        peer.send_raw(data)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if "updates_in=%d" % N_SMALL_RING in sp.client("neighbors").stdout:
                break
            time.sleep(0.2)
    finally:
        br.proc.send_signal(signal.SIGCONT)
        csub.send_signal(signal.SIGCONT)
    lines = wait_lines(path("s.log"), lambda ls: want[-1] in announced(ls), 30)
    got = announced(lines)
    log = br.log_text()
    gone = [x for x in log.splitlines() if "gone from the speaker's replay ring" in x]
    counts = [re.search(r"\((\d+) event\(s\) lost so far\)", x) for x in gone]
    lost = int(counts[-1].group(1)) if counts and counts[-1] else 0
    h.check("small ring: the bridge logs the events the ring lost, with their count", lost > 0,
            log[-800:])
    h.check("small ring: the helper got the rest, in order, once",
            in_order_once(got, want) and 0 < len(got) < len(want)
            and len(got) >= len(want) - PER_UPDATE * lost,
            "%d of %d, %d events lost" % (len(got), len(want), lost))
    clines = wait_lines(path("s.out"), lambda ls: sum(last_count(ls)[2:]) >= N_SMALL_RING, 30)
    _ann, _wd, events, clost = last_count(clines)
    h.check("small ring: the C subscriber reports what it lost (bgpbus_event_lost)",
            clost > 0 and events < N_SMALL_RING and events + clost >= N_SMALL_RING,
            "%d events, %d lost" % (events, clost))
    br.stop()
    peer.close()


h.run("burst", test_burst)
h.run("small ring", test_small_ring)
sys.exit(h.finish())
