/*
 * Print update events with libbgpbus_client from a poll() loop (the event-loop style).
 *   bgpbus_example_watch [-e EVENTS_URL] [-c COMMAND_URL] [-n PREFIXES]
 * Prints "ready", then "announce|withdraw NEIGHBOR PREFIX" lines; stops after -n prefixes.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <bgpbus.h>

int
main(int argc, char **argv)
{
    struct bgpbus_options opts = { 0 };
    long want = -1;
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
    bgpbus_client *c;
    if (bgpbus_client_open(&c, &opts) < 0) {
        fprintf(stderr, "cannot connect: %s\n", bgpbus_client_error(NULL));
        return 1;
    }
    if (bgpbus_subscribe(c, "ev/update/") < 0) {
        fprintf(stderr, "subscribe: %s\n", bgpbus_client_error(c));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (want != 0) {
        struct pollfd pfd = { .fd = bgpbus_client_fd(c), .events = POLLIN };
        if (poll(&pfd, 1, 1000) < 0)
            break;
        bgpbus_event *ev;
        int rc = 0;
        while (want != 0 && (rc = bgpbus_next_event(c, 0, &ev)) == 1) {
            for (size_t i = 0; i < bgpbus_event_withdrawn_count(ev) && want != 0; i++, want--)
                printf("withdraw %s %s\n", bgpbus_event_neighbor(ev),
                       bgpbus_event_withdrawn(ev, i));
            for (size_t i = 0; i < bgpbus_event_announced_count(ev) && want != 0; i++, want--)
                printf("announce %s %s\n", bgpbus_event_neighbor(ev),
                       bgpbus_event_announced(ev, i));
            fflush(stdout);
            bgpbus_event_free(ev);
        }
        if (rc < 0) {
            fprintf(stderr, "events: %s\n", bgpbus_client_error(c));
            break;
        }
    }
    bgpbus_client_close(c);
    return want == 0 ? 0 : 1;
}
