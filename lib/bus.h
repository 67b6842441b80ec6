/*
 * bus: the nng endpoints every bgpbus process talks through, driven by one libevent loop.
 *
 *   speaker side:  bus_server (raw REP: answers Requests, possibly later)
 *                  bus_pub    (PUB: "ev/<type>/<peer>/" NUL payload)
 *   client side:   bus_client (raw REQ: request ids, pipelining, per-request timeouts)
 *                  bus_sub    (SUB: topic prefixes)
 *   any side:      bus_seq    (epoch + sequence number tracking of Events: gaps, restarts)
 *
 * The layer moves bytes; it knows nothing of the protobuf contract in proto/.
 *
 * Errors: every function that can fail returns 0 or a negative BUS_E* code; bus_strerror() names
 * it. The codes are nng's error numbers negated (system errors are -(NNG_ESYSERR | errno)), so an
 * nng failure is passed up unchanged.
 *
 * Threads: none of ours, except the one that closes a TLS socket (see bus_*_free). All callbacks
 * run in the caller's event loop.
 */
#ifndef BGPBUS_BUS_H
#define BGPBUS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

struct event_base;

#define BUS_EINVAL       (-NNG_EINVAL)
#define BUS_ENOMEM       (-NNG_ENOMEM)
#define BUS_ETIMEDOUT    (-NNG_ETIMEDOUT)
#define BUS_ECLOSED      (-NNG_ECLOSED)
#define BUS_EAGAIN       (-NNG_EAGAIN)
#define BUS_ECANCELED    (-NNG_ECANCELED)
#define BUS_EADDRINUSE   (-NNG_EADDRINUSE)
#define BUS_EMSGSIZE     (-NNG_EMSGSIZE)
#define BUS_EPROTO       (-NNG_EPROTO)
#define BUS_ESYS(errno_) (-(int)(NNG_ESYSERR | (errno_)))

/* "ok" for 0, nng's text for the rest. Never NULL. */
const char *bus_strerror(int err);

/*
 * Largest message accepted by default: Announce batches of a full table are tens of MB, and a
 * limit is still worth having against a confused or hostile peer.
 */
#define BUS_RECV_MAX_DEFAULT ((size_t)256 * 1024 * 1024)
/* nng 1.5.2 caps socket queues at 8192 messages; its defaults (16 pub, 128 sub) drop events. */
#define BUS_QUEUE_MAX        8192

/* ---- addresses ---------------------------------------------------------------------------- */

enum bus_channel {
    BUS_CHANNEL_COMMAND, /* REQ/REP: command.sock */
    BUS_CHANNEL_EVENTS,  /* PUB/SUB: events.sock */
};

/*
 * The runtime directory: $BGPBUS_RUNTIME_DIR, else $XDG_RUNTIME_DIR/bgpbus, else /run/bgpbus for
 * root, else /tmp/bgpbus-<uid>. Created 0700 when missing; refused when it is not a directory
 * owned by us (the directory's permissions are the access control of the ipc sockets).
 */
int bus_default_dir(char *buf, size_t len);
/* "ipc://<runtime dir>/command.sock" or ".../events.sock". */
int bus_default_url(enum bus_channel channel, char *buf, size_t len);

/* Mutual TLS for tls+tcp:// (mbedTLS, TLS 1.2 in Debian's nng 1.5.2). Paths to PEM files. */
struct bus_tls {
    const char *cert;        /* own certificate (chain); required on a server */
    const char *key;         /* own private key, unencrypted */
    const char *ca;          /* CAs that sign the peer; a server given one requires client certs */
    const char *server_name; /* client: the name the server's certificate must carry */
};

struct bus_opts {
    const char *url;           /* NULL: bus_default_url() of the endpoint's channel */
    const struct bus_tls *tls; /* required for tls+tcp://, ignored otherwise */
    size_t recv_max;           /* largest message received; 0: BUS_RECV_MAX_DEFAULT */
    int recv_queue;            /* messages queued in nng on receive; 0: BUS_QUEUE_MAX */
    int send_queue;            /* messages queued in nng on send; 0: BUS_QUEUE_MAX */
    /*
     * Clients only: return before the first connection is made and keep dialling in the
     * background (a service that must start before the speaker). Otherwise opening fails with
     * the reason when the server cannot be reached or refuses us (TLS), which a CLI wants.
     */
    bool dial_async;
};

/* Counters of one endpoint, for logs and tests. */
struct bus_stats {
    uint64_t rx;            /* messages delivered to the caller */
    uint64_t tx;            /* messages handed to nng */
    uint64_t tx_queued;     /* sends that waited in our queue (nng full, or the in-flight bound) */
    uint64_t send_full;     /* times nng's send queue was full (NNG_EAGAIN) */
    uint64_t drops;         /* publications nng could not take (PUB never blocks the loop) */
    uint64_t malformed;     /* received messages without the framing we expect */
    uint64_t timeouts;      /* requests that timed out */
    uint64_t stale_replies; /* replies that matched no outstanding request (after timeout) */
    uint64_t empty_wakeups; /* the nng fd said readable and there was nothing to receive */
    uint64_t backoffs;      /* times the spin guard parked the fd (see bus_watch.c) */
};

/* ---- REP server ----------------------------------------------------------------------------- */

struct bus_server;
struct bus_reply_handle;

/*
 * A request arrived. `req` is valid during the call only. The callback owns `h`: it must end it
 * exactly once with bus_reply() or bus_reply_drop(), now or from a later event.
 */
typedef void bus_request_cb(struct bus_server *srv, void *arg, const uint8_t *req, size_t len,
                            struct bus_reply_handle *h);

int bus_server_open(struct bus_server **out, struct event_base *base, const struct bus_opts *opts,
                    bus_request_cb *cb, void *arg);
/*
 * Stops listening. Reply handles still held stay valid: bus_reply() on them returns BUS_ECLOSED.
 * A TLS socket is closed by a detached thread that is waited for BUS_CLOSE_WAIT_MS at most,
 * because nng 1.5.2's nng_close() can hang on TLS sockets.
 */
void bus_server_free(struct bus_server *srv);
const struct bus_stats *bus_server_stats(const struct bus_server *srv);
/* The TCP port of a tcp:// or tls+tcp:// server (listen on port 0 to let the kernel choose). */
int bus_server_port(const struct bus_server *srv);

/*
 * Answers the request of `h` and frees `h`. The reply is copied. When nng's queue is full the
 * reply waits in ours, never dropped by us. (nng's raw REP drops it if more than 64 replies
 * queue for one connection: bus_client keeps fewer requests than that in flight, and a client
 * that does not is told by its timeout.)
 */
int bus_reply(struct bus_reply_handle *h, const void *reply, size_t len);
/* Frees `h` without answering: the client's timeout will report it. */
void bus_reply_drop(struct bus_reply_handle *h);

/*
 * The connection (nng pipe) a request came on: an id > 0, unique while the connection lives.
 * A client's requests share one connection as long as it stays connected.
 */
uint32_t bus_reply_pipe(const struct bus_reply_handle *h);
/*
 * Connections that close, whatever the reason (the client closed its socket or died, the
 * network): cb(srv, arg, pipe id) in the loop for each one from now on. cb must not free srv.
 * nng reports them from its own threads; they reach the loop through a pipe(2).
 */
typedef void bus_pipe_closed_cb(struct bus_server *srv, void *arg, uint32_t pipe_id);
int bus_server_watch_pipes(struct bus_server *srv, bus_pipe_closed_cb *cb, void *arg);

/* ---- REQ client --------------------------------------------------------------------------- */

struct bus_client;

/*
 * The fate of one request: status 0 and the reply (valid during the call only), or
 * BUS_ETIMEDOUT, or BUS_ECANCELED when the client is freed first. Never resent.
 */
typedef void bus_reply_cb(struct bus_client *c, void *arg, int status, const uint8_t *reply,
                          size_t len);

/* `base` NULL: a blocking client for bus_call() only. */
int bus_client_open(struct bus_client **out, struct event_base *base, const struct bus_opts *opts);
/* Calls the callback of every outstanding request with BUS_ECANCELED, then frees. */
void bus_client_free(struct bus_client *c);
const struct bus_stats *bus_client_stats(const struct bus_client *c);

/*
 * Requests on the wire at once per client; more wait in the client (their timeouts run). nng
 * 1.5.2's raw REP drops, in silence, replies beyond 64 queued for one connection: every client
 * of the speaker, in any language, must stay below that.
 */
#define BUS_CLIENT_INFLIGHT 32

/*
 * Sends a request with a fresh id; `cb` is called exactly once, never from inside this call.
 * Many requests may be outstanding (see BUS_CLIENT_INFLIGHT). `id` (may be NULL) receives the
 * request id.
 */
int bus_request(struct bus_client *c, const void *req, size_t len, int timeout_ms, bus_reply_cb *cb,
                void *arg, uint32_t *id);
/* Outstanding requests (sent or queued, not yet answered or timed out). */
size_t bus_client_pending(const struct bus_client *c);
/* nng's NNG_OPT_RECVFD of the client's socket: readable when replies may wait (level). */
int bus_client_recv_fd(struct bus_client *c, int *fd);

/*
 * Blocking round trip for CLIs and tests, on a client opened without an event base. On success
 * *reply is a malloc()ed copy the caller frees. Replies to earlier, timed-out calls are skipped.
 */
int bus_call(struct bus_client *c, const void *req, size_t len, uint8_t **reply, size_t *reply_len,
             int timeout_ms);

/* ---- PUB publisher -------------------------------------------------------------------------- */

struct bus_pub;

int bus_pub_open(struct bus_pub **out, const struct bus_opts *opts);
void bus_pub_free(struct bus_pub *pub);
const struct bus_stats *bus_pub_stats(const struct bus_pub *pub);
int bus_pub_port(const struct bus_pub *pub);

/*
 * Sends topic bytes, a NUL, then the payload. Never blocks: BUS_EAGAIN (and stats.drops) when
 * nng cannot take it. The topic must not contain a NUL; the contract's scheme is
 * "ev/<type>/<peer>/", e.g. "ev/update/192.0.2.1/".
 */
int bus_publish(struct bus_pub *pub, const char *topic, const void *payload, size_t len);

/* ---- SUB subscriber ------------------------------------------------------------------------- */

struct bus_sub;

/* An event: `topic` is NUL-terminated; both pointers are valid during the call only. */
typedef void bus_event_cb(struct bus_sub *sub, void *arg, const char *topic, const uint8_t *payload,
                          size_t len);

int bus_sub_open(struct bus_sub **out, struct event_base *base, const struct bus_opts *opts,
                 bus_event_cb *cb, void *arg);
void bus_sub_free(struct bus_sub *sub);
const struct bus_stats *bus_sub_stats(const struct bus_sub *sub);
/* Topic prefixes: "" is everything, "ev/update/" every update of every peer. */
int bus_subscribe(struct bus_sub *sub, const char *prefix);
int bus_unsubscribe(struct bus_sub *sub, const char *prefix);

/* ---- sequence tracking ---------------------------------------------------------------------- */

/*
 * Events carry the speaker's epoch (random at each start) and a sequence number that grows by one
 * per event. The tracker tells the subscriber what an event's numbers mean.
 */
enum bus_seq_result {
    BUS_SEQ_OK,        /* the next one */
    BUS_SEQ_FIRST,     /* the first event seen */
    BUS_SEQ_GAP,       /* events first..last were lost before this one */
    BUS_SEQ_RESTART,   /* the epoch changed: the speaker restarted, state must be re-read */
    BUS_SEQ_DUPLICATE, /* seq <= the last one seen: ignore the event */
};

struct bus_seq {
    bool started;
    uint64_t epoch;
    uint64_t last;
    /* Set by BUS_SEQ_GAP: the missing range, inclusive. */
    uint64_t gap_first;
    uint64_t gap_last;
    /* Totals since bus_seq_init. */
    uint64_t gaps;
    uint64_t missing;
    uint64_t restarts;
    uint64_t duplicates;
};

void bus_seq_init(struct bus_seq *t);
enum bus_seq_result bus_seq_feed(struct bus_seq *t, uint64_t epoch, uint64_t seq);
const char *bus_seq_result_name(enum bus_seq_result r);

/* Upper bound on waiting for a TLS socket's nng_close() (see bus_server_free). */
#define BUS_CLOSE_WAIT_MS 2000

#endif
