/*
 * bb_fmt_l2vpn: bbclient's one-line text of EVPN and VPLS NLRI, as tests/interop/interop_l2vpn.sh
 * reads the peers' tables (one word naming the route, then its advertisement's fields):
 *   evpn macadv,65001:100,0,aa:bb:cc:dd:ee:ff,100.10.0.1 label=1000 field=16001 esi=-
 *   evpn multicast,65001:100,0,192.168.1.1
 *   vpls 65001:100,ve=0,offset=10 size=8 base=16
 */
#ifndef BB_FMT_L2VPN_H
#define BB_FMT_L2VPN_H

#include <stdbool.h>
#include <stdio.h>

#include "bgpbus/v1/attributes.pb-c.h"
#include "bgpbus/v1/nlri.pb-c.h"

/* Writes the text of an EVPN or VPLS N; false for other members. */
bool bb_fmt_l2vpn_nlri(FILE *f, const Bgpbus__V1__Nlri *n);
/* Writes the typed L2VPN extended communities of A: " l2info=E:C:MTU:SITE", "
 * mobility=SEQ[:sticky]", " esi-label=L[:single-active]", " router-mac=M". */
void bb_fmt_l2vpn_ext(FILE *f, const Bgpbus__V1__Attributes *a);

#endif
