/*
 * EVPN route layouts (RFC 7432 7.1-7.4, RFC 9136 3.1). After the route type and length octets:
 *
 *   1 Ethernet A-D:     RD(8) ESI(10) Ethernet Tag(4) MPLS Label(3)
 *   2 MAC/IP:           RD(8) ESI(10) Ethernet Tag(4) MAC len(1) MAC(6) IP len(1) IP(0|4|16)
 *                       MPLS Label1(3) [MPLS Label2(3)]
 *   3 Inclusive Mcast:  RD(8) Ethernet Tag(4) IP len(1) Originator IP(4|16)
 *   4 Ethernet Segment: RD(8) ESI(10) IP len(1) Originator IP(4|16)
 *   5 IP Prefix:        RD(8) ESI(10) Ethernet Tag(4) prefix len(1) prefix(4|16)
 *                       gateway(4|16) MPLS Label(3)
 *
 * IP length fields are in bits. Labels are kept as their 24-bit fields: with VXLAN they carry a
 * VNI (RFC 8365 5.1.3), so the bottom-of-stack bit is not checked on receipt.
 */
#include "l2vpn_wire.h"

#include <string.h>

static uint32_t
l2_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
l2_put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
l2_put32(uint8_t *p, uint32_t v)
{
    l2_put16(p, v >> 16);
    l2_put16(p + 2, v);
}

/* An address length field in bits that must announce 4 or 16 octets (0 allowed when may_be_0). */
static bool
l2_ip_bits(uint8_t bits, bool may_be_0, uint8_t *octets)
{
    if (bits == 32 || bits == 128 || (bits == 0 && may_be_0)) {
        *octets = bits / 8;
        return true;
    }
    return false;
}

static bool
l2_parse_mac_ip(const uint8_t *val, size_t len, struct l2vpn_evpn_view *v, const char **why)
{
    size_t rest;

    if (len < 30) { /* up to the IP length octet */
        *why = "EVPN MAC/IP route too short";
        return false;
    }
    v->rd = val;
    v->esi = val + 8;
    v->etag = l2_get32(val + 18);
    v->has_etag = true;
    v->mac_bits = val[22];
    v->mac = val + 23;
    /* RFC 7432 7.2: the MAC field is 6 octets whatever the length says; 48 is the only use. */
    if (v->mac_bits > 48 || !l2_ip_bits(val[29], true, &v->ip_len)) {
        *why = "EVPN MAC/IP route: invalid MAC or IP address length";
        return false;
    }
    v->ip = v->ip_len ? val + 30 : NULL;
    rest = len - 30;
    /* One or two labels follow the address, nothing else (RFC 7432 7.2). */
    if (rest != v->ip_len + 3u && rest != v->ip_len + 6u) {
        *why = "EVPN MAC/IP route: length does not match the IP length and labels";
        return false;
    }
    v->labels = val + 30 + v->ip_len;
    v->nlabels = (uint8_t)((rest - v->ip_len) / 3);
    return true;
}

static bool
l2_parse_prefix(const uint8_t *val, size_t len, struct l2vpn_evpn_view *v, const char **why)
{
    /* RFC 9136 3.1: 34 octets for IPv4, 58 for IPv6; the prefix length fits the address. */
    if (len != 34 && len != 58) {
        *why = "EVPN IP prefix route: length is neither 34 (IPv4) nor 58 (IPv6)";
        return false;
    }
    v->ip_len = len == 34 ? 4 : 16;
    v->rd = val;
    v->esi = val + 8;
    v->etag = l2_get32(val + 18);
    v->has_etag = true;
    v->prefix_len = val[22];
    if (v->prefix_len > v->ip_len * 8) {
        *why = "EVPN IP prefix route: prefix length above the address length";
        return false;
    }
    v->ip = val + 23;
    v->gateway = v->ip + v->ip_len;
    v->labels = v->gateway + v->ip_len;
    v->nlabels = 1;
    return true;
}

bool
l2vpn_evpn_parse(uint8_t type, const uint8_t *val, size_t len, struct l2vpn_evpn_view *v,
                 const char **why)
{
    memset(v, 0, sizeof(*v));
    v->type = type;
    switch (type) {
    case 1:
        if (len != 25) {
            *why = "EVPN Ethernet A-D route: length is not 25";
            return false;
        }
        v->rd = val;
        v->esi = val + 8;
        v->etag = l2_get32(val + 18);
        v->has_etag = true;
        v->labels = val + 22;
        v->nlabels = 1;
        return true;
    case 2: return l2_parse_mac_ip(val, len, v, why);
    case 3:
        if (len < 13 || !l2_ip_bits(val[12], false, &v->ip_len) || len != 13u + v->ip_len) {
            *why = "EVPN Inclusive Multicast route: invalid length or IP length";
            return false;
        }
        v->rd = val;
        v->etag = l2_get32(val + 8);
        v->has_etag = true;
        v->ip = val + 13;
        return true;
    case 4:
        if (len < 19 || !l2_ip_bits(val[18], false, &v->ip_len) || len != 19u + v->ip_len) {
            *why = "EVPN Ethernet Segment route: invalid length or IP length";
            return false;
        }
        v->rd = val;
        v->esi = val + 8;
        v->ip = val + 19;
        return true;
    case 5: return l2_parse_prefix(val, len, v, why);
    default: *why = "EVPN route type without a layout"; return false;
    }
}

/* ---- encoding from the contract -------------------------------------------------------------- */

bool
l2vpn_rd_encode(const Bgpbus__V1__RouteDistinguisher *m, uint8_t out[L2VPN_RD_LEN],
                const char **why)
{
    if (m == NULL) {
        *why = "route without route-distinguisher";
        return false;
    }
    /* RFC 4364 4.2: type 0 asn2:u32, type 1 ipv4:u16, type 2 asn4:u16. */
    switch (m->admin_case) {
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2:
        if (m->asn2 > UINT16_MAX)
            break;
        l2_put16(out, 0);
        l2_put16(out + 2, m->asn2);
        l2_put32(out + 4, m->assigned);
        return true;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4:
        if (m->ipv4.len != 4 || m->assigned > UINT16_MAX)
            break;
        l2_put16(out, 1);
        memcpy(out + 2, m->ipv4.data, 4);
        l2_put16(out + 6, m->assigned);
        return true;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4:
        if (m->assigned > UINT16_MAX)
            break;
        l2_put16(out, 2);
        l2_put32(out + 2, m->asn4);
        l2_put16(out + 6, m->assigned);
        return true;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_RAW:
        if (m->raw.len != L2VPN_RD_LEN)
            break;
        memcpy(out, m->raw.data, L2VPN_RD_LEN);
        return true;
    default: break;
    }
    *why = "route-distinguisher: values do not fit its type";
    return false;
}

/* Output cursor with the error of the first field that failed. */
struct l2_out {
    uint8_t *buf;
    size_t len;
    const char *why;
};

static void
l2_bytes(struct l2_out *o, const void *p, size_t n)
{
    if (o->why == NULL && o->len + n <= L2VPN_EVPN_MAX) {
        memcpy(o->buf + o->len, p, n);
        o->len += n;
    } else if (o->why == NULL) {
        o->why = "EVPN route too long";
    }
}

static void
l2_u8(struct l2_out *o, uint8_t v)
{
    l2_bytes(o, &v, 1);
}

static void
l2_u32(struct l2_out *o, uint32_t v)
{
    uint8_t b[4];

    l2_put32(b, v);
    l2_bytes(o, b, 4);
}

static void
l2_rd(struct l2_out *o, const Bgpbus__V1__RouteDistinguisher *rd)
{
    uint8_t b[L2VPN_RD_LEN];

    if (o->why == NULL && l2vpn_rd_encode(rd, b, &o->why))
        l2_bytes(o, b, sizeof(b));
}

/* RFC 7432 5: an absent ESI is the reserved value 0 (single-homed). */
static void
l2_esi(struct l2_out *o, protobuf_c_boolean has, ProtobufCBinaryData esi)
{
    static const uint8_t zero[L2VPN_ESI_LEN];

    if (has && esi.len != L2VPN_ESI_LEN) {
        if (o->why == NULL)
            o->why = "EVPN ESI must be 10 octets";
        return;
    }
    l2_bytes(o, has ? esi.data : zero, L2VPN_ESI_LEN);
}

/* An address preceded by its length in bits (0 for none when may_be_absent). */
static void
l2_ip(struct l2_out *o, protobuf_c_boolean has, ProtobufCBinaryData ip, bool may_be_absent,
      const char *what)
{
    if (!has && may_be_absent) {
        l2_u8(o, 0);
        return;
    }
    if (!has || (ip.len != 4 && ip.len != 16)) {
        if (o->why == NULL)
            o->why = what;
        return;
    }
    l2_u8(o, (uint8_t)(ip.len * 8));
    l2_bytes(o, ip.data, ip.len);
}

/*
 * Up to max labels as 3-octet fields; none given writes one zero field (a withdrawal's value).
 * Labels get the bottom-of-stack bit on the last one, as ExaBGP 4.2 writes them; raw fields (a
 * VNI) are written as they are.
 */
static void
l2_labels(struct l2_out *o, const Bgpbus__V1__LabelStack *ls, size_t max)
{
    size_t n = ls == NULL ? 0 : ls->n_raw > 0 ? ls->n_raw : ls->n_labels;

    if (n > max) {
        if (o->why == NULL)
            o->why = max == 1 ? "EVPN route takes one label" : "EVPN MAC/IP route takes two labels";
        return;
    }
    if (n == 0) {
        l2_bytes(o, "\0\0\0", 3);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        uint8_t b[4];

        if (ls->n_raw > 0) {
            v = ls->raw[i];
        } else {
            if (ls->labels[i] > 0xfffffu && o->why == NULL)
                o->why = "label above 1048575 (20 bits)";
            v = ls->labels[i] << 4 | (i + 1 == n ? 1u : 0u);
        }
        if (v > 0xffffffu && o->why == NULL)
            o->why = "label field above 24 bits";
        l2_put32(b, v);
        l2_bytes(o, b + 1, 3);
    }
}

static void
l2_encode_prefix(struct l2_out *o, const Bgpbus__V1__EvpnIpPrefix *p)
{
    static const uint8_t zero[16];
    const Bgpbus__V1__Prefix *pf = p->prefix;
    size_t alen = pf != NULL && pf->has_address ? pf->address.len : 0;

    l2_rd(o, p->rd);
    l2_esi(o, p->has_esi, p->esi);
    l2_u32(o, p->ethernet_tag);
    if ((alen != 4 && alen != 16) || pf->length > alen * 8 ||
        (p->has_gateway && p->gateway.len != alen)) {
        if (o->why == NULL)
            o->why = "EVPN IP prefix route: prefix (and gateway) must be IPv4 or IPv6 alike";
        return;
    }
    l2_u8(o, (uint8_t)pf->length);
    l2_bytes(o, pf->address.data, alen);
    /* RFC 9136 3.1: a gateway of zero means no overlay index gateway. */
    l2_bytes(o, p->has_gateway ? p->gateway.data : zero, alen);
    l2_labels(o, p->labels, 1);
}

static void
l2_encode_route(struct l2_out *o, const Bgpbus__V1__EvpnNlri *e)
{
    switch (e->route_case) {
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_AUTO_DISCOVERY: {
        const Bgpbus__V1__EvpnEthernetAutoDiscovery *r = e->ethernet_auto_discovery;

        l2_rd(o, r->rd);
        l2_esi(o, r->has_esi, r->esi);
        l2_u32(o, r->ethernet_tag);
        l2_labels(o, r->labels, 1);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT: {
        const Bgpbus__V1__EvpnMacIpAdvertisement *r = e->mac_ip_advertisement;

        l2_rd(o, r->rd);
        l2_esi(o, r->has_esi, r->esi);
        l2_u32(o, r->ethernet_tag);
        if (!r->has_mac || r->mac.len != L2VPN_MAC_LEN ||
            (r->has_mac_length && r->mac_length > 48)) {
            if (o->why == NULL)
                o->why = "EVPN MAC/IP route: MAC must be 6 octets (length 48 bits at most)";
            return;
        }
        l2_u8(o, (uint8_t)(r->has_mac_length ? r->mac_length : 48));
        l2_bytes(o, r->mac.data, L2VPN_MAC_LEN);
        l2_ip(o, r->has_ip, r->ip, true, "EVPN MAC/IP route: IP must be 4 or 16 octets");
        l2_labels(o, r->labels, L2VPN_MAX_LABELS);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST: {
        const Bgpbus__V1__EvpnInclusiveMulticast *r = e->inclusive_multicast;

        l2_rd(o, r->rd);
        l2_u32(o, r->ethernet_tag);
        l2_ip(o, r->has_originator, r->originator, false,
              "EVPN multicast route: originator must be 4 or 16 octets");
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_SEGMENT: {
        const Bgpbus__V1__EvpnEthernetSegment *r = e->ethernet_segment;

        l2_rd(o, r->rd);
        l2_esi(o, r->has_esi, r->esi);
        l2_ip(o, r->has_originator, r->originator, false,
              "EVPN Ethernet Segment route: originator must be 4 or 16 octets");
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_IP_PREFIX: l2_encode_prefix(o, e->ip_prefix); break;
    case BGPBUS__V1__EVPN_NLRI__ROUTE_UNKNOWN:
        if (e->unknown->has_data)
            l2_bytes(o, e->unknown->data.data, e->unknown->data.len);
        break;
    default: o->why = "EVPN route without a route type"; break;
    }
}

size_t
l2vpn_evpn_encode(const Bgpbus__V1__EvpnNlri *e, uint8_t out[L2VPN_EVPN_MAX], const char **why)
{
    struct l2_out o = { out, 2, NULL };
    uint32_t type = (uint32_t)e->route_case;

    /* The oneof member numbers are the route types (evpn.proto). */
    if (e->route_case == BGPBUS__V1__EVPN_NLRI__ROUTE_UNKNOWN) {
        type = e->unknown->route_type;
        if (!e->unknown->has_route_type || type > 255 || (type >= 1 && type <= 5)) {
            *why = "EVPN unknown route: type must be a number other than 1-5";
            return 0;
        }
    }
    l2_encode_route(&o, e);
    if (o.why != NULL) {
        *why = o.why;
        return 0;
    }
    out[0] = (uint8_t)type;
    out[1] = (uint8_t)(o.len - 2);
    return o.len;
}
