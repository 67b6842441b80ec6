/*
 * bus_pub + bus_sub in one process and one loop over ipc://: framing, topic prefixes, subscribe
 * and unsubscribe, malformed messages, loss under a tiny queue seen by bus_seq, and freeing the
 * subscriber from its callback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>

#include "bus.h"
#include "test_bus_util.h"

#define MAX_EVENTS 64

struct received {
    int n;
    char topics[MAX_EVENTS][64];
    char payloads[MAX_EVENTS][64];
    size_t lens[MAX_EVENTS];
    bool synced;
    bool end;
    struct bus_sub *free_me;
};

static void
on_event(struct bus_sub *sub, void *arg, const char *topic, const uint8_t *payload, size_t len)
{
    struct received *r = arg;

    if (strcmp(topic, "sync/") == 0) {
        r->synced = true;
        return;
    }
    if (strcmp(topic, "ev/end/") == 0) {
        r->end = true;
        return;
    }
    assert_true(r->n < MAX_EVENTS);
    snprintf(r->topics[r->n], sizeof(r->topics[0]), "%s", topic);
    assert_true(len < sizeof(r->payloads[0]));
    memcpy(r->payloads[r->n], payload, len);
    r->payloads[r->n][len] = '\0';
    r->lens[r->n] = len;
    r->n++;
    if (r->free_me != NULL) {
        bus_sub_free(r->free_me);
        r->free_me = NULL;
    }
}

struct fixture {
    struct event_base *base;
    struct bus_pub *pub;
    struct bus_sub *sub;
    struct received r;
    char url[300];
};

/* PUB/SUB has no handshake: publish "sync/" until the subscriber hears one. */
static void
sync_sub(struct fixture *f, bool *flag)
{
    assert_int_equal(bus_subscribe(f->sub, "sync/"), 0);
    for (int64_t end = test_now_ms() + 5000; !*flag && test_now_ms() < end;) {
        bus_publish(f->pub, "sync/", NULL, 0);
        test_run_for(f->base, 10);
    }
    assert_true(*flag);
    assert_int_equal(bus_unsubscribe(f->sub, "sync/"), 0);
    /* Let the syncs in flight drain before the test proper. */
    test_run_for(f->base, 50);
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct bus_opts opts = { 0 };

    assert_non_null(f);
    f->base = event_base_new();
    assert_non_null(f->base);
    opts.url = test_ipc_url(f->url, sizeof(f->url), "pubsub");
    assert_int_equal(bus_pub_open(&f->pub, &opts), 0);
    assert_int_equal(bus_sub_open(&f->sub, f->base, &opts, on_event, &f->r), 0);
    sync_sub(f, &f->r.synced);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    bus_sub_free(f->sub);
    bus_pub_free(f->pub);
    event_base_free(f->base);
    free(f);
    return 0;
}

static void
publish_end(struct fixture *f, struct received *r)
{
    assert_int_equal(bus_subscribe(f->sub, "ev/end/"), 0);
    for (int64_t end = test_now_ms() + 3000; !r->end && test_now_ms() < end;) {
        assert_int_equal(bus_publish(f->pub, "ev/end/", NULL, 0), 0);
        test_run_for(f->base, 10);
    }
    assert_true(r->end);
}

static void
test_topic_filter(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(bus_subscribe(f->sub, "ev/update/"), 0);
    assert_int_equal(bus_subscribe(f->sub, "ev/state/192.0.2.1/"), 0);
    test_run_for(f->base, 20);
    assert_int_equal(bus_publish(f->pub, "ev/update/192.0.2.1/", "u1", 2), 0);
    assert_int_equal(bus_publish(f->pub, "ev/state/192.0.2.1/", "s1", 2), 0);
    /* The trailing slash keeps 192.0.2.10 apart from 192.0.2.1. */
    assert_int_equal(bus_publish(f->pub, "ev/state/192.0.2.10/", "s10", 3), 0);
    assert_int_equal(bus_publish(f->pub, "ev/notification/192.0.2.1/", "n1", 2), 0);
    assert_int_equal(bus_publish(f->pub, "ev/update/198.51.100.7/", "", 0), 0);
    publish_end(f, &f->r);
    assert_int_equal(f->r.n, 3);
    assert_string_equal(f->r.topics[0], "ev/update/192.0.2.1/");
    assert_string_equal(f->r.payloads[0], "u1");
    assert_string_equal(f->r.topics[1], "ev/state/192.0.2.1/");
    assert_string_equal(f->r.payloads[1], "s1");
    assert_string_equal(f->r.topics[2], "ev/update/198.51.100.7/");
    assert_int_equal(f->r.lens[2], 0);
    assert_int_equal(bus_pub_stats(f->pub)->drops, 0);
}

static void
test_unsubscribe(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(bus_subscribe(f->sub, "ev/update/"), 0);
    assert_int_equal(bus_publish(f->pub, "ev/update/a/", "1", 1), 0);
    publish_end(f, &f->r);
    assert_int_equal(f->r.n, 1);
    assert_int_equal(bus_unsubscribe(f->sub, "ev/update/"), 0);
    f->r.end = false;
    assert_int_equal(bus_publish(f->pub, "ev/update/a/", "2", 1), 0);
    publish_end(f, &f->r);
    assert_int_equal(f->r.n, 1);
    /* Not subscribed: nng says so. */
    assert_true(bus_unsubscribe(f->sub, "never/") != 0);
}

/* A message without the NUL after the topic (not from bus_publish) is counted, not delivered. */
static void
test_malformed(void **state)
{
    struct fixture *f = *state;
    struct bus_opts opts = { 0 };
    char url[300];
    nng_socket raw;
    struct bus_sub *sub;
    struct received r = { 0 };

    opts.url = test_ipc_url(url, sizeof(url), "malformed");
    assert_int_equal(nng_pub0_open(&raw), 0);
    assert_int_equal(nng_listen(raw, url, NULL, 0), 0);
    assert_int_equal(bus_sub_open(&sub, f->base, &opts, on_event, &r), 0);
    assert_int_equal(bus_subscribe(sub, ""), 0);
    for (int64_t end = test_now_ms() + 3000;
         bus_sub_stats(sub)->malformed == 0 && test_now_ms() < end;) {
        assert_int_equal(nng_send(raw, "ev/update/no-nul", 16, 0), 0);
        test_run_for(f->base, 10);
    }
    assert_true(bus_sub_stats(sub)->malformed > 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(bus_sub_stats(sub)->rx, 0);
    bus_sub_free(sub);
    nng_close(raw);
}

struct seq_sink {
    struct bus_seq seq;
    uint64_t received;
    uint64_t last;
    bool end;
};

static void
on_numbered(struct bus_sub *sub, void *arg, const char *topic, const uint8_t *payload, size_t len)
{
    struct seq_sink *s = arg;
    uint64_t seq = 0;

    if (strcmp(topic, "ev/end/") == 0) {
        s->end = true;
        return;
    }
    assert_int_equal(len, 8);
    for (int i = 0; i < 8; i++)
        seq = seq << 8 | payload[i];
    if (bus_seq_feed(&s->seq, 42, seq) == BUS_SEQ_DUPLICATE)
        return;
    s->received++;
    s->last = seq;
}

/*
 * A subscriber with a queue of 2 that does not run while 20000 events are published: nng drops
 * the oldest in silence, and the sequence numbers tell. What arrives plus what bus_seq counts
 * missing is everything published after the first one seen.
 */
static void
test_loss_seen_by_seq(void **state)
{
    struct fixture *f = *state;
    enum { N = 20000 };
    struct bus_opts opts = { .recv_queue = 2 };
    char url[300];
    struct bus_pub *pub;
    struct bus_sub *sub;
    struct seq_sink s = { 0 };
    uint64_t dups;

    bus_seq_init(&s.seq);
    opts.url = test_ipc_url(url, sizeof(url), "loss");
    assert_int_equal(bus_pub_open(&pub, &opts), 0);
    assert_int_equal(bus_sub_open(&sub, f->base, &opts, on_numbered, &s), 0);
    assert_int_equal(bus_subscribe(sub, "ev/"), 0);
    /* Event 1 is published until it is seen, so the first one the tracker sees is 1. */
    for (int64_t end = test_now_ms() + 3000; s.received == 0 && test_now_ms() < end;) {
        uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };

        bus_publish(pub, "ev/update/192.0.2.1/", one, 8);
        test_run_for(f->base, 10);
    }
    test_run_for(f->base, 50);
    assert_int_equal(s.received, 1); /* the repeats of 1 are duplicates */
    dups = s.seq.duplicates;
    for (uint64_t i = 2; i <= N; i++) {
        uint8_t p[8];

        for (int b = 0; b < 8; b++)
            p[b] = (uint8_t)(i >> (56 - 8 * b));
        assert_int_equal(bus_publish(pub, "ev/update/192.0.2.1/", p, 8), 0);
    }
    for (int64_t end = test_now_ms() + 10000; s.last != N && test_now_ms() < end;)
        test_run_for(f->base, 20);
    /* The newest survives: nng drops the oldest. */
    assert_int_equal(s.last, N);
    assert_true(s.seq.gaps > 0);
    assert_true(s.received + s.seq.missing == N);
    assert_int_equal(s.seq.duplicates, dups);
    print_message("published %d, received %lu, missing %lu in %lu gaps\n", N,
                  (unsigned long)s.received, (unsigned long)s.seq.missing,
                  (unsigned long)s.seq.gaps);
    bus_sub_free(sub);
    bus_pub_free(pub);
}

static void
test_free_in_callback(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(bus_subscribe(f->sub, "ev/"), 0);
    f->r.free_me = f->sub;
    for (int64_t end = test_now_ms() + 3000; f->r.free_me != NULL && test_now_ms() < end;) {
        bus_publish(f->pub, "ev/update/x/", "a", 1);
        test_run_for(f->base, 10);
    }
    assert_null(f->r.free_me);
    f->sub = NULL;
    test_run_for(f->base, 50);
    assert_int_equal(f->r.n, 1);
}

static void
test_publish_without_subscribers(void **state)
{
    struct bus_opts opts = { 0 };
    char url[300];
    struct bus_pub *pub;

    opts.url = test_ipc_url(url, sizeof(url), "alone");
    assert_int_equal(bus_pub_open(&pub, &opts), 0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(bus_publish(pub, "ev/update/x/", "a", 1), 0);
    assert_int_equal(bus_pub_stats(pub)->tx, 100000);
    bus_pub_free(pub);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_topic_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsubscribe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_seen_by_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_in_callback, setup, teardown),
        cmocka_unit_test(test_publish_without_subscribers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
