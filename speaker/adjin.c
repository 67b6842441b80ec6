/* adjin.c: the Adj-RIB-In of one peer (see adjin.h). */
#include "adjin.h"

#include <stdlib.h>

#include "rtable.h"

struct adjin {
    struct attrset_table *sets;
    struct rtable routes;
};

struct adjin *
adjin_new(struct attrset_table *sets)
{
    struct adjin *in = calloc(1, sizeof(*in));
    if (!in)
        return NULL;
    in->sets = sets;
    if (rtable_init(&in->routes) < 0) {
        free(in);
        return NULL;
    }
    return in;
}

void
adjin_free(struct adjin *in)
{
    if (!in)
        return;
    rtable_free(&in->routes, in->sets);
    free(in);
}

void
adjin_clear(struct adjin *in)
{
    rtable_free(&in->routes, in->sets);
    rtable_init(&in->routes);
}

size_t
adjin_count(const struct adjin *in)
{
    return in->routes.count;
}

static void
withdraw(struct adjin *in, const struct nlri *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct rt_entry *e = rtable_find(&in->routes, &v[i]);
        if (e) {
            rtable_remove(&in->routes, e);
            rtable_entry_free(&in->routes, e, in->sets);
        }
    }
}

static int
announce(struct adjin *in, const Bgpbus__V1__Attributes *attrs, Bgpbus__V1__NextHop *nh,
         const struct nlri *v, size_t n)
{
    if (n == 0)
        return 0;
    /* The next hop is part of what the peer said about the route: keep it in the set. */
    Bgpbus__V1__Attributes copy = *attrs;
    copy.next_hop = nh;
    struct attrset *set = attrset_intern(in->sets, &copy);
    if (!set)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        bool created;
        struct rt_entry *e = rtable_get(&in->routes, &v[i], &created);
        if (!e) {
            rc = -1;
            break;
        }
        if (!created && rtable_update_raw(e, &v[i]) < 0) {
            rc = -1;
            break;
        }
        if (e->attrs)
            attrset_unref(in->sets, e->attrs);
        e->attrs = attrset_ref(set);
    }
    attrset_unref(in->sets, set);
    return rc;
}

int
adjin_update(struct adjin *in, const struct update_decoded *dec)
{
    withdraw(in, dec->withdrawn, dec->withdrawn_count);
    if (dec->mp_unreach.present)
        withdraw(in, dec->mp_unreach.nlri, dec->mp_unreach.nlri_count);
    if (dec->treat_as_withdraw) {
        withdraw(in, dec->nlri, dec->nlri_count);
        if (dec->mp_reach.present)
            withdraw(in, dec->mp_reach.nlri, dec->mp_reach.nlri_count);
        return 0;
    }
    int rc = announce(in, dec->attrs, dec->attrs->next_hop, dec->nlri, dec->nlri_count);
    if (rc == 0 && dec->mp_reach.present)
        rc = announce(in, dec->attrs, dec->mp_reach.nexthop, dec->mp_reach.nlri,
                      dec->mp_reach.nlri_count);
    return rc;
}

void
adjin_walk(const struct adjin *in, bgp_famset fams, adjout_walk_fn *fn, void *arg)
{
    size_t b;
    for (struct rt_entry *e = rtable_first(&in->routes, &b); e; e = rtable_next(&in->routes, e, &b))
        if (e->attrs && (!fams || bgp_famset_has(fams, (enum bgp_family)e->nlri.fam)))
            fn(arg, &e->nlri, e->attrs, 0);
}
