/*
 * A bump allocator for protobuf-c messages built by the library (the text grammar above all):
 * every struct of a parsed batch comes from one arena and is released at once with
 * pb_arena_reset()/pb_arena_free(), so parsing does no malloc per word and cannot leak on an
 * error path. Messages built here must never be passed to protobuf_c_message_free_unpacked()
 * with another allocator. (The speaker has its own arena: lib/ does not include speaker/.)
 */
#ifndef BGPBUS_LIB_PB_ARENA_H
#define BGPBUS_LIB_PB_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

struct pb_arena_chunk;

struct pb_arena {
    struct pb_arena_chunk *head; /* chunk being filled; older chunks follow */
    size_t chunk_size;           /* default size of a new chunk */
    size_t used;                 /* bytes handed out since the last reset */
    ProtobufCAllocator pb;       /* the same arena, as protobuf-c sees it (free is a no-op) */
};

void pb_arena_init(struct pb_arena *a, size_t chunk_size);
/* Forgets every allocation; keeps the newest chunk for reuse. */
void pb_arena_reset(struct pb_arena *a);
void pb_arena_free(struct pb_arena *a);
/* 16-byte aligned, zero-filled memory, or NULL when out of memory (or n overflows). */
void *pb_arena_alloc(struct pb_arena *a, size_t n);
/* n elements of size sz, the multiplication checked. */
void *pb_arena_calloc(struct pb_arena *a, size_t n, size_t sz);
void *pb_arena_memdup(struct pb_arena *a, const void *src, size_t n);
/* A NUL-terminated copy of n bytes. */
char *pb_arena_strndup(struct pb_arena *a, const char *src, size_t n);

#endif
