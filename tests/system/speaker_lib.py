"""Shared harness of the speaker system tests: a private scratch directory, loopback addresses
and ports unique to the test process, the real bgpbus-speaker started from a config text,
bbclient calls, and pass/fail counting (`N passed, M failed` at the end)."""

import os
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scripted_peer  # noqa: E402,F401  (re-exported for the tests)

BUILD = os.environ.get("BGPBUS_BUILD", os.path.join(os.path.dirname(__file__), "../../build"))
SPEAKER = os.path.join(BUILD, "bin", "bgpbus-speaker")
BBCLIENT = os.path.join(BUILD, "tests", "bbclient")


class Harness:
    def __init__(self, name, net):
        """net: the second octet of this test's 127.net.x.y addresses (unique per script)."""
        base = os.environ.get("BGPBUS_TEST_DIR") or "/tmp/bgpbus-%s-%d" % (name, os.getpid())
        self.dir = os.path.join(base, "run-%d" % os.getpid())
        os.makedirs(self.dir, exist_ok=True)
        self.net = net
        self.sub = os.getpid() % 250 + 1
        self.port_base = 20000 + (os.getpid() * 7) % 30000
        self.next_port = 0
        self.passed = self.failed = 0
        self.procs = []

    def addr(self, host):
        return "127.%d.%d.%d" % (self.net, self.sub, host)

    def port(self):
        self.next_port += 1
        return self.port_base + self.next_port

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail), flush=True)
        return cond

    def run(self, name, fn):
        """Runs one test function; an exception counts as one failure."""
        print("== %s" % name, flush=True)
        try:
            fn()
        except Exception:
            self.failed += 1
            print("FAIL %s: exception" % name, flush=True)
            traceback.print_exc()
        finally:
            self.stop_all()

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []

    def finish(self):
        self.stop_all()
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


class Speaker:
    """One bgpbus-speaker process with its own runtime directory and log."""

    def __init__(self, h, name, conf):
        self.h = h
        self.name = name
        self.rt = os.path.join(h.dir, name + ".rt")
        os.makedirs(self.rt, mode=0o700, exist_ok=True)
        os.chmod(self.rt, 0o700)
        self.conf_path = os.path.join(h.dir, name + ".conf")
        self.log_path = os.path.join(h.dir, name + ".log")
        self.write_conf(conf)
        self.env = dict(os.environ, BGPBUS_RUNTIME_DIR=self.rt)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([SPEAKER, "--config", self.conf_path, "--log-level", "debug"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        h.procs.append(self.proc)
        self.wait_ready()

    def write_conf(self, conf):
        with open(self.conf_path, "w") as f:
            f.write(conf)

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("speaker exited: %s" % self.log_text()[-2000:])
            if self.client("ping", check=False, timeout=2).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("speaker not answering")

    def client(self, *args, check=True, timeout=30, stdin=None):
        r = subprocess.run([BBCLIENT] + list(args), env=self.env, capture_output=True, text=True,
                           timeout=timeout, input=stdin)
        if check and r.returncode != 0:
            raise RuntimeError("bbclient %s: rc %d: %s %s" % (" ".join(args), r.returncode,
                                                              r.stdout, r.stderr))
        return r

    def watch(self, *args):
        """Starts `bbclient watch ARGS`; returns the process once it printed ready."""
        p = subprocess.Popen([BBCLIENT, "watch"] + list(args), env=self.env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.h.procs.append(p)
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError("watch did not start: %r" % line)
        return p

    def neighbor_state(self, addr):
        for line in self.client("neighbors").stdout.splitlines():
            w = line.split()
            if w and w[0] == addr:
                return w[1]
        return None

    def wait_state(self, addr, state, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.neighbor_state(addr) == state:
                return True
            time.sleep(0.1)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()


def neighbor_conf(addr, local, peer_as, listen, local_as=65000, connect=None, passive=True,
                  extra="", families=("ipv4 unicast", "ipv6 unicast"), static=""):
    fam = "".join("\t\t%s;\n" % f for f in families)
    return ("neighbor %s {\n\trouter-id %s;\n\tlocal-address %s;\n\tlocal-as %d;\n\tpeer-as %d;\n"
            "\tlisten %d;\n%s\tpassive %s;\n%s\tfamily {\n%s\t}\n%s}\n") % (
        addr, local, local, local_as, peer_as, listen,
        "\tconnect %d;\n" % connect if connect else "", "true" if passive else "false",
        extra, fam, "\tstatic {\n%s\t}\n" % static if static else "")


class Watcher:
    """`bbclient watch` in the background: every event line kept, waited on by predicate."""

    def __init__(self, speaker, *args):
        import threading
        self.proc = speaker.watch(*args)
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, pred, timeout=10):
        """The first line matching pred (a substring or a function), or None on timeout."""
        test = pred if callable(pred) else (lambda s: pred in s)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if test(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def matching(self, pred):
        test = pred if callable(pred) else (lambda s: pred in s)
        with self.cond:
            return [line for line in self.lines if test(line)]
