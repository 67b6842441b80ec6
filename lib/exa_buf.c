/*
 * exa_buf: the growable output buffer of the ExaBGP renderers, and the primitive appends
 * (numbers, hex, JSON strings, addresses) they build lines from. The buffer is reused from
 * event to event, so the steady state renders without allocating.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "exa_int.h"

#define EXA_BUF_MIN 1024

void
exa_buf_init(struct exa_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->oom = 0;
}

void
exa_buf_free(struct exa_buf *b)
{
    free(b->data);
    exa_buf_init(b);
}

void
exa_buf_reset(struct exa_buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

bool
exa_buf_reserve(struct exa_buf *b, size_t n)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return false;
    if (n > SIZE_MAX / 2 - b->len - 1) {
        b->oom = 1;
        return false;
    }
    need = b->len + n + 1; /* the NUL */
    if (need <= b->cap)
        return true;
    cap = b->cap < EXA_BUF_MIN ? EXA_BUF_MIN : b->cap;
    while (cap < need)
        cap *= 2;
    p = realloc(b->data, cap);
    if (p == NULL) {
        b->oom = 1;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void
exa_puts(struct exa_buf *b, const char *s)
{
    exa_put(b, s, strlen(s));
}

void
exa_put_u64(struct exa_buf *b, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    exa_put(b, tmp + i, sizeof(tmp) - i);
}

void
exa_put_i64(struct exa_buf *b, int64_t v)
{
    if (v < 0) {
        exa_putc(b, '-');
        /* -(v + 1) + 1 cannot overflow, even for INT64_MIN. */
        exa_put_u64(b, (uint64_t)(-(v + 1)) + 1);
        return;
    }
    exa_put_u64(b, (uint64_t)v);
}

void
exa_put_double(struct exa_buf *b, double v)
{
    char tmp[40];
    int n = 0;

    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (n > 0 && strtod(tmp, NULL) == v)
            break;
    }
    if (n <= 0 || (size_t)n >= sizeof(tmp)) {
        EXA_PUTS(b, "0");
        return;
    }
    /* JSON has no inf/nan; a time is never one, but keep the line parseable. */
    if (strchr(tmp, 'n') != NULL || strchr(tmp, 'N') != NULL) {
        EXA_PUTS(b, "0");
        return;
    }
    exa_put(b, tmp, (size_t)n);
    /* Python prints a float with an integral value as "12.0": keep it a float. */
    if (strpbrk(tmp, ".e") == NULL)
        EXA_PUTS(b, ".0");
}

void
exa_put_hex(struct exa_buf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";

    EXA_PUTS(b, "0x");
    if (n > (SIZE_MAX - 4) / 2 || !exa_buf_reserve(b, 2 * n))
        return;
    for (size_t i = 0; i < n; i++) {
        b->data[b->len++] = digits[p[i] >> 4];
        b->data[b->len++] = digits[p[i] & 0xf];
    }
    b->data[b->len] = '\0';
}

void
exa_put_jstr(struct exa_buf *b, const char *s, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t run = 0;

    exa_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        exa_put(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': EXA_PUTS(b, "\\\""); break;
        case '\\': EXA_PUTS(b, "\\\\"); break;
        case '\n': EXA_PUTS(b, "\\n"); break;
        case '\r': EXA_PUTS(b, "\\r"); break;
        case '\t': EXA_PUTS(b, "\\t"); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', digits[c >> 4], digits[c & 0xf] };

            exa_put(b, u, sizeof(u));
        }
        }
    }
    exa_put(b, s + run, n - run);
    exa_putc(b, '"');
}

void
exa_put_ip(struct exa_buf *b, const uint8_t *p, size_t n)
{
    char tmp[INET6_ADDRSTRLEN];

    if ((n == 4 && inet_ntop(AF_INET, p, tmp, sizeof(tmp)) != NULL) ||
        (n == 16 && inet_ntop(AF_INET6, p, tmp, sizeof(tmp)) != NULL)) {
        exa_puts(b, tmp);
        return;
    }
    exa_put_hex(b, p, n);
}

void
exa_put_prefix(struct exa_buf *b, const Bgpbus__V1__Prefix *p)
{
    if (p == NULL) {
        EXA_PUTS(b, "0.0.0.0/0");
        return;
    }
    exa_put_ipb(b, p->address);
    exa_putc(b, '/');
    exa_put_u64(b, p->length);
}

int
exa_buf_rollback(struct exa_buf *b, size_t start)
{
    b->len = start;
    if (b->data != NULL)
        b->data[start] = '\0';
    return -1;
}
