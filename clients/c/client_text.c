/*
 * client_text.c: ExaBGP API text (lib/grammar) into requests, one line or a whole file.
 *
 * A file of announce/withdraw lines becomes few requests: consecutive route lines with the
 * same command, neighbor selector and owner are merged into one request of up to BGPBUS_BATCH
 * routes (each route keeps its own attributes), and requests are pipelined. The reply's
 * per-item results are mapped back to the lines, so every line still gets its own answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "grammar_command.h"

struct line_result {
    int status;
    char *error;
};

struct text_batch {
    struct line_result *res;
    size_t first_line;
    size_t nlines;
    size_t *routes_per_line; /* how many items each line of the batch produced */
};

static void
line_fail(struct line_result *r, int status, const char *error)
{
    if (r->status)
        return; /* keep the first reason */
    r->status = status;
    r->error = strdup(error ? error : "failed");
}

static void
text_reply(struct bgpbus_client *c, void *arg, int status, const Bgpbus__V1__Reply *rep)
{
    struct text_batch *b = arg;
    int whole = status;

    if (whole == 0 && rep->has_status && rep->status != BGPBUS__V1__STATUS__STATUS_OK &&
        rep->status != BGPBUS__V1__STATUS__STATUS_PARTIAL)
        whole = client_reply_status(c, rep);
    size_t item = 0;
    for (size_t l = 0; l < b->nlines; l++) {
        struct line_result *r = &b->res[b->first_line + l];
        if (whole < 0) {
            line_fail(r, whole, c->error);
            continue;
        }
        for (size_t k = 0; k < b->routes_per_line[l]; k++, item++) {
            const Bgpbus__V1__ItemResult *it = item < rep->n_items ? rep->items[item] : NULL;
            if (it && it->has_status && it->status != BGPBUS__V1__STATUS__STATUS_OK)
                line_fail(r, BGPBUS_E_REJECTED, it->error);
        }
    }
    free(b->routes_per_line);
    free(b);
}

/* The pending merged request. */
struct merger {
    struct arena arena;         /* the parsed lines of the pending batch */
    Bgpbus__V1__Request *first; /* the first line's request: selector, owner, command */
    uint8_t *key;               /* packed selector + owner + sync + command of `first` */
    size_t key_len;
    Bgpbus__V1__Route **routes;
    size_t nroutes, cap;
    size_t first_line, nlines;
    size_t *per_line;
};

static bool
is_route_command(const Bgpbus__V1__Request *r)
{
    return (r->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE && !r->announce->attributes) ||
           r->command_case == BGPBUS__V1__REQUEST__COMMAND_WITHDRAW;
}

/* What must be equal for two route lines to share a request. */
static uint8_t *
merge_key(const Bgpbus__V1__Request *r, size_t *len)
{
    Bgpbus__V1__Request k = BGPBUS__V1__REQUEST__INIT;
    Bgpbus__V1__Announce a = BGPBUS__V1__ANNOUNCE__INIT;
    Bgpbus__V1__Withdraw w = BGPBUS__V1__WITHDRAW__INIT;
    uint8_t *buf;

    k.neighbors = r->neighbors;
    k.owner = r->owner;
    k.has_sync = r->has_sync;
    k.sync = r->sync;
    k.command_case = r->command_case;
    if (r->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE)
        k.announce = &a;
    else
        k.withdraw = &w;
    *len = bgpbus__v1__request__get_packed_size(&k);
    if ((buf = malloc(*len ? *len : 1)))
        bgpbus__v1__request__pack(&k, buf);
    return buf;
}

static int
merger_flush(struct bgpbus_client *c, struct merger *m, struct line_result *res)
{
    int rc = 0;

    if (!m->first)
        return 0;
    struct text_batch *b = malloc(sizeof(*b));
    if (!b) {
        rc = BGPBUS_E_NOMEM;
    } else {
        *b = (struct text_batch){ .res = res,
                                  .first_line = m->first_line,
                                  .nlines = m->nlines,
                                  .routes_per_line = m->per_line };
        m->per_line = NULL;
        if (m->first->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE) {
            m->first->announce->routes = m->routes;
            m->first->announce->n_routes = m->nroutes;
        } else {
            m->first->withdraw->routes = m->routes;
            m->first->withdraw->n_routes = m->nroutes;
        }
        if ((rc = client_send(c, m->first, text_reply, b)) < 0) {
            free(b->routes_per_line);
            free(b);
        }
    }
    if (rc < 0)
        for (size_t l = 0; l < m->nlines; l++)
            line_fail(&res[m->first_line + l], rc, c->error);
    free(m->per_line);
    free(m->routes);
    free(m->key);
    m->per_line = NULL;
    m->routes = NULL;
    m->key = NULL;
    m->first = NULL;
    m->nroutes = m->cap = m->nlines = 0;
    arena_reset(&m->arena);
    return rc;
}

/* Adds a parsed route line to the pending batch (m->arena owns req). */
static int
merger_add(struct merger *m, Bgpbus__V1__Request *req, size_t line)
{
    size_t n = req->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE ? req->announce->n_routes
                                                                          : req->withdraw->n_routes;
    Bgpbus__V1__Route **src = req->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE
                                  ? req->announce->routes
                                  : req->withdraw->routes;

    if (!m->first) {
        m->first = req;
        if (!(m->key = merge_key(req, &m->key_len)))
            return BGPBUS_E_NOMEM;
        m->first_line = line;
    }
    if (m->nroutes + n > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        while (cap < m->nroutes + n)
            cap *= 2;
        Bgpbus__V1__Route **r = realloc(m->routes, cap * sizeof(*r));
        size_t *pl = realloc(m->per_line, cap * sizeof(*pl));
        if (r)
            m->routes = r;
        if (pl)
            m->per_line = pl;
        if (!r || !pl)
            return BGPBUS_E_NOMEM;
        m->cap = cap;
    }
    memcpy(m->routes + m->nroutes, src, n * sizeof(*src));
    m->nroutes += n;
    m->per_line[m->nlines++] = n;
    return 0;
}

struct single {
    struct line_result *r;
};

static void
single_reply(struct bgpbus_client *c, void *arg, int status, const Bgpbus__V1__Reply *rep)
{
    struct line_result *r = arg;

    if (status == 0)
        status = client_reply_status(c, rep);
    if (status < 0)
        line_fail(r, status, c->error);
}

int
bgpbus_send_lines(bgpbus_client *c, const char *const *lines, size_t n, bgpbus_line_cb *cb,
                  void *arg)
{
    struct line_result *res;
    struct merger m = { 0 };
    struct arena scratch; /* lines sent alone */
    int rc = 0;

    if (!c || (n && !lines))
        return BGPBUS_E_INVALID;
    if (!(res = calloc(n ? n : 1, sizeof(*res))))
        return BGPBUS_E_NOMEM;
    arena_init(&m.arena, 256 * 1024);
    arena_init(&scratch, 16 * 1024);
    for (size_t i = 0; i < n && rc == 0; i++) {
        Bgpbus__V1__Request *req = NULL;
        struct grammar_words words;
        struct grammar_error err;
        char msg[300];

        memset(&err, 0, sizeof(err));
        int pr = grammar_command_parse(lines[i], strlen(lines[i]), &m.arena, &req, &words, &err);
        if (pr < 0) {
            snprintf(msg, sizeof(msg), "word %d: %s", err.word + 1, err.msg);
            line_fail(&res[i], BGPBUS_E_INVALID, msg);
            continue;
        }
        if (pr == GRAMMAR_COMMAND_IGNORED)
            continue;
        if (is_route_command(req)) {
            size_t klen;
            uint8_t *key = m.first ? merge_key(req, &klen) : NULL;
            bool same = key && klen == m.key_len && memcmp(key, m.key, klen) == 0;
            free(key);
            if (m.first && (!same || m.nroutes >= BGPBUS_BATCH)) {
                /* req lives in m.arena, which the flush resets: parse it again after. */
                if ((rc = merger_flush(c, &m, res)) < 0)
                    break;
                i--;
                continue;
            }
            if ((rc = merger_add(&m, req, i)) < 0)
                break;
            continue;
        }
        /* Any other command keeps its place in the order: flush, then send it alone. */
        Bgpbus__V1__Request *copy = NULL;
        if (m.first) {
            arena_reset(&scratch);
            pr = grammar_command_parse(lines[i], strlen(lines[i]), &scratch, &copy, &words, &err);
            if ((rc = merger_flush(c, &m, res)) < 0)
                break;
            req = copy;
        }
        if ((rc = client_send(c, req, single_reply, &res[i])) < 0)
            break;
        /* A lone command is rare: wait for it, so its arena can be reused. */
        if ((rc = client_drain(c)) < 0)
            break;
        arena_reset(&m.arena);
    }
    if (rc == 0)
        rc = merger_flush(c, &m, res);
    int drc = client_drain(c);
    if (rc == 0)
        rc = drc;
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        if (res[i].status)
            failed = true;
        if (cb)
            cb(arg, i + 1, lines[i], res[i].status, res[i].error);
        free(res[i].error);
    }
    free(res);
    free(m.routes);
    free(m.per_line);
    free(m.key);
    arena_free(&m.arena);
    arena_free(&scratch);
    if (rc == 0 && failed) {
        client_set_error(c, "some lines failed");
        rc = BGPBUS_E_PARTIAL;
    }
    return rc;
}

struct first_error {
    int status;
    char why[512];
};

static void
keep_error(void *arg, size_t line_no, const char *line, int status, const char *error)
{
    struct first_error *fe = arg;
    (void)line_no;
    (void)line;
    if (status) {
        fe->status = status;
        snprintf(fe->why, sizeof(fe->why), "%s", error ? error : bgpbus_strerror(status));
    }
}

int
bgpbus_send_text(bgpbus_client *c, const char *line)
{
    struct first_error fe = { 0 };
    int rc;

    if (!c || !line)
        return BGPBUS_E_INVALID;
    rc = bgpbus_send_lines(c, &line, 1, keep_error, &fe);
    if (rc == BGPBUS_E_PARTIAL) {
        /* One line: its failure is the whole call's. */
        client_set_error(c, "%s", fe.why);
        return fe.status == BGPBUS_E_INVALID ? BGPBUS_E_INVALID : BGPBUS_E_REJECTED;
    }
    return rc;
}
