/* `route` and `attributes … nlri` statements (SPEC 2.4, 2.5): prefix families. */
#include "grammar_int.h"

#include <string.h>

/* RFC 5771: 224.0.0.0/4 is IPv4 multicast; ExaBGP puts such routes in SAFI multicast. */
static bool
gr_is_ipv4_multicast(const Bgpbus__V1__Prefix *p)
{
    return p->address.len == 4 && p->length >= 4 && (p->address.data[0] & 0xF0) == 0xE0;
}

/* Which Nlri member the route goes in, from the qualifiers (SPEC 2.4 "Semantics"). */
static int
gr_prefix_family(struct gr_ctx *c, const struct gr_route_state *st, unsigned flags,
                 const Bgpbus__V1__Prefix *p)
{
    if (st->rd != NULL)
        return BGPBUS__V1__NLRI__NLRI_VPN;
    if (flags & GRAMMAR_SAFI_VPN)
        return gr_fail(c, c->n, "missing route-distinguisher");
    if (st->labels != NULL || (flags & GRAMMAR_SAFI_LABELED)) {
        if (st->labels == NULL && (flags & GRAMMAR_ANNOUNCE))
            return gr_fail(c, c->n, "missing label");
        return BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST;
    }
    if (flags & GRAMMAR_SAFI_MULTICAST)
        return BGPBUS__V1__NLRI__NLRI_MULTICAST;
    if (flags & GRAMMAR_SAFI_UNICAST)
        return BGPBUS__V1__NLRI__NLRI_UNICAST;
    return gr_is_ipv4_multicast(p) ? BGPBUS__V1__NLRI__NLRI_MULTICAST
                                   : BGPBUS__V1__NLRI__NLRI_UNICAST;
}

static int
gr_prefix_nlri(struct gr_ctx *c, int member, const struct gr_route_state *st, Bgpbus__V1__Prefix *p,
               Bgpbus__V1__Nlri **out)
{
    Bgpbus__V1__Nlri *n;

    GR_NEW(c, n, bgpbus__v1__nlri__init);
    n->nlri_case = (Bgpbus__V1__Nlri__NlriCase)member;
    switch (member) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST: n->unicast = p; break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST: n->multicast = p; break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        GR_NEW(c, n->labeled_unicast, bgpbus__v1__labeled_prefix__init);
        n->labeled_unicast->prefix = p;
        n->labeled_unicast->labels = st->labels;
        break;
    default:
        GR_NEW(c, n->vpn, bgpbus__v1__vpn_prefix__init);
        n->vpn->rd = st->rd;
        n->vpn->prefix = p;
        n->vpn->labels = st->labels;
        break;
    }
    *out = n;
    return 0;
}

/* At most this many routes from one `split` (ExaBGP has no limit; 1M lines is the target). */
#define GR_SPLIT_MAX 65536

/* Adds the route(s) of prefix p: one, or 2^(split - len) with `split /N` (SPEC 2.4). */
static int
gr_prefix_routes(struct gr_ctx *c, struct grammar_routes *out, const struct gr_route_state *st,
                 unsigned flags, Bgpbus__V1__Prefix *p, bool with_attributes)
{
    Bgpbus__V1__Nlri *n;
    int member = gr_prefix_family(c, st, flags, p);
    uint64_t count, k;
    uint32_t bits;
    size_t i;

    if (member < 0)
        return -1;
    /* SPEC 2.4: 4.2 checks the next hop for unicast/multicast announces only. */
    if ((flags & GRAMMAR_ANNOUNCE) && !st->has_next_hop &&
        (member == BGPBUS__V1__NLRI__NLRI_UNICAST || member == BGPBUS__V1__NLRI__NLRI_MULTICAST))
        return gr_fail(c, c->n, "missing next-hop");
    if (st->split < 0 || (uint32_t)st->split <= p->length) {
        if (gr_prefix_nlri(c, member, st, p, &n) < 0)
            return -1;
        return gr_routes_add(c, out, n, st, with_attributes);
    }
    if ((uint32_t)st->split > p->address.len * 8)
        return gr_fail(c, st->split_word, "invalid split /%d for a /%u prefix", st->split,
                       p->length);
    bits = (uint32_t)st->split - p->length;
    if (bits > 16)
        return gr_fail(c, st->split_word, "split /%d would make more than %d routes", st->split,
                       GR_SPLIT_MAX);
    count = (uint64_t)1 << bits;
    for (k = 0; k < count; k++) {
        Bgpbus__V1__Prefix *q;
        uint8_t a[16];

        memcpy(a, p->address.data, p->address.len);
        /* Write k into bits [len, split) of the address, most significant first. */
        for (i = 0; i < bits; i++) {
            uint32_t bit = p->length + (uint32_t)i;

            if ((k >> (bits - 1 - i)) & 1)
                a[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
        }
        GR_NEW(c, q, bgpbus__v1__prefix__init);
        if (gr_bytes(c, &q->address, a, p->address.len) < 0)
            return -1;
        q->has_address = q->has_length = 1;
        q->length = (uint32_t)st->split;
        if (gr_prefix_nlri(c, member, st, q, &n) < 0 ||
            gr_routes_add(c, out, n, st, with_attributes) < 0)
            return -1;
    }
    return 0;
}

static void
gr_routes_clear(struct grammar_routes *out)
{
    out->routes = NULL;
    out->nroutes = 0;
    out->attributes = NULL;
}

int
grammar_route_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                    struct grammar_routes *out, struct grammar_error *err)
{
    struct gr_ctx c;
    struct gr_route_state st;
    Bgpbus__V1__Prefix *p;
    int r;

    gr_ctx_init(&c, words, nwords, arena, err);
    gr_routes_clear(out);
    if (gr_route_state_init(&c, &st) < 0 || gr_take_prefix(&c, &p, NULL) < 0)
        return -1;
    while (c.i < c.n) {
        r = gr_attr_parse(&c, &st);
        if (r < 0)
            return -1;
        if (r == 0)
            return gr_fail(&c, c.i, "unknown keyword '%s'", c.w[c.i]);
    }
    return gr_prefix_routes(&c, out, &st, flags, p, (flags & GRAMMAR_ANNOUNCE) != 0);
}

int
grammar_attributes_parse(const char *const *words, size_t nwords, unsigned flags,
                         struct arena *arena, struct grammar_routes *out, struct grammar_error *err)
{
    struct gr_ctx c;
    struct gr_route_state st;
    Bgpbus__V1__Prefix *p;
    int r;

    gr_ctx_init(&c, words, nwords, arena, err);
    gr_routes_clear(out);
    if (gr_route_state_init(&c, &st) < 0)
        return -1;
    while (!gr_is(&c, "nlri")) {
        if (c.i >= c.n)
            return gr_fail(&c, c.n, "missing 'nlri'");
        r = gr_attr_parse(&c, &st);
        if (r < 0)
            return -1;
        if (r == 0)
            return gr_fail(&c, c.i, "unknown keyword '%s'", c.w[c.i]);
    }
    c.i++;
    if (c.i >= c.n)
        return gr_fail(&c, c.n, "missing prefix after 'nlri'");
    while (c.i < c.n) {
        if (gr_take_prefix(&c, &p, NULL) < 0 || gr_prefix_routes(&c, out, &st, flags, p, false) < 0)
            return -1;
    }
    if (flags & GRAMMAR_ANNOUNCE)
        out->attributes = st.attrs;
    return 0;
}
