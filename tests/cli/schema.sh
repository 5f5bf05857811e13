#!/usr/bin/env bash
# schema: docs/scenario.schema.json, the published description of the scenario format, stays true
# to what mailsim loads: every shipped scenario validates against it, and every bad scenario in
# tests/data/bad fails it, except those whose fault only the loader can see (names that refer to
# each other, an order between two values, a sum, the DNS, the horizon, a question's answer among
# its choices, or a mailbox's quota); those are listed below
# by name, so a new bad case the schema should catch and does not is a failure here.
#
# Needs python3 with the jsonschema module (Debian: python3-jsonschema; CI installs it). Without
# it the test exits 77, which ctest reports as skipped, saying so.
#
# Usage, from the repository root:  bash tests/cli/schema.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/schema.sh /path/to/mailsim}

if ! python3 -c "import jsonschema" 2>/dev/null; then
    skip "python3 has no jsonschema module (Debian: python3-jsonschema)"
fi
make_tmp

# The validator prints one "ok NAME" or "FAIL NAME" line per check, counted here.
python3 - "$MAILSIM" >"$TMP/results" <<'PY'
import glob, json, subprocess, sys
import jsonschema

mailsim = sys.argv[1]
schema = json.load(open("docs/scenario.schema.json"))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)

def errors(path):
    return list(validator.iter_errors(json.load(open(path))))

for path in sorted(glob.glob("scenarios/*.json")):
    errs = errors(path)
    if errs:
        print(f"FAIL schema_should_accept_a_shipped_scenario ({path}): {errs[0].message[:200]}")
    else:
        print(f"ok schema_should_accept_a_shipped_scenario ({path})")

LOADER_ONLY = {
    "03-unknown-node", "08-wrong-node-kind", "09-duplicate-node-id", "13-until-before-at",
    "16-min-backoff-above-max", "20-mailbox-in-no-domain", "21-sender-without-client",
    "29-duplicate-key", "31-duplicate-message-id", "33-mark-spam-unknown-msg",
    "34-null-mx-with-other-mx", "35-outage-of-client", "46-send-after-horizon",
    "47-user-without-store", "48-client-store-without-mailbox", "61-ms-range-reversed",
    "62-attempts-min-above-max", "65-attachments-over-1-gib", "71-id-of-a-mailing-copy",
    "76-ask-answer-not-a-choice", "81-ask-check-unknown-node", "82-mailbox-full-without-quota",
    "83-blocklist-zone-nobody-checks", "84-outage-end-of-client", "86-mailbox-free-unknown-mailbox",
    "87-cname-with-other-data", "96-script-until-before-from",
}
for path in sorted(glob.glob("tests/data/bad/*.json")):
    name = path.split("/")[-1][:-5]
    try:
        accepted = not errors(path)
    except (json.JSONDecodeError, UnicodeDecodeError):
        continue  # not JSON at all: nothing for a schema to say
    if accepted and name not in LOADER_ONLY:
        print(f"FAIL schema_should_refuse_a_bad_scenario ({path}): mailsim refuses it but the schema accepts it")
    elif not accepted and name in LOADER_ONLY:
        print(f"FAIL schema_should_accept_a_loader_only_fault ({path}): listed as loader-only, but the schema refuses it: take it off the list")
    elif accepted:
        print(f"ok schema_should_accept_a_loader_only_fault ({path})")
    else:
        print(f"ok schema_should_refuse_a_bad_scenario ({path})")
PY
status=$?
while IFS= read -r line; do
    case $line in
    "ok "*) ok "${line#ok }" ;;
    "FAIL "*) bad "${line#FAIL }" ;;
    *) echo "$line" ;;
    esac
done <"$TMP/results"
expect_status "schema_should_run_the_validator_to_its_end" 0 $status
finish
