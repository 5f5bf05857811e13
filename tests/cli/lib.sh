# lib.sh: what the CLI test scripts share. Source it, call ok/bad (or the expect_* helpers) once per
# check, and end with `finish`, which prints the "N passed, M failed" line and exits 0 only when at
# least one check ran and none failed. A script that cannot run here calls `skip REASON` (exit 77,
# reported by ctest as skipped, never as passed).
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
skip() { echo "skipped: $1"; exit 77; }

expect_status() { # name wanted actual
    if [ "$3" -eq "$2" ]; then ok "$1"; else bad "$1 (exit $3, expected $2)"; fi
}

expect_in() { # name file pattern...: every fixed-string pattern occurs in file
    local name=$1 file=$2
    shift 2
    for pat in "$@"; do
        if ! grep -qF -- "$pat" "$file"; then bad "$name (no \"$pat\" in: $(head -c 400 "$file"))"; return; fi
    done
    ok "$name"
}

finish() {
    echo "$pass passed, $fail failed"
    if [ "$pass" -eq 0 ]; then echo "no check ran"; exit 1; fi
    [ "$fail" -eq 0 ]
    exit
}
