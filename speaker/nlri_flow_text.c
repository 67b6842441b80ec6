/*
 * A FlowSpec rule as ExaBGP writes it ("flow destination-ipv4 192.0.2.0/24 protocol =tcp
 * destination-port [ =80 >8080&<8088 ]"), for logs and for comparing with ExaBGP's "string".
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "nlri_flow.h"

struct flow_text {
    char *buf;
    size_t size, len; /* len counts what the whole text needs, as snprintf */
};

static void __attribute__((format(printf, 2, 3))) ft_add(struct flow_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(t->len < t->size ? t->buf + t->len : NULL,
                  t->len < t->size ? t->size - t->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

static const char *
ft_name(unsigned type, bool v6)
{
    static const char *const names[] = {
        NULL,          "destination", "source",    NULL,        "port",          "destination-port",
        "source-port", "icmp-type",   "icmp-code", "tcp-flags", "packet-length", NULL,
        "fragment",    "flow-label",
    };

    switch (type) {
    case 3: return v6 ? "next-header" : "protocol";
    case 11: return v6 ? "traffic-class" : "dscp";
    default: return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
    }
}

/* IANA protocol numbers ExaBGP names. */
static const char *
ft_protocol(uint64_t v)
{
    switch (v) {
    case 1: return "icmp";
    case 2: return "igmp";
    case 6: return "tcp";
    case 8: return "egp";
    case 17: return "udp";
    case 46: return "rsvp";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 89: return "ospf";
    case 103: return "pim";
    case 132: return "sctp";
    default: return NULL;
    }
}

static void
ft_numeric(struct flow_text *t, unsigned type, const Bgpbus__V1__FlowSpecNumeric *num)
{
    static const char *const ops[] = { "=", "=", ">", ">=", "<", "<=", "!=", "true", "false" };

    for (size_t i = 0; i < num->n_terms; i++) {
        const Bgpbus__V1__FlowSpecNumericTerm *nt = num->terms[i];
        unsigned op = (unsigned)nt->op < sizeof(ops) / sizeof(ops[0]) ? (unsigned)nt->op : 0;
        const char *name = type == 3 ? ft_protocol(nt->value) : NULL;

        if (i > 0)
            ft_add(t, nt->and_previous ? "&" : " ");
        if (name != NULL)
            ft_add(t, "%s%s", ops[op], name);
        else
            ft_add(t, "%s%llu", ops[op], (unsigned long long)nt->value);
    }
}

static void
ft_bitmask(struct flow_text *t, unsigned type, const Bgpbus__V1__FlowSpecBitmask *bm)
{
    static const char *const tcp[] = { "fin",    "syn", "rst", "push", "ack",
                                       "urgent", "ece", "cwr", "ns" };
    static const char *const frag[] = { "dont-fragment", "is-fragment", "first-fragment",
                                        "last-fragment" };
    const char *const *names = type == 9 ? tcp : frag;
    unsigned nnames = type == 9 ? 9 : 4;

    for (size_t i = 0; i < bm->n_terms; i++) {
        const Bgpbus__V1__FlowSpecBitmaskTerm *bt = bm->terms[i];
        bool first = true;

        if (i > 0)
            ft_add(t, bt->and_previous ? "&" : " ");
        ft_add(t, "%s%s", bt->negate ? "!" : "", bt->match ? "=" : "");
        if (bt->bits == 0)
            ft_add(t, type == 12 ? "not-a-fragment" : "0");
        for (unsigned b = 0; b < 64; b++) {
            if (!(bt->bits >> b & 1))
                continue;
            if (b < nnames)
                ft_add(t, "%s%s", first ? "" : "+", names[b]);
            else
                ft_add(t, "%s0x%llx", first ? "" : "+", 1ull << b);
            first = false;
        }
    }
}

static void
ft_prefix(struct flow_text *t, const Bgpbus__V1__FlowSpecPrefix *fp, bool v6)
{
    char addr[INET6_ADDRSTRLEN];

    if (fp->prefix == NULL || fp->prefix->address.len != (v6 ? 16u : 4u) ||
        inet_ntop(v6 ? AF_INET6 : AF_INET, fp->prefix->address.data, addr, sizeof(addr)) == NULL) {
        ft_add(t, "?");
        return;
    }
    if (v6)
        ft_add(t, "%s/%u/%u", addr, fp->prefix->length, fp->has_offset ? fp->offset : 0);
    else
        ft_add(t, "%s/%u", addr, fp->prefix->length);
}

static const Bgpbus__V1__FlowSpecNumeric *
ft_numeric_of(const Bgpbus__V1__FlowSpecComponent *c)
{
    switch (c->component_case) {
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_IP_PROTOCOL: return c->ip_protocol;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_PORT: return c->port;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION_PORT: return c->destination_port;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_SOURCE_PORT: return c->source_port;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_ICMP_TYPE: return c->icmp_type;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_ICMP_CODE: return c->icmp_code;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_PACKET_LENGTH: return c->packet_length;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DSCP: return c->dscp;
    case BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_FLOW_LABEL: return c->flow_label;
    default: return NULL;
    }
}

int
nlri_flow_text(const Bgpbus__V1__FlowSpecNlri *m, char *buf, size_t size)
{
    struct flow_text t = { .buf = buf, .size = size, .len = 0 };
    bool v6 = m->afi == BGPBUS__V1__AFI__AFI_IPV6;

    if (size > 0)
        buf[0] = '\0';
    ft_add(&t, "flow");
    for (size_t i = 0; i < m->n_components; i++) {
        const Bgpbus__V1__FlowSpecComponent *c = m->components[i];
        unsigned type = (unsigned)c->component_case;
        const char *name = ft_name(type, v6);
        size_t nterms = 0;

        if (c->component_case == BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_UNKNOWN) {
            ft_add(&t, " unknown-%u 0x", c->unknown->type);
            for (size_t k = 0; k < c->unknown->data.len; k++)
                ft_add(&t, "%02x", c->unknown->data.data[k]);
            continue;
        }
        if (name == NULL)
            continue;
        ft_add(&t, " %s", name);
        if (type == 1 || type == 2) {
            ft_add(&t, "-%s ", v6 ? "ipv6" : "ipv4");
            ft_prefix(&t, type == 1 ? c->destination : c->source, v6);
            continue;
        }
        if (type == 9 || type == 12) {
            const Bgpbus__V1__FlowSpecBitmask *bm = type == 9 ? c->tcp_flags : c->fragment;
            nterms = bm->n_terms;
            ft_add(&t, nterms > 1 ? " [ " : " ");
            ft_bitmask(&t, type, bm);
        } else {
            const Bgpbus__V1__FlowSpecNumeric *num = ft_numeric_of(c);
            if (num == NULL)
                continue;
            nterms = num->n_terms;
            ft_add(&t, nterms > 1 ? " [ " : " ");
            ft_numeric(&t, type, num);
        }
        if (nterms > 1)
            ft_add(&t, " ]");
    }
    return (int)t.len;
}
