/*
 * adjout.h: the Adj-RIB-Out of one peer (RFC 4271 3.2), the buffer between commands and the wire.
 *
 * It holds the latest wanted state per route (family + NLRI + path id): repeated commands for
 * one route coalesce instead of queueing messages. Changed routes are marked dirty; a flush
 * groups them by attribute set and packs each group into as few UPDATEs as the session's
 * message size allows (ExaBGP's group-updates), withdrawals packed too.
 */
#ifndef BGPBUS_SPEAKER_ADJOUT_H
#define BGPBUS_SPEAKER_ADJOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrset.h"
#include "nlri.h"

struct peer;
struct session;
struct adjout;

struct adjout *adjout_new(struct peer *p);
void adjout_free(struct adjout *o);

/*
 * Sets the wanted state of one route: attrs (a reference is taken) or NULL to withdraw.
 * Withdrawing a route that is not there is not an error (ExaBGP: "route not found", done).
 * Returns 1 when the route changed, 0 when it was already so, -1 when out of memory.
 */
int adjout_set(struct adjout *o, const struct nlri *n, struct attrset *attrs, uint32_t owner);
/* Sends what changed, when the session is up. */
void adjout_flush(struct adjout *o);

void adjout_session_up(struct adjout *o, struct session *s);
void adjout_session_down(struct adjout *o);
/* ROUTE-REFRESH (RFC 2918 3) for one family, or BGP_FAM_NONE for all: re-send. */
void adjout_refresh(struct adjout *o, enum bgp_family fam);
/* End-of-RIB marker for a family (RFC 4724 2), now. */
void adjout_send_eor(struct adjout *o, enum bgp_family fam);
/* Withdraws every route (of an owner when owner != UINT32_MAX); returns how many. */
size_t adjout_withdraw_all(struct adjout *o, uint32_t owner);
/* Replacing an owner's routes without re-sending those that stay the same (a reload): mark its
 * routes stale, set the new ones (adjout_set clears the mark, and an unchanged route sends
 * nothing), then withdraw what is still stale; returns how many. */
void adjout_mark_stale(struct adjout *o, uint32_t owner);
size_t adjout_withdraw_stale(struct adjout *o, uint32_t owner);

size_t adjout_count(const struct adjout *o);
size_t adjout_pending(const struct adjout *o);

typedef void adjout_walk_fn(void *arg, const struct nlri *n, const struct attrset *a,
                            uint32_t owner);
/* Calls fn for every route of the families in fams (0 = all), in no particular order. */
void adjout_walk(const struct adjout *o, bgp_famset fams, adjout_walk_fn *fn, void *arg);

#endif
