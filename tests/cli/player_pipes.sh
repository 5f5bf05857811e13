#!/usr/bin/env bash
# player_pipes: a trace or a scenario read through a pipe, a FIFO or <(...) is the same as read
# from a file. mailsim looks at a file's first bytes to tell a trace from a scenario; a pipe cannot
# be read twice, so those bytes must be handed on to the reader, not lost ("not a JSON object").
#
# Usage, from the repository root:  bash tests/cli/player_pipes.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/player_pipes.sh /path/to/mailsim}
make_tmp

trace=tests/data/golden/01-happy-path.jsonl
scenario=scenarios/01-happy-path.json
"$MAILSIM" shot "$trace" --at 3 --out "$TMP/file.png" 2>"$TMP/err"
expect_status "pipes_should_draw_the_trace_from_its_file" 0 $?

# shot_same NAME STATUS: the PNG drawn from a pipe is the one drawn from the file.
shot_same() {
    if [ "$2" -eq 0 ] && cmp -s "$TMP/file.png" "$TMP/pipe.png"; then
        ok "$1"
    else
        bad "$1 (exit $2: $(head -n 1 "$TMP/err"))"
    fi
    rm -f "$TMP/pipe.png"
}

cat "$trace" | "$MAILSIM" shot /dev/stdin --at 3 --out "$TMP/pipe.png" 2>"$TMP/err"
shot_same "pipes_should_read_a_trace_from_standard_input_through_a_pipe" $?

"$MAILSIM" shot <(cat "$trace") --at 3 --out "$TMP/pipe.png" 2>"$TMP/err"
shot_same "pipes_should_read_a_trace_from_a_process_substitution" $?

mkfifo "$TMP/fifo"
cat "$trace" >"$TMP/fifo" &
writer=$!
"$MAILSIM" shot "$TMP/fifo" --at 3 --out "$TMP/pipe.png" 2>"$TMP/err"
status=$?
wait "$writer"
shot_same "pipes_should_read_a_trace_from_a_fifo" $status

"$MAILSIM" shot "$scenario" --at 3 --out "$TMP/file.png" 2>"$TMP/err"
cat "$scenario" | "$MAILSIM" shot /dev/stdin --at 3 --out "$TMP/pipe.png" 2>"$TMP/err"
shot_same "pipes_should_run_a_scenario_from_a_pipe" $?

"$MAILSIM" chart "$trace" --msg m1 --out "$TMP/file.svg"
cat "$trace" | "$MAILSIM" chart /dev/stdin --msg m1 --out "$TMP/pipe.svg" 2>"$TMP/err"
status=$?
[ $status -eq 0 ] && cmp -s "$TMP/file.svg" "$TMP/pipe.svg" && ok "pipes_should_chart_a_trace_from_a_pipe" ||
    bad "pipes_should_chart_a_trace_from_a_pipe (exit $status: $(head -n 1 "$TMP/err"))"

# A broken trace through a pipe is refused for what is wrong with it, at the same line.
broken=tests/data/bad-traces/05-events-out-of-order.jsonl
want=$(sed "s|^$broken: |/dev/stdin: |" "${broken%.jsonl}.err")
cat "$broken" | "$MAILSIM" shot /dev/stdin --at 3 --out "$TMP/pipe.png" 2>"$TMP/err"
expect_refusal "pipes_should_name_the_same_problem_in_a_piped_trace" "$want" $? "$TMP/err"

finish
