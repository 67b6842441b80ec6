/*
 * Announce routes and read events with libbgpbus_client from one poll() loop, without a
 * blocking call after connecting (the event-loop style: bgpbus_announce_async(),
 * bgpbus_request_fd(), bgpbus_timeout_ms(), bgpbus_dispatch(), bgpbus_client_fd()).
 *   bgpbus_example_loop [-c COMMAND_URL] [-e EVENTS_URL] [-n PREFIXES] NEXT_HOP PREFIX...
 * Sends one request per PREFIX, all at once, and prints "PREFIX ok" or "PREFIX error WHY" as
 * each reply comes, then "ready"; then prints "announce|withdraw NEIGHBOR PREFIX" for update
 * events until -n prefixes were seen (default 0: stop once every reply came).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <bgpbus.h>

struct announce {
    const char *prefix;
    size_t *waiting; /* announces still without their reply */
};

static void
announced(bgpbus_client *c, void *arg, int status, const struct bgpbus_result *res, size_t n)
{
    struct announce *a = arg;

    (void)c;
    (void)n; /* one route per request here */
    if (status == 0)
        printf("%s ok\n", a->prefix);
    else
        printf("%s error %s\n", a->prefix, res[0].error);
    fflush(stdout);
    (*a->waiting)--;
}

/* Prints the events waiting; returns how many prefixes they carried, or -1. */
static long
print_events(bgpbus_client *c, long want)
{
    bgpbus_event *ev;
    long seen = 0;
    int rc = 0;

    while (seen < want && (rc = bgpbus_next_event(c, 0, &ev)) == 1) {
        for (size_t i = 0; i < bgpbus_event_withdrawn_count(ev); i++, seen++)
            printf("withdraw %s %s\n", bgpbus_event_neighbor(ev), bgpbus_event_withdrawn(ev, i));
        for (size_t i = 0; i < bgpbus_event_announced_count(ev); i++, seen++)
            printf("announce %s %s\n", bgpbus_event_neighbor(ev), bgpbus_event_announced(ev, i));
        fflush(stdout);
        bgpbus_event_free(ev);
    }
    return seen < want && rc < 0 ? -1 : seen;
}

int
main(int argc, char **argv)
{
    struct bgpbus_options opts = { 0 };
    long want = 0;
    int ch;

    while ((ch = getopt(argc, argv, "c:e:n:")) != -1) {
        if (ch == 'c')
            opts.command_url = optarg;
        else if (ch == 'e')
            opts.events_url = optarg;
        else if (ch == 'n')
            want = atol(optarg);
        else
            return 2;
    }
    if (argc - optind < 2) {
        fprintf(stderr, "usage: bgpbus_example_loop [-c URL] [-e URL] [-n N] NEXT_HOP PREFIX...\n");
        return 2;
    }
    bgpbus_client *c;
    if (bgpbus_client_open(&c, &opts) < 0) {
        fprintf(stderr, "cannot connect: %s\n", bgpbus_client_error(NULL));
        return 1;
    }
    if (want > 0 && bgpbus_subscribe(c, "ev/update/") < 0) {
        fprintf(stderr, "subscribe: %s\n", bgpbus_client_error(c));
        return 1;
    }

    /* Every announce goes out now; none waits for the one before. */
    size_t n = (size_t)(argc - optind - 1), waiting = 0;
    struct announce *ann = calloc(n, sizeof(*ann));
    for (size_t i = 0; ann && i < n; i++) {
        struct bgpbus_route r = { .prefix = argv[optind + 1 + i], .next_hop = argv[optind] };
        ann[i] = (struct announce){ .prefix = r.prefix, .waiting = &waiting };
        if (bgpbus_announce_async(c, NULL, &r, 1, announced, &ann[i]) < 0)
            printf("%s error %s\n", r.prefix, bgpbus_client_error(c));
        else
            waiting++;
    }

    int req_fd = bgpbus_request_fd(c), rc = 0;
    bool ready = false, req_quiet = false;
    while (rc == 0 && (waiting > 0 || want > 0)) {
        if (!ready && waiting == 0) {
            printf("ready\n");
            fflush(stdout);
            ready = true;
        }
        /* nng's fd can stay readable with nothing to read: after an empty dispatch, leave it
         * out of one poll() of at most 2 ms instead of spinning (bgpbus.h). */
        struct pollfd pfd[2] = { { .fd = req_quiet ? -1 : req_fd, .events = POLLIN },
                                 { .fd = want > 0 ? bgpbus_client_fd(c) : -1, .events = POLLIN } };
        int timeout = bgpbus_timeout_ms(c);
        if (req_quiet && (timeout < 0 || timeout > 2))
            timeout = 2;
        if (waiting == 0 && want > 0 && timeout < 0)
            timeout = 1000;
        if (poll(pfd, 2, timeout) < 0)
            break;
        int ran = bgpbus_dispatch(c);
        if (ran < 0) {
            fprintf(stderr, "dispatch: %s\n", bgpbus_client_error(c));
            rc = 1;
        }
        req_quiet = ran == 0 && (pfd[0].revents & POLLIN);
        long seen = want > 0 ? print_events(c, want) : 0;
        if (seen < 0) {
            fprintf(stderr, "events: %s\n", bgpbus_client_error(c));
            rc = 1;
        }
        want -= seen;
    }
    if (!ready && rc == 0)
        printf("ready\n");
    bgpbus_client_close(c);
    free(ann);
    return rc;
}
