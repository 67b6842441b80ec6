#include "conf_load.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load_vec {
    void *items;
    size_t n, cap, size;
};

static void *
vec_add(struct load_vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *ni = realloc(v->items, cap * v->size);

        if (ni == NULL)
            return NULL;
        v->items = ni;
        v->cap = cap;
    }
    memset((char *)v->items + v->n * v->size, 0, v->size);
    return (char *)v->items + v->n++ * v->size;
}

/* Template resolution state, parallel to the templates array. */
enum tmpl_state { TMPL_NEW, TMPL_VISITING, TMPL_DONE };

struct loader {
    struct conf *conf;
    unsigned flags;
    struct conf_error *err;
    struct load_vec neighbors, processes, templates;
    enum tmpl_state *tmpl_state;
};

/* A 3.x group's own options, and the group it is nested in. */
struct group_ctx {
    const struct conf_neighbor *opts;
    const struct group_ctx *parent;
};

static int
load_fail(struct loader *ld, const struct conf_word *w, const char *fmt, const char *a)
{
    char msg[CONF_ERROR_MSG_MAX];

    snprintf(msg, sizeof(msg), fmt, a != NULL ? a : "");
    conf_error_set(ld->err, w->file, w->line, w->col, "%s", msg);
    return -1;
}

static bool
load_name_ok(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            return false;
    return true;
}

static struct conf_neighbor *
load_template(struct loader *ld, const char *name, size_t *index)
{
    struct conf_neighbor *t = ld->templates.items;

    for (size_t i = 0; i < ld->templates.n; i++) {
        if (strcmp(t[i].name, name) == 0) {
            if (index != NULL)
                *index = i;
            return &t[i];
        }
    }
    return NULL;
}

static int
load_process(struct loader *ld, const struct conf_node *block)
{
    struct conf_process *p, *all = ld->processes.items;
    struct conf_process proc;

    if (conf_process_parse(&ld->conf->tree.arena, block, &proc, ld->err) < 0)
        return -1;
    for (size_t i = 0; i < ld->processes.n; i++)
        if (strcmp(all[i].name, proc.name) == 0)
            return load_fail(ld, &block->words[1], "a process called '%s' already exists",
                             proc.name);
    if (ld->flags & CONF_LOAD_RESOLVE_PROGRAMS) {
        char path[PATH_MAX];

        if (conf_process_resolve(&proc, ld->conf->tree.file, path, sizeof(path), ld->err) < 0)
            return -1;
        proc.argv[0] = conf_arena_strndup(&ld->conf->tree.arena, path, strlen(path));
        if (proc.argv[0] == NULL)
            return load_fail(ld, &block->words[0], "out of memory%s", NULL);
    }
    p = vec_add(&ld->processes);
    if (p == NULL)
        return load_fail(ld, &block->words[0], "out of memory%s", NULL);
    *p = proc;
    return 0;
}

/* template { neighbor NAME { ... } ... } */
static int
load_templates(struct loader *ld, const struct conf_node *block)
{
    if (block->nwords > 1)
        return load_fail(ld, &block->words[1], "unexpected '%s' after 'template'",
                         block->words[1].text);
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];
        struct conf_neighbor *t;

        if (!c->block || strcmp(c->words[0].text, "neighbor") != 0)
            return load_fail(ld, &c->words[0],
                             "unexpected '%s' in template, expected a section neighbor NAME { }",
                             c->words[0].text);
        if (c->nwords != 2)
            return load_fail(ld, &c->words[0], "expected 'neighbor NAME' in template%s", NULL);
        if (!load_name_ok(c->words[1].text))
            return load_fail(ld, &c->words[1], "invalid character in template name '%s'",
                             c->words[1].text);
        if (load_template(ld, c->words[1].text, NULL) != NULL)
            return load_fail(ld, &c->words[1], "a template called '%s' already exists",
                             c->words[1].text);
        t = vec_add(&ld->templates);
        if (t == NULL)
            return load_fail(ld, &c->words[0], "out of memory%s", NULL);
        t->name = c->words[1].text;
        if (conf_neighbor_parse(&ld->conf->tree.arena, c, t, ld->err) < 0)
            return -1;
    }
    return 0;
}

static int load_resolve_template(struct loader *ld, size_t index);

/* Applies nb's `inherit` list, first listed first (so it wins over later ones). */
static int
load_apply_inherit(struct loader *ld, struct conf_neighbor *nb)
{
    for (size_t i = 0; i < nb->ninherit; i++) {
        size_t index;
        const struct conf_neighbor *t = load_template(ld, nb->inherit[i].text, &index);

        if (t == NULL)
            return load_fail(ld, &nb->inherit[i], "unknown template '%s'", nb->inherit[i].text);
        if (load_resolve_template(ld, index) < 0)
            return -1;
        /* the templates array does not move during resolution: no template is added now */
        t = &((struct conf_neighbor *)ld->templates.items)[index];
        if (conf_neighbor_inherit(&ld->conf->tree.arena, nb, t, ld->err) < 0)
            return -1;
    }
    return 0;
}

static int
load_resolve_template(struct loader *ld, size_t index)
{
    struct conf_neighbor *t = &((struct conf_neighbor *)ld->templates.items)[index];

    if (ld->tmpl_state[index] == TMPL_DONE)
        return 0;
    if (ld->tmpl_state[index] == TMPL_VISITING)
        return load_fail(ld, &t->at, "template '%s' inherits from itself", t->name);
    ld->tmpl_state[index] = TMPL_VISITING;
    if (load_apply_inherit(ld, t) < 0)
        return -1;
    ld->tmpl_state[index] = TMPL_DONE;
    return 0;
}

static int
load_neighbor(struct loader *ld, const struct conf_node *block, const struct group_ctx *group)
{
    struct conf_neighbor nb = { 0 };
    struct conf_neighbor *all = ld->neighbors.items, *slot;

    if (block->nwords != 2)
        return load_fail(ld, block->nwords < 2 ? &block->words[0] : &block->words[2],
                         block->nwords < 2 ? "'neighbor' expects an IP address%s"
                                           : "unexpected '%s' after the neighbor address",
                         block->nwords < 2 ? NULL : block->words[2].text);
    nb.name = block->words[1].text;
    if (conf_neighbor_parse(&ld->conf->tree.arena, block, &nb, ld->err) < 0)
        return -1;
    if (conf_neighbor_parse_peer(&block->words[1], &nb.peer_address, ld->err) < 0)
        return -1;
    if (load_apply_inherit(ld, &nb) < 0)
        return -1;
    for (; group != NULL; group = group->parent)
        if (conf_neighbor_inherit(&ld->conf->tree.arena, &nb, group->opts, ld->err) < 0)
            return -1;
    if (conf_neighbor_finish(&nb, ld->err) < 0)
        return -1;
    for (size_t i = 0; i < ld->neighbors.n; i++) {
        if (conf_neighbor_same_peer(&all[i], &nb)) {
            char msg[64];

            snprintf(msg, sizeof(msg), "line %d", all[i].at.line);
            conf_error_set(ld->err, nb.at.file, nb.at.line, nb.at.col,
                           "duplicate neighbor %s (already defined at %s)", nb.name, msg);
            return -1;
        }
    }
    slot = vec_add(&ld->neighbors);
    if (slot == NULL)
        return load_fail(ld, &block->words[0], "out of memory%s", NULL);
    *slot = nb;
    return 0;
}

/* group NAME { <neighbor options>; neighbor ADDRESS { } group NAME { } } (ExaBGP 3.x) */
static int
load_group(struct loader *ld, const struct conf_node *block, const struct group_ctx *parent)
{
    struct conf_neighbor opts = { 0 };
    struct group_ctx ctx = { .opts = &opts, .parent = parent };

    if (block->nwords != 2)
        return load_fail(ld, &block->words[0], "expected 'group NAME {'%s", NULL);
    opts.name = block->words[1].text;
    opts.at = block->words[0];
    opts.outgoing_ttl = opts.incoming_ttl = -1;
    opts.capability.graceful_restart = -1;
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];

        if (c->block &&
            (strcmp(c->words[0].text, "neighbor") == 0 || strcmp(c->words[0].text, "group") == 0))
            continue;
        if (conf_neighbor_parse_item(&ld->conf->tree.arena, c, &opts, ld->err) < 0)
            return -1;
    }
    if (load_apply_inherit(ld, &opts) < 0)
        return -1;
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];

        if (c->block && strcmp(c->words[0].text, "neighbor") == 0) {
            if (load_neighbor(ld, c, &ctx) < 0)
                return -1;
        } else if (c->block && strcmp(c->words[0].text, "group") == 0) {
            if (load_group(ld, c, &ctx) < 0)
                return -1;
        }
    }
    return 0;
}

static int
load_check_api(struct loader *ld)
{
    const struct conf_neighbor *all = ld->neighbors.items;
    const struct conf_process *procs = ld->processes.items;

    for (size_t i = 0; i < ld->neighbors.n; i++) {
        for (size_t a = 0; a < all[i].napi; a++) {
            for (size_t p = 0; p < all[i].api[a].nprocesses; p++) {
                const struct conf_word *w = &all[i].api[a].processes[p];
                bool found = false;

                for (size_t k = 0; k < ld->processes.n && !found; k++)
                    found = strcmp(procs[k].name, w->text) == 0;
                if (!found)
                    return load_fail(
                        ld, w, "unknown process '%s' (no process section has this name)", w->text);
            }
        }
    }
    return 0;
}

static void *
load_to_arena(struct loader *ld, const struct load_vec *v)
{
    void *p;

    if (v->n == 0)
        return NULL;
    p = conf_arena_alloc(&ld->conf->tree.arena, v->n * v->size);
    if (p != NULL)
        memcpy(p, v->items, v->n * v->size);
    return p;
}

static int
load_root(struct loader *ld)
{
    const struct conf_node *root = &ld->conf->tree.root;

    /* Pass 1: processes and templates, so that neighbors may use those declared after them. */
    for (size_t i = 0; i < root->nchildren; i++) {
        const struct conf_node *c = &root->children[i];
        const char *kw = c->words[0].text;

        if (c->block && strcmp(kw, "process") == 0) {
            if (load_process(ld, c) < 0)
                return -1;
        } else if (c->block && strcmp(kw, "template") == 0) {
            if (load_templates(ld, c) < 0)
                return -1;
        } else if (!c->block || (strcmp(kw, "neighbor") != 0 && strcmp(kw, "group") != 0)) {
            return load_fail(ld, &c->words[0],
                             "unknown keyword '%s', expected a section process, neighbor, "
                             "template or group",
                             kw);
        }
    }
    if (ld->templates.n > 0) {
        ld->tmpl_state = calloc(ld->templates.n, sizeof(*ld->tmpl_state));
        if (ld->tmpl_state == NULL)
            return load_fail(ld, &root->children[0].words[0], "out of memory%s", NULL);
    }
    for (size_t i = 0; i < ld->templates.n; i++)
        if (load_resolve_template(ld, i) < 0)
            return -1;

    /* Pass 2: neighbors, in file order. */
    for (size_t i = 0; i < root->nchildren; i++) {
        const struct conf_node *c = &root->children[i];

        if (strcmp(c->words[0].text, "neighbor") == 0) {
            if (load_neighbor(ld, c, NULL) < 0)
                return -1;
        } else if (strcmp(c->words[0].text, "group") == 0) {
            if (load_group(ld, c, NULL) < 0)
                return -1;
        }
    }
    if (load_check_api(ld) < 0)
        return -1;

    ld->conf->neighbors = load_to_arena(ld, &ld->neighbors);
    ld->conf->processes = load_to_arena(ld, &ld->processes);
    ld->conf->templates = load_to_arena(ld, &ld->templates);
    if ((ld->neighbors.n > 0 && ld->conf->neighbors == NULL) ||
        (ld->processes.n > 0 && ld->conf->processes == NULL) ||
        (ld->templates.n > 0 && ld->conf->templates == NULL)) {
        conf_error_set(ld->err, ld->conf->tree.file, 0, 0, "out of memory");
        return -1;
    }
    ld->conf->nneighbors = ld->neighbors.n;
    ld->conf->nprocesses = ld->processes.n;
    ld->conf->ntemplates = ld->templates.n;
    return 0;
}

static int
load_run(struct conf *conf, unsigned flags, struct conf_error *err)
{
    struct loader ld = {
        .conf = conf,
        .flags = flags,
        .err = err,
        .neighbors = { .size = sizeof(struct conf_neighbor) },
        .processes = { .size = sizeof(struct conf_process) },
        .templates = { .size = sizeof(struct conf_neighbor) },
    };
    int rc = load_root(&ld);

    free(ld.neighbors.items);
    free(ld.processes.items);
    free(ld.templates.items);
    free(ld.tmpl_state);
    if (rc < 0)
        conf_free(conf);
    return rc;
}

int
conf_load_file(struct conf *conf, const char *path, unsigned flags, struct conf_error *err)
{
    memset(conf, 0, sizeof(*conf));
    if (conf_tree_parse_file(&conf->tree, path, err) < 0)
        return -1;
    return load_run(conf, flags, err);
}

int
conf_load_text(struct conf *conf, const char *name, const char *text, size_t len, unsigned flags,
               struct conf_error *err)
{
    memset(conf, 0, sizeof(*conf));
    if (conf_tree_parse(&conf->tree, name, text, len, err) < 0)
        return -1;
    return load_run(conf, flags, err);
}

void
conf_free(struct conf *conf)
{
    conf_tree_free(&conf->tree);
    memset(conf, 0, sizeof(*conf));
}

const struct conf_process *
conf_find_process(const struct conf *conf, const char *name)
{
    for (size_t i = 0; i < conf->nprocesses; i++)
        if (strcmp(conf->processes[i].name, name) == 0)
            return &conf->processes[i];
    return NULL;
}

const struct conf_neighbor *
conf_find_template(const struct conf *conf, const char *name)
{
    for (size_t i = 0; i < conf->ntemplates; i++)
        if (strcmp(conf->templates[i].name, name) == 0)
            return &conf->templates[i];
    return NULL;
}

static const struct conf_neighbor *
diff_find_peer(const struct conf *conf, const struct conf_neighbor *nb)
{
    for (size_t i = 0; i < conf->nneighbors; i++)
        if (conf_neighbor_same_peer(&conf->neighbors[i], nb))
            return &conf->neighbors[i];
    return NULL;
}

void
conf_diff_neighbors(const struct conf *old_conf, const struct conf *new_conf,
                    conf_diff_neighbor_fn cb, void *ctx)
{
    for (size_t i = 0; i < old_conf->nneighbors; i++) {
        const struct conf_neighbor *o = &old_conf->neighbors[i];
        const struct conf_neighbor *n = diff_find_peer(new_conf, o);

        cb(ctx, o, n, n != NULL ? conf_neighbor_compare(o, n) : 0);
    }
    for (size_t i = 0; i < new_conf->nneighbors; i++)
        if (diff_find_peer(old_conf, &new_conf->neighbors[i]) == NULL)
            cb(ctx, NULL, &new_conf->neighbors[i], 0);
}

void
conf_diff_processes(const struct conf *old_conf, const struct conf *new_conf,
                    conf_diff_process_fn cb, void *ctx)
{
    for (size_t i = 0; i < old_conf->nprocesses; i++) {
        const struct conf_process *o = &old_conf->processes[i];
        const struct conf_process *n = conf_find_process(new_conf, o->name);

        cb(ctx, o, n, n != NULL && conf_process_changed(o, n));
    }
    for (size_t i = 0; i < new_conf->nprocesses; i++)
        if (conf_find_process(old_conf, new_conf->processes[i].name) == NULL)
            cb(ctx, NULL, &new_conf->processes[i], false);
}
