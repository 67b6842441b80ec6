/*
 * Fuzz-style robustness test of every decoder: valid seed messages are truncated at every
 * length and mutated (bit flips, byte overwrites, length-field damage) with a deterministic
 * PRNG, and fed to the decoders in exactly sized heap buffers so that ASan catches any read
 * past the end. Decoded UPDATEs are re-encoded and decoded again: what we produce from
 * anything we accepted must itself be acceptable.
 *
 *   fuzz_codec [iterations-per-seed] [seed]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "mrt.h"
#include "update.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng(void)
{
    /* xorshift64*: deterministic, so a failure reproduces from the seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (*hex != '\0' && n < cap) {
        unsigned v;

        if (*hex == ' ') {
            hex++;
            continue;
        }
        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

static unsigned long failures;
static unsigned long decoded_ok, decoded_err, reencoded;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void
ctx_variant(struct bgp_session_codec *ctx, unsigned v)
{
    bgp_session_codec_init(ctx);
    ctx->asn4 = (v & 1) == 0;
    ctx->ibgp = (v & 2) != 0;
    ctx->addpath_recv = (v & 4) ? ~(bgp_famset)0 : 0;
    ctx->ext_nexthop_recv = (v & 8) ? ~(bgp_famset)0 : 0;
    ctx->check_first_as = (v & 16) != 0;
    ctx->peer_as = 65001;
    ctx->local_as = ctx->ibgp ? 65001 : 65000;
    ctx->mrt_rib = (v & 32) != 0;
    ctx->mrt_family = (v & 64) ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
}

/* What we encode from an accepted UPDATE decodes again without a session reset. */
static void
reencode(const struct update_decoded *u, const struct bgp_session_codec *rx)
{
    struct bgp_session_codec tx = *rx;
    struct wire_wr w;
    const char *why = NULL;
    struct arena a;
    struct update_decoded u2;
    struct bgp_error err;

    tx.mrt_rib = false;
    tx.keep_unknown_flags = false;
    wire_wr_init_dyn(&w, 512);
    (void)bgp_msg_begin(&w, BGP_MSG_UPDATE);
    wire_put_u16(&w, 0);
    wire_put_u16(&w, 0);
    if (attrs_encode(u->attrs, &tx, NULL, false, &w, &why) == 0 && w.len <= BGP_MSG_EXT_MAX) {
        uint8_t *copy = malloc(w.len);

        wire_patch_u16(&w, 21, (uint16_t)(w.len - 23));
        wire_patch_u16(&w, 16, (uint16_t)w.len);
        memcpy(copy, w.buf, w.len);
        arena_init(&a, 4096);
        tx.check_first_as = false;
        CHECK(update_decode(copy, w.len, &tx, &a, &u2, &err) == 0,
              "re-encoded attributes were refused: %s", err.reason);
        reencoded++;
        arena_free(&a);
        free(copy);
    }
    wire_wr_free(&w);
}

static void
feed_update(const uint8_t *msg, size_t len)
{
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct bgp_error err;
    struct arena a;

    arena_init(&a, 4096);
    for (unsigned v = 0; v < 128; v += 1 + rng() % 23) {
        ctx_variant(&ctx, v);
        arena_reset(&a);
        if (update_decode(msg, len, &ctx, &a, &u, &err) == 0) {
            decoded_ok++;
            CHECK(u.attrs != NULL, "decoded UPDATE without attributes");
            if (!u.treat_as_withdraw && (rng() % 4) == 0)
                reencode(&u, &ctx);
        } else {
            decoded_err++;
            CHECK(err.code == BGP_ERR_UPDATE || err.code == BGP_ERR_CEASE, "UPDATE error code %u",
                  err.code);
        }
        /* The attribute field alone, as MRT RIB entries carry it. */
        if (len > 23) {
            struct update_decoded u3;

            memset(&u3, 0, sizeof(u3));
            arena_reset(&a);
            (void)attrs_decode(msg + 23, len - 23, &ctx, &a, &u3, &err);
        }
    }
    arena_free(&a);
}

static void
feed_all(const uint8_t *msg, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    struct bgp_header h;
    struct bgp_error err;
    struct bgp_open o;
    struct bgp_notification n;
    struct bgp_route_refresh rr;
    struct arena a;
    struct nlri *v;
    size_t count;

    if (copy == NULL)
        abort();
    memcpy(copy, msg, len);
    (void)bgp_header_parse(copy, len, BGP_MSG_EXT_MAX, &h, &err);
    (void)bgp_open_decode(copy, len, &o, &err);
    if (len >= BGP_HEADER_LEN)
        (void)bgp_notification_decode(copy + BGP_HEADER_LEN, len - BGP_HEADER_LEN, &n);
    (void)bgp_refresh_decode(copy, len, &rr, &err);
    feed_update(copy, len);
    arena_init(&a, 4096);
    for (int f = 0; f < BGP_FAM_COUNT; f++) {
        arena_reset(&a);
        (void)nlri_decode_field(copy, len, f, (rng() & 1) != 0, &a, &v, &count);
    }
    arena_free(&a);
    /* The same bytes as MRT record bodies of every kind. */
    for (uint16_t st = 0; st <= 12; st++) {
        struct mrt_record rec = {
            .type = MRT_TABLE_DUMP_V2, .subtype = st, .body = copy, .len = len
        };
        struct mrt_rib rib;
        struct mrt_rib_entry e;
        struct mrt_bgp4mp m;
        struct mrt_peer_index pi;
        struct mrt_table_dump td;
        size_t pos = 0;

        if (mrt_rib_parse(&rec, &rib) == 0)
            while (mrt_rib_next_entry(&rib, &pos, &e) == 1)
                ;
        if (mrt_peer_index_parse(&rec, &pi) == 0)
            free(pi.peers);
        rec.type = MRT_BGP4MP;
        (void)mrt_bgp4mp_parse(&rec, &m);
        rec.type = MRT_TABLE_DUMP;
        (void)mrt_table_dump_parse(&rec, &td);
    }
    free(copy);
}

static void
mutate_and_feed(const uint8_t *seed, size_t len, unsigned iterations)
{
    uint8_t buf[8192];

    /* Every truncation. */
    for (size_t l = 0; l <= len; l++)
        feed_all(seed, l);
    for (unsigned it = 0; it < iterations; it++) {
        size_t l = len;
        unsigned flips = 1 + rng() % 8;

        memcpy(buf, seed, len);
        for (unsigned k = 0; k < flips; k++) {
            size_t pos = rng() % len;

            switch (rng() % 4) {
            case 0: buf[pos] ^= (uint8_t)(1u << (rng() % 8)); break;
            case 1: buf[pos] = (uint8_t)rng(); break;
            case 2: buf[pos] = (rng() & 1) ? 0xff : 0x00; break;
            default:
                /* Damage a length: the header's, or any octet, by a small amount. */
                if (pos + 1 < len)
                    buf[pos + 1] = (uint8_t)(buf[pos + 1] + (int)(rng() % 9) - 4);
                break;
            }
        }
        /* Keep the header's length consistent half the time, to get past the framing. */
        if (rng() & 1)
            l = rng() % (len + 1);
        if ((rng() & 1) && l >= BGP_HEADER_LEN)
            wire_store_u16(buf + 16, (uint16_t)l);
        feed_all(buf, l);
    }
}

/* clang-format off */
/* RAW: a whole message or MRT body (a 0000 BGP length is filled in). UPDATE: withdrawn
 * routes, path attributes and NLRI fields, assembled with their lengths. */
enum seed_kind { RAW, UPDATE };
static const struct seed {
    enum seed_kind kind;
    const char *a, *b, *c;
} seeds[] = {
    /* OPEN with MP, RR, ERR, ext msg, GR, AS4, ADD-PATH, FQDN, software version, unknown. */
    { RAW, "ffffffffffffffffffffffffffffffff 0000 01 04 5ba0 00b4 0a000001 58"
           "02 56 0104 00010001 0104 00020001 0200 4600 0600 4006 8078 00010180"
           "4104 fa56ea01 4508 00010103 00020103 4909 07726f7574657231 00 4b06 056272627573"
           "c803 010203 0512 000100010002 000100020002 000200010002", NULL, NULL },
    /* RFC 9072 extended optional parameters. */
    { RAW, "ffffffffffffffffffffffffffffffff 0000 01 04 fde9 00b4 0a000001 ff ff 000f 02 000c"
           "0104 00010001 4104 0000fde9", NULL, NULL },
    /* Classic NLRI with every attribute (iBGP). */
    { UPDATE, "18c00002",
      "40010100 400210 0202 0000fde9 0000fdea 0101 fa56ea01 400304 c0000201"
      "800404 0000000a 400504 00000064 400600 c00708 0000fde9 0a000001 c00808 fde80001 ffffff01"
      "800904 0a000009 800a04 0a00000a c01010 0002fde800000064 01030a0000010007"
      "c01914 0002 20010db8000000000000000000000001 0064 801a0b 01000b 0000000000000100"
      "c0200c 0000fde8 00000001 00000002 e06302 aabb",
      "18c00002 100a01 20c6336407" },
    /* 2-octet session with AS4_PATH and AS4_AGGREGATOR. */
    { UPDATE, "",
      "40010100 400206 0202 fde9 5ba0 400304 c0000201 c00706 5ba0 0a000001"
      "c0110a 0202 0000fde9 fa56ea01 c01208 fa56ea02 0a000001",
      "18c00002" },
    /* MP_REACH IPv6 with a link-local next hop and path ids, MP_UNREACH. */
    { UPDATE, "",
      "900e003b 0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00"
      "00000001 30 20010db80001 00000002 30 20010db80002"
      "800f0c 0002 01 00000003 20 20010db8 40010100 400206 0201 0000fde9",
      "" },
    /* IPv4 NLRI in MP_REACH with an IPv6 next hop (RFC 8950); VPNv4 kept raw. */
    { UPDATE, "",
      "800e19 0001 01 10 20010db8000000000000000000000001 00 18c00002"
      "40010100 400206 0201 0000fde9", "" },
    { UPDATE, "",
      "800e20 0001 80 0c 0000000000000000c0000201 00 70000001 0000fde800000064 0a0000"
      "40010100 400206 0201 0000fde9", "" },
    /* EVPN MAC/IP and multicast with PMSI_TUNNEL and MAC mobility, VPLS with layer2-info. */
    { UPDATE, "",
      "800e43 0019 46 04 c6336401 00"
      "0225 0000fde900000064 00000000000000000000 00000000 30 aabbccddeeff 20 640a0001 003e81"
      "0311 0000fde900000064 00000000 20 c0a80101"
      "40010100 400206 0201 0000fde9 c01609 0006000000 c0a80101 c01008 0600000000000005", "" },
    { UPDATE, "",
      "800e1c 0019 41 04 c6336401 00 0011 0000fde900000064 0000 000a 0008 000101"
      "40010100 400206 0201 0000fde9 c01008 800a130005dc006f", "" },
    /* NOTIFICATION with a shutdown communication, ROUTE-REFRESH, KEEPALIVE. */
    { RAW, "ffffffffffffffffffffffffffffffff 0000 03 0602 0b 6d61696e74656e616e6365", NULL, NULL },
    { RAW, "ffffffffffffffffffffffffffffffff 0017 05 0002 01 01", NULL, NULL },
    { RAW, "ffffffffffffffffffffffffffffffff 0013 04", NULL, NULL },
    /* MRT bodies: PEER_INDEX_TABLE, RIB entries with abbreviated MP_REACH, BGP4MP_MESSAGE_AS4. */
    { RAW, "0a000001 0004 74657374 0002 00 0a000002 c0000202 fde9 03 0a000003"
           "20010db8000000000000000000000003 fa56ea01", NULL, NULL },
    { RAW, "00000001 20 20010db8 0002 0000 5f5e1000 001a 40010100 400206 0201 0000fde9"
           "800e11 10 20010db8000000000000000000000001 0001 5f5e1000 0004 40010100", NULL, NULL },
    { RAW, "0000fde9 0000fde8 0000 0001 c0000201 c0000202"
           "ffffffffffffffffffffffffffffffff 0017 02 0000 0000", NULL, NULL },
};
/* clang-format on */

static size_t
seed_bytes(const struct seed *sd, uint8_t *out, size_t cap)
{
    size_t len, wl, al;

    if (sd->kind == RAW) {
        len = unhex(sd->a, out, cap);
        if (len >= BGP_HEADER_LEN && out[0] == 0xff && wire_load_u16(out + 16) == 0)
            wire_store_u16(out + 16, (uint16_t)len);
        return len;
    }
    memset(out, 0xff, 16);
    out[18] = BGP_MSG_UPDATE;
    wl = unhex(sd->a, out + 21, cap - 21);
    wire_store_u16(out + 19, (uint16_t)wl);
    al = unhex(sd->b, out + 23 + wl, cap - 23 - wl);
    wire_store_u16(out + 21 + wl, (uint16_t)al);
    len = 23 + wl + al;
    len += unhex(sd->c, out + len, cap - len);
    wire_store_u16(out + 16, (uint16_t)len);
    return len;
}

int
main(int argc, char **argv)
{
    unsigned iterations = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2000;

    if (argc > 2)
        rng_state = strtoull(argv[2], NULL, 0);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        uint8_t seed[4096];
        size_t len = seed_bytes(&seeds[i], seed, sizeof(seed));

        /* A seed UPDATE must be valid for some session, or the mutations test little. */
        if (len > BGP_HEADER_LEN && seed[0] == 0xff && seed[18] == BGP_MSG_UPDATE) {
            bool accepted = false;

            for (unsigned v = 0; v < 128 && !accepted; v++) {
                struct bgp_session_codec ctx;
                struct update_decoded u;
                struct bgp_error err;
                struct arena a;

                ctx_variant(&ctx, v);
                arena_init(&a, 4096);
                accepted = update_decode(seed, len, &ctx, &a, &u, &err) == 0 &&
                           !u.treat_as_withdraw && u.discarded_count == 0;
                arena_free(&a);
            }
            CHECK(accepted, "seed %zu is not a valid UPDATE", i);
        }
        if (len > BGP_HEADER_LEN && seed[0] == 0xff && seed[18] == BGP_MSG_OPEN) {
            struct bgp_open o;
            struct bgp_error err;

            CHECK(bgp_open_decode(seed, len, &o, &err) == 0, "seed %zu is not a valid OPEN", i);
        }
        mutate_and_feed(seed, len, iterations);
    }
    printf("fuzz_codec: %zu seeds x %u mutations: %lu UPDATE decodes accepted, %lu refused, "
           "%lu re-encoded, %lu failures\n",
           sizeof(seeds) / sizeof(seeds[0]), iterations, decoded_ok, decoded_err, reencoded,
           failures);
    return failures == 0 ? 0 : 1;
}
