/*
 * client_event.c: the subscription, in order and without loss.
 *
 * Events come off the SUB socket (nng queue raised to its maximum). Each subscription tracks
 * the counter of its topic level (event.proto: seq, type_seq or peer_seq); a jump is a gap,
 * read back from the speaker's replay ring (ReadEvents, from the global seq after the last one
 * this subscription delivered, with the subscription's topic) and queued before the event that
 * revealed it. Nothing later is returned before the repair: callers see every event in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

#include <nng/protocol/pubsub0/sub.h>

static const char *const type_names[] = {
    [BGPBUS_EVENT_OTHER] = "other",
    [BGPBUS_EVENT_STATE] = "state",
    [BGPBUS_EVENT_OPEN] = "open",
    [BGPBUS_EVENT_NEGOTIATED] = "negotiated",
    [BGPBUS_EVENT_UPDATE] = "update",
    [BGPBUS_EVENT_NOTIFICATION] = "notification",
    [BGPBUS_EVENT_KEEPALIVE] = "keepalive",
    [BGPBUS_EVENT_REFRESH] = "refresh",
    [BGPBUS_EVENT_EOR] = "eor",
    [BGPBUS_EVENT_OPERATIONAL] = "operational",
    [BGPBUS_EVENT_SPEAKER] = "speaker",
};

const char *
bgpbus_event_type_name(enum bgpbus_event_type t)
{
    return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : NULL;
}

int
bgpbus_event_type_from_name(const char *name)
{
    for (size_t i = 1; name && i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (strcmp(type_names[i], name) == 0)
            return (int)i;
    return -1;
}

int
bgpbus_topic(char *buf, size_t len, const char *type, const char *neighbor)
{
    int n;

    if (!buf || (neighbor && !type))
        return BGPBUS_E_INVALID;
    if (!type)
        n = snprintf(buf, len, "ev/");
    else if (!neighbor)
        n = snprintf(buf, len, "ev/%s/", type);
    else
        n = snprintf(buf, len, "ev/%s/%s/", type, neighbor);
    return n < 0 || (size_t)n >= len ? BGPBUS_E_INVALID : 0;
}

/* event.proto: the body member decides the topic's type word. */
static enum bgpbus_event_type
type_of(const Bgpbus__V1__Event *ev)
{
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_STATE: return BGPBUS_EVENT_STATE;
    case BGPBUS__V1__EVENT__BODY_OPEN: return BGPBUS_EVENT_OPEN;
    case BGPBUS__V1__EVENT__BODY_NEGOTIATED: return BGPBUS_EVENT_NEGOTIATED;
    case BGPBUS__V1__EVENT__BODY_UPDATE: return BGPBUS_EVENT_UPDATE;
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION: return BGPBUS_EVENT_NOTIFICATION;
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE: return BGPBUS_EVENT_KEEPALIVE;
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH: return BGPBUS_EVENT_REFRESH;
    case BGPBUS__V1__EVENT__BODY_EOR: return BGPBUS_EVENT_EOR;
    case BGPBUS__V1__EVENT__BODY_OPERATIONAL: return BGPBUS_EVENT_OPERATIONAL;
    case BGPBUS__V1__EVENT__BODY_SPEAKER: return BGPBUS_EVENT_SPEAKER;
    default: return BGPBUS_EVENT_OTHER;
    }
}

struct bgpbus_event *
client_event_wrap(Bgpbus__V1__Event *pb)
{
    struct bgpbus_event *ev = calloc(1, sizeof(*ev));

    if (!ev) {
        bgpbus__v1__event__free_unpacked(pb, NULL);
        return NULL;
    }
    ev->pb = pb;
    ev->type = type_of(pb);
    if (pb->peer && pb->peer->has_address)
        client_addr_text(&pb->peer->address, ev->neighbor, sizeof(ev->neighbor));
    return ev;
}

/* The topic the speaker published the event under, for matching it against a prefix. */
static void
topic_of(const struct bgpbus_event *ev, char *buf, size_t len)
{
    snprintf(buf, len, "ev/%s/%s/", type_names[ev->type], ev->neighbor[0] ? ev->neighbor : "-");
}

void
bgpbus_event_free(bgpbus_event *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->n_announced; i++)
        free(ev->announced[i]);
    for (size_t i = 0; i < ev->n_withdrawn; i++)
        free(ev->withdrawn[i]);
    free(ev->announced);
    free(ev->withdrawn);
    bgpbus__v1__event__free_unpacked(ev->pb, NULL);
    free(ev);
}

void
client_events_close(struct bgpbus_client *c)
{
    struct bgpbus_event *ev, *next;

    for (ev = c->q_head; ev; ev = next) {
        next = ev->next;
        bgpbus_event_free(ev);
    }
    c->q_head = c->q_tail = NULL;
    if (c->sub_open)
        bus_sock_close(&c->sub_sock);
    c->sub_open = false;
    for (size_t i = 0; i < c->nsubs; i++)
        free(c->subs[i].prefix);
    free(c->subs);
    c->subs = NULL;
    c->nsubs = 0;
}

int
bgpbus_subscribe(bgpbus_client *c, const char *prefix)
{
    struct client_sub *subs;
    int rc;

    if (!c || !prefix || strncmp(prefix, "ev/", 3) != 0) {
        if (c)
            client_set_error(c, "a topic prefix starts with \"ev/\"");
        return BGPBUS_E_INVALID;
    }
    if (!c->sub_open) {
        if ((rc = bus_sock_open(&c->sub_sock, BUS_KIND_SUB, &c->ev_opts)) < 0)
            return client_bus_error(c, rc, "events");
        c->sub_open = true;
        if ((rc = bus_sock_fd(&c->sub_sock, NNG_OPT_RECVFD, &c->sub_fd)) < 0)
            return client_bus_error(c, rc, "events");
    }
    if (!(subs = realloc(c->subs, (c->nsubs + 1) * sizeof(*subs))))
        return BGPBUS_E_NOMEM;
    c->subs = subs;
    struct client_sub *s = &subs[c->nsubs];
    *s = (struct client_sub){ .prefix = strdup(prefix) };
    if (!s->prefix)
        return BGPBUS_E_NOMEM;
    /* "ev/" -> seq, "ev/<type>/" -> type_seq, "ev/<type>/<peer>/" -> peer_seq. */
    int slashes = 0;
    for (const char *p = prefix; *p; p++)
        slashes += *p == '/';
    s->depth = slashes <= 1 ? 0 : slashes == 2 ? 1 : 2;
    if (s->depth == 1 && prefix[strlen(prefix) - 1] != '/')
        s->depth = 0; /* "ev/upd" is a partial word: only the global seq is meaningful */
    bus_seq_init(&s->seq);
    rc = nng_socket_set(c->sub_sock.sock, NNG_OPT_SUB_SUBSCRIBE, prefix, strlen(prefix));
    if (rc != 0) {
        free(s->prefix);
        return client_bus_error(c, -rc, "subscribe");
    }
    c->nsubs++;
    return 0;
}

int
bgpbus_client_fd(bgpbus_client *c)
{
    return c && c->sub_open ? c->sub_fd : -1;
}

/* ---- delivered-seq window ------------------------------------------------------------------ */

#define SEEN_BITS (sizeof(((struct bgpbus_client *)0)->seen) * 8)

static bool
seen_test_set(struct bgpbus_client *c, uint64_t seq)
{
    if (seq < c->seen_base)
        return true; /* older than the window: delivered long ago, or lost for good */
    if (seq >= c->seen_base + SEEN_BITS) {
        uint64_t shift = seq - (c->seen_base + SEEN_BITS) + 1;
        if (shift >= SEEN_BITS) {
            memset(c->seen, 0, sizeof(c->seen));
        } else {
            for (uint64_t s = c->seen_base; s < c->seen_base + shift; s++)
                c->seen[(s % SEEN_BITS) / 8] &= (uint8_t) ~(1u << (s % 8));
        }
        c->seen_base += shift;
    }
    size_t bit = (size_t)(seq % SEEN_BITS);
    bool was = c->seen[bit / 8] & (1u << (bit % 8));
    c->seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
    return was;
}

static void
enqueue(struct bgpbus_client *c, struct bgpbus_event *ev)
{
    ev->next = NULL;
    if (c->q_tail)
        c->q_tail->next = ev;
    else
        c->q_head = ev;
    c->q_tail = ev;
}

static uint64_t
tracked(const struct client_sub *s, const Bgpbus__V1__Event *ev)
{
    return s->depth == 0 ? ev->seq : s->depth == 1 ? ev->type_seq : ev->peer_seq;
}

/* Reads global seqs [from, upto) of the subscription's topic from the replay ring into the
 * queue. Returns how many could not be read (gone from the ring). */
static uint64_t
repair(struct bgpbus_client *c, struct client_sub *s, uint64_t from, uint64_t upto)
{
    uint64_t lost = 0;

    while (from < upto) {
        Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
        Bgpbus__V1__ReadEvents re = BGPBUS__V1__READ_EVENTS__INIT;
        Bgpbus__V1__Reply *rep = NULL;

        re.has_from_seq = true;
        re.from_seq = from;
        re.topic_prefix = s->prefix;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_READ_EVENTS;
        req.read_events = &re;
        if (bgpbus_request(c, &req, &rep) < 0 ||
            rep->result_case != BGPBUS__V1__REPLY__RESULT_EVENTS) {
            bgpbus_reply_free(rep);
            return lost + 1; /* at least one, of unknown count */
        }
        if (rep->events->has_oldest_seq && rep->events->oldest_seq > from) {
            uint64_t gone_to = rep->events->oldest_seq < upto ? rep->events->oldest_seq : upto;
            lost += gone_to - from;
            from = gone_to;
        }
        size_t used = 0;
        for (size_t i = 0; i < rep->events->n_events; i++) {
            Bgpbus__V1__Event *pb = rep->events->events[i];
            if (pb->seq >= upto || pb->seq < from)
                continue;
            from = pb->seq + 1;
            used++;
            if (seen_test_set(c, pb->seq))
                continue;
            /* Detach the event from the page, so the page can be freed alone. */
            rep->events->events[i] = NULL;
            struct bgpbus_event *ev = client_event_wrap(pb);
            if (ev)
                enqueue(c, ev);
        }
        /* Free the page with the detached slots skipped. */
        size_t k = 0;
        for (size_t i = 0; i < rep->events->n_events; i++)
            if (rep->events->events[i])
                rep->events->events[k++] = rep->events->events[i];
        rep->events->n_events = k;
        bgpbus_reply_free(rep);
        if (used == 0)
            break; /* nothing more of this topic before upto */
    }
    return lost;
}

/* One message off the SUB socket: decode, track, repair, queue. */
static void
take(struct bgpbus_client *c, nng_msg *msg)
{
    const uint8_t *body = nng_msg_body(msg);
    size_t len = nng_msg_len(msg);
    const uint8_t *nul = memchr(body, 0, len);
    Bgpbus__V1__Event *pb;
    struct bgpbus_event *ev;
    uint64_t lost = 0;
    bool restarted = false;

    if (!nul)
        return;
    pb = bgpbus__v1__event__unpack(NULL, len - (size_t)(nul + 1 - body), nul + 1);
    if (!pb || !(ev = client_event_wrap(pb)))
        return;
    if (c->epoch_known && pb->epoch != c->epoch) {
        /* event.proto: a new epoch restarts every counter. */
        restarted = true;
        c->seen_base = 0;
        memset(c->seen, 0, sizeof(c->seen));
    }
    c->epoch = pb->epoch;
    c->epoch_known = true;
    char topic[96];
    topic_of(ev, topic, sizeof(topic));
    for (size_t i = 0; i < c->nsubs; i++) {
        struct client_sub *s = &c->subs[i];
        if (strncmp(topic, s->prefix, strlen(s->prefix)) != 0)
            continue;
        enum bus_seq_result r = bus_seq_feed(&s->seq, pb->epoch, tracked(s, pb));
        if (r == BUS_SEQ_GAP && s->last_global)
            lost += repair(c, s, s->last_global + 1, pb->seq);
        else if (r == BUS_SEQ_GAP)
            lost += s->seq.gap_last - s->seq.gap_first + 1;
        if (r != BUS_SEQ_DUPLICATE)
            s->last_global = pb->seq;
    }
    if (seen_test_set(c, pb->seq) && !restarted) {
        bgpbus_event_free(ev);
        return;
    }
    ev->lost = lost;
    ev->restarted = restarted;
    enqueue(c, ev);
}

/* Moves what nng holds into the queue; returns the number of messages taken. */
static int
pump(struct bgpbus_client *c)
{
    int n = 0;

    for (;;) {
        nng_msg *msg;
        int rv = nng_recvmsg(c->sub_sock.sock, &msg, NNG_FLAG_NONBLOCK);
        if (rv != 0)
            return rv == NNG_EAGAIN ? n : -rv;
        take(c, msg);
        nng_msg_free(msg);
        n++;
    }
}

int
bgpbus_next_event(bgpbus_client *c, int timeout_ms, bgpbus_event **out)
{
    int64_t deadline;

    if (!c || !out)
        return BGPBUS_E_INVALID;
    *out = NULL;
    if (!c->sub_open) {
        client_set_error(c, "nothing subscribed");
        return BGPBUS_E_INVALID;
    }
    deadline = timeout_ms < 0 ? INT64_MAX : client_now_ms() + timeout_ms;
    for (;;) {
        if (c->heartbeat_s) {
            /* Half the interval keeps the owner alive through one lost beat. */
            int64_t now = client_now_ms();
            if (now - c->last_heartbeat_ms >= (int64_t)c->heartbeat_s * 500)
                (void)bgpbus_heartbeat(c);
        }
        if (!c->q_head) {
            int rc = pump(c);
            if (rc < 0)
                return client_bus_error(c, rc, "events");
        }
        if (c->q_head) {
            struct bgpbus_event *ev = c->q_head;
            c->q_head = ev->next;
            if (!c->q_head)
                c->q_tail = NULL;
            ev->next = NULL;
            *out = ev;
            return 1;
        }
        int64_t left = deadline - client_now_ms();
        if (left <= 0)
            return 0;
        if (c->heartbeat_s && left > (int64_t)c->heartbeat_s * 500)
            left = (int64_t)c->heartbeat_s * 500;
        struct pollfd pfd = { .fd = c->sub_fd, .events = POLLIN };
        int pr = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
        if (pr < 0 && errno != EINTR) {
            client_set_error(c, "poll: %s", strerror(errno));
            return BGPBUS_E_BUS;
        }
        if (pr > 0 && pump(c) == 0) {
            /* nng 1.5.2 can leave the fd readable with nothing to receive: do not spin. */
            struct pollfd none = { .fd = -1 };
            poll(&none, 1, 2);
        }
    }
}

/* ---- accessors ------------------------------------------------------------------------------ */

enum bgpbus_event_type
bgpbus_event_type(const bgpbus_event *ev)
{
    return ev->type;
}

const char *
bgpbus_event_neighbor(const bgpbus_event *ev)
{
    return ev->neighbor;
}

uint64_t
bgpbus_event_seq(const bgpbus_event *ev)
{
    return ev->pb->seq;
}

uint64_t
bgpbus_event_lost(const bgpbus_event *ev)
{
    return ev->lost;
}

bool
bgpbus_event_restarted(const bgpbus_event *ev)
{
    return ev->restarted;
}

const struct Bgpbus__V1__Event *
bgpbus_event_raw(const bgpbus_event *ev)
{
    return ev->pb;
}

const char *
bgpbus_event_state(const bgpbus_event *ev)
{
    static const char *const st[] = { "unknown",  "idle",        "connect",    "active",
                                      "opensent", "openconfirm", "established" };
    if (ev->type != BGPBUS_EVENT_STATE || !ev->pb->state)
        return NULL;
    return (unsigned)ev->pb->state->current < 7 ? st[ev->pb->state->current] : st[0];
}

/* Appends the text of n NLRIs to *out (grown as needed). false when out of memory. */
static bool
texts_add(char ***out, size_t *count, Bgpbus__V1__Nlri **nlri, size_t n)
{
    char **grown;

    if (n == 0)
        return true;
    if (!(grown = realloc(*out, (*count + n) * sizeof(*grown))))
        return false;
    *out = grown;
    for (size_t i = 0; i < n; i++) {
        char buf[96];
        client_nlri_text(nlri[i], buf, sizeof(buf));
        if (!(grown[*count] = strdup(buf)))
            return false;
        (*count)++;
    }
    return true;
}

static void
build_texts(const bgpbus_event *cev)
{
    /* Built on first use and cached: the accessors are logically const. */
    struct bgpbus_event *ev = (struct bgpbus_event *)cev;

    if (ev->texts_built)
        return;
    ev->texts_built = true;
    if (ev->type != BGPBUS_EVENT_UPDATE || !ev->pb->update)
        return;
    const Bgpbus__V1__Update *u = ev->pb->update;
    for (size_t g = 0; g < u->n_announced; g++)
        if (!texts_add(&ev->announced, &ev->n_announced, u->announced[g]->nlri,
                       u->announced[g]->n_nlri))
            break;
    for (size_t g = 0; g < u->n_withdrawn; g++)
        if (!texts_add(&ev->withdrawn, &ev->n_withdrawn, u->withdrawn[g]->nlri,
                       u->withdrawn[g]->n_nlri))
            break;
}

size_t
bgpbus_event_announced_count(const bgpbus_event *ev)
{
    build_texts(ev);
    return ev->n_announced;
}

const char *
bgpbus_event_announced(const bgpbus_event *ev, size_t i)
{
    build_texts(ev);
    return i < ev->n_announced ? ev->announced[i] : NULL;
}

size_t
bgpbus_event_withdrawn_count(const bgpbus_event *ev)
{
    build_texts(ev);
    return ev->n_withdrawn;
}

const char *
bgpbus_event_withdrawn(const bgpbus_event *ev, size_t i)
{
    build_texts(ev);
    return i < ev->n_withdrawn ? ev->withdrawn[i] : NULL;
}
