/*
 * owner_session.h: routes tied to the life of their owner (bgpbus.v1.OwnerSession).
 *
 * A client registers its owner name with a heartbeat: every Request carrying that owner (a Ping
 * is enough) counts as a beat. When no beat comes within the interval, or the client ends the
 * session, the owner's routes are withdrawn from every neighbor when it asked for that.
 * (Noticing the client's bus connection close, without a heartbeat, is not implemented: the
 * bus does not yet report which connection a request came on.)
 */
#ifndef BGPBUS_SPEAKER_OWNER_SESSION_H
#define BGPBUS_SPEAKER_OWNER_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "speaker.h"

/* Starts, replaces or (end) ends the session of an owner. -1 with *why when refused. */
int owner_session_set(struct speaker *sp, const char *owner, bool withdraw, uint32_t heartbeat_s,
                      bool end, const char **why);
/* A Request carrying this owner arrived: it counts as a heartbeat. */
void owner_session_touch(struct speaker *sp, const char *owner);
void owner_session_free_all(struct speaker *sp);

#endif
