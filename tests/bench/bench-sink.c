/*
 * bench-sink: a counting BGP receiver for the benchmarks (tests/bench/run).
 *
 *   bench-sink --listen ADDR --port P [--as N] [--router-id A] [--hold S] [--expect N]
 *
 * Accepts BGP sessions on ADDR:P one after the other and counts the prefixes of every UPDATE
 * (bench_bgp.c). stdout, one line each, flushed at once so that a runner can poll the file:
 *   listening
 *   established WALL                 the peer's OPEN arrived
 *   first WALL                       the first UPDATE arrived
 *   reached N WALL                   announced prefixes (IPv4 + IPv6) reached --expect N
 *   count ann4 ann6 wd4 wd6 updates  every 100 ms while the counts change, and at the end
 *   down WHY                         the session ended (counts start again on the next one)
 * WALL is CLOCK_REALTIME in seconds. SIGTERM/SIGINT end it.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_bgp.h"

static volatile sig_atomic_t sink_stop;

static void
on_signal(int sig)
{
    (void)sig;
    sink_stop = 1;
}

struct sink_opts {
    const char *addr;
    unsigned port;
    uint32_t as;
    uint32_t router_id;
    uint16_t hold;
    uint64_t expect;
};

static void
print_counts(const struct bench_counts *c)
{
    printf("count %llu %llu %llu %llu %llu\n", (unsigned long long)c->ann4,
           (unsigned long long)c->ann6, (unsigned long long)c->wd4, (unsigned long long)c->wd6,
           (unsigned long long)c->updates);
    fflush(stdout);
}

/* One session until it ends or we are told to stop. */
static void
run_session(struct bench_session *s, const struct sink_opts *o)
{
    char why[160] = "stopped";
    int got_first = 0, reached = 0, was_established = 0, rc = 1;
    uint64_t last_updates = 0;
    double last_print = bench_mono();

    while (!sink_stop && rc > 0) {
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
        if (poll(&pfd, 1, 100) > 0)
            rc = bench_session_read(s, why, sizeof(why));
        if (s->established && !was_established) {
            was_established = 1;
            printf("established %.6f\n", bench_wall());
            fflush(stdout);
        }
        if (!got_first && s->counts.updates) {
            got_first = 1;
            printf("first %.6f\n", bench_wall());
            fflush(stdout);
        }
        if (!reached && o->expect && s->counts.ann4 + s->counts.ann6 >= o->expect) {
            reached = 1;
            printf("reached %llu %.6f\n", (unsigned long long)o->expect, bench_wall());
            print_counts(&s->counts);
        }
        if (bench_session_tick(s) < 0) {
            snprintf(why, sizeof(why), "KEEPALIVE could not be sent");
            rc = -1;
        }
        if (s->counts.updates != last_updates && bench_mono() - last_print >= 0.1) {
            last_updates = s->counts.updates;
            last_print = bench_mono();
            print_counts(&s->counts);
        }
    }
    print_counts(&s->counts);
    printf("down %s\n", why);
    fflush(stdout);
}

static int
parse_opts(int argc, char **argv, struct sink_opts *o)
{
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "port", required_argument, NULL, 'p' },
        { "as", required_argument, NULL, 'a' },
        { "router-id", required_argument, NULL, 'r' },
        { "hold", required_argument, NULL, 'H' },
        { "expect", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    int ch;

    *o = (struct sink_opts){ .as = 65099, .hold = 90 };
    inet_pton(AF_INET, "192.0.2.99", &o->router_id);
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'l': o->addr = optarg; break;
        case 'p': o->port = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'a': o->as = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'r':
            if (inet_pton(AF_INET, optarg, &o->router_id) != 1)
                return -1;
            break;
        case 'H': o->hold = (uint16_t)strtoul(optarg, NULL, 10); break;
        case 'e': o->expect = strtoull(optarg, NULL, 10); break;
        default: return -1;
        }
    }
    return o->addr && o->port && o->port < 65536 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    static struct bench_session s; /* its buffer is large: not on the stack */
    struct sink_opts o;
    int lfd;

    if (parse_opts(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: bench-sink --listen ADDR --port P [--as N] [--router-id A] "
                        "[--hold S] [--expect N]\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if ((lfd = bench_listen(o.addr, o.port)) < 0)
        return 1;
    printf("listening\n");
    fflush(stdout);
    while (!sink_stop) {
        struct pollfd pfd = { .fd = lfd, .events = POLLIN };
        int fd;
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        if ((fd = accept(lfd, NULL, NULL)) < 0)
            continue;
        if (bench_session_start(&s, fd, o.as, o.router_id, o.hold) == 0)
            run_session(&s, &o);
        close(fd);
    }
    close(lfd);
    return 0;
}
