"""Harness of the apibridge system tests: the speaker (speaker_lib.Speaker), the bridge started
on the same ExaBGP configuration, and helper scripts from tests/bridge/ written as ExaBGP users
write them."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from speaker_lib import BUILD, Harness, Speaker, neighbor_conf  # noqa: E402,F401
from scripted_peer import ScriptedPeer  # noqa: E402,F401

BRIDGE = os.path.join(BUILD, "bin", "bgpbus-apibridge")
HELPERS = os.path.join(os.environ.get("BGPBUS_SOURCE",
                                      os.path.join(os.path.dirname(__file__), "../..")),
                       "tests", "bridge")


def process_conf(name, argv, encoder="text", respawn=None):
    """A `process` block; argv is the `run` words."""
    return "process %s {\n\trun %s;\n\tencoder %s;\n%s}\n" % (
        name, " ".join(argv), encoder,
        "\trespawn %s;\n" % respawn if respawn is not None else "")


def api_block(processes, body="\t\tneighbor-changes;\n"):
    return "\tapi {\n\t\tprocesses [ %s ];\n%s\t}\n" % (" ".join(processes), body)


class Bridge:
    """One bgpbus-apibridge on a speaker's runtime directory and configuration."""

    def __init__(self, sp, name="bridge", env=None, env_file=None):
        self.sp = sp
        self.log_path = os.path.join(sp.h.dir, name + ".log")
        self.log = open(self.log_path, "a")
        args = [BRIDGE, "--config", sp.conf_path, "--log-level", "debug"]
        if env_file:
            args += ["--env", env_file]
        self.env = dict(sp.env)
        self.env.update(env or {})
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env)
        sp.h.procs.append(self.proc)

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_log(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text():
                return True
            time.sleep(0.1)
        return False

    def stop(self, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def read_lines(path):
    try:
        with open(path) as f:
            return [line.rstrip("\n") for line in f]
    except FileNotFoundError:
        return []


def wait_lines(path, pred, timeout=10):
    """Waits until pred(lines of path) is true; returns the lines."""
    deadline = time.monotonic() + timeout
    while True:
        lines = read_lines(path)
        if pred(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def answers(lines):
    """The answer lines of a text-encoder transcript (no events, no record marks)."""
    out = []
    for line in lines:
        if line.startswith("#start") or line.startswith("neighbor ") or line == "":
            continue
        out.append(line)
    return out


def helper_argv(commands, record, *flags):
    return ["/usr/bin/python3", os.path.join(HELPERS, "scripted_helper.py"),
            "--commands", commands, "--record", record] + list(flags)
