/* The ExaBGP FlowSpec, VPLS, VPN and EVPN grammar (lib/grammar_flow.c, lib/grammar_l2vpn.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "test_grammar_util.h"

static Bgpbus__V1__FlowSpecNlri *
tf_flow(const char *line, Bgpbus__V1__Route **route)
{
    Bgpbus__V1__Request *req = tg_ok(line);
    Bgpbus__V1__Route *r;

    r = req->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE ? req->announce->routes[0]
                                                                   : req->withdraw->routes[0];
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_FLOWSPEC);
    if (route != NULL)
        *route = r;
    return r->nlri->flowspec;
}

static void
assert_term(const Bgpbus__V1__FlowSpecNumericTerm *t, bool and_previous,
            Bgpbus__V1__FlowSpecNumericOp op, uint64_t value)
{
    assert_int_equal(t->and_previous, and_previous);
    assert_int_equal(t->op, op);
    assert_true(t->value == value);
}

static void
test_flow_block(void **state)
{
    Bgpbus__V1__FlowSpecNlri *f;
    Bgpbus__V1__Route *r;
    Bgpbus__V1__FlowSpecNumeric *n;

    (void)state;
    f = tf_flow("announce flow route { match { destination 192.0.2.0/24; protocol tcp; "
                "destination-port [ =80 =443 >8080&<8088 ]; } then { rate-limit 9600; } }",
                &r);
    assert_int_equal(f->afi, BGPBUS__V1__AFI__AFI_IPV4);
    assert_null(f->rd);
    assert_int_equal(f->n_components, 3);
    assert_int_equal(f->components[0]->component_case,
                     BGPBUS__V1__FLOW_SPEC_COMPONENT__COMPONENT_DESTINATION);
    assert_int_equal(f->components[0]->destination->prefix->length, 24);
    assert_term(f->components[1]->ip_protocol->terms[0], false,
                BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ, 6);
    n = f->components[2]->destination_port;
    assert_int_equal(n->n_terms, 4);
    assert_term(n->terms[0], false, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ, 80);
    assert_term(n->terms[1], false, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_EQ, 443);
    assert_term(n->terms[2], false, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GT,
                8080);
    assert_term(n->terms[3], true, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LT, 8088);
    assert_int_equal(r->attributes->n_extended_communities, 1);
    assert_int_equal(r->attributes->extended_communities[0]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE);
    assert_true(r->attributes->extended_communities[0]->traffic_rate->rate == 9600.0f);

    f = tf_flow("announce flow route { match { source 10.0.0.0/8; source-port >1024; port =53; "
                "packet-length [ >=200&<=300 !=250 ]; icmp-type echo-request; icmp-code 0; "
                "dscp 46; } then { accept; } }",
                &r);
    assert_int_equal(f->n_components, 7);
    n = f->components[3]->packet_length;
    assert_term(n->terms[0], false, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_GE, 200);
    assert_term(n->terms[1], true, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_LE, 300);
    assert_term(n->terms[2], false, BGPBUS__V1__FLOW_SPEC_NUMERIC_OP__FLOW_SPEC_NUMERIC_OP_NE, 250);
    assert_int_equal(f->components[4]->icmp_type->terms[0]->value, 8);
    assert_int_equal(r->attributes->n_extended_communities, 0);

    /* The seed spelling `protocol =tcp` and names with operators. */
    f = tf_flow("announce flow route { match { source 10.0.0.0/8; destination-port =http; "
                "protocol =tcp; } then { discard; } }",
                &r);
    assert_int_equal(f->components[1]->destination_port->terms[0]->value, 80);
    assert_int_equal(f->components[2]->ip_protocol->terms[0]->value, 6);
    assert_true(r->attributes->extended_communities[0]->traffic_rate->rate == 0.0f);
}

static void
test_flow_bitmask(void **state)
{
    Bgpbus__V1__FlowSpecNlri *f;
    Bgpbus__V1__FlowSpecBitmask *b;

    (void)state;
    f = tf_flow("announce flow route { match { destination 192.0.2.0/24; tcp-flags [ syn ack ]; } "
                "then { discard; } }",
                NULL);
    b = f->components[1]->tcp_flags;
    assert_int_equal(b->n_terms, 2);
    assert_int_equal(b->terms[0]->bits, 2);
    assert_int_equal(b->terms[1]->bits, 16);
    assert_false(b->terms[1]->and_previous);
    f = tf_flow("announce flow route { match { tcp-flags [ !rst =syn&!=ack urgent ns ]; "
                "fragment [ not-a-fragment is-fragment&last-fragment ]; } then { discard; } }",
                NULL);
    b = f->components[0]->tcp_flags;
    assert_int_equal(b->n_terms, 5);
    assert_true(b->terms[0]->negate && !b->terms[0]->match && b->terms[0]->bits == 4);
    assert_true(!b->terms[1]->negate && b->terms[1]->match && b->terms[1]->bits == 2);
    assert_true(b->terms[2]->and_previous && b->terms[2]->negate && b->terms[2]->match);
    assert_int_equal(b->terms[3]->bits, 32);
    assert_int_equal(b->terms[4]->bits, 256);
    b = f->components[1]->fragment;
    assert_int_equal(b->terms[0]->bits, 0);
    assert_int_equal(b->terms[1]->bits, 2);
    assert_true(b->terms[2]->and_previous);
    assert_int_equal(b->terms[2]->bits, 8);
}

static void
test_flow_actions(void **state)
{
    Bgpbus__V1__Route *r;
    Bgpbus__V1__ExtendedCommunity **e;
    static const uint8_t ip[4] = { 192, 0, 2, 99 };

    (void)state;
    tf_flow("announce flow route { match { destination 192.0.2.0/24; } then { redirect 65000:100; "
            "redirect 4200000000:100; mark 10; action sample-terminal; community [ 65000:666 ]; "
            "extended-community [ target:65000:1 ]; discard; } }",
            &r);
    e = r->attributes->extended_communities;
    assert_int_equal(r->attributes->n_extended_communities, 6);
    assert_int_equal(e[0]->redirect->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2);
    assert_int_equal(e[1]->redirect->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4);
    assert_int_equal(e[2]->traffic_marking->dscp, 10);
    assert_true(e[3]->traffic_action->sample && e[3]->traffic_action->terminal);
    assert_int_equal(e[4]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET);
    assert_int_equal(e[5]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_TRAFFIC_RATE);
    assert_int_equal(r->attributes->communities[0], 65000u << 16 | 666);

    tf_flow(
        "announce flow route { match { destination 192.0.2.0/24; } then { redirect 192.0.2.99; } }",
        &r);
    tg_assert_bytes(r->attributes->next_hop->address, ip, 4);
    assert_int_equal(r->attributes->extended_communities[0]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP);
    tf_flow("announce flow route { match { destination 192.0.2.0/24; } then { copy 192.0.2.99; } }",
            &r);
    assert_true(r->attributes->extended_communities[0]->redirect_to_nexthop->copy);
    tf_flow("announce flow route { match { destination 192.0.2.0/24; } then { "
            "redirect-to-nexthop-ietf 192.0.2.99; } }",
            &r);
    tg_assert_bytes(r->attributes->extended_communities[0]->redirect_to_ip->address, ip, 4);
    tf_flow("announce flow route { match { destination 2001:db8::/32/8; next-header udp; "
            "flow-label 5; traffic-class 3; } then { redirect [2001:db8::1]:100; "
            "redirect-to-nexthop-ietf 2001:db8::2; } }",
            &r);
    assert_int_equal(r->nlri->flowspec->afi, BGPBUS__V1__AFI__AFI_IPV6);
    assert_int_equal(r->nlri->flowspec->components[0]->destination->offset, 8);
    assert_int_equal(r->attributes->n_ipv6_extended_communities, 2);
    assert_int_equal(r->attributes->ipv6_extended_communities[0]->redirect->local_admin, 100);
    assert_int_equal(r->attributes->ipv6_extended_communities[1]->typed_case,
                     BGPBUS__V1__IPV6_EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_IP);
    tf_flow("announce flow route { match { source 6.6.6.6/32; } scope { interface-set "
            "[ non-transitive:input:3405770241:1 ]; } then { discard; } }",
            &r);
    e = r->attributes->extended_communities;
    assert_int_equal(e[0]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_INTERFACE_SET);
    assert_false(e[0]->interface_set->transitive);
    assert_int_equal(e[0]->interface_set->asn, 3405770241u);
    assert_int_equal(e[0]->interface_set->direction,
                     BGPBUS__V1__INTERFACE_SET_DIRECTION__INTERFACE_SET_DIRECTION_INPUT);
}

static void
test_flow_flat_vpn_withdraw(void **state)
{
    Bgpbus__V1__FlowSpecNlri *f;
    Bgpbus__V1__Route *r;

    (void)state;
    f = tf_flow("announce flow route destination 133.130.1.19/32 interface-set "
                "[ transitive:input:1234:10 ] discard",
                &r);
    assert_int_equal(f->n_components, 1);
    assert_int_equal(r->attributes->n_extended_communities, 2);
    f = tf_flow("announce flow route { rd 65000:1; next-hop 192.0.2.1; match { destination "
                "10.0.0.0/8; } then { accept; } }",
                &r);
    assert_non_null(f->rd);
    assert_int_equal(f->rd->asn2, 65000);
    assert_int_equal(r->attributes->next_hop->address.len, 4);
    f = tf_flow("announce ipv6 flow source-ipv6 2001:db8::/32 discard", NULL);
    assert_int_equal(f->afi, BGPBUS__V1__AFI__AFI_IPV6);
    f = tf_flow("withdraw flow route { match { source 10.0.0.1/32; destination 192.0.2.0/24; } }",
                &r);
    assert_int_equal(f->n_components, 2);
    assert_null(r->attributes);
}

static void
test_flow_errors(void **state)
{
    (void)state;
    tg_fail("announce flow route { match { source 10.0.0.0/8 } }", 10, "missing 'then'");
    tg_fail("announce flow route destination 192.0.2.0/24 then rate-limit 9600", 5,
            "unknown keyword 'then'");
    tg_fail(
        "announce flow route { match { source 10.0.0.0/8; source 10.0.0.0/8; } then { accept; } }",
        9, "duplicate match component 'source'");
    tg_fail("announce flow route { match { source 10.0.0.0/8; destination 2001:db8::/32; } then "
            "{ accept; } }",
            10, "'2001:db8::/32' is IPv6 but the rule is IPv4 (from '10.0.0.0/8')");
    tg_fail("announce flow route { match { destination-port >99999; } then { accept; } }", 7,
            "invalid match value '>99999'");
    tg_fail("announce flow route { match { destination-port >80&; } then { accept; } }", 7,
            "nothing after '&'");
    tg_fail("announce flow route { match { tcp-flags [ syn bogus ]; } then { accept; } }", 9,
            "invalid match value 'bogus'");
    tg_fail("announce flow route { match { source 10.0.0.0/8; } then { redirect 1.2.3.4:5; } }", 13,
            "deprecated");
    tg_fail("announce flow route { match { source 10.0.0.0/8; } then { mark 64; } }", 13,
            "invalid DSCP '64'");
    tg_fail("announce flow route { match { source 10.0.0.0/8; } then { action jump; } }", 13,
            "invalid action 'jump'");
    tg_fail("announce flow route { match { source 10.0.0.0/8; } then { frob; } }", 12,
            "unknown keyword 'frob' in 'then'");
    tg_fail("announce flow route { match { } then { accept; } }", 13,
            "at least one match component");
    tg_fail("announce flow route { match { source 10.0.0.0/8; }", 10,
            "missing '}' closing the flow");
}

static void
test_vpn_vpls_evpn(void **state)
{
    Bgpbus__V1__Route *r;
    Bgpbus__V1__Request *req;
    static const uint8_t mac[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

    (void)state;
    r = tg_route("announce vpnv4 10.0.0.0/24 next-hop 192.168.1.2 route-distinguisher 65001:100 "
                 "label 16 extended-community [ target:65001:100 ]");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_VPN);
    assert_int_equal(r->nlri->vpn->labels->labels[0], 16);
    assert_int_equal(r->attributes->extended_communities[0]->route_target->asn2, 65001);
    r = tg_route(
        "announce vpnv6 2001:db8::/32 next-hop 2001:db8::1 route-distinguisher 65001:100 label 16");
    assert_int_equal(r->nlri->vpn->prefix->address.len, 16);

    r = tg_route("announce vpls endpoint 5 base 10702 offset 1 size 8 rd 192.168.201.1:123 "
                 "next-hop 192.168.201.1 origin igp as-path [ 30740 30740 ] local-preference 100 "
                 "med 0 extended-community [ target:54591:6 l2info:19:0:1500:111 ] "
                 "originator-id 192.168.22.1 cluster-list [ 3.3.3.3 192.168.201.1 ]");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_VPLS);
    assert_int_equal(r->nlri->vpls->endpoint, 5);
    assert_int_equal(r->nlri->vpls->label_base, 10702);
    assert_int_equal(r->nlri->vpls->offset, 1);
    assert_int_equal(r->nlri->vpls->size, 8);
    assert_int_equal(r->nlri->vpls->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4);
    assert_int_equal(r->attributes->n_extended_communities, 2);
    r = tg_route("announce vpls 192.168.1.1 10 8 rd 65001:100 route-target [ target:65001:100 ]");
    assert_int_equal(r->nlri->vpls->offset, 10);
    assert_int_equal(r->nlri->vpls->size, 8);
    assert_int_equal(r->attributes->next_hop->address.len, 4);
    assert_int_equal(r->attributes->extended_communities[0]->typed_case,
                     BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET);
    r = tg_route("announce vpls 7 10 8 rd 65001:100");
    assert_int_equal(r->nlri->vpls->endpoint, 7);
    assert_true(r->attributes->next_hop->use_local_address);
    req = tg_ok("withdraw vpls 192.168.1.1 10 8 rd 65001:100");
    assert_int_equal(req->withdraw->routes[0]->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_VPLS);
    tg_fail("announce vpls 5 10 8", 5, "missing route-distinguisher");
    tg_fail("announce vpls endpoint 5 rd 1:1", 6, "missing offset");

    r = tg_route("announce evpn macadvertisement aa:bb:cc:dd:ee:ff 100.10.0.1 1000 rd 65001:100 "
                 "route-target [ target:65001:100 ]");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_EVPN);
    assert_int_equal(r->nlri->evpn->route_case, BGPBUS__V1__EVPN_NLRI__ROUTE_MAC_IP_ADVERTISEMENT);
    tg_assert_bytes(r->nlri->evpn->mac_ip_advertisement->mac, mac, 6);
    assert_int_equal(r->nlri->evpn->mac_ip_advertisement->ip.len, 4);
    assert_int_equal(r->nlri->evpn->mac_ip_advertisement->labels->labels[0], 1000);
    assert_int_equal(r->nlri->evpn->mac_ip_advertisement->rd->asn2, 65001);
    assert_true(r->attributes->next_hop->use_local_address);
    r = tg_route(
        "announce evpn multicast 192.168.1.1 rd 65001:100 route-target [ target:65001:100 ]");
    assert_int_equal(r->nlri->evpn->route_case, BGPBUS__V1__EVPN_NLRI__ROUTE_INCLUSIVE_MULTICAST);
    assert_int_equal(r->nlri->evpn->inclusive_multicast->originator.len, 4);
    assert_int_equal(r->attributes->pmsi_tunnel->tunnel_type, 6);
    req = tg_ok("withdraw evpn macadvertisement aa:bb:cc:dd:ee:ff 100.10.0.1 1000 rd 65001:100");
    assert_int_equal(req->withdraw->n_routes, 1);
    tg_fail("announce evpn macadvertisement aa:bb:cc:dd:ee 1000 rd 1:1", 3, "invalid MAC address");
    tg_fail("announce evpn macadvertisement aa:bb:cc:dd:ee:ff rd 1:1", 6, "missing label");
    tg_fail("announce evpn ethernet-segment 1", 2, "unknown EVPN route type");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow_block),   cmocka_unit_test(test_flow_bitmask),
        cmocka_unit_test(test_flow_actions), cmocka_unit_test(test_flow_flat_vpn_withdraw),
        cmocka_unit_test(test_flow_errors),  cmocka_unit_test(test_vpn_vpls_evpn),
    };

    return cmocka_run_group_tests(tests, tg_setup, tg_teardown);
}
