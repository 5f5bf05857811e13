/* sim_queue: an outgoing server's queue (see sim_queue.h). Owns the deliveries, the schedule of
 * their attempts, local delivery, and what an attempt's outcome means for each recipient: sent,
 * bounced with a DSN (RFC 3464), or deferred to a retry (backoff.h) with a delay warning. Does not
 * own how a remote attempt is made (sim_relay.c) nor what happens to an accepted message
 * (sim_inbound.c).
 */
#include "model/sim_queue.h"

#include "model/backoff.h"
#include "model/sim_inbound.h"
#include "model/sim_relay.h"
#include "mail/message.h"
#include "util/xalloc.h"

#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_attempt(Engine *eng, void *obj, uint64_t arg);

void queue_enqueue(Sim *sim, uint32_t msg, int32_t server)
{
    char qid[16], text[64];
    message_queue_id(rng_next_u64(&sim->rng), qid);
    if (sim_tracing(sim)) {
        snprintf(text, sizeof text, "queued as %s", qid);
        sim_emit(sim, .kind = TK_QUEUE, .from = server, .to = NONE, .msg = (int32_t)msg,
                 .arrive_us = TRACE_NO_TIME, .text = text);
    }
    /* The message's recipients are grouped by domain (sim_new_msg); each group goes out in
     * deliveries of at most default_destination_recipient_limit recipients (Postfix's queue
     * manager splits a destination's recipients the same way). */
    const Msg *m = &sim->msgs[msg];
    uint32_t end = m->rcpt_first + m->rcpt_count;
    uint32_t limit = sim_node(sim, server)->u.out.recipient_limit;
    for (uint32_t first = m->rcpt_first; first < end;) {
        StrId domain = sim->rcpts[first].domain;
        uint32_t last = first;
        while (last < end && sim->rcpts[last].domain == domain &&
               (limit == 0 || last - first < limit)) {
            last++;
        }
        void *items = sim->deliveries;
        uint32_t d = sim_pool_take(&items, &sim->delivery_count, &sim->delivery_cap,
                                   &sim->delivery_free, sizeof(Delivery),
                                   offsetof(Delivery, next_free));
        sim->deliveries = items;
        sim_msg_hold(sim, msg);
        sim->deliveries[d] = (Delivery){ .next_free = NONE,
                                         .msg = msg,
                                         .server = server,
                                         .domain = domain,
                                         .rcpt_first = first,
                                         .rcpt_count = last - first,
                                         .arrival_us = engine_now(sim->eng),
                                         .local = sim_is_local_domain(sim, server, domain) };
        engine_schedule_in(sim->eng, sim_process_us(sim, server), on_attempt, sim, d);
        first = last;
    }
}

/* ---- bounces (RFC 3464) ---- */

/* Recipient r's enhanced status code, as Postfix logs it (dsn=4.4.3) and its DSN states it: the
 * one its reason carries, else the one in the reply, else `fallback`. Returns buf. */
static const char *rcpt_status(const Sim *sim, const Rcpt *r, const char *fallback, char buf[16])
{
    if (r->txn_status != STR_EMPTY) {
        snprintf(buf, 16, "%s", sim_str(sim, r->txn_status));
        return buf;
    }
    const char *reply = sim_str(sim, r->txn_diag != STR_EMPTY ? r->txn_diag : r->txn_reply);
    return message_status_of(reply, fallback, buf);
}

/* The same, packed for a trace event's num2. */
static int32_t rcpt_dsn(const Sim *sim, const Rcpt *r, const char *fallback)
{
    char buf[16];
    return trace_dsn_pack(rcpt_status(sim, r, fallback, buf));
}

/* Diagnostic-Code: the remote server's reply itself when one refused, else the client's own
 * reason (RFC 3464 §2.3.6). */
static const char *rcpt_diagnostic(const Sim *sim, const Rcpt *r)
{
    return sim_str(sim, r->txn_diag != STR_EMPTY ? r->txn_diag : r->txn_reply);
}

static void dsn_body(Sim *sim, const Delivery *d, const uint32_t *rcpts, uint32_t n,
                     const char *action, StrId remote, char *buf, size_t size)
{
    char arrival[64];
    message_format_date(d->arrival_us, arrival, sizeof arrival);
    size_t used = 0;
    for (uint32_t i = 0; i < n && used + 1 < size; i++) {
        const Rcpt *r = &sim->rcpts[rcpts[i]];
        char status[16];
        rcpt_status(sim, r, strcmp(action, "failed") == 0 ? "5.0.0" : "4.0.0", status);
        used += message_format_dsn(buf + used, size - used, sim_node_name(sim, d->server), arrival,
                                   sim_str(sim, r->addr), action, status, sim_str(sim, remote),
                                   rcpt_diagnostic(sim, r));
    }
}

/* The DSN's per-recipient fields as trace "report" events of DSN message m, so a view shows them
 * without parsing its body. Tracing only. */
static void trace_report(Sim *sim, uint32_t m, int32_t server, const uint32_t *rcpts, uint32_t n,
                         bool delayed, StrId remote)
{
    StrId remote_mta = strpool_intern(trace_strings(sim->trace), sim_str(sim, remote));
    for (uint32_t i = 0; i < n; i++) {
        const Rcpt *r = &sim->rcpts[rcpts[i]];
        const char *diag = rcpt_diagnostic(sim, r);
        char code[1024];
        /* The same type label as the body's (message_format_dsn). */
        snprintf(code, sizeof code, "%s; %s", isdigit((unsigned char)diag[0]) ? "smtp" : "X-Postfix",
                 diag);
        sim_emit(sim, .kind = TK_REPORT, .from = server, .to = NONE, .msg = (int32_t)m,
                 .arrive_us = TRACE_NO_TIME, .text = code, .aux = sim_str(sim, r->addr),
                 .num = (int32_t)remote_mta,
                 .num2 = rcpt_dsn(sim, r, delayed ? "4.0.0" : "5.0.0"),
                 .sub = delayed ? DSN_ACTION_DELAYED : DSN_ACTION_FAILED);
    }
}

/* Creates and queues a DSN about `rcpts` of delivery d; returns the DSN's message index, or NONE
 * when the original is itself a bounce (null sender: never bounce a bounce). */
static int32_t send_dsn(Sim *sim, uint32_t d, const uint32_t *rcpts, uint32_t n, bool delayed,
                        StrId remote)
{
    Delivery *dl = &sim->deliveries[d];
    Msg *orig = &sim->msgs[dl->msg];
    if (orig->sender == STR_EMPTY) {
        return NONE;
    }
    /* "m1-dsn", "m1-warn"; a second one of the same kind (another domain) is "m1-dsn2". */
    assert((delayed ? orig->warn_count : orig->dsn_count) < UINT16_MAX);
    uint32_t nth = delayed ? ++orig->warn_count : ++orig->dsn_count;
    const char *kind = delayed ? "warn" : "dsn";
    const char *orig_id = sim_str(sim, sim_msg_id(sim, dl->msg));
    StrId id = nth == 1 ? strpool_internf(sim->sp, "%s-%s", orig_id, kind)
                        : strpool_internf(sim->sp, "%s-%s%u", orig_id, kind, nth);
    StrId subject = strpool_intern(sim->sp, delayed ? "Delayed Mail (still being retried)"
                                                    : "Undelivered Mail Returned to Sender");
    dsn_body(sim, dl, rcpts, n, delayed ? "delayed" : "failed", remote, sim->scratch,
             sizeof sim->scratch);
    /* The report plus the returned message's headers (text/rfc822-headers). */
    int64_t size = (int64_t)strlen(sim->scratch) + 1500;
    StrId to = orig->sender;
    /* queue_enqueue grows sim->deliveries (and sim_new_msg sim->msgs): dl and orig may move. */
    int32_t server = dl->server;
    uint32_t m = sim_new_msg(sim, id, 0, STR_EMPTY, subject, STR_EMPTY, size, server,
                             (int32_t)dl->msg, &to, 1, true);
    sim->msgs[m].own_body = xstrdup(sim->scratch);
    queue_enqueue(sim, m, server);
    if (!sim_tracing(sim)) {
        return (int32_t)m;
    }
    char line[512], date[64];
    snprintf(line, sizeof line, "From: MAILER-DAEMON@%s (Mail Delivery System)",
             sim_node_name(sim, server));
    sim_add_header(sim, m, server, line);
    snprintf(line, sizeof line, "To: %s", sim_str(sim, to));
    sim_add_header(sim, m, server, line);
    snprintf(line, sizeof line, "Subject: %s", sim_str(sim, subject));
    sim_add_header(sim, m, server, line);
    snprintf(line, sizeof line, "Date: %s",
             message_format_date(engine_now(sim->eng), date, sizeof date));
    sim_add_header(sim, m, server, line);
    sim_add_header(sim, m, server, "Auto-Submitted: auto-replied");
    sim_add_header(sim, m, server,
                   "Content-Type: multipart/report; report-type=delivery-status");
    trace_report(sim, m, server, rcpts, n, delayed, remote);
    return (int32_t)m;
}

/* ---- the end of an attempt: per-recipient outcomes ---- */

/* A bounce or warning event names its DSN by trace message index + 1 (0 = none). Message slots
 * are reused, so a Msg index is not a trace index. */
static int32_t trace_msg_plus_one(const Sim *sim, int32_t msg)
{
    return msg == NONE ? 0 : sim->msgs[msg].trace_msg + 1;
}

/* Returns `list` to the sender in one DSN. `expired`: the message outlived the queue lifetime
 * (Postfix's qmgr logs "status=expired, returned to sender"); the DSN then says Action: failed
 * with the last error's status and diagnostic. */
static void bounce_rcpts(Sim *sim, uint32_t d, uint32_t *list, uint32_t n, StrId remote,
                         bool expired)
{
    if (n == 0) {
        return;
    }
    int32_t dsn = send_dsn(sim, d, list, n, false, remote);
    for (uint32_t i = 0; i < n; i++) {
        Rcpt *r = &sim->rcpts[list[i]];
        r->state = dsn == NONE ? RS_DROPPED : RS_BOUNCED;
        char text[1024];
        text[0] = '\0';
        if (sim_tracing(sim)) {
            snprintf(text, sizeof text, expired ? "expired, returned to sender; last error: %s" : "%s",
                     sim_str(sim, r->txn_reply));
        }
        sim_emit(sim, .kind = TK_BOUNCE, .from = sim->deliveries[d].server, .to = NONE,
                 .msg = (int32_t)r->msg, .arrive_us = TRACE_NO_TIME, .text = text,
                 .aux = sim_str(sim, r->addr), .num = trace_msg_plus_one(sim, dsn),
                 .num2 = rcpt_dsn(sim, r, "5.0.0"), .flags = TRACE_F_REJECT);
    }
}

/* Returns every bounced recipient of d's message whose DSN is due, in one DSN: Postfix's queue
 * manager sends one per message once none of its deliveries is in progress, however many
 * deliveries (domains, recipient-limit chunks) it took. */
static void flush_bounces(Sim *sim, uint32_t d, StrId remote)
{
    const Msg *m = &sim->msgs[sim->deliveries[d].msg];
    uint32_t first = m->rcpt_first, count = m->rcpt_count, n = 0;
    uint32_t *list = xmalloc(sizeof *list * (count ? count : 1));
    for (uint32_t i = first; i < first + count; i++) {
        if (sim->rcpts[i].dsn_due) {
            sim->rcpts[i].dsn_due = false;
            list[n++] = i;
        }
    }
    bounce_rcpts(sim, d, list, n, remote, false);
    free(list);
}

/* Defers `list` to the next try, or bounces it when it has been queued too long. Returns true
 * when a next try of d is scheduled. */
static bool defer_rcpts(Sim *sim, uint32_t d, uint32_t *list, uint32_t n, StrId remote)
{
    if (n == 0) {
        return false;
    }
    Delivery *dl = &sim->deliveries[d];
    const RetryPolicy *p = &sim_node(sim, dl->server)->u.out.retry;
    int64_t now = engine_now(sim->eng);
    if (backoff_expired(p, dl->arrival_us, now)) {
        /* Too old: give up and return it to the sender, with the last error as its reason
         * (Postfix's qmgr_active.c: the deferred recipients keep their status, e.g. 4.4.1). */
        bounce_rcpts(sim, d, list, n, remote, true);
        return false;
    }
    int64_t next = backoff_next_try(p, dl->arrival_us, now, dl->attempts,
                                    sim->nodes[dl->server].scan_phase_us);
    for (uint32_t i = 0; i < n; i++) {
        const Rcpt *r = &sim->rcpts[list[i]];
        sim_emit(sim, .kind = TK_DEFER, .from = dl->server, .to = NONE, .msg = (int32_t)r->msg,
                 .arrive_us = next, .text = sim_str(sim, r->txn_reply),
                 .aux = sim_str(sim, r->addr), .num = (int32_t)dl->attempts,
                 .num2 = rcpt_dsn(sim, r, "4.0.0"), .flags = TRACE_F_REJECT);
    }
    if (p->delay_warning_us > 0 && !dl->warned && now - dl->arrival_us >= p->delay_warning_us) {
        dl->warned = true;
        int32_t dsn = send_dsn(sim, d, list, n, true, remote);
        dl = &sim->deliveries[d];
        for (uint32_t i = 0; i < n && dsn != NONE; i++) {
            const Rcpt *r = &sim->rcpts[list[i]];
            sim_emit(sim, .kind = TK_WARN, .from = dl->server, .to = NONE, .msg = (int32_t)r->msg,
                     .arrive_us = TRACE_NO_TIME, .text = sim_str(sim, r->txn_reply),
                     .aux = sim_str(sim, r->addr), .num = trace_msg_plus_one(sim, dsn),
                     .num2 = rcpt_dsn(sim, r, "4.0.0"));
        }
    }
    engine_schedule(sim->eng, next, on_attempt, sim, d);
    return true;
}

/* Settles every still-pending recipient of delivery d from its txn mark: accepted by the next hop
 * (sent), permanent (bounced), anything else deferred. When none is left to retry, d is freed:
 * nothing refers to it any more (accepted recipients travel on with their Inbound copy, and the
 * relay session, if any, only says QUIT). With `over` false the attempt goes on with another
 * server: only the accepted ones are settled. */
static void finish_attempt(Sim *sim, uint32_t d, StrId remote, bool over)
{
    Delivery *dl = &sim->deliveries[d];
    uint32_t n = dl->rcpt_count;
    uint32_t deferred[n ? n : 1];
    uint32_t nd = 0;
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + n; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state != RS_PENDING) {
            continue;
        }
        if (r->txn == TXN_ACCEPTED) {
            r->state = RS_SENT;
            sim_emit(sim, .kind = TK_SENT, .from = dl->server, .to = NONE, .msg = (int32_t)r->msg,
                     .arrive_us = TRACE_NO_TIME, .text = sim_str(sim, r->txn_reply),
                     .aux = sim_str(sim, r->addr), .num2 = rcpt_dsn(sim, r, "2.0.0"));
        } else if (!over) {
            continue;
        } else if (r->txn == TXN_PERMANENT) {
            /* Settled now; returned with the message's other bounces (flush_bounces). */
            r->state = RS_BOUNCED;
            r->dsn_due = true;
        } else {
            deferred[nd++] = i;
        }
    }
    if (!over) {
        return;
    }
    Msg *m = &sim->msgs[dl->msg];
    assert(m->attempts_active > 0);
    if (--m->attempts_active == 0) {
        flush_bounces(sim, d, remote);
    }
    if (!defer_rcpts(sim, d, deferred, nd, remote)) {
        uint32_t msg = sim->deliveries[d].msg;
        sim_pool_give(sim->deliveries, &sim->delivery_free, sizeof(Delivery),
                      offsetof(Delivery, next_free), d);
        sim_msg_release(sim, msg);
    }
}

/* ---- starting an attempt ---- */

static void on_local_arrive(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t d = (uint32_t)arg;
    const Delivery *dl = &sim->deliveries[d];
    int32_t store = sim_node(sim, dl->server)->u.out.local_store;
    StrId ok = strpool_intern(sim->sp, "250 2.0.0 delivered to maildir");
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + dl->rcpt_count; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state != RS_PENDING) {
            continue;
        }
        int32_t mb = r->mailbox;
        bool exists = mb != NONE && sim->mailboxes[mb].store == store;
        r->txn = exists ? TXN_ACCEPTED : TXN_PERMANENT;
        r->txn_reply = exists ? ok
                              : strpool_internf(sim->sp, "550 5.1.1 <%s>: unknown user: \"%.*s\"",
                                                sim_str(sim, r->addr),
                                                (int)(strchr(sim_str(sim, r->addr), '@') -
                                                      sim_str(sim, r->addr)),
                                                sim_str(sim, r->addr));
        r->txn_status = STR_EMPTY;
    }
    uint32_t msg = dl->msg;
    int32_t server = dl->server;
    const WorldNode *srv = sim_node(sim, server);
    inbound_accept(sim, msg, d, server, NONE, store, srv->ip, srv->u.out.rdns);
    finish_attempt(sim, d, STR_EMPTY, true);
}

static void on_attempt(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t d = (uint32_t)arg;
    Delivery *dl = &sim->deliveries[d];
    if (sim->nodes[dl->server].down) {
        /* The server itself is down: its queue waits for the next scan after it is back. */
        engine_schedule_in(eng, sim_node(sim, dl->server)->u.out.retry.queue_run_us, on_attempt,
                           sim, d);
        return;
    }
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + dl->rcpt_count; i++) {
        sim->rcpts[i].txn = TXN_NONE;
        sim->rcpts[i].txn_diag = STR_EMPTY;
    }
    dl->attempts++;
    sim->msgs[dl->msg].attempts_active++;
    if (dl->attempts > 1 && sim_tracing(sim)) {
        char text[128];
        snprintf(text, sizeof text, "attempt %u for %s", dl->attempts, sim_str(sim, dl->domain));
        sim_emit(sim, .kind = TK_RETRY, .from = dl->server, .to = NONE, .msg = (int32_t)dl->msg,
                 .arrive_us = TRACE_NO_TIME, .text = text, .aux = sim_str(sim, dl->domain),
                 .num = (int32_t)dl->attempts);
    }
    if (dl->local) {
        sim_hop(sim, dl->msg, dl->server, sim_node(sim, dl->server)->u.out.local_store,
                "into the mail store (local delivery)", on_local_arrive, d);
        return;
    }
    relay_start(sim, d, finish_attempt);
}
