/*
 * bus_server + bus_client in one process and one event loop over ipc://: request ids with many
 * requests outstanding, deferred and reordered replies, timeouts reported (never resent), the
 * send queue under a full nng queue, large messages, the blocking bus_call, and freeing an
 * endpoint from inside its own callback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "bus.h"
#include "test_bus_util.h"

#define MAX_HELD 512

/* The server side of a test. */
struct srv_state {
    struct bus_server *srv;
    enum { SRV_ECHO, SRV_HOLD, SRV_DROP, SRV_FREE_SELF } mode;
    struct bus_reply_handle *held[MAX_HELD];
    size_t nheld;
    size_t requests;
};

/* Replies "re:" + the request, so each reply names its request. */
static int
answer(struct bus_reply_handle *h, const uint8_t *req, size_t len)
{
    uint8_t *buf = malloc(len + 3);
    int rv;

    assert_non_null(buf);
    memcpy(buf, "re:", 3);
    memcpy(buf + 3, req, len);
    rv = bus_reply(h, buf, len + 3);
    free(buf);
    return rv;
}

/* Held handles keep the request with them: stored just after in a side table. */
static uint8_t held_req[MAX_HELD][64];
static size_t held_len[MAX_HELD];

static void
on_request(struct bus_server *srv, void *arg, const uint8_t *req, size_t len,
           struct bus_reply_handle *h)
{
    struct srv_state *s = arg;

    s->requests++;
    switch (s->mode) {
    case SRV_ECHO: assert_int_equal(answer(h, req, len), 0); break;
    case SRV_HOLD:
        assert_true(s->nheld < MAX_HELD);
        assert_true(len <= sizeof(held_req[0]));
        memcpy(held_req[s->nheld], req, len);
        held_len[s->nheld] = len;
        s->held[s->nheld++] = h;
        break;
    case SRV_DROP: bus_reply_drop(h); break;
    case SRV_FREE_SELF:
        s->held[s->nheld++] = h;
        bus_server_free(srv);
        s->srv = NULL;
        break;
    }
}

/* One request's outcome on the client side. */
struct call {
    bool done;
    int status;
    char reply[128];
    size_t len;
    int calls;
};

static void
on_reply(struct bus_client *c, void *arg, int status, const uint8_t *reply, size_t len)
{
    struct call *k = arg;

    k->calls++;
    k->done = true;
    k->status = status;
    k->len = len;
    if (status == 0) {
        size_t n = len < sizeof(k->reply) - 1 ? len : sizeof(k->reply) - 1;

        memcpy(k->reply, reply, n);
        k->reply[n] = '\0';
    }
}

struct fixture {
    struct event_base *base;
    struct srv_state s;
    struct bus_client *c;
    char url[300];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct bus_opts opts = { 0 };

    assert_non_null(f);
    f->base = event_base_new();
    assert_non_null(f->base);
    opts.url = test_ipc_url(f->url, sizeof(f->url), "reqrep");
    assert_int_equal(bus_server_open(&f->s.srv, f->base, &opts, on_request, &f->s), 0);
    assert_int_equal(bus_client_open(&f->c, f->base, &opts), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    bus_client_free(f->c);
    for (size_t i = 0; i < f->s.nheld; i++)
        bus_reply_drop(f->s.held[i]);
    bus_server_free(f->s.srv);
    event_base_free(f->base);
    free(f);
    return 0;
}

static void
test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct call k = { 0 };
    uint32_t id = 0;

    assert_int_equal(bus_request(f->c, "hello", 5, 2000, on_reply, &k, &id), 0);
    assert_true(id & 0x80000000u);
    assert_int_equal(bus_client_pending(f->c), 1);
    assert_true(test_run_until(f->base, &k.done, 3000));
    assert_int_equal(k.status, 0);
    assert_string_equal(k.reply, "re:hello");
    assert_int_equal(k.calls, 1);
    assert_int_equal(bus_client_pending(f->c), 0);
    assert_int_equal(bus_server_stats(f->s.srv)->rx, 1);
    assert_int_equal(bus_client_stats(f->c)->rx, 1);
}

/* Several outstanding, answered in reverse order: each reply reaches its own request. */
static void
test_pipelined_out_of_order(void **state)
{
    struct fixture *f = *state;
    enum { N = BUS_CLIENT_INFLIGHT };
    struct call k[N] = { 0 };
    uint32_t ids[N];
    bool got_all = false;

    f->s.mode = SRV_HOLD;
    for (int i = 0; i < N; i++) {
        char req[16];

        snprintf(req, sizeof(req), "q%d", i);
        assert_int_equal(bus_request(f->c, req, strlen(req), 5000, on_reply, &k[i], &ids[i]), 0);
        for (int j = 0; j < i; j++)
            assert_true(ids[j] != ids[i]);
    }
    assert_int_equal(bus_client_pending(f->c), N);
    for (int64_t end = test_now_ms() + 3000; f->s.nheld < N && test_now_ms() < end;)
        test_run_for(f->base, 10);
    assert_int_equal(f->s.nheld, N);
    for (size_t i = N; i-- > 0;)
        assert_int_equal(answer(f->s.held[i], held_req[i], held_len[i]), 0);
    f->s.nheld = 0;
    for (int64_t end = test_now_ms() + 3000; !got_all && test_now_ms() < end;) {
        test_run_for(f->base, 10);
        got_all = true;
        for (int i = 0; i < N; i++)
            got_all = got_all && k[i].done;
    }
    assert_true(got_all);
    for (int i = 0; i < N; i++) {
        char want[32];

        snprintf(want, sizeof(want), "re:q%d", i);
        assert_int_equal(k[i].status, 0);
        assert_string_equal(k[i].reply, want);
        assert_int_equal(k[i].calls, 1);
    }
}

/* No reply: the caller hears BUS_ETIMEDOUT, once, and the server saw the request once. */
static void
test_timeout_reported_not_resent(void **state)
{
    struct fixture *f = *state;
    struct call k = { 0 };
    int64_t t0 = test_now_ms();

    f->s.mode = SRV_DROP;
    assert_int_equal(bus_request(f->c, "lost", 4, 100, on_reply, &k, NULL), 0);
    assert_true(test_run_until(f->base, &k.done, 3000));
    assert_int_equal(k.status, BUS_ETIMEDOUT);
    assert_true(test_now_ms() - t0 >= 95);
    test_run_for(f->base, 300);
    assert_int_equal(k.calls, 1);
    assert_int_equal(f->s.requests, 1);
    assert_int_equal(bus_client_stats(f->c)->timeouts, 1);
    assert_int_equal(bus_client_pending(f->c), 0);
    assert_string_equal(bus_strerror(k.status), "Timed out");
}

/* A reply after the timeout is counted and ignored; the callback is not called again. */
static void
test_late_reply_is_stale(void **state)
{
    struct fixture *f = *state;
    struct call k = { 0 };

    f->s.mode = SRV_HOLD;
    assert_int_equal(bus_request(f->c, "slow", 4, 80, on_reply, &k, NULL), 0);
    assert_true(test_run_until(f->base, &k.done, 3000));
    assert_int_equal(k.status, BUS_ETIMEDOUT);
    assert_int_equal(f->s.nheld, 1);
    assert_int_equal(answer(f->s.held[0], held_req[0], held_len[0]), 0);
    f->s.nheld = 0;
    for (int64_t end = test_now_ms() + 3000;
         bus_client_stats(f->c)->stale_replies == 0 && test_now_ms() < end;)
        test_run_for(f->base, 10);
    assert_int_equal(bus_client_stats(f->c)->stale_replies, 1);
    assert_int_equal(k.calls, 1);
}

/*
 * A client whose nng send queue holds one message, to a server that reads slowly (a queue of
 * one, big requests): nng says EAGAIN, the requests wait in ours, and all get through in order.
 */
static void
test_send_queue(void **state)
{
    struct fixture *f = *state;
    enum { N = 64, SIZE = 256 * 1024 };
    struct bus_opts opts = { .recv_queue = 1 };
    char url[300];
    struct srv_state s = { .mode = SRV_ECHO };
    struct bus_client *c;
    static struct call k[N];
    static uint8_t req[SIZE];
    bool got_all = false;

    memset(k, 0, sizeof(k));
    opts.url = test_ipc_url(url, sizeof(url), "sendq");
    assert_int_equal(bus_server_open(&s.srv, f->base, &opts, on_request, &s), 0);
    opts.recv_queue = 0;
    opts.send_queue = 1;
    assert_int_equal(bus_client_open(&c, f->base, &opts), 0);
    for (int i = 0; i < N; i++) {
        snprintf((char *)req, 16, "s%d", i);
        assert_int_equal(bus_request(c, req, SIZE, 20000, on_reply, &k[i], NULL), 0);
    }
    /* 32 in flight x 256 KiB is far more than the socket buffers hold. */
    assert_true(bus_client_stats(c)->send_full > 0);
    for (int64_t end = test_now_ms() + 20000; !got_all && test_now_ms() < end;) {
        test_run_for(f->base, 10);
        got_all = true;
        for (int i = 0; i < N; i++)
            got_all = got_all && k[i].done;
    }
    assert_true(got_all);
    for (int i = 0; i < N; i++) {
        char want[32];

        snprintf(want, sizeof(want), "re:s%d", i);
        assert_int_equal(k[i].status, 0);
        assert_int_equal(k[i].len, SIZE + 3);
        assert_string_equal(k[i].reply, want);
    }
    assert_int_equal(bus_client_stats(c)->tx, N);
    assert_int_equal(s.requests, N);
    bus_client_free(c);
    bus_server_free(s.srv);
}

/*
 * Replies held and then sent all at once to 4 clients with all their requests in flight, from a
 * server whose nng send queue holds one: all get through, each to its request. (Whether nng says
 * EAGAIN here depends on its threads: raw REP moves replies from that queue to per-connection
 * queues without waiting, so the reply queue cannot be forced full from outside.)
 */
static void
test_reply_queue(void **state)
{
    struct fixture *f = *state;
    enum { CLIENTS = 4, N = CLIENTS * BUS_CLIENT_INFLIGHT };
    struct bus_opts opts = { .send_queue = 1 };
    char url[300];
    struct srv_state s = { .mode = SRV_HOLD };
    struct bus_client *c[CLIENTS];
    static struct call k[N];
    bool got_all = false;

    memset(k, 0, sizeof(k));
    opts.url = test_ipc_url(url, sizeof(url), "replyq");
    assert_int_equal(bus_server_open(&s.srv, f->base, &opts, on_request, &s), 0);
    opts.send_queue = 0;
    for (int j = 0; j < CLIENTS; j++)
        assert_int_equal(bus_client_open(&c[j], f->base, &opts), 0);
    for (int i = 0; i < N; i++) {
        char req[16];

        snprintf(req, sizeof(req), "r%d", i);
        assert_int_equal(
            bus_request(c[i % CLIENTS], req, strlen(req), 10000, on_reply, &k[i], NULL), 0);
    }
    for (int64_t end = test_now_ms() + 5000; s.nheld < N && test_now_ms() < end;)
        test_run_for(f->base, 10);
    assert_int_equal(s.nheld, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(answer(s.held[i], held_req[i], held_len[i]), 0);
    s.nheld = 0;
    for (int64_t end = test_now_ms() + 10000; !got_all && test_now_ms() < end;) {
        test_run_for(f->base, 10);
        got_all = true;
        for (int i = 0; i < N; i++)
            got_all = got_all && k[i].done && k[i].status == 0;
    }
    assert_true(got_all);
    for (int i = 0; i < N; i++) {
        char want[32];

        snprintf(want, sizeof(want), "re:r%d", i);
        assert_string_equal(k[i].reply, want);
    }
    assert_int_equal(bus_server_stats(s.srv)->tx, N);
    for (int j = 0; j < CLIENTS; j++)
        bus_client_free(c[j]);
    bus_server_free(s.srv);
}

/*
 * nng 1.5.2's raw REP drops, in silence, replies beyond 64 queued for one connection. 300
 * requests of one client answered in bursts of 64 KiB replies: the client keeps no more than
 * BUS_CLIENT_INFLIGHT on the wire, so every reply arrives.
 */
static void
test_inflight_bound(void **state)
{
    struct fixture *f = *state;
    enum { N = 300 };
    static struct call k[N];
    static uint8_t big[64 * 1024];
    size_t answered = 0;
    size_t max_held = 0;

    memset(k, 0, sizeof(k));
    f->s.mode = SRV_HOLD;
    for (int i = 0; i < N; i++)
        assert_int_equal(bus_request(f->c, "b", 1, 20000, on_reply, &k[i], NULL), 0);
    assert_int_equal(bus_client_pending(f->c), N);
    for (int64_t end = test_now_ms() + 20000; answered < N && test_now_ms() < end;) {
        test_run_for(f->base, 5);
        if (f->s.nheld > max_held)
            max_held = f->s.nheld;
        for (size_t i = 0; i < f->s.nheld; i++)
            assert_int_equal(bus_reply(f->s.held[i], big, sizeof(big)), 0);
        f->s.nheld = 0;
        answered = 0;
        for (int i = 0; i < N; i++)
            answered += k[i].done;
    }
    assert_int_equal(answered, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(k[i].status, 0);
        assert_int_equal(k[i].len, sizeof(big));
    }
    assert_true(max_held <= BUS_CLIENT_INFLIGHT);
    assert_int_equal(bus_client_stats(f->c)->timeouts, 0);
}

struct big_call {
    bool done;
    int status;
    size_t len;
    bool intact;
};

static void
on_big_reply(struct bus_client *c, void *arg, int status, const uint8_t *reply, size_t len)
{
    struct big_call *b = arg;

    b->done = true;
    b->status = status;
    b->len = len;
    b->intact = len > 3 && memcmp(reply, "re:", 3) == 0;
    for (size_t i = 3; b->intact && i < len; i += 4093)
        b->intact = reply[i] == (uint8_t)((i - 3) * 7);
}

/* Far beyond nng's 1 MiB default NNG_OPT_RECVMAXSZ: batches of a full table are this big. */
static void
test_large_messages(void **state)
{
    struct fixture *f = *state;
    size_t len = (size_t)24 * 1024 * 1024;
    uint8_t *req = malloc(len);
    struct big_call b = { 0 };

    assert_non_null(req);
    for (size_t i = 0; i < len; i++)
        req[i] = (uint8_t)(i * 7);
    assert_int_equal(bus_request(f->c, req, len, 20000, on_big_reply, &b, NULL), 0);
    free(req);
    assert_true(test_run_until(f->base, &b.done, 25000));
    assert_int_equal(b.status, 0);
    assert_int_equal(b.len, len + 3);
    assert_true(b.intact);
}

/* The server frees itself from its callback; the handle it kept answers BUS_ECLOSED. */
static void
test_server_free_in_callback(void **state)
{
    struct fixture *f = *state;
    struct call k = { 0 };

    f->s.mode = SRV_FREE_SELF;
    assert_int_equal(bus_request(f->c, "bye", 3, 200, on_reply, &k, NULL), 0);
    for (int64_t end = test_now_ms() + 3000; f->s.srv != NULL && test_now_ms() < end;)
        test_run_for(f->base, 10);
    assert_null(f->s.srv);
    assert_int_equal(f->s.nheld, 1);
    assert_int_equal(bus_reply(f->s.held[0], "x", 1), BUS_ECLOSED);
    f->s.nheld = 0;
    assert_true(test_run_until(f->base, &k.done, 3000));
    assert_int_equal(k.status, BUS_ETIMEDOUT);
}

struct self_free {
    struct bus_client *c;
    int cancelled;
    int answered;
};

static void
on_reply_free_client(struct bus_client *c, void *arg, int status, const uint8_t *reply, size_t len)
{
    struct self_free *sf = arg;

    if (status == BUS_ECANCELED) {
        sf->cancelled++;
        /* A request made from a cancellation is refused, not lost. */
        assert_int_equal(bus_request(c, "again", 5, 100, on_reply_free_client, sf, NULL),
                         BUS_ECLOSED);
        return;
    }
    sf->answered++;
    bus_client_free(sf->c);
    sf->c = NULL;
}

/* A client freed from a reply callback cancels the requests still outstanding. */
static void
test_client_free_in_callback(void **state)
{
    struct fixture *f = *state;
    struct bus_opts opts = { .url = f->url };
    struct self_free sf = { 0 };

    f->s.mode = SRV_HOLD;
    assert_int_equal(bus_client_open(&sf.c, f->base, &opts), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(bus_request(sf.c, "x", 1, 5000, on_reply_free_client, &sf, NULL), 0);
    for (int64_t end = test_now_ms() + 3000; f->s.nheld < 3 && test_now_ms() < end;)
        test_run_for(f->base, 10);
    assert_int_equal(f->s.nheld, 3);
    assert_int_equal(answer(f->s.held[0], held_req[0], held_len[0]), 0);
    f->s.held[0] = f->s.held[--f->s.nheld];
    for (int64_t end = test_now_ms() + 3000; sf.c != NULL && test_now_ms() < end;)
        test_run_for(f->base, 10);
    assert_null(sf.c);
    assert_int_equal(sf.answered, 1);
    assert_int_equal(sf.cancelled, 2);
}

static void
test_bad_arguments(void **state)
{
    struct fixture *f = *state;
    struct bus_client *blocking;
    struct bus_opts opts = { .url = f->url };
    uint8_t *reply;
    size_t len;

    assert_int_equal(bus_request(f->c, "x", 1, 0, on_reply, NULL, NULL), BUS_EINVAL);
    assert_int_equal(bus_request(f->c, "x", 1, 100, NULL, NULL, NULL), BUS_EINVAL);
    /* bus_call is for clients without a loop, bus_request for clients with one. */
    assert_int_equal(bus_call(f->c, "x", 1, &reply, &len, 100), BUS_EINVAL);
    assert_int_equal(bus_client_open(&blocking, NULL, &opts), 0);
    assert_int_equal(bus_request(blocking, "x", 1, 100, on_reply, NULL, NULL), BUS_EINVAL);
    bus_client_free(blocking);
    /* Nothing listens there: a synchronous open says so. */
    opts.url = "ipc:///nonexistent/dir/bus.sock";
    assert_true(bus_client_open(&blocking, NULL, &opts) != 0);
    opts.url = "bogus://x";
    assert_true(bus_client_open(&blocking, NULL, &opts) != 0);
    /* A second server on a live address is refused, and the live one is not disturbed. */
    opts.url = f->url;
    {
        struct bus_server *dup;
        struct srv_state s2 = { 0 };

        assert_int_equal(bus_server_open(&dup, f->base, &opts, on_request, &s2), BUS_EADDRINUSE);
    }
    test_round_trip(state);
}

/* ---- bus_call: the server runs its loop in a thread, the test blocks in bus_call ---- */

struct server_thread {
    struct event_base *base;
    struct srv_state s;
    pthread_t tid;
    char url[300];
    struct event *stop;
    atomic_bool stopping;
};

/* libevent is not built thread-aware here: the test thread only raises a flag. */
static void
on_stop_poll(evutil_socket_t fd, short what, void *arg)
{
    struct server_thread *t = arg;

    if (atomic_load(&t->stopping))
        event_base_loopbreak(t->base);
}

/* Requests starting with "slow" are answered 300 ms later. */
static struct bus_reply_handle *slow_handle;
static uint8_t slow_req[16];
static size_t slow_len;

static void
on_slow_timer(evutil_socket_t fd, short what, void *arg)
{
    if (slow_handle != NULL)
        assert_int_equal(answer(slow_handle, slow_req, slow_len), 0);
    slow_handle = NULL;
}

static struct event *slow_timer;

static void
on_request_threaded(struct bus_server *srv, void *arg, const uint8_t *req, size_t len,
                    struct bus_reply_handle *h)
{
    struct timeval tv = { 0, 300000 };

    if (len >= 4 && memcmp(req, "slow", 4) == 0 && len <= sizeof(slow_req)) {
        memcpy(slow_req, req, len);
        slow_len = len;
        slow_handle = h;
        evtimer_add(slow_timer, &tv);
        return;
    }
    on_request(srv, arg, req, len, h);
}

static void *
server_main(void *arg)
{
    struct server_thread *t = arg;

    event_base_dispatch(t->base);
    return NULL;
}

static void
test_blocking_call(void **state)
{
    struct server_thread t = { .s.mode = SRV_ECHO };
    struct bus_opts opts = { 0 };
    struct bus_client *c;
    uint8_t *reply = NULL;
    size_t len = 0;
    struct timeval poll = { 0, 10000 };

    t.base = event_base_new();
    assert_non_null(t.base);
    opts.url = test_ipc_url(t.url, sizeof(t.url), "call");
    assert_int_equal(bus_server_open(&t.s.srv, t.base, &opts, on_request_threaded, &t.s), 0);
    slow_timer = evtimer_new(t.base, on_slow_timer, NULL);
    atomic_init(&t.stopping, false);
    t.stop = event_new(t.base, -1, EV_PERSIST, on_stop_poll, &t);
    assert_int_equal(event_add(t.stop, &poll), 0);
    assert_int_equal(pthread_create(&t.tid, NULL, server_main, &t), 0);

    assert_int_equal(bus_client_open(&c, NULL, &opts), 0);
    assert_int_equal(bus_call(c, "ping", 4, &reply, &len, 2000), 0);
    assert_int_equal(len, 7);
    assert_memory_equal(reply, "re:ping", 7);
    free(reply);
    /* A call that times out; its late reply must not be taken for the next call's. */
    assert_int_equal(bus_call(c, "slow1", 5, &reply, &len, 100), BUS_ETIMEDOUT);
    usleep(400 * 1000);
    assert_int_equal(bus_call(c, "next", 4, &reply, &len, 2000), 0);
    assert_int_equal(len, 7);
    assert_memory_equal(reply, "re:next", 7);
    free(reply);
    assert_int_equal(bus_client_stats(c)->stale_replies, 1);
    assert_int_equal(bus_client_stats(c)->timeouts, 1);
    bus_client_free(c);

    atomic_store(&t.stopping, true);
    assert_int_equal(pthread_join(t.tid, NULL), 0);
    event_free(t.stop);
    event_free(slow_timer);
    bus_server_free(t.s.srv);
    event_base_free(t.base);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_reported_not_resent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_reply_is_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inflight_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_free_in_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_free_in_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test(test_blocking_call),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
