/*
 * PMSI_TUNNEL (22, RFC 6514 5), optional transitive: the tunnel an EVPN Inclusive Multicast
 * route advertises (RFC 7432 11.2), ingress replication in practice (RFC 8365 9):
 *
 *   flags (1) | tunnel type (1) | MPLS label (3) | tunnel identifier (the rest)
 */
#include "attr.h"

bool
attr_pmsi_decode(struct attr_dec *d, const uint8_t *val, size_t len)
{
    Bgpbus__V1__PmsiTunnel *p = arena_alloc(d->a, sizeof(*p));

    if (p == NULL) {
        d->action = ACT_RESET;
        d->reason = "out of memory";
        return false;
    }
    /* The table's minimum length (5) holds the fixed part; the identifier may be empty
     * (tunnel type 0, "no tunnel information present"). */
    bgpbus__v1__pmsi_tunnel__init(p);
    p->has_flags = p->has_tunnel_type = p->has_label = p->has_tunnel_id = true;
    p->flags = val[0];
    p->tunnel_type = val[1];
    p->label = (uint32_t)val[2] << 16 | (uint32_t)val[3] << 8 | val[4];
    p->tunnel_id.data = (uint8_t *)val + 5;
    p->tunnel_id.len = len - 5;
    d->attrs->pmsi_tunnel = p;
    return true;
}

int
attr_pmsi_encode(const Bgpbus__V1__Attributes *a, const struct bgp_session_codec *ctx,
                 const struct nexthop_ctx *self, bool v4nh, struct wire_wr *w, const char **why)
{
    const Bgpbus__V1__PmsiTunnel *p = a->pmsi_tunnel;
    size_t start;

    (void)ctx;
    (void)self;
    (void)v4nh;
    if (p == NULL)
        return 0;
    if (p->flags > 0xff || p->tunnel_type > 0xff || p->label > 0xffffffu ||
        p->tunnel_id.len > UINT16_MAX - 5) {
        *why = "PMSI_TUNNEL: flags and tunnel type are 8 bits, the label field 24";
        return -1;
    }
    start = attr_begin(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_PMSI_TUNNEL);
    wire_put_u8(w, (uint8_t)p->flags);
    wire_put_u8(w, (uint8_t)p->tunnel_type);
    wire_put_u8(w, (uint8_t)(p->label >> 16));
    wire_put_u16(w, (uint16_t)p->label);
    wire_put_bytes(w, p->tunnel_id.data, p->tunnel_id.len);
    attr_end(w, start);
    return 0;
}
