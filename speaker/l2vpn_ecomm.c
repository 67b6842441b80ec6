/*
 * L2VPN extended communities, 8 octets each (type, sub-type, value):
 *
 *   0x80 0x0A Layer2 Info (RFC 4761 3.2.4): encaps type(1) control flags(1) MTU(2)
 *             reserved(2): site preference (RFC 6074 3.2.3; ExaBGP's <site>)
 *   0x06 0x00 MAC Mobility (RFC 7432 7.7): flags(1, bit 0 sticky) reserved(1) sequence(4)
 *   0x06 0x01 ESI Label (RFC 7432 7.5): flags(1, bit 0 single-active) reserved(2) label(3)
 *   0x06 0x03 Router's MAC (RFC 9135 8.1): MAC(6)
 */
#include "l2vpn_ecomm.h"
#include "wire.h"

#include <string.h>

#define EC_TYPE_L2INFO 0x80
#define EC_SUB_L2INFO  0x0A
#define EC_TYPE_EVPN   0x06
#define EC_SUB_MAC_MOB 0x00
#define EC_SUB_ESI_LBL 0x01
#define EC_SUB_RMAC    0x03

static int
l2_info_encode(const Bgpbus__V1__L2Info *l, uint8_t out[8])
{
    if (l == NULL || l->encapsulation_type > 0xff || l->control_flags > 0xff ||
        l->mtu > UINT16_MAX || l->site_preference > UINT16_MAX)
        return -1;
    out[0] = EC_TYPE_L2INFO;
    out[1] = EC_SUB_L2INFO;
    out[2] = (uint8_t)l->encapsulation_type;
    out[3] = (uint8_t)l->control_flags;
    wire_store_u16(out + 4, (uint16_t)l->mtu);
    wire_store_u16(out + 6, (uint16_t)l->site_preference);
    return 1;
}

int
l2vpn_ecomm_encode(const Bgpbus__V1__ExtendedCommunity *e, uint8_t out[8])
{
    memset(out, 0, 8);
    switch (e->typed_case) {
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_L2_INFO: return l2_info_encode(e->l2_info, out);
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_MAC_MOBILITY:
        if (e->mac_mobility == NULL)
            return -1;
        out[0] = EC_TYPE_EVPN;
        out[1] = EC_SUB_MAC_MOB;
        out[2] = e->mac_mobility->sticky ? 1 : 0;
        wire_store_u32(out + 4, e->mac_mobility->sequence);
        return 1;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ESI_LABEL:
        if (e->esi_label == NULL || e->esi_label->label > 0xfffffu)
            return -1;
        out[0] = EC_TYPE_EVPN;
        out[1] = EC_SUB_ESI_LBL;
        out[2] = e->esi_label->single_active ? 1 : 0;
        /* The 20-bit label in the high bits of the 24-bit field, as in an MPLS label entry. */
        out[5] = (uint8_t)(e->esi_label->label >> 12);
        out[6] = (uint8_t)(e->esi_label->label >> 4);
        out[7] = (uint8_t)(e->esi_label->label << 4);
        return 1;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTER_MAC:
        if (e->router_mac == NULL || e->router_mac->mac.len != 6)
            return -1;
        out[0] = EC_TYPE_EVPN;
        out[1] = EC_SUB_RMAC;
        memcpy(out + 2, e->router_mac->mac.data, 6);
        return 1;
    default: return 0;
    }
}

static bool
l2_info_decode(struct arena *a, const uint8_t ec[8], Bgpbus__V1__ExtendedCommunity *e)
{
    Bgpbus__V1__L2Info *l = arena_alloc(a, sizeof(*l));

    if (l == NULL)
        return false;
    bgpbus__v1__l2_info__init(l);
    l->has_encapsulation_type = l->has_control_flags = l->has_mtu = l->has_site_preference = 1;
    l->encapsulation_type = ec[2];
    l->control_flags = ec[3];
    l->mtu = wire_load_u16(ec + 4);
    l->site_preference = wire_load_u16(ec + 6);
    e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_L2_INFO;
    e->l2_info = l;
    return true;
}

static bool
evpn_decode(struct arena *a, const uint8_t ec[8], Bgpbus__V1__ExtendedCommunity *e)
{
    switch (ec[1]) {
    case EC_SUB_MAC_MOB: {
        Bgpbus__V1__MacMobility *m = arena_alloc(a, sizeof(*m));

        if (m == NULL)
            return false;
        bgpbus__v1__mac_mobility__init(m);
        m->has_sticky = m->has_sequence = 1;
        m->sticky = (ec[2] & 1) != 0;
        m->sequence = wire_load_u32(ec + 4);
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_MAC_MOBILITY;
        e->mac_mobility = m;
        return true;
    }
    case EC_SUB_ESI_LBL: {
        Bgpbus__V1__EsiLabel *l = arena_alloc(a, sizeof(*l));

        if (l == NULL)
            return false;
        bgpbus__v1__esi_label__init(l);
        l->has_single_active = l->has_label = 1;
        l->single_active = (ec[2] & 1) != 0;
        l->label = ((uint32_t)ec[5] << 16 | (uint32_t)ec[6] << 8 | ec[7]) >> 4;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ESI_LABEL;
        e->esi_label = l;
        return true;
    }
    case EC_SUB_RMAC: {
        Bgpbus__V1__RouterMac *r = arena_alloc(a, sizeof(*r));

        if (r == NULL)
            return false;
        bgpbus__v1__router_mac__init(r);
        r->has_mac = 1;
        r->mac.data = (uint8_t *)ec + 2;
        r->mac.len = 6;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTER_MAC;
        e->router_mac = r;
        return true;
    }
    default: return false;
    }
}

bool
l2vpn_ecomm_decode(struct arena *a, const uint8_t ec[8], Bgpbus__V1__ExtendedCommunity *e)
{
    if (ec[0] == EC_TYPE_L2INFO && ec[1] == EC_SUB_L2INFO)
        return l2_info_decode(a, ec, e);
    if (ec[0] == EC_TYPE_EVPN)
        return evpn_decode(a, ec, e);
    return false;
}
