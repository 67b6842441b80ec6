/*
 * bench-busceil: the bus ceiling of the benchmarks.
 *
 *   bench-busceil --command URL
 *
 * A REP server on the speaker's own bus stack (lib/bus, libevent) that does only what any
 * server must: unpack each bgpbus.v1.Request and answer it, an Announce with one OK ItemResult
 * per route like the speaker's reply. bench-inject pointed at it measures the client library,
 * protobuf and nng without BGP: what the native inject cannot beat. Prints `ready` once
 * listening and `routes N requests M` at the end (SIGTERM/SIGINT).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "bus.h"
#include "log.h"

struct ceil_server {
    uint64_t requests, routes;
    Bgpbus__V1__ItemResult ok;      /* the one OK item every route's result points to */
    Bgpbus__V1__ItemResult **items; /* BGPBUS_BATCH-sized array of pointers to `ok`, grown */
    size_t n_items;
    uint8_t *buf;
    size_t buf_len;
};

static int
grow(struct ceil_server *s, size_t n_items)
{
    if (n_items <= s->n_items)
        return 0;
    Bgpbus__V1__ItemResult **items = realloc(s->items, n_items * sizeof(*items));
    if (!items)
        return -1;
    for (size_t i = s->n_items; i < n_items; i++)
        items[i] = &s->ok;
    s->items = items;
    s->n_items = n_items;
    return 0;
}

static void
answer(struct ceil_server *s, struct bus_reply_handle *h, const Bgpbus__V1__Reply *rep)
{
    size_t len = bgpbus__v1__reply__get_packed_size(rep);

    if (len > s->buf_len) {
        uint8_t *b = realloc(s->buf, len);
        if (!b) {
            bus_reply_drop(h);
            return;
        }
        s->buf = b;
        s->buf_len = len;
    }
    bgpbus__v1__reply__pack(rep, s->buf);
    if (bus_reply(h, s->buf, len) != 0)
        log_error("reply failed");
}

static void
on_request(struct bus_server *srv, void *arg, const uint8_t *buf, size_t len,
           struct bus_reply_handle *h)
{
    struct ceil_server *s = arg;
    Bgpbus__V1__Request *req = bgpbus__v1__request__unpack(NULL, len, buf);
    Bgpbus__V1__Reply rep = BGPBUS__V1__REPLY__INIT;

    (void)srv;
    s->requests++;
    rep.has_status = true;
    rep.status = BGPBUS__V1__STATUS__STATUS_OK;
    if (!req) {
        rep.status = BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT;
        rep.error = "cannot decode the Request";
        answer(s, h, &rep);
        return;
    }
    rep.has_id = req->has_id;
    rep.id = req->id;
    if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE) {
        size_t n = req->announce->n_routes;
        if (grow(s, n) < 0) {
            rep.status = BGPBUS__V1__STATUS__STATUS_ERROR;
            rep.error = "out of memory";
        } else {
            rep.n_items = n;
            rep.items = s->items;
            s->routes += n;
        }
    } else if (req->command_case != BGPBUS__V1__REQUEST__COMMAND_PING) {
        rep.status = BGPBUS__V1__STATUS__STATUS_UNSUPPORTED;
        rep.error = "the bus ceiling server only takes announce and ping";
    }
    answer(s, h, &rep);
    bgpbus__v1__request__free_unpacked(req, NULL);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = { { "command", required_argument, NULL, 'c' },
                                              { NULL, 0, NULL, 0 } };
    struct ceil_server s = { 0 };
    struct bus_opts cmd = { 0 };
    struct bus_server *srv;
    struct event_base *base;
    struct event *sig_term, *sig_int;
    int opt, rv;

    log_set_ident("bench-busceil");
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt != 'c') {
            fprintf(stderr, "usage: bench-busceil --command URL\n");
            return 2;
        }
        cmd.url = optarg;
    }
    bgpbus__v1__item_result__init(&s.ok);
    s.ok.has_status = true;
    s.ok.status = BGPBUS__V1__STATUS__STATUS_OK;
    if (!(base = event_base_new()))
        return 1;
    if ((rv = bus_server_open(&srv, base, &cmd, on_request, &s)) != 0) {
        log_error("cannot listen: %s", bus_strerror(rv));
        event_base_free(base);
        return 1;
    }
    sig_term = evsignal_new(base, SIGTERM, on_stop, base);
    sig_int = evsignal_new(base, SIGINT, on_stop, base);
    event_add(sig_term, NULL);
    event_add(sig_int, NULL);
    printf("ready\n");
    fflush(stdout);
    event_base_dispatch(base);
    printf("routes %llu requests %llu\n", (unsigned long long)s.routes,
           (unsigned long long)s.requests);
    event_free(sig_term);
    event_free(sig_int);
    bus_server_free(srv);
    event_base_free(base);
    free(s.items);
    free(s.buf);
    return 0;
}
