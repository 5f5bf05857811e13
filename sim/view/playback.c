/* playback: the clock rules (see playback.h). */
#include "view/playback.h"
#include "util/fmt.h"

#include "text/narrate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const double SPEEDS[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000,
                                 5000, 10000 };
#define SPEED_COUNT (sizeof SPEEDS / sizeof SPEEDS[0])
#define DWELL_SCAN_MAX 256 /* events looked at per frame for a caption to pause on */

void playback_init(Playback *pb, int64_t start_us)
{
    memset(pb, 0, sizeof *pb);
    pb->t_us = start_us;
    pb->speed = 1;
    pb->effective_speed = 1;
    pb->slowmo = true;
    pb->compress_gaps = true;
    pb->dwell = true;
    pb->dwelt_event = UINT32_MAX;
    pb->step_event = UINT32_MAX;
}

static void clear_transients(Playback *pb)
{
    pb->dwell_left_s = 0;
    pb->note[0] = '\0';
    pb->note_left_s = 0;
}

static double reading_time_s(const char *caption)
{
    double s = (double)strlen(caption) / 18.0;
    return s < 2.0 ? 2.0 : s > 7.0 ? 7.0 : s;
}

/* The first event in (from, to] with a caption worth pausing for, or UINT32_MAX. */
static uint32_t caption_between(const Playback *pb, const TraceIndex *ix, size_t from, size_t to)
{
    const Trace *tr = traceindex_trace(ix);
    char buf[1024];
    if (to - from > DWELL_SCAN_MAX) {
        return UINT32_MAX;
    }
    for (size_t i = from; i < to; i++) {
        if ((uint32_t)i != pb->dwelt_event && narrate_caption(tr, (uint32_t)i, buf, sizeof buf)[0]) {
            return (uint32_t)i;
        }
    }
    return UINT32_MAX;
}

static void gap_note(Playback *pb, const TraceIndex *ix, int64_t gap_us, int64_t next_t)
{
    const Trace *tr = traceindex_trace(ix);
    size_t i = traceindex_events_until(ix, next_t - 1);
    char what[600], dur[48];
    if (i < trace_count(tr)) {
        narrate_event(tr, (uint32_t)i, what, sizeof what);
        char *nl = strchr(what, '\n');
        if (nl) {
            *nl = '\0';
        }
        size_t n = strlen(what);
        if (n > 150) { /* cut on a UTF-8 character boundary */
            n = 150;
            while (n > 0 && ((unsigned char)what[n] & 0xC0) == 0x80) {
                n--;
            }
            memcpy(what + n, "\u2026", 4);
        }
    } else {
        what[0] = '\0';
    }
    snprintf(pb->note, sizeof pb->note, "\u25b6\u25b6 %s later: %.150s",
             fmt_duration(gap_us, dur, sizeof dur), what);
    pb->note_left_s = PLAYBACK_NOTE_S;
}

void playback_advance(Playback *pb, const TraceIndex *ix, const ViewState *vs, double wall_dt_s)
{
    if (pb->note_left_s > 0) {
        pb->note_left_s -= wall_dt_s;
        if (pb->note_left_s <= 0) {
            pb->note[0] = '\0';
        }
    }
    if (!pb->playing || wall_dt_s <= 0) {
        pb->effective_speed = pb->playing ? pb->effective_speed : 0;
        return;
    }
    if (pb->dwell_left_s > 0) {
        pb->dwell_left_s -= wall_dt_s;
        pb->effective_speed = 0;
        return;
    }
    int64_t end = traceindex_end(ix);
    double speed = pb->speed;
    if (pb->slowmo && vs && vs->shortest_flight_us != INT64_MAX) {
        double cap = (double)vs->shortest_flight_us / 1e6 / PLAYBACK_MIN_TRAVEL_S;
        speed = cap < speed ? cap : speed;
    }
    bool idle = !vs || vs->busy_until_us == INT64_MIN;
    int64_t next = traceindex_next_time(ix, pb->t_us);
    if (pb->compress_gaps && idle && next != TRACE_NO_TIME) {
        double wall_to_next = (double)(next - pb->t_us) / 1e6 / speed;
        if (wall_to_next > PLAYBACK_GAP_WALL_S) {
            int64_t lead = (int64_t)(PLAYBACK_GAP_LEAD_S * speed * 1e6);
            int64_t target = next - lead;
            if (target > pb->t_us) {
                gap_note(pb, ix, next - pb->t_us, next);
                pb->t_us = target;
                pb->effective_speed = speed;
                return;
            }
        }
    }
    int64_t step = (int64_t)llround(wall_dt_s * speed * 1e6);
    int64_t t = pb->t_us + (step > 0 ? step : 1);
    if (pb->dwell && pb->speed <= PLAYBACK_DWELL_MAX_SPEED) {
        size_t from = traceindex_events_until(ix, pb->t_us);
        size_t to = traceindex_events_until(ix, t);
        uint32_t c = caption_between(pb, ix, from, to);
        if (c != UINT32_MAX) {
            const TraceEvent *e = &trace_events(traceindex_trace(ix))[c];
            char buf[1024];
            narrate_caption(traceindex_trace(ix), c, buf, sizeof buf);
            t = e->t_us;
            pb->dwelt_event = c;
            pb->dwell_left_s = reading_time_s(buf);
        }
    }
    if (t >= end) {
        t = end;
        pb->playing = false;
    }
    pb->t_us = t;
    pb->step_event = UINT32_MAX;
    pb->effective_speed = speed;
}

bool playback_step(Playback *pb, const TraceIndex *ix, int dir)
{
    pb->playing = false;
    clear_transients(pb);
    const TraceEvent *ev = trace_events(traceindex_trace(ix));
    size_t done = traceindex_events_until(ix, pb->t_us); /* events at or before t */
    uint32_t cur = pb->step_event < done ? pb->step_event : (uint32_t)(done ? done - 1 : UINT32_MAX);
    /* Another event at this same time first. */
    if (dir > 0 && cur != UINT32_MAX && cur + 1 < done) {
        pb->step_event = cur + 1;
        return true;
    }
    if (dir < 0 && cur != UINT32_MAX && cur > 0 && ev[cur - 1].t_us == pb->t_us) {
        pb->step_event = cur - 1;
        return true;
    }
    int64_t t = dir > 0 ? traceindex_next_time(ix, pb->t_us) : traceindex_prev_time(ix, pb->t_us);
    if (t == TRACE_NO_TIME) {
        return false;
    }
    pb->t_us = t;
    size_t upto = traceindex_events_until(ix, t);
    /* Forward: the first event at the new time; back: the last. */
    pb->step_event = dir > 0 ? (uint32_t)done : (uint32_t)(upto ? upto - 1 : UINT32_MAX);
    return true;
}

void playback_seek(Playback *pb, const TraceIndex *ix, int64_t t_us)
{
    int64_t end = traceindex_end(ix);
    int64_t start = traceindex_start(ix) < 0 ? traceindex_start(ix) : 0;
    pb->t_us = t_us < start ? start : t_us > end ? end : t_us;
    clear_transients(pb);
    pb->dwelt_event = UINT32_MAX;
    pb->step_event = UINT32_MAX;
}

void playback_change_speed(Playback *pb, int dir)
{
    size_t best = 0;
    for (size_t i = 0; i < SPEED_COUNT; i++) {
        if (fabs(SPEEDS[i] - pb->speed) < fabs(SPEEDS[best] - pb->speed)) {
            best = i;
        }
    }
    if (dir > 0 && best + 1 < SPEED_COUNT) {
        best++;
    } else if (dir < 0 && best > 0) {
        best--;
    }
    pb->speed = SPEEDS[best];
}

void playback_toggle(Playback *pb, const TraceIndex *ix)
{
    if (!pb->playing && pb->t_us >= traceindex_end(ix)) {
        playback_seek(pb, ix, 0); /* play again from the start */
    }
    pb->playing = !pb->playing;
    pb->dwell_left_s = 0;
    pb->step_event = UINT32_MAX;
}

const char *playback_speed_text(double speed, char *buf, size_t size)
{
    if (speed >= 1000) {
        int v = (int)llround(speed);
        snprintf(buf, size, "\u00d7%d %03d", v / 1000, v % 1000);
    } else if (speed >= 1) {
        snprintf(buf, size, "\u00d7%g", floor(speed * 10 + 0.5) / 10);
    } else if (speed >= 0.1) {
        snprintf(buf, size, "\u00d7%.1f", speed);
    } else if (speed >= 0.01) {
        snprintf(buf, size, "\u00d7%.2f", speed);
    } else {
        snprintf(buf, size, "\u00d7%.3f", speed);
    }
    return buf;
}
