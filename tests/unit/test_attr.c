/* Path attributes: byte-exact encodings, round trips, RFC 6793 conversions, and every
 * RFC 7606 action with a crafted malformed UPDATE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cap.h"
#include "codec_test_util.h"
#include "update.h"

struct fixture {
    Bgpbus__V1__Attributes attrs;
    Bgpbus__V1__AsPath path;
    Bgpbus__V1__AsPathSegment seg, *segs[1];
    uint32_t asns[2];
    Bgpbus__V1__NextHop nh;
    uint8_t nh_addr[4];
    Bgpbus__V1__Aggregator agg;
    uint8_t agg_addr[4];
    uint32_t comms[1];
    Bgpbus__V1__ExtendedCommunity ec, *ecs[1];
    Bgpbus__V1__ExtCommunityAdmin rt;
    Bgpbus__V1__LargeCommunity lc, *lcs[1];
    Bgpbus__V1__UnknownAttribute unk, *unks[1];
    uint8_t unk_val[2];
};

static void
fixture_init(struct fixture *f, uint32_t agg_as)
{
    memset(f, 0, sizeof(*f));
    bgpbus__v1__attributes__init(&f->attrs);
    f->attrs.has_origin = true;
    f->attrs.origin = BGPBUS__V1__ORIGIN__ORIGIN_IGP;
    bgpbus__v1__as_path__init(&f->path);
    bgpbus__v1__as_path_segment__init(&f->seg);
    f->seg.has_type = true;
    f->seg.type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
    f->asns[0] = 65000;
    f->asns[1] = 4200000001u;
    f->seg.asns = f->asns;
    f->seg.n_asns = 2;
    f->segs[0] = &f->seg;
    f->path.segments = f->segs;
    f->path.n_segments = 1;
    f->attrs.as_path = &f->path;
    bgpbus__v1__next_hop__init(&f->nh);
    memcpy(f->nh_addr, "\xc0\x00\x02\x01", 4);
    f->nh.has_address = true;
    f->nh.address.data = f->nh_addr;
    f->nh.address.len = 4;
    f->attrs.next_hop = &f->nh;
    f->attrs.has_med = true;
    f->attrs.med = 10;
    f->attrs.has_atomic_aggregate = f->attrs.atomic_aggregate = true;
    bgpbus__v1__aggregator__init(&f->agg);
    f->agg.has_asn = f->agg.has_address = true;
    f->agg.asn = agg_as;
    memcpy(f->agg_addr, "\x0a\x00\x00\x01", 4);
    f->agg.address.data = f->agg_addr;
    f->agg.address.len = 4;
    f->attrs.aggregator = &f->agg;
    f->comms[0] = 65000u << 16 | 1;
    f->attrs.communities = f->comms;
    f->attrs.n_communities = 1;
    bgpbus__v1__extended_community__init(&f->ec);
    bgpbus__v1__ext_community_admin__init(&f->rt);
    f->rt.global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2;
    f->rt.asn2 = 65000;
    f->rt.has_local_admin = true;
    f->rt.local_admin = 100;
    f->ec.typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET;
    f->ec.route_target = &f->rt;
    f->ecs[0] = &f->ec;
    f->attrs.extended_communities = f->ecs;
    f->attrs.n_extended_communities = 1;
    f->attrs.has_aigp = true;
    f->attrs.aigp = 5;
    bgpbus__v1__large_community__init(&f->lc);
    f->lc.global_admin = 65000;
    f->lc.local_data_1 = 1;
    f->lc.local_data_2 = 2;
    f->lcs[0] = &f->lc;
    f->attrs.large_communities = f->lcs;
    f->attrs.n_large_communities = 1;
    bgpbus__v1__unknown_attribute__init(&f->unk);
    f->unk.has_flags = f->unk.has_type = f->unk.has_value = true;
    f->unk.flags = 0xc0;
    f->unk.type = 99;
    memcpy(f->unk_val, "\xaa\xbb", 2);
    f->unk.value.data = f->unk_val;
    f->unk.value.len = 2;
    f->unks[0] = &f->unk;
    f->attrs.unknown = f->unks;
    f->attrs.n_unknown = 1;
}

static void
ctx_ebgp(struct bgp_session_codec *ctx, bool asn4)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->asn4 = asn4;
    ctx->local_as = 65000;
    ctx->peer_as = 65001;
    ctx->max_msg_len = BGP_MSG_MAX;
    ctx->mrt_family = BGP_FAM_NONE;
    ctx->aigp = true;
}

static void
assert_encodes(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
               const char *want_hex)
{
    uint8_t buf[1024], want[1024];
    char got[2100];
    size_t wl = test_unhex(want_hex, want, sizeof(want));
    struct wire_wr w;
    const char *why = NULL;

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_int_equal(attrs_encode(a, ctx, NULL, true, &w, &why), 0);
    test_hex(buf, w.len, got);
    if (w.len != wl || memcmp(buf, want, wl) != 0)
        fail_msg("encoded %s", got);
}

static void
test_encode_ebgp_asn4_byte_exact(void **state)
{
    struct fixture f;
    struct bgp_session_codec ctx;

    (void)state;
    fixture_init(&f, 65001);
    ctx_ebgp(&ctx, true);
    assert_encodes(&f.attrs, &ctx,
                   "40010100"                          /* ORIGIN IGP */
                   "40020a 0202 0000fde8 fa56ea01"     /* AS_PATH */
                   "400304 c0000201"                   /* NEXT_HOP */
                   "800404 0000000a"                   /* MED */
                   "400600"                            /* ATOMIC_AGGREGATE */
                   "c00708 0000fde9 0a000001"          /* AGGREGATOR */
                   "c00804 fde80001"                   /* COMMUNITIES */
                   "c01008 0002fde800000064"           /* EXT: target 65000:100 */
                   "801a0b 01000b 0000000000000005"    /* AIGP */
                   "c0200c 0000fde8 00000001 00000002" /* LARGE_COMMUNITY */
                   "e06302 aabb");                     /* unknown, Partial set */
}

static void
test_encode_ibgp_defaults(void **state)
{
    struct bgp_session_codec ctx;
    Bgpbus__V1__Attributes a;
    Bgpbus__V1__NextHop nh;
    ProtobufCBinaryData cl[2] = { { 4, (uint8_t *)"\x01\x01\x01\x01" },
                                  { 4, (uint8_t *)"\x02\x02\x02\x02" } };

    (void)state;
    bgpbus__v1__attributes__init(&a);
    bgpbus__v1__next_hop__init(&nh);
    nh.has_address = true;
    nh.address.data = (uint8_t *)"\x0a\x00\x00\x01";
    nh.address.len = 4;
    a.next_hop = &nh;
    a.has_originator_id = true;
    a.originator_id.data = (uint8_t *)"\x0a\x00\x00\x09";
    a.originator_id.len = 4;
    a.cluster_list = cl;
    a.n_cluster_list = 2;
    ctx_ebgp(&ctx, true);
    ctx.ibgp = true;
    ctx.peer_as = 65000;
    /* iBGP: ORIGIN IGP and an empty AS_PATH by default, LOCAL_PREF 100, RR attributes. */
    assert_encodes(&a, &ctx,
                   "40010100 400200 400304 0a000001 400504 00000064 800904 0a000009"
                   "800a08 01010101 02020202");
    /* eBGP: our AS as the path, no LOCAL_PREF, no route reflection attributes. */
    ctx.ibgp = false;
    ctx.peer_as = 65001;
    assert_encodes(&a, &ctx, "40010100 400206 0201 0000fde8 400304 0a000001");
}

/* RFC 6793 4.2.2 / 4.2.3: towards a 2-octet peer and back. */
static void
test_as4_towards_old_speaker_and_back(void **state)
{
    struct fixture f;
    struct bgp_session_codec ctx;
    uint8_t buf[1024], msg[2048];
    struct wire_wr w;
    const char *why;
    struct arena a;
    struct update_decoded u;
    struct bgp_error err;
    char hex[3000];
    size_t len;

    (void)state;
    fixture_init(&f, 4200000002u);
    f.attrs.n_unknown = 0;
    f.attrs.has_aigp = false;
    ctx_ebgp(&ctx, false);
    assert_encodes(&f.attrs, &ctx,
                   "40010100 400206 0202 fde8 5ba0 400304 c0000201 800404 0000000a 400600"
                   "c00706 5ba0 0a000001"
                   "c00804 fde80001 c01008 0002fde800000064"
                   "c0110a 0202 0000fde8 fa56ea01" /* AS4_PATH */
                   "c01208 fa56ea02 0a000001"      /* AS4_AGGREGATOR */
                   "c0200c 0000fde8 00000001 00000002");

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_int_equal(attrs_encode(&f.attrs, &ctx, NULL, true, &w, &why), 0);
    test_hex(buf, w.len, hex);
    len = test_update(msg, sizeof(msg), "", hex, "18c00002");
    arena_init(&a, 0);
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), 0);
    assert_false(u.treat_as_withdraw);
    assert_true(u.as4_merged);
    assert_int_equal(u.attrs->as_path->n_segments, 1);
    assert_int_equal(u.attrs->as_path->segments[0]->n_asns, 2);
    assert_int_equal(u.attrs->as_path->segments[0]->asns[0], 65000);
    assert_int_equal(u.attrs->as_path->segments[0]->asns[1], 4200000001u);
    assert_int_equal(u.attrs->aggregator->asn, 4200000002u);
    assert_int_equal(u.nlri_count, 1);
    arena_free(&a);
}

static void
decode_attrs(const char *attrs_hex, const struct bgp_session_codec *ctx, struct arena *a,
             struct update_decoded *u)
{
    static uint8_t msg[8192];
    struct bgp_error err;
    size_t len = test_update(msg, sizeof(msg), "", attrs_hex, "18c00002");

    assert_int_equal(update_decode(msg, len, ctx, a, u, &err), 0);
}

static void
test_as4_merge_rules(void **state)
{
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    ctx_ebgp(&ctx, false);
    /* AS_PATH 65001 23456 23456 (3) + AS4_PATH 4200000001 4200000002 (2): 65001 kept. */
    decode_attrs("40010100 400208 0203 fde9 5ba0 5ba0 400304 c0000201"
                 "c0110a 0202 fa56ea01 fa56ea02",
                 &ctx, &a, &u);
    assert_true(u.as4_merged);
    assert_int_equal(u.attrs->as_path->n_segments, 2);
    assert_int_equal(u.attrs->as_path->segments[0]->n_asns, 1);
    assert_int_equal(u.attrs->as_path->segments[0]->asns[0], 65001);
    assert_int_equal(u.attrs->as_path->segments[1]->asns[1], 4200000002u);
    /* AS4_PATH longer than AS_PATH: ignored. */
    arena_reset(&a);
    decode_attrs("40010100 400204 0201 fde9 400304 c0000201 c0110a 0202 fa56ea01 fa56ea02", &ctx,
                 &a, &u);
    assert_false(u.as4_merged);
    assert_int_equal(u.attrs->as_path->segments[0]->asns[0], 65001);
    /* AGGREGATOR with a real 2-octet AS: AS4_PATH and AS4_AGGREGATOR are stale. */
    arena_reset(&a);
    decode_attrs("40010100 400206 0202 fde9 5ba0 400304 c0000201 c00706 fde9 0a000001"
                 "c01106 0201 fa56ea01 c01208 fa56ea02 0a000001",
                 &ctx, &a, &u);
    assert_false(u.as4_merged);
    assert_int_equal(u.attrs->aggregator->asn, 65001);
    assert_int_equal(u.attrs->as_path->segments[0]->asns[1], 23456);
    /* An AS_SET counts as one AS. */
    arena_reset(&a);
    decode_attrs("40010100 40020a 0201 fde9 0102 5ba0 5ba0 400304 c0000201"
                 "c01106 0101 fa56ea01",
                 &ctx, &a, &u);
    assert_true(u.as4_merged);
    assert_int_equal(u.attrs->as_path->n_segments, 2);
    assert_int_equal(u.attrs->as_path->segments[1]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET);
    arena_free(&a);
}

/* Decode of every attribute, then encode again: the same bytes. */
static void
test_roundtrip_all(void **state)
{
    const char *in = "40010102"
                     "400210 0202 0000fde9 0000fdea 0101 fa56ea01" /* SEQ + SET */
                     "400304 c0000201 800404 00000000 400504 000000c8 400600"
                     "c00708 0000fde9 0a000001 c00808 fde80001 ffffff01"
                     "800904 0a000009 800a04 0a00000a"
                     "c01010 0002fde800000064 01030a0000010007"
                     "c01914 0002 20010db8000000000000000000000001 0064"
                     "801a0b 01000b 0000000000000100"
                     "c0200c 0000fde8 00000001 00000002"
                     "e06302 aabb";
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct arena a;
    uint8_t buf[1024], want[1024];
    size_t wl = test_unhex(in, want, sizeof(want));
    struct wire_wr w;
    const char *why;
    const Bgpbus__V1__Attributes *at;

    (void)state;
    arena_init(&a, 0);
    ctx_ebgp(&ctx, true);
    ctx.ibgp = true;
    ctx.peer_as = 65000;
    decode_attrs(in, &ctx, &a, &u);
    at = u.attrs;
    assert_false(u.treat_as_withdraw);
    assert_int_equal(u.discarded_count, 0);
    assert_int_equal(at->origin, BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE);
    assert_int_equal(at->as_path->n_segments, 2);
    assert_int_equal(at->next_hop->address.len, 4);
    assert_true(at->has_med && at->med == 0);
    assert_int_equal(at->local_pref, 200);
    assert_true(at->atomic_aggregate);
    assert_int_equal(at->aggregator->asn, 65001);
    assert_int_equal(at->n_communities, 2);
    assert_int_equal(at->communities[1], 0xffffff01u);
    assert_memory_equal(at->originator_id.data, "\x0a\x00\x00\x09", 4);
    assert_int_equal(at->n_cluster_list, 1);
    assert_int_equal(at->n_extended_communities, 2);
    assert_int_equal(at->extended_communities[0]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET);
    assert_int_equal(at->extended_communities[0]->route_target->asn2, 65000);
    assert_int_equal(at->extended_communities[0]->route_target->local_admin, 100);
    assert_int_equal(at->extended_communities[1]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN);
    assert_int_equal(at->n_ipv6_extended_communities, 1);
    assert_int_equal(at->ipv6_extended_communities[0]->route_target->local_admin, 100);
    assert_true(at->has_aigp);
    assert_int_equal(at->aigp, 256);
    assert_int_equal(at->n_large_communities, 1);
    assert_int_equal(at->large_communities[0]->local_data_2, 2);
    assert_int_equal(at->n_unknown, 1);
    assert_int_equal(at->unknown[0]->flags, 0xe0);

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_int_equal(attrs_encode(at, &ctx, NULL, true, &w, &why), 0);
    assert_int_equal(w.len, wl);
    assert_memory_equal(buf, want, wl);
    arena_free(&a);
}

static void
test_extended_length(void **state)
{
    struct bgp_session_codec ctx;
    Bgpbus__V1__Attributes a;
    uint32_t comms[100];
    uint8_t buf[1024];
    struct wire_wr w;
    const char *why;
    struct update_decoded u;
    struct arena ar;
    char hex[2100];

    (void)state;
    bgpbus__v1__attributes__init(&a);
    for (int i = 0; i < 100; i++)
        comms[i] = (uint32_t)i;
    a.communities = comms;
    a.n_communities = 100;
    ctx_ebgp(&ctx, true);
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_int_equal(attrs_encode(&a, &ctx, NULL, false, &w, &why), 0);
    /* ORIGIN (4) + AS_PATH (9), then COMMUNITIES with the extended length flag. */
    assert_int_equal(buf[13], 0xd0);
    assert_int_equal(buf[14], 8);
    assert_int_equal(wire_load_u16(buf + 15), 400);
    assert_int_equal(w.len, 13 + 4 + 400);
    /* And it decodes. */
    arena_init(&ar, 0);
    test_hex(buf, w.len, hex);
    strcat(hex, "400304c0000201");
    decode_attrs(hex, &ctx, &ar, &u);
    assert_int_equal(u.attrs->n_communities, 100);
    assert_int_equal(u.attrs->communities[99], 99);
    arena_free(&ar);
}

/* RFC 4659 3.2.1.1: a VPN-IPv6 next hop with a link-local address is 48 octets, an RD (zero)
 * before each address.  gobgpd and BIRD send it on a directly connected IPv6 session. */
static void
test_vpn6_link_local_nexthop(void **state)
{
    static const uint8_t gua[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
    static const uint8_t lla[16] = { 0xfe, 0x80, [15] = 1 };
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    ctx_ebgp(&ctx, true);
    decode_attrs("40010100 400206 0201 0000fde9 400304 c0000201 "
                 "800e45 0002 80 30 0000000000000000 20010db8000000000000000000000001 "
                 "0000000000000000 fe800000000000000000000000000001 00 "
                 "78 000101 0000fde900000064 20010db8",
                 &ctx, &a, &u);
    assert_int_equal(u.mp_reach.nlri_count, 1);
    assert_non_null(u.mp_reach.nexthop);
    assert_int_equal(u.mp_reach.nexthop->address.len, 16);
    assert_memory_equal(u.mp_reach.nexthop->address.data, gua, 16);
    assert_true(u.mp_reach.nexthop->has_link_local);
    assert_memory_equal(u.mp_reach.nexthop->link_local.data, lla, 16);
    arena_free(&a);
}

enum expect { OK, WITHDRAW, DISCARD, RESET };

struct case7606 {
    const char *name;
    const char *attrs; /* appended to ORIGIN, AS_PATH, NEXT_HOP unless full */
    bool full;         /* attrs is the whole attribute field */
    const char *nlri;
    int ctx; /* 0 eBGP asn4, 1 iBGP, 2 eBGP 2-octet, 3 eBGP first-AS check */
    enum expect expect;
    uint8_t subcode; /* RESET */
    uint8_t type;    /* the attribute blamed (WITHDRAW/DISCARD), 0: any */
};

#define BASE "40010100 400206 0201 0000fde9 400304 c0000201"

/* clang-format off */
static const struct case7606 cases[] = {
    { "valid", "", false, NULL, 0, OK, 0, 0 },
    /* RFC 7606 7.1 */
    { "ORIGIN length 2", "40010200 00 400206 0201 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 1 },
    { "ORIGIN undefined value", "40010103 400206 0201 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 1 },
    /* RFC 7606 3(c) */
    { "ORIGIN flags optional", "c0010100 400206 0201 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 1 },
    /* RFC 7606 7.2 */
    { "AS_PATH segment overrun", "40010100 400206 0202 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 2 },
    { "AS_PATH segment type 5", "40010100 400206 0501 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 2 },
    { "AS_PATH empty segment", "40010100 400208 0201 0000fde9 0200 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 2 },
    { "AS_PATH confed from eBGP", "40010100 400206 0301 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 2 },
    { "AS_PATH confed from iBGP", "40010100 400206 0301 0000fde9 400304 c0000201 400504 00000064", true, NULL, 1, OK, 0, 0 },
    { "AS_PATH first AS not the peer", "40010100 400206 0201 0000fdea 400304 c0000201", true, NULL, 3, WITHDRAW, 0, 2 },
    { "AS_PATH first AS the peer", "", false, NULL, 3, OK, 0, 0 },
    { "AS_PATH 2-octet odd length", "40010100 400205 0201 fde9 00 400304 c0000201", true, NULL, 2, WITHDRAW, 0, 2 },
    /* RFC 7606 7.3 */
    { "NEXT_HOP length 5", "40010100 400206 0201 0000fde9 400305 c000020100", true, NULL, 0, WITHDRAW, 0, 3 },
    { "NEXT_HOP 0.0.0.0", "40010100 400206 0201 0000fde9 400304 00000000", true, NULL, 0, WITHDRAW, 0, 3 },
    { "NEXT_HOP multicast", "40010100 400206 0201 0000fde9 400304 e0000001", true, NULL, 0, WITHDRAW, 0, 3 },
    /* RFC 7606 7.4 */
    { "MED length 3", "800403 000001", false, NULL, 0, WITHDRAW, 0, 4 },
    { "MED flags well-known", "400404 00000001", false, NULL, 0, WITHDRAW, 0, 4 },
    /* RFC 7606 7.5 */
    { "LOCAL_PREF length 2", "400502 0064", false, NULL, 1, WITHDRAW, 0, 5 },
    { "LOCAL_PREF from eBGP", "400504 00000064", false, NULL, 0, DISCARD, 0, 5 },
    /* RFC 7606 7.6 */
    { "ATOMIC_AGGREGATE length 1", "400601 00", false, NULL, 0, DISCARD, 0, 6 },
    /* RFC 7606 7.7 */
    { "AGGREGATOR length 7", "c00707 0000fde9 0a0000", false, NULL, 0, DISCARD, 0, 7 },
    { "AGGREGATOR 2-octet form on AS4 session", "c00706 fde9 0a000001", false, NULL, 0, DISCARD, 0, 7 },
    /* RFC 7606 7.8 */
    { "COMMUNITIES length 5", "c00805 fde8000100", false, NULL, 0, WITHDRAW, 0, 8 },
    { "COMMUNITIES length 0", "c00800", false, NULL, 0, WITHDRAW, 0, 8 },
    /* RFC 7606 7.9, 7.10 */
    { "ORIGINATOR_ID length 3", "800903 0a0000", false, NULL, 1, WITHDRAW, 0, 9 },
    { "CLUSTER_LIST length 6", "800a06 0a0000010a00", false, NULL, 1, WITHDRAW, 0, 10 },
    /* RFC 7606 7.11, 7.12, 3(g) */
    { "MP_REACH next hop length 4 for IPv6", "800e0e 0002 01 04 c0000201 00 20 20010db8", false, "", 0, RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 0 },
    { "MP_REACH prefix longer than 128", "800e1a 0002 01 10 20010db8000000000000000000000001 00 81 20010db8", false, "", 0, RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 0 },
    { "MP_REACH valid IPv6", "800e1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8", false, "", 0, OK, 0, 0 },
    { "MP_UNREACH length 2", "800f02 0002", false, "", 0, RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 0 },
    { "MP_UNREACH twice", "800f03 000201 800f03 000201", true, "", 0, RESET, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, 0 },
    { "MP_REACH flags transitive", "c00e1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8", false, "", 0, RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, 0 },
    { "MP_REACH overruns the field", "900e00ff 0002 01", false, "", 0, RESET, BGP_ERR_UPDATE_ATTR_LENGTH, 0 },
    { "ORIGIN twice", "40010102", false, NULL, 0, DISCARD, 0, 1 },
    /* RFC 7606 7.14, 7.15 */
    { "EXT_COMMUNITIES length 9", "c01009 0002fde80000006400", false, NULL, 0, WITHDRAW, 0, 16 },
    { "IPV6_EXT_COMMUNITIES length 21", "c01915 0002 20010db8000000000000000000000001 006400", false, NULL, 0, WITHDRAW, 0, 25 },
    /* RFC 6793 6 */
    { "AS4_PATH malformed on 2-octet session", "c01106 0202 fa56ea01", false, NULL, 2, DISCARD, 0, 17 },
    { "AS4_PATH on 4-octet session", "c01106 0201 fa56ea01", false, NULL, 0, DISCARD, 0, 17 },
    { "AS4_AGGREGATOR length 7", "c01207 fa56ea01 0a0000", false, NULL, 2, DISCARD, 0, 18 },
    /* RFC 7311 3 */
    { "AIGP bad TLV length", "801a0b 01000a 0000000000000001", false, NULL, 0, DISCARD, 0, 26 },
    /* RFC 8092 5 */
    { "LARGE_COMMUNITY length 13", "c0200d 0000fde8 00000001 00000002 00", false, NULL, 0, WITHDRAW, 0, 32 },
    /* RFC 4271 6.3, 9 */
    { "unrecognized well-known", "400801 00 40c801 00", false, NULL, 0, RESET, BGP_ERR_UPDATE_UNRECOGNIZED_WK_ATTR, 0 },
    { "unknown optional non-transitive", "80c801 00", false, NULL, 0, DISCARD, 0, 200 },
    { "unknown optional transitive", "c0c801 00", false, NULL, 0, OK, 0, 0 },
    /* RFC 7606 4 */
    { "attribute overruns the field", "c00810 fde80001", false, NULL, 0, WITHDRAW, 0, 8 },
    { "two octets left", "c008", false, NULL, 0, WITHDRAW, 0, 0 },
    /* RFC 7606 3(d) */
    { "missing ORIGIN", "400206 0201 0000fde9 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 1 },
    { "missing AS_PATH", "40010100 400304 c0000201", true, NULL, 0, WITHDRAW, 0, 2 },
    { "missing NEXT_HOP", "40010100 400206 0201 0000fde9", true, NULL, 0, WITHDRAW, 0, 3 },
    { "missing LOCAL_PREF on iBGP", "", false, NULL, 1, WITHDRAW, 0, 5 },
    { "no NEXT_HOP needed for MP only", "40010100 400206 0201 0000fde9 800e1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8", true, "", 0, OK, 0, 0 },
    { "withdraw only, no attributes", "", true, "", 0, OK, 0, 0 },
};
/* clang-format on */

static void
test_rfc7606_actions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case7606 *c = &cases[i];
        char attrs[2048];
        static uint8_t msg[8192];
        struct bgp_session_codec ctx;
        struct update_decoded u;
        struct bgp_error err;
        struct arena a;
        size_t len;
        int rc;

        snprintf(attrs, sizeof(attrs), "%s %s", c->full ? "" : BASE, c->attrs);
        if (c->ctx == 1) {
            ctx_ebgp(&ctx, true);
            ctx.ibgp = true;
            ctx.peer_as = 65000;
        } else {
            ctx_ebgp(&ctx, c->ctx != 2);
            ctx.check_first_as = c->ctx == 3;
        }
        if (c->ctx == 2 && !c->full)
            snprintf(attrs, sizeof(attrs), "40010100 400204 0201 fde9 400304 c0000201 %s",
                     c->attrs);
        len = test_update(msg, sizeof(msg), "", attrs, c->nlri ? c->nlri : "18c00002");
        arena_init(&a, 0);
        memset(&err, 0, sizeof(err));
        rc = update_decode(msg, len, &ctx, &a, &u, &err);
        switch (c->expect) {
        case OK:
            if (rc != 0 || u.treat_as_withdraw || u.discarded_count != 0)
                fail_msg("%s: rc %d taw %d (%s) discarded %u", c->name, rc, u.treat_as_withdraw,
                         u.withdraw_reason ? u.withdraw_reason : "", u.discarded_count);
            break;
        case WITHDRAW:
            if (rc != 0 || !u.treat_as_withdraw || (c->type && u.withdraw_attr != c->type))
                fail_msg("%s: rc %d taw %d attr %u", c->name, rc, u.treat_as_withdraw,
                         u.withdraw_attr);
            break;
        case DISCARD:
            if (rc != 0 || u.treat_as_withdraw || u.discarded_count != 1 ||
                (c->type && u.discarded[0].type != c->type))
                fail_msg("%s: rc %d taw %d (%s) discarded %u", c->name, rc, u.treat_as_withdraw,
                         u.withdraw_reason ? u.withdraw_reason : "", u.discarded_count);
            break;
        case RESET:
            if (rc != -1 || err.code != BGP_ERR_UPDATE || err.subcode != c->subcode)
                fail_msg("%s: rc %d code %u/%u (%s)", c->name, rc, err.code, err.subcode,
                         err.reason ? err.reason : "");
            break;
        }
        arena_free(&a);
    }
}

static void
test_reset_notification_data(void **state)
{
    uint8_t msg[256];
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct bgp_error err;
    struct arena a;
    size_t len;

    (void)state;
    ctx_ebgp(&ctx, true);
    arena_init(&a, 0);
    /* RFC 4271 6.3: Unrecognized Well-known Attribute carries the attribute. */
    len = test_update(msg, sizeof(msg), "", BASE " 40c802 abcd", "18c00002");
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), -1);
    assert_int_equal(err.data_len, 5);
    assert_memory_equal(err.data, "\x40\xc8\x02\xab\xcd", 5);
    /* Lengths that do not fit the message: Malformed Attribute List. */
    len = test_update(msg, sizeof(msg), "", BASE, "18c00002");
    msg[20] = 9; /* withdrawn routes length 9 */
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST);
    len = test_update(msg, sizeof(msg), "", BASE, "18c00002");
    msg[22] = 0xff;
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST);
    /* RFC 7606 5.3: malformed NLRI is a reset (Invalid Network Field). */
    len = test_update(msg, sizeof(msg), "", BASE, "0d0b0d0b");
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_UPDATE_INVALID_NETWORK);
    len = test_update(msg, sizeof(msg), "21c0000201", "", "");
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_UPDATE_INVALID_NETWORK);
    arena_free(&a);
}

static void
test_eor_and_withdrawals(void **state)
{
    uint8_t msg[256];
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct bgp_error err;
    struct arena a;
    struct wire_wr w;
    size_t len;

    (void)state;
    ctx_ebgp(&ctx, true);
    arena_init(&a, 0);
    wire_wr_init_fixed(&w, msg, sizeof(msg));
    update_build_eor(BGP_AFI_IPV4, BGP_SAFI_UNICAST, &w);
    assert_int_equal(w.len, 23);
    assert_int_equal(update_decode(msg, w.len, &ctx, &a, &u, &err), 0);
    assert_true(u.eor);
    assert_int_equal(u.eor_afi, 1);
    wire_wr_init_fixed(&w, msg, sizeof(msg));
    update_build_eor(BGP_AFI_IPV6, BGP_SAFI_UNICAST, &w);
    assert_memory_equal(msg + 16, "\x00\x1d\x02\x00\x00\x00\x06\x80\x0f\x03\x00\x02\x01", 13);
    assert_int_equal(update_decode(msg, w.len, &ctx, &a, &u, &err), 0);
    assert_true(u.eor);
    assert_int_equal(u.eor_afi, 2);
    assert_int_equal(u.eor_safi, 1);
    /* A withdrawal is not an End-of-RIB. */
    len = test_update(msg, sizeof(msg), "18c00002", "", "");
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), 0);
    assert_false(u.eor);
    assert_int_equal(u.withdrawn_count, 1);
    len = test_update(msg, sizeof(msg), "", "800f08 000201 20 20010db8", "");
    assert_int_equal(update_decode(msg, len, &ctx, &a, &u, &err), 0);
    assert_false(u.eor);
    assert_int_equal(u.mp_unreach.nlri_count, 1);
    arena_free(&a);
}

/* ---- update_build ---- */

struct collect {
    size_t messages;
    size_t nlri;
    size_t max_seen;
    enum bgp_family fam;
    bool withdraw;
    const struct bgp_session_codec *ctx;
};

static int
collect_emit(void *arg, const uint8_t *msg, size_t len)
{
    struct collect *c = arg;
    struct bgp_session_codec rx = *c->ctx;
    struct update_decoded u;
    struct bgp_error err;
    struct arena a;

    /* The receiver's view: what we send with path ids, it receives with path ids. */
    rx.addpath_recv = c->ctx->addpath_send;
    rx.ext_nexthop_recv = c->ctx->ext_nexthop_send;
    arena_init(&a, 0);
    assert_int_equal(update_decode(msg, len, &rx, &a, &u, &err), 0);
    assert_false(u.treat_as_withdraw);
    if (c->fam == BGP_FAM_IPV4_UNICAST && !u.mp_reach.present && !u.mp_unreach.present)
        c->nlri += c->withdraw ? u.withdrawn_count : u.nlri_count;
    else
        c->nlri += c->withdraw ? u.mp_unreach.nlri_count : u.mp_reach.nlri_count;
    c->messages++;
    if (len > c->max_seen)
        c->max_seen = len;
    arena_free(&a);
    return 0;
}

static struct nlri *
make_prefixes(enum bgp_family fam, size_t n)
{
    struct nlri *v = calloc(n, sizeof(*v));

    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        v[i].fam = (int8_t)fam;
        v[i].path_id = (uint32_t)(i % 3 + 1);
        if (bgp_family_addr_len(fam) == 4) {
            v[i].len = 24;
            v[i].addr[0] = 10;
            v[i].addr[1] = (uint8_t)(i >> 8);
            v[i].addr[2] = (uint8_t)i;
        } else {
            v[i].len = 48;
            memcpy(v[i].addr, "\x20\x01\x0d\xb8", 4);
            v[i].addr[4] = (uint8_t)(i >> 8);
            v[i].addr[5] = (uint8_t)i;
        }
    }
    return v;
}

static void
test_build_packing(void **state)
{
    struct fixture f;
    struct bgp_session_codec ctx;
    struct collect c;
    struct update_build_stats st;
    struct nlri *v4 = make_prefixes(BGP_FAM_IPV4_UNICAST, 5000);
    struct nlri *v6 = make_prefixes(BGP_FAM_IPV6_UNICAST, 5000);
    uint8_t blob[1024];
    struct wire_wr w;
    const char *why;
    size_t per_msg;
    uint8_t v6nh[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

    (void)state;
    fixture_init(&f, 65001);
    ctx_ebgp(&ctx, true);

    /* IPv4 unicast: 4 octets per /24, as many as fit beside the attributes. */
    wire_wr_init_fixed(&w, blob, sizeof(blob));
    assert_int_equal(attrs_encode(&f.attrs, &ctx, NULL, true, &w, &why), 0);
    per_msg = (BGP_MSG_MAX - 23 - w.len) / 4;
    memset(&c, 0, sizeof(c));
    memset(&st, 0, sizeof(st));
    c.fam = BGP_FAM_IPV4_UNICAST;
    c.ctx = &ctx;
    assert_int_equal(update_build(BGP_FAM_IPV4_UNICAST, &f.attrs, v4, 5000, &ctx, NULL,
                                  collect_emit, &c, &st, &why),
                     0);
    assert_int_equal(c.nlri, 5000);
    assert_int_equal(c.messages, (5000 + per_msg - 1) / per_msg);
    assert_true(c.max_seen <= BGP_MSG_MAX);
    assert_int_equal(st.messages, c.messages);

    /* Withdrawals: 2 octets of lengths, 4 per prefix. */
    memset(&c, 0, sizeof(c));
    c.fam = BGP_FAM_IPV4_UNICAST;
    c.withdraw = true;
    c.ctx = &ctx;
    assert_int_equal(update_build(BGP_FAM_IPV4_UNICAST, NULL, v4, 5000, &ctx, NULL, collect_emit,
                                  &c, NULL, &why),
                     0);
    assert_int_equal(c.nlri, 5000);
    assert_int_equal(c.messages, (5000 + 1017) / 1018);

    /* IPv6 with ADD-PATH in MP_REACH_NLRI, and extended messages (RFC 8654). */
    f.nh.address.data = v6nh;
    f.nh.address.len = 16;
    ctx.addpath_send = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    memset(&c, 0, sizeof(c));
    c.fam = BGP_FAM_IPV6_UNICAST;
    c.ctx = &ctx;
    assert_int_equal(update_build(BGP_FAM_IPV6_UNICAST, &f.attrs, v6, 5000, &ctx, NULL,
                                  collect_emit, &c, NULL, &why),
                     0);
    assert_int_equal(c.nlri, 5000);
    assert_true(c.messages >= 5000 * 11 / 4096);
    assert_true(c.max_seen <= BGP_MSG_MAX);
    {
        size_t small = c.messages;

        ctx.max_msg_len = BGP_MSG_EXT_MAX;
        memset(&c, 0, sizeof(c));
        c.fam = BGP_FAM_IPV6_UNICAST;
        c.ctx = &ctx;
        assert_int_equal(update_build(BGP_FAM_IPV6_UNICAST, &f.attrs, v6, 5000, &ctx, NULL,
                                      collect_emit, &c, NULL, &why),
                         0);
        assert_int_equal(c.nlri, 5000);
        assert_true(c.messages < small);
        assert_true(c.max_seen > BGP_MSG_MAX && c.max_seen <= BGP_MSG_EXT_MAX);
        c.withdraw = true;
        c.nlri = c.messages = 0;
        assert_int_equal(update_build(BGP_FAM_IPV6_UNICAST, NULL, v6, 5000, &ctx, NULL,
                                      collect_emit, &c, NULL, &why),
                         0);
        assert_int_equal(c.nlri, 5000);
    }

    /* IPv4 NLRI with an IPv6 next hop: only when RFC 8950 was negotiated, then in MP. */
    ctx.max_msg_len = BGP_MSG_MAX;
    ctx.addpath_send = 0;
    assert_int_equal(update_build(BGP_FAM_IPV4_UNICAST, &f.attrs, v4, 10, &ctx, NULL, collect_emit,
                                  &c, NULL, &why),
                     -1);
    ctx.ext_nexthop_send = BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
    memset(&c, 0, sizeof(c));
    c.fam = BGP_FAM_IPV4_UNICAST;
    c.ctx = &ctx;
    assert_int_equal(update_build(BGP_FAM_IPV4_UNICAST, &f.attrs, v4, 10, &ctx, NULL, collect_emit,
                                  &c, NULL, &why),
                     0);
    assert_int_equal(c.nlri, 10);
    free(v4);
    free(v6);
}

static void
test_session_codec_from_negotiated(void **state)
{
    struct bgp_negotiated n;
    struct bgp_session_codec ctx;

    (void)state;
    memset(&n, 0, sizeof(n));
    n.peer_as = 65001;
    n.asn4 = true;
    n.addpath_recv = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    n.max_msg_len = BGP_MSG_EXT_MAX;
    bgp_session_codec_from(&ctx, &n, 65000, false);
    assert_true(ctx.asn4);
    assert_false(ctx.ibgp);
    assert_true(ctx.check_first_as);
    assert_int_equal(ctx.addpath_recv, BGP_FAMSET(BGP_FAM_IPV6_UNICAST));
    assert_int_equal(ctx.max_msg_len, BGP_MSG_EXT_MAX);
    bgp_session_codec_from(&ctx, &n, 65001, false);
    assert_true(ctx.ibgp);
    assert_false(ctx.check_first_as);
}

static void
test_build_nexthop_self(void **state)
{
    struct fixture f;
    struct bgp_session_codec ctx;
    struct nexthop_ctx self = { .has_v4 = true, .v4 = { 192, 0, 2, 99 } };
    uint8_t buf[512];
    struct wire_wr w;
    const char *why;

    (void)state;
    fixture_init(&f, 65001);
    f.nh.has_use_local_address = f.nh.use_local_address = true;
    ctx_ebgp(&ctx, true);
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_int_equal(attrs_encode(&f.attrs, &ctx, &self, true, &w, &why), 0);
    assert_non_null(memmem(buf, w.len, "\x40\x03\x04\xc0\x00\x02\x63", 7));
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_int_equal(attrs_encode(&f.attrs, &ctx, NULL, true, &w, &why), -1);
    /* An attribute without a row yet is refused, not dropped. */
    {
        Bgpbus__V1__PrefixSid sid;

        bgpbus__v1__prefix_sid__init(&sid);
        f.attrs.prefix_sid = &sid;
        wire_wr_init_fixed(&w, buf, sizeof(buf));
        assert_int_equal(attrs_encode(&f.attrs, &ctx, &self, true, &w, &why), -1);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_ebgp_asn4_byte_exact),
        cmocka_unit_test(test_encode_ibgp_defaults),
        cmocka_unit_test(test_as4_towards_old_speaker_and_back),
        cmocka_unit_test(test_as4_merge_rules),
        cmocka_unit_test(test_roundtrip_all),
        cmocka_unit_test(test_extended_length),
        cmocka_unit_test(test_rfc7606_actions),
        cmocka_unit_test(test_reset_notification_data),
        cmocka_unit_test(test_eor_and_withdrawals),
        cmocka_unit_test(test_build_packing),
        cmocka_unit_test(test_build_nexthop_self),
        cmocka_unit_test(test_session_codec_from_negotiated),
        cmocka_unit_test(test_vpn6_link_local_nexthop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
