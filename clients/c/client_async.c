/*
 * client_async.c: requests that do not block, for programs with an event loop of their own.
 *
 * They travel on the same pipelined connection as the blocking calls (client.c): the private
 * libevent loop receives their replies and runs their timeouts whenever it runs, inside
 * bgpbus_dispatch() or inside a blocking call. A reply only moves the request to the "done"
 * list, with the reply's bytes; its callback runs from bgpbus_dispatch(), so user code never
 * runs inside a blocking call or inside the loop, and may itself call the library.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "client_int.h"

struct client_async {
    struct client_async *prev, *next;
    struct bgpbus_client *c;
    bgpbus_reply_cb *cb;
    void *arg;
    int64_t deadline_ms;
    int status;     /* once done */
    uint8_t *reply; /* once done with status 0: the Reply's bytes */
    size_t len;
};

static void
list_unlink(struct client_async **head, struct client_async **tail, struct client_async *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        *head = a->next;
    if (a->next)
        a->next->prev = a->prev;
    else
        *tail = a->prev;
    a->prev = a->next = NULL;
}

static void
list_append(struct client_async **head, struct client_async **tail, struct client_async *a)
{
    a->prev = *tail;
    a->next = NULL;
    if (*tail)
        (*tail)->next = a;
    else
        *head = a;
    *tail = a;
}

/* The bus's callback, inside the private loop: keep the outcome for bgpbus_dispatch(). */
static void
on_bus_reply(struct bus_client *bc, void *arg, int status, const uint8_t *reply, size_t len)
{
    struct client_async *a = arg;
    struct bgpbus_client *c = a->c;

    (void)bc;
    list_unlink(&c->async_head, &c->async_tail, a);
    c->async_inflight--;
    a->status = status < 0 ? client_bus_error(c, status, "request") : 0;
    if (status == 0 && !(a->reply = malloc(len ? len : 1)))
        a->status = BGPBUS_E_NOMEM;
    else if (status == 0) {
        memcpy(a->reply, reply, len);
        a->len = len;
    }
    list_append(&c->done_head, &c->done_tail, a);
}

int
bgpbus_submit(bgpbus_client *c, struct Bgpbus__V1__Request *req, bgpbus_reply_cb *cb, void *arg)
{
    struct client_async *a;
    uint8_t *buf;
    size_t len;
    int rc;

    if (!c || !req || !cb)
        return BGPBUS_E_INVALID;
    if (!(a = calloc(1, sizeof(*a)))) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    if ((rc = client_encode(c, req, &buf, &len)) < 0) {
        free(a);
        return rc;
    }
    *a = (struct client_async){
        .c = c, .cb = cb, .arg = arg, .deadline_ms = client_now_ms() + c->timeout_ms
    };
    /* Never calls back from inside (bus.h): the list is updated before any reply. */
    rc = bus_request(c->req, buf, len, c->timeout_ms, on_bus_reply, a, NULL);
    free(buf);
    if (rc < 0) {
        free(a);
        return client_bus_error(c, rc, "request");
    }
    /* Every request has the same timeout: appending keeps the list in deadline order. */
    list_append(&c->async_head, &c->async_tail, a);
    c->async_inflight++;
    return 0;
}

/* ---- routes ------------------------------------------------------------------------------- */

struct routes_async {
    bgpbus_routes_cb *cb;
    void *arg;
    int worst;   /* BGPBUS_E_PARTIAL already when a route did not encode */
    size_t n;    /* routes given */
    size_t sent; /* items of the request */
    size_t *map; /* item -> route */
    struct bgpbus_result results[];
};

static void
routes_done(bgpbus_client *c, void *arg, int status, const struct Bgpbus__V1__Reply *reply)
{
    struct routes_async *r = arg;

    client_batch_results(c, status, reply, r->results, r->map, r->sent, &r->worst);
    r->cb(c, r->arg, r->worst, r->results, r->n);
    free(r->map);
    free(r);
}

static int
routes_async(bgpbus_client *c, const char *neighbor, const struct bgpbus_route *routes, size_t n,
             bgpbus_routes_cb *cb, void *arg, bool announce)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    struct routes_async *r;
    struct arena arena;
    int rc;

    if (!c || !cb || n == 0 || !routes || n > BGPBUS_BATCH) {
        if (c)
            client_set_error(c, "1 to %d routes and a callback are needed", BGPBUS_BATCH);
        return BGPBUS_E_INVALID;
    }
    if (!(r = calloc(1, sizeof(*r) + n * sizeof(r->results[0]))) ||
        !(r->map = malloc(n * sizeof(*r->map)))) {
        free(r);
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    *r = (struct routes_async){ .cb = cb, .arg = arg, .n = n, .map = r->map };
    arena_init(&arena, 64 * 1024);
    rc = client_routes_request(c, neighbor, routes, n, announce, &arena, &req, r->map, &r->sent,
                               r->results, &r->worst);
    /* Routes that all fail to encode still get their callback, from bgpbus_dispatch(), with
     * an empty request the speaker answers. */
    if (rc == 0)
        rc = bgpbus_submit(c, &req, routes_done, r);
    arena_free(&arena);
    if (rc < 0) {
        free(r->map);
        free(r);
    }
    return rc;
}

int
bgpbus_announce_async(bgpbus_client *c, const char *neighbor, const struct bgpbus_route *routes,
                      size_t n, bgpbus_routes_cb *cb, void *arg)
{
    return routes_async(c, neighbor, routes, n, cb, arg, true);
}

int
bgpbus_withdraw_async(bgpbus_client *c, const char *neighbor, const struct bgpbus_route *routes,
                      size_t n, bgpbus_routes_cb *cb, void *arg)
{
    return routes_async(c, neighbor, routes, n, cb, arg, false);
}

/* ---- the event loop's side ------------------------------------------------------------------ */

int
bgpbus_request_fd(bgpbus_client *c)
{
    int fd;

    if (!c)
        return BGPBUS_E_INVALID;
    int rv = bus_client_recv_fd(c->req, &fd);
    return rv < 0 ? client_bus_error(c, rv, "request fd") : fd;
}

int
bgpbus_timeout_ms(bgpbus_client *c)
{
    if (!c || c->done_head)
        return 0;
    if (!c->async_head)
        return -1;
    int64_t left = c->async_head->deadline_ms - client_now_ms();
    /* +1: poll() rounds down, and the loop's timer must be due when we come back. */
    return left < 0 ? 0 : left >= INT32_MAX ? INT32_MAX : (int)left + 1;
}

/* Runs one done request's callback and frees it. */
static void
complete(struct bgpbus_client *c, struct client_async *a)
{
    Bgpbus__V1__Reply *rep = NULL;
    int status = a->status;

    if (status == 0 && !(rep = bgpbus__v1__reply__unpack(NULL, a->len, a->reply))) {
        client_set_error(c, "the reply does not decode as bgpbus.v1.Reply");
        status = BGPBUS_E_PROTO;
    }
    a->cb(c, a->arg, status, rep);
    if (rep)
        bgpbus__v1__reply__free_unpacked(rep, NULL);
    free(a->reply);
    free(a);
}

int
bgpbus_dispatch(bgpbus_client *c)
{
    int ran = 0;

    if (!c)
        return BGPBUS_E_INVALID;
    if (c->async_head && event_base_loop(c->base, EVLOOP_NONBLOCK) < 0) {
        client_set_error(c, "the event loop failed");
        return BGPBUS_E_BUS;
    }
    /* Only what is done now: replies that come while callbacks run wait for the next call. */
    size_t now = 0;
    for (const struct client_async *a = c->done_head; a; a = a->next)
        now++;
    for (; now > 0 && c->done_head; now--, ran++) {
        struct client_async *a = c->done_head;
        list_unlink(&c->done_head, &c->done_tail, a);
        complete(c, a);
    }
    return ran;
}

size_t
bgpbus_pending(const bgpbus_client *c)
{
    size_t n = 0;

    if (!c)
        return 0;
    n = c->async_inflight;
    for (const struct client_async *a = c->done_head; a; a = a->next)
        n++;
    return n;
}

void
client_async_close(struct bgpbus_client *c)
{
    /* bus_client_free() has ended every request: all are on the done list now. */
    while (c->done_head) {
        struct client_async *a = c->done_head;
        list_unlink(&c->done_head, &c->done_tail, a);
        free(a->reply);
        a->reply = NULL;
        a->status = BGPBUS_E_CLOSED;
        complete(c, a);
    }
}
