/* sockopt.c: the socket options a BGP session needs (TCP MD5, TTL, GTSM). */
#include "sockopt.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

int
sockopt_md5(int fd, const struct sockaddr *peer, socklen_t peer_len, const char *password)
{
    /* RFC 2385 via Linux TCP_MD5SIG: the key is bound to the peer's address. An empty key
     * removes it (used when a listener stops serving a peer). */
    struct tcp_md5sig sig;
    size_t len = password ? strlen(password) : 0;

    if (len > TCP_MD5SIG_MAXKEYLEN) {
        errno = EINVAL;
        return -1;
    }
    memset(&sig, 0, sizeof(sig));
    if (peer_len > sizeof(sig.tcpm_addr)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&sig.tcpm_addr, peer, peer_len);
    sig.tcpm_keylen = (uint16_t)len;
    if (len)
        memcpy(sig.tcpm_key, password, len);
    return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

int
sockopt_ttl(int fd, int family, int outgoing_ttl, int incoming_min_ttl)
{
    int v6 = family == AF_INET6;

    if (outgoing_ttl > 0) {
        int ttl = outgoing_ttl;
        if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl,
                       sizeof(ttl)) < 0)
            return -1;
    }
    if (incoming_min_ttl > 0) {
        /* RFC 5082 (GTSM): drop what arrives with a smaller TTL than the peer's distance allows. */
        int min = incoming_min_ttl;
        if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, &min,
                       sizeof(min)) < 0)
            return -1;
    }
    return 0;
}

void
sockopt_session(int fd)
{
    int one = 1;
    /* BGP messages are written whole; waiting for Nagle only delays KEEPALIVEs and EORs. */
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
        log_debug("TCP_NODELAY: %s", strerror(errno));
    /* RFC 4271 5.1.1 favours CS6 for routing protocol traffic (DSCP 48). */
    int tos = 0xc0;
    (void)setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}
