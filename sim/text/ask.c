/* ask: questions resolved against a run, checked, and told in the log (see ask.h). */
#include "text/ask.h"

#include "text/evmatch.h"
#include "text/narrate.h"
#include "util/fmt.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *wstr(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

/* The index of the nth event matching s, or -1. */
static int64_t find_nth(const World *w, const Trace *tr, const EventSelector *s, uint32_t nth)
{
    const TraceEvent *evs = trace_events(tr);
    uint32_t seen = 0;
    for (size_t k = 0; k < trace_count(tr); k++) {
        if (evmatch_event(w, tr, s, &evs[k]) && ++seen == nth) {
            return (int64_t)k;
        }
    }
    return -1;
}

/* The index of the first event at or after `from` matching s, or -1. */
static int64_t find_from(const World *w, const Trace *tr, const EventSelector *s, int64_t from)
{
    const TraceEvent *evs = trace_events(tr);
    for (size_t k = (size_t)from; k < trace_count(tr); k++) {
        if (evmatch_event(w, tr, s, &evs[k])) {
            return (int64_t)k;
        }
    }
    return -1;
}

void ask_resolve(const World *w, const Trace *tr, AskMoment *out)
{
    for (uint32_t q = 0; q < w->question_count; q++) {
        const Question *qu = &w->questions[q];
        out[q].ask_index = find_nth(w, tr, &qu->before, qu->nth);
        out[q].answer_index = out[q].ask_index < 0 ? -1
                                                   : find_from(w, tr, &qu->check, out[q].ask_index);
    }
}

/* The first line of event k in words, for "instead: ...". */
static void event_words(const Trace *tr, int64_t k, char *buf, size_t size)
{
    char clock[32];
    char line[1024];
    narrate_event(tr, (uint32_t)k, line, sizeof line);
    line[strcspn(line, "\n")] = '\0';
    snprintf(buf, size, "at %s: %s", fmt_clock(trace_events(tr)[k].t_us, clock, sizeof clock),
             line);
}

/* What happened instead of the checked event: the first event after the moment with the check's
 * kind, message and nodes (its code, query type or text being what differed). */
static void instead(const World *w, const Trace *tr, const Question *q, int64_t from, char *buf,
                    size_t size)
{
    EventSelector loose = q->check;
    loose.code = 0;
    loose.qtype = -1;
    loose.text_contains = STR_EMPTY;
    int64_t k = find_from(w, tr, &loose, from);
    if (k < 0) {
        snprintf(buf, size, "no %s event%s happened after it",
                 trace_kind_name((TraceKind)q->check.kind),
                 memcmp(&loose, &q->check, sizeof loose) ? " with that message and nodes" : "");
        return;
    }
    char words[1200];
    event_words(tr, k, words, sizeof words);
    snprintf(buf, size, "instead, %s", words);
}

int ask_check(const World *w, const Trace *tr, FILE *out)
{
    if (w->question_count == 0) {
        return 0;
    }
    AskMoment *m = xcalloc(w->question_count, sizeof *m);
    ask_resolve(w, tr, m);
    int wrong = 0;
    for (uint32_t i = 0; i < w->question_count; i++) {
        const Question *q = &w->questions[i];
        char sel[512], what[1400], clock[32];
        if (m[i].ask_index < 0) {
            wrong++;
            if (out) {
                int64_t count = 0;
                for (size_t k = 0; k < trace_count(tr); k++) {
                    count += evmatch_event(w, tr, &q->before, &trace_events(tr)[k]);
                }
                fprintf(out,
                        "$.ask[%u].before (%s): the question's moment never comes: %" PRId64
                        " matching event%s, the question needs the %u%s\n",
                        q->path_index, evmatch_describe(w, &q->before, sel, sizeof sel), count,
                        count == 1 ? "" : "s", q->nth,
                        q->nth == 1   ? "st"
                        : q->nth == 2 ? "nd"
                        : q->nth == 3 ? "rd"
                                      : "th");
            }
            continue;
        }
        if (m[i].answer_index >= 0) {
            continue;
        }
        wrong++;
        if (out) {
            instead(w, tr, q, m[i].ask_index, what, sizeof what);
            fprintf(out,
                    "$.ask[%u].check (%s): no matching event at or after the question's moment "
                    "(%s), so the answer \"%s\" is not what happens; %s\n",
                    q->path_index, evmatch_describe(w, &q->check, sel, sizeof sel),
                    fmt_clock(trace_events(tr)[m[i].ask_index].t_us, clock, sizeof clock),
                    wstr(w, q->choices[q->answer]), what);
        }
    }
    free(m);
    return wrong;
}

void ask_write_question(const World *w, const Question *q, int64_t t_us, FILE *out)
{
    char clock[32];
    fprintf(out, "%s  ? QUESTION  %s\n", fmt_clock(t_us, clock, sizeof clock),
            wstr(w, q->question));
    for (uint32_t c = 0; c < q->choice_count; c++) {
        fprintf(out, "                  %u) %s\n", c + 1, wstr(w, q->choices[c]));
    }
}

void ask_write_answer(const World *w, const Question *q, int64_t t_us, bool shown, FILE *out)
{
    char clock[32];
    fprintf(out, "%s  ! ANSWER  %u) %s%s\n", fmt_clock(t_us, clock, sizeof clock), q->answer + 1,
            wstr(w, q->choices[q->answer]),
            shown ? "" : " (but this run did not show it: see `mailsim check`)");
    if (q->explain != STR_EMPTY) {
        fprintf(out, "                  %s\n", wstr(w, q->explain));
    }
}

void ask_narrate_write(const World *w, const Trace *tr, FILE *out)
{
    AskMoment *m = xcalloc(w->question_count ? w->question_count : 1, sizeof *m);
    ask_resolve(w, tr, m);
    const TraceEvent *evs = trace_events(tr);
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        for (uint32_t q = 0; q < w->question_count; q++) {
            if (m[q].ask_index == (int64_t)i) {
                ask_write_question(w, &w->questions[q], evs[i].t_us, out);
            }
        }
        narrate_write_event(tr, i, out);
        for (uint32_t q = 0; q < w->question_count; q++) {
            if (m[q].answer_index == (int64_t)i) {
                ask_write_answer(w, &w->questions[q], evs[i].t_us, true, out);
            }
        }
    }
    int64_t end_us = trace_count(tr) ? evs[trace_count(tr) - 1].t_us : 0;
    for (uint32_t q = 0; q < w->question_count; q++) {
        if (m[q].ask_index >= 0 && m[q].answer_index < 0) {
            ask_write_answer(w, &w->questions[q], end_us, false, out);
        }
    }
    free(m);
}
