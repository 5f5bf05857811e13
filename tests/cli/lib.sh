# lib.sh: what the CLI test scripts share; every script in tests/cli sources it.
#
# A script calls ok/bad (or one of the expect_* helpers) once per check and ends with `finish`,
# which prints the "N passed, M failed" line and exits 0 only when at least one check ran and none
# failed: a script that checks nothing fails. A script that cannot run here calls `skip REASON`
# (exit 77, which tests/CMakeLists.txt tells ctest to report as skipped, never as passed).
# tests/cli/harness.sh checks these promises.
#
# The scripts name files relative to the repository root, which ctest makes their working
# directory; sourcing this file anywhere else stops the script. Unset variables are errors.
set -u

if [ ! -f tests/cli/lib.sh ] || [ ! -d scenarios ]; then
    echo "$0: run from the repository root" >&2
    exit 1
fi

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

# expect_refusal NAME WANT STATUS STDERR_FILE: a bad input was refused with exit status 2 and, as
# the first line of stderr, exactly the line WANT.
expect_refusal() {
    local name=$1 want=$2 status=$3 got
    got=$(head -n 1 "$4")
    if [ "$status" -ne 2 ]; then
        bad "$name: exit status $status, expected 2"
        echo "     stderr: $got"
    elif [ "$got" != "$want" ]; then
        bad "$name: wrong error"
        echo "     got:  $got"
        echo "     want: $want"
    else
        ok "$name"
    fi
}

# make_tmp: $TMP is a fresh directory, removed however the script exits.
make_tmp() {
    TMP=$(mktemp -d) || { echo "$0: mktemp failed" >&2; exit 1; }
    trap 'rm -rf "$TMP"' EXIT
}

finish() {
    echo "$pass passed, $fail failed"
    if [ $((pass + fail)) -eq 0 ]; then
        echo "no check ran"
        exit 1
    fi
    if [ "$fail" -ne 0 ]; then
        exit 1
    fi
    exit 0
}
