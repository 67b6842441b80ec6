#!/usr/bin/python3
"""ExaBGP API helper: read ExaBGP's JSON messages (stdin), keep the routes received from the
peer, and write DIR/exa-state, DIR/exa-count ("family count" lines), DIR/exa-rib
(normalised lines, see _lib.sh) and DIR/exa-updates (UPDATE messages received).  usage (from exabgp.conf): _exabgp_recv.py DIR"""
import json, os, select, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _norm import line, flow_nlri

D = sys.argv[1]
FAM = {'ipv4 unicast': 'ipv4', 'ipv6 unicast': 'ipv6', 'ipv4 multicast': 'mcast4',
       'ipv6 multicast': 'mcast6', 'ipv4 flow': 'flow4', 'ipv6 flow': 'flow6',
       'ipv4 mpls-vpn': 'vpn4', 'ipv6 mpls-vpn': 'vpn6', 'ipv4 nlri-mpls': 'lu4', 'ipv6 nlri-mpls': 'lu6'}
FLOWKEY = {'destination-ipv4': 'dst', 'source-ipv4': 'src', 'destination-ipv6': 'dst', 'source-ipv6': 'src',
           'protocol': 'proto', 'next-header': 'proto', 'destination-port': 'dport', 'source-port': 'sport',
           'port': 'port', 'tcp-flags': 'tcp-flags'}
PROTO = {'tcp': '6', 'udp': '17', 'icmp': '1'}
rib = {}          # (fam, key) -> normalised line
updates = 0       # UPDATE messages received


def put(name, text):
    tmp = os.path.join(D, name + '.tmp')
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, os.path.join(D, name))


def write_counts():
    counts = dict.fromkeys(FAM.values(), 0)
    for fam, _ in rib:
        counts[fam] += 1
    put('exa-count', ''.join('%s %d\n' % kv for kv in counts.items()))
    put('exa-updates', '%d\n' % updates)


def flow_of(n):
    d = {}
    for k, v in n.items():
        if k in FLOWKEY:
            vals = [x.lstrip('=') for x in v]
            vals = [PROTO.get(x, x) for x in vals] if FLOWKEY[k] == 'proto' else vals
            d[FLOWKEY[k]] = '|'.join(x.split('/0')[0] if '/' in x and x.endswith('/0') and x.count('/') == 2 else x
                                     for x in vals)
    return flow_nlri(d)


def action_of(attr):
    for e in attr.get('extended-community', []):
        s = e.get('string', '') if isinstance(e, dict) else str(e)
        if s.startswith('rate-limit:'):
            r = float(s.split(':', 1)[1])
            return 'discard' if r == 0 else 'rate=%d' % r
        if s.startswith('redirect:'):
            return 'redirect=' + s.split(':', 1)[1]
    return 'none'


def update(u):
    attr = u.get('attribute', {})
    for afs, nhs in u.get('announce', {}).items():
        fam = FAM.get(afs)
        if not fam:
            continue
        for nh, nlris in nhs.items():
            for n in nlris:
                if fam.startswith('flow'):
                    key = flow_of(n)
                    rib[(fam, key)] = line(fam, key, action=action_of(attr))
                    continue
                path = attr.get('as-path', [])
                comm = ['%d:%d' % tuple(c) for c in attr.get('community', [])]
                rt = [e['string'][7:] for e in attr.get('extended-community', [])
                      if isinstance(e, dict) and e.get('string', '').startswith('target:')]
                rd = n.get('rd')
                lab = n.get('label')
                if fam.startswith('lu'):  # the whole stack; ExaBGP 4.2: [[100], [200]]
                    lab = [x[0] if isinstance(x, list) else x for x in lab or []]
                else:
                    while isinstance(lab, list):
                        lab = lab[0] if lab else None
                rib[(fam, (rd, n['nlri'], n.get('path-information')))] = line(fam, n['nlri'], nh, path, attr.get('origin', ''),
                                                  attr.get('med', 0), comm, rd=rd, label=lab, rt=rt)
    for afs, nlris in u.get('withdraw', {}).items():
        fam = FAM.get(afs)
        for n in nlris if fam else []:
            key = flow_of(n) if fam.startswith('flow') else (n.get('rd'), n['nlri'], n.get('path-information'))
            rib.pop((fam, key), None)


put('exa-state', 'Idle\n')
write_counts()
put('exa-rib', '')
dirty, last, buf, fd = False, 0.0, b'', sys.stdin.fileno()


def handle(ln):
    global dirty, updates
    try:
        m = json.loads(ln)
    except ValueError:
        return
    nb = m.get('neighbor', {})
    if m.get('type') == 'state':
        st = nb.get('state')
        put('exa-state', {'up': 'Established', 'connected': 'Connect'}.get(st, 'Idle') + '\n')
        if st == 'down':
            rib.clear()
            dirty = True
    elif m.get('type') == 'update':
        updates += 1
        # as received too, for the families without a normalised line (EVPN, VPLS)
        with open(os.path.join(D, 'exa-updates.jsonl'), 'ab') as f:
            f.write(ln + b'\n')
        update(nb.get('message', {}).get('update', {}))
        dirty = True


while True:
    if select.select([fd], [], [], 0.2)[0]:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        *lines, buf = (buf + chunk).split(b'\n')
        for ln in lines:
            handle(ln)
        if dirty and time.time() - last > 0.5:      # counts during a burst
            write_counts()
            last = time.time()
    elif dirty:                                      # idle: publish everything
        write_counts()
        put('exa-rib', '\n'.join(rib.values()) + ('\n' if rib else ''))
        dirty = False
