/* The configuration grammar: tokens, tree, typed neighbors and processes, inheritance, and
 * errors reported at the exact file:line:col. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_lex.h"
#include "conf_load.h"

static int
load(struct conf *conf, const char *text)
{
    struct conf_error err;
    char msg[600];
    int rc = conf_load_text(conf, "test.conf", text, strlen(text), 0, &err);

    if (rc < 0)
        print_error("%s\n", conf_error_format(&err, msg, sizeof(msg)));
    return rc;
}

/* The load fails with the message containing `what` at line:col of test.conf. */
static void
expect_error(const char *text, int line, int col, const char *what)
{
    struct conf conf;
    struct conf_error err;
    char msg[600];

    memset(&err, 0, sizeof(err));
    if (conf_load_text(&conf, "test.conf", text, strlen(text), 0, &err) == 0) {
        conf_free(&conf);
        fail_msg("loaded, expected an error containing '%s'", what);
    }
    conf_error_format(&err, msg, sizeof(msg));
    if (err.line != line || err.col != col || strstr(err.msg, what) == NULL ||
        strcmp(err.file, "test.conf") != 0)
        fail_msg("got '%s', expected test.conf:%d:%d: ...%s...", msg, line, col, what);
    /* the failed load leaves nothing to free */
    assert_null(conf.neighbors);
    assert_null(conf.tree.arena.head);
}

#define NB_MIN "local-as 1; peer-as 2; local-address 10.0.0.1; "

static void
test_lex_tokens(void **state)
{
    const char *text = "a \"b c\\\"d\" [x,y](z) # comment ;\n"
                       "e \\\n  f;'';}";
    struct conf_lex lx;
    struct conf_token t;
    struct conf_error err;
    static const struct {
        enum conf_tok_type type;
        const char *text;
        int line, col;
        bool quoted, nl;
    } want[] = {
        { CONF_TOK_WORD, "a", 1, 1, false, false },
        { CONF_TOK_WORD, "b c\"d", 1, 3, true, false },
        { CONF_TOK_WORD, "[", 1, 12, false, false },
        { CONF_TOK_WORD, "x", 1, 13, false, false },
        { CONF_TOK_WORD, ",", 1, 14, false, false },
        { CONF_TOK_WORD, "y", 1, 15, false, false },
        { CONF_TOK_WORD, "]", 1, 16, false, false },
        { CONF_TOK_WORD, "(", 1, 17, false, false },
        { CONF_TOK_WORD, "z", 1, 18, false, false },
        { CONF_TOK_WORD, ")", 1, 19, false, false },
        { CONF_TOK_WORD, "e", 2, 1, false, true },
        { CONF_TOK_WORD, "f", 3, 3, false, false }, /* the backslash joined the lines */
        { CONF_TOK_SEMI, ";", 3, 4, false, false },
        { CONF_TOK_WORD, "", 3, 5, true, false },
        { CONF_TOK_SEMI, ";", 3, 7, false, false },
        { CONF_TOK_RBRACE, "}", 3, 8, false, false },
        { CONF_TOK_EOF, "", 3, 9, false, false },
    };

    (void)state;
    conf_lex_init(&lx, "t", text, strlen(text));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(conf_lex_next(&lx, &t, &err), 0);
        assert_int_equal(t.type, want[i].type);
        assert_string_equal(t.text, want[i].text);
        assert_int_equal(t.line, want[i].line);
        assert_int_equal(t.col, want[i].col);
        assert_int_equal(t.quoted, want[i].quoted);
        assert_int_equal(t.newline_before, want[i].nl);
    }
    conf_lex_fini(&lx);

    conf_lex_init(&lx, "t", "x \"open\nclose\"", 14);
    assert_int_equal(conf_lex_next(&lx, &t, &err), 0);
    assert_int_equal(conf_lex_next(&lx, &t, &err), -1);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 3);
    assert_non_null(strstr(err.msg, "unterminated string"));
    conf_lex_fini(&lx);

    conf_lex_init(&lx, "t", "ab\0c", 4);
    assert_int_equal(conf_lex_next(&lx, &t, &err), -1);
    assert_int_equal(err.col, 3);
    assert_non_null(strstr(err.msg, "NUL"));
    conf_lex_fini(&lx);
}

static void
test_tree_shape(void **state)
{
    const char *text = "a b { c d; e { f; } }\n;\ng h";
    struct conf_tree tree;
    struct conf_error err;
    const struct conf_node *a;

    (void)state;
    assert_int_equal(conf_tree_parse(&tree, "t", text, strlen(text), &err), 0);
    assert_int_equal(tree.root.nchildren, 2);
    a = &tree.root.children[0];
    assert_true(a->block);
    assert_int_equal(a->nwords, 2);
    assert_string_equal(a->words[1].text, "b");
    assert_int_equal(a->nchildren, 2);
    assert_false(a->children[0].block);
    assert_string_equal(a->children[0].words[1].text, "d");
    assert_int_equal(a->children[0].words[1].col, 9);
    assert_true(a->children[1].block);
    assert_string_equal(a->children[1].children[0].words[0].text, "f");
    /* the end of the file closes the last statement */
    assert_false(tree.root.children[1].block);
    assert_int_equal(tree.root.children[1].words[1].line, 3);
    conf_tree_free(&tree);
}

static void
test_errors_structure(void **state)
{
    (void)state;
    /* a statement must end on its line (ExaBGP): the ';' is missing after "1" */
    expect_error("neighbor 10.0.0.2 {\n local-as 1\n peer-as 2;\n}\n", 2, 12, "expected ';'");
    expect_error("neighbor 10.0.0.2 {\n local-as 1;\n", 3, 1, "expected '}'");
    expect_error("}\n", 1, 1, "'}' without a section");
    expect_error("  {\n}\n", 1, 3, "expected a section name");
    expect_error("neighbour 10.0.0.2 {\n}\n", 1, 1, "unknown keyword 'neighbour'");
    expect_error("process x {\n run /bin/true;\n}\nfoo;\n", 4, 1, "unknown keyword 'foo'");
}

static void
test_errors_neighbor(void **state)
{
    (void)state;
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n  hold-time 2;\n}\n", 3, 13,
                 "at least three seconds");
    expect_error("neighbor 10.0.0.2 {\n  local-as 1; peer-as x2;\n}\n", 2, 23, "invalid ASN 'x2'");
    expect_error("neighbor 10.0.0.2 {\n  local-as 1; peer-as 4294967296;\n}\n", 2, 23,
                 "larger than 4294967295");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n  router-id 1.2.3;\n}\n", 3, 13,
                 "not a valid IP address");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n  passive maybe;\n}\n", 3, 11,
                 "invalid value 'maybe' for 'passive'");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n  flux-capacitor 1;\n}\n", 3, 3,
                 "unknown keyword 'flux-capacitor' in neighbor");
    expect_error("neighbor 10.0.0.2 {\n  peer-as 2; local-address 10.0.0.1;\n}\n", 1, 1,
                 "missing local-as");
    expect_error("neighbor 10.0.0.2 {\n  local-as 1; local-address 10.0.0.1;\n}\n", 1, 1,
                 "missing peer-as");
    /* no router-id and nothing IPv4 to take it from */
    expect_error("neighbor ::2 {\n  local-as 1; peer-as 2; local-address ::1;\n}\n", 1, 1,
                 "missing router-id");
    expect_error("neighbor ::2 {\n" NB_MIN "\n}\n", 1, 1, "same family");
    expect_error("neighbor 10.0.0.0/24 {\n" NB_MIN "\n}\n", 1, 1, "only allowed with passive");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n}\nneighbor 10.0.0.2 {\n" NB_MIN "\n}\n", 4, 1,
                 "duplicate neighbor 10.0.0.2");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n family {\n  ipv4 unicast;\n  ipv4 unicorn;\n"
                 " }\n}\n",
                 5, 8, "invalid afi/safi pair ipv4/unicorn");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n family {\n  ipv4 unicast;\n  ipv4 unicast;\n"
                 " }\n}\n",
                 5, 3, "duplicate afi/safi pair");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n family {\n  ipv4 unicast;\n  all;\n }\n}\n", 5,
                 3, "'all' can not be used");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n capability {\n  add-path both;\n }\n}\n", 4, 12,
                 "invalid add-path 'both'");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN
                 "\n capability {\n  graceful-restart 5000;\n }\n}\n",
                 4, 20, "larger than 4095");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n capability {\n  teleport;\n }\n}\n", 4, 3,
                 "unknown capability 'teleport'");
    expect_error(
        "neighbor 10.0.0.2 {\n" NB_MIN "\n md5-password \""
        "123456789012345678901234567890123456789012345678901234567890123456789012345678901\";\n}\n",
        1, 1, "longer than 80");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n md5-base64; md5-password abc;\n}\n", 1, 1,
                 "not valid base64");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n announce {\n  ipv6 {\n"
                 "   unicast 2001:db8::/32 next-hop ::1;\n  }\n }\n family { ipv4 unicast; }\n}\n",
                 5, 4, "not in the neighbor's family list");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n static {\n  rout 10.0.0.0/8 next-hop self;\n"
                 " }\n}\n",
                 4, 3, "unknown keyword 'rout' in static");
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN
                 "\n flow {\n  route x {\n   match { source 1.2.3.4/32; }\n"
                 "   otherwise { discard; }\n  }\n }\n}\n",
                 6, 4, "unexpected section 'otherwise'");
}

static void
test_errors_api_process(void **state)
{
    (void)state;
    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n api {\n  processes [ ghost ];\n }\n}\n", 4, 15,
                 "unknown process 'ghost'");
    expect_error("process p {\n run /bin/true;\n}\nneighbor 10.0.0.2 {\n" NB_MIN
                 "\n api {\n  processes [ p;\n }\n}\n",
                 7, 15, "expected ']'");
    expect_error("process p {\n run /bin/true;\n}\nneighbor 10.0.0.2 {\n" NB_MIN
                 "\n api {\n  processes [ p ];\n  receive { everything; }\n }\n}\n",
                 8, 13, "unknown keyword 'everything'");
    expect_error("process p {\n encoder json;\n}\n", 1, 9, "has no run statement");
    expect_error("process p {\n run /bin/true;\n encoder xml;\n}\n", 3, 10,
                 "invalid encoder 'xml'");
    expect_error("process p {\n run /bin/true;\n}\nprocess p {\n run /bin/false;\n}\n", 4, 9,
                 "already exists");
    expect_error("process p {\n run /bin/true;\n user root;\n}\n", 3, 2, "unknown keyword 'user'");
}

static void
test_neighbor_defaults(void **state)
{
    struct conf conf;
    const struct conf_neighbor *nb;

    (void)state;
    assert_int_equal(load(&conf, "neighbor 10.0.0.2 {\n" NB_MIN "\n}\n"), 0);
    assert_int_equal(conf.nneighbors, 1);
    nb = &conf.neighbors[0];
    assert_string_equal(nb->name, "10.0.0.2");
    assert_int_equal(nb->peer_address.af, AF_INET);
    assert_int_equal(nb->hold_time, 180);
    assert_memory_equal(nb->router_id.bytes, nb->local_address.bytes, 4);
    assert_true(nb->group_updates && nb->auto_flush && nb->adj_rib_in && nb->adj_rib_out);
    assert_false(nb->passive || nb->manual_eor);
    assert_true(nb->capability.asn4 && nb->capability.extended_message);
    assert_false(nb->capability.route_refresh || nb->capability.multi_session ||
                 nb->capability.operational || nb->capability.nexthop);
    assert_int_equal(nb->capability.graceful_restart, -1);
    assert_int_equal(nb->capability.add_path, CONF_ADD_PATH_DISABLED);
    assert_int_equal(nb->families, conf_family_all());
    assert_int_equal(nb->outgoing_ttl, -1);
    conf_free(&conf);

    /* ExaBGP 3.x spelling of outgoing-ttl */
    assert_int_equal(load(&conf, "neighbor 10.0.0.2 {\n" NB_MIN "ttl-security 1;\n}\n"), 0);
    assert_int_equal(conf.neighbors[0].outgoing_ttl, 1);
    conf_free(&conf);
}

static void
test_neighbor_options(void **state)
{
    struct conf conf;
    const struct conf_neighbor *nb;
    const char *text =
        "process watcher {\n run /usr/bin/env python3 -u watch.py;\n encoder json;\n"
        " respawn false;\n}\n"
        "neighbor 2001:db8::2 {\n"
        "  description \"core router\";\n  router-id 192.0.2.1;\n  local-address 2001:db8::1;\n"
        "  local-as 1.10; peer-as 4200000000;\n  hold-time 0;\n  passive;\n  listen 1179;\n"
        "  connect 2179;\n  md5-password c2VjcmV0;\n  md5-base64 true;\n  outgoing-ttl 255;\n"
        "  incoming-ttl disable;\n  group-updates false;\n  auto-flush disable;\n"
        "  adj-rib-out false;\n  adj-rib-in enabled;\n  manual-eor true;\n"
        "  host-name edge1;\n  domain-name example.net;\n"
        "  family { ipv6 unicast; ipv4 unicast; ipv6 flow; }\n"
        "  add-path { ipv6 unicast; ipv4 mpls-vpn; }\n"
        "  nexthop { ipv4 unicast ipv6; }\n"
        "  capability {\n    route-refresh;\n    graceful-restart;\n    add-path send;\n"
        "    multi-session enable;\n    operational;\n    aigp disable;\n  }\n"
        "  api named {\n    processes [ watcher, ];\n    neighbor-changes;\n"
        "    receive { parsed; update; notification false; }\n    send { packets; }\n  }\n"
        "  api {\n    processes [ watcher ];\n    fsm;\n  }\n"
        "}\n";

    (void)state;
    assert_int_equal(load(&conf, text), 0);
    nb = &conf.neighbors[0];
    assert_int_equal(nb->peer_address.af, AF_INET6);
    assert_string_equal(nb->description, "core router");
    assert_int_equal(nb->local_as, (1u << 16) | 10u); /* RFC 5396 asdot */
    assert_int_equal(nb->peer_as, 4200000000u);
    assert_int_equal(nb->hold_time, 0);
    assert_true(nb->passive);
    assert_int_equal(nb->listen, 1179);
    assert_int_equal(nb->connect, 2179);
    assert_string_equal(nb->md5_password, "c2VjcmV0");
    assert_true(nb->md5_base64);
    assert_int_equal(nb->outgoing_ttl, 255);
    assert_int_equal(nb->incoming_ttl, -1);
    assert_false(nb->group_updates || nb->auto_flush || nb->adj_rib_out);
    assert_true(nb->adj_rib_in && nb->manual_eor);
    assert_string_equal(nb->host_name, "edge1");
    assert_string_equal(nb->domain_name, "example.net");
    assert_int_equal(nb->families, (1u << CONF_FAMILY_IPV6_UNICAST) |
                                       (1u << CONF_FAMILY_IPV4_UNICAST) |
                                       (1u << CONF_FAMILY_IPV6_FLOW));
    /* ipv4 mpls-vpn is not announced, so add-path cannot apply to it */
    assert_int_equal(nb->add_path_families, 1u << CONF_FAMILY_IPV6_UNICAST);
    assert_int_equal(nb->nexthop_families, 1u << CONF_FAMILY_IPV4_UNICAST);
    assert_true(nb->capability.nexthop); /* a nexthop block turns the capability on */
    assert_true(nb->capability.route_refresh && nb->capability.multi_session &&
                nb->capability.operational);
    assert_false(nb->capability.aigp);
    /* a bare graceful-restart is the hold-time, here 0 */
    assert_int_equal(nb->capability.graceful_restart, 0);
    assert_int_equal(nb->capability.add_path, CONF_ADD_PATH_SEND);
    assert_int_equal(nb->napi, 2);
    assert_string_equal(nb->api[0].name, "named");
    assert_null(nb->api[1].name);
    assert_int_equal(nb->api[0].nprocesses, 1); /* the comma is only a separator */
    assert_int_equal(conf_neighbor_api_flags(nb, "watcher"),
                     CONF_API_BOUND | CONF_API_NEIGHBOR_CHANGES | CONF_API_FSM |
                         CONF_API_RECEIVE(CONF_API_MSG_PARSED) |
                         CONF_API_RECEIVE(CONF_API_MSG_UPDATE) |
                         CONF_API_SEND(CONF_API_MSG_PACKETS));
    assert_int_equal(conf_neighbor_api_flags(nb, "other"), 0);

    assert_int_equal(conf.nprocesses, 1);
    assert_string_equal(conf.processes[0].name, "watcher");
    assert_int_equal(conf.processes[0].argc, 4);
    assert_string_equal(conf.processes[0].argv[0], "/usr/bin/env");
    assert_string_equal(conf.processes[0].argv[3], "watch.py");
    assert_null(conf.processes[0].argv[4]);
    assert_int_equal(conf.processes[0].encoder, CONF_ENCODER_JSON);
    assert_false(conf.processes[0].respawn);
    conf_free(&conf);
}

static void
test_routes_words(void **state)
{
    struct conf conf;
    const struct conf_neighbor *nb;
    const struct conf_route *r;
    const char *text =
        "neighbor 10.0.0.2 {\n" NB_MIN "\n"
        "  family { ipv4 unicast; ipv4 flow; l2vpn vpls; }\n"
        "  static {\n"
        "    route 10.1.0.0/16 next-hop 10.0.0.1 community [65000:1 65000:2];\n"
        "    route 10.2.0.0/16 {\n      next-hop self;\n      med 10;\n    }\n"
        "    attributes next-hop 10.0.0.1 nlri 10.3.0.0/24 10.4.0.0/24;\n"
        "  }\n"
        "  flow {\n    route block {\n      match { source 10.0.0.1/32; port [ =80 ]; }\n"
        "      then { discard; }\n    }\n  }\n"
        "  l2vpn {\n    vpls site1 {\n      endpoint 5;\n    }\n  }\n"
        "  announce {\n    ipv4 {\n      unicast 10.5.0.0/24 next-hop 10.0.0.1;\n"
        "    }\n  }\n"
        "}\n";

    (void)state;
    assert_int_equal(load(&conf, text), 0);
    nb = &conf.neighbors[0];
    assert_int_equal(nb->nroutes, 6);

    r = &nb->routes[0];
    assert_int_equal(r->kind, CONF_ROUTE_STATIC);
    assert_string_equal(r->at.text, "route");
    assert_int_equal(r->at.line, 5);
    assert_int_equal(r->nwords, 8);
    assert_string_equal(r->words[0].text, "10.1.0.0/16");
    assert_string_equal(r->words[3].text, "community");
    assert_string_equal(r->words[4].text, "["); /* split from the value, as the API does */
    assert_string_equal(r->words[6].text, "65000:2");
    assert_string_equal(r->words[7].text, "]");
    assert_int_equal(r->words[0].line, 5);
    assert_int_equal(r->words[0].col, 11);

    r = &nb->routes[1]; /* block form joined, in order, positions kept */
    assert_int_equal(r->nwords, 5);
    assert_string_equal(r->words[0].text, "10.2.0.0/16");
    assert_string_equal(r->words[2].text, "self");
    assert_string_equal(r->words[4].text, "10");
    assert_int_equal(r->words[4].line, 8);

    r = &nb->routes[2];
    assert_int_equal(r->kind, CONF_ROUTE_ATTRIBUTES);
    assert_string_equal(r->words[3].text, "10.3.0.0/24");

    r = &nb->routes[3];
    assert_int_equal(r->kind, CONF_ROUTE_FLOW);
    assert_string_equal(r->name, "block");
    assert_int_equal(r->nwords, 7);
    assert_string_equal(r->words[0].text, "source");
    assert_string_equal(r->words[2].text, "port");
    assert_string_equal(r->words[6].text, "discard");

    r = &nb->routes[4];
    assert_int_equal(r->kind, CONF_ROUTE_VPLS);
    assert_string_equal(r->name, "site1");
    assert_int_equal(r->nwords, 2);

    r = &nb->routes[5];
    assert_int_equal(r->kind, CONF_ROUTE_ANNOUNCE);
    assert_ptr_equal(r->family, &conf_families[CONF_FAMILY_IPV4_UNICAST]);
    assert_string_equal(r->words[0].text, "10.5.0.0/24");
    conf_free(&conf);
}

static void
test_template_inheritance(void **state)
{
    struct conf conf;
    const struct conf_neighbor *a, *b;
    const char *text =
        "process p {\n run /bin/true;\n}\n"
        "neighbor 10.0.0.2 {\n  inherit [ edge base ];\n  local-address 10.0.0.1;\n"
        "  hold-time 30;\n  static { route 2.0.0.0/8 next-hop 10.0.0.1; }\n}\n"
        "neighbor 10.0.0.3 {\n  inherit base;\n  local-address 10.0.0.1;\n}\n"
        "template {\n"
        "  neighbor base {\n    local-as 65000;\n    peer-as 65001;\n    hold-time 90;\n"
        "    family { ipv4 unicast; }\n    capability { route-refresh; }\n"
        "    api { processes [ p ]; }\n"
        "    static { route 1.0.0.0/8 next-hop 10.0.0.1; }\n  }\n"
        "  neighbor edge {\n    inherit core;\n    peer-as 65002;\n    family { ipv6 unicast; }\n  "
        "}\n"
        "  neighbor core {\n    passive true;\n  }\n"
        "}\n";

    (void)state;
    assert_int_equal(load(&conf, text), 0);
    assert_int_equal(conf.nneighbors, 2);
    assert_int_equal(conf.ntemplates, 3);
    a = &conf.neighbors[0];
    b = &conf.neighbors[1];
    /* own value wins, then the first template listed, then the next */
    assert_int_equal(a->hold_time, 30);
    assert_int_equal(a->peer_as, 65002);
    assert_int_equal(a->local_as, 65000);
    assert_true(a->passive); /* edge inherits core */
    assert_true(a->capability.route_refresh);
    assert_int_equal(a->families,
                     (1u << CONF_FAMILY_IPV4_UNICAST) | (1u << CONF_FAMILY_IPV6_UNICAST));
    assert_int_equal(a->nroutes, 2);
    assert_string_equal(a->routes[0].words[0].text, "1.0.0.0/8"); /* template routes first */
    assert_string_equal(a->routes[1].words[0].text, "2.0.0.0/8");
    assert_true(conf_neighbor_api_flags(a, "p") & CONF_API_BOUND);
    assert_int_equal(b->hold_time, 90);
    assert_int_equal(b->peer_as, 65001);
    assert_false(b->passive);
    assert_int_equal(b->nroutes, 1);
    assert_non_null(conf_find_template(&conf, "edge"));
    assert_null(conf_find_template(&conf, "nope"));
    conf_free(&conf);

    expect_error("neighbor 10.0.0.2 {\n" NB_MIN "\n  inherit missing;\n}\n", 3, 11,
                 "unknown template 'missing'");
    expect_error("template {\n  neighbor a {\n    inherit b;\n  }\n  neighbor b {\n    inherit a;\n"
                 "  }\n}\n",
                 2, 3, "inherits from itself");
    expect_error("template {\n  neighbor a { }\n  neighbor a { }\n}\n", 3, 12, "already exists");
    expect_error("template {\n  peer x { }\n}\n", 2, 3, "expected a section neighbor");
}

static void
test_group_3x(void **state)
{
    struct conf conf;
    const char *text =
        "group core {\n  local-as 65000;\n  hold-time 60;\n"
        "  neighbor 10.0.0.2 {\n    peer-as 65001;\n    local-address 10.0.0.1;\n  }\n"
        "  group inner {\n    peer-as 65009;\n"
        "    neighbor 10.0.0.3 {\n      local-address 10.0.0.1;\n"
        "      hold-time 9;\n    }\n  }\n"
        "}\n";

    (void)state;
    assert_int_equal(load(&conf, text), 0);
    assert_int_equal(conf.nneighbors, 2);
    assert_int_equal(conf.neighbors[0].local_as, 65000);
    assert_int_equal(conf.neighbors[0].peer_as, 65001);
    assert_int_equal(conf.neighbors[0].hold_time, 60);
    assert_int_equal(conf.neighbors[1].local_as, 65000);
    assert_int_equal(conf.neighbors[1].peer_as, 65009);
    assert_int_equal(conf.neighbors[1].hold_time, 9);
    conf_free(&conf);
}

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
test_process_resolve(void **state)
{
    const char *dir = getenv("BGPBUS_TEST_DIR");
    char path[1024], conffile[1100], text[2400], resolved[4096];
    struct conf conf;
    struct conf_error err;
    FILE *f;

    (void)state;
    assert_non_null(dir);
    make_dirs(dir);
    snprintf(path, sizeof(path), "%s/helper-%ld.sh", dir, (long)getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\nexit 0\n", f);
    fclose(f);
    assert_int_equal(chmod(path, 0600), 0);
    snprintf(conffile, sizeof(conffile), "%s/resolve.conf", dir);

    /* relative to the configuration's directory, but not executable yet */
    snprintf(text, sizeof(text), "process h {\n  run ./helper-%ld.sh --flag;\n}\n", (long)getpid());
    f = fopen(conffile, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(conf_load_file(&conf, conffile, CONF_LOAD_RESOLVE_PROGRAMS, &err), -1);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 7);
    assert_non_null(strstr(err.msg, "not executable"));

    assert_int_equal(chmod(path, 0700), 0);
    assert_int_equal(conf_load_file(&conf, conffile, CONF_LOAD_RESOLVE_PROGRAMS, &err), 0);
    assert_non_null(strstr(conf.processes[0].argv[0], "helper-"));
    assert_true(conf.processes[0].argv[0][0] == '/' ||
                strncmp(conf.processes[0].argv[0], dir, strlen(dir)) == 0);
    assert_string_equal(conf.processes[0].argv[1], "--flag");
    assert_int_equal(
        conf_process_resolve(&conf.processes[0], conffile, resolved, sizeof(resolved), &err), 0);
    conf_free(&conf);

    /* without the flag the program is not looked at: qa configurations name absent scripts */
    {
        const char *absent = "process h { run ./absent.run; }";

        assert_int_equal(conf_load_text(&conf, "x.conf", absent, strlen(absent), 0, &err), 0);
    }
    assert_int_equal(conf_process_resolve(&conf.processes[0], "/nonexistent/x.conf", resolved,
                                          sizeof(resolved), &err),
                     -1);
    assert_non_null(strstr(err.msg, "can not locate"));
    conf_free(&conf);
    unlink(path);
    unlink(conffile);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex_tokens),           cmocka_unit_test(test_tree_shape),
        cmocka_unit_test(test_errors_structure),     cmocka_unit_test(test_errors_neighbor),
        cmocka_unit_test(test_errors_api_process),   cmocka_unit_test(test_neighbor_defaults),
        cmocka_unit_test(test_neighbor_options),     cmocka_unit_test(test_routes_words),
        cmocka_unit_test(test_template_inheritance), cmocka_unit_test(test_group_3x),
        cmocka_unit_test(test_process_resolve),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
