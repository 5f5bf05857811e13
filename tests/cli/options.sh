#!/usr/bin/env bash
# options: the command line refuses what it cannot take exactly, with a message that says what it
# takes, and explains itself when asked.
# - An empty file name is named ("": ...), not left out of the message.
# - --size takes WIDTHxHEIGHT in digits, 1 to 8192 each, and nothing after it: a number that
#   overflows an int is refused, not wrapped to 1.
# - An option given twice is refused instead of the last one silently winning.
# - A first word that is neither a command nor a file is an unknown command, with the commands,
#   how to open a file, and the usage; a typo of a command is pointed at the command.
# - COMMAND --help prints that command's usage on stdout and exits 0.
# Usage: bash tests/cli/options.sh /path/to/mailsim   (from the repository root)
set -u
MAILSIM=${1:?usage: options.sh /path/to/mailsim}
MAILSIM=$(cd "$(dirname "$MAILSIM")" && pwd)/$(basename "$MAILSIM") # some cases run elsewhere
. "$(dirname "$0")/lib.sh"
make_tmp
SCEN=scenarios/01-happy-path.json

# ---- empty file names ----
for cmd in run check shot; do
    extra=()
    [ $cmd = shot ] && extra=(--at 1 --out "$TMP/x.png")
    "$MAILSIM" $cmd "" "${extra[@]}" >/dev/null 2>"$TMP/err"
    expect_status "options_should_refuse_an_empty_file_name_in_$cmd" 2 $?
    expect_in "options_should_name_the_empty_file_in_$cmd" "$TMP/err" '"": cannot open the file: the file name is empty'
done
"$MAILSIM" run "$SCEN" --trace "" >/dev/null 2>"$TMP/err"
expect_status "options_should_refuse_an_empty_output_name" 2 $?
expect_in "options_should_name_the_empty_output" "$TMP/err" 'mailsim: --trace "": the file name is empty'

# ---- --size ----
for v in 4294967297x100 100x4294967297 100x100junk 0x100 8193x1 100x x100 +100x100 " 100x100" 100X100 -5x5 ""; do
    "$MAILSIM" shot "$SCEN" --at 1 --out "$TMP/s.png" --size "$v" >/dev/null 2>"$TMP/err"
    expect_status "options_should_refuse_size_'$v'" 2 $?
    expect_in "options_should_give_the_size_range_for_'$v'" "$TMP/err" \
        "--size takes WIDTHxHEIGHT (1 to 8192 each), not \"$v\""
done
[ ! -e "$TMP/s.png" ] && ok "options_should_draw_nothing_at_a_refused_size" || bad "options_should_draw_nothing_at_a_refused_size"

# ---- an option given twice ----
"$MAILSIM" run "$SCEN" --seed 1 --seed 2 >"$TMP/out" 2>"$TMP/err"
expect_status "options_should_refuse_a_seed_given_twice" 2 $?
expect_in "options_should_say_the_seed_was_given_twice" "$TMP/err" "mailsim: --seed given twice" "usage:"
[ ! -s "$TMP/out" ] && ok "options_should_run_nothing_with_a_repeated_option" || bad "options_should_run_nothing_with_a_repeated_option"
"$MAILSIM" run "$SCEN" --trace "$TMP/a.jsonl" --quiet --trace "$TMP/b.jsonl" 2>"$TMP/err"
expect_status "options_should_refuse_a_trace_given_twice" 2 $?
expect_in "options_should_say_the_trace_was_given_twice" "$TMP/err" "mailsim: --trace given twice"
[ ! -e "$TMP/a.jsonl" ] && [ ! -e "$TMP/b.jsonl" ] && ok "options_should_write_neither_trace" ||
    bad "options_should_write_neither_trace"
"$MAILSIM" run "$SCEN" --quiet --quiet 2>"$TMP/err"
expect_status "options_should_refuse_a_flag_given_twice" 2 $?
expect_in "options_should_say_the_flag_was_given_twice" "$TMP/err" "mailsim: --quiet given twice"

# ---- unknown commands ----
"$MAILSIM" fetch >"$TMP/out" 2>"$TMP/err"
expect_status "options_should_refuse_an_unknown_command" 2 $?
expect_in "options_should_say_the_command_is_unknown" "$TMP/err" 'mailsim: unknown command "fetch"' \
    "there is no file of that name" "The commands are run, check, replay, shot and chart" \
    "mailsim scenarios/01-happy-path.json" "usage: mailsim"
grep -q "cannot open the scenario" "$TMP/err" && bad "options_should_not_open_a_command_as_a_scenario" ||
    ok "options_should_not_open_a_command_as_a_scenario"
"$MAILSIM" chek "$SCEN" >/dev/null 2>"$TMP/err"
expect_status "options_should_refuse_a_mistyped_command" 2 $?
expect_in "options_should_point_a_typo_at_its_command" "$TMP/err" 'unknown command "chek" (did you mean "check"?)'
"$MAILSIM" replya x.jsonl >/dev/null 2>"$TMP/err"
expect_in "options_should_point_a_transposition_at_its_command" "$TMP/err" '(did you mean "replay"?)'

# A word that names an existing file is still that file, and a name with a dot or a slash is a
# file that could not be opened, not a command.
cp "$SCEN" "$TMP/lesson"
# (The player stops at the missing fonts, before any window.)
(cd "$TMP" && MAILSIM_ASSETS="$TMP/nowhere" SDL_VIDEODRIVER=dummy timeout 20 "$MAILSIM" lesson) >/dev/null 2>"$TMP/err"
grep -q "unknown command" "$TMP/err" && bad "options_should_open_a_file_named_like_a_word" ||
    ok "options_should_open_a_file_named_like_a_word"
"$MAILSIM" check fetch.json >/dev/null 2>"$TMP/err"
expect_in "options_should_treat_a_dotted_name_as_a_file" "$TMP/err" "fetch.json: cannot open"
MAILSIM_ASSETS="$TMP/nowhere" SDL_VIDEODRIVER=dummy timeout 20 "$MAILSIM" nosuch.json >/dev/null 2>"$TMP/err"
grep -q "unknown command" "$TMP/err" && bad "options_should_treat_a_dotted_first_word_as_a_file" ||
    ok "options_should_treat_a_dotted_first_word_as_a_file"

# ---- COMMAND --help ----
for cmd in run check replay shot; do
    "$MAILSIM" $cmd --help >"$TMP/out" 2>"$TMP/err"
    expect_status "options_should_print_help_for_$cmd" 0 $?
    expect_in "options_should_show_the_usage_of_$cmd" "$TMP/out" "usage: mailsim $cmd "
    [ ! -s "$TMP/err" ] && ok "options_should_print_help_for_${cmd}_on_stdout_only" ||
        bad "options_should_print_help_for_${cmd}_on_stdout_only ($(head -c 200 "$TMP/err"))"
done
expect_in "options_should_show_what_shot_does" "$TMP/out" "render one moment to a PNG" "--max-events N"
"$MAILSIM" shot "$SCEN" --at 1 -h >"$TMP/out" 2>&1
expect_status "options_should_take_-h_after_a_command" 0 $?
expect_in "options_should_show_shot_usage_for_-h" "$TMP/out" "usage: mailsim shot "
"$MAILSIM" run "$SCEN" --seed 3 --help >"$TMP/out" 2>&1
expect_status "options_should_print_help_after_other_options" 0 $?
grep -q "^RCPT\|→" "$TMP/out" && bad "options_should_not_run_when_help_is_asked" || ok "options_should_not_run_when_help_is_asked"
"$MAILSIM" "$SCEN" --help >"$TMP/out" 2>&1
expect_status "options_should_print_help_for_the_player" 0 $?
expect_in "options_should_show_the_whole_usage_for_the_player" "$TMP/out" "usage: mailsim [SCENARIO.json]" \
    "mailsim run" "COMMAND --help"

finish
