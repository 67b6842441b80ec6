/*
 * conf_load: an ExaBGP configuration file as typed data (struct conf), shared by the speaker
 * (neighbors, static routes) and the apibridge (processes, api bindings).
 *
 * Root sections: `process NAME {}`, `neighbor ADDRESS {}`, `template { neighbor NAME {} }` and
 * ExaBGP 3.x `group NAME { <neighbor options> neighbor ADDRESS {} group ... }`. A neighbor's own
 * settings win over its templates (`inherit NAME;`, `inherit [ a b ];`, first listed wins; a
 * template may inherit others), which win over the enclosing groups (innermost first). Templates
 * may be declared after their use; an unknown template is an error (ExaBGP 4.2 silently ignores
 * it), as is an api that names no declared process.
 */
#ifndef BGPBUS_CONF_LOAD_H
#define BGPBUS_CONF_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "conf_error.h"
#include "conf_neighbor.h"
#include "conf_process.h"
#include "conf_tree.h"

struct conf {
    struct conf_tree tree; /* owns every string and array below */
    struct conf_neighbor *neighbors;
    size_t nneighbors;
    struct conf_process *processes;
    size_t nprocesses;
    struct conf_neighbor *templates; /* resolved (their own inherits applied), not finished */
    size_t ntemplates;
};

/* Resolve and check every `run` program now (conf_process_resolve); argv[0] becomes the path. */
#define CONF_LOAD_RESOLVE_PROGRAMS 0x1u

/* 0 on success; -1 with err (file:line:col and what was expected); conf is then empty. */
int conf_load_file(struct conf *conf, const char *path, unsigned flags, struct conf_error *err);
int conf_load_text(struct conf *conf, const char *name, const char *text, size_t len,
                   unsigned flags, struct conf_error *err);
void conf_free(struct conf *conf);

const struct conf_process *conf_find_process(const struct conf *conf, const char *name);
const struct conf_neighbor *conf_find_template(const struct conf *conf, const char *name);

/*
 * Reload: calls cb for every neighbor (process) of either configuration, matched by
 * conf_neighbor_same_peer() (process name). old == NULL: added; new == NULL: removed; both: kept,
 * with changes = conf_neighbor_compare() bits (0 = unchanged, keep the session as is).
 */
typedef void (*conf_diff_neighbor_fn)(void *ctx, const struct conf_neighbor *old_nb,
                                      const struct conf_neighbor *new_nb, unsigned changes);
typedef void (*conf_diff_process_fn)(void *ctx, const struct conf_process *old_proc,
                                     const struct conf_process *new_proc, bool changed);
void conf_diff_neighbors(const struct conf *old_conf, const struct conf *new_conf,
                         conf_diff_neighbor_fn cb, void *ctx);
void conf_diff_processes(const struct conf *old_conf, const struct conf *new_conf,
                         conf_diff_process_fn cb, void *ctx);

#endif
