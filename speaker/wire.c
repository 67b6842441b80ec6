#include "wire.h"

#include <stdlib.h>

void
wire_wr_init_fixed(struct wire_wr *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->len = 0;
    w->cap = cap;
    w->growable = false;
    w->overflow = false;
}

void
wire_wr_init_dyn(struct wire_wr *w, size_t initial)
{
    w->buf = NULL;
    w->len = 0;
    w->cap = 0;
    w->growable = true;
    w->overflow = false;
    if (initial > 0) {
        w->buf = malloc(initial);
        if (w->buf == NULL)
            w->overflow = true;
        else
            w->cap = initial;
    }
}

void
wire_wr_free(struct wire_wr *w)
{
    if (w->growable)
        free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

void
wire_wr_reset(struct wire_wr *w)
{
    w->len = 0;
    w->overflow = false;
}

uint8_t *
wire_wr_reserve(struct wire_wr *w, size_t n)
{
    uint8_t *p;

    if (w->overflow)
        return NULL;
    if (n > w->cap - w->len) {
        size_t ncap;
        uint8_t *nbuf;

        if (!w->growable || n > SIZE_MAX / 2 - w->len) {
            w->overflow = true;
            return NULL;
        }
        ncap = w->cap ? w->cap : 256;
        while (ncap - w->len < n)
            ncap *= 2;
        nbuf = realloc(w->buf, ncap);
        if (nbuf == NULL) {
            w->overflow = true;
            return NULL;
        }
        w->buf = nbuf;
        w->cap = ncap;
    }
    p = w->buf + w->len;
    w->len += n;
    return p;
}

void
wire_put_u8(struct wire_wr *w, uint8_t v)
{
    uint8_t *p = wire_wr_reserve(w, 1);

    if (p != NULL)
        p[0] = v;
}

void
wire_put_u16(struct wire_wr *w, uint16_t v)
{
    uint8_t *p = wire_wr_reserve(w, 2);

    if (p != NULL)
        wire_store_u16(p, v);
}

void
wire_put_u32(struct wire_wr *w, uint32_t v)
{
    uint8_t *p = wire_wr_reserve(w, 4);

    if (p != NULL)
        wire_store_u32(p, v);
}

void
wire_put_bytes(struct wire_wr *w, const void *src, size_t n)
{
    uint8_t *p;

    if (n == 0)
        return;
    p = wire_wr_reserve(w, n);
    if (p != NULL)
        memcpy(p, src, n);
}

void
wire_patch_u16(struct wire_wr *w, size_t off, uint16_t v)
{
    if (w->overflow || off + 2 > w->len)
        return;
    wire_store_u16(w->buf + off, v);
}

void
wire_patch_u8(struct wire_wr *w, size_t off, uint8_t v)
{
    if (w->overflow || off + 1 > w->len)
        return;
    w->buf[off] = v;
}
