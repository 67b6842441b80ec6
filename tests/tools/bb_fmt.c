/*
 * bb_fmt: bbclient's text of VPN, labeled unicast and FlowSpec routes (see bb_fmt.h), so that
 * the interop tests compare what the speaker reports with what a real peer's table holds.
 */
#include "bb_fmt.h"

#include <arpa/inet.h>
#include <inttypes.h>

#include "bgpbus/v1/community.pb-c.h"

static void
fmt_addr(FILE *f, const ProtobufCBinaryData *b)
{
    char t[INET6_ADDRSTRLEN] = "?";

    if (b->len == 4)
        inet_ntop(AF_INET, b->data, t, sizeof(t));
    else if (b->len == 16)
        inet_ntop(AF_INET6, b->data, t, sizeof(t));
    fputs(t, f);
}

static void
fmt_prefix(FILE *f, const Bgpbus__V1__Prefix *p)
{
    if (!p) {
        fputs("?", f);
        return;
    }
    fmt_addr(f, &p->address);
    fprintf(f, "/%u", p->length);
}

static void
fmt_rd(FILE *f, const Bgpbus__V1__RouteDistinguisher *rd)
{
    fputs(" rd=", f);
    if (!rd) {
        fputs("?", f);
        return;
    }
    switch (rd->admin_case) {
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2: fprintf(f, "%u", rd->asn2); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4: fprintf(f, "%u", rd->asn4); break;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4: fmt_addr(f, &rd->ipv4); break;
    default:
        for (size_t i = 0; i < rd->raw.len; i++)
            fprintf(f, "%02x", rd->raw.data[i]);
        return;
    }
    fprintf(f, ":%u", rd->assigned);
}

static void
fmt_labels(FILE *f, const Bgpbus__V1__LabelStack *l)
{
    fputs(" label=", f);
    if (!l || l->n_labels == 0) {
        fputs("?", f);
        return;
    }
    for (size_t i = 0; i < l->n_labels; i++)
        fprintf(f, "%s%u", i ? "," : "", l->labels[i]);
}

/* Numeric terms (RFC 8955 4.2.1.1): "80", ">=1024&<=2000", "53|5353". */
static void
fmt_numeric(FILE *f, const Bgpbus__V1__FlowSpecNumeric *num)
{
    static const char *ops[] = { "", "", ">", ">=", "<", "<=", "!=", "true", "false" };

    for (size_t i = 0; num && i < num->n_terms; i++) {
        const Bgpbus__V1__FlowSpecNumericTerm *t = num->terms[i];
        if (i)
            fputs(t->and_previous ? "&" : "|", f);
        fputs(t->op < sizeof(ops) / sizeof(ops[0]) ? ops[t->op] : "?", f);
        if (t->op != BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_TRUE &&
            t->op != BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_FALSE)
            fprintf(f, "%" PRIu64, t->value);
    }
}

/* Bitmask terms (RFC 8955 4.2.1.2) with ExaBGP's bit names: "syn", "=syn+ack", "!rst". */
static void
fmt_bitmask(FILE *f, const Bgpbus__V1__FlowSpecBitmask *bm, const char *const *names, int nnames)
{
    for (size_t i = 0; bm && i < bm->n_terms; i++) {
        const Bgpbus__V1__FlowSpecBitmaskTerm *t = bm->terms[i];
        const char *sep = "";
        if (i)
            fputs(t->and_previous ? "&" : "|", f);
        fputs(t->negate ? "!" : "", f);
        fputs(t->match ? "=" : "", f);
        if (t->bits == 0)
            fputs("0", f);
        for (int b = 0; b < 64; b++)
            if (t->bits & (UINT64_C(1) << b)) {
                if (b < nnames)
                    fprintf(f, "%s%s", sep, names[b]);
                else
                    fprintf(f, "%sbit%d", sep, b);
                sep = "+";
            }
    }
}

static const char *const tcp_names[] = { "fin", "syn", "rst", "push", "ack",
                                         "urg", "ece", "cwr", "ns" };
static const char *const frag_names[] = { "dont-fragment", "is-fragment", "first-fragment",
                                          "last-fragment" };

/* Component names and order as tests/peers/_norm.py (dst, src, proto, port, dport, sport). */
static const char *const comp_names[] = { "?",       "dst",   "src",       "proto",     "port",
                                          "dport",   "sport", "icmp-type", "icmp-code", "tcp-flags",
                                          "pkt-len", "dscp",  "fragment",  "flow-label" };

static void
fmt_component(FILE *f, const Bgpbus__V1__FlowSpecComponent *c)
{
    const Bgpbus__V1__FlowSpecNumeric *num = NULL;
    int type = (int)c->component_case;

    if (type < 1 || type > 13) {
        fprintf(f, "type%u=?", c->unknown ? c->unknown->type : 0);
        return;
    }
    fprintf(f, "%s=", comp_names[type]);
    switch (c->component_case) {
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION:
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_SOURCE: {
        const Bgpbus__V1__FlowSpecPrefix *p = c->component_case == 1 ? c->destination : c->source;
        fmt_prefix(f, p ? p->prefix : NULL);
        if (p && p->offset) /* RFC 8956 3.1 */
            fprintf(f, "/%u", p->offset);
        return;
    }
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_TCP_FLAGS:
        fmt_bitmask(f, c->tcp_flags, tcp_names, 9);
        return;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_FRAGMENT:
        fmt_bitmask(f, c->fragment, frag_names, 4);
        return;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_IP_PROTOCOL: num = c->ip_protocol; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_PORT: num = c->port; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION_PORT:
        num = c->destination_port;
        break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_SOURCE_PORT: num = c->source_port; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_ICMP_TYPE: num = c->icmp_type; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_ICMP_CODE: num = c->icmp_code; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_PACKET_LENGTH: num = c->packet_length; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DSCP: num = c->dscp; break;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_FLOW_LABEL: num = c->flow_label; break;
    default: break;
    }
    fmt_numeric(f, num);
}

/* The rule's components in type order (RFC 8955 4.2: a valid rule is already in it). */
static void
fmt_flow(FILE *f, const Bgpbus__V1__FlowSpecNlri *fl)
{
    for (size_t i = 0; i < fl->n_components; i++) {
        if (i)
            fputc(',', f);
        fmt_component(f, fl->components[i]);
    }
    if (fl->n_components == 0)
        fputs("empty", f);
    if (fl->rd)
        fmt_rd(f, fl->rd);
}

const char *
bb_fmt_family(const Bgpbus__V1__Nlri *n)
{
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_VPN:
        return n->vpn->prefix && n->vpn->prefix->address.len == 16 ? "vpn6" : "vpn4";
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        return n->labeled_unicast->prefix && n->labeled_unicast->prefix->address.len == 16 ? "lu6"
                                                                                           : "lu4";
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC: {
        bool v6 = n->flowspec->afi == BGPBUS__V1__AFI__AFI_IPV6;
        if (n->flowspec->rd)
            return v6 ? "flowvpn6" : "flowvpn4";
        return v6 ? "flow6" : "flow4";
    }
    default: return NULL;
    }
}

bool
bb_fmt_nlri(FILE *f, const Bgpbus__V1__Nlri *n)
{
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_VPN:
        fmt_prefix(f, n->vpn->prefix);
        fmt_rd(f, n->vpn->rd);
        fmt_labels(f, n->vpn->labels);
        return true;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        fmt_prefix(f, n->labeled_unicast->prefix);
        fmt_labels(f, n->labeled_unicast->labels);
        return true;
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC: fmt_flow(f, n->flowspec); return true;
    default: return false;
    }
}

static void
fmt_admin(FILE *f, const Bgpbus__V1__ExtCommunityAdmin *a)
{
    switch (a->global_admin_case) {
    case BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2: fprintf(f, "%u", a->asn2); break;
    case BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4: fprintf(f, "%u", a->asn4); break;
    case BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_IPV4: fmt_addr(f, &a->ipv4); break;
    default: fputs("?", f); break;
    }
    fprintf(f, ":%u", a->local_admin);
}

/* The first FlowSpec action (RFC 8955 7) as tests/peers/_norm.py names it. */
static bool
fmt_action(FILE *f, const Bgpbus__V1__ExtendedCommunity *e)
{
    switch (e->typed_case) {
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE:
        if (e->traffic_rate->rate == 0)
            fputs(" action=discard", f);
        else
            fprintf(f, " action=rate=%.0f", (double)e->traffic_rate->rate);
        return true;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT:
        fputs(" action=redirect=", f);
        fmt_admin(f, e->redirect);
        return true;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP:
        fputs(e->redirect_to_nexthop->copy ? " action=copy-nh" : " action=redirect-nh", f);
        return true;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP:
        fputs(" action=redirect-ip=", f);
        fmt_addr(f, &e->redirect_to_ip->address);
        return true;
    case BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_MARKING:
        fprintf(f, " action=mark=%u", e->traffic_marking->dscp);
        return true;
    default: return false;
    }
}

void
bb_fmt_ext(FILE *f, const Bgpbus__V1__Attributes *a)
{
    const char *sep = " rt=";

    if (!a)
        return;
    for (size_t i = 0; i < a->n_extended_communities; i++) {
        const Bgpbus__V1__ExtendedCommunity *e = a->extended_communities[i];
        if (e->typed_case != BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET)
            continue;
        fputs(sep, f);
        fmt_admin(f, e->route_target);
        sep = ",";
    }
    for (size_t i = 0; i < a->n_extended_communities; i++)
        if (fmt_action(f, a->extended_communities[i]))
            return;
}
