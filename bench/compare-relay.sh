#!/usr/bin/env bash
# compare-relay.sh: what the sending server's connection cache and PIPELINING save, measured in
# one run of the script on one build.
#
#   bench/compare-relay.sh [RECIPIENTS]...        default: 1000000
#
# Builds bench_model in a Release build dir (build-rel/, -DMAILSIM_PLAYER=OFF), then for each
# RECIPIENTS runs it three ways back to back — neither (--no-conncache --no-pipelining), the
# connection cache only (--no-pipelining), and the cache with PIPELINING (the default, as in
# Postfix) — under /usr/bin/time, and prints engine events per recipient, wall time and peak RSS
# for each, and the outcome counts (the three must settle the same mail the same way, except for
# what timing changes: greylisting and the overloaded server's queue).
#
# Environment: BUILD_DIR (default build-rel).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

build=${BUILD_DIR:-build-rel}
if [ $# -eq 0 ]; then
    set -- 1000000
fi
if [ ! -x /usr/bin/time ]; then
    echo "compare-relay: /usr/bin/time is needed (Debian: apt-get install time)" >&2
    exit 2
fi

mkdir -p "$build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMAILSIM_PLAYER=OFF >"$build/cmake.log" 2>&1
cmake --build "$build" -j2 --target bench_model >>"$build/cmake.log" 2>&1
bin="$build/bench/bench_model"
echo "bench_model: CMake Release build in $build/ ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"

modes=("neither|--no-conncache --no-pipelining" "cache only|--no-pipelining" "cache+pipelining|")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

printf '\n%10s  %-17s %12s %10s %10s %11s  %s\n' recipients mode "events/rcpt" events wall maxrss outcome
for n in "$@"; do
    for mode in "${modes[@]}"; do
        name=${mode%%|*} flags=${mode#*|}
        # shellcheck disable=SC2086 # flags is a list of options
        /usr/bin/time -f "wall=%e s maxrss=%M kB" -o "$tmp.time" "$bin" "$n" $flags >"$tmp"
        per=$(sed -n 's/^events_per_recipient=//p' "$tmp")
        events=$(sed -n 's/^engine_events=\([0-9]*\).*/\1/p' "$tmp")
        outcome=$(sed -n 's/^engine_events=[0-9]* //p' "$tmp")
        wall=$(sed -n 's/^wall=\([0-9.]*\) s.*/\1/p' "$tmp.time")
        rss=$(sed -n 's/.*maxrss=\([0-9]*\) kB.*/\1/p' "$tmp.time")
        printf '%10s  %-17s %12s %10s %9ss %8d MB  %s\n' "$n" "$name" "$per" "$events" "$wall" \
            $((rss / 1024)) "$outcome"
    done
    rm -f "$tmp.time"
done
