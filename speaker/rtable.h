/*
 * rtable.h: a table of routes keyed by identity (family + NLRI + path id), each pointing at an
 * interned attribute set. The Adj-RIB-Out and the Adj-RIB-In are both built on it.
 */
#ifndef BGPBUS_SPEAKER_RTABLE_H
#define BGPBUS_SPEAKER_RTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrset.h"
#include "nlri.h"

struct rt_entry {
    struct rt_entry *hnext; /* hash chain */
    struct rt_entry *dnext; /* free for the owner of the table (the Adj-RIB-Out's dirty list) */
    struct attrset *attrs;  /* NULL: no wanted state (a pending withdrawal) */
    uint32_t owner;
    uint32_t hash;
    uint8_t flags;    /* free for the owner of the table */
    bool raw_heap;    /* nlri.raw was replaced by a larger, separately allocated copy */
    uint16_t raw_cap; /* room for raw bytes after the entry */
    struct nlri nlri; /* raw NLRI bytes, when any, follow the entry */
};

struct rtable {
    struct rt_entry **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
};

int rtable_init(struct rtable *t);
/* Frees every entry, dropping their attribute references. */
void rtable_free(struct rtable *t, struct attrset_table *sets);

struct rt_entry *rtable_find(const struct rtable *t, const struct nlri *n);
/* The entry for n, created (attrs NULL) when missing; NULL when out of memory. */
struct rt_entry *rtable_get(struct rtable *t, const struct nlri *n, bool *created);
/*
 * Takes n's raw bytes for an entry of the same identity: what identifies a route may be a part
 * of its NLRI only (a VPN route's labels are not), and the route is sent with the latest bytes.
 * Returns 1 when the bytes changed, 0 when equal, -1 when out of memory (entry unchanged).
 */
int rtable_update_raw(struct rt_entry *e, const struct nlri *n);
/* Unlinks e; the caller frees it with rtable_entry_free. */
void rtable_remove(struct rtable *t, struct rt_entry *e);
void rtable_entry_free(struct rt_entry *e, struct attrset_table *sets);

/* Iteration: for (e = rtable_first(t, &i); e; e = rtable_next(t, e, &i)). Do not remove while
 * iterating. */
struct rt_entry *rtable_first(const struct rtable *t, size_t *bucket);
struct rt_entry *rtable_next(const struct rtable *t, const struct rt_entry *e, size_t *bucket);

#endif
