/* service.h: the speaker's bus service (Requests -> Replies) and the process-level commands it
 * triggers, implemented in main.c. */
#ifndef BGPBUS_SPEAKER_SERVICE_H
#define BGPBUS_SPEAKER_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "speaker.h"

struct bus_server;
struct bus_reply_handle;

/* bus_request_cb for the REP server; arg is the struct speaker. */
void service_request(struct bus_server *srv, void *arg, const uint8_t *req, size_t len,
                     struct bus_reply_handle *h);

/* main.c: stop cleanly after the current reply has left. */
void speaker_request_shutdown(struct speaker *sp, const char *reason);
/* main.c: re-establish every session (ExaBGP restart / SIGALRM). */
void speaker_restart(struct speaker *sp);
/* main.c: re-read the configuration, apply changes without dropping unchanged sessions.
 * -1 when the file does not load (nothing changes). */
int speaker_reload(struct speaker *sp);

#endif
