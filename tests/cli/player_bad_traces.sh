#!/usr/bin/env bash
# player_bad_traces: every broken trace in tests/data/bad-traces/ must be refused by mailsim with exit
# status 2 and, as the first line of stderr, exactly the line in its .err twin. The reader is
# reached without a window through `mailsim shot TRACE.jsonl`, which reads the trace before it
# starts SDL (`mailsim replay` prints the same line, after opening the player's window). Only
# player builds have a command that reads a trace, so only they register this script.
# tests/core/test_trace_bad.c checks the same files against the reader itself, in every build.
#
# Usage, from the repository root:  bash tests/cli/player_bad_traces.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
mailsim=${1:?usage: bash tests/cli/player_bad_traces.sh /path/to/mailsim}
dir=tests/data/bad-traces
make_tmp

shopt -s nullglob
for trace in "$dir"/*.jsonl; do
    want=$(head -n 1 "${trace%.jsonl}.err" 2>/dev/null)
    "$mailsim" shot "$trace" --at 0 --out "$TMP/x.png" >/dev/null 2>"$TMP/err"
    status=$?
    if [ -z "$want" ]; then
        bad "$trace: no ${trace%.jsonl}.err"
    elif [ -e "$TMP/x.png" ]; then
        bad "$trace: a picture was written"
    else
        expect_refusal "$trace" "$want" $status "$TMP/err"
    fi
done
finish
