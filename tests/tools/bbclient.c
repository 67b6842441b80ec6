/*
 * bbclient: the thin bus client the tests drive the speaker with (requests and a subscriber).
 * The public client library and bgpbusctl grow out of it (clients/).
 *
 *   bbclient [--command URL] [--events URL] [--timeout MS] COMMAND ...
 *     ping | version | neighbors | flush | shutdown
 *     announce [opts] PREFIX...      opts: --nh A|self --aspath 1,2 --origin igp|egp|incomplete
 *                                          --med N --lp N --comm A:B,C:D --owner O --neighbor A
 *                                          --count N (N consecutive prefixes from PREFIX)
 *                                          --batch N (routes per request, default 1000)
 *                                          --path-id N --multicast
 *     withdraw [--count N] [--neighbor A] [--owner O] PREFIX...
 *     withdraw-owner OWNER
 *     rib-out [--neighbor A] [--owner O] | rib-in [--neighbor A]
 *     eor AFI SAFI | refresh AFI SAFI | teardown SUBCODE [MESSAGE]
 *     watch [--topic T] [--updates N] [--events N] [--timeout S] [--keepalives]
 *     neighbor-add ADDRESS LOCAL_AS PEER_AS [--local A] [--router-id A] [--connect-port P]
 *                  [--listen-port P] [--passive] [--hold S]
 *     neighbor-remove ADDRESS
 *     owner-session OWNER HEARTBEAT_S [--withdraw] | owner-end OWNER | ping --owner O (a beat)
 *     send LINE...                   ExaBGP API text lines (`-`: one per line on stdin), each
 *                                    parsed by the shared grammar into one Request; prints
 *                                    `done` or `error: why` per line, as an ExaBGP helper sees
 *
 * Output: one line per route or event, in the normalised form of tests/peers dumps
 * ("ipv4 10.0.0.0/24 nh=192.0.2.1 aspath=65001 origin=igp med=5 comm=65000:1") so tests can
 * compare what the speaker reports with what a real peer holds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "bb_fmt.h"
#include "bb_fmt_l2vpn.h"
#include "bus.h"
#include "grammar_command.h"

static const char *command_url, *events_url;
static int timeout_ms = 30000;

static void
die(const char *fmt, const char *arg)
{
    fprintf(stderr, "bbclient: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

/* ---- formatting ---------------------------------------------------------------------------- */

static const char *
family_name(uint32_t afi, uint32_t safi)
{
    if (afi == 1 && safi == 1)
        return "ipv4";
    if (afi == 2 && safi == 1)
        return "ipv6";
    if (afi == 1 && safi == 2)
        return "mcast4";
    if (afi == 2 && safi == 2)
        return "mcast6";
    if ((afi == 1 || afi == 2) && (safi == 4 || safi == 128 || safi == 133 || safi == 134)) {
        static const char *names[] = { "lu4",   "lu6",   "vpn4",     "vpn6",
                                       "flow4", "flow6", "flowvpn4", "flowvpn6" };
        int i = safi == 4 ? 0 : safi == 128 ? 2 : safi == 133 ? 4 : 6;
        return names[i + (afi == 2)];
    }
    if (afi == 25 && (safi == 65 || safi == 70))
        return safi == 65 ? "vpls" : "evpn";
    static char buf[32];
    snprintf(buf, sizeof(buf), "afi%u/safi%u", afi, safi);
    return buf;
}

static void
addr_text(const ProtobufCBinaryData *b, char *out, size_t len)
{
    if (b->len == 4)
        inet_ntop(AF_INET, b->data, out, (socklen_t)len);
    else if (b->len == 16)
        inet_ntop(AF_INET6, b->data, out, (socklen_t)len);
    else
        snprintf(out, len, "?");
}

static void
print_attrs(FILE *f, const Bgpbus__V1__NextHop *nh, const Bgpbus__V1__Attributes *a)
{
    char t[INET6_ADDRSTRLEN];
    if (nh && nh->has_use_local_address && nh->use_local_address)
        fprintf(f, " nh=self");
    else if (nh && nh->has_address) {
        addr_text(&nh->address, t, sizeof(t));
        fprintf(f, " nh=%s", t);
    }
    if (!a)
        return;
    fprintf(f, " aspath=");
    if (a->as_path)
        for (size_t s = 0, first = 1; s < a->as_path->n_segments; s++)
            for (size_t i = 0; i < a->as_path->segments[s]->n_asns; i++, first = 0)
                fprintf(f, "%s%u", first ? "" : ",", a->as_path->segments[s]->asns[i]);
    static const char *origins[] = { "?", "igp", "egp", "incomplete" };
    if (a->has_origin && a->origin <= 3)
        fprintf(f, " origin=%s", origins[a->origin]);
    if (a->has_med && a->med)
        fprintf(f, " med=%u", a->med);
    if (a->has_local_pref)
        fprintf(f, " lp=%u", a->local_pref);
    if (a->n_communities) {
        fprintf(f, " comm=");
        for (size_t i = 0; i < a->n_communities; i++)
            fprintf(f, "%s%u:%u", i ? "," : "", a->communities[i] >> 16,
                    a->communities[i] & 0xffff);
    }
}

static void
print_nlri(FILE *f, const Bgpbus__V1__Nlri *n)
{
    char t[INET6_ADDRSTRLEN];
    const Bgpbus__V1__Prefix *p = n->nlri_case == BGPBUS__V1__NLRI__NLRI_UNICAST     ? n->unicast
                                  : n->nlri_case == BGPBUS__V1__NLRI__NLRI_MULTICAST ? n->multicast
                                                                                     : NULL;
    if (p) {
        addr_text(&p->address, t, sizeof(t));
        fprintf(f, "%s/%u", t, p->length);
    } else if (!bb_fmt_nlri(f, n) && !bb_fmt_l2vpn_nlri(f, n)) {
        fprintf(f, "raw");
    }
    if (n->has_path_id)
        fprintf(f, " path-id=%u", n->path_id);
}

static void
print_event(const Bgpbus__V1__Event *ev, bool keepalives)
{
    char peer[INET6_ADDRSTRLEN] = "-";
    if (ev->peer && ev->peer->has_address)
        addr_text(&ev->peer->address, peer, sizeof(peer));
    switch (ev->body_case) {
    case BGPBUS__V1__EVENT__BODY_STATE: {
        static const char *st[] = { "?",        "idle",        "connect",    "active",
                                    "opensent", "openconfirm", "established" };
        static const char *ch[] = { "transition", "connected", "up", "down" };
        const Bgpbus__V1__StateChange *s = ev->state;
        printf("state %s %s %s->%s%s%s\n", peer, ch[s->change <= 3 ? s->change : 0],
               st[s->previous <= 6 ? s->previous : 0], st[s->current <= 6 ? s->current : 0],
               s->reason ? " " : "", s->reason ? s->reason : "");
        break;
    }
    case BGPBUS__V1__EVENT__BODY_OPEN:
        printf("open %s %s asn=%u hold=%u caps=%zu\n", peer,
               ev->direction == BGPBUS__V1__DIRECTION__DIRECTION_SENT ? "sent" : "received",
               ev->open->asn, ev->open->hold_time, ev->open->n_capabilities);
        break;
    case BGPBUS__V1__EVENT__BODY_UPDATE: {
        const Bgpbus__V1__Update *u = ev->update;
        /* What we sent (api `send { update; }`) is told apart from what the peer sent. */
        const char *kind =
            ev->direction == BGPBUS__V1__DIRECTION__DIRECTION_SENT ? "sent-update" : "update";
        for (size_t g = 0; g < u->n_withdrawn; g++)
            for (size_t i = 0; i < u->withdrawn[g]->n_nlri; i++) {
                const Bgpbus__V1__Family *fam = u->withdrawn[g]->family;
                printf("%s %s withdraw %s ", kind, peer,
                       fam ? family_name(fam->afi, fam->safi) : "?");
                print_nlri(stdout, u->withdrawn[g]->nlri[i]);
                putchar('\n');
            }
        for (size_t g = 0; g < u->n_announced; g++)
            for (size_t i = 0; i < u->announced[g]->n_nlri; i++) {
                const Bgpbus__V1__Family *fam = u->announced[g]->family;
                printf("%s %s announce %s ", kind, peer,
                       fam ? family_name(fam->afi, fam->safi) : "?");
                print_nlri(stdout, u->announced[g]->nlri[i]);
                print_attrs(stdout, u->announced[g]->next_hop, u->attributes);
                bb_fmt_ext(stdout, u->attributes);
                bb_fmt_l2vpn_ext(stdout, u->attributes);
                putchar('\n');
            }
        break;
    }
    case BGPBUS__V1__EVENT__BODY_EOR:
        printf("%s %s %s\n",
               ev->direction == BGPBUS__V1__DIRECTION__DIRECTION_SENT ? "sent-eor" : "eor", peer,
               ev->eor->family ? family_name(ev->eor->family->afi, ev->eor->family->safi) : "?");
        break;
    case BGPBUS__V1__EVENT__BODY_NOTIFICATION:
        printf("notification %s %s %u/%u%s%s\n", peer,
               ev->direction == BGPBUS__V1__DIRECTION__DIRECTION_SENT ? "sent" : "received",
               ev->notification->code, ev->notification->subcode,
               ev->notification->shutdown_message ? " " : "",
               ev->notification->shutdown_message ? ev->notification->shutdown_message : "");
        break;
    case BGPBUS__V1__EVENT__BODY_ROUTE_REFRESH:
        printf("refresh %s %s\n", peer,
               ev->route_refresh->family
                   ? family_name(ev->route_refresh->family->afi, ev->route_refresh->family->safi)
                   : "?");
        break;
    case BGPBUS__V1__EVENT__BODY_KEEPALIVE:
        if (keepalives)
            printf("keepalive %s\n", peer);
        break;
    case BGPBUS__V1__EVENT__BODY_SPEAKER: printf("speaker %d\n", ev->speaker->kind); break;
    default: printf("event %d %s\n", ev->body_case, peer); break;
    }
}

/* ---- requests ------------------------------------------------------------------------------- */

static struct bus_client *
client(void)
{
    static struct bus_client *c;
    if (!c) {
        struct bus_opts o = { .url = command_url };
        int rc = bus_client_open(&c, NULL, &o);
        if (rc < 0)
            die("cannot reach the speaker: %s", bus_strerror(rc));
    }
    return c;
}

static Bgpbus__V1__Reply *
call(Bgpbus__V1__Request *req)
{
    static uint64_t id;
    size_t len;
    uint8_t *buf, *rbuf;
    size_t rlen;

    req->has_id = true;
    req->id = ++id;
    len = bgpbus__v1__request__get_packed_size(req);
    buf = malloc(len ? len : 1);
    if (!buf)
        die("%s", "out of memory");
    bgpbus__v1__request__pack(req, buf);
    int rc = bus_call(client(), buf, len, &rbuf, &rlen, timeout_ms);
    free(buf);
    if (rc < 0)
        die("request failed: %s", bus_strerror(rc));
    Bgpbus__V1__Reply *rep = bgpbus__v1__reply__unpack(NULL, rlen, rbuf);
    free(rbuf);
    if (!rep)
        die("%s", "the reply does not decode");
    return rep;
}

/* Prints the reply's error (if any) and returns the exit status it deserves. */
static int
check(Bgpbus__V1__Reply *rep)
{
    int rc = 0;
    if (rep->status != BGPBUS__V1__STATUS__STATUS_OK) {
        fprintf(stderr, "bbclient: status %d: %s\n", rep->status, rep->error ? rep->error : "");
        rc = 1;
    }
    for (size_t i = 0; i < rep->n_items; i++)
        if (rep->items[i]->status != BGPBUS__V1__STATUS__STATUS_OK)
            fprintf(stderr, "bbclient: item %zu: %s\n", i,
                    rep->items[i]->error ? rep->items[i]->error : "failed");
    return rc;
}

static int
simple(Bgpbus__V1__Request *req)
{
    Bgpbus__V1__Reply *rep = call(req);
    int rc = check(rep);
    bgpbus__v1__reply__free_unpacked(rep, NULL);
    return rc;
}

struct route_opts {
    const char *nh, *aspath, *origin, *comm, *owner, *neighbor;
    long med, lp, count, batch, path_id;
    bool multicast;
};

static bool
parse_prefix(const char *text, uint8_t addr[16], size_t *alen, unsigned *plen)
{
    char buf[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, text, n);
    buf[n] = 0;
    if (inet_pton(AF_INET, buf, addr) == 1)
        *alen = 4;
    else if (inet_pton(AF_INET6, buf, addr) == 1)
        *alen = 16;
    else
        return false;
    *plen = slash ? (unsigned)atoi(slash + 1) : (unsigned)*alen * 8;
    return *plen <= *alen * 8;
}

/* addr += 1 << (bits - plen): the next prefix of the same length. */
static void
prefix_next(uint8_t *addr, size_t alen, unsigned plen)
{
    if (plen == 0)
        return;
    unsigned bit = plen - 1;
    for (int i = (int)(bit / 8); i >= 0; i--) {
        unsigned add = i == (int)(bit / 8) ? 1u << (7 - bit % 8) : 1u;
        unsigned v = addr[i] + add;
        addr[i] = (uint8_t)v;
        if (v < 256)
            break;
    }
    (void)alen;
}

static Bgpbus__V1__NeighborSelector *
selector(const char *addr)
{
    static Bgpbus__V1__NeighborSelector sel = BGPBUS__V1__NEIGHBOR_SELECTOR__INIT;
    static Bgpbus__V1__NeighborMatch m = BGPBUS__V1__NEIGHBOR_MATCH__INIT, *mp = &m;
    static uint8_t bytes[16];
    if (!addr)
        return NULL;
    if (inet_pton(AF_INET, addr, bytes) == 1)
        m.address.len = 4;
    else if (inet_pton(AF_INET6, addr, bytes) == 1)
        m.address.len = 16;
    else
        die("bad neighbor address %s", addr);
    m.has_address = true;
    m.address.data = bytes;
    sel.n_matches = 1;
    sel.matches = &mp;
    return &sel;
}

static int
routes_cmd(bool announce, struct route_opts *o, char **prefixes, int nprefixes)
{
    Bgpbus__V1__Attributes attrs = BGPBUS__V1__ATTRIBUTES__INIT;
    Bgpbus__V1__NextHop nh = BGPBUS__V1__NEXT_HOP__INIT;
    Bgpbus__V1__AsPath path = BGPBUS__V1__AS_PATH__INIT;
    Bgpbus__V1__AsPathSegment seg = BGPBUS__V1__AS_PATH_SEGMENT__INIT, *segp = &seg;
    /* 2048 communities: an UPDATE beyond 4096 octets, to test RFC 8654 extended messages */
    uint32_t asns[64], comms[2048];
    uint8_t nhbytes[16];
    int rc = 0;

    if (o->nh && strcmp(o->nh, "self") == 0) {
        nh.has_use_local_address = true;
        nh.use_local_address = true;
    } else if (o->nh) {
        if (inet_pton(AF_INET, o->nh, nhbytes) == 1)
            nh.address.len = 4;
        else if (inet_pton(AF_INET6, o->nh, nhbytes) == 1)
            nh.address.len = 16;
        else
            die("bad next hop %s", o->nh);
        nh.has_address = true;
        nh.address.data = nhbytes;
    }
    if (o->nh)
        attrs.next_hop = &nh;
    if (o->aspath) {
        char *copy = strdup(o->aspath), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t && seg.n_asns < 64;
             t = strtok_r(NULL, ",", &save))
            asns[seg.n_asns++] = (uint32_t)strtoul(t, NULL, 10);
        free(copy);
        seg.asns = asns;
        seg.has_type = true;
        seg.type = BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE;
        path.n_segments = seg.n_asns ? 1 : 0;
        path.segments = &segp;
        attrs.as_path = &path;
    }
    if (o->origin) {
        attrs.has_origin = true;
        attrs.origin = strcmp(o->origin, "egp") == 0 ? BGPBUS__V1__ORIGIN__ORIGIN_EGP
                       : strcmp(o->origin, "incomplete") == 0
                           ? BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE
                           : BGPBUS__V1__ORIGIN__ORIGIN_IGP;
    }
    if (o->med >= 0) {
        attrs.has_med = true;
        attrs.med = (uint32_t)o->med;
    }
    if (o->lp >= 0) {
        attrs.has_local_pref = true;
        attrs.local_pref = (uint32_t)o->lp;
    }
    if (o->comm) {
        char *copy = strdup(o->comm), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            unsigned a = 0, b = 0;
            if (attrs.n_communities == sizeof(comms) / sizeof(comms[0]))
                die("%s", "too many communities (at most 2048)");
            if (sscanf(t, "%u:%u", &a, &b) != 2)
                die("bad community %s", t);
            comms[attrs.n_communities++] = a << 16 | (b & 0xffff);
        }
        free(copy);
        attrs.communities = comms;
    }

    long batch = o->batch > 0 ? o->batch : 1000;
    Bgpbus__V1__Route *rv = calloc((size_t)batch, sizeof(*rv));
    Bgpbus__V1__Route **rp = calloc((size_t)batch, sizeof(*rp));
    Bgpbus__V1__Nlri *nv = calloc((size_t)batch, sizeof(*nv));
    Bgpbus__V1__Prefix *pv = calloc((size_t)batch, sizeof(*pv));
    uint8_t(*av)[16] = calloc((size_t)batch, 16);
    if (!rv || !rp || !nv || !pv || !av)
        die("%s", "out of memory");

    for (int pi = 0; pi < nprefixes; pi++) {
        uint8_t addr[16] = { 0 };
        size_t alen;
        unsigned plen;
        if (!parse_prefix(prefixes[pi], addr, &alen, &plen))
            die("bad prefix %s", prefixes[pi]);
        long total = o->count > 0 ? o->count : 1;
        for (long done = 0; done < total;) {
            long n = total - done < batch ? total - done : batch;
            for (long i = 0; i < n; i++) {
                bgpbus__v1__route__init(&rv[i]);
                bgpbus__v1__nlri__init(&nv[i]);
                bgpbus__v1__prefix__init(&pv[i]);
                memcpy(av[i], addr, alen);
                pv[i].has_address = true;
                pv[i].address.data = av[i];
                pv[i].address.len = alen;
                pv[i].has_length = true;
                pv[i].length = plen;
                if (o->multicast) {
                    nv[i].nlri_case = BGPBUS__V1__NLRI__NLRI_MULTICAST;
                    nv[i].multicast = &pv[i];
                } else {
                    nv[i].nlri_case = BGPBUS__V1__NLRI__NLRI_UNICAST;
                    nv[i].unicast = &pv[i];
                }
                if (o->path_id >= 0) {
                    nv[i].has_path_id = true;
                    nv[i].path_id = (uint32_t)o->path_id;
                }
                rv[i].nlri = &nv[i];
                rp[i] = &rv[i];
                prefix_next(addr, alen, plen);
            }
            Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
            Bgpbus__V1__Announce ann = BGPBUS__V1__ANNOUNCE__INIT;
            Bgpbus__V1__Withdraw wd = BGPBUS__V1__WITHDRAW__INIT;
            req.owner = (char *)o->owner;
            req.neighbors = selector(o->neighbor);
            if (announce) {
                ann.routes = rp;
                ann.n_routes = (size_t)n;
                ann.attributes = &attrs;
                req.command_case = BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE;
                req.announce = &ann;
            } else {
                wd.routes = rp;
                wd.n_routes = (size_t)n;
                req.command_case = BGPBUS__V1__REQUEST__COMMAND_WITHDRAW;
                req.withdraw = &wd;
            }
            if (simple(&req))
                rc = 1;
            done += n;
        }
    }
    free(rv);
    free(rp);
    free(nv);
    free(pv);
    free(av);
    return rc;
}

static int
rib_show(bool in, const char *neighbor, const char *owner)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ShowAdjRib show = BGPBUS__V1__SHOW_ADJ_RIB__INIT;
    Bgpbus__V1__ListRoutes list = BGPBUS__V1__LIST_ROUTES__INIT;

    req.neighbors = selector(neighbor);
    if (owner) {
        list.owner = (char *)owner;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_LIST_ROUTES;
        req.list_routes = &list;
    } else {
        show.has_direction = true;
        show.direction = in ? BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN
                            : BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_OUT;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_SHOW_ADJ_RIB;
        req.show_adj_rib = &show;
    }
    Bgpbus__V1__Reply *rep = call(&req);
    int rc = check(rep);
    if (rep->result_case == BGPBUS__V1__REPLY__RESULT_ROUTES)
        for (size_t p = 0; p < rep->routes->n_peers; p++) {
            const Bgpbus__V1__PeerRoutes *pr = rep->routes->peers[p];
            for (size_t i = 0; i < pr->n_routes; i++) {
                const Bgpbus__V1__Route *r = pr->routes[i];
                const Bgpbus__V1__Nlri *n = r->nlri;
                bool mc = n->nlri_case == BGPBUS__V1__NLRI__NLRI_MULTICAST;
                /* unicast and multicast are members of one union: read the one that is set */
                const Bgpbus__V1__Prefix *pfx = n->nlri_case == BGPBUS__V1__NLRI__NLRI_UNICAST
                                                    ? n->unicast
                                                : mc ? n->multicast
                                                     : NULL;
                bool v6 = pfx && pfx->address.len == 16;
                const char *fam = bb_fmt_family(n);
                printf("%s ", fam ? fam : mc ? (v6 ? "mcast6" : "mcast4") : (v6 ? "ipv6" : "ipv4"));
                print_nlri(stdout, n);
                print_attrs(stdout, r->attributes ? r->attributes->next_hop : NULL, r->attributes);
                bb_fmt_ext(stdout, r->attributes);
                if (r->owner && *r->owner)
                    printf(" owner=%s", r->owner);
                putchar('\n');
            }
        }
    bgpbus__v1__reply__free_unpacked(rep, NULL);
    return rc;
}

static int
send_line(const char *line)
{
    struct arena arena;
    Bgpbus__V1__Request *req = NULL;
    struct grammar_words words;
    struct grammar_error err;
    int rc;

    arena_init(&arena, 4096);
    memset(&err, 0, sizeof(err));
    rc = grammar_command_parse(line, strlen(line), &arena, &req, &words, &err);
    if (rc < 0) {
        printf("error: word %d: %s\n", err.word + 1, err.msg);
        rc = 1;
    } else if (rc == GRAMMAR_COMMAND_IGNORED) {
        printf("done\n");
        rc = 0;
    } else {
        Bgpbus__V1__Reply *rep = call(req);
        rc = rep->status == BGPBUS__V1__STATUS__STATUS_OK ? 0 : 1;
        if (rc == 0)
            printf("done\n");
        else
            printf("error: %s\n", rep->error ? rep->error : "failed");
        for (size_t i = 0; i < rep->n_items; i++)
            if (rep->items[i]->status != BGPBUS__V1__STATUS__STATUS_OK)
                printf("error: item %zu: %s\n", i,
                       rep->items[i]->error ? rep->items[i]->error : "?");
        bgpbus__v1__reply__free_unpacked(rep, NULL);
    }
    fflush(stdout);
    arena_free(&arena);
    return rc;
}

static int
send_lines(char **lines, int n)
{
    int rc = 0;
    if (n == 1 && strcmp(lines[0], "-") == 0) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, stdin)) > 0) {
            if (line[len - 1] == '\n')
                line[len - 1] = 0;
            rc |= send_line(line);
        }
        free(line);
        return rc;
    }
    for (int i = 0; i < n; i++)
        rc |= send_line(lines[i]);
    return rc;
}

/* ---- watch -------------------------------------------------------------------------------- */

struct watch {
    struct event_base *base;
    struct bus_seq seq;
    const char *topic;
    int depth; /* 0: seq, 1: type_seq, 2: peer_seq */
    long updates_left, events_left;
    bool keepalives;
};

static uint64_t
tracked(const struct watch *w, const Bgpbus__V1__Event *ev)
{
    return w->depth == 0 ? ev->seq : w->depth == 1 ? ev->type_seq : ev->peer_seq;
}

static void
count_event(struct watch *w, const Bgpbus__V1__Event *ev)
{
    if (ev->body_case == BGPBUS__V1__EVENT__BODY_UPDATE && w->updates_left > 0) {
        for (size_t g = 0; g < ev->update->n_announced; g++)
            w->updates_left -= (long)ev->update->announced[g]->n_nlri;
        for (size_t g = 0; g < ev->update->n_withdrawn; g++)
            w->updates_left -= (long)ev->update->withdrawn[g]->n_nlri;
        if (w->updates_left <= 0)
            event_base_loopbreak(w->base);
    }
    if (w->events_left > 0 && --w->events_left == 0)
        event_base_loopbreak(w->base);
}

/* Reads the events we missed (global seqs from..to) from the speaker's replay ring. */
static void
repair(struct watch *w, uint64_t last_global, uint64_t upto_global)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ReadEvents re = BGPBUS__V1__READ_EVENTS__INIT;
    uint64_t from = last_global + 1;

    while (from < upto_global) {
        re.has_from_seq = true;
        re.from_seq = from;
        re.topic_prefix = (char *)w->topic;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_READ_EVENTS;
        req.read_events = &re;
        Bgpbus__V1__Reply *rep = call(&req);
        if (rep->result_case != BGPBUS__V1__REPLY__RESULT_EVENTS || !rep->events) {
            bgpbus__v1__reply__free_unpacked(rep, NULL);
            return;
        }
        if (rep->events->oldest_seq > from)
            fprintf(stderr, "bbclient: events %" PRIu64 "..%" PRIu64 " are gone from the ring\n",
                    from, rep->events->oldest_seq - 1);
        size_t used = 0;
        for (size_t i = 0; i < rep->events->n_events; i++) {
            const Bgpbus__V1__Event *ev = rep->events->events[i];
            if (ev->seq >= upto_global)
                break;
            print_event(ev, w->keepalives);
            count_event(w, ev);
            from = ev->seq + 1;
            used++;
        }
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        if (used == 0)
            return;
    }
}

static void
watch_cb(struct bus_sub *sub, void *arg, const char *topic, const uint8_t *payload, size_t len)
{
    struct watch *w = arg;
    static uint64_t last_global;
    (void)sub;
    (void)topic;
    Bgpbus__V1__Event *ev = bgpbus__v1__event__unpack(NULL, len, payload);
    if (!ev) {
        fprintf(stderr, "bbclient: an event does not decode\n");
        return;
    }
    switch (bus_seq_feed(&w->seq, ev->epoch, tracked(w, ev))) {
    case BUS_SEQ_GAP:
        fprintf(stderr, "bbclient: gap of %" PRIu64 " event(s), repairing\n",
                w->seq.gap_last - w->seq.gap_first + 1);
        repair(w, last_global, ev->seq);
        break;
    case BUS_SEQ_DUPLICATE: bgpbus__v1__event__free_unpacked(ev, NULL); return;
    default: break;
    }
    last_global = ev->seq;
    print_event(ev, w->keepalives);
    fflush(stdout);
    count_event(w, ev);
    bgpbus__v1__event__free_unpacked(ev, NULL);
}

static void
watch_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct watch *w = arg;
    (void)fd;
    (void)what;
    fprintf(stderr, "bbclient: watch timed out\n");
    w->updates_left = -1000000;
    event_base_loopbreak(w->base);
}

static int
watch(const char *topic, long updates, long events, int secs, bool keepalives)
{
    struct watch w = { .topic = topic ? topic : "ev/",
                       .updates_left = updates,
                       .events_left = events,
                       .keepalives = keepalives };
    struct bus_sub *sub;
    struct bus_opts o = { .url = events_url };

    for (const char *p = w.topic; *p; p++)
        if (*p == '/')
            w.depth++;
    w.depth = w.depth <= 1 ? 0 : w.depth == 2 ? 1 : 2;
    bus_seq_init(&w.seq);
    w.base = event_base_new();
    if (!w.base || bus_sub_open(&sub, w.base, &o, watch_cb, &w) < 0 ||
        bus_subscribe(sub, w.topic) < 0)
        die("%s", "cannot subscribe");
    printf("ready\n");
    fflush(stdout);
    /* Line by line, so a test can follow the events while the watch runs into a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct event *t = evtimer_new(w.base, watch_timeout, &w);
    struct timeval tv = { .tv_sec = secs, .tv_usec = 0 };
    if (secs > 0)
        evtimer_add(t, &tv);
    event_base_dispatch(w.base);
    event_free(t);
    bus_sub_free(sub);
    event_base_free(w.base);
    return w.updates_left < -999999 ? 1 : 0;
}

/* ---- main --------------------------------------------------------------------------------- */

static Bgpbus__V1__Family *
family_arg(const char *afi, const char *safi)
{
    static Bgpbus__V1__Family f = BGPBUS__V1__FAMILY__INIT;
    f.has_afi = f.has_safi = true;
    f.afi = strcmp(afi, "ipv6") == 0 ? 2 : 1;
    f.safi = strcmp(safi, "multicast") == 0 ? 2 : 1;
    return &f;
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "command", required_argument, NULL, 'C' },
        { "events", required_argument, NULL, 'E' },
        { "timeout", required_argument, NULL, 't' },
        { "nh", required_argument, NULL, 'n' },
        { "aspath", required_argument, NULL, 'a' },
        { "origin", required_argument, NULL, 'o' },
        { "med", required_argument, NULL, 'm' },
        { "lp", required_argument, NULL, 'l' },
        { "comm", required_argument, NULL, 'c' },
        { "owner", required_argument, NULL, 'O' },
        { "neighbor", required_argument, NULL, 'N' },
        { "count", required_argument, NULL, 'k' },
        { "batch", required_argument, NULL, 'b' },
        { "path-id", required_argument, NULL, 'p' },
        { "multicast", no_argument, NULL, 'M' },
        { "topic", required_argument, NULL, 'T' },
        { "updates", required_argument, NULL, 'u' },
        { "events-count", required_argument, NULL, 'e' },
        { "seconds", required_argument, NULL, 's' },
        { "keepalives", no_argument, NULL, 'K' },
        { "local", required_argument, NULL, 'L' },
        { "router-id", required_argument, NULL, 'R' },
        { "connect-port", required_argument, NULL, 'P' },
        { "listen-port", required_argument, NULL, 'Q' },
        { "passive", no_argument, NULL, 'S' },
        { "hold", required_argument, NULL, 'H' },
        { "withdraw", no_argument, NULL, 'W' },
        { NULL, 0, NULL, 0 },
    };
    struct route_opts ro = { .med = -1, .lp = -1, .path_id = -1 };
    const char *topic = NULL;
    long updates = 0, events = 0;
    int secs = 0, c;
    bool keepalives = false, passive = false, withdraw_on_end = false;
    const char *local = NULL, *router_id = NULL;
    long connect_port = 0, listen_port = 0, hold = -1;

    /* Options may come before or after the command word. */
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'C': command_url = optarg; break;
        case 'E': events_url = optarg; break;
        case 't': timeout_ms = atoi(optarg); break;
        default: die("%s", "usage: bbclient [--command URL] [--events URL] COMMAND ...");
        }
    }
    if (optind >= argc)
        die("%s", "usage: bbclient [--command URL] [--events URL] COMMAND ...");
    const char *cmd = argv[optind];
    argc -= optind;
    argv += optind;
    optind = 0; /* glibc: 0 re-initialises getopt, so options may follow the operands */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': ro.nh = optarg; break;
        case 'a': ro.aspath = optarg; break;
        case 'o': ro.origin = optarg; break;
        case 'm': ro.med = atol(optarg); break;
        case 'l': ro.lp = atol(optarg); break;
        case 'c': ro.comm = optarg; break;
        case 'O': ro.owner = optarg; break;
        case 'N': ro.neighbor = optarg; break;
        case 'k': ro.count = atol(optarg); break;
        case 'b': ro.batch = atol(optarg); break;
        case 'p': ro.path_id = atol(optarg); break;
        case 'M': ro.multicast = true; break;
        case 'T': topic = optarg; break;
        case 'u': updates = atol(optarg); break;
        case 'e': events = atol(optarg); break;
        case 's': secs = atoi(optarg); break;
        case 'K': keepalives = true; break;
        case 'L': local = optarg; break;
        case 'R': router_id = optarg; break;
        case 'P': connect_port = atol(optarg); break;
        case 'Q': listen_port = atol(optarg); break;
        case 'S': passive = true; break;
        case 'H': hold = atol(optarg); break;
        case 'W': withdraw_on_end = true; break;
        default: die("bad option for %s", cmd);
        }
    }
    char **rest = argv + optind;
    int nrest = argc - optind;

    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    if ((strcmp(cmd, "owner-session") == 0 && nrest == 2) ||
        (strcmp(cmd, "owner-end") == 0 && nrest == 1)) {
        Bgpbus__V1__OwnerSession os = BGPBUS__V1__OWNER_SESSION__INIT;
        os.owner = rest[0];
        if (nrest == 2) {
            os.has_heartbeat = true;
            os.heartbeat = (uint32_t)atoi(rest[1]);
            os.has_withdraw_on_disconnect = true;
            os.withdraw_on_disconnect = withdraw_on_end;
        } else {
            os.has_end = true;
            os.end = true;
        }
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_OWNER_SESSION;
        req.owner_session = &os;
        return simple(&req);
    }
    if (strcmp(cmd, "ping") == 0) {
        Bgpbus__V1__Ping ping = BGPBUS__V1__PING__INIT;
        req.owner = (char *)ro.owner;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_PING;
        req.ping = &ping;
        Bgpbus__V1__Reply *rep = call(&req);
        int rc = check(rep);
        if (rep->pong)
            printf("pong epoch=%" PRIu64 " newest_seq=%" PRIu64 "\n", rep->pong->epoch,
                   rep->pong->newest_seq);
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        return rc;
    }
    if (strcmp(cmd, "version") == 0) {
        Bgpbus__V1__Version v = BGPBUS__V1__VERSION__INIT;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_VERSION;
        req.version = &v;
        Bgpbus__V1__Reply *rep = call(&req);
        int rc = check(rep);
        if (rep->version)
            printf("%s %s\n", rep->version->application, rep->version->version);
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        return rc;
    }
    if (strcmp(cmd, "neighbors") == 0) {
        Bgpbus__V1__ListNeighbors ln = BGPBUS__V1__LIST_NEIGHBORS__INIT;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_LIST_NEIGHBORS;
        req.list_neighbors = &ln;
        Bgpbus__V1__Reply *rep = call(&req);
        int rc = check(rep);
        static const char *st[] = { "?",        "idle",        "connect",    "active",
                                    "opensent", "openconfirm", "established" };
        if (rep->neighbors)
            for (size_t i = 0; i < rep->neighbors->n_neighbors; i++) {
                const Bgpbus__V1__Neighbor *n = rep->neighbors->neighbors[i];
                char a[INET6_ADDRSTRLEN];
                addr_text(&n->config->address, a, sizeof(a));
                printf("%s %s out=%" PRIu64 " updates_in=%" PRIu64 " updates_out=%" PRIu64 "\n", a,
                       st[n->state->fsm_state <= 6 ? n->state->fsm_state : 0],
                       n->state->routes_advertised,
                       n->state->received ? n->state->received->updates : 0,
                       n->state->sent ? n->state->sent->updates : 0);
            }
        bgpbus__v1__reply__free_unpacked(rep, NULL);
        return rc;
    }
    if (strcmp(cmd, "flush") == 0) {
        Bgpbus__V1__Flush f = BGPBUS__V1__FLUSH__INIT;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_FLUSH;
        req.flush = &f;
        return simple(&req);
    }
    if (strcmp(cmd, "shutdown") == 0) {
        Bgpbus__V1__Shutdown s = BGPBUS__V1__SHUTDOWN__INIT;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_SHUTDOWN;
        req.shutdown = &s;
        return simple(&req);
    }
    if (strcmp(cmd, "announce") == 0 || strcmp(cmd, "withdraw") == 0) {
        if (nrest == 0)
            die("%s needs prefixes", cmd);
        return routes_cmd(cmd[0] == 'a', &ro, rest, nrest);
    }
    if (strcmp(cmd, "withdraw-owner") == 0 && nrest == 1) {
        Bgpbus__V1__WithdrawOwner wo = BGPBUS__V1__WITHDRAW_OWNER__INIT;
        wo.owner = rest[0];
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_WITHDRAW_OWNER;
        req.withdraw_owner = &wo;
        return simple(&req);
    }
    if (strcmp(cmd, "rib-out") == 0 || strcmp(cmd, "rib-in") == 0)
        return rib_show(strcmp(cmd, "rib-in") == 0, ro.neighbor, ro.owner);
    if (strcmp(cmd, "eor") == 0 && nrest == 2) {
        Bgpbus__V1__EndOfRib e = BGPBUS__V1__END_OF_RIB__INIT;
        e.family = family_arg(rest[0], rest[1]);
        req.neighbors = selector(ro.neighbor);
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_END_OF_RIB;
        req.end_of_rib = &e;
        return simple(&req);
    }
    if (strcmp(cmd, "refresh") == 0 && nrest == 2) {
        Bgpbus__V1__RouteRefresh r = BGPBUS__V1__ROUTE_REFRESH__INIT;
        r.family = family_arg(rest[0], rest[1]);
        req.neighbors = selector(ro.neighbor);
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_ROUTE_REFRESH;
        req.route_refresh = &r;
        return simple(&req);
    }
    if (strcmp(cmd, "teardown") == 0 && nrest >= 1) {
        Bgpbus__V1__Teardown t = BGPBUS__V1__TEARDOWN__INIT;
        t.has_subcode = true;
        t.subcode = (uint32_t)atoi(rest[0]);
        t.message = nrest > 1 ? rest[1] : NULL;
        req.neighbors = selector(ro.neighbor);
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_TEARDOWN;
        req.teardown = &t;
        return simple(&req);
    }
    if (strcmp(cmd, "neighbor-add") == 0 && nrest == 3) {
        Bgpbus__V1__AddNeighbor an = BGPBUS__V1__ADD_NEIGHBOR__INIT;
        Bgpbus__V1__NeighborConfig nc = BGPBUS__V1__NEIGHBOR_CONFIG__INIT;
        uint8_t a[16], l[16], rid[4];
        nc.has_address = true;
        nc.address.data = a;
        nc.address.len = inet_pton(AF_INET, rest[0], a) == 1 ? 4 : 16;
        if (nc.address.len == 16 && inet_pton(AF_INET6, rest[0], a) != 1)
            die("bad address %s", rest[0]);
        nc.has_local_as = nc.has_peer_as = true;
        nc.local_as = (uint32_t)strtoul(rest[1], NULL, 10);
        nc.peer_as = (uint32_t)strtoul(rest[2], NULL, 10);
        if (local) {
            nc.has_local_address = true;
            nc.local_address.data = l;
            nc.local_address.len = inet_pton(AF_INET, local, l) == 1 ? 4 : 16;
            if (nc.local_address.len == 16 && inet_pton(AF_INET6, local, l) != 1)
                die("bad local address %s", local);
        }
        if (router_id) {
            if (inet_pton(AF_INET, router_id, rid) != 1)
                die("bad router id %s", router_id);
            nc.has_router_id = true;
            nc.router_id.data = rid;
            nc.router_id.len = 4;
        }
        nc.has_peer_port = connect_port > 0;
        nc.peer_port = (uint32_t)connect_port;
        nc.has_listen_port = listen_port > 0;
        nc.listen_port = (uint32_t)listen_port;
        nc.has_passive = passive;
        nc.passive = passive;
        nc.has_hold_time = hold >= 0;
        nc.hold_time = (uint32_t)(hold >= 0 ? hold : 0);
        an.config = &nc;
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_ADD_NEIGHBOR;
        req.add_neighbor = &an;
        return simple(&req);
    }
    if (strcmp(cmd, "neighbor-remove") == 0 && nrest == 1) {
        Bgpbus__V1__RemoveNeighbor rn = BGPBUS__V1__REMOVE_NEIGHBOR__INIT;
        req.neighbors = selector(rest[0]);
        req.command_case = BGPBUS__V1__REQUEST__COMMAND_REMOVE_NEIGHBOR;
        req.remove_neighbor = &rn;
        return simple(&req);
    }
    if (strcmp(cmd, "send") == 0 && nrest >= 1)
        return send_lines(rest, nrest);
    if (strcmp(cmd, "watch") == 0)
        return watch(topic, updates, events, secs, keepalives);
    die("unknown command %s", cmd);
    return 2;
}
