/* FlowSpec rules in ExaBGP's text (SPEC 2.6): RFC 8955 (IPv4), RFC 8956 (IPv6). */
#include "grammar_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct gr_name {
    const char *name;
    uint32_t value;
};

/* IANA protocol numbers, as ExaBGP names them. */
static const struct gr_name gr_protocols[] = {
    { "hop-by-hop", 0 }, { "icmp", 1 },  { "igmp", 2 },   { "ggp", 3 },   { "ipip", 4 },
    { "tcp", 6 },        { "egp", 8 },   { "igp", 9 },    { "udp", 17 },  { "rsvp", 46 },
    { "gre", 47 },       { "esp", 50 },  { "ah", 51 },    { "ipv6", 41 }, { "icmp6", 58 },
    { "ipv6-icmp", 58 }, { "ospf", 89 }, { "ipip6", 41 }, { "pim", 103 }, { "sctp", 132 },
    { NULL, 0 },
};

static const struct gr_name gr_ports[] = {
    { "ftp-data", 20 }, { "ftp", 21 },  { "ssh", 22 },    { "telnet", 23 }, { "smtp", 25 },
    { "domain", 53 },   { "dns", 53 },  { "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 },
    { "http", 80 },     { "www", 80 },  { "pop3", 110 },  { "ntp", 123 },   { "imap", 143 },
    { "snmp", 161 },    { "bgp", 179 }, { "ldap", 389 },  { "https", 443 }, { "syslog", 514 },
    { "ldaps", 636 },   { NULL, 0 },
};

/* RFC 792 ICMP types (ExaBGP's names). */
static const struct gr_name gr_icmp_types[] = {
    { "echo-reply", 0 },
    { "unreachable", 3 },
    { "source-quench", 4 },
    { "redirect", 5 },
    { "echo-request", 8 },
    { "router-advertisement", 9 },
    { "router-solicit", 10 },
    { "time-exceeded", 11 },
    { "parameter-problem", 12 },
    { "timestamp", 13 },
    { "timestamp-reply", 14 },
    { "info-request", 15 },
    { "info-reply", 16 },
    { "mask-request", 17 },
    { "mask-reply", 18 },
    { "traceroute", 30 },
    { NULL, 0 },
};

static const struct gr_name gr_icmp_codes[] = {
    { "network-unreachable", 0 },
    { "host-unreachable", 1 },
    { "protocol-unreachable", 2 },
    { "port-unreachable", 3 },
    { "fragmentation-needed", 4 },
    { "source-route-failed", 5 },
    { "destination-network-unknown", 6 },
    { "destination-host-unknown", 7 },
    { "redirect-for-network", 0 },
    { "redirect-for-host", 1 },
    { "ttl-eq-zero-during-transit", 0 },
    { "ttl-eq-zero-during-reassembly", 1 },
    { NULL, 0 },
};

/* RFC 8955 4.2.2.9: TCP header flag bits. */
static const struct gr_name gr_tcp_flags[] = {
    { "fin", 0x01 }, { "syn", 0x02 }, { "rst", 0x04 },    { "push", 0x08 },
    { "ack", 0x10 }, { "urg", 0x20 }, { "urgent", 0x20 }, { "ece", 0x40 },
    { "cwr", 0x80 }, { "ns", 0x100 }, { NULL, 0 },
};

/* RFC 8955 4.2.2.12. */
static const struct gr_name gr_fragments[] = {
    { "not-a-fragment", 0 }, { "dont-fragment", 1 }, { "is-fragment", 2 },
    { "first-fragment", 4 }, { "last-fragment", 8 }, { NULL, 0 },
};

enum gr_flow_kind { GR_FLOW_PREFIX, GR_FLOW_NUMERIC, GR_FLOW_BITMASK };

static const struct {
    const char *keyword;
    int type; /* RFC 8955 4.2.2 component type */
    enum gr_flow_kind kind;
    int afi; /* 0 both, else the only AFI the keyword belongs to */
    const struct gr_name *names;
    uint64_t max;
} gr_components[] = {
    { "destination", 1, GR_FLOW_PREFIX, 0, NULL, 0 },
    { "destination-ipv4", 1, GR_FLOW_PREFIX, 1, NULL, 0 },
    { "destination-ipv6", 1, GR_FLOW_PREFIX, 2, NULL, 0 },
    { "source", 2, GR_FLOW_PREFIX, 0, NULL, 0 },
    { "source-ipv4", 2, GR_FLOW_PREFIX, 1, NULL, 0 },
    { "source-ipv6", 2, GR_FLOW_PREFIX, 2, NULL, 0 },
    { "protocol", 3, GR_FLOW_NUMERIC, 1, gr_protocols, 255 },
    { "next-header", 3, GR_FLOW_NUMERIC, 2, gr_protocols, 255 },
    { "port", 4, GR_FLOW_NUMERIC, 0, gr_ports, 65535 },
    { "destination-port", 5, GR_FLOW_NUMERIC, 0, gr_ports, 65535 },
    { "source-port", 6, GR_FLOW_NUMERIC, 0, gr_ports, 65535 },
    { "icmp-type", 7, GR_FLOW_NUMERIC, 0, gr_icmp_types, 255 },
    { "icmp-code", 8, GR_FLOW_NUMERIC, 0, gr_icmp_codes, 255 },
    { "tcp-flags", 9, GR_FLOW_BITMASK, 0, gr_tcp_flags, 0xFFFF },
    { "packet-length", 10, GR_FLOW_NUMERIC, 0, NULL, 65535 },
    { "dscp", 11, GR_FLOW_NUMERIC, 1, NULL, 63 },
    { "traffic-class", 11, GR_FLOW_NUMERIC, 2, NULL, 255 },
    { "fragment", 12, GR_FLOW_BITMASK, 0, gr_fragments, 0xFF },
    { "flow-label", 13, GR_FLOW_NUMERIC, 2, NULL, 0xFFFFF },
};

struct gr_flow {
    struct gr_route_state st;
    Bgpbus__V1__FlowSpecNlri *nlri;
    int afi;         /* 0 until a component or address says */
    size_t afi_word; /* the word that decided it */
    uint32_t seen;   /* 1 << component type */
};

static bool
gr_name_lookup(const struct gr_name *names, const char *s, uint32_t *v)
{
    for (; names != NULL && names->name != NULL; names++) {
        if (strcmp(names->name, s) == 0) {
            *v = names->value;
            return true;
        }
    }
    return false;
}

static int
gr_flow_set_afi(struct gr_ctx *c, struct gr_flow *f, int afi, size_t word)
{
    if (afi == 0 || f->afi == afi)
        return 0;
    if (f->afi != 0)
        return gr_fail(c, word, "'%s' is IPv%d but the rule is IPv%d (from '%s')", c->w[word],
                       afi == 1 ? 4 : 6, f->afi == 1 ? 4 : 6, c->w[f->afi_word]);
    f->afi = afi;
    f->afi_word = word;
    return 0;
}

/* Calls fn on each word of `<term>` or `[ <term> … ]`. */
static int
gr_flow_terms(struct gr_ctx *c, void *arg, int (*fn)(struct gr_ctx *c, const char *s, void *arg))
{
    const char *s;

    if (!gr_is(c, "[")) {
        if ((s = gr_take(c, "match value")) == NULL)
            return -1;
        return fn(c, s, arg);
    }
    c->i++;
    for (;;) {
        if ((s = gr_take(c, "']'")) == NULL)
            return -1;
        if (strcmp(s, "]") == 0)
            return 0;
        if (strcmp(s, ",") != 0 && fn(c, s, arg) < 0)
            return -1;
    }
}

struct gr_numeric_arg {
    Bgpbus__V1__FlowSpecNumeric *num;
    const struct gr_name *names;
    uint64_t max;
};

/* `[op]value{&[op]value}` (RFC 8955 4.2.1.1). */
static int
gr_numeric_word(struct gr_ctx *c, const char *s, void *argp)
{
    struct gr_numeric_arg *arg = argp;
    const char *p = s;
    bool first = true;

    while (*p != '\0') {
        Bgpbus__V1__FlowSpecNumericTerm *t;
        const char *end = strchr(p, '&');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char val[48];
        const char *v;
        uint64_t x = 0;
        uint32_t named;

        if (len == 0 || len >= sizeof(val))
            return gr_fail(c, c->i - 1, "invalid match value '%s'", s);
        memcpy(val, p, len);
        val[len] = '\0';
        GR_NEW(c, t, bgpbus__v1__flow_spec_numeric_term__init);
        t->and_previous = !first;
        t->has_and_previous = !first;
        t->has_op = 1;
        v = val;
        if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0) {
            t->op = val[0] == 't' ? BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_TRUE
                                  : BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_FALSE;
            v = NULL;
        } else if (strncmp(v, ">=", 2) == 0) {
            t->op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GE;
            v += 2;
        } else if (strncmp(v, "<=", 2) == 0) {
            t->op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LE;
            v += 2;
        } else if (strncmp(v, "!=", 2) == 0) {
            t->op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_NE;
            v += 2;
        } else if (*v == '>') {
            t->op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GT;
            v++;
        } else if (*v == '<') {
            t->op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LT;
            v++;
        } else {
            t->op = BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ;
            if (*v == '=')
                v++;
        }
        if (v != NULL) {
            if (gr_name_lookup(arg->names, v, &named))
                x = named;
            else if (!gr_parse_u64(v, &x) || x > arg->max)
                return gr_fail(c, c->i - 1, "invalid match value '%s' (0..%llu or a name)", s,
                               (unsigned long long)arg->max);
            t->value = x;
            t->has_value = 1;
        }
        GR_APPEND(c, arg->num->terms, arg->num->n_terms, t);
        first = false;
        p += len;
        if (*p == '&') {
            p++;
            if (*p == '\0')
                return gr_fail(c, c->i - 1, "invalid match value '%s': nothing after '&'", s);
        }
    }
    return 0;
}

struct gr_bitmask_arg {
    Bgpbus__V1__FlowSpecBitmask *mask;
    const struct gr_name *names;
    uint64_t max;
};

/* `[!|=|!=]name{&[!|=|!=]name}` (RFC 8955 4.2.1.2). */
static int
gr_bitmask_word(struct gr_ctx *c, const char *s, void *argp)
{
    struct gr_bitmask_arg *arg = argp;
    const char *p = s;
    bool first = true;

    while (*p != '\0') {
        Bgpbus__V1__FlowSpecBitmaskTerm *t;
        const char *end = strchr(p, '&');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char val[48];
        const char *v = val;
        uint32_t named;
        uint64_t x;

        if (len == 0 || len >= sizeof(val))
            return gr_fail(c, c->i - 1, "invalid match value '%s'", s);
        memcpy(val, p, len);
        val[len] = '\0';
        GR_NEW(c, t, bgpbus__v1__flow_spec_bitmask_term__init);
        t->and_previous = !first;
        t->has_and_previous = !first;
        if (strncmp(v, "!=", 2) == 0) {
            t->negate = t->match = 1;
            v += 2;
        } else if (*v == '!') {
            t->negate = 1;
            v++;
        } else if (*v == '=') {
            t->match = 1;
            v++;
        }
        t->has_negate = t->negate;
        t->has_match = t->match;
        if (gr_name_lookup(arg->names, v, &named))
            x = named;
        else if (!gr_parse_u64(v, &x) || x > arg->max)
            return gr_fail(c, c->i - 1, "invalid match value '%s'", s);
        t->bits = x;
        t->has_bits = 1;
        GR_APPEND(c, arg->mask->terms, arg->mask->n_terms, t);
        first = false;
        p += len;
        if (*p == '&') {
            p++;
            if (*p == '\0')
                return gr_fail(c, c->i - 1, "invalid match value '%s': nothing after '&'", s);
        }
    }
    return 0;
}

/* One match component at the cursor: 1 consumed, 0 not a component keyword, -1 error. */
static int
gr_flow_match(struct gr_ctx *c, struct gr_flow *f)
{
    const char *kw = gr_peek(c);
    Bgpbus__V1__FlowSpecComponent *comp;
    size_t at = c->i, k;
    int type;

    if (kw == NULL)
        return 0;
    for (k = 0; k < sizeof(gr_components) / sizeof(gr_components[0]); k++)
        if (strcmp(kw, gr_components[k].keyword) == 0)
            break;
    if (k == sizeof(gr_components) / sizeof(gr_components[0]))
        return 0;
    type = gr_components[k].type;
    /* RFC 8955 4.2: each component type at most once. */
    if (f->seen & (1u << type))
        return gr_fail(c, at, "duplicate match component '%s'", kw);
    f->seen |= 1u << type;
    if (gr_flow_set_afi(c, f, gr_components[k].afi, at) < 0)
        return -1;
    c->i++;
    GR_NEW(c, comp, bgpbus__v1__flow_spec_component__init);
    comp->component_case = (Bgpbus__V1__FlowSpecComponent__ComponentCase)type;
    if (gr_components[k].kind == GR_FLOW_PREFIX) {
        Bgpbus__V1__FlowSpecPrefix *fp;
        uint32_t offset = 0;
        size_t word = c->i;

        GR_NEW(c, fp, bgpbus__v1__flow_spec_prefix__init);
        if (gr_take_prefix(c, &fp->prefix, &offset) < 0)
            return -1;
        if (gr_flow_set_afi(c, f, fp->prefix->address.len == 4 ? 1 : 2, word) < 0)
            return -1;
        if (offset != 0) {
            fp->offset = offset;
            fp->has_offset = 1;
        }
        if (type == 1)
            comp->destination = fp;
        else
            comp->source = fp;
    } else if (gr_components[k].kind == GR_FLOW_NUMERIC) {
        struct gr_numeric_arg arg = { NULL, gr_components[k].names, gr_components[k].max };

        GR_NEW(c, arg.num, bgpbus__v1__flow_spec_numeric__init);
        if (gr_flow_terms(c, &arg, gr_numeric_word) < 0)
            return -1;
        /* The union members are all FlowSpecNumeric pointers for these types. */
        switch (type) {
        case 3: comp->ip_protocol = arg.num; break;
        case 4: comp->port = arg.num; break;
        case 5: comp->destination_port = arg.num; break;
        case 6: comp->source_port = arg.num; break;
        case 7: comp->icmp_type = arg.num; break;
        case 8: comp->icmp_code = arg.num; break;
        case 10: comp->packet_length = arg.num; break;
        case 11: comp->dscp = arg.num; break;
        default: comp->flow_label = arg.num; break;
        }
    } else {
        struct gr_bitmask_arg arg = { NULL, gr_components[k].names, gr_components[k].max };

        GR_NEW(c, arg.mask, bgpbus__v1__flow_spec_bitmask__init);
        if (gr_flow_terms(c, &arg, gr_bitmask_word) < 0)
            return -1;
        if (type == 9)
            comp->tcp_flags = arg.mask;
        else
            comp->fragment = arg.mask;
    }
    GR_APPEND(c, f->nlri->components, f->nlri->n_components, comp);
    return 1;
}

static int
gr_ext_new(struct gr_ctx *c, struct gr_flow *f, Bgpbus__V1__ExtendedCommunity__TypedCase typed,
           Bgpbus__V1__ExtendedCommunity **out)
{
    Bgpbus__V1__ExtendedCommunity *e;

    GR_NEW(c, e, bgpbus__v1__extended_community__init);
    e->typed_case = typed;
    *out = e;
    return gr_ext_append(c, f->st.attrs, e);
}

static int
gr_traffic_rate(struct gr_ctx *c, struct gr_flow *f, float rate)
{
    Bgpbus__V1__ExtendedCommunity *e;

    if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE, &e) < 0)
        return -1;
    GR_NEW(c, e->traffic_rate, bgpbus__v1__traffic_rate__init);
    e->traffic_rate->rate = rate;
    e->traffic_rate->has_rate = 1;
    e->traffic_rate->asn = 0;
    e->traffic_rate->has_asn = 1;
    return 0;
}

/* Sets the route's next hop (for `redirect <ip>`, `copy <ip>`). */
static int
gr_flow_next_hop(struct gr_ctx *c, struct gr_flow *f, const uint8_t *ip, int len)
{
    Bgpbus__V1__NextHop *nh;

    GR_NEW(c, nh, bgpbus__v1__next_hop__init);
    if (gr_bytes(c, &nh->address, ip, (size_t)len) < 0)
        return -1;
    nh->has_address = 1;
    f->st.attrs->next_hop = nh;
    f->st.has_next_hop = true;
    return 0;
}

static int
gr_redirect_to_nexthop(struct gr_ctx *c, struct gr_flow *f, bool copy)
{
    Bgpbus__V1__ExtendedCommunity *e;

    if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP, &e) < 0)
        return -1;
    GR_NEW(c, e->redirect_to_nexthop, bgpbus__v1__redirect_to_nexthop__init);
    if (copy) {
        e->redirect_to_nexthop->copy = 1;
        e->redirect_to_nexthop->has_copy = 1;
    }
    return 0;
}

static int
gr_flow_redirect(struct gr_ctx *c, struct gr_flow *f)
{
    Bgpbus__V1__ExtendedCommunity *e;
    uint8_t ip[16];
    const char *s;
    size_t word = c->i;
    int len;

    if (gr_is(c, "[")) {
        /* `[<ipv6>]:<n>`, tokenised as `[ <ipv6> ] :<n>` (RFC 8956 6). */
        Bgpbus__V1__Ipv6ExtendedCommunity *e6;
        uint64_t n;

        c->i++;
        if ((s = gr_take(c, "IPv6 address")) == NULL)
            return -1;
        if (gr_parse_ip(s, ip) != 16)
            return gr_fail(c, c->i - 1, "invalid redirect '%s': not an IPv6 address", s);
        if (gr_expect(c, "]") < 0 || (s = gr_take(c, "':<number>'")) == NULL)
            return -1;
        if (s[0] != ':' || !gr_parse_dec(s + 1, UINT16_MAX, &n))
            return gr_fail(c, c->i - 1, "invalid redirect: expected ':<0..65535>', got '%s'", s);
        GR_NEW(c, e6, bgpbus__v1__ipv6_extended_community__init);
        e6->typed_case = BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_REDIRECT;
        GR_NEW(c, e6->redirect, bgpbus__v1__ipv6_ext_community_admin__init);
        if (gr_bytes(c, &e6->redirect->ipv6, ip, 16) < 0)
            return -1;
        e6->redirect->has_ipv6 = 1;
        e6->redirect->local_admin = (uint32_t)n;
        e6->redirect->has_local_admin = 1;
        return gr_ipv6_ext_append(c, f->st.attrs, e6);
    }
    if ((s = gr_take(c, "redirect target")) == NULL)
        return -1;
    len = gr_parse_ip(s, ip);
    if (len != 0) {
        /* SPEC 2.6: `redirect <ip>` is the next hop plus redirect-to-next-hop. */
        if (gr_flow_next_hop(c, f, ip, len) < 0)
            return -1;
        return gr_redirect_to_nexthop(c, f, false);
    }
    {
        const char *colon = strrchr(s, ':');
        char left[16];

        if (colon != NULL && (size_t)(colon - s) < sizeof(left)) {
            memcpy(left, s, (size_t)(colon - s));
            left[colon - s] = '\0';
            if (gr_parse_ipv4(left, ip))
                return gr_fail(c, word, "redirect %s: <ipv4>:<n> is deprecated, use an AS", s);
        }
    }
    if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT, &e) < 0)
        return -1;
    return gr_parse_admin(c, word, s, &e->redirect);
}

static int
gr_interface_set_one(struct gr_ctx *c, struct gr_flow *f, const char *s)
{
    Bgpbus__V1__ExtendedCommunity *e;
    Bgpbus__V1__InterfaceSet *is;
    char buf[96];
    char *dir, *asn, *group;
    uint64_t as, grp;

    if (strlen(s) >= sizeof(buf))
        goto bad;
    strcpy(buf, s);
    dir = strchr(buf, ':');
    asn = dir != NULL ? strchr(dir + 1, ':') : NULL;
    group = asn != NULL ? strchr(asn + 1, ':') : NULL;
    if (group == NULL)
        goto bad;
    *dir++ = '\0';
    *asn++ = '\0';
    *group++ = '\0';
    GR_NEW(c, is, bgpbus__v1__interface_set__init);
    if (strcmp(buf, "transitive") == 0)
        is->transitive = 1;
    else if (strcmp(buf, "non-transitive") != 0)
        goto bad;
    is->has_transitive = 1;
    if (strcmp(dir, "input") == 0)
        is->direction = BGPBUS__V1__INTERFACE_SET_DIRECTION__INTERFACE_SET_DIRECTION_INPUT;
    else if (strcmp(dir, "output") == 0)
        is->direction = BGPBUS__V1__INTERFACE_SET_DIRECTION__INTERFACE_SET_DIRECTION_OUTPUT;
    else if (strcmp(dir, "input-output") == 0)
        is->direction = BGPBUS__V1__INTERFACE_SET_DIRECTION__INTERFACE_SET_DIRECTION_INPUT_OUTPUT;
    else
        goto bad;
    is->has_direction = 1;
    /* draft-ietf-idr-flowspec-interfaceset: a 4-octet AS and a 14-bit group id. */
    if (!gr_parse_dec(asn, UINT32_MAX, &as) || !gr_parse_dec(group, 0x3FFF, &grp))
        goto bad;
    is->asn = (uint32_t)as;
    is->group_id = (uint32_t)grp;
    is->has_asn = is->has_group_id = 1;
    if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_INTERFACE_SET, &e) < 0)
        return -1;
    e->interface_set = is;
    return 0;
bad:
    return gr_fail(c, c->i - 1,
                   "invalid interface-set '%s': expected "
                   "transitive|non-transitive:input|output|input-output:<asn>:<group>",
                   s);
}

/* One action at the cursor (SPEC 2.6 "Then components"): 1, 0 not an action, -1 error. */
static int
gr_flow_action(struct gr_ctx *c, struct gr_flow *f)
{
    const char *kw = gr_peek(c), *s;
    Bgpbus__V1__ExtendedCommunity *e;
    uint8_t ip[16];
    uint32_t v;
    int len;

    if (kw == NULL)
        return 0;
    c->i++;
    if (strcmp(kw, "accept") == 0)
        return 1;
    if (strcmp(kw, "discard") == 0)
        return gr_traffic_rate(c, f, 0.0f) < 0 ? -1 : 1;
    if (strcmp(kw, "rate-limit") == 0) {
        char *end;
        double rate;

        if ((s = gr_take(c, "rate")) == NULL)
            return -1;
        rate = strtod(s, &end);
        if (*s == '\0' || *end != '\0' || !isfinite(rate) || rate < 0)
            return gr_fail(c, c->i - 1, "invalid rate-limit '%s'", s);
        /* ExaBGP clamps the rate to 10^12 bytes/s. */
        if (rate > 1e12)
            rate = 1e12;
        return gr_traffic_rate(c, f, (float)rate) < 0 ? -1 : 1;
    }
    if (strcmp(kw, "redirect") == 0)
        return gr_flow_redirect(c, f) < 0 ? -1 : 1;
    if (strcmp(kw, "redirect-to-nexthop") == 0)
        return gr_redirect_to_nexthop(c, f, false) < 0 ? -1 : 1;
    if (strcmp(kw, "copy-to-nexthop") == 0)
        return gr_redirect_to_nexthop(c, f, true) < 0 ? -1 : 1;
    if (strcmp(kw, "copy") == 0) {
        if ((s = gr_take(c, "copy address")) == NULL)
            return -1;
        if ((len = gr_parse_ip(s, ip)) == 0)
            return gr_fail(c, c->i - 1, "invalid copy '%s': not an IP address", s);
        if (gr_flow_next_hop(c, f, ip, len) < 0 || gr_redirect_to_nexthop(c, f, true) < 0)
            return -1;
        return 1;
    }
    if (strcmp(kw, "redirect-to-nexthop-ietf") == 0) {
        if ((s = gr_take(c, "address")) == NULL)
            return -1;
        if ((len = gr_parse_ip(s, ip)) == 0)
            return gr_fail(c, c->i - 1, "invalid redirect-to-nexthop-ietf '%s'", s);
        if (len == 4) {
            if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP, &e) < 0)
                return -1;
            GR_NEW(c, e->redirect_to_ip, bgpbus__v1__redirect_to_ip__init);
            e->redirect_to_ip->has_address = 1;
            return gr_bytes(c, &e->redirect_to_ip->address, ip, 4) < 0 ? -1 : 1;
        } else {
            Bgpbus__V1__Ipv6ExtendedCommunity *e6;

            GR_NEW(c, e6, bgpbus__v1__ipv6_extended_community__init);
            e6->typed_case = BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP;
            GR_NEW(c, e6->redirect_to_ip, bgpbus__v1__redirect_to_ip__init);
            e6->redirect_to_ip->has_address = 1;
            if (gr_bytes(c, &e6->redirect_to_ip->address, ip, 16) < 0)
                return -1;
            return gr_ipv6_ext_append(c, f->st.attrs, e6) < 0 ? -1 : 1;
        }
    }
    if (strcmp(kw, "mark") == 0) {
        if (gr_take_u32(c, "DSCP", 63, &v) < 0)
            return -1;
        if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_MARKING, &e) < 0)
            return -1;
        GR_NEW(c, e->traffic_marking, bgpbus__v1__traffic_marking__init);
        e->traffic_marking->dscp = v;
        e->traffic_marking->has_dscp = 1;
        return 1;
    }
    if (strcmp(kw, "action") == 0) {
        bool sample, terminal;

        if ((s = gr_take(c, "action")) == NULL)
            return -1;
        sample = strcmp(s, "sample") == 0 || strcmp(s, "sample-terminal") == 0;
        terminal = strcmp(s, "terminal") == 0 || strcmp(s, "sample-terminal") == 0;
        if (!sample && !terminal)
            return gr_fail(c, c->i - 1, "invalid action '%s' (sample, terminal or sample-terminal)",
                           s);
        if (gr_ext_new(c, f, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_ACTION, &e) < 0)
            return -1;
        GR_NEW(c, e->traffic_action, bgpbus__v1__traffic_action__init);
        e->traffic_action->sample = sample;
        e->traffic_action->terminal = terminal;
        e->traffic_action->has_sample = e->traffic_action->has_terminal = 1;
        return 1;
    }
    if (strcmp(kw, "interface-set") == 0) {
        if (!gr_is(c, "[")) {
            if ((s = gr_take(c, "interface-set")) == NULL)
                return -1;
            return gr_interface_set_one(c, f, s) < 0 ? -1 : 1;
        }
        c->i++;
        while ((s = gr_take(c, "']'")) != NULL && strcmp(s, "]") != 0) {
            if (strcmp(s, ",") != 0 && gr_interface_set_one(c, f, s) < 0)
                return -1;
        }
        return s == NULL ? -1 : 1;
    }
    c->i--;
    return 0;
}

/* `{ item ; … }` of a block: fn for each item, `;` separators optional. */
static int
gr_flow_section(struct gr_ctx *c, struct gr_flow *f, const char *section,
                int (*fn)(struct gr_ctx *c, struct gr_flow *f))
{
    int r;

    if (gr_expect(c, "{") < 0)
        return -1;
    for (;;) {
        if (c->i >= c->n)
            return gr_fail(c, c->n, "missing '}' closing '%s'", section);
        if (gr_is(c, "}")) {
            c->i++;
            return 0;
        }
        if (gr_is(c, ";")) {
            c->i++;
            continue;
        }
        r = fn(c, f);
        if (r < 0)
            return -1;
        if (r == 0)
            return gr_fail(c, c->i, "unknown keyword '%s' in '%s'", c->w[c->i], section);
    }
}

static int
gr_flow_then_item(struct gr_ctx *c, struct gr_flow *f)
{
    int r = gr_flow_action(c, f);

    return r != 0 ? r : gr_attr_parse(c, &f->st);
}

static int
gr_flow_scope_item(struct gr_ctx *c, struct gr_flow *f)
{
    if (!gr_is(c, "interface-set"))
        return 0;
    return gr_flow_action(c, f);
}

static int
gr_flow_any_item(struct gr_ctx *c, struct gr_flow *f)
{
    int r = gr_flow_match(c, f);

    return r != 0 ? r : gr_flow_then_item(c, f);
}

int
grammar_flow_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                   struct grammar_routes *out, struct grammar_error *err)
{
    struct gr_ctx c;
    struct gr_flow f;
    Bgpbus__V1__Nlri *n;
    bool then = false;
    int r;

    gr_ctx_init(&c, words, nwords, arena, err);
    out->routes = NULL;
    out->nroutes = 0;
    out->attributes = NULL;
    memset(&f, 0, sizeof(f));
    if (gr_route_state_init(&c, &f.st) < 0)
        return -1;
    GR_NEW(&c, f.nlri, bgpbus__v1__flow_spec_nlri__init);
    if (gr_is(&c, "{")) {
        c.i++;
        for (;;) {
            if (c.i >= c.n)
                return gr_fail(&c, c.n, "missing '}' closing the flow route");
            if (gr_is(&c, "}")) {
                c.i++;
                break;
            }
            if (gr_is(&c, ";")) {
                c.i++;
                continue;
            }
            if (gr_is(&c, "match")) {
                c.i++;
                r = gr_flow_section(&c, &f, "match", gr_flow_match);
            } else if (gr_is(&c, "then")) {
                c.i++;
                then = true;
                r = gr_flow_section(&c, &f, "then", gr_flow_then_item);
            } else if (gr_is(&c, "scope")) {
                c.i++;
                r = gr_flow_section(&c, &f, "scope", gr_flow_scope_item);
            } else {
                r = gr_attr_parse(&c, &f.st);
                if (r == 0)
                    return gr_fail(&c, c.i, "unknown keyword '%s'", c.w[c.i]);
            }
            if (r < 0)
                return -1;
        }
        if (c.i < c.n)
            return gr_fail(&c, c.i, "unexpected '%s' after the flow route", c.w[c.i]);
        if ((flags & GRAMMAR_ANNOUNCE) && !then)
            return gr_fail(&c, c.n, "missing 'then'");
    } else {
        /* Flat form (SPEC 2.6): match and then keywords mixed, no `match`/`then` words. */
        while (c.i < c.n) {
            if (gr_is(&c, ";")) {
                c.i++;
                continue;
            }
            r = gr_flow_any_item(&c, &f);
            if (r < 0)
                return -1;
            if (r == 0)
                return gr_fail(&c, c.i, "unknown keyword '%s'", c.w[c.i]);
        }
    }
    if (f.nlri->n_components == 0)
        return gr_fail(&c, c.n, "a flow route needs at least one match component");
    f.nlri->afi = f.afi == 2 ? BGPBUS__V1__AFI__AFI_IPV6 : BGPBUS__V1__AFI__AFI_IPV4;
    f.nlri->has_afi = 1;
    f.nlri->rd = f.st.rd;
    GR_NEW(&c, n, bgpbus__v1__nlri__init);
    n->nlri_case = BGPBUS__V1__NLRI__NLRI_FLOWSPEC;
    n->flowspec = f.nlri;
    return gr_routes_add(&c, out, n, &f.st, (flags & GRAMMAR_ANNOUNCE) != 0);
}
