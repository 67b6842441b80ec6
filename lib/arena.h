/*
 * A bump allocator, the one every part uses for short-lived protobuf-c messages: a parsed batch
 * of command lines (lib/grammar), a decoded UPDATE and the Event built around it (speaker), a
 * Reply. Everything allocated is released at once with arena_reset()/arena_free(), so there is
 * no malloc per word or per prefix and nothing can leak on an error path. Messages built here
 * must never be passed to protobuf_c_message_free_unpacked() with another allocator.
 */
#ifndef BGPBUS_LIB_ARENA_H
#define BGPBUS_LIB_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* chunk being filled; older chunks follow */
    size_t chunk_size;        /* default size of a new chunk */
    size_t used;              /* bytes handed out since the last reset */
    ProtobufCAllocator pb;    /* the same arena, as protobuf-c sees it (free is a no-op) */
};

void arena_init(struct arena *a, size_t chunk_size);
/* Forgets every allocation; keeps the newest chunk for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);
/* 16-byte aligned, zero-filled memory, or NULL when out of memory (or n overflows). */
void *arena_alloc(struct arena *a, size_t n);
/* n elements of size sz, the multiplication checked. */
void *arena_calloc(struct arena *a, size_t n, size_t sz);
void *arena_memdup(struct arena *a, const void *src, size_t n);
/* A NUL-terminated copy of n bytes. */
char *arena_strndup(struct arena *a, const char *src, size_t n);

/* The same arena, as protobuf-c's unpack functions take it. */
static inline ProtobufCAllocator *
arena_pb(struct arena *a)
{
    return &a->pb;
}

#endif
