/*
 * events.c: building, publishing and keeping Events.
 *
 * Each event is built from protobuf-c structs allocated in the speaker's arena (the decoded
 * UPDATE already lives there, so its attributes are referenced, not copied), packed once, then
 * published and copied into the replay ring.
 */
#include "events.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bus.h"
#include "log.h"
#include "nlri.h"
#include "session.h"
#include "update.h"
#include "update_proto.h"
#include "version.h"

#define RING_EVENTS_DEFAULT (64 * 1024)
#define RING_BYTES_DEFAULT  ((size_t)64 * 1024 * 1024)
#define READ_MAX_DEFAULT    1024
#define READ_BYTES_MAX      ((size_t)32 * 1024 * 1024)

static const char *const ev_names[EV_TYPE_COUNT] = {
    "state",     "open",    "negotiated", "update",      "notification",
    "keepalive", "refresh", "eor",        "operational", "speaker",
};

const char *
ev_type_name(enum ev_type t)
{
    return (unsigned)t < EV_TYPE_COUNT ? ev_names[t] : "?";
}

struct ring_slot {
    uint64_t seq;
    char *topic; /* topic, NUL, payload: one allocation */
    size_t topic_len;
    size_t len; /* payload length */
};

struct evring {
    struct ring_slot *slots;
    size_t cap;
    size_t head; /* index of the oldest */
    size_t count;
    size_t bytes;
    size_t max_bytes;
    uint64_t seq; /* last published */
    uint64_t type_seq[EV_TYPE_COUNT];
    uint8_t *buf; /* packing buffer */
    size_t buf_cap;
    struct arena arena; /* for events built outside an UPDATE */
};

int
ev_init(struct speaker *sp, size_t ring_events, size_t ring_bytes)
{
    struct evring *r = calloc(1, sizeof(*r));
    if (!r)
        return -1;
    r->cap = ring_events ? ring_events : RING_EVENTS_DEFAULT;
    r->max_bytes = ring_bytes ? ring_bytes : RING_BYTES_DEFAULT;
    r->slots = calloc(r->cap, sizeof(*r->slots));
    if (!r->slots) {
        free(r);
        return -1;
    }
    arena_init(&r->arena, 16384);
    sp->ring = r;
    return 0;
}

static void
ring_drop_oldest(struct evring *r)
{
    struct ring_slot *s = &r->slots[r->head];
    r->bytes -= s->topic_len + 1 + s->len;
    free(s->topic);
    s->topic = NULL;
    r->head = (r->head + 1) % r->cap;
    r->count--;
}

void
ev_free(struct speaker *sp)
{
    struct evring *r = sp->ring;
    if (!r)
        return;
    while (r->count)
        ring_drop_oldest(r);
    free(r->slots);
    free(r->buf);
    arena_free(&r->arena);
    free(r);
    sp->ring = NULL;
}

static void
ring_push(struct evring *r, uint64_t seq, const char *topic, const uint8_t *payload, size_t len)
{
    size_t tlen = strlen(topic);
    size_t need = tlen + 1 + len;

    while (r->count && (r->count == r->cap || r->bytes + need > r->max_bytes))
        ring_drop_oldest(r);
    char *mem = malloc(need);
    if (!mem)
        return; /* the event is published; a later ReadEvents reports it as gone */
    memcpy(mem, topic, tlen + 1);
    memcpy(mem + tlen + 1, payload, len);
    struct ring_slot *s = &r->slots[(r->head + r->count) % r->cap];
    s->seq = seq;
    s->topic = mem;
    s->topic_len = tlen;
    s->len = len;
    r->count++;
    r->bytes += need;
}

/* Fills the envelope, packs, publishes and keeps the event. */
static void
ev_emit(struct speaker *sp, struct peer *p, enum ev_type type, Bgpbus__V1__Event *ev)
{
    struct evring *r = sp->ring;
    char topic[96];

    ev->has_epoch = true;
    ev->epoch = sp->epoch;
    ev->has_seq = true;
    ev->seq = ++r->seq;
    ev->has_type_seq = true;
    ev->type_seq = ++r->type_seq[type];
    ev->has_time = true;
    ev->time = speaker_now();
    if (p) {
        ev->has_peer_seq = true;
        ev->peer_seq = ++p->peer_seq[type];
    }
    snprintf(topic, sizeof(topic), "ev/%s/%s/", ev_names[type], p ? p->addr_text : "-");

    size_t len = bgpbus__v1__event__get_packed_size(ev);
    if (len > r->buf_cap) {
        size_t cap = len * 2 > 65536 ? len * 2 : 65536;
        uint8_t *nb = realloc(r->buf, cap);
        if (!nb) {
            log_error("events: out of memory packing a %zu-octet event", len);
            return;
        }
        r->buf = nb;
        r->buf_cap = cap;
    }
    bgpbus__v1__event__pack(ev, r->buf);
    if (sp->pub && bus_publish(sp->pub, topic, r->buf, len) < 0)
        log_debug("events: publish of seq %llu dropped", (unsigned long long)ev->seq);
    ring_push(r, ev->seq, topic, r->buf, len);
}

/* ---- helpers ------------------------------------------------------------------------------- */

static Bgpbus__V1__PeerKey *
peer_key(struct arena *a, const struct peer *p, const struct session *s)
{
    Bgpbus__V1__PeerKey *k = arena_alloc(a, sizeof(*k));
    const struct conf_neighbor *c = p->cfg;
    uint8_t id[4];

    if (!k)
        return NULL;
    bgpbus__v1__peer_key__init(k);
    k->has_address = true;
    k->address = proto_bin(a, c->peer_address.bytes, c->peer_address.af == AF_INET ? 4 : 16);
    uint8_t local[16];
    int llen = -1;
    if (s)
        llen = session_local_addr(s, c->peer_address.af, local);
    if (llen > 0) {
        k->has_local_address = true;
        k->local_address = proto_bin(a, local, (size_t)llen);
    } else if (c->local_address.af) {
        k->has_local_address = true;
        k->local_address =
            proto_bin(a, c->local_address.bytes, c->local_address.af == AF_INET ? 4 : 16);
    }
    k->has_local_as = true;
    k->local_as = c->local_as;
    k->has_peer_as = true;
    k->peer_as = c->peer_as;
    id[0] = (uint8_t)(p->router_id >> 24);
    id[1] = (uint8_t)(p->router_id >> 16);
    id[2] = (uint8_t)(p->router_id >> 8);
    id[3] = (uint8_t)p->router_id;
    k->has_local_router_id = true;
    k->local_router_id = proto_bin(a, id, 4);
    if (s && s->open_received) {
        uint32_t rid = s->remote_open.bgp_id;
        id[0] = (uint8_t)(rid >> 24);
        id[1] = (uint8_t)(rid >> 16);
        id[2] = (uint8_t)(rid >> 8);
        id[3] = (uint8_t)rid;
        k->has_peer_router_id = true;
        k->peer_router_id = proto_bin(a, id, 4);
    }
    return k;
}

static struct arena *
ev_arena(struct speaker *sp)
{
    arena_reset(&sp->ring->arena);
    return &sp->ring->arena;
}

/* ---- lifecycle and state ----------------------------------------------------------------- */

void
ev_speaker(struct speaker *sp, Bgpbus__V1__SpeakerLifecycleKind kind, const char *reason, int signo)
{
    struct arena *a = ev_arena(sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__SpeakerLifecycle life = BGPBUS__V1__SPEAKER_LIFECYCLE__INIT;

    (void)a;
    life.has_kind = true;
    life.kind = kind;
    life.reason = (char *)reason;
    if (signo) {
        life.has_signal_number = true;
        life.signal_number = signo;
        life.signal_name = (char *)sigabbrev_np(signo);
    }
    if (kind == BGPBUS__V1__SPEAKER_LIFECYCLE_KIND__SPEAKER_LIFECYCLE_KIND_START)
        life.version = (char *)bgpbus_version();
    ev.body_case = BGPBUS__V1__EVENT__BODY_SPEAKER;
    ev.speaker = &life;
    ev_emit(sp, NULL, EV_SPEAKER, &ev);
}

static void
ev_state_change(struct peer *p, enum fsm_state from, enum fsm_state to,
                Bgpbus__V1__SessionChange change, const char *reason)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__StateChange st = BGPBUS__V1__STATE_CHANGE__INIT;

    st.has_previous = true;
    st.previous = (Bgpbus__V1__FsmState)(from + 1);
    st.has_current = true;
    st.current = (Bgpbus__V1__FsmState)(to + 1);
    st.has_change = true;
    st.change = change;
    st.reason = (char *)reason;
    Bgpbus__V1__Notification n = BGPBUS__V1__NOTIFICATION__INIT;
    if (change == BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN && p->last_notification.code) {
        n.has_code = n.has_subcode = true;
        n.code = p->last_notification.code;
        n.subcode = p->last_notification.subcode;
        st.notification = &n;
        st.has_notification_direction = true;
        st.notification_direction = p->last_notification.sent
                                        ? BGPBUS__V1__DIRECTION__DIRECTION_SENT
                                        : BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED;
        p->last_notification.code = 0;
    }
    ev.peer = peer_key(a, p, p->est ? p->est : p->out ? p->out : p->in);
    ev.body_case = BGPBUS__V1__EVENT__BODY_STATE;
    ev.state = &st;
    ev_emit(p->sp, p, EV_STATE, &ev);
}

void
ev_state(struct peer *p, enum fsm_state from, enum fsm_state to, const char *reason)
{
    Bgpbus__V1__SessionChange change = BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UNSPECIFIED;
    if (to == FSM_ESTABLISHED)
        change = BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UP;
    else if (from == FSM_ESTABLISHED || (reason && to < FSM_OPENSENT))
        change = BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_DOWN;
    ev_state_change(p, from, to, change, reason);
}

void
ev_connected(struct peer *p)
{
    ev_state_change(p, p->state, p->state, BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_CONNECTED,
                    NULL);
}

static Bgpbus__V1__Family **
family_list(struct arena *a, bgp_famset set, size_t *n)
{
    Bgpbus__V1__Family **v = arena_calloc(a, BGP_FAM_COUNT, sizeof(*v));
    *n = 0;
    for (int f = 0; v && f < BGP_FAM_COUNT; f++)
        if (bgp_famset_has(set, (enum bgp_family)f))
            v[(*n)++] = proto_family(a, bgp_family_afi((enum bgp_family)f),
                                     bgp_family_safi((enum bgp_family)f));
    return v;
}

void
ev_negotiated(struct peer *p, const struct session *s)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__Negotiated m = BGPBUS__V1__NEGOTIATED__INIT;
    const struct bgp_negotiated *n = &s->neg;

    m.has_hold_time = true;
    m.hold_time = n->hold_time;
    m.has_message_size = true;
    m.message_size = (uint32_t)n->max_msg_len;
    m.has_asn4 = true;
    m.asn4 = n->asn4;
    m.has_multisession = true;
    m.multisession = n->multisession;
    m.has_operational = true;
    m.operational = n->operational;
    m.has_refresh = true;
    m.refresh = n->enhanced_rr     ? BGPBUS__V1__ROUTE_REFRESH_MODE__ROUTE_REFRESH_MODE_ENHANCED
                : n->route_refresh ? BGPBUS__V1__ROUTE_REFRESH_MODE__ROUTE_REFRESH_MODE_NORMAL
                                   : BGPBUS__V1__ROUTE_REFRESH_MODE__ROUTE_REFRESH_MODE_ABSENT;
    m.families = family_list(a, n->families, &m.n_families);
    m.add_path_send = family_list(a, n->addpath_send, &m.n_add_path_send);
    m.add_path_receive = family_list(a, n->addpath_recv, &m.n_add_path_receive);
    ev.peer = peer_key(a, p, s);
    ev.body_case = BGPBUS__V1__EVENT__BODY_NEGOTIATED;
    ev.negotiated = &m;
    ev_emit(p->sp, p, EV_NEGOTIATED, &ev);
}

/* ---- messages ----------------------------------------------------------------------------- */

/* Whether any api block of the neighbor asks for these switches (SPEC 1.2). */
static bool
peer_api_wants(const struct peer *p, uint32_t flags)
{
    for (size_t i = 0; i < p->cfg->napi; i++)
        if (p->cfg->api[i].flags & flags)
            return true;
    return false;
}

/* Raw message bytes for helpers that asked for `packets` or `consolidate` in that direction. */
static bool
peer_wants_raw(const struct peer *p, Bgpbus__V1__Direction dir)
{
    if (dir == BGPBUS__V1__DIRECTION__DIRECTION_SENT)
        return peer_api_wants(p, CONF_API_SEND(CONF_API_MSG_PACKETS) |
                                     CONF_API_SEND(CONF_API_MSG_CONSOLIDATE));
    return peer_api_wants(p, CONF_API_RECEIVE(CONF_API_MSG_PACKETS) |
                                 CONF_API_RECEIVE(CONF_API_MSG_CONSOLIDATE));
}

void
ev_open(struct peer *p, const struct session *s, const struct bgp_open *o, const uint8_t *msg,
        size_t len, Bgpbus__V1__Direction dir)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;

    ev.peer = peer_key(a, p, s);
    ev.has_direction = true;
    ev.direction = dir;
    ev.body_case = BGPBUS__V1__EVENT__BODY_OPEN;
    ev.open = open_to_proto(a, o, msg, len);
    /* `packets`/`consolidate` OPEN events carry the message's header and body (SPEC 1.2). */
    if (msg && peer_wants_raw(p, dir)) {
        ev.has_raw = true;
        ev.raw.data = (uint8_t *)msg;
        ev.raw.len = len;
    }
    ev_emit(p->sp, p, EV_OPEN, &ev);
}

bool
ev_wants_sent_updates(const struct peer *p)
{
    return peer_api_wants(p, CONF_API_SEND(CONF_API_MSG_UPDATE));
}

/* Builds around dec, which lives in arena a (not reset here). */
static void
ev_update_in(struct peer *p, const struct session *s, const struct update_decoded *dec,
             const uint8_t *raw, size_t raw_len, Bgpbus__V1__Direction dir, struct arena *a)
{
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__Update u = BGPBUS__V1__UPDATE__INIT;

    if (dec->eor) {
        ev_eor(p, dec->eor_afi, dec->eor_safi, dir, raw, raw_len);
        return;
    }
    ev.peer = peer_key(a, p, s);
    ev.has_direction = true;
    ev.direction = dir;
    update_to_proto(dec, a, &u);
    if (peer_wants_raw(p, dir)) {
        ev.has_raw = true;
        ev.raw.data = (uint8_t *)raw;
        ev.raw.len = raw_len;
    }
    ev.body_case = BGPBUS__V1__EVENT__BODY_UPDATE;
    ev.update = &u;
    ev_emit(p->sp, p, EV_UPDATE, &ev);
}

void
ev_update(struct peer *p, const struct session *s, const struct update_decoded *dec,
          const uint8_t *raw, size_t raw_len)
{
    /* The decoded UPDATE lives in the speaker's arena: build around it, do not reset it. */
    ev_update_in(p, s, dec, raw, raw_len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED, &p->sp->arena);
}

void
ev_sent_update(struct peer *p, const struct session *s, const uint8_t *msg, size_t len)
{
    struct bgp_session_codec ctx;
    struct update_decoded dec;
    struct bgp_error err;
    struct arena *a = ev_arena(p->sp);

    /* Read our own UPDATE back as the peer will: what we send is what it receives. */
    peer_codec_ctx(p, s, &ctx);
    ctx.addpath_recv = ctx.addpath_send;
    ctx.ext_nexthop_recv = ctx.ext_nexthop_send;
    if (update_decode(msg, len, &ctx, a, &dec, &err) < 0) {
        log_error("peer %s: an UPDATE we sent does not decode (%s): not reported", p->addr_text,
                  err.reason ? err.reason : "?");
        return;
    }
    ev_update_in(p, s, &dec, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_SENT, a);
}

void
ev_keepalive(struct peer *p, Bgpbus__V1__Direction dir)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__Keepalive ka = BGPBUS__V1__KEEPALIVE__INIT;

    ev.peer = peer_key(a, p, p->est);
    ev.has_direction = true;
    ev.direction = dir;
    ev.body_case = BGPBUS__V1__EVENT__BODY_KEEPALIVE;
    ev.keepalive = &ka;
    ev_emit(p->sp, p, EV_KEEPALIVE, &ev);
}

void
ev_notification(struct peer *p, const uint8_t *msg, size_t len, Bgpbus__V1__Direction dir)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__Notification n = BGPBUS__V1__NOTIFICATION__INIT;
    struct bgp_notification dn;

    if (len < BGP_HEADER_LEN ||
        bgp_notification_decode(msg + BGP_HEADER_LEN, len - BGP_HEADER_LEN, &dn) < 0)
        return;
    n.has_code = true;
    n.code = dn.code;
    n.has_subcode = true;
    n.subcode = dn.subcode;
    n.has_data = true;
    n.data.data = (uint8_t *)dn.data;
    n.data.len = dn.data_len;
    if (dn.has_shutdown_msg)
        n.shutdown_message = dn.shutdown_msg;
    ev.peer = peer_key(a, p, p->est);
    ev.has_direction = true;
    ev.direction = dir;
    ev.body_case = BGPBUS__V1__EVENT__BODY_NOTIFICATION;
    ev.notification = &n;
    ev_emit(p->sp, p, EV_NOTIFICATION, &ev);
}

void
ev_refresh(struct peer *p, const struct bgp_route_refresh *rr, Bgpbus__V1__Direction dir)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__RouteRefresh m = BGPBUS__V1__ROUTE_REFRESH__INIT;

    m.family = proto_family(a, rr->afi, rr->safi);
    m.has_subtype = true;
    m.subtype = (Bgpbus__V1__RouteRefreshSubtype)(rr->subtype + 1);
    ev.peer = peer_key(a, p, p->est);
    ev.has_direction = true;
    ev.direction = dir;
    ev.body_case = BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH;
    ev.route_refresh = &m;
    ev_emit(p->sp, p, EV_REFRESH, &ev);
}

void
ev_eor(struct peer *p, uint16_t afi, uint8_t safi, Bgpbus__V1__Direction dir, const uint8_t *raw,
       size_t raw_len)
{
    struct arena *a = ev_arena(p->sp);
    Bgpbus__V1__Event ev = BGPBUS__V1__EVENT__INIT;
    Bgpbus__V1__EndOfRib m = BGPBUS__V1__END_OF_RIB__INIT;

    m.family = proto_family(a, afi, safi);
    ev.peer = peer_key(a, p, p->est);
    ev.has_direction = true;
    ev.direction = dir;
    if (raw && peer_wants_raw(p, dir)) {
        ev.has_raw = true;
        ev.raw.data = (uint8_t *)raw;
        ev.raw.len = raw_len;
    }
    ev.body_case = BGPBUS__V1__EVENT__BODY_EOR;
    ev.eor = &m;
    ev_emit(p->sp, p, EV_EOR, &ev);
}

/* ---- replay ------------------------------------------------------------------------------- */

size_t
ev_read(struct speaker *sp, uint64_t from_seq, uint32_t max, const char *prefix, struct arena *a,
        Bgpbus__V1__EventPage *page)
{
    struct evring *r = sp->ring;
    size_t plen = prefix ? strlen(prefix) : 0;
    size_t bytes = 0;

    if (max == 0)
        max = READ_MAX_DEFAULT;
    page->has_epoch = true;
    page->epoch = sp->epoch;
    page->has_newest_seq = true;
    page->newest_seq = r->seq;
    page->has_oldest_seq = true;
    page->oldest_seq = r->count ? r->slots[r->head].seq : r->seq + 1;
    page->events = arena_calloc(a, max, sizeof(*page->events));
    if (!page->events || r->count == 0)
        return 0;
    uint64_t oldest = r->slots[r->head].seq;
    size_t start = from_seq > oldest ? (size_t)(from_seq - oldest) : 0;
    for (size_t i = start; i < r->count && page->n_events < max; i++) {
        struct ring_slot *s = &r->slots[(r->head + i) % r->cap];
        if (plen && (s->topic_len < plen || memcmp(s->topic, prefix, plen) != 0))
            continue;
        if (bytes + s->len > READ_BYTES_MAX && page->n_events > 0)
            break;
        Bgpbus__V1__Event *ev =
            bgpbus__v1__event__unpack(&a->pb, s->len, (const uint8_t *)s->topic + s->topic_len + 1);
        if (!ev)
            continue;
        page->events[page->n_events++] = ev;
        bytes += s->len;
    }
    return page->n_events;
}
