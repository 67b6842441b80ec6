/* FlowSpec action communities (see flow_ecomm.h). */
#include "flow_ecomm.h"

#include <string.h>

#include "wire.h"

/* RFC 8955 7 (type 0x80, transitive generic experimental) sub-types. */
#define FEC_TYPE_GENERIC     0x80
#define FEC_SUB_RATE_BYTES   0x06
#define FEC_SUB_ACTION       0x07
#define FEC_SUB_MARKING      0x09
#define FEC_SUB_RATE_PKTS    0x0c
/* draft-ietf-idr-flowspec-redirect-ip 2: IPv4-address-specific (0x01), sub-type 0x0c. */
#define FEC_TYPE_IPV4        0x01
#define FEC_SUB_REDIRECT_IP  0x0c
/* draft-ietf-idr-flowspec-interfaceset 3: 0x07 (transitive) / 0x47, sub-type 0x02. */
#define FEC_TYPE_IFSET_T     0x07
#define FEC_TYPE_IFSET_NT    0x47
#define FEC_SUB_IFSET        0x02
/* draft-simpson-idr-flowspec-redirect 3. */
#define FEC_TYPE_REDIRECT_NH 0x08
#define FEC_SUB_REDIRECT_NH  0x00

#define FEC_ACTION_SAMPLE   0x02 /* RFC 8955 7.3: S bit */
#define FEC_ACTION_TERMINAL 0x01 /* T bit */

static uint32_t
fec_float_bits(float f)
{
    uint32_t u;

    memcpy(&u, &f, sizeof(u)); /* IEEE 754 single precision (RFC 8955 7.1) */
    return u;
}

static float
fec_bits_float(uint32_t u)
{
    float f;

    memcpy(&f, &u, sizeof(f));
    return f;
}

static int
fec_rate(const Bgpbus__V1__TrafficRate *tr, uint8_t sub, uint8_t out[8])
{
    uint32_t asn = tr != NULL && tr->has_asn ? tr->asn : 0;

    if (asn > UINT16_MAX)
        return -1;
    out[0] = FEC_TYPE_GENERIC;
    out[1] = sub;
    wire_store_u16(out + 2, (uint16_t)asn);
    wire_store_u32(out + 4, fec_float_bits(tr != NULL && tr->has_rate ? tr->rate : 0.0f));
    return 1;
}

int
flow_ecomm_encode(const Bgpbus__V1__ExtendedCommunity *e, uint8_t out[8])
{
    memset(out, 0, 8);
    switch (e->typed_case) {
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE:
        return fec_rate(e->traffic_rate, FEC_SUB_RATE_BYTES, out);
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE_PACKETS:
        return fec_rate(e->traffic_rate_packets, FEC_SUB_RATE_PKTS, out);
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_ACTION:
        out[0] = FEC_TYPE_GENERIC;
        out[1] = FEC_SUB_ACTION;
        if (e->traffic_action != NULL && e->traffic_action->sample)
            out[7] |= FEC_ACTION_SAMPLE;
        if (e->traffic_action != NULL && e->traffic_action->terminal)
            out[7] |= FEC_ACTION_TERMINAL;
        return 1;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_MARKING:
        if (e->traffic_marking == NULL || e->traffic_marking->dscp > 63)
            return -1;
        out[0] = FEC_TYPE_GENERIC;
        out[1] = FEC_SUB_MARKING;
        out[7] = (uint8_t)e->traffic_marking->dscp; /* RFC 8955 7.5: the low 6 bits */
        return 1;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP:
        /* The 16-octet form is an IPv6 extended community, not this attribute. */
        if (e->redirect_to_ip == NULL || e->redirect_to_ip->address.len != 4)
            return -1;
        out[0] = FEC_TYPE_IPV4;
        out[1] = FEC_SUB_REDIRECT_IP;
        memcpy(out + 2, e->redirect_to_ip->address.data, 4);
        out[7] = e->redirect_to_ip->copy ? 1 : 0; /* C bit, lowest of the local admin */
        return 1;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_INTERFACE_SET: {
        const Bgpbus__V1__InterfaceSet *is = e->interface_set;

        if (is == NULL || is->group_id > 0x3fff || (unsigned)is->direction > 3)
            return -1;
        out[0] = is->transitive ? FEC_TYPE_IFSET_T : FEC_TYPE_IFSET_NT;
        out[1] = FEC_SUB_IFSET;
        wire_store_u32(out + 2, is->asn);
        /* The O and I bits lead the local administrator, then the 14-bit group id. */
        wire_store_u16(out + 6, (uint16_t)((unsigned)is->direction << 14 | is->group_id));
        return 1;
    }
    default: return 0;
    }
}

bool
flow_ecomm_decode(struct arena *a, const uint8_t ec[8], Bgpbus__V1__ExtendedCommunity *e)
{
    if (ec[0] == FEC_TYPE_GENERIC && (ec[1] == FEC_SUB_RATE_BYTES || ec[1] == FEC_SUB_RATE_PKTS)) {
        Bgpbus__V1__TrafficRate *tr = arena_alloc(a, sizeof(*tr));

        if (tr == NULL)
            return false;
        bgpbus__v1__traffic_rate__init(tr);
        tr->has_asn = true;
        tr->asn = wire_load_u16(ec + 2);
        tr->has_rate = true;
        tr->rate = fec_bits_float(wire_load_u32(ec + 4));
        if (ec[1] == FEC_SUB_RATE_BYTES) {
            e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE;
            e->traffic_rate = tr;
        } else {
            e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE_PACKETS;
            e->traffic_rate_packets = tr;
        }
        return true;
    }
    if (ec[0] == FEC_TYPE_GENERIC && ec[1] == FEC_SUB_ACTION) {
        Bgpbus__V1__TrafficAction *ta = arena_alloc(a, sizeof(*ta));

        if (ta == NULL)
            return false;
        bgpbus__v1__traffic_action__init(ta);
        ta->has_sample = true;
        ta->sample = (ec[7] & FEC_ACTION_SAMPLE) != 0;
        ta->has_terminal = true;
        ta->terminal = (ec[7] & FEC_ACTION_TERMINAL) != 0;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_ACTION;
        e->traffic_action = ta;
        return true;
    }
    if (ec[0] == FEC_TYPE_GENERIC && ec[1] == FEC_SUB_MARKING) {
        Bgpbus__V1__TrafficMarking *tm = arena_alloc(a, sizeof(*tm));

        if (tm == NULL)
            return false;
        bgpbus__v1__traffic_marking__init(tm);
        tm->has_dscp = true;
        tm->dscp = ec[7] & 0x3f;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_MARKING;
        e->traffic_marking = tm;
        return true;
    }
    if (ec[0] == FEC_TYPE_IPV4 && ec[1] == FEC_SUB_REDIRECT_IP) {
        Bgpbus__V1__RedirectToIp *ri = arena_alloc(a, sizeof(*ri));

        if (ri == NULL)
            return false;
        bgpbus__v1__redirect_to_ip__init(ri);
        ri->has_address = true;
        ri->address.data = (uint8_t *)ec + 2;
        ri->address.len = 4;
        ri->has_copy = true;
        ri->copy = (ec[7] & 1) != 0;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP;
        e->redirect_to_ip = ri;
        return true;
    }
    if (ec[0] == FEC_TYPE_REDIRECT_NH && ec[1] == FEC_SUB_REDIRECT_NH) {
        Bgpbus__V1__RedirectToNexthop *rn = arena_alloc(a, sizeof(*rn));

        if (rn == NULL)
            return false;
        bgpbus__v1__redirect_to_nexthop__init(rn);
        rn->has_copy = true;
        rn->copy = (ec[7] & 1) != 0;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP;
        e->redirect_to_nexthop = rn;
        return true;
    }
    if ((ec[0] == FEC_TYPE_IFSET_T || ec[0] == FEC_TYPE_IFSET_NT) && ec[1] == FEC_SUB_IFSET) {
        Bgpbus__V1__InterfaceSet *is = arena_alloc(a, sizeof(*is));
        uint16_t local = wire_load_u16(ec + 6);

        if (is == NULL)
            return false;
        bgpbus__v1__interface_set__init(is);
        is->has_transitive = true;
        is->transitive = ec[0] == FEC_TYPE_IFSET_T;
        is->has_direction = true;
        is->direction = (Bgpbus__V1__InterfaceSetDirection)(local >> 14);
        is->has_asn = true;
        is->asn = wire_load_u32(ec + 2);
        is->has_group_id = true;
        is->group_id = local & 0x3fff;
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_INTERFACE_SET;
        e->interface_set = is;
        return true;
    }
    return false;
}
