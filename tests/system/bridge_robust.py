#!/usr/bin/python3
"""apibridge: JSON events to a 4.2-style helper, a helper that never reads stdin stalls nobody,
the respawn limit, and a speaker killed and restarted gets the helpers' routes back."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_lib import (HELPERS, Bridge, Harness, ScriptedPeer, Speaker, api_block,  # noqa: E402
                        helper_argv, neighbor_conf, process_conf, read_lines, wait_lines)
from scripted_peer import as_path, next_hop, origin, update  # noqa: E402

h = Harness("bridge_robust", 42)
LOCAL, PEER = h.addr(1), h.addr(2)
PORT = h.port()
PY = "/usr/bin/python3"
RECV = "\t\tneighbor-changes;\n\t\treceive {\n\t\t\tparsed;\n\t\t\tupdate;\n\t\t}\n"


def watcher(name, log, routes, encoder="json"):
    return process_conf(name, [PY, os.path.join(HELPERS, "json_watcher.py"), log]
                        + ['"%s"' % r for r in routes], encoder=encoder)


def connect_peer():
    p = ScriptedPeer(local=PEER, asn=65001)
    p.connect(LOCAL, PORT)
    p.establish()
    p.keepalive_every(3)
    return p


def test_json_events_and_stuck_helper():
    log = os.path.join(h.dir, "w.log")
    stuck_cmds = os.path.join(h.dir, "stuck.cmds")
    with open(stuck_cmds, "w") as f:
        f.write("announce route 10.88.0.0/24 next-hop 1.2.3.4\n")
    conf = (watcher("watch", log, ["10.77.0.0/24 1.2.3.4", "10.77.1.0/24 1.2.3.4"])
            + process_conf("stuck", helper_argv(stuck_cmds, os.path.join(h.dir, "stuck.rec"),
                                                "--never-read"))
            + neighbor_conf(PEER, LOCAL, 65001, PORT,
                            extra=api_block(["watch", "stuck"], RECV)))
    sp = Speaker(h, "json", conf)
    br = Bridge(sp, "json-bridge")
    lines = wait_lines(log, lambda ls: "ack 10.77.1.0/24 done" in ls, 10)
    h.check("4.2 helper: each announce acked done", "ack 10.77.0.0/24 done" in lines
            and "ack 10.77.1.0/24 done" in lines, repr(lines))
    peer = connect_peer()
    got = peer.updates(10, until=lambda u: {"10.77.0.0/24", "10.77.1.0/24", "10.88.0.0/24"}
                       <= set(p for x in u for p in x.announced()))
    h.check("routes of both helpers reach the peer", got is not None)
    lines = wait_lines(log, lambda ls: "state %s up" % PEER in ls, 10)
    h.check("JSON state event (neighbor-changes)", "state %s up" % PEER in lines, repr(lines))
    # A flood of updates: the stuck helper never reads; the other must see every one.
    n = 2000
    attrs = origin(0) + as_path([65001]) + next_hop(PEER)
    for i in range(n):
        peer.send_update(update(attrs=attrs, nlri=["10.%d.%d.0/24" % (100 + i // 256, i % 256)]))
    lines = wait_lines(log, lambda ls: sum(1 for x in ls if x.startswith("update %s announce" % PEER)) >= n, 30)
    h.check("JSON update events: every one in order, despite a helper that never reads",
            [x.split()[3] for x in lines if x.startswith("update %s announce" % PEER)] ==
            ["10.%d.%d.0/24" % (100 + i // 256, i % 256) for i in range(n)])
    h.check("the speaker still answers", sp.client("ping", check=False, timeout=5).returncode == 0)
    h.check("no invalid JSON", not any(x.startswith("bad-json") for x in lines))
    br.stop()
    lines = wait_lines(log, lambda ls: "shutdown" in ls, 5)
    h.check("JSON shutdown event on bridge stop", "shutdown" in lines)
    peer.close()


def test_respawn_limit():
    conf = (process_conf("crasher", ["/bin/false"])
            + neighbor_conf(PEER, LOCAL, 65001, PORT))
    sp = Speaker(h, "respawn", conf)
    br = Bridge(sp, "respawn-bridge")
    ok = br.wait_log("Too many death for crasher", 10)
    h.check("respawn limit: given up with a clear log line", ok)
    time.sleep(0.5)
    starts = br.log_text().count("process crasher started")
    h.check("respawn limit: 1 start + 5 respawns", starts == 6, "starts=%d" % starts)
    h.check("respawn limit: the bridge keeps running", br.proc.poll() is None)
    br.stop()


def test_speaker_restart():
    log = os.path.join(h.dir, "r.log")
    conf = (watcher("keeper", log, ["10.66.0.0/24 1.2.3.4", "10.66.1.0/24 1.2.3.4"])
            + neighbor_conf(PEER, LOCAL, 65001, PORT, extra=api_block(["keeper"])))
    sp = Speaker(h, "restart", conf)
    br = Bridge(sp, "restart-bridge")
    wait_lines(log, lambda ls: "ack 10.66.1.0/24 done" in ls, 10)
    sp.proc.send_signal(signal.SIGKILL)
    sp.proc.wait()
    sp2 = Speaker(h, "restart", conf)
    h.check("speaker restart noticed", br.wait_log("the speaker restarted", 10))
    peer = connect_peer()
    got = peer.updates(10, until=lambda u: {"10.66.0.0/24", "10.66.1.0/24"}
                       <= set(p for x in u for p in x.announced()))
    h.check("speaker restart: the helper's routes are back on the peer", got is not None)
    lines = read_lines(log)
    h.check("speaker restart: the helper did nothing", sum(1 for x in lines if x.startswith("ack")) == 2)
    br.stop()
    sp2.stop()
    peer.close()


h.run("JSON events, stuck helper", test_json_events_and_stuck_helper)
h.run("respawn limit", test_respawn_limit)
h.run("speaker restart", test_speaker_restart)
sys.exit(h.finish())
