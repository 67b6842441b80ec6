/*
 * bus_sys_server: the speaker's half of the bus system test, as a real process.
 *
 * REP: decodes each bgpbus.v1.Request. Announce: one ItemResult per route (OK for an IPv4
 * unicast route with a next hop, INVALID_ARGUMENT with the reason otherwise). Ping: a Pong with
 * the epoch and the newest event number. Anything else: UNSUPPORTED.
 * PUB: "sync/" every 10 ms until SIGUSR1, then a burst of --burst numbered Events (epoch, seq
 * 1..N) on "ev/keepalive/192.0.2.1/" and a last one (seq N + 1) on "ev/end/", all in one go:
 * the subscriber must not keep up.
 *
 * Writes "<command port> <events port>" (0 for ipc) to --ready once listening. SIGTERM/SIGINT
 * end it cleanly (every endpoint freed: ASan checks for leaks at exit).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "bus.h"
#include "log.h"

struct server {
    struct event_base *base;
    struct bus_server *rep;
    struct bus_pub *pub;
    struct event *sync_timer;
    uint64_t epoch;
    uint64_t seq;
    uint64_t burst;
    uint64_t requests;
    uint64_t routes;
};

static double
now_unix(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The checks a speaker makes before an IPv4 unicast route enters the Adj-RIB-Out. */
static const char *
route_problem(const Bgpbus__V1__Route *r, const Bgpbus__V1__Attributes *shared)
{
    const Bgpbus__V1__Attributes *a = r->attributes != NULL ? r->attributes : shared;
    const Bgpbus__V1__Prefix *p;
    uint32_t addr;
    uint32_t mask;

    if (r->nlri == NULL || r->nlri->nlri_case != BGPBUS__V1__NLRI__NLRI_UNICAST)
        return "not a unicast route";
    p = r->nlri->unicast;
    if (!p->has_address || p->address.len != 4)
        return "not an IPv4 prefix";
    if (!p->has_length || p->length > 32)
        return "invalid prefix length";
    addr = (uint32_t)p->address.data[0] << 24 | (uint32_t)p->address.data[1] << 16 |
           (uint32_t)p->address.data[2] << 8 | p->address.data[3];
    mask = p->length == 0 ? 0 : UINT32_MAX << (32 - p->length);
    if ((addr & ~mask) != 0)
        return "invalid network (host bits set)";
    if (a == NULL || a->next_hop == NULL || !a->next_hop->has_address ||
        a->next_hop->address.len != 4)
        return "missing next-hop";
    return NULL;
}

static void
answer(struct bus_reply_handle *h, const Bgpbus__V1__Reply *reply)
{
    size_t len = bgpbus__v1__reply__get_packed_size(reply);
    uint8_t *buf = malloc(len > 0 ? len : 1);
    int rv;

    if (buf == NULL) {
        log_error("out of memory for a reply of %zu bytes", len);
        bus_reply_drop(h);
        return;
    }
    bgpbus__v1__reply__pack(reply, buf);
    if ((rv = bus_reply(h, buf, len)) != 0)
        log_error("reply: %s", bus_strerror(rv));
    free(buf);
}

static void
on_announce(struct server *s, const Bgpbus__V1__Request *req, struct bus_reply_handle *h)
{
    const Bgpbus__V1__Announce *an = req->announce;
    Bgpbus__V1__Reply reply = BGPBUS__V1__REPLY__INIT;
    Bgpbus__V1__ItemResult *items = calloc(an->n_routes > 0 ? an->n_routes : 1, sizeof(*items));
    Bgpbus__V1__ItemResult **ptrs = calloc(an->n_routes > 0 ? an->n_routes : 1, sizeof(*ptrs));
    size_t bad = 0;

    if (items == NULL || ptrs == NULL) {
        free(items);
        free(ptrs);
        bus_reply_drop(h);
        return;
    }
    for (size_t i = 0; i < an->n_routes; i++) {
        const char *why = route_problem(an->routes[i], an->attributes);

        bgpbus__v1__item_result__init(&items[i]);
        items[i].has_status = true;
        items[i].status = why == NULL ? BGPBUS__V1__STATUS__STATUS_OK
                                      : BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT;
        items[i].error = (char *)why;
        ptrs[i] = &items[i];
        bad += why != NULL;
    }
    s->routes += an->n_routes;
    reply.has_id = req->has_id;
    reply.id = req->id;
    reply.has_status = true;
    reply.status = bad == 0 ? BGPBUS__V1__STATUS__STATUS_OK : BGPBUS__V1__STATUS__STATUS_PARTIAL;
    reply.n_items = an->n_routes;
    reply.items = ptrs;
    answer(h, &reply);
    free(items);
    free(ptrs);
}

static void
on_request(struct bus_server *srv, void *arg, const uint8_t *buf, size_t len,
           struct bus_reply_handle *h)
{
    struct server *s = arg;
    Bgpbus__V1__Request *req = bgpbus__v1__request__unpack(NULL, len, buf);
    Bgpbus__V1__Reply reply = BGPBUS__V1__REPLY__INIT;
    Bgpbus__V1__Pong pong = BGPBUS__V1__PONG__INIT;

    s->requests++;
    reply.has_status = true;
    if (req == NULL) {
        reply.status = BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT;
        reply.error = "cannot decode the Request";
        answer(h, &reply);
        return;
    }
    reply.has_id = req->has_id;
    reply.id = req->id;
    switch (req->command_case) {
    case BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE: on_announce(s, req, h); break;
    case BGPBUS__V1__REQUEST__COMMAND_PING:
        pong.has_epoch = true;
        pong.epoch = s->epoch;
        pong.has_newest_seq = true;
        pong.newest_seq = s->seq;
        pong.has_time = true;
        pong.time = now_unix();
        reply.status = BGPBUS__V1__STATUS__STATUS_OK;
        reply.result_case = BGPBUS__V1__REPLY__RESULT_PONG;
        reply.pong = &pong;
        answer(h, &reply);
        break;
    default:
        reply.status = BGPBUS__V1__STATUS__STATUS_UNSUPPORTED;
        reply.error = "not in the test server";
        answer(h, &reply);
        break;
    }
    bgpbus__v1__request__free_unpacked(req, NULL);
}

static void
on_sync(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;

    bus_publish(s->pub, "sync/", NULL, 0);
}

static void
publish_event(struct server *s, const char *topic)
{
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__Keepalive ka = BGPBUS__V1__KEEPALIVE__INIT;
    uint8_t buf[128];
    size_t len;

    s->seq++;
    ev.has_epoch = ev.has_seq = ev.has_type_seq = ev.has_peer_seq = ev.has_time = true;
    ev.epoch = s->epoch;
    ev.seq = ev.type_seq = ev.peer_seq = s->seq;
    ev.time = now_unix();
    ev.body_case = BGPBUS__V1__EVENT__BODY_KEEPALIVE;
    ev.keepalive = &ka;
    len = bgpbus__v1__event__get_packed_size(&ev);
    if (len > sizeof(buf))
        abort();
    bgpbus__v1__event__pack(&ev, buf);
    /* Drops are what this test is about; bus_pub counts them. */
    bus_publish(s->pub, topic, buf, len);
}

static void
on_burst(evutil_socket_t fd, short what, void *arg)
{
    struct server *s = arg;

    evtimer_del(s->sync_timer);
    for (uint64_t i = 0; i < s->burst; i++)
        publish_event(s, "ev/keepalive/192.0.2.1/");
    /* Numbered too, and the newest: nng drops the oldest, so this one always arrives. */
    publish_event(s, "ev/end/");
    log_info("published %llu events, %llu not taken by nng", (unsigned long long)s->seq,
             (unsigned long long)bus_pub_stats(s->pub)->drops);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    event_base_loopbreak(arg);
}

static void
usage(void)
{
    fprintf(stderr, "usage: bus_sys_server --cmd URL --events URL [--burst N] [--ready FILE]\n"
                    "       [--cert PEM --key PEM [--ca PEM]]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "cmd", required_argument, NULL, 'c' },   { "events", required_argument, NULL, 'e' },
        { "burst", required_argument, NULL, 'b' }, { "ready", required_argument, NULL, 'r' },
        { "cert", required_argument, NULL, 'C' },  { "key", required_argument, NULL, 'K' },
        { "ca", required_argument, NULL, 'A' },    { NULL, 0, NULL, 0 },
    };
    struct server s = { .burst = 50000 };
    struct bus_tls tls = { 0 };
    struct bus_opts cmd = { 0 };
    struct bus_opts events = { 0 };
    const char *ready = NULL;
    struct event *sig_usr1;
    struct event *sig_term;
    struct event *sig_int;
    struct timeval tick = { 0, 10000 };
    int opt;
    int rv;

    log_set_ident("bus_sys_server");
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c': cmd.url = optarg; break;
        case 'e': events.url = optarg; break;
        case 'b': s.burst = strtoull(optarg, NULL, 10); break;
        case 'r': ready = optarg; break;
        case 'C': tls.cert = optarg; break;
        case 'K': tls.key = optarg; break;
        case 'A': tls.ca = optarg; break;
        default: usage();
        }
    }
    if (cmd.url == NULL || events.url == NULL)
        usage();
    cmd.tls = events.tls = &tls;
    s.epoch = (uint64_t)nng_random() << 32 | nng_random();
    s.base = event_base_new();
    if (s.base == NULL)
        return 1;
    if ((rv = bus_server_open(&s.rep, s.base, &cmd, on_request, &s)) != 0 ||
        (rv = bus_pub_open(&s.pub, &events)) != 0) {
        log_error("cannot start: %s", bus_strerror(rv));
        return 1;
    }
    s.sync_timer = event_new(s.base, -1, EV_PERSIST, on_sync, &s);
    sig_usr1 = evsignal_new(s.base, SIGUSR1, on_burst, &s);
    sig_term = evsignal_new(s.base, SIGTERM, on_stop, s.base);
    sig_int = evsignal_new(s.base, SIGINT, on_stop, s.base);
    if (s.sync_timer == NULL || sig_usr1 == NULL || sig_term == NULL || sig_int == NULL ||
        event_add(s.sync_timer, &tick) != 0 || event_add(sig_usr1, NULL) != 0 ||
        event_add(sig_term, NULL) != 0 || event_add(sig_int, NULL) != 0)
        return 1;
    if (ready != NULL) {
        char tmp[512];
        FILE *f;
        int cport = bus_server_port(s.rep);
        int eport = bus_pub_port(s.pub);

        /* Written whole, then renamed: the script never reads half a line. */
        snprintf(tmp, sizeof(tmp), "%s.tmp", ready);
        f = fopen(tmp, "w");
        if (f == NULL || fprintf(f, "%d %d\n", cport > 0 ? cport : 0, eport > 0 ? eport : 0) < 0 ||
            fclose(f) != 0 || rename(tmp, ready) != 0) {
            log_error("cannot write %s: %s", ready, strerror(errno));
            return 1;
        }
    }
    log_info("ready, epoch %016llx", (unsigned long long)s.epoch);
    event_base_dispatch(s.base);

    log_info("stopping: %llu requests, %llu routes, %llu events published",
             (unsigned long long)s.requests, (unsigned long long)s.routes,
             (unsigned long long)s.seq);
    event_free(sig_usr1);
    event_free(sig_term);
    event_free(sig_int);
    event_free(s.sync_timer);
    bus_server_free(s.rep);
    bus_pub_free(s.pub);
    event_base_free(s.base);
    return 0;
}
