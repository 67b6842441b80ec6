/*
 * VPLS NLRI (RFC 4761 3.2.2; AFI 25 SAFI 65):
 *
 *   length (2 octets, 17) | RD (8) | VE ID (2) | VE Block Offset (2) | VE Block Size (2) |
 *   Label Base (3: 20-bit label, bottom-of-stack bit set)
 *
 * In struct nlri, raw points at the 19 octets, length included. Identity is the RD, the VE ID
 * and the block offset: one VE advertises one label block per offset (RFC 4761 3.2.2), and a
 * block re-announced with another size or label base replaces the old one.
 */
#include "nlri_vpls.h"
#include "nlri_vpn.h"
#include "l2vpn_wire.h"

#include <stdio.h>
#include <string.h>

#define VPLS_VALUE_LEN 17
#define VPLS_LEN       (2 + VPLS_VALUE_LEN)
#define VPLS_KEY_OFF   2  /* the RD */
#define VPLS_KEY_LEN   12 /* RD, VE ID, VE Block Offset */

static bool
nlri_vpls_decode(struct wire_rd *r, enum bgp_family fam, struct nlri *out, struct arena *a)
{
    const uint8_t *start = r->p;
    uint16_t len;

    (void)fam;
    (void)a;
    /* RFC 7606 5.3: another length cannot be a VPLS NLRI, and the rest cannot be found. */
    if (!wire_get_u16(r, &len) || len != VPLS_VALUE_LEN || !wire_skip(r, VPLS_VALUE_LEN))
        return false;
    out->raw = start;
    out->raw_len = VPLS_LEN;
    return true;
}

static size_t
nlri_vpls_encoded_len(const struct nlri *n)
{
    return n->raw_len;
}

static void
nlri_vpls_encode(const struct nlri *n, struct wire_wr *w)
{
    wire_put_bytes(w, n->raw, n->raw_len);
}

static int
nlri_vpls_compare(const struct nlri *a, const struct nlri *b)
{
    return memcmp(a->raw + VPLS_KEY_OFF, b->raw + VPLS_KEY_OFF, VPLS_KEY_LEN);
}

static uint32_t
nlri_vpls_hash(const struct nlri *n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < VPLS_KEY_LEN; i++)
        h = (h ^ n->raw[VPLS_KEY_OFF + i]) * 16777619u;
    return h;
}

static uint32_t
vpls_label_base(const uint8_t *raw)
{
    return ((uint32_t)raw[16] << 16 | (uint32_t)raw[17] << 8 | raw[18]) >> 4;
}

/* ExaBGP's spelling: "vpls rd 192.168.201.1:123 endpoint 5 base 10702 offset 1 size 8". */
static int
nlri_vpls_format(const struct nlri *n, char *buf, size_t size)
{
    char rd[48];

    nlri_vpn_rd_format(n->raw + 2, rd, sizeof(rd));
    return snprintf(buf, size, "vpls rd %s endpoint %u base %u offset %u size %u", rd,
                    wire_load_u16(n->raw + 10), vpls_label_base(n->raw), wire_load_u16(n->raw + 12),
                    wire_load_u16(n->raw + 14));
}

const struct nlri_ops nlri_ops_vpls = {
    .decode = nlri_vpls_decode,
    .encoded_len = nlri_vpls_encoded_len,
    .encode = nlri_vpls_encode,
    .compare = nlri_vpls_compare,
    .hash = nlri_vpls_hash,
    .format = nlri_vpls_format,
};

/* ---- the contract (bgpbus.v1) -------------------------------------------------------------- */

const char *
nlri_vpls_from_proto(const Bgpbus__V1__VplsNlri *v, struct arena *a, struct nlri *out)
{
    uint32_t base = v != NULL && v->has_label_base ? v->label_base : NLRI_VPLS_DEFAULT_LABEL_BASE;
    const char *why = NULL;
    uint8_t *raw;

    if (v == NULL)
        return "route without NLRI";
    if (v->endpoint > UINT16_MAX || v->offset > UINT16_MAX || v->size > UINT16_MAX)
        return "VPLS endpoint, offset and size are 16-bit numbers";
    /* The block's labels are base .. base + size - 1, all within 20 bits (as ExaBGP checks). */
    if (base > 0xfffffu || base + v->size - (v->size > 0) > 0xfffffu)
        return "VPLS label base and block size overflow 20 bits";
    raw = arena_alloc(a, VPLS_LEN);
    if (raw == NULL)
        return "out of memory";
    wire_store_u16(raw, VPLS_VALUE_LEN);
    if (!l2vpn_rd_encode(v->rd, raw + 2, &why))
        return why;
    wire_store_u16(raw + 10, (uint16_t)v->endpoint);
    wire_store_u16(raw + 12, (uint16_t)v->offset);
    wire_store_u16(raw + 14, (uint16_t)v->size);
    /* RFC 4761 3.2.2 leaves the low nibble to RFC 3032: S set, as ExaBGP and GoBGP send it. */
    raw[16] = (uint8_t)(base >> 12);
    raw[17] = (uint8_t)(base >> 4);
    raw[18] = (uint8_t)(base << 4 | 1u);
    out->fam = (int8_t)BGP_FAM_L2VPN_VPLS;
    out->raw = raw;
    out->raw_len = VPLS_LEN;
    return NULL;
}

Bgpbus__V1__VplsNlri *
nlri_vpls_to_proto(struct arena *a, const struct nlri *n)
{
    Bgpbus__V1__VplsNlri *v = arena_alloc(a, sizeof(*v));

    if (v == NULL)
        return NULL;
    bgpbus__v1__vpls_nlri__init(v);
    v->rd = nlri_vpn_rd_to_proto(a, n->raw + 2);
    if (v->rd == NULL)
        return NULL;
    v->has_endpoint = v->has_offset = v->has_size = v->has_label_base = true;
    v->endpoint = wire_load_u16(n->raw + 10);
    v->offset = wire_load_u16(n->raw + 12);
    v->size = wire_load_u16(n->raw + 14);
    v->label_base = vpls_label_base(n->raw);
    return v;
}
