#!/usr/bin/env bash
# test_h: tests/test.h cannot pass a test by accident. Runs the case sets of test_h_cases.c and
# checks what test_main reports for each: a case that made no check fails the run and says so,
# a failed CHECK fails it, REQUIRE leaves the case at once, and a case that checks passes (so the
# failures above are not the program failing whatever it runs).
#
# Usage, from the repository root:  bash tests/harness/test_h.sh /path/to/test_h_cases
. "$(dirname "$0")/../cli/lib.sh"
CASES=${1:?usage: bash tests/harness/test_h.sh /path/to/test_h_cases}
make_tmp

run_set() { # set: runs one case set, its stdout and stderr into $TMP/set.out; sets $status
    "$CASES" "$1" >"$TMP/$1.out" 2>&1
    status=$?
}

run_set checks
expect_status "test_h_should_pass_a_case_that_checks" 0 $status
expect_in "test_h_should_count_the_check" "$TMP/checks.out" \
    "ok   case_checks_once" "1 passed, 0 failed (1 checks)"

run_set no-check
expect_status "test_h_should_fail_a_case_that_made_no_check" 1 $status
expect_in "test_h_should_say_which_case_made_no_check" "$TMP/no-check.out" \
    "case_makes_no_check: made no check" "FAIL case_makes_no_check" "ok   case_checks_once" \
    "1 passed, 1 failed (1 checks)"

run_set fails
expect_status "test_h_should_fail_a_failed_check" 1 $status
expect_in "test_h_should_show_both_values_of_a_failed_check" "$TMP/fails.out" \
    "1 == 2 failed: 1 != 2" "FAIL case_fails_a_check" "1 passed, 1 failed (2 checks)"

run_set require
expect_status "test_h_should_fail_a_failed_require" 1 $status
expect_in "test_h_should_leave_the_case_at_a_failed_require" "$TMP/require.out" \
    "REQUIRE failed: 1 + 1 == 3" "0 passed, 1 failed (1 checks)"

"$CASES" no-such-set >/dev/null 2>&1
expect_status "test_h_cases_should_refuse_an_unknown_set" 2 $?
finish
