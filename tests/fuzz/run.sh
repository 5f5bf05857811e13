#!/usr/bin/env bash
# run.sh: build the libFuzzer harnesses (clang, ASan + UBSan) and fuzz each for a bounded time.
#
# Usage, from anywhere:  tests/fuzz/run.sh [SECONDS] [HARNESS...]
#   SECONDS   per fuzzer (default 60); the fuzzers run side by side, so this is also the wall time
#   HARNESS   scenario, trace and/or run (default: all three)
# Environment:
#   FUZZ_BUILD   build directory (default build-fuzz; configured with CC=clang)
#   FUZZ_CORPUS  keep the corpora here between runs (default: a temporary directory)
#   FUZZ_JOBS    how many fuzzers run at once (default: the number of cores)
#
# Seeds: scenarios/*.json and tests/data/bad/*.json for the scenario fuzzers; for the trace
# fuzzer, traces of every shipped scenario made now with `mailsim run --trace` (cut to their first
# 40 lines, and whole for the small ones) plus tests/data/bad-traces/; and the regression inputs
# in tests/data/fuzz-regress/. A crash, leak, timeout (10 s) or out-of-memory (2 GB) is saved
# under $FUZZ_BUILD/artifacts/ and fails the run; see tests/fuzz/README.md for what to do next.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(scenario trace run)
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}

if ! command -v clang >/dev/null; then
    echo "fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi

echo "== fuzz: building in $build =="
CC=clang cmake -S . -B "$build" -DMAILSIM_FUZZ=ON -DMAILSIM_SANITIZE=ON -DMAILSIM_PLAYER=OFF \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log"; exit 1; }
targets=(mailsim)
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" -j2 --target "${targets[@]}" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=${FUZZ_CORPUS:-$tmp/corpus}
artifacts=$build/artifacts
mkdir -p "$tmp/seed-scenario" "$tmp/seed-trace" "$artifacts"

echo "== fuzz: seeds =="
cp scenarios/*.json tests/data/bad/*.json "$tmp/seed-scenario/"
cp tests/data/fuzz-regress/scenario/* tests/data/fuzz-regress/run/* "$tmp/seed-scenario/" 2>/dev/null
for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    ASAN_OPTIONS=detect_leaks=0 "$build/sim/mailsim" run "$s" --quiet --trace "$tmp/$name.jsonl" ||
        { echo "fuzz: mailsim run $s failed" >&2; exit 1; }
    head -n 40 "$tmp/$name.jsonl" >"$tmp/seed-trace/$name-40.jsonl"
    if [ "$(wc -c <"$tmp/$name.jsonl")" -le 20000 ]; then
        cp "$tmp/$name.jsonl" "$tmp/seed-trace/$name.jsonl"
    fi
done
cp tests/data/bad-traces/*.jsonl tests/data/fuzz-regress/trace/* "$tmp/seed-trace/" 2>/dev/null
echo "scenario seeds: $(ls "$tmp/seed-scenario" | wc -l), trace seeds: $(ls "$tmp/seed-trace" | wc -l)"

# fuzz HARNESS: runs one fuzzer to its time limit; its log goes to $tmp/HARNESS.log.
fuzz() {
    local h=$1 seeds dict max_len
    case $h in
    scenario) seeds=$tmp/seed-scenario dict=tests/fuzz/scenario.dict max_len=16384 ;;
    run) seeds=$tmp/seed-scenario dict=tests/fuzz/scenario.dict max_len=16384 ;;
    trace) seeds=$tmp/seed-trace dict=tests/fuzz/trace.dict max_len=32768 ;;
    *) echo "fuzz: unknown harness $h" >&2; return 1 ;;
    esac
    mkdir -p "$corpus/$h"
    rm -f "$artifacts/$h-"*
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/tests/fuzz_$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$max_len" -dict="$dict" -print_final_stats=1 \
        -artifact_prefix="$artifacts/$h-" "$corpus/$h" "$seeds" >"$tmp/$h.log" 2>&1
}

echo "== fuzz: ${harnesses[*]} for ${seconds} s each, $jobs at a time =="
declare -A status
running=()
for h in "${harnesses[@]}"; do
    fuzz "$h" &
    running+=("$h:$!")
    if [ ${#running[@]} -ge "$jobs" ]; then
        entry=${running[0]}
        running=("${running[@]:1}")
        wait "${entry#*:}"
        status[${entry%%:*}]=$?
    fi
done
for entry in "${running[@]}"; do
    wait "${entry#*:}"
    status[${entry%%:*}]=$?
done

failed=0
passed=0
for h in "${harnesses[@]}"; do
    log=$tmp/$h.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ "${status[$h]}" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   fuzz_$h: ${execs:-?} execs in ${seconds} s (${speed:-?}/s), ${cov:-cov: ?}, corpus $(ls "$corpus/$h" | wc -l)"
    else
        failed=$((failed + 1))
        echo "FAIL fuzz_$h: exit status ${status[$h]} after ${execs:-?} execs; its log:"
        grep -v '^#[0-9]' "$log" | tail -n 80
        for a in "$artifacts/$h-"*; do
            [ -f "$a" ] || continue
            echo "---- $a (base64):"
            base64 "$a" | head -c 20000
            echo
        done
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
