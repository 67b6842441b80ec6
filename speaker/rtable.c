/* rtable.c: routes keyed by identity (see rtable.h). */
#include "rtable.h"

#include <stdlib.h>
#include <string.h>

/* An entry is one cache line; what the layout saves is the point of the table (rtable.h). */
_Static_assert(sizeof(struct rt_entry) <= 64, "struct rt_entry outgrew a cache line");

#define RT_LINE 64

static inline struct rt_entry *
rt_at(const struct rtable *t, uint32_t i)
{
    return &t->chunks[i / RT_CHUNK][i % RT_CHUNK];
}

int
rtable_init(struct rtable *t)
{
    memset(t, 0, sizeof(*t));
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    t->unused = 1; /* index 0 ends a chain */
    return t->buckets ? 0 : -1;
}

static void
entry_release(struct rt_entry *e, struct attrset_table *sets)
{
    if (e->attrs)
        attrset_unref(sets, e->attrs);
    free((void *)e->nlri.raw);
}

void
rtable_entry_free(struct rtable *t, struct rt_entry *e, struct attrset_table *sets)
{
    uint32_t self = e->hnext; /* rtable_remove left the entry's index there */
    entry_release(e, sets);
    memset(e, 0, sizeof(*e));
    e->nlri.fam = BGP_FAM_NONE; /* on the free list (rt_linked) */
    e->hnext = t->free_list;
    t->free_list = self;
}

/*
 * Whether entry x is in the table: neither freed nor removed (rtable_remove leaves the entry's
 * own index in hnext, which no chain can hold). Whole-table passes scan the chunks in memory
 * order with it instead of following chains from entry to entry, one cache miss each.
 */
static bool
rt_linked(const struct rt_entry *e, uint32_t x)
{
    return e->nlri.fam != BGP_FAM_NONE && e->hnext != x;
}

int
rtable_update_raw(struct rt_entry *e, const struct nlri *n)
{
    if (e->nlri.raw_len == n->raw_len &&
        (n->raw_len == 0 || memcmp(e->nlri.raw, n->raw, n->raw_len) == 0))
        return 0;
    uint8_t *copy = NULL;
    if (n->raw_len) {
        copy = malloc(n->raw_len);
        if (!copy)
            return -1;
        memcpy(copy, n->raw, n->raw_len);
    }
    free((void *)e->nlri.raw);
    e->nlri.raw = copy;
    e->nlri.raw_len = n->raw_len;
    return 1;
}

void
rtable_free(struct rtable *t, struct attrset_table *sets)
{
    for (uint32_t x = 1; x < t->unused; x++) {
        struct rt_entry *e = rt_at(t, x);
        if (rt_linked(e, x))
            entry_release(e, sets);
    }
    for (size_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->buckets);
    memset(t, 0, sizeof(*t));
}

static void
rtable_grow(struct rtable *t)
{
    size_t n = t->nbuckets * 2;
    uint32_t *b = calloc(n, sizeof(*b));
    if (!b)
        return; /* longer chains, still correct */
    for (uint32_t x = 1; x < t->unused; x++) {
        struct rt_entry *e = rt_at(t, x);
        if (!rt_linked(e, x))
            continue;
        e->hnext = b[e->hash & (n - 1)];
        b[e->hash & (n - 1)] = x;
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

/* The chain link that holds n's entry, or the chain's terminating 0 when n is not there. */
static uint32_t *
rtable_slot(const struct rtable *t, const struct nlri *n, uint32_t h)
{
    uint32_t *pp = &t->buckets[h & (t->nbuckets - 1)];
    for (; *pp; pp = &rt_at(t, *pp)->hnext) {
        const struct rt_entry *e = rt_at(t, *pp);
        if (e->hash == h && nlri_compare(&e->nlri, n) == 0)
            break;
    }
    return pp;
}

struct rt_entry *
rtable_find(const struct rtable *t, const struct nlri *n)
{
    uint32_t x = *rtable_slot(t, n, nlri_hash(n));
    return x ? rt_at(t, x) : NULL;
}

/* An unused entry's index (its memory zeroed), or 0 when out of memory. */
static uint32_t
rtable_alloc(struct rtable *t)
{
    if (t->free_list) {
        uint32_t x = t->free_list;
        t->free_list = rt_at(t, x)->hnext;
        rt_at(t, x)->hnext = 0;
        return x;
    }
    if (t->unused == UINT32_MAX)
        return 0;
    if (t->unused / RT_CHUNK == t->nchunks) {
        struct rt_entry **c = realloc(t->chunks, (t->nchunks + 1) * sizeof(*c));
        if (!c)
            return 0;
        t->chunks = c;
        /* Line-aligned, so that no entry straddles two cache lines. */
        c[t->nchunks] = aligned_alloc(RT_LINE, RT_CHUNK * sizeof(struct rt_entry));
        if (!c[t->nchunks])
            return 0;
        memset(c[t->nchunks], 0, RT_CHUNK * sizeof(struct rt_entry));
        t->nchunks++;
    }
    return t->unused++;
}

struct rt_entry *
rtable_get(struct rtable *t, const struct nlri *n, bool *created)
{
    uint32_t h = nlri_hash(n);
    uint32_t *pp = rtable_slot(t, n, h);

    *created = false;
    if (*pp)
        return rt_at(t, *pp);
    uint8_t *raw = NULL;
    if (n->raw_len && !(raw = malloc(n->raw_len)))
        return NULL;
    uint32_t x = rtable_alloc(t);
    if (!x) {
        free(raw);
        return NULL;
    }
    struct rt_entry *e = rt_at(t, x);
    e->nlri = *n;
    if (raw)
        memcpy(raw, n->raw, n->raw_len);
    e->nlri.raw = raw;
    e->hash = h;
    *pp = x; /* rtable_alloc moved no entry: pp still points into the chain */
    *created = true;
    if (++t->count > t->nbuckets)
        rtable_grow(t);
    return e;
}

void
rtable_remove(struct rtable *t, struct rt_entry *e)
{
    uint32_t *pp = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*pp && rt_at(t, *pp) != e)
        pp = &rt_at(t, *pp)->hnext;
    if (*pp) {
        uint32_t self = *pp;
        *pp = e->hnext;
        e->hnext = self;
        t->count--;
    }
}

struct rt_entry *
rtable_first(const struct rtable *t, size_t *bucket)
{
    for (*bucket = 0; *bucket < t->nbuckets; (*bucket)++)
        if (t->buckets[*bucket])
            return rt_at(t, t->buckets[*bucket]);
    return NULL;
}

struct rt_entry *
rtable_next(const struct rtable *t, const struct rt_entry *e, size_t *bucket)
{
    if (e->hnext)
        return rt_at(t, e->hnext);
    for ((*bucket)++; *bucket < t->nbuckets; (*bucket)++)
        if (t->buckets[*bucket])
            return rt_at(t, t->buckets[*bucket]);
    return NULL;
}
