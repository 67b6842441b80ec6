/*
 * The ExaBGP route grammar (SPEC 2.4-2.7): words of a `route`, `attributes … nlri`, `flow`,
 * `vpls`, `vpnv4|vpnv6` or `evpn` statement -> bgpbus.v1 Routes.
 *
 * `words` are what follows the statement keyword (the API's `announce route` or the
 * configuration's `route`), already tokenised (grammar_lex.h, or conf_route.words). Every
 * message and byte string is allocated from `arena`; strings may point into `words`, which must
 * therefore live as long as the result. Nothing is freed individually: reset the arena.
 *
 * On error the function returns -1 and fills `err` with the index (into `words`) of the
 * offending word (or `nwords` when a word is missing at the end) and a message.
 */
#ifndef BGPBUS_LIB_GRAMMAR_ROUTE_H
#define BGPBUS_LIB_GRAMMAR_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "bgpbus/v1/route.pb-c.h"
#include "arena.h"

struct grammar_error {
    int word;      /* index of the offending word; -1 when no word is at fault */
    char msg[160]; /* e.g. "invalid prefix 10.0.0.1/24: host bits set" */
};

/* What a statement parses to. `split /N` and the bulk form give several routes. */
struct grammar_routes {
    Bgpbus__V1__Route **routes;
    size_t nroutes;
    /* The bulk form only: the attributes shared by every route (Announce.attributes); the
     * routes then carry none. NULL otherwise. */
    Bgpbus__V1__Attributes *attributes;
};

enum grammar_route_flags {
    GRAMMAR_ANNOUNCE = 1 << 0, /* announce (attributes checked) rather than withdraw */
    /* The family was named on the line (`announce ipv4 multicast …`); see grammar_route_parse. */
    GRAMMAR_SAFI_MULTICAST = 1 << 1,
    GRAMMAR_SAFI_UNICAST = 1 << 2,
    GRAMMAR_SAFI_LABELED = 1 << 3,
    GRAMMAR_SAFI_VPN = 1 << 4, /* `vpnv4|vpnv6 …`: rd required */
};

/*
 * `<prefix> { route-attr }` (SPEC 2.4). The family follows from the line: rd -> VPN, label ->
 * labeled unicast, IPv4 224.0.0.0/4 -> multicast, else unicast; a GRAMMAR_SAFI_* flag forces
 * it (main's `announce ipv4|ipv6 <safi> …`, the only way to IPv6 multicast).
 */
int grammar_route_parse(const char *const *words, size_t nwords, unsigned flags,
                        struct arena *arena, struct grammar_routes *out, struct grammar_error *err);

/* `{ route-attr } nlri <prefix> { <prefix> }` (SPEC 2.5): one shared Attributes. */
int grammar_attributes_parse(const char *const *words, size_t nwords, unsigned flags,
                             struct arena *arena, struct grammar_routes *out,
                             struct grammar_error *err);

/* FlowSpec, block `{ [rd X;] [next-hop X;] match { … } [scope { … }] [then { … }] }` or
 * flat form (SPEC 2.6). An announce in block form needs a `then` block. */
int grammar_flow_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                       struct grammar_routes *out, struct grammar_error *err);

/* VPLS (SPEC 2.7): `endpoint N base N offset N size N rd RD next-hop IP { attr }` in any
 * order, or the reference spelling `<endpoint> <offset> <size> rd RD …` where <endpoint>
 * is a VE ID or the PE's IPv4 address (then the next hop, VE ID 0). */
int grammar_vpls_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                       struct grammar_routes *out, struct grammar_error *err);

/* EVPN (reference spelling): `macadvertisement <mac> [<ip>] [<label>] rd RD { attr }` and
 * `multicast <ip> rd RD { attr }` (type 2 and 3 routes of RFC 7432). */
int grammar_evpn_parse(const char *const *words, size_t nwords, unsigned flags, struct arena *arena,
                       struct grammar_routes *out, struct grammar_error *err);

#endif
