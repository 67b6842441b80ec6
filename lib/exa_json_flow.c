/*
 * FlowSpec rules (RFC 8955, RFC 8956) as ExaBGP 4.2 renders them, checked against 4.2 itself
 * (tests/data/exabgp-json, tests/conformance/json42.py). The rules of 4.2's nlri/flow.py:
 *
 * - components in type order, each named per family ("destination-ipv4", "next-header", ...);
 * - a term is its operator then its value: "=80", ">8080", "&<8088" (AND with the previous
 *   term), "true"/"false" alone; protocols and ICMP types by name where 4.2 has one, bitmask
 *   values as their bit names joined by '+' ("syn+ack", "not-a-fragment" for 0);
 * - text: " <name> <term>" for one term, " <name> [ <terms> ]" for more, terms separated by a
 *   space unless AND-ed; then " rd <rd>" and " next-hop <ip>";
 * - JSON: "<name>": [ "<term>", ... ] where an AND-ed term is glued to the one before (one
 *   string ">8080&<8088") and each bit of a bitmask term is a string of its own; then "rd",
 *   "next-hop" and "string" (the text above).
 */
#include "exa_flow.h"

#include <stdio.h>

#define FLOW_AND 0x40 /* RFC 8955 4.2.1.1: the "a" bit */

/* 4.2's Protocol names (protocol/__init__.py). */
static const char *
flow_protocol_name(uint64_t v)
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
    case 94: return "ipip";
    case 103: return "pim";
    case 132: return "sctp";
    default: return NULL;
    }
}

/* 4.2's ICMPType names (protocol/ip/icmp.py). */
static const char *
flow_icmp_type_name(uint64_t v)
{
    switch (v) {
    case 0: return "echo-reply";
    case 3: return "unreachable";
    case 4: return "source-quench";
    case 5: return "redirect";
    case 8: return "echo-request";
    case 9: return "router-advertisement";
    case 10: return "router-solicit";
    case 11: return "time-exceeded";
    case 12: return "parameter-problem";
    case 13: return "timestamp";
    case 14: return "timestamp-reply";
    case 15: return "info-request";
    case 16: return "info-reply";
    case 17: return "mask-request";
    case 18: return "mask-reply";
    case 30: return "traceroute";
    case 41: return "experimental-mobility";
    case 42: return "extended-echo-request";
    case 43: return "extended-echo-reply";
    case 253: return "experimental-one";
    case 254: return "experimental-two";
    default: return NULL;
    }
}

static const char *
flow_component_name(unsigned type, bool v6)
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

/* The operator octet's lt/gt/eq bits (RFC 8955 4.2.1.1) and "a" bit of a numeric term. */
static unsigned
flow_numeric_op(const Bgpbus__V1__FlowSpecNumericTerm *t)
{
    unsigned op;

    switch (t->op) {
    case BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_FALSE: op = 0; break;
    case BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_UNSPECIFIED: op = 1; break;
    default: op = (unsigned)t->op & 7; break; /* EQ 1 .. TRUE 7 are the bit patterns */
    }
    return op | (t->and_previous ? FLOW_AND : 0);
}

/* NumericString: "true" and "false" (without the "a" bit) stand alone. */
static void
flow_numeric_term(struct exa_buf *b, unsigned type, const Bgpbus__V1__FlowSpecNumericTerm *t)
{
    static const char *const ops[] = { "false", "=", ">", ">=", "<", "<=", "!=", "true" };
    unsigned op = flow_numeric_op(t);
    const char *name = NULL;

    if (op == 0 || op == 7) {
        exa_puts(b, ops[op]);
        return;
    }
    if (op & FLOW_AND)
        exa_putc(b, '&');
    exa_puts(b, ops[op & 7]);
    if (type == 3) {
        name = flow_protocol_name(t->value);
        if (name == NULL)
            EXA_PUTS(b, "unknown protocol type ");
    } else if (type == 7) {
        name = flow_icmp_type_name(t->value);
        if (name == NULL)
            EXA_PUTS(b, "unknown icmp type type ");
    }
    if (name != NULL)
        exa_puts(b, name);
    else
        exa_put_u64(b, t->value);
}

/* BinaryString's operator: "a", "not" and "m" bits. */
static void
flow_bitmask_op(struct exa_buf *b, const Bgpbus__V1__FlowSpecBitmaskTerm *t)
{
    if (t->and_previous)
        exa_putc(b, '&');
    if (t->negate)
        exa_putc(b, '!');
    if (t->match)
        exa_putc(b, '=');
}

/* BitResource.bits(): the names of the bits set, in 4.2's order; what is left, as "unknown". */
static size_t
flow_bit_names(unsigned type, uint64_t value, const char *names[11])
{
    static const char *const tcp[] = {
        "fin", "syn", "rst", "push", "ack", "urg", "ece", "cwr", "ns"
    };
    static const char *const frag[] = { "dont-fragment", "is-fragment", "first-fragment",
                                        "last-fragment" };
    const char *const *table = type == 9 ? tcp : frag;
    unsigned ntable = type == 9 ? 9 : 4;
    uint64_t left = value;
    size_t n = 0;

    if (type == 12 && value == 0)
        names[n++] = "not-a-fragment";
    for (unsigned i = 0; i < ntable; i++) {
        if (left >> i & 1) {
            names[n++] = table[i];
            left &= ~(1ull << i);
        }
    }
    if (left != 0)
        names[n++] = NULL; /* "unknown ... type <value>" */
    return n;
}

static void
flow_bit_name(struct exa_buf *b, unsigned type, uint64_t value, const char *name)
{
    if (name != NULL) {
        exa_puts(b, name);
        return;
    }
    exa_puts(b, type == 9 ? "unknown tcp flag type " : "unknown fragment type ");
    exa_put_u64(b, value);
}

static void
flow_bitmask_term(struct exa_buf *b, unsigned type, const Bgpbus__V1__FlowSpecBitmaskTerm *t)
{
    const char *names[11];
    size_t n = flow_bit_names(type, t->bits, names);

    flow_bitmask_op(b, t);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            exa_putc(b, '+');
        flow_bit_name(b, type, t->bits, names[i]);
    }
}

static void
flow_prefix(struct exa_buf *b, const Bgpbus__V1__FlowSpecPrefix *p, bool v6)
{
    exa_put_prefix(b, p->prefix);
    if (v6) {
        exa_putc(b, '/');
        exa_put_u64(b, p->has_offset ? p->offset : 0);
    }
}

static const Bgpbus__V1__FlowSpecNumeric *
flow_numeric_of(const Bgpbus__V1__FlowSpecComponent *c)
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

static const Bgpbus__V1__FlowSpecBitmask *
flow_bitmask_of(const Bgpbus__V1__FlowSpecComponent *c)
{
    if (c->component_case == BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_TCP_FLAGS)
        return c->tcp_flags;
    if (c->component_case == BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_FRAGMENT)
        return c->fragment;
    return NULL;
}

/* The component of that type, or NULL: 4.2 prints them in type order (sorted(self.rules)). */
static const Bgpbus__V1__FlowSpecComponent *
flow_component(const Bgpbus__V1__FlowSpecNlri *f, unsigned type)
{
    for (size_t i = 0; i < f->n_components; i++)
        if ((unsigned)f->components[i]->component_case == type)
            return f->components[i];
    return NULL;
}

static bool
flow_v6(const Bgpbus__V1__FlowSpecNlri *f)
{
    return f->has_afi && f->afi == BGPBUS__V1__AFI__AFI_IPV6;
}

/* " <name>" and, for prefixes, "-ipv4"/"-ipv6". */
static void
flow_put_name(struct exa_buf *b, unsigned type, bool v6)
{
    exa_puts(b, flow_component_name(type, v6));
    if (type == 1 || type == 2)
        exa_puts(b, v6 ? "-ipv6" : "-ipv4");
}

static void
flow_text_component(struct exa_buf *b, const Bgpbus__V1__FlowSpecComponent *c, unsigned type,
                    bool v6)
{
    const Bgpbus__V1__FlowSpecNumeric *num = flow_numeric_of(c);
    const Bgpbus__V1__FlowSpecBitmask *bm = flow_bitmask_of(c);
    size_t n = num ? num->n_terms : bm ? bm->n_terms : 0;

    exa_putc(b, ' ');
    flow_put_name(b, type, v6);
    exa_putc(b, ' ');
    if (type == 1 || type == 2) {
        flow_prefix(b, type == 1 ? c->destination : c->source, v6);
        return;
    }
    if (n > 1)
        EXA_PUTS(b, "[ ");
    for (size_t i = 0; i < n; i++) {
        bool and_prev = num ? num->terms[i]->and_previous : bm->terms[i]->and_previous;

        if (i > 0 && !and_prev)
            exa_putc(b, ' ');
        if (num)
            flow_numeric_term(b, type, num->terms[i]);
        else
            flow_bitmask_term(b, type, bm->terms[i]);
    }
    if (n > 1)
        EXA_PUTS(b, " ]");
}

void
exa_put_flow_text(struct exa_buf *b, const Bgpbus__V1__FlowSpecNlri *f,
                  const Bgpbus__V1__NextHop *nh)
{
    bool v6 = flow_v6(f);

    EXA_PUTS(b, "flow");
    for (unsigned type = 1; type <= 13; type++) {
        const Bgpbus__V1__FlowSpecComponent *c = flow_component(f, type);

        if (c != NULL && flow_component_name(type, v6) != NULL)
            flow_text_component(b, c, type, v6);
    }
    if (f->rd != NULL) {
        EXA_PUTS(b, " rd ");
        exa_put_rd(b, f->rd);
    }
    if (nh != NULL && nh->has_address) {
        EXA_PUTS(b, " next-hop ");
        exa_put_ipb(b, nh->address);
    }
}

/* One term's JSON pieces (flow.py json()): the term quoted, or for a bitmask each bit name
 * quoted with the operator; the caller glues AND-ed terms by dropping the '""' between them. */
static void
flow_json_term(struct exa_buf *s, const Bgpbus__V1__FlowSpecComponent *c, unsigned type, size_t i)
{
    const Bgpbus__V1__FlowSpecNumeric *num = flow_numeric_of(c);

    if (num != NULL) {
        exa_putc(s, '"');
        flow_numeric_term(s, type, num->terms[i]);
        exa_putc(s, '"');
        return;
    }
    const Bgpbus__V1__FlowSpecBitmaskTerm *t = flow_bitmask_of(c)->terms[i];
    const char *names[11];
    size_t n = flow_bit_names(type, t->bits, names);

    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            EXA_PUTS(s, ", ");
        exa_putc(s, '"');
        /* 4.2 rewrites "!is-fragment" as "not-a-fragment" ("&!is-fragment": "&not-a-..."). */
        if (type == 12 && t->negate && !t->match && names[k] != NULL &&
            strcmp(names[k], "is-fragment") == 0) {
            if (t->and_previous)
                exa_putc(s, '&');
            EXA_PUTS(s, "not-a-fragment");
        } else {
            flow_bitmask_op(s, t);
            flow_bit_name(s, type, t->bits, names[k]);
        }
        exa_putc(s, '"');
    }
}

/* Appends s to b without its '""' pairs (Python's str.replace('""', ''), left to right). */
static void
flow_put_glued(struct exa_buf *b, const struct exa_buf *s)
{
    for (size_t i = 0; i < s->len; i++) {
        if (s->data[i] == '"' && i + 1 < s->len && s->data[i + 1] == '"') {
            i++;
            continue;
        }
        exa_putc(b, s->data[i]);
    }
}

static void
flow_json_component(struct exa_buf *b, const Bgpbus__V1__FlowSpecComponent *c, unsigned type,
                    bool v6)
{
    const Bgpbus__V1__FlowSpecNumeric *num = flow_numeric_of(c);
    const Bgpbus__V1__FlowSpecBitmask *bm = flow_bitmask_of(c);
    size_t n = num ? num->n_terms : bm ? bm->n_terms : 0;
    struct exa_buf s;

    exa_putc(b, '"');
    flow_put_name(b, type, v6);
    EXA_PUTS(b, "\": [ ");
    if (type == 1 || type == 2) {
        exa_putc(b, '"');
        flow_prefix(b, type == 1 ? c->destination : c->source, v6);
        EXA_PUTS(b, "\" ]");
        return;
    }
    exa_buf_init(&s);
    for (size_t i = 0; i < n; i++) {
        bool and_prev = num ? num->terms[i]->and_previous : bm->terms[i]->and_previous;

        if (i > 0 && !and_prev)
            EXA_PUTS(&s, ", ");
        flow_json_term(&s, c, type, i);
    }
    if (s.oom)
        b->oom = 1;
    flow_put_glued(b, &s);
    exa_buf_free(&s);
    EXA_PUTS(b, " ]");
}

void
exa_json_flow(struct exa_buf *b, const Bgpbus__V1__FlowSpecNlri *f, const Bgpbus__V1__NextHop *nh)
{
    bool v6 = flow_v6(f);

    for (unsigned type = 1; type <= 13; type++) {
        const Bgpbus__V1__FlowSpecComponent *c = flow_component(f, type);

        if (c == NULL || flow_component_name(type, v6) == NULL)
            continue;
        exa_putc(b, ' ');
        flow_json_component(b, c, type, v6);
        exa_putc(b, ',');
    }
    if (f->rd != NULL) {
        EXA_PUTS(b, " \"rd\": \"");
        exa_put_rd(b, f->rd);
        EXA_PUTS(b, "\",");
    }
    if (nh != NULL && nh->has_address) {
        EXA_PUTS(b, " \"next-hop\": \"");
        exa_put_ipb(b, nh->address);
        EXA_PUTS(b, "\",");
    }
    EXA_PUTS(b, " \"string\": \"");
    exa_put_flow_text(b, f, nh);
    exa_putc(b, '"');
}

/* ---- IPv6 extended communities (attribute 25) ------------------------------------------- */

/* ExtendedCommunityIPv6 repr: the redirect to an IPv6 next hop (0x00 0x0c,
 * draft-ietf-idr-flowspec-redirect-ip) by name, anything else as Python's "0x%016X" of its
 * octets read as one number (no leading zeros beyond 16 digits). */
static void
exa_put_ipv6_extcomm_text(struct exa_buf *b, const ProtobufCBinaryData *raw)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t ndigits = 2 * raw->len, first = 0;

    if (raw->len == 20 && (raw->data[0] & 0x0f) == 0x00 && raw->data[1] == 0x0c) {
        bool copy = exa_get16(raw->data + 18) != 0;

        exa_puts(b, copy ? "copy-to-nexthop-ietf " : "redirect-to-nexthop-ietf ");
        exa_put_ip(b, raw->data + 2, 16);
        if (copy)
            EXA_PUTS(b, " (with copy)");
        return;
    }
    while (first + 16 < ndigits && (raw->data[first / 2] >> (first % 2 ? 0 : 4) & 0xf) == 0)
        first++;
    EXA_PUTS(b, "0x");
    for (size_t i = first; i < ndigits; i++)
        exa_putc(b, digits[raw->data[i / 2] >> (i % 2 ? 0 : 4) & 0xf]);
}

static int
exa_raw_cmp(const ProtobufCBinaryData *x, const ProtobufCBinaryData *y)
{
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->data, y->data, n);

    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

void
exa_put_ipv6_extcomms_text(struct exa_buf *b, const Bgpbus__V1__Attributes *a)
{
    size_t n = a->n_ipv6_extended_communities;
    const ProtobufCBinaryData *done = NULL;

    if (n == 1) {
        exa_put_ipv6_extcomm_text(b, &a->ipv6_extended_communities[0]->raw);
        return;
    }
    /* Communities.__repr__ sorts them: a selection in ascending byte order (n is small). */
    EXA_PUTS(b, "[ ");
    for (size_t k = 0; k < n; k++) {
        const ProtobufCBinaryData *next = NULL;

        for (size_t i = 0; i < n; i++) {
            const ProtobufCBinaryData *r = &a->ipv6_extended_communities[i]->raw;

            if ((done == NULL || exa_raw_cmp(r, done) > 0) &&
                (next == NULL || exa_raw_cmp(r, next) < 0))
                next = r;
        }
        if (next == NULL)
            break;
        if (k > 0)
            exa_putc(b, ' ');
        exa_put_ipv6_extcomm_text(b, next);
        done = next;
    }
    EXA_PUTS(b, " ]");
}
