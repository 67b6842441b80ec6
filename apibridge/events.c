/*
 * events: the speaker's Events -> ExaBGP JSON or text lines for the helpers whose api blocks
 * ask for them (SPEC 1.2, 3, 4).
 *
 * Every event reaches every subscribed helper in order: the bridge follows the global
 * sequence (bus_seq); on a gap it reads the missing events from the speaker's replay ring
 * (ReadEvents) and holds what arrives meanwhile until the gap is filled. What is held may have
 * gaps of its own (nng drops while a read is in flight): each is read in turn before anything
 * after it. Only events the ring no longer has, or a read that fails, are skipped, and each
 * such loss is logged as an error with the running total. A new epoch is a speaker restart:
 * the helpers' routes are announced again (memory.c).
 *
 * Late start: when the bridge first learns of an epoch (its first event or Ping reply, a
 * speaker restart), the sessions of that run may be up already. The epoch is read from its
 * first event (seq 1) as a gap would be, so helpers see what they would have seen had the
 * bridge been there from the start; when the ring no longer holds seq 1, catchup.c renders
 * the present instead (sessions up, Adj-RIBs-In) and the events follow from there.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "bus.h"
#include "log.h"

struct held {
    struct held *next;
    Bgpbus__V1__Event *ev;
};

struct events_state {
    struct bus_seq seq;
    uint64_t epoch;    /* the speaker run last_seq counts in (0: none yet) */
    unsigned gen;      /* +1 per epoch: replies to an older epoch's reads are ignored */
    uint64_t last_seq; /* global seq of the last event delivered */
    bool catching_up;  /* the read from seq 1 of a new epoch has not been answered yet */
    bool repairing;
    uint64_t lost;            /* events skipped: gone from the ring, or a failed read */
    struct held *head, *tail; /* events that arrived during a repair */
    struct exa_buf buf;
};

int
bridge_neighbor_index(const struct bridge *br, const Bgpbus__V1__PeerKey *k)
{
    if (!k || !k->has_address)
        return -1;
    for (size_t i = 0; i < br->conf.nneighbors && i < 64; i++) {
        const struct conf_addr *a = &br->conf.neighbors[i].peer_address;
        size_t n = a->af == AF_INET ? 4 : 16;
        if (k->address.len == n && memcmp(k->address.data, a->bytes, n) == 0)
            return (int)i;
    }
    return -1;
}

static int
msg_kind(const Bgpbus__V1__Event *ev)
{
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_OPEN: return CONF_API_MSG_OPEN;
    case BGPBUS__V1__EVENT__BODY_UPDATE:
    case BGPBUS__V1__EVENT__BODY_EOR: return CONF_API_MSG_UPDATE;
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION: return CONF_API_MSG_NOTIFICATION;
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE: return CONF_API_MSG_KEEPALIVE;
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH: return CONF_API_MSG_REFRESH;
    case BGPBUS__V1__EVENT__BODY_OPERATIONAL: return CONF_API_MSG_OPERATIONAL;
    default: return -1;
    }
}

static void
emit(struct bridge *br, struct helper *h, struct exa_buf *b)
{
    if (b->len)
        helper_write(h, b->data, b->len, true);
}

/* One rendering of a message event in one form for one helper. */
static void
render_msg(struct bridge *br, struct helper *h, const Bgpbus__V1__Event *ev, int idx,
           enum exa_form form, unsigned flags)
{
    struct exa_buf *b = &br->events->buf;
    exa_buf_reset(b);
    int rc;
    if (h->proc->encoder == CONF_ENCODER_JSON) {
        unsigned opts = (flags & CONF_API_NEGOTIATED) ? EXA_OPT_NEGOTIATED : 0;
        const Bgpbus__V1__Event *neg = br->negotiated[idx];
        rc = exa_json_event_negotiated(ev, &br->exa, ++br->counters[idx], form, opts,
                                       neg ? neg->negotiated : NULL, b);
    } else {
        rc = exa_text_event(ev, form, 0, b);
    }
    if (rc == 0)
        emit(br, h, b);
}

void
events_deliver_peer(struct bridge *br, const Bgpbus__V1__Event *ev, int idx)
{
    const struct conf_neighbor *nb = &br->conf.neighbors[idx];
    int kind = msg_kind(ev);
    struct exa_buf *b = &br->events->buf;

    for (size_t i = 0; i < br->nhelpers; i++) {
        struct helper *h = br->helpers[i];
        if (!helper_running(h))
            continue;
        uint32_t f = conf_neighbor_api_flags(nb, h->name);
        if (!f)
            continue;
        bool json = h->proc->encoder == CONF_ENCODER_JSON;
        if (ev->body_case == BGPBUS__V1__EVENT__BODY_STATE) {
            const Bgpbus__V1__StateChange *s = ev->state;
            if ((f & CONF_API_NEIGHBOR_CHANGES) &&
                s->change != BGPBUS__V1__SESSION_CHANGE__SESSION_CHANGE_UNSPECIFIED) {
                exa_buf_reset(b);
                int rc = json ? exa_json_event(ev, &br->exa, ++br->counters[idx], EXA_PARSED, 0, b)
                              : exa_text_event(ev, EXA_PARSED, 0, b);
                if (rc == 0)
                    emit(br, h, b);
            }
            if ((f & CONF_API_FSM) && json) {
                exa_buf_reset(b);
                if (exa_json_fsm(ev, &br->exa, ++br->counters[idx], b) == 0)
                    emit(br, h, b);
            }
            continue;
        }
        if (ev->body_case == BGPBUS__V1__EVENT__BODY_NEGOTIATED) {
            if ((f & CONF_API_NEGOTIATED) && json) {
                exa_buf_reset(b);
                if (exa_json_event(ev, &br->exa, ++br->counters[idx], EXA_PARSED, 0, b) == 0)
                    emit(br, h, b);
            }
            continue;
        }
        if (kind < 0)
            continue;
        bool rx = ev->direction == BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED;
#define DIR(m) (rx ? CONF_API_RECEIVE(m) : CONF_API_SEND(m))
        if (!(f & DIR(kind)))
            continue;
        /* SPEC 1.2 (Protocol._to_api): consolidate = one parsed event, with header/body when
         * packets is set; else packets, then parsed. */
        bool packets = f & DIR(CONF_API_MSG_PACKETS);
        if (f & DIR(CONF_API_MSG_CONSOLIDATE)) {
            render_msg(br, h, ev, idx, packets ? EXA_CONSOLIDATE : EXA_PARSED, f);
        } else {
            if (packets)
                render_msg(br, h, ev, idx, EXA_PACKETS, f);
            if (f & DIR(CONF_API_MSG_PARSED))
                render_msg(br, h, ev, idx, EXA_PARSED, f);
        }
#undef DIR
    }
}

static void
deliver_speaker(struct bridge *br, const Bgpbus__V1__Event *ev)
{
    const Bgpbus__V1__SpeakerLifecycle *s = ev->speaker;
    struct exa_buf *b = &br->events->buf;
    if (s->kind != BGPBUS__V1__SPEAKER_LIFECYCLE_KIND__SPEAKER_LIFECYCLE_KIND_SIGNAL)
        return;
    /* SPEC 1.7: with api { signal; } each neighbor's processes get a signal event. */
    for (size_t n = 0; n < br->conf.nneighbors && n < 64; n++) {
        const struct conf_neighbor *nb = &br->conf.neighbors[n];
        Bgpbus__V1__PeerKey k = BGPBUS__V1__PEER_KEY__INIT;
        uint8_t lrid[4];
        k.has_address = true;
        k.address.data = (uint8_t *)nb->peer_address.bytes;
        k.address.len = nb->peer_address.af == AF_INET ? 4 : 16;
        if (nb->local_address.af) {
            k.has_local_address = true;
            k.local_address.data = (uint8_t *)nb->local_address.bytes;
            k.local_address.len = nb->local_address.af == AF_INET ? 4 : 16;
        }
        k.has_local_as = k.has_peer_as = true;
        k.local_as = nb->local_as;
        k.peer_as = nb->peer_as;
        if (nb->router_id.af == AF_INET) {
            memcpy(lrid, nb->router_id.bytes, 4);
            k.has_local_router_id = true;
            k.local_router_id.data = lrid;
            k.local_router_id.len = 4;
        }
        for (size_t i = 0; i < br->nhelpers; i++) {
            struct helper *h = br->helpers[i];
            if (!helper_running(h) || h->proc->encoder != CONF_ENCODER_JSON ||
                !(conf_neighbor_api_flags(nb, h->name) & CONF_API_SIGNAL))
                continue;
            exa_buf_reset(b);
            if (exa_json_signal(&k, s, ev->time, &br->exa, ++br->counters[n], b) == 0)
                emit(br, h, b);
        }
    }
}

static void
deliver(struct bridge *br, Bgpbus__V1__Event *ev)
{
    br->events->last_seq = ev->seq;
    if (ev->body_case == BGPBUS__V1__EVENT__BODY_SPEAKER) {
        deliver_speaker(br, ev);
        bgpbus__v1__event__free_unpacked(ev, NULL);
        return;
    }
    int idx = bridge_neighbor_index(br, ev->peer);
    if (idx < 0) {
        bgpbus__v1__event__free_unpacked(ev, NULL);
        return;
    }
    events_deliver_peer(br, ev, idx);
    if (ev->body_case == BGPBUS__V1__EVENT__BODY_NEGOTIATED) {
        /* Kept for the negotiated member of later update events (SPEC 1.2). */
        if (br->negotiated[idx])
            bgpbus__v1__event__free_unpacked(br->negotiated[idx], NULL);
        br->negotiated[idx] = ev;
        return;
    }
    bgpbus__v1__event__free_unpacked(ev, NULL);
}

/* ---- gap repair and late start ------------------------------------------------------------ */

static bool repair_request(struct bridge *br);

/* A ReadEvents in flight: the epoch generation it reads for. */
struct read_ctx {
    struct bridge *br;
    unsigned gen;
};

static void
drop_held(struct events_state *es)
{
    while (es->head) {
        struct held *x = es->head;
        es->head = x->next;
        bgpbus__v1__event__free_unpacked(x->ev, NULL);
        free(x);
    }
    es->tail = NULL;
}

/* Events last_seq+1 .. upto-1 cannot be had: the helpers go on without them. Never silent:
 * the log says which, why, and how many were lost since the bridge started. */
static void
skip_gap(struct bridge *br, uint64_t upto, const char *why)
{
    struct events_state *es = br->events;
    if (upto <= es->last_seq + 1)
        return;
    es->lost += upto - 1 - es->last_seq;
    log_error("events %" PRIu64 "..%" PRIu64 " %s; helpers miss them (%" PRIu64
              " event(s) lost so far)",
              es->last_seq + 1, upto - 1, why, es->lost);
    es->last_seq = upto - 1;
}

/* Delivers the held events while they follow on from the last one delivered. At a gap among
 * them (nng dropped events while a read was in flight) the gap is read from the speaker first,
 * and the rest stays held until it is filled. */
static void
release_held(struct bridge *br)
{
    struct events_state *es = br->events;
    es->repairing = false;
    while (es->head) {
        struct held *x = es->head;
        if (x->ev->seq > es->last_seq + 1) {
            log_warn("events %" PRIu64 "..%" PRIu64
                     " missed while earlier ones were read; reading them from the speaker",
                     es->last_seq + 1, x->ev->seq - 1);
            if (repair_request(br))
                return;
            skip_gap(br, x->ev->seq, "cannot be asked for");
        }
        es->head = x->next;
        if (!es->head)
            es->tail = NULL;
        if (x->ev->seq > es->last_seq)
            deliver(br, x->ev);
        else
            bgpbus__v1__event__free_unpacked(x->ev, NULL);
        free(x);
    }
}

/* Reads on from last_seq+1; when the request cannot be sent, goes on with what is held. */
static void
read_on(struct bridge *br)
{
    if (!repair_request(br)) {
        br->events->catching_up = false;
        release_held(br);
    }
}

void
events_epoch_seen(struct bridge *br, uint64_t epoch)
{
    struct events_state *es = br->events;
    if (!es || epoch == 0 || epoch == es->epoch)
        return;
    /* Whatever was held or being read belongs to the old run. */
    drop_held(es);
    es->epoch = epoch;
    es->gen++;
    es->last_seq = 0;
    es->catching_up = true;
    read_on(br);
}

bool
events_gen_current(const struct bridge *br, unsigned gen)
{
    return br->events && br->events->gen == gen;
}

void
events_present_done(struct bridge *br, unsigned gen, uint64_t seq)
{
    struct events_state *es = br->events;
    if (!es || gen != es->gen)
        return;
    if (seq > es->last_seq)
        es->last_seq = seq;
    /* The events after the snapshot, up to the first one held, come from the ring. */
    read_on(br);
}

/* The first page of a new epoch: from its beginning when the ring still has it, else
 * the present state (catchup.c). Returns true when the page is to be delivered. */
static bool
catch_up_start(struct bridge *br, const Bgpbus__V1__EventPage *page)
{
    struct events_state *es = br->events;
    es->catching_up = false;
    if (page->oldest_seq <= 1) {
        if (page->newest_seq > 0)
            log_info("replaying the speaker's run from its first event (newest seq %" PRIu64
                     ") before live events",
                     page->newest_seq);
        return true;
    }
    catchup_present(br, es->gen, page->newest_seq);
    return false;
}

/* Delivers the page's events after last_seq and before upto, in order; a hole in the ring
 * (an event it could not keep) is skipped as lost. Delivered events are taken out of the page
 * (deliver() owns them). Returns how many were delivered. */
static size_t
deliver_page(struct bridge *br, Bgpbus__V1__EventPage *page, uint64_t upto)
{
    struct events_state *es = br->events;
    size_t used = 0, kept = 0;
    for (size_t i = 0; i < page->n_events; i++) {
        Bgpbus__V1__Event *ev = page->events[i];
        if (ev->seq <= es->last_seq || ev->seq >= upto) {
            page->events[kept++] = ev;
            continue;
        }
        skip_gap(br, ev->seq, "are missing from the speaker's replay ring");
        deliver(br, ev);
        used++;
    }
    page->n_events = kept;
    return used;
}

static void
on_read_events(struct bus_client *c, void *arg, int status, const uint8_t *data, size_t len)
{
    struct read_ctx *ctx = arg;
    struct bridge *br = ctx->br;
    unsigned gen = ctx->gen;
    struct events_state *es = br->events;
    Bgpbus__V1__Reply *rep = NULL;
    (void)c;
    free(ctx);
    if (status == BUS_ECANCELED || !es || gen != es->gen)
        return; /* the bridge is stopping, or an older epoch's read (a newer one is in flight) */
    if (status == 0)
        rep = bgpbus__v1__reply__unpack(NULL, len, data);
    if (!rep || rep->result_case != BGPBUS__V1__REPLY__RESULT_EVENTS || !rep->events) {
        log_error("cannot read missed events from the speaker (%s)",
                  status ? bus_strerror(status) : "bad reply");
        if (rep)
            bgpbus__v1__reply__free_unpacked(rep, NULL);
        es->catching_up = false;
        if (es->head)
            skip_gap(br, es->head->ev->seq, "could not be read");
        release_held(br);
        return;
    }
    Bgpbus__V1__EventPage *page = rep->events;
    if (page->has_epoch && page->epoch != es->epoch) {
        /* The speaker restarted since the read was asked: start over on its new run. */
        uint64_t epoch = page->epoch;
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        events_epoch_seen(br, epoch);
        bridge_epoch_seen(br, epoch);
        return;
    }
    if (es->catching_up && !catch_up_start(br, page)) {
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        return; /* repairing until catchup.c calls events_present_done */
    }
    /* Read up to the first event held; with none held, up to the newest. */
    uint64_t upto = es->head ? es->head->ev->seq : UINT64_MAX;
    if (page->oldest_seq > es->last_seq + 1)
        skip_gap(br, page->oldest_seq < upto ? page->oldest_seq : upto,
                 "are gone from the speaker's replay ring");
    uint64_t newest = page->newest_seq;
    size_t used = deliver_page(br, page, upto);
    bgpbus__v1__reply__free_unpacked(rep, NULL);
    if (used == 0 && es->head && es->last_seq + 1 < upto && newest > es->last_seq)
        skip_gap(br, upto, "are missing from the speaker's replay ring");
    if (used > 0 && es->last_seq + 1 < upto && newest > es->last_seq)
        read_on(br); /* the page was full: more to read */
    else
        release_held(br); /* reads the next gap among the held events, if any */
}

/* Asks the speaker for the events from last_seq+1 (the bridge holds live events meanwhile).
 * false when the request could not be sent. */
static bool
repair_request(struct bridge *br)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ReadEvents re = BGPBUS__V1__READ_EVENTS__INIT;
    uint8_t buf[64];
    struct read_ctx *ctx = malloc(sizeof(*ctx));
    re.has_from_seq = true;
    re.from_seq = br->events->last_seq + 1;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_READ_EVENTS;
    req.read_events = &re;
    req.owner = "bgpbus-apibridge";
    size_t len = bgpbus__v1__request__pack(&req, buf);
    int rc = BUS_ENOMEM;
    if (ctx) {
        ctx->br = br;
        ctx->gen = br->events->gen;
        rc =
            bus_request(br->client, buf, len, BRIDGE_REQUEST_TIMEOUT_MS, on_read_events, ctx, NULL);
    }
    if (rc < 0) {
        log_error("cannot ask the speaker for missed events: %s", bus_strerror(rc));
        free(ctx);
        return false;
    }
    br->events->repairing = true;
    return true;
}

static void
hold(struct events_state *es, Bgpbus__V1__Event *ev)
{
    struct held *x = malloc(sizeof(*x));
    if (!x) {
        log_error("out of memory holding an event during a repair; it is lost");
        bgpbus__v1__event__free_unpacked(ev, NULL);
        return;
    }
    x->ev = ev;
    x->next = NULL;
    if (es->tail)
        es->tail->next = x;
    else
        es->head = x;
    es->tail = x;
}

static void
on_event(struct bus_sub *sub, void *arg, const char *topic, const uint8_t *payload, size_t len)
{
    struct bridge *br = arg;
    struct events_state *es = br->events;
    (void)sub;
    (void)topic;
    Bgpbus__V1__Event *ev = bgpbus__v1__event__unpack(NULL, len, payload);
    if (!ev) {
        log_warn("an event from the speaker does not decode");
        return;
    }
    switch (bus_seq_feed(&es->seq, ev->epoch, ev->seq)) {
    case BUS_SEQ_DUPLICATE: bgpbus__v1__event__free_unpacked(ev, NULL); return;
    case BUS_SEQ_RESTART:
    case BUS_SEQ_FIRST:
        /* A speaker run not seen yet (unless a Ping reply told it first): read it from its
         * beginning before anything live. */
        events_epoch_seen(br, ev->epoch);
        bridge_epoch_seen(br, ev->epoch);
        break;
    default: break;
    }
    if (es->repairing) {
        hold(es, ev);
        return;
    }
    if (ev->seq <= es->last_seq) {
        bgpbus__v1__event__free_unpacked(ev, NULL);
        return;
    }
    if (ev->seq != es->last_seq + 1) {
        log_warn("events %" PRIu64 "..%" PRIu64 " missed; reading them from the speaker",
                 es->last_seq + 1, ev->seq - 1);
        hold(es, ev);
        read_on(br);
        return;
    }
    deliver(br, ev);
}

int
events_open(struct bridge *br, const struct bus_opts *opts)
{
    struct bus_opts o = *opts;
    o.dial_async = true;
    br->events = calloc(1, sizeof(*br->events));
    if (!br->events)
        return -1;
    bus_seq_init(&br->events->seq);
    exa_buf_init(&br->events->buf);
    int rc = bus_sub_open(&br->sub, br->base, &o, on_event, br);
    if (rc < 0 || (rc = bus_subscribe(br->sub, "ev/")) < 0) {
        log_error("cannot subscribe to the speaker's events: %s", bus_strerror(rc));
        return -1;
    }
    return 0;
}

void
events_close(struct bridge *br)
{
    struct events_state *es = br->events;
    if (br->sub)
        bus_sub_free(br->sub);
    br->sub = NULL;
    if (!es)
        return;
    drop_held(es);
    exa_buf_free(&es->buf);
    free(es);
    br->events = NULL;
}
