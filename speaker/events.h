/*
 * events.h: what the speaker publishes (bgpbus.v1.Event on the PUB socket) and the bounded
 * replay ring that lets a subscriber read what it missed (ReadEvents).
 *
 * Topic "ev/<type>/<peer>/" NUL Event. Every event carries the speaker's epoch and three
 * counters, one per topic depth (docs/architecture.md): seq, type_seq, peer_seq.
 */
#ifndef BGPBUS_SPEAKER_EVENTS_H
#define BGPBUS_SPEAKER_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "speaker.h"

struct update_decoded;
struct bgp_route_refresh;

/* Event types, one per topic word; also the index of the per-type counters. */
enum ev_type {
    EV_STATE,
    EV_OPEN,
    EV_NEGOTIATED,
    EV_UPDATE,
    EV_NOTIFICATION,
    EV_KEEPALIVE,
    EV_REFRESH,
    EV_EOR,
    EV_OPERATIONAL,
    EV_SPEAKER,
    EV_TYPE_COUNT
};
const char *ev_type_name(enum ev_type t);

/* ring_events / ring_bytes: replay ring bounds (0 = defaults). */
int ev_init(struct speaker *sp, size_t ring_events, size_t ring_bytes);
void ev_free(struct speaker *sp);

void ev_speaker(struct speaker *sp, Bgpbus__V1__SpeakerLifecycleKind kind, const char *reason,
                int signo);
void ev_state(struct peer *p, enum fsm_state from, enum fsm_state to, const char *reason);
void ev_connected(struct peer *p);
/* What the session runs with, once both OPENs are validated. */
void ev_negotiated(struct peer *p, const struct session *s);
/* msg/len: the whole OPEN as on the wire (capabilities keep their order), or NULL. */
void ev_open(struct peer *p, const struct session *s, const struct bgp_open *o, const uint8_t *msg,
             size_t len, Bgpbus__V1__Direction dir);
void ev_update(struct peer *p, const struct session *s, const struct update_decoded *dec,
               const uint8_t *raw, size_t raw_len);
/* An UPDATE we sent, reported (direction sent) for helpers with `send { update; }`. */
void ev_sent_update(struct peer *p, const struct session *s, const uint8_t *msg, size_t len);
bool ev_wants_sent_updates(const struct peer *p);
void ev_keepalive(struct peer *p, Bgpbus__V1__Direction dir);
void ev_notification(struct peer *p, const uint8_t *msg, size_t len, Bgpbus__V1__Direction dir);
void ev_refresh(struct peer *p, const struct bgp_route_refresh *rr, Bgpbus__V1__Direction dir);
/* raw/raw_len: the End-of-RIB UPDATE as on the wire, or NULL. */
void ev_eor(struct peer *p, uint16_t afi, uint8_t safi, Bgpbus__V1__Direction dir,
            const uint8_t *raw, size_t raw_len);

/*
 * ReadEvents: events with seq >= from_seq whose topic starts with prefix, at most max (and a
 * few MB), put into page as they were packed (the page's unknown fields carrying the tag of
 * EventPage.events: packed, it is an ordinary EventPage). Allocations are owned by the caller's
 * arena. Returns the count.
 */
size_t ev_read(struct speaker *sp, uint64_t from_seq, uint32_t max, const char *prefix,
               struct arena *a, Bgpbus__V1__EventPage *page);

#endif
