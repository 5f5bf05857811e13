/* error: the one error record. Bad input and failing environments are reported as a returned
 * status plus an Error filled in by the failing function (docs/design/house-style.md): which
 * file, where in it (a JSON path such as $.nodes[2].mx[0].host, or line:column), and what was
 * expected. */
#ifndef MAILSIM_ERROR_H
#define MAILSIM_ERROR_H

#include <stdbool.h>

typedef struct {
    bool set;
    char file[256];  /* the file at fault, "" if none */
    char where[256]; /* JSON path, "line 3", "line 3:14" ... "" if none */
    char msg[768];   /* what was wrong and what was expected */
} Error;

/* Fills `err` (if non-NULL and not already set: the first error wins). */
void error_set(Error *err, const char *file, const char *where, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Formats "file: where: msg" into buf (parts that are empty are left out). */
const char *error_format(const Error *err, char *buf, unsigned size);

#endif
