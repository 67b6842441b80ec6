/*
 * conf_neighbor: one ExaBGP `neighbor` (or `template { neighbor NAME }`, or 3.x `group`) as typed
 * C data: session options with presence bits, capabilities, families, api bindings, and the route
 * statements as positioned word lists for the route grammar (lib/grammar_route.c).
 *
 * Defaults, as ExaBGP 4.2.21 applies them when a statement is absent (neighbor/__init__.py):
 *   hold-time 180; passive false; group-updates, auto-flush, adj-rib-in, adj-rib-out true;
 *   manual-eor false; router-id = local-address when both are IPv4, else required;
 *   local-as and peer-as required (no default); local-address absent or `auto` = let the kernel
 *   choose (then router-id is required); md5-ip = local-address; listen/connect 0 = default port;
 *   capability asn4 and extended-message on, route-refresh, multi-session, operational, aigp,
 *   add-path off, graceful-restart off (written without a value: the hold-time), nexthop on when
 *   a `nexthop` block lists a family; no `family` block = conf_family_all().
 * A boolean written without a value means true (4.2 turns a bare `adj-rib-in;` into false; that
 * quirk is not reproduced).
 *
 * All pointers point into the arena of the struct conf that was loaded (conf_load.h).
 */
#ifndef BGPBUS_CONF_NEIGHBOR_H
#define BGPBUS_CONF_NEIGHBOR_H

#include <stdbool.h>
#include <stdint.h>

#include "conf_error.h"
#include "conf_family.h"
#include "conf_tree.h"

/* Presence bits: which options the block (or what it inherited) wrote explicitly. */
enum conf_nb_opt {
    CONF_NB_DESCRIPTION,
    CONF_NB_HOST_NAME,
    CONF_NB_DOMAIN_NAME,
    CONF_NB_ROUTER_ID,
    CONF_NB_HOLD_TIME,
    CONF_NB_RATE_LIMIT,
    CONF_NB_LOCAL_ADDRESS,
    CONF_NB_LOCAL_LINK_LOCAL,
    CONF_NB_SOURCE_INTERFACE,
    CONF_NB_LOCAL_AS,
    CONF_NB_PEER_AS,
    CONF_NB_PASSIVE,
    CONF_NB_LISTEN,
    CONF_NB_CONNECT,
    CONF_NB_OUTGOING_TTL,
    CONF_NB_INCOMING_TTL,
    CONF_NB_MD5_PASSWORD,
    CONF_NB_MD5_BASE64,
    CONF_NB_MD5_IP,
    CONF_NB_GROUP_UPDATES,
    CONF_NB_AUTO_FLUSH,
    CONF_NB_ADJ_RIB_OUT,
    CONF_NB_ADJ_RIB_IN,
    CONF_NB_MANUAL_EOR,
    CONF_NB_CAP_ASN4,
    CONF_NB_CAP_EXTENDED_MESSAGE,
    CONF_NB_CAP_MULTI_SESSION,
    CONF_NB_CAP_OPERATIONAL,
    CONF_NB_CAP_ROUTE_REFRESH,
    CONF_NB_CAP_NEXTHOP,
    CONF_NB_CAP_AIGP,
    CONF_NB_CAP_ADD_PATH,
    CONF_NB_CAP_GRACEFUL_RESTART,
    CONF_NB_CAP_LINK_LOCAL_NEXTHOP,
    CONF_NB_CAP_SOFTWARE_VERSION,
    CONF_NB_FAMILY, /* a family block was given */
    CONF_NB_OPT_COUNT
};

#define CONF_NB_HAS(n, opt) (((n)->set >> (opt)) & 1u)

struct conf_addr {
    int af; /* AF_INET, AF_INET6; 0 = not set (auto) */
    uint8_t bytes[16];
    uint8_t plen;     /* prefix length: peer-address ranges; 32/128 for a single address */
    const char *text; /* as written */
};

/* RFC 7911 4: the Send/Receive field. */
enum conf_add_path {
    CONF_ADD_PATH_DISABLED = 0,
    CONF_ADD_PATH_RECEIVE = 1,
    CONF_ADD_PATH_SEND = 2,
    CONF_ADD_PATH_BOTH = 3,
};

struct conf_capability {
    bool asn4;             /* RFC 6793 */
    bool extended_message; /* RFC 8654 */
    bool multi_session;    /* draft-ietf-idr-bgp-multisession: one session per family */
    bool operational;      /* draft-ietf-idr-operational-message */
    bool route_refresh;    /* RFC 2918 / RFC 7313 */
    bool nexthop;          /* RFC 8950 extended next-hop encoding */
    bool aigp;             /* RFC 7311 */
    bool link_local_nexthop;
    bool software_version;
    enum conf_add_path add_path;
    int32_t graceful_restart; /* RFC 4724 restart time in seconds; -1 = not advertised */
};

/* api block switches (SPEC 1.2). Message kinds, one bit each per direction. */
enum conf_api_msg {
    CONF_API_MSG_PARSED,
    CONF_API_MSG_PACKETS,
    CONF_API_MSG_CONSOLIDATE,
    CONF_API_MSG_OPEN,
    CONF_API_MSG_UPDATE,
    CONF_API_MSG_NOTIFICATION,
    CONF_API_MSG_KEEPALIVE,
    CONF_API_MSG_REFRESH,
    CONF_API_MSG_OPERATIONAL,
    CONF_API_MSG_COUNT
};

#define CONF_API_BOUND            (1u << 0) /* the process is listed (may send commands) */
#define CONF_API_NEIGHBOR_CHANGES (1u << 1)
#define CONF_API_NEGOTIATED       (1u << 2)
#define CONF_API_FSM              (1u << 3)
#define CONF_API_SIGNAL           (1u << 4)
#define CONF_API_RECEIVE(msg)     (1u << (5 + (msg)))
#define CONF_API_SEND(msg)        (1u << (5 + CONF_API_MSG_COUNT + (msg)))

struct conf_api {
    const char *name; /* `api NAME {`, or NULL */
    struct conf_word at;
    struct conf_word *processes;
    size_t nprocesses;
    uint32_t flags; /* CONF_API_* without CONF_API_BOUND */
};

enum conf_route_kind {
    CONF_ROUTE_STATIC,      /* static { route <prefix> ...; }  or  route <prefix> { ...; } */
    CONF_ROUTE_ATTRIBUTES,  /* static { attributes ... nlri <prefix>...; } */
    CONF_ROUTE_FLOW,        /* flow { route [NAME] { match {} scope {} then {} } }, flat */
    CONF_ROUTE_VPLS,        /* l2vpn { vpls ...; }  or  vpls NAME { ...; } */
    CONF_ROUTE_ANNOUNCE,    /* announce { ipv4 { unicast ...; } }: family is set */
    CONF_ROUTE_OPERATIONAL, /* operational { asm afi ipv4 safi unicast advisory "..."; } */
};

/*
 * words: what follows the keyword (`route`, `attributes`, `vpls`, the SAFI of an announce), with
 * the statements of a block form joined in source order and the ';' and braces dropped, i.e. the
 * same words as the API command (SPEC 2.4-2.8). For a flow route that is the flat form
 * (`source 10.0.0.1/32 destination ... redirect 65500:12345`).
 */
struct conf_route {
    enum conf_route_kind kind;
    struct conf_word at;              /* the keyword */
    const char *name;                 /* flow route / vpls block name, or NULL */
    const struct conf_family *family; /* CONF_ROUTE_ANNOUNCE only */
    struct conf_word *words;
    size_t nwords;
};

struct conf_neighbor {
    uint64_t set;        /* 1 << enum conf_nb_opt */
    struct conf_word at; /* the `neighbor` keyword of the block */
    const char *name;    /* template name, or the peer address as written */

    struct conf_addr peer_address, local_address, router_id, md5_ip, local_link_local;
    const char *description, *host_name, *domain_name, *md5_password, *source_interface;
    uint32_t local_as, peer_as;
    uint16_t hold_time, listen, connect;
    uint32_t rate_limit;                /* messages per second, 0 = unlimited */
    int16_t outgoing_ttl, incoming_ttl; /* -1 = not set */
    bool passive, md5_base64, group_updates, auto_flush, adj_rib_out, adj_rib_in, manual_eor;

    struct conf_capability capability;
    conf_family_set families;
    /* After conf_neighbor_finish(): the announced families add-path applies to (the add-path
     * block's, or all announced ones; none when the capability is off), and the announced
     * families that may carry the other AFI's next-hop (nexthop block; both AFIs announced). */
    conf_family_set add_path_families;
    conf_family_set nexthop_families;

    struct conf_api *api;
    size_t napi;
    struct conf_route *routes;
    size_t nroutes;
    struct conf_word *inherit; /* template names, resolved at load */
    size_t ninherit;
};

/* Reads a neighbor/template/group block's statements into nb (presence bits set). */
int conf_neighbor_parse(struct conf_arena *arena, const struct conf_node *block,
                        struct conf_neighbor *nb, struct conf_error *err);
/* Parses one statement or sub-block of a neighbor (used for 3.x groups' own options). */
int conf_neighbor_parse_item(struct conf_arena *arena, const struct conf_node *item,
                             struct conf_neighbor *nb, struct conf_error *err);
/* The address of `neighbor ADDRESS {` (a prefix for passive ranges: 10.0.0.0/24). */
int conf_neighbor_parse_peer(const struct conf_word *w, struct conf_addr *out,
                             struct conf_error *err);
/* Inheritance: what dst does not set is taken from src; families are joined, api blocks and
 * routes of src come before dst's. */
int conf_neighbor_inherit(struct conf_arena *arena, struct conf_neighbor *dst,
                          const struct conf_neighbor *src, struct conf_error *err);
/* Applies the defaults above and checks the neighbor is complete and consistent. */
int conf_neighbor_finish(struct conf_neighbor *nb, struct conf_error *err);

/* OR of CONF_API_* for the blocks listing `process` (0 when the process is not bound). */
uint32_t conf_neighbor_api_flags(const struct conf_neighbor *nb, const char *process);

/* Same peer (the key for reload): peer address/range and local address. */
bool conf_neighbor_same_peer(const struct conf_neighbor *a, const struct conf_neighbor *b);

/* What differs between two versions of the same peer (bits; 0 = identical). */
#define CONF_CHANGE_SESSION 0x1u /* OPEN/TCP level: the session must be re-established */
#define CONF_CHANGE_ROUTES  0x2u /* static routes: re-sync the Adj-RIB-Out, keep the session */
#define CONF_CHANGE_API     0x4u /* api bindings: update the bridge, keep the session */
#define CONF_CHANGE_OTHER   0x8u /* local behaviour (description, group-updates, ...) */
unsigned conf_neighbor_compare(const struct conf_neighbor *a, const struct conf_neighbor *b);

#endif
