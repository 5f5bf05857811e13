/* test_playback: the clock rules — exact steps, speed ladder, slow motion while packets travel,
 * squeezed idle gaps with a note, reading pauses at captions, stop at the end — and the
 * timeline's squeezed time axis. */
#include "view/fixture.h"
#include "test.h"

#include "view/layout.h"
#include "view/playback.h"
#include "view/timeaxis.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    Trace *tr;
    TraceIndex *ix;
    Layout *lay;
    ViewState *vs;
    ViewOptions opt;
    Playback pb;
} Rig;

static Rig rig_open(Trace *tr)
{
    Rig r = { tr, traceindex_create(tr), NULL, viewstate_create(), viewoptions_default(), { 0 } };
    r.lay = layout_create(r.ix);
    playback_init(&r.pb, 0);
    return r;
}

static void rig_close(Rig *r)
{
    viewstate_destroy(r->vs);
    layout_destroy(r->lay);
    traceindex_destroy(r->ix);
    trace_destroy(r->tr);
}

/* One frame of the player loop: advance with the current view, then recompute the view. */
static void rig_frame(Rig *r, double dt)
{
    playback_advance(&r->pb, r->ix, r->vs, dt);
    viewstate_compute(r->ix, r->lay, r->pb.t_us, &r->opt, r->vs);
}

static void playback_should_step_to_exact_event_times_and_pause(void)
{
    Rig r = rig_open(fixture_happy());
    size_t at_1000 = traceindex_events_until(r.ix, MS(1000));
    CHECK(at_1000 > 1); /* the compose and its first headers share a time */
    r.pb.playing = true;
    CHECK(playback_step(&r.pb, r.ix, +1));
    CHECK(!r.pb.playing);
    CHECK_EQ_INT(r.pb.t_us, MS(1000));
    for (size_t k = 1; k < at_1000; k++) {
        CHECK(playback_step(&r.pb, r.ix, +1));
        CHECK_EQ_INT(r.pb.t_us, MS(1000));
    }
    CHECK(playback_step(&r.pb, r.ix, +1));
    CHECK_EQ_INT(r.pb.t_us, MS(1010));
    CHECK(playback_step(&r.pb, r.ix, -1));
    CHECK_EQ_INT(r.pb.t_us, MS(1000));
    CHECK_EQ_INT(r.pb.step_event, at_1000 - 1);
    for (size_t k = 1; k < at_1000; k++) {
        CHECK(playback_step(&r.pb, r.ix, -1));
    }
    CHECK_EQ_INT(r.pb.step_event, 0);
    CHECK(!playback_step(&r.pb, r.ix, -1));
    CHECK_EQ_INT(r.pb.t_us, MS(1000));
    playback_seek(&r.pb, r.ix, MS(600020));
    CHECK(!playback_step(&r.pb, r.ix, +1));
    playback_seek(&r.pb, r.ix, INT64_C(999999999999));
    CHECK_EQ_INT(r.pb.t_us, traceindex_end(r.ix));
    rig_close(&r);
}

/* The first step from the start shows the first event (composing), not the last one at its time;
 * stepping forward and back shows the same picture. */
static void playback_should_start_stepping_at_the_first_event(void)
{
    Rig r = rig_open(fixture_happy());
    CHECK(playback_step(&r.pb, r.ix, +1));
    r.opt.current_event = r.pb.step_event;
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    CHECK_EQ_INT(r.vs->current, 0);
    CHECK_EQ_INT(trace_events(r.tr)[r.vs->current].kind, TK_COMPOSE);
    ViewState *before = viewstate_create();
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, before);
    CHECK(playback_step(&r.pb, r.ix, +1));
    r.opt.current_event = r.pb.step_event;
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    CHECK_EQ_INT(r.vs->current, 1);
    CHECK(playback_step(&r.pb, r.ix, -1));
    r.opt.current_event = r.pb.step_event;
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    CHECK(viewstate_equal(before, r.vs));
    viewstate_destroy(before);
    rig_close(&r);
}

static void playback_should_climb_and_descend_the_speed_ladder(void)
{
    Playback pb;
    playback_init(&pb, 0);
    CHECK(fabs(pb.speed - 1) < 1e-9);
    for (int i = 0; i < 40; i++) {
        playback_change_speed(&pb, +1);
    }
    CHECK(fabs(pb.speed - 10000) < 1e-9);
    for (int i = 0; i < 40; i++) {
        playback_change_speed(&pb, -1);
    }
    CHECK(fabs(pb.speed - 0.1) < 1e-9);
    char buf[32];
    CHECK_EQ_STR(playback_speed_text(10000, buf, sizeof buf), "\u00d710 000");
    CHECK_EQ_STR(playback_speed_text(0.5, buf, sizeof buf), "\u00d70.5");
    CHECK_EQ_STR(playback_speed_text(2, buf, sizeof buf), "\u00d72");
}

static void playback_should_slow_down_so_packets_stay_visible(void)
{
    Rig r = rig_open(fixture_happy());
    r.pb.dwell = false;
    playback_seek(&r.pb, r.ix, MS(1092)); /* the 354 reply in flight: 10 ms of travel */
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    r.pb.playing = true;
    rig_frame(&r, 0.1);
    /* 10 ms of travel must take PLAYBACK_MIN_TRAVEL_S of wall time: 1.25 ms per 0.1 s. */
    CHECK(r.pb.effective_speed < 0.02);
    CHECK(r.pb.t_us - MS(1092) <= 1300);
    r.pb.slowmo = false;
    rig_frame(&r, 0.1);
    CHECK(fabs(r.pb.effective_speed - 1.0) < 1e-9);
    rig_close(&r);
}

static void playback_should_jump_an_idle_gap_and_say_so(void)
{
    Rig r = rig_open(fixture_happy());
    r.pb.dwell = false;
    playback_seek(&r.pb, r.ix, MS(3000)); /* delivered at 2.51 s; Bob checks mail at 600 s */
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    r.pb.playing = true;
    rig_frame(&r, 0.016);
    CHECK(r.pb.t_us > MS(599000) && r.pb.t_us < MS(600000));
    CHECK(strstr(r.pb.note, "later:") != NULL);
    CHECK(strstr(r.pb.note, "9 min 57 s") != NULL);
    /* The note fades after a few seconds of wall time. */
    for (int i = 0; i < 400 && r.pb.note[0]; i++) {
        rig_frame(&r, 0.016);
    }
    CHECK(r.pb.note[0] == '\0');
    /* Without compression, time crawls on at the chosen speed. */
    playback_seek(&r.pb, r.ix, MS(3000));
    r.pb.compress_gaps = false;
    r.pb.playing = true;
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    rig_frame(&r, 0.5);
    CHECK_EQ_INT(r.pb.t_us, MS(3500));
    rig_close(&r);
}

static void playback_should_pause_to_read_a_caption(void)
{
    Rig r = rig_open(fixture_happy());
    r.pb.slowmo = false;
    playback_seek(&r.pb, r.ix, MS(1190)); /* the captioned MX query is at 1200 ms */
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    r.pb.playing = true;
    rig_frame(&r, 0.5);
    CHECK_EQ_INT(r.pb.t_us, MS(1200));
    CHECK(r.pb.dwell_left_s >= 2.0);
    rig_frame(&r, 1.0); /* still reading */
    CHECK_EQ_INT(r.pb.t_us, MS(1200));
    for (int i = 0; i < 20 && r.pb.dwell_left_s > 0; i++) {
        rig_frame(&r, 0.5);
    }
    rig_frame(&r, 0.01);
    CHECK(r.pb.t_us > MS(1200));
    rig_close(&r);
}

static void playback_should_stop_at_the_end_and_restart_from_the_top(void)
{
    Rig r = rig_open(fixture_bounce());
    r.pb.speed = 10000;
    r.pb.playing = true;
    viewstate_compute(r.ix, r.lay, r.pb.t_us, &r.opt, r.vs);
    for (int i = 0; i < 2000 && r.pb.playing; i++) {
        rig_frame(&r, 0.05);
    }
    CHECK(!r.pb.playing);
    CHECK_EQ_INT(r.pb.t_us, traceindex_end(r.ix));
    playback_toggle(&r.pb, r.ix);
    CHECK(r.pb.playing);
    CHECK_EQ_INT(r.pb.t_us, 0);
    rig_close(&r);
}

static void timeaxis_should_squeeze_gaps_and_invert_exactly(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    CHECK_EQ_INT(timeaxis_start(ax), 0);
    CHECK_EQ_INT(timeaxis_end(ax), MS(600120));
    /* The SMTP second (1.0-2.5 s) gets far more of the strip than the ten idle minutes. */
    double busy = timeaxis_frac(ax, MS(2510)) - timeaxis_frac(ax, MS(1000));
    double idle = timeaxis_frac(ax, MS(599000)) - timeaxis_frac(ax, MS(3000));
    CHECK(busy > 0.5);
    CHECK(idle < 0.1);
    size_t gaps = 0;
    for (size_t i = 0; i < timeaxis_segment_count(ax); i++) {
        gaps += timeaxis_segment(ax, i)->gap;
    }
    CHECK_EQ_INT(gaps, 2); /* the lead-in and the wait for Bob's mail check */
    double prev = -1;
    for (int64_t t = 0; t <= MS(600120); t += MS(997)) {
        double f = timeaxis_frac(ax, t);
        CHECK(f >= prev);
        prev = f;
    }
    for (int64_t t = MS(1000); t <= MS(2600); t += MS(10)) {
        int64_t back = timeaxis_time(ax, timeaxis_frac(ax, t));
        CHECK(llabs(back - t) <= 50);
    }
    CHECK(timeaxis_frac(ax, -5) == 0 && timeaxis_frac(ax, INT64_MAX) == 1);
    timeaxis_destroy(ax);
    timeaxis_destroy(NULL);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* A doubling wait is drawn wider (with the logarithm of its length), and every wait has a length
 * to write, abbreviated to one unit when narrow. */
static void timeaxis_should_widen_longer_gaps_and_name_their_length(void)
{
    Trace *tr = fixture_retry();
    TraceIndex *ix = traceindex_create(tr);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    const AxisSegment *longest = NULL, *shortest = NULL;
    for (size_t i = 0; i < timeaxis_segment_count(ax); i++) {
        const AxisSegment *s = timeaxis_segment(ax, i);
        if (!s->gap) {
            continue;
        }
        int64_t d = s->end_us - s->start_us;
        longest = !longest || d > longest->end_us - longest->start_us ? s : longest;
        shortest = !shortest || d < shortest->end_us - shortest->start_us ? s : shortest;
    }
    REQUIRE(longest && shortest && longest != shortest);
    CHECK(longest->frac1 - longest->frac0 > shortest->frac1 - shortest->frac0);
    char buf[48];
    CHECK_EQ_STR(timeaxis_gap_text(INT64_C(596000000), false, buf, sizeof buf), "9 min 56 s");
    CHECK_EQ_STR(timeaxis_gap_text(INT64_C(596000000), true, buf, sizeof buf), "10 min");
    CHECK_EQ_STR(timeaxis_gap_text(INT64_C(3590000000), true, buf, sizeof buf), "1 h");
    CHECK_EQ_STR(timeaxis_gap_text(INT64_C(4) * 3600000000, true, buf, sizeof buf), "4 h");
    CHECK_EQ_STR(timeaxis_gap_text(INT64_C(86400000000), true, buf, sizeof buf), "1 d");
    CHECK_EQ_STR(timeaxis_gap_text(INT64_C(40000000), true, buf, sizeof buf), "40 s");
    timeaxis_destroy(ax);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

RUN_TESTS(TEST_CASE(playback_should_step_to_exact_event_times_and_pause),
          TEST_CASE(playback_should_start_stepping_at_the_first_event),
          TEST_CASE(timeaxis_should_widen_longer_gaps_and_name_their_length),
          TEST_CASE(playback_should_climb_and_descend_the_speed_ladder),
          TEST_CASE(playback_should_slow_down_so_packets_stay_visible),
          TEST_CASE(playback_should_jump_an_idle_gap_and_say_so),
          TEST_CASE(playback_should_pause_to_read_a_caption),
          TEST_CASE(playback_should_stop_at_the_end_and_restart_from_the_top),
          TEST_CASE(timeaxis_should_squeeze_gaps_and_invert_exactly))
