/* timeaxis: squeezed time for the timeline strip (see timeaxis.h).
 *
 * Active stretches are unions of [t, arrive] over the events, merged across quiet periods shorter
 * than min_gap. Weights: an active stretch counts its own duration (at least 1 % of the total, so
 * an instant burst stays clickable); every gap counts the same small share, at most half the
 * strip for all gaps together.
 */
#include "view/timeaxis.h"

#include "util/xalloc.h"

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

    double active = 0;
    size_t gaps = 0;
    for (size_t i = 0; i < ax->count; i++) {
        if (ax->seg[i].gap) {
            gaps++;
        } else {
            active += (double)(ax->seg[i].end_us - ax->seg[i].start_us);
        }
    }
    double unit = active > 1000 ? active : 1000;
    double gap_w = gaps ? unit * (0.06 < 0.5 / (double)gaps ? 0.06 : 0.5 / (double)gaps) : 0;
    double total = 0;
    for (size_t i = 0; i < ax->count; i++) {
        AxisSegment *s = &ax->seg[i];
        double d = (double)(s->end_us - s->start_us);
        double w = s->gap ? (gap_w < d ? gap_w : d) : (d > unit * 0.01 ? d : unit * 0.01);
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
