/*
 * nlri_evpn.h: EVPN NLRI (RFC 7432 7, RFC 9136 3.1; AFI 25 SAFI 70) and its contract form
 * (bgpbus.v1 EvpnNlri).
 */
#ifndef BGPBUS_SPEAKER_NLRI_EVPN_H
#define BGPBUS_SPEAKER_NLRI_EVPN_H

#include <stdbool.h>

#include "bgpbus/v1/nlri.pb-c.h"
#include "nlri.h"

extern const struct nlri_ops nlri_ops_evpn;

/* The contract's route as a struct nlri whose bytes are allocated in a; NULL, or why not. */
const char *nlri_evpn_from_proto(const Bgpbus__V1__EvpnNlri *e, struct arena *a, struct nlri *out);

/* The typed form of n (unknown route types as EvpnUnknownRoute); NULL when out of memory. */
Bgpbus__V1__EvpnNlri *nlri_evpn_to_proto(struct arena *a, const struct nlri *n);

#endif
