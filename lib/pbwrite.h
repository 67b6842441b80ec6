/*
 * pbwrite: protobuf-c messages packed in one pass, byte for byte as protobuf_c_message_pack().
 *
 * protobuf-c writes a sub-message's length before its bytes, so it sizes every sub-message
 * before packing it: a message nested d deep is walked d+1 times, and a caller that sizes its
 * buffer first (get_packed_size, then pack) once more. An Event is nested 5 deep (Event, Update,
 * UpdateAnnounce, Nlri, Prefix): protobuf-c's reflection was the speaker's biggest cost per
 * received UPDATE (issue 7). pbwrite writes from the end of the buffer backwards, last field
 * first: a sub-message's length is known once its bytes are written, so each field is visited
 * once. The output is the same (fields in descriptor order, then unknown fields), which the unit
 * test checks against protobuf-c itself.
 */
#ifndef BGPBUS_LIB_PBWRITE_H
#define BGPBUS_LIB_PBWRITE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* A reusable output buffer: the packed bytes end at its end. */
struct pbwrite_buf {
    uint8_t *mem;
    size_t cap;
};

/*
 * Packs m into buf[0..cap), ending at buf + cap. Returns the packed length (the bytes are at
 * buf + cap - length), or SIZE_MAX when they do not fit (buf's content is then undefined).
 */
size_t pbwrite_pack_end(const ProtobufCMessage *m, uint8_t *buf, size_t cap);

/*
 * Packs m into b, growing it as needed. Returns the packed bytes (inside b, valid until the
 * next call) and their length in *len, or NULL when out of memory.
 */
const uint8_t *pbwrite_pack(struct pbwrite_buf *b, const ProtobufCMessage *m, size_t *len);

void pbwrite_buf_free(struct pbwrite_buf *b);

#endif
