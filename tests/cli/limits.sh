#!/usr/bin/env bash
# limits: hostile input is refused with a clear message and exit status 2, never run out of time
# or memory. The run-time event limit (default 50 000 000 engine events, --max-events N) and the
# file-size limit are tested here, through the CLI; the loader's other limits are tested in
# tests/core/test_scenario_limits.c and the trace reader's in tests/core/test_trace_bad.c.
#
# Usage, from the repository root:  bash tests/cli/limits.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/limits.sh /path/to/mailsim}
make_tmp

storm=tests/data/limits/retry-storm.json
# The error line, with the simulated time at which the run stopped left open.
storm_err="^$storm: the run needs more than 100000 events, the limit \\(--max-events\\); it was stopped at [0-9]+\\.[0-9]{3} s of simulated time\\. Fewer messages or recipients, a shorter horizon_s or longer retry waits make it smaller\$"

# A scenario that would retry every millisecond for a year: stopped at the limit, refused, and
# nothing is written.
"$MAILSIM" run "$storm" --max-events 100000 --trace "$TMP/t.jsonl" --summary "$TMP/s.json" >"$TMP/out" 2>"$TMP/err"
expect_status "limits_should_refuse_a_run_over_the_event_limit" 2 $?
head -n 1 "$TMP/err" | grep -Eq "$storm_err" && ok "limits_should_name_the_scenario_and_the_limit" ||
    { bad "limits_should_name_the_scenario_and_the_limit"; echo "     got:  $(head -n 1 "$TMP/err")"; echo "     want: $storm_err"; }
[ ! -e "$TMP/t.jsonl" ] && [ ! -e "$TMP/s.json" ] && [ ! -s "$TMP/out" ] &&
    ok "limits_should_leave_no_partial_result" || bad "limits_should_leave_no_partial_result"

"$MAILSIM" check "$storm" --max-events 100000 >"$TMP/out" 2>"$TMP/err"
expect_status "limits_should_refuse_the_run_in_check_too" 2 $?
head -n 1 "$TMP/err" | grep -Eq "$storm_err" && ok "limits_should_give_the_same_error_in_check" ||
    bad "limits_should_give_the_same_error_in_check"

# The shipped scenarios stay far below the default limit, and a limit they fit in changes nothing.
"$MAILSIM" check scenarios/*.json --max-events 1000 >"$TMP/out" 2>&1
expect_status "limits_should_pass_every_shipped_scenario_within_1000_events" 0 $?
"$MAILSIM" run scenarios/13-heavy-traffic.json --quiet --trace "$TMP/a.jsonl"
"$MAILSIM" run scenarios/13-heavy-traffic.json --quiet --trace "$TMP/b.jsonl" --max-events 1000
cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl" && ok "limits_should_not_change_a_run_within_the_limit" ||
    bad "limits_should_not_change_a_run_within_the_limit"

for v in 0 -5 banana 9007199254740992; do
    "$MAILSIM" run scenarios/01-happy-path.json --max-events "$v" >/dev/null 2>"$TMP/err"
    status=$?
    if [ $status -eq 2 ] && grep -q -- "--max-events takes a whole number from 1 to 2^53-1" "$TMP/err"; then
        ok "limits_should_refuse_max_events_$v"
    else
        bad "limits_should_refuse_max_events_$v (exit $status)"
    fi
done

# A file over 8 MiB is refused before it is parsed.
head -c 9000000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
"$MAILSIM" check "$TMP/huge.json" >/dev/null 2>"$TMP/err"
expect_status "limits_should_refuse_a_file_over_8_mib" 2 $?
grep -q "the file is larger than 8388608 bytes (8 MiB), the limit for a scenario" "$TMP/err" &&
    ok "limits_should_name_the_file_size_limit" || bad "limits_should_name_the_file_size_limit"

finish
