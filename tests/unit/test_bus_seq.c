/* bus_seq: every answer the sequence tracker can give. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus.h"

static void
test_first_then_in_order(void **state)
{
    struct bus_seq t;

    bus_seq_init(&t);
    assert_int_equal(bus_seq_feed(&t, 7, 1), BUS_SEQ_FIRST);
    assert_int_equal(bus_seq_feed(&t, 7, 2), BUS_SEQ_OK);
    assert_int_equal(bus_seq_feed(&t, 7, 3), BUS_SEQ_OK);
    assert_int_equal(t.last, 3);
    assert_int_equal(t.gaps, 0);
    assert_int_equal(t.missing, 0);
}

static void
test_first_anywhere(void **state)
{
    struct bus_seq t;

    /* A subscriber that joins late starts wherever the speaker is; seq 0 is a number too. */
    bus_seq_init(&t);
    assert_int_equal(bus_seq_feed(&t, 1, 5000), BUS_SEQ_FIRST);
    assert_int_equal(bus_seq_feed(&t, 1, 5001), BUS_SEQ_OK);
    bus_seq_init(&t);
    assert_int_equal(bus_seq_feed(&t, 1, 0), BUS_SEQ_FIRST);
    assert_int_equal(bus_seq_feed(&t, 1, 1), BUS_SEQ_OK);
}

static void
test_gap_range(void **state)
{
    struct bus_seq t;

    bus_seq_init(&t);
    bus_seq_feed(&t, 9, 10);
    assert_int_equal(bus_seq_feed(&t, 9, 11), BUS_SEQ_OK);
    assert_int_equal(bus_seq_feed(&t, 9, 15), BUS_SEQ_GAP);
    assert_int_equal(t.gap_first, 12);
    assert_int_equal(t.gap_last, 14);
    assert_int_equal(t.last, 15);
    assert_int_equal(bus_seq_feed(&t, 9, 16), BUS_SEQ_OK);
    /* A gap of one. */
    assert_int_equal(bus_seq_feed(&t, 9, 18), BUS_SEQ_GAP);
    assert_int_equal(t.gap_first, 17);
    assert_int_equal(t.gap_last, 17);
    assert_int_equal(t.gaps, 2);
    assert_int_equal(t.missing, 4);
}

static void
test_duplicate_and_old(void **state)
{
    struct bus_seq t;

    bus_seq_init(&t);
    bus_seq_feed(&t, 3, 100);
    assert_int_equal(bus_seq_feed(&t, 3, 100), BUS_SEQ_DUPLICATE);
    assert_int_equal(bus_seq_feed(&t, 3, 42), BUS_SEQ_DUPLICATE);
    /* Neither moves the tracker: the next in order is still 101. */
    assert_int_equal(t.last, 100);
    assert_int_equal(bus_seq_feed(&t, 3, 101), BUS_SEQ_OK);
    assert_int_equal(t.duplicates, 2);
    assert_int_equal(t.gaps, 0);
}

static void
test_restart(void **state)
{
    struct bus_seq t;

    bus_seq_init(&t);
    bus_seq_feed(&t, 1111, 500);
    /* A restarted speaker numbers from 1 again: a lower seq is a restart, not a duplicate. */
    assert_int_equal(bus_seq_feed(&t, 2222, 1), BUS_SEQ_RESTART);
    assert_int_equal(t.epoch, 2222);
    assert_int_equal(t.last, 1);
    assert_int_equal(bus_seq_feed(&t, 2222, 2), BUS_SEQ_OK);
    /* Back to an older epoch (a delayed message of the old speaker) is a change too. */
    assert_int_equal(bus_seq_feed(&t, 3333, 900), BUS_SEQ_RESTART);
    assert_int_equal(bus_seq_feed(&t, 3333, 902), BUS_SEQ_GAP);
    assert_int_equal(t.restarts, 2);
    assert_int_equal(t.missing, 1);
}

static void
test_extremes(void **state)
{
    struct bus_seq t;

    bus_seq_init(&t);
    bus_seq_feed(&t, 0, 0);
    assert_int_equal(bus_seq_feed(&t, 0, UINT64_MAX), BUS_SEQ_GAP);
    assert_true(t.gap_first == 1);
    assert_true(t.gap_last == UINT64_MAX - 1);
    assert_true(t.missing == UINT64_MAX - 1);
    assert_int_equal(bus_seq_feed(&t, 0, UINT64_MAX), BUS_SEQ_DUPLICATE);
}

static void
test_names(void **state)
{
    assert_string_equal(bus_seq_result_name(BUS_SEQ_OK), "ok");
    assert_string_equal(bus_seq_result_name(BUS_SEQ_FIRST), "first");
    assert_string_equal(bus_seq_result_name(BUS_SEQ_GAP), "gap");
    assert_string_equal(bus_seq_result_name(BUS_SEQ_RESTART), "restart");
    assert_string_equal(bus_seq_result_name(BUS_SEQ_DUPLICATE), "duplicate");
    assert_string_equal(bus_seq_result_name((enum bus_seq_result)99), "unknown");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_then_in_order),
        cmocka_unit_test(test_first_anywhere),
        cmocka_unit_test(test_gap_range),
        cmocka_unit_test(test_duplicate_and_old),
        cmocka_unit_test(test_restart),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
