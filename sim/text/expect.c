/* expect: the scenario's expectations checked against a run (see expect.h). */
#include "text/expect.h"

#include "text/ask.h"
#include "text/evmatch.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *wstr(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void report(FILE *out, int *unmet, const char *fmt, ...)
{
    (*unmet)++;
    if (!out) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

static void seconds(int64_t us, char *buf, size_t size)
{
    if (us < 0) {
        snprintf(buf, size, "never");
    } else {
        snprintf(buf, size, "%" PRId64 ".%03" PRId64 " s", us / 1000000, us % 1000000 / 1000);
    }
}

static void check_row(const World *w, const Trace *tr, const ExpectMsg *e, const SummaryRow *r,
                      FILE *out, int *unmet)
{
    char where[96], a[32], b[32];
    snprintf(where, sizeof where, "$.expect.messages[%u] (%s \u2192 %s)", e->path_index,
             trace_str(tr, trace_msg(tr, r->msg)->id), trace_str(tr, r->rcpt));
    const char *reply = r->reply ? trace_str(tr, r->reply) : "none";
    if (e->status != ST_ANY && (int)r->status != e->status) {
        report(out, unmet, "%s: status is \"%s\", expected \"%s\" (last reply: %s)", where,
               world_status_name(r->status), world_status_name((RcptStatus)e->status), reply);
    }
    if (e->folder >= 0 && (int)r->folder != e->folder) {
        report(out, unmet, "%s: folder is %s, expected %s", where, trace_folder_name(r->folder),
               trace_folder_name((TraceFolder)e->folder));
    }
    if (e->attempts_min >= 0 && (int64_t)r->attempts < e->attempts_min) {
        report(out, unmet, "%s: %u delivery attempts, expected at least %d", where, r->attempts,
               e->attempts_min);
    }
    if (e->attempts_max >= 0 && (int64_t)r->attempts > e->attempts_max) {
        report(out, unmet, "%s: %u delivery attempts, expected at most %d", where, r->attempts,
               e->attempts_max);
    }
    seconds(r->final_us, a, sizeof a);
    if (e->final_min_us >= 0 && (r->final_us < 0 || r->final_us < e->final_min_us)) {
        seconds(e->final_min_us, b, sizeof b);
        report(out, unmet, "%s: final at %s, expected at or after %s", where, a, b);
    }
    if (e->final_max_us >= 0 && (r->final_us < 0 || r->final_us > e->final_max_us)) {
        seconds(e->final_max_us, b, sizeof b);
        report(out, unmet, "%s: final at %s, expected at or before %s", where, a, b);
    }
    if (e->reply_contains != STR_EMPTY &&
        (!r->reply || !strstr(trace_str(tr, r->reply), wstr(w, e->reply_contains)))) {
        report(out, unmet, "%s: last reply is \"%s\", expected it to contain \"%s\"", where, reply,
               wstr(w, e->reply_contains));
    }
    if (e->fetched >= 0 && r->fetched != (e->fetched == 1)) {
        report(out, unmet, "%s: %s fetched by the recipient's client, expected %s", where,
               r->fetched ? "was" : "was not", e->fetched ? "fetched" : "not fetched");
    }
}

static void check_msg(const World *w, const Trace *tr, const Summary *s, const ExpectMsg *e,
                      FILE *out, int *unmet)
{
    size_t matched = 0;
    for (size_t i = 0; i < s->count; i++) {
        const SummaryRow *r = &s->rows[i];
        if (strcmp(trace_str(tr, trace_msg(tr, r->msg)->id), wstr(w, e->msg)) != 0) {
            continue;
        }
        if (e->rcpt != STR_EMPTY && strcmp(trace_str(tr, r->rcpt), wstr(w, e->rcpt)) != 0) {
            continue;
        }
        matched++;
        check_row(w, tr, e, r, out, unmet);
    }
    if (matched == 0) {
        char have[512] = "";
        size_t n = 0;
        for (size_t m = 0; m < trace_msg_count(tr) && n < sizeof have - 1; m++) {
            n += (size_t)snprintf(have + n, sizeof have - n, "%s%s", m ? ", " : "",
                                  trace_str(tr, trace_msg(tr, (int32_t)m)->id));
        }
        report(out, unmet, "$.expect.messages[%u]: no message \"%s\"%s%s%s in the run; messages: %s",
               e->path_index, wstr(w, e->msg), e->rcpt ? " to <" : "", e->rcpt ? wstr(w, e->rcpt) : "",
               e->rcpt ? ">" : "", n ? have : "none");
    }
}

int expect_check(const World *w, const Trace *tr, const Summary *s, FILE *out)
{
    int unmet = 0;
    for (uint32_t i = 0; i < w->expect_msg_count; i++) {
        check_msg(w, tr, s, &w->expect_msgs[i], out, &unmet);
    }
    const TraceEvent *evs = trace_events(tr);
    for (uint32_t i = 0; i < w->expect_event_count; i++) {
        const ExpectEvent *e = &w->expect_events[i];
        int64_t count = 0;
        for (size_t k = 0; k < trace_count(tr); k++) {
            count += evmatch_event(w, tr, &e->sel, &evs[k]);
        }
        char what[512];
        evmatch_describe(w, &e->sel, what, sizeof what);
        if (e->count_min >= 0 && count < e->count_min) {
            report(out, &unmet, "$.expect.events[%u] (%s): %" PRId64 " matching events, expected at least %" PRId64,
                   e->path_index, what, count, e->count_min);
        }
        if (e->count_max >= 0 && count > e->count_max) {
            report(out, &unmet, "$.expect.events[%u] (%s): %" PRId64 " matching events, expected at most %" PRId64,
                   e->path_index, what, count, e->count_max);
        }
    }
    return unmet + ask_check(w, tr, out);
}
