/*
 * session.c: one TCP connection running BGP (RFC 4271 8.2.2, OpenSent .. Established).
 *
 * Reading: whole messages are framed out of the bufferevent's input and handed on in place.
 * Writing: messages go to the bufferevent's output; the Adj-RIB-Out watches how much is pending
 * (session_output_pending) instead of queueing messages of its own.
 * Closing: a NOTIFICATION must reach the peer, so the socket is half-closed and drained for a
 * moment before it is closed (closing with unread input would send a reset and lose it).
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "events.h"
#include "log.h"
#include "sockopt.h"
#include "wire.h"

/* RFC 4271 8.2.2: "a large value" for the hold timer while waiting for the OPEN: 4 minutes. */
#define OPEN_HOLD_SECS    240
#define CONNECT_TIMEOUT_S 30
#define LINGER_SECS       2

static void session_read_cb(struct bufferevent *bev, void *arg);
static void session_event_cb(struct bufferevent *bev, short what, void *arg);
static void session_hold_cb(evutil_socket_t fd, short what, void *arg);
static void session_keepalive_cb(evutil_socket_t fd, short what, void *arg);

static void
session_set_state(struct session *s, enum fsm_state to)
{
    enum fsm_state from = s->state;
    if (from == to)
        return;
    s->state = to;
    peer_session_state(s->peer, s, from, to);
}

static void
timer_arm(struct event *ev, unsigned secs)
{
    struct timeval tv = { .tv_sec = secs, .tv_usec = 0 };
    evtimer_add(ev, &tv);
}

static struct session *
session_new(struct peer *p, enum session_dir dir, int fd)
{
    struct session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->peer = p;
    s->dir = dir;
    s->state = dir == SESSION_OUT ? FSM_CONNECT : FSM_ACTIVE;
    s->max_len = BGP_MSG_MAX;
    s->bev = bufferevent_socket_new(p->sp->base, fd, BEV_OPT_CLOSE_ON_FREE);
    s->t_hold = evtimer_new(p->sp->base, session_hold_cb, s);
    s->t_keepalive = event_new(p->sp->base, -1, EV_PERSIST, session_keepalive_cb, s);
    if (!s->bev || !s->t_hold || !s->t_keepalive) {
        if (s->bev)
            bufferevent_free(s->bev);
        else if (fd >= 0)
            close(fd);
        if (s->t_hold)
            event_free(s->t_hold);
        if (s->t_keepalive)
            event_free(s->t_keepalive);
        free(s);
        return NULL;
    }
    bufferevent_setcb(s->bev, session_read_cb, NULL, session_event_cb, s);
    return s;
}

static void
session_free(struct session *s)
{
    event_free(s->t_hold);
    event_free(s->t_keepalive);
    if (s->bev)
        bufferevent_free(s->bev);
    free(s);
}

void
session_send(struct session *s, const void *msg, size_t len)
{
    if (s->dead)
        return;
    if (bufferevent_write(s->bev, msg, len) < 0) {
        log_error("peer %s: cannot queue %zu octets", s->peer->addr_text, len);
        return;
    }
    s->peer->stats.msg_out++;
}

size_t
session_output_pending(const struct session *s)
{
    return evbuffer_get_length(bufferevent_get_output(s->bev));
}

static void
session_send_open(struct session *s)
{
    uint8_t buf[BGP_MSG_MAX];
    struct wire_wr w;

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    if (!bgp_open_encode(&w, &s->peer->local_open)) {
        log_error("peer %s: our OPEN does not fit a message", s->peer->addr_text);
        return;
    }
    session_send(s, w.buf, w.len);
    ev_open(s->peer, s, &s->peer->local_open, w.buf, w.len, BGPBUS__V1__DIRECTION__DIRECTION_SENT);
}

static void
session_send_keepalive(struct session *s)
{
    uint8_t buf[BGP_HEADER_LEN];
    struct wire_wr w;

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_keepalive_encode(&w);
    session_send(s, w.buf, w.len);
    s->peer->stats.keepalives_out++;
}

static void
session_tcp_up(struct session *s)
{
    int fd = bufferevent_getfd(s->bev);

    s->local_len = sizeof(s->local);
    if (getsockname(fd, (struct sockaddr *)&s->local, &s->local_len) < 0)
        s->local_len = 0;
    sockopt_session(fd);
    bufferevent_enable(s->bev, EV_READ | EV_WRITE);
    session_send_open(s);
    timer_arm(s->t_hold, OPEN_HOLD_SECS);
    session_set_state(s, FSM_OPENSENT);
}

struct session *
session_accept(struct peer *p, int fd)
{
    const struct conf_neighbor *cfg = p->cfg;

    /* The listener serves every neighbor on its address, so the neighbor's TTL and GTSM
     * minimum (RFC 5082) go on the accepted socket: what the peer sends after the handshake
     * below the minimum is dropped, and it never reaches Established. */
    if (sockopt_ttl(fd, p->remote.ss_family, cfg->outgoing_ttl,
                    cfg->incoming_ttl > 0 ? cfg->incoming_ttl : 0) < 0)
        log_error("peer %s: TTL options: %s", p->addr_text, strerror(errno));
    struct session *s = session_new(p, SESSION_IN, fd);
    if (!s)
        return NULL;
    session_tcp_up(s);
    return s;
}

struct session *
session_connect(struct peer *p)
{
    const struct conf_neighbor *cfg = p->cfg;
    int family = p->remote.ss_family;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        log_error("peer %s: socket: %s", p->addr_text, strerror(errno));
        return NULL;
    }
    if (cfg->md5_password &&
        sockopt_md5(fd, (struct sockaddr *)&p->remote, p->remote_len, cfg->md5_password) < 0)
        log_error("peer %s: TCP MD5 signature: %s", p->addr_text, strerror(errno));
    if (sockopt_ttl(fd, family, cfg->outgoing_ttl, cfg->incoming_ttl > 0 ? cfg->incoming_ttl : 0) <
        0)
        log_error("peer %s: TTL options: %s", p->addr_text, strerror(errno));
    if (cfg->local_address.af == family) {
        struct sockaddr_storage ss;
        socklen_t len;
        memset(&ss, 0, sizeof(ss));
        if (family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
            sin->sin_family = AF_INET;
            memcpy(&sin->sin_addr, cfg->local_address.bytes, 4);
            len = sizeof(*sin);
        } else {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
            sin6->sin6_family = AF_INET6;
            memcpy(&sin6->sin6_addr, cfg->local_address.bytes, 16);
            len = sizeof(*sin6);
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
            log_error("peer %s: bind to local-address %s: %s", p->addr_text,
                      cfg->local_address.text ? cfg->local_address.text : "?", strerror(errno));
            close(fd);
            return NULL;
        }
    }
    struct session *s = session_new(p, SESSION_OUT, fd);
    if (!s)
        return NULL;
    if (bufferevent_socket_connect(s->bev, (struct sockaddr *)&p->remote, (int)p->remote_len) < 0) {
        log_info("peer %s: connect: %s", p->addr_text, strerror(errno));
        session_free(s);
        return NULL;
    }
    timer_arm(s->t_hold, CONNECT_TIMEOUT_S);
    return s;
}

int
session_local_addr(const struct session *s, int family, uint8_t out[16])
{
    if (s->local_len == 0)
        return -1;
    if (s->local.ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)&s->local;
        if (family != AF_INET)
            return -1;
        memcpy(out, &sin->sin_addr, 4);
        return 4;
    }
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&s->local;
    if (family == AF_INET6) {
        memcpy(out, &sin6->sin6_addr, 16);
        return 16;
    }
    if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
        memcpy(out, &sin6->sin6_addr.s6_addr[12], 4);
        return 4;
    }
    return -1;
}

/* ---- closing ---------------------------------------------------------------------------- */

struct closing_fd {
    struct closing_fd *next, **prev; /* speaker.closing: freed at exit if still open */
    struct event *ev;
    int fd;
};

static void
closing_free(struct closing_fd *l)
{
    *l->prev = l->next;
    if (l->next)
        l->next->prev = l->prev;
    event_free(l->ev);
    close(l->fd);
    free(l);
}

void
session_closing_free_all(struct speaker *sp)
{
    while (sp->closing)
        closing_free(sp->closing);
}

static void
linger_cb(evutil_socket_t fd, short what, void *arg)
{
    struct closing_fd *l = arg;
    char buf[4096];

    if (what & EV_READ) {
        ssize_t n;
        while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
            ;
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return; /* more may come before the peer closes */
    }
    closing_free(l); /* EOF, error or timeout: done */
}

/* Half-closes after the queued output and discards input until the peer closes (or a few
 * seconds pass), so that our last message is delivered rather than lost to a reset. */
static void
session_linger(struct session *s)
{
    int fd = bufferevent_getfd(s->bev);
    struct evbuffer *out = bufferevent_get_output(s->bev);
    struct closing_fd *l;

    if (fd < 0)
        return;
    /* Write what is left synchronously, best effort: the NOTIFICATION is small. A socket
     * bufferevent keeps the front of its output frozen outside its own write callback, and
     * evbuffer_write() on a frozen front writes nothing: thaw it first. */
    evbuffer_unfreeze(out, 1);
    while (evbuffer_get_length(out) > 0) {
        if (evbuffer_write(out, fd) <= 0)
            break;
    }
    l = calloc(1, sizeof(*l));
    if (!l)
        return;
    /* Take the fd away from the bufferevent, which would close it. */
    bufferevent_disable(s->bev, EV_READ | EV_WRITE);
    int dupfd = dup(fd);
    if (dupfd < 0) {
        free(l);
        return;
    }
    shutdown(dupfd, SHUT_WR);
    l->fd = dupfd;
    l->ev = event_new(s->peer->sp->base, dupfd, EV_READ | EV_PERSIST, linger_cb, l);
    if (!l->ev) {
        close(dupfd);
        free(l);
        return;
    }
    struct speaker *sp = s->peer->sp;
    l->next = sp->closing;
    if (l->next)
        l->next->prev = &l->next;
    l->prev = &sp->closing;
    sp->closing = l;
    struct timeval tv = { .tv_sec = LINGER_SECS, .tv_usec = 0 };
    event_add(l->ev, &tv);
}

void
session_close(struct session *s, const struct bgp_error *err, const char *reason)
{
    struct peer *p = s->peer;

    if (s->dead)
        return;
    if (err && s->state >= FSM_OPENSENT) {
        uint8_t buf[BGP_MSG_MAX];
        struct wire_wr w;
        wire_wr_init_fixed(&w, buf, sizeof(buf));
        bgp_notification_encode_error(&w, err);
        if (wire_wr_ok(&w)) {
            session_send(s, w.buf, w.len);
            p->stats.notifications_out++;
            p->last_notification.code = err->code;
            p->last_notification.subcode = err->subcode;
            p->last_notification.sent = true;
            ev_notification(p, w.buf, w.len, BGPBUS__V1__DIRECTION__DIRECTION_SENT);
        }
        log_info("peer %s: sent NOTIFICATION %u/%u (%s)%s%s", p->addr_text, err->code, err->subcode,
                 bgp_error_name(err->code, err->subcode), reason ? ": " : "", reason ? reason : "");
    }
    if (s->state >= FSM_OPENSENT)
        session_linger(s);
    s->dead = true;
    evtimer_del(s->t_hold);
    event_del(s->t_keepalive);
    s->state = FSM_IDLE; /* peer_session_closed reports the transition, with the reason */
    peer_session_closed(p, s, reason);
    if (s->in_callback)
        return; /* the read loop frees it when the callback returns */
    session_free(s);
}

/* ---- receiving -------------------------------------------------------------------------- */

static void
session_fsm_error(struct session *s, uint8_t type)
{
    struct bgp_error err;
    /* RFC 6608 3: the subcode says in which state the unexpected message came. */
    uint8_t sub = s->state == FSM_OPENSENT ? 1 : s->state == FSM_OPENCONFIRM ? 2 : 3;
    bgp_error_set(&err, BGP_ERR_FSM, sub, &type, 1, "unexpected message");
    session_close(s, &err, "unexpected message for the FSM state");
}

static void
session_start_timers(struct session *s)
{
    uint16_t hold = s->neg.hold_time;

    evtimer_del(s->t_hold);
    event_del(s->t_keepalive);
    if (hold == 0)
        return; /* RFC 4271 4.2: no KEEPALIVEs, no hold timer */
    timer_arm(s->t_hold, hold);
    struct timeval ka = { .tv_sec = hold / 3 ? hold / 3 : 1, .tv_usec = 0 };
    event_add(s->t_keepalive, &ka);
}

static void
session_got_open(struct session *s, const uint8_t *msg, size_t len)
{
    struct peer *p = s->peer;
    struct bgp_error err;
    struct bgp_open_policy pol;

    if (bgp_open_decode(msg, len, &s->remote_open, &err) < 0) {
        session_close(s, &err, "malformed OPEN");
        return;
    }
    memset(&pol, 0, sizeof(pol));
    pol.peer_as = p->cfg->peer_as;
    pol.local_as = p->cfg->local_as;
    pol.local_id = p->router_id;
    if (bgp_open_validate(&s->remote_open, &pol, &err) < 0) {
        session_close(s, &err, err.reason ? err.reason : "OPEN refused");
        return;
    }
    bgp_caps_negotiate(&p->local_open, &s->remote_open, &s->neg);
    s->max_len = s->neg.max_msg_len;
    s->open_received = true;
    if (!peer_session_open_received(p, s, msg, len))
        return; /* lost a collision: closed */
    ev_negotiated(p, s);
    session_send_keepalive(s);
    session_start_timers(s);
    session_set_state(s, FSM_OPENCONFIRM);
}

/* Returns false when the session is gone. */
static bool
session_dispatch(struct session *s, uint8_t type, const uint8_t *msg, size_t len)
{
    struct peer *p = s->peer;
    struct bgp_notification n;

    p->stats.msg_in++;
    if (type == BGP_MSG_NOTIFICATION) {
        char reason[320];
        p->stats.notifications_in++;
        if (bgp_notification_decode(msg + BGP_HEADER_LEN, len - BGP_HEADER_LEN, &n) == 0) {
            p->last_notification.code = n.code;
            p->last_notification.subcode = n.subcode;
            p->last_notification.sent = false;
            snprintf(reason, sizeof(reason), "peer sent NOTIFICATION %u/%u (%s)%s%s", n.code,
                     n.subcode, bgp_error_name(n.code, n.subcode), n.has_shutdown_msg ? ": " : "",
                     n.has_shutdown_msg ? n.shutdown_msg : "");
        } else {
            snprintf(reason, sizeof(reason), "peer sent a malformed NOTIFICATION");
        }
        log_info("peer %s: %s", p->addr_text, reason);
        peer_session_message(p, s, type, msg, len);
        if (!s->dead)
            session_close(s, NULL, reason); /* RFC 4271 6.4: no NOTIFICATION in answer */
        return false;
    }

    switch (s->state) {
    case FSM_OPENSENT:
        if (type != BGP_MSG_OPEN) {
            session_fsm_error(s, type);
            return false;
        }
        session_got_open(s, msg, len);
        return !s->dead;
    case FSM_OPENCONFIRM:
        if (type != BGP_MSG_KEEPALIVE) {
            session_fsm_error(s, type);
            return false;
        }
        p->stats.keepalives_in++;
        if (s->neg.hold_time)
            timer_arm(s->t_hold, s->neg.hold_time);
        session_set_state(s, FSM_ESTABLISHED);
        return !s->dead;
    case FSM_ESTABLISHED:
        if (type == BGP_MSG_OPEN) {
            session_fsm_error(s, type);
            return false;
        }
        /* RFC 4271 8.2.2: KEEPALIVE and UPDATE restart the hold timer. */
        if (s->neg.hold_time && (type == BGP_MSG_KEEPALIVE || type == BGP_MSG_UPDATE))
            timer_arm(s->t_hold, s->neg.hold_time);
        if (type == BGP_MSG_KEEPALIVE)
            p->stats.keepalives_in++;
        peer_session_message(p, s, type, msg, len);
        return !s->dead;
    default: return false;
    }
}

static void
session_read_cb(struct bufferevent *bev, void *arg)
{
    struct session *s = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    s->in_callback = true;
    while (!s->dead) {
        size_t avail = evbuffer_get_length(in);
        uint8_t hdr[BGP_HEADER_LEN];
        struct bgp_header h;
        struct bgp_error err;

        if (avail < BGP_HEADER_LEN)
            break;
        evbuffer_copyout(in, hdr, sizeof(hdr));
        /* OPEN and KEEPALIVE stay within 4096 even with extended messages (RFC 8654 3). */
        int rc = bgp_header_parse(hdr, sizeof(hdr), s->max_len, &h, &err);
        if (rc < 0) {
            session_close(s, &err, "bad message header");
            break;
        }
        /* 0: the header is valid and announces a longer message than we have yet. */
        size_t need = rc > 0 ? h.length : wire_load_u16(hdr + BGP_MARKER_LEN);
        if (avail < need)
            break;
        h.length = (uint16_t)need;
        h.type = hdr[BGP_MARKER_LEN + 2];
        const uint8_t *msg = evbuffer_pullup(in, (ev_ssize_t)need);
        if (!msg) {
            struct bgp_error oom;
            bgp_error_set(&oom, BGP_ERR_CEASE, BGP_ERR_CEASE_OUT_OF_RESOURCES, NULL, 0,
                          "out of memory");
            session_close(s, &oom, "out of memory");
            break;
        }
        bool alive = session_dispatch(s, h.type, msg, h.length);
        if (!alive || s->dead)
            break;
        evbuffer_drain(in, h.length);
    }
    s->in_callback = false;
    if (s->dead)
        session_free(s);
}

static void
session_event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct session *s = arg;

    if (what & BEV_EVENT_CONNECTED) {
        evtimer_del(s->t_hold);
        session_tcp_up(s);
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        char reason[160];
        int e = EVUTIL_SOCKET_ERROR();
        if (what & BEV_EVENT_EOF)
            snprintf(reason, sizeof(reason), "the peer closed the connection");
        else
            snprintf(reason, sizeof(reason), "%s: %s",
                     s->state == FSM_CONNECT ? "connect" : "connection", strerror(e));
        if (s->state == FSM_CONNECT)
            log_debug("peer %s: %s", s->peer->addr_text, reason);
        else
            log_info("peer %s: %s", s->peer->addr_text, reason);
        /* Nothing to notify on a dead TCP connection. */
        bufferevent_disable(bev, EV_READ | EV_WRITE);
        session_close(s, NULL, reason);
    }
}

static void
session_hold_cb(evutil_socket_t fd, short what, void *arg)
{
    struct session *s = arg;
    struct bgp_error err;

    if (s->state == FSM_CONNECT) {
        session_close(s, NULL, "connect timed out");
        return;
    }
    bgp_error_set(&err, BGP_ERR_HOLD, 0, NULL, 0, "hold timer expired");
    session_close(s, &err, "hold timer expired");
}

static void
session_keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
    struct session *s = arg;
    if (s->state >= FSM_OPENCONFIRM)
        session_send_keepalive(s);
}
