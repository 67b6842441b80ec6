/*
 * bus_pub: the speaker's event endpoint, a PUB socket.
 *
 * A message is the topic, a NUL, then the payload; subscribers filter on topic prefixes, which
 * nng matches against the first bytes of the message. PUB is lossy by design: nng 1.5.2 drops
 * the oldest queued message of a subscriber whose queue is full, without telling anyone. That is
 * why queues are raised to BUS_QUEUE_MAX and Events carry sequence numbers (bus_seq).
 */
#include <stdlib.h>
#include <string.h>

#include "bus_int.h"
#include "log.h"

struct bus_pub {
    struct bus_sock bs;
    struct bus_stats stats;
    /* Reused for every message (one thread publishes): nng_sendmsg() allocates, initialises
     * and frees an aio (a mutex and a condition variable) per call, a visible cost at 100k
     * events per second. */
    nng_aio *aio;
};

int
bus_pub_open(struct bus_pub **out, const struct bus_opts *opts)
{
    struct bus_pub *pub = calloc(1, sizeof(*pub));
    int rv;

    if (pub == NULL)
        return BUS_ENOMEM;
    if ((rv = nng_aio_alloc(&pub->aio, NULL, NULL)) != 0) {
        free(pub);
        return bus_nng_err(rv);
    }
    if ((rv = bus_sock_open(&pub->bs, BUS_KIND_PUB, opts)) != 0) {
        nng_aio_free(pub->aio);
        free(pub);
        return rv;
    }
    *out = pub;
    return 0;
}

void
bus_pub_free(struct bus_pub *pub)
{
    if (pub == NULL)
        return;
    bus_sock_close(&pub->bs);
    nng_aio_free(pub->aio);
    free(pub);
}

const struct bus_stats *
bus_pub_stats(const struct bus_pub *pub)
{
    return &pub->stats;
}

int
bus_pub_port(const struct bus_pub *pub)
{
    return bus_sock_port(&pub->bs);
}

int
bus_publish(struct bus_pub *pub, const char *topic, const void *payload, size_t len)
{
    size_t topic_len = strlen(topic);
    nng_msg *msg;
    uint8_t *body;
    int rv;

    if (len > SIZE_MAX - topic_len - 1)
        return BUS_EMSGSIZE;
    if ((rv = nng_msg_alloc(&msg, topic_len + 1 + len)) != 0) {
        pub->stats.drops++;
        return bus_nng_err(rv);
    }
    body = nng_msg_body(msg);
    memcpy(body, topic, topic_len + 1);
    if (len > 0)
        memcpy(body + topic_len + 1, payload, len);
    /* What nng_sendmsg(NNG_FLAG_NONBLOCK) does, on our aio: PUB never waits (a full queue
     * drops its oldest message), so the wait returns at once. */
    nng_aio_set_timeout(pub->aio, NNG_DURATION_ZERO);
    nng_aio_set_msg(pub->aio, msg);
    nng_send_aio(pub->bs.sock, pub->aio);
    nng_aio_wait(pub->aio);
    rv = nng_aio_result(pub->aio);
    if (rv != 0) {
        nng_msg_free(msg);
        pub->stats.drops++;
        if (rv != NNG_EAGAIN)
            log_warn("bus: publish on %s: %s", pub->bs.url, nng_strerror(rv));
        return bus_nng_err(rv);
    }
    pub->stats.tx++;
    return 0;
}
