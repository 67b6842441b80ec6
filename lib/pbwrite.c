/* pbwrite.c: one-pass protobuf packing from the end of a buffer (see pbwrite.h). */
#include "pbwrite.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The write position moves down from the end; pos < start means the buffer was too small. */
struct pbw {
    uint8_t *start;
    uint8_t *pos;
    bool full;
};

static bool
pbw_room(struct pbw *w, size_t n)
{
    if (w->full || (size_t)(w->pos - w->start) < n) {
        w->full = true;
        return false;
    }
    return true;
}

static void
put_bytes(struct pbw *w, const void *p, size_t n)
{
    if (n == 0 || !pbw_room(w, n))
        return;
    w->pos -= n;
    memcpy(w->pos, p, n);
}

static void
put_varint(struct pbw *w, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;

    if (v < 0x80) { /* most tags and lengths: one octet */
        if (pbw_room(w, 1))
            *--w->pos = (uint8_t)v;
        return;
    }

    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | 0x80);
        v >>= 7;
    } while (v);
    tmp[n - 1] &= 0x7f;
    put_bytes(w, tmp, n);
}

static void
put_fixed32(struct pbw *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put_bytes(w, b, 4);
}

static void
put_fixed64(struct pbw *w, uint64_t v)
{
    put_fixed32(w, (uint32_t)(v >> 32));
    put_fixed32(w, (uint32_t)v);
}

static void
put_tag(struct pbw *w, uint32_t id, ProtobufCWireType wt)
{
    put_varint(w, ((uint64_t)id << 3) | (uint64_t)wt);
}

/* protobuf-c writes a negative int32 (and enum) as a 10-octet varint of its 64-bit value. */
static uint64_t
int32_wire(int32_t v)
{
    return (uint64_t)(int64_t)v;
}

static ProtobufCWireType
wire_type(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT: return PROTOBUF_C_WIRE_TYPE_32BIT;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return PROTOBUF_C_WIRE_TYPE_64BIT;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE: return PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    default: return PROTOBUF_C_WIRE_TYPE_VARINT;
    }
}

static void put_message(struct pbw *w, const ProtobufCMessage *m);

/* One value of a scalar type, without its tag (also the element of a packed array). */
static void
put_scalar(struct pbw *w, ProtobufCType t, const void *v)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_ENUM: put_varint(w, int32_wire(*(const int32_t *)v)); break;
    case PROTOBUF_C_TYPE_SINT32: {
        int32_t x = *(const int32_t *)v;
        put_varint(w, ((uint32_t)x << 1) ^ (uint32_t)(x >> 31));
        break;
    }
    case PROTOBUF_C_TYPE_UINT32: put_varint(w, *(const uint32_t *)v); break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64: put_varint(w, *(const uint64_t *)v); break;
    case PROTOBUF_C_TYPE_SINT64: {
        int64_t x = *(const int64_t *)v;
        put_varint(w, ((uint64_t)x << 1) ^ (uint64_t)(x >> 63));
        break;
    }
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT: {
        uint32_t x;
        memcpy(&x, v, 4);
        put_fixed32(w, x);
        break;
    }
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: {
        uint64_t x;
        memcpy(&x, v, 8);
        put_fixed64(w, x);
        break;
    }
    case PROTOBUF_C_TYPE_BOOL: put_varint(w, *(const protobuf_c_boolean *)v ? 1 : 0); break;
    default: break;
    }
}

/* One field value with its tag; a NULL string or message packs as empty, as in protobuf-c. */
static void
put_field(struct pbw *w, const ProtobufCFieldDescriptor *f, const void *member)
{
    uint8_t *end = w->pos;

    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)member;
        size_t n = s ? strlen(s) : 0;
        put_bytes(w, s, n);
        put_varint(w, n);
        break;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = member;
        put_bytes(w, b->data, b->len);
        put_varint(w, b->len);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)member;
        if (sub)
            put_message(w, sub);
        put_varint(w, w->full ? 0 : (uint64_t)(end - w->pos));
        break;
    }
    default: put_scalar(w, f->type, member); break;
    }
    put_tag(w, f->id, wire_type(f->type));
}

static size_t
type_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM: return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* Elements last first, so that they read in order; packed arrays under one tag and length. */
static void
put_repeated(struct pbw *w, const ProtobufCFieldDescriptor *f, size_t count, const void *member)
{
    const char *arr = *(char *const *)member;
    size_t sz = type_size(f->type);

    if (count == 0)
        return;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) {
        uint8_t *end = w->pos;
        for (size_t i = count; i-- > 0;)
            put_scalar(w, f->type, arr + i * sz);
        put_varint(w, w->full ? 0 : (uint64_t)(end - w->pos));
        put_tag(w, f->id, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
        return;
    }
    for (size_t i = count; i-- > 0;)
        put_field(w, f, arr + i * sz);
}

/* Whether protobuf-c packs a field outside a repeated label (its presence rules). */
static bool
field_present(const ProtobufCFieldDescriptor *f, const void *member, const void *qmember)
{
    bool pointer = f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING;
    const void *ptr = pointer ? *(const void *const *)member : NULL;

    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return true;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        if (*(const uint32_t *)qmember != f->id)
            return false;
        return !pointer || (ptr != NULL && ptr != f->default_value);
    }
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
        if (pointer)
            return ptr != NULL && ptr != f->default_value;
        return *(const protobuf_c_boolean *)qmember != 0;
    }
    /* PROTOBUF_C_LABEL_NONE (proto3 without presence): packed unless zero or empty. */
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: return ptr != NULL && *(const char *)ptr != '\0';
    case PROTOBUF_C_TYPE_MESSAGE: return ptr != NULL;
    case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)member)->data != NULL;
    default: {
        static const uint8_t zero[8];
        return memcmp(member, zero, type_size(f->type)) != 0;
    }
    }
}

static void
put_message(struct pbw *w, const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const char *base = (const char *)m;

    for (size_t i = m->n_unknown_fields; i-- > 0;) {
        const ProtobufCMessageUnknownField *u = &m->unknown_fields[i];
        put_bytes(w, u->data, u->len);
        put_tag(w, u->tag, u->wire_type);
    }
    for (unsigned i = d->n_fields; i-- > 0 && !w->full;) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const void *member = base + f->offset;
        const void *qmember = base + f->quantifier_offset;

        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            put_repeated(w, f, *(const size_t *)qmember, member);
        else if (field_present(f, member, qmember))
            put_field(w, f, member);
    }
}

size_t
pbwrite_pack_end(const ProtobufCMessage *m, uint8_t *buf, size_t cap)
{
    struct pbw w = { .start = buf, .pos = buf + cap, .full = false };

    put_message(&w, m);
    return w.full ? SIZE_MAX : (size_t)(buf + cap - w.pos);
}

const uint8_t *
pbwrite_pack(struct pbwrite_buf *b, const ProtobufCMessage *m, size_t *len)
{
    for (;;) {
        if (b->cap > 0) {
            size_t n = pbwrite_pack_end(m, b->mem, b->cap);
            if (n != SIZE_MAX) {
                *len = n;
                return b->mem + b->cap - n;
            }
        }
        /* Too small: twice the size (at least 64 KiB) and once more from the start. */
        size_t cap = b->cap ? b->cap * 2 : 65536;
        if (cap < b->cap)
            return NULL;
        uint8_t *nb = realloc(b->mem, cap);
        if (!nb)
            return NULL;
        b->mem = nb;
        b->cap = cap;
    }
}

void
pbwrite_buf_free(struct pbwrite_buf *b)
{
    free(b->mem);
    b->mem = NULL;
    b->cap = 0;
}
