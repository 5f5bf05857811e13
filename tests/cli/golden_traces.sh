#!/usr/bin/env bash
# golden_traces: every shipped scenario's trace (default seed) is byte-identical to its stored copy
# in tests/data/golden/. A change that means to change behaviour updates the copies in a commit of
# its own:  bash tests/cli/golden_traces.sh build/sim/mailsim --update
# Usage: bash tests/cli/golden_traces.sh /path/to/mailsim [--update]   (from the repository root)
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: golden_traces.sh /path/to/mailsim [--update]}
GOLDEN=tests/data/golden
make_tmp

for s in scenarios/*.json; do
    name=$(basename "$s" .json)
    if ! "$MAILSIM" run "$s" --quiet --trace "$TMP/$name.jsonl"; then
        bad "golden_should_run ($name)"
        continue
    fi
    if [ "${2:-}" = "--update" ]; then
        cp "$TMP/$name.jsonl" "$GOLDEN/$name.jsonl"
    fi
    if [ ! -f "$GOLDEN/$name.jsonl" ]; then
        bad "golden_should_have_a_stored_trace ($GOLDEN/$name.jsonl is missing)"
    elif cmp -s "$GOLDEN/$name.jsonl" "$TMP/$name.jsonl"; then
        ok "golden_should_match_the_stored_trace ($name)"
    else
        bad "golden_should_match_the_stored_trace ($name): first difference:"
        diff "$GOLDEN/$name.jsonl" "$TMP/$name.jsonl" | head -6
    fi
done
# A stored trace with no scenario left behind it would be checked by nobody.
for g in "$GOLDEN"/*.jsonl; do
    [ -f "scenarios/$(basename "$g" .jsonl).json" ] && continue
    bad "golden_should_belong_to_a_shipped_scenario ($g)"
done
finish
