/* test_logfilter: the event log's filter — by kind, by message (with its bounce), by node — and
 * its title and row positions. */
#include "view/fixture.h"
#include "test.h"

#include "view/logfilter.h"

static void logfilter_should_keep_only_events_of_the_kind(void)
{
    Trace *tr = fixture_bounce();
    static const TraceKind SMTP_KINDS[] = { TK_SMTP, TK_CONN };
    LogFilter f = logfilter_all();
    f.kind = LOGKIND_SMTP;
    LogRows rows = { 0 };
    logrows_build(&rows, tr, &f, trace_count(tr));
    CHECK(rows.count > 0);
    int wrong = 0;
    for (size_t k = 0; k < rows.count; k++) {
        TraceKind kind = (TraceKind)trace_events(tr)[rows.rows[k]].kind;
        wrong += kind != SMTP_KINDS[0] && kind != SMTP_KINDS[1];
    }
    CHECK_EQ_INT(wrong, 0);
    f.kind = LOGKIND_DNS;
    logrows_build(&rows, tr, &f, trace_count(tr));
    CHECK(rows.count > 0);
    for (size_t k = 0; k < rows.count; k++) {
        wrong += trace_events(tr)[rows.rows[k]].kind != TK_DNS;
    }
    CHECK_EQ_INT(wrong, 0);
    logrows_free(&rows);
    trace_destroy(tr);
}

static void logfilter_should_keep_a_message_with_its_bounce(void)
{
    Trace *tr = fixture_bounce();
    LogFilter f = logfilter_all();
    f.msg = trace_find_msg(tr, "m1");
    int32_t dsn = trace_find_msg(tr, "m1-dsn");
    REQUIRE(dsn != TRACE_NONE);
    bool saw_dsn = false;
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &trace_events(tr)[i];
        bool ours = e->msg == f.msg || e->msg == dsn;
        CHECK_EQ_INT(logfilter_match(tr, &f, i), ours);
        saw_dsn |= e->msg == dsn && logfilter_match(tr, &f, i);
    }
    CHECK(saw_dsn);
    char buf[128];
    f.kind = LOGKIND_DELIVERY;
    CHECK_EQ_STR(logfilter_title(tr, &f, buf, sizeof buf), "Event log \u00b7 delivery \u00b7 m1");
    trace_destroy(tr);
}

static void logfilter_should_keep_events_from_or_to_the_node(void)
{
    Trace *tr = fixture_happy();
    LogFilter f = logfilter_all();
    f.node = N_MX_B;
    LogRows rows = { 0 };
    logrows_build(&rows, tr, &f, trace_count(tr));
    CHECK(rows.count > 0 && rows.count < trace_count(tr));
    int wrong = 0;
    for (size_t k = 0; k < rows.count; k++) {
        const TraceEvent *e = &trace_events(tr)[rows.rows[k]];
        wrong += e->from != N_MX_B && e->to != N_MX_B;
    }
    CHECK_EQ_INT(wrong, 0);
    /* Positions: the last row at or before an event. */
    CHECK_EQ_INT(logrows_position(&rows, rows.rows[0]), 0);
    CHECK_EQ_INT(logrows_position(&rows, rows.rows[1] - 1), rows.rows[1] - 1 >= rows.rows[0] ? 0 : -1);
    CHECK_EQ_INT(logrows_position(&rows, UINT32_MAX), -1);
    CHECK_EQ_INT(logrows_position(&rows, (uint32_t)trace_count(tr)), (int64_t)rows.count - 1);
    logrows_free(&rows);
    trace_destroy(tr);
}

static void logfilter_should_cycle_through_every_kind(void)
{
    LogKind k = LOGKIND_ALL;
    int steps = 0;
    do {
        k = logfilter_next_kind(k);
        steps++;
    } while (k != LOGKIND_ALL && steps < 20);
    CHECK_EQ_INT(steps, LOGKIND_COUNT);
    CHECK_EQ_STR(logfilter_kind_name(LOGKIND_FETCH), "fetch");
    LogFilter all = logfilter_all();
    CHECK(logfilter_is_all(&all));
}

RUN_TESTS(TEST_CASE(logfilter_should_keep_only_events_of_the_kind),
          TEST_CASE(logfilter_should_keep_a_message_with_its_bounce),
          TEST_CASE(logfilter_should_keep_events_from_or_to_the_node),
          TEST_CASE(logfilter_should_cycle_through_every_kind))
