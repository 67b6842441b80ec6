/* Reload: which neighbors and processes changed, and how much a change costs the session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_load.h"

static void
load(struct conf *conf, const char *text)
{
    struct conf_error err;
    char msg[600];

    if (conf_load_text(conf, "test.conf", text, strlen(text), 0, &err) < 0)
        fail_msg("%s", conf_error_format(&err, msg, sizeof(msg)));
}

#define PROCS "process a { run /bin/a; encoder json; }\nprocess b { run /bin/b x; }\n"
#define NB(addr, body)                                                                             \
    "neighbor " addr " { local-as 1; peer-as 2; local-address 10.0.0.1;\n" body "\n}\n"

/* The change bits between a base neighbor and the same neighbor with `body` added. */
static unsigned
changes_for(const char *base, const char *changed)
{
    struct conf a, b;
    unsigned bits;

    load(&a, base);
    load(&b, changed);
    assert_true(conf_neighbor_same_peer(&a.neighbors[0], &b.neighbors[0]));
    bits = conf_neighbor_compare(&a.neighbors[0], &b.neighbors[0]);
    assert_int_equal(conf_neighbor_compare(&b.neighbors[0], &a.neighbors[0]), bits);
    conf_free(&a);
    conf_free(&b);
    return bits;
}

static void
test_compare_kinds(void **state)
{
    const char *base = PROCS NB("10.0.0.2", "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                            "api { processes [ a ]; }");

    (void)state;
    assert_int_equal(changes_for(base, base), 0);
    /* the same configuration written differently is the same */
    assert_int_equal(changes_for(base, PROCS "\n# reformatted\n"
                                             "neighbor 10.0.0.2 {\n local-address 10.0.0.1;\n"
                                             " peer-as 2; local-as 1;\n"
                                             " api { processes [ a ]; }\n static {\n"
                                             "  route 1.0.0.0/8 {\n   next-hop 10.0.0.1;\n  }\n"
                                             " }\n}\n"),
                     0);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "static { route 1.0.0.0/8 next-hop 10.0.0.9; }\n"
                                               "api { processes [ a ]; }")),
        CONF_CHANGE_ROUTES);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ a b ]; }")),
        CONF_CHANGE_API);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ a ]; neighbor-changes; }")),
        CONF_CHANGE_API);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "hold-time 90;\n"
                                               "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ a ]; }")),
        CONF_CHANGE_SESSION);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "capability { route-refresh; }\n"
                                               "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ a ]; }")),
        CONF_CHANGE_SESSION);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "family { ipv4 unicast; }\n"
                                               "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ a ]; }")),
        CONF_CHANGE_SESSION);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "description \"new\";\n"
                                               "group-updates false;\n"
                                               "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ a ]; }")),
        CONF_CHANGE_OTHER);
    assert_int_equal(
        changes_for(base, PROCS NB("10.0.0.2", "peer-as 3;\n"
                                               "static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n"
                                               "api { processes [ b ]; }")),
        CONF_CHANGE_SESSION | CONF_CHANGE_API);
}

struct diff_log {
    char text[1024];
};

static void
log_neighbor(void *ctx, const struct conf_neighbor *o, const struct conf_neighbor *n,
             unsigned changes)
{
    struct diff_log *log = ctx;
    size_t len = strlen(log->text);

    snprintf(log->text + len, sizeof(log->text) - len, "%s %s %u;",
             o == NULL   ? "added"
             : n == NULL ? "removed"
                         : "kept",
             o != NULL ? o->name : n->name, changes);
}

static void
log_process(void *ctx, const struct conf_process *o, const struct conf_process *n, bool changed)
{
    struct diff_log *log = ctx;
    size_t len = strlen(log->text);

    snprintf(log->text + len, sizeof(log->text) - len, "%s %s%s;",
             o == NULL   ? "added"
             : n == NULL ? "removed"
                         : "kept",
             o != NULL ? o->name : n->name, changed ? " restart" : "");
}

static void
test_diff_reload(void **state)
{
    struct conf old_conf, new_conf;
    struct diff_log log = { "" };

    (void)state;
    load(&old_conf, PROCS "process c { run /bin/c; }\n" NB("10.0.0.2", "") NB("10.0.0.3", "")
                        NB("10.0.0.4", ""));
    load(&new_conf, "process a { run /bin/a; encoder json; }\nprocess b { run /bin/b y; }\n"
                    "process d { run /bin/d; }\n" NB("10.0.0.4", "hold-time 30;") NB("10.0.0.2", "")
                        NB("10.0.0.5", ""));
    conf_diff_neighbors(&old_conf, &new_conf, log_neighbor, &log);
    assert_string_equal(log.text, "kept 10.0.0.2 0;removed 10.0.0.3 0;kept 10.0.0.4 1;"
                                  "added 10.0.0.5 0;");
    log.text[0] = '\0';
    conf_diff_processes(&old_conf, &new_conf, log_process, &log);
    assert_string_equal(log.text, "kept a;kept b restart;removed c;added d;");
    conf_free(&old_conf);
    conf_free(&new_conf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_kinds),
        cmocka_unit_test(test_diff_reload),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
