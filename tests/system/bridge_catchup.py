#!/usr/bin/python3
"""apibridge, issue 4: a bridge started after the speaker's sessions came up still gives its
helpers the whole story (apibridge/events.c, apibridge/catchup.c).

The speaker and a scripted peer come up, the peer's routes arrive (one of them withdrawn again),
and only then does the bridge start, with a JSON and a text helper that record what they read:
  replay:  the ring still holds the run's first event: the helpers read the run's history
           (state up, every UPDATE received, the withdrawal included) as ExaBGP JSON / text;
  present: the speaker keeps 4 events (--event-ring 4): the helpers read the present state
           instead (state up, the routes still in the Adj-RIB-In, not the withdrawn one).
Either way, what the peer sends after the bridge started follows, once and in order."""

import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_lib import (Bridge, Harness, ScriptedPeer, Speaker, api_block,  # noqa: E402
                        helper_argv, neighbor_conf, process_conf, read_lines, wait_lines)
from speaker_lib import SPEAKER  # noqa: E402
from scripted_peer import as_path, next_hop, origin, update  # noqa: E402

h = Harness("bridge_catchup", 75)
LOCAL, PEER = h.addr(1), h.addr(2)
RECV = "\t\tneighbor-changes;\n\t\treceive {\n\t\t\tparsed;\n\t\t\tupdate;\n\t\t}\n"
KEPT = ["10.75.1.0/24", "10.75.2.0/24", "10.75.3.0/24"]
GONE = "10.75.9.0/24"
LATE = "10.75.4.0/24"


class RingSpeaker(Speaker):
    """The speaker with --event-ring N (speaker_lib.Speaker takes no extra arguments)."""

    def __init__(self, hs, name, conf, ring):
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
        self.proc = subprocess.Popen([SPEAKER, "--config", self.conf_path, "--log-level", "debug",
                                      "--event-ring", str(ring)],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        hs.procs.append(self.proc)
        self.wait_ready()


def path(name):
    return os.path.join(h.dir, name)


def recorder(name, encoder):
    """A helper that only reads: every line the bridge writes lands in NAME.rec."""
    with open(path(name + ".cmds"), "w"):
        pass
    rec = path(name + ".rec")
    if os.path.exists(rec):
        os.unlink(rec)
    return process_conf(name, helper_argv(path(name + ".cmds"), rec, "--burst"),
                        encoder=encoder), rec


def json_story(rec):
    """(kind, detail) per JSON event read: ("state", "up"), ("announce", prefix, next hop),
    ("withdraw", prefix). A line that is not ExaBGP JSON is ("bad", line)."""
    out = []
    for line in read_lines(rec):
        if not line.startswith("{"):
            continue
        try:
            msg = json.loads(line)
        except ValueError:
            out.append(("bad", line))
            continue
        nb = msg.get("neighbor", {})
        if msg.get("exabgp") is None or nb.get("address", {}).get("peer") != PEER:
            out.append(("bad", line))
        elif msg.get("type") == "state":
            out.append(("state", nb.get("state")))
        elif msg.get("type") == "update":
            upd = nb.get("message", {}).get("update", {})
            for nhs in upd.get("announce", {}).get("ipv4 unicast", {}).items():
                out += [("announce", r["nlri"], nhs[0]) for r in nhs[1]]
            gone = upd.get("withdraw", {}).get("ipv4 unicast", [])
            out += [("withdraw", r["nlri"]) for r in gone]
    return out


def text_story(rec):
    """The text encoder's event lines (SPEC 4) without the update start/end brackets."""
    return [x for x in read_lines(rec) if x.startswith("neighbor ")
            and not x.endswith(" update start") and not x.endswith(" update end")]


def run_case(name, ring):
    port = h.port()
    js, rj = recorder(name + "-js", "json")
    tx, rt = recorder(name + "-tx", "text")
    conf = js + tx + neighbor_conf(PEER, LOCAL, 65001, port,
                                   extra=api_block([name + "-js", name + "-tx"], RECV))
    sp = RingSpeaker(h, name, conf, ring) if ring else Speaker(h, name, conf)
    peer = ScriptedPeer(local=PEER, asn=65001)
    peer.connect(LOCAL, port)
    peer.establish()
    attrs = origin(0) + as_path([65001]) + next_hop(PEER)
    for p in KEPT + [GONE]:
        peer.send_update(update(attrs=attrs, nlri=[p]))
    peer.send_update(update(withdrawn=[GONE]))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rib = sp.client("rib-in", "--neighbor", PEER).stdout
        if all(p in rib for p in KEPT) and GONE not in rib:
            break
        time.sleep(0.1)
    h.check("%s: the peer's routes are in the Adj-RIB-In before the bridge starts" % name,
            all(p in rib for p in KEPT) and GONE not in rib, rib)
    # Only now the bridge: its helpers were not there when the session came up.
    br = Bridge(sp, name + "-bridge")
    return sp, peer, br, rj, rt, attrs


def expect_late_route(name, peer, attrs, rj, rt):
    """What the peer sends after the bridge started follows the catch-up, once."""
    peer.send_update(update(attrs=attrs, nlri=[LATE]))
    got = [x for x in json_story(rj) if x[0] != "bad"]
    deadline = time.monotonic() + 10
    while ("announce", LATE, PEER) not in got and time.monotonic() < deadline:
        time.sleep(0.1)
        got = [x for x in json_story(rj) if x[0] != "bad"]
    h.check("%s: a route sent after the bridge started follows, once" % name,
            got.count(("announce", LATE, PEER)) == 1 and got[-1] == ("announce", LATE, PEER),
            repr(got))
    lines = wait_lines(rt, lambda ls: any(LATE in x for x in ls), 10)
    h.check("%s: the text helper gets it too" % name, any(LATE in x for x in lines), repr(lines))


def stop_clean(name, br):
    rc = br.stop()
    log = br.log_text()
    h.check("%s: the bridge exits cleanly (status 0, no sanitizer report)" % name,
            rc == 0 and "Sanitizer" not in log and "runtime error" not in log,
            "rc %r\n%s" % (rc, log[-2000:]))


def test_replay():
    sp, peer, br, rj, rt, attrs = run_case("replay", 0)
    want = ([("state", "connected"), ("state", "up")]
            + [("announce", p, PEER) for p in KEPT + [GONE]] + [("withdraw", GONE)])
    wait_lines(rj, lambda ls: len(json_story(rj)) >= len(want), 10)
    got = json_story(rj)
    h.check("replay: the JSON helper reads the session's history as ExaBGP JSON, in order",
            got == want, "%r\n%s" % (got, br.log_text()[-1500:]))
    want_tx = (["neighbor %s connected" % PEER, "neighbor %s up" % PEER]
               + ["neighbor %s receive update announced %s next-hop %s origin igp as-path 65001"
                  % (PEER, p, PEER) for p in KEPT + [GONE]]
               + ["neighbor %s receive update withdrawn %s" % (PEER, GONE)])
    wait_lines(rt, lambda ls: len(text_story(rt)) >= len(want_tx), 10)
    tx = text_story(rt)
    h.check("replay: the text helper reads it as ExaBGP text, in order", tx == want_tx, repr(tx))
    log = br.log_text()
    h.check("replay: read from the speaker's ring, not synthesized",
            "replaying the speaker's run from its first event" in log
            and "caught up from the present" not in log, log[-1500:])
    expect_late_route("replay", peer, attrs, rj, rt)
    stop_clean("replay", br)
    peer.close()
    sp.stop()


def test_present():
    sp, peer, br, rj, rt, attrs = run_case("present", 4)
    want = [("state", "up")] + [("announce", p, PEER) for p in KEPT]
    wait_lines(rj, lambda ls: len(json_story(rj)) >= len(want), 10)
    got = json_story(rj)
    h.check("present: the JSON helper reads state up and the routes held now (synthesized)",
            got[:1] == [("state", "up")] and sorted(got[1:]) == sorted(want[1:]),
            "%r\n%s" % (got, br.log_text()[-1500:]))
    tx = text_story(rt)
    h.check("present: the text helper reads them as ExaBGP text",
            tx[:1] == ["neighbor %s up" % PEER]
            and all(any(p in x and "announced" in x for x in tx) for p in KEPT)
            and not any(GONE in x for x in tx), repr(tx))
    h.check("present: one log line says the bridge caught up from the present state",
            br.log_text().count("caught up from the present state (1 neighbor(s) up, 3 route(s)")
            == 1, br.log_text()[-1500:])
    expect_late_route("present", peer, attrs, rj, rt)
    stop_clean("present", br)
    peer.close()
    sp.stop()


h.run("replay: the ring holds the run's beginning", test_replay)
h.run("present: the ring lost it", test_present)
sys.exit(h.finish())
