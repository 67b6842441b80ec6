/*
 * conf_env: ExaBGP's environment settings (SPEC 1.8), read as ExaBGP 4.2 reads them: for each
 * known `exabgp.<section>.<option>`, the environment variable of that name, else the same with
 * '_' for '.', else the first existing INI file (`[exabgp.api]` then `ack = false`), else the
 * default. Unknown options are ignored, as ExaBGP does.
 *
 * Differences: booleans accept 1/yes/on/enable/true and 0/no/off/disable/false and reject other
 * words (ExaBGP reads any other word as false); daemon.user is not looked up in the password
 * database here (the service that drops privileges does, and says so).
 */
#ifndef BGPBUS_CONF_ENV_H
#define BGPBUS_CONF_ENV_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf_error.h"
#include "conf_process.h"

#define CONF_ENV_STR_MAX 256

struct conf_env {
    struct {
        bool enable;
        char file[CONF_ENV_STR_MAX];
    } profile;
    struct {
        bool enable;
    } pdb;
    struct {
        char pid[CONF_ENV_STR_MAX];
        char user[CONF_ENV_STR_MAX];
        bool daemonize;
        bool drop;
        mode_t umask;
    } daemon;
    struct {
        bool enable;
        int level; /* syslog LOG_* */
        char destination[CONF_ENV_STR_MAX];
        bool all, configuration, reactor, daemon, processes, network, packets, rib, message, timers,
            routes, parser, short_format;
    } log;
    struct {
        bool once;
        long delay;
        char bind[CONF_ENV_STR_MAX]; /* space-separated IP addresses, checked */
        long port;
        bool acl;
    } tcp;
    struct {
        long openwait;
    } bgp;
    struct {
        bool attributes, nexthops;
    } cache;
    struct {
        bool ack;
        long chunk;
        enum conf_encoder encoder;
        bool compact, respawn, terminate, cli;
        char pipename[CONF_ENV_STR_MAX];
    } api;
    struct {
        double speed;
    } reactor;
    struct {
        bool pdb, memory, configuration, selfcheck, defensive, rotate;
        char route[CONF_ENV_STR_MAX];
    } debug;
};

/* The defaults of ExaBGP 4.2.21. */
void conf_env_defaults(struct conf_env *env);

/*
 * ini_paths: candidate INI files, NULL-terminated, the first existing one is read (NULL means
 * { "/etc/exabgp/exabgp.env" }); envp: "NAME=value" strings, NULL-terminated (NULL means the
 * process environment). 0, or -1 with err (file:line:col in the INI file, or the variable name).
 */
int conf_env_load(struct conf_env *env, const char *const *ini_paths, char *const *envp,
                  struct conf_error *err);

#endif
