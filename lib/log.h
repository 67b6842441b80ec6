/*
 * log: one line per message on stderr, "<UTC time> <ident>[<pid>] <level>: <text>".
 * Small on purpose: every service and test program links it.
 */
#ifndef BGPBUS_LOG_H
#define BGPBUS_LOG_H

#include <stdarg.h>

/* Not LOG_ERR & co: <syslog.h> owns those names. */
enum log_level {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG,
};

/* The name printed before the pid; the string is copied (at most 31 bytes kept). */
void log_set_ident(const char *ident);
/* Messages above this level are discarded; the default is LOG_LEVEL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warn", "info", "debug" -> 0 and *level set; anything else -> -1. */
int log_level_parse(const char *name, enum log_level *level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
