#!/usr/bin/env bash
# bad_scenarios: every malformed scenario in tests/data/bad/ must be refused by `mailsim check`
# with exit status 2 and, as the first line of stderr, exactly the line in its .err twin
# ("FILE: WHERE: MESSAGE", FILE relative to the repository root).
#
# Usage, from the repository root:  bash tests/cli/bad_scenarios.sh /path/to/mailsim
set -u

mailsim=${1:?usage: bash tests/cli/bad_scenarios.sh /path/to/mailsim}
dir=tests/data/bad
passed=0
failed=0

if [ ! -d "$dir" ]; then
    echo "bad_scenarios: $dir not found; run from the repository root" >&2
    exit 1
fi

shopt -s nullglob
for json in "$dir"/*.json; do
    name=${json%.json}
    want_file=$name.err
    if [ ! -f "$want_file" ]; then
        echo "FAIL $json: no $want_file"
        failed=$((failed + 1))
        continue
    fi
    want=$(head -n 1 "$want_file")
    stderr=$("$mailsim" check "$json" 2>&1 >/dev/null)
    status=$?
    got=$(printf '%s\n' "$stderr" | head -n 1)
    if [ "$status" -ne 2 ]; then
        echo "FAIL $json: exit status $status, expected 2"
        echo "     stderr: $got"
        failed=$((failed + 1))
    elif [ "$got" != "$want" ]; then
        echo "FAIL $json: wrong error"
        echo "     got:  $got"
        echo "     want: $want"
        failed=$((failed + 1))
    else
        echo "ok   $json"
        passed=$((passed + 1))
    fi
done

if [ $((passed + failed)) -eq 0 ]; then
    echo "bad_scenarios: no cases in $dir" >&2
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
