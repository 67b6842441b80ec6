/*
 * ExaBGP 4.2's text encoder (SPEC 4): "neighbor <ip> <dir> …" lines, each event followed by
 * the empty line ExaBGP writes (its strings end with '\n' and are written with another),
 * except operational events. Routes are printed in configuration syntax, attributes in
 * ascending type code order.
 */
#include "exa_int.h"
#include "exa_flow.h"
#include "exa_l2vpn.h"

static void
exa_text_prefix(struct exa_buf *b, const Bgpbus__V1__Event *ev, const char *dir)
{
    EXA_PUTS(b, "neighbor ");
    exa_put_peer_ip(b, ev);
    exa_putc(b, ' ');
    if (dir != NULL) {
        exa_puts(b, dir);
        exa_putc(b, ' ');
    }
}

static void
exa_text_header_body(struct exa_buf *b, const Bgpbus__V1__Event *ev)
{
    EXA_PUTS(b, " header ");
    exa_put_hex(b, ev->raw.data, 19);
    EXA_PUTS(b, " body ");
    exa_put_hex(b, ev->raw.data + 19, ev->raw.len - 19);
}

/* "x" for one value, "[ x y ]" for several (4.2's configuration syntax). */
static void
exa_text_list_open(struct exa_buf *b, size_t n)
{
    if (n > 1)
        EXA_PUTS(b, "[ ");
}

static void
exa_text_list_close(struct exa_buf *b, size_t n)
{
    if (n > 1)
        EXA_PUTS(b, " ]");
}

static size_t
exa_text_count_type(const Bgpbus__V1__AsPath *p, bool set)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n_segments; i++) {
        bool is_set =
            p->segments[i]->has_type &&
            p->segments[i]->type == BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET;

        if (is_set == set)
            n += p->segments[i]->n_asns;
    }
    return n;
}

/* "as-path [ 65000 ( 65001 65002 ) ]": sequences flat, sets in parentheses (SPEC 4). */
static void
exa_text_aspath(struct exa_buf *b, const Bgpbus__V1__AsPath *p)
{
    size_t seq = exa_text_count_type(p, false), set = exa_text_count_type(p, true);

    if (seq + set == 0)
        return;
    EXA_PUTS(b, " as-path ");
    if (seq == 1 && set == 0) {
        for (size_t i = 0; i < p->n_segments; i++)
            if (p->segments[i]->n_asns > 0)
                exa_put_u64(b, p->segments[i]->asns[0]);
        return;
    }
    exa_putc(b, '[');
    for (size_t i = 0; i < p->n_segments; i++) {
        const Bgpbus__V1__AsPathSegment *s = p->segments[i];
        bool is_set =
            s->has_type && s->type == BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET;

        if (s->n_asns == 0)
            continue;
        if (is_set)
            EXA_PUTS(b, " (");
        for (size_t j = 0; j < s->n_asns; j++) {
            exa_putc(b, ' ');
            exa_put_u64(b, s->asns[j]);
        }
        if (is_set)
            EXA_PUTS(b, " )");
    }
    EXA_PUTS(b, " ]");
}

static void
exa_text_unknowns(struct exa_buf *b, const Bgpbus__V1__Attributes *a, unsigned lo, unsigned hi)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < a->n_unknown; i++) {
        const Bgpbus__V1__UnknownAttribute *u = a->unknown[i];
        char head[] = " attribute [ 0x00 0x00 ";

        if (u->type < lo || u->type >= hi)
            continue;
        head[15] = digits[(u->type >> 4) & 0xf];
        head[16] = digits[u->type & 0xf];
        head[20] = digits[(u->flags >> 4) & 0xf];
        head[21] = digits[u->flags & 0xf];
        exa_put(b, head, sizeof(head) - 1);
        exa_put_hex(b, u->value.data, u->has_value ? u->value.len : 0);
        EXA_PUTS(b, " ]");
    }
}

/* The attribute text of a route: " origin igp as-path … med 50 …" (leading space). */
static void
exa_text_attributes(struct exa_buf *b, const Bgpbus__V1__Attributes *a)
{
    if (a == NULL)
        return;
    exa_text_unknowns(b, a, 0, 1);
    if (a->has_origin) {
        EXA_PUTS(b, " origin ");
        switch (a->origin) {
        case BGPBUS__V1__ORIGIN__ORIGIN_IGP: EXA_PUTS(b, "igp"); break;
        case BGPBUS__V1__ORIGIN__ORIGIN_EGP: EXA_PUTS(b, "egp"); break;
        default: EXA_PUTS(b, "incomplete"); break;
        }
    }
    exa_text_unknowns(b, a, 1, 2);
    if (a->as_path != NULL)
        exa_text_aspath(b, a->as_path);
    exa_text_unknowns(b, a, 2, 4);
    if (a->has_med) {
        EXA_PUTS(b, " med ");
        exa_put_u64(b, a->med);
    }
    exa_text_unknowns(b, a, 4, 5);
    if (a->has_local_pref) {
        EXA_PUTS(b, " local-preference ");
        exa_put_u64(b, a->local_pref);
    }
    exa_text_unknowns(b, a, 5, 6);
    if (a->has_atomic_aggregate && a->atomic_aggregate)
        EXA_PUTS(b, " atomic-aggregate");
    exa_text_unknowns(b, a, 6, 7);
    if (a->aggregator != NULL) {
        EXA_PUTS(b, " aggregator ( ");
        exa_put_u64(b, a->aggregator->asn);
        exa_putc(b, ':');
        exa_put_ipb(b, a->aggregator->address);
        EXA_PUTS(b, " )");
    }
    exa_text_unknowns(b, a, 7, 8);
    if (a->n_communities > 0) {
        EXA_PUTS(b, " community ");
        exa_text_list_open(b, a->n_communities);
        for (size_t i = 0; i < a->n_communities; i++) {
            if (i > 0)
                exa_putc(b, ' ');
            exa_put_community_text(b, a->communities[i]);
        }
        exa_text_list_close(b, a->n_communities);
    }
    exa_text_unknowns(b, a, 8, 9);
    if (a->has_originator_id) {
        EXA_PUTS(b, " originator-id ");
        exa_put_ipb(b, a->originator_id);
    }
    exa_text_unknowns(b, a, 9, 10);
    if (a->n_cluster_list > 0) {
        EXA_PUTS(b, " cluster-list ");
        exa_text_list_open(b, a->n_cluster_list);
        for (size_t i = 0; i < a->n_cluster_list; i++) {
            if (i > 0)
                exa_putc(b, ' ');
            exa_put_ipb(b, a->cluster_list[i]);
        }
        exa_text_list_close(b, a->n_cluster_list);
    }
    exa_text_unknowns(b, a, 10, 16);
    if (a->n_extended_communities > 0) {
        size_t n = 0;

        for (size_t i = 0; i < a->n_extended_communities; i++)
            n += a->extended_communities[i]->raw.len == 8;
        if (n > 0) {
            bool first = true;

            EXA_PUTS(b, " extended-community ");
            exa_text_list_open(b, n);
            for (size_t i = 0; i < a->n_extended_communities; i++) {
                if (a->extended_communities[i]->raw.len != 8)
                    continue;
                if (!first)
                    exa_putc(b, ' ');
                first = false;
                exa_put_extcomm_text(b, a->extended_communities[i]->raw.data);
            }
            exa_text_list_close(b, n);
        }
    }
    exa_text_unknowns(b, a, 16, 25);
    if (a->n_ipv6_extended_communities > 0) {
        /* 4.2 has no text name for it: the generic form with the attribute's text. */
        EXA_PUTS(b, " attribute [ 0x19 0xC0 ");
        exa_put_ipv6_extcomms_text(b, a);
        EXA_PUTS(b, " ]");
    }
    if (a->has_aigp) {
        EXA_PUTS(b, " aigp ");
        exa_put_u64(b, a->aigp);
    }
    exa_text_unknowns(b, a, 26, 32);
    if (a->n_large_communities > 0) {
        EXA_PUTS(b, " large-community ");
        exa_text_list_open(b, a->n_large_communities);
        for (size_t i = 0; i < a->n_large_communities; i++) {
            const Bgpbus__V1__LargeCommunity *l = a->large_communities[i];

            if (i > 0)
                exa_putc(b, ' ');
            exa_put_u64(b, l->global_admin);
            exa_putc(b, ':');
            exa_put_u64(b, l->local_data_1);
            exa_putc(b, ':');
            exa_put_u64(b, l->local_data_2);
        }
        exa_text_list_close(b, a->n_large_communities);
    }
    exa_text_unknowns(b, a, 32, 256);
}

static void
exa_text_labels(struct exa_buf *b, const Bgpbus__V1__LabelStack *l)
{
    size_t n = l != NULL ? l->n_labels : 0;

    if (n == 0)
        return;
    EXA_PUTS(b, " label ");
    exa_text_list_open(b, n);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            exa_putc(b, ' ');
        exa_put_u64(b, l->labels[i]);
    }
    exa_text_list_close(b, n);
}

/* The NLRI in configuration syntax, and what belongs to it after the next hop. */
static void
exa_text_nlri(struct exa_buf *b, const Bgpbus__V1__Nlri *n)
{
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST: exa_put_prefix(b, n->unicast); break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST: exa_put_prefix(b, n->multicast); break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        /* 4.2's label.py / ipvpn.py: the labels come before the next hop, the RD after. */
        exa_put_prefix(b, n->labeled_unicast->prefix);
        exa_text_labels(b, n->labeled_unicast->labels);
        break;
    case BGPBUS__V1__NLRI__NLRI_VPN:
        exa_put_prefix(b, n->vpn->prefix);
        exa_text_labels(b, n->vpn->labels);
        break;
    case BGPBUS__V1__NLRI__NLRI_VPLS:
        EXA_PUTS(b, "vpls endpoint ");
        exa_put_u64(b, n->vpls->endpoint);
        EXA_PUTS(b, " base ");
        exa_put_u64(b, n->vpls->label_base);
        EXA_PUTS(b, " offset ");
        exa_put_u64(b, n->vpls->offset);
        EXA_PUTS(b, " size ");
        exa_put_u64(b, n->vpls->size);
        EXA_PUTS(b, " rd ");
        exa_put_rd(b, n->vpls->rd);
        break;
    case BGPBUS__V1__NLRI__NLRI_EVPN: exa_text_evpn(b, n->evpn); break;
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC: exa_put_flow_text(b, n->flowspec, NULL); break;
    case BGPBUS__V1__NLRI__NLRI_RAW:
        exa_put_hex(b, n->raw->data.data, n->raw->has_data ? n->raw->data.len : 0);
        break;
    default: EXA_PUTS(b, "unparsed"); break;
    }
    if (n->has_path_id) {
        uint8_t id[4] = { (uint8_t)(n->path_id >> 24), (uint8_t)(n->path_id >> 16),
                          (uint8_t)(n->path_id >> 8), (uint8_t)n->path_id };

        EXA_PUTS(b, " path-information ");
        exa_put_ip(b, id, 4);
    }
}

static void
exa_text_nlri_extra(struct exa_buf *b, const Bgpbus__V1__Nlri *n)
{
    if (n->nlri_case == BGPBUS__V1__NLRI__NLRI_VPN) {
        EXA_PUTS(b, " rd ");
        exa_put_rd(b, n->vpn->rd);
    }
}

/* 4.2's text.py: "update announced <rule>" then the attributes; the rule ends with
 * " next-hop <ip>" only when it has one (never "no-nexthop"). */
static void
exa_text_flow_announced(struct exa_buf *b, const Bgpbus__V1__FlowSpecNlri *f,
                        const Bgpbus__V1__NextHop *nh)
{
    EXA_PUTS(b, "update announced ");
    exa_put_flow_text(b, f, nh);
}

static void
exa_text_update(struct exa_buf *b, const Bgpbus__V1__Event *ev, const char *dir, bool consolidate)
{
    const Bgpbus__V1__Update *u = ev->update;
    size_t attr_off = 0, attr_len = SIZE_MAX;

    exa_text_prefix(b, ev, dir);
    EXA_PUTS(b, "update start\n");
    for (size_t i = 0; i < u->n_withdrawn; i++) {
        for (size_t j = 0; j < u->withdrawn[i]->n_nlri; j++) {
            exa_text_prefix(b, ev, dir);
            EXA_PUTS(b, "update withdrawn ");
            exa_text_nlri(b, u->withdrawn[i]->nlri[j]);
            exa_text_nlri_extra(b, u->withdrawn[i]->nlri[j]);
            exa_putc(b, '\n');
        }
    }
    for (size_t i = 0; i < u->n_announced; i++) {
        const Bgpbus__V1__UpdateAnnounce *g = u->announced[i];
        for (size_t j = 0; j < g->n_nlri; j++) {
            exa_text_prefix(b, ev, dir);
            if (g->nlri[j]->nlri_case == BGPBUS__V1__NLRI__NLRI_FLOWSPEC) {
                exa_text_flow_announced(b, g->nlri[j]->flowspec, g->next_hop);
            } else {
                EXA_PUTS(b, "update announced ");
                exa_text_nlri(b, g->nlri[j]);
                EXA_PUTS(b, " next-hop ");
                if (g->next_hop != NULL && g->next_hop->use_local_address && ev->peer != NULL &&
                    ev->peer->has_local_address)
                    exa_put_ipb(b, ev->peer->local_address);
                else if (g->next_hop != NULL && g->next_hop->has_address)
                    exa_put_ipb(b, g->next_hop->address);
                else
                    EXA_PUTS(b, "no-nexthop");
            }
            exa_text_nlri_extra(b, g->nlri[j]);
            /* The attribute text is the same for every NLRI of the message: render it once
             * and copy it (by offset: the buffer may move when it grows). */
            if (attr_len == SIZE_MAX) {
                attr_off = b->len;
                exa_text_attributes(b, u->attributes);
                attr_len = b->oom ? 0 : b->len - attr_off;
            } else if (exa_buf_reserve(b, attr_len)) {
                memcpy(b->data + b->len, b->data + attr_off, attr_len);
                b->len += attr_len;
                b->data[b->len] = '\0';
            }
            exa_putc(b, '\n');
        }
    }
    if (consolidate) {
        exa_text_header_body(b, ev);
        exa_putc(b, '\n');
    }
    exa_text_prefix(b, ev, dir);
    EXA_PUTS(b, "update end\n");
}

/* 4.2's str() of each capability, in code order: multiprotocol(ipv4 unicast,ipv6 unicast). */
static void
exa_text_capability(struct exa_buf *b, const Bgpbus__V1__Open *o, const Bgpbus__V1__Capability *c)
{
    const uint8_t *v = c->value.data;
    size_t n = c->has_value ? c->value.len : 0;

    switch (c->code) {
    case 1: {
        bool first = true;

        EXA_PUTS(b, "multiprotocol(");
        for (size_t i = 0; i < o->n_capabilities; i++) {
            const Bgpbus__V1__Capability *m = o->capabilities[i];

            if (m->code != 1 || m->value.len < 4)
                continue;
            if (!first)
                exa_putc(b, ',');
            first = false;
            exa_put_family(b, exa_get16(m->value.data), m->value.data[3], ' ');
        }
        exa_putc(b, ')');
        return;
    }
    case 2: EXA_PUTS(b, "route refresh"); return;
    case 128: EXA_PUTS(b, "cisco route refresh"); return;
    case 6: EXA_PUTS(b, "extended message(65535)"); return;
    case 64: {
        static const char digits[] = "0123456789abcdef";

        /* RFC 4724 3, printed as 4.2: "graceful restart flags 0x8 time 120 ipv4/unicast=0x80". */
        EXA_PUTS(b, "graceful restart flags 0x");
        exa_putc(b, digits[n >= 1 ? v[0] >> 4 : 0]);
        EXA_PUTS(b, " time ");
        exa_put_u64(b, n >= 2 ? ((v[0] & 0xfu) << 8 | v[1]) : 0);
        for (size_t off = 2; off + 4 <= n; off += 4) {
            exa_putc(b, ' ');
            exa_put_family(b, exa_get16(v + off), v[off + 2], '/');
            EXA_PUTS(b, "=0x");
            if (v[off + 3] >> 4)
                exa_putc(b, digits[v[off + 3] >> 4]);
            exa_putc(b, digits[v[off + 3] & 0xf]);
        }
        return;
    }
    case 65:
        EXA_PUTS(b, "asn4(");
        exa_put_u64(b, n == 4 ? exa_get32(v) : 0);
        exa_putc(b, ')');
        return;
    case 69:
        EXA_PUTS(b, "addpath(");
        for (size_t off = 0; off + 4 <= n; off += 4) {
            static const char *const modes[] = { "disabled", "receive", "send", "send/receive" };

            if (off > 0)
                exa_putc(b, ',');
            exa_put_family(b, exa_get16(v + off), v[off + 2], ' ');
            exa_putc(b, ' ');
            exa_puts(b, modes[v[off + 3] & 3]);
        }
        exa_putc(b, ')');
        return;
    case 70: EXA_PUTS(b, "enhanced route refresh"); return;
    case 185: EXA_PUTS(b, "operational"); return;
    default:
        EXA_PUTS(b, "unknown capability ");
        exa_put_u64(b, c->code);
        exa_putc(b, ' ');
        exa_put_hex(b, v, n);
        return;
    }
}

static void
exa_text_open(struct exa_buf *b, const Bgpbus__V1__Open *o)
{
    uint32_t asn = o->asn, last = 0;
    bool first = true, have_last = false;

    for (size_t i = 0; i < o->n_capabilities; i++)
        if (o->capabilities[i]->code == 65 && o->capabilities[i]->value.len == 4)
            asn = exa_get32(o->capabilities[i]->value.data);
    EXA_PUTS(b, "open version ");
    exa_put_u64(b, o->version);
    EXA_PUTS(b, " asn ");
    exa_put_u64(b, asn);
    EXA_PUTS(b, " hold_time ");
    exa_put_u64(b, o->hold_time);
    EXA_PUTS(b, " router_id ");
    exa_put_ipb(b, o->router_id);
    EXA_PUTS(b, " capabilities [");
    /* In ascending code order, each code once: select the next larger code each round. */
    for (;;) {
        const Bgpbus__V1__Capability *next = NULL;

        for (size_t i = 0; i < o->n_capabilities; i++) {
            const Bgpbus__V1__Capability *c = o->capabilities[i];

            if ((!have_last || c->code > last) && (next == NULL || c->code < next->code))
                next = c;
        }
        if (next == NULL)
            break;
        if (!first)
            EXA_PUTS(b, ", ");
        first = false;
        exa_text_capability(b, o, next);
        last = next->code;
        have_last = true;
    }
    exa_putc(b, ']');
}

static const char *
exa_text_operational_name(uint32_t t)
{
    static const char *const names[] = { NULL,   "ADM",  "ASM",  "RPCQ", "RPCP",
                                         "APCQ", "APCP", "LPCQ", "LPCP" };

    return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

/* "<afi> safi <safi>" (after the caller's "afi "). */
static void
exa_text_afi_safi(struct exa_buf *b, const Bgpbus__V1__Family *f)
{
    size_t at = b->len;

    exa_put_family_pb(b, f, '\n');
    if (!b->oom) {
        char *nl = memchr(b->data + at, '\n', b->len - at);
        size_t pos = (size_t)(nl - b->data), tail = b->len - pos - 1;

        /* Replace the separator by " safi ": move the SAFI name 5 octets right. */
        if (exa_buf_reserve(b, 5)) {
            memmove(b->data + pos + 6, b->data + pos + 1, tail);
            memcpy(b->data + pos, " safi ", 6);
            b->len += 5;
            b->data[b->len] = '\0';
        }
    }
}

int
exa_text_event(const Bgpbus__V1__Event *ev, enum exa_form form, unsigned opts, struct exa_buf *out)
{
    size_t start = out->len;
    const char *dir = exa_direction_name(ev);
    bool raw_ok = ev->has_raw && ev->raw.len >= 19;

    (void)opts;
    if (ev->peer == NULL)
        return -1;
    if (form != EXA_PARSED && !raw_ok)
        return -1;
    if (ev->body_case == BGPBUS__V1__EVENT__BODY_STATE) {
        const Bgpbus__V1__StateChange *st = ev->state;

        exa_text_prefix(out, ev, NULL);
        switch (st->change) {
        case BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_CONNECTED:
            EXA_PUTS(out, "connected\n\n");
            break;
        case BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UP: EXA_PUTS(out, "up\n\n"); break;
        case BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN:
            /* 4.2 prints the reason as is (no bracket rewriting, unlike its JSON). */
            EXA_PUTS(out, "down - ");
            exa_puts(out, st->reason != NULL ? st->reason : "");
            EXA_PUTS(out, "\n\n");
            break;
        default: return exa_buf_rollback(out, start);
        }
        return out->oom ? exa_buf_rollback(out, start) : 0;
    }
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_OPEN:
    case BGPBUS__V1__EVENT__BODY_UPDATE:
    case BGPBUS__V1__EVENT__BODY_EOR:
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION:
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE:
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH:
    case BGPBUS__V1__EVENT__BODY_OPERATIONAL: break;
    default: return -1; /* negotiated, speaker: no text form (SPEC 4) */
    }
    if (dir == NULL)
        return -1;
    if (form == EXA_PACKETS) {
        exa_text_prefix(out, ev, dir);
        exa_put_u64(out, ev->raw.data[18]);
        exa_text_header_body(out, ev);
        EXA_PUTS(out, "\n\n");
        return out->oom ? exa_buf_rollback(out, start) : 0;
    }
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_UPDATE:
        exa_text_update(out, ev, dir, form == EXA_CONSOLIDATE);
        exa_putc(out, '\n');
        return out->oom ? exa_buf_rollback(out, start) : 0;
    case BGPBUS__V1__EVENT__BODY_EOR: {
        const Bgpbus__V1__Family *f = ev->eor->family;

        exa_text_prefix(out, ev, dir);
        EXA_PUTS(out, "update start\n");
        exa_text_prefix(out, ev, dir);
        EXA_PUTS(out, "update route eor ");
        exa_put_u64(out, f != NULL ? f->afi : 0);
        exa_putc(out, '/');
        exa_put_u64(out, f != NULL ? f->safi : 0);
        EXA_PUTS(out, " (");
        exa_put_family_pb(out, f, ' ');
        EXA_PUTS(out, ")\n");
        if (form == EXA_CONSOLIDATE) {
            exa_text_header_body(out, ev);
            exa_putc(out, '\n');
        }
        exa_text_prefix(out, ev, dir);
        EXA_PUTS(out, "update end\n\n");
        return out->oom ? exa_buf_rollback(out, start) : 0;
    }
    default: break;
    }
    exa_text_prefix(out, ev, dir);
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_OPEN: exa_text_open(out, ev->open); break;
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE: EXA_PUTS(out, "keepalive"); break;
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION: {
        const Bgpbus__V1__Notification *n = ev->notification;

        EXA_PUTS(out, "notification code ");
        exa_put_u64(out, n->code);
        EXA_PUTS(out, " subcode ");
        exa_put_u64(out, n->subcode);
        EXA_PUTS(out, " data ");
        exa_put_hex(out, n->data.data, n->has_data ? n->data.len : 0);
        break;
    }
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH: {
        const Bgpbus__V1__RouteRefresh *rr = ev->route_refresh;

        EXA_PUTS(out, "route-refresh afi ");
        exa_text_afi_safi(out, rr->family);
        exa_putc(out, ' ');
        exa_puts(out, exa_refresh_subtype_name(rr->subtype));
        break;
    }
    case BGPBUS__V1__EVENT__BODY_OPERATIONAL: {
        const Bgpbus__V1__Operational *op = ev->operational;
        const char *name = exa_text_operational_name(op->has_type ? op->type : 0);

        EXA_PUTS(out, "operational ");
        if (name == NULL) {
            EXA_PUTS(out, "unknown type ");
            exa_put_u64(out, op->has_raw_type ? op->raw_type : op->type);
            EXA_PUTS(out, " data ");
            exa_put_hex(out, op->raw_data.data, op->has_raw_data ? op->raw_data.len : 0);
        } else {
            exa_puts(out, name);
            EXA_PUTS(out, " afi ");
            exa_text_afi_safi(out, op->family);
            if (op->type == BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_ADM ||
                op->type == BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_ASM) {
                EXA_PUTS(out, " advisory \"");
                exa_puts(out, op->advisory != NULL ? op->advisory : "");
                exa_putc(out, '"');
            } else if (op->type == BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_RPCP ||
                       op->type == BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_APCP ||
                       op->type == BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_LPCP) {
                EXA_PUTS(out, " router-id ");
                exa_put_ipb(out, op->router_id);
                EXA_PUTS(out, " sequence ");
                exa_put_u64(out, op->sequence);
                EXA_PUTS(out, " counter ");
                exa_put_u64(out, op->counter);
            }
        }
        if (form == EXA_CONSOLIDATE)
            exa_text_header_body(out, ev);
        /* SPEC 4: operational lines have no empty line after them. */
        exa_putc(out, '\n');
        return out->oom ? exa_buf_rollback(out, start) : 0;
    }
    default: return exa_buf_rollback(out, start);
    }
    if (form == EXA_CONSOLIDATE)
        exa_text_header_body(out, ev);
    EXA_PUTS(out, "\n\n");
    return out->oom ? exa_buf_rollback(out, start) : 0;
}

void
exa_text_shutdown(long pid, long ppid, struct exa_buf *out)
{
    EXA_PUTS(out, "shutdown ");
    exa_put_i64(out, pid);
    exa_putc(out, ' ');
    exa_put_i64(out, ppid);
    EXA_PUTS(out, "\n\n");
}
