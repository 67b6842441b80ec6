/*
 * lib/exa_*: ExaBGP 4.2 JSON and text renderings of Events, checked against what ExaBGP
 * 4.2.21 wrote: the decoding and api vectors (tests/data/vectors, json_42) and lines of the
 * captured 4.2 transcripts (SPEC 3, 4). Events are built from the wire bytes with the
 * speaker codec, as the speaker builds them. JSON is compared after removing whitespace
 * outside strings (member order is compared too) and the volatile members (time, host,
 * pid, ppid, counter: SPEC 3.13).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "cap.h"
#include "exa_render.h"
#include "msg.h"
#include "update.h"
#include "update_proto.h"

struct fixture {
    struct arena arena;
    struct exa_buf out;
    Bgpbus__V1__PeerKey peer;
    uint8_t local[4], remote[4];
    struct exa_env env;
};

static struct fixture fx;

static size_t
unhex(const char *hex, size_t len, uint8_t *out, size_t cap)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n < cap;) {
        char two[3] = { 0, 0, 0 };
        unsigned v;

        if (hex[i] == ':') {
            i++;
            continue;
        }
        if (i + 1 >= len)
            break;
        two[0] = hex[i];
        two[1] = hex[i + 1];
        if (sscanf(two, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        i += 2;
    }
    return n;
}

/* JSON without whitespace outside strings, so that spacing never matters. */
static char *
compact(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    size_t k = 0;
    bool in_str = false;

    assert_non_null(o);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (in_str) {
            o[k++] = c;
            if (c == '\\' && i + 1 < n)
                o[k++] = s[++i];
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
            o[k++] = c;
        } else if (c != ' ' && c != '\n' && c != '\t') {
            o[k++] = c;
        }
    }
    o[k] = '\0';
    return o;
}

/* Removes `"key":<value>,` of the envelope (a scalar, no comma inside). */
static void
drop_member(char *s, const char *key)
{
    char pat[32];
    char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(s, pat);
    if (p == NULL)
        return;
    e = strchr(p, ',');
    assert_non_null(e);
    memmove(p, e + 1, strlen(e + 1) + 1);
}

static char *
normalise(const char *s, size_t n)
{
    static const char *const volatile_members[] = { "time", "host", "pid", "ppid", "counter" };
    char *c = compact(s, n);

    for (size_t i = 0; i < sizeof(volatile_members) / sizeof(volatile_members[0]); i++)
        drop_member(c, volatile_members[i]);
    return c;
}

static void
replace_once(char *s, const char *from, const char *to)
{
    char *p = strstr(s, from);
    size_t fl = strlen(from), tl = strlen(to);

    assert_true(tl <= fl);
    if (p == NULL)
        return;
    memcpy(p, to, tl);
    memmove(p + tl, p + fl, strlen(p + fl) + 1);
}

static bool
json_equal(const char *got, size_t got_len, const char *want, bool direction_in)
{
    char *g = normalise(got, got_len), *w = normalise(want, strlen(want));
    bool eq;

    if (direction_in)
        replace_once(g, "\"direction\":\"receive\"", "\"direction\":\"in\"");
    /* The vectors were taken with "exabgp" removed or kept: compare without it. */
    drop_member(g, "exabgp");
    drop_member(w, "exabgp");
    eq = strcmp(g, w) == 0;
    if (!eq)
        fprintf(stderr, "got:  %s\nwant: %s\n", g, w);
    free(g);
    free(w);
    return eq;
}

static void
set_peer(const char *local, const char *remote, uint32_t las, uint32_t pas)
{
    unsigned a, b, c, d;

    bgpbus__v1__peer_key__init(&fx.peer);
    assert_int_equal(sscanf(local, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    fx.local[0] = (uint8_t)a, fx.local[1] = (uint8_t)b, fx.local[2] = (uint8_t)c;
    fx.local[3] = (uint8_t)d;
    assert_int_equal(sscanf(remote, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
    fx.remote[0] = (uint8_t)a, fx.remote[1] = (uint8_t)b, fx.remote[2] = (uint8_t)c;
    fx.remote[3] = (uint8_t)d;
    fx.peer.has_address = fx.peer.has_local_address = true;
    fx.peer.address.data = fx.remote;
    fx.peer.address.len = 4;
    fx.peer.local_address.data = fx.local;
    fx.peer.local_address.len = 4;
    fx.peer.local_as = las;
    fx.peer.peer_as = pas;
}

static void
event_init(Bgpbus__V1__Event *ev, Bgpbus__V1__Direction dir)
{
    bgpbus__v1__event__init(ev);
    ev->peer = &fx.peer;
    ev->has_time = true;
    ev->time = 1795683045.4325316;
    ev->has_direction = dir != 0;
    ev->direction = dir;
}

/* One BGP message (header included) into the Event the speaker would publish. Returns 0,
 * 1 when the message holds a family the codec keeps raw (skipped), -1 on decode errors. */
static bool addpath_rx; /* decode with ADD-PATH receive on every family */

/*
 * The OPEN as the contract defines it (message.proto: capabilities in wire order, one per
 * capability, code + value). Built here from the bytes rather than with open_to_proto(),
 * which groups the capabilities by kind (reported to the codec's owner).
 */
static Bgpbus__V1__Open *
open_from_wire(const uint8_t *msg, size_t len)
{
    Bgpbus__V1__Open *o = arena_calloc(&fx.arena, 1, sizeof(*o));
    Bgpbus__V1__Capability **caps = arena_calloc(&fx.arena, 64, sizeof(*caps));
    size_t off = 29, end;

    if (len < 29)
        return NULL;
    bgpbus__v1__open__init(o);
    o->has_version = o->has_asn = o->has_hold_time = o->has_router_id = true;
    o->version = msg[19];
    o->asn = (uint32_t)msg[20] << 8 | msg[21];
    o->hold_time = (uint32_t)msg[22] << 8 | msg[23];
    o->router_id = proto_bin(&fx.arena, msg + 24, 4);
    end = off + msg[28];
    if (end > len)
        return NULL;
    o->capabilities = caps;
    while (off + 2 <= end) {
        size_t pend = off + 2 + msg[off + 1];

        if (pend > end)
            return NULL;
        if (msg[off] == 2) {
            for (size_t c = off + 2; c + 2 <= pend && o->n_capabilities < 64;) {
                Bgpbus__V1__Capability *cap = arena_calloc(&fx.arena, 1, sizeof(*cap));

                if (c + 2 + msg[c + 1] > pend)
                    return NULL;
                bgpbus__v1__capability__init(cap);
                cap->has_code = cap->has_value = true;
                cap->code = msg[c];
                cap->value = proto_bin(&fx.arena, msg + c + 2, msg[c + 1]);
                caps[o->n_capabilities++] = cap;
                c += 2 + (size_t)msg[c + 1];
            }
        }
        off = pend;
    }
    return o;
}

static int
event_from_wire(Bgpbus__V1__Event *ev, const uint8_t *msg, size_t len, Bgpbus__V1__Direction dir)
{
    struct bgp_error err;

    event_init(ev, dir);
    ev->has_raw = true;
    ev->raw.data = (uint8_t *)msg;
    ev->raw.len = len;
    switch (msg[18]) {
    case 1: {
        struct bgp_open *o = arena_calloc(&fx.arena, 1, sizeof(*o));

        /* The codec must accept it; the Event is built in wire order. */
        if (bgp_open_decode(msg, len, o, &err) < 0)
            return -1;
        ev->body_case = BGPBUS__V1__EVENT__BODY_OPEN;
        ev->open = open_from_wire(msg, len);
        return ev->open != NULL ? 0 : -1;
    }
    case 2: {
        struct bgp_session_codec ctx;
        struct update_decoded *dec = arena_calloc(&fx.arena, 1, sizeof(*dec));
        Bgpbus__V1__Update *u = arena_calloc(&fx.arena, 1, sizeof(*u));

        memset(&ctx, 0, sizeof(ctx));
        ctx.asn4 = true;
        ctx.ibgp = fx.peer.local_as == fx.peer.peer_as;
        ctx.local_as = fx.peer.local_as;
        ctx.peer_as = fx.peer.peer_as;
        ctx.max_msg_len = 65535;
        if (addpath_rx)
            ctx.addpath_recv = ~(bgp_famset)0;
        if (update_decode(msg, len, &ctx, &fx.arena, dec, &err) < 0)
            return -1;
        if (dec->eor) {
            Bgpbus__V1__EndOfRib *e = arena_calloc(&fx.arena, 1, sizeof(*e));

            bgpbus__v1__end_of_rib__init(e);
            e->family = proto_family(&fx.arena, dec->eor_afi, dec->eor_safi);
            ev->body_case = BGPBUS__V1__EVENT__BODY_EOR;
            ev->eor = e;
            return 0;
        }
        bgpbus__v1__update__init(u);
        if (update_to_proto(dec, &fx.arena, u) < 0)
            return -1;
        for (size_t i = 0; i < u->n_announced; i++)
            for (size_t j = 0; j < u->announced[i]->n_nlri; j++)
                if (u->announced[i]->nlri[j]->nlri_case == BGPBUS__V1__NLRI__NLRI_RAW)
                    return 1;
        for (size_t i = 0; i < u->n_withdrawn; i++)
            for (size_t j = 0; j < u->withdrawn[i]->n_nlri; j++)
                if (u->withdrawn[i]->nlri[j]->nlri_case == BGPBUS__V1__NLRI__NLRI_RAW)
                    return 1;
        ev->body_case = BGPBUS__V1__EVENT__BODY_UPDATE;
        ev->update = u;
        return 0;
    }
    case 3: {
        struct bgp_notification n;
        Bgpbus__V1__Notification *pn = arena_calloc(&fx.arena, 1, sizeof(*pn));

        if (bgp_notification_decode(msg + 19, len - 19, &n) < 0)
            return -1;
        bgpbus__v1__notification__init(pn);
        pn->has_code = pn->has_subcode = pn->has_data = true;
        pn->code = n.code;
        pn->subcode = n.subcode;
        pn->data = proto_bin(&fx.arena, n.data, n.data_len);
        ev->body_case = BGPBUS__V1__EVENT__BODY_NOTIFICATION;
        ev->notification = pn;
        return 0;
    }
    case 4: {
        static Bgpbus__V1__Keepalive ka = BGPBUS__V1__KEEPALIVE__INIT;

        ev->body_case = BGPBUS__V1__EVENT__BODY_KEEPALIVE;
        ev->keepalive = &ka;
        return 0;
    }
    default: return -1;
    }
}

static int
setup(void **state)
{
    (void)state;
    arena_init(&fx.arena, 0);
    exa_buf_init(&fx.out);
    fx.env.host = "vm";
    fx.env.pid = 401;
    fx.env.ppid = 32714;
    fx.env.time_override = -1;
    set_peer("127.0.0.1", "127.0.0.1", 65001, 65001);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    arena_free(&fx.arena);
    exa_buf_free(&fx.out);
    return 0;
}

/* --- the vectors ------------------------------------------------------------------------ */

static char *
read_file(const char *rel)
{
    const char *src = getenv("BGPBUS_SOURCE");
    char path[1024];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", src != NULL ? src : ".", rel);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The JSON object starting at p (string-aware brace matching); its length. */
static size_t
object_len(const char *p)
{
    int depth = 0;
    bool in_str = false;

    for (size_t i = 0; p[i] != '\0'; i++) {
        if (in_str) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '"')
                in_str = false;
        } else if (p[i] == '"') {
            in_str = true;
        } else if (p[i] == '{') {
            depth++;
        } else if (p[i] == '}' && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

struct counts {
    unsigned matched, skipped_family, skipped_other;
};

/* One message: wire hex and 4.2's JSON (an object, "direction": "in"). */
static void
check_vector(const char *name, const char *hex, size_t hex_len, const char *json, size_t json_len,
             struct counts *c)
{
    uint8_t *msg = arena_alloc(&fx.arena, hex_len / 2 + 1);
    char *want = strndup(json, json_len);
    char *cw = compact(want, strlen(want));
    unsigned las, pas;
    char *p;
    size_t len = unhex(hex, hex_len, msg, hex_len / 2 + 1);
    Bgpbus__V1__Event ev;
    int rc;

    assert_non_null(want);
    p = strstr(cw, "\"asn\":{\"local\":");
    assert_non_null(p);
    assert_int_equal(sscanf(p, "\"asn\":{\"local\":%u,\"peer\":%u", &las, &pas), 2);
    set_peer("127.0.0.1", "127.0.0.1", las, pas);
    addpath_rx = strstr(cw, "\"path-information\"") != NULL;
    rc = event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED);
    if (rc == 1) {
        c->skipped_family++;
    } else if (rc < 0 || strstr(cw, "flow") != NULL || strstr(cw, "mpls-vpn") != NULL) {
        /* Families without a typed codec yet (issue 5) may still decode as something. */
        c->skipped_family++;
    } else {
        exa_buf_reset(&fx.out);
        assert_int_equal(exa_json_event(&ev, &fx.env, 1, EXA_PARSED, 0, &fx.out), 0);
        if (!json_equal(fx.out.data, fx.out.len, want, true))
            fail_msg("vector %s: JSON differs", name);
        c->matched++;
    }
    free(cw);
    free(want);
}

static void
test_vectors_decoding(void **state)
{
    char *data = read_file("tests/data/vectors/decoding.jsonl");
    struct counts c = { 0, 0, 0 };

    (void)state;
    for (char *line = data, *next; line != NULL && *line != '\0'; line = next) {
        char *hex, *json, *end, *name;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        name = strstr(line, "\"name\": \"");
        hex = strstr(line, "\"hex\": \"");
        json = strstr(line, "\"json_42\": {");
        if (hex == NULL || json == NULL || strstr(line, "\"kind\": \"update\"") == NULL) {
            c.skipped_other++;
            continue;
        }
        hex += 8;
        end = strchr(hex, '"');
        json += 11;
        check_vector(name != NULL ? name + 9 : "?", hex, (size_t)(end - hex), json,
                     object_len(json), &c);
    }
    print_message("decoding.jsonl: %u matched, %u skipped (family without codec), %u without "
                  "json_42 update\n",
                  c.matched, c.skipped_family, c.skipped_other);
    assert_true(c.matched >= 1);
    free(data);
}

static void
test_vectors_api(void **state)
{
    char *data = read_file("tests/data/vectors/api.jsonl");
    struct counts c = { 0, 0, 0 };

    (void)state;
    for (char *line = data, *next; line != NULL && *line != '\0'; line = next) {
        char *msgs;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        msgs = strstr(line, "\"messages\": [");
        for (char *hex = msgs != NULL ? strstr(msgs, "\"hex\": \"") : NULL; hex != NULL;) {
            char *nexthex = strstr(hex + 8, "\"hex\": \"");
            char *json = strstr(hex, "\"json_42\": ");
            char *end = strchr(hex + 8, '"');

            if (json == NULL || (nexthex != NULL && json > nexthex) || json[11] != '{') {
                c.skipped_other++;
            } else {
                json += 11;
                check_vector("api", hex + 8, (size_t)(end - hex - 8), json, object_len(json), &c);
            }
            hex = nexthex;
        }
    }
    print_message("api.jsonl: %u messages matched, %u skipped (family without codec), %u "
                  "without json_42\n",
                  c.matched, c.skipped_family, c.skipped_other);
    assert_true(c.matched >= 60);
    free(data);
}

/* --- the 4.2.21 transcripts (transcripts/v42-consol, v42-packets, v42-parsed) -------------- */

struct transcript_line {
    const char *dir;  /* "send" / "receive" */
    const char *json; /* as ExaBGP 4.2.21 wrote it */
};

#define NB                                                                                         \
    "\"neighbor\": { \"address\": { \"local\": \"127.0.0.1\", \"peer\": \"127.0.0.1\" }, "         \
    "\"asn\": { \"local\": 65001, \"peer\": 65001 } , "
#define ENV                                                                                        \
    "{ \"exabgp\": \"4.0.1\", \"time\": 1795683045.4325316, \"host\" : \"vm\", \"pid\" : 401, "    \
    "\"ppid\" : 32714, \"counter\": 2, "
#define OPEN_BODY                                                                                  \
    "0x04FDE900B4010203043602060104000100010206010400020001020641040000FDE9020C400A80780001018000" \
    "02018002020200020246000202B90002020600"
#define OPEN_BODY_R                                                                                \
    "0x04FDE900B4010203053602060104000100010206010400020001020641040000FDE9020C400A80780001018000" \
    "02018002020200020246000202B90002020600"
#define UPD8_BODY                                                                                  \
    "0x0000005F4001010040021002010000FDE801020000FDE90000FDEA4003040A0000018004040000003240050400" \
    "0000C8400600C007080000FDE80A000009C00808FDE80001FFFFFF01C010080002FDE800000064C0200C0000FDE8" \
    "000000010000000218C0000220C6336401"

static const struct transcript_line consol_lines[] = {
    { "send",
      ENV "\"type\": \"open\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF005301\", \"body\": "
          "\"" OPEN_BODY "\", " NB
          "\"direction\": \"send\", \"open\": { \"version\": 4, \"asn\": 65001, \"hold_time\": "
          "180, \"router_id\": \"1.2.3.4\", \"capabilities\": { \"multiprotocol\": { \"name\": "
          "\"multiprotocol\", \"families\": [ \"ipv4/unicast\", \"ipv6/unicast\" ] }, \"asn4\": { "
          "\"name\": \"asn4\", \"asn4\": 65001 }, \"graceful-restart\": { \"name\": \"graceful "
          "restart\", \"time\": 120, \"address-family-flags\": { \"ipv4/unicast\": [ \"restart\" ] "
          ", \"ipv6/unicast\": [ \"restart\" ] }, \"restart-flags\": [ \"forwarding\" ] }, "
          "\"route-refresh\": { \"name\": \"route-refresh\", \"variant\": \"RFC\" }, "
          "\"enhanced-route-refresh\": { \"name\": \"enhanced-route-refresh\" }, "
          "\"exabgp-experimental-operational\": { \"name\": \"operational\" }, "
          "\"extended-message\": { \"name\": \"extended-message\", \"size\": 65535 } } } } }" },
    { "receive",
      ENV "\"type\": \"open\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF005301\", \"body\": "
          "\"" OPEN_BODY_R "\", " NB
          "\"direction\": \"receive\", \"open\": { \"version\": 4, \"asn\": 65001, \"hold_time\": "
          "180, \"router_id\": \"1.2.3.5\", \"capabilities\": { \"1\": { \"name\": "
          "\"multiprotocol\", \"families\": [ \"ipv4/unicast\", \"ipv6/unicast\" ] }, \"65\": { "
          "\"name\": \"asn4\", \"asn4\": 65001 }, \"64\": { \"name\": \"graceful restart\", "
          "\"time\": 120, \"address-family-flags\": { \"ipv4/unicast\": [ \"restart\" ] , "
          "\"ipv6/unicast\": [ \"restart\" ] }, \"restart-flags\": [ \"forwarding\" ] }, \"2\": { "
          "\"name\": \"route-refresh\", \"variant\": \"RFC\" }, \"70\": { \"name\": "
          "\"enhanced-route-refresh\" }, \"185\": { \"name\": \"operational\" }, \"6\": { "
          "\"name\": \"extended-message\", \"size\": 65535 } } } } }" },
    { "send",
      ENV "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702\", "
          "\"body\": \"0x00000000\", " NB "\"direction\": \"send\", \"message\": { \"eor\": { "
          "\"afi\" : \"ipv4\", \"safi\" : \"unicast\" } } } }" },
    { "send", ENV "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001E02\", "
                  "\"body\": \"0x00000007900F0003000201\", " NB
                  "\"direction\": \"send\", \"message\": { \"eor\": { \"afi\" : \"ipv6\", \"safi\" "
                  ": \"unicast\" } } } }" },
    { "receive",
      ENV "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF007F02\", "
          "\"body\": \"" UPD8_BODY "\", " NB
          "\"direction\": \"receive\", \"message\": { \"update\": { \"attribute\": { \"origin\": "
          "\"igp\", \"as-path\": [ 65000 ], \"as-set\": [ 65001, 65002 ], \"confederation-path\": "
          "[], \"med\": 50, \"local-preference\": 200, \"atomic-aggregate\": true, \"aggregator\": "
          "\"65000:10.0.0.9\", \"community\": [ [ 65000, 1 ], [ 65535, 65281 ] ], "
          "\"extended-community\": [ { \"value\": 842122827661412, \"string\": "
          "\"target:65000:100\" } ], \"large-community\": [ [ 65000, 1 , 2 ] ] }, \"announce\": { "
          "\"ipv4 unicast\": { \"10.0.0.1\": [ { \"nlri\": \"192.0.2.0/24\" }, { \"nlri\": "
          "\"198.51.100.1/32\" } ] } } } } } }" },
    { "receive", ENV
      "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF004402\", \"body\": "
      "\"0x0000002D4001010240020040050400000064800E1C0002011020010DB8000000000000000000000001003020"
      "010DB80001\", " NB
      "\"direction\": \"receive\", \"message\": { \"update\": { \"attribute\": { \"origin\": "
      "\"incomplete\", \"local-preference\": 100 }, \"announce\": { \"ipv6 unicast\": { "
      "\"2001:db8::1\": [ { \"nlri\": \"2001:db8:1::/48\" } ] } } } } } }" },
    { "send", ENV
      "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003B02\", \"body\": "
      "\"0x00000020400101004002004003040A00000240050400000096C00808FDE80001FFFFFF0118644000\", " NB
      "\"direction\": \"send\", \"message\": { \"update\": { \"attribute\": { \"origin\": \"igp\", "
      "\"local-preference\": 150, \"community\": [ [ 65000, 1 ], [ 65535, 65281 ] ] }, "
      "\"announce\": { \"ipv4 unicast\": { \"10.0.0.2\": [ { \"nlri\": \"100.64.0.0/24\" } ] } } } "
      "} } }" },
    { "receive",
      ENV "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002802\", "
          "\"body\": \"0x000418C00002000D800F0A0002013020010DB80001\", " NB
          "\"direction\": \"receive\", \"message\": { \"update\": { \"withdraw\": { \"ipv4 "
          "unicast\": [ { \"nlri\": \"192.0.2.0/24\" } ], \"ipv6 unicast\": [ { \"nlri\": "
          "\"2001:db8:1::/48\" } ] } } } } }" },
    { "receive", ENV
      "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001D02\", \"body\": "
      "\"0x00000006800F03000201\", " NB "\"direction\": \"receive\", \"message\": { \"eor\": { "
      "\"afi\" : \"ipv6\", \"safi\" : \"unicast\" } } } }" },
    { "send", ENV
      "\"type\": \"update\", \"header\": \"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF004102\", \"body\": "
      "\"0x000000264001010040020A02020000FDE80000FDE94003047F0000018004040000000A400504000000641864"
      "4100\", " NB "\"direction\": \"send\", \"message\": { \"update\": { \"attribute\": { "
      "\"origin\": \"igp\", \"as-path\": [ 65000, 65001 ], \"confederation-path\": "
      "[], \"med\": 10, \"local-preference\": 100 }, \"announce\": { \"ipv4 "
      "unicast\": { \"127.0.0.1\": [ { \"nlri\": \"100.65.0.0/24\" } ] } } } } } }" },
};

/* Pulls "header" + "body" out of a consolidate line: the message bytes. */
static size_t
wire_of(const char *line, uint8_t *msg, size_t cap)
{
    const char *h = strstr(line, "\"header\": \"0x"), *b = strstr(line, "\"body\": \"0x");
    size_t n;

    assert_non_null(h);
    assert_non_null(b);
    h += 13;
    b += 11;
    n = unhex(h, (size_t)(strchr(h, '"') - h), msg, cap);
    return n + unhex(b, (size_t)(strchr(b, '"') - b), msg + n, cap - n);
}

static Bgpbus__V1__Direction
dir_of(const char *d)
{
    return strcmp(d, "send") == 0 ? BGPBUS__V1__DIRECTION__DIRECTION_SENT
                                  : BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED;
}

static void
test_transcript_consolidate_and_parsed(void **state)
{
    (void)state;
    set_peer("127.0.0.1", "127.0.0.1", 65001, 65001);
    for (size_t i = 0; i < sizeof(consol_lines) / sizeof(consol_lines[0]); i++) {
        uint8_t *msg = arena_alloc(&fx.arena, 4096);
        size_t len = wire_of(consol_lines[i].json, msg, 4096);
        Bgpbus__V1__Event ev;
        char *parsed;

        assert_int_equal(event_from_wire(&ev, msg, len, dir_of(consol_lines[i].dir)), 0);
        exa_buf_reset(&fx.out);
        assert_int_equal(exa_json_event(&ev, &fx.env, 2, EXA_CONSOLIDATE, 0, &fx.out), 0);
        assert_int_equal(fx.out.data[fx.out.len - 1], '\n');
        if (!json_equal(fx.out.data, fx.out.len, consol_lines[i].json, false))
            fail_msg("consolidate line %zu differs", i);

        /* The parsed form (v42-parsed) is the same without header and body. */
        parsed = strdup(consol_lines[i].json);
        assert_non_null(parsed);
        {
            char *h = strstr(parsed, "\"header\": "), *n = strstr(parsed, "\"neighbor\"");

            memmove(h, n, strlen(n) + 1);
        }
        exa_buf_reset(&fx.out);
        assert_int_equal(exa_json_event(&ev, &fx.env, 2, EXA_PARSED, 0, &fx.out), 0);
        if (!json_equal(fx.out.data, fx.out.len, parsed, false))
            fail_msg("parsed line %zu differs", i);
        free(parsed);
    }
}

static void
test_transcript_packets(void **state)
{
    static const char want[] =
        ENV "\"type\": \"update\", " NB
            "\"direction\": \"receive\", \"message\": { \"category\": 2, \"header\": "
            "\"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF007F02\", \"body\": \"" UPD8_BODY "\" }  } }";
    static const char want_ka[] =
        ENV "\"type\": \"keepalive\", " NB
            "\"direction\": \"receive\", \"message\": { \"category\": 4, \"header\": "
            "\"0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304\", \"body\": \"0x\" }  } }";
    uint8_t msg[512];
    size_t len = wire_of(consol_lines[4].json, msg, sizeof(msg));
    Bgpbus__V1__Event ev;

    (void)state;
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 8, EXA_PACKETS, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want, false));

    len = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304", 38, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 4, EXA_PACKETS, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_ka, false));

    /* No raw bytes: no packets form, and nothing appended. */
    ev.has_raw = false;
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 4, EXA_PACKETS, 0, &fx.out), -1);
    assert_int_equal(fx.out.len, 0);
}

static void
state_event(Bgpbus__V1__Event *ev, Bgpbus__V1__StateChange *st, Bgpbus__V1__SessionChange ch,
            const char *reason)
{
    event_init(ev, 0);
    bgpbus__v1__state_change__init(st);
    st->has_change = true;
    st->change = ch;
    st->reason = (char *)reason;
    st->has_current = true;
    st->current = BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED;
    ev->body_case = BGPBUS__V1__EVENT__BODY_STATE;
    ev->state = st;
}

static void
test_transcript_state_and_messages(void **state)
{
    static const char want_connected[] =
        ENV "\"type\": \"state\", " NB "\"state\": \"connected\" } }";
    static const char want_up[] = ENV "\"type\": \"state\", " NB "\"state\": \"up\" } }";
    static const char want_down[] =
        ENV "\"type\": \"state\", " NB
            "\"state\": \"down\", \"reason\": \"peer reset, message (notification sent (1,0)) "
            "error(Message header error / Unspecific / can not decode update message of type "
            "\\\"6\\\")\" } }";
    static const char want_fsm[] = ENV "\"type\": \"fsm\", " NB "\"state\": \"ESTABLISHED\" } }";
    static const char want_ka[] = ENV "\"type\": \"keepalive\", " NB "\"direction\": \"send\"  } }";
    static const char want_notif[] =
        ENV "\"type\": \"notification\", " NB
            "\"direction\": \"send\", \"notification\": { \"code\": 1, \"subcode\": 0, \"data\": "
            "\"0x63616E206E6F74206465636F646520757064617465206D657373616765206F66207479706520223622"
            "\" }  } }";
    static const char want_rr[] =
        ENV "\"type\": \"refresh\", " NB
            "\"direction\": \"send\", \"route-refresh\": { \"afi\": \"ipv4\", \"safi\": "
            "\"unicast\", \"subtype\": \"query\" } } }";
    static const char want_neg[] =
        ENV "\"type\": \"negotiated\", " NB
            "\"negotiated\": { \"message_size\": 65535, \"hold_time\": 180, \"asn4\": true, "
            "\"multisession\": false, \"operational\": true, \"refresh\": \"enhanced\", "
            "\"families\": [ \"ipv4 unicast\" ,\"ipv6 unicast\" ], \"nexthop\": [  ], "
            "\"add_path\": { \"send\": [  ], \"receive\": [  ] } }  } }";
    static const char want_eor_neg[] =
        ENV "\"type\": \"update\", " NB
            "\"direction\": \"receive\", \"message\": { \"eor\": { \"afi\" : \"ipv6\", \"safi\" : "
            "\"unicast\" } }, \"negotiated\": { \"message_size\": 65535, \"hold_time\": 180, "
            "\"asn4\": true, \"multisession\": false, \"operational\": true, \"refresh\": "
            "\"enhanced\", \"families\": [ \"ipv4 unicast\" ,\"ipv6 unicast\" ], \"nexthop\": [  "
            "], \"add_path\": { \"send\": [  ], \"receive\": [  ] } }  } }";
    static const char want_shutdown[] =
        "{ \"exabgp\": \"4.0.1\", \"time\": 1795683057.2113562, \"host\" : \"vm\", \"pid\" : 401, "
        "\"ppid\" : 32714, \"type\": \"notification\", \"notification\": \"shutdown\" }";
    Bgpbus__V1__Event ev;
    Bgpbus__V1__StateChange st;
    Bgpbus__V1__RouteRefresh rr = BGPBUS__V1__ROUTE_REFRESH__INIT;
    Bgpbus__V1__Negotiated neg = BGPBUS__V1__NEGOTIATED__INIT;
    Bgpbus__V1__Family v4 = BGPBUS__V1__FAMILY__INIT, v6 = BGPBUS__V1__FAMILY__INIT;
    Bgpbus__V1__Family *fams[2] = { &v4, &v6 };
    uint8_t msg[128];
    size_t len;

    (void)state;
    set_peer("127.0.0.1", "127.0.0.1", 65001, 65001);
    state_event(&ev, &st, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_CONNECTED, NULL);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 1, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_connected, false));
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_fsm(&ev, &fx.env, 1, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_fsm, false));
    state_event(&ev, &st, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UP, NULL);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 6, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_up, false));
    state_event(&ev, &st, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN,
                "peer reset, message [notification sent (1,0)] error[Message header error / "
                "Unspecific / can not decode update message of type \"6\"]");
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 26, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_down, false));
    /* An FSM transition that is no neighbor change has no "state" event. */
    state_event(&ev, &st, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UNSPECIFIED, NULL);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 1, EXA_PARSED, 0, &fx.out), -1);
    assert_int_equal(fx.out.len, 0);

    len = unhex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304", 38, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT), 0);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 4, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_ka, false));

    len = unhex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003F030100"
        "63616E206E6F74206465636F646520757064617465206D657373616765206F66207479706520223622",
        strlen(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003F030100"
            "63616E206E6F74206465636F646520757064617465206D657373616765206F66207479706520223622"),
        msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT), 0);
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 25, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_notif, false));

    /* 4.2 wrote "afi": ""ipv4"" here (invalid JSON); the fixed form (SPEC 0.3). */
    v4.has_afi = v4.has_safi = v6.has_afi = v6.has_safi = true;
    v4.afi = 1, v4.safi = 1, v6.afi = 2, v6.safi = 1;
    rr.family = &v4;
    event_init(&ev, BGPBUS__V1__DIRECTION__DIRECTION_SENT);
    ev.body_case = BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH;
    ev.route_refresh = &rr;
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 21, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_rr, false));

    neg.has_message_size = neg.has_hold_time = neg.has_asn4 = neg.has_operational = true;
    neg.message_size = 65535, neg.hold_time = 180, neg.asn4 = true, neg.operational = true;
    neg.has_refresh = true;
    neg.refresh = BGPBUS__V1__ROUTE_REFRESH_MODE__ROUTE_REFRESH_MODE_ENHANCED;
    neg.n_families = 2;
    neg.families = fams;
    event_init(&ev, 0);
    ev.body_case = BGPBUS__V1__EVENT__BODY_NEGOTIATED;
    ev.negotiated = &neg;
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_json_event(&ev, &fx.env, 5, EXA_PARSED, 0, &fx.out), 0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_neg, false));

    /* api { negotiated; } appends the object to update events (v42-negot). */
    len = wire_of(consol_lines[8].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    exa_buf_reset(&fx.out);
    assert_int_equal(
        exa_json_event_negotiated(&ev, &fx.env, 16, EXA_PARSED, EXA_OPT_NEGOTIATED, &neg, &fx.out),
        0);
    assert_true(json_equal(fx.out.data, fx.out.len, want_eor_neg, false));

    exa_buf_reset(&fx.out);
    exa_json_shutdown(&fx.env, &fx.out);
    assert_true(json_equal(fx.out.data, fx.out.len, want_shutdown, false));
}

/* --- the text encoder (transcripts/v42-parsedtext) --------------------------------------- */

static void
check_text(const Bgpbus__V1__Event *ev, enum exa_form form, const char *want)
{
    exa_buf_reset(&fx.out);
    assert_int_equal(exa_text_event(ev, form, 0, &fx.out), 0);
    assert_string_equal(fx.out.data, want);
}

static void
test_text(void **state)
{
    Bgpbus__V1__Event ev;
    Bgpbus__V1__StateChange st;
    Bgpbus__V1__RouteRefresh rr = BGPBUS__V1__ROUTE_REFRESH__INIT;
    Bgpbus__V1__Family v4 = BGPBUS__V1__FAMILY__INIT;
    uint8_t msg[512];
    size_t len;

    (void)state;
    set_peer("127.0.0.1", "127.0.0.1", 65001, 65001);
    state_event(&ev, &st, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_CONNECTED, NULL);
    check_text(&ev, EXA_PARSED, "neighbor 127.0.0.1 connected\n\n");
    state_event(&ev, &st, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN,
                "peer reset, message [closing connection] error[Broken TCP connection]");
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 down - peer reset, message [closing connection] "
               "error[Broken TCP connection]\n\n");

    len = wire_of(consol_lines[0].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT), 0);
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 send open version 4 asn 65001 hold_time 180 router_id 1.2.3.4 "
               "capabilities [multiprotocol(ipv4 unicast,ipv6 unicast), route refresh, extended "
               "message(65535), graceful restart flags 0x8 time 120 ipv4/unicast=0x80 "
               "ipv6/unicast=0x80, asn4(65001), enhanced route refresh, operational]\n\n");

    len = wire_of(consol_lines[3].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT), 0);
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 send update start\n"
               "neighbor 127.0.0.1 send update route eor 2/1 (ipv6 unicast)\n"
               "neighbor 127.0.0.1 send update end\n\n");

    len = wire_of(consol_lines[4].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 receive update start\n"
               "neighbor 127.0.0.1 receive update announced 192.0.2.0/24 next-hop 10.0.0.1 origin "
               "igp as-path [ 65000 ( 65001 65002 ) ] med 50 local-preference 200 "
               "atomic-aggregate aggregator ( 65000:10.0.0.9 ) community [ 65000:1 no-export ] "
               "extended-community target:65000:100 large-community 65000:1:2\n"
               "neighbor 127.0.0.1 receive update announced 198.51.100.1/32 next-hop 10.0.0.1 "
               "origin igp as-path [ 65000 ( 65001 65002 ) ] med 50 local-preference 200 "
               "atomic-aggregate aggregator ( 65000:10.0.0.9 ) community [ 65000:1 no-export ] "
               "extended-community target:65000:100 large-community 65000:1:2\n"
               "neighbor 127.0.0.1 receive update end\n\n");

    len = wire_of(consol_lines[5].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 receive update start\n"
               "neighbor 127.0.0.1 receive update announced 2001:db8:1::/48 next-hop 2001:db8::1 "
               "origin incomplete local-preference 100\n"
               "neighbor 127.0.0.1 receive update end\n\n");

    len = wire_of(consol_lines[7].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 receive update start\n"
               "neighbor 127.0.0.1 receive update withdrawn 192.0.2.0/24\n"
               "neighbor 127.0.0.1 receive update withdrawn 2001:db8:1::/48\n"
               "neighbor 127.0.0.1 receive update end\n\n");

    len = wire_of(consol_lines[6].json, msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT), 0);
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 send update start\n"
               "neighbor 127.0.0.1 send update announced 100.64.0.0/24 next-hop 10.0.0.2 origin "
               "igp local-preference 150 community [ 65000:1 no-export ]\n"
               "neighbor 127.0.0.1 send update end\n\n");

    len = unhex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003F030100"
        "63616E206E6F74206465636F646520757064617465206D657373616765206F66207479706520223622",
        strlen(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003F030100"
            "63616E206E6F74206465636F646520757064617465206D657373616765206F66207479706520223622"),
        msg, sizeof(msg));
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT), 0);
    check_text(
        &ev, EXA_PARSED,
        "neighbor 127.0.0.1 send notification code 1 subcode 0 data "
        "0x63616E206E6F74206465636F646520757064617465206D657373616765206F66207479706520223622"
        "\n\n");

    v4.has_afi = v4.has_safi = true;
    v4.afi = 1, v4.safi = 1;
    rr.family = &v4;
    event_init(&ev, BGPBUS__V1__DIRECTION__DIRECTION_SENT);
    ev.body_case = BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH;
    ev.route_refresh = &rr;
    check_text(&ev, EXA_PARSED,
               "neighbor 127.0.0.1 send route-refresh afi ipv4 safi unicast query\n\n");

    exa_buf_reset(&fx.out);
    exa_text_shutdown(1425, 1284, &fx.out);
    assert_string_equal(fx.out.data, "shutdown 1425 1284\n\n");
}

/* Appending never leaves a partial line, and the buffer grows past its first size. */
static void
test_buffer(void **state)
{
    uint8_t msg[512];
    size_t len = wire_of(consol_lines[4].json, msg, sizeof(msg));
    Bgpbus__V1__Event ev;

    (void)state;
    set_peer("127.0.0.1", "127.0.0.1", 65001, 65001);
    assert_int_equal(event_from_wire(&ev, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED), 0);
    exa_buf_reset(&fx.out);
    for (int i = 0; i < 200; i++)
        assert_int_equal(exa_json_event(&ev, &fx.env, (uint64_t)i, EXA_PARSED, 0, &fx.out), 0);
    assert_true(fx.out.len > 200 * 400);
    assert_int_equal(strlen(fx.out.data), fx.out.len);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_decoding),
        cmocka_unit_test(test_vectors_api),
        cmocka_unit_test(test_transcript_consolidate_and_parsed),
        cmocka_unit_test(test_transcript_packets),
        cmocka_unit_test(test_transcript_state_and_messages),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_buffer),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
