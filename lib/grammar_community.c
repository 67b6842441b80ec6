/* Communities in ExaBGP's text: standard (RFC 1997), large (RFC 8092), extended (RFC 4360). */
#include "grammar_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 1997, RFC 3765, RFC 7999, RFC 8326, RFC 7611, RFC 9494 well-known values. */
static const struct {
    const char *name;
    uint32_t value;
} gr_well_known[] = {
    { "no-export", 0xFFFFFF01 },
    { "no-advertise", 0xFFFFFF02 },
    { "no-export-subconfed", 0xFFFFFF03 },
    { "nopeer", 0xFFFFFF04 },
    { "no-peer", 0xFFFFFF04 },
    { "blackhole", 0xFFFF029A },
    { "graceful-shutdown", 0xFFFF0000 },
    { "accept-own", 0xFFFF0001 },
    { "llgr-stale", 0xFFFF0006 },
    { "no-llgr", 0xFFFF0007 },
    { "accept-own-nexthop", 0xFFFF0008 },
};

/* Iterates over `one` or `[ one , one … ]`: calls fn for each value word. */
static int
gr_list(struct gr_ctx *c, const char *what, void *arg,
        int (*fn)(struct gr_ctx *c, const char *s, void *arg))
{
    const char *s;

    if (!gr_is(c, "[")) {
        s = gr_take(c, what);
        return s == NULL ? -1 : fn(c, s, arg);
    }
    c->i++;
    for (;;) {
        s = gr_take(c, "']'");
        if (s == NULL)
            return -1;
        if (strcmp(s, "]") == 0)
            return 0;
        if (strcmp(s, ",") == 0)
            continue;
        if (fn(c, s, arg) < 0)
            return -1;
    }
}

static int
gr_community_one(struct gr_ctx *c, const char *s, void *arg)
{
    Bgpbus__V1__Attributes *a = arg;
    const char *colon = strchr(s, ':');
    uint64_t hi, lo;
    uint32_t v;
    size_t i;

    for (i = 0; i < sizeof(gr_well_known) / sizeof(gr_well_known[0]); i++) {
        if (strcasecmp(s, gr_well_known[i].name) == 0) {
            v = gr_well_known[i].value;
            goto add;
        }
    }
    if (colon != NULL) {
        char high[8];
        size_t hl = (size_t)(colon - s);

        if (hl == 0 || hl >= sizeof(high))
            goto bad;
        memcpy(high, s, hl);
        high[hl] = '\0';
        if (!gr_parse_dec(high, UINT16_MAX, &hi) || !gr_parse_dec(colon + 1, UINT16_MAX, &lo))
            goto bad;
        v = (uint32_t)(hi << 16 | lo);
    } else if (!gr_parse_u32(s, &v)) {
        goto bad;
    }
add:
    GR_APPEND(c, a->communities, a->n_communities, v);
    return 0;
bad:
    return gr_fail(c, c->i - 1, "expected a community, got '%s'", s);
}

int
gr_take_communities(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    return gr_list(c, "community", a, gr_community_one);
}

static int
gr_large_one(struct gr_ctx *c, const char *s, void *arg)
{
    Bgpbus__V1__Attributes *a = arg;
    Bgpbus__V1__LargeCommunity *lc;
    uint64_t part[3];
    const char *p = s;
    char num[16];
    size_t i, k;

    for (k = 0; k < 3; k++) {
        const char *end = k < 2 ? strchr(p, ':') : p + strlen(p);

        if (end == NULL || end == p || (size_t)(end - p) >= sizeof(num))
            return gr_fail(c, c->i - 1, "expected a large community, got '%s'", s);
        memcpy(num, p, (size_t)(end - p));
        num[end - p] = '\0';
        if (!gr_parse_dec(num, UINT32_MAX, &part[k]))
            return gr_fail(c, c->i - 1, "expected a large community, got '%s'", s);
        p = end + 1;
    }
    /* SPEC 2.4: duplicates are dropped (RFC 8092 5: they SHOULD NOT be sent). */
    for (i = 0; i < a->n_large_communities; i++) {
        lc = a->large_communities[i];
        if (lc->global_admin == part[0] && lc->local_data_1 == part[1] &&
            lc->local_data_2 == part[2])
            return 0;
    }
    GR_NEW(c, lc, bgpbus__v1__large_community__init);
    lc->global_admin = (uint32_t)part[0];
    lc->local_data_1 = (uint32_t)part[1];
    lc->local_data_2 = (uint32_t)part[2];
    lc->has_global_admin = lc->has_local_data_1 = lc->has_local_data_2 = 1;
    GR_APPEND(c, a->large_communities, a->n_large_communities, lc);
    return 0;
}

int
gr_take_large_communities(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    return gr_list(c, "large community", a, gr_large_one);
}

int
gr_ext_append(struct gr_ctx *c, Bgpbus__V1__Attributes *a, Bgpbus__V1__ExtendedCommunity *e)
{
    GR_APPEND(c, a->extended_communities, a->n_extended_communities, e);
    return 0;
}

int
gr_ipv6_ext_append(struct gr_ctx *c, Bgpbus__V1__Attributes *a,
                   Bgpbus__V1__Ipv6ExtendedCommunity *e)
{
    GR_APPEND(c, a->ipv6_extended_communities, a->n_ipv6_extended_communities, e);
    return 0;
}

int
gr_parse_admin(struct gr_ctx *c, size_t word, const char *s, Bgpbus__V1__ExtCommunityAdmin **out)
{
    const char *colon = strrchr(s, ':');
    char admin[24];
    size_t alen;
    uint8_t ip[4];
    uint64_t asn, num;
    bool four = false;
    Bgpbus__V1__ExtCommunityAdmin *ad;

    if (colon == NULL || (alen = (size_t)(colon - s)) == 0 || alen >= sizeof(admin))
        return gr_fail(c, word, "expected <asn>:<number> or <ip>:<number>, got '%s'", s);
    memcpy(admin, s, alen);
    admin[alen] = '\0';
    if (admin[alen - 1] == 'L') {
        four = true;
        admin[alen - 1] = '\0';
    }
    GR_NEW(c, ad, bgpbus__v1__ext_community_admin__init);
    if (!four && gr_parse_ipv4(colon + 1, ip) && gr_parse_dec(admin, UINT16_MAX, &asn)) {
        /* ExaBGP's `origin:<asn16>:<ipv4>`: 2-octet AS, the address as the 32-bit local part. */
        ad->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2;
        ad->asn2 = (uint32_t)asn;
        num = (uint64_t)ip[0] << 24 | (uint64_t)ip[1] << 16 | (uint64_t)ip[2] << 8 | ip[3];
    } else if (!four && gr_parse_ipv4(admin, ip)) {
        /* RFC 4360 3.2: IPv4 address specific, 16-bit local administrator. */
        if (!gr_parse_dec(colon + 1, UINT16_MAX, &num))
            return gr_fail(c, word, "invalid '%s': number > 65535 after an IPv4 address", s);
        ad->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_IPV4;
        if (gr_bytes(c, &ad->ipv4, ip, 4) < 0)
            return -1;
    } else if (gr_parse_dec(admin, UINT32_MAX, &asn)) {
        if (!four && asn <= UINT16_MAX) {
            if (!gr_parse_dec(colon + 1, UINT32_MAX, &num))
                return gr_fail(c, word, "invalid '%s': number > 4294967295", s);
            ad->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2;
            ad->asn2 = (uint32_t)asn;
        } else {
            /* RFC 5668: 4-octet AS specific, 16-bit local administrator (ExaBGP 4.2's type
             * 0x02; main writes 0x01, SPEC 2.12). */
            if (!gr_parse_dec(colon + 1, UINT16_MAX, &num))
                return gr_fail(c, word, "invalid '%s': number > 65535 with a 4-octet AS", s);
            ad->global_admin_case = BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4;
            ad->asn4 = (uint32_t)asn;
        }
    } else {
        return gr_fail(c, word, "expected <asn>:<number> or <ip>:<number>, got '%s'", s);
    }
    ad->local_admin = (uint32_t)num;
    ad->has_local_admin = 1;
    *out = ad;
    return 0;
}

/* Splits "a:b:c:d" into exactly n unsigned fields (decimal), each at most max[i]. */
static bool
gr_fields(const char *s, size_t n, const uint64_t *max, uint64_t *v)
{
    char num[24];
    size_t k;

    for (k = 0; k < n; k++) {
        const char *end = k + 1 < n ? strchr(s, ':') : s + strlen(s);

        if (end == NULL || end == s || (size_t)(end - s) >= sizeof(num))
            return false;
        memcpy(num, s, (size_t)(end - s));
        num[end - s] = '\0';
        if (!gr_parse_dec(num, max[k], &v[k]))
            return false;
        s = end + 1;
    }
    return true;
}

static int
gr_ext_one(struct gr_ctx *c, const char *s, void *arg)
{
    Bgpbus__V1__Attributes *a = arg;
    Bgpbus__V1__ExtendedCommunity *e;
    size_t word = c->i - 1;
    uint8_t raw[8];

    GR_NEW(c, e, bgpbus__v1__extended_community__init);
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (gr_parse_hex(s, raw, 8) != 8)
            return gr_fail(c, word, "invalid extended community '%s': need 8 octets in hex", s);
        if (gr_bytes(c, &e->raw, raw, 8) < 0)
            return -1;
        e->has_raw = 1;
    } else if (strncmp(s, "target:", 7) == 0) {
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET;
        if (gr_parse_admin(c, word, s + 7, &e->route_target) < 0)
            return -1;
    } else if (strncmp(s, "origin:", 7) == 0) {
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN;
        if (gr_parse_admin(c, word, s + 7, &e->route_origin) < 0)
            return -1;
    } else if (strncmp(s, "redirect:", 9) == 0) {
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT;
        if (gr_parse_admin(c, word, s + 9, &e->redirect) < 0)
            return -1;
    } else if (strcmp(s, "redirect-to-nexthop") == 0) {
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP;
        GR_NEW(c, e->redirect_to_nexthop, bgpbus__v1__redirect_to_nexthop__init);
    } else if (strncmp(s, "l2info:", 7) == 0) {
        /* RFC 4761 3.2.4: encaps 8 bits, control flags 8 bits, MTU 16 bits, then 16 bits. */
        static const uint64_t max[4] = { 255, 255, 65535, 65535 };
        uint64_t v[4];

        if (!gr_fields(s + 7, 4, max, v))
            return gr_fail(c, word, "invalid '%s': expected l2info:<encaps>:<control>:<mtu>:<site>",
                           s);
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_L2_INFO;
        GR_NEW(c, e->l2_info, bgpbus__v1__l2_info__init);
        e->l2_info->encapsulation_type = (uint32_t)v[0];
        e->l2_info->control_flags = (uint32_t)v[1];
        e->l2_info->mtu = (uint32_t)v[2];
        e->l2_info->site_preference = (uint32_t)v[3];
        e->l2_info->has_encapsulation_type = e->l2_info->has_control_flags = 1;
        e->l2_info->has_mtu = e->l2_info->has_site_preference = 1;
    } else if (strncmp(s, "bandwidth:", 10) == 0) {
        const char *colon = strchr(s + 10, ':');
        char asn[8], *end;
        uint64_t as;
        double bw;

        if (colon == NULL || colon == s + 10 || (size_t)(colon - s - 10) >= sizeof(asn))
            return gr_fail(c, word, "invalid '%s': expected bandwidth:<asn>:<bytes/s>", s);
        memcpy(asn, s + 10, (size_t)(colon - s - 10));
        asn[colon - s - 10] = '\0';
        bw = strtod(colon + 1, &end);
        if (!gr_parse_dec(asn, UINT16_MAX, &as) || *end != '\0' || colon[1] == '\0' ||
            !isfinite(bw) || bw < 0 || bw > 3.4e38)
            return gr_fail(c, word, "invalid '%s': expected bandwidth:<asn16>:<bytes/s>", s);
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_LINK_BANDWIDTH;
        GR_NEW(c, e->link_bandwidth, bgpbus__v1__link_bandwidth__init);
        e->link_bandwidth->asn = (uint32_t)as;
        e->link_bandwidth->bandwidth = (float)bw;
        e->link_bandwidth->has_asn = e->link_bandwidth->has_bandwidth = 1;
    } else if (strncmp(s, "encap:", 6) == 0) {
        uint64_t t;

        /* RFC 9012 4.1: the tunnel type is 16 bits. */
        if (!gr_parse_dec(s + 6, UINT16_MAX, &t))
            return gr_fail(c, word, "invalid '%s': expected encap:<tunnel type>", s);
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ENCAPSULATION;
        GR_NEW(c, e->encapsulation, bgpbus__v1__encapsulation__init);
        e->encapsulation->tunnel_type = (uint32_t)t;
        e->encapsulation->has_tunnel_type = 1;
    } else if (strchr(s, ':') != NULL && (s[0] >= '0' && s[0] <= '9')) {
        /* SPEC 2.4: a bare <a>:<b> is a route target. */
        e->typed_case = BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET;
        if (gr_parse_admin(c, word, s, &e->route_target) < 0)
            return -1;
    } else {
        return gr_fail(c, word, "expected an extended community, got '%s'", s);
    }
    return gr_ext_append(c, a, e);
}

int
gr_take_ext_communities(struct gr_ctx *c, Bgpbus__V1__Attributes *a)
{
    return gr_list(c, "extended community", a, gr_ext_one);
}
