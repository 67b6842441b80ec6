/*
 * bgpbus.h: the C client of a bgpbus speaker (the one public header of libbgpbus_client).
 *
 * A client holds two bus connections to one speaker: requests (REQ/REP) and, once something
 * is subscribed, events (PUB/SUB). URLs are ipc://, tcp:// or tls+tcp:// (mutual TLS).
 *
 * Blocking use (the simple one):
 *
 *     bgpbus_client *c;
 *     if (bgpbus_client_open(&c, NULL) < 0) ...              // default ipc sockets
 *     struct bgpbus_route r = { .prefix = "10.0.0.0/24", .next_hop = "192.0.2.1" };
 *     bgpbus_announce(c, NULL, &r, 1, NULL);
 *     bgpbus_subscribe(c, "ev/update/");
 *     bgpbus_event *ev;
 *     while (bgpbus_next_event(c, 1000, &ev) == 1) { ...; bgpbus_event_free(ev); }
 *     bgpbus_client_close(c);
 *
 * From an event loop: poll bgpbus_client_fd() for reading and call bgpbus_next_event() with
 * timeout 0 while it returns 1 (the fd is level-triggered; it may wake up with nothing to
 * read). Requests that do not block: bgpbus_submit() (or bgpbus_announce_async() ...) with a
 * completion callback, bgpbus_request_fd() and bgpbus_timeout_ms() for poll(), and
 * bgpbus_dispatch() to run the completions (see "from an event loop" below, and
 * examples/bgpbus_example_loop.c). Completion callbacks run only inside bgpbus_dispatch();
 * nothing else ever calls user code except the line callback of bgpbus_send_lines().
 *
 * Events are delivered in order without loss: a sequence gap seen on the subscription is
 * repaired inside the library from the speaker's replay ring before later events are
 * returned. Only when the ring has moved past the gap (or the speaker restarted) are events
 * lost; the next event then says so (bgpbus_event_lost, bgpbus_event_restarted).
 *
 * Errors: functions return 0 (or a count) on success and a negative BGPBUS_E* code on
 * failure; bgpbus_client_error() holds the reason as text until the next call.
 *
 * Threads: a client is used by one thread at a time. Clients are independent.
 */
#ifndef BGPBUS_H
#define BGPBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BGPBUS_API __attribute__((visibility("default")))
#else
#define BGPBUS_API
#endif

/* The generated protobuf-c types, for the raw escape hatches (the generated bgpbus/v1 pb-c
 * headers). */
struct Bgpbus__V1__Request;
struct Bgpbus__V1__Reply;
struct Bgpbus__V1__Event;

typedef struct bgpbus_client bgpbus_client;
typedef struct bgpbus_event bgpbus_event;

enum bgpbus_error {
    BGPBUS_OK = 0,
    BGPBUS_E_INVALID = -1,  /* a bad argument: nothing was sent */
    BGPBUS_E_CONNECT = -2,  /* the speaker cannot be reached (or refused TLS) */
    BGPBUS_E_TIMEOUT = -3,  /* no reply within the timeout */
    BGPBUS_E_REJECTED = -4, /* the speaker answered with an error (see bgpbus_client_error) */
    BGPBUS_E_PARTIAL = -5,  /* a batch where some items failed (see the per-item results) */
    BGPBUS_E_PROTO = -6,    /* a reply or event that does not decode */
    BGPBUS_E_NOMEM = -7,
    BGPBUS_E_BUS = -8,    /* any other bus failure */
    BGPBUS_E_CLOSED = -9, /* the client was closed before the reply came */
    /* the speaker has no neighbor the request names (STATUS_NO_MATCHING_NEIGHBOR) */
    BGPBUS_E_NO_NEIGHBOR = -10,
};

/* A constant text for a BGPBUS_E* code. */
BGPBUS_API const char *bgpbus_strerror(int err);

/* ---- connection --------------------------------------------------------------------------- */

struct bgpbus_tls {
    const char *cert;        /* own certificate (PEM) */
    const char *key;         /* own private key (PEM, unencrypted) */
    const char *ca;          /* CAs that sign the speaker's certificate */
    const char *server_name; /* name the speaker's certificate must carry (required) */
};

struct bgpbus_options {
    const char *command_url;      /* NULL: ipc://<runtime dir>/command.sock */
    const char *events_url;       /* NULL: ipc://<runtime dir>/events.sock */
    const struct bgpbus_tls *tls; /* for tls+tcp:// URLs */
    int timeout_ms;               /* per request; 0: 30000 */
    const char *owner;            /* routes sent are tagged with it; NULL: none */
};

/* opts may be NULL (defaults). Fails with BGPBUS_E_CONNECT when the speaker cannot be reached. */
BGPBUS_API int bgpbus_client_open(bgpbus_client **out, const struct bgpbus_options *opts);
BGPBUS_API void bgpbus_client_close(bgpbus_client *c);
/* The reason of the last failure ("" when none). Valid until the next call on c. c NULL: the
 * reason the calling thread's last bgpbus_client_open() failed. */
BGPBUS_API const char *bgpbus_client_error(const bgpbus_client *c);

/* ---- routes ------------------------------------------------------------------------------- */

#define BGPBUS_COMMUNITY(asn, value) ((uint32_t)(asn) << 16 | ((uint32_t)(value)&0xffffu))

enum bgpbus_origin {
    BGPBUS_ORIGIN_DEFAULT = 0, /* IGP, as ExaBGP */
    BGPBUS_ORIGIN_IGP,
    BGPBUS_ORIGIN_EGP,
    BGPBUS_ORIGIN_INCOMPLETE,
};

/* One unicast (or multicast) route. Zero-initialise, then fill what you need. */
struct bgpbus_route {
    const char *prefix;      /* "192.0.2.0/24", "2001:db8::/48" (no length: a host route) */
    const char *next_hop;    /* an address, or "self"; required to announce IPv4 */
    const uint32_t *as_path; /* AS_SEQUENCE; NULL with as_path_len 0: the speaker's default */
    size_t as_path_len;
    const uint32_t *communities; /* BGPBUS_COMMUNITY(a, b) values */
    size_t n_communities;
    enum bgpbus_origin origin;
    bool has_med;
    uint32_t med;
    bool has_local_pref;
    uint32_t local_pref;
    bool has_path_id; /* ADD-PATH path identifier (RFC 7911) */
    uint32_t path_id;
    bool multicast; /* SAFI 2 instead of 1 */
};

/* The fate of one route of a batch. */
struct bgpbus_result {
    int status;      /* 0, or BGPBUS_E_REJECTED / BGPBUS_E_INVALID / BGPBUS_E_TIMEOUT / ... */
    char error[160]; /* why, when status != 0 */
};

/*
 * Announce (withdraw) n routes to the neighbor with address `neighbor` (NULL: every
 * neighbor). Routes go in batches of BGPBUS_BATCH per request, up to 32 requests in flight.
 * results (may be NULL) receives one entry per route. Returns 0 when every route was
 * accepted, BGPBUS_E_PARTIAL when some were not, or another error when the batch as a whole
 * failed (then every result carries that error).
 */
#define BGPBUS_BATCH 1000
BGPBUS_API int bgpbus_announce(bgpbus_client *c, const char *neighbor,
                               const struct bgpbus_route *routes, size_t n,
                               struct bgpbus_result *results);
BGPBUS_API int bgpbus_withdraw(bgpbus_client *c, const char *neighbor,
                               const struct bgpbus_route *routes, size_t n,
                               struct bgpbus_result *results);
/* Withdraw every route of `owner` (NULL: the client's owner). *count: routes withdrawn. */
BGPBUS_API int bgpbus_withdraw_owner(bgpbus_client *c, const char *owner, uint64_t *count);

/*
 * Tie the client's owner's routes to its life: the speaker withdraws them all when no request
 * of this owner arrived for heartbeat_s seconds. The library sends the heartbeat (a Ping) from
 * bgpbus_next_event() and bgpbus_heartbeat(); call one of them more often than heartbeat_s.
 */
BGPBUS_API int bgpbus_owner_session(bgpbus_client *c, unsigned heartbeat_s);
BGPBUS_API int bgpbus_heartbeat(bgpbus_client *c);

/* ---- neighbors ---------------------------------------------------------------------------- */

/* A neighbor to add at run time (AddNeighbor). Zero-initialise, then fill what you need: what is
 * left out takes the defaults of the configuration grammar. */
struct bgpbus_neighbor_config {
    const char *address;       /* the peer's address, IPv4 or IPv6 (required) */
    uint32_t local_as;         /* required (AS 0 is reserved, RFC 7607) */
    uint32_t peer_as;          /* required */
    const char *local_address; /* NULL: chosen by the kernel at connect */
    const char *router_id;     /* an IPv4 address; NULL: local_address (then IPv4, required) */
    bool has_hold_time;        /* hold_time is set; else 180 */
    uint32_t hold_time;        /* seconds: 0 or 3..65535 (RFC 4271 4.2), checked by the speaker */
    bool passive;              /* only accept the peer's connection, never connect */
    uint16_t connect_port;     /* the peer's TCP port; 0: 179 */
    uint16_t listen_port;      /* the local port to accept on; 0: the speaker's */
    /* "ipv4", "ipv6", "ipv4-multicast", "ipv6-multicast" ("-unicast" or " unicast" may follow
     * ipv4/ipv6; any case); n_families 0: the speaker's default families */
    const char *const *families;
    size_t n_families;
};

/*
 * Adds a neighbor. A bad setting (address, family, AS 0) is BGPBUS_E_INVALID and nothing is
 * sent; the speaker refuses (BGPBUS_E_REJECTED, its reason in bgpbus_client_error()) an address
 * in use or a setting it does not take.
 */
BGPBUS_API int bgpbus_neighbor_add(bgpbus_client *c, const struct bgpbus_neighbor_config *cfg);
/* Removes the neighbor with this address: its session ends with a Cease (RFC 4486
 * "Peer De-configured") and its routes are forgotten. Unknown: BGPBUS_E_NO_NEIGHBOR. */
BGPBUS_API int bgpbus_neighbor_remove(bgpbus_client *c, const char *address);

/* A neighbor as ListNeighbors reports it. */
struct bgpbus_neighbor {
    char address[46];
    char local_address[46]; /* as configured; "" when the kernel chooses it */
    uint32_t local_as, peer_as;
    const char *state; /* "idle", "connect", "active", "opensent", "openconfirm", "established" */
    double uptime;     /* seconds established; 0 when not established */
    uint64_t routes_received;   /* in the Adj-RIB-In */
    uint64_t routes_advertised; /* in the Adj-RIB-Out */
    uint64_t routes_pending;    /* Adj-RIB-Out changes not sent yet */
    uint64_t updates_received, updates_sent;
};

/*
 * The neighbors (address NULL: every one; else the one with this address, or none: *n 0), in
 * the speaker's order, into *out (free it with bgpbus_neighbors_free; NULL when *n is 0).
 */
BGPBUS_API int bgpbus_neighbors(bgpbus_client *c, const char *address, struct bgpbus_neighbor **out,
                                size_t *n);
BGPBUS_API void bgpbus_neighbors_free(struct bgpbus_neighbor *neighbors);

/* ---- ExaBGP text and raw requests ---------------------------------------------------------- */

/*
 * One ExaBGP API command line ("announce route 10.0.0.0/24 next-hop 192.0.2.1", "neighbor
 * 192.0.2.2 withdraw route …"), parsed by bgpbus's ExaBGP grammar into one request.
 */
BGPBUS_API int bgpbus_send_text(bgpbus_client *c, const char *line);

/* The result of a line of bgpbus_send_lines(). */
typedef void bgpbus_line_cb(void *arg, size_t line_no, const char *line, int status,
                            const char *error);
/*
 * Many lines (from a file: `load`), pipelined: consecutive announce/withdraw lines with the same
 * attributes and neighbors are merged into one request of up to BGPBUS_BATCH routes. cb (may be
 * NULL) gets every line's result, in order. Returns 0, or BGPBUS_E_PARTIAL when a line failed.
 */
BGPBUS_API int bgpbus_send_lines(bgpbus_client *c, const char *const *lines, size_t n,
                                 bgpbus_line_cb *cb, void *arg);

/*
 * The raw escape hatch: any bgpbus.v1.Request; on success *reply is the decoded Reply, freed
 * with bgpbus_reply_free(). The request id is set by the library. Returns 0 even when the
 * reply's status is an error: look at it.
 */
BGPBUS_API int bgpbus_request(bgpbus_client *c, struct Bgpbus__V1__Request *req,
                              struct Bgpbus__V1__Reply **reply);
BGPBUS_API void bgpbus_reply_free(struct Bgpbus__V1__Reply *reply);

/* ---- from an event loop: requests that do not block ---------------------------------------- */

/*
 * The end of a request sent with bgpbus_submit(): status 0 and the decoded reply (valid during
 * the call only; its own status says what the speaker made of the request), or a BGPBUS_E*
 * code with reply NULL (BGPBUS_E_TIMEOUT, BGPBUS_E_CLOSED when the client was closed first).
 */
typedef void bgpbus_reply_cb(bgpbus_client *c, void *arg, int status,
                             const struct Bgpbus__V1__Reply *reply);
/*
 * Sends a request and returns at once; cb (required) runs exactly once, later, from
 * bgpbus_dispatch() (or from bgpbus_client_close() with BGPBUS_E_CLOSED). Beyond 32 requests on
 * the wire the rest wait in the library, their timeouts running. The request id (and the
 * owner, when absent) are set by the library; req may be freed when this returns. Returns 0, or
 * a negative code and cb never runs.
 */
BGPBUS_API int bgpbus_submit(bgpbus_client *c, struct Bgpbus__V1__Request *req, bgpbus_reply_cb *cb,
                             void *arg);
/* The end of an announce/withdraw sent without blocking: status as bgpbus_announce() returns it
 * and one result per route (results[i] is routes[i]); valid during the call only. */
typedef void bgpbus_routes_cb(bgpbus_client *c, void *arg, int status,
                              const struct bgpbus_result *results, size_t n);
/* bgpbus_announce() / bgpbus_withdraw() without blocking, for at most BGPBUS_BATCH routes (one
 * request). The routes are encoded before this returns: they may be freed then. */
BGPBUS_API int bgpbus_announce_async(bgpbus_client *c, const char *neighbor,
                                     const struct bgpbus_route *routes, size_t n,
                                     bgpbus_routes_cb *cb, void *arg);
BGPBUS_API int bgpbus_withdraw_async(bgpbus_client *c, const char *neighbor,
                                     const struct bgpbus_route *routes, size_t n,
                                     bgpbus_routes_cb *cb, void *arg);
/*
 * A file descriptor that is readable when replies may have arrived (nng's NNG_OPT_RECVFD of the
 * request socket). Level-triggered; nng 1.5.2 can leave it readable with nothing to receive:
 * when bgpbus_dispatch() ran nothing after it said readable, leave it out of poll() for a
 * millisecond or two rather than spin (the example shows how).
 */
BGPBUS_API int bgpbus_request_fd(bgpbus_client *c);
/* Milliseconds until bgpbus_dispatch() has something to do without the fd (a request's timeout
 * or completions already waiting: 0); -1 when no request is outstanding. A poll() timeout. */
BGPBUS_API int bgpbus_timeout_ms(bgpbus_client *c);
/* Receives the replies that arrived, expires the requests whose time is up, and runs their
 * callbacks. Never waits. Returns how many callbacks ran, or a negative code. Callbacks may
 * call any bgpbus function except bgpbus_client_close() on their own client. */
BGPBUS_API int bgpbus_dispatch(bgpbus_client *c);
/* Requests submitted whose callback has not run yet. */
BGPBUS_API size_t bgpbus_pending(const bgpbus_client *c);

/* ---- events ------------------------------------------------------------------------------- */

enum bgpbus_event_type {
    BGPBUS_EVENT_OTHER = 0,
    BGPBUS_EVENT_STATE,
    BGPBUS_EVENT_OPEN,
    BGPBUS_EVENT_NEGOTIATED,
    BGPBUS_EVENT_UPDATE,
    BGPBUS_EVENT_NOTIFICATION,
    BGPBUS_EVENT_KEEPALIVE,
    BGPBUS_EVENT_REFRESH,
    BGPBUS_EVENT_EOR,
    BGPBUS_EVENT_OPERATIONAL,
    BGPBUS_EVENT_SPEAKER,
};

/*
 * Subscribe to a topic prefix: "ev/" everything, "ev/update/" every update,
 * "ev/update/192.0.2.1/" the updates of one peer (bgpbus_topic() builds one). May be called
 * several times. The first call connects the event socket.
 */
BGPBUS_API int bgpbus_subscribe(bgpbus_client *c, const char *topic_prefix);
/* "ev/<type>/<neighbor>/": type NULL = every type, neighbor NULL = every peer. */
BGPBUS_API int bgpbus_topic(char *buf, size_t len, const char *type, const char *neighbor);
/* The name used in topics ("update", "state", ...) and back; NULL / -1 when unknown. */
BGPBUS_API const char *bgpbus_event_type_name(enum bgpbus_event_type t);
BGPBUS_API int bgpbus_event_type_from_name(const char *name);

/*
 * Waits up to timeout_ms (0: do not wait, -1: forever) for the next event. Returns 1 and
 * *ev (free it with bgpbus_event_free), 0 on timeout, or a negative error.
 */
BGPBUS_API int bgpbus_next_event(bgpbus_client *c, int timeout_ms, bgpbus_event **ev);
BGPBUS_API void bgpbus_event_free(bgpbus_event *ev);
/* A file descriptor that is readable when events may be waiting (see the top of the file). */
BGPBUS_API int bgpbus_client_fd(bgpbus_client *c);

BGPBUS_API enum bgpbus_event_type bgpbus_event_type(const bgpbus_event *ev);
/* The peer's address as text, or "" for speaker events. */
BGPBUS_API const char *bgpbus_event_neighbor(const bgpbus_event *ev);
BGPBUS_API uint64_t bgpbus_event_seq(const bgpbus_event *ev);
/* Events lost before this one that could not be repaired (the replay ring moved on). */
BGPBUS_API uint64_t bgpbus_event_lost(const bgpbus_event *ev);
/* True when the speaker restarted before this event: re-read the state you keep. */
BGPBUS_API bool bgpbus_event_restarted(const bgpbus_event *ev);
/* For updates: the prefixes announced / withdrawn, as text ("10.0.0.0/24"). */
BGPBUS_API size_t bgpbus_event_announced_count(const bgpbus_event *ev);
BGPBUS_API const char *bgpbus_event_announced(const bgpbus_event *ev, size_t i);
BGPBUS_API size_t bgpbus_event_withdrawn_count(const bgpbus_event *ev);
BGPBUS_API const char *bgpbus_event_withdrawn(const bgpbus_event *ev, size_t i);
/* For state events: the new state, "established", "idle", ... */
BGPBUS_API const char *bgpbus_event_state(const bgpbus_event *ev);
/* The full decoded event. */
BGPBUS_API const struct Bgpbus__V1__Event *bgpbus_event_raw(const bgpbus_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* BGPBUS_H */
