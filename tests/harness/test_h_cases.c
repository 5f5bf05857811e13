/* test_h_cases: cases for tests/test.h itself, one set per command-line argument, run by
 * tests/harness/test_h.sh, which checks what test_main makes of each set: a case that made no
 * check fails, a failed CHECK fails, REQUIRE leaves the case. Some sets are meant to fail, so this
 * program is built but never registered with ctest on its own.
 */
#include "test.h"

static void case_checks_once(void)
{
    CHECK(1 + 1 == 2);
}

static void case_makes_no_check(void)
{
}

static void case_fails_a_check(void)
{
    CHECK_EQ_INT(1, 2);
}

static void case_stops_at_require(void)
{
    REQUIRE(1 + 1 == 3);
    CHECK(0); /* never reached: REQUIRE returned */
}

int main(int argc, char **argv)
{
    static const TestCase checks[] = { TEST_CASE(case_checks_once) };
    static const TestCase no_check[] = { TEST_CASE(case_checks_once),
                                         TEST_CASE(case_makes_no_check) };
    static const TestCase fails[] = { TEST_CASE(case_checks_once), TEST_CASE(case_fails_a_check) };
    static const TestCase require[] = { TEST_CASE(case_stops_at_require) };
    static const struct {
        const char *name;
        const TestCase *cases;
        size_t n;
    } sets[] = {
        { "checks", checks, sizeof checks / sizeof checks[0] },
        { "no-check", no_check, sizeof no_check / sizeof no_check[0] },
        { "fails", fails, sizeof fails / sizeof fails[0] },
        { "require", require, sizeof require / sizeof require[0] },
    };
    for (size_t i = 0; argc == 2 && i < sizeof sets / sizeof sets[0]; i++) {
        if (strcmp(argv[1], sets[i].name) == 0) {
            return test_main(sets[i].cases, sets[i].n);
        }
    }
    fprintf(stderr, "usage: test_h_cases checks|no-check|fails|require\n");
    return 2;
}
