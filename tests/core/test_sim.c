/* test_sim: the mail model end to end — scenarios loaded from text, run, and their traces
 * inspected event by event (the SMTP dialogue's order, per-domain transactions, MX order, never
 * bouncing a bounce, determinism, the horizon) plus the trace's replay round trip for every
 * shipped scenario. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, fmemopen */

#include "test.h"
#include "shipped.h"

#include "text/expect.h"
#include "text/summary.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>

/* A two-organisation world; %s slots: extra b.example incoming keys, extra nodes, extra DNS
 * records, messages, actions. */
static const char *BASE =
    "{\"mailsim\":1,\"title\":\"t\",\"seed\":%d,%s"
    "\"nodes\":["
    "{\"id\":\"alice\",\"kind\":\"client\",\"address\":\"alice@a.example\",\"submit_to\":\"smtp.a.example\",\"store\":\"store.a.example\"},"
    "{\"id\":\"smtp.a.example\",\"kind\":\"outgoing\",\"ip\":\"198.51.100.10\",\"resolver\":\"dns.a\",\"local_domains\":[\"a.example\"],\"local_store\":\"store.a.example\"},"
    "{\"id\":\"dns.a\",\"kind\":\"resolver\"},"
    "{\"id\":\"store.a.example\",\"kind\":\"store\",\"mailboxes\":[{\"address\":\"alice@a.example\"}]},"
    "{\"id\":\"mx.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.25\",\"domains\":[\"b.example\"],\"store\":\"store.b.example\"%s},"
    "{\"id\":\"store.b.example\",\"kind\":\"store\",\"mailboxes\":[{\"address\":\"bob@b.example\"},{\"address\":\"carl@b.example\"}]},"
    "{\"id\":\"bob\",\"kind\":\"client\",\"address\":\"bob@b.example\",\"store\":\"store.b.example\"}%s],"
    "\"dns\":{\"records\":[{\"name\":\"b.example\",\"type\":\"MX\",\"pref\":10,\"host\":\"mx.b.example\"},"
    "{\"name\":\"mx.b.example\",\"type\":\"A\",\"addr\":\"203.0.113.25\"}%s]},"
    "\"messages\":[%s],\"actions\":[%s]}";

static World *load_text(int seed, const char *top, const char *mx_extra, const char *nodes,
                        const char *records, const char *messages, const char *actions)
{
    static char text[65536];
    snprintf(text, sizeof text, BASE, seed, top, mx_extra, nodes, records, messages, actions);
    Error err = { 0 };
    World *w = scenario_load_string(text, strlen(text), "inline", &err);
    if (!w) {
        char buf[1400];
        fprintf(stderr, "load failed: %s\n", error_format(&err, buf, sizeof buf));
    }
    return w;
}

static Trace *run_text(int seed, const char *top, const char *mx_extra, const char *nodes,
                       const char *records, const char *messages, const char *actions)
{
    World *w = load_text(seed, top, mx_extra, nodes, records, messages, actions);
    if (!w) {
        return NULL;
    }
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    return tr;
}

/* The outgoing server of BASE, for a test that sets what the scenario format cannot (yet). */
static OutgoingCfg *base_out(World *w)
{
    return &w->nodes[world_find_node(w, "smtp.a.example")].u.out;
}

static const char *SIMPLE_MSG =
    "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"Hi\",\"body\":\"Hello\"}";

/* The SMTP lines exchanged between two nodes, in order, joined by '|'. */
static void smtp_lines(const Trace *tr, const char *a, const char *b, char *out, size_t size)
{
    int32_t na = trace_find_node(tr, a), nb = trace_find_node(tr, b);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < trace_count(tr) && n < size; i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind != TK_SMTP || !((ev->from == na && ev->to == nb) || (ev->from == nb && ev->to == na))) {
            continue;
        }
        const char *line = trace_str(tr, ev->text);
        /* Keep only the reply code, or the command verb, so queue ids do not matter. */
        char word[16];
        if (ev->sub == TRACE_ANSWER) {
            snprintf(word, sizeof word, "%d", ev->num);
        } else {
            snprintf(word, sizeof word, "%.*s", (int)strcspn(line, " :"), line);
        }
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "|" : "", word);
    }
}

static void sim_should_run_the_smtp_dialogue_in_rfc_order(void)
{
    Trace *tr = run_text(1, "", "", "", "", SIMPLE_MSG, "");
    REQUIRE(tr != NULL);
    char lines[1024];
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|RCPT|DATA|250|250|354|.|250|QUIT|221");
    smtp_lines(tr, "alice", "smtp.a.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|AUTH|235|MAIL|250|RCPT|250|DATA|354|.|250|QUIT|221");
    trace_destroy(tr);
}

static void sim_should_share_one_transaction_per_domain(void)
{
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\",\"carl@b.example\"],\"subject\":\"Hi\",\"body\":\"x\"}",
                         "");
    REQUIRE(tr != NULL);
    char lines[1024];
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|RCPT|RCPT|DATA|250|250|250|354|.|250|QUIT|221");
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->count, 2);
    for (size_t i = 0; i < s->count; i++) {
        CHECK_EQ_INT(s->rows[i].status, ST_DELIVERED);
        CHECK_EQ_INT(s->rows[i].attempts, 1);
    }
    summary_destroy(s);
    trace_destroy(tr);
}

static void sim_should_try_mx_hosts_in_preference_order(void)
{
    /* mx9 (pref 5) has an address nobody answers at: connect times out after 30 s, then the
     * preference-10 host delivers. */
    Trace *tr = run_text(1, "", "", "",
                         ",{\"name\":\"b.example\",\"type\":\"MX\",\"pref\":5,\"host\":\"mx9.b.example\"},"
                         "{\"name\":\"mx9.b.example\",\"type\":\"A\",\"addr\":\"203.0.113.99\"}",
                         SIMPLE_MSG, "");
    REQUIRE(tr != NULL);
    int timeouts = 0, first_connect_to_mx9 = -1;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == TK_CONN && ev->sub == CONN_OPEN && first_connect_to_mx9 < 0) {
            const char *t = trace_str(tr, ev->text);
            if (strstr(t, ":25")) {
                first_connect_to_mx9 = strstr(t, "mx9.b.example") != NULL;
            }
        }
        timeouts += ev->kind == TK_CONN && ev->sub == CONN_TIMEOUT;
    }
    CHECK_EQ_INT(first_connect_to_mx9, 1);
    CHECK_EQ_INT(timeouts, 1);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_DELIVERED);
    CHECK(s->rows[0].final_us > 30 * 1000000LL);
    summary_destroy(s);
    trace_destroy(tr);
}

static void sim_should_never_bounce_a_bounce(void)
{
    /* ghost@a.example has no mailbox: the bounce for bob's unknown-user reply cannot be delivered
     * locally and is dropped instead of bounced again. ghost is a client so the message can be
     * sent at all. */
    Trace *tr = run_text(1, "", "",
                         ",{\"id\":\"ghost\",\"kind\":\"client\",\"address\":\"ghost@a.example\",\"submit_to\":\"smtp.a.example\"}",
                         "",
                         "{\"id\":\"m1\",\"from\":\"ghost@a.example\",\"to\":[\"nobody@b.example\"],\"subject\":\"x\",\"body\":\"x\"}",
                         "");
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->count, 2);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    CHECK_EQ_STR(trace_str(tr, trace_msg(tr, s->rows[1].msg)->id), "m1-dsn");
    CHECK_EQ_INT(s->rows[1].status, ST_DROPPED);
    CHECK_EQ_INT(trace_msg_count(tr), 2); /* no bounce of the bounce */
    summary_destroy(s);
    trace_destroy(tr);
}

static void sim_should_keep_events_in_time_order(void)
{
    Trace *tr = run_text(3, "", ",\"greylist\":true", "", "", SIMPLE_MSG, "");
    REQUIRE(tr != NULL);
    const TraceEvent *evs = trace_events(tr);
    int bad = 0;
    for (size_t i = 1; i < trace_count(tr); i++) {
        bad += evs[i].t_us < evs[i - 1].t_us;
        bad += evs[i].arrive_us != TRACE_NO_TIME && evs[i].arrive_us < evs[i].t_us;
    }
    CHECK_EQ_INT(bad, 0);
    trace_destroy(tr);
}

static void sim_should_stop_at_the_horizon(void)
{
    Trace *tr = run_text(1, "\"horizon_s\":1000,", "", "", "", SIMPLE_MSG,
                         "{\"at_s\":0,\"do\":\"outage\",\"node\":\"mx.b.example\"}");
    REQUIRE(tr != NULL);
    CHECK(trace_end_time(tr) <= 1000 * 1000000LL + 1000000LL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_DEFERRED);
    CHECK(s->rows[0].attempts >= 2);
    summary_destroy(s);
    trace_destroy(tr);
}

static char *write_to_string(const Trace *tr, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    trace_write_jsonl(tr, f);
    fclose(f);
    return buf;
}

static void sim_should_give_the_same_trace_for_the_same_seed(void)
{
    Trace *a = run_text(5, "", ",\"greylist\":true", "", "", SIMPLE_MSG, "");
    Trace *b = run_text(5, "", ",\"greylist\":true", "", "", SIMPLE_MSG, "");
    Trace *c = run_text(6, "", ",\"greylist\":true", "", "", SIMPLE_MSG, "");
    CHECK(a && b && c);
    if (a && b && c) {
        size_t la, lb, lc;
        char *sa = write_to_string(a, &la), *sb = write_to_string(b, &lb), *sc = write_to_string(c, &lc);
        CHECK(la == lb && memcmp(sa, sb, la) == 0);
        CHECK(!(la == lc && memcmp(sa, sc, la) == 0));
        free(sa);
        free(sb);
        free(sc);
    }
    trace_destroy(a);
    trace_destroy(b);
    trace_destroy(c);
}

/* Counts events of `kind` whose text contains `needle` (NULL = any). */
static int count_events(const Trace *tr, TraceKind kind, const char *needle)
{
    int n = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        n += ev->kind == kind && (!needle || strstr(trace_str(tr, ev->text), needle));
    }
    return n;
}

static void sim_should_bounce_at_once_for_a_null_mx(void)
{
    /* RFC 7505: "MX 0 ." means the domain accepts no mail; no SMTP is attempted. */
    Trace *tr = run_text(1, "", "", "",
                         ",{\"name\":\"c.example\",\"type\":\"MX\",\"pref\":0,\"host\":\".\"}",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"x@c.example\"],\"subject\":\"x\",\"body\":\"x\"}",
                         "");
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    /* Postfix's SMTP client's own words: no server said anything, so no reply code. */
    CHECK_EQ_STR(trace_str(tr, s->rows[0].reply), "Domain c.example does not accept mail (nullMX)");
    CHECK_EQ_INT(count_events(tr, TK_CONN, ":25"), 0);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "556"), 0);
    CHECK_EQ_INT(count_events(tr, TK_BOUNCE, "nullMX"), 1);
    summary_destroy(s);
    trace_destroy(tr);
}

static void sim_should_use_the_implicit_mx_when_there_is_only_an_a_record(void)
{
    /* d.example has no MX, only an A record pointing at mx.b.example's address: RFC 5321 §5.1
     * says to treat the domain itself as the mail host. mx.b.example does not serve d.example,
     * so it refuses the recipient (relay denied) — but it was reached, through the A record. */
    Trace *tr = run_text(1, "", "", "",
                         ",{\"name\":\"d.example\",\"type\":\"A\",\"addr\":\"203.0.113.25\"}",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"x@d.example\"],\"subject\":\"x\",\"body\":\"x\"}",
                         "");
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(count_events(tr, TK_DNS, "no MX record (NODATA)"), 1);
    CHECK_EQ_INT(count_events(tr, TK_CONN, "connect to d.example[203.0.113.25]:25"), 1);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "554 5.7.1 <x@d.example>: Relay access denied"), 1);
    trace_destroy(tr);
}

static void sim_should_answer_a_repeated_lookup_from_the_cache(void)
{
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"x\",\"body\":\"x\"},"
                         "{\"id\":\"m2\",\"at_s\":60,\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"y\",\"body\":\"y\"}",
                         "");
    REQUIRE(tr != NULL);
    int answers = 0, cached = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == TK_DNS && ev->sub == TRACE_ANSWER) {
            answers++;
            cached += (ev->flags & TRACE_F_CACHED) != 0;
        }
    }
    CHECK_EQ_INT(answers, 4); /* MX and A for each message */
    CHECK_EQ_INT(cached, 2);  /* the second message's two look-ups */
    trace_destroy(tr);
}

static void sim_should_bounce_a_permanently_full_mailbox(void)
{
    Trace *tr = run_text(1, "", ",\"quota_policy\":\"permanent\"", "", "",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"x\",\"body\":\"x\",\"size_bytes\":60000000}",
                         "");
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    /* 60 MB is over the submission server's own 10 240 000-byte limit: it refuses it at MAIL
     * FROM ... SIZE= (RFC 1870), and the message stays in the mail client's Outbox. */
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "552 5.3.4 Message size exceeds fixed limit"), 1);
    CHECK_EQ_INT(s->rows[0].status, ST_DEFERRED);
    summary_destroy(s);
    trace_destroy(tr);
    World *w = load_text(1, "", ",\"quota_policy\":\"permanent\",\"message_size_limit\":100000000", "", "",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"x\",\"body\":\"x\",\"size_bytes\":60000000}",
                         "");
    REQUIRE(w != NULL);
    base_out(w)->size_limit_bytes = 100000000;
    tr = sim_run_world(w, NULL);
    world_destroy(w);
    REQUIRE(tr != NULL);
    s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    CHECK_EQ_STR(trace_str(tr, s->rows[0].reply),
                 "host mx.b.example[203.0.113.25] said: 552 5.2.2 <bob@b.example>: Mailbox is full "
                 "(in reply to RCPT TO command)");
    summary_destroy(s);
    trace_destroy(tr);
}

static void sim_should_fetch_with_pop3_and_delete_from_the_server(void)
{
    Trace *tr = run_text(1, "", "",
                         ",{\"id\":\"carl\",\"kind\":\"client\",\"address\":\"carl@b.example\",\"store\":\"store.b.example\",\"access\":\"pop3\",\"poll_s\":300}",
                         "",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"carl@b.example\"],\"subject\":\"x\",\"body\":\"x\"},"
                         "{\"id\":\"m2\",\"from\":\"alice@a.example\",\"to\":[\"carl@b.example\"],\"subject\":\"y\",\"body\":\"y\"}",
                         "");
    REQUIRE(tr != NULL);
    /* RFC 1939: numbers stay stable within the session; deletions happen at QUIT. */
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "USER carl"), 1);
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "+OK 2 "), 1);
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "RETR 1"), 1);
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "DELE 1"), 1);
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "RETR 2"), 1);
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "DELE 2"), 1);
    CHECK_EQ_INT(count_events(tr, TK_FETCH, "+OK Logging out, messages deleted."), 1);
    Summary *s = summary_build(tr);
    CHECK(s->rows[0].fetched && s->rows[1].fetched);
    summary_destroy(s);
    trace_destroy(tr);
}

/* Text is only formatted for the trace; the course of a run must not depend on it. */
static void sim_should_take_the_same_course_without_a_trace(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file];
        World *w = scenario_load_file(path, NULL);
        CHECK(w != NULL);
        if (!w) {
            continue;
        }
        SimOptions with = { 0 }, without = { .no_trace = true };
        Sim *a = sim_create(w, &with), *b = sim_create(w, &without);
        sim_run(a);
        sim_run(b);
        const SimStats *sa = sim_stats(a), *sb = sim_stats(b);
        CHECK_EQ_INT(sa->course, sb->course);
        CHECK(sa->events == sb->events && sa->end_us == sb->end_us &&
              sa->delivered == sb->delivered && sa->bounced == sb->bounced &&
              sa->deferred == sb->deferred && sa->dropped == sb->dropped);
        sim_destroy(a);
        sim_destroy(b);
        world_destroy(w);
    }
    shipped_list_free(&sl);
}

/* Every shipped scenario: write its trace, read it back, write again: the same bytes. */
static void sim_should_replay_every_scenario_byte_for_byte(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    int n = 0;
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file];
        Error err = { 0 };
        World *w = scenario_load_file(path, &err);
        CHECK(w != NULL);
        if (!w) {
            continue;
        }
        Trace *tr = sim_run_world(w, NULL);
        size_t l1, l2;
        char *s1 = write_to_string(tr, &l1);
        FILE *f = fmemopen(s1, l1, "r");
        Trace *back = trace_read_jsonl(f, path, &err);
        fclose(f);
        CHECK(back != NULL);
        if (back) {
            char *s2 = write_to_string(back, &l2);
            CHECK(l1 == l2 && memcmp(s1, s2, l1) == 0);
            free(s2);
            trace_destroy(back);
        }
        free(s1);
        trace_destroy(tr);
        world_destroy(w);
        n++;
    }
    shipped_list_free(&sl);
    CHECK(n >= 14);
}

static void sim_should_queue_a_pickup_client_s_mail_without_smtp_submission(void)
{
    /* "submit": "pickup": a list manager on smtp.a.example's host calls sendmail; Postfix's pickup
     * queues the message, which then travels by SMTP like any other. */
    Trace *tr = run_text(1, "", "",
                         ",{\"id\":\"list\",\"kind\":\"client\",\"address\":\"news@a.example\","
                         "\"submit_to\":\"smtp.a.example\",\"submit\":\"pickup\"}",
                         "",
                         "{\"id\":\"m1\",\"from\":\"news@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"News\",\"body\":\"x\"}",
                         "");
    REQUIRE(tr != NULL);
    char lines[1024];
    smtp_lines(tr, "list", "smtp.a.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "");
    CHECK_EQ_INT(count_events(tr, TK_CONN, ":587"), 0);
    CHECK_EQ_INT(count_events(tr, TK_HOP, "sendmail"), 1);
    CHECK_EQ_INT(count_events(tr, TK_HEADER, "(Postfix, from userid"), 1);
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|RCPT|DATA|250|250|354|.|250|QUIT|221");
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->count, 1);
    CHECK_EQ_INT(s->rows[0].status, ST_DELIVERED);
    summary_destroy(s);
    trace_destroy(tr);
}

static void sim_should_send_a_mailing_one_copy_per_recipient(void)
{
    /* "one_per_recipient": a list manager's mailing. Each recipient gets copy "m.<k>" with its
     * own SMTP transaction, every_s apart; the copy for nobody@ bounces on its own ("m.2-dsn"),
     * and a user action can name a copy. */
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\","
                         "\"nobody@b.example\",\"carl@b.example\"],\"subject\":\"News\",\"body\":\"x\","
                         "\"one_per_recipient\":true,\"every_s\":2}",
                         "{\"at_s\":900,\"do\":\"mark_spam\",\"user\":\"bob@b.example\",\"msg\":\"m.1\"}");
    REQUIRE(tr != NULL);
    static const char *const ids[] = { "m.1", "m.2", "m.3" };
    static const char *const rcpts[] = { "bob@b.example", "nobody@b.example", "carl@b.example" };
    int32_t idx[3];
    for (int k = 0; k < 3; k++) {
        idx[k] = trace_find_msg(tr, ids[k]);
        CHECK(idx[k] >= 0);
        if (idx[k] < 0) {
            trace_destroy(tr);
            return;
        }
        const TraceMsg *m = trace_msg(tr, idx[k]);
        CHECK_EQ_INT(m->rcpt_count, 1);
        CHECK_EQ_STR(trace_str(tr, trace_msg_rcpt(tr, idx[k], 0)), rcpts[k]);
    }
    /* Composed 2 s apart, and each copy has its own RCPT TO. */
    int composed = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == TK_COMPOSE && ev->msg == idx[composed % 3] && composed < 3) {
            CHECK_EQ_INT(ev->t_us, (int64_t)composed * 2 * US_PER_S);
            composed++;
        }
    }
    CHECK_EQ_INT(composed, 3);
    /* Three submissions from alice and three relays to mx.b.example; the bounce is local. */
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "RCPT TO:<"), 3 + 3);
    int32_t dsn = trace_find_msg(tr, "m.2-dsn");
    CHECK(dsn >= 0 && trace_msg(tr, dsn)->parent == idx[1]);
    CHECK_EQ_INT(trace_find_msg(tr, "m.1-dsn"), TRACE_NONE);
    int moved = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        moved += ev->kind == TK_MOVE && ev->msg == idx[0] && ev->sub == FOLDER_JUNK;
    }
    CHECK_EQ_INT(moved, 1);
    trace_destroy(tr);
}

static void sim_should_retry_a_submission_that_times_out(void)
{
    /* The outgoing server is silent for 100 s: the client's connection times out and its Outbox
     * tries again a minute later, until the server answers. (This used to crash: a timed-out
     * submission was treated as a relay attempt.) */
    Trace *tr = run_text(1, "", "", "", "", SIMPLE_MSG,
                         "{\"at_s\":0,\"do\":\"outage\",\"node\":\"smtp.a.example\","
                         "\"until_s\":100,\"mode\":\"timeout\"}");
    REQUIRE(tr != NULL);
    int32_t alice = trace_find_node(tr, "alice");
    int timeouts = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == TK_CONN && ev->sub == CONN_TIMEOUT && ev->from == alice) {
            CHECK(strstr(trace_str(tr, ev->text), ":587: Connection timed out") != NULL);
            timeouts++;
        }
    }
    CHECK_EQ_INT(timeouts, 2); /* at 31 s and 121 s; the third try, at 181 s, gets through */
    CHECK_EQ_INT(count_events(tr, TK_CONN, ":587"), 3 + 2);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->count, 1);
    CHECK_EQ_INT(s->rows[0].status, ST_DELIVERED);
    summary_destroy(s);
    trace_destroy(tr);
}

/* ---- regression inputs (tests/data/regress/) ---- */

#define REGRESS_DIR MAILSIM_SOURCE_DIR "/tests/data/regress/"

/* Loads tests/data/regress/<name> into *w and runs it with a trace; NULL if it does not load. */
static Trace *run_regress(const char *name, World **w)
{
    Error err = { 0 };
    char path[1024];
    snprintf(path, sizeof path, "%s%s", REGRESS_DIR, name);
    *w = scenario_load_file(path, &err);
    if (!*w) {
        char buf[1400];
        fprintf(stderr, "load failed: %s\n", error_format(&err, buf, sizeof buf));
        return NULL;
    }
    return sim_run_world(*w, NULL);
}

/* The trace, written as JSON Lines and read back; NULL (with the reason on stderr) if the
 * reader refuses it. */
static Trace *round_trip(const Trace *tr)
{
    size_t len;
    char *text = write_to_string(tr, &len);
    FILE *f = fmemopen(text, len, "r");
    Error err = { 0 };
    Trace *back = trace_read_jsonl(f, "round-trip.jsonl", &err);
    fclose(f);
    free(text);
    if (!back) {
        char buf[1400];
        fprintf(stderr, "trace refused: %s\n", error_format(&err, buf, sizeof buf));
    }
    return back;
}

/* The first event of `kind` about message `msg` whose text starts with `prefix`, or NULL. */
static const TraceEvent *find_event(const Trace *tr, TraceKind kind, const char *msg,
                                    const char *prefix)
{
    int32_t m = msg ? trace_find_msg(tr, msg) : TRACE_NONE;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == kind && (!msg || ev->msg == m) &&
            strncmp(trace_str(tr, ev->text), prefix, strlen(prefix)) == 0) {
            return ev;
        }
    }
    return NULL;
}

/* ---- enhanced status codes (Postfix's dsn=) and the bounce's report ---- */

static const char *dsn_of(const TraceEvent *ev, char *buf)
{
    return ev ? trace_dsn_format(ev->num2, buf) : "(no event)";
}

static void sim_should_log_the_enhanced_status_of_every_outcome(void)
{
    char buf[TRACE_DSN_BUF];
    /* An unknown user: bounced 5.1.1; its bounce is delivered locally, 2.0.0. */
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"nobody@b.example\"],\"subject\":\"Hi\"}",
                         "");
    REQUIRE(tr != NULL);
    CHECK_EQ_STR(dsn_of(find_event(tr, TK_BOUNCE, "m1", ""), buf), "5.1.1");
    CHECK_EQ_STR(dsn_of(find_event(tr, TK_SENT, "m1-dsn", ""), buf), "2.0.0");
    CHECK_EQ_STR(dsn_of(find_event(tr, TK_DELIVER, "m1-dsn", ""), buf), "2.0.0");
    trace_destroy(tr);
    /* A DNS failure defers with 4.4.3, which appeared nowhere before. */
    tr = run_text(1, "", "", "", "", SIMPLE_MSG,
                  "{\"at_s\":0,\"do\":\"dns_failure\",\"name\":\"b.example\",\"until_s\":100,"
                  "\"rcode\":\"SERVFAIL\"}");
    REQUIRE(tr != NULL);
    CHECK_EQ_STR(dsn_of(find_event(tr, TK_DEFER, "m1", ""), buf), "4.4.3");
    CHECK_EQ_STR(dsn_of(find_event(tr, TK_SENT, "m1", ""), buf), "2.0.0");
    trace_destroy(tr);
    /* A refused connection: 4.4.1. */
    tr = run_text(1, "", "", "", "", SIMPLE_MSG,
                  "{\"at_s\":0,\"do\":\"outage\",\"node\":\"mx.b.example\",\"until_s\":100}");
    REQUIRE(tr != NULL);
    CHECK_EQ_STR(dsn_of(find_event(tr, TK_DEFER, "m1", "connect to"), buf), "4.4.1");
    trace_destroy(tr);
}

static void sim_should_record_the_bounce_s_delivery_report(void)
{
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"nobody@b.example\"],\"subject\":\"Hi\"}",
                         "");
    REQUIRE(tr != NULL);
    const TraceEvent *r = find_event(tr, TK_REPORT, "m1-dsn", "");
    REQUIRE(r != NULL);
    char buf[TRACE_DSN_BUF];
    CHECK_EQ_STR(trace_str(tr, trace_node(tr, r->from)->name), "smtp.a.example");
    CHECK_EQ_STR(trace_str(tr, r->aux), "nobody@b.example");
    CHECK_EQ_INT(r->sub, DSN_ACTION_FAILED);
    CHECK_EQ_STR(trace_dsn_format(r->num2, buf), "5.1.1");
    CHECK_EQ_STR(trace_str(tr, (StrId)r->num), "mx.b.example");
    CHECK_EQ_STR(trace_str(tr, r->text),
                 "smtp; 550 5.1.1 <nobody@b.example>: Recipient address rejected: User unknown");
    /* The bounce names its report by message id. */
    const TraceEvent *b = find_event(tr, TK_BOUNCE, "m1", "");
    REQUIRE(b != NULL);
    CHECK_EQ_INT(b->num - 1, r->msg);
    trace_destroy(tr);
}

static void sim_should_deliver_mail_for_an_unknown_address_to_a_catch_all_s_first_mailbox(void)
{
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"whoever@b.example\"],\"subject\":\"Hi\"}",
                         "");
    REQUIRE(tr != NULL);
    CHECK(find_event(tr, TK_BOUNCE, "m1", "") != NULL); /* without catch_all: unknown user */
    trace_destroy(tr);
    static const char *const from = "\"store\",\"mailboxes\":[{\"address\":\"bob@b.example\"},{\"address\":\"carl@b.example\"}]}";
    char text[65536];
    snprintf(text, sizeof text, BASE, 1, "", "", "", "",
             "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"whoever@b.example\"],\"subject\":\"Hi\"}",
             "");
    char *at = strstr(text, from);
    REQUIRE(at != NULL);
    char patched[65536];
    snprintf(patched, sizeof patched, "%.*s\"store\",\"catch_all\":true,%s", (int)(at - text), text,
             at + strlen("\"store\","));
    Error err = { 0 };
    World *w = scenario_load_string(patched, strlen(patched), "inline", &err);
    REQUIRE(w != NULL);
    tr = sim_run_world(w, NULL);
    world_destroy(w);
    CHECK(find_event(tr, TK_BOUNCE, "m1", "") == NULL);
    const TraceEvent *d = find_event(tr, TK_DELIVER, "m1", "");
    REQUIRE(d != NULL);
    CHECK_EQ_STR(trace_str(tr, d->aux), "whoever@b.example");
    CHECK_EQ_STR(trace_str(tr, trace_node(tr, d->from)->name), "store.b.example");
    trace_destroy(tr);
}

/* Every regression scenario meets its own "expect" block, and its trace reads back. */
static void sim_should_meet_every_regression_scenario_s_expectations(void)
{
    DIR *d = opendir(REGRESS_DIR);
    REQUIRE(d != NULL);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0) {
            continue;
        }
        World *w = NULL;
        Trace *tr = run_regress(e->d_name, &w);
        CHECK(tr != NULL);
        if (tr) {
            Summary *s = summary_build(tr);
            int unmet = expect_check(w, tr, s, stderr);
            if (unmet) {
                fprintf(stderr, "  in %s\n", e->d_name);
            }
            CHECK_EQ_INT(unmet, 0);
            summary_destroy(s);
            Trace *back = round_trip(tr);
            CHECK(back != NULL);
            trace_destroy(back);
        }
        trace_destroy(tr);
        world_destroy(w);
        n++;
    }
    closedir(d);
    CHECK(n >= 4);
}

/* An outage from 0 s to 1000 s holds a shorter one (1 s to 2 s): the end of the inner one leaves
 * the server down, in the outer one's mode, and the message sent at 3 s waits for 1000 s. */
static void sim_should_keep_a_node_down_until_its_last_outage_ends(void)
{
    World *w = NULL;
    Trace *tr = run_regress("overlapping-outages.json", &w);
    REQUIRE(tr != NULL);
    const TraceEvent *inner_end = find_event(tr, TK_ACTION, NULL, "An outage of mx.b.example ends");
    CHECK(inner_end != NULL && inner_end->t_us == 2 * US_PER_S);
    CHECK(inner_end && strstr(trace_str(tr, inner_end->text), "stays down (connections refused)"));
    const TraceEvent *up = find_event(tr, TK_ACTION, NULL, "mx.b.example is back up");
    CHECK(up != NULL && up->t_us == 1000 * US_PER_S);
    const TraceEvent *deliver = find_event(tr, TK_DELIVER, "m1", "");
    CHECK(deliver != NULL && deliver->t_us > 1000 * US_PER_S);
    trace_destroy(tr);
    world_destroy(w);

    /* Back to back, the second scripted first: the end of the first at 100 s must not undo the
     * start of the second at the same moment. */
    tr = run_regress("adjacent-outages.json", &w);
    REQUIRE(tr != NULL);
    deliver = find_event(tr, TK_DELIVER, "m1", "");
    CHECK(deliver != NULL && deliver->t_us > 1000 * US_PER_S);
    up = find_event(tr, TK_ACTION, NULL, "mx.b.example is back up");
    CHECK(up != NULL && up->t_us == 1000 * US_PER_S);
    trace_destroy(tr);
    world_destroy(w);
}

/* SERVFAIL from 0 s to 1000 s with TIMEOUT from 1 s to 5 s inside: the later one wins while
 * both hold, the outer one holds on after the inner ends, and only its end says "answer again". */
static void sim_should_keep_a_domain_failing_until_its_last_dns_failure_ends(void)
{
    World *w = NULL;
    Trace *tr = run_regress("overlapping-dns-failures.json", &w);
    REQUIRE(tr != NULL);
    int32_t m1 = trace_find_msg(tr, "m1"), m2 = trace_find_msg(tr, "m2");
    const TraceEvent *first_m1 = NULL, *first_m2 = NULL;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind != TK_DNS || ev->sub != TRACE_ANSWER) {
            continue;
        }
        first_m1 = !first_m1 && ev->msg == m1 ? ev : first_m1;
        first_m2 = !first_m2 && ev->msg == m2 ? ev : first_m2;
    }
    REQUIRE(first_m1 != NULL && first_m2 != NULL);
    CHECK(strstr(trace_str(tr, first_m1->text), "timeout") != NULL);
    CHECK_EQ_STR(trace_str(tr, first_m2->text), "SERVFAIL");
    const TraceEvent *inner_end =
        find_event(tr, TK_ACTION, NULL, "A DNS failure for b.example ends");
    CHECK(inner_end != NULL && inner_end->t_us == 5 * US_PER_S);
    CHECK(inner_end &&
          strstr(trace_str(tr, inner_end->text), "another still covers it (SERVFAIL)") != NULL);
    const TraceEvent *again =
        find_event(tr, TK_ACTION, NULL, "The DNS servers for b.example answer again");
    CHECK(again != NULL && again->t_us == 1000 * US_PER_S);
    trace_destroy(tr);
    world_destroy(w);
}

/* A 60 KiB subject of multi-byte characters, a 20 000-character display name, a 20 000-character
 * attachment name and 1 000 recipients: each header line is written whole (a fixed buffer cut
 * them inside a character), and the trace reads back. */
static void sim_should_write_long_utf8_headers_whole_so_the_trace_reads_back(void)
{
    World *w = NULL;
    Trace *tr = run_regress("long-utf8-headers.json", &w);
    REQUIRE(tr != NULL);
    const MessageSpec *spec = &w->specs[0];
    const TraceEvent *subject = find_event(tr, TK_HEADER, "m1", "Subject: ");
    REQUIRE(subject != NULL);
    CHECK(strpool_len(w->strings, spec->subject) >= 60 * 1024 - 8);
    /* Compared without printing: on failure CHECK_EQ_STR would print 60 KiB. */
    CHECK(strcmp(trace_str(tr, subject->text) + strlen("Subject: "),
                 strpool_get(w->strings, spec->subject)) == 0);
    const TraceEvent *to = find_event(tr, TK_HEADER, "m1", "To: ");
    REQUIRE(to != NULL);
    int commas = 0;
    for (const char *p = trace_str(tr, to->text); (p = strstr(p, ", ")) != NULL; p += 2) {
        commas++;
    }
    CHECK_EQ_INT(commas, (int)spec->to_count - 1);
    CHECK(spec->to_count == 1000);
    const TraceEvent *from = find_event(tr, TK_HEADER, "m1", "From: ");
    CHECK(from != NULL && strstr(trace_str(tr, from->text), "<alice@a.example>") != NULL);
    const TraceEvent *attachment = find_event(tr, TK_HEADER, "m1", "Content-Disposition: ");
    CHECK(attachment != NULL &&
          strstr(trace_str(tr, attachment->text), ".pdf\" (1000 bytes, base64)") != NULL);
    Trace *back = round_trip(tr);
    CHECK(back != NULL);
    trace_destroy(back);
    trace_destroy(tr);
    world_destroy(w);
}

/* ---- work that stays linear in the size of the file ---- */

/* A growable string, for scenarios too large for run_text's buffer. */
typedef struct {
    char *s;
    size_t len, cap;
} Big;

static void big_add(Big *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = 2 * (b->len + (size_t)n + 1);
        b->s = realloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* BASE with these slots, in a Big. */
static void big_base(Big *b, const char *mx_extra, const char *nodes, const char *records,
                     const char *messages)
{
    big_add(b, BASE, 1, "", mx_extra, nodes, records, messages, "");
}

/* Loads and runs `json`; with `trace`, *tr_out gets the trace. Speed is measured by
 * bench/bench_limits, not here. */
static void big_run(const Big *json, bool trace, Trace **tr_out, SimStats *stats)
{
    Error err = { 0 };
    World *w = scenario_load_string(json->s, json->len, "inline", &err);
    if (!w) {
        char buf[1400];
        fprintf(stderr, "load failed: %s\n", error_format(&err, buf, sizeof buf));
        if (tr_out) {
            *tr_out = NULL;
        }
        return;
    }
    SimOptions opt = { .no_trace = !trace };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    *stats = *sim_stats(sim);
    if (tr_out) {
        *tr_out = sim_take_trace(sim);
    }
    sim_destroy(sim);
    world_destroy(w);
}

/* A filter finds the one listed link (case-insensitively, under a www. label) in a 60 KiB body of
 * links, with the listed name alone and with it among 150 000 others. */
static void sim_should_find_a_listed_link_in_a_long_uribl(void)
{
    for (int big = 0; big < 2; big++) {
        Big list = { 0 }, nodes = { 0 }, msg = { 0 }, json = { 0 };
        big_add(&list, "\"evil.example\"");
        for (unsigned i = 0; big && i < 150000; i++) {
            big_add(&list, ",\"u%u.example\"", i);
        }
        big_add(&nodes, ",{\"id\":\"spamd\",\"kind\":\"filter\",\"store\":\"store.b.example\","
                        "\"uribl\":[%s]}", list.s);
        big_add(&msg, "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\","
                      "\"to\":[\"bob@b.example\"],\"subject\":\"Hi\",\"body\":\"");
        for (int i = 0; i < 5000; i++) {
            big_add(&msg, "http://a.b/ ");
        }
        big_add(&msg, "http://www.EVIL.example/x\"}");
        big_base(&json, ",\"filter\":\"spamd\"", nodes.s, "", msg.s);
        Trace *tr;
        SimStats st;
        big_run(&json, true, &tr, &st);
        CHECK(tr != NULL);
        if (tr) {
            const TraceEvent *spam = find_event(tr, TK_SPAM, "m1", "");
            CHECK(spam != NULL && strstr(trace_str(tr, spam->aux), "URIBL_BLACK") != NULL);
        }
        trace_destroy(tr);
        free(list.s);
        free(nodes.s);
        free(msg.s);
        free(json.s);
    }
}

/* An incoming server serves its domain whether it is its only one or one of 200 000: the known
 * user gets the mail, the unknown users are refused (not relayed away as another domain's). */
static void sim_should_serve_a_domain_among_200000(void)
{
    for (int big = 0; big < 2; big++) {
        Big domains = { 0 }, nodes = { 0 }, msgs = { 0 }, json = { 0 };
        for (unsigned i = 0; big && i < 200000; i++) {
            big_add(&domains, "\"d%u.example\",", i);
        }
        big_add(&domains, "\"c.example\"");
        big_add(&nodes, ",{\"id\":\"mx.c.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.26\","
                        "\"store\":\"store.c.example\",\"domains\":[%s]},"
                        "{\"id\":\"store.c.example\",\"kind\":\"store\","
                        "\"mailboxes\":[{\"address\":\"ok@c.example\"}]}", domains.s);
        /* Five messages of 1 000 recipients: ok@c.example, then unknown users. */
        for (int m = 0; m < 5; m++) {
            big_add(&msgs, "%s{\"id\":\"m%d\",\"at_s\":1,\"from\":\"alice@a.example\","
                           "\"subject\":\"Hi\",\"body\":\"Hello\",\"to\":[",
                    m ? "," : "", m);
            for (int i = 0; i < 1000; i++) {
                if (m == 0 && i == 0) {
                    big_add(&msgs, "\"ok@c.example\"");
                } else {
                    big_add(&msgs, "%s\"u%d@c.example\"", i ? "," : "", m * 1000 + i);
                }
            }
            big_add(&msgs, "]}");
        }
        big_base(&json, "", nodes.s,
                 ",{\"name\":\"c.example\",\"type\":\"MX\",\"pref\":10,\"host\":\"mx.c.example\"},"
                 "{\"name\":\"mx.c.example\",\"type\":\"A\",\"addr\":\"203.0.113.26\"}",
                 msgs.s);
        SimStats st = { 0 };
        big_run(&json, false, NULL, &st);
        /* Served: the one known user gets the mail, the others "unknown user". */
        CHECK_EQ_INT((int)st.delivered, 1 + 5); /* ok@c.example, and the 5 bounces to alice */
        CHECK_EQ_INT((int)st.bounced, 4999);
        free(domains.s);
        free(nodes.s);
        free(msgs.s);
        free(json.s);
    }
}

/* ---- Postfix's SMTP client: addresses, MX fall-through, limits (each failed before) ---- */

/* Count of SMTP commands from smtp.a.example to `server` starting with `verb`. */
static int commands_to(const Trace *tr, const char *server, const char *verb)
{
    int32_t from = trace_find_node(tr, "smtp.a.example"), to = trace_find_node(tr, server);
    int n = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        n += ev->kind == TK_SMTP && ev->sub == TRACE_ASK && ev->from == from && ev->to == to &&
             strncmp(trace_str(tr, ev->text), verb, strlen(verb)) == 0;
    }
    return n;
}

/* mx.b.example has two addresses, one of them (an old machine) refusing. Postfix tries them in
 * random order (smtp_randomize_addresses) and moves on to the next address in the same attempt
 * (smtp_mx_address_limit counts addresses, not hosts): every seed delivers in one attempt, and
 * some seed meets the refusing one first. */
static void sim_should_try_every_address_of_an_mx_host(void)
{
    int refused_first = 0;
    for (int seed = 1; seed <= 8; seed++) {
        Trace *tr = run_text(seed, "", "",
                             ",{\"id\":\"old.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.26\",\"domains\":[\"b.example\"],\"store\":\"store.b.example\"}",
                             ",{\"name\":\"mx.b.example\",\"type\":\"A\",\"addr\":\"203.0.113.26\"}",
                             SIMPLE_MSG,
                             "{\"at_s\":0,\"do\":\"outage\",\"node\":\"old.b.example\",\"mode\":\"refuse\"}");
        REQUIRE(tr != NULL);
        Summary *s = summary_build(tr);
        CHECK_EQ_INT(s->rows[0].status, ST_DELIVERED);
        CHECK_EQ_INT(s->rows[0].attempts, 1);
        CHECK_EQ_INT(count_events(tr, TK_DEFER, NULL), 0);
        refused_first += count_events(tr, TK_CONN, "connect to mx.b.example[203.0.113.26]:25") == 1 &&
                         count_events(tr, TK_CONN, "Connection refused") == 1;
        summary_destroy(s);
        trace_destroy(tr);
    }
    CHECK(refused_first > 0);
}

/* A two-MX domain whose primary greylists: Postfix keeps the recipient for the backup in the same
 * attempt instead of deferring it (smtp_trouble.c: a soft error from a server that is not the
 * last is not final). */
static const char *BACKUP_NODES =
    ",{\"id\":\"mx2.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.26\",\"domains\":[\"b.example\"],\"store\":\"store.b.example\"}";
static const char *BACKUP_RECORDS =
    ",{\"name\":\"b.example\",\"type\":\"MX\",\"pref\":20,\"host\":\"mx2.b.example\"},"
    "{\"name\":\"mx2.b.example\",\"type\":\"A\",\"addr\":\"203.0.113.26\"}";

static void sim_should_offer_a_recipient_the_primary_defers_to_the_backup(void)
{
    Trace *tr = run_text(1, "", ",\"greylist\":true", BACKUP_NODES, BACKUP_RECORDS, SIMPLE_MSG, "");
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_DELIVERED);
    CHECK_EQ_INT(s->rows[0].attempts, 1);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "450 4.2.0 <bob@b.example>"), 1);
    CHECK_EQ_INT(commands_to(tr, "mx2.b.example", "RCPT TO:<bob@b.example>"), 1);
    /* The primary got the pipelined DATA, refused it (no valid recipients), and no message. */
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "554 5.5.1 Error: no valid recipients"), 1);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "."), 0);
    CHECK_EQ_INT(count_events(tr, TK_DEFER, NULL), 0);
    summary_destroy(s);
    trace_destroy(tr);
    /* With the backup also deferring, the last server's 4xx is the attempt's answer, logged as
     * Postfix logs a remote reply. */
    tr = run_text(1, "", ",\"greylist\":true",
                  ",{\"id\":\"mx2.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.26\",\"domains\":[\"b.example\"],\"store\":\"store.b.example\",\"greylist\":true}",
                  BACKUP_RECORDS, SIMPLE_MSG, "");
    REQUIRE(tr != NULL);
    const TraceEvent *d = find_event(tr, TK_DEFER, "m1", "");
    REQUIRE(d != NULL);
    CHECK_EQ_STR(trace_str(tr, d->text),
                 "host mx2.b.example[203.0.113.26] said: 450 4.2.0 <bob@b.example>: Recipient "
                 "address rejected: Greylisted (in reply to RCPT TO command)");
    trace_destroy(tr);
}

/* At most smtp_mx_session_limit (2) sessions per attempt: a third MX host is not tried. */
static void sim_should_stop_after_two_sessions_in_one_attempt(void)
{
    World *w = load_text(1, "", ",\"greylist\":true",
                         ",{\"id\":\"mx2.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.26\",\"domains\":[\"b.example\"],\"store\":\"store.b.example\",\"greylist\":true},"
                         "{\"id\":\"mx3.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.27\",\"domains\":[\"b.example\"],\"store\":\"store.b.example\"}",
                         ",{\"name\":\"b.example\",\"type\":\"MX\",\"pref\":20,\"host\":\"mx2.b.example\"},"
                         "{\"name\":\"mx2.b.example\",\"type\":\"A\",\"addr\":\"203.0.113.26\"},"
                         "{\"name\":\"b.example\",\"type\":\"MX\",\"pref\":30,\"host\":\"mx3.b.example\"},"
                         "{\"name\":\"mx3.b.example\",\"type\":\"A\",\"addr\":\"203.0.113.27\"}",
                         SIMPLE_MSG, "");
    REQUIRE(w != NULL);
    w->horizon_us = 200 * US_PER_S; /* the first attempt only */
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(commands_to(tr, "mx3.b.example", "EHLO"), 0);
    CHECK_EQ_INT(count_events(tr, TK_DEFER, "mx2.b.example"), 1);
    trace_destroy(tr);
    /* With no session limit the third host takes it. */
    base_out(w)->mx_session_limit = 0;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(commands_to(tr, "mx3.b.example", "RCPT TO:<bob@b.example>"), 1);
    CHECK_EQ_INT(count_events(tr, TK_DEFER, NULL), 0);
    trace_destroy(tr);
    world_destroy(w);
}

/* An MX host name with no address: Postfix bounces (5.4.4, smtp_defer_if_no_mx_address_found =
 * no) at once, or defers (4.4.4) when that option is set. */
static void sim_should_bounce_when_no_mx_host_has_an_address(void)
{
    const char *records = ",{\"name\":\"c.example\",\"type\":\"MX\",\"pref\":10,\"host\":\"gone.c.example\"}";
    const char *msg = "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"x@c.example\"],\"subject\":\"x\",\"body\":\"x\"}";
    World *w = load_text(1, "", "", "", records, msg, "");
    REQUIRE(w != NULL);
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    CHECK_EQ_INT(s->rows[0].attempts, 1);
    CHECK(strstr(trace_str(tr, s->rows[0].reply), "name=gone.c.example type=A: Host not found") != NULL);
    summary_destroy(s);
    trace_destroy(tr);
    base_out(w)->defer_if_no_mx_address = true;
    w->horizon_us = 200 * US_PER_S;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_DEFERRED);
    summary_destroy(s);
    trace_destroy(tr);
    world_destroy(w);
}

/* 60 recipients at one domain, in To: mixed with another domain's: two transactions (50 + 10,
 * default_destination_recipient_limit), and one bounce for the message however many deliveries
 * refused some of its recipients. */
static void sim_should_send_at_most_50_recipients_per_delivery(void)
{
    char msg[8192];
    size_t n = (size_t)snprintf(msg, sizeof msg,
                                "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"subject\":\"x\",\"body\":\"x\",\"to\":[\"bob@b.example\"");
    for (int i = 0; i < 59; i++) {
        n += (size_t)snprintf(msg + n, sizeof msg - n, ",\"u%d@b.example\"%s", i,
                              i == 10 ? ",\"alice@a.example\"" : "");
    }
    snprintf(msg + n, sizeof msg - n, "]}");
    World *w = load_text(1, "", "", "", "", msg, "");
    REQUIRE(w != NULL);
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "MAIL FROM"), 2);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "RCPT TO"), 60);
    CHECK_EQ_INT(count_events(tr, TK_BOUNCE, "User unknown"), 59);
    CHECK(trace_find_msg(tr, "m1-dsn") != TRACE_NONE);
    CHECK_EQ_INT(trace_find_msg(tr, "m1-dsn2"), TRACE_NONE);
    trace_destroy(tr);
    base_out(w)->recipient_limit = 20;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "MAIL FROM"), 3);
    trace_destroy(tr);
    world_destroy(w);
}

/* The client reads the server's EHLO SIZE: a message too big for it is returned at once with
 * status 5.3.4 and no MAIL is sent; a client that does not check gets the 552 at MAIL. */
static void sim_should_not_offer_a_message_bigger_than_the_server_s_size(void)
{
    const char *msg = "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"x\",\"body\":\"x\",\"size_bytes\":50000}";
    World *w = load_text(1, "", ",\"message_size_limit\":10000", "", "", msg, "");
    REQUIRE(w != NULL);
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    CHECK_EQ_STR(trace_str(tr, s->rows[0].reply),
                 "message size 50000 exceeds size limit 10000 of server mx.b.example[203.0.113.25]");
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "EHLO"), 1);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "MAIL FROM"), 0);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "552"), 0);
    summary_destroy(s);
    trace_destroy(tr);
    base_out(w)->checks_size = false;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "552 5.3.4 Message size exceeds fixed limit"), 1);
    CHECK(strstr(trace_str(tr, s->rows[0].reply), "(in reply to MAIL FROM command)") != NULL);
    summary_destroy(s);
    trace_destroy(tr);
    world_destroy(w);
}

/* The submission server announces SIZE 10240000 and refuses MAIL FROM ... SIZE= above it. */
static void sim_should_refuse_a_submission_over_the_announced_size(void)
{
    Trace *tr = run_text(1, "", "", "", "",
                         "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"x\",\"body\":\"x\",\"size_bytes\":12000862}",
                         "");
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "250-SIZE 10240000"), 1);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "552 5.3.4 Message size exceeds fixed limit"), 1);
    CHECK_EQ_INT(count_events(tr, TK_QUEUE, NULL), 0);
    trace_destroy(tr);
}

/* Postfix 3.7 with short timers (queue_run_delay 10 s, backoff 10-80 s, lifetime 300 s) and a
 * refused connection on every try: once the wait is capped, tries come exactly 80 s apart; the
 * message expires at the first try that ends 300 whole seconds after it arrived, is logged as
 * expired and returned with the last error (4.4.1). */
static void sim_should_retry_and_expire_on_postfix_s_whole_second_clock(void)
{
    World *w = load_text(1, "", "", "", "", SIMPLE_MSG,
                         "{\"at_s\":0,\"do\":\"outage\",\"node\":\"mx.b.example\",\"mode\":\"refuse\"}");
    REQUIRE(w != NULL);
    RetryPolicy *p = &base_out(w)->retry;
    p->queue_run_us = 10 * US_PER_S;
    p->min_backoff_us = 10 * US_PER_S;
    p->max_backoff_us = 80 * US_PER_S;
    p->lifetime_us = 300 * US_PER_S;
    base_out(w)->scan_phase_us = 6200 * US_PER_MS;
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    REQUIRE(tr != NULL);
    const TraceEvent *q = find_event(tr, TK_QUEUE, "m1", "");
    REQUIRE(q != NULL);
    int64_t arrival_s = q->t_us / US_PER_S, prev = q->t_us, last_gap = 0;
    int tries = 1;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind != TK_RETRY) {
            continue;
        }
        /* Every try falls on a scan (6.2 + k * 10 s). */
        CHECK_EQ_INT((ev->t_us - 6200 * US_PER_MS) % (10 * US_PER_S), 0);
        last_gap = ev->t_us - prev;
        prev = ev->t_us;
        tries++;
    }
    CHECK_EQ_INT(last_gap, 80 * US_PER_S);
    const TraceEvent *b = find_event(tr, TK_BOUNCE, "m1", "");
    REQUIRE(b != NULL);
    CHECK(b->t_us / US_PER_S - arrival_s >= 300);
    CHECK(b->t_us - prev < US_PER_S); /* at the end of the try that found it expired */
    CHECK_EQ_STR(trace_str(tr, b->text),
                 "expired, returned to sender; last error: connect to "
                 "mx.b.example[203.0.113.25]:25: Connection refused");
    CHECK(tries >= 6);
    trace_destroy(tr);
}

/* Three messages to b.example at 1, 3 and 4 s: the second finds the first's delivery ended
 * within the last second (back to back), so on-demand caching starts and its session is left open; the
 * third reuses it (RSET, then MAIL: no look-ups, no connection), and the idle session is closed
 * 2 s after. Without the cache every message connects and says QUIT. */
static void sim_should_reuse_a_cached_session_for_back_to_back_mail(void)
{
    const char *msgs =
        "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"a\",\"body\":\"a\"},"
        "{\"id\":\"m2\",\"at_s\":3,\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\"],\"subject\":\"b\",\"body\":\"b\"},"
        "{\"id\":\"m3\",\"at_s\":4,\"from\":\"alice@a.example\",\"to\":[\"carl@b.example\"],\"subject\":\"c\",\"body\":\"c\"}";
    World *w = load_text(1, "", "", "", "", msgs, "");
    REQUIRE(w != NULL);
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    Summary *s = summary_build(tr);
    for (uint32_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(s->rows[i].status, ST_DELIVERED);
    }
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "RSET"), 1);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "EHLO"), 2);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "MAIL FROM"), 3);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "QUIT"), 1);
    CHECK_EQ_INT(count_events(tr, TK_CONN, "connection closed: idle for 2 s"), 1);
    const TraceEvent *rset = find_event(tr, TK_SMTP, "m3", "RSET");
    CHECK(rset != NULL);
    summary_destroy(s);
    trace_destroy(tr);
    base_out(w)->connection_cache = false;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "RSET"), 0);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "EHLO"), 3);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "QUIT"), 3);
    trace_destroy(tr);
    world_destroy(w);
}


/* ---- PIPELINING (RFC 2920) ---- */

/* The commands smtp.a.example sends mx.b.example: how many, and at how many distinct times. */
static void command_times(const Trace *tr, int *commands, int *departures)
{
    int32_t from = trace_find_node(tr, "smtp.a.example"), to = trace_find_node(tr, "mx.b.example");
    int64_t last = -1;
    *commands = *departures = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind != TK_SMTP || ev->sub != TRACE_ASK || ev->from != from || ev->to != to) {
            continue;
        }
        (*commands)++;
        *departures += ev->t_us != last;
        last = ev->t_us;
    }
}

/* The first command smtp.a.example sends mx.b.example starting with `verb`, or NULL. */
static const TraceEvent *relay_command(const Trace *tr, const char *verb)
{
    int32_t from = trace_find_node(tr, "smtp.a.example"), to = trace_find_node(tr, "mx.b.example");
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == TK_SMTP && ev->sub == TRACE_ASK && ev->from == from && ev->to == to &&
            strncmp(trace_str(tr, ev->text), verb, strlen(verb)) == 0) {
            return ev;
        }
    }
    return NULL;
}

/* How long the relay session lasts, from the connection to the QUIT reply. */
static int64_t session_us(const Trace *tr)
{
    int32_t a = trace_find_node(tr, "smtp.a.example"), b = trace_find_node(tr, "mx.b.example");
    int64_t start = -1, end = -1;
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &trace_events(tr)[i];
        if (ev->kind == TK_CONN && ev->from == a && ev->to == b && start < 0) {
            start = ev->t_us;
        }
        if (ev->kind == TK_SMTP && ev->from == b && ev->num == 221) {
            end = ev->arrive_us;
        }
    }
    return start >= 0 && end >= 0 ? end - start : -1;
}

/* With PIPELINING offered and used, MAIL, both RCPTs and DATA leave at one time and arrive in
 * order, the server answers them in order and the replies arrive in order: the session takes
 * three round trips fewer than lock-step. Without it on either side the dialogue is lock-step. */
static void sim_should_pipeline_mail_rcpt_and_data_when_the_server_offers_it(void)
{
    const char *msg = "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\",\"carl@b.example\"],\"subject\":\"Hi\",\"body\":\"x\"}";
    World *w = load_text(1, "", "", "", "", msg, "");
    REQUIRE(w != NULL);
    Trace *tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    const TraceEvent *mail = relay_command(tr, "MAIL FROM");
    const TraceEvent *data = relay_command(tr, "DATA");
    REQUIRE(mail != NULL && data != NULL);
    CHECK(mail->t_us == data->t_us);
    /* In the trace: the batch, then its replies, each arriving no earlier than the one before. */
    size_t at = (size_t)(mail - trace_events(tr));
    const char *order[] = { "MAIL FROM", "RCPT TO:<bob@", "RCPT TO:<carl@", "DATA", "250 2.1.0",
                            "250 2.1.5", "250 2.1.5", "354" };
    int64_t arrive = 0;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        const TraceEvent *ev = &trace_events(tr)[at + k];
        CHECK(ev->kind == TK_SMTP);
        CHECK(strncmp(trace_str(tr, ev->text), order[k], strlen(order[k])) == 0);
        CHECK(k >= 4 || ev->t_us == mail->t_us);
        CHECK(ev->arrive_us >= arrive || k == 4); /* the replies leave after the commands arrive */
        arrive = ev->arrive_us;
    }
    int commands, departures;
    command_times(tr, &commands, &departures);
    CHECK_EQ_INT(commands, 7);   /* EHLO, MAIL, RCPT, RCPT, DATA, ., QUIT */
    CHECK_EQ_INT(departures, 4); /* EHLO, the batch, ., QUIT */
    int64_t pipelined = session_us(tr);
    trace_destroy(tr);

    int32_t mx = world_find_node(w, "mx.b.example");
    w->nodes[mx].u.in.pipelining = false;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    char lines[1024];
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|250|RCPT|250|RCPT|250|DATA|354|.|250|QUIT|221");
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "250-PIPELINING"), 1); /* only the submission's */
    command_times(tr, &commands, &departures);
    CHECK_EQ_INT(departures, 7);
    int64_t lockstep = session_us(tr);
    /* Three round trips (about 2 x 20 ms of latency each) fewer. */
    CHECK(pipelined > 0 && lockstep - pipelined >= 3 * 2 * 20 * US_PER_MS);
    trace_destroy(tr);

    /* The client's option: offered, but not used. */
    w->nodes[mx].u.in.pipelining = true;
    base_out(w)->pipelining = false;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|250|RCPT|250|RCPT|250|DATA|354|.|250|QUIT|221");
    trace_destroy(tr);
    world_destroy(w);
}

/* Every recipient refused: the pipelined DATA is sent anyway and answered 554 5.5.1, no message
 * follows, and the bounce quotes the RCPT reply (Postfix's smtp_proto.c). A refused MAIL makes
 * the server answer the RCPT and DATA after it 503, and the MAIL reply decides. */
static void sim_should_send_no_message_after_a_pipelined_data_with_no_valid_recipient(void)
{
    const char *msg = "{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\",\"to\":[\"bobb@b.example\"],\"subject\":\"Hi\",\"body\":\"x\"}";
    Trace *tr = run_text(1, "", "", "", "", msg, "");
    REQUIRE(tr != NULL);
    char lines[1024];
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|RCPT|DATA|250|550|554|QUIT|221");
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "554 5.5.1 Error: no valid recipients"), 1);
    CHECK_EQ_INT(commands_to(tr, "mx.b.example", "."), 0);
    Summary *s = summary_build(tr);
    CHECK_EQ_INT(s->rows[0].status, ST_BOUNCED);
    CHECK(strstr(trace_str(tr, s->rows[0].reply), "550 5.1.1 <bobb@b.example>") != NULL);
    CHECK(strstr(trace_str(tr, s->rows[0].reply), "(in reply to RCPT TO command)") != NULL);
    summary_destroy(s);
    trace_destroy(tr);

    const char *big = "{\"id\":\"m1\",\"from\":\"alice@a.example\",\"to\":[\"bob@b.example\",\"carl@b.example\"],\"subject\":\"x\",\"body\":\"x\",\"size_bytes\":50000}";
    World *w = load_text(1, "", ",\"message_size_limit\":10000", "", "", big, "");
    REQUIRE(w != NULL);
    base_out(w)->checks_size = false;
    tr = sim_run_world(w, NULL);
    REQUIRE(tr != NULL);
    smtp_lines(tr, "smtp.a.example", "mx.b.example", lines, sizeof lines);
    CHECK_EQ_STR(lines, "220|EHLO|250|MAIL|RCPT|RCPT|DATA|552|503|503|503|QUIT|221");
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "503 5.5.1 Error: need MAIL command"), 2);
    CHECK_EQ_INT(count_events(tr, TK_SMTP, "503 5.5.1 Error: need RCPT command"), 1);
    s = summary_build(tr);
    for (size_t i = 0; i < 2; i++) {
        CHECK_EQ_INT(s->rows[i].status, ST_BOUNCED);
        CHECK(strstr(trace_str(tr, s->rows[i].reply), "552 5.3.4") != NULL);
        CHECK(strstr(trace_str(tr, s->rows[i].reply), "(in reply to MAIL FROM command)") != NULL);
    }
    summary_destroy(s);
    trace_destroy(tr);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(sim_should_log_the_enhanced_status_of_every_outcome),
          TEST_CASE(sim_should_record_the_bounce_s_delivery_report),
          TEST_CASE(sim_should_deliver_mail_for_an_unknown_address_to_a_catch_all_s_first_mailbox),
          TEST_CASE(sim_should_run_the_smtp_dialogue_in_rfc_order),
          TEST_CASE(sim_should_pipeline_mail_rcpt_and_data_when_the_server_offers_it),
          TEST_CASE(sim_should_send_no_message_after_a_pipelined_data_with_no_valid_recipient),
          TEST_CASE(sim_should_try_every_address_of_an_mx_host),
          TEST_CASE(sim_should_offer_a_recipient_the_primary_defers_to_the_backup),
          TEST_CASE(sim_should_stop_after_two_sessions_in_one_attempt),
          TEST_CASE(sim_should_bounce_when_no_mx_host_has_an_address),
          TEST_CASE(sim_should_send_at_most_50_recipients_per_delivery),
          TEST_CASE(sim_should_not_offer_a_message_bigger_than_the_server_s_size),
          TEST_CASE(sim_should_refuse_a_submission_over_the_announced_size),
          TEST_CASE(sim_should_retry_and_expire_on_postfix_s_whole_second_clock),
          TEST_CASE(sim_should_reuse_a_cached_session_for_back_to_back_mail),
          TEST_CASE(sim_should_share_one_transaction_per_domain),
          TEST_CASE(sim_should_try_mx_hosts_in_preference_order),
          TEST_CASE(sim_should_never_bounce_a_bounce),
          TEST_CASE(sim_should_keep_events_in_time_order),
          TEST_CASE(sim_should_stop_at_the_horizon),
          TEST_CASE(sim_should_give_the_same_trace_for_the_same_seed),
          TEST_CASE(sim_should_bounce_at_once_for_a_null_mx),
          TEST_CASE(sim_should_use_the_implicit_mx_when_there_is_only_an_a_record),
          TEST_CASE(sim_should_answer_a_repeated_lookup_from_the_cache),
          TEST_CASE(sim_should_bounce_a_permanently_full_mailbox),
          TEST_CASE(sim_should_fetch_with_pop3_and_delete_from_the_server),
          TEST_CASE(sim_should_take_the_same_course_without_a_trace),
          TEST_CASE(sim_should_replay_every_scenario_byte_for_byte),
          TEST_CASE(sim_should_queue_a_pickup_client_s_mail_without_smtp_submission),
          TEST_CASE(sim_should_send_a_mailing_one_copy_per_recipient),
          TEST_CASE(sim_should_retry_a_submission_that_times_out),
          TEST_CASE(sim_should_meet_every_regression_scenario_s_expectations),
          TEST_CASE(sim_should_keep_a_node_down_until_its_last_outage_ends),
          TEST_CASE(sim_should_keep_a_domain_failing_until_its_last_dns_failure_ends),
          TEST_CASE(sim_should_write_long_utf8_headers_whole_so_the_trace_reads_back),
          TEST_CASE(sim_should_find_a_listed_link_in_a_long_uribl),
          TEST_CASE(sim_should_serve_a_domain_among_200000))
