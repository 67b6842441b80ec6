/*
 * bus_server: the speaker's command endpoint, a raw REP socket in the event loop.
 *
 * Raw, so that a reply may come later than the next request: nng's raw REP hands us each
 * request with its backtrace in the message header (the pipe id, then the request ids of every
 * hop down to the one with the high bit set); a reply goes back by carrying the same header.
 * The reply handle keeps that header until the application answers.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bus_int.h"
#include "log.h"

/* The backtrace holds the pipe id and at most NNG_OPT_MAXTTL (8 by default, 255 at most)
 * request ids of 4 bytes each. */
#define BUS_BACKTRACE_MAX (4 + 255 * 4)

struct bus_reply_handle {
    struct bus_server *srv; /* NULL once the server is gone */
    struct bus_reply_handle *prev;
    struct bus_reply_handle *next;
    uint32_t pipe; /* the connection the request came on */
    size_t hdr_len;
    uint8_t hdr[];
};

struct bus_server {
    struct bus_sock bs;
    struct bus_watch recv_watch;
    struct bus_watch send_watch;
    struct bus_msgq sendq;
    bus_request_cb *cb;
    void *arg;
    struct bus_reply_handle *handles; /* not yet answered */
    struct bus_stats stats;
    struct bus_pipes pipes; /* connections that close (bus_server_watch_pipes) */
    bus_pipe_closed_cb *pipe_cb;
    void *pipe_arg;
    int busy;    /* depth of callbacks into the application */
    bool doomed; /* freed from inside a callback: finish when it returns */
};

static void
bus_server_unlink(struct bus_reply_handle *h)
{
    struct bus_server *srv = h->srv;

    if (srv == NULL)
        return;
    if (h->prev != NULL)
        h->prev->next = h->next;
    else
        srv->handles = h->next;
    if (h->next != NULL)
        h->next->prev = h->prev;
    h->prev = h->next = NULL;
    h->srv = NULL;
}

static void
bus_server_destroy(struct bus_server *srv)
{
    bus_watch_fini(&srv->recv_watch);
    bus_watch_fini(&srv->send_watch);
    /* Unsent replies go with the socket: their clients' timeouts report them. */
    if (srv->sendq.len > 0)
        log_warn("bus: %zu replies unsent at close of %s", srv->sendq.len, srv->bs.url);
    bus_msgq_fini(&srv->sendq);
    bus_pipes_fini(&srv->pipes, &srv->bs);
    bus_sock_close(&srv->bs);
    free(srv);
}

/* Valid requests start with the pipe id and end with a request id with the high bit set. */
static bool
bus_backtrace_valid(const uint8_t *hdr, size_t len)
{
    return len >= 8 && len <= BUS_BACKTRACE_MAX && len % 4 == 0 && (hdr[len - 4] & 0x80) != 0;
}

static int
bus_server_on_readable(void *arg)
{
    struct bus_server *srv = arg;
    int n;

    for (n = 0; n < BUS_RECV_BATCH; n++) {
        struct bus_reply_handle *h;
        nng_msg *msg;
        size_t hdr_len;
        int rv = nng_recvmsg(srv->bs.sock, &msg, NNG_FLAG_NONBLOCK);

        if (rv == NNG_EAGAIN)
            break;
        if (rv != 0) {
            log_warn("bus: receive on %s: %s", srv->bs.url, nng_strerror(rv));
            break;
        }
        hdr_len = nng_msg_header_len(msg);
        if (!bus_backtrace_valid(nng_msg_header(msg), hdr_len)) {
            srv->stats.malformed++;
            nng_msg_free(msg);
            continue;
        }
        h = malloc(sizeof(*h) + hdr_len);
        if (h == NULL) {
            /* The client's timeout reports it; better than dying. */
            log_error("bus: out of memory for a request on %s", srv->bs.url);
            nng_msg_free(msg);
            continue;
        }
        memcpy(h->hdr, nng_msg_header(msg), hdr_len);
        h->hdr_len = hdr_len;
        h->pipe = (uint32_t)nng_pipe_id(nng_msg_get_pipe(msg));
        h->srv = srv;
        h->prev = NULL;
        h->next = srv->handles;
        if (srv->handles != NULL)
            srv->handles->prev = h;
        srv->handles = h;
        srv->stats.rx++;

        srv->busy++;
        srv->cb(srv, srv->arg, nng_msg_body(msg), nng_msg_len(msg), h);
        srv->busy--;
        nng_msg_free(msg);
        if (srv->doomed) {
            if (srv->busy == 0)
                bus_server_destroy(srv);
            return BUS_WATCH_GONE;
        }
    }
    return n;
}

static int
bus_server_on_writable(void *arg)
{
    struct bus_server *srv = arg;

    return bus_msgq_flush(&srv->sendq, srv->bs.sock, &srv->send_watch, &srv->stats, SIZE_MAX, NULL,
                          NULL);
}

int
bus_server_open(struct bus_server **out, struct event_base *base, const struct bus_opts *opts,
                bus_request_cb *cb, void *arg)
{
    struct bus_server *srv;
    int recv_fd;
    int send_fd;
    int rv;

    if (base == NULL || cb == NULL)
        return BUS_EINVAL;
    srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return BUS_ENOMEM;
    srv->cb = cb;
    srv->arg = arg;
    srv->pipes = (struct bus_pipes){ .rfd = -1, .wfd = -1 };
    bus_msgq_init(&srv->sendq);
    if ((rv = bus_sock_open(&srv->bs, BUS_KIND_REP, opts)) != 0)
        goto fail;
    if ((rv = bus_sock_fd(&srv->bs, NNG_OPT_RECVFD, &recv_fd)) != 0 ||
        (rv = bus_sock_fd(&srv->bs, NNG_OPT_SENDFD, &send_fd)) != 0)
        goto fail;
    if ((rv = bus_watch_init(&srv->recv_watch, base, recv_fd, bus_server_on_readable, srv,
                             &srv->stats)) != 0 ||
        (rv = bus_watch_init(&srv->send_watch, base, send_fd, bus_server_on_writable, srv,
                             &srv->stats)) != 0 ||
        (rv = bus_watch_start(&srv->recv_watch)) != 0)
        goto fail;
    *out = srv;
    return 0;

fail:
    bus_server_destroy(srv);
    return rv;
}

void
bus_server_free(struct bus_server *srv)
{
    if (srv == NULL || srv->doomed)
        return;
    while (srv->handles != NULL)
        bus_server_unlink(srv->handles);
    bus_watch_stop(&srv->recv_watch);
    bus_watch_stop(&srv->send_watch);
    if (srv->busy > 0) {
        srv->doomed = true;
        return;
    }
    bus_server_destroy(srv);
}

const struct bus_stats *
bus_server_stats(const struct bus_server *srv)
{
    return &srv->stats;
}

int
bus_server_port(const struct bus_server *srv)
{
    return bus_sock_port(&srv->bs);
}

int
bus_reply(struct bus_reply_handle *h, const void *reply, size_t len)
{
    struct bus_server *srv = h->srv;
    nng_msg *msg;
    int rv;

    if (srv == NULL) {
        free(h);
        return BUS_ECLOSED;
    }
    bus_server_unlink(h);
    if ((rv = nng_msg_alloc(&msg, len)) != 0) {
        free(h);
        return bus_nng_err(rv);
    }
    if (len > 0)
        memcpy(nng_msg_body(msg), reply, len);
    rv = nng_msg_header_append(msg, h->hdr, h->hdr_len);
    free(h);
    if (rv != 0) {
        nng_msg_free(msg);
        return bus_nng_err(rv);
    }
    if ((rv = bus_msgq_push(&srv->sendq, msg)) != 0) {
        nng_msg_free(msg);
        return rv;
    }
    /* Order is kept: a reply goes out only after those that wait before it. */
    bus_msgq_flush(&srv->sendq, srv->bs.sock, &srv->send_watch, &srv->stats, SIZE_MAX, NULL, NULL);
    if (srv->sendq.len > 0)
        srv->stats.tx_queued++; /* ours is the last in the queue: it waits */
    return 0;
}

void
bus_reply_drop(struct bus_reply_handle *h)
{
    if (h == NULL)
        return;
    bus_server_unlink(h);
    free(h);
}

uint32_t
bus_reply_pipe(const struct bus_reply_handle *h)
{
    return h->pipe;
}

static void
bus_server_on_pipe_closed(void *arg, uint32_t pipe_id)
{
    struct bus_server *srv = arg;

    srv->pipe_cb(srv, srv->pipe_arg, pipe_id);
}

int
bus_server_watch_pipes(struct bus_server *srv, bus_pipe_closed_cb *cb, void *arg)
{
    if (cb == NULL || srv->pipes.key != 0)
        return BUS_EINVAL;
    srv->pipe_cb = cb;
    srv->pipe_arg = arg;
    return bus_pipes_init(&srv->pipes, event_get_base(srv->recv_watch.ev), &srv->bs,
                          bus_server_on_pipe_closed, srv);
}
