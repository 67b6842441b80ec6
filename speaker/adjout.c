/* adjout.c: the Adj-RIB-Out of one peer (see adjout.h). */
#include "adjout.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "events.h"
#include "log.h"
#include "nlri_vpn.h"
#include "session.h"
#include "speaker.h"
#include "rtable.h"
#include "update.h"

/* rt_entry.flags */
#define AOUT_DIRTY      0x1
#define AOUT_ADVERTISED 0x2 /* the peer holds it */
#define AOUT_STALE      0x4 /* adjout_mark_stale: withdrawn by adjout_withdraw_stale unless set */

struct adjout {
    struct peer *peer;
    struct session *sess; /* established session, or NULL */
    struct rtable routes;
    size_t count; /* routes with a wanted state (attrs != NULL) */
    /* Changed routes in the order they changed (AOUT_DIRTY set): here rather than linked
     * through the entries, which keeps an entry to one cache line (rtable.h). */
    struct rt_entry **dirty;
    size_t ndirty, dirty_cap;
    bool report_sent; /* during a flush: publish what we send (api `send { update; }`) */
};

struct adjout *
adjout_new(struct peer *p)
{
    struct adjout *o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->peer = p;
    if (rtable_init(&o->routes) < 0) {
        free(o);
        return NULL;
    }
    return o;
}

void
adjout_free(struct adjout *o)
{
    if (!o)
        return;
    rtable_free(&o->routes, o->peer->sp->attrsets);
    free(o->dirty);
    free(o);
}

/* -1 when out of memory (the route is not marked). */
static int
mark_dirty(struct adjout *o, struct rt_entry *r)
{
    if (r->flags & AOUT_DIRTY)
        return 0;
    if (o->ndirty == o->dirty_cap) {
        size_t ncap = o->dirty_cap ? o->dirty_cap * 2 : 256;
        struct rt_entry **nd = realloc(o->dirty, ncap * sizeof(*nd));
        if (!nd)
            return -1;
        o->dirty = nd;
        o->dirty_cap = ncap;
    }
    r->flags |= AOUT_DIRTY;
    o->dirty[o->ndirty++] = r;
    return 0;
}

/* After a flush, the list it took back, unless the flush marked others meanwhile (emitting can
 * call back). A table-wide re-send (session up, refresh) leaves no megabytes behind. */
static void
dirty_return(struct adjout *o, struct rt_entry **v, size_t cap)
{
    if (o->dirty || cap > 4096) {
        free(v);
        return;
    }
    o->dirty = v;
    o->dirty_cap = cap;
}

int
adjout_set(struct adjout *o, const struct nlri *n, struct attrset *attrs, uint32_t owner)
{
    struct rt_entry *r;
    bool created = false;

    if (!attrs) {
        r = rtable_find(&o->routes, n);
        if (!r)
            return 0; /* withdrawing what is not there */
    } else {
        r = rtable_get(&o->routes, n, &created);
        if (!r)
            return -1;
    }
    r->flags &= (uint8_t)~AOUT_STALE;
    /* Same identity, other NLRI bytes (a VPN route's new labels): send the new ones. */
    int raw_changed = attrs && !created ? rtable_update_raw(r, n) : 0;
    if (raw_changed < 0)
        return -1;
    if (r->attrs == attrs && r->owner == owner && !raw_changed)
        return 0; /* the same route again: nothing to send (ExaBGP) */
    if (mark_dirty(o, r) < 0) {
        if (created) { /* no wanted state, not dirty: it would never go */
            rtable_remove(&o->routes, r);
            rtable_entry_free(&o->routes, r, o->peer->sp->attrsets);
        }
        return -1;
    }
    if (!r->attrs && attrs)
        o->count++;
    else if (r->attrs && !attrs)
        o->count--;
    if (attrs)
        attrset_ref(attrs);
    if (r->attrs)
        attrset_unref(o->peer->sp->attrsets, r->attrs);
    r->attrs = attrs;
    r->owner = owner;
    return 1;
}

size_t
adjout_count(const struct adjout *o)
{
    return o->count;
}

size_t
adjout_pending(const struct adjout *o)
{
    return o->ndirty;
}

/* ---- packing -------------------------------------------------------------------------------- */

struct group {
    enum bgp_family fam;
    struct attrset *attrs; /* NULL: withdrawals */
    struct nlri *v;
    size_t n, cap;
};

struct packer {
    struct group *groups;
    size_t ngroups, cap;
    /* (fam, attrs) -> group index + 1, open addressing */
    uint32_t *index;
    size_t index_cap;
};

static size_t
packer_slot(const struct packer *pk, enum bgp_family fam, const struct attrset *a)
{
    uintptr_t k = (uintptr_t)a ^ ((uintptr_t)fam * 0x9e3779b97f4a7c15u);
    k ^= k >> 29;
    return (size_t)(k * 0xbf58476d1ce4e5b9u) & (pk->index_cap - 1);
}

static struct group *
packer_group(struct packer *pk, enum bgp_family fam, struct attrset *a)
{
    if ((pk->ngroups + 1) * 2 > pk->index_cap) {
        size_t ncap = pk->index_cap ? pk->index_cap * 2 : 64;
        uint32_t *ni = calloc(ncap, sizeof(*ni));
        if (!ni)
            return NULL;
        free(pk->index);
        pk->index = ni;
        pk->index_cap = ncap;
        for (size_t g = 0; g < pk->ngroups; g++) {
            size_t s = packer_slot(pk, pk->groups[g].fam, pk->groups[g].attrs);
            while (pk->index[s])
                s = (s + 1) & (ncap - 1);
            pk->index[s] = (uint32_t)g + 1;
        }
    }
    size_t s = packer_slot(pk, fam, a);
    while (pk->index[s]) {
        struct group *g = &pk->groups[pk->index[s] - 1];
        if (g->fam == fam && g->attrs == a)
            return g;
        s = (s + 1) & (pk->index_cap - 1);
    }
    if (pk->ngroups == pk->cap) {
        size_t ncap = pk->cap ? pk->cap * 2 : 16;
        struct group *ng = realloc(pk->groups, ncap * sizeof(*ng));
        if (!ng)
            return NULL;
        pk->groups = ng;
        pk->cap = ncap;
    }
    struct group *g = &pk->groups[pk->ngroups];
    memset(g, 0, sizeof(*g));
    g->fam = fam;
    g->attrs = a;
    pk->index[s] = (uint32_t)++pk->ngroups;
    return g;
}

static bool
group_add(struct group *g, const struct nlri *n)
{
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 64;
        struct nlri *nv = realloc(g->v, ncap * sizeof(*nv));
        if (!nv)
            return false;
        g->v = nv;
        g->cap = ncap;
    }
    g->v[g->n++] = *n;
    return true;
}

static void
packer_free(struct packer *pk)
{
    for (size_t i = 0; i < pk->ngroups; i++)
        free(pk->groups[i].v);
    free(pk->groups);
    free(pk->index);
}

static int
emit_update(void *arg, const uint8_t *msg, size_t len)
{
    struct adjout *o = arg;
    session_send(o->sess, msg, len);
    o->peer->stats.updates_out++;
    if (o->report_sent)
        ev_sent_update(o->peer, o->sess, msg, len);
    return 0;
}

static void
self_ctx(const struct session *s, struct nexthop_ctx *self)
{
    uint8_t addr[16];

    memset(self, 0, sizeof(*self));
    self->has_v4 = session_local_addr(s, AF_INET, addr) == 4;
    if (self->has_v4)
        memcpy(self->v4, addr, 4);
    self->has_v6 = session_local_addr(s, AF_INET6, addr) == 16;
    if (self->has_v6)
        memcpy(self->v6, addr, 16);
}

/* scratch holds the decoded attributes while the group's UPDATEs are built; the caller resets it
 * after each group, so a flush of many sets keeps one set decoded at a time. */
static void
send_group(struct adjout *o, const struct group *g, const struct bgp_session_codec *ctx,
           const struct nexthop_ctx *self, struct arena *scratch)
{
    const Bgpbus__V1__Attributes *attrs = NULL;
    const char *why = NULL;
    /* group-updates false: ExaBGP sends one UPDATE per route. */
    size_t step = o->peer->cfg->group_updates ? g->n : 1;

    if (g->attrs && !(attrs = attrset_decode(g->attrs, scratch))) {
        log_error("peer %s: out of memory decoding attributes: %zu routes not sent",
                  o->peer->addr_text, g->n);
        return;
    }
    for (size_t i = 0; i < g->n; i += step) {
        size_t n = g->n - i < step ? g->n - i : step;
        if (update_build(g->fam, attrs, g->v + i, n, ctx, self, emit_update, o, NULL, &why) < 0) {
            char text[128];
            nlri_format(&g->v[i], text, sizeof(text));
            log_error("peer %s: cannot encode %s %s: %s", o->peer->addr_text,
                      attrs ? "announce of" : "withdraw of", text, why ? why : "?");
        }
    }
}

void
adjout_flush(struct adjout *o)
{
    struct packer pk;
    struct arena scratch;
    struct bgp_session_codec ctx;
    struct nexthop_ctx self;
    bgp_famset fams;

    if (!o->sess || o->sess->state != FSM_ESTABLISHED || !o->ndirty)
        return;
    memset(&pk, 0, sizeof(pk));
    o->report_sent = ev_wants_sent_updates(o->peer);
    peer_codec_ctx(o->peer, o->sess, &ctx);
    self_ctx(o->sess, &self);
    fams = o->sess->neg.families;

    /* Take the list: what is marked while sending starts a new one. */
    struct rt_entry **v = o->dirty;
    size_t nv = o->ndirty, vcap = o->dirty_cap, ngone = 0;
    o->dirty = NULL;
    o->ndirty = o->dirty_cap = 0;

    for (size_t i = 0; i < nv; i++) {
        struct rt_entry *r = v[i];
        r->flags &= (uint8_t)~AOUT_DIRTY;
        bool negotiated = bgp_famset_has(fams, (enum bgp_family)r->nlri.fam);
        if (r->attrs) {
            /* Routes of a family the session did not negotiate stay here, unsent (ExaBGP). */
            if (!negotiated)
                continue;
            struct group *g = packer_group(&pk, (enum bgp_family)r->nlri.fam, r->attrs);
            if (g && group_add(g, &r->nlri))
                r->flags |= AOUT_ADVERTISED;
            continue;
        }
        if ((r->flags & AOUT_ADVERTISED) && negotiated) {
            struct group *g = packer_group(&pk, (enum bgp_family)r->nlri.fam, NULL);
            /* one label field, not the stack (RFC 8277 2.4, nlri_vpn.c) */
            struct nlri wd = nlri_vpn_withdrawal(&r->nlri);
            if (g)
                group_add(g, &wd);
        }
        /* Forget it once the withdraw is built (its NLRI bytes are read until then). */
        rtable_remove(&o->routes, r);
        v[ngone++] = r; /* i >= ngone: the rest of the list is still ahead */
    }

    /* Withdrawals first, then announcements, in the order the groups appeared. */
    arena_init(&scratch, 0);
    for (size_t i = 0; i < pk.ngroups; i++)
        if (!pk.groups[i].attrs)
            send_group(o, &pk.groups[i], &ctx, &self, &scratch);
    for (size_t i = 0; i < pk.ngroups; i++) {
        if (pk.groups[i].attrs) {
            send_group(o, &pk.groups[i], &ctx, &self, &scratch);
            arena_reset(&scratch);
        }
    }
    arena_free(&scratch);
    packer_free(&pk);
    for (size_t i = 0; i < ngone; i++)
        rtable_entry_free(&o->routes, v[i], o->peer->sp->attrsets);
    dirty_return(o, v, vcap);
}

void
adjout_send_eor(struct adjout *o, enum bgp_family fam)
{
    uint8_t buf[64];
    struct wire_wr w;

    if (!o->sess || fam == BGP_FAM_NONE)
        return;
    wire_wr_init_fixed(&w, buf, sizeof(buf));
    update_build_eor(bgp_family_afi(fam), bgp_family_safi(fam), &w);
    if (!wire_wr_ok(&w))
        return;
    session_send(o->sess, w.buf, w.len);
    if (ev_wants_sent_updates(o->peer))
        ev_eor(o->peer, bgp_family_afi(fam), bgp_family_safi(fam),
               BGPBUS__V1__DIRECTION__DIRECTION_SENT, w.buf, w.len);
}

/* Marks every wanted route of the families in fams (0 = all) to be sent again. */
static void
mark_all(struct adjout *o, bgp_famset fams)
{
    size_t b;
    for (struct rt_entry *r = rtable_first(&o->routes, &b); r; r = rtable_next(&o->routes, r, &b))
        if (r->attrs && (!fams || bgp_famset_has(fams, (enum bgp_family)r->nlri.fam)) &&
            mark_dirty(o, r) < 0) {
            log_error("peer %s: out of memory: not every route is sent again", o->peer->addr_text);
            return;
        }
}

void
adjout_session_up(struct adjout *o, struct session *s)
{
    o->sess = s;
    mark_all(o, 0);
    adjout_flush(o);
    /* RFC 4724 2: End-of-RIB after the initial table, for every negotiated family, unless the
     * operator sends them (manual-eor). ExaBGP does this with or without graceful restart. */
    if (o->peer->cfg->manual_eor)
        return;
    for (int f = 0; f < BGP_FAM_COUNT; f++)
        if (bgp_famset_has(s->neg.families, (enum bgp_family)f))
            adjout_send_eor(o, (enum bgp_family)f);
}

void
adjout_session_down(struct adjout *o)
{
    size_t b;
    o->sess = NULL;
    for (struct rt_entry *r = rtable_first(&o->routes, &b); r; r = rtable_next(&o->routes, r, &b))
        r->flags &= (uint8_t)~AOUT_ADVERTISED;
}

void
adjout_refresh(struct adjout *o, enum bgp_family fam)
{
    mark_all(o, fam == BGP_FAM_NONE ? 0 : BGP_FAMSET(fam));
    adjout_flush(o);
}

/* Drops r's wanted state, to be withdrawn at the next flush; -1 (r unchanged) when out of
 * memory. */
static int
withdraw_one(struct adjout *o, struct rt_entry *r)
{
    if (mark_dirty(o, r) < 0) {
        log_error("peer %s: out of memory: routes not withdrawn", o->peer->addr_text);
        return -1;
    }
    attrset_unref(o->peer->sp->attrsets, r->attrs);
    r->attrs = NULL;
    o->count--;
    return 0;
}

size_t
adjout_withdraw_all(struct adjout *o, uint32_t owner)
{
    size_t n = 0, b;
    for (struct rt_entry *r = rtable_first(&o->routes, &b); r; r = rtable_next(&o->routes, r, &b))
        if (r->attrs && (owner == UINT32_MAX || r->owner == owner)) {
            if (withdraw_one(o, r) < 0)
                break;
            n++;
        }
    return n;
}

void
adjout_mark_stale(struct adjout *o, uint32_t owner)
{
    size_t b;
    for (struct rt_entry *r = rtable_first(&o->routes, &b); r; r = rtable_next(&o->routes, r, &b))
        if (r->attrs && r->owner == owner)
            r->flags |= AOUT_STALE;
}

size_t
adjout_withdraw_stale(struct adjout *o, uint32_t owner)
{
    size_t n = 0, b;
    for (struct rt_entry *r = rtable_first(&o->routes, &b); r; r = rtable_next(&o->routes, r, &b)) {
        if (!(r->flags & AOUT_STALE))
            continue;
        r->flags &= (uint8_t)~AOUT_STALE;
        if (r->attrs && r->owner == owner) {
            if (withdraw_one(o, r) < 0)
                break;
            n++;
        }
    }
    return n;
}

void
adjout_walk(const struct adjout *o, bgp_famset fams, adjout_walk_fn *fn, void *arg)
{
    size_t b;
    for (struct rt_entry *r = rtable_first(&o->routes, &b); r; r = rtable_next(&o->routes, r, &b))
        if (r->attrs && (!fams || bgp_famset_has(fams, (enum bgp_family)r->nlri.fam)))
            fn(arg, &r->nlri, r->attrs, r->owner);
}
