/* OPEN (RFC 4271 4.2) with RFC 9072 extended optional parameters, and its validation (6.2). */
#include "cap.h"

#include <string.h>

#define BGP_OPT_PARAM_CAPABILITIES 2   /* RFC 5492 4 */
#define BGP_OPT_PARAM_EXTENDED     255 /* RFC 9072 2 */

int
bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *out, struct bgp_error *err)
{
    struct wire_rd r, params;
    uint8_t opt_len, first_type;
    bool extended = false;

    memset(out, 0, sizeof(*out));
    if (len < BGP_HEADER_LEN)
        return bgp_error_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, NULL, 0,
                             "OPEN shorter than a header");
    wire_rd_init(&r, msg + BGP_HEADER_LEN, len - BGP_HEADER_LEN);
    if (!wire_get_u8(&r, &out->version) || !wire_get_u16(&r, &out->my_as) ||
        !wire_get_u16(&r, &out->hold_time) || !wire_get_u32(&r, &out->bgp_id) ||
        !wire_get_u8(&r, &opt_len)) {
        uint8_t be[2];

        wire_store_u16(be, (uint16_t)(len > UINT16_MAX ? UINT16_MAX : len));
        return bgp_error_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, be, 2,
                             "OPEN too short");
    }
    /* RFC 4271 6.2: the version is checked before anything else can be understood. */
    if (out->version != BGP_VERSION) {
        uint8_t v[2] = { 0, BGP_VERSION };

        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUP_VERSION, v, 2,
                             "unsupported BGP version");
    }
    /* RFC 9072 2: Non-Ext OP Type 255 announces 2-octet parameter lengths. */
    if (opt_len != 0 && wire_rd_left(&r) >= 1 && r.p[0] == BGP_OPT_PARAM_EXTENDED) {
        uint16_t ext_len;

        (void)wire_get_u8(&r, &first_type);
        if (!wire_get_u16(&r, &ext_len) || !wire_get_sub(&r, ext_len, &params))
            return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0,
                                 "extended optional parameters overrun the OPEN");
        extended = true;
    } else if (!wire_get_sub(&r, opt_len, &params)) {
        return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0, "optional parameters overrun the OPEN");
    }
    if (wire_rd_left(&r) != 0)
        return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0, "data after the optional parameters");

    while (wire_rd_left(&params) > 0) {
        uint8_t type, l8;
        uint16_t plen;
        const uint8_t *val;

        if (!wire_get_u8(&params, &type))
            return -1; /* not reached: left > 0 */
        if (extended) {
            if (!wire_get_u16(&params, &plen))
                return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0, "truncated parameter");
        } else {
            if (!wire_get_u8(&params, &l8))
                return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0, "truncated parameter");
            plen = l8;
        }
        if (!wire_get_ref(&params, plen, &val))
            return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0, "parameter overruns the OPEN");
        if (type != BGP_OPT_PARAM_CAPABILITIES)
            /* RFC 4271 6.2; authentication (type 1) is deprecated by RFC 5492. */
            return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUP_OPT_PARAM, NULL, 0,
                                 "unsupported optional parameter");
        if (bgp_caps_decode(val, plen, &out->caps, err) < 0)
            return -1;
    }
    return 0;
}

bool
bgp_open_encode(struct wire_wr *w, const struct bgp_open *o)
{
    size_t start = bgp_msg_begin(w, BGP_MSG_OPEN);
    size_t caps_len;
    uint16_t my_as = o->my_as;
    struct wire_wr caps;

    if (o->caps.has_asn4)
        my_as = o->caps.asn4 > UINT16_MAX ? BGP_AS_TRANS : (uint16_t)o->caps.asn4;
    wire_put_u8(w, BGP_VERSION);
    wire_put_u16(w, my_as);
    wire_put_u16(w, o->hold_time);
    wire_put_u32(w, o->bgp_id);

    /* Capabilities go into one parameter; past 255 octets it takes RFC 9072's form. */
    wire_wr_init_dyn(&caps, 256);
    bgp_caps_encode(&caps, &o->caps);
    if (!wire_wr_ok(&caps)) {
        wire_wr_free(&caps);
        w->overflow = true;
        return false;
    }
    caps_len = caps.len;
    if (caps_len == 0) {
        wire_put_u8(w, 0);
    } else if (caps_len + 2 <= 255) {
        wire_put_u8(w, (uint8_t)(caps_len + 2));
        wire_put_u8(w, BGP_OPT_PARAM_CAPABILITIES);
        wire_put_u8(w, (uint8_t)caps_len);
        wire_put_bytes(w, caps.buf, caps_len);
    } else {
        /* RFC 9072 2: Non-Ext OP Len 255, Non-Ext OP Type 255, 2-octet lengths. */
        wire_put_u8(w, 255);
        wire_put_u8(w, BGP_OPT_PARAM_EXTENDED);
        wire_put_u16(w, (uint16_t)(caps_len + 3));
        wire_put_u8(w, BGP_OPT_PARAM_CAPABILITIES);
        wire_put_u16(w, (uint16_t)caps_len);
        wire_put_bytes(w, caps.buf, caps_len);
    }
    wire_wr_free(&caps);
    return bgp_msg_finish(w, start, BGP_MSG_MAX);
}

static void
bgp_open_missing_family(struct wire_wr *w, enum bgp_family f)
{
    wire_put_u8(w, BGP_CAP_MP);
    wire_put_u8(w, 4);
    wire_put_u16(w, bgp_family_afi(f));
    wire_put_u8(w, 0);
    wire_put_u8(w, bgp_family_safi(f));
}

int
bgp_open_validate(const struct bgp_open *o, const struct bgp_open_policy *p, struct bgp_error *err)
{
    uint32_t peer_as = bgp_open_peer_as(o);
    bgp_famset peer_fams;

    if (o->version != BGP_VERSION) {
        uint8_t v[2] = { 0, BGP_VERSION };

        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUP_VERSION, v, 2,
                             "unsupported BGP version");
    }
    /* RFC 7607 2: AS 0 is never acceptable; RFC 4271 6.2: nor an AS other than configured. */
    if (peer_as == 0 || (p->peer_as != 0 && peer_as != p->peer_as))
        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS, NULL, 0, "bad peer AS");
    /* RFC 6793 4.1: a 4-octet capable speaker with a 2-octet AS puts that AS in My AS. */
    if (o->caps.has_asn4 && o->caps.asn4 <= UINT16_MAX && o->my_as != o->caps.asn4)
        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS, NULL, 0,
                             "My AS differs from the AS4 capability");
    /* RFC 6286 2.2: nonzero, and unique within the AS (an iBGP peer may not reuse ours). */
    if (o->bgp_id == 0 || (peer_as == p->local_as && o->bgp_id == p->local_id))
        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_BGP_ID, NULL, 0,
                             "bad BGP identifier");
    /* RFC 4271 6.2: zero, or at least three seconds. */
    if ((o->hold_time > 0 && o->hold_time < 3) ||
        (o->hold_time > 0 && p->min_hold_time > 0 && o->hold_time < p->min_hold_time))
        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_HOLD_TIME, NULL, 0,
                             "unacceptable hold time");

    /* RFC 5492 3: data lists the capabilities we needed and did not get. */
    peer_fams = o->caps.has_mp ? o->caps.mp : BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
    if ((p->required_mp & ~peer_fams) != 0 || (p->require_asn4 && !o->caps.has_asn4)) {
        uint8_t buf[BGP_FAM_COUNT * 6 + 6];
        struct wire_wr w;

        wire_wr_init_fixed(&w, buf, sizeof(buf));
        for (int f = 0; f < BGP_FAM_COUNT; f++)
            if (bgp_famset_has(p->required_mp & ~peer_fams, f))
                bgp_open_missing_family(&w, f);
        if (p->require_asn4 && !o->caps.has_asn4) {
            wire_put_u8(&w, BGP_CAP_AS4);
            wire_put_u8(&w, 4);
            wire_put_u32(&w, p->local_as);
        }
        return bgp_error_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUP_CAPABILITY, buf, w.len,
                             "required capability missing");
    }
    return 0;
}
