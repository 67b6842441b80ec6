/*
 * bench_bgp.h: the receiving end of one BGP session, as small as a benchmark needs.
 *
 * It answers OPEN (4-octet AS, IPv4 and IPv6 unicast, route refresh) and KEEPALIVE and counts
 * the prefixes of every UPDATE per family (NLRI and withdrawn routes of RFC 4271 4.3, MP_REACH
 * and MP_UNREACH of RFC 4760) without keeping them: it is meant to be faster than whatever
 * sends to it. No ADD-PATH (not offered), no route storage.
 */
#ifndef BENCH_BGP_H
#define BENCH_BGP_H

#include <stddef.h>
#include <stdint.h>

struct bench_counts {
    uint64_t ann4, ann6; /* prefixes announced, per family */
    uint64_t wd4, wd6;   /* prefixes withdrawn */
    uint64_t updates;    /* UPDATE messages */
    uint64_t other;      /* prefixes of other families (counted, not told apart) */
};

struct bench_session {
    int fd;
    uint32_t local_as;
    uint32_t router_id; /* network order */
    uint16_t hold;
    int established;  /* OPEN received and our KEEPALIVE sent */
    double last_keep; /* when we last sent a KEEPALIVE (monotonic seconds) */
    struct bench_counts counts;
    size_t len; /* bytes buffered in buf */
    uint8_t buf[1 << 18];
};

/* Seconds, CLOCK_REALTIME (comparable across processes) and CLOCK_MONOTONIC. */
double bench_wall(void);
double bench_mono(void);

/* A listening TCP socket on ADDR (IPv4 or IPv6 text) and PORT, or -1 with a message. */
int bench_listen(const char *addr, unsigned port);

/* Starts a session on an accepted socket: sends our OPEN. */
int bench_session_start(struct bench_session *s, int fd, uint32_t local_as, uint32_t router_id,
                        uint16_t hold);
/*
 * Reads what is there and handles every complete message. Returns 1 when the session goes on,
 * 0 when the peer closed or sent a NOTIFICATION (why in `why`), -1 on an error (why in `why`).
 */
int bench_session_read(struct bench_session *s, char *why, size_t why_len);
/* Sends a KEEPALIVE when a third of the hold time has passed since the last one. */
int bench_session_tick(struct bench_session *s);

#endif /* BENCH_BGP_H */
