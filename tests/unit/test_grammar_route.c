/* The ExaBGP route grammar: route attributes, families, split, bulk form, selectors, eor,
 * route-refresh, operational, error positions (lib/grammar_*.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "test_grammar_util.h"

static const uint8_t nh_192_0_2_1[4] = { 192, 0, 2, 1 };

static void
test_tokenize(void **state)
{
    struct grammar_words w;
    const char *line = "  community\t[65000:1,65000:2](x){y;}  ";

    (void)state;
    assert_int_equal(grammar_tokenize(&tg_arena, line, strlen(line), &w), 0);
    assert_int_equal(w.n, 13);
    assert_string_equal(w.w[0], "community");
    assert_string_equal(w.w[1], "[");
    assert_string_equal(w.w[2], "65000:1");
    assert_string_equal(w.w[3], ",");
    assert_string_equal(w.w[4], "65000:2");
    assert_string_equal(w.w[5], "]");
    assert_string_equal(w.w[6], "(");
    assert_string_equal(w.w[8], ")");
    assert_string_equal(w.w[11], ";");
    assert_string_equal(w.w[12], "}");
    assert_int_equal(grammar_tokenize(&tg_arena, "   ", 3, &w), 0);
    assert_int_equal(w.n, 0);
}

static void
test_basic_attributes(void **state)
{
    Bgpbus__V1__Route *r;
    Bgpbus__V1__Attributes *a;
    static const uint8_t agg[4] = { 192, 0, 2, 9 }, orig[4] = { 192, 0, 2, 7 };

    (void)state;
    r = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 origin INCOMPLETE med 100 "
                 "local-preference 200 atomic-aggregate aggregator ( 65000:192.0.2.9 ) "
                 "originator-id 192.0.2.7 cluster-list [ 192.0.2.8 192.0.2.9 ] aigp 0x10 "
                 "name web watchdog dog1 path-information 1.2.3.4");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_UNICAST);
    assert_int_equal(r->nlri->unicast->length, 24);
    assert_true(r->nlri->has_path_id);
    assert_int_equal(r->nlri->path_id, 0x01020304);
    a = r->attributes;
    tg_assert_bytes(a->next_hop->address, nh_192_0_2_1, 4);
    assert_int_equal(a->origin, BGPBUS__V1__ORIGIN__ORIGIN_INCOMPLETE);
    assert_true(a->has_med && a->med == 100);
    assert_true(a->has_local_pref && a->local_pref == 200);
    assert_true(a->has_atomic_aggregate && a->atomic_aggregate);
    assert_int_equal(a->aggregator->asn, 65000);
    tg_assert_bytes(a->aggregator->address, agg, 4);
    tg_assert_bytes(a->originator_id, orig, 4);
    assert_int_equal(a->n_cluster_list, 2);
    assert_true(a->has_aigp && a->aigp == 16);
    assert_string_equal(r->name, "web");
    assert_string_equal(r->watchdog, "dog1");
    assert_false(r->has_withdrawn);

    r = tg_route("announce route 10.0.0.1 next-hop self aggregator 65000:192.0.2.9 "
                 "watchdog dog1 withdraw");
    assert_int_equal(r->nlri->unicast->length, 32);
    assert_true(r->attributes->next_hop->use_local_address);
    assert_false(r->attributes->next_hop->has_address);
    assert_true(r->has_withdrawn && r->withdrawn);

    r = tg_route("announce route 2001:db8::/32 next-hop 2001:db8::1");
    assert_int_equal(r->nlri->unicast->address.len, 16);
    assert_int_equal(r->attributes->next_hop->address.len, 16);
}

static void
test_as_path(void **state)
{
    Bgpbus__V1__AsPath *p;

    (void)state;
    p = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path 65000")
            ->attributes->as_path;
    assert_int_equal(p->n_segments, 1);
    assert_int_equal(p->segments[0]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE);
    assert_int_equal(p->segments[0]->asns[0], 65000);

    p = tg_route(
            "announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ 65000, 65001 4200000000 ]")
            ->attributes->as_path;
    assert_int_equal(p->n_segments, 1);
    assert_int_equal(p->segments[0]->n_asns, 3);
    assert_int_equal(p->segments[0]->asns[2], 4200000000u);

    /* 4.2 and main spellings of SEQUENCE 1 2 + SET 3 4 give the same segments. */
    for (int k = 0; k < 2; k++) {
        p = tg_route(k == 0
                         ? "announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ 1 2 ( 3 4 ) ]"
                         : "announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [1 2] (3 4)")
                ->attributes->as_path;
        assert_int_equal(p->n_segments, 2);
        assert_int_equal(p->segments[0]->type,
                         BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SEQUENCE);
        assert_int_equal(p->segments[0]->n_asns, 2);
        assert_int_equal(p->segments[1]->type,
                         BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET);
        assert_int_equal(p->segments[1]->asns[0], 3);
        assert_int_equal(p->segments[1]->asns[1], 4);
    }
    p = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path ( 65002 65003 )")
            ->attributes->as_path;
    assert_int_equal(p->n_segments, 1);
    assert_int_equal(p->segments[0]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_SET);
    p = tg_route(
            "announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ { 1 2 } ] ( { 3 } ) [ 4 ]")
            ->attributes->as_path;
    assert_int_equal(p->n_segments, 3);
    assert_int_equal(p->segments[0]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SEQUENCE);
    assert_int_equal(p->segments[1]->type,
                     BGPBUS__V1__AS_PATH_SEGMENT_TYPE__AS_PATH_SEGMENT_TYPE_CONFED_SET);
    assert_int_equal(p->segments[2]->asns[0], 4);
    p = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ ]")->attributes->as_path;
    assert_int_equal(p->n_segments, 0);

    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ 1 x ]", 8,
            "expected an AS number, got 'x'");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ 1 2", 9, "missing ']'");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path 4294967296", 6,
            "expected an AS number");
}

static void
test_communities(void **state)
{
    Bgpbus__V1__Attributes *a;

    (void)state;
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 community [ 65000:1 65000:2 ]")
            ->attributes;
    assert_int_equal(a->n_communities, 2);
    assert_int_equal(a->communities[0], 65000u << 16 | 1);
    assert_int_equal(a->communities[1], 65000u << 16 | 2);
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 community [ no-export "
                 "no-advertise no-export-subconfed nopeer blackhole no-peer ]")
            ->attributes;
    assert_int_equal(a->n_communities, 6);
    assert_int_equal(a->communities[0], 0xFFFFFF01);
    assert_int_equal(a->communities[3], 0xFFFFFF04);
    assert_int_equal(a->communities[4], 0xFFFF029A);
    assert_int_equal(a->communities[5], 0xFFFFFF04);
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 community 0xFFFFFF01")->attributes;
    assert_int_equal(a->communities[0], 0xFFFFFF01);
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 community 4294967041")->attributes;
    assert_int_equal(a->communities[0], 0xFFFFFF01);
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 community foo", 6,
            "expected a community, got 'foo'");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 community [ 1:2 65536:1 ]", 8,
            "expected a community, got '65536:1'");

    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 large-community "
                 "[ 65000:1:2 4200000000:3:4 65000:1:2 ]")
            ->attributes;
    assert_int_equal(a->n_large_communities, 2);
    assert_int_equal(a->large_communities[1]->global_admin, 4200000000u);
    assert_int_equal(a->large_communities[1]->local_data_2, 4);
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 large-community 1:2", 6,
            "expected a large community");
}

static void
test_extended_communities(void **state)
{
    Bgpbus__V1__Attributes *a;
    Bgpbus__V1__ExtendedCommunity **e;
    static const uint8_t raw[8] = { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 1 };
    static const uint8_t ip[4] = { 192, 0, 2, 1 };

    (void)state;
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 extended-community [ "
                 "target:65000:100 target:192.0.2.1:100 target:4200000000:100 target:70000L:100 "
                 "origin:65000:100 redirect:65000:100 redirect-to-nexthop 0x0002FDE800000001 "
                 "l2info:19:0:1500:111 bandwidth:65000:1250000.5 65001:7 target:100L:5 encap:8 "
                 "origin:2345:6.7.8.9 ]")
            ->attributes;
    assert_int_equal(a->n_extended_communities, 14);
    e = a->extended_communities;
    assert_int_equal(e[0]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET);
    assert_int_equal(e[0]->route_target->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN2);
    assert_int_equal(e[0]->route_target->asn2, 65000);
    assert_int_equal(e[0]->route_target->local_admin, 100);
    assert_int_equal(e[1]->route_target->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_IPV4);
    tg_assert_bytes(e[1]->route_target->ipv4, ip, 4);
    /* 4-octet AS: RFC 5668 type 0x02, as ExaBGP 4.2 sends it. */
    assert_int_equal(e[2]->route_target->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4);
    assert_int_equal(e[2]->route_target->asn4, 4200000000u);
    assert_int_equal(e[3]->route_target->asn4, 70000);
    assert_int_equal(e[4]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_ORIGIN);
    assert_int_equal(e[5]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT);
    assert_int_equal(e[5]->redirect->asn2, 65000);
    assert_int_equal(e[6]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_REDIRECT_TO_NEXTHOP);
    assert_int_equal(e[7]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED__NOT_SET);
    tg_assert_bytes(e[7]->raw, raw, 8);
    assert_int_equal(e[8]->l2_info->encapsulation_type, 19);
    assert_int_equal(e[8]->l2_info->mtu, 1500);
    assert_int_equal(e[8]->l2_info->site_preference, 111);
    assert_int_equal(e[9]->link_bandwidth->asn, 65000);
    assert_true(e[9]->link_bandwidth->bandwidth > 1250000.0f);
    assert_int_equal(e[10]->typed_case, BGPBUS__V1__EXTENDED_COMMUNITY__TYPED_ROUTE_TARGET);
    assert_int_equal(e[10]->route_target->asn2, 65001);
    /* The L suffix forces the 4-octet AS layout even for a small AS. */
    assert_int_equal(e[11]->route_target->global_admin_case,
                     BGPBUS__V1__EXT_COMMUNITY_ADMIN__GLOBAL_ADMIN_ASN4);
    assert_int_equal(e[12]->encapsulation->tunnel_type, 8);
    assert_int_equal(e[13]->route_origin->asn2, 2345);
    assert_int_equal(e[13]->route_origin->local_admin, 0x06070809);

    tg_fail(
        "announce route 10.0.0.0/24 next-hop 192.0.2.1 extended-community target:4200000000:70000",
        6, "number > 65535 with a 4-octet AS");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 extended-community [ 0x0102 ]", 7,
            "need 8 octets");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 extended-community bogus:1:2", 6,
            "expected an extended community, got 'bogus:1:2'");
}

static void
test_raw_attribute_and_sid(void **state)
{
    Bgpbus__V1__Attributes *a;
    static const uint8_t data[4] = { 0, 1, 2, 3 };

    (void)state;
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 attribute [ 0x99 0xC0 0x00010203 ] "
                 "bgp-prefix-sid [ 300, [ ( 800000,4096 ) ( 900000,8 ) ] ]")
            ->attributes;
    assert_int_equal(a->n_unknown, 1);
    assert_int_equal(a->unknown[0]->type, 0x99);
    assert_int_equal(a->unknown[0]->flags, 0xC0);
    tg_assert_bytes(a->unknown[0]->value, data, 4);
    assert_int_equal(a->prefix_sid->label_index, 300);
    assert_int_equal(a->prefix_sid->n_srgbs, 2);
    assert_int_equal(a->prefix_sid->srgbs[0]->first_label, 800000);
    assert_int_equal(a->prefix_sid->srgbs[1]->range, 8);
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 bgp-prefix-sid 7 "
                 "bgp-prefix-sid-srv6 ( l3-service 2001:db8:1:1:: 0x48 [64,24,16,0,0,0] )")
            ->attributes;
    assert_int_equal(a->prefix_sid->label_index, 7);
    assert_int_equal(a->prefix_sid->n_srv6_services, 1);
    assert_int_equal(a->prefix_sid->srv6_services[0]->endpoint_behavior, 0x48);
    assert_int_equal(a->prefix_sid->srv6_services[0]->locator_node_length, 24);
    a = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 bgp-prefix-sid-srv6 ( l3vpn "
                 "2001:db8:: )")
            ->attributes;
    assert_int_equal(a->prefix_sid->srv6_services[0]->type,
                     BGPBUS__V1__SRV6_SERVICE_TYPE__SRV6_SERVICE_TYPE_L3);
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 attribute [ 0x99 0xC0 0x0 ]", 9,
            "invalid attribute data");
}

static void
test_families(void **state)
{
    Bgpbus__V1__Route *r;
    Bgpbus__V1__Request *req;

    (void)state;
    r = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 label 100");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST);
    assert_int_equal(r->nlri->labeled_unicast->labels->labels[0], 100);
    r = tg_route("announce route 10.0.0.0/24 next-hop 192.0.2.1 rd 65000:1 label [ 100 200 ]");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_VPN);
    assert_int_equal(r->nlri->vpn->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2);
    assert_int_equal(r->nlri->vpn->rd->asn2, 65000);
    assert_int_equal(r->nlri->vpn->rd->assigned, 1);
    assert_int_equal(r->nlri->vpn->labels->n_labels, 2);
    r = tg_route(
        "announce route 10.0.0.0/24 route-distinguisher 192.0.2.1:1 label 100 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->vpn->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4);
    r = tg_route("announce route 10.0.0.0/24 rd 4200000000:1 label 100 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->vpn->rd->admin_case, BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4);
    r = tg_route("announce route 224.0.0.0/8 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_MULTICAST);
    r = tg_route("announce route 239.1.0.0/16 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_MULTICAST);
    r = tg_route("announce route 223.0.0.0/8 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_UNICAST);
    r = tg_route("announce ipv6 multicast ff0e::/16 next-hop 2001:db8::1");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_MULTICAST);
    r = tg_route("announce ipv4 unicast 224.0.0.0/4 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_UNICAST);
    r = tg_route("announce ipv4 nlri-mpls 10.0.0.0/8 label 5 next-hop 192.0.2.1");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_LABELED_UNICAST);
    r = tg_route("announce vpnv4 10.0.0.0/24 next-hop 192.168.1.2 route-distinguisher 65001:100");
    assert_int_equal(r->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_VPN);
    assert_null(r->nlri->vpn->labels);
    tg_fail("announce ipv6 unicast 10.0.0.0/8 next-hop 192.0.2.1", 1, "needs IPv6 prefixes");
    tg_fail("announce vpnv6 10.0.0.0/8 next-hop 192.0.2.1 rd 1:1", 1, "needs IPv6 prefixes");
    tg_fail("announce vpnv4 10.0.0.0/8 next-hop 192.0.2.1", 5, "missing route-distinguisher");
    tg_fail("announce ipv4 rtc 10.0.0.0/8 next-hop 192.0.2.1", 2, "unsupported safi 'rtc'");

    /* Withdraw: attributes accepted and dropped, no next hop needed. */
    req = tg_ok("withdraw route 100.10.0.100/32 next-hop self community [65001:100]");
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_WITHDRAW);
    assert_int_equal(req->withdraw->n_routes, 1);
    assert_null(req->withdraw->routes[0]->attributes);
    req = tg_ok("withdraw route 2001:db8::/32");
    assert_int_equal(req->withdraw->routes[0]->nlri->unicast->length, 32);
}

static void
test_errors(void **state)
{
    (void)state;
    tg_fail("announce route 10.0.0.0/24", 3, "missing next-hop");
    tg_fail("announce route 224.0.0.0/4 med 1", 5, "missing next-hop");
    tg_fail("announce route 10.0.0.1/24 next-hop 192.0.2.1", 2,
            "invalid prefix 10.0.0.1/24: host bits set");
    tg_fail("announce route 2001:db8::1/32 next-hop 2001:db8::2", 2, "host bits set");
    tg_fail("announce route 10.0.0.0/33 next-hop 192.0.2.1", 2, "bad length");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 xyz 1", 5, "unknown keyword 'xyz'");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.300", 4, "not an IP address");
    tg_fail("announce route 10.0.0.0/24 next-hop", 4, "missing next-hop");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 med 4294967296", 6, "invalid med");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 origin bgp", 6, "invalid origin 'bgp'");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 label 1048576", 6, "invalid label");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 rd 65536:4294967295 label 1", 6,
            "invalid route distinguisher");
    tg_fail("announce route 10.0.0.0/24 next-hop 192.0.2.1 watchdog announce", 6,
            "invalid watchdog name");
    tg_fail("announce bogus 1", 1, "unknown command 'announce bogus'");
    tg_fail("frobnicate", 0, "unknown command 'frobnicate'");
    tg_fail("", 0, "empty command");
    tg_fail("neighbor 127.0.0.1 router-id x announce route 10.0.0.0/8 next-hop 1.1.1.1", 3,
            "invalid router-id 'x'");
    tg_fail("neighbor 127.0.0.1, announce route 10.0.0.0/8 next-hop 1.1.1.1", 3,
            "expected 'neighbor' after ','");
    tg_fail("shutdown now", 1, "unexpected 'now'");
}

static void
test_split(void **state)
{
    Bgpbus__V1__Request *req;
    static const uint8_t last[4] = { 10, 0, 0, 192 };

    (void)state;
    req = tg_ok("announce route 10.0.0.0/24 next-hop 192.0.2.1 split /26 med 5");
    assert_int_equal(req->announce->n_routes, 4);
    for (size_t k = 0; k < 4; k++) {
        Bgpbus__V1__Prefix *p = req->announce->routes[k]->nlri->unicast;

        assert_int_equal(p->length, 26);
        assert_int_equal(p->address.data[3], k * 64);
        assert_int_equal(req->announce->routes[k]->attributes->med, 5);
    }
    tg_assert_bytes(req->announce->routes[3]->nlri->unicast->address, last, 4);
    req = tg_ok("withdraw route 2001:db8::/32 split /33");
    assert_int_equal(req->withdraw->n_routes, 2);
    assert_int_equal(req->withdraw->routes[1]->nlri->unicast->address.data[4], 0x80);
    /* split not longer than the prefix: the prefix itself. */
    req = tg_ok("announce route 10.0.0.0/24 next-hop 192.0.2.1 split /24");
    assert_int_equal(req->announce->n_routes, 1);
    tg_fail("announce route 10.0.0.0/8 next-hop 192.0.2.1 split /32", 6, "more than 65536");
    tg_fail("announce route 10.0.0.0/8 next-hop 192.0.2.1 split /40", 6, "invalid split /40");
}

static void
test_bulk(void **state)
{
    Bgpbus__V1__Request *req;

    (void)state;
    req = tg_ok(
        "announce attributes next-hop 192.0.2.1 med 5 nlri 10.0.0.0/24 10.0.1.0/24 10.0.2.0/24");
    assert_int_equal(req->announce->n_routes, 3);
    assert_non_null(req->announce->attributes);
    assert_int_equal(req->announce->attributes->med, 5);
    for (size_t k = 0; k < 3; k++) {
        assert_null(req->announce->routes[k]->attributes);
        assert_int_equal(req->announce->routes[k]->nlri->unicast->address.data[2], k);
    }
    req =
        tg_ok("announce attribute route-distinguisher 63333:100 label [ 110 ] next-hop 10.0.99.12 "
              "origin igp as-path [100, 500] local-preference 100 extended-community 0:0 "
              "originator-id 10.0.99.12 nlri 128.0.64.0/18 128.0.0.0/18");
    assert_int_equal(req->announce->n_routes, 2);
    assert_int_equal(req->announce->routes[1]->nlri->nlri_case, BGPBUS__V1__NLRI__NLRI_VPN);
    req = tg_ok(
        "neighbor 127.0.0.1 announce attributes path-information 1.2.3.4 next-hop 10.11.12.13 "
        "community [14:15] local-preference 16 nlri 16.17.18.19/32 20.21.22.23/32");
    assert_int_equal(req->announce->routes[1]->nlri->path_id, 0x01020304);
    req = tg_ok("withdraw attributes next-hop 192.0.2.1 nlri 10.0.0.0/24 10.0.1.0/24");
    assert_int_equal(req->withdraw->n_routes, 2);
    tg_fail("announce attributes med 5 nlri", 5, "missing prefix after 'nlri'");
    tg_fail("announce attributes med 5 10.0.0.0/8", 4, "unknown keyword '10.0.0.0/8'");
    tg_fail("announce attributes med 5", 4, "missing 'nlri'");
    tg_fail("announce attributes med 5 nlri 10.0.0.0/8", 6, "missing next-hop");
    tg_fail("announce attributes next-hop 1.1.1.1 nlri 10.0.0.0/8 10.0.0.1/8", 6, "host bits set");
}

static void
test_selectors(void **state)
{
    Bgpbus__V1__Request *req;
    Bgpbus__V1__NeighborMatch *m;
    static const uint8_t rid[4] = { 1, 2, 3, 4 };

    (void)state;
    req = tg_ok("announce route 10.0.0.0/24 next-hop 192.0.2.1");
    assert_null(req->neighbors);
    req = tg_ok("neighbor 127.0.0.1 router-id 1.2.3.4, neighbor 127.0.0.1 announce route "
                "1.1.0.0/25 next-hop 101.1.101.1");
    assert_non_null(req->neighbors);
    assert_false(req->neighbors->has_all);
    assert_int_equal(req->neighbors->n_matches, 2);
    m = req->neighbors->matches[0];
    tg_assert_bytes(m->router_id, rid, 4);
    assert_int_equal(m->address.len, 4);
    assert_false(req->neighbors->matches[1]->has_router_id);
    req = tg_ok("neighbor 2001:db8::1 local-ip 2001:db8::2 local-as 65000 peer-as 4200000000 "
                "family-allowed ipv4-unicast/ipv6-unicast teardown 2");
    m = req->neighbors->matches[0];
    assert_int_equal(m->address.len, 16);
    assert_int_equal(m->local_address.len, 16);
    assert_int_equal(m->local_as, 65000);
    assert_int_equal(m->peer_as, 4200000000u);
    assert_string_equal(m->family_allowed, "ipv4-unicast/ipv6-unicast");
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_TEARDOWN);
    assert_int_equal(req->teardown->subcode, 2);
    req = tg_ok("neighbor * announce eor");
    assert_true(req->neighbors->has_all && req->neighbors->all);

    {
        const char *words[] = { "neighbor", "10.0.0.1", "peer-as", "1", "announce" };
        Bgpbus__V1__NeighborSelector *sel;
        size_t used;

        assert_int_equal(grammar_selector_parse(words, 5, &tg_arena, &sel, &used, &tg_err), 0);
        assert_int_equal(used, 4);
        assert_int_equal(sel->matches[0]->peer_as, 1);
        assert_int_equal(grammar_selector_parse(words + 4, 1, &tg_arena, &sel, &used, &tg_err), 0);
        assert_int_equal(used, 0);
        assert_null(sel);
    }
}

static void
test_eor_refresh_operational(void **state)
{
    Bgpbus__V1__Request *req;
    Bgpbus__V1__Operational *op;
    Bgpbus__V1__Request *none = NULL;

    (void)state;
    req = tg_ok("announce eor");
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_END_OF_RIB);
    assert_int_equal(req->end_of_rib->family->afi, 1);
    assert_int_equal(req->end_of_rib->family->safi, 1);
    req = tg_ok("announce eor ipv6 flow-vpn");
    assert_int_equal(req->end_of_rib->family->afi, 2);
    assert_int_equal(req->end_of_rib->family->safi, 134);
    req = tg_ok("announce eor l2vpn evpn");
    assert_int_equal(req->end_of_rib->family->afi, 25);
    assert_int_equal(req->end_of_rib->family->safi, 70);
    tg_fail("announce eor ipv4", 3, "missing safi");
    tg_fail("announce eor ipv5 unicast", 2, "unknown afi 'ipv5'");
    tg_fail("announce eor ipv4 unicast extra", 4, "unexpected 'extra'");

    req = tg_ok("announce route-refresh ipv6 mpls-vpn");
    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_ROUTE_REFRESH);
    assert_int_equal(req->route_refresh->family->afi, 2);
    assert_int_equal(req->route_refresh->family->safi, 128);
    req = tg_ok("announce refresh ipv4 flowspec");
    assert_int_equal(req->route_refresh->family->safi, 133);
    tg_fail("announce route-refresh ipv4 bogus", 3, "unknown safi 'bogus'");
    tg_fail("announce route-refresh", 2, "missing afi");

    req = tg_ok("announce operational rpcq afi ipv4 safi unicast sequence 10");
    op = req->operational;
    assert_int_equal(op->type, BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_RPCQ);
    assert_int_equal(op->sequence, 10);
    assert_false(op->has_router_id);
    req = tg_ok("announce operational apcp afi ipv6 safi unicast router-id 1.2.3.4 sequence 1 "
                "counter 18446744073709551615");
    op = req->operational;
    assert_int_equal(op->type, BGPBUS__V1__OPERATIONAL_TYPE__OPERATIONAL_TYPE_APCP);
    assert_true(op->has_router_id);
    assert_true(op->counter == UINT64_MAX);
    req = tg_ok(
        "announce operational adm afi ipv4 safi unicast advisory \"this is dynamic message #1\"");
    assert_string_equal(req->operational->advisory, "this is dynamic message #1");
    tg_fail("announce operational lpcp afi ipv4 safi unicast sequence 1", 9, "missing 'counter'");
    /* An unknown operational word is acknowledged and ignored, as ExaBGP does. */
    assert_int_equal(grammar_command_parse("announce operational xyz 1", 26, &tg_arena, &none,
                                           &tg_words, &tg_err),
                     GRAMMAR_COMMAND_IGNORED);
    assert_null(none);
    assert_int_equal(grammar_command_parse("# a comment", 11, &tg_arena, &none, &tg_words, &tg_err),
                     GRAMMAR_COMMAND_IGNORED);
}

static void
test_control(void **state)
{
    (void)state;
    assert_int_equal(tg_ok("announce watchdog dog1")->command_case,
                     BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE_WATCHDOG);
    assert_string_equal(tg_ok("withdraw watchdog dog1")->withdraw_watchdog->name, "dog1");
    assert_null(tg_ok("withdraw watchdog")->withdraw_watchdog->name);
    assert_int_equal(tg_ok("flush")->command_case, BGPBUS__V1__REQUEST__COMMAND_FLUSH);
    assert_int_equal(tg_ok("flush adj-rib out")->command_case,
                     BGPBUS__V1__REQUEST__COMMAND_FLUSH_ADJ_RIB_OUT);
    assert_int_equal(tg_ok("clear adj-rib")->clear_adj_rib->direction,
                     BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_OUT);
    assert_int_equal(tg_ok("clear adj-rib in")->clear_adj_rib->direction,
                     BGPBUS__V1__RIB_DIRECTION__RIB_DIRECTION_IN);
    assert_int_equal(tg_ok("version")->command_case, BGPBUS__V1__REQUEST__COMMAND_VERSION);
    assert_int_equal(tg_ok("shutdown")->command_case, BGPBUS__V1__REQUEST__COMMAND_SHUTDOWN);
    assert_int_equal(tg_ok("restart")->command_case, BGPBUS__V1__REQUEST__COMMAND_RESTART);
    assert_int_equal(tg_ok("reload")->command_case, BGPBUS__V1__REQUEST__COMMAND_RELOAD);
    tg_fail("teardown x", 1, "invalid cease subcode 'x'");
}

/* The requests must encode: every required presence flag and oneof case is consistent. */
static void
test_encodes(void **state)
{
    Bgpbus__V1__Request *req;
    uint8_t *buf;
    size_t len;
    Bgpbus__V1__Request *back;

    (void)state;
    req = tg_ok(
        "neighbor 127.0.0.1 announce route 10.0.0.0/24 next-hop 192.0.2.1 as-path [ 1 ( 2 ) ] "
        "community [ 1:1 ] extended-community [ target:1:1 l2info:1:2:3:4 ] split /25");
    len = protobuf_c_message_get_packed_size(&req->base);
    buf = arena_alloc(&tg_arena, len);
    assert_non_null(buf);
    assert_int_equal(protobuf_c_message_pack(&req->base, buf), len);
    back = bgpbus__v1__request__unpack(NULL, len, buf);
    assert_non_null(back);
    assert_int_equal(back->announce->n_routes, 2);
    assert_int_equal(back->announce->routes[1]->attributes->as_path->n_segments, 2);
    bgpbus__v1__request__free_unpacked(back, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_basic_attributes),
        cmocka_unit_test(test_as_path),
        cmocka_unit_test(test_communities),
        cmocka_unit_test(test_extended_communities),
        cmocka_unit_test(test_raw_attribute_and_sid),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_eor_refresh_operational),
        cmocka_unit_test(test_control),
        cmocka_unit_test(test_encodes),
    };

    return cmocka_run_group_tests(tests, tg_setup, tg_teardown);
}
