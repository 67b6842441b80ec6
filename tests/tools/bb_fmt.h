/*
 * bb_fmt: bbclient's one-line text of the VPN, labeled unicast and FlowSpec NLRI and of the
 * extended communities they carry, in the dump format of tests/peers (_lib.sh):
 *   vpn4 10.0.0.0/24 rd=65001:100 label=16 nh=... rt=65001:100
 *   flow4 dst=100.10.0.0/24,proto=6,dport=80 ... action=discard
 */
#ifndef BB_FMT_H
#define BB_FMT_H

#include <stdbool.h>
#include <stdio.h>

#include "bgpbus/v1/attributes.pb-c.h"
#include "bgpbus/v1/nlri.pb-c.h"

/* The dump family name of N ("vpn4", "flow6", "lu4", ...), NULL for unicast/multicast. */
const char *bb_fmt_family(const Bgpbus__V1__Nlri *n);
/* Writes the NLRI text of a VPN, labeled unicast or FlowSpec N; false for other members. */
bool bb_fmt_nlri(FILE *f, const Bgpbus__V1__Nlri *n);
/* Writes " rt=a:b,..." (route targets) and " action=..." (the first FlowSpec action). */
void bb_fmt_ext(FILE *f, const Bgpbus__V1__Attributes *a);

#endif
