/*
 * client_int.h: what the parts of libbgpbus_client share (never installed). The unit tests
 * include it to reach the conversions directly.
 */
#ifndef BGPBUS_CLIENT_INT_H
#define BGPBUS_CLIENT_INT_H

#include <stdarg.h>

#include "arena.h"
#include "bgpbus.h"
#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "bus.h"
#include "bus_int.h"

struct event_base;

/* One subscription and the sequence tracker of its topic level (event.proto). */
struct client_sub {
    char *prefix;
    int depth; /* 0: Event.seq, 1: type_seq, 2: peer_seq */
    struct bus_seq seq;
    uint64_t last_global; /* Event.seq of the last event delivered through this subscription */
};

struct bgpbus_client {
    struct event_base *base; /* private: drives the pipelined requests */
    struct bus_client *req;
    struct bus_opts req_opts, ev_opts;
    struct bus_tls tls;
    char *command_url, *events_url, *owner;
    int timeout_ms;
    uint64_t next_id;
    char error[512];

    /* events */
    struct bus_sock sub_sock;
    bool sub_open;
    int sub_fd;
    struct client_sub *subs;
    size_t nsubs;
    struct bgpbus_event *q_head, *q_tail; /* repaired and received events, in order */
    uint64_t epoch;
    bool epoch_known;
    /* Global seqs delivered recently, so that an event repaired for one subscription is not
     * delivered twice when another subscription also carried it. */
    uint64_t seen_base;
    uint8_t seen[8192]; /* bitmap of seen_base .. seen_base + 65535 */

    /* owner session */
    unsigned heartbeat_s;
    int64_t last_heartbeat_ms;

    /* requests sent with bgpbus_submit() (client_async.c) */
    struct client_async *async_head, *async_tail; /* not answered yet, oldest (deadline) first */
    struct client_async *done_head, *done_tail;   /* answered, callback not run yet */
    size_t async_inflight;                        /* on the list of the not answered */
};

struct bgpbus_event {
    struct bgpbus_event *next;
    Bgpbus__V1__Event *pb;
    enum bgpbus_event_type type;
    char neighbor[48];
    uint64_t lost;
    bool restarted;
    /* update prefixes as text, built on first access */
    bool texts_built;
    char **announced, **withdrawn;
    size_t n_announced, n_withdrawn;
};

/* client.c */
void client_set_error(struct bgpbus_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int client_bus_error(struct bgpbus_client *c, int bus_err, const char *what);
/* The status of a Reply as a BGPBUS_E* code, with the reason in c->error. */
int client_reply_status(struct bgpbus_client *c, const Bgpbus__V1__Reply *rep);
int64_t client_now_ms(void);

/*
 * Pipelined requests: client_send() packs and sends (waiting while 32 are in flight);
 * cb gets the decoded reply (NULL with a BGPBUS_E* status on failure) and must not keep it.
 * client_drain() waits until every request sent has its answer.
 */
typedef void client_reply_fn(struct bgpbus_client *c, void *arg, int status,
                             const Bgpbus__V1__Reply *rep);
int client_send(struct bgpbus_client *c, Bgpbus__V1__Request *req, client_reply_fn *cb, void *arg);
/* Waits for the requests of client_send(), not for those of bgpbus_submit(). */
int client_drain(struct bgpbus_client *c);
/* Sets the request's id and owner and packs it (*buf malloc()ed, the caller frees). */
int client_encode(struct bgpbus_client *c, Bgpbus__V1__Request *req, uint8_t **buf, size_t *len);

/* client_async.c: ends every bgpbus_submit() request with BGPBUS_E_CLOSED (at close). */
void client_async_close(struct bgpbus_client *c);

/* The per-route results of an announce/withdraw reply (status, rep as client_reply_fn gets
 * them): results[map[i]] for item i of n; *worst becomes BGPBUS_E_PARTIAL or the whole
 * request's error. */
void client_batch_results(struct bgpbus_client *c, int status, const Bgpbus__V1__Reply *rep,
                          struct bgpbus_result *results, const size_t *map, size_t n, int *worst);
/*
 * An Announce (Withdraw) request of cnt routes (at most BGPBUS_BATCH), allocated from arena: a
 * route that does not encode gets its result (when results) and *worst BGPBUS_E_PARTIAL, the
 * others go; map[k] (cnt entries) is the route of the request's k-th item, *sent how many.
 */
int client_routes_request(struct bgpbus_client *c, const char *neighbor,
                          const struct bgpbus_route *routes, size_t cnt, bool announce,
                          struct arena *arena, Bgpbus__V1__Request *req, size_t *map, size_t *sent,
                          struct bgpbus_result *results, int *worst);
/* Sets one result (the error text truncated to the field). */
void client_result_set(struct bgpbus_result *r, int status, const char *error);

/* client_route.c: a bgpbus_route into protobuf, allocated from arena. NULL with *why set. */
Bgpbus__V1__Route *client_route_pb(const struct bgpbus_route *r, bool announce, struct arena *arena,
                                   const char **why);
Bgpbus__V1__NeighborSelector *client_selector_pb(const char *address, struct arena *arena);
/* "10.0.0.0/24" into a Prefix (bits past the length must be zero). */
int client_prefix_parse(const char *text, uint8_t addr[16], size_t *alen, unsigned *plen);
/* Text of a 4/16-octet address (or "?"). */
void client_addr_text(const ProtobufCBinaryData *b, char *out, size_t len);
void client_nlri_text(const Bgpbus__V1__Nlri *n, char *out, size_t len);

/* client_neighbor.c: "ipv4", "ipv6-multicast", "ipv4-unicast", "IPv6 unicast", ... -> (AFI, SAFI)
 * (RFC 4760), the families a neighbor is added with. */
bool client_family_parse(const char *name, uint32_t *afi, uint32_t *safi);

/* client_event.c */
void client_events_close(struct bgpbus_client *c);
/* Wraps a decoded event (takes ownership); NULL when out of memory (then pb is freed). */
struct bgpbus_event *client_event_wrap(Bgpbus__V1__Event *pb);

#endif
