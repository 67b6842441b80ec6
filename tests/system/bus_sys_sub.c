/*
 * bus_sys_sub: an event subscriber of the bus system test, as a real process, built to lose
 * events: its nng receive queue holds one message and it sleeps on the first numbered event
 * while the server publishes its whole burst. It decodes each bgpbus.v1.Event, feeds bus_seq,
 * and at "ev/end/" (the last Event: its seq is the number published) checks that
 *   - a gap was detected,
 *   - received + missing in gaps + missing before the first one seen == published,
 *   - the end was seen at all: nng drops the oldest, never the newest.
 * Writes --ready once it hears the server's "sync/" messages. Exit 0 when all holds.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpbus/v1/event.pb-c.h"
#include "bus.h"
#include "log.h"

struct sink {
    struct event_base *base;
    struct bus_seq seq;
    const char *ready;
    bool ready_written;
    int sleep_ms;
    uint64_t received;
    uint64_t first;
    uint64_t published;
    uint64_t undecodable;
    bool end;
};

static void
on_event(struct bus_sub *sub, void *arg, const char *topic, const uint8_t *payload, size_t len)
{
    struct sink *s = arg;
    Bgpbus__V1__Event *ev;
    enum bus_seq_result r;

    if (strcmp(topic, "sync/") == 0) {
        if (!s->ready_written && s->ready != NULL) {
            FILE *f = fopen(s->ready, "w");

            if (f == NULL || fclose(f) != 0) {
                log_error("cannot write %s: %s", s->ready, strerror(errno));
                exit(1);
            }
            s->ready_written = true;
        }
        return;
    }
    ev = bgpbus__v1__event__unpack(NULL, len, payload);
    if (ev == NULL || !ev->has_epoch || !ev->has_seq) {
        s->undecodable++;
        if (ev != NULL)
            bgpbus__v1__event__free_unpacked(ev, NULL);
        return;
    }
    r = bus_seq_feed(&s->seq, ev->epoch, ev->seq);
    switch (r) {
    case BUS_SEQ_FIRST:
        s->first = ev->seq;
        s->received++;
        /* The slow consumer: the burst piles up behind us and nng drops the oldest. */
        usleep((useconds_t)s->sleep_ms * 1000);
        break;
    case BUS_SEQ_GAP:
        log_debug("gap %llu..%llu", (unsigned long long)s->seq.gap_first,
                  (unsigned long long)s->seq.gap_last);
        s->received++;
        break;
    case BUS_SEQ_OK: s->received++; break;
    case BUS_SEQ_RESTART:
    case BUS_SEQ_DUPLICATE:
        log_error("unexpected %s at seq %llu", bus_seq_result_name(r), (unsigned long long)ev->seq);
        break;
    }
    if (strcmp(topic, "ev/end/") == 0) {
        s->published = ev->seq;
        s->end = true;
        event_base_loopbreak(s->base);
    }
    bgpbus__v1__event__free_unpacked(ev, NULL);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
    event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "events", required_argument, NULL, 'e' },
        { "ready", required_argument, NULL, 'r' },
        { "sleep-ms", required_argument, NULL, 's' },
        { "queue", required_argument, NULL, 'q' },
        { "cert", required_argument, NULL, 'C' },
        { "key", required_argument, NULL, 'K' },
        { "ca", required_argument, NULL, 'A' },
        { "server-name", required_argument, NULL, 'N' },
        { NULL, 0, NULL, 0 },
    };
    struct sink s = { .sleep_ms = 500 };
    struct bus_tls tls = { 0 };
    struct bus_opts opts = { .tls = &tls, .recv_queue = 1 };
    struct bus_sub *sub;
    struct event *timeout;
    struct timeval limit = { 60, 0 };
    bool ok;
    int opt;
    int rv;

    log_set_ident("bus_sys_sub");
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e': opts.url = optarg; break;
        case 'r': s.ready = optarg; break;
        case 's': s.sleep_ms = atoi(optarg); break;
        case 'q': opts.recv_queue = atoi(optarg); break;
        case 'C': tls.cert = optarg; break;
        case 'K': tls.key = optarg; break;
        case 'A': tls.ca = optarg; break;
        case 'N': tls.server_name = optarg; break;
        default:
            fprintf(stderr, "usage: bus_sys_sub --events URL [--ready FILE] [--sleep-ms MS] "
                            "[--queue N] [TLS options as bus_sys_client]\n");
            return 2;
        }
    }
    if (opts.url == NULL)
        return 2;
    bus_seq_init(&s.seq);
    s.base = event_base_new();
    if (s.base == NULL)
        return 1;
    if ((rv = bus_sub_open(&sub, s.base, &opts, on_event, &s)) != 0) {
        log_error("cannot subscribe to %s: %s", opts.url, bus_strerror(rv));
        return 3;
    }
    if ((rv = bus_subscribe(sub, "sync/")) != 0 ||
        (rv = bus_subscribe(sub, "ev/keepalive/192.0.2.1/")) != 0 ||
        (rv = bus_subscribe(sub, "ev/end/")) != 0)
        return 1;
    timeout = evtimer_new(s.base, on_timeout, s.base);
    if (timeout == NULL || evtimer_add(timeout, &limit) != 0)
        return 1;
    event_base_dispatch(s.base);

    printf("subscriber: published %llu, received %llu, missing %llu in %llu gaps, "
           "%llu before the first (seq %llu), last %llu, undecodable %llu\n",
           (unsigned long long)s.published, (unsigned long long)s.received,
           (unsigned long long)s.seq.missing, (unsigned long long)s.seq.gaps,
           (unsigned long long)(s.first > 0 ? s.first - 1 : 0), (unsigned long long)s.first,
           (unsigned long long)s.seq.last, (unsigned long long)s.undecodable);
    ok = s.end && s.first > 0 && s.seq.gaps > 0 && s.undecodable == 0 && s.seq.restarts == 0 &&
         s.seq.duplicates == 0 && s.seq.last == s.published &&
         s.received + s.seq.missing + (s.first - 1) == s.published;
    if (!s.end)
        log_error("no end marker within %ld s", (long)limit.tv_sec);
    else if (!ok)
        log_error("the counts do not add up, or no gap was seen");
    event_free(timeout);
    bus_sub_free(sub);
    event_base_free(s.base);
    return ok ? 0 : 1;
}
