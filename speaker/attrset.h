/*
 * attrset.h: interned (hash-consed) attribute sets.
 *
 * A route in an Adj-RIB-Out points at one attrset; routes with equal attributes share it, so a
 * million routes announced with the same attributes cost one copy, and the UPDATE packer groups
 * routes by pointer. The identity of an attribute set is its canonical protobuf encoding, and
 * that encoding is all a set keeps: a decoded copy costs about 700 bytes (about 120 bytes per
 * route with a real table's mix, one set per 6 routes), so whoever needs the fields (the UPDATE
 * packer, `show adj-rib`) decodes the set into an arena for as long as it needs them.
 */
#ifndef BGPBUS_SPEAKER_ATTRSET_H
#define BGPBUS_SPEAKER_ATTRSET_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "bgpbus/v1/attributes.pb-c.h"

struct attrset {
    struct attrset *next; /* hash chain */
    uint32_t hash;
    uint32_t refcnt;
    uint32_t len;
    uint8_t packed[]; /* canonical encoding: the key */
};

struct attrset_table;

struct attrset_table *attrset_table_new(void);
void attrset_table_free(struct attrset_table *t);
size_t attrset_table_count(const struct attrset_table *t);

/* Returns the shared set equal to attrs with one more reference, or NULL (out of memory). */
struct attrset *attrset_intern(struct attrset_table *t, const Bgpbus__V1__Attributes *attrs);
struct attrset *attrset_ref(struct attrset *a);
void attrset_unref(struct attrset_table *t, struct attrset *a);
/* The set's attributes, decoded into a (they live until a is reset); NULL: out of memory. */
const Bgpbus__V1__Attributes *attrset_decode(const struct attrset *s, struct arena *a);

/*
 * Decodes each set once for a walk over many routes (a `show adj-rib` of a million routes shares
 * some 170k sets): attributes in the arena, the set -> attributes map malloc'ed.
 */
struct attrset_memo {
    struct arena *arena;
    struct attrset_memo_slot *slots; /* open addressing */
    size_t cap, count;
};

void attrset_memo_init(struct attrset_memo *m, struct arena *a);
/* s decoded, the same pointer for the same set; NULL: out of memory. */
const Bgpbus__V1__Attributes *attrset_memo_get(struct attrset_memo *m, const struct attrset *s);
void attrset_memo_free(struct attrset_memo *m);

#endif
