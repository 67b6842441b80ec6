/*
 * adjin.h: the Adj-RIB-In of one peer (RFC 4271 3.2), kept when the neighbor's `adj-rib-in` is on
 * (ExaBGP's default): what the peer announced and has not withdrawn, for `show adj-rib in`.
 * Emptied when the session goes down.
 */
#ifndef BGPBUS_SPEAKER_ADJIN_H
#define BGPBUS_SPEAKER_ADJIN_H

#include <stddef.h>

#include "adjout.h"
#include "attr.h"

struct adjin;

struct adjin *adjin_new(struct attrset_table *sets);
void adjin_free(struct adjin *in);
/* Applies a decoded UPDATE (a treat-as-withdraw one withdraws its routes). -1: out of memory. */
int adjin_update(struct adjin *in, const struct update_decoded *dec);
void adjin_clear(struct adjin *in);
size_t adjin_count(const struct adjin *in);
/* Same callback as the Adj-RIB-Out; owner is 0. */
void adjin_walk(const struct adjin *in, bgp_famset fams, adjout_walk_fn *fn, void *arg);

#endif
