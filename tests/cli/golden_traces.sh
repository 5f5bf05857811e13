#!/usr/bin/env bash
# Every shipped scenario's trace (default seed) is byte-identical to its stored copy in
# tests/data/golden/. A change that means to change behaviour updates the copies in a commit of its
# own:  bash tests/cli/golden_traces.sh build/sim/mailsim --update
# Usage: bash tests/cli/golden_traces.sh /path/to/mailsim [--update]   (from the repository root)
set -u
MAILSIM=${1:?usage: golden_traces.sh /path/to/mailsim [--update]}
GOLDEN=tests/data/golden
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    if ! "$MAILSIM" run "$s" --quiet --trace "$TMP/$name.jsonl"; then
        fail=$((fail + 1)); echo "FAIL golden_should_run ($name)"; continue
    fi
    if [ "${2:-}" = "--update" ]; then
        cp "$TMP/$name.jsonl" "$GOLDEN/$name.jsonl"
    fi
    if [ ! -f "$GOLDEN/$name.jsonl" ]; then
        fail=$((fail + 1)); echo "FAIL golden_should_have_a_stored_trace ($GOLDEN/$name.jsonl is missing)"
    elif cmp -s "$GOLDEN/$name.jsonl" "$TMP/$name.jsonl"; then
        pass=$((pass + 1)); echo "ok   golden_should_match_the_stored_trace ($name)"
    else
        fail=$((fail + 1)); echo "FAIL golden_should_match_the_stored_trace ($name): first difference:"
        diff "$GOLDEN/$name.jsonl" "$TMP/$name.jsonl" | head -6
    fi
done
# A stored trace with no scenario left behind it would be checked by nobody.
for g in "$GOLDEN"/*.jsonl; do
    [ -f "scenarios/$(basename "$g" .jsonl).json" ] && continue
    fail=$((fail + 1)); echo "FAIL golden_should_belong_to_a_shipped_scenario ($g)"
done
echo "$pass passed, $fail failed"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
