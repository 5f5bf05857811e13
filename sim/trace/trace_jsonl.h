/* trace_jsonl: the trace on disk, as JSON Lines.
 *
 * Line 1 is the header: {"format":"mailsim-trace","version":2,"scenario":…,"seed":…,"title":…,
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
/* 2: outcomes carry "dsn" and bounces name their "report" (1 named the report "dsn") */
#define TRACE_FORMAT_VERSION 2

/* Writes the whole trace to `out`. Returns false if a write failed (errno tells why). */
bool trace_write_jsonl(const Trace *tr, FILE *out);

/* Writes one event line (no newline) into `out`; used by the writer and by tests. */
void trace_write_event(const Trace *tr, uint32_t index, FILE *out);

/* Reads a trace written by trace_write_jsonl from `in`; `name` is the file name used in errors.
 * Returns a new trace owned by the caller, or NULL with `err` filled ("line N: ..."; the message
 * is one printable line). The whole file is refused on its first problem: not UTF-8, not one JSON
 * object per line, a wrong header or version, events out of time order, an unknown node or
 * message, a field of the wrong type or out of range, or beyond any limit below. Time and memory
 * are linear in the size of the input. */
Trace *trace_read_jsonl(FILE *in, const char *name, Error *err);

/* The same, for a stream whose first head_len bytes were already read (a format sniff on a pipe,
 * where they cannot be read again) and are in head: the trace is head followed by the rest of
 * `in`. head may be NULL when head_len is 0; the caller keeps owning it. */
Trace *trace_read_jsonl_after(FILE *in, const char *head, size_t head_len, const char *name,
                              Error *err);

/* Limits of the reader (docs/trace-format.md). */
#define TRACE_MAX_LINE (1u << 20)      /* bytes in one event line */
#define TRACE_MAX_HEADER_LINE (1u << 26) /* bytes in the header line (64 MiB): the topology of the
                                            largest scenario the loader takes fits */
#define TRACE_MAX_HEADER_STRING 65536u /* bytes in a header string: the scenario's name, title,
                                          lesson, a node's id, label or ip (a scenario's own
                                          string limit, so every run's trace fits) */
#define TRACE_MAX_KEY 64u              /* bytes in any key of any line */
/* event lines: TRACE_MAX_EVENTS (trace.h), the most a run records, so every trace it writes is
 * read back */
#define TRACE_MAX_RCPTS 1000u          /* recipients of one message, as in a scenario */
#define TRACE_MAX_SECONDS 100000000000.0 /* every time: about 3 170 years, so that sums of two
                                            times in microseconds stay far inside int64 */

#endif
