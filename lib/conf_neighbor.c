#include "conf_neighbor.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define NB_BIT(opt) (UINT64_C(1) << (opt))

/* RFC 2385 leaves the key length open; Linux TCP_MD5SIG_MAXKEYLEN and ExaBGP both stop at 80. */
#define CONF_MD5_MAX 80
/* RFC 4724 3: the Restart Time field is 12 bits. */
#define CONF_GR_MAX  4095

static int
nb_fail(struct conf_error *err, const struct conf_word *w, const char *fmt, const char *a,
        const char *b)
{
    char msg[CONF_ERROR_MSG_MAX];

    snprintf(msg, sizeof(msg), fmt, a != NULL ? a : "", b != NULL ? b : "");
    conf_error_set(err, w->file, w->line, w->col, "%s", msg);
    return -1;
}

static int
nb_oom(struct conf_error *err, const struct conf_word *w)
{
    return nb_fail(err, w, "out of memory", NULL, NULL);
}

/* A statement `keyword value`: exactly one value. */
static int
nb_one_value(const struct conf_node *st, struct conf_error *err)
{
    if (st->nwords < 2)
        return nb_fail(err, &st->words[0], "'%s' expects a value", st->words[0].text, NULL);
    if (st->nwords > 2)
        return nb_fail(err, &st->words[2], "unexpected '%s' after '%s'", st->words[2].text,
                       st->words[1].text);
    return 0;
}

static int
nb_no_value(const struct conf_node *st, struct conf_error *err)
{
    if (st->nwords > 1)
        return nb_fail(err, &st->words[1], "unexpected '%s' after '%s'", st->words[1].text,
                       st->words[0].text);
    return 0;
}

static int
nb_parse_u32(const struct conf_word *w, uint32_t max, uint32_t *out, const char *what,
             struct conf_error *err)
{
    const char *s = w->text;
    uint64_t v = 0;

    if (*s == '\0')
        return nb_fail(err, w, "invalid %s '%s'", what, s);
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return nb_fail(err, w, "invalid %s '%s', expected a number", what, w->text);
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max) {
            char lim[32];

            snprintf(lim, sizeof(lim), "%lu", (unsigned long)max);
            return nb_fail(err, w, "'%s' is larger than %s", w->text, lim);
        }
    }
    *out = (uint32_t)v;
    return 0;
}

/* ASN as a number or RFC 5396 asdot (high.low). */
static int
nb_parse_asn(const struct conf_word *w, uint32_t *out, struct conf_error *err)
{
    const char *dot = strchr(w->text, '.');
    uint32_t high, low;

    if (dot == NULL)
        return nb_parse_u32(w, UINT32_MAX, out, "ASN", err);
    {
        struct conf_word hw = *w, lw = *w;
        char hbuf[16];
        size_t hl = (size_t)(dot - w->text);

        if (hl == 0 || hl >= sizeof(hbuf))
            return nb_fail(err, w, "invalid ASN '%s'", w->text, NULL);
        memcpy(hbuf, w->text, hl);
        hbuf[hl] = '\0';
        hw.text = hbuf;
        lw.text = dot + 1;
        if (nb_parse_u32(&hw, 65535, &high, "ASN", err) < 0 ||
            nb_parse_u32(&lw, 65535, &low, "ASN", err) < 0)
            return nb_fail(err, w, "invalid ASN '%s'", w->text, NULL);
    }
    *out = (high << 16) | low;
    return 0;
}

/* An IPv4 or IPv6 address; with allow_prefix, an optional /len (peer-address ranges). */
static int
nb_parse_addr(const struct conf_word *w, bool allow_prefix, struct conf_addr *out,
              struct conf_error *err)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(w->text, '/');
    size_t len = slash != NULL ? (size_t)(slash - w->text) : strlen(w->text);

    memset(out, 0, sizeof(*out));
    if (len >= sizeof(buf) || (slash != NULL && !allow_prefix))
        return nb_fail(err, w, "'%s' is not a valid IP address", w->text, NULL);
    memcpy(buf, w->text, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, out->bytes) == 1) {
        out->af = AF_INET;
        out->plen = 32;
    } else if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
        out->af = AF_INET6;
        out->plen = 128;
    } else {
        return nb_fail(err, w, "'%s' is not a valid IP address", w->text, NULL);
    }
    if (slash != NULL) {
        struct conf_word lw = *w;
        uint32_t plen;

        lw.text = slash + 1;
        if (nb_parse_u32(&lw, out->plen, &plen, "prefix length", err) < 0)
            return -1;
        out->plen = (uint8_t)plen;
    }
    out->text = w->text;
    return 0;
}

int
conf_neighbor_parse_peer(const struct conf_word *w, struct conf_addr *out, struct conf_error *err)
{
    return nb_parse_addr(w, true, out, err);
}

/* ExaBGP's boolean: alone means true, else true|enable|enabled|false|disable|disabled. */
static int
nb_parse_bool(const struct conf_node *st, bool *out, struct conf_error *err)
{
    const char *v;

    if (st->nwords == 1) {
        *out = true;
        return 0;
    }
    if (nb_one_value(st, err) < 0)
        return -1;
    v = st->words[1].text;
    if (strcasecmp(v, "true") == 0 || strcasecmp(v, "enable") == 0 ||
        strcasecmp(v, "enabled") == 0) {
        *out = true;
        return 0;
    }
    if (strcasecmp(v, "false") == 0 || strcasecmp(v, "disable") == 0 ||
        strcasecmp(v, "disabled") == 0) {
        *out = false;
        return 0;
    }
    return nb_fail(err, &st->words[1], "invalid value '%s' for '%s', expected true or false", v,
                   st->words[0].text);
}

/* host-name / domain-name: the character rules ExaBGP enforces (neighbor/parser.py). */
static int
nb_check_dns_name(const struct conf_word *w, struct conf_error *err)
{
    const char *s = w->text;
    size_t len = strlen(s);

    if (len == 0 || len > 255 || !isalnum((unsigned char)s[0]) ||
        !isalnum((unsigned char)s[len - 1]) || strstr(s, "..") != NULL)
        return nb_fail(err, w, "invalid name '%.100s'", s, NULL);
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
            return nb_fail(err, w, "invalid character in name '%.100s'", s, NULL);
    return 0;
}

static int
nb_parse_ttl(const struct conf_node *st, int16_t *out, struct conf_error *err)
{
    const char *v;
    uint32_t ttl;

    if (nb_one_value(st, err) < 0)
        return -1;
    v = st->words[1].text;
    if (strcasecmp(v, "false") == 0 || strcasecmp(v, "disable") == 0 ||
        strcasecmp(v, "disabled") == 0) {
        *out = -1;
        return 0;
    }
    if (nb_parse_u32(&st->words[1], 255, &ttl, "ttl", err) < 0)
        return -1;
    *out = (int16_t)ttl;
    return 0;
}

/*
 * Arrays in the arena grow by doubling; their capacity is implied by their length (0, or the
 * power of two at or above max(n, 4)), so no capacity field is needed and a block with thousands
 * of routes costs linear, not quadratic, memory.
 */
static size_t
nb_cap(size_t n)
{
    size_t cap = 4;

    if (n == 0)
        return 0;
    while (cap < n)
        cap *= 2;
    return cap;
}

/* Makes room for add more elements after n; returns the (maybe moved) array or NULL. */
static void *
nb_grow(struct conf_arena *arena, void *arr, size_t n, size_t add, size_t elem)
{
    size_t cap = nb_cap(n + add);
    void *d;

    if (add == 0 || (n > 0 && nb_cap(n) >= n + add))
        return arr;
    if (cap > SIZE_MAX / elem)
        return NULL;
    d = conf_arena_alloc(arena, cap * elem);
    if (d != NULL && n > 0)
        memcpy(d, arr, n * elem);
    return d;
}

/* Appends add words to an arena array. */
static int
nb_words_append(struct conf_arena *arena, struct conf_word **arr, size_t *n,
                const struct conf_word *w, size_t add)
{
    struct conf_word *d;

    if (add == 0)
        return 0;
    d = nb_grow(arena, *arr, *n, add, sizeof(*d));
    if (d == NULL)
        return -1;
    memcpy(d + *n, w, add * sizeof(*d));
    *arr = d;
    *n += add;
    return 0;
}

/* Copies n words to a new arena array (NULL for none). */
static struct conf_word *
nb_words_dup(struct conf_arena *arena, const struct conf_word *w, size_t n)
{
    struct conf_word *d = NULL;
    size_t len = 0;

    if (nb_words_append(arena, &d, &len, w, n) < 0)
        return NULL;
    return d;
}

static int
nb_route_add(struct conf_arena *arena, struct conf_neighbor *nb, const struct conf_route *r,
             struct conf_error *err)
{
    struct conf_route *d = nb_grow(arena, nb->routes, nb->nroutes, 1, sizeof(*d));

    if (d == NULL)
        return nb_oom(err, &r->at);
    d[nb->nroutes] = *r;
    nb->routes = d;
    nb->nroutes++;
    return 0;
}

/* Joins the statements of a block (and of its sub-blocks, when allowed) into route words. */
static int
nb_flatten(struct conf_arena *arena, const struct conf_node *block, struct conf_route *r,
           const char *const *subblocks, struct conf_error *err)
{
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];

        if (c->block) {
            bool ok = false;

            for (size_t k = 0; subblocks != NULL && subblocks[k] != NULL; k++)
                if (strcmp(c->words[0].text, subblocks[k]) == 0)
                    ok = true;
            if (!ok || c->nwords != 1)
                return nb_fail(err, &c->words[0], "unexpected section '%s' in a route",
                               c->words[0].text, NULL);
            if (nb_flatten(arena, c, r, NULL, err) < 0)
                return -1;
            continue;
        }
        if (nb_words_append(arena, &r->words, &r->nwords, c->words, c->nwords) < 0)
            return nb_oom(err, &c->words[0]);
    }
    return 0;
}

/* --- family, add-path, nexthop ------------------------------------------------------------ */

static const char *const nb_afis = "ipv4, ipv6, l2vpn or bgp-ls";

static int
nb_parse_family_block(const struct conf_node *block, conf_family_set *out, struct conf_error *err)
{
    bool all = false;

    if (block->nwords > 1)
        return nb_fail(err, &block->words[1], "unexpected '%s' after '%s'", block->words[1].text,
                       block->words[0].text);
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *st = &block->children[i];
        const struct conf_family *f;

        if (st->block)
            return nb_fail(err, &st->words[0], "unexpected section '%s' in %s", st->words[0].text,
                           block->words[0].text);
        if (strcmp(st->words[0].text, "all") == 0) {
            if (nb_no_value(st, err) < 0)
                return -1;
            if (*out != 0)
                return nb_fail(err, &st->words[0], "'all' can not be used with other families",
                               NULL, NULL);
            *out = conf_family_all();
            all = true;
            continue;
        }
        if (strcmp(st->words[0].text, "minimal") == 0)
            return nb_fail(err, &st->words[0], "'family minimal' is deprecated (ExaBGP 4)", NULL,
                           NULL);
        if (all)
            return nb_fail(err, &st->words[0], "no family can be added once 'all' is set", NULL,
                           NULL);
        if (strcmp(st->words[0].text, "ipv4") != 0 && strcmp(st->words[0].text, "ipv6") != 0 &&
            strcmp(st->words[0].text, "l2vpn") != 0 && strcmp(st->words[0].text, "bgp-ls") != 0)
            return nb_fail(err, &st->words[0], "unknown address family '%s', expected %s",
                           st->words[0].text, nb_afis);
        if (st->nwords < 2)
            return nb_fail(err, &st->words[0], "'%s' expects a subsequent address family",
                           st->words[0].text, NULL);
        if (st->nwords > 2)
            return nb_fail(err, &st->words[2], "unexpected '%s' after '%s'", st->words[2].text,
                           st->words[1].text);
        f = conf_family_lookup(st->words[0].text, st->words[1].text);
        if (f == NULL)
            return nb_fail(err, &st->words[1], "invalid afi/safi pair %s/%s", st->words[0].text,
                           st->words[1].text);
        if (*out & (1u << f->id))
            return nb_fail(err, &st->words[0], "duplicate afi/safi pair %s/%s", f->afi_name,
                           f->safi_name);
        *out |= 1u << f->id;
    }
    return 0;
}

/* nexthop { ipv4 unicast ipv6; ipv6 unicast ipv4; } (RFC 8950): only those SAFIs, other AFI. */
static int
nb_parse_nexthop_block(const struct conf_node *block, conf_family_set *out, struct conf_error *err)
{
    static const char *const safis[] = { "unicast", "multicast", "nlri-mpls", "mpls-vpn" };

    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *st = &block->children[i];
        const char *afi = st->words[0].text;
        const char *other;
        const struct conf_family *f = NULL;

        if (st->block)
            return nb_fail(err, &st->words[0], "unexpected section '%s' in nexthop", afi, NULL);
        if (strcmp(afi, "ipv4") == 0)
            other = "ipv6";
        else if (strcmp(afi, "ipv6") == 0)
            other = "ipv4";
        else
            return nb_fail(err, &st->words[0],
                           "unknown next-hop family '%s', expected ipv4 or ipv6", afi, NULL);
        if (st->nwords != 3)
            return nb_fail(err, &st->words[0], "expected '%s <safi> %s'", afi, other);
        for (size_t k = 0; k < sizeof(safis) / sizeof(safis[0]); k++)
            if (strcasecmp(st->words[1].text, safis[k]) == 0)
                f = conf_family_lookup(afi, safis[k]);
        if (f == NULL)
            return nb_fail(err, &st->words[1], "invalid afi/safi pair %s/%s", afi,
                           st->words[1].text);
        if (strcasecmp(st->words[2].text, other) != 0)
            return nb_fail(err, &st->words[2], "invalid next-hop afi '%s', expected %s",
                           st->words[2].text, other);
        *out |= 1u << f->id;
    }
    return 0;
}

/* --- capability ----------------------------------------------------------------------------- */

static int
nb_parse_capability(const struct conf_node *block, struct conf_neighbor *nb, struct conf_error *err)
{
    static const struct {
        const char *kw;
        enum conf_nb_opt opt;
        size_t off;
    } bools[] = {
        { "asn4", CONF_NB_CAP_ASN4, offsetof(struct conf_capability, asn4) },
        { "extended-message", CONF_NB_CAP_EXTENDED_MESSAGE,
          offsetof(struct conf_capability, extended_message) },
        { "multi-session", CONF_NB_CAP_MULTI_SESSION,
          offsetof(struct conf_capability, multi_session) },
        { "operational", CONF_NB_CAP_OPERATIONAL, offsetof(struct conf_capability, operational) },
        { "route-refresh", CONF_NB_CAP_ROUTE_REFRESH,
          offsetof(struct conf_capability, route_refresh) },
        { "nexthop", CONF_NB_CAP_NEXTHOP, offsetof(struct conf_capability, nexthop) },
        { "aigp", CONF_NB_CAP_AIGP, offsetof(struct conf_capability, aigp) },
        { "link-local-nexthop", CONF_NB_CAP_LINK_LOCAL_NEXTHOP,
          offsetof(struct conf_capability, link_local_nexthop) },
        { "software-version", CONF_NB_CAP_SOFTWARE_VERSION,
          offsetof(struct conf_capability, software_version) },
    };

    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *st = &block->children[i];
        const char *kw = st->words[0].text;
        bool done = false;

        if (st->block)
            return nb_fail(err, &st->words[0], "unexpected section '%s' in capability", kw, NULL);
        for (size_t k = 0; k < sizeof(bools) / sizeof(bools[0]); k++) {
            if (strcmp(kw, bools[k].kw) != 0)
                continue;
            if (nb_parse_bool(st, (bool *)((char *)&nb->capability + bools[k].off), err) < 0)
                return -1;
            nb->set |= NB_BIT(bools[k].opt);
            done = true;
        }
        if (done)
            continue;
        if (strcmp(kw, "add-path") == 0) {
            const char *v;

            if (nb_one_value(st, err) < 0)
                return -1;
            v = st->words[1].text;
            if (strcasecmp(v, "disable") == 0 || strcasecmp(v, "disabled") == 0)
                nb->capability.add_path = CONF_ADD_PATH_DISABLED;
            else if (strcasecmp(v, "receive") == 0)
                nb->capability.add_path = CONF_ADD_PATH_RECEIVE;
            else if (strcasecmp(v, "send") == 0)
                nb->capability.add_path = CONF_ADD_PATH_SEND;
            else if (strcasecmp(v, "send/receive") == 0)
                nb->capability.add_path = CONF_ADD_PATH_BOTH;
            else
                return nb_fail(err, &st->words[1],
                               "invalid add-path '%s', expected send, receive, send/receive or "
                               "disable",
                               v, NULL);
            nb->set |= NB_BIT(CONF_NB_CAP_ADD_PATH);
        } else if (strcmp(kw, "graceful-restart") == 0) {
            uint32_t t;

            if (st->nwords == 1) {
                nb->capability.graceful_restart = 0; /* the hold-time, resolved at finish */
            } else {
                if (nb_one_value(st, err) < 0)
                    return -1;
                if (strcasecmp(st->words[1].text, "disable") == 0 ||
                    strcasecmp(st->words[1].text, "disabled") == 0) {
                    nb->capability.graceful_restart = -1;
                } else {
                    if (nb_parse_u32(&st->words[1], CONF_GR_MAX, &t, "graceful-restart time", err) <
                        0)
                        return -1;
                    nb->capability.graceful_restart = (int32_t)t;
                }
            }
            nb->set |= NB_BIT(CONF_NB_CAP_GRACEFUL_RESTART);
        } else {
            return nb_fail(err, &st->words[0], "unknown capability '%s'", kw, NULL);
        }
    }
    return 0;
}

/* --- api ------------------------------------------------------------------------------------ */

static const char *const nb_api_msgs[CONF_API_MSG_COUNT] = {
    "parsed",       "packets",   "consolidate", "open",        "update",
    "notification", "keepalive", "refresh",     "operational",
};

static bool
nb_name_ok(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-' && *s != '_')
            return false;
    return true;
}

static int
nb_parse_api_direction(const struct conf_node *block, bool receive, uint32_t *flags,
                       struct conf_error *err)
{
    if (block->nwords > 1)
        return nb_fail(err, &block->words[1], "unexpected '%s' after '%s'", block->words[1].text,
                       block->words[0].text);
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *st = &block->children[i];
        int msg = -1;
        bool on;

        if (st->block)
            return nb_fail(err, &st->words[0], "unexpected section '%s' in %s", st->words[0].text,
                           block->words[0].text);
        for (int k = 0; k < CONF_API_MSG_COUNT; k++)
            if (strcmp(st->words[0].text, nb_api_msgs[k]) == 0)
                msg = k;
        if (msg < 0)
            return nb_fail(err, &st->words[0],
                           "unknown keyword '%s', expected parsed, packets, consolidate, open, "
                           "update, notification, keepalive, refresh or operational%s",
                           st->words[0].text, "");
        if (nb_parse_bool(st, &on, err) < 0)
            return -1;
        {
            uint32_t bit = receive ? CONF_API_RECEIVE(msg) : CONF_API_SEND(msg);

            *flags = on ? (*flags | bit) : (*flags & ~bit);
        }
    }
    return 0;
}

static int
nb_parse_api(struct conf_arena *arena, const struct conf_node *block, struct conf_neighbor *nb,
             struct conf_error *err)
{
    static const struct {
        const char *kw;
        uint32_t bit;
    } switches[] = {
        { "neighbor-changes", CONF_API_NEIGHBOR_CHANGES },
        { "negotiated", CONF_API_NEGOTIATED },
        { "fsm", CONF_API_FSM },
        { "signal", CONF_API_SIGNAL },
    };
    struct conf_api api = { .at = block->words[0] };
    struct conf_api *d;

    if (block->nwords > 2)
        return nb_fail(err, &block->words[2], "unexpected '%s' after '%s'", block->words[2].text,
                       block->words[1].text);
    if (block->nwords == 2) {
        api.name = block->words[1].text;
        if (!nb_name_ok(api.name))
            return nb_fail(err, &block->words[1], "invalid character in api name '%s'", api.name,
                           NULL);
        for (size_t i = 0; i < nb->napi; i++)
            if (nb->api[i].name != NULL && strcmp(nb->api[i].name, api.name) == 0)
                return nb_fail(err, &block->words[1], "the api name '%s' is already used", api.name,
                               NULL);
    }
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];
        const char *kw = c->words[0].text;
        bool done = false;

        if (c->block) {
            if (strcmp(kw, "receive") == 0 || strcmp(kw, "send") == 0) {
                if (nb_parse_api_direction(c, kw[0] == 'r', &api.flags, err) < 0)
                    return -1;
                continue;
            }
            return nb_fail(err, &c->words[0],
                           "unknown section '%s' in api, expected send or receive", kw, NULL);
        }
        for (size_t k = 0; k < sizeof(switches) / sizeof(switches[0]); k++) {
            bool on;

            if (strcmp(kw, switches[k].kw) != 0)
                continue;
            if (nb_parse_bool(c, &on, err) < 0)
                return -1;
            api.flags = on ? (api.flags | switches[k].bit) : (api.flags & ~switches[k].bit);
            done = true;
        }
        if (done)
            continue;
        if (strcmp(kw, "processes") == 0) {
            /* processes [ a b ] with optional commas (neighbor/parser.py processes()) */
            size_t n = c->nwords;

            if (n < 3 || strcmp(c->words[1].text, "[") != 0 || c->words[1].quoted)
                return nb_fail(err, n > 1 ? &c->words[1] : &c->words[0],
                               "expected '[' and a list of process names after 'processes'", NULL,
                               NULL);
            if (strcmp(c->words[n - 1].text, "]") != 0 || c->words[n - 1].quoted)
                return nb_fail(err, &c->words[n - 1], "expected ']' to end the process list", NULL,
                               NULL);
            api.processes = NULL;
            api.nprocesses = 0;
            for (size_t k = 2; k + 1 < n; k++) {
                if (strcmp(c->words[k].text, ",") == 0 && !c->words[k].quoted)
                    continue;
                if (strcmp(c->words[k].text, "[") == 0 || strcmp(c->words[k].text, "]") == 0)
                    return nb_fail(err, &c->words[k], "unexpected '%s' in the process list",
                                   c->words[k].text, NULL);
                if (nb_words_append(arena, &api.processes, &api.nprocesses, &c->words[k], 1) < 0)
                    return nb_oom(err, &c->words[k]);
            }
            continue;
        }
        if (strcmp(kw, "processes-match") == 0)
            return nb_fail(err, &c->words[0],
                           "'processes-match' (ExaBGP main only) is not supported, list the "
                           "processes with 'processes [ ... ]'",
                           NULL, NULL);
        return nb_fail(err, &c->words[0],
                       "unknown keyword '%s' in api, expected processes, neighbor-changes, "
                       "negotiated, fsm, signal, send or receive%s",
                       kw, "");
    }
    d = nb_grow(arena, nb->api, nb->napi, 1, sizeof(*d));
    if (d == NULL)
        return nb_oom(err, &block->words[0]);
    d[nb->napi++] = api;
    nb->api = d;
    return 0;
}

/* --- routes --------------------------------------------------------------------------------- */

static int
nb_parse_static(struct conf_arena *arena, const struct conf_node *block, struct conf_neighbor *nb,
                struct conf_error *err)
{
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];
        const char *kw = c->words[0].text;
        struct conf_route r = { .at = c->words[0] };

        if (strcmp(kw, "route") == 0) {
            r.kind = CONF_ROUTE_STATIC;
        } else if (!c->block && (strcmp(kw, "attributes") == 0 || strcmp(kw, "attribute") == 0)) {
            r.kind = CONF_ROUTE_ATTRIBUTES; /* "attribute": ExaBGP 3.4 spelling */
        } else {
            return nb_fail(err, &c->words[0], "unknown keyword '%s' in static, expected route%s",
                           kw, c->block ? "" : " or attributes");
        }
        if (c->nwords < 2)
            return nb_fail(err, &c->words[0], "'%s' expects a prefix", kw, NULL);
        if (c->block && c->nwords > 2)
            return nb_fail(err, &c->words[2], "unexpected '%s' before '{'", c->words[2].text, NULL);
        r.words = nb_words_dup(arena, c->words + 1, c->nwords - 1);
        r.nwords = c->nwords - 1;
        if (r.words == NULL)
            return nb_oom(err, &c->words[0]);
        if (c->block && nb_flatten(arena, c, &r, NULL, err) < 0)
            return -1;
        if (nb_route_add(arena, nb, &r, err) < 0)
            return -1;
    }
    return 0;
}

/*
 * The blocks whose items are routes of one keyword, each a named block or a flat statement:
 *   flow  { route [NAME] { match { } scope { } then { } }  |  route <items>; }
 *   l2vpn { vpls [NAME] { ... }  |  vpls <items>; }
 * section: the block's name for messages; sections: sub-blocks flattened into the words.
 */
static int
nb_parse_route_block(struct conf_arena *arena, const struct conf_node *block,
                     struct conf_neighbor *nb, enum conf_route_kind kind, const char *section,
                     const char *keyword, const char *const *sections, struct conf_error *err)
{
    char what[64];

    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *c = &block->children[i];
        struct conf_route r = { .kind = kind, .at = c->words[0] };

        if (strcmp(c->words[0].text, keyword) != 0) {
            snprintf(what, sizeof(what), "unknown keyword '%%s' in %s, expected %s", section,
                     keyword);
            return nb_fail(err, &c->words[0], what, c->words[0].text, NULL);
        }
        if (c->block) {
            if (c->nwords > 2)
                return nb_fail(err, &c->words[2], "unexpected '%s' before '{'", c->words[2].text,
                               NULL);
            if (c->nwords == 2)
                r.name = c->words[1].text;
            if (nb_flatten(arena, c, &r, sections, err) < 0)
                return -1;
        } else {
            /* the flat statement form, as in the API: <keyword> <items>; */
            r.words = nb_words_dup(arena, c->words + 1, c->nwords - 1);
            r.nwords = c->nwords - 1;
            if (r.nwords > 0 && r.words == NULL)
                return nb_oom(err, &c->words[0]);
        }
        if (r.nwords == 0) {
            snprintf(what, sizeof(what), "empty %s %s", kind == CONF_ROUTE_FLOW ? "flow" : "vpls",
                     "route");
            return nb_fail(err, &c->words[0], what, NULL, NULL);
        }
        if (nb_route_add(arena, nb, &r, err) < 0)
            return -1;
    }
    return 0;
}

static int
nb_parse_flow(struct conf_arena *arena, const struct conf_node *block, struct conf_neighbor *nb,
              struct conf_error *err)
{
    static const char *const sections[] = { "match", "then", "scope", NULL };
    return nb_parse_route_block(arena, block, nb, CONF_ROUTE_FLOW, "flow", "route", sections, err);
}

static int
nb_parse_l2vpn(struct conf_arena *arena, const struct conf_node *block, struct conf_neighbor *nb,
               struct conf_error *err)
{
    return nb_parse_route_block(arena, block, nb, CONF_ROUTE_VPLS, "l2vpn", "vpls", NULL, err);
}

/* announce { ipv4 { unicast <route>; } ipv6 { ... } l2vpn { vpls ...; } } */
static int
nb_parse_announce(struct conf_arena *arena, const struct conf_node *block, struct conf_neighbor *nb,
                  struct conf_error *err)
{
    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *afi = &block->children[i];
        const char *an = afi->words[0].text;

        if (!afi->block ||
            (strcmp(an, "ipv4") != 0 && strcmp(an, "ipv6") != 0 && strcmp(an, "l2vpn") != 0))
            return nb_fail(err, &afi->words[0],
                           "unexpected '%s' in announce, expected a section ipv4, ipv6 or l2vpn",
                           an, NULL);
        if (afi->nwords > 1)
            return nb_fail(err, &afi->words[1], "unexpected '%s' after '%s'", afi->words[1].text,
                           an);
        for (size_t k = 0; k < afi->nchildren; k++) {
            const struct conf_node *st = &afi->children[k];
            struct conf_route r = { .kind = CONF_ROUTE_ANNOUNCE, .at = st->words[0] };

            if (st->block)
                return nb_fail(err, &st->words[0], "unexpected section '%s' in announce %s",
                               st->words[0].text, an);
            r.family = conf_family_lookup(an, st->words[0].text);
            if (r.family == NULL)
                return nb_fail(err, &st->words[0], "invalid afi/safi pair %s/%s", an,
                               st->words[0].text);
            /* announce { l2vpn { vpls <items>; } }: the same route as l2vpn { vpls <items>; } */
            if (r.family->id == CONF_FAMILY_L2VPN_VPLS)
                r.kind = CONF_ROUTE_VPLS;
            if (st->nwords < 2)
                return nb_fail(err, &st->words[0], "'%s' expects a route", st->words[0].text, NULL);
            r.words = nb_words_dup(arena, st->words + 1, st->nwords - 1);
            r.nwords = st->nwords - 1;
            if (r.words == NULL)
                return nb_oom(err, &st->words[0]);
            if (nb_route_add(arena, nb, &r, err) < 0)
                return -1;
        }
    }
    return 0;
}

/* draft-ietf-idr-operational-message: the message names ExaBGP accepts (SPEC 2.8). */
static int
nb_parse_operational(struct conf_arena *arena, const struct conf_node *block,
                     struct conf_neighbor *nb, struct conf_error *err)
{
    static const char *const ops[] = {
        "asm", "adm", "rpcq", "rpcp", "apcq", "apcp", "lpcq", "lpcp"
    };

    for (size_t i = 0; i < block->nchildren; i++) {
        const struct conf_node *st = &block->children[i];
        struct conf_route r = { .kind = CONF_ROUTE_OPERATIONAL, .at = st->words[0] };
        bool known = false;

        for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
            if (strcmp(st->words[0].text, ops[k]) == 0)
                known = true;
        if (st->block || !known)
            return nb_fail(err, &st->words[0],
                           "unknown operational message '%s', expected asm, adm, rpcq, rpcp, apcq, "
                           "apcp, lpcq or lpcp%s",
                           st->words[0].text, "");
        r.words = nb_words_dup(arena, st->words, st->nwords);
        r.nwords = st->nwords;
        if (r.words == NULL)
            return nb_oom(err, &st->words[0]);
        if (nb_route_add(arena, nb, &r, err) < 0)
            return -1;
    }
    return 0;
}

/* --- neighbor statements -------------------------------------------------------------------- */

static int
nb_parse_statement(struct conf_arena *arena, const struct conf_node *st, struct conf_neighbor *nb,
                   struct conf_error *err)
{
    static const struct {
        const char *kw;
        enum conf_nb_opt opt;
        size_t off;
    } bools[] = {
        { "passive", CONF_NB_PASSIVE, offsetof(struct conf_neighbor, passive) },
        { "group-updates", CONF_NB_GROUP_UPDATES, offsetof(struct conf_neighbor, group_updates) },
        { "auto-flush", CONF_NB_AUTO_FLUSH, offsetof(struct conf_neighbor, auto_flush) },
        { "adj-rib-out", CONF_NB_ADJ_RIB_OUT, offsetof(struct conf_neighbor, adj_rib_out) },
        { "adj-rib-in", CONF_NB_ADJ_RIB_IN, offsetof(struct conf_neighbor, adj_rib_in) },
        { "manual-eor", CONF_NB_MANUAL_EOR, offsetof(struct conf_neighbor, manual_eor) },
    };
    const char *kw = st->words[0].text;
    const struct conf_word *v = st->nwords > 1 ? &st->words[1] : NULL;
    uint32_t u;

    for (size_t k = 0; k < sizeof(bools) / sizeof(bools[0]); k++) {
        if (strcmp(kw, bools[k].kw) != 0)
            continue;
        if (nb_parse_bool(st, (bool *)((char *)nb + bools[k].off), err) < 0)
            return -1;
        nb->set |= NB_BIT(bools[k].opt);
        return 0;
    }

    if (strcmp(kw, "inherit") == 0) {
        /* inherit NAME;  or  inherit [ a b ]; */
        size_t first = 1, last = st->nwords;

        if (st->nwords >= 2 && strcmp(st->words[1].text, "[") == 0 && !st->words[1].quoted) {
            if (strcmp(st->words[st->nwords - 1].text, "]") != 0 || st->nwords < 4)
                return nb_fail(err, &st->words[0], "invalid inherit list, expected [ names ]", NULL,
                               NULL);
            first = 2;
            last = st->nwords - 1;
        } else if (nb_one_value(st, err) < 0) {
            return -1;
        }
        for (size_t k = first; k < last; k++) {
            if (strcmp(st->words[k].text, ",") == 0)
                continue;
            if (nb_words_append(arena, &nb->inherit, &nb->ninherit, &st->words[k], 1) < 0)
                return nb_oom(err, &st->words[k]);
        }
        return 0;
    }

    if (strcmp(kw, "description") == 0) {
        if (nb_one_value(st, err) < 0)
            return -1;
        nb->description = v->text;
        nb->set |= NB_BIT(CONF_NB_DESCRIPTION);
        return 0;
    }
    if (strcmp(kw, "host-name") == 0 || strcmp(kw, "domain-name") == 0) {
        bool host = kw[0] == 'h';

        if (nb_one_value(st, err) < 0 || nb_check_dns_name(v, err) < 0)
            return -1;
        *(host ? &nb->host_name : &nb->domain_name) = v->text;
        nb->set |= NB_BIT(host ? CONF_NB_HOST_NAME : CONF_NB_DOMAIN_NAME);
        return 0;
    }
    if (strcmp(kw, "md5-password") == 0) {
        if (nb_one_value(st, err) < 0)
            return -1;
        if (v->text[0] == '\0')
            return nb_fail(err, v, "empty md5-password", NULL, NULL);
        nb->md5_password = v->text;
        nb->set |= NB_BIT(CONF_NB_MD5_PASSWORD);
        return 0;
    }
    if (strcmp(kw, "source-interface") == 0) {
        if (nb_one_value(st, err) < 0)
            return -1;
        nb->source_interface = v->text;
        nb->set |= NB_BIT(CONF_NB_SOURCE_INTERFACE);
        return 0;
    }
    if (strcmp(kw, "router-id") == 0) {
        if (nb_one_value(st, err) < 0 || nb_parse_addr(v, false, &nb->router_id, err) < 0)
            return -1;
        if (nb->router_id.af != AF_INET) /* RFC 4271 4.2: a 4-octet BGP Identifier */
            return nb_fail(err, v, "router-id '%s' must be an IPv4 address", v->text, NULL);
        nb->set |= NB_BIT(CONF_NB_ROUTER_ID);
        return 0;
    }
    if (strcmp(kw, "hold-time") == 0) {
        if (nb_one_value(st, err) < 0 || nb_parse_u32(v, 65535, &u, "hold-time", err) < 0)
            return -1;
        if (u == 1 || u == 2) /* RFC 4271 4.2: zero or at least three seconds */
            return nb_fail(err, v, "hold-time must be zero or at least three seconds%s%s", NULL,
                           NULL);
        nb->hold_time = (uint16_t)u;
        nb->set |= NB_BIT(CONF_NB_HOLD_TIME);
        return 0;
    }
    if (strcmp(kw, "rate-limit") == 0) {
        if (nb_one_value(st, err) < 0)
            return -1;
        if (strcasecmp(v->text, "disable") == 0 || strcasecmp(v->text, "disabled") == 0)
            u = 0;
        else if (nb_parse_u32(v, UINT32_MAX, &u, "rate-limit", err) < 0)
            return -1;
        else if (u == 0)
            return nb_fail(err, v, "rate-limit must be at least 1 (per second) or disable%s%s",
                           NULL, NULL);
        nb->rate_limit = u;
        nb->set |= NB_BIT(CONF_NB_RATE_LIMIT);
        return 0;
    }
    if (strcmp(kw, "local-address") == 0) {
        if (nb_one_value(st, err) < 0)
            return -1;
        if (strcmp(v->text, "auto") == 0)
            memset(&nb->local_address, 0, sizeof(nb->local_address));
        else if (nb_parse_addr(v, false, &nb->local_address, err) < 0)
            return -1;
        nb->set |= NB_BIT(CONF_NB_LOCAL_ADDRESS);
        return 0;
    }
    if (strcmp(kw, "local-link-local") == 0 || strcmp(kw, "md5-ip") == 0) {
        struct conf_addr *a = kw[0] == 'l' ? &nb->local_link_local : &nb->md5_ip;

        if (nb_one_value(st, err) < 0 || nb_parse_addr(v, false, a, err) < 0)
            return -1;
        if (kw[0] == 'l' && a->af != AF_INET6)
            return nb_fail(err, v, "local-link-local '%s' must be an IPv6 address", v->text, NULL);
        nb->set |= NB_BIT(kw[0] == 'l' ? CONF_NB_LOCAL_LINK_LOCAL : CONF_NB_MD5_IP);
        return 0;
    }
    if (strcmp(kw, "peer-address") == 0) {
        return nb_fail(err, &st->words[0],
                       "'peer-address' is given by the neighbor section: neighbor <ip> { }%s%s",
                       NULL, NULL);
    }
    if (strcmp(kw, "local-as") == 0 || strcmp(kw, "peer-as") == 0) {
        uint32_t *asn = kw[0] == 'l' ? &nb->local_as : &nb->peer_as;

        if (nb_one_value(st, err) < 0 || nb_parse_asn(v, asn, err) < 0)
            return -1;
        nb->set |= NB_BIT(kw[0] == 'l' ? CONF_NB_LOCAL_AS : CONF_NB_PEER_AS);
        return 0;
    }
    if (strcmp(kw, "listen") == 0 || strcmp(kw, "connect") == 0) {
        if (nb_one_value(st, err) < 0 || nb_parse_u32(v, 65535, &u, "port", err) < 0)
            return -1;
        if (kw[0] == 'l') {
            nb->listen = (uint16_t)u;
            nb->set |= NB_BIT(CONF_NB_LISTEN);
        } else {
            nb->connect = (uint16_t)u;
            nb->set |= NB_BIT(CONF_NB_CONNECT);
        }
        return 0;
    }
    /* ttl-security: ExaBGP 3.x spelling of outgoing-ttl. */
    if (strcmp(kw, "outgoing-ttl") == 0 || strcmp(kw, "ttl-security") == 0) {
        if (nb_parse_ttl(st, &nb->outgoing_ttl, err) < 0)
            return -1;
        nb->set |= NB_BIT(CONF_NB_OUTGOING_TTL);
        return 0;
    }
    if (strcmp(kw, "incoming-ttl") == 0) {
        if (nb_parse_ttl(st, &nb->incoming_ttl, err) < 0)
            return -1;
        nb->set |= NB_BIT(CONF_NB_INCOMING_TTL);
        return 0;
    }
    if (strcmp(kw, "md5-base64") == 0) {
        /* auto_boolean: "auto" is ExaBGP's "decide later", i.e. false here */
        if (v != NULL && st->nwords == 2 && strcasecmp(v->text, "auto") == 0)
            nb->md5_base64 = false;
        else if (nb_parse_bool(st, &nb->md5_base64, err) < 0)
            return -1;
        nb->set |= NB_BIT(CONF_NB_MD5_BASE64);
        return 0;
    }
    return nb_fail(err, &st->words[0], "unknown keyword '%s' in neighbor", kw, NULL);
}

int
conf_neighbor_parse_item(struct conf_arena *arena, const struct conf_node *c,
                         struct conf_neighbor *nb, struct conf_error *err)
{
    const char *kw = c->words[0].text;

    if (!c->block)
        return nb_parse_statement(arena, c, nb, err);
    if (strcmp(kw, "family") == 0) {
        if (nb_parse_family_block(c, &nb->families, err) < 0)
            return -1;
        nb->set |= NB_BIT(CONF_NB_FAMILY);
        return 0;
    }
    if (strcmp(kw, "add-path") == 0)
        return nb_parse_family_block(c, &nb->add_path_families, err);
    if (strcmp(kw, "nexthop") == 0)
        return nb_parse_nexthop_block(c, &nb->nexthop_families, err);
    if (strcmp(kw, "capability") == 0)
        return nb_parse_capability(c, nb, err);
    if (strcmp(kw, "api") == 0)
        return nb_parse_api(arena, c, nb, err);
    if (c->nwords > 1 && strcmp(kw, "route") != 0)
        return nb_fail(err, &c->words[1], "unexpected '%s' after '%s'", c->words[1].text, kw);
    if (strcmp(kw, "static") == 0)
        return nb_parse_static(arena, c, nb, err);
    if (strcmp(kw, "flow") == 0)
        return nb_parse_flow(arena, c, nb, err);
    if (strcmp(kw, "l2vpn") == 0)
        return nb_parse_l2vpn(arena, c, nb, err);
    if (strcmp(kw, "announce") == 0)
        return nb_parse_announce(arena, c, nb, err);
    if (strcmp(kw, "operational") == 0)
        return nb_parse_operational(arena, c, nb, err);
    return nb_fail(err, &c->words[0],
                   "unknown section '%s' in neighbor, expected family, capability, add-path, "
                   "nexthop, api, static, flow, l2vpn, announce or operational%s",
                   kw, "");
}

int
conf_neighbor_parse(struct conf_arena *arena, const struct conf_node *block,
                    struct conf_neighbor *nb, struct conf_error *err)
{
    nb->at = block->words[0];
    nb->outgoing_ttl = nb->incoming_ttl = -1;
    nb->capability.graceful_restart = -1;
    for (size_t i = 0; i < block->nchildren; i++)
        if (conf_neighbor_parse_item(arena, &block->children[i], nb, err) < 0)
            return -1;
    return 0;
}

/* --- inheritance, defaults, checks ---------------------------------------------------------- */

/* Where each option lives, for copying what a neighbor did not set from its template. */
static const struct {
    enum conf_nb_opt opt;
    size_t off, size;
} nb_fields[] = {
#define F(o, m)                                                                                    \
    {                                                                                              \
        o, offsetof(struct conf_neighbor, m), sizeof(((struct conf_neighbor *)0)->m)               \
    }
#define C(o, m)                                                                                    \
    {                                                                                              \
        o, offsetof(struct conf_neighbor, capability) + offsetof(struct conf_capability, m),       \
            sizeof(((struct conf_capability *)0)->m)                                               \
    }
    F(CONF_NB_DESCRIPTION, description),
    F(CONF_NB_HOST_NAME, host_name),
    F(CONF_NB_DOMAIN_NAME, domain_name),
    F(CONF_NB_ROUTER_ID, router_id),
    F(CONF_NB_HOLD_TIME, hold_time),
    F(CONF_NB_RATE_LIMIT, rate_limit),
    F(CONF_NB_LOCAL_ADDRESS, local_address),
    F(CONF_NB_LOCAL_LINK_LOCAL, local_link_local),
    F(CONF_NB_SOURCE_INTERFACE, source_interface),
    F(CONF_NB_LOCAL_AS, local_as),
    F(CONF_NB_PEER_AS, peer_as),
    F(CONF_NB_PASSIVE, passive),
    F(CONF_NB_LISTEN, listen),
    F(CONF_NB_CONNECT, connect),
    F(CONF_NB_OUTGOING_TTL, outgoing_ttl),
    F(CONF_NB_INCOMING_TTL, incoming_ttl),
    F(CONF_NB_MD5_PASSWORD, md5_password),
    F(CONF_NB_MD5_BASE64, md5_base64),
    F(CONF_NB_MD5_IP, md5_ip),
    F(CONF_NB_GROUP_UPDATES, group_updates),
    F(CONF_NB_AUTO_FLUSH, auto_flush),
    F(CONF_NB_ADJ_RIB_OUT, adj_rib_out),
    F(CONF_NB_ADJ_RIB_IN, adj_rib_in),
    F(CONF_NB_MANUAL_EOR, manual_eor),
    C(CONF_NB_CAP_ASN4, asn4),
    C(CONF_NB_CAP_EXTENDED_MESSAGE, extended_message),
    C(CONF_NB_CAP_MULTI_SESSION, multi_session),
    C(CONF_NB_CAP_OPERATIONAL, operational),
    C(CONF_NB_CAP_ROUTE_REFRESH, route_refresh),
    C(CONF_NB_CAP_NEXTHOP, nexthop),
    C(CONF_NB_CAP_AIGP, aigp),
    C(CONF_NB_CAP_ADD_PATH, add_path),
    C(CONF_NB_CAP_GRACEFUL_RESTART, graceful_restart),
    C(CONF_NB_CAP_LINK_LOCAL_NEXTHOP, link_local_nexthop),
    C(CONF_NB_CAP_SOFTWARE_VERSION, software_version),
#undef F
#undef C
};

int
conf_neighbor_inherit(struct conf_arena *arena, struct conf_neighbor *dst,
                      const struct conf_neighbor *src, struct conf_error *err)
{
    for (size_t i = 0; i < sizeof(nb_fields) / sizeof(nb_fields[0]); i++) {
        uint64_t bit = NB_BIT(nb_fields[i].opt);

        if ((dst->set & bit) || !(src->set & bit))
            continue;
        memcpy((char *)dst + nb_fields[i].off, (const char *)src + nb_fields[i].off,
               nb_fields[i].size);
        dst->set |= bit;
    }
    dst->families |= src->families;
    dst->set |= src->set & NB_BIT(CONF_NB_FAMILY);
    dst->add_path_families |= src->add_path_families;
    dst->nexthop_families |= src->nexthop_families;

    if (src->napi > 0) {
        struct conf_api *a = nb_grow(arena, NULL, 0, src->napi + dst->napi, sizeof(*a));

        if (a == NULL)
            return nb_oom(err, &dst->at);
        memcpy(a, src->api, src->napi * sizeof(*a));
        if (dst->napi > 0)
            memcpy(a + src->napi, dst->api, dst->napi * sizeof(*a));
        dst->api = a;
        dst->napi += src->napi;
    }
    if (src->nroutes > 0) {
        struct conf_route *r = nb_grow(arena, NULL, 0, src->nroutes + dst->nroutes, sizeof(*r));

        if (r == NULL)
            return nb_oom(err, &dst->at);
        memcpy(r, src->routes, src->nroutes * sizeof(*r));
        if (dst->nroutes > 0)
            memcpy(r + src->nroutes, dst->routes, dst->nroutes * sizeof(*r));
        dst->routes = r;
        dst->nroutes += src->nroutes;
    }
    return 0;
}

static const char base64_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decoded length of an RFC 4648 base64 string, or -1 when it is not valid base64. */
static long
nb_base64_len(const char *s)
{
    size_t len = strlen(s), pad = 0;

    if (len % 4 != 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '=') {
            if (i < len - 2)
                return -1;
            pad++;
        } else if (pad > 0 || strchr(base64_chars, s[i]) == NULL) {
            return -1;
        }
    }
    return (long)(len / 4 * 3 - pad);
}

int
conf_neighbor_finish(struct conf_neighbor *nb, struct conf_error *err)
{
    const struct conf_word *at = &nb->at;

    if (!CONF_NB_HAS(nb, CONF_NB_HOLD_TIME))
        nb->hold_time = 180;
    if (!CONF_NB_HAS(nb, CONF_NB_GROUP_UPDATES))
        nb->group_updates = true;
    if (!CONF_NB_HAS(nb, CONF_NB_AUTO_FLUSH))
        nb->auto_flush = true;
    if (!CONF_NB_HAS(nb, CONF_NB_ADJ_RIB_OUT))
        nb->adj_rib_out = true;
    if (!CONF_NB_HAS(nb, CONF_NB_ADJ_RIB_IN))
        nb->adj_rib_in = true;
    if (!CONF_NB_HAS(nb, CONF_NB_CAP_ASN4))
        nb->capability.asn4 = true;
    if (!CONF_NB_HAS(nb, CONF_NB_CAP_EXTENDED_MESSAGE))
        nb->capability.extended_message = true;
    if (!CONF_NB_HAS(nb, CONF_NB_CAP_NEXTHOP))
        nb->capability.nexthop = nb->nexthop_families != 0;
    if (!CONF_NB_HAS(nb, CONF_NB_FAMILY))
        nb->families = conf_family_all();
    /* neighbor/__init__.py: add-path applies to the add-path block's families that are
     * announced, or to every announced family without a block. */
    if (nb->capability.add_path == CONF_ADD_PATH_DISABLED)
        nb->add_path_families = 0;
    else if (nb->add_path_families == 0)
        nb->add_path_families = nb->families;
    else
        nb->add_path_families &= nb->families;
    /* RFC 8950: a family may carry the other AFI's next-hop only when both are announced. */
    if (!nb->capability.nexthop) {
        nb->nexthop_families = 0;
    } else {
        for (size_t i = 0; i < CONF_FAMILY_COUNT; i++) {
            const struct conf_family *f = &conf_families[i], *other;

            if (!(nb->nexthop_families & (1u << i)))
                continue;
            other = conf_family_by_code(f->afi == 1 ? 2 : 1, f->safi);
            if (!(nb->families & (1u << i)) || other == NULL || !(nb->families & (1u << other->id)))
                nb->nexthop_families &= ~(1u << i);
        }
    }
    /* RFC 4724 4.2 leaves the value to the operator; ExaBGP uses the hold-time for a bare
     * `graceful-restart` (and for 0). */
    if (CONF_NB_HAS(nb, CONF_NB_CAP_GRACEFUL_RESTART) && nb->capability.graceful_restart == 0)
        nb->capability.graceful_restart = nb->hold_time > CONF_GR_MAX ? CONF_GR_MAX : nb->hold_time;

    if (!CONF_NB_HAS(nb, CONF_NB_LOCAL_AS))
        return nb_fail(err, at, "incomplete neighbor %s, missing local-as", nb->name, NULL);
    if (!CONF_NB_HAS(nb, CONF_NB_PEER_AS))
        return nb_fail(err, at, "incomplete neighbor %s, missing peer-as", nb->name, NULL);

    if (nb->local_address.af != 0 && nb->local_address.af != nb->peer_address.af)
        return nb_fail(err, at,
                       "local-address and peer-address of neighbor %s must be of the same family%s",
                       nb->name, "");
    if (!CONF_NB_HAS(nb, CONF_NB_ROUTER_ID)) {
        if (nb->local_address.af != AF_INET)
            return nb_fail(err, at,
                           "missing router-id for neighbor %s, it can only default to an IPv4 "
                           "local-address%s",
                           nb->name, "");
        nb->router_id = nb->local_address;
    }
    if (!CONF_NB_HAS(nb, CONF_NB_MD5_IP))
        nb->md5_ip = nb->local_address;
    if (nb->peer_address.plen < (nb->peer_address.af == AF_INET ? 32 : 128) && !nb->passive)
        return nb_fail(err, at, "neighbor %s: an address range is only allowed with passive%s",
                       nb->name, "");
    if (nb->md5_password != NULL) {
        long len = (long)strlen(nb->md5_password);

        if (nb->md5_base64) {
            len = nb_base64_len(nb->md5_password);
            if (len < 0)
                return nb_fail(err, at, "neighbor %s: md5-password is not valid base64%s", nb->name,
                               "");
        }
        if (len > CONF_MD5_MAX)
            return nb_fail(err, at, "neighbor %s: md5-password is longer than 80 bytes%s", nb->name,
                           "");
    }
    for (size_t i = 0; i < nb->nroutes; i++) {
        const struct conf_route *r = &nb->routes[i];

        /* neighbor/__init__.py: a route of a family not announced to the peer is a mistake;
         * ExaBGP lets IPv4 unicast through. The family of the other route kinds is known only
         * to the route grammar, which checks it there. */
        if (r->kind == CONF_ROUTE_ANNOUNCE && r->family->id != CONF_FAMILY_IPV4_UNICAST &&
            !(nb->families & (1u << r->family->id)))
            return nb_fail(err, &r->at,
                           "route of family %s %s, which is not in the neighbor's family list",
                           r->family->afi_name, r->family->safi_name);
    }
    return 0;
}

uint32_t
conf_neighbor_api_flags(const struct conf_neighbor *nb, const char *process)
{
    uint32_t flags = 0;

    for (size_t i = 0; i < nb->napi; i++)
        for (size_t k = 0; k < nb->api[i].nprocesses; k++)
            if (strcmp(nb->api[i].processes[k].text, process) == 0)
                flags |= CONF_API_BOUND | nb->api[i].flags;
    return flags;
}

static bool
nb_addr_eq(const struct conf_addr *a, const struct conf_addr *b)
{
    size_t len = a->af == AF_INET ? 4 : 16;

    if (a->af != b->af || a->plen != b->plen)
        return false;
    return a->af == 0 || memcmp(a->bytes, b->bytes, len) == 0;
}

static bool
nb_str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

bool
conf_neighbor_same_peer(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
    return nb_addr_eq(&a->peer_address, &b->peer_address) &&
           nb_addr_eq(&a->local_address, &b->local_address);
}

static bool
nb_words_eq(const struct conf_word *a, size_t na, const struct conf_word *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].text, b[i].text) != 0 || a[i].quoted != b[i].quoted)
            return false;
    return true;
}

static bool
nb_routes_eq(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
    if (a->nroutes != b->nroutes)
        return false;
    for (size_t i = 0; i < a->nroutes; i++) {
        const struct conf_route *ra = &a->routes[i], *rb = &b->routes[i];

        if (ra->kind != rb->kind || ra->family != rb->family || !nb_str_eq(ra->name, rb->name) ||
            !nb_words_eq(ra->words, ra->nwords, rb->words, rb->nwords))
            return false;
    }
    return true;
}

static bool
nb_api_eq(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
    if (a->napi != b->napi)
        return false;
    for (size_t i = 0; i < a->napi; i++)
        if (a->api[i].flags != b->api[i].flags ||
            !nb_words_eq(a->api[i].processes, a->api[i].nprocesses, b->api[i].processes,
                         b->api[i].nprocesses))
            return false;
    return true;
}

unsigned
conf_neighbor_compare(const struct conf_neighbor *a, const struct conf_neighbor *b)
{
    unsigned changes = 0;
    const struct conf_capability *ca = &a->capability, *cb = &b->capability;

    /* Anything carried in the OPEN (RFC 4271 4.2, capabilities RFC 5492) or in the TCP session
     * (addresses, ports, RFC 2385 key, TTL) only takes effect on a new session. */
    if (!nb_addr_eq(&a->peer_address, &b->peer_address) ||
        !nb_addr_eq(&a->local_address, &b->local_address) ||
        !nb_addr_eq(&a->router_id, &b->router_id) || !nb_addr_eq(&a->md5_ip, &b->md5_ip) ||
        !nb_addr_eq(&a->local_link_local, &b->local_link_local) ||
        !nb_str_eq(a->source_interface, b->source_interface) ||
        !nb_str_eq(a->md5_password, b->md5_password) || a->md5_base64 != b->md5_base64 ||
        a->local_as != b->local_as || a->peer_as != b->peer_as || a->hold_time != b->hold_time ||
        a->passive != b->passive || a->listen != b->listen || a->connect != b->connect ||
        a->outgoing_ttl != b->outgoing_ttl || a->incoming_ttl != b->incoming_ttl ||
        !nb_str_eq(a->host_name, b->host_name) || !nb_str_eq(a->domain_name, b->domain_name) ||
        a->families != b->families || a->add_path_families != b->add_path_families ||
        a->nexthop_families != b->nexthop_families || ca->asn4 != cb->asn4 ||
        ca->extended_message != cb->extended_message || ca->multi_session != cb->multi_session ||
        ca->operational != cb->operational || ca->route_refresh != cb->route_refresh ||
        ca->nexthop != cb->nexthop || ca->aigp != cb->aigp ||
        ca->link_local_nexthop != cb->link_local_nexthop ||
        ca->software_version != cb->software_version || ca->add_path != cb->add_path ||
        ca->graceful_restart != cb->graceful_restart || a->adj_rib_in != b->adj_rib_in)
        changes |= CONF_CHANGE_SESSION;
    if (!nb_routes_eq(a, b))
        changes |= CONF_CHANGE_ROUTES;
    if (!nb_api_eq(a, b))
        changes |= CONF_CHANGE_API;
    if (!nb_str_eq(a->description, b->description) || a->rate_limit != b->rate_limit ||
        a->group_updates != b->group_updates || a->auto_flush != b->auto_flush ||
        a->adj_rib_out != b->adj_rib_out || a->manual_eor != b->manual_eor)
        changes |= CONF_CHANGE_OTHER;
    return changes;
}
