/* logfilter: the event log's filter (see logfilter.h). */
#include "view/logfilter.h"

#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const KIND_NAMES[LOGKIND_COUNT] = {
    [LOGKIND_ALL] = "all",   [LOGKIND_SMTP] = "SMTP",         [LOGKIND_DNS] = "DNS",
    [LOGKIND_SPAM] = "spam", [LOGKIND_DELIVERY] = "delivery", [LOGKIND_FETCH] = "fetch",
};

LogFilter logfilter_all(void)
{
    return (LogFilter){ .kind = LOGKIND_ALL, .msg = TRACE_NONE, .node = TRACE_NONE };
}

bool logfilter_is_all(const LogFilter *f)
{
    return f->kind == LOGKIND_ALL && f->msg == TRACE_NONE && f->node == TRACE_NONE;
}

LogKind logfilter_next_kind(LogKind k)
{
    return (LogKind)((k + 1) % LOGKIND_COUNT);
}

const char *logfilter_kind_name(LogKind k)
{
    return k < LOGKIND_COUNT ? KIND_NAMES[k] : "?";
}

static LogKind kind_of(TraceKind k)
{
    switch (k) {
    case TK_SMTP:
    case TK_CONN: return LOGKIND_SMTP;
    case TK_DNS: return LOGKIND_DNS;
    case TK_SPAM:
    case TK_LEARN:
    case TK_MOVE: return LOGKIND_SPAM;
    case TK_QUEUE:
    case TK_SENT:
    case TK_DEFER:
    case TK_RETRY:
    case TK_BOUNCE:
    case TK_WARN:
    case TK_REPORT:
    case TK_DELIVER: return LOGKIND_DELIVERY;
    case TK_FETCH: return LOGKIND_FETCH;
    case TK_VERIFY: return LOGKIND_SMTP; /* a verdict ends an SMTP probe */
    case TK_COMPOSE:
    case TK_HEADER:
    case TK_HOP:
    case TK_ACTION:
    case TK_KIND_COUNT: break;
    }
    return LOGKIND_ALL; /* shown only when no kind is asked for */
}

static bool msg_match(const Trace *tr, int32_t want, int32_t m)
{
    for (int hops = 0; m != TRACE_NONE && hops < 4; hops++) {
        if (m == want) {
            return true;
        }
        m = trace_msg(tr, m)->parent; /* a bounce belongs to its message's story */
    }
    return false;
}

bool logfilter_match(const Trace *tr, const LogFilter *f, uint32_t i)
{
    const TraceEvent *e = &trace_events(tr)[i];
    if (f->kind != LOGKIND_ALL && kind_of((TraceKind)e->kind) != f->kind) {
        return false;
    }
    if (f->msg != TRACE_NONE && !msg_match(tr, f->msg, e->msg)) {
        return false;
    }
    return f->node == TRACE_NONE || e->from == f->node || e->to == f->node;
}

const char *logfilter_title(const Trace *tr, const LogFilter *f, char *buf, size_t size)
{
    int n = snprintf(buf, size, "Event log");
    if (f->kind != LOGKIND_ALL && n >= 0 && (size_t)n < size) {
        n += snprintf(buf + n, size - (size_t)n, " \u00b7 %s", logfilter_kind_name(f->kind));
    }
    if (f->msg != TRACE_NONE && n >= 0 && (size_t)n < size) {
        n += snprintf(buf + n, size - (size_t)n, " \u00b7 %s",
                      trace_str(tr, trace_msg(tr, f->msg)->id));
    }
    if (f->node != TRACE_NONE && n >= 0 && (size_t)n < size) {
        snprintf(buf + n, size - (size_t)n, " \u00b7 %s",
                 trace_str(tr, trace_node(tr, f->node)->name));
    }
    return buf;
}

void logrows_build(LogRows *out, const Trace *tr, const LogFilter *f, size_t upto)
{
    out->count = 0;
    size_t n = upto < trace_count(tr) ? upto : trace_count(tr);
    for (size_t i = 0; i < n; i++) {
        if (!logfilter_match(tr, f, (uint32_t)i)) {
            continue;
        }
        if (out->count == out->cap) {
            out->rows = xgrow(out->rows, &out->cap, out->count + 1, sizeof *out->rows);
        }
        out->rows[out->count++] = (uint32_t)i;
    }
}

void logrows_free(LogRows *r)
{
    free(r->rows);
    r->rows = NULL;
    r->count = r->cap = 0;
}

int64_t logrows_position(const LogRows *r, uint32_t event)
{
    if (event == UINT32_MAX) {
        return -1;
    }
    size_t lo = 0, hi = r->count; /* first row > event */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->rows[mid] <= event) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (int64_t)lo - 1;
}
