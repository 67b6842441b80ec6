/*
 * rtable.h: a table of routes keyed by identity (family + NLRI + path id), each pointing at an
 * interned attribute set. The Adj-RIB-Out and the Adj-RIB-In are both built on it.
 *
 * Memory is what limits a speaker holding full tables (issue 7: <= 150 bytes per route with a
 * million routes), so an entry is one 64-byte cache line: entries live in chunks of the table
 * (no malloc header per route, neighbours in memory), chained by 32-bit indexes, and a chain
 * lookup reads one line per candidate. Entries do not move: a pointer stays valid until the
 * entry is freed.
 */
#ifndef BGPBUS_SPEAKER_RTABLE_H
#define BGPBUS_SPEAKER_RTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrset.h"
#include "nlri.h"

#define RT_CHUNK 1024 /* entries per chunk: 64 KiB */

struct rt_entry {
    struct attrset *attrs; /* NULL: no wanted state (a pending withdrawal) */
    struct nlri nlri;      /* nlri.raw, when any, is the entry's own allocation */
    uint32_t hnext;        /* hash chain (entry index, 0: end); removed: the entry's own index */
    uint32_t hash;
    uint32_t owner;
    uint8_t flags; /* free for the owner of the table */
};

struct rtable {
    uint32_t *buckets; /* index of each chain's first entry, 0: empty */
    size_t nbuckets;   /* power of two */
    size_t count;
    struct rt_entry **chunks; /* entry i is chunks[i / RT_CHUNK][i % RT_CHUNK]; 0 is unused */
    size_t nchunks;
    uint32_t unused;    /* entries [unused, nchunks * RT_CHUNK) were never handed out */
    uint32_t free_list; /* freed entries, chained by hnext */
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
/* Unlinks e; the caller may still read it, then frees it with rtable_entry_free. */
void rtable_remove(struct rtable *t, struct rt_entry *e);
void rtable_entry_free(struct rtable *t, struct rt_entry *e, struct attrset_table *sets);

/* Iteration: for (e = rtable_first(t, &i); e; e = rtable_next(t, e, &i)). Do not remove while
 * iterating. */
struct rt_entry *rtable_first(const struct rtable *t, size_t *bucket);
struct rt_entry *rtable_next(const struct rtable *t, const struct rt_entry *e, size_t *bucket);

#endif
