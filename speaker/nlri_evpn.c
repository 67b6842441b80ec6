/*
 * EVPN NLRI (RFC 7432 7, RFC 9136 3.1; AFI 25 SAFI 70): route type (1 octet), length (1 octet),
 * value; the layouts are in lib/l2vpn_wire.c.
 *
 * In struct nlri, raw points at the whole route (type, length, value): on the wire as received
 * or as the contract encoded it. Identity is the route key, not the whole bytes: labels, and for
 * MAC/IP and IP prefix routes the ESI (and the gateway), belong to the advertisement (RFC 7432
 * 7.1-7.4, RFC 9136 3.1), so a route re-announced with a new label replaces the old one. Route
 * types without a layout are kept whole (RFC 7432 7: a speaker ignores what it does not know,
 * and passes it on unchanged); their bytes are their identity.
 */
#include "nlri_evpn.h"
#include "nlri_vpn.h"
#include "l2vpn_wire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Type + RD + the longest key fields (MAC/IP: tag, MAC length and MAC, IP length and IP). */
#define EVPN_KEY_MAX 64

static bool
nlri_evpn_decode(struct wire_rd *r, enum bgp_family fam, struct nlri *out, struct arena *a)
{
    const uint8_t *start = r->p, *val;
    struct l2vpn_evpn_view v;
    const char *why;
    uint8_t type, len;

    (void)fam;
    (void)a;
    if (!wire_get_u8(r, &type) || !wire_get_u8(r, &len) || !wire_get_ref(r, len, &val))
        return false;
    /* RFC 7606 5.3: a known route type whose value does not have its layout is malformed. */
    if (type >= 1 && type <= 5 && !l2vpn_evpn_parse(type, val, len, &v, &why))
        return false;
    out->raw = start;
    out->raw_len = (uint16_t)(2u + len);
    return true;
}

static size_t
nlri_evpn_encoded_len(const struct nlri *n)
{
    return n->raw_len;
}

static void
nlri_evpn_encode(const struct nlri *n, struct wire_wr *w)
{
    wire_put_bytes(w, n->raw, n->raw_len);
}

/* The view of a route of type 1-5 (validated when it was decoded or encoded); false otherwise. */
static bool
evpn_view(const struct nlri *n, struct l2vpn_evpn_view *v)
{
    const char *why;

    return n->raw_len >= 2 && l2vpn_evpn_parse(n->raw[0], n->raw + 2, n->raw_len - 2u, v, &why);
}

static size_t
key_put(uint8_t *k, size_t o, const void *p, size_t n)
{
    if (n > 0) /* an absent IP has no pointer */
        memcpy(k + o, p, n);
    return o + n;
}

/* The route key of a known type in k; 0 for an unknown type (its bytes are its identity). */
static size_t
evpn_key(const struct nlri *n, uint8_t k[EVPN_KEY_MAX])
{
    struct l2vpn_evpn_view v;
    uint8_t tag[4], b;
    size_t o = 0;

    if (!evpn_view(n, &v))
        return 0;
    wire_store_u32(tag, v.etag);
    o = key_put(k, o, &v.type, 1);
    o = key_put(k, o, v.rd, L2VPN_RD_LEN);
    switch (v.type) {
    case 1: /* RFC 7432 7.1: RD, ESI, Ethernet Tag */
        o = key_put(k, o, v.esi, L2VPN_ESI_LEN);
        o = key_put(k, o, tag, 4);
        break;
    case 2: /* RFC 7432 7.2: RD, Ethernet Tag, MAC length and MAC, IP length and IP */
        o = key_put(k, o, tag, 4);
        o = key_put(k, o, &v.mac_bits, 1);
        o = key_put(k, o, v.mac, L2VPN_MAC_LEN);
        b = (uint8_t)(v.ip_len * 8);
        o = key_put(k, o, &b, 1);
        o = key_put(k, o, v.ip, v.ip_len);
        break;
    case 3: /* RFC 7432 7.3: the whole route */
        o = key_put(k, o, tag, 4);
        o = key_put(k, o, v.ip, v.ip_len);
        break;
    case 4: /* RFC 7432 7.4: RD, ESI, originator */
        o = key_put(k, o, v.esi, L2VPN_ESI_LEN);
        o = key_put(k, o, v.ip, v.ip_len);
        break;
    default: /* 5, RFC 9136 3.1: RD, Ethernet Tag, IP prefix length and prefix */
        o = key_put(k, o, tag, 4);
        o = key_put(k, o, &v.prefix_len, 1);
        o = key_put(k, o, v.ip, v.ip_len);
        break;
    }
    return o;
}

static int
bytes_compare(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t l = al < bl ? al : bl;
    int c = l ? memcmp(a, b, l) : 0;

    if (c != 0)
        return c;
    return (al > bl) - (al < bl);
}

static int
nlri_evpn_compare(const struct nlri *a, const struct nlri *b)
{
    uint8_t ka[EVPN_KEY_MAX], kb[EVPN_KEY_MAX];
    size_t la = evpn_key(a, ka), lb = evpn_key(b, kb);

    if (la == 0 || lb == 0) /* an unknown type on one side at least: the bytes decide */
        return la == lb ? bytes_compare(a->raw, a->raw_len, b->raw, b->raw_len) : la == 0 ? 1 : -1;
    return bytes_compare(ka, la, kb, lb);
}

static uint32_t
nlri_evpn_hash(const struct nlri *n)
{
    uint8_t k[EVPN_KEY_MAX];
    size_t len = evpn_key(n, k);
    const uint8_t *p = len ? k : n->raw;
    uint32_t h = 2166136261u;

    if (len == 0)
        len = n->raw_len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* ---- text (logs, tools) -----------------------------------------------------------------------
 */

struct evpn_text {
    char *buf;
    size_t size, len;
};

static void
text_add(struct evpn_text *t, const char *fmt, const char *s)
{
    int k = snprintf(t->len < t->size ? t->buf + t->len : NULL,
                     t->len < t->size ? t->size - t->len : 0, fmt, s);

    if (k > 0)
        t->len += (size_t)k;
}

static void
text_ip(struct evpn_text *t, const char *name, const uint8_t *ip, size_t len)
{
    char s[INET6_ADDRSTRLEN] = "?";

    if (ip == NULL || len == 0)
        return;
    inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, s, sizeof(s));
    text_add(t, name, s);
}

static void
text_hex(struct evpn_text *t, const char *name, const uint8_t *p, size_t n, char sep)
{
    char s[3 * 255 + 3];
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (sep != 0 && i > 0)
            s[o++] = sep;
        o += (size_t)snprintf(s + o, sizeof(s) - o, "%02x", p[i]);
    }
    s[o] = '\0';
    text_add(t, name, s);
}

static void
text_u32(struct evpn_text *t, const char *name, uint32_t v)
{
    char s[16];

    snprintf(s, sizeof(s), "%u", v);
    text_add(t, name, s);
}

static void
text_fields(struct evpn_text *t, const struct l2vpn_evpn_view *v)
{
    static const uint8_t zero_esi[L2VPN_ESI_LEN];
    static const char *const names[] = { "",          "ethernet-ad", "macadvertisement",
                                         "multicast", "segment",     "prefix" };
    char rd[48];

    text_add(t, "evpn %s", names[v->type]);
    nlri_vpn_rd_format(v->rd, rd, sizeof(rd));
    text_add(t, " rd %s", rd);
    /* ExaBGP writes the reserved ESI 0 as "-" (and the others as colon-separated hex). */
    if (v->esi != NULL && memcmp(v->esi, zero_esi, L2VPN_ESI_LEN) == 0)
        text_add(t, " esi %s", "-");
    else if (v->esi != NULL)
        text_hex(t, " esi %s", v->esi, L2VPN_ESI_LEN, ':');
    if (v->has_etag)
        text_u32(t, " etag %s", v->etag);
    if (v->mac != NULL)
        text_hex(t, " mac %s", v->mac, L2VPN_MAC_LEN, ':');
    text_ip(t, " ip %s", v->ip, v->ip_len);
    if (v->type == 5) {
        text_u32(t, "/%s", v->prefix_len);
        text_ip(t, " gateway %s", v->gateway, v->ip_len);
    }
    for (size_t i = 0; i < v->nlabels; i++) {
        const uint8_t *l = v->labels + 3 * i;

        text_u32(t, i ? " %s" : " label %s",
                 ((uint32_t)l[0] << 16 | (uint32_t)l[1] << 8 | l[2]) >> 4);
    }
}

/* "evpn macadvertisement rd 65001:100 esi - etag 0 mac aa:bb:cc:dd:ee:ff ip 10.0.0.1 label
 * 1000", or "evpn type 8 0x..." for a type without a layout. */
static int
nlri_evpn_format(const struct nlri *n, char *buf, size_t size)
{
    struct evpn_text t = { buf, size, 0 };
    struct l2vpn_evpn_view v;

    if (size > 0)
        buf[0] = '\0';
    if (evpn_view(n, &v)) {
        text_fields(&t, &v);
    } else {
        text_u32(&t, "evpn type %s 0x", n->raw_len ? n->raw[0] : 0);
        text_hex(&t, "%s", n->raw, n->raw_len, 0);
    }
    return (int)t.len;
}

const struct nlri_ops nlri_ops_evpn = {
    .decode = nlri_evpn_decode,
    .encoded_len = nlri_evpn_encoded_len,
    .encode = nlri_evpn_encode,
    .compare = nlri_evpn_compare,
    .hash = nlri_evpn_hash,
    .format = nlri_evpn_format,
};

/* ---- the contract (bgpbus.v1) -------------------------------------------------------------- */

const char *
nlri_evpn_from_proto(const Bgpbus__V1__EvpnNlri *e, struct arena *a, struct nlri *out)
{
    uint8_t buf[L2VPN_EVPN_MAX];
    struct wire_rd r;
    const char *why = NULL;
    size_t len;

    if (e == NULL)
        return "route without NLRI";
    len = l2vpn_evpn_encode(e, buf, &why);
    if (len == 0)
        return why;
    out->raw = arena_memdup(a, buf, len);
    if (out->raw == NULL)
        return "out of memory";
    /* Read back what was written: a typed route the encoder let through must parse too. */
    wire_rd_init(&r, out->raw, len);
    if (!nlri_evpn_decode(&r, BGP_FAM_L2VPN_EVPN, out, a) || wire_rd_left(&r) != 0)
        return "EVPN route does not have its type's layout";
    out->fam = (int8_t)BGP_FAM_L2VPN_EVPN;
    return NULL;
}

static bool
set_bytes(struct arena *a, ProtobufCBinaryData *d, protobuf_c_boolean *has, const uint8_t *p,
          size_t n)
{
    if (p == NULL || n == 0)
        return true;
    d->data = arena_memdup(a, p, n);
    d->len = n;
    *has = true;
    return d->data != NULL;
}

/* The label fields as LabelStack: raw (24 bits, a VNI with VXLAN) and the 20-bit labels. */
static Bgpbus__V1__LabelStack *
labels_to_proto(struct arena *a, const struct l2vpn_evpn_view *v)
{
    Bgpbus__V1__LabelStack *ls = arena_alloc(a, sizeof(*ls));
    uint32_t *raw = arena_calloc(a, L2VPN_MAX_LABELS, sizeof(*raw));
    uint32_t *labels = arena_calloc(a, L2VPN_MAX_LABELS, sizeof(*labels));

    if (ls == NULL || raw == NULL || labels == NULL)
        return NULL;
    bgpbus__v1__label_stack__init(ls);
    for (size_t i = 0; i < v->nlabels; i++) {
        const uint8_t *l = v->labels + 3 * i;

        raw[i] = (uint32_t)l[0] << 16 | (uint32_t)l[1] << 8 | l[2];
        labels[i] = raw[i] >> 4;
    }
    ls->n_raw = ls->n_labels = v->nlabels;
    ls->raw = raw;
    ls->labels = labels;
    return ls;
}

/* Each route type's message, filled from the view (members the type has). */
static bool
known_to_proto(struct arena *a, const struct l2vpn_evpn_view *v, Bgpbus__V1__EvpnNlri *e)
{
    Bgpbus__V1__RouteDistinguisher *rd = nlri_vpn_rd_to_proto(a, v->rd);
    Bgpbus__V1__LabelStack *ls = v->nlabels ? labels_to_proto(a, v) : NULL;
    bool ok = rd != NULL && (v->nlabels == 0 || ls != NULL);

#define EVPN_NEW(member, init, kase)                                                               \
    do {                                                                                           \
        e->member = arena_alloc(a, sizeof(*e->member));                                            \
        if (e->member == NULL)                                                                     \
            return false;                                                                          \
        init(e->member);                                                                           \
        e->route_case = kase;                                                                      \
        e->member->rd = rd;                                                                        \
    } while (0)

    if (!ok)
        return false;
    switch (v->type) {
    case 1:
        EVPN_NEW(ethernet_auto_discovery, bgpbus__v1__evpn_ethernet_auto_discovery__init,
                 BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_AUTO_DISCOVERY);
        e->ethernet_auto_discovery->has_ethernet_tag = true;
        e->ethernet_auto_discovery->ethernet_tag = v->etag;
        e->ethernet_auto_discovery->labels = ls;
        return set_bytes(a, &e->ethernet_auto_discovery->esi, &e->ethernet_auto_discovery->has_esi,
                         v->esi, L2VPN_ESI_LEN);
    case 2: {
        Bgpbus__V1__EvpnMacIpAdvertisement *m;

        EVPN_NEW(mac_ip_advertisement, bgpbus__v1__evpn_mac_ip_advertisement__init,
                 BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT);
        m = e->mac_ip_advertisement;
        m->has_ethernet_tag = m->has_mac_length = true;
        m->ethernet_tag = v->etag;
        m->mac_length = v->mac_bits;
        m->labels = ls;
        return set_bytes(a, &m->esi, &m->has_esi, v->esi, L2VPN_ESI_LEN) &&
               set_bytes(a, &m->mac, &m->has_mac, v->mac, L2VPN_MAC_LEN) &&
               set_bytes(a, &m->ip, &m->has_ip, v->ip, v->ip_len);
    }
    case 3:
        EVPN_NEW(inclusive_multicast, bgpbus__v1__evpn_inclusive_multicast__init,
                 BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST);
        e->inclusive_multicast->has_ethernet_tag = true;
        e->inclusive_multicast->ethernet_tag = v->etag;
        return set_bytes(a, &e->inclusive_multicast->originator,
                         &e->inclusive_multicast->has_originator, v->ip, v->ip_len);
    case 4:
        EVPN_NEW(ethernet_segment, bgpbus__v1__evpn_ethernet_segment__init,
                 BGPBUS__V1__EVPN_NLRI__ROUTE_ETHERNET_SEGMENT);
        return set_bytes(a, &e->ethernet_segment->esi, &e->ethernet_segment->has_esi, v->esi,
                         L2VPN_ESI_LEN) &&
               set_bytes(a, &e->ethernet_segment->originator, &e->ethernet_segment->has_originator,
                         v->ip, v->ip_len);
    default: {
        Bgpbus__V1__EvpnIpPrefix *p;
        Bgpbus__V1__Prefix *pf = arena_alloc(a, sizeof(*pf));

        if (pf == NULL)
            return false;
        EVPN_NEW(ip_prefix, bgpbus__v1__evpn_ip_prefix__init,
                 BGPBUS__V1__EVPN_NLRI__ROUTE_IP_PREFIX);
        p = e->ip_prefix;
        p->has_ethernet_tag = true;
        p->ethernet_tag = v->etag;
        p->labels = ls;
        bgpbus__v1__prefix__init(pf);
        pf->has_length = true;
        pf->length = v->prefix_len;
        p->prefix = pf;
        return set_bytes(a, &pf->address, &pf->has_address, v->ip, v->ip_len) &&
               set_bytes(a, &p->esi, &p->has_esi, v->esi, L2VPN_ESI_LEN) &&
               set_bytes(a, &p->gateway, &p->has_gateway, v->gateway, v->ip_len);
    }
    }
#undef EVPN_NEW
}

Bgpbus__V1__EvpnNlri *
nlri_evpn_to_proto(struct arena *a, const struct nlri *n)
{
    Bgpbus__V1__EvpnNlri *e = arena_alloc(a, sizeof(*e));
    struct l2vpn_evpn_view v;

    if (e == NULL)
        return NULL;
    bgpbus__v1__evpn_nlri__init(e);
    if (evpn_view(n, &v))
        return known_to_proto(a, &v, e) ? e : NULL;
    e->unknown = arena_alloc(a, sizeof(*e->unknown));
    if (e->unknown == NULL)
        return NULL;
    bgpbus__v1__evpn_unknown_route__init(e->unknown);
    e->route_case = BGPBUS__V1__EVPN_NLRI__ROUTE_UNKNOWN;
    e->unknown->has_route_type = true;
    e->unknown->route_type = n->raw_len ? n->raw[0] : 0;
    if (n->raw_len > 2 &&
        !set_bytes(a, &e->unknown->data, &e->unknown->has_data, n->raw + 2, n->raw_len - 2u))
        return NULL;
    return e;
}
