#!/usr/bin/python3
"""bgpbusctl and the C library against a real peer (issue 6): the speaker starts with no
neighbor; `bgpbusctl neighbor add` adds a real BIRD (eBGP, IPv4 + IPv6) and a second BIRD
(iBGP, where LOCAL_PREF is carried: RFC 4271 5.1.5); the sessions come up (neighbor list/show,
tables and --json); `bgpbusctl announce` (ExaBGP syntax, several attributes) and `load` of
1,000 lines (a file, then withdrawn from stdin) reach BIRD's table with their attributes;
`rib out --neighbor` lists them; `watch --type update` (--json, --exabgp-json) and the watch
example print BIRD's own static routes as BIRD announces them; the announce and loop examples'
routes reach BIRD; `withdraw` removes routes from BIRD; `neighbor remove` drops the session
(BIRD sees it down, the routes leave its table). Every step checks the exit code."""

import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_neighbor_harness import BareSetup  # noqa: E402
from client_py_harness import BUILD, PEERS, Harness, wait_until  # noqa: E402

CTL = os.path.join(BUILD, "bin", "bgpbusctl")
EX_ANNOUNCE = os.path.join(BUILD, "bin", "bgpbus_example_announce")
EX_WATCH = os.path.join(BUILD, "bin", "bgpbus_example_watch")
EX_LOOP = os.path.join(BUILD, "bin", "bgpbus_example_loop")
h = Harness("client_ctl_bird", 76)
N_LOAD = 1000
NH = "198.51.100.1"
# the route announced with every attribute, and what each BIRD must hold for it
RICH = ["announce", "route", "10.76.1.0/24", "next-hop", NH, "origin", "egp", "as-path",
        "[64998 64999]", "med", "50", "local-preference", "250", "community",
        "[65000:1 65000:2]"]
RICH_BIRD = "ipv4 10.76.1.0/24 nh=%s aspath=64998,64999 origin=egp med=50 comm=65000:1,65000:2" % NH
RICH6 = ["announce", "route", "2001:db8:76::/48", "next-hop", "2001:db8::1", "community",
         "[65000:6]"]
RICH6_BIRD = "ipv6 2001:db8:76::/48 nh=2001:db8::1 aspath=65000 origin=igp comm=65000:6"


class Ctl:
    """bgpbusctl with the speaker's runtime directory (its default ipc sockets)."""

    def __init__(self, env):
        self.env = env

    def __call__(self, *args, stdin=None, timeout=60):
        return subprocess.run([CTL] + list(args), env=self.env, capture_output=True, text=True,
                              input=stdin, timeout=timeout)

    def watch(self, *args):
        """A background `bgpbusctl ARGS` whose stdout lines are collected; waits until it
        subscribed (its "watching" line on stderr)."""
        p = subprocess.Popen([CTL] + list(args), env=self.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        h.procs.append(p)
        first = p.stderr.readline()
        if not first.startswith("bgpbusctl: watching"):
            raise RuntimeError("watch did not start: %r" % first)
        return p


class Collected:
    """The stdout lines of a background process, gathered by a thread, waited on by predicate."""

    def __init__(self, proc):
        self.proc, self.lines, self.cond = proc, [], threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, pred, timeout=20):
        with self.cond:
            self.cond.wait_for(lambda: any(pred(x) for x in self.lines), timeout)
            return [x for x in self.lines if pred(x)]


def exa_state(addr, state):
    """A predicate: an ExaBGP JSON state event of neighbor addr saying state."""
    def pred(line):
        ev = json.loads(line)
        return (ev["type"] == "state" and ev["neighbor"]["address"]["peer"] == addr
                and ev["neighbor"]["state"] == state)
    return pred


def af_announced(bird_dir):
    """The families a BIRD's peer (the speaker) announced in its OPEN, as BIRD lists them."""
    r = subprocess.run(["birdc", "-s", os.path.join(bird_dir, "bird.ctl"), "show", "protocols",
                        "all", "peer"], capture_output=True, text=True, timeout=30)
    theirs = r.stdout.split("Neighbor capabilities", 1)[-1]
    return theirs.split("AF announced:", 1)[-1].split("\n", 1)[0].split()


class IbgpBird:
    """A second BIRD, AS 65000 like the speaker (iBGP), IPv4 only, waiting to be added."""

    def __init__(self, s):
        self.addr, self.port = h.addr(3), h.port()
        self.dir = os.path.join(h.dir, "ibgp-bird")
        self.run("start", "--local-addr", self.addr, "--local-as", "65000", "--peer-addr",
                 s.local, "--peer-as", "65000", "--listen-port", str(self.port), "--peer-port",
                 str(s.sp_port), "--families", "ipv4", "--next-hop", "198.51.100.3",
                 "--passive", "--hold", "30")

    def run(self, cmd, *args, check=True):
        r = subprocess.run([os.path.join(PEERS, "bird.sh"), cmd, "--dir", self.dir] + list(args),
                           capture_output=True, text=True, timeout=90)
        if check and r.returncode != 0:
            raise RuntimeError("bird.sh %s: rc %d: %s%s" % (cmd, r.returncode, r.stdout, r.stderr))
        return r

    def state(self):
        return self.run("state", check=False).stdout.strip()

    def route_attrs(self, prefix):
        """BIRD's own attribute lines of one route ("BGP.local_pref: 250", ...)."""
        r = subprocess.run(["birdc", "-s", os.path.join(self.dir, "bird.ctl"), "show", "route",
                            prefix, "all"], capture_output=True, text=True, timeout=30)
        return [x.strip() for x in r.stdout.splitlines() if x.strip().startswith("BGP.")]


def ok(r, out=None):
    """Exit 0, and the output is `out` when given."""
    return r.returncode == 0 and (out is None or r.stdout.strip() == out)


def add_args(addr, peer_as, local, connect, listen, *families):
    return ["neighbor", "add", addr, "local-as", "65000", "peer-as", str(peer_as),
            "local-address", local, "connect", str(connect), "listen", str(listen),
            "hold-time", "30"] + [w for f in families for w in ("family", f)]


def lines_of(p, timeout=30):
    """The stdout lines of a watch process that ends by itself (--count), and its exit code."""
    try:
        out, _ = p.communicate(timeout=timeout)
        return out.splitlines(), p.returncode
    except subprocess.TimeoutExpired:
        return [], "timeout"


def step_neighbors(s, ib, ctl):
    r = ctl("neighbor", "list")
    h.check("neighbor list with no neighbor: the header only, exit 0",
            ok(r) and len(r.stdout.splitlines()) == 1 and "Neighbor" in r.stdout, r.stdout)
    r = ctl("--json", "neighbor", "list")
    h.check("neighbor list --json with no neighbor: []", ok(r) and json.loads(r.stdout) == [],
            r.stdout)
    r = ctl("neighbor", "show", s.peer)
    h.check("neighbor show before the add: exit 1", r.returncode == 1 and not r.stdout,
            r.stdout + r.stderr)

    states = Collected(ctl.watch("--exabgp-json", "watch", "--type", "state", "--neighbor",
                                 s.peer, "--seconds", "100"))
    r = ctl(*add_args(s.peer, 65001, s.local, s.bird_port, s.sp_port))
    h.check("neighbor add BIRD: exit 0", ok(r, "neighbor %s added" % s.peer), r.stdout + r.stderr)
    r = ctl(*add_args(ib.addr, 65000, s.local, ib.port, s.sp_port, "ipv4-unicast", "ipv5"))
    h.check("neighbor add with an unknown family: usage error, exit 2",
            r.returncode == 2 and "unknown family ipv5" in r.stderr, r.stdout + r.stderr)
    for extra, why in ((["colour", "blue"], "unknown option colour"),
                       (["hold-time", "long"], "bad number long for hold-time")):
        r = ctl(*add_args(ib.addr, 65000, s.local, ib.port, s.sp_port) + extra)
        h.check("neighbor add ... %s: usage error naming it, exit 2" % " ".join(extra),
                r.returncode == 2 and r.stderr.startswith("bgpbusctl: neighbor add: %s\n" % why),
                r.stdout + r.stderr)
    r = ctl(*add_args(ib.addr, 65000, s.local, ib.port, s.sp_port, "ipv4"))
    h.check("neighbor add the iBGP BIRD: exit 0", ok(r, "neighbor %s added" % ib.addr),
            r.stdout + r.stderr)
    h.check("BIRD sees the session established",
            wait_until(lambda: s.bird_state() == "Established", 30), s.bird_state())
    h.check("watch --type state --exabgp-json: the session up",
            states.wait_for(exa_state(s.peer, "up"), 30), states.lines)
    h.check("the iBGP BIRD sees the session established",
            wait_until(lambda: ib.state() == "Established", 30), ib.state())

    fams = af_announced(ib.dir)
    h.check("neighbor add ... family ipv4: the speaker's OPEN offers IPv4 unicast only",
            fams == ["ipv4"], fams)
    fams = af_announced(s.bird_dir)
    h.check("neighbor add without family: the speaker's default families",
            {"ipv4", "ipv6"} < set(fams), fams)

    r = ctl("neighbor", "list")
    rows = {ln.split()[0]: ln.split()[1:4] for ln in r.stdout.splitlines()[1:] if ln.strip()}
    h.check("neighbor list: both established in the table",
            ok(r) and rows == {s.peer: ["65000", "65001", "established"],
                               ib.addr: ["65000", "65000", "established"]}, r.stdout)
    r = ctl("--json", "neighbor", "list")
    js = json.loads(r.stdout) if ok(r) else []
    h.check("neighbor list --json: both established",
            sorted((n["address"], n["peer_as"], n["state"], n["local_address"]) for n in js)
            == sorted([(s.peer, 65001, "established", s.local),
                       (ib.addr, 65000, "established", s.local)]), r.stdout)
    r = ctl("neighbor", "show", s.peer)
    h.check("neighbor show A: established, local address, ASes",
            ok(r) and r.stdout.startswith("neighbor %s\n" % s.peer)
            and "  state established\n" in r.stdout and "  local AS 65000, peer AS 65001\n"
            in r.stdout and "  local address %s\n" % s.local in r.stdout, r.stdout)
    r = ctl("--json", "neighbor", "show", s.peer)
    js = json.loads(r.stdout) if ok(r) else []
    h.check("neighbor show A --json: one neighbor, established",
            len(js) == 1 and js[0]["address"] == s.peer and js[0]["state"] == "established",
            r.stdout)
    r = ctl(*add_args(s.peer, 65001, s.local, s.bird_port, s.sp_port))
    h.check("neighbor add of a present neighbor: exit 1 with the reason",
            r.returncode == 1 and "neighbor add" in r.stderr and not r.stdout,
            r.stdout + r.stderr)
    return states


def step_announce(s, ib, ctl):
    r = ctl(*RICH)
    h.check("announce with every attribute: exit 0, done", ok(r, "done"), r.stdout + r.stderr)
    r = ctl(*RICH6)
    h.check("announce IPv6: exit 0, done", ok(r, "done"), r.stdout + r.stderr)
    r = ctl("announce", "route", "10.76.2.0/24", "community", "[65000:1]")
    h.check("announce without next-hop: exit 2, the reason, nothing on stdout",
            r.returncode == 2 and "missing next-hop" in r.stderr and not r.stdout,
            r.stdout + r.stderr)
    r = ctl("neighbor", ib.addr, "announce", "route", "10.76.3.0/24", "next-hop", NH,
            "local-preference", "300")
    h.check("neighbor B announce (ExaBGP selector form): exit 0", ok(r, "done"),
            r.stdout + r.stderr)
    r = ctl("announce", "route", "10.76.2.0/24", "next-hop", NH, "med", "many")
    h.check("announce with a bad med: usage error, exit 2",
            r.returncode == 2 and r.stderr.startswith("bgpbusctl: "), r.stdout + r.stderr)

    d4 = wait_until(lambda: [x for x in s.bird_dump() if " 10.76." in x])
    h.check("BIRD has the route with its attributes", d4 == [RICH_BIRD], d4)
    d6 = wait_until(lambda: [x for x in s.bird_dump("ipv6") if "2001:db8:76:" in x])
    h.check("BIRD has the IPv6 route", d6 == [RICH6_BIRD], d6)
    want = {"BGP.origin: EGP", "BGP.as_path: 64998 64999", "BGP.next_hop: %s" % NH,
            "BGP.med: 50", "BGP.local_pref: 250", "BGP.community: (65000,1) (65000,2)"}
    got = wait_until(lambda: set(ib.route_attrs("10.76.1.0/24")) >= want and
                     ib.route_attrs("10.76.1.0/24"))
    h.check("the iBGP BIRD has it with LOCAL_PREF 250", got and set(got) >= want, got)
    got = wait_until(lambda: "BGP.local_pref: 300" in ib.route_attrs("10.76.3.0/24"))
    h.check("the selected neighbor has its route", got, ib.route_attrs("10.76.3.0/24"))
    h.check("the other one has not", not [x for x in s.bird_dump() if " 10.76.3." in x])


def load_lines(verb):
    """N_LOAD ExaBGP lines for 10.80.0.0/24 .. 10.83.231.0/24, attributes varying per line."""
    if verb == "withdraw":
        return "".join("withdraw route 10.%d.%d.0/24\n" % (80 + i // 256, i % 256)
                       for i in range(N_LOAD))
    return "".join("announce route 10.%d.%d.0/24 next-hop %s med %d community [65000:%d]\n"
                   % (80 + i // 256, i % 256, NH, i % 7, i % 5) for i in range(N_LOAD))


def loaded_bird_lines():
    out = set()
    for i in range(N_LOAD):
        med = " med=%d" % (i % 7) if i % 7 else ""  # a MED of 0 is not printed (_lib.sh)
        out.add("ipv4 10.%d.%d.0/24 nh=%s aspath=65000 origin=igp%s comm=65000:%d"
                % (80 + i // 256, i % 256, NH, med, i % 5))
    return out


def step_load(s, ctl):
    path = os.path.join(h.dir, "load.txt")
    with open(path, "w") as f:
        f.write("# 1,000 routes\n" + load_lines("announce"))
    r = ctl("load", path)
    h.check("load FILE: exit 0, %d done" % N_LOAD,
            ok(r) and ("%d line(s): %d done, 0 failed" % (N_LOAD, N_LOAD)) in r.stdout,
            r.stdout + r.stderr)
    want = loaded_bird_lines()

    def loaded():
        return {x for x in s.bird_dump() if " 10.8" in x}
    got = wait_until(lambda: loaded() == want, 40) and loaded()
    h.check("BIRD has the %d loaded routes with their attributes" % N_LOAD, got == want,
            "%d routes, e.g. %s" % (len(got or ()), sorted(got or ())[:2]))

    r = ctl("rib", "out", "--neighbor", s.peer)
    rich = [ln for ln in r.stdout.splitlines() if " 10.76.1.0/24 " in ln]
    h.check("rib out --neighbor A: every route, the rich one with its attributes",
            ok(r) and r.stdout.endswith("%d route(s)\n" % (N_LOAD + 2)) and len(rich) == 1
            and rich[0].split()[:4] == [s.peer, "10.76.1.0/24", "ipv4", NH]
            and rich[0].endswith("64998 64999 comm 65000:1 65000:2 med 50 lp 250"),
            r.stdout[-300:] + r.stderr)
    r = ctl("--json", "rib", "out", "--neighbor", s.peer, "--family", "ipv4")
    rows = json.loads(r.stdout) if ok(r) else []
    one = [x for x in rows if x["prefix"] == "10.76.1.0/24"]
    h.check("rib out --json: the IPv4 routes, attributes as fields",
            len(rows) == N_LOAD + 1 and len(one) == 1
            and {k: one[0].get(k) for k in ("neighbor", "next_hop", "as_path", "communities",
                                            "origin", "med", "local_pref")}
            == {"neighbor": s.peer, "next_hop": NH, "as_path": [64998, 64999],
                "communities": ["65000:1", "65000:2"], "origin": "egp", "med": 50,
                "local_pref": 250}, r.stdout[:400] + r.stderr)
    r = ctl("--json", "neighbor", "show", s.peer)
    js = json.loads(r.stdout) if ok(r) else [{}]
    h.check("neighbor show --json: routes advertised counted",
            js[0].get("routes_advertised") == N_LOAD + 2, r.stdout)


def step_watch(s, ctl):
    """BIRD originates three static routes (two IPv4 with different attributes, one IPv6:
    three UPDATEs); every watcher prints them."""
    wj = ctl.watch("--json", "watch", "--type", "update", "--neighbor", s.peer, "--count", "3",
                   "--seconds", "40")
    wx = ctl.watch("--exabgp-json", "watch", "--type", "update", "--count", "3", "--seconds",
                   "40")
    ex = subprocess.Popen([EX_WATCH, "-n", "3"], env=ctl.env, stdout=subprocess.PIPE, text=True)
    h.procs.append(ex)
    h.check("watch example ready", ex.stdout.readline().strip() == "ready")
    time.sleep(0.5)  # nng subscribes asynchronously: let the SUB pipes attach
    s.bird_announce(["ipv4 10.176.0.0/24 comm=65001:7 med=5", "ipv4 10.176.1.0/24 origin=egp",
                     "ipv6 2001:db8:176::/48"])

    lines, rc = lines_of(wj)
    evs = [json.loads(x) for x in lines]
    byp = {e["announce"][0]: e for e in evs if e.get("announce")}
    h.check("watch --json: exit 0 after 3 updates from A", rc == 0 and len(evs) == 3
            and all(e["type"] == "update" and e["neighbor"] == s.peer for e in evs), lines)
    e0, e1, e6 = (byp.get(p, {}) for p in ("10.176.0.0/24", "10.176.1.0/24", "2001:db8:176::/48"))
    h.check("watch --json: BIRD's route with next hop, AS path, MED, communities",
            {k: e0.get(k) for k in ("next_hop", "as_path", "communities", "med", "origin")}
            == {"next_hop": "198.51.100.2", "as_path": [65001], "communities": ["65001:7"],
                "med": 5, "origin": "igp"}, e0)
    h.check("watch --json: origin egp, no MED", e1.get("origin") == "egp" and "med" not in e1
            and e1.get("communities") == [], e1)
    h.check("watch --json: the IPv6 route", e6.get("next_hop", "").startswith("fd00::"), e6)

    lines, rc = lines_of(wx)
    evs = [json.loads(x) for x in lines]
    ann = {}
    for e in evs:
        for fam, by_nh in e["neighbor"]["message"]["update"].get("announce", {}).items():
            for nh, nl in by_nh.items():
                for n in nl:
                    ann[n["nlri"]] = (fam, nh, e["neighbor"]["message"]["update"]["attribute"])
    a0 = ann.get("10.176.0.0/24", (None, None, {}))
    h.check("watch --exabgp-json: exit 0, ExaBGP update objects from A",
            rc == 0 and len(evs) == 3 and all(e["type"] == "update" and
                                              e["neighbor"]["address"]["peer"] == s.peer
                                              for e in evs), lines)
    h.check("watch --exabgp-json: the three routes, family and next hop",
            sorted(ann) == ["10.176.0.0/24", "10.176.1.0/24", "2001:db8:176::/48"]
            and a0[:2] == ("ipv4 unicast", "198.51.100.2")
            and ann["2001:db8:176::/48"][0] == "ipv6 unicast", ann)
    h.check("watch --exabgp-json: attributes as ExaBGP writes them",
            a0[2].get("med") == 5 and a0[2].get("community") == [[65001, 7]]
            and a0[2].get("as-path") == [65001], a0)

    try:
        out, _ = ex.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        out = "timeout"
    r = ctl("--json", "rib", "in", "--neighbor", s.peer)
    rows = json.loads(r.stdout) if ok(r) else []
    h.check("rib in --json: BIRD's routes as received",
            sorted((x["prefix"], x["next_hop"], x["as_path"] == [65001]) for x in rows)
            == [("10.176.0.0/24", "198.51.100.2", True), ("10.176.1.0/24", "198.51.100.2", True),
                ("2001:db8:176::/48", e6.get("next_hop"), True)], r.stdout + r.stderr)
    h.check("watch example (library, poll loop): BIRD's three routes",
            sorted(out.split("\n")[:3]) == sorted("announce %s %s" % (s.peer, p) for p in
                                                  ("10.176.0.0/24", "10.176.1.0/24",
                                                   "2001:db8:176::/48"))
            and ex.returncode == 0, out)


def step_examples(s, ctl):
    nh = "198.51.100.9"
    r = subprocess.run([EX_ANNOUNCE, nh, "10.76.9.0/24", "10.76.9.1/24"], env=ctl.env,
                       capture_output=True, text=True, timeout=30)
    h.check("announce example: per-route results, exit 1 for the refused one",
            r.stdout.startswith("10.76.9.0/24 ok\n10.76.9.1/24 error") and r.returncode == 1,
            r.stdout + r.stderr)
    want = "ipv4 10.76.9.0/24 nh=%s aspath=65000 origin=igp comm=65000:1" % nh
    got = wait_until(lambda: [x for x in s.bird_dump() if " 10.76.9." in x])
    h.check("announce example: its route is in BIRD's table", got == [want], got)

    lp = subprocess.Popen([EX_LOOP, "-n", "1", nh, "10.76.10.0/24", "10.76.11.0/24"],
                          env=ctl.env, stdout=subprocess.PIPE, text=True)
    h.procs.append(lp)
    first = []
    for line in lp.stdout:
        if line.strip() == "ready":
            break
        first.append(line.strip())
    h.check("loop example: both announces complete",
            sorted(first) == ["10.76.10.0/24 ok", "10.76.11.0/24 ok"], first)
    time.sleep(0.5)  # nng subscribes asynchronously
    s.bird_announce(["ipv4 10.176.2.0/24"])
    try:
        out, _ = lp.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        out = "timeout"
    h.check("loop example: BIRD's route arrives as an event, exit 0",
            out.strip() == "announce %s 10.176.2.0/24" % s.peer and lp.returncode == 0, out)
    got = wait_until(lambda: len([x for x in s.bird_dump() if " 10.76.1" in x
                                  and "/24 nh=%s " % nh in x]) == 2)
    h.check("loop example: its routes are in BIRD's table", got)

    r = subprocess.run([EX_ANNOUNCE, "-w", nh, "10.76.9.0/24"], env=ctl.env,
                       capture_output=True, text=True, timeout=30)
    h.check("announce example -w: ok", r.returncode == 0 and r.stdout == "10.76.9.0/24 ok\n",
            r.stdout + r.stderr)
    h.check("announce example -w: the route left BIRD's table",
            wait_until(lambda: not [x for x in s.bird_dump() if " 10.76.9." in x]))


def step_withdraw(s, ctl):
    r = ctl("withdraw", "route", "10.76.1.0/24")
    h.check("withdraw: exit 0, done", ok(r, "done"), r.stdout + r.stderr)
    r = ctl("withdraw", "route", "2001:db8:76::/48")
    h.check("withdraw IPv6: exit 0, done", ok(r, "done"), r.stdout + r.stderr)
    h.check("withdraw: the routes left BIRD's table",
            wait_until(lambda: not [x for x in s.bird_dump() + s.bird_dump("ipv6")
                                    if " 10.76.1.0/24 " in x or "2001:db8:76:" in x]))
    r = ctl("load", "-", stdin=load_lines("withdraw"))
    h.check("load - (withdraw lines on stdin): exit 0",
            ok(r) and ("%d line(s): %d done, 0 failed" % (N_LOAD, N_LOAD)) in r.stdout,
            r.stdout + r.stderr)
    h.check("load -: the %d routes left BIRD's table" % N_LOAD,
            wait_until(lambda: not [x for x in s.bird_dump() if " 10.8" in x], 40))
    r = ctl("rib", "out", "--neighbor", s.peer)
    h.check("rib out after the withdrawals: the loop example's two routes",
            ok(r) and r.stdout.endswith("\n2 route(s)\n"), r.stdout + r.stderr)


def step_remove(s, ib, ctl, states):
    r = ctl("neighbor", "remove", s.peer)
    h.check("neighbor remove A: exit 0", ok(r, "neighbor %s removed" % s.peer),
            r.stdout + r.stderr)
    h.check("watch --type state --exabgp-json: the session down",
            states.wait_for(exa_state(s.peer, "down")), states.lines)
    h.check("neighbor remove: BIRD sees the session down",
            wait_until(lambda: s.bird_state() != "Established"), s.bird_state())
    h.check("neighbor remove: our routes left BIRD's table",
            wait_until(lambda: not s.bird_dump()), s.bird_dump())
    r = ctl("--json", "neighbor", "list")
    js = json.loads(r.stdout) if ok(r) else None
    h.check("neighbor list --json: only the iBGP BIRD left",
            js is not None and [n["address"] for n in js] == [ib.addr], r.stdout)
    r = ctl("neighbor", "show", s.peer)
    h.check("neighbor show of the removed neighbor: exit 1", r.returncode == 1,
            r.stdout + r.stderr)
    r = ctl("neighbor", "remove", s.peer)
    h.check("neighbor remove again: exit 1 with the reason",
            r.returncode == 1 and "no neighbor matches" in r.stderr, r.stdout + r.stderr)
    r = ctl("neighbor", "remove", ib.addr)
    h.check("neighbor remove the iBGP BIRD: exit 0", ok(r, "neighbor %s removed" % ib.addr),
            r.stdout + r.stderr)
    h.check("the iBGP BIRD sees the session down",
            wait_until(lambda: ib.state() != "Established"), ib.state())


def test_ctl_bird():
    s = BareSetup(h, "cb")
    try:
        ib = IbgpBird(s)
        ctl = Ctl(s.sp.env)
        states = step_neighbors(s, ib, ctl)
        step_announce(s, ib, ctl)
        step_load(s, ctl)
        step_watch(s, ctl)
        step_examples(s, ctl)
        step_withdraw(s, ctl)
        step_remove(s, ib, ctl, states)
    finally:
        s.stop()  # stop-all.sh --root h.dir stops both BIRDs


h.run("bgpbusctl and the C library with BIRD", test_ctl_bird)
sys.exit(h.finish())
