/*
 * Every configuration of ExaBGP's qa corpus (tests/data/conf/vectors, copied from
 * /work/shared/compat/exabgp/vectors) loads, and the neighbor and process facts match what
 * ExaBGP's own parser read from it (the .expect file beside each configuration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "conf_load.h"

struct sbuf {
    char *s;
    size_t len, cap;
};

static void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if ((size_t)n < b->cap - b->len)
            break;
        b->cap = b->cap * 2 + (size_t)n + 64;
        b->s = realloc(b->s, b->cap);
        assert_non_null(b->s);
    }
    b->len += (size_t)n;
}

static const char *
addr_text(const struct conf_addr *a, char *buf, size_t len)
{
    if (a->af == 0)
        return "auto";
    assert_non_null(inet_ntop(a->af, a->bytes, buf, (socklen_t)len));
    return buf;
}

static void
render_families(struct sbuf *b, conf_family_set set)
{
    bool first = true;

    for (size_t i = 0; i < CONF_FAMILY_COUNT; i++) {
        if (!(set & (1u << i)))
            continue;
        sbuf_printf(b, "%s%s/%s", first ? "" : ",", conf_families[i].afi_name,
                    conf_families[i].safi_name);
        first = false;
    }
}

/* The api lists in ExaBGP's flattened form (api.py ParseAPI.flatten), key order sorted. */
static void
render_api(struct sbuf *b, const struct conf_neighbor *nb)
{
    static const char *const msgs[CONF_API_MSG_COUNT] = {
        "parsed",       "packets",   "consolidate", "open",        "update",
        "notification", "keepalive", "refresh",     "operational",
    };
    struct {
        char key[40];
        uint32_t bit;
    } keys[4 + 2 * CONF_API_MSG_COUNT + 1];
    size_t n = 0;

    snprintf(keys[n].key, sizeof(keys[n].key), "processes");
    keys[n++].bit = 0;
    snprintf(keys[n].key, sizeof(keys[n].key), "neighbor-changes");
    keys[n++].bit = CONF_API_NEIGHBOR_CHANGES;
    snprintf(keys[n].key, sizeof(keys[n].key), "negotiated");
    keys[n++].bit = CONF_API_NEGOTIATED;
    snprintf(keys[n].key, sizeof(keys[n].key), "fsm");
    keys[n++].bit = CONF_API_FSM;
    snprintf(keys[n].key, sizeof(keys[n].key), "signal");
    keys[n++].bit = CONF_API_SIGNAL;
    for (int m = 0; m < CONF_API_MSG_COUNT; m++) {
        snprintf(keys[n].key, sizeof(keys[n].key), "send-%s", msgs[m]);
        keys[n++].bit = CONF_API_SEND(m);
        snprintf(keys[n].key, sizeof(keys[n].key), "receive-%s", msgs[m]);
        keys[n++].bit = CONF_API_RECEIVE(m);
    }
    /* sorted, like the generator */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(keys[j].key, keys[i].key) < 0) {
                __typeof__(keys[0]) t = keys[i];

                keys[i] = keys[j];
                keys[j] = t;
            }
    for (size_t k = 0; k < n; k++) {
        bool any = false;

        for (size_t a = 0; a < nb->napi; a++) {
            if (keys[k].bit != 0 && !(nb->api[a].flags & keys[k].bit))
                continue;
            for (size_t p = 0; p < nb->api[a].nprocesses; p++) {
                if (!any)
                    sbuf_printf(b, "  api %s ", keys[k].key);
                sbuf_printf(b, "%s%s", any ? "," : "", nb->api[a].processes[p].text);
                any = true;
            }
        }
        if (any)
            sbuf_printf(b, "\n");
    }
}

static void
render(struct sbuf *b, const struct conf *conf)
{
    static const char *const add_path[] = { "disabled", "receive", "send", "send/receive" };
    const struct conf_process *sorted[64];

    for (size_t i = 0; i < conf->nneighbors; i++) {
        const struct conf_neighbor *nb = &conf->neighbors[i];
        char p[64], l[64], r[64];

        sbuf_printf(b,
                    "neighbor %s local-address %s router-id %s local-as %u peer-as %u passive %d "
                    "hold-time %u group-updates %d manual-eor %d adj-rib-in %d adj-rib-out %d "
                    "asn4 %d add-path %s\n",
                    addr_text(&nb->peer_address, p, sizeof(p)),
                    addr_text(&nb->local_address, l, sizeof(l)),
                    addr_text(&nb->router_id, r, sizeof(r)), nb->local_as, nb->peer_as, nb->passive,
                    nb->hold_time, nb->group_updates, nb->manual_eor, nb->adj_rib_in,
                    nb->adj_rib_out, nb->capability.asn4, add_path[nb->capability.add_path]);
        sbuf_printf(b, "  families ");
        render_families(b, nb->families);
        sbuf_printf(b, "\n  add-path-families ");
        render_families(b, nb->add_path_families);
        sbuf_printf(b, "\n");
        render_api(b, nb);
    }
    assert_true(conf->nprocesses <= 64);
    for (size_t i = 0; i < conf->nprocesses; i++)
        sorted[i] = &conf->processes[i];
    for (size_t i = 0; i < conf->nprocesses; i++)
        for (size_t j = i + 1; j < conf->nprocesses; j++)
            if (strcmp(sorted[j]->name, sorted[i]->name) < 0) {
                const struct conf_process *t = sorted[i];

                sorted[i] = sorted[j];
                sorted[j] = t;
            }
    for (size_t i = 0; i < conf->nprocesses; i++)
        sbuf_printf(b, "process %s argc %zu encoder %s respawn %d\n", sorted[i]->name,
                    sorted[i]->argc, sorted[i]->encoder == CONF_ENCODER_JSON ? "json" : "text",
                    sorted[i]->respawn);
}

static char *
read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s;
    long len;

    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
    s[len] = '\0';
    fclose(f);
    return s;
}

static void
test_vectors_load(void **state)
{
    const char *src = getenv("BGPBUS_SOURCE");
    char dir[2048], path[4400], line[256];
    FILE *index;
    int count = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/tests/data/conf/vectors", src != NULL ? src : ".");
    snprintf(path, sizeof(path), "%s/INDEX", dir);
    index = fopen(path, "r");
    assert_non_null(index);
    while (fgets(line, sizeof(line), index) != NULL) {
        struct conf conf;
        struct conf_error err;
        struct sbuf got = { 0 };
        char *expect, msg[600];

        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, line);
        if (conf_load_file(&conf, path, 0, &err) < 0)
            fail_msg("%s", conf_error_format(&err, msg, sizeof(msg)));
        render(&got, &conf);
        snprintf(path, sizeof(path), "%s/%s.expect", dir, line);
        expect = read_all(path);
        if (strcmp(got.s, expect) != 0) {
            print_error("%s\n--- expected\n%s--- got\n%s", line, expect, got.s);
            fail();
        }
        free(expect);
        free(got.s);
        conf_free(&conf);
        count++;
    }
    fclose(index);
    assert_int_equal(count, 55); /* 30 encoding + 25 api records */
}

/* api-reload's two files: the second drops a static route, which keeps the session. */
static void
test_vectors_reload_pair(void **state)
{
    const char *src = getenv("BGPBUS_SOURCE");
    char path[4200], msg[600];
    struct conf a, b;
    struct conf_error err;

    (void)state;
    snprintf(path, sizeof(path), "%s/tests/data/conf/vectors/api-reload.1.conf",
             src != NULL ? src : ".");
    if (conf_load_file(&a, path, 0, &err) < 0)
        fail_msg("%s", conf_error_format(&err, msg, sizeof(msg)));
    snprintf(path, sizeof(path), "%s/tests/data/conf/vectors/api-reload.2.conf",
             src != NULL ? src : ".");
    if (conf_load_file(&b, path, 0, &err) < 0)
        fail_msg("%s", conf_error_format(&err, msg, sizeof(msg)));
    /* the second file drops one static route: same peer, routes changed, session kept */
    assert_int_equal(a.nneighbors, 1);
    assert_int_equal(b.nneighbors, 1);
    assert_true(conf_neighbor_same_peer(&a.neighbors[0], &b.neighbors[0]));
    assert_int_equal(conf_neighbor_compare(&a.neighbors[0], &b.neighbors[0]), CONF_CHANGE_ROUTES);
    assert_int_equal(conf_neighbor_compare(&a.neighbors[0], &a.neighbors[0]), 0);
    conf_free(&a);
    conf_free(&b);
}

/* tests/data/conf/full.conf: every section and option, with the values that matter. */
static void
test_full_sample(void **state)
{
    const char *src = getenv("BGPBUS_SOURCE");
    char path[4200], msg[600];
    struct conf conf;
    struct conf_error err;
    const struct conf_neighbor *rr, *v6, *range, *edge2;

    (void)state;
    snprintf(path, sizeof(path), "%s/tests/data/conf/full.conf", src != NULL ? src : ".");
    if (conf_load_file(&conf, path, 0, &err) < 0)
        fail_msg("%s", conf_error_format(&err, msg, sizeof(msg)));
    assert_int_equal(conf.nprocesses, 2);
    assert_int_equal(conf.nneighbors, 5);
    rr = &conf.neighbors[0];
    v6 = &conf.neighbors[1];
    range = &conf.neighbors[2];
    edge2 = &conf.neighbors[4];

    assert_int_equal(rr->hold_time, 90);
    assert_int_equal(rr->capability.graceful_restart, 120);
    assert_string_equal(rr->md5_password, "s3cr3t with spaces");
    assert_int_equal(rr->rate_limit, 100);
    assert_int_equal(rr->incoming_ttl, 254);
    assert_false(rr->adj_rib_in);
    assert_int_equal(rr->add_path_families, 1u << CONF_FAMILY_IPV4_UNICAST);
    assert_int_equal(rr->nexthop_families, 1u << CONF_FAMILY_IPV4_UNICAST);
    assert_int_equal(rr->nroutes, 6);
    assert_int_equal(rr->routes[3].kind, CONF_ROUTE_FLOW);
    assert_int_equal(rr->routes[4].kind, CONF_ROUTE_VPLS);
    assert_int_equal(rr->routes[5].kind, CONF_ROUTE_ANNOUNCE);
    assert_int_equal(conf_neighbor_api_flags(rr, "announcer"), CONF_API_BOUND);
    assert_true(conf_neighbor_api_flags(rr, "monitor") & CONF_API_SEND(CONF_API_MSG_PACKETS));
    assert_true(conf_neighbor_api_flags(rr, "monitor") & CONF_API_SIGNAL);

    assert_true(v6->md5_base64);
    assert_false(v6->capability.extended_message);
    assert_true(v6->capability.multi_session && v6->capability.aigp);
    assert_int_equal(v6->routes[0].kind, CONF_ROUTE_OPERATIONAL);

    assert_int_equal(range->peer_address.plen, 24);
    assert_int_equal(range->local_address.af, 0); /* auto */
    assert_int_equal(range->families, conf_family_all());

    assert_int_equal(edge2->peer_as, 65030);
    assert_int_equal(edge2->hold_time, 30);
    conf_free(&conf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_load),
        cmocka_unit_test(test_vectors_reload_pair),
        cmocka_unit_test(test_full_sample),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
