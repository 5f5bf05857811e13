#!/usr/bin/env bash
# compare-engine.sh: the engine's speed as a ratio of a bare 4-ary heap's (bench/heapref.c).
#
#   bench/compare-engine.sh [PENDING EVENTS]...     default: 10000 5000000  1000000 5000000
#
# Builds heapref and bench_engine with the project's CMake in a Release build dir (build-bench/,
# with CMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG, so both are compiled alike), then, for each
# PENDING/EVENTS pair, runs the two programs alternately ROUNDS times and keeps each one's best run
# (the best is the least disturbed by other work on the machine). Both run the same hold model with
# the same random stream and must print the same `check`; the script stops if they do not.
#
# Environment: HEAPREF (another heap reference source to compare against; default
#              bench/heapref.c), CC (default cc), ROUNDS (default 3), BUILD_DIR (default build-bench).
# When the CMake build fails (a dependency missing), both programs are compiled directly from
# their sources with the same flags, and the script says so.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

heapref_src=${HEAPREF:-bench/heapref.c}
cc=${CC:-cc}
rounds=${ROUNDS:-3}
build=${BUILD_DIR:-build-bench}
opt_flags="-O2 -DNDEBUG"

if [ $# -eq 0 ]; then
    set -- 10000 5000000 1000000 5000000
fi
if [ $(($# % 2)) -ne 0 ]; then
    echo "usage: $0 [PENDING EVENTS]..." >&2
    exit 2
fi
if [ ! -f "$heapref_src" ]; then
    echo "compare-engine: heapref source not found: $heapref_src (set HEAPREF)" >&2
    exit 2
fi

mkdir -p "$build"
ref_bin="$build/bench/heapref"
engine_bin="$build/bench/bench_engine"
if [ "$heapref_src" = bench/heapref.c ] &&
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="$opt_flags" \
        -DCMAKE_C_COMPILER="$cc" -DMAILSIM_PLAYER=OFF >"$build/cmake.log" 2>&1 &&
    cmake --build "$build" --target heapref bench_engine >>"$build/cmake.log" 2>&1; then
    echo "heapref, bench_engine: CMake Release build ($opt_flags) in $build/"
else
    ref_bin="$build/heapref_direct"
    engine_bin="$build/bench_engine_direct"
    # shellcheck disable=SC2086 # opt_flags is a list of flags
    "$cc" -std=c11 $opt_flags -Wall -Wextra -Wpedantic "$heapref_src" -o "$ref_bin" -lm
    # shellcheck disable=SC2086
    "$cc" -std=c11 $opt_flags -Wall -Wextra -Wpedantic -I sim sim/util/xalloc.c \
        sim/engine/engine.c sim/engine/rng.c bench/bench_engine.c -o "$engine_bin" -lm
    echo "heapref ($heapref_src), bench_engine: compiled directly ($opt_flags)" \
        "(CMake not used or failed; see $build/cmake.log)"
fi

# run_one BINARY PENDING EVENTS -> prints "events_per_s check"
run_one() {
    local out
    out=$("$1" "$2" "$3")
    local rate check
    rate=$(printf '%s\n' "$out" | tail -n 1 | sed -n 's/^events_per_s=//p')
    check=$(printf '%s\n' "$out" | sed -n 's/.* check=\([0-9]*\).*/\1/p')
    if [ -z "$rate" ] || [ -z "$check" ]; then
        echo "compare-engine: unexpected output from $1:" >&2
        printf '%s\n' "$out" >&2
        exit 1
    fi
    echo "$rate $check"
}

max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }

rows=()
while [ $# -gt 0 ]; do
    pending=$1 events=$2
    shift 2
    best_ref=0 best_eng=0
    for ((r = 1; r <= rounds; r++)); do
        read -r ref_rate ref_check < <(run_one "$ref_bin" "$pending" "$events")
        read -r eng_rate eng_check < <(run_one "$engine_bin" "$pending" "$events")
        if [ "$ref_check" != "$eng_check" ]; then
            echo "compare-engine: workloads differ at pending=$pending:" \
                "heapref check=$ref_check, bench_engine check=$eng_check" >&2
            exit 1
        fi
        echo "  pending=$pending round $r: heapref $ref_rate/s, engine $eng_rate/s" >&2
        best_ref=$(max "$best_ref" "$ref_rate")
        best_eng=$(max "$best_eng" "$eng_rate")
    done
    rows+=("$pending $events $best_ref $best_eng")
done

echo
printf '%10s %10s %16s %16s %7s\n' pending events "heapref ev/s" "engine ev/s" ratio
for row in "${rows[@]}"; do
    read -r pending events ref eng <<<"$row"
    awk -v p="$pending" -v e="$events" -v r="$ref" -v g="$eng" \
        'BEGIN { printf "%10d %10d %16.0f %16.0f %7.2f\n", p, e, r, g, g / r }'
done
echo "(best of $rounds alternating runs each; ratio = engine / heapref)"
