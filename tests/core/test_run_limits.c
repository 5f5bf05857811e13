/* test_run_limits: a run that asks for too much stops at a limit, says which, and frees all it
 * made. mailsim passes 50 000 000 engine events (--max-events) and TRACE_MAX_EVENTS trace events;
 * the scenario here, a dead server retried every millisecond for a year, would take hours and
 * hundreds of gigabytes without them. Small limits keep the test fast; tests/cli/limits.sh checks
 * the CLI's message.
 */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"

#include <stdlib.h>

/* tests/data/limits/retry-storm.json with its one message sent to `rcpts` recipients. */
static World *storm(unsigned rcpts)
{
    char *text = NULL, *to = NULL;
    size_t len = 0, to_len = 0;
    FILE *out = open_memstream(&to, &to_len);
    for (unsigned i = 0; i < rcpts; i++) {
        fprintf(out, "%s\"u%u@b.example\"", i ? "," : "", i);
    }
    fclose(out);
    out = open_memstream(&text, &len);
    fprintf(out,
            "{\"mailsim\": 1, \"title\": \"storm\", \"horizon_s\": 31536000, \"nodes\": ["
            "{\"id\": \"alice\", \"kind\": \"client\", \"address\": \"alice@a.example\", "
            "\"submit_to\": \"smtp.a\"},"
            "{\"id\": \"smtp.a\", \"kind\": \"outgoing\", \"ip\": \"198.51.100.10\", \"resolver\": "
            "\"dns.a\", \"retry\": {\"style\": \"fixed\", \"waits_s\": [0.001], \"queue_run_s\": "
            "0.001, \"lifetime_s\": 31536000}},"
            "{\"id\": \"dns.a\", \"kind\": \"resolver\"},"
            "{\"id\": \"mx.b\", \"kind\": \"incoming\", \"ip\": \"203.0.113.25\", \"domains\": "
            "[\"b.example\"], \"store\": \"store.b\"},"
            "{\"id\": \"store.b\", \"kind\": \"store\"}],"
            "\"dns\": {\"records\": [{\"name\": \"b.example\", \"type\": \"MX\", \"host\": "
            "\"mx.b.example\"}, {\"name\": \"mx.b.example\", \"type\": \"A\", \"addr\": "
            "\"203.0.113.25\"}]},"
            "\"messages\": [{\"from\": \"alice@a.example\", \"to\": [%s]}],"
            "\"actions\": [{\"at_s\": 0, \"do\": \"outage\", \"node\": \"mx.b\"}]}",
            to);
    fclose(out);
    Error err = { 0 };
    World *w = scenario_load_string(text, len, "storm.json", &err);
    if (!w) {
        char buf[1400];
        fprintf(stderr, "%s\n", error_format(&err, buf, sizeof buf));
    }
    free(text);
    free(to);
    return w;
}

static void sim_should_stop_at_the_engine_event_limit(void)
{
    World *w = storm(1);
    REQUIRE(w != NULL);
    SimOptions opt = { .max_events = 20000 };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    const SimStats *st = sim_stats(sim);
    CHECK(st->hit_event_limit);
    CHECK(!st->hit_trace_limit);
    CHECK_EQ_INT(st->events, 20000);
    CHECK(st->end_us < w->horizon_us);
    sim_destroy(sim);
    world_destroy(w);
}

/* One engine event records an event per recipient: with 1 000 recipients the trace outgrows the
 * engine count by far, and its own limit is what stops the run. */
static void sim_should_stop_when_the_trace_holds_its_limit(void)
{
    World *w = storm(1000);
    REQUIRE(w != NULL);
    SimOptions opt = { .max_events = 1000000, .max_trace_events = 100000 };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    const SimStats *st = sim_stats(sim);
    CHECK(st->hit_trace_limit);
    CHECK(!st->hit_event_limit);
    CHECK(st->events < 100000); /* far fewer engine events than trace events */
    const Trace *tr = sim_trace(sim);
    CHECK(trace_count(tr) >= 100000);
    CHECK(trace_count(tr) < 100000 + 5000); /* overshoots by at most one engine event's worth */
    sim_destroy(sim);
    world_destroy(w);
}

static void sim_should_not_count_the_trace_without_one(void)
{
    World *w = storm(1000);
    REQUIRE(w != NULL);
    SimOptions opt = { .no_trace = true, .max_events = 5000, .max_trace_events = 10 };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    CHECK(sim_stats(sim)->hit_event_limit);
    CHECK(!sim_stats(sim)->hit_trace_limit);
    sim_destroy(sim);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(sim_should_stop_at_the_engine_event_limit),
          TEST_CASE(sim_should_stop_when_the_trace_holds_its_limit),
          TEST_CASE(sim_should_not_count_the_trace_without_one))
