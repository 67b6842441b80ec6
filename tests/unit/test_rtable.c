/* The route table under the Adj-RIB-Out/In (speaker/rtable.c) and the interned attribute sets
 * it points at (speaker/attrset.c): one 64-byte entry per route in chunks, freed entries reused,
 * sets kept packed and decoded on demand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "attrset.h"
#include "rtable.h"

/* Route i: 20.0.0.0/24 + i, path id i % 3 when with_path. */
static struct nlri
route(uint32_t i, bool with_path)
{
    struct nlri n;
    memset(&n, 0, sizeof(n));
    n.fam = BGP_FAM_IPV4_UNICAST;
    n.len = 24;
    uint32_t a = (20u << 24) + (i << 8);
    n.addr[0] = (uint8_t)(a >> 24);
    n.addr[1] = (uint8_t)(a >> 16);
    n.addr[2] = (uint8_t)(a >> 8);
    n.has_path_id = with_path;
    n.path_id = with_path ? i % 3 : 0;
    return n;
}

static struct attrset *
set_with_med(struct attrset_table *sets, uint32_t med)
{
    Bgpbus__V1__Attributes a = BGPBUS__V1__ATTRIBUTES__INIT;
    uint32_t comm[2] = { 65000u << 16 | 1, med };
    a.has_med = true;
    a.med = med;
    a.n_communities = 2;
    a.communities = comm;
    return attrset_intern(sets, &a);
}

static void
test_insert_find_grow(void **state)
{
    struct rtable t;
    bool created;
    const uint32_t n = 50000; /* several chunks, several bucket doublings */

    (void)state;
    assert_int_equal(rtable_init(&t), 0);
    assert_true(sizeof(struct rt_entry) <= 64);
    for (uint32_t i = 0; i < n; i++) {
        struct nlri r = route(i, false);
        struct rt_entry *e = rtable_get(&t, &r, &created);
        assert_non_null(e);
        assert_true(created);
        e->owner = i;
    }
    assert_int_equal(t.count, n);
    for (uint32_t i = 0; i < n; i++) {
        struct nlri r = route(i, false);
        struct rt_entry *e = rtable_find(&t, &r);
        assert_non_null(e);
        assert_int_equal(e->owner, i); /* the same entry: entries do not move as the table grows */
        assert_ptr_equal(rtable_get(&t, &r, &created), e);
        assert_false(created);
    }
    /* The same prefix with a path id is another route (RFC 7911). */
    struct nlri p = route(7, true);
    p.path_id = 9;
    assert_null(rtable_find(&t, &p));

    size_t b, seen = 0;
    uint64_t sum = 0;
    for (struct rt_entry *e = rtable_first(&t, &b); e; e = rtable_next(&t, e, &b)) {
        seen++;
        sum += e->owner;
    }
    assert_int_equal(seen, n);
    assert_true(sum == (uint64_t)n * (n - 1) / 2); /* each exactly once */
    rtable_free(&t, NULL);
}

static void
test_remove_reuses_entries(void **state)
{
    struct rtable t;
    bool created;
    const uint32_t n = 5000;

    (void)state;
    assert_int_equal(rtable_init(&t), 0);
    for (uint32_t i = 0; i < n; i++) {
        struct nlri r = route(i, true);
        assert_non_null(rtable_get(&t, &r, &created));
    }
    size_t chunks = t.nchunks;
    for (uint32_t i = 0; i < n; i += 2) {
        struct nlri r = route(i, true);
        struct rt_entry *e = rtable_find(&t, &r);
        assert_non_null(e);
        rtable_remove(&t, e);
        assert_int_equal(e->nlri.len, 24); /* still readable until freed (a withdraw is built) */
        rtable_entry_free(&t, e, NULL);
    }
    assert_int_equal(t.count, n / 2);
    for (uint32_t i = 0; i < n; i++) {
        struct nlri r = route(i, true);
        struct rt_entry *e = rtable_find(&t, &r);
        if (i % 2)
            assert_non_null(e);
        else
            assert_null(e);
    }
    /* Other routes take the freed entries: the table does not grow. */
    for (uint32_t i = n; i < n + n / 2; i++) {
        struct nlri r = route(i, true);
        struct rt_entry *e = rtable_get(&t, &r, &created);
        assert_non_null(e);
        assert_true(created);
        assert_null(e->attrs);
        assert_int_equal(e->flags, 0);
    }
    assert_int_equal(t.nchunks, chunks);
    assert_int_equal(t.count, n);
    rtable_free(&t, NULL);
}

/* Whole-table passes (doubling, freeing) scan the chunks: an entry removed but not yet freed
 * (a withdrawal being built) must be skipped by them, and freed later. */
static void
test_removed_survives_growth(void **state)
{
    struct rtable t;
    bool created;
    struct nlri gone = route(0, false);

    (void)state;
    assert_int_equal(rtable_init(&t), 0);
    struct rt_entry *e = rtable_get(&t, &gone, &created);
    assert_non_null(e);
    rtable_remove(&t, e);
    size_t buckets = t.nbuckets;
    for (uint32_t i = 1; i < 20000; i++) {
        struct nlri r = route(i, false);
        assert_non_null(rtable_get(&t, &r, &created));
    }
    assert_true(t.nbuckets > buckets);
    assert_null(rtable_find(&t, &gone));
    assert_int_equal(e->nlri.addr[0], 20); /* untouched */
    rtable_entry_free(&t, e, NULL);
    size_t b, seen = 0;
    for (struct rt_entry *x = rtable_first(&t, &b); x; x = rtable_next(&t, x, &b))
        seen++;
    assert_int_equal(seen, 19999);
    assert_int_equal(t.count, 19999);
    struct rt_entry *again = rtable_get(&t, &gone, &created);
    assert_true(created);
    assert_ptr_equal(again, e); /* the freed entry, reused */
    rtable_free(&t, NULL);
}

static void
test_raw_bytes_owned(void **state)
{
    struct rtable t;
    bool created;
    uint8_t labels[11] = { 0x00, 0x01, 0x01, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1 }; /* label + RD */
    uint8_t longer[14] = { 0x00, 0x01, 0x00, 0x00, 0x02, 0x01, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1 };
    struct nlri n = route(1, false);

    (void)state;
    assert_int_equal(rtable_init(&t), 0);
    n.fam = BGP_FAM_IPV4_VPN;
    n.raw = labels;
    n.raw_len = sizeof(labels);
    struct rt_entry *e = rtable_get(&t, &n, &created);
    assert_non_null(e);
    assert_ptr_not_equal(e->nlri.raw, labels); /* a copy: the caller's buffer may go */
    assert_memory_equal(e->nlri.raw, labels, sizeof(labels));
    assert_int_equal(rtable_update_raw(e, &n), 0);
    struct nlri m = n;
    m.raw = longer;
    m.raw_len = sizeof(longer);
    assert_int_equal(rtable_update_raw(e, &m), 1);
    assert_int_equal(e->nlri.raw_len, sizeof(longer));
    assert_memory_equal(e->nlri.raw, longer, sizeof(longer));
    m.raw_len = 0;
    assert_int_equal(rtable_update_raw(e, &m), 1);
    assert_null(e->nlri.raw);
    assert_int_equal(rtable_update_raw(e, &n), 1);
    memset(labels, 0xff, sizeof(labels));
    assert_int_equal(e->nlri.raw[0], 0x00);
    rtable_free(&t, NULL); /* ASan: no raw copy leaks */
}

static void
test_attrset_interned_packed(void **state)
{
    struct attrset_table *sets = attrset_table_new();
    struct arena a;

    (void)state;
    assert_non_null(sets);
    arena_init(&a, 0);
    struct attrset *s1 = set_with_med(sets, 5), *s2 = set_with_med(sets, 5);
    struct attrset *s3 = set_with_med(sets, 6);
    assert_ptr_equal(s1, s2);
    assert_ptr_not_equal(s1, s3);
    assert_int_equal(attrset_table_count(sets), 2);

    const Bgpbus__V1__Attributes *d = attrset_decode(s3, &a);
    assert_non_null(d);
    assert_true(d->has_med);
    assert_int_equal(d->med, 6);
    assert_int_equal(d->n_communities, 2);
    assert_int_equal(d->communities[0], 65000u << 16 | 1);

    /* No attribute at all is a set too (packed size 0). */
    Bgpbus__V1__Attributes none = BGPBUS__V1__ATTRIBUTES__INIT;
    struct attrset *e1 = attrset_intern(sets, &none), *e2 = attrset_intern(sets, &none);
    assert_non_null(e1);
    assert_ptr_equal(e1, e2);
    assert_int_equal(e1->len, 0);
    d = attrset_decode(e1, &a);
    assert_non_null(d);
    assert_false(d->has_med);
    attrset_unref(sets, e1);
    attrset_unref(sets, e2);

    attrset_unref(sets, s1);
    assert_int_equal(attrset_table_count(sets), 2);
    attrset_unref(sets, s2);
    assert_int_equal(attrset_table_count(sets), 1);
    attrset_unref(sets, s3);
    assert_int_equal(attrset_table_count(sets), 0);
    arena_free(&a);
    attrset_table_free(sets);
}

static void
test_attrset_memo(void **state)
{
    struct attrset_table *sets = attrset_table_new();
    struct attrset *v[1000];
    const Bgpbus__V1__Attributes *d[1000];
    struct attrset_memo memo;
    struct arena a;

    (void)state;
    arena_init(&a, 0);
    attrset_memo_init(&memo, &a);
    for (uint32_t i = 0; i < 1000; i++) {
        v[i] = set_with_med(sets, i);
        d[i] = attrset_memo_get(&memo, v[i]);
        assert_non_null(d[i]);
        assert_int_equal(d[i]->med, i);
    }
    /* Decoded once: the same message again, whatever the growth of the map in between. */
    for (uint32_t i = 0; i < 1000; i++)
        assert_ptr_equal(attrset_memo_get(&memo, v[i]), d[i]);
    assert_int_equal(memo.count, 1000);
    attrset_memo_free(&memo);
    arena_free(&a);
    for (uint32_t i = 0; i < 1000; i++)
        attrset_unref(sets, v[i]);
    attrset_table_free(sets);
}

static void
test_free_drops_references(void **state)
{
    struct attrset_table *sets = attrset_table_new();
    struct rtable t;
    bool created;

    (void)state;
    assert_int_equal(rtable_init(&t), 0);
    struct attrset *s = set_with_med(sets, 1);
    for (uint32_t i = 0; i < 100; i++) {
        struct nlri r = route(i, false);
        struct rt_entry *e = rtable_get(&t, &r, &created);
        e->attrs = attrset_ref(s);
    }
    attrset_unref(sets, s);
    assert_int_equal(attrset_table_count(sets), 1);
    rtable_free(&t, sets);
    assert_int_equal(attrset_table_count(sets), 0);
    attrset_table_free(sets);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_find_grow),
        cmocka_unit_test(test_remove_reuses_entries),
        cmocka_unit_test(test_removed_survives_growth),
        cmocka_unit_test(test_raw_bytes_owned),
        cmocka_unit_test(test_attrset_interned_packed),
        cmocka_unit_test(test_attrset_memo),
        cmocka_unit_test(test_free_drops_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
