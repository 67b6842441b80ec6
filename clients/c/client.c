/*
 * client.c: the connection to a speaker and its requests.
 *
 * Requests are pipelined on one REQ connection driven by a private libevent loop: a batch of
 * routes goes out as many requests at once (up to BUS_CLIENT_INFLIGHT on the wire, the bound
 * nng 1.5.2's raw REP needs), which is what makes a 100k-line `load` take a second rather than
 * a minute. Blocking calls are the same requests followed by running the loop until answered.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "client_int.h"

/* Why the last bgpbus_client_open() failed: there is no client to ask. */
static _Thread_local char open_error[512];

const char *
bgpbus_strerror(int err)
{
    switch (err) {
    case BGPBUS_OK: return "ok";
    case BGPBUS_E_INVALID: return "invalid argument";
    case BGPBUS_E_CONNECT: return "cannot connect to the speaker";
    case BGPBUS_E_TIMEOUT: return "the speaker did not answer in time";
    case BGPBUS_E_REJECTED: return "refused by the speaker";
    case BGPBUS_E_PARTIAL: return "some items were refused";
    case BGPBUS_E_PROTO: return "a message from the speaker does not decode";
    case BGPBUS_E_NOMEM: return "out of memory";
    case BGPBUS_E_BUS: return "bus failure";
    case BGPBUS_E_CLOSED: return "the client was closed before the reply";
    case BGPBUS_E_NO_NEIGHBOR: return "no such neighbor";
    default: return "unknown error";
    }
}

void
client_set_error(struct bgpbus_client *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
}

int64_t
client_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
client_bus_error(struct bgpbus_client *c, int bus_err, const char *what)
{
    client_set_error(c, "%s: %s", what, bus_strerror(bus_err));
    switch (bus_err) {
    case BUS_ETIMEDOUT: return BGPBUS_E_TIMEOUT;
    case BUS_ENOMEM: return BGPBUS_E_NOMEM;
    case BUS_EINVAL: return BGPBUS_E_INVALID;
    case BUS_ECANCELED: return BGPBUS_E_CLOSED;
    default: break;
    }
    /* nng reports an absent ipc socket or a refused TCP connection as these. */
    if (bus_err == -NNG_ECONNREFUSED || bus_err == -NNG_ENOENT || bus_err == -NNG_EADDRINVAL ||
        bus_err == -NNG_ECONNSHUT || bus_err == -NNG_EPEERAUTH || bus_err == -NNG_ECRYPTO ||
        bus_err == -NNG_EUNREACHABLE || bus_err == -NNG_ECONNRESET)
        return BGPBUS_E_CONNECT;
    return BGPBUS_E_BUS;
}

int
client_reply_status(struct bgpbus_client *c, const Bgpbus__V1__Reply *rep)
{
    if (!rep->has_status || rep->status == BGPBUS__V1__STATUS__STATUS_OK) {
        c->error[0] = 0;
        return 0;
    }
    client_set_error(c, "%s", rep->error && *rep->error ? rep->error : "request refused");
    if (rep->status == BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR)
        return BGPBUS_E_NO_NEIGHBOR;
    return rep->status == BGPBUS__V1__STATUS__STATUS_PARTIAL ? BGPBUS_E_PARTIAL : BGPBUS_E_REJECTED;
}

static char *
dup_or_null(const char *s, bool *failed)
{
    char *d;

    if (!s)
        return NULL;
    if (!(d = strdup(s)))
        *failed = true;
    return d;
}

int
bgpbus_client_open(bgpbus_client **out, const struct bgpbus_options *opts)
{
    static const struct bgpbus_options defaults = { 0 };
    struct bgpbus_client *c;
    bool oom = false;
    int rc;

    if (!out)
        return BGPBUS_E_INVALID;
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (!(c = calloc(1, sizeof(*c))))
        return BGPBUS_E_NOMEM;
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
    c->command_url = dup_or_null(opts->command_url, &oom);
    c->events_url = dup_or_null(opts->events_url, &oom);
    c->owner = dup_or_null(opts->owner, &oom);
    if (opts->tls) {
        c->tls.cert = dup_or_null(opts->tls->cert, &oom);
        c->tls.key = dup_or_null(opts->tls->key, &oom);
        c->tls.ca = dup_or_null(opts->tls->ca, &oom);
        c->tls.server_name = dup_or_null(opts->tls->server_name, &oom);
    }
    c->sub_sock.sock = (nng_socket)NNG_SOCKET_INITIALIZER;
    if (oom || !(c->base = event_base_new())) {
        bgpbus_client_close(c);
        return BGPBUS_E_NOMEM;
    }
    c->req_opts = (struct bus_opts){ .url = c->command_url, .tls = opts->tls ? &c->tls : NULL };
    c->ev_opts = (struct bus_opts){ .url = c->events_url, .tls = opts->tls ? &c->tls : NULL };
    if ((rc = bus_client_open(&c->req, c->base, &c->req_opts)) < 0) {
        char url[600];
        if (c->command_url || bus_default_url(BUS_CHANNEL_COMMAND, url, sizeof(url)) != 0)
            snprintf(url, sizeof(url), "%s", c->command_url ? c->command_url : "?");
        int err = client_bus_error(c, rc, url);
        if (err == BGPBUS_E_BUS)
            err = BGPBUS_E_CONNECT;
        snprintf(open_error, sizeof(open_error), "%s", c->error);
        bgpbus_client_close(c);
        return err;
    }
    *out = c;
    return 0;
}

void
bgpbus_client_close(bgpbus_client *c)
{
    if (!c)
        return;
    client_events_close(c);
    if (c->req)
        bus_client_free(c->req); /* cancels what is outstanding: callbacks see ECANCELED */
    client_async_close(c);
    if (c->base)
        event_base_free(c->base);
    free(c->command_url);
    free(c->events_url);
    free(c->owner);
    free((char *)c->tls.cert);
    free((char *)c->tls.key);
    free((char *)c->tls.ca);
    free((char *)c->tls.server_name);
    free(c);
}

const char *
bgpbus_client_error(const bgpbus_client *c)
{
    return c ? c->error : open_error;
}

/* ---- pipelined requests ---------------------------------------------------------------------- */

struct pending {
    struct bgpbus_client *c;
    client_reply_fn *cb;
    void *arg;
};

static void
on_reply(struct bus_client *bc, void *arg, int status, const uint8_t *reply, size_t len)
{
    struct pending *p = arg;
    struct bgpbus_client *c = p->c;

    (void)bc;
    if (status < 0) {
        int err = client_bus_error(c, status, "request");
        p->cb(c, p->arg, err, NULL);
    } else {
        Bgpbus__V1__Reply *rep = bgpbus__v1__reply__unpack(NULL, len, reply);
        if (!rep) {
            client_set_error(c, "the reply does not decode as bgpbus.v1.Reply");
            p->cb(c, p->arg, BGPBUS_E_PROTO, NULL);
        } else {
            p->cb(c, p->arg, 0, rep);
            bgpbus__v1__reply__free_unpacked(rep, NULL);
        }
    }
    free(p);
}

int
client_encode(struct bgpbus_client *c, Bgpbus__V1__Request *req, uint8_t **buf, size_t *len)
{
    req->has_id = true;
    req->id = ++c->next_id;
    if (!req->owner && c->owner)
        req->owner = c->owner;
    *len = bgpbus__v1__request__get_packed_size(req);
    if (!(*buf = malloc(*len ? *len : 1))) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    bgpbus__v1__request__pack(req, *buf);
    /* Any request of the owner is a heartbeat (owner_session.h in the speaker). */
    if (req->owner && c->owner && strcmp(req->owner, c->owner) == 0)
        c->last_heartbeat_ms = client_now_ms();
    return 0;
}

int
client_send(struct bgpbus_client *c, Bgpbus__V1__Request *req, client_reply_fn *cb, void *arg)
{
    struct pending *p;
    uint8_t *buf;
    size_t len;
    int rc;

    /* Keep the wire below the in-flight bound; the rest waits here, not in memory. */
    while (bus_client_pending(c->req) >= BUS_CLIENT_INFLIGHT)
        if (event_base_loop(c->base, EVLOOP_ONCE) < 0)
            return BGPBUS_E_BUS;
    if (!(p = malloc(sizeof(*p)))) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    if ((rc = client_encode(c, req, &buf, &len)) < 0) {
        free(p);
        return rc;
    }
    *p = (struct pending){ .c = c, .cb = cb, .arg = arg };
    rc = bus_request(c->req, buf, len, c->timeout_ms, on_reply, p, NULL);
    free(buf);
    if (rc < 0) {
        free(p);
        return client_bus_error(c, rc, "request");
    }
    return 0;
}

int
client_drain(struct bgpbus_client *c)
{
    /* bgpbus_submit() requests share the connection; their callbacks wait for dispatch. */
    while (bus_client_pending(c->req) > c->async_inflight)
        if (event_base_loop(c->base, EVLOOP_ONCE) < 0)
            return BGPBUS_E_BUS;
    return 0;
}

/* ---- the raw escape hatch ------------------------------------------------------------------- */

struct one_call {
    int status;
    Bgpbus__V1__Reply **reply;
};

static void
one_reply(struct bgpbus_client *c, void *arg, int status, const Bgpbus__V1__Reply *rep)
{
    struct one_call *oc = arg;
    (void)c;
    oc->status = status;
    if (status == 0) {
        /* rep is freed after the callback: keep a copy by packing it again. */
        size_t len = bgpbus__v1__reply__get_packed_size(rep);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf) {
            oc->status = BGPBUS_E_NOMEM;
            return;
        }
        bgpbus__v1__reply__pack(rep, buf);
        *oc->reply = bgpbus__v1__reply__unpack(NULL, len, buf);
        free(buf);
        if (!*oc->reply)
            oc->status = BGPBUS_E_NOMEM;
    }
}

int
bgpbus_request(bgpbus_client *c, struct Bgpbus__V1__Request *req, struct Bgpbus__V1__Reply **reply)
{
    struct one_call oc = { .status = BGPBUS_E_BUS, .reply = reply };
    int rc;

    if (!c || !req || !reply)
        return BGPBUS_E_INVALID;
    *reply = NULL;
    if ((rc = client_send(c, req, one_reply, &oc)) < 0)
        return rc;
    if ((rc = client_drain(c)) < 0)
        return rc;
    return oc.status;
}

void
bgpbus_reply_free(struct Bgpbus__V1__Reply *reply)
{
    if (reply)
        bgpbus__v1__reply__free_unpacked(reply, NULL);
}

/* A request whose reply only matters by its status. */
static int
simple_call(struct bgpbus_client *c, Bgpbus__V1__Request *req, Bgpbus__V1__Reply **keep)
{
    Bgpbus__V1__Reply *rep;
    int rc = bgpbus_request(c, req, &rep);

    if (rc < 0)
        return rc;
    rc = client_reply_status(c, rep);
    if (keep)
        *keep = rep;
    else
        bgpbus_reply_free(rep);
    return rc;
}

/* ---- routes --------------------------------------------------------------------------------- */

struct batch_ctx {
    struct bgpbus_result *results; /* the batch's first result, or NULL */
    size_t *map; /* reply item -> index in results (invalid routes are not sent) */
    size_t n;    /* items sent */
    int *worst;
};

void
client_result_set(struct bgpbus_result *r, int status, const char *error)
{
    const char *why = status ? (error ? error : "failed") : "";
    size_t n = strnlen(why, sizeof(r->error) - 1);

    r->status = status;
    memcpy(r->error, why, n); /* truncated to the field, on purpose */
    r->error[n] = 0;
}

void
client_batch_results(struct bgpbus_client *c, int status, const Bgpbus__V1__Reply *rep,
                     struct bgpbus_result *results, const size_t *map, size_t n, int *worst)
{
    int whole = status;

    if (whole == 0 && rep->has_status && rep->status != BGPBUS__V1__STATUS__STATUS_OK &&
        rep->status != BGPBUS__V1__STATUS__STATUS_PARTIAL)
        whole = client_reply_status(c, rep);
    if (whole < 0) {
        if (*worst == 0 || *worst == BGPBUS_E_PARTIAL)
            *worst = whole;
        for (size_t i = 0; results && i < n; i++)
            client_result_set(&results[map[i]], whole, c->error);
    } else {
        for (size_t i = 0; i < n; i++) {
            const Bgpbus__V1__ItemResult *it = i < rep->n_items ? rep->items[i] : NULL;
            bool ok = !it || !it->has_status || it->status == BGPBUS__V1__STATUS__STATUS_OK;
            if (!ok && *worst == 0)
                *worst = BGPBUS_E_PARTIAL;
            if (results)
                client_result_set(&results[map[i]],
                                  ok ? 0
                                  : it->status == BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT
                                      ? BGPBUS_E_INVALID
                                      : BGPBUS_E_REJECTED,
                                  it ? it->error : NULL);
        }
    }
}

static void
batch_reply(struct bgpbus_client *c, void *arg, int status, const Bgpbus__V1__Reply *rep)
{
    struct batch_ctx *b = arg;

    client_batch_results(c, status, rep, b->results, b->map, b->n, b->worst);
    free(b->map);
    free(b);
}

int
client_routes_request(struct bgpbus_client *c, const char *neighbor,
                      const struct bgpbus_route *routes, size_t cnt, bool announce,
                      struct arena *arena, Bgpbus__V1__Request *req, size_t *map, size_t *sent,
                      struct bgpbus_result *results, int *worst)
{
    Bgpbus__V1__Route **rv = arena_calloc(arena, cnt ? cnt : 1, sizeof(*rv));
    Bgpbus__V1__Announce *ann = arena_alloc(arena, sizeof(*ann));
    Bgpbus__V1__Withdraw *wd = arena_alloc(arena, sizeof(*wd));

    if (!rv || !ann || !wd)
        return BGPBUS_E_NOMEM;
    *sent = 0;
    /* A route that cannot be encoded is refused alone; the rest of the batch goes. */
    for (size_t i = 0; i < cnt; i++) {
        const char *why = NULL;
        if ((rv[*sent] = client_route_pb(&routes[i], announce, arena, &why))) {
            map[(*sent)++] = i;
            continue;
        }
        if (*worst == 0)
            *worst = BGPBUS_E_PARTIAL;
        if (results)
            client_result_set(&results[i], BGPBUS_E_INVALID, why);
    }
    if (neighbor && !(req->neighbors = client_selector_pb(neighbor, arena))) {
        client_set_error(c, "bad neighbor address %s", neighbor);
        return BGPBUS_E_INVALID;
    }
    if (announce) {
        bgpbus__v1__announce__init(ann);
        ann->routes = rv;
        ann->n_routes = *sent;
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE;
        req->announce = ann;
    } else {
        bgpbus__v1__withdraw__init(wd);
        wd->routes = rv;
        wd->n_routes = *sent;
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_WITHDRAW;
        req->withdraw = wd;
    }
    return 0;
}

static int
routes_call(struct bgpbus_client *c, const char *neighbor, const struct bgpbus_route *routes,
            size_t n, struct bgpbus_result *results, bool announce)
{
    struct arena arena;
    int worst = 0, rc = 0;

    if (!c || (n && !routes))
        return BGPBUS_E_INVALID;
    arena_init(&arena, 64 * 1024);
    for (size_t done = 0; done < n && rc == 0; done += BGPBUS_BATCH) {
        size_t cnt = n - done < BGPBUS_BATCH ? n - done : BGPBUS_BATCH;
        Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
        struct batch_ctx *b;
        size_t *map, sent = 0;

        arena_reset(&arena);
        if (!(map = malloc(cnt * sizeof(*map)))) {
            rc = BGPBUS_E_NOMEM;
            break;
        }
        rc = client_routes_request(c, neighbor, routes + done, cnt, announce, &arena, &req, map,
                                   &sent, results ? results + done : NULL, &worst);
        if (rc < 0 || sent == 0) {
            free(map);
            continue;
        }
        if (!(b = malloc(sizeof(*b)))) {
            free(map);
            rc = BGPBUS_E_NOMEM;
            break;
        }
        *b = (struct batch_ctx){
            .results = results ? results + done : NULL, .map = map, .n = sent, .worst = &worst
        };
        if ((rc = client_send(c, &req, batch_reply, b)) < 0) {
            free(map);
            free(b);
        }
    }
    arena_free(&arena);
    /* Even after a local failure, what was sent is waited for: its results are written. */
    int drc = client_drain(c);
    if (rc < 0)
        return rc;
    if (drc < 0)
        return drc;
    if (worst == BGPBUS_E_PARTIAL)
        client_set_error(c, "some routes were refused (see the per-route results)");
    return worst;
}

int
bgpbus_announce(bgpbus_client *c, const char *neighbor, const struct bgpbus_route *routes, size_t n,
                struct bgpbus_result *results)
{
    return routes_call(c, neighbor, routes, n, results, true);
}

int
bgpbus_withdraw(bgpbus_client *c, const char *neighbor, const struct bgpbus_route *routes, size_t n,
                struct bgpbus_result *results)
{
    return routes_call(c, neighbor, routes, n, results, false);
}

int
bgpbus_withdraw_owner(bgpbus_client *c, const char *owner, uint64_t *count)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__WithdrawOwner wo = BGPBUS__V1__WITHDRAW_OWNER__INIT;
    Bgpbus__V1__Reply *rep = NULL;
    int rc;

    if (!c || (!owner && !c->owner))
        return BGPBUS_E_INVALID;
    wo.owner = (char *)(owner ? owner : c->owner);
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_WITHDRAW_OWNER;
    req.withdraw_owner = &wo;
    rc = simple_call(c, &req, &rep);
    if (rep && count)
        *count = rep->owner_withdrawn && rep->owner_withdrawn->has_routes
                     ? rep->owner_withdrawn->routes
                     : 0;
    bgpbus_reply_free(rep);
    return rc;
}

/* ---- owner session -------------------------------------------------------------------------- */

int
bgpbus_owner_session(bgpbus_client *c, unsigned heartbeat_s)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__OwnerSession os = BGPBUS__V1__OWNER_SESSION__INIT;
    int rc;

    if (!c || !c->owner || heartbeat_s == 0) {
        if (c)
            client_set_error(c, "an owner session needs an owner and a heartbeat");
        return BGPBUS_E_INVALID;
    }
    os.has_withdraw_on_disconnect = true;
    os.withdraw_on_disconnect = true;
    os.has_heartbeat = true;
    os.heartbeat = heartbeat_s;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_OWNER_SESSION;
    req.owner_session = &os;
    if ((rc = simple_call(c, &req, NULL)) == 0)
        c->heartbeat_s = heartbeat_s;
    return rc;
}

int
bgpbus_heartbeat(bgpbus_client *c)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Ping ping = BGPBUS__V1__PING__INIT;

    if (!c)
        return BGPBUS_E_INVALID;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_PING;
    req.ping = &ping;
    return simple_call(c, &req, NULL);
}
