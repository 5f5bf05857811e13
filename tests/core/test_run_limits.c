/* test_run_limits: a run that asks for too much stops at a limit, says which, and frees all it
 * made. mailsim passes 50 000 000 engine events (--max-events) and TRACE_MAX_EVENTS trace events;
 * the scenario here, a dead server retried every millisecond for a year, would take hours and
 * hundreds of gigabytes without them. Small limits keep the test fast; tests/cli/limits.sh checks
 * the CLI's message. And the estimate mailsim refuses a run by before it starts
 * (sim_min_trace_events) is never more than what a run records, and exactly what composing does.
 */
#define _POSIX_C_SOURCE 200809L

#include "test.h"
#include "shipped.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"

#include <stdlib.h>
#include <string.h>

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

/* A mailing of `copies` copies from a list manager (`submit`: "smtp" or "pickup") at 1 s, with
 * `extra` message keys (each after a comma), in a world whose horizon is `horizon_s` and whose
 * outgoing server is, when `outage` is true, silently down from the start. */
static World *mailing(unsigned copies, const char *extra, const char *submit, unsigned horizon_s,
                      bool outage)
{
    char *text = NULL, *to = NULL;
    size_t len = 0, to_len = 0;
    FILE *out = open_memstream(&to, &to_len);
    for (unsigned i = 0; i < copies; i++) {
        fprintf(out, "%s\"u%u@b.example\"", i ? "," : "", i);
    }
    fclose(out);
    out = open_memstream(&text, &len);
    fprintf(out,
            "{\"mailsim\": 1, \"title\": \"list\", \"horizon_s\": %u, \"nodes\": ["
            "{\"id\": \"sympa\", \"kind\": \"client\", \"address\": \"news@a.example\", "
            "\"submit_to\": \"smtp.a\", \"submit\": \"%s\"},"
            "{\"id\": \"smtp.a\", \"kind\": \"outgoing\", \"ip\": \"198.51.100.10\", "
            "\"resolver\": \"dns.a\"},"
            "{\"id\": \"dns.a\", \"kind\": \"resolver\"},"
            "{\"id\": \"mx.b\", \"kind\": \"incoming\", \"ip\": \"203.0.113.25\", \"domains\": "
            "[\"b.example\"], \"store\": \"store.b\"},"
            "{\"id\": \"store.b\", \"kind\": \"store\"}],"
            "\"dns\": {\"records\": [{\"name\": \"b.example\", \"type\": \"MX\", \"host\": "
            "\"mx.b.example\"}, {\"name\": \"mx.b.example\", \"type\": \"A\", \"addr\": "
            "\"203.0.113.25\"}]},"
            "\"messages\": [{\"id\": \"news\", \"at_s\": 1, \"from\": \"news@a.example\", "
            "\"one_per_recipient\": true, \"to\": [%s]%s}],"
            "\"actions\": [%s]}",
            horizon_s, submit, to, extra,
            outage ? "{\"at_s\": 0, \"do\": \"outage\", \"node\": \"smtp.a\", \"mode\": "
                     "\"timeout\"}"
                   : "");
    fclose(out);
    Error err = { 0 };
    World *w = scenario_load_string(text, len, "list.json", &err);
    if (!w) {
        char buf[1400];
        fprintf(stderr, "%s\n", error_format(&err, buf, sizeof buf));
    }
    free(text);
    free(to);
    return w;
}

/* The trace events a run of w records with no limit (it runs to its end or its horizon). */
static size_t recorded(World *w)
{
    Trace *tr = sim_run_world(w, NULL);
    size_t n = trace_count(tr);
    trace_destroy(tr);
    return n;
}

/* Each copy records, as it is composed, its compose event, From, To, Subject, Date, Message-ID,
 * MIME-Version and its connection attempt: 8; no Date: 7; each attachment's header: one more. */
static void sim_should_estimate_a_mailing_by_its_copies_and_headers(void)
{
    static const struct {
        const char *extra;
        uint64_t per_copy;
    } CASES[] = {
        { "", 8 },
        { ", \"date\": false", 7 },
        { ", \"attachments\": [{\"name\": \"a.pdf\", \"size_bytes\": 10}, "
          "{\"name\": \"b.pdf\", \"size_bytes\": 10}]",
          10 },
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        World *w = mailing(10, CASES[i].extra, "smtp", 3600, false);
        REQUIRE(w != NULL);
        CHECK_EQ_INT(sim_min_trace_events(w), 10 * CASES[i].per_copy);
        CHECK(recorded(w) > sim_min_trace_events(w)); /* the copies also travel and bounce */
        world_destroy(w);
    }
}

/* Copy k goes at at_s + (k - 1) * every_s: with every_s 10 from 1 s, the copies at 1, 11, 21, 31
 * and 41 s are composed by a horizon of 41 s, and the other five never. */
static void sim_should_count_only_the_copies_composed_by_the_horizon(void)
{
    World *w = mailing(10, ", \"every_s\": 10", "smtp", 41, false);
    REQUIRE(w != NULL);
    CHECK_EQ_INT(sim_min_trace_events(w), 5 * 8);
    CHECK(recorded(w) >= sim_min_trace_events(w));
    world_destroy(w);
    w = mailing(10, ", \"every_s\": 10", "smtp", 100, false);
    REQUIRE(w != NULL);
    CHECK_EQ_INT(sim_min_trace_events(w), 10 * 8);
    world_destroy(w);
}

/* The bound is tight: with the server silent and the run ending when the copies are composed,
 * the trace holds exactly the composing (and the outage's own event), by SMTP or by pickup. */
static void sim_should_estimate_exactly_what_composing_records(void)
{
    static const char *const SUBMIT[] = { "smtp", "pickup" };
    for (size_t i = 0; i < 2; i++) {
        World *w = mailing(1000, "", SUBMIT[i], 1, true);
        REQUIRE(w != NULL);
        CHECK_EQ_INT(sim_min_trace_events(w), 1000 * 8);
        CHECK_EQ_INT(recorded(w), 1000 * 8 + 1);
        world_destroy(w);
    }
}

/* Every shipped scenario records at least what the estimate says, and some of it. */
static void sim_should_never_estimate_more_than_a_shipped_scenario_records(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    int files = 0;
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file], *name = shipped_name(path);
        Error err = { 0 };
        World *w = scenario_load_file(path, &err);
        CHECK(w != NULL);
        if (!w) {
            continue;
        }
        uint64_t least = sim_min_trace_events(w);
        size_t n = recorded(w);
        CHECK(least > 0 || w->spec_count == 0); /* a verifier-only world composes no message */
        CHECK(least <= n);
        if (least > n) {
            fprintf(stderr, "  %s: estimated %llu, recorded %zu\n", name,
                    (unsigned long long)least, n);
        }
        world_destroy(w);
        files++;
    }
    shipped_list_free(&sl);
    CHECK(files >= 14);
}

/* A run's last step may record many events at once (here the last copy's composing, 8 events, at
 * the horizon): a limit that falls inside it leaves the run over its limit with nothing left to
 * do before the horizon, and it must say so, or mailsim would write a trace its reader refuses. */
static void sim_should_flag_a_trace_that_ends_over_its_limit(void)
{
    World *w = mailing(10, "", "smtp", 1, true);
    REQUIRE(w != NULL);
    size_t all = recorded(w);
    REQUIRE(all == 81);
    for (uint64_t limit = all - 8; limit < all; limit++) {
        SimOptions opt = { .max_trace_events = limit };
        Sim *sim = sim_create(w, &opt);
        sim_run(sim);
        CHECK(trace_count(sim_trace(sim)) <= limit || sim_stats(sim)->hit_trace_limit);
        sim_destroy(sim);
    }
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(sim_should_stop_at_the_engine_event_limit),
          TEST_CASE(sim_should_stop_when_the_trace_holds_its_limit),
          TEST_CASE(sim_should_not_count_the_trace_without_one),
          TEST_CASE(sim_should_estimate_a_mailing_by_its_copies_and_headers),
          TEST_CASE(sim_should_count_only_the_copies_composed_by_the_horizon),
          TEST_CASE(sim_should_estimate_exactly_what_composing_records),
          TEST_CASE(sim_should_never_estimate_more_than_a_shipped_scenario_records),
          TEST_CASE(sim_should_flag_a_trace_that_ends_over_its_limit))
