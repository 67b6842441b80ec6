/*
 * Per-message bump allocator. Everything decoded from one UPDATE (protobuf-c structs, NLRI,
 * byte copies) comes from one arena and is released by a single arena_reset()/arena_free(), so
 * decoding does no malloc per prefix and cannot leak on an error path.
 */
#ifndef BGPBUS_SPEAKER_ARENA_H
#define BGPBUS_SPEAKER_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* chunk being filled; older chunks follow */
    size_t chunk_size;        /* default size of a new chunk */
    size_t used;              /* bytes handed out since the last reset (statistics) */
    ProtobufCAllocator pb;    /* the same arena, as protobuf-c sees it */
};

void arena_init(struct arena *a, size_t chunk_size);
/* Forgets every allocation but keeps the first chunk for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
/* Returns 16-byte aligned zero-filled memory, or NULL when out of memory (or n overflows). */
void *arena_alloc(struct arena *a, size_t n);
/* n elements of size sz, with the multiplication checked. */
void *arena_calloc(struct arena *a, size_t n, size_t sz);
void *arena_memdup(struct arena *a, const void *src, size_t n);
/* A NUL-terminated copy of n bytes. */
char *arena_strndup(struct arena *a, const char *src, size_t n);

static inline ProtobufCAllocator *
arena_pb(struct arena *a)
{
    return &a->pb;
}

#endif
