#!/usr/bin/env bash
# format: the scenario format's capabilities beyond the shipped scenarios, each staged by a file in
# tests/data/format/ whose `expect` block says what the model must do with it (a CNAME MX, an
# AAAA-only MX host, the zone's SOA as negative TTL, scripted replies and greetings, a server
# without SIZE or PIPELINING, postgrey's options and a DNSBL's answer, the sending side's Postfix
# knobs). `mailsim check` must pass every one; a few facts that an expect block cannot say are
# checked on the JSONL trace.
#
# Usage, from the repository root:  bash tests/cli/format.sh /path/to/mailsim
. "$(dirname "$0")/lib.sh"
MAILSIM=${1:?usage: bash tests/cli/format.sh /path/to/mailsim}
make_tmp

shopt -s nullglob
for json in tests/data/format/*.json; do
    name=$(basename "${json%.json}")
    "$MAILSIM" check "$json" >"$TMP/out" 2>"$TMP/err"
    status=$?
    if [ $status -eq 0 ]; then
        ok "format_should_meet_its_expectations ($name)"
    else
        bad "format_should_meet_its_expectations ($name): exit $status: $(head -c 600 "$TMP/out" "$TMP/err")"
    fi
done

# RFC 2308: NXDOMAIN under b.example is cached for min(SOA TTL 3600, MINIMUM 60) = 60 s. m2's
# look-up, 100 s after m1's, is asked again; m3's, 20 s after m2's, comes from the cache. a.example
# has no SOA: the resolver's own 900 s apply, so m2's bounce finds m1's bounce's answer cached.
"$MAILSIM" run tests/data/format/soa-negative-ttl.json --trace "$TMP/soa.jsonl" >/dev/null 2>&1
answer() { # msg qname: the resolver's MX answer for it
    grep '"dir":"answer"' "$TMP/soa.jsonl" | grep "\"msg\":\"$1\"" | grep "\"qname\":\"$2\"" | grep '"qtype":"MX"'
}
if answer m2 gone.b.example | grep -q '"cached":true'; then
    bad "resolver_should_forget_nxdomain_after_the_soa_minimum (m2's answer is cached)"
else
    ok "resolver_should_forget_nxdomain_after_the_soa_minimum"
fi
expect_in "resolver_should_cache_nxdomain_within_the_soa_minimum" <(answer m3 gone.b.example) '"cached":true'
expect_in "resolver_should_use_its_own_negative_ttl_without_an_soa" <(answer m2-dsn a.example) '"cached":true'

finish
