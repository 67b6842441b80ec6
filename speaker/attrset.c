/* attrset.c: interned attribute sets (see attrset.h). */
#include "attrset.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct attrset_table {
    struct attrset **buckets;
    size_t nbuckets; /* power of two */
    size_t count;
    uint8_t *scratch; /* packing buffer for lookups */
    size_t scratch_cap;
};

static uint32_t
hash_bytes(const uint8_t *p, size_t n)
{
    /* FNV-1a: short keys, good enough spread, no dependencies. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

struct attrset_table *
attrset_table_new(void)
{
    struct attrset_table *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    return t;
}

void
attrset_table_free(struct attrset_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct attrset *a = t->buckets[i], *next;
        for (; a; a = next) {
            next = a->next;
            free(a);
        }
    }
    free(t->buckets);
    free(t->scratch);
    free(t);
}

size_t
attrset_table_count(const struct attrset_table *t)
{
    return t->count;
}

static void
attrset_grow(struct attrset_table *t)
{
    size_t n = t->nbuckets * 2;
    struct attrset **b = calloc(n, sizeof(*b));
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct attrset *a = t->buckets[i], *next;
        for (; a; a = next) {
            next = a->next;
            a->next = b[a->hash & (n - 1)];
            b[a->hash & (n - 1)] = a;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

struct attrset *
attrset_intern(struct attrset_table *t, const Bgpbus__V1__Attributes *attrs)
{
    size_t len = bgpbus__v1__attributes__get_packed_size(attrs);
    if (len > UINT32_MAX)
        return NULL;
    if (len > t->scratch_cap) {
        uint8_t *s = realloc(t->scratch, len * 2);
        if (!s)
            return NULL;
        t->scratch = s;
        t->scratch_cap = len * 2;
    }
    bgpbus__v1__attributes__pack(attrs, t->scratch);
    uint32_t h = hash_bytes(t->scratch, len);
    struct attrset **slot = &t->buckets[h & (t->nbuckets - 1)];
    for (struct attrset *a = *slot; a; a = a->next) {
        if (a->hash == h && a->len == len && (!len || memcmp(a->packed, t->scratch, len) == 0))
            return attrset_ref(a);
    }
    struct attrset *a = malloc(sizeof(*a) + len);
    if (!a)
        return NULL;
    if (len) /* an empty message: no scratch buffer yet */
        memcpy(a->packed, t->scratch, len);
    a->len = (uint32_t)len;
    a->hash = h;
    a->refcnt = 1;
    a->next = *slot;
    *slot = a;
    if (++t->count > t->nbuckets)
        attrset_grow(t);
    return a;
}

struct attrset *
attrset_ref(struct attrset *a)
{
    a->refcnt++;
    return a;
}

void
attrset_unref(struct attrset_table *t, struct attrset *a)
{
    if (!a || --a->refcnt > 0)
        return;
    struct attrset **pp = &t->buckets[a->hash & (t->nbuckets - 1)];
    while (*pp && *pp != a)
        pp = &(*pp)->next;
    if (*pp)
        *pp = a->next;
    t->count--;
    free(a);
}

const Bgpbus__V1__Attributes *
attrset_decode(const struct attrset *s, struct arena *a)
{
    return bgpbus__v1__attributes__unpack(arena_pb(a), s->len, s->packed);
}

struct attrset_memo_slot {
    const struct attrset *set; /* NULL: empty */
    const Bgpbus__V1__Attributes *attrs;
};

void
attrset_memo_init(struct attrset_memo *m, struct arena *a)
{
    memset(m, 0, sizeof(*m));
    m->arena = a;
}

void
attrset_memo_free(struct attrset_memo *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}

static struct attrset_memo_slot *
memo_slot(struct attrset_memo_slot *slots, size_t cap, const struct attrset *s)
{
    size_t i = s->hash & (cap - 1);
    while (slots[i].set && slots[i].set != s)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool
memo_grow(struct attrset_memo *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 256;
    struct attrset_memo_slot *n = calloc(ncap, sizeof(*n));
    if (!n)
        return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].set)
            *memo_slot(n, ncap, m->slots[i].set) = m->slots[i];
    free(m->slots);
    m->slots = n;
    m->cap = ncap;
    return true;
}

const Bgpbus__V1__Attributes *
attrset_memo_get(struct attrset_memo *m, const struct attrset *s)
{
    if ((m->count + 1) * 2 > m->cap && !memo_grow(m))
        return NULL;
    struct attrset_memo_slot *slot = memo_slot(m->slots, m->cap, s);
    if (slot->set)
        return slot->attrs;
    const Bgpbus__V1__Attributes *attrs = attrset_decode(s, m->arena);
    if (!attrs)
        return NULL;
    slot->set = s;
    slot->attrs = attrs;
    m->count++;
    return attrs;
}
