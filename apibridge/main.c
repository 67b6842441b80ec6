/*
 * bgpbus-apibridge: runs the helper programs of an ExaBGP configuration against the speaker.
 *
 *   bgpbus-apibridge --config FILE [--env FILE] [--command URL] [--events URL]
 *                    [--tls-cert F --tls-key F --tls-ca F [--tls-server-name N]]
 *                    [--log-level L]
 *
 * ExaBGP settings (SPEC 1.8) come from the environment and the env file as ExaBGP reads them
 * (conf_env.h): exabgp.api.ack, exabgp.api.respawn, exabgp.daemon.umask… bgpbus additions,
 * same spellings (dots or underscores):
 *   bgpbus.api.allow_shutdown   false: a helper's `shutdown` gets `error` and stops nothing
 *                               (a speaker shared with other clients); default true, as ExaBGP.
 *   bgpbus.api.withdraw_on_exit process names (comma or space separated) or `true` for all:
 *                               withdraw a helper's routes when it dies and is not respawned.
 *
 *   bgpbus.api.out_limit        bytes of output waiting for a helper above which its events are
 *                               dropped (counted, logged once per burst); acks never are.
 *                               Default 16 MiB (BRIDGE_OUT_LIMIT); tests use a small one.
 *   bgpbus.api.event_queue      events nng queues for the bridge before it reads them, 1 to 8192
 *                               (default, the most nng 1.5.2 allows); when it overflows the
 *                               bridge reads the missed events from the speaker's ring. Tests
 *                               use a tiny one to force such gaps.
 *
 * Signals (SPEC 1.7): SIGTERM, SIGHUP, SIGINT: shutdown event to the helpers, SIGTERM them,
 * SIGKILL after 2 s, exit. SIGUSR1: Reload to the speaker, and the process blocks reloaded
 * (reload.c); SIGUSR2: the same, every helper restarted; SIGALRM: Restart to the speaker,
 * the configuration re-read and every helper restarted.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bridge.h"
#include "bus.h"
#include "bus_cli.h"
#include "log.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: bgpbus-apibridge --config FILE [--env FILE] " BUS_CLI_USAGE "\n");
}

/* A bgpbus.api.X setting: the variable with dots, else with underscores. */
static const char *
bgpbus_setting(const char *name)
{
    char alt[128];
    const char *v = getenv(name);
    if (v)
        return v;
    snprintf(alt, sizeof(alt), "%s", name);
    for (char *p = alt; *p; p++)
        if (*p == '.')
            *p = '_';
    return getenv(alt);
}

static bool
word_in_list(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        size_t k = strcspn(p, ", ");
        if (k == n && strncmp(p, word, n) == 0)
            return true;
        p += k;
    }
    return false;
}

void
bridge_stop(struct bridge *br, int status)
{
    if (br->shutting_down)
        return;
    br->exit_status = status;
    log_info("stopping: shutdown event to the helpers");
    if (br->ping_timer)
        event_del(br->ping_timer);
    supervisor_shutdown(br);
}

void
bridge_epoch_seen(struct bridge *br, uint64_t epoch)
{
    if (epoch == 0 || epoch == br->epoch)
        return;
    uint64_t old = br->epoch;
    br->epoch = epoch;
    events_epoch_seen(br, epoch);
    if (old != 0) {
        log_warn("the speaker restarted (epoch %llx -> %llx)", (unsigned long long)old,
                 (unsigned long long)epoch);
        memory_replay_all(br);
    }
}

/* ---- liveness: a Ping now and then tells a speaker restart even without events ------------ */

static void
on_pong(struct bus_client *c, void *arg, int status, const uint8_t *data, size_t len)
{
    struct bridge *br = arg;
    (void)c;
    if (status != 0)
        return;
    Bgpbus__V1__Reply *rep = bgpbus__v1__reply__unpack(NULL, len, data);
    if (!rep)
        return;
    if (rep->result_case == BGPBUS__V1__REPLY__RESULT_PONG && rep->pong && !br->shutting_down)
        bridge_epoch_seen(br, rep->pong->epoch);
    bgpbus__v1__reply__free_unpacked(rep, NULL);
}

static void
ping_tick(evutil_socket_t fd, short what, void *arg)
{
    struct bridge *br = arg;
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Ping ping = BGPBUS__V1__PING__INIT;
    uint8_t buf[64];
    (void)fd;
    (void)what;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_PING;
    req.ping = &ping;
    req.owner = "bgpbus-apibridge";
    size_t len = bgpbus__v1__request__pack(&req, buf);
    /* One at a time: a speaker that is down must not pile pings up in the client. */
    if (bus_client_pending(br->client) < BUS_CLIENT_INFLIGHT)
        bus_request(br->client, buf, len, 1500, on_pong, br, NULL);
    struct timeval tv = { 1, 0 };
    event_add(br->ping_timer, &tv);
}

/* ---- signals ------------------------------------------------------------------------------ */

static void
on_reload_reply(struct bus_client *c, void *arg, int status, const uint8_t *data, size_t len)
{
    (void)c;
    (void)arg;
    (void)data;
    (void)len;
    if (status != 0)
        log_warn("reload: the speaker did not answer: %s", bus_strerror(status));
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct bridge *br = arg;
    (void)what;
    switch (sig) {
    case SIGCHLD: supervisor_reap(br); break;
    case SIGUSR1:
    case SIGUSR2:
    case SIGALRM: {
        /* SPEC 1.7: USR1 reloads (changed processes restarted), USR2 reloads restarting
         * every process, ALRM restarts: every session and every process. */
        Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
        Bgpbus__V1__Reload rl = BGPBUS__V1__RELOAD__INIT;
        Bgpbus__V1__Restart rs = BGPBUS__V1__RESTART__INIT;
        uint8_t buf[64];
        bool restart = sig == SIGALRM;
        if (restart) {
            req.command_case = BGPBUS__V1__REQUEST__COMMAND_RESTART;
            req.restart = &rs;
        } else {
            req.command_case = BGPBUS__V1__REQUEST__COMMAND_RELOAD;
            req.reload = &rl;
        }
        req.owner = "bgpbus-apibridge";
        size_t len = bgpbus__v1__request__pack(&req, buf);
        log_info("%s: asking the speaker to %s", strsignal((int)sig),
                 restart ? "restart" : "reload");
        bus_request(br->client, buf, len, BRIDGE_REQUEST_TIMEOUT_MS, on_reload_reply, br, NULL);
        if (!br->shutting_down)
            bridge_reload(br, sig != SIGUSR1);
        break;
    }
    default:
        log_info("signal %d: stopping", (int)sig);
        bridge_stop(br, 0);
        break;
    }
}

/* ---- setup -------------------------------------------------------------------------------- */

struct helper *
bridge_helper_new(struct bridge *br, const struct conf_process *proc)
{
    struct helper *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->mem = memory_new();
    if (!h->mem) {
        free(h);
        return NULL;
    }
    const char *wo = bgpbus_setting("bgpbus.api.withdraw_on_exit");
    h->br = br;
    h->proc = proc;
    h->to_fd = h->from_fd = -1;
    h->ack = br->env.api.ack;
    snprintf(h->name, sizeof(h->name), "%s", proc->name);
    /* conf_load resolved the program (CONF_LOAD_RESOLVE_PROGRAMS): argv[0] is the path. */
    snprintf(h->path, sizeof(h->path), "%s", proc->argv[0]);
    h->withdraw_on_exit = wo && (strcmp(wo, "true") == 0 || word_in_list(wo, h->name));
    return h;
}

void
bridge_helper_free(struct helper *h)
{
    if (!h)
        return;
    if (h->open)
        batch_free(h->open);
    h->open = NULL;
    helper_io_detach(h);
    helper_free_cmds(h);
    memory_free(h->mem);
    free(h->in);
    free(h->out);
    free(h);
}

static int
bridge_helpers(struct bridge *br)
{
    br->nhelpers = br->conf.nprocesses;
    br->helpers = calloc(br->nhelpers ? br->nhelpers : 1, sizeof(*br->helpers));
    if (!br->helpers)
        return -1;
    for (size_t i = 0; i < br->nhelpers; i++) {
        br->helpers[i] = bridge_helper_new(br, &br->conf.processes[i]);
        if (!br->helpers[i])
            return -1;
        br->helpers[i]->index = i;
    }
    return 0;
}

/* bgpbus.api.out_limit: bytes of pending output per helper above which events are dropped. */
static size_t
bridge_out_limit(void)
{
    const char *v = bgpbus_setting("bgpbus.api.out_limit");
    if (!v || !*v)
        return BRIDGE_OUT_LIMIT;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || n < 4096 || n > SIZE_MAX) {
        log_warn("bgpbus.api.out_limit '%s' is not a byte count >= 4096; using %zu", v,
                 BRIDGE_OUT_LIMIT);
        return BRIDGE_OUT_LIMIT;
    }
    return (size_t)n;
}

/* bgpbus.api.event_queue: the bridge's SUB receive queue, in events (0: the default). */
static int
bridge_event_queue(void)
{
    const char *v = bgpbus_setting("bgpbus.api.event_queue");
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end || n < 1 || n > BUS_QUEUE_MAX) {
        log_warn("bgpbus.api.event_queue '%s' is not a count of events from 1 to %d; using %d", v,
                 BUS_QUEUE_MAX, BUS_QUEUE_MAX);
        return 0;
    }
    return (int)n;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        BUS_CLI_LONGOPTS,
        { "config", required_argument, NULL, 'c' },
        { "env", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct bridge br;
    struct bus_cli cli = { 0 };
    const char *env_file = NULL;
    int opt;

    memset(&br, 0, sizeof(br));
    log_set_ident("bgpbus-apibridge");
    while ((opt = getopt_long(argc, argv, BUS_CLI_SHORTOPTS "c:e:h", longopts, NULL)) != -1) {
        int r = bus_cli_option(&cli, "bgpbus-apibridge", opt, optarg);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        switch (opt) {
        case 'c': br.config_path = optarg; break;
        case 'e': env_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!br.config_path || optind != argc) {
        usage(stderr);
        return 2;
    }

    struct conf_error err;
    const char *ini[] = { env_file ? env_file : "/etc/exabgp/exabgp.env", NULL };
    if (conf_env_load(&br.env, ini, NULL, &err) < 0) {
        if (env_file) {
            log_error("environment: %s", err.msg);
            return 1;
        }
        /* The system-wide file is ExaBGP's, possibly written by a version whose values we do
         * not read (4.2 writes umask as 0o137): use the environment alone, and say so. */
        const char *none[] = { NULL };
        log_warn("environment: %s; /etc/exabgp/exabgp.env ignored", err.msg);
        if (conf_env_load(&br.env, none, NULL, &err) < 0) {
            log_error("environment: %s", err.msg);
            return 1;
        }
    }
    if (conf_load_file(&br.conf, br.config_path, CONF_LOAD_RESOLVE_PROGRAMS, &err) < 0) {
        log_error("%s", err.msg);
        return 1;
    }
    if (br.conf.nneighbors > 64)
        log_error("%zu neighbors configured: the bridge binds helpers to the first 64 only",
                  br.conf.nneighbors);
    const char *as = bgpbus_setting("bgpbus.api.allow_shutdown");
    br.out_limit = bridge_out_limit();
    br.allow_shutdown = !as || !(strcmp(as, "false") == 0 || strcmp(as, "0") == 0 ||
                                 strcmp(as, "no") == 0 || strcmp(as, "off") == 0);

    /* SPEC 1.3: every helper sees TERM=dumb. */
    setenv("TERM", "dumb", 1);
    signal(SIGPIPE, SIG_IGN);
    if (gethostname(br.host, sizeof(br.host) - 1) < 0)
        snprintf(br.host, sizeof(br.host), "localhost");
    br.exa.host = br.host;
    br.exa.pid = (long)getpid();
    br.exa.ppid = (long)getppid();
    br.exa.time_override = -1;
    br.counters = calloc(br.conf.nneighbors + 1, sizeof(*br.counters));
    br.negotiated = calloc(br.conf.nneighbors + 1, sizeof(*br.negotiated));
    br.base = event_base_new();
    if (!br.counters || !br.negotiated || !br.base || bridge_helpers(&br) < 0) {
        log_error("out of memory");
        return 1;
    }

    struct bus_opts copts = { .url = cli.command_url,
                              .tls = bus_cli_tls(&cli),
                              .dial_async = true };
    int rc = bus_client_open(&br.client, br.base, &copts);
    if (rc < 0) {
        log_error("cannot open the speaker's command channel: %s", bus_strerror(rc));
        return 1;
    }
    struct bus_opts eopts = { .url = cli.events_url,
                              .tls = copts.tls,
                              .recv_queue = bridge_event_queue() };
    if (events_open(&br, &eopts) < 0)
        return 1;

    struct event *sigs[7];
    const int signums[7] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM };
    for (size_t i = 0; i < 7; i++) {
        sigs[i] = evsignal_new(br.base, signums[i], on_signal, &br);
        if (!sigs[i] || evsignal_add(sigs[i], NULL) < 0) {
            log_error("cannot watch signal %d", signums[i]);
            return 1;
        }
    }
    br.ping_timer = evtimer_new(br.base, ping_tick, &br);
    if (!br.ping_timer)
        return 1;
    ping_tick(-1, 0, &br);

    /* SPEC 1.3: every configured process is started, bound to a neighbor or not. */
    for (size_t i = 0; i < br.nhelpers; i++)
        if (supervisor_start(br.helpers[i]) < 0)
            log_error("process %s: cannot start %s: %s", br.helpers[i]->name, br.helpers[i]->path,
                      strerror(errno));
    log_info("running %zu process(es) for %zu neighbor(s)", br.nhelpers, br.conf.nneighbors);

    event_base_dispatch(br.base);

    for (size_t i = 0; i < br.nhelpers; i++) {
        struct helper *h = br.helpers[i];
        if (h->open)
            batch_free(h->open);
        h->open = NULL;
        helper_io_detach(h);
    }
    /* Outstanding requests end with BUS_ECANCELED into their callbacks. */
    bus_client_free(br.client);
    events_close(&br);
    for (size_t i = 0; i < br.nhelpers; i++)
        bridge_helper_free(br.helpers[i]);
    for (size_t i = 0; i < br.nretired; i++)
        bridge_helper_free(br.retired[i]);
    free(br.retired);
    for (size_t i = 0; i < br.nold_confs; i++)
        conf_free(&br.old_confs[i]);
    free(br.old_confs);
    for (size_t i = 0; i < 7; i++)
        event_free(sigs[i]);
    event_free(br.ping_timer);
    for (size_t i = 0; i < br.conf.nneighbors; i++)
        if (br.negotiated[i])
            bgpbus__v1__event__free_unpacked(br.negotiated[i], NULL);
    free(br.negotiated);
    free(br.counters);
    free(br.helpers);
    conf_free(&br.conf);
    event_base_free(br.base);
    return br.exit_status;
}
