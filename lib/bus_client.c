/*
 * bus_client: a command client, a raw REQ socket.
 *
 * nng's cooked REQ allows one request at a time per context and silently re-sends a request
 * after NNG_OPT_REQ_RESENDTIME (60 s), which would run a command twice. Raw REQ leaves both to
 * us: each request carries a 32-bit id in the message header (high bit set: the end of the
 * backtrace for REP), replies are matched by it, many may be outstanding, and a request that
 * gets no reply in time is reported to its caller as BUS_ETIMEDOUT, never sent again.
 *
 * At most BUS_CLIENT_INFLIGHT requests are on the wire at once; the rest wait here. nng 1.5.2's
 * raw REP queues at most 64 replies per connection and silently drops the rest (measured: 200
 * pipelined requests answered at once, 128 replies arrive), so the bound is what makes
 * pipelining safe.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "bus_int.h"
#include "log.h"

#define BUS_ID_END     0x80000000u
#define BUS_PENDING_HT 256 /* buckets; a power of two */

struct bus_pending {
    struct bus_client *client;
    struct bus_pending *hnext;
    struct event *timer;
    bus_reply_cb *cb;
    void *arg;
    uint32_t id;
};

struct bus_client {
    struct bus_sock bs;
    struct event_base *base; /* NULL: blocking client */
    struct bus_watch recv_watch;
    struct bus_watch send_watch;
    struct bus_msgq sendq;
    struct bus_pending *pending[BUS_PENDING_HT];
    size_t npending;
    size_t inflight; /* sent and neither answered nor timed out */
    uint32_t next_id;
    struct bus_stats stats;
    int busy;
    bool doomed;
};

static struct bus_pending **
bus_pending_slot(struct bus_client *c, uint32_t id)
{
    struct bus_pending **pp = &c->pending[id & (BUS_PENDING_HT - 1)];

    while (*pp != NULL && (*pp)->id != id)
        pp = &(*pp)->hnext;
    return pp;
}

/* Takes the request out of the table; the caller completes it. */
static struct bus_pending *
bus_pending_take(struct bus_client *c, uint32_t id)
{
    struct bus_pending **pp = bus_pending_slot(c, id);
    struct bus_pending *p = *pp;

    if (p == NULL)
        return NULL;
    *pp = p->hnext;
    p->hnext = NULL;
    c->npending--;
    return p;
}

static uint32_t
bus_client_new_id(struct bus_client *c)
{
    uint32_t id;

    do {
        id = (c->next_id++ & ~BUS_ID_END) | BUS_ID_END;
    } while (*bus_pending_slot(c, id) != NULL);
    return id;
}

static bool
bus_msg_id(nng_msg *m, uint32_t *id)
{
    const uint8_t *h = nng_msg_header(m);

    if (nng_msg_header_len(m) != 4)
        return false;
    *id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    return true;
}

static bool
bus_msg_id_is(nng_msg *m, void *arg)
{
    uint32_t id;

    return bus_msg_id(m, &id) && id == *(const uint32_t *)arg;
}

/* Calls the application, then finishes a free it asked for meanwhile. Returns false when the
 * client is gone. */
static bool
bus_pending_complete(struct bus_pending *p, int status, const uint8_t *reply, size_t len)
{
    struct bus_client *c = p->client;

    if (p->timer != NULL)
        event_free(p->timer);
    c->busy++;
    p->cb(c, p->arg, status, reply, len);
    c->busy--;
    free(p);
    if (c->doomed) {
        if (c->busy == 0)
            bus_client_free(c);
        return false;
    }
    return true;
}

static void bus_client_send_failed(nng_msg *m, int err, void *arg);

/*
 * Sends what waits, keeping at most BUS_CLIENT_INFLIGHT requests on the wire. Called from the
 * loop only: a refused send is reported through the application's callback. Returns how many it
 * sent, or BUS_WATCH_GONE when the application freed the client meanwhile.
 */
static int
bus_client_flush(struct bus_client *c)
{
    size_t room = c->inflight < BUS_CLIENT_INFLIGHT ? BUS_CLIENT_INFLIGHT - c->inflight : 0;
    int sent;

    c->busy++;
    sent = bus_msgq_flush(&c->sendq, c->bs.sock, &c->send_watch, &c->stats, room,
                          bus_client_send_failed, c);
    c->inflight += (size_t)sent;
    c->busy--;
    if (c->doomed) {
        if (c->busy == 0)
            bus_client_free(c);
        return BUS_WATCH_GONE;
    }
    return sent;
}

static void
bus_client_on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct bus_pending *p = arg;
    struct bus_client *c = p->client;
    uint32_t id = p->id;

    p = bus_pending_take(c, id);
    c->stats.timeouts++;
    /*
     * Never sent: it must not reach the server after its caller was told it failed. Sent: we
     * give up on it, and its reply, if one comes, is stale.
     */
    if (bus_msgq_remove_if(&c->sendq, bus_msg_id_is, &id) == 0 && c->inflight > 0)
        c->inflight--;
    if (!bus_pending_complete(p, BUS_ETIMEDOUT, NULL, 0))
        return;
    if (c->sendq.len > 0)
        bus_client_flush(c);
}

static int
bus_client_on_readable(void *arg)
{
    struct bus_client *c = arg;
    int n;

    for (n = 0; n < BUS_RECV_BATCH; n++) {
        struct bus_pending *p;
        nng_msg *msg;
        uint32_t id;
        int rv = nng_recvmsg(c->bs.sock, &msg, NNG_FLAG_NONBLOCK);
        bool alive;

        if (rv == NNG_EAGAIN)
            break;
        if (rv != 0) {
            log_warn("bus: receive on %s: %s", c->bs.url, nng_strerror(rv));
            break;
        }
        if (!bus_msg_id(msg, &id)) {
            c->stats.malformed++;
            nng_msg_free(msg);
            continue;
        }
        if ((p = bus_pending_take(c, id)) == NULL) {
            c->stats.stale_replies++;
            nng_msg_free(msg);
            continue;
        }
        c->stats.rx++;
        if (c->inflight > 0)
            c->inflight--;
        alive = bus_pending_complete(p, 0, nng_msg_body(msg), nng_msg_len(msg));
        nng_msg_free(msg);
        if (!alive)
            return BUS_WATCH_GONE;
    }
    /* Answers make room for requests that wait. */
    if (c->sendq.len > 0 && bus_client_flush(c) == BUS_WATCH_GONE)
        return BUS_WATCH_GONE;
    return n;
}

static void
bus_client_send_failed(nng_msg *m, int err, void *arg)
{
    struct bus_client *c = arg;
    struct bus_pending *p;
    uint32_t id;

    /* Reported now rather than at its timeout; the flush that called us is in the loop, not in
     * bus_request, so the callback is not reentrant for the caller. */
    if (bus_msg_id(m, &id) && (p = bus_pending_take(c, id)) != NULL)
        bus_pending_complete(p, err, NULL, 0);
}

static int
bus_client_on_writable(void *arg)
{
    return bus_client_flush(arg);
}

int
bus_client_open(struct bus_client **out, struct event_base *base, const struct bus_opts *opts)
{
    struct bus_client *c = calloc(1, sizeof(*c));
    int recv_fd;
    int send_fd;
    int rv;

    if (c == NULL)
        return BUS_ENOMEM;
    c->base = base;
    c->next_id = nng_random();
    bus_msgq_init(&c->sendq);
    if ((rv = bus_sock_open(&c->bs, BUS_KIND_REQ, opts)) != 0)
        goto fail;
    if (base != NULL) {
        if ((rv = bus_sock_fd(&c->bs, NNG_OPT_RECVFD, &recv_fd)) != 0 ||
            (rv = bus_sock_fd(&c->bs, NNG_OPT_SENDFD, &send_fd)) != 0)
            goto fail;
        if ((rv = bus_watch_init(&c->recv_watch, base, recv_fd, bus_client_on_readable, c,
                                 &c->stats)) != 0 ||
            (rv = bus_watch_init(&c->send_watch, base, send_fd, bus_client_on_writable, c,
                                 &c->stats)) != 0 ||
            (rv = bus_watch_start(&c->recv_watch)) != 0)
            goto fail;
    }
    *out = c;
    return 0;

fail:
    bus_client_free(c);
    return rv;
}

void
bus_client_free(struct bus_client *c)
{
    if (c == NULL)
        return;
    if (!c->doomed) {
        c->doomed = true;
        bus_watch_stop(&c->recv_watch);
        bus_watch_stop(&c->send_watch);
    }
    /* Inside a callback: the outermost one finishes the job when it returns. */
    if (c->busy > 0)
        return;
    c->busy++;
    for (size_t b = 0; b < BUS_PENDING_HT; b++) {
        struct bus_pending *p;

        while ((p = c->pending[b]) != NULL) {
            c->pending[b] = p->hnext;
            c->npending--;
            if (p->timer != NULL)
                event_free(p->timer);
            p->cb(c, p->arg, BUS_ECANCELED, NULL, 0);
            free(p);
        }
    }
    c->busy--;
    bus_watch_fini(&c->recv_watch);
    bus_watch_fini(&c->send_watch);
    bus_msgq_fini(&c->sendq);
    bus_sock_close(&c->bs);
    free(c);
}

const struct bus_stats *
bus_client_stats(const struct bus_client *c)
{
    return &c->stats;
}

int
bus_client_recv_fd(struct bus_client *c, int *fd)
{
    return bus_sock_fd(&c->bs, NNG_OPT_RECVFD, fd);
}

size_t
bus_client_pending(const struct bus_client *c)
{
    return c->npending;
}

static int
bus_request_msg(struct bus_client *c, const void *req, size_t len, uint32_t id, nng_msg **out)
{
    nng_msg *msg;
    int rv;

    if ((rv = nng_msg_alloc(&msg, len)) != 0)
        return bus_nng_err(rv);
    if (len > 0)
        memcpy(nng_msg_body(msg), req, len);
    if ((rv = nng_msg_header_append_u32(msg, id)) != 0) {
        nng_msg_free(msg);
        return bus_nng_err(rv);
    }
    *out = msg;
    return 0;
}

int
bus_request(struct bus_client *c, const void *req, size_t len, int timeout_ms, bus_reply_cb *cb,
            void *arg, uint32_t *idp)
{
    struct bus_pending *p;
    struct timeval tv;
    nng_msg *msg;
    int rv;

    if (c->base == NULL || cb == NULL || timeout_ms <= 0)
        return BUS_EINVAL;
    if (c->doomed)
        return BUS_ECLOSED;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return BUS_ENOMEM;
    p->client = c;
    p->cb = cb;
    p->arg = arg;
    p->id = bus_client_new_id(c);
    p->timer = evtimer_new(c->base, bus_client_on_timeout, p);
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
    if (p->timer == NULL || evtimer_add(p->timer, &tv) != 0) {
        rv = BUS_ENOMEM;
        goto fail;
    }
    if ((rv = bus_request_msg(c, req, len, p->id, &msg)) != 0)
        goto fail;
    if ((rv = bus_msgq_push(&c->sendq, msg)) != 0) {
        nng_msg_free(msg);
        goto fail;
    }
    *bus_pending_slot(c, p->id) = p;
    c->npending++;
    if (idp != NULL)
        *idp = p->id;
    /*
     * A send that nng refuses outright is reported by the flush through the callback; here that
     * would call back from inside bus_request. So flush directly only when nothing waits, and
     * fail this call instead.
     */
    if (c->sendq.len == 1 && c->inflight < BUS_CLIENT_INFLIGHT) {
        rv = nng_sendmsg(c->bs.sock, msg, NNG_FLAG_NONBLOCK);
        if (rv == 0) {
            bus_msgq_pop(&c->sendq);
            c->stats.tx++;
            c->inflight++;
            return 0;
        }
        if (rv != NNG_EAGAIN) {
            bus_msgq_pop(&c->sendq);
            nng_msg_free(msg);
            bus_pending_take(c, p->id);
            rv = bus_nng_err(rv);
            goto fail;
        }
        c->stats.send_full++;
        if (bus_watch_start(&c->send_watch) != 0)
            log_error("bus: cannot watch the send fd of %s", c->bs.url);
    }
    /* Otherwise what waits before it is already waiting for nng (send watch) or for answers. */
    c->stats.tx_queued++;
    return 0;

fail:
    if (p->timer != NULL)
        event_free(p->timer);
    free(p);
    return rv;
}

static int64_t
bus_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
bus_call(struct bus_client *c, const void *req, size_t len, uint8_t **reply, size_t *reply_len,
         int timeout_ms)
{
    int64_t deadline;
    nng_msg *msg;
    uint32_t id;
    int rv;

    if (c->base != NULL || timeout_ms <= 0 || reply == NULL || reply_len == NULL)
        return BUS_EINVAL;
    deadline = bus_now_ms() + timeout_ms;
    id = bus_client_new_id(c);
    if ((rv = bus_request_msg(c, req, len, id, &msg)) != 0)
        return rv;
    if ((rv = nng_socket_set_ms(c->bs.sock, NNG_OPT_SENDTIMEO, timeout_ms)) != 0 ||
        (rv = nng_sendmsg(c->bs.sock, msg, 0)) != 0) {
        nng_msg_free(msg);
        if (rv == NNG_ETIMEDOUT)
            c->stats.timeouts++;
        return bus_nng_err(rv);
    }
    c->stats.tx++;
    for (;;) {
        int64_t left = deadline - bus_now_ms();
        uint32_t got;

        if (left <= 0) {
            c->stats.timeouts++;
            return BUS_ETIMEDOUT;
        }
        if ((rv = nng_socket_set_ms(c->bs.sock, NNG_OPT_RECVTIMEO, (nng_duration)left)) != 0)
            return bus_nng_err(rv);
        rv = nng_recvmsg(c->bs.sock, &msg, 0);
        if (rv == NNG_ETIMEDOUT)
            continue; /* counted above, on the next pass */
        if (rv != 0)
            return bus_nng_err(rv);
        if (!bus_msg_id(msg, &got)) {
            c->stats.malformed++;
            nng_msg_free(msg);
            continue;
        }
        if (got != id) {
            c->stats.stale_replies++;
            nng_msg_free(msg);
            continue;
        }
        break;
    }
    *reply_len = nng_msg_len(msg);
    *reply = malloc(*reply_len > 0 ? *reply_len : 1);
    if (*reply == NULL) {
        nng_msg_free(msg);
        return BUS_ENOMEM;
    }
    memcpy(*reply, nng_msg_body(msg), *reply_len);
    nng_msg_free(msg);
    c->stats.rx++;
    return 0;
}
