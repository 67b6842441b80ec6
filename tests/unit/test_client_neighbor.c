/*
 * libbgpbus_client's typed neighbor calls (client_neighbor.c, issue 6): bgpbus_neighbor_add(),
 * bgpbus_neighbor_remove() and bgpbus_neighbors() against an in-process stand-in of the speaker
 * (a bus_server in a thread) that keeps the last request it got and answers as the speaker
 * does: an address in use refused, an unknown neighbor not matched, a list of two neighbors.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#include "bus.h"
#include "client_int.h"
#include "test_bus_util.h"
#include "test_standin.h"

#define KNOWN   "192.0.2.2"  /* the stand-in's neighbor that can be removed and listed */
#define IN_USE  "192.0.2.66" /* AddNeighbor of it is refused */
#define NO_LIST "192.0.2.99" /* ListNeighbors of it gets an OK without a list */

/* ---- the stand-in speaker ---------------------------------------------------------------- */

struct fake {
    struct standin s; /* the stand-in speaker (test_standin.h) */
    pthread_mutex_t lock;
    Bgpbus__V1__Request *last; /* the last request, kept for the test to look at */
};

static bool
addr_is(const ProtobufCBinaryData *b, const char *text)
{
    uint8_t buf[16];

    if (b->len == 4 && inet_pton(AF_INET, text, buf) == 1)
        return memcmp(b->data, buf, 4) == 0;
    return b->len == 16 && inet_pton(AF_INET6, text, buf) == 1 && memcmp(b->data, buf, 16) == 0;
}

/* The address of the request's one-match selector, or NULL when it has none. */
static const ProtobufCBinaryData *
selected(const Bgpbus__V1__Request *req)
{
    if (!req->neighbors || req->neighbors->n_matches != 1 ||
        !req->neighbors->matches[0]->has_address)
        return NULL;
    return &req->neighbors->matches[0]->address;
}

static Bgpbus__V1__Neighbor *
fake_neighbor(const char *addr, const char *local, Bgpbus__V1__FsmState state, uint64_t adv)
{
    Bgpbus__V1__Neighbor *nb = calloc(1, sizeof(*nb));
    Bgpbus__V1__NeighborConfig *cf = calloc(1, sizeof(*cf));
    Bgpbus__V1__NeighborState *st = calloc(1, sizeof(*st));
    Bgpbus__V1__MessageCounters *in = calloc(1, sizeof(*in)), *out = calloc(1, sizeof(*out));
    uint8_t *a = calloc(1, 16), *l = calloc(1, 16);

    if (!nb || !cf || !st || !in || !out || !a || !l)
        abort();
    bgpbus__v1__neighbor__init(nb);
    bgpbus__v1__neighbor_config__init(cf);
    bgpbus__v1__neighbor_state__init(st);
    bgpbus__v1__message_counters__init(in);
    bgpbus__v1__message_counters__init(out);
    inet_pton(AF_INET, addr, a);
    cf->has_address = true;
    cf->address = (ProtobufCBinaryData){ 4, a };
    if (local) {
        inet_pton(AF_INET6, local, l);
        cf->has_local_address = true;
        cf->local_address = (ProtobufCBinaryData){ 16, l };
    }
    cf->has_local_as = cf->has_peer_as = true;
    cf->local_as = 65000;
    cf->peer_as = 4200000001u;
    st->has_fsm_state = true;
    st->fsm_state = state;
    if (state == BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED) {
        st->has_uptime = true;
        st->uptime = 12.5;
    }
    st->has_routes_received = st->has_routes_advertised = st->has_routes_pending = true;
    st->routes_received = 7;
    st->routes_advertised = adv;
    st->routes_pending = 1;
    in->has_updates = out->has_updates = true;
    in->updates = 3;
    out->updates = 4;
    st->received = in;
    st->sent = out;
    nb->config = cf;
    nb->state = st;
    if (!local)
        free(l);
    return nb;
}

static void
fake_neighbor_free(Bgpbus__V1__Neighbor *nb)
{
    free(nb->config->address.data);
    free(nb->config->local_address.data);
    free(nb->state->received);
    free(nb->state->sent);
    free(nb->config);
    free(nb->state);
    free(nb);
}

/* ListNeighbors: every neighbor, or the selected one (none when it is not KNOWN). */
static void
fake_list(const Bgpbus__V1__Request *req, Bgpbus__V1__Reply *rep, Bgpbus__V1__NeighborList *list,
          Bgpbus__V1__Neighbor **nbs)
{
    const ProtobufCBinaryData *sel = selected(req);

    if (sel && addr_is(sel, NO_LIST))
        return;
    nbs[0] = fake_neighbor(KNOWN, "2001:db8::1", BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED, 42);
    nbs[1] = fake_neighbor("198.51.100.9", NULL, BGPBUS__V1__FSM_STATE__FSM_STATE_IDLE, 0);
    bgpbus__v1__neighbor_list__init(list);
    list->neighbors = nbs;
    list->n_neighbors = !sel ? 2 : addr_is(sel, KNOWN) ? 1 : 0;
    rep->result_case = BGPBUS__V1__REPLY__RESULT_NEIGHBORS;
    rep->neighbors = list;
}

static void
fake_answer(const Bgpbus__V1__Request *req, Bgpbus__V1__Reply *rep)
{
    const ProtobufCBinaryData *sel = selected(req);

    rep->has_status = true;
    rep->status = BGPBUS__V1__STATUS__STATUS_OK;
    if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_ADD_NEIGHBOR &&
        addr_is(&req->add_neighbor->config->address, IN_USE)) {
        rep->status = BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT;
        rep->error = "a neighbor with this address and local address exists";
    }
    if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_REMOVE_NEIGHBOR &&
        !(sel && addr_is(sel, KNOWN))) {
        rep->status = BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR;
        rep->error = "no neighbor matches the selector";
    }
}

static void
fake_request(struct bus_server *srv, void *arg, const uint8_t *buf, size_t len,
             struct bus_reply_handle *h)
{
    struct fake *f = arg;
    Bgpbus__V1__Request *req = bgpbus__v1__request__unpack(NULL, len, buf);
    Bgpbus__V1__Reply rep = BGPBUS__V1__REPLY__INIT;
    Bgpbus__V1__NeighborList list;
    Bgpbus__V1__Neighbor *nbs[2] = { NULL, NULL };

    (void)srv;
    /* This runs in the server's thread, where cmocka's asserts cannot jump: abort instead. */
    if (!req)
        abort();
    rep.has_id = true;
    rep.id = req->id;
    fake_answer(req, &rep);
    if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_LIST_NEIGHBORS)
        fake_list(req, &rep, &list, nbs);
    size_t n = bgpbus__v1__reply__get_packed_size(&rep);
    uint8_t *out = malloc(n ? n : 1);
    if (!out)
        abort();
    bgpbus__v1__reply__pack(&rep, out);
    for (size_t i = 0; i < 2; i++)
        if (nbs[i])
            fake_neighbor_free(nbs[i]);
    /* Kept before the reply goes, so the test sees it once its call returned. */
    pthread_mutex_lock(&f->lock);
    if (f->last)
        bgpbus__v1__request__free_unpacked(f->last, NULL);
    f->last = req;
    pthread_mutex_unlock(&f->lock);
    atomic_fetch_add(&f->s.received, 1);
    if (bus_reply(h, out, n) != 0)
        abort();
    free(out);
}

static int
setup(void **state)
{
    struct fake *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(pthread_mutex_init(&f->lock, NULL), 0);
    standin_start(&f->s, "neigh", fake_request, f);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fake *f = *state;

    standin_stop(&f->s);
    if (f->last)
        bgpbus__v1__request__free_unpacked(f->last, NULL);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return 0;
}

static bgpbus_client *
client(struct fake *f)
{
    struct bgpbus_options o = { .command_url = f->s.url, .timeout_ms = 5000 };
    bgpbus_client *c;

    assert_int_equal(bgpbus_client_open(&c, &o), 0);
    return c;
}

/* The last request the stand-in got (the test's own reference until the next call). */
static const Bgpbus__V1__Request *
last(struct fake *f)
{
    const Bgpbus__V1__Request *req;

    pthread_mutex_lock(&f->lock);
    req = f->last;
    pthread_mutex_unlock(&f->lock);
    assert_non_null(req);
    return req;
}

static void
assert_family(const Bgpbus__V1__Family *fam, uint32_t afi, uint32_t safi)
{
    assert_true(fam->has_afi && fam->has_safi);
    assert_int_equal(fam->afi, afi);
    assert_int_equal(fam->safi, safi);
}

/* ---- add ---------------------------------------------------------------------------------- */

static void
test_add_full(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);
    const char *fams[] = { "ipv4", "IPv6 unicast", "ipv4-multicast", "ipv6-multicast" };
    struct bgpbus_neighbor_config cfg = {
        .address = "2001:db8::2",
        .local_as = 65000,
        .peer_as = 4200000001u,
        .local_address = "2001:db8::1",
        .router_id = "192.0.2.1",
        .has_hold_time = true,
        .hold_time = 0, /* present: no keepalives (RFC 4271 4.2), not "the default" */
        .passive = true,
        .connect_port = 1790,
        .listen_port = 1791,
        .families = fams,
        .n_families = 4,
    };

    assert_int_equal(bgpbus_neighbor_add(c, &cfg), 0);
    const Bgpbus__V1__Request *req = last(f);
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_ADD_NEIGHBOR);
    assert_null(req->neighbors);
    const Bgpbus__V1__NeighborConfig *nc = req->add_neighbor->config;
    assert_non_null(nc);
    assert_true(nc->has_address && addr_is(&nc->address, "2001:db8::2"));
    assert_true(nc->has_local_address && addr_is(&nc->local_address, "2001:db8::1"));
    assert_true(nc->has_router_id && addr_is(&nc->router_id, "192.0.2.1"));
    assert_true(nc->has_local_as && nc->local_as == 65000);
    assert_true(nc->has_peer_as && nc->peer_as == 4200000001u);
    assert_true(nc->has_hold_time && nc->hold_time == 0);
    assert_true(nc->has_passive && nc->passive);
    assert_true(nc->has_peer_port && nc->peer_port == 1790);
    assert_true(nc->has_listen_port && nc->listen_port == 1791);
    assert_int_equal(nc->n_families, 4);
    assert_family(nc->families[0], 1, 1);
    assert_family(nc->families[1], 2, 1);
    assert_family(nc->families[2], 1, 2);
    assert_family(nc->families[3], 2, 2);
    assert_string_equal(bgpbus_client_error(c), "");
    bgpbus_client_close(c);
}

/* What is left out is absent from the request: the speaker's defaults apply. */
static void
test_add_minimal(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);
    struct bgpbus_neighbor_config cfg = { .address = "192.0.2.3", .local_as = 1, .peer_as = 2 };

    assert_int_equal(bgpbus_neighbor_add(c, &cfg), 0);
    const Bgpbus__V1__NeighborConfig *nc = last(f)->add_neighbor->config;
    assert_true(nc->has_address && addr_is(&nc->address, "192.0.2.3"));
    assert_false(nc->has_local_address || nc->has_router_id || nc->has_hold_time ||
                 nc->has_passive || nc->has_peer_port || nc->has_listen_port);
    assert_int_equal(nc->n_families, 0);
    bgpbus_client_close(c);
}

static void
test_add_in_use(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);
    struct bgpbus_neighbor_config cfg = { .address = IN_USE, .local_as = 1, .peer_as = 2 };

    assert_int_equal(bgpbus_neighbor_add(c, &cfg), BGPBUS_E_REJECTED);
    assert_string_equal(bgpbus_client_error(c),
                        "a neighbor with this address and local address exists");
    assert_int_equal(atomic_load(&f->s.received), 1);
    bgpbus_client_close(c);
}

/* Every mistake a client can make is named, and nothing reaches the speaker. */
static void
test_add_invalid(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);
    const char *bad_fam[] = { "ipv4", "ipv4-flow" };
    const struct {
        struct bgpbus_neighbor_config cfg;
        const char *why;
    } cases[] = {
        { { .local_as = 1, .peer_as = 2 }, "bad neighbor address (none)" },
        { { .address = "10.0.0.300", .local_as = 1, .peer_as = 2 },
          "bad neighbor address 10.0.0.300" },
        { { .address = "192.0.2.2", .local_address = "x", .local_as = 1, .peer_as = 2 },
          "bad local address x" },
        { { .address = "192.0.2.2", .router_id = "2001:db8::1", .local_as = 1, .peer_as = 2 },
          "bad router id 2001:db8::1 (an IPv4 address)" },
        { { .address = "192.0.2.2", .local_as = 0, .peer_as = 2 },
          "local_as and peer_as are required (AS 0 is reserved, RFC 7607)" },
        { { .address = "192.0.2.2", .local_as = 1 },
          "local_as and peer_as are required (AS 0 is reserved, RFC 7607)" },
        { { .address = "192.0.2.2",
            .local_as = 1,
            .peer_as = 2,
            .families = bad_fam,
            .n_families = 2 },
          "unknown family ipv4-flow (ipv4, ipv6, ipv4-multicast, ipv6-multicast)" },
        { { .address = "192.0.2.2", .local_as = 1, .peer_as = 2, .n_families = 1 },
          "n_families is 1 but families is NULL" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(bgpbus_neighbor_add(c, &cases[i].cfg), BGPBUS_E_INVALID);
        assert_string_equal(bgpbus_client_error(c), cases[i].why);
    }
    assert_int_equal(bgpbus_neighbor_add(c, NULL), BGPBUS_E_INVALID);
    assert_int_equal(bgpbus_neighbor_add(NULL, &cases[1].cfg), BGPBUS_E_INVALID);
    assert_int_equal(atomic_load(&f->s.received), 0);
    bgpbus_client_close(c);
}

/* ---- remove ------------------------------------------------------------------------------- */

static void
test_remove(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);

    assert_int_equal(bgpbus_neighbor_remove(c, KNOWN), 0);
    const Bgpbus__V1__Request *req = last(f);
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_REMOVE_NEIGHBOR);
    assert_false(req->neighbors->has_all && req->neighbors->all);
    assert_true(addr_is(selected(req), KNOWN));

    assert_int_equal(bgpbus_neighbor_remove(c, "2001:db8::77"), BGPBUS_E_NO_NEIGHBOR);
    assert_true(addr_is(selected(last(f)), "2001:db8::77"));
    assert_string_equal(bgpbus_client_error(c), "no neighbor matches the selector");
    assert_string_equal(bgpbus_strerror(BGPBUS_E_NO_NEIGHBOR), "no such neighbor");

    /* A bad or missing address never becomes "no selector" (which the contract reads as
     * "nothing") nor anything else: it is not sent. */
    assert_int_equal(bgpbus_neighbor_remove(c, "not-an-address"), BGPBUS_E_INVALID);
    assert_string_equal(bgpbus_client_error(c), "bad neighbor address not-an-address");
    assert_int_equal(bgpbus_neighbor_remove(c, NULL), BGPBUS_E_INVALID);
    assert_int_equal(atomic_load(&f->s.received), 2);
    bgpbus_client_close(c);
}

/* ---- list --------------------------------------------------------------------------------- */

static void
test_list_all(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);
    struct bgpbus_neighbor *v;
    size_t n;

    assert_int_equal(bgpbus_neighbors(c, NULL, &v, &n), 0);
    const Bgpbus__V1__Request *req = last(f);
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_LIST_NEIGHBORS);
    assert_null(req->neighbors);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].address, KNOWN);
    assert_string_equal(v[0].local_address, "2001:db8::1");
    assert_int_equal(v[0].local_as, 65000);
    assert_int_equal(v[0].peer_as, 4200000001u);
    assert_string_equal(v[0].state, "established");
    assert_true(v[0].uptime == 12.5);
    assert_int_equal(v[0].routes_received, 7);
    assert_int_equal(v[0].routes_advertised, 42);
    assert_int_equal(v[0].routes_pending, 1);
    assert_int_equal(v[0].updates_received, 3);
    assert_int_equal(v[0].updates_sent, 4);
    assert_string_equal(v[1].address, "198.51.100.9");
    assert_string_equal(v[1].local_address, "");
    assert_string_equal(v[1].state, "idle");
    assert_true(v[1].uptime == 0);
    bgpbus_neighbors_free(v);
    bgpbus_client_close(c);
}

static void
test_list_one(void **state)
{
    struct fake *f = *state;
    bgpbus_client *c = client(f);
    struct bgpbus_neighbor *v;
    size_t n;

    assert_int_equal(bgpbus_neighbors(c, KNOWN, &v, &n), 0);
    assert_true(addr_is(selected(last(f)), KNOWN));
    assert_int_equal(n, 1);
    assert_string_equal(v[0].address, KNOWN);
    bgpbus_neighbors_free(v);

    assert_int_equal(bgpbus_neighbors(c, "192.0.2.200", &v, &n), 0);
    assert_int_equal(n, 0);
    assert_null(v);

    assert_int_equal(bgpbus_neighbors(c, NO_LIST, &v, &n), BGPBUS_E_PROTO);
    assert_string_equal(bgpbus_client_error(c),
                        "the reply to ListNeighbors carries no neighbor list");
    assert_int_equal(n, 0);
    assert_null(v);

    assert_int_equal(bgpbus_neighbors(c, "300.1.1.1", &v, &n), BGPBUS_E_INVALID);
    assert_int_equal(bgpbus_neighbors(c, NULL, NULL, &n), BGPBUS_E_INVALID);
    assert_int_equal(atomic_load(&f->s.received), 3);
    bgpbus_client_close(c);
}

/* ---- family names ------------------------------------------------------------------------- */

static void
test_family_names(void **state)
{
    const struct {
        const char *name;
        uint32_t afi, safi;
    } ok[] = { { "ipv4", 1, 1 },          { "ipv6", 2, 1 },           { "ipv4-unicast", 1, 1 },
               { "IPv6 Unicast", 2, 1 },  { "ipv4-multicast", 1, 2 }, { "ipv6 multicast", 2, 2 },
               { "IPV6-MULTICAST", 2, 2 } };
    const char *bad[] = { "", "ipv4-flow", "ipv4 ", "l2vpn-evpn", "ipv4-multicast-unicast" };
    uint32_t afi, safi;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_true(client_family_parse(ok[i].name, &afi, &safi));
        assert_int_equal(afi, ok[i].afi);
        assert_int_equal(safi, ok[i].safi);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(client_family_parse(bad[i], &afi, &safi));
    assert_false(client_family_parse(NULL, &afi, &safi));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_minimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_one, setup, teardown),
        cmocka_unit_test(test_family_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
