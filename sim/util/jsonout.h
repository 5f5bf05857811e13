/* jsonout: the few JSON writing primitives every writer shares (trace, summary): a string with
 * RFC 8259 escapes, and a time in microseconds as exact decimal seconds. */
#ifndef MAILSIM_JSONOUT_H
#define MAILSIM_JSONOUT_H

#include <stdint.h>
#include <stdio.h>

void json_put_string(FILE *out, const char *s);
/* Microseconds as seconds with exactly six decimals, by integer arithmetic (no float rounding). */
void json_put_seconds(FILE *out, int64_t us);

#endif
