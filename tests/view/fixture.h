/* fixture: hand-built traces for the player's tests, shaped like the mail model's output
 * (sim/model: who is `from`, what travels, which events carry msg) so view tests do not depend
 * on the simulation's timing.
 *
 *   fixture_happy():  Alice's client submits m1 to smtp.a.example, which asks DNS (MX, then A
 *                     from cache), talks SMTP to mx.b.example (220 EHLO 250 MAIL 250 RCPT 250
 *                     DATA 354 . 250 QUIT 221), the message hops to the filter (ham, 1.2/5.0) and
 *                     into Bob's Inbox; Bob's client fetches it at 600 s.
 *   fixture_bounce(): the same first steps, but RCPT TO gets 550 5.1.1 User unknown (reply in
 *                     flight 1710..1750 ms); the server bounces at 1830 and the DSN m1-dsn
 *                     travels back into Alice's store (1850..1870).
 *   fixture_spam():   m1 is judged spam (7.3/5.0, three rules) and filed in Junk.
 *   fixture_retry():  mx.b.example is down; the connection is refused, m1 is deferred with a
 *                     retry at 301 s, the retry succeeds.
 *
 * Times are in milliseconds in the tables below; the caller owns the returned trace.
 */
#ifndef MAILSIM_TEST_RENDER_FIXTURE_H
#define MAILSIM_TEST_RENDER_FIXTURE_H

#include "trace/trace.h"

#include <stdio.h>
#include <string.h>

#define MS(x) ((int64_t)(x) * 1000)

enum { N_ALICE, N_SMTP_A, N_DNS_A, N_MX_B, N_SPAMD_B, N_STORE_B, N_BOB, N_STORE_A, N_DNS_B };

typedef struct {
    Trace *tr;
    int32_t msg; /* current message for the helpers */
} Fx;

static inline StrId fx_s(Fx *fx, const char *s)
{
    return strpool_intern(trace_strings(fx->tr), s ? s : "");
}

static inline uint32_t fx_ev(Fx *fx, TraceKind kind, int64_t t_ms, int32_t from, int32_t to,
                      int64_t arrive_ms, const char *text)
{
    TraceEvent e = trace_event_init(kind, MS(t_ms));
    e.from = from;
    e.to = to;
    e.msg = fx->msg;
    e.arrive_us = arrive_ms < 0 ? TRACE_NO_TIME : MS(arrive_ms);
    e.text = fx_s(fx, text);
    return trace_append(fx->tr, &e);
}

static inline uint32_t fx_cmd(Fx *fx, int64_t t, int32_t from, int32_t to, int64_t arrive, const char *line)
{
    return fx_ev(fx, TK_SMTP, t, from, to, arrive, line);
}

static inline uint32_t fx_reply(Fx *fx, int64_t t, int32_t from, int32_t to, int64_t arrive, int code,
                         const char *line)
{
    TraceEvent e = trace_event_init(TK_SMTP, MS(t));
    e.from = from;
    e.to = to;
    e.msg = fx->msg;
    e.arrive_us = MS(arrive);
    e.text = fx_s(fx, line);
    e.sub = TRACE_ANSWER;
    e.num = code;
    e.flags = code >= 400 ? TRACE_F_REJECT : 0;
    return trace_append(fx->tr, &e);
}

static inline uint32_t fx_dns(Fx *fx, int64_t t, int32_t from, int32_t to, int64_t arrive,
                              TraceSide side, TraceQtype q, const char *qname, const char *data,
                              TraceRcode rcode, bool cached)
{
    TraceEvent e = trace_event_init(TK_DNS, MS(t));
    e.from = from;
    e.to = to;
    e.msg = fx->msg;
    e.arrive_us = MS(arrive);
    e.sub = side;
    e.aux = fx_s(fx, qname);
    e.num = q;
    e.num2 = rcode;
    e.text = fx_s(fx, data);
    e.flags = cached ? TRACE_F_CACHED : 0;
    return trace_append(fx->tr, &e);
}

static inline uint32_t fx_conn(Fx *fx, int64_t t, int32_t from, int32_t to, int64_t arrive, TraceConn c,
                        int port)
{
    TraceEvent e = trace_event_init(TK_CONN, MS(t));
    e.from = from;
    e.to = to;
    e.msg = fx->msg;
    e.arrive_us = arrive < 0 ? TRACE_NO_TIME : MS(arrive);
    e.sub = (uint8_t)c;
    e.num = port;
    e.flags = c == CONN_REFUSED || c == CONN_TIMEOUT ? TRACE_F_REJECT : 0;
    e.text = fx_s(fx, c == CONN_REFUSED ? "Connection refused" : "connect");
    return trace_append(fx->tr, &e);
}

static inline uint32_t fx_outcome(Fx *fx, TraceKind kind, int64_t t, int32_t node, const char *rcpt,
                           const char *reply, int64_t next_ms, int32_t num)
{
    TraceEvent e = trace_event_init(kind, MS(t));
    e.from = node;
    e.msg = fx->msg;
    e.aux = fx_s(fx, rcpt);
    e.text = fx_s(fx, reply);
    e.arrive_us = next_ms < 0 ? TRACE_NO_TIME : MS(next_ms);
    e.num = num;
    e.flags = kind == TK_BOUNCE || kind == TK_DEFER ? TRACE_F_REJECT : 0;
    return trace_append(fx->tr, &e);
}

static inline void fx_topology(Fx *fx)
{
    static const struct {
        const char *name, *label, *ip;
        NodeKind kind;
    } nodes[] = {
        { "alice-laptop", "Alice's laptop", "", NODE_CLIENT },
        { "smtp.a.example", "", "198.51.100.10", NODE_OUTGOING },
        { "dns.a.example", "", "", NODE_RESOLVER },
        { "mx.b.example", "", "203.0.113.25", NODE_INCOMING },
        { "spamd.b.example", "", "", NODE_FILTER },
        { "store.b.example", "", "", NODE_STORE },
        { "bob-laptop", "Bob's laptop", "", NODE_CLIENT },
        { "store.a.example", "", "", NODE_STORE },
        { "dns.b.example", "", "", NODE_RESOLVER },
    };
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        TraceNode n = { fx_s(fx, nodes[i].name), fx_s(fx, nodes[i].label), fx_s(fx, nodes[i].ip),
                        nodes[i].kind, false, 0, 0 };
        trace_add_node(fx->tr, &n);
    }
    static const int32_t links[][2] = { { N_ALICE, N_SMTP_A },   { N_SMTP_A, N_DNS_A },
                                        { N_SMTP_A, N_MX_B },    { N_MX_B, N_SPAMD_B },
                                        { N_SPAMD_B, N_STORE_B }, { N_STORE_B, N_BOB },
                                        { N_SMTP_A, N_STORE_A }, { N_MX_B, N_DNS_B },
                                        { N_STORE_A, N_ALICE } };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        TraceLink l = { links[i][0], links[i][1], MS(20) };
        trace_add_link(fx->tr, &l);
    }
}

static inline int32_t fx_msg(Fx *fx, const char *id, const char *sender, const char *rcpt,
                      const char *subject, int32_t parent, int32_t client)
{
    StrId r = fx_s(fx, rcpt);
    TraceMsg m = { fx_s(fx, id), fx_s(fx, sender), fx_s(fx, subject), 1200, 0, 0, parent, client };
    return trace_add_msg(fx->tr, &m, &r, 1);
}

/* Compose + submission of m1 from Alice's laptop to smtp.a.example: 1000..1180 ms. */
static inline void fx_submit_to(Fx *fx, const char *subject, const char *rcpt)
{
    fx->msg = fx_msg(fx, "m1", "alice@a.example", rcpt, subject, TRACE_NONE, N_ALICE);
    fx_ev(fx, TK_COMPOSE, 1000, N_ALICE, TRACE_NONE, -1, "");
    fx_ev(fx, TK_HEADER, 1000, N_ALICE, TRACE_NONE, -1, "From: Alice Liddell <alice@a.example>");
    char to[200];
    snprintf(to, sizeof to, "To: %s", rcpt);
    fx_ev(fx, TK_HEADER, 1000, N_ALICE, TRACE_NONE, -1, to);
    char subj[200];
    snprintf(subj, sizeof subj, "Subject: %s", subject);
    fx_ev(fx, TK_HEADER, 1000, N_ALICE, TRACE_NONE, -1, subj);
    fx_conn(fx, 1000, N_ALICE, N_SMTP_A, 1010, CONN_OPEN, 587);
    fx_reply(fx, 1010, N_SMTP_A, N_ALICE, 1020, 220, "220 smtp.a.example ESMTP");
    fx_cmd(fx, 1020, N_ALICE, N_SMTP_A, 1030, "EHLO alice-laptop");
    fx_reply(fx, 1030, N_SMTP_A, N_ALICE, 1040, 250, "250-smtp.a.example\n250 8BITMIME");
    fx_cmd(fx, 1040, N_ALICE, N_SMTP_A, 1050, "MAIL FROM:<alice@a.example>");
    fx_reply(fx, 1050, N_SMTP_A, N_ALICE, 1060, 250, "250 2.1.0 Ok");
    char rcpt_line[200];
    snprintf(rcpt_line, sizeof rcpt_line, "RCPT TO:<%s>", rcpt);
    fx_cmd(fx, 1060, N_ALICE, N_SMTP_A, 1070, rcpt_line);
    fx_reply(fx, 1070, N_SMTP_A, N_ALICE, 1080, 250, "250 2.1.5 Ok");
    fx_cmd(fx, 1080, N_ALICE, N_SMTP_A, 1090, "DATA");
    fx_reply(fx, 1090, N_SMTP_A, N_ALICE, 1100, 354, "354 End data with <CR><LF>.<CR><LF>");
    fx_cmd(fx, 1100, N_ALICE, N_SMTP_A, 1150, ".");
    fx_reply(fx, 1150, N_SMTP_A, N_ALICE, 1160, 250, "250 2.0.0 Ok: queued as 4F2A1");
    fx_ev(fx, TK_QUEUE, 1150, N_SMTP_A, TRACE_NONE, -1, "queued as 4F2A1");
    fx_ev(fx, TK_HEADER, 1150, N_SMTP_A, TRACE_NONE, -1,
          "Received: from alice-laptop by smtp.a.example with ESMTPSA id 4F2A1");
    fx_cmd(fx, 1160, N_ALICE, N_SMTP_A, 1170, "QUIT");
    fx_reply(fx, 1170, N_SMTP_A, N_ALICE, 1180, 221, "221 2.0.0 Bye");
}

static inline void fx_submit(Fx *fx, const char *subject)
{
    fx_submit_to(fx, subject, "bob@b.example");
}

/* MX and A look-ups, then the relay session up to RCPT TO (sent at 1670, reply at 1710). */
static inline void fx_relay_to_rcpt(Fx *fx, const char *rcpt)
{
    fx_dns(fx, 1200, N_SMTP_A, N_DNS_A, 1400, TRACE_ASK, QTYPE_MX, "b.example", "",
           RCODE_NOERROR, false);
    fx_dns(fx, 1400, N_DNS_A, N_SMTP_A, 1410, TRACE_ANSWER, QTYPE_MX, "b.example", "10 mx.b.example",
           RCODE_NOERROR, false);
    fx_dns(fx, 1410, N_SMTP_A, N_DNS_A, 1420, TRACE_ASK, QTYPE_A, "mx.b.example", "",
           RCODE_NOERROR, false);
    fx_dns(fx, 1420, N_DNS_A, N_SMTP_A, 1430, TRACE_ANSWER, QTYPE_A, "mx.b.example", "203.0.113.25",
           RCODE_NOERROR, true);
    fx_conn(fx, 1430, N_SMTP_A, N_MX_B, 1470, CONN_OPEN, 25);
    fx_reply(fx, 1470, N_MX_B, N_SMTP_A, 1510, 220, "220 mx.b.example ESMTP");
    fx_cmd(fx, 1510, N_SMTP_A, N_MX_B, 1550, "EHLO smtp.a.example");
    fx_reply(fx, 1550, N_MX_B, N_SMTP_A, 1590, 250, "250-mx.b.example\n250 8BITMIME");
    fx_cmd(fx, 1590, N_SMTP_A, N_MX_B, 1630, "MAIL FROM:<alice@a.example>");
    fx_reply(fx, 1630, N_MX_B, N_SMTP_A, 1670, 250, "250 2.1.0 Ok");
    char line[200];
    snprintf(line, sizeof line, "RCPT TO:<%s>", rcpt);
    fx_cmd(fx, 1670, N_SMTP_A, N_MX_B, 1710, line);
}

/* RCPT accepted, DATA, the message crosses (1830..1900), 250, QUIT; filter; store. */
static inline void fx_relay_rest(Fx *fx, bool spam)
{
    fx_reply(fx, 1710, N_MX_B, N_SMTP_A, 1750, 250, "250 2.1.5 Ok");
    fx_cmd(fx, 1750, N_SMTP_A, N_MX_B, 1790, "DATA");
    fx_reply(fx, 1790, N_MX_B, N_SMTP_A, 1830, 354, "354 End data with <CR><LF>.<CR><LF>");
    fx_cmd(fx, 1830, N_SMTP_A, N_MX_B, 1900, ".");
    fx_reply(fx, 1900, N_MX_B, N_SMTP_A, 1940, 250, "250 2.0.0 Ok: queued as 9B1C");
    fx_ev(fx, TK_HEADER, 1900, N_MX_B, TRACE_NONE, -1,
          "Received: from smtp.a.example (smtp.a.example [198.51.100.10]) by mx.b.example "
          "with ESMTP id 9B1C");
    fx_outcome(fx, TK_SENT, 1940, N_SMTP_A, "bob@b.example", "250 2.0.0 Ok: queued as 9B1C", -1, 0);
    fx_cmd(fx, 1940, N_SMTP_A, N_MX_B, 1980, "QUIT");
    fx_ev(fx, TK_HOP, 1950, N_MX_B, N_SPAMD_B, 1960, "to the spam filter");
    fx_reply(fx, 1980, N_MX_B, N_SMTP_A, 2020, 221, "221 2.0.0 Bye");
    TraceEvent e = trace_event_init(TK_SPAM, MS(2500));
    e.from = N_SPAMD_B;
    e.msg = fx->msg;
    e.sub = spam ? VERDICT_SPAM : VERDICT_HAM;
    e.num = spam ? 7300 : 1200;
    e.num2 = 5000;
    e.aux = fx_s(fx, spam ? "MISSING_DATE,SUBJ_ALL_CAPS,URIBL_DBL_SPAM" : "BAYES_50");
    e.text = fx_s(fx, spam ? "Yes, score=7.3 required=5.0 tests=MISSING_DATE,SUBJ_ALL_CAPS,"
                             "URIBL_DBL_SPAM autolearn=no"
                           : "No, score=1.2 required=5.0 tests=BAYES_50 autolearn=no");
    fx_ev(fx, TK_HEADER, 2500, N_SPAMD_B, TRACE_NONE, -1,
          spam ? "X-Spam-Flag: YES" : "X-Spam-Status: No, score=1.2 required=5.0");
    trace_append(fx->tr, &e);
    fx_ev(fx, TK_HOP, 2500, N_SPAMD_B, N_STORE_B, 2510, "into the mail store");
    TraceEvent d = trace_event_init(TK_DELIVER, MS(2510));
    d.from = N_STORE_B;
    d.msg = fx->msg;
    d.sub = spam ? FOLDER_JUNK : FOLDER_INBOX;
    d.aux = fx_s(fx, "bob@b.example");
    d.text = fx_s(fx, spam ? "filed in Junk" : "filed in Inbox");
    trace_append(fx->tr, &d);
}

static inline void fx_fetch(Fx *fx)
{
    int32_t m = fx->msg;
    fx->msg = TRACE_NONE;
    fx_ev(fx, TK_FETCH, 600000, N_BOB, N_STORE_B, 600010, "a1 LOGIN bob ********");
    TraceEvent r = trace_event_init(TK_FETCH, MS(600010));
    r.from = N_STORE_B;
    r.to = N_BOB;
    r.sub = TRACE_ANSWER;
    r.arrive_us = MS(600020);
    r.text = fx_s(fx, "a1 OK LOGIN completed");
    trace_append(fx->tr, &r);
    r.t_us = MS(600020);
    r.arrive_us = MS(600120);
    r.msg = m;
    r.aux = fx_s(fx, "bob@b.example");
    r.text = fx_s(fx, "* 1 FETCH (BODY[] {1200}");
    trace_append(fx->tr, &r);
    fx->msg = m;
}

static inline Trace *fixture_happy(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    trace_set_meta(fx.tr, "01-happy-path", "The happy path: one message, start to finish",
                   "Alice writes to Bob.", 1);
    fx_topology(&fx);
    fx_submit(&fx, "Lunch on Friday?");
    uint32_t first_dns = (uint32_t)trace_count(fx.tr);
    fx_relay_to_rcpt(&fx, "bob@b.example");
    fx_relay_rest(&fx, false);
    fx_fetch(&fx);
    trace_set_caption(fx.tr, first_dns,
                      fx_s(&fx, "Alice's server asks DNS which server takes mail for b.example."));
    return fx.tr;
}

static inline Trace *fixture_spam(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    trace_set_meta(fx.tr, "09-spam-filtered", "Spam", "A spam message lands in Junk.", 1);
    fx_topology(&fx);
    fx_submit(&fx, "WIN A PRIZE NOW");
    fx_relay_to_rcpt(&fx, "bob@b.example");
    fx_relay_rest(&fx, true);
    return fx.tr;
}

static inline Trace *fixture_bounce(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    trace_set_meta(fx.tr, "03-unknown-user", "Unknown user", "A typo in the address bounces.", 1);
    fx_topology(&fx);
    fx_submit_to(&fx, "Lunch on Friday?", "nobody@b.example");
    fx_relay_to_rcpt(&fx, "nobody@b.example");
    fx_reply(&fx, 1710, N_MX_B, N_SMTP_A, 1750, 550,
             "550 5.1.1 <nobody@b.example>: Recipient address rejected: User unknown");
    fx_cmd(&fx, 1750, N_SMTP_A, N_MX_B, 1790, "QUIT");
    fx_reply(&fx, 1790, N_MX_B, N_SMTP_A, 1830, 221, "221 2.0.0 Bye");
    int32_t orig = fx.msg;
    int32_t dsn = fx_msg(&fx, "m1-dsn", "", "alice@a.example",
                         "Undelivered Mail Returned to Sender", orig, N_SMTP_A);
    fx_outcome(&fx, TK_BOUNCE, 1830, N_SMTP_A, "nobody@b.example",
               "550 5.1.1 <nobody@b.example>: Recipient address rejected: User unknown", -1,
               dsn + 1);
    fx.msg = dsn;
    fx_ev(&fx, TK_COMPOSE, 1830, N_SMTP_A, TRACE_NONE, -1, "");
    fx_ev(&fx, TK_HEADER, 1830, N_SMTP_A, TRACE_NONE, -1,
          "From: MAILER-DAEMON@smtp.a.example (Mail Delivery System)");
    fx_ev(&fx, TK_HOP, 1850, N_SMTP_A, N_STORE_A, 1870, "into the mail store (local delivery)");
    /* As the model does: the server hands the bounce to Alice's store, a "sent". */
    TraceEvent handed = trace_event_init(TK_SENT, MS(1850));
    handed.from = N_SMTP_A;
    handed.to = N_STORE_A;
    handed.msg = dsn;
    trace_append(fx.tr, &handed);
    TraceEvent d = trace_event_init(TK_DELIVER, MS(1870));
    d.from = N_STORE_A;
    d.msg = dsn;
    d.sub = FOLDER_INBOX;
    d.aux = fx_s(&fx, "alice@a.example");
    trace_append(fx.tr, &d);
    return fx.tr;
}

static inline Trace *fixture_retry(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    trace_set_meta(fx.tr, "11-server-outage-retry", "Outage", "The server is down; retry later.", 1);
    fx_topology(&fx);
    TraceEvent a = trace_event_init(TK_ACTION, 0);
    a.from = N_MX_B;
    a.text = fx_s(&fx, "mx.b.example goes down");
    a.aux = fx_s(&fx, "outage");
    trace_append(fx.tr, &a);
    fx_submit(&fx, "Lunch on Friday?");
    fx_dns(&fx, 1200, N_SMTP_A, N_DNS_A, 1400, TRACE_ASK, QTYPE_MX, "b.example", "",
           RCODE_NOERROR, false);
    fx_dns(&fx, 1400, N_DNS_A, N_SMTP_A, 1410, TRACE_ANSWER, QTYPE_MX, "b.example", "10 mx.b.example",
           RCODE_NOERROR, false);
    fx_conn(&fx, 1430, N_SMTP_A, N_MX_B, 1470, CONN_OPEN, 25);
    fx_conn(&fx, 1470, N_MX_B, N_SMTP_A, 1510, CONN_REFUSED, 0);
    fx_outcome(&fx, TK_DEFER, 1510, N_SMTP_A, "bob@b.example",
               "connect to mx.b.example[203.0.113.25]:25: Connection refused", 301000, 1);
    TraceEvent up = trace_event_init(TK_ACTION, MS(200000));
    up.from = N_MX_B;
    up.text = fx_s(&fx, "mx.b.example is back");
    up.aux = fx_s(&fx, "outage_end");
    trace_append(fx.tr, &up);
    TraceEvent r = trace_event_init(TK_RETRY, MS(301000));
    r.from = N_SMTP_A;
    r.msg = fx.msg;
    r.num = 2;
    r.text = fx_s(&fx, "attempt 2");
    trace_append(fx.tr, &r);
    fx_conn(&fx, 301000, N_SMTP_A, N_MX_B, 301040, CONN_OPEN, 25);
    fx_reply(&fx, 301040, N_MX_B, N_SMTP_A, 301080, 220, "220 mx.b.example ESMTP");
    fx_cmd(&fx, 301080, N_SMTP_A, N_MX_B, 301120, ".");
    fx_outcome(&fx, TK_SENT, 301200, N_SMTP_A, "bob@b.example", "250 2.0.0 Ok", -1, 0);
    return fx.tr;
}

#endif
