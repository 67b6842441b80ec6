/*
 * l2vpn_ecomm.h: the extended communities of the L2VPN families: Layer2 Info (RFC 4761 3.2.4),
 * EVPN MAC Mobility and ESI Label (RFC 7432 7.7, 7.5), EVPN Router's MAC (RFC 9135 8.1).
 */
#ifndef BGPBUS_SPEAKER_L2VPN_ECOMM_H
#define BGPBUS_SPEAKER_L2VPN_ECOMM_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "bgpbus/v1/community.pb-c.h"

/* Writes the 8 octets of e: 1 when written, 0 when e is not one of these (another encoder's),
 * -1 when its values do not fit the wire layout. */
int l2vpn_ecomm_encode(const Bgpbus__V1__ExtendedCommunity *e, uint8_t out[8]);

/* Sets e's typed view when the 8 octets are one of these; false when they are not (or out of
 * memory: the raw form is kept either way). */
bool l2vpn_ecomm_decode(struct arena *a, const uint8_t ec[8], Bgpbus__V1__ExtendedCommunity *e);

#endif
