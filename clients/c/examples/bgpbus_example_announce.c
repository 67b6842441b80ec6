/*
 * Announce (or withdraw) routes with libbgpbus_client, blocking calls only.
 *   bgpbus_example_announce [-c COMMAND_URL] [-w] NEXT_HOP PREFIX...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bgpbus.h>

int
main(int argc, char **argv)
{
    struct bgpbus_options opts = { 0 };
    bool withdraw = false;
    int ch;

    while ((ch = getopt(argc, argv, "c:w")) != -1) {
        if (ch == 'c')
            opts.command_url = optarg;
        else if (ch == 'w')
            withdraw = true;
        else
            return 2;
    }
    if (argc - optind < 2) {
        fprintf(stderr, "usage: %s [-c URL] [-w] NEXT_HOP PREFIX...\n", argv[0]);
        return 2;
    }
    bgpbus_client *c;
    int rc = bgpbus_client_open(&c, &opts);
    if (rc < 0) {
        fprintf(stderr, "cannot connect: %s\n", bgpbus_client_error(NULL));
        return 1;
    }
    size_t n = (size_t)(argc - optind - 1);
    struct bgpbus_route *routes = calloc(n, sizeof(*routes));
    struct bgpbus_result *results = calloc(n, sizeof(*results));
    static const uint32_t path[] = { 65000 };
    static const uint32_t comms[] = { BGPBUS_COMMUNITY(65000, 1) };
    if (!routes || !results)
        return 1;
    for (size_t i = 0; i < n; i++) {
        routes[i].prefix = argv[optind + 1 + (int)i];
        routes[i].next_hop = argv[optind];
        routes[i].as_path = path;
        routes[i].as_path_len = 1;
        routes[i].communities = comms;
        routes[i].n_communities = 1;
    }
    rc = withdraw ? bgpbus_withdraw(c, NULL, routes, n, results)
                  : bgpbus_announce(c, NULL, routes, n, results);
    for (size_t i = 0; i < n; i++)
        printf("%s %s%s%s\n", routes[i].prefix, results[i].status ? "error" : "ok",
               results[i].status ? ": " : "", results[i].error);
    if (rc < 0)
        fprintf(stderr, "%s\n", bgpbus_client_error(c));
    free(routes);
    free(results);
    bgpbus_client_close(c);
    return rc < 0 ? 1 : 0;
}
