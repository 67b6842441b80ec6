#include "mrt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wire.h"

#define MRT_HEADER_LEN 12
/* The largest record seen in public dumps is a few hundred KiB; refuse absurd lengths. */
#define MRT_RECORD_MAX (64u << 20)

struct mrt_reader {
    FILE *f;
    pid_t child; /* decompressor, or 0 */
    uint8_t *buf;
    size_t cap;
    bool truncated;
    const char *error;
};

/* Starts `prog -dc -- path` with its stdout as our input; no shell is involved. */
static FILE *
mrt_spawn(const char *prog, const char *path, pid_t *child)
{
    int fds[2];
    pid_t pid;
    FILE *f;

    if (pipe2(fds, O_CLOEXEC) < 0)
        return NULL;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        /* A truncated archive makes the decompressor complain; the reader reports it. */
        if (devnull >= 0)
            dup2(devnull, STDERR_FILENO);
        if (dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        execlp(prog, prog, "-dc", "--", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "rb");
    if (f == NULL) {
        close(fds[0]);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return NULL;
    }
    *child = pid;
    return f;
}

struct mrt_reader *
mrt_open(const char *path)
{
    struct mrt_reader *r = calloc(1, sizeof(*r));
    uint8_t magic[3] = { 0 };
    FILE *f;
    size_t n;

    if (r == NULL)
        return NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        free(r);
        return NULL;
    }
    n = fread(magic, 1, sizeof(magic), f);
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        fclose(f);
        r->f = mrt_spawn("gzip", path, &r->child);
    } else if (n == 3 && memcmp(magic, "BZh", 3) == 0) {
        fclose(f);
        r->f = mrt_spawn("bzip2", path, &r->child);
    } else {
        rewind(f);
        r->f = f;
    }
    if (r->f == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

int
mrt_next(struct mrt_reader *r, struct mrt_record *rec)
{
    uint8_t hdr[MRT_HEADER_LEN];
    size_t n;
    uint32_t len;

    n = fread(hdr, 1, sizeof(hdr), r->f);
    if (n == 0)
        return 0;
    if (n < sizeof(hdr)) {
        r->truncated = true;
        return 0;
    }
    rec->timestamp = wire_load_u32(hdr);
    rec->type = wire_load_u16(hdr + 4);
    rec->subtype = wire_load_u16(hdr + 6);
    len = wire_load_u32(hdr + 8);
    rec->usec = 0;
    if (len > MRT_RECORD_MAX) {
        r->error = "record length out of range";
        return -1;
    }
    if (len > r->cap) {
        uint8_t *nb = realloc(r->buf, len);

        if (nb == NULL) {
            r->error = "out of memory";
            return -1;
        }
        r->buf = nb;
        r->cap = len;
    }
    if (fread(r->buf, 1, len, r->f) != len) {
        r->truncated = true;
        return 0;
    }
    rec->body = r->buf;
    rec->len = len;
    /* RFC 6396 3: the _ET types put a microsecond field first, counted in the length. */
    if (rec->type == MRT_BGP4MP_ET) {
        if (len < 4) {
            r->error = "ET record shorter than its microsecond field";
            return -1;
        }
        rec->usec = wire_load_u32(r->buf);
        rec->body += 4;
        rec->len -= 4;
    }
    return 1;
}

bool
mrt_truncated(const struct mrt_reader *r)
{
    return r->truncated;
}

const char *
mrt_error(const struct mrt_reader *r)
{
    return r->error ? r->error : "no error";
}

int
mrt_close(struct mrt_reader *r)
{
    int status = 0;

    if (r == NULL)
        return 0;
    if (r->f != NULL)
        fclose(r->f);
    if (r->child > 0) {
        if (waitpid(r->child, &status, 0) < 0)
            status = -1;
        else if (WIFEXITED(status))
            status = WEXITSTATUS(status);
        else
            status = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    free(r->buf);
    free(r);
    return status;
}

static bool
mrt_get_addr(struct wire_rd *rd, bool ipv6, struct mrt_addr *a)
{
    memset(a, 0, sizeof(*a));
    a->ipv6 = ipv6;
    return wire_get_bytes(rd, a->addr, ipv6 ? 16 : 4);
}

int
mrt_peer_index_parse(const struct mrt_record *rec, struct mrt_peer_index *out)
{
    struct wire_rd rd;
    uint16_t name_len;

    memset(out, 0, sizeof(*out));
    wire_rd_init(&rd, rec->body, rec->len);
    if (!wire_get_u32(&rd, &out->collector_id) || !wire_get_u16(&rd, &name_len) ||
        !wire_skip(&rd, name_len) || !wire_get_u16(&rd, &out->count))
        return -1;
    out->peers = calloc(out->count ? out->count : 1, sizeof(*out->peers));
    if (out->peers == NULL)
        return -1;
    for (unsigned i = 0; i < out->count; i++) {
        struct mrt_peer *p = &out->peers[i];
        uint8_t type;
        uint16_t as2;

        /* Peer Type: bit 0 IPv6 address, bit 1 4-octet AS. */
        if (!wire_get_u8(&rd, &type) || !wire_get_u32(&rd, &p->bgp_id) ||
            !mrt_get_addr(&rd, (type & 1) != 0, &p->ip))
            goto bad;
        if (type & 2) {
            if (!wire_get_u32(&rd, &p->as))
                goto bad;
        } else {
            if (!wire_get_u16(&rd, &as2))
                goto bad;
            p->as = as2;
        }
    }
    return 0;
bad:
    free(out->peers);
    out->peers = NULL;
    return -1;
}

/* Length of one prefix-style NLRI (length in bits, then the octets) at the start of rd. */
static bool
mrt_get_prefix_nlri(struct wire_rd *rd, const uint8_t **p, size_t *len)
{
    uint8_t bits;

    if (wire_rd_left(rd) < 1)
        return false;
    bits = rd->p[0];
    *len = 1 + (bits + 7u) / 8;
    return wire_get_ref(rd, *len, p);
}

int
mrt_rib_parse(const struct mrt_record *rec, struct mrt_rib *out)
{
    struct wire_rd rd;

    memset(out, 0, sizeof(*out));
    wire_rd_init(&rd, rec->body, rec->len);
    if (!wire_get_u32(&rd, &out->seq))
        return -1;
    switch (rec->subtype) {
    case MRT_TD2_RIB_IPV4_UNICAST_ADDPATH:
    case MRT_TD2_RIB_IPV4_MULTICAST_ADDPATH:
    case MRT_TD2_RIB_IPV6_UNICAST_ADDPATH:
    case MRT_TD2_RIB_IPV6_MULTICAST_ADDPATH:
    case MRT_TD2_RIB_GENERIC_ADDPATH: out->addpath = true; break;
    default: break;
    }
    switch (rec->subtype) {
    case MRT_TD2_RIB_IPV4_UNICAST:
    case MRT_TD2_RIB_IPV4_UNICAST_ADDPATH: out->afi = 1, out->safi = 1; break;
    case MRT_TD2_RIB_IPV4_MULTICAST:
    case MRT_TD2_RIB_IPV4_MULTICAST_ADDPATH: out->afi = 1, out->safi = 2; break;
    case MRT_TD2_RIB_IPV6_UNICAST:
    case MRT_TD2_RIB_IPV6_UNICAST_ADDPATH: out->afi = 2, out->safi = 1; break;
    case MRT_TD2_RIB_IPV6_MULTICAST:
    case MRT_TD2_RIB_IPV6_MULTICAST_ADDPATH: out->afi = 2, out->safi = 2; break;
    case MRT_TD2_RIB_GENERIC:
    case MRT_TD2_RIB_GENERIC_ADDPATH:
        if (!wire_get_u16(&rd, &out->afi) || !wire_get_u8(&rd, &out->safi))
            return -1;
        /* Only families whose NLRI is a bit length and octets can be delimited here. */
        if (out->safi != 1 && out->safi != 2 && out->safi != 4 && out->safi != 128)
            return 1;
        break;
    default: return 1;
    }
    if (!mrt_get_prefix_nlri(&rd, &out->nlri, &out->nlri_len) ||
        !wire_get_u16(&rd, &out->entry_count))
        return -1;
    out->entries = rd.p;
    out->entries_len = wire_rd_left(&rd);
    return 0;
}

int
mrt_rib_next_entry(const struct mrt_rib *rib, size_t *pos, struct mrt_rib_entry *out)
{
    struct wire_rd rd;
    uint16_t alen;

    if (*pos >= rib->entries_len)
        return 0;
    wire_rd_init(&rd, rib->entries + *pos, rib->entries_len - *pos);
    out->path_id = 0;
    if (!wire_get_u16(&rd, &out->peer_index) || !wire_get_u32(&rd, &out->originated))
        return -1;
    if (rib->addpath && !wire_get_u32(&rd, &out->path_id))
        return -1;
    if (!wire_get_u16(&rd, &alen) || !wire_get_ref(&rd, alen, &out->attrs))
        return -1;
    out->attrs_len = alen;
    *pos = (size_t)(rd.p - rib->entries);
    return 1;
}

int
mrt_bgp4mp_parse(const struct mrt_record *rec, struct mrt_bgp4mp *out)
{
    struct wire_rd rd;
    uint16_t as2;

    memset(out, 0, sizeof(*out));
    switch (rec->subtype) {
    case MRT_BGP4MP_STATE_CHANGE: out->state_change = true; break;
    case MRT_BGP4MP_STATE_CHANGE_AS4: out->state_change = out->as4 = true; break;
    case MRT_BGP4MP_MESSAGE: break;
    case MRT_BGP4MP_MESSAGE_AS4: out->as4 = true; break;
    case MRT_BGP4MP_MESSAGE_LOCAL: out->local = true; break;
    case MRT_BGP4MP_MESSAGE_AS4_LOCAL: out->as4 = out->local = true; break;
    case MRT_BGP4MP_MESSAGE_ADDPATH: out->addpath = true; break;
    case MRT_BGP4MP_MESSAGE_AS4_ADDPATH: out->as4 = out->addpath = true; break;
    case MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH: out->local = out->addpath = true; break;
    case MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH: out->as4 = out->local = out->addpath = true; break;
    default: return 1;
    }
    wire_rd_init(&rd, rec->body, rec->len);
    if (out->as4) {
        if (!wire_get_u32(&rd, &out->peer_as) || !wire_get_u32(&rd, &out->local_as))
            return -1;
    } else {
        if (!wire_get_u16(&rd, &as2))
            return -1;
        out->peer_as = as2;
        if (!wire_get_u16(&rd, &as2))
            return -1;
        out->local_as = as2;
    }
    if (!wire_get_u16(&rd, &out->ifindex) || !wire_get_u16(&rd, &out->afi))
        return -1;
    if (out->afi != 1 && out->afi != 2)
        return -1;
    if (!mrt_get_addr(&rd, out->afi == 2, &out->peer_ip) ||
        !mrt_get_addr(&rd, out->afi == 2, &out->local_ip))
        return -1;
    if (out->state_change) {
        if (!wire_get_u16(&rd, &out->old_state) || !wire_get_u16(&rd, &out->new_state))
            return -1;
        return 0;
    }
    out->msg = rd.p;
    out->msg_len = wire_rd_left(&rd);
    return 0;
}

int
mrt_table_dump_parse(const struct mrt_record *rec, struct mrt_table_dump *out)
{
    struct wire_rd rd;
    uint16_t alen;
    unsigned plen;

    memset(out, 0, sizeof(*out));
    out->afi = rec->subtype; /* RFC 6396 4.2: the subtype is the AFI */
    if (out->afi != 1 && out->afi != 2)
        return -1;
    plen = out->afi == 2 ? 16 : 4;
    wire_rd_init(&rd, rec->body, rec->len);
    if (!wire_get_u16(&rd, &out->view) || !wire_get_u16(&rd, &out->seq) ||
        !wire_get_bytes(&rd, out->prefix, plen) || !wire_get_u8(&rd, &out->prefix_len) ||
        !wire_get_u8(&rd, &out->status) || !wire_get_u32(&rd, &out->originated) ||
        !mrt_get_addr(&rd, out->afi == 2, &out->peer_ip) || !wire_get_u16(&rd, &out->peer_as) ||
        !wire_get_u16(&rd, &alen) || !wire_get_ref(&rd, alen, &out->attrs))
        return -1;
    if (out->prefix_len > plen * 8)
        return -1;
    out->attrs_len = alen;
    return 0;
}
