#!/usr/bin/python3
"""Translate a route file (format: see _lib.sh) into a peer's native input; fast enough for
millions of lines.

  _routes.py bird OUTDIR "FAMILIES" NH NH6 < routes   writes OUTDIR/static-FAM.conf.new per family
  _routes.py exabgp announce|withdraw NH NH6 LOCAL_AS PEER_AS < routes   ExaBGP text API lines
  _routes.py mrt OUTFILE NH NH6 PAD < routes   ipv4/ipv6 lines -> MRT TABLE_DUMP_V2 file for
                                               'gobgp mrt inject global' (PAD: see gobgp.sh);
                                               every other line is copied to stdout
"""
import ipaddress
import struct
import sys

ORIGIN = {'igp': 0, 'egp': 1, 'incomplete': 2}


def routes(f):
    for n, ln in enumerate(f, 1):
        t = ln.split()
        if not t or t[0].startswith('#'):
            continue
        if len(t) < 2:
            sys.exit('line %d: no NLRI' % n)
        try:
            a = dict(kv.split('=', 1) for kv in t[2:])
        except ValueError:
            sys.exit('line %d: attributes are key=value' % n)
        if 'origin' in a and a['origin'] not in ORIGIN:
            sys.exit('line %d: bad origin %s' % (n, a['origin']))
        if t[0].startswith('vpn') and 'rd' not in a:
            sys.exit('line %d: a vpn route needs rd=' % n)
        if t[0].startswith('lu') and 'label' not in a:
            sys.exit('line %d: a labeled-unicast route needs label=' % n)
        yield t[0], t[1], a


def flow(nlri):
    return dict(kv.split('=', 1) for kv in nlri.split(','))


def csv(v):
    return [x for x in v.split(',') if x] if v else []


def f32hex(x):
    return hex(struct.unpack('>I', struct.pack('>f', float(x)))[0])


# ------------------------------------------------------------------ BIRD static routes
BIRD_FLOW = {'flow4': {'dst': 'dst', 'src': 'src', 'proto': 'proto', 'port': 'port',
                       'dport': 'dport', 'sport': 'sport'},
             'flow6': {'dst': 'dst', 'src': 'src', 'proto': 'next header', 'port': 'port',
                       'dport': 'dport', 'sport': 'sport'}}


def bird(outdir, families, nh4='', nh6=''):
    fams = families.split()
    out = {f: open('%s/static-%s.conf.new' % (outdir, f), 'w') for f in fams}
    for fam, nlri, a in routes(sys.stdin):
        if fam not in out:
            sys.exit('family %s not configured' % fam)
        # bgp_path.prepend puts an AS in front: prepend the path backwards
        s = ''.join('bgp_path.prepend(%s); ' % x for x in reversed(csv(a.get('aspath'))))
        if 'origin' in a:
            s += 'bgp_origin = ORIGIN_%s; ' % a['origin'].upper()
        if 'med' in a:
            s += 'bgp_med = %s; ' % a['med']
        if 'lp' in a:
            s += 'bgp_local_pref = %s; ' % a['lp']
        if 'nh' in a:
            s += 'bgp_next_hop = %s; ' % a['nh']
        s += ''.join('bgp_community.add((%s)); ' % c.replace(':', ',') for c in csv(a.get('comm')))
        s += ''.join('bgp_ext_community.add((rt, %s)); ' % c.replace(':', ', ') for c in csv(a.get('rt')))
        if fam.startswith('flow'):
            keys = BIRD_FLOW[fam]
            m = ''.join('%s %s; ' % (keys[k], v.replace('|', ', ')) for k, v in flow(nlri).items())
            act = a.get('action', 'discard')
            # RFC 8955 7: traffic-rate (0x8006, rate 0 = discard), redirect (0x8008)
            if act == 'discard':
                s += 'bgp_ext_community.add((generic, 0x80060000, 0)); '
            elif act.startswith('rate='):
                s += 'bgp_ext_community.add((generic, 0x80060000, %s)); ' % f32hex(act[5:])
            elif act.startswith('redirect='):
                asn, val = act[9:].split(':')
                s += 'bgp_ext_community.add((generic, 0x8008%04x, %s)); ' % (int(asn), val)
            else:
                sys.exit('unknown flow action %s' % act)
            out[fam].write('route %s { %s} { %s};\n' % (fam, m, s))
        elif fam.startswith('lu'):
            # BIRD 2.0 takes the labels of a labeled-unicast route from its gateway's MPLS stack,
            # and sends them to iBGP peers only (README.md); a gateway outside every subnet needs
            # 'onlink' on an interface, lo here
            gw = a.get('nh', nh4 if fam == 'lu4' else nh6)
            out[fam].write('route %s via %s%%lo onlink mpls %s { %s};\n'
                           % (nlri, gw, a['label'].replace(',', '/'), s))
        elif fam.startswith('vpn'):  # a blackhole route carries no label: BIRD sends label 3
            out[fam].write('route %s %s blackhole { %s};\n' % (a['rd'], nlri, s))
        else:
            out[fam].write('route %s blackhole { %s};\n' % (nlri, s) if s else 'route %s blackhole;\n' % nlri)
    for f in out.values():
        f.close()


# ------------------------------------------------------------------ ExaBGP API commands
EXA_FLOW = [('dst', 'destination'), ('src', 'source'), ('proto', None), ('port', 'port'),
            ('dport', 'destination-port'), ('sport', 'source-port')]


def exabgp(op, nh4, nh6, local_as, peer_as):
    w = sys.stdout.write
    for fam, nlri, a in routes(sys.stdin):
        if fam.startswith('mcast'):
            sys.exit('ExaBGP 4.2 cannot originate multicast routes through its API')
        if fam.startswith('flow'):
            f = flow(nlri)
            m = ''
            for k, ek in EXA_FLOW:
                if k in f:
                    ek = ek or ('protocol' if fam == 'flow4' else 'next-header')
                    vals = f[k].split('|')
                    v = vals[0] if k in ('dst', 'src') else ' '.join('=' + x for x in vals)
                    m += '%s %s; ' % (ek, v if len(vals) == 1 or k in ('dst', 'src') else '[ %s ]' % v)
            if op == 'withdraw':
                w('withdraw flow route { match { %s} }\n' % m)
                continue
            act = a.get('action', 'discard')
            if act == 'discard':
                t = 'discard;'
            elif act.startswith('rate='):
                t = 'rate-limit %s;' % act[5:]
            elif act.startswith('redirect='):
                t = 'redirect %s;' % act[9:]
            else:
                sys.exit('unknown flow action %s' % act)
            w('announce flow route { match { %s} then { %s } }\n' % (m, t))
            continue
        c = '%s route %s next-hop %s' % (op, nlri, a.get('nh', nh4 if fam in ('ipv4', 'lu4', 'vpn4') else nh6))
        if fam.startswith('lu'):  # labeled unicast: a label and no RD
            c += ' label [ %s ]' % ' '.join(csv(a['label']))
        if fam.startswith('vpn'):
            c += ' rd %s label %s' % (a['rd'], a.get('label', 0))
            if 'rt' in a:
                c += ' extended-community [ %s ]' % ' '.join('target:' + x for x in csv(a['rt']))
        c += ' origin %s' % a.get('origin', 'igp')
        if 'aspath' in a:  # ExaBGP sends an explicit AS path verbatim: prepend our AS on eBGP
            path = csv(a['aspath'])
            c += ' as-path [ %s ]' % ' '.join(([local_as] if local_as != peer_as else []) + path)
        for k, ek in (('med', 'med'), ('lp', 'local-preference')):
            if k in a:
                c += ' %s %s' % (ek, a[k])
        if 'comm' in a:
            c += ' community [ %s ]' % ' '.join(csv(a['comm']))
        w(c + '\n')


# ------------------------------------------------------------------ MRT TABLE_DUMP_V2 (RFC 6396)
def attr(flags, typ, data):
    if len(data) > 255:
        return struct.pack('!BBH', flags | 0x10, typ, len(data)) + data
    return struct.pack('!BBB', flags, typ, len(data)) + data


def mrt(outfile, nh4, nh6, pad):
    pad = int(pad)
    out = open(outfile, 'wb')
    kept = []

    def rec(sub, body):
        out.write(struct.pack('!IHHI', 0, 13, sub, len(body)) + body)

    # PEER_INDEX_TABLE: collector id, empty view name, one (AS4, IPv4) peer
    rec(1, struct.pack('!4sHHB4s4sI', bytes(4), 0, 1, 2, bytes(4), bytes(4), 0))
    seq, cache = 0, {}
    for fam, nlri, a in routes(sys.stdin):
        if fam not in ('ipv4', 'ipv6'):
            sys.stdout.write('%s %s %s\n' % (fam, nlri, ' '.join('%s=%s' % kv for kv in a.items())))
            continue
        key = (fam, tuple(sorted(a.items())))
        attrs = cache.get(key)
        if attrs is None:
            path = [int(x) for x in csv(a.get('aspath'))]
            attrs = attr(0x40, 1, bytes([ORIGIN[a.get('origin', 'igp')]]))
            attrs += attr(0x40, 2, struct.pack('!BB', 2, len(path)) + struct.pack('!%dI' % len(path), *path)
                          if path else b'')
            nh = ipaddress.ip_address(a.get('nh', nh4 if fam == 'ipv4' else nh6))
            if fam == 'ipv4':
                attrs += attr(0x40, 3, nh.packed)
            else:  # GoBGP wants the full MP_REACH_NLRI, not the short form of RFC 6396 4.3.4
                attrs += attr(0x80, 14, struct.pack('!HBB', 2, 1, 16) + nh.packed + b'\0')
            if 'med' in a:
                attrs += attr(0x80, 4, struct.pack('!I', int(a['med'])))
            if 'lp' in a:
                attrs += attr(0x40, 5, struct.pack('!I', int(a['lp'])))
            if 'comm' in a:
                cs = [tuple(map(int, c.split(':'))) for c in csv(a['comm'])]
                attrs += attr(0xc0, 8, b''.join(struct.pack('!HH', x, y) for x, y in cs))
            cache[key] = attrs
        net = ipaddress.ip_network(nlri, strict=False)
        plen = net.prefixlen
        body = struct.pack('!IB', seq, plen) + net.network_address.packed[:(plen + 7) // 8]
        body += struct.pack('!HHIH', 1, 0, 0, len(attrs)) + attrs
        rec(2 if fam == 'ipv4' else 4, body)
        if len(kept) < pad:
            kept.append((2 if fam == 'ipv4' else 4, body))
        seq += 1
    # a sacrificial tail of duplicates (a no-op for gobgpd): see gobgp.sh
    for i in range(pad if kept else 0):
        rec(*kept[i % len(kept)])
    out.close()


if __name__ == '__main__':
    cmds = {'bird': bird, 'exabgp': exabgp, 'mrt': mrt}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
