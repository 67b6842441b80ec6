/*
 * bgpbus-apibridge: ExaBGP's process API (SPEC.md) on top of the speaker's bus.
 *
 *   supervisor.c  helpers: spawn without a shell, respawn limit, stop (SPEC 1.3, 1.6, 1.7)
 *   helper_io.c   pipes: line reading, the bounded output buffer, acks in command order
 *   dispatch.c    a line -> a local answer or a Request; batching; replies -> acks
 *   show.c        `show neighbor …`, `show adj-rib …` text built from the speaker's replies
 *   events.c      speaker Events -> ExaBGP JSON/text for the helpers that asked, gap repair,
 *                 a late start read from the run's first event
 *   catchup.c     a late start when the ring lost that event: the present state instead
 *   memory.c      what each helper announced, re-announced when the speaker restarts
 *   reload.c      reload/restart of the process blocks (SPEC 1.7)
 *   main.c        command line, configuration, signals, shutdown
 *
 * One libevent loop, no threads. Writes to helpers never block (helper_io.c).
 */
#ifndef BGPBUS_APIBRIDGE_BRIDGE_H
#define BGPBUS_APIBRIDGE_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "conf_env.h"
#include "conf_load.h"
#include "exa_render.h"
#include "arena.h"

struct event;
struct event_base;
struct bus_client;
struct bus_sub;
struct bridge;

/* SPEC 1.6: at most 5 respawns per 64-second bucket. */
#define BRIDGE_RESPAWN_LIMIT      5
#define BRIDGE_RESPAWN_BUCKET     64
/* Pending output per helper above which events are dropped for a helper that is not reading
 * (acks never are). A helper still reading gets up to BRIDGE_OUT_SLOW_FACTOR times more, and is
 * stuck once it has read nothing for BRIDGE_STUCK_SECS. */
#define BRIDGE_OUT_SLOW_FACTOR    16
#define BRIDGE_STUCK_SECS         2.0
#define BRIDGE_OUT_LIMIT          ((size_t)16 * 1024 * 1024)
/* Routes per Request before a batch is sent even though more lines are ready. */
#define BRIDGE_BATCH_ROUTES       10000
/* SPEC 1.4: ExaBGP reads 16 KiB at a time. */
#define BRIDGE_READ_CHUNK         16384
/* A partial line longer than this kills the helper (ExaBGP main's guard). */
#define BRIDGE_LINE_MAX           ((size_t)1024 * 1024)
#define BRIDGE_REQUEST_TIMEOUT_MS 30000

/* An arena shared by the batches that hold messages built in it. */
struct arena_ref {
    struct arena arena;
    int refs;
};

struct arena_ref *arena_ref_new(void);
void arena_ref_put(struct arena_ref *r);

/* What the ack of one line will be. */
enum cmd_ack {
    CMD_ACK_DONE,
    CMD_ACK_ERROR,
    CMD_ACK_NONE, /* 4.2 `reset`, `silence-ack`: nothing is written */
};

/* One command line of a helper, from its arrival to its ack. */
struct cmd {
    struct cmd *next;
    unsigned generation; /* the helper incarnation that sent it */
    bool ready;          /* answer known: data + ack may be written */
    bool want_ack;       /* acks were on when the line was read */
    enum cmd_ack ack;
    char *data; /* data lines written before the ack (malloc'ed), or NULL */
    size_t data_len;
    size_t first_item, nitems; /* its routes in its batch's Request */
    /* Route lines: the memory update to apply when the speaker accepted them. */
    bool is_route;
    bool announce;
    char *line; /* for logs (malloc'ed) */
};

/* One Request on the bus and the lines it answers. */
struct batch {
    struct helper *h;
    struct arena_ref *arena;
    Bgpbus__V1__Request *req;
    Bgpbus__V1__Request req_storage;
    Bgpbus__V1__Announce announce;
    Bgpbus__V1__Withdraw withdraw;
    Bgpbus__V1__Route **routes;
    size_t nroutes, cap;
    uint64_t neighbors; /* bitmap of configured neighbors (selector key) */
    struct cmd **cmds;
    size_t ncmds, cmdcap;
    /* Replies handled by the batch's own callback (show …, paging). */
    void (*on_reply)(struct batch *b, int status, const Bgpbus__V1__Reply *rep);
    void *state;
};

struct helper {
    struct bridge *br;
    size_t index;
    const struct conf_process *proc;
    char name[128];
    char path[4096]; /* resolved program */
    pid_t pid;       /* 0 when not running */
    unsigned generation;
    int to_fd;   /* its stdin */
    int from_fd; /* its stdout */
    struct event *ev_read, *ev_write;
    /* Partial line. */
    char *in;
    size_t in_len, in_cap;
    /* Bytes waiting to be written to its stdin. */
    char *out;
    size_t out_off, out_len, out_cap;
    /* Acks (SPEC 0.1): the pending lines in arrival order. */
    struct cmd *head, *tail;
    bool ack;           /* exabgp.api.ack, then enable/disable/silence-ack */
    struct batch *open; /* the route batch being filled */
    /* Respawn accounting (SPEC 1.6). */
    time_t bucket;
    int deaths;
    bool given_up;
    bool stopping;
    /* Events dropped because the helper does not read. */
    uint64_t dropped;
    bool dropping;
    /* Monotonic seconds when the helper last took bytes from its pipe: a helper that reads,
     * however slowly, is not "stuck" (see helper_write). */
    double last_read;
    /* Routes it announced (memory.c), per neighbor bitmap. */
    struct memory *mem;
    bool withdraw_on_exit;
};

struct bridge {
    struct event_base *base;
    struct conf conf;
    struct conf_env env;
    const char *config_path;
    struct bus_client *client;
    struct bus_sub *sub;
    struct helper **helpers; /* stable pointers: in-flight batches hold them */
    size_t nhelpers;
    /* Helpers whose process block a reload removed, and the configurations they point into:
     * kept until exit because replies to their last Requests may still arrive. */
    struct helper **retired;
    size_t nretired;
    struct conf *old_confs;
    size_t nold_confs;
    /* Pending output per helper above which events are dropped (bgpbus.api.out_limit). */
    size_t out_limit;
    struct exa_env exa;
    char host[256];
    /* Per configured neighbor: the JSON counter (SPEC 3.1) and the last Negotiated. */
    uint64_t *counters;
    Bgpbus__V1__Event **negotiated;
    /* The speaker's epoch as last seen (0: unknown). */
    uint64_t epoch;
    bool shutting_down;
    bool allow_shutdown;
    struct event *ping_timer;
    struct events_state *events;
    int exit_status;
};

/* supervisor.c */
int supervisor_start(struct helper *h);
/* Called when the helper's stdout closed or it exited: reap, respawn or give up. */
void supervisor_died(struct helper *h, const char *why);
void supervisor_reap(struct bridge *br);
/* Shutdown: the shutdown event to every helper, SIGTERM, SIGKILL after 2 s, then loopexit. */
void supervisor_shutdown(struct bridge *br);
/* Stops a helper for a reload or restart: what is buffered is written if the pipe takes it,
 * then SIGTERM; no respawn, no withdraw. */
void supervisor_stop(struct helper *h);

/* helper_io.c */
int helper_io_attach(struct helper *h);
void helper_io_detach(struct helper *h);
/* Writes what the pipe takes now; the rest waits for it to be writable. */
void helper_flush_out(struct helper *h);
/* Appends bytes for the helper; events (is_event) are dropped above BRIDGE_OUT_LIMIT. */
void helper_write(struct helper *h, const char *data, size_t len, bool is_event);
/* Writes the answers of the ready commands at the head of the FIFO, in order. */
void helper_drain_acks(struct helper *h);
struct cmd *helper_cmd_new(struct helper *h, const char *line, size_t len);
void helper_cmd_answer(struct cmd *c, enum cmd_ack ack);
void helper_cmd_data(struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void helper_free_cmds(struct helper *h);
bool helper_running(const struct helper *h);

/* dispatch.c */
void dispatch_line(struct helper *h, const char *line, size_t len);
/* The pipe has no more data ready: send the open batch. */
void dispatch_flush(struct helper *h);
/* Sends a batch (takes ownership). */
void dispatch_send(struct bridge *br, struct batch *b);
struct batch *batch_new(struct helper *h, struct arena_ref *arena);
void batch_free(struct batch *b);
/* The bitmap of configured neighbors bound to the helper. */
uint64_t dispatch_bound(const struct helper *h);
/* Fills req->neighbors with an explicit selector of the neighbors in the bitmap. */
int dispatch_selector(struct bridge *br, struct arena *a, uint64_t set, Bgpbus__V1__Request *req);

/* show.c: `show …` lines; returns true when the line was one. */
bool show_command(struct helper *h, struct cmd *c, const char *const *w, size_t n);
void show_help(struct cmd *c);

/* events.c */
struct bus_opts;
int events_open(struct bridge *br, const struct bus_opts *opts);
void events_close(struct bridge *br);
/* Index of the configured neighbor of a PeerKey, or -1. */
int bridge_neighbor_index(const struct bridge *br, const Bgpbus__V1__PeerKey *k);
/* A speaker run (epoch) seen in an event or a Ping reply: when new, its events are read from
 * its beginning (seq 1) before anything live, or its present state is rendered (catchup.c). */
void events_epoch_seen(struct bridge *br, uint64_t epoch);
/* One event of the neighbor of index idx to every helper that asked for it. */
void events_deliver_peer(struct bridge *br, const Bgpbus__V1__Event *ev, int idx);
/* catchup.c rendered the present of epoch generation gen as of event seq: live events
 * follow from seq + 1. */
void events_present_done(struct bridge *br, unsigned gen, uint64_t seq);
/* Whether gen is still the generation of the speaker run being followed. */
bool events_gen_current(const struct bridge *br, unsigned gen);

/* catchup.c: the ring no longer holds the run's beginning: for every established neighbor, a
 * `state up` and its Adj-RIB-In as update events, then events_present_done(br, gen, seq). */
void catchup_present(struct bridge *br, unsigned gen, uint64_t seq);

/* memory.c */
struct memory *memory_new(void);
void memory_free(struct memory *m);
/* Records the outcome of accepted route items. */
void memory_apply(struct memory *m, uint64_t neighbors, const Bgpbus__V1__Route *const *routes,
                  size_t n, const Bgpbus__V1__Attributes *shared, bool announce);
size_t memory_count(const struct memory *m);
/* The speaker restarted: re-announce every helper's routes. */
void memory_replay_all(struct bridge *br);
/* Withdraw every remembered route of the helper (it died and is not respawned). */
void memory_withdraw_helper(struct helper *h);

/* reload.c: SPEC 1.7. Re-reads the configuration file: helpers whose process block disappeared
 * are stopped, new ones started, changed ones restarted (every one with restart_all), others
 * untouched. -1 (logged, nothing changed) when the file does not load. */
int bridge_reload(struct bridge *br, bool restart_all);
void memory_remap(struct memory *m, const int *map, size_t nold);

/* main.c */
struct helper *bridge_helper_new(struct bridge *br, const struct conf_process *proc);
void bridge_helper_free(struct helper *h);
void bridge_epoch_seen(struct bridge *br, uint64_t epoch);
void bridge_stop(struct bridge *br, int status);

#endif
