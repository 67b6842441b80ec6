/* Internal to the grammar_*.c files: the parse cursor and the value parsers they share. */
#ifndef BGPBUS_LIB_GRAMMAR_INT_H
#define BGPBUS_LIB_GRAMMAR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgpbus/v1/request.pb-c.h"
#include "grammar_route.h"
#include "arena.h"

/* A cursor over the words of one statement. */
struct gr_ctx {
    const char *const *w;
    size_t n, i;
    struct arena *arena;
    struct grammar_error *err;
};

void gr_ctx_init(struct gr_ctx *c, const char *const *words, size_t nwords, struct arena *arena,
                 struct grammar_error *err);

/* Records the error (word index `word`) and returns -1. */
int gr_fail(struct gr_ctx *c, size_t word, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The current word, or NULL at the end. */
static inline const char *
gr_peek(const struct gr_ctx *c)
{
    return c->i < c->n ? c->w[c->i] : NULL;
}

static inline bool
gr_is(const struct gr_ctx *c, const char *word)
{
    const char *p = gr_peek(c);
    return p != NULL && __builtin_strcmp(p, word) == 0;
}

/* Takes the current word; at the end, fails with "missing <what>" and returns NULL. */
const char *gr_take(struct gr_ctx *c, const char *what);
/* Takes `word` or fails with "expected '<word>', got '…'". */
int gr_expect(struct gr_ctx *c, const char *word);

/* Zeroed arena memory; on exhaustion records "out of memory" and returns NULL. */
void *gr_alloc(struct gr_ctx *c, size_t n);
/* Room for element n of a repeated field (arr has n elements): returns arr or a larger copy. */
void *gr_grow(struct gr_ctx *c, void *arr, size_t n, size_t elsize);

#define GR_NEW(c, var, init)                                                                       \
    do {                                                                                           \
        (var) = gr_alloc((c), sizeof(*(var)));                                                     \
        if ((var) == NULL)                                                                         \
            return -1;                                                                             \
        init(var);                                                                                 \
    } while (0)

/* Appends value to the repeated field (arr, n); returns -1 from the caller on exhaustion. */
#define GR_APPEND(c, arr, n, value)                                                                \
    do {                                                                                           \
        __typeof__(arr) gr_tmp_ = gr_grow((c), (arr), (n), sizeof(*(arr)));                        \
        if (gr_tmp_ == NULL)                                                                       \
            return -1;                                                                             \
        (arr) = gr_tmp_;                                                                           \
        (arr)[(n)++] = (value);                                                                    \
    } while (0)

int gr_bytes(struct gr_ctx *c, ProtobufCBinaryData *out, const void *data, size_t len);

/* Numbers: decimal, or 0x hexadecimal; the whole string must be the number. */
bool gr_parse_u64(const char *s, uint64_t *v);
bool gr_parse_u32(const char *s, uint32_t *v);
/* Decimal only, at most `max`. */
bool gr_parse_dec(const char *s, uint64_t max, uint64_t *v);
/* An IPv4 or IPv6 address: returns 4, 16, or 0 when s is neither. */
int gr_parse_ip(const char *s, uint8_t out[16]);
bool gr_parse_ipv4(const char *s, uint8_t out[4]);
/* Even-length hex digits after "0x" into out (at most max bytes); returns the length or -1. */
int gr_parse_hex(const char *s, uint8_t *out, size_t max);

/* Takes one word of the given kind, fails with a clear message otherwise. */
int gr_take_u32(struct gr_ctx *c, const char *what, uint32_t max, uint32_t *v);
int gr_take_ipv4(struct gr_ctx *c, const char *what, ProtobufCBinaryData *out);
int gr_take_ip(struct gr_ctx *c, const char *what, ProtobufCBinaryData *out);

/* `<ip>[/<len>]`, host bits refused; *afi_len is 4 or 16. `offset` (may be NULL) allows the
 * FlowSpec IPv6 `/<len>/<offset>`. */
int gr_take_prefix(struct gr_ctx *c, Bgpbus__V1__Prefix **out, uint32_t *offset);
/* `<asn16>:<u32>` | `<ipv4>:<u16>` | `<asn32>:<u16>` | `<n>L:<u16>` (RFC 4364 4.2). */
int gr_take_rd(struct gr_ctx *c, Bgpbus__V1__RouteDistinguisher **out);
/* `<label>` or `[ <label> … ]`, 20 bits each. */
int gr_take_labels(struct gr_ctx *c, Bgpbus__V1__LabelStack **out);
/* ExaBGP family words (SPEC 2.8): returns the IANA number or -1. */
int gr_afi_number(const char *s);
int gr_safi_number(const char *s);

/* The per-route state that route-attr words fill (SPEC 2.4). */
struct gr_route_state {
    Bgpbus__V1__Attributes *attrs;
    Bgpbus__V1__RouteDistinguisher *rd;
    Bgpbus__V1__LabelStack *labels;
    bool has_path_id;
    uint32_t path_id;
    const char *name, *watchdog;
    bool withdrawn;
    int split; /* -1: none */
    size_t split_word;
    bool has_next_hop;
};

int gr_route_state_init(struct gr_ctx *c, struct gr_route_state *st);
/* One route-attr at the cursor: 1 consumed, 0 the word is not a route attribute, -1 error. */
int gr_attr_parse(struct gr_ctx *c, struct gr_route_state *st);

/* Communities (grammar_community.c). */
int gr_take_communities(struct gr_ctx *c, Bgpbus__V1__Attributes *a);
int gr_take_large_communities(struct gr_ctx *c, Bgpbus__V1__Attributes *a);
/* `ext` or `[ ext … ]` (SPEC 2.4); a bare `<a>:<b>` is a route target. */
int gr_take_ext_communities(struct gr_ctx *c, Bgpbus__V1__Attributes *a);
int gr_ext_append(struct gr_ctx *c, Bgpbus__V1__Attributes *a, Bgpbus__V1__ExtendedCommunity *e);
int gr_ipv6_ext_append(struct gr_ctx *c, Bgpbus__V1__Attributes *a,
                       Bgpbus__V1__Ipv6ExtendedCommunity *e);
/* `<a>:<n>` as a route-target-like admin pair: 2-octet AS (n 32 bits), IPv4 or 4-octet AS
 * (n 16 bits; `<a>L` forces 4-octet). */
int gr_parse_admin(struct gr_ctx *c, size_t word, const char *s,
                   Bgpbus__V1__ExtCommunityAdmin **out);

/* Wraps one NLRI into a Route of the result, with the state's attributes and bookkeeping. */
int gr_routes_add(struct gr_ctx *c, struct grammar_routes *out, Bgpbus__V1__Nlri *nlri,
                  const struct gr_route_state *st, bool with_attributes);

#endif
