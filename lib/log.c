#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char log_ident[32] = "bgpbus";
static enum log_level log_threshold = LOG_LEVEL_INFO;

static const char *const log_level_names[] = {
    [LOG_LEVEL_ERROR] = "error",
    [LOG_LEVEL_WARN] = "warn",
    [LOG_LEVEL_INFO] = "info",
    [LOG_LEVEL_DEBUG] = "debug",
};

void
log_set_ident(const char *ident)
{
    snprintf(log_ident, sizeof(log_ident), "%s", ident != NULL ? ident : "bgpbus");
}

void
log_set_level(enum log_level level)
{
    if (level > LOG_LEVEL_DEBUG)
        level = LOG_LEVEL_DEBUG;
    log_threshold = level;
}

enum log_level
log_get_level(void)
{
    return log_threshold;
}

int
log_level_parse(const char *name, enum log_level *level)
{
    for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
        if (name != NULL && strcmp(name, log_level_names[i]) == 0) {
            *level = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec now = { 0 };
    struct tm tm;
    size_t off = 0;
    int n;
    int saved_errno = errno;

    if (level > log_threshold)
        return;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0 || gmtime_r(&now.tv_sec, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    off = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(line + off, sizeof(line) - off, ".%03ldZ %s[%ld] %s: ", now.tv_nsec / 1000000L,
                 log_ident, (long)getpid(), log_level_names[level]);
    if (n > 0)
        off += (size_t)n < sizeof(line) - off ? (size_t)n : sizeof(line) - off - 1;
    n = vsnprintf(line + off, sizeof(line) - off, fmt, ap);
    if (n > 0)
        off += (size_t)n < sizeof(line) - off ? (size_t)n : sizeof(line) - off - 1;
    /* Room for the newline even when the text was truncated. */
    if (off >= sizeof(line) - 1)
        off = sizeof(line) - 2;
    line[off++] = '\n';
    /* One write(2) per line so that lines from several processes sharing stderr do not mix. */
    for (size_t done = 0; done < off;) {
        ssize_t w = write(STDERR_FILENO, line + done, off - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    errno = saved_errno;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}
