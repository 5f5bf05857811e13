/* test_whatif: the teacher's live changes — every change the menu offers on several scenarios is
 * accepted, keeps the past and changes the future; undo gives back the run without it; the saved
 * scenario reproduces the live run event for event. */
#define _POSIX_C_SOURCE 200809L
#include "test.h"

#include "app/whatif.h"
#include "scenario/scenario.h"
#include "text/narrate.h"
#include "trace/trace_jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static WhatIf *open_ok(const char *path)
{
    Error err = { 0 };
    WhatIf *wi = whatif_open(path, NULL, &err);
    if (!wi) {
        char buf[1400];
        fprintf(stderr, "open failed: %s\n", error_format(&err, buf, sizeof buf));
    }
    return wi;
}

static Trace *run_ok(const WhatIf *wi)
{
    Error err = { 0 };
    Trace *tr = whatif_run(wi, NULL, &err);
    if (!tr) {
        char buf[1400];
        fprintf(stderr, "run failed: %s\n", error_format(&err, buf, sizeof buf));
    }
    return tr;
}

/* The trace's events as narrated lines with their numbers, one string (the header, which names
 * the file, left out). */
static char *events_text(const Trace *tr)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char line[2048];
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &trace_events(tr)[i];
        fprintf(f, "%lld %lld %d %d %d %d %d %d|%s\n", (long long)e->t_us, (long long)e->arrive_us,
                e->kind, e->from, e->to, e->sub, e->num, e->num2,
                narrate_event(tr, i, line, sizeof line));
    }
    fclose(f);
    return buf;
}

/* Events before at_us are the same in both. */
static bool same_past(const Trace *a, const Trace *b, int64_t at_us)
{
    char la[2048], lb[2048];
    for (uint32_t i = 0; i < trace_count(a) && trace_events(a)[i].t_us < at_us; i++) {
        if (i >= trace_count(b)) {
            return false;
        }
        const TraceEvent *x = &trace_events(a)[i], *y = &trace_events(b)[i];
        if (x->t_us != y->t_us || x->kind != y->kind ||
            strcmp(narrate_event(a, i, la, sizeof la), narrate_event(b, i, lb, sizeof lb)) != 0) {
            return false;
        }
    }
    return true;
}

static bool same_events(const Trace *a, const Trace *b)
{
    char *x = events_text(a), *y = events_text(b);
    bool same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/* Every change offered for every node and for m1, at a moment a third into the run, is accepted
 * and keeps everything before it; most change something after it. */
static void check_every_choice(const char *path, int *changed_out, int *tried_out)
{
    WhatIf *wi = open_ok(path);
    REQUIRE(wi);
    Trace *base = run_ok(wi);
    REQUIRE(base);
    int64_t at = trace_events(base)[trace_count(base) / 3].t_us + 1;
    int tried = 0, changed = 0, refused = 0;
    for (int32_t sel = -1; sel < (int32_t)trace_node_count(base); sel++) {
        WhatIfChoice ch[WHATIF_MAX_CHOICES];
        size_t n = sel < 0 ? whatif_choices(wi, base, TRACE_NONE, trace_find_msg(base, "m1"), at,
                                            ch, WHATIF_MAX_CHOICES)
                           : whatif_choices(wi, base, sel, TRACE_NONE, at, ch, WHATIF_MAX_CHOICES);
        for (size_t c = 0; c < n; c++) {
            if (ch[c].form) {
                continue;
            }
            Error err = { 0 };
            if (!whatif_push(wi, ch[c].json, &err)) {
                char buf[1400];
                fprintf(stderr, "%s: refused %s: %s\n", path, ch[c].json,
                        error_format(&err, buf, sizeof buf));
                refused++;
                continue;
            }
            Trace *tr = run_ok(wi);
            if (tr) {
                tried++;
                CHECK(same_past(base, tr, at));
                changed += !same_events(base, tr);
            }
            trace_destroy(tr);
            CHECK(whatif_pop(wi));
        }
    }
    CHECK_EQ_INT(refused, 0);
    *changed_out += changed;
    *tried_out += tried;
    trace_destroy(base);
    whatif_destroy(wi);
}

static void whatif_should_accept_every_offered_change_and_keep_the_past(void)
{
    int changed = 0, tried = 0;
    check_every_choice("scenarios/05-greylisting.json", &changed, &tried);
    check_every_choice("scenarios/04-mailbox-full.json", &changed, &tried);
    check_every_choice("scenarios/06-blocklisted-sender.json", &changed, &tried);
    check_every_choice("scenarios/09-spam-filtered.json", &changed, &tried);
    CHECK(tried >= 30);
    CHECK(changed >= tried / 3); /* a change the run never notices is the exception */
}

static void whatif_should_offer_each_kind_of_change_somewhere(void)
{
    static const char *const KINDS[] = { "\"outage\"", "\"outage_end\"", "\"dns_failure\"",
                                         "\"dns_failure_end\"", "\"mailbox_full\"",
                                         "\"mailbox_free\"", "\"blocklist_add\"",
                                         "\"blocklist_remove\"", "\"mark_spam\"",
                                         "\"mark_not_spam\"" };
    bool seen[sizeof KINDS / sizeof KINDS[0]] = { false };
    bool form = false;
    static const char *const PATHS[] = { "scenarios/04-mailbox-full.json",
                                         "scenarios/06-blocklisted-sender.json" };
    for (size_t p = 0; p < 2; p++) {
        WhatIf *wi = open_ok(PATHS[p]);
        REQUIRE(wi);
        Trace *tr = run_ok(wi);
        REQUIRE(tr);
        for (int32_t sel = -1; sel < (int32_t)trace_node_count(tr); sel++) {
            WhatIfChoice ch[WHATIF_MAX_CHOICES];
            size_t n = sel < 0 ? whatif_choices(wi, tr, TRACE_NONE, 0, 0, ch, WHATIF_MAX_CHOICES)
                               : whatif_choices(wi, tr, sel, TRACE_NONE, 0, ch, WHATIF_MAX_CHOICES);
            for (size_t c = 0; c < n; c++) {
                form |= ch[c].form;
                for (size_t k = 0; k < sizeof KINDS / sizeof KINDS[0]; k++) {
                    char want[64];
                    snprintf(want, sizeof want, "\"do\": %s", KINDS[k]);
                    seen[k] |= strstr(ch[c].json, want) != NULL;
                }
            }
        }
        trace_destroy(tr);
        whatif_destroy(wi);
    }
    for (size_t k = 0; k < sizeof KINDS / sizeof KINDS[0]; k++) {
        if (!seen[k]) {
            fprintf(stderr, "never offered: %s\n", KINDS[k]);
        }
        CHECK(seen[k]);
    }
    CHECK(form);
}

static void whatif_should_send_one_more_message_and_undo_it(void)
{
    WhatIf *wi = open_ok("scenarios/01-happy-path.json");
    REQUIRE(wi);
    Trace *base = run_ok(wi);
    REQUIRE(base);
    const char *from[4], *to[8];
    REQUIRE(whatif_addresses(wi, true, from, 4) >= 1);
    REQUIRE(whatif_addresses(wi, false, to, 8) >= 1);
    char json[WHATIF_JSON_MAX];
    whatif_send_json(5000000, from[0], to[0], "A \"quoted\" subject", 300000, json, sizeof json);
    CHECK(strstr(json, "\\\"quoted\\\"") != NULL);
    Error err = { 0 };
    REQUIRE(whatif_push(wi, json, &err));
    CHECK_EQ_INT((int)whatif_act_count(wi), 1);
    Trace *more = run_ok(wi);
    REQUIRE(more);
    CHECK(trace_msg_count(more) == trace_msg_count(base) + 1);
    CHECK(same_past(base, more, 5000000));
    WhatIfMark mk[4];
    CHECK_EQ_INT((int)whatif_marks(wi, mk, 4), 1);
    CHECK(mk[0].at_us == 5000000);
    CHECK(strstr(mk[0].label, "one more message") != NULL);
    /* Undo: the run without it, event for event. */
    CHECK(whatif_pop(wi));
    CHECK(!whatif_pop(wi));
    Trace *again = run_ok(wi);
    REQUIRE(again);
    CHECK(same_events(base, again));
    trace_destroy(again);
    trace_destroy(more);
    trace_destroy(base);
    whatif_destroy(wi);
}

static void whatif_should_refuse_a_wrong_change_and_keep_the_list(void)
{
    WhatIf *wi = open_ok("scenarios/01-happy-path.json");
    REQUIRE(wi);
    Error err = { 0 };
    CHECK(!whatif_push(wi, "{ \"at_s\": 1, \"do\": \"outage\", \"node\": \"nowhere\" }", &err));
    CHECK(err.set);
    CHECK_EQ_INT((int)whatif_act_count(wi), 0);
    whatif_destroy(wi);
}

/* Copies a scenario into a fresh directory so saving writes beside the copy. */
static char *copy_to_tmp(const char *src, char *dir, size_t dsize)
{
    snprintf(dir, dsize, "/tmp/mailsim-whatif-XXXXXX");
    if (!mkdtemp(dir)) {
        return NULL;
    }
    const char *base = strrchr(src, '/') + 1;
    size_t plen = strlen(dir) + strlen(base) + 2;
    char *dst = malloc(plen);
    snprintf(dst, plen, "%s/%s", dir, base);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    char buf[4096];
    size_t n;
    while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        fwrite(buf, 1, n, out);
    }
    if (in) {
        fclose(in);
    }
    if (out) {
        fclose(out);
    }
    return dst;
}

static void check_save(const char *src, const char *act1, const char *act2)
{
    char dir[64];
    char *path = copy_to_tmp(src, dir, sizeof dir);
    REQUIRE(path);
    WhatIf *wi = open_ok(path);
    REQUIRE(wi);
    Error err = { 0 };
    REQUIRE(whatif_push(wi, act1, &err));
    REQUIRE(whatif_push(wi, act2, &err));
    Trace *live = run_ok(wi);
    REQUIRE(live);
    char saved[1200];
    REQUIRE(whatif_save(wi, saved, sizeof saved, &err));
    CHECK(strstr(saved, "-whatif-1.json") != NULL);
    WhatIf *back = open_ok(saved);
    REQUIRE(back);
    Trace *replay = run_ok(back);
    REQUIRE(replay);
    CHECK(same_events(live, replay));
    /* A second save takes the next number. */
    char second[1200];
    REQUIRE(whatif_save(wi, second, sizeof second, &err));
    CHECK(strstr(second, "-whatif-2.json") != NULL);
    trace_destroy(replay);
    trace_destroy(live);
    whatif_destroy(back);
    whatif_destroy(wi);
    unlink(second);
    unlink(saved);
    unlink(path);
    rmdir(dir);
    free(path);
}

static void whatif_should_save_a_scenario_that_plays_like_the_live_run(void)
{
    /* 05 has no "actions"; 04 and 11 have some. */
    check_save("scenarios/05-greylisting.json",
               "{ \"at_s\": 1.5, \"do\": \"outage\", \"node\": \"mx.b.example\" }",
               "{ \"at_s\": 900, \"do\": \"outage_end\", \"node\": \"mx.b.example\" }");
    check_save("scenarios/04-mailbox-full.json",
               "{ \"at_s\": 2, \"do\": \"mailbox_full\", \"mailbox\": \"bob@b.example\" }",
               "{ \"at_s\": 3, \"do\": \"dns_failure\", \"name\": \"b.example\", \"rcode\": \"NXDOMAIN\" }");
    check_save("scenarios/11-server-outage-retry.json",
               "{ \"at_s\": 700, \"do\": \"outage_end\", \"node\": \"mx.b.example\" }",
               "{ \"at_s\": 800, \"do\": \"send\", \"from\": \"alice@a.example\", \"to\": [\"bob@b.example\"], \"subject\": \"x\" }");
}

static void whatif_should_append_to_the_actions_array_it_finds(void)
{
    char dir[64];
    char *path = copy_to_tmp("scenarios/11-server-outage-retry.json", dir, sizeof dir);
    REQUIRE(path);
    WhatIf *wi = open_ok(path);
    REQUIRE(wi);
    Error err = { 0 };
    REQUIRE(whatif_push(wi, "{ \"at_s\": 700, \"do\": \"outage_end\", \"node\": \"mx.b.example\" }", &err));
    char *text = whatif_saved_text(wi, &err);
    REQUIRE(text);
    /* One "actions" key, the act inside it. */
    const char *a = strstr(text, "\"actions\"");
    REQUIRE(a);
    CHECK(strstr(a + 1, "\"actions\"") == NULL);
    CHECK(strstr(a, "outage_end") != NULL);
    World *w = scenario_load_string(text, strlen(text), "saved", &err);
    CHECK(w != NULL);
    world_destroy(w);
    free(text);
    whatif_destroy(wi);
    unlink(path);
    rmdir(dir);
    free(path);
}

RUN_TESTS(TEST_CASE(whatif_should_accept_every_offered_change_and_keep_the_past),
          TEST_CASE(whatif_should_offer_each_kind_of_change_somewhere),
          TEST_CASE(whatif_should_send_one_more_message_and_undo_it),
          TEST_CASE(whatif_should_refuse_a_wrong_change_and_keep_the_list),
          TEST_CASE(whatif_should_save_a_scenario_that_plays_like_the_live_run),
          TEST_CASE(whatif_should_append_to_the_actions_array_it_finds))
