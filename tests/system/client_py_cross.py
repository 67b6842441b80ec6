#!/usr/bin/python3
"""Cross-language: two speakers in session (A AS 65000 -> B AS 65002). A route announced on A
from Python is seen on B by the JS client and by the C subscriber (bbclient watch), and one
announced on A from JS is seen on B by the Python client (the speaker publishes the UPDATEs
it receives, so B's subscribers see what A's clients announce)."""

import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client_py_harness import PYTHONPATH, SOURCE, Harness, Speaker, Watcher, neighbor_conf  # noqa: E402

sys.path.insert(0, PYTHONPATH)
import bgpbus  # noqa: E402

h = Harness("client_py_cross", 45)
JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "client_js_cross.js")
ENV = dict(os.environ, BGPBUS_SOURCE=SOURCE)


def urls(sp):
    return "ipc://%s/command.sock" % sp.rt, "ipc://%s/events.sock" % sp.rt


def test_cross():
    a_addr, b_addr = h.addr(1), h.addr(2)
    pa, pb = h.port(), h.port()
    a = Speaker(h, "a", neighbor_conf(b_addr, a_addr, 65002, pa, connect=pb, passive=False))
    b = Speaker(h, "b", neighbor_conf(a_addr, b_addr, 65000, pb, local_as=65002))
    h.check("A and B established", a.wait_state(b_addr, "established", 30))
    a_cmd, _ = urls(a)
    b_cmd, b_ev = urls(b)

    js = subprocess.Popen(["node", JS, "watch", b_cmd, b_ev, "1"], env=ENV, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    h.procs.append(js)
    h.check("JS subscriber ready", js.stdout.readline().strip() == "ready")
    cw = Watcher(b, "--topic", "ev/update/", "--updates", "2", "--seconds", "60")

    pyc = bgpbus.Client(command=b_cmd, events=b_ev)
    stream = pyc.events(types=["update"], timeout=60)
    seen = []

    def collect():
        for ev in stream:
            seen.extend((ev.neighbor, r.prefix, r.communities) for r in ev.announced)
            if any(p == "10.92.0.0/24" for _, p, _ in seen):
                return
    t = threading.Thread(target=collect, daemon=True)
    t.start()

    with bgpbus.Client(command=a_cmd, owner="py") as c:
        res = c.announce([bgpbus.Route(prefix="10.91.0.0/24", next_hop="198.51.100.1",
                                       communities=["65000:91"])])
    h.check("Python announces on A", all(res), repr(res))
    try:
        out, err = js.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        js.kill()
        out, err = js.communicate()
    h.check("JS subscriber on B sees the Python route",
            "update %s announce 10.91.0.0/24 comm=65000:91" % a_addr in out, out + err)
    h.check("JS subscriber exits by itself", js.returncode == 0, "rc %s" % js.returncode)
    line = cw.wait_for("10.91.0.0/24", 30)
    h.check("C subscriber (bbclient watch) on B sees the Python route",
            line and "comm=65000:91" in line and a_addr in line, repr(line))

    r = subprocess.run(["node", JS, "announce", a_cmd, "10.92.0.0/24", "198.51.100.1",
                        "65000:92"], env=ENV, capture_output=True, text=True, timeout=60)
    h.check("JS announces on A", r.returncode == 0 and r.stdout.strip() == "done",
            r.stdout + r.stderr)
    t.join(30)
    h.check("Python subscriber on B sees the JS route",
            (a_addr, "10.92.0.0/24", ["65000:92"]) in seen, repr(seen))
    h.check("C subscriber sees the JS route too", cw.wait_for("10.92.0.0/24", 30) is not None)
    pyc.close()


h.run("python, js and C clients across two speakers", test_cross)
sys.exit(h.finish())
