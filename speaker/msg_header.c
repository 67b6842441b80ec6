/* Message framing, KEEPALIVE and ROUTE-REFRESH. */
#include "msg.h"

#include <string.h>

int
bgp_error_set(struct bgp_error *err, uint8_t code, uint8_t subcode, const void *data, size_t len,
              const char *reason)
{
    if (err == NULL)
        return -1;
    err->code = code;
    err->subcode = subcode;
    if (len > sizeof(err->data))
        len = sizeof(err->data);
    err->data_len = (uint16_t)len;
    if (len > 0)
        memcpy(err->data, data, len);
    err->reason = reason;
    return -1;
}

int
bgp_header_parse(const uint8_t *buf, size_t len, size_t max_len, struct bgp_header *hdr,
                 struct bgp_error *err)
{
    uint16_t mlen;
    uint8_t type, be[2];
    size_t min;

    if (len < BGP_HEADER_LEN)
        return 0;
    /* RFC 4271 6.1: the marker must be all ones. */
    for (size_t i = 0; i < BGP_MARKER_LEN; i++)
        if (buf[i] != 0xff)
            return bgp_error_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_NOT_SYNC, NULL, 0,
                                 "marker is not all ones");
    mlen = wire_load_u16(buf + 16);
    type = buf[18];
    memcpy(be, buf + 16, 2);
    switch (type) {
    case BGP_MSG_OPEN: min = 29; break;
    case BGP_MSG_UPDATE: min = 23; break;
    case BGP_MSG_NOTIFICATION: min = 21; break;
    case BGP_MSG_KEEPALIVE: min = 19; break;
    case BGP_MSG_ROUTE_REFRESH: min = 23; break;
    case BGP_MSG_OPERATIONAL: min = 23; break;
    default:
        return bgp_error_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_TYPE, &type, 1,
                             "unknown message type");
    }
    /* RFC 8654 3: OPEN and KEEPALIVE never exceed 4096 octets, even with extended messages. */
    if ((type == BGP_MSG_OPEN || type == BGP_MSG_KEEPALIVE) && max_len > BGP_MSG_MAX)
        max_len = BGP_MSG_MAX;
    /* RFC 4271 6.1: Bad Message Length carries the erroneous length field. */
    if (mlen < min || mlen > max_len || (type == BGP_MSG_KEEPALIVE && mlen != BGP_HEADER_LEN))
        return bgp_error_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, be, 2,
                             "bad message length");
    if (len < mlen)
        return 0;
    hdr->length = mlen;
    hdr->type = type;
    return mlen;
}

size_t
bgp_msg_begin(struct wire_wr *w, enum bgp_msg_type type)
{
    size_t start = w->len;
    uint8_t *p = wire_wr_reserve(w, BGP_HEADER_LEN);

    if (p != NULL) {
        memset(p, 0xff, BGP_MARKER_LEN);
        p[16] = p[17] = 0;
        p[18] = (uint8_t)type;
    }
    return start;
}

bool
bgp_msg_finish(struct wire_wr *w, size_t start, size_t max_len)
{
    size_t len;

    if (!wire_wr_ok(w) || w->len < start + BGP_HEADER_LEN)
        return false;
    len = w->len - start;
    if (len > max_len || len > BGP_MSG_EXT_MAX)
        return false;
    wire_patch_u16(w, start + 16, (uint16_t)len);
    return true;
}

void
bgp_keepalive_encode(struct wire_wr *w)
{
    size_t start = bgp_msg_begin(w, BGP_MSG_KEEPALIVE);

    (void)bgp_msg_finish(w, start, BGP_MSG_MAX);
}

int
bgp_refresh_decode(const uint8_t *msg, size_t len, struct bgp_route_refresh *out,
                   struct bgp_error *err)
{
    struct wire_rd r;

    /* RFC 7313 5: any length other than 4 octets of body is an Invalid Message Length error,
     * with the complete message as data. */
    if (len != BGP_HEADER_LEN + 4)
        return bgp_error_set(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_ROUTE_REFRESH_BAD_LENGTH, msg, len,
                             "ROUTE-REFRESH length is not 23");
    wire_rd_init(&r, msg + BGP_HEADER_LEN, 4);
    if (!wire_get_u16(&r, &out->afi) || !wire_get_u8(&r, &out->subtype) ||
        !wire_get_u8(&r, &out->safi))
        return -1; /* not reached: the length was checked */
    return 0;
}

void
bgp_refresh_encode(struct wire_wr *w, uint16_t afi, uint8_t safi, uint8_t subtype)
{
    size_t start = bgp_msg_begin(w, BGP_MSG_ROUTE_REFRESH);

    wire_put_u16(w, afi);
    wire_put_u8(w, subtype);
    wire_put_u8(w, safi);
    (void)bgp_msg_finish(w, start, BGP_MSG_MAX);
}
