/*
 * bench-inject: the generated routes of bench_routes.h, three ways.
 *
 *   bench-inject [--command URL] [--routes N] [--ipv6] [--mix] [--batch B] [--neighbor A]
 *                [--next-hop A]                         announce them through the C client
 *   bench-inject ... --lines-out FILE                   write them as ExaBGP API lines
 *   bench-inject ... --mrt-out FILE                     write them as an MRT TABLE_DUMP_V2 RIB
 *                                                       (IPv4; for `gobgp mrt inject`)
 *
 * Announcing: every route goes to bgpbus_announce() in calls of B routes (0, the default: one
 * call, which the library pipelines in requests of BGPBUS_BATCH with 32 in flight). Prints
 * `first WALL` before the first call and `acked WALL failed K` when every reply is in
 * (CLOCK_REALTIME seconds, comparable with bench-sink's).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_bgp.h"
#include "bench_routes.h"
#include "bgpbus.h"

struct inject_opts {
    const char *command_url;
    const char *neighbor;
    const char *next_hop;
    const char *lines_out;
    const char *mrt_out;
    uint64_t routes;
    size_t batch;
    bool v6, mix;
};

/* Every route, with the storage its pointers need (one attribute set per route: simple, and
 * what a client would hold). */
struct route_set {
    struct bgpbus_route *routes;
    struct bench_attrs *attrs;
    char (*prefixes)[48];
};

static int
build_routes(struct route_set *rs, const struct inject_opts *o)
{
    rs->routes = calloc(o->routes, sizeof(*rs->routes));
    rs->attrs = calloc(o->routes, sizeof(*rs->attrs));
    rs->prefixes = calloc(o->routes, sizeof(*rs->prefixes));
    if (!rs->routes || !rs->attrs || !rs->prefixes)
        return -1;
    for (uint64_t i = 0; i < o->routes; i++) {
        struct bgpbus_route *r = &rs->routes[i];
        struct bench_attrs *a = &rs->attrs[i];
        bench_route_prefix(rs->prefixes[i], sizeof(rs->prefixes[i]), i, o->v6);
        bench_route_attrs(a, i, o->mix);
        r->prefix = rs->prefixes[i];
        r->next_hop = o->next_hop;
        r->as_path = a->path;
        r->as_path_len = a->path_len;
        r->communities = a->comm;
        r->n_communities = a->n_comm;
        r->origin = BGPBUS_ORIGIN_IGP;
        r->has_med = a->has_med;
        r->med = a->med;
    }
    return 0;
}

static void
free_routes(struct route_set *rs)
{
    free(rs->routes);
    free(rs->attrs);
    free(rs->prefixes);
}

static int
announce_all(const struct inject_opts *o)
{
    struct bgpbus_options copts = { .command_url = o->command_url, .timeout_ms = 120000 };
    struct route_set rs;
    struct bgpbus_result *results;
    bgpbus_client *c;
    uint64_t failed = 0;
    int rc = 0;

    if (build_routes(&rs, o) < 0 || !(results = calloc(o->routes, sizeof(*results)))) {
        fprintf(stderr, "bench-inject: out of memory\n");
        return 1;
    }
    if (bgpbus_client_open(&c, &copts) < 0) {
        fprintf(stderr, "bench-inject: %s\n", bgpbus_client_error(NULL));
        free_routes(&rs);
        free(results);
        return 1;
    }
    size_t step = o->batch ? o->batch : o->routes;
    printf("first %.6f\n", bench_wall());
    fflush(stdout);
    for (uint64_t done = 0; done < o->routes; done += step) {
        size_t n = o->routes - done < step ? o->routes - done : step;
        int r = bgpbus_announce(c, o->neighbor, rs.routes + done, n, results + done);
        if (r < 0 && r != BGPBUS_E_PARTIAL) {
            fprintf(stderr, "bench-inject: %s\n", bgpbus_client_error(c));
            rc = 1;
        }
    }
    double acked = bench_wall();
    for (uint64_t i = 0; i < o->routes; i++) {
        if (results[i].status && failed++ == 0)
            fprintf(stderr, "bench-inject: %s refused: %s\n", rs.routes[i].prefix,
                    results[i].error);
    }
    printf("acked %.6f failed %llu\n", acked, (unsigned long long)failed);
    bgpbus_client_close(c);
    free_routes(&rs);
    free(results);
    return rc || failed;
}

/* ---- ExaBGP API lines ---------------------------------------------------------------------- */

static int
write_lines(const struct inject_opts *o)
{
    FILE *f = fopen(o->lines_out, "w");
    char pfx[48];

    if (!f) {
        perror(o->lines_out);
        return 1;
    }
    for (uint64_t i = 0; i < o->routes; i++) {
        struct bench_attrs a;
        bench_route_prefix(pfx, sizeof(pfx), i, o->v6);
        bench_route_attrs(&a, i, o->mix);
        fprintf(f, "announce route %s next-hop %s origin igp as-path [", pfx, o->next_hop);
        for (size_t k = 0; k < a.path_len; k++)
            fprintf(f, " %u", a.path[k]);
        fputs(" ]", f);
        if (a.n_comm) {
            fputs(" community [", f);
            for (size_t k = 0; k < a.n_comm; k++)
                fprintf(f, " %u:%u", a.comm[k] >> 16, a.comm[k] & 0xffff);
            fputs(" ]", f);
        }
        if (a.has_med)
            fprintf(f, " med %u", a.med);
        fputc('\n', f);
    }
    return fclose(f) == 0 ? 0 : 1;
}

/* ---- MRT TABLE_DUMP_V2 (RFC 6396 4.3) ------------------------------------------------------ */

static uint8_t *
put16(uint8_t *p, uint32_t v)
{
    *p++ = (uint8_t)(v >> 8);
    *p++ = (uint8_t)v;
    return p;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
    p = put16(p, v >> 16);
    return put16(p, v & 0xffff);
}

static void
mrt_record(FILE *f, uint16_t subtype, const uint8_t *body, size_t len)
{
    uint8_t h[12], *p = h;

    p = put32(p, 0);  /* timestamp */
    p = put16(p, 13); /* TABLE_DUMP_V2 */
    p = put16(p, subtype);
    put32(p, (uint32_t)len);
    fwrite(h, 1, sizeof(h), f);
    fwrite(body, 1, len, f);
}

/* Path attributes of RFC 4271 4.3 with 4-octet ASNs (RFC 6396 4.3.4: always in TABLE_DUMP_V2). */
static size_t
mrt_attrs(uint8_t *b, const struct bench_attrs *a, const uint8_t nh[4])
{
    uint8_t *p = b;

    *p++ = 0x40, *p++ = 1, *p++ = 1, *p++ = 0; /* ORIGIN IGP */
    *p++ = 0x40, *p++ = 2, *p++ = (uint8_t)(2 + 4 * a->path_len);
    *p++ = 2, *p++ = (uint8_t)a->path_len; /* AS_SEQUENCE */
    for (size_t k = 0; k < a->path_len; k++)
        p = put32(p, a->path[k]);
    *p++ = 0x40, *p++ = 3, *p++ = 4;
    memcpy(p, nh, 4);
    p += 4;
    if (a->has_med) {
        *p++ = 0x80, *p++ = 4, *p++ = 4;
        p = put32(p, a->med);
    }
    if (a->n_comm) {
        *p++ = 0xc0, *p++ = 8, *p++ = (uint8_t)(4 * a->n_comm);
        for (size_t k = 0; k < a->n_comm; k++)
            p = put32(p, a->comm[k]);
    }
    return (size_t)(p - b);
}

static int
write_mrt(const struct inject_opts *o)
{
    uint8_t nh[4], body[256], *p;
    FILE *f;

    if (o->v6 || inet_pton(AF_INET, o->next_hop, nh) != 1) {
        fprintf(stderr, "bench-inject: --mrt-out needs IPv4 routes and an IPv4 --next-hop\n");
        return 1;
    }
    if (!(f = fopen(o->mrt_out, "wb"))) {
        perror(o->mrt_out);
        return 1;
    }
    /* PEER_INDEX_TABLE: collector id, empty view name, one peer (AS4, IPv4) of address and
     * AS 0, which gobgpd takes as its own routes (tests/peers/_routes.py does the same) */
    p = put32(body, 0);
    p = put16(p, 0);
    p = put16(p, 1);
    *p++ = 0x02;
    memset(p, 0, 12);
    p += 12;
    mrt_record(f, 1, body, (size_t)(p - body));
    /* gobgp 3.10's `mrt inject` returns without closing its gRPC stream and loses the last
     * records in flight: a tail of records already sent (ignored by gobgpd as duplicates) is
     * sacrificed instead (tests/peers/gobgp.sh). */
    uint64_t pad = 10000 + o->routes / 50;
    for (uint64_t k = 0; k < o->routes + pad; k++) {
        struct bench_attrs a;
        uint64_t i = k % o->routes;
        uint32_t addr = 0x14000000u + (uint32_t)(i << 8);
        bench_route_attrs(&a, i, o->mix);
        p = put32(body, (uint32_t)k); /* sequence */
        *p++ = 24;
        *p++ = (uint8_t)(addr >> 24), *p++ = (uint8_t)(addr >> 16), *p++ = (uint8_t)(addr >> 8);
        p = put16(p, 1); /* one entry */
        p = put16(p, 0); /* peer index */
        p = put32(p, 0); /* originated */
        size_t alen = mrt_attrs(p + 2, &a, nh);
        p = put16(p, (uint32_t)alen) + alen;
        mrt_record(f, 2, body, (size_t)(p - body)); /* RIB_IPV4_UNICAST */
    }
    return fclose(f) == 0 ? 0 : 1;
}

static int
parse_opts(int argc, char **argv, struct inject_opts *o)
{
    static const struct option longopts[] = {
        { "command", required_argument, NULL, 'c' },  { "routes", required_argument, NULL, 'n' },
        { "ipv6", no_argument, NULL, '6' },           { "mix", no_argument, NULL, 'm' },
        { "batch", required_argument, NULL, 'b' },    { "neighbor", required_argument, NULL, 'N' },
        { "next-hop", required_argument, NULL, 'h' }, { "lines-out", required_argument, NULL, 'L' },
        { "mrt-out", required_argument, NULL, 'M' },  { NULL, 0, NULL, 0 },
    };
    int ch;

    *o = (struct inject_opts){ .routes = 1000000 };
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->command_url = optarg; break;
        case 'n': o->routes = strtoull(optarg, NULL, 10); break;
        case '6': o->v6 = true; break;
        case 'm': o->mix = true; break;
        case 'b': o->batch = strtoul(optarg, NULL, 10); break;
        case 'N': o->neighbor = optarg; break;
        case 'h': o->next_hop = optarg; break;
        case 'L': o->lines_out = optarg; break;
        case 'M': o->mrt_out = optarg; break;
        default: return -1;
        }
    }
    if (!o->next_hop)
        o->next_hop = o->v6 ? "2001:db8:ffff::1" : "198.51.100.1";
    return o->routes > 0 && o->routes <= (1u << 24) ? 0 : -1;
}

int
main(int argc, char **argv)
{
    struct inject_opts o;

    if (parse_opts(argc, argv, &o) < 0) {
        fprintf(stderr,
                "usage: bench-inject [--command URL] [--routes N (<= 16M)] [--ipv6] [--mix] "
                "[--batch B] [--neighbor A] [--next-hop A] [--lines-out FILE | --mrt-out "
                "FILE]\n");
        return 2;
    }
    if (o.lines_out)
        return write_lines(&o);
    if (o.mrt_out)
        return write_mrt(&o);
    return announce_all(&o);
}
