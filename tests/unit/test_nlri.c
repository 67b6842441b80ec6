/* The NLRI family table and IPv4/IPv6 prefixes with ADD-PATH (RFC 4271 4.3, RFC 4760,
 * RFC 7911). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "codec_test_util.h"
#include "nlri.h"

static void
test_family_table(void **state)
{
    (void)state;
    assert_int_equal(bgp_family_from(1, 1), BGP_FAM_IPV4_UNICAST);
    assert_int_equal(bgp_family_from(2, 133), BGP_FAM_IPV6_FLOW);
    assert_int_equal(bgp_family_from(25, 70), BGP_FAM_L2VPN_EVPN);
    assert_int_equal(bgp_family_from(3, 1), BGP_FAM_NONE);
    assert_string_equal(bgp_family_name(BGP_FAM_IPV6_UNICAST), "ipv6 unicast");
    assert_int_equal(bgp_family_parse("ipv4/flow"), BGP_FAM_IPV4_FLOW);
    assert_int_equal(bgp_family_parse("ipv6 mpls-vpn"), BGP_FAM_IPV6_VPN);
    assert_int_equal(bgp_family_parse("ipv5 unicast"), BGP_FAM_NONE);
    assert_true(BGP_FAM_COUNT <= 32); /* bgp_famset is 32 bits */
}

static void
test_ipv4_field_roundtrip(void **state)
{
    uint8_t in[64], out[64];
    /* 10.0.0.0/8, 192.0.2.0/24, 0.0.0.0/0, 198.51.100.7/32 */
    size_t n = test_unhex("080a 18c00002 00 20c6336407", in, sizeof(in)), count;
    struct nlri *v;
    struct arena a;
    struct wire_wr w;
    char text[64];

    (void)state;
    arena_init(&a, 0);
    assert_true(nlri_decode_field(in, n, BGP_FAM_IPV4_UNICAST, false, &a, &v, &count));
    assert_int_equal(count, 4);
    assert_int_equal(v[0].len, 8);
    assert_int_equal(v[0].addr[0], 10);
    assert_int_equal(v[2].len, 0);
    nlri_format(&v[1], text, sizeof(text));
    assert_string_equal(text, "192.0.2.0/24");
    nlri_format(&v[3], text, sizeof(text));
    assert_string_equal(text, "198.51.100.7/32");
    wire_wr_init_fixed(&w, out, sizeof(out));
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(nlri_encoded_len(&v[i], false), (v[i].len + 7u) / 8 + 1);
        nlri_encode(&v[i], false, &w);
    }
    assert_int_equal(w.len, n);
    assert_memory_equal(out, in, n);
    arena_free(&a);
}

static void
test_ipv6_addpath_roundtrip(void **state)
{
    uint8_t in[64], out[64];
    /* path 1: 2001:db8::/32, path 2: 2001:db8::/32, path 7: ::/0 */
    size_t n = test_unhex("00000001 20 20010db8  00000002 20 20010db8  00000007 00", in,
                          sizeof(in)),
           count;
    struct nlri *v;
    struct arena a;
    struct wire_wr w;
    char text[64];

    (void)state;
    arena_init(&a, 0);
    assert_true(nlri_decode_field(in, n, BGP_FAM_IPV6_UNICAST, true, &a, &v, &count));
    assert_int_equal(count, 3);
    assert_true(v[0].has_path_id);
    assert_int_equal(v[0].path_id, 1);
    assert_int_equal(v[1].path_id, 2);
    assert_int_equal(v[2].path_id, 7);
    nlri_format(&v[0], text, sizeof(text));
    assert_string_equal(text, "2001:db8::/32");
    /* Same prefix, other path: different routes. */
    assert_true(nlri_compare(&v[0], &v[1]) < 0);
    assert_int_not_equal(nlri_hash(&v[0]), nlri_hash(&v[1]));
    wire_wr_init_fixed(&w, out, sizeof(out));
    for (size_t i = 0; i < count; i++)
        nlri_encode(&v[i], true, &w);
    assert_int_equal(w.len, n);
    assert_memory_equal(out, in, n);
    /* Without ADD-PATH the same bytes mean something else entirely. */
    if (nlri_decode_field(in, n, BGP_FAM_IPV6_UNICAST, false, &a, &v, &count))
        assert_int_not_equal(count, 3);
    arena_free(&a);
}

static void
test_malformed_prefixes(void **state)
{
    uint8_t in[32];
    struct nlri *v;
    struct arena a;
    size_t count, n;

    (void)state;
    arena_init(&a, 0);
    /* RFC 7606 5.3: longer than the address, or running past the field. */
    n = test_unhex("21 0a000000 00", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV4_UNICAST, false, &a, &v, &count));
    n = test_unhex("18 0a00", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV4_UNICAST, false, &a, &v, &count));
    n = test_unhex("81 20010db8", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV6_UNICAST, false, &a, &v, &count));
    /* The RIS sample: 11.13.0.0/13 with host bits set, then a dangling length octet. */
    n = test_unhex("0d 0b0d 0b", in, sizeof(in));
    assert_false(nlri_decode_field(in, n, BGP_FAM_IPV4_UNICAST, false, &a, &v, &count));
    /* Host bits are cleared, so equal prefixes compare equal. */
    assert_true(nlri_decode_field(in, 3, BGP_FAM_IPV4_UNICAST, false, &a, &v, &count));
    assert_int_equal(count, 1);
    assert_int_equal(v[0].addr[1], 0x08);
    {
        struct nlri p;

        assert_true(nlri_prefix_from_string(BGP_FAM_IPV4_UNICAST, "11.8.0.0/13", &p));
        assert_int_equal(nlri_compare(&p, &v[0]), 0);
        assert_int_equal(nlri_hash(&p), nlri_hash(&v[0]));
        assert_false(nlri_prefix_from_string(BGP_FAM_IPV4_UNICAST, "11.8.0.0/33", &p));
        assert_false(nlri_prefix_from_string(BGP_FAM_IPV4_UNICAST, "2001:db8::/32", &p));
        assert_true(nlri_prefix_from_string(BGP_FAM_IPV6_UNICAST, "2001:db8::1/32", &p));
        assert_int_equal(p.addr[15], 0);
    }
    arena_free(&a);
}

/* Every family of the table has a codec (EVPN and VPLS were the last): a field that is not
 * the family's layout is malformed (RFC 7606 5.3), not passed along as bytes. */
static void
test_every_family_parsed(void **state)
{
    uint8_t in[32];
    size_t n = test_unhex("70 000001 0000fde800000064 0a0000", in, sizeof(in)), count;
    struct nlri *v;
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    for (int f = 0; f < BGP_FAM_COUNT; f++)
        assert_non_null(bgp_family_table[f].ops);
    assert_false(nlri_decode_field(in, n, BGP_FAM_L2VPN_VPLS, false, &a, &v, &count));
    assert_false(nlri_decode_field(in, n, BGP_FAM_L2VPN_EVPN, false, &a, &v, &count));
    arena_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_family_table),           cmocka_unit_test(test_ipv4_field_roundtrip),
        cmocka_unit_test(test_ipv6_addpath_roundtrip), cmocka_unit_test(test_malformed_prefixes),
        cmocka_unit_test(test_every_family_parsed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
