/* test_inspect: the inspector's lines as of time t — headers grow hop by hop, envelope beside
 * headers, the SMTP transcript with client and server lines, the spam breakdown, bounces linked
 * both ways, node and scenario views; and the plain-language step captions (explain). */
#include "view/fixture.h"
#include "test.h"

#include "text/explain.h"
#include "view/inspect.h"
#include "view/layout.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <math.h>
#include <stdbool.h>

static int count_lines(const Inspector *in, InspectStyle style, const char *needle)
{
    int n = 0;
    for (size_t i = 0; i < inspector_count(in); i++) {
        const InspectLine *l = inspector_line(in, i);
        if (l->style == style && (!needle || strstr(l->text, needle))) {
            n++;
        }
    }
    return n;
}

static const InspectLine *find_line(const Inspector *in, const char *needle)
{
    for (size_t i = 0; i < inspector_count(in); i++) {
        if (strstr(inspector_line(in, i)->text, needle)) {
            return inspector_line(in, i);
        }
    }
    return NULL;
}

static void inspect_should_grow_the_headers_hop_by_hop(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, 0, MS(1000));
    CHECK(find_line(in, "Headers as they grew (3)") != NULL);
    CHECK_EQ_INT(count_lines(in, IL_MONO, "Received:"), 0);
    inspector_message(in, ix, 0, MS(1200));
    CHECK_EQ_INT(count_lines(in, IL_MONO, "Received:"), 1);
    inspector_message(in, ix, 0, MS(2600));
    CHECK_EQ_INT(count_lines(in, IL_MONO, "Received:"), 2);
    CHECK_EQ_INT(count_lines(in, IL_MONO, "X-Spam-Status"), 1);
    /* Trace headers are prepended: the newest is on top, and it is the one marked new. */
    const InspectLine *first = NULL;
    for (size_t i = 0; i < inspector_count(in) && !first; i++) {
        const InspectLine *l = inspector_line(in, i);
        if (l->style == IL_MONO && (strstr(l->text, "Received") || strstr(l->text, "X-Spam"))) {
            first = l;
        }
    }
    CHECK(first && strstr(first->text, "X-Spam-Status") && first->strong);
    inspector_destroy(in);
    inspector_destroy(NULL);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void inspect_should_show_envelope_beside_headers_and_the_transcript(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, 0, MS(3000));
    const InspectLine *mail = find_line(in, "MAIL FROM:<alice@a.example>");
    const InspectLine *from = find_line(in, "From: Alice Liddell");
    CHECK(mail && mail->role == CR_SMTP_CMD);
    CHECK(from && from->style == IL_MONO);
    CHECK(find_line(in, "RCPT TO:<bob@b.example>") != NULL);
    /* Client lines C:, server lines S:, coloured by what they are; multi-line replies split. */
    CHECK(count_lines(in, IL_MONO, "C: EHLO smtp.a.example") == 1);
    CHECK(count_lines(in, IL_MONO, "S: 250-mx.b.example") == 1);
    CHECK(count_lines(in, IL_MONO, "S: 250 8BITMIME") == 2);
    const InspectLine *ok = find_line(in, "S: 250 2.1.5 Ok");
    CHECK(ok && ok->role == CR_SMTP_OK);
    CHECK(find_line(in, "alice-laptop \u2192 smtp.a.example") != NULL);
    CHECK(find_line(in, "smtp.a.example \u2192 mx.b.example") != NULL);
    CHECK(find_line(in, "MX b.example \u2192 10 mx.b.example") != NULL);
    CHECK(find_line(in, "203.0.113.25 (cached)") != NULL);
    CHECK(find_line(in, "in the Inbox folder") != NULL);
    /* Before the first MAIL FROM went over the wire, the envelope comes from the message. */
    inspector_message(in, ix, 0, MS(1020));
    const InspectLine *early = find_line(in, "MAIL FROM:<alice@a.example>");
    CHECK(early && early->role == CR_TEXT_DIM && strstr(early->text, "no SMTP session yet"));
    inspector_destroy(in);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void inspect_should_break_the_spam_score_into_rules(void)
{
    Trace *tr = fixture_spam();
    TraceIndex *ix = traceindex_create(tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, 0, MS(2400));
    CHECK_EQ_INT(count_lines(in, IL_GAUGE, NULL), 0); /* not judged yet */
    inspector_message(in, ix, 0, MS(3000));
    const InspectLine *g = NULL;
    for (size_t i = 0; i < inspector_count(in); i++) {
        g = inspector_line(in, i)->style == IL_GAUGE ? inspector_line(in, i) : g;
    }
    CHECK(g && g->role == CR_SPAM && fabs(g->value - 7.3) < 1e-9 && fabs(g->max - 5.0) < 1e-9);
    CHECK_EQ_INT(count_lines(in, IL_BAR, NULL), 3);
    const InspectLine *caps = find_line(in, "SUBJ_ALL_CAPS");
    CHECK(caps && caps->style == IL_BAR && fabs(caps->value - 0.5) < 1e-9);
    CHECK(find_line(in, "URIBL_DBL_SPAM  +2.5") != NULL);
    /* 2.7 + 0.5 + 2.5 = 5.7 by default scores; the event says 7.3: the difference is shown. */
    CHECK(find_line(in, "Other adjustments") != NULL);
    CHECK(find_line(in, "in the Junk folder") != NULL);
    bool known;
    CHECK_EQ_INT(inspect_rule_score("BAYES_99", 8, &known), 3500);
    CHECK(known);
    CHECK_EQ_INT(inspect_rule_score("MY_RULE=1.25", 12, &known), 1250);
    CHECK_EQ_INT(inspect_rule_score("NOPE", 4, &known), 0);
    CHECK(!known);
    inspector_destroy(in);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void inspect_should_link_a_bounce_and_its_message(void)
{
    Trace *tr = fixture_bounce();
    TraceIndex *ix = traceindex_create(tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, 0, MS(5000));
    const InspectLine *b = find_line(in, "bounced");
    CHECK(b && b->role == CR_SMTP_REJECT && strstr(b->text, "550 5.1.1"));
    const InspectLine *link = find_line(in, "Bounce m1-dsn went back");
    CHECK(link && link->msg == 1);
    const InspectLine *rej = find_line(in, "S: 550 5.1.1");
    CHECK(rej && rej->role == CR_SMTP_REJECT);
    inspector_message(in, ix, 1, MS(5000));
    const InspectLine *back = find_line(in, "A bounce report (DSN) about m1");
    CHECK(back && back->msg == 0);
    CHECK(find_line(in, "MAIL FROM:<>") != NULL);
    inspector_scenario(in, ix, MS(5000));
    const InspectLine *row = find_line(in, "m1  Lunch on Friday?");
    CHECK(row && row->msg == 0 && strstr(row->text, "bounced"));
    inspector_scenario(in, ix, MS(500));
    CHECK(find_line(in, "m1  Lunch") == NULL); /* not written yet */
    inspector_destroy(in);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void inspect_should_describe_a_node_and_its_recent_events(void)
{
    Trace *tr = fixture_retry();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, MS(100000), &opt, vs);
    Inspector *in = inspector_create();
    inspector_node(in, ix, vs, N_SMTP_A, MS(100000));
    CHECK(find_line(in, "outgoing server") != NULL);
    CHECK(find_line(in, "retry in") != NULL);
    CHECK(find_line(in, "Recent events here") != NULL);
    inspector_node(in, ix, vs, N_MX_B, MS(100000));
    CHECK(find_line(in, "DOWN") != NULL);
    inspector_destroy(in);
    viewstate_destroy(vs);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* A retried message says which attempt it is on, in the retry grammar, under "Where it stands". */
static void inspect_should_say_which_attempt_a_retried_message_is_on(void)
{
    Trace *tr = fixture_retry();
    TraceIndex *ix = traceindex_create(tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, 0, MS(302000));
    const InspectLine *l = find_line(in, "delivered on attempt 2");
    CHECK(l != NULL);
    CHECK(l && l->role == CR_SMTP_DEFER);
    inspector_message(in, ix, 0, MS(100000)); /* deferred, waiting for its second try */
    CHECK(find_line(in, "attempt 1 of 2") != NULL);
    inspector_destroy(in);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* The SMTP conversation, where a refusal is said, comes before the envelope and the headers. */
static void inspect_should_show_the_conversation_near_the_top(void)
{
    Trace *tr = fixture_bounce();
    TraceIndex *ix = traceindex_create(tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, 0, MS(5000));
    size_t talk = SIZE_MAX, env = SIZE_MAX;
    for (size_t i = 0; i < inspector_count(in); i++) {
        const char *t = inspector_line(in, i)->text;
        talk = talk == SIZE_MAX && strstr(t, "SMTP conversation") ? i : talk;
        env = env == SIZE_MAX && strstr(t, "Envelope (SMTP)") ? i : env;
    }
    CHECK(talk != SIZE_MAX && env != SIZE_MAX);
    CHECK(talk < env);
    inspector_destroy(in);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* A node's recent events keep their day: an event 4 days in reads "4d 00:00:05.000", not
 * "00:00:05.000" (the hours cut as if it were within the first hour). */
static void inspect_should_keep_the_day_of_a_late_event(void)
{
    Trace *tr = fixture_retry();
    int64_t late = INT64_C(4) * 86400000000 + MS(5000);
    TraceEvent e = trace_event_init(TK_RETRY, late);
    e.from = N_SMTP_A;
    e.msg = 0;
    trace_append(tr, &e);
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, late, &opt, vs);
    Inspector *in = inspector_create();
    inspector_node(in, ix, vs, N_SMTP_A, late);
    CHECK(find_line(in, "4d 00:00:05.000") != NULL);
    inspector_destroy(in);
    viewstate_destroy(vs);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void explain_should_say_every_step_in_plain_words(void)
{
    Trace *tr = fixture_happy();
    char buf[1024];
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        CHECK(explain_event(tr, i, buf, sizeof buf)[0] != '\0');
    }
    const TraceEvent *ev = trace_events(tr);
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        const char *line = trace_str(tr, ev[i].text);
        if (ev[i].kind == TK_SMTP && strncmp(line, "RCPT", 4) == 0 && ev[i].from == N_SMTP_A) {
            CHECK_EQ_STR(explain_event(tr, i, buf, sizeof buf),
                         "smtp.a.example names a recipient: RCPT TO:<bob@b.example>");
        }
        if (ev[i].kind == TK_DNS && ev[i].sub == TRACE_ASK && ev[i].num == QTYPE_MX) {
            CHECK_EQ_STR(explain_event(tr, i, buf, sizeof buf),
                         "smtp.a.example asks dns.a.example: which server takes mail for b.example? (MX)");
        }
        if (ev[i].kind == TK_SMTP && ev[i].sub == TRACE_ANSWER && ev[i].num == 354) {
            CHECK(strstr(explain_event(tr, i, buf, sizeof buf), "354 \u2014 go ahead") != NULL);
        }
    }
    trace_destroy(tr);
}

/* A session the sending server's connection cache kept open carries the next message: its
 * transcript starts with RSET, not a connection, and says which message the session carried
 * before. The first message's transcript says nothing of the kind. */
static void inspect_should_say_a_reused_session_carried_another_message(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    trace_set_meta(fx.tr, "reuse", "A cached session", "", 1);
    fx_topology(&fx);
    fx.msg = fx_msg(&fx, "m1", "alice@a.example", "bob@b.example", "a", TRACE_NONE, N_ALICE);
    int32_t m1 = fx.msg;
    fx_conn(&fx, 1000, N_SMTP_A, N_MX_B, 1020, CONN_OPEN, 25);
    fx_reply(&fx, 1020, N_MX_B, N_SMTP_A, 1040, 220, "220 mx.b.example ESMTP Postfix");
    fx_cmd(&fx, 1040, N_SMTP_A, N_MX_B, 1060, "EHLO smtp.a.example");
    fx_reply(&fx, 1060, N_MX_B, N_SMTP_A, 1080, 250, "250-mx.b.example\n250-PIPELINING\n250 8BITMIME");
    fx_cmd(&fx, 1080, N_SMTP_A, N_MX_B, 1100, "MAIL FROM:<alice@a.example>");
    fx_cmd(&fx, 1080, N_SMTP_A, N_MX_B, 1100, "RCPT TO:<bob@b.example>");
    fx_cmd(&fx, 1080, N_SMTP_A, N_MX_B, 1100, "DATA");
    fx_reply(&fx, 1102, N_MX_B, N_SMTP_A, 1122, 250, "250 2.1.0 Ok");
    fx_reply(&fx, 1104, N_MX_B, N_SMTP_A, 1124, 250, "250 2.1.5 Ok");
    fx_reply(&fx, 1106, N_MX_B, N_SMTP_A, 1126, 354, "354 End data with <CR><LF>.<CR><LF>");
    fx_cmd(&fx, 1126, N_SMTP_A, N_MX_B, 1146, ".");
    fx_reply(&fx, 1148, N_MX_B, N_SMTP_A, 1168, 250, "250 2.0.0 Ok: queued as 1A2B3");
    fx.msg = fx_msg(&fx, "m2", "alice@a.example", "bob@b.example", "b", TRACE_NONE, N_ALICE);
    int32_t m2 = fx.msg;
    fx_cmd(&fx, 2000, N_SMTP_A, N_MX_B, 2020, "RSET");
    fx_reply(&fx, 2022, N_MX_B, N_SMTP_A, 2042, 250, "250 2.0.0 Ok");
    fx_cmd(&fx, 2042, N_SMTP_A, N_MX_B, 2062, "MAIL FROM:<alice@a.example>");
    TraceIndex *ix = traceindex_create(fx.tr);
    Inspector *in = inspector_create();
    inspector_message(in, ix, m2, MS(2100));
    const InspectLine *cue = find_line(in, "reused session (RSET)");
    CHECK(cue != NULL && strstr(cue->text, "previous message m1") != NULL);
    const InspectLine *pair = find_line(in, "smtp.a.example \u2192 mx.b.example");
    CHECK(pair != NULL && cue > pair && cue < find_line(in, "C: RSET"));
    inspector_message(in, ix, m1, MS(2100));
    CHECK(find_line(in, "C: EHLO smtp.a.example") != NULL);
    CHECK(find_line(in, "reused session") == NULL);
    inspector_destroy(in);
    traceindex_destroy(ix);
    trace_destroy(fx.tr);
}

RUN_TESTS(TEST_CASE(inspect_should_say_a_reused_session_carried_another_message),
          TEST_CASE(inspect_should_grow_the_headers_hop_by_hop),
          TEST_CASE(inspect_should_keep_the_day_of_a_late_event),
          TEST_CASE(inspect_should_say_which_attempt_a_retried_message_is_on),
          TEST_CASE(inspect_should_show_the_conversation_near_the_top),
          TEST_CASE(inspect_should_show_envelope_beside_headers_and_the_transcript),
          TEST_CASE(inspect_should_break_the_spam_score_into_rules),
          TEST_CASE(inspect_should_link_a_bounce_and_its_message),
          TEST_CASE(inspect_should_describe_a_node_and_its_recent_events),
          TEST_CASE(explain_should_say_every_step_in_plain_words))
