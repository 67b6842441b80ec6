/*
 * bgpbus-speaker: the BGP speaker service.
 *
 *   bgpbus-speaker --config FILE [--command URL] [--events URL]
 *                  [--tls-cert F --tls-key F --tls-ca F [--tls-server-name N]] [--log-level L]
 *                  [--event-ring-mb M] [--event-ring N]
 *
 * --event-ring-mb M: MiB of events the replay ring keeps for ReadEvents (default 64: about four
 * full-table bursts; docs/architecture.md "Events"). --event-ring N: also at most N events (no
 * count bound by default). A subscriber that misses more gets a snapshot instead, and a bridge
 * started later the present state.
 *
 * Signals as ExaBGP (SPEC 1.7): SIGTERM, SIGINT, SIGHUP stop; SIGUSR1 reloads the configuration;
 * SIGALRM re-establishes every session.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <event2/event.h>

#include "adjout.h"
#include "attrset.h"
#include "bus.h"
#include "bus_cli.h"
#include "events.h"
#include "listen.h"
#include "log.h"
#include "owner_session.h"
#include "routes.h"
#include "service.h"
#include "session.h"
#include "version.h"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: bgpbus-speaker --config FILE [--version] [--event-ring-mb M] [--event-ring N]\n"
            "       " BUS_CLI_USAGE "\n"
            "Bus addresses default to ipc:// sockets in $BGPBUS_RUNTIME_DIR,\n"
            "$XDG_RUNTIME_DIR/bgpbus, /run/bgpbus (root) or /tmp/bgpbus-UID.\n");
}

/* Long options without a short form (bus_cli uses 1..4). */
enum { OPT_EVENT_RING = 256, OPT_EVENT_RING_MB };

/* --event-ring N (1 to 16M events), --event-ring-mb M (1 to 64K MiB). */
static int
parse_ring(const char *opt, const char *arg, unsigned long long max, const char *unit, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || n < 1 || n > max || arg[0] == '-') {
        fprintf(stderr, "bgpbus-speaker: --%s '%s': a count of %s from 1 to %llu\n", opt, arg, unit,
                max);
        return -1;
    }
    *out = (size_t)n;
    return 0;
}

static int
speaker_add_peers(struct speaker *sp)
{
    sp->peers = calloc(sp->conf.nneighbors ? sp->conf.nneighbors : 1, sizeof(*sp->peers));
    if (!sp->peers)
        return -1;
    for (size_t i = 0; i < sp->conf.nneighbors; i++) {
        const struct conf_neighbor *c = &sp->conf.neighbors[i];
        if (c->peer_address.plen != (c->peer_address.af == AF_INET ? 32 : 128)) {
            log_error("%s:%d: neighbor %s: address ranges are not supported yet; skipped",
                      c->at.file ? c->at.file : sp->config_path, c->at.line,
                      c->peer_address.text ? c->peer_address.text : "?");
            continue;
        }
        struct peer *p = peer_new(sp, c);
        if (!p)
            return -1;
        sp->peers[sp->npeers++] = p;
    }
    return 0;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

static void
loopexit(struct speaker *sp)
{
    struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
    event_base_loopexit(sp->base, &tv); /* lets the NOTIFICATIONs and the reply leave */
}

void
speaker_request_shutdown(struct speaker *sp, const char *reason)
{
    if (sp->shutting_down)
        return;
    sp->shutting_down = true;
    log_info("shutting down: %s", reason);
    ev_speaker(sp, BGPBUS__V1__SPEAKER_LIFECYCLE_KIND__SPEAKER_LIFECYCLE_KIND_STOP, reason, 0);
    for (size_t i = 0; i < sp->npeers; i++)
        peer_shutdown(sp->peers[i], BGP_ERR_CEASE_ADMIN_SHUTDOWN, NULL, true);
    loopexit(sp);
}

void
speaker_restart(struct speaker *sp)
{
    log_info("restart: re-establishing every session");
    ev_speaker(sp, BGPBUS__V1__SPEAKER_LIFECYCLE_KIND__SPEAKER_LIFECYCLE_KIND_RESTART, NULL, 0);
    for (size_t i = 0; i < sp->npeers; i++) {
        peer_shutdown(sp->peers[i], BGP_ERR_CEASE_ADMIN_RESET, NULL, false);
        peer_start(sp->peers[i]);
    }
}

struct reload_ctx {
    struct speaker *sp;
    struct peer **keep;
    size_t nkeep;
};

static struct peer *
peer_by_cfg(struct speaker *sp, const struct conf_neighbor *c)
{
    for (size_t i = 0; i < sp->npeers; i++)
        if (sp->peers[i]->cfg == c)
            return sp->peers[i];
    return NULL;
}

static void
reload_neighbor(void *arg, const struct conf_neighbor *old_nb, const struct conf_neighbor *new_nb,
                unsigned changes)
{
    struct reload_ctx *r = arg;
    struct peer *p = old_nb ? peer_by_cfg(r->sp, old_nb) : NULL;

    if (old_nb && !new_nb) {
        if (p) {
            log_info("reload: neighbor %s removed", p->addr_text);
            peer_shutdown(p, BGP_ERR_CEASE_PEER_DECONFIGURED, NULL, true);
            peer_free(p);
        }
        return;
    }
    if (!p) {
        if (new_nb->peer_address.plen != (new_nb->peer_address.af == AF_INET ? 32 : 128))
            return;
        p = peer_new(r->sp, new_nb);
        if (!p)
            return;
        log_info("reload: neighbor %s added", p->addr_text);
        r->keep[r->nkeep++] = p;
        static_routes_apply(r->sp, p);
        peer_start(p);
        return;
    }
    peer_reconfigure(p, new_nb);
    r->keep[r->nkeep++] = p;
    if (changes & CONF_CHANGE_ROUTES)
        static_routes_apply(r->sp, p);
    if (changes & CONF_CHANGE_SESSION) {
        log_info("reload: neighbor %s changed: re-establishing", p->addr_text);
        peer_shutdown(p, BGP_ERR_CEASE_OTHER_CONFIG_CHANGE, NULL, false);
        peer_start(p);
    }
}

int
speaker_reload(struct speaker *sp)
{
    struct conf next;
    struct conf_error err;

    memset(&next, 0, sizeof(next));
    if (conf_load_file(&next, sp->config_path, 0, &err) < 0) {
        char text[640];
        conf_error_format(&err, text, sizeof(text));
        log_error("reload refused: %s", text);
        return -1;
    }
    log_info("reload: %s", sp->config_path);
    ev_speaker(sp, BGPBUS__V1__SPEAKER_LIFECYCLE_KIND__SPEAKER_LIFECYCLE_KIND_RELOAD, NULL, 0);
    struct reload_ctx r = { .sp = sp };
    r.keep = calloc(sp->npeers + next.nneighbors + 1, sizeof(*r.keep));
    if (!r.keep) {
        conf_free(&next);
        return -1;
    }
    conf_diff_neighbors(&sp->conf, &next, reload_neighbor, &r);
    for (size_t i = 0; i < sp->npeers; i++)
        if (sp->peers[i]->runtime_cfg) /* added over the bus: not the file's to change */
            r.keep[r.nkeep++] = sp->peers[i];
    free(sp->peers);
    sp->peers = r.keep;
    sp->npeers = r.nkeep;
    conf_free(&sp->conf);
    sp->conf = next; /* the tree moves with the struct; neighbors keep their addresses */
    listen_stop(sp);
    listen_start(sp);
    return 0;
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct speaker *sp = arg;
    (void)what;
    switch (sig) {
    case SIGUSR1: speaker_reload(sp); break;
    case SIGALRM: speaker_restart(sp); break;
    default: speaker_request_shutdown(sp, sigabbrev_np((int)sig)); break;
    }
}

static struct event *
add_signal(struct speaker *sp, int sig)
{
    struct event *ev = evsignal_new(sp->base, sig, signal_cb, sp);
    if (ev)
        event_add(ev, NULL);
    return ev;
}

static void
speaker_free(struct speaker *sp)
{
    for (size_t i = 0; i < sp->npeers; i++)
        peer_free(sp->peers[i]);
    free(sp->peers);
    listen_stop(sp);
    session_closing_free_all(sp);
    owner_session_free_all(sp);
    struct event *sigs[] = { sp->sig_term, sp->sig_int, sp->sig_hup, sp->sig_usr1, sp->sig_alrm };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (sigs[i])
            event_free(sigs[i]);
    if (sp->rep)
        bus_server_free(sp->rep);
    if (sp->pub)
        bus_pub_free(sp->pub);
    ev_free(sp);
    attrset_table_free(sp->attrsets);
    for (size_t i = 0; i < sp->nowners; i++)
        free(sp->owners[i]);
    free(sp->owners);
    arena_free(&sp->arena);
    conf_free(&sp->conf);
    if (sp->base)
        event_base_free(sp->base);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        BUS_CLI_LONGOPTS,
        { "config", required_argument, NULL, 'c' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { "event-ring", required_argument, NULL, OPT_EVENT_RING },
        { "event-ring-mb", required_argument, NULL, OPT_EVENT_RING_MB },
        { NULL, 0, NULL, 0 },
    };
    struct speaker sp;
    struct bus_cli cli = { 0 };
    size_t ring_events = 0, ring_mb = 0;
    int c, rc = 1;

    memset(&sp, 0, sizeof(sp));
    log_set_ident("bgpbus-speaker");
    while ((c = getopt_long(argc, argv, BUS_CLI_SHORTOPTS "c:Vh", opts, NULL)) != -1) {
        int r = bus_cli_option(&cli, "bgpbus-speaker", c, optarg);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        switch (c) {
        case 'c': sp.config_path = optarg; break;
        case 'V': printf("%s\n", bgpbus_version()); return 0;
        case OPT_EVENT_RING:
            if (parse_ring("event-ring", optarg, 1ULL << 24, "events", &ring_events) < 0)
                return 2;
            break;
        case OPT_EVENT_RING_MB:
            if (parse_ring("event-ring-mb", optarg, 1ULL << 16, "MiB", &ring_mb) < 0)
                return 2;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!sp.config_path || optind != argc) {
        usage(stderr);
        return 2;
    }

    struct conf_error err;
    if (conf_load_file(&sp.conf, sp.config_path, 0, &err) < 0) {
        char text[640];
        conf_error_format(&err, text, sizeof(text));
        fprintf(stderr, "bgpbus-speaker: %s\n", text);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    arena_init(&sp.arena, 1 << 20);
    sp.base = event_base_new();
    sp.attrsets = attrset_table_new();
    if (!sp.base || !sp.attrsets || ev_init(&sp, ring_events, ring_mb << 20) < 0) {
        log_error("out of memory at start");
        goto out;
    }
    if (getrandom(&sp.epoch, sizeof(sp.epoch), 0) != sizeof(sp.epoch) || sp.epoch == 0)
        sp.epoch = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    sp.started = speaker_now();
    speaker_owner_id(&sp, ""); /* owner 0: routes nobody claimed (and the Adj-RIB-In's) */

    struct bus_opts bo = { 0 };
    bo.tls = bus_cli_tls(&cli);
    bo.url = cli.command_url;
    int brc = bus_server_open(&sp.rep, sp.base, &bo, service_request, &sp);
    if (brc < 0) {
        log_error("cannot open the command socket %s: %s",
                  cli.command_url ? cli.command_url : "(default)", bus_strerror(brc));
        goto out;
    }
    /* Owner sessions end with the bus connection that opened them (owner_session.h). */
    if ((brc = bus_server_watch_pipes(sp.rep, owner_session_pipe_closed, &sp)) < 0) {
        log_error("cannot watch the connections of the command socket: %s", bus_strerror(brc));
        goto out;
    }
    bo.url = cli.events_url;
    brc = bus_pub_open(&sp.pub, &bo);
    if (brc < 0) {
        log_error("cannot open the events socket %s: %s",
                  cli.events_url ? cli.events_url : "(default)", bus_strerror(brc));
        goto out;
    }
    if (speaker_add_peers(&sp) < 0) {
        log_error("out of memory creating peers");
        goto out;
    }
    sp.sig_term = add_signal(&sp, SIGTERM);
    sp.sig_int = add_signal(&sp, SIGINT);
    sp.sig_hup = add_signal(&sp, SIGHUP);
    sp.sig_usr1 = add_signal(&sp, SIGUSR1);
    sp.sig_alrm = add_signal(&sp, SIGALRM);

    ev_speaker(&sp, BGPBUS__V1__SPEAKER_LIFECYCLE_KIND__SPEAKER_LIFECYCLE_KIND_START, NULL, 0);
    log_info("%s started: %zu neighbor(s) from %s", bgpbus_version(), sp.npeers, sp.config_path);
    for (size_t i = 0; i < sp.npeers; i++)
        static_routes_apply(&sp, sp.peers[i]);
    listen_start(&sp);
    for (size_t i = 0; i < sp.npeers; i++)
        peer_start(sp.peers[i]);

    event_base_dispatch(sp.base);
    rc = 0;
out:
    speaker_free(&sp);
    return rc;
}
