/* Labeled unicast (RFC 8277) and VPN (RFC 4364, RFC 4659) NLRI: wire round trip, identity
 * without labels, the contract forms, and malformed input (truncated, bit-flipped) under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec_test_util.h"
#include "nlri.h"
#include "nlri_vpn.h"

/* 10.0.0.0/24 label 100 rd 65000:1 (ExaBGP 4.2's bytes, commands.jsonl) */
static const char vpn4_hex[] = "70 000641 0000fde800000001 0a0000";

static void
test_vpn4_roundtrip(void **state)
{
    uint8_t in[64], out[64];
    size_t n = test_unhex(vpn4_hex, in, sizeof(in)), count;
    struct nlri *v;
    struct arena a;
    struct wire_wr w;
    char text[128];

    (void)state;
    arena_init(&a, 0);
    assert_true(nlri_decode_field(in, n, BGP_FAM_IPV4_VPN, false, &a, &v, &count));
    assert_int_equal(count, 1);
    assert_int_equal(v[0].len, 24);
    assert_int_equal(v[0].raw_len, 3 + 8);
    nlri_format(&v[0], text, sizeof(text));
    assert_string_equal(text, "10.0.0.0/24 label 100 rd 65000:1");
    assert_int_equal(nlri_encoded_len(&v[0], false), n);
    assert_int_equal(nlri_encoded_len(&v[0], true), n + 4);
    wire_wr_init_fixed(&w, out, sizeof(out));
    nlri_encode(&v[0], false, &w);
    assert_int_equal(w.len, n);
    assert_memory_equal(out, in, n);

    Bgpbus__V1__Nlri m = BGPBUS__V1__NLRI__INIT;
    assert_true(nlri_vpn_to_proto(&a, &v[0], &m));
    assert_int_equal(m.nlri_case, BGPBUS__V1__NLRI__NLRI_VPN);
    assert_int_equal(m.vpn->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2);
    assert_int_equal(m.vpn->rd->asn2, 65000);
    assert_int_equal(m.vpn->rd->assigned, 1);
    assert_int_equal(m.vpn->labels->n_labels, 1);
    assert_int_equal(m.vpn->labels->labels[0], 100);

    /* The contract form back to the same bytes. */
    struct nlri back;
    memset(&back, 0, sizeof(back));
    assert_null(nlri_vpn_from_proto(m.vpn->prefix, m.vpn->labels, m.vpn->rd, true, &a, &back));
    wire_wr_init_fixed(&w, out, sizeof(out));
    nlri_encode(&back, false, &w);
    assert_int_equal(w.len, n);
    assert_memory_equal(out, in, n);
    arena_free(&a);
}

/* RFC 8277 2.4: labels are not part of the route; the RD is (RFC 4364 4.1). */
static void
test_identity(void **state)
{
    uint8_t a1[64], a2[64], a3[64];
    size_t n1 = test_unhex("70 000641 0000fde800000001 0a0000", a1, sizeof(a1));
    size_t n2 = test_unhex("70 800000 0000fde800000001 0a0000", a2, sizeof(a2));
    size_t n3 = test_unhex("70 000641 0000fde800000002 0a0000", a3, sizeof(a3));
    struct nlri *v1, *v2, *v3;
    size_t c;
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    assert_true(nlri_decode_field(a1, n1, BGP_FAM_IPV4_VPN, false, &a, &v1, &c));
    assert_true(nlri_decode_field(a2, n2, BGP_FAM_IPV4_VPN, false, &a, &v2, &c));
    assert_true(nlri_decode_field(a3, n3, BGP_FAM_IPV4_VPN, false, &a, &v3, &c));
    assert_int_equal(nlri_compare(&v1[0], &v2[0]), 0);
    assert_int_equal(nlri_hash(&v1[0]), nlri_hash(&v2[0]));
    assert_int_not_equal(nlri_compare(&v1[0], &v3[0]), 0);
    arena_free(&a);
}

/* A two-label stack, labeled IPv6 (SAFI 4), and several NLRI in one field with ADD-PATH. */
static void
test_labeled_stack_addpath(void **state)
{
    uint8_t in[128], out[128];
    /* path 1: 2001:db8::/32 labels [16 17]; path 2: 2001:db8:1::/48 label 100 */
    size_t n = test_unhex("00000001 50 000100 000111 20010db8 "
                          "00000002 48 000641 20010db80001",
                          in, sizeof(in)),
           count;
    struct nlri *v;
    struct arena a;
    struct wire_wr w;
    char text[128];

    (void)state;
    arena_init(&a, 0);
    assert_true(nlri_decode_field(in, n, BGP_FAM_IPV6_LABELED, true, &a, &v, &count));
    assert_int_equal(count, 2);
    nlri_format(&v[0], text, sizeof(text));
    assert_string_equal(text, "2001:db8::/32 label [ 16 17 ]");
    nlri_format(&v[1], text, sizeof(text));
    assert_string_equal(text, "2001:db8:1::/48 label 100");
    assert_int_equal(v[1].path_id, 2);
    wire_wr_init_fixed(&w, out, sizeof(out));
    for (size_t i = 0; i < count; i++)
        nlri_encode(&v[i], true, &w);
    assert_int_equal(w.len, n);
    assert_memory_equal(out, in, n);
    arena_free(&a);
}

/* The NLRI of a withdrawal as the speaker sends it (nlri_vpn_withdrawal). */
static void
check_withdrawal(const char *hex, enum bgp_family fam, const char *want_hex)
{
    uint8_t in[64], want[64], out[64];
    size_t n = test_unhex(hex, in, sizeof(in)), nw = test_unhex(want_hex, want, sizeof(want)), c;
    struct nlri *v, *back, wd;
    struct arena a;
    struct wire_wr w;

    arena_init(&a, 0);
    assert_true(nlri_decode_field(in, n, fam, false, &a, &v, &c));
    wd = nlri_vpn_withdrawal(&v[0]);
    wire_wr_init_fixed(&w, out, sizeof(out));
    nlri_encode(&wd, false, &w);
    assert_int_equal(w.len, nw);
    assert_memory_equal(out, want, nw);
    /* still the same route (RFC 8277 2.4: the labels are not part of it) */
    assert_true(nlri_decode_field(out, w.len, fam, false, &a, &back, &c));
    assert_int_equal(nlri_compare(&v[0], &back[0]), 0);
    arena_free(&a);
}

/* RFC 8277 2.4: one label field in a withdrawal, the stack's bottom label (BIRD 2.0 reads one
 * field only); one label and the other families are sent as they are (ExaBGP 4.2's bytes). */
static void
test_withdrawal_one_label_field(void **state)
{
    (void)state;
    /* labeled IPv6 2001:db8::/32 labels [16 17] */
    check_withdrawal("50 000100 000111 20010db8", BGP_FAM_IPV6_LABELED, "38 000111 20010db8");
    /* VPNv4 10.0.0.0/24 labels [100 101] rd 65000:1: the RD stays */
    check_withdrawal("88 000640 000651 0000fde800000001 0a0000", BGP_FAM_IPV4_VPN,
                     "70 000651 0000fde800000001 0a0000");
    check_withdrawal(vpn4_hex, BGP_FAM_IPV4_VPN, vpn4_hex);
    check_withdrawal("30 000641 0a0000", BGP_FAM_IPV4_LABELED, "30 000641 0a0000");
    check_withdrawal("18 0a0000", BGP_FAM_IPV4_UNICAST, "18 0a0000");
}

static void
test_malformed(void **state)
{
    uint8_t in[64];
    struct nlri *v;
    size_t c;
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    /* Length too short for the RD; prefix longer than the address; stack without S bit. */
    size_t n = test_unhex("50 000641 0000fde800000001", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV4_VPN, false, &a, &v, &c));
    n = test_unhex("98 000641 0000fde800000001 0a000000 00", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV4_VPN, false, &a, &v, &c));
    n = test_unhex("30 000640 000640", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV4_LABELED, false, &a, &v, &c));
    arena_free(&a);
}

/* Every truncation and every single bit flip of valid fields: never a read out of bounds (ASan),
 * and what decodes re-encodes to what it consumed. */
static void
test_fuzz(void **state)
{
    static const struct {
        const char *hex;
        enum bgp_family fam;
    } seeds[] = {
        { vpn4_hex, BGP_FAM_IPV4_VPN },
        { "70 000641 0001c0000201 0001 0a0000", BGP_FAM_IPV4_VPN },
        { "98 000641 0002fde8e8000001 20010db8", BGP_FAM_IPV6_VPN },
        { "30 000641 0a0000 18 800000 0a0100", BGP_FAM_IPV4_LABELED },
    };
    uint8_t in[64], copy[64], out[128];

    (void)state;
    for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
        size_t n = test_unhex(seeds[s].hex, in, sizeof(in));

        for (size_t bit = 0; bit <= n * 8; bit++) {
            for (size_t len = 0; len <= n; len++) {
                struct arena a;
                struct nlri *v;
                size_t c;
                uint8_t *buf;

                if (bit < n * 8 && len != n)
                    continue; /* flips on the whole field, truncations unflipped */
                memcpy(copy, in, n);
                if (bit < n * 8)
                    copy[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
                arena_init(&a, 0);
                /* An exact-size heap copy, so ASan sees any read past the end. */
                buf = malloc(len ? len : 1);
                assert_non_null(buf);
                memcpy(buf, copy, len);
                if (nlri_decode_field(buf, len, seeds[s].fam, false, &a, &v, &c)) {
                    struct wire_wr w;

                    wire_wr_init_fixed(&w, out, sizeof(out));
                    for (size_t i = 0; i < c; i++) {
                        char text[256];
                        nlri_format(&v[i], text, sizeof(text));
                        nlri_encode(&v[i], false, &w);
                    }
                    assert_true(wire_wr_ok(&w));
                    assert_int_equal(w.len, len);
                }
                arena_free(&a);
                free(buf);
            }
        }
    }
}

/* An announcement without a label (`announce vpnv4 P next-hop X rd RD`): ExaBGP 4.2's label
 * value 0x80000, with the bottom-of-stack bit so that BIRD, OpenBGPD and ExaBGP find where the
 * stack ends (RFC 3032 2.1); read back, the route has that one label and its RD. */
static void
test_vpn4_no_label(void **state)
{
    static const uint8_t want[] = { 0x70, 0x80, 0x00, 0x01, 0x00, 0x00, 0xfd, 0xe9,
                                    0x00, 0x00, 0x00, 0x64, 0x0a, 0x00, 0x00 };
    uint8_t addr[4] = { 10, 0, 0, 0 }, out[64];
    Bgpbus__V1__Prefix pf = BGPBUS__V1__PREFIX__INIT;
    Bgpbus__V1__RouteDistinguisher rd = BGPBUS__V1__ROUTE_DISTINGUISHER__INIT;
    struct nlri n, *back;
    struct wire_wr w;
    struct arena a;
    size_t count;

    (void)state;
    arena_init(&a, 0);
    pf.has_address = pf.has_length = true;
    pf.address.data = addr;
    pf.address.len = 4;
    pf.length = 24;
    rd.admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2;
    rd.asn2 = 65001;
    rd.has_assigned = true;
    rd.assigned = 100;
    memset(&n, 0, sizeof(n));
    assert_null(nlri_vpn_from_proto(&pf, NULL, &rd, true, &a, &n));
    wire_wr_init_fixed(&w, out, sizeof(out));
    nlri_encode(&n, false, &w);
    assert_int_equal(w.len, sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_true(nlri_decode_field(out, w.len, BGP_FAM_IPV4_VPN, false, &a, &back, &count));
    assert_int_equal(count, 1);
    assert_int_equal(back[0].len, 24);
    assert_int_equal(nlri_compare(&n, &back[0]), 0);
    arena_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vpn4_roundtrip),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_vpn4_no_label),
        cmocka_unit_test(test_labeled_stack_addpath),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_withdrawal_one_label_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
