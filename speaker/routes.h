/*
 * routes.h: putting routes of the contract (bgpbus.v1.Route) into Adj-RIBs-Out, shared by the
 * bus service (Announce/Withdraw) and the configuration's static routes.
 */
#ifndef BGPBUS_SPEAKER_ROUTES_H
#define BGPBUS_SPEAKER_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/route.pb-c.h"
#include "speaker.h"

/* A route's identity in the codec's form: NULL, or why it cannot be (routes_err_family when the
 * speaker does not encode that family yet). */
extern const char routes_err_family[];
/* Bytes the NLRI needs beyond struct nlri (labels, RD) are allocated in a. */
const char *routes_nlri_from(const Bgpbus__V1__Nlri *m, struct arena *a, struct nlri *out);
/* What an announce of the family needs: attributes with a next hop (an address, or self; optional
 * for FlowSpec). NULL, or why not. */
const char *routes_check_attributes(enum bgp_family fam, const Bgpbus__V1__Attributes *a);

/*
 * Sets each route in the Adj-RIB-Out of every peer given (announce, or withdraw). Attributes
 * are the route's own, or `shared` when it has none; equal attribute sets are interned once.
 * items[i] (initialised here) receives each route's status. Nothing is sent: the caller flushes.
 * Returns the number of routes that failed.
 */
size_t routes_apply(struct speaker *sp, struct peer **peers, size_t npeers,
                    Bgpbus__V1__Route **routes, size_t n, const Bgpbus__V1__Attributes *shared,
                    bool announce, const char *owner, Bgpbus__V1__ItemResult *items);

/* The configuration's static routes of one peer (`static`, `announce`, `flow`, `l2vpn`),
 * parsed with the shared route grammar; errors are logged with file:line:col. Owner "config". */
void static_routes_apply(struct speaker *sp, struct peer *p);

#endif
