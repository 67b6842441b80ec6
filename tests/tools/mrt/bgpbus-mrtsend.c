/*
 * bgpbus-mrtsend: a minimal BGP speaker that replays an MRT file into another speaker.
 *
 * It opens one session (OPEN with 4-octet AS, MP IPv4/IPv6 unicast, optionally extended
 * messages), then sends either
 *   - a TABLE_DUMP_V2 RIB: the entries of one peer of the dump (default: the peer with the most
 *     entries), decoded with the speaker's codec (the abbreviated MP_REACH_NLRI of RFC 6396
 *     4.3.4 included), grouped by identical attributes and packed into as few UPDATEs as fit;
 *   - or a BGP4MP update stream: the UPDATEs one peer sent, as recorded when the session can
 *     carry them byte for byte, re-encoded otherwise (2-octet AS paths, ADD-PATH, --next-hop);
 * then End-of-RIB for every family it sent, and stays up (answering KEEPALIVEs) until SIGTERM,
 * or exits at once with --exit-after-eor. Counts go to stdout, problems to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cap.h"
#include "mrt.h"
#include "update.h"

struct send_opts {
    const char *file;
    const char *connect_to; /* ADDR[:PORT] or [V6]:PORT */
    const char *listen_on;
    const char *local_addr;
    uint32_t local_as; /* 0: the dump peer's AS */
    uint32_t peer_as;  /* 0: any */
    uint32_t router_id;
    uint16_t hold;
    bool ext_message;
    bool exit_after_eor;
    bool list_peers;
    int peer_index; /* -1: the peer with the most entries */
    const char *peer_ip;
    bool has_nh4, has_nh6;
    uint8_t nh4[4], nh6[16];
};

static volatile sig_atomic_t mrtsend_stop;

static void
mrtsend_on_signal(int sig)
{
    (void)sig;
    mrtsend_stop = 1;
}

static double
mrtsend_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the session ---------------------------------------------------------------------- */

struct mrtsend_session {
    int fd;
    struct bgp_session_codec ctx;
    struct bgp_negotiated neg;
    bgp_famset sent_families;
    uint8_t in[BGP_MSG_EXT_MAX * 2];
    size_t in_len;
    double last_sent;
    unsigned long updates;
    unsigned long long bytes;
    unsigned long prefixes;
    unsigned long skipped; /* prefixes of families the session did not negotiate */
};

static int
mrtsend_write(struct mrtsend_session *s, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(s->fd, buf, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "mrtsend: write: %s\n", strerror(errno));
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    s->last_sent = mrtsend_now();
    return 0;
}

static int
mrtsend_send_keepalive(struct mrtsend_session *s)
{
    uint8_t buf[BGP_HEADER_LEN];
    struct wire_wr w;

    wire_wr_init_fixed(&w, buf, sizeof(buf));
    bgp_keepalive_encode(&w);
    return mrtsend_write(s, w.buf, w.len);
}

/*
 * Reads whatever the peer sent, without blocking when timeout_ms is 0. Returns 1 per whole
 * message left in type, msg (one at a time), 0 when nothing complete arrived, -1 when the
 * session is gone (closed, header error).
 */
static int
mrtsend_recv(struct mrtsend_session *s, int timeout_ms, uint8_t *type, const uint8_t **msg,
             size_t *len)
{
    static size_t consumed;
    struct bgp_header h;
    struct bgp_error err;
    int n;

    if (consumed > 0) {
        memmove(s->in, s->in + consumed, s->in_len - consumed);
        s->in_len -= consumed;
        consumed = 0;
    }
    n = bgp_header_parse(s->in, s->in_len, BGP_MSG_EXT_MAX, &h, &err);
    if (n == 0) {
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        ssize_t r;

        if (poll(&p, 1, timeout_ms) <= 0)
            return 0;
        r = read(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len);
        if (r < 0 && errno == EINTR)
            return 0;
        if (r <= 0) {
            fprintf(stderr, "mrtsend: connection closed by the peer\n");
            return -1;
        }
        s->in_len += (size_t)r;
        n = bgp_header_parse(s->in, s->in_len, BGP_MSG_EXT_MAX, &h, &err);
    }
    if (n < 0) {
        fprintf(stderr, "mrtsend: bad message header from the peer: %s\n", err.reason);
        return -1;
    }
    if (n == 0)
        return 0;
    *type = h.type;
    *msg = s->in;
    *len = (size_t)n;
    consumed = (size_t)n;
    return 1;
}

/* Handles what the peer sends during the session: -1 on NOTIFICATION or loss. */
static int
mrtsend_service(struct mrtsend_session *s, int timeout_ms)
{
    const uint8_t *msg;
    size_t len;
    uint8_t type;
    int rc;

    while ((rc = mrtsend_recv(s, timeout_ms, &type, &msg, &len)) == 1) {
        if (type == BGP_MSG_NOTIFICATION) {
            struct bgp_notification nt;

            if (bgp_notification_decode(msg + BGP_HEADER_LEN, len - BGP_HEADER_LEN, &nt) == 0)
                fprintf(stderr, "mrtsend: NOTIFICATION received %u/%u (%s)\n", nt.code, nt.subcode,
                        bgp_error_name(nt.code, nt.subcode));
            else
                fprintf(stderr, "mrtsend: short NOTIFICATION received\n");
            return -1;
        }
        timeout_ms = 0; /* KEEPALIVE, UPDATE, ROUTE-REFRESH: nothing to do */
    }
    if (rc < 0)
        return -1;
    if (s->neg.hold_time > 0 && mrtsend_now() - s->last_sent >= s->neg.hold_time / 3.0)
        return mrtsend_send_keepalive(s);
    return 0;
}

static int
mrtsend_parse_addr(const char *text, const char *default_port, struct sockaddr_storage *ss,
                   socklen_t *sl)
{
    char host[256], port[16];
    const char *colon;
    struct addrinfo hints, *ai;
    int rc;

    snprintf(port, sizeof(port), "%s", default_port);
    if (text[0] == '[') {
        const char *end = strchr(text, ']');

        if (end == NULL || (size_t)(end - text - 1) >= sizeof(host))
            return -1;
        memcpy(host, text + 1, (size_t)(end - text - 1));
        host[end - text - 1] = '\0';
        if (end[1] == ':')
            snprintf(port, sizeof(port), "%s", end + 2);
    } else if ((colon = strchr(text, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
        if ((size_t)(colon - text) >= sizeof(host))
            return -1;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        snprintf(port, sizeof(port), "%s", colon + 1);
    } else {
        snprintf(host, sizeof(host), "%s", text);
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
        fprintf(stderr, "mrtsend: %s: %s\n", text, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sl = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

static int
mrtsend_socket(const struct send_opts *o)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1;

    if (o->listen_on != NULL) {
        int lfd;

        if (mrtsend_parse_addr(o->listen_on, "179", &ss, &sl) < 0)
            return -1;
        lfd = socket(ss.ss_family, SOCK_STREAM, 0);
        if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(lfd, (struct sockaddr *)&ss, sl) < 0 || listen(lfd, 1) < 0) {
            fprintf(stderr, "mrtsend: listen %s: %s\n", o->listen_on, strerror(errno));
            if (lfd >= 0)
                close(lfd);
            return -1;
        }
        do {
            fd = accept(lfd, NULL, NULL);
        } while (fd < 0 && errno == EINTR && !mrtsend_stop);
        if (fd < 0)
            fprintf(stderr, "mrtsend: accept: %s\n", strerror(errno));
        close(lfd);
    } else {
        if (mrtsend_parse_addr(o->connect_to, "179", &ss, &sl) < 0)
            return -1;
        fd = socket(ss.ss_family, SOCK_STREAM, 0);
        if (fd < 0) {
            fprintf(stderr, "mrtsend: socket: %s\n", strerror(errno));
            return -1;
        }
        if (o->local_addr != NULL) {
            struct sockaddr_storage ls;
            socklen_t ll;

            if (mrtsend_parse_addr(o->local_addr, "0", &ls, &ll) < 0 ||
                bind(fd, (struct sockaddr *)&ls, ll) < 0) {
                fprintf(stderr, "mrtsend: bind %s: %s\n", o->local_addr, strerror(errno));
                close(fd);
                return -1;
            }
        }
        if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
            fprintf(stderr, "mrtsend: connect %s: %s\n", o->connect_to, strerror(errno));
            close(fd);
            return -1;
        }
    }
    if (fd >= 0)
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* RFC 4271 8.2.2: OpenSent -> OpenConfirm -> Established, as the simplest correct peer. */
static int
mrtsend_establish(struct mrtsend_session *s, const struct send_opts *o, uint32_t local_as)
{
    struct bgp_open ours, theirs;
    struct bgp_open_policy pol;
    struct bgp_error err;
    struct wire_wr w;
    uint8_t buf[BGP_MSG_MAX], type;
    const uint8_t *msg;
    size_t len;
    bool got_open = false;
    double deadline = mrtsend_now() + 30;
    int rc;

    memset(&ours, 0, sizeof(ours));
    ours.version = BGP_VERSION;
    ours.hold_time = o->hold;
    ours.bgp_id = o->router_id;
    ours.caps.has_mp = true;
    ours.caps.mp = BGP_FAMSET(BGP_FAM_IPV4_UNICAST) | BGP_FAMSET(BGP_FAM_IPV6_UNICAST);
    ours.caps.has_asn4 = true;
    ours.caps.asn4 = local_as;
    ours.caps.route_refresh = true;
    ours.caps.ext_message = o->ext_message;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    if (!bgp_open_encode(&w, &ours) || mrtsend_write(s, w.buf, w.len) < 0)
        return -1;

    memset(&pol, 0, sizeof(pol));
    pol.peer_as = o->peer_as;
    pol.local_as = local_as;
    pol.local_id = o->router_id;
    while (!mrtsend_stop && mrtsend_now() < deadline) {
        rc = mrtsend_recv(s, 500, &type, &msg, &len);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        if (type == BGP_MSG_NOTIFICATION) {
            struct bgp_notification nt;

            if (bgp_notification_decode(msg + BGP_HEADER_LEN, len - BGP_HEADER_LEN, &nt) == 0)
                fprintf(stderr, "mrtsend: NOTIFICATION received %u/%u (%s)\n", nt.code, nt.subcode,
                        bgp_error_name(nt.code, nt.subcode));
            return -1;
        }
        if (!got_open) {
            if (type != BGP_MSG_OPEN) {
                fprintf(stderr, "mrtsend: expected OPEN, got message type %u\n", type);
                return -1;
            }
            if (bgp_open_decode(msg, len, &theirs, &err) < 0 ||
                bgp_open_validate(&theirs, &pol, &err) < 0) {
                wire_wr_init_fixed(&w, buf, sizeof(buf));
                bgp_notification_encode_error(&w, &err);
                (void)mrtsend_write(s, w.buf, w.len);
                fprintf(stderr, "mrtsend: peer OPEN refused: %s\n", err.reason);
                return -1;
            }
            bgp_caps_negotiate(&ours, &theirs, &s->neg);
            bgp_session_codec_from(&s->ctx, &s->neg, local_as, false);
            got_open = true;
            if (mrtsend_send_keepalive(s) < 0)
                return -1;
            continue;
        }
        if (type == BGP_MSG_KEEPALIVE)
            return 0;
        fprintf(stderr, "mrtsend: expected KEEPALIVE, got message type %u\n", type);
        return -1;
    }
    fprintf(stderr, "mrtsend: session not established\n");
    return -1;
}

static int
mrtsend_emit(void *arg, const uint8_t *msg, size_t len)
{
    struct mrtsend_session *s = arg;

    s->updates++;
    s->bytes += len;
    if (mrtsend_write(s, msg, len) < 0)
        return -1;
    /* The peer's NOTIFICATION ends the replay as soon as it arrives. */
    if ((s->updates & 63) == 0 && mrtsend_service(s, 0) < 0)
        return -1;
    return 0;
}

/* Sends count NLRI of one family (attrs NULL: withdrawn) through the speaker's builder. */
static int
mrtsend_build(struct mrtsend_session *s, enum bgp_family fam, const Bgpbus__V1__Attributes *attrs,
              const struct nlri *nlri, size_t count)
{
    const char *why = NULL;
    int rc;

    if (count == 0)
        return 0;
    if (!bgp_famset_has(s->neg.families, fam)) {
        s->skipped += count;
        return 0;
    }
    rc = update_build(fam, attrs, nlri, count, &s->ctx, NULL, mrtsend_emit, s, NULL, &why);
    if (rc != 0) {
        if (rc < 0 && why != NULL)
            fprintf(stderr, "mrtsend: cannot build an UPDATE for %s: %s\n", bgp_family_name(fam),
                    why);
        return -1;
    }
    s->prefixes += count;
    s->sent_families |= BGP_FAMSET(fam);
    return 0;
}

/* ---- next hops ---------------------------------------------------------------------- */

/* The next hop a route of fam goes out with: --next-hop when given, else what was recorded. */
static Bgpbus__V1__NextHop *
mrtsend_nexthop(const struct send_opts *o, enum bgp_family fam, Bgpbus__V1__NextHop *recorded,
                Bgpbus__V1__NextHop *mp, Bgpbus__V1__NextHop *storage)
{
    bool v6 = bgp_family_afi(fam) == BGP_AFI_IPV6;

    if ((v6 && o->has_nh6) || (!v6 && o->has_nh4)) {
        bgpbus__v1__next_hop__init(storage);
        storage->has_address = true;
        storage->address.data = (uint8_t *)(v6 ? o->nh6 : o->nh4);
        storage->address.len = v6 ? 16 : 4;
        return storage;
    }
    if (v6 || recorded == NULL)
        return mp != NULL ? mp : recorded;
    return recorded;
}

/* ---- TABLE_DUMP_V2 ------------------------------------------------------------------- */

/* Prefixes sharing one attribute set (the packed protobuf is the identity). */
struct rib_group {
    uint32_t hash;
    int8_t fam;
    uint8_t *key;
    size_t key_len;
    struct nlri *nlri;
    size_t count, cap;
};

struct rib_table {
    struct rib_group *groups;
    size_t count, cap;
    size_t *slots; /* open addressing: index + 1, 0 empty */
    size_t nslots;
    unsigned long entries, decoded_withdraw, discarded, resets;
};

static uint32_t
rib_hash(const uint8_t *p, size_t n, int fam)
{
    uint32_t h = 2166136261u ^ (uint32_t)(fam + 1);

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static int
rib_grow(struct rib_table *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 4096;
    size_t *slots = calloc(n, sizeof(*slots));

    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < t->count; i++) {
        size_t j = t->groups[i].hash & (n - 1);

        while (slots[j] != 0)
            j = (j + 1) & (n - 1);
        slots[j] = i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

static struct rib_group *
rib_group_get(struct rib_table *t, int fam, const uint8_t *key, size_t len)
{
    uint32_t h = rib_hash(key, len, fam);
    struct rib_group *g;
    size_t j;

    if ((t->count + 1) * 2 > t->nslots && rib_grow(t) < 0)
        return NULL;
    for (j = h & (t->nslots - 1); t->slots[j] != 0; j = (j + 1) & (t->nslots - 1)) {
        g = &t->groups[t->slots[j] - 1];
        if (g->hash == h && g->fam == fam && g->key_len == len && memcmp(g->key, key, len) == 0)
            return g;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct rib_group *ng = realloc(t->groups, cap * sizeof(*ng));

        if (ng == NULL)
            return NULL;
        t->groups = ng;
        t->cap = cap;
    }
    g = &t->groups[t->count];
    memset(g, 0, sizeof(*g));
    g->hash = h;
    g->fam = (int8_t)fam;
    g->key_len = len;
    g->key = malloc(len ? len : 1);
    if (g->key == NULL)
        return NULL;
    memcpy(g->key, key, len);
    t->slots[j] = ++t->count;
    return g;
}

static int
rib_group_add(struct rib_group *g, const struct nlri *n)
{
    if (g->count == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        struct nlri *nn = realloc(g->nlri, cap * sizeof(*nn));

        if (nn == NULL)
            return -1;
        g->nlri = nn;
        g->cap = cap;
    }
    g->nlri[g->count] = *n;
    g->nlri[g->count].has_path_id = false;
    g->nlri[g->count].raw = NULL;
    g->count++;
    return 0;
}

static void
rib_table_free(struct rib_table *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->groups[i].key);
        free(t->groups[i].nlri);
    }
    free(t->groups);
    free(t->slots);
}

/* One RIB entry of the chosen peer: decode, pick the next hop, file under its attributes. */
static int
rib_add_entry(struct rib_table *t, const struct send_opts *o, enum bgp_family fam,
              const struct nlri *prefix, const struct mrt_rib_entry *e, struct arena *a)
{
    struct bgp_session_codec ctx;
    struct update_decoded u;
    struct bgp_error err;
    Bgpbus__V1__NextHop nh_storage;
    struct rib_group *g;
    uint8_t *key;
    size_t len;
    int rc;

    bgp_session_codec_init(&ctx);
    ctx.asn4 = true; /* RFC 6396 4.3.4: RIB entries always use 4-octet AS numbers */
    ctx.confed = true;
    ctx.ext_nexthop_recv = ~(bgp_famset)0;
    ctx.mrt_rib = true;
    ctx.mrt_family = fam;
    memset(&u, 0, sizeof(u));
    memset(&err, 0, sizeof(err));
    t->entries++;
    if (attrs_decode(e->attrs, e->attrs_len, &ctx, a, &u, &err) < 0) {
        t->resets++;
        fprintf(stderr, "mrtsend: RIB entry skipped: %s\n", err.reason);
        return 0;
    }
    if (u.treat_as_withdraw) {
        t->decoded_withdraw++;
        return 0;
    }
    t->discarded += u.discarded_count;
    u.attrs->next_hop = mrtsend_nexthop(o, fam, u.attrs->next_hop, u.mp_reach.nexthop, &nh_storage);
    len = protobuf_c_message_get_packed_size(&u.attrs->base);
    key = arena_alloc(a, len ? len : 1);
    if (key == NULL)
        return -1;
    protobuf_c_message_pack(&u.attrs->base, key);
    g = rib_group_get(t, fam, key, len);
    rc = g != NULL ? rib_group_add(g, prefix) : -1;
    if (rc < 0)
        fprintf(stderr, "mrtsend: out of memory\n");
    return rc;
}

/* RFC 6396 4.3: the RIB subtypes of the unicast families this tool sends. */
static bool
rib_subtype_wanted(uint16_t subtype)
{
    return subtype == MRT_TD2_RIB_IPV4_UNICAST || subtype == MRT_TD2_RIB_IPV6_UNICAST ||
           subtype == MRT_TD2_RIB_IPV4_UNICAST_ADDPATH ||
           subtype == MRT_TD2_RIB_IPV6_UNICAST_ADDPATH;
}

/* First pass: how many entries each peer of the index has. */
static int
rib_count_peers(const char *file, struct mrt_peer_index *pi, unsigned long **counts)
{
    struct mrt_reader *r = mrt_open(file);
    struct mrt_record rec;
    int rc;

    memset(pi, 0, sizeof(*pi));
    *counts = NULL;
    if (r == NULL) {
        perror(file);
        return -1;
    }
    while ((rc = mrt_next(r, &rec)) == 1) {
        struct mrt_rib rib;
        struct mrt_rib_entry e;
        size_t pos = 0;

        if (rec.type != MRT_TABLE_DUMP_V2)
            continue;
        if (rec.subtype == MRT_TD2_PEER_INDEX_TABLE) {
            if (pi->peers != NULL || mrt_peer_index_parse(&rec, pi) < 0) {
                rc = -1;
                break;
            }
            *counts = calloc(pi->count ? pi->count : 1, sizeof(**counts));
            if (*counts == NULL) {
                rc = -1;
                break;
            }
            continue;
        }
        if (*counts == NULL || !rib_subtype_wanted(rec.subtype) || mrt_rib_parse(&rec, &rib) != 0)
            continue;
        while (mrt_rib_next_entry(&rib, &pos, &e) == 1)
            if (e.peer_index < pi->count)
                (*counts)[e.peer_index]++;
    }
    if (rc < 0)
        fprintf(stderr, "mrtsend: %s: %s\n", file, mrt_error(r) ? mrt_error(r) : "bad peer index");
    (void)mrt_close(r);
    if (rc == 0 && *counts == NULL) {
        fprintf(stderr, "mrtsend: %s: no PEER_INDEX_TABLE\n", file);
        rc = -1;
    }
    return rc;
}

/* Second pass: the chosen peer's entries, grouped by attribute set. */
static int
rib_load(const char *file, const struct send_opts *o, uint16_t peer, struct rib_table *t)
{
    struct mrt_reader *r = mrt_open(file);
    struct mrt_record rec;
    struct arena a;
    int rc;

    if (r == NULL) {
        perror(file);
        return -1;
    }
    arena_init(&a, 1 << 16);
    while ((rc = mrt_next(r, &rec)) == 1) {
        struct mrt_rib rib;
        struct mrt_rib_entry e;
        struct nlri *prefix;
        enum bgp_family fam;
        size_t np, pos = 0;

        if (rec.type != MRT_TABLE_DUMP_V2 || !rib_subtype_wanted(rec.subtype) ||
            mrt_rib_parse(&rec, &rib) != 0)
            continue;
        fam = bgp_family_from(rib.afi, rib.safi);
        arena_reset(&a);
        if (fam == BGP_FAM_NONE ||
            !nlri_decode_field(rib.nlri, rib.nlri_len, fam, false, &a, &prefix, &np) || np != 1)
            continue;
        while (mrt_rib_next_entry(&rib, &pos, &e) == 1) {
            if (e.peer_index != peer)
                continue;
            if (rib_add_entry(t, o, fam, prefix, &e, &a) < 0) {
                rc = -1;
                break;
            }
            break; /* RFC 6396 4.3.2: one entry per peer (ADD-PATH dumps: the first path) */
        }
        if (rc < 0)
            break;
    }
    if (rc < 0 && mrt_error(r) != NULL)
        fprintf(stderr, "mrtsend: %s: %s\n", file, mrt_error(r));
    (void)mrt_close(r);
    arena_free(&a);
    return rc;
}

static int
rib_send(struct mrtsend_session *s, const struct rib_table *t)
{
    for (size_t i = 0; i < t->count && !mrtsend_stop; i++) {
        const struct rib_group *g = &t->groups[i];
        Bgpbus__V1__Attributes *attrs;
        int rc;

        attrs = bgpbus__v1__attributes__unpack(NULL, g->key_len, g->key);
        if (attrs == NULL) {
            fprintf(stderr, "mrtsend: attribute set does not unpack\n");
            return -1;
        }
        rc = mrtsend_build(s, (enum bgp_family)g->fam, attrs, g->nlri, g->count);
        bgpbus__v1__attributes__free_unpacked(attrs, NULL);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- BGP4MP -------------------------------------------------------------------------- */

static bool
bgp4mp_peer_eq(const struct mrt_bgp4mp *m, const struct mrt_addr *ip, uint32_t as)
{
    return m->peer_as == as && m->peer_ip.ipv6 == ip->ipv6 &&
           memcmp(m->peer_ip.addr, ip->addr, ip->ipv6 ? 16 : 4) == 0;
}

static bool
bgp4mp_is_update(const struct mrt_bgp4mp *m)
{
    return !m->state_change && !m->local && m->msg_len > BGP_HEADER_LEN &&
           m->msg[18] == BGP_MSG_UPDATE;
}

struct bgp4mp_peer {
    struct mrt_addr ip;
    uint32_t as;
    unsigned long updates;
};

/* First pass: the peer that sent the most UPDATEs (or the one --peer-ip names). */
static int
bgp4mp_choose_peer(const char *file, const struct send_opts *o, struct bgp4mp_peer *best)
{
    struct mrt_reader *r = mrt_open(file);
    struct bgp4mp_peer *peers = NULL;
    size_t npeers = 0;
    struct mrt_record rec;
    struct mrt_addr want;
    int rc;

    memset(best, 0, sizeof(*best));
    memset(&want, 0, sizeof(want));
    if (o->peer_ip != NULL) {
        want.ipv6 = strchr(o->peer_ip, ':') != NULL;
        if (inet_pton(want.ipv6 ? AF_INET6 : AF_INET, o->peer_ip, want.addr) != 1) {
            fprintf(stderr, "mrtsend: bad --peer-ip %s\n", o->peer_ip);
            if (r != NULL)
                (void)mrt_close(r);
            return -1;
        }
    }
    if (r == NULL) {
        perror(file);
        return -1;
    }
    while ((rc = mrt_next(r, &rec)) == 1) {
        struct mrt_bgp4mp m;
        size_t i;

        if ((rec.type != MRT_BGP4MP && rec.type != MRT_BGP4MP_ET) ||
            mrt_bgp4mp_parse(&rec, &m) != 0 || !bgp4mp_is_update(&m))
            continue;
        if (o->peer_ip != NULL && (m.peer_ip.ipv6 != want.ipv6 ||
                                   memcmp(m.peer_ip.addr, want.addr, want.ipv6 ? 16 : 4) != 0))
            continue;
        for (i = 0; i < npeers; i++)
            if (bgp4mp_peer_eq(&m, &peers[i].ip, peers[i].as))
                break;
        if (i == npeers) {
            struct bgp4mp_peer *np = realloc(peers, (npeers + 1) * sizeof(*np));

            if (np == NULL) {
                rc = -1;
                break;
            }
            peers = np;
            memset(&peers[npeers], 0, sizeof(peers[npeers]));
            peers[npeers].ip = m.peer_ip;
            peers[npeers].as = m.peer_as;
            npeers++;
        }
        peers[i].updates++;
    }
    (void)mrt_close(r);
    for (size_t i = 0; i < npeers; i++) {
        char ip[INET6_ADDRSTRLEN];

        if (o->list_peers) {
            inet_ntop(peers[i].ip.ipv6 ? AF_INET6 : AF_INET, peers[i].ip.addr, ip, sizeof(ip));
            printf("peer %zu as %u ip %s updates %lu\n", i, peers[i].as, ip, peers[i].updates);
        }
        if (peers[i].updates > best->updates)
            *best = peers[i];
    }
    if (o->list_peers && best->updates > 0) {
        char ip[INET6_ADDRSTRLEN];

        inet_ntop(best->ip.ipv6 ? AF_INET6 : AF_INET, best->ip.addr, ip, sizeof(ip));
        printf("chosen peer %s as %u updates %lu\n", ip, best->as, best->updates);
    }
    free(peers);
    if (rc == 0 && best->updates == 0) {
        fprintf(stderr, "mrtsend: %s: no UPDATE to send\n", file);
        rc = -1;
    }
    return rc;
}

/* One recorded UPDATE: byte for byte when this session reads it the same way, else rebuilt. */
static int
bgp4mp_send_update(struct mrtsend_session *s, const struct send_opts *o, const struct mrt_bgp4mp *m,
                   struct arena *a, unsigned long *resets)
{
    struct bgp_session_codec rec_ctx;
    struct update_decoded u;
    struct bgp_error err;
    Bgpbus__V1__NextHop nh_storage;
    bool raw;
    int rc = 0;

    bgp_session_codec_init(&rec_ctx);
    rec_ctx.asn4 = m->as4;
    rec_ctx.confed = true;
    rec_ctx.ext_nexthop_recv = ~(bgp_famset)0;
    rec_ctx.addpath_recv = m->addpath ? ~(bgp_famset)0 : 0;
    arena_reset(a);
    memset(&err, 0, sizeof(err));
    if (update_decode(m->msg, m->msg_len, &rec_ctx, a, &u, &err) < 0) {
        (*resets)++;
        fprintf(stderr, "mrtsend: recorded UPDATE skipped (would reset): %s\n", err.reason);
        return 0;
    }
    if (u.eor)
        return 0; /* ours comes at the end */
    raw = m->as4 == s->ctx.asn4 && !m->addpath && s->ctx.addpath_send == 0 && !o->has_nh4 &&
          !o->has_nh6 && m->msg_len <= s->ctx.max_msg_len &&
          (!u.mp_reach.present || bgp_famset_has(s->neg.families, u.mp_reach.fam)) &&
          (!u.mp_unreach.present || bgp_famset_has(s->neg.families, u.mp_unreach.fam));
    if (raw) {
        unsigned long n =
            u.withdrawn_count + u.nlri_count + u.mp_reach.nlri_count + u.mp_unreach.nlri_count;

        if (mrtsend_emit(s, m->msg, m->msg_len) < 0)
            return -1;
        s->prefixes += n;
        s->sent_families |= BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
        if (u.mp_reach.present && u.mp_reach.fam != BGP_FAM_NONE)
            s->sent_families |= BGP_FAMSET(u.mp_reach.fam);
        return 0;
    }
    rc = mrtsend_build(s, BGP_FAM_IPV4_UNICAST, NULL, u.withdrawn, u.withdrawn_count);
    if (rc == 0 && u.mp_unreach.present && u.mp_unreach.fam != BGP_FAM_NONE)
        rc = mrtsend_build(s, u.mp_unreach.fam, NULL, u.mp_unreach.nlri, u.mp_unreach.nlri_count);
    if (rc == 0 && u.nlri_count > 0) {
        if (u.treat_as_withdraw) {
            rc = mrtsend_build(s, BGP_FAM_IPV4_UNICAST, NULL, u.nlri, u.nlri_count);
        } else {
            u.attrs->next_hop =
                mrtsend_nexthop(o, BGP_FAM_IPV4_UNICAST, u.attrs->next_hop, NULL, &nh_storage);
            rc = mrtsend_build(s, BGP_FAM_IPV4_UNICAST, u.attrs, u.nlri, u.nlri_count);
        }
    }
    if (rc == 0 && u.mp_reach.present && u.mp_reach.fam != BGP_FAM_NONE) {
        enum bgp_family fam = u.mp_reach.fam;

        if (u.treat_as_withdraw) {
            rc = mrtsend_build(s, fam, NULL, u.mp_reach.nlri, u.mp_reach.nlri_count);
        } else {
            u.attrs->next_hop = mrtsend_nexthop(o, fam, NULL, u.mp_reach.nexthop, &nh_storage);
            rc = mrtsend_build(s, fam, u.attrs, u.mp_reach.nlri, u.mp_reach.nlri_count);
        }
    }
    return rc;
}

static int
bgp4mp_send(struct mrtsend_session *s, const struct send_opts *o, const struct bgp4mp_peer *p,
            unsigned long *resets)
{
    struct mrt_reader *r = mrt_open(o->file);
    struct mrt_record rec;
    struct arena a;
    int rc;

    if (r == NULL) {
        perror(o->file);
        return -1;
    }
    arena_init(&a, 1 << 16);
    while (!mrtsend_stop && (rc = mrt_next(r, &rec)) == 1) {
        struct mrt_bgp4mp m;

        if ((rec.type != MRT_BGP4MP && rec.type != MRT_BGP4MP_ET) ||
            mrt_bgp4mp_parse(&rec, &m) != 0 || !bgp4mp_is_update(&m) ||
            !bgp4mp_peer_eq(&m, &p->ip, p->as))
            continue;
        if (bgp4mp_send_update(s, o, &m, &a, resets) < 0) {
            rc = -1;
            break;
        }
    }
    (void)mrt_close(r);
    arena_free(&a);
    return rc < 0 ? -1 : 0;
}

/* ---- main ---------------------------------------------------------------------------- */

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: bgpbus-mrtsend (--connect ADDR[:PORT] | --listen ADDR:PORT) [options] FILE\n"
            "  --local-address A   bind the connecting socket to A\n"
            "  --as N              our AS (default: the AS of the dump peer)\n"
            "  --peer-as N         the AS the peer must have (default: any)\n"
            "  --router-id A       our BGP identifier (default 192.0.2.254)\n"
            "  --hold N            hold time to offer (default 90)\n"
            "  --ext-message       offer extended messages (RFC 8654)\n"
            "  --next-hop A        rewrite next hops (IPv4 or IPv6 address; may be repeated)\n"
            "  --peer-index N      TABLE_DUMP_V2: the peer index to send (default: most entries)\n"
            "  --peer-ip A         BGP4MP: the recorded peer to send (default: most UPDATEs)\n"
            "  --list-peers        print the dump's peers and exit\n"
            "  --exit-after-eor    exit once End-of-RIB is sent instead of waiting for SIGTERM\n");
}

static bool
parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *s == '\0' || *end != '\0' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int
parse_args(int argc, char **argv, struct send_opts *o)
{
    static const struct option longopts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "listen", required_argument, NULL, 'l' },
        { "local-address", required_argument, NULL, 'L' },
        { "as", required_argument, NULL, 'a' },
        { "peer-as", required_argument, NULL, 'p' },
        { "router-id", required_argument, NULL, 'r' },
        { "hold", required_argument, NULL, 'H' },
        { "ext-message", no_argument, NULL, 'x' },
        { "next-hop", required_argument, NULL, 'n' },
        { "peer-index", required_argument, NULL, 'i' },
        { "peer-ip", required_argument, NULL, 'P' },
        { "list-peers", no_argument, NULL, 'S' },
        { "exit-after-eor", no_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct in_addr rid;
    uint32_t v;
    int c;

    memset(o, 0, sizeof(*o));
    o->hold = 90;
    o->peer_index = -1;
    o->router_id = 0xc00002fe;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->connect_to = optarg; break;
        case 'l': o->listen_on = optarg; break;
        case 'L': o->local_addr = optarg; break;
        case 'a':
            if (!parse_u32(optarg, &o->local_as) || o->local_as == 0)
                goto bad;
            break;
        case 'p':
            if (!parse_u32(optarg, &o->peer_as))
                goto bad;
            break;
        case 'r':
            if (inet_pton(AF_INET, optarg, &rid) != 1)
                goto bad;
            o->router_id = ntohl(rid.s_addr);
            break;
        case 'H':
            /* RFC 4271 4.2: zero or at least three seconds. */
            if (!parse_u32(optarg, &v) || v > 65535 || v == 1 || v == 2)
                goto bad;
            o->hold = (uint16_t)v;
            break;
        case 'x': o->ext_message = true; break;
        case 'n':
            if (inet_pton(AF_INET, optarg, o->nh4) == 1)
                o->has_nh4 = true;
            else if (inet_pton(AF_INET6, optarg, o->nh6) == 1)
                o->has_nh6 = true;
            else
                goto bad;
            break;
        case 'i':
            if (!parse_u32(optarg, &v) || v > 65535)
                goto bad;
            o->peer_index = (int)v;
            break;
        case 'P': o->peer_ip = optarg; break;
        case 'S': o->list_peers = true; break;
        case 'e': o->exit_after_eor = true; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind + 1 != argc ||
        (!o->list_peers && (o->connect_to == NULL) == (o->listen_on == NULL))) {
        usage(stderr);
        return -1;
    }
    o->file = argv[optind];
    return 0;
bad:
    fprintf(stderr, "mrtsend: bad value for an option: %s\n", optarg);
    return -1;
}

/* Does the file start with a TABLE_DUMP_V2 record (a RIB) or BGP4MP (an update stream)? */
static int
mrtsend_file_kind(const char *file)
{
    struct mrt_reader *r = mrt_open(file);
    struct mrt_record rec;
    int kind = -1;

    if (r == NULL) {
        perror(file);
        return -1;
    }
    while (mrt_next(r, &rec) == 1) {
        if (rec.type == MRT_TABLE_DUMP_V2 || rec.type == MRT_BGP4MP || rec.type == MRT_BGP4MP_ET) {
            kind = rec.type == MRT_TABLE_DUMP_V2 ? MRT_TABLE_DUMP_V2 : MRT_BGP4MP;
            break;
        }
    }
    (void)mrt_close(r);
    if (kind < 0)
        fprintf(stderr, "mrtsend: %s: neither TABLE_DUMP_V2 nor BGP4MP\n", file);
    return kind;
}

static int
mrtsend_send_eors(struct mrtsend_session *s)
{
    for (int f = 0; f < BGP_FAM_COUNT; f++) {
        uint8_t buf[64];
        struct wire_wr w;

        if (!bgp_famset_has(s->sent_families | BGP_FAMSET(BGP_FAM_IPV4_UNICAST), f) ||
            !bgp_famset_has(s->neg.families, f))
            continue;
        wire_wr_init_fixed(&w, buf, sizeof(buf));
        update_build_eor(bgp_family_afi(f), bgp_family_safi(f), &w);
        if (mrtsend_write(s, w.buf, w.len) < 0)
            return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static struct mrtsend_session s;
    struct send_opts o;
    struct rib_table table;
    struct bgp4mp_peer bpeer;
    unsigned long resets = 0, source_prefixes = 0;
    uint32_t local_as;
    double t_load, t0, t1;
    int kind, rc;

    if (parse_args(argc, argv, &o) < 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, mrtsend_on_signal);
    signal(SIGINT, mrtsend_on_signal);
    memset(&table, 0, sizeof(table));
    t_load = mrtsend_now();
    if ((kind = mrtsend_file_kind(o.file)) < 0)
        return 1;
    if (kind == MRT_TABLE_DUMP_V2) {
        struct mrt_peer_index pi;
        unsigned long *counts;
        int best = -1;

        if (rib_count_peers(o.file, &pi, &counts) < 0)
            return 1;
        for (int i = 0; i < pi.count; i++) {
            char ip[INET6_ADDRSTRLEN];

            if (o.list_peers) {
                inet_ntop(pi.peers[i].ip.ipv6 ? AF_INET6 : AF_INET, pi.peers[i].ip.addr, ip,
                          sizeof(ip));
                printf("peer %d as %u ip %s entries %lu\n", i, pi.peers[i].as, ip, counts[i]);
            }
            if (best < 0 || counts[i] > counts[best])
                best = i;
        }
        if (o.peer_index >= 0)
            best = o.peer_index;
        if (best < 0 || best >= pi.count) {
            fprintf(stderr, "mrtsend: no such peer index %d\n", best);
            free(pi.peers);
            free(counts);
            return 1;
        }
        local_as = o.local_as ? o.local_as : pi.peers[best].as;
        source_prefixes = counts[best];
        free(pi.peers);
        free(counts);
        if (o.list_peers) {
            printf("chosen peer %d as %u entries %lu\n", best, local_as, source_prefixes);
            return 0;
        }
        if (rib_load(o.file, &o, (uint16_t)best, &table) < 0) {
            rib_table_free(&table);
            return 1;
        }
        resets = table.resets;
        printf("loaded peer %d: entries %lu attribute-sets %zu treat-as-withdraw %lu "
               "discarded %lu unusable %lu in %.2fs\n",
               best, table.entries, table.count, table.decoded_withdraw, table.discarded,
               table.resets, mrtsend_now() - t_load);
    } else {
        if (bgp4mp_choose_peer(o.file, &o, &bpeer) < 0)
            return 1;
        if (o.list_peers)
            return 0;
        local_as = o.local_as ? o.local_as : bpeer.as;
    }
    fflush(stdout);

    s.fd = mrtsend_socket(&o);
    if (s.fd < 0 || mrtsend_establish(&s, &o, local_as) < 0) {
        rib_table_free(&table);
        if (s.fd >= 0)
            close(s.fd);
        return 1;
    }
    printf("established: as %u peer-as %u hold %u max-message %zu\n", local_as, s.neg.peer_as,
           s.neg.hold_time, s.ctx.max_msg_len);
    fflush(stdout);
    t0 = mrtsend_now();
    rc = kind == MRT_TABLE_DUMP_V2 ? rib_send(&s, &table) : bgp4mp_send(&s, &o, &bpeer, &resets);
    rib_table_free(&table);
    if (rc == 0 && !mrtsend_stop)
        rc = mrtsend_send_eors(&s);
    t1 = mrtsend_now();
    printf("sent: prefixes %lu updates %lu bytes %llu skipped %lu unusable %lu seconds %.2f\n",
           s.prefixes, s.updates, s.bytes, s.skipped, resets, t1 - t0);
    fflush(stdout);
    (void)source_prefixes;
    while (rc == 0 && !o.exit_after_eor && !mrtsend_stop)
        rc = mrtsend_service(&s, 1000);
    if (rc == 0) {
        uint8_t buf[64];
        struct wire_wr w;

        /* RFC 4486 / RFC 4271 6.7: say goodbye with Cease, Administrative Shutdown. */
        wire_wr_init_fixed(&w, buf, sizeof(buf));
        bgp_notification_encode(&w, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, NULL, 0);
        (void)mrtsend_write(&s, w.buf, w.len);
    }
    close(s.fd);
    return rc == 0 ? 0 : 1;
}
