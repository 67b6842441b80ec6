#!/usr/bin/python3
"""EVPN and VPLS routes in one line each, whatever says them (for interop_l2vpn.sh):

    KEY [label=L] [field=F] [esi=E] [size=N base=N] nh=A rt=a:b,...

label is the 20-bit MPLS label, field the 24-bit field it is in (what GoBGP and FRR show: a
VXLAN speaker reads it as the VNI, RFC 8365 5.1.3).

KEY names the route as bbclient prints it (tests/tools/bb_fmt_l2vpn.h):
macadv,RD,TAG,MAC,IP / multicast,RD,TAG,IP / RD,ve=N,offset=N (VPLS).

usage: l2vpn_norm.py gobgp FAM PEER      GoBGP `global rib -a evpn -j` (stdin), routes from PEER
       l2vpn_norm.py frr FAM PEER        FRR `show bgp l2vpn evpn route detail json` (stdin)
       l2vpn_norm.py exabgp FAM          ExaBGP 4.2 JSON updates, one a line (stdin): the RIB
       l2vpn_norm.py exabgp-raw FAM      the same, each route as ExaBGP's "raw" bytes (hex)
       l2vpn_norm.py events FAM PEER     bbclient watch lines (stdin): the speaker's view of PEER
       l2vpn_norm.py exabgp42 KIND ARGS  the bytes ExaBGP 4.2's own encoder makes for a route
"""
import json, sys


ORDER = ('label', 'field', 'esi', 'size', 'base', 'pmsi', 'l2info', 'mobility', 'esi-label',
         'router-mac')


def out(key, nh, rt, **kv):
    words = [key] + ['%s=%s' % (k, kv[k]) for k in ORDER if kv.get(k) is not None]
    words.append('nh=%s' % nh)
    words.append('rt=%s' % ','.join(sorted(rt)))
    return ' '.join(words)


def gobgp(fam, peer, text):
    d = json.loads(text or '{}')
    for paths in d.values():
        for p in paths:
            if peer != '-' and p.get('source-id', p.get('neighbor-ip')) != peer:
                continue
            n, v = p['nlri'], p['nlri']['value']
            rd = '%s:%s' % (v['rd']['admin'], v['rd']['assigned'])
            nh, rt = '', []
            for a in p.get('attrs', []):
                if a.get('type') == 14:
                    nh = a.get('nexthop', '')
                if a.get('type') == 16:
                    rt += [c['value'] for c in a['value'] if c.get('subtype') == 2]
            esi = '-' if v.get('esi') in ('single-homed', None, '0') else v['esi']
            if n['type'] == 2:
                key = 'macadv,%s,%s,%s,%s' % (rd, v['etag'], v['mac'], v.get('ip') or '-')
                print(out(key, nh, rt, field=','.join(str(x) for x in v.get('labels', [])), esi=esi))
            elif n['type'] == 3:
                print(out('multicast,%s,%s,%s' % (rd, v['etag'], v['ip']), nh, rt))


def frr(fam, peer, text):
    d = json.loads(text or '{}')
    for rd, pfxs in d.items():
        if not isinstance(pfxs, dict):
            continue
        for pfx, entry in pfxs.items():
            if not isinstance(entry, dict) or 'paths' not in entry:
                continue
            for paths in entry['paths']:
                for p in paths if isinstance(paths, list) else [paths]:
                    if p.get('peerId', p.get('peer', {}).get('peerId')) != peer:
                        continue
                    nh = (p.get('nexthops') or [{}])[0].get('ip', '')
                    rt = [c[3:] for c in p.get('extendedCommunity', {}).get('string', '').split()
                          if c.startswith('RT:')]
                    if entry.get('prefix', pfx).startswith('[2]') or p.get('routeType') == 2 or \
                            pfx.startswith('[2]'):
                        # [2]:[EthTag]:[MAClen]:[MAC]:[IPlen]:[IP]
                        f = pfx.strip('[]').split(']:[')
                        ip = f[5] if len(f) > 5 else '-'
                        lab = p.get('vni', p.get('label'))
                        print(out('macadv,%s,%s,%s,%s' % (rd, f[1], f[3], ip), nh, rt, field=lab))
                    elif pfx.startswith('[3]'):
                        f = pfx.strip('[]').split(']:[')  # [3]:[EthTag]:[IPlen]:[OrigIP]
                        pmsi = p.get('pmsi', {}).get('tunnelType', 'none').lower().replace(' ', '-')
                        print(out('multicast,%s,%s,%s' % (rd, f[1], f[3]), nh, rt, pmsi=pmsi))


def exa_rib(lines, raw):
    rib = {}
    for ln in lines:
        try:
            u = json.loads(ln)['neighbor']['message']['update']
        except (ValueError, KeyError):
            continue
        at = u.get('attribute', {})
        rt = [e['string'][7:] for e in at.get('extended-community', [])
              if isinstance(e, dict) and e.get('string', '').startswith('target:')]
        for fam, items in u.get('withdraw', {}).items():
            for n in items:
                rib.pop((fam, exa_key(fam, n)), None)
        for fam, per_nh in u.get('announce', {}).items():
            for nh, items in per_nh.items():
                for n in items:
                    if raw:
                        rib[(fam, exa_key(fam, n))] = n.get('raw', exa_key(fam, n))
                    elif fam == 'l2vpn evpn' and n.get('code') == 2:
                        lab = ','.join(str(x[0]) for x in n.get('label', []))
                        fld = ','.join(str(x[1] if len(x) > 1 else 0) for x in n.get('label', []))
                        rib[(fam, exa_key(fam, n))] = out(exa_key(fam, n), nh, rt, label=lab,
                                                          field=fld, esi=n['esi'])
                    elif fam == 'l2vpn vpls':
                        rib[(fam, exa_key(fam, n))] = out(exa_key(fam, n), nh, rt, size=n['size'],
                                                          base=n['base'])
                    else:
                        rib[(fam, exa_key(fam, n))] = out(exa_key(fam, n), nh, rt)
    return rib


def exa_key(fam, n):
    if fam == 'l2vpn vpls':
        return '%s,ve=%s,offset=%s' % (n['rd'], n['endpoint'], n['offset'])
    if n.get('code') == 2:
        return 'macadv,%s,%s,%s,%s' % (n['rd'], n['ethernet-tag'], n['mac'].lower(), n.get('ip', '-'))
    if n.get('code') == 3:
        return 'multicast,%s,%s,%s' % (n['rd'], n['ethernet-tag'], n['ip'])
    return 'type%s,%s' % (n.get('code'), n.get('raw'))


def events(fam, peer, lines):
    rib = {}
    for ln in lines:
        t = ln.split()
        if len(t) >= 3 and t[0] == 'state' and t[1] == peer and t[2] == 'down':
            rib.clear()
        if len(t) < 5 or t[0] != 'update' or t[1] != peer or t[3] != fam:
            continue
        if t[2] == 'withdraw':
            rib.pop(t[4], None)
            continue
        kv = dict(w.split('=', 1) for w in t[5:] if '=' in w)
        rt = kv.pop('rt').split(',') if kv.get('rt') else []
        rib[t[4]] = out(t[4], kv.pop('nh', None), rt, **kv)
    return rib.values()


def exabgp42(kind, args):
    """ExaBGP 4.2's pack_nlri() of a route: the reference bytes for a family no Debian peer
    shows (VPLS), and for the EVPN routes the peers show."""
    from exabgp.bgp.message.update.nlri.evpn.mac import MAC
    from exabgp.bgp.message.update.nlri.evpn.multicast import Multicast
    from exabgp.bgp.message.update.nlri.vpls import VPLS
    from exabgp.bgp.message.update.nlri.qualifier import RouteDistinguisher, Labels, ESI, EthernetTag
    from exabgp.bgp.message.update.nlri.qualifier import MAC as MACQUAL
    from exabgp.protocol.ip import IP
    asn, num = args[0].split(':')
    rd = RouteDistinguisher.fromElements(asn, int(num))
    if kind == 'macadv':  # RD MAC IP LABEL
        n = MAC(rd, ESI(), EthernetTag(0), MACQUAL(args[1]), 48, Labels([int(args[3])]),
                IP.create(args[2]))
    elif kind == 'multicast':  # RD IP
        n = Multicast(rd, EthernetTag(0), IP.create(args[1]))
    else:  # vpls RD ENDPOINT BASE OFFSET SIZE
        n = VPLS(rd, *[int(x) for x in args[1:5]])
    print(n.pack_nlri().hex().upper())


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'exabgp42':
        exabgp42(sys.argv[2], sys.argv[3:])
    elif mode in ('exabgp', 'exabgp-raw'):
        fam = {'evpn': 'l2vpn evpn', 'vpls': 'l2vpn vpls'}[sys.argv[2]]
        rib = exa_rib(sys.stdin, mode == 'exabgp-raw')
        for (f, _), v in rib.items():
            if f == fam:
                print(v)
    elif mode == 'events':
        for v in events(sys.argv[2], sys.argv[3], sys.stdin):
            print(v)
    else:
        {'gobgp': gobgp, 'frr': frr}[mode](sys.argv[2], sys.argv[3], sys.stdin.read())
