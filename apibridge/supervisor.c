/*
 * supervisor: the helper processes' lives, as ExaBGP 4.2 runs them.
 *
 * SPEC 1.3: fork + exec of the `run` argv, no shell, a new process group, stdin/stdout pipes,
 * stderr inherited, the bridge's environment with TERM=dumb, working directory "/" and the
 * umask exabgp.daemon.umask. SPEC 1.6: respawn when it dies, at most 5 times per 64-second
 * bucket; then ExaBGP 4.2 exits, main leaves the helper dead: the bridge does the latter (one
 * helper must not take a shared speaker's other clients down) and says so in the log.
 * SPEC 1.7: on shutdown the shutdown event, 0.1 s, SIGTERM, SIGKILL after 2 s (main).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "bridge.h"
#include "log.h"

int
supervisor_start(struct helper *h)
{
    int in[2], out[2];

    if (pipe2(in, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++)
            signal(s, SIG_DFL);
        /* SPEC 1.3: its own process group, so signals to ours do not reach it. */
        setpgid(0, 0);
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
            _exit(127);
        if (chdir("/") < 0)
            _exit(127);
        umask(h->br->env.daemon.umask);
        execv(h->path, (char *const *)h->proc->argv);
        fprintf(stderr, "bgpbus-apibridge: process %s: cannot run %s: %s\n", h->name, h->path,
                strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    h->pid = pid;
    h->to_fd = in[1];
    h->from_fd = out[0];
    h->generation++;
    h->stopping = false;
    if (helper_io_attach(h) < 0) {
        log_error("process %s: cannot watch its pipes: %s", h->name, strerror(errno));
        kill(pid, SIGKILL);
        helper_io_detach(h);
        return -1;
    }
    log_info("process %s started, pid %ld: %s", h->name, (long)pid, h->path);
    return 0;
}

void
supervisor_stop(struct helper *h)
{
    /* Its batched route lines still reach the speaker: ExaBGP ran what it had read. */
    dispatch_flush(h);
    if (h->pid <= 0) {
        helper_io_detach(h);
        return;
    }
    pid_t pid = h->pid;
    /* An answer written just before (`restart in progress`, done) goes out if it fits. */
    if (h->to_fd >= 0)
        helper_flush_out(h);
    helper_io_detach(h);
    h->pid = 0;
    h->generation++;
    h->given_up = false;
    if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
        log_warn("process %s: cannot signal pid %ld: %s", h->name, (long)pid, strerror(errno));
    log_info("process %s (pid %ld) stopped", h->name, (long)pid);
}

/* SPEC 1.6: the 64-second bucket (int(now) & 0xFFFFC0) and its count. */
static bool
supervisor_may_respawn(struct helper *h)
{
    if (!h->proc->respawn || !h->br->env.api.respawn)
        return false;
    time_t now = time(NULL);
    time_t bucket = now - (now % BRIDGE_RESPAWN_BUCKET);
    if (bucket != h->bucket) {
        h->bucket = bucket;
        h->deaths = 0;
    }
    h->deaths++;
    return h->deaths <= BRIDGE_RESPAWN_LIMIT;
}

void
supervisor_died(struct helper *h, const char *why)
{
    if (h->pid <= 0)
        return;
    pid_t pid = h->pid;
    helper_io_detach(h);
    h->pid = 0;
    /* ExaBGP terminates what is left of it before starting a new one. */
    if (kill(pid, 0) == 0) {
        kill(pid, SIGTERM);
    }
    /* Its pending lines still get their Requests' effects, but no answer (it is gone). */
    h->generation++;
    if (h->br->shutting_down)
        return;
    log_warn("process %s (pid %ld) died: %s", h->name, (long)pid, why);
    if (supervisor_may_respawn(h)) {
        if (supervisor_start(h) == 0)
            return;
        log_error("process %s: respawn failed: %s", h->name, strerror(errno));
    } else if (h->proc->respawn && h->br->env.api.respawn) {
        log_error("Too many death for %s (%d) terminating program: process %s is given up "
                  "(more than %d respawns within %d seconds)",
                  h->name, BRIDGE_RESPAWN_LIMIT, h->name, BRIDGE_RESPAWN_LIMIT,
                  BRIDGE_RESPAWN_BUCKET);
    } else {
        log_warn("process %s is not respawned (respawn disabled)", h->name);
    }
    h->given_up = true;
    if (h->withdraw_on_exit)
        memory_withdraw_helper(h);
}

void
supervisor_reap(struct bridge *br)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (size_t i = 0; i < br->nhelpers; i++) {
            struct helper *h = br->helpers[i];
            if (h->pid != pid)
                continue;
            char why[64];
            if (WIFEXITED(st))
                snprintf(why, sizeof(why), "exited with status %d", WEXITSTATUS(st));
            else
                snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(st));
            supervisor_died(h, why);
        }
    }
}

/* ---- shutdown ------------------------------------------------------------------------------- */

struct stop_state {
    struct bridge *br;
    struct event *timer;
    int ticks;
    pid_t *pids;
    size_t npids;
};

static bool
stop_all_gone(struct stop_state *s)
{
    bool gone = true;
    for (size_t i = 0; i < s->npids; i++) {
        if (s->pids[i] <= 0)
            continue;
        int st;
        pid_t r = waitpid(s->pids[i], &st, WNOHANG);
        if (r == s->pids[i] || (r < 0 && errno == ECHILD))
            s->pids[i] = 0;
        else
            gone = false;
    }
    return gone;
}

static void
stop_tick(evutil_socket_t fd, short what, void *arg)
{
    struct stop_state *s = arg;
    (void)fd;
    (void)what;
    s->ticks++;
    if (s->ticks == 1) {
        /* SPEC 1.7: 0.1 s after the shutdown event, SIGTERM. */
        for (size_t i = 0; i < s->npids; i++)
            if (s->pids[i] > 0)
                kill(s->pids[i], SIGTERM);
    }
    if (stop_all_gone(s) || s->ticks > 21) {
        for (size_t i = 0; i < s->npids; i++)
            if (s->pids[i] > 0) {
                log_warn("helper pid %ld ignored SIGTERM for 2 s: SIGKILL", (long)s->pids[i]);
                kill(s->pids[i], SIGKILL);
                waitpid(s->pids[i], NULL, 0);
            }
        event_free(s->timer);
        free(s->pids);
        struct bridge *br = s->br;
        free(s);
        event_base_loopexit(br->base, NULL);
        return;
    }
    struct timeval tv = { 0, 100000 };
    event_add(s->timer, &tv);
}

void
supervisor_shutdown(struct bridge *br)
{
    struct exa_buf buf;
    struct stop_state *s = calloc(1, sizeof(*s));

    br->shutting_down = true;
    exa_buf_init(&buf);
    if (s)
        s->pids = calloc(br->nhelpers ? br->nhelpers : 1, sizeof(*s->pids));
    for (size_t i = 0; i < br->nhelpers; i++) {
        struct helper *h = br->helpers[i];
        if (!helper_running(h))
            continue;
        exa_buf_reset(&buf);
        if (h->proc->encoder == CONF_ENCODER_JSON)
            exa_json_shutdown(&br->exa, &buf);
        else
            exa_text_shutdown(br->exa.pid, br->exa.ppid, &buf);
        helper_write(h, buf.data, buf.len, false);
        /* What it could not take now it will not get: nothing is written after this. */
        h->stopping = true;
        if (s && s->pids)
            s->pids[s->npids++] = h->pid;
        if (h->ev_read)
            event_del(h->ev_read);
    }
    exa_buf_free(&buf);
    if (!s || !s->pids || !(s->timer = evtimer_new(br->base, stop_tick, s))) {
        for (size_t i = 0; i < br->nhelpers; i++)
            if (br->helpers[i]->pid > 0)
                kill(br->helpers[i]->pid, SIGTERM);
        if (s)
            free(s->pids);
        free(s);
        event_base_loopexit(br->base, NULL);
        return;
    }
    s->br = br;
    struct timeval tv = { 0, 100000 };
    event_add(s->timer, &tv);
}
