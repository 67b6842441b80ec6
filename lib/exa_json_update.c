/*
 * ExaBGP 4.2's JSON for an UPDATE (SPEC 3.5): the attribute object in ascending type code
 * order (SPEC 3.5.1), the announced NLRI grouped by family then next hop, the withdrawn
 * NLRI grouped by family (SPEC 3.5.2). Also the OPEN (SPEC 3.3), whose capability values
 * are rendered from their wire bytes so nothing the peer sent is hidden.
 */
#include "exa_json.h"
#include "exa_flow.h"
#include "exa_l2vpn.h"

/* The attributes ExaBGP knows, by type code; an unknown attribute is written between them
 * at the place of its code (SPEC 3.5.1 "ascending type code"). */
static const uint8_t exa_known_codes[] = { 1, 2, 4, 5, 6, 7, 8, 9, 10, 16, 22, 25, 26, 32, 40 };

struct exa_members {
    struct exa_buf *b;
    bool first;
};

static void
exa_key(struct exa_members *m, const char *key)
{
    if (!m->first)
        EXA_PUTS(m->b, ", ");
    m->first = false;
    exa_putc(m->b, '"');
    exa_puts(m->b, key);
    EXA_PUTS(m->b, "\": ");
}

static void
exa_json_asn_list(struct exa_buf *b, const Bgpbus__V1__AsPath *p, Bgpbus__V1__AsPathSegmentType t)
{
    bool first = true;

    exa_putc(b, '[');
    for (size_t i = 0; i < p->n_segments; i++) {
        const Bgpbus__V1__AsPathSegment *s = p->segments[i];
        Bgpbus__V1__AsPathSegmentType st =
            s->has_type ? s->type : BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;

        if (st != t)
            continue;
        for (size_t j = 0; j < s->n_asns; j++) {
            exa_puts(b, first ? " " : ", ");
            first = false;
            exa_put_u64(b, s->asns[j]);
        }
    }
    exa_puts(b, first ? "]" : " ]");
}

static bool
exa_aspath_has(const Bgpbus__V1__AsPath *p, Bgpbus__V1__AsPathSegmentType t)
{
    for (size_t i = 0; i < p->n_segments; i++) {
        const Bgpbus__V1__AsPathSegment *s = p->segments[i];
        Bgpbus__V1__AsPathSegmentType st =
            s->has_type ? s->type : BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;

        if (st == t && s->n_asns > 0)
            return true;
    }
    return false;
}

/* 4.2's flat AS path (SPEC 3.5.1): each kind of segment concatenated into one list;
 * "as-path" and "confederation-path" always, the sets only when present; nothing at all
 * for an empty AS_PATH. */
static void
exa_json_aspath(struct exa_members *m, const Bgpbus__V1__AsPath *p)
{
    bool any = false;

    for (size_t i = 0; i < p->n_segments; i++)
        any = any || p->segments[i]->n_asns > 0;
    if (!any)
        return;
    exa_key(m, "as-path");
    exa_json_asn_list(m->b, p, BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE);
    if (exa_aspath_has(p, BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET)) {
        exa_key(m, "as-set");
        exa_json_asn_list(m->b, p, BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET);
    }
    exa_key(m, "confederation-path");
    exa_json_asn_list(m->b, p,
                      BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SEQUENCE);
    if (exa_aspath_has(p, BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SET)) {
        exa_key(m, "confederation-set");
        exa_json_asn_list(m->b, p,
                          BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SET);
    }
}

static void
exa_json_quoted_ip(struct exa_buf *b, ProtobufCBinaryData d)
{
    exa_putc(b, '"');
    exa_put_ipb(b, d);
    exa_putc(b, '"');
}

static void
exa_json_extcomms(struct exa_members *m, const Bgpbus__V1__Attributes *a)
{
    struct exa_buf *b = m->b;
    bool first = true;

    exa_key(m, "extended-community");
    exa_putc(b, '[');
    for (size_t i = 0; i < a->n_extended_communities; i++) {
        const Bgpbus__V1__ExtendedCommunity *e = a->extended_communities[i];
        uint64_t v = 0;

        /* The speaker always fills raw; a typed-only community has no wire form to show. */
        if (!e->has_raw || e->raw.len != 8)
            continue;
        for (int k = 0; k < 8; k++)
            v = v << 8 | e->raw.data[k];
        exa_puts(b, first ? " { \"value\": " : ", { \"value\": ");
        first = false;
        exa_put_u64(b, v);
        EXA_PUTS(b, ", \"string\": \"");
        exa_put_extcomm_text(b, e->raw.data);
        EXA_PUTS(b, "\" }");
    }
    exa_puts(b, first ? "]" : " ]");
}

static void
exa_json_unknown(struct exa_members *m, const Bgpbus__V1__UnknownAttribute *u)
{
    static const char digits[] = "0123456789ABCDEF";
    char key[] = "attribute-0x00-0x00";

    key[12] = digits[(u->type >> 4) & 0xf];
    key[13] = digits[u->type & 0xf];
    key[17] = digits[(u->flags >> 4) & 0xf];
    key[18] = digits[u->flags & 0xf];
    exa_key(m, key);
    exa_putc(m->b, '"');
    exa_put_hex(m->b, u->value.data, u->has_value ? u->value.len : 0);
    exa_putc(m->b, '"');
}

static void
exa_json_attr(struct exa_members *m, const Bgpbus__V1__Attributes *a, unsigned code)
{
    struct exa_buf *b = m->b;

    switch (code) {
    case 1:
        if (!a->has_origin)
            return;
        exa_key(m, "origin");
        switch (a->origin) {
        case BGPBUS__V1__ORIGIN__ORIGIN_IGP: EXA_PUTS(b, "\"igp\""); break;
        case BGPBUS__V1__ORIGIN__ORIGIN_EGP: EXA_PUTS(b, "\"egp\""); break;
        default: EXA_PUTS(b, "\"incomplete\""); break;
        }
        return;
    case 2:
        if (a->as_path != NULL)
            exa_json_aspath(m, a->as_path);
        return;
    case 4:
        if (!a->has_med)
            return;
        exa_key(m, "med");
        exa_put_u64(b, a->med);
        return;
    case 5:
        if (!a->has_local_pref)
            return;
        exa_key(m, "local-preference");
        exa_put_u64(b, a->local_pref);
        return;
    case 6:
        if (!a->has_atomic_aggregate || !a->atomic_aggregate)
            return;
        exa_key(m, "atomic-aggregate");
        EXA_PUTS(b, "true");
        return;
    case 7:
        if (a->aggregator == NULL)
            return;
        exa_key(m, "aggregator");
        exa_putc(b, '"');
        exa_put_u64(b, a->aggregator->asn);
        exa_putc(b, ':');
        exa_put_ipb(b, a->aggregator->address);
        exa_putc(b, '"');
        return;
    case 8:
        if (a->n_communities == 0)
            return;
        exa_key(m, "community");
        EXA_PUTS(b, "[ ");
        for (size_t i = 0; i < a->n_communities; i++) {
            if (i > 0)
                EXA_PUTS(b, ", ");
            EXA_PUTS(b, "[ ");
            exa_put_u64(b, a->communities[i] >> 16);
            EXA_PUTS(b, ", ");
            exa_put_u64(b, a->communities[i] & 0xffff);
            EXA_PUTS(b, " ]");
        }
        EXA_PUTS(b, " ]");
        return;
    case 9:
        if (!a->has_originator_id)
            return;
        exa_key(m, "originator-id");
        exa_json_quoted_ip(b, a->originator_id);
        return;
    case 10:
        if (a->n_cluster_list == 0)
            return;
        exa_key(m, "cluster-list");
        EXA_PUTS(b, "[ ");
        for (size_t i = 0; i < a->n_cluster_list; i++) {
            if (i > 0)
                EXA_PUTS(b, ", ");
            exa_json_quoted_ip(b, a->cluster_list[i]);
        }
        EXA_PUTS(b, " ]");
        return;
    case 16:
        if (a->n_extended_communities > 0)
            exa_json_extcomms(m, a);
        return;
    case 22: {
        const Bgpbus__V1__PmsiTunnel *p = a->pmsi_tunnel;

        if (p == NULL)
            return;
        /* RFC 6514 5: flags, tunnel type, label field, tunnel identifier. */
        exa_key(m, "pmsi");
        EXA_PUTS(b, "\"pmsi:");
        exa_put_u64(b, p->tunnel_type);
        exa_putc(b, ':');
        exa_put_u64(b, p->flags);
        exa_putc(b, ':');
        exa_put_u64(b, p->label >> 4);
        exa_putc(b, ':');
        exa_put_ipb(b, p->tunnel_id);
        exa_putc(b, '"');
        return;
    }
    case 25:
        /* 4.2 has no JSON name for it: the generic key with the attribute's text (SPEC 3.5.1). */
        if (a->n_ipv6_extended_communities == 0)
            return;
        exa_key(m, "attribute-0x19-0xC0");
        exa_putc(b, '"');
        exa_put_ipv6_extcomms_text(b, a); /* 4.2: the attribute's repr */
        exa_putc(b, '"');
        return;
    case 26:
        if (!a->has_aigp)
            return;
        exa_key(m, "aigp");
        exa_put_u64(b, a->aigp);
        return;
    case 32:
        if (a->n_large_communities == 0)
            return;
        exa_key(m, "large-community");
        EXA_PUTS(b, "[ ");
        for (size_t i = 0; i < a->n_large_communities; i++) {
            const Bgpbus__V1__LargeCommunity *l = a->large_communities[i];

            if (i > 0)
                EXA_PUTS(b, ", ");
            EXA_PUTS(b, "[ ");
            exa_put_u64(b, l->global_admin);
            EXA_PUTS(b, ", ");
            exa_put_u64(b, l->local_data_1);
            EXA_PUTS(b, ", ");
            exa_put_u64(b, l->local_data_2);
            EXA_PUTS(b, " ]");
        }
        EXA_PUTS(b, " ]");
        return;
    case 40: {
        const Bgpbus__V1__PrefixSid *s = a->prefix_sid;
        bool inner = true;

        if (s == NULL)
            return;
        exa_key(m, "bgp-prefix-sid");
        exa_putc(b, '{');
        if (s->has_label_index) {
            EXA_PUTS(b, " \"sr-label-index\": ");
            exa_put_u64(b, s->label_index);
            inner = false;
        }
        if (s->n_srgbs > 0) {
            exa_puts(b, inner ? " \"sr-srgbs\": [ " : ", \"sr-srgbs\": [ ");
            for (size_t i = 0; i < s->n_srgbs; i++) {
                if (i > 0)
                    EXA_PUTS(b, ", ");
                EXA_PUTS(b, "[ ");
                exa_put_u64(b, s->srgbs[i]->first_label);
                EXA_PUTS(b, ", ");
                exa_put_u64(b, s->srgbs[i]->range);
                EXA_PUTS(b, " ]");
            }
            EXA_PUTS(b, " ]");
        }
        EXA_PUTS(b, " }");
        return;
    }
    default: return;
    }
}

/* Unknown attributes with lo <= type < hi, in the order received. */
static void
exa_json_unknowns(struct exa_members *m, const Bgpbus__V1__Attributes *a, unsigned lo, unsigned hi)
{
    for (size_t i = 0; i < a->n_unknown; i++)
        if (a->unknown[i]->type >= lo && a->unknown[i]->type < hi)
            exa_json_unknown(m, a->unknown[i]);
}

static void
exa_json_attributes(struct exa_buf *b, const Bgpbus__V1__Attributes *a)
{
    struct exa_members m = { b, true };
    size_t start = b->len;
    unsigned lo = 0;

    EXA_PUTS(b, "\"attribute\": { ");
    for (size_t i = 0; i < sizeof(exa_known_codes); i++) {
        exa_json_unknowns(&m, a, lo, exa_known_codes[i]);
        exa_json_attr(&m, a, exa_known_codes[i]);
        lo = exa_known_codes[i];
    }
    exa_json_unknowns(&m, a, lo, 256);
    if (m.first) {
        /* SPEC 3.5: no member at all without attributes. */
        b->len = start;
        if (b->data != NULL)
            b->data[start] = '\0';
        return;
    }
    EXA_PUTS(b, " }");
}

static void
exa_json_labels(struct exa_buf *b, const Bgpbus__V1__LabelStack *l)
{
    /* 4.2: [[label], …] (main adds the raw 24-bit field, SPEC 3.5.2). */
    EXA_PUTS(b, ", \"label\": [ ");
    for (size_t i = 0; l != NULL && i < l->n_labels; i++) {
        if (i > 0)
            EXA_PUTS(b, ", ");
        exa_putc(b, '[');
        exa_put_u64(b, l->labels[i]);
        exa_putc(b, ']');
    }
    EXA_PUTS(b, " ]");
}

static void
exa_json_path_info(struct exa_buf *b, const Bgpbus__V1__Nlri *n)
{
    uint8_t id[4];

    if (!n->has_path_id)
        return;
    /* RFC 7911 3: ExaBGP shows the path identifier in dotted form. */
    id[0] = (uint8_t)(n->path_id >> 24);
    id[1] = (uint8_t)(n->path_id >> 16);
    id[2] = (uint8_t)(n->path_id >> 8);
    id[3] = (uint8_t)n->path_id;
    EXA_PUTS(b, ", \"path-information\": \"");
    exa_put_ip(b, id, 4);
    exa_putc(b, '"');
}

/* nh: the announce group's next hop, which a FlowSpec rule shows (NULL in a withdraw). */
static void
exa_json_nlri(struct exa_buf *b, const Bgpbus__V1__Nlri *n, const Bgpbus__V1__NextHop *nh)
{
    exa_putc(b, '{');
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST:
    case BGPBUS__V1__NLRI__NLRI_MULTICAST:
        EXA_PUTS(b, " \"nlri\": \"");
        exa_put_prefix(b,
                       n->nlri_case == BGPBUS__V1__NLRI__NLRI_UNICAST ? n->unicast : n->multicast);
        exa_putc(b, '"');
        exa_json_path_info(b, n);
        break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        EXA_PUTS(b, " \"nlri\": \"");
        exa_put_prefix(b, n->labeled_unicast->prefix);
        exa_putc(b, '"');
        exa_json_path_info(b, n);
        exa_json_labels(b, n->labeled_unicast->labels);
        break;
    case BGPBUS__V1__NLRI__NLRI_VPN:
        EXA_PUTS(b, " \"nlri\": \"");
        exa_put_prefix(b, n->vpn->prefix);
        exa_putc(b, '"');
        exa_json_path_info(b, n);
        exa_json_labels(b, n->vpn->labels);
        EXA_PUTS(b, ", \"rd\": \"");
        exa_put_rd(b, n->vpn->rd);
        exa_putc(b, '"');
        break;
    case BGPBUS__V1__NLRI__NLRI_VPLS:
        EXA_PUTS(b, " \"rd\": \"");
        exa_put_rd(b, n->vpls->rd);
        EXA_PUTS(b, "\", \"endpoint\": ");
        exa_put_u64(b, n->vpls->endpoint);
        EXA_PUTS(b, ", \"base\": ");
        exa_put_u64(b, n->vpls->label_base);
        EXA_PUTS(b, ", \"offset\": ");
        exa_put_u64(b, n->vpls->offset);
        EXA_PUTS(b, ", \"size\": ");
        exa_put_u64(b, n->vpls->size);
        break;
    case BGPBUS__V1__NLRI__NLRI_EVPN: exa_json_evpn(b, n->evpn); break;
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC: exa_json_flow(b, n->flowspec, nh); break;
    case BGPBUS__V1__NLRI__NLRI_RAW:
        /* A family the codec does not parse yet: its NLRI bytes, so nothing is hidden. */
        EXA_PUTS(b, " \"raw\": \"");
        exa_put_hex(b, n->raw->data.data, n->raw->has_data ? n->raw->data.len : 0);
        exa_putc(b, '"');
        break;
    default:
        /* An NLRI with no member set: nothing to show, the members stay valid JSON. */
        EXA_PUTS(b, " \"parsed\": false");
        break;
    }
    EXA_PUTS(b, " }");
}

static bool
exa_family_eq(const Bgpbus__V1__Family *a, const Bgpbus__V1__Family *b)
{
    uint32_t aa = a != NULL ? a->afi : 0, as = a != NULL ? a->safi : 0;
    uint32_t ba = b != NULL ? b->afi : 0, bs = b != NULL ? b->safi : 0;

    return aa == ba && as == bs;
}

/* Two groups share a next-hop key when they print the same: compare the bytes shown. */
static bool
exa_nexthop_eq(const Bgpbus__V1__NextHop *a, const Bgpbus__V1__NextHop *b)
{
    bool ha = a != NULL && (a->has_address || a->use_local_address);
    bool hb = b != NULL && (b->has_address || b->use_local_address);

    if (!ha || !hb)
        return ha == hb;
    if (a->use_local_address || b->use_local_address)
        return a->use_local_address == b->use_local_address;
    return a->address.len == b->address.len &&
           memcmp(a->address.data, b->address.data, a->address.len) == 0;
}

static void
exa_json_nexthop_key(struct exa_buf *b, const Bgpbus__V1__NextHop *nh,
                     const Bgpbus__V1__PeerKey *peer)
{
    exa_putc(b, '"');
    if (nh != NULL && nh->use_local_address && peer != NULL && peer->has_local_address)
        exa_put_ipb(b, peer->local_address); /* next-hop self, resolved as ExaBGP shows it */
    else if (nh != NULL && nh->has_address)
        exa_put_ipb(b, nh->address); /* RFC 2545 link-local second address not shown (4.2) */
    else
        EXA_PUTS(b, "no-nexthop");
    exa_putc(b, '"');
}

static void
exa_json_announce(struct exa_buf *b, const Bgpbus__V1__Update *u, const Bgpbus__V1__PeerKey *peer)
{
    bool first_fam = true;

    /* Families in first-seen order, next hops in first-seen order within a family: the
     * groups are few, so the quadratic scans cost less than any index. */
    for (size_t i = 0; i < u->n_announced; i++) {
        const Bgpbus__V1__UpdateAnnounce *g = u->announced[i];
        bool seen = false, first_nh = true;

        for (size_t k = 0; k < i && !seen; k++)
            seen = exa_family_eq(u->announced[k]->family, g->family);
        if (seen)
            continue;
        exa_puts(b, first_fam ? "\"announce\": { \"" : ", \"");
        first_fam = false;
        exa_put_family_pb(b, g->family, ' ');
        EXA_PUTS(b, "\": { ");
        for (size_t j = i; j < u->n_announced; j++) {
            const Bgpbus__V1__UpdateAnnounce *h = u->announced[j];
            bool nh_seen = false, first_nlri = true;

            if (!exa_family_eq(h->family, g->family))
                continue;
            for (size_t k = i; k < j && !nh_seen; k++)
                nh_seen = exa_family_eq(u->announced[k]->family, g->family) &&
                          exa_nexthop_eq(u->announced[k]->next_hop, h->next_hop);
            if (nh_seen)
                continue;
            if (!first_nh)
                EXA_PUTS(b, ", ");
            first_nh = false;
            exa_json_nexthop_key(b, h->next_hop, peer);
            EXA_PUTS(b, ": [ ");
            for (size_t k = j; k < u->n_announced; k++) {
                const Bgpbus__V1__UpdateAnnounce *x = u->announced[k];

                if (!exa_family_eq(x->family, g->family) ||
                    !exa_nexthop_eq(x->next_hop, h->next_hop))
                    continue;
                for (size_t n = 0; n < x->n_nlri; n++) {
                    if (!first_nlri)
                        EXA_PUTS(b, ", ");
                    first_nlri = false;
                    exa_json_nlri(b, x->nlri[n], x->next_hop);
                }
            }
            EXA_PUTS(b, " ]");
        }
        EXA_PUTS(b, " }");
    }
    if (!first_fam)
        EXA_PUTS(b, " }");
}

static void
exa_json_withdraw(struct exa_buf *b, const Bgpbus__V1__Update *u)
{
    bool first_fam = true;

    for (size_t i = 0; i < u->n_withdrawn; i++) {
        const Bgpbus__V1__UpdateWithdraw *g = u->withdrawn[i];
        bool seen = false, first_nlri = true;

        for (size_t k = 0; k < i && !seen; k++)
            seen = exa_family_eq(u->withdrawn[k]->family, g->family);
        if (seen)
            continue;
        exa_puts(b, first_fam ? "\"withdraw\": { \"" : ", \"");
        first_fam = false;
        exa_put_family_pb(b, g->family, ' ');
        EXA_PUTS(b, "\": [ ");
        for (size_t j = i; j < u->n_withdrawn; j++) {
            const Bgpbus__V1__UpdateWithdraw *h = u->withdrawn[j];

            if (!exa_family_eq(h->family, g->family))
                continue;
            for (size_t n = 0; n < h->n_nlri; n++) {
                if (!first_nlri)
                    EXA_PUTS(b, ", ");
                first_nlri = false;
                exa_json_nlri(b, h->nlri[n], NULL);
            }
        }
        EXA_PUTS(b, " ]");
    }
    if (!first_fam)
        EXA_PUTS(b, " }");
}

void
exa_json_update(struct exa_buf *b, const Bgpbus__V1__Update *u, const Bgpbus__V1__PeerKey *peer)
{
    size_t mark;

    EXA_PUTS(b, "{ \"update\": { ");
    mark = b->len;
    if (u->attributes != NULL)
        exa_json_attributes(b, u->attributes);
    if (u->n_announced > 0) {
        if (b->len != mark)
            EXA_PUTS(b, ", ");
        exa_json_announce(b, u, peer);
    }
    if (u->n_withdrawn > 0) {
        if (b->len != mark)
            EXA_PUTS(b, ", ");
        exa_json_withdraw(b, u);
    }
    EXA_PUTS(b, " } }");
}
