/*
 * nlri_vpls.h: VPLS NLRI (RFC 4761 3.2.2; AFI 25 SAFI 65) and its contract form
 * (bgpbus.v1 VplsNlri).
 */
#ifndef BGPBUS_SPEAKER_NLRI_VPLS_H
#define BGPBUS_SPEAKER_NLRI_VPLS_H

#include "bgpbus/v1/nlri.pb-c.h"
#include "nlri.h"

/* The label base a route gets when the contract leaves it out: the first label value outside
 * the reserved range 0-15 (RFC 3032 2.1). */
#define NLRI_VPLS_DEFAULT_LABEL_BASE 16u

extern const struct nlri_ops nlri_ops_vpls;

/* The contract's route as a struct nlri whose bytes are allocated in a; NULL, or why not. */
const char *nlri_vpls_from_proto(const Bgpbus__V1__VplsNlri *v, struct arena *a, struct nlri *out);

/* The typed form of n; NULL when out of memory. */
Bgpbus__V1__VplsNlri *nlri_vpls_to_proto(struct arena *a, const struct nlri *n);

#endif
