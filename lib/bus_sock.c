/*
 * bus_sock: one nng socket of a bus endpoint: protocol, buffer options, the address (ipc://,
 * tcp://, tls+tcp:// with mutual TLS), and a close that cannot hang the caller.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "bus_int.h"
#include "log.h"

#define BUS_PEM_MAX (1024 * 1024)

const char *
bus_strerror(int err)
{
    if (err == 0)
        return "ok";
    if (err > 0 || err == INT_MIN)
        return "unknown error";
    return nng_strerror(-err);
}

static bool
bus_url_has_scheme(const char *url, const char *scheme)
{
    return strncmp(url, scheme, strlen(scheme)) == 0;
}

/* Reads a whole PEM file, NUL-terminated as mbedTLS's parser wants it. */
static int
bus_read_pem(const char *path, char **out)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t len = 0;
    int rv = 0;

    if (f == NULL) {
        rv = errno;
        log_error("bus: cannot open %s: %s", path, strerror(rv));
        return BUS_ESYS(rv);
    }
    buf = malloc(BUS_PEM_MAX + 1);
    if (buf == NULL) {
        fclose(f);
        return BUS_ENOMEM;
    }
    len = fread(buf, 1, BUS_PEM_MAX + 1, f);
    if (ferror(f)) {
        rv = BUS_ESYS(EIO);
        log_error("bus: cannot read %s", path);
    } else if (len > BUS_PEM_MAX) {
        rv = BUS_EMSGSIZE;
        log_error("bus: %s is larger than %d bytes", path, BUS_PEM_MAX);
    }
    fclose(f);
    if (rv != 0) {
        free(buf);
        return rv;
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

/*
 * A server with a CA requires and verifies client certificates (mutual TLS); a client always
 * verifies the server against its CA and the expected name. TLS 1.2: what mbedTLS 2.28 in
 * Debian's nng speaks.
 */
static int
bus_tls_config(nng_tls_config **out, const struct bus_tls *tls, bool server)
{
    nng_tls_config *cfg = NULL;
    char *cert = NULL;
    char *key = NULL;
    int rv;

    if (tls == NULL) {
        log_error("bus: tls+tcp:// needs certificates (struct bus_tls)");
        return BUS_EINVAL;
    }
    if (server && (tls->cert == NULL || tls->key == NULL)) {
        log_error("bus: a TLS server needs a certificate and a key");
        return BUS_EINVAL;
    }
    if (!server && (tls->ca == NULL || tls->server_name == NULL)) {
        log_error("bus: a TLS client needs a CA and the server's name to verify it");
        return BUS_EINVAL;
    }
    if ((tls->cert == NULL) != (tls->key == NULL)) {
        log_error("bus: TLS certificate and key go together");
        return BUS_EINVAL;
    }
    rv = nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT);
    if (rv != 0) {
        log_error("bus: TLS unavailable in this nng (%s): %s", nng_tls_engine_name(),
                  nng_strerror(rv));
        return bus_nng_err(rv);
    }
    if ((rv = nng_tls_config_version(cfg, NNG_TLS_1_2, NNG_TLS_1_2)) != 0)
        goto nng_fail;
    if (tls->cert != NULL) {
        int r2;

        if ((r2 = bus_read_pem(tls->cert, &cert)) != 0 ||
            (r2 = bus_read_pem(tls->key, &key)) != 0) {
            free(cert);
            nng_tls_config_free(cfg);
            return r2;
        }
        rv = nng_tls_config_own_cert(cfg, cert, key, NULL);
        free(cert);
        /* The key stays in our heap no longer than needed. */
        explicit_bzero(key, strlen(key));
        free(key);
        if (rv != 0) {
            log_error("bus: TLS certificate %s / key %s rejected: %s", tls->cert, tls->key,
                      nng_strerror(rv));
            nng_tls_config_free(cfg);
            return bus_nng_err(rv);
        }
    }
    if (tls->ca != NULL) {
        if ((rv = nng_tls_config_ca_file(cfg, tls->ca)) != 0) {
            log_error("bus: TLS CA file %s rejected: %s", tls->ca, nng_strerror(rv));
            nng_tls_config_free(cfg);
            return bus_nng_err(rv);
        }
    }
    rv = nng_tls_config_auth_mode(cfg, tls->ca != NULL ? NNG_TLS_AUTH_MODE_REQUIRED
                                                       : NNG_TLS_AUTH_MODE_NONE);
    if (rv != 0)
        goto nng_fail;
    if (!server && (rv = nng_tls_config_server_name(cfg, tls->server_name)) != 0)
        goto nng_fail;
    *out = cfg;
    return 0;

nng_fail:
    log_error("bus: TLS configuration failed: %s", nng_strerror(rv));
    nng_tls_config_free(cfg);
    return bus_nng_err(rv);
}

static int
bus_sock_protocol(nng_socket *s, enum bus_kind kind)
{
    switch (kind) {
    case BUS_KIND_REP: return nng_rep0_open_raw(s);
    case BUS_KIND_REQ: return nng_req0_open_raw(s);
    case BUS_KIND_PUB: return nng_pub0_open(s);
    case BUS_KIND_SUB: return nng_sub0_open(s);
    }
    return NNG_EINVAL;
}

static int
bus_sock_options(struct bus_sock *bs, enum bus_kind kind, const struct bus_opts *opts)
{
    bool receives = kind != BUS_KIND_PUB;
    bool sends = kind != BUS_KIND_SUB;
    size_t recv_max = opts->recv_max != 0 ? opts->recv_max : BUS_RECV_MAX_DEFAULT;
    int recv_queue = opts->recv_queue != 0 ? opts->recv_queue : BUS_QUEUE_MAX;
    int send_queue = opts->send_queue != 0 ? opts->send_queue : BUS_QUEUE_MAX;
    int rv;

    if (recv_queue < 0 || recv_queue > BUS_QUEUE_MAX || send_queue < 0 ||
        send_queue > BUS_QUEUE_MAX)
        return NNG_EINVAL;
    if (receives) {
        if ((rv = nng_socket_set_size(bs->sock, NNG_OPT_RECVMAXSZ, recv_max)) != 0 ||
            (rv = nng_socket_set_int(bs->sock, NNG_OPT_RECVBUF, recv_queue)) != 0)
            return rv;
    }
    if (sends && (rv = nng_socket_set_int(bs->sock, NNG_OPT_SENDBUF, send_queue)) != 0)
        return rv;
    if (kind == BUS_KIND_REQ || kind == BUS_KIND_SUB) {
        /* Back on a restarted speaker within a second. */
        if ((rv = nng_socket_set_ms(bs->sock, NNG_OPT_RECONNMINT, 100)) != 0 ||
            (rv = nng_socket_set_ms(bs->sock, NNG_OPT_RECONNMAXT, 1000)) != 0)
            return rv;
    }
    return 0;
}

static int
bus_sock_listen(struct bus_sock *bs, nng_tls_config *tls)
{
    int rv;

    if (bus_url_has_scheme(bs->url, "ipc://")) {
        int prv = bus_ipc_prepare(bs->url + strlen("ipc://"));

        if (prv != 0)
            return -prv;
    }
    if ((rv = nng_listener_create(&bs->listener, bs->sock, bs->url)) != 0)
        return rv;
    if (bus_url_has_scheme(bs->url, "ipc://") &&
        (rv = nng_listener_set_int(bs->listener, NNG_OPT_IPC_PERMISSIONS, 0600)) != 0)
        return rv;
    if (tls != NULL && (rv = nng_listener_set_ptr(bs->listener, NNG_OPT_TLS_CONFIG, tls)) != 0)
        return rv;
    return nng_listener_start(bs->listener, 0);
}

static int
bus_sock_dial(struct bus_sock *bs, nng_tls_config *tls, bool async)
{
    int rv;

    if ((rv = nng_dialer_create(&bs->dialer, bs->sock, bs->url)) != 0)
        return rv;
    if (tls != NULL && (rv = nng_dialer_set_ptr(bs->dialer, NNG_OPT_TLS_CONFIG, tls)) != 0)
        return rv;
    return nng_dialer_start(bs->dialer, async ? NNG_FLAG_NONBLOCK : 0);
}

int
bus_sock_open(struct bus_sock *bs, enum bus_kind kind, const struct bus_opts *opts)
{
    static const struct bus_opts defaults = { 0 };
    enum bus_channel channel =
        kind == BUS_KIND_REP || kind == BUS_KIND_REQ ? BUS_CHANNEL_COMMAND : BUS_CHANNEL_EVENTS;
    nng_tls_config *tls = NULL;
    int rv;

    *bs = (struct bus_sock){ .sock = NNG_SOCKET_INITIALIZER };
    if (opts == NULL)
        opts = &defaults;
    bs->is_listener = kind == BUS_KIND_REP || kind == BUS_KIND_PUB;
    if (opts->url != NULL) {
        if (snprintf(bs->url, sizeof(bs->url), "%s", opts->url) >= (int)sizeof(bs->url))
            return BUS_EINVAL;
    } else if ((rv = bus_default_url(channel, bs->url, sizeof(bs->url))) != 0) {
        return rv;
    }
    bs->is_tls = bus_url_has_scheme(bs->url, "tls+tcp");
    if (bs->is_tls && (rv = bus_tls_config(&tls, opts->tls, bs->is_listener)) != 0)
        return rv;
    if ((rv = bus_sock_protocol(&bs->sock, kind)) != 0) {
        if (tls != NULL)
            nng_tls_config_free(tls);
        log_error("bus: cannot open an nng socket: %s", nng_strerror(rv));
        return bus_nng_err(rv);
    }
    bs->is_open = true;
    rv = bus_sock_options(bs, kind, opts);
    if (rv == 0)
        rv = bs->is_listener ? bus_sock_listen(bs, tls) : bus_sock_dial(bs, tls, opts->dial_async);
    /* The listener or dialer holds its own reference. */
    if (tls != NULL)
        nng_tls_config_free(tls);
    if (rv != 0) {
        log_error("bus: cannot %s %s: %s", bs->is_listener ? "listen on" : "connect to", bs->url,
                  nng_strerror(rv));
        bus_sock_close(bs);
        return bus_nng_err(rv);
    }
    log_debug("bus: %s %s", bs->is_listener ? "listening on" : "connected to", bs->url);
    return 0;
}

int
bus_sock_fd(struct bus_sock *bs, const char *opt, int *fd)
{
    int rv = nng_socket_get_int(bs->sock, opt, fd);

    if (rv != 0)
        log_error("bus: cannot get %s of %s: %s", opt, bs->url, nng_strerror(rv));
    return bus_nng_err(rv);
}

int
bus_sock_port(const struct bus_sock *bs)
{
    int port;
    int rv;

    if (!bs->is_listener || (!bus_url_has_scheme(bs->url, "tcp") && !bs->is_tls))
        return BUS_EINVAL;
    if ((rv = nng_listener_get_int(bs->listener, NNG_OPT_TCP_BOUND_PORT, &port)) != 0)
        return bus_nng_err(rv);
    return port;
}

/*
 * nng 1.5.2's nng_close() can hang on TLS sockets. The close runs in a detached thread; we wait
 * for it BUS_CLOSE_WAIT_MS at most, then leave it to finish (or not) on its own. Nothing of ours
 * is shared with that thread but this small record, freed by whichever side lets go last.
 */
struct bus_closer {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;
    nng_socket sock;
    bool done;
    int refs;
};

static void
bus_closer_release(struct bus_closer *cl)
{
    int refs;

    pthread_mutex_lock(&cl->lock);
    refs = --cl->refs;
    pthread_mutex_unlock(&cl->lock);
    if (refs == 0) {
        pthread_cond_destroy(&cl->done_cv);
        pthread_mutex_destroy(&cl->lock);
        free(cl);
    }
}

static void *
bus_closer_main(void *arg)
{
    struct bus_closer *cl = arg;

    nng_close(cl->sock);
    pthread_mutex_lock(&cl->lock);
    cl->done = true;
    pthread_cond_signal(&cl->done_cv);
    pthread_mutex_unlock(&cl->lock);
    bus_closer_release(cl);
    return NULL;
}

static void
bus_close_bounded(nng_socket sock, const char *url)
{
    struct bus_closer *cl = calloc(1, sizeof(*cl));
    pthread_condattr_t ca;
    pthread_attr_t ta;
    pthread_t tid;
    struct timespec deadline;
    bool started;
    bool done;

    if (cl == NULL || pthread_condattr_init(&ca) != 0) {
        free(cl);
        nng_close(sock);
        return;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&cl->done_cv, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        free(cl);
        nng_close(sock);
        return;
    }
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&cl->lock, NULL);
    cl->sock = sock;
    cl->refs = 2;
    started = false;
    if (pthread_attr_init(&ta) == 0) {
        started = pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED) == 0 &&
                  pthread_create(&tid, &ta, bus_closer_main, cl) == 0;
        pthread_attr_destroy(&ta);
    }
    if (!started) {
        log_warn("bus: no thread to close %s; closing inline", url);
        pthread_cond_destroy(&cl->done_cv);
        pthread_mutex_destroy(&cl->lock);
        free(cl);
        nng_close(sock);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += BUS_CLOSE_WAIT_MS / 1000;
    deadline.tv_nsec += (long)(BUS_CLOSE_WAIT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&cl->lock);
    while (!cl->done) {
        if (pthread_cond_timedwait(&cl->done_cv, &cl->lock, &deadline) != 0)
            break;
    }
    done = cl->done;
    pthread_mutex_unlock(&cl->lock);
    if (!done)
        log_warn("bus: closing %s did not finish in %d ms; left to a background thread", url,
                 BUS_CLOSE_WAIT_MS);
    bus_closer_release(cl);
}

void
bus_sock_close(struct bus_sock *bs)
{
    if (!bs->is_open)
        return;
    bs->is_open = false;
    if (bs->is_tls)
        bus_close_bounded(bs->sock, bs->url);
    else
        nng_close(bs->sock);
    bs->sock = (nng_socket)NNG_SOCKET_INITIALIZER;
}
