/* neighbor_admin.h: neighbors added and removed over the bus. */
#ifndef BGPBUS_SPEAKER_NEIGHBOR_ADMIN_H
#define BGPBUS_SPEAKER_NEIGHBOR_ADMIN_H

#include <stddef.h>

#include "bgpbus/v1/neighbor.pb-c.h"
#include "speaker.h"

/* A heap configuration from the contract's NeighborConfig; NULL with *why on a bad one. */
struct conf_neighbor *neighbor_from_config(const Bgpbus__V1__NeighborConfig *nc, const char **why);
void neighbor_runtime_free(struct conf_neighbor *cfg);
/* Adds and starts a neighbor. -1 with *why when refused (bad config, duplicate). */
int neighbor_add(struct speaker *sp, const Bgpbus__V1__NeighborConfig *nc, const char **why);
/* Tears down (Cease, Peer De-configured) and forgets the given peers; returns how many. */
size_t neighbor_remove(struct speaker *sp, struct peer **sel, size_t nsel);

#endif
