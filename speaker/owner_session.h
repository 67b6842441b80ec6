/*
 * owner_session.h: routes tied to the life of their owner (bgpbus.v1.OwnerSession).
 *
 * A client registers its owner name with a heartbeat: every Request carrying that owner (a Ping
 * is enough) counts as a beat. When no beat comes within the interval, or the client ends the
 * session, or the bus connection (nng pipe) that sent the OwnerSession closes (the client
 * exited, crashed, or lost the network), the owner's routes are withdrawn from every neighbor
 * when it asked for that. The connection close acts at once; the heartbeat is the fallback for
 * a client whose connection stays open but that hangs.
 */
#ifndef BGPBUS_SPEAKER_OWNER_SESSION_H
#define BGPBUS_SPEAKER_OWNER_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "speaker.h"

/* Starts, replaces or (end) ends the session of an owner, bound to the bus connection `pipe`
 * (bus_reply_pipe; 0: none). -1 with *why when refused. */
int owner_session_set(struct speaker *sp, const char *owner, bool withdraw, uint32_t heartbeat_s,
                      bool end, uint32_t pipe, const char **why);
/* A bus connection closed (a bus_pipe_closed_cb; arg is the speaker): its sessions end. */
void owner_session_pipe_closed(struct bus_server *srv, void *arg, uint32_t pipe);
/* A Request carrying this owner arrived: it counts as a heartbeat. */
void owner_session_touch(struct speaker *sp, const char *owner);
void owner_session_free_all(struct speaker *sp);

#endif
