/* MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 3, 4), including the abbreviated
 * MP_REACH_NLRI of MRT RIB entries (RFC 6396 4.3.4). */
#include "attr.h"

#include <string.h>

#include "nlri_vpn.h"

/* The NLRI field of a family without a codec is kept whole, as one opaque entry. */
static bool
mp_decode_nlri(struct attr_dec *d, struct update_mp *mp, const uint8_t *p, size_t len)
{
    if (mp->fam == BGP_FAM_NONE) {
        struct nlri *n;

        if (len == 0)
            return true;
        if (len > UINT16_MAX || (n = arena_alloc(d->a, sizeof(*n))) == NULL)
            return false;
        n->fam = BGP_FAM_NONE;
        n->raw = p;
        n->raw_len = (uint16_t)len;
        mp->nlri = n;
        mp->nlri_count = 1;
        return true;
    }
    return nlri_decode_field(p, len, mp->fam, bgp_famset_has(d->ctx->addpath_recv, mp->fam), d->a,
                             &mp->nlri, &mp->nlri_count);
}

/* Families whose next hop is an address: the prefix families, labeled unicast, L2VPN, and VPN
 * where an RD (of zero, not checked: RFC 4364 4.3.2) comes first (*rd_len). */
static bool
mp_nexthop_is_address(enum bgp_family fam, unsigned *rd_len)
{
    *rd_len = fam != BGP_FAM_NONE && nlri_vpn_family(fam) ? 8 : 0;
    return fam != BGP_FAM_NONE &&
           (bgp_family_table[fam].ops == &nlri_ops_ip ||
            bgp_family_table[fam].ops == &nlri_ops_vpn || bgp_family_afi(fam) == BGP_AFI_L2VPN);
}

/* The length after the first RD of an IPv6 next hop with a link-local address: RFC 2545 3
 * (global + link-local, 32 octets); for VPN families RFC 4659 3.2.1.1 puts an RD before each
 * address (48 octets in all), so 16 + 8 + 16 follow the first RD. */
static unsigned
mp_nexthop_ll_len(unsigned rd)
{
    return 16 + rd + 16;
}

/* FlowSpec has no next hop (RFC 8955 6, length 0), but the redirect-to-IP action of
 * draft-simpson-idr-flowspec-redirect puts its address there (ExaBGP shows it): one of an
 * address's length is kept. */
static bool
mp_flow_nexthop(const struct update_mp *mp)
{
    return (mp->safi == BGP_SAFI_FLOW || mp->safi == BGP_SAFI_FLOW_VPN) &&
           (mp->nh_len == 4 || mp->nh_len == 16);
}

/* RFC 4760 3, RFC 2545 3, RFC 8950 3, RFC 4659 3.2.1: the next hop lengths each family allows. */
static bool
mp_nexthop_ok(const struct attr_dec *d, const struct update_mp *mp)
{
    unsigned rd, len;

    if (!mp_nexthop_is_address(mp->fam, &rd))
        return true; /* checked by the family's own code when it has some */
    if (mp->nh_len < rd)
        return false;
    len = mp->nh_len - rd;
    /* RFC 7432 7, RFC 4761 3.2.2: the PE's IPv4 or IPv6 address, no RD. */
    if (mp->afi == BGP_AFI_L2VPN)
        return len == 4 || len == 16 || len == mp_nexthop_ll_len(rd);
    if (mp->afi == BGP_AFI_IPV4)
        return len == 4 || ((len == 16 || len == mp_nexthop_ll_len(rd)) &&
                            bgp_famset_has(d->ctx->ext_nexthop_recv, mp->fam));
    return len == 16 || len == mp_nexthop_ll_len(rd);
}

static bool
mp_decode_nexthop(struct attr_dec *d, struct update_mp *mp)
{
    Bgpbus__V1__NextHop *nh;
    unsigned rd, len;

    if (!mp_nexthop_is_address(mp->fam, &rd)) {
        if (!mp_flow_nexthop(mp))
            return true;
        rd = 0;
    }
    len = mp->nh_len - rd; /* mp_nexthop_ok checked nh_len >= rd */
    nh = arena_alloc(d->a, sizeof(*nh));
    if (nh == NULL)
        return false;
    bgpbus__v1__next_hop__init(nh);
    nh->has_address = true;
    nh->address.data = (uint8_t *)mp->nh_raw + rd;
    nh->address.len = len == mp_nexthop_ll_len(rd) ? 16 : len;
    if (len == mp_nexthop_ll_len(rd)) {
        nh->has_link_local = true;
        nh->link_local.data = (uint8_t *)mp->nh_raw + rd + 16 + rd;
        nh->link_local.len = 16;
    }
    mp->nexthop = nh;
    return true;
}

bool
attr_mp_reach_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    struct update_mp *mp = &d->out->mp_reach;
    struct wire_rd r;
    uint8_t reserved;

    memset(mp, 0, sizeof(*mp));
    mp->present = true;
    wire_rd_init(&r, val, len);
    /* RFC 6396 4.3.4: in a RIB entry only the next hop length and next hop are present. A
     * full attribute starts with the AFI, whose high octet is 0: a zero next hop length is
     * meaningless, so the two forms are told apart by the first octet. */
    if (d->ctx->mrt_rib && val[0] != 0 && (size_t)val[0] + 1 == len &&
        d->ctx->mrt_family != BGP_FAM_NONE) {
        mp->fam = d->ctx->mrt_family;
        mp->afi = bgp_family_afi(mp->fam);
        mp->safi = bgp_family_safi(mp->fam);
        mp->nh_len = val[0];
        mp->nh_raw = val + 1;
        if (!mp_nexthop_ok(d, mp)) {
            d->reason = "next hop length does not match the family (RFC 7606 7.11)";
            return false;
        }
        return mp_decode_nexthop(d, mp);
    }
    if (!wire_get_u16(&r, &mp->afi) || !wire_get_u8(&r, &mp->safi) ||
        !wire_get_u8(&r, &mp->nh_len) || !wire_get_ref(&r, mp->nh_len, &mp->nh_raw) ||
        !wire_get_u8(&r, &reserved)) {
        d->reason = "MP_REACH_NLRI truncated";
        return false;
    }
    mp->fam = bgp_family_from(mp->afi, mp->safi);
    if (!mp_nexthop_ok(d, mp)) {
        d->reason = "next hop length does not match the family (RFC 7606 7.11)";
        return false;
    }
    if (!mp_decode_nexthop(d, mp)) {
        d->reason = "out of memory";
        return false;
    }
    if (!mp_decode_nlri(d, mp, r.p, wire_rd_left(&r))) {
        d->reason = "malformed NLRI in MP_REACH_NLRI (RFC 7606 5.3)";
        return false;
    }
    return true;
}

bool
attr_mp_unreach_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    struct update_mp *mp = &d->out->mp_unreach;
    struct wire_rd r;

    memset(mp, 0, sizeof(*mp));
    mp->present = true;
    wire_rd_init(&r, val, len);
    if (!wire_get_u16(&r, &mp->afi) || !wire_get_u8(&r, &mp->safi)) {
        d->reason = "MP_UNREACH_NLRI truncated";
        return false;
    }
    mp->fam = bgp_family_from(mp->afi, mp->safi);
    if (!mp_decode_nlri(d, mp, r.p, wire_rd_left(&r))) {
        d->reason = "malformed NLRI in MP_UNREACH_NLRI (RFC 7606 5.3)";
        return false;
    }
    return true;
}
