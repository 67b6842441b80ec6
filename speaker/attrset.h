/*
 * attrset.h: interned (hash-consed) attribute sets.
 *
 * A route in an Adj-RIB-Out points at one attrset; routes with equal attributes share it, so a
 * million routes announced with the same attributes cost one copy, and the UPDATE packer groups
 * routes by pointer. The identity of an attribute set is its canonical protobuf encoding.
 */
#ifndef BGPBUS_SPEAKER_ATTRSET_H
#define BGPBUS_SPEAKER_ATTRSET_H

#include <stddef.h>
#include <stdint.h>

#include "bgpbus/v1/attributes.pb-c.h"

struct attrset {
    struct attrset *next; /* hash chain */
    uint32_t hash;
    uint32_t refcnt;
    size_t len;
    uint8_t *packed;               /* canonical encoding: the key */
    Bgpbus__V1__Attributes *attrs; /* decoded copy, owned */
};

struct attrset_table;

struct attrset_table *attrset_table_new(void);
void attrset_table_free(struct attrset_table *t);
size_t attrset_table_count(const struct attrset_table *t);

/* Returns the shared set equal to attrs with one more reference, or NULL (out of memory). */
struct attrset *attrset_intern(struct attrset_table *t, const Bgpbus__V1__Attributes *attrs);
struct attrset *attrset_ref(struct attrset *a);
void attrset_unref(struct attrset_table *t, struct attrset *a);

#endif
