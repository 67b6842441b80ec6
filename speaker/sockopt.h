/* sockopt.h: the socket options a BGP session needs (TCP MD5, TTL, GTSM). */
#ifndef BGPBUS_SPEAKER_SOCKOPT_H
#define BGPBUS_SPEAKER_SOCKOPT_H

#include <sys/socket.h>

/* TCP MD5 signature (RFC 2385) for one peer address; NULL or "" password removes it. -1/errno. */
int sockopt_md5(int fd, const struct sockaddr *peer, socklen_t peer_len, const char *password);
/* Outgoing TTL / hop limit, and the minimum accepted (RFC 5082 GTSM); <= 0 leaves it. -1/errno. */
int sockopt_ttl(int fd, int family, int outgoing_ttl, int incoming_min_ttl);
/* TCP_NODELAY and the CS6 traffic class. Failures are logged, not fatal. */
void sockopt_session(int fd);

#endif
