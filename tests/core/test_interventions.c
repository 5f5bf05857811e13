/* test_interventions: a teacher's changes to the world at a moment ("--act", the what-if), for
 * every kind of change on shipped scenarios: the run up to the change is the run without it,
 * event for event, and the future changes as the change says (a server down defers, back up
 * delivers, and so on). Also: an action added to a loaded world is refused, with the world left
 * as it was, when it is wrong. */
#include "test.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/narrate.h"

#include <stdlib.h>

static World *load(const char *path)
{
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        char buf[1400];
        fprintf(stderr, "load failed: %s\n", error_format(&err, buf, sizeof buf));
    }
    return w;
}

/* The scenario run as it is (act NULL) or with one action added. */
static Trace *run(const char *path, const char *act)
{
    World *w = load(path);
    if (!w) {
        return NULL;
    }
    Error err = { 0 };
    if (act && !scenario_add_action_json(w, act, strlen(act), "--act", &err)) {
        char buf[1400];
        fprintf(stderr, "act refused: %s\n", error_format(&err, buf, sizeof buf));
        world_destroy(w);
        return NULL;
    }
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    return tr;
}

static bool same_event(const Trace *a, const Trace *b, uint32_t i)
{
    const TraceEvent *x = &trace_events(a)[i], *y = &trace_events(b)[i];
    char la[2048], lb[2048];
    return x->t_us == y->t_us && x->arrive_us == y->arrive_us && x->kind == y->kind &&
           x->from == y->from && x->to == y->to && x->sub == y->sub && x->num == y->num &&
           x->num2 == y->num2 && x->flags == y->flags &&
           strcmp(narrate_event(a, i, la, sizeof la), narrate_event(b, i, lb, sizeof lb)) == 0;
}

/* Every event before at_us is the same in both runs, in the same order. */
static void check_same_past(const Trace *base, const Trace *changed, int64_t at_us)
{
    uint32_t n = 0;
    while (n < trace_count(base) && trace_events(base)[n].t_us < at_us) {
        n++;
    }
    CHECK(n > 0);
    REQUIRE(trace_count(changed) >= n);
    uint32_t same = 0;
    while (same < n && same_event(base, changed, same)) {
        same++;
    }
    CHECK_EQ_INT(same, n);
    CHECK(trace_events(changed)[n].t_us >= at_us);
}

/* How many events of `kind` for message `msg` (NULL: any) with SMTP reply `code` (0: any). */
static int count(const Trace *tr, TraceKind kind, const char *msg, int code)
{
    int n = 0;
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &trace_events(tr)[i];
        bool msg_ok = !msg || (e->msg != TRACE_NONE &&
                               strcmp(trace_str(tr, trace_msg(tr, e->msg)->id), msg) == 0);
        bool code_ok = !code || (e->kind == TK_SMTP && e->sub == TRACE_ANSWER && e->num == code);
        n += e->kind == kind && msg_ok && code_ok;
    }
    return n;
}

/* The time of the first event of `kind` for `msg`, or -1. */
static int64_t first(const Trace *tr, TraceKind kind, const char *msg)
{
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &trace_events(tr)[i];
        if (e->kind == kind && e->msg != TRACE_NONE &&
            strcmp(trace_str(tr, trace_msg(tr, e->msg)->id), msg) == 0) {
            return e->t_us;
        }
    }
    return -1;
}

typedef struct {
    Trace *base, *changed;
} Pair;

static Pair pair(const char *path, const char *act, int64_t at_us)
{
    Pair p = { run(path, NULL), run(path, act) };
    if (p.base && p.changed) {
        check_same_past(p.base, p.changed, at_us);
    } else {
        CHECK(p.base && p.changed);
    }
    return p;
}

static void unpair(Pair *p)
{
    trace_destroy(p->base);
    trace_destroy(p->changed);
}

#define S01 "scenarios/01-happy-path.json"

static void interventions_should_defer_mail_when_a_server_goes_down(void)
{
    Pair p = pair(S01, "{\"at_s\":2,\"do\":\"outage\",\"node\":\"mx.b.example\",\"until_s\":900}",
                  2 * US_PER_S);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.base, TK_DEFER, "m1", 0), 0);
    CHECK(count(p.changed, TK_DEFER, "m1", 0) >= 1);
    CHECK(first(p.changed, TK_DELIVER, "m1") > 900 * US_PER_S);
    unpair(&p);
}

static void interventions_should_deliver_sooner_when_a_server_is_brought_up(void)
{
    Pair p = pair("scenarios/11-server-outage-retry.json",
                  "{\"at_s\":700,\"do\":\"outage_end\",\"node\":\"mx.b.example\"}", 700 * US_PER_S);
    REQUIRE(p.changed);
    int64_t before = first(p.base, TK_DELIVER, "m1"), after = first(p.changed, TK_DELIVER, "m1");
    CHECK(after > 0 && after < before);
    CHECK(after < 1300 * US_PER_S); /* the attempt after 700 s (at about 1198 s) gets through */
    unpair(&p);
    /* A server down for good, brought up: the message is delivered instead of bounced. */
    p = pair("scenarios/14-give-up.json",
             "{\"at_s\":700,\"do\":\"outage_end\",\"node\":\"mx.d.example\"}", 700 * US_PER_S);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.base, TK_BOUNCE, "m1", 0), 1);
    CHECK_EQ_INT(count(p.changed, TK_BOUNCE, "m1", 0), 0);
    CHECK_EQ_INT(count(p.changed, TK_DELIVER, "m1", 0), 1);
    unpair(&p);
}

static void interventions_should_defer_on_servfail_and_bounce_on_nxdomain(void)
{
    Pair p = pair(S01,
                  "{\"at_s\":1.2,\"do\":\"dns_failure\",\"name\":\"b.example\",\"until_s\":1000}",
                  1200 * US_PER_MS);
    REQUIRE(p.changed);
    CHECK(count(p.changed, TK_DEFER, "m1", 0) >= 1);
    CHECK(first(p.changed, TK_DELIVER, "m1") > 1000 * US_PER_S);
    unpair(&p);
    p = pair("scenarios/05-greylisting.json",
             "{\"at_s\":1.2,\"do\":\"dns_failure\",\"name\":\"b.example\",\"rcode\":\"NXDOMAIN\"}",
             1200 * US_PER_MS);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.changed, TK_BOUNCE, "m1", 0), 1);
    CHECK_EQ_INT(count(p.changed, TK_DELIVER, "m1", 0), 0);
    unpair(&p);
}

static void interventions_should_deliver_sooner_when_dns_is_mended(void)
{
    Pair p = pair("scenarios/08-dns-servfail.json",
                  "{\"at_s\":700,\"do\":\"dns_failure_end\",\"name\":\"b.example\"}",
                  700 * US_PER_S);
    REQUIRE(p.changed);
    int64_t before = first(p.base, TK_DELIVER, "m1"), after = first(p.changed, TK_DELIVER, "m1");
    CHECK(after > 0 && after < before);
    /* The scripted end at 1800 s no longer says the servers answer again: they already do. */
    CHECK_EQ_INT(count(p.changed, TK_ACTION, NULL, 0), count(p.base, TK_ACTION, NULL, 0));
    unpair(&p);
}

static void interventions_should_refuse_mail_for_a_full_mailbox_and_take_it_once_freed(void)
{
    Pair p = pair(S01, "{\"at_s\":1.2,\"do\":\"mailbox_full\",\"mailbox\":\"bob@b.example\"}",
                  1200 * US_PER_MS);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.base, TK_SMTP, "m1", 452), 0);
    CHECK(count(p.changed, TK_SMTP, "m1", 452) >= 1);
    CHECK_EQ_INT(count(p.changed, TK_DELIVER, "m1", 0), 0);
    unpair(&p);
    p = pair("scenarios/04-mailbox-full.json",
             "{\"at_s\":300,\"do\":\"mailbox_free\",\"mailbox\":\"bob@b.example\"}",
             300 * US_PER_S);
    REQUIRE(p.changed);
    int64_t before = first(p.base, TK_DELIVER, "m1"), after = first(p.changed, TK_DELIVER, "m1");
    CHECK(after > 0 && after < before);
    unpair(&p);
}

static void interventions_should_refuse_a_listed_sender_and_pass_a_delisted_one(void)
{
    /* 06 lists Alice's server from the start: taken off, her mail goes through. */
    Pair p = pair("scenarios/06-blocklisted-sender.json",
                  "{\"at_s\":1.2,\"do\":\"blocklist_remove\",\"zone\":\"zen.example\","
                  "\"ip\":\"198.51.100.10\"}",
                  1200 * US_PER_MS);
    REQUIRE(p.changed);
    /* Refused: 554 5.7.1 at RCPT, then 554 5.5.1 to the pipelined DATA (no valid recipients). */
    CHECK_EQ_INT(count(p.base, TK_SMTP, "m1", 554), 2);
    CHECK_EQ_INT(count(p.changed, TK_SMTP, "m1", 554), 0);
    CHECK_EQ_INT(count(p.changed, TK_DELIVER, "m1", 0), 1);
    unpair(&p);
    /* Taken off and put back on before the look-up: refused again. */
    World *w = load("scenarios/06-blocklisted-sender.json");
    REQUIRE(w);
    Error err = { 0 };
    const char *off = "{\"at_s\":1,\"do\":\"blocklist_remove\",\"zone\":\"zen.example\","
                      "\"ip\":\"198.51.100.10\"}";
    const char *on = "{\"at_s\":2,\"do\":\"blocklist_add\",\"zone\":\"zen.example\","
                     "\"ip\":\"198.51.100.10\"}";
    CHECK(scenario_add_action_json(w, off, strlen(off), "--act", &err));
    CHECK(scenario_add_action_json(w, on, strlen(on), "--act", &err));
    Trace *tr = sim_run_world(w, NULL);
    CHECK_EQ_INT(count(tr, TK_SMTP, "m1", 554), 2);
    trace_destroy(tr);
    world_destroy(w);
}

static void interventions_should_move_a_message_marked_by_hand(void)
{
    Pair p = pair("scenarios/09-spam-filtered.json",
                  "{\"at_s\":100,\"do\":\"mark_spam\",\"user\":\"bob@b.example\",\"msg\":\"m1\"}",
                  100 * US_PER_S);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.base, TK_MOVE, "m1", 0), 0);
    CHECK_EQ_INT(count(p.changed, TK_MOVE, "m1", 0), 1);
    unpair(&p);
    p = pair("scenarios/09-spam-filtered.json",
             "{\"at_s\":100,\"do\":\"mark_not_spam\",\"user\":\"bob@b.example\",\"msg\":\"m2\"}",
             100 * US_PER_S);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.changed, TK_MOVE, "m2", 0), 1);
    unpair(&p);
}

static void interventions_should_send_one_more_message(void)
{
    Pair p = pair(S01,
                  "{\"at_s\":100,\"do\":\"send\",\"from\":\"alice@a.example\","
                  "\"to\":[\"bob@b.example\"],\"subject\":\"And one more\"}",
                  100 * US_PER_S);
    REQUIRE(p.changed);
    CHECK_EQ_INT(count(p.base, TK_DELIVER, "m2", 0), 0);
    CHECK_EQ_INT(count(p.changed, TK_DELIVER, "m2", 0), 1);
    CHECK(first(p.changed, TK_COMPOSE, "m2") == 100 * US_PER_S);
    unpair(&p);
}

static void interventions_should_leave_the_world_as_it_was_when_refused(void)
{
    World *w = load(S01);
    REQUIRE(w);
    uint32_t actions = w->action_count, specs = w->spec_count;
    static const char *const wrong[] = {
        "{\"at_s\":1,\"do\":\"outage\",\"node\":\"mx.nowhere\"}",
        ("{\"at_s\":1,\"do\":\"send\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],"
         "\"subjct\":\"typo\"}"),
        "{\"at_s\":1,\"do\":\"mailbox_full\"",
        "[1]",
    };
    char buf[1400];
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        Error err = { 0 };
        CHECK(!scenario_add_action_json(w, wrong[i], strlen(wrong[i]), "--act", &err));
        CHECK(strncmp(error_format(&err, buf, sizeof buf), "--act: ", 7) == 0);
        CHECK_EQ_INT(w->action_count, actions);
        CHECK_EQ_INT(w->spec_count, specs);
    }
    Error err = { 0 };
    CHECK(!scenario_add_action_json(w, wrong[0], strlen(wrong[0]), "--act", &err));
    CHECK_EQ_STR(error_format(&err, buf, sizeof buf),
                 "--act: $.node: node \"mx.nowhere\" is not defined; "
                 "defined outgoing, resolver, incoming, filter or store nodes: smtp.a.example, "
                 "dns.a.example, store.a.example, mx.b.example, dns.b.example, spamd.b.example, "
                 "store.b.example");
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(interventions_should_defer_mail_when_a_server_goes_down),
          TEST_CASE(interventions_should_deliver_sooner_when_a_server_is_brought_up),
          TEST_CASE(interventions_should_defer_on_servfail_and_bounce_on_nxdomain),
          TEST_CASE(interventions_should_deliver_sooner_when_dns_is_mended),
          TEST_CASE(interventions_should_refuse_mail_for_a_full_mailbox_and_take_it_once_freed),
          TEST_CASE(interventions_should_refuse_a_listed_sender_and_pass_a_delisted_one),
          TEST_CASE(interventions_should_move_a_message_marked_by_hand),
          TEST_CASE(interventions_should_send_one_more_message),
          TEST_CASE(interventions_should_leave_the_world_as_it_was_when_refused))
