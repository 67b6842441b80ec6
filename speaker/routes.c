/* routes.c: routes of the contract into Adj-RIBs-Out (see routes.h). */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "adjout.h"
#include "attrset.h"
#include "grammar_route.h"
#include "log.h"
#include "nlri_evpn.h"
#include "nlri_flow.h"
#include "nlri_vpls.h"
#include "nlri_vpn.h"
#include "arena.h"

uint32_t
speaker_owner_id(struct speaker *sp, const char *owner)
{
    if (!owner)
        owner = "";
    for (size_t i = 0; i < sp->nowners; i++)
        if (strcmp(sp->owners[i], owner) == 0)
            return (uint32_t)i;
    char **n = realloc(sp->owners, (sp->nowners + 1) * sizeof(*n));
    char *copy = strdup(owner);
    if (!n || !copy) {
        free(copy);
        if (n)
            sp->owners = n;
        return 0;
    }
    sp->owners = n;
    sp->owners[sp->nowners] = copy;
    return (uint32_t)sp->nowners++;
}

const char routes_err_family[] = "this family is not supported by the speaker yet";

const char *
routes_nlri_from(const Bgpbus__V1__Nlri *m, struct arena *a, struct nlri *out)
{
    const Bgpbus__V1__Prefix *pf = NULL;
    bool mcast = false;

    memset(out, 0, sizeof(*out));
    if (!m)
        return "route without NLRI";
    switch (m->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST: pf = m->unicast; break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST:
        pf = m->multicast;
        mcast = true;
        break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
    case BGPBUS__V1__NLRI__NLRI_VPN: {
        /* RFC 8277 / RFC 4364: the prefix with its labels (and RD), see nlri_vpn.c. */
        bool vpn = m->nlri_case == BGPBUS__V1__NLRI__NLRI_VPN;
        const char *err;

        if (vpn ? !m->vpn : !m->labeled_unicast)
            return "route without NLRI";
        err = vpn ? nlri_vpn_from_proto(m->vpn->prefix, m->vpn->labels, m->vpn->rd, true, a, out)
                  : nlri_vpn_from_proto(m->labeled_unicast->prefix, m->labeled_unicast->labels,
                                        NULL, false, a, out);
        if (err != NULL)
            return err;
        goto path_id;
    }
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC: {
        /* RFC 8955 / 8956: the rule's canonical wire form, see nlri_flow.c. */
        const char *err = nlri_flow_from_proto(m->flowspec, a, out);

        if (err != NULL)
            return err;
        goto path_id;
    }
    case BGPBUS__V1__NLRI__NLRI_EVPN:
    case BGPBUS__V1__NLRI__NLRI_VPLS: {
        /* RFC 7432 / RFC 4761: the route's wire form, see nlri_evpn.c and nlri_vpls.c. */
        const char *err = m->nlri_case == BGPBUS__V1__NLRI__NLRI_EVPN
                              ? nlri_evpn_from_proto(m->evpn, a, out)
                              : nlri_vpls_from_proto(m->vpls, a, out);

        if (err != NULL)
            return err;
        goto path_id;
    }
    case BGPBUS__V1__NLRI__NLRI__NOT_SET: return "route without NLRI";
    default: return routes_err_family;
    }
    if (!pf || !pf->has_address || (pf->address.len != 4 && pf->address.len != 16))
        return "prefix address must be 4 or 16 octets";
    unsigned max = (unsigned)pf->address.len * 8;
    if (!pf->has_length || pf->length > max)
        return "invalid prefix length";
    bool v4 = pf->address.len == 4;
    out->fam = (int8_t)(v4 ? (mcast ? BGP_FAM_IPV4_MULTICAST : BGP_FAM_IPV4_UNICAST)
                           : (mcast ? BGP_FAM_IPV6_MULTICAST : BGP_FAM_IPV6_UNICAST));
    out->len = (uint16_t)pf->length;
    memcpy(out->addr, pf->address.data, pf->address.len);
    /* ExaBGP: "invalid network" when host bits are set. */
    for (unsigned bit = pf->length; bit < max; bit++)
        if (out->addr[bit / 8] & (0x80 >> (bit % 8)))
            return "host bits set in prefix (not a network address)";
path_id:
    if (m->has_path_id) {
        out->has_path_id = true;
        out->path_id = m->path_id;
    }
    return NULL;
}

const char *
routes_check_attributes(enum bgp_family fam, const Bgpbus__V1__Attributes *a)
{
    /* RFC 8955 4: a FlowSpec rule has no next hop, unless an action (redirect to IP) uses one. */
    bool nh_optional = bgp_family_table[fam].ops == &nlri_ops_flow;

    if (!a)
        return "missing attributes";
    if (!a->next_hop)
        return nh_optional ? NULL : "missing next-hop";
    const Bgpbus__V1__NextHop *nh = a->next_hop;
    if (nh->has_use_local_address && nh->use_local_address)
        return NULL;
    if (!nh->has_address || (nh->address.len != 4 && nh->address.len != 16))
        return "next-hop must be an IPv4 or IPv6 address, or self";
    return NULL;
}

size_t
routes_apply(struct speaker *sp, struct peer **peers, size_t npeers, Bgpbus__V1__Route **routes,
             size_t n, const Bgpbus__V1__Attributes *shared, bool announce, const char *owner,
             Bgpbus__V1__ItemResult *items)
{
    /* One interned set per distinct Attributes message: a batch sharing one costs one lookup. */
    const Bgpbus__V1__Attributes *cached_key = NULL;
    struct attrset *cached = NULL;
    size_t failed = 0;
    struct arena nlri_bytes; /* the NLRI bytes of families that have some, until adjout copies */

    arena_init(&nlri_bytes, 4096);
    for (size_t i = 0; i < n; i++) {
        const Bgpbus__V1__Route *r = routes[i];
        Bgpbus__V1__ItemResult *it = &items[i];
        struct attrset *set = NULL;
        struct nlri nl;

        bgpbus__v1__item_result__init(it);
        const char *err = routes_nlri_from(r->nlri, &nlri_bytes, &nl);
        if (!err && announce) {
            const Bgpbus__V1__Attributes *a = r->attributes ? r->attributes : shared;
            err = routes_check_attributes((enum bgp_family)nl.fam, a);
            if (!err && a == cached_key) {
                set = cached;
            } else if (!err) {
                set = attrset_intern(sp->attrsets, a);
                if (!set) {
                    err = "out of memory";
                } else {
                    if (cached)
                        attrset_unref(sp->attrsets, cached);
                    cached_key = a;
                    cached = set; /* the cache holds this reference */
                }
            }
        }
        it->has_status = true;
        if (err) {
            it->status = BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT;
            it->error = (char *)err;
            failed++;
            continue;
        }
        uint32_t oid = speaker_owner_id(sp, r->owner ? r->owner : owner);
        it->status = BGPBUS__V1__STATUS__STATUS_OK;
        for (size_t p = 0; p < npeers; p++) {
            if (adjout_set(peers[p]->adjout, &nl, set, oid) < 0) {
                it->status = BGPBUS__V1__STATUS__STATUS_ERROR;
                it->error = "out of memory";
                failed++;
                break;
            }
        }
    }
    if (cached)
        attrset_unref(sp->attrsets, cached);
    arena_free(&nlri_bytes);
    return failed;
}

void
static_routes_apply(struct speaker *sp, struct peer *p)
{
    const struct conf_neighbor *c = p->cfg;
    struct arena arena;

    /* The file is the whole truth about "config" routes: what it no longer lists goes, what it
     * still lists unchanged is not sent again (ExaBGP's reload sends only the differences). */
    adjout_mark_stale(p->adjout, speaker_owner_id(sp, "config"));
    arena_init(&arena, 65536);
    for (size_t i = 0; i < c->nroutes; i++) {
        const struct conf_route *cr = &c->routes[i];
        const char **words = arena_calloc(&arena, cr->nwords + 1, sizeof(*words));
        struct grammar_routes out;
        struct grammar_error err;
        unsigned flags = GRAMMAR_ANNOUNCE;
        int rc;

        if (!words)
            break;
        for (size_t w = 0; w < cr->nwords; w++)
            words[w] = cr->words[w].text;
        memset(&out, 0, sizeof(out));
        memset(&err, 0, sizeof(err));
        switch (cr->kind) {
        case CONF_ROUTE_STATIC:
            rc = grammar_route_parse(words, cr->nwords, flags, &arena, &out, &err);
            break;
        case CONF_ROUTE_ATTRIBUTES:
            rc = grammar_attributes_parse(words, cr->nwords, flags, &arena, &out, &err);
            break;
        case CONF_ROUTE_ANNOUNCE:
            if (cr->family && cr->family->safi == 2)
                flags |= GRAMMAR_SAFI_MULTICAST;
            else if (cr->family && cr->family->safi == 4)
                flags |= GRAMMAR_SAFI_LABELED;
            else if (cr->family && cr->family->safi == 128)
                flags |= GRAMMAR_SAFI_VPN;
            else
                flags |= GRAMMAR_SAFI_UNICAST;
            rc = grammar_route_parse(words, cr->nwords, flags, &arena, &out, &err);
            break;
        case CONF_ROUTE_FLOW:
            rc = grammar_flow_parse(words, cr->nwords, flags, &arena, &out, &err);
            break;
        case CONF_ROUTE_VPLS:
            rc = grammar_vpls_parse(words, cr->nwords, flags, &arena, &out, &err);
            break;
        default: continue; /* operational messages are sent on request, not kept */
        }
        const struct conf_word *at = &cr->at;
        if (rc < 0) {
            if (err.word >= 0 && (size_t)err.word < cr->nwords)
                at = &cr->words[err.word];
            log_error("%s:%d:%d: %s", at->file ? at->file : sp->config_path, at->line, at->col,
                      err.msg);
            continue;
        }
        Bgpbus__V1__ItemResult *items = arena_calloc(&arena, out.nroutes + 1, sizeof(*items));
        if (!items)
            break;
        routes_apply(sp, &p, 1, out.routes, out.nroutes, out.attributes, true, "config", items);
        for (size_t r = 0; r < out.nroutes; r++)
            if (items[r].status != BGPBUS__V1__STATUS__STATUS_OK)
                log_error("%s:%d:%d: route not accepted: %s", at->file ? at->file : sp->config_path,
                          at->line, at->col, items[r].error ? items[r].error : "?");
    }
    arena_free(&arena);
    adjout_withdraw_stale(p->adjout, speaker_owner_id(sp, "config"));
    if (c->auto_flush)
        adjout_flush(p->adjout);
}
