/*
 * neighbor_admin.c: neighbors added and removed over the bus (AddNeighbor / RemoveNeighbor).
 *
 * A neighbor added at run time gets a struct conf_neighbor of its own (heap, freed with it),
 * filled from bgpbus.v1.NeighborConfig with the same defaults as the configuration grammar
 * (lib/conf_neighbor.h). It lives until removed or until the speaker stops; a reload keeps it.
 */
#include "neighbor_admin.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adjout.h"
#include "listen.h"
#include "log.h"
#include "routes.h"

struct runtime_neighbor {
    struct conf_neighbor cfg;
    char peer_text[INET6_ADDRSTRLEN];
    char local_text[INET6_ADDRSTRLEN];
    char *md5, *description, *host_name, *domain_name;
};

static int
addr_from(const ProtobufCBinaryData *b, struct conf_addr *a, char *text, size_t len)
{
    memset(a, 0, sizeof(*a));
    if (b->len != 4 && b->len != 16)
        return -1;
    a->af = b->len == 4 ? AF_INET : AF_INET6;
    memcpy(a->bytes, b->data, b->len);
    a->plen = (uint8_t)(b->len * 8);
    inet_ntop(a->af, a->bytes, text, (socklen_t)len);
    a->text = text;
    return 0;
}

static char *
dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void
neighbor_runtime_free(struct conf_neighbor *cfg)
{
    struct runtime_neighbor *rn = (struct runtime_neighbor *)cfg;
    free(rn->md5);
    free(rn->description);
    free(rn->host_name);
    free(rn->domain_name);
    free(rn);
}

struct conf_neighbor *
neighbor_from_config(const Bgpbus__V1__NeighborConfig *nc, const char **why)
{
    struct runtime_neighbor *rn = calloc(1, sizeof(*rn));
    struct conf_neighbor *c;

    if (!rn) {
        *why = "out of memory";
        return NULL;
    }
    c = &rn->cfg;
    if (!nc->has_address ||
        addr_from(&nc->address, &c->peer_address, rn->peer_text, sizeof(rn->peer_text)) < 0) {
        *why = "address (4 or 16 octets) is required";
        goto fail;
    }
    if (!nc->has_peer_as || !nc->has_local_as) {
        *why = "local_as and peer_as are required";
        goto fail;
    }
    if (nc->has_local_address && addr_from(&nc->local_address, &c->local_address, rn->local_text,
                                           sizeof(rn->local_text)) < 0) {
        *why = "local_address must be 4 or 16 octets";
        goto fail;
    }
    if (nc->has_router_id) {
        if (nc->router_id.len != 4) {
            *why = "router_id must be 4 octets";
            goto fail;
        }
        c->router_id.af = AF_INET;
        memcpy(c->router_id.bytes, nc->router_id.data, 4);
    } else if (c->local_address.af == AF_INET) {
        c->router_id = c->local_address; /* ExaBGP: router-id defaults to the local address */
    } else {
        *why = "router_id is required without an IPv4 local_address";
        goto fail;
    }
    if (nc->has_hold_time && nc->hold_time != 0 && (nc->hold_time < 3 || nc->hold_time > 65535)) {
        *why = "hold_time must be 0 or 3..65535 (RFC 4271 4.2)";
        goto fail;
    }
    c->local_as = nc->local_as;
    c->peer_as = nc->peer_as;
    c->hold_time = nc->has_hold_time ? (uint16_t)nc->hold_time : 180;
    c->passive = nc->has_passive && nc->passive;
    c->connect = nc->has_peer_port ? (uint16_t)nc->peer_port : 0;
    c->listen = nc->has_listen_port ? (uint16_t)nc->listen_port : 0;
    c->outgoing_ttl = nc->has_outgoing_ttl ? (int16_t)nc->outgoing_ttl : -1;
    c->incoming_ttl = nc->has_ttl_security ? (int16_t)(256 - nc->ttl_security) : -1;
    c->md5_password = rn->md5 = dup_or_null(nc->md5_password);
    c->description = rn->description = dup_or_null(nc->description);
    c->host_name = rn->host_name = dup_or_null(nc->host_name);
    c->domain_name = rn->domain_name = dup_or_null(nc->domain_name);
    c->group_updates = !nc->has_group_updates || nc->group_updates;
    c->auto_flush = !nc->has_auto_flush || nc->auto_flush;
    c->adj_rib_in = !nc->has_adj_rib_in || nc->adj_rib_in;
    c->adj_rib_out = !nc->has_adj_rib_out || nc->adj_rib_out;
    c->manual_eor = nc->has_manual_eor && nc->manual_eor;
    c->name = c->peer_address.text;

    for (size_t i = 0; i < nc->n_families; i++) {
        const struct conf_family *f =
            conf_family_by_code((uint16_t)nc->families[i]->afi, (uint8_t)nc->families[i]->safi);
        if (!f) {
            *why = "unknown family";
            goto fail;
        }
        c->families |= 1u << f->id;
    }
    if (!c->families)
        c->families = conf_family_all();

    /* Capabilities: the configuration grammar's defaults (asn4 and extended message on). */
    const Bgpbus__V1__NeighborCapabilities *cap = nc->capabilities;
    c->capability.asn4 = !cap || !cap->has_asn4 || cap->asn4;
    c->capability.extended_message = !cap || !cap->has_extended_message || cap->extended_message;
    c->capability.route_refresh = cap && cap->has_route_refresh && cap->route_refresh;
    c->capability.graceful_restart =
        cap && cap->has_graceful_restart_time ? (int32_t)cap->graceful_restart_time : -1;
    c->capability.multi_session = cap && cap->has_multi_session && cap->multi_session;
    c->capability.operational = cap && cap->has_operational && cap->operational;
    c->capability.aigp = cap && cap->has_aigp && cap->aigp;
    c->capability.software_version = cap && cap->has_software_version && cap->software_version;
    for (size_t i = 0; cap && i < cap->n_add_path; i++) {
        const Bgpbus__V1__AddPathFamily *ap = cap->add_path[i];
        const struct conf_family *f =
            ap->family ? conf_family_by_code((uint16_t)ap->family->afi, (uint8_t)ap->family->safi)
                       : NULL;
        if (!f)
            continue;
        c->add_path_families |= 1u << f->id;
        if (ap->has_send && ap->send)
            c->capability.add_path |= CONF_ADD_PATH_SEND;
        if (ap->has_receive && ap->receive)
            c->capability.add_path |= CONF_ADD_PATH_RECEIVE;
    }
    return c;
fail:
    neighbor_runtime_free(c);
    return NULL;
}

int
neighbor_add(struct speaker *sp, const Bgpbus__V1__NeighborConfig *nc, const char **why)
{
    struct conf_neighbor *c = neighbor_from_config(nc, why);
    if (!c)
        return -1;
    for (size_t i = 0; i < sp->npeers; i++) {
        const struct conf_neighbor *o = sp->peers[i]->cfg;
        if (o->peer_address.af == c->peer_address.af &&
            memcmp(o->peer_address.bytes, c->peer_address.bytes, 16) == 0 &&
            o->local_address.af == c->local_address.af &&
            memcmp(o->local_address.bytes, c->local_address.bytes, 16) == 0) {
            neighbor_runtime_free(c);
            *why = "a neighbor with this address and local address exists";
            return -1;
        }
    }
    struct peer **v = realloc(sp->peers, (sp->npeers + 1) * sizeof(*v));
    if (!v) {
        neighbor_runtime_free(c);
        *why = "out of memory";
        return -1;
    }
    sp->peers = v;
    struct peer *p = peer_new(sp, c);
    if (!p) {
        neighbor_runtime_free(c);
        *why = "out of memory";
        return -1;
    }
    p->runtime_cfg = c;
    sp->peers[sp->npeers++] = p;
    for (size_t i = 0; i < nc->n_static_routes; i++) {
        Bgpbus__V1__ItemResult item;
        routes_apply(sp, &p, 1, &nc->static_routes[i], 1, NULL, true, "config", &item);
        if (item.status != BGPBUS__V1__STATUS__STATUS_OK)
            log_error("neighbor %s: static route %zu refused: %s", p->addr_text, i,
                      item.error ? item.error : "?");
    }
    listen_neighbor(sp, c);
    log_info("neighbor %s added over the bus", p->addr_text);
    peer_start(p);
    return 0;
}

size_t
neighbor_remove(struct speaker *sp, struct peer **sel, size_t nsel)
{
    size_t removed = 0;
    for (size_t s = 0; s < nsel; s++) {
        struct peer *p = sel[s];
        for (size_t i = 0; i < sp->npeers; i++) {
            if (sp->peers[i] != p)
                continue;
            log_info("neighbor %s removed over the bus", p->addr_text);
            peer_shutdown(p, BGP_ERR_CEASE_PEER_DECONFIGURED, NULL, true);
            memmove(&sp->peers[i], &sp->peers[i + 1], (sp->npeers - i - 1) * sizeof(*sp->peers));
            sp->npeers--;
            peer_free(p);
            removed++;
            break;
        }
    }
    return removed;
}
