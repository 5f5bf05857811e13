/* timeaxis: squeezed time for the timeline strip (see timeaxis.h).
 *
 * Active stretches are unions of [t, arrive] over the events, merged across quiet periods shorter
 * than min_gap. Weights: an active stretch counts its own duration (at least 1 % of the total, so
 * an instant burst stays clickable); the gaps share a small part of the strip (6 % each, at most
 * half the strip together), each in proportion to the logarithm of its length, so a backoff that
 * doubles is drawn visibly growing while a day-long wait still fits.
 */
#include "view/timeaxis.h"

#include "util/fmt.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define LEAD_IN_GAP_US 200000

struct TimeAxis {
    AxisSegment *seg;
    size_t count, cap;
    int64_t start_us, end_us;
};

static void push(TimeAxis *ax, int64_t a, int64_t b, int gap)
{
    if (ax->count == ax->cap) {
        ax->seg = xgrow(ax->seg, &ax->cap, ax->count + 1, sizeof *ax->seg);
    }
    ax->seg[ax->count++] = (AxisSegment){ a, b, 0, 0, gap };
}

/* A gap's weight: log2 of its length in seconds, at least 1 (a 10 min wait weighs 9.2, 20 min
 * 10.2, 40 min 11.2, a day 16.4). */
static double gap_log(int64_t us)
{
    double l = log2((double)us / 1e6);
    return l > 1 ? l : 1;
}

TimeAxis *timeaxis_create(const TraceIndex *ix, int64_t min_gap_us)
{
    TimeAxis *ax = xcalloc(1, sizeof *ax);
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    size_t n = trace_count(tr);
    int64_t first = traceindex_start(ix);
    ax->start_us = first < 0 ? first : 0;
    ax->end_us = traceindex_end(ix);
    if (ax->end_us <= ax->start_us) {
        ax->end_us = ax->start_us + 1;
    }
    /* Active stretches. The quiet lead-in before the first event is squeezed too (if it is
     * more than a blink), so the strip starts where something happens. */
    int64_t cur_a = ax->start_us, cur_b = ax->start_us;
    for (size_t i = 0; i < n; i++) {
        int64_t a = ev[i].t_us;
        int64_t b = traceindex_travels(ix, (uint32_t)i) ? ev[i].arrive_us : a;
        int64_t gap_min = i == 0 ? LEAD_IN_GAP_US : min_gap_us;
        if (a - cur_b > gap_min) {
            push(ax, cur_a, cur_b, 0);
            push(ax, cur_b, a, 1);
            cur_a = a;
        }
        cur_b = b > cur_b ? b : cur_b;
    }
    push(ax, cur_a, ax->end_us > cur_b ? ax->end_us : cur_b, 0);

    double active = 0, log_sum = 0;
    size_t gaps = 0;
    for (size_t i = 0; i < ax->count; i++) {
        if (ax->seg[i].gap) {
            gaps++;
            log_sum += gap_log(ax->seg[i].end_us - ax->seg[i].start_us);
        } else {
            active += (double)(ax->seg[i].end_us - ax->seg[i].start_us);
        }
    }
    double unit = active > 1000 ? active : 1000;
    double gap_w = gaps ? unit * (0.06 < 0.5 / (double)gaps ? 0.06 : 0.5 / (double)gaps) : 0;
    double log_mean = gaps ? log_sum / (double)gaps : 1;
    double total = 0;
    for (size_t i = 0; i < ax->count; i++) {
        AxisSegment *s = &ax->seg[i];
        double d = (double)(s->end_us - s->start_us);
        double gw = gap_w * gap_log(s->end_us - s->start_us) / log_mean;
        double w = s->gap ? (gw < d ? gw : d) : (d > unit * 0.01 ? d : unit * 0.01);
        s->frac0 = total;
        total += w;
        s->frac1 = total;
    }
    for (size_t i = 0; i < ax->count; i++) {
        ax->seg[i].frac0 /= total;
        ax->seg[i].frac1 /= total;
    }
    ax->seg[ax->count - 1].frac1 = 1.0;
    return ax;
}

void timeaxis_destroy(TimeAxis *ax)
{
    if (!ax) {
        return;
    }
    free(ax->seg);
    free(ax);
}

int64_t timeaxis_start(const TimeAxis *ax)
{
    return ax->start_us;
}

int64_t timeaxis_end(const TimeAxis *ax)
{
    return ax->end_us;
}

double timeaxis_frac(const TimeAxis *ax, int64_t t_us)
{
    if (t_us <= ax->start_us) {
        return 0;
    }
    if (t_us >= ax->end_us) {
        return 1;
    }
    size_t lo = 0, hi = ax->count;
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (ax->seg[mid].start_us <= t_us) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    const AxisSegment *s = &ax->seg[lo];
    double d = (double)(s->end_us - s->start_us);
    double k = d > 0 ? (double)(t_us - s->start_us) / d : 0;
    k = k < 0 ? 0 : k > 1 ? 1 : k;
    return s->frac0 + k * (s->frac1 - s->frac0);
}

int64_t timeaxis_time(const TimeAxis *ax, double f)
{
    if (f <= 0) {
        return ax->start_us;
    }
    if (f >= 1) {
        return ax->end_us;
    }
    size_t lo = 0, hi = ax->count;
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (ax->seg[mid].frac0 <= f) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    const AxisSegment *s = &ax->seg[lo];
    double w = s->frac1 - s->frac0;
    double k = w > 0 ? (f - s->frac0) / w : 0;
    return s->start_us + (int64_t)(k * (double)(s->end_us - s->start_us) + 0.5);
}

size_t timeaxis_segment_count(const TimeAxis *ax)
{
    return ax->count;
}

const AxisSegment *timeaxis_segment(const TimeAxis *ax, size_t i)
{
    return i < ax->count ? &ax->seg[i] : NULL;
}

const char *timeaxis_gap_text(int64_t us, bool narrow, char *buf, size_t size)
{
    if (!narrow) {
        return fmt_duration(us, buf, size);
    }
    /* One unit, rounded to the nearest: "40 s", "10 min", "4 h", "1 d". */
    static const struct {
        int64_t us;
        const char *unit;
    } UNITS[] = { { INT64_C(86400000000), "d" }, { INT64_C(3600000000), "h" },
                  { INT64_C(60000000), "min" }, { INT64_C(1000000), "s" } };
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
        /* 59 min 50 s reads "1 h", not "60 min" */
        if (us >= UNITS[i].us - UNITS[i].us / 20 || i + 1 == sizeof UNITS / sizeof UNITS[0]) {
            long long n = (long long)((us + UNITS[i].us / 2) / UNITS[i].us);
            snprintf(buf, size, "%lld %s", n, UNITS[i].unit);
            return buf;
        }
    }
    return buf;
}

/* ---- retry attempts in words ---- */

/* Tells the attempt of message m that begins at position `from` of its event list (0 = the first
 * try) and runs until its next TK_RETRY. */
static bool attempt_words(const Trace *tr, const uint32_t *list, size_t count, size_t from,
                          char *buf, size_t size)
{
    const TraceEvent *ev = trace_events(tr);
    int32_t attempt = 1, last = 1;
    for (size_t k = 0; k < count; k++) {
        const TraceEvent *e = &ev[list[k]];
        if (e->kind == TK_RETRY) {
            last = e->num > last ? e->num : last;
            attempt = k == from ? e->num : attempt;
        }
    }
    buf[0] = '\0';
    if (last <= 1) {
        return false;
    }
    const TraceEvent *defer = NULL, *sent = NULL;
    bool bounced = false;
    for (size_t k = from + (ev[list[from]].kind == TK_RETRY ? 1 : 0); k < count; k++) {
        const TraceEvent *e = &ev[list[k]];
        if (e->kind == TK_RETRY) {
            break;
        }
        bounced = bounced || e->kind == TK_BOUNCE;
        defer = e->kind == TK_DEFER && !defer ? e : defer;
        sent = e->kind == TK_SENT && !sent ? e : sent;
    }
    char wait[32];
    if (bounced) {
        snprintf(buf, size, "last attempt, then bounced");
    } else if (sent) {
        snprintf(buf, size, "delivered on attempt %d", (int)attempt);
    } else if (defer && defer->arrive_us != TRACE_NO_TIME && defer->arrive_us > defer->t_us) {
        snprintf(buf, size, "attempt %d of %d, next in %s", (int)attempt, (int)last,
                 timeaxis_gap_text(defer->arrive_us - defer->t_us, true, wait, sizeof wait));
    } else {
        snprintf(buf, size, "attempt %d of %d", (int)attempt, (int)last);
    }
    return true;
}

bool timeaxis_retry_text(const TraceIndex *ix, uint32_t i, char *buf, size_t size)
{
    const Trace *tr = traceindex_trace(ix);
    buf[0] = '\0';
    if (i >= trace_count(tr) || trace_events(tr)[i].kind != TK_RETRY) {
        return false;
    }
    const uint32_t *list;
    size_t count = traceindex_msg_events(ix, trace_events(tr)[i].msg, &list);
    for (size_t k = 0; k < count; k++) {
        if (list[k] == i) {
            return attempt_words(tr, list, count, k, buf, size);
        }
    }
    return false;
}

bool timeaxis_attempt_text(const TraceIndex *ix, int32_t m, int64_t t_us, char *buf, size_t size)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const uint32_t *list;
    size_t count = traceindex_msg_events(ix, m, &list);
    buf[0] = '\0';
    if (count == 0 || ev[list[0]].t_us > t_us) {
        return false;
    }
    size_t from = 0;
    for (size_t k = 0; k < count && ev[list[k]].t_us <= t_us; k++) {
        from = ev[list[k]].kind == TK_RETRY ? k : from;
    }
    return attempt_words(tr, list, count, from, buf, size);
}
