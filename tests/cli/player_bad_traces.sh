#!/usr/bin/env bash
# player_bad_traces: every broken trace in tests/data/bad-traces/ must be refused by mailsim with exit
# status 2 and, as the first line of stderr, exactly the line in its .err twin. The reader is
# reached without a window through `mailsim shot TRACE.jsonl`, which reads the trace before it
# starts SDL (`mailsim replay` prints the same line, after opening the player's window). Only
# player builds have a command that reads a trace, so only they register this script.
# tests/test_trace_bad.c checks the same files against the reader itself, in every build.
#
# Usage, from the repository root:  bash tests/cli/player_bad_traces.sh /path/to/mailsim
set -u

mailsim=${1:?usage: bash tests/cli/player_bad_traces.sh /path/to/mailsim}
dir=tests/data/bad-traces
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

shopt -s nullglob
for trace in "$dir"/*.jsonl; do
    want=$(head -n 1 "${trace%.jsonl}.err" 2>/dev/null)
    stderr=$("$mailsim" shot "$trace" --at 0 --out "$tmp/x.png" 2>&1 >/dev/null)
    status=$?
    got=$(printf '%s\n' "$stderr" | head -n 1)
    if [ -z "$want" ]; then
        echo "FAIL $trace: no ${trace%.jsonl}.err"
        failed=$((failed + 1))
    elif [ "$status" -ne 2 ]; then
        echo "FAIL $trace: exit status $status, expected 2"
        echo "     stderr: $got"
        failed=$((failed + 1))
    elif [ "$got" != "$want" ]; then
        echo "FAIL $trace: wrong error"
        echo "     got:  $got"
        echo "     want: $want"
        failed=$((failed + 1))
    elif [ -e "$tmp/x.png" ]; then
        echo "FAIL $trace: a picture was written"
        failed=$((failed + 1))
    else
        echo "ok   $trace"
        passed=$((passed + 1))
    fi
done

if [ $((passed + failed)) -eq 0 ]; then
    echo "bad_traces: no cases in $dir" >&2
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
