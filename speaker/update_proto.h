/*
 * update_proto.h: the codec's decoded forms as contract messages (bgpbus.v1), allocated in an
 * arena: what the speaker publishes, and what tests and tools render.
 */
#ifndef BGPBUS_SPEAKER_UPDATE_PROTO_H
#define BGPBUS_SPEAKER_UPDATE_PROTO_H

#include "bgpbus/v1/message.pb-c.h"
#include "cap.h"
#include "update.h"

ProtobufCBinaryData proto_bin(struct arena *a, const void *p, size_t n);
Bgpbus__V1__Family *proto_family(struct arena *a, uint16_t afi, uint8_t safi);
/* One NLRI: prefixes of unicast/multicast families typed, the others as RawNlri. */
Bgpbus__V1__Nlri *proto_nlri(struct arena *a, const struct nlri *n);
/* An OPEN with its capabilities as code + value in wire order (taken from msg, the whole
 * message, when given), MP and AS4 also decoded. */
Bgpbus__V1__Open *open_to_proto(struct arena *a, const struct bgp_open *o, const uint8_t *msg,
                                size_t len);
/*
 * A decoded UPDATE into u (initialised by the caller): withdrawn groups per family, announced
 * groups per family with their next hop, the attributes without the next hop. A treat-as-withdraw
 * UPDATE (RFC 7606) reports its routes as withdrawn and no attributes. Points into dec and its
 * message: keep both alive while u is used. -1 when out of memory.
 */
int update_to_proto(const struct update_decoded *dec, struct arena *a, Bgpbus__V1__Update *u);

#endif
