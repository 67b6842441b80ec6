/*
 * helper_io: the two pipes of a helper. Commands are read as they arrive (SPEC 1.4) and handed
 * to dispatch.c line by line; answers leave in command order (SPEC 0.1, 6); every write is
 * non-blocking through a per-helper buffer, so a helper that stops reading costs only its own
 * events (ARCHITECTURE: "never a stalled speaker or other helper").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bridge.h"
#include "log.h"

bool
helper_running(const struct helper *h)
{
    return h->pid > 0 && h->to_fd >= 0;
}

static int
buf_reserve(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 4096;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    char *n = realloc(*buf, ncap);
    if (!n)
        return -1;
    *buf = n;
    *cap = ncap;
    return 0;
}

static double
monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
helper_flush_out(struct helper *h)
{
    while (h->out_len > h->out_off) {
        ssize_t w = write(h->to_fd, h->out + h->out_off, h->out_len - h->out_off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            /* EPIPE: it closed its stdin; its death is seen on stdout or SIGCHLD. */
            log_warn("process %s: write failed: %s", h->name, strerror(errno));
            h->out_off = h->out_len = 0;
            break;
        }
        h->out_off += (size_t)w;
        h->last_read = monotonic_now();
    }
    if (h->out_off == h->out_len) {
        h->out_off = h->out_len = 0;
        if (h->ev_write)
            event_del(h->ev_write);
        if (h->dropping) {
            log_warn("process %s reads again; %llu event(s) dropped so far", h->name,
                     (unsigned long long)h->dropped);
            h->dropping = false;
        }
    } else if (h->ev_write) {
        event_add(h->ev_write, NULL);
    }
}

void
helper_write(struct helper *h, const char *data, size_t len, bool is_event)
{
    if (!helper_running(h) || h->stopping)
        return;
    size_t pending = h->out_len - h->out_off;
    /* A helper that keeps reading is slow, not stuck: it may fall further behind before its
     * events are dropped. One that has read nothing for a while is stuck (ExaBGP 4.2 would block
     * on it; we drop its events instead and keep everyone else going). */
    size_t limit = h->br->out_limit;
    if (pending > 0 && monotonic_now() - h->last_read < BRIDGE_STUCK_SECS)
        limit *= BRIDGE_OUT_SLOW_FACTOR;
    if (is_event && pending + len > limit) {
        h->dropped++;
        if (!h->dropping) {
            log_warn("process %s does not read its stdin: dropping events (%llu so far)", h->name,
                     (unsigned long long)h->dropped);
            h->dropping = true;
        }
        return;
    }
    if (h->out_off > 0 && h->out_off == h->out_len)
        h->out_off = h->out_len = 0;
    if (h->out_off > 65536 && h->out_off * 2 > h->out_len) {
        memmove(h->out, h->out + h->out_off, h->out_len - h->out_off);
        h->out_len -= h->out_off;
        h->out_off = 0;
    }
    if (buf_reserve(&h->out, &h->out_cap, h->out_len + len) < 0) {
        log_error("process %s: out of memory for its output; %zu bytes lost", h->name, len);
        return;
    }
    memcpy(h->out + h->out_len, data, len);
    h->out_len += len;
    /* Write now unless earlier bytes are already waiting for the pipe. */
    if (pending == 0)
        helper_flush_out(h);
    else if (h->ev_write)
        event_add(h->ev_write, NULL);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    helper_flush_out(arg);
}

struct cmd *
helper_cmd_new(struct helper *h, const char *line, size_t len)
{
    struct cmd *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    /* line points into the input buffer and is not NUL-terminated: copy exactly len bytes
     * (strndup may look at line[len]). */
    c->line = malloc(len + 1);
    if (c->line) {
        memcpy(c->line, line, len);
        c->line[len] = '\0';
    }
    if (!c->line) {
        free(c);
        return NULL;
    }
    c->generation = h->generation;
    c->want_ack = h->ack;
    if (h->tail)
        h->tail->next = c;
    else
        h->head = c;
    h->tail = c;
    return c;
}

void
helper_cmd_answer(struct cmd *c, enum cmd_ack ack)
{
    c->ack = ack;
    c->ready = true;
}

void
helper_cmd_data(struct cmd *c, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t need = (size_t)n + 1;
    char *big = NULL;
    const char *src = tmp;
    if (need > sizeof(tmp)) {
        big = malloc(need + 1);
        if (!big)
            return;
        va_start(ap, fmt);
        vsnprintf(big, need + 1, fmt, ap);
        va_end(ap);
        src = big;
    }
    char *d = realloc(c->data, c->data_len + need + 1);
    if (d) {
        memcpy(d + c->data_len, src, (size_t)n);
        d[c->data_len + (size_t)n] = '\n';
        c->data_len += need;
        d[c->data_len] = '\0';
        c->data = d;
    }
    free(big);
}

static void
cmd_free(struct cmd *c)
{
    free(c->data);
    free(c->line);
    free(c);
}

void
helper_drain_acks(struct helper *h)
{
    while (h->head && h->head->ready) {
        struct cmd *c = h->head;
        h->head = c->next;
        if (!h->head)
            h->tail = NULL;
        /* Answers of a previous incarnation go nowhere (SPEC 1.6: no replay). */
        if (c->generation == h->generation) {
            if (c->data_len)
                helper_write(h, c->data, c->data_len, false);
            if (c->want_ack && c->ack != CMD_ACK_NONE)
                helper_write(h, c->ack == CMD_ACK_DONE ? "done\n" : "error\n",
                             c->ack == CMD_ACK_DONE ? 5 : 6, false);
        }
        cmd_free(c);
    }
}

void
helper_free_cmds(struct helper *h)
{
    while (h->head) {
        struct cmd *c = h->head;
        h->head = c->next;
        cmd_free(c);
    }
    h->tail = NULL;
}

/* Splits what was read into lines; returns -1 when the helper must be treated as dead. */
static int
helper_take_lines(struct helper *h)
{
    size_t start = 0;
    for (size_t i = 0; i < h->in_len; i++) {
        unsigned char ch = (unsigned char)h->in[i];
        /* SPEC 1.4: a non-ASCII byte fails ExaBGP's decode, which it treats as a death. */
        if (ch >= 0x80) {
            log_error("process %s wrote a non-ASCII byte; restarting it as ExaBGP does", h->name);
            return -1;
        }
        if (ch != '\n')
            continue;
        size_t end = i;
        /* SPEC 1.4: trailing whitespace is stripped. */
        while (end > start &&
               (h->in[end - 1] == ' ' || h->in[end - 1] == '\t' || h->in[end - 1] == '\r'))
            end--;
        dispatch_line(h, h->in + start, end - start);
        start = i + 1;
        if (!helper_running(h))
            return 0;
    }
    if (start > 0) {
        memmove(h->in, h->in + start, h->in_len - start);
        h->in_len -= start;
    }
    if (h->in_len > BRIDGE_LINE_MAX) {
        log_error("process %s: a line longer than %zu bytes; restarting it", h->name,
                  BRIDGE_LINE_MAX);
        return -1;
    }
    return 0;
}

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct helper *h = arg;
    (void)what;
    /* Bound the work per wakeup so other helpers and the bus get their turn. */
    for (int round = 0; round < 64; round++) {
        if (buf_reserve(&h->in, &h->in_cap, h->in_len + BRIDGE_READ_CHUNK) < 0) {
            log_error("process %s: out of memory reading its commands", h->name);
            break;
        }
        ssize_t r = read(fd, h->in + h->in_len, BRIDGE_READ_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (r <= 0) {
            dispatch_flush(h);
            supervisor_died(h, r == 0 ? "closed its stdout" : strerror(errno));
            return;
        }
        h->in_len += (size_t)r;
        if (helper_take_lines(h) < 0) {
            dispatch_flush(h);
            supervisor_died(h, "protocol violation");
            return;
        }
        if (!helper_running(h))
            return;
    }
    /* SPEC 1.4 + ARCHITECTURE: flush the batch when the pipe has no more data ready. */
    dispatch_flush(h);
}

int
helper_io_attach(struct helper *h)
{
    struct event_base *base = h->br->base;
    if (fcntl(h->to_fd, F_SETFL, fcntl(h->to_fd, F_GETFL) | O_NONBLOCK) < 0 ||
        fcntl(h->from_fd, F_SETFL, fcntl(h->from_fd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    h->ev_read = event_new(base, h->from_fd, EV_READ | EV_PERSIST, on_readable, h);
    h->ev_write = event_new(base, h->to_fd, EV_WRITE, on_writable, h);
    if (!h->ev_read || !h->ev_write || event_add(h->ev_read, NULL) < 0)
        return -1;
    return 0;
}

void
helper_io_detach(struct helper *h)
{
    if (h->ev_read)
        event_free(h->ev_read);
    if (h->ev_write)
        event_free(h->ev_write);
    h->ev_read = h->ev_write = NULL;
    if (h->to_fd >= 0)
        close(h->to_fd);
    if (h->from_fd >= 0)
        close(h->from_fd);
    h->to_fd = h->from_fd = -1;
    h->in_len = 0;
    h->out_off = h->out_len = 0;
    h->dropping = false;
}
