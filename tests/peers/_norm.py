#!/usr/bin/python3
"""Normalise a peer's native RIB output (stdin) into one line per route (see _lib.sh).

usage: _norm.py IMPL FAMILY PEER_ADDR   (IMPL: bird | gobgp | frr | openbgpd)
Only routes learned from PEER_ADDR are printed; with ADD-PATH every path is a line.
"""
import json, re, struct, sys

ORIGIN = {'0': 'igp', '1': 'egp', '2': 'incomplete', 'i': 'igp', 'e': 'egp', '?': 'incomplete'}


def origin(o):
    o = str(o).lower()
    return ORIGIN.get(o, {'igp': 'igp', 'egp': 'egp', 'incomplete': 'incomplete'}.get(o, o))


def line(fam, nlri, nh='', aspath=(), org='', med=0, comm=(), rd=None, label=None, rt=(), action=None):
    if fam.startswith('flow'):
        return '%s %s action=%s' % (fam, nlri, action or 'none')
    out = [fam, nlri]
    if fam.startswith('vpn'):
        out += ['rd=%s' % rd, 'label=%s' % ('?' if label is None else label)]
    elif fam.startswith('lu'):  # labeled unicast: the whole stack, top first
        out += ['label=%s' % ('?' if not label else ','.join(str(x) for x in label))]
    out += ['nh=%s' % nh, 'aspath=%s' % ','.join(str(a) for a in aspath), 'origin=%s' % origin(org)]
    if med and int(med):
        out.append('med=%d' % int(med))
    if comm:
        out.append('comm=%s' % ','.join(sorted(comm, key=_ck)))
    if fam.startswith('vpn') and rt:
        out.append('rt=%s' % ','.join(sorted(rt, key=_ck)))
    return ' '.join(out)


def _ck(c):
    return [int(x) if x.isdigit() else x for x in re.split(r'[:.]', c)]


def flow_nlri(d):
    """d: dict with dst/src/proto/dport/sport/... -> 'dst=..,src=..,proto=..'"""
    order = ['dst', 'src', 'proto', 'port', 'dport', 'sport']
    keys = [k for k in order if k in d] + sorted(k for k in d if k not in order)
    return ','.join('%s=%s' % (k, d[k]) for k in keys)


def flow_action(ext):
    """ext: list of (kind, a, b) tuples; kind 'rate' | 'redirect'"""
    for kind, a, b in ext:
        if kind == 'rate':
            return 'discard' if float(b) == 0 else 'rate=%d' % float(b)
        if kind == 'redirect':
            return 'redirect=%s:%s' % (a, b)
    return 'none'


def f32(bits):
    return struct.unpack('>f', struct.pack('>I', bits))[0]


# ---------------------------------------------------------------- BIRD: show route ... all
def bird(fam, peer, text):
    routes, net = [], None
    for ln in text.splitlines():
        if not ln.strip() or ln.startswith(('BIRD ', 'Table ')):
            continue
        if ln[0] == '\t':
            if routes and ':' in ln:
                k, v = ln.strip().split(':', 1)
                routes[-1]['attrs'][k] = v.strip()
            continue
        # a route head; the next paths of the same net (ADD-PATH) leave the net column blank
        if ln[0] != ' ':
            net = ln.split(None, 1)[0]
            if fam.startswith('flow'):
                net = ln[:ln.index('}') + 1]
            elif fam.startswith('vpn'):
                net = ' '.join(ln.split()[:2])
        routes.append({'net': net, 'head': ln, 'attrs': {}})
    for r in routes:
        head, a = r['head'], r['attrs']
        if 'from %s]' % peer not in head and 'from %s ' % peer not in head:
            continue
        ext = a.get('BGP.ext_community', '')
        if fam.startswith('flow'):
            d = {}
            body = re.match(r'flow[46] \{(.*)\}', r['net']).group(1)
            for part in body.split(';'):
                m = re.match(r'\s*(next header|[a-z]+) (.*)', part)
                if m:
                    k = {'next header': 'proto'}.get(m.group(1), m.group(1))
                    d[k] = m.group(2).strip().replace(' ', '')
            acts = []
            for g in re.findall(r'\(generic, (0x[0-9a-f]+), (0x[0-9a-f]+)\)', ext):
                hi, lo = int(g[0], 16), int(g[1], 16)
                if hi >> 16 == 0x8006:
                    acts.append(('rate', 0, f32(lo)))
                elif hi >> 16 == 0x8008:
                    acts.append(('redirect', hi & 0xffff, lo))
            print(line(fam, flow_nlri(d), action=flow_action(acts)))
            continue
        rd = None
        if fam.startswith('vpn'):
            rd, pfx = r['net'].split()
        else:
            pfx = r['net']
        path = a.get('BGP.as_path', '').split()
        comm = ['%s:%s' % c for c in re.findall(r'\((\d+),(\d+)\)', a.get('BGP.community', ''))]
        rt = ['%s:%s' % c for c in re.findall(r'\(rt, (\d+), (\d+)\)', ext)]
        stack = a.get('BGP.mpls_label_stack', '').split('/')
        print(line(fam, pfx, nh=a.get('BGP.next_hop', '').split(' ')[0], aspath=path,
                   org=a.get('BGP.origin', '').lower(), med=a.get('BGP.med', 0), comm=comm, rd=rd,
                   label=[x for x in stack if x] if fam.startswith('lu') else stack[0] or None, rt=rt))


# ---------------------------------------------------------------- GoBGP: gobgp global rib -a X -j
GOBGP_FLOW = {1: 'dst', 2: 'src', 3: 'proto', 4: 'port', 5: 'dport', 6: 'sport'}


def gobgp_attrs(attrs):
    o = {'aspath': [], 'origin': '', 'med': 0, 'comm': [], 'nh': '', 'rt': [], 'act': []}
    for at in attrs:
        t = at['type']
        if t == 1:
            o['origin'] = str(at['value'])
        elif t == 2:
            for seg in at.get('as_paths', []):
                o['aspath'] += seg['asns'] if seg['segment_type'] == 2 else ['{%s}' % ','.join(map(str, seg['asns']))]
        elif t == 3:
            o['nh'] = at['nexthop']
        elif t == 4:
            o['med'] = at['metric']
        elif t == 8:
            o['comm'] = ['%d:%d' % (c >> 16, c & 0xffff) for c in at['communities']]
        elif t == 14:
            o['nh'] = at.get('nexthop', o['nh'])
        elif t == 16:
            for e in at['value']:
                if e.get('subtype') == 2 and e.get('type') in (0, 1, 2) and 'value' in e:
                    o['rt'].append(e['value'])
                elif e.get('subtype') == 6 and 'rate' in e:
                    o['act'].append(('rate', 0, e['rate']))
                elif e.get('subtype') == 8 and 'value' in e:
                    o['act'].append(('redirect',) + tuple(e['value'].split(':', 1)))
    return o


def gobgp(fam, peer, text):
    rib = json.loads(text or '{}')
    for key, paths in rib.items():
        for p in paths:
            if p.get('neighbor-ip') != peer:
                continue
            o = gobgp_attrs(p['attrs'])
            n = p['nlri']
            if fam.startswith('flow'):
                d = {}
                for c in n['value']:
                    v = c['value']
                    if isinstance(v, dict):
                        d[GOBGP_FLOW.get(c['type'], c['type'])] = v['prefix']
                    else:
                        d[GOBGP_FLOW.get(c['type'], c['type'])] = '|'.join(str(x['value']) for x in v)
                rd = n.get('rd')  # flow-vpn (SAFI 134): the RD after the match
                rd = ' rd=%s:%s' % (rd['admin'], rd['assigned']) if rd else ''
                print(line(fam, flow_nlri(d) + rd, action=flow_action(o['act'])))
            elif fam.startswith('vpn'):
                rd = n['rd']
                rd = '%s:%s' % (rd['admin'], rd['assigned'])
                print(line(fam, n['prefix'], o['nh'], o['aspath'], o['origin'], o['med'], o['comm'],
                           rd=rd, label=n['labels'][0], rt=o['rt']))
            else:
                print(line(fam, n['prefix'], o['nh'], o['aspath'], o['origin'], o['med'], o['comm'],
                           label=n.get('labels')))


# ---------------------------------------------------------------- FRR
def frr_path(fam, pfx, p, rd=None):
    nh = p['nexthops'][0]['ip'] if p.get('nexthops') else ''
    segs = p.get('aspath', {}).get('segments', [])
    path = []
    for s in segs:
        path += s['list'] if s['type'] == 'as-sequence' else ['{%s}' % ','.join(map(str, s['list']))]
    comm = p.get('community', {}).get('list', [])
    rt = [x[3:] for x in p.get('extendedCommunity', {}).get('string', '').split() if x.startswith('RT:')]
    label = p.get('remoteLabel')
    if fam.startswith('lu'):  # FRR 8.4 keeps one label a path: the bottom of the stack
        label = None if label is None else [label]
    return line(fam, pfx, nh, path, p.get('origin', ''), p.get('metric', 0), comm, rd=rd,
                label=label, rt=rt)


def frr(fam, peer, text):
    """unicast: 'show bgp X unicast json detail'; vpn: list of per-prefix json docs separated
    by a line '=====' ; flow: 'show bgp X flowspec detail json'"""
    if fam.startswith('flow'):
        d, items, dec, i = None, [], json.JSONDecoder(), 0
        while i < len(text):                 # one JSON list per route, concatenated
            if text[i].isspace():
                i += 1
                continue
            doc, i = dec.raw_decode(text, i)
            items += doc
        for item in items:
            if 'to' in item or 'from' in item or 'proto' in item:
                if d is not None:
                    print(line(fam, flow_nlri(d), action=act))
                d, act = {}, 'none'
                for k, v in item.items():
                    key = {'to': 'dst', 'from': 'src', 'dstp': 'dport', 'srcp': 'sport', 'port': 'port'}.get(k, k)
                    d[key] = re.sub(r'/off ?0$', '', v.replace('=', '').strip()).replace(' ', '')
            elif 'ecomlist' in item and d is not None:
                e = item['ecomlist']
                m = re.search(r'FS:rate ([\d.]+)', e)
                r = re.search(r'FS:redirect (?:VRF )?(?:RT:)?(\d+):(\d+)', e)
                if m:
                    act = 'discard' if float(m.group(1)) == 0 else 'rate=%d' % float(m.group(1))
                elif r:
                    act = 'redirect=%s:%s' % r.groups()
                elif 'FS:discard' in e or 'drop' in e:
                    act = 'discard'
        if d is not None:
            print(line(fam, flow_nlri(d), action=act))
        return
    if fam.startswith('vpn'):
        for doc in text.split('=====\n'):
            if not doc.strip():
                continue
            for rd, r in json.loads(doc).items():
                for p in r.get('paths', []):
                    if p.get('peer', {}).get('peerId') == peer:
                        print(frr_path(fam, r['prefix'], p, rd))
        return
    routes = json.loads(text or '{}').get('routes', {})
    for pfx, entries in routes.items():
        for p in entries[1:]:
            if p.get('peer', {}).get('peerId') == peer:
                print(frr_path(fam, pfx, p))


# ---------------------------------------------------------------- OpenBGPD: bgpctl -j show rib detail ...
def openbgpd(fam, peer, text):
    for r in json.loads(text or '{}').get('rib', []):
        if r.get('neighbor', {}).get('remote_addr') != peer:
            continue
        pfx, rd = r['prefix'], None
        if pfx.startswith('rd '):
            _, rd, pfx = pfx.split()
        ext = r.get('extended_communities', [])
        rt = [e.split(' ', 1)[1] if ' ' in e else e for e in ext if e.startswith('rt')]
        print(line(fam, pfx, r.get('exit_nexthop', ''), r.get('aspath', '').split(), r.get('origin', ''),
                   r.get('metric', 0), r.get('communities', []), rd=rd, label=r.get('label'), rt=rt))


if __name__ == '__main__':
    impl, fam, peer = sys.argv[1:4]
    globals()[impl](fam, peer, sys.stdin.read())
