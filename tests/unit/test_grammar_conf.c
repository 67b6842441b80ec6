/*
 * Every route statement of the configurations of ExaBGP's corpus (tests/data/conf/vectors, as
 * lib/conf_*.c delivers them in struct conf_route) goes through the route grammar: what ExaBGP
 * loaded must parse here too.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_load.h"
#include "grammar_command.h"

struct tc_counts {
    int routes, parsed, skipped;
};

static int
tc_parse(const struct conf_route *r, const char *const *w, struct arena *arena,
         struct grammar_error *err, bool *skipped)
{
    struct grammar_routes out;
    unsigned flags = GRAMMAR_ANNOUNCE;

    *skipped = false;
    switch (r->kind) {
    case CONF_ROUTE_STATIC: return grammar_route_parse(w, r->nwords, flags, arena, &out, err);
    case CONF_ROUTE_ATTRIBUTES:
        return grammar_attributes_parse(w, r->nwords, flags, arena, &out, err);
    case CONF_ROUTE_FLOW: return grammar_flow_parse(w, r->nwords, flags, arena, &out, err);
    case CONF_ROUTE_VPLS: return grammar_vpls_parse(w, r->nwords, flags, arena, &out, err);
    case CONF_ROUTE_OPERATIONAL: {
        Bgpbus__V1__Operational *op;

        return grammar_operational_parse(w, r->nwords, arena, &op, err);
    }
    case CONF_ROUTE_ANNOUNCE:
        switch (r->family->safi) {
        case 1: flags |= GRAMMAR_SAFI_UNICAST; break;
        case 2: flags |= GRAMMAR_SAFI_MULTICAST; break;
        case 4: flags |= GRAMMAR_SAFI_LABELED; break;
        case 128: flags |= GRAMMAR_SAFI_VPN; break;
        case 133:
        case 134: return grammar_flow_parse(w, r->nwords, flags, arena, &out, err);
        case 65: return grammar_vpls_parse(w, r->nwords, flags, arena, &out, err);
        default: *skipped = true; return 0; /* mup, mcast-vpn, …: not in this grammar */
        }
        return grammar_route_parse(w, r->nwords, flags, arena, &out, err);
    }
    *skipped = true;
    return 0;
}

static void
tc_neighbor(const struct conf_neighbor *nb, const char *file, struct tc_counts *n)
{
    struct arena arena;
    struct grammar_error err;

    arena_init(&arena, 0);
    for (size_t i = 0; i < nb->nroutes; i++) {
        const struct conf_route *r = &nb->routes[i];
        const char **w = arena_calloc(&arena, r->nwords + 1, sizeof(*w));
        bool skipped;
        int rc;

        assert_non_null(w);
        for (size_t k = 0; k < r->nwords; k++)
            w[k] = r->words[k].text;
        n->routes++;
        rc = tc_parse(r, w, &arena, &err, &skipped);
        if (rc != 0) {
            const struct conf_word *at =
                err.word >= 0 && (size_t)err.word < r->nwords ? &r->words[err.word] : &r->at;

            print_error("%s:%d:%d: %s\n", file, at->line, at->col, err.msg);
        }
        assert_int_equal(rc, 0);
        if (skipped) {
            print_message("%s:%d: %s %s: family not in the route grammar\n", file, r->at.line,
                          r->kind == CONF_ROUTE_ANNOUNCE ? r->family->afi_name : "?",
                          r->kind == CONF_ROUTE_ANNOUNCE ? r->family->safi_name : "?");
            n->skipped++;
        } else
            n->parsed++;
        arena_reset(&arena);
    }
    arena_free(&arena);
}

static void
test_conf_routes(void **state)
{
    const char *src = getenv("BGPBUS_SOURCE");
    char dir[4096], path[8192];
    struct tc_counts n = { 0, 0, 0 };
    struct dirent *de;
    DIR *d;
    int files = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/tests/data/conf/vectors", src != NULL ? src : "..");
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        struct conf conf;
        struct conf_error cerr;

        if (len < 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (conf_load_file(&conf, path, 0, &cerr) < 0)
            continue; /* the configuration tests judge the loader; only loaded routes count */
        files++;
        for (size_t i = 0; i < conf.nneighbors; i++)
            tc_neighbor(&conf.neighbors[i], de->d_name, &n);
        conf_free(&conf);
    }
    closedir(d);
    print_message("conf vectors: %d files, %d routes, %d parsed, %d of other families\n", files,
                  n.routes, n.parsed, n.skipped);
    assert_true(files > 10);
    assert_true(n.parsed > 50);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_routes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
