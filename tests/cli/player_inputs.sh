#!/usr/bin/env bash
# player_inputs: the player's inputs from the command line: fonts that are missing or not fonts, a
# MAILSIM_ASSETS that points nowhere, a trace offered alongside a scenario, traces saved under
# another name, traces with no events or one node. Each gives exit 2 and a message naming the
# file and what is expected, with nothing written — or, for the odd traces, a picture.
# Usage: bash tests/cli/player_inputs.sh /path/to/mailsim   (from the repository root)
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: player_inputs.sh /path/to/mailsim}
make_tmp
nothing_written() { # name
    if [ -z "$(ls "$TMP/out" 2>/dev/null)" ]; then ok "$1"; else bad "$1 ($(ls "$TMP/out"))"; fi
}
mkdir -p "$TMP/out"
SCEN=scenarios/03-unknown-user.json

# A MAILSIM_ASSETS that holds no fonts is an error naming it, not a silent fallback.
MAILSIM_ASSETS="$TMP/nowhere" "$MAILSIM" shot $SCEN --at 2.4 --out "$TMP/out/a.png" 2>"$TMP/err"
expect_status "player_should_exit_2_when_mailsim_assets_has_no_fonts" 2 $?
expect_in "player_should_name_mailsim_assets_and_the_font_it_lacks" "$TMP/err" \
    "$TMP/nowhere" "MAILSIM_ASSETS" "fonts/DejaVuSans.ttf"
nothing_written "player_should_write_no_png_without_fonts"

# Each font in turn replaced by garbage, then cut short: the file is named, nothing is written.
for face in DejaVuSans.ttf DejaVuSans-Bold.ttf DejaVuSansMono.ttf; do
    for how in garbage truncated; do
        rm -rf "$TMP/assets"
        mkdir -p "$TMP/assets/fonts"
        cp assets/fonts/*.ttf "$TMP/assets/fonts/"
        if [ $how = garbage ]; then
            echo "this is not a font" >"$TMP/assets/fonts/$face"
        else
            head -c 4096 "assets/fonts/$face" >"$TMP/assets/fonts/$face"
        fi
        MAILSIM_ASSETS="$TMP/assets" "$MAILSIM" shot $SCEN --at 2.4 --out "$TMP/out/f.png" 2>"$TMP/err"
        expect_status "player_should_exit_2_on_a_${how}_$face" 2 $?
        expect_in "player_should_name_the_${how}_$face" "$TMP/err" \
            "$TMP/assets/fonts/$face" "cannot load the font" "MAILSIM_ASSETS"
        nothing_written "player_should_write_nothing_with_a_${how}_$face"
    done
done

# The interactive player stops at the same point, before it opens a window.
MAILSIM_ASSETS="$TMP/nowhere" SDL_VIDEODRIVER=dummy "$MAILSIM" $SCEN 2>"$TMP/err"
expect_status "player_window_should_exit_2_without_fonts" 2 $?
expect_in "player_window_should_say_why" "$TMP/err" "mailsim: $TMP/nowhere" "MAILSIM_ASSETS"

# A trace is self-contained (its header lists the nodes and links), so it is never combined with
# a scenario: --trace next to a scenario is refused, not silently ignored.
"$MAILSIM" run $SCEN --quiet --trace "$TMP/t.jsonl"
"$MAILSIM" scenarios/01-happy-path.json --trace "$TMP/t.jsonl" >/dev/null 2>"$TMP/err"
expect_status "player_should_refuse_a_trace_next_to_a_scenario" 2 $?
expect_in "player_should_say_that_a_trace_plays_on_its_own" "$TMP/err" \
    "--trace is where \`mailsim run\` writes a trace" "mailsim replay TRACE.jsonl"
"$MAILSIM" shot scenarios/01-happy-path.json --trace "$TMP/t.jsonl" --at 1 --out "$TMP/out/x.png" 2>"$TMP/err"
expect_status "shot_should_refuse_a_trace_next_to_a_scenario" 2 $?
nothing_written "shot_should_write_nothing_when_refused"
"$MAILSIM" replay "$TMP/t.jsonl" --seed 4 2>"$TMP/err"
expect_status "replay_should_refuse_an_option_it_does_not_take" 2 $?
expect_in "replay_should_name_the_option" "$TMP/err" "replay does not take --seed"

# A trace under another name is still read as a trace (it used to fail as a broken scenario).
cp "$TMP/t.jsonl" "$TMP/t.trace"
"$MAILSIM" shot "$TMP/t.trace" --at 2.4 --out "$TMP/renamed.png" 2>"$TMP/err"
expect_status "shot_should_read_a_trace_whatever_its_name" 0 $?
[ -s "$TMP/renamed.png" ] && ok "shot_should_draw_a_renamed_trace" || bad "shot_should_draw_a_renamed_trace"

# Traces with no events, one node, no nodes: a picture, not a crash; tiny and huge sizes too.
head -1 "$TMP/t.jsonl" >"$TMP/header-only.jsonl"
echo '{"format":"mailsim-trace","version":2,"scenario":"one","seed":1,"nodes":[{"id":"a","kind":"outgoing"}],"links":[]}' >"$TMP/one-node.jsonl"
echo '{"format":"mailsim-trace","version":2,"scenario":"none","seed":1,"nodes":[],"links":[]}' >"$TMP/no-node.jsonl"
for t in header-only one-node no-node; do
    for size in 1280x720 1x1 1x720 8192x16; do
        "$MAILSIM" shot "$TMP/$t.jsonl" --at 5 --size $size --out "$TMP/$t.png" 2>"$TMP/err"
        expect_status "shot_should_draw_a_${t}_trace_at_$size" 0 $?
    done
done

finish
