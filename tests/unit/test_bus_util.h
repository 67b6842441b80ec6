/*
 * Helpers shared by the bus unit tests: a private directory for ipc sockets and a bounded run of
 * the event loop.
 */
#ifndef BGPBUS_TEST_BUS_UTIL_H
#define BGPBUS_TEST_BUS_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

static inline int64_t
test_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* $BGPBUS_TEST_DIR (created), or a directory of our own under /tmp when run by hand. */
static inline const char *
test_dir(void)
{
    static char dir[256];
    const char *env = getenv("BGPBUS_TEST_DIR");

    if (dir[0] != '\0')
        return dir;
    if (env != NULL && env[0] != '\0') {
        char cmd[300];

        snprintf(dir, sizeof(dir), "%s", env);
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot create %s\n", dir);
            abort();
        }
    } else {
        snprintf(dir, sizeof(dir), "/tmp/bgpbus-test-%ld", (long)getpid());
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            abort();
    }
    return dir;
}

/* A fresh ipc:// URL per call, so that no two tests share a socket. */
static inline const char *
test_ipc_url(char *buf, size_t len, const char *name)
{
    static unsigned seq;

    snprintf(buf, len, "ipc://%s/%s-%ld-%u.sock", test_dir(), name, (long)getpid(), seq++);
    return buf;
}

static inline void
test_tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Runs the loop until *done or timeout_ms; returns *done. A 5 ms tick keeps the loop returning
 * so that the flag is looked at even when nothing else happens. */
static inline bool
test_run_until(struct event_base *base, const bool *done, int timeout_ms)
{
    struct event *tick = event_new(base, -1, EV_PERSIST, test_tick, NULL);
    struct timeval tv = { 0, 5000 };
    int64_t deadline = test_now_ms() + timeout_ms;

    if (tick == NULL || event_add(tick, &tv) != 0)
        abort();
    while (!*done && test_now_ms() < deadline)
        event_base_loop(base, EVLOOP_ONCE);
    event_free(tick);
    return *done;
}

/* Runs the loop for ms milliseconds. */
static inline void
test_run_for(struct event_base *base, int ms)
{
    bool never = false;

    test_run_until(base, &never, ms);
}

#endif
