/* Wire buffers, message framing (RFC 4271 4.1/6.1), KEEPALIVE, NOTIFICATION, ROUTE-REFRESH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "msg.h"
#include "wire.h"

static void
test_wire_reader_bounds(void **state)
{
    const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
    struct wire_rd r, sub;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;

    (void)state;
    wire_rd_init(&r, buf, sizeof(buf));
    assert_true(wire_get_u16(&r, &u16));
    assert_int_equal(u16, 0x0102);
    assert_true(wire_get_u32(&r, &u32));
    assert_int_equal(u32, 0x03040506);
    assert_false(wire_get_u16(&r, &u16)); /* one byte left */
    assert_int_equal(wire_rd_left(&r), 1);
    assert_false(wire_get_sub(&r, 2, &sub));
    assert_true(wire_get_u8(&r, &u8));
    assert_int_equal(u8, 7);
    assert_false(wire_get_u8(&r, &u8));
    assert_false(wire_skip(&r, 1));
}

static void
test_wire_writer_fixed_overflow(void **state)
{
    uint8_t buf[5];
    struct wire_wr w;

    (void)state;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    wire_put_u32(&w, 0xdeadbeef);
    assert_true(wire_wr_ok(&w));
    wire_put_u16(&w, 1); /* does not fit: nothing written, sticky flag */
    assert_false(wire_wr_ok(&w));
    assert_int_equal(w.len, 4);
    wire_put_u8(&w, 1);
    assert_int_equal(w.len, 4);
    assert_memory_equal(buf, "\xde\xad\xbe\xef", 4);
}

static void
test_wire_writer_grows(void **state)
{
    struct wire_wr w;

    (void)state;
    wire_wr_init_dyn(&w, 0);
    for (int i = 0; i < 10000; i++)
        wire_put_u16(&w, (uint16_t)i);
    assert_true(wire_wr_ok(&w));
    assert_int_equal(w.len, 20000);
    assert_int_equal(wire_load_u16(w.buf + 2 * 9999), 9999);
    wire_patch_u16(&w, 0, 0xabcd);
    assert_int_equal(wire_load_u16(w.buf), 0xabcd);
    wire_wr_free(&w);
}

static void
test_arena(void **state)
{
    struct arena a;
    uint8_t *p, *big;

    (void)state;
    arena_init(&a, 64);
    p = arena_alloc(&a, 10);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    big = arena_alloc(&a, 1000); /* larger than a chunk */
    assert_non_null(big);
    memset(big, 1, 1000);
    assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
    assert_string_equal(arena_strndup(&a, "hello", 4), "hell");
    arena_reset(&a);
    assert_non_null(arena_alloc(&a, 8));
    arena_free(&a);
}

static void
test_header_keepalive_roundtrip(void **state)
{
    uint8_t buf[64];
    struct wire_wr w;
    struct bgp_header h;
    struct bgp_error err;

    (void)state;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_keepalive_encode(&w);
    assert_int_equal(w.len, 19);
    for (int i = 0; i < 16; i++)
        assert_int_equal(buf[i], 0xff);
    assert_int_equal(buf[16], 0);
    assert_int_equal(buf[17], 19);
    assert_int_equal(buf[18], BGP_MSG_KEEPALIVE);
    assert_int_equal(bgp_header_parse(buf, w.len, BGP_MSG_MAX, &h, &err), 19);
    assert_int_equal(h.type, BGP_MSG_KEEPALIVE);
    /* Incomplete input asks for more. */
    assert_int_equal(bgp_header_parse(buf, 18, BGP_MSG_MAX, &h, &err), 0);
}

static void
make_header(uint8_t *buf, uint16_t len, uint8_t type)
{
    memset(buf, 0xff, 16);
    wire_store_u16(buf + 16, len);
    buf[18] = type;
}

static void
test_header_errors(void **state)
{
    uint8_t buf[BGP_MSG_EXT_MAX];
    struct bgp_header h;
    struct bgp_error err;

    (void)state;
    memset(buf, 0, sizeof(buf));
    make_header(buf, 19, BGP_MSG_KEEPALIVE);
    buf[3] = 0xfe;
    assert_int_equal(bgp_header_parse(buf, 19, BGP_MSG_MAX, &h, &err), -1);
    assert_int_equal(err.code, BGP_ERR_HEADER);
    assert_int_equal(err.subcode, BGP_ERR_HEADER_NOT_SYNC);

    /* RFC 4271 6.1: Bad Message Length with the length field as data. */
    make_header(buf, 18, BGP_MSG_UPDATE);
    assert_int_equal(bgp_header_parse(buf, 19, BGP_MSG_MAX, &h, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_HEADER_BAD_LENGTH);
    assert_int_equal(err.data_len, 2);
    assert_memory_equal(err.data, "\x00\x12", 2);
    make_header(buf, 4097, BGP_MSG_UPDATE);
    assert_int_equal(bgp_header_parse(buf, 4097, BGP_MSG_MAX, &h, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_HEADER_BAD_LENGTH);
    /* With RFC 8654 extended messages an UPDATE may be larger, but an OPEN may not. */
    assert_int_equal(bgp_header_parse(buf, 4097, BGP_MSG_EXT_MAX, &h, &err), 4097);
    make_header(buf, 4097, BGP_MSG_OPEN);
    assert_int_equal(bgp_header_parse(buf, 4097, BGP_MSG_EXT_MAX, &h, &err), -1);
    /* KEEPALIVE must be exactly 19. */
    make_header(buf, 20, BGP_MSG_KEEPALIVE);
    assert_int_equal(bgp_header_parse(buf, 20, BGP_MSG_MAX, &h, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_HEADER_BAD_LENGTH);
    make_header(buf, 20, BGP_MSG_NOTIFICATION);
    assert_int_equal(bgp_header_parse(buf, 20, BGP_MSG_MAX, &h, &err), -1);
    /* Unknown type: Bad Message Type with the type as data. */
    make_header(buf, 19, 9);
    assert_int_equal(bgp_header_parse(buf, 19, BGP_MSG_MAX, &h, &err), -1);
    assert_int_equal(err.subcode, BGP_ERR_HEADER_BAD_TYPE);
    assert_int_equal(err.data_len, 1);
    assert_int_equal(err.data[0], 9);
}

static void
test_notification_roundtrip(void **state)
{
    uint8_t buf[4096];
    struct wire_wr w;
    struct bgp_notification n;

    (void)state;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_notification_encode(&w, BGP_ERR_UPDATE, BGP_ERR_UPDATE_MALFORMED_AS_PATH, "\x40\x02", 2);
    assert_int_equal(w.len, 23);
    assert_memory_equal(buf + 18, "\x03\x03\x0b\x40\x02", 5);
    assert_int_equal(bgp_notification_decode(buf + 19, w.len - 19, &n), 0);
    assert_int_equal(n.code, 3);
    assert_int_equal(n.subcode, 11);
    assert_int_equal(n.data_len, 2);
    assert_false(n.has_shutdown_msg);
    assert_int_equal(bgp_notification_decode(buf + 19, 1, &n), -1);
    assert_string_equal(bgp_error_name(3, 11), "Malformed AS_PATH");
    assert_string_equal(bgp_error_name(6, 2), "Administrative Shutdown");
}

static void
test_notification_shutdown_communication(void **state)
{
    uint8_t buf[4096];
    char longmsg[400];
    struct wire_wr w;
    struct bgp_notification n;

    (void)state;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_notification_encode_shutdown(&w, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "maintenance");
    /* RFC 9003 2: length octet then UTF-8. */
    assert_memory_equal(buf + 19,
                        "\x06\x02\x0b"
                        "maintenance",
                        14);
    assert_int_equal(bgp_notification_decode(buf + 19, w.len - 19, &n), 0);
    assert_true(n.has_shutdown_msg);
    assert_string_equal(n.shutdown_msg, "maintenance");

    /* Longer than 255 octets: cut at 255, never inside a UTF-8 sequence ("é" is 2 octets). */
    for (size_t i = 0; i + 1 < sizeof(longmsg); i += 2)
        memcpy(longmsg + i, "\xc3\xa9", 2);
    longmsg[sizeof(longmsg) - 1] = '\0';
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_notification_encode_shutdown(&w, BGP_ERR_CEASE_ADMIN_RESET, longmsg);
    assert_int_equal(buf[21], 254);
    assert_int_equal(bgp_notification_decode(buf + 19, w.len - 19, &n), 0);
    assert_true(n.has_shutdown_msg);
    assert_int_equal(strlen(n.shutdown_msg), 254);

    /* A length that overruns the data is not a shutdown communication, and not an error. */
    assert_int_equal(bgp_notification_decode((const uint8_t *)"\x06\x02\x09"
                                                              "ab",
                                             5, &n),
                     0);
    assert_false(n.has_shutdown_msg);
    assert_int_equal(n.data_len, 3);
}

static void
test_route_refresh(void **state)
{
    uint8_t buf[64];
    struct wire_wr w;
    struct bgp_route_refresh rr;
    struct bgp_error err;

    (void)state;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_refresh_encode(&w, 2, 1, BGP_REFRESH_BORR);
    assert_int_equal(w.len, 23);
    assert_memory_equal(buf + 16, "\x00\x17\x05\x00\x02\x01\x01", 7);
    assert_int_equal(bgp_refresh_decode(buf, w.len, &rr, &err), 0);
    assert_int_equal(rr.afi, 2);
    assert_int_equal(rr.safi, 1);
    assert_int_equal(rr.subtype, BGP_REFRESH_BORR);
    /* RFC 7313 5: wrong length is error 7/1 with the whole message. */
    buf[17] = 24;
    buf[23] = 0;
    assert_int_equal(bgp_refresh_decode(buf, 24, &rr, &err), -1);
    assert_int_equal(err.code, BGP_ERR_ROUTE_REFRESH);
    assert_int_equal(err.subcode, BGP_ERR_ROUTE_REFRESH_BAD_LENGTH);
    assert_int_equal(err.data_len, 24);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_reader_bounds),
        cmocka_unit_test(test_wire_writer_fixed_overflow),
        cmocka_unit_test(test_wire_writer_grows),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_header_keepalive_roundtrip),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_notification_roundtrip),
        cmocka_unit_test(test_notification_shutdown_communication),
        cmocka_unit_test(test_route_refresh),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
