/* error: filling and formatting the error record (see error.h). */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_set(Error *err, const char *file, const char *where, const char *fmt, ...)
{
    if (!err || err->set) {
        return;
    }
    err->set = true;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

const char *error_format(const Error *err, char *buf, unsigned size)
{
    snprintf(buf, size, "%s%s%s%s%s", err->file, err->file[0] ? ": " : "", err->where,
             err->where[0] ? ": " : "", err->msg);
    return buf;
}
