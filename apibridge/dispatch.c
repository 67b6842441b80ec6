/*
 * dispatch: one command line of a helper -> a local answer, or a Request to the speaker.
 *
 * Route lines (announce/withdraw) for the same neighbors are batched into one Request until
 * the pipe has no more data ready, another kind of command arrives, or BRIDGE_BATCH_ROUTES;
 * the Reply's per-item status maps back to one ack per line (a line may carry several routes:
 * split, the attributes … nlri form). Every line has its place in the helper's FIFO
 * (helper_io.c), so acks leave in command order whatever the order of the replies.
 *
 * SPEC 1.5: a command reaches the neighbors whose api lists the process, further restricted by
 * the line's selector; the Request carries that set as an explicit list, or the line gets
 * `error` when it is empty. `neighbor *` (ExaBGP main) selects every bound neighbor.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "bus.h"
#include "grammar_command.h"
#include "log.h"

/* ---- shared arenas ------------------------------------------------------------------------ */

struct arena_ref *
arena_ref_new(void)
{
    struct arena_ref *r = malloc(sizeof(*r));
    if (!r)
        return NULL;
    arena_init(&r->arena, 16384);
    r->refs = 1;
    return r;
}

void
arena_ref_put(struct arena_ref *r)
{
    if (r && --r->refs == 0) {
        arena_free(&r->arena);
        free(r);
    }
}

/* ---- batches ------------------------------------------------------------------------------ */

struct batch *
batch_new(struct helper *h, struct arena_ref *arena)
{
    struct batch *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->h = h;
    if (arena) {
        arena->refs++;
        b->arena = arena;
    } else if (!(b->arena = arena_ref_new())) {
        free(b);
        return NULL;
    }
    bgpbus__v1__request__init(&b->req_storage);
    b->req = &b->req_storage;
    return b;
}

void
batch_free(struct batch *b)
{
    if (!b)
        return;
    arena_ref_put(b->arena);
    free(b->routes);
    free(b->cmds);
    free(b);
}

static int
batch_add_cmd(struct batch *b, struct cmd *c)
{
    if (b->ncmds == b->cmdcap) {
        size_t ncap = b->cmdcap ? b->cmdcap * 2 : 8;
        struct cmd **n = realloc(b->cmds, ncap * sizeof(*n));
        if (!n)
            return -1;
        b->cmds = n;
        b->cmdcap = ncap;
    }
    b->cmds[b->ncmds++] = c;
    return 0;
}

static int
batch_add_routes(struct batch *b, Bgpbus__V1__Route **routes, size_t n,
                 Bgpbus__V1__Attributes *shared)
{
    if (b->nroutes + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->nroutes + n)
            ncap *= 2;
        Bgpbus__V1__Route **r = realloc(b->routes, ncap * sizeof(*r));
        if (!r)
            return -1;
        b->routes = r;
        b->cap = ncap;
    }
    for (size_t i = 0; i < n; i++) {
        /* The bulk form's shared attributes go on each route so lines can share a Request. */
        if (!routes[i]->attributes)
            routes[i]->attributes = shared;
        b->routes[b->nroutes++] = routes[i];
    }
    return 0;
}

/* ---- neighbors ---------------------------------------------------------------------------- */

uint64_t
dispatch_bound(const struct helper *h)
{
    const struct conf *conf = &h->br->conf;
    uint64_t set = 0;
    bool all = strncmp(h->name, "api-internal-cli", 16) == 0; /* SPEC 1.5 */
    for (size_t i = 0; i < conf->nneighbors && i < 64; i++)
        if (all || (conf_neighbor_api_flags(&conf->neighbors[i], h->name) & CONF_API_BOUND))
            set |= UINT64_C(1) << i;
    return set;
}

static size_t
addr_len(const struct conf_addr *a)
{
    return a->af == AF_INET ? 4 : a->af == AF_INET6 ? 16 : 0;
}

static bool
bytes_is(const ProtobufCBinaryData *d, const struct conf_addr *a)
{
    size_t n = addr_len(a);
    return n != 0 && d->len == n && memcmp(d->data, a->bytes, n) == 0;
}

/* SPEC 2.2: the neighbor's family-allowed word: "in-open" without multi-session, else its
 * families as afi-safi joined by '/'. */
static const char *
family_allowed_name(const struct conf_neighbor *nb, char *buf, size_t size)
{
    size_t used = 0;

    if (!nb->capability.multi_session)
        return "in-open";
    buf[0] = '\0';
    for (int f = 0; f < CONF_FAMILY_COUNT; f++) {
        if (!(nb->families & (1u << f)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s-%s", used ? "/" : "",
                         conf_families[f].afi_name, conf_families[f].safi_name);
        if (n < 0 || (size_t)n >= size - used)
            return NULL;
        used += (size_t)n;
    }
    return buf;
}

/* SPEC 2.2: every key of the selector must equal the neighbor's value. */
static bool
neighbor_matches(const struct conf_neighbor *nb, const Bgpbus__V1__NeighborMatch *m)
{
    if (m->has_address && !bytes_is(&m->address, &nb->peer_address))
        return false;
    if (m->has_local_address && !bytes_is(&m->local_address, &nb->local_address))
        return false;
    if (m->has_local_as && m->local_as != nb->local_as)
        return false;
    if (m->has_peer_as && m->peer_as != nb->peer_as)
        return false;
    if (m->has_router_id) {
        const struct conf_addr *id =
            nb->router_id.af == AF_INET ? &nb->router_id : &nb->local_address;
        if (!bytes_is(&m->router_id, id))
            return false;
    }
    if (m->family_allowed) {
        char buf[512];
        const char *name = family_allowed_name(nb, buf, sizeof buf);
        if (name == NULL || strcmp(m->family_allowed, name) != 0)
            return false;
    }
    return true;
}

static uint64_t
selected(const struct helper *h, const Bgpbus__V1__NeighborSelector *sel)
{
    uint64_t bound = dispatch_bound(h);
    const struct conf *conf = &h->br->conf;
    if (!sel || (sel->has_all && sel->all))
        return bound;
    uint64_t set = 0;
    for (size_t i = 0; i < conf->nneighbors && i < 64; i++) {
        if (!(bound & (UINT64_C(1) << i)))
            continue;
        for (size_t m = 0; m < sel->n_matches; m++)
            if (neighbor_matches(&conf->neighbors[i], sel->matches[m]))
                set |= UINT64_C(1) << i;
    }
    return set;
}

int
dispatch_selector(struct bridge *br, struct arena *a, uint64_t set, Bgpbus__V1__Request *req)
{
    size_t n = 0;
    for (uint64_t s = set; s; s &= s - 1)
        n++;
    Bgpbus__V1__NeighborSelector *sel = arena_alloc(a, sizeof(*sel));
    Bgpbus__V1__NeighborMatch *m = arena_calloc(a, n ? n : 1, sizeof(*m));
    Bgpbus__V1__NeighborMatch **mp = arena_calloc(a, n ? n : 1, sizeof(*mp));
    if (!sel || !m || !mp)
        return -1;
    bgpbus__v1__neighbor_selector__init(sel);
    sel->matches = mp;
    for (size_t i = 0; i < br->conf.nneighbors && i < 64; i++) {
        if (!(set & (UINT64_C(1) << i)))
            continue;
        const struct conf_neighbor *nb = &br->conf.neighbors[i];
        Bgpbus__V1__NeighborMatch *x = &m[sel->n_matches];
        bgpbus__v1__neighbor_match__init(x);
        x->has_address = true;
        x->address.data = (uint8_t *)nb->peer_address.bytes;
        x->address.len = addr_len(&nb->peer_address);
        if (nb->local_address.af) {
            x->has_local_address = true;
            x->local_address.data = (uint8_t *)nb->local_address.bytes;
            x->local_address.len = addr_len(&nb->local_address);
        }
        x->has_local_as = x->has_peer_as = true;
        x->local_as = nb->local_as;
        x->peer_as = nb->peer_as;
        mp[sel->n_matches++] = x;
    }
    req->neighbors = sel;
    return 0;
}

/* ---- replies ------------------------------------------------------------------------------ */

static void
batch_answer_all(struct batch *b, enum cmd_ack ack)
{
    for (size_t i = 0; i < b->ncmds; i++)
        helper_cmd_answer(b->cmds[i], ack);
}

static void
on_reply(struct bus_client *client, void *arg, int status, const uint8_t *data, size_t len)
{
    struct batch *b = arg;
    struct helper *h = b->h;
    Bgpbus__V1__Reply *rep = NULL;
    (void)client;

    if (status == 0 && !(rep = bgpbus__v1__reply__unpack(NULL, len, data)))
        log_error("process %s: the speaker's reply does not decode", h->name);
    if (status != 0)
        log_warn("process %s: request to the speaker failed: %s", h->name, bus_strerror(status));

    if (b->on_reply) {
        b->on_reply(b, rep ? 0 : -1, rep);
    } else if (!rep) {
        batch_answer_all(b, CMD_ACK_ERROR);
    } else if (b->nroutes > 0) {
        /* One ack per line from the per-item status (Reply.items follow Request order). */
        bool itemised = rep->n_items == b->nroutes;
        for (size_t i = 0; i < b->ncmds; i++) {
            struct cmd *c = b->cmds[i];
            bool ok = itemised || rep->status == BGPBUS__V1__STATUS__STATUS_OK;
            for (size_t k = 0; itemised && k < c->nitems; k++) {
                const Bgpbus__V1__ItemResult *it = rep->items[c->first_item + k];
                if (it->status != BGPBUS__V1__STATUS__STATUS_OK) {
                    ok = false;
                    log_warn("process %s: '%s': %s", h->name, c->line,
                             it->error ? it->error : "refused by the speaker");
                } else {
                    memory_apply(h->mem, b->neighbors,
                                 (const Bgpbus__V1__Route *const *)&b->routes[c->first_item + k], 1,
                                 NULL, c->announce);
                }
            }
            if (!itemised && !ok)
                log_warn("process %s: '%s': %s", h->name, c->line,
                         rep->error ? rep->error : "refused by the speaker");
            helper_cmd_answer(c, ok ? CMD_ACK_DONE : CMD_ACK_ERROR);
        }
    } else {
        bool ok = rep->status == BGPBUS__V1__STATUS__STATUS_OK;
        if (!ok && b->ncmds)
            log_warn("process %s: '%s': %s", h->name, b->cmds[0]->line,
                     rep->error ? rep->error : "refused by the speaker");
        batch_answer_all(b, ok ? CMD_ACK_DONE : CMD_ACK_ERROR);
    }
    if (rep)
        bgpbus__v1__reply__free_unpacked(rep, NULL);
    helper_drain_acks(h);
    batch_free(b);
}

void
dispatch_send(struct bridge *br, struct batch *b)
{
    Bgpbus__V1__Request *req = b->req;
    if (b->nroutes > 0) {
        if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE) {
            bgpbus__v1__announce__init(&b->announce);
            b->announce.routes = b->routes;
            b->announce.n_routes = b->nroutes;
            req->announce = &b->announce;
        } else {
            bgpbus__v1__withdraw__init(&b->withdraw);
            b->withdraw.routes = b->routes;
            b->withdraw.n_routes = b->nroutes;
            req->withdraw = &b->withdraw;
        }
    }
    if (!req->owner)
        req->owner = b->h->name;
    size_t len = bgpbus__v1__request__get_packed_size(req);
    uint8_t *buf = malloc(len ? len : 1);
    int rc = BUS_ENOMEM;
    if (buf) {
        bgpbus__v1__request__pack(req, buf);
        rc = bus_request(br->client, buf, len, BRIDGE_REQUEST_TIMEOUT_MS, on_reply, b, NULL);
        free(buf);
    }
    if (rc < 0) {
        log_error("process %s: cannot send to the speaker: %s", b->h->name, bus_strerror(rc));
        if (b->on_reply)
            b->on_reply(b, -1, NULL);
        else
            batch_answer_all(b, CMD_ACK_ERROR);
        helper_drain_acks(b->h);
        batch_free(b);
    }
}

void
dispatch_flush(struct helper *h)
{
    struct batch *b = h->open;
    h->open = NULL;
    if (b)
        dispatch_send(h->br, b);
}

/* ---- lines -------------------------------------------------------------------------------- */

static void
answer_now(struct helper *h, struct cmd *c, enum cmd_ack ack)
{
    helper_cmd_answer(c, ack);
    helper_drain_acks(h);
}

static void
parse_error(struct helper *h, struct cmd *c, const struct grammar_words *w,
            const struct grammar_error *err)
{
    if (err->word >= 0 && w->w && (size_t)err->word < w->n)
        log_warn("process %s: command not understood: '%s': word %d ('%s'): %s", h->name, c->line,
                 err->word + 1, w->w[err->word], err->msg);
    else
        log_warn("process %s: command not understood: '%s': %s", h->name, c->line, err->msg);
    answer_now(h, c, CMD_ACK_ERROR);
}

/* Shutdown / reload / restart act on the whole instance, after their answer is written. */
struct control_state {
    enum { CONTROL_SHUTDOWN, CONTROL_RELOAD, CONTROL_RESTART } what;
};

static void
control_reply(struct batch *b, int status, const Bgpbus__V1__Reply *rep)
{
    struct control_state *st = b->state;
    struct helper *h = b->h;
    bool ok = status == 0 && rep && rep->status == BGPBUS__V1__STATUS__STATUS_OK;
    if (!ok)
        log_warn("process %s: '%s' on the speaker: %s", h->name, b->cmds[0]->line,
                 rep && rep->error ? rep->error : "no answer");
    /* SPEC 2.3: the answer is "<what> in progress" then done, whatever the speaker did. */
    helper_cmd_answer(b->cmds[0], CMD_ACK_DONE);
    helper_drain_acks(h);
    if (st->what == CONTROL_SHUTDOWN)
        bridge_stop(h->br, 0);
    else if (!h->br->shutting_down)
        /* SPEC 1.7: reload = the process blocks reloaded; restart = every process restarted
         * (the helper that asked included, after its answer). */
        bridge_reload(h->br, st->what == CONTROL_RESTART);
    free(st);
    b->state = NULL;
}

static bool
local_command(struct helper *h, struct cmd *c, const char *const *w, size_t n)
{
    const char *v = w[0];
    if (n == 1 && strcmp(v, "help") == 0) {
        show_help(c);
        answer_now(h, c, CMD_ACK_DONE);
        return true;
    }
    if (n == 1 && strcmp(v, "reset") == 0) {
        /* SPEC 2.3: 4.2 drops the process's queued jobs and answers nothing. Lines already
         * sent to the speaker cannot be recalled; nothing is queued in the bridge. */
        answer_now(h, c, CMD_ACK_NONE);
        return true;
    }
    if (n == 1 && strcmp(v, "enable-ack") == 0) {
        h->ack = true;
        c->want_ack = true;
        answer_now(h, c, CMD_ACK_DONE);
        return true;
    }
    if (n == 1 && strcmp(v, "disable-ack") == 0) {
        /* SPEC 0.1: still answered `done` once. */
        h->ack = false;
        answer_now(h, c, CMD_ACK_DONE);
        return true;
    }
    if (n == 1 && strcmp(v, "silence-ack") == 0) {
        h->ack = false;
        answer_now(h, c, CMD_ACK_NONE);
        return true;
    }
    if (strcmp(v, "ping") == 0 && n <= 3) {
        /* ExaBGP main: `{"pong": "<uuid>", "active": true}`; the uuid is the bridge's pid. */
        helper_cmd_data(c, "{\"pong\": \"bgpbus-apibridge-%ld\", \"active\": true}",
                        h->br->exa.pid);
        answer_now(h, c, CMD_ACK_DONE);
        return true;
    }
    if (n == 1 && strcmp(v, "version") == 0) {
        /* SPEC 2.3: `exabgp <version>`; parsers take the second word. */
        helper_cmd_data(c, "exabgp 4.2.21");
        answer_now(h, c, CMD_ACK_DONE);
        return true;
    }
    if (strcmp(v, "show") == 0)
        return show_command(h, c, w, n);
    if (n == 1 &&
        (strcmp(v, "shutdown") == 0 || strcmp(v, "reload") == 0 || strcmp(v, "restart") == 0)) {
        if (strcmp(v, "shutdown") == 0 && !h->br->allow_shutdown) {
            log_warn("process %s: shutdown refused (bgpbus.api.allow_shutdown is false)", h->name);
            answer_now(h, c, CMD_ACK_ERROR);
            return true;
        }
        struct control_state *st = malloc(sizeof(*st));
        struct batch *b = st ? batch_new(h, NULL) : NULL;
        if (!b || batch_add_cmd(b, c) < 0) {
            free(st);
            batch_free(b);
            answer_now(h, c, CMD_ACK_ERROR);
            return true;
        }
        helper_cmd_data(c, "%s in progress", v);
        Bgpbus__V1__Request *req = b->req;
        struct arena *a = &b->arena->arena;
        st->what = v[2] == 'u' ? CONTROL_SHUTDOWN : v[2] == 'l' ? CONTROL_RELOAD : CONTROL_RESTART;
        if (st->what == CONTROL_SHUTDOWN) {
            req->shutdown = arena_alloc(a, sizeof(*req->shutdown));
            if (req->shutdown) {
                bgpbus__v1__shutdown__init(req->shutdown);
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_SHUTDOWN;
            }
        } else if (st->what == CONTROL_RELOAD) {
            req->reload = arena_alloc(a, sizeof(*req->reload));
            if (req->reload) {
                bgpbus__v1__reload__init(req->reload);
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_RELOAD;
            }
        } else {
            req->restart = arena_alloc(a, sizeof(*req->restart));
            if (req->restart) {
                bgpbus__v1__restart__init(req->restart);
                req->command_case = BGPBUS__V1__REQUEST__COMMAND_RESTART;
            }
        }
        b->state = st;
        b->on_reply = control_reply;
        dispatch_flush(h);
        dispatch_send(h->br, b);
        return true;
    }
    return false;
}

/* Commands that act on neighbors and need at least one (SPEC 1.5, 2.8, 2.10). */
static bool
needs_neighbors(Bgpbus__V1__Request__CommandCase k)
{
    switch (k) {
    case BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE:
    case BGPBUS__V1__REQUEST__COMMAND_WITHDRAW:
    case BGPBUS__V1__REQUEST__COMMAND_END_OF_RIB:
    case BGPBUS__V1__REQUEST__COMMAND_ROUTE_REFRESH:
    case BGPBUS__V1__REQUEST__COMMAND_OPERATIONAL:
    case BGPBUS__V1__REQUEST__COMMAND_TEARDOWN:
    case BGPBUS__V1__REQUEST__COMMAND_FLUSH:
    case BGPBUS__V1__REQUEST__COMMAND_FLUSH_ADJ_RIB_OUT:
    case BGPBUS__V1__REQUEST__COMMAND_CLEAR_ADJ_RIB: return true;
    default: return false;
    }
}

static void dispatch_request(struct helper *h, struct cmd *c, struct arena_ref *ar,
                             Bgpbus__V1__Request *req);

void
dispatch_line(struct helper *h, const char *line, size_t len)
{
    struct cmd *c = helper_cmd_new(h, line, len);
    if (!c) {
        log_error("process %s: out of memory for a command line", h->name);
        return;
    }
    /* Local commands are recognised on the words alone. */
    {
        struct arena scratch;
        struct grammar_words w = { 0 };
        arena_init(&scratch, 1024);
        size_t i = 0;
        while (i < len && line[i] == ' ')
            i++;
        bool handled = false;
        if (i == len) {
            /* SPEC 1.4: 4.2 matches an empty line against no command. */
            log_warn("process %s: empty command", h->name);
            answer_now(h, c, CMD_ACK_ERROR);
            handled = true;
        } else if (line[i] != '#' && grammar_tokenize(&scratch, line, len, &w) == 0 && w.n > 0) {
            handled = local_command(h, c, w.w, w.n);
        }
        arena_free(&scratch);
        if (handled)
            return;
    }

    /* Parse into the open batch's arena so a route line joins it without a copy; the
     * reference held here keeps the arena alive while batches are sent and freed. */
    struct arena_ref *ar = h->open ? h->open->arena : arena_ref_new();
    if (!ar) {
        answer_now(h, c, CMD_ACK_ERROR);
        return;
    }
    if (h->open)
        ar->refs++;
    Bgpbus__V1__Request *req = NULL;
    struct grammar_words words = { 0 };
    struct grammar_error err;
    int rc = grammar_command_parse(line, len, &ar->arena, &req, &words, &err);
    if (rc < 0 || rc == GRAMMAR_COMMAND_IGNORED) {
        if (rc < 0)
            parse_error(h, c, &words, &err);
        else
            answer_now(h, c, CMD_ACK_DONE);
        arena_ref_put(ar);
        return;
    }
    dispatch_request(h, c, ar, req);
    arena_ref_put(ar);
}

static void
dispatch_request(struct helper *h, struct cmd *c, struct arena_ref *ar, Bgpbus__V1__Request *req)
{
    Bgpbus__V1__Request__CommandCase kind = req->command_case;
    uint64_t set = 0;
    if (needs_neighbors(kind)) {
        /* SPEC 2.10 / 2.12: 4.2's teardown without a selector does nothing, then done. */
        if (kind == BGPBUS__V1__REQUEST__COMMAND_TEARDOWN && !req->neighbors) {
            answer_now(h, c, CMD_ACK_DONE);
            return;
        }
        set = selected(h, req->neighbors);
        if (set == 0) {
            log_warn("process %s: '%s': no neighbor of this process matches", h->name, c->line);
            answer_now(h, c, CMD_ACK_ERROR);
            return;
        }
    }

    bool is_route = kind == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE ||
                    kind == BGPBUS__V1__REQUEST__COMMAND_WITHDRAW;
    if (is_route) {
        Bgpbus__V1__Route **routes = kind == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE
                                         ? req->announce->routes
                                         : req->withdraw->routes;
        size_t n = kind == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE ? req->announce->n_routes
                                                                 : req->withdraw->n_routes;
        Bgpbus__V1__Attributes *shared =
            kind == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE ? req->announce->attributes : NULL;
        struct batch *b = h->open;
        if (b && (b->req->command_case != kind || b->neighbors != set ||
                  b->nroutes + n > BRIDGE_BATCH_ROUTES || b->req->sync != req->sync)) {
            dispatch_flush(h);
            b = NULL;
        }
        if (!b) {
            b = batch_new(h, ar);
            if (!b || dispatch_selector(h->br, &ar->arena, set, b->req) < 0) {
                batch_free(b);
                answer_now(h, c, CMD_ACK_ERROR);
                return;
            }
            b->req->command_case = kind;
            b->req->sync = req->sync;
            b->req->has_sync = req->has_sync;
            b->neighbors = set;
            h->open = b;
        }
        c->is_route = true;
        c->announce = kind == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE;
        c->first_item = b->nroutes;
        c->nitems = n;
        if (batch_add_routes(b, routes, n, shared) < 0 || batch_add_cmd(b, c) < 0) {
            log_error("process %s: out of memory batching '%s'", h->name, c->line);
            c->nitems = 0;
            answer_now(h, c, CMD_ACK_ERROR);
        }
        return;
    }

    /* Any other command: what is batched goes first, then this Request on its own. */
    struct batch *b = batch_new(h, ar);
    dispatch_flush(h);
    if (!b || batch_add_cmd(b, c) < 0) {
        batch_free(b);
        answer_now(h, c, CMD_ACK_ERROR);
        return;
    }
    b->req = req;
    if (needs_neighbors(kind) && dispatch_selector(h->br, &ar->arena, set, req) < 0) {
        batch_free(b);
        answer_now(h, c, CMD_ACK_ERROR);
        return;
    }
    dispatch_send(h->br, b);
}
