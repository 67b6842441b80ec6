/* ExaBGP API command lines (SPEC 2.1-2.9) -> bgpbus.v1 Request. */
#include "grammar_command.h"

#include <stdio.h>
#include <string.h>

#include "grammar_int.h"

static int
gr_take_family(struct gr_ctx *c, Bgpbus__V1__Family **out)
{
    Bgpbus__V1__Family *f;
    const char *afi, *safi;
    int a, s;

    if ((afi = gr_take(c, "afi")) == NULL)
        return -1;
    if ((a = gr_afi_number(afi)) < 0)
        return gr_fail(c, c->i - 1, "unknown afi '%s'", afi);
    if ((safi = gr_take(c, "safi")) == NULL)
        return -1;
    if ((s = gr_safi_number(safi)) < 0)
        return gr_fail(c, c->i - 1, "unknown safi '%s'", safi);
    GR_NEW(c, f, bgpbus__v1__family__init);
    f->afi = (uint32_t)a;
    f->safi = (uint32_t)s;
    f->has_afi = f->has_safi = 1;
    *out = f;
    return 0;
}

static int
gr_selector_one(struct gr_ctx *c, Bgpbus__V1__NeighborSelector *sel)
{
    Bgpbus__V1__NeighborMatch *m;
    const char *s;
    uint32_t v;

    if (gr_expect(c, "neighbor") < 0)
        return -1;
    if (gr_is(c, "*")) {
        /* main: every neighbor (4.2 matches none, SPEC 2.12). */
        c->i++;
        sel->all = 1;
        sel->has_all = 1;
        return 0;
    }
    GR_NEW(c, m, bgpbus__v1__neighbor_match__init);
    if (gr_take_ip(c, "neighbor address", &m->address) < 0)
        return -1;
    m->has_address = 1;
    for (;;) {
        if (gr_is(c, "local-ip")) {
            c->i++;
            if (gr_take_ip(c, "local-ip", &m->local_address) < 0)
                return -1;
            m->has_local_address = 1;
        } else if (gr_is(c, "local-as")) {
            c->i++;
            if (gr_take_u32(c, "local-as", UINT32_MAX, &v) < 0)
                return -1;
            m->local_as = v;
            m->has_local_as = 1;
        } else if (gr_is(c, "peer-as")) {
            c->i++;
            if (gr_take_u32(c, "peer-as", UINT32_MAX, &v) < 0)
                return -1;
            m->peer_as = v;
            m->has_peer_as = 1;
        } else if (gr_is(c, "router-id")) {
            c->i++;
            if (gr_take_ipv4(c, "router-id", &m->router_id) < 0)
                return -1;
            m->has_router_id = 1;
        } else if (gr_is(c, "family-allowed")) {
            c->i++;
            if ((s = gr_take(c, "family-allowed")) == NULL)
                return -1;
            m->family_allowed = (char *)s;
        } else {
            break;
        }
    }
    GR_APPEND(c, sel->matches, sel->n_matches, m);
    return 0;
}

static int
gr_selector(struct gr_ctx *c, Bgpbus__V1__NeighborSelector **out)
{
    Bgpbus__V1__NeighborSelector *sel;

    *out = NULL;
    if (!gr_is(c, "neighbor"))
        return 0;
    GR_NEW(c, sel, bgpbus__v1__neighbor_selector__init);
    for (;;) {
        if (gr_selector_one(c, sel) < 0)
            return -1;
        if (!gr_is(c, ","))
            break;
        c->i++;
        if (!gr_is(c, "neighbor"))
            return gr_fail(c, c->i, "expected 'neighbor' after ','");
    }
    *out = sel;
    return 0;
}

int
grammar_selector_parse(const char *const *words, size_t nwords, struct arena *arena,
                       Bgpbus__V1__NeighborSelector **out, size_t *consumed,
                       struct grammar_error *err)
{
    struct gr_ctx c;

    gr_ctx_init(&c, words, nwords, arena, err);
    *consumed = 0;
    if (gr_selector(&c, out) < 0)
        return -1;
    *consumed = c.i;
    return 0;
}

static int
gr_eor(struct gr_ctx *c, Bgpbus__V1__EndOfRib **out)
{
    Bgpbus__V1__EndOfRib *eor;

    GR_NEW(c, eor, bgpbus__v1__end_of_rib__init);
    /* SPEC 2.8: exactly 0 or 2 words; none = IPv4 unicast. */
    if (c->i < c->n) {
        if (gr_take_family(c, &eor->family) < 0)
            return -1;
        if (c->i < c->n)
            return gr_fail(c, c->i, "unexpected '%s' after the family", c->w[c->i]);
    } else {
        GR_NEW(c, eor->family, bgpbus__v1__family__init);
        eor->family->afi = 1;
        eor->family->safi = 1;
        eor->family->has_afi = eor->family->has_safi = 1;
    }
    *out = eor;
    return 0;
}

int
grammar_eor_parse(const char *const *words, size_t nwords, struct arena *arena,
                  Bgpbus__V1__EndOfRib **out, struct grammar_error *err)
{
    struct gr_ctx c;

    gr_ctx_init(&c, words, nwords, arena, err);
    return gr_eor(&c, out);
}

static int
gr_refresh(struct gr_ctx *c, Bgpbus__V1__RouteRefresh **out)
{
    Bgpbus__V1__RouteRefresh *rr;

    GR_NEW(c, rr, bgpbus__v1__route_refresh__init);
    if (gr_take_family(c, &rr->family) < 0)
        return -1;
    if (c->i < c->n)
        return gr_fail(c, c->i, "unexpected '%s' after the family", c->w[c->i]);
    rr->subtype = BGPBUS__V1__ROUTE_REFRESH_SUBTYPE__ROUTE_REFRESH_SUBTYPE_REQUEST;
    rr->has_subtype = 1;
    *out = rr;
    return 0;
}

int
grammar_refresh_parse(const char *const *words, size_t nwords, struct arena *arena,
                      Bgpbus__V1__RouteRefresh **out, struct grammar_error *err)
{
    struct gr_ctx c;

    gr_ctx_init(&c, words, nwords, arena, err);
    return gr_refresh(&c, out);
}

/* ExaBGP limits the advisory to 2048 octets, cut with "...". */
#define GR_ADVISORY_MAX 2048

static int
gr_advisory(struct gr_ctx *c, Bgpbus__V1__Operational *op)
{
    size_t total = 0, k, len;
    char *text, *p;

    if (c->i >= c->n)
        return gr_fail(c, c->n, "missing advisory text");
    /* The line was split on blanks: the text is the rest of it, re-joined. */
    for (k = c->i; k < c->n; k++)
        total += strlen(c->w[k]) + 1;
    text = gr_alloc(c, total + 1);
    if (text == NULL)
        return -1;
    for (p = text, k = c->i; k < c->n; k++) {
        len = strlen(c->w[k]);
        if (k > c->i)
            *p++ = ' ';
        memcpy(p, c->w[k], len);
        p += len;
    }
    *p = '\0';
    len = (size_t)(p - text);
    if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
        text[len - 1] = '\0';
        text++;
        len -= 2;
    }
    if (len > GR_ADVISORY_MAX)
        memcpy(text + GR_ADVISORY_MAX - 3, "...", 4);
    op->advisory = text;
    c->i = c->n;
    return 0;
}

static int
gr_operational(struct gr_ctx *c, Bgpbus__V1__Operational **out)
{
    static const struct {
        const char *word;
        Bgpbus__V1__OperationalType type;
        int form; /* 0 advisory, 1 query, 2 reply */
    } ops[] = {
        { "adm", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_ADM, 0 },
        { "asm", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_ASM, 0 },
        { "rpcq", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_RPCQ, 1 },
        { "rpcp", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_RPCP, 2 },
        { "apcq", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_APCQ, 1 },
        { "apcp", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_APCP, 2 },
        { "lpcq", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_LPCQ, 1 },
        { "lpcp", BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_LPCP, 2 },
    };
    Bgpbus__V1__Operational *op;
    const char *s = gr_take(c, "operational message");
    size_t k;
    uint32_t v;

    *out = NULL;
    if (s == NULL)
        return -1;
    for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
        if (strcmp(s, ops[k].word) == 0)
            break;
    if (k == sizeof(ops) / sizeof(ops[0])) {
        /* SPEC 2.8: an unknown op word is acknowledged and ignored (4.2 and main). */
        c->i = c->n;
        return 0;
    }
    GR_NEW(c, op, bgpbus__v1__operational__init);
    op->type = ops[k].type;
    op->has_type = 1;
    {
        /* `afi <afi> safi <safi>` */
        const char *afi, *safi;

        if (gr_expect(c, "afi") < 0)
            return -1;
        afi = gr_take(c, "afi");
        if (afi == NULL || gr_expect(c, "safi") < 0 || (safi = gr_take(c, "safi")) == NULL)
            return -1;
        GR_NEW(c, op->family, bgpbus__v1__family__init);
        if (gr_afi_number(afi) < 0)
            return gr_fail(c, c->i - 3, "unknown afi '%s'", afi);
        if (gr_safi_number(safi) < 0)
            return gr_fail(c, c->i - 1, "unknown safi '%s'", safi);
        op->family->afi = (uint32_t)gr_afi_number(afi);
        op->family->safi = (uint32_t)gr_safi_number(safi);
        op->family->has_afi = op->family->has_safi = 1;
    }
    if (ops[k].form == 0) {
        if (gr_expect(c, "advisory") < 0 || gr_advisory(c, op) < 0)
            return -1;
        *out = op;
        return 0;
    }
    if (gr_is(c, "router-id")) {
        c->i++;
        if (gr_take_ipv4(c, "router-id", &op->router_id) < 0)
            return -1;
        op->has_router_id = 1;
    }
    if (gr_expect(c, "sequence") < 0 || gr_take_u32(c, "sequence", UINT32_MAX, &v) < 0)
        return -1;
    op->sequence = v;
    op->has_sequence = 1;
    if (ops[k].form == 2) {
        uint64_t counter;

        if (gr_expect(c, "counter") < 0 || (s = gr_take(c, "counter")) == NULL)
            return -1;
        if (!gr_parse_u64(s, &counter))
            return gr_fail(c, c->i - 1, "invalid counter '%s'", s);
        op->counter = counter;
        op->has_counter = 1;
    }
    if (c->i < c->n)
        return gr_fail(c, c->i, "unexpected '%s'", c->w[c->i]);
    *out = op;
    return 0;
}

int
grammar_operational_parse(const char *const *words, size_t nwords, struct arena *arena,
                          Bgpbus__V1__Operational **out, struct grammar_error *err)
{
    struct gr_ctx c;

    gr_ctx_init(&c, words, nwords, arena, err);
    return gr_operational(&c, out);
}

typedef int (*gr_routes_fn)(const char *const *words, size_t nwords, unsigned flags,
                            struct arena *arena, struct grammar_routes *out,
                            struct grammar_error *err);

/* Runs a route parser on the rest of the line, shifting its error index to the line's. */
static int
gr_sub_routes(struct gr_ctx *c, gr_routes_fn fn, unsigned flags, struct grammar_routes *out)
{
    size_t off = c->i;

    if (fn(c->w + off, c->n - off, flags, c->arena, out, c->err) < 0) {
        if (c->err->word >= 0)
            c->err->word += (int)off;
        return -1;
    }
    c->i = c->n;
    return 0;
}

/* The AFI a prefix route ended in (4 or 16 octets), for `vpnv4`, `ipv6 unicast`, … */
static size_t
gr_route_addr_len(const Bgpbus__V1__Route *r)
{
    const Bgpbus__V1__Nlri *n = r->nlri;
    const Bgpbus__V1__Prefix *p = NULL;

    switch (n->nlri_case) {
    case BGPBUS__V1__NLRI__NLRI_UNICAST: p = n->unicast; break;
    case BGPBUS__V1__NLRI__NLRI_MULTICAST: p = n->multicast; break;
    case BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST: p = n->labeled_unicast->prefix; break;
    case BGPBUS__V1__NLRI__NLRI_VPN: p = n->vpn->prefix; break;
    case BGPBUS__V1__NLRI__NLRI_FLOWSPEC:
        return n->flowspec->afi == BGPBUS__V1__AFI__AFI_IPV6 ? 16 : 4;
    default: return 0;
    }
    return p->address.len;
}

/* `announce|withdraw <what> …` after the verb. */
static int
gr_route_command(struct gr_ctx *c, bool announce, struct grammar_routes *out)
{
    unsigned flags = announce ? GRAMMAR_ANNOUNCE : 0;
    const char *what = gr_take(c, "'route', 'attributes', 'flow', 'vpls', …");
    size_t what_word = c->i - 1, afi_len = 0, k;
    gr_routes_fn fn;

    if (what == NULL)
        return -1;
    if (strcmp(what, "route") == 0) {
        fn = grammar_route_parse;
    } else if (strcmp(what, "attributes") == 0 || strcmp(what, "attribute") == 0) {
        fn = grammar_attributes_parse;
    } else if (strcmp(what, "flow") == 0) {
        if (gr_is(c, "route"))
            c->i++;
        fn = grammar_flow_parse;
    } else if (strcmp(what, "vpls") == 0) {
        fn = grammar_vpls_parse;
    } else if (strcmp(what, "evpn") == 0) {
        fn = grammar_evpn_parse;
    } else if (strcmp(what, "vpnv4") == 0 || strcmp(what, "vpnv6") == 0) {
        fn = grammar_route_parse;
        flags |= GRAMMAR_SAFI_VPN;
        afi_len = what[4] == '4' ? 4 : 16;
    } else if (strcmp(what, "ipv4") == 0 || strcmp(what, "ipv6") == 0) {
        /* main's `announce ipv4|ipv6 <safi> …` (SPEC 2.7). */
        const char *safi = gr_take(c, "safi");

        if (safi == NULL)
            return -1;
        afi_len = what[3] == '4' ? 4 : 16;
        fn = grammar_route_parse;
        switch (gr_safi_number(safi)) {
        case 1: flags |= GRAMMAR_SAFI_UNICAST; break;
        case 2: flags |= GRAMMAR_SAFI_MULTICAST; break;
        case 4: flags |= GRAMMAR_SAFI_LABELED; break;
        case 128: flags |= GRAMMAR_SAFI_VPN; break;
        case 133:
        case 134: fn = grammar_flow_parse; break;
        default: return gr_fail(c, c->i - 1, "unsupported safi '%s' for %s", safi, what);
        }
    } else {
        return gr_fail(c, what_word, "unknown command '%s %s'", announce ? "announce" : "withdraw",
                       what);
    }
    if (gr_sub_routes(c, fn, flags, out) < 0)
        return -1;
    for (k = 0; afi_len != 0 && k < out->nroutes; k++)
        if (gr_route_addr_len(out->routes[k]) != afi_len)
            return gr_fail(c, what_word, "'%s' needs IPv%d prefixes", what, afi_len == 4 ? 4 : 6);
    return 0;
}

static int
gr_command(struct gr_ctx *c, Bgpbus__V1__Request *req)
{
    const char *verb;
    bool announce;

    if (gr_selector(c, &req->neighbors) < 0)
        return -1;
    if ((verb = gr_take(c, "command")) == NULL)
        return -1;
    announce = strcmp(verb, "announce") == 0;
    if (announce || strcmp(verb, "withdraw") == 0) {
        const char *what = gr_peek(c);

        if (what != NULL && strcmp(what, "watchdog") == 0) {
            Bgpbus__V1__Watchdog *w;

            c->i++;
            GR_NEW(c, w, bgpbus__v1__watchdog__init);
            /* Without a name: the process's own (Request.owner, filled by the bridge). */
            if (c->i < c->n)
                w->name = (char *)c->w[c->i++];
            if (announce) {
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE_WATCHDOG;
                req->announce_watchdog = w;
            } else {
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_WITHDRAW_WATCHDOG;
                req->withdraw_watchdog = w;
            }
        } else if (announce && what != NULL && strcmp(what, "eor") == 0) {
            c->i++;
            req->command_case = BGPBUS__V1__REQUEST__COMMAND_END_OF_RIB;
            return gr_eor(c, &req->end_of_rib);
        } else if (announce && what != NULL &&
                   (strcmp(what, "route-refresh") == 0 || strcmp(what, "refresh") == 0)) {
            c->i++;
            req->command_case = BGPBUS__V1__REQUEST__COMMAND_ROUTE_REFRESH;
            return gr_refresh(c, &req->route_refresh);
        } else if (announce && what != NULL && strcmp(what, "operational") == 0) {
            c->i++;
            if (gr_operational(c, &req->operational) < 0)
                return -1;
            if (req->operational == NULL)
                return GRAMMAR_COMMAND_IGNORED;
            req->command_case = BGPBUS__V1__REQUEST__COMMAND_OPERATIONAL;
        } else {
            struct grammar_routes out;

            if (gr_route_command(c, announce, &out) < 0)
                return -1;
            if (announce) {
                GR_NEW(c, req->announce, bgpbus__v1__announce__init);
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE;
                req->announce->routes = out.routes;
                req->announce->n_routes = out.nroutes;
                req->announce->attributes = out.attributes;
            } else {
                GR_NEW(c, req->withdraw, bgpbus__v1__withdraw__init);
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_WITHDRAW;
                req->withdraw->routes = out.routes;
                req->withdraw->n_routes = out.nroutes;
            }
        }
    } else if (strcmp(verb, "teardown") == 0) {
        uint32_t sub;

        GR_NEW(c, req->teardown, bgpbus__v1__teardown__init);
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_TEARDOWN;
        /* RFC 4486 4: the Cease subcode is one octet. */
        if (gr_take_u32(c, "cease subcode", 255, &sub) < 0)
            return -1;
        req->teardown->subcode = sub;
        req->teardown->has_subcode = 1;
    } else if (strcmp(verb, "shutdown") == 0) {
        GR_NEW(c, req->shutdown, bgpbus__v1__shutdown__init);
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_SHUTDOWN;
    } else if (strcmp(verb, "reload") == 0) {
        GR_NEW(c, req->reload, bgpbus__v1__reload__init);
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_RELOAD;
    } else if (strcmp(verb, "restart") == 0) {
        GR_NEW(c, req->restart, bgpbus__v1__restart__init);
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_RESTART;
    } else if (strcmp(verb, "version") == 0) {
        GR_NEW(c, req->version, bgpbus__v1__version__init);
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_VERSION;
    } else if (strcmp(verb, "flush") == 0) {
        if (c->i == c->n) {
            GR_NEW(c, req->flush, bgpbus__v1__flush__init);
            req->command_case = BGPBUS__V1__REQUEST__COMMAND_FLUSH;
        } else {
            if (gr_expect(c, "adj-rib") < 0 || gr_expect(c, "out") < 0)
                return -1;
            GR_NEW(c, req->flush_adj_rib_out, bgpbus__v1__flush_adj_rib_out__init);
            req->command_case = BGPBUS__V1__REQUEST__COMMAND_FLUSH_ADJ_RIB_OUT;
        }
    } else if (strcmp(verb, "clear") == 0) {
        if (gr_expect(c, "adj-rib") < 0)
            return -1;
        GR_NEW(c, req->clear_adj_rib, bgpbus__v1__clear_adj_rib__init);
        req->command_case = BGPBUS__V1__REQUEST__COMMAND_CLEAR_ADJ_RIB;
        /* 4.2: no direction = out (SPEC 2.10). */
        req->clear_adj_rib->direction = BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_OUT;
        req->clear_adj_rib->has_direction = 1;
        if (gr_is(c, "in") || gr_is(c, "out")) {
            if (gr_is(c, "in"))
                req->clear_adj_rib->direction = BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN;
            c->i++;
        }
    } else {
        return gr_fail(c, c->i - 1, "unknown command '%s'", verb);
    }
    if (c->i < c->n)
        return gr_fail(c, c->i, "unexpected '%s'", c->w[c->i]);
    return GRAMMAR_COMMAND_REQUEST;
}

int
grammar_command_parse(const char *line, size_t len, struct arena *arena, Bgpbus__V1__Request **out,
                      struct grammar_words *words, struct grammar_error *err)
{
    struct gr_ctx c;
    Bgpbus__V1__Request *req;
    size_t i = 0;

    *out = NULL;
    err->word = -1;
    err->msg[0] = '\0';
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    /* SPEC 1.4: a line starting with '#' is a comment, acknowledged. */
    if (i < len && line[i] == '#') {
        words->w = NULL;
        words->n = 0;
        return GRAMMAR_COMMAND_IGNORED;
    }
    if (grammar_tokenize(arena, line, len, words) < 0) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return -1;
    }
    gr_ctx_init(&c, words->w, words->n, arena, err);
    if (words->n == 0)
        return gr_fail(&c, 0, "empty command");
    GR_NEW(&c, req, bgpbus__v1__request__init);
    switch (gr_command(&c, req)) {
    case GRAMMAR_COMMAND_REQUEST: *out = req; return GRAMMAR_COMMAND_REQUEST;
    case GRAMMAR_COMMAND_IGNORED: return GRAMMAR_COMMAND_IGNORED;
    default: return -1;
    }
}
