#!/usr/bin/python3
"""C client system test: libbgpbus_client (through its examples) and bgpbusctl against the real
speaker and a scripted BGP peer. Routes announced by the library and by bgpbusctl reach the
peer; a route from the peer reaches the library's event stream and `bgpbusctl watch --json`;
bgpbusctl tables, JSON, exit codes (usage error 2, speaker down 1); `load` of 100k lines;
`neighbor add|remove` against a second scripted peer; the event-loop example (requests
without blocking)."""

import json
import os
import subprocess
import sys
import time

from speaker_lib import BUILD, Harness, Speaker, neighbor_conf
from scripted_peer import ScriptedPeer, as_path, next_hop, origin, update

CTL = os.path.join(BUILD, "bin", "bgpbusctl")
EX_ANNOUNCE = os.path.join(BUILD, "bin", "bgpbus_example_announce")
EX_WATCH = os.path.join(BUILD, "bin", "bgpbus_example_watch")
EX_LOOP = os.path.join(BUILD, "bin", "bgpbus_example_loop")
h = Harness("client_ctl", 71)
LOCAL, A = h.addr(1), h.addr(2)
PORT = h.port()
NH = "198.51.100.9"
N_LOAD = 100000


def ctl(sp, *args, stdin=None, timeout=60):
    return subprocess.run([CTL] + list(args), env=sp.env, capture_output=True, text=True,
                          input=stdin, timeout=timeout)


def announced(peer, want, timeout=20):
    """Prefixes the peer announced until `want` (a set) is covered or the timeout passes."""
    got = set()

    def covered(ups):
        got.clear()
        for u in ups:
            got.update(u.announced())
        return want <= got
    try:
        peer.updates(timeout, until=covered)
    except TimeoutError:
        pass
    return got


def test_all():
    sp = Speaker(h, "cc", neighbor_conf(A, LOCAL, 65001, PORT))
    p = ScriptedPeer(local=A, asn=65001)
    p.connect(LOCAL, PORT)
    p.establish()
    p.keepalive_every(10)
    h.check("session established", sp.wait_state(A, "established"))

    # exit codes and messages
    r = ctl(sp, "frobnicate")
    h.check("unknown command: exit 2", r.returncode == 2 and "unknown command" in r.stderr, r.stderr)
    r = ctl(sp, "rib", "sideways")
    h.check("bad rib argument: exit 2", r.returncode == 2, r.stderr)
    r = ctl(sp, "--command", "ipc://" + os.path.join(h.dir, "nobody.sock"), "ping")
    h.check("speaker down: exit 1 with the reason",
            r.returncode == 1 and "cannot reach the speaker" in r.stderr, r.stderr)
    r = ctl(sp, "announce", "route", "10.71.0.0/24")
    h.check("route without next-hop refused: exit 1/2 with the reason",
            r.returncode in (1, 2) and "next-hop" in r.stderr, r.stdout + r.stderr)

    r = ctl(sp, "ping")
    h.check("ping", r.returncode == 0 and "pong" in r.stdout, r.stdout + r.stderr)
    r = ctl(sp, "--json", "version")
    h.check("version --json", r.returncode == 0 and json.loads(r.stdout)["application"] == "bgpbus",
            r.stdout)
    r = ctl(sp, "neighbor", "list")
    h.check("neighbor list table", r.returncode == 0 and A in r.stdout and "established" in r.stdout,
            r.stdout)
    r = ctl(sp, "--json", "neighbor", "show", A)
    h.check("neighbor show --json", r.returncode == 0 and json.loads(r.stdout)[0]["state"]
            == "established", r.stdout)
    r = ctl(sp, "neighbor", "show", "192.0.2.250")
    h.check("neighbor show of an unknown neighbor: exit 1", r.returncode == 1, r.stdout + r.stderr)

    # bgpbusctl announce (ExaBGP text) -> the peer
    r = ctl(sp, "announce", "route", "10.71.1.0/24", "next-hop", NH, "as-path", "[65000]",
            "community", "[65000:7]")
    h.check("bgpbusctl announce: done", r.returncode == 0 and "done" in r.stdout, r.stdout + r.stderr)
    got = announced(p, {"10.71.1.0/24"})
    h.check("the peer received the bgpbusctl route", "10.71.1.0/24" in got, got)

    # the library (example program) -> the peer
    r = subprocess.run([EX_ANNOUNCE, NH, "10.71.2.0/24", "10.71.3.0/24", "10.71.3.1/24"],
                       env=sp.env, capture_output=True, text=True, timeout=30)
    h.check("library announce: per-route results",
            "10.71.2.0/24 ok" in r.stdout and "10.71.3.1/24 error" in r.stdout, r.stdout + r.stderr)
    got = announced(p, {"10.71.2.0/24", "10.71.3.0/24"})
    h.check("the peer received the library's routes", {"10.71.2.0/24", "10.71.3.0/24"} <= got, got)

    r = ctl(sp, "--json", "rib", "out", "--neighbor", A)
    rows = json.loads(r.stdout) if r.returncode == 0 else []
    h.check("rib out --json lists the routes",
            {"10.71.1.0/24", "10.71.2.0/24"} <= {x["prefix"] for x in rows}
            and any(x["communities"] == ["65000:7"] for x in rows), r.stdout[:500] + r.stderr)
    r = ctl(sp, "rib", "out", "--family", "ipv6")
    h.check("rib out --family ipv6 is empty", r.returncode == 0 and "0 route(s)" in r.stdout,
            r.stdout)

    # the peer -> events: the library example and bgpbusctl watch --json
    ex = subprocess.Popen([EX_WATCH, "-n", "1"], env=sp.env, stdout=subprocess.PIPE, text=True)
    h.procs.append(ex)
    w = subprocess.Popen([CTL, "--json", "watch", "--type", "update", "--neighbor", A, "--count",
                          "1", "--seconds", "20"], env=sp.env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    h.procs.append(w)
    h.check("example watch ready", ex.stdout.readline().strip() == "ready")
    w.stderr.readline()  # "watching ..."
    time.sleep(0.5)  # the SUB connection is asynchronous in nng
    p.send_update(update(attrs=origin(0) + as_path([65001]) + next_hop("198.51.100.77"),
                         nlri=["10.99.71.0/24"]))
    try:
        out, _ = w.communicate(timeout=25)
        ev = json.loads(out.splitlines()[0])
        h.check("watch --json prints the peer's route",
                ev["type"] == "update" and ev["neighbor"] == A and ev["announce"] == ["10.99.71.0/24"]
                and ev["next_hop"] == "198.51.100.77", out)
    except Exception as e:  # noqa: BLE001
        h.check("watch --json prints the peer's route", False, repr(e))
    try:
        out, _ = ex.communicate(timeout=25)
        h.check("library next_event returns the peer's route",
                out.strip() == "announce %s 10.99.71.0/24" % A, out)
    except subprocess.TimeoutExpired:
        h.check("library next_event returns the peer's route", False, "timeout")

    # the library without blocking: one poll() loop announces (a request per route, all at
    # once, completions as replies come) and reads the peer's route as an event
    lp = subprocess.Popen([EX_LOOP, "-n", "1", NH, "10.71.4.0/24", "10.71.5.0/24", "10.71.5.1/24"],
                          env=sp.env, stdout=subprocess.PIPE, text=True)
    h.procs.append(lp)
    first = []
    for line in lp.stdout:
        if line.strip() == "ready":
            break
        first.append(line.strip())
    h.check("event loop: every announce completes with its result",
            sorted(first[:2]) == ["10.71.4.0/24 ok", "10.71.5.0/24 ok"] and len(first) == 3
            and first[2].startswith("10.71.5.1/24 error "), first)
    got = announced(p, {"10.71.4.0/24", "10.71.5.0/24"})
    h.check("event loop: the peer received the routes", {"10.71.4.0/24", "10.71.5.0/24"} <= got,
            got)
    time.sleep(0.5)  # the SUB connection is asynchronous in nng
    p.send_update(update(attrs=origin(0) + as_path([65001]) + next_hop("198.51.100.77"),
                         nlri=["10.99.72.0/24"]))
    try:
        out, _ = lp.communicate(timeout=25)
        h.check("event loop: the peer's route arrives as an event",
                out.strip() == "announce %s 10.99.72.0/24" % A and lp.returncode == 0, out)
    except subprocess.TimeoutExpired:
        h.check("event loop: the peer's route arrives as an event", False, "timeout")

    # load: 100k ExaBGP lines, batched
    lines = "".join("announce route %d.%d.%d.0/24 next-hop %s\n"
                    % (20 + i // 65536, (i // 256) % 256, i % 256, NH) for i in range(N_LOAD))
    path = os.path.join(h.dir, "load.txt")
    with open(path, "w") as f:
        f.write(lines + "this is not a command\n")
    t0 = time.monotonic()
    r = ctl(sp, "load", path, timeout=120)
    dt = time.monotonic() - t0
    print("load of %d lines: %.2f s wall (%s)" % (N_LOAD, dt, r.stdout.strip()), flush=True)
    h.check("load: %d done, 1 failed, exit 1" % N_LOAD,
            r.returncode == 1 and ("%d done, 1 failed" % N_LOAD) in r.stdout
            and "line %d" % (N_LOAD + 1) in r.stderr, r.stdout + r.stderr[:300])
    count = [0]

    def enough(ups):
        count[0] = sum(len(u.announced()) for u in ups)
        return count[0] >= N_LOAD
    try:
        p.updates(60, until=enough)
    except TimeoutError:
        pass
    h.check("the peer received the %d loaded routes" % N_LOAD, count[0] >= N_LOAD, count[0])
    p.close()
    sp.stop()


def test_neighbor_admin():
    """bgpbusctl neighbor add|remove end to end: the added neighbor connects out to a scripted
    peer and takes a route; removing it sends a Cease (RFC 4486) and closes the session."""
    sp = Speaker(h, "na", neighbor_conf(A, LOCAL, 65001, h.port()))
    b_addr, b_port = h.addr(3), h.port()
    b = ScriptedPeer(local=b_addr, asn=65003)
    b.listen(b_addr, b_port)
    add = ["neighbor", "add", b_addr, "local-as", "65000", "peer-as", "65003", "local-address",
           LOCAL, "connect", str(b_port), "listen", str(h.port()), "hold-time", "30"]
    r = ctl(sp, *add)
    h.check("neighbor add: exit 0 and says so",
            r.returncode == 0 and r.stdout.strip() == "neighbor %s added" % b_addr,
            r.stdout + r.stderr)
    b.accept(15)
    b.establish()
    b.keepalive_every(10)
    h.check("the added neighbor comes up", sp.wait_state(b_addr, "established", 15))
    r = ctl(sp, "neighbor", "list")
    h.check("neighbor list shows it", r.returncode == 0 and b_addr in r.stdout, r.stdout)
    r = ctl(sp, *add)
    h.check("duplicate add: exit 1 with the reason",
            r.returncode == 1 and "neighbor add" in r.stderr and not r.stdout, r.stdout + r.stderr)
    r = ctl(sp, "neighbor", b_addr, "announce", "route", "10.71.9.0/24", "next-hop", NH)
    h.check("announce to the added neighbor", r.returncode == 0, r.stdout + r.stderr)
    h.check("the added neighbor receives the route", "10.71.9.0/24" in announced(b, {"10.71.9.0/24"}))
    r = ctl(sp, "neighbor", "remove", b_addr)
    h.check("neighbor remove: exit 0 and says so",
            r.returncode == 0 and r.stdout.strip() == "neighbor %s removed" % b_addr,
            r.stdout + r.stderr)
    try:
        code = b.wait_notification(10)[0]
    except Exception as e:  # noqa: BLE001
        code = repr(e)
    h.check("remove: the peer gets a Cease and the session closes",
            code == 6 and b.closed.wait(10), code)
    r = ctl(sp, "neighbor", "list")
    h.check("neighbor list no longer shows it", r.returncode == 0 and b_addr not in r.stdout,
            r.stdout)
    r = ctl(sp, "neighbor", "remove", b_addr)
    h.check("remove of an unknown neighbor: exit 1 with the reason",
            r.returncode == 1 and "no neighbor matches" in r.stderr, r.stdout + r.stderr)
    for bad in (["neighbor", "add", "10.0.0.300", "local-as", "1", "peer-as", "2"],
                ["neighbor", "remove", "not-an-address"],
                ["neighbor", "add", b_addr, "local-as", "65000"]):
        r = ctl(sp, *bad)
        h.check("usage error, exit 2: %s" % " ".join(bad[1:3]),
                r.returncode == 2 and r.stderr.startswith("bgpbusctl: "), r.stdout + r.stderr)
    b.close()
    sp.stop()


h.run("client", test_all)
h.run("bgpbusctl neighbor add and remove", test_neighbor_admin)
sys.exit(h.finish())
