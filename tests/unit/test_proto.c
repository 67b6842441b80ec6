/*
 * test_proto.c: the bgpbus.v1 contract as C code sees it (protoc-c output). Builds the
 * messages the services exchange, packs them, unpacks them and checks every field and the
 * presence rules (proto2 has_x: an absent MED is not a MED of 0).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"

#define TEST_PROTO_ROUTES 10000

/* Packs any message into a fresh buffer; checks that pack writes what get_packed_size said. */
static uint8_t *
test_proto_pack(const ProtobufCMessage *msg, size_t *len)
{
    size_t size = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(size ? size : 1);

    assert_non_null(buf);
    assert_int_equal(protobuf_c_message_pack(msg, buf), size);
    *len = size;
    return buf;
}

static ProtobufCBinaryData
test_proto_bytes(const uint8_t *data, size_t len)
{
    ProtobufCBinaryData b = { .len = len, .data = (uint8_t *)data };

    return b;
}

static void
test_proto_assert_bytes(ProtobufCBinaryData got, const uint8_t *want, size_t want_len)
{
    assert_int_equal(got.len, want_len);
    assert_memory_equal(got.data, want, want_len);
}

/* Route i of the batch: 10.<i / 256>.<i % 256>.0/24 (i < 65536). */
static void
test_proto_route_prefix(unsigned int i, uint8_t out[4])
{
    out[0] = 10;
    out[1] = (uint8_t)(i >> 8);
    out[2] = (uint8_t)(i & 0xff);
    out[3] = 0;
}

/*
 * Storage for the 10,000-route Request, so that building it needs no allocation per route
 * beyond these arrays. Even routes carry their own attributes, odd ones rely on
 * Announce.attributes (ExaBGP's "announce attributes … nlri …" form).
 */
struct test_proto_batch {
    Bgpbus__V1__Route routes[TEST_PROTO_ROUTES];
    Bgpbus__V1__Route *route_ptrs[TEST_PROTO_ROUTES];
    Bgpbus__V1__Nlri nlri[TEST_PROTO_ROUTES];
    Bgpbus__V1__Prefix prefixes[TEST_PROTO_ROUTES];
    uint8_t addresses[TEST_PROTO_ROUTES][4];
    Bgpbus__V1__Attributes attrs[TEST_PROTO_ROUTES / 2];
    Bgpbus__V1__AsPath as_paths[TEST_PROTO_ROUTES / 2];
    Bgpbus__V1__AsPathSegment segments[TEST_PROTO_ROUTES / 2];
    Bgpbus__V1__AsPathSegment *segment_ptrs[TEST_PROTO_ROUTES / 2];
    uint32_t asns[TEST_PROTO_ROUTES / 2][2];
    uint32_t communities[TEST_PROTO_ROUTES / 2];
};

static const uint8_t test_proto_nexthop[4] = { 192, 0, 2, 1 };

static void
test_proto_batch_build(struct test_proto_batch *b, Bgpbus__V1__NextHop *nh)
{
    for (unsigned int i = 0; i < TEST_PROTO_ROUTES; i++) {
        bgpbus__v1__prefix__init(&b->prefixes[i]);
        test_proto_route_prefix(i, b->addresses[i]);
        b->prefixes[i].has_address = 1;
        b->prefixes[i].address = test_proto_bytes(b->addresses[i], 4);
        b->prefixes[i].has_length = 1;
        b->prefixes[i].length = 24;

        bgpbus__v1__nlri__init(&b->nlri[i]);
        b->nlri[i].nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
        b->nlri[i].unicast = &b->prefixes[i];
        if (i % 5 == 0) {
            b->nlri[i].has_path_id = 1;
            b->nlri[i].path_id = i;
        }

        bgpbus__v1__route__init(&b->routes[i]);
        b->routes[i].nlri = &b->nlri[i];
        b->route_ptrs[i] = &b->routes[i];
        if (i % 2 != 0)
            continue;

        unsigned int a = i / 2;
        b->asns[a][0] = 65001;
        b->asns[a][1] = 4200000000u + i; /* 4-octet ASNs survive unchanged */
        bgpbus__v1__as_path_segment__init(&b->segments[a]);
        b->segments[a].has_type = 1;
        b->segments[a].type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
        b->segments[a].n_asns = 2;
        b->segments[a].asns = b->asns[a];
        b->segment_ptrs[a] = &b->segments[a];
        bgpbus__v1__as_path__init(&b->as_paths[a]);
        b->as_paths[a].n_segments = 1;
        b->as_paths[a].segments = &b->segment_ptrs[a];

        b->communities[a] = (65000u << 16) | (i & 0xffff);
        bgpbus__v1__attributes__init(&b->attrs[a]);
        b->attrs[a].has_origin = 1;
        b->attrs[a].origin = BGPBUS__V1__ORIGIN__ORIGIN_IGP;
        b->attrs[a].as_path = &b->as_paths[a];
        b->attrs[a].next_hop = nh;
        /* MED 0 on every fourth route, no MED on the other even ones. */
        if (i % 4 == 0) {
            b->attrs[a].has_med = 1;
            b->attrs[a].med = 0;
        }
        b->attrs[a].n_communities = 1;
        b->attrs[a].communities = &b->communities[a];
        b->routes[i].attributes = &b->attrs[a];
    }
}

static void
test_proto_batch_check(const Bgpbus__V1__Announce *ann)
{
    assert_int_equal(ann->n_routes, TEST_PROTO_ROUTES);
    for (unsigned int i = 0; i < TEST_PROTO_ROUTES; i++) {
        const Bgpbus__V1__Route *r = ann->routes[i];
        uint8_t want[4];

        assert_non_null(r->nlri);
        assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_UNICAST);
        test_proto_route_prefix(i, want);
        assert_true(r->nlri->unicast->has_address);
        test_proto_assert_bytes(r->nlri->unicast->address, want, 4);
        assert_int_equal(r->nlri->unicast->length, 24);
        assert_int_equal(r->nlri->has_path_id, i % 5 == 0);
        if (i % 5 == 0)
            assert_int_equal(r->nlri->path_id, i);
        assert_null(r->owner); /* Request.owner applies */

        if (i % 2 != 0) {
            assert_null(r->attributes);
            continue;
        }
        const Bgpbus__V1__Attributes *at = r->attributes;
        assert_non_null(at);
        assert_true(at->has_origin);
        assert_int_equal(at->origin, BGPBUS__V1__ORIGIN__ORIGIN_IGP);
        assert_int_equal(at->has_med, i % 4 == 0);
        assert_int_equal(at->med, 0);
        assert_false(at->has_local_pref);
        assert_non_null(at->next_hop);
        test_proto_assert_bytes(at->next_hop->address, test_proto_nexthop, 4);
        assert_int_equal(at->as_path->n_segments, 1);
        assert_int_equal(at->as_path->segments[0]->type,
                         BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE);
        assert_int_equal(at->as_path->segments[0]->n_asns, 2);
        assert_int_equal(at->as_path->segments[0]->asns[0], 65001);
        assert_int_equal(at->as_path->segments[0]->asns[1], 4200000000u + i);
        assert_int_equal(at->n_communities, 1);
        assert_int_equal(at->communities[0], (65000u << 16) | (i & 0xffff));
    }
}

static void
test_proto_announce_batch(void **state)
{
    (void)state;
    struct test_proto_batch *b = calloc(1, sizeof(*b));
    Bgpbus__V1__NextHop nh = BGPBUS__V1__NEXT_HOP__INIT;
    Bgpbus__V1__Attributes shared = BGPBUS__V1__ATTRIBUTES__INIT;
    Bgpbus__V1__Announce ann = BGPBUS__V1__ANNOUNCE__INIT;
    Bgpbus__V1__NeighborMatch match = BGPBUS__V1__NEIGHBOR_MATCH__INIT;
    Bgpbus__V1__NeighborMatch *matches[] = { &match };
    Bgpbus__V1__NeighborSelector sel = BGPBUS__V1__NEIGHBOR_SELECTOR__INIT;
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    static const uint8_t peer[4] = { 198, 51, 100, 7 };

    assert_non_null(b);
    nh.has_address = 1;
    nh.address = test_proto_bytes(test_proto_nexthop, 4);
    test_proto_batch_build(b, &nh);

    shared.next_hop = &nh;
    shared.has_local_pref = 1;
    shared.local_pref = 200;
    ann.n_routes = TEST_PROTO_ROUTES;
    ann.routes = b->route_ptrs;
    ann.attributes = &shared;

    match.has_address = 1;
    match.address = test_proto_bytes(peer, 4);
    match.has_peer_as = 1;
    match.peer_as = 65001;
    sel.n_matches = 1;
    sel.matches = matches;

    req.has_id = 1;
    req.id = UINT64_C(0x0123456789abcdef);
    req.owner = "healthcheck";
    req.neighbors = &sel;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE;
    req.announce = &ann;

    size_t len;
    uint8_t *buf = test_proto_pack(&req.base, &len);
    free(b);

    /* Every byte of the buffer is needed: one byte less cannot decode. */
    assert_null(bgpbus__v1__request__unpack(NULL, len - 1, buf));
    Bgpbus__V1__Request *got = bgpbus__v1__request__unpack(NULL, len, buf);
    assert_non_null(got);
    assert_true(got->has_id);
    assert_true(got->id == UINT64_C(0x0123456789abcdef));
    assert_string_equal(got->owner, "healthcheck");
    assert_false(got->has_sync);
    assert_non_null(got->neighbors);
    assert_false(got->neighbors->has_all);
    assert_int_equal(got->neighbors->n_matches, 1);
    test_proto_assert_bytes(got->neighbors->matches[0]->address, peer, 4);
    assert_int_equal(got->neighbors->matches[0]->peer_as, 65001);
    assert_false(got->neighbors->matches[0]->has_local_as);
    assert_int_equal(got->command_case, BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE);
    assert_non_null(got->announce->attributes);
    assert_int_equal(got->announce->attributes->local_pref, 200);
    assert_false(got->announce->attributes->has_med);
    test_proto_batch_check(got->announce);

    bgpbus__v1__request__free_unpacked(got, NULL);
    free(buf);
}

/* Presence on the wire: an absent MED is no bytes at all, a MED of 0 is field 4 = 0. */
static void
test_proto_presence_and_packing(void **state)
{
    (void)state;
    Bgpbus__V1__Attributes at = BGPBUS__V1__ATTRIBUTES__INIT;
    uint8_t buf[16];

    assert_int_equal(bgpbus__v1__attributes__pack(&at, buf), 0);
    at.has_med = 1;
    assert_int_equal(bgpbus__v1__attributes__pack(&at, buf), 2);
    assert_int_equal(buf[0], 4 << 3 | 0); /* field 4, varint */
    assert_int_equal(buf[1], 0);

    Bgpbus__V1__Attributes *got = bgpbus__v1__attributes__unpack(NULL, 2, buf);
    assert_non_null(got);
    assert_true(got->has_med);
    assert_int_equal(got->med, 0);
    assert_false(got->has_local_pref);
    assert_null(got->as_path);
    bgpbus__v1__attributes__free_unpacked(got, NULL);

    /* Repeated scalars are packed: field 8, length-delimited, one varint per value. */
    uint32_t communities[] = { 1, 2 };
    Bgpbus__V1__Attributes comm = BGPBUS__V1__ATTRIBUTES__INIT;
    comm.n_communities = 2;
    comm.communities = communities;
    assert_int_equal(bgpbus__v1__attributes__pack(&comm, buf), 4);
    assert_int_equal(buf[0], 8 << 3 | 2);
    assert_int_equal(buf[1], 2);
    assert_int_equal(buf[2], 1);
    assert_int_equal(buf[3], 2);
}

static void
test_proto_event_update(void **state)
{
    (void)state;
    static const uint8_t peer_addr[4] = { 192, 0, 2, 1 }, local_addr[4] = { 192, 0, 2, 2 };
    static const uint8_t nh_addr[4] = { 10, 0, 0, 1 }, agg_addr[4] = { 10, 0, 0, 9 };
    static const uint8_t p1[4] = { 192, 0, 2, 0 }, p2[4] = { 198, 51, 100, 1 };
    static const uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
    static const uint8_t rt_raw[8] = { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100 };
    static const uint8_t raw_msg[4] = { 0xff, 0xff, 0x00, 0x02 };

    Bgpbus__V1__PeerKey key = BGPBUS__V1__PEER_KEY__INIT;
    key.has_address = 1;
    key.address = test_proto_bytes(peer_addr, 4);
    key.has_local_address = 1;
    key.local_address = test_proto_bytes(local_addr, 4);
    key.has_local_as = key.has_peer_as = 1;
    key.local_as = 65001;
    key.peer_as = 65000;

    /* as-path [ 65000 ( 65001 65002 ) ] in ExaBGP 4.2 syntax */
    uint32_t seq_asns[] = { 65000 }, set_asns[] = { 65001, 65002 };
    Bgpbus__V1__AsPathSegment seq = BGPBUS__V1__AS_PATH_SEGMENT__INIT;
    Bgpbus__V1__AsPathSegment set = BGPBUS__V1__AS_PATH_SEGMENT__INIT;
    Bgpbus__V1__AsPathSegment *segs[] = { &seq, &set };
    Bgpbus__V1__AsPath path = BGPBUS__V1__AS_PATH__INIT;
    seq.has_type = set.has_type = 1;
    seq.type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
    set.type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET;
    seq.n_asns = 1;
    seq.asns = seq_asns;
    set.n_asns = 2;
    set.asns = set_asns;
    path.n_segments = 2;
    path.segments = segs;

    Bgpbus__V1__Aggregator agg = BGPBUS__V1__AGGREGATOR__INIT;
    agg.has_asn = agg.has_address = 1;
    agg.asn = 65000;
    agg.address = test_proto_bytes(agg_addr, 4);

    Bgpbus__V1__ExtCommunityAdmin rt = BGPBUS__V1__EXT_COMMUNITY_ADMIN__INIT;
    rt.global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2;
    rt.asn2 = 65000;
    rt.has_local_admin = 1;
    rt.local_admin = 100;
    Bgpbus__V1__ExtendedCommunity ext = BGPBUS__V1__EXTENDED_COMMUNITY__INIT;
    ext.has_raw = 1;
    ext.raw = test_proto_bytes(rt_raw, 8);
    ext.typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET;
    ext.route_target = &rt;
    Bgpbus__V1__ExtendedCommunity *exts[] = { &ext };

    Bgpbus__V1__LargeCommunity large = BGPBUS__V1__LARGE_COMMUNITY__INIT;
    large.has_global_admin = large.has_local_data_1 = large.has_local_data_2 = 1;
    large.global_admin = 65000;
    large.local_data_1 = 1;
    large.local_data_2 = 2;
    Bgpbus__V1__LargeCommunity *larges[] = { &large };

    uint32_t communities[] = { 65000u << 16 | 1, 0xFFFFFF01u };
    Bgpbus__V1__Attributes at = BGPBUS__V1__ATTRIBUTES__INIT;
    at.has_origin = 1;
    at.origin = BGPBUS__V1__ORIGIN__ORIGIN_IGP;
    at.as_path = &path;
    at.has_med = at.has_local_pref = at.has_atomic_aggregate = 1;
    at.med = 50;
    at.local_pref = 200;
    at.atomic_aggregate = 1;
    at.aggregator = &agg;
    at.n_communities = 2;
    at.communities = communities;
    at.n_extended_communities = 1;
    at.extended_communities = exts;
    at.n_large_communities = 1;
    at.large_communities = larges;

    Bgpbus__V1__Family v4 = BGPBUS__V1__FAMILY__INIT, v6 = BGPBUS__V1__FAMILY__INIT;
    v4.has_afi = v4.has_safi = v6.has_afi = v6.has_safi = 1;
    v4.afi = BGPBUS__V1__AFI__AFI_IPV4;
    v4.safi = v6.safi = BGPBUS__V1__SAFI__SAFI_UNICAST;
    v6.afi = BGPBUS__V1__AFI__AFI_IPV6;

    Bgpbus__V1__Prefix pfx[3] = { BGPBUS__V1__PREFIX__INIT, BGPBUS__V1__PREFIX__INIT,
                                  BGPBUS__V1__PREFIX__INIT };
    const uint8_t *pfx_addr[3] = { p1, p2, p6 };
    const size_t pfx_alen[3] = { 4, 4, 16 };
    const uint32_t pfx_len[3] = { 24, 32, 48 };
    Bgpbus__V1__Nlri nlri[3] = { BGPBUS__V1__NLRI__INIT, BGPBUS__V1__NLRI__INIT,
                                 BGPBUS__V1__NLRI__INIT };
    for (size_t i = 0; i < 3; i++) {
        pfx[i].has_address = pfx[i].has_length = 1;
        pfx[i].address = test_proto_bytes(pfx_addr[i], pfx_alen[i]);
        pfx[i].length = pfx_len[i];
        nlri[i].nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
        nlri[i].unicast = &pfx[i];
    }
    Bgpbus__V1__Nlri *ann_nlri[] = { &nlri[0], &nlri[1] }, *wd_nlri[] = { &nlri[2] };

    Bgpbus__V1__NextHop nh = BGPBUS__V1__NEXT_HOP__INIT;
    nh.has_address = 1;
    nh.address = test_proto_bytes(nh_addr, 4);
    Bgpbus__V1__UpdateAnnounce ua = BGPBUS__V1__UPDATE_ANNOUNCE__INIT;
    ua.family = &v4;
    ua.next_hop = &nh;
    ua.n_nlri = 2;
    ua.nlri = ann_nlri;
    Bgpbus__V1__UpdateAnnounce *uas[] = { &ua };
    Bgpbus__V1__UpdateWithdraw uw = BGPBUS__V1__UPDATE_WITHDRAW__INIT;
    uw.family = &v6;
    uw.n_nlri = 1;
    uw.nlri = wd_nlri;
    Bgpbus__V1__UpdateWithdraw *uws[] = { &uw };

    Bgpbus__V1__Update upd = BGPBUS__V1__UPDATE__INIT;
    upd.attributes = &at;
    upd.n_announced = 1;
    upd.announced = uas;
    upd.n_withdrawn = 1;
    upd.withdrawn = uws;

    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    ev.has_epoch = ev.has_seq = ev.has_type_seq = ev.has_peer_seq = ev.has_time = 1;
    ev.epoch = UINT64_C(0xfeedfacecafebeef);
    ev.seq = 42;
    ev.type_seq = 17;
    ev.peer_seq = 3;
    ev.time = 1795683048.1316357;
    ev.has_direction = 1;
    ev.direction = BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED;
    ev.peer = &key;
    ev.has_raw = 1;
    ev.raw = test_proto_bytes(raw_msg, sizeof(raw_msg));
    ev.body_case = BGPBUS__V1__EVENT__BODY_UPDATE;
    ev.update = &upd;

    size_t len;
    uint8_t *buf = test_proto_pack(&ev.base, &len);
    Bgpbus__V1__Event *got = bgpbus__v1__event__unpack(NULL, len, buf);
    assert_non_null(got);

    assert_true(got->epoch == UINT64_C(0xfeedfacecafebeef));
    assert_int_equal(got->seq, 42);
    assert_int_equal(got->type_seq, 17);
    assert_int_equal(got->peer_seq, 3);
    assert_true(got->time == 1795683048.1316357);
    assert_int_equal(got->direction, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED);
    test_proto_assert_bytes(got->peer->address, peer_addr, 4);
    test_proto_assert_bytes(got->peer->local_address, local_addr, 4);
    assert_int_equal(got->peer->local_as, 65001);
    assert_int_equal(got->peer->peer_as, 65000);
    assert_false(got->peer->has_peer_router_id);
    test_proto_assert_bytes(got->raw, raw_msg, sizeof(raw_msg));
    assert_int_equal(got->body_case, BGPBUS__V1__EVENT__BODY_UPDATE);

    const Bgpbus__V1__Attributes *ga = got->update->attributes;
    assert_int_equal(ga->origin, BGPBUS__V1__ORIGIN__ORIGIN_IGP);
    assert_int_equal(ga->as_path->n_segments, 2);
    assert_int_equal(ga->as_path->segments[0]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE);
    assert_int_equal(ga->as_path->segments[0]->asns[0], 65000);
    assert_int_equal(ga->as_path->segments[1]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET);
    assert_int_equal(ga->as_path->segments[1]->n_asns, 2);
    assert_int_equal(ga->as_path->segments[1]->asns[1], 65002);
    assert_int_equal(ga->med, 50);
    assert_int_equal(ga->local_pref, 200);
    assert_true(ga->has_atomic_aggregate && ga->atomic_aggregate);
    assert_int_equal(ga->aggregator->asn, 65000);
    test_proto_assert_bytes(ga->aggregator->address, agg_addr, 4);
    assert_int_equal(ga->n_communities, 2);
    assert_int_equal(ga->communities[1], 0xFFFFFF01u);
    assert_int_equal(ga->n_extended_communities, 1);
    test_proto_assert_bytes(ga->extended_communities[0]->raw, rt_raw, 8);
    assert_int_equal(ga->extended_communities[0]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET);
    assert_int_equal(ga->extended_communities[0]->route_target->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2);
    assert_int_equal(ga->extended_communities[0]->route_target->asn2, 65000);
    assert_int_equal(ga->extended_communities[0]->route_target->local_admin, 100);
    assert_int_equal(ga->large_communities[0]->local_data_2, 2);

    assert_int_equal(got->update->n_announced, 1);
    const Bgpbus__V1__UpdateAnnounce *gua = got->update->announced[0];
    assert_int_equal(gua->family->afi, BGPBUS__V1__AFI__AFI_IPV4);
    assert_int_equal(gua->family->safi, BGPBUS__V1__SAFI__SAFI_UNICAST);
    test_proto_assert_bytes(gua->next_hop->address, nh_addr, 4);
    assert_false(gua->next_hop->has_link_local);
    assert_int_equal(gua->n_nlri, 2);
    test_proto_assert_bytes(gua->nlri[0]->unicast->address, p1, 4);
    assert_int_equal(gua->nlri[0]->unicast->length, 24);
    test_proto_assert_bytes(gua->nlri[1]->unicast->address, p2, 4);
    assert_int_equal(gua->nlri[1]->unicast->length, 32);
    assert_int_equal(got->update->n_withdrawn, 1);
    assert_int_equal(got->update->withdrawn[0]->family->afi, BGPBUS__V1__AFI__AFI_IPV6);
    test_proto_assert_bytes(got->update->withdrawn[0]->nlri[0]->unicast->address, p6, 16);
    assert_int_equal(got->update->withdrawn[0]->nlri[0]->unicast->length, 48);

    bgpbus__v1__event__free_unpacked(got, NULL);
    free(buf);
}

/*
 * announce flow route { match { destination 192.0.2.0/24; source 10.0.0.0/8;
 *   protocol =tcp; destination-port [ =80 =3128 >8080&<8088 ]; tcp-flags [ syn ];
 *   fragment !is-fragment; } then { discard; redirect 65001:100; } } with an RD (flow-vpn)
 */
static void
test_proto_flowspec(void **state)
{
    (void)state;
    static const uint8_t dst[4] = { 192, 0, 2, 0 }, src[4] = { 10, 0, 0, 0 };

    Bgpbus__V1__RouteDistinguisher rd = BGPBUS__V1__ROUTE_DISTINGUISHER__INIT;
    rd.admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2;
    rd.asn2 = 65001;
    rd.has_assigned = 1;
    rd.assigned = 100;

    Bgpbus__V1__Prefix dp = BGPBUS__V1__PREFIX__INIT, sp = BGPBUS__V1__PREFIX__INIT;
    dp.has_address = dp.has_length = sp.has_address = sp.has_length = 1;
    dp.address = test_proto_bytes(dst, 4);
    dp.length = 24;
    sp.address = test_proto_bytes(src, 4);
    sp.length = 8;
    Bgpbus__V1__FlowSpecPrefix fdp = BGPBUS__V1__FLOW_SPEC_PREFIX__INIT;
    Bgpbus__V1__FlowSpecPrefix fsp = BGPBUS__V1__FLOW_SPEC_PREFIX__INIT;
    fdp.prefix = &dp;
    fsp.prefix = &sp;

    Bgpbus__V1__FlowSpecNumericTerm tcp = BGPBUS__V1__FLOW_SPEC_NUMERIC_TERM__INIT;
    tcp.has_op = tcp.has_value = 1;
    tcp.op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ;
    tcp.value = 6;
    Bgpbus__V1__FlowSpecNumericTerm *proto_terms[] = { &tcp };
    Bgpbus__V1__FlowSpecNumeric proto = BGPBUS__V1__FLOW_SPEC_NUMERIC__INIT;
    proto.n_terms = 1;
    proto.terms = proto_terms;

    Bgpbus__V1__FlowSpecNumericTerm pt[4];
    const Bgpbus__V1__FlowSpecNumericOp pt_op[4] = {
        BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ,
        BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ,
        BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GT,
        BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LT,
    };
    const uint64_t pt_val[4] = { 80, 3128, 8080, 8088 };
    Bgpbus__V1__FlowSpecNumericTerm *port_terms[4];
    for (size_t i = 0; i < 4; i++) {
        bgpbus__v1__flow_spec_numeric_term__init(&pt[i]);
        pt[i].has_op = pt[i].has_value = 1;
        pt[i].op = pt_op[i];
        pt[i].value = pt_val[i];
        port_terms[i] = &pt[i];
    }
    pt[3].has_and_previous = 1;
    pt[3].and_previous = 1;
    Bgpbus__V1__FlowSpecNumeric ports = BGPBUS__V1__FLOW_SPEC_NUMERIC__INIT;
    ports.n_terms = 4;
    ports.terms = port_terms;

    Bgpbus__V1__FlowSpecBitmaskTerm syn = BGPBUS__V1__FLOW_SPEC_BITMASK_TERM__INIT;
    syn.has_bits = 1;
    syn.bits = BGPBUS__V1__FLOW_SPEC_TCP_FLAG__FLOW_SPEC_TCP_FLAG_SYN;
    Bgpbus__V1__FlowSpecBitmaskTerm *syn_terms[] = { &syn };
    Bgpbus__V1__FlowSpecBitmask flags = BGPBUS__V1__FLOW_SPEC_BITMASK__INIT;
    flags.n_terms = 1;
    flags.terms = syn_terms;

    Bgpbus__V1__FlowSpecBitmaskTerm notfrag = BGPBUS__V1__FLOW_SPEC_BITMASK_TERM__INIT;
    notfrag.has_negate = notfrag.has_bits = 1;
    notfrag.negate = 1;
    notfrag.bits = BGPBUS__V1__FLOW_SPEC_FRAGMENT_FLAG__FLOW_SPEC_FRAGMENT_FLAG_IS_FRAGMENT;
    Bgpbus__V1__FlowSpecBitmaskTerm *frag_terms[] = { &notfrag };
    Bgpbus__V1__FlowSpecBitmask frag = BGPBUS__V1__FLOW_SPEC_BITMASK__INIT;
    frag.n_terms = 1;
    frag.terms = frag_terms;

    Bgpbus__V1__FlowSpecComponent comp[6];
    Bgpbus__V1__FlowSpecComponent *comps[6];
    for (size_t i = 0; i < 6; i++) {
        bgpbus__v1__flow_spec_component__init(&comp[i]);
        comps[i] = &comp[i];
    }
    comp[0].component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION;
    comp[0].destination = &fdp;
    comp[1].component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_SOURCE;
    comp[1].source = &fsp;
    comp[2].component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_IP_PROTOCOL;
    comp[2].ip_protocol = &proto;
    comp[3].component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION_PORT;
    comp[3].destination_port = &ports;
    comp[4].component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_TCP_FLAGS;
    comp[4].tcp_flags = &flags;
    comp[5].component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_FRAGMENT;
    comp[5].fragment = &frag;

    Bgpbus__V1__FlowSpecNlri flow = BGPBUS__V1__FLOW_SPEC_NLRI__INIT;
    flow.has_afi = 1;
    flow.afi = BGPBUS__V1__AFI__AFI_IPV4;
    flow.rd = &rd;
    flow.n_components = 6;
    flow.components = comps;
    Bgpbus__V1__Nlri nlri = BGPBUS__V1__NLRI__INIT;
    nlri.nlri_case = BGPBUS__V1__NLRI__NLRI_FLOWSPEC;
    nlri.flowspec = &flow;

    /* then { discard; redirect 65001:100; }: discard is traffic-rate 0. */
    Bgpbus__V1__TrafficRate discard = BGPBUS__V1__TRAFFIC_RATE__INIT;
    discard.has_rate = 1;
    discard.rate = 0.0f;
    Bgpbus__V1__ExtCommunityAdmin redir = BGPBUS__V1__EXT_COMMUNITY_ADMIN__INIT;
    redir.global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2;
    redir.asn2 = 65001;
    redir.has_local_admin = 1;
    redir.local_admin = 100;
    Bgpbus__V1__ExtendedCommunity act[2] = { BGPBUS__V1__EXTENDED_COMMUNITY__INIT,
                                             BGPBUS__V1__EXTENDED_COMMUNITY__INIT };
    act[0].typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE;
    act[0].traffic_rate = &discard;
    act[1].typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT;
    act[1].redirect = &redir;
    Bgpbus__V1__ExtendedCommunity *acts[] = { &act[0], &act[1] };
    Bgpbus__V1__Attributes at = BGPBUS__V1__ATTRIBUTES__INIT;
    at.n_extended_communities = 2;
    at.extended_communities = acts;

    Bgpbus__V1__Route route = BGPBUS__V1__ROUTE__INIT;
    route.nlri = &nlri;
    route.attributes = &at;

    size_t len;
    uint8_t *buf = test_proto_pack(&route.base, &len);
    Bgpbus__V1__Route *got = bgpbus__v1__route__unpack(NULL, len, buf);
    assert_non_null(got);
    assert_int_equal(got->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_FLOWSPEC);
    const Bgpbus__V1__FlowSpecNlri *gf = got->nlri->flowspec;
    assert_int_equal(gf->afi, BGPBUS__V1__AFI__AFI_IPV4);
    assert_int_equal(gf->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2);
    assert_int_equal(gf->rd->asn2, 65001);
    assert_int_equal(gf->rd->assigned, 100);
    assert_int_equal(gf->n_components, 6);

    /* The oneof case number is the RFC 8955 component type, and order is preserved. */
    static const int want_type[6] = { 1, 2, 3, 5, 9, 12 };
    for (size_t i = 0; i < 6; i++)
        assert_int_equal((int)gf->components[i]->component_case, want_type[i]);
    test_proto_assert_bytes(gf->components[0]->destination->prefix->address, dst, 4);
    assert_int_equal(gf->components[0]->destination->prefix->length, 24);
    assert_false(gf->components[0]->destination->has_offset);
    assert_int_equal(gf->components[1]->source->prefix->length, 8);
    assert_int_equal(gf->components[2]->ip_protocol->terms[0]->value, 6);

    const Bgpbus__V1__FlowSpecNumeric *gp = gf->components[3]->destination_port;
    assert_int_equal(gp->n_terms, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(gp->terms[i]->op, pt_op[i]);
        assert_int_equal(gp->terms[i]->value, pt_val[i]);
        assert_int_equal(gp->terms[i]->has_and_previous, i == 3);
    }
    assert_true(gp->terms[3]->and_previous);

    const Bgpbus__V1__FlowSpecBitmaskTerm *gs = gf->components[4]->tcp_flags->terms[0];
    assert_int_equal(gs->bits, 2);
    assert_false(gs->has_match);
    assert_false(gs->has_negate);
    const Bgpbus__V1__FlowSpecBitmaskTerm *gn = gf->components[5]->fragment->terms[0];
    assert_true(gn->negate);
    assert_int_equal(gn->bits, 2);

    assert_int_equal(got->attributes->n_extended_communities, 2);
    const Bgpbus__V1__ExtendedCommunity *g0 = got->attributes->extended_communities[0];
    assert_int_equal(g0->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE);
    assert_true(g0->traffic_rate->has_rate); /* a rate of 0 is present, not absent */
    assert_true(g0->traffic_rate->rate == 0.0f);
    assert_false(g0->has_raw);
    const Bgpbus__V1__ExtendedCommunity *g1 = got->attributes->extended_communities[1];
    assert_int_equal(g1->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT);
    assert_int_equal(g1->redirect->asn2, 65001);
    assert_int_equal(g1->redirect->local_admin, 100);

    bgpbus__v1__route__free_unpacked(got, NULL);
    free(buf);
}

/* EVPN type 2: MAC aa:bb:cc:dd:ee:ff, IP 100.10.0.1, label 1000, rd 65001:100. */
static void
test_proto_evpn_mac_ip(void **state)
{
    (void)state;
    static const uint8_t mac[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    static const uint8_t ip[4] = { 100, 10, 0, 1 };
    static const uint8_t esi[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    static const uint8_t rd_ip[4] = { 192, 0, 2, 1 };

    Bgpbus__V1__RouteDistinguisher rd = BGPBUS__V1__ROUTE_DISTINGUISHER__INIT;
    rd.admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4;
    rd.ipv4 = test_proto_bytes(rd_ip, 4);
    rd.has_assigned = 1;
    rd.assigned = 100;

    uint32_t labels[] = { 1000, 2000 };
    uint32_t raw_fields[] = { 1000u << 4, 2000u << 4 | 1 };
    Bgpbus__V1__LabelStack ls = BGPBUS__V1__LABEL_STACK__INIT;
    ls.n_labels = 2;
    ls.labels = labels;
    ls.n_raw = 2;
    ls.raw = raw_fields;

    Bgpbus__V1__EvpnMacIpAdvertisement mi = BGPBUS__V1__EVPN_MAC_IP_ADVERTISEMENT__INIT;
    mi.rd = &rd;
    mi.has_esi = mi.has_ethernet_tag = mi.has_mac = mi.has_ip = 1;
    mi.esi = test_proto_bytes(esi, 10);
    mi.ethernet_tag = 0;
    mi.mac = test_proto_bytes(mac, 6);
    mi.ip = test_proto_bytes(ip, 4);
    mi.labels = &ls;
    Bgpbus__V1__EvpnNlri evpn = BGPBUS__V1__EVPN_NLRI__INIT;
    evpn.route_case = BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT;
    evpn.mac_ip_advertisement = &mi;
    Bgpbus__V1__Nlri nlri = BGPBUS__V1__NLRI__INIT;
    nlri.nlri_case = BGPBUS__V1__NLRI__NLRI_EVPN;
    nlri.evpn = &evpn;

    Bgpbus__V1__MacMobility mm = BGPBUS__V1__MAC_MOBILITY__INIT;
    mm.has_sticky = mm.has_sequence = 1;
    mm.sticky = 1;
    mm.sequence = 5;
    Bgpbus__V1__ExtendedCommunity ext = BGPBUS__V1__EXTENDED_COMMUNITY__INIT;
    ext.typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_MAC_MOBILITY;
    ext.mac_mobility = &mm;
    Bgpbus__V1__ExtendedCommunity *exts[] = { &ext };
    Bgpbus__V1__Attributes at = BGPBUS__V1__ATTRIBUTES__INIT;
    at.n_extended_communities = 1;
    at.extended_communities = exts;

    Bgpbus__V1__Route route = BGPBUS__V1__ROUTE__INIT;
    route.nlri = &nlri;
    route.attributes = &at;
    route.owner = "evpn-controller";

    size_t len;
    uint8_t *buf = test_proto_pack(&route.base, &len);
    Bgpbus__V1__Route *got = bgpbus__v1__route__unpack(NULL, len, buf);
    assert_non_null(got);
    assert_string_equal(got->owner, "evpn-controller");
    assert_int_equal(got->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_EVPN);
    assert_int_equal(got->nlri->evpn->route_case,
                     BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT);
    /* The oneof case number is the RFC 7432 route type. */
    assert_int_equal((int)got->nlri->evpn->route_case, 2);
    const Bgpbus__V1__EvpnMacIpAdvertisement *g = got->nlri->evpn->mac_ip_advertisement;
    assert_int_equal(g->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4);
    test_proto_assert_bytes(g->rd->ipv4, rd_ip, 4);
    assert_int_equal(g->rd->assigned, 100);
    test_proto_assert_bytes(g->esi, esi, 10);
    assert_true(g->has_ethernet_tag); /* tag 0 is present, not absent */
    assert_int_equal(g->ethernet_tag, 0);
    test_proto_assert_bytes(g->mac, mac, 6);
    assert_false(g->has_mac_length);
    test_proto_assert_bytes(g->ip, ip, 4);
    assert_int_equal(g->labels->n_labels, 2);
    assert_int_equal(g->labels->labels[0], 1000);
    assert_int_equal(g->labels->labels[1], 2000);
    assert_int_equal(g->labels->n_raw, 2);
    assert_int_equal(g->labels->raw[1], 2000u << 4 | 1);
    assert_int_equal(got->attributes->extended_communities[0]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_MAC_MOBILITY);
    assert_true(got->attributes->extended_communities[0]->mac_mobility->sticky);
    assert_int_equal(got->attributes->extended_communities[0]->mac_mobility->sequence, 5);

    bgpbus__v1__route__free_unpacked(got, NULL);
    free(buf);
}

/* A batch Reply: the per-item results keep their order, the error text only where set. */
static void
test_proto_reply_items(void **state)
{
    (void)state;
    Bgpbus__V1__ItemResult items[3] = { BGPBUS__V1__ITEM_RESULT__INIT,
                                        BGPBUS__V1__ITEM_RESULT__INIT,
                                        BGPBUS__V1__ITEM_RESULT__INIT };
    Bgpbus__V1__ItemResult *item_ptrs[3] = { &items[0], &items[1], &items[2] };
    for (size_t i = 0; i < 3; i++) {
        items[i].has_status = 1;
        items[i].status = BGPBUS__V1__STATUS__STATUS_OK;
    }
    items[1].status = BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT;
    items[1].error = "missing next-hop";

    Bgpbus__V1__Reply reply = BGPBUS__V1__REPLY__INIT;
    reply.has_id = reply.has_status = 1;
    reply.id = 9;
    reply.status = BGPBUS__V1__STATUS__STATUS_PARTIAL;
    reply.n_items = 3;
    reply.items = item_ptrs;

    size_t len;
    uint8_t *buf = test_proto_pack(&reply.base, &len);
    Bgpbus__V1__Reply *got = bgpbus__v1__reply__unpack(NULL, len, buf);
    assert_non_null(got);
    assert_int_equal(got->id, 9);
    assert_int_equal(got->status, BGPBUS__V1__STATUS__STATUS_PARTIAL);
    assert_null(got->error);
    assert_int_equal(got->result_case, BGPBUS__V1__REPLY__RESULT__NOT_SET);
    assert_int_equal(got->n_items, 3);
    assert_int_equal(got->items[0]->status, BGPBUS__V1__STATUS__STATUS_OK);
    assert_null(got->items[0]->error);
    assert_int_equal(got->items[1]->status, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT);
    assert_string_equal(got->items[1]->error, "missing next-hop");
    assert_int_equal(got->items[2]->status, BGPBUS__V1__STATUS__STATUS_OK);

    bgpbus__v1__reply__free_unpacked(got, NULL);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_announce_batch),
        cmocka_unit_test(test_proto_presence_and_packing),
        cmocka_unit_test(test_proto_event_update),
        cmocka_unit_test(test_proto_flowspec),
        cmocka_unit_test(test_proto_evpn_mac_ip),
        cmocka_unit_test(test_proto_reply_items),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
