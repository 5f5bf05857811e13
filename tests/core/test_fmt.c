/* test_fmt: times and sizes for people (sim/util/fmt.h), one format everywhere. */
#include "test.h"
#include "util/fmt.h"

#define MS(x) ((int64_t)(x) * 1000)
#define SEC(x) ((int64_t)(x) * 1000000)

static void fmt_should_write_the_clock_within_the_first_day(void)
{
    char buf[32];
    CHECK_EQ_STR(fmt_clock(0, buf, sizeof buf), "00:00:00.000");
    CHECK_EQ_STR(fmt_clock(62250000, buf, sizeof buf), "00:01:02.250");
    CHECK_EQ_STR(fmt_clock(SEC(3600) + 1000, buf, sizeof buf), "01:00:00.001");
    CHECK_EQ_STR(fmt_clock(999, buf, sizeof buf), "00:00:00.000"); /* truncates */
    CHECK_EQ_STR(fmt_clock(SEC(86399) + 999999, buf, sizeof buf), "23:59:59.999");
    CHECK_EQ_STR(fmt_clock(-5, buf, sizeof buf), "00:00:00.000");
}

/* The log and the player say the same after a day: "4d 20:14:58.540", never "116:14:58.540". */
static void fmt_should_count_days_in_the_clock(void)
{
    char buf[32];
    CHECK_EQ_STR(fmt_clock(SEC(86400) + MS(1), buf, sizeof buf), "1d 00:00:00.001");
    CHECK_EQ_STR(fmt_clock(SEC(116 * 3600 + 14 * 60 + 58) + MS(540), buf, sizeof buf),
                 "4d 20:14:58.540");
    CHECK_EQ_STR(fmt_clock(SEC(5 * 86400), buf, sizeof buf), "5d 00:00:00.000");
}

static void fmt_should_write_readable_durations(void)
{
    char buf[64];
    CHECK_EQ_STR(fmt_duration(40, buf, sizeof buf), "40 \u00b5s");
    CHECK_EQ_STR(fmt_duration(MS(40), buf, sizeof buf), "40 ms");
    CHECK_EQ_STR(fmt_duration(MS(1250), buf, sizeof buf), "1.25 s");
    CHECK_EQ_STR(fmt_duration(SEC(42), buf, sizeof buf), "42 s");
    CHECK_EQ_STR(fmt_duration(MS(298000), buf, sizeof buf), "4 min 58 s");
    CHECK_EQ_STR(fmt_duration(MS(3600000) * 2 + MS(300000), buf, sizeof buf), "2 h 05 min");
    CHECK_EQ_STR(fmt_duration(SEC(3 * 86400 + 4 * 3600), buf, sizeof buf), "3 d 4 h");
    CHECK_EQ_STR(fmt_duration(-MS(40), buf, sizeof buf), "-40 ms");
}

static void fmt_should_round_countdowns_up(void)
{
    char buf[32];
    CHECK_EQ_STR(fmt_countdown(MS(298100), buf, sizeof buf), "4:59");
    CHECK_EQ_STR(fmt_countdown(MS(3723000), buf, sizeof buf), "1:02:03");
    CHECK_EQ_STR(fmt_countdown(SEC(2 * 86400 + 4 * 3600), buf, sizeof buf), "2d 4h");
    CHECK_EQ_STR(fmt_countdown(0, buf, sizeof buf), "0:00");
}

static void fmt_should_write_sizes_in_si_units(void)
{
    char buf[32];
    CHECK_EQ_STR(fmt_size(707, buf, sizeof buf), "707 bytes");
    CHECK_EQ_STR(fmt_size(12500, buf, sizeof buf), "12.5 kB");
    CHECK_EQ_STR(fmt_size(5000000, buf, sizeof buf), "5.0 MB");
}

RUN_TESTS(TEST_CASE(fmt_should_write_the_clock_within_the_first_day),
          TEST_CASE(fmt_should_count_days_in_the_clock),
          TEST_CASE(fmt_should_write_readable_durations),
          TEST_CASE(fmt_should_round_countdowns_up),
          TEST_CASE(fmt_should_write_sizes_in_si_units))
