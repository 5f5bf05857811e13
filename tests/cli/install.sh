#!/usr/bin/env bash
# install: `cmake --install` of the build that made the mailsim under test, into a temporary
# prefix, gives a program that works without its source tree: the files land where they should
# (bin/, share/mailsim/{assets,scenarios}, share/applications, share/icons/hicolor,
# share/doc/mailsim), and the installed program, run from another directory, checks the installed
# scenarios, draws a shot with the installed fonts and opens the player on the installed default
# scenario. The source tree is still on this machine, so each "the installed copy is used" claim
# is proved by spoiling the installed copy alone and watching the program fail on it, naming it.
# The tree also works after being moved whole. Player parts run only in player builds.
# Usage: bash tests/cli/install.sh /path/to/mailsim   (from the repository root)
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: install.sh /path/to/mailsim}
make_tmp

# The build folder is the nearest folder above the program that holds CMakeCache.txt.
build=$(cd "$(dirname "$MAILSIM")" && pwd)
while [ "$build" != / ] && [ ! -f "$build/CMakeCache.txt" ]; do build=$(dirname "$build"); done
if [ ! -f "$build/CMakeCache.txt" ]; then
    bad "install_should_find_the_build_folder_above $MAILSIM"
    finish
fi
player=0
grep -q '^MAILSIM_PLAYER:BOOL=ON' "$build/CMakeCache.txt" && player=1

P=$TMP/prefix
cmake --install "$build" --prefix "$P" >"$TMP/install.log" 2>&1
expect_status "install_should_succeed" 0 $?
INSTALLED=$P/bin/mailsim
if [ -x "$INSTALLED" ]; then ok "install_should_put_the_program_in_bin"; else bad "install_should_put_the_program_in_bin"; finish; fi

# Every shipped scenario, and nothing else, under share/mailsim/scenarios.
want=$(cd scenarios && ls ./*.json)
got=$(cd "$P/share/mailsim/scenarios" && ls ./*.json)
if [ "$want" = "$got" ]; then ok "install_should_ship_every_scenario"; else bad "install_should_ship_every_scenario (got: $got)"; fi
if [ -f "$P/share/doc/mailsim/README.md" ] && [ -f "$P/share/doc/mailsim/docs/scenario-format.md" ]; then
    ok "install_should_put_the_readme_and_docs_in_share_doc"
else
    bad "install_should_put_the_readme_and_docs_in_share_doc"
fi

# From a directory that is not the source tree, the installed program checks the installed
# scenarios.
mkdir -p "$TMP/elsewhere"
n=$(ls scenarios/*.json | wc -l)
(cd "$TMP/elsewhere" && "$INSTALLED" check "$P"/share/mailsim/scenarios/*.json) >"$TMP/check.out" 2>&1
expect_status "installed_check_should_pass_every_installed_scenario" 0 $?
passes=$(grep -c "^PASS $P/share/mailsim/scenarios/" "$TMP/check.out")
expect_status "installed_check_should_print_a_pass_line_per_scenario" "$n" "$passes"

if [ $player -eq 0 ]; then
    if [ ! -e "$P/share/mailsim/assets" ] && [ ! -e "$P/share/applications/mailsim.desktop" ]; then
        ok "install_without_player_should_ship_no_fonts_and_no_menu_entry"
    else
        bad "install_without_player_should_ship_no_fonts_and_no_menu_entry"
    fi
    finish
fi

# ---- player builds ----
for f in assets/fonts/*; do
    if cmp -s "$f" "$P/share/mailsim/$f"; then ok "install_should_ship_$(basename "$f")"; else bad "install_should_ship_$(basename "$f")"; fi
done
if cmp -s assets/fonts/LICENSE-DejaVu.txt "$P/share/doc/mailsim/LICENSE-DejaVu.txt"; then
    ok "install_should_put_the_font_licence_in_share_doc"
else
    bad "install_should_put_the_font_licence_in_share_doc"
fi
DESKTOP=$P/share/applications/mailsim.desktop
if [ -f "$DESKTOP" ]; then
    expect_in "install_should_ship_a_desktop_entry_starting_mailsim" "$DESKTOP" \
        "[Desktop Entry]" "Type=Application" "Exec=mailsim" "Icon=mailsim" "Categories=Education;"
else
    bad "install_should_ship_a_desktop_entry"
fi
if command -v desktop-file-validate >/dev/null; then
    if desktop-file-validate "$DESKTOP" >"$TMP/dfv" 2>&1; then ok "desktop_entry_should_validate"; else bad "desktop_entry_should_validate: $(cat "$TMP/dfv")"; fi
fi
for icon in scalable/apps/mailsim.svg 48x48/apps/mailsim.png 128x128/apps/mailsim.png; do
    if [ -s "$P/share/icons/hicolor/$icon" ]; then ok "install_should_ship_the_icon_$icon"; else bad "install_should_ship_the_icon_$icon"; fi
done

# shot PREFIX OUT: the installed program's shot of the installed happy path, from elsewhere,
# without MAILSIM_ASSETS; stderr in $TMP/err.
shot() {
    (cd "$TMP/elsewhere" && env -u MAILSIM_ASSETS SDL_VIDEODRIVER=offscreen "$1/bin/mailsim" shot \
        "$1/share/mailsim/scenarios/01-happy-path.json" --at 2 --out "$2") 2>"$TMP/err"
}
is_png() { [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

shot "$P" "$TMP/elsewhere/a.png"
expect_status "installed_shot_should_succeed" 0 $?
if is_png "$TMP/elsewhere/a.png"; then ok "installed_shot_should_write_a_png"; else bad "installed_shot_should_write_a_png ($(cat "$TMP/err"))"; fi

# The installed fonts, not the source tree's: with the installed regular face spoilt, the shot
# fails and names the installed file.
FONT=$P/share/mailsim/assets/fonts/DejaVuSans.ttf
cp "$FONT" "$TMP/font.keep"
echo "this is not a font" >"$FONT"
shot "$P" "$TMP/elsewhere/b.png"
expect_status "installed_shot_should_use_the_installed_fonts_first" 2 $?
expect_in "installed_shot_should_name_the_installed_font" "$TMP/err" "$FONT" "cannot load the font"
cp "$TMP/font.keep" "$FONT"

# A set but wrong MAILSIM_ASSETS is still an error, not a fallback to the installed fonts.
(cd "$TMP/elsewhere" && MAILSIM_ASSETS="$TMP/nowhere" SDL_VIDEODRIVER=offscreen "$INSTALLED" shot \
    "$P/share/mailsim/scenarios/01-happy-path.json" --at 2 --out c.png) 2>"$TMP/err"
expect_status "installed_shot_should_refuse_a_wrong_mailsim_assets" 2 $?
expect_in "installed_shot_should_name_the_wrong_mailsim_assets" "$TMP/err" "$TMP/nowhere" "MAILSIM_ASSETS"

# The player with no file opens the installed default scenario (01-*.json in the installed
# folder): an installed 01 that is not a scenario stops it, named; an installed folder with no
# scenario at all stops it naming that folder.
# (The window is SDL's dummy one: no GL stack, whose own allocations a leak checker would report.)
# In sanitizer builds the empty folder also checks that the player never passes qsort a NULL array.
player_default() { # prefix: the player on the default scenario; stderr in $TMP/err
    (cd "$TMP/elsewhere" && env -u MAILSIM_ASSETS SDL_VIDEODRIVER=dummy timeout 20 "$1/bin/mailsim") 2>"$TMP/err"
}
SCEN=$P/share/mailsim/scenarios
mv "$SCEN" "$TMP/scenarios.keep"
mkdir "$SCEN"
echo "{ not json" >"$SCEN/01-broken.json"
player_default "$P"
expect_status "installed_player_should_open_the_installed_default_scenario" 2 $?
expect_in "installed_player_should_name_the_installed_default_scenario" "$TMP/err" "$SCEN/01-broken.json"
rm "$SCEN/01-broken.json"
player_default "$P"
expect_status "installed_player_should_pick_from_the_installed_folder" 2 $?
expect_in "installed_player_should_name_the_installed_folder" "$TMP/err" "none found in $SCEN"
rmdir "$SCEN"
mv "$TMP/scenarios.keep" "$SCEN"

# The installed tree moved whole still finds its data beside the program.
mv "$P" "$TMP/moved"
shot "$TMP/moved" "$TMP/elsewhere/d.png"
expect_status "moved_install_shot_should_succeed" 0 $?
if is_png "$TMP/elsewhere/d.png"; then ok "moved_install_shot_should_write_a_png"; else bad "moved_install_shot_should_write_a_png ($(cat "$TMP/err"))"; fi

finish
