/*
 * update_proto.c: the codec's decoded forms as contract messages (bgpbus.v1), allocated in an
 * arena: what the speaker publishes, and what tests and tools render.
 */
#include "update_proto.h"

#include <string.h>

#include "nlri_evpn.h"
#include "nlri_flow.h"
#include "nlri_vpls.h"
#include "nlri_vpn.h"

ProtobufCBinaryData
proto_bin(struct arena *a, const void *p, size_t n)
{
    ProtobufCBinaryData b = { .len = n, .data = arena_memdup(a, p, n) };
    return b;
}

Bgpbus__V1__Family *
proto_family(struct arena *a, uint16_t afi, uint8_t safi)
{
    Bgpbus__V1__Family *f = arena_alloc(a, sizeof(*f));
    if (!f)
        return NULL;
    bgpbus__v1__family__init(f);
    f->has_afi = true;
    f->afi = afi;
    f->has_safi = true;
    f->safi = safi;
    return f;
}

/* Copies the capability TLVs of an OPEN's optional parameters (RFC 5492 4), in wire order, with
 * RFC 9072's extended parameters length. -1 when the message is not a well-formed OPEN. */
static int
open_capabilities(const uint8_t *msg, size_t len, struct wire_wr *out)
{
    struct wire_rd r, params;
    uint8_t plen8, type;
    uint16_t plen;
    bool extended = false;

    wire_rd_init(&r, msg, len);
    if (!wire_skip(&r, BGP_HEADER_LEN + 9) || !wire_get_u8(&r, &plen8))
        return -1;
    plen = plen8;
    if (plen8 == 255 && wire_rd_left(&r) >= 3 && r.p[0] == 255) {
        wire_skip(&r, 1);
        if (!wire_get_u16(&r, &plen))
            return -1;
        extended = true;
    }
    if (!wire_get_sub(&r, plen, &params))
        return -1;
    while (wire_rd_left(&params) > 0) {
        uint16_t l;
        uint8_t l8;
        struct wire_rd val;
        if (!wire_get_u8(&params, &type))
            return -1;
        if (extended ? !wire_get_u16(&params, &l) : !wire_get_u8(&params, &l8))
            return -1;
        if (!extended)
            l = l8;
        if (!wire_get_sub(&params, l, &val))
            return -1;
        if (type == 2) /* Capabilities */
            wire_put_bytes(out, val.p, wire_rd_left(&val));
    }
    return wire_wr_ok(out) ? 0 : -1;
}

Bgpbus__V1__Open *
open_to_proto(struct arena *a, const struct bgp_open *o, const uint8_t *msg, size_t len)
{
    Bgpbus__V1__Open *m = arena_alloc(a, sizeof(*m));
    uint8_t capbuf[4096], id[4];
    struct wire_wr w;

    if (!m)
        return NULL;
    bgpbus__v1__open__init(m);
    m->has_version = true;
    m->version = o->version;
    m->has_asn = true;
    m->asn = bgp_open_peer_as(o);
    m->has_hold_time = true;
    m->hold_time = o->hold_time;
    wire_store_u32(id, o->bgp_id);
    m->has_router_id = true;
    m->router_id = proto_bin(a, id, 4);

    /* Capabilities as code + value, in wire order from the message when we have it, else
     * re-encoded from what was decoded (unknown ones kept either way). */
    wire_wr_init_fixed(&w, capbuf, sizeof(capbuf));
    if (!msg || open_capabilities(msg, len, &w) < 0) {
        wire_wr_reset(&w);
        bgp_caps_encode(&w, &o->caps);
    }
    if (!wire_wr_ok(&w))
        return m;
    size_t n = 0;
    for (size_t off = 0; off + 2 <= w.len; off += 2u + capbuf[off + 1])
        n++;
    m->capabilities = arena_calloc(a, n, sizeof(*m->capabilities));
    if (!m->capabilities)
        return m;
    for (size_t off = 0; off + 2 <= w.len && m->n_capabilities < n; off += 2u + capbuf[off + 1]) {
        uint8_t code = capbuf[off], clen = capbuf[off + 1];
        if (off + 2u + clen > w.len)
            break;
        Bgpbus__V1__Capability *c = arena_alloc(a, sizeof(*c));
        if (!c)
            break;
        bgpbus__v1__capability__init(c);
        c->has_code = true;
        c->code = code;
        c->has_value = true;
        c->value = proto_bin(a, capbuf + off + 2, clen);
        if (code == BGP_CAP_MP && clen == 4) {
            Bgpbus__V1__MultiprotocolCapability *mp = arena_alloc(a, sizeof(*mp));
            if (mp) {
                bgpbus__v1__multiprotocol_capability__init(mp);
                mp->family = proto_family(a, wire_load_u16(capbuf + off + 2), capbuf[off + 5]);
                c->decoded_case = BGPBUS__V1__CAPABILITY__DECODED_MULTIPROTOCOL;
                c->multiprotocol = mp;
            }
        } else if (code == BGP_CAP_AS4 && clen == 4) {
            Bgpbus__V1__Asn4Capability *as4 = arena_alloc(a, sizeof(*as4));
            if (as4) {
                bgpbus__v1__asn4_capability__init(as4);
                as4->has_asn = true;
                as4->asn = wire_load_u32(capbuf + off + 2);
                c->decoded_case = BGPBUS__V1__CAPABILITY__DECODED_ASN4;
                c->asn4 = as4;
            }
        }
        m->capabilities[m->n_capabilities++] = c;
    }
    return m;
}

Bgpbus__V1__Nlri *
proto_nlri(struct arena *a, const struct nlri *n)
{
    Bgpbus__V1__Nlri *m = arena_alloc(a, sizeof(*m));
    if (!m)
        return NULL;
    bgpbus__v1__nlri__init(m);
    if (n->has_path_id) {
        m->has_path_id = true;
        m->path_id = n->path_id;
    }
    enum bgp_family f = (enum bgp_family)n->fam;
    if (f == BGP_FAM_IPV4_UNICAST || f == BGP_FAM_IPV6_UNICAST || f == BGP_FAM_IPV4_MULTICAST ||
        f == BGP_FAM_IPV6_MULTICAST) {
        Bgpbus__V1__Prefix *pf = arena_alloc(a, sizeof(*pf));
        if (!pf)
            return NULL;
        bgpbus__v1__prefix__init(pf);
        pf->has_address = true;
        pf->address.data = (uint8_t *)n->addr;
        pf->address.len = bgp_family_addr_len(f);
        pf->has_length = true;
        pf->length = n->len;
        if (f == BGP_FAM_IPV4_UNICAST || f == BGP_FAM_IPV6_UNICAST) {
            m->nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
            m->unicast = pf;
        } else {
            m->nlri_case = BGPBUS__V1__NLRI__NLRI_MULTICAST;
            m->multicast = pf;
        }
        return m;
    }
    if (f >= 0 && f < BGP_FAM_COUNT && bgp_family_table[f].ops == &nlri_ops_vpn)
        return nlri_vpn_to_proto(a, n, m) ? m : NULL;
    if (f >= 0 && f < BGP_FAM_COUNT && bgp_family_table[f].ops == &nlri_ops_flow) {
        m->flowspec = nlri_flow_to_proto(a, n);
        if (m->flowspec == NULL)
            return NULL;
        m->nlri_case = BGPBUS__V1__NLRI__NLRI_FLOWSPEC;
        return m;
    }
    if (f == BGP_FAM_L2VPN_EVPN) {
        m->evpn = nlri_evpn_to_proto(a, n);
        m->nlri_case = BGPBUS__V1__NLRI__NLRI_EVPN;
        return m->evpn != NULL ? m : NULL;
    }
    if (f == BGP_FAM_L2VPN_VPLS) {
        m->vpls = nlri_vpls_to_proto(a, n);
        m->nlri_case = BGPBUS__V1__NLRI__NLRI_VPLS;
        return m->vpls != NULL ? m : NULL;
    }
    Bgpbus__V1__RawNlri *raw = arena_alloc(a, sizeof(*raw));
    if (!raw)
        return NULL;
    bgpbus__v1__raw_nlri__init(raw);
    if (f != BGP_FAM_NONE)
        raw->family = proto_family(a, bgp_family_afi(f), bgp_family_safi(f));
    raw->has_data = true;
    raw->data.data = (uint8_t *)n->raw;
    raw->data.len = n->raw_len;
    m->nlri_case = BGPBUS__V1__NLRI__NLRI_RAW;
    m->raw = raw;
    return m;
}

static Bgpbus__V1__Nlri **
nlri_list(struct arena *a, const struct nlri *v, size_t n, size_t *out_n)
{
    Bgpbus__V1__Nlri **list = arena_calloc(a, n ? n : 1, sizeof(*list));
    *out_n = 0;
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        Bgpbus__V1__Nlri *m = proto_nlri(a, &v[i]);
        if (m)
            list[(*out_n)++] = m;
    }
    return list;
}

/* Appends one family's NLRI as an announce (with its next hop) or a withdraw group. */
static void
update_add(struct arena *a, Bgpbus__V1__Update *u, bool announce, uint16_t afi, uint8_t safi,
           Bgpbus__V1__NextHop *nh, const struct nlri *v, size_t n)
{
    if (n == 0)
        return;
    if (announce) {
        Bgpbus__V1__UpdateAnnounce *g = arena_alloc(a, sizeof(*g));
        Bgpbus__V1__UpdateAnnounce **arr = arena_calloc(a, u->n_announced + 1, sizeof(*arr));
        if (!g || !arr)
            return;
        bgpbus__v1__update_announce__init(g);
        g->family = proto_family(a, afi, safi);
        g->next_hop = nh;
        g->nlri = nlri_list(a, v, n, &g->n_nlri);
        if (u->n_announced)
            memcpy(arr, u->announced, u->n_announced * sizeof(*arr));
        arr[u->n_announced++] = g;
        u->announced = arr;
    } else {
        Bgpbus__V1__UpdateWithdraw *g = arena_alloc(a, sizeof(*g));
        Bgpbus__V1__UpdateWithdraw **arr = arena_calloc(a, u->n_withdrawn + 1, sizeof(*arr));
        if (!g || !arr)
            return;
        bgpbus__v1__update_withdraw__init(g);
        g->family = proto_family(a, afi, safi);
        g->nlri = nlri_list(a, v, n, &g->n_nlri);
        if (u->n_withdrawn)
            memcpy(arr, u->withdrawn, u->n_withdrawn * sizeof(*arr));
        arr[u->n_withdrawn++] = g;
        u->withdrawn = arr;
    }
}

int
update_to_proto(const struct update_decoded *dec, struct arena *a, Bgpbus__V1__Update *u)
{
    bool announce = !dec->treat_as_withdraw;

    if (dec->has_attrs && announce) {
        /* The next hop is reported per family group, not among the attributes. */
        Bgpbus__V1__Attributes *attrs = arena_memdup(a, dec->attrs, sizeof(*dec->attrs));
        if (!attrs)
            return -1;
        attrs->next_hop = NULL;
        u->attributes = attrs;
    }
    update_add(a, u, false, BGP_AFI_IPV4, BGP_SAFI_UNICAST, NULL, dec->withdrawn,
               dec->withdrawn_count);
    if (dec->mp_unreach.present)
        update_add(a, u, false, dec->mp_unreach.afi, dec->mp_unreach.safi, NULL,
                   dec->mp_unreach.nlri, dec->mp_unreach.nlri_count);
    update_add(a, u, announce, BGP_AFI_IPV4, BGP_SAFI_UNICAST,
               announce ? dec->attrs->next_hop : NULL, dec->nlri, dec->nlri_count);
    if (dec->mp_reach.present)
        update_add(a, u, announce, dec->mp_reach.afi, dec->mp_reach.safi,
                   announce ? dec->mp_reach.nexthop : NULL, dec->mp_reach.nlri,
                   dec->mp_reach.nlri_count);
    return 0;
}
