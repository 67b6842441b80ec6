/*
 * conf_process: an ExaBGP `process NAME { run ...; encoder ...; respawn ...; }` block (SPEC 1.1).
 *
 * Defaults: encoder text when absent (ExaBGP 5.0/main; 4.2 requires it, so every 4.2 file has
 * it), respawn true. `run` is required. All pointers point into the struct conf's arena.
 */
#ifndef BGPBUS_CONF_PROCESS_H
#define BGPBUS_CONF_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf_error.h"
#include "conf_tree.h"

enum conf_encoder {
    CONF_ENCODER_TEXT,
    CONF_ENCODER_JSON,
};

struct conf_process {
    const char *name;
    struct conf_word at;     /* the `process` keyword */
    struct conf_word run_at; /* the program word of `run` */
    const char **argv;       /* program and arguments, NULL-terminated; no shell */
    size_t argc;
    enum conf_encoder encoder;
    bool encoder_set;
    bool respawn;
};

int conf_process_parse(struct conf_arena *arena, const struct conf_node *block,
                       struct conf_process *proc, struct conf_error *err);

/*
 * Finds the program as ExaBGP does (SPEC 1.1): an absolute path as is; a path starting with
 * etc/exabgp under $EXABGP_ETC, /etc/exabgp or the working directory; any other relative path in
 * /etc/exabgp, beside the configuration file, then along $PATH, the last existing candidate
 * winning. The result must exist, not be a directory, not be setuid/setgid, be a regular file and
 * be executable by us. 0 and the path in out, or -1 with err at the `run` word.
 */
int conf_process_resolve(const struct conf_process *proc, const char *config_path, char *out,
                         size_t outlen, struct conf_error *err);

/* true when a helper must be restarted to apply b instead of a. */
bool conf_process_changed(const struct conf_process *a, const struct conf_process *b);

#endif
