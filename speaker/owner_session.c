/* owner_session.c: routes tied to the life of their owner (see owner_session.h). */
#include "owner_session.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "adjout.h"
#include "log.h"

struct owner_session {
    struct owner_session *next;
    struct speaker *sp;
    uint32_t owner; /* interned owner id */
    uint32_t heartbeat_s;
    uint32_t pipe; /* the bus connection that opened it (0: unknown) */
    bool withdraw;
    struct event *timer;
};

static void
session_end(struct owner_session *os, const char *why)
{
    struct speaker *sp = os->sp;
    struct owner_session **pp = &sp->owner_sessions;

    while (*pp && *pp != os)
        pp = &(*pp)->next;
    if (*pp)
        *pp = os->next;
    if (os->withdraw) {
        size_t n = 0;
        for (size_t i = 0; i < sp->npeers; i++) {
            n += adjout_withdraw_all(sp->peers[i]->adjout, os->owner);
            if (sp->peers[i]->cfg->auto_flush)
                adjout_flush(sp->peers[i]->adjout);
        }
        log_info("owner %s %s: %zu route(s) withdrawn", sp->owners[os->owner], why, n);
    } else {
        log_info("owner %s %s", sp->owners[os->owner], why);
    }
    event_free(os->timer);
    free(os);
}

static void
expired_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    session_end(arg, "missed its heartbeat");
}

static struct owner_session *
find(struct speaker *sp, uint32_t owner)
{
    for (struct owner_session *os = sp->owner_sessions; os; os = os->next)
        if (os->owner == owner)
            return os;
    return NULL;
}

static void
arm(struct owner_session *os)
{
    if (os->heartbeat_s == 0) {
        evtimer_del(os->timer);
        return;
    }
    struct timeval tv = { .tv_sec = os->heartbeat_s, .tv_usec = 0 };
    evtimer_add(os->timer, &tv);
}

int
owner_session_set(struct speaker *sp, const char *owner, bool withdraw, uint32_t heartbeat_s,
                  bool end, uint32_t pipe, const char **why)
{
    if (!owner || !*owner) {
        *why = "an owner session needs an owner name";
        return -1;
    }
    uint32_t id = speaker_owner_id(sp, owner);
    struct owner_session *os = find(sp, id);
    if (end) {
        if (os)
            session_end(os, "ended its session");
        return 0;
    }
    if (!os) {
        os = calloc(1, sizeof(*os));
        if (!os || !(os->timer = evtimer_new(sp->base, expired_cb, os))) {
            free(os);
            *why = "out of memory";
            return -1;
        }
        os->sp = sp;
        os->owner = id;
        os->next = sp->owner_sessions;
        sp->owner_sessions = os;
    }
    os->withdraw = withdraw;
    os->heartbeat_s = heartbeat_s;
    os->pipe = pipe; /* a new OwnerSession moves the session to its connection */
    arm(os);
    return 0;
}

void
owner_session_touch(struct speaker *sp, const char *owner)
{
    if (!owner || !sp->owner_sessions)
        return;
    for (struct owner_session *os = sp->owner_sessions; os; os = os->next)
        if (strcmp(sp->owners[os->owner], owner) == 0) {
            arm(os);
            return;
        }
}

void
owner_session_pipe_closed(struct bus_server *srv, void *arg, uint32_t pipe)
{
    struct speaker *sp = arg;
    struct owner_session *os = sp->owner_sessions, *next;

    (void)srv;
    for (; os; os = next) {
        next = os->next;
        if (pipe != 0 && os->pipe == pipe)
            session_end(os, "closed its bus connection");
    }
}

void
owner_session_free_all(struct speaker *sp)
{
    while (sp->owner_sessions) {
        struct owner_session *os = sp->owner_sessions;
        sp->owner_sessions = os->next;
        event_free(os->timer);
        free(os);
    }
}
