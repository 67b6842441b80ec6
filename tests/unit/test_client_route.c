/* libbgpbus_client: plain C routes into protobuf, and the event accessors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client_int.h"

static void
test_prefix_parse(void **state)
{
    uint8_t a[16];
    size_t alen;
    unsigned plen;

    (void)state;
    assert_int_equal(client_prefix_parse("10.1.0.0/16", a, &alen, &plen), 0);
    assert_int_equal(alen, 4);
    assert_int_equal(plen, 16);
    assert_int_equal(client_prefix_parse("2001:db8::/32", a, &alen, &plen), 0);
    assert_int_equal(alen, 16);
    assert_int_equal(client_prefix_parse("192.0.2.1", a, &alen, &plen), 0);
    assert_int_equal(plen, 32);
    /* common.proto: host bits set, lengths out of range, junk are refused */
    assert_int_equal(client_prefix_parse("10.1.0.1/16", a, &alen, &plen), -1);
    assert_int_equal(client_prefix_parse("10.0.0.0/33", a, &alen, &plen), -1);
    assert_int_equal(client_prefix_parse("10.0.0.0/", a, &alen, &plen), -1);
    assert_int_equal(client_prefix_parse("10.0.0.0/8x", a, &alen, &plen), -1);
    assert_int_equal(client_prefix_parse("nonsense/8", a, &alen, &plen), -1);
    assert_int_equal(client_prefix_parse(NULL, a, &alen, &plen), -1);
}

static void
test_route_pb(void **state)
{
    static const uint32_t path[] = { 65001, 65002 };
    static const uint32_t comm[] = { BGPBUS_COMMUNITY(65000, 7) };
    struct bgpbus_route r = { .prefix = "10.9.0.0/24",
                              .next_hop = "192.0.2.1",
                              .as_path = path,
                              .as_path_len = 2,
                              .communities = comm,
                              .n_communities = 1,
                              .origin = BGPBUS_ORIGIN_EGP,
                              .has_med = true,
                              .med = 0,
                              .has_path_id = true,
                              .path_id = 4 };
    struct arena arena;
    const char *why = NULL;

    (void)state;
    arena_init(&arena, 4096);
    Bgpbus__V1__Route *pb = client_route_pb(&r, true, &arena, &why);
    assert_non_null(pb);
    assert_int_equal(pb->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_UNICAST);
    assert_int_equal(pb->nlri->unicast->length, 24);
    assert_true(pb->nlri->has_path_id && pb->nlri->path_id == 4);
    assert_int_equal(pb->attributes->next_hop->address.len, 4);
    assert_int_equal(pb->attributes->as_path->segments[0]->n_asns, 2);
    assert_int_equal(pb->attributes->communities[0], 65000u << 16 | 7);
    assert_int_equal(pb->attributes->origin, BGPBUS__V1__ORIGIN__ORIGIN_EGP);
    assert_true(pb->attributes->has_med && pb->attributes->med == 0); /* MED 0 is a real MED */
    assert_false(pb->attributes->has_local_pref);

    /* Round trip through the wire form. */
    size_t len = bgpbus__v1__route__get_packed_size(pb);
    uint8_t *buf = arena_alloc(&arena, len);
    bgpbus__v1__route__pack(pb, buf);
    Bgpbus__V1__Route *back = bgpbus__v1__route__unpack(NULL, len, buf);
    assert_non_null(back);
    char text[96];
    client_nlri_text(back->nlri, text, sizeof(text));
    assert_string_equal(text, "10.9.0.0/24");
    bgpbus__v1__route__free_unpacked(back, NULL);

    /* attributes.proto: an IPv4 announce needs a next hop; a withdraw does not */
    r.next_hop = NULL;
    assert_null(client_route_pb(&r, true, &arena, &why));
    assert_string_equal(why, "missing next-hop");
    pb = client_route_pb(&r, false, &arena, &why);
    assert_non_null(pb);
    assert_null(pb->attributes);
    r.next_hop = "self";
    pb = client_route_pb(&r, true, &arena, &why);
    assert_true(pb->attributes->next_hop->use_local_address);
    r.next_hop = "not-an-address";
    assert_null(client_route_pb(&r, true, &arena, &why));
    r.next_hop = "192.0.2.1";
    r.as_path = NULL; /* a length without its array */
    assert_null(client_route_pb(&r, true, &arena, &why));
    assert_null(client_selector_pb("bogus", &arena));
    assert_non_null(client_selector_pb("2001:db8::1", &arena));
    arena_free(&arena);
}

static void
test_event_accessors(void **state)
{
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__PeerKey peer = BGPBUS__V1__PEER_KEY__INIT;
    Bgpbus__V1__Update up = BGPBUS__V1__UPDATE__INIT;
    Bgpbus__V1__UpdateAnnounce ua = BGPBUS__V1__UPDATE_ANNOUNCE__INIT, *uap = &ua;
    Bgpbus__V1__UpdateWithdraw uw = BGPBUS__V1__UPDATE_WITHDRAW__INIT, *uwp = &uw;
    Bgpbus__V1__Nlri n1 = BGPBUS__V1__NLRI__INIT, n2 = BGPBUS__V1__NLRI__INIT;
    Bgpbus__V1__Nlri *ann[] = { &n1 }, *wd[] = { &n2 };
    Bgpbus__V1__Prefix p1 = BGPBUS__V1__PREFIX__INIT, p2 = BGPBUS__V1__PREFIX__INIT;
    uint8_t a1[4] = { 10, 1, 2, 0 }, a2[16] = { 0x20, 0x01, 0x0d, 0xb8 }, pa[4] = { 192, 0, 2, 9 };

    (void)state;
    p1.has_address = p1.has_length = true;
    p1.address = (ProtobufCBinaryData){ 4, a1 };
    p1.length = 24;
    p2.has_address = p2.has_length = true;
    p2.address = (ProtobufCBinaryData){ 16, a2 };
    p2.length = 32;
    n1.nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
    n1.unicast = &p1;
    n2.nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
    n2.unicast = &p2;
    ua.nlri = ann;
    ua.n_nlri = 1;
    uw.nlri = wd;
    uw.n_nlri = 1;
    up.announced = &uap;
    up.n_announced = 1;
    up.withdrawn = &uwp;
    up.n_withdrawn = 1;
    peer.has_address = true;
    peer.address = (ProtobufCBinaryData){ 4, pa };
    ev.peer = &peer;
    ev.has_seq = true;
    ev.seq = 42;
    ev.body_case = BGPBUS__V1__EVENT__BODY_UPDATE;
    ev.update = &up;

    /* As the library gets it: packed by the speaker, unpacked here. */
    uint8_t buf[256];
    size_t len = bgpbus__v1__event__pack(&ev, buf);
    struct bgpbus_event *e = client_event_wrap(bgpbus__v1__event__unpack(NULL, len, buf));
    assert_non_null(e);
    assert_int_equal(bgpbus_event_type(e), BGPBUS_EVENT_UPDATE);
    assert_string_equal(bgpbus_event_neighbor(e), "192.0.2.9");
    assert_int_equal(bgpbus_event_seq(e), 42);
    assert_int_equal(bgpbus_event_announced_count(e), 1);
    assert_string_equal(bgpbus_event_announced(e, 0), "10.1.2.0/24");
    assert_int_equal(bgpbus_event_withdrawn_count(e), 1);
    assert_string_equal(bgpbus_event_withdrawn(e, 0), "2001:db8::/32");
    assert_null(bgpbus_event_announced(e, 1));
    assert_null(bgpbus_event_state(e));
    assert_int_equal(bgpbus_event_raw(e)->update->n_announced, 1);
    bgpbus_event_free(e);

    char topic[64];
    assert_int_equal(bgpbus_topic(topic, sizeof(topic), "update", "192.0.2.9"), 0);
    assert_string_equal(topic, "ev/update/192.0.2.9/");
    assert_int_equal(bgpbus_topic(topic, sizeof(topic), NULL, NULL), 0);
    assert_string_equal(topic, "ev/");
    assert_int_equal(bgpbus_topic(topic, sizeof(topic), NULL, "192.0.2.9"), BGPBUS_E_INVALID);
    assert_int_equal(bgpbus_topic(topic, 8, "update", "192.0.2.9"), BGPBUS_E_INVALID);
    assert_int_equal(bgpbus_event_type_from_name("eor"), BGPBUS_EVENT_EOR);
    assert_int_equal(bgpbus_event_type_from_name("bogus"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_parse),
        cmocka_unit_test(test_route_pb),
        cmocka_unit_test(test_event_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
