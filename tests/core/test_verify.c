/* test_verify: the address verifier — the syntax check (mail/address), the probes and verdicts of
 * the model (sim_verify), the catch-all store, and the verdicts in the summary. */
#include "test.h"

#include "mail/address.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/expect.h"
#include "text/summary.h"

#include <stdlib.h>
#include <string.h>

static void address_should_accept_well_formed_addresses(void)
{
    char why[128];
    static const char *const good[] = { "bob@b.example", "o'brien+news@mail.b.example",
                                        "a.b.c@x-y.example", "x@a.b" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK(address_check(good[i], why, sizeof why));
    }
}

static void address_should_refuse_bad_syntax_with_a_reason(void)
{
    char why[128];
    CHECK(!address_check("john..doe@b.example", why, sizeof why));
    CHECK(strstr(why, "two dots") != NULL);
    CHECK(!address_check("bob.b.example", why, sizeof why));
    CHECK_EQ_STR(why, "no @");
    CHECK(!address_check("a@b@c.example", why, sizeof why));
    CHECK_EQ_STR(why, "more than one @");
    CHECK(!address_check(".bob@b.example", why, sizeof why));
    CHECK(!address_check("bob@localhost", why, sizeof why));
    CHECK(!address_check("bob@-b.example", why, sizeof why));
    CHECK(!address_check("bob smith@b.example", why, sizeof why));
    CHECK(!address_check("@b.example", why, sizeof why));
    CHECK(!address_check("bob@", why, sizeof why));
}

static void address_should_enforce_the_rfc_5321_lengths(void)
{
    char addr[400], why[128];
    /* A local part of 64 is fine, 65 is not. */
    memset(addr, 'a', 64);
    strcpy(addr + 64, "@b.example");
    CHECK(address_check(addr, why, sizeof why));
    memset(addr, 'a', 65);
    strcpy(addr + 65, "@b.example");
    CHECK(!address_check(addr, why, sizeof why));
    CHECK(strstr(why, "64") != NULL);
    /* 254 in all is fine, 255 is not: "bob@" + labels of 49 + "." + "b.example". */
    size_t n = (size_t)sprintf(addr, "bob@");
    while (254 - n - strlen("b.example") > 50) {
        n += (size_t)sprintf(addr + n, "%.*s.", 49, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    }
    size_t rest = 254 - n - strlen("b.example") - 1;
    n += (size_t)sprintf(addr + n, "%.*s.", (int)rest, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
    strcpy(addr + n, "b.example");
    CHECK_EQ_INT((int)strlen(addr), 254);
    CHECK(address_check(addr, why, sizeof why));
    memmove(addr + 1, addr, strlen(addr) + 1);
    addr[0] = 'x';
    CHECK(!address_check(addr, why, sizeof why));
    CHECK(strstr(why, "254") != NULL);
}

/* Scenario 15, run once for the cases below. */
static Trace *run_15(World **w)
{
    Error err = { 0 };
    *w = scenario_load_file("scenarios/15-address-verifier.json", &err);
    return *w ? sim_run_world(*w, NULL) : NULL;
}

static TraceVerifyVerdict verdict_for(const Trace *tr, const char *addr, int *count)
{
    TraceVerifyVerdict v = VERIFY_COUNT;
    *count = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &trace_events(tr)[i];
        if (e->kind == TK_VERIFY && strcmp(trace_str(tr, e->aux), addr) == 0) {
            v = (TraceVerifyVerdict)e->sub;
            (*count)++;
        }
    }
    return v;
}

static void verify_should_judge_each_address_as_a_bulk_verifier_does(void)
{
    World *w;
    Trace *tr = run_15(&w);
    REQUIRE(tr != NULL);
    static const struct {
        const char *addr;
        TraceVerifyVerdict v;
    } want[] = {
        { "bob@b.example", VERIFY_DELIVERABLE },     { "bobb@b.example", VERIFY_INVALID },
        { "john..doe@b.example", VERIFY_INVALID },   { "carol@b.example", VERIFY_RISKY },
        { "anyone@c.example", VERIFY_RISKY },        { "erin@d.example", VERIFY_UNKNOWN },
        { "info@nomail.example", VERIFY_INVALID },   { "sales@nowhere.example", VERIFY_INVALID },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int n;
        CHECK_EQ_STR(trace_verify_name(verdict_for(tr, want[i].addr, &n)),
                     trace_verify_name(want[i].v));
        CHECK_EQ_INT(n, 1);
    }
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(expect_check(w, tr, s, stderr), 0);
    summary_destroy(s);
    trace_destroy(tr);
    world_destroy(w);
}

static void verify_should_never_send_data_and_should_leave_with_rset_and_quit(void)
{
    World *w;
    Trace *tr = run_15(&w);
    REQUIRE(tr != NULL);
    int data = 0, rset = 0, quit = 0, vrfy = 0, refused_vrfy = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &trace_events(tr)[i];
        if (e->kind != TK_SMTP) {
            continue;
        }
        const char *line = trace_str(tr, e->text);
        data += strcmp(line, "DATA") == 0;
        rset += strcmp(line, "RSET") == 0;
        quit += strcmp(line, "QUIT") == 0;
        vrfy += strncmp(line, "VRFY ", 5) == 0;
        refused_vrfy += strcmp(line, "502 5.5.1 VRFY command is disabled") == 0;
    }
    CHECK_EQ_INT(data, 0);
    /* Five addresses reach an SMTP server (syntax, null MX and NXDOMAIN end before). */
    CHECK_EQ_INT(rset, 5);
    CHECK_EQ_INT(quit, 5);
    CHECK_EQ_INT(vrfy, 5);
    CHECK_EQ_INT(refused_vrfy, 5);
    trace_destroy(tr);
    world_destroy(w);
}

static void verify_should_list_verdicts_not_probes_in_the_summary(void)
{
    World *w;
    Trace *tr = run_15(&w);
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT((int)s->count, 0); /* the probes are not mail */
    CHECK_EQ_INT((int)s->verdict_count, 8);
    char buf[TRACE_DSN_BUF];
    CHECK_EQ_STR(trace_str(tr, s->verdicts[1].address), "bobb@b.example");
    CHECK_EQ_INT(s->verdicts[1].verdict, VERIFY_INVALID);
    CHECK_EQ_STR(trace_dsn_format(s->verdicts[1].dsn, buf), "5.1.1");
    CHECK_EQ_INT(s->verdicts[2].dsn, 0); /* bad syntax: no server said anything */
    summary_destroy(s);
    trace_destroy(tr);
    world_destroy(w);
}

static void verify_should_refuse_a_verifier_without_a_resolver(void)
{
    static const char text[] =
        "{\"mailsim\":1,\"title\":\"t\",\"nodes\":[{\"id\":\"v\",\"kind\":\"client\","
        "\"address\":\"probe@v.example\",\"verify\":[\"bob@b.example\"]}]}";
    Error err = { 0 };
    World *w = scenario_load_string(text, strlen(text), "inline", &err);
    CHECK(w == NULL);
    CHECK(strstr(err.msg, "needs a \"resolver\"") != NULL);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(address_should_accept_well_formed_addresses),
          TEST_CASE(address_should_refuse_bad_syntax_with_a_reason),
          TEST_CASE(address_should_enforce_the_rfc_5321_lengths),
          TEST_CASE(verify_should_judge_each_address_as_a_bulk_verifier_does),
          TEST_CASE(verify_should_never_send_data_and_should_leave_with_rset_and_quit),
          TEST_CASE(verify_should_list_verdicts_not_probes_in_the_summary),
          TEST_CASE(verify_should_refuse_a_verifier_without_a_resolver))
