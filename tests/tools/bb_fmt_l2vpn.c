/* bb_fmt_l2vpn: see bb_fmt_l2vpn.h. */
#include "bb_fmt_l2vpn.h"

#include <arpa/inet.h>

#include "bgpbus/v1/community.pb-c.h"

static void
l2_addr(FILE *f, ProtobufCBinaryData b)
{
    char t[INET6_ADDRSTRLEN] = "-";

    if (b.len == 4)
        inet_ntop(AF_INET, b.data, t, sizeof(t));
    else if (b.len == 16)
        inet_ntop(AF_INET6, b.data, t, sizeof(t));
    fputs(t, f);
}

static void
l2_hex(FILE *f, ProtobufCBinaryData b, const char *sep)
{
    for (size_t i = 0; i < b.len; i++)
        fprintf(f, "%s%02x", i ? sep : "", b.data[i]);
}

static void
l2_rd(FILE *f, const Bgpbus__V1__RouteDistinguisher *rd)
{
    if (rd == NULL) {
        fputs("?", f);
        return;
    }
    switch (rd->admin_case) {
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2: fprintf(f, "%u", rd->asn2); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4: fprintf(f, "%u", rd->asn4); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4: l2_addr(f, rd->ipv4); break;
    default: l2_hex(f, rd->raw, ""); return;
    }
    fprintf(f, ":%u", rd->assigned);
}

/* "-" for the reserved ESI 0 (and an absent one), else colon-separated hex. */
static void
l2_esi(FILE *f, protobuf_c_boolean has, ProtobufCBinaryData esi)
{
    bool zero = true;

    for (size_t i = 0; has && i < esi.len; i++)
        zero = zero && esi.data[i] == 0;
    if (zero)
        fputs("-", f);
    else
        l2_hex(f, esi, ":");
}

/* " label=L[,L2] field=F[,F2]": the 20-bit MPLS labels and the 24-bit fields they are in, which
 * a VXLAN speaker reads as the VNI (RFC 8365 5.1.3; GoBGP and FRR show the field). */
static void
l2_labels(FILE *f, const Bgpbus__V1__LabelStack *l)
{
    size_t n = l == NULL ? 0 : l->n_labels;

    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%u", i ? "," : " label=", l->labels[i]);
    for (size_t i = 0; i < n && i < l->n_raw; i++)
        fprintf(f, "%s%u", i ? "," : " field=", l->raw[i]);
}

static void
l2_evpn(FILE *f, const Bgpbus__V1__EvpnNlri *e)
{
    switch (e->route_case) {
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_AUTO_DISCOVERY:
        fputs("ead,", f);
        l2_rd(f, e->ethernet_auto_discovery->rd);
        fputc(',', f);
        l2_esi(f, e->ethernet_auto_discovery->has_esi, e->ethernet_auto_discovery->esi);
        fprintf(f, ",%u", e->ethernet_auto_discovery->ethernet_tag);
        l2_labels(f, e->ethernet_auto_discovery->labels);
        break;
    case BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT: {
        const Bgpbus__V1__EvpnMacIpAdvertisement *m = e->mac_ip_advertisement;

        fputs("macadv,", f);
        l2_rd(f, m->rd);
        fprintf(f, ",%u,", m->ethernet_tag);
        l2_hex(f, m->mac, ":");
        fputc(',', f);
        l2_addr(f, m->has_ip ? m->ip : (ProtobufCBinaryData){ 0, NULL });
        l2_labels(f, m->labels);
        fputs(" esi=", f);
        l2_esi(f, m->has_esi, m->esi);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST:
        fputs("multicast,", f);
        l2_rd(f, e->inclusive_multicast->rd);
        fprintf(f, ",%u,", e->inclusive_multicast->ethernet_tag);
        l2_addr(f, e->inclusive_multicast->originator);
        break;
    case BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_SEGMENT:
        fputs("es,", f);
        l2_rd(f, e->ethernet_segment->rd);
        fputc(',', f);
        l2_esi(f, e->ethernet_segment->has_esi, e->ethernet_segment->esi);
        fputc(',', f);
        l2_addr(f, e->ethernet_segment->originator);
        break;
    case BGPBUS__V1__EVPN_NLRI__ROUTE_IP_PREFIX: {
        const Bgpbus__V1__EvpnIpPrefix *p = e->ip_prefix;

        fputs("prefix,", f);
        l2_rd(f, p->rd);
        fprintf(f, ",%u,", p->ethernet_tag);
        if (p->prefix != NULL) {
            l2_addr(f, p->prefix->address);
            fprintf(f, "/%u", p->prefix->length);
        }
        fputs(" gw=", f);
        l2_addr(f, p->has_gateway ? p->gateway : (ProtobufCBinaryData){ 0, NULL });
        l2_labels(f, p->labels);
        break;
    }
    case BGPBUS__V1__EVPN_NLRI__ROUTE_UNKNOWN:
        fprintf(f, "type%u,", e->unknown->route_type);
        l2_hex(f, e->unknown->data, "");
        break;
    default: fputs("?", f); break;
    }
}

bool
bb_fmt_l2vpn_nlri(FILE *f, const Bgpbus__V1__Nlri *n)
{
    if (n->nlri_case == BGPBUS__V1__NLRI__NLRI_EVPN) {
        l2_evpn(f, n->evpn);
        return true;
    }
    if (n->nlri_case != BGPBUS__V1__NLRI__NLRI_VPLS)
        return false;
    l2_rd(f, n->vpls->rd);
    fprintf(f, ",ve=%u,offset=%u size=%u base=%u", n->vpls->endpoint, n->vpls->offset,
            n->vpls->size, n->vpls->label_base);
    return true;
}

void
bb_fmt_l2vpn_ext(FILE *f, const Bgpbus__V1__Attributes *a)
{
    for (size_t i = 0; a != NULL && i < a->n_extended_communities; i++) {
        const Bgpbus__V1__ExtendedCommunity *e = a->extended_communities[i];

        switch (e->typed_case) {
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_L2_INFO:
            fprintf(f, " l2info=%u:%u:%u:%u", e->l2_info->encapsulation_type,
                    e->l2_info->control_flags, e->l2_info->mtu, e->l2_info->site_preference);
            break;
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_MAC_MOBILITY:
            fprintf(f, " mobility=%u%s", e->mac_mobility->sequence,
                    e->mac_mobility->sticky ? ":sticky" : "");
            break;
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ESI_LABEL:
            fprintf(f, " esi-label=%u%s", e->esi_label->label,
                    e->esi_label->single_active ? ":single-active" : "");
            break;
        case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTER_MAC:
            fputs(" router-mac=", f);
            l2_hex(f, e->router_mac->mac, ":");
            break;
        default: break;
        }
    }
}
