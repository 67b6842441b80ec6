/*
 * bus_sub: an event subscriber, a SUB socket in the event loop. Splits each message at its
 * first NUL into topic and payload (see bus_pub.c); a message without one is counted and
 * dropped. Loss is not visible here: the Events' sequence numbers (bus_seq) show it.
 */
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>

#include "bus_int.h"
#include "log.h"

struct bus_sub {
    struct bus_sock bs;
    struct bus_watch recv_watch;
    bus_event_cb *cb;
    void *arg;
    struct bus_stats stats;
    int busy;
    bool doomed;
};

static void
bus_sub_destroy(struct bus_sub *sub)
{
    bus_watch_fini(&sub->recv_watch);
    bus_sock_close(&sub->bs);
    free(sub);
}

static int
bus_sub_on_readable(void *arg)
{
    struct bus_sub *sub = arg;
    int n;

    for (n = 0; n < BUS_RECV_BATCH; n++) {
        const uint8_t *body;
        const uint8_t *nul;
        nng_msg *msg;
        size_t len;
        int rv = nng_recvmsg(sub->bs.sock, &msg, NNG_FLAG_NONBLOCK);

        if (rv == NNG_EAGAIN)
            break;
        if (rv != 0) {
            log_warn("bus: receive on %s: %s", sub->bs.url, nng_strerror(rv));
            break;
        }
        body = nng_msg_body(msg);
        len = nng_msg_len(msg);
        nul = len > 0 ? memchr(body, '\0', len) : NULL;
        if (nul == NULL) {
            sub->stats.malformed++;
            nng_msg_free(msg);
            continue;
        }
        sub->stats.rx++;
        sub->busy++;
        sub->cb(sub, sub->arg, (const char *)body, nul + 1, len - (size_t)(nul + 1 - body));
        sub->busy--;
        nng_msg_free(msg);
        if (sub->doomed) {
            if (sub->busy == 0)
                bus_sub_destroy(sub);
            return BUS_WATCH_GONE;
        }
    }
    return n;
}

int
bus_sub_open(struct bus_sub **out, struct event_base *base, const struct bus_opts *opts,
             bus_event_cb *cb, void *arg)
{
    struct bus_sub *sub;
    int recv_fd;
    int rv;

    if (base == NULL || cb == NULL)
        return BUS_EINVAL;
    sub = calloc(1, sizeof(*sub));
    if (sub == NULL)
        return BUS_ENOMEM;
    sub->cb = cb;
    sub->arg = arg;
    if ((rv = bus_sock_open(&sub->bs, BUS_KIND_SUB, opts)) != 0 ||
        (rv = bus_sock_fd(&sub->bs, NNG_OPT_RECVFD, &recv_fd)) != 0 ||
        (rv = bus_watch_init(&sub->recv_watch, base, recv_fd, bus_sub_on_readable, sub,
                             &sub->stats)) != 0 ||
        (rv = bus_watch_start(&sub->recv_watch)) != 0) {
        bus_sub_destroy(sub);
        return rv;
    }
    *out = sub;
    return 0;
}

void
bus_sub_free(struct bus_sub *sub)
{
    if (sub == NULL || sub->doomed)
        return;
    bus_watch_stop(&sub->recv_watch);
    if (sub->busy > 0) {
        sub->doomed = true;
        return;
    }
    bus_sub_destroy(sub);
}

const struct bus_stats *
bus_sub_stats(const struct bus_sub *sub)
{
    return &sub->stats;
}

static int
bus_sub_option(struct bus_sub *sub, const char *opt, const char *prefix)
{
    int rv;

    if (prefix == NULL || sub->doomed)
        return BUS_EINVAL;
    rv = nng_socket_set(sub->bs.sock, opt, prefix, strlen(prefix));
    if (rv != 0)
        log_warn("bus: %s \"%s\" on %s: %s", opt, prefix, sub->bs.url, nng_strerror(rv));
    return bus_nng_err(rv);
}

int
bus_subscribe(struct bus_sub *sub, const char *prefix)
{
    return bus_sub_option(sub, NNG_OPT_SUB_SUBSCRIBE, prefix);
}

int
bus_unsubscribe(struct bus_sub *sub, const char *prefix)
{
    return bus_sub_option(sub, NNG_OPT_SUB_UNSUBSCRIBE, prefix);
}
