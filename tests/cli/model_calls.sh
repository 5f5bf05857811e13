#!/usr/bin/env bash
# model_calls: no two files of sim/model call each other, directly or round a longer loop. The
# file-level "calls" relation (file A calls file B when an undefined symbol of A's object is defined
# in B's) must be acyclic, so each part of the model can be read, tested and replaced from the
# bottom up (docs/design/architecture.md). A part that must hand control back upwards does so
# through a handler (function pointer) it is given, which nm does not see as a call.
# Usage, from the repository root:  bash tests/cli/model_calls.sh /path/to/mailsim [--print]
# The model's objects are in the build tree next to the binary:
#   $(dirname mailsim)/CMakeFiles/mailsim_core.dir/model/*.o
set -u
. "$(dirname "$0")/lib.sh"

MAILSIM=${1:?usage: model_calls.sh /path/to/mailsim [--print]}
OBJDIR=$(dirname "$MAILSIM")/CMakeFiles/mailsim_core.dir/model
command -v nm >/dev/null || skip "no nm"
command -v tsort >/dev/null || skip "no tsort"

# file name of an object: sim.c.o (Makefiles, Ninja) or sim.o -> sim.c
src_of() { local b; b=$(basename "$1" .o); case "$b" in *.c) echo "$b" ;; *) echo "$b.c" ;; esac; }

# edges OBJ...: prints "caller callee" for every cross-file reference, once each.
edges() {
    local defs
    defs=$(mktemp)
    for o in "$@"; do
        nm --defined-only -g "$o" | awk -v f="$(src_of "$o")" 'NF == 3 { print $3, f }'
    done | sort -u >"$defs"
    for o in "$@"; do
        nm -u "$o" | awk '{ print $NF }' | sort -u |
            join - "$defs" | awk -v f="$(src_of "$o")" '$2 != f { print f, $2 }'
    done | sort -u
    rm -f "$defs"
}

# acyclic EDGES: true when the "a b" pairs on stdin form no cycle (of any length); tsort names
# the files on a cycle on stderr.
acyclic() { tsort >/dev/null 2>"$TMP/tsort.err" && ! grep -q loop "$TMP/tsort.err"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The detector itself: it must see a three-file loop (no file pair calls both ways) and pass a chain.
if ! printf 'a.c b.c\nb.c c.c\nc.c a.c\n' | acyclic; then
    ok "model_calls_should_detect_a_loop_of_three_files"
else
    bad "model_calls_should_detect_a_loop_of_three_files"
fi
if printf 'a.c b.c\nb.c c.c\na.c c.c\n' | acyclic; then
    ok "model_calls_should_accept_a_chain"
else
    bad "model_calls_should_accept_a_chain"
fi

# Only objects whose source is still in sim/model: a deleted file's object may linger in the
# build tree.
shopt -s nullglob
objs=()
for o in "$OBJDIR"/*.o; do
    [ -f "sim/model/$(src_of "$o")" ] && objs+=("$o")
done
if [ ${#objs[@]} -lt 2 ]; then
    bad "model_calls_should_find_the_model_objects (none in $OBJDIR)"
    finish
fi
edges "${objs[@]}" >"$TMP/edges"
if [ "${2:-}" = "--print" ]; then
    awk '{ out[$1] = out[$1] " " $2 } END { for (f in out) print f " ->" out[f] }' "$TMP/edges" | sort
fi
if [ -s "$TMP/edges" ]; then
    ok "model_calls_should_see_calls_between_files ($(wc -l <"$TMP/edges") edges)"
else
    bad "model_calls_should_see_calls_between_files (no edge among ${#objs[@]} objects)"
fi
if acyclic <"$TMP/edges"; then
    ok "model_calls_should_form_no_cycle"
else
    loop=$(grep -v 'input contains a loop' "$TMP/tsort.err" | sed 's/^tsort: //' | tr '\n' ' ')
    bad "model_calls_should_form_no_cycle (a loop through: $loop)"
fi
finish
