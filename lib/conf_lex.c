#include "conf_lex.h"

#include <stdlib.h>
#include <string.h>

void
conf_lex_init(struct conf_lex *lx, const char *file, const char *text, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    lx->file = file;
    lx->p = text;
    lx->end = text + len;
    lx->line = 1;
    lx->col = 1;
}

void
conf_lex_fini(struct conf_lex *lx)
{
    free(lx->buf);
    lx->buf = NULL;
    lx->buf_len = lx->buf_cap = 0;
}

static int
lex_push(struct conf_lex *lx, char c, struct conf_error *err)
{
    if (lx->buf_len + 2 > lx->buf_cap) {
        size_t cap = lx->buf_cap ? lx->buf_cap * 2 : 64;
        char *nb = realloc(lx->buf, cap);

        if (nb == NULL) {
            conf_error_set(err, lx->file, lx->line, lx->col, "out of memory");
            return -1;
        }
        lx->buf = nb;
        lx->buf_cap = cap;
    }
    lx->buf[lx->buf_len++] = c;
    lx->buf[lx->buf_len] = '\0';
    return 0;
}

static void
lex_advance(struct conf_lex *lx)
{
    if (*lx->p == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    lx->p++;
}

static bool
lex_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Single-character words, split like ExaBGP's API line normalisation (SPEC 1.4). */
static bool
lex_is_single(char c)
{
    return c == '[' || c == ']' || c == ',' || c == '(' || c == ')';
}

static bool
lex_ends_word(char c)
{
    return lex_is_space(c) || c == '\n' || c == '#' || c == ';' || c == '{' || c == '}' ||
           lex_is_single(c);
}

/* A backslash followed only by blanks up to the end of the line joins the two lines. */
static bool
lex_at_continuation(const struct conf_lex *lx)
{
    const char *q;

    if (*lx->p != '\\')
        return false;
    for (q = lx->p + 1; q < lx->end && lex_is_space(*q); q++)
        ;
    return q == lx->end || *q == '\n';
}

/* Skips blanks, comments, newlines and continuations; reports whether a line ended. */
static int
lex_skip(struct conf_lex *lx, bool *newline, struct conf_error *err)
{
    while (lx->p < lx->end) {
        char c = *lx->p;

        if (c == '\0') {
            conf_error_set(err, lx->file, lx->line, lx->col, "NUL byte in configuration");
            return -1;
        }
        if (lex_is_space(c)) {
            lex_advance(lx);
        } else if (c == '\n') {
            *newline = true;
            lex_advance(lx);
        } else if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lex_advance(lx);
        } else if (lex_at_continuation(lx)) {
            while (lx->p < lx->end && *lx->p != '\n')
                lex_advance(lx);
            if (lx->p < lx->end)
                lex_advance(lx); /* the newline, which does not end the statement */
        } else {
            break;
        }
    }
    return 0;
}

static int
lex_quoted(struct conf_lex *lx, struct conf_token *tok, struct conf_error *err)
{
    char quote = *lx->p;

    lex_advance(lx);
    for (;;) {
        char c;

        if (lx->p >= lx->end || *lx->p == '\n') {
            conf_error_set(err, lx->file, tok->line, tok->col, "unterminated string, expected %c",
                           quote);
            return -1;
        }
        c = *lx->p;
        if (c == '\0') {
            conf_error_set(err, lx->file, lx->line, lx->col, "NUL byte in configuration");
            return -1;
        }
        if (c == quote) {
            lex_advance(lx);
            break;
        }
        if (c == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n') {
            lex_advance(lx);
            c = *lx->p;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            default: break; /* \\ \" \' and any other character stand for themselves */
            }
        }
        if (lex_push(lx, c, err) < 0)
            return -1;
        lex_advance(lx);
    }
    tok->quoted = true;
    return 0;
}

int
conf_lex_next(struct conf_lex *lx, struct conf_token *tok, struct conf_error *err)
{
    bool newline = false;
    char c;

    if (lex_skip(lx, &newline, err) < 0)
        return -1;

    memset(tok, 0, sizeof(*tok));
    tok->newline_before = newline;
    tok->line = lx->line;
    tok->col = lx->col;
    lx->buf_len = 0;
    if (lex_push(lx, '\0', err) < 0) /* makes buf a valid empty string */
        return -1;
    lx->buf_len = 0;

    if (lx->p >= lx->end) {
        tok->type = CONF_TOK_EOF;
        tok->text = lx->buf;
        tok->end_col = tok->col;
        return 0;
    }

    c = *lx->p;
    if (c == ';' || c == '{' || c == '}') {
        tok->type = c == ';' ? CONF_TOK_SEMI : c == '{' ? CONF_TOK_LBRACE : CONF_TOK_RBRACE;
        if (lex_push(lx, c, err) < 0)
            return -1;
        lex_advance(lx);
    } else if (c == '"' || c == '\'') {
        tok->type = CONF_TOK_WORD;
        if (lex_quoted(lx, tok, err) < 0)
            return -1;
    } else if (lex_is_single(c)) {
        tok->type = CONF_TOK_WORD;
        if (lex_push(lx, c, err) < 0)
            return -1;
        lex_advance(lx);
    } else {
        tok->type = CONF_TOK_WORD;
        while (lx->p < lx->end && !lex_ends_word(*lx->p) && !lex_at_continuation(lx)) {
            if (*lx->p == '\0') {
                conf_error_set(err, lx->file, lx->line, lx->col, "NUL byte in configuration");
                return -1;
            }
            if (lex_push(lx, *lx->p, err) < 0)
                return -1;
            lex_advance(lx);
        }
    }
    tok->text = lx->buf;
    tok->len = lx->buf_len;
    tok->end_col = lx->col;
    return 0;
}
