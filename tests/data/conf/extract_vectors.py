#!/usr/bin/python3
"""Writes tests/data/conf/vectors/ from the ExaBGP vectors (see README.md)."""
import json
import os
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/compat/exabgp/vectors'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors')

# conf_families[] order (lib/conf_family.c); in_all = ExaBGP 4.2's default family list.
ORDER = ['ipv4 unicast', 'ipv4 multicast', 'ipv4 nlri-mpls', 'ipv4 mpls-vpn', 'ipv4 flow',
         'ipv4 flow-vpn', 'ipv4 rtc', 'ipv4 mcast-vpn', 'ipv4 sr-policy', 'ipv4 mup',
         'ipv6 unicast', 'ipv6 multicast', 'ipv6 nlri-mpls', 'ipv6 mpls-vpn', 'ipv6 flow',
         'ipv6 flow-vpn', 'ipv6 mcast-vpn', 'ipv6 sr-policy', 'ipv6 mup', 'l2vpn vpls',
         'l2vpn evpn', 'bgp-ls bgp-ls', 'bgp-ls bgp-ls-vpn']
MAIN_ONLY = {'ipv4 mcast-vpn', 'ipv4 sr-policy', 'ipv4 mup', 'ipv6 mcast-vpn', 'ipv6 sr-policy',
             'ipv6 mup'}


def families(names, default_list):
    if default_list:
        names = [x for x in ORDER if x not in MAIN_ONLY]
    return ','.join(x.replace(' ', '/') for x in ORDER if x in names)


def main():
    os.makedirs(OUT, exist_ok=True)
    index = []
    for source in ('encoding.jsonl', 'api.jsonl'):
        with open(os.path.join(SRC, source)) as f:
            for line in f:
                r = json.loads(line)
                for name, text in r['config_text'].items():
                    with open(os.path.join(OUT, name), 'w') as out:
                        out.write(text)
                lines = []
                for n in r['neighbors']:
                    cap = n['capability']
                    lines.append(
                        'neighbor %s local-address %s router-id %s local-as %d peer-as %d '
                        'passive %d hold-time %d group-updates %d manual-eor %d adj-rib-in %d '
                        'adj-rib-out %d asn4 %s add-path %s' % (
                            n['peer-address'], n['local-address'], n['router-id'], n['local-as'],
                            n['peer-as'], n['passive'], n['hold-time'], n['group-updates'],
                            n['manual-eor'], n['adj-rib-in'], n['adj-rib-out'], cap['asn4'],
                            cap['add-path']))
                    # main's list for "no family block" has every family it knows (>= 20)
                    lines.append('  families %s' % families(n['families'], len(n['families']) >= 20))
                    lines.append('  add-path-families %s' % families(n['add-path-families'], False))
                    for key in sorted(n['api']):
                        lines.append('  api %s %s' % (key, ','.join(n['api'][key])))
                for name, p in sorted(r['processes'].items()):
                    lines.append('process %s argc %d encoder %s respawn %d' % (
                        name, len(p['run']), p['encoder'], p['respawn']))
                config = r['configs'][0]
                with open(os.path.join(OUT, config + '.expect'), 'w') as out:
                    out.write('\n'.join(lines) + '\n')
                index.append(config)
    with open(os.path.join(OUT, 'INDEX'), 'w') as out:
        out.write('\n'.join(index) + '\n')


if __name__ == '__main__':
    main()
