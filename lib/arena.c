#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes in data[] */
    size_t off;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

static void *
arena_pb_alloc(void *data, size_t n)
{
    return arena_alloc(data, n);
}

static void
arena_pb_free(void *data, void *p)
{
    /* Released with the whole arena. */
    (void)data;
    (void)p;
}

void
arena_init(struct arena *a, size_t chunk_size)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 16384;
    a->used = 0;
    a->pb.alloc = arena_pb_alloc;
    a->pb.free = arena_pb_free;
    a->pb.allocator_data = a;
}

void
arena_reset(struct arena *a)
{
    struct arena_chunk *c, *next;

    if (a->head == NULL)
        return;
    for (c = a->head->next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    a->head->next = NULL;
    memset(a->head->data, 0, a->head->off);
    a->head->off = 0;
    a->used = 0;
}

void
arena_free(struct arena *a)
{
    struct arena_chunk *c, *next;

    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
    a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
    struct arena_chunk *c = a->head;
    size_t need, size;
    void *p;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2 - ARENA_ALIGN - sizeof(struct arena_chunk))
        return NULL;
    need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (c == NULL || c->size - c->off < need) {
        size = need > a->chunk_size ? need : a->chunk_size;
        /* calloc: reset() re-zeroes what it reuses, so every allocation is zero-filled. */
        c = calloc(1, sizeof(*c) + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        if (a->head != NULL && need > a->chunk_size) {
            /* An oversized block goes behind the current chunk, which keeps filling. */
            c->off = need;
            c->next = a->head->next;
            a->head->next = c;
            a->used += need;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->off;
    c->off += need;
    a->used += need;
    return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t sz)
{
    if (sz != 0 && n > SIZE_MAX / sz)
        return NULL;
    return arena_alloc(a, n * sz);
}

void *
arena_memdup(struct arena *a, const void *src, size_t n)
{
    void *p = arena_alloc(a, n);

    if (p != NULL && n > 0)
        memcpy(p, src, n);
    return p;
}

char *
arena_strndup(struct arena *a, const char *src, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = arena_alloc(a, n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, src, n);
    p[n] = '\0';
    return p;
}
