/*
 * bus_msgq: replies and requests that nng's send queue could not take yet. They wait here, in
 * order, and go out when NNG_OPT_SENDFD says nng has room: a REP reply or a REQ request is never
 * dropped by us, and the loop never blocks on a send.
 */
#include <stdlib.h>

#include "bus_int.h"
#include "log.h"

void
bus_msgq_init(struct bus_msgq *q)
{
    *q = (struct bus_msgq){ 0 };
}

void
bus_msgq_fini(struct bus_msgq *q)
{
    nng_msg *m;

    while ((m = bus_msgq_pop(q)) != NULL)
        nng_msg_free(m);
    free(q->ring);
    *q = (struct bus_msgq){ 0 };
}

static int
bus_msgq_grow(struct bus_msgq *q)
{
    size_t ncap = q->cap == 0 ? 16 : q->cap * 2;
    nng_msg **nring;

    if (ncap > SIZE_MAX / sizeof(*nring))
        return BUS_ENOMEM;
    nring = malloc(ncap * sizeof(*nring));
    if (nring == NULL)
        return BUS_ENOMEM;
    for (size_t i = 0; i < q->len; i++)
        nring[i] = q->ring[(q->head + i) & (q->cap - 1)];
    free(q->ring);
    q->ring = nring;
    q->cap = ncap;
    q->head = 0;
    return 0;
}

int
bus_msgq_push(struct bus_msgq *q, nng_msg *m)
{
    int rv;

    if (q->len == q->cap && (rv = bus_msgq_grow(q)) != 0)
        return rv;
    q->ring[(q->head + q->len) & (q->cap - 1)] = m;
    q->len++;
    return 0;
}

nng_msg *
bus_msgq_peek(const struct bus_msgq *q)
{
    return q->len == 0 ? NULL : q->ring[q->head];
}

nng_msg *
bus_msgq_pop(struct bus_msgq *q)
{
    nng_msg *m;

    if (q->len == 0)
        return NULL;
    m = q->ring[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
    return m;
}

size_t
bus_msgq_remove_if(struct bus_msgq *q, bool (*match)(nng_msg *m, void *arg), void *arg)
{
    size_t kept = 0;
    size_t removed = 0;

    for (size_t i = 0; i < q->len; i++) {
        nng_msg *m = q->ring[(q->head + i) & (q->cap - 1)];

        if (match(m, arg)) {
            nng_msg_free(m);
            removed++;
        } else {
            q->ring[(q->head + kept) & (q->cap - 1)] = m;
            kept++;
        }
    }
    q->len = kept;
    return removed;
}

int
bus_msgq_flush(struct bus_msgq *q, nng_socket sock, struct bus_watch *send_watch,
               struct bus_stats *stats, size_t max, void (*failed)(nng_msg *m, int err, void *arg),
               void *arg)
{
    bool nng_full = false;
    int sent = 0;
    nng_msg *m;

    while ((size_t)sent < max && (m = bus_msgq_peek(q)) != NULL) {
        int rv = nng_sendmsg(sock, m, NNG_FLAG_NONBLOCK);

        if (rv == NNG_EAGAIN) {
            nng_full = true;
            stats->send_full++;
            break;
        }
        bus_msgq_pop(q);
        if (rv != 0) {
            /* nng keeps the message when it refuses it. */
            log_warn("bus: send failed: %s", nng_strerror(rv));
            if (failed != NULL)
                failed(m, bus_nng_err(rv), arg);
            nng_msg_free(m);
            continue;
        }
        stats->tx++;
        sent++;
    }
    if (!nng_full) {
        bus_watch_stop(send_watch);
    } else if (bus_watch_start(send_watch) != 0) {
        log_error("bus: cannot watch an nng send fd; %zu messages wait", q->len);
    }
    return sent;
}
