/* attrset.c: interned attribute sets (see attrset.h). */
#include "attrset.h"

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

static void
attrset_destroy(struct attrset *a)
{
    bgpbus__v1__attributes__free_unpacked(a->attrs, NULL);
    free(a->packed);
    free(a);
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
            attrset_destroy(a);
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
        if (a->hash == h && a->len == len && memcmp(a->packed, t->scratch, len) == 0)
            return attrset_ref(a);
    }
    struct attrset *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->packed = malloc(len ? len : 1);
    if (a->packed)
        memcpy(a->packed, t->scratch, len);
    a->attrs = a->packed ? bgpbus__v1__attributes__unpack(NULL, len, a->packed) : NULL;
    if (!a->attrs) {
        free(a->packed);
        free(a);
        return NULL;
    }
    a->len = len;
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
    attrset_destroy(a);
}
