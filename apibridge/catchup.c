/*
 * catchup: a bridge started after the speaker's sessions came up, when the speaker's replay
 * ring no longer holds the run's first event (when it does, events.c replays the run
 * instead). The helpers get the present rather than the history, as the events they would
 * have got: for each established neighbor a `state up` (neighbor-changes, fsm), then its
 * Adj-RIB-In as received updates (receive { update; }), the routes of one family and one
 * attribute set grouped into one update, as a peer packs them.
 *
 * Two requests in turn: ListNeighbors (which sessions are established), then ShowAdjRib in
 * (every page, when the speaker pages). Live events continue from the newest seq the ring
 * reported before the snapshot, so an event published while the snapshot was taken is
 * delivered after it too: a route or a `state up` may come twice, none is missed.
 *
 * Not rendered, having no present state: OPEN and NEGOTIATED (so the json `negotiated`
 * member of updates is absent until the next session), KEEPALIVE, End-of-RIB.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "bus.h"
#include "log.h"

/* NLRI per synthesized update: about what one 4096-octet UPDATE carries of IPv4 /24s. */
#define CATCHUP_GROUP_MAX 800

struct present {
    struct bridge *br;
    unsigned gen;
    uint64_t seq; /* newest seq when the snapshot was asked */
    uint64_t up;  /* configured neighbors (bit = index) reported established */
    size_t nup, nroutes;
    uint8_t *key[2]; /* packed attributes: the open group's and the route's */
    size_t key_cap[2];
};

static double
now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
present_free(struct present *p)
{
    free(p->key[0]);
    free(p->key[1]);
    free(p);
}

/* The snapshot is over (complete or not): live events take over. */
static void
present_finish(struct present *p)
{
    struct bridge *br = p->br;
    if (events_gen_current(br, p->gen)) {
        log_info("started after the speaker's sessions, and its replay ring no longer holds the "
                 "run's first events: caught up from the present state (%zu neighbor(s) up, %zu "
                 "route(s) received), events follow from seq %" PRIu64,
                 p->nup, p->nroutes, p->seq + 1);
        events_present_done(br, p->gen, p->seq);
    }
    present_free(p);
}

static int send_request(struct present *p, Bgpbus__V1__Request *req, bus_reply_cb *cb);

/* ---- routes -> update events ------------------------------------------------------------- */

/* AFI/SAFI of a route (RFC 4760 numbers); false for an NLRI without one. */
static bool
nlri_family(const Bgpbus__V1__Nlri *n, uint32_t *afi, uint32_t *safi)
{
    const Bgpbus__V1__Prefix *pfx = NULL;
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST:
        pfx = n->unicast;
        *safi = 1;
        break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST:
        pfx = n->multicast;
        *safi = 2;
        break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        pfx = n->labeled_unicast->prefix;
        *safi = 4;
        break;
    case BGPBUS__V1__NLRI__NLRI_VPN:
        pfx = n->vpn->prefix;
        *safi = 128;
        break;
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC:
        *afi = (uint32_t)n->flowspec->afi;
        *safi = n->flowspec->rd ? 134 : 133;
        return true;
    case BGPBUS__V1__NLRI__NLRI_EVPN:
        *afi = 25;
        *safi = 70;
        return true;
    case BGPBUS__V1__NLRI__NLRI_VPLS:
        *afi = 25;
        *safi = 65;
        return true;
    case BGPBUS__V1__NLRI__NLRI_RAW:
        if (!n->raw->family)
            return false;
        *afi = n->raw->family->afi;
        *safi = n->raw->family->safi;
        return true;
    default: return false;
    }
    if (!pfx)
        return false;
    *afi = pfx->address.len == 16 ? 2 : 1;
    return true;
}

/* Packs a route's attributes (next hop included) into key slot k; returns the length. */
static size_t
pack_key(struct present *p, int k, const Bgpbus__V1__Attributes *a)
{
    size_t n = a ? bgpbus__v1__attributes__get_packed_size(a) : 0;
    if (n > p->key_cap[k]) {
        uint8_t *nb = realloc(p->key[k], n);
        if (!nb)
            return SIZE_MAX;
        p->key[k] = nb;
        p->key_cap[k] = n;
    }
    if (n)
        bgpbus__v1__attributes__pack(a, p->key[k]);
    return n;
}

/* One received update of routes[0..n) (one family, one attribute set). */
static void
deliver_group(struct present *p, int idx, Bgpbus__V1__PeerKey *peer, Bgpbus__V1__Route **routes,
              size_t n, uint32_t afi, uint32_t safi)
{
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__Update u = BGPBUS__V1__UPDATE__INIT;
    Bgpbus__V1__UpdateAnnounce ann = BGPBUS__V1__UPDATE_ANNOUNCE__INIT;
    Bgpbus__V1__UpdateAnnounce *anns[1] = { &ann };
    Bgpbus__V1__Family fam = BGPBUS__V1__FAMILY__INIT;
    Bgpbus__V1__Attributes attrs = BGPBUS__V1__ATTRIBUTES__INIT;
    Bgpbus__V1__Nlri *nlri[CATCHUP_GROUP_MAX];

    for (size_t i = 0; i < n; i++)
        nlri[i] = routes[i]->nlri;
    fam.has_afi = fam.has_safi = true;
    fam.afi = afi;
    fam.safi = safi;
    ann.family = &fam;
    ann.nlri = nlri;
    ann.n_nlri = n;
    /* As in a received UPDATE's event (update_proto.c): the next hop is the family group's. */
    if (routes[0]->attributes) {
        attrs = *routes[0]->attributes;
        ann.next_hop = attrs.next_hop;
        attrs.next_hop = NULL;
        u.attributes = &attrs;
    }
    u.announced = anns;
    u.n_announced = 1;
    ev.has_time = true;
    ev.time = now_unix();
    ev.has_direction = true;
    ev.direction = BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED;
    ev.peer = peer;
    ev.body_case = BGPBUS__V1__EVENT__BODY_UPDATE;
    ev.update = &u;
    events_deliver_peer(p->br, &ev, idx);
    p->nroutes += n;
}

/* A neighbor's Adj-RIB-In: consecutive routes of one family and attribute set, one update. */
static void
deliver_rib(struct present *p, int idx, Bgpbus__V1__PeerRoutes *pr)
{
    Bgpbus__V1__Route **r = pr->routes;
    size_t start = 0, key_len = 0; /* the open group: r[start..i) */
    uint32_t afi = 0, safi = 0;
    for (size_t i = 0; i < pr->n_routes; i++) {
        uint32_t a, s;
        if (!r[i]->nlri || !nlri_family(r[i]->nlri, &a, &s)) {
            log_warn("catch-up: a route of the Adj-RIB-In has no family; not rendered");
            if (i > start)
                deliver_group(p, idx, pr->peer, r + start, i - start, afi, safi);
            start = i + 1;
            continue;
        }
        size_t len = pack_key(p, 1, r[i]->attributes);
        if (i > start && i - start < CATCHUP_GROUP_MAX && a == afi && s == safi && len == key_len &&
            len != SIZE_MAX && (len == 0 || memcmp(p->key[0], p->key[1], len) == 0))
            continue;
        if (i > start)
            deliver_group(p, idx, pr->peer, r + start, i - start, afi, safi);
        /* r[i] opens the next group: its key becomes the group's. */
        uint8_t *k = p->key[0];
        size_t c = p->key_cap[0];
        p->key[0] = p->key[1];
        p->key_cap[0] = p->key_cap[1];
        p->key[1] = k;
        p->key_cap[1] = c;
        key_len = len;
        start = i;
        afi = a;
        safi = s;
    }
    if (pr->n_routes > start)
        deliver_group(p, idx, pr->peer, r + start, pr->n_routes - start, afi, safi);
}

/* The reply of one catch-up request when it is current and of the expected kind; otherwise
 * NULL, after freeing p (stale: the bridge stops or follows a newer run) or logging why the
 * helpers miss `lost` and finishing the catch-up. */
static Bgpbus__V1__Reply *
present_reply(struct present *p, int status, const uint8_t *data, size_t len,
              Bgpbus__V1__Reply__ResultCase want, const char *what, const char *lost)
{
    Bgpbus__V1__Reply *rep = NULL;

    if (status == BUS_ECANCELED || !events_gen_current(p->br, p->gen)) {
        present_free(p);
        return NULL;
    }
    if (status == 0)
        rep = bgpbus__v1__reply__unpack(NULL, len, data);
    if (rep && rep->result_case == want)
        return rep;
    log_error("catch-up: cannot %s from the speaker (%s); helpers miss %s", what,
              status ? bus_strerror(status) : "bad reply", lost);
    if (rep)
        bgpbus__v1__reply__free_unpacked(rep, NULL);
    present_finish(p);
    return NULL;
}

static void
on_rib(struct bus_client *c, void *arg, int status, const uint8_t *data, size_t len)
{
    struct present *p = arg;
    Bgpbus__V1__Reply *rep =
        present_reply(p, status, data, len, BGPBUS__V1__REPLY__RESULT_ROUTES, "read the Adj-RIB-In",
                      "the routes received before the bridge started");
    (void)c;
    if (!rep)
        return;
    const Bgpbus__V1__RouteTable *t = rep->routes;
    for (size_t i = 0; i < t->n_peers; i++) {
        int idx = bridge_neighbor_index(p->br, t->peers[i]->peer);
        if (idx >= 0 && (p->up & ((uint64_t)1 << idx)))
            deliver_rib(p, idx, t->peers[i]);
    }
    if (t->has_next_page_token && t->next_page_token.len > 0) {
        Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
        Bgpbus__V1__ShowAdjRib s = BGPBUS__V1__SHOW_ADJ_RIB__INIT;
        s.has_direction = s.has_extensive = s.has_page_token = true;
        s.direction = BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN;
        s.extensive = true;
        s.page_token = t->next_page_token;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_SHOW_ADJ_RIB;
        req.show_adj_rib = &s;
        int rc = send_request(p, &req, on_rib);
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        if (rc < 0)
            present_finish(p);
        return;
    }
    bgpbus__v1__reply__free_unpacked(rep, NULL);
    present_finish(p);
}

/* ---- neighbors -> state up --------------------------------------------------------------- */

static void
deliver_up(struct present *p, int idx, Bgpbus__V1__PeerKey *peer)
{
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__StateChange st = BGPBUS__V1__STATE_CHANGE__INIT;
    st.has_previous = st.has_current = st.has_change = true;
    st.previous = BGPBUS__V1__FSM_STATE__FSM_STATE_OPENCONFIRM;
    st.current = BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED;
    st.change = BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UP;
    ev.has_time = true;
    ev.time = now_unix();
    ev.peer = peer;
    ev.body_case = BGPBUS__V1__EVENT__BODY_STATE;
    ev.state = &st;
    events_deliver_peer(p->br, &ev, idx);
}

static void
on_neighbors(struct bus_client *c, void *arg, int status, const uint8_t *data, size_t len)
{
    struct present *p = arg;
    Bgpbus__V1__Reply *rep =
        present_reply(p, status, data, len, BGPBUS__V1__REPLY__RESULT_NEIGHBORS,
                      "list the neighbors", "the sessions that came up before the bridge started");
    (void)c;
    if (!rep)
        return;
    const Bgpbus__V1__NeighborList *list = rep->neighbors;
    for (size_t i = 0; i < list->n_neighbors; i++) {
        const Bgpbus__V1__NeighborState *st = list->neighbors[i]->state;
        if (!st || st->fsm_state != BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED)
            continue;
        int idx = bridge_neighbor_index(p->br, st->peer);
        if (idx < 0)
            continue;
        p->up |= (uint64_t)1 << idx;
        p->nup++;
        deliver_up(p, idx, st->peer);
    }
    bgpbus__v1__reply__free_unpacked(rep, NULL);
    if (!p->up) {
        present_finish(p);
        return;
    }
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ShowAdjRib s = BGPBUS__V1__SHOW_ADJ_RIB__INIT;
    s.has_direction = s.has_extensive = true;
    s.direction = BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN;
    s.extensive = true;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_SHOW_ADJ_RIB;
    req.show_adj_rib = &s;
    if (send_request(p, &req, on_rib) < 0)
        present_finish(p);
}

/* ---- requests ----------------------------------------------------------------------------- */

static int
send_request(struct present *p, Bgpbus__V1__Request *req, bus_reply_cb *cb)
{
    req->owner = "bgpbus-apibridge";
    size_t len = bgpbus__v1__request__get_packed_size(req);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return BUS_ENOMEM;
    bgpbus__v1__request__pack(req, buf);
    int rc = bus_request(p->br->client, buf, len, BRIDGE_REQUEST_TIMEOUT_MS, cb, p, NULL);
    free(buf);
    if (rc < 0)
        log_error("catch-up: cannot ask the speaker: %s", bus_strerror(rc));
    return rc;
}

void
catchup_present(struct bridge *br, unsigned gen, uint64_t seq)
{
    struct present *p = calloc(1, sizeof(*p));
    if (!p) {
        log_error("catch-up: out of memory; helpers miss what happened before the bridge started");
        events_present_done(br, gen, seq);
        return;
    }
    p->br = br;
    p->gen = gen;
    p->seq = seq;
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ListNeighbors ln = BGPBUS__V1__LIST_NEIGHBORS__INIT;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_LIST_NEIGHBORS;
    req.list_neighbors = &ln;
    if (send_request(p, &req, on_neighbors) < 0)
        present_finish(p);
}
