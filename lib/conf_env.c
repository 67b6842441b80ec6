#include "conf_env.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

extern char **environ;

enum env_type {
    ENV_BOOL,
    ENV_INT,
    ENV_REAL,
    ENV_STRING,
    ENV_UMASK,
    ENV_ENCODER,
    ENV_LOG_LEVEL,
    ENV_IP_LIST,
};

struct env_row {
    const char *section, *option;
    enum env_type type;
    size_t off;
    const char *def; /* ExaBGP's default, as text (configuration/setup.py) */
};

#define R(s, o, t, field, d)                                                                       \
    {                                                                                              \
        s, o, t, offsetof(struct conf_env, field), d                                               \
    }
static const struct env_row env_rows[] = {
    R("profile", "enable", ENV_BOOL, profile.enable, "false"),
    R("profile", "file", ENV_STRING, profile.file, ""),
    R("pdb", "enable", ENV_BOOL, pdb.enable, "false"),
    R("daemon", "pid", ENV_STRING, daemon.pid, ""),
    R("daemon", "user", ENV_STRING, daemon.user, "nobody"),
    R("daemon", "daemonize", ENV_BOOL, daemon.daemonize, "false"),
    R("daemon", "drop", ENV_BOOL, daemon.drop, "true"),
    R("daemon", "umask", ENV_UMASK, daemon.umask, "0137"),
    R("log", "enable", ENV_BOOL, log.enable, "true"),
    R("log", "level", ENV_LOG_LEVEL, log.level, "INFO"),
    R("log", "destination", ENV_STRING, log.destination, "stdout"),
    R("log", "all", ENV_BOOL, log.all, "false"),
    R("log", "configuration", ENV_BOOL, log.configuration, "true"),
    R("log", "reactor", ENV_BOOL, log.reactor, "true"),
    R("log", "daemon", ENV_BOOL, log.daemon, "true"),
    R("log", "processes", ENV_BOOL, log.processes, "true"),
    R("log", "network", ENV_BOOL, log.network, "true"),
    R("log", "packets", ENV_BOOL, log.packets, "false"),
    R("log", "rib", ENV_BOOL, log.rib, "false"),
    R("log", "message", ENV_BOOL, log.message, "false"),
    R("log", "timers", ENV_BOOL, log.timers, "false"),
    R("log", "routes", ENV_BOOL, log.routes, "false"),
    R("log", "parser", ENV_BOOL, log.parser, "false"),
    R("log", "short", ENV_BOOL, log.short_format, "false"),
    R("tcp", "once", ENV_BOOL, tcp.once, "false"),
    R("tcp", "delay", ENV_INT, tcp.delay, "0"),
    R("tcp", "bind", ENV_IP_LIST, tcp.bind, ""),
    R("tcp", "port", ENV_INT, tcp.port, "179"),
    R("tcp", "acl", ENV_BOOL, tcp.acl, "false"),
    R("bgp", "openwait", ENV_INT, bgp.openwait, "60"),
    R("cache", "attributes", ENV_BOOL, cache.attributes, "true"),
    R("cache", "nexthops", ENV_BOOL, cache.nexthops, "true"),
    R("api", "ack", ENV_BOOL, api.ack, "true"),
    R("api", "chunk", ENV_INT, api.chunk, "1"),
    R("api", "encoder", ENV_ENCODER, api.encoder, "json"),
    R("api", "compact", ENV_BOOL, api.compact, "false"),
    R("api", "respawn", ENV_BOOL, api.respawn, "true"),
    R("api", "terminate", ENV_BOOL, api.terminate, "false"),
    R("api", "cli", ENV_BOOL, api.cli, "true"),
    R("api", "pipename", ENV_STRING, api.pipename, "exabgp"),
    R("reactor", "speed", ENV_REAL, reactor.speed, "1.0"),
    R("debug", "pdb", ENV_BOOL, debug.pdb, "false"),
    R("debug", "memory", ENV_BOOL, debug.memory, "false"),
    R("debug", "configuration", ENV_BOOL, debug.configuration, "false"),
    R("debug", "selfcheck", ENV_BOOL, debug.selfcheck, "false"),
    R("debug", "route", ENV_STRING, debug.route, ""),
    R("debug", "defensive", ENV_BOOL, debug.defensive, "false"),
    R("debug", "rotate", ENV_BOOL, debug.rotate, "false"),
};
#undef R

#define ENV_ROWS (sizeof(env_rows) / sizeof(env_rows[0]))

/* Where a value came from, for the error message. */
struct env_origin {
    const char *file;
    int line, col;
};

static int
env_fail(struct conf_error *err, const struct env_origin *o, const struct env_row *row,
         const char *value, const char *expected)
{
    conf_error_set(err, o->file, o->line, o->col,
                   "invalid value '%s' for exabgp.%s.%s, expected %s", value, row->section,
                   row->option, expected);
    return -1;
}

static int
env_parse_long(const char *v, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(v, &end, 10);
    return (errno != 0 || end == v || *end != '\0') ? -1 : 0;
}

static int
env_set(struct conf_env *env, const struct env_row *row, const char *raw,
        const struct env_origin *o, struct conf_error *err)
{
    char v[CONF_ENV_STR_MAX];
    void *field = (char *)env + row->off;
    size_t len;

    /* ExaBGP strips blanks and one level of quotes (environment.unquote). */
    while (isspace((unsigned char)*raw))
        raw++;
    len = strlen(raw);
    while (len > 0 && isspace((unsigned char)raw[len - 1]))
        len--;
    while (len > 0 && (*raw == '"' || *raw == '\'')) {
        raw++;
        len--;
    }
    while (len > 0 && (raw[len - 1] == '"' || raw[len - 1] == '\''))
        len--;
    if (len >= sizeof(v)) {
        conf_error_set(err, o->file, o->line, o->col, "value of exabgp.%s.%s is too long",
                       row->section, row->option);
        return -1;
    }
    memcpy(v, raw, len);
    v[len] = '\0';

    switch (row->type) {
    case ENV_BOOL: {
        static const char *const yes[] = { "1", "yes", "on", "enable", "true" };
        static const char *const no[] = { "0", "no", "off", "disable", "false" };

        for (size_t i = 0; i < 5; i++) {
            if (strcasecmp(v, yes[i]) == 0) {
                *(bool *)field = true;
                return 0;
            }
            if (strcasecmp(v, no[i]) == 0) {
                *(bool *)field = false;
                return 0;
            }
        }
        return env_fail(err, o, row, v, "true or false");
    }
    case ENV_INT:
        if (env_parse_long(v, (long *)field) < 0)
            return env_fail(err, o, row, v, "an integer");
        return 0;
    case ENV_REAL: {
        char *end;

        errno = 0;
        *(double *)field = strtod(v, &end);
        if (errno != 0 || end == v || *end != '\0')
            return env_fail(err, o, row, v, "a number");
        return 0;
    }
    case ENV_STRING: memcpy(field, v, len + 1); return 0;
    case ENV_UMASK: {
        char *end;
        unsigned long m;

        /* Debian's exabgp.env writes Python's octal literal: '0o137'. */
        const char *digits = (v[0] == '0' && (v[1] == 'o' || v[1] == 'O')) ? v + 2 : v;
        errno = 0;
        m = strtoul(digits, &end, 8);
        if (errno != 0 || end == digits || *end != '\0' || m > 0777)
            return env_fail(err, o, row, v, "an octal umask such as 0137");
        *(mode_t *)field = (mode_t)m;
        return 0;
    }
    case ENV_ENCODER:
        if (strcasecmp(v, "text") == 0)
            *(enum conf_encoder *)field = CONF_ENCODER_TEXT;
        else if (strcasecmp(v, "json") == 0)
            *(enum conf_encoder *)field = CONF_ENCODER_JSON;
        else
            return env_fail(err, o, row, v, "text or json");
        return 0;
    case ENV_LOG_LEVEL: {
        static const struct {
            const char *name;
            int level;
        } levels[] = {
            { "EMERG", LOG_EMERG },     { "ALERT", LOG_ALERT },   { "CRIT", LOG_CRIT },
            { "CRITICAL", LOG_CRIT },   { "ERR", LOG_ERR },       { "ERROR", LOG_ERR },
            { "WARNING", LOG_WARNING }, { "NOTICE", LOG_NOTICE }, { "INFO", LOG_INFO },
            { "DEBUG", LOG_DEBUG },
        };

        for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
            if (strcmp(v, levels[i].name) == 0) {
                *(int *)field = levels[i].level;
                return 0;
            }
        }
        return env_fail(err, o, row, v, "a syslog level (EMERG ... DEBUG, upper case)");
    }
    case ENV_IP_LIST: {
        char copy[CONF_ENV_STR_MAX], *save = NULL;

        memcpy(copy, v, len + 1);
        for (char *ip = strtok_r(copy, " ", &save); ip != NULL; ip = strtok_r(NULL, " ", &save)) {
            unsigned char buf[16];

            if (inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1)
                return env_fail(err, o, row, ip, "space-separated IP addresses");
        }
        memcpy(field, v, len + 1);
        return 0;
    }
    }
    return 0;
}

void
conf_env_defaults(struct conf_env *env)
{
    struct env_origin o = { "default", 0, 0 };

    memset(env, 0, sizeof(*env));
    for (size_t i = 0; i < ENV_ROWS; i++)
        (void)env_set(env, &env_rows[i], env_rows[i].def, &o, NULL); /* defaults are valid */
}

/* Python ConfigParser subset: [section], key = value / key: value, # and ; comment lines. */
static int
env_read_ini(const char *path, bool found[ENV_ROWS], struct conf_env *env, struct conf_error *err)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    char section[128] = "";
    bool seen[ENV_ROWS] = { false };
    int lineno = 0;
    int rc = -1;

    if (f == NULL) {
        conf_error_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line, *sep, *key, *end;
        size_t len = strlen(line);

        lineno++;
        if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
            conf_error_set(err, path, lineno, 1, "line longer than %zu bytes", sizeof(line) - 2);
            goto out;
        }
        while (len > 0 && isspace((unsigned char)line[len - 1]))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (isspace((unsigned char)line[0])) {
            conf_error_set(err, path, lineno, 1, "continuation lines are not supported");
            goto out;
        }
        if (*p == '#' || *p == ';')
            continue;
        if (*p == '[') {
            end = strchr(p, ']');
            if (end == NULL || end[1] != '\0' || (size_t)(end - p - 1) >= sizeof(section)) {
                conf_error_set(err, path, lineno, 1, "expected [section]");
                goto out;
            }
            memcpy(section, p + 1, (size_t)(end - p - 1));
            section[end - p - 1] = '\0';
            continue;
        }
        sep = strpbrk(p, "=:");
        if (sep == NULL) {
            conf_error_set(err, path, lineno, 1, "expected 'option = value'");
            goto out;
        }
        if (section[0] == '\0') {
            conf_error_set(err, path, lineno, 1, "option outside of a [section]");
            goto out;
        }
        key = p;
        end = sep;
        while (end > key && isspace((unsigned char)end[-1]))
            end--;
        *end = '\0';
        for (char *k = key; *k != '\0'; k++) /* ConfigParser lowers option names */
            *k = (char)tolower((unsigned char)*k);
        for (size_t i = 0; i < ENV_ROWS; i++) {
            char full[160];
            struct env_origin o = { path, lineno, (int)(sep - line) + 2 };

            snprintf(full, sizeof(full), "exabgp.%s", env_rows[i].section);
            if (strcmp(full, section) != 0 || strcmp(key, env_rows[i].option) != 0)
                continue;
            if (seen[i]) {
                conf_error_set(err, path, lineno, 1, "option '%s' repeated in [%s]", key, section);
                goto out;
            }
            seen[i] = true;
            if (found[i]) /* the environment wins */
                break;
            if (env_set(env, &env_rows[i], sep + 1, &o, err) < 0)
                goto out;
            break;
        }
    }
    if (ferror(f)) {
        conf_error_set(err, path, 0, 0, "read error");
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

static const char *
env_lookup(char *const *envp, const char *name)
{
    size_t len = strlen(name);

    for (; *envp != NULL; envp++)
        if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
            return *envp + len + 1;
    return NULL;
}

int
conf_env_load(struct conf_env *env, const char *const *ini_paths, char *const *envp,
              struct conf_error *err)
{
    static const char *const default_paths[] = { "/etc/exabgp/exabgp.env", NULL };
    bool found[ENV_ROWS] = { false };

    conf_env_defaults(env);
    if (envp == NULL)
        envp = environ;
    if (ini_paths == NULL)
        ini_paths = default_paths;

    for (size_t i = 0; i < ENV_ROWS; i++) {
        char dotted[128], underscored[128];
        const char *v;
        struct env_origin o = { NULL, 0, 0 };

        snprintf(dotted, sizeof(dotted), "exabgp.%s.%s", env_rows[i].section, env_rows[i].option);
        snprintf(underscored, sizeof(underscored), "exabgp_%s_%s", env_rows[i].section,
                 env_rows[i].option);
        v = env_lookup(envp, dotted);
        o.file = dotted;
        if (v == NULL) {
            v = env_lookup(envp, underscored);
            o.file = underscored;
        }
        if (v == NULL)
            continue;
        if (env_set(env, &env_rows[i], v, &o, err) < 0)
            return -1;
        found[i] = true;
    }
    for (; *ini_paths != NULL; ini_paths++) {
        struct stat st;

        if (stat(*ini_paths, &st) != 0)
            continue;
        return env_read_ini(*ini_paths, found, env, err);
    }
    return 0;
}
