/* AS_PATH (RFC 4271 4.3, RFC 5065 3), AS4_PATH and the 2-octet/4-octet conversions of
 * RFC 6793 (4.2.2 sending to an OLD speaker, 4.2.3 reconstructing the path from one). */
#include "attr.h"

#include <string.h>

#include "cap.h"

#define SEG_SET        1
#define SEG_SEQUENCE   2
#define SEG_CONFED_SEQ 3
#define SEG_CONFED_SET 4

static bool
seg_is_confed(unsigned type)
{
    return type == SEG_CONFED_SEQ || type == SEG_CONFED_SET;
}

/*
 * Parses segments of asz-octet ASNs. Returns NULL with *why set when malformed (RFC 7606 7.2:
 * unknown segment type, zero-length segment, overrun). Confederation segments are dropped
 * when keep_confed is false (RFC 6793 6, for AS4_PATH).
 */
static Bgpbus__V1__AsPath *
aspath_parse(struct arena *a, const uint8_t *val, size_t len, unsigned asz, bool keep_confed,
             bool *has_confed, const char **why)
{
    Bgpbus__V1__AsPath *path = arena_alloc(a, sizeof(*path));
    Bgpbus__V1__AsPathSegment **segs;
    struct wire_rd r;
    size_t nseg = 0;

    *has_confed = false;
    if (path == NULL) {
        *why = "out of memory";
        return NULL;
    }
    bgpbus__v1__as_path__init(path);
    /* Each segment takes at least asz + 2 octets: bounds the segment array. */
    segs = arena_calloc(a, len / (asz + 2) + 1, sizeof(*segs));
    if (segs == NULL) {
        *why = "out of memory";
        return NULL;
    }
    wire_rd_init(&r, val, len);
    while (wire_rd_left(&r) > 0) {
        Bgpbus__V1__AsPathSegment *s;
        uint8_t type, count;
        const uint8_t *p;

        if (!wire_get_u8(&r, &type) || !wire_get_u8(&r, &count)) {
            *why = "AS_PATH segment header overruns the attribute";
            return NULL;
        }
        if (type < SEG_SET || type > SEG_CONFED_SET) {
            *why = "unknown AS_PATH segment type";
            return NULL;
        }
        if (count == 0) {
            *why = "empty AS_PATH segment";
            return NULL;
        }
        if (!wire_get_ref(&r, (size_t)count * asz, &p)) {
            *why = "AS_PATH segment overruns the attribute";
            return NULL;
        }
        if (seg_is_confed(type)) {
            *has_confed = true;
            if (!keep_confed)
                continue;
        }
        s = arena_alloc(a, sizeof(*s));
        if (s == NULL) {
            *why = "out of memory";
            return NULL;
        }
        bgpbus__v1__as_path_segment__init(s);
        s->asns = arena_calloc(a, count, sizeof(uint32_t));
        if (s->asns == NULL) {
            *why = "out of memory";
            return NULL;
        }
        s->has_type = true;
        s->type = (Bgpbus__V1__AsPathSegmentType)type;
        s->n_asns = count;
        for (unsigned i = 0; i < count; i++)
            s->asns[i] = asz == 4 ? wire_load_u32(p + 4 * i) : wire_load_u16(p + 2 * i);
        segs[nseg++] = s;
    }
    path->segments = segs;
    path->n_segments = nseg;
    return path;
}

bool
attr_aspath_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    const struct bgp_session_codec *ctx = d->ctx;
    Bgpbus__V1__AsPath *path;
    bool has_confed;

    path = aspath_parse(d->a, val, len, ctx->asn4 ? 4 : 2, true, &has_confed, &d->reason);
    if (path == NULL)
        return false;
    /* RFC 5065 5.3 / RFC 7606 7.2: confederation segments from outside the confederation. */
    if (has_confed && !ctx->ibgp && !ctx->confed) {
        d->reason = "AS_CONFED segment from an external peer";
        return false;
    }
    /* RFC 4271 6.3: an external peer's AS_PATH starts with its own AS (handled as
     * treat-as-withdraw, RFC 7606 7.2). */
    if (ctx->check_first_as && !ctx->ibgp && !ctx->confed && ctx->peer_as != 0) {
        const Bgpbus__V1__AsPathSegment *s0 = path->n_segments ? path->segments[0] : NULL;

        if (s0 == NULL ||
            s0->type != BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE ||
            s0->asns[0] != ctx->peer_as) {
            d->reason = "AS_PATH does not start with the peer AS";
            return false;
        }
    }
    d->attrs->as_path = path;
    return true;
}

bool
attr_as4path_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    bool has_confed;

    /* RFC 6793 6: a NEW speaker ignores AS4_PATH from a NEW speaker. */
    if (d->ctx->asn4) {
        d->action = ACT_DISCARD;
        d->reason = "AS4_PATH on a 4-octet AS session (RFC 6793 6)";
        return true;
    }
    d->as4_path = aspath_parse(d->a, val, len, 4, false, &has_confed, &d->reason);
    return d->as4_path != NULL;
}

/* RFC 6793 4.2.3: the number of ASes, an AS_SET counting one, confederations none. */
static size_t
aspath_count(const Bgpbus__V1__AsPath *p)
{
    size_t n = 0;

    for (size_t i = 0; p != NULL && i < p->n_segments; i++) {
        switch (p->segments[i]->type) {
        case SEG_SEQUENCE: n += p->segments[i]->n_asns; break;
        case SEG_SET: n += 1; break;
        default: break;
        }
    }
    return n;
}

void
attr_as4_merge(struct attr_dec *d)
{
    Bgpbus__V1__Attributes *attrs = d->attrs;
    Bgpbus__V1__AsPath *path = attrs->as_path, *as4 = d->as4_path, *merged;
    size_t n_as, n_as4, take, nseg = 0;

    if (d->as4_aggregator != NULL || as4 != NULL) {
        /* RFC 6793 4.2.3: an AGGREGATOR with a real 2-octet AS means the path was
         * aggregated by an OLD speaker: AS4_AGGREGATOR and AS4_PATH are stale. */
        if (attrs->aggregator != NULL && attrs->aggregator->asn != BGP_AS_TRANS) {
            return;
        }
        if (d->as4_aggregator != NULL && attrs->aggregator != NULL) {
            attrs->aggregator = d->as4_aggregator;
            d->out->as4_merged = true;
        }
    }
    if (as4 == NULL || path == NULL)
        return;
    n_as = aspath_count(path);
    n_as4 = aspath_count(as4);
    /* RFC 6793 4.2.3: a longer AS4_PATH than AS_PATH is ignored. */
    if (n_as < n_as4)
        return;
    take = n_as - n_as4;
    merged = arena_alloc(d->a, sizeof(*merged));
    if (merged == NULL)
        return;
    bgpbus__v1__as_path__init(merged);
    merged->segments = arena_calloc(d->a, path->n_segments + as4->n_segments, sizeof(void *));
    if (merged->segments == NULL)
        return;
    /* The leading ASes of AS_PATH (with the confederation segments among them), then
     * AS4_PATH. */
    for (size_t i = 0; i < path->n_segments && take > 0; i++) {
        Bgpbus__V1__AsPathSegment *s = path->segments[i], *part;

        if (s->type == SEG_SEQUENCE && s->n_asns > take) {
            part = arena_memdup(d->a, s, sizeof(*s));
            if (part == NULL)
                return;
            part->n_asns = take;
            merged->segments[nseg++] = part;
            take = 0;
            break;
        }
        merged->segments[nseg++] = s;
        if (s->type == SEG_SEQUENCE)
            take -= s->n_asns;
        else if (s->type == SEG_SET)
            take -= 1;
    }
    for (size_t i = 0; i < as4->n_segments; i++)
        merged->segments[nseg++] = as4->segments[i];
    merged->n_segments = nseg;
    attrs->as_path = merged;
    d->out->as4_merged = true;
}

/* Writes segments; 2-octet ASNs use AS_TRANS for what does not fit (RFC 6793 4.2.2). */
static int
aspath_put_segments(const Bgpbus__V1__AsPath *p, bool asn4, bool skip_confed, struct wire_wr *w,
                    const char **why)
{
    for (size_t i = 0; i < p->n_segments; i++) {
        const Bgpbus__V1__AsPathSegment *s = p->segments[i];
        unsigned type = s->has_type && s->type != 0 ? (unsigned)s->type : SEG_SEQUENCE;

        if (type > SEG_CONFED_SET) {
            *why = "unknown AS_PATH segment type";
            return -1;
        }
        if (s->n_asns == 0) {
            *why = "empty AS_PATH segment";
            return -1;
        }
        if (skip_confed && seg_is_confed(type))
            continue;
        /* A segment holds at most 255 ASNs; longer ones continue in another segment. A set
         * cannot be split without changing its meaning. */
        if (s->n_asns > 255 && (type == SEG_SET || type == SEG_CONFED_SET)) {
            *why = "AS_SET longer than 255 ASNs";
            return -1;
        }
        for (size_t off = 0; off < s->n_asns; off += 255) {
            size_t n = s->n_asns - off > 255 ? 255 : s->n_asns - off;

            wire_put_u8(w, (uint8_t)type);
            wire_put_u8(w, (uint8_t)n);
            for (size_t k = 0; k < n; k++) {
                uint32_t as = s->asns[off + k];

                if (asn4)
                    wire_put_u32(w, as);
                else
                    wire_put_u16(w, as > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)as);
            }
        }
    }
    return 0;
}

int
attr_aspath_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                   const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    size_t start = attr_begin(w, ATTR_F_TRANSITIVE, ATTR_AS_PATH);

    if (a->as_path != NULL) {
        if (aspath_put_segments(a->as_path, ctx->asn4, false, w, why) < 0)
            return -1;
    } else if (!ctx->ibgp && !ctx->confed) {
        /* Absent towards an external peer: our AS alone (RFC 4271 5.1.2). */
        wire_put_u8(w, SEG_SEQUENCE);
        wire_put_u8(w, 1);
        if (ctx->asn4)
            wire_put_u32(w, ctx->local_as);
        else
            wire_put_u16(w, ctx->local_as > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)ctx->local_as);
    }
    attr_end(w, start);
    return 0;
}

int
attr_as4path_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                    const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    const Bgpbus__V1__AsPath *p = a->as_path;
    bool needed = false;
    size_t start;

    if (ctx->asn4)
        return 0;
    if (p == NULL) {
        /* The default path is our AS alone. */
        if (ctx->ibgp || ctx->confed || ctx->local_as <= UINT16_MAX)
            return 0;
        start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AS4_PATH);
        wire_put_u8(w, SEG_SEQUENCE);
        wire_put_u8(w, 1);
        wire_put_u32(w, ctx->local_as);
        attr_end(w, start);
        return 0;
    }
    /* RFC 6793 4.2.2: only when some AS does not fit in 2 octets; no confederation
     * segments in AS4_PATH. */
    for (size_t i = 0; i < p->n_segments && !needed; i++)
        for (size_t k = 0; k < p->segments[i]->n_asns; k++)
            if (p->segments[i]->asns[k] > UINT16_MAX && !seg_is_confed(p->segments[i]->type))
                needed = true;
    if (!needed)
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AS4_PATH);
    if (aspath_put_segments(p, true, true, w, why) < 0)
        return -1;
    attr_end(w, start);
    return 0;
}
