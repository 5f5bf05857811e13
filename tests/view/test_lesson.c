/* test_lesson: lesson mode hides the future at every moment — no log row, tick colour or ladder
 * arrow of an event after the current one — on shipped scenarios, at every event time; the
 * lesson's answer part is cut; the quiz puts each question once, reveals, and puts it again
 * after time is taken back. */
#include "test.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/narrate.h"
#include "view/ladder.h"
#include "view/layout.h"
#include "view/lesson.h"
#include "view/logfilter.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    World *w;
    Trace *tr;
    TraceIndex *ix;
    Layout *lay;
    ViewState *vs;
} Run;

static bool run_open(Run *r, const char *path)
{
    memset(r, 0, sizeof *r);
    Error err = { 0 };
    r->w = scenario_load_file(path, &err);
    if (!r->w) {
        return false;
    }
    r->tr = sim_run_world(r->w, NULL);
    r->ix = traceindex_create(r->tr);
    r->lay = layout_create(r->ix);
    layout_resize(r->lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    r->vs = viewstate_create();
    return true;
}

static void run_close(Run *r)
{
    viewstate_destroy(r->vs);
    layout_destroy(r->lay);
    traceindex_destroy(r->ix);
    trace_destroy(r->tr);
    world_destroy(r->w);
}

/* At t (and stepping through the events that share it): nothing after the current event is in
 * the log rows, coloured or tall on the timeline, or drawn as a ladder arrow. Returns the number
 * of moments checked. */
static int check_moment(Run *r, int64_t t, uint32_t step_event, int32_t msg)
{
    ViewOptions opt = viewoptions_default();
    opt.current_event = step_event;
    viewstate_compute(r->ix, r->lay, t, &opt, r->vs);
    size_t shown = lesson_events_shown(r->vs);
    const TraceEvent *ev = trace_events(r->tr);
    size_t n = trace_count(r->tr);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bool tall;
        ColorRole cr = lesson_tick_role(r->tr, shown, (uint32_t)i, &tall);
        if (ev[i].t_us > t) {
            bad += i < shown;                      /* a future event counted as past */
            bad += cr != CR_NEUTRAL || tall;       /* a future tick with its outcome colour */
        }
        if (i >= shown) {
            bad += cr != CR_NEUTRAL || tall;
        }
    }
    LogFilter all = logfilter_all();
    LogRows rows = { 0 };
    logrows_build(&rows, r->tr, &all, shown);
    for (size_t k = 0; k < rows.count; k++) {
        bad += ev[rows.rows[k]].t_us > t; /* a future row, with its outcome text */
    }
    bad += rows.count != shown;
    logrows_free(&rows);
    /* Every token on the canvas comes from the past. */
    for (size_t k = 0; k < r->vs->token_count; k++) {
        uint32_t e = r->vs->tokens[k].event;
        bad += e != UINT32_MAX && ev[e].t_us > t;
    }
    if (msg != TRACE_NONE) {
        LadderOptions lo = { .until_us = t, .hide_future = true };
        Ladder *ld = ladder_build(r->tr, msg, &lo);
        for (size_t k = 0; k < ladder_row_count(ld); k++) {
            const LadderRow *row = ladder_row(ld, k);
            bad += row->event != UINT32_MAX && ev[row->event].t_us > t;
            bad += row->future;
        }
        ladder_destroy(ld);
    }
    CHECK_EQ_INT(bad, 0);
    return 1;
}

static void lesson_should_hide_every_future_event_at_every_moment(void)
{
    static const char *const PATHS[] = { "scenarios/03-unknown-user.json",
                                         "scenarios/05-greylisting.json",
                                         "scenarios/08-dns-servfail.json",
                                         "scenarios/09-spam-filtered.json" };
    for (size_t p = 0; p < sizeof PATHS / sizeof PATHS[0]; p++) {
        Run r;
        REQUIRE(run_open(&r, PATHS[p]));
        int32_t m1 = trace_find_msg(r.tr, "m1");
        const TraceEvent *ev = trace_events(r.tr);
        int moments = 0;
        for (uint32_t i = 0; i < trace_count(r.tr); i++) {
            moments += check_moment(&r, ev[i].t_us, i, m1);
            moments += check_moment(&r, ev[i].t_us - 1, UINT32_MAX, TRACE_NONE);
        }
        CHECK_EQ_INT(moments, 2 * (int)trace_count(r.tr));
        run_close(&r);
    }
}

static void lesson_should_show_past_ticks_in_their_outcome_colour(void)
{
    Run r;
    REQUIRE(run_open(&r, "scenarios/05-greylisting.json"));
    /* The 450 greylisting reply is red-orange once it has happened, neutral before. */
    uint32_t reply = UINT32_MAX;
    for (uint32_t i = 0; i < trace_count(r.tr) && reply == UINT32_MAX; i++) {
        const TraceEvent *e = &trace_events(r.tr)[i];
        if (e->kind == TK_SMTP && e->sub == TRACE_ANSWER && e->num == 450) {
            reply = i;
        }
    }
    REQUIRE(reply != UINT32_MAX);
    bool tall;
    CHECK_EQ_INT(lesson_tick_role(r.tr, reply, reply, &tall), CR_NEUTRAL);
    CHECK(!tall);
    CHECK_EQ_INT(lesson_tick_role(r.tr, reply + 1, reply, &tall), CR_SMTP_DEFER);
    CHECK(tall);
    run_close(&r);
}

static void lesson_should_cut_the_answer_part_until_revealed(void)
{
    char buf[256];
    const char *text = "Alice writes to bobb. Ask the class: what happens? Answer: a bounce.";
    CHECK_EQ_STR(lesson_text(text, false, buf, sizeof buf),
                 "Alice writes to bobb. Ask the class: what happens? (the answer comes later)");
    CHECK_EQ_STR(lesson_text(text, true, buf, sizeof buf), text);
    /* Without the mark nothing is hidden. */
    CHECK_EQ_STR(lesson_text("No mark here.", false, buf, sizeof buf), "No mark here.");
    CHECK_EQ_INT((int)lesson_premise_len("No mark here."), 13);
}

static void lesson_should_resolve_the_questions_of_a_scenario(void)
{
    Run r;
    REQUIRE(run_open(&r, "scenarios/05-greylisting.json"));
    LessonQuestions *lq = lesson_questions_build(r.w, r.tr);
    REQUIRE(lesson_question_count(lq) >= 1);
    const LessonQuestion *q = lesson_question(lq, 0);
    REQUIRE(q->ask_index >= 0);
    const TraceEvent *e = &trace_events(r.tr)[q->ask_index];
    CHECK(strstr(trace_str(r.tr, e->text), "RCPT TO") != NULL);
    CHECK_EQ_INT(q->pause_us, e->t_us - 1);
    CHECK(q->answer_index >= q->ask_index);
    CHECK(q->answer < q->choice_count);
    CHECK(strlen(q->question) > 0);
    CHECK(lesson_reveal_us(lq, r.tr) >= trace_events(r.tr)[q->answer_index].t_us);
    lesson_questions_destroy(lq);
    run_close(&r);
}

static void lesson_should_put_a_question_once_and_again_after_stepping_back(void)
{
    Run r;
    REQUIRE(run_open(&r, "scenarios/05-greylisting.json"));
    LessonQuestions *lq = lesson_questions_build(r.w, r.tr);
    REQUIRE(lesson_question_count(lq) >= 1);
    const LessonQuestion *q = lesson_question(lq, 0);
    LessonQuiz qz;
    lesson_quiz_init(&qz, lq);
    int64_t moment = q->pause_us + 1;
    /* Playing across the moment stops just before it. */
    int64_t t = moment + 5000;
    CHECK_EQ_INT(lesson_quiz_update(&qz, lq, 0, &t), 0);
    CHECK_EQ_INT(t, q->pause_us);
    /* The log at the pause does not hold the ask event. */
    ViewOptions opt = viewoptions_default();
    viewstate_compute(r.ix, r.lay, t, &opt, r.vs);
    CHECK(lesson_events_shown(r.vs) <= (size_t)q->ask_index);
    /* Keys: 2 picks, space reveals, space goes on. */
    lesson_quiz_pick(&qz, lq, 1);
    CHECK_EQ_INT(qz.picked, 1);
    lesson_quiz_pick(&qz, lq, 7); /* no such choice */
    CHECK_EQ_INT(qz.picked, 1);
    CHECK(!lesson_quiz_space(&qz));
    CHECK(qz.revealed);
    lesson_quiz_pick(&qz, lq, 0); /* too late once revealed */
    CHECK_EQ_INT(qz.picked, 1);
    CHECK(lesson_quiz_space(&qz));
    CHECK_EQ_INT(qz.active, -1);
    /* Going on does not put it again. */
    int64_t t2 = moment + 1000;
    CHECK_EQ_INT(lesson_quiz_update(&qz, lq, t, &t2), -1);
    CHECK_EQ_INT(t2, moment + 1000);
    /* Taken back before it, then forward again: it is put again. */
    int64_t back = q->pause_us - 1000;
    CHECK_EQ_INT(lesson_quiz_update(&qz, lq, t2, &back), -1);
    int64_t fwd = moment;
    CHECK_EQ_INT(lesson_quiz_update(&qz, lq, back, &fwd), 0);
    CHECK_EQ_INT(fwd, q->pause_us);
    /* Esc skips it: going on does not put it again. */
    lesson_quiz_cancel(&qz);
    int64_t on = moment + 10;
    CHECK_EQ_INT(lesson_quiz_update(&qz, lq, fwd, &on), -1);
    lesson_quiz_free(&qz);
    lesson_questions_destroy(lq);
    run_close(&r);
}

RUN_TESTS(TEST_CASE(lesson_should_hide_every_future_event_at_every_moment),
          TEST_CASE(lesson_should_show_past_ticks_in_their_outcome_colour),
          TEST_CASE(lesson_should_cut_the_answer_part_until_revealed),
          TEST_CASE(lesson_should_resolve_the_questions_of_a_scenario),
          TEST_CASE(lesson_should_put_a_question_once_and_again_after_stepping_back))
