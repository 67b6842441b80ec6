/*
 * show: the information commands of SPEC 2.3 / 2.10, answered with data lines built from the
 * speaker's replies (ShowNeighbor, ShowAdjRib pages), then `done`.
 *
 * Printed forms (4.2 where the layout is fixed, simpler where 4.2 prints Python internals):
 *   show neighbor                       the two usage lines of 4.2
 *   show neighbor [<ip>] summary        4.2's header and "%-15s %-7s %9s %-12s %10d %10d" rows,
 *                                       established neighbors only
 *   show neighbor [<ip>] extensive      a block per neighbor: session, counters
 *   show neighbor [<ip>] configuration  "neighbor <ip> { … }" re-rendered
 *   show adj-rib in|out [<ip>] [extensive] [inet|flow|l2vpn]
 *                                       "neighbor <ip> <afi> <safi> <nlri> next-hop <nh>"; with
 *                                       extensive the attributes follow.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "log.h"

void
show_help(struct cmd *c)
{
    /* SPEC 2.3: 4.2's exact text (captures/v42-misc-commands). */
    static const char *const lines[] = {
        "",
        "available API commands are listed here:",
        "=======================================",
        "",
        "filter can be: [local-ip <ip>][local-as <asn>][peer-as <asn>][router-id <router-id>]",
        "",
        "command are:",
        "------------",
        "",
        "# ",
        "[neighbor <ip> [filters]] announce attribute",
        "[neighbor <ip> [filters]] announce attributes",
        "[neighbor <ip> [filters]] announce eor",
        "[neighbor <ip> [filters]] announce flow",
        "[neighbor <ip> [filters]] announce operational",
        "[neighbor <ip> [filters]] announce route",
        "[neighbor <ip> [filters]] announce route-refresh",
        "[neighbor <ip> [filters]] announce vpls",
        "[neighbor <ip> [filters]] announce watchdog",
        "[neighbor <ip> [filters]] clear adj-rib",
        "[neighbor <ip> [filters]] crash",
        "[neighbor <ip> [filters]] flush adj-rib out",
        "[neighbor <ip> [filters]] teardown",
        "[neighbor <ip> [filters]] withdraw attributes",
        "[neighbor <ip> [filters]] withdraw flow",
        "[neighbor <ip> [filters]] withdraw route",
        "[neighbor <ip> [filters]] withdraw vpls",
        "[neighbor <ip> [filters]] withdraw watchdog",
        "help ",
        "reload ",
        "reset ",
        "restart ",
        "show adj-rib in [ extensive ] ",
        "show adj-rib out [ extensive ] ",
        "show neighbor [ summary | extensive | configuration ] ",
        "shutdown ",
        "version ",
        "",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        helper_cmd_data(c, "%s", lines[i]);
}

static const char *
ip_text(const ProtobufCBinaryData *d, char *buf, size_t len)
{
    if (d->len == 4)
        return inet_ntop(AF_INET, d->data, buf, (socklen_t)len);
    if (d->len == 16)
        return inet_ntop(AF_INET6, d->data, buf, (socklen_t)len);
    snprintf(buf, len, "?");
    return buf;
}

static bool
is_ip(const char *s)
{
    uint8_t tmp[16];
    return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

/* ---- state shared by the pages of one show command --------------------------------------- */

struct show_state {
    enum { SHOW_SUMMARY, SHOW_EXTENSIVE, SHOW_CONFIGURATION, SHOW_RIB } what;
    char ip[64]; /* "" = every neighbor */
    bool in, extensive;
    uint32_t families; /* bit 0 inet, 1 flow, 2 l2vpn; 0 = all */
};

static bool
peer_wanted(const struct show_state *st, const Bgpbus__V1__PeerKey *k)
{
    char buf[64];
    if (!st->ip[0])
        return true;
    return k && strcmp(ip_text(&k->address, buf, sizeof(buf)), st->ip) == 0;
}

static const char *
fsm_name(Bgpbus__V1__FsmState s)
{
    switch (s) {
    case BGPBUS__V1__FSM_STATE__FSM_STATE_IDLE: return "idle";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_CONNECT: return "connect";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_ACTIVE: return "active";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_OPENSENT: return "opensent";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_OPENCONFIRM: return "openconfirm";
    case BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED: return "established";
    default: return "unknown";
    }
}

static void
hms(double secs, char *buf, size_t len)
{
    unsigned long s = secs > 0 ? (unsigned long)secs : 0;
    snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, (s / 60) % 60, s % 60);
}

static void
show_neighbors(struct cmd *c, const struct show_state *st, const Bgpbus__V1__NeighborList *l)
{
    char ip[64], loc[64], up[32];
    if (st->what == SHOW_SUMMARY)
        helper_cmd_data(c, "Peer            AS        up/down state       |     #sent     #recvd");
    for (size_t i = 0; l && i < l->n_neighbors; i++) {
        const Bgpbus__V1__Neighbor *nb = l->neighbors[i];
        const Bgpbus__V1__NeighborConfig *cfg = nb->config;
        const Bgpbus__V1__NeighborState *s = nb->state;
        if (!cfg || !s || !peer_wanted(st, s->peer))
            continue;
        ip_text(&cfg->address, ip, sizeof(ip));
        bool est = s->fsm_state == BGPBUS__V1__FSM_STATE__FSM_STATE_ESTABLISHED;
        hms(s->has_uptime ? s->uptime : 0, up, sizeof(up));
        uint64_t sent = s->sent ? s->sent->updates : 0,
                 recvd = s->received ? s->received->updates : 0;
        if (st->what == SHOW_SUMMARY) {
            if (!est)
                continue;
            char as[16];
            snprintf(as, sizeof(as), "%" PRIu32, cfg->peer_as);
            helper_cmd_data(c, "%-15s %-7s %9s %-12s %10" PRIu64 " %10" PRIu64, ip, as, up,
                            fsm_name(s->fsm_state), sent, recvd);
        } else if (st->what == SHOW_EXTENSIVE) {
            const char *local = "-";
            if (s->peer && s->peer->has_local_address)
                local = ip_text(&s->peer->local_address, loc, sizeof(loc));
            helper_cmd_data(c, "Neighbor %s", ip);
            helper_cmd_data(c, "%s", "");
            helper_cmd_data(c, "  Session                         Local");
            helper_cmd_data(c, "   local                %15s", local);
            helper_cmd_data(c, "   state                %15s", fsm_name(s->fsm_state));
            helper_cmd_data(c, "   %-8s             %15s", est ? "up for" : "down for", up);
            helper_cmd_data(c, "%s", "");
            helper_cmd_data(c, "  Setup                           Local          Remote");
            helper_cmd_data(c, "   AS                   %15" PRIu32 " %15" PRIu32, cfg->local_as,
                            cfg->peer_as);
            helper_cmd_data(c, "   hold-time            %15" PRIu32, cfg->hold_time);
            helper_cmd_data(c, "%s", "");
            helper_cmd_data(c, "  Message Statistic               Sent        Received");
            helper_cmd_data(c, "   updates              %15" PRIu64 " %15" PRIu64, sent, recvd);
            helper_cmd_data(c, "   keepalives           %15" PRIu64 " %15" PRIu64,
                            s->sent ? s->sent->keepalives : 0,
                            s->received ? s->received->keepalives : 0);
            helper_cmd_data(c, "   notifications        %15" PRIu64 " %15" PRIu64,
                            s->sent ? s->sent->notifications : 0,
                            s->received ? s->received->notifications : 0);
            helper_cmd_data(c, "%s", "");
        } else {
            helper_cmd_data(c, "neighbor %s {", ip);
            if (cfg->description)
                helper_cmd_data(c, "\tdescription \"%s\";", cfg->description);
            if (cfg->has_local_address)
                helper_cmd_data(c, "\tlocal-address %s;",
                                ip_text(&cfg->local_address, loc, sizeof(loc)));
            helper_cmd_data(c, "\tlocal-as %" PRIu32 ";", cfg->local_as);
            helper_cmd_data(c, "\tpeer-as %" PRIu32 ";", cfg->peer_as);
            helper_cmd_data(c, "\thold-time %" PRIu32 ";", cfg->hold_time);
            if (cfg->has_passive && cfg->passive)
                helper_cmd_data(c, "\tpassive true;");
            helper_cmd_data(c, "}");
        }
    }
}

/* ---- adj-rib lines ------------------------------------------------------------------------ */

struct text {
    char buf[2048];
    size_t len;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->len >= sizeof(t->buf))
        return;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof(t->buf) - t->len ? (size_t)n : sizeof(t->buf) - t->len - 1;
}

static void
text_prefix(struct text *t, const Bgpbus__V1__Prefix *p)
{
    char ip[64];
    if (!p) {
        text_add(t, " ?");
        return;
    }
    text_add(t, " %s/%" PRIu32, ip_text(&p->address, ip, sizeof(ip)), p->length);
}

/* Family words and filter bit (SPEC 2.10: inet, flow, l2vpn) of a route. */
static unsigned
route_family(const Bgpbus__V1__Nlri *n, const char **afi, const char **safi)
{
    const Bgpbus__V1__Prefix *p = NULL;
    unsigned bit = 1;
    *safi = "unicast";
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST: p = n->unicast; break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST:
        p = n->multicast;
        *safi = "multicast";
        break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST:
        p = n->labeled_unicast->prefix;
        *safi = "nlri-mpls";
        break;
    case BGPBUS__V1__NLRI__NLRI_VPN:
        p = n->vpn->prefix;
        *safi = "mpls-vpn";
        break;
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC:
        *afi = n->flowspec->afi == 2 ? "ipv6" : "ipv4";
        *safi = n->flowspec->rd ? "flow-vpn" : "flow";
        return 2;
    case BGPBUS__V1__NLRI__NLRI_EVPN:
        *afi = "l2vpn";
        *safi = "evpn";
        return 4;
    case BGPBUS__V1__NLRI__NLRI_VPLS:
        *afi = "l2vpn";
        *safi = "vpls";
        return 4;
    default:
        *afi = "unknown";
        *safi = "unknown";
        return 0;
    }
    *afi = p && p->address.len == 16 ? "ipv6" : "ipv4";
    return bit;
}

static void
text_route(struct text *t, const Bgpbus__V1__Route *r, bool extensive)
{
    const Bgpbus__V1__Nlri *n = r->nlri;
    char ip[64];
    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST: text_prefix(t, n->unicast); break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST: text_prefix(t, n->multicast); break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST: text_prefix(t, n->labeled_unicast->prefix); break;
    case BGPBUS__V1__NLRI__NLRI_VPN: text_prefix(t, n->vpn->prefix); break;
    case BGPBUS__V1__NLRI__NLRI_VPLS:
        text_add(t, " endpoint %" PRIu32 " offset %" PRIu32 " size %" PRIu32, n->vpls->endpoint,
                 n->vpls->offset, n->vpls->size);
        break;
    default:
        text_add(t, " (%s)", n->nlri_case == BGPBUS__V1__NLRI__NLRI_FLOWSPEC ? "flow" : "nlri");
    }
    if (n->has_path_id && n->path_id)
        text_add(t, " path-information %" PRIu32, n->path_id);
    const Bgpbus__V1__Attributes *a = r->attributes;
    if (!a)
        return;
    if (a->next_hop) {
        if (a->next_hop->has_use_local_address && a->next_hop->use_local_address)
            text_add(t, " next-hop self");
        else if (a->next_hop->has_address)
            text_add(t, " next-hop %s", ip_text(&a->next_hop->address, ip, sizeof(ip)));
    }
    if (!extensive)
        return;
    if (a->has_origin)
        text_add(t, " origin %s",
                 a->origin == BGPBUS__V1__ORIGIN__ORIGIN_EGP          ? "egp"
                 : a->origin == BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE ? "incomplete"
                                                                      : "igp");
    if (a->as_path && a->as_path->n_segments) {
        text_add(t, " as-path [");
        for (size_t s = 0; s < a->as_path->n_segments; s++) {
            const Bgpbus__V1__AsPathSegment *seg = a->as_path->segments[s];
            bool set = seg->type == BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET;
            if (set)
                text_add(t, " (");
            for (size_t k = 0; k < seg->n_asns; k++)
                text_add(t, " %" PRIu32, seg->asns[k]);
            if (set)
                text_add(t, " )");
        }
        text_add(t, " ]");
    }
    if (a->has_med)
        text_add(t, " med %" PRIu32, a->med);
    if (a->has_local_pref)
        text_add(t, " local-preference %" PRIu32, a->local_pref);
    if (a->n_communities) {
        text_add(t, a->n_communities > 1 ? " community [" : " community");
        for (size_t k = 0; k < a->n_communities; k++)
            text_add(t, " %" PRIu32 ":%" PRIu32, a->communities[k] >> 16,
                     a->communities[k] & 0xffff);
        if (a->n_communities > 1)
            text_add(t, " ]");
    }
    if (r->name)
        text_add(t, " name %s", r->name);
}

static void
show_rib(struct cmd *c, const struct show_state *st, const Bgpbus__V1__RouteTable *t)
{
    char ip[64];
    for (size_t p = 0; t && p < t->n_peers; p++) {
        const Bgpbus__V1__PeerRoutes *pr = t->peers[p];
        if (!pr->peer || !peer_wanted(st, pr->peer))
            continue;
        ip_text(&pr->peer->address, ip, sizeof(ip));
        for (size_t i = 0; i < pr->n_routes; i++) {
            const Bgpbus__V1__Route *r = pr->routes[i];
            const char *afi, *safi;
            if (!r->nlri)
                continue;
            unsigned bit = route_family(r->nlri, &afi, &safi);
            if (st->families && !(st->families & bit))
                continue;
            struct text tx = { .len = 0 };
            if (st->extensive)
                text_add(&tx, "neighbor %s local-as %" PRIu32 " peer-as %" PRIu32 " %s %s", ip,
                         pr->peer->local_as, pr->peer->peer_as, afi, safi);
            else
                text_add(&tx, "neighbor %s %s %s", ip, afi, safi);
            text_route(&tx, r, st->extensive);
            helper_cmd_data(c, "%s", tx.buf);
        }
    }
}

/* ---- requests ----------------------------------------------------------------------------- */

static void show_reply(struct batch *b, int status, const Bgpbus__V1__Reply *rep);

static int
show_request(struct helper *h, struct cmd *c, struct show_state *st, const uint8_t *token,
             size_t token_len)
{
    struct batch *b = batch_new(h, NULL);
    if (!b)
        return -1;
    struct arena *a = &b->arena->arena;
    Bgpbus__V1__Request *req = b->req;
    b->cmds = malloc(sizeof(*b->cmds));
    if (!b->cmds) {
        batch_free(b);
        return -1;
    }
    b->cmds[0] = c;
    b->ncmds = b->cmdcap = 1;
    b->state = st;
    b->on_reply = show_reply;
    if (st->what == SHOW_RIB) {
        Bgpbus__V1__ShowAdjRib *s = arena_alloc(a, sizeof(*s));
        if (!s) {
            batch_free(b);
            return -1;
        }
        bgpbus__v1__show_adj_rib__init(s);
        s->has_direction = true;
        s->direction = st->in ? BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN
                              : BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_OUT;
        s->has_extensive = true;
        s->extensive = st->extensive;
        if (token) {
            s->has_page_token = true;
            s->page_token.data = arena_memdup(a, token, token_len);
            s->page_token.len = token_len;
        }
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_SHOW_ADJ_RIB;
        req->show_adj_rib = s;
    } else {
        Bgpbus__V1__ShowNeighbor *s = arena_alloc(a, sizeof(*s));
        if (!s) {
            batch_free(b);
            return -1;
        }
        bgpbus__v1__show_neighbor__init(s);
        s->has_detail = true;
        s->detail = st->what == SHOW_EXTENSIVE
                        ? BGPBUS__V1__SHOW_NEIGHBOR_DETAIL__SHOW_NEIGHBOR_DETAIL_EXTENSIVE
                    : st->what == SHOW_CONFIGURATION
                        ? BGPBUS__V1__SHOW_NEIGHBOR_DETAIL__SHOW_NEIGHBOR_DETAIL_CONFIGURATION
                        : BGPBUS__V1__SHOW_NEIGHBOR_DETAIL__SHOW_NEIGHBOR_DETAIL_SUMMARY;
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_SHOW_NEIGHBOR;
        req->show_neighbor = s;
    }
    dispatch_send(h->br, b);
    return 0;
}

static void
show_reply(struct batch *b, int status, const Bgpbus__V1__Reply *rep)
{
    struct show_state *st = b->state;
    struct cmd *c = b->cmds[0];
    b->state = NULL;
    if (status < 0 || !rep || rep->status != BGPBUS__V1__STATUS__STATUS_OK) {
        helper_cmd_answer(c, CMD_ACK_ERROR);
        free(st);
        return;
    }
    if (st->what == SHOW_RIB) {
        const Bgpbus__V1__RouteTable *t =
            rep->result_case == BGPBUS__V1__REPLY__RESULT_ROUTES ? rep->routes : NULL;
        show_rib(c, st, t);
        if (t && t->has_next_page_token && t->next_page_token.len > 0) {
            /* The next page: the ack waits until the last one. */
            if (show_request(b->h, c, st, t->next_page_token.data, t->next_page_token.len) == 0)
                return;
            helper_cmd_answer(c, CMD_ACK_ERROR);
            free(st);
            return;
        }
    } else {
        show_neighbors(
            c, st, rep->result_case == BGPBUS__V1__REPLY__RESULT_NEIGHBORS ? rep->neighbors : NULL);
    }
    helper_cmd_answer(c, CMD_ACK_DONE);
    free(st);
}

bool
show_command(struct helper *h, struct cmd *c, const char *const *w, size_t n)
{
    struct show_state *st = calloc(1, sizeof(*st));
    bool ok = true;
    if (!st)
        return false;
    if (n >= 2 && strcmp(w[1], "neighbor") == 0) {
        int detail = -1;
        for (size_t i = 2; i < n; i++) {
            if (strcmp(w[i], "summary") == 0)
                detail = SHOW_SUMMARY;
            else if (strcmp(w[i], "extensive") == 0)
                detail = SHOW_EXTENSIVE;
            else if (strcmp(w[i], "configuration") == 0)
                detail = SHOW_CONFIGURATION;
            else if (is_ip(w[i]) && strlen(w[i]) < sizeof(st->ip))
                strcpy(st->ip, w[i]);
            else
                ok = false;
        }
        if (ok && detail < 0) {
            /* SPEC 2.10: 4.2's two usage lines. */
            helper_cmd_data(c, "please specify summary, extensive or configuration");
            helper_cmd_data(c, "you can filter by peer ip address adding it after the word "
                               "neighbor");
            free(st);
            helper_cmd_answer(c, CMD_ACK_DONE);
            helper_drain_acks(h);
            return true;
        }
        st->what = detail;
    } else if (n >= 3 && strcmp(w[1], "adj-rib") == 0 &&
               (strcmp(w[2], "in") == 0 || strcmp(w[2], "out") == 0)) {
        st->what = SHOW_RIB;
        st->in = strcmp(w[2], "in") == 0;
        for (size_t i = 3; i < n; i++) {
            if (strcmp(w[i], "extensive") == 0)
                st->extensive = true;
            else if (strcmp(w[i], "inet") == 0)
                st->families |= 1;
            else if (strcmp(w[i], "flow") == 0)
                st->families |= 2;
            else if (strcmp(w[i], "l2vpn") == 0)
                st->families |= 4;
            else if (is_ip(w[i]) && strlen(w[i]) < sizeof(st->ip))
                strcpy(st->ip, w[i]);
            else
                ok = false;
        }
    } else {
        ok = false;
    }
    if (!ok) {
        log_warn("process %s: command not understood: '%s'", h->name, c->line);
        free(st);
        helper_cmd_answer(c, CMD_ACK_ERROR);
        helper_drain_acks(h);
        return true;
    }
    /* What is batched before it must reach the speaker first. */
    dispatch_flush(h);
    if (show_request(h, c, st, NULL, 0) < 0) {
        free(st);
        helper_cmd_answer(c, CMD_ACK_ERROR);
        helper_drain_acks(h);
    }
    return true;
}
