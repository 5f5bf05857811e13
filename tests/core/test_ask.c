/* test_ask: questions read from a scenario and resolved against its run — the moment is the
 * nth matching event, the answer the first check event at or after it — and checked. */
#include "test.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/ask.h"

static const char *wstr(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

static void ask_should_read_a_question_with_its_answer_as_an_index(void)
{
    Error err = { 0 };
    World *w = scenario_load_file("scenarios/05-greylisting.json", &err);
    REQUIRE(w);
    REQUIRE(w->question_count == 2);
    const Question *q = &w->questions[0];
    CHECK_EQ_INT(q->before.kind, TK_SMTP);
    CHECK_EQ_STR(wstr(w, q->before.text_contains), "RCPT TO");
    CHECK_EQ_INT(q->before.to, world_find_node(w, "mx.b.example"));
    CHECK_EQ_INT(q->nth, 1);
    CHECK_EQ_INT(q->choice_count, 3);
    CHECK_EQ_INT(q->answer, 1);
    CHECK_EQ_STR(wstr(w, q->choices[q->answer]), "450 greylisted, try again later");
    CHECK_EQ_INT(q->check.code, 450);
    CHECK_EQ_INT(q->check.qtype, -1);
    CHECK_EQ_INT(w->questions[1].path_index, 1);
    world_destroy(w);
}

static void ask_should_resolve_the_moment_and_the_answer_in_the_trace(void)
{
    Error err = { 0 };
    World *w = scenario_load_file("scenarios/05-greylisting.json", &err);
    REQUIRE(w);
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr);
    AskMoment m[2];
    ask_resolve(w, tr, m);
    REQUIRE(m[0].ask_index >= 0 && m[0].answer_index > m[0].ask_index);
    const TraceEvent *asked = &trace_events(tr)[m[0].ask_index];
    const TraceEvent *answered = &trace_events(tr)[m[0].answer_index];
    CHECK_EQ_STR(trace_str(tr, asked->text), "RCPT TO:<bob@b.example>");
    CHECK_EQ_INT(asked->to, world_find_node(w, "mx.b.example"));
    CHECK_EQ_INT(answered->num, 450);
    CHECK(m[1].ask_index > m[0].answer_index);
    CHECK_EQ_INT(trace_events(tr)[m[1].answer_index].kind, TK_DELIVER);
    CHECK_EQ_INT(ask_check(w, tr, NULL), 0);
    /* The class was told 550: the run contradicts it. (A check is "at any time after the
     * moment": 250 would hold, from the retry's RCPT; a selector says which event it means.) */
    w->questions[0].check.code = 550;
    CHECK_EQ_INT(ask_check(w, tr, NULL), 1);
    ask_resolve(w, tr, m);
    CHECK_EQ_INT(m[0].answer_index, -1);
    /* A 9th attempt never comes. */
    w->questions[0].check.code = 450;
    w->questions[1].nth = 9;
    ask_resolve(w, tr, m);
    CHECK_EQ_INT(m[1].ask_index, -1);
    CHECK_EQ_INT(ask_check(w, tr, NULL), 1);
    trace_destroy(tr);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(ask_should_read_a_question_with_its_answer_as_an_index),
          TEST_CASE(ask_should_resolve_the_moment_and_the_answer_in_the_trace))
