/*
 * FlowSpec NLRI (speaker/nlri_flow.c) and action communities (speaker/flow_ecomm.c): wire bytes
 * from ExaBGP 4.2 decode and re-encode identically through the contract form, malformed rules
 * are refused (RFC 8955 4.2), and truncated or bit-flipped rules never read out of bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flow_ecomm.h"
#include "nlri_flow.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned v;

    while (n < cap && sscanf(hex + 2 * n, "%2x", &v) == 1)
        out[n++] = (uint8_t)v;
    return n;
}

/* Decodes a whole NLRI field, maps each rule to the contract and back: same bytes. */
static void
roundtrip(enum bgp_family fam, const char *hex, size_t want_rules)
{
    uint8_t buf[512];
    size_t len = unhex(hex, buf, sizeof(buf)), count = 0, off = 0;
    struct nlri *v = NULL;
    struct arena a;

    arena_init(&a, 4096);
    if (!nlri_decode_field(buf, len, fam, false, &a, &v, &count))
        fail_msg("rule %s not decoded", hex);
    assert_int_equal(count, want_rules);
    for (size_t i = 0; i < count; i++) {
        Bgpbus__V1__FlowSpecNlri *m = nlri_flow_to_proto(&a, &v[i]);
        struct nlri back;

        assert_non_null(m);
        memset(&back, 0, sizeof(back));
        assert_null(nlri_flow_from_proto(m, &a, &back));
        assert_int_equal(back.fam, fam);
        assert_int_equal(back.raw_len, v[i].raw_len);
        assert_memory_equal(back.raw, buf + off, back.raw_len);
        assert_int_equal(nlri_compare(&back, &v[i]), 0);
        assert_int_equal(nlri_hash(&back), nlri_hash(&v[i]));
        off += back.raw_len;
    }
    arena_free(&a);
}

static void
test_exabgp_rules(void **state)
{
    (void)state;
    /* commands.jsonl: destination, protocol, destination-port with a range. */
    roundtrip(BGP_FAM_IPV4_FLOW, "140118C000020381060501501101BB121F90D41F98", 1);
    /* source, port, source-port (2-octet value), packet-length range. */
    roundtrip(BGP_FAM_IPV4_FLOW, "1002080A048135069204000A02C8D4012C", 1);
    /* tcp-flags [ syn ack ], tcp-flags !rst, dscp, and two rules in one field. */
    roundtrip(BGP_FAM_IPV4_FLOW, "0A0118C000020900028010", 1);
    roundtrip(BGP_FAM_IPV4_FLOW, "080118C00002098204050901048109", 2);
    /* decoding.jsonl bgp-flow-1: IPv6 prefixes with offsets, next-header, fragment. */
    roundtrip(BGP_FAM_IPV6_FLOW,
              "280180002A0229B8192500000000000000002E69024000BEEFF00E000000000381060C000400028008",
              1);
    /* RFC 8956 3.1: an IPv6 prefix with a non-zero offset carries only bits [offset, len). */
    roundtrip(BGP_FAM_IPV6_FLOW, "07014020AABBCCDD", 1);
    /* flow-vpn: an RD (type 0, 65000:1) then the components; flow label (type 13). */
    roundtrip(BGP_FAM_IPV4_FLOW_VPN, "0D0000FDE8000000010118C00002", 1);
    roundtrip(BGP_FAM_IPV6_FLOW, "040D910123", 1);
}

static void
test_unknown_component_kept(void **state)
{
    uint8_t buf[16];
    size_t len = unhex("0601080A0D8101", buf, sizeof(buf)), count;
    struct nlri *v;
    struct arena a;

    (void)state;
    arena_init(&a, 4096);
    /* Type 13 is not an IPv4 component: the rest of the rule is kept, and round-trips. */
    assert_true(nlri_decode_field(buf, len, BGP_FAM_IPV4_FLOW, false, &a, &v, &count));
    Bgpbus__V1__FlowSpecNlri *m = nlri_flow_to_proto(&a, &v[0]);
    assert_non_null(m);
    assert_int_equal(m->n_components, 2);
    assert_int_equal(m->components[1]->component_case,
                     BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_UNKNOWN);
    assert_int_equal(m->components[1]->unknown->data.len, 3);
    arena_free(&a);
    roundtrip(BGP_FAM_IPV4_FLOW, "0601080A0D8101", 1);
}

static void
test_malformed(void **state)
{
    static const char *const bad[] = {
        "0A0218C000020118C00002", /* types out of order (RFC 8955 4.2) */
        "0A0118C000020118C00002", /* the same type twice */
        "0401210A0000",           /* IPv4 prefix longer than 32 bits */
        "020301",                 /* numeric without its value */
        "050301060206",           /* no end-of-list bit before the rule ends */
        "040118C00002",           /* length shorter than the components */
        "0A0118C000",             /* length past the field */
        "F0",                     /* two-octet length cut */
    };
    struct arena a;

    (void)state;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t buf[32];
        size_t len = unhex(bad[i], buf, sizeof(buf)), count;
        struct nlri *v;

        if (nlri_decode_field(buf, len, BGP_FAM_IPV4_FLOW, false, &a, &v, &count))
            fail_msg("accepted malformed rule %s", bad[i]);
    }
    /* IPv6: offset beyond the prefix length (RFC 8956 3.1). */
    {
        uint8_t buf[8];
        size_t len = unhex("0401084000", buf, sizeof(buf)), count;
        struct nlri *v;
        assert_false(nlri_decode_field(buf, len, BGP_FAM_IPV6_FLOW, false, &a, &v, &count));
    }
    arena_free(&a);
}

static void
test_long_form_length(void **state)
{
    uint8_t buf[8];
    size_t len = unhex("F0050118C00002", buf, sizeof(buf)), count;
    struct nlri *v;
    struct arena a;

    (void)state;
    arena_init(&a, 4096);
    /* A short rule in the 2-octet length form is the same route as in the 1-octet form. */
    assert_true(nlri_decode_field(buf, len, BGP_FAM_IPV4_FLOW, false, &a, &v, &count));
    assert_int_equal(count, 1);
    assert_int_equal(v[0].raw_len, 6);
    assert_int_equal(v[0].raw[0], 5);
    arena_free(&a);
}

static void
test_encode_refusals(void **state)
{
    Bgpbus__V1__FlowSpecNlri m = BGPBUS__V1__FLOW_SPEC_NLRI__INIT;
    Bgpbus__V1__FlowSpecComponent c1 = BGPBUS__V1__FLOW_SPEC_COMPONENT__INIT;
    Bgpbus__V1__FlowSpecComponent c2 = BGPBUS__V1__FLOW_SPEC_COMPONENT__INIT;
    Bgpbus__V1__FlowSpecComponent *cs[] = { &c1, &c2 };
    Bgpbus__V1__FlowSpecNumeric num = BGPBUS__V1__FLOW_SPEC_NUMERIC__INIT;
    Bgpbus__V1__FlowSpecNumericTerm t = BGPBUS__V1__FLOW_SPEC_NUMERIC_TERM__INIT;
    Bgpbus__V1__FlowSpecNumericTerm *ts[] = { &t };
    struct nlri out;
    struct arena a;

    (void)state;
    arena_init(&a, 4096);
    assert_non_null(nlri_flow_from_proto(&m, &a, &out)); /* no AFI */
    m.has_afi = true;
    m.afi = BGPBUS__V1__AFI__AFI_IPV4;
    num.n_terms = 1;
    num.terms = ts;
    t.has_value = true;
    t.value = 8080;
    c1.component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION_PORT;
    c1.destination_port = &num;
    m.n_components = 1;
    m.components = cs;
    assert_null(nlri_flow_from_proto(&m, &a, &out));
    assert_int_equal(out.raw_len, 5); /* len, type, op (2-octet eq, end), value */
    assert_int_equal(out.raw[2], 0x91);
    t.has_length = true;
    t.length = 1; /* 8080 does not fit one octet */
    assert_non_null(nlri_flow_from_proto(&m, &a, &out));
    t.has_length = false;
    c2 = c1;
    m.n_components = 2; /* the same type twice */
    assert_non_null(nlri_flow_from_proto(&m, &a, &out));
    c2.component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_FLOW_LABEL;
    c2.flow_label = &num; /* IPv6 only */
    assert_non_null(nlri_flow_from_proto(&m, &a, &out));
    m.afi = BGPBUS__V1__AFI__AFI_IPV6;
    assert_null(nlri_flow_from_proto(&m, &a, &out));
    assert_int_equal(out.fam, BGP_FAM_IPV6_FLOW);
    arena_free(&a);
}

/* Truncations and bit flips of the seeds: never an out-of-bounds read (ASan), and what is
 * accepted maps to the contract and back to bytes that decode again. */
static void
test_fuzz(void **state)
{
    static const struct {
        enum bgp_family fam;
        const char *hex;
    } seeds[] = {
        { BGP_FAM_IPV4_FLOW, "140118C000020381060501501101BB121F90D41F98" },
        { BGP_FAM_IPV4_FLOW, "1002080A048135069204000A02C8D4012C" },
        { BGP_FAM_IPV4_FLOW, "080118C00002098204050901048109" },
        { BGP_FAM_IPV6_FLOW,
          "280180002A0229B8192500000000000000002E69024000BEEFF00E000000000381060C000400028008" },
        { BGP_FAM_IPV6_FLOW, "07014020AABBCCDD" },
        { BGP_FAM_IPV4_FLOW_VPN, "0D0000FDE8000000010118C00002" },
        { BGP_FAM_IPV4_FLOW, "0A0BB1000000000000002A" },
    };
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    unsigned long accepted = 0;

    (void)state;
    for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
        uint8_t seed[64];
        size_t slen = unhex(seeds[s].hex, seed, sizeof(seed));

        for (unsigned iter = 0; iter < 3000; iter++) {
            struct arena a;
            struct nlri *v;
            size_t len = slen, count;

            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            uint32_t r = (uint32_t)((rng * 2685821657736338717ull) >> 32);
            if (iter < slen) {
                len = iter; /* every truncation */
            } else {
                len = slen - (r % 3 == 0 ? r % slen : 0);
            }
            /* An exactly sized heap copy, so ASan sees any read past the end. */
            uint8_t *buf = test_malloc(len ? len : 1);
            memcpy(buf, seed, len);
            if (iter >= slen && len > 0) {
                for (unsigned k = 0; k <= r % 3; k++) {
                    size_t at = (r >> 8) % len;
                    buf[at] ^= (uint8_t)(1u << ((r >> (4 + k)) % 8));
                    r = r * 1103515245u + 12345u;
                }
            }
            arena_init(&a, 4096);
            if (nlri_decode_field(buf, len, seeds[s].fam, false, &a, &v, &count)) {
                for (size_t i = 0; i < count; i++) {
                    Bgpbus__V1__FlowSpecNlri *m = nlri_flow_to_proto(&a, &v[i]);
                    struct nlri back, *again;
                    size_t n2;

                    assert_non_null(m);
                    memset(&back, 0, sizeof(back));
                    /* A received rule may break an encoding rule (e.g. host bits set in a
                     * prefix); when it does not, the bytes decode again. */
                    if (nlri_flow_from_proto(m, &a, &back) == NULL)
                        assert_true(nlri_decode_field(back.raw, back.raw_len, seeds[s].fam, false,
                                                      &a, &again, &n2));
                    char text[64];
                    (void)nlri_format(&v[i], text, sizeof(text));
                }
                accepted++;
            }
            arena_free(&a);
            test_free(buf);
        }
    }
    assert_true(accepted > 0);
}

static void
test_action_communities(void **state)
{
    static const char *const wire[] = {
        "8006000046160000", /* rate-limit 9600 */
        "8006000000000000", /* discard */
        "800C00FA3F800000", /* traffic-rate-packets */
        "8007000000000003", /* action sample-terminal */
        "800900000000000A", /* mark 10 */
        "010CC00002630000", /* redirect-to-nexthop-ietf 192.0.2.99 */
        "070200010F2C4005", /* interface-set input */
    };
    struct arena a;

    (void)state;
    arena_init(&a, 4096);
    for (size_t i = 0; i < sizeof(wire) / sizeof(wire[0]); i++) {
        Bgpbus__V1__ExtendedCommunity e = BGPBUS__V1__EXTENDED_COMMUNITY__INIT;
        uint8_t ec[8], out[8];

        unhex(wire[i], ec, sizeof(ec));
        assert_true(flow_ecomm_decode(&a, ec, &e));
        assert_int_equal(flow_ecomm_encode(&e, out), 1);
        assert_memory_equal(out, ec, 8);
    }
    {
        /* Redirect to next hop (copy): decoded here, encoded by attr_community.c. */
        Bgpbus__V1__ExtendedCommunity e = BGPBUS__V1__EXTENDED_COMMUNITY__INIT;
        uint8_t ec[8];

        unhex("0800000000000001", ec, sizeof(ec));
        assert_true(flow_ecomm_decode(&a, ec, &e));
        assert_int_equal(e.typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP);
        assert_true(e.redirect_to_nexthop->copy);
    }
    {
        Bgpbus__V1__ExtendedCommunity e = BGPBUS__V1__EXTENDED_COMMUNITY__INIT;
        Bgpbus__V1__TrafficMarking tm = BGPBUS__V1__TRAFFIC_MARKING__INIT;
        uint8_t ec[8];

        unhex("0002FDE800000001", ec, sizeof(ec)); /* a route target: not an action */
        assert_false(flow_ecomm_decode(&a, ec, &e));
        assert_int_equal(flow_ecomm_encode(&e, ec), 0);
        tm.dscp = 64; /* 6 bits only */
        e.typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_MARKING;
        e.traffic_marking = &tm;
        assert_int_equal(flow_ecomm_encode(&e, ec), -1);
    }
    arena_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exabgp_rules),       cmocka_unit_test(test_unknown_component_kept),
        cmocka_unit_test(test_malformed),          cmocka_unit_test(test_long_form_length),
        cmocka_unit_test(test_encode_refusals),    cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_action_communities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
