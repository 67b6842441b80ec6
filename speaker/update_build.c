/* Building UPDATEs: one attribute set, many NLRI, as few messages as the size allows. */
#include "update.h"

#include <string.h>

#include "nlri_vpn.h"

static size_t
update_max_len(const struct bgp_session_codec *ctx)
{
    if (ctx->max_msg_len < BGP_MSG_MAX || ctx->max_msg_len > BGP_MSG_EXT_MAX)
        return BGP_MSG_MAX;
    return ctx->max_msg_len;
}

/* Appends NLRI from *i while the message stays within limit; returns how many went in. */
static size_t
update_fill(struct wire_wr *msg, const struct nlri *nlri, size_t count, size_t *i, bool add_path,
            size_t limit)
{
    size_t n = 0;

    while (*i < count && msg->len + nlri_encoded_len(&nlri[*i], add_path) <= limit) {
        nlri_encode(&nlri[*i], add_path, msg);
        (*i)++;
        n++;
    }
    return n;
}

/*
 * The family whose next-hop rules apply to fam's MP_REACH next hop. An L2VPN route's next hop is
 * the PE's IPv4 or IPv6 address, without RD (RFC 7432 7, RFC 4761 3.2.2): it is read as the
 * unicast family of its own length.
 */
static enum bgp_family
update_nexthop_family(enum bgp_family fam, const Bgpbus__V1__NextHop *nh,
                      const struct nexthop_ctx *self)
{
    if (bgp_family_afi(fam) != BGP_AFI_L2VPN || nh == NULL)
        return fam;
    if (nh->has_use_local_address && nh->use_local_address)
        return self != NULL && !self->has_v4 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
    return nh->has_address && nh->address.len == 16 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
}

int
update_build(enum bgp_family fam, const Bgpbus__V1__Attributes *attrs, const struct nlri *nlri,
             size_t count, const struct bgp_session_codec *ctx, const struct nexthop_ctx *self,
             update_emit_fn emit, void *arg, struct update_build_stats *stats, const char **why)
{
    size_t max = update_max_len(ctx), i = 0;
    bool add_path, classic;
    struct wire_wr blob, msg;
    uint8_t nh[8 + 32];
    int nh_len = 0, rc = 0;

    if (fam < 0 || fam >= BGP_FAM_COUNT) {
        *why = "unknown family";
        return -1;
    }
    add_path = bgp_famset_has(ctx->addpath_send, fam);
    wire_wr_init_dyn(&blob, 256);
    if (attrs != NULL) {
        /* RFC 4364 4.3.2, RFC 4659 3.2.1: a VPN next hop is an RD of zero and the address. */
        size_t rd = nlri_vpn_family(fam) ? 8 : 0;

        memset(nh, 0, rd);
        nh_len = attr_nexthop_bytes(
            attrs->next_hop, update_nexthop_family(fam, attrs->next_hop, self), ctx, self, nh + rd);
        /* A VPN-IPv6 link-local next hop needs its own RD (RFC 4659 3.2.1): the global alone. */
        if (nh_len == 32 && rd != 0)
            nh_len = 16;
        if (nh_len >= 0)
            nh_len += (int)rd;
        if (nh_len < 0) {
            if (bgp_family_table[fam].ops == &nlri_ops_ip ||
                bgp_family_table[fam].ops == &nlri_ops_vpn ||
                bgp_family_afi(fam) == BGP_AFI_L2VPN) {
                *why = "missing or unusable next-hop";
                wire_wr_free(&blob);
                return -1;
            }
            nh_len = 0; /* e.g. FlowSpec: no next hop (RFC 8955 4) */
        }
        classic = fam == BGP_FAM_IPV4_UNICAST && nh_len == 4;
        if (attrs_encode(attrs, ctx, self, classic, &blob, why) < 0) {
            wire_wr_free(&blob);
            return -1;
        }
    } else {
        classic = fam == BGP_FAM_IPV4_UNICAST;
    }

    wire_wr_init_dyn(&msg, max);
    while (i < count && rc == 0) {
        size_t start, off, mp, before = i;

        wire_wr_reset(&msg);
        start = bgp_msg_begin(&msg, BGP_MSG_UPDATE);
        if (classic && attrs == NULL) {
            off = msg.len;
            wire_put_u16(&msg, 0);
            update_fill(&msg, nlri, count, &i, add_path, max - 2);
            wire_patch_u16(&msg, off, (uint16_t)(msg.len - off - 2));
            wire_put_u16(&msg, 0);
        } else if (classic) {
            wire_put_u16(&msg, 0);
            wire_put_u16(&msg, (uint16_t)blob.len);
            wire_put_bytes(&msg, blob.buf, blob.len);
            update_fill(&msg, nlri, count, &i, add_path, max);
        } else {
            size_t tail = attrs != NULL ? blob.len : 0, limit;

            wire_put_u16(&msg, 0);
            off = msg.len;
            wire_put_u16(&msg, 0);
            /* RFC 7606 5.1: MP_REACH_NLRI / MP_UNREACH_NLRI first. */
            mp = attr_begin(&msg, ATTR_F_OPTIONAL,
                            attrs != NULL ? ATTR_MP_REACH_NLRI : ATTR_MP_UNREACH_NLRI);
            wire_put_u16(&msg, bgp_family_afi(fam));
            wire_put_u8(&msg, bgp_family_safi(fam));
            if (attrs != NULL) {
                wire_put_u8(&msg, (uint8_t)nh_len);
                wire_put_bytes(&msg, nh, (size_t)nh_len);
                wire_put_u8(&msg, 0); /* reserved (RFC 4760 3) */
            }
            limit = max - tail;
            if (limit > mp + 4 + UINT16_MAX)
                limit = mp + 4 + UINT16_MAX;
            if (limit > msg.len)
                update_fill(&msg, nlri, count, &i, add_path, limit);
            attr_end(&msg, mp);
            if (attrs != NULL)
                wire_put_bytes(&msg, blob.buf, blob.len);
            wire_patch_u16(&msg, off, (uint16_t)(msg.len - off - 2));
        }
        if (i == before) {
            *why = "attributes and one NLRI do not fit in a message";
            rc = -1;
            break;
        }
        if (!bgp_msg_finish(&msg, start, max)) {
            *why = "message overflow";
            rc = -1;
            break;
        }
        rc = emit(arg, msg.buf, msg.len);
        if (stats != NULL) {
            stats->messages++;
            stats->bytes += msg.len;
        }
    }
    wire_wr_free(&msg);
    wire_wr_free(&blob);
    return rc;
}

void
update_build_eor(uint16_t afi, uint8_t safi, struct wire_wr *w)
{
    size_t start = bgp_msg_begin(w, BGP_MSG_UPDATE);

    wire_put_u16(w, 0);
    if (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST) {
        wire_put_u16(w, 0);
    } else {
        wire_put_u16(w, 6);
        wire_put_u8(w, ATTR_F_OPTIONAL);
        wire_put_u8(w, ATTR_MP_UNREACH_NLRI);
        wire_put_u8(w, 3);
        wire_put_u16(w, afi);
        wire_put_u8(w, safi);
    }
    (void)bgp_msg_finish(w, start, BGP_MSG_MAX);
}

void
bgp_session_codec_from(struct bgp_session_codec *ctx, const struct bgp_negotiated *n,
                       uint32_t local_as, bool confed)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->asn4 = n->asn4;
    ctx->local_as = local_as;
    ctx->peer_as = n->peer_as;
    ctx->ibgp = n->peer_as == local_as;
    ctx->confed = confed;
    ctx->check_first_as = !ctx->ibgp && !confed;
    ctx->addpath_recv = n->addpath_recv;
    ctx->addpath_send = n->addpath_send;
    ctx->ext_nexthop_recv = n->ext_nexthop_recv;
    ctx->ext_nexthop_send = n->ext_nexthop_send;
    ctx->max_msg_len = n->max_msg_len;
    ctx->mrt_family = BGP_FAM_NONE;
}
