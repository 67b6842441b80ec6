/* IPv4 and IPv6 prefixes, unicast and multicast (RFC 4271 4.3, RFC 4760 5). */
#include "nlri.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
nlri_ip_decode(struct wire_rd *r, enum bgp_family fam, struct nlri *out, struct arena *a)
{
    unsigned alen = bgp_family_addr_len(fam);
    uint8_t plen;
    size_t nbytes;

    (void)a;
    /* RFC 7606 5.3: a prefix longer than the address, or running past the field, is malformed. */
    if (!wire_get_u8(r, &plen) || plen > alen * 8)
        return false;
    nbytes = (plen + 7u) / 8;
    memset(out->addr, 0, sizeof(out->addr));
    if (!wire_get_bytes(r, out->addr, nbytes))
        return false;
    /* RFC 4271 4.3: trailing bits are irrelevant; clear them so equal prefixes compare equal. */
    if (plen % 8 != 0)
        out->addr[nbytes - 1] &= (uint8_t)(0xffu << (8 - plen % 8));
    out->len = plen;
    return true;
}

static void
nlri_ip_encode(const struct nlri *n, struct wire_wr *w)
{
    wire_put_u8(w, (uint8_t)n->len);
    wire_put_bytes(w, n->addr, (n->len + 7u) / 8);
}

static int
nlri_ip_compare(const struct nlri *a, const struct nlri *b)
{
    int c = memcmp(a->addr, b->addr, sizeof(a->addr));

    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

static uint32_t
nlri_ip_hash(const struct nlri *n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < (n->len + 7u) / 8; i++) {
        h ^= n->addr[i];
        h *= 16777619u;
    }
    return (h ^ n->len) * 16777619u;
}

static int
nlri_ip_format(const struct nlri *n, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    int af = bgp_family_addr_len(n->fam) == 4 ? AF_INET : AF_INET6;

    if (inet_ntop(af, n->addr, text, sizeof(text)) == NULL)
        return snprintf(buf, size, "?/%u", n->len);
    return snprintf(buf, size, "%s/%u", text, n->len);
}

const struct nlri_ops nlri_ops_ip = {
    .decode = nlri_ip_decode,
    .encode = nlri_ip_encode,
    .compare = nlri_ip_compare,
    .hash = nlri_ip_hash,
    .format = nlri_ip_format,
};

bool
nlri_prefix_from_string(enum bgp_family fam, const char *text, struct nlri *out)
{
    unsigned alen = bgp_family_addr_len(fam);
    char addr[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    size_t l = slash ? (size_t)(slash - text) : strlen(text);
    unsigned long plen = alen * 8;
    char *end;

    if (alen == 0 || l >= sizeof(addr))
        return false;
    memcpy(addr, text, l);
    addr[l] = '\0';
    if (slash != NULL) {
        plen = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end != '\0' || plen > alen * 8)
            return false;
    }
    memset(out, 0, sizeof(*out));
    if (inet_pton(alen == 4 ? AF_INET : AF_INET6, addr, out->addr) != 1)
        return false;
    out->fam = (int8_t)fam;
    out->len = (uint16_t)plen;
    for (unsigned bit = (unsigned)plen; bit < alen * 8; bit++)
        out->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    return true;
}
