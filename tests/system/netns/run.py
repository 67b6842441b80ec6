#!/usr/bin/python3
"""client_netns.sh's checks, once the two namespaces exist: the speaker and its BGP neighbor
(peer.py) in namespace A, the controllers (bgpbusctl, the Python client) in namespace B, the
bus between them over the veth pair, first tcp:// then tls+tcp:// with mutual TLS.

Environment (set by client_netns.sh): NETNS_A, NETNS_B, ADDR_A (the speaker's bus address on
the veth), NETNS_DIR (scratch), NETNS_CERTS (tests/tls/make-certs.sh output), NETNS_PORT (first
of the ports used inside the namespaces), BGPBUS_BUILD.
Prints `ok NAME` / `FAIL NAME DETAIL` per check, `N passed, M failed` at the end; exit 1 on any
failure.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ["BGPBUS_BUILD"]
NS_A, NS_B = os.environ["NETNS_A"], os.environ["NETNS_B"]
ADDR_A = os.environ["ADDR_A"]
DIR = os.environ["NETNS_DIR"]
CERTS = os.environ["NETNS_CERTS"]
PORT = int(os.environ["NETNS_PORT"])
SPEAKER = os.path.join(BUILD, "bin", "bgpbus-speaker")
CTL = os.path.join(BUILD, "bin", "bgpbusctl")
PY = ["/usr/bin/python3", os.path.join(HERE, "pyclient.py")]
SERVER_NAME = "bgpbus-speaker"
# The BGP session stays on namespace A's loopback: only the bus crosses the veth.
LOCAL, NEIGHBOR = "127.0.0.1", "127.0.0.2"
HEARTBEAT = 2
SLACK = 3  # timer granularity, a busy machine, the sanitizer build

passed = failed = 0
procs = []


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   %s" % name, flush=True)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail), flush=True)
    return cond


def netns(ns, argv):
    env_py = "PYTHONPATH=%s" % os.path.join(BUILD, "python")
    return ["ip", "netns", "exec", ns, "env", env_py] + argv


def run_b(argv, timeout=20):
    """Runs a client in namespace B to completion."""
    return subprocess.run(netns(NS_B, argv), capture_output=True, text=True, timeout=timeout)


class Proc:
    """A background process (ip netns exec replaces itself by the command: same pid) whose
    stdout lines are collected by a thread and waited on by predicate."""

    def __init__(self, ns, argv, log, stdin=False):
        self.log = open(os.path.join(DIR, log), "w")
        self.p = subprocess.Popen(netns(ns, argv), stdout=subprocess.PIPE, stderr=self.log,
                                  stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                  text=True)
        procs.append(self)
        self.lines = []
        self.times = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.times.append(time.monotonic())
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)  # EOF
            self.times.append(time.monotonic())
            self.cond.notify_all()

    def wait_for(self, pred, timeout=10, start=0):
        """(index, line) of the first line from `start` on matching pred, or (None, None)."""
        test = pred if callable(pred) else (lambda s: s == pred)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if self.lines[i] is not None and test(self.lines[i]):
                        return i, self.lines[i]
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] is None):
                    return None, None
                self.cond.wait(left)

    def wait_all(self, wanted, timeout=10, start=0):
        """True once every line of `wanted` came (in any order) from `start` on."""
        deadline = time.monotonic() + timeout
        for w in wanted:
            if self.wait_for(w, max(0.0, deadline - time.monotonic()), start)[0] is None:
                return False
        return True

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def stop_all():
    for pr in procs:
        pr.stop(timeout=5)
    procs.clear()


def speaker_conf(name):
    path = os.path.join(DIR, name + ".conf")
    with open(path, "w") as f:
        f.write("neighbor %s {\n\trouter-id 10.255.0.1;\n\tlocal-address %s;\n\tlocal-as 65000;\n"
                "\tpeer-as 65001;\n\tlisten %d;\n\tpassive true;\n"
                "\tfamily {\n\t\tipv4 unicast;\n\t}\n}\n" % (NEIGHBOR, LOCAL, PORT))
    return path


class Phase:
    """One speaker in namespace A on one pair of bus URLs, its neighbor, the clients' options."""

    def __init__(self, name, scheme, cmd_port, ev_port, tls):
        self.name = name
        self.cmd = "%s://%s:%d" % (scheme, ADDR_A, cmd_port)
        self.ev = "%s://%s:%d" % (scheme, ADDR_A, ev_port)
        rt = os.path.join(DIR, name + ".rt")
        os.makedirs(rt, mode=0o700, exist_ok=True)
        argv = ["env", "BGPBUS_RUNTIME_DIR=" + rt, SPEAKER, "--config", speaker_conf(name),
                "--command", self.cmd, "--events", self.ev, "--log-level", "debug"]
        # The clients' options: bgpbusctl's and pyclient.py's --tls-* are the same.
        self.tls = []
        if tls:
            argv += ["--tls-cert", cert("server.crt"), "--tls-key", cert("server.key"),
                     "--tls-ca", cert("ca.crt")]
            self.tls = client_tls("client")
        self.log_path = os.path.join(DIR, name + ".speaker.log")
        self.speaker = Proc(NS_A, argv, name + ".speaker.log")

    def ctl(self, *args, tls=None, timeout=20):
        t = self.tls if tls is None else tls
        return run_b([CTL, "--command", self.cmd, "--events", self.ev, "--timeout", "5000"] + t +
                     list(args), timeout)

    def py(self, *args, tls=None, timeout=20):
        t = self.tls if tls is None else tls
        return run_b(PY + ["--command", self.cmd, "--events", self.ev] + t + list(args), timeout)

    def wait_ready(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.speaker.p.poll() is not None:
                return False
            if self.ctl("ping", timeout=10).returncode == 0:
                return True
            time.sleep(0.2)
        return False


def cert(name):
    return os.path.join(CERTS, name)


def client_tls(who, server_name=SERVER_NAME):
    """--tls-* options of a client: who's certificate (None: none at all), the test CA."""
    own = ["--tls-cert", cert(who + ".crt"), "--tls-key", cert(who + ".key")] if who else []
    return own + ["--tls-ca", cert("ca.crt"), "--tls-server-name", server_name]


def sanitizer_clean(phase):
    with open(os.path.join(DIR, phase.name + ".speaker.log")) as f:
        text = f.read()
    bad = [m for m in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error")
           if m in text]
    return not bad, text[-3000:]


def phase_common(ph, tag):
    """Across the namespaces: announce from both clients, neighbors, events to both."""
    n = ph.name
    if not check("%s: bgpbusctl in ns B reaches the speaker in ns A (ping)" % n, ph.wait_ready(),
                 open(ph.log_path).read()[-2000:]):
        return None
    peer = Proc(NS_A, ["/usr/bin/python3", os.path.join(HERE, "peer.py"), "--local", NEIGHBOR,
                       "--connect", "%s:%d" % (LOCAL, PORT), "--as", "65001"], n + ".peer.log",
                stdin=True)
    check("%s: the BGP neighbor is established" % n,
          peer.wait_for("eor 1/1", 15)[0] is not None, peer.lines)

    ctl_watch = Proc(NS_B, [CTL, "--command", ph.cmd, "--events", ph.ev] + ph.tls +
                     ["watch", "--type", "update", "--seconds", "30"], n + ".ctl-watch.log")
    py_watch = Proc(NS_B, PY + ["--command", ph.cmd, "--events", ph.ev] + ph.tls +
                    ["watch", "100", "30"], n + ".py-watch.log")
    # bgpbusctl says "watching" on stderr once subscribed; the Python client prints ready.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "watching" not in open(
            os.path.join(DIR, n + ".ctl-watch.log")).read():
        time.sleep(0.1)
    ok = py_watch.wait_for("ready", 15)[0] is not None
    check("%s: both watchers subscribed from ns B" % n,
          ok and "watching" in open(os.path.join(DIR, n + ".ctl-watch.log")).read(),
          py_watch.lines)

    r = ph.ctl("announce", "route", "10.61.%d.0/24" % tag, "next-hop", "198.51.100.1",
               "as-path", "[", "65000", "]", "community", "[", "65000:1", "]")
    check("%s: bgpbusctl announce" % n, r.returncode == 0, r.stdout + r.stderr)
    r = ph.py("announce", "198.51.100.2", "10.62.%d.0/24" % tag, "10.62.%d.128/25" % tag)
    check("%s: Python client announce" % n, r.returncode == 0 and r.stdout.count("ok ") == 2,
          r.stdout + r.stderr)
    want = ["announce 10.61.%d.0/24 nh=198.51.100.1" % tag,
            "announce 10.62.%d.0/24 nh=198.51.100.2" % tag,
            "announce 10.62.%d.128/25 nh=198.51.100.2" % tag]
    check("%s: the neighbor received both clients' routes" % n, peer.wait_all(want, 10),
          peer.lines)

    r = ph.ctl("neighbor", "list")
    check("%s: bgpbusctl neighbor list" % n, r.returncode == 0 and any(
        l.split()[:1] == [NEIGHBOR] and "established" in l for l in r.stdout.splitlines()),
        r.stdout + r.stderr)
    r = ph.py("neighbors")
    check("%s: Python client neighbors" % n,
          r.returncode == 0 and "%s established" % NEIGHBOR in r.stdout.splitlines(),
          r.stdout + r.stderr)

    pfx = "10.63.%d.0/24" % tag
    peer.send("announce %s 127.0.0.2" % pfx)
    line = "update %s announce %s" % (NEIGHBOR, pfx)
    check("%s: bgpbusctl watch sees the neighbor's update" % n,
          ctl_watch.wait_for(line, 10)[0] is not None, ctl_watch.lines)
    check("%s: Python client watch sees the neighbor's update" % n,
          py_watch.wait_for(line, 10)[0] is not None, py_watch.lines)
    ctl_watch.stop()
    py_watch.stop()
    return peer


def refused(r):
    return r.returncode not in (0, None) and ("error" in r.stderr.lower() or
                                             "cannot" in r.stderr.lower())


def phase_tls_refusals(ph):
    n = ph.name
    for who, t in (("no certificate", client_tls(None)),
                   ("a certificate of another CA", client_tls("rogue"))):
        r = ph.ctl("ping", tls=t)
        check("%s: bgpbusctl with %s is refused" % (n, who), refused(r),
              "rc %s: %s %s" % (r.returncode, r.stdout, r.stderr))
        print("     bgpbusctl says: %s" % r.stderr.strip().splitlines()[-1:], flush=True)
        r = ph.py("ping", tls=t)
        check("%s: Python client with %s is refused" % (n, who), refused(r),
              "rc %s: %s %s" % (r.returncode, r.stdout, r.stderr))
        print("     Python client says: %s" % r.stderr.strip().splitlines()[-1:], flush=True)
    # A client that insists on another name than the speaker's certificate carries.
    r = ph.ctl("ping", tls=client_tls("client", "not-the-speaker"))
    check("%s: bgpbusctl refuses a speaker whose certificate names another host" % n,
          refused(r), "rc %s: %s %s" % (r.returncode, r.stdout, r.stderr))
    r = ph.ctl("ping")
    check("%s: the speaker still serves a valid client after the refusals" % n,
          r.returncode == 0, r.stdout + r.stderr)


def phase_owner(ph, peer):
    """An owner session with withdraw from ns B; the client is SIGKILLed: its routes are
    withdrawn on the wire within the heartbeat + slack, nobody else's."""
    n = ph.name
    mine = ["10.64.1.0/24", "10.64.2.0/24"]
    start = len(peer.lines)
    owner = Proc(NS_B, PY + ["--command", ph.cmd, "--events", ph.ev] + ph.tls +
                 ["owner", "ctl-b", str(HEARTBEAT), "198.51.100.4"] + mine, n + ".owner.log")
    check("%s: owner session started from ns B" % n, owner.wait_for("ready", 15)[0] is not None,
          open(os.path.join(DIR, n + ".owner.log")).read())
    check("%s: the owner's routes reach the neighbor" % n,
          peer.wait_all(["announce %s nh=198.51.100.4" % p for p in mine], 10, start),
          peer.lines[start:])
    # Beating for twice the heartbeat keeps them.
    time.sleep(2 * HEARTBEAT)
    early = [l for l in peer.lines[start:] if l and l.startswith("withdraw")]
    check("%s: routes stay while the owner beats (%d s)" % (n, 2 * HEARTBEAT), not early, early)
    start = len(peer.lines)
    killed = time.monotonic()
    owner.stop(signal.SIGKILL)
    ok = peer.wait_all(["withdraw %s" % p for p in mine], HEARTBEAT + SLACK, start)
    took = max((t for l, t in zip(peer.lines[start:], peer.times[start:])
                if l and l.startswith("withdraw")), default=killed) - killed
    check("%s: client SIGKILLed -> its routes withdrawn on the wire within %d+%d s (%.1f s)" % (
        n, HEARTBEAT, SLACK, took), ok, peer.lines[start:])
    others = [l for l in peer.lines[start:] if l and l.startswith("withdraw")
              and l.split()[1] not in mine]
    check("%s: no other owner's route withdrawn" % n, not others, others)
    r = ph.ctl("rib", "out")
    check("%s: bgpbusctl rib out: the other clients' routes stay, the owner's are gone" % n,
          r.returncode == 0 and "10.61." in r.stdout and "10.62." in r.stdout
          and "10.64." not in r.stdout, r.stdout + r.stderr)


def run_phase(name, scheme, tls, tag):
    ph = Phase(name, scheme, PORT + 10 * tag + 1, PORT + 10 * tag + 2, tls)
    try:
        peer = phase_common(ph, tag)
        if peer is not None:
            if tls:
                phase_tls_refusals(ph)
            phase_owner(ph, peer)
    except Exception:
        check("%s: no exception" % name, False, traceback.format_exc())
    finally:
        rc = ph.speaker.stop(signal.SIGTERM, 10)
        check("%s: the speaker stops cleanly on TERM" % name, rc == 0, "rc %s" % rc)
        clean, tail = sanitizer_clean(ph)
        check("%s: no sanitizer report in the speaker's log" % name, clean, tail)
        stop_all()


def main():
    run_phase("tcp", "tcp", False, 1)
    run_phase("tls", "tls+tcp", True, 2)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
