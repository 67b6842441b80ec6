#include "conf_family.h"

#include <stddef.h>
#include <strings.h>

/* SAFI values: RFC 4760 (1, 2), RFC 8277 (4), RFC 6514 (5), RFC 4761 (65), RFC 7432 (70),
 * RFC 7752 (71, 72), RFC 9256 draft SR policy (73), draft-mpmz-bess-mup-safi (85),
 * RFC 4364 (128), RFC 4684 (132), RFC 8955 (133, 134). */
const struct conf_family conf_families[CONF_FAMILY_COUNT] = {
    { CONF_FAMILY_IPV4_UNICAST, 1, 1, "ipv4", "unicast", true },
    { CONF_FAMILY_IPV4_MULTICAST, 1, 2, "ipv4", "multicast", true },
    { CONF_FAMILY_IPV4_NLRI_MPLS, 1, 4, "ipv4", "nlri-mpls", true },
    { CONF_FAMILY_IPV4_MPLS_VPN, 1, 128, "ipv4", "mpls-vpn", true },
    { CONF_FAMILY_IPV4_FLOW, 1, 133, "ipv4", "flow", true },
    { CONF_FAMILY_IPV4_FLOW_VPN, 1, 134, "ipv4", "flow-vpn", true },
    { CONF_FAMILY_IPV4_RTC, 1, 132, "ipv4", "rtc", true },
    { CONF_FAMILY_IPV4_MCAST_VPN, 1, 5, "ipv4", "mcast-vpn", false },
    { CONF_FAMILY_IPV4_SR_POLICY, 1, 73, "ipv4", "sr-policy", false },
    { CONF_FAMILY_IPV4_MUP, 1, 85, "ipv4", "mup", false },
    { CONF_FAMILY_IPV6_UNICAST, 2, 1, "ipv6", "unicast", true },
    { CONF_FAMILY_IPV6_MULTICAST, 2, 2, "ipv6", "multicast", true },
    { CONF_FAMILY_IPV6_NLRI_MPLS, 2, 4, "ipv6", "nlri-mpls", true },
    { CONF_FAMILY_IPV6_MPLS_VPN, 2, 128, "ipv6", "mpls-vpn", true },
    { CONF_FAMILY_IPV6_FLOW, 2, 133, "ipv6", "flow", true },
    { CONF_FAMILY_IPV6_FLOW_VPN, 2, 134, "ipv6", "flow-vpn", true },
    { CONF_FAMILY_IPV6_MCAST_VPN, 2, 5, "ipv6", "mcast-vpn", false },
    { CONF_FAMILY_IPV6_SR_POLICY, 2, 73, "ipv6", "sr-policy", false },
    { CONF_FAMILY_IPV6_MUP, 2, 85, "ipv6", "mup", false },
    { CONF_FAMILY_L2VPN_VPLS, 25, 65, "l2vpn", "vpls", true },
    { CONF_FAMILY_L2VPN_EVPN, 25, 70, "l2vpn", "evpn", true },
    { CONF_FAMILY_BGPLS, 16388, 71, "bgp-ls", "bgp-ls", true },
    { CONF_FAMILY_BGPLS_VPN, 16388, 72, "bgp-ls", "bgp-ls-vpn", true },
};

conf_family_set
conf_family_all(void)
{
    conf_family_set set = 0;

    for (size_t i = 0; i < CONF_FAMILY_COUNT; i++)
        if (conf_families[i].in_all)
            set |= 1u << i;
    return set;
}

const struct conf_family *
conf_family_lookup(const char *afi, const char *safi)
{
    if (strcasecmp(safi, "labeled-unicast") == 0)
        safi = "nlri-mpls";
    for (size_t i = 0; i < CONF_FAMILY_COUNT; i++)
        if (strcasecmp(conf_families[i].afi_name, afi) == 0 &&
            strcasecmp(conf_families[i].safi_name, safi) == 0)
            return &conf_families[i];
    return NULL;
}

const struct conf_family *
conf_family_by_code(uint16_t afi, uint8_t safi)
{
    for (size_t i = 0; i < CONF_FAMILY_COUNT; i++)
        if (conf_families[i].afi == afi && conf_families[i].safi == safi)
            return &conf_families[i];
    return NULL;
}
