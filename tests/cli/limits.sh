#!/usr/bin/env bash
# limits: hostile input is refused with a clear message and exit status 2, never run out of time
# or memory. The run-time event limit (default 50 000 000 engine events, --max-events N), the
# trace-event limit checked before a run and the file-size limit are tested here, through the
# CLI; the loader's other limits are tested in tests/core/test_scenario_limits.c, the trace
# reader's in tests/core/test_trace_bad.c and the run's in tests/core/test_run_limits.c.
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

# A mailing of 1 000 000 copies (2-character addresses, so it fits the 8 MiB file limit): each
# copy records 8 trace events as it is composed, 8 000 000 in all, over the 1 500 000 a trace may
# hold. It is refused before the run (which used to take 20 s and 4 GB to reach the limit), by
# every command that keeps a trace: run narrates from it even without --trace.
mailing="$TMP/mailing.json"
awk 'BEGIN {
    c = "abcdefghijklmnopqrstuvwxyz0123456789"; letters = "abcdefghijklmnopqrstuvwxyz"
    printf "{\"mailsim\": 1, \"title\": \"a million copies\", \"nodes\": ["
    printf "{\"id\": \"list\", \"kind\": \"client\", \"address\": \"news@a.example\", \"submit_to\": \"smtp.a\"},"
    printf "{\"id\": \"smtp.a\", \"kind\": \"outgoing\", \"ip\": \"198.51.100.10\", \"resolver\": \"dns.a\"},"
    printf "{\"id\": \"dns.a\", \"kind\": \"resolver\"}],"
    printf "\"messages\": [{\"id\": \"news\", \"at_s\": 1, \"from\": \"news@a.example\", \"one_per_recipient\": true, \"to\": ["
    for (i = 0; i < 1000000; i++) {
        printf "%s\"%s%s@%s%s\"", (i ? "," : ""), substr(c, i % 36 + 1, 1), substr(c, int(i / 36) % 36 + 1, 1),
            substr(letters, int(i / 46656) + 1, 1), substr(c, int(i / 1296) % 36 + 1, 1)
    }
    printf "]}]}\n"
}' >"$mailing"
mailing_err="$mailing: the run would record at least 8000000 trace events (each message composed records its headers); the limit is 1500000, the most a trace may hold. Fewer messages or recipients, a longer every_s or a shorter horizon_s make it smaller"
"$MAILSIM" run "$mailing" --trace "$TMP/m.jsonl" --summary "$TMP/m.json" >"$TMP/out" 2>"$TMP/err"
expect_refusal "limits_should_refuse_before_the_run_a_trace_over_its_limit" "$mailing_err" $? "$TMP/err"
[ ! -e "$TMP/m.jsonl" ] && [ ! -e "$TMP/m.json" ] && [ ! -s "$TMP/out" ] &&
    ok "limits_should_write_nothing_for_a_run_refused_before_it_starts" ||
    bad "limits_should_write_nothing_for_a_run_refused_before_it_starts"
"$MAILSIM" run "$mailing" >"$TMP/out" 2>"$TMP/err"
expect_refusal "limits_should_refuse_the_narrated_run_too" "$mailing_err" $? "$TMP/err"
"$MAILSIM" check "$mailing" >"$TMP/out" 2>"$TMP/err"
expect_refusal "limits_should_refuse_the_mailing_in_check_before_the_run" "$mailing_err" $? "$TMP/err"
# Paced at one copy a minute, only the copies composed by the horizon (7 days: 10 080) count:
# the same file runs.
sed 's/"one_per_recipient": true/"one_per_recipient": true, "every_s": 60/' "$mailing" >"$TMP/paced.json"
"$MAILSIM" run "$TMP/paced.json" --quiet --max-events 1000 >"$TMP/out" 2>"$TMP/err"
grep -q "would record at least" "$TMP/err" && bad "limits_should_count_only_copies_composed_by_the_horizon" ||
    ok "limits_should_count_only_copies_composed_by_the_horizon"

# A file over 8 MiB is refused before it is parsed.
head -c 9000000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
"$MAILSIM" check "$TMP/huge.json" >/dev/null 2>"$TMP/err"
expect_status "limits_should_refuse_a_file_over_8_mib" 2 $?
grep -q "the file is larger than 8388608 bytes (8 MiB), the limit for a scenario" "$TMP/err" &&
    ok "limits_should_name_the_file_size_limit" || bad "limits_should_name_the_file_size_limit"

finish
