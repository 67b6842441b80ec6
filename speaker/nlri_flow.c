/*
 * FlowSpec NLRI: RFC 8955 (IPv4, and flow-vpn with a route distinguisher, section 8) and
 * RFC 8956 (IPv6). See nlri_flow.h for how a rule is held.
 */
#include "nlri_flow.h"

#include "exa_flow.h"

#include <stdio.h>
#include <string.h>

/* RFC 8955 4.2.1.1 / 4.2.1.2: the operator byte. */
#define FLOW_OP_END   0x80 /* e: last term of the component */
#define FLOW_OP_AND   0x40 /* a: AND with the previous term */
#define FLOW_OP_LEN   0x30 /* len: value is 1 << len octets */
#define FLOW_OP_LT    0x04 /* numeric */
#define FLOW_OP_GT    0x02
#define FLOW_OP_EQ    0x01
#define FLOW_OP_NOT   0x02 /* bitmask */
#define FLOW_OP_MATCH 0x01

#define FLOW_RD_LEN 8

/* The highest component type this speaker knows (RFC 8956 3.7, flow label, IPv6 only). */
#define FLOW_TYPE_MAX 13

enum flow_kind { FLOW_UNKNOWN, FLOW_PREFIX, FLOW_NUMERIC, FLOW_BITMASK };

/* RFC 8955 4.2.2, RFC 8956 3. */
static enum flow_kind
flow_kind(unsigned type, unsigned alen)
{
    switch (type) {
    case 1:
    case 2: return FLOW_PREFIX;
    case 9:
    case 12: return FLOW_BITMASK;
    case 13: return alen == 16 ? FLOW_NUMERIC : FLOW_UNKNOWN;
    default: return type >= 3 && type <= 11 ? FLOW_NUMERIC : FLOW_UNKNOWN;
    }
}

static bool
flow_is_vpn(enum bgp_family fam)
{
    return fam == BGP_FAM_IPV4_FLOW_VPN || fam == BGP_FAM_IPV6_FLOW_VPN;
}

/* ---- wire -> contract ------------------------------------------------------------------------ */

/* The address bits [offset, plen) of a prefix component are the pattern's first bits
 * (RFC 8956 3.1; for IPv4 and IPv6 offset 0 the pattern is the prefix itself). */
static void
flow_pattern_to_addr(const uint8_t *pat, unsigned offset, unsigned plen, uint8_t addr[16])
{
    memset(addr, 0, 16);
    for (unsigned i = 0; i < plen - offset; i++)
        if (pat[i / 8] & (0x80u >> (i % 8)))
            addr[(offset + i) / 8] |= (uint8_t)(0x80u >> ((offset + i) % 8));
}

static void
flow_addr_to_pattern(const uint8_t *addr, unsigned offset, unsigned plen, uint8_t pat[16])
{
    memset(pat, 0, 16);
    for (unsigned i = 0; i < plen - offset; i++)
        if (addr[(offset + i) / 8] & (0x80u >> ((offset + i) % 8)))
            pat[i / 8] |= (uint8_t)(0x80u >> (i % 8));
}

static Bgpbus__V1__FlowSpecNumericOp
flow_numeric_op(uint8_t op)
{
    switch (op & (FLOW_OP_LT | FLOW_OP_GT | FLOW_OP_EQ)) {
    case FLOW_OP_EQ: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ;
    case FLOW_OP_GT: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GT;
    case FLOW_OP_GT | FLOW_OP_EQ: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GE;
    case FLOW_OP_LT: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LT;
    case FLOW_OP_LT | FLOW_OP_EQ: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LE;
    case FLOW_OP_LT | FLOW_OP_GT: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_NE;
    case FLOW_OP_LT | FLOW_OP_GT | FLOW_OP_EQ:
        return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_TRUE;
    default: return BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_FALSE;
    }
}

/* Reads the terms of a numeric or bitmask component; builds them into *num / *bm when given. */
static bool
flow_read_terms(struct wire_rd *r, enum flow_kind kind, struct arena *a,
                Bgpbus__V1__FlowSpecNumeric *num, Bgpbus__V1__FlowSpecBitmask *bm)
{
    const uint8_t *start = r->p;
    size_t nterms = 0;
    uint8_t op;

    /* First pass: validate and count; the terms end at the first operator with the e bit. */
    do {
        if (!wire_get_u8(r, &op) || !wire_skip(r, 1u << ((op & FLOW_OP_LEN) >> 4)))
            return false; /* RFC 8955 4.2: a component running past the NLRI is malformed */
        nterms++;
    } while (!(op & FLOW_OP_END));
    if (num == NULL && bm == NULL)
        return true;

    struct wire_rd t;
    wire_rd_init(&t, start, (size_t)(r->p - start));
    void **terms = arena_calloc(a, nterms, sizeof(void *));
    if (terms == NULL)
        return false;
    for (size_t i = 0; i < nterms; i++) {
        unsigned vlen;
        uint64_t v = 0;
        uint8_t b = 0;

        (void)wire_get_u8(&t, &op);
        vlen = 1u << ((op & FLOW_OP_LEN) >> 4);
        for (unsigned k = 0; k < vlen; k++) {
            (void)wire_get_u8(&t, &b);
            v = v << 8 | b;
        }
        if (kind == FLOW_NUMERIC) {
            Bgpbus__V1__FlowSpecNumericTerm *nt = arena_alloc(a, sizeof(*nt));
            if (nt == NULL)
                return false;
            bgpbus__v1__flow_spec_numeric_term__init(nt);
            nt->has_and_previous = nt->and_previous = i > 0 && (op & FLOW_OP_AND);
            nt->has_op = true;
            nt->op = flow_numeric_op(op);
            nt->has_value = true;
            nt->value = v;
            nt->has_length = true;
            nt->length = vlen;
            terms[i] = nt;
        } else {
            Bgpbus__V1__FlowSpecBitmaskTerm *bt = arena_alloc(a, sizeof(*bt));
            if (bt == NULL)
                return false;
            bgpbus__v1__flow_spec_bitmask_term__init(bt);
            bt->has_and_previous = bt->and_previous = i > 0 && (op & FLOW_OP_AND);
            bt->has_match = bt->match = (op & FLOW_OP_MATCH) != 0;
            bt->has_negate = bt->negate = (op & FLOW_OP_NOT) != 0;
            bt->has_bits = true;
            bt->bits = v;
            bt->has_length = true;
            bt->length = vlen;
            terms[i] = bt;
        }
    }
    if (num != NULL) {
        num->n_terms = nterms;
        num->terms = (Bgpbus__V1__FlowSpecNumericTerm **)terms;
    } else {
        bm->n_terms = nterms;
        bm->terms = (Bgpbus__V1__FlowSpecBitmaskTerm **)terms;
    }
    return true;
}

static bool
flow_read_prefix(struct wire_rd *r, unsigned alen, struct arena *a, Bgpbus__V1__FlowSpecPrefix *fp)
{
    uint8_t plen, offset = 0, pat[16];
    unsigned nbytes;

    if (!wire_get_u8(r, &plen) || plen > alen * 8)
        return false;
    /* RFC 8956 3.1: an offset beyond the prefix length leaves no pattern: malformed. */
    if (alen == 16 && (!wire_get_u8(r, &offset) || offset > plen))
        return false;
    nbytes = (plen - offset + 7u) / 8;
    if (!wire_get_bytes(r, pat, nbytes))
        return false;
    if (fp == NULL)
        return true;

    uint8_t addr[16];
    Bgpbus__V1__Prefix *pf = arena_alloc(a, sizeof(*pf));
    if (pf == NULL)
        return false;
    flow_pattern_to_addr(pat, offset, plen, addr);
    bgpbus__v1__prefix__init(pf);
    pf->has_address = true;
    pf->address.data = arena_memdup(a, addr, alen);
    pf->address.len = alen;
    pf->has_length = true;
    pf->length = plen;
    if (pf->address.data == NULL)
        return false;
    fp->prefix = pf;
    if (offset != 0) {
        fp->has_offset = true;
        fp->offset = offset;
    }
    return true;
}

/* Builds one component of the given type into c (allocated in a), reading from r. */
static bool
flow_read_component(struct wire_rd *r, unsigned type, unsigned alen, struct arena *a,
                    Bgpbus__V1__FlowSpecComponent *c)
{
    Bgpbus__V1__FlowSpecPrefix *fp = NULL;
    Bgpbus__V1__FlowSpecNumeric *num = NULL;
    Bgpbus__V1__FlowSpecBitmask *bm = NULL;
    enum flow_kind kind = flow_kind(type, alen);

    if (c != NULL) {
        if (kind == FLOW_PREFIX && (fp = arena_alloc(a, sizeof(*fp))) != NULL)
            bgpbus__v1__flow_spec_prefix__init(fp);
        if (kind == FLOW_NUMERIC && (num = arena_alloc(a, sizeof(*num))) != NULL)
            bgpbus__v1__flow_spec_numeric__init(num);
        if (kind == FLOW_BITMASK && (bm = arena_alloc(a, sizeof(*bm))) != NULL)
            bgpbus__v1__flow_spec_bitmask__init(bm);
        if (fp == NULL && num == NULL && bm == NULL)
            return false;
    }
    if (kind == FLOW_PREFIX ? !flow_read_prefix(r, alen, a, fp)
                            : !flow_read_terms(r, kind, a, num, bm))
        return false;
    if (c == NULL)
        return true;
    /* The oneof's field numbers are the component types (flowspec.proto). */
    c->component_case = (Bgpbus__V1__FlowSpecComponent__ComponentCase)type;
    switch (type) {
    case 1: c->destination = fp; break;
    case 2: c->source = fp; break;
    case 3: c->ip_protocol = num; break;
    case 4: c->port = num; break;
    case 5: c->destination_port = num; break;
    case 6: c->source_port = num; break;
    case 7: c->icmp_type = num; break;
    case 8: c->icmp_code = num; break;
    case 9: c->tcp_flags = bm; break;
    case 10: c->packet_length = num; break;
    case 11: c->dscp = num; break;
    case 12: c->fragment = bm; break;
    case 13: c->flow_label = num; break;
    default: return false;
    }
    return true;
}

/*
 * Walks the components of one rule (the bytes after the length and RD). With m, fills
 * m->components (room for FLOW_TYPE_MAX + 1 entries). False when malformed.
 */
static bool
flow_walk(const uint8_t *p, size_t len, unsigned alen, struct arena *a, Bgpbus__V1__FlowSpecNlri *m)
{
    struct wire_rd r;
    unsigned last = 0;
    uint8_t type = 0;

    wire_rd_init(&r, p, len);
    while (wire_rd_left(&r) > 0) {
        const uint8_t *at = r.p;
        Bgpbus__V1__FlowSpecComponent *c = NULL;

        (void)wire_get_u8(&r, &type);
        /* RFC 8955 4.2: components in strictly increasing type order, else malformed. */
        if (type <= last)
            return false;
        last = type;
        if (m != NULL) {
            c = arena_alloc(a, sizeof(*c));
            if (c == NULL)
                return false;
            bgpbus__v1__flow_spec_component__init(c);
            m->components[m->n_components++] = c;
        }
        if (flow_kind(type, alen) == FLOW_UNKNOWN) {
            /* Where an unknown component ends cannot be told: the rest is kept whole. */
            if (c != NULL) {
                Bgpbus__V1__FlowSpecUnknownComponent *u = arena_alloc(a, sizeof(*u));
                if (u == NULL)
                    return false;
                bgpbus__v1__flow_spec_unknown_component__init(u);
                u->has_type = true;
                u->type = type;
                u->has_data = true;
                u->data.len = (size_t)(p + len - at);
                u->data.data = (uint8_t *)at;
                c->component_case = BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_UNKNOWN;
                c->unknown = u;
            }
            return true;
        }
        if (!flow_read_component(&r, type, alen, a, c))
            return false;
    }
    return true;
}

/* Reads the length (RFC 8955 4.1: one octet below 240, else 0xfnnn in two). */
static bool
flow_get_len(struct wire_rd *r, uint16_t *len, unsigned *hdr)
{
    uint8_t b0, b1;

    if (!wire_get_u8(r, &b0))
        return false;
    if (b0 < 0xf0) {
        *len = b0;
        *hdr = 1;
        return true;
    }
    if (!wire_get_u8(r, &b1))
        return false;
    *len = (uint16_t)((b0 & 0x0fu) << 8 | b1);
    *hdr = 2;
    return true;
}

static bool
nlri_flow_decode(struct wire_rd *r, enum bgp_family fam, struct nlri *out, struct arena *a)
{
    unsigned alen = bgp_family_addr_len(fam), hdr, skip;
    const uint8_t *body;
    uint16_t len;

    if (!flow_get_len(r, &len, &hdr) || !wire_get_ref(r, len, &body))
        return false;
    skip = flow_is_vpn(fam) ? FLOW_RD_LEN : 0;
    if (len < skip || !flow_walk(body + skip, len - skip, alen, NULL, NULL))
        return false;
    if (hdr == 2 && len < 0xf0) {
        /* The long form for a short rule: kept in the short form, so that it is the same
         * route as the one we would encode. */
        uint8_t *c = arena_alloc(a, len + 1u);
        if (c == NULL)
            return false;
        c[0] = (uint8_t)len;
        memcpy(c + 1, body, len);
        out->raw = c;
        out->raw_len = (uint16_t)(len + 1u);
    } else {
        out->raw = body - hdr;
        out->raw_len = (uint16_t)(len + hdr);
    }
    return true;
}

static size_t
nlri_flow_encoded_len(const struct nlri *n)
{
    return n->raw_len;
}

static void
nlri_flow_encode(const struct nlri *n, struct wire_wr *w)
{
    wire_put_bytes(w, n->raw, n->raw_len);
}

static int
nlri_flow_compare(const struct nlri *a, const struct nlri *b)
{
    size_t l = a->raw_len < b->raw_len ? a->raw_len : b->raw_len;
    int c = l ? memcmp(a->raw, b->raw, l) : 0;

    if (c != 0)
        return c;
    return (a->raw_len > b->raw_len) - (a->raw_len < b->raw_len);
}

static uint32_t
nlri_flow_hash(const struct nlri *n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n->raw_len; i++) {
        h ^= n->raw[i];
        h *= 16777619u;
    }
    return h;
}

static int
nlri_flow_format(const struct nlri *n, char *buf, size_t size)
{
    Bgpbus__V1__FlowSpecNlri *m;
    struct arena a;
    int need;

    /* Logging only: a scratch arena is acceptable here, not on the UPDATE path. */
    arena_init(&a, 1024);
    m = nlri_flow_to_proto(&a, n);
    if (m != NULL) {
        /* The rule as ExaBGP writes it, by the one renderer the bridge uses (lib/exa_flow.h). */
        struct exa_buf text;

        exa_buf_init(&text);
        exa_put_flow_text(&text, m, NULL);
        need = snprintf(buf, size, "%s", text.oom || text.data == NULL ? "flow ?" : text.data);
        exa_buf_free(&text);
    } else {
        size_t o = 0;

        need = (int)(5 + 2 * (size_t)n->raw_len);
        if (size > 0) {
            o = (size_t)snprintf(buf, size, "flow ");
            for (size_t i = 0; i < n->raw_len && o + 2 < size; i++)
                o += (size_t)snprintf(buf + o, size - o, "%02x", n->raw[i]);
        }
    }
    arena_free(&a);
    return need;
}

const struct nlri_ops nlri_ops_flow = {
    .decode = nlri_flow_decode,
    .encoded_len = nlri_flow_encoded_len,
    .encode = nlri_flow_encode,
    .compare = nlri_flow_compare,
    .hash = nlri_flow_hash,
    .format = nlri_flow_format,
};

static bool
flow_put_rd(struct wire_wr *w, const Bgpbus__V1__RouteDistinguisher *rd)
{
    uint32_t assigned = rd->has_assigned ? rd->assigned : 0;

    /* RFC 4364 4.2: a 2-octet type, then the administrator and assigned number subfields. */
    switch (rd->admin_case) {
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2:
        if (rd->asn2 > UINT16_MAX)
            return false;
        wire_put_u16(w, 0);
        wire_put_u16(w, (uint16_t)rd->asn2);
        wire_put_u32(w, assigned);
        return true;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4:
        if (rd->ipv4.len != 4 || assigned > UINT16_MAX)
            return false;
        wire_put_u16(w, 1);
        wire_put_bytes(w, rd->ipv4.data, 4);
        wire_put_u16(w, (uint16_t)assigned);
        return true;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4:
        if (assigned > UINT16_MAX)
            return false;
        wire_put_u16(w, 2);
        wire_put_u32(w, rd->asn4);
        wire_put_u16(w, (uint16_t)assigned);
        return true;
    case BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_RAW:
        if (rd->raw.len != FLOW_RD_LEN)
            return false;
        wire_put_bytes(w, rd->raw.data, FLOW_RD_LEN);
        return true;
    default: return false;
    }
}

static Bgpbus__V1__RouteDistinguisher *
flow_rd_to_proto(struct arena *a, const uint8_t *p)
{
    Bgpbus__V1__RouteDistinguisher *rd = arena_alloc(a, sizeof(*rd));

    if (rd == NULL)
        return NULL;
    bgpbus__v1__route_distinguisher__init(rd);
    switch (wire_load_u16(p)) {
    case 0:
        rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2;
        rd->asn2 = wire_load_u16(p + 2);
        rd->has_assigned = true;
        rd->assigned = wire_load_u32(p + 4);
        break;
    case 1:
        rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4;
        rd->ipv4.data = arena_memdup(a, p + 2, 4);
        rd->ipv4.len = 4;
        rd->has_assigned = true;
        rd->assigned = wire_load_u16(p + 6);
        break;
    case 2:
        rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4;
        rd->asn4 = wire_load_u32(p + 2);
        rd->has_assigned = true;
        rd->assigned = wire_load_u16(p + 6);
        break;
    default:
        rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_RAW;
        rd->raw.data = arena_memdup(a, p, FLOW_RD_LEN);
        rd->raw.len = FLOW_RD_LEN;
        break;
    }
    return rd;
}

Bgpbus__V1__FlowSpecNlri *
nlri_flow_to_proto(struct arena *a, const struct nlri *n)
{
    enum bgp_family fam = (enum bgp_family)n->fam;
    unsigned alen = bgp_family_addr_len(fam), hdr, skip = flow_is_vpn(fam) ? FLOW_RD_LEN : 0;
    Bgpbus__V1__FlowSpecNlri *m;
    const uint8_t *body;
    struct wire_rd r;
    uint16_t len;

    if (alen == 0 || n->raw == NULL)
        return NULL;
    wire_rd_init(&r, n->raw, n->raw_len);
    if (!flow_get_len(&r, &len, &hdr) || !wire_get_ref(&r, len, &body) || len < skip)
        return NULL;
    m = arena_alloc(a, sizeof(*m));
    if (m == NULL)
        return NULL;
    bgpbus__v1__flow_spec_nlri__init(m);
    m->has_afi = true;
    m->afi = alen == 4 ? BGPBUS__V1__AFI__AFI_IPV4 : BGPBUS__V1__AFI__AFI_IPV6;
    if (skip != 0 && (m->rd = flow_rd_to_proto(a, body)) == NULL)
        return NULL;
    /* Strictly increasing types: at most one component per known type, plus one unknown. */
    m->components = arena_calloc(a, FLOW_TYPE_MAX + 1, sizeof(*m->components));
    if (m->components == NULL || !flow_walk(body + skip, len - skip, alen, a, m))
        return NULL;
    return m;
}

/* ---- contract -> wire ------------------------------------------------------------------------ */

/* The len field (RFC 8955 4.2.1.1) for a value: the stated length, else the smallest. */
static int
flow_value_len(uint64_t v, bool has_length, uint32_t length)
{
    if (has_length) {
        if (length != 1 && length != 2 && length != 4 && length != 8)
            return -1;
        if (length < 8 && v >> (length * 8) != 0)
            return -1;
        return length == 1 ? 0 : length == 2 ? 1 : length == 4 ? 2 : 3;
    }
    return v <= 0xff ? 0 : v <= 0xffff ? 1 : v <= 0xffffffffu ? 2 : 3;
}

static void
flow_put_value(struct wire_wr *w, uint64_t v, int lcode)
{
    for (int k = (1 << lcode) - 1; k >= 0; k--)
        wire_put_u8(w, (uint8_t)(v >> (8 * k)));
}

static const char *
flow_put_numeric(struct wire_wr *w, const Bgpbus__V1__FlowSpecNumeric *num)
{
    static const uint8_t bits[] = {
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_UNSPECIFIED] = FLOW_OP_EQ,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ] = FLOW_OP_EQ,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GT] = FLOW_OP_GT,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GE] = FLOW_OP_GT | FLOW_OP_EQ,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LT] = FLOW_OP_LT,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LE] = FLOW_OP_LT | FLOW_OP_EQ,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_NE] = FLOW_OP_LT | FLOW_OP_GT,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_TRUE] =
            FLOW_OP_LT | FLOW_OP_GT | FLOW_OP_EQ,
        [BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_FALSE] = 0,
    };

    if (num == NULL || num->n_terms == 0)
        return "a numeric FlowSpec component needs at least one term";
    for (size_t i = 0; i < num->n_terms; i++) {
        const Bgpbus__V1__FlowSpecNumericTerm *t = num->terms[i];
        uint64_t v = t->has_value ? t->value : 0;
        unsigned opk = t->has_op ? (unsigned)t->op : 0;
        int lcode = flow_value_len(v, t->has_length, t->length);
        uint8_t op;

        if (opk >= sizeof(bits))
            return "unknown FlowSpec numeric operator";
        if (lcode < 0)
            return "FlowSpec value does not fit its length (1, 2, 4 or 8 octets)";
        op = (uint8_t)(bits[opk] | lcode << 4);
        if (i > 0 && t->has_and_previous && t->and_previous)
            op |= FLOW_OP_AND;
        if (i + 1 == num->n_terms)
            op |= FLOW_OP_END;
        wire_put_u8(w, op);
        flow_put_value(w, v, lcode);
    }
    return NULL;
}

static const char *
flow_put_bitmask(struct wire_wr *w, const Bgpbus__V1__FlowSpecBitmask *bm)
{
    if (bm == NULL || bm->n_terms == 0)
        return "a bitmask FlowSpec component needs at least one term";
    for (size_t i = 0; i < bm->n_terms; i++) {
        const Bgpbus__V1__FlowSpecBitmaskTerm *t = bm->terms[i];
        uint64_t v = t->has_bits ? t->bits : 0;
        int lcode = flow_value_len(v, t->has_length, t->length);
        uint8_t op;

        if (lcode < 0)
            return "FlowSpec bitmask does not fit its length (1, 2, 4 or 8 octets)";
        op = (uint8_t)(lcode << 4);
        if (i > 0 && t->has_and_previous && t->and_previous)
            op |= FLOW_OP_AND;
        if (t->has_negate && t->negate)
            op |= FLOW_OP_NOT;
        if (t->has_match && t->match)
            op |= FLOW_OP_MATCH;
        if (i + 1 == bm->n_terms)
            op |= FLOW_OP_END;
        wire_put_u8(w, op);
        flow_put_value(w, v, lcode);
    }
    return NULL;
}

static const char *
flow_put_prefix(struct wire_wr *w, const Bgpbus__V1__FlowSpecPrefix *fp, unsigned alen)
{
    const Bgpbus__V1__Prefix *pf = fp ? fp->prefix : NULL;
    unsigned offset = fp && fp->has_offset ? fp->offset : 0;
    uint8_t pat[16];

    if (pf == NULL || !pf->has_address || pf->address.len != alen)
        return "FlowSpec prefix of the wrong address family";
    if (!pf->has_length || pf->length > alen * 8)
        return "invalid prefix length";
    if (offset != 0 && (alen != 16 || offset > pf->length))
        return "a prefix offset needs IPv6 and must not exceed the prefix length";
    for (unsigned bit = pf->length; bit < alen * 8; bit++)
        if (pf->address.data[bit / 8] & (0x80u >> (bit % 8)))
            return "host bits set in prefix (not a network address)";
    wire_put_u8(w, (uint8_t)pf->length);
    if (alen == 16)
        wire_put_u8(w, (uint8_t)offset); /* RFC 8956 3.1 */
    flow_addr_to_pattern(pf->address.data, offset, pf->length, pat);
    wire_put_bytes(w, pat, (pf->length - offset + 7u) / 8);
    return NULL;
}

static const char *
flow_put_component(struct wire_wr *w, const Bgpbus__V1__FlowSpecComponent *c, unsigned alen)
{
    unsigned type = (unsigned)c->component_case;

    if (flow_kind(type, alen) == FLOW_UNKNOWN)
        return "FlowSpec component not valid for this address family";
    wire_put_u8(w, (uint8_t)type);
    switch (type) {
    case 1: return flow_put_prefix(w, c->destination, alen);
    case 2: return flow_put_prefix(w, c->source, alen);
    case 3: return flow_put_numeric(w, c->ip_protocol);
    case 4: return flow_put_numeric(w, c->port);
    case 5: return flow_put_numeric(w, c->destination_port);
    case 6: return flow_put_numeric(w, c->source_port);
    case 7: return flow_put_numeric(w, c->icmp_type);
    case 8: return flow_put_numeric(w, c->icmp_code);
    case 9: return flow_put_bitmask(w, c->tcp_flags);
    case 10: return flow_put_numeric(w, c->packet_length);
    case 11: return flow_put_numeric(w, c->dscp);
    case 12: return flow_put_bitmask(w, c->fragment);
    case 13: return flow_put_numeric(w, c->flow_label);
    default: return "unknown FlowSpec component";
    }
}

const char *
nlri_flow_from_proto(const Bgpbus__V1__FlowSpecNlri *m, struct arena *a, struct nlri *out)
{
    const Bgpbus__V1__FlowSpecComponent *by_type[FLOW_TYPE_MAX + 1] = { 0 };
    const Bgpbus__V1__FlowSpecUnknownComponent *unknown = NULL;
    uint8_t body[NLRI_FLOW_MAX_LEN + 1];
    struct wire_wr w;
    unsigned alen;
    uint8_t *raw;

    if (m == NULL || !m->has_afi ||
        (m->afi != BGPBUS__V1__AFI__AFI_IPV4 && m->afi != BGPBUS__V1__AFI__AFI_IPV6))
        return "FlowSpec rule without an IPv4 or IPv6 address family";
    alen = m->afi == BGPBUS__V1__AFI__AFI_IPV4 ? 4 : 16;
    out->fam = (int8_t)(m->rd != NULL ? (alen == 4 ? BGP_FAM_IPV4_FLOW_VPN : BGP_FAM_IPV6_FLOW_VPN)
                                      : (alen == 4 ? BGP_FAM_IPV4_FLOW : BGP_FAM_IPV6_FLOW));
    for (size_t i = 0; i < m->n_components; i++) {
        const Bgpbus__V1__FlowSpecComponent *c = m->components[i];
        unsigned type = (unsigned)c->component_case;

        if (type == BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_UNKNOWN) {
            if (unknown != NULL || c->unknown == NULL || !c->unknown->has_data ||
                c->unknown->data.len == 0)
                return "at most one unknown FlowSpec component, with its bytes";
            unknown = c->unknown;
            continue;
        }
        if (type == 0 || type > FLOW_TYPE_MAX)
            return "empty FlowSpec component";
        if (by_type[type] != NULL)
            return "a FlowSpec component type given twice (RFC 8955 4.2)";
        by_type[type] = c;
    }

    wire_wr_init_fixed(&w, body, sizeof(body));
    if (m->rd != NULL && !flow_put_rd(&w, m->rd))
        return "invalid route distinguisher";
    /* RFC 8955 4.2: components in increasing type order. */
    for (unsigned t = 1; t <= FLOW_TYPE_MAX; t++) {
        const char *why;

        if (by_type[t] != NULL && (why = flow_put_component(&w, by_type[t], alen)) != NULL)
            return why;
    }
    if (unknown != NULL) {
        /* Received as "the rest of the rule": it can only come last, after lower types. */
        for (unsigned t = unknown->data.data[0]; t <= FLOW_TYPE_MAX; t++)
            if (by_type[t] != NULL)
                return "an unknown FlowSpec component must have the highest type";
        wire_put_bytes(&w, unknown->data.data, unknown->data.len);
    }
    if (!wire_wr_ok(&w) || w.len > NLRI_FLOW_MAX_LEN)
        return "FlowSpec rule longer than 4095 octets (RFC 8955 4.1)";

    raw = arena_alloc(a, w.len + 2);
    if (raw == NULL)
        return "out of memory";
    if (w.len < 0xf0) {
        raw[0] = (uint8_t)w.len;
        memcpy(raw + 1, body, w.len);
        out->raw_len = (uint16_t)(w.len + 1);
    } else {
        raw[0] = (uint8_t)(0xf0 | w.len >> 8);
        raw[1] = (uint8_t)w.len;
        memcpy(raw + 2, body, w.len);
        out->raw_len = (uint16_t)(w.len + 2);
    }
    out->raw = raw;
    return NULL;
}
