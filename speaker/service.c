/*
 * service.c: the speaker's side of the bus: one Request in, one Reply out (bgpbus.v1).
 *
 * Every command answers at once: route commands are scheduled into the Adj-RIB-Out (and, with
 * auto-flush, packed onto the wire before the reply leaves), as ExaBGP acks a route once it is
 * in its adj-rib-out. Per-item status says what happened to each route of a batch.
 */
#include "service.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "adjin.h"
#include "adjout.h"
#include "arena.h"
#include "attrset.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "bus.h"
#include "events.h"
#include "log.h"
#include "neighbor_admin.h"
#include "owner_session.h"
#include "routes.h"
#include "session.h"
#include "update_proto.h"
#include "version.h"

struct svc_ctx {
    struct speaker *sp;
    struct arena *a;
    const Bgpbus__V1__Request *req;
    Bgpbus__V1__Reply *rep;
    struct peer **sel; /* selected peers */
    size_t nsel;
    uint32_t pipe; /* the bus connection the request came on */
};

static void
reply_error(Bgpbus__V1__Reply *rep, Bgpbus__V1__Status st, const char *msg)
{
    rep->has_status = true;
    rep->status = st;
    rep->error = (char *)msg;
}

static ProtobufCBinaryData
bin(struct arena *a, const void *p, size_t n)
{
    ProtobufCBinaryData b = { .len = n, .data = arena_memdup(a, p, n) };
    return b;
}

/* ---- neighbor selection ---------------------------------------------------------------------- */

static bool
bytes_eq(const ProtobufCBinaryData *b, const struct conf_addr *addr)
{
    size_t n = addr->af == AF_INET ? 4 : addr->af == AF_INET6 ? 16 : 0;
    return n && b->len == n && memcmp(b->data, addr->bytes, n) == 0;
}

static bool
match_one(const struct peer *p, const Bgpbus__V1__NeighborMatch *m)
{
    const struct conf_neighbor *c = p->cfg;
    if (m->has_address && !bytes_eq(&m->address, &c->peer_address))
        return false;
    if (m->has_local_address && !bytes_eq(&m->local_address, &c->local_address))
        return false;
    if (m->has_local_as && m->local_as != c->local_as)
        return false;
    if (m->has_peer_as && m->peer_as != c->peer_as)
        return false;
    if (m->has_router_id) {
        uint8_t id[4];
        wire_store_u32(id, p->router_id);
        if (m->router_id.len != 4 || memcmp(m->router_id.data, id, 4) != 0)
            return false;
    }
    if (m->family_allowed && strcmp(m->family_allowed, "in-open") != 0 &&
        !c->capability.multi_session)
        return false;
    return true;
}

static void
select_peers(struct svc_ctx *x)
{
    const Bgpbus__V1__NeighborSelector *s = x->req->neighbors;
    struct speaker *sp = x->sp;

    x->sel = arena_calloc(x->a, sp->npeers ? sp->npeers : 1, sizeof(*x->sel));
    x->nsel = 0;
    if (!x->sel)
        return;
    for (size_t i = 0; i < sp->npeers; i++) {
        struct peer *p = sp->peers[i];
        bool ok = !s || (s->has_all && s->all);
        for (size_t m = 0; !ok && s && m < s->n_matches; m++)
            ok = match_one(p, s->matches[m]);
        if (ok)
            x->sel[x->nsel++] = p;
    }
}

/* ---- routes ------------------------------------------------------------------------------------
 */

static void
svc_routes(struct svc_ctx *x, Bgpbus__V1__Route **routes, size_t n,
           const Bgpbus__V1__Attributes *shared, bool announce)
{
    Bgpbus__V1__Reply *rep = x->rep;

    if (x->nsel == 0) {
        reply_error(rep, BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR,
                    "no neighbor matches the selector");
        return;
    }
    rep->items = arena_calloc(x->a, n ? n : 1, sizeof(*rep->items));
    Bgpbus__V1__ItemResult *items = arena_calloc(x->a, n ? n : 1, sizeof(*items));
    if (!rep->items || !items) {
        reply_error(rep, BGPBUS__V1__STATUS__STATUS_ERROR, "out of memory");
        return;
    }
    size_t failed =
        routes_apply(x->sp, x->sel, x->nsel, routes, n, shared, announce, x->req->owner, items);
    for (size_t i = 0; i < n; i++)
        rep->items[rep->n_items++] = &items[i];
    for (size_t p = 0; p < x->nsel; p++)
        if (x->sel[p]->cfg->auto_flush)
            adjout_flush(x->sel[p]->adjout);
    rep->has_status = true;
    rep->status = failed == 0   ? BGPBUS__V1__STATUS__STATUS_OK
                  : failed == n ? BGPBUS__V1__STATUS__STATUS_ERROR
                                : BGPBUS__V1__STATUS__STATUS_PARTIAL;
    if (failed)
        rep->error = failed == n ? "every item failed" : "some items failed";
}

static bgp_famset
families_of(Bgpbus__V1__Family **f, size_t n)
{
    bgp_famset s = 0;
    for (size_t i = 0; i < n; i++) {
        enum bgp_family fam = bgp_family_from((uint16_t)f[i]->afi, (uint8_t)f[i]->safi);
        if (fam != BGP_FAM_NONE)
            s |= BGP_FAMSET(fam);
    }
    return s;
}

/* ---- neighbors --------------------------------------------------------------------------------
 */

static Bgpbus__V1__PeerKey *
svc_peer_key(struct arena *a, const struct peer *p)
{
    Bgpbus__V1__PeerKey *k = arena_alloc(a, sizeof(*k));
    const struct conf_neighbor *c = p->cfg;
    uint8_t id[4], local[16];

    if (!k)
        return NULL;
    bgpbus__v1__peer_key__init(k);
    k->has_address = true;
    k->address = bin(a, c->peer_address.bytes, c->peer_address.af == AF_INET ? 4 : 16);
    int llen = p->est ? session_local_addr(p->est, c->peer_address.af, local) : -1;
    if (llen > 0) {
        k->has_local_address = true;
        k->local_address = bin(a, local, (size_t)llen);
    } else if (c->local_address.af) {
        k->has_local_address = true;
        k->local_address = bin(a, c->local_address.bytes, c->local_address.af == AF_INET ? 4 : 16);
    }
    k->has_local_as = true;
    k->local_as = c->local_as;
    k->has_peer_as = true;
    k->peer_as = c->peer_as;
    wire_store_u32(id, p->router_id);
    k->has_local_router_id = true;
    k->local_router_id = bin(a, id, 4);
    if (p->est) {
        wire_store_u32(id, p->est->remote_open.bgp_id);
        k->has_peer_router_id = true;
        k->peer_router_id = bin(a, id, 4);
    }
    return k;
}

static Bgpbus__V1__MessageCounters *
counters(struct arena *a, uint64_t total, uint64_t updates, uint64_t notif, uint64_t ka,
         uint64_t rr)
{
    Bgpbus__V1__MessageCounters *m = arena_alloc(a, sizeof(*m));
    if (!m)
        return NULL;
    bgpbus__v1__message_counters__init(m);
    m->has_total = true;
    m->total = total;
    m->has_updates = true;
    m->updates = updates;
    m->has_notifications = true;
    m->notifications = notif;
    m->has_keepalives = true;
    m->keepalives = ka;
    m->has_route_refreshes = true;
    m->route_refreshes = rr;
    return m;
}

static void
svc_neighbors(struct svc_ctx *x, bool all)
{
    struct arena *a = x->a;
    Bgpbus__V1__NeighborList *list = arena_alloc(a, sizeof(*list));
    struct peer **v = all ? x->sp->peers : x->sel;
    size_t n = all ? x->sp->npeers : x->nsel;

    if (!list)
        return;
    bgpbus__v1__neighbor_list__init(list);
    list->neighbors = arena_calloc(a, n ? n : 1, sizeof(*list->neighbors));
    for (size_t i = 0; list->neighbors && i < n; i++) {
        const struct peer *p = v[i];
        const struct conf_neighbor *c = p->cfg;
        Bgpbus__V1__Neighbor *nb = arena_alloc(a, sizeof(*nb));
        Bgpbus__V1__NeighborConfig *cfg = arena_alloc(a, sizeof(*cfg));
        Bgpbus__V1__NeighborState *st = arena_alloc(a, sizeof(*st));
        if (!nb || !cfg || !st)
            break;
        bgpbus__v1__neighbor__init(nb);
        bgpbus__v1__neighbor_config__init(cfg);
        bgpbus__v1__neighbor_state__init(st);
        cfg->has_address = true;
        cfg->address = bin(a, c->peer_address.bytes, c->peer_address.af == AF_INET ? 4 : 16);
        if (c->local_address.af) {
            cfg->has_local_address = true;
            cfg->local_address =
                bin(a, c->local_address.bytes, c->local_address.af == AF_INET ? 4 : 16);
        }
        cfg->has_local_as = true;
        cfg->local_as = c->local_as;
        cfg->has_peer_as = true;
        cfg->peer_as = c->peer_as;
        cfg->has_hold_time = true;
        cfg->hold_time = c->hold_time;
        cfg->has_passive = true;
        cfg->passive = c->passive;
        cfg->description = (char *)c->description;
        st->peer = svc_peer_key(a, p);
        st->has_fsm_state = true;
        st->fsm_state = (Bgpbus__V1__FsmState)(p->state + 1);
        if (p->est) {
            st->has_uptime = true;
            st->uptime = speaker_now() - p->up_since;
        }
        st->received = counters(a, p->stats.msg_in, p->stats.updates_in, p->stats.notifications_in,
                                p->stats.keepalives_in, p->stats.refresh_in);
        st->sent = counters(a, p->stats.msg_out, p->stats.updates_out, p->stats.notifications_out,
                            p->stats.keepalives_out, p->stats.refresh_out);
        if (p->adjin) {
            st->has_routes_received = true;
            st->routes_received = adjin_count(p->adjin);
        }
        st->has_routes_advertised = true;
        st->routes_advertised = adjout_count(p->adjout);
        st->has_routes_pending = true;
        st->routes_pending = adjout_pending(p->adjout);
        nb->config = cfg;
        nb->state = st;
        list->neighbors[list->n_neighbors++] = nb;
    }
    x->rep->result_case = BGPBUS__V1__REPLY__RESULT_NEIGHBORS;
    x->rep->neighbors = list;
}

/* ---- adj-rib-out listing ------------------------------------------------------------------------
 */

struct walk_ctx {
    struct speaker *sp;
    struct arena *a;
    Bgpbus__V1__PeerRoutes *pr;
    size_t cap;
    const char *owner;          /* NULL: any */
    struct attrset_memo *attrs; /* each set decoded once for the whole reply */
};

static void
walk_route(void *arg, const struct nlri *n, const struct attrset *set, uint32_t owner)
{
    struct walk_ctx *w = arg;
    if (w->owner && strcmp(w->sp->owners[owner], w->owner) != 0)
        return;
    if (w->pr->n_routes == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 64;
        Bgpbus__V1__Route **nr = arena_calloc(w->a, ncap, sizeof(*nr));
        if (!nr)
            return;
        if (w->cap)
            memcpy(nr, w->pr->routes, w->cap * sizeof(*nr));
        w->pr->routes = nr;
        w->cap = ncap;
    }
    Bgpbus__V1__Route *r = arena_alloc(w->a, sizeof(*r));
    Bgpbus__V1__Nlri *m = proto_nlri(w->a, n);
    const Bgpbus__V1__Attributes *attrs = attrset_memo_get(w->attrs, set);
    if (!r || !m || !attrs)
        return;
    bgpbus__v1__route__init(r);
    r->nlri = m;
    r->attributes = (Bgpbus__V1__Attributes *)attrs;
    r->owner = w->sp->owners[owner];
    w->pr->routes[w->pr->n_routes++] = r;
}

static void
svc_rib(struct svc_ctx *x, bool in, const char *owner, bgp_famset fams)
{
    struct arena *a = x->a;
    Bgpbus__V1__RouteTable *t = arena_alloc(a, sizeof(*t));
    if (!t)
        return;
    bgpbus__v1__route_table__init(t);
    t->peers = arena_calloc(a, x->nsel ? x->nsel : 1, sizeof(*t->peers));
    struct attrset_memo memo;
    attrset_memo_init(&memo, a);
    for (size_t i = 0; t->peers && i < x->nsel; i++) {
        Bgpbus__V1__PeerRoutes *pr = arena_alloc(a, sizeof(*pr));
        if (!pr)
            break;
        bgpbus__v1__peer_routes__init(pr);
        pr->peer = svc_peer_key(a, x->sel[i]);
        struct walk_ctx w = { .sp = x->sp, .a = a, .pr = pr, .owner = owner, .attrs = &memo };
        if (!in)
            adjout_walk(x->sel[i]->adjout, fams, walk_route, &w);
        else if (x->sel[i]->adjin)
            adjin_walk(x->sel[i]->adjin, fams, walk_route, &w);
        t->peers[t->n_peers++] = pr;
    }
    attrset_memo_free(&memo);
    x->rep->result_case = BGPBUS__V1__REPLY__RESULT_ROUTES;
    x->rep->routes = t;
}

/* ---- dispatch ----------------------------------------------------------------------------------
 */

static void
svc_dispatch(struct svc_ctx *x)
{
    const Bgpbus__V1__Request *req = x->req;
    Bgpbus__V1__Reply *rep = x->rep;
    struct speaker *sp = x->sp;

    rep->has_status = true;
    rep->status = BGPBUS__V1__STATUS__STATUS_OK;
    select_peers(x);

    switch (req->command_case) {
    case BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE:
        svc_routes(x, req->announce->routes, req->announce->n_routes, req->announce->attributes,
                   true);
        break;
    case BGPBUS__V1__REQUEST__COMMAND_WITHDRAW:
        svc_routes(x, req->withdraw->routes, req->withdraw->n_routes, NULL, false);
        break;
    case BGPBUS__V1__REQUEST__COMMAND_FLUSH:
        for (size_t i = 0; i < x->nsel; i++)
            adjout_flush(x->sel[i]->adjout);
        break;
    case BGPBUS__V1__REQUEST__COMMAND_END_OF_RIB: {
        const Bgpbus__V1__EndOfRib *e = req->end_of_rib;
        enum bgp_family f = BGP_FAM_IPV4_UNICAST;
        if (e->family)
            f = bgp_family_from((uint16_t)e->family->afi, (uint8_t)e->family->safi);
        if (f == BGP_FAM_NONE) {
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT, "unknown family");
            break;
        }
        size_t sent = 0;
        for (size_t i = 0; i < x->nsel; i++)
            if (x->sel[i]->est) {
                adjout_flush(x->sel[i]->adjout);
                adjout_send_eor(x->sel[i]->adjout, f);
                sent++;
            }
        if (!sent)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR,
                        "no established neighbor matches");
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_ROUTE_REFRESH: {
        const Bgpbus__V1__RouteRefresh *r = req->route_refresh;
        if (!r->family) {
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT, "family required");
            break;
        }
        size_t sent = 0;
        for (size_t i = 0; i < x->nsel; i++) {
            struct peer *p = x->sel[i];
            if (!p->est)
                continue;
            /* ExaBGP: dropped when the peer did not advertise route refresh. */
            if (p->est->neg.route_refresh)
                peer_send_refresh(p, p->est, (uint16_t)r->family->afi, (uint8_t)r->family->safi,
                                  r->has_subtype && r->subtype ? (uint8_t)(r->subtype - 1) : 0);
            sent++;
        }
        if (!sent)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR,
                        "no established neighbor matches");
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_TEARDOWN: {
        uint32_t sub =
            req->teardown->has_subcode ? req->teardown->subcode : BGP_ERR_CEASE_ADMIN_SHUTDOWN;
        for (size_t i = 0; i < x->nsel; i++)
            if (x->sel[i]->est)
                peer_shutdown(x->sel[i], (uint8_t)sub, req->teardown->message, false);
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_SHUTDOWN:
        speaker_request_shutdown(sp, req->shutdown->reason ? req->shutdown->reason
                                                           : "shutdown requested over the bus");
        break;
    case BGPBUS__V1__REQUEST__COMMAND_RESTART: speaker_restart(sp); break;
    case BGPBUS__V1__REQUEST__COMMAND_RELOAD:
        if (speaker_reload(sp) < 0)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_ERROR,
                        "the configuration does not load; nothing changed (see the log)");
        break;
    case BGPBUS__V1__REQUEST__COMMAND_VERSION: {
        Bgpbus__V1__VersionInfo *v = arena_alloc(x->a, sizeof(*v));
        if (!v)
            break;
        bgpbus__v1__version_info__init(v);
        v->application = "bgpbus";
        v->version = BGPBUS_VERSION;
        v->exabgp_api = "4.0.1";
        rep->result_case = BGPBUS__V1__REPLY__RESULT_VERSION;
        rep->version = v;
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_PING: {
        Bgpbus__V1__Pong *pong = arena_alloc(x->a, sizeof(*pong));
        if (!pong)
            break;
        bgpbus__v1__pong__init(pong);
        pong->has_epoch = true;
        pong->epoch = sp->epoch;
        pong->has_time = true;
        pong->time = speaker_now();
        pong->has_uptime = true;
        pong->uptime = pong->time - sp->started;
        Bgpbus__V1__EventPage page = BGPBUS__V1__EVENT_PAGE__INIT;
        ev_read(sp, UINT64_MAX, 1, NULL, x->a, &page);
        pong->has_newest_seq = true;
        pong->newest_seq = page.newest_seq;
        rep->result_case = BGPBUS__V1__REPLY__RESULT_PONG;
        rep->pong = pong;
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_LIST_NEIGHBORS: svc_neighbors(x, !req->neighbors); break;
    case BGPBUS__V1__REQUEST__COMMAND_SHOW_NEIGHBOR: svc_neighbors(x, false); break;
    case BGPBUS__V1__REQUEST__COMMAND_SHOW_ADJ_RIB:
        svc_rib(x, req->show_adj_rib->direction == BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN,
                NULL, families_of(req->show_adj_rib->families, req->show_adj_rib->n_families));
        break;
    case BGPBUS__V1__REQUEST__COMMAND_LIST_ROUTES:
        svc_rib(x, false,
                req->list_routes->owner ? req->list_routes->owner
                : req->owner            ? req->owner
                                        : "",
                families_of(req->list_routes->families, req->list_routes->n_families));
        break;
    case BGPBUS__V1__REQUEST__COMMAND_CLEAR_ADJ_RIB:
        if (req->clear_adj_rib->direction == BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN) {
            for (size_t i = 0; i < x->nsel; i++)
                if (x->sel[i]->adjin)
                    adjin_clear(x->sel[i]->adjin);
            break;
        }
        for (size_t i = 0; i < x->nsel; i++) {
            adjout_withdraw_all(x->sel[i]->adjout, UINT32_MAX);
            adjout_flush(x->sel[i]->adjout);
        }
        break;
    case BGPBUS__V1__REQUEST__COMMAND_FLUSH_ADJ_RIB_OUT: {
        bgp_famset fams =
            families_of(req->flush_adj_rib_out->families, req->flush_adj_rib_out->n_families);
        size_t sent = 0;
        for (size_t i = 0; i < x->nsel; i++)
            if (x->sel[i]->est) {
                for (int f = 0; f < BGP_FAM_COUNT; f++)
                    if (!fams || bgp_famset_has(fams, (enum bgp_family)f))
                        adjout_refresh(x->sel[i]->adjout, (enum bgp_family)f);
                sent++;
            }
        if (!sent)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR,
                        "no established neighbor matches");
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_WITHDRAW_OWNER: {
        const char *owner = req->withdraw_owner->owner ? req->withdraw_owner->owner : req->owner;
        uint32_t oid = speaker_owner_id(sp, owner);
        uint64_t total = 0;
        for (size_t i = 0; i < x->nsel; i++) {
            total += adjout_withdraw_all(x->sel[i]->adjout, oid);
            adjout_flush(x->sel[i]->adjout);
        }
        Bgpbus__V1__WithdrawOwnerResult *res = arena_alloc(x->a, sizeof(*res));
        if (res) {
            bgpbus__v1__withdraw_owner_result__init(res);
            res->has_routes = true;
            res->routes = total;
            rep->result_case = BGPBUS__V1__REPLY__RESULT_OWNER_WITHDRAWN;
            rep->owner_withdrawn = res;
        }
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_ADD_NEIGHBOR: {
        const char *why = NULL;
        if (!req->add_neighbor->config) {
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT, "config is required");
            break;
        }
        if (neighbor_add(sp, req->add_neighbor->config, &why) < 0)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT, why);
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_REMOVE_NEIGHBOR:
        /* An absent selector selects nothing here (the contract's safety rule). */
        if (!req->neighbors || neighbor_remove(sp, x->sel, x->nsel) == 0)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_NO_MATCHING_NEIGHBOR,
                        "no neighbor matches the selector");
        break;
    case BGPBUS__V1__REQUEST__COMMAND_OWNER_SESSION: {
        const Bgpbus__V1__OwnerSession *os = req->owner_session;
        const char *why = NULL;
        if (owner_session_set(sp, os->owner ? os->owner : req->owner,
                              os->has_withdraw_on_disconnect && os->withdraw_on_disconnect,
                              os->has_heartbeat ? os->heartbeat : 0, os->has_end && os->end,
                              x->pipe, &why) < 0)
            reply_error(rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT, why);
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND_READ_EVENTS: {
        Bgpbus__V1__EventPage *page = arena_alloc(x->a, sizeof(*page));
        if (!page)
            break;
        bgpbus__v1__event_page__init(page);
        ev_read(sp, req->read_events->from_seq, req->read_events->max_events,
                req->read_events->topic_prefix, x->a, page);
        rep->result_case = BGPBUS__V1__REPLY__RESULT_EVENTS;
        rep->events = page;
        break;
    }
    case BGPBUS__V1__REQUEST__COMMAND__NOT_SET:
        reply_error(rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT, "request without command");
        break;
    default:
        reply_error(rep, BGPBUS__V1__STATUS__STATUS_UNSUPPORTED,
                    "command not supported by this speaker yet");
        break;
    }
}

void
service_request(struct bus_server *srv, void *arg, const uint8_t *buf, size_t len,
                struct bus_reply_handle *h)
{
    struct speaker *sp = arg;
    struct arena *a = &sp->arena;
    Bgpbus__V1__Reply rep = BGPBUS__V1__REPLY__INIT;
    struct svc_ctx x = { .sp = sp, .a = a, .rep = &rep, .pipe = bus_reply_pipe(h) };

    (void)srv;
    arena_reset(a);
    Bgpbus__V1__Request *req = bgpbus__v1__request__unpack(arena_pb(a), len, buf);
    if (!req) {
        log_info("bus: a request of %zu octets does not decode as bgpbus.v1.Request", len);
        reply_error(&rep, BGPBUS__V1__STATUS__STATUS_INVALID_ARGUMENT,
                    "the request does not decode as bgpbus.v1.Request");
    } else {
        x.req = req;
        owner_session_touch(sp, req->owner);
        if (req->has_id) {
            rep.has_id = true;
            rep.id = req->id;
        }
        svc_dispatch(&x);
    }
    size_t out_len = bgpbus__v1__reply__get_packed_size(&rep);
    uint8_t *out = malloc(out_len ? out_len : 1);
    if (!out) {
        bus_reply_drop(h);
        return;
    }
    bgpbus__v1__reply__pack(&rep, out);
    int rc = bus_reply(h, out, out_len);
    if (rc < 0)
        log_info("bus: reply of %zu octets not sent: %s", out_len, bus_strerror(rc));
    free(out);
}
