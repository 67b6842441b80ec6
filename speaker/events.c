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
#include "pbwrite.h"
#include "session.h"
#include "update.h"
#include "update_proto.h"
#include "version.h"

/* The replay ring is bounded by bytes (docs/architecture.md, "Events"): a subscriber must be able
 * to fall a whole full-table burst behind and still read back what nng dropped. 64 MiB holds
 * about 270k UPDATE events of a real table (rv-jinx: 78,678 events, 16.6 MB packed), four
 * full tables. The slot array grows on demand; a count bound applies only when one is given
 * (--event-ring N). */
#define RING_SLOTS_INITIAL 4096
#define RING_BYTES_DEFAULT ((size_t)64 * 1024 * 1024)
/* A ReadEvents page without max_events: as many events as a full nng queue (BUS_QUEUE_MAX) holds,
 * so that a subscriber repairing a burst's gap needs few round trips (1024 took 72 of them
 * for a full table, each letting the live queue overflow again). */
#define READ_MAX_DEFAULT   8192
#define READ_BYTES_MAX     ((size_t)32 * 1024 * 1024)

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
    size_t cap;        /* slots allocated */
    size_t max_events; /* 0: bounded by bytes only */
    size_t head;       /* index of the oldest */
    size_t count;
    size_t bytes;
    size_t max_bytes;
    uint64_t seq; /* last published */
    uint64_t type_seq[EV_TYPE_COUNT];
    struct pbwrite_buf pack; /* packing buffer, reused */
    struct arena arena;      /* for events built outside an UPDATE */
};

int
ev_init(struct speaker *sp, size_t ring_events, size_t ring_bytes)
{
    struct evring *r = calloc(1, sizeof(*r));
    if (!r)
        return -1;
    r->max_events = ring_events;
    r->cap = ring_events && ring_events < RING_SLOTS_INITIAL ? ring_events : RING_SLOTS_INITIAL;
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
    r->bytes -= sizeof(*s) + s->topic_len + 1 + s->len;
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
    pbwrite_buf_free(&r->pack);
    arena_free(&r->arena);
    free(r);
    sp->ring = NULL;
}

/* Doubles the slot array (up to the count bound), oldest first at index 0. false when it
 * cannot grow: the oldest event then makes room. */
static bool
ring_grow(struct evring *r)
{
    size_t cap = r->cap * 2;
    if (r->max_events && cap > r->max_events)
        cap = r->max_events;
    if (cap <= r->cap)
        return false;
    struct ring_slot *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < r->count; i++)
        slots[i] = r->slots[(r->head + i) % r->cap];
    free(r->slots);
    r->slots = slots;
    r->cap = cap;
    r->head = 0;
    return true;
}

static void
ring_push(struct evring *r, uint64_t seq, const char *topic, const uint8_t *payload, size_t len)
{
    size_t tlen = strlen(topic);
    size_t need = tlen + 1 + len;
    size_t charge = sizeof(struct ring_slot) + need; /* what the event costs the ring */

    while (r->count && r->bytes + charge > r->max_bytes)
        ring_drop_oldest(r);
    if (r->count == r->cap && !ring_grow(r))
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
    r->bytes += charge;
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

    /* One pass into a reused buffer (pbwrite.h): protobuf-c's sizing walk cost more than the
     * decoding of the UPDATE itself. */
    size_t len;
    const uint8_t *packed = pbwrite_pack(&r->pack, &ev->base, &len);
    if (!packed) {
        log_error("events: out of memory packing event seq %llu", (unsigned long long)ev->seq);
        return;
    }
    if (sp->pub && bus_publish(sp->pub, topic, packed, len) < 0)
        log_debug("events: publish of seq %llu dropped", (unsigned long long)ev->seq);
    ring_push(r, ev->seq, topic, packed, len);
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

/*
 * Puts one event into the page as the bytes the ring holds. Unpacking each event to have
 * protobuf-c pack it again cost more than everything else the speaker did while subscribers
 * repaired gaps in a full-table burst (issue 7). The bytes go in as an unknown field with the
 * tag of EventPage.events: protobuf-c packs unknown fields after the known ones, and a parser
 * takes the elements of a repeated field wherever they are in the message (the protobuf
 * encoding allows fields in any order), so every client reads an ordinary EventPage.
 */
static int
page_add_packed(struct arena *a, Bgpbus__V1__EventPage *page, const uint8_t *ev, size_t len)
{
    static uint32_t events_tag;
    uint8_t *data = arena_alloc(a, len + 10);

    if (!data)
        return -1;
    if (!events_tag)
        events_tag = protobuf_c_message_descriptor_get_field_by_name(
                         &bgpbus__v1__event_page__descriptor, "events")
                         ->id;
    size_t n = 0;
    uint64_t v = len;
    for (; v >= 0x80; v >>= 7)
        data[n++] = (uint8_t)(v | 0x80);
    data[n++] = (uint8_t)v;
    memcpy(data + n, ev, len);
    ProtobufCMessageUnknownField *u = &page->base.unknown_fields[page->base.n_unknown_fields++];
    u->tag = events_tag;
    u->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    u->len = n + len;
    u->data = data;
    return 0;
}

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
    if (r->count == 0)
        return 0;
    uint64_t oldest = r->slots[r->head].seq;
    size_t start = from_seq > oldest ? (size_t)(from_seq - oldest) : 0;
    if (start >= r->count)
        return 0;
    size_t room = r->count - start < max ? r->count - start : max;
    page->base.unknown_fields = arena_calloc(a, room, sizeof(*page->base.unknown_fields));
    if (!page->base.unknown_fields)
        return 0;
    for (size_t i = start; i < r->count && page->base.n_unknown_fields < room; i++) {
        struct ring_slot *s = &r->slots[(r->head + i) % r->cap];
        if (plen && (s->topic_len < plen || memcmp(s->topic, prefix, plen) != 0))
            continue;
        if (bytes + s->len > READ_BYTES_MAX && page->base.n_unknown_fields > 0)
            break;
        if (page_add_packed(a, page, (const uint8_t *)s->topic + s->topic_len + 1, s->len) < 0)
            break;
        bytes += s->len;
    }
    return page->base.n_unknown_fields;
}
