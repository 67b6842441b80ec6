/*
 * ExaBGP 4.2 renderings of bgpbus Events: the JSON encoder (SPEC 3) and the text encoder
 * (SPEC 4), for the apibridge. The JSON profile is ExaBGP 4.2.21's (`"exabgp": "4.0.1"`),
 * fixing only what 4.2 writes as invalid JSON (SPEC 0.3): route-refresh and operational
 * string members, the add-path `send` list of the negotiated object. End-of-RIB keeps 4.2's
 * `"message": { "eor": … }` form.
 *
 * Output is appended to a caller-owned, reused buffer: rendering does no allocation per
 * member, only when the buffer has to grow. Every function appends; call exa_buf_reset()
 * first to start a new line. On a -1 return nothing has been appended (the buffer is
 * rolled back to its length on entry).
 */
#ifndef BGPBUS_LIB_EXA_RENDER_H
#define BGPBUS_LIB_EXA_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "bgpbus/v1/event.pb-c.h"

/* A growable text buffer. data is NUL-terminated whenever len > 0 or after exa_buf_reset(). */
struct exa_buf {
    char *data;
    size_t len, cap;
    int oom; /* set when an allocation failed: the contents are then truncated */
};

void exa_buf_init(struct exa_buf *b);
void exa_buf_free(struct exa_buf *b);
void exa_buf_reset(struct exa_buf *b); /* len = 0, keeps the memory */

/* The process-wide members of the JSON envelope (SPEC 3.1). */
struct exa_env {
    const char *host;     /* "host": the host name */
    long pid, ppid;       /* "pid", "ppid": the bridge's (ExaBGP's) pid and parent pid */
    double time_override; /* < 0: "time" is the event's time; >= 0: use this value */
};

/* SPEC 1.2: what the api block's receive/send switches ask for. */
enum exa_form {
    EXA_PARSED,      /* the decoded message ("parsed") */
    EXA_PACKETS,     /* the raw message only ("packets"): needs Event.raw */
    EXA_CONSOLIDATE, /* parsed plus "header"/"body" ("consolidate" + "packets"): needs raw */
};

/* Append the negotiated object to update events (api `negotiated`, SPEC 3.11); the object
 * comes from exa_json_event_negotiated()'s argument. */
#define EXA_OPT_NEGOTIATED 0x1

/*
 * One JSON line ('\n' included) for an event, ExaBGP 4.2 profile.
 * counter: the per-neighbor counter (SPEC 3.1: per neighbor, shared by every process).
 * Events and their "type":
 *   state (StateChange with change CONNECTED/UP/DOWN)    -> "state" (neighbor-changes)
 *   open, keepalive, update, eor, notification,
 *   route_refresh, operational                           -> as SPEC 3.3-3.9
 *   negotiated                                           -> "negotiated" (SPEC 3.10)
 * Returns 0, or -1 when the event has no JSON form (a StateChange that is no
 * connected/up/down change, a speaker event, EXA_PACKETS/EXA_CONSOLIDATE without raw bytes,
 * a body that is not set) or the buffer could not grow.
 */
int exa_json_event(const Bgpbus__V1__Event *ev, const struct exa_env *env, uint64_t counter,
                   enum exa_form form, unsigned opts, struct exa_buf *out);

/* The same, with the session's Negotiated (the last `negotiated` event of that peer) for
 * EXA_OPT_NEGOTIATED; negotiated may be NULL, then nothing is appended. */
int exa_json_event_negotiated(const Bgpbus__V1__Event *ev, const struct exa_env *env,
                              uint64_t counter, enum exa_form form, unsigned opts,
                              const Bgpbus__V1__Negotiated *negotiated, struct exa_buf *out);

/* The "fsm" event (api `fsm`, SPEC 3.10) of a StateChange event: `"state": "ESTABLISHED"`
 * (the current state). Returns -1 when the event is not a StateChange. */
int exa_json_fsm(const Bgpbus__V1__Event *ev, const struct exa_env *env, uint64_t counter,
                 struct exa_buf *out);

/* The "signal" event (api `signal`, SPEC 3.10) for one neighbor: ExaBGP writes it once per
 * neighbor whose api block has `signal`. sig is the speaker's SIGNAL lifecycle event (or the
 * bridge's own), peer the neighbor. Returns -1 when sig has no signal number. */
int exa_json_signal(const Bgpbus__V1__PeerKey *peer, const Bgpbus__V1__SpeakerLifecycle *sig,
                    double time, const struct exa_env *env, uint64_t counter, struct exa_buf *out);

/*
 * The text encoder's line(s) for the same event (SPEC 4), each event followed by the empty
 * line ExaBGP writes (except operational, as 4.2). Returns 0, or -1 when the event has no
 * text form (negotiated, fsm, speaker events, unspecified state changes, packets forms
 * without raw bytes). EXA_OPT_NEGOTIATED is ignored (the text encoder has none).
 */
int exa_text_event(const Bgpbus__V1__Event *ev, enum exa_form form, unsigned opts,
                   struct exa_buf *out);

/* The shutdown event written to every process at exit (SPEC 0.1 / 3.12). */
void exa_json_shutdown(const struct exa_env *env, struct exa_buf *out);
void exa_text_shutdown(long pid, long ppid, struct exa_buf *out);

/* ExaBGP's names (SPEC 3.5): "ipv4", "unicast", ...; NULL for an unknown number. */
const char *exa_afi_name(uint32_t afi);
const char *exa_safi_name(uint32_t safi);

#endif /* BGPBUS_LIB_EXA_RENDER_H */
