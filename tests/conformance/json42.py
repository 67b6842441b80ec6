#!/usr/bin/python3
"""The apibridge's ExaBGP JSON of FlowSpec, VPN and labeled-unicast UPDATEs against what ExaBGP
4.2 itself wrote for the same bytes (SPEC 3.5).

    tests/conformance/json42.py FILE.jsonl...

Each record ({"name", "source", "hex", "json_42" | "json_42_error", "text_42"}, made by
capture_json42.py, see tests/data/exabgp-json/README.md) gives one UPDATE as received from an
iBGP AS 65533 peer with ASN4; build/tests/conformance_encode (or $BGPBUS_BUILD's) decodes it with
the speaker's codec and renders the event with lib/exa_json*.c and lib/exa_text.c (`JSON` and
`TEXT` requests). The JSON message member must equal 4.2's (volatile members ignored, SPEC 5.6),
and the text encoder's "update ..." lines 4.2's (the neighbor address aside); a record 4.2 could
not render is skipped. A record made from the speaker's own encoding of a line (source
"bgpbus: <line>") also checks that the encoder still makes those bytes (the IPv6 FlowSpec
actions, say, that the corpus lacks).

The corpus's encoding and api records are accepted too: every UPDATE of their `messages` with a
`json_42` (ExaBGP 4.2.21's JSON of that message as received, SPEC 5.6) is checked the same way,
with the record's ASN4 and ADD-PATH and the AS numbers of that JSON. known-differences.txt beside
the data lists the messages whose JSON differs from 4.2's on purpose or for a gap, one
"<record>#<message index> <reason>" a line; a listed message that matches fails the run, so the
list stays true. Prints "<file>: N passed, M failed, K known, L skipped"; exit status 1 on a
failure.
"""

import json
import os
import re
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NO = ("0", "false", "disable", "disabled", "none")  # a capability switched off
KNOWN = os.path.join(SOURCE, "tests", "data", "exabgp-json", "known-differences.txt")
VOLATILE = {"time", "host", "pid", "ppid", "counter", "exabgp"}


def strip(obj):
    if isinstance(obj, dict):
        return {k: strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [strip(v) for v in obj]
    return obj


def corpus_items(rec):
    """The UPDATEs of an encoding/api record that have a 4.2 rendering, as json42 records."""
    nb = (rec.get("neighbors") or [{}])[0]
    cap = nb.get("capability") or {}
    addpath = bool(nb.get("add-path-families")) and "receive" in str(cap.get("add-path"))
    out = []
    for i, m in enumerate(rec["messages"]):
        if m.get("type") != 2 or "json_42" not in m:
            continue
        asn = (m["json_42"].get("neighbor") or {}).get("asn") or {}
        out.append({"name": "%s#%d" % (rec["name"], i), "hex": m["hex"], "json_42": m["json_42"],
                    "asn4": int(str(cap.get("asn4", 1)).lower() not in NO),
                    "addpath": int(addpath),
                    "local": asn.get("local", 65533), "peer": asn.get("peer", 65533)})
    return out


def load(path):
    items = []
    for line in open(path):
        if not line.strip():
            continue
        rec = json.loads(line)
        items += corpus_items(rec) if "messages" in rec else [rec]
    return items


def render(tool, records, kind):
    out = subprocess.run([tool], input="".join(
        "%s\t%d\t%d\t%s\t%d\t%d\n" % (kind, r.get("asn4", 1), r.get("addpath", 0), r["hex"],
                                       r.get("local", 65533), r.get("peer", 65533))
        for r in records),
                         capture_output=True, text=True, check=True).stdout
    blocks = out.split("END\n")
    return [b.strip() for b in blocks[:len(records)]]


def text_lines(lines):
    """The "update ..." lines of a text rendering, from "update" on (the neighbor is the peer's
    address, another in the capture)."""
    out = []
    for line in lines:
        m = re.match(r"^neighbor \S+ receive (update .*)$", line)
        if m and m.group(1) not in ("update start", "update end"):
            out.append(m.group(1))
    return out


def check_text(rec, answer):
    """None when the text lines equal 4.2's (or the record has none), else the difference."""
    if "text_42" not in rec:
        return None
    want = text_lines(rec["text_42"])
    got = text_lines(x[5:] for x in answer.splitlines() if x.startswith("TEXT "))
    if got == want:
        return None
    return "text\n    4.2:  %s\n    ours: %s" % ("\n          ".join(want), "\n          ".join(got))


def encoder_problems(tool, records):
    """{name: problem} for the records whose bytes the encoder made (source "bgpbus: <line>")
    and no longer makes, for an iBGP AS 65533 peer as capture_json42.py asked."""
    own = [r for r in records if str(r.get("source", "")).startswith("bgpbus: ")]
    out = subprocess.run([tool], input="".join("65533\t65533\t1\t127.0.0.1\tnone\t%s\n" % r[
        "source"][len("bgpbus: "):] for r in own), capture_output=True, text=True,
                         check=True).stdout
    problems = {}
    for rec, block in zip(own, out.split("END\n")):
        single = [x[len("SINGLE "):] for x in block.splitlines() if x.startswith("SINGLE ")]
        if single != [rec["hex"]]:
            problems[rec["name"]] = "encoder: %s (recorded %s)" % (block.strip(), rec["hex"])
    return problems


def known_differences():
    known = {}
    try:
        with open(KNOWN) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    name, _, why = line.strip().partition(" ")
                    known[name] = why.strip()
    except OSError:
        pass
    return known


def check_file(tool, path, verbose):
    records = load(path)
    known = known_differences()
    encoded = encoder_problems(tool, records)
    passed = failed = skipped = nknown = 0
    texts = render(tool, records, "TEXT")
    for rec, answer, text in zip(records, render(tool, records, "JSON"), texts):
        if "json_42" not in rec:
            skipped += 1
            if verbose:
                print("  SKIP: %s: %s" % (rec["name"], rec.get("json_42_error")))
            continue
        want = strip(rec["json_42"]["neighbor"]["message"])
        got = None
        if answer.startswith("JSON "):
            try:
                got = strip(json.loads(answer[5:])["neighbor"].get("message"))
            except (ValueError, KeyError, TypeError):
                got = None
        problem = check_text(rec, text) or encoded.get(rec["name"])
        if got == want and problem is None:
            if rec["name"] in known:
                failed += 1
                print("  FAIL: %s: listed in %s but matches: remove it" % (rec["name"], KNOWN))
                continue
            passed += 1
            if verbose:
                print("  PASS: %s" % rec["name"])
            continue
        if rec["name"] in known:
            nknown += 1
            if verbose:
                print("  KNOWN: %s: %s" % (rec["name"], known[rec["name"]]))
            continue
        failed += 1
        if got != want:
            print("  FAIL: %s: json\n    4.2:  %s\n    ours: %s" % (
                rec["name"], json.dumps(want, sort_keys=True),
                json.dumps(got, sort_keys=True) if got is not None else answer))
        if problem is not None:
            print("  FAIL: %s: %s" % (rec["name"], problem))
    print("%s: %d passed, %d failed, %d known, %d skipped" % (path, passed, failed, nknown,
                                                              skipped))
    return failed == 0


def main(argv):
    verbose = "-v" in argv
    files = [a for a in argv if a != "-v"]
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.environ.get("BGPBUS_BUILD") or os.path.join(SOURCE, "build")
    tool = os.path.join(build, "tests", "conformance_encode")
    if not os.access(tool, os.X_OK):
        print("%s not found: build the target conformance_encode" % tool, file=sys.stderr)
        return 2
    ok = all([check_file(tool, f, verbose) for f in files])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
