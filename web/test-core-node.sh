#!/usr/bin/env bash
# test-core-node: the WebAssembly build of mailsim's core (web/build.sh) behaves byte for byte as
# the native one. Under node it runs every shipped scenario and compares the trace with
# tests/data/golden/ (the native traces at the default seed). Given the native binary too, it also
# compares, for other seeds, the trace, the narrated log, the summary and the exit status; the
# output and status of `check` over all scenarios; and the error message and status for every bad
# scenario in tests/data/bad/. (The trace reader is reached only through replay and shot, which
# need the player.) Prints "N passed, M failed"; exits 0 only when something was checked and
# nothing differed.
#
# Usage: bash web/test-core-node.sh BUILD_DIR/sim/mailsim.js [NATIVE_MAILSIM]   (repository root)
set -u
WASM_JS=${1:?usage: test-core-node.sh path/to/mailsim.js [path/to/native/mailsim]}
NATIVE=${2:-}
SEEDS="1 7 123456789"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# Emscripten 3.1.6 output reads its .wasm with fetch() whenever fetch exists; node 18 and later
# have it and cannot fetch a file path. web/build.sh's pre-js hides it, the flag is a second guard.
NODE_FLAGS=()
if node --no-experimental-fetch -e 0 2>/dev/null; then
    NODE_FLAGS=(--no-experimental-fetch)
fi
wasm() { node "${NODE_FLAGS[@]}" "$WASM_JS" "$@"; }

# same NAME A B: files A and B are byte-identical.
same() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        bad "$1: first difference (native <, wasm >):"
        diff "$2" "$3" | head -6
    fi
}

# both NAME ARGS...: native and wasm give the same stdout, stderr and exit status.
both() {
    local name=$1
    shift
    "$NATIVE" "$@" > "$TMP/n.out" 2> "$TMP/n.err"
    echo "exit $?" >> "$TMP/n.err"
    wasm "$@" > "$TMP/w.out" 2> "$TMP/w.err"
    echo "exit $?" >> "$TMP/w.err"
    cat "$TMP/n.out" "$TMP/n.err" > "$TMP/n.all"
    cat "$TMP/w.out" "$TMP/w.err" > "$TMP/w.all"
    same "$name" "$TMP/n.all" "$TMP/w.all"
}

if [ ! -f "$WASM_JS" ]; then
    echo "no $WASM_JS: build it with bash web/build.sh"
    echo "0 passed, 1 failed"
    exit 1
fi

# Files are made with the mode a native program gives them (the process's umask).
if [ -n "$NATIVE" ]; then
    "$NATIVE" run scenarios/01-happy-path.json --quiet --trace "$TMP/mode-n.jsonl"
    wasm run scenarios/01-happy-path.json --quiet --trace "$TMP/mode-w.jsonl"
    native_mode=$(stat -c %a "$TMP/mode-n.jsonl" 2>/dev/null)
    wasm_mode=$(stat -c %a "$TMP/mode-w.jsonl" 2>/dev/null)
    if [ -n "$native_mode" ] && [ "$native_mode" = "$wasm_mode" ]; then
        ok "wasm_should_make_files_with_the_native_mode ($native_mode)"
    else
        bad "wasm_should_make_files_with_the_native_mode (native ${native_mode:-none}, wasm ${wasm_mode:-none})"
    fi
fi

for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    if ! wasm run "$s" --quiet --trace "$TMP/$name.jsonl"; then
        bad "wasm_should_run ($name)"
        continue
    fi
    same "wasm_should_match_the_golden_trace ($name)" "tests/data/golden/$name.jsonl" \
        "$TMP/$name.jsonl"
    [ -n "$NATIVE" ] || continue
    for seed in $SEEDS; do
        "$NATIVE" run "$s" --seed "$seed" --trace "$TMP/n.jsonl" --summary "$TMP/n.sum" \
            > "$TMP/n.log" 2>&1
        echo "exit $?" >> "$TMP/n.log"
        wasm run "$s" --seed "$seed" --trace "$TMP/w.jsonl" --summary "$TMP/w.sum" \
            > "$TMP/w.log" 2>&1
        echo "exit $?" >> "$TMP/w.log"
        same "wasm_should_trace_as_native ($name, seed $seed)" "$TMP/n.jsonl" "$TMP/w.jsonl"
        same "wasm_should_narrate_as_native ($name, seed $seed)" "$TMP/n.log" "$TMP/w.log"
        same "wasm_should_summarize_as_native ($name, seed $seed)" "$TMP/n.sum" "$TMP/w.sum"
    done
done

if [ -n "$NATIVE" ]; then
    both "wasm_should_check_as_native (scenarios/*.json)" check scenarios/*.json
    for f in tests/data/bad/*.json; do
        both "wasm_should_refuse_as_native ($(basename "$f"))" run "$f" --quiet
    done
fi

echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
