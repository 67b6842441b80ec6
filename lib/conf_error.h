/* conf_error: where a configuration problem is and what was expected there. */
#ifndef BGPBUS_CONF_ERROR_H
#define BGPBUS_CONF_ERROR_H

#include <stddef.h>

#define CONF_ERROR_FILE_MAX 256
#define CONF_ERROR_MSG_MAX  256

/* line and col are 1-based; 0 means "not tied to a position" (e.g. a file that cannot be read). */
struct conf_error {
    char file[CONF_ERROR_FILE_MAX];
    int line;
    int col;
    char msg[CONF_ERROR_MSG_MAX];
};

void conf_error_set(struct conf_error *err, const char *file, int line, int col, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

/* "file:line:col: msg" (or "file: msg" without a position) into buf; returns buf. */
const char *conf_error_format(const struct conf_error *err, char *buf, size_t len);

#endif
