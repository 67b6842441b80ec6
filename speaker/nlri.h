/*
 * The NLRI layer: one row per (AFI, SAFI) with its decode/encode/compare/hash/format hooks.
 *
 * A family is added by writing nlri_<family>.c with a struct nlri_ops and naming it in the row
 * of bgp_family_table (nlri.c). A row without ops would be carried as opaque NLRI bytes
 * (negotiated and passed along, never misparsed); every row has its codec now.
 */
#ifndef BGPBUS_SPEAKER_NLRI_H
#define BGPBUS_SPEAKER_NLRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "wire.h"

/* IANA Address Family Numbers and SAFI values (RFC 4760 3). */
#define BGP_AFI_IPV4       1
#define BGP_AFI_IPV6       2
#define BGP_AFI_L2VPN      25
#define BGP_SAFI_UNICAST   1
#define BGP_SAFI_MULTICAST 2
#define BGP_SAFI_LABELED   4
#define BGP_SAFI_VPLS      65
#define BGP_SAFI_EVPN      70
#define BGP_SAFI_VPN       128
#define BGP_SAFI_FLOW      133
#define BGP_SAFI_FLOW_VPN  134

/* Dense index of the families we know, usable in bitsets (1u << fam). */
enum bgp_family {
    BGP_FAM_NONE = -1,
    BGP_FAM_IPV4_UNICAST = 0,
    BGP_FAM_IPV4_MULTICAST,
    BGP_FAM_IPV6_UNICAST,
    BGP_FAM_IPV6_MULTICAST,
    BGP_FAM_IPV4_LABELED,
    BGP_FAM_IPV6_LABELED,
    BGP_FAM_IPV4_VPN,
    BGP_FAM_IPV6_VPN,
    BGP_FAM_IPV4_FLOW,
    BGP_FAM_IPV6_FLOW,
    BGP_FAM_IPV4_FLOW_VPN,
    BGP_FAM_IPV6_FLOW_VPN,
    BGP_FAM_L2VPN_VPLS,
    BGP_FAM_L2VPN_EVPN,
    BGP_FAM_COUNT
};

typedef uint32_t bgp_famset; /* bit (1u << enum bgp_family) */

#define BGP_FAMSET(f) ((bgp_famset)1u << (unsigned)(f))

static inline bool
bgp_famset_has(bgp_famset s, enum bgp_family f)
{
    return f >= 0 && f < BGP_FAM_COUNT && (s & BGP_FAMSET(f)) != 0;
}

/* One decoded NLRI of any family. Prefix families fill addr/len; others keep raw bytes. A family
 * with ops may use raw for its own bytes (the ops interpret them); without ops, raw is opaque. */
struct nlri {
    uint32_t path_id; /* RFC 7911 3; meaningful only when has_path_id */
    uint16_t len;     /* prefix length in bits */
    int8_t fam;       /* enum bgp_family */
    bool has_path_id;
    uint8_t addr[16]; /* network order, bits beyond len are zero */
    const uint8_t *raw;
    uint16_t raw_len;
};

struct nlri_ops {
    /* Reads one NLRI (without path id); false when malformed (RFC 7606 5.3). */
    bool (*decode)(struct wire_rd *r, enum bgp_family fam, struct nlri *out, struct arena *a);
    /* Octets encode writes; NULL: a prefix (length octet + address octets). */
    size_t (*encoded_len)(const struct nlri *n);
    /* Writes one NLRI (without path id). */
    void (*encode)(const struct nlri *n, struct wire_wr *w);
    /* Ordering and identity within the family (path id excluded: the callers decide). */
    int (*compare)(const struct nlri *a, const struct nlri *b);
    uint32_t (*hash)(const struct nlri *n);
    /* snprintf-like: returns the length the text needs. */
    int (*format)(const struct nlri *n, char *buf, size_t size);
};

struct bgp_family_desc {
    uint16_t afi;
    uint8_t safi;
    const char *name;           /* ExaBGP's spelling: "ipv4 unicast" */
    const struct nlri_ops *ops; /* NULL: carried as opaque bytes */
};

extern const struct bgp_family_desc bgp_family_table[BGP_FAM_COUNT];

enum bgp_family bgp_family_from(uint16_t afi, uint8_t safi);
const char *bgp_family_name(enum bgp_family f);
/* Parses "ipv4 unicast" or "ipv4/unicast"; BGP_FAM_NONE when unknown. */
enum bgp_family bgp_family_parse(const char *s);

static inline uint16_t
bgp_family_afi(enum bgp_family f)
{
    return bgp_family_table[f].afi;
}

static inline uint8_t
bgp_family_safi(enum bgp_family f)
{
    return bgp_family_table[f].safi;
}

/* The address length in octets of a family's NLRI addresses and next hops (4 or 16, 0 other). */
unsigned bgp_family_addr_len(enum bgp_family f);

/*
 * Decodes a whole NLRI field (RFC 4271 4.3 / RFC 4760 MP_REACH/UNREACH), each entry preceded by
 * a 4-octet path id when add_path is set (RFC 7911 3). For families without ops, the field is
 * kept as one opaque struct nlri (raw bytes). Returns false when the field is malformed; *out is
 * an arena array of *count entries.
 */
bool nlri_decode_field(const uint8_t *buf, size_t len, enum bgp_family fam, bool add_path,
                       struct arena *a, struct nlri **out, size_t *count);

/* Encoded size of one NLRI, path id included when add_path. */
size_t nlri_encoded_len(const struct nlri *n, bool add_path);
void nlri_encode(const struct nlri *n, bool add_path, struct wire_wr *w);
int nlri_compare(const struct nlri *a, const struct nlri *b); /* family, then path id, then ops */
uint32_t nlri_hash(const struct nlri *n);
int nlri_format(const struct nlri *n, char *buf, size_t size);

/* Builds an IPv4/IPv6 prefix NLRI from text ("192.0.2.0/24"); false when it does not parse. */
bool nlri_prefix_from_string(enum bgp_family fam, const char *text, struct nlri *out);

extern const struct nlri_ops nlri_ops_ip;

#endif
