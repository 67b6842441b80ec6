#include "conf_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
conf_error_set(struct conf_error *err, const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    snprintf(err->file, sizeof(err->file), "%s", file != NULL ? file : "");
    err->line = line;
    err->col = col;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

const char *
conf_error_format(const struct conf_error *err, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (err->line > 0)
        snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else
        snprintf(buf, len, "%s: %s", err->file, err->msg);
    return buf;
}
