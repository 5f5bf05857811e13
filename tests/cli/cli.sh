#!/usr/bin/env bash
# CLI behaviour of `mailsim`: every shipped scenario passes `mailsim check`, runs are deterministic,
# outputs are written whole, and bad usage is refused with status 2.
# Usage: bash tests/cli/cli.sh /path/to/mailsim   (from the repository root)
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: cli.sh /path/to/mailsim}
make_tmp

"$MAILSIM" --help >"$TMP/help" 2>&1
expect_status "cli_should_print_help" 0 $?
grep -q "usage: mailsim" "$TMP/help" && ok "cli_should_show_usage_in_help" || bad "cli_should_show_usage_in_help"

"$MAILSIM" --version >"$TMP/version" 2>&1
expect_status "cli_should_print_version" 0 $?
grep -Eq '^mailsim [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/version" && ok "cli_should_name_the_version" || bad "cli_should_name_the_version"

"$MAILSIM" run --bogus scenarios/01-happy-path.json >"$TMP/out" 2>"$TMP/err"
expect_status "cli_should_refuse_an_unknown_option" 2 $?
grep -q "unknown option --bogus" "$TMP/err" && grep -q "usage:" "$TMP/err" \
    && ok "cli_should_print_usage_for_an_unknown_option" || bad "cli_should_print_usage_for_an_unknown_option"

"$MAILSIM" run scenarios/01-happy-path.json --seed banana >/dev/null 2>&1
expect_status "cli_should_refuse_a_bad_seed" 2 $?

"$MAILSIM" check scenarios/*.json >"$TMP/check" 2>&1
status=$?
expect_status "cli_should_pass_every_shipped_scenario" 0 $status
[ $status -eq 0 ] || cat "$TMP/check"
[ "$(grep -c '^PASS' "$TMP/check")" -eq "$(ls scenarios/*.json | wc -l)" ] \
    && ok "cli_should_report_each_scenario" || bad "cli_should_report_each_scenario"

# A scenario whose expectations do not hold: exit 1, naming each unmet one.
sed 's/"status": "delivered", "folder": "inbox"/"status": "bounced", "folder": "junk"/' \
    scenarios/01-happy-path.json >"$TMP/unmet.json"
"$MAILSIM" check "$TMP/unmet.json" >"$TMP/unmet" 2>&1
expect_status "cli_should_exit_1_on_unmet_expectations" 1 $?
grep -q 'status is "delivered", expected "bounced"' "$TMP/unmet" && grep -q 'folder is inbox, expected junk' "$TMP/unmet" \
    && ok "cli_should_name_each_unmet_expectation" || { bad "cli_should_name_each_unmet_expectation"; cat "$TMP/unmet"; }

# Determinism: same scenario + same seed => byte-identical trace; another seed changes it.
for s in scenarios/*.json; do
    "$MAILSIM" run "$s" --quiet --trace "$TMP/a.jsonl" && "$MAILSIM" run "$s" --quiet --trace "$TMP/b.jsonl"
    if ! cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl"; then bad "cli_should_be_deterministic ($s)"; continue; fi
    ok "cli_should_be_deterministic ($s)"
done
"$MAILSIM" run scenarios/13-heavy-traffic.json --quiet --seed 7 --trace "$TMP/s7.jsonl"
"$MAILSIM" run scenarios/13-heavy-traffic.json --quiet --seed 8 --trace "$TMP/s8.jsonl"
cmp -s "$TMP/s7.jsonl" "$TMP/s8.jsonl" && bad "cli_should_change_with_the_seed" || ok "cli_should_change_with_the_seed"
head -1 "$TMP/s7.jsonl" | grep -q '"format":"mailsim-trace","version":2,"scenario":"13-heavy-traffic","seed":7' \
    && ok "cli_should_write_the_trace_header" || bad "cli_should_write_the_trace_header"

# Trace and summary to stdout, and the narrated log.
"$MAILSIM" run scenarios/01-happy-path.json --summary - >"$TMP/summary.json"
grep -q '^{"scenario":"01-happy-path","seed":1,"messages":\[$' "$TMP/summary.json" &&
    grep -q '^  {"id":"m1","from":"alice@a.example","rcpt":"bob@b.example","status":"delivered","folder":"inbox","attempts":1,' "$TMP/summary.json" \
    && ok "cli_should_write_the_summary_to_stdout" || bad "cli_should_write_the_summary_to_stdout"
"$MAILSIM" run scenarios/01-happy-path.json >"$TMP/log"
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}  smtp\.a\.example → mx\.b\.example  RCPT TO:<bob@b\.example>$' "$TMP/log" \
    && ok "cli_should_narrate_one_line_per_event" || bad "cli_should_narrate_one_line_per_event"

# An unwritable output leaves nothing behind and fails.
"$MAILSIM" run scenarios/01-happy-path.json --quiet --trace "$TMP/no/such/dir/t.jsonl" 2>/dev/null
expect_status "cli_should_fail_on_an_unwritable_trace" 2 $?
[ ! -e "$TMP/no/such/dir/t.jsonl.tmp" ] && ok "cli_should_leave_no_partial_file" || bad "cli_should_leave_no_partial_file"

"$MAILSIM" check does-not-exist.json >/dev/null 2>"$TMP/err"
expect_status "cli_should_exit_2_on_a_missing_file" 2 $?

finish
