/*
 * bgpbus-mrtdump: reads MRT files (RFC 6396) and runs every BGP message and RIB entry
 * through the speaker's codec, counting what it finds. A non-zero exit status means some
 * record could not be read or some message would have reset a live session.
 *
 *   bgpbus-mrtdump [-v] FILE...      -v: print each problem
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cap.h"
#include "mrt.h"
#include "update.h"

struct mrt_counts {
    unsigned long records;
    unsigned long rib_entries;
    unsigned long rib_prefixes;
    unsigned long announced;
    unsigned long withdrawn;
    unsigned long updates;
    unsigned long eor;
    unsigned long opens;
    unsigned long notifications;
    unsigned long keepalives;
    unsigned long refreshes;
    unsigned long state_changes;
    unsigned long opaque_nlri; /* NLRI fields of families without a codec yet */
    unsigned long treat_as_withdraw;
    unsigned long discarded;
    unsigned long as4_merged;
    unsigned long skipped; /* record types/subtypes this tool does not read */
    unsigned long resets;  /* messages a live session would have been reset for */
    unsigned long errors;  /* MRT records that could not be parsed */
};

static bool verbose;

static void
problem(const char *file, unsigned long rec, const char *kind, const char *why)
{
    if (verbose)
        fprintf(stderr, "%s: record %lu: %s: %s\n", file, rec, kind, why);
}

static void
count_mp(struct mrt_counts *c, const struct update_mp *mp, unsigned long *n)
{
    if (!mp->present)
        return;
    if (mp->fam == BGP_FAM_NONE || bgp_family_table[mp->fam].ops == NULL)
        c->opaque_nlri += mp->nlri_count;
    else
        *n += mp->nlri_count;
}

static void
count_outcome(struct mrt_counts *c, const struct update_decoded *u, const char *file,
              unsigned long rec)
{
    if (u->treat_as_withdraw) {
        c->treat_as_withdraw++;
        problem(file, rec, "treat-as-withdraw", u->withdraw_reason);
    }
    c->discarded += u->discarded_count;
    for (unsigned i = 0; i < u->discarded_count && i < UPDATE_DISCARD_MAX; i++)
        problem(file, rec, "attribute discard", u->discarded[i].reason);
    if (u->as4_merged)
        c->as4_merged++;
}

static void
handle_bgp_message(struct mrt_counts *c, const struct mrt_bgp4mp *m, struct arena *a,
                   const char *file, unsigned long rec)
{
    struct bgp_session_codec ctx;
    struct bgp_header h;
    struct bgp_error err;
    int n;

    memset(&err, 0, sizeof(err));
    /* Recorders keep messages up to the MRT record size (RFC 8654 messages included). */
    n = bgp_header_parse(m->msg, m->msg_len, BGP_MSG_EXT_MAX, &h, &err);
    if (n <= 0 || (size_t)n != m->msg_len) {
        c->resets++;
        problem(file, rec, "header", n < 0 ? err.reason : "length differs from the record");
        return;
    }
    switch (h.type) {
    case BGP_MSG_OPEN: {
        struct bgp_open o;

        c->opens++;
        if (bgp_open_decode(m->msg, m->msg_len, &o, &err) < 0) {
            c->resets++;
            problem(file, rec, "OPEN", err.reason);
        }
        break;
    }
    case BGP_MSG_UPDATE: {
        struct update_decoded u;

        c->updates++;
        bgp_session_codec_init(&ctx);
        ctx.asn4 = m->as4;
        ctx.peer_as = m->peer_as;
        ctx.local_as = m->local_as;
        ctx.ibgp = m->peer_as == m->local_as;
        /* The recorder's sessions are unknown: accept what any session could carry. */
        ctx.confed = true;
        ctx.ext_nexthop_recv = ~(bgp_famset)0;
        ctx.addpath_recv = m->addpath ? ~(bgp_famset)0 : 0;
        arena_reset(a);
        if (update_decode(m->msg, m->msg_len, &ctx, a, &u, &err) < 0) {
            c->resets++;
            problem(file, rec, "UPDATE session reset", err.reason);
            break;
        }
        if (u.eor)
            c->eor++;
        c->announced += u.nlri_count;
        c->withdrawn += u.withdrawn_count;
        count_mp(c, &u.mp_reach, &c->announced);
        count_mp(c, &u.mp_unreach, &c->withdrawn);
        count_outcome(c, &u, file, rec);
        break;
    }
    case BGP_MSG_NOTIFICATION: {
        struct bgp_notification nt;

        c->notifications++;
        if (bgp_notification_decode(m->msg + BGP_HEADER_LEN, m->msg_len - BGP_HEADER_LEN, &nt) <
            0) {
            c->resets++;
            problem(file, rec, "NOTIFICATION", "too short");
        }
        break;
    }
    case BGP_MSG_KEEPALIVE: c->keepalives++; break;
    case BGP_MSG_ROUTE_REFRESH: {
        struct bgp_route_refresh rr;

        c->refreshes++;
        if (bgp_refresh_decode(m->msg, m->msg_len, &rr, &err) < 0) {
            c->resets++;
            problem(file, rec, "ROUTE-REFRESH", err.reason);
        }
        break;
    }
    default: c->skipped++; break;
    }
}

static void
handle_rib(struct mrt_counts *c, const struct mrt_record *r, struct arena *a, const char *file,
           unsigned long rec)
{
    struct bgp_session_codec ctx;
    struct mrt_rib rib;
    struct mrt_rib_entry e;
    enum bgp_family fam;
    struct nlri *prefix;
    size_t np, pos = 0;
    int rc = mrt_rib_parse(r, &rib);

    if (rc == 1) {
        c->skipped++;
        return;
    }
    if (rc < 0) {
        c->errors++;
        problem(file, rec, "RIB record", "malformed");
        return;
    }
    fam = bgp_family_from(rib.afi, rib.safi);
    arena_reset(a);
    /* RFC 8050: in the ADDPATH subtypes the path id is in each entry, not in the prefix. */
    if (!nlri_decode_field(rib.nlri, rib.nlri_len, fam, false, a, &prefix, &np)) {
        if (fam != BGP_FAM_NONE) {
            c->errors++;
            problem(file, rec, "RIB prefix", "malformed");
            return;
        }
        np = 1;
    }
    if (fam == BGP_FAM_NONE || bgp_family_table[fam].ops == NULL)
        c->opaque_nlri += np;
    else
        c->rib_prefixes += np;

    bgp_session_codec_init(&ctx);
    ctx.asn4 = true; /* RFC 6396 4.3.4: RIB entries always use 4-octet AS numbers */
    ctx.confed = true;
    ctx.ext_nexthop_recv = ~(bgp_famset)0;
    ctx.mrt_rib = true;
    ctx.mrt_family = fam;
    while ((rc = mrt_rib_next_entry(&rib, &pos, &e)) == 1) {
        struct update_decoded u;
        struct bgp_error err;

        memset(&u, 0, sizeof(u));
        memset(&err, 0, sizeof(err));
        c->rib_entries++;
        if (attrs_decode(e.attrs, e.attrs_len, &ctx, a, &u, &err) < 0) {
            c->resets++;
            problem(file, rec, "RIB attributes", err.reason);
            continue;
        }
        count_outcome(c, &u, file, rec);
    }
    if (rc < 0) {
        c->errors++;
        problem(file, rec, "RIB entry", "malformed");
    }
}

static void
handle_table_dump(struct mrt_counts *c, const struct mrt_record *r, struct arena *a,
                  const char *file, unsigned long rec)
{
    struct bgp_session_codec ctx;
    struct mrt_table_dump td;
    struct update_decoded u;
    struct bgp_error err;

    if (mrt_table_dump_parse(r, &td) < 0) {
        c->errors++;
        problem(file, rec, "TABLE_DUMP", "malformed");
        return;
    }
    c->rib_entries++;
    c->rib_prefixes++;
    bgp_session_codec_init(&ctx);
    ctx.asn4 = false; /* RFC 6396 4.2: 2-octet AS numbers */
    ctx.confed = true;
    ctx.ext_nexthop_recv = ~(bgp_famset)0;
    ctx.mrt_rib = true;
    ctx.mrt_family = td.afi == 2 ? BGP_FAM_IPV6_UNICAST : BGP_FAM_IPV4_UNICAST;
    arena_reset(a);
    memset(&u, 0, sizeof(u));
    memset(&err, 0, sizeof(err));
    if (attrs_decode(td.attrs, td.attrs_len, &ctx, a, &u, &err) < 0) {
        c->resets++;
        problem(file, rec, "TABLE_DUMP attributes", err.reason);
        return;
    }
    count_outcome(c, &u, file, rec);
}

static int
dump_file(const char *file, struct mrt_counts *total)
{
    struct mrt_counts c;
    struct mrt_reader *r = mrt_open(file);
    struct mrt_record rec;
    struct arena a;
    struct timespec t0, t1;
    int rc, status;
    double secs;

    if (r == NULL) {
        perror(file);
        return -1;
    }
    memset(&c, 0, sizeof(c));
    arena_init(&a, 1 << 16);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((rc = mrt_next(r, &rec)) == 1) {
        struct mrt_bgp4mp m;
        int prc;

        c.records++;
        switch (rec.type) {
        case MRT_TABLE_DUMP_V2:
            if (rec.subtype == MRT_TD2_PEER_INDEX_TABLE) {
                struct mrt_peer_index pi;

                if (mrt_peer_index_parse(&rec, &pi) < 0) {
                    c.errors++;
                    problem(file, c.records, "PEER_INDEX_TABLE", "malformed");
                }
                free(pi.peers);
            } else {
                handle_rib(&c, &rec, &a, file, c.records);
            }
            break;
        case MRT_TABLE_DUMP: handle_table_dump(&c, &rec, &a, file, c.records); break;
        case MRT_BGP4MP:
        case MRT_BGP4MP_ET:
            prc = mrt_bgp4mp_parse(&rec, &m);
            if (prc < 0) {
                c.errors++;
                problem(file, c.records, "BGP4MP", "malformed");
            } else if (prc == 1) {
                c.skipped++;
            } else if (m.state_change) {
                c.state_changes++;
            } else {
                handle_bgp_message(&c, &m, &a, file, c.records);
            }
            break;
        default: c.skipped++; break;
        }
    }
    if (rc < 0) {
        c.errors++;
        fprintf(stderr, "%s: %s\n", file, mrt_error(r));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    bool truncated = mrt_truncated(r);
    status = mrt_close(r);
    arena_free(&a);
    /* A decompressor failing is fine only when the data ended early (truncated dumps). */
    if (status != 0 && !truncated) {
        c.errors++;
        fprintf(stderr, "%s: decompressor exited with status %d\n", file, status);
    }
    printf("%s: records %lu rib_entries %lu rib_prefixes %lu updates %lu announced %lu "
           "withdrawn %lu eor %lu opens %lu notifications %lu keepalives %lu refreshes %lu "
           "state_changes %lu opaque_nlri %lu as4_merged %lu treat_as_withdraw %lu "
           "discarded %lu skipped %lu resets %lu errors %lu%s time %.2fs\n",
           file, c.records, c.rib_entries, c.rib_prefixes, c.updates, c.announced, c.withdrawn,
           c.eor, c.opens, c.notifications, c.keepalives, c.refreshes, c.state_changes,
           c.opaque_nlri, c.as4_merged, c.treat_as_withdraw, c.discarded, c.skipped, c.resets,
           c.errors, truncated ? " (truncated)" : "", secs);
    total->records += c.records;
    total->resets += c.resets;
    total->errors += c.errors;
    return 0;
}

int
main(int argc, char **argv)
{
    struct mrt_counts total;
    int opt, failed = 0;

    while ((opt = getopt(argc, argv, "v")) != -1) {
        switch (opt) {
        case 'v': verbose = true; break;
        default: fprintf(stderr, "usage: %s [-v] FILE...\n", argv[0]); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: %s [-v] FILE...\n", argv[0]);
        return 2;
    }
    memset(&total, 0, sizeof(total));
    for (int i = optind; i < argc; i++)
        if (dump_file(argv[i], &total) < 0)
            failed++;
    printf("total: files %d records %lu resets %lu errors %lu\n", argc - optind, total.records,
           total.resets, total.errors);
    return failed || total.errors || total.resets ? 1 : 0;
}
