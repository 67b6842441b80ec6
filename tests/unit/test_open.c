/* OPEN encode/decode (RFC 4271 4.2, RFC 9072), capabilities, validation (6.2), negotiation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cap.h"

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (hex[0] && hex[1] && n < cap) {
        unsigned v;

        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

/* An OPEN ExaBGP main sent (compat SPEC 3.3), one capability per optional parameter. */
static void
test_open_decode_exabgp(void **state)
{
    uint8_t msg[256];
    size_t len = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00510104FFFD00B40A000002340206010400010001"
                       "020641040000FFFD02224B201F4578614247502F6D61696E2D6332613265613865626"
                       "42D3230323430373135",
                       msg, sizeof(msg));
    struct bgp_open o;
    struct bgp_error err;

    (void)state;
    assert_int_equal(len, 0x51);
    assert_int_equal(bgp_open_decode(msg, len, &o, &err), 0);
    assert_int_equal(o.version, 4);
    assert_int_equal(o.my_as, 65533);
    assert_int_equal(o.hold_time, 180);
    assert_int_equal(o.bgp_id, 0x0a000002);
    assert_true(o.caps.has_mp);
    assert_int_equal(o.caps.mp, BGP_FAMSET(BGP_FAM_IPV4_UNICAST));
    assert_true(o.caps.has_asn4);
    assert_int_equal(o.caps.asn4, 65533);
    assert_true(o.caps.has_software);
    assert_string_equal(o.caps.software, "ExaBGP/main-c2a2ea8ebd-20240715");
    assert_int_equal(bgp_open_peer_as(&o), 65533);
    assert_int_equal(o.caps.raw_count, 0);
}

static void
fill_caps(struct bgp_caps *c)
{
    memset(c, 0, sizeof(*c));
    c->has_mp = true;
    c->mp = BGP_FAMSET(BGP_FAM_IPV4_UNICAST) | BGP_FAMSET(BGP_FAM_IPV6_UNICAST) |
            BGP_FAMSET(BGP_FAM_IPV4_FLOW);
    c->route_refresh = true;
    c->enhanced_rr = true;
    c->ext_message = true;
    c->has_asn4 = true;
    c->asn4 = 4200000001u;
    c->addpath_send = BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
    c->addpath_recv = BGP_FAMSET(BGP_FAM_IPV4_UNICAST) | BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    c->ext_nexthop_v6 = BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
    c->has_gr = true;
    c->gr_flags = BGP_GR_FLAG_RESTART;
    c->gr_time = 120;
    c->gr_fams = BGP_FAMSET(BGP_FAM_IPV4_UNICAST) | BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    c->gr_forwarding = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    c->has_fqdn = true;
    strcpy(c->hostname, "router1");
    strcpy(c->domainname, "example.net");
    c->has_software = true;
    strcpy(c->software, "bgpbus/0.1");
    c->operational = true;
    c->multisession = true;
    c->raw_count = 1;
    c->raw[0].code = 200;
    c->raw[0].len = 3;
    memcpy(c->raw[0].data, "\x01\x02\x03", 3);
}

static void
test_open_roundtrip_all_caps(void **state)
{
    uint8_t buf[4096];
    struct wire_wr w;
    struct bgp_open o, d;
    struct bgp_error err;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.hold_time = 90;
    o.bgp_id = 0x01020304;
    fill_caps(&o.caps);
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_true(bgp_open_encode(&w, &o));
    /* RFC 6793 9: a 4-octet AS goes in My AS as AS_TRANS. */
    assert_int_equal(wire_load_u16(buf + 20), BGP_AS_TRANS);
    assert_int_equal(bgp_open_decode(buf, w.len, &d, &err), 0);
    assert_int_equal(d.my_as, BGP_AS_TRANS);
    assert_int_equal(bgp_open_peer_as(&d), 4200000001u);
    assert_int_equal(d.hold_time, 90);
    assert_int_equal(d.caps.mp, o.caps.mp);
    assert_true(d.caps.route_refresh && d.caps.enhanced_rr && d.caps.ext_message);
    assert_int_equal(d.caps.addpath_send, o.caps.addpath_send);
    assert_int_equal(d.caps.addpath_recv, o.caps.addpath_recv);
    assert_int_equal(d.caps.ext_nexthop_v6, o.caps.ext_nexthop_v6);
    assert_true(d.caps.has_gr);
    assert_int_equal(d.caps.gr_flags, BGP_GR_FLAG_RESTART);
    assert_int_equal(d.caps.gr_time, 120);
    assert_int_equal(d.caps.gr_fams, o.caps.gr_fams);
    assert_int_equal(d.caps.gr_forwarding, o.caps.gr_forwarding);
    assert_string_equal(d.caps.hostname, "router1");
    assert_string_equal(d.caps.domainname, "example.net");
    assert_string_equal(d.caps.software, "bgpbus/0.1");
    assert_true(d.caps.operational);
    assert_true(d.caps.multisession);
    /* The unknown capability is kept (and the multi-session one raw, for re-encoding). */
    assert_int_equal(d.caps.raw_count, 2);
    assert_int_equal(d.caps.raw[0].code, 200);
    assert_memory_equal(d.caps.raw[0].data, "\x01\x02\x03", 3);
    assert_int_equal(d.caps.raw[1].code, BGP_CAP_MULTISESSION);
}

static void
test_open_byte_exact_minimal(void **state)
{
    uint8_t buf[128], want[128];
    size_t wl = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002D0104FDE900B4C0000201"
                      "1002" /* opt len 16, capabilities */
                      "0E"
                      "010400010001"
                      "0200"
                      "41040000FDE9",
                      want, sizeof(want));
    struct wire_wr w;
    struct bgp_open o;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.hold_time = 180;
    o.bgp_id = 0xc0000201;
    o.caps.has_mp = true;
    o.caps.mp = BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
    o.caps.route_refresh = true;
    o.caps.has_asn4 = true;
    o.caps.asn4 = 65001;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_true(bgp_open_encode(&w, &o));
    assert_int_equal(w.len, wl);
    assert_memory_equal(buf, want, wl);
}

/* RFC 9072: capabilities longer than 255 octets use the extended parameter encoding. */
static void
test_open_extended_params(void **state)
{
    uint8_t buf[4096];
    struct wire_wr w;
    struct bgp_open o, d;
    struct bgp_error err;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.hold_time = 180;
    o.bgp_id = 1;
    o.caps.raw_count = 3;
    for (int i = 0; i < 3; i++) {
        o.caps.raw[i].code = (uint8_t)(230 + i);
        o.caps.raw[i].len = 200;
        memset(o.caps.raw[i].data, i + 1, 200);
    }
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    assert_true(bgp_open_encode(&w, &o));
    assert_int_equal(buf[28], 255);
    assert_int_equal(buf[29], 255);
    assert_int_equal(bgp_open_decode(buf, w.len, &d, &err), 0);
    assert_int_equal(d.caps.raw_count, 3);
    assert_int_equal(d.caps.raw[2].code, 232);
    assert_int_equal(d.caps.raw[2].data[199], 3);
}

static size_t
build_open(uint8_t *buf, uint8_t version, const char *params_hex)
{
    uint8_t params[512];
    size_t pl = unhex(params_hex, params, sizeof(params));
    size_t len = 29 + pl;

    memset(buf, 0xff, 16);
    wire_store_u16(buf + 16, (uint16_t)len);
    buf[18] = BGP_MSG_OPEN;
    buf[19] = version;
    wire_store_u16(buf + 20, 65001);
    wire_store_u16(buf + 22, 180);
    wire_store_u32(buf + 24, 0x0a000001);
    buf[28] = (uint8_t)pl;
    memcpy(buf + 29, params, pl);
    return len;
}

static void
test_open_decode_errors(void **state)
{
    uint8_t buf[600];
    struct bgp_open o;
    struct bgp_error err;
    size_t len;

    (void)state;
    /* RFC 4271 6.2: Unsupported Version Number, data = our version (2 octets). */
    len = build_open(buf, 3, "");
    assert_int_equal(bgp_open_decode(buf, len, &o, &err), -1);
    assert_int_equal(err.code, BGP_ERR_OPEN);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_UNSUP_VERSION);
    assert_int_equal(err.data_len, 2);
    assert_memory_equal(err.data, "\x00\x04", 2);
    /* Unsupported Optional Parameter (type 1, authentication). */
    len = build_open(buf, 4, "0102AAAA");
    assert_int_equal(bgp_open_decode(buf, len, &o, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_UNSUP_OPT_PARAM);
    /* Parameter length overruns the optional parameters. */
    len = build_open(buf, 4, "0205010400010001");
    buf[28] = 7;
    assert_int_equal(bgp_open_decode(buf, len - 1, &o, &err), -1);
    /* Malformed MP capability (length 3). */
    len = build_open(buf, 4, "020501030001FF");
    assert_int_equal(bgp_open_decode(buf, len, &o, &err), -1);
    assert_int_equal(err.code, BGP_ERR_OPEN);
    assert_int_equal(err.subcode, 0);
    /* Unknown AFI/SAFI in MP: kept raw, not an error. */
    len = build_open(buf, 4,
                     "02060104400400"
                     "47");
    assert_int_equal(bgp_open_decode(buf, len, &o, &err), 0);
    assert_true(o.caps.has_mp);
    assert_int_equal(o.caps.mp, 0);
    assert_int_equal(o.caps.raw_count, 1);
    assert_int_equal(o.caps.raw[0].code, BGP_CAP_MP);
}

static void
base_open(struct bgp_open *o)
{
    memset(o, 0, sizeof(*o));
    o->version = 4;
    o->my_as = 65001;
    o->hold_time = 180;
    o->bgp_id = 0x0a000001;
}

static void
test_open_validate(void **state)
{
    struct bgp_open o;
    struct bgp_open_policy p = { .peer_as = 65001, .local_as = 65000, .local_id = 0x0a000009 };
    struct bgp_error err;

    (void)state;
    base_open(&o);
    assert_int_equal(bgp_open_validate(&o, &p, &err), 0);

    o.my_as = 65002;
    assert_int_equal(bgp_open_validate(&o, &p, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_BAD_PEER_AS);
    /* The AS4 capability is the peer's AS (RFC 6793 4.1). */
    o.my_as = BGP_AS_TRANS;
    o.caps.has_asn4 = true;
    o.caps.asn4 = 65001;
    assert_int_equal(bgp_open_validate(&o, &p, &err), -1); /* My AS must be the 2-octet AS */
    o.my_as = 65001;
    assert_int_equal(bgp_open_validate(&o, &p, &err), 0);
    p.peer_as = 0;
    o.caps.asn4 = 0; /* RFC 7607 */
    o.my_as = 0;
    assert_int_equal(bgp_open_validate(&o, &p, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_BAD_PEER_AS);

    base_open(&o);
    o.bgp_id = 0;
    assert_int_equal(bgp_open_validate(&o, &p, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_BAD_BGP_ID);
    /* Same identifier as ours: refused on iBGP only (RFC 6286 2.2). */
    o.bgp_id = p.local_id;
    assert_int_equal(bgp_open_validate(&o, &p, &err), 0);
    p.local_as = 65001;
    assert_int_equal(bgp_open_validate(&o, &p, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_BAD_BGP_ID);
    p.local_as = 65000;

    base_open(&o);
    for (uint16_t h = 1; h <= 2; h++) {
        o.hold_time = h;
        assert_int_equal(bgp_open_validate(&o, &p, &err), -1);
        assert_int_equal(err.subcode, BGP_ERR_OPEN_BAD_HOLD_TIME);
    }
    o.hold_time = 0;
    assert_int_equal(bgp_open_validate(&o, &p, &err), 0);
    o.hold_time = 3;
    assert_int_equal(bgp_open_validate(&o, &p, &err), 0);

    /* RFC 5492 3: Unsupported Capability lists what we needed. */
    base_open(&o);
    p.required_mp = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    p.require_asn4 = true;
    assert_int_equal(bgp_open_validate(&o, &p, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_OPEN_UNSUP_CAPABILITY);
    assert_int_equal(err.data_len, 12);
    assert_memory_equal(err.data, "\x01\x04\x00\x02\x00\x01\x41\x04\x00\x00\xfd\xe8", 12);
    /* No MP capability at all means IPv4 unicast (RFC 4760). */
    p.required_mp = BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
    p.require_asn4 = false;
    assert_int_equal(bgp_open_validate(&o, &p, &err), 0);
}

static void
test_negotiate(void **state)
{
    struct bgp_open ours, theirs;
    struct bgp_negotiated n;

    (void)state;
    base_open(&ours);
    base_open(&theirs);
    /* Neither side sent capabilities: IPv4 unicast, 2-octet AS, 4096 octets. */
    bgp_caps_negotiate(&ours, &theirs, &n);
    assert_int_equal(n.families, BGP_FAMSET(BGP_FAM_IPV4_UNICAST));
    assert_false(n.asn4);
    assert_int_equal(n.max_msg_len, 4096);
    assert_int_equal(n.hold_time, 180);
    assert_false(n.route_refresh);

    fill_caps(&ours.caps);
    fill_caps(&theirs.caps);
    ours.hold_time = 90;
    theirs.caps.mp = BGP_FAMSET(BGP_FAM_IPV4_UNICAST) | BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    theirs.caps.addpath_send = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    theirs.caps.addpath_recv = 0;
    theirs.caps.ext_message = false;
    theirs.caps.enhanced_rr = false;
    theirs.caps.gr_flags = 0;
    theirs.caps.gr_time = 200;
    theirs.caps.gr_fams = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    theirs.caps.gr_forwarding = BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    bgp_caps_negotiate(&ours, &theirs, &n);
    assert_int_equal(n.families,
                     BGP_FAMSET(BGP_FAM_IPV4_UNICAST) | BGP_FAMSET(BGP_FAM_IPV6_UNICAST));
    assert_true(n.asn4);
    assert_int_equal(n.peer_as, 4200000001u);
    assert_int_equal(n.hold_time, 90);
    /* RFC 7911 4: we send on v4 only if the peer receives there: it does not. */
    assert_int_equal(n.addpath_send, 0);
    assert_int_equal(n.addpath_recv, BGP_FAMSET(BGP_FAM_IPV6_UNICAST));
    assert_false(n.ext_message);
    assert_int_equal(n.max_msg_len, 4096);
    assert_true(n.route_refresh);
    assert_false(n.enhanced_rr);
    assert_int_equal(n.ext_nexthop_send, BGP_FAMSET(BGP_FAM_IPV4_UNICAST));
    assert_true(n.gr);
    assert_false(n.gr_peer_restarting);
    assert_int_equal(n.gr_peer_time, 200);
    assert_int_equal(n.gr_families, BGP_FAMSET(BGP_FAM_IPV6_UNICAST));
    assert_int_equal(n.gr_peer_forwarding, BGP_FAMSET(BGP_FAM_IPV6_UNICAST));
    assert_true(n.operational);

    theirs.caps.ext_message = true;
    theirs.caps.enhanced_rr = true;
    theirs.hold_time = 0;
    bgp_caps_negotiate(&ours, &theirs, &n);
    assert_true(n.ext_message);
    assert_int_equal(n.max_msg_len, 65535);
    assert_true(n.enhanced_rr);
    assert_int_equal(n.hold_time, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_decode_exabgp),
        cmocka_unit_test(test_open_roundtrip_all_caps),
        cmocka_unit_test(test_open_byte_exact_minimal),
        cmocka_unit_test(test_open_extended_params),
        cmocka_unit_test(test_open_decode_errors),
        cmocka_unit_test(test_open_validate),
        cmocka_unit_test(test_negotiate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
