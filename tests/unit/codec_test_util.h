/* Helpers shared by the codec tests: hex to bytes, UPDATE assembly. */
#ifndef BGPBUS_TESTS_CODEC_TEST_UTIL_H
#define BGPBUS_TESTS_CODEC_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

/* Spaces are allowed between bytes for readability. */
static inline size_t
test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;

    while (*hex != '\0' && n < cap) {
        unsigned v;

        if (*hex == ' ') {
            hex++;
            continue;
        }
        if (sscanf(hex, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

static inline void
test_hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

/* Assembles an UPDATE from hex fields; returns its length. */
static inline size_t
test_update(uint8_t *buf, size_t cap, const char *withdrawn, const char *attrs, const char *nlri)
{
    uint8_t tmp[8192];
    size_t wl = test_unhex(withdrawn, tmp, sizeof(tmp)), al, nl, len;

    memset(buf, 0xff, 16);
    buf[18] = 2;
    wire_store_u16(buf + 19, (uint16_t)wl);
    memcpy(buf + 21, tmp, wl);
    al = test_unhex(attrs, tmp, sizeof(tmp));
    wire_store_u16(buf + 21 + wl, (uint16_t)al);
    memcpy(buf + 23 + wl, tmp, al);
    nl = test_unhex(nlri, tmp, sizeof(tmp));
    memcpy(buf + 23 + wl + al, tmp, nl);
    len = 23 + wl + al + nl;
    (void)cap;
    wire_store_u16(buf + 16, (uint16_t)len);
    return len;
}

#endif
