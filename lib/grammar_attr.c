/* ExaBGP route attributes (SPEC 2.4 `route-attr`): one keyword and its value at a time. */
#include "grammar_int.h"

#include <string.h>
#include <strings.h>

int
gr_route_state_init(struct gr_ctx *c, struct gr_route_state *st)
{
    memset(st, 0, sizeof(*st));
    st->split = -1;
    GR_NEW(c, st->attrs, bgpbus__v1__attributes__init);
    return 0;
}

static int
gr_asn_append(struct gr_ctx *c, Bgpbus__V1__AsPathSegment *seg, const char *s)
{
    uint64_t asn;

    if (!gr_parse_dec(s, UINT32_MAX, &asn))
        return gr_fail(c, c->i - 1, "expected an AS number, got '%s'", s);
    GR_APPEND(c, seg->asns, seg->n_asns, (uint32_t)asn);
    return 0;
}

static int
gr_segment_new(struct gr_ctx *c, Bgpbus__V1__AsPath *path, Bgpbus__V1__AsPathSegmentType type,
               Bgpbus__V1__AsPathSegment **out)
{
    Bgpbus__V1__AsPathSegment *seg;

    GR_NEW(c, seg, bgpbus__v1__as_path_segment__init);
    seg->type = type;
    seg->has_type = 1;
    GR_APPEND(c, path->segments, path->n_segments, seg);
    *out = seg;
    return 0;
}

/* Drops a segment that ended up with no ASN (`[ ]`, or `[ ( 1 ) ]` before its SET). */
static void
gr_segment_drop_empty(Bgpbus__V1__AsPath *path, Bgpbus__V1__AsPathSegment *seg)
{
    size_t i;

    if (seg->n_asns != 0)
        return;
    for (i = 0; i < path->n_segments; i++) {
        if (path->segments[i] == seg) {
            memmove(&path->segments[i], &path->segments[i + 1],
                    (path->n_segments - i - 1) * sizeof(path->segments[0]));
            path->n_segments--;
            return;
        }
    }
}

/*
 * One bracketed segment at the cursor ('[' or '(' taken by the caller). 4.2 writes an AS_SET
 * inside the sequence, `[ 1 2 ( 3 4 ) ]`; main writes segments one after another, `[ 1 2 ]
 * ( 3 4 )`, and `{ }` inside for the confederation types (RFC 5065 3). Both are accepted.
 */
static int
gr_segment_parse(struct gr_ctx *c, Bgpbus__V1__AsPath *path, bool set)
{
    const char *close = set ? ")" : "]";
    Bgpbus__V1__AsPathSegmentType type =
        set ? BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET
            : BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
    Bgpbus__V1__AsPathSegment *seg;
    bool confed = false;
    const char *s;

    if (gr_is(c, "{")) {
        c->i++;
        confed = true;
        type = set ? BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SET
                   : BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SEQUENCE;
    }
    if (gr_segment_new(c, path, type, &seg) < 0)
        return -1;
    for (;;) {
        s = gr_take(c, confed ? "'}'" : set ? "')'" : "']'");
        if (s == NULL)
            return -1;
        if (strcmp(s, ",") == 0)
            continue;
        if (confed && strcmp(s, "}") == 0) {
            if (gr_expect(c, close) < 0)
                return -1;
            break;
        }
        if (!confed && strcmp(s, close) == 0)
            break;
        if (!set && !confed && strcmp(s, "(") == 0) {
            Bgpbus__V1__AsPathSegment *inner;

            if (gr_segment_new(c, path, BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET,
                               &inner) < 0)
                return -1;
            while ((s = gr_take(c, "')'")) != NULL && strcmp(s, ")") != 0) {
                if (strcmp(s, ",") != 0 && gr_asn_append(c, inner, s) < 0)
                    return -1;
            }
            if (s == NULL)
                return -1;
            /* 4.2: the SET closes the sequence. */
            if (gr_expect(c, "]") < 0)
                return -1;
            break;
        }
        if (gr_asn_append(c, seg, s) < 0)
            return -1;
    }
    gr_segment_drop_empty(path, seg);
    return 0;
}

static int
gr_as_path_parse(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    Bgpbus__V1__AsPath *path;
    Bgpbus__V1__AsPathSegment *seg;
    const char *s;

    GR_NEW(c, path, bgpbus__v1__as_path__init);
    a->as_path = path;
    if (!gr_is(c, "[") && !gr_is(c, "(")) {
        s = gr_take(c, "AS path");
        if (s == NULL)
            return -1;
        if (gr_segment_new(c, path, BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE,
                           &seg) < 0)
            return -1;
        return gr_asn_append(c, seg, s);
    }
    while (gr_is(c, "[") || gr_is(c, "(")) {
        bool set = gr_is(c, "(");

        c->i++;
        if (gr_segment_parse(c, path, set) < 0)
            return -1;
    }
    return 0;
}

static int
gr_aggregator_parse(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    bool paren = gr_is(c, "(");
    const char *s, *colon;
    uint64_t asn;
    uint8_t ip[4];
    char num[12];
    size_t start;

    if (paren)
        c->i++;
    start = c->i;
    s = gr_take(c, "aggregator");
    if (s == NULL)
        return -1;
    colon = strchr(s, ':');
    if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof(num))
        return gr_fail(c, start, "invalid aggregator '%s': expected <asn>:<ipv4>", s);
    memcpy(num, s, (size_t)(colon - s));
    num[colon - s] = '\0';
    if (!gr_parse_dec(num, UINT32_MAX, &asn) || !gr_parse_ipv4(colon + 1, ip))
        return gr_fail(c, start, "invalid aggregator '%s': expected <asn>:<ipv4>", s);
    if (paren && gr_expect(c, ")") < 0)
        return -1;
    GR_NEW(c, a->aggregator, bgpbus__v1__aggregator__init);
    a->aggregator->asn = (uint32_t)asn;
    a->aggregator->has_asn = 1;
    a->aggregator->has_address = 1;
    return gr_bytes(c, &a->aggregator->address, ip, 4);
}

static int
gr_cluster_list_parse(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    ProtobufCBinaryData id;
    bool list = gr_is(c, "[");

    if (list)
        c->i++;
    do {
        if (list && gr_is(c, ",")) {
            c->i++;
            continue;
        }
        if (list && gr_is(c, "]")) {
            c->i++;
            return 0;
        }
        if (gr_take_ipv4(c, "cluster id", &id) < 0)
            return -1;
        GR_APPEND(c, a->cluster_list, a->n_cluster_list, id);
    } while (list);
    return 0;
}

static int
gr_next_hop_parse(struct gr_ctx *c, struct gr_route_state *st)
{
    Bgpbus__V1__NextHop *nh;

    GR_NEW(c, nh, bgpbus__v1__next_hop__init);
    if (gr_is(c, "self")) {
        c->i++;
        nh->use_local_address = 1;
        nh->has_use_local_address = 1;
    } else {
        if (gr_take_ip(c, "next-hop", &nh->address) < 0)
            return -1;
        nh->has_address = 1;
    }
    st->attrs->next_hop = nh;
    st->has_next_hop = true;
    return 0;
}

/* `attribute [ 0x<code> 0x<flags> 0x<data> ]` (SPEC 2.4): any attribute, as bytes. */
static int
gr_raw_attribute_parse(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    Bgpbus__V1__UnknownAttribute *u;
    uint32_t code, flags;
    const char *s;
    uint8_t *data;
    int len = 0;

    if (gr_expect(c, "[") < 0)
        return -1;
    if (gr_take_u32(c, "attribute code", 255, &code) < 0 ||
        gr_take_u32(c, "attribute flags", 255, &flags) < 0)
        return -1;
    s = gr_take(c, "attribute data");
    if (s == NULL)
        return -1;
    /* At most 65535 octets: the extended length field (RFC 4271 4.3). */
    data = gr_alloc(c, strlen(s) / 2 + 1);
    if (data == NULL)
        return -1;
    if (strcmp(s, "0x") != 0 && strcmp(s, "0X") != 0) {
        len = gr_parse_hex(s, data, 65535);
        if (len < 0)
            return gr_fail(c, c->i - 1, "invalid attribute data '%s': expected 0x<hex>", s);
    }
    if (gr_expect(c, "]") < 0)
        return -1;
    GR_NEW(c, u, bgpbus__v1__unknown_attribute__init);
    u->type = code;
    u->flags = flags;
    u->has_type = u->has_flags = u->has_value = 1;
    u->value.data = data;
    u->value.len = (size_t)len;
    GR_APPEND(c, a->unknown, a->n_unknown, u);
    return 0;
}

static int
gr_prefix_sid_parse(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    Bgpbus__V1__PrefixSid *sid = a->prefix_sid;
    uint32_t v;

    if (sid == NULL) {
        GR_NEW(c, sid, bgpbus__v1__prefix_sid__init);
        a->prefix_sid = sid;
    }
    if (!gr_is(c, "[")) {
        if (gr_take_u32(c, "label index", UINT32_MAX, &v) < 0)
            return -1;
        sid->label_index = v;
        sid->has_label_index = 1;
        return 0;
    }
    /* `[ <index>, [ ( <base>,<range> ) … ] ]` (RFC 8669 3.1, 3.2). */
    c->i++;
    if (gr_take_u32(c, "label index", UINT32_MAX, &v) < 0)
        return -1;
    sid->label_index = v;
    sid->has_label_index = 1;
    if (gr_is(c, ","))
        c->i++;
    if (gr_is(c, "[")) {
        c->i++;
        while (!gr_is(c, "]")) {
            Bgpbus__V1__PrefixSidSrgb *srgb;
            uint32_t base, range;

            if (gr_is(c, ",")) {
                c->i++;
                continue;
            }
            if (gr_expect(c, "(") < 0 || gr_take_u32(c, "SRGB base", 0xFFFFFF, &base) < 0)
                return -1;
            if (gr_is(c, ","))
                c->i++;
            if (gr_take_u32(c, "SRGB range", 0xFFFFFF, &range) < 0 || gr_expect(c, ")") < 0)
                return -1;
            GR_NEW(c, srgb, bgpbus__v1__prefix_sid_srgb__init);
            srgb->first_label = base;
            srgb->range = range;
            srgb->has_first_label = srgb->has_range = 1;
            GR_APPEND(c, sid->srgbs, sid->n_srgbs, srgb);
        }
        c->i++;
    }
    return gr_expect(c, "]");
}

/* 4.2 `( l3vpn|l2vpn <sid> )`; main `( l3-service <sid> 0x48 [64,24,16,0,0,0] )`. */
static int
gr_prefix_sid_srv6_parse(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    Bgpbus__V1__PrefixSid *sid = a->prefix_sid;
    Bgpbus__V1__Srv6Service *svc;
    const char *s;
    uint32_t v[6];
    size_t k;

    if (sid == NULL) {
        GR_NEW(c, sid, bgpbus__v1__prefix_sid__init);
        a->prefix_sid = sid;
    }
    GR_NEW(c, svc, bgpbus__v1__srv6_service__init);
    if (gr_expect(c, "(") < 0 || (s = gr_take(c, "SRv6 service")) == NULL)
        return -1;
    if (strcmp(s, "l3vpn") == 0 || strcmp(s, "l3-service") == 0)
        svc->type = BGPBUS__V1__SRV6_SERVICE_TYPE__SRV6_SERVICE_TYPE_L3;
    else if (strcmp(s, "l2vpn") == 0 || strcmp(s, "l2-service") == 0)
        svc->type = BGPBUS__V1__SRV6_SERVICE_TYPE__SRV6_SERVICE_TYPE_L2;
    else
        return gr_fail(c, c->i - 1, "unknown SRv6 service '%s'", s);
    svc->has_type = 1;
    s = gr_take(c, "SRv6 SID");
    if (s == NULL)
        return -1;
    {
        uint8_t ip[16];

        if (gr_parse_ip(s, ip) != 16)
            return gr_fail(c, c->i - 1, "invalid SRv6 SID '%s': not an IPv6 address", s);
        if (gr_bytes(c, &svc->sid, ip, 16) < 0)
            return -1;
        svc->has_sid = 1;
    }
    if (!gr_is(c, ")") && !gr_is(c, "[")) {
        if (gr_take_u32(c, "endpoint behavior", UINT16_MAX, &v[0]) < 0)
            return -1;
        svc->endpoint_behavior = v[0];
        svc->has_endpoint_behavior = 1;
    }
    if (gr_is(c, "[")) {
        c->i++;
        for (k = 0; k < 6; k++) {
            if (k > 0 && gr_is(c, ","))
                c->i++;
            if (gr_take_u32(c, "SID structure length", 255, &v[k]) < 0)
                return -1;
        }
        if (gr_expect(c, "]") < 0)
            return -1;
        svc->locator_block_length = v[0];
        svc->locator_node_length = v[1];
        svc->function_length = v[2];
        svc->argument_length = v[3];
        svc->transposition_length = v[4];
        svc->transposition_offset = v[5];
        svc->has_locator_block_length = svc->has_locator_node_length = 1;
        svc->has_function_length = svc->has_argument_length = 1;
        svc->has_transposition_length = svc->has_transposition_offset = 1;
    }
    if (gr_expect(c, ")") < 0)
        return -1;
    GR_APPEND(c, sid->srv6_services, sid->n_srv6_services, svc);
    return 0;
}

int
gr_attr_parse(struct gr_ctx *c, struct gr_route_state *st)
{
    Bgpbus__V1__Attributes *a = st->attrs;
    const char *kw = gr_peek(c);
    size_t at = c->i;
    uint32_t v;
    const char *s;

    if (kw == NULL)
        return 0;
    c->i++;
    if (strcmp(kw, "next-hop") == 0)
        return gr_next_hop_parse(c, st) < 0 ? -1 : 1;
    if (strcmp(kw, "origin") == 0) {
        if ((s = gr_take(c, "origin")) == NULL)
            return -1;
        if (strcasecmp(s, "igp") == 0)
            a->origin = BGPBUS__V1__ORIGIN__ORIGIN_IGP;
        else if (strcasecmp(s, "egp") == 0)
            a->origin = BGPBUS__V1__ORIGIN__ORIGIN_EGP;
        else if (strcasecmp(s, "incomplete") == 0)
            a->origin = BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE;
        else
            return gr_fail(c, c->i - 1, "invalid origin '%s' (igp, egp or incomplete)", s);
        a->has_origin = 1;
        return 1;
    }
    if (strcmp(kw, "med") == 0) {
        if (gr_take_u32(c, "med", UINT32_MAX, &v) < 0)
            return -1;
        a->med = v;
        a->has_med = 1;
        return 1;
    }
    if (strcmp(kw, "local-preference") == 0) {
        if (gr_take_u32(c, "local-preference", UINT32_MAX, &v) < 0)
            return -1;
        a->local_pref = v;
        a->has_local_pref = 1;
        return 1;
    }
    if (strcmp(kw, "as-path") == 0)
        return gr_as_path_parse(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "community") == 0)
        return gr_take_communities(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "large-community") == 0)
        return gr_take_large_communities(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "extended-community") == 0 || strcmp(kw, "route-target") == 0)
        return gr_take_ext_communities(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "atomic-aggregate") == 0) {
        a->atomic_aggregate = 1;
        a->has_atomic_aggregate = 1;
        return 1;
    }
    if (strcmp(kw, "aggregator") == 0)
        return gr_aggregator_parse(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "originator-id") == 0) {
        if (gr_take_ipv4(c, "originator-id", &a->originator_id) < 0)
            return -1;
        a->has_originator_id = 1;
        return 1;
    }
    if (strcmp(kw, "cluster-list") == 0)
        return gr_cluster_list_parse(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "aigp") == 0) {
        uint64_t m;

        if ((s = gr_take(c, "aigp")) == NULL)
            return -1;
        if (!gr_parse_u64(s, &m))
            return gr_fail(c, c->i - 1, "invalid aigp '%s'", s);
        a->aigp = m;
        a->has_aigp = 1;
        return 1;
    }
    if (strcmp(kw, "path-information") == 0) {
        uint8_t ip[4];

        if ((s = gr_take(c, "path-information")) == NULL)
            return -1;
        if (gr_parse_ipv4(s, ip))
            v = (uint32_t)ip[0] << 24 | (uint32_t)ip[1] << 16 | (uint32_t)ip[2] << 8 | ip[3];
        else if (!gr_parse_u32(s, &v))
            return gr_fail(c, c->i - 1, "invalid path-information '%s'", s);
        st->path_id = v;
        st->has_path_id = true;
        return 1;
    }
    if (strcmp(kw, "label") == 0)
        return gr_take_labels(c, &st->labels) < 0 ? -1 : 1;
    if (strcmp(kw, "rd") == 0 || strcmp(kw, "route-distinguisher") == 0)
        return gr_take_rd(c, &st->rd) < 0 ? -1 : 1;
    if (strcmp(kw, "attribute") == 0)
        return gr_raw_attribute_parse(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "bgp-prefix-sid") == 0)
        return gr_prefix_sid_parse(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "bgp-prefix-sid-srv6") == 0)
        return gr_prefix_sid_srv6_parse(c, a) < 0 ? -1 : 1;
    if (strcmp(kw, "split") == 0) {
        uint64_t n;

        st->split_word = c->i;
        if ((s = gr_take(c, "split length")) == NULL)
            return -1;
        if (!gr_parse_dec(s[0] == '/' ? s + 1 : s, 128, &n))
            return gr_fail(c, c->i - 1, "invalid split '%s': expected /<length>", s);
        st->split = (int)n;
        return 1;
    }
    if (strcmp(kw, "name") == 0) {
        if ((st->name = gr_take(c, "name")) == NULL)
            return -1;
        return 1;
    }
    if (strcmp(kw, "watchdog") == 0) {
        if ((s = gr_take(c, "watchdog name")) == NULL)
            return -1;
        if (strcmp(s, "announce") == 0 || strcmp(s, "withdraw") == 0)
            return gr_fail(c, c->i - 1, "invalid watchdog name '%s'", s);
        st->watchdog = s;
        return 1;
    }
    if (strcmp(kw, "withdraw") == 0) {
        st->withdrawn = true;
        return 1;
    }
    c->i = at;
    return 0;
}

int
gr_routes_add(struct gr_ctx *c, struct grammar_routes *out, Bgpbus__V1__Nlri *nlri,
              const struct gr_route_state *st, bool with_attributes)
{
    Bgpbus__V1__Route *r;

    GR_NEW(c, r, bgpbus__v1__route__init);
    r->nlri = nlri;
    if (st->has_path_id) {
        nlri->path_id = st->path_id;
        nlri->has_path_id = 1;
    }
    if (with_attributes)
        r->attributes = st->attrs;
    r->name = (char *)st->name;
    r->watchdog = (char *)st->watchdog;
    if (st->withdrawn) {
        r->withdrawn = 1;
        r->has_withdrawn = 1;
    }
    GR_APPEND(c, out->routes, out->nroutes, r);
    return 0;
}
