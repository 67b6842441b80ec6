/*
 * bgpbusctl: the command line of a bgpbus speaker, on libbgpbus_client.
 *
 *   bgpbusctl [--command URL] [--events URL] [--json] [--timeout MS]
 *             [--tls-cert F --tls-key F --tls-ca F [--tls-server-name N]] COMMAND ...
 *     ping | version
 *     neighbor [list] | neighbor show ADDRESS
 *     neighbor add ADDRESS local-as N peer-as N [local-address A] [router-id A] [connect P]
 *                  [listen P] [passive] [hold-time S] [family F]...
 *     neighbor remove ADDRESS
 *     rib out|in [--neighbor A] [--family ipv4|ipv6|ipv4-multicast|ipv6-multicast]
 *     announce ... | withdraw ...        (ExaBGP API text, e.g. announce route 10.0.0.0/24 ...)
 *     load FILE|-                        (ExaBGP API lines, batched; prints a summary)
 *     watch [--type T] [--neighbor A] [--json|--exabgp-json] [--count N] [--seconds S]
 *
 * Exit codes: 0 done; 1 the speaker refused or cannot be reached (the reason on stderr);
 * 2 a usage error (bad command or argument, the reason on stderr).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgpbus.h"
#include "bgpbus/v1/event.pb-c.h"
#include "bgpbus/v1/reply.pb-c.h"
#include "bgpbus/v1/request.pb-c.h"
#include "client_int.h"
#include "exa_render.h"

#define EXIT_USAGE 2

static bool opt_json;
static struct bgpbus_options opts;
static struct bgpbus_tls tls;

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "bgpbusctl: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: bgpbusctl [--command URL] [--events URL] [--json] COMMAND ...\n"
                    "commands: ping, version, neighbor [list|show A|add ...|remove A],\n"
                    "  rib out|in [--neighbor A] [--family F], announce ..., withdraw ...,\n"
                    "  load FILE|-, watch [--type T] [--neighbor A] [--json|--exabgp-json]\n");
    exit(EXIT_USAGE);
}

static void __attribute__((noreturn)) fail(bgpbus_client *c, const char *what)
{
    fprintf(stderr, "bgpbusctl: %s: %s\n", what, bgpbus_client_error(c));
    bgpbus_client_close(c);
    exit(1);
}

static bgpbus_client *
connect_speaker(void)
{
    bgpbus_client *c;

    if (bgpbus_client_open(&c, &opts) < 0) {
        fprintf(stderr, "bgpbusctl: cannot reach the speaker: %s\n", bgpbus_client_error(NULL));
        exit(1);
    }
    return c;
}

/* A request whose reply must be OK; returns it (caller frees). */
static Bgpbus__V1__Reply *
call(bgpbus_client *c, Bgpbus__V1__Request *req, const char *what)
{
    Bgpbus__V1__Reply *rep;

    if (bgpbus_request(c, req, &rep) < 0)
        fail(c, what);
    if (rep->has_status && rep->status != BGPBUS__V1__STATUS__STATUS_OK) {
        fprintf(stderr, "bgpbusctl: %s: %s\n", what,
                rep->error && *rep->error ? rep->error : "refused by the speaker");
        bgpbus_reply_free(rep);
        bgpbus_client_close(c);
        exit(1);
    }
    return rep;
}

/* ---- output helpers ------------------------------------------------------------------------ */

static void
json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static const char *
family_name(const Bgpbus__V1__Nlri *n)
{
    const Bgpbus__V1__Prefix *p = n->unicast ? n->unicast : n->multicast;
    bool v6 = p && p->address.len == 16;
    if (n->nlri_case == BGPBUS__V1__NLRI__NLRI_MULTICAST)
        return v6 ? "ipv6-multicast" : "ipv4-multicast";
    if (n->nlri_case == BGPBUS__V1__NLRI__NLRI_UNICAST)
        return v6 ? "ipv6" : "ipv4";
    return "other";
}

/* AS path, communities, ... as "65001 65002" / "65000:1 65000:2" for tables and JSON. */
static void
attrs_text(const Bgpbus__V1__Attributes *a, char *nh, size_t nhlen, char *path, size_t plen,
           char *comm, size_t clen)
{
    size_t off = 0;

    snprintf(nh, nhlen, "-");
    path[0] = comm[0] = 0;
    if (!a)
        return;
    if (a->next_hop && a->next_hop->has_use_local_address && a->next_hop->use_local_address)
        snprintf(nh, nhlen, "self");
    else if (a->next_hop && a->next_hop->has_address)
        client_addr_text(&a->next_hop->address, nh, nhlen);
    for (size_t s = 0; a->as_path && s < a->as_path->n_segments; s++)
        for (size_t i = 0; i < a->as_path->segments[s]->n_asns && off < plen; i++) {
            int w = snprintf(path + off, plen - off, "%s%u", off ? " " : "",
                             a->as_path->segments[s]->asns[i]);
            off += w > 0 ? (size_t)w : 0;
        }
    off = 0;
    for (size_t i = 0; i < a->n_communities && off < clen; i++) {
        int w = snprintf(comm + off, clen - off, "%s%u:%u", off ? " " : "", a->communities[i] >> 16,
                         a->communities[i] & 0xffff);
        off += w > 0 ? (size_t)w : 0;
    }
}

/* The attributes of a route or an UPDATE as JSON members, the same in `rib --json` and
 * `watch --json`: as_path (numbers, every segment flattened) and communities (strings) always,
 * origin, med and local_pref when present. */
static void
attrs_json(const Bgpbus__V1__Attributes *a)
{
    static const char *const origins[] = { NULL, "igp", "egp", "incomplete" };
    size_t n = 0;

    printf(", \"as_path\": [");
    for (size_t s = 0; a && a->as_path && s < a->as_path->n_segments; s++)
        for (size_t i = 0; i < a->as_path->segments[s]->n_asns; i++)
            printf("%s%u", n++ ? ", " : "", a->as_path->segments[s]->asns[i]);
    printf("], \"communities\": [");
    for (size_t k = 0; a && k < a->n_communities; k++)
        printf("%s\"%u:%u\"", k ? ", " : "", a->communities[k] >> 16, a->communities[k] & 0xffff);
    printf("]");
    if (a && a->has_origin && a->origin > 0 && a->origin < 4)
        printf(", \"origin\": \"%s\"", origins[a->origin]);
    if (a && a->has_med)
        printf(", \"med\": %u", a->med);
    if (a && a->has_local_pref)
        printf(", \"local_pref\": %u", a->local_pref);
}

/* ---- commands ------------------------------------------------------------------------------ */

static int
cmd_ping(bgpbus_client *c)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Ping ping = BGPBUS__V1__PING__INIT;
    struct timespec t0, t1;

    req.command_case = BGPBUS__V1__REQUEST__COMMAND_PING;
    req.ping = &ping;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Bgpbus__V1__Reply *rep = call(c, &req, "ping");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    const Bgpbus__V1__Pong *p = rep->pong;
    if (opt_json)
        printf("{\"rtt_ms\": %.3f, \"epoch\": %" PRIu64
               ", \"uptime\": %.1f, \"newest_seq\": %" PRIu64 "}\n",
               ms, p ? p->epoch : 0, p ? p->uptime : 0.0, p ? p->newest_seq : 0);
    else
        printf("pong from the speaker in %.3f ms (uptime %.0f s, epoch %" PRIx64 ", %" PRIu64
               " events)\n",
               ms, p ? p->uptime : 0.0, p ? p->epoch : 0, p ? p->newest_seq : 0);
    bgpbus_reply_free(rep);
    return 0;
}

static int
cmd_version(bgpbus_client *c)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Version v = BGPBUS__V1__VERSION__INIT;

    req.command_case = BGPBUS__V1__REQUEST__COMMAND_VERSION;
    req.version = &v;
    Bgpbus__V1__Reply *rep = call(c, &req, "version");
    const char *app = rep->version && rep->version->application ? rep->version->application : "?";
    const char *ver = rep->version && rep->version->version ? rep->version->version : "?";
    if (opt_json) {
        printf("{\"application\": ");
        json_str(app);
        printf(", \"version\": ");
        json_str(ver);
        printf(", \"client\": ");
        json_str(BGPBUS_VERSION);
        printf("}\n");
    } else {
        printf("speaker: %s %s\nbgpbusctl: %s\n", app, ver, BGPBUS_VERSION);
    }
    bgpbus_reply_free(rep);
    return 0;
}

/* A typed call that failed: a bad argument is a usage error (exit 2), anything else (refused by
 * the speaker, not reached) exit 1; both with the library's reason. */
static void __attribute__((noreturn)) fail_call(bgpbus_client *c, int rc, const char *what)
{
    char why[512];

    if (rc != BGPBUS_E_INVALID)
        fail(c, what);
    snprintf(why, sizeof(why), "%s", bgpbus_client_error(c));
    bgpbus_client_close(c);
    usage_error("%s: %s", what, why);
}

static int
cmd_neighbors(bgpbus_client *c, const char *show)
{
    struct bgpbus_neighbor *v;
    size_t n;
    int rc = bgpbus_neighbors(c, show, &v, &n);

    if (rc < 0)
        fail_call(c, rc, "neighbor");
    if (show && n == 0) {
        fprintf(stderr, "bgpbusctl: no neighbor %s\n", show);
        return 1;
    }
    if (opt_json)
        printf("[");
    else if (!show)
        printf("%-39s %10s %10s %-12s %10s %10s %10s\n", "Neighbor", "LocalAS", "PeerAS", "State",
               "Advertised", "UpdIn", "UpdOut");
    for (size_t i = 0; i < n; i++) {
        const struct bgpbus_neighbor *nb = &v[i];
        const char *addr = nb->address[0] ? nb->address : "?";
        const char *local = nb->local_address[0] ? nb->local_address : "-";
        if (opt_json) {
            printf("%s{\"address\": \"%s\", \"local_address\": \"%s\", \"local_as\": %u, "
                   "\"peer_as\": %u, \"state\": \"%s\", \"routes_advertised\": %" PRIu64
                   ", \"updates_received\": %" PRIu64 ", \"updates_sent\": %" PRIu64 "}",
                   i ? ", " : "", addr, local, nb->local_as, nb->peer_as, nb->state,
                   nb->routes_advertised, nb->updates_received, nb->updates_sent);
        } else if (show) {
            printf("neighbor %s\n  local address %s\n  local AS %u, peer AS %u\n  state %s\n"
                   "  routes advertised %" PRIu64 "\n  updates received %" PRIu64 ", sent %" PRIu64
                   "\n",
                   addr, local, nb->local_as, nb->peer_as, nb->state, nb->routes_advertised,
                   nb->updates_received, nb->updates_sent);
        } else {
            printf("%-39s %10u %10u %-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", addr,
                   nb->local_as, nb->peer_as, nb->state, nb->routes_advertised,
                   nb->updates_received, nb->updates_sent);
        }
    }
    if (opt_json)
        printf("]\n");
    bgpbus_neighbors_free(v);
    return 0;
}

static bool
parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;

    if (!s || !*s || *s == '-')
        return false;
    v = strtoul(s, &end, 10);
    if (*end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* The numeric settings of `neighbor add`. An unknown option is named as such whatever its value
 * looks like. *seen_as gets bit 0 for local-as, bit 1 for peer-as. */
static void
number_option(struct bgpbus_neighbor_config *cfg, const char *k, const char *v, unsigned *seen_as)
{
    static const char *const names[] = { "local-as", "peer-as", "connect", "listen", "hold-time" };
    const size_t count = sizeof(names) / sizeof(names[0]);
    size_t i = 0;
    uint32_t num;

    while (i < count && strcmp(k, names[i]) != 0)
        i++;
    if (i == count)
        usage_error("neighbor add: unknown option %s", k);
    if (!parse_u32(v, &num) || ((i == 2 || i == 3) && num > UINT16_MAX))
        usage_error("neighbor add: bad number %s for %s", v, k);
    if (i < 2)
        *seen_as |= 1u << i;
    if (i == 0)
        cfg->local_as = num;
    else if (i == 1)
        cfg->peer_as = num;
    else if (i == 2)
        cfg->connect_port = (uint16_t)num;
    else if (i == 3)
        cfg->listen_port = (uint16_t)num;
    else {
        cfg->has_hold_time = true;
        cfg->hold_time = num;
    }
}

static int
cmd_neighbor_add(bgpbus_client *c, char **w, int n)
{
    struct bgpbus_neighbor_config cfg = { 0 };
    const char *fams[6]; /* every family name once */
    unsigned seen_as = 0;
    int rc;

    if (n < 1)
        usage_error("neighbor add ADDRESS local-as N peer-as N [...]");
    cfg.address = w[0];
    cfg.families = fams;
    for (int i = 1; i < n; i++) {
        const char *k = w[i], *v = i + 1 < n ? w[i + 1] : NULL;
        if (strcmp(k, "passive") == 0) {
            cfg.passive = true;
            continue;
        }
        if (!v)
            usage_error("neighbor add: %s needs a value", k);
        i++;
        if (strcmp(k, "local-address") == 0)
            cfg.local_address = v;
        else if (strcmp(k, "router-id") == 0)
            cfg.router_id = v;
        else if (strcmp(k, "family") == 0) {
            if (cfg.n_families == sizeof(fams) / sizeof(fams[0]))
                usage_error("neighbor add: too many families");
            fams[cfg.n_families++] = v;
        } else
            number_option(&cfg, k, v, &seen_as);
    }
    if (seen_as != 3)
        usage_error("neighbor add needs local-as and peer-as");
    if ((rc = bgpbus_neighbor_add(c, &cfg)) < 0)
        fail_call(c, rc, "neighbor add");
    if (!opt_json)
        printf("neighbor %s added\n", w[0]);
    return 0;
}

static int
cmd_neighbor_remove(bgpbus_client *c, const char *address)
{
    int rc = bgpbus_neighbor_remove(c, address);

    if (rc < 0)
        fail_call(c, rc, "neighbor remove");
    if (!opt_json)
        printf("neighbor %s removed\n", address);
    return 0;
}

static int
cmd_rib(bgpbus_client *c, bool in, const char *neighbor, const char *family)
{
    Bgpbus__V1__Request req = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__ShowAdjRib show = BGPBUS__V1__SHOW_ADJ_RIB__INIT;
    Bgpbus__V1__Family fam = BGPBUS__V1__FAMILY__INIT, *famp = &fam;
    struct arena a;
    size_t count = 0;

    arena_init(&a, 1024);
    if (neighbor && !(req.neighbors = client_selector_pb(neighbor, &a)))
        usage_error("bad neighbor address %s", neighbor);
    if (family) {
        if (!client_family_parse(family, &fam.afi, &fam.safi))
            usage_error("unknown family %s (ipv4, ipv6, ipv4-multicast, ipv6-multicast)", family);
        fam.has_afi = fam.has_safi = true;
        show.families = &famp;
        show.n_families = 1;
    }
    show.has_direction = true;
    show.direction = in ? BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN
                        : BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_OUT;
    show.has_extensive = show.extensive = true;
    req.command_case = BGPBUS__V1__REQUEST__COMMAND_SHOW_ADJ_RIB;
    req.show_adj_rib = &show;
    if (opt_json)
        printf("[");
    else
        printf("%-39s %-22s %-15s %-18s %s\n", "Neighbor", "Prefix", "Family", "NextHop",
               "AS path / attributes");
    /* reply.proto RouteTable: read pages until next_page_token is absent. */
    for (;;) {
        Bgpbus__V1__Reply *rep = call(c, &req, in ? "rib in" : "rib out");
        const Bgpbus__V1__RouteTable *t = rep->routes;
        for (size_t p = 0; t && p < t->n_peers; p++) {
            char peer[INET6_ADDRSTRLEN] = "-";
            if (t->peers[p]->peer && t->peers[p]->peer->has_address)
                client_addr_text(&t->peers[p]->peer->address, peer, sizeof(peer));
            for (size_t i = 0; i < t->peers[p]->n_routes; i++) {
                const Bgpbus__V1__Route *r = t->peers[p]->routes[i];
                char pfx[96] = "?", nh[INET6_ADDRSTRLEN + 8], path[512], comm[512];
                if (r->nlri)
                    client_nlri_text(r->nlri, pfx, sizeof(pfx));
                attrs_text(r->attributes, nh, sizeof(nh), path, sizeof(path), comm, sizeof(comm));
                const Bgpbus__V1__Attributes *at = r->attributes;
                const char *fn = r->nlri ? family_name(r->nlri) : "?";
                if (opt_json) {
                    printf("%s{\"neighbor\": \"%s\", \"prefix\": \"%s\", \"family\": \"%s\", "
                           "\"next_hop\": \"%s\"",
                           count ? ", " : "", peer, pfx, fn, nh);
                    attrs_json(at);
                    if (r->owner && *r->owner) {
                        printf(", \"owner\": ");
                        json_str(r->owner);
                    }
                    printf("}");
                } else {
                    printf("%-39s %-22s %-15s %-18s %s", peer, pfx, fn, nh, *path ? path : "-");
                    if (*comm)
                        printf(" comm %s", comm);
                    if (at && at->has_med)
                        printf(" med %u", at->med);
                    if (at && at->has_local_pref)
                        printf(" lp %u", at->local_pref);
                    if (r->owner && *r->owner)
                        printf(" owner %s", r->owner);
                    putchar('\n');
                }
                count++;
            }
        }
        bool more = t && t->has_next_page_token && t->next_page_token.len;
        if (more) {
            show.has_page_token = true;
            show.page_token.data =
                arena_memdup(&a, t->next_page_token.data, t->next_page_token.len);
            show.page_token.len = t->next_page_token.len;
        }
        bgpbus_reply_free(rep);
        if (!more || !show.page_token.data)
            break;
    }
    if (opt_json)
        printf("]\n");
    else
        printf("%zu route(s)\n", count);
    arena_free(&a);
    return 0;
}

static int
cmd_text(bgpbus_client *c, char **w, int n)
{
    size_t len = 0;
    char *line;

    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    if (!(line = malloc(len + 1)))
        return 1;
    line[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(line, w[i]);
        if (i + 1 < n)
            strcat(line, " ");
    }
    int rc = bgpbus_send_text(c, line);
    free(line);
    if (rc == BGPBUS_E_INVALID) {
        fprintf(stderr, "bgpbusctl: %s\n", bgpbus_client_error(c));
        return EXIT_USAGE;
    }
    if (rc < 0)
        fail(c, w[0]);
    if (opt_json)
        printf("{\"status\": \"done\"}\n");
    else
        printf("done\n");
    return 0;
}

struct load_stats {
    size_t ok, failed;
};

static void
load_line(void *arg, size_t line_no, const char *line, int status, const char *error)
{
    struct load_stats *ls = arg;
    (void)line;
    if (status == 0) {
        ls->ok++;
        return;
    }
    ls->failed++;
    if (ls->failed <= 20)
        fprintf(stderr, "bgpbusctl: line %zu: %s\n", line_no, error ? error : "failed");
}

static int
cmd_load(bgpbus_client *c, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char **lines = NULL, *buf = NULL;
    size_t n = 0, cap = 0, bcap = 0;
    ssize_t len;
    struct load_stats ls = { 0 };
    struct timespec t0, t1;

    if (!f) {
        fprintf(stderr, "bgpbusctl: cannot open %s\n", path);
        return 1;
    }
    while ((len = getline(&buf, &bcap, f)) >= 0) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = 0;
        const char *p = buf + strspn(buf, " \t");
        if (!*p || *p == '#')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            char **grown = realloc(lines, cap * sizeof(*lines));
            if (!grown) {
                fprintf(stderr, "bgpbusctl: out of memory\n");
                return 1;
            }
            lines = grown;
        }
        if (!(lines[n++] = strdup(p))) {
            fprintf(stderr, "bgpbusctl: out of memory\n");
            return 1;
        }
    }
    free(buf);
    if (f != stdin)
        fclose(f);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = bgpbus_send_lines(c, (const char *const *)lines, n, load_line, &ls);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    if (opt_json)
        printf("{\"lines\": %zu, \"done\": %zu, \"failed\": %zu, \"seconds\": %.3f}\n", n, ls.ok,
               ls.failed, secs);
    else
        printf("%zu line(s): %zu done, %zu failed in %.3f s (%.0f lines/s)\n", n, ls.ok, ls.failed,
               secs, secs > 0 ? (double)n / secs : 0.0);
    if (rc < 0 && rc != BGPBUS_E_PARTIAL)
        fail(c, "load");
    return ls.failed ? 1 : 0;
}

/* ---- watch --------------------------------------------------------------------------------- */

enum watch_format { WATCH_TEXT, WATCH_JSON, WATCH_EXABGP };

static void
watch_print(const bgpbus_event *ev, enum watch_format fmt, struct exa_buf *buf)
{
    const Bgpbus__V1__Event *pb = bgpbus_event_raw(ev);
    const char *type = bgpbus_event_type_name(bgpbus_event_type(ev));
    const char *peer = *bgpbus_event_neighbor(ev) ? bgpbus_event_neighbor(ev) : "-";

    if (bgpbus_event_lost(ev))
        fprintf(stderr, "bgpbusctl: %" PRIu64 " event(s) lost before this one\n",
                bgpbus_event_lost(ev));
    if (fmt == WATCH_EXABGP) {
        static const struct exa_env env = { .host = "bgpbus", .time_override = -1 };
        exa_buf_reset(buf);
        if (exa_json_event(pb, &env, bgpbus_event_seq(ev), EXA_PARSED, 0, buf) == 0)
            fputs(buf->data, stdout);
        return;
    }
    if (fmt == WATCH_JSON) {
        printf("{\"seq\": %" PRIu64 ", \"time\": %.3f, \"type\": \"%s\", \"neighbor\": \"%s\"",
               pb->seq, pb->time, type, peer);
        if (bgpbus_event_state(ev))
            printf(", \"state\": \"%s\"", bgpbus_event_state(ev));
        if (bgpbus_event_type(ev) == BGPBUS_EVENT_UPDATE) {
            char nh[INET6_ADDRSTRLEN + 8];
            printf(", \"announce\": [");
            for (size_t i = 0; i < bgpbus_event_announced_count(ev); i++)
                printf("%s\"%s\"", i ? ", " : "", bgpbus_event_announced(ev, i));
            printf("], \"withdraw\": [");
            for (size_t i = 0; i < bgpbus_event_withdrawn_count(ev); i++)
                printf("%s\"%s\"", i ? ", " : "", bgpbus_event_withdrawn(ev, i));
            printf("]");
            if (pb->update->n_announced && pb->update->announced[0]->next_hop &&
                pb->update->announced[0]->next_hop->has_address) {
                client_addr_text(&pb->update->announced[0]->next_hop->address, nh, sizeof(nh));
                printf(", \"next_hop\": \"%s\"", nh);
            }
            attrs_json(pb->update->attributes);
        }
        printf("}\n");
        return;
    }
    if (bgpbus_event_type(ev) == BGPBUS_EVENT_UPDATE) {
        for (size_t i = 0; i < bgpbus_event_withdrawn_count(ev); i++)
            printf("update %s withdraw %s\n", peer, bgpbus_event_withdrawn(ev, i));
        for (size_t i = 0; i < bgpbus_event_announced_count(ev); i++)
            printf("update %s announce %s\n", peer, bgpbus_event_announced(ev, i));
    } else if (bgpbus_event_state(ev)) {
        printf("state %s %s\n", peer, bgpbus_event_state(ev));
    } else {
        printf("%s %s\n", type, peer);
    }
}

static int
cmd_watch(bgpbus_client *c, const char *type, const char *neighbor, enum watch_format fmt,
          long count, int secs)
{
    char topic[128];
    struct exa_buf buf;
    int64_t deadline = secs > 0 ? client_now_ms() + (int64_t)secs * 1000 : INT64_MAX;

    if (type && bgpbus_event_type_from_name(type) < 0)
        usage_error("unknown event type %s", type);
    if (neighbor && !type)
        usage_error("watch --neighbor needs --type (topics are ev/<type>/<neighbor>/)");
    if (bgpbus_topic(topic, sizeof(topic), type, neighbor) < 0)
        usage_error("bad topic");
    if (bgpbus_subscribe(c, topic) < 0)
        fail(c, "watch");
    exa_buf_init(&buf);
    setvbuf(stdout, NULL, _IOLBF, 0);
    fprintf(stderr, "bgpbusctl: watching %s\n", topic);
    while (count != 0) {
        int64_t left = deadline - client_now_ms();
        if (left <= 0) {
            exa_buf_free(&buf);
            return count > 0 ? 1 : 0;
        }
        bgpbus_event *ev;
        int rc = bgpbus_next_event(c, left > 1000 ? 1000 : (int)left, &ev);
        if (rc < 0) {
            exa_buf_free(&buf);
            fail(c, "watch");
        }
        if (rc == 0)
            continue;
        /* Keepalives are noise unless asked for by type. */
        if (bgpbus_event_type(ev) != BGPBUS_EVENT_KEEPALIVE || type) {
            watch_print(ev, fmt, &buf);
            if (count > 0)
                count--;
        }
        bgpbus_event_free(ev);
    }
    exa_buf_free(&buf);
    return 0;
}

/* ---- main ---------------------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "command", required_argument, NULL, 'C' },
        { "events", required_argument, NULL, 'E' },
        { "json", no_argument, NULL, 'j' },
        { "exabgp-json", no_argument, NULL, 'x' },
        { "timeout", required_argument, NULL, 't' },
        { "tls-cert", required_argument, NULL, '1' },
        { "tls-key", required_argument, NULL, '2' },
        { "tls-ca", required_argument, NULL, '3' },
        { "tls-server-name", required_argument, NULL, '4' },
        { "neighbor", required_argument, NULL, 'n' },
        { "family", required_argument, NULL, 'f' },
        { "type", required_argument, NULL, 'T' },
        { "count", required_argument, NULL, 'k' },
        { "seconds", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *neighbor = NULL, *family = NULL, *type = NULL;
    enum watch_format fmt = WATCH_TEXT;
    long count = -1;
    int secs = 0, ch;
    char *words[256];
    int nwords = 0;

    /* Options anywhere; "--" ends them (an ExaBGP line may contain words starting with -). */
    while (optind < argc) {
        if ((ch = getopt_long(argc, argv, "+hj", longopts, NULL)) == -1) {
            if (optind < argc) {
                if (nwords == (int)(sizeof(words) / sizeof(words[0])))
                    usage_error("too many words");
                words[nwords++] = argv[optind++];
            }
            continue;
        }
        switch (ch) {
        case 'C': opts.command_url = optarg; break;
        case 'E': opts.events_url = optarg; break;
        case 'j': opt_json = true, fmt = fmt == WATCH_TEXT ? WATCH_JSON : fmt; break;
        case 'x': fmt = WATCH_EXABGP; break;
        case 't': opts.timeout_ms = atoi(optarg); break;
        case '1': tls.cert = optarg, opts.tls = &tls; break;
        case '2': tls.key = optarg, opts.tls = &tls; break;
        case '3': tls.ca = optarg, opts.tls = &tls; break;
        case '4': tls.server_name = optarg, opts.tls = &tls; break;
        case 'n': neighbor = optarg; break;
        case 'f': family = optarg; break;
        case 'T': type = optarg; break;
        case 'k': count = atol(optarg); break;
        case 's': secs = atoi(optarg); break;
        case 'h': usage_error("help");
        default: usage_error("bad option");
        }
    }
    if (nwords == 0)
        usage_error("no command");
    const char *cmd = words[0];
    bool route_text = strcmp(cmd, "announce") == 0 || strcmp(cmd, "withdraw") == 0;
    bool known = route_text || strcmp(cmd, "ping") == 0 || strcmp(cmd, "version") == 0 ||
                 strcmp(cmd, "neighbor") == 0 || strcmp(cmd, "neighbors") == 0 ||
                 strcmp(cmd, "rib") == 0 || strcmp(cmd, "load") == 0 || strcmp(cmd, "watch") == 0;
    if (!known)
        usage_error("unknown command '%s'", cmd);
    /* Usage is checked before connecting: a typo is a usage error even when the speaker is down. */
    if (strcmp(cmd, "rib") == 0 &&
        (nwords != 2 || (strcmp(words[1], "in") != 0 && strcmp(words[1], "out") != 0)))
        usage_error("rib out|in [--neighbor A] [--family F]");
    if (strcmp(cmd, "load") == 0 && nwords != 2)
        usage_error("load FILE|-");
    if (route_text && nwords < 2)
        usage_error("%s needs an ExaBGP route (e.g. %s route 10.0.0.0/24 next-hop 192.0.2.1)", cmd,
                    cmd);
    if (strcmp(cmd, "neighbor") == 0 && nwords >= 2 && strcmp(words[1], "list") != 0 &&
        strcmp(words[1], "show") != 0 && strcmp(words[1], "add") != 0 &&
        strcmp(words[1], "remove") != 0)
        /* ExaBGP's "neighbor A announce ..." selector form is a route line. */
        route_text = true;
    if (strcmp(cmd, "neighbor") == 0 && !route_text && nwords >= 2 &&
        (strcmp(words[1], "show") == 0 || strcmp(words[1], "remove") == 0) && nwords != 3)
        usage_error("neighbor %s ADDRESS", words[1]);

    bgpbus_client *c = connect_speaker();
    int rc;
    if (route_text)
        rc = cmd_text(c, words, nwords);
    else if (strcmp(cmd, "ping") == 0)
        rc = cmd_ping(c);
    else if (strcmp(cmd, "version") == 0)
        rc = cmd_version(c);
    else if (strcmp(cmd, "rib") == 0)
        rc = cmd_rib(c, strcmp(words[1], "in") == 0, neighbor, family);
    else if (strcmp(cmd, "load") == 0)
        rc = cmd_load(c, words[1]);
    else if (strcmp(cmd, "watch") == 0)
        rc = cmd_watch(c, type, neighbor, fmt, count, secs);
    else if (nwords == 1 || strcmp(words[1], "list") == 0)
        rc = cmd_neighbors(c, NULL);
    else if (strcmp(words[1], "show") == 0)
        rc = cmd_neighbors(c, words[2]);
    else if (strcmp(words[1], "add") == 0)
        rc = cmd_neighbor_add(c, words + 2, nwords - 2);
    else
        rc = cmd_neighbor_remove(c, words[2]);
    bgpbus_client_close(c);
    return rc;
}
