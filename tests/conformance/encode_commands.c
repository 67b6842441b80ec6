/*
 * conformance_encode: ExaBGP API command lines -> the UPDATE bytes the speaker would send.
 *
 * The conformance runner (tests/conformance/run) feeds one request per line on stdin:
 *
 *     <local-as> TAB <peer-as> TAB <asn4 0|1> TAB <local-address> TAB <add-path> TAB <command>
 *
 * <add-path> is "none", "all" (ADD-PATH send on every family), or "auto" (every family when the
 * command has the word `path-information`, as the vectors' peer was set up). The answer is a
 * block of lines ended by "END":
 *
 *     REJECT <message>           the grammar (or the speaker's route check) refused the line
 *     SKIP <reason>              the line is out of scope (family not encoded yet, no UPDATE)
 *     FAMILY <afi safi>          once per route, in order
 *     GROUPED <hex>              the UPDATEs with group-updates true (one per attribute set)
 *     SINGLE <hex>               the UPDATEs with group-updates false (one per route)
 *     FAIL <why>                 the encoder refused what the grammar accepted
 *
 * and, for the decoding vectors, `DECODE TAB <asn4 0|1> TAB <add-path 0|1> TAB <hex>` (an UPDATE
 * with or without its header) answers what update_decode made of it, one fact a line: ERROR,
 * TREAT_AS_WITHDRAW, EOR, WITHDRAW|ANNOUNCE <family>|<prefix>[|<path id>], NEXTHOP, RAWFAMILY
 * (a family carried as opaque bytes), ORIGIN, ASPATH <type> <asn>..., MED, LOCALPREF, ATOMIC,
 * COMMUNITY; `JSON TAB <asn4> TAB <add-path> TAB <hex> [TAB <local-as> TAB <peer-as>]` (iBGP AS
 * 65533 when absent) answers `JSON <line>`, the ExaBGP JSON the apibridge writes for that UPDATE
 * received (lib/exa_json*.c; tests/conformance/json42.py), and `TEXT ...` its text encoder's
 * lines, `TEXT <line>` each (lib/exa_text.c).
 *
 * Everything on the way is the project's own code: grammar_command_parse (lib/grammar_*),
 * update_build and attrs_encode (speaker/update_build.c, speaker/attr*.c), and the speaker's
 * routes_nlri_from, routes_check_attributes and speaker_codec_ctx. The only glue restated here
 * is adjout_flush's grouping of routes by (family, attribute set), which needs no session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgpbus/v1/request.pb-c.h"
#include "grammar_command.h"
#include "arena.h"
#include "routes.h"
#include "speaker.h"
#include "update.h"
#include "update_proto.h"
#include "exa_render.h"
#include "nlri_vpn.h"

#define ENC_MAX_FIELDS 6

struct enc_peer {
    uint32_t local_as;
    uint32_t peer_as;
    bool asn4;
    struct nexthop_ctx self;
    enum { ENC_ADDPATH_NONE, ENC_ADDPATH_ALL, ENC_ADDPATH_AUTO } addpath;
};

/* One route in the codec's form, with its attribute set (NULL for a withdraw). */
struct enc_route {
    struct nlri nlri;
    const Bgpbus__V1__Attributes *attrs;
    uint8_t *packed; /* attrs packed: the interning key of speaker/attrset.c */
    size_t packed_len;
};

static void
enc_print_hex(const char *tag, const uint8_t *msg, size_t len)
{
    fputs(tag, stdout);
    fputc(' ', stdout);
    for (size_t i = 0; i < len; i++)
        printf("%02X", msg[i]);
    fputc('\n', stdout);
}

static int
enc_emit_grouped(void *arg, const uint8_t *msg, size_t len)
{
    (void)arg;
    enc_print_hex("GROUPED", msg, len);
    return 0;
}

static int
enc_emit_single(void *arg, const uint8_t *msg, size_t len)
{
    (void)arg;
    enc_print_hex("SINGLE", msg, len);
    return 0;
}

static bool
enc_parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool
enc_parse_peer(char **f, struct enc_peer *p)
{
    memset(p, 0, sizeof(*p));
    if (!enc_parse_u32(f[0], &p->local_as) || !enc_parse_u32(f[1], &p->peer_as))
        return false;
    if (strcmp(f[2], "0") != 0 && strcmp(f[2], "1") != 0)
        return false;
    p->asn4 = f[2][0] == '1';
    if (inet_pton(AF_INET, f[3], p->self.v4) == 1)
        p->self.has_v4 = true;
    else if (inet_pton(AF_INET6, f[3], p->self.v6) == 1)
        p->self.has_v6 = true;
    else
        return false;
    if (strcmp(f[4], "none") == 0)
        p->addpath = ENC_ADDPATH_NONE;
    else if (strcmp(f[4], "all") == 0)
        p->addpath = ENC_ADDPATH_ALL;
    else if (strcmp(f[4], "auto") == 0)
        p->addpath = ENC_ADDPATH_AUTO;
    else
        return false;
    return true;
}

/* The speaker's codec context (speaker_codec_ctx) for an established session with these
 * negotiated facts. */
static void
enc_codec_ctx(const struct enc_peer *p, bool addpath, struct bgp_session_codec *ctx)
{
    struct bgp_negotiated neg;

    memset(&neg, 0, sizeof(neg));
    neg.peer_as = p->peer_as;
    neg.asn4 = p->asn4;
    neg.addpath_recv = addpath ? (bgp_famset)((1u << BGP_FAM_COUNT) - 1) : 0;
    neg.addpath_send = neg.addpath_recv;
    neg.max_msg_len = BGP_MSG_MAX;
    speaker_codec_ctx(p->local_as, p->peer_as, false, &neg, ctx);
}

/* The speaker's route_nlri: NULL when the speaker encodes the route, else why not. A family the
 * grammar knows but the speaker does not encode yet gives *unsupported. */
static const char *
enc_route_nlri(const Bgpbus__V1__Nlri *m, struct arena *a, struct nlri *out, bool *unsupported)
{
    const char *why = routes_nlri_from(m, a, out);
    *unsupported = why == routes_err_family;
    return *unsupported ? "family the speaker does not encode" : why;
}

static bool
enc_same_set(const struct enc_route *a, const struct enc_route *b)
{
    if (a->nlri.fam != b->nlri.fam || (a->attrs == NULL) != (b->attrs == NULL))
        return false;
    if (a->attrs == NULL)
        return true;
    return a->packed_len == b->packed_len && memcmp(a->packed, b->packed, a->packed_len) == 0;
}

/*
 * Builds the UPDATEs of routes[0..n) as speaker/adjout.c adjout_flush() does: routes grouped by
 * (family, attribute set) in order of first appearance, withdrawals before announcements; each
 * group through update_build, whole (group-updates true) or route by route.
 */
static bool
enc_build(struct enc_route *routes, size_t n, const struct bgp_session_codec *ctx,
          const struct nexthop_ctx *self, bool grouped, struct arena *arena)
{
    struct nlri *batch = arena_calloc(arena, n ? n : 1, sizeof(*batch));
    bool *done = arena_calloc(arena, n ? n : 1, sizeof(*done));

    if (batch == NULL || done == NULL) {
        printf("FAIL out of memory\n");
        return false;
    }
    for (int pass = 0; pass < 2; pass++) {
        bool want_withdraw = pass == 0;

        for (size_t i = 0; i < n; i++) {
            if (done[i] || (routes[i].attrs == NULL) != want_withdraw)
                continue;
            size_t count = 0;
            for (size_t k = i; k < n; k++) {
                if (!done[k] && enc_same_set(&routes[i], &routes[k])) {
                    /* a withdrawal has one label field (RFC 8277 2.4), as the speaker sends */
                    batch[count++] =
                        want_withdraw ? nlri_vpn_withdrawal(&routes[k].nlri) : routes[k].nlri;
                    done[k] = true;
                }
            }
            size_t step = grouped ? count : 1;
            for (size_t off = 0; off < count; off += step) {
                size_t m = count - off < step ? count - off : step;
                const char *why = NULL;
                if (update_build((enum bgp_family)routes[i].nlri.fam, routes[i].attrs, batch + off,
                                 m, ctx, self, grouped ? enc_emit_grouped : enc_emit_single, NULL,
                                 NULL, &why) != 0) {
                    printf("FAIL %s\n", why ? why : "update_build failed");
                    return false;
                }
            }
        }
    }
    return true;
}

static bool
enc_has_word(const struct grammar_words *words, const char *w)
{
    for (size_t i = 0; i < words->n; i++)
        if (strcmp(words->w[i], w) == 0)
            return true;
    return false;
}

static void
enc_one(const struct enc_peer *peer, const char *cmd, struct arena *arena)
{
    Bgpbus__V1__Request *req = NULL;
    struct grammar_words words = { 0 };
    struct grammar_error err;
    Bgpbus__V1__Route **routes;
    const Bgpbus__V1__Attributes *shared = NULL;
    size_t nroutes;
    bool announce;

    memset(&err, 0, sizeof(err));
    int rc = grammar_command_parse(cmd, strlen(cmd), arena, &req, &words, &err);
    if (rc < 0) {
        printf("REJECT %s\n", err.msg);
        return;
    }
    if (rc == GRAMMAR_COMMAND_IGNORED || req == NULL) {
        printf("SKIP the command is acknowledged and ignored: it produces no UPDATE\n");
        return;
    }
    switch (req->command_case) {
    case BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE:
        routes = req->announce->routes;
        nroutes = req->announce->n_routes;
        shared = req->announce->attributes;
        announce = true;
        break;
    case BGPBUS__V1__REQUEST__COMMAND_WITHDRAW:
        routes = req->withdraw->routes;
        nroutes = req->withdraw->n_routes;
        announce = false;
        break;
    default:
        printf("SKIP not a route command (request case %d): no UPDATE to compare\n",
               (int)req->command_case);
        return;
    }

    struct enc_route *er = arena_calloc(arena, nroutes ? nroutes : 1, sizeof(*er));
    if (er == NULL) {
        printf("FAIL out of memory\n");
        return;
    }
    for (size_t i = 0; i < nroutes; i++) {
        bool unsupported;
        const char *why = enc_route_nlri(routes[i]->nlri, arena, &er[i].nlri, &unsupported);
        if (why != NULL && unsupported) {
            printf("SKIP %s\n", why);
            return;
        }
        if (why != NULL) {
            printf("REJECT %s\n", why);
            return;
        }
        if (!announce)
            continue;
        er[i].attrs = routes[i]->attributes ? routes[i]->attributes : shared;
        why = routes_check_attributes((enum bgp_family)er[i].nlri.fam, er[i].attrs);
        if (why != NULL) {
            printf("REJECT %s\n", why);
            return;
        }
        er[i].packed_len = bgpbus__v1__attributes__get_packed_size(er[i].attrs);
        er[i].packed = arena_alloc(arena, er[i].packed_len ? er[i].packed_len : 1);
        if (er[i].packed == NULL) {
            printf("FAIL out of memory\n");
            return;
        }
        bgpbus__v1__attributes__pack(er[i].attrs, er[i].packed);
    }
    for (size_t i = 0; i < nroutes; i++)
        printf("FAMILY %s\n", bgp_family_name((enum bgp_family)er[i].nlri.fam));

    bool addpath = peer->addpath == ENC_ADDPATH_ALL ||
                   (peer->addpath == ENC_ADDPATH_AUTO && enc_has_word(&words, "path-information"));
    struct bgp_session_codec ctx;
    enc_codec_ctx(peer, addpath, &ctx);
    if (enc_build(er, nroutes, &ctx, &peer->self, true, arena))
        (void)enc_build(er, nroutes, &ctx, &peer->self, false, arena);
}

/* ---- DECODE <asn4 0|1> <add-path 0|1> <hex>: update_decode's view of one UPDATE ------------- */

static bool
enc_unhex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(hex);

    if (n % 2 != 0 || n / 2 > cap)
        return false;
    for (size_t i = 0; i < n; i += 2) {
        unsigned v;
        if (sscanf(hex + i, "%2x", &v) != 1)
            return false;
        out[i / 2] = (uint8_t)v;
    }
    *len = n / 2;
    return true;
}

static void
enc_print_nlri(const char *tag, const struct nlri *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[256];
        nlri_format(&v[i], text, sizeof(text));
        /* ExaBGP's JSON names an EVPN route by its bytes ("raw"): so does this line. */
        if (v[i].fam == BGP_FAM_L2VPN_EVPN) {
            text[0] = '\0';
            for (size_t k = 0; k < v[i].raw_len && 2 * k + 2 < sizeof(text); k++)
                snprintf(text + 2 * k, sizeof(text) - 2 * k, "%02X", v[i].raw[k]);
        }
        printf("%s %s|%s", tag, bgp_family_name((enum bgp_family)v[i].fam), text);
        if (v[i].has_path_id)
            printf("|%u", v[i].path_id);
        printf("\n");
    }
}

static void
enc_print_nexthop(const Bgpbus__V1__NextHop *nh)
{
    char text[INET6_ADDRSTRLEN];

    if (nh == NULL || !nh->has_address)
        return;
    if (inet_ntop(nh->address.len == 4 ? AF_INET : AF_INET6, nh->address.data, text,
                  sizeof(text)) != NULL &&
        (nh->address.len == 4 || nh->address.len == 16))
        printf("NEXTHOP %s\n", text);
}

static void
enc_print_mp(const char *tag, const struct update_mp *mp)
{
    if (!mp->present)
        return;
    if (mp->fam == BGP_FAM_NONE || bgp_family_table[mp->fam].ops == NULL) {
        printf("RAWFAMILY %u %u\n", mp->afi, mp->safi);
        return;
    }
    enc_print_nexthop(mp->nexthop);
    enc_print_nlri(tag, mp->nlri, mp->nlri_count);
}

/* update_decode of the message in f[3] from a peer of AS peer_as to local_as (f[1]: ASN4, f[2]:
 * ADD-PATH receive on every family); prints FAIL or ERROR and returns -1 when there is nothing
 * to show. */
static int
enc_decode_message(char **f, uint32_t local_as, uint32_t peer_as, struct arena *a,
                   struct update_decoded *out)
{
    static uint8_t msg[BGP_MSG_EXT_MAX + BGP_HEADER_LEN];
    size_t len, off = 0;
    struct bgp_session_codec ctx;
    struct bgp_error err;

    if (strcmp(f[1], "0") != 0 && strcmp(f[1], "1") != 0) {
        printf("FAIL bad asn4 field\n");
        return -1;
    }
    /* ExaBGP's `decode` takes the message with or without its header: add the header. */
    if (strncmp(f[3], "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 32) != 0)
        off = BGP_HEADER_LEN;
    if (!enc_unhex(f[3], msg + off, sizeof(msg) - off, &len)) {
        printf("FAIL bad hex\n");
        return -1;
    }
    if (off != 0) {
        memset(msg, 0xff, 16);
        wire_store_u16(msg + 16, (uint16_t)(len + off));
        msg[18] = BGP_MSG_UPDATE;
        len += off;
    }
    bgp_session_codec_init(&ctx);
    ctx.mrt_rib = false;
    ctx.asn4 = f[1][0] == '1';
    ctx.ibgp = local_as == peer_as;
    ctx.local_as = local_as;
    ctx.peer_as = peer_as;
    ctx.max_msg_len = BGP_MSG_EXT_MAX;
    if (f[2][0] == '1')
        ctx.addpath_recv = (bgp_famset)((1u << BGP_FAM_COUNT) - 1);
    memset(out, 0, sizeof(*out));
    memset(&err, 0, sizeof(err));
    if (update_decode(msg, len, &ctx, a, out, &err) < 0) {
        printf("ERROR %s (NOTIFICATION %u/%u)\n", err.reason ? err.reason : "?", err.code,
               err.subcode);
        return -1;
    }
    return 0;
}

static void
enc_decode(char **f)
{
    struct update_decoded out;
    struct arena a;

    arena_init(&a, 65536);
    if (enc_decode_message(f, 65533, 65533, &a, &out) < 0) {
        arena_free(&a);
        return;
    }
    if (out.treat_as_withdraw)
        printf("TREAT_AS_WITHDRAW %s\n", out.withdraw_reason ? out.withdraw_reason : "?");
    if (out.eor)
        printf("EOR %u %u\n", out.eor_afi, out.eor_safi);
    enc_print_nlri("WITHDRAW", out.withdrawn, out.withdrawn_count);
    enc_print_mp("WITHDRAW", &out.mp_unreach);
    if (out.nlri_count > 0)
        enc_print_nexthop(out.attrs->next_hop);
    enc_print_nlri("ANNOUNCE", out.nlri, out.nlri_count);
    enc_print_mp("ANNOUNCE", &out.mp_reach);

    const Bgpbus__V1__Attributes *at = out.attrs;
    if (at->has_origin)
        printf("ORIGIN %d\n", (int)at->origin);
    if (at->as_path != NULL) {
        for (size_t i = 0; i < at->as_path->n_segments; i++) {
            const Bgpbus__V1__AsPathSegment *sg = at->as_path->segments[i];
            printf("ASPATH %d", sg->has_type ? (int)sg->type : 0);
            for (size_t k = 0; k < sg->n_asns; k++)
                printf(" %u", sg->asns[k]);
            printf("\n");
        }
    }
    if (at->has_med)
        printf("MED %u\n", at->med);
    if (at->has_local_pref)
        printf("LOCALPREF %u\n", at->local_pref);
    if (at->has_atomic_aggregate && at->atomic_aggregate)
        printf("ATOMIC\n");
    for (size_t i = 0; i < at->n_communities; i++)
        printf("COMMUNITY %u\n", at->communities[i]);
    arena_free(&a);
}

/* ---- JSON <asn4 0|1> <add-path 0|1> <hex>: the apibridge's ExaBGP JSON of one UPDATE ----------
 */

/* The event the speaker publishes for the UPDATE received from 127.0.0.2 (AS f[5], local
 * 127.0.0.1 AS f[4]; both 65533 when absent) rendered as the apibridge renders it for `receive {
 * parsed; update; }` with the JSON encoder (text false: `JSON <line>`) or the text one (text true:
 * `TEXT <line>` each). */
static void
enc_render(char **f, size_t nf, bool text)
{
    static const uint8_t local[4] = { 127, 0, 0, 1 }, remote[4] = { 127, 0, 0, 2 };
    const struct exa_env env = { .host = "conformance", .pid = 1, .ppid = 1, .time_override = 0 };
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__PeerKey key = BGPBUS__V1__PEER_KEY__INIT;
    Bgpbus__V1__Update u = BGPBUS__V1__UPDATE__INIT;
    Bgpbus__V1__EndOfRib eor = BGPBUS__V1__END_OF_RIB__INIT;
    struct update_decoded out;
    uint32_t local_as = nf == 6 ? (uint32_t)strtoul(f[4], NULL, 10) : 65533;
    uint32_t peer_as = nf == 6 ? (uint32_t)strtoul(f[5], NULL, 10) : 65533;
    struct exa_buf b;
    struct arena a;

    arena_init(&a, 65536);
    exa_buf_init(&b);
    if (enc_decode_message(f, local_as, peer_as, &a, &out) < 0)
        goto done;
    key.has_address = key.has_local_address = key.has_local_as = key.has_peer_as = true;
    key.address.data = (uint8_t *)remote;
    key.address.len = 4;
    key.local_address.data = (uint8_t *)local;
    key.local_address.len = 4;
    key.local_as = local_as;
    key.peer_as = peer_as;
    ev.peer = &key;
    ev.has_direction = true;
    ev.direction = BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED;
    if (out.eor) {
        eor.family = proto_family(&a, out.eor_afi, out.eor_safi);
        ev.body_case = BGPBUS__V1__EVENT__BODY_EOR;
        ev.eor = &eor;
    } else {
        update_to_proto(&out, &a, &u);
        ev.body_case = BGPBUS__V1__EVENT__BODY_UPDATE;
        ev.update = &u;
    }
    if ((text ? exa_text_event(&ev, EXA_PARSED, 0, &b)
              : exa_json_event(&ev, &env, 1, EXA_PARSED, 0, &b)) < 0 ||
        b.oom) {
        printf("FAIL the event does not render\n");
    } else if (!text) {
        printf("JSON %.*s\n", (int)b.len, b.data);
    } else {
        for (const char *line = b.data; *line != '\0';) {
            const char *nl = strchr(line, '\n');
            size_t n = nl != NULL ? (size_t)(nl - line) : strlen(line);

            printf("TEXT %.*s\n", (int)n, line);
            line += n + (nl != NULL);
        }
    }
done:
    exa_buf_free(&b);
    arena_free(&a);
}

/* Splits line at tabs into at most ENC_MAX_FIELDS fields (the last one keeps its tabs). */
static size_t
enc_split(char *line, char **f)
{
    size_t n = 0;

    f[n++] = line;
    for (char *p = line; *p != '\0' && n < ENC_MAX_FIELDS; p++) {
        if (*p == '\t') {
            *p = '\0';
            f[n++] = p + 1;
        }
    }
    return n;
}

int
main(void)
{
    struct arena arena;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    arena_init(&arena, 65536);
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        char *f[ENC_MAX_FIELDS];
        struct enc_peer peer;

        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        size_t nf = enc_split(line, f);
        if (nf == 4 && strcmp(f[0], "DECODE") == 0)
            enc_decode(f);
        else if ((nf == 4 || nf == 6) && (strcmp(f[0], "JSON") == 0 || strcmp(f[0], "TEXT") == 0))
            enc_render(f, nf, f[0][0] == 'T');
        else if (nf != ENC_MAX_FIELDS || !enc_parse_peer(f, &peer))
            printf("FAIL bad request line (want local-as, peer-as, asn4, local-address, "
                   "add-path, command separated by tabs)\n");
        else
            enc_one(&peer, f[5], &arena);
        printf("END\n");
        if (fflush(stdout) != 0)
            break;
        arena_reset(&arena);
    }
    free(line);
    arena_free(&arena);
    return ferror(stdout) ? 1 : 0;
}
