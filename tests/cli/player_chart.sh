#!/usr/bin/env bash
# player_chart: `mailsim chart` writes one message's ladder diagram as SVG (parsed here with a real XML
# parser) or PNG, from a scenario or a recorded trace; a missing or unknown --msg is refused with
# status 2 and the message ids; nothing is left half written.
# Usage: bash tests/cli/player_chart.sh /path/to/mailsim   (from the repository root)
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: player_chart.sh /path/to/mailsim}
make_tmp
export SDL_VIDEODRIVER=offscreen

"$MAILSIM" chart scenarios/05-greylisting.json --msg m1 --out "$TMP/05.svg" >"$TMP/out" 2>"$TMP/err"
status=$?
expect_status "chart_should_write_an_svg" 0 $status
command -v python3 >/dev/null || skip "python3 is needed to parse the SVG"

xml_ok() { python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$1" 2>"$TMP/xml_err"; }
xml_ok "$TMP/05.svg" && ok "chart_should_write_well_formed_xml" \
    || bad "chart_should_write_well_formed_xml ($(head -c 300 "$TMP/xml_err"))"
expect_in "chart_should_show_the_greylisting_codes" "$TMP/05.svg" \
    'font-family="DejaVu Sans, sans-serif"' "450 4.2.0" "250 2.1.5 Ok" 'class="refusal-temporary"' \
    "9 min 56 s later" "RCPT TO:&lt;bob@b.example&gt;"
grep -q 'href\|<image' "$TMP/05.svg" && bad "chart_should_need_no_other_file" || ok "chart_should_need_no_other_file"
python3 - "$TMP/05.svg" <<'EOF' && ok "chart_should_decode_as_utf8" || bad "chart_should_decode_as_utf8"
import sys
open(sys.argv[1], encoding="utf-8").read()
EOF

"$MAILSIM" chart scenarios/03-unknown-user.json --msg m1 --out "$TMP/03.svg" 2>"$TMP/err"
expect_status "chart_should_draw_a_bounce" 0 $?
xml_ok "$TMP/03.svg" && ok "chart_should_write_well_formed_xml_for_a_bounce" \
    || bad "chart_should_write_well_formed_xml_for_a_bounce"
expect_in "chart_should_show_the_refusal_and_the_bounce" "$TMP/03.svg" \
    "550 5.1.1" 'class="refusal-permanent"' "bounce m1-dsn" "refused for good"

"$MAILSIM" chart scenarios/05-greylisting.json --msg m1 --at 100 --out "$TMP/at.svg" 2>"$TMP/err"
expect_status "chart_should_take_at" 0 $?
expect_in "chart_should_draw_up_to_at" "$TMP/at.svg" "450 4.2.0" 'class="playhead"' "now 00:01:40.000"
grep -q "4BD87226D1" "$TMP/at.svg" && bad "chart_should_hide_what_comes_after_at" \
    || ok "chart_should_hide_what_comes_after_at"

"$MAILSIM" chart scenarios/05-greylisting.json --msg m1 --out "$TMP/05.png" 2>"$TMP/err"
expect_status "chart_should_write_a_png" 0 $?
python3 - "$TMP/05.png" <<'EOF' >"$TMP/png" 2>&1
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert 960 <= w <= 1440, "width %d" % w
assert 1000 <= h <= 12000, "height %d" % h
assert data[-8:-4] == b"IEND", "cut short"
print("ok", w, h)
EOF
grep -q "^ok" "$TMP/png" && ok "chart_should_size_the_png_to_the_content" \
    || bad "chart_should_size_the_png_to_the_content ($(cat "$TMP/png"))"

"$MAILSIM" run scenarios/03-unknown-user.json --quiet --trace "$TMP/03.jsonl" >/dev/null 2>&1
"$MAILSIM" chart "$TMP/03.jsonl" --msg m1-dsn --out "$TMP/dsn.svg" 2>"$TMP/err"
expect_status "chart_should_read_a_trace" 0 $?
expect_in "chart_should_draw_the_bounce_on_its_own" "$TMP/dsn.svg" "m1-dsn" "filed in the Inbox"

"$MAILSIM" chart scenarios/03-unknown-user.json --out "$TMP/none.svg" >/dev/null 2>"$TMP/err"
expect_refusal "chart_should_refuse_a_missing_msg" "mailsim: chart needs --msg ID, the message to draw" \
    $? "$TMP/err"
expect_in "chart_should_list_the_messages_when_msg_is_missing" "$TMP/err" "its messages: m1, m1-dsn"

"$MAILSIM" chart scenarios/03-unknown-user.json --msg m9 --out "$TMP/none.svg" >/dev/null 2>"$TMP/err"
expect_refusal "chart_should_refuse_an_unknown_msg" 'mailsim: there is no message "m9" in this trace' \
    $? "$TMP/err"
expect_in "chart_should_list_the_messages_when_msg_is_unknown" "$TMP/err" "its messages: m1, m1-dsn"
[ -e "$TMP/none.svg" ] && bad "chart_should_write_nothing_when_refused" || ok "chart_should_write_nothing_when_refused"

"$MAILSIM" chart scenarios/03-unknown-user.json --msg m1 --out "$TMP/x.pdf" >/dev/null 2>"$TMP/err"
expect_refusal "chart_should_refuse_other_formats" 'mailsim: chart writes FILE.svg or FILE.png, not "'"$TMP"'/x.pdf"' \
    $? "$TMP/err"

"$MAILSIM" chart scenarios/03-unknown-user.json --msg m1 >/dev/null 2>"$TMP/err"
expect_status "chart_should_need_out" 2 $?

for ext in svg png; do
    "$MAILSIM" chart scenarios/03-unknown-user.json --msg m1 --out "$TMP/no/such/dir/x.$ext" >/dev/null 2>"$TMP/err"
    expect_status "chart_should_fail_on_an_unwritable_$ext" 2 $?
    [ -z "$(ls "$TMP"/no 2>/dev/null)" ] && ok "chart_should_leave_nothing_behind_$ext" \
        || bad "chart_should_leave_nothing_behind_$ext"
done

"$MAILSIM" chart scenarios/03-unknown-user.json --msg m1 --quiet --out "$TMP/q.svg" >/dev/null 2>"$TMP/err"
expect_status "chart_should_refuse_options_it_does_not_take" 2 $?

finish
