/*
 * bus addresses: the runtime directory and default URLs, and the ipc socket file before a listen
 * (a stale one is removed, a live one or a non-socket is left alone).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "bus_int.h"
#include "test_bus_util.h"

/* Checked, so that a path never gets silently cut. */
#define FMT(buf, ...) assert_true(snprintf(buf, sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

static void
test_runtime_dir_env(void **state)
{
    char want[300];
    char got[400];
    char url[400];
    struct stat st;

    FMT(want, "%s/rt-%ld", test_dir(), (long)getpid());
    rmdir(want);
    assert_int_equal(setenv("BGPBUS_RUNTIME_DIR", want, 1), 0);
    assert_int_equal(bus_default_dir(got, sizeof(got)), 0);
    assert_string_equal(got, want);
    assert_int_equal(stat(want, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(bus_default_url(BUS_CHANNEL_COMMAND, url, sizeof(url)), 0);
    FMT(got, "ipc://%s/command.sock", want);
    assert_string_equal(url, got);
    assert_int_equal(bus_default_url(BUS_CHANNEL_EVENTS, url, sizeof(url)), 0);
    FMT(got, "ipc://%s/events.sock", want);
    assert_string_equal(url, got);
    /* Too small a buffer is an error, not a truncated path. */
    assert_true(bus_default_url(BUS_CHANNEL_EVENTS, url, 10) != 0);
    unsetenv("BGPBUS_RUNTIME_DIR");
    rmdir(want);
}

static void
test_runtime_dir_xdg(void **state)
{
    char xdg[300];
    char want[320];
    char got[320];

    FMT(xdg, "%s/xdg-%ld", test_dir(), (long)getpid());
    assert_true(mkdir(xdg, 0700) == 0 || errno == EEXIST);
    unsetenv("BGPBUS_RUNTIME_DIR");
    assert_int_equal(setenv("XDG_RUNTIME_DIR", xdg, 1), 0);
    assert_int_equal(bus_default_dir(got, sizeof(got)), 0);
    FMT(want, "%s/bgpbus", xdg);
    assert_string_equal(got, want);
    rmdir(want);
    rmdir(xdg);
    unsetenv("XDG_RUNTIME_DIR");
}

/* A file where the directory should be is refused (the directory is the access control). */
static void
test_runtime_dir_not_a_dir(void **state)
{
    char path[300];
    char got[300];
    FILE *fp;

    FMT(path, "%s/file-%ld", test_dir(), (long)getpid());
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(setenv("BGPBUS_RUNTIME_DIR", path, 1), 0);
    assert_true(bus_default_dir(got, sizeof(got)) != 0);
    unsetenv("BGPBUS_RUNTIME_DIR");
    unlink(path);
}

/* Binds a unix socket and closes it without unlinking: what a crashed server leaves. */
static void
make_stale_socket(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    close(fd);
}

static void
test_ipc_prepare(void **state)
{
    char url[300];
    const char *path;
    struct stat st;
    FILE *fp;
    nng_socket live;

    path = test_ipc_url(url, sizeof(url), "prep") + strlen("ipc://");
    /* Nothing there. */
    assert_int_equal(bus_ipc_prepare(path), 0);
    /* Stale: removed. */
    make_stale_socket(path);
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(bus_ipc_prepare(path), 0);
    assert_int_equal(lstat(path, &st), -1);
    /* Live: refused and kept. */
    assert_int_equal(nng_rep0_open(&live), 0);
    assert_int_equal(nng_listen(live, url, NULL, 0), 0);
    assert_int_equal(bus_ipc_prepare(path), BUS_EADDRINUSE);
    assert_int_equal(lstat(path, &st), 0);
    nng_close(live);
    unlink(path);
    /* A regular file: refused and kept. */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(bus_ipc_prepare(path), BUS_EADDRINUSE);
    assert_int_equal(lstat(path, &st), 0);
    unlink(path);
    /* Longer than sun_path. */
    {
        char longp[200];

        memset(longp, 'a', sizeof(longp) - 1);
        longp[sizeof(longp) - 1] = '\0';
        longp[0] = '/';
        assert_int_equal(bus_ipc_prepare(longp), BUS_EINVAL);
    }
}

static void
on_request(struct bus_server *srv, void *arg, const uint8_t *req, size_t len,
           struct bus_reply_handle *h)
{
    bus_reply_drop(h);
}

/* A server starts over the socket file a crashed predecessor left. */
static void
test_server_over_stale_socket(void **state)
{
    char url[300];
    struct bus_opts opts = { 0 };
    struct event_base *base = event_base_new();
    struct bus_server *srv;
    struct stat st;

    assert_non_null(base);
    opts.url = test_ipc_url(url, sizeof(url), "stale");
    make_stale_socket(url + strlen("ipc://"));
    assert_int_equal(bus_server_open(&srv, base, &opts, on_request, NULL), 0);
    assert_int_equal(stat(url + strlen("ipc://"), &st), 0);
    /* The socket file is for its owner only. */
    assert_int_equal(st.st_mode & 0777, 0600);
    bus_server_free(srv);
    event_base_free(base);
}

static void
test_strerror(void **state)
{
    assert_string_equal(bus_strerror(0), "ok");
    assert_string_equal(bus_strerror(BUS_ETIMEDOUT), "Timed out");
    assert_string_equal(bus_strerror(BUS_ESYS(ENOENT)), strerror(ENOENT));
    assert_string_equal(bus_strerror(5), "unknown error");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runtime_dir_env),          cmocka_unit_test(test_runtime_dir_xdg),
        cmocka_unit_test(test_runtime_dir_not_a_dir),    cmocka_unit_test(test_ipc_prepare),
        cmocka_unit_test(test_server_over_stale_socket), cmocka_unit_test(test_strerror),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
