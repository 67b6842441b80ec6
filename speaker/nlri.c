#include "nlri.h"
#include "nlri_vpn.h"
#include "nlri_flow.h"
#include "nlri_evpn.h"
#include "nlri_vpls.h"

#include <stdio.h>
#include <string.h>

/* clang-format off */
const struct bgp_family_desc bgp_family_table[BGP_FAM_COUNT] = {
    [BGP_FAM_IPV4_UNICAST]   = { BGP_AFI_IPV4,  BGP_SAFI_UNICAST,   "ipv4 unicast",   &nlri_ops_ip },
    [BGP_FAM_IPV4_MULTICAST] = { BGP_AFI_IPV4,  BGP_SAFI_MULTICAST, "ipv4 multicast", &nlri_ops_ip },
    [BGP_FAM_IPV6_UNICAST]   = { BGP_AFI_IPV6,  BGP_SAFI_UNICAST,   "ipv6 unicast",   &nlri_ops_ip },
    [BGP_FAM_IPV6_MULTICAST] = { BGP_AFI_IPV6,  BGP_SAFI_MULTICAST, "ipv6 multicast", &nlri_ops_ip },
    [BGP_FAM_IPV4_LABELED]   = { BGP_AFI_IPV4,  BGP_SAFI_LABELED,   "ipv4 nlri-mpls", &nlri_ops_vpn },
    [BGP_FAM_IPV6_LABELED]   = { BGP_AFI_IPV6,  BGP_SAFI_LABELED,   "ipv6 nlri-mpls", &nlri_ops_vpn },
    [BGP_FAM_IPV4_VPN]       = { BGP_AFI_IPV4,  BGP_SAFI_VPN,       "ipv4 mpls-vpn",  &nlri_ops_vpn },
    [BGP_FAM_IPV6_VPN]       = { BGP_AFI_IPV6,  BGP_SAFI_VPN,       "ipv6 mpls-vpn",  &nlri_ops_vpn },
    [BGP_FAM_IPV4_FLOW]      = { BGP_AFI_IPV4,  BGP_SAFI_FLOW,      "ipv4 flow",      &nlri_ops_flow },
    [BGP_FAM_IPV6_FLOW]      = { BGP_AFI_IPV6,  BGP_SAFI_FLOW,      "ipv6 flow",      &nlri_ops_flow },
    [BGP_FAM_IPV4_FLOW_VPN]  = { BGP_AFI_IPV4,  BGP_SAFI_FLOW_VPN,  "ipv4 flow-vpn",  &nlri_ops_flow },
    [BGP_FAM_IPV6_FLOW_VPN]  = { BGP_AFI_IPV6,  BGP_SAFI_FLOW_VPN,  "ipv6 flow-vpn",  &nlri_ops_flow },
    [BGP_FAM_L2VPN_VPLS]     = { BGP_AFI_L2VPN, BGP_SAFI_VPLS,      "l2vpn vpls",     &nlri_ops_vpls },
    [BGP_FAM_L2VPN_EVPN]     = { BGP_AFI_L2VPN, BGP_SAFI_EVPN,      "l2vpn evpn",     &nlri_ops_evpn },
};
/* clang-format on */

enum bgp_family
bgp_family_from(uint16_t afi, uint8_t safi)
{
    for (int f = 0; f < BGP_FAM_COUNT; f++)
        if (bgp_family_table[f].afi == afi && bgp_family_table[f].safi == safi)
            return (enum bgp_family)f;
    return BGP_FAM_NONE;
}

const char *
bgp_family_name(enum bgp_family f)
{
    if (f < 0 || f >= BGP_FAM_COUNT)
        return "unknown";
    return bgp_family_table[f].name;
}

enum bgp_family
bgp_family_parse(const char *s)
{
    for (int f = 0; f < BGP_FAM_COUNT; f++) {
        const char *name = bgp_family_table[f].name;
        size_t sp = strcspn(name, " ");

        if (strncmp(s, name, sp) == 0 && (s[sp] == ' ' || s[sp] == '/') &&
            strcmp(s + sp + 1, name + sp + 1) == 0)
            return (enum bgp_family)f;
    }
    return BGP_FAM_NONE;
}

unsigned
bgp_family_addr_len(enum bgp_family f)
{
    if (f < 0 || f >= BGP_FAM_COUNT)
        return 0;
    switch (bgp_family_table[f].afi) {
    case BGP_AFI_IPV4: return 4;
    case BGP_AFI_IPV6: return 16;
    default: return 0;
    }
}

bool
nlri_decode_field(const uint8_t *buf, size_t len, enum bgp_family fam, bool add_path,
                  struct arena *a, struct nlri **out, size_t *count)
{
    const struct nlri_ops *ops;
    struct wire_rd r;
    struct nlri *v = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    *count = 0;
    if (len == 0)
        return true;
    if (fam < 0 || fam >= BGP_FAM_COUNT)
        return false;
    ops = bgp_family_table[fam].ops;
    if (ops == NULL) {
        /* No codec for this family yet: keep the field whole, as one opaque entry. */
        if (len > UINT16_MAX)
            return false;
        v = arena_alloc(a, sizeof(*v));
        if (v == NULL)
            return false;
        v->fam = (int8_t)fam;
        v->raw = buf;
        v->raw_len = (uint16_t)len;
        *out = v;
        *count = 1;
        return true;
    }
    /* Two passes: count (and validate) first, so the arena array is exact. */
    for (int pass = 0; pass < 2; pass++) {
        struct nlri tmp;

        if (pass == 1) {
            cap = n;
            v = arena_calloc(a, cap, sizeof(*v));
            if (v == NULL)
                return false;
            n = 0;
        }
        wire_rd_init(&r, buf, len);
        while (wire_rd_left(&r) > 0) {
            struct nlri *e = pass == 1 ? &v[n] : &tmp;

            if (pass == 1 && n == cap)
                return false;
            memset(e, 0, sizeof(*e));
            e->fam = (int8_t)fam;
            if (add_path) {
                if (!wire_get_u32(&r, &e->path_id))
                    return false;
                e->has_path_id = true;
            }
            if (!ops->decode(&r, fam, e, a))
                return false;
            n++;
        }
    }
    *out = v;
    *count = n;
    return true;
}

size_t
nlri_encoded_len(const struct nlri *n, bool add_path)
{
    const struct nlri_ops *ops =
        n->fam >= 0 && n->fam < BGP_FAM_COUNT ? bgp_family_table[n->fam].ops : NULL;

    /* Opaque NLRI are written verbatim: path ids, if any, are inside. */
    if (ops == NULL)
        return n->raw_len;
    return (add_path ? 4 : 0) +
           (ops->encoded_len != NULL ? ops->encoded_len(n) : 1 + (n->len + 7u) / 8);
}

void
nlri_encode(const struct nlri *n, bool add_path, struct wire_wr *w)
{
    const struct nlri_ops *ops =
        n->fam >= 0 && n->fam < BGP_FAM_COUNT ? bgp_family_table[n->fam].ops : NULL;

    if (ops == NULL) {
        wire_put_bytes(w, n->raw, n->raw_len);
        return;
    }
    if (add_path)
        wire_put_u32(w, n->path_id);
    ops->encode(n, w);
}

static int
nlri_raw_compare(const struct nlri *a, const struct nlri *b)
{
    size_t l = a->raw_len < b->raw_len ? a->raw_len : b->raw_len;
    int c = l ? memcmp(a->raw, b->raw, l) : 0;

    if (c != 0)
        return c;
    return (a->raw_len > b->raw_len) - (a->raw_len < b->raw_len);
}

int
nlri_compare(const struct nlri *a, const struct nlri *b)
{
    const struct nlri_ops *ops;

    if (a->fam != b->fam)
        return a->fam < b->fam ? -1 : 1;
    if (a->path_id != b->path_id)
        return a->path_id < b->path_id ? -1 : 1;
    ops = a->fam >= 0 && a->fam < BGP_FAM_COUNT ? bgp_family_table[a->fam].ops : NULL;
    if (ops == NULL)
        return nlri_raw_compare(a, b);
    return ops->compare(a, b);
}

/* FNV-1a, enough to spread prefixes over hash buckets. */
static uint32_t
nlri_fnv(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

uint32_t
nlri_hash(const struct nlri *n)
{
    const struct nlri_ops *ops =
        n->fam >= 0 && n->fam < BGP_FAM_COUNT ? bgp_family_table[n->fam].ops : NULL;
    uint8_t pid[4];
    uint32_t h = 2166136261u;

    wire_store_u32(pid, n->path_id);
    h = nlri_fnv(h, pid, sizeof(pid));
    if (ops == NULL)
        return nlri_fnv(h, n->raw, n->raw_len);
    return h ^ ops->hash(n);
}

int
nlri_format(const struct nlri *n, char *buf, size_t size)
{
    const struct nlri_ops *ops =
        n->fam >= 0 && n->fam < BGP_FAM_COUNT ? bgp_family_table[n->fam].ops : NULL;

    if (ops == NULL) {
        size_t need = 2 + 2 * (size_t)n->raw_len;

        if (size > 0) {
            size_t o = (size_t)snprintf(buf, size, "0x");

            for (size_t i = 0; i < n->raw_len && o + 2 < size; i++)
                o += (size_t)snprintf(buf + o, size - o, "%02x", n->raw[i]);
        }
        return (int)need;
    }
    return ops->format(n, buf, size);
}
