/*
 * pbwrite: the one-pass packer gives protobuf-c's bytes for every message of the contract.
 *
 * Random messages are built from the descriptors of Event, Request and Reply (every field type,
 * label, oneof and packed array reachable from them, sub-messages a few levels deep, some
 * unknown fields) and packed both ways; the bytes must be identical. A buffer one octet too
 * small must be refused without writing outside it (ASan watches).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "pbwrite.h"

#define MAX_DEPTH 6
#define ROUNDS    1500

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
    /* xorshift64*: a fixed sequence, so a failure repeats. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned
rnd_below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* Values around the varint length boundaries and the sign bit, where encoders go wrong. */
static uint64_t
rnd_number(void)
{
    static const uint64_t edges[] = { 0,          1,          127,        128,
                                      16383,      16384,      0x7fffffff, 0x80000000,
                                      0xffffffff, UINT64_MAX, 1ULL << 63, 300 };
    return rnd_below(3) ? edges[rnd_below(sizeof(edges) / sizeof(edges[0]))] : rnd();
}

static ProtobufCMessage *random_message(struct arena *a, const ProtobufCMessageDescriptor *d,
                                        int depth);

/* nullable: an optional string or message may be NULL (protobuf-c packs nothing then); in an
 * array or a required field protobuf-c does not accept NULL. */
static void
random_value(struct arena *a, const ProtobufCFieldDescriptor *f, void *v, int depth, bool nullable)
{
    uint64_t x = rnd_number();

    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM: {
        uint32_t y = (uint32_t)x;
        memcpy(v, &y, 4);
        break;
    }
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: memcpy(v, &x, 8); break;
    case PROTOBUF_C_TYPE_BOOL: *(protobuf_c_boolean *)v = (protobuf_c_boolean)(x & 1); break;
    case PROTOBUF_C_TYPE_STRING: {
        size_t n = rnd_below(4) ? rnd_below(20) : 200;
        char *s = arena_alloc(a, n + 1);
        for (size_t i = 0; i < n; i++)
            s[i] = (char)('a' + rnd_below(26));
        *(char **)v = nullable && rnd_below(10) == 0 ? NULL : s;
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = v;
        b->len = rnd_below(4) ? rnd_below(20) : 300;
        b->data = arena_alloc(a, b->len + 1);
        for (size_t i = 0; i < b->len; i++)
            b->data[i] = (uint8_t)rnd();
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        if (nullable && (depth >= MAX_DEPTH || rnd_below(8) == 0))
            *(ProtobufCMessage **)v = NULL;
        else
            *(ProtobufCMessage **)v = random_message(a, f->descriptor, depth + 1);
        break;
    }
}

static size_t
elem_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    default: return 4;
    }
}

static void
random_field(struct arena *a, const ProtobufCFieldDescriptor *f, char *base, int depth)
{
    void *member = base + f->offset;
    void *qmember = base + f->quantifier_offset;

    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t n = rnd_below(3) ? 0 : 1 + rnd_below(4);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth >= MAX_DEPTH)
            n = 0;
        char *arr = arena_calloc(a, n ? n : 1, elem_size(f));
        for (size_t i = 0; i < n; i++)
            random_value(a, f, arr + i * elem_size(f), depth, false);
        *(size_t *)qmember = n;
        *(void **)member = arr;
        return;
    }
    if (f->label != PROTOBUF_C_LABEL_REQUIRED && rnd_below(2))
        return; /* absent */
    random_value(a, f, member, depth, f->label != PROTOBUF_C_LABEL_REQUIRED);
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)qmember = f->id; /* the last member chosen wins, as in C */
    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
             f->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *)qmember = 1;
}

static void
random_unknown(struct arena *a, ProtobufCMessage *m)
{
    m->n_unknown_fields = 1 + rnd_below(2);
    m->unknown_fields = arena_calloc(a, m->n_unknown_fields, sizeof(*m->unknown_fields));
    for (size_t i = 0; i < m->n_unknown_fields; i++) {
        ProtobufCMessageUnknownField *u = &m->unknown_fields[i];
        u->tag = 1000 + (uint32_t)rnd_below(100000);
        u->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
        u->len = 4;
        u->data = arena_alloc(a, 4);
        u->data[0] = 3; /* length 3, then 3 octets */
    }
}

static ProtobufCMessage *
random_message(struct arena *a, const ProtobufCMessageDescriptor *d, int depth)
{
    ProtobufCMessage *m = arena_alloc(a, d->sizeof_message);

    d->message_init(m);
    for (unsigned i = 0; i < d->n_fields; i++)
        random_field(a, &d->fields[i], (char *)m, depth);
    if (rnd_below(20) == 0)
        random_unknown(a, m);
    return m;
}

static size_t
check_same_bytes(const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *want = malloc(n + 1);
    uint8_t *got = malloc(n + 1);

    assert_non_null(want);
    assert_non_null(got);
    assert_int_equal(protobuf_c_message_pack(m, want), n);
    assert_int_equal(pbwrite_pack_end(m, got, n), n);
    assert_memory_equal(got, want, n);
    if (n > 0) /* one octet short: refused, nothing written before got[0] */
        assert_int_equal(pbwrite_pack_end(m, got + 1, n - 1), SIZE_MAX);
    free(want);
    free(got);
    return n;
}

static void
check_descriptor(const ProtobufCMessageDescriptor *d)
{
    struct arena a;
    size_t total = 0;

    arena_init(&a, 0);
    for (int i = 0; i < ROUNDS; i++) {
        arena_reset(&a);
        total += check_same_bytes(random_message(&a, d, 0));
    }
    arena_free(&a);
    print_message("%s: %d messages, %zu octets\n", d->name, ROUNDS, total);
    assert_true(total > (size_t)ROUNDS * 100); /* deep enough to mean something */
}

static void
test_events(void **state)
{
    (void)state;
    check_descriptor(&bgpbus__v1__event__descriptor);
}

static void
test_requests(void **state)
{
    (void)state;
    check_descriptor(&bgpbus__v1__request__descriptor);
}

static void
test_replies(void **state)
{
    (void)state;
    check_descriptor(&bgpbus__v1__reply__descriptor);
}

static void
test_empty_and_growing_buffer(void **state)
{
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    struct pbwrite_buf b = { 0 };
    size_t len = 1;
    uint8_t big[100000];
    (void)state;

    /* Nothing set: zero octets, as protobuf-c. */
    assert_non_null(pbwrite_pack(&b, &ev.base, &len));
    assert_int_equal(len, 0);
    /* Larger than the first buffer: grown, then packed whole. */
    memset(big, 0xab, sizeof(big));
    ev.has_raw = 1;
    ev.raw.data = big;
    ev.raw.len = sizeof(big);
    const uint8_t *out = pbwrite_pack(&b, &ev.base, &len);
    assert_non_null(out);
    assert_int_equal(len, protobuf_c_message_get_packed_size(&ev.base));
    Bgpbus__V1__Event *back = bgpbus__v1__event__unpack(NULL, len, out);
    assert_non_null(back);
    assert_int_equal(back->raw.len, sizeof(big));
    assert_memory_equal(back->raw.data, big, sizeof(big));
    bgpbus__v1__event__free_unpacked(back, NULL);
    pbwrite_buf_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_empty_and_growing_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
