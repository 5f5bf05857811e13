/* test_engine_asserts: the engine's programmer-error asserts (sim/engine/engine.h).
 *
 * Scheduling into the past is a programmer's mistake, caught by an assert. This executable runs
 * each mistake in a child process and checks that it dies of SIGABRT. It is registered only in
 * build types that keep asserts (tests/CMakeLists.txt), and refuses to compile without them (death.h), so
 * it can never pass without checking.
 */
#define _POSIX_C_SOURCE 200809L /* fork */
#include "engine/engine.h"
#include "test.h"

#include "death.h"

static void do_nothing(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    (void)obj;
    (void)arg;
}

static void schedule_into_the_past(void)
{
    Engine *eng = engine_create(0);
    engine_run_until(eng, 100, 0);
    engine_schedule(eng, 99, do_nothing, NULL, 0);
    engine_destroy(eng);
}

static void schedule_with_negative_delay(void)
{
    Engine *eng = engine_create(0);
    engine_schedule_in(eng, -1, do_nothing, NULL, 0);
    engine_destroy(eng);
}

static void engine_should_assert_on_scheduling_into_the_past(void)
{
    CHECK(dies_of_abort(schedule_into_the_past));
}

static void engine_should_assert_on_a_negative_delay(void)
{
    CHECK(dies_of_abort(schedule_with_negative_delay));
}

RUN_TESTS(TEST_CASE(engine_should_assert_on_scheduling_into_the_past),
          TEST_CASE(engine_should_assert_on_a_negative_delay))
