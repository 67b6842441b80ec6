/*
 * l2vpn_wire.h: the wire layout of EVPN routes (RFC 7432 7, RFC 9136 3.1) shared by the speaker's
 * codec (speaker/nlri_evpn.c) and the ExaBGP renderers (lib/exa_json_l2vpn.c): one parser of the
 * route value into a view of its fields, one encoder of the contract's EvpnNlri.
 */
#ifndef BGPBUS_LIB_L2VPN_WIRE_H
#define BGPBUS_LIB_L2VPN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpbus/v1/evpn.pb-c.h"

/* Route type (1 octet), length (1 octet), value (at most 255 octets). */
#define L2VPN_EVPN_MAX   257
#define L2VPN_RD_LEN     8
#define L2VPN_ESI_LEN    10
#define L2VPN_MAC_LEN    6
#define L2VPN_LABEL_LEN  3
#define L2VPN_MAX_LABELS 2

/* The fields of one EVPN route of type 1-5; pointers into the parsed value, NULL when the type
 * has no such field. */
struct l2vpn_evpn_view {
    uint8_t type;
    const uint8_t *rd, *esi, *mac, *ip, *gateway, *labels;
    uint32_t etag;
    bool has_etag;
    uint8_t mac_bits;   /* type 2: MAC address length in bits */
    uint8_t ip_len;     /* octets of ip (and gateway): 0, 4 or 16 */
    uint8_t prefix_len; /* type 5: IP prefix length in bits */
    uint8_t nlabels;
};

/*
 * Parses the value of a route of type 1-5 (the octets after type and length). False, with *why,
 * when the type is another one or the value does not have the type's layout (RFC 7606 5.3: the
 * caller treats the NLRI field as malformed).
 */
bool l2vpn_evpn_parse(uint8_t type, const uint8_t *val, size_t len, struct l2vpn_evpn_view *v,
                      const char **why);

/* Writes the route (type, length, value) from the contract; the octets written, or 0 and *why. */
size_t l2vpn_evpn_encode(const Bgpbus__V1__EvpnNlri *e, uint8_t out[L2VPN_EVPN_MAX],
                         const char **why);

/* A Route Distinguisher in its 8 wire octets (RFC 4364 4.2); false and *why when it cannot be. */
bool l2vpn_rd_encode(const Bgpbus__V1__RouteDistinguisher *rd, uint8_t out[L2VPN_RD_LEN],
                     const char **why);

#endif
