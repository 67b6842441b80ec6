/*
 * bench-latency: one announce on the bus -> its UPDATE on the wire, over many single commands.
 *
 *   bench-latency --command URL --listen ADDR --port P [--as N] [--count 10000]
 *                 [--neighbor A] [--next-hop A]
 *
 * It is both ends: the BGP peer the speaker connects to (a thread counting UPDATEs, as
 * bench-sink) and the bus client that announces route i, one request at a time, and waits until
 * the peer has received it. Latency = the moment the UPDATE was read minus the moment the
 * request was sent (one monotonic clock). Prints `latency COUNT p50_us p90_us p99_us max_us`.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_bgp.h"
#include "bench_routes.h"
#include "bgpbus.h"

struct receiver {
    struct bench_session s;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    uint64_t announced; /* under mu */
    double at;          /* when `announced` last grew (monotonic), under mu */
    int stop, failed;   /* under mu */
};

static void *
receive_loop(void *arg)
{
    struct receiver *r = arg;
    char why[160];
    int rc = 1;

    while (rc > 0) {
        struct pollfd pfd = { .fd = r->s.fd, .events = POLLIN };
        if (poll(&pfd, 1, 100) > 0)
            rc = bench_session_read(&r->s, why, sizeof(why));
        double now = bench_mono();
        bench_session_tick(&r->s);
        pthread_mutex_lock(&r->mu);
        if (r->s.counts.ann4 + r->s.counts.ann6 != r->announced) {
            r->announced = r->s.counts.ann4 + r->s.counts.ann6;
            r->at = now;
            pthread_cond_broadcast(&r->cond);
        }
        if (rc <= 0) {
            fprintf(stderr, "bench-latency: session: %s\n", why);
            r->failed = 1;
            pthread_cond_broadcast(&r->cond);
        }
        rc = r->stop ? 0 : rc;
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* Waits until the peer holds `target` prefixes; returns when that happened, or -1. */
static double
wait_for(struct receiver *r, uint64_t target, double timeout_s)
{
    struct timespec until;
    double at = -1;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)timeout_s;
    pthread_mutex_lock(&r->mu);
    while (r->announced < target && !r->failed)
        if (pthread_cond_timedwait(&r->cond, &r->mu, &until) != 0)
            break;
    if (r->announced >= target)
        at = r->at;
    pthread_mutex_unlock(&r->mu);
    return at;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct lat_opts {
    const char *command_url, *listen, *neighbor, *next_hop;
    unsigned port;
    uint32_t as;
    unsigned count;
};

static int
measure(struct receiver *r, bgpbus_client *c, const struct lat_opts *o, double *lat)
{
    uint64_t base;

    pthread_mutex_lock(&r->mu);
    base = r->announced;
    pthread_mutex_unlock(&r->mu);
    for (unsigned i = 0; i < o->count; i++) {
        char pfx[48];
        struct bench_attrs a;
        struct bgpbus_route rt = { .prefix = pfx, .next_hop = o->next_hop };
        bench_route_prefix(pfx, sizeof(pfx), i, false);
        bench_route_attrs(&a, i, false);
        rt.as_path = a.path;
        rt.as_path_len = a.path_len;
        double t0 = bench_mono();
        if (bgpbus_announce(c, o->neighbor, &rt, 1, NULL) != 0) {
            fprintf(stderr, "bench-latency: announce %s: %s\n", pfx, bgpbus_client_error(c));
            return -1;
        }
        double at = wait_for(r, base + i + 1, 10);
        if (at < 0) {
            fprintf(stderr, "bench-latency: %s did not reach the peer within 10 s\n", pfx);
            return -1;
        }
        lat[i] = at - t0;
    }
    return 0;
}

static int
parse_opts(int argc, char **argv, struct lat_opts *o)
{
    static const struct option longopts[] = {
        { "command", required_argument, NULL, 'c' },  { "listen", required_argument, NULL, 'l' },
        { "port", required_argument, NULL, 'p' },     { "as", required_argument, NULL, 'a' },
        { "count", required_argument, NULL, 'n' },    { "neighbor", required_argument, NULL, 'N' },
        { "next-hop", required_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int ch;

    *o = (struct lat_opts){ .as = 65099, .count = 10000, .next_hop = "198.51.100.1" };
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->command_url = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'p': o->port = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'a': o->as = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'n': o->count = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'N': o->neighbor = optarg; break;
        case 'h': o->next_hop = optarg; break;
        default: return -1;
        }
    }
    return o->listen && o->port && o->count ? 0 : -1;
}

int
main(int argc, char **argv)
{
    static struct receiver r; /* the session buffer is large */
    struct bgpbus_options copts = { 0 };
    struct lat_opts o;
    pthread_t th;
    bgpbus_client *c;
    double *lat;
    int lfd, fd, rc = 1;

    if (parse_opts(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: bench-latency --command URL --listen ADDR --port P [--as N] "
                        "[--count N] [--neighbor A] [--next-hop A]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    copts.command_url = o.command_url;
    if (!(lat = calloc(o.count, sizeof(*lat))) || (lfd = bench_listen(o.listen, o.port)) < 0)
        return 1;
    printf("listening\n");
    fflush(stdout);
    if ((fd = accept(lfd, NULL, NULL)) < 0 ||
        bench_session_start(&r.s, fd, o.as, htonl(0xc0000263), 90) < 0) {
        perror("bench-latency: session");
        return 1;
    }
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cond, NULL);
    if (pthread_create(&th, NULL, receive_loop, &r) != 0)
        return 1;
    /* the speaker sends its Adj-RIB-Out (empty) and End-of-RIB first: let that settle */
    sleep(1);
    if (bgpbus_client_open(&c, &copts) < 0) {
        fprintf(stderr, "bench-latency: %s\n", bgpbus_client_error(NULL));
    } else {
        if (measure(&r, c, &o, lat) == 0) {
            qsort(lat, o.count, sizeof(*lat), cmp_double);
            printf("latency %u %.1f %.1f %.1f %.1f\n", o.count, lat[o.count / 2] * 1e6,
                   lat[o.count * 9 / 10] * 1e6, lat[o.count * 99 / 100] * 1e6,
                   lat[o.count - 1] * 1e6);
            rc = 0;
        }
        bgpbus_client_close(c);
    }
    pthread_mutex_lock(&r.mu);
    r.stop = 1;
    pthread_mutex_unlock(&r.mu);
    pthread_join(th, NULL);
    close(fd);
    close(lfd);
    free(lat);
    return rc;
}
