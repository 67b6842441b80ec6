/*
 * bus internals shared by bus_*.c; not installed, not for other modules.
 */
#ifndef BGPBUS_BUS_INT_H
#define BGPBUS_BUS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "bus.h"

struct event;
struct event_base;

/* nng error number -> our negative code. */
static inline int
bus_nng_err(int rv)
{
    return rv == 0 ? 0 : -rv;
}

/* Messages handled per wakeup before returning to the loop, so one busy socket cannot starve
 * the others (the fd is level triggered: what is left wakes us again at once). */
#define BUS_RECV_BATCH 256

/* ---- sockets: open, address, TLS, close (bus_sock.c) ---- */

enum bus_kind {
    BUS_KIND_REP,
    BUS_KIND_REQ,
    BUS_KIND_PUB,
    BUS_KIND_SUB,
};

struct bus_sock {
    nng_socket sock;
    bool is_open;
    bool is_tls;
    bool is_listener;
    nng_listener listener;
    nng_dialer dialer;
    char url[512];
};

int bus_sock_open(struct bus_sock *bs, enum bus_kind kind, const struct bus_opts *opts);
/* Bounded by BUS_CLOSE_WAIT_MS for TLS sockets; safe on a socket that never opened. */
void bus_sock_close(struct bus_sock *bs);
/* NNG_OPT_RECVFD or NNG_OPT_SENDFD. */
int bus_sock_fd(struct bus_sock *bs, const char *opt, int *fd);
/* The TCP port a tcp:// or tls+tcp:// listener is bound to (useful with port 0). */
int bus_sock_port(const struct bus_sock *bs);

/* ---- addresses (bus_addr.c) ---- */

/* Before listening on ipc://path: removes a socket file nobody answers on; BUS_EADDRINUSE
 * when something does, or when the path is not a socket. */
int bus_ipc_prepare(const char *path);

/* ---- a level-triggered nng fd in the event loop, with the spin guard (bus_watch.c) ---- */

/* Returned by a watch function whose owner (and so the watch) was freed during the call. */
#define BUS_WATCH_GONE (-1)

/* Handles what is ready; returns how many messages it moved (0: the wakeup was empty), or
 * BUS_WATCH_GONE. */
typedef int bus_watch_fn(void *arg);

struct bus_watch {
    struct event *ev;    /* EV_READ | EV_PERSIST on the nng fd */
    struct event *retry; /* re-arms ev after a backoff */
    bus_watch_fn *fn;
    void *arg;
    struct bus_stats *stats;
    unsigned empty;      /* consecutive empty wakeups */
    unsigned backoff_ms; /* 0 while the fd behaves */
    bool active;         /* wanted by the owner */
    bool parked;         /* ev removed, retry pending */
};

/* Consecutive empty wakeups tolerated before the fd is parked, and the backoff bounds. */
#define BUS_WATCH_SPIN_LIMIT  8
#define BUS_WATCH_BACKOFF_MIN 1
#define BUS_WATCH_BACKOFF_MAX 50

int bus_watch_init(struct bus_watch *w, struct event_base *base, int fd, bus_watch_fn *fn,
                   void *arg, struct bus_stats *stats);
void bus_watch_fini(struct bus_watch *w);
int bus_watch_start(struct bus_watch *w);
void bus_watch_stop(struct bus_watch *w);

/* ---- connections that close, reported in the loop (bus_pipes.c) ---- */

typedef void bus_pipes_fn(void *arg, uint32_t pipe_id);

struct bus_pipes {
    struct bus_pipes *next; /* the registry nng's callback looks keys up in */
    uintptr_t key;          /* 0: not registered */
    int rfd, wfd;           /* pipe(2): nng's thread writes pipe ids, the loop reads them */
    struct event *ev;
    bool overflow; /* a write failed (the pipe was full); under the registry's mutex */
    bus_pipes_fn *fn;
    void *arg;
    const char *url; /* for logs */
};

/* Calls fn(arg, pipe id) in the loop for every pipe of bs that closes from now on. fn must
 * not free the socket. */
int bus_pipes_init(struct bus_pipes *p, struct event_base *base, struct bus_sock *bs,
                   bus_pipes_fn *fn, void *arg);
/* Before the socket closes; safe on a zeroed struct with rfd = wfd = -1. */
void bus_pipes_fini(struct bus_pipes *p, struct bus_sock *bs);

/* ---- a FIFO of nng messages waiting for nng's send queue (bus_msgq.c) ---- */

struct bus_msgq {
    nng_msg **ring;
    size_t cap;  /* a power of two, or 0 */
    size_t head; /* index of the oldest */
    size_t len;
};

void bus_msgq_init(struct bus_msgq *q);
/* Frees the messages still queued. */
void bus_msgq_fini(struct bus_msgq *q);
int bus_msgq_push(struct bus_msgq *q, nng_msg *m);
nng_msg *bus_msgq_peek(const struct bus_msgq *q);
nng_msg *bus_msgq_pop(struct bus_msgq *q);
/* Removes (and frees) the messages for which match() is true; returns how many. */
size_t bus_msgq_remove_if(struct bus_msgq *q, bool (*match)(nng_msg *m, void *arg), void *arg);

/*
 * Sends at most `max` queued messages, stopping early when nng says EAGAIN; keeps the send watch
 * running exactly while messages wait for nng (not while they wait for `max`: the owner flushes
 * again when it has room). A message nng refuses for another reason is passed to failed() (may
 * be NULL) and freed. Returns how many were sent.
 */
int bus_msgq_flush(struct bus_msgq *q, nng_socket sock, struct bus_watch *send_watch,
                   struct bus_stats *stats, size_t max,
                   void (*failed)(nng_msg *m, int err, void *arg), void *arg);

#endif
