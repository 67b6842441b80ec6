/* L2VPN routes (SPEC 2.7): VPLS (RFC 4761) and the EVPN reference spellings (RFC 7432). */
#include "grammar_int.h"

#include <string.h>

static void
gr_routes_reset(struct grammar_routes *out)
{
    out->routes = NULL;
    out->nroutes = 0;
    out->attributes = NULL;
}

/* Without a next hop the route goes out with the session's own address (next-hop self). */
static int
gr_default_self(struct gr_ctx *c, struct gr_route_state *st)
{
    if (st->has_next_hop)
        return 0;
    GR_NEW(c, st->attrs->next_hop, bgpbus__v1__next_hop__init);
    st->attrs->next_hop->use_local_address = 1;
    st->attrs->next_hop->has_use_local_address = 1;
    st->has_next_hop = true;
    return 0;
}

/* Attributes to the end of the statement, with `extra` for the family's own keywords. */
static int
gr_rest(struct gr_ctx *c, struct gr_route_state *st, void *arg,
        int (*extra)(struct gr_ctx *c, void *arg))
{
    int r;

    while (c->i < c->n) {
        r = extra != NULL ? extra(c, arg) : 0;
        if (r == 0)
            r = gr_attr_parse(c, st);
        if (r < 0)
            return -1;
        if (r == 0)
            return gr_fail(c, c->i, "unknown keyword '%s'", c->w[c->i]);
    }
    return 0;
}

static int
gr_vpls_keyword(struct gr_ctx *c, void *arg)
{
    Bgpbus__V1__VplsNlri *v = arg;
    uint32_t x;

    if (gr_is(c, "endpoint")) {
        c->i++;
        if (gr_take_u32(c, "endpoint", UINT16_MAX, &x) < 0)
            return -1;
        v->endpoint = x;
        v->has_endpoint = 1;
    } else if (gr_is(c, "base")) {
        c->i++;
        if (gr_take_u32(c, "label base", 0xFFFFF, &x) < 0)
            return -1;
        v->label_base = x;
        v->has_label_base = 1;
    } else if (gr_is(c, "offset")) {
        c->i++;
        if (gr_take_u32(c, "offset", UINT16_MAX, &x) < 0)
            return -1;
        v->offset = x;
        v->has_offset = 1;
    } else if (gr_is(c, "size")) {
        c->i++;
        if (gr_take_u32(c, "size", UINT16_MAX, &x) < 0)
            return -1;
        v->size = x;
        v->has_size = 1;
    } else {
        return 0;
    }
    return 1;
}

int
grammar_vpls_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                   struct grammar_routes *out, struct grammar_error *err)
{
    struct gr_ctx c;
    struct gr_route_state st;
    Bgpbus__V1__VplsNlri *v;
    Bgpbus__V1__Nlri *n;
    const char *s;
    uint32_t x;
    uint8_t ip[4];

    gr_ctx_init(&c, words, nwords, arena, err);
    gr_routes_reset(out);
    if (gr_route_state_init(&c, &st) < 0)
        return -1;
    GR_NEW(&c, v, bgpbus__v1__vpls_nlri__init);
    s = gr_peek(&c);
    if (s != NULL && ((s[0] >= '0' && s[0] <= '9'))) {
        /* Reference spelling: `<endpoint> <offset> <size>`. */
        c.i++;
        if (gr_parse_ipv4(s, ip)) {
            /* The PE's address: the route's next hop; the VE ID stays 0. */
            GR_NEW(&c, st.attrs->next_hop, bgpbus__v1__next_hop__init);
            if (gr_bytes(&c, &st.attrs->next_hop->address, ip, 4) < 0)
                return -1;
            st.attrs->next_hop->has_address = 1;
            st.has_next_hop = true;
            v->endpoint = 0;
        } else if (gr_parse_u32(s, &x) && x <= UINT16_MAX) {
            v->endpoint = x;
        } else {
            return gr_fail(&c, 0, "invalid VPLS endpoint '%s'", s);
        }
        v->has_endpoint = 1;
        if (gr_take_u32(&c, "offset", UINT16_MAX, &x) < 0)
            return -1;
        v->offset = x;
        v->has_offset = 1;
        if (gr_take_u32(&c, "size", UINT16_MAX, &x) < 0)
            return -1;
        v->size = x;
        v->has_size = 1;
    }
    if (gr_rest(&c, &st, v, gr_vpls_keyword) < 0)
        return -1;
    if (st.rd == NULL)
        return gr_fail(&c, c.n, "missing route-distinguisher");
    if (flags & GRAMMAR_ANNOUNCE) {
        if (!v->has_endpoint)
            return gr_fail(&c, c.n, "missing endpoint");
        if (!v->has_offset || !v->has_size)
            return gr_fail(&c, c.n, "missing %s", v->has_offset ? "size" : "offset");
        if (gr_default_self(&c, &st) < 0)
            return -1;
    }
    v->rd = st.rd;
    GR_NEW(&c, n, bgpbus__v1__nlri__init);
    n->nlri_case = BGPBUS__V1__NLRI__NLRI_VPLS;
    n->vpls = v;
    return gr_routes_add(&c, out, n, &st, (flags & GRAMMAR_ANNOUNCE) != 0);
}

struct gr_evpn_extra {
    uint32_t *etag;
    protobuf_c_boolean *has_etag;
    Bgpbus__V1__LabelStack **labels; /* NULL: the route type has no label */
};

static int
gr_evpn_keyword(struct gr_ctx *c, void *argp)
{
    struct gr_evpn_extra *arg = argp;

    if (gr_is(c, "etag") || gr_is(c, "ethernet-tag")) {
        c->i++;
        if (gr_take_u32(c, "ethernet tag", UINT32_MAX, arg->etag) < 0)
            return -1;
        *arg->has_etag = 1;
        return 1;
    }
    if (arg->labels != NULL && gr_is(c, "label")) {
        c->i++;
        return gr_take_labels(c, arg->labels) < 0 ? -1 : 1;
    }
    return 0;
}

static bool
gr_parse_mac(const char *s, uint8_t mac[6])
{
    unsigned k;

    for (k = 0; k < 6; k++) {
        int hi, lo;

        hi = s[0] >= '0' && s[0] <= '9'                     ? s[0] - '0'
             : (s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'f' ? (s[0] | 0x20) - 'a' + 10
                                                            : -1;
        lo = s[1] >= '0' && s[1] <= '9'                     ? s[1] - '0'
             : (s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'f' ? (s[1] | 0x20) - 'a' + 10
                                                            : -1;
        if (hi < 0 || lo < 0)
            return false;
        mac[k] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (k < 5) {
            if (*s != ':' && *s != '-')
                return false;
            s++;
        }
    }
    return *s == '\0';
}

static int
gr_evpn_mac(struct gr_ctx *c, unsigned flags, struct gr_route_state *st, Bgpbus__V1__EvpnNlri *e)
{
    Bgpbus__V1__EvpnMacIpAdvertisement *m;
    struct gr_evpn_extra extra;
    uint8_t mac[6], ip[16];
    const char *s;
    uint32_t label;
    int len;

    GR_NEW(c, m, bgpbus__v1__evpn_mac_ip_advertisement__init);
    if ((s = gr_take(c, "MAC address")) == NULL)
        return -1;
    if (!gr_parse_mac(s, mac))
        return gr_fail(c, c->i - 1, "invalid MAC address '%s'", s);
    if (gr_bytes(c, &m->mac, mac, 6) < 0)
        return -1;
    m->has_mac = 1;
    s = gr_peek(c);
    if (s != NULL && (len = gr_parse_ip(s, ip)) != 0) {
        c->i++;
        if (gr_bytes(c, &m->ip, ip, (size_t)len) < 0)
            return -1;
        m->has_ip = 1;
    }
    s = gr_peek(c);
    if (s != NULL && gr_parse_u32(s, &label)) {
        /* RFC 7432 7.2: MPLS Label1 (20 bits). */
        if (label > 0xFFFFF)
            return gr_fail(c, c->i, "invalid label '%s' (0..1048575)", s);
        c->i++;
        GR_NEW(c, m->labels, bgpbus__v1__label_stack__init);
        GR_APPEND(c, m->labels->labels, m->labels->n_labels, label);
    }
    extra.etag = &m->ethernet_tag;
    extra.has_etag = &m->has_ethernet_tag;
    extra.labels = &m->labels;
    if (gr_rest(c, st, &extra, gr_evpn_keyword) < 0)
        return -1;
    if (st->rd == NULL)
        return gr_fail(c, c->n, "missing rd");
    if ((flags & GRAMMAR_ANNOUNCE) && m->labels == NULL)
        return gr_fail(c, c->n, "missing label");
    m->rd = st->rd;
    e->route_case = BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT;
    e->mac_ip_advertisement = m;
    return 0;
}

static int
gr_evpn_multicast(struct gr_ctx *c, unsigned flags, struct gr_route_state *st,
                  Bgpbus__V1__EvpnNlri *e)
{
    Bgpbus__V1__EvpnInclusiveMulticast *m;
    struct gr_evpn_extra extra;
    Bgpbus__V1__PmsiTunnel *pmsi;

    GR_NEW(c, m, bgpbus__v1__evpn_inclusive_multicast__init);
    if (gr_take_ip(c, "originator address", &m->originator) < 0)
        return -1;
    m->has_originator = 1;
    extra.etag = &m->ethernet_tag;
    extra.has_etag = &m->has_ethernet_tag;
    extra.labels = NULL;
    if (gr_rest(c, st, &extra, gr_evpn_keyword) < 0)
        return -1;
    if (st->rd == NULL)
        return gr_fail(c, c->n, "missing rd");
    m->rd = st->rd;
    if (!m->has_ethernet_tag) {
        m->ethernet_tag = 0;
        m->has_ethernet_tag = 1;
    }
    /* RFC 7432 11.2: the route carries a PMSI Tunnel attribute; ingress replication (type 6)
     * towards the originator is the one every implementation supports (RFC 8365 9). */
    if ((flags & GRAMMAR_ANNOUNCE) && st->attrs->pmsi_tunnel == NULL) {
        GR_NEW(c, pmsi, bgpbus__v1__pmsi_tunnel__init);
        pmsi->flags = 0;
        pmsi->tunnel_type = 6;
        pmsi->label = 0;
        pmsi->has_flags = pmsi->has_tunnel_type = pmsi->has_label = 1;
        pmsi->tunnel_id = m->originator;
        pmsi->has_tunnel_id = 1;
        st->attrs->pmsi_tunnel = pmsi;
    }
    e->route_case = BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST;
    e->inclusive_multicast = m;
    return 0;
}

int
grammar_evpn_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                   struct grammar_routes *out, struct grammar_error *err)
{
    struct gr_ctx c;
    struct gr_route_state st;
    Bgpbus__V1__EvpnNlri *e;
    Bgpbus__V1__Nlri *n;
    const char *kind;
    int r;

    gr_ctx_init(&c, words, nwords, arena, err);
    gr_routes_reset(out);
    if (gr_route_state_init(&c, &st) < 0)
        return -1;
    GR_NEW(&c, e, bgpbus__v1__evpn_nlri__init);
    if ((kind = gr_take(&c, "EVPN route type")) == NULL)
        return -1;
    if (strcmp(kind, "macadvertisement") == 0 || strcmp(kind, "mac-advertisement") == 0)
        r = gr_evpn_mac(&c, flags, &st, e);
    else if (strcmp(kind, "multicast") == 0)
        r = gr_evpn_multicast(&c, flags, &st, e);
    else
        return gr_fail(&c, 0, "unknown EVPN route type '%s' (macadvertisement or multicast)", kind);
    if (r < 0)
        return -1;
    if ((flags & GRAMMAR_ANNOUNCE) && gr_default_self(&c, &st) < 0)
        return -1;
    GR_NEW(&c, n, bgpbus__v1__nlri__init);
    n->nlri_case = BGPBUS__V1__NLRI__NLRI_EVPN;
    n->evpn = e;
    return gr_routes_add(&c, out, n, &st, (flags & GRAMMAR_ANNOUNCE) != 0);
}
