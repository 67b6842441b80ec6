/* listen.h: TCP listeners for incoming BGP connections, one per (local address, port). */
#ifndef BGPBUS_SPEAKER_LISTEN_H
#define BGPBUS_SPEAKER_LISTEN_H

#include "speaker.h"

/* Listens on each neighbor's local-address (any address when it has none) and listen port
 * (179 by default). A listener that cannot bind is logged; the peer still connects out. */
void listen_start(struct speaker *sp);
void listen_stop(struct speaker *sp);
/* Makes sure one neighbor (added at run time) has its listener. */
void listen_neighbor(struct speaker *sp, const struct conf_neighbor *c);

#endif
