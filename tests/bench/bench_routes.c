/*
 * bench_routes.c: the generated routes of the benchmarks (see bench_routes.h).
 */
#include <stdio.h>

#include "bench_routes.h"

void
bench_route_prefix(char *buf, size_t len, uint64_t i, bool v6)
{
    if (v6) {
        snprintf(buf, len, "2001:db8:%x:%x::/64", (unsigned)(i >> 16) & 0xffff,
                 (unsigned)i & 0xffff);
        return;
    }
    uint32_t a = 0x14000000u + (uint32_t)(i << 8);
    snprintf(buf, len, "%u.%u.%u.0/24", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff);
}

void
bench_route_attrs(struct bench_attrs *a, uint64_t i, bool mix)
{
    uint64_t set = i / BENCH_ROUTES_PER_SET;

    if (!mix) {
        *a = (struct bench_attrs){
            .path = { 65010, 65011 }, .path_len = 2, .comm = { 65000u << 16 | 1 }, .n_comm = 1
        };
        return;
    }
    *a = (struct bench_attrs){ .path_len = 1 + set % BENCH_PATH_MAX,
                               .n_comm = set % (BENCH_COMM_MAX + 1),
                               .has_med = set % 3 == 0,
                               .med = (uint32_t)(set % 1000) };
    /* distinct paths: the set number spread over the ASNs, ending in an origin AS */
    for (size_t k = 0; k < a->path_len; k++)
        a->path[k] = 64512u + (uint32_t)((set >> (3 * k)) % 1000) + (uint32_t)k * 1000u;
    for (size_t k = 0; k < a->n_comm; k++)
        a->comm[k] = 65000u << 16 | (uint32_t)((set + k) % 65536);
}
