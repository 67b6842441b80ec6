/* UPDATE decoding (RFC 4271 4.3 and 6.3, as revised by RFC 7606). */
#include "update.h"

#include <string.h>

static int
update_reset(struct bgp_error *err, uint8_t subcode, const char *why)
{
    return bgp_error_set(err, BGP_ERR_UPDATE, subcode, NULL, 0, why);
}

/* RFC 7606 3(d): a missing well-known mandatory attribute is treat-as-withdraw. */
static void
update_check_mandatory(const struct bgp_session_codec *ctx, struct update_decoded *out)
{
    const Bgpbus__V1__Attributes *a = out->attrs;
    bool reach = out->nlri_count > 0 || (out->mp_reach.present && out->mp_reach.nlri_count > 0);
    const char *why = NULL;
    uint8_t type = 0;

    if (!reach || ctx->mrt_rib)
        return;
    if (!a->has_origin)
        why = "missing ORIGIN", type = ATTR_ORIGIN;
    else if (a->as_path == NULL)
        why = "missing AS_PATH", type = ATTR_AS_PATH;
    /* RFC 4760 7: NEXT_HOP is needed only for NLRI in the classic field. */
    else if (out->nlri_count > 0 && a->next_hop == NULL)
        why = "missing NEXT_HOP", type = ATTR_NEXT_HOP;
    /* RFC 4271 5.1.5: LOCAL_PREF is mandatory on internal sessions. */
    else if (ctx->ibgp && !a->has_local_pref)
        why = "missing LOCAL_PREF", type = ATTR_LOCAL_PREF;
    if (why != NULL && !out->treat_as_withdraw) {
        out->treat_as_withdraw = true;
        out->withdraw_attr = type;
        out->withdraw_reason = why;
    }
}

int
update_decode(const uint8_t *msg, size_t len, const struct bgp_session_codec *ctx, struct arena *a,
              struct update_decoded *out, struct bgp_error *err)
{
    const uint8_t *wdr, *attrs, *nlri;
    uint16_t wlen, alen;
    struct wire_rd r;
    bool v4_addpath = bgp_famset_has(ctx->addpath_recv, BGP_FAM_IPV4_UNICAST);

    memset(out, 0, sizeof(*out));
    out->mp_reach.fam = out->mp_unreach.fam = BGP_FAM_NONE;
    if (len < BGP_HEADER_LEN + 4)
        return update_reset(err, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, "UPDATE too short");
    wire_rd_init(&r, msg + BGP_HEADER_LEN, len - BGP_HEADER_LEN);
    /* RFC 4271 6.3 / RFC 7606 4: lengths inconsistent with the message make the NLRI
     * impossible to find: Malformed Attribute List, session reset. */
    if (!wire_get_u16(&r, &wlen) || !wire_get_ref(&r, wlen, &wdr) || !wire_get_u16(&r, &alen) ||
        !wire_get_ref(&r, alen, &attrs))
        return update_reset(err, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST,
                            "withdrawn or attribute length exceeds the message");
    nlri = r.p;

    /* RFC 7606 5.3: malformed NLRI fields cannot be partly trusted: session reset. */
    if (!nlri_decode_field(wdr, wlen, BGP_FAM_IPV4_UNICAST, v4_addpath, a, &out->withdrawn,
                           &out->withdrawn_count))
        return update_reset(err, BGP_ERR_UPDATE_INVALID_NETWORK,
                            "malformed withdrawn routes field");
    if (attrs_decode(attrs, alen, ctx, a, out, err) < 0)
        return -1;
    if (!nlri_decode_field(nlri, wire_rd_left(&r), BGP_FAM_IPV4_UNICAST, v4_addpath, a, &out->nlri,
                           &out->nlri_count))
        return update_reset(err, BGP_ERR_UPDATE_INVALID_NETWORK, "malformed NLRI field");

    /* RFC 4724 2: End-of-RIB is an UPDATE with nothing in it (IPv4 unicast), or with an
     * empty MP_UNREACH_NLRI and no routes. */
    if (wlen == 0 && out->nlri_count == 0) {
        if (alen == 0) {
            out->eor = true;
            out->eor_afi = BGP_AFI_IPV4;
            out->eor_safi = BGP_SAFI_UNICAST;
        } else if (out->mp_unreach.present && out->mp_unreach.nlri_count == 0 &&
                   !out->mp_reach.present) {
            /* Some speakers add other attributes to the marker (RIS data has them); the
             * empty MP_UNREACH_NLRI alone is what identifies it. */
            out->eor = true;
            out->eor_afi = out->mp_unreach.afi;
            out->eor_safi = out->mp_unreach.safi;
        }
    }
    update_check_mandatory(ctx, out);
    return 0;
}
