/* Capabilities (RFC 5492): decoding, encoding, and the negotiation of a session's set. */
#include "cap.h"

#include <string.h>

static void
bgp_caps_keep_raw(struct bgp_caps *caps, uint8_t code, const uint8_t *data, uint8_t len)
{
    struct bgp_cap_raw *raw;

    if (caps->raw_count >= BGP_CAPS_RAW_MAX) {
        caps->raw_dropped++;
        return;
    }
    raw = &caps->raw[caps->raw_count++];
    raw->code = code;
    raw->len = len;
    if (len > 0)
        memcpy(raw->data, data, len);
}

static int
bgp_cap_malformed(struct bgp_error *err, const char *why)
{
    /* RFC 5492 leaves the subcode open: Unspecific, as OpenBGPD and BIRD send. */
    return bgp_error_set(err, BGP_ERR_OPEN, 0, NULL, 0, why);
}

/* Copies a length-prefixed string (FQDN, software version); false when it overruns. */
static bool
bgp_cap_get_string(struct wire_rd *r, char out[256])
{
    uint8_t l;

    if (!wire_get_u8(r, &l) || !wire_get_bytes(r, out, l))
        return false;
    out[l] = '\0';
    return true;
}

/* Decodes one capability value; false when its value does not have the shape its RFC gives. */
static bool
bgp_cap_decode_one(struct bgp_caps *caps, uint8_t code, const uint8_t *val, uint8_t len)
{
    struct wire_rd r;
    uint16_t afi, u16;
    uint8_t safi, u8;
    enum bgp_family fam;

    wire_rd_init(&r, val, len);
    switch (code) {
    case BGP_CAP_MP: /* RFC 4760 8: AFI, reserved, SAFI */
        if (len != 4)
            return false;
        afi = wire_load_u16(val);
        fam = bgp_family_from(afi, val[3]);
        if (fam == BGP_FAM_NONE)
            bgp_caps_keep_raw(caps, code, val, len);
        else
            caps->mp |= BGP_FAMSET(fam);
        caps->has_mp = true;
        return true;
    case BGP_CAP_ROUTE_REFRESH:
    case BGP_CAP_ROUTE_REFRESH_OLD:
        if (len != 0)
            return false;
        if (code == BGP_CAP_ROUTE_REFRESH)
            caps->route_refresh = true;
        else
            caps->route_refresh_old = true;
        return true;
    case BGP_CAP_ENHANCED_RR: /* RFC 7313 3 */
        if (len != 0)
            return false;
        caps->enhanced_rr = true;
        return true;
    case BGP_CAP_EXT_MESSAGE: /* RFC 8654 3 */
        if (len != 0)
            return false;
        caps->ext_message = true;
        return true;
    case BGP_CAP_AS4: /* RFC 6793 3 */
        if (len != 4)
            return false;
        caps->has_asn4 = true;
        caps->asn4 = wire_load_u32(val);
        return true;
    case BGP_CAP_EXT_NEXTHOP: /* RFC 8950 3: (NLRI AFI, NLRI SAFI (2 octets), next hop AFI)* */
        if (len % 6 != 0)
            return false;
        while (wire_rd_left(&r) > 0) {
            uint16_t safi16, nh_afi;

            if (!wire_get_u16(&r, &afi) || !wire_get_u16(&r, &safi16) || !wire_get_u16(&r, &nh_afi))
                return false;
            fam = safi16 <= 255 ? bgp_family_from(afi, (uint8_t)safi16) : BGP_FAM_NONE;
            if (fam != BGP_FAM_NONE && nh_afi == BGP_AFI_IPV6)
                caps->ext_nexthop_v6 |= BGP_FAMSET(fam);
        }
        return true;
    case BGP_CAP_GRACEFUL_RESTART: /* RFC 4724 3 */
        if (len < 2 || (len - 2) % 4 != 0)
            return false;
        if (!wire_get_u16(&r, &u16))
            return false;
        caps->has_gr = true;
        caps->gr_flags = (uint8_t)(u16 >> 12);
        caps->gr_time = u16 & 0x0fff;
        while (wire_rd_left(&r) > 0) {
            if (!wire_get_u16(&r, &afi) || !wire_get_u8(&r, &safi) || !wire_get_u8(&r, &u8))
                return false;
            fam = bgp_family_from(afi, safi);
            if (fam == BGP_FAM_NONE)
                continue;
            caps->gr_fams |= BGP_FAMSET(fam);
            if (u8 & BGP_GR_AF_FORWARDING)
                caps->gr_forwarding |= BGP_FAMSET(fam);
        }
        return true;
    case BGP_CAP_ADD_PATH: /* RFC 7911 4: (AFI, SAFI, Send/Receive)* */
        if (len % 4 != 0)
            return false;
        while (wire_rd_left(&r) > 0) {
            if (!wire_get_u16(&r, &afi) || !wire_get_u8(&r, &safi) || !wire_get_u8(&r, &u8))
                return false;
            fam = bgp_family_from(afi, safi);
            if (fam == BGP_FAM_NONE)
                continue;
            if (u8 & 1)
                caps->addpath_recv |= BGP_FAMSET(fam);
            if (u8 & 2)
                caps->addpath_send |= BGP_FAMSET(fam);
        }
        return true;
    case BGP_CAP_FQDN:
        if (!bgp_cap_get_string(&r, caps->hostname) || !bgp_cap_get_string(&r, caps->domainname))
            return false;
        caps->has_fqdn = true;
        return true;
    case BGP_CAP_SOFTWARE_VERSION:
        if (!bgp_cap_get_string(&r, caps->software))
            return false;
        caps->has_software = true;
        return true;
    case BGP_CAP_MULTISESSION:
    case BGP_CAP_MULTISESSION_OLD:
        caps->multisession = true;
        bgp_caps_keep_raw(caps, code, val, len);
        return true;
    case BGP_CAP_OPERATIONAL: caps->operational = true; return true;
    default:
        /* RFC 5492 5: an unknown capability is ignored; we keep it to report it. */
        bgp_caps_keep_raw(caps, code, val, len);
        return true;
    }
}

int
bgp_caps_decode(const uint8_t *buf, size_t len, struct bgp_caps *caps, struct bgp_error *err)
{
    struct wire_rd r;

    wire_rd_init(&r, buf, len);
    while (wire_rd_left(&r) > 0) {
        uint8_t code, clen;
        const uint8_t *val;

        if (!wire_get_u8(&r, &code) || !wire_get_u8(&r, &clen) || !wire_get_ref(&r, clen, &val))
            return bgp_cap_malformed(err, "capability overruns its parameter");
        if (!bgp_cap_decode_one(caps, code, val, clen)) {
            /* The draft capabilities are informational: keep a malformed one raw instead of
             * refusing the session over it. */
            if (code == BGP_CAP_FQDN || code == BGP_CAP_SOFTWARE_VERSION) {
                bgp_caps_keep_raw(caps, code, val, clen);
                continue;
            }
            return bgp_cap_malformed(err, "malformed capability");
        }
    }
    return 0;
}

static size_t
bgp_cap_begin(struct wire_wr *w, uint8_t code)
{
    size_t off;

    wire_put_u8(w, code);
    off = w->len;
    wire_put_u8(w, 0);
    return off;
}

static void
bgp_cap_end(struct wire_wr *w, size_t off)
{
    size_t l = w->len - off - 1;

    if (l > 255) {
        w->overflow = true;
        return;
    }
    wire_patch_u8(w, off, (uint8_t)l);
}

static void
bgp_cap_put_string(struct wire_wr *w, const char *s)
{
    size_t l = strnlen(s, 255);

    wire_put_u8(w, (uint8_t)l);
    wire_put_bytes(w, s, l);
}

void
bgp_caps_encode(struct wire_wr *w, const struct bgp_caps *caps)
{
    size_t off;

    for (int f = 0; f < BGP_FAM_COUNT; f++) {
        if (!bgp_famset_has(caps->mp, f))
            continue;
        off = bgp_cap_begin(w, BGP_CAP_MP);
        wire_put_u16(w, bgp_family_afi(f));
        wire_put_u8(w, 0);
        wire_put_u8(w, bgp_family_safi(f));
        bgp_cap_end(w, off);
    }
    if (caps->route_refresh) {
        off = bgp_cap_begin(w, BGP_CAP_ROUTE_REFRESH);
        bgp_cap_end(w, off);
    }
    if (caps->route_refresh_old) {
        off = bgp_cap_begin(w, BGP_CAP_ROUTE_REFRESH_OLD);
        bgp_cap_end(w, off);
    }
    if (caps->ext_nexthop_v6 != 0) {
        off = bgp_cap_begin(w, BGP_CAP_EXT_NEXTHOP);
        for (int f = 0; f < BGP_FAM_COUNT; f++) {
            if (!bgp_famset_has(caps->ext_nexthop_v6, f))
                continue;
            wire_put_u16(w, bgp_family_afi(f));
            wire_put_u16(w, bgp_family_safi(f));
            wire_put_u16(w, BGP_AFI_IPV6);
        }
        bgp_cap_end(w, off);
    }
    if (caps->ext_message) {
        off = bgp_cap_begin(w, BGP_CAP_EXT_MESSAGE);
        bgp_cap_end(w, off);
    }
    if (caps->has_gr) {
        off = bgp_cap_begin(w, BGP_CAP_GRACEFUL_RESTART);
        wire_put_u16(w, (uint16_t)((caps->gr_flags & 0xf) << 12 | (caps->gr_time & 0x0fff)));
        for (int f = 0; f < BGP_FAM_COUNT; f++) {
            if (!bgp_famset_has(caps->gr_fams, f))
                continue;
            wire_put_u16(w, bgp_family_afi(f));
            wire_put_u8(w, bgp_family_safi(f));
            wire_put_u8(w, bgp_famset_has(caps->gr_forwarding, f) ? BGP_GR_AF_FORWARDING : 0);
        }
        bgp_cap_end(w, off);
    }
    if (caps->has_asn4) {
        off = bgp_cap_begin(w, BGP_CAP_AS4);
        wire_put_u32(w, caps->asn4);
        bgp_cap_end(w, off);
    }
    if ((caps->addpath_send | caps->addpath_recv) != 0) {
        off = bgp_cap_begin(w, BGP_CAP_ADD_PATH);
        for (int f = 0; f < BGP_FAM_COUNT; f++) {
            uint8_t sr = (uint8_t)((bgp_famset_has(caps->addpath_recv, f) ? 1 : 0) |
                                   (bgp_famset_has(caps->addpath_send, f) ? 2 : 0));

            if (sr == 0)
                continue;
            wire_put_u16(w, bgp_family_afi(f));
            wire_put_u8(w, bgp_family_safi(f));
            wire_put_u8(w, sr);
        }
        bgp_cap_end(w, off);
    }
    if (caps->enhanced_rr) {
        off = bgp_cap_begin(w, BGP_CAP_ENHANCED_RR);
        bgp_cap_end(w, off);
    }
    if (caps->has_fqdn) {
        off = bgp_cap_begin(w, BGP_CAP_FQDN);
        bgp_cap_put_string(w, caps->hostname);
        bgp_cap_put_string(w, caps->domainname);
        bgp_cap_end(w, off);
    }
    if (caps->has_software) {
        off = bgp_cap_begin(w, BGP_CAP_SOFTWARE_VERSION);
        bgp_cap_put_string(w, caps->software);
        bgp_cap_end(w, off);
    }
    if (caps->operational) {
        off = bgp_cap_begin(w, BGP_CAP_OPERATIONAL);
        bgp_cap_end(w, off);
    }
    /* Multi-session carries its value raw (kept from configuration or from a peer). */
    for (unsigned i = 0; i < caps->raw_count; i++) {
        off = bgp_cap_begin(w, caps->raw[i].code);
        wire_put_bytes(w, caps->raw[i].data, caps->raw[i].len);
        bgp_cap_end(w, off);
    }
    if (caps->multisession) {
        bool sent = false;

        for (unsigned i = 0; i < caps->raw_count; i++)
            if (caps->raw[i].code == BGP_CAP_MULTISESSION ||
                caps->raw[i].code == BGP_CAP_MULTISESSION_OLD)
                sent = true;
        if (!sent) {
            off = bgp_cap_begin(w, BGP_CAP_MULTISESSION);
            bgp_cap_end(w, off);
        }
    }
}

uint32_t
bgp_open_peer_as(const struct bgp_open *o)
{
    return o->caps.has_asn4 ? o->caps.asn4 : o->my_as;
}

static bgp_famset
bgp_caps_families(const struct bgp_caps *caps)
{
    /* RFC 4760 8 (and common practice): without any MP capability, IPv4 unicast only. */
    return caps->has_mp ? caps->mp : BGP_FAMSET(BGP_FAM_IPV4_UNICAST);
}

void
bgp_caps_negotiate(const struct bgp_open *ours, const struct bgp_open *theirs,
                   struct bgp_negotiated *out)
{
    const struct bgp_caps *a = &ours->caps, *b = &theirs->caps;

    memset(out, 0, sizeof(*out));
    out->peer_as = bgp_open_peer_as(theirs);
    out->peer_id = theirs->bgp_id;
    out->families = bgp_caps_families(a) & bgp_caps_families(b);
    out->asn4 = a->has_asn4 && b->has_asn4;
    /* RFC 7911 4: send when we offered to send and the peer offered to receive. */
    out->addpath_send = a->addpath_send & b->addpath_recv & out->families;
    out->addpath_recv = a->addpath_recv & b->addpath_send & out->families;
    out->ext_message = a->ext_message && b->ext_message;
    out->max_msg_len = out->ext_message ? BGP_MSG_EXT_MAX : BGP_MSG_MAX;
    /* RFC 4271 4.2: the smaller hold time; zero on either side disables keepalives. */
    if (ours->hold_time == 0 || theirs->hold_time == 0)
        out->hold_time = 0;
    else
        out->hold_time = ours->hold_time < theirs->hold_time ? ours->hold_time : theirs->hold_time;
    out->route_refresh = b->route_refresh || b->route_refresh_old;
    out->enhanced_rr = a->enhanced_rr && b->enhanced_rr;
    /* RFC 8950 4: a next hop of the other AFI may be sent only to a speaker that announced it. */
    out->ext_nexthop_send = b->ext_nexthop_v6 & out->families;
    out->ext_nexthop_recv = a->ext_nexthop_v6 & out->families;
    out->gr = b->has_gr;
    if (b->has_gr) {
        out->gr_peer_restarting = (b->gr_flags & BGP_GR_FLAG_RESTART) != 0;
        out->gr_peer_time = b->gr_time;
        out->gr_peer_forwarding = b->gr_forwarding & out->families;
        out->gr_families = a->has_gr ? (a->gr_fams & b->gr_fams & out->families) : 0;
    }
    out->multisession = a->multisession && b->multisession;
    out->operational = a->operational && b->operational;
}
