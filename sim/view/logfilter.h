/* logfilter: which events the player's event log lists — all of them, or those of one kind
 * (SMTP, DNS, spam, delivery, fetch), of the selected message (and its bounce) or of the selected
 * node, and in lesson mode only the past.
 *
 * Owns: the filter's row list (LogRows), rebuilt on demand. Does not own the trace. SDL-free.
 */
#ifndef MAILSIM_LOGFILTER_H
#define MAILSIM_LOGFILTER_H

#include "trace/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    LOGKIND_ALL,
    LOGKIND_SMTP,     /* SMTP lines and TCP connections */
    LOGKIND_DNS,      /* DNS queries and answers */
    LOGKIND_SPAM,     /* verdicts, learning, moves to and from Junk */
    LOGKIND_DELIVERY, /* queued, sent, deferred, retried, bounced, warned, filed */
    LOGKIND_FETCH,    /* POP3 / IMAP */
    LOGKIND_COUNT
} LogKind;

typedef struct {
    LogKind kind;
    int32_t msg;  /* only this message and its bounces; TRACE_NONE for any */
    int32_t node; /* only events from or to this node; TRACE_NONE for any */
} LogFilter;

/* The filter that lists every event. */
LogFilter logfilter_all(void);
bool logfilter_is_all(const LogFilter *f);
/* The next kind in the cycle ALL, SMTP, DNS, spam, delivery, fetch, ALL. */
LogKind logfilter_next_kind(LogKind k);
/* "SMTP", "DNS", "spam", "delivery", "fetch"; "all" for LOGKIND_ALL. */
const char *logfilter_kind_name(LogKind k);

/* True when event i passes the filter. */
bool logfilter_match(const Trace *tr, const LogFilter *f, uint32_t i);

/* The log's title with the filter in words: "Event log", "Event log · SMTP · m1". */
const char *logfilter_title(const Trace *tr, const LogFilter *f, char *buf, size_t size);

typedef struct {
    uint32_t *rows; /* event indices, ascending */
    size_t count, cap;
} LogRows;

/* Fills `out` with every event among [0, upto) that passes the filter. */
void logrows_build(LogRows *out, const Trace *tr, const LogFilter *f, size_t upto);
void logrows_free(LogRows *r);
/* The position of the last row whose event is <= `event`, or -1 (none, or event UINT32_MAX). */
int64_t logrows_position(const LogRows *r, uint32_t event);

#endif
