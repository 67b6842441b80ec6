/*
 * bus_sys_client: a command client of the bus system test, as a real process (blocking
 * bus_call, as a CLI would).
 *
 *   ping N          N Ping round trips, one at a time; prints the median and mean.
 *   announce N      one Request announcing N IPv4 routes with attributes; route N/2 has host
 *                   bits set. Checks the Reply: id, PARTIAL, N items, each with the status its
 *                   route deserves. Prints the round trip time and sizes.
 *
 * Exit: 0 passed, 1 wrong answer, 3 could not connect or no answer (what a refused TLS client
 * expects: run with --expect-refusal to turn that into success).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "bus.h"
#include "log.h"

static int call_timeout_ms = 30000;

static double
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static int
call(struct bus_client *c, const Bgpbus__V1__Request *req, Bgpbus__V1__Reply **out, size_t *req_len,
     size_t *reply_len)
{
    size_t len = bgpbus__v1__request__get_packed_size(req);
    uint8_t *buf = malloc(len > 0 ? len : 1);
    uint8_t *reply = NULL;
    size_t rlen = 0;
    int rv;

    if (buf == NULL)
        return 1;
    bgpbus__v1__request__pack(req, buf);
    rv = bus_call(c, buf, len, &reply, &rlen, call_timeout_ms);
    free(buf);
    if (rv != 0) {
        log_error("call: %s", bus_strerror(rv));
        return 3;
    }
    *out = bgpbus__v1__reply__unpack(NULL, rlen, reply);
    free(reply);
    if (*out == NULL) {
        log_error("the Reply does not decode");
        return 1;
    }
    if (req_len != NULL)
        *req_len = len;
    if (reply_len != NULL)
        *reply_len = rlen;
    return 0;
}

static int
run_ping(struct bus_client *c, unsigned n)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Ping ping = BGPBUS__V1__PING__INIT;
    double *rtt = calloc(n, sizeof(*rtt));
    double sum = 0;

    if (rtt == NULL || n == 0)
        return 1;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_PING;
    req.ping = &ping;
    req.has_id = true;
    for (unsigned i = 0; i < n; i++) {
        Bgpbus__V1__Reply *reply = NULL;
        double t0 = now_us();
        int rv;

        req.id = i + 1;
        if ((rv = call(c, &req, &reply, NULL, NULL)) != 0) {
            free(rtt);
            return rv;
        }
        rtt[i] = now_us() - t0;
        sum += rtt[i];
        if (reply->id != req.id || reply->status != BGPBUS__V1__STATUS__STATUS_OK ||
            reply->result_case != BGPBUS__V1__REPLY__RESULT_PONG || !reply->pong->has_epoch) {
            log_error("ping %u: wrong reply", i + 1);
            bgpbus__v1__reply__free_unpacked(reply, NULL);
            free(rtt);
            return 1;
        }
        bgpbus__v1__reply__free_unpacked(reply, NULL);
    }
    qsort(rtt, n, sizeof(*rtt), cmp_double);
    printf("ping: %u round trips, median %.0f us, mean %.0f us, max %.0f us\n", n, rtt[n / 2],
           sum / n, rtt[n - 1]);
    free(rtt);
    return 0;
}

/* N routes 10.0.0.0/24, 10.0.1.0/24, ... each with its own attributes, as a batch of real
 * routes would have. */
static int
run_announce(struct bus_client *c, unsigned n)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Announce an = BGPBUS__V1__ANNOUNCE__INIT;
    Bgpbus__V1__Route *routes = calloc(n, sizeof(*routes));
    Bgpbus__V1__Route **rp = calloc(n, sizeof(*rp));
    Bgpbus__V1__Nlri *nlri = calloc(n, sizeof(*nlri));
    Bgpbus__V1__Prefix *pfx = calloc(n, sizeof(*pfx));
    Bgpbus__V1__Attributes *attrs = calloc(n, sizeof(*attrs));
    Bgpbus__V1__NextHop *nh = calloc(n, sizeof(*nh));
    Bgpbus__V1__AsPath *path = calloc(n, sizeof(*path));
    Bgpbus__V1__AsPathSegment *seg = calloc(n, sizeof(*seg));
    Bgpbus__V1__AsPathSegment **segp = calloc(n, sizeof(*segp));
    uint8_t(*addr)[4] = calloc(n, sizeof(*addr));
    uint32_t(*asns)[3] = calloc(n, sizeof(*asns));
    uint32_t(*comms)[2] = calloc(n, sizeof(*comms));
    static uint8_t next_hop[4] = { 198, 51, 100, 1 };
    Bgpbus__V1__Reply *reply = NULL;
    unsigned bad_index = n / 2;
    size_t req_len = 0;
    size_t reply_len = 0;
    double t0;
    double t1;
    int rv = 1;

    if (!routes || !rp || !nlri || !pfx || !attrs || !nh || !path || !seg || !segp || !addr ||
        !asns || !comms || n == 0 || n > 65536)
        goto out;
    for (unsigned i = 0; i < n; i++) {
        bgpbus__v1__prefix__init(&pfx[i]);
        addr[i][0] = 10;
        addr[i][1] = (uint8_t)(i >> 8);
        addr[i][2] = (uint8_t)i;
        addr[i][3] = i == bad_index ? 1 : 0; /* host bits: the speaker must refuse this one */
        pfx[i].has_address = true;
        pfx[i].address.data = addr[i];
        pfx[i].address.len = 4;
        pfx[i].has_length = true;
        pfx[i].length = 24;
        bgpbus__v1__nlri__init(&nlri[i]);
        nlri[i].nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
        nlri[i].unicast = &pfx[i];
        bgpbus__v1__next_hop__init(&nh[i]);
        nh[i].has_address = true;
        nh[i].address.data = next_hop;
        nh[i].address.len = 4;
        bgpbus__v1__as_path_segment__init(&seg[i]);
        asns[i][0] = 65001;
        asns[i][1] = 65002;
        asns[i][2] = 64512 + i % 1000;
        seg[i].has_type = true;
        seg[i].type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
        seg[i].n_asns = 3;
        seg[i].asns = asns[i];
        segp[i] = &seg[i];
        bgpbus__v1__as_path__init(&path[i]);
        path[i].n_segments = 1;
        path[i].segments = &segp[i];
        comms[i][0] = 65000u << 16 | (i % 100);
        comms[i][1] = 0xFFFFFF01u; /* no-export */
        bgpbus__v1__attributes__init(&attrs[i]);
        attrs[i].has_origin = true;
        attrs[i].origin = BGPBUS__V1__ORIGIN__ORIGIN_IGP;
        attrs[i].as_path = &path[i];
        attrs[i].next_hop = &nh[i];
        attrs[i].has_med = true;
        attrs[i].med = i;
        attrs[i].has_local_pref = true;
        attrs[i].local_pref = 200;
        attrs[i].n_communities = 2;
        attrs[i].communities = comms[i];
        bgpbus__v1__route__init(&routes[i]);
        routes[i].nlri = &nlri[i];
        routes[i].attributes = &attrs[i];
        rp[i] = &routes[i];
    }
    an.n_routes = n;
    an.routes = rp;
    req.has_id = true;
    req.id = 0x5EED0000u + n;
    req.owner = "bus_sys_client";
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE;
    req.announce = &an;

    t0 = now_us();
    if ((rv = call(c, &req, &reply, &req_len, &reply_len)) != 0)
        goto out;
    t1 = now_us();
    rv = 1;
    if (reply->id != req.id || reply->status != BGPBUS__V1__STATUS__STATUS_PARTIAL ||
        reply->n_items != n) {
        log_error("announce: reply id %llu status %d items %zu", (unsigned long long)reply->id,
                  reply->status, reply->n_items);
        goto out;
    }
    for (unsigned i = 0; i < n; i++) {
        const Bgpbus__V1__ItemResult *it = reply->items[i];
        int want = i == bad_index ? BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT
                                  : BGPBUS__V1__STATUS__STATUS_OK;

        if (!it->has_status || (int)it->status != want ||
            (i == bad_index && (it->error == NULL || strstr(it->error, "host bits") == NULL))) {
            log_error("announce: item %u has status %d (%s), want %d", i, it->status,
                      it->error != NULL ? it->error : "", want);
            goto out;
        }
    }
    printf("announce: %u routes, request %zu bytes, reply %zu bytes, round trip %.1f ms "
           "(pack + send + server decode and check + reply + decode)\n",
           n, req_len, reply_len, (t1 - t0) / 1000.0);
    rv = 0;

out:
    if (reply != NULL)
        bgpbus__v1__reply__free_unpacked(reply, NULL);
    free(routes);
    free(rp);
    free(nlri);
    free(pfx);
    free(attrs);
    free(nh);
    free(path);
    free(seg);
    free(segp);
    free(addr);
    free(asns);
    free(comms);
    return rv;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: bus_sys_client --cmd URL [--cert PEM --key PEM] [--ca PEM "
            "--server-name NAME] [--timeout-ms MS] [--expect-refusal] ping N | announce N\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "cmd", required_argument, NULL, 'c' },
        { "cert", required_argument, NULL, 'C' },
        { "key", required_argument, NULL, 'K' },
        { "ca", required_argument, NULL, 'A' },
        { "server-name", required_argument, NULL, 'N' },
        { "expect-refusal", no_argument, NULL, 'R' },
        { "timeout-ms", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    struct bus_tls tls = { 0 };
    struct bus_opts opts = { .tls = &tls };
    struct bus_client *c;
    bool expect_refusal = false;
    unsigned n;
    int opt;
    int rv;

    log_set_ident("bus_sys_client");
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c': opts.url = optarg; break;
        case 'C': tls.cert = optarg; break;
        case 'K': tls.key = optarg; break;
        case 'A': tls.ca = optarg; break;
        case 'N': tls.server_name = optarg; break;
        case 'R': expect_refusal = true; break;
        case 'T': call_timeout_ms = atoi(optarg); break;
        default: usage();
        }
    }
    if (opts.url == NULL || argc - optind != 2)
        usage();
    n = (unsigned)strtoul(argv[optind + 1], NULL, 10);
    if ((rv = bus_client_open(&c, NULL, &opts)) != 0) {
        log_error("cannot connect to %s: %s", opts.url, bus_strerror(rv));
        rv = 3;
    } else {
        if (strcmp(argv[optind], "ping") == 0)
            rv = run_ping(c, n);
        else if (strcmp(argv[optind], "announce") == 0)
            rv = run_announce(c, n);
        else
            usage();
        bus_client_free(c);
    }
    if (expect_refusal) {
        if (rv == 3) {
            printf("refused, as expected\n");
            return 0;
        }
        log_error("expected to be refused, got %d", rv);
        return 1;
    }
    return rv;
}
