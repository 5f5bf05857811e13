#!/usr/bin/env bash
# harness: the CLI scripts cannot pass by accident. Small scripts run through tests/cli/lib.sh
# show that `finish` fails a script that made no check or had a failed one, that `skip` exits 77
# (skipped, never passed) and runs nothing after it, that the expect_* helpers fail when they
# should, and that make_tmp's directory goes away. Then every script in tests/cli is checked to
# source lib.sh, to keep no private copy of its helpers and to end with `finish`.
# Compiles and runs nothing of mailsim.
#
# Usage, from the repository root:  bash tests/cli/harness.sh [/path/to/mailsim (unused)]
. "$(dirname "$0")/lib.sh"
LIB=$PWD/tests/cli/lib.sh
make_tmp

# snippet NAME BODY: runs BODY as a script that sources lib.sh, from the repository root; its
# stdout and stderr go to $TMP/NAME.out and its exit status to $status.
snippet() {
    printf '. "%s"\n%s\n' "$LIB" "$2" >"$TMP/$1.sh"
    bash "$TMP/$1.sh" >"$TMP/$1.out" 2>&1
    status=$?
}

snippet no_check 'finish'
expect_status "finish_should_fail_when_no_check_ran" 1 $status
expect_in "finish_should_say_that_no_check_ran" "$TMP/no_check.out" "0 passed, 0 failed" "no check ran"

snippet one_ok 'ok first; finish'
expect_status "finish_should_pass_when_every_check_passed" 0 $status
expect_in "finish_should_count_the_checks" "$TMP/one_ok.out" "ok   first" "1 passed, 0 failed"

snippet one_bad 'ok first; bad second; ok third; finish'
expect_status "finish_should_fail_when_a_check_failed" 1 $status
expect_in "finish_should_count_the_failure" "$TMP/one_bad.out" "FAIL second" "2 passed, 1 failed"

snippet only_bad 'bad only; finish'
expect_status "finish_should_fail_when_every_check_failed" 1 $status

snippet skipped 'ok before; skip "no such tool"; ok after; finish'
expect_status "skip_should_exit_77" 77 $status
expect_in "skip_should_say_why" "$TMP/skipped.out" "skipped: no such tool"
grep -q "ok   after" "$TMP/skipped.out" && bad "skip_should_run_nothing_after_it" || ok "skip_should_run_nothing_after_it"

snippet status_wrong 'expect_status name 2 3; finish'
expect_status "expect_status_should_fail_on_another_status" 1 $status
expect_in "expect_status_should_name_both_statuses" "$TMP/status_wrong.out" "FAIL name (exit 3, expected 2)"
snippet status_right 'expect_status name 2 2; finish'
expect_status "expect_status_should_pass_on_the_wanted_status" 0 $status

printf 'alpha\nbeta\n' >"$TMP/text"
snippet in_missing "expect_in name '$TMP/text' alpha gamma; finish"
expect_status "expect_in_should_fail_when_a_pattern_is_missing" 1 $status
expect_in "expect_in_should_name_the_missing_pattern" "$TMP/in_missing.out" 'FAIL name (no "gamma" in:'
snippet in_present "expect_in name '$TMP/text' alpha beta; finish"
expect_status "expect_in_should_pass_when_every_pattern_occurs" 0 $status

snippet refusal_status "expect_refusal name alpha 1 '$TMP/text'; finish"
expect_status "expect_refusal_should_fail_on_a_status_other_than_2" 1 $status
snippet refusal_line "expect_refusal name beta 2 '$TMP/text'; finish"
expect_status "expect_refusal_should_fail_on_another_first_line" 1 $status
expect_in "expect_refusal_should_show_both_lines" "$TMP/refusal_line.out" "got:  alpha" "want: beta"
snippet refusal_right "expect_refusal name alpha 2 '$TMP/text'; finish"
expect_status "expect_refusal_should_pass_on_status_2_and_the_line" 0 $status

snippet tmp 'make_tmp; echo "$TMP" >'"'$TMP/made'"'; [ -d "$TMP" ] && ok made; skip "leaving early"'
expect_status "make_tmp_should_make_a_directory" 77 $status
made=$(cat "$TMP/made" 2>/dev/null)
[ -n "$made" ] && [ ! -e "$made" ] && ok "make_tmp_should_remove_it_at_exit" || bad "make_tmp_should_remove_it_at_exit ($made)"

(cd "$TMP" && bash -c ". '$LIB'; ok never; finish") >"$TMP/elsewhere.out" 2>&1
expect_status "lib_should_stop_a_script_outside_the_repository_root" 1 $?
expect_in "lib_should_say_where_to_run" "$TMP/elsewhere.out" "run from the repository root"

# Every script uses lib.sh, keeps no private copy of its helpers and ends with finish (a script
# that stops without it would exit with the status of whatever ran last).
for script in tests/cli/*.sh tests/harness/*.sh; do
    [ "$script" = tests/cli/lib.sh ] && continue
    grep -Eq '^\. "\$\(dirname "\$0"\)/(\.\./cli/)?lib\.sh"$' "$script" &&
        ok "scripts_should_source_lib ($script)" || bad "scripts_should_source_lib ($script)"
    own=$(grep -En '^\s*(ok|bad|skip|expect_status|expect_in|expect_refusal|make_tmp|finish)\s*\(\)' "$script")
    [ -z "$own" ] && ok "scripts_should_keep_no_private_helper ($script)" ||
        bad "scripts_should_keep_no_private_helper ($script: $own)"
    last=$(grep -v '^\s*$' "$script" | tail -n 1)
    [ "$last" = finish ] && ok "scripts_should_end_with_finish ($script)" ||
        bad "scripts_should_end_with_finish ($script ends with: $last)"
done
finish
