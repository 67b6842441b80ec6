/*
 * exa_l2vpn.h: ExaBGP 4.2's renderings of EVPN routes (lib/exa_json_l2vpn.c), for the JSON and
 * text encoders. Internal to lib/exa_*.c.
 */
#ifndef BGPBUS_LIB_EXA_L2VPN_H
#define BGPBUS_LIB_EXA_L2VPN_H

#include "exa_int.h"

/* The members of an EVPN NLRI object, after its '{' (SPEC 3.5.2; ExaBGP 4.2's EVPN json()). */
void exa_json_evpn(struct exa_buf *b, const Bgpbus__V1__EvpnNlri *e);

/* ExaBGP's own text of an EVPN route (its str(): "evpn:macadv::<rd>:<esi>:<tag>:<mac>/48:..."). */
void exa_text_evpn(struct exa_buf *b, const Bgpbus__V1__EvpnNlri *e);

#endif
