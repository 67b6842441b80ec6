/*
 * session.h: one TCP connection running BGP, from the TCP handshake to Established
 * (RFC 4271 8.2.2). The neighbor-level decisions (which connection survives a collision,
 * reconnecting, what to do with an UPDATE) belong to the peer (peer.c); a session only speaks
 * the protocol and reports.
 */
#ifndef BGPBUS_SPEAKER_SESSION_H
#define BGPBUS_SPEAKER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "speaker.h"

enum session_dir {
    SESSION_OUT, /* we connected */
    SESSION_IN,  /* the peer connected */
};

struct session {
    struct peer *peer;
    enum session_dir dir;
    enum fsm_state state;
    struct bufferevent *bev;
    struct event *t_hold; /* connect timeout in Connect, hold timer after */
    struct event *t_keepalive;
    struct bgp_open remote_open;
    struct bgp_negotiated neg;
    size_t max_len; /* largest message we accept and send */
    struct sockaddr_storage local;
    socklen_t local_len;
    bool open_received;
    /* Set while a callback into the peer runs: the peer may close the session from inside it,
     * and the read loop must then stop touching it. */
    bool in_callback;
    bool dead;
};

/* Starts a connection to the peer (state Connect). NULL when the socket cannot be made. */
struct session *session_connect(struct peer *p);
/* Takes an accepted connection and sends our OPEN at once (RFC 4271 8.2.2, Active -> OpenSent). */
struct session *session_accept(struct peer *p, int fd);
/* Queues a whole BGP message for sending. */
void session_send(struct session *s, const void *msg, size_t len);
/* Bytes queued for the kernel and not yet written: the Adj-RIB-Out paces itself on it. */
size_t session_output_pending(const struct session *s);
/* Sends the NOTIFICATION (when err is not NULL), closes the connection gracefully (the
 * NOTIFICATION is not lost to a reset) and frees the session. Reports peer_session_closed. */
void session_close(struct session *s, const struct bgp_error *err, const char *reason);
/* Closes the connections still lingering after their last NOTIFICATION (at exit). */
void session_closing_free_all(struct speaker *sp);
/* The local address of the connection, as a protocol address (4 or 16 octets): next-hop self. */
int session_local_addr(const struct session *s, int family, uint8_t out[16]);

#endif
