#!/usr/bin/python3
"""apibridge, issue 4: reload of the process blocks (SIGUSR1, `reload`), `restart` restarting
every helper, withdraw_on_exit, event drops for a helper that does not read (acks kept), gap
repair after the bridge missed events, and the text / packets / consolidate forms compared
with ExaBGP 4.2's captured transcripts."""

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_lib import (HELPERS, Bridge, Harness, ScriptedPeer, Speaker, api_block,  # noqa: E402
                        helper_argv, neighbor_conf, process_conf, read_lines, wait_lines)
from scripted_peer import as_path, next_hop, origin, update  # noqa: E402

h = Harness("bridge_gaps", 43)
LOCAL, PEER = h.addr(1), h.addr(2)
PORT = h.port()
PY = "/usr/bin/python3"
RECV = "\t\tneighbor-changes;\n\t\treceive {\n\t\t\tparsed;\n\t\t\tupdate;\n\t\t}\n"
TRANSCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "transcripts")


def path(name):
    return os.path.join(h.dir, name)


def scripted(name, cmds, *flags, encoder="text", respawn=None):
    """A scripted_helper process block; returns (conf text, record path)."""
    with open(path(name + ".cmds"), "w") as f:
        f.write("".join(c + "\n" for c in cmds))
    rec = path(name + ".rec")
    if os.path.exists(rec):
        os.unlink(rec)
    return process_conf(name, helper_argv(path(name + ".cmds"), rec, *flags), encoder=encoder,
                        respawn=respawn), rec


def starts(rec):
    return [int(x.split()[1]) for x in read_lines(rec) if x.startswith("#start ")]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie not yet reaped by the bridge counts as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait(pred, timeout=10):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def bridge_ready(br):
    """Events published before the bridge subscribed are not for its helpers: wait for it."""
    ok = br.wait_log("/events.sock", 10) and br.wait_log("running ", 10)
    time.sleep(0.3)
    return ok


def connect_peer(asn=65001):
    p = ScriptedPeer(local=PEER, asn=asn)
    p.connect(LOCAL, PORT)
    p.establish()
    p.keepalive_every(3)
    return p


def flood(peer, n, base=100):
    attrs = origin(0) + as_path([65001]) + next_hop(PEER)
    for i in range(n):
        peer.send_update(update(attrs=attrs, nlri=["10.%d.%d.0/24" % (base + i // 256, i % 256)]))
    return ["10.%d.%d.0/24" % (base + i // 256, i % 256) for i in range(n)]


def test_reload():
    keep, rk = scripted("keep", [], "--burst")
    gone, rg = scripted("gone", [], "--burst")
    chg, rc = scripted("chg", [], "--burst")
    new, rn = scripted("new", ["reload"], "--burst", "--wait-file", path("go-reload"))
    def nb(*names):
        return neighbor_conf(PEER, LOCAL, 65001, PORT, extra=api_block(list(names)))
    sp = Speaker(h, "reload", keep + gone + chg + nb("keep", "gone", "chg"))
    br = Bridge(sp, "reload-bridge")
    h.check("reload: three helpers started",
            wait(lambda: starts(rk) and starts(rg) and starts(rc)), br.log_text()[-1500:])
    pk, pg, pc = starts(rk)[0], starts(rg)[0], starts(rc)[0]
    # Stage 1, SIGUSR1: gone removed, chg changed (one more argument), new added.
    chg2 = process_conf("chg", helper_argv(path("chg.cmds"), rc, "--burst", "--exit-after", "3600"))
    sp.write_conf(keep + chg2 + new + nb("keep", "chg", "new"))
    br.proc.send_signal(signal.SIGUSR1)
    h.check("SIGUSR1: the new process is started", wait(lambda: starts(rn)), br.log_text()[-1500:])
    h.check("SIGUSR1: the changed process is restarted (new pid)",
            wait(lambda: len(starts(rc)) == 2 and starts(rc)[1] != pc), repr(starts(rc)))
    h.check("SIGUSR1: the removed process is stopped", wait(lambda: not alive(pg)))
    h.check("SIGUSR1: the unchanged process is untouched", starts(rk) == [pk] and alive(pk))
    h.check("SIGUSR1: the bridge says what it did",
            "reload: 1 process(es) started, 1 restarted, 1 kept" in br.log_text())
    # Stage 2, `reload` from a helper: chg removed; the others kept.
    pc2, pn = starts(rc)[1], starts(rn)[0]
    sp.write_conf(keep + new + nb("keep", "new"))
    open(path("go-reload"), "w").close()
    got = wait_lines(rn, lambda ls: "done" in ls, 10)
    h.check("reload command: 'reload in progress' then done",
            [x for x in got if x in ("reload in progress", "done")] == ["reload in progress", "done"],
            repr(got))
    h.check("reload command: the removed process is stopped", wait(lambda: not alive(pc2)))
    h.check("reload command: the others are untouched, the asker included",
            starts(rk) == [pk] and starts(rn) == [pn] and alive(pk) and alive(pn))
    h.check("reload: the bridge keeps running", br.proc.poll() is None)
    # A configuration that does not load changes nothing.
    sp.write_conf("process broken {\n")
    br.proc.send_signal(signal.SIGUSR1)
    h.check("reload of a broken file: logged, processes kept",
            br.wait_log("the processes are left as they are", 10) and alive(pk) and alive(pn))
    br.stop()


def test_restart_and_withdraw_on_exit():
    peer_conf_api = api_block(["r", "o", "w", "k"])
    r, rr = scripted("r", ["restart"], "--burst", "--wait-file", path("go-restart"))
    o, ro = scripted("o", [], "--burst")
    w, rw = scripted("w", ["announce route 10.61.0.0/24 next-hop 1.2.3.4"], "--exit",
                     respawn="false")
    k, rk = scripted("k", ["announce route 10.62.0.0/24 next-hop 1.2.3.4"], "--exit",
                     respawn="false")
    sp = Speaker(h, "restart", r + o + w + k
                 + neighbor_conf(PEER, LOCAL, 65001, PORT, extra=peer_conf_api))
    # The peer first: w's route must reach it before w exits and it is withdrawn.
    peer = connect_peer()
    br = Bridge(sp, "restart-bridge", env={"bgpbus_api_withdraw_on_exit": "w"})
    # w exits as soon as its route is acked, so its withdrawal may come right behind the
    # announcements: wait for both in one go.
    got = peer.updates(15, until=lambda u: {"10.61.0.0/24", "10.62.0.0/24"}
                       <= set(p for x in u for p in x.announced())
                       and "10.61.0.0/24" in set(p for x in u for p in x.withdrawals()))
    h.check("withdraw_on_exit: both helpers' routes reach the peer", got is not None)
    h.check("withdraw_on_exit: the listed helper's route is withdrawn when it exits for good",
            got is not None and "10.62.0.0/24" not in set(p for x in got for p in x.withdrawals()),
            br.log_text()[-1500:])
    out = sp.client("rib-out", "--neighbor", PEER).stdout
    h.check("withdraw_on_exit: rib-out keeps only the other helper's route",
            "10.62.0.0/24" in out and "10.61.0.0/24" not in out, out)
    h.check("withdraw_on_exit: logged", "process w is gone for good; withdrawing its 1 route(s)"
            in br.log_text())
    pr, po = starts(rr)[0], starts(ro)[0]
    open(path("go-restart"), "w").close()
    # Its answer is written before the SIGTERM, but the helper may die before reading it.
    h.check("restart command: the bridge restarts every process",
            br.wait_log("reload: 0 process(es) started, 4 restarted", 10), br.log_text()[-800:])
    h.check("restart: every running helper is restarted, the asker included",
            wait(lambda: len(starts(rr)) == 2 and len(starts(ro)) == 2)
            and not alive(pr) and not alive(po), "%r %r" % (starts(rr), starts(ro)))
    h.check("restart: helpers that had exited for good are started again",
            wait(lambda: len(starts(rw)) == 2 and len(starts(rk)) == 2))
    h.check("restart: the speaker resets the session", peer.wait_notification(10) is not None)
    # SIGALRM: the same restart from outside.
    r2 = starts(ro)[1]
    br.proc.send_signal(signal.SIGALRM)
    h.check("SIGALRM: every helper restarted", wait(lambda: len(starts(ro)) == 3)
            and not alive(r2))
    br.stop()
    peer.close()


def test_drops():
    watch = process_conf("watch", [PY, os.path.join(HELPERS, "json_watcher.py"), path("d.log")],
                         encoder="json")
    n_cmds = 50
    stuck, rs = scripted("stuck", ["announce route 10.63.%d.0/24 next-hop 1.2.3.4" % i
                                   for i in range(n_cmds)] + ["version"],
                         "--wait-file", path("go-stuck"), "--read-after", "3", encoder="json")
    sp = Speaker(h, "drops", watch + stuck + neighbor_conf(
        PEER, LOCAL, 65001, PORT, extra=api_block(["watch", "stuck"], RECV)))
    # A small limit so the stuck helper overflows fast; the reading one, however slow, gets 16
    # times more while it keeps reading (helper_write), which covers this whole flood.
    br = Bridge(sp, "drops-bridge", env={"bgpbus_api_out_limit": "262144"})
    bridge_ready(br)
    peer = connect_peer()
    wait_lines(path("d.log"), lambda ls: "state %s up" % PEER in ls, 10)
    # A first burst fills the stuck helper's pipe; once it has taken nothing for 2 s it counts
    # as stuck rather than slow, and the main flood overflows its small buffer.
    want = flood(peer, 600, base=90)
    time.sleep(2.5)
    want += flood(peer, 9000)
    n = len(want)
    lines = wait_lines(path("d.log"), lambda ls: sum(1 for x in ls if x.startswith(
        "update %s announce" % PEER)) >= n, 90)
    got = [x.split()[3] for x in lines if x.startswith("update %s announce" % PEER)]
    h.check("drops: the reading helper gets every update, in order", got == want,
            "%d of %d; log %r" % (len(got), n, lines[:5]))
    h.check("drops: counted and logged once for the burst",
            br.log_text().count("process stuck does not read its stdin: dropping events") == 1,
            br.log_text()[-1500:])
    # Commands while its buffer is full: their answers must not be dropped.
    open(path("go-stuck"), "w").close()
    got = wait_lines(rs, lambda ls: "exabgp 4.2.21" in ls, 20)
    acks = [x for x in got if x in ("done", "error", "exabgp 4.2.21")]
    h.check("drops: every answer of the stuck helper is there, in order",
            acks == ["done"] * n_cmds + ["exabgp 4.2.21", "done"], "%d answers" % len(acks))
    events = [x for x in got if x.startswith("{")]
    h.check("drops: the stuck helper got fewer events than were published",
            0 < len(events) < n + 1, "%d events" % len(events))
    h.check("drops: what it got is whole JSON lines", all(json.loads(x) for x in events))
    h.check("drops: the end of the burst is logged with the count",
            br.wait_log("process stuck reads again;", 10))
    h.check("drops: its routes reached the peer", peer.updates(10, until=lambda u: "10.63.%d.0/24"
            % (n_cmds - 1) in set(p for x in u for p in x.announced())) is not None)
    br.stop()
    peer.close()


def test_gap_fill():
    watch = process_conf("watch", [PY, os.path.join(HELPERS, "json_watcher.py"), path("g.log")],
                         encoder="json")
    sp = Speaker(h, "gaps", watch + neighbor_conf(PEER, LOCAL, 65001, PORT,
                                                  extra=api_block(["watch"], RECV)))
    br = Bridge(sp, "gaps-bridge")
    bridge_ready(br)
    peer = connect_peer()
    up = wait_lines(path("g.log"), lambda ls: "state %s up" % PEER in ls, 10)
    h.check("gap: session up seen", "state %s up" % PEER in up, repr(up))
    # Stopped, the bridge reads nothing: the speaker's PUB queue overflows and drops.
    br.proc.send_signal(signal.SIGSTOP)
    try:
        n = 12000
        want = flood(peer, n)
        time.sleep(3)  # the speaker publishes them all meanwhile
        sp.client("ping")
    finally:
        br.proc.send_signal(signal.SIGCONT)
    lines = wait_lines(path("g.log"), lambda ls: sum(1 for x in ls if x.startswith(
        "update %s announce" % PEER)) >= n, 60)
    got = [x.split()[3] for x in lines if x.startswith("update %s announce" % PEER)]
    h.check("gap: the bridge saw a gap and read the missed events",
            "missed; reading them from the speaker" in br.log_text(), br.log_text()[-800:])
    h.check("gap: the helper got every update, in order", got == want,
            "%d of %d" % (len(got), n))
    br.stop()
    peer.close()


# ---- forms, against ExaBGP 4.2's transcripts --------------------------------------------------

def transcript_in(name):
    with open(os.path.join(TRANSCRIPTS, "v42-%s.transcript.tsv" % name)) as f:
        return [line.rstrip("\n").split("\t", 1)[1] for line in f if line.startswith("IN\t")]


def received_bodies():
    """The UPDATE bodies the 4.2 capture's peer sent, from the packets transcript."""
    out = []
    for line in transcript_in("packets"):
        if line.startswith("{"):
            ev = json.loads(line)
            m = ev.get("neighbor", {}).get("message", {})
            if ev["type"] == "update" and ev["neighbor"]["direction"] == "receive":
                out.append(bytes.fromhex(m["body"][2:]))
    return out


def norm_json(line, peer="127.0.0.1", local="127.0.0.1"):
    ev = json.loads(line)
    for k in ("time", "host", "pid", "ppid", "counter"):
        ev.pop(k, None)
    nb = ev.get("neighbor")
    if isinstance(nb, dict) and "address" in nb:
        nb["address"] = {"local": "L" if nb["address"]["local"] == local else nb["address"]["local"],
                         "peer": "P" if nb["address"]["peer"] == peer else nb["address"]["peer"]}
    return json.dumps(ev)  # member order kept: it is compared too


def loads(line):
    """None for what is not JSON (4.2 writes invalid JSON for route-refresh events)."""
    try:
        return json.loads(line)
    except ValueError:
        return None


def rx_updates_json(lines, peer="127.0.0.1", local="127.0.0.1"):
    return [norm_json(x, peer, local) for x in lines if x.startswith("{") and loads(x)
            and loads(x).get("type") == "update"
            and loads(x)["neighbor"].get("direction") == "receive"]


def test_forms():
    parsed_body = RECV
    forms = {
        "text": ("text", "\t\treceive {\n\t\t\tparsed;\n\t\t\tupdate;\n\t\t}\n"),
        "parsed": ("json", "\t\treceive {\n\t\t\tparsed;\n\t\t\tupdate;\n\t\t}\n"),
        "packets": ("json", "\t\treceive {\n\t\t\tpackets;\n\t\t\tupdate;\n\t\t}\n"),
        "consol": ("json", "\t\treceive {\n\t\t\tpackets;\n\t\t\tconsolidate;\n\t\t\tupdate;\n\t\t}\n"),
    }
    del parsed_body
    procs, apis, recs = "", "", {}
    for name, (enc, body) in forms.items():
        conf, recs[name] = scripted("f" + name, [], "--burst", encoder=enc)
        procs += conf
        apis += api_block(["f" + name], "\t\tneighbor-changes;\n" + body)
    sp = Speaker(h, "forms", procs + neighbor_conf(PEER, LOCAL, 65001, PORT, local_as=65001,
                                                   extra=apis))
    br = Bridge(sp, "forms-bridge")
    bridge_ready(br)
    wait(lambda: all(starts(r) for r in recs.values()))
    peer = connect_peer(65001)
    bodies = received_bodies()
    for b in bodies:
        peer.send_update(b)
    # text: the transcript's receive update blocks, and the state lines.
    want = [x.replace("127.0.0.1", PEER) for x in transcript_in("parsedtext")
            if x.startswith("neighbor 127.0.0.1 receive update")]
    got = wait_lines(recs["text"], lambda ls: sum(1 for x in ls if x.startswith(
        "neighbor %s receive update start" % PEER)) >= len(bodies), 15)
    h.check("text encoder: receive update lines as 4.2 writes them",
            [x for x in got if x.startswith("neighbor %s receive update" % PEER)] == want,
            "\n got %r\nwant %r" % ([x for x in got if " receive update" in x], want))
    h.check("text encoder: neighbor-changes state lines",
            "neighbor %s connected" % PEER in got and "neighbor %s up" % PEER in got)
    blocks_ok = all(got[i + 1] == "" for i, x in enumerate(got[:-1])
                    if x.startswith("neighbor %s receive update end" % PEER))
    h.check("text encoder: an empty line after each event", blocks_ok)
    for name in ("parsed", "packets", "consol"):
        want = rx_updates_json(transcript_in(name))
        got = wait_lines(recs[name], lambda ls: len(rx_updates_json(ls, PEER, LOCAL)) >= len(want), 15)
        mine = rx_updates_json(got, PEER, LOCAL)
        h.check("json %s: receive update events equal 4.2's (member order too)" % name,
                mine == want, "\n got %s\nwant %s" % ("\n".join(mine), "\n".join(want)))
        states = [json.loads(x)["neighbor"]["state"] for x in got if x.startswith("{")
                  and json.loads(x).get("type") == "state"]
        h.check("json %s: neighbor-changes state events connected, up" % name,
                states[:2] == ["connected", "up"], repr(states))
    br.stop()
    peer.close()


TESTS = [("reload of process blocks", test_reload),
         ("restart and withdraw_on_exit", test_restart_and_withdraw_on_exit),
         ("event drops", test_drops), ("gap fill", test_gap_fill),
         ("encoders and forms", test_forms)]
for name, fn in TESTS:
    if not os.environ.get("BRIDGE_GAPS_ONLY") or os.environ["BRIDGE_GAPS_ONLY"] in name:
        h.run(name, fn)
sys.exit(h.finish())
