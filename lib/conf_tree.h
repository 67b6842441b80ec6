/*
 * conf_tree: the generic shape of an ExaBGP configuration, before any keyword is interpreted.
 *
 * A statement is the words up to ';' (or up to a '}' that closes its block); a block is a header
 * (keyword and arguments) followed by '{' children '}'. Every word keeps its position, so that the
 * typed parsers (conf_neighbor, conf_process) and the route grammar can report file:line:col.
 * All memory belongs to the tree's arena and is released by conf_tree_free().
 */
#ifndef BGPBUS_CONF_TREE_H
#define BGPBUS_CONF_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf_error.h"

struct conf_arena_chunk;

struct conf_arena {
    struct conf_arena_chunk *head;
};

void *conf_arena_alloc(struct conf_arena *arena, size_t size); /* zeroed, NULL on failure */
char *conf_arena_strndup(struct conf_arena *arena, const char *s, size_t len);
void conf_arena_free(struct conf_arena *arena);

struct conf_word {
    const char *text;
    const char *file;
    int line, col;
    bool quoted;
};

struct conf_node {
    struct conf_word *words; /* statement words, or the block header (keyword + arguments) */
    size_t nwords;
    bool block;
    struct conf_node *children; /* blocks only */
    size_t nchildren;
};

struct conf_tree {
    const char *file; /* arena copy of the name given to conf_tree_parse() */
    struct conf_arena arena;
    struct conf_node root; /* a block without header words */
};

/* 0 on success; -1 with err set (the tree is then empty and needs no conf_tree_free()). */
int conf_tree_parse(struct conf_tree *tree, const char *file, const char *text, size_t len,
                    struct conf_error *err);
int conf_tree_parse_file(struct conf_tree *tree, const char *path, struct conf_error *err);
void conf_tree_free(struct conf_tree *tree);

#endif
