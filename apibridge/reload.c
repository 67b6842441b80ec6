/*
 * reload: the bridge's side of SIGUSR1/SIGUSR2/SIGALRM and the `reload`/`restart` commands
 * (SPEC 1.7). The configuration file is read again; process blocks are matched by name:
 *   gone       the helper is stopped (its routes withdrawn when withdraw_on_exit names it);
 *   new        started;
 *   changed    (run, encoder or respawn differ) restarted, as ExaBGP main does;
 *   unchanged  left running, unless restart_all (SIGUSR2, SIGALRM, `restart`).
 * Neighbors are matched by peer address: the per-neighbor JSON counters, the last Negotiated
 * and the helpers' remembered routes follow their neighbor to its new index.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "log.h"

static bool
same_peer(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
    size_t n = a->peer_address.af == AF_INET ? 4 : 16;
    return a->peer_address.af == b->peer_address.af &&
           memcmp(a->peer_address.bytes, b->peer_address.bytes, n) == 0;
}

static struct helper *
find_helper(struct bridge *br, const char *name)
{
    for (size_t i = 0; i < br->nhelpers; i++)
        if (br->helpers[i] && strcmp(br->helpers[i]->name, name) == 0)
            return br->helpers[i];
    return NULL;
}

/* Moves the per-neighbor state to the new numbering; -1 when out of memory (nothing moved). */
static int
remap_neighbors(struct bridge *br, const struct conf *nc)
{
    size_t nold = br->conf.nneighbors;
    int *map = calloc(nold ? nold : 1, sizeof(*map));
    uint64_t *counters = calloc(nc->nneighbors + 1, sizeof(*counters));
    Bgpbus__V1__Event **negotiated = calloc(nc->nneighbors + 1, sizeof(*negotiated));
    if (!map || !counters || !negotiated) {
        free(map);
        free(counters);
        free(negotiated);
        return -1;
    }
    for (size_t i = 0; i < nold; i++) {
        map[i] = -1;
        for (size_t k = 0; k < nc->nneighbors; k++)
            if (same_peer(&br->conf.neighbors[i], &nc->neighbors[k])) {
                map[i] = (int)k;
                break;
            }
        if (map[i] >= 0) {
            counters[map[i]] = br->counters[i];
            negotiated[map[i]] = br->negotiated[i];
        } else if (br->negotiated[i]) {
            bgpbus__v1__event__free_unpacked(br->negotiated[i], NULL);
        }
    }
    for (size_t i = 0; i < br->nhelpers; i++)
        memory_remap(br->helpers[i]->mem, map, nold);
    free(map);
    free(br->counters);
    free(br->negotiated);
    br->counters = counters;
    br->negotiated = negotiated;
    return 0;
}

int
bridge_reload(struct bridge *br, bool restart_all)
{
    struct conf nc;
    struct conf_error err;
    if (conf_load_file(&nc, br->config_path, CONF_LOAD_RESOLVE_PROGRAMS, &err) < 0) {
        log_error("reload: %s; the processes are left as they are", err.msg);
        return -1;
    }
    struct helper **helpers = calloc(nc.nprocesses ? nc.nprocesses : 1, sizeof(*helpers));
    struct helper **retired =
        realloc(br->retired, (br->nretired + br->nhelpers + 1) * sizeof(*retired));
    struct conf *old = realloc(br->old_confs, (br->nold_confs + 1) * sizeof(*old));
    if (retired)
        br->retired = retired;
    if (old)
        br->old_confs = old;
    if (!helpers || !retired || !old) {
        free(helpers);
        conf_free(&nc);
        log_error("reload: out of memory; the processes are left as they are");
        return -1;
    }

    /* Gone first, while br->conf still numbers the neighbors their routes were sent to. */
    for (size_t i = 0; i < br->nhelpers; i++) {
        struct helper *h = br->helpers[i];
        if (conf_find_process(&nc, h->name))
            continue;
        log_info("reload: process %s is no longer configured: stopping it", h->name);
        supervisor_stop(h);
        if (h->withdraw_on_exit)
            memory_withdraw_helper(h);
        br->retired[br->nretired++] = h;
        br->helpers[i] = NULL;
    }
    size_t nkept = 0;
    for (size_t i = 0; i < br->nhelpers; i++)
        if (br->helpers[i])
            br->helpers[nkept++] = br->helpers[i];
    br->nhelpers = nkept;
    if (remap_neighbors(br, &nc) < 0)
        log_error("reload: out of memory renumbering the neighbors; JSON counters restart");

    /* The helpers point into the configuration they were started from: keep it. */
    br->old_confs[br->nold_confs++] = br->conf;
    br->conf = nc;
    size_t started = 0, restarted = 0, kept = 0;
    for (size_t i = 0; i < br->conf.nprocesses; i++) {
        const struct conf_process *p = &br->conf.processes[i];
        struct helper *h = find_helper(br, p->name);
        if (!h) {
            h = bridge_helper_new(br, p);
            if (!h) {
                log_error("reload: process %s: out of memory", p->name);
                continue;
            }
            log_info("reload: process %s is new: starting it", p->name);
            started++;
        } else if (restart_all || conf_process_changed(h->proc, p) || h->given_up) {
            log_info("reload: process %s %s: restarting it", p->name,
                     restart_all ? "(restart of every process)" : "changed or was given up");
            supervisor_stop(h);
            h->proc = p;
            snprintf(h->path, sizeof(h->path), "%s", p->argv[0]);
            h->bucket = 0;
            h->deaths = 0;
            restarted++;
        } else {
            h->proc = p;
            kept++;
            helpers[i] = h;
            h->index = i;
            continue;
        }
        helpers[i] = h;
        h->index = i;
        if (supervisor_start(h) < 0)
            log_error("process %s: cannot start %s: %s", h->name, h->path, strerror(errno));
    }
    /* Every helper is in the new list: the old one only lost the ones retired above. */
    free(br->helpers);
    br->helpers = helpers;
    size_t n = 0;
    for (size_t i = 0; i < br->conf.nprocesses; i++)
        if (helpers[i])
            helpers[n++] = helpers[i];
    br->nhelpers = n;
    log_info("reload: %zu process(es) started, %zu restarted, %zu kept, %zu neighbor(s)", started,
             restarted, kept, br->conf.nneighbors);
    return 0;
}
