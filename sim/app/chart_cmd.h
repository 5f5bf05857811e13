/* chart_cmd: `mailsim chart` — one message's ladder (sequence) diagram written to an SVG or PNG
 * file. Owns nothing beyond one call: the ladder it builds is freed before it returns. The trace
 * is borrowed; the command line was parsed by main. */
#ifndef MAILSIM_CHART_CMD_H
#define MAILSIM_CHART_CMD_H

#include "trace/trace.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    const char *msg;  /* the message id (--msg), or NULL when not given */
    const char *out;  /* FILE.svg or FILE.png (--out) */
    bool at_given;    /* --at: draw only what happened up to at_us, with the playhead there */
    int64_t at_us;
} ChartRequest;

/* Writes the chart; on a bad request (no or unknown --msg, an output that is neither .svg nor
 * .png, a file that cannot be written) prints why on stderr, listing the trace's message ids
 * where that helps. Returns 0 or 2 (bad input). */
int chart_cmd_run(const Trace *tr, const ChartRequest *req);

#endif
