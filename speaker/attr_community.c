/* COMMUNITIES (RFC 1997), EXTENDED_COMMUNITIES (RFC 4360), IPv6 Address Specific Extended
 * Communities (RFC 5701) and LARGE_COMMUNITY (RFC 8092). */
#include "attr.h"
#include "flow_ecomm.h"
#include "l2vpn_ecomm.h"

#include <string.h>

/* RFC 4360 3 / RFC 5668: high-order type octets (transitive forms) of the admin layouts. */
#define EC_TYPE_AS2         0x00
#define EC_TYPE_IPV4        0x01
#define EC_TYPE_AS4         0x02
#define EC_SUB_RT           0x02
#define EC_SUB_RO           0x03
#define EC_SUB_REDIRECT     0x08 /* RFC 8955 7.4 with types 0x80/0x81/0x82 (RFC 7674) */
/* IPv6-address-specific FlowSpec actions (type 0x00): redirect to IPv6 next hop
 * (draft-ietf-idr-flowspec-redirect-ip 2, sub-type 0x0c) and rt-redirect-ipv6 (RFC 8956 6). */
#define EC6_SUB_REDIRECT_IP 0x0c
#define EC6_SUB_REDIRECT    0x0d

#define OOM(d)                                                                                     \
    do {                                                                                           \
        (d)->action = ACT_RESET;                                                                   \
        (d)->reason = "out of memory";                                                             \
        return false;                                                                              \
    } while (0)

bool
attr_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    size_t n = len / 4;
    uint32_t *v = arena_calloc(d->a, n, sizeof(*v));

    if (v == NULL)
        OOM(d);
    for (size_t i = 0; i < n; i++)
        v[i] = wire_load_u32(val + 4 * i);
    d->attrs->communities = v;
    d->attrs->n_communities = n;
    return true;
}

int
attr_communities_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                        const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                        const char **why)
{
    size_t start;

    if (a->n_communities == 0)
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_COMMUNITIES);
    for (size_t i = 0; i < a->n_communities; i++)
        wire_put_u32(w, a->communities[i]);
    attr_end(w, start);
    return 0;
}

/* The typed view of the route target / route origin layouts (RFC 4360 4, 5; RFC 5668). */
static Bgpbus__V1__ExtCommunityAdmin *
ec_admin_decode(struct arena *a, const uint8_t *ec)
{
    Bgpbus__V1__ExtCommunityAdmin *adm = arena_alloc(a, sizeof(*adm));

    if (adm == NULL)
        return NULL;
    bgpbus__v1__ext_community_admin__init(adm);
    adm->has_local_admin = true;
    switch (ec[0] & 0x3f) {
    case EC_TYPE_AS2:
        adm->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2;
        adm->asn2 = wire_load_u16(ec + 2);
        adm->local_admin = wire_load_u32(ec + 4);
        break;
    case EC_TYPE_IPV4:
        adm->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_IPV4;
        adm->ipv4.data = (uint8_t *)ec + 2;
        adm->ipv4.len = 4;
        adm->local_admin = wire_load_u16(ec + 6);
        break;
    default:
        adm->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4;
        adm->asn4 = wire_load_u32(ec + 2);
        adm->local_admin = wire_load_u16(ec + 6);
        break;
    }
    return adm;
}

bool
attr_ext_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    size_t n = len / 8;
    Bgpbus__V1__ExtendedCommunity **v = arena_calloc(d->a, n, sizeof(*v));
    Bgpbus__V1__ExtendedCommunity *e = arena_calloc(d->a, n, sizeof(*e));

    if (v == NULL || e == NULL)
        OOM(d);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ec = val + 8 * i;
        uint8_t type = ec[0], sub = ec[1];

        bgpbus__v1__extended_community__init(&e[i]);
        e[i].has_raw = true;
        e[i].raw.data = (uint8_t *)ec;
        e[i].raw.len = 8;
        /* Typed views for the admin layouts; other types stay raw for their own decoders. */
        if ((type & 0x3f) <= EC_TYPE_AS4 && (sub == EC_SUB_RT || sub == EC_SUB_RO) &&
            (type & 0x40) == 0) {
            Bgpbus__V1__ExtCommunityAdmin *adm = ec_admin_decode(d->a, ec);

            if (adm == NULL)
                OOM(d);
            if (sub == EC_SUB_RT) {
                e[i].typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET;
                e[i].route_target = adm;
            } else {
                e[i].typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN;
                e[i].route_origin = adm;
            }
        } else if (type >= 0x80 && type <= 0x82 && sub == EC_SUB_REDIRECT) {
            Bgpbus__V1__ExtCommunityAdmin *adm = ec_admin_decode(d->a, ec);

            if (adm == NULL)
                OOM(d);
            e[i].typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT;
            e[i].redirect = adm;
        } else {
            /* RFC 8955 7 actions, the L2VPN communities; else raw only */
            if (!flow_ecomm_decode(d->a, ec, &e[i]))
                (void)l2vpn_ecomm_decode(d->a, ec, &e[i]);
        }
        v[i] = &e[i];
    }
    d->attrs->extended_communities = v;
    d->attrs->n_extended_communities = n;
    return true;
}

/* Writes the 8 octets of an admin-layout community; false when the values do not fit. */
static bool
ec_admin_encode(const Bgpbus__V1__ExtCommunityAdmin *adm, uint8_t type_base, uint8_t sub,
                struct wire_wr *w)
{
    uint32_t local = adm->local_admin;

    switch (adm->global_admin_case) {
    case BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2:
        if (adm->asn2 > UINT16_MAX)
            return false;
        wire_put_u8(w, type_base | EC_TYPE_AS2);
        wire_put_u8(w, sub);
        wire_put_u16(w, (uint16_t)adm->asn2);
        wire_put_u32(w, local);
        return true;
    case BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_IPV4:
        if (adm->ipv4.len != 4 || local > UINT16_MAX)
            return false;
        wire_put_u8(w, type_base | EC_TYPE_IPV4);
        wire_put_u8(w, sub);
        wire_put_bytes(w, adm->ipv4.data, 4);
        wire_put_u16(w, (uint16_t)local);
        return true;
    case BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4:
        if (local > UINT16_MAX)
            return false;
        wire_put_u8(w, type_base | EC_TYPE_AS4);
        wire_put_u8(w, sub);
        wire_put_u32(w, adm->asn4);
        wire_put_u16(w, (uint16_t)local);
        return true;
    default: return false;
    }
}

int
attr_ext_communities_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                            const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                            const char **why)
{
    size_t start;

    if (a->n_extended_communities == 0)
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_EXT_COMMUNITIES);
    for (size_t i = 0; i < a->n_extended_communities; i++) {
        const Bgpbus__V1__ExtendedCommunity *e = a->extended_communities[i];
        bool ok;

        switch (e->typed_case) {
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET:
            ok = ec_admin_encode(e->route_target, 0x00, EC_SUB_RT, w);
            break;
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN:
            ok = ec_admin_encode(e->route_origin, 0x00, EC_SUB_RO, w);
            break;
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT:
            ok = ec_admin_encode(e->redirect, 0x80, EC_SUB_REDIRECT, w);
            break;
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP:
            /* draft-simpson-idr-flowspec-redirect 3: type 0x08 sub-type 0x00, the C (copy)
             * bit lowest in the last octet; ExaBGP also allows it on unicast routes. */
            wire_put_u8(w, 0x08);
            wire_put_u8(w, 0x00);
            wire_put_u32(w, 0);
            wire_put_u16(w, e->redirect_to_nexthop != NULL && e->redirect_to_nexthop->copy);
            ok = true;
            break;
        default: {
            uint8_t fec[8];
            int rc = flow_ecomm_encode(e, fec); /* RFC 8955 7 actions */

            if (rc == 0)
                rc = l2vpn_ecomm_encode(e, fec); /* RFC 4761 3.2.4, RFC 7432 7 */

            if (rc != 0) {
                ok = rc > 0;
                if (ok)
                    wire_put_bytes(w, fec, 8);
                break;
            }
            /* Other typed views are encoded by their family's code when it exists; until
             * then only their raw form can be sent. */
            ok = e->has_raw && e->raw.len == 8;
            if (ok)
                wire_put_bytes(w, e->raw.data, 8);
            break;
        }
        }
        if (!ok) {
            *why = "extended community cannot be encoded";
            return -1;
        }
    }
    attr_end(w, start);
    return 0;
}

bool
attr_ipv6_ext_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    size_t n = len / 20;
    Bgpbus__V1__Ipv6ExtendedCommunity **v = arena_calloc(d->a, n, sizeof(*v));
    Bgpbus__V1__Ipv6ExtendedCommunity *e = arena_calloc(d->a, n, sizeof(*e));

    if (v == NULL || e == NULL)
        OOM(d);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ec = val + 20 * i;

        bgpbus__v1__ipv6_extended_community__init(&e[i]);
        e[i].has_raw = true;
        e[i].raw.data = (uint8_t *)ec;
        e[i].raw.len = 20;
        /* RFC 5701 3: route target 0x00 0x02 and route origin 0x00 0x03. */
        if (ec[0] == 0x00 && (ec[1] == EC_SUB_RT || ec[1] == EC_SUB_RO)) {
            Bgpbus__V1__Ipv6ExtCommunityAdmin *adm = arena_alloc(d->a, sizeof(*adm));

            if (adm == NULL)
                OOM(d);
            bgpbus__v1__ipv6_ext_community_admin__init(adm);
            adm->has_ipv6 = adm->has_local_admin = true;
            adm->ipv6.data = (uint8_t *)ec + 2;
            adm->ipv6.len = 16;
            adm->local_admin = wire_load_u16(ec + 18);
            if (ec[1] == EC_SUB_RT) {
                e[i].typed_case = BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET;
                e[i].route_target = adm;
            } else {
                e[i].typed_case = BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN;
                e[i].route_origin = adm;
            }
        }
        v[i] = &e[i];
    }
    d->attrs->ipv6_extended_communities = v;
    d->attrs->n_ipv6_extended_communities = n;
    return true;
}

static bool
ec6_admin_encode(const Bgpbus__V1__Ipv6ExtCommunityAdmin *adm, uint8_t sub, struct wire_wr *w)
{
    if (adm == NULL || !adm->has_ipv6 || adm->ipv6.len != 16 || adm->local_admin > UINT16_MAX)
        return false;
    wire_put_u8(w, 0x00);
    wire_put_u8(w, sub);
    wire_put_bytes(w, adm->ipv6.data, 16);
    wire_put_u16(w, (uint16_t)adm->local_admin);
    return true;
}

/* draft-ietf-idr-flowspec-redirect-ip 2: the 2-octet local part carries the C (copy) flag in
 * its low bit; ExaBGP writes 0 or 1 there. */
static bool
ec6_redirect_ip_encode(const Bgpbus__V1__RedirectToIp *r, struct wire_wr *w)
{
    if (r == NULL || !r->has_address || r->address.len != 16)
        return false;
    wire_put_u8(w, 0x00);
    wire_put_u8(w, EC6_SUB_REDIRECT_IP);
    wire_put_bytes(w, r->address.data, 16);
    wire_put_u16(w, r->copy ? 1 : 0);
    return true;
}

int
attr_ipv6_ext_communities_encode(const Bgpbus__V1__Attributes *a,
                                 const struct bgp_session_codec *ctx,
                                 const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                                 const char **why)
{
    size_t start;

    if (a->n_ipv6_extended_communities == 0)
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_IPV6_EXT_COMMUNITIES);
    for (size_t i = 0; i < a->n_ipv6_extended_communities; i++) {
        const Bgpbus__V1__Ipv6ExtendedCommunity *e = a->ipv6_extended_communities[i];
        bool ok;

        switch (e->typed_case) {
        case BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET:
            ok = ec6_admin_encode(e->route_target, EC_SUB_RT, w);
            break;
        case BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN:
            ok = ec6_admin_encode(e->route_origin, EC_SUB_RO, w);
            break;
        case BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_REDIRECT:
            ok = ec6_admin_encode(e->redirect, EC6_SUB_REDIRECT, w);
            break;
        case BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP:
            ok = ec6_redirect_ip_encode(e->redirect_to_ip, w);
            break;
        default:
            ok = e->has_raw && e->raw.len == 20;
            if (ok)
                wire_put_bytes(w, e->raw.data, 20);
            break;
        }
        if (!ok) {
            *why = "IPv6 extended community cannot be encoded";
            return -1;
        }
    }
    attr_end(w, start);
    return 0;
}

bool
attr_large_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    size_t n = len / 12, kept = 0;
    Bgpbus__V1__LargeCommunity **v = arena_calloc(d->a, n, sizeof(*v));
    Bgpbus__V1__LargeCommunity *e = arena_calloc(d->a, n, sizeof(*e));

    if (v == NULL || e == NULL)
        OOM(d);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *lc = val + 12 * i;
        bool dup = false;

        /* RFC 8092 5: duplicates are silently removed. */
        for (size_t k = 0; k < i && !dup; k++)
            dup = memcmp(val + 12 * k, lc, 12) == 0;
        if (dup)
            continue;
        bgpbus__v1__large_community__init(&e[kept]);
        e[kept].has_global_admin = e[kept].has_local_data_1 = e[kept].has_local_data_2 = true;
        e[kept].global_admin = wire_load_u32(lc);
        e[kept].local_data_1 = wire_load_u32(lc + 4);
        e[kept].local_data_2 = wire_load_u32(lc + 8);
        v[kept] = &e[kept];
        kept++;
    }
    d->attrs->large_communities = v;
    d->attrs->n_large_communities = kept;
    return true;
}

int
attr_large_communities_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                              const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w,
                              const char **why)
{
    size_t start;

    if (a->n_large_communities == 0)
        return 0;
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_LARGE_COMMUNITIES);
    for (size_t i = 0; i < a->n_large_communities; i++) {
        wire_put_u32(w, a->large_communities[i]->global_admin);
        wire_put_u32(w, a->large_communities[i]->local_data_1);
        wire_put_u32(w, a->large_communities[i]->local_data_2);
    }
    attr_end(w, start);
    return 0;
}
