#!/usr/bin/python3
"""C client system test: libbgpbus_client (through its examples) and bgpbusctl against the real
speaker and a scripted BGP peer. Routes announced by the library and by bgpbusctl reach the
peer; a route from the peer reaches the library's event stream and `bgpbusctl watch --json`;
bgpbusctl tables, JSON, exit codes (usage error 2, speaker down 1); `load` of 100k lines."""

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


h.run("client", test_all)
sys.exit(h.finish())
