#!/usr/bin/python3
"""Captures the JSON that ExaBGP 4.2 itself renders for FlowSpec, VPN and labeled-unicast UPDATEs
(the reference of tests/conformance/json42.py). Not a test: run it by hand when the message list
changes, on a machine with Debian's exabgp (4.2) installed:

    tests/conformance/capture_json42.py BUILD_DIR OUT.jsonl

The messages: the 4.2.21 bytes of commands.jsonl for every flow, VPN and labeled command (iBGP,
AS 65533, ASN4, no ADD-PATH), the expected messages of the FlowSpec/VPN encoding and api records,
and the speaker's own encoding (conformance_encode) of a few IPv6 FlowSpec, flow-vpn and VPN lines
those lack. ExaBGP 4.2 (/usr/sbin/exabgp) runs as an iBGP neighbor of a scripted peer on
127.88.0.2 with every one of those families and a process with `receive { parsed; update; }`;
the peer sends one UPDATE at a time and what ExaBGP writes for it is kept: once with `encoder
json` (the line, "json_42"), once with `encoder text` (its "update ..." lines, "text_42"). One
output line a message: {"name", "source", "hex", "json_42", "text_42"} (or "json_42_error" when
4.2 wrote nothing).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_peer  # noqa: E402

VECTORS = os.path.join(os.path.dirname(HERE), "data", "vectors")
FAMILIES = ["ipv4 unicast", "ipv6 unicast", "ipv4 nlri-mpls", "ipv6 nlri-mpls", "ipv4 mpls-vpn",
            "ipv6 mpls-vpn", "ipv4 flow", "ipv6 flow", "ipv4 flow-vpn", "ipv6 flow-vpn"]
WORDS = ("flow", "rd", "route-distinguisher", "label")
EXTRA = [  # lines the vectors lack: IPv6 FlowSpec, flow-vpn, IPv6 VPN, withdrawals
    "announce flow route { match { destination 2001:db8::/32; next-header tcp; "
    "destination-port =443; } then { discard; } }",
    "announce flow route { match { source 2001:db8:1::/48; destination 2001:db8::/32; "
    "flow-label 7; traffic-class 8; } then { rate-limit 1000; } }",
    "announce flow route { match { destination 10.2.0.0/16; fragment [ !is-fragment ]; "
    "tcp-flags [ =syn&!ack ]; port [ >=1000&<=2000 !=1500 ]; } then { discard; } }",
    "announce flow route { match { destination 10.3.0.0/16; protocol [ ipip 200 ]; "
    "icmp-type [ 99 echo-request ]; } then { redirect [ 2001:db8::1 ]:100; } }",
    "announce flow route { rd 65000:1; match { destination 10.1.0.0/16; protocol udp; } "
    "then { redirect 65000:10; } }",
    "announce flow route { match { destination 10.9.0.0/16; fragment [ is-fragment ]; "
    "icmp-type 8; icmp-code 0; } then { redirect-to-nexthop-ietf 2001:db8::9; } }",
    "withdraw flow route { match { destination 2001:db8::/32; next-header tcp; "
    "destination-port =443; } }",
    "announce route 2001:db8:1::/48 rd 65000:7 next-hop 2001:db8::1 label 300",
    "announce route 2001:db8:2::/48 next-hop 2001:db8::1 label [ 300 301 ]",
    "withdraw route 10.0.0.0/24 rd 65000:1 next-hop 192.0.2.1 label 100",
    "withdraw route 10.0.0.0/24 next-hop 192.0.2.1 label 100",
]


def interesting(fam):
    return fam and fam[1] in (4, 128, 133, 134)


def messages(build):
    out = []
    for line in open(os.path.join(VECTORS, "commands.jsonl")):
        r = json.loads(line)
        v = r.get("v42") or {}
        if v.get("accepted") and any(w in r["cmd"].split() for w in WORDS) \
                and "path-information" not in r["cmd"] and "vpls" not in r["cmd"]:
            for i, m in enumerate(v.get("messages") or []):
                out.append({"name": "cmd: %s" % r["cmd"], "source": "commands.jsonl v42",
                            "hex": m})
    import e2e
    for fname in ("encoding.jsonl", "api.jsonl"):
        for line in open(os.path.join(VECTORS, fname)):
            r = json.loads(line)
            for i, m in enumerate(r["messages"]):
                data = bytes.fromhex(m["hex"])
                if r["name"] != "conf-addpath" and interesting(e2e.message_family(data)) \
                        and not e2e.is_eor(data):
                    out.append({"name": "%s#%d" % (r["name"], i), "source": fname, "hex": m["hex"]})
    enc = subprocess.run([os.path.join(build, "tests", "conformance_encode")], text=True,
                         input="".join("65533\t65533\t1\t127.0.0.1\tnone\t%s\n" % x for x in EXTRA),
                         capture_output=True, check=True).stdout
    block = 0
    for line in enc.splitlines():
        if line == "END":
            block += 1
        elif line.startswith("SINGLE "):
            out.append({"name": "extra-%d" % block, "source": "bgpbus: " + EXTRA[block],
                        "hex": line.split()[1]})
    seen, uniq = set(), []
    for m in out:
        if m["hex"] not in seen:
            seen.add(m["hex"])
            uniq.append(m)
    return uniq


CONF = """process dump {
\trun /usr/bin/python3 %(dump)s %(out)s;
\tencoder %(encoder)s;
}
neighbor 127.88.0.2 {
\trouter-id 10.0.0.1;
\tlocal-address 127.0.0.1;
\tlocal-as 65533;
\tpeer-as 65533;
\tconnect %(port)d;
\tfamily {
%(families)s\t}
\tapi { processes [ dump ]; receive { parsed; update; } }
}
"""
DUMP = """import sys
with open(sys.argv[1], "a", buffering=1) as f:
    for line in sys.stdin:
        f.write(line)
"""


def rendered(lines, encoder):
    """What ExaBGP wrote for one UPDATE: the JSON update event, or the text lines from `update
    start` to `update end` (without those two); None while it is not all there."""
    if encoder == "json":
        for text in lines:
            doc = json.loads(text)
            if doc.get("type") == "update":
                return doc
        return None
    if not any(x.endswith(" update end") for x in lines):
        return None
    return [x for x in lines if " update " in x and not x.endswith((" update start",
                                                                      " update end"))]


def capture(msgs, encoder, port):
    """{hex: what ExaBGP 4.2 wrote} for the messages, with that encoder."""
    tmp = tempfile.mkdtemp(prefix="capture-json42-")
    dump, got = os.path.join(tmp, "dump.py"), os.path.join(tmp, "json.txt")
    open(dump, "w").write(DUMP)
    conf = os.path.join(tmp, "exabgp.conf")
    env = dict(os.environ, **{"exabgp.daemon.daemonize": "false", "exabgp.daemon.drop": "false",
                              "exabgp.api.cli": "false", "exabgp.tcp.bind": "127.0.0.1",
                              "exabgp.tcp.port": str(port + 1),
                              "exabgp.log.destination": "stdout"})
    results = {}
    pending = list(msgs)
    while pending:
        port += 2  # a new session on new ports (ExaBGP closed the last one)
        open(conf, "w").write(CONF % {"dump": dump, "out": got, "port": port, "families": "".join(
            "\t\t%s;\n" % f for f in FAMILIES), "encoder": encoder})
        env["exabgp.tcp.port"] = str(port + 1)
        peer = e2e_peer.RecordingPeer({})
        peer.listen("127.88.0.2", port)
        open(got, "w").close()
        log = open(os.path.join(tmp, "exabgp.log"), "a")
        p = subprocess.Popen(["/usr/sbin/exabgp", conf], env=env, stdout=log,
                             stderr=subprocess.STDOUT)
        try:
            if not peer.established.wait(30):
                raise SystemExit("ExaBGP 4.2 made no session (see %s)" % tmp)
            time.sleep(0.5)
            while pending:
                m = pending.pop(0)
                lines_before = len(open(got).read().splitlines())
                peer.send_all(bytes.fromhex(m["hex"]))
                end, doc = time.monotonic() + 3, None
                while time.monotonic() < end and doc is None:
                    time.sleep(0.05)
                    doc = rendered(open(got).read().splitlines()[lines_before:], encoder)
                if doc is None:
                    break  # 4.2 closed the session: a new one for the rest
                results[m["hex"]] = doc
        finally:
            p.terminate()
            p.wait()
            peer.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return results


def run(build, out_path, port=31900):
    msgs = messages(build)
    as_json = capture(msgs, "json", port)
    as_text = capture(msgs, "text", port + 100)
    results = []
    for m in msgs:
        rec = dict(m)
        if m["hex"] in as_json:
            rec["json_42"] = as_json[m["hex"]]
        else:
            rec["json_42_error"] = "ExaBGP 4.2 rendered no update (it closed the session)"
        if m["hex"] in as_text:
            rec["text_42"] = as_text[m["hex"]]
        results.append(rec)
    with open(out_path, "w") as f:
        for r in results:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    print("%d messages, %d rendered by ExaBGP 4.2" % (len(results),
                                                      sum("json_42" in r for r in results)))


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
