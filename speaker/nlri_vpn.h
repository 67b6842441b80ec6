/*
 * nlri_vpn.h: labeled unicast (RFC 8277) and BGP/MPLS IP VPN (RFC 4364, RFC 4659) NLRI, and
 * their contract forms (bgpbus.v1 LabeledPrefix / VpnPrefix).
 */
#ifndef BGPBUS_SPEAKER_NLRI_VPN_H
#define BGPBUS_SPEAKER_NLRI_VPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpbus/v1/nlri.pb-c.h"
#include "nlri.h"

extern const struct nlri_ops nlri_ops_vpn;

/* AFI 1/2 SAFI 128: the NLRI carries an RD, and so does the next hop (RFC 4364 4.3.2). */
bool nlri_vpn_family(enum bgp_family fam);

/*
 * n as it goes in MP_UNREACH_NLRI: one label field where the announcement had a stack (RFC 8277
 * 2.4), pointing into n's bytes; n itself for a single label and for other families.
 */
struct nlri nlri_vpn_withdrawal(const struct nlri *n);

/* The RD in ExaBGP's text ("65000:1", "192.0.2.1:1"); snprintf-like. */
int nlri_vpn_rd_format(const uint8_t rd[8], char *buf, size_t size);

/*
 * A contract prefix + labels (+ RD when vpn) as a struct nlri whose raw bytes (label stack, RD)
 * are allocated in a. Without labels, the NLRI carries 0x800000 (RFC 8277 2.4). NULL, or why
 * the route cannot be encoded.
 */
const char *nlri_vpn_from_proto(const Bgpbus__V1__Prefix *pf, const Bgpbus__V1__LabelStack *ls,
                                const Bgpbus__V1__RouteDistinguisher *rd, bool vpn, struct arena *a,
                                struct nlri *out);

/* The typed form of an 8-octet RD (pointing into rd); NULL when out of memory. */
Bgpbus__V1__RouteDistinguisher *nlri_vpn_rd_to_proto(struct arena *a, const uint8_t *rd);

/* Fills m (initialised by the caller) with the typed form of n; false when out of memory. */
bool nlri_vpn_to_proto(struct arena *a, const struct nlri *n, Bgpbus__V1__Nlri *m);

#endif
