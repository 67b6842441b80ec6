/*
 * speaker.h: the speaker's core objects and how they reach each other.
 *
 *   struct speaker   the process: event loop, configuration, bus endpoints, peers, event ring
 *   struct peer      one configured neighbor: its FSM as the outside sees it, its Adj-RIB-Out,
 *                    connect-retry, and up to two TCP connections while a collision is resolved
 *   struct session   one TCP connection running BGP (RFC 4271 8: OpenSent .. Established)
 *
 * One libevent loop, no threads: every callback runs to completion, so no locking anywhere.
 */
#ifndef BGPBUS_SPEAKER_SPEAKER_H
#define BGPBUS_SPEAKER_SPEAKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "arena.h"
#include "attr.h"
#include "cap.h"
#include "conf_load.h"
#include "msg.h"

struct event_base;
struct event;
struct bufferevent;
struct bus_server;
struct bus_pub;
struct adjout;
struct adjin;
struct evring;
struct listener;
struct session;
struct closing_fd;
struct owner_session;

/* RFC 4271 8.2.2 states, as reported in events (values match bgpbus.v1.FsmState - 1). */
enum fsm_state {
    FSM_IDLE = 0,
    FSM_CONNECT,
    FSM_ACTIVE,
    FSM_OPENSENT,
    FSM_OPENCONFIRM,
    FSM_ESTABLISHED,
};
const char *fsm_state_name(enum fsm_state s);

struct peer_stats {
    uint64_t msg_in, msg_out;
    uint64_t updates_in, updates_out;
    uint64_t keepalives_in, keepalives_out;
    uint64_t notifications_in, notifications_out;
    uint64_t refresh_in, refresh_out;
    uint64_t prefixes_in; /* NLRI announced to us, counted per UPDATE */
    uint64_t withdrawn_in;
    uint64_t treat_as_withdraw; /* RFC 7606 */
    uint64_t attr_discarded;    /* RFC 7606 */
    uint64_t established_count;
};

struct peer {
    struct speaker *sp;
    const struct conf_neighbor *cfg;   /* points into sp->conf, or runtime_cfg */
    struct conf_neighbor *runtime_cfg; /* added over the bus: owned by the peer */
    char addr_text[64];                /* peer address as text: topic and logs */
    struct sockaddr_storage remote;    /* peer address and port we connect to */
    socklen_t remote_len;
    uint32_t router_id; /* ours for this neighbor, host order */

    enum fsm_state state;  /* what the outside sees */
    struct session *out;   /* connection we initiated (Connect .. Established) */
    struct session *in;    /* connection the peer initiated */
    struct session *est;   /* the established one (== out or in), or NULL */
    struct event *t_retry; /* connect-retry / idle-hold timer */
    unsigned retry_secs;
    bool stopped; /* administratively down: no reconnect */

    struct bgp_open local_open; /* what we send, built from the configuration */
    struct adjout *adjout;
    struct adjin *adjin; /* NULL when adj-rib-in is off */
    struct peer_stats stats;
    /* The NOTIFICATION that ends the current session, for its "down" event (code 0: none). */
    struct {
        uint8_t code, subcode;
        bool sent;
    } last_notification;
    double up_since; /* unix time the session last reached Established */
    double down_since;
    uint64_t peer_seq[16]; /* per event type (speaker/events.c), for Event.peer_seq */
};

struct speaker {
    struct event_base *base;
    struct conf conf;
    const char *config_path;
    struct bus_server *rep;
    struct bus_pub *pub;
    struct evring *ring;
    struct peer **peers;
    size_t npeers;
    struct listener *listeners;
    struct attrset_table *attrsets;       /* interned attribute sets shared by every Adj-RIB-Out */
    struct arena arena;                   /* per-message scratch: decoded UPDATEs, replies */
    char **owners;                        /* interned route owners; a route stores the index */
    struct owner_session *owner_sessions; /* owners whose routes live with their client */
    size_t nowners;
    uint64_t epoch;
    double started;
    struct event *sig_term, *sig_int, *sig_hup, *sig_usr1, *sig_alrm;
    bool shutting_down;
    struct closing_fd *closing; /* connections draining after a NOTIFICATION (session.c) */
};

/* peer.c */
struct peer *peer_new(struct speaker *sp, const struct conf_neighbor *cfg);
void peer_free(struct peer *p);
void peer_start(struct peer *p);
/* The neighbor's configuration moved (reload): takes the new one, rebuilds our OPEN. */
void peer_reconfigure(struct peer *p, const struct conf_neighbor *cfg);
/* Closes every connection with a Cease NOTIFICATION (subcode, RFC 8203 message), no reconnect
 * when stop is set; otherwise reconnects after the retry time. */
void peer_shutdown(struct peer *p, uint8_t cease_subcode, const char *message, bool stop);
/* An accepted TCP connection from this peer's address (listen.c). Takes the fd. */
void peer_accept(struct peer *p, int fd);
struct peer *speaker_find_peer(struct speaker *sp, const struct sockaddr *remote,
                               const struct sockaddr *local);

/* session.c: the callbacks a session makes into its peer. */
void peer_session_state(struct peer *p, struct session *s, enum fsm_state from, enum fsm_state to);
/* A session got the peer's OPEN and it validated: collision detection (RFC 4271 6.8). Returns
 * false when this session lost and was closed. */
bool peer_session_open_received(struct peer *p, struct session *s, const uint8_t *msg, size_t len);
void peer_session_closed(struct peer *p, struct session *s, const char *reason);
void peer_session_message(struct peer *p, struct session *s, uint8_t type, const uint8_t *msg,
                          size_t len);

/* The codec's view of a session: negotiated facts (NULL before the OPENs) and our policy. */
void speaker_codec_ctx(uint32_t local_as, uint32_t peer_as, bool aigp,
                       const struct bgp_negotiated *neg, struct bgp_session_codec *ctx);
/* The codec's view of a session (a NULL session: configuration only). */
void peer_codec_ctx(const struct peer *p, const struct session *s, struct bgp_session_codec *ctx);

/* Interns an owner name; returns its index (0 is the empty owner). */
uint32_t speaker_owner_id(struct speaker *sp, const char *owner);

/* Sends a ROUTE-REFRESH (RFC 2918) or, with RFC 7313, a BoRR/EoRR marker. */
void peer_send_refresh(struct peer *p, struct session *s, uint16_t afi, uint8_t safi,
                       uint8_t subtype);

double speaker_now(void);

#endif
