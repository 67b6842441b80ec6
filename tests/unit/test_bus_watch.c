/*
 * bus_watch, the spin guard: an fd that stays readable while there is nothing to take (what
 * nng 1.5.2's pollable fd can do) must not spin the loop, and real work must still get through
 * within the backoff bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bus_int.h"
#include "test_bus_util.h"

struct spin {
    int calls;
    bool work;          /* a real message is waiting */
    int64_t handled_at; /* when it was taken */
};

static int
spin_fn(void *arg)
{
    struct spin *s = arg;

    s->calls++;
    if (s->work) {
        s->work = false;
        s->handled_at = test_now_ms();
        return 1;
    }
    return 0;
}

struct fixture {
    struct event_base *base;
    int fds[2];
    struct bus_watch w;
    struct bus_stats stats;
    struct spin s;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->base = event_base_new();
    assert_non_null(f->base);
    assert_int_equal(pipe(f->fds), 0);
    assert_int_equal(bus_watch_init(&f->w, f->base, f->fds[0], spin_fn, &f->s, &f->stats), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    bus_watch_fini(&f->w);
    close(f->fds[0]);
    close(f->fds[1]);
    event_base_free(f->base);
    free(f);
    return 0;
}

/* An fd that is never readable never calls. */
static void
test_quiet_fd(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(bus_watch_start(&f->w), 0);
    test_run_for(f->base, 50);
    assert_int_equal(f->s.calls, 0);
    assert_int_equal(f->stats.empty_wakeups, 0);
}

/* Stuck readable with nothing to take: bounded wakeups, not a busy loop. */
static void
test_stuck_fd_backs_off(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(write(f->fds[1], "x", 1), 1); /* readable for ever: nobody reads it */
    assert_int_equal(bus_watch_start(&f->w), 0);
    test_run_for(f->base, 400);
    /*
     * Unguarded, a level-triggered fd wakes the loop hundreds of thousands of times in 400 ms.
     * Guarded: 8 per backoff period of 1, 2, 4 ... 50 ms, about 100 here.
     */
    print_message("stuck fd: %d wakeups, %lu backoffs in 400 ms\n", f->s.calls,
                  (unsigned long)f->stats.backoffs);
    assert_true(f->s.calls >= BUS_WATCH_SPIN_LIMIT);
    assert_true(f->s.calls < 400);
    assert_true(f->stats.backoffs >= 5);
    assert_int_equal(f->w.backoff_ms, BUS_WATCH_BACKOFF_MAX);
    assert_int_equal(f->stats.empty_wakeups, (uint64_t)f->s.calls);
}

/* Work that arrives while the fd is parked is taken within the backoff, and resets it. */
static void
test_work_gets_through(void **state)
{
    struct fixture *f = *state;
    int64_t posted;

    assert_int_equal(write(f->fds[1], "x", 1), 1);
    assert_int_equal(bus_watch_start(&f->w), 0);
    test_run_for(f->base, 300);
    f->s.work = true;
    posted = test_now_ms();
    for (int64_t end = posted + 1000; f->s.work && test_now_ms() < end;)
        test_run_for(f->base, 1);
    assert_false(f->s.work);
    assert_true(f->s.handled_at - posted <= BUS_WATCH_BACKOFF_MAX + 30);
    assert_int_equal(f->w.backoff_ms, 0);
}

/* A stopped watch stays silent, parked or not, and starts again on demand. */
static void
test_stop_while_parked(void **state)
{
    struct fixture *f = *state;
    int calls;

    assert_int_equal(write(f->fds[1], "x", 1), 1);
    assert_int_equal(bus_watch_start(&f->w), 0);
    test_run_for(f->base, 30);
    bus_watch_stop(&f->w);
    calls = f->s.calls;
    test_run_for(f->base, 150);
    assert_int_equal(f->s.calls, calls);
    assert_int_equal(bus_watch_start(&f->w), 0);
    test_run_for(f->base, 30);
    assert_true(f->s.calls > calls);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_quiet_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stuck_fd_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_work_gets_through, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_while_parked, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
