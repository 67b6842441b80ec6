/*
 * UPDATE messages (RFC 4271 4.3, RFC 4760): decoding with RFC 7606 error handling, and
 * building: many NLRI with one attribute set packed into as few messages as fit.
 */
#ifndef BGPBUS_SPEAKER_UPDATE_H
#define BGPBUS_SPEAKER_UPDATE_H

#include "attr.h"
#include "cap.h"

/*
 * Decodes a whole UPDATE message (header included). Returns 0 with *out filled (see
 * struct update_decoded for the RFC 7606 outcome), or -1 when the session must be reset,
 * with the NOTIFICATION in err. Allocations come from the arena; out may point into msg.
 */
int update_decode(const uint8_t *msg, size_t len, const struct bgp_session_codec *ctx,
                  struct arena *a, struct update_decoded *out, struct bgp_error *err);

/* Called with each finished message; a nonzero return stops the build and is returned. */
typedef int (*update_emit_fn)(void *arg, const uint8_t *msg, size_t len);

struct update_build_stats {
    size_t messages;
    size_t bytes;
};

/*
 * Packs count NLRI of one family into UPDATEs of at most ctx->max_msg_len octets and hands
 * each to emit. Announcements (attrs != NULL) carry the attributes once per message:
 * IPv4 unicast with an IPv4 next hop in the classic NLRI field with NEXT_HOP, every other
 * case in MP_REACH_NLRI (placed first, RFC 7606 5.1). Withdrawals (attrs == NULL) go in the
 * withdrawn routes field for IPv4 unicast, in MP_UNREACH_NLRI otherwise. Path ids are sent
 * when ADD-PATH send is negotiated for the family (ctx->addpath_send).
 * Returns 0, the emit callback's nonzero value, or -1 with *why set.
 */
int update_build(enum bgp_family fam, const Bgpbus__V1__Attributes *attrs, const struct nlri *nlri,
                 size_t count, const struct bgp_session_codec *ctx, const struct nexthop_ctx *self,
                 update_emit_fn emit, void *arg, struct update_build_stats *stats,
                 const char **why);

/* Fills a session's codec context from what was negotiated (and what only configuration
 * knows: our AS, and whether the peer is in our confederation). */
void bgp_session_codec_from(struct bgp_session_codec *ctx, const struct bgp_negotiated *n,
                            uint32_t local_as, bool confed);

/* RFC 4724 2: End-of-RIB for a family (an empty UPDATE for IPv4 unicast). */
void update_build_eor(uint16_t afi, uint8_t safi, struct wire_wr *w);

#endif
