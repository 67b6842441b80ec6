/*
 * BGP message framing (RFC 4271 4.1), NOTIFICATION (4.5, RFC 8203/9003 shutdown communication),
 * KEEPALIVE (4.4) and ROUTE-REFRESH (RFC 2918, RFC 7313 subtypes). OPEN lives in cap.h.
 */
#ifndef BGPBUS_SPEAKER_MSG_H
#define BGPBUS_SPEAKER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define BGP_HEADER_LEN  19
#define BGP_MARKER_LEN  16
#define BGP_MSG_MAX     4096  /* RFC 4271 4.1 */
#define BGP_MSG_EXT_MAX 65535 /* RFC 8654 */

enum bgp_msg_type {
    BGP_MSG_OPEN = 1,
    BGP_MSG_UPDATE = 2,
    BGP_MSG_NOTIFICATION = 3,
    BGP_MSG_KEEPALIVE = 4,
    BGP_MSG_ROUTE_REFRESH = 5,
    BGP_MSG_OPERATIONAL = 6, /* draft-ietf-idr-operational-message, as ExaBGP uses it */
};

/* NOTIFICATION error codes and subcodes (RFC 4271 4.5, 6; IANA "BGP Error Subcodes"). */
enum bgp_err_code {
    BGP_ERR_HEADER = 1,
    BGP_ERR_OPEN = 2,
    BGP_ERR_UPDATE = 3,
    BGP_ERR_HOLD = 4,
    BGP_ERR_FSM = 5,
    BGP_ERR_CEASE = 6,
    BGP_ERR_ROUTE_REFRESH = 7, /* RFC 7313 5 */
};

enum {
    BGP_ERR_HEADER_NOT_SYNC = 1,
    BGP_ERR_HEADER_BAD_LENGTH = 2,
    BGP_ERR_HEADER_BAD_TYPE = 3,
};

enum {
    BGP_ERR_OPEN_UNSUP_VERSION = 1,
    BGP_ERR_OPEN_BAD_PEER_AS = 2,
    BGP_ERR_OPEN_BAD_BGP_ID = 3,
    BGP_ERR_OPEN_UNSUP_OPT_PARAM = 4,
    BGP_ERR_OPEN_BAD_HOLD_TIME = 6,
    BGP_ERR_OPEN_UNSUP_CAPABILITY = 7, /* RFC 5492 3 */
};

enum {
    BGP_ERR_UPDATE_MALFORMED_ATTR_LIST = 1,
    BGP_ERR_UPDATE_UNRECOGNIZED_WK_ATTR = 2,
    BGP_ERR_UPDATE_MISSING_WK_ATTR = 3,
    BGP_ERR_UPDATE_ATTR_FLAGS = 4,
    BGP_ERR_UPDATE_ATTR_LENGTH = 5,
    BGP_ERR_UPDATE_INVALID_ORIGIN = 6,
    BGP_ERR_UPDATE_INVALID_NEXT_HOP = 8,
    BGP_ERR_UPDATE_OPTIONAL_ATTR = 9,
    BGP_ERR_UPDATE_INVALID_NETWORK = 10,
    BGP_ERR_UPDATE_MALFORMED_AS_PATH = 11,
};

enum {
    BGP_ERR_CEASE_MAX_PREFIX = 1,
    BGP_ERR_CEASE_ADMIN_SHUTDOWN = 2,
    BGP_ERR_CEASE_PEER_DECONFIGURED = 3,
    BGP_ERR_CEASE_ADMIN_RESET = 4,
    BGP_ERR_CEASE_CONNECTION_REJECTED = 5,
    BGP_ERR_CEASE_OTHER_CONFIG_CHANGE = 6,
    BGP_ERR_CEASE_COLLISION = 7,
    BGP_ERR_CEASE_OUT_OF_RESOURCES = 8,
    BGP_ERR_CEASE_HARD_RESET = 9, /* RFC 8538 */
};

enum { BGP_ERR_ROUTE_REFRESH_BAD_LENGTH = 1 };

/* Largest NOTIFICATION data that fits a 4096-octet message (21 octets of header, code, subcode). */
#define BGP_ERROR_DATA_MAX (BGP_MSG_MAX - 21)

/* A protocol error that resets the session: what to put in the NOTIFICATION. */
struct bgp_error {
    uint8_t code;
    uint8_t subcode;
    uint16_t data_len;
    uint8_t data[BGP_ERROR_DATA_MAX];
    const char *reason; /* static text for logs, never sent */
};

/* Fills err (data truncated to fit a NOTIFICATION); returns -1 for `return bgp_error_set(...)`. */
int bgp_error_set(struct bgp_error *err, uint8_t code, uint8_t subcode, const void *data,
                  size_t len, const char *reason);

struct bgp_header {
    uint16_t length; /* whole message, header included */
    uint8_t type;
};

/*
 * Frames one message at the start of buf (RFC 4271 4.1, 6.1). Returns the message length when a
 * whole message is there, 0 when more bytes are needed, -1 with err set on a header error.
 * max_len is 4096, or 65535 once extended messages are negotiated (RFC 8654 3; OPEN and
 * KEEPALIVE stay within 4096 regardless).
 */
int bgp_header_parse(const uint8_t *buf, size_t len, size_t max_len, struct bgp_header *hdr,
                     struct bgp_error *err);
/* Starts a message; returns the offset of its header to pass to bgp_msg_finish(). */
size_t bgp_msg_begin(struct wire_wr *w, enum bgp_msg_type type);
/* Writes the length; false when the writer overflowed or the message exceeds max_len. */
bool bgp_msg_finish(struct wire_wr *w, size_t start, size_t max_len);

void bgp_keepalive_encode(struct wire_wr *w);

struct bgp_notification {
    uint8_t code;
    uint8_t subcode;
    const uint8_t *data; /* points into the message */
    size_t data_len;
    /* RFC 9003 2: Administrative Shutdown/Reset may carry a UTF-8 message of up to 255 octets. */
    bool has_shutdown_msg;
    char shutdown_msg[256];
};

/* body/len: the message without its 19-octet header. */
int bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_notification *out);
void bgp_notification_encode(struct wire_wr *w, uint8_t code, uint8_t subcode, const void *data,
                             size_t len);
void bgp_notification_encode_error(struct wire_wr *w, const struct bgp_error *err);
/* Cease with the RFC 9003 shutdown communication (truncated at 255 octets on a UTF-8 boundary). */
void bgp_notification_encode_shutdown(struct wire_wr *w, uint8_t subcode, const char *msg);
const char *bgp_error_name(uint8_t code, uint8_t subcode);

/* RFC 7313 3: Message Subtype in the formerly reserved octet. */
enum bgp_refresh_subtype {
    BGP_REFRESH_NORMAL = 0,
    BGP_REFRESH_BORR = 1,
    BGP_REFRESH_EORR = 2,
};

struct bgp_route_refresh {
    uint16_t afi;
    uint8_t subtype;
    uint8_t safi;
};

/* Returns 0, or -1 with err set (RFC 7313 5: bad length is error 7/1 with the whole message). */
int bgp_refresh_decode(const uint8_t *msg, size_t len, struct bgp_route_refresh *out,
                       struct bgp_error *err);
void bgp_refresh_encode(struct wire_wr *w, uint16_t afi, uint8_t safi, uint8_t subtype);

#endif
