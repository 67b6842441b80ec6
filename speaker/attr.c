/*
 * The attribute table and the decode/encode drivers around it.
 *
 * One row per type code: expected flags, length bounds, hooks, and the RFC 7606 action taken
 * when the attribute is malformed. The driver applies the rules common to all attributes
 * (RFC 7606 3 and 4: flags, duplicates, overruns, unrecognized well-known attributes); the
 * hooks check what is particular to each value.
 */
#include "attr.h"

#include <string.h>

struct attr_row {
    const char *name;
    uint8_t flags; /* expected ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE */
    uint16_t min_len;
    uint16_t max_len;
    uint8_t len_multiple; /* the value is a whole number of these (0: no rule) */
    enum attr_action action;
    const char *rule; /* where the action comes from */
    attr_decode_fn decode;
    attr_encode_fn encode;
};

#define WK  ATTR_F_TRANSITIVE                     /* well-known */
#define OT  (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE) /* optional transitive */
#define ONT ATTR_F_OPTIONAL                       /* optional non-transitive */

/* clang-format off */
static const struct attr_row attr_table[256] = {
    [ATTR_ORIGIN] = { "ORIGIN", WK, 1, 1, 0, ACT_WITHDRAW, "RFC 7606 7.1",
                      attr_origin_decode, attr_origin_encode },
    [ATTR_AS_PATH] = { "AS_PATH", WK, 0, 0xffff, 0, ACT_WITHDRAW, "RFC 7606 7.2",
                       attr_aspath_decode, attr_aspath_encode },
    [ATTR_NEXT_HOP] = { "NEXT_HOP", WK, 4, 4, 0, ACT_WITHDRAW, "RFC 7606 7.3",
                        attr_nexthop_decode, attr_nexthop_encode },
    [ATTR_MED] = { "MULTI_EXIT_DISC", ONT, 4, 4, 0, ACT_WITHDRAW, "RFC 7606 7.4",
                   attr_med_decode, attr_med_encode },
    [ATTR_LOCAL_PREF] = { "LOCAL_PREF", WK, 4, 4, 0, ACT_WITHDRAW, "RFC 7606 7.5",
                          attr_local_pref_decode, attr_local_pref_encode },
    [ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", WK, 0, 0, 0, ACT_DISCARD, "RFC 7606 7.6",
                                attr_atomic_decode, attr_atomic_encode },
    [ATTR_AGGREGATOR] = { "AGGREGATOR", OT, 6, 8, 0, ACT_DISCARD, "RFC 7606 7.7",
                          attr_aggregator_decode, attr_aggregator_encode },
    [ATTR_COMMUNITIES] = { "COMMUNITIES", OT, 4, 0xffff, 4, ACT_WITHDRAW, "RFC 7606 7.8",
                           attr_communities_decode, attr_communities_encode },
    [ATTR_ORIGINATOR_ID] = { "ORIGINATOR_ID", ONT, 4, 4, 0, ACT_WITHDRAW, "RFC 7606 7.9",
                             attr_originator_decode, attr_originator_encode },
    [ATTR_CLUSTER_LIST] = { "CLUSTER_LIST", ONT, 4, 0xffff, 4, ACT_WITHDRAW, "RFC 7606 7.10",
                            attr_cluster_decode, attr_cluster_encode },
    [ATTR_MP_REACH_NLRI] = { "MP_REACH_NLRI", ONT, 5, 0xffff, 0, ACT_RESET, "RFC 7606 7.11",
                             attr_mp_reach_decode, NULL },
    [ATTR_MP_UNREACH_NLRI] = { "MP_UNREACH_NLRI", ONT, 3, 0xffff, 0, ACT_RESET,
                               "RFC 7606 7.12", attr_mp_unreach_decode, NULL },
    [ATTR_EXT_COMMUNITIES] = { "EXTENDED_COMMUNITIES", OT, 8, 0xffff, 8, ACT_WITHDRAW,
                               "RFC 7606 7.14", attr_ext_communities_decode,
                               attr_ext_communities_encode },
    [ATTR_AS4_PATH] = { "AS4_PATH", OT, 0, 0xffff, 0, ACT_DISCARD, "RFC 7606 7.2, RFC 6793 6",
                        attr_as4path_decode, attr_as4path_encode },
    [ATTR_AS4_AGGREGATOR] = { "AS4_AGGREGATOR", OT, 8, 8, 0, ACT_DISCARD,
                              "RFC 7606 7.7, RFC 6793 6", attr_as4_aggregator_decode,
                              attr_as4_aggregator_encode },
    /* RFC 6514 has no error handling section: the tunnel is the route's meaning (RFC 7606 2,
     * treat-as-withdraw). */
    [ATTR_PMSI_TUNNEL] = { "PMSI_TUNNEL", OT, 5, 0xffff, 0, ACT_WITHDRAW, "RFC 6514 5, RFC 7606 2",
                           attr_pmsi_decode, attr_pmsi_encode },
    [ATTR_IPV6_EXT_COMMUNITIES] = { "IPV6_EXTENDED_COMMUNITIES", OT, 20, 0xffff, 20,
                                    ACT_WITHDRAW, "RFC 7606 7.15",
                                    attr_ipv6_ext_communities_decode,
                                    attr_ipv6_ext_communities_encode },
    [ATTR_AIGP] = { "AIGP", ONT, 3, 0xffff, 0, ACT_DISCARD, "RFC 7311 3.2",
                    attr_aigp_decode, attr_aigp_encode },
    [ATTR_LARGE_COMMUNITIES] = { "LARGE_COMMUNITY", OT, 12, 0xffff, 12, ACT_WITHDRAW,
                                 "RFC 8092 5", attr_large_communities_decode,
                                 attr_large_communities_encode },
};
/* clang-format on */

const char *
attr_name(uint8_t type)
{
    return attr_table[type].name ? attr_table[type].name : "UNKNOWN";
}

void
bgp_session_codec_init(struct bgp_session_codec *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->asn4 = true;
    ctx->aigp = true;
    ctx->max_msg_len = BGP_MSG_EXT_MAX;
    ctx->mrt_family = BGP_FAM_NONE;
}

static void
attr_record_discard(struct update_decoded *out, uint8_t type, const char *reason)
{
    if (out->discarded_count < UPDATE_DISCARD_MAX) {
        out->discarded[out->discarded_count].type = type;
        out->discarded[out->discarded_count].reason = reason;
    }
    out->discarded_count++;
}

static void
attr_record_withdraw(struct update_decoded *out, uint8_t type, const char *reason)
{
    if (!out->treat_as_withdraw) {
        out->treat_as_withdraw = true;
        out->withdraw_attr = type;
        out->withdraw_reason = reason;
    }
}

/* Keeps an attribute we do not decode, as received (RFC 4271 5: passed on if transitive). */
static bool
attr_keep_unknown(struct attr_dec *d, uint8_t flags, uint8_t type, const uint8_t *val, size_t len)
{
    Bgpbus__V1__Attributes *attrs = d->attrs;
    Bgpbus__V1__UnknownAttribute *u, **v;

    /* Grow by doubling inside the arena; UPDATEs with many unknown attributes are rare. */
    if ((attrs->n_unknown & (attrs->n_unknown - 1)) == 0) {
        size_t ncap = attrs->n_unknown ? attrs->n_unknown * 2 : 4;

        v = arena_calloc(d->a, ncap, sizeof(*v));
        if (v == NULL)
            return false;
        if (attrs->n_unknown > 0)
            memcpy(v, attrs->unknown, attrs->n_unknown * sizeof(*v));
        attrs->unknown = v;
    }
    u = arena_alloc(d->a, sizeof(*u));
    if (u == NULL)
        return false;
    bgpbus__v1__unknown_attribute__init(u);
    u->has_flags = u->has_type = u->has_value = true;
    u->flags = flags;
    u->type = type;
    u->value.data = (uint8_t *)val;
    u->value.len = len;
    attrs->unknown[attrs->n_unknown++] = u;
    return true;
}

/* The attribute as on the wire, for NOTIFICATION data (RFC 4271 6.3). */
static int
attr_reset(struct bgp_error *err, uint8_t subcode, const uint8_t *attr, size_t attr_len,
           const char *why)
{
    return bgp_error_set(err, BGP_ERR_UPDATE, subcode, attr, attr_len, why);
}

int
attrs_decode(const uint8_t *buf, size_t len, const struct bgp_session_codec *ctx, struct arena *a,
             struct update_decoded *out, struct bgp_error *err)
{
    uint8_t seen[256 / 8] = { 0 };
    struct attr_dec d;
    struct wire_rd r;

    out->attrs = arena_alloc(a, sizeof(*out->attrs));
    if (out->attrs == NULL)
        return bgp_error_set(err, BGP_ERR_CEASE, BGP_ERR_CEASE_OUT_OF_RESOURCES, NULL, 0,
                             "out of memory");
    bgpbus__v1__attributes__init(out->attrs);
    out->has_attrs = len > 0;
    memset(&d, 0, sizeof(d));
    d.ctx = ctx;
    d.a = a;
    d.out = out;
    d.attrs = out->attrs;
    d.err = err;

    wire_rd_init(&r, buf, len);
    while (wire_rd_left(&r) > 0) {
        const uint8_t *start = r.p, *val;
        const struct attr_row *row;
        uint8_t flags, type, l8;
        uint16_t alen;
        enum attr_action act = ACT_NONE;
        const char *why = NULL;

        /* RFC 7606 4: fewer octets than an attribute header, or a value running past the
         * field: treat-as-withdraw, and the rest of the field cannot be parsed. */
        if (!wire_get_u8(&r, &flags) || !wire_get_u8(&r, &type)) {
            attr_record_withdraw(out, 0, "attribute header overruns the attribute field");
            break;
        }
        if (flags & ATTR_F_EXTLEN) {
            if (!wire_get_u16(&r, &alen)) {
                attr_record_withdraw(out, type, "attribute header overruns the field");
                break;
            }
        } else {
            if (!wire_get_u8(&r, &l8)) {
                attr_record_withdraw(out, type, "attribute header overruns the field");
                break;
            }
            alen = l8;
        }
        if (!wire_get_ref(&r, alen, &val)) {
            /* An MP attribute cut short cannot be located: its routes would be lost. */
            if (type == ATTR_MP_REACH_NLRI || type == ATTR_MP_UNREACH_NLRI)
                return attr_reset(err, BGP_ERR_UPDATE_ATTR_LENGTH, NULL, 0,
                                  "MP attribute overruns the attribute field");
            attr_record_withdraw(out, type, "attribute overruns the attribute field");
            break;
        }
        row = &attr_table[type];
        out->attr_count++;

        /* RFC 7606 3(g): only the first of repeated attributes counts, except MP ones. */
        if (seen[type / 8] & (1u << (type % 8))) {
            if (type == ATTR_MP_REACH_NLRI || type == ATTR_MP_UNREACH_NLRI)
                return attr_reset(err, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, NULL, 0,
                                  "MP attribute repeated (RFC 7606 3(g))");
            attr_record_discard(out, type, "repeated attribute (RFC 7606 3(g))");
            continue;
        }
        seen[type / 8] |= (uint8_t)(1u << (type % 8));

        if (row->decode == NULL) {
            /* RFC 4271 6.3: an unrecognized well-known attribute is a session error. */
            if (!(flags & ATTR_F_OPTIONAL))
                return attr_reset(err, BGP_ERR_UPDATE_UNRECOGNIZED_WK_ATTR, start,
                                  (size_t)(r.p - start), "unrecognized well-known attribute");
            /* RFC 4271 9: unrecognized non-transitive optional attributes are ignored. */
            if (!(flags & ATTR_F_TRANSITIVE)) {
                attr_record_discard(out, type, "unrecognized non-transitive (RFC 4271 9)");
                continue;
            }
            if (!attr_keep_unknown(&d, flags, type, val, alen))
                return bgp_error_set(err, BGP_ERR_CEASE, BGP_ERR_CEASE_OUT_OF_RESOURCES, NULL, 0,
                                     "out of memory");
            continue;
        }

        if ((flags & (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE)) != row->flags) {
            /* RFC 7606 3(c): flags in conflict make the attribute malformed, handled as
             * treat-as-withdraw; MP attributes cannot be, so reset (RFC 7606 5.3). */
            act = row->action == ACT_RESET ? ACT_RESET : ACT_WITHDRAW;
            why = "attribute flags error (RFC 7606 3(c))";
        } else if (alen < row->min_len || alen > row->max_len ||
                   (row->len_multiple && alen % row->len_multiple != 0)) {
            act = row->action;
            why = "attribute length error";
        } else {
            d.flags = flags;
            d.action = ACT_NONE;
            d.reason = NULL;
            if (!row->decode(&d, val, alen)) {
                act = d.action != ACT_NONE ? d.action : row->action;
                why = d.reason ? d.reason : "malformed attribute";
            } else if (d.action != ACT_NONE) {
                /* Well-formed but not acceptable here (e.g. LOCAL_PREF from eBGP). */
                act = d.action;
                why = d.reason;
            }
        }
        switch (act) {
        case ACT_NONE: break;
        case ACT_DISCARD: attr_record_discard(out, type, why); break;
        case ACT_WITHDRAW: attr_record_withdraw(out, type, why); break;
        case ACT_RESET:
            if (d.err_set)
                return -1; /* the hook chose the NOTIFICATION */
            return attr_reset(err,
                              type == ATTR_AS_PATH ? BGP_ERR_UPDATE_MALFORMED_AS_PATH
                                                   : BGP_ERR_UPDATE_OPTIONAL_ATTR,
                              start, (size_t)(r.p - start), why);
        }
    }
    if (!ctx->asn4)
        attr_as4_merge(&d);
    return 0;
}

size_t
attr_begin(struct wire_wr *w, uint8_t flags, uint8_t type)
{
    size_t start = w->len;

    /* Written with the 2-octet length; attr_end() shrinks it when the value is short. */
    wire_put_u8(w, flags | ATTR_F_EXTLEN);
    wire_put_u8(w, type);
    wire_put_u16(w, 0);
    return start;
}

void
attr_end(struct wire_wr *w, size_t start)
{
    size_t vlen;

    if (!wire_wr_ok(w) || w->len < start + 4)
        return;
    vlen = w->len - start - 4;
    if (vlen > UINT16_MAX) {
        w->overflow = true;
        return;
    }
    if (vlen <= 255) {
        w->buf[start] &= (uint8_t)~ATTR_F_EXTLEN;
        w->buf[start + 2] = (uint8_t)vlen;
        memmove(w->buf + start + 3, w->buf + start + 4, vlen);
        w->len--;
    } else {
        wire_store_u16(w->buf + start + 2, (uint16_t)vlen);
    }
}

static void
attr_encode_unknown(const Bgpbus__V1__UnknownAttribute *u, const struct bgp_session_codec *ctx,
                    struct wire_wr *w)
{
    uint8_t flags = (uint8_t)(u->flags & (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE | ATTR_F_PARTIAL));
    size_t start;

    /* RFC 4271 5: an unrecognized optional transitive attribute passed on gets Partial. */
    if (!ctx->keep_unknown_flags && (flags & ATTR_F_OPTIONAL) && (flags & ATTR_F_TRANSITIVE))
        flags |= ATTR_F_PARTIAL;
    start = attr_begin(w, flags, (uint8_t)u->type);
    wire_put_bytes(w, u->value.data, u->value.len);
    attr_end(w, start);
}

int
attrs_encode(const Bgpbus__V1__Attributes *attrs, const struct bgp_session_codec *ctx,
             const struct nexthop_ctx *self, bool ipv4_nexthop, struct wire_wr *w, const char **why)
{
    /* Typed attributes whose rows do not exist yet must not vanish silently. */
    if (attrs->prefix_sid != NULL) {
        *why = "BGP Prefix-SID cannot be encoded yet";
        return -1;
    }
    for (size_t i = 0; i < attrs->n_unknown; i++) {
        if (attrs->unknown[i]->type == 0 || attrs->unknown[i]->type > 255 ||
            attrs->unknown[i]->value.len > UINT16_MAX) {
            *why = "unknown attribute type or length out of range";
            return -1;
        }
    }
    for (unsigned type = 1; type < 256; type++) {
        const struct attr_row *row = &attr_table[type];
        size_t before = w->len;

        if (row->encode != NULL && row->encode(attrs, ctx, self, ipv4_nexthop, w, why) < 0)
            return -1;
        for (size_t i = 0; i < attrs->n_unknown; i++) {
            const Bgpbus__V1__UnknownAttribute *u = attrs->unknown[i];

            if (u->type != type)
                continue;
            /* A typed field wins over an unknown one of the same code; MP attributes are
             * built by update_build, never taken from here. */
            if (w->len != before || type == ATTR_MP_REACH_NLRI || type == ATTR_MP_UNREACH_NLRI)
                continue;
            attr_encode_unknown(u, ctx, w);
            before = (size_t)-1; /* only the first of a code is sent */
        }
    }
    if (!wire_wr_ok(w)) {
        *why = "attributes do not fit";
        return -1;
    }
    return 0;
}
