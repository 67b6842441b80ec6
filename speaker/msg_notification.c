/* NOTIFICATION (RFC 4271 4.5) with the shutdown communication of RFC 8203 / RFC 9003. */
#include "msg.h"

#include <string.h>

#define BGP_SHUTDOWN_MSG_MAX 255 /* RFC 9003 2 */

static bool
bgp_notification_has_shutdown(uint8_t code, uint8_t subcode)
{
    return code == BGP_ERR_CEASE &&
           (subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN || subcode == BGP_ERR_CEASE_ADMIN_RESET);
}

int
bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_notification *out)
{
    memset(out, 0, sizeof(*out));
    if (len < 2)
        return -1;
    out->code = body[0];
    out->subcode = body[1];
    out->data = body + 2;
    out->data_len = len - 2;
    /* RFC 9003 2: a length octet and that many octets of UTF-8. A length that overruns the
     * data means this is not a shutdown communication (older speakers send other data), which
     * is not an error: the data is still reported raw. */
    if (bgp_notification_has_shutdown(out->code, out->subcode) && out->data_len >= 1) {
        size_t mlen = out->data[0];

        if (mlen + 1 <= out->data_len) {
            memcpy(out->shutdown_msg, out->data + 1, mlen);
            out->shutdown_msg[mlen] = '\0';
            out->has_shutdown_msg = true;
        }
    }
    return 0;
}

void
bgp_notification_encode(struct wire_wr *w, uint8_t code, uint8_t subcode, const void *data,
                        size_t len)
{
    size_t start = bgp_msg_begin(w, BGP_MSG_NOTIFICATION);

    if (len > BGP_ERROR_DATA_MAX)
        len = BGP_ERROR_DATA_MAX;
    wire_put_u8(w, code);
    wire_put_u8(w, subcode);
    wire_put_bytes(w, data, len);
    (void)bgp_msg_finish(w, start, BGP_MSG_MAX);
}

void
bgp_notification_encode_error(struct wire_wr *w, const struct bgp_error *err)
{
    bgp_notification_encode(w, err->code, err->subcode, err->data, err->data_len);
}

void
bgp_notification_encode_shutdown(struct wire_wr *w, uint8_t subcode, const char *msg)
{
    uint8_t data[1 + BGP_SHUTDOWN_MSG_MAX];
    size_t len = msg != NULL ? strlen(msg) : 0;

    if (len > BGP_SHUTDOWN_MSG_MAX) {
        len = BGP_SHUTDOWN_MSG_MAX;
        /* Do not cut a UTF-8 sequence: back off continuation octets (10xxxxxx). */
        while (len > 0 && ((uint8_t)msg[len] & 0xc0) == 0x80)
            len--;
    }
    data[0] = (uint8_t)len;
    if (len > 0)
        memcpy(data + 1, msg, len);
    bgp_notification_encode(w, BGP_ERR_CEASE, subcode, data, 1 + len);
}

const char *
bgp_error_name(uint8_t code, uint8_t subcode)
{
    static const char *const header[] = { "", "Connection Not Synchronized", "Bad Message Length",
                                          "Bad Message Type" };
    static const char *const open[] = { "",
                                        "Unsupported Version Number",
                                        "Bad Peer AS",
                                        "Bad BGP Identifier",
                                        "Unsupported Optional Parameter",
                                        "Authentication Failure",
                                        "Unacceptable Hold Time",
                                        "Unsupported Capability" };
    static const char *const update[] = { "",
                                          "Malformed Attribute List",
                                          "Unrecognized Well-known Attribute",
                                          "Missing Well-known Attribute",
                                          "Attribute Flags Error",
                                          "Attribute Length Error",
                                          "Invalid ORIGIN Attribute",
                                          "AS Routing Loop",
                                          "Invalid NEXT_HOP Attribute",
                                          "Optional Attribute Error",
                                          "Invalid Network Field",
                                          "Malformed AS_PATH" };
    static const char *const cease[] = { "",
                                         "Maximum Number of Prefixes Reached",
                                         "Administrative Shutdown",
                                         "Peer De-configured",
                                         "Administrative Reset",
                                         "Connection Rejected",
                                         "Other Configuration Change",
                                         "Connection Collision Resolution",
                                         "Out of Resources",
                                         "Hard Reset" };
#define PICK(t) (subcode < sizeof(t) / sizeof(t[0]) && subcode > 0 ? t[subcode] : "Unspecific")
    switch (code) {
    case BGP_ERR_HEADER: return PICK(header);
    case BGP_ERR_OPEN: return PICK(open);
    case BGP_ERR_UPDATE: return PICK(update);
    case BGP_ERR_HOLD: return "Hold Timer Expired";
    case BGP_ERR_FSM: return "Finite State Machine Error";
    case BGP_ERR_CEASE: return PICK(cease);
    case BGP_ERR_ROUTE_REFRESH:
        return subcode == BGP_ERR_ROUTE_REFRESH_BAD_LENGTH ? "Invalid Message Length" : "Unknown";
    default: return "Unknown Error";
    }
#undef PICK
}
