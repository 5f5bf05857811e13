/* trace_jsonl: the trace on disk, as JSON Lines.
 *
 * Line 1 is the header: {"format":"mailsim-trace","version":1,"scenario":…,"seed":…,"title":…,
 * "lesson":…,"nodes":[…],"links":[…]}; then one event per line in time order, each with
 * "t" (seconds), "kind" and the kind's own fields (docs/trace-format.md). Writing then reading
 * gives back a trace that writes the same bytes. The reader is the replay path: it validates every
 * line and refuses the whole file on the first problem, naming the line.
 */
#ifndef MAILSIM_TRACE_JSONL_H
#define MAILSIM_TRACE_JSONL_H

#include "trace/trace.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdio.h>

#define TRACE_FORMAT_NAME "mailsim-trace"
#define TRACE_FORMAT_VERSION 1

/* Writes the whole trace to `out`. Returns false if a write failed (errno tells why). */
bool trace_write_jsonl(const Trace *tr, FILE *out);

/* Writes one event line (no newline) into `out`; used by the writer and by tests. */
void trace_write_event(const Trace *tr, uint32_t index, FILE *out);

/* Reads a trace written by trace_write_jsonl from `in`; `name` is the file name used in errors.
 * Returns a new trace owned by the caller, or NULL with `err` filled. Inputs longer than
 * TRACE_MAX_LINE bytes per line or TRACE_MAX_EVENTS events are refused. */
Trace *trace_read_jsonl(FILE *in, const char *name, Error *err);

#define TRACE_MAX_LINE (1u << 20)
#define TRACE_MAX_EVENTS 50000000u

#endif
