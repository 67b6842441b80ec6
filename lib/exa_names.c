/*
 * ExaBGP's names and text forms shared by the JSON and text encoders: families, route
 * distinguishers, standard and extended communities (ExaBGP 4.2's spelling, SPEC 3.5.1).
 */
#include <stdio.h>

#include "exa_int.h"

const char *
exa_afi_name(uint32_t afi)
{
    switch (afi) {
    case BGPBUS__V1__AFI__AFI_IPV4: return "ipv4";
    case BGPBUS__V1__AFI__AFI_IPV6: return "ipv6";
    case BGPBUS__V1__AFI__AFI_L2VPN: return "l2vpn";
    case BGPBUS__V1__AFI__AFI_BGP_LS: return "bgp-ls";
    default: return NULL;
    }
}

const char *
exa_safi_name(uint32_t safi)
{
    switch (safi) {
    case BGPBUS__V1__SAFI__SAFI_UNICAST: return "unicast";
    case BGPBUS__V1__SAFI__SAFI_MULTICAST: return "multicast";
    case BGPBUS__V1__SAFI__SAFI_MPLS_LABEL: return "nlri-mpls";
    case BGPBUS__V1__SAFI__SAFI_VPLS: return "vpls";
    case BGPBUS__V1__SAFI__SAFI_EVPN: return "evpn";
    case BGPBUS__V1__SAFI__SAFI_BGP_LS: return "bgp-ls";
    case BGPBUS__V1__SAFI__SAFI_BGP_LS_VPN: return "bgp-ls-vpn";
    case BGPBUS__V1__SAFI__SAFI_MPLS_VPN: return "mpls-vpn";
    case BGPBUS__V1__SAFI__SAFI_RTC: return "rtc";
    case BGPBUS__V1__SAFI__SAFI_FLOWSPEC: return "flow";
    case BGPBUS__V1__SAFI__SAFI_FLOWSPEC_VPN: return "flow-vpn";
    default: return NULL;
    }
}

void
exa_put_family(struct exa_buf *b, uint32_t afi, uint32_t safi, char sep)
{
    const char *a = exa_afi_name(afi), *s = exa_safi_name(safi);

    /* Numbers ExaBGP 4.2 does not name (SAFI 5 mcast-vpn, 73 sr-policy, 85 mup came with 5.0) are
     * printed its way: "unknown safi 85". */
    if (a != NULL) {
        exa_puts(b, a);
    } else {
        EXA_PUTS(b, "unknown afi ");
        exa_put_u64(b, afi);
    }
    exa_putc(b, sep);
    if (s != NULL) {
        exa_puts(b, s);
    } else {
        EXA_PUTS(b, "unknown safi ");
        exa_put_u64(b, safi);
    }
}

void
exa_put_family_pb(struct exa_buf *b, const Bgpbus__V1__Family *f, char sep)
{
    exa_put_family(b, f != NULL ? f->afi : 0, f != NULL ? f->safi : 0, sep);
}

void
exa_put_rd(struct exa_buf *b, const Bgpbus__V1__RouteDistinguisher *rd)
{
    if (rd == NULL) {
        EXA_PUTS(b, "0:0");
        return;
    }
    switch (rd->admin_case) {
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2: exa_put_u64(b, rd->asn2); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4: exa_put_u64(b, rd->asn4); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4: exa_put_ipb(b, rd->ipv4); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_RAW:
        exa_put_hex(b, rd->raw.data, rd->raw.len);
        return;
    default: EXA_PUTS(b, "0"); break;
    }
    exa_putc(b, ':');
    exa_put_u64(b, rd->assigned);
}

void
exa_put_community_text(struct exa_buf *b, uint32_t c)
{
    /* RFC 1997, RFC 3765, RFC 7999 well-known values, with ExaBGP's names. */
    switch (c) {
    case 0xFFFFFF01u: EXA_PUTS(b, "no-export"); return;
    case 0xFFFFFF02u: EXA_PUTS(b, "no-advertise"); return;
    case 0xFFFFFF03u: EXA_PUTS(b, "no-export-subconfed"); return;
    case 0xFFFFFF04u: EXA_PUTS(b, "nopeer"); return;
    case 0xFFFF029Au: EXA_PUTS(b, "blackhole"); return;
    default: break;
    }
    exa_put_u64(b, c >> 16);
    exa_putc(b, ':');
    exa_put_u64(b, c & 0xffff);
}

static float
exa_get_float(const uint8_t *p)
{
    uint32_t u = exa_get32(p);
    float f;

    memcpy(&f, &u, sizeof(f));
    return f;
}

/* Python's "%d" % float: truncation toward zero, with out-of-range values clamped. */
static void
exa_put_float_int(struct exa_buf *b, float f)
{
    if (!(f == f))
        f = 0;
    if (f >= 9.2e18f)
        exa_put_i64(b, INT64_MAX);
    else if (f <= -9.2e18f)
        exa_put_i64(b, INT64_MIN);
    else
        exa_put_i64(b, (int64_t)f);
}

/* RFC 9012 / IANA "BGP Tunnel Encapsulation Attribute Tunnel Types", ExaBGP's names. */
static const char *
exa_encap_name(unsigned type)
{
    switch (type) {
    case 1: return "L2TPv3";
    case 2: return "GRE";
    case 7: return "IP-in-IP";
    case 8: return "VXLAN";
    case 9: return "NVGRE";
    case 10: return "MPLS";
    case 11: return "MPLS-in-GRE";
    case 12: return "VXLAN-GPE";
    case 13: return "MPLS-in-UDP";
    default: return NULL;
    }
}

/* "<label>:<asn2>:<u32>", "<label>:<ip>:<u16>", "<label>:<asn4>L:<u16>" (RFC 4360 3, RFC 5668). */
static void
exa_put_admin(struct exa_buf *b, const char *label, const uint8_t raw[8])
{
    exa_puts(b, label);
    switch (raw[0] & 0x3f) {
    case 0x00:
        exa_put_u64(b, exa_get16(raw + 2));
        exa_putc(b, ':');
        exa_put_u64(b, exa_get32(raw + 4));
        break;
    case 0x01:
        exa_put_ip(b, raw + 2, 4);
        exa_putc(b, ':');
        exa_put_u64(b, exa_get16(raw + 6));
        break;
    default:
        exa_put_u64(b, exa_get32(raw + 2));
        EXA_PUTS(b, "L:");
        exa_put_u64(b, exa_get16(raw + 6));
        break;
    }
}

void
exa_put_extcomm_text(struct exa_buf *b, const uint8_t raw[8])
{
    unsigned type = raw[0], sub = raw[1];

    switch (type << 8 | sub) {
    case 0x0002:
    case 0x0102:
    case 0x0202:
    case 0x4002:
    case 0x4102:
    case 0x4202:
        /* RFC 4360 4: route target. */
        exa_put_admin(b, "target:", raw);
        return;
    case 0x0003:
    case 0x4003:
        /* ExaBGP 4.2 (OriginASNIP) prints the 2-octet-AS route origin's local part as an IPv4
         * address. */
        EXA_PUTS(b, "origin:");
        exa_put_u64(b, exa_get16(raw + 2));
        exa_putc(b, ':');
        exa_put_ip(b, raw + 4, 4);
        return;
    case 0x0203:
    case 0x4203: exa_put_admin(b, "origin:", raw); return;
    case 0x0103:
    case 0x4103:
        /* ExaBGP 4.2 prints the IPv4-specific route origin with its fields swapped. */
        EXA_PUTS(b, "origin:");
        exa_put_u64(b, exa_get16(raw + 6));
        exa_putc(b, ':');
        exa_put_ip(b, raw + 2, 4);
        return;
    case 0x8008:
    case 0x8108:
    case 0x8208:
        /* RFC 8955 7.4, RFC 7674: redirect to VRF. */
        exa_put_admin(b, "redirect:", raw);
        return;
    case 0x8006:
        /* RFC 8955 7.3 traffic-rate-bytes: IEEE float, bytes per second. */
        EXA_PUTS(b, "rate-limit:");
        exa_put_float_int(b, exa_get_float(raw + 4));
        return;
    case 0x8007: {
        /* RFC 8955 7.3 traffic-action: S (0x02) and T (0x01) bits. */
        bool sample = raw[7] & 0x02, terminal = raw[7] & 0x01;

        EXA_PUTS(b, "action ");
        if (sample)
            EXA_PUTS(b, "sample");
        if (sample && terminal)
            exa_putc(b, '-');
        if (terminal)
            EXA_PUTS(b, "terminal");
        return;
    }
    case 0x8009:
        EXA_PUTS(b, "mark ");
        exa_put_u64(b, raw[7] & 0x3f);
        return;
    case 0x0800:
        /* draft-simpson-idr-flowspec-redirect: C bit in the last octet. */
        if (raw[7] & 0x01)
            EXA_PUTS(b, "copy-to-nexthop");
        else
            EXA_PUTS(b, "redirect-to-nexthop");
        return;
    case 0x010C:
        /* draft-ietf-idr-flowspec-redirect-ip. */
        if (raw[7] & 0x01) {
            EXA_PUTS(b, "copy-to-nexthop-ietf ");
            exa_put_ip(b, raw + 2, 4);
            EXA_PUTS(b, " (with copy)");
        } else {
            EXA_PUTS(b, "redirect-to-nexthop-ietf ");
            exa_put_ip(b, raw + 2, 4);
        }
        return;
    case 0x800A:
        /* RFC 4761 3.2.4 Layer2 Info. */
        EXA_PUTS(b, "l2info:");
        exa_put_u64(b, raw[2]);
        exa_putc(b, ':');
        exa_put_u64(b, raw[3]);
        exa_putc(b, ':');
        exa_put_u64(b, exa_get16(raw + 4));
        exa_putc(b, ':');
        exa_put_u64(b, exa_get16(raw + 6));
        return;
    case 0x4004:
        /* draft-ietf-idr-link-bandwidth; "bandwith" is 4.2's spelling. */
        EXA_PUTS(b, "bandwith:");
        exa_put_u64(b, exa_get16(raw + 2));
        exa_putc(b, ':');
        exa_put_float_int(b, exa_get_float(raw + 4));
        return;
    case 0x030C: {
        /* RFC 9012 4.1 Encapsulation extended community: tunnel type in the last 2 octets. */
        const char *name = exa_encap_name(exa_get16(raw + 6));

        EXA_PUTS(b, "encap:");
        if (name != NULL)
            exa_puts(b, name);
        else
            exa_put_u64(b, exa_get16(raw + 6));
        return;
    }
    case 0x0702:
    case 0x4702: {
        /* draft-ietf-idr-flowspec-interfaceset: AS (4), then O/I bits and a 14-bit group. */
        static const char *const dirs[] = { "unspecified", "input", "output", "input-output" };
        unsigned local = exa_get16(raw + 6);

        EXA_PUTS(b, "interface-set:");
        exa_puts(b, dirs[local >> 14]);
        exa_putc(b, ':');
        exa_put_u64(b, exa_get32(raw + 2));
        exa_putc(b, ':');
        exa_put_u64(b, local & 0x3fff);
        return;
    }
    case 0x0600:
        /* RFC 7432 7.7 MAC Mobility. */
        EXA_PUTS(b, "mac-mobility:");
        exa_put_u64(b, exa_get32(raw + 4));
        if (raw[2] & 0x01)
            EXA_PUTS(b, ":sticky");
        return;
    case 0x0601:
        /* RFC 7432 7.5 ESI Label: the label is the high 20 bits of the last 3 octets. */
        EXA_PUTS(b, "esi-label:");
        exa_put_u64(b, ((uint32_t)raw[5] << 16 | (uint32_t)raw[6] << 8 | raw[7]) >> 4);
        if (raw[2] & 0x01)
            EXA_PUTS(b, ":single-active");
        return;
    case 0x0603: {
        /* RFC 9135 8.1 Router's MAC. */
        static const char digits[] = "0123456789ABCDEF";
        char mac[17];

        for (int i = 0; i < 6; i++) {
            mac[3 * i] = digits[raw[2 + i] >> 4];
            mac[3 * i + 1] = digits[raw[2 + i] & 0xf];
            if (i < 5)
                mac[3 * i + 2] = ':';
        }
        EXA_PUTS(b, "router-mac:");
        exa_put(b, mac, sizeof(mac));
        return;
    }
    default:
        /* Unknown types: the 64-bit value in hex, as 4.2's ExtendedCommunity repr. */
        exa_put_hex(b, raw, 8);
        return;
    }
}

void
exa_put_peer_ip(struct exa_buf *b, const Bgpbus__V1__Event *ev)
{
    if (ev->peer == NULL || !ev->peer->has_address) {
        exa_putc(b, '-');
        return;
    }
    exa_put_ipb(b, ev->peer->address);
}

const char *
exa_direction_name(const Bgpbus__V1__Event *ev)
{
    if (!ev->has_direction)
        return NULL;
    switch (ev->direction) {
    case BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED: return "receive";
    case BGPBUS__V1__DIRECTION__DIRECTION_SENT: return "send";
    default: return NULL;
    }
}

const char *
exa_refresh_subtype_name(Bgpbus__V1__RouteRefreshSubtype subtype)
{
    /* RFC 7313 3: BoRR and EoRR demarcate an enhanced refresh; anything else is a request. */
    switch (subtype) {
    case BGPBUS__V1__ROUTE_REFRESH_SUBTYPE__ROUTE_REFRESH_SUBTYPE_BORR: return "begin";
    case BGPBUS__V1__ROUTE_REFRESH_SUBTYPE__ROUTE_REFRESH_SUBTYPE_EORR: return "end";
    default: return "query";
    }
}

const char *
exa_message_name(unsigned type)
{
    /* RFC 4271 4.1 message types, with ExaBGP's names (4.2 Message.CODE.short()). */
    switch (type) {
    case 1: return "open";
    case 2: return "update";
    case 3: return "notification";
    case 4: return "keepalive";
    case 5: return "route refresh";
    case 6: return "operational";
    default: return NULL;
    }
}
