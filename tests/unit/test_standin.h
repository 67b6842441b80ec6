/*
 * A stand-in of the speaker for the client library's unit tests: a bus_server on an ipc socket of
 * its own, its libevent loop on a thread of its own, answering with the test's callback.
 */
#ifndef BGPBUS_TEST_STANDIN_H
#define BGPBUS_TEST_STANDIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <event2/event.h>

#include "bus.h"
#include "test_bus_util.h"

struct standin {
    struct event_base *base;
    struct bus_server *srv;
    struct event *stop_poll;
    atomic_bool stopping;
    atomic_int received; /* requests that reached the stand-in (the callback counts them) */
    pthread_t tid;
    char url[300]; /* what a client connects to */
};

/* libevent is not thread-aware here: the test thread only raises a flag the loop polls. */
static inline void
standin_stop_poll(evutil_socket_t fd, short what, void *arg)
{
    struct standin *s = arg;

    (void)fd;
    (void)what;
    if (atomic_load(&s->stopping))
        event_base_loopbreak(s->base);
}

static inline void *
standin_main(void *arg)
{
    event_base_dispatch(((struct standin *)arg)->base);
    return NULL;
}

/* Serves requests with cb(srv, arg, ...) on its own thread until standin_stop(); aborts if the
 * socket or thread cannot be made (a test cannot go on without it). */
static inline void
standin_start(struct standin *s, const char *name, bus_request_cb *cb, void *arg)
{
    struct bus_opts opts = { 0 };
    struct timeval tick = { 0, 10000 };

    s->base = event_base_new();
    if (s->base == NULL)
        abort();
    opts.url = test_ipc_url(s->url, sizeof(s->url), name);
    if (bus_server_open(&s->srv, s->base, &opts, cb, arg) != 0)
        abort();
    atomic_init(&s->stopping, false);
    atomic_init(&s->received, 0);
    s->stop_poll = event_new(s->base, -1, EV_PERSIST, standin_stop_poll, s);
    if (s->stop_poll == NULL || event_add(s->stop_poll, &tick) != 0 ||
        pthread_create(&s->tid, NULL, standin_main, s) != 0)
        abort();
}

static inline void
standin_stop(struct standin *s)
{
    atomic_store(&s->stopping, true);
    if (pthread_join(s->tid, NULL) != 0)
        abort();
    event_free(s->stop_poll);
    bus_server_free(s->srv);
    event_base_free(s->base);
}

#endif
