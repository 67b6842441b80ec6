/*
 * ExaBGP 4.2's renderings of EVPN routes (bgp/message/update/nlri/evpn/ modules, json() and
 * __str__()). Every route shows its wire bytes ("raw"), so they are encoded again from the
 * contract by the speaker's own encoder (l2vpn_wire.c): a received route's label fields come
 * with their raw 24 bits and so give back the bytes that were received.
 */
#include "exa_l2vpn.h"
#include "l2vpn_wire.h"

static const char *const evpn_names[] = {
    "",
    "Ethernet Auto-Discovery",
    "MAC/IP advertisement",
    "Inclusive Multicast Ethernet Tag",
    "Ethernet Segment",
    "IP Prefix Advertisement",
};

/* ExaBGP's SHORT_NAME, lower case, as its str() uses it. */
static const char *const evpn_short[] = { "unknown",   "ethernetad", "macadv",
                                          "multicast", "segment",    "prfxadv" };

/* Octets as upper-case hex digits, without ExaBGP's "0x" (its EVPN "raw" member). */
static void
exa_put_hex_digits(struct exa_buf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        exa_putc(b, digits[p[i] >> 4]);
        exa_putc(b, digits[p[i] & 0xf]);
    }
}

/* RFC 7432 5: the reserved ESI 0 is "-", any other is its octets in hex, colon-separated. */
static void
exa_put_esi(struct exa_buf *b, protobuf_c_boolean has, ProtobufCBinaryData esi)
{
    static const char digits[] = "0123456789abcdef";
    bool zero = true;

    for (size_t i = 0; has && i < esi.len; i++)
        zero = zero && esi.data[i] == 0;
    if (zero) {
        exa_putc(b, '-');
        return;
    }
    for (size_t i = 0; i < esi.len; i++) {
        if (i > 0)
            exa_putc(b, ':');
        exa_putc(b, digits[esi.data[i] >> 4]);
        exa_putc(b, digits[esi.data[i] & 0xf]);
    }
}

static void
exa_put_mac(struct exa_buf *b, ProtobufCBinaryData mac)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < mac.len; i++) {
        if (i > 0)
            exa_putc(b, ':');
        exa_putc(b, digits[mac.data[i] >> 4]);
        exa_putc(b, digits[mac.data[i] & 0xf]);
    }
}

/* The raw 24-bit field of label i, 0 when only the label is known. */
static uint32_t
exa_label_raw(const Bgpbus__V1__LabelStack *l, size_t i)
{
    return i < l->n_raw ? l->raw[i] : 0;
}

static size_t
exa_label_count(const Bgpbus__V1__LabelStack *l)
{
    return l == NULL ? 0 : l->n_labels > 0 ? l->n_labels : l->n_raw;
}

static uint32_t
exa_label_value(const Bgpbus__V1__LabelStack *l, size_t i)
{
    return i < l->n_labels ? l->labels[i] : l->raw[i] >> 4;
}

/* Labels.json(): "label": [ [1000, 16001] ] (the raw field only when not 0); nothing when none. */
static void
exa_json_evpn_labels(struct exa_buf *b, const Bgpbus__V1__LabelStack *l)
{
    size_t n = exa_label_count(l);

    if (n == 0)
        return;
    EXA_PUTS(b, ", \"label\": [ ");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            EXA_PUTS(b, ", ");
        exa_putc(b, '[');
        exa_put_u64(b, exa_label_value(l, i));
        if (exa_label_raw(l, i) != 0) {
            EXA_PUTS(b, ", ");
            exa_put_u64(b, exa_label_raw(l, i));
        }
        exa_putc(b, ']');
    }
    EXA_PUTS(b, " ]");
}

static void
exa_json_rd_esi(struct exa_buf *b, const Bgpbus__V1__RouteDistinguisher *rd, bool with_esi,
                protobuf_c_boolean has_esi, ProtobufCBinaryData esi)
{
    EXA_PUTS(b, ", \"rd\": \"");
    exa_put_rd(b, rd);
    exa_putc(b, '"');
    if (with_esi) {
        EXA_PUTS(b, ", \"esi\": \"");
        exa_put_esi(b, has_esi, esi);
        exa_putc(b, '"');
    }
}

static void
exa_json_etag(struct exa_buf *b, uint32_t tag)
{
    EXA_PUTS(b, ", \"ethernet-tag\": ");
    exa_put_u64(b, tag);
}

static void
exa_json_ip(struct exa_buf *b, const char *member, ProtobufCBinaryData ip)
{
    EXA_PUTS(b, ", \"");
    exa_puts(b, member);
    EXA_PUTS(b, "\": \"");
    exa_put_ipb(b, ip);
    exa_putc(b, '"');
}

static void
exa_json_evpn_fields(struct exa_buf *b, const Bgpbus__V1__EvpnNlri *e)
{
    switch (e->route_case) {
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_AUTO_DISCOVERY: {
        const Bgpbus__V1__EvpnEthernetAutoDiscovery *r = e->ethernet_auto_discovery;

        exa_json_rd_esi(b, r->rd, true, r->has_esi, r->esi);
        exa_json_etag(b, r->ethernet_tag);
        exa_json_evpn_labels(b, r->labels);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT: {
        const Bgpbus__V1__EvpnMacIpAdvertisement *r = e->mac_ip_advertisement;

        exa_json_rd_esi(b, r->rd, true, r->has_esi, r->esi);
        exa_json_etag(b, r->ethernet_tag);
        EXA_PUTS(b, ", \"mac\": \"");
        exa_put_mac(b, r->mac);
        exa_putc(b, '"');
        exa_json_evpn_labels(b, r->labels);
        if (r->has_ip && r->ip.len > 0)
            exa_json_ip(b, "ip", r->ip);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST: {
        const Bgpbus__V1__EvpnInclusiveMulticast *r = e->inclusive_multicast;

        exa_json_rd_esi(b, r->rd, false, false, r->originator);
        exa_json_etag(b, r->ethernet_tag);
        exa_json_ip(b, "ip", r->originator);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_SEGMENT: {
        const Bgpbus__V1__EvpnEthernetSegment *r = e->ethernet_segment;

        exa_json_rd_esi(b, r->rd, true, r->has_esi, r->esi);
        exa_json_ip(b, "ip", r->originator);
        break;
    }
    default: {
        const Bgpbus__V1__EvpnIpPrefix *r = e->ip_prefix;
        uint8_t zero[16] = { 0 };
        ProtobufCBinaryData gw = { r->prefix->address.len, zero };

        exa_json_rd_esi(b, r->rd, true, r->has_esi, r->esi);
        exa_json_etag(b, r->ethernet_tag);
        exa_json_evpn_labels(b, r->labels);
        exa_json_ip(b, "ip", r->prefix->address);
        EXA_PUTS(b, ", \"iplen\": ");
        exa_put_u64(b, r->prefix->length);
        exa_json_ip(b, "gateway", r->has_gateway ? r->gateway : gw);
        break;
    }
    }
}

void
exa_json_evpn(struct exa_buf *b, const Bgpbus__V1__EvpnNlri *e)
{
    uint8_t wire[L2VPN_EVPN_MAX];
    const char *why = NULL;
    size_t len = l2vpn_evpn_encode(e, wire, &why);

    EXA_PUTS(b, " \"code\": ");
    exa_put_u64(b, len > 0 ? wire[0] : 0);
    /* 4.2's GenericEVPN: a type without a layout is its code and bytes. So is a route the
     * encoder refuses (it cannot have come from the wire): nothing is invented. */
    if (len == 0 || e->route_case == BGPBUS__V1__EVPN_NLRI__ROUTE_UNKNOWN) {
        EXA_PUTS(b, ", \"parsed\": false, \"raw\": \"");
        exa_put_hex_digits(b, wire, len);
        exa_putc(b, '"');
        return;
    }
    EXA_PUTS(b, ", \"parsed\": true, \"raw\": \"");
    exa_put_hex_digits(b, wire, len);
    exa_putc(b, '"');
    EXA_PUTS(b, ", \"name\": \"");
    exa_puts(b, evpn_names[wire[0]]);
    exa_putc(b, '"');
    exa_json_evpn_fields(b, e);
}

/* ---- text: ExaBGP's str() of the route ----------------------------------------------------- */

/* Labels.__str__(): " label 1000 (16001)", " label [ 1000 (16001) 2000 (32001) ]", or nothing. */
static void
exa_text_evpn_labels(struct exa_buf *b, const Bgpbus__V1__LabelStack *l)
{
    size_t n = exa_label_count(l);

    if (n == 0)
        return;
    EXA_PUTS(b, " label ");
    if (n > 1)
        EXA_PUTS(b, "[ ");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            exa_putc(b, ' ');
        exa_put_u64(b, exa_label_value(l, i));
        if (exa_label_raw(l, i) != 0) {
            EXA_PUTS(b, " (");
            exa_put_u64(b, exa_label_raw(l, i));
            exa_putc(b, ')');
        }
    }
    if (n > 1)
        EXA_PUTS(b, " ]");
}

static void
exa_text_sep_u64(struct exa_buf *b, uint64_t v)
{
    exa_putc(b, ':');
    exa_put_u64(b, v);
}

static void
exa_text_evpn_fields(struct exa_buf *b, const Bgpbus__V1__EvpnNlri *e)
{
    switch (e->route_case) {
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_AUTO_DISCOVERY: {
        const Bgpbus__V1__EvpnEthernetAutoDiscovery *r = e->ethernet_auto_discovery;

        exa_put_rd(b, r->rd);
        exa_putc(b, ':');
        exa_put_esi(b, r->has_esi, r->esi);
        exa_text_sep_u64(b, r->ethernet_tag);
        exa_putc(b, ':');
        exa_text_evpn_labels(b, r->labels);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT: {
        const Bgpbus__V1__EvpnMacIpAdvertisement *r = e->mac_ip_advertisement;

        exa_put_rd(b, r->rd);
        exa_putc(b, ':');
        exa_put_esi(b, r->has_esi, r->esi);
        exa_text_sep_u64(b, r->ethernet_tag);
        exa_putc(b, ':');
        exa_put_mac(b, r->mac);
        /* 4.2 compares the MAC's octet count to 48: the length is always shown. */
        exa_putc(b, '/');
        exa_put_u64(b, r->has_mac_length ? r->mac_length : 48);
        exa_putc(b, ':');
        if (r->has_ip && r->ip.len > 0)
            exa_put_ipb(b, r->ip);
        exa_putc(b, ':');
        exa_text_evpn_labels(b, r->labels);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST:
        exa_put_rd(b, e->inclusive_multicast->rd);
        exa_text_sep_u64(b, e->inclusive_multicast->ethernet_tag);
        exa_putc(b, ':');
        exa_put_ipb(b, e->inclusive_multicast->originator);
        break;
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_SEGMENT:
        exa_put_rd(b, e->ethernet_segment->rd);
        exa_putc(b, ':');
        exa_put_esi(b, e->ethernet_segment->has_esi, e->ethernet_segment->esi);
        exa_putc(b, ':');
        exa_put_ipb(b, e->ethernet_segment->originator);
        break;
    default: {
        const Bgpbus__V1__EvpnIpPrefix *r = e->ip_prefix;
        uint8_t zero[16] = { 0 };
        ProtobufCBinaryData gw = { r->prefix->address.len, zero };

        exa_put_rd(b, r->rd);
        exa_putc(b, ':');
        exa_put_esi(b, r->has_esi, r->esi);
        exa_text_sep_u64(b, r->ethernet_tag);
        exa_putc(b, ':');
        exa_put_ipb(b, r->prefix->address);
        exa_putc(b, '/');
        exa_put_u64(b, r->prefix->length);
        exa_putc(b, ':');
        exa_put_ipb(b, r->has_gateway ? r->gateway : gw);
        exa_putc(b, ':');
        exa_text_evpn_labels(b, r->labels);
        break;
    }
    }
}

void
exa_text_evpn(struct exa_buf *b, const Bgpbus__V1__EvpnNlri *e)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t wire[L2VPN_EVPN_MAX];
    const char *why = NULL;
    size_t len = l2vpn_evpn_encode(e, wire, &why);
    bool known = len > 0 && e->route_case != BGPBUS__V1__EVPN_NLRI__ROUTE_UNKNOWN;

    EXA_PUTS(b, "evpn:");
    exa_puts(b, evpn_short[known ? wire[0] : 0]);
    exa_putc(b, ':');
    if (known) {
        exa_putc(b, ':');
        exa_text_evpn_fields(b, e);
        return;
    }
    /* 4.2's GenericEVPN: the value (after type and length) in lower-case hex. */
    EXA_PUTS(b, "0x");
    for (size_t i = 2; i < len; i++) {
        exa_putc(b, digits[wire[i] >> 4]);
        exa_putc(b, digits[wire[i] & 0xf]);
    }
}
