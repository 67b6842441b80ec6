/*
 * exa_flow.h: ExaBGP 4.2's renderings of FlowSpec rules (lib/exa_json_flow.c), for the JSON and
 * text encoders, and of the IPv6 extended communities 4.2 shows with them.
 */
#ifndef BGPBUS_LIB_EXA_FLOW_H
#define BGPBUS_LIB_EXA_FLOW_H

#include "exa_int.h"

/* The members of one rule's JSON object (nlri/flow.py json()): one list per component, "rd",
 * "next-hop" when nh has an address, and "string" (exa_put_flow_text). */
void exa_json_flow(struct exa_buf *b, const Bgpbus__V1__FlowSpecNlri *f,
                   const Bgpbus__V1__NextHop *nh);

/* The rule as 4.2's text ("flow destination-ipv4 192.0.2.0/24 protocol =tcp
 * destination-port [ =80 >8080&<8088 ] rd 65000:1 next-hop 192.0.2.1"; flow.py extensive()). */
void exa_put_flow_text(struct exa_buf *b, const Bgpbus__V1__FlowSpecNlri *f,
                       const Bgpbus__V1__NextHop *nh);

/* The value of 4.2's generic member for the IPv6 extended communities (attribute 25, which its
 * JSON has no name for): one community's text, or "[ a b ]" in ascending byte order. */
void exa_put_ipv6_extcomms_text(struct exa_buf *b, const Bgpbus__V1__Attributes *a);

#endif
