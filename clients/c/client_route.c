/*
 * client_route.c: the plain C route of bgpbus.h into bgpbus.v1 protobuf, and back to text.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

int
client_prefix_parse(const char *text, uint8_t addr[16], size_t *alen, unsigned *plen)
{
    char buf[INET6_ADDRSTRLEN];
    const char *slash;
    size_t n;

    if (!text)
        return -1;
    slash = strchr(text, '/');
    n = slash ? (size_t)(slash - text) : strlen(text);
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, text, n);
    buf[n] = 0;
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, buf, addr) == 1)
        *alen = 4;
    else if (inet_pton(AF_INET6, buf, addr) == 1)
        *alen = 16;
    else
        return -1;
    if (slash) {
        char *end;
        unsigned long v;
        if (slash[1] < '0' || slash[1] > '9')
            return -1;
        v = strtoul(slash + 1, &end, 10);
        if (*end || v > *alen * 8)
            return -1;
        *plen = (unsigned)v;
    } else {
        *plen = (unsigned)*alen * 8;
    }
    /* common.proto Prefix: host bits must be zero (ExaBGP refuses an "invalid network"). */
    for (unsigned bit = *plen; bit < *alen * 8; bit++)
        if (addr[bit / 8] & (0x80u >> (bit % 8)))
            return -1;
    return 0;
}

static int
addr_parse(const char *text, uint8_t out[16], size_t *len)
{
    if (inet_pton(AF_INET, text, out) == 1)
        *len = 4;
    else if (inet_pton(AF_INET6, text, out) == 1)
        *len = 16;
    else
        return -1;
    return 0;
}

void
client_addr_text(const ProtobufCBinaryData *b, char *out, size_t len)
{
    if (b->len == 4 && inet_ntop(AF_INET, b->data, out, (socklen_t)len))
        return;
    if (b->len == 16 && inet_ntop(AF_INET6, b->data, out, (socklen_t)len))
        return;
    snprintf(out, len, "?");
}

void
client_nlri_text(const Bgpbus__V1__Nlri *n, char *out, size_t len)
{
    const Bgpbus__V1__Prefix *p = n->nlri_case == BGPBUS__V1__NLRI__NLRI_UNICAST     ? n->unicast
                                  : n->nlri_case == BGPBUS__V1__NLRI__NLRI_MULTICAST ? n->multicast
                                                                                     : NULL;
    char a[INET6_ADDRSTRLEN];

    if (!p) {
        snprintf(out, len, "nlri-%d", (int)n->nlri_case);
        return;
    }
    client_addr_text(&p->address, a, sizeof(a));
    snprintf(out, len, "%s/%u", a, p->length);
}

Bgpbus__V1__NeighborSelector *
client_selector_pb(const char *address, struct arena *arena)
{
    Bgpbus__V1__NeighborSelector *sel = arena_alloc(arena, sizeof(*sel));
    Bgpbus__V1__NeighborMatch *m = arena_alloc(arena, sizeof(*m));
    Bgpbus__V1__NeighborMatch **mp = arena_alloc(arena, sizeof(*mp));
    uint8_t *bytes = arena_alloc(arena, 16);
    size_t len;

    if (!sel || !m || !mp || !bytes || addr_parse(address, bytes, &len) < 0)
        return NULL;
    bgpbus__v1__neighbor_selector__init(sel);
    bgpbus__v1__neighbor_match__init(m);
    m->has_address = true;
    m->address.data = bytes;
    m->address.len = len;
    *mp = m;
    sel->n_matches = 1;
    sel->matches = mp;
    return sel;
}

static Bgpbus__V1__Attributes *
attrs_pb(const struct bgpbus_route *r, struct arena *arena, const char **why)
{
    Bgpbus__V1__Attributes *a = arena_alloc(arena, sizeof(*a));

    if (!a)
        goto oom;
    bgpbus__v1__attributes__init(a);
    if (r->next_hop) {
        Bgpbus__V1__NextHop *nh = arena_alloc(arena, sizeof(*nh));
        if (!nh)
            goto oom;
        bgpbus__v1__next_hop__init(nh);
        if (strcmp(r->next_hop, "self") == 0) {
            nh->has_use_local_address = nh->use_local_address = true;
        } else {
            uint8_t *b = arena_alloc(arena, 16);
            size_t len;
            if (!b)
                goto oom;
            if (addr_parse(r->next_hop, b, &len) < 0) {
                *why = "bad next hop";
                return NULL;
            }
            nh->has_address = true;
            nh->address.data = b;
            nh->address.len = len;
        }
        a->next_hop = nh;
    }
    if (r->as_path_len) {
        Bgpbus__V1__AsPath *path = arena_alloc(arena, sizeof(*path));
        Bgpbus__V1__AsPathSegment *seg = arena_alloc(arena, sizeof(*seg));
        Bgpbus__V1__AsPathSegment **segp = arena_alloc(arena, sizeof(*segp));
        if (!path || !seg || !segp)
            goto oom;
        if (!r->as_path) {
            *why = "as_path_len without as_path";
            return NULL;
        }
        bgpbus__v1__as_path__init(path);
        bgpbus__v1__as_path_segment__init(seg);
        seg->has_type = true;
        seg->type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
        seg->asns = (uint32_t *)r->as_path;
        seg->n_asns = r->as_path_len;
        *segp = seg;
        path->segments = segp;
        path->n_segments = 1;
        a->as_path = path;
    }
    if (r->n_communities) {
        if (!r->communities) {
            *why = "n_communities without communities";
            return NULL;
        }
        a->communities = (uint32_t *)r->communities;
        a->n_communities = r->n_communities;
    }
    switch (r->origin) {
    case BGPBUS_ORIGIN_DEFAULT: break;
    case BGPBUS_ORIGIN_IGP: a->has_origin = true, a->origin = BGPBUS__V1__ORIGIN__ORIGIN_IGP; break;
    case BGPBUS_ORIGIN_EGP: a->has_origin = true, a->origin = BGPBUS__V1__ORIGIN__ORIGIN_EGP; break;
    case BGPBUS_ORIGIN_INCOMPLETE:
        a->has_origin = true;
        a->origin = BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE;
        break;
    default: *why = "bad origin"; return NULL;
    }
    a->has_med = r->has_med;
    a->med = r->med;
    a->has_local_pref = r->has_local_pref;
    a->local_pref = r->local_pref;
    return a;
oom:
    *why = "out of memory";
    return NULL;
}

/*
 * The protobuf points into r (AS path, communities): r must outlive the packing, which the
 * callers do at once.
 */
Bgpbus__V1__Route *
client_route_pb(const struct bgpbus_route *r, bool announce, struct arena *arena, const char **why)
{
    Bgpbus__V1__Route *route = arena_alloc(arena, sizeof(*route));
    Bgpbus__V1__Nlri *nlri = arena_alloc(arena, sizeof(*nlri));
    Bgpbus__V1__Prefix *pfx = arena_alloc(arena, sizeof(*pfx));
    uint8_t *addr = arena_alloc(arena, 16);
    size_t alen;
    unsigned plen;

    if (!route || !nlri || !pfx || !addr) {
        *why = "out of memory";
        return NULL;
    }
    if (client_prefix_parse(r->prefix, addr, &alen, &plen) < 0) {
        *why = "bad prefix (address/length with no host bits set)";
        return NULL;
    }
    bgpbus__v1__route__init(route);
    bgpbus__v1__nlri__init(nlri);
    bgpbus__v1__prefix__init(pfx);
    pfx->has_address = pfx->has_length = true;
    pfx->address.data = addr;
    pfx->address.len = alen;
    pfx->length = plen;
    if (r->multicast) {
        nlri->nlri_case = BGPBUS__V1__NLRI__NLRI_MULTICAST;
        nlri->multicast = pfx;
    } else {
        nlri->nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
        nlri->unicast = pfx;
    }
    nlri->has_path_id = r->has_path_id;
    nlri->path_id = r->path_id;
    route->nlri = nlri;
    if (announce) {
        /* attributes.proto: a next hop is required for IPv4; refuse here with the reason. */
        if (!r->next_hop && alen == 4) {
            *why = "missing next-hop";
            return NULL;
        }
        if (!(route->attributes = attrs_pb(r, arena, why)))
            return NULL;
    }
    return route;
}
