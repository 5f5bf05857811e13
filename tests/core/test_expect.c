/* test_expect: the expect checker (text/expect.h) on real runs. Its look-ups (rows by message,
 * events grouped by what they ask) must count and report exactly what the plain reading of each
 * expectation gives, in the same order: a reference counts every event expectation by scanning
 * the trace, and random expectations drawn from each shipped scenario's own trace are set to hold
 * or to fail by one; the report must name exactly the failing ones, in order, with the counts.
 * Many distinct texts in one group (substrings of each other, multi-byte UTF-8, cut mid-character)
 * are counted at once by an automaton: they too must give the plain strstr count.
 * Speed is measured in bench/bench_limits (the "expectations" case), not here. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "test.h"
#include "shipped.h"

#include "engine/rng.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/expect.h"
#include "text/summary.h"

#include <stdlib.h>

/* The plain reading of one event expectation. */
static bool reference_matches(const World *w, const Trace *tr, const ExpectEvent *ee,
                              const TraceEvent *ev)
{
    const EventSelector *e = &ee->sel;
    const char *msg = ev->msg == TRACE_NONE ? NULL : trace_str(tr, trace_msg(tr, ev->msg)->id);
    return (e->kind < 0 || (int)ev->kind == e->kind) &&
           (e->msg == STR_EMPTY || (msg && strcmp(msg, strpool_get(w->strings, e->msg)) == 0)) &&
           (e->from < 0 || ev->from == e->from) && (e->to < 0 || ev->to == e->to) &&
           (!e->code || (ev->kind == TK_SMTP && ev->sub == TRACE_ANSWER && ev->num == e->code)) &&
           (e->qtype < 0 || (ev->kind == TK_DNS && ev->num == e->qtype)) &&
           (e->text_contains == STR_EMPTY ||
            strstr(trace_str(tr, ev->text), strpool_get(w->strings, e->text_contains)));
}

static int64_t reference_count(const World *w, const Trace *tr, const ExpectEvent *e)
{
    int64_t n = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        n += reference_matches(w, tr, e, &trace_events(tr)[i]);
    }
    return n;
}

/* An expectation drawn from a random event: some fields kept, some changed to match nothing. */
static void random_expectation(World *w, const Trace *tr, Rng *rng, ExpectEvent *ee)
{
    EventSelector *e = &ee->sel;
    const TraceEvent *ev = &trace_events(tr)[rng_below(rng, trace_count(tr))];
    uint64_t how = rng_below(rng, 64);
    e->kind = rng_below(rng, 10) ? (int)ev->kind : (int)rng_below(rng, TK_KIND_COUNT);
    if ((how & 1) && ev->msg != TRACE_NONE) {
        const char *id = trace_str(tr, trace_msg(tr, ev->msg)->id);
        e->msg = rng_below(rng, 8) ? strpool_intern(w->strings, id)
                                   : strpool_internf(w->strings, "%s-none", id);
    }
    if ((how & 2) && ev->from != TRACE_NONE) {
        e->from = ev->from;
    }
    if ((how & 4) && ev->to != TRACE_NONE) {
        e->to = ev->to;
    }
    if (how & 8) {
        e->code = ev->kind == TK_SMTP && rng_below(rng, 4) ? ev->num : 100 + (int32_t)rng_below(rng, 500);
    }
    if (how & 16) {
        e->qtype = ev->kind == TK_DNS && rng_below(rng, 4) ? ev->num : (int)rng_below(rng, 2);
    }
    if (how & 32) {
        const char *text = trace_str(tr, ev->text);
        size_t len = strlen(text), at = len ? rng_below(rng, len) : 0;
        size_t take = len - at < 6 ? len - at : 6;
        while (at + take < len && ((unsigned char)text[at + take] & 0xC0) == 0x80) {
            take++; /* whole UTF-8 characters */
        }
        while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80) {
            at--;
        }
        e->text_contains = rng_below(rng, 6) ? strpool_intern_n(w->strings, text + at, take)
                                             : strpool_intern(w->strings, "no such text");
    }
}

static char *check_to_text(const World *w, const Trace *tr, int *unmet)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    Summary *s = summary_build(tr);
    *unmet = expect_check(w, tr, s, out);
    summary_destroy(s);
    fclose(out);
    return text;
}

/* Adds `count` event expectations to w; odd ones are set to fail (at least one more than the
 * reference count), even ones to hold exactly. Writes the report lines the failing ones must give
 * into want (a memstream). */
static void add_event_expectations(World *w, const Trace *tr, Rng *rng, uint32_t count, FILE *want)
{
    for (uint32_t k = 0; k < count; k++) {
        ExpectEvent *e = world_add_expect_event(w);
        random_expectation(w, tr, rng, e);
        int64_t n = reference_count(w, tr, e);
        e->count_min = k % 2 ? n + 1 : n;
        e->count_max = n;
        if (k % 2) {
            fprintf(want, "$.expect.events[%u] (", e->path_index);
            fprintf(want, "): %lld matching events, expected at least %lld\n", (long long)n,
                    (long long)n + 1);
        }
    }
}

/* The report with each "(description)" left out, so that lines can be compared with `want`. */
static void strip_descriptions(char *text)
{
    char *dst = text;
    for (char *p = text; *p;) {
        if (p[0] == ' ' && p[1] == '(' && strncmp(p - 1, "] (", 3) == 0) {
            char *close = strstr(p, "): ");
            if (close) {
                memcpy(dst, " (", 2);
                dst += 2;
                p = close;
                continue;
            }
        }
        *dst++ = *p++;
    }
    *dst = '\0';
}

static bool check_scenario(const char *path, uint64_t seed)
{
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        return false;
    }
    w->expect_msg_count = w->expect_event_count = 0; /* only what the test adds */
    Trace *tr = sim_run_world(w, NULL);
    Rng rng;
    rng_seed(&rng, seed);
    char *want = NULL;
    size_t size = 0;
    FILE *wf = open_memstream(&want, &size);
    add_event_expectations(w, tr, &rng, 600, wf);
    fclose(wf);
    int unmet = 0;
    char *got = check_to_text(w, tr, &unmet);
    strip_descriptions(got);
    CHECK_EQ_INT(unmet, 300);
    CHECK_EQ_STR(got, want);
    free(got);
    free(want);
    trace_destroy(tr);
    world_destroy(w);
    return true;
}

static void expect_should_count_events_as_the_plain_reading_does(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    int files = 0;
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file], *name = shipped_name(path);
        size_t len = strlen(name);
        CHECK(check_scenario(path, (uint64_t)len * 104729u + (uint64_t)name[1]));
        files++;
    }
    shipped_list_free(&sl);
    CHECK(files >= 14);
}

/* Adds one any-kind expectation of text `needle` (held exactly when `hold`, else failing by one)
 * and writes the line a failing one must give into want. */
static void add_text_expectation(World *w, const Trace *tr, const char *needle, size_t len,
                                 bool hold, FILE *want)
{
    ExpectEvent *e = world_add_expect_event(w);
    e->sel.text_contains = strpool_intern_n(w->strings, needle, len);
    int64_t n = reference_count(w, tr, e);
    e->count_min = hold ? n : n + 1;
    e->count_max = n;
    if (!hold) {
        fprintf(want, "$.expect.events[%u] (): %lld matching events, expected at least %lld\n",
                e->path_index, (long long)n, (long long)n + 1);
    }
}

/* One group (any kind, no other field) of thousands of distinct texts that overlap: every
 * substring of up to 12 bytes of some events' texts (so prefixes, suffixes and runs of one
 * repeated character nest in each other, and some cut a UTF-8 character in two), each also with a
 * byte appended that makes most of them absent. */
static void expect_should_count_overlapping_texts_as_strstr_does(void)
{
    const char *path = MAILSIM_SOURCE_DIR "/scenarios/01-happy-path.json";
    FILE *f = fopen(path, "rb");
    REQUIRE(f);
    char json[65536];
    size_t len = fread(json, 1, sizeof json - 1, f);
    fclose(f);
    json[len] = '\0';
    const char *subject = "\"subject\": \"Lunch on Friday?\"";
    char *at = strstr(json, subject);
    REQUIRE(at);
    char edited[sizeof json + 256];
    snprintf(edited, sizeof edited, "%.*s\"subject\": \"D\u00e9j\u00e0 \u00e9\u00e9\u00e9\u00e9 "
             "aaaa \u2192 caf\u00e9 \u2615 na\u00efve aaaa\"%s", (int)(at - json), json,
             at + strlen(subject));
    Error err = { 0 };
    World *w = scenario_load_string(edited, strlen(edited), "overlap", &err);
    REQUIRE(w);
    w->expect_msg_count = w->expect_event_count = 0;
    Trace *tr = sim_run_world(w, NULL);
    char *want = NULL;
    size_t size = 0;
    FILE *wf = open_memstream(&want, &size);
    int failing = 0, utf8_texts = 0;
    for (size_t k = 0; k < trace_count(tr); k++) {
        const char *text = trace_str(tr, trace_events(tr)[k].text);
        if (k % 8 != 0 && !strstr(text, "\u00e9")) {
            continue; /* every eighth event, and those that hold the subject */
        }
        for (size_t from = 0; text[from]; from++) {
            for (size_t take = 1; take <= 12 && text[from + take - 1]; take++) {
                char needle[16];
                memcpy(needle, text + from, take);
                utf8_texts += ((unsigned char)needle[0] & 0x80) != 0;
                bool hold = (from + take) % 3 != 0;
                failing += !hold;
                add_text_expectation(w, tr, needle, take, hold, wf);
                needle[take] = (char)(0x7E + take % 3); /* '~', DEL or 0x80 */
                add_text_expectation(w, tr, needle, take + 1, true, wf);
            }
        }
    }
    fclose(wf);
    CHECK(w->expect_event_count > 2000);
    CHECK(utf8_texts > 0);
    int unmet = 0;
    char *got = check_to_text(w, tr, &unmet);
    strip_descriptions(got);
    CHECK_EQ_INT(unmet, failing);
    CHECK_EQ_STR(got, want);
    free(got);
    free(want);
    trace_destroy(tr);
    world_destroy(w);
}

/* Message expectations read their message's rows in summary order, and a message the run does
 * not have is named with the messages it has. */
static void expect_should_check_message_rows_in_summary_order(void)
{
    Error err = { 0 };
    World *w = scenario_load_file(MAILSIM_SOURCE_DIR "/scenarios/13-heavy-traffic.json", &err);
    REQUIRE(w);
    w->expect_msg_count = w->expect_event_count = 0;
    Trace *tr = sim_run_world(w, NULL);
    Summary *s = summary_build(tr);
    REQUIRE(s->count >= 12);
    /* Every row of the last row's message, expected dropped: each row is named, in order. */
    const char *id = trace_str(tr, trace_msg(tr, s->rows[s->count - 1].msg)->id);
    ExpectMsg *e = world_add_expect_msg(w);
    e->msg = strpool_intern(w->strings, id);
    e->status = ST_DROPPED;
    e = world_add_expect_msg(w);
    e->msg = strpool_intern(w->strings, "nothing-like-it");
    char want[4096] = "";
    size_t n = 0, rows = 0;
    for (size_t i = 0; i < s->count; i++) {
        const SummaryRow *r = &s->rows[i];
        if (strcmp(trace_str(tr, trace_msg(tr, r->msg)->id), id) == 0) {
            rows++;
            n += (size_t)snprintf(want + n, sizeof want - n,
                                  "$.expect.messages[0] (%s \u2192 %s): status is \"%s\"", id,
                                  trace_str(tr, r->rcpt), world_status_name(r->status));
            n += (size_t)snprintf(want + n, sizeof want - n, ", expected \"dropped\" (last reply: %s)\n",
                                  r->reply ? trace_str(tr, r->reply) : "none");
        }
    }
    summary_destroy(s);
    int unmet = 0;
    char *got = check_to_text(w, tr, &unmet);
    CHECK_EQ_INT(unmet, (int)rows + 1);
    REQUIRE(got && strlen(got) > n);
    CHECK(strncmp(got, want, n) == 0);
    CHECK(strstr(got + n, "$.expect.messages[1]: no message \"nothing-like-it\" in the run; messages: m1") == got + n);
    free(got);
    trace_destroy(tr);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(expect_should_count_events_as_the_plain_reading_does),
          TEST_CASE(expect_should_count_overlapping_texts_as_strstr_does),
          TEST_CASE(expect_should_check_message_rows_in_summary_order))
