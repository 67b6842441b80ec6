/*
 * Internal helpers of the ExaBGP renderers (lib/exa_*.c): appending to an exa_buf without a
 * malloc per member, and the pieces shared by the JSON and text encoders (names, addresses,
 * extended community text). Not part of the public API (lib/exa_render.h).
 */
#ifndef BGPBUS_LIB_EXA_INT_H
#define BGPBUS_LIB_EXA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exa_render.h"

/* Makes room for n more bytes (plus the NUL); false (and b->oom set) when it cannot. */
bool exa_buf_reserve(struct exa_buf *b, size_t n);

static inline void
exa_put(struct exa_buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n && !exa_buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void
exa_putc(struct exa_buf *b, char c)
{
    exa_put(b, &c, 1);
}

/* String literals only: the length is known at compile time. */
#define EXA_PUTS(b, lit) exa_put((b), "" lit, sizeof(lit) - 1)

/* Undoes everything appended since start (an event that has no rendering); returns -1. */
int exa_buf_rollback(struct exa_buf *b, size_t start);
void exa_puts(struct exa_buf *b, const char *s);
void exa_put_u64(struct exa_buf *b, uint64_t v);
void exa_put_i64(struct exa_buf *b, int64_t v);
/* Shortest text that reads back as the same double (Python's repr of time.time()). */
void exa_put_double(struct exa_buf *b, double v);
/* "0x" + upper-case hex (ExaBGP's form for raw bytes; "0x" alone when n == 0). */
void exa_put_hex(struct exa_buf *b, const uint8_t *p, size_t n);
/* A JSON string literal, quotes included, with RFC 8259 7 escapes. */
void exa_put_jstr(struct exa_buf *b, const char *s, size_t n);
/* A 4- or 16-octet address in inet_ntop form; anything else as hex (never invalid text). */
void exa_put_ip(struct exa_buf *b, const uint8_t *p, size_t n);
static inline void
exa_put_ipb(struct exa_buf *b, ProtobufCBinaryData d)
{
    exa_put_ip(b, d.data, d.len);
}
/* "<address>/<length>" of a Prefix. */
void exa_put_prefix(struct exa_buf *b, const Bgpbus__V1__Prefix *p);
/* "<afi> <safi>" (sep ' ') or "<afi>/<safi>" (sep '/'), numbers for unknown values. */
void exa_put_family(struct exa_buf *b, uint32_t afi, uint32_t safi, char sep);
void exa_put_family_pb(struct exa_buf *b, const Bgpbus__V1__Family *f, char sep);
/* A Route Distinguisher as ExaBGP prints it: "<asn>:<n>", "<ip>:<n>". */
void exa_put_rd(struct exa_buf *b, const Bgpbus__V1__RouteDistinguisher *rd);
/* ExaBGP 4.2's text of one extended community, from its 8 wire octets (SPEC 3.5.1). */
void exa_put_extcomm_text(struct exa_buf *b, const uint8_t raw[8]);
/* The text of a standard community: well-known names, or "<high>:<low>". */
void exa_put_community_text(struct exa_buf *b, uint32_t c);
/* The peer address of an event, as text ("-" when absent). */
void exa_put_peer_ip(struct exa_buf *b, const Bgpbus__V1__Event *ev);

/* "send" / "receive" (ExaBGP's direction words); NULL for no direction. */
const char *exa_direction_name(const Bgpbus__V1__Event *ev);
/* ExaBGP's word for a ROUTE-REFRESH subtype: "query", "begin" (BoRR), "end" (EoRR). */
const char *exa_refresh_subtype_name(Bgpbus__V1__RouteRefreshSubtype subtype);
/* ExaBGP's name of a BGP message type for the packets forms ("route refresh" for 5). */
const char *exa_message_name(unsigned type);

static inline uint16_t
exa_get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t
exa_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif /* BGPBUS_LIB_EXA_INT_H */
