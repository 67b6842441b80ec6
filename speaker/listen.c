/* listen.c: TCP listeners for incoming BGP connections (see listen.h). */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "log.h"
#include "sockopt.h"

struct listener {
    struct listener *next;
    struct speaker *sp;
    struct evconnlistener *l;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    /* RFC 5082 GTSM minimum TTL that every neighbor served here asks for (0: one does not). Set
     * on the listening socket, so the accepted socket has it from the first segment: setting it
     * only after accept() lets an OPEN that arrived in between through. */
    int min_ttl;
    bool any;
};

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *remote, int remote_len,
          void *arg)
{
    struct listener *li = arg;
    struct sockaddr_storage local;
    socklen_t llen = sizeof(local);
    char text[INET6_ADDRSTRLEN] = "?";

    (void)l;
    (void)remote_len;
    if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0)
        llen = 0;
    struct peer *p = speaker_find_peer(li->sp, remote, llen ? (struct sockaddr *)&local : NULL);
    if (!p) {
        if (remote->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)remote)->sin_addr, text, sizeof(text));
        else
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)remote)->sin6_addr, text, sizeof(text));
        log_info("refused a connection from %s: not a configured neighbor", text);
        close(fd);
        return;
    }
    evutil_make_socket_nonblocking(fd);
    peer_accept(p, fd);
}

static void
listener_add(struct speaker *sp, const struct conf_neighbor *c)
{
    struct sockaddr_storage ss;
    socklen_t len;
    uint16_t port = c->listen ? c->listen : 179;
    int af = c->local_address.af ? c->local_address.af : c->peer_address.af;

    memset(&ss, 0, sizeof(ss));
    if (af == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        if (c->local_address.af == AF_INET)
            memcpy(&sin->sin_addr, c->local_address.bytes, 4);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        if (c->local_address.af == AF_INET6)
            memcpy(&sin6->sin6_addr, c->local_address.bytes, 16);
        len = sizeof(*sin6);
    }
    struct listener *li;
    for (li = sp->listeners; li; li = li->next)
        if (li->addr_len == len && memcmp(&li->addr, &ss, len) == 0)
            break;
    if (!li) {
        li = calloc(1, sizeof(*li));
        if (!li)
            return;
        li->sp = sp;
        li->addr = ss;
        li->addr_len = len;
        li->l = evconnlistener_new_bind(sp->base, accept_cb, li,
                                        LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE |
                                            LEV_OPT_CLOSE_ON_EXEC,
                                        64, (struct sockaddr *)&ss, (int)len);
        char text[INET6_ADDRSTRLEN] = "*";
        if (c->local_address.af)
            inet_ntop(af, c->local_address.bytes, text, sizeof(text));
        if (!li->l) {
            log_error("cannot listen on %s port %u: %s (neighbor %s still connects out)", text,
                      port, strerror(errno), c->peer_address.text ? c->peer_address.text : "?");
            free(li);
            return;
        }
        log_info("listening on %s port %u", text, port);
        li->next = sp->listeners;
        sp->listeners = li;
    }
    int want = c->incoming_ttl > 0 ? c->incoming_ttl : 0;
    int min_ttl = !li->any                          ? want
                  : (want == 0 || li->min_ttl == 0) ? 0
                                                    : (want < li->min_ttl ? want : li->min_ttl);
    if (min_ttl != li->min_ttl || !li->any) {
        /* Lowering it (a neighbor without GTSM shares the listener) needs the option cleared. */
        int v = min_ttl;
        int fd = evconnlistener_get_fd(li->l);
        int v6 = af == AF_INET6;
        if ((min_ttl > 0 || li->any) &&
            setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MINHOPCOUNT : IP_MINTTL, &v,
                       sizeof(v)) < 0)
            log_error("minimum TTL on the listener: %s", strerror(errno));
    }
    li->min_ttl = min_ttl;
    li->any = true;
    if (c->md5_password) {
        struct sockaddr_storage peer;
        socklen_t plen;
        memset(&peer, 0, sizeof(peer));
        if (c->peer_address.af == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&peer;
            sin->sin_family = AF_INET;
            memcpy(&sin->sin_addr, c->peer_address.bytes, 4);
            plen = sizeof(*sin);
        } else {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&peer;
            sin6->sin6_family = AF_INET6;
            memcpy(&sin6->sin6_addr, c->peer_address.bytes, 16);
            plen = sizeof(*sin6);
        }
        if (sockopt_md5(evconnlistener_get_fd(li->l), (struct sockaddr *)&peer, plen,
                        c->md5_password) < 0)
            log_error("TCP MD5 on the listener for %s: %s", c->peer_address.text, strerror(errno));
    }
}

void
listen_neighbor(struct speaker *sp, const struct conf_neighbor *c)
{
    listener_add(sp, c);
}

void
listen_start(struct speaker *sp)
{
    for (size_t i = 0; i < sp->npeers; i++)
        listener_add(sp, sp->peers[i]->cfg);
}

void
listen_stop(struct speaker *sp)
{
    struct listener *li, *next;
    for (li = sp->listeners; li; li = next) {
        next = li->next;
        evconnlistener_free(li->l);
        free(li);
    }
    sp->listeners = NULL;
}
