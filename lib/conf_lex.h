/*
 * conf_lex: tokenizer for ExaBGP configuration files.
 *
 * Structure tokens are ';' '{' '}'. Everything else is a word: a run of characters, a quoted string
 * ("..." or '...', with \\ \" \' \n \t \r escapes), or one of the single-character words
 * '[' ']' ',' '(' ')', split out exactly as ExaBGP normalises an API command line, so that the
 * route grammar sees the same words from a file and from a helper. '#' starts a comment up to the
 * end of the line; a backslash at the end of a line joins it to the next (ExaBGP's continuation).
 */
#ifndef BGPBUS_CONF_LEX_H
#define BGPBUS_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "conf_error.h"

enum conf_tok_type {
    CONF_TOK_EOF = 0,
    CONF_TOK_WORD,
    CONF_TOK_SEMI,
    CONF_TOK_LBRACE,
    CONF_TOK_RBRACE,
};

struct conf_token {
    enum conf_tok_type type;
    const char *text; /* NUL-terminated; valid until the next conf_lex_next() */
    size_t len;
    int line, col;       /* 1-based position of the first character */
    int end_col;         /* column just after the token (for "expected ';' here") */
    bool quoted;         /* the word was a quoted string */
    bool newline_before; /* a line ended between the previous token and this one */
};

struct conf_lex {
    const char *file;
    const char *p, *end;
    int line, col;
    char *buf; /* text of the current token */
    size_t buf_len, buf_cap;
};

void conf_lex_init(struct conf_lex *lx, const char *file, const char *text, size_t len);
void conf_lex_fini(struct conf_lex *lx);

/* 0 and a token (CONF_TOK_EOF at the end), or -1 with err set. */
int conf_lex_next(struct conf_lex *lx, struct conf_token *tok, struct conf_error *err);

#endif
