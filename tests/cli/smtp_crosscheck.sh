#!/usr/bin/env bash
# smtp_crosscheck: mailsim's SMTP servers answer as a real one configured from the scenario does.
# Every shipped scenario is run; tests/tools/smtp_crosscheck.py replays the trace's relay sessions
# (outgoing -> incoming, port 25) and submission sessions (client -> outgoing, port 587) against
# aiosmtpd servers on 127.0.0.1, set up from the scenario (recipients, greylisting, SIZE, DNSBL
# listings, quotas), and compares the reply class of every step. Steps the reference cannot judge
# (outages, mailsim's 421 overload) are counted and printed as "not comparable" with the reason.
# Known gaps are listed, with their reasons, in the tool's EXPECTED_DISAGREEMENTS.
#
# Then it checks that the comparison can fail: traces with one reply changed must be refused.
#
# Needs /usr/bin/python3 with aiosmtpd (Debian: python3-aiosmtpd; CI installs it); without it the
# test exits 77, which ctest reports as skipped. The PATH's python3 may lack Debian's modules, so
# the script names /usr/bin/python3.
#
# Usage, from the repository root:  bash tests/cli/smtp_crosscheck.sh /path/to/mailsim
# For one session per line:  /usr/bin/python3 tests/tools/smtp_crosscheck.py -v SCENARIO TRACE
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/smtp_crosscheck.sh /path/to/mailsim}
PY=/usr/bin/python3
TOOL=tests/tools/smtp_crosscheck.py

if [ ! -x "$PY" ] || ! "$PY" -c "import aiosmtpd.controller" 2>/dev/null; then
    skip "$PY has no aiosmtpd module (Debian: python3-aiosmtpd)"
fi
make_tmp

pairs=()
for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    "$MAILSIM" run "$s" --quiet --trace "$TMP/$name.jsonl"
    expect_status "crosscheck_should_get_the_trace ($name)" 0 $?
    pairs+=("$s" "$TMP/$name.jsonl")
done

# The tool prints "ok crosscheck NAME: ..." or "FAIL crosscheck NAME: ..." per scenario, indented
# details, and its own summary line; the ok/FAIL lines are counted here.
timeout 60 "$PY" "$TOOL" "${pairs[@]}" >"$TMP/results" 2>&1
status=$?
while IFS= read -r line; do
    case $line in
    "ok "*) ok "${line#ok }" ;;
    "FAIL "*) bad "${line#FAIL }" ;;
    *) echo "$line" ;;
    esac
done <"$TMP/results"
expect_status "crosscheck_should_run_to_its_end" 0 $status

# Every shipped scenario has its line, the ones without any relay session included.
for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    if grep -qE "^(ok|FAIL) crosscheck $name: " "$TMP/results"; then
        ok "crosscheck_should_cover_every_scenario ($name)"
    else
        bad "crosscheck_should_cover_every_scenario ($name): no result line"
    fi
done

# The comparison can fail: a reply code changed in a trace is caught, both a plain one (the
# unknown user's 550) and one that depends on simulated time (the second 452 of the full
# mailbox, before the scripted delete frees space at 900 s).
mutate() { # NAME SCENARIO AWK_PROGRAM: the scenario's trace, changed, must be reported FAIL
    local name=$1 scen=$2 prog=$3 base
    base=$(basename "$scen" .json)
    awk "$prog" "$TMP/$base.jsonl" >"$TMP/$name.jsonl"
    if cmp -s "$TMP/$base.jsonl" "$TMP/$name.jsonl"; then
        bad "crosscheck_should_catch_a_changed_reply ($name): the change did not apply"
        return
    fi
    timeout 60 "$PY" "$TOOL" "$scen" "$TMP/$name.jsonl" >"$TMP/$name.out" 2>&1
    local st=$?
    if [ $st -eq 1 ] && grep -q "^FAIL crosscheck $base: " "$TMP/$name.out" &&
        grep -q "aiosmtpd: " "$TMP/$name.out"; then
        ok "crosscheck_should_catch_a_changed_reply ($name)"
    else
        bad "crosscheck_should_catch_a_changed_reply ($name): exit $st: $(head -c 600 "$TMP/$name.out")"
    fi
}
mutate unknown-user-accepted scenarios/03-unknown-user.json \
    '{ sub(/"code":550/, "\"code\":250") } { print }'
mutate full-mailbox-accepted-early scenarios/04-mailbox-full.json \
    '/"code":452/ { n++; if (n == 2) sub(/"code":452/, "\"code\":250") } { print }'

finish
