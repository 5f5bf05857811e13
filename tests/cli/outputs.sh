#!/usr/bin/env bash
# outputs: what mailsim writes never destroys a file and is never lost unnoticed.
# - An output naming the input (through any spelling, a symlink or a hard link) or another output
#   is refused with exit 2 and a message naming the file, before anything is written.
# - The temporary file is never a fixed name that a planted symlink could redirect.
# - A FIFO or a character device given as output is written directly and stays what it is.
# - A write that fails (a file-size limit, a full device) gives exit 2 and a message with the
#   reason naming the real target; the old file stays as it was and no temporary file is left.
# - Standard output that cannot be written (/dev/full) is an error, not a silent exit 0.
# Usage: bash tests/cli/outputs.sh /path/to/mailsim   (from the repository root)
set -u
MAILSIM=${1:?usage: outputs.sh /path/to/mailsim}
MAILSIM=$(cd "$(dirname "$MAILSIM")" && pwd)/$(basename "$MAILSIM") # some cases run elsewhere
. "$(dirname "$0")/lib.sh"
make_tmp
SCEN=scenarios/01-happy-path.json

# Only the given names are in $TMP/w: no temporary file left behind.
only_these() { # name file...
    local name=$1
    shift
    local want got
    want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    got=$(ls -A "$TMP/w" | sort | tr '\n' ' ')
    if [ "$want" = "$got" ]; then ok "$name"; else bad "$name (left: $got)"; fi
}
fresh() { rm -rf "$TMP/w" && mkdir "$TMP/w" && cp "$SCEN" "$TMP/w/s.json"; }

"$MAILSIM" run "$SCEN" --quiet --trace "$TMP/ref.jsonl" --summary "$TMP/ref.json"

# ---- an output that is an input or another output ----
for opt in --trace --summary; do
    fresh
    "$MAILSIM" run "$TMP/w/s.json" --quiet $opt "$TMP/w/s.json" 2>"$TMP/err"
    expect_status "outputs_should_refuse_${opt#--}_over_its_scenario" 2 $?
    expect_in "outputs_should_name_the_scenario_${opt#--}_would_overwrite" "$TMP/err" \
        "$opt $TMP/w/s.json would overwrite the input file $TMP/w/s.json"
    cmp -s "$SCEN" "$TMP/w/s.json" && ok "outputs_should_leave_the_scenario_as_it_was_${opt#--}" ||
        bad "outputs_should_leave_the_scenario_as_it_was_${opt#--}"
done

fresh
ln "$TMP/w/s.json" "$TMP/w/hard.json"
ln -s s.json "$TMP/w/soft.json"
for other in hard.json soft.json ./s.json; do
    (cd "$TMP/w" && "$MAILSIM" run s.json --quiet --trace "$other") 2>"$TMP/err"
    expect_status "outputs_should_refuse_the_scenario_as_$other" 2 $?
    expect_in "outputs_should_name_the_scenario_as_$other" "$TMP/err" "would overwrite the input file s.json"
done
cmp -s "$SCEN" "$TMP/w/s.json" && ok "outputs_should_leave_the_linked_scenario_as_it_was" ||
    bad "outputs_should_leave_the_linked_scenario_as_it_was"

fresh
"$MAILSIM" run "$TMP/w/s.json" --quiet --trace "$TMP/w/x.json" --summary "$TMP/w/x.json" 2>"$TMP/err"
expect_status "outputs_should_refuse_trace_and_summary_to_one_file" 2 $?
expect_in "outputs_should_name_the_file_both_outputs_name" "$TMP/err" \
    "--trace and --summary both name $TMP/w/x.json"
only_these "outputs_should_write_nothing_when_both_outputs_name_one_file" s.json
(cd "$TMP/w" && "$MAILSIM" run s.json --quiet --trace x.json --summary ./x.json) 2>"$TMP/err"
expect_status "outputs_should_refuse_one_file_spelt_two_ways" 2 $?

# Two outputs to stdout, or to /dev/null, lose nothing and stay allowed.
"$MAILSIM" run "$SCEN" --trace - --summary - >"$TMP/both" 2>"$TMP/err"
expect_status "outputs_should_allow_trace_and_summary_both_on_stdout" 0 $?
[ "$(cat "$TMP/ref.jsonl" "$TMP/ref.json" | wc -c)" -eq "$(wc -c <"$TMP/both")" ] &&
    ok "outputs_should_write_both_to_stdout" || bad "outputs_should_write_both_to_stdout"

# ---- the temporary file ----
fresh
echo precious >"$TMP/w/victim"
ln -s victim "$TMP/w/t.jsonl.tmp"
"$MAILSIM" run "$SCEN" --quiet --trace "$TMP/w/t.jsonl" 2>"$TMP/err"
expect_status "outputs_should_write_beside_a_planted_tmp_symlink" 0 $?
[ "$(cat "$TMP/w/victim")" = precious ] && ok "outputs_should_not_follow_a_planted_tmp_symlink" ||
    bad "outputs_should_not_follow_a_planted_tmp_symlink ($(head -c 60 "$TMP/w/victim"))"
cmp -s "$TMP/w/t.jsonl" "$TMP/ref.jsonl" && [ ! -L "$TMP/w/t.jsonl" ] &&
    ok "outputs_should_write_the_trace_itself_past_the_symlink" || bad "outputs_should_write_the_trace_itself_past_the_symlink"
only_these "outputs_should_leave_the_planted_symlink_and_nothing_else" s.json victim t.jsonl t.jsonl.tmp

# An existing trace keeps its permission bits.
fresh
"$MAILSIM" run "$SCEN" --quiet --trace "$TMP/w/t.jsonl"
chmod 600 "$TMP/w/t.jsonl"
"$MAILSIM" run "$SCEN" --quiet --trace "$TMP/w/t.jsonl"
[ "$(stat -c %a "$TMP/w/t.jsonl")" = 600 ] && ok "outputs_should_keep_the_mode_of_a_replaced_trace" ||
    bad "outputs_should_keep_the_mode_of_a_replaced_trace ($(stat -c %a "$TMP/w/t.jsonl"))"

# ---- FIFOs and devices are written directly ----
fresh
mkfifo "$TMP/w/pipe"
timeout 20 cat "$TMP/w/pipe" >"$TMP/piped" &
reader=$!
timeout 20 "$MAILSIM" run "$SCEN" --quiet --trace "$TMP/w/pipe" 2>"$TMP/err"
expect_status "outputs_should_write_a_trace_into_a_fifo" 0 $?
wait $reader
[ -p "$TMP/w/pipe" ] && ok "outputs_should_leave_a_fifo_a_fifo" || bad "outputs_should_leave_a_fifo_a_fifo"
cmp -s "$TMP/piped" "$TMP/ref.jsonl" && ok "outputs_should_send_the_whole_trace_through_the_fifo" ||
    bad "outputs_should_send_the_whole_trace_through_the_fifo"
only_these "outputs_should_leave_no_temporary_file_beside_a_fifo" s.json pipe

# Devices made here when we may (root: a regression then replaces only this copy), else the
# system's, which an unprivileged run cannot replace; none as root when mknod is not allowed.
device() { # name minor: prints the device's path, or nothing
    if [ "$(id -u)" -ne 0 ]; then
        echo "/dev/$1"
    elif mknod "$TMP/$1" c 1 "$2" 2>/dev/null && : >>"$TMP/$1" 2>/dev/null; then
        echo "$TMP/$1" # it opens: the file system allows devices
    fi
}
NULLDEV=$(device null 3)
FULLDEV=$(device full 7)
if [ -n "$NULLDEV" ]; then
    "$MAILSIM" run "$SCEN" --quiet --trace "$NULLDEV" --summary "$NULLDEV" 2>"$TMP/err"
    expect_status "outputs_should_write_trace_and_summary_to_a_null_device" 0 $?
    [ -c "$NULLDEV" ] && ok "outputs_should_leave_a_character_device_a_device" ||
        bad "outputs_should_leave_a_character_device_a_device"
    [ -z "$(ls "$NULLDEV".tmp* 2>/dev/null)" ] && ok "outputs_should_leave_no_temporary_file_beside_a_device" ||
        bad "outputs_should_leave_no_temporary_file_beside_a_device"
fi

# ---- failed writes ----
# Past a file-size limit: exit 2, the reason, the old file untouched, no temporary file. (Before,
# SIGXFSZ killed mailsim and left the temporary file.)
fresh
echo old >"$TMP/w/t.jsonl"
(ulimit -f 4 && "$MAILSIM" run "$TMP/w/s.json" --quiet --trace "$TMP/w/t.jsonl") 2>"$TMP/err"
expect_status "outputs_should_exit_2_when_the_trace_passes_the_file_size_limit" 2 $?
expect_in "outputs_should_say_why_the_trace_was_not_written" "$TMP/err" \
    "mailsim: cannot write $TMP/w/t.jsonl: File too large"
[ "$(cat "$TMP/w/t.jsonl")" = old ] && ok "outputs_should_keep_the_old_trace_past_the_limit" ||
    bad "outputs_should_keep_the_old_trace_past_the_limit"
only_these "outputs_should_leave_no_temporary_trace_past_the_limit" s.json t.jsonl

# Standard output on a full device: the narrated log, check's lines, --trace -, --summary -.
"$MAILSIM" run "$SCEN" >/dev/full 2>"$TMP/err"
expect_status "outputs_should_exit_2_when_the_log_cannot_be_written" 2 $?
expect_in "outputs_should_say_the_log_was_lost" "$TMP/err" \
    "mailsim: cannot write to standard output: No space left on device"
"$MAILSIM" check "$SCEN" >/dev/full 2>"$TMP/err"
expect_status "outputs_should_exit_2_when_check_cannot_report" 2 $?
expect_in "outputs_should_say_check_output_was_lost" "$TMP/err" "cannot write to standard output: No space left on device"
for opt in --trace --summary; do
    "$MAILSIM" run "$SCEN" $opt - >/dev/full 2>"$TMP/err"
    expect_status "outputs_should_exit_2_when_${opt#--}_to_stdout_fails" 2 $?
    expect_in "outputs_should_say_why_${opt#--}_to_stdout_failed" "$TMP/err" \
        "mailsim: cannot write to standard output: No space left on device"
    [ "$(grep -c 'cannot write' "$TMP/err")" -eq 1 ] && ok "outputs_should_say_it_once_for_${opt#--}" ||
        bad "outputs_should_say_it_once_for_${opt#--}"
done
"$MAILSIM" --help >/dev/full 2>"$TMP/err"
expect_status "outputs_should_exit_2_when_help_cannot_be_written" 2 $?
# An unmet expectation (1) whose report is lost is still a failure, and the worse one.
sed 's/"status": "delivered", "folder": "inbox"/"status": "bounced", "folder": "junk"/' "$SCEN" >"$TMP/unmet.json"
"$MAILSIM" check "$TMP/unmet.json" >/dev/full 2>/dev/null
expect_status "outputs_should_exit_2_when_an_unmet_report_is_lost" 2 $?

# ---- the shot PNG ----
fresh
"$MAILSIM" shot "$TMP/w/s.json" --at 2 --out "$TMP/w/a.png" 2>"$TMP/err"
if [ $? -ne 0 ] && grep -q "no SDL player" "$TMP/err"; then
    echo "(no player in this build: shot cases not run)"
    finish
fi
cp "$TMP/w/a.png" "$TMP/a.orig"
(ulimit -f 8 && "$MAILSIM" shot "$TMP/w/s.json" --at 2.5 --out "$TMP/w/a.png") 2>"$TMP/err"
expect_status "shot_should_exit_2_past_the_file_size_limit" 2 $?
expect_in "shot_should_name_the_png_and_the_reason" "$TMP/err" "$TMP/w/a.png: cannot write the PNG: File too large"
grep -q '\.tmp' "$TMP/err" && bad "shot_should_not_name_the_temporary_file" || ok "shot_should_not_name_the_temporary_file"
cmp -s "$TMP/w/a.png" "$TMP/a.orig" && ok "shot_should_keep_the_old_png_past_the_limit" ||
    bad "shot_should_keep_the_old_png_past_the_limit"
only_these "shot_should_leave_no_temporary_png" s.json a.png

if [ -n "$FULLDEV" ]; then
    "$MAILSIM" shot "$TMP/w/s.json" --at 2 --out "$FULLDEV" 2>"$TMP/err"
    expect_status "shot_should_exit_2_on_a_full_device" 2 $?
    expect_in "shot_should_say_the_device_is_full" "$TMP/err" "$FULLDEV: cannot write the PNG: No space left on device"
    [ -c "$FULLDEV" ] && ok "shot_should_leave_a_full_device_a_device" || bad "shot_should_leave_a_full_device_a_device"
fi

"$MAILSIM" shot "$TMP/w/a.png" --at 2 --out "$TMP/w/a.png" 2>"$TMP/err"
expect_status "shot_should_refuse_an_out_that_is_its_input" 2 $?
"$MAILSIM" run "$TMP/w/s.json" --quiet --trace "$TMP/w/t.jsonl"
"$MAILSIM" shot "$TMP/w/t.jsonl" --at 2 --out "$TMP/w/t.jsonl" 2>"$TMP/err"
expect_status "shot_should_refuse_to_draw_over_its_trace" 2 $?
expect_in "shot_should_name_the_trace_it_would_overwrite" "$TMP/err" \
    "--out $TMP/w/t.jsonl would overwrite the input file $TMP/w/t.jsonl"
head -1 "$TMP/w/t.jsonl" | grep -q '"format":"mailsim-trace"' && ok "shot_should_leave_the_trace_a_trace" ||
    bad "shot_should_leave_the_trace_a_trace"

if [ -n "$NULLDEV" ]; then
    "$MAILSIM" shot "$TMP/w/s.json" --at 2 --out "$NULLDEV" 2>"$TMP/err"
    expect_status "shot_should_draw_into_a_null_device" 0 $?
    [ -c "$NULLDEV" ] && ok "shot_should_leave_a_character_device_a_device" ||
        bad "shot_should_leave_a_character_device_a_device"
fi

finish
