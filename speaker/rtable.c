/* rtable.c: routes keyed by identity (see rtable.h). */
#include "rtable.h"

#include <stdlib.h>
#include <string.h>

int
rtable_init(struct rtable *t)
{
    t->nbuckets = 1024;
    t->count = 0;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    return t->buckets ? 0 : -1;
}

void
rtable_entry_free(struct rt_entry *e, struct attrset_table *sets)
{
    if (e->attrs)
        attrset_unref(sets, e->attrs);
    if (e->raw_heap)
        free((void *)e->nlri.raw);
    free(e);
}

int
rtable_update_raw(struct rt_entry *e, const struct nlri *n)
{
    if (e->nlri.raw_len == n->raw_len &&
        (n->raw_len == 0 || memcmp(e->nlri.raw, n->raw, n->raw_len) == 0))
        return 0;
    if (n->raw_len <= e->raw_cap) {
        if (e->raw_heap)
            free((void *)e->nlri.raw);
        e->raw_heap = false;
        memcpy(e + 1, n->raw, n->raw_len);
        e->nlri.raw = (const uint8_t *)(e + 1);
    } else {
        uint8_t *copy = malloc(n->raw_len);
        if (!copy)
            return -1;
        memcpy(copy, n->raw, n->raw_len);
        if (e->raw_heap)
            free((void *)e->nlri.raw);
        e->raw_heap = true;
        e->nlri.raw = copy;
    }
    e->nlri.raw_len = n->raw_len;
    return 1;
}

void
rtable_free(struct rtable *t, struct attrset_table *sets)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct rt_entry *e = t->buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            rtable_entry_free(e, sets);
        }
    }
    free(t->buckets);
    t->buckets = NULL;
    t->count = 0;
}

static void
rtable_grow(struct rtable *t)
{
    size_t n = t->nbuckets * 2;
    struct rt_entry **b = calloc(n, sizeof(*b));
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct rt_entry *e = t->buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            e->hnext = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static struct rt_entry **
rtable_slot(const struct rtable *t, const struct nlri *n, uint32_t h)
{
    struct rt_entry **pp = &t->buckets[h & (t->nbuckets - 1)];
    for (; *pp; pp = &(*pp)->hnext)
        if ((*pp)->hash == h && nlri_compare(&(*pp)->nlri, n) == 0)
            break;
    return pp;
}

struct rt_entry *
rtable_find(const struct rtable *t, const struct nlri *n)
{
    return *rtable_slot(t, n, nlri_hash(n));
}

struct rt_entry *
rtable_get(struct rtable *t, const struct nlri *n, bool *created)
{
    uint32_t h = nlri_hash(n);
    struct rt_entry **pp = rtable_slot(t, n, h);

    *created = false;
    if (*pp)
        return *pp;
    struct rt_entry *e = calloc(1, sizeof(*e) + n->raw_len);
    if (!e)
        return NULL;
    e->nlri = *n;
    e->raw_cap = n->raw_len;
    if (n->raw_len) {
        memcpy(e + 1, n->raw, n->raw_len);
        e->nlri.raw = (const uint8_t *)(e + 1);
    }
    e->hash = h;
    *pp = e;
    *created = true;
    if (++t->count > t->nbuckets * 2)
        rtable_grow(t);
    return e;
}

void
rtable_remove(struct rtable *t, struct rt_entry *e)
{
    struct rt_entry **pp = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp) {
        *pp = e->hnext;
        t->count--;
    }
}

struct rt_entry *
rtable_first(const struct rtable *t, size_t *bucket)
{
    for (*bucket = 0; *bucket < t->nbuckets; (*bucket)++)
        if (t->buckets[*bucket])
            return t->buckets[*bucket];
    return NULL;
}

struct rt_entry *
rtable_next(const struct rtable *t, const struct rt_entry *e, size_t *bucket)
{
    if (e->hnext)
        return e->hnext;
    for ((*bucket)++; *bucket < t->nbuckets; (*bucket)++)
        if (t->buckets[*bucket])
            return t->buckets[*bucket];
    return NULL;
}
