/* test_captions: caption rules labelling a run's trace (model/captions.h). The indexed look-up
 * must give exactly what the plain reading of the rules gives (each rule labels the first event
 * it matches; a later rule wins an event two rules share), which a reference written that way
 * checks on every shipped scenario with thousands of rules drawn from its own trace: matching
 * and not, repeated, by time, kind, message, code and node. Speed is measured in
 * bench/bench_limits (the "captions" case), not here. */
#include "test.h"
#include "shipped.h"

#include "engine/rng.h"
#include "model/captions.h"
#include "model/sim.h"
#include "scenario/scenario.h"

#include <stdlib.h>

/* The plain reading of one rule against one event. */
static bool reference_matches(const World *w, const Trace *tr, const CaptionRule *c,
                              const TraceEvent *ev)
{
    if (c->at_us >= 0) {
        return ev->t_us >= c->at_us;
    }
    if (c->kind >= 0 && ev->kind != c->kind) {
        return false;
    }
    if (c->msg != STR_EMPTY &&
        (ev->msg == TRACE_NONE || strcmp(trace_str(tr, trace_msg(tr, ev->msg)->id),
                                         strpool_get(w->strings, c->msg)) != 0)) {
        return false;
    }
    if (c->code && !(ev->kind == TK_SMTP && ev->sub == TRACE_ANSWER && ev->num == c->code)) {
        return false;
    }
    if (c->node >= 0 && ev->from != c->node && ev->to != c->node) {
        return false;
    }
    return true;
}

/* expected[i]: the caption text event i should carry, or STR_EMPTY (StrIds of w's pool). */
static void reference_captions(const World *w, const Trace *tr, StrId *expected)
{
    const TraceEvent *evs = trace_events(tr);
    for (size_t i = 0; i < trace_count(tr); i++) {
        expected[i] = STR_EMPTY;
    }
    for (uint32_t r = 0; r < w->caption_count; r++) {
        for (size_t i = 0; i < trace_count(tr); i++) {
            if (reference_matches(w, tr, &w->captions[r], &evs[i])) {
                expected[i] = w->captions[r].text;
                break;
            }
        }
    }
}

/* Adds `count` rules drawn from the trace: the fields of a random event, some of them dropped or
 * changed so that the rule matches nothing, or a time. */
static void add_random_rules(World *w, const Trace *tr, Rng *rng, uint32_t count)
{
    const TraceEvent *evs = trace_events(tr);
    size_t n = trace_count(tr);
    for (uint32_t k = 0; k < count; k++) {
        const TraceEvent *ev = &evs[rng_below(rng, n)];
        CaptionRule *c = world_add_caption(w);
        *c = (CaptionRule){ .at_us = -1, .kind = -1, .msg = STR_EMPTY, .node = -1 };
        c->text = strpool_internf(w->strings, "rule %u", k % 97); /* texts repeat too */
        uint64_t how = rng_below(rng, 32);
        if (how == 0) {
            c->at_us = ev->t_us + (int64_t)rng_below(rng, 3) - 1;
            continue;
        }
        if (how & 1) {
            c->kind = rng_below(rng, 8) ? (int)ev->kind : (int)rng_below(rng, TK_KIND_COUNT);
        }
        if ((how & 2) && ev->msg != TRACE_NONE) {
            const char *id = trace_str(tr, trace_msg(tr, ev->msg)->id);
            c->msg = rng_below(rng, 8) ? strpool_intern(w->strings, id)
                                       : strpool_internf(w->strings, "%s-none", id);
        }
        if (how & 4) {
            c->code = ev->kind == TK_SMTP && ev->sub == TRACE_ANSWER && rng_below(rng, 4)
                          ? ev->num
                          : 100 + (int32_t)rng_below(rng, 500);
        }
        if ((how & 8) && (ev->from != TRACE_NONE || ev->to != TRACE_NONE)) {
            c->node = rng_below(rng, 2) && ev->from != TRACE_NONE ? ev->from : ev->to;
            c->node = c->node == TRACE_NONE ? ev->from : c->node;
        }
        if (how & 16 && c->kind < 0 && c->msg == STR_EMPTY && c->code == 0 && c->node < 0) {
            c->kind = (int)ev->kind;
        }
    }
}

/* Runs the scenario at `path` with its own rules plus random ones and compares every event's
 * caption with the reference. Returns false when the file did not load. */
static bool check_scenario(const char *path, uint64_t seed)
{
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        return false;
    }
    Trace *plain = sim_run_world(w, NULL);
    Rng rng;
    rng_seed(&rng, seed);
    add_random_rules(w, plain, &rng, 3000);
    trace_destroy(plain);
    Trace *tr = sim_run_world(w, NULL); /* the same course: the rules change nothing but labels */
    StrId *expected = malloc((trace_count(tr) + 1) * sizeof *expected);
    reference_captions(w, tr, expected);
    size_t labelled = 0, wrong = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        StrId got = trace_caption(tr, (uint32_t)i);
        const char *want = strpool_get(w->strings, expected[i]);
        labelled += expected[i] != STR_EMPTY;
        wrong += strcmp(got != STR_EMPTY ? trace_str(tr, got) : "", want) != 0;
    }
    CHECK_EQ_INT(wrong, 0);
    CHECK_EQ_INT(trace_caption_count(tr), labelled);
    CHECK(labelled > 0);
    free(expected);
    trace_destroy(tr);
    world_destroy(w);
    return true;
}

static void captions_should_label_what_the_plain_reading_of_the_rules_labels(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    int files = 0;
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file], *name = shipped_name(path);
        size_t len = strlen(name);
        CHECK(check_scenario(path, (uint64_t)len * 7919u));
        files++;
    }
    shipped_list_free(&sl);
    CHECK(files >= 14);
}

static void captions_should_keep_the_later_rule_for_a_shared_event(void)
{
    World *w = world_create();
    Trace *tr = trace_create();
    for (int i = 0; i < 3; i++) {
        TraceEvent ev = trace_event_init(TK_ACTION, i * 1000);
        trace_append(tr, &ev);
    }
    CaptionRule *c = world_add_caption(w);
    *c = (CaptionRule){ .at_us = -1, .kind = TK_ACTION, .msg = STR_EMPTY, .node = -1,
                        .text = strpool_intern(w->strings, "first") };
    c = world_add_caption(w);
    *c = (CaptionRule){ .at_us = 0, .kind = -1, .msg = STR_EMPTY, .node = -1,
                        .text = strpool_intern(w->strings, "second") };
    c = world_add_caption(w);
    *c = (CaptionRule){ .at_us = 1500, .kind = -1, .msg = STR_EMPTY, .node = -1,
                        .text = strpool_intern(w->strings, "third") };
    c = world_add_caption(w);
    *c = (CaptionRule){ .at_us = 5000, .kind = -1, .msg = STR_EMPTY, .node = -1,
                        .text = strpool_intern(w->strings, "after the end") };
    c = world_add_caption(w);
    *c = (CaptionRule){ .at_us = -1, .kind = -1, .msg = strpool_intern(w->strings, "m9"),
                        .node = -1, .text = strpool_intern(w->strings, "no such message") };
    captions_apply(w, tr);
    CHECK_EQ_INT(trace_caption_count(tr), 2);
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 0)), "second");
    CHECK_EQ_INT(trace_caption(tr, 1), STR_EMPTY);
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 2)), "third");
    trace_destroy(tr);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(captions_should_label_what_the_plain_reading_of_the_rules_labels),
          TEST_CASE(captions_should_keep_the_later_rule_for_a_shared_event))
