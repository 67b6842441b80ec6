/* ExaBGP environment settings: defaults, both variable spellings, the INI file, precedence. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_env.h"

static char ini_path[1024];

/* mkdir -p: BGPBUS_TEST_DIR is private to this test but its parent may not exist yet. */
static void
make_dirs(const char *dir)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s", dir);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(path, 0700); /* exists already, or the last mkdir reports it */
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        fail_msg("cannot create %s: %s", path, strerror(errno));
}

static void
write_ini(const char *text)
{
    const char *dir = getenv("BGPBUS_TEST_DIR");
    FILE *f;

    assert_non_null(dir);
    make_dirs(dir);
    snprintf(ini_path, sizeof(ini_path), "%s/exabgp-%ld.env", dir, (long)getpid());
    f = fopen(ini_path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void
test_env_defaults(void **state)
{
    struct conf_env env;
    struct conf_error err;
    char *envp[] = { NULL };
    const char *none[] = { "/nonexistent/exabgp.env", NULL };

    (void)state;
    assert_int_equal(conf_env_load(&env, none, envp, &err), 0);
    assert_true(env.api.ack);
    assert_true(env.api.respawn);
    assert_false(env.api.terminate);
    assert_int_equal(env.api.encoder, CONF_ENCODER_JSON);
    assert_int_equal(env.api.chunk, 1);
    assert_string_equal(env.api.pipename, "exabgp");
    assert_string_equal(env.daemon.user, "nobody");
    assert_true(env.daemon.drop);
    assert_int_equal(env.daemon.umask, 0137);
    assert_int_equal(env.log.level, LOG_INFO);
    assert_int_equal(env.tcp.port, 179);
    assert_int_equal(env.bgp.openwait, 60);
    assert_true(env.reactor.speed > 0.99 && env.reactor.speed < 1.01);
}

static void
test_env_variables(void **state)
{
    struct conf_env env;
    struct conf_error err;
    char *envp[] = {
        "exabgp.api.ack=false",
        "exabgp_api_encoder=text",
        "exabgp_api_respawn=0",
        "exabgp.daemon.user=bgp",
        "exabgp_daemon_umask=0o022", /* Debian's exabgp.env spelling (Python literal) */
        "exabgp_log_level=DEBUG",
        "exabgp_tcp_bind=127.0.0.1 ::1",
        "exabgp_tcp_port=1790",
        "PATH=/bin",
        "exabgp_api_ack=true", /* the dotted spelling wins */
        NULL,
    };
    const char *none[] = { "/nonexistent/exabgp.env", NULL };

    (void)state;
    assert_int_equal(conf_env_load(&env, none, envp, &err), 0);
    assert_false(env.api.ack);
    assert_int_equal(env.api.encoder, CONF_ENCODER_TEXT);
    assert_false(env.api.respawn);
    assert_string_equal(env.daemon.user, "bgp");
    assert_int_equal(env.daemon.umask, 0022);
    assert_int_equal(env.log.level, LOG_DEBUG);
    assert_string_equal(env.tcp.bind, "127.0.0.1 ::1");
    assert_int_equal(env.tcp.port, 1790);
}

static void
test_env_invalid(void **state)
{
    struct conf_env env;
    struct conf_error err;
    char *bad_bool[] = { "exabgp_api_ack=maybe", NULL };
    char *bad_enc[] = { "exabgp.api.encoder=xml", NULL };
    char *bad_ip[] = { "exabgp_tcp_bind=1.2.3.4 nope", NULL };
    const char *none[] = { "/nonexistent/exabgp.env", NULL };

    (void)state;
    assert_int_equal(conf_env_load(&env, none, bad_bool, &err), -1);
    assert_string_equal(err.file, "exabgp_api_ack");
    assert_non_null(strstr(err.msg, "'maybe'"));
    assert_int_equal(conf_env_load(&env, none, bad_enc, &err), -1);
    assert_string_equal(err.file, "exabgp.api.encoder");
    assert_int_equal(conf_env_load(&env, none, bad_ip, &err), -1);
    assert_non_null(strstr(err.msg, "'nope'"));
}

static void
test_env_ini(void **state)
{
    struct conf_env env;
    struct conf_error err;
    char *envp[] = { "exabgp_api_chunk=7", NULL };
    const char *paths[] = { "/nonexistent/first.env", ini_path, NULL };

    (void)state;
    write_ini("# comment\n[exabgp.api]\nack = false\nChunk = 3\nencoder: 'text'\n\n"
              "; other comment\n[exabgp.daemon]\nuser = \"exa\"\nunknown = ignored\n"
              "[something.else]\nack = true\n");
    assert_int_equal(conf_env_load(&env, paths, envp, &err), 0);
    assert_false(env.api.ack);
    assert_int_equal(env.api.chunk, 7); /* the environment wins over the file */
    assert_int_equal(env.api.encoder, CONF_ENCODER_TEXT);
    assert_string_equal(env.daemon.user, "exa");

    write_ini("[exabgp.api]\nack = false\nrespawn = sometimes\n");
    assert_int_equal(conf_env_load(&env, paths, envp, &err), -1);
    assert_string_equal(err.file, ini_path);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 10);
    assert_non_null(strstr(err.msg, "exabgp.api.respawn"));

    write_ini("ack = false\n");
    assert_int_equal(conf_env_load(&env, paths, envp, &err), -1);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "outside of a [section]"));

    write_ini("[exabgp.api]\nack = false\nack = true\n");
    assert_int_equal(conf_env_load(&env, paths, envp, &err), -1);
    assert_int_equal(err.line, 3);
    unlink(ini_path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_defaults),
        cmocka_unit_test(test_env_variables),
        cmocka_unit_test(test_env_invalid),
        cmocka_unit_test(test_env_ini),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
