/*
 * peer.c: one configured neighbor as the outside sees it (RFC 4271 8).
 *
 * A peer owns up to two TCP connections while a collision is being resolved (RFC 4271 6.8): the
 * one we initiated and the one the peer initiated. Its reported state is the most advanced of
 * its connections; Idle/Active between connections. It reconnects after the connect-retry time
 * unless it is passive or administratively stopped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>

#include "adjin.h"
#include "adjout.h"
#include "events.h"
#include "log.h"
#include "neighbor_admin.h"
#include "session.h"
#include "speaker.h"
#include "update.h"
#include "version.h"

#define RETRY_SECS_MIN 2
#define RETRY_SECS_MAX 60

const char *
fsm_state_name(enum fsm_state s)
{
    static const char *names[] = { "IDLE",     "CONNECT",     "ACTIVE",
                                   "OPENSENT", "OPENCONFIRM", "ESTABLISHED" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

double
speaker_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void peer_retry_cb(evutil_socket_t fd, short what, void *arg);

static enum fsm_state
peer_compute_state(const struct peer *p)
{
    enum fsm_state st = p->cfg->passive ? FSM_ACTIVE : FSM_IDLE;
    if (p->out && p->out->state > st)
        st = p->out->state;
    if (p->in && p->in->state > st)
        st = p->in->state;
    return st;
}

static void
peer_update_state(struct peer *p, const char *reason)
{
    enum fsm_state st = peer_compute_state(p);
    enum fsm_state from = p->state;

    if (st == from)
        return;
    p->state = st;
    ev_state(p, from, st, reason);
}

/* Our OPEN for this neighbor, from its configuration (RFC 4271 4.2, RFC 5492). */
static void
peer_build_open(struct peer *p)
{
    const struct conf_neighbor *c = p->cfg;
    struct bgp_open *o = &p->local_open;
    struct bgp_caps *caps = &o->caps;

    memset(o, 0, sizeof(*o));
    o->version = BGP_VERSION;
    o->hold_time = c->hold_time;
    o->bgp_id = p->router_id;
    o->my_as = c->local_as > 0xffff ? BGP_AS_TRANS : (uint16_t)c->local_as;
    for (int i = 0; i < CONF_FAMILY_COUNT; i++) {
        if (!(c->families & (1u << i)))
            continue;
        enum bgp_family f = bgp_family_from(conf_families[i].afi, conf_families[i].safi);
        if (f == BGP_FAM_NONE)
            continue;
        caps->mp |= BGP_FAMSET(f);
        caps->has_mp = true;
        if (c->add_path_families & (1u << i)) {
            if (c->capability.add_path & CONF_ADD_PATH_SEND)
                caps->addpath_send |= BGP_FAMSET(f);
            if (c->capability.add_path & CONF_ADD_PATH_RECEIVE)
                caps->addpath_recv |= BGP_FAMSET(f);
        }
        if (c->nexthop_families & (1u << i))
            caps->ext_nexthop_v6 |= BGP_FAMSET(f);
    }
    caps->route_refresh = c->capability.route_refresh;
    caps->enhanced_rr = c->capability.route_refresh;
    caps->has_asn4 = c->capability.asn4;
    caps->asn4 = c->local_as;
    caps->ext_message = c->capability.extended_message;
    if (c->capability.graceful_restart >= 0) {
        caps->has_gr = true;
        caps->gr_time = (uint16_t)(c->capability.graceful_restart & 0xfff);
        caps->gr_fams = caps->mp;
    }
    if (c->host_name) {
        caps->has_fqdn = true;
        snprintf(caps->hostname, sizeof(caps->hostname), "%s", c->host_name);
        if (c->domain_name)
            snprintf(caps->domainname, sizeof(caps->domainname), "%s", c->domain_name);
    }
    if (c->capability.software_version) {
        caps->has_software = true;
        snprintf(caps->software, sizeof(caps->software), "%s", bgpbus_version());
    }
    caps->multisession = c->capability.multi_session;
    caps->operational = c->capability.operational;
}

static uint32_t
conf_router_id(const struct conf_neighbor *cfg)
{
    if (cfg->router_id.af != AF_INET)
        return 0;
    return (uint32_t)cfg->router_id.bytes[0] << 24 | (uint32_t)cfg->router_id.bytes[1] << 16 |
           (uint32_t)cfg->router_id.bytes[2] << 8 | cfg->router_id.bytes[3];
}

void
peer_reconfigure(struct peer *p, const struct conf_neighbor *cfg)
{
    p->cfg = cfg;
    p->router_id = conf_router_id(cfg);
    peer_build_open(p);
}

struct peer *
peer_new(struct speaker *sp, const struct conf_neighbor *cfg)
{
    struct peer *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->sp = sp;
    p->cfg = cfg;
    p->state = cfg->passive ? FSM_ACTIVE : FSM_IDLE;
    p->retry_secs = RETRY_SECS_MIN;
    inet_ntop(cfg->peer_address.af, cfg->peer_address.bytes, p->addr_text, sizeof(p->addr_text));
    uint16_t port = cfg->connect ? cfg->connect : 179;
    memset(&p->remote, 0, sizeof(p->remote));
    if (cfg->peer_address.af == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&p->remote;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, cfg->peer_address.bytes, 4);
        p->remote_len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p->remote;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        memcpy(&sin6->sin6_addr, cfg->peer_address.bytes, 16);
        p->remote_len = sizeof(*sin6);
    }
    p->router_id = conf_router_id(cfg);
    peer_build_open(p);
    p->t_retry = evtimer_new(sp->base, peer_retry_cb, p);
    p->adjout = adjout_new(p);
    if (cfg->adj_rib_in)
        p->adjin = adjin_new(sp->attrsets);
    if (!p->t_retry || !p->adjout || (cfg->adj_rib_in && !p->adjin)) {
        peer_free(p);
        return NULL;
    }
    return p;
}

void
peer_free(struct peer *p)
{
    if (!p)
        return;
    p->stopped = true;
    if (p->out)
        session_close(p->out, NULL, "peer removed");
    if (p->in)
        session_close(p->in, NULL, "peer removed");
    if (p->t_retry)
        event_free(p->t_retry);
    adjout_free(p->adjout);
    adjin_free(p->adjin);
    if (p->runtime_cfg)
        neighbor_runtime_free(p->runtime_cfg);
    free(p);
}

static void
peer_schedule_retry(struct peer *p)
{
    if (p->stopped || p->cfg->passive || p->sp->shutting_down || p->out)
        return;
    struct timeval tv = { .tv_sec = p->retry_secs, .tv_usec = 0 };
    evtimer_add(p->t_retry, &tv);
}

static void
peer_connect(struct peer *p)
{
    if (p->out || p->est || p->stopped || p->cfg->passive)
        return;
    p->out = session_connect(p);
    if (!p->out) {
        peer_schedule_retry(p);
        return;
    }
    peer_update_state(p, NULL);
}

static void
peer_retry_cb(evutil_socket_t fd, short what, void *arg)
{
    peer_connect(arg);
}

void
peer_start(struct peer *p)
{
    p->stopped = false;
    peer_connect(p);
}

void
peer_accept(struct peer *p, int fd)
{
    if (p->in || p->stopped || p->est) {
        /* RFC 4271 6.8: with a session Established, a new connection is refused. */
        log_info("peer %s: refusing a second incoming connection", p->addr_text);
        close(fd);
        return;
    }
    p->in = session_accept(p, fd);
    if (p->in)
        log_info("peer %s: accepted a connection", p->addr_text);
    peer_update_state(p, NULL);
}

void
peer_shutdown(struct peer *p, uint8_t cease_subcode, const char *message, bool stop)
{
    struct bgp_error err;
    uint8_t data[256];
    size_t len = 0;

    if (stop) {
        p->stopped = true;
        evtimer_del(p->t_retry);
    }
    /* RFC 8203/9003: Administrative Shutdown and Reset carry a length-prefixed message. */
    if (message && (cease_subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
                    cease_subcode == BGP_ERR_CEASE_ADMIN_RESET)) {
        len = strlen(message);
        if (len > 255)
            len = 255;
        data[0] = (uint8_t)len;
        memcpy(data + 1, message, len);
        len++;
    }
    bgp_error_set(&err, BGP_ERR_CEASE, cease_subcode, data, len, "administrative");
    if (p->out)
        session_close(p->out, &err, message ? message : "shutdown");
    if (p->in)
        session_close(p->in, &err, message ? message : "shutdown");
}

struct peer *
speaker_find_peer(struct speaker *sp, const struct sockaddr *remote, const struct sockaddr *local)
{
    const uint8_t *addr;
    int af = remote->sa_family;
    uint8_t mapped[4];

    if (af == AF_INET) {
        addr = (const uint8_t *)&((const struct sockaddr_in *)remote)->sin_addr;
    } else {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)remote)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a6)) {
            memcpy(mapped, &a6->s6_addr[12], 4);
            addr = mapped;
            af = AF_INET;
        } else {
            addr = a6->s6_addr;
        }
    }
    for (size_t i = 0; i < sp->npeers; i++) {
        const struct conf_neighbor *c = sp->peers[i]->cfg;
        if (c->peer_address.af != af)
            continue;
        if (memcmp(c->peer_address.bytes, addr, af == AF_INET ? 4 : 16) != 0)
            continue;
        (void)local; /* several neighbors with the same address differ by local address */
        if (local && c->local_address.af == af) {
            const uint8_t *laddr =
                af == AF_INET && local->sa_family == AF_INET
                    ? (const uint8_t *)&((const struct sockaddr_in *)local)->sin_addr
                    : NULL;
            if (laddr && memcmp(laddr, c->local_address.bytes, 4) != 0)
                continue;
        }
        return sp->peers[i];
    }
    return NULL;
}

/* ---- callbacks from the sessions --------------------------------------------------------- */

void
peer_session_state(struct peer *p, struct session *s, enum fsm_state from, enum fsm_state to)
{
    if (to == FSM_ESTABLISHED) {
        p->est = s;
        p->up_since = speaker_now();
        p->retry_secs = RETRY_SECS_MIN;
        p->stats.established_count++;
        evtimer_del(p->t_retry);
        log_info("peer %s: session established (hold %u, AS %u)", p->addr_text, s->neg.hold_time,
                 s->neg.peer_as);
        peer_update_state(p, NULL);
        adjout_session_up(p->adjout, s);
        return;
    }
    if (to == FSM_OPENSENT && from < FSM_OPENSENT)
        ev_connected(p);
    peer_update_state(p, NULL);
}

bool
peer_session_open_received(struct peer *p, struct session *s, const uint8_t *msg, size_t len)
{
    struct session *other = s == p->out ? p->in : p->out;

    ev_open(p, s, &s->remote_open, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED);
    if (!other || other->dead)
        return true;
    if (other->state == FSM_ESTABLISHED) {
        struct bgp_error err;
        bgp_error_set(&err, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, NULL, 0, "collision");
        session_close(s, &err, "connection collision: a session is already established");
        return false;
    }
    if (!other->open_received)
        return true; /* decided when the other one gets its OPEN */
    /* RFC 4271 6.8: the connection initiated by the speaker with the higher BGP Identifier
     * survives. */
    uint32_t remote_id = s->remote_open.bgp_id;
    struct session *loser = p->router_id > remote_id ? p->in : p->out;
    struct bgp_error err;
    bgp_error_set(&err, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, NULL, 0, "collision");
    session_close(loser, &err, "connection collision resolution");
    return loser != s;
}

void
peer_session_closed(struct peer *p, struct session *s, const char *reason)
{
    bool was_established = p->est == s;

    if (p->out == s)
        p->out = NULL;
    if (p->in == s)
        p->in = NULL;
    if (was_established) {
        p->est = NULL;
        p->down_since = speaker_now();
        adjout_session_down(p->adjout);
        if (p->adjin)
            adjin_clear(p->adjin); /* RFC 4271 8.2.2: the peer's routes go with the session */
        log_info("peer %s: session down: %s", p->addr_text, reason ? reason : "closed");
    }
    enum fsm_state from = p->state;
    p->state = peer_compute_state(p);
    if (from != p->state || was_established)
        ev_state(p, from, p->state, reason ? reason : "closed");
    if (!p->est && !p->out) {
        if (!was_established && p->retry_secs < RETRY_SECS_MAX)
            p->retry_secs *= 2;
        if (p->retry_secs > RETRY_SECS_MAX)
            p->retry_secs = RETRY_SECS_MAX;
        peer_schedule_retry(p);
    }
}

static void
peer_handle_update(struct peer *p, struct session *s, const uint8_t *msg, size_t len)
{
    struct bgp_session_codec ctx;
    struct update_decoded dec;
    struct bgp_error err;

    p->stats.updates_in++;
    peer_codec_ctx(p, s, &ctx);
    arena_reset(&p->sp->arena);
    if (update_decode(msg, len, &ctx, &p->sp->arena, &dec, &err) < 0) {
        log_info("peer %s: malformed UPDATE: %s", p->addr_text,
                 err.reason ? err.reason : bgp_error_name(err.code, err.subcode));
        session_close(s, &err, err.reason ? err.reason : "malformed UPDATE");
        return;
    }
    if (dec.treat_as_withdraw) {
        p->stats.treat_as_withdraw++;
        log_info("peer %s: UPDATE treated as withdraw (RFC 7606): %s", p->addr_text,
                 dec.withdraw_reason ? dec.withdraw_reason : "malformed attribute");
    }
    p->stats.attr_discarded += dec.discarded_count;
    p->stats.prefixes_in += dec.nlri_count + dec.mp_reach.nlri_count;
    p->stats.withdrawn_in += dec.withdrawn_count + dec.mp_unreach.nlri_count;
    if (p->adjin && !dec.eor && adjin_update(p->adjin, &dec) < 0)
        log_error("peer %s: out of memory keeping the Adj-RIB-In", p->addr_text);
    ev_update(p, s, &dec, msg, len);
}

void
peer_send_refresh(struct peer *p, struct session *s, uint16_t afi, uint8_t safi, uint8_t subtype)
{
    uint8_t buf[32];
    struct wire_wr w;

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_refresh_encode(&w, afi, safi, subtype);
    session_send(s, w.buf, w.len);
    p->stats.refresh_out++;
}

void
peer_session_message(struct peer *p, struct session *s, uint8_t type, const uint8_t *msg,
                     size_t len)
{
    switch (type) {
    case BGP_MSG_UPDATE: peer_handle_update(p, s, msg, len); break;
    case BGP_MSG_KEEPALIVE: ev_keepalive(p, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED); break;
    case BGP_MSG_NOTIFICATION:
        ev_notification(p, msg, len, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED);
        break;
    case BGP_MSG_ROUTE_REFRESH: {
        struct bgp_route_refresh rr;
        struct bgp_error err;
        p->stats.refresh_in++;
        if (bgp_refresh_decode(msg, len, &rr, &err) < 0) {
            session_close(s, &err, "malformed ROUTE-REFRESH");
            return;
        }
        ev_refresh(p, &rr, BGPBUS__V1__DIRECTION__DIRECTION_RECEIVED);
        /* RFC 2918 3: answer with the Adj-RIB-Out of that family; RFC 7313 4: between BoRR and
         * EoRR when enhanced route refresh was negotiated, so the peer can purge stale routes. */
        if (rr.subtype == BGP_REFRESH_NORMAL) {
            enum bgp_family fam = bgp_family_from(rr.afi, rr.safi);
            if (fam == BGP_FAM_NONE || !bgp_famset_has(s->neg.families, fam))
                break; /* RFC 2918 4: ignore a refresh for a family not advertised */
            if (s->neg.enhanced_rr)
                peer_send_refresh(p, s, rr.afi, rr.safi, BGP_REFRESH_BORR);
            adjout_refresh(p->adjout, fam);
            if (s->neg.enhanced_rr)
                peer_send_refresh(p, s, rr.afi, rr.safi, BGP_REFRESH_EORR);
        }
        break;
    }
    default: break;
    }
}

void
speaker_codec_ctx(uint32_t local_as, uint32_t peer_as, bool aigp, const struct bgp_negotiated *neg,
                  struct bgp_session_codec *ctx)
{
    if (neg) {
        bgp_session_codec_from(ctx, neg, local_as, false);
    } else {
        bgp_session_codec_init(ctx);
        ctx->mrt_rib = false;
        ctx->local_as = local_as;
        ctx->ibgp = local_as == peer_as;
    }
    ctx->peer_as = peer_as;
    /* ExaBGP does not check that an eBGP AS_PATH starts with the peer's AS (RFC 4271 6.3 "MAY"):
     * route servers do not prepend theirs. */
    ctx->check_first_as = false;
    ctx->aigp = aigp || ctx->ibgp;
    /* An attribute a user wrote (`attribute [ code flags value ]`) goes out with its flags as
     * written; the Partial bit is for attributes passed on from a peer (RFC 4271 5). */
    ctx->keep_unknown_flags = true;
}

void
peer_codec_ctx(const struct peer *p, const struct session *s, struct bgp_session_codec *ctx)
{
    speaker_codec_ctx(p->cfg->local_as, p->cfg->peer_as, p->cfg->capability.aigp,
                      s && s->open_received ? &s->neg : NULL, ctx);
}
