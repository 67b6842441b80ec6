/*
 * Bounds-checked access to BGP wire data.
 *
 * Every byte read from the network goes through a struct wire_rd: a reader cannot step past its
 * end, and multi-octet integers are assembled from bytes (network order, no unaligned loads).
 * A struct wire_wr writes into a fixed buffer (sticky overflow flag) or a growable heap buffer.
 */
#ifndef BGPBUS_SPEAKER_WIRE_H
#define BGPBUS_SPEAKER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire_rd {
    const uint8_t *p;
    const uint8_t *end;
};

static inline void
wire_rd_init(struct wire_rd *r, const uint8_t *buf, size_t len)
{
    r->p = buf;
    r->end = buf + len;
}

static inline size_t
wire_rd_left(const struct wire_rd *r)
{
    return (size_t)(r->end - r->p);
}

static inline bool
wire_get_u8(struct wire_rd *r, uint8_t *v)
{
    if (r->p >= r->end)
        return false;
    *v = *r->p++;
    return true;
}

static inline bool
wire_get_u16(struct wire_rd *r, uint16_t *v)
{
    if (wire_rd_left(r) < 2)
        return false;
    *v = (uint16_t)((uint16_t)r->p[0] << 8 | r->p[1]);
    r->p += 2;
    return true;
}

static inline bool
wire_get_u32(struct wire_rd *r, uint32_t *v)
{
    if (wire_rd_left(r) < 4)
        return false;
    *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    return true;
}

static inline bool
wire_get_bytes(struct wire_rd *r, void *dst, size_t n)
{
    if (wire_rd_left(r) < n)
        return false;
    if (n > 0)
        memcpy(dst, r->p, n);
    r->p += n;
    return true;
}

/* Points *out at the next n bytes without copying them. */
static inline bool
wire_get_ref(struct wire_rd *r, size_t n, const uint8_t **out)
{
    if (wire_rd_left(r) < n)
        return false;
    *out = r->p;
    r->p += n;
    return true;
}

/* Splits off the next n bytes as their own reader (a length-prefixed field). */
static inline bool
wire_get_sub(struct wire_rd *r, size_t n, struct wire_rd *sub)
{
    const uint8_t *p;

    if (!wire_get_ref(r, n, &p))
        return false;
    wire_rd_init(sub, p, n);
    return true;
}

static inline bool
wire_skip(struct wire_rd *r, size_t n)
{
    if (wire_rd_left(r) < n)
        return false;
    r->p += n;
    return true;
}

static inline uint16_t
wire_load_u16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
wire_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
wire_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
wire_store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

struct wire_wr {
    uint8_t *buf;
    size_t len;
    size_t cap;
    bool growable; /* buf is ours (malloc/realloc) */
    bool overflow; /* sticky: a write did not fit (fixed) or allocation failed (growable) */
};

/* Writes into caller-owned storage; a write that does not fit sets overflow and writes nothing. */
void wire_wr_init_fixed(struct wire_wr *w, uint8_t *buf, size_t cap);
/* Writes into a heap buffer that grows on demand; free it with wire_wr_free(). */
void wire_wr_init_dyn(struct wire_wr *w, size_t initial);
void wire_wr_free(struct wire_wr *w);
void wire_wr_reset(struct wire_wr *w);

/* Makes room for n more bytes and returns where they go, or NULL (overflow set). */
uint8_t *wire_wr_reserve(struct wire_wr *w, size_t n);

void wire_put_u8(struct wire_wr *w, uint8_t v);
void wire_put_u16(struct wire_wr *w, uint16_t v);
void wire_put_u32(struct wire_wr *w, uint32_t v);
void wire_put_bytes(struct wire_wr *w, const void *src, size_t n);
/* Overwrites a 16-bit field written earlier (a length known only afterwards). */
void wire_patch_u16(struct wire_wr *w, size_t off, uint16_t v);
void wire_patch_u8(struct wire_wr *w, size_t off, uint8_t v);

static inline bool
wire_wr_ok(const struct wire_wr *w)
{
    return !w->overflow;
}

#endif
