/* test_timeaxis: retry attempts told in words (the hovered retry tick, the selected message's
 * attempt at the playhead) on scenarios 05 (greylisted once, delivered on attempt 2), 11 (a
 * doubling backoff: 10, 10, 20, 40 min, delivered on attempt 5) and 14 (hourly retries for days,
 * then bounced). */
#include "test.h"
#include "shipped.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "view/timeaxis.h"
#include "view/traceindex.h"

#include <string.h>


/* The texts of m1's retry ticks, joined with " | ". */
static void retry_ticks(const TraceIndex *ix, char *out, size_t size)
{
    const Trace *tr = traceindex_trace(ix);
    out[0] = '\0';
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        char buf[128];
        if (timeaxis_retry_text(ix, i, buf, sizeof buf)) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", used ? " | " : "", buf);
        }
    }
}

static void timeaxis_should_tell_each_retry_of_the_doubling_backoff_in_11(void)
{
    Trace *tr = shipped_run_file(MAILSIM_SOURCE_DIR "/scenarios/11-server-outage-retry.json");
    REQUIRE(tr != NULL);
    TraceIndex *ix = traceindex_create(tr);
    char got[1024];
    retry_ticks(ix, got, sizeof got);
    CHECK_EQ_STR(got, "attempt 2 of 5, next in 10 min | attempt 3 of 5, next in 20 min | "
                      "attempt 4 of 5, next in 40 min | delivered on attempt 5");
    /* The selected message at the playhead: its first try, a wait, then the last retry. */
    int32_t m1 = trace_find_msg(tr, "m1");
    char buf[128];
    CHECK(timeaxis_attempt_text(ix, m1, INT64_C(300) * 1000000, buf, sizeof buf));
    CHECK_EQ_STR(buf, "attempt 1 of 5, next in 10 min");
    CHECK(timeaxis_attempt_text(ix, m1, INT64_C(2000) * 1000000, buf, sizeof buf));
    CHECK_EQ_STR(buf, "attempt 3 of 5, next in 20 min");
    CHECK(timeaxis_attempt_text(ix, m1, INT64_C(4900) * 1000000, buf, sizeof buf));
    CHECK_EQ_STR(buf, "delivered on attempt 5");
    /* Before the message exists there is nothing to say; nor about an event not a retry. */
    CHECK(!timeaxis_attempt_text(ix, m1, 0, buf, sizeof buf));
    CHECK_EQ_STR(buf, "");
    CHECK(!timeaxis_retry_text(ix, 0, buf, sizeof buf));
    CHECK(!timeaxis_retry_text(ix, (uint32_t)trace_count(tr), buf, sizeof buf));
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void timeaxis_should_tell_the_greylisted_retry_delivered_in_05(void)
{
    Trace *tr = shipped_run_file(MAILSIM_SOURCE_DIR "/scenarios/05-greylisting.json");
    REQUIRE(tr != NULL);
    TraceIndex *ix = traceindex_create(tr);
    char got[512], buf[128];
    retry_ticks(ix, got, sizeof got);
    CHECK_EQ_STR(got, "delivered on attempt 2");
    int32_t m1 = trace_find_msg(tr, "m1");
    CHECK(timeaxis_attempt_text(ix, m1, INT64_C(3) * 1000000, buf, sizeof buf));
    CHECK_EQ_STR(buf, "attempt 1 of 2, next in 10 min");
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void timeaxis_should_tell_the_last_attempt_before_the_bounce_in_14(void)
{
    Trace *tr = shipped_run_file(MAILSIM_SOURCE_DIR "/scenarios/14-give-up.json");
    REQUIRE(tr != NULL);
    TraceIndex *ix = traceindex_create(tr);
    const TraceEvent *ev = trace_events(tr);
    int32_t m1 = trace_find_msg(tr, "m1");
    uint32_t first = UINT32_MAX, last = UINT32_MAX;
    int32_t most = 0;
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        if (ev[i].kind == TK_RETRY && ev[i].msg == m1) {
            first = first == UINT32_MAX ? i : first;
            last = i;
            most = ev[i].num;
        }
    }
    REQUIRE(first != UINT32_MAX && most > 50);
    char buf[128], want[128];
    CHECK(timeaxis_retry_text(ix, last, buf, sizeof buf));
    CHECK_EQ_STR(buf, "last attempt, then bounced");
    /* The first retry times out 30 s in; the next try is 15 min after the retry, so a hair under
     * 14 min 30 s after the deferral: "14 min" as the timeline rounds it. */
    CHECK(timeaxis_retry_text(ix, first, buf, sizeof buf));
    snprintf(want, sizeof want, "attempt 2 of %d, next in 14 min", (int)most);
    CHECK_EQ_STR(buf, want);
    CHECK(timeaxis_attempt_text(ix, m1, ev[last].t_us, buf, sizeof buf));
    CHECK_EQ_STR(buf, "last attempt, then bounced");
    traceindex_destroy(ix);
    trace_destroy(tr);
}

int main(void)
{
    static const TestCase cases[] = {
        { "timeaxis_should_tell_each_retry_of_the_doubling_backoff_in_11",
          timeaxis_should_tell_each_retry_of_the_doubling_backoff_in_11 },
        { "timeaxis_should_tell_the_greylisted_retry_delivered_in_05",
          timeaxis_should_tell_the_greylisted_retry_delivered_in_05 },
        { "timeaxis_should_tell_the_last_attempt_before_the_bounce_in_14",
          timeaxis_should_tell_the_last_attempt_before_the_bounce_in_14 },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
