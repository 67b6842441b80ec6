/*
 * memory: the routes each helper has announced and not withdrawn, per set of neighbors, so
 * that nothing is lost when the speaker restarts (a new epoch): the bridge announces them
 * again on the helper's behalf, with the helper's name as owner.
 *
 * Identity (SPEC 6): the packed Nlri (family + NLRI + RD + path id); the stored value is the
 * packed Route with its attributes resolved. An announce to neighbors A replaces the route on
 * A; a withdraw on W removes it from W. Entries keep a bitmap of configured neighbors.
 */
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "bus.h"
#include "log.h"

struct mem_entry {
    struct mem_entry *next;
    uint64_t neighbors;
    uint8_t *key; /* packed Nlri */
    size_t key_len;
    uint8_t *route; /* packed Route */
    size_t route_len;
};

struct memory {
    struct mem_entry **slots;
    size_t nslots, count;
};

struct memory *
memory_new(void)
{
    struct memory *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->nslots = 1024;
    m->slots = calloc(m->nslots, sizeof(*m->slots));
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

static void
entry_free(struct mem_entry *e)
{
    free(e->key);
    free(e->route);
    free(e);
}

void
memory_free(struct memory *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nslots; i++)
        while (m->slots[i]) {
            struct mem_entry *e = m->slots[i];
            m->slots[i] = e->next;
            entry_free(e);
        }
    free(m->slots);
    free(m);
}

size_t
memory_count(const struct memory *m)
{
    return m ? m->count : 0;
}

static size_t
hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return (size_t)h;
}

static void
memory_grow(struct memory *m)
{
    size_t n = m->nslots * 2;
    struct mem_entry **s = calloc(n, sizeof(*s));
    if (!s)
        return; /* keep the longer chains */
    for (size_t i = 0; i < m->nslots; i++)
        while (m->slots[i]) {
            struct mem_entry *e = m->slots[i];
            m->slots[i] = e->next;
            size_t k = hash(e->key, e->key_len) & (n - 1);
            e->next = s[k];
            s[k] = e;
        }
    free(m->slots);
    m->slots = s;
    m->nslots = n;
}

void
memory_apply(struct memory *m, uint64_t neighbors, const Bgpbus__V1__Route *const *routes, size_t n,
             const Bgpbus__V1__Attributes *shared, bool announce)
{
    if (!m)
        return;
    for (size_t i = 0; i < n; i++) {
        const Bgpbus__V1__Route *r = routes[i];
        if (!r->nlri)
            continue;
        size_t klen = bgpbus__v1__nlri__get_packed_size(r->nlri);
        uint8_t *key = malloc(klen ? klen : 1);
        if (!key)
            goto oom;
        bgpbus__v1__nlri__pack(r->nlri, key);
        size_t slot = hash(key, klen) & (m->nslots - 1);
        for (struct mem_entry **pp = &m->slots[slot]; *pp;) {
            struct mem_entry *e = *pp;
            if (e->key_len == klen && memcmp(e->key, key, klen) == 0) {
                e->neighbors &= ~neighbors;
                if (e->neighbors == 0) {
                    *pp = e->next;
                    entry_free(e);
                    m->count--;
                    continue;
                }
            }
            pp = &e->next;
        }
        if (!announce) {
            free(key);
            continue;
        }
        Bgpbus__V1__Route copy = *r;
        if (!copy.attributes)
            copy.attributes = (Bgpbus__V1__Attributes *)shared;
        struct mem_entry *e = calloc(1, sizeof(*e));
        size_t rlen = bgpbus__v1__route__get_packed_size(&copy);
        uint8_t *val = malloc(rlen ? rlen : 1);
        if (!e || !val) {
            free(e);
            free(val);
            free(key);
            goto oom;
        }
        bgpbus__v1__route__pack(&copy, val);
        e->key = key;
        e->key_len = klen;
        e->route = val;
        e->route_len = rlen;
        e->neighbors = neighbors;
        e->next = m->slots[slot];
        m->slots[slot] = e;
        if (++m->count > m->nslots * 2)
            memory_grow(m);
    }
    return;
oom:
    log_error("apibridge: out of memory remembering routes; a speaker restart may lose some");
}

/* ---- replay ------------------------------------------------------------------------------- */

static void
replay_reply(struct batch *b, int status, const Bgpbus__V1__Reply *rep)
{
    if (status < 0 || !rep || rep->status != BGPBUS__V1__STATUS__STATUS_OK)
        log_warn("process %s: re-announcing %zu route(s) after the speaker restart: %s", b->h->name,
                 b->nroutes, rep && rep->error ? rep->error : "failed");
    else
        log_info("process %s: %zu route(s) re-announced after the speaker restart", b->h->name,
                 b->nroutes);
}

static void
replay_send(struct helper *h, struct batch *b, bool announce)
{
    if (!b)
        return;
    b->req->command_case =
        announce ? BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE : BGPBUS__V1__REQUEST__COMMAND_WITHDRAW;
    if (b->nroutes == 0 || dispatch_selector(h->br, &b->arena->arena, b->neighbors, b->req) < 0) {
        batch_free(b);
        return;
    }
    dispatch_send(h->br, b);
}

/* One Request per neighbor set, BRIDGE_BATCH_ROUTES routes at most. */
static void
memory_send(struct helper *h, bool announce)
{
    struct memory *m = h->mem;
    uint64_t *sets = NULL;
    size_t nsets = 0;

    for (size_t i = 0; m && i < m->nslots; i++)
        for (struct mem_entry *e = m->slots[i]; e; e = e->next) {
            size_t k = 0;
            while (k < nsets && sets[k] != e->neighbors)
                k++;
            if (k == nsets) {
                uint64_t *n = realloc(sets, (nsets + 1) * sizeof(*n));
                if (!n)
                    continue;
                sets = n;
                sets[nsets++] = e->neighbors;
            }
        }
    for (size_t s = 0; s < nsets; s++) {
        struct batch *b = NULL;
        for (size_t i = 0; i < m->nslots; i++)
            for (struct mem_entry *e = m->slots[i]; e; e = e->next) {
                if (e->neighbors != sets[s])
                    continue;
                if (!b) {
                    b = batch_new(h, NULL);
                    if (!b)
                        goto out;
                    b->neighbors = sets[s];
                    b->on_reply = replay_reply;
                }
                Bgpbus__V1__Route *r =
                    bgpbus__v1__route__unpack(&b->arena->arena.pb, e->route_len, e->route);
                if (r && b->nroutes == b->cap) {
                    size_t ncap = b->cap ? b->cap * 2 : 256;
                    Bgpbus__V1__Route **nr = realloc(b->routes, ncap * sizeof(*nr));
                    if (nr) {
                        b->routes = nr;
                        b->cap = ncap;
                    }
                }
                if (!r || b->nroutes == b->cap) {
                    log_error("process %s: cannot rebuild a remembered route", h->name);
                    continue;
                }
                b->routes[b->nroutes++] = r;
                if (b->nroutes >= BRIDGE_BATCH_ROUTES) {
                    replay_send(h, b, announce);
                    b = NULL;
                }
            }
        replay_send(h, b, announce);
    }
out:
    free(sets);
}

void
memory_replay_all(struct bridge *br)
{
    for (size_t i = 0; i < br->nhelpers; i++) {
        struct helper *h = br->helpers[i];
        if (memory_count(h->mem) == 0)
            continue;
        log_info("process %s: the speaker restarted; re-announcing %zu route(s)", h->name,
                 memory_count(h->mem));
        memory_send(h, true);
    }
}

void
memory_withdraw_helper(struct helper *h)
{
    if (memory_count(h->mem) == 0)
        return;
    log_info("process %s is gone for good; withdrawing its %zu route(s)", h->name,
             memory_count(h->mem));
    memory_send(h, false);
    memory_free(h->mem);
    h->mem = memory_new();
}

/* A reload renumbered the neighbors: map[i] is the new index of old neighbor i, or -1 when it
 * is gone (the speaker withdrew its session, so its routes are forgotten here too). */
void
memory_remap(struct memory *m, const int *map, size_t nold)
{
    if (!m)
        return;
    for (size_t s = 0; s < m->nslots; s++)
        for (struct mem_entry **pp = &m->slots[s]; *pp;) {
            struct mem_entry *e = *pp;
            uint64_t set = 0;
            for (size_t i = 0; i < nold && i < 64; i++)
                if ((e->neighbors & (UINT64_C(1) << i)) && map[i] >= 0 && map[i] < 64)
                    set |= UINT64_C(1) << map[i];
            e->neighbors = set;
            if (set == 0) {
                *pp = e->next;
                entry_free(e);
                m->count--;
                continue;
            }
            pp = &e->next;
        }
}
