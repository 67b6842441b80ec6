#include "conf_process.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int
proc_fail(struct conf_error *err, const struct conf_word *w, const char *fmt, const char *a)
{
    char msg[CONF_ERROR_MSG_MAX];

    snprintf(msg, sizeof(msg), fmt, a != NULL ? a : "");
    conf_error_set(err, w->file, w->line, w->col, "%s", msg);
    return -1;
}

int
conf_process_parse(struct conf_arena *arena, const struct conf_node *block,
                   struct conf_process *proc, struct conf_error *err)
{
    bool have_run = false;

    memset(proc, 0, sizeof(*proc));
    proc->at = block->words[0];
    proc->respawn = true;
    proc->encoder = CONF_ENCODER_TEXT;
    if (block->nwords != 2)
        return proc_fail(err, block->nwords < 2 ? &block->words[0] : &block->words[2],
                         block->nwords < 2 ? "'process' expects a name%s"
                                           : "unexpected '%s' after the process name",
                         block->nwords < 2 ? NULL : block->words[2].text);
    proc->name = block->words[1].text;
    for (const char *s = proc->name; *s != '\0'; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            return proc_fail(err, &block->words[1], "invalid character in process name '%s'",
                             proc->name);

    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *st = &block->children[i];
        const char *kw = st->words[0].text;

        if (st->block)
            return proc_fail(err, &st->words[0], "unexpected section '%s' in process", kw);
        if (strcmp(kw, "run") == 0) {
            if (st->nwords < 2)
                return proc_fail(err, &st->words[0], "'run' expects a program%s", NULL);
            proc->argc = st->nwords - 1;
            proc->argv = conf_arena_alloc(arena, (proc->argc + 1) * sizeof(*proc->argv));
            if (proc->argv == NULL)
                return proc_fail(err, &st->words[0], "out of memory%s", NULL);
            for (size_t k = 0; k < proc->argc; k++)
                proc->argv[k] = st->words[k + 1].text;
            proc->argv[proc->argc] = NULL;
            proc->run_at = st->words[1];
            have_run = true;
        } else if (strcmp(kw, "encoder") == 0) {
            if (st->nwords != 2)
                return proc_fail(err, &st->words[0], "'encoder' expects text or json%s", NULL);
            if (strcmp(st->words[1].text, "text") == 0)
                proc->encoder = CONF_ENCODER_TEXT;
            else if (strcmp(st->words[1].text, "json") == 0)
                proc->encoder = CONF_ENCODER_JSON;
            else
                return proc_fail(err, &st->words[1], "invalid encoder '%s', expected text or json",
                                 st->words[1].text);
            proc->encoder_set = true;
        } else if (strcmp(kw, "respawn") == 0) {
            const char *v = st->nwords == 2 ? st->words[1].text : "true";

            if (st->nwords > 2)
                return proc_fail(err, &st->words[2], "unexpected '%s' after the respawn value",
                                 st->words[2].text);
            if (strcasecmp(v, "true") == 0 || strcasecmp(v, "enable") == 0 ||
                strcasecmp(v, "enabled") == 0)
                proc->respawn = true;
            else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "disable") == 0 ||
                     strcasecmp(v, "disabled") == 0)
                proc->respawn = false;
            else
                return proc_fail(err, &st->words[1], "invalid respawn '%s', expected true or false",
                                 v);
        } else {
            return proc_fail(err, &st->words[0],
                             "unknown keyword '%s' in process, expected run, encoder or respawn",
                             kw);
        }
    }
    if (!have_run)
        return proc_fail(err, &block->words[1], "process '%s' has no run statement", proc->name);
    return 0;
}

static bool
proc_join(char *out, size_t len, const char *dir, const char *rest)
{
    int n;

    if (dir[0] == '\0')
        n = snprintf(out, len, "%s", rest);
    else
        n = snprintf(out, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", rest);
    return n > 0 && (size_t)n < len;
}

static bool
proc_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* Keeps the candidate when it exists: ExaBGP iterates every option and the last existing wins. */
static void
proc_try(char *best, size_t len, const char *dir, const char *rest)
{
    char cand[PATH_MAX];

    if (proc_join(cand, sizeof(cand), dir, rest) && proc_exists(cand))
        snprintf(best, len, "%s", cand);
}

int
conf_process_resolve(const struct conf_process *proc, const char *config_path, char *out,
                     size_t outlen, struct conf_error *err)
{
    const char *prg = proc->argv[0];
    char best[PATH_MAX];
    struct stat st;
    mode_t check;

    snprintf(best, sizeof(best), "%s", prg);
    if (prg[0] != '/') {
        const char *pwd = getenv("PWD");
        char cwd[PATH_MAX];

        if (pwd == NULL || pwd[0] == '\0')
            pwd = getcwd(cwd, sizeof(cwd));
        if (strncmp(prg, "etc/exabgp", 10) == 0) {
            const char *etc = getenv("EXABGP_ETC");
            const char *rest = prg[10] == '/' ? prg + 11 : prg + 10;

            /* ExaBGP also lists the bare /etc/exabgp directory, which can only fail later. */
            if (etc != NULL && etc[0] != '\0') {
                proc_try(best, sizeof(best), etc, rest);
            } else {
                proc_try(best, sizeof(best), "/etc/exabgp", rest);
                if (pwd != NULL) {
                    const char *last = strrchr(pwd, '/');

                    last = last != NULL ? last + 1 : pwd;
                    if (strcmp(last, "etc") == 0 || strcmp(last, "sbin") == 0) {
                        char parent[PATH_MAX];

                        snprintf(parent, sizeof(parent), "%.*s", (int)(last - pwd), pwd);
                        proc_try(best, sizeof(best), parent, prg);
                    }
                    if (strstr(pwd, "/etc/") == NULL && strcmp(last, "etc") != 0)
                        proc_try(best, sizeof(best), pwd, prg);
                }
            }
        } else {
            char dir[PATH_MAX];
            const char *path = getenv("PATH");

            proc_try(best, sizeof(best), "/etc/exabgp", prg);
            snprintf(dir, sizeof(dir), "%s", config_path != NULL ? config_path : "");
            {
                char *slash = strrchr(dir, '/');

                if (slash != NULL)
                    *slash = '\0';
                else
                    snprintf(dir, sizeof(dir), "%s", pwd != NULL ? pwd : ".");
            }
            proc_try(best, sizeof(best), dir, prg);
            while (path != NULL && *path != '\0') {
                const char *colon = strchr(path, ':');
                size_t dl = colon != NULL ? (size_t)(colon - path) : strlen(path);
                char pdir[PATH_MAX];

                if (dl > 0 && dl < sizeof(pdir)) {
                    memcpy(pdir, path, dl);
                    pdir[dl] = '\0';
                    proc_try(best, sizeof(best), pdir, prg);
                }
                path = colon != NULL ? colon + 1 : NULL;
            }
        }
    }

    if (stat(best, &st) != 0)
        return proc_fail(err, &proc->run_at, "can not locate the program '%s'", prg);
    if (S_ISDIR(st.st_mode))
        return proc_fail(err, &proc->run_at, "can not execute the directory '%s'", best);
    if (!S_ISREG(st.st_mode))
        return proc_fail(err, &proc->run_at, "'%s' is not a regular file", best);
    if (st.st_mode & (S_ISUID | S_ISGID))
        return proc_fail(err, &proc->run_at, "refusing to run the setuid/setgid program '%s'",
                         best);
    check = S_IXOTH;
    if (st.st_uid == getuid())
        check |= S_IXUSR;
    if (st.st_gid == getgid())
        check |= S_IXGRP;
    if (!(st.st_mode & check))
        return proc_fail(err, &proc->run_at, "the program '%s' is not executable by this user",
                         best);
    if (strlen(best) >= outlen)
        return proc_fail(err, &proc->run_at, "the path of '%s' is too long", prg);
    memcpy(out, best, strlen(best) + 1);
    return 0;
}

bool
conf_process_changed(const struct conf_process *a, const struct conf_process *b)
{
    if (a->argc != b->argc || a->encoder != b->encoder || a->respawn != b->respawn)
        return true;
    for (size_t i = 0; i < a->argc; i++)
        if (strcmp(a->argv[i], b->argv[i]) != 0)
            return true;
    return false;
}
