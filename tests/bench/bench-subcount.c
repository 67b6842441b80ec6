/*
 * bench-subcount: a bus subscriber that counts the prefixes of update events.
 *
 *   bench-subcount [--events URL] [--command URL] [--expect N]
 *
 * Subscribes to ev/update/ through the C client (gap repair included) and counts announced and
 * withdrawn prefixes. stdout, flushed line by line for a polling runner:
 *   ready | first WALL | reached N WALL | count ANNOUNCED WITHDRAWN EVENTS LOST
 * (`count` every 100 ms while it changes, and at the end). LOST: events the library could not
 * repair (must stay 0). SIGTERM/SIGINT end it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_bgp.h"
#include "bgpbus.h"

static volatile sig_atomic_t sub_stop;

static void
on_signal(int sig)
{
    (void)sig;
    sub_stop = 1;
}

struct sub_counts {
    uint64_t announced, withdrawn, events, lost;
};

static void
print_counts(const struct sub_counts *k)
{
    printf("count %llu %llu %llu %llu\n", (unsigned long long)k->announced,
           (unsigned long long)k->withdrawn, (unsigned long long)k->events,
           (unsigned long long)k->lost);
    fflush(stdout);
}

static int
count_events(bgpbus_client *c, uint64_t expect)
{
    struct sub_counts k = { 0 };
    double last_print = 0;
    uint64_t printed = 0;
    int first = 0, reached = 0;

    while (!sub_stop) {
        bgpbus_event *ev;
        int rc = bgpbus_next_event(c, 100, &ev);
        if (rc < 0) {
            fprintf(stderr, "bench-subcount: %s\n", bgpbus_client_error(c));
            return 1;
        }
        if (rc == 1) {
            k.events++;
            k.lost += bgpbus_event_lost(ev);
            k.announced += bgpbus_event_announced_count(ev);
            k.withdrawn += bgpbus_event_withdrawn_count(ev);
            bgpbus_event_free(ev);
            if (!first) {
                first = 1;
                printf("first %.6f\n", bench_wall());
            }
            if (!reached && expect && k.announced >= expect) {
                reached = 1;
                printf("reached %llu %.6f\n", (unsigned long long)expect, bench_wall());
                print_counts(&k);
            }
        }
        if (k.events != printed && bench_mono() - last_print >= 0.1) {
            printed = k.events;
            last_print = bench_mono();
            print_counts(&k);
        }
    }
    print_counts(&k);
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "events", required_argument, NULL, 'e' },
        { "command", required_argument, NULL, 'c' },
        { "expect", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    struct bgpbus_options copts = { 0 };
    uint64_t expect = 0;
    bgpbus_client *c;
    int ch, rc;

    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'e': copts.events_url = optarg; break;
        case 'c': copts.command_url = optarg; break;
        case 'n': expect = strtoull(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: bench-subcount [--events URL] [--command URL] [--expect N]\n");
            return 2;
        }
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (bgpbus_client_open(&c, &copts) < 0) {
        fprintf(stderr, "bench-subcount: %s\n", bgpbus_client_error(NULL));
        return 1;
    }
    if (bgpbus_subscribe(c, "ev/update/") < 0) {
        fprintf(stderr, "bench-subcount: %s\n", bgpbus_client_error(c));
        bgpbus_client_close(c);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    rc = count_events(c, expect);
    bgpbus_client_close(c);
    return rc;
}
