/* test_scenario: the scenario loader (sim/scenario/scenario.h).
 *
 * The example scenario pins the resolved fields and the defaults; small inline scenarios pin one
 * feature each; every malformed file in tests/data/bad/ must fail with exactly the line in its
 * .err twin; and the happy path, cut short at every byte and with bytes overwritten, must load
 * or fail cleanly (never crash, never leak: run under ASan).
 *
 * Inline scenarios are written with ' for " so that they stay readable; q() swaps them back.
 * Paths are relative to the repository root, where ctest runs the tests.
 */
#define _POSIX_C_SOURCE 200809L /* dirent.h, for walking tests/data/bad */

#include "scenario/scenario.h"
#include "test.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define HAPPY "scenarios/01-happy-path.json"
#define BAD_DIR "tests/data/bad"
#define DOC "docs/scenario-format.md"

/* ---- helpers --------------------------------------------------------------------------------- */

/* A copy of `text` with every ' turned into ". Freed by the caller. */
static char *q(const char *text)
{
    char *s = xstrdup(text);
    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    return s;
}

/* Loads an inline scenario that must be valid; prints the error when it is not. */
static World *load_ok(const char *text)
{
    char *json = q(text);
    Error err = { 0 };
    World *w = scenario_load_string(json, strlen(json), "inline.json", &err);
    if (!w) {
        char buf[1400];
        fprintf(stderr, "  unexpected load error: %s\n", error_format(&err, buf, sizeof buf));
    }
    free(json);
    return w;
}

/* Loads an inline scenario that must fail, and returns its formatted error in buf. */
static const char *load_err(const char *text, char *buf, unsigned size)
{
    char *json = q(text);
    Error err = { 0 };
    World *w = scenario_load_string(json, strlen(json), "inline.json", &err);
    free(json);
    if (w) {
        world_destroy(w);
        snprintf(buf, size, "(loaded without error)");
        return buf;
    }
    return error_format(&err, buf, size);
}

static char *read_text(const char *path);

static const char *S(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

static int32_t node(const World *w, const char *name)
{
    return world_find_node(w, name);
}

static bool has_link(const World *w, const char *a, const char *b, bool implicit)
{
    int32_t x = node(w, a), y = node(w, b);
    const WorldLink *l = world_link(w, x, y);
    return x >= 0 && y >= 0 && l != &w->default_link && l->implicit == implicit;
}

static const DnsRecord *find_record(const World *w, const char *name, DnsType type)
{
    for (uint32_t i = 0; i < w->record_count; i++) {
        if (w->records[i].type == type && strcmp(S(w, w->records[i].name), name) == 0) {
            return &w->records[i];
        }
    }
    return NULL;
}

/* A small valid topology that inline cases extend: Alice on a.example sends to Bob on b.example. */
#define NODES                                                                                      \
    "{'id': 'alice', 'kind': 'client', 'address': 'alice@a.example', 'submit_to': 'smtp.a'},"      \
    "{'id': 'smtp.a', 'kind': 'outgoing', 'ip': '198.51.100.10', 'resolver': 'dns'},"              \
    "{'id': 'dns', 'kind': 'resolver'},"                                                           \
    "{'id': 'mx.b', 'kind': 'incoming', 'ip': '203.0.113.25', 'domains': ['b.example'],"           \
    " 'store': 'store.b'},"                                                                        \
    "{'id': 'store.b', 'kind': 'store', 'mailboxes': [{'address': 'bob@b.example'}]},"             \
    "{'id': 'bob', 'kind': 'client', 'address': 'bob@b.example', 'store': 'store.b'}"
#define HEAD "{'mailsim': 1, 'title': 'inline', "
#define MSG1 "'messages': [{'from': 'alice@a.example', 'to': ['bob@b.example']}]"

/* ---- the example scenario -------------------------------------------------------------------- */

static void scenario_should_load_the_happy_path_with_its_defaults(void)
{
    Error err = { 0 };
    World *w = scenario_load_file(HAPPY, &err);
    REQUIRE(w != NULL);
    CHECK_EQ_STR(w->file, HAPPY);
    CHECK_EQ_STR(S(w, w->name), "01-happy-path");
    CHECK_EQ_STR(S(w, w->title), "The happy path: one message, start to finish");
    CHECK(strncmp(S(w, w->lesson), "Alice writes to Bob.", 20) == 0);
    CHECK_EQ_INT(w->seed, 1);
    CHECK_EQ_INT(w->horizon_us, 7 * 86400 * US_PER_S);
    CHECK_EQ_INT(w->node_count, 9);

    const WorldNode *alice = &w->nodes[node(w, "alice-laptop")];
    CHECK_EQ_INT(alice->kind, NODE_CLIENT);
    CHECK_EQ_STR(S(w, alice->label), "Alice's laptop");
    CHECK_EQ_STR(S(w, alice->u.client.address), "alice@a.example");
    CHECK_EQ_STR(S(w, alice->u.client.display_name), "Alice Liddell");
    CHECK_EQ_INT(alice->u.client.submit_to, node(w, "smtp.a.example"));
    CHECK_EQ_INT(alice->u.client.store, node(w, "store.a.example"));
    CHECK_EQ_INT(alice->u.client.poll_us, 600 * US_PER_S);
    CHECK_EQ_INT(alice->u.client.access, ACCESS_IMAP);

    const WorldNode *smtp = &w->nodes[node(w, "smtp.a.example")];
    char ip[16];
    world_format_ip(smtp->ip, ip);
    CHECK_EQ_STR(ip, "198.51.100.10");
    CHECK_EQ_INT(smtp->u.out.resolver, node(w, "dns.a.example"));
    CHECK_EQ_INT(smtp->u.out.retry.style, RETRY_POSTFIX);
    CHECK_EQ_INT(smtp->u.out.retry.queue_run_us, 300 * US_PER_S);
    CHECK_EQ_INT(smtp->u.out.retry.min_backoff_us, 300 * US_PER_S);
    CHECK_EQ_INT(smtp->u.out.retry.max_backoff_us, 4000 * US_PER_S);
    CHECK_EQ_INT(smtp->u.out.retry.lifetime_us, 5 * 86400 * US_PER_S);
    CHECK_EQ_INT(smtp->u.out.retry.delay_warning_us, 0);
    CHECK_EQ_INT(smtp->u.out.connect_timeout_us, 30 * US_PER_S);
    CHECK_EQ_INT(smtp->u.out.local_domain_count, 1);
    CHECK_EQ_STR(S(w, smtp->u.out.local_domains[0]), "a.example");
    CHECK_EQ_INT(smtp->u.out.local_store, node(w, "store.a.example"));

    const WorldNode *mx = &w->nodes[node(w, "mx.b.example")];
    CHECK_EQ_INT(mx->u.in.domain_count, 1);
    CHECK_EQ_STR(S(w, mx->u.in.domains[0]), "b.example");
    CHECK_EQ_INT(mx->u.in.filter, node(w, "spamd.b.example"));
    CHECK_EQ_INT(mx->u.in.store, node(w, "store.b.example"));
    CHECK_EQ_INT(mx->u.in.size_limit_bytes, 10240000);
    CHECK(!mx->u.in.greylist);

    const WorldNode *spamd = &w->nodes[node(w, "spamd.b.example")];
    CHECK_EQ_INT(spamd->u.filter.required_milli, 5000);
    CHECK_EQ_INT(spamd->u.filter.score_milli[RULE_MISSING_DATE], 1360); /* score set 3 */
    CHECK_EQ_INT(spamd->u.filter.bad_tld_count, 5);
    CHECK_EQ_STR(S(w, spamd->u.filter.bad_tlds[0]), "xyz");
    CHECK_EQ_STR(S(w, spamd->u.filter.bad_tlds[4]), "work");

    const WorldNode *store = &w->nodes[node(w, "store.b.example")];
    CHECK_EQ_INT(store->u.store.mailbox_count, 1);
    CHECK_EQ_STR(S(w, store->u.store.mailboxes[0].address), "bob@b.example");
    CHECK_EQ_INT(store->u.store.mailboxes[0].quota_bytes, 51200000);
    CHECK_EQ_INT(store->u.store.mailboxes[0].used_bytes, 0);

    /* The stated link, and the implicit ones world_finalize adds between nodes that talk. */
    CHECK(has_link(w, "smtp.a.example", "mx.b.example", false));
    const WorldLink *l = world_link(w, node(w, "smtp.a.example"), node(w, "mx.b.example"));
    CHECK_EQ_INT(l->latency_us, 40 * US_PER_MS);
    CHECK_EQ_INT(l->bandwidth_bps, 50000000);
    CHECK(has_link(w, "alice-laptop", "smtp.a.example", true));
    CHECK(has_link(w, "smtp.a.example", "dns.a.example", true));
    CHECK(has_link(w, "mx.b.example", "spamd.b.example", true));
    CHECK(has_link(w, "spamd.b.example", "store.b.example", true));
    CHECK(has_link(w, "bob-laptop", "store.b.example", true));

    CHECK_EQ_INT(w->record_count, 3); /* and the PTR of smtp.a.example (world_finalize) */
    const DnsRecord *r = find_record(w, "b.example", DNS_MX);
    CHECK(r != NULL);
    if (r) {
        CHECK_EQ_INT(r->pref, 10);
        CHECK_EQ_STR(S(w, r->host), "mx.b.example");
        CHECK_EQ_INT(r->ttl_us, 3600 * US_PER_S);
    }

    CHECK_EQ_INT(w->spec_count, 1);
    CHECK_EQ_STR(S(w, w->specs[0].id), "m1");
    CHECK_EQ_STR(S(w, w->specs[0].from), "alice@a.example");
    CHECK_EQ_INT(w->specs[0].to_count, 1);
    CHECK_EQ_STR(S(w, w->specs[0].to[0]), "bob@b.example");
    CHECK(!w->specs[0].no_date);
    CHECK(w->specs[0].size_bytes > 600); /* computed by world_finalize */
    CHECK_EQ_INT(w->action_count, 1);
    CHECK_EQ_INT(w->actions[0].kind, ACT_SEND);
    CHECK_EQ_INT(w->actions[0].at_us, 1 * US_PER_S);
    CHECK_EQ_INT(w->actions[0].spec, 0);

    CHECK_EQ_INT(w->caption_count, 1);
    CHECK_EQ_INT(w->captions[0].kind, TK_DNS);
    CHECK_EQ_STR(S(w, w->captions[0].msg), "m1");
    CHECK_EQ_INT(w->captions[0].at_us, -1);

    CHECK_EQ_INT(w->expect_msg_count, 1);
    const ExpectMsg *em = &w->expect_msgs[0];
    CHECK_EQ_INT(em->status, ST_DELIVERED);
    CHECK_EQ_INT(em->folder, FOLDER_INBOX);
    CHECK_EQ_INT(em->attempts_min, 1);
    CHECK_EQ_INT(em->attempts_max, 1);
    CHECK_EQ_INT(em->final_min_us, -1);
    CHECK_EQ_INT(em->fetched, 1);
    CHECK_EQ_STR(S(w, em->reply_contains), "250 2.0.0");
    CHECK_EQ_INT(w->expect_event_count, 2);
    CHECK_EQ_INT(w->expect_events[0].sel.kind, TK_DNS);
    CHECK_EQ_INT(w->expect_events[0].sel.qtype, QTYPE_MX);
    CHECK_EQ_INT(w->expect_events[0].count_min, 1);
    CHECK_EQ_INT(w->expect_events[0].count_max, -1);
    CHECK_EQ_INT(w->expect_events[1].sel.kind, TK_SMTP);
    CHECK_EQ_INT(w->expect_events[1].sel.code, 221);
    CHECK_EQ_INT(w->expect_events[1].count_min, 1);
    CHECK_EQ_INT(w->expect_events[1].count_max, 1);
    world_destroy(w);
}

/* ---- one feature each ------------------------------------------------------------------------ */

static void scenario_should_turn_a_blocklist_into_a_reversed_a_record(void)
{
    World *w = load_ok(HEAD "'nodes': [" NODES "], 'dns': {'blocklists': [{'zone': 'Zen.Example.',"
                            " 'listed': ['198.51.100.10', '192.0.2.7']}]}}");
    REQUIRE(w != NULL);
    CHECK_EQ_INT(w->record_count, 3); /* and the PTR of smtp.a.example (world_finalize) */
    const DnsRecord *r = find_record(w, "10.100.51.198.zen.example", DNS_A);
    CHECK(r != NULL);
    if (r) {
        char ip[16];
        world_format_ip(r->addr, ip);
        CHECK_EQ_STR(ip, "127.0.0.2");
        CHECK_EQ_INT(r->ttl_us, 300 * US_PER_S);
    }
    CHECK(find_record(w, "7.2.0.192.zen.example", DNS_A) != NULL);
    world_destroy(w);
}

static void scenario_should_store_dns_names_in_lower_case_without_the_trailing_dot(void)
{
    World *w =
        load_ok(HEAD "'nodes': [" NODES "], 'dns': {'records': ["
                     "{'name': 'B.Example.', 'type': 'MX', 'pref': 5, 'host': 'MX.B.example.'},"
                     "{'name': 'c.example', 'type': 'MX', 'host': '.', 'ttl_s': 60},"
                     "{'name': 'mx.b.example', 'type': 'A', 'addr': '203.0.113.25'}]}}");
    REQUIRE(w != NULL);
    const DnsRecord *mx = find_record(w, "b.example", DNS_MX);
    CHECK(mx != NULL);
    if (mx) {
        CHECK_EQ_STR(S(w, mx->host), "mx.b.example");
        CHECK_EQ_INT(mx->pref, 5);
    }
    const DnsRecord *null_mx = find_record(w, "c.example", DNS_MX);
    CHECK(null_mx != NULL);
    if (null_mx) {
        CHECK_EQ_STR(S(w, null_mx->host), ".");
        CHECK_EQ_INT(null_mx->pref, 0);
        CHECK_EQ_INT(null_mx->ttl_us, 60 * US_PER_S);
    }
    world_destroy(w);
}

static void scenario_should_give_links_the_network_defaults(void)
{
    World *w =
        load_ok(HEAD "'network': {'latency_ms': 5, 'bandwidth_mbps': 1000, 'jitter_ms': 1.5},"
                     " 'nodes': [" NODES "], 'links': [{'between': ['smtp.a', 'mx.b'],"
                     " 'latency_ms': 80}]}");
    REQUIRE(w != NULL);
    CHECK_EQ_INT(w->default_link.latency_us, 5000);
    CHECK_EQ_INT(w->default_link.bandwidth_bps, INT64_C(1000000000));
    CHECK_EQ_INT(w->default_link.jitter_us, 1500);
    const WorldLink *l = world_link(w, node(w, "smtp.a"), node(w, "mx.b"));
    CHECK(!l->implicit);
    CHECK_EQ_INT(l->latency_us, 80000);
    CHECK_EQ_INT(l->bandwidth_bps, INT64_C(1000000000));
    CHECK_EQ_INT(l->jitter_us, 1500);
    /* Implicit links are made from the defaults too. */
    const WorldLink *imp = world_link(w, node(w, "alice"), node(w, "smtp.a"));
    CHECK(imp->implicit);
    CHECK_EQ_INT(imp->latency_us, 5000);
    world_destroy(w);
}

static void scenario_should_read_every_node_option(void)
{
    World *w = load_ok(
        HEAD "'nodes': ["
             "{'id': 'alice', 'kind': 'client', 'label': 'Alice', 'pos': [0.1, 0.9],"
             " 'address': 'alice@A.Example', 'name': 'Alice L', 'submit_to': 'smtp.a',"
             " 'store': 'store.a', 'poll_s': 0, 'access': 'pop3', 'idle': true},"
             "{'id': 'smtp.a', 'kind': 'outgoing', 'ip': '198.51.100.10', 'resolver': 'dns',"
             " 'retry': {'style': 'fixed', 'waits_s': [60, 120.5], 'lifetime_s': 3600,"
             "  'delay_warning_s': 1800}, 'connect_timeout_s': 10, 'process_ms': 2.5,"
             " 'max_mx_tries': 2, 'rdns': false, 'local_domains': ['a.example'],"
             " 'local_store': 'store.a'},"
             "{'id': 'dns', 'kind': 'resolver', 'cache': false, 'hit_ms': [2, 4],"
             " 'miss_ms': [50, 50], 'timeout_s': 3, 'negative_ttl_s': 60},"
             "{'id': 'mx.b', 'kind': 'incoming', 'ip': '203.0.113.25', 'domains': ['b.example'],"
             " 'store': 'store.b', 'filter': 'spamd', 'resolver': 'dns', 'dnsbl': ['zen.example'],"
             " 'greylist': {'delay_s': 60, 'max_age_days': 1.5, 'auto_whitelist': 0},"
             " 'message_size_limit': 1000, 'quota_policy': 'permanent', 'concurrency': 2,"
             " 'backlog': 0, 'process_ms': 1},"
             "{'id': 'spamd', 'kind': 'filter', 'store': 'store.b', 'required_score': 4.5,"
             " 'scores': {'SUBJ_ALL_CAPS': 2.25, 'BAYES_00': -3}, 'scan_ms': 800, 'max_links': 3,"
             " 'uribl': ['Bad.Example'], 'suspicious_tlds': ['zip'], 'sbl_zone': 'sbl.example',"
             " 'resolver': 'dns', 'bayes': {'enabled': false, 'min_spam': 5, 'min_ham': 6,"
             " 'autolearn': false, 'autolearn_ham': -1, 'autolearn_spam': 9}},"
             "{'id': 'store.a', 'kind': 'store', 'mailboxes': [{'address': 'alice@a.example'}]},"
             "{'id': 'store.b', 'kind': 'store', 'deliver_ms': 20, 'mailboxes': ["
             " {'address': 'bob@b.example', 'quota_bytes': 0},"
             " {'address': 'carol@b.example', 'quota_bytes': 1000, 'used_bytes': 990}]}]}");
    REQUIRE(w != NULL);
    const WorldNode *a = &w->nodes[node(w, "alice")];
    CHECK(a->has_pos);
    CHECK(a->x > 0.09f && a->x < 0.11f && a->y > 0.89f && a->y < 0.91f);
    CHECK_EQ_STR(S(w, a->label), "Alice");
    CHECK_EQ_STR(S(w, a->u.client.address), "alice@a.example"); /* domain lower-cased */
    CHECK_EQ_INT(a->u.client.poll_us, 0);
    CHECK_EQ_INT(a->u.client.access, ACCESS_POP3);
    CHECK(a->u.client.idle);

    const OutgoingCfg *o = &w->nodes[node(w, "smtp.a")].u.out;
    CHECK_EQ_INT(o->retry.style, RETRY_FIXED);
    CHECK_EQ_INT(o->retry.fixed_count, 2);
    CHECK_EQ_INT(o->retry.fixed_us[0], 60 * US_PER_S);
    CHECK_EQ_INT(o->retry.fixed_us[1], 120500000);
    CHECK_EQ_INT(o->retry.lifetime_us, 3600 * US_PER_S);
    CHECK_EQ_INT(o->retry.delay_warning_us, 1800 * US_PER_S);
    CHECK_EQ_INT(o->retry.queue_run_us, 300 * US_PER_S);
    CHECK_EQ_INT(o->connect_timeout_us, 10 * US_PER_S);
    CHECK_EQ_INT(o->process_us, 2500);
    CHECK_EQ_INT(o->max_mx_tries, 2);
    CHECK(!o->rdns);

    const ResolverCfg *r = &w->nodes[node(w, "dns")].u.res;
    CHECK(!r->cache);
    CHECK_EQ_INT(r->hit_min_us, 2000);
    CHECK_EQ_INT(r->hit_max_us, 4000);
    CHECK_EQ_INT(r->miss_min_us, 50000);
    CHECK_EQ_INT(r->miss_max_us, 50000);
    CHECK_EQ_INT(r->timeout_us, 3 * US_PER_S);
    CHECK_EQ_INT(r->negative_ttl_us, 60 * US_PER_S);

    const IncomingCfg *in = &w->nodes[node(w, "mx.b")].u.in;
    CHECK_EQ_INT(in->filter, node(w, "spamd"));
    CHECK_EQ_INT(in->resolver, node(w, "dns"));
    CHECK_EQ_INT(in->dnsbl_count, 1);
    CHECK(in->greylist);
    CHECK_EQ_INT(in->greylist_delay_us, 60 * US_PER_S);
    CHECK_EQ_INT(in->greylist_max_age_us, 129600 * US_PER_S);
    CHECK_EQ_INT(in->greylist_auto_whitelist, 0);
    CHECK_EQ_INT(in->size_limit_bytes, 1000);
    CHECK_EQ_INT(in->quota, QUOTA_PERMANENT);
    CHECK_EQ_INT(in->concurrency, 2);
    CHECK_EQ_INT(in->backlog, 0);
    CHECK_EQ_INT(in->process_us, 1000);

    const FilterCfg *f = &w->nodes[node(w, "spamd")].u.filter;
    CHECK_EQ_INT(f->required_milli, 4500);
    CHECK_EQ_INT(f->score_milli[RULE_SUBJ_ALL_CAPS], 2250);
    CHECK_EQ_INT(f->score_milli[RULE_BAYES_00], -3000);
    CHECK_EQ_INT(f->score_milli[RULE_URIBL_BLACK], 1700); /* unstated: the default */
    CHECK_EQ_INT(f->scan_us, 800000);
    CHECK_EQ_INT(f->max_links, 3);
    CHECK_EQ_INT(f->uribl_count, 1);
    CHECK_EQ_STR(S(w, f->uribl[0]), "bad.example");
    CHECK_EQ_INT(f->bad_tld_count, 1);
    CHECK_EQ_STR(S(w, f->bad_tlds[0]), "zip");
    CHECK_EQ_STR(S(w, f->sbl_zone), "sbl.example");
    CHECK(!f->bayes);
    CHECK_EQ_INT(f->bayes_min_spam, 5);
    CHECK_EQ_INT(f->bayes_min_ham, 6);
    CHECK(!f->autolearn);
    CHECK_EQ_INT(f->autolearn_ham_milli, -1000);
    CHECK_EQ_INT(f->autolearn_spam_milli, 9000);

    const StoreCfg *s = &w->nodes[node(w, "store.b")].u.store;
    CHECK_EQ_INT(s->deliver_us, 20000);
    CHECK_EQ_INT(s->mailbox_count, 2);
    CHECK_EQ_INT(s->mailboxes[0].quota_bytes, 0);
    CHECK_EQ_INT(s->mailboxes[1].quota_bytes, 1000);
    CHECK_EQ_INT(s->mailboxes[1].used_bytes, 990);
    world_destroy(w);
}

static void scenario_should_start_a_retry_policy_from_its_style_defaults(void)
{
    World *w = load_ok(HEAD "'nodes': ["
                            "{'id': 'smtp.a', 'kind': 'outgoing', 'ip': '198.51.100.10',"
                            " 'resolver': 'dns', 'retry': {'style': 'exim', 'min_backoff_s': 60}},"
                            "{'id': 'dns', 'kind': 'resolver'},"
                            "{'id': 'mx.b', 'kind': 'incoming', 'ip': '203.0.113.25',"
                            " 'greylist': true, 'domains': ['b.example'], 'store': 'store.b'},"
                            "{'id': 'store.b', 'kind': 'store'}]}");
    REQUIRE(w != NULL);
    const RetryPolicy *p = &w->nodes[node(w, "smtp.a")].u.out.retry;
    RetryPolicy exim;
    world_retry_defaults(&exim, RETRY_EXIM);
    CHECK_EQ_INT(p->style, RETRY_EXIM);
    CHECK_EQ_INT(p->lifetime_us, exim.lifetime_us);
    CHECK_EQ_INT(p->max_backoff_us, exim.max_backoff_us);
    CHECK_EQ_INT(p->min_backoff_us, 60 * US_PER_S);
    const IncomingCfg *in = &w->nodes[node(w, "mx.b")].u.in;
    CHECK(in->greylist);
    CHECK_EQ_INT(in->greylist_delay_us, 300 * US_PER_S); /* postgrey's default */
    world_destroy(w);
}

static void scenario_should_number_messages_and_queue_their_sends(void)
{
    World *w = load_ok(HEAD "'seed': 42, 'horizon_s': 86400, 'nodes': [" NODES "],"
                            "'messages': ["
                            "{'at_s': 30, 'from': 'alice@a.example', 'to': ['bob@b.example',"
                            " 'carol@B.EXAMPLE'], 'subject': 'S', 'body': 'B', 'date': false,"
                            " 'attachments': [{'name': 'a.pdf', 'size_bytes': 3000}]},"
                            "{'id': 'late', 'at_s': 0.0015, 'from': 'alice@a.example',"
                            " 'to': ['bob@b.example'], 'size_bytes': 1234},"
                            "{'from': 'alice@a.example', 'to': ['bob@b.example']}]}");
    REQUIRE(w != NULL);
    CHECK_EQ_INT(w->seed, 42);
    CHECK_EQ_INT(w->horizon_us, 86400 * US_PER_S);
    CHECK_EQ_INT(w->spec_count, 3);
    CHECK_EQ_STR(S(w, w->specs[0].id), "m1");
    CHECK_EQ_STR(S(w, w->specs[1].id), "late");
    CHECK_EQ_STR(S(w, w->specs[2].id), "m3");
    CHECK_EQ_INT(w->specs[0].to_count, 2);
    CHECK_EQ_STR(S(w, w->specs[0].to[1]), "carol@b.example");
    CHECK(w->specs[0].no_date);
    CHECK_EQ_INT(w->specs[0].attachment_count, 1);
    CHECK_EQ_INT(w->specs[0].attachments[0].size_bytes, 3000);
    CHECK(w->specs[0].size_bytes > 4000); /* base64 makes 3000 bytes 4000 */
    CHECK_EQ_INT(w->specs[1].size_bytes, 1234);
    /* Sends become actions, sorted by time by world_finalize (stable for equal times). */
    CHECK_EQ_INT(w->action_count, 3);
    CHECK_EQ_INT(w->actions[0].at_us, 0);
    CHECK_EQ_INT(w->actions[0].spec, 2);
    CHECK_EQ_INT(w->actions[1].at_us, 1500);
    CHECK_EQ_INT(w->actions[1].spec, 1);
    CHECK_EQ_INT(w->actions[2].at_us, 30 * US_PER_S);
    CHECK_EQ_INT(w->actions[2].spec, 0);
    world_destroy(w);
}

static void scenario_should_read_every_action(void)
{
    World *w =
        load_ok(HEAD "'nodes': [" NODES "], " MSG1 ", 'actions': ["
                     "{'at_s': 10, 'do': 'outage', 'node': 'mx.b', 'until_s': 70,"
                     " 'mode': 'timeout'},"
                     "{'at_s': 20, 'do': 'outage', 'node': 'dns'},"
                     "{'at_s': 30, 'do': 'dns_failure', 'name': 'B.example', 'rcode': 'NXDOMAIN'},"
                     "{'at_s': 40, 'do': 'mark_spam', 'user': 'bob@b.example', 'msg': 'm1'},"
                     "{'at_s': 50, 'do': 'mark_not_spam', 'user': 'bob@b.example',"
                     " 'msg': 'm1-dsn'},"
                     "{'at_s': 60, 'do': 'delete', 'user': 'bob@b.example', 'bytes': 5000},"
                     "{'at_s': 70, 'do': 'fetch', 'user': 'bob@b.example'}]}");
    REQUIRE(w != NULL);
    CHECK_EQ_INT(w->action_count, 8); /* the send first (at 0 s) */
    const Action *a = w->actions;
    CHECK_EQ_INT(a[0].kind, ACT_SEND);
    CHECK_EQ_INT(a[1].kind, ACT_OUTAGE);
    CHECK_EQ_INT(a[1].node, node(w, "mx.b"));
    CHECK_EQ_INT(a[1].until_us, 70 * US_PER_S);
    CHECK_EQ_INT(a[1].mode, OUTAGE_TIMEOUT);
    CHECK_EQ_INT(a[2].until_us, INT64_MAX);
    CHECK_EQ_INT(a[2].mode, OUTAGE_REFUSE);
    CHECK_EQ_INT(a[3].kind, ACT_DNS_FAILURE);
    CHECK_EQ_STR(S(w, a[3].name), "b.example");
    CHECK_EQ_INT(a[3].rcode, RCODE_NXDOMAIN);
    CHECK_EQ_INT(a[3].until_us, INT64_MAX);
    CHECK_EQ_INT(a[4].kind, ACT_MARK_SPAM);
    CHECK_EQ_STR(S(w, a[4].name), "bob@b.example");
    CHECK_EQ_STR(S(w, a[4].msg), "m1");
    CHECK_EQ_INT(a[5].kind, ACT_MARK_NOT_SPAM);
    CHECK_EQ_STR(S(w, a[5].msg), "m1-dsn");
    CHECK_EQ_INT(a[6].kind, ACT_DELETE);
    CHECK_EQ_INT(a[6].bytes, 5000);
    CHECK_EQ_INT(a[6].msg, STR_EMPTY);
    CHECK_EQ_INT(a[7].kind, ACT_FETCH);
    world_destroy(w);
}

static void scenario_should_read_captions_and_expectations(void)
{
    World *w = load_ok(HEAD "'nodes': [" NODES "], " MSG1 ", 'captions': ["
                            "{'at_s': 2, 'text': 'two seconds in'},"
                            "{'on': {'kind': 'smtp', 'code': 250, 'node': 'mx.b', 'msg': 'm1'},"
                            " 'text': 'accepted'}],"
                            "'expect': {'messages': ["
                            "{'msg': 'm1-dsn', 'status': 'bounced', 'folder': null,"
                            " 'attempts': {'min': 2}, 'final_s': {'min': 60, 'max': 90.5},"
                            " 'fetched': false},"
                            "{'msg': 'm1', 'rcpt': 'bob@B.example', 'folder': 'junk'}],"
                            "'events': [{'kind': 'conn', 'from': 'smtp.a', 'to': 'mx.b',"
                            " 'count': {'min': 0, 'max': 0}},"
                            "{'kind': 'dns', 'qtype': 'PTR', 'msg': 'm1', 'count': 3,"
                            " 'text_contains': 'NXDOMAIN'}]}}");
    REQUIRE(w != NULL);
    CHECK_EQ_INT(w->caption_count, 2);
    CHECK_EQ_INT(w->captions[0].at_us, 2 * US_PER_S);
    CHECK_EQ_INT(w->captions[0].kind, -1);
    CHECK_EQ_STR(S(w, w->captions[0].text), "two seconds in");
    CHECK_EQ_INT(w->captions[1].at_us, -1);
    CHECK_EQ_INT(w->captions[1].kind, TK_SMTP);
    CHECK_EQ_INT(w->captions[1].code, 250);
    CHECK_EQ_INT(w->captions[1].node, node(w, "mx.b"));

    CHECK_EQ_INT(w->expect_msg_count, 2);
    const ExpectMsg *e = &w->expect_msgs[0];
    CHECK_EQ_STR(S(w, e->msg), "m1-dsn");
    CHECK_EQ_INT(e->status, ST_BOUNCED);
    CHECK_EQ_INT(e->folder, FOLDER_NONE);
    CHECK_EQ_INT(e->attempts_min, 2);
    CHECK_EQ_INT(e->attempts_max, -1);
    CHECK_EQ_INT(e->final_min_us, 60 * US_PER_S);
    CHECK_EQ_INT(e->final_max_us, 90500000);
    CHECK_EQ_INT(e->fetched, 0);
    CHECK_EQ_INT(e->path_index, 0);
    e = &w->expect_msgs[1];
    CHECK_EQ_STR(S(w, e->rcpt), "bob@b.example");
    CHECK_EQ_INT(e->status, ST_ANY);
    CHECK_EQ_INT(e->folder, FOLDER_JUNK);
    CHECK_EQ_INT(e->fetched, -1);
    CHECK_EQ_INT(e->path_index, 1);

    CHECK_EQ_INT(w->expect_event_count, 2);
    const ExpectEvent *ev = &w->expect_events[0];
    CHECK_EQ_INT(ev->sel.kind, TK_CONN);
    CHECK_EQ_INT(ev->sel.from, node(w, "smtp.a"));
    CHECK_EQ_INT(ev->sel.to, node(w, "mx.b"));
    CHECK_EQ_INT(ev->count_min, 0);
    CHECK_EQ_INT(ev->count_max, 0);
    ev = &w->expect_events[1];
    CHECK_EQ_INT(ev->sel.qtype, QTYPE_PTR);
    CHECK_EQ_INT(ev->count_min, 3);
    CHECK_EQ_INT(ev->count_max, 3);
    CHECK_EQ_STR(S(w, ev->sel.text_contains), "NXDOMAIN");
    world_destroy(w);
}

/* The full example in the format documentation must stay valid. */
static void scenario_should_load_the_documented_example(void)
{
    char *doc = read_text(DOC);
    REQUIRE(doc != NULL);
    char *start = strstr(doc, "```json\n"), *end = start ? strstr(start + 8, "```") : NULL;
    CHECK(start && end);
    if (start && end) {
        Error err = { 0 };
        World *w = scenario_load_string(start + 8, (size_t)(end - start - 8), DOC, &err);
        char buf[1400];
        CHECK_EQ_STR(w ? "loaded" : error_format(&err, buf, sizeof buf), "loaded");
        if (w) {
            CHECK_EQ_INT(w->node_count, 11);
            CHECK_EQ_INT(w->spec_count, 3);
            CHECK_EQ_INT(w->action_count, 7);
            CHECK(find_record(w, "66.2.0.192.zen.example", DNS_A) != NULL);
        }
        world_destroy(w);
    }
    free(doc);
}

/* ---- failures -------------------------------------------------------------------------------- */

static void scenario_should_fail_with_file_place_and_message(void)
{
    char *json = q(HEAD "'nodes': [" NODES "], 'links': [{'between': ['smtp.a', 'mx9']}]}");
    Error err = { 0 };
    World *w = scenario_load_string(json, strlen(json), "lessons/x.json", &err);
    free(json);
    CHECK(w == NULL);
    CHECK(err.set);
    CHECK_EQ_STR(err.file, "lessons/x.json");
    CHECK_EQ_STR(err.where, "$.links[0].between[1]");
    CHECK_EQ_STR(err.msg, "node \"mx9\" is not defined (did you mean \"mx.b\"?); defined nodes: "
                          "alice, smtp.a, dns, mx.b, store.b, bob");
    world_destroy(w);

    /* No name: "<string>"; a missing file: the OS's reason. */
    Error e2 = { 0 };
    CHECK(scenario_load_string("[]", 2, NULL, &e2) == NULL);
    CHECK_EQ_STR(e2.file, "<string>");
    Error e3 = { 0 };
    CHECK(scenario_load_file("tests/data/no-such-file.json", &e3) == NULL);
    CHECK_EQ_STR(e3.file, "tests/data/no-such-file.json");
    CHECK(strstr(e3.msg, "cannot open") != NULL);
    /* A NULL err is allowed. */
    CHECK(scenario_load_string("{", 1, "x", NULL) == NULL);
}

static void scenario_should_report_syntax_errors_at_line_and_column(void)
{
    char buf[1400];
    CHECK_EQ_STR(load_err("{\n  'mailsim': 1,\n  'title': 'x' 'nodes': []\n}", buf, sizeof buf),
                 "inline.json: line 3:16: JSON syntax error near '\"nodes\": []': expected ',' or "
                 "'}' after a value (a missing comma?)");
    /* Columns count characters, not bytes. */
    CHECK_EQ_STR(load_err("{'title': 'Café', 'x': tru}", buf, sizeof buf),
                 "inline.json: line 1:24: JSON syntax error near 'tru}': a word that is not a "
                 "JSON value; strings need double quotes, and the only bare words are true, false "
                 "and null");
    CHECK_EQ_STR(load_err("{'mailsim': 1", buf, sizeof buf),
                 "inline.json: line 1:14: JSON syntax error at the end of the file: an object is "
                 "still open (a missing }?)");
    CHECK_EQ_STR(load_err("  \n ", buf, sizeof buf),
                 "inline.json: the file is empty; a scenario is a JSON object { \"mailsim\": 1, "
                 "\"title\": ..., \"nodes\": [...] }");
}

static void scenario_should_reject_unknown_keys_everywhere(void)
{
    char buf[1400];
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'expect': {'events': [{'kind': 'dns',"
                               " 'cuont': 2}]}}",
                          buf, sizeof buf),
                 "inline.json: $.expect.events[0].cuont: unknown key \"cuont\" (did you mean "
                 "\"count\"?); expected one of: kind, msg, from, to, code, qtype, text_contains, "
                 "count");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'actions': [{'at_s': 1, 'do': 'fetch',"
                               " 'user': 'bob@b.example', 'msg': 'm1'}]}",
                          buf, sizeof buf),
                 "inline.json: $.actions[0].msg: unknown key \"msg\" for a \"fetch\" action; "
                 "expected one of: at_s, do, user");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'dns': {'records': [{'name': 'b.example',"
                               " 'type': 'A', 'addr': '192.0.2.1', 'host': 'x'}]}}",
                          buf, sizeof buf),
                 "inline.json: $.dns.records[0].host: unknown key \"host\" for an A record; "
                 "expected one of: name, type, ttl_s, addr");
}

static void scenario_should_check_values_and_references(void)
{
    char buf[1400];
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'links': [{'between': ['smtp.a', 'mx.b'],"
                               " 'latency_ms': 'ten'}]}",
                          buf, sizeof buf),
                 "inline.json: $.links[0].latency_ms: expected a number of milliseconds >= 0, "
                 "got \"ten\"");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES ", {'id': 'x', 'kind': 'client', 'address':"
                               " 'bob@b.example', 'store': 'store.b'}]}",
                          buf, sizeof buf),
                 "inline.json: $.nodes[6].address: bob@b.example is already the address of client "
                 "\"bob\"; give each client its own address");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES ", {'id': 'mx2', 'kind': 'incoming', 'ip':"
                               " '203.0.113.25', 'domains': ['b.example'], 'store': 'store.b'}]}",
                          buf, sizeof buf),
                 "inline.json: $.nodes[6].ip: ip 203.0.113.25 is already used by node \"mx.b\"");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'messages': [{'id': 'm1-dsn', 'from':"
                               " 'alice@a.example', 'to': ['bob@b.example']}]}",
                          buf, sizeof buf),
                 "inline.json: $.messages[0].id: message ids ending in \"-dsn\" are reserved for "
                 "the bounces the run creates");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'messages': [{'from': 'alice@a.example',"
                               " 'to': ['bob@b.example']}, {'id': 'm1', 'from': 'alice@a.example',"
                               " 'to': ['bob@b.example']}, {'from': 'alice@a.example',"
                               " 'to': ['bob@b.example']}]}",
                          buf, sizeof buf),
                 "inline.json: $.messages[1].id: duplicate message id \"m1\"; $.messages[0] "
                 "already uses it");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'captions': [{'text': 'x', 'on': {}}]}", buf,
                          sizeof buf),
                 "inline.json: $.captions[0].on: expected at least one of \"kind\", \"msg\", "
                 "\"code\" or \"node\" to say which event the caption belongs to");
    CHECK_EQ_STR(load_err(HEAD "'nodes': [" NODES "], 'expect': {'messages': [{'msg': 'm1',"
                               " 'attempts': {'min': 3, 'max': 2}}]}}",
                          buf, sizeof buf),
                 "inline.json: $.expect.messages[0].attempts.min: min is larger than max; "
                 "expected min <= max");
    CHECK_EQ_STR(load_err(HEAD "'seed': -1, 'nodes': [" NODES "]}", buf, sizeof buf),
                 "inline.json: $.seed: expected an integer >= 0, got -1");
    CHECK_EQ_STR(load_err(HEAD "'seed': 9007199254740992, 'nodes': [" NODES "]}", buf, sizeof buf),
                 "inline.json: $.seed: expected an integer from 0 to 9007199254740991, got "
                 "9007199254740992");
}

static void scenario_should_refuse_what_exceeds_the_limits(void)
{
    char buf[1400];
    /* Size: refused before parsing, so the content does not matter. */
    size_t big = SCENARIO_MAX_FILE_BYTES + 1;
    char *text = xmalloc(big);
    memset(text, ' ', big);
    Error err = { 0 };
    CHECK(scenario_load_string(text, big, "big.json", &err) == NULL);
    CHECK_EQ_STR(error_format(&err, buf, sizeof buf),
                 "big.json: the file is 8388609 bytes; the limit for a scenario is 8388608 bytes "
                 "(8 MiB)");
    free(text);

    /* A body of 64 KiB + 1. */
    size_t body = SCENARIO_MAX_STRING_BYTES + 1;
    const char *head = HEAD "'nodes': [" NODES "], 'messages': [{'from': 'alice@a.example',"
                            " 'to': ['bob@b.example'], 'body': '";
    text = xmalloc(strlen(head) + body + 8);
    strcpy(text, head);
    memset(text + strlen(head), 'x', body);
    strcpy(text + strlen(head) + body, "'}]}");
    CHECK_EQ_STR(load_err(text, buf, sizeof buf),
                 "inline.json: $.messages[0].body: a string of 65537 bytes; the limit is 65536 "
                 "bytes (64 KiB)");
    free(text);

    /* 10 001 nodes. */
    size_t cap = 64 + (SCENARIO_MAX_NODES + 1) * 48, len = 0;
    text = xmalloc(cap);
    len += (size_t)snprintf(text, cap, "{'mailsim': 1, 'title': 't', 'nodes': [");
    for (unsigned i = 0; i <= SCENARIO_MAX_NODES; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%s{'id': 'r%u', 'kind': 'resolver'}",
                                i ? "," : "", i);
    }
    snprintf(text + len, cap - len, "]}");
    CHECK_EQ_STR(load_err(text, buf, sizeof buf),
                 "inline.json: $.nodes: 10001 nodes; the limit is 10000");
    free(text);

    /* 1001 recipients on one message. */
    cap = 256 + 1001 * 24;
    text = xmalloc(cap);
    len = (size_t)snprintf(text, cap, "%s",
                           HEAD "'nodes': [" NODES "], 'messages': [{'from':"
                                " 'alice@a.example', 'to': [");
    for (unsigned i = 0; i < 1001; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%s'u%u@b.example'", i ? "," : "", i);
    }
    snprintf(text + len, cap - len, "]}]}");
    CHECK_EQ_STR(load_err(text, buf, sizeof buf),
                 "inline.json: $.messages[0].to: 1001 recipient addresses; the limit is 1000");
    free(text);
}

/* ---- the bad files --------------------------------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, len = 0, n;
    char *s = xmalloc(cap);
    while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            s = xgrow(s, &cap, cap + 1, 1);
        }
    }
    fclose(f);
    s[len] = '\0';
    return s;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scenario_should_refuse_every_bad_file_with_its_error(void)
{
    DIR *d = opendir(BAD_DIR);
    CHECK(d != NULL);
    if (!d) {
        fprintf(stderr, "  cannot open %s (run from the repository root)\n", BAD_DIR);
        return;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            names = xgrow(names, &cap, count + 1, sizeof *names);
            names[count++] = xstrndup(e->d_name, len - 5);
        }
    }
    closedir(d);
    qsort(names, count, sizeof *names, cmp_names);
    CHECK(count >= 20);
    for (size_t i = 0; i < count; i++) {
        char json[512], errfile[512], got[1400];
        snprintf(json, sizeof json, "%s/%s.json", BAD_DIR, names[i]);
        snprintf(errfile, sizeof errfile, "%s/%s.err", BAD_DIR, names[i]);
        char *want = read_text(errfile);
        CHECK(want != NULL);
        if (want) {
            want[strcspn(want, "\n")] = '\0';
        }
        Error err = { 0 };
        World *w = scenario_load_file(json, &err);
        CHECK(w == NULL);
        world_destroy(w);
        CHECK_EQ_STR(error_format(&err, got, sizeof got), want ? want : "(no .err file)");
        free(want);
        free(names[i]);
    }
    free(names);
}

/* ---- robustness ------------------------------------------------------------------------------ */

/* Every prefix of a valid file, and the file with each byte overwritten by characters that
 * matter to JSON, must load or fail with an error set: no crash, no leak, no half world. */
static void scenario_should_survive_truncated_and_corrupted_files(void)
{
    char *text = read_text(HAPPY);
    REQUIRE(text != NULL);
    size_t len = strlen(text), end = strrchr(text, '}') - text; /* the document's last byte */
    size_t failures = 0, unexplained = 0;
    for (size_t cut = 0; cut <= end; cut++) {
        Error err = { 0 };
        World *w = scenario_load_string(text, cut, "cut.json", &err);
        failures += w == NULL;
        unexplained += w == NULL && !err.set;
        world_destroy(w);
    }
    CHECK_EQ_INT(failures, end + 1); /* no proper prefix of an object is valid JSON */
    static const char flips[] = { '"', '}', ']', ',', '0', 'x', '\\', '\x80' };
    for (size_t i = 0; i < len; i++) {
        char saved = text[i];
        for (size_t k = 0; k < sizeof flips; k++) {
            text[i] = flips[k];
            Error err = { 0 };
            World *w = scenario_load_string(text, len, "flip.json", &err);
            unexplained += w == NULL && !err.set;
            world_destroy(w);
        }
        text[i] = saved;
    }
    CHECK_EQ_INT(unexplained, 0);
    free(text);
}

/* Every new key lands in the World with its value; the loader converts units and names. */
static void scenario_should_load_the_records_and_knobs_a_real_case_needs(void)
{
    World *w = load_ok(
        "{'mailsim': 1, 'title': 't', 'nodes': ["
        " {'id': 'alice', 'kind': 'client', 'address': 'alice@a.example', 'submit_to': 'smtp.a'},"
        " {'id': 'smtp.a', 'kind': 'outgoing', 'ip': '198.51.100.10', 'resolver': 'dns.a',"
        "  'mx_address_limit': 3, 'mx_session_limit': 0, 'defer_if_no_mx_address': true,"
        "  'recipient_limit': 7, 'checks_size': false, 'message_size_limit': 5000,"
        "  'connection_cache': false, 'connection_cache_time_s': 0.5, 'pipelining': false,"
        "  'notify_classes': ['bounce', '2bounce']},"
        " {'id': 'dns.a', 'kind': 'resolver'},"
        " {'id': 'mx.b', 'kind': 'incoming', 'ip': '203.0.113.25', 'domains': ['b.example'],"
        "  'store': 'store.b', 'resolver': 'dns.a', 'advertise_size': false, 'pipelining': false,"
        "  'dnsbl': ['sbl.example', {'zone': 'zen.example', 'answer': '127.0.0.4'}],"
        "  'greylist': {'code': 451, 'retry_window_days': 1, 'whitelist_clients': ['192.0.2.1'],"
        "   'whitelist_recipients': ['postmaster@b.example', 'c.example']},"
        "  'scripted_replies': [{'at': 'rcpt', 'rcpt': 'bob@b.example', 'reply': '452 4.2.2 Full',"
        "   'times': 2, 'from_s': 10, 'until_s': 20}, {'at': 'greeting', 'reply': '421 Busy'}]},"
        " {'id': 'store.b', 'kind': 'store', 'mailboxes': [{'address': 'bob@b.example'}]}],"
        " 'dns': {'records': ["
        "  {'name': 'b.example', 'type': 'SOA', 'ttl_s': 600, 'minimum_s': 60},"
        "  {'name': 'Mail.B.example', 'type': 'CNAME', 'host': 'mx.b.example'},"
        "  {'name': 'mx.b.example', 'type': 'AAAA', 'addr': '2001:DB8::25'},"
        "  {'name': 'b.example', 'type': 'TXT', 'text': 'v=spf1 -all'}],"
        "  'blocklists': [{'zone': 'zen.example', 'answer': '127.0.0.4',"
        "   'listed': ['192.0.2.7', {'ip': '192.0.2.8', 'answer': '127.0.0.10'}]}]}}");
    REQUIRE(w);
    const OutgoingCfg *o = &w->nodes[1].u.out;
    CHECK_EQ_INT(o->max_mx_tries, 3);
    CHECK_EQ_INT(o->mx_session_limit, 0);
    CHECK(o->defer_if_no_mx_address);
    CHECK_EQ_INT(o->recipient_limit, 7);
    CHECK(!o->checks_size && !o->connection_cache && !o->pipelining);
    CHECK_EQ_INT(o->size_limit_bytes, 5000);
    CHECK_EQ_INT(o->cache_time_us, 500000);
    CHECK_EQ_INT(o->notify_classes, (1u << NOTIFY_BOUNCE) | (1u << NOTIFY_2BOUNCE));
    const IncomingCfg *in = &w->nodes[3].u.in;
    CHECK(!in->advertise_size && !in->pipelining);
    REQUIRE(in->dnsbl_count == 2);
    CHECK_EQ_INT(in->dnsbl_answer[0], 0);
    CHECK_EQ_INT(in->dnsbl_answer[1], 0x7F000004);
    CHECK_EQ_INT(in->greylist_code, 451);
    CHECK_EQ_INT(in->greylist_retry_window_us, 86400 * US_PER_S);
    CHECK_EQ_INT(in->greylist_client_count, 1);
    REQUIRE(in->greylist_rcpt_count == 2);
    CHECK_EQ_STR(strpool_get(w->strings, in->greylist_rcpts[1]), "c.example");
    REQUIRE(in->script_count == 2);
    CHECK_EQ_INT(in->scripts[0].at, STAGE_RCPT);
    CHECK_EQ_INT(in->scripts[0].code, 452);
    CHECK_EQ_INT(in->scripts[0].times, 2);
    CHECK_EQ_INT(in->scripts[0].from_us, 10 * US_PER_S);
    CHECK_EQ_INT(in->scripts[0].until_us, 20 * US_PER_S);
    CHECK_EQ_INT(in->scripts[1].code, 421);
    CHECK(in->scripts[1].until_us == INT64_MAX);
    /* The six records written, then the PTR world_finalize adds for the outgoing server's rdns. */
    REQUIRE(w->record_count == 7);
    CHECK_EQ_INT(w->records[6].type, DNS_PTR);
    CHECK_EQ_INT(w->records[0].type, DNS_SOA);
    CHECK_EQ_INT(w->records[0].soa_minimum_us, 60 * US_PER_S);
    CHECK_EQ_STR(strpool_get(w->strings, w->records[1].name), "mail.b.example");
    CHECK_EQ_STR(strpool_get(w->strings, w->records[2].text), "2001:db8::25");
    CHECK_EQ_STR(strpool_get(w->strings, w->records[3].text), "v=spf1 -all");
    CHECK_EQ_INT(w->records[4].addr, 0x7F000004);
    CHECK_EQ_INT(w->records[5].addr, 0x7F00000A);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(scenario_should_load_the_happy_path_with_its_defaults),
          TEST_CASE(scenario_should_load_the_records_and_knobs_a_real_case_needs),
          TEST_CASE(scenario_should_turn_a_blocklist_into_a_reversed_a_record),
          TEST_CASE(scenario_should_store_dns_names_in_lower_case_without_the_trailing_dot),
          TEST_CASE(scenario_should_give_links_the_network_defaults),
          TEST_CASE(scenario_should_read_every_node_option),
          TEST_CASE(scenario_should_start_a_retry_policy_from_its_style_defaults),
          TEST_CASE(scenario_should_number_messages_and_queue_their_sends),
          TEST_CASE(scenario_should_read_every_action),
          TEST_CASE(scenario_should_read_captions_and_expectations),
          TEST_CASE(scenario_should_load_the_documented_example),
          TEST_CASE(scenario_should_fail_with_file_place_and_message),
          TEST_CASE(scenario_should_report_syntax_errors_at_line_and_column),
          TEST_CASE(scenario_should_reject_unknown_keys_everywhere),
          TEST_CASE(scenario_should_check_values_and_references),
          TEST_CASE(scenario_should_refuse_what_exceeds_the_limits),
          TEST_CASE(scenario_should_refuse_every_bad_file_with_its_error),
          TEST_CASE(scenario_should_survive_truncated_and_corrupted_files))
