/*
 * conf_family: the address families an ExaBGP configuration can name (AFI/SAFI, RFC 4760).
 *
 * One row per family; a set of families is a bitmask over the row indices so that neighbor
 * comparison and inheritance are plain bit operations.
 */
#ifndef BGPBUS_CONF_FAMILY_H
#define BGPBUS_CONF_FAMILY_H

#include <stdbool.h>
#include <stdint.h>

enum conf_family_id {
    CONF_FAMILY_IPV4_UNICAST = 0,
    CONF_FAMILY_IPV4_MULTICAST,
    CONF_FAMILY_IPV4_NLRI_MPLS,
    CONF_FAMILY_IPV4_MPLS_VPN,
    CONF_FAMILY_IPV4_FLOW,
    CONF_FAMILY_IPV4_FLOW_VPN,
    CONF_FAMILY_IPV4_RTC,
    CONF_FAMILY_IPV4_MCAST_VPN,
    CONF_FAMILY_IPV4_SR_POLICY,
    CONF_FAMILY_IPV4_MUP,
    CONF_FAMILY_IPV6_UNICAST,
    CONF_FAMILY_IPV6_MULTICAST,
    CONF_FAMILY_IPV6_NLRI_MPLS,
    CONF_FAMILY_IPV6_MPLS_VPN,
    CONF_FAMILY_IPV6_FLOW,
    CONF_FAMILY_IPV6_FLOW_VPN,
    CONF_FAMILY_IPV6_MCAST_VPN,
    CONF_FAMILY_IPV6_SR_POLICY,
    CONF_FAMILY_IPV6_MUP,
    CONF_FAMILY_L2VPN_VPLS,
    CONF_FAMILY_L2VPN_EVPN,
    CONF_FAMILY_BGPLS,
    CONF_FAMILY_BGPLS_VPN,
    CONF_FAMILY_COUNT
};

typedef uint32_t conf_family_set; /* bit (1u << enum conf_family_id) */

struct conf_family {
    enum conf_family_id id;
    uint16_t afi;                     /* IANA AFI: 1 ipv4, 2 ipv6, 25 l2vpn, 16388 bgp-ls */
    uint8_t safi;                     /* IANA SAFI */
    const char *afi_name, *safi_name; /* ExaBGP's spelling: "ipv4", "mpls-vpn" */
    bool in_all; /* part of "family { all; }" and of the default when no family block is given */
};

extern const struct conf_family conf_families[CONF_FAMILY_COUNT];

/* The families ExaBGP 4.2 announces when a neighbor has no family block (or "all"). */
conf_family_set conf_family_all(void);

/* Row for an ExaBGP "afi safi" pair (case-insensitive, "labeled-unicast" = "nlri-mpls"), or NULL.
 */
const struct conf_family *conf_family_lookup(const char *afi, const char *safi);
/* Row for IANA numbers, or NULL. */
const struct conf_family *conf_family_by_code(uint16_t afi, uint8_t safi);

#endif
