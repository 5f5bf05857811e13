/* test_trace_asserts: the trace's programmer-error asserts (sim/trace/trace.h), each run in a
 * child process that must die of SIGABRT. Registered only where asserts are on (death.h). */
#define _POSIX_C_SOURCE 200809L /* fork */
#include "death.h"
#include "test.h"
#include "trace/trace.h"

#define SEC(x) ((int64_t)((x) * 1000000.0 + 0.5))

static void append_action(Trace *tr, double t_s)
{
    TraceEvent ev = trace_event_init(TK_ACTION, SEC(t_s));
    trace_append(tr, &ev);
}

static void append_into_the_past(void)
{
    Trace *tr = trace_create();
    append_action(tr, 10);
    append_action(tr, 9);
    trace_destroy(tr);
}

static void append_arriving_before_leaving(void)
{
    Trace *tr = trace_create();
    TraceEvent ev = trace_event_init(TK_HOP, SEC(10));
    ev.arrive_us = SEC(9);
    trace_append(tr, &ev);
    trace_destroy(tr);
}

/* Programmer errors are asserts: events go into a trace in time order and arrive no earlier than
 * they leave. */
static void trace_should_assert_on_events_out_of_order(void)
{
    CHECK(dies_of_abort(append_into_the_past));
    CHECK(dies_of_abort(append_arriving_before_leaving));
}

RUN_TESTS(TEST_CASE(trace_should_assert_on_events_out_of_order))
