/*
 * bus_pipes: connections (nng pipes) of a socket that close, reported in the event loop.
 *
 * nng calls a pipe callback (nng_pipe_notify) from one of its own threads, while our code runs
 * in one libevent loop with no locks. The callback therefore only writes the pipe id (4 octets,
 * atomic below PIPE_BUF) into a non-blocking pipe(2); the loop reads it and calls the owner.
 *
 * Lifetime: nng may have fetched the callback's argument just before we unregister it, so the
 * argument is not a pointer but a key into a registry under a mutex. A callback whose key is
 * gone does nothing; once bus_pipes_fini() has removed the key, nothing touches the struct.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "bus_int.h"
#include "log.h"

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct bus_pipes *registry; /* guarded by registry_mu */
static uintptr_t registry_next_key = 1;

/* Under registry_mu. */
static struct bus_pipes *
registry_find(uintptr_t key)
{
    for (struct bus_pipes *p = registry; p != NULL; p = p->next)
        if (p->key == key)
            return p;
    return NULL;
}

/* nng's thread. */
static void
bus_pipes_on_nng(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
    uint32_t id = (uint32_t)nng_pipe_id(pipe);
    struct bus_pipes *p;

    (void)ev;
    pthread_mutex_lock(&registry_mu);
    if ((p = registry_find((uintptr_t)arg)) != NULL &&
        write(p->wfd, &id, sizeof(id)) != (ssize_t)sizeof(id))
        p->overflow = true; /* 16384 closes unread: the loop is stuck; see bus_pipes_on_fd */
    pthread_mutex_unlock(&registry_mu);
}

/* The loop's thread. */
static void
bus_pipes_on_fd(evutil_socket_t fd, short what, void *arg)
{
    struct bus_pipes *p = arg;
    uint32_t ids[256];
    ssize_t n;
    bool overflow;

    (void)what;
    pthread_mutex_lock(&registry_mu);
    overflow = p->overflow;
    p->overflow = false;
    pthread_mutex_unlock(&registry_mu);
    if (overflow)
        log_warn("bus: connection closes lost on %s; heartbeats still end their sessions", p->url);
    /* Reads whole ids only: every write is 4 octets, and pipe(2) keeps such writes whole. */
    while ((n = read(fd, ids, sizeof(ids))) > 0)
        for (size_t i = 0; i < (size_t)n / sizeof(ids[0]); i++)
            p->fn(p->arg, ids[i]);
}

int
bus_pipes_init(struct bus_pipes *p, struct event_base *base, struct bus_sock *bs, bus_pipes_fn *fn,
               void *arg)
{
    int fds[2];
    int rv;

    *p = (struct bus_pipes){ .rfd = -1, .wfd = -1, .fn = fn, .arg = arg, .url = bs->url };
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return BUS_ESYS(errno);
    p->rfd = fds[0];
    p->wfd = fds[1];
    if ((p->ev = event_new(base, p->rfd, EV_READ | EV_PERSIST, bus_pipes_on_fd, p)) == NULL ||
        event_add(p->ev, NULL) != 0) {
        bus_pipes_fini(p, bs);
        return BUS_ENOMEM;
    }
    pthread_mutex_lock(&registry_mu);
    p->key = registry_next_key++;
    p->next = registry;
    registry = p;
    pthread_mutex_unlock(&registry_mu);
    if ((rv = nng_pipe_notify(bs->sock, NNG_PIPE_EV_REM_POST, bus_pipes_on_nng, (void *)p->key)) !=
        0) {
        bus_pipes_fini(p, bs);
        return bus_nng_err(rv);
    }
    return 0;
}

void
bus_pipes_fini(struct bus_pipes *p, struct bus_sock *bs)
{
    if (p->key != 0) {
        nng_pipe_notify(bs->sock, NNG_PIPE_EV_REM_POST, NULL, NULL);
        pthread_mutex_lock(&registry_mu);
        for (struct bus_pipes **pp = &registry; *pp != NULL; pp = &(*pp)->next)
            if (*pp == p) {
                *pp = p->next;
                break;
            }
        pthread_mutex_unlock(&registry_mu);
        p->key = 0;
    }
    if (p->ev != NULL)
        event_free(p->ev);
    if (p->rfd >= 0)
        close(p->rfd);
    if (p->wfd >= 0)
        close(p->wfd);
    p->ev = NULL;
    p->rfd = p->wfd = -1;
}
