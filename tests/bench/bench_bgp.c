/*
 * bench_bgp.c: the receiving end of one BGP session for the benchmarks (see bench_bgp.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_bgp.h"

enum {
    BGP_HDR = 19, /* marker, length, type (RFC 4271 4.1) */
    BGP_OPEN = 1,
    BGP_UPDATE = 2,
    BGP_NOTIFICATION = 3,
    BGP_KEEPALIVE = 4,
    BGP_REFRESH = 5,
    ATTR_MP_REACH = 14,
    ATTR_MP_UNREACH = 15,
    AS_TRANS = 23456, /* RFC 6793 */
};

double
bench_wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
bench_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
bench_listen(const char *addr, unsigned port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
        sl = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
        sl = sizeof(struct sockaddr_in6);
    } else {
        fprintf(stderr, "bench: bad address %s\n", addr);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 4) < 0) {
        fprintf(stderr, "bench: listen on %s port %u: %s\n", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int
send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static size_t
put_header(uint8_t *m, size_t len, uint8_t type)
{
    memset(m, 0xff, 16);
    m[16] = (uint8_t)(len >> 8);
    m[17] = (uint8_t)len;
    m[18] = type;
    return BGP_HDR;
}

static int
send_keepalive(struct bench_session *s)
{
    uint8_t m[BGP_HDR];

    put_header(m, sizeof(m), BGP_KEEPALIVE);
    s->last_keep = bench_mono();
    return send_all(s->fd, m, sizeof(m));
}

/* OPEN with capabilities (RFC 5492): MP IPv4/IPv6 unicast (RFC 4760), route refresh (RFC 2918),
 * 4-octet AS (RFC 6793). */
static int
send_open(struct bench_session *s)
{
    static const uint8_t caps_fixed[] = {
        1, 4, 0, 1, 0, 1, /* MP ipv4 unicast */
        1, 4, 0, 2, 0, 1, /* MP ipv6 unicast */
        2, 0,             /* route refresh */
    };
    uint8_t m[64], *p = m + BGP_HDR;
    uint16_t as2 = s->local_as > 0xffff ? AS_TRANS : (uint16_t)s->local_as;
    size_t caps_len = sizeof(caps_fixed) + 6;

    *p++ = 4;
    *p++ = (uint8_t)(as2 >> 8);
    *p++ = (uint8_t)as2;
    *p++ = (uint8_t)(s->hold >> 8);
    *p++ = (uint8_t)s->hold;
    memcpy(p, &s->router_id, 4);
    p += 4;
    *p++ = (uint8_t)(caps_len + 2); /* one optional parameter */
    *p++ = 2;                       /* capabilities */
    *p++ = (uint8_t)caps_len;
    memcpy(p, caps_fixed, sizeof(caps_fixed));
    p += sizeof(caps_fixed);
    *p++ = 65;
    *p++ = 4;
    *p++ = (uint8_t)(s->local_as >> 24);
    *p++ = (uint8_t)(s->local_as >> 16);
    *p++ = (uint8_t)(s->local_as >> 8);
    *p++ = (uint8_t)s->local_as;
    put_header(m, (size_t)(p - m), BGP_OPEN);
    return send_all(s->fd, m, (size_t)(p - m));
}

int
bench_session_start(struct bench_session *s, int fd, uint32_t local_as, uint32_t router_id,
                    uint16_t hold)
{
    int one = 1;

    s->fd = fd;
    s->local_as = local_as;
    s->router_id = router_id;
    s->hold = hold;
    s->established = 0;
    s->len = 0;
    memset(&s->counts, 0, sizeof(s->counts));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return send_open(s);
}

/* The number of prefixes in an NLRI field (RFC 4271 4.3: length in bits, then the bytes), or
 * -1 when a prefix runs past the end. */
static long
count_prefixes(const uint8_t *p, size_t n)
{
    long count = 0;
    size_t i = 0;

    while (i < n) {
        i += 1 + (p[i] + 7u) / 8;
        count++;
    }
    return i == n ? count : -1;
}

static void
add_family(struct bench_counts *c, unsigned afi, unsigned safi, long n, int announce)
{
    uint64_t *slot = &c->other;

    if (safi == 1 && afi == 1)
        slot = announce ? &c->ann4 : &c->wd4;
    else if (safi == 1 && afi == 2)
        slot = announce ? &c->ann6 : &c->wd6;
    *slot += (uint64_t)n;
}

/* MP_REACH_NLRI (RFC 4760 3): AFI, SAFI, next hop, a reserved octet, NLRI. */
static int
count_mp(struct bench_counts *c, const uint8_t *v, size_t len, int reach)
{
    size_t off;
    long n;

    if (len < 3)
        return -1;
    off = 3;
    if (reach) {
        if (len < 4 || len < 5u + v[3])
            return -1;
        off = 5u + v[3];
    }
    if ((n = count_prefixes(v + off, len - off)) < 0)
        return -1;
    add_family(c, (unsigned)(v[0] << 8 | v[1]), v[2], n, reach);
    return 0;
}

static int
count_update(struct bench_counts *c, const uint8_t *b, size_t len)
{
    size_t wlen, alen, i;
    long n;

    if (len < 4 || (wlen = (size_t)(b[0] << 8 | b[1])) + 4 > len)
        return -1;
    if ((n = count_prefixes(b + 2, wlen)) < 0)
        return -1;
    c->wd4 += (uint64_t)n;
    alen = (size_t)(b[2 + wlen] << 8 | b[3 + wlen]);
    if (4 + wlen + alen > len)
        return -1;
    const uint8_t *a = b + 4 + wlen;
    for (i = 0; i < alen;) {
        size_t hl = (a[i] & 0x10) ? 4 : 3, vl; /* extended length bit (RFC 4271 4.3) */
        if (i + hl > alen)
            return -1;
        vl = hl == 4 ? (size_t)(a[i + 2] << 8 | a[i + 3]) : a[i + 2];
        if (i + hl + vl > alen)
            return -1;
        if ((a[i + 1] == ATTR_MP_REACH || a[i + 1] == ATTR_MP_UNREACH) &&
            count_mp(c, a + i + hl, vl, a[i + 1] == ATTR_MP_REACH) < 0)
            return -1;
        i += hl + vl;
    }
    if ((n = count_prefixes(a + alen, len - 4 - wlen - alen)) < 0)
        return -1;
    c->ann4 += (uint64_t)n;
    c->updates++;
    return 0;
}

static int
handle_message(struct bench_session *s, const uint8_t *m, size_t len, char *why, size_t why_len)
{
    switch (m[18]) {
    case BGP_OPEN:
        if (send_keepalive(s) < 0) {
            snprintf(why, why_len, "send: %s", strerror(errno));
            return -1;
        }
        s->established = 1;
        return 1;
    case BGP_UPDATE:
        if (count_update(&s->counts, m + BGP_HDR, len - BGP_HDR) < 0) {
            snprintf(why, why_len, "malformed UPDATE of %zu bytes", len);
            return -1;
        }
        return 1;
    case BGP_NOTIFICATION:
        snprintf(why, why_len, "NOTIFICATION %u/%u received", len > 19 ? m[19] : 0,
                 len > 20 ? m[20] : 0);
        return 0;
    default: return 1; /* KEEPALIVE, ROUTE-REFRESH: nothing to do */
    }
}

int
bench_session_read(struct bench_session *s, char *why, size_t why_len)
{
    ssize_t r = recv(s->fd, s->buf + s->len, sizeof(s->buf) - s->len, 0);
    size_t off = 0;

    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (r <= 0) {
        snprintf(why, why_len, "%s", r == 0 ? "closed by the peer" : strerror(errno));
        return r == 0 ? 0 : -1;
    }
    s->len += (size_t)r;
    while (s->len - off >= BGP_HDR) {
        const uint8_t *m = s->buf + off;
        size_t mlen = (size_t)(m[16] << 8 | m[17]);
        int rc;
        if (mlen < BGP_HDR || mlen > 65535) {
            snprintf(why, why_len, "bad message length %zu", mlen);
            return -1;
        }
        if (s->len - off < mlen)
            break;
        if ((rc = handle_message(s, m, mlen, why, why_len)) <= 0)
            return rc;
        off += mlen;
    }
    memmove(s->buf, s->buf + off, s->len - off);
    s->len -= off;
    return 1;
}

int
bench_session_tick(struct bench_session *s)
{
    if (!s->established || s->hold == 0 || bench_mono() - s->last_keep < s->hold / 3.0)
        return 0;
    return send_keepalive(s);
}
