/* test_lesson: lesson mode hides the future at every moment — no log row, tick colour or ladder
 * arrow of an event after the current one — on shipped scenarios, at every event time; the
 * lesson's answer part is cut; the quiz puts each question once, reveals, and puts it again
 * after time is taken back; every shipped lesson has one answer part and a premise that does not
 * give the answer away. */
#include "test.h"
#include "shipped.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/narrate.h"
#include "util/xalloc.h"
#include "view/ladder.h"
#include "view/layout.h"
#include "view/lesson.h"
#include "view/logfilter.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <ctype.h>
#include <stdio.h>
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


/* ---- the shipped lessons: premise, question, answer ---- */

/* What a premise must not say: the reply codes ("450") and enhanced status codes ("4.2.0") the
 * scenario's outcome turns on, and the right choice of each of its questions. */
#define GIVEAWAY_MAX 64
#define GIVEAWAY_CODE_LEN 16

typedef struct {
    char codes[GIVEAWAY_MAX][GIVEAWAY_CODE_LEN];
    size_t code_count;
    const char *choices[GIVEAWAY_MAX]; /* borrowed from the World */
    size_t choice_count;
    bool overflow; /* more than GIVEAWAY_MAX of either: the test must grow */
} Giveaways;

static void giveaways_add_code(Giveaways *g, const char *code, size_t len)
{
    if (g->code_count == GIVEAWAY_MAX || len >= GIVEAWAY_CODE_LEN) {
        g->overflow = true;
        return;
    }
    for (size_t i = 0; i < g->code_count; i++) {
        if (strlen(g->codes[i]) == len && memcmp(g->codes[i], code, len) == 0) {
            return;
        }
    }
    memcpy(g->codes[g->code_count], code, len);
    g->codes[g->code_count][len] = '\0';
    g->code_count++;
}

static void giveaways_add_number(Giveaways *g, int32_t code)
{
    if (code == 0) {
        return;
    }
    char buf[GIVEAWAY_CODE_LEN];
    int n = snprintf(buf, sizeof buf, "%d", (int)code);
    giveaways_add_code(g, buf, (size_t)n);
}

/* A token is a run of digits and dots that has a digit on each side of every dot ("198.51.100.10"
 * is one token, "450." at the end of a sentence is "450"). Its length from s, 0 when s does not
 * start one. */
static size_t token_len(const char *s, size_t avail)
{
    size_t n = 0;
    while (n < avail && (isdigit((unsigned char)s[n]) ||
                         (s[n] == '.' && n > 0 && n + 1 < avail &&
                          isdigit((unsigned char)s[n + 1])))) {
        n++;
    }
    return n;
}

static bool starts_token(const char *text, size_t i)
{
    return isdigit((unsigned char)text[i]) &&
           (i == 0 || (!isdigit((unsigned char)text[i - 1]) && text[i - 1] != '.'));
}

static bool is_reply_code(const char *t, size_t n)
{
    return n == 3 && t[0] >= '2' && t[0] <= '5' && isdigit((unsigned char)t[1]) &&
           isdigit((unsigned char)t[2]);
}

/* class.subject.detail (RFC 3463): 2, 4 or 5, then two numbers of 1 to 3 digits */
static bool is_enhanced_code(const char *t, size_t n)
{
    if (n < 5 || (t[0] != '2' && t[0] != '4' && t[0] != '5') || t[1] != '.') {
        return false;
    }
    size_t digits = 0, dots = 1;
    for (size_t i = 2; i < n; i++) {
        if (t[i] == '.') {
            dots++;
            digits = 0;
        } else if (++digits > 3) {
            return false;
        }
    }
    return dots == 2;
}

/* Adds every enhanced status code written in text and, with reply_codes, every reply code (not
 * from an explanation, where a 3-digit number may be a delay: "the 300-second delay"). */
static void giveaways_add_codes_in(Giveaways *g, const char *text, bool reply_codes)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i++) {
        if (!starts_token(text, i)) {
            continue;
        }
        size_t n = token_len(text + i, len - i);
        if ((reply_codes && is_reply_code(text + i, n)) || is_enhanced_code(text + i, n)) {
            giveaways_add_code(g, text + i, n);
        }
        i += n;
    }
}

/* Taken from what the scenario checks about its run: expect.events[].code,
 * expect.messages[].reply_contains, and each question's check.code, right choice and
 * explanation. */
static void giveaways_collect(Giveaways *g, const World *w)
{
    memset(g, 0, sizeof *g);
    for (uint32_t i = 0; i < w->expect_event_count; i++) {
        giveaways_add_number(g, w->expect_events[i].sel.code);
    }
    for (uint32_t i = 0; i < w->expect_msg_count; i++) {
        giveaways_add_codes_in(g, strpool_get(w->strings, w->expect_msgs[i].reply_contains),
                               true);
    }
    for (uint32_t i = 0; i < w->question_count; i++) {
        const Question *q = &w->questions[i];
        const char *right = strpool_get(w->strings, q->choices[q->answer]);
        giveaways_add_number(g, q->check.code);
        giveaways_add_codes_in(g, right, true);
        giveaways_add_codes_in(g, strpool_get(w->strings, q->explain), false);
        if (g->choice_count == GIVEAWAY_MAX) {
            g->overflow = true;
            continue;
        }
        g->choices[g->choice_count++] = right;
    }
}

/* Whether text holds code as a whole token ("450" is not in "4500" nor in "198.51.450.1"). */
static bool text_has_code(const char *text, const char *code)
{
    size_t len = strlen(text), clen = strlen(code);
    for (size_t i = 0; i < len; i++) {
        if (starts_token(text, i) && token_len(text + i, len - i) == clen &&
            memcmp(text + i, code, clen) == 0) {
            return true;
        }
    }
    return false;
}

static bool text_has_phrase(const char *text, const char *phrase)
{
    size_t plen = strlen(phrase);
    for (const char *t = text; *t; t++) {
        size_t k = 0;
        while (k < plen && t[k] &&
               tolower((unsigned char)t[k]) == tolower((unsigned char)phrase[k])) {
            k++;
        }
        if (plen > 0 && k == plen) {
            return true;
        }
    }
    return false;
}

/* The first giveaway in text (a code or a right choice), or NULL. */
static const char *giveaway_in(const Giveaways *g, const char *text)
{
    for (size_t i = 0; i < g->code_count; i++) {
        if (text_has_code(text, g->codes[i])) {
            return g->codes[i];
        }
    }
    for (size_t i = 0; i < g->choice_count; i++) {
        if (text_has_phrase(text, g->choices[i])) {
            return g->choices[i];
        }
    }
    return NULL;
}

static size_t count_marks(const char *lesson)
{
    size_t n = 0;
    for (const char *m = strstr(lesson, LESSON_ANSWER_MARK); m;
         m = strstr(m + 1, LESSON_ANSWER_MARK)) {
        n++;
    }
    return n;
}

/* Checks one scenario's lesson; returns the number of giveaways its premise was checked for. */
static size_t check_lesson(const char *name, const World *w)
{
    const char *lesson = strpool_get(w->strings, w->lesson);
    size_t premise_len = lesson_premise_len(lesson);
    char *premise = xmalloc(premise_len + 1);
    memcpy(premise, lesson, premise_len);
    premise[premise_len] = '\0';
    Giveaways g;
    giveaways_collect(&g, w);
    const char *leak = giveaway_in(&g, premise);
    if (count_marks(lesson) != 1 || premise_len == 0 || leak != NULL ||
        !strstr(premise, "Ask the class:") || premise[premise_len - 1] != '?') {
        fprintf(stderr, "%s: %zu answer marks, premise \"%s\", gives away \"%s\"\n", name,
                count_marks(lesson), premise, leak ? leak : "");
    }
    CHECK_EQ_INT((int)count_marks(lesson), 1);
    CHECK(premise_len > 0);
    /* the premise ends with the question put to the class */
    CHECK(strstr(premise, "Ask the class:") != NULL);
    CHECK(premise_len > 0 && premise[premise_len - 1] == '?');
    CHECK(leak == NULL);
    CHECK(!g.overflow);
    free(premise);
    return g.code_count + g.choice_count;
}

static void lesson_should_ask_before_it_answers_in_every_shipped_scenario(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    int scenarios = 0;
    size_t giveaways = 0;
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file], *name = shipped_name(path);
        World *w = scenario_load_file(path, NULL);
        CHECK(w != NULL);
        if (!w) {
            continue;
        }
        giveaways += check_lesson(name, w);
        scenarios++;
        world_destroy(w);
    }
    shipped_list_free(&sl);
    CHECK(scenarios >= 14);
    CHECK(giveaways >= (size_t)scenarios); /* the check has something to look for */
}

static void lesson_should_find_the_giveaways_a_premise_must_not_hold(void)
{
    Error err = { 0 };
    World *w = scenario_load_file("scenarios/05-greylisting.json", &err);
    REQUIRE(w != NULL);
    Giveaways g;
    giveaways_collect(&g, w);
    /* From the expect block and the questions: the reply code and both right choices, in any
     * letter case; a code only as a whole number. */
    CHECK(giveaway_in(&g, "It answers 450.") != NULL);
    CHECK(giveaway_in(&g, "then it is ACCEPTED AND DELIVERED") != NULL);
    CHECK(giveaway_in(&g, "Alice's server, 198.51.100.10, sends 4500 bytes.") == NULL);
    CHECK(giveaway_in(&g, "Bob's server uses greylisting.") == NULL);
    CHECK(giveaway_in(&g, "The delay is 300 seconds.") == NULL); /* from the explanation */
    /* The whole lesson, answer included, does say the outcome: the check sees it. */
    CHECK(giveaway_in(&g, strpool_get(w->strings, w->lesson)) != NULL);
    world_destroy(w);
    /* Enhanced status codes from a reply the expect block looks for (scenario 06: 554 5.7.1). */
    w = scenario_load_file("scenarios/06-blocklisted-sender.json", &err);
    REQUIRE(w != NULL);
    giveaways_collect(&g, w);
    CHECK_EQ_STR(giveaway_in(&g, "refused with 5.7.1."), "5.7.1");
    CHECK(giveaway_in(&g, "version 15.7.12") == NULL);
    world_destroy(w);
    /* A score is not a code: scenario 09's explanation says "(5.0)". */
    w = scenario_load_file("scenarios/09-spam-filtered.json", &err);
    REQUIRE(w != NULL);
    giveaways_collect(&g, w);
    CHECK(giveaway_in(&g, "5.0 or more means spam") == NULL);
    CHECK(giveaway_in(&g, "It goes to the junk folder.") != NULL);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(lesson_should_hide_every_future_event_at_every_moment),
          TEST_CASE(lesson_should_show_past_ticks_in_their_outcome_colour),
          TEST_CASE(lesson_should_cut_the_answer_part_until_revealed),
          TEST_CASE(lesson_should_resolve_the_questions_of_a_scenario),
          TEST_CASE(lesson_should_put_a_question_once_and_again_after_stepping_back),
          TEST_CASE(lesson_should_find_the_giveaways_a_premise_must_not_hold),
          TEST_CASE(lesson_should_ask_before_it_answers_in_every_shipped_scenario))
