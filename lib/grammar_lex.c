#include "grammar_lex.h"

#include <string.h>

/* SPEC 1.4: these characters are words of their own, whatever surrounds them. */
static int
grammar_lex_is_single(char ch)
{
    return ch == '[' || ch == ']' || ch == '(' || ch == ')' || ch == ',' || ch == '{' ||
           ch == '}' || ch == ';';
}

static int
grammar_lex_is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

int
grammar_tokenize(struct arena *arena, const char *line, size_t len, struct grammar_words *out)
{
    size_t i, nwords = 0, k = 0;
    char *buf, *p;
    const char **w;

    /* Count first: one allocation for the words, one for the text (each word NUL-ended). */
    for (i = 0; i < len;) {
        if (grammar_lex_is_blank(line[i])) {
            i++;
        } else if (grammar_lex_is_single(line[i])) {
            nwords++;
            i++;
        } else {
            nwords++;
            while (i < len && !grammar_lex_is_blank(line[i]) && !grammar_lex_is_single(line[i]))
                i++;
        }
    }
    out->w = NULL;
    out->n = 0;
    if (nwords == 0)
        return 0;
    w = arena_calloc(arena, nwords, sizeof(*w));
    buf = arena_alloc(arena, len + nwords);
    if (w == NULL || buf == NULL)
        return -1;
    p = buf;
    for (i = 0; i < len;) {
        if (grammar_lex_is_blank(line[i])) {
            i++;
            continue;
        }
        w[k++] = p;
        if (grammar_lex_is_single(line[i])) {
            *p++ = line[i++];
        } else {
            while (i < len && !grammar_lex_is_blank(line[i]) && !grammar_lex_is_single(line[i]))
                *p++ = line[i++];
        }
        *p++ = '\0';
    }
    out->w = w;
    out->n = k;
    return 0;
}
