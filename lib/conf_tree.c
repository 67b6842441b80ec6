#include "conf_tree.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_lex.h"

/* Deep enough for every ExaBGP section (neighbor/flow/route/match is 4), shallow enough that a
 * hostile file cannot exhaust the stack. */
#define CONF_TREE_MAX_DEPTH 32
/* A configuration is a few hundred kilobytes at most; refuse what is obviously not one. */
#define CONF_TREE_MAX_FILE  (64u * 1024 * 1024)

struct conf_arena_chunk {
    struct conf_arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

void *
conf_arena_alloc(struct conf_arena *arena, size_t size)
{
    struct conf_arena_chunk *c = arena->head;
    size_t align = sizeof(max_align_t);
    size_t need = (size + align - 1) / align * align;
    void *p;

    if (need < size)
        return NULL;
    if (c == NULL || c->size - c->used < need) {
        size_t chunk = need > 16384 ? need : 16384;

        c = malloc(sizeof(*c) + chunk);
        if (c == NULL)
            return NULL;
        c->used = 0;
        c->size = chunk;
        c->next = arena->head;
        arena->head = c;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    memset(p, 0, size);
    return p;
}

char *
conf_arena_strndup(struct conf_arena *arena, const char *s, size_t len)
{
    char *d;

    if (len == SIZE_MAX)
        return NULL;
    d = conf_arena_alloc(arena, len + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void
conf_arena_free(struct conf_arena *arena)
{
    struct conf_arena_chunk *c = arena->head;

    while (c != NULL) {
        struct conf_arena_chunk *next = c->next;

        free(c);
        c = next;
    }
    arena->head = NULL;
}

/* Growable heap vectors used while one block is read, copied to the arena when it closes. */
struct tree_vec {
    void *items;
    size_t n, cap, size;
};

static int
vec_push(struct tree_vec *v, const void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *ni = realloc(v->items, cap * v->size);

        if (ni == NULL)
            return -1;
        v->items = ni;
        v->cap = cap;
    }
    memcpy((char *)v->items + v->n * v->size, item, v->size);
    v->n++;
    return 0;
}

static void *
vec_to_arena(struct conf_arena *arena, const struct tree_vec *v)
{
    void *p;

    if (v->n == 0)
        return NULL;
    p = conf_arena_alloc(arena, v->n * v->size);
    if (p != NULL)
        memcpy(p, v->items, v->n * v->size);
    return p;
}

struct tree_parser {
    struct conf_tree *tree;
    struct conf_lex lx;
    struct conf_error *err;
};

static int
tree_oom(struct tree_parser *tp)
{
    conf_error_set(tp->err, tp->tree->file, tp->lx.line, tp->lx.col, "out of memory");
    return -1;
}

static int
tree_words_to_node(struct tree_parser *tp, struct tree_vec *words, struct conf_node *node)
{
    node->nwords = words->n;
    node->words = vec_to_arena(&tp->tree->arena, words);
    if (words->n > 0 && node->words == NULL)
        return tree_oom(tp);
    words->n = 0;
    return 0;
}

/*
 * Reads the children of one block up to its '}' (or to the end of the file for the root).
 * ExaBGP requires a statement to end on its own line (or be continued with a backslash); a word
 * on a new line while a statement is still open is therefore a missing ';', reported where the
 * ';' should have been rather than as a confusing error about the merged statement.
 */
static int
tree_parse_block(struct tree_parser *tp, struct conf_node *block, int depth, int open_line,
                 int open_col)
{
    struct tree_vec words = { .size = sizeof(struct conf_word) };
    struct tree_vec children = { .size = sizeof(struct conf_node) };
    struct conf_token tok;
    int last_line = 0, last_end = 0;
    int rc = -1;

    for (;;) {
        struct conf_node node;

        if (conf_lex_next(&tp->lx, &tok, tp->err) < 0)
            goto out;

        if (tok.type == CONF_TOK_WORD) {
            struct conf_word w;

            if (words.n > 0 && tok.newline_before) {
                conf_error_set(tp->err, tp->tree->file, last_line, last_end,
                               "expected ';' or '{' at the end of the line, after '%s'",
                               ((struct conf_word *)words.items)[words.n - 1].text);
                goto out;
            }
            w.text = conf_arena_strndup(&tp->tree->arena, tok.text, tok.len);
            if (w.text == NULL) {
                tree_oom(tp);
                goto out;
            }
            w.file = tp->tree->file;
            w.line = tok.line;
            w.col = tok.col;
            w.quoted = tok.quoted;
            if (vec_push(&words, &w) < 0) {
                tree_oom(tp);
                goto out;
            }
            last_line = tok.line;
            last_end = tok.end_col;
            continue;
        }

        if (tok.type == CONF_TOK_LBRACE) {
            if (words.n == 0) {
                conf_error_set(tp->err, tp->tree->file, tok.line, tok.col,
                               "expected a section name before '{'");
                goto out;
            }
            if (depth + 1 > CONF_TREE_MAX_DEPTH) {
                conf_error_set(tp->err, tp->tree->file, tok.line, tok.col,
                               "sections nested more than %d deep", CONF_TREE_MAX_DEPTH);
                goto out;
            }
            memset(&node, 0, sizeof(node));
            node.block = true;
            if (tree_words_to_node(tp, &words, &node) < 0 ||
                tree_parse_block(tp, &node, depth + 1, tok.line, tok.col) < 0)
                goto out;
            if (vec_push(&children, &node) < 0) {
                tree_oom(tp);
                goto out;
            }
            continue;
        }

        /* ';', '}' and the end of the file close the pending statement, if any. ExaBGP drops a
         * statement closed by '}' without ';'; keeping it is what the author meant. */
        if (words.n > 0) {
            memset(&node, 0, sizeof(node));
            if (tree_words_to_node(tp, &words, &node) < 0)
                goto out;
            if (vec_push(&children, &node) < 0) {
                tree_oom(tp);
                goto out;
            }
        }
        if (tok.type == CONF_TOK_SEMI)
            continue;
        if (tok.type == CONF_TOK_RBRACE) {
            if (depth == 0) {
                conf_error_set(tp->err, tp->tree->file, tok.line, tok.col,
                               "'}' without a section to close");
                goto out;
            }
            break;
        }
        /* CONF_TOK_EOF */
        if (depth > 0) {
            conf_error_set(tp->err, tp->tree->file, tok.line, tok.col,
                           "expected '}' to close the section opened at line %d column %d",
                           open_line, open_col);
            goto out;
        }
        break;
    }

    block->nchildren = children.n;
    block->children = vec_to_arena(&tp->tree->arena, &children);
    if (children.n > 0 && block->children == NULL) {
        tree_oom(tp);
        goto out;
    }
    rc = 0;
out:
    free(words.items);
    free(children.items);
    return rc;
}

int
conf_tree_parse(struct conf_tree *tree, const char *file, const char *text, size_t len,
                struct conf_error *err)
{
    struct tree_parser tp = { .tree = tree, .err = err };
    int rc;

    memset(tree, 0, sizeof(*tree));
    if (file == NULL)
        file = "<text>";
    tree->file = conf_arena_strndup(&tree->arena, file, strlen(file));
    if (tree->file == NULL) {
        conf_error_set(err, file, 0, 0, "out of memory");
        return -1;
    }
    tree->root.block = true;
    conf_lex_init(&tp.lx, tree->file, text, len);
    rc = tree_parse_block(&tp, &tree->root, 0, 0, 0);
    conf_lex_fini(&tp.lx);
    if (rc < 0)
        conf_tree_free(tree);
    return rc;
}

int
conf_tree_parse_file(struct conf_tree *tree, const char *path, struct conf_error *err)
{
    FILE *f;
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc;

    memset(tree, 0, sizeof(*tree));
    f = fopen(path, "r");
    if (f == NULL) {
        conf_error_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;

        if (cap - len < 4096) {
            char *nt;

            cap = cap ? cap * 2 : 16384;
            if (cap > CONF_TREE_MAX_FILE) {
                conf_error_set(err, path, 0, 0, "larger than %u bytes", CONF_TREE_MAX_FILE);
                goto fail;
            }
            nt = realloc(text, cap);
            if (nt == NULL) {
                conf_error_set(err, path, 0, 0, "out of memory");
                goto fail;
            }
            text = nt;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                conf_error_set(err, path, 0, 0, "read error");
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    rc = conf_tree_parse(tree, path, text != NULL ? text : "", len, err);
    free(text);
    return rc;
fail:
    fclose(f);
    free(text);
    return -1;
}

void
conf_tree_free(struct conf_tree *tree)
{
    conf_arena_free(&tree->arena);
    memset(tree, 0, sizeof(*tree));
}
