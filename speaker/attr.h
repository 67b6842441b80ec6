/*
 * Path attributes: the table-driven codec (one row per type code, attr.c) between the wire
 * and the contract's Bgpbus__V1__Attributes.
 *
 * Decoded values are allocated from the caller's arena and may point into the message being
 * decoded: keep the message alive as long as the arena allocation is in use.
 */
#ifndef BGPBUS_SPEAKER_ATTR_H
#define BGPBUS_SPEAKER_ATTR_H

#include <stdbool.h>
#include <stdint.h>

#include "bgpbus/v1/attributes.pb-c.h"

#include "arena.h"
#include "msg.h"
#include "nlri.h"
#include "wire.h"

/* Attribute flags (RFC 4271 4.3). */
#define ATTR_F_OPTIONAL   0x80
#define ATTR_F_TRANSITIVE 0x40
#define ATTR_F_PARTIAL    0x20
#define ATTR_F_EXTLEN     0x10

/* IANA "BGP Path Attributes". */
enum attr_type {
    ATTR_ORIGIN = 1,
    ATTR_AS_PATH = 2,
    ATTR_NEXT_HOP = 3,
    ATTR_MED = 4,
    ATTR_LOCAL_PREF = 5,
    ATTR_ATOMIC_AGGREGATE = 6,
    ATTR_AGGREGATOR = 7,
    ATTR_COMMUNITIES = 8,
    ATTR_ORIGINATOR_ID = 9,
    ATTR_CLUSTER_LIST = 10,
    ATTR_MP_REACH_NLRI = 14,
    ATTR_MP_UNREACH_NLRI = 15,
    ATTR_EXT_COMMUNITIES = 16,
    ATTR_AS4_PATH = 17,
    ATTR_AS4_AGGREGATOR = 18,
    ATTR_PMSI_TUNNEL = 22,
    ATTR_IPV6_EXT_COMMUNITIES = 25,
    ATTR_AIGP = 26,
    ATTR_LARGE_COMMUNITIES = 32,
};

/* RFC 7606 2: what a malformed attribute does to the UPDATE carrying it. */
enum attr_action {
    ACT_NONE = 0,
    ACT_DISCARD,  /* "attribute discard": drop it, keep the route */
    ACT_WITHDRAW, /* "treat-as-withdraw": the UPDATE's routes are withdrawn */
    ACT_RESET,    /* "session reset": NOTIFICATION, the session goes down */
};

/* What the codec needs to know about the session (from struct bgp_negotiated and config). */
struct bgp_session_codec {
    bool asn4;               /* RFC 6793: 4-octet AS numbers in AS_PATH/AGGREGATOR */
    bool ibgp;               /* peer AS == local AS */
    bool confed;             /* the peer is in our confederation (RFC 5065) */
    bool check_first_as;     /* RFC 4271 6.3: eBGP AS_PATH must start with the peer AS */
    bool aigp;               /* accept AIGP from this eBGP peer (RFC 7311 3.1) */
    bool keep_unknown_flags; /* send unknown attributes' flags exactly (no partial bit) */
    uint32_t peer_as;
    uint32_t local_as;
    bgp_famset addpath_recv;     /* the peer sends path ids for these families */
    bgp_famset addpath_send;     /* we send path ids */
    bgp_famset ext_nexthop_recv; /* IPv4 NLRI may come with IPv6 next hops (RFC 8950) */
    bgp_famset ext_nexthop_send;
    size_t max_msg_len; /* 4096 or 65535 (RFC 8654) */
    /* MRT TABLE_DUMP_V2 RIB entries (RFC 6396 4.3.4): MP_REACH_NLRI holds only the next hop
     * length and next hop, for the family of the record. */
    bool mrt_rib;
    enum bgp_family mrt_family;
};

/* Our own addresses on the session, for "next-hop self" (Bgpbus__V1__NextHop.self). */
struct nexthop_ctx {
    bool has_v4;
    uint8_t v4[4];
    bool has_v6;
    uint8_t v6[16];
    bool has_v6_ll;
    uint8_t v6_ll[16];
};

/* One MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 3, 4). */
struct update_mp {
    bool present;
    uint16_t afi;
    uint8_t safi;
    enum bgp_family fam; /* BGP_FAM_NONE for a family we do not know */
    /* MP_REACH only: the next hop field as on the wire, and its decoded form. */
    const uint8_t *nh_raw;
    uint8_t nh_len;
    Bgpbus__V1__NextHop *nexthop; /* NULL when the family's next hop is not an address */
    struct nlri *nlri;
    size_t nlri_count;
};

#define UPDATE_DISCARD_MAX 16

struct update_discard {
    uint8_t type;
    const char *reason; /* static */
};

struct update_decoded {
    struct nlri *withdrawn; /* IPv4 unicast withdrawn routes field */
    size_t withdrawn_count;
    Bgpbus__V1__Attributes *attrs; /* never NULL after a successful decode */
    bool has_attrs;                /* the path attributes field was not empty */
    struct nlri *nlri;             /* IPv4 unicast NLRI field */
    size_t nlri_count;
    struct update_mp mp_reach;
    struct update_mp mp_unreach;
    /* RFC 4724 2: End-of-RIB marker. */
    bool eor;
    uint16_t eor_afi;
    uint8_t eor_safi;
    /* RFC 7606 2: every route in this UPDATE is to be handled as withdrawn. */
    bool treat_as_withdraw;
    uint8_t withdraw_attr; /* the attribute that caused it (0 for list/NLRI problems) */
    const char *withdraw_reason;
    /* RFC 7606 2 "attribute discard": what was dropped, for the event. */
    unsigned discarded_count;
    struct update_discard discarded[UPDATE_DISCARD_MAX];
    /* RFC 6793 4.2.3: AS4_PATH/AS4_AGGREGATOR were merged into as_path/aggregator. */
    bool as4_merged;
    unsigned attr_count; /* attributes in the field, repeated ones included */
};

/*
 * Decodes a path attributes field into out->attrs (and out->mp_reach/mp_unreach).
 * Returns 0 (out->treat_as_withdraw and out->discarded tell what RFC 7606 did), or -1 when
 * the session must be reset, with the NOTIFICATION in err.
 */
int attrs_decode(const uint8_t *buf, size_t len, const struct bgp_session_codec *ctx,
                 struct arena *a, struct update_decoded *out, struct bgp_error *err);

/*
 * Encodes the path attributes (without MP_REACH/MP_UNREACH, which update_build adds) in
 * ascending type order; AS_PATH/AGGREGATOR with AS_TRANS plus AS4_PATH/AS4_AGGREGATOR
 * towards a 2-octet peer; NEXT_HOP only when ipv4_nexthop is set (IPv4 NLRI in the classic
 * field). Returns 0, or -1 when the attributes cannot be encoded (why: static text).
 */
int attrs_encode(const Bgpbus__V1__Attributes *attrs, const struct bgp_session_codec *ctx,
                 const struct nexthop_ctx *self, bool ipv4_nexthop, struct wire_wr *w,
                 const char **why);

/* The next hop bytes to put on the wire for a family (RFC 4760 3, RFC 2545 3, RFC 8950 3).
 * Returns the length written to out (0..32), or -1 when there is no usable next hop. */
int attr_nexthop_bytes(const Bgpbus__V1__NextHop *nh, enum bgp_family fam,
                       const struct bgp_session_codec *ctx, const struct nexthop_ctx *self,
                       uint8_t out[32]);

/* A session context with the permissive settings of an MRT dump reader. */
void bgp_session_codec_init(struct bgp_session_codec *ctx);

/* The row describing an attribute type, for names in logs and events. */
const char *attr_name(uint8_t type);

/* Internal, shared by the attr_*.c hooks. */
struct attr_dec {
    const struct bgp_session_codec *ctx;
    struct arena *a;
    struct update_decoded *out;
    Bgpbus__V1__Attributes *attrs;
    uint8_t flags;
    /* Set by a hook to override the row's RFC 7606 action, with a reason. */
    enum attr_action action;
    const char *reason;
    /* AS4_PATH / AS4_AGGREGATOR as received, merged after the loop (RFC 6793 4.2.3). */
    Bgpbus__V1__AsPath *as4_path;
    Bgpbus__V1__Aggregator *as4_aggregator;
    struct bgp_error *err;
    bool err_set; /* a hook filled err itself */
};

typedef bool (*attr_decode_fn)(struct attr_dec *d, const uint8_t *val, size_t len);
typedef int (*attr_encode_fn)(const Bgpbus__V1__Attributes *attrs,
                              const struct bgp_session_codec *ctx, const struct nexthop_ctx *self,
                              bool ipv4_nexthop, struct wire_wr *w, const char **why);

/* Writes an attribute header; returns the offset to give attr_end(). */
size_t attr_begin(struct wire_wr *w, uint8_t flags, uint8_t type);
/* Fixes the length, using the extended length form only when the value exceeds 255. */
void attr_end(struct wire_wr *w, size_t start);

/* Hooks (attr_basic.c, attr_aspath.c, attr_community.c, attr_mp.c). */
bool attr_origin_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_nexthop_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_med_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_local_pref_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_atomic_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_aggregator_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_originator_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_cluster_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_as4_aggregator_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_aigp_decode(struct attr_dec *d, const uint8_t *val, size_t len);
int attr_origin_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                       const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_nexthop_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                        const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_med_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                    const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_local_pref_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                           const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_atomic_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                       const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_aggregator_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                           const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_originator_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                           const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_cluster_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                        const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_as4_aggregator_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                               const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_aigp_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                     const struct nexthop_ctx *, bool, struct wire_wr *, const char **);

bool attr_aspath_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_as4path_decode(struct attr_dec *d, const uint8_t *val, size_t len);
int attr_aspath_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                       const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_as4path_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                        const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
/* RFC 6793 4.2.3, after all attributes were read. */
void attr_as4_merge(struct attr_dec *d);

bool attr_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_ext_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_ipv6_ext_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_large_communities_decode(struct attr_dec *d, const uint8_t *val, size_t len);
int attr_communities_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                            const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_ext_communities_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                                const struct nexthop_ctx *, bool, struct wire_wr *, const char **);
int attr_ipv6_ext_communities_encode(const Bgpbus__V1__Attributes *,
                                     const struct bgp_session_codec *, const struct nexthop_ctx *,
                                     bool, struct wire_wr *, const char **);
int attr_large_communities_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                                  const struct nexthop_ctx *, bool, struct wire_wr *,
                                  const char **);

bool attr_pmsi_decode(struct attr_dec *d, const uint8_t *val, size_t len);
int attr_pmsi_encode(const Bgpbus__V1__Attributes *, const struct bgp_session_codec *,
                     const struct nexthop_ctx *, bool, struct wire_wr *, const char **);

bool attr_mp_reach_decode(struct attr_dec *d, const uint8_t *val, size_t len);
bool attr_mp_unreach_decode(struct attr_dec *d, const uint8_t *val, size_t len);

#endif
