/*
 * Labeled unicast (RFC 8277, AFI 1/2 SAFI 4) and BGP/MPLS IP VPN (RFC 4364 4.3.4, RFC 4659 3.2,
 * AFI 1/2 SAFI 128) NLRI:
 *
 *   length (bits) | label stack (3 octets each) | [RD, 8 octets] | prefix
 *
 * In struct nlri, addr/len hold the prefix alone and raw points at the label stack followed by
 * the RD (contiguous on the wire, so a decoded NLRI points into the message). Identity is the RD
 * and the prefix: labels belong to the advertisement, not to the route (RFC 8277 2.4).
 */
#include "nlri_vpn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define VPN_LABEL_LEN      3
#define VPN_RD_LEN         8
/* RFC 8277 2.4 / RFC 3107 3: the label field of a withdrawal may hold 0x800000 (or 0). */
#define VPN_LABEL_WITHDRAW 0x800000u
/* RFC 3032 2.1: the bottom-of-stack bit of a label field */
#define VPN_LABEL_BOTTOM   1u

bool
nlri_vpn_family(enum bgp_family fam)
{
    return fam == BGP_FAM_IPV4_VPN || fam == BGP_FAM_IPV6_VPN;
}

static size_t
vpn_rd_len(enum bgp_family fam)
{
    return nlri_vpn_family(fam) ? VPN_RD_LEN : 0;
}

static bool
nlri_vpn_decode(struct wire_rd *r, enum bgp_family fam, struct nlri *out, struct arena *a)
{
    unsigned abits = bgp_family_addr_len(fam) * 8;
    size_t rd = vpn_rd_len(fam), nlabels = 0, nbytes;
    const uint8_t *start = r->p, *ref;
    uint8_t bits;
    unsigned left;

    (void)a;
    if (!wire_get_u8(r, &bits))
        return false;
    left = bits;
    /* RFC 8277 2.2: labels up to the one with the bottom-of-stack bit; a withdrawal's
     * compatibility value (0x800000, or 0) ends the stack too (RFC 8277 2.4). */
    for (;;) {
        const uint8_t *l;
        uint32_t v;

        if (left < VPN_LABEL_LEN * 8 || !wire_get_ref(r, VPN_LABEL_LEN, &l))
            return false;
        left -= VPN_LABEL_LEN * 8;
        nlabels++;
        v = (uint32_t)l[0] << 16 | (uint32_t)l[1] << 8 | l[2];
        if ((v & 1u) != 0 || v == VPN_LABEL_WITHDRAW || v == 0)
            break;
    }
    /* RFC 7606 5.3: a length that cannot hold the RD and a prefix of the family is malformed. */
    if (left < rd * 8 || left - rd * 8 > abits || !wire_skip(r, rd))
        return false;
    left -= (unsigned)rd * 8;
    nbytes = (left + 7u) / 8;
    memset(out->addr, 0, sizeof(out->addr));
    if (!wire_get_ref(r, nbytes, &ref))
        return false;
    if (nbytes > 0)
        memcpy(out->addr, ref, nbytes);
    if (left % 8 != 0)
        out->addr[nbytes - 1] &= (uint8_t)(0xffu << (8 - left % 8));
    out->len = (uint16_t)left;
    out->raw = start + 1;
    out->raw_len = (uint16_t)(nlabels * VPN_LABEL_LEN + rd);
    return true;
}

static size_t
nlri_vpn_encoded_len(const struct nlri *n)
{
    return 1u + n->raw_len + (n->len + 7u) / 8;
}

static void
nlri_vpn_encode(const struct nlri *n, struct wire_wr *w)
{
    wire_put_u8(w, (uint8_t)(n->raw_len * 8u + n->len));
    wire_put_bytes(w, n->raw, n->raw_len);
    wire_put_bytes(w, n->addr, (n->len + 7u) / 8);
}

/* The RD, or NULL for labeled unicast. */
static const uint8_t *
vpn_rd(const struct nlri *n)
{
    if (!nlri_vpn_family((enum bgp_family)n->fam) || n->raw_len < VPN_RD_LEN)
        return NULL;
    return n->raw + n->raw_len - VPN_RD_LEN;
}

static int
nlri_vpn_compare(const struct nlri *a, const struct nlri *b)
{
    const uint8_t *ra = vpn_rd(a), *rb = vpn_rd(b);
    int c;

    if (ra != NULL && rb != NULL && (c = memcmp(ra, rb, VPN_RD_LEN)) != 0)
        return c;
    c = memcmp(a->addr, b->addr, sizeof(a->addr));
    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

static uint32_t
nlri_vpn_hash(const struct nlri *n)
{
    const uint8_t *rd = vpn_rd(n);
    uint32_t h = 2166136261u;

    for (size_t i = 0; rd != NULL && i < VPN_RD_LEN; i++)
        h = (h ^ rd[i]) * 16777619u;
    for (size_t i = 0; i < (n->len + 7u) / 8; i++)
        h = (h ^ n->addr[i]) * 16777619u;
    return (h ^ n->len) * 16777619u;
}

int
nlri_vpn_rd_format(const uint8_t rd[8], char *buf, size_t size)
{
    uint16_t type = wire_load_u16(rd);

    /* RFC 4364 4.2: type 0 asn2:u32, type 1 ipv4:u16, type 2 asn4:u16. */
    switch (type) {
    case 0: return snprintf(buf, size, "%u:%u", wire_load_u16(rd + 2), wire_load_u32(rd + 4));
    case 1:
        return snprintf(buf, size, "%u.%u.%u.%u:%u", rd[2], rd[3], rd[4], rd[5],
                        wire_load_u16(rd + 6));
    case 2: return snprintf(buf, size, "%u:%u", wire_load_u32(rd + 2), wire_load_u16(rd + 6));
    default:
        return snprintf(buf, size, "0x%02x%02x%02x%02x%02x%02x%02x%02x", rd[0], rd[1], rd[2], rd[3],
                        rd[4], rd[5], rd[6], rd[7]);
    }
}

/* ExaBGP's route spelling: "10.0.0.0/24 label 100 rd 65000:1" (labels as [ a b ] when many). */
static int
nlri_vpn_format(const struct nlri *n, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN], rdtext[48];
    const uint8_t *rd = vpn_rd(n);
    size_t nlabels = (n->raw_len - (rd != NULL ? VPN_RD_LEN : 0)) / VPN_LABEL_LEN;
    int af = bgp_family_addr_len((enum bgp_family)n->fam) == 4 ? AF_INET : AF_INET6;
    char labels[96];
    size_t o = 0;

    if (inet_ntop(af, n->addr, text, sizeof(text)) == NULL)
        snprintf(text, sizeof(text), "?");
    labels[0] = '\0';
    for (size_t i = 0; i < nlabels && o < sizeof(labels); i++) {
        const uint8_t *l = n->raw + i * VPN_LABEL_LEN;
        uint32_t v = ((uint32_t)l[0] << 16 | (uint32_t)l[1] << 8 | l[2]) >> 4;
        int k = snprintf(labels + o, sizeof(labels) - o, "%s%u", i ? " " : "", v);

        if (k < 0)
            break;
        o += (size_t)k;
    }
    if (rd != NULL)
        nlri_vpn_rd_format(rd, rdtext, sizeof(rdtext));
    return snprintf(buf, size, "%s/%u label %s%s%s%s%s", text, n->len, nlabels > 1 ? "[ " : "",
                    labels, nlabels > 1 ? " ]" : "", rd != NULL ? " rd " : "",
                    rd != NULL ? rdtext : "");
}

const struct nlri_ops nlri_ops_vpn = {
    .decode = nlri_vpn_decode,
    .encoded_len = nlri_vpn_encoded_len,
    .encode = nlri_vpn_encode,
    .compare = nlri_vpn_compare,
    .hash = nlri_vpn_hash,
    .format = nlri_vpn_format,
};

/*
 * RFC 8277 2.4: a withdrawal has one 3-octet Compatibility field where the announcement had the
 * label stack, and BIRD 2.0 reads exactly one: the rest of a stack becomes prefix bytes ("Invalid
 * network field"; tests/interop/interop_lu.sh). ExaBGP 4.2 and GoBGP 3.10 send the whole stack
 * here; we do not. The field kept is the bottom label: it ends the stack for receivers that read
 * up to the bottom-of-stack bit (GoBGP 3.10, FRR 8.4, ExaBGP 4.2, nlri_vpn_decode) and, for one
 * label, it is what ExaBGP 4.2 sends (the announced label, not the RFC's 0x800000), so
 * single-label withdrawals keep ExaBGP's bytes. The bottom label and the RD are contiguous: no
 * copy is needed.
 */
struct nlri
nlri_vpn_withdrawal(const struct nlri *n)
{
    struct nlri w = *n;
    size_t rd, nlabels;

    if (n->fam < 0 || n->fam >= BGP_FAM_COUNT || bgp_family_table[n->fam].ops != &nlri_ops_vpn)
        return w;
    rd = vpn_rd(n) != NULL ? VPN_RD_LEN : 0;
    nlabels = (n->raw_len - rd) / VPN_LABEL_LEN;
    if (nlabels > 1) {
        w.raw = n->raw + (nlabels - 1) * VPN_LABEL_LEN;
        w.raw_len = (uint16_t)(n->raw_len - (nlabels - 1) * VPN_LABEL_LEN);
    }
    return w;
}

/* ---- the contract (bgpbus.v1) -------------------------------------------------------------- */

static const char *
vpn_rd_from(const Bgpbus__V1__RouteDistinguisher *m, uint8_t out[8])
{
    if (m == NULL)
        return "VPN route without route-distinguisher";
    switch (m->admin_case) {
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2:
        if (m->asn2 > UINT16_MAX)
            return "route-distinguisher: AS number above 65535 in a type 0 RD";
        wire_store_u16(out, 0);
        wire_store_u16(out + 2, (uint16_t)m->asn2);
        wire_store_u32(out + 4, m->assigned);
        return NULL;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4:
        if (m->ipv4.len != 4 || m->assigned > UINT16_MAX)
            return "route-distinguisher: type 1 needs an IPv4 address and a 16-bit number";
        wire_store_u16(out, 1);
        memcpy(out + 2, m->ipv4.data, 4);
        wire_store_u16(out + 6, (uint16_t)m->assigned);
        return NULL;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4:
        if (m->assigned > UINT16_MAX)
            return "route-distinguisher: type 2 needs a 16-bit number";
        wire_store_u16(out, 2);
        wire_store_u32(out + 2, m->asn4);
        wire_store_u16(out + 6, (uint16_t)m->assigned);
        return NULL;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_RAW:
        if (m->raw.len != 8)
            return "route-distinguisher: raw form must be 8 octets";
        memcpy(out, m->raw.data, 8);
        return NULL;
    default: return "route-distinguisher without a value";
    }
}

const char *
nlri_vpn_from_proto(const Bgpbus__V1__Prefix *pf, const Bgpbus__V1__LabelStack *ls,
                    const Bgpbus__V1__RouteDistinguisher *rdm, bool vpn, struct arena *a,
                    struct nlri *out)
{
    size_t nlabels = 0, rd = vpn ? VPN_RD_LEN : 0;
    uint8_t *raw;
    const char *err;

    if (pf == NULL || !pf->has_address || (pf->address.len != 4 && pf->address.len != 16))
        return "prefix address must be 4 or 16 octets";
    unsigned max = (unsigned)pf->address.len * 8;
    if (!pf->has_length || pf->length > max)
        return "invalid prefix length";
    bool v4 = pf->address.len == 4;
    out->fam = (int8_t)(vpn ? (v4 ? BGP_FAM_IPV4_VPN : BGP_FAM_IPV6_VPN)
                            : (v4 ? BGP_FAM_IPV4_LABELED : BGP_FAM_IPV6_LABELED));
    out->len = (uint16_t)pf->length;
    memcpy(out->addr, pf->address.data, pf->address.len);
    for (unsigned bit = pf->length; bit < max; bit++)
        if (out->addr[bit / 8] & (0x80 >> (bit % 8)))
            return "host bits set in prefix (not a network address)";
    if (ls != NULL)
        nlabels = ls->n_raw > 0 ? ls->n_raw : ls->n_labels;
    if (ls != NULL && ls->n_raw > 0 && ls->n_labels > 0 && ls->n_labels != ls->n_raw)
        return "label stack: raw and labels differ in count";
    /* The length octet counts labels, RD and prefix in bits (RFC 8277 2.2): 255 at most. */
    if (nlabels * VPN_LABEL_LEN * 8 + rd * 8 + pf->length > 255)
        return "label stack too deep for the NLRI length field";
    /* No label given (`announce vpnv4 P next-hop X rd RD`): ExaBGP 4.2 sends the withdrawal
     * compatibility value 0x800000 (RFC 8277 2.4), without the bottom-of-stack bit.  In an
     * announcement the stack then never ends: BIRD, OpenBGPD and ExaBGP itself read the RD as
     * more labels and file a bogus route (tests/interop/interop_vpn.sh).  The same label value
     * with S set (RFC 3032 2.1) keeps ExaBGP's label and ends the stack. */
    raw = arena_alloc(a, (nlabels ? nlabels : 1) * VPN_LABEL_LEN + rd);
    if (raw == NULL)
        return "out of memory";
    for (size_t i = 0; i < nlabels; i++) {
        uint32_t v;

        if (ls->n_raw > 0) {
            v = ls->raw[i];
            if (v > 0xffffffu)
                return "label stack: a raw label field is 24 bits";
        } else {
            if (ls->labels[i] > 0xfffffu)
                return "label above 1048575 (20 bits)";
            /* RFC 3032 2.1: S on the bottom label, TC 0. */
            v = ls->labels[i] << 4 | (i + 1 == nlabels ? 1u : 0u);
        }
        raw[i * 3] = (uint8_t)(v >> 16);
        raw[i * 3 + 1] = (uint8_t)(v >> 8);
        raw[i * 3 + 2] = (uint8_t)v;
    }
    if (nlabels == 0) {
        raw[0] = (uint8_t)(VPN_LABEL_WITHDRAW >> 16);
        raw[1] = 0;
        raw[2] = VPN_LABEL_BOTTOM;
        nlabels = 1;
    }
    if (vpn && (err = vpn_rd_from(rdm, raw + nlabels * VPN_LABEL_LEN)) != NULL)
        return err;
    out->raw = raw;
    out->raw_len = (uint16_t)(nlabels * VPN_LABEL_LEN + rd);
    return NULL;
}

Bgpbus__V1__RouteDistinguisher *
nlri_vpn_rd_to_proto(struct arena *a, const uint8_t *rd)
{
    Bgpbus__V1__RouteDistinguisher *m = arena_alloc(a, sizeof(*m));

    if (m == NULL)
        return NULL;
    bgpbus__v1__route_distinguisher__init(m);
    switch (wire_load_u16(rd)) {
    case 0:
        m->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2;
        m->asn2 = wire_load_u16(rd + 2);
        m->has_assigned = true;
        m->assigned = wire_load_u32(rd + 4);
        break;
    case 1:
        m->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4;
        m->ipv4.data = (uint8_t *)rd + 2;
        m->ipv4.len = 4;
        m->has_assigned = true;
        m->assigned = wire_load_u16(rd + 6);
        break;
    case 2:
        m->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4;
        m->asn4 = wire_load_u32(rd + 2);
        m->has_assigned = true;
        m->assigned = wire_load_u16(rd + 6);
        break;
    default:
        m->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_RAW;
        m->raw.data = (uint8_t *)rd;
        m->raw.len = VPN_RD_LEN;
        break;
    }
    return m;
}

bool
nlri_vpn_to_proto(struct arena *a, const struct nlri *n, Bgpbus__V1__Nlri *m)
{
    const uint8_t *rd = vpn_rd(n);
    size_t nlabels = (n->raw_len - (rd != NULL ? VPN_RD_LEN : 0)) / VPN_LABEL_LEN;
    Bgpbus__V1__Prefix *pf = arena_alloc(a, sizeof(*pf));
    Bgpbus__V1__LabelStack *ls = arena_alloc(a, sizeof(*ls));
    uint32_t *labels = arena_calloc(a, nlabels ? nlabels : 1, sizeof(*labels));
    uint32_t *raw = arena_calloc(a, nlabels ? nlabels : 1, sizeof(*raw));

    if (pf == NULL || ls == NULL || labels == NULL || raw == NULL)
        return false;
    bgpbus__v1__prefix__init(pf);
    pf->has_address = true;
    pf->address.data = (uint8_t *)n->addr;
    pf->address.len = bgp_family_addr_len((enum bgp_family)n->fam);
    pf->has_length = true;
    pf->length = n->len;
    bgpbus__v1__label_stack__init(ls);
    for (size_t i = 0; i < nlabels; i++) {
        const uint8_t *l = n->raw + i * VPN_LABEL_LEN;

        raw[i] = (uint32_t)l[0] << 16 | (uint32_t)l[1] << 8 | l[2];
        labels[i] = raw[i] >> 4;
    }
    ls->n_labels = ls->n_raw = nlabels;
    ls->labels = labels;
    ls->raw = raw;
    if (rd != NULL) {
        Bgpbus__V1__VpnPrefix *v = arena_alloc(a, sizeof(*v));

        if (v == NULL)
            return false;
        bgpbus__v1__vpn_prefix__init(v);
        v->prefix = pf;
        v->labels = ls;
        v->rd = nlri_vpn_rd_to_proto(a, rd);
        if (v->rd == NULL)
            return false;
        m->nlri_case = BGPBUS__V1__NLRI__NLRI_VPN;
        m->vpn = v;
    } else {
        Bgpbus__V1__LabeledPrefix *lp = arena_alloc(a, sizeof(*lp));

        if (lp == NULL)
            return false;
        bgpbus__v1__labeled_prefix__init(lp);
        lp->prefix = pf;
        lp->labels = ls;
        m->nlri_case = BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST;
        m->labeled_unicast = lp;
    }
    return true;
}
