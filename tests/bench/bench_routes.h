/*
 * bench_routes.h: the generated routes of the benchmarks, the same for every injector.
 *
 * Route i: IPv4 20.0.0.0/24 + i (i.e. (20.0.0.0 + 256 i)/24) or IPv6 2001:db8:HI:LO::/64 with
 * HI:LO = i. Attributes ("plain"): AS path 65010 65011, one community 65000:1, origin IGP. With
 * the "mix" (closer to a real table: 497k prefixes share 79k attribute sets in rv-jinx, about
 * 6 a set): a set per 6 routes, AS paths of 1 to 6 ASNs, 0 to 3 communities, a MED on a third.
 */
#ifndef BENCH_ROUTES_H
#define BENCH_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BENCH_ROUTES_PER_SET = 6, BENCH_PATH_MAX = 6, BENCH_COMM_MAX = 3 };

struct bench_attrs {
    uint32_t path[BENCH_PATH_MAX];
    size_t path_len;
    uint32_t comm[BENCH_COMM_MAX];
    size_t n_comm;
    bool has_med;
    uint32_t med;
};

/* The prefix of route i as text ("20.0.1.0/24"). */
void bench_route_prefix(char *buf, size_t len, uint64_t i, bool v6);
/* The attributes of route i. */
void bench_route_attrs(struct bench_attrs *a, uint64_t i, bool mix);

#endif /* BENCH_ROUTES_H */
