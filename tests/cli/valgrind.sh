#!/usr/bin/env bash
# valgrind: mailsim leaks nothing and makes no memory error under valgrind's memcheck, on every
# shipped scenario (`mailsim run --quiet`, and once more writing a trace and a summary), on `check`
# of all of them, on the fuzz regression scenarios, on a run stopped by the event limit, and on
# bad input (scenarios and traces refused with exit status 2).
#
# Skips (exit 77, which ctest reports as skipped, saying why) when valgrind is not installed, and
# on an AddressSanitizer build, which valgrind cannot run; CI installs valgrind and runs this in its
# plain builds.
#
# Usage, from the repository root:  bash tests/cli/valgrind.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/valgrind.sh /path/to/mailsim}

if ! command -v valgrind >/dev/null 2>&1; then
    skip "valgrind not installed"
fi
if ldd "$MAILSIM" 2>/dev/null | grep -q libasan || grep -aq __asan_init "$MAILSIM"; then
    skip "$MAILSIM is built with AddressSanitizer, which valgrind cannot run"
fi

make_tmp
n=0

# vg NAME WANTED_STATUS ARGS...: runs mailsim ARGS under memcheck; passes when the exit status is
# WANTED_STATUS (valgrind's own is 99 on any error or definite/indirect leak).
vg() {
    local name=$1 want=$2
    shift 2
    n=$((n + 1))
    local log=$TMP/vg$n.log
    valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$log" \
        "$MAILSIM" "$@" >"$TMP/out" 2>"$TMP/err"
    local status=$?
    if [ $status -eq "$want" ] && [ ! -s "$log" ]; then
        ok "$name"
    else
        bad "$name (exit $status, expected $want): mailsim $*"
        head -n 5 "$TMP/err" | sed 's/^/     stderr: /'
        head -n 60 "$log" | sed 's/^/     /'
    fi
}

for s in scenarios/*.json; do
    vg "valgrind_should_run_clean ($s)" 0 run --quiet "$s"
done
vg "valgrind_should_write_clean" 0 run scenarios/13-heavy-traffic.json --trace "$TMP/t.jsonl" \
    --summary "$TMP/s.json"
vg "valgrind_should_check_clean" 0 check scenarios/*.json
for s in tests/data/fuzz-regress/run/*.json; do
    vg "valgrind_should_run_fuzz_regressions_clean ($s)" 0 run --quiet "$s"
done
vg "valgrind_should_stop_at_the_event_limit_clean" 2 run --quiet --max-events 20000 \
    tests/data/limits/retry-storm.json
vg "valgrind_should_refuse_bad_scenarios_clean" 2 check tests/data/bad/*.json
for s in tests/data/fuzz-regress/scenario/*; do
    [ -f "$s" ] && vg "valgrind_should_refuse_fuzz_regressions_clean ($s)" 2 check "$s"
done
vg "valgrind_should_refuse_a_missing_file_clean" 2 check does-not-exist.json
if ! "$MAILSIM" shot tests/data/bad-traces/01-empty.jsonl --at 0 --out "$TMP/x.png" 2>&1 |
    grep -q "no SDL player"; then
    for t in tests/data/bad-traces/0[2-8]*.jsonl; do
        vg "valgrind_should_refuse_bad_traces_clean ($t)" 2 shot "$t" --at 0 --out "$TMP/x.png"
    done
fi

finish
