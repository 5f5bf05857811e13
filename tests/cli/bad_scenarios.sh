#!/usr/bin/env bash
# bad_scenarios: every malformed scenario in tests/data/bad/ must be refused by `mailsim check`
# with exit status 2 and, as the first line of stderr, exactly the line in its .err twin
# ("FILE: WHERE: MESSAGE", FILE relative to the repository root).
#
# Usage, from the repository root:  bash tests/cli/bad_scenarios.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
mailsim=${1:?usage: bash tests/cli/bad_scenarios.sh /path/to/mailsim}
dir=tests/data/bad
make_tmp

shopt -s nullglob
for json in "$dir"/*.json; do
    want_file=${json%.json}.err
    if [ ! -f "$want_file" ]; then
        bad "$json: no $want_file"
        continue
    fi
    "$mailsim" check "$json" >/dev/null 2>"$TMP/err"
    status=$?
    expect_refusal "$json" "$(head -n 1 "$want_file")" $status "$TMP/err"
done
finish
