#!/usr/bin/python3
"""The Python client (clients/python) as client_netns.sh runs it in the controller's namespace.

Usage: pyclient.py --command URL --events URL [--tls-ca F --tls-server-name N
                   [--tls-cert F --tls-key F]] ACTION ...
  ping                             prints pong
  announce NEXT_HOP PREFIX...      one Request; prints `ok PREFIX` per route
  neighbors                        prints `ADDRESS STATE` per neighbor
  watch COUNT SECONDS              prints ready once subscribed, then `update PEER announce|
                                   withdraw PREFIX` per prefix of update events until COUNT
  owner NAME HEARTBEAT NEXT_HOP PREFIX...
                                   an owner session (withdraw on disconnect), its routes, ready,
                                   then a Ping every HEARTBEAT/4 s until killed
Exit 1 with `error: ...` on stderr when the speaker refuses or cannot be reached.
"""

import argparse
import sys
import time

import bgpbus


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--command", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--tls-ca")
    ap.add_argument("--tls-server-name")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("action")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    tls = None
    if a.tls_ca:
        tls = bgpbus.TLS(ca=a.tls_ca, server_name=a.tls_server_name, cert=a.tls_cert,
                         key=a.tls_key)
    owner = a.args[0] if a.action == "owner" else None
    out = sys.stdout
    try:
        c = bgpbus.Client(command=a.command, events=a.events, tls=tls, owner=owner,
                          timeout=a.timeout)
        if a.action == "ping":
            c.ping()
            print("pong", file=out)
        elif a.action == "announce":
            nh, prefixes = a.args[0], a.args[1:]
            res = c.announce([bgpbus.Route(prefix=p, next_hop=nh, as_path=[65000],
                                           communities=["65000:6"]) for p in prefixes])
            for p, r in zip(prefixes, res):
                print("ok %s" % p if r else "error %s %s" % (p, r.error), file=out)
            if not all(res):
                return 1
        elif a.action == "neighbors":
            for n in c.neighbors():
                print(n.address, n.state, file=out)
        elif a.action == "watch":
            count, seconds = int(a.args[0]), float(a.args[1])
            stream = c.events(types=["update"], timeout=seconds)
            print("ready", file=out, flush=True)
            seen = 0
            for ev in stream:
                for r in ev.withdrawn:
                    print("update %s withdraw %s" % (ev.neighbor, r.prefix), file=out, flush=True)
                    seen += 1
                for r in ev.announced:
                    print("update %s announce %s" % (ev.neighbor, r.prefix), file=out, flush=True)
                    seen += 1
                if seen >= count:
                    break
        elif a.action == "owner":
            heartbeat, nh, prefixes = int(a.args[1]), a.args[2], a.args[3:]
            c.owner_session(heartbeat, withdraw=True)
            res = c.announce([bgpbus.Route(prefix=p, next_hop=nh) for p in prefixes])
            if not all(res):
                print("error: %s" % [r.error for r in res], file=sys.stderr)
                return 1
            print("ready", file=out, flush=True)
            while True:
                time.sleep(heartbeat / 4)
                c.ping()
        else:
            print("error: unknown action %s" % a.action, file=sys.stderr)
            return 2
    except (bgpbus.NngError, bgpbus.BgpbusError, TimeoutError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
