/* Value parsers and the cursor shared by the grammar: numbers, addresses, prefixes, RDs,
 * labels, family names. Each reads only its NUL-terminated word. */
#include "grammar_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
gr_ctx_init(struct gr_ctx *c, const char *const *words, size_t nwords, struct arena *arena,
            struct grammar_error *err)
{
    c->w = words;
    c->n = nwords;
    c->i = 0;
    c->arena = arena;
    c->err = err;
    err->word = -1;
    err->msg[0] = '\0';
}

int
gr_fail(struct gr_ctx *c, size_t word, const char *fmt, ...)
{
    va_list ap;

    c->err->word = word > (size_t)INT32_MAX ? -1 : (int)word;
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

const char *
gr_take(struct gr_ctx *c, const char *what)
{
    if (c->i >= c->n) {
        gr_fail(c, c->n, "missing %s", what);
        return NULL;
    }
    return c->w[c->i++];
}

int
gr_expect(struct gr_ctx *c, const char *word)
{
    const char *p = gr_peek(c);

    if (p == NULL)
        return gr_fail(c, c->n, "missing '%s'", word);
    if (strcmp(p, word) != 0)
        return gr_fail(c, c->i, "expected '%s', got '%s'", word, p);
    c->i++;
    return 0;
}

void *
gr_alloc(struct gr_ctx *c, size_t n)
{
    void *p = arena_alloc(c->arena, n);

    if (p == NULL)
        gr_fail(c, c->i, "out of memory");
    return p;
}

void *
gr_grow(struct gr_ctx *c, void *arr, size_t n, size_t elsize)
{
    void *p;

    /* Capacity is implicit: 4 for n in 1..4, then the next power of two, so a field grows
     * by doubling without storing its capacity. */
    if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
        return arr;
    p = arena_calloc(c->arena, n == 0 ? 4 : n * 2, elsize);
    if (p == NULL) {
        gr_fail(c, c->i, "out of memory");
        return NULL;
    }
    if (n != 0)
        memcpy(p, arr, n * elsize);
    return p;
}

int
gr_bytes(struct gr_ctx *c, ProtobufCBinaryData *out, const void *data, size_t len)
{
    out->data = arena_memdup(c->arena, data, len);
    if (out->data == NULL)
        return gr_fail(c, c->i, "out of memory");
    out->len = len;
    return 0;
}

static int
gr_hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

bool
gr_parse_u64(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    int d;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (*s == '\0')
            return false;
        for (; *s != '\0'; s++) {
            d = gr_hexval(*s);
            if (d < 0 || x > (UINT64_MAX >> 4))
                return false;
            x = x << 4 | (uint64_t)d;
        }
        *v = x;
        return true;
    }
    return gr_parse_dec(s, UINT64_MAX, v);
}

bool
gr_parse_dec(const char *s, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (x > (max - (uint64_t)(*s - '0')) / 10)
            return false;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return true;
}

bool
gr_parse_u32(const char *s, uint32_t *v)
{
    uint64_t x;

    if (!gr_parse_u64(s, &x) || x > UINT32_MAX)
        return false;
    *v = (uint32_t)x;
    return true;
}

int
gr_parse_ip(const char *s, uint8_t out[16])
{
    if (strchr(s, ':') != NULL)
        return inet_pton(AF_INET6, s, out) == 1 ? 16 : 0;
    return inet_pton(AF_INET, s, out) == 1 ? 4 : 0;
}

bool
gr_parse_ipv4(const char *s, uint8_t out[4])
{
    return inet_pton(AF_INET, s, out) == 1;
}

int
gr_parse_hex(const char *s, uint8_t *out, size_t max)
{
    size_t n, i;
    int hi, lo;

    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    s += 2;
    n = strlen(s);
    if (n == 0 || n % 2 != 0 || n / 2 > max)
        return -1;
    for (i = 0; i < n / 2; i++) {
        hi = gr_hexval(s[2 * i]);
        lo = gr_hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

int
gr_take_u32(struct gr_ctx *c, const char *what, uint32_t max, uint32_t *v)
{
    const char *s = gr_take(c, what);

    if (s == NULL)
        return -1;
    if (!gr_parse_u32(s, v) || *v > max)
        return gr_fail(c, c->i - 1, "invalid %s '%s' (0..%u)", what, s, max);
    return 0;
}

int
gr_take_ipv4(struct gr_ctx *c, const char *what, ProtobufCBinaryData *out)
{
    uint8_t a[4];
    const char *s = gr_take(c, what);

    if (s == NULL)
        return -1;
    if (!gr_parse_ipv4(s, a))
        return gr_fail(c, c->i - 1, "invalid %s '%s': not an IPv4 address", what, s);
    return gr_bytes(c, out, a, 4);
}

int
gr_take_ip(struct gr_ctx *c, const char *what, ProtobufCBinaryData *out)
{
    uint8_t a[16];
    int len;
    const char *s = gr_take(c, what);

    if (s == NULL)
        return -1;
    len = gr_parse_ip(s, a);
    if (len == 0)
        return gr_fail(c, c->i - 1, "invalid %s '%s': not an IP address", what, s);
    return gr_bytes(c, out, a, (size_t)len);
}

int
gr_take_prefix(struct gr_ctx *c, Bgpbus__V1__Prefix **out, uint32_t *offset)
{
    char text[INET6_ADDRSTRLEN + 16];
    const char *s = gr_take(c, "prefix");
    const char *slash, *slash2 = NULL;
    uint8_t a[16];
    uint64_t plen, off = 0;
    size_t alen, i;
    int len;
    Bgpbus__V1__Prefix *p;

    if (s == NULL)
        return -1;
    slash = strchr(s, '/');
    alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
    if (alen >= sizeof(text))
        return gr_fail(c, c->i - 1, "invalid prefix '%s'", s);
    memcpy(text, s, alen);
    text[alen] = '\0';
    len = gr_parse_ip(text, a);
    if (len == 0)
        return gr_fail(c, c->i - 1, "invalid prefix '%s': not an IP address", s);
    plen = (uint64_t)len * 8;
    if (slash != NULL) {
        char num[24];
        size_t nl;

        slash2 = offset != NULL ? strchr(slash + 1, '/') : NULL;
        nl = slash2 != NULL ? (size_t)(slash2 - slash - 1) : strlen(slash + 1);
        if (nl >= sizeof(num))
            return gr_fail(c, c->i - 1, "invalid prefix '%s': bad length", s);
        memcpy(num, slash + 1, nl);
        num[nl] = '\0';
        if (!gr_parse_dec(num, (uint64_t)len * 8, &plen))
            return gr_fail(c, c->i - 1, "invalid prefix '%s': bad length", s);
        if (slash2 != NULL) {
            /* RFC 8956 3.1: the offset only exists for IPv6 and must not exceed the length. */
            if (len != 16 || !gr_parse_dec(slash2 + 1, plen, &off))
                return gr_fail(c, c->i - 1, "invalid prefix '%s': bad offset", s);
        }
    }
    for (i = 0; i < (size_t)len; i++) {
        size_t bit = i * 8;
        uint8_t mask = bit >= plen       ? 0
                       : plen - bit >= 8 ? 0xff
                                         : (uint8_t)(0xff << (8 - (plen - bit)));

        if ((a[i] & (uint8_t)~mask) != 0)
            return gr_fail(c, c->i - 1, "invalid prefix %s: host bits set", s);
    }
    p = gr_alloc(c, sizeof(*p));
    if (p == NULL)
        return -1;
    bgpbus__v1__prefix__init(p);
    if (gr_bytes(c, &p->address, a, (size_t)len) < 0)
        return -1;
    p->has_address = 1;
    p->length = (uint32_t)plen;
    p->has_length = 1;
    if (offset != NULL)
        *offset = (uint32_t)off;
    *out = p;
    return 0;
}

int
gr_take_rd(struct gr_ctx *c, Bgpbus__V1__RouteDistinguisher **out)
{
    const char *s = gr_take(c, "route distinguisher");
    char admin[INET_ADDRSTRLEN + 8];
    const char *colon;
    uint8_t ip[4];
    uint64_t asn, num;
    size_t alen;
    bool four = false;
    Bgpbus__V1__RouteDistinguisher *rd;

    if (s == NULL)
        return -1;
    colon = strrchr(s, ':');
    if (colon == NULL || (alen = (size_t)(colon - s)) == 0 || alen >= sizeof(admin))
        return gr_fail(c, c->i - 1, "invalid route distinguisher '%s'", s);
    memcpy(admin, s, alen);
    admin[alen] = '\0';
    if (admin[alen - 1] == 'L') {
        four = true;
        admin[alen - 1] = '\0';
    }
    rd = gr_alloc(c, sizeof(*rd));
    if (rd == NULL)
        return -1;
    bgpbus__v1__route_distinguisher__init(rd);
    /* RFC 4364 4.2: type 0 = 2-octet AS + 32-bit number, type 1 = IPv4 + 16-bit number,
     * type 2 = 4-octet AS + 16-bit number. */
    if (!four && gr_parse_ipv4(admin, ip)) {
        if (!gr_parse_dec(colon + 1, UINT16_MAX, &num))
            return gr_fail(c, c->i - 1, "invalid route distinguisher '%s': number > 65535", s);
        rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_IPV4;
        if (gr_bytes(c, &rd->ipv4, ip, 4) < 0)
            return -1;
    } else if (gr_parse_dec(admin, UINT32_MAX, &asn)) {
        if (!four && asn <= UINT16_MAX) {
            if (!gr_parse_dec(colon + 1, UINT32_MAX, &num))
                return gr_fail(c, c->i - 1, "invalid route distinguisher '%s'", s);
            rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN2;
            rd->asn2 = (uint32_t)asn;
        } else {
            if (!gr_parse_dec(colon + 1, UINT16_MAX, &num))
                return gr_fail(c, c->i - 1,
                               "invalid route distinguisher '%s': number > 65535 with a 4-octet AS",
                               s);
            rd->admin_case = BGPBUS__V1__ROUTE_DISTINGUISHER__ADMIN_ASN4;
            rd->asn4 = (uint32_t)asn;
        }
    } else {
        return gr_fail(c, c->i - 1, "invalid route distinguisher '%s'", s);
    }
    rd->assigned = (uint32_t)num;
    rd->has_assigned = 1;
    *out = rd;
    return 0;
}

static int
gr_label_append(struct gr_ctx *c, Bgpbus__V1__LabelStack *ls, const char *s)
{
    uint32_t v;

    /* RFC 3032: a label is 20 bits. */
    if (!gr_parse_u32(s, &v) || v > 0xFFFFF)
        return gr_fail(c, c->i - 1, "invalid label '%s' (0..1048575)", s);
    GR_APPEND(c, ls->labels, ls->n_labels, v);
    return 0;
}

int
gr_take_labels(struct gr_ctx *c, Bgpbus__V1__LabelStack **out)
{
    Bgpbus__V1__LabelStack *ls;
    const char *s;

    GR_NEW(c, ls, bgpbus__v1__label_stack__init);
    if (gr_is(c, "[")) {
        c->i++;
        while ((s = gr_take(c, "']'")) != NULL && strcmp(s, "]") != 0) {
            if (strcmp(s, ",") == 0)
                continue;
            if (gr_label_append(c, ls, s) < 0)
                return -1;
        }
        if (s == NULL)
            return -1;
        if (ls->n_labels == 0)
            return gr_fail(c, c->i - 1, "empty label list");
    } else {
        s = gr_take(c, "label");
        if (s == NULL || gr_label_append(c, ls, s) < 0)
            return -1;
    }
    *out = ls;
    return 0;
}

int
gr_afi_number(const char *s)
{
    if (strcmp(s, "ipv4") == 0)
        return 1;
    if (strcmp(s, "ipv6") == 0)
        return 2;
    if (strcmp(s, "l2vpn") == 0)
        return 25;
    if (strcmp(s, "bgp-ls") == 0)
        return 16388;
    return -1;
}

int
gr_safi_number(const char *s)
{
    static const struct {
        const char *name;
        int safi;
    } safis[] = {
        { "unicast", 1 },        { "multicast", 2 },  { "nlri-mpls", 4 },  { "labeled-unicast", 4 },
        { "mcast-vpn", 5 },      { "vpls", 65 },      { "evpn", 70 },      { "bgp-ls", 71 },
        { "bgp-ls-vpn", 72 },    { "sr-policy", 73 }, { "mup", 85 },       { "mpls-vpn", 128 },
        { "rtc", 132 },          { "flow", 133 },     { "flowspec", 133 }, { "flow-vpn", 134 },
        { "flowspec-vpn", 134 },
    };
    size_t i;

    for (i = 0; i < sizeof(safis) / sizeof(safis[0]); i++)
        if (strcmp(s, safis[i].name) == 0)
            return safis[i].safi;
    return -1;
}
