/*
 * ExaBGP command-line tokenising (SPEC 1.4): TABs are blanks, `[ ] ( ) ,` are words of their
 * own, runs of blanks separate words. `{ } ;` are split off as well so that the FlowSpec block
 * form (`{ match { source 10.0.0.0/8; } }`) tokenises like the configuration does.
 */
#ifndef BGPBUS_LIB_GRAMMAR_LEX_H
#define BGPBUS_LIB_GRAMMAR_LEX_H

#include <stddef.h>

#include "arena.h"

struct grammar_words {
    const char **w; /* NUL-terminated words, in the arena */
    size_t n;
};

/* Splits line[0..len) into words allocated from the arena. Returns 0, or -1 on out of memory. */
int grammar_tokenize(struct arena *arena, const char *line, size_t len, struct grammar_words *out);

#endif
