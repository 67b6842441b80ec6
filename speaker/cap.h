/*
 * OPEN message (RFC 4271 4.2, RFC 9072 extended parameters), capabilities (RFC 5492) and the
 * negotiation of a session's capabilities from both OPENs.
 */
#ifndef BGPBUS_SPEAKER_CAP_H
#define BGPBUS_SPEAKER_CAP_H

#include <stdbool.h>
#include <stdint.h>

#include "msg.h"
#include "nlri.h"
#include "wire.h"

/* IANA "Capability Codes". */
enum bgp_cap_code {
    BGP_CAP_MP = 1,                  /* RFC 4760 */
    BGP_CAP_ROUTE_REFRESH = 2,       /* RFC 2918 */
    BGP_CAP_EXT_NEXTHOP = 5,         /* RFC 8950 */
    BGP_CAP_EXT_MESSAGE = 6,         /* RFC 8654 */
    BGP_CAP_GRACEFUL_RESTART = 64,   /* RFC 4724 */
    BGP_CAP_AS4 = 65,                /* RFC 6793 */
    BGP_CAP_MULTISESSION = 68,       /* draft-ietf-idr-bgp-multisession, as ExaBGP sends it */
    BGP_CAP_ADD_PATH = 69,           /* RFC 7911 */
    BGP_CAP_ENHANCED_RR = 70,        /* RFC 7313 */
    BGP_CAP_FQDN = 73,               /* draft-walton-bgp-hostname-capability */
    BGP_CAP_SOFTWARE_VERSION = 75,   /* draft-abraitis-bgp-version-capability */
    BGP_CAP_ROUTE_REFRESH_OLD = 128, /* pre-RFC 2918 (Cisco) */
    BGP_CAP_MULTISESSION_OLD = 131,  /* pre-standard (Cisco) */
    BGP_CAP_OPERATIONAL = 185,       /* ExaBGP's draft-ietf-idr-operational-message */
};

#define BGP_AS_TRANS         23456 /* RFC 6793 9 */
#define BGP_VERSION          4
#define BGP_CAPS_RAW_MAX     16
#define BGP_GR_FLAG_RESTART  0x8 /* RFC 4724 3: R bit of the Restart Flags */
#define BGP_GR_FLAG_NOTIFY   0x4 /* RFC 8538 2: N bit */
#define BGP_GR_AF_FORWARDING 0x80

/* A capability kept byte for byte: unknown codes, and MP/ADD-PATH/GR rows for unknown families. */
struct bgp_cap_raw {
    uint8_t code;
    uint8_t len;
    uint8_t data[255];
};

struct bgp_caps {
    bgp_famset mp; /* RFC 4760 families advertised */
    bool has_mp;   /* at least one MP capability (none means IPv4 unicast only) */
    bool route_refresh;
    bool route_refresh_old;
    bool enhanced_rr;
    bool ext_message;
    bool has_asn4;
    uint32_t asn4;
    /* RFC 7911 4: per family, what the sender of these capabilities offers. */
    bgp_famset addpath_send;
    bgp_famset addpath_recv;
    /* RFC 8950 3: NLRI families the sender accepts with an IPv6 next hop. */
    bgp_famset ext_nexthop_v6;
    /* RFC 4724 3. */
    bool has_gr;
    uint8_t gr_flags;   /* BGP_GR_FLAG_* */
    uint16_t gr_time;   /* seconds, 12 bits */
    bgp_famset gr_fams; /* families listed */
    bgp_famset gr_forwarding;
    bool has_fqdn;
    char hostname[256];
    char domainname[256];
    bool has_software;
    char software[256];
    bool multisession;
    bool operational;
    unsigned raw_count;
    unsigned raw_dropped; /* more than BGP_CAPS_RAW_MAX unknown capabilities */
    struct bgp_cap_raw raw[BGP_CAPS_RAW_MAX];
};

struct bgp_open {
    uint8_t version;
    uint16_t my_as; /* 2-octet field: AS_TRANS when the real AS is in caps.asn4 */
    uint16_t hold_time;
    uint32_t bgp_id; /* host order */
    struct bgp_caps caps;
};

/* Decodes a whole OPEN message (header included). Returns 0, or -1 with the NOTIFICATION in err. */
int bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *out, struct bgp_error *err);
/* Encodes an OPEN; my_as is derived from caps.asn4 (AS_TRANS above 65535) when has_asn4. */
bool bgp_open_encode(struct wire_wr *w, const struct bgp_open *o);

/* Decodes the capabilities in one Capabilities optional parameter (RFC 5492 4). */
int bgp_caps_decode(const uint8_t *buf, size_t len, struct bgp_caps *caps, struct bgp_error *err);
void bgp_caps_encode(struct wire_wr *w, const struct bgp_caps *caps);

/* The peer's AS: the AS4 capability when present (RFC 6793 4.1), the 2-octet field otherwise. */
uint32_t bgp_open_peer_as(const struct bgp_open *o);

/* What we require of a peer's OPEN (RFC 4271 6.2). */
struct bgp_open_policy {
    uint32_t peer_as;       /* expected peer AS, 0 for any */
    uint32_t local_as;      /* to tell iBGP from eBGP */
    uint32_t local_id;      /* our BGP Identifier, host order */
    uint16_t min_hold_time; /* 0: only RFC 4271's rule (0 or >= 3) */
    bgp_famset required_mp; /* families the session cannot run without */
    bool require_asn4;
};

/* RFC 4271 6.2 / RFC 5492 3 / RFC 6793: returns 0, or -1 with the NOTIFICATION to send. */
int bgp_open_validate(const struct bgp_open *o, const struct bgp_open_policy *p,
                      struct bgp_error *err);

/* What a session runs with, from our OPEN and the peer's. */
struct bgp_negotiated {
    uint32_t peer_as;
    uint32_t peer_id;
    bgp_famset families;
    bool asn4;
    bgp_famset addpath_send;     /* we send path ids (RFC 7911 4) */
    bgp_famset addpath_recv;     /* the peer sends path ids */
    bool ext_message;            /* RFC 8654 */
    size_t max_msg_len;          /* 4096 or 65535 */
    uint16_t hold_time;          /* RFC 4271 4.2: the smaller of both, 0 when either is 0 */
    bool route_refresh;          /* the peer accepts ROUTE-REFRESH */
    bool enhanced_rr;            /* RFC 7313: both advertised it */
    bgp_famset ext_nexthop_send; /* we may use IPv6 next hops for these NLRI families */
    bgp_famset ext_nexthop_recv; /* the peer may */
    bool gr;                     /* the peer advertised graceful restart */
    bool gr_peer_restarting;     /* R bit: the peer has restarted */
    uint16_t gr_peer_time;
    bgp_famset gr_peer_forwarding; /* families whose forwarding state the peer kept */
    bgp_famset gr_families;        /* listed by both: End-of-RIB is expected/sent for these */
    bool multisession;
    bool operational;
};

void bgp_caps_negotiate(const struct bgp_open *ours, const struct bgp_open *theirs,
                        struct bgp_negotiated *out);

#endif
