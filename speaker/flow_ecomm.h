/*
 * flow_ecomm.h: the FlowSpec actions, carried as extended communities (RFC 8955 7,
 * draft-ietf-idr-flowspec-redirect-ip, draft-ietf-idr-flowspec-interfaceset).
 */
#ifndef BGPBUS_SPEAKER_FLOW_ECOMM_H
#define BGPBUS_SPEAKER_FLOW_ECOMM_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "bgpbus/v1/community.pb-c.h"

/*
 * Writes the 8 octets of a FlowSpec action community: 1 when written, 0 when e is not a
 * FlowSpec action (another encoder's), -1 when its values do not fit the wire layout.
 */
int flow_ecomm_encode(const Bgpbus__V1__ExtendedCommunity *e, uint8_t out[8]);

/* Sets e's typed view when the 8 octets are a FlowSpec action; false when they are not one (or
 * out of memory: the raw form is kept either way). */
bool flow_ecomm_decode(struct arena *a, const uint8_t ec[8], Bgpbus__V1__ExtendedCommunity *e);

#endif
