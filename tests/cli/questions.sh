#!/usr/bin/env bash
# questions: a scenario's questions ("ask") and the actions given on the command line (--act).
#  - `mailsim check` fails, with exit status 1 and the lines in tests/data/wrong-answers/NAME.out,
#    a scenario whose answer the run contradicts or whose question's moment never comes;
#  - `mailsim run` tells each question before its moment and its answer after the event that
#    bears it out, in the narrated log only: never in the trace, which stays byte for byte the
#    trace of the scenario without its questions;
#  - a run with --act equals, byte for byte, the run of the scenario with that action written at
#    the end of its "actions", for every kind of action a teacher adds; a bad --act is refused
#    with exit status 2 naming the option and the JSON path; --act is refused for a trace.
#
# Usage, from the repository root:  bash tests/cli/questions.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/questions.sh /path/to/mailsim}
make_tmp

# ---- wrong answers ----
shopt -s nullglob
for json in tests/data/wrong-answers/*.json; do
    name=$(basename "${json%.json}")
    "$MAILSIM" check "$json" >"$TMP/out" 2>"$TMP/err"
    expect_status "check_should_fail_a_wrong_answer ($name)" 1 $?
    if cmp -s "$TMP/out" "${json%.json}.out"; then
        ok "check_should_say_what_happened_instead ($name)"
    else
        bad "check_should_say_what_happened_instead ($name): got $(cat "$TMP/out")"
    fi
done

# ---- questions in the log, not in the trace ----
"$MAILSIM" run scenarios/05-greylisting.json --trace "$TMP/with.jsonl" >"$TMP/log"
expect_in "run_should_ask_before_the_moment_and_answer_after_it" "$TMP/log" \
    "? QUESTION  mx.b.example has never seen Alice's server before" \
    "2) 450 greylisted, try again later" "! ANSWER  2) 450 greylisted, try again later"
# The question comes just before the RCPT TO it is about, the answer just after the 450.
q=$(grep -n "? QUESTION  mx.b.example" "$TMP/log" | head -1 | cut -d: -f1)
r=$(grep -n "RCPT TO:<bob@b.example>" "$TMP/log" | sed -n 2p | cut -d: -f1)
a=$(grep -n "! ANSWER  2) 450" "$TMP/log" | cut -d: -f1)
g=$(grep -n "450 4.2.0" "$TMP/log" | head -1 | cut -d: -f1)
if [ -n "$q" ] && [ -n "$r" ] && [ -n "$a" ] && [ -n "$g" ] && [ "$q" -lt "$r" ] && [ "$g" -lt "$a" ]; then
    ok "run_should_put_the_question_before_its_event_and_the_answer_after_the_reply"
else
    bad "run_should_put_the_question_before_its_event_and_the_answer_after_the_reply (lines $q $r $g $a)"
fi
if grep -q "QUESTION\|ANSWER\|greylisted, try again later" "$TMP/with.jsonl"; then
    bad "run_should_keep_questions_out_of_the_trace"
else
    ok "run_should_keep_questions_out_of_the_trace"
fi
if python3 -c "import json" 2>/dev/null; then
    python3 - scenarios/05-greylisting.json "$TMP/without.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["ask"]
json.dump(d, open(sys.argv[2], "w"), indent=2, ensure_ascii=False)
PY
    # The trace header names the scenario by its file stem: give the copy the same one.
    mkdir -p "$TMP/plain" && mv "$TMP/without.json" "$TMP/plain/05-greylisting.json"
    "$MAILSIM" run "$TMP/plain/05-greylisting.json" --quiet --trace "$TMP/without.jsonl"
    if cmp -s "$TMP/with.jsonl" "$TMP/without.jsonl"; then
        ok "run_should_give_the_same_trace_with_and_without_questions"
    else
        bad "run_should_give_the_same_trace_with_and_without_questions"
    fi
fi
# A question whose answer the run contradicts still gets its answer, at the end, marked.
"$MAILSIM" run tests/data/wrong-answers/02-servfail-bounces.json >"$TMP/log2"
expect_in "run_should_give_a_contradicted_answer_at_the_end" "$TMP/log2" \
    "(but this run did not show it: see \`mailsim check\`)"

# ---- --act equals the action written into the file ----
# act_equals NAME SCENARIO ACTION_JSON: the trace of `run SCENARIO --act ACTION` is the trace of
# a copy of SCENARIO (same file stem) with ACTION appended to its "actions".
act_equals() {
    local name=$1 scenario=$2 action=$3 stem
    stem=$(basename "$scenario")
    mkdir -p "$TMP/file"
    python3 - "$scenario" "$TMP/file/$stem" "$action" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d.setdefault("actions", []).append(json.loads(sys.argv[3]))
json.dump(d, open(sys.argv[2], "w"), indent=2, ensure_ascii=False)
PY
    "$MAILSIM" run "$scenario" --quiet --act "$action" --trace "$TMP/act.jsonl" 2>"$TMP/err1"
    local s1=$?
    "$MAILSIM" run "$TMP/file/$stem" --quiet --trace "$TMP/file.jsonl" 2>"$TMP/err2"
    local s2=$?
    if [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && cmp -s "$TMP/act.jsonl" "$TMP/file.jsonl"; then
        ok "act_should_equal_the_action_in_the_file ($name)"
    else
        bad "act_should_equal_the_action_in_the_file ($name): exit $s1/$s2 $(head -c 300 "$TMP/err1")"
    fi
}
if python3 -c "import json" 2>/dev/null; then
    act_equals outage scenarios/01-happy-path.json '{"at_s": 2, "do": "outage", "node": "mx.b.example", "until_s": 900}'
    act_equals outage_end scenarios/11-server-outage-retry.json '{"at_s": 700, "do": "outage_end", "node": "mx.b.example"}'
    act_equals dns_failure scenarios/02-mx-fallback.json '{"at_s": 1.2, "do": "dns_failure", "name": "b.example", "rcode": "NXDOMAIN"}'
    act_equals dns_failure_end scenarios/08-dns-servfail.json '{"at_s": 700, "do": "dns_failure_end", "name": "b.example"}'
    act_equals mailbox_full scenarios/05-greylisting.json '{"at_s": 1.2, "do": "mailbox_full", "mailbox": "bob@b.example"}'
    act_equals mailbox_free scenarios/04-mailbox-full.json '{"at_s": 300, "do": "mailbox_free", "mailbox": "bob@b.example"}'
    act_equals blocklist_remove scenarios/06-blocklisted-sender.json '{"at_s": 1, "do": "blocklist_remove", "zone": "zen.example", "ip": "198.51.100.10"}'
    act_equals blocklist_add scenarios/06-blocklisted-sender.json '{"at_s": 1, "do": "blocklist_add", "zone": "zen.example", "ip": "203.0.113.99"}'
    act_equals mark_spam scenarios/09-spam-filtered.json '{"at_s": 100, "do": "mark_spam", "user": "bob@b.example", "msg": "m1"}'
    act_equals mark_not_spam scenarios/09-spam-filtered.json '{"at_s": 100, "do": "mark_not_spam", "user": "bob@b.example", "msg": "m2"}'
    act_equals send scenarios/01-happy-path.json '{"at_s": 100, "do": "send", "from": "alice@a.example", "to": ["bob@b.example"], "subject": "One more"}'
else
    echo "note: no python3, so --act is not compared with the action written into the file"
fi
# Two --act, in order, are two actions.
"$MAILSIM" run scenarios/01-happy-path.json --act '{"at_s": 2, "do": "outage", "node": "mx.b.example"}' \
    --act '{"at_s": 700, "do": "outage_end", "node": "mx.b.example"}' >"$TMP/log3"
expect_in "act_should_take_several_actions" "$TMP/log3" "mx.b.example goes down" \
    "mx.b.example is brought back up by hand" "status=deferred" "delivered to bob@b.example"

# ---- bad --act ----
"$MAILSIM" run scenarios/01-happy-path.json --act '{"at_s": 2, "do": "outage", "node": "mx.c.example"}' >/dev/null 2>"$TMP/err"
expect_refusal "act_should_name_the_option_and_the_path" \
    '--act: $.node: node "mx.c.example" is not defined (did you mean "mx.b.example"?); defined outgoing, resolver, incoming, filter or store nodes: smtp.a.example, dns.a.example, store.a.example, mx.b.example, dns.b.example, spamd.b.example, store.b.example' $? "$TMP/err"
"$MAILSIM" run scenarios/01-happy-path.json --act '{"at_s": 2, "do": "fetch", "user": "bob@b.example"}' \
    --act '{"at_s": 2, "do": "reboot"}' >/dev/null 2>"$TMP/err"
expect_refusal "act_should_say_which_act_when_there_are_several" \
    '--act #2: $.do: expected one of: send, outage, dns_failure, mark_spam, mark_not_spam, delete, fetch, outage_end, dns_failure_end, mailbox_full, mailbox_free, blocklist_add, blocklist_remove; got "reboot"' $? "$TMP/err"
"$MAILSIM" run scenarios/01-happy-path.json --act '{"at_s": 2, "do": "outage"' >/dev/null 2>"$TMP/err"
status=$?
expect_status "act_should_refuse_broken_json" 2 $status
expect_in "act_should_refuse_broken_json_naming_the_option" "$TMP/err" "--act: "
"$MAILSIM" check scenarios/01-happy-path.json --act '{"at_s": 2, "do": "fetch", "user": "bob@b.example"}' >/dev/null 2>"$TMP/err"
expect_status "check_should_not_take_act" 2 $?

# ---- chart and shot take --act too (player builds) ----
if "$MAILSIM" chart scenarios/01-happy-path.json --msg m1 --out "$TMP/plain.svg" >/dev/null 2>&1; then
    "$MAILSIM" chart scenarios/01-happy-path.json --msg m1 --out "$TMP/down.svg" \
        --act '{"at_s": 2, "do": "outage", "node": "mx.b.example", "until_s": 900}' >/dev/null 2>"$TMP/err"
    expect_status "chart_should_take_act" 0 $?
    if grep -q "refused" "$TMP/down.svg" && ! grep -q "refused" "$TMP/plain.svg"; then
        ok "chart_should_draw_the_changed_run"
    else
        bad "chart_should_draw_the_changed_run"
    fi
    "$MAILSIM" run scenarios/01-happy-path.json --quiet --trace "$TMP/t.jsonl"
    "$MAILSIM" chart "$TMP/t.jsonl" --msg m1 --out "$TMP/t.svg" \
        --act '{"at_s": 2, "do": "fetch", "user": "bob@b.example"}' >/dev/null 2>"$TMP/err"
    expect_refusal "chart_should_refuse_act_on_a_trace" \
        "$TMP/t.jsonl: --act changes a scenario before it runs; a recorded trace has already run" $? "$TMP/err"
fi
finish
