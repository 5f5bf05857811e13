/* test_trace: the run record (sim/trace/trace.h) and its JSON Lines form (trace_jsonl.h).
 *
 * First the in-memory trace: append order, the message table, captions, the name tables. Then
 * the file format: a trace built by hand that uses every event kind with every field the format
 * carries (texts with newlines, quotes, tabs, backslashes, UTF-8 and a control byte; cached and
 * reject flags; captions; a DSN reference and its absence; a deferral's next try; a negative
 * spam score; node positions and labels) is written, read back, compared record by record, and
 * written again: the two files must be byte-identical. Last, the reader's refusals, each with its
 * exact message and line.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "test.h"
#include "trace/trace.h"
#include "trace/trace_jsonl.h"

#include <stdbool.h>
#include <stdlib.h>

#define SEC(x) ((int64_t)((x) * 1000000.0 + ((x) >= 0 ? 0.5 : -0.5)))

static StrId S(Trace *tr, const char *s)
{
    return strpool_intern(trace_strings(tr), s);
}

static uint32_t append(Trace *tr, TraceKind kind, double t_s)
{
    TraceEvent ev = trace_event_init(kind, SEC(t_s));
    return trace_append(tr, &ev);
}

/* ---- the in-memory trace -------------------------------------------------------------------- */

static void trace_should_start_empty(void)
{
    Trace *tr = trace_create();
    CHECK_EQ_INT(trace_count(tr), 0);
    CHECK_EQ_INT(trace_end_time(tr), 0);
    CHECK_EQ_INT(trace_msg_count(tr), 0);
    CHECK_EQ_INT(trace_node_count(tr), 0);
    CHECK_EQ_INT(trace_caption_count(tr), 0);
    CHECK_EQ_STR(trace_scenario(tr), "");
    CHECK_EQ_INT(trace_find_node(tr, "mx.b.example"), TRACE_NONE);
    CHECK_EQ_INT(trace_find_msg(tr, "m1"), TRACE_NONE);
    trace_destroy(tr);
}

static void trace_should_init_a_blank_event(void)
{
    TraceEvent ev = trace_event_init(TK_SMTP, 42);
    CHECK_EQ_INT(ev.kind, TK_SMTP);
    CHECK_EQ_INT(ev.t_us, 42);
    CHECK_EQ_INT(ev.arrive_us, TRACE_NO_TIME);
    CHECK_EQ_INT(ev.msg, TRACE_NONE);
    CHECK_EQ_INT(ev.from, TRACE_NONE);
    CHECK_EQ_INT(ev.to, TRACE_NONE);
    CHECK_EQ_INT(ev.text, STR_EMPTY);
    CHECK_EQ_INT(ev.aux, STR_EMPTY);
    CHECK_EQ_INT(ev.num, 0);
    CHECK_EQ_INT(ev.num2, 0);
    CHECK_EQ_INT(ev.sub, 0);
    CHECK_EQ_INT(ev.flags, 0);
}

static void trace_should_append_events_in_time_order(void)
{
    Trace *tr = trace_create();
    CHECK_EQ_INT(append(tr, TK_ACTION, 0), 0);
    CHECK_EQ_INT(append(tr, TK_ACTION, 5), 1);
    CHECK_EQ_INT(append(tr, TK_HEADER, 5), 2); /* equal times are fine */
    CHECK_EQ_INT(append(tr, TK_ACTION, 10), 3);
    CHECK_EQ_INT(trace_count(tr), 4);
    const TraceEvent *ev = trace_events(tr);
    CHECK_EQ_INT(ev[0].t_us, 0);
    CHECK_EQ_INT(ev[1].t_us, SEC(5));
    CHECK_EQ_INT(ev[2].t_us, SEC(5));
    CHECK_EQ_INT(ev[2].kind, TK_HEADER);
    CHECK_EQ_INT(ev[3].t_us, SEC(10));
    CHECK_EQ_INT(trace_end_time(tr), SEC(10));
    /* A last event still travelling ends the run when it arrives. */
    TraceEvent hop = trace_event_init(TK_HOP, SEC(11));
    hop.arrive_us = SEC(11.5);
    trace_append(tr, &hop);
    CHECK_EQ_INT(trace_end_time(tr), SEC(11.5));
    /* Many more: the array grows and keeps every record. */
    for (int i = 0; i < 10000; i++) {
        append(tr, TK_ACTION, 12 + i);
    }
    CHECK_EQ_INT(trace_count(tr), 10005);
    int out_of_order = 0;
    for (size_t i = 1; i < trace_count(tr); i++) {
        out_of_order += trace_events(tr)[i].t_us < trace_events(tr)[i - 1].t_us;
    }
    CHECK_EQ_INT(out_of_order, 0);
    CHECK_EQ_INT(trace_events(tr)[10004].t_us, SEC(12 + 9999));
    trace_destroy(tr);
}

/* The run is over when the latest event has fired and everything travelling has arrived; a
 * deferral's next try (its arrive_us) is a plan, not a journey, and does not count. */
static void trace_should_end_when_everything_has_arrived(void)
{
    Trace *tr = trace_create();
    TraceEvent hop = trace_event_init(TK_HOP, SEC(1));
    hop.arrive_us = SEC(50);
    trace_append(tr, &hop);
    append(tr, TK_ACTION, 2); /* later event, but the hop is still travelling */
    CHECK_EQ_INT(trace_end_time(tr), SEC(50));
    TraceEvent defer = trace_event_init(TK_DEFER, SEC(3));
    defer.arrive_us = SEC(3 + 300); /* next try */
    trace_append(tr, &defer);
    CHECK_EQ_INT(trace_end_time(tr), SEC(50));
    append(tr, TK_ACTION, 60);
    CHECK_EQ_INT(trace_end_time(tr), SEC(60));
    /* A deferral as the very last event: the run ends at the deferral itself. */
    Trace *only = trace_create();
    TraceEvent d = trace_event_init(TK_DEFER, SEC(7));
    d.arrive_us = SEC(600);
    trace_append(only, &d);
    CHECK_EQ_INT(trace_end_time(only), SEC(7));
    trace_destroy(only);
    trace_destroy(tr);
}

static void trace_should_keep_messages_and_their_recipients(void)
{
    Trace *tr = trace_create();
    StrId r1[] = { S(tr, "bob@b.example"), S(tr, "carol@b.example") };
    TraceMsg m = { .id = S(tr, "m1"),
                   .sender = S(tr, "alice@a.example"),
                   .subject = S(tr, "Hello"),
                   .size_bytes = 2048,
                   .parent = TRACE_NONE,
                   .client = 0,
                   .rcpt_first = 999, /* ignored: the trace places the recipients */
                   .rcpt_count = 999 };
    CHECK_EQ_INT(trace_add_msg(tr, &m, r1, 2), 0);
    StrId r2[] = { S(tr, "alice@a.example") };
    TraceMsg dsn = { .id = S(tr, "m1-dsn"), .sender = STR_EMPTY, .parent = 0, .client = 1 };
    CHECK_EQ_INT(trace_add_msg(tr, &dsn, r2, 1), 1);
    TraceMsg none = { .id = S(tr, "m2"), .parent = TRACE_NONE };
    CHECK_EQ_INT(trace_add_msg(tr, &none, NULL, 0), 2);

    CHECK_EQ_INT(trace_msg_count(tr), 3);
    const TraceMsg *a = trace_msg(tr, 0);
    CHECK_EQ_STR(trace_str(tr, a->id), "m1");
    CHECK_EQ_STR(trace_str(tr, a->sender), "alice@a.example");
    CHECK_EQ_INT(a->size_bytes, 2048);
    CHECK_EQ_INT(a->rcpt_first, 0);
    CHECK_EQ_INT(a->rcpt_count, 2);
    CHECK_EQ_STR(trace_str(tr, trace_msg_rcpt(tr, 0, 0)), "bob@b.example");
    CHECK_EQ_STR(trace_str(tr, trace_msg_rcpt(tr, 0, 1)), "carol@b.example");
    const TraceMsg *b = trace_msg(tr, 1);
    CHECK_EQ_INT(b->rcpt_first, 2);
    CHECK_EQ_INT(b->rcpt_count, 1);
    CHECK_EQ_INT(b->parent, 0);
    CHECK_EQ_INT(b->sender, STR_EMPTY);
    CHECK_EQ_STR(trace_str(tr, trace_msg_rcpt(tr, 1, 0)), "alice@a.example");
    CHECK_EQ_INT(trace_msg(tr, 2)->rcpt_count, 0);
    CHECK_EQ_INT(trace_find_msg(tr, "m1"), 0);
    CHECK_EQ_INT(trace_find_msg(tr, "m1-dsn"), 1);
    CHECK_EQ_INT(trace_find_msg(tr, "m2"), 2);
    CHECK_EQ_INT(trace_find_msg(tr, "m3"), TRACE_NONE);
    /* A string that exists in the pool but is not a message id. */
    CHECK_EQ_INT(trace_find_msg(tr, "bob@b.example"), TRACE_NONE);
    /* The caller's array was copied. */
    r1[0] = S(tr, "mallory@evil.example");
    CHECK_EQ_STR(trace_str(tr, trace_msg_rcpt(tr, 0, 0)), "bob@b.example");
    trace_destroy(tr);
}

static void trace_should_keep_nodes_links_and_meta(void)
{
    Trace *tr = trace_create();
    trace_set_meta(tr, "01-happy-path", "Title", NULL, 99);
    CHECK_EQ_STR(trace_scenario(tr), "01-happy-path");
    CHECK_EQ_STR(trace_title(tr), "Title");
    CHECK_EQ_STR(trace_lesson(tr), "");
    CHECK_EQ_INT(trace_seed(tr), 99);
    TraceNode a = { .name = S(tr, "smtp.a.example"), .kind = NODE_OUTGOING };
    TraceNode b = { .name = S(tr, "mx.b.example"),
                    .kind = NODE_INCOMING,
                    .ip = S(tr, "203.0.113.25") };
    CHECK_EQ_INT(trace_add_node(tr, &a), 0);
    CHECK_EQ_INT(trace_add_node(tr, &b), 1);
    TraceLink l = { 0, 1, SEC(0.085) };
    CHECK_EQ_INT(trace_add_link(tr, &l), 0);
    CHECK_EQ_INT(trace_node_count(tr), 2);
    CHECK_EQ_INT(trace_link_count(tr), 1);
    CHECK_EQ_INT(trace_find_node(tr, "mx.b.example"), 1);
    CHECK_EQ_INT(trace_find_node(tr, "smtp.a.example"), 0);
    CHECK_EQ_INT(trace_find_node(tr, "203.0.113.25"), TRACE_NONE);
    CHECK_EQ_INT(trace_find_node(tr, "nowhere"), TRACE_NONE);
    CHECK_EQ_INT(trace_link(tr, 0)->latency_us, SEC(0.085));
    CHECK_EQ_STR(trace_str(tr, trace_node(tr, 1)->ip), "203.0.113.25");
    trace_destroy(tr);
}

static void trace_should_set_replace_and_look_up_captions(void)
{
    Trace *tr = trace_create();
    for (int i = 0; i < 10; i++) {
        append(tr, TK_ACTION, i);
    }
    trace_set_caption(tr, 5, S(tr, "five"));
    trace_set_caption(tr, 2, S(tr, "two"));
    trace_set_caption(tr, 9, S(tr, "nine"));
    trace_set_caption(tr, 0, S(tr, "zero"));
    CHECK_EQ_INT(trace_caption_count(tr), 4);
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 5)), "five");
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 2)), "two");
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 9)), "nine");
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 0)), "zero");
    CHECK_EQ_INT(trace_caption(tr, 1), STR_EMPTY);
    CHECK_EQ_INT(trace_caption(tr, 6), STR_EMPTY);
    CHECK_EQ_INT(trace_caption(tr, 100), STR_EMPTY);
    /* Replacing keeps one caption per event. */
    trace_set_caption(tr, 5, S(tr, "FIVE, again"));
    CHECK_EQ_INT(trace_caption_count(tr), 4);
    CHECK_EQ_STR(trace_str(tr, trace_caption(tr, 5)), "FIVE, again");
    /* The caption array is sorted by event. */
    const TraceCaption *c = trace_captions(tr);
    CHECK_EQ_INT(c[0].event, 0);
    CHECK_EQ_INT(c[1].event, 2);
    CHECK_EQ_INT(c[2].event, 5);
    CHECK_EQ_INT(c[3].event, 9);
    trace_destroy(tr);
}

/* Every enum value's name maps back to it; unknown names give -1, unknown values "?". The
 * spellings are the ones the trace format uses (trace_jsonl.h, the JSONL lines). */
static void trace_should_round_trip_every_name_table(void)
{
    for (int k = 0; k < TK_KIND_COUNT; k++) {
        CHECK_EQ_INT(trace_kind_from_name(trace_kind_name((TraceKind)k)), k);
    }
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        CHECK_EQ_INT(trace_node_kind_from_name(trace_node_kind_name((NodeKind)k)), k);
    }
    for (int k = FOLDER_NONE; k <= FOLDER_JUNK; k++) {
        CHECK_EQ_INT(trace_folder_from_name(trace_folder_name((TraceFolder)k)), k);
    }
    for (int k = 0; k < RCODE_COUNT; k++) {
        CHECK_EQ_INT(trace_rcode_from_name(trace_rcode_name((TraceRcode)k)), k);
    }
    for (int k = 0; k < QTYPE_COUNT; k++) {
        CHECK_EQ_INT(trace_qtype_from_name(trace_qtype_name((TraceQtype)k)), k);
    }
    for (int k = CONN_OPEN; k <= CONN_QUEUED; k++) {
        CHECK_EQ_INT(trace_conn_from_name(trace_conn_name((TraceConn)k)), k);
    }
    /* Spellings. */
    CHECK_EQ_STR(trace_kind_name(TK_COMPOSE), "compose");
    CHECK_EQ_STR(trace_kind_name(TK_WARN), "warning");
    CHECK_EQ_STR(trace_kind_name(TK_ACTION), "action");
    CHECK_EQ_STR(trace_node_kind_name(NODE_INCOMING), "incoming");
    CHECK_EQ_STR(trace_folder_name(FOLDER_NONE), "null");
    CHECK_EQ_STR(trace_folder_name(FOLDER_JUNK), "junk");
    CHECK_EQ_STR(trace_rcode_name(RCODE_NXDOMAIN), "NXDOMAIN");
    CHECK_EQ_STR(trace_qtype_name(QTYPE_MX), "MX");
    CHECK_EQ_STR(trace_conn_name(CONN_REFUSED), "refused");
    /* Names are distinct within each table (or the reverse look-up could not work). */
    for (int i = 0; i < TK_KIND_COUNT; i++) {
        for (int j = i + 1; j < TK_KIND_COUNT; j++) {
            CHECK(strcmp(trace_kind_name((TraceKind)i), trace_kind_name((TraceKind)j)) != 0);
        }
    }
    /* Unknown. */
    CHECK_EQ_INT(trace_kind_from_name("teleport"), -1);
    CHECK_EQ_INT(trace_kind_from_name(""), -1);
    CHECK_EQ_INT(trace_kind_from_name("Compose"), -1); /* case matters */
    CHECK_EQ_INT(trace_node_kind_from_name("router"), -1);
    CHECK_EQ_INT(trace_folder_from_name("spam"), -1);
    CHECK_EQ_INT(trace_rcode_from_name("REFUSED"), -1);
    CHECK_EQ_INT(trace_qtype_from_name("SRV"), -1);
    CHECK_EQ_INT(trace_conn_from_name("reset"), -1);
    CHECK_EQ_STR(trace_kind_name(TK_KIND_COUNT), "?");
    CHECK_EQ_STR(trace_node_kind_name(NODE_KIND_COUNT), "?");
    CHECK_EQ_STR(trace_folder_name((TraceFolder)3), "?");
    CHECK_EQ_STR(trace_rcode_name(RCODE_COUNT), "?");
    CHECK_EQ_STR(trace_qtype_name(QTYPE_COUNT), "?");
    CHECK_EQ_STR(trace_conn_name((TraceConn)5), "?");
}

/* ---- the JSONL round trip ------------------------------------------------------------------- */

enum { N_CLIENT, N_OUT, N_RES, N_IN, N_FILTER, N_STORE };

typedef struct {
    Trace *tr;
    uint32_t ev;
} Builder;

static void ev_new(TraceKind kind, double t_s, TraceEvent *ev)
{
    *ev = trace_event_init(kind, SEC(t_s));
}

static uint32_t put(Builder *b, const TraceEvent *ev)
{
    return b->ev = trace_append(b->tr, ev);
}

static const char LESSON[] =
    "Line one\nLine \"two\"\twith a tab, a \\backslash, caf\xc3\xa9 and \x01.";

/* Every kind, every field. Messages: m1 (two recipients) and m1-dsn (null sender, parent m1). */
static Trace *build_full_trace(void)
{
    Trace *tr = trace_create();
    Builder b = { tr, 0 };
    trace_set_meta(tr, "05-greylisting", "Greylisting: \"try again later\"", LESSON,
                   UINT64_C(123456789));
    TraceNode nodes[] = {
        { .name = S(tr, "alice-laptop"), .label = S(tr, "Alice's laptop"), .kind = NODE_CLIENT,
          .has_pos = true, .x = 0.1f, .y = 0.5f },
        { .name = S(tr, "smtp.a.example"), .ip = S(tr, "198.51.100.10"), .kind = NODE_OUTGOING,
          .has_pos = true, .x = 0.3f, .y = 0.25f },
        { .name = S(tr, "resolver.a.example"), .kind = NODE_RESOLVER },
        { .name = S(tr, "mx.b.example"), .label = S(tr, "B's \"MX\"\nserver"),
          .ip = S(tr, "203.0.113.25"), .kind = NODE_INCOMING, .has_pos = true, .x = 0.875f,
          .y = 0.0f },
        { .name = S(tr, "filter.b.example"), .kind = NODE_FILTER },
        { .name = S(tr, "store.b.example"), .kind = NODE_STORE, .has_pos = true, .x = 1.0f,
          .y = 1.0f },
    };
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        trace_add_node(tr, &nodes[i]);
    }
    TraceLink links[] = { { N_CLIENT, N_OUT, SEC(0.02) }, { N_OUT, N_IN, SEC(0.085) },
                          { N_OUT, N_RES, 1 }, { N_IN, N_FILTER, 0 } };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        trace_add_link(tr, &links[i]);
    }
    StrId rc[] = { S(tr, "bob@b.example"), S(tr, "carol@b.example") };
    TraceMsg m1 = { .id = S(tr, "m1"), .sender = S(tr, "alice@a.example"),
                    .subject = S(tr, "Caf\xc3\xa9 \"menu\"\nsecond line"), .size_bytes = 2048,
                    .parent = TRACE_NONE, .client = N_CLIENT };
    int32_t msg1 = trace_add_msg(tr, &m1, rc, 2);

    TraceEvent e;
    ev_new(TK_COMPOSE, 0, &e);
    e.msg = msg1;
    e.from = N_CLIENT;
    put(&b, &e);
    trace_set_caption(tr, b.ev, S(tr, "Alice writes to \"Bob\"\nand Carol."));

    ev_new(TK_HEADER, 0, &e);
    e.msg = msg1;
    e.from = N_CLIENT;
    e.text = S(tr, "Subject: Caf\xc3\xa9 \"menu\"");
    put(&b, &e);

    ev_new(TK_HOP, 0.001, &e);
    e.msg = msg1;
    e.from = N_CLIENT;
    e.to = N_OUT;
    e.arrive_us = SEC(0.021);
    e.text = S(tr, "submission (port 587)");
    put(&b, &e);

    ev_new(TK_QUEUE, 0.021, &e);
    e.msg = msg1;
    e.from = N_OUT;
    e.text = S(tr, "4F2A1B3C5D");
    put(&b, &e);

    ev_new(TK_DNS, 0.03, &e); /* query */
    e.msg = msg1;
    e.from = N_OUT;
    e.to = N_RES;
    e.arrive_us = SEC(0.031);
    e.aux = S(tr, "b.example");
    e.num = QTYPE_MX;
    e.text = S(tr, "MX? b.example");
    put(&b, &e);

    ev_new(TK_DNS, 0.2, &e); /* answer from the cache */
    e.msg = msg1;
    e.from = N_RES;
    e.to = N_OUT;
    e.arrive_us = SEC(0.201);
    e.sub = TRACE_ANSWER;
    e.aux = S(tr, "b.example");
    e.num = QTYPE_MX;
    e.num2 = RCODE_NOERROR;
    e.text = S(tr, "10 mx.b.example");
    e.flags = TRACE_F_CACHED;
    put(&b, &e);

    ev_new(TK_DNS, 0.2, &e); /* negative answer: no answer text */
    e.from = N_RES;
    e.sub = TRACE_ANSWER;
    e.aux = S(tr, "10.100.51.198.zen.example");
    e.num = QTYPE_A;
    e.num2 = RCODE_NXDOMAIN;
    put(&b, &e);

    ev_new(TK_DNS, 0.25, &e); /* every other rcode and qtype */
    e.from = N_RES;
    e.sub = TRACE_ANSWER;
    e.aux = S(tr, "10.113.51.198.in-addr.arpa");
    e.num = QTYPE_PTR;
    e.num2 = RCODE_SERVFAIL;
    put(&b, &e);
    ev_new(TK_DNS, 0.25, &e);
    e.from = N_RES;
    e.sub = TRACE_ANSWER;
    e.aux = S(tr, "b.example");
    e.num = QTYPE_TXT;
    e.num2 = RCODE_TIMEOUT;
    e.text = S(tr, "no answer (timeout)");
    put(&b, &e);

    ev_new(TK_CONN, 0.3, &e); /* open, no detail */
    e.msg = msg1;
    e.from = N_OUT;
    e.to = N_IN;
    e.arrive_us = SEC(0.385);
    e.sub = CONN_OPEN;
    put(&b, &e);
    static const TraceConn other_conns[] = { CONN_REFUSED, CONN_TIMEOUT, CONN_CLOSED, CONN_QUEUED };
    for (size_t i = 0; i < 4; i++) {
        ev_new(TK_CONN, 0.3, &e);
        e.msg = msg1;
        e.from = N_OUT;
        e.to = N_IN;
        e.sub = (uint8_t)other_conns[i];
        e.text = S(tr, "connect to mx.b.example[203.0.113.25]:25: Connection refused");
        e.flags = other_conns[i] == CONN_CLOSED ? 0 : TRACE_F_REJECT;
        put(&b, &e);
    }

    ev_new(TK_SMTP, 0.4, &e); /* reply */
    e.msg = msg1;
    e.from = N_IN;
    e.to = N_OUT;
    e.arrive_us = SEC(0.485);
    e.sub = TRACE_ANSWER;
    e.num = 220;
    e.text = S(tr, "220 mx.b.example ESMTP Postfix");
    put(&b, &e);
    trace_set_caption(tr, b.ev, S(tr, "The server says hello."));

    ev_new(TK_SMTP, 0.5, &e); /* command */
    e.msg = msg1;
    e.from = N_OUT;
    e.to = N_IN;
    e.arrive_us = SEC(0.585);
    e.text = S(tr, "RCPT TO:<bob@b.example>");
    put(&b, &e);

    ev_new(TK_SMTP, 0.6, &e);
    e.msg = msg1;
    e.from = N_IN;
    e.to = N_OUT;
    e.sub = TRACE_ANSWER;
    e.num = 450;
    e.text = S(tr, "450 4.2.0 <bob@b.example>: Recipient address rejected: Greylisted");
    e.flags = TRACE_F_REJECT;
    put(&b, &e);

    ev_new(TK_DEFER, 0.7, &e);
    e.msg = msg1;
    e.from = N_OUT;
    e.arrive_us = SEC(300.5); /* next try */
    e.aux = S(tr, "bob@b.example");
    e.text = S(tr, "450 4.2.0 <bob@b.example>: Recipient address rejected: Greylisted");
    e.num2 = trace_dsn_pack("4.2.0");
    e.flags = TRACE_F_REJECT;
    put(&b, &e);

    ev_new(TK_SENT, 0.7, &e);
    e.msg = msg1;
    e.from = N_OUT;
    e.aux = S(tr, "carol@b.example");
    e.text = S(tr, "250 2.0.0 Ok: queued as 7E1D2C3B4A");
    e.num2 = trace_dsn_pack("2.0.0");
    put(&b, &e);

    ev_new(TK_RETRY, 300.5, &e);
    e.msg = msg1;
    e.from = N_OUT;
    e.num = 2;
    e.aux = S(tr, "b.example");
    e.text = S(tr, "attempt 2 for b.example");
    put(&b, &e);
    ev_new(TK_RETRY, 300.5, &e); /* the optional fields absent */
    e.msg = msg1;
    e.from = N_OUT;
    e.num = 3;
    put(&b, &e);

    /* The bounce message is composed before the bounce events that name it. */
    StrId rd[] = { S(tr, "alice@a.example") };
    TraceMsg dsn = { .id = S(tr, "m1-dsn"), .sender = STR_EMPTY,
                     .subject = S(tr, "Undelivered Mail Returned to Sender"), .size_bytes = 3500,
                     .parent = msg1, .client = N_OUT };
    int32_t msg2 = trace_add_msg(tr, &dsn, rd, 1);
    ev_new(TK_COMPOSE, 301, &e);
    e.msg = msg2;
    e.from = N_OUT;
    put(&b, &e);
    ev_new(TK_REPORT, 301, &e); /* the DSN's per-recipient fields */
    e.msg = msg2;
    e.from = N_OUT;
    e.aux = S(tr, "bob@b.example");
    e.sub = DSN_ACTION_FAILED;
    e.num2 = trace_dsn_pack("5.1.1");
    e.num = (int32_t)S(tr, "mx.b.example");
    e.text = S(tr, "smtp; 550 5.1.1 <bob@b.example>: Recipient address rejected: User unknown");
    put(&b, &e);
    ev_new(TK_REPORT, 301, &e); /* a delay, no Remote-MTA */
    e.msg = msg2;
    e.from = N_OUT;
    e.aux = S(tr, "bob@b.example");
    e.sub = DSN_ACTION_DELAYED;
    e.num2 = trace_dsn_pack("4.4.1");
    e.text = S(tr, "X-Postfix; connect to mx.b.example[203.0.113.25]:25: Connection refused");
    put(&b, &e);

    ev_new(TK_BOUNCE, 301, &e);
    e.msg = msg1;
    e.from = N_OUT;
    e.aux = S(tr, "bob@b.example");
    e.text = S(tr, "550 5.1.1 <bob@b.example>: Recipient address rejected: User unknown");
    e.num = msg2 + 1;
    e.num2 = trace_dsn_pack("5.1.1");
    e.flags = TRACE_F_REJECT;
    put(&b, &e);
    trace_set_caption(tr, b.ev, S(tr, "A permanent failure."));

    ev_new(TK_BOUNCE, 301.000001, &e); /* a bounce of a bounce: no DSN */
    e.msg = msg2;
    e.from = N_OUT;
    e.aux = S(tr, "alice@a.example");
    e.text = S(tr, "550 5.1.1 <alice@a.example>: unknown");
    e.num = 0;
    e.flags = TRACE_F_REJECT;
    put(&b, &e);

    ev_new(TK_WARN, 302, &e);
    e.msg = msg1;
    e.from = N_OUT;
    e.aux = S(tr, "bob@b.example");
    e.num = msg2 + 1;
    put(&b, &e);
    ev_new(TK_WARN, 302, &e); /* with its reason and status */
    e.msg = msg1;
    e.from = N_OUT;
    e.aux = S(tr, "bob@b.example");
    e.text = S(tr, "450 4.2.0 greylisted");
    e.num = msg2 + 1;
    e.num2 = trace_dsn_pack("4.2.0");
    put(&b, &e);

    ev_new(TK_SPAM, 303, &e);
    e.msg = msg1;
    e.from = N_FILTER;
    e.sub = VERDICT_SPAM;
    e.num = 7300;
    e.num2 = 5000;
    e.aux = S(tr, "MISSING_DATE,RDNS_NONE,SUBJ_ALL_CAPS,URIBL_BLACK");
    e.text = S(tr, "Yes, score=7.3 required=5.0 tests=MISSING_DATE,RDNS_NONE,SUBJ_ALL_CAPS,"
                   "URIBL_BLACK autolearn=no");
    put(&b, &e);
    ev_new(TK_SPAM, 303, &e);
    e.msg = msg1;
    e.from = N_FILTER;
    e.sub = VERDICT_HAM;
    e.num = -1900;
    e.num2 = 5000;
    e.aux = S(tr, "BAYES_00");
    e.text = S(tr, "No, score=-1.9 required=5.0 tests=BAYES_00 autolearn=ham");
    put(&b, &e);

    ev_new(TK_DELIVER, 304, &e);
    e.msg = msg1;
    e.from = N_STORE;
    e.aux = S(tr, "carol@b.example");
    e.sub = FOLDER_JUNK;
    e.num2 = trace_dsn_pack("2.0.0");
    put(&b, &e);
    ev_new(TK_DELIVER, 304, &e);
    e.msg = msg1;
    e.from = N_STORE;
    e.aux = S(tr, "bob@b.example");
    e.sub = FOLDER_INBOX;
    put(&b, &e);

    ev_new(TK_FETCH, 305, &e); /* client command */
    e.from = N_CLIENT;
    e.to = N_STORE;
    e.arrive_us = SEC(305.02);
    e.text = S(tr, "a1 SELECT INBOX");
    put(&b, &e);
    ev_new(TK_FETCH, 305.02, &e); /* server refusal */
    e.from = N_STORE;
    e.to = N_CLIENT;
    e.sub = TRACE_ANSWER;
    e.text = S(tr, "-ERR [AUTH] Authentication failed.");
    e.flags = TRACE_F_REJECT;
    put(&b, &e);
    ev_new(TK_FETCH, 305.5, &e); /* a download */
    e.msg = msg1;
    e.from = N_STORE;
    e.to = N_CLIENT;
    e.arrive_us = SEC(305.6);
    e.sub = TRACE_ANSWER;
    e.aux = S(tr, "carol@b.example");
    put(&b, &e);

    ev_new(TK_MOVE, 306, &e);
    e.msg = msg1;
    e.from = N_CLIENT;
    e.to = N_STORE;
    e.arrive_us = SEC(306.02);
    e.aux = S(tr, "carol@b.example");
    e.sub = FOLDER_INBOX;
    e.text = S(tr, "carol@b.example marks it as not spam");
    put(&b, &e);
    ev_new(TK_MOVE, 306.5, &e); /* without a text */
    e.msg = msg1;
    e.from = N_STORE;
    e.aux = S(tr, "carol@b.example");
    e.sub = FOLDER_JUNK;
    put(&b, &e);

    ev_new(TK_LEARN, 307, &e);
    e.msg = msg1;
    e.from = N_FILTER;
    e.sub = VERDICT_HAM;
    e.text = S(tr, "carol's click teaches the filter: learned as ham");
    put(&b, &e);
    ev_new(TK_LEARN, 307, &e);
    e.msg = msg1;
    e.from = N_FILTER;
    e.sub = VERDICT_SPAM;
    e.text = S(tr, "auto-learned as spam");
    put(&b, &e);

    ev_new(TK_ACTION, 307.5, &e); /* without "what" */
    e.text = S(tr, "a scripted step");
    put(&b, &e);
    ev_new(TK_ACTION, 308, &e);
    e.from = N_IN;
    e.text = S(tr, "mx.b.example goes down until 09:30\n(\"outage\", refuse)");
    e.aux = S(tr, "outage");
    put(&b, &e);
    trace_set_caption(tr, b.ev, S(tr, "first caption"));
    trace_set_caption(tr, b.ev, S(tr, "Replaced: the server is down.")); /* replaced */
    ev_new(TK_VERIFY, 309, &e);
    e.from = N_CLIENT;
    e.aux = S(tr, "bob@b.example");
    e.sub = VERIFY_INVALID;
    e.num2 = trace_dsn_pack("5.1.1");
    e.text = S(tr, "550 5.1.1 at RCPT TO");
    put(&b, &e);
    ev_new(TK_VERIFY, 309, &e); /* a verdict with no reply behind it */
    e.msg = msg1;
    e.from = N_CLIENT;
    e.aux = S(tr, "x@@b.example");
    e.sub = VERIFY_INVALID;
    e.text = S(tr, "bad syntax");
    put(&b, &e);
    return tr;
}

/* Writes the trace into a malloc'd NUL-terminated buffer. */
static char *write_to_string(const Trace *tr, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    CHECK(f != NULL);
    if (!f) {
        return NULL;
    }
    CHECK(trace_write_jsonl(tr, f));
    fclose(f);
    *len = n;
    return buf;
}

/* Reads a trace from the bytes of `s` (a tmpfile, so an empty input works too). */
static Trace *read_from_bytes(const char *s, size_t len, Error *err)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) {
        return NULL;
    }
    if (len) {
        fwrite(s, 1, len, f);
    }
    rewind(f);
    *err = (Error){ 0 };
    Trace *tr = trace_read_jsonl(f, "bad.jsonl", err);
    fclose(f);
    return tr;
}

static Trace *read_from_string(const char *s, Error *err)
{
    return read_from_bytes(s, strlen(s), err);
}

static bool kind_covered(const Trace *tr, TraceKind k)
{
    for (size_t i = 0; i < trace_count(tr); i++) {
        if (trace_events(tr)[i].kind == k) {
            return true;
        }
    }
    return false;
}

static void trace_jsonl_should_cover_every_event_kind_in_the_fixture(void)
{
    Trace *tr = build_full_trace();
    for (int k = 0; k < TK_KIND_COUNT; k++) {
        CHECK(kind_covered(tr, (TraceKind)k));
    }
    trace_destroy(tr);
}

static void trace_jsonl_should_write_what_it_reads_byte_for_byte(void)
{
    Trace *a = build_full_trace();
    size_t n1 = 0, n2 = 0;
    char *first = write_to_string(a, &n1);
    Error err;
    Trace *b = read_from_bytes(first, n1, &err);
    CHECK(b != NULL);
    if (!b) {
        char msg[1400];
        fprintf(stderr, "  read error: %s\n", error_format(&err, msg, sizeof msg));
        free(first);
        trace_destroy(a);
        return;
    }
    char *second = write_to_string(b, &n2);
    CHECK_EQ_INT(n2, n1);
    CHECK(n1 == n2 && memcmp(first, second, n1) == 0);
    /* One line per event plus the header. */
    size_t lines = 0;
    for (size_t i = 0; i < n1; i++) {
        lines += first[i] == '\n';
    }
    CHECK_EQ_INT(lines, trace_count(a) + 1);
    free(first);
    free(second);
    trace_destroy(a);
    trace_destroy(b);
}

/* Compares two traces record by record (strings by value). */
static void check_same_trace(const Trace *a, const Trace *b)
{
    CHECK_EQ_STR(trace_scenario(b), trace_scenario(a));
    CHECK_EQ_STR(trace_title(b), trace_title(a));
    CHECK_EQ_STR(trace_lesson(b), trace_lesson(a));
    CHECK_EQ_INT(trace_seed(b), trace_seed(a));
    CHECK_EQ_INT(trace_node_count(b), trace_node_count(a));
    for (int32_t i = 0; i < (int32_t)trace_node_count(a) && i < (int32_t)trace_node_count(b); i++) {
        const TraceNode *x = trace_node(a, i), *y = trace_node(b, i);
        CHECK_EQ_STR(trace_str(b, y->name), trace_str(a, x->name));
        CHECK_EQ_STR(trace_str(b, y->label), trace_str(a, x->label));
        CHECK_EQ_STR(trace_str(b, y->ip), trace_str(a, x->ip));
        CHECK_EQ_INT(y->kind, x->kind);
        CHECK_EQ_INT(y->has_pos, x->has_pos);
        CHECK(y->x == x->x && y->y == x->y);
    }
    CHECK_EQ_INT(trace_link_count(b), trace_link_count(a));
    for (int32_t i = 0; i < (int32_t)trace_link_count(a) && i < (int32_t)trace_link_count(b); i++) {
        CHECK_EQ_INT(trace_link(b, i)->a, trace_link(a, i)->a);
        CHECK_EQ_INT(trace_link(b, i)->b, trace_link(a, i)->b);
        CHECK_EQ_INT(trace_link(b, i)->latency_us, trace_link(a, i)->latency_us);
    }
    CHECK_EQ_INT(trace_msg_count(b), trace_msg_count(a));
    for (int32_t i = 0; i < (int32_t)trace_msg_count(a) && i < (int32_t)trace_msg_count(b); i++) {
        const TraceMsg *x = trace_msg(a, i), *y = trace_msg(b, i);
        CHECK_EQ_STR(trace_str(b, y->id), trace_str(a, x->id));
        CHECK_EQ_STR(trace_str(b, y->sender), trace_str(a, x->sender));
        CHECK_EQ_STR(trace_str(b, y->subject), trace_str(a, x->subject));
        CHECK_EQ_INT(y->size_bytes, x->size_bytes);
        CHECK_EQ_INT(y->parent, x->parent);
        CHECK_EQ_INT(y->client, x->client);
        CHECK_EQ_INT(y->rcpt_count, x->rcpt_count);
        for (uint32_t k = 0; k < x->rcpt_count && k < y->rcpt_count; k++) {
            CHECK_EQ_STR(trace_str(b, trace_msg_rcpt(b, i, k)),
                         trace_str(a, trace_msg_rcpt(a, i, k)));
        }
    }
    CHECK_EQ_INT(trace_count(b), trace_count(a));
    for (size_t i = 0; i < trace_count(a) && i < trace_count(b); i++) {
        const TraceEvent *x = &trace_events(a)[i], *y = &trace_events(b)[i];
        int before = test_failures_;
        CHECK_EQ_INT(y->kind, x->kind);
        CHECK_EQ_INT(y->t_us, x->t_us);
        CHECK_EQ_INT(y->arrive_us, x->arrive_us);
        CHECK_EQ_INT(y->msg, x->msg);
        CHECK_EQ_INT(y->from, x->from);
        CHECK_EQ_INT(y->to, x->to);
        CHECK_EQ_STR(trace_str(b, y->text), trace_str(a, x->text));
        CHECK_EQ_STR(trace_str(b, y->aux), trace_str(a, x->aux));
        CHECK_EQ_INT(y->num, x->num);
        CHECK_EQ_INT(y->num2, x->num2);
        CHECK_EQ_INT(y->sub, x->sub);
        CHECK_EQ_INT(y->flags, x->flags);
        CHECK_EQ_STR(trace_str(b, trace_caption(b, (uint32_t)i)),
                     trace_str(a, trace_caption(a, (uint32_t)i)));
        if (test_failures_ != before) {
            fprintf(stderr, "  (event %zu, kind %s)\n", i, trace_kind_name((TraceKind)x->kind));
        }
    }
    CHECK_EQ_INT(trace_caption_count(b), trace_caption_count(a));
    CHECK_EQ_INT(trace_end_time(b), trace_end_time(a));
}

static void trace_jsonl_should_read_back_every_record(void)
{
    Trace *a = build_full_trace();
    size_t n = 0;
    char *text = write_to_string(a, &n);
    Error err;
    Trace *b = read_from_bytes(text, n, &err);
    CHECK(b != NULL);
    if (b) {
        check_same_trace(a, b);
    }
    CHECK_EQ_STR(trace_lesson(a), LESSON);
    free(text);
    trace_destroy(a);
    trace_destroy(b);
}

/* What the lines look like, against the format the header comment of trace_jsonl.h and the field
 * table describe: header first; seconds with six decimals; escapes; a deferral's next try under
 * "next_try" (not "arrive"); a DSN named by its message id; flags only when set. */
static void trace_jsonl_should_write_the_documented_fields(void)
{
    Trace *a = build_full_trace();
    size_t n = 0;
    char *text = write_to_string(a, &n);
    static const char head[] = "{\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":"
                               "\"05-greylisting\",\"seed\":123456789,\"title\":\"Greylisting: "
                               "\\\"try again later\\\"\",\"lesson\":";
    CHECK(strncmp(text, head, strlen(head)) == 0);
    CHECK(strstr(text, "\"lesson\":\"Line one\\nLine \\\"two\\\"\\twith a tab, a \\\\backslash, "
                       "caf\xc3\xa9 and \\u0001.\"") != NULL);
    CHECK(strstr(text, "{\"id\":\"alice-laptop\",\"kind\":\"client\",\"label\":\"Alice's laptop\","
                       "\"x\":0.100,\"y\":0.500}") != NULL);
    CHECK(strstr(text, "{\"id\":\"resolver.a.example\",\"kind\":\"resolver\"}") != NULL);
    CHECK(strstr(text, "{\"a\":\"smtp.a.example\",\"b\":\"mx.b.example\",\"latency\":0.085000}") !=
          NULL);
    CHECK(strstr(text, "\n{\"t\":0.700000,\"kind\":\"defer\",\"msg\":\"m1\",\"from\":"
                       "\"smtp.a.example\",\"rcpt\":\"bob@b.example\",\"reply\":\"450 4.2.0 "
                       "<bob@b.example>: Recipient address rejected: Greylisted\",\"next_try\":"
                       "300.500000,\"dsn\":\"4.2.0\",\"reject\":true}\n") != NULL);
    CHECK(strstr(text, "\"kind\":\"bounce\",\"msg\":\"m1\",\"from\":\"smtp.a.example\","
                       "\"rcpt\":\"bob@b.example\",\"reply\":\"550 5.1.1 <bob@b.example>: "
                       "Recipient address rejected: User unknown\",\"dsn\":\"5.1.1\","
                       "\"report\":\"m1-dsn\",\"reject\":true,\"caption\":\"A permanent "
                       "failure.\"}") != NULL);
    CHECK(strstr(text, "{\"t\":301.000000,\"kind\":\"report\",\"msg\":\"m1-dsn\",\"from\":"
                       "\"smtp.a.example\",\"final_recipient\":\"bob@b.example\",\"action\":"
                       "\"failed\",\"status\":\"5.1.1\",\"remote_mta\":\"mx.b.example\","
                       "\"diagnostic_code\":\"smtp; 550 5.1.1 <bob@b.example>: Recipient "
                       "address rejected: User unknown\"}") != NULL);
    CHECK(strstr(text, "\"kind\":\"sent\",\"msg\":\"m1\",\"from\":\"smtp.a.example\","
                       "\"rcpt\":\"carol@b.example\",\"reply\":\"250 2.0.0 Ok: queued as "
                       "7E1D2C3B4A\",\"dsn\":\"2.0.0\"}") != NULL);
    CHECK(strstr(text, "\"rcpt\":\"carol@b.example\",\"folder\":\"junk\",\"dsn\":\"2.0.0\"}") !=
          NULL);
    CHECK(strstr(text, "{\"t\":309.000000,\"kind\":\"verify\",\"from\":\"alice-laptop\","
                       "\"address\":\"bob@b.example\",\"verdict\":\"invalid\",\"text\":"
                       "\"550 5.1.1 at RCPT TO\",\"dsn\":\"5.1.1\"}") != NULL);
    /* The bounce of a bounce has no "report" key at all, and no "dsn" when it has none. */
    CHECK(strstr(text, "{\"t\":301.000001,\"kind\":\"bounce\",\"msg\":\"m1-dsn\",\"from\":"
                       "\"smtp.a.example\",\"rcpt\":\"alice@a.example\",\"reply\":\"550 5.1.1 "
                       "<alice@a.example>: unknown\",\"reject\":true}") != NULL);
    CHECK(strstr(text, "\"answer\":\"10 mx.b.example\",\"cached\":true}") != NULL);
    CHECK(strstr(text, "\"score\":-1.900,\"required\":5.000") != NULL);
    CHECK(strstr(text, "\"parent\":\"m1\"") != NULL);
    CHECK(strstr(text, "\"caption\":\"Replaced: the server is down.\"") != NULL);
    CHECK(strstr(text, "\"kind\":\"retry\",\"msg\":\"m1\",\"from\":\"smtp.a.example\","
                       "\"attempt\":2,\"domain\":\"b.example\",\"text\":\"attempt 2 for "
                       "b.example\"}") != NULL);
    CHECK(strstr(text, "\"kind\":\"retry\",\"msg\":\"m1\",\"from\":\"smtp.a.example\","
                       "\"attempt\":3}") != NULL);
    CHECK(strstr(text, "\"user\":\"carol@b.example\",\"folder\":\"inbox\",\"text\":"
                       "\"carol@b.example marks it as not spam\"}") != NULL);
    CHECK(strstr(text, "\"what\":\"outage\"") != NULL);
    CHECK(strstr(text, "first caption") == NULL);
    free(text);
    trace_destroy(a);
}

/* A last line without its newline is complete JSON, not a truncation: accepted. */
static void trace_jsonl_should_accept_a_missing_final_newline(void)
{
    Trace *a = build_full_trace();
    size_t n = 0;
    char *text = write_to_string(a, &n);
    Error err;
    Trace *b = read_from_bytes(text, n - 1, &err);
    CHECK(b != NULL);
    CHECK(!err.set);
    if (b) {
        CHECK_EQ_INT(trace_count(b), trace_count(a));
    }
    free(text);
    trace_destroy(a);
    trace_destroy(b);
}

/* The simulator writes a text on RETRY ("attempt 2 for b.example", sim_relay.c) and MOVE ("carol
 * marks it as spam", sim_store.c) events, and the narrator prints exactly that text for them
 * (narrate.c: TK_RETRY "%s: %s", TK_MOVE "%s"). A replayed trace must narrate the same, so the
 * text has to survive the file. */
static void trace_jsonl_should_keep_the_text_of_retry_and_move_events(void)
{
    Trace *a = trace_create();
    TraceNode out = { .name = S(a, "smtp.a.example"), .kind = NODE_OUTGOING };
    TraceNode store = { .name = S(a, "store.b.example"), .kind = NODE_STORE };
    trace_add_node(a, &out);
    trace_add_node(a, &store);
    StrId rc[] = { S(a, "carol@b.example") };
    TraceMsg m = { .id = S(a, "m1"), .sender = S(a, "alice@a.example"), .parent = TRACE_NONE };
    int32_t msg = trace_add_msg(a, &m, rc, 1);
    TraceEvent e = trace_event_init(TK_COMPOSE, 0);
    e.msg = msg;
    e.from = 0;
    trace_append(a, &e);
    e = trace_event_init(TK_RETRY, SEC(300));
    e.msg = msg;
    e.from = 0;
    e.num = 2;
    e.text = S(a, "attempt 2 for b.example");
    trace_append(a, &e);
    e = trace_event_init(TK_MOVE, SEC(400));
    e.msg = msg;
    e.from = 1;
    e.aux = S(a, "carol@b.example");
    e.sub = FOLDER_JUNK;
    e.text = S(a, "carol@b.example marks it as spam");
    trace_append(a, &e);

    size_t n = 0;
    char *text = write_to_string(a, &n);
    Error err;
    Trace *b = read_from_bytes(text, n, &err);
    CHECK(b != NULL);
    if (b && trace_count(b) == 3) {
        CHECK_EQ_STR(trace_str(b, trace_events(b)[1].text), "attempt 2 for b.example");
        CHECK_EQ_STR(trace_str(b, trace_events(b)[2].text), "carol@b.example marks it as spam");
    }
    free(text);
    trace_destroy(a);
    trace_destroy(b);
}

/* ---- the reader's refusals ------------------------------------------------------------------ */

#define HEADER                                                                                     \
    "{\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":\"s\",\"seed\":1,"                 \
    "\"title\":\"\",\"lesson\":\"\",\"nodes\":[{\"id\":\"smtp.a.example\",\"kind\":"           \
    "\"outgoing\"},{\"id\":\"mx.b.example\",\"kind\":\"incoming\"}],\"links\":[]}\n"
#define COMPOSE_M1                                                                                 \
    "{\"t\":0.000000,\"kind\":\"compose\",\"msg\":\"m1\",\"from\":\"smtp.a.example\","         \
    "\"sender\":\"a@a.example\",\"rcpt\":[\"b@b.example\"],\"subject\":\"hi\",\"size\":700}\n"

/* Reads `text` and expects a refusal with exactly `where` and `msg`. */
static void expect_refusal(const char *text, const char *where, const char *msg)
{
    Error err;
    Trace *tr = read_from_string(text, &err);
    CHECK(tr == NULL);
    CHECK(err.set);
    CHECK_EQ_STR(err.file, "bad.jsonl");
    CHECK_EQ_STR(err.where, where);
    CHECK_EQ_STR(err.msg, msg);
    trace_destroy(tr);
}

static void trace_jsonl_should_read_a_minimal_valid_file(void)
{
    Error err;
    Trace *tr = read_from_string(HEADER COMPOSE_M1, &err);
    CHECK(tr != NULL);
    CHECK(!err.set);
    if (tr) {
        CHECK_EQ_INT(trace_count(tr), 1);
        CHECK_EQ_INT(trace_node_count(tr), 2);
        CHECK_EQ_INT(trace_find_msg(tr, "m1"), 0);
    }
    trace_destroy(tr);
}

/* An empty file has no line 0: the error names no line, or line 1 where the header belongs. */
static void trace_jsonl_should_refuse_an_empty_file(void)
{
    Error err;
    Trace *tr = read_from_string("", &err);
    CHECK(tr == NULL);
    CHECK_EQ_STR(err.msg, "the file is empty (expected a mailsim trace header)");
    CHECK(strcmp(err.where, "") == 0 || strcmp(err.where, "line 1") == 0);
    if (strcmp(err.where, "") != 0 && strcmp(err.where, "line 1") != 0) {
        fprintf(stderr, "  where: \"%s\"\n", err.where);
    }
    trace_destroy(tr);
}

static void trace_jsonl_should_refuse_another_format(void)
{
    expect_refusal("{\"format\":\"other-trace\",\"version\":1,\"scenario\":\"s\",\"seed\":1,"
                   "\"nodes\":[],\"links\":[]}\n",
                   "line 1", "not a mailsim trace: \"format\" is \"other-trace\", expected "
                             "\"mailsim-trace\"");
    expect_refusal("{\"version\":1}\n", "line 1",
                   "not a mailsim trace: the first line has no \"format\" (expected a header "
                   "{\"format\": \"mailsim-trace\", \"version\": 2, ...})");
    expect_refusal("[1,2,3]\n", "line 1", "not a JSON object (expected one event per line)");
}

/* A trace from before outcomes carried "dsn" is refused with what to do about it. */
static void trace_jsonl_should_ask_to_rerecord_a_version_1_trace(void)
{
    expect_refusal("{\"format\":\"mailsim-trace\",\"version\":1,\"scenario\":\"s\",\"seed\":1,"
                   "\"nodes\":[],\"links\":[]}\n",
                   "line 1",
                   "trace version 1 was written by an earlier mailsim (this one reads version 2): "
                   "run its scenario again to record it anew");
}

static void trace_jsonl_should_refuse_version_3(void)
{
    expect_refusal("{\"format\":\"mailsim-trace\",\"version\":3,\"scenario\":\"s\",\"seed\":1,"
                   "\"nodes\":[],\"links\":[]}\n",
                   "line 1", "trace version 3 is not supported (this mailsim reads version 2)");
}

/* A real trace cut in the middle of its last line (a crashed or interrupted writer). */
static void trace_jsonl_should_refuse_a_truncated_file(void)
{
    Trace *a = build_full_trace();
    size_t n = 0;
    char *text = write_to_string(a, &n);
    size_t last_start = n - 1;
    while (last_start > 0 && text[last_start - 1] != '\n') {
        last_start--;
    }
    size_t cut = last_start + (n - 1 - last_start) / 2;
    text[cut] = '\0';
    char where[32];
    snprintf(where, sizeof where, "line %zu", trace_count(a) + 1);
    expect_refusal(text, where, "the file ends in the middle of a line (truncated trace?)");
    /* The same cut in a file that then goes on is just a bad line. */
    char two[] = HEADER "{\"t\":1.0,\"kind\":\"act\n"
                        "{\"t\":2.0,\"kind\":\"action\",\"text\":\"x\"}\n";
    expect_refusal(two, "line 2", "not a JSON object (expected one event per line)");
    free(text);
    trace_destroy(a);
}

static void trace_jsonl_should_refuse_events_out_of_order(void)
{
    expect_refusal(HEADER "{\"t\":5.0,\"kind\":\"action\",\"text\":\"a\"}\n"
                          "{\"t\":5.0,\"kind\":\"action\",\"text\":\"same time is fine\"}\n"
                          "{\"t\":4.999999,\"kind\":\"action\",\"text\":\"b\"}\n",
                   "line 4", "events out of order: this event is earlier than the one before it");
    expect_refusal(HEADER "{\"t\":5.0,\"kind\":\"hop\",\"arrive\":4.0,\"text\":\"x\"}\n", "line 2",
                   "\"arrive\" is before \"t\"");
}

static void trace_jsonl_should_refuse_an_unknown_kind(void)
{
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"teleport\"}\n", "line 2",
                   "unknown event kind \"teleport\"");
}

static void trace_jsonl_should_refuse_an_unknown_node(void)
{
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"action\",\"from\":\"mx.nowhere\","
                          "\"text\":\"x\"}\n",
                   "line 2", "unknown node \"mx.nowhere\" in \"from\"");
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"action\",\"to\":\"ghost\",\"text\":\"x\"}\n",
                   "line 2", "unknown node \"ghost\" in \"to\"");
    expect_refusal("{\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":\"s\",\"seed\":1,"
                   "\"nodes\":[{\"id\":\"a\",\"kind\":\"router\"}],\"links\":[]}\n",
                   "line 1", "unknown node kind \"router\" for node \"a\"");
}

static void trace_jsonl_should_refuse_an_unknown_message(void)
{
    expect_refusal(HEADER COMPOSE_M1 "{\"t\":1.0,\"kind\":\"queue\",\"msg\":\"m9\",\"from\":"
                                     "\"smtp.a.example\",\"text\":\"Q1\"}\n",
                   "line 3", "unknown message \"m9\" in \"msg\"");
    /* A DSN reference to a message never composed. */
    expect_refusal(HEADER COMPOSE_M1 "{\"t\":1.0,\"kind\":\"bounce\",\"msg\":\"m1\",\"rcpt\":"
                                     "\"b@b.example\",\"reply\":\"550\",\"report\":\"m1-dsn\"}\n",
                   "line 3", "unknown message \"m1-dsn\" in \"report\"");
}

static void trace_jsonl_should_refuse_a_malformed_status_code(void)
{
    static const char *const bad[] = { "m1-dsn", "5.1", "3.0.0", "5.1.1 ", "5.100.1", "5.1.1000",
                                       "", "+5.1.1", "5.-1.1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[512], msg[256];
        snprintf(line, sizeof line,
                 HEADER COMPOSE_M1 "{\"t\":1.0,\"kind\":\"bounce\",\"msg\":\"m1\",\"rcpt\":"
                                   "\"b@b.example\",\"reply\":\"550\",\"dsn\":\"%s\"}\n",
                 bad[i]);
        snprintf(msg, sizeof msg,
                 "\"dsn\" must be an enhanced status code such as \"5.1.1\" (RFC 3463), not \"%s\"",
                 bad[i]);
        expect_refusal(line, "line 3", msg);
    }
    /* A report's status is required; a verdict must be one of the four. */
    expect_refusal(HEADER COMPOSE_M1 "{\"t\":1.0,\"kind\":\"report\",\"msg\":\"m1\","
                                     "\"final_recipient\":\"b@b.example\",\"action\":\"failed\","
                                     "\"diagnostic_code\":\"smtp; 550\"}\n",
                   "line 3", "missing \"status\" for this kind of event");
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"verify\",\"address\":\"b@b.example\","
                          "\"verdict\":\"maybe\",\"text\":\"?\"}\n",
                   "line 2", "\"verdict\" has an unknown value \"maybe\"");
}

static void trace_should_pack_and_format_status_codes(void)
{
    char buf[TRACE_DSN_BUF];
    CHECK_EQ_INT(trace_dsn_pack("4.4.3"), 404003);
    CHECK_EQ_INT(trace_dsn_pack("5.1.10"), 501010);
    CHECK_EQ_INT(trace_dsn_pack("2.0.0"), 200000);
    CHECK_EQ_INT(trace_dsn_pack("5.99.999"), 599999);
    CHECK(trace_dsn_pack("5.99.999") <= TRACE_NUM2_MAX);
    CHECK_EQ_INT(trace_dsn_pack("1.0.0"), 0);
    CHECK_EQ_INT(trace_dsn_pack("4.4"), 0);
    CHECK_EQ_STR(trace_dsn_format(trace_dsn_pack("5.1.10"), buf), "5.1.10");
    CHECK_EQ_STR(trace_dsn_format(trace_dsn_pack("4.7.0"), buf), "4.7.0");
    CHECK_EQ_STR(trace_dsn_format(0, buf), "");
}

/* An event holds num2 (here the required spam score in thousandths) in 22 signed bits. */
static void trace_jsonl_should_keep_num2_within_the_event_s_field(void)
{
    Error err;
    Trace *tr = read_from_string(HEADER "{\"t\":1.0,\"kind\":\"spam\",\"verdict\":\"ham\","
                                        "\"score\":1.0,\"required\":-2097.152,\"tests\":\"none\","
                                        "\"status\":\"x\"}\n",
                                 &err);
    CHECK(tr != NULL);
    if (tr) {
        CHECK_EQ_INT(trace_events(tr)[0].num2, TRACE_NUM2_MIN);
        CHECK_EQ_INT(trace_events(tr)[0].kind, TK_SPAM);
    }
    trace_destroy(tr);
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"spam\",\"verdict\":\"ham\",\"score\":1.0,"
                          "\"required\":2097.152,\"tests\":\"none\",\"status\":\"x\"}\n",
                   "line 2", "\"required\" is out of range");
}

static void trace_jsonl_should_refuse_a_missing_required_field(void)
{
    /* An SMTP reply needs its code; a command does not. */
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"smtp\",\"dir\":\"reply\",\"line\":\"250 Ok\"}\n",
                   "line 2", "missing \"code\" for this kind of event");
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"defer\",\"rcpt\":\"b@b.example\",\"reply\":"
                          "\"450\"}\n",
                   "line 2", "missing \"next_try\" for this kind of event");
    expect_refusal(HEADER "{\"kind\":\"action\",\"text\":\"x\"}\n", "line 2",
                   "missing \"t\" (expected a number)");
    expect_refusal(HEADER "{\"t\":1.0,\"text\":\"x\"}\n", "line 2",
                   "missing \"kind\" (expected a string)");
    expect_refusal("{\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":\"s\",\"seed\":1,"
                   "\"links\":[]}\n",
                   "line 1", "missing \"nodes\" (expected an array of nodes)");
    /* Present but of the wrong type or value. */
    expect_refusal(HEADER "{\"t\":\"soon\",\"kind\":\"action\",\"text\":\"x\"}\n", "line 2",
                   "\"t\" must be a number");
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"conn\",\"result\":\"exploded\"}\n", "line 2",
                   "\"result\" has an unknown value \"exploded\"");
    expect_refusal(HEADER "{\"t\":1.0,\"kind\":\"dns\",\"dir\":\"answer\",\"qname\":\"b.example\","
                          "\"qtype\":\"MX\",\"rcode\":\"NOERROR\",\"cached\":false}\n",
                   "line 2", "\"cached\" may only be true");
}

static void trace_jsonl_should_refuse_an_overlong_line(void)
{
    size_t pad = TRACE_MAX_LINE + 10;
    size_t head = strlen(HEADER);
    char *text = malloc(head + pad + 64);
    memcpy(text, HEADER, head);
    char *p = text + head;
    p += sprintf(p, "{\"t\":1.0,\"kind\":\"action\",\"text\":\"");
    memset(p, 'x', pad);
    p += pad;
    strcpy(p, "\"}\n");
    expect_refusal(text, "line 2", "line is longer than 1048576 bytes");
    free(text);
}

static void trace_jsonl_should_format_errors_with_file_and_line(void)
{
    Error err;
    Trace *tr = read_from_string(HEADER "{\"t\":1.0,\"kind\":\"teleport\"}\n", &err);
    CHECK(tr == NULL);
    char buf[1400];
    CHECK_EQ_STR(error_format(&err, buf, sizeof buf),
                 "bad.jsonl: line 2: unknown event kind \"teleport\"");
    trace_destroy(tr);
}

RUN_TESTS(TEST_CASE(trace_should_start_empty), TEST_CASE(trace_should_init_a_blank_event),
          TEST_CASE(trace_should_append_events_in_time_order),
          TEST_CASE(trace_jsonl_should_keep_num2_within_the_event_s_field),
          
          TEST_CASE(trace_should_end_when_everything_has_arrived),
          TEST_CASE(trace_should_keep_messages_and_their_recipients),
          TEST_CASE(trace_should_keep_nodes_links_and_meta),
          TEST_CASE(trace_should_set_replace_and_look_up_captions),
          TEST_CASE(trace_should_round_trip_every_name_table),
          TEST_CASE(trace_jsonl_should_cover_every_event_kind_in_the_fixture),
          TEST_CASE(trace_jsonl_should_write_what_it_reads_byte_for_byte),
          TEST_CASE(trace_jsonl_should_read_back_every_record),
          TEST_CASE(trace_jsonl_should_write_the_documented_fields),
          TEST_CASE(trace_jsonl_should_accept_a_missing_final_newline),
          TEST_CASE(trace_jsonl_should_keep_the_text_of_retry_and_move_events),
          TEST_CASE(trace_jsonl_should_read_a_minimal_valid_file),
          TEST_CASE(trace_jsonl_should_refuse_an_empty_file),
          TEST_CASE(trace_jsonl_should_refuse_another_format),
          TEST_CASE(trace_jsonl_should_refuse_version_3),
          TEST_CASE(trace_jsonl_should_ask_to_rerecord_a_version_1_trace),
          TEST_CASE(trace_jsonl_should_refuse_a_truncated_file),
          TEST_CASE(trace_jsonl_should_refuse_events_out_of_order),
          TEST_CASE(trace_jsonl_should_refuse_an_unknown_kind),
          TEST_CASE(trace_jsonl_should_refuse_an_unknown_node),
          TEST_CASE(trace_jsonl_should_refuse_an_unknown_message),
          TEST_CASE(trace_jsonl_should_refuse_a_malformed_status_code),
          TEST_CASE(trace_should_pack_and_format_status_codes),
          TEST_CASE(trace_jsonl_should_refuse_a_missing_required_field),
          TEST_CASE(trace_jsonl_should_refuse_an_overlong_line),
          TEST_CASE(trace_jsonl_should_format_errors_with_file_and_line))
