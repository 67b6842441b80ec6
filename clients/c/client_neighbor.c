/*
 * client_neighbor.c: the typed neighbor calls of libbgpbus_client: bgpbus_neighbor_add(),
 * bgpbus_neighbor_remove() and bgpbus_neighbors() over AddNeighbor, RemoveNeighbor and
 * ListNeighbors (proto/bgpbus/v1/request.proto, neighbor.proto).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

/* (AFI, SAFI) of the families a neighbor is added with (RFC 4760; IANA "Address Family
 * Numbers" and "SAFI Values"): the set the Python client's add_neighbor() takes. */
static const struct {
    const char *name;
    uint32_t afi, safi;
} families[] = {
    { "ipv4", 1, 1 },         { "ipv4-unicast", 1, 1 },   { "ipv6", 2, 1 },
    { "ipv6-unicast", 2, 1 }, { "ipv4-multicast", 1, 2 }, { "ipv6-multicast", 2, 2 },
};

bool
client_family_parse(const char *name, uint32_t *afi, uint32_t *safi)
{
    char key[16];
    size_t len = name ? strlen(name) : 0;

    if (len == 0 || len >= sizeof(key))
        return false;
    /* "IPv4 unicast" (ExaBGP's and the Python client's spelling) is "ipv4-unicast". */
    for (size_t i = 0; i <= len; i++)
        key[i] = name[i] == ' ' ? '-' : (char)tolower((unsigned char)name[i]);
    for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
        if (strcmp(key, families[i].name) == 0) {
            *afi = families[i].afi;
            *safi = families[i].safi;
            return true;
        }
    return false;
}

/* ---- requests ---------------------------------------------------------------------------- */

/* An address as the contract carries it (4 or 16 octets, common.proto), from arena; af
 * AF_INET for router ids, else 0 (either family). */
static int
address_pb(struct bgpbus_client *c, const char *what, const char *text, int af, struct arena *arena,
           ProtobufCBinaryData *out, protobuf_c_boolean *has)
{
    uint8_t *buf = arena_alloc(arena, 16);

    if (!buf) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    if (text && inet_pton(AF_INET, text, buf) == 1)
        out->len = 4;
    else if (text && af != AF_INET && inet_pton(AF_INET6, text, buf) == 1)
        out->len = 16;
    else {
        client_set_error(c, "bad %s %s%s", what, text ? text : "(none)",
                         af == AF_INET ? " (an IPv4 address)" : "");
        return BGPBUS_E_INVALID;
    }
    out->data = buf;
    *has = true;
    return 0;
}

static int
families_pb(struct bgpbus_client *c, const struct bgpbus_neighbor_config *cfg, struct arena *arena,
            Bgpbus__V1__NeighborConfig *nc)
{
    size_t n = cfg->n_families;

    if (n == 0)
        return 0; /* the speaker's default families (NeighborConfig.families) */
    if (!cfg->families) {
        client_set_error(c, "n_families is %zu but families is NULL", n);
        return BGPBUS_E_INVALID;
    }
    Bgpbus__V1__Family *fams = arena_calloc(arena, n, sizeof(*fams));
    Bgpbus__V1__Family **famp = arena_calloc(arena, n, sizeof(*famp));
    if (!fams || !famp) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        bgpbus__v1__family__init(&fams[i]);
        if (!client_family_parse(cfg->families[i], &fams[i].afi, &fams[i].safi)) {
            client_set_error(c, "unknown family %s (ipv4, ipv6, ipv4-multicast, ipv6-multicast)",
                             cfg->families[i] ? cfg->families[i] : "(null)");
            return BGPBUS_E_INVALID;
        }
        fams[i].has_afi = fams[i].has_safi = true;
        famp[i] = &fams[i];
    }
    nc->families = famp;
    nc->n_families = n;
    return 0;
}

/* cfg into nc (allocated from arena). Everything a client can get wrong is found here, before
 * anything is sent; what only the speaker knows (an address in use, a hold time out of range)
 * it answers itself. */
static int
neighbor_config_pb(struct bgpbus_client *c, const struct bgpbus_neighbor_config *cfg,
                   struct arena *arena, Bgpbus__V1__NeighborConfig *nc)
{
    int rc;

    if ((rc = address_pb(c, "neighbor address", cfg->address, 0, arena, &nc->address,
                         &nc->has_address)) < 0)
        return rc;
    if (cfg->local_address && (rc = address_pb(c, "local address", cfg->local_address, 0, arena,
                                               &nc->local_address, &nc->has_local_address)) < 0)
        return rc;
    if (cfg->router_id && (rc = address_pb(c, "router id", cfg->router_id, AF_INET, arena,
                                           &nc->router_id, &nc->has_router_id)) < 0)
        return rc;
    /* RFC 7607: AS 0 never appears in an OPEN, so 0 can only mean "not set". */
    if (cfg->local_as == 0 || cfg->peer_as == 0) {
        client_set_error(c, "local_as and peer_as are required (AS 0 is reserved, RFC 7607)");
        return BGPBUS_E_INVALID;
    }
    nc->has_local_as = nc->has_peer_as = true;
    nc->local_as = cfg->local_as;
    nc->peer_as = cfg->peer_as;
    nc->has_hold_time = cfg->has_hold_time;
    nc->hold_time = cfg->hold_time;
    nc->has_passive = nc->passive = cfg->passive;
    nc->has_peer_port = cfg->connect_port != 0;
    nc->peer_port = cfg->connect_port;
    nc->has_listen_port = cfg->listen_port != 0;
    nc->listen_port = cfg->listen_port;
    return families_pb(c, cfg, arena, nc);
}

/* Sends req and maps the reply's status; *keep (when not NULL) gets the reply on success. */
static int
neighbor_call(struct bgpbus_client *c, Bgpbus__V1__Request *req, Bgpbus__V1__Reply **keep)
{
    Bgpbus__V1__Reply *rep;
    int rc = bgpbus_request(c, req, &rep);

    if (rc < 0)
        return rc;
    rc = client_reply_status(c, rep);
    if (rc == 0 && keep)
        *keep = rep;
    else
        bgpbus_reply_free(rep);
    return rc;
}

int
bgpbus_neighbor_add(bgpbus_client *c, const struct bgpbus_neighbor_config *cfg)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__AddNeighbor an = BGPBUS__V1__ADD_NEIGHBOR__INIT;
    Bgpbus__V1__NeighborConfig nc = BGPBUS__V1__NEIGHBOR_CONFIG__INIT;
    struct arena arena;
    int rc;

    if (!c)
        return BGPBUS_E_INVALID;
    if (!cfg) {
        client_set_error(c, "no neighbor configuration");
        return BGPBUS_E_INVALID;
    }
    arena_init(&arena, 512);
    if ((rc = neighbor_config_pb(c, cfg, &arena, &nc)) == 0) {
        an.config = &nc;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_ADD_NEIGHBOR;
        req.add_neighbor = &an;
        rc = neighbor_call(c, &req, NULL);
    }
    arena_free(&arena);
    return rc;
}

/* Request.neighbors selecting the one neighbor with this address. */
static int
selector(struct bgpbus_client *c, const char *address, struct arena *arena,
         Bgpbus__V1__Request *req)
{
    uint8_t buf[16];

    if (!address ||
        (inet_pton(AF_INET, address, buf) != 1 && inet_pton(AF_INET6, address, buf) != 1)) {
        client_set_error(c, "bad neighbor address %s", address ? address : "(none)");
        return BGPBUS_E_INVALID;
    }
    if (!(req->neighbors = client_selector_pb(address, arena))) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    return 0;
}

int
bgpbus_neighbor_remove(bgpbus_client *c, const char *address)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__RemoveNeighbor rn = BGPBUS__V1__REMOVE_NEIGHBOR__INIT;
    struct arena arena;
    int rc;

    if (!c)
        return BGPBUS_E_INVALID;
    arena_init(&arena, 256);
    /* Always a selector: RemoveNeighbor without one removes nothing (request.proto). */
    if ((rc = selector(c, address, &arena, &req)) == 0) {
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_REMOVE_NEIGHBOR;
        req.remove_neighbor = &rn;
        rc = neighbor_call(c, &req, NULL);
    }
    arena_free(&arena);
    return rc;
}

/* ---- the list ---------------------------------------------------------------------------- */

/* FsmState (neighbor.proto: the BGP MIB's bgpPeerState numbers, RFC 4273) as text. */
static const char *
fsm_state_name(Bgpbus__V1__FsmState s)
{
    static const char *const names[] = { "unknown",  "idle",        "connect",    "active",
                                         "opensent", "openconfirm", "established" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : names[0];
}

static void
neighbor_from_pb(const Bgpbus__V1__Neighbor *pb, struct bgpbus_neighbor *out)
{
    const Bgpbus__V1__NeighborConfig *cf = pb->config;
    const Bgpbus__V1__NeighborState *st = pb->state;

    if (cf && cf->has_address)
        client_addr_text(&cf->address, out->address, sizeof(out->address));
    if (cf && cf->has_local_address)
        client_addr_text(&cf->local_address, out->local_address, sizeof(out->local_address));
    out->local_as = cf ? cf->local_as : 0;
    out->peer_as = cf ? cf->peer_as : 0;
    out->state = fsm_state_name(st && st->has_fsm_state ? st->fsm_state : 0);
    if (!st)
        return;
    out->uptime = st->has_uptime ? st->uptime : 0;
    out->routes_received = st->routes_received;
    out->routes_advertised = st->routes_advertised;
    out->routes_pending = st->routes_pending;
    out->updates_received = st->received ? st->received->updates : 0;
    out->updates_sent = st->sent ? st->sent->updates : 0;
}

static int
neighbors_from_reply(struct bgpbus_client *c, const Bgpbus__V1__Reply *rep,
                     struct bgpbus_neighbor **out, size_t *n)
{
    if (rep->result_case != BGPBUS__V1__REPLY__RESULT_NEIGHBORS || !rep->neighbors) {
        client_set_error(c, "the reply to ListNeighbors carries no neighbor list");
        return BGPBUS_E_PROTO;
    }
    size_t cnt = rep->neighbors->n_neighbors;
    if (cnt == 0)
        return 0;
    if (!(*out = calloc(cnt, sizeof(**out)))) {
        client_set_error(c, "out of memory");
        return BGPBUS_E_NOMEM;
    }
    for (size_t i = 0; i < cnt; i++)
        neighbor_from_pb(rep->neighbors->neighbors[i], &(*out)[i]);
    *n = cnt;
    return 0;
}

int
bgpbus_neighbors(bgpbus_client *c, const char *address, struct bgpbus_neighbor **out, size_t *n)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ListNeighbors ln = BGPBUS__V1__LIST_NEIGHBORS__INIT;
    Bgpbus__V1__Reply *rep = NULL;
    struct arena arena;
    int rc = 0;

    if (!c || !out || !n)
        return BGPBUS_E_INVALID;
    *out = NULL;
    *n = 0;
    arena_init(&arena, 256);
    if (address)
        rc = selector(c, address, &arena, &req);
    if (rc == 0) {
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_LIST_NEIGHBORS;
        req.list_neighbors = &ln;
        rc = neighbor_call(c, &req, &rep);
    }
    if (rc == 0)
        rc = neighbors_from_reply(c, rep, out, n);
    bgpbus_reply_free(rep);
    arena_free(&arena);
    return rc;
}

void
bgpbus_neighbors_free(struct bgpbus_neighbor *neighbors)
{
    free(neighbors);
}
