/*
 * ExaBGP 4.2's JSON for an OPEN (SPEC 3.3). Capability values are rendered from their wire
 * bytes (Capability.value), every read bounds-checked, so a capability the speaker keeps
 * undecoded is shown exactly as ExaBGP would. Capabilities that occur several times (one
 * multiprotocol capability per family, RFC 4760 8) are one member, at the first place.
 */
#include "exa_json.h"

/* 4.2's keys for the OPEN it sends (the received one is keyed by code). */
static const char *
exa_cap_key(unsigned code)
{
    switch (code) {
    case 1: return "multiprotocol";
    case 2: return "route-refresh";
    case 5: return "nexthop";
    case 6: return "extended-message";
    case 64: return "graceful-restart";
    case 65: return "asn4";
    case 68: return "multisession";
    case 69: return "add-path";
    case 70: return "enhanced-route-refresh";
    case 73: return "hostname";
    case 128: return "cisco-route-refresh";
    case 131: return "cisco-multisession";
    case 185: return "exabgp-experimental-operational";
    default: return NULL;
    }
}

static void
exa_json_fam_slash(struct exa_buf *b, uint32_t afi, uint32_t safi)
{
    exa_putc(b, '"');
    exa_put_family(b, afi, safi, '/');
    exa_putc(b, '"');
}

/* RFC 4760 8: AFI (2), reserved (1), SAFI (1), in every multiprotocol capability. */
static void
exa_json_cap_mp(struct exa_buf *b, const Bgpbus__V1__Open *o)
{
    bool first = true;

    EXA_PUTS(b, "{ \"name\": \"multiprotocol\", \"families\": [ ");
    for (size_t i = 0; i < o->n_capabilities; i++) {
        const Bgpbus__V1__Capability *c = o->capabilities[i];

        if (c->code != 1 || c->value.len < 4)
            continue;
        if (!first)
            EXA_PUTS(b, ", ");
        first = false;
        exa_json_fam_slash(b, exa_get16(c->value.data), c->value.data[3]);
    }
    EXA_PUTS(b, " ] }");
}

/* RFC 4724 3: flags (4 bits) and time (12), then AFI (2), SAFI (1), flags (1) per family.
 * 4.2 names the R bit "forwarding" and the per-family F bit "restart" (kept as 4.2). */
static void
exa_json_cap_gr(struct exa_buf *b, const uint8_t *v, size_t n)
{
    unsigned flags = n >= 2 ? v[0] >> 4 : 0, time = n >= 2 ? ((v[0] & 0xfu) << 8 | v[1]) : 0;

    EXA_PUTS(b, "{ \"name\": \"graceful restart\", \"time\": ");
    exa_put_u64(b, time);
    EXA_PUTS(b, ", \"address-family-flags\": { ");
    for (size_t off = 2; off + 4 <= n; off += 4) {
        if (off > 2)
            EXA_PUTS(b, ", ");
        exa_json_fam_slash(b, exa_get16(v + off), v[off + 2]);
        exa_puts(b, (v[off + 3] & 0x80) ? ": [ \"restart\" ]" : ": [ ]");
    }
    EXA_PUTS(b, " }, \"restart-flags\": ");
    exa_puts(b, (flags & 0x8) ? "[ \"forwarding\" ] }" : "[ ] }");
}

/* RFC 7911 4: AFI (2), SAFI (1), Send/Receive (1) per family. */
static void
exa_json_cap_addpath(struct exa_buf *b, const uint8_t *v, size_t n)
{
    static const char *const modes[] = { "disabled", "receive", "send", "send/receive" };

    EXA_PUTS(b, "{ \"name\": \"addpath\"");
    for (size_t off = 0; off + 4 <= n; off += 4) {
        EXA_PUTS(b, ", ");
        exa_json_fam_slash(b, exa_get16(v + off), v[off + 2]);
        EXA_PUTS(b, ": \"");
        exa_puts(b, modes[v[off + 3] & 3]);
        exa_putc(b, '"');
    }
    EXA_PUTS(b, " }");
}

/* RFC 8950 3: AFI (2), SAFI (2), next hop AFI (2) per entry. */
static void
exa_json_cap_nexthop(struct exa_buf *b, const uint8_t *v, size_t n)
{
    EXA_PUTS(b, "{ \"name\": \"nexthop\", \"conversion\": [ ");
    for (size_t off = 0; off + 6 <= n; off += 6) {
        const char *nh = exa_afi_name(exa_get16(v + off + 4));

        if (off > 0)
            EXA_PUTS(b, ", ");
        exa_putc(b, '"');
        exa_put_family(b, exa_get16(v + off), exa_get16(v + off + 2), '/');
        exa_putc(b, '/');
        if (nh != NULL)
            exa_puts(b, nh);
        else
            exa_put_u64(b, exa_get16(v + off + 4));
        exa_putc(b, '"');
    }
    EXA_PUTS(b, " ] }");
}

/* draft-walton-bgp-hostname: length-prefixed host name then domain name. */
static void
exa_json_cap_hostname(struct exa_buf *b, const uint8_t *v, size_t n)
{
    size_t hl = n >= 1 ? v[0] : 0, dl = 0;
    const uint8_t *d = NULL;

    if (hl + 1 > n)
        hl = n > 0 ? n - 1 : 0;
    if (n >= hl + 2) {
        dl = v[hl + 1];
        d = v + hl + 2;
        if (dl > n - hl - 2)
            dl = n - hl - 2;
    }
    EXA_PUTS(b, "{ \"host-name\": ");
    exa_put_jstr(b, n > 0 ? (const char *)v + 1 : "", hl);
    EXA_PUTS(b, ", \"domain-name\": ");
    exa_put_jstr(b, d != NULL ? (const char *)d : "", dl);
    EXA_PUTS(b, " }");
}

static void
exa_json_cap_value(struct exa_buf *b, const Bgpbus__V1__Open *o, const Bgpbus__V1__Capability *c)
{
    const uint8_t *v = c->value.data;
    size_t n = c->has_value ? c->value.len : 0;

    switch (c->code) {
    case 1: exa_json_cap_mp(b, o); return;
    case 2: EXA_PUTS(b, "{ \"name\": \"route-refresh\", \"variant\": \"RFC\" }"); return;
    case 128: EXA_PUTS(b, "{ \"name\": \"route-refresh\", \"variant\": \"Cisco\" }"); return;
    case 5: exa_json_cap_nexthop(b, v, n); return;
    case 6: EXA_PUTS(b, "{ \"name\": \"extended-message\", \"size\": 65535 }"); return;
    case 64: exa_json_cap_gr(b, v, n); return;
    case 65:
        if (n != 4)
            break;
        EXA_PUTS(b, "{ \"name\": \"asn4\", \"asn4\": ");
        exa_put_u64(b, exa_get32(v));
        EXA_PUTS(b, " }");
        return;
    case 68:
    case 131:
        EXA_PUTS(b, "{ \"name\": \"multisession\", \"variant\": ");
        exa_puts(b, c->code == 131 ? "\"Cisco\"" : "\"RFC\"");
        EXA_PUTS(b, ", \"capabilities\": [ ");
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                EXA_PUTS(b, ", ");
            exa_put_u64(b, v[i]);
        }
        EXA_PUTS(b, " ] }");
        return;
    case 69: exa_json_cap_addpath(b, v, n); return;
    case 70: EXA_PUTS(b, "{ \"name\": \"enhanced-route-refresh\" }"); return;
    case 73: exa_json_cap_hostname(b, v, n); return;
    case 185: EXA_PUTS(b, "{ \"name\": \"operational\" }"); return;
    default: break;
    }
    EXA_PUTS(b, "{ \"name\": \"unknown\", \"iana\": \"");
    exa_put_u64(b, c->code);
    EXA_PUTS(b, "\", \"value\": ");
    exa_put_u64(b, c->code);
    EXA_PUTS(b, ", \"raw\": \"");
    exa_put_hex(b, v, n);
    EXA_PUTS(b, "\" }");
}

static uint32_t
exa_open_asn(const Bgpbus__V1__Open *o)
{
    /* RFC 6793 4.1: the real AS is in the ASN4 capability. */
    for (size_t i = 0; i < o->n_capabilities; i++) {
        const Bgpbus__V1__Capability *c = o->capabilities[i];

        if (c->code == 65 && c->value.len == 4)
            return exa_get32(c->value.data);
    }
    return o->asn;
}

void
exa_json_open(struct exa_buf *b, const Bgpbus__V1__Open *o, bool sent)
{
    bool first = true;

    EXA_PUTS(b, ", \"open\": { \"version\": ");
    exa_put_u64(b, o->version);
    EXA_PUTS(b, ", \"asn\": ");
    exa_put_u64(b, exa_open_asn(o));
    EXA_PUTS(b, ", \"hold_time\": ");
    exa_put_u64(b, o->hold_time);
    EXA_PUTS(b, ", \"router_id\": \"");
    exa_put_ipb(b, o->router_id);
    EXA_PUTS(b, "\", \"capabilities\": { ");
    for (size_t i = 0; i < o->n_capabilities; i++) {
        const Bgpbus__V1__Capability *c = o->capabilities[i];
        const char *key = sent ? exa_cap_key(c->code) : NULL;
        bool dup = false;

        for (size_t k = 0; k < i && !dup; k++)
            dup = o->capabilities[k]->code == c->code;
        if (dup)
            continue;
        if (!first)
            EXA_PUTS(b, ", ");
        first = false;
        exa_putc(b, '"');
        if (key != NULL)
            exa_puts(b, key);
        else
            exa_put_u64(b, c->code);
        EXA_PUTS(b, "\": ");
        exa_json_cap_value(b, o, c);
    }
    EXA_PUTS(b, " } }");
}
