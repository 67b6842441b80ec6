/*
 * nlri_flow.h: FlowSpec NLRI (RFC 8955 IPv4, RFC 8956 IPv6; SAFI 133, and SAFI 134 with a route
 * distinguisher, RFC 8955 8).
 *
 * A rule is kept as its wire form (length octet(s), the RD for flow-vpn, the components) in
 * struct nlri raw/raw_len. The encoder is canonical (components in type order, smallest value
 * lengths, 1-octet length below 240), so a rule's identity is its bytes: a withdraw built from
 * the same match as the announce finds it.
 */
#ifndef BGPBUS_SPEAKER_NLRI_FLOW_H
#define BGPBUS_SPEAKER_NLRI_FLOW_H

#include "arena.h"
#include "bgpbus/v1/flowspec.pb-c.h"
#include "nlri.h"

/* RFC 8955 4.1: the NLRI length is at most 4095 octets (0xfff in the 2-octet form). */
#define NLRI_FLOW_MAX_LEN 4095

extern const struct nlri_ops nlri_ops_flow;

/*
 * Encodes a contract rule into *out (its bytes allocated in a). NULL on success, else why the
 * rule cannot be sent (a component twice, a prefix of the wrong family, an empty term list, a
 * value longer than its stated length, a rule over 4095 octets).
 */
const char *nlri_flow_from_proto(const Bgpbus__V1__FlowSpecNlri *m, struct arena *a,
                                 struct nlri *out);

/* The contract form of a decoded (or encoded) rule, components in wire order; NULL when out of
 * memory or when n does not hold a well-formed rule. */
Bgpbus__V1__FlowSpecNlri *nlri_flow_to_proto(struct arena *a, const struct nlri *n);


#endif
