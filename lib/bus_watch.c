/*
 * bus_watch: an nng pollable fd (NNG_OPT_RECVFD / NNG_OPT_SENDFD) in the libevent loop.
 *
 * The fd is level triggered: while nng has something, it stays readable, so the owner drains
 * until NNG_EAGAIN (or a batch limit) and returns to the loop.
 *
 * Spin guard: nng 1.5.2 can leave the fd readable with nothing to receive. A level-triggered
 * event would then wake the loop forever at 100% CPU. After BUS_WATCH_SPIN_LIMIT wakeups in a row
 * that moved nothing, the fd is taken out of the loop ("parked") and put back after a backoff of
 * 1 ms, doubling up to 50 ms while the wakeups stay empty. The owner's function runs once when
 * the backoff ends, so a message that arrived meanwhile is late by at most the backoff; any
 * wakeup that moves a message ends the backoff. We never read the fd ourselves: nng owns its
 * state, and draining it behind nng's back could lose a real wakeup.
 */
#include <event2/event.h>

#include "bus_int.h"
#include "log.h"

static void bus_watch_park(struct bus_watch *w);

static void
bus_watch_after(struct bus_watch *w, int moved)
{
    if (moved > 0) {
        w->empty = 0;
        w->backoff_ms = 0;
        return;
    }
    w->empty++;
    if (w->stats != NULL)
        w->stats->empty_wakeups++;
    if (w->empty >= BUS_WATCH_SPIN_LIMIT)
        bus_watch_park(w);
}

static void
bus_watch_on_fd(evutil_socket_t fd, short what, void *arg)
{
    struct bus_watch *w = arg;
    int moved = w->fn(w->arg);

    if (moved == BUS_WATCH_GONE)
        return; /* w was freed with its owner */
    if (w->active && !w->parked)
        bus_watch_after(w, moved);
}

static void
bus_watch_on_retry(evutil_socket_t fd, short what, void *arg)
{
    struct bus_watch *w = arg;
    int moved;

    w->parked = false;
    w->empty = 0;
    if (!w->active)
        return;
    if (event_add(w->ev, NULL) != 0) {
        /* Cannot happen with a valid event; keep polling rather than going deaf. */
        log_error("bus: cannot re-arm an nng fd; polling it");
        bus_watch_park(w);
        return;
    }
    moved = w->fn(w->arg);
    if (moved == BUS_WATCH_GONE)
        return;
    if (w->active && !w->parked)
        bus_watch_after(w, moved);
}

static void
bus_watch_park(struct bus_watch *w)
{
    struct timeval tv;

    w->backoff_ms = w->backoff_ms == 0 ? BUS_WATCH_BACKOFF_MIN : w->backoff_ms * 2;
    if (w->backoff_ms > BUS_WATCH_BACKOFF_MAX)
        w->backoff_ms = BUS_WATCH_BACKOFF_MAX;
    if (w->stats != NULL)
        w->stats->backoffs++;
    if (w->backoff_ms == BUS_WATCH_BACKOFF_MIN)
        log_debug("bus: nng fd %d readable with nothing to take; backing off",
                  (int)event_get_fd(w->ev));
    event_del(w->ev);
    w->parked = true;
    w->empty = 0;
    tv.tv_sec = 0;
    tv.tv_usec = (suseconds_t)w->backoff_ms * 1000;
    if (evtimer_add(w->retry, &tv) != 0) {
        log_error("bus: cannot arm the backoff timer of an nng fd");
        w->parked = false;
        event_add(w->ev, NULL);
    }
}

int
bus_watch_init(struct bus_watch *w, struct event_base *base, int fd, bus_watch_fn *fn, void *arg,
               struct bus_stats *stats)
{
    *w = (struct bus_watch){ .fn = fn, .arg = arg, .stats = stats };
    w->ev = event_new(base, fd, EV_READ | EV_PERSIST, bus_watch_on_fd, w);
    w->retry = evtimer_new(base, bus_watch_on_retry, w);
    if (w->ev == NULL || w->retry == NULL) {
        bus_watch_fini(w);
        return BUS_ENOMEM;
    }
    return 0;
}

void
bus_watch_fini(struct bus_watch *w)
{
    if (w->ev != NULL)
        event_free(w->ev);
    if (w->retry != NULL)
        event_free(w->retry);
    w->ev = NULL;
    w->retry = NULL;
    w->active = false;
    w->parked = false;
}

int
bus_watch_start(struct bus_watch *w)
{
    if (w->active)
        return 0;
    w->active = true;
    if (w->parked)
        return 0; /* the retry timer adds the event */
    if (event_add(w->ev, NULL) != 0) {
        w->active = false;
        return BUS_ENOMEM;
    }
    return 0;
}

void
bus_watch_stop(struct bus_watch *w)
{
    if (!w->active)
        return;
    w->active = false;
    w->parked = false;
    w->empty = 0;
    event_del(w->ev);
    event_del(w->retry);
}
