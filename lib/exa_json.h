/* Internal: the pieces of ExaBGP's JSON encoder shared between lib/exa_json*.c. */
#ifndef BGPBUS_LIB_EXA_JSON_H
#define BGPBUS_LIB_EXA_JSON_H

#include "exa_int.h"

/* ", "open": {…}" (SPEC 3.3); sent: the OPEN was sent by us (capabilities keyed by name). */
void exa_json_open(struct exa_buf *b, const Bgpbus__V1__Open *o, bool sent);
/* "{ "update": { attribute, announce, withdraw } }" (SPEC 3.5); peer resolves next-hop self. */
void exa_json_update(struct exa_buf *b, const Bgpbus__V1__Update *u,
                     const Bgpbus__V1__PeerKey *peer);
/* The "negotiated" object (SPEC 3.10). */
void exa_json_negotiated_object(struct exa_buf *b, const Bgpbus__V1__Negotiated *n);

#endif /* BGPBUS_LIB_EXA_JSON_H */
