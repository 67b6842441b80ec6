/* Hooks for the single-valued attributes: ORIGIN, NEXT_HOP, MED, LOCAL_PREF,
 * ATOMIC_AGGREGATE, AGGREGATOR, ORIGINATOR_ID, CLUSTER_LIST, AS4_AGGREGATOR, AIGP. */
#include "attr.h"

#include <string.h>

#include "cap.h"

#define AIGP_TLV_AIGP 1 /* RFC 7311 3 */

static void
attr_put_fixed(struct wire_wr *w, uint8_t flags, uint8_t type, const void *val, size_t len)
{
    size_t start = attr_begin(w, flags, type);

    wire_put_bytes(w, val, len);
    attr_end(w, start);
}

static void
attr_put_u32(struct wire_wr *w, uint8_t flags, uint8_t type, uint32_t v)
{
    uint8_t b[4];

    wire_store_u32(b, v);
    attr_put_fixed(w, flags, type, b, 4);
}

bool
attr_origin_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    /* RFC 7606 7.1: an undefined value is treat-as-withdraw. */
    if (val[0] > 2) {
        d->reason = "undefined ORIGIN value";
        return false;
    }
    d->attrs->has_origin = true;
    d->attrs->origin = (Bgpbus__V1__Origin)(val[0] + 1);
    return true;
}

int
attr_origin_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                   const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    uint8_t v = 0; /* absent: IGP, as ExaBGP */

    if (a->has_origin && a->origin != BGPBUS__V1__ORIGIN__ORIGIN_UNSPECIFIED) {
        if (a->origin > BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE) {
            *why = "ORIGIN out of range";
            return -1;
        }
        v = (uint8_t)(a->origin - 1);
    }
    attr_put_fixed(w, ATTR_F_TRANSITIVE, ATTR_ORIGIN, &v, 1);
    return 0;
}

static Bgpbus__V1__NextHop *
attr_new_nexthop(struct arena *a, const uint8_t *addr, size_t len)
{
    Bgpbus__V1__NextHop *nh = arena_alloc(a, sizeof(*nh));

    if (nh == NULL)
        return NULL;
    bgpbus__v1__next_hop__init(nh);
    nh->has_address = true;
    nh->address.data = (uint8_t *)addr;
    nh->address.len = len;
    return nh;
}

bool
attr_nexthop_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    uint32_t nh = wire_load_u32(val);

    /* RFC 4271 6.3, RFC 7606 7.3: not a valid host address (0/8 "this network", class D
     * multicast, limited broadcast) is treat-as-withdraw. */
    if ((nh >> 24) == 0 || (nh >> 28) == 0xe || nh == 0xffffffffu) {
        d->reason = "NEXT_HOP is not a valid host address";
        return false;
    }
    d->attrs->next_hop = attr_new_nexthop(d->a, val, 4);
    if (d->attrs->next_hop == NULL) {
        d->reason = "out of memory";
        d->action = ACT_RESET;
        return false;
    }
    return true;
}

int
attr_nexthop_bytes(const Bgpbus__V1__NextHop *nh, enum bgp_family fam,
                   const struct bgp_session_codec *ctx, const struct nexthop_ctx *self,
                   uint8_t out[32])
{
    unsigned alen = bgp_family_addr_len(fam);
    const uint8_t *addr = NULL, *ll = NULL;
    size_t len = 0;

    if (nh == NULL || alen == 0)
        return -1;
    if (nh->has_use_local_address && nh->use_local_address) {
        if (self == NULL)
            return -1;
        if (alen == 16 ||
            (self->has_v6 && !self->has_v4 && bgp_famset_has(ctx->ext_nexthop_send, fam))) {
            if (!self->has_v6)
                return -1;
            addr = self->v6;
            len = 16;
            if (self->has_v6_ll)
                ll = self->v6_ll;
        } else {
            if (!self->has_v4)
                return -1;
            addr = self->v4;
            len = 4;
        }
    } else if (nh->has_address) {
        addr = nh->address.data;
        len = nh->address.len;
        if (nh->has_link_local && nh->link_local.len == 16)
            ll = nh->link_local.data;
    }
    if (addr == NULL || (len != 4 && len != 16))
        return -1;
    /* RFC 8950: an IPv6 next hop for IPv4 NLRI only when the peer announced it. */
    if (alen == 4 && len == 16 && !bgp_famset_has(ctx->ext_nexthop_send, fam))
        return -1;
    memcpy(out, addr, len);
    if (len == 16 && ll != NULL) {
        memcpy(out + 16, ll, 16); /* RFC 2545 3: global then link-local */
        len = 32;
    }
    return (int)len;
}

int
attr_nexthop_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                    const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    uint8_t nh[32];

    if (!v4nh)
        return 0;
    if (attr_nexthop_bytes(a->next_hop, BGP_FAM_IPV4_UNICAST, ctx, self, nh) != 4) {
        *why = "missing or unusable IPv4 next-hop";
        return -1;
    }
    attr_put_fixed(w, ATTR_F_TRANSITIVE, ATTR_NEXT_HOP, nh, 4);
    return 0;
}

bool
attr_med_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    d->attrs->has_med = true;
    d->attrs->med = wire_load_u32(val);
    return true;
}

int
attr_med_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    if (a->has_med)
        attr_put_u32(w, ATTR_F_OPTIONAL, ATTR_MED, a->med);
    return 0;
}

bool
attr_local_pref_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    /* RFC 7606 7.5: LOCAL_PREF from an external peer is discarded. */
    if (!d->ctx->ibgp && !d->ctx->confed) {
        d->action = ACT_DISCARD;
        d->reason = "LOCAL_PREF from an external peer";
        return true;
    }
    d->attrs->has_local_pref = true;
    d->attrs->local_pref = wire_load_u32(val);
    return true;
}

int
attr_local_pref_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                       const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                       const char **why)
{
    /* RFC 4271 5.1.5: iBGP (and confederation) only; 100 when not given. */
    if (!ctx->ibgp && !ctx->confed)
        return 0;
    attr_put_u32(w, ATTR_F_TRANSITIVE, ATTR_LOCAL_PREF, a->has_local_pref ? a->local_pref : 100);
    return 0;
}

bool
attr_atomic_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    d->attrs->has_atomic_aggregate = true;
    d->attrs->atomic_aggregate = true;
    return true;
}

int
attr_atomic_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                   const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    if (a->has_atomic_aggregate && a->atomic_aggregate)
        attr_put_fixed(w, ATTR_F_TRANSITIVE, ATTR_ATOMIC_AGGREGATE, NULL, 0);
    return 0;
}

static Bgpbus__V1__Aggregator *
attr_new_aggregator(struct arena *a, uint32_t asn, const uint8_t *addr)
{
    Bgpbus__V1__Aggregator *ag = arena_alloc(a, sizeof(*ag));

    if (ag == NULL)
        return NULL;
    bgpbus__v1__aggregator__init(ag);
    ag->has_asn = ag->has_address = true;
    ag->asn = asn;
    ag->address.data = (uint8_t *)addr;
    ag->address.len = 4;
    return ag;
}

bool
attr_aggregator_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    /* RFC 7606 7.7: 6 octets on a 2-octet session, 8 on a 4-octet one. */
    if (len != (d->ctx->asn4 ? 8u : 6u)) {
        d->reason = "AGGREGATOR length does not match the AS size";
        return false;
    }
    if (d->ctx->asn4)
        d->attrs->aggregator = attr_new_aggregator(d->a, wire_load_u32(val), val + 4);
    else
        d->attrs->aggregator = attr_new_aggregator(d->a, wire_load_u16(val), val + 2);
    if (d->attrs->aggregator == NULL) {
        d->action = ACT_RESET;
        d->reason = "out of memory";
        return false;
    }
    return true;
}

static bool
attr_aggregator_ok(const Bgpbus__V1__Aggregator *ag)
{
    return ag != NULL && ag->has_address && ag->address.len == 4;
}

int
attr_aggregator_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                       const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                       const char **why)
{
    const Bgpbus__V1__Aggregator *ag = a->aggregator;
    size_t start;

    if (ag == NULL)
        return 0;
    if (!attr_aggregator_ok(ag)) {
        *why = "AGGREGATOR needs a 4-octet address";
        return -1;
    }
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AGGREGATOR);
    if (ctx->asn4)
        wire_put_u32(w, ag->asn);
    else /* RFC 6793 4.2.2: AS_TRANS, with the real AS in AS4_AGGREGATOR */
        wire_put_u16(w, ag->asn > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)ag->asn);
    wire_put_bytes(w, ag->address.data, 4);
    attr_end(w, start);
    return 0;
}

bool
attr_as4_aggregator_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    /* RFC 6793 4.2.2/6: only 2-octet sessions carry it; from a NEW speaker it is ignored. */
    if (d->ctx->asn4) {
        d->action = ACT_DISCARD;
        d->reason = "AS4_AGGREGATOR on a 4-octet AS session (RFC 6793 6)";
        return true;
    }
    d->as4_aggregator = attr_new_aggregator(d->a, wire_load_u32(val), val + 4);
    if (d->as4_aggregator == NULL) {
        d->action = ACT_RESET;
        d->reason = "out of memory";
        return false;
    }
    return true;
}

int
attr_as4_aggregator_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                           const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                           const char **why)
{
    const Bgpbus__V1__Aggregator *ag = a->aggregator;
    size_t start;

    /* RFC 6793 4.2.2: only towards a 2-octet peer, and only when the AS does not fit. */
    if (ctx->asn4 || ag == NULL || ag->asn <= UINT16_MAX || !attr_aggregator_ok(ag))
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AS4_AGGREGATOR);
    wire_put_u32(w, ag->asn);
    wire_put_bytes(w, ag->address.data, 4);
    attr_end(w, start);
    return 0;
}

bool
attr_originator_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    d->attrs->has_originator_id = true;
    d->attrs->originator_id.data = (uint8_t *)val;
    d->attrs->originator_id.len = 4;
    return true;
}

int
attr_originator_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                       const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                       const char **why)
{
    /* RFC 4456 8: a route reflection attribute, never sent to an external peer. */
    if (!a->has_originator_id || (!ctx->ibgp && !ctx->confed))
        return 0;
    if (a->originator_id.len != 4) {
        *why = "ORIGINATOR_ID must be 4 octets";
        return -1;
    }
    attr_put_fixed(w, ATTR_F_OPTIONAL, ATTR_ORIGINATOR_ID, a->originator_id.data, 4);
    return 0;
}

bool
attr_cluster_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    size_t n = len / 4;
    ProtobufCBinaryData *v = arena_calloc(d->a, n, sizeof(*v));

    if (v == NULL) {
        d->action = ACT_RESET;
        d->reason = "out of memory";
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        v[i].data = (uint8_t *)val + 4 * i;
        v[i].len = 4;
    }
    d->attrs->cluster_list = v;
    d->attrs->n_cluster_list = n;
    return true;
}

int
attr_cluster_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                    const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    size_t start;

    if (a->n_cluster_list == 0 || (!ctx->ibgp && !ctx->confed))
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL, ATTR_CLUSTER_LIST);
    for (size_t i = 0; i < a->n_cluster_list; i++) {
        if (a->cluster_list[i].len != 4) {
            *why = "CLUSTER_LIST entries must be 4 octets";
            return -1;
        }
        wire_put_bytes(w, a->cluster_list[i].data, 4);
    }
    attr_end(w, start);
    return 0;
}

bool
attr_aigp_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    struct wire_rd r;
    bool found = false;

    /* RFC 7311 3.1: from a peer outside the AIGP domain, the attribute is discarded. */
    if (!d->ctx->ibgp && !d->ctx->confed && !d->ctx->aigp) {
        d->action = ACT_DISCARD;
        d->reason = "AIGP from a peer outside the AIGP domain";
        return true;
    }
    wire_rd_init(&r, val, len);
    while (wire_rd_left(&r) > 0) {
        uint8_t type;
        uint16_t tlen;
        const uint8_t *v;

        /* RFC 7311 3: TLV length counts the 3-octet header; the AIGP TLV is 11 octets. */
        if (!wire_get_u8(&r, &type) || !wire_get_u16(&r, &tlen) || tlen < 3 ||
            !wire_get_ref(&r, tlen - 3u, &v)) {
            d->reason = "malformed AIGP TLV";
            return false;
        }
        if (type == AIGP_TLV_AIGP) {
            if (tlen != 11 || found) {
                d->reason = "malformed AIGP TLV";
                return false;
            }
            d->attrs->has_aigp = true;
            d->attrs->aigp = (uint64_t)wire_load_u32(v) << 32 | wire_load_u32(v + 4);
            found = true;
        }
    }
    return true;
}

int
attr_aigp_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                 const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    size_t start;

    if (!a->has_aigp)
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL, ATTR_AIGP);
    wire_put_u8(w, AIGP_TLV_AIGP);
    wire_put_u16(w, 11);
    wire_put_u32(w, (uint32_t)(a->aigp >> 32));
    wire_put_u32(w, (uint32_t)a->aigp);
    attr_end(w, start);
    return 0;
}
