/* sim_relay: moving mail between servers — the outgoing queue with its retries and bounces, DNS
 * look-ups through resolvers, and SMTP sessions (client submission on port 587 with AUTH, and
 * server-to-server relay on port 25) with the incoming server's checks answering each command.
 *
 * A session alternates two engine events: on_server_receive (a command has arrived and been
 * processed: the server replies) and on_client_receive (the reply has arrived: the client sends
 * its next command). Every command and reply is one trace event travelling its link, so the
 * transcript a student reads is exactly the dialogue of RFC 5321 §4.1 (EHLO first, MAIL, one
 * RCPT per recipient, DATA, the dot, QUIT).
 *
 * Text buffers that only a trace fills are emptied with buf[0] = '\0', not `= ""`, which would
 * clear all of a 512-byte buffer on every event of a run that never writes it.
 */
#include "model/sim_internal.h"

#include "model/backoff.h"
#include "mail/message.h"
#include "mail/smtp.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_BYTES 40        /* typical size of a command line on the wire */
#define SUBMIT_RETRY_US (60 * US_PER_S) /* a client's Outbox retries a refused submission */

static void on_server_receive(Engine *eng, void *obj, uint64_t arg);
static void on_client_receive(Engine *eng, void *obj, uint64_t arg);
static void on_attempt(Engine *eng, void *obj, uint64_t arg);
static void next_mx(Sim *sim, uint32_t s);

static Session *S(Sim *sim, uint32_t s)
{
    return &sim->sessions[s];
}

static const WorldNode *N(const Sim *sim, int32_t node)
{
    return &sim->w->nodes[node];
}

/* A live session about msg (it holds a reference to it). */
static uint32_t session_new(Sim *sim, uint32_t msg)
{
    void *items = sim->sessions;
    uint32_t s = sim_pool_take(&items, &sim->session_count, &sim->session_cap, &sim->session_free,
                               sizeof(Session), offsetof(Session, next_free));
    sim->sessions = items;
    sim->sessions[s].live = true;
    sim->sessions[s].msg = msg;
    sim_msg_hold(sim, msg);
    return s;
}

static void session_free(Sim *sim, uint32_t s)
{
    assert(sim->sessions[s].live);
    uint32_t msg = sim->sessions[s].msg;
    sim->sessions[s].live = false;
    sim_pool_give(sim->sessions, &sim->session_free, sizeof(Session), offsetof(Session, next_free), s);
    sim_msg_release(sim, msg);
}

static int64_t process_us(const Sim *sim, int32_t node)
{
    const WorldNode *n = N(sim, node);
    switch (n->kind) {
    case NODE_OUTGOING: return n->u.out.process_us;
    case NODE_INCOMING: return n->u.in.process_us;
    default: return 0;
    }
}

/* ---- DNS look-ups ---- */

static uint32_t lookup_new(Sim *sim)
{
    void *items = sim->lookups;
    uint32_t l = sim_pool_take(&items, &sim->lookup_count, &sim->lookup_cap, &sim->lookup_free,
                               sizeof(Lookup), offsetof(Lookup, next_free));
    sim->lookups = items;
    sim->lookups[l].live = true;
    return l;
}

static void relay_mx_answer(Sim *sim, uint32_t s, const DnsAnswer *ans);
static void relay_a_answer(Sim *sim, uint32_t s, const DnsAnswer *ans);
static void dnsbl_answer(Sim *sim, uint32_t s, const DnsAnswer *ans);

static void on_lookup_done(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    Lookup lk = sim->lookups[arg];
    sim->lookups[arg].live = false;
    sim_pool_give(sim->lookups, &sim->lookup_free, sizeof(Lookup), offsetof(Lookup, next_free),
                  (uint32_t)arg);
    switch (lk.purpose) {
    case LOOK_MX: relay_mx_answer(sim, lk.owner, &lk.ans); break;
    case LOOK_A: relay_a_answer(sim, lk.owner, &lk.ans); break;
    case LOOK_DNSBL: dnsbl_answer(sim, lk.owner, &lk.ans); break;
    case LOOK_SBL: store_sbl_answer(sim, lk.owner, &lk.ans); break;
    }
}

/* The answer leaves the resolver. */
static void on_lookup_answer(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    Lookup *lk = &sim->lookups[arg];
    char text[512];
    text[0] = '\0';
    if (sim_tracing(sim)) {
        dns_format_answer(&lk->ans, lk->qtype, sim->sp, text, sizeof text);
    }
    int64_t arrive = engine_now(eng) + sim_link_delay(sim, lk->resolver, lk->asker, 120);
    sim_emit(sim, TK_DNS, lk->resolver, lk->asker, lk->msg, arrive, text, sim_str(sim, lk->name),
             (int32_t)lk->qtype, (int32_t)lk->ans.rcode, 1, lk->cached ? TRACE_F_CACHED : 0);
    engine_schedule(eng, arrive, on_lookup_done, sim, arg);
}

/* Nobody answered: the asker's resolver library gives up. */
static void on_lookup_timeout(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    Lookup *lk = &sim->lookups[arg];
    memset(&lk->ans, 0, sizeof lk->ans);
    lk->ans.rcode = RCODE_TIMEOUT;
    sim_emit(sim, TK_DNS, lk->resolver, lk->asker, lk->msg, TRACE_NO_TIME, "no answer (timeout)",
             sim_str(sim, lk->name), (int32_t)lk->qtype, RCODE_TIMEOUT, 1, 0);
    on_lookup_done(sim->eng, sim, arg);
}

void relay_lookup(Sim *sim, LookupPurpose purpose, uint32_t owner, int32_t asker,
                  int32_t resolver, StrId name, TraceQtype qtype, int32_t msg)
{
    uint32_t l = lookup_new(sim);
    Lookup *lk = &sim->lookups[l];
    lk->purpose = purpose;
    lk->owner = owner;
    lk->asker = asker;
    lk->resolver = resolver;
    lk->name = name;
    lk->qtype = qtype;
    lk->msg = msg;
    int64_t now = engine_now(sim->eng);
    int64_t arrive = now + sim_link_delay(sim, asker, resolver, 60);
    char text[512];
    text[0] = '\0';
    if (sim_tracing(sim)) {
        snprintf(text, sizeof text, "%s? %s", trace_qtype_name(qtype), sim_str(sim, name));
    }
    sim_emit(sim, TK_DNS, asker, resolver, msg, arrive, text, sim_str(sim, name), (int32_t)qtype, 0,
             0, 0);
    const ResolverCfg *rc = &N(sim, resolver)->u.res;
    if (sim->nodes[resolver].down) {
        engine_schedule(sim->eng, now + rc->timeout_us, on_lookup_timeout, sim, l);
        return;
    }
    /* The resolver answers from its cache or recurses; the answer is fixed when the query
     * arrives, which is within milliseconds of now, so it is computed here. */
    lk->cached = dns_resolve(sim->nodes[resolver].cache, sim->dns, name, qtype, arrive,
                             rc->negative_ttl_us, &lk->ans);
    if (lk->ans.rcode == RCODE_TIMEOUT) {
        engine_schedule(sim->eng, now + rc->timeout_us, on_lookup_timeout, sim, l);
        return;
    }
    int64_t work = lk->cached ? rng_range(&sim->rng, rc->hit_min_us, rc->hit_max_us)
                              : rng_range(&sim->rng, rc->miss_min_us, rc->miss_max_us);
    engine_schedule(sim->eng, arrive + work, on_lookup_answer, sim, l);
}

/* ---- the outgoing queue ---- */

static bool is_local_domain(const Sim *sim, int32_t server, StrId domain)
{
    const OutgoingCfg *o = &N(sim, server)->u.out;
    for (uint32_t i = 0; i < o->local_domain_count; i++) {
        if (o->local_domains[i] == domain) {
            return true;
        }
    }
    return false;
}

void relay_enqueue(Sim *sim, uint32_t msg, int32_t server)
{
    char qid[16], text[64];
    message_queue_id(rng_next_u64(&sim->rng), qid);
    if (sim_tracing(sim)) {
        snprintf(text, sizeof text, "queued as %s", qid);
        sim_emit(sim, TK_QUEUE, server, NONE, (int32_t)msg, TRACE_NO_TIME, text, NULL, 0, 0, 0, 0);
    }
    const Msg *m = &sim->msgs[msg];
    uint32_t end = m->rcpt_first + m->rcpt_count;
    for (uint32_t first = m->rcpt_first; first < end;) {
        StrId domain = sim->rcpts[first].domain;
        uint32_t last = first;
        while (last < end && sim->rcpts[last].domain == domain) {
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
                                         .local = is_local_domain(sim, server, domain) };
        engine_schedule_in(sim->eng, process_us(sim, server), on_attempt, sim, d);
        first = last;
    }
}

/* ---- bounces (RFC 3464) ---- */

static void dsn_body(Sim *sim, const Delivery *d, const uint32_t *rcpts, uint32_t n,
                     const char *action, StrId remote, char *buf, size_t size)
{
    char arrival[64];
    message_format_date(d->arrival_us, arrival, sizeof arrival);
    size_t used = 0;
    for (uint32_t i = 0; i < n && used + 1 < size; i++) {
        const Rcpt *r = &sim->rcpts[rcpts[i]];
        char status[16];
        const char *reply = sim_str(sim, r->txn_reply);
        if (r->txn_status != STR_EMPTY) {
            snprintf(status, sizeof status, "%s", sim_str(sim, r->txn_status));
        } else {
            message_status_of(reply, strcmp(action, "failed") == 0 ? "5.0.0" : "4.0.0", status);
        }
        used += message_format_dsn(buf + used, size - used, sim_node_name(sim, d->server), arrival,
                                   sim_str(sim, r->addr), action, status, sim_str(sim, remote),
                                   reply);
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
    /* relay_enqueue grows sim->deliveries (and sim_new_msg sim->msgs): dl and orig may move. */
    int32_t server = dl->server;
    uint32_t m = sim_new_msg(sim, id, 0, STR_EMPTY, subject, STR_EMPTY, size, server,
                             (int32_t)dl->msg, &to, 1, true);
    sim->msgs[m].own_body = xstrdup(sim->scratch);
    relay_enqueue(sim, m, server);
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
    return (int32_t)m;
}

/* ---- the end of an attempt: per-recipient outcomes ---- */

/* A bounce or warning event names its DSN by trace message index + 1 (0 = none). Message slots
 * are reused, so a Msg index is not a trace index. */
static int32_t trace_msg_plus_one(const Sim *sim, int32_t msg)
{
    return msg == NONE ? 0 : sim->msgs[msg].trace_msg + 1;
}

static void bounce_rcpts(Sim *sim, uint32_t d, uint32_t *list, uint32_t n, StrId remote)
{
    if (n == 0) {
        return;
    }
    int32_t dsn = send_dsn(sim, d, list, n, false, remote);
    for (uint32_t i = 0; i < n; i++) {
        Rcpt *r = &sim->rcpts[list[i]];
        r->state = dsn == NONE ? RS_DROPPED : RS_BOUNCED;
        sim_emit(sim, TK_BOUNCE, sim->deliveries[d].server, NONE, (int32_t)r->msg, TRACE_NO_TIME,
                 sim_str(sim, r->txn_reply), sim_str(sim, r->addr), trace_msg_plus_one(sim, dsn),
                 0, 0, TRACE_F_REJECT);
    }
}

/* Defers `list` to the next try, or bounces it when it has been queued too long. Returns true
 * when a next try of d is scheduled. */
static bool defer_rcpts(Sim *sim, uint32_t d, uint32_t *list, uint32_t n, StrId remote)
{
    if (n == 0) {
        return false;
    }
    Delivery *dl = &sim->deliveries[d];
    const RetryPolicy *p = &N(sim, dl->server)->u.out.retry;
    int64_t now = engine_now(sim->eng);
    if (backoff_expired(p, dl->arrival_us, now)) {
        /* Too old: give up and return it to the sender (RFC 3463 X.4.7 delivery time expired). */
        for (uint32_t i = 0; i < n; i++) {
            Rcpt *r = &sim->rcpts[list[i]];
            r->txn_status = strpool_intern(sim->sp, "4.4.7");
            r->txn_reply = strpool_internf(sim->sp, "message expired after %lld days in the queue; last error: %s",
                                           (long long)((now - dl->arrival_us) / (86400 * US_PER_S)),
                                           sim_str(sim, r->txn_reply));
        }
        bounce_rcpts(sim, d, list, n, remote);
        return false;
    }
    int64_t next = backoff_next_try(p, dl->arrival_us, now, dl->attempts,
                                    sim->nodes[dl->server].scan_phase_us);
    for (uint32_t i = 0; i < n; i++) {
        const Rcpt *r = &sim->rcpts[list[i]];
        sim_emit(sim, TK_DEFER, dl->server, NONE, (int32_t)r->msg, next, sim_str(sim, r->txn_reply),
                 sim_str(sim, r->addr), (int32_t)dl->attempts, 0, 0, TRACE_F_REJECT);
    }
    if (p->delay_warning_us > 0 && !dl->warned && now - dl->arrival_us >= p->delay_warning_us) {
        dl->warned = true;
        int32_t dsn = send_dsn(sim, d, list, n, true, remote);
        dl = &sim->deliveries[d];
        for (uint32_t i = 0; i < n && dsn != NONE; i++) {
            const Rcpt *r = &sim->rcpts[list[i]];
            sim_emit(sim, TK_WARN, dl->server, NONE, (int32_t)r->msg, TRACE_NO_TIME, NULL,
                     sim_str(sim, r->addr), trace_msg_plus_one(sim, dsn), 0, 0, 0);
        }
    }
    engine_schedule(sim->eng, next, on_attempt, sim, d);
    return true;
}

/* Settles every still-pending recipient of delivery d from its txn mark: 1 = accepted by the
 * next hop (sent), 5 = bounced, anything else = deferred. When none is left to retry, d is freed:
 * nothing refers to it any more (accepted recipients travel on with their Inbound copy, and the
 * relay session, if any, only says QUIT). */
static void finish_attempt(Sim *sim, uint32_t d, StrId remote)
{
    Delivery *dl = &sim->deliveries[d];
    uint32_t n = dl->rcpt_count;
    uint32_t bounced[n ? n : 1], deferred[n ? n : 1];
    uint32_t nb = 0, nd = 0;
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + n; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state != RS_PENDING) {
            continue;
        }
        if (r->txn == 1) {
            r->state = RS_SENT;
            sim_emit(sim, TK_SENT, dl->server, NONE, (int32_t)r->msg, TRACE_NO_TIME,
                     sim_str(sim, r->txn_reply), sim_str(sim, r->addr), 0, 0, 0, 0);
        } else if (r->txn == 5) {
            bounced[nb++] = i;
        } else {
            deferred[nd++] = i;
        }
    }
    bounce_rcpts(sim, d, bounced, nb, remote);
    if (!defer_rcpts(sim, d, deferred, nd, remote)) {
        uint32_t msg = sim->deliveries[d].msg;
        sim_pool_give(sim->deliveries, &sim->delivery_free, sizeof(Delivery),
                      offsetof(Delivery, next_free), d);
        sim_msg_release(sim, msg);
    }
}

/* Marks every pending recipient of d with the same outcome (a failure before RCPT). */
static void mark_all(Sim *sim, uint32_t d, uint8_t txn, StrId reply, StrId status)
{
    const Delivery *dl = &sim->deliveries[d];
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + dl->rcpt_count; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state == RS_PENDING && (r->txn == 0 || txn != 1)) {
            r->txn = txn;
            r->txn_reply = reply;
            r->txn_status = status;
        }
    }
}

static void fail_attempt(Sim *sim, uint32_t s, uint8_t txn, StrId reason, StrId status)
{
    uint32_t d = S(sim, s)->delivery;
    StrId remote = S(sim, s)->server_host;
    session_free(sim, s);
    mark_all(sim, d, txn, reason, status);
    finish_attempt(sim, d, remote);
}

/* ---- starting an attempt ---- */

static void on_local_arrive(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t d = (uint32_t)arg;
    const Delivery *dl = &sim->deliveries[d];
    int32_t store = N(sim, dl->server)->u.out.local_store;
    StrId ok = strpool_intern(sim->sp, "250 2.0.0 delivered to maildir");
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + dl->rcpt_count; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state != RS_PENDING) {
            continue;
        }
        int32_t mb = r->mailbox;
        bool exists = mb != NONE && sim->mailboxes[mb].store == store;
        r->txn = exists ? 1 : 5;
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
    store_accept(sim, msg, d, server, NONE, store, N(sim, server)->ip, N(sim, server)->u.out.rdns);
    finish_attempt(sim, d, STR_EMPTY);
}

static void on_attempt(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t d = (uint32_t)arg;
    Delivery *dl = &sim->deliveries[d];
    if (sim->nodes[dl->server].down) {
        /* The server itself is down: its queue waits for the next scan after it is back. */
        engine_schedule_in(eng, N(sim, dl->server)->u.out.retry.queue_run_us, on_attempt, sim, d);
        return;
    }
    for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + dl->rcpt_count; i++) {
        sim->rcpts[i].txn = 0;
    }
    dl->attempts++;
    if (dl->attempts > 1 && sim_tracing(sim)) {
        char text[128];
        snprintf(text, sizeof text, "attempt %u for %s", dl->attempts, sim_str(sim, dl->domain));
        sim_emit(sim, TK_RETRY, dl->server, NONE, (int32_t)dl->msg, TRACE_NO_TIME, text,
                 sim_str(sim, dl->domain), (int32_t)dl->attempts, 0, 0, 0);
    }
    if (dl->local) {
        int32_t store = N(sim, dl->server)->u.out.local_store;
        int64_t arrive =
            engine_now(eng) + sim_link_delay(sim, dl->server, store, sim->msgs[dl->msg].size_bytes);
        sim_emit(sim, TK_HOP, dl->server, store, (int32_t)dl->msg, arrive,
                 "into the mail store (local delivery)", NULL, 0, 0, 0, 0);
        engine_schedule(eng, arrive, on_local_arrive, sim, d);
        return;
    }
    uint32_t s = session_new(sim, dl->msg);
    Session *se = S(sim, s);
    se->mode = MODE_RELAY;
    se->delivery = d;
    se->client = dl->server;
    se->server = NONE;
    relay_lookup(sim, LOOK_MX, s, dl->server, N(sim, dl->server)->u.out.resolver, dl->domain,
                 QTYPE_MX, (int32_t)dl->msg);
}

static StrId name_error(Sim *sim, StrId name, const char *type, bool try_again)
{
    return strpool_internf(sim->sp,
                           "Host or domain name not found. Name service error for name=%s type=%s: "
                           "Host not found%s",
                           sim_str(sim, name), type, try_again ? ", try again" : "");
}

static void relay_mx_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    const Delivery *dl = &sim->deliveries[se->delivery];
    switch (ans->rcode) {
    case RCODE_SERVFAIL:
    case RCODE_TIMEOUT:
        fail_attempt(sim, s, 4, name_error(sim, dl->domain, "MX", true),
                     strpool_intern(sim->sp, "4.4.3"));
        return;
    case RCODE_NXDOMAIN:
        fail_attempt(sim, s, 5, name_error(sim, dl->domain, "MX", false),
                     strpool_intern(sim->sp, "5.4.4"));
        return;
    default: break;
    }
    if (ans->null_mx) {
        fail_attempt(sim, s, 5,
                     strpool_internf(sim->sp, "556 5.1.10 <%s>: Recipient address has null MX",
                                     sim_str(sim, sim->rcpts[dl->rcpt_first].addr)),
                     STR_EMPTY);
        return;
    }
    se->mx = *ans;
    if (ans->count == 0) {
        /* No MX but the name exists: the implicit MX is the domain itself (RFC 5321 §5.1). */
        se->mx.count = 1;
        se->mx.rr[0] = (DnsRR){ 0, dl->domain, 0 };
    }
    dns_sort_mx(&se->mx, &sim->rng);
    se->mx_index = 0;
    se->fail_reason = STR_EMPTY;
    next_mx(sim, s);
}

/* Tries the next MX host of the attempt, or defers when none is left (a sender should try at
 * least two before deferring; Postfix tries up to smtp_mx_address_limit = 5). */
static void next_mx(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const OutgoingCfg *o = &N(sim, se->client)->u.out;
    if (se->mx_index >= se->mx.count || se->mx_tried >= o->max_mx_tries) {
        fail_attempt(sim, s, 4, se->fail_reason ? se->fail_reason
                                                : strpool_intern(sim->sp, "no MX host answered"),
                     strpool_intern(sim->sp, "4.4.1"));
        return;
    }
    se->server_host = se->mx.rr[se->mx_index].host;
    relay_lookup(sim, LOOK_A, s, se->client, o->resolver, se->server_host, QTYPE_A,
                 (int32_t)se->msg);
}

static void on_connect_timeout(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    Session *se = S(sim, (uint32_t)arg);
    char ip[16], text[512];
    world_format_ip(se->server_ip, ip);
    snprintf(text, sizeof text, "connect to %s[%s]:25: Connection timed out",
             sim_str(sim, se->server_host), ip);
    sim_emit(sim, TK_CONN, se->client, NONE, (int32_t)se->msg, TRACE_NO_TIME, text, NULL, 0, 0,
             CONN_TIMEOUT, TRACE_F_REJECT);
    se->fail_reason = strpool_intern(sim->sp, text);
    se->mx_index++;
    next_mx(sim, (uint32_t)arg);
}

/* Opens a TCP connection from the session's client to `server` (NONE = nobody there). */
static void connect_to(Sim *sim, uint32_t s, int32_t server, int port)
{
    Session *se = S(sim, s);
    se->server = server;
    se->cmd = CMD_CONNECT;
    char ip[16], text[512];
    text[0] = '\0';
    if (sim_tracing(sim)) {
        world_format_ip(se->server_ip, ip);
        snprintf(text, sizeof text, "connect to %s[%s]:%d", sim_str(sim, se->server_host), ip, port);
    }
    bool silent = server == NONE || (sim->nodes[server].down && sim->nodes[server].mode == OUTAGE_TIMEOUT);
    se->link = server == NONE ? NULL : sim_link(sim, se->client, server);
    int64_t arrive = server == NONE ? TRACE_NO_TIME
                                    : engine_now(sim->eng) + sim_link_time(sim, se->link, 60);
    sim_emit(sim, TK_CONN, se->client, server, (int32_t)se->msg, arrive, text, NULL, port, 0,
             CONN_OPEN, 0);
    if (silent) {
        int64_t timeout = N(sim, se->client)->kind == NODE_OUTGOING
                              ? N(sim, se->client)->u.out.connect_timeout_us
                              : 30 * US_PER_S;
        se->timer = engine_schedule_in(sim->eng, timeout, on_connect_timeout, sim, s);
        return;
    }
    engine_schedule(sim->eng, arrive + process_us(sim, server), on_server_receive, sim, s);
}

static void relay_a_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    if (ans->rcode != RCODE_NOERROR || ans->count == 0) {
        se->fail_reason =
            name_error(sim, se->server_host, "A", ans->rcode == RCODE_SERVFAIL || ans->rcode == RCODE_TIMEOUT);
        se->mx_index++;
        next_mx(sim, s);
        return;
    }
    se->mx_tried++;
    se->server_ip = ans->rr[0].addr;
    connect_to(sim, s, sim_incoming_at(sim, se->server_ip), 25);
}

/* ---- submission (client -> its outgoing server) ---- */

static void on_submit_retry(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    const Msg *m = &sim->msgs[arg];
    relay_submit(sim, (uint32_t)arg, m->origin, N(sim, m->origin)->u.client.submit_to);
    sim_msg_release(sim, (uint32_t)arg); /* connection_failed's */
}

void relay_submit(Sim *sim, uint32_t msg, int32_t client, int32_t server)
{
    uint32_t s = session_new(sim, msg);
    Session *se = S(sim, s);
    se->mode = MODE_SUBMIT;
    se->client = client;
    se->server_host = N(sim, server)->name;
    se->server_ip = N(sim, server)->ip;
    connect_to(sim, s, server, 587);
}

/* ---- local submission (Postfix: sendmail -> maildrop -> pickup -> cleanup) ---- */

static void on_pickup(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t msg = (uint32_t)arg;
    int32_t server = N(sim, sim->msgs[msg].origin)->u.client.submit_to;
    if (sim->nodes[server].down) {
        /* The file waits in the maildrop until the mail system runs again. */
        engine_schedule_in(eng, N(sim, server)->u.out.retry.queue_run_us, on_pickup, sim, arg);
        return;
    }
    char qid[16], date[64], line[512];
    message_queue_id(rng_next_u64(&sim->rng), qid);
    if (sim_tracing(sim)) {
        /* What Postfix's cleanup writes for a locally submitted message. */
        snprintf(line, sizeof line, "Received: by %s (Postfix, from userid 1001) id %s; %s",
                 sim_node_name(sim, server), qid,
                 message_format_date(engine_now(eng), date, sizeof date));
        sim_add_header(sim, msg, server, line);
    }
    relay_enqueue(sim, msg, server);
    sim_msg_release(sim, msg); /* relay_pickup's */
}

/* The program writes the message into the maildrop directory; the pickup daemon hands it to
 * cleanup, which takes the server's processing time, then it is queued as if it had arrived by
 * SMTP. No network, no AUTH, no submission dialogue: how list managers such as Sympa hand a
 * mailing's copies to their local MTA. */
void relay_pickup(Sim *sim, uint32_t msg, int32_t client, int32_t server)
{
    int64_t arrive = engine_now(sim->eng) + process_us(sim, server);
    sim_emit(sim, TK_HOP, client, server, (int32_t)msg, arrive,
             "sendmail: into the maildrop (local pickup, no SMTP)", NULL, 0, 0, 0, 0);
    sim_msg_hold(sim, msg); /* until on_pickup has queued it */
    engine_schedule(sim->eng, arrive, on_pickup, sim, msg);
}

/* ---- the SMTP dialogue ---- */

/* Is a reply's text written out? A refusal's always: it decides a bounce or a deferral. A
 * positive one is only shown, so only when a trace is kept. */
static bool reply_written(const Sim *sim, int code)
{
    return code >= 400 || sim_tracing(sim);
}

/* Sends a reply from the session's server; the client reacts when it arrives. `line` is the
 * reply's text, "" when it is not written (reply_written); `wire_len` is its length either way,
 * so the run takes the same course with or without a trace. */
static void server_reply(Sim *sim, uint32_t s, int code, const char *line, size_t wire_len)
{
    Session *se = S(sim, s);
    se->reply_code = code;
    se->reply = reply_written(sim, code) ? strpool_intern(sim->sp, line) : STR_EMPTY;
    int64_t arrive = engine_now(sim->eng) + sim_link_time(sim, se->link, (int64_t)wire_len + 2);
    sim_emit(sim, TK_SMTP, se->server, se->client, (int32_t)se->msg, arrive, line, NULL, code, 0, 1,
             code >= 400 ? TRACE_F_REJECT : 0);
    engine_schedule(sim->eng, arrive, on_client_receive, sim, s);
}

/* A reply from the table; `arg` fills its %s and is `arg_len` bytes long (it may be left
 * unformatted, "", when the reply is not written; `arg_len` matters only then, and only for a
 * reply with a %s). */
static void reply_table(Sim *sim, uint32_t s, SmtpReply r, const char *arg, size_t arg_len)
{
    char line[512];
    line[0] = '\0';
    int code = smtp_reply_info(r)->code;
    if (reply_written(sim, code)) {
        smtp_format_reply(r, arg, line, sizeof line);
        server_reply(sim, s, code, line, strlen(line));
    } else {
        server_reply(sim, s, code, line, smtp_reply_len(r, arg_len));
    }
}

/* Sends a command from the session's client; the server answers once it has arrived and been
 * processed. `bytes` is what crosses the link (the whole message for the dot). */
static void client_send(Sim *sim, uint32_t s, Cmd cmd, const char *line, int64_t bytes)
{
    Session *se = S(sim, s);
    se->cmd = cmd;
    int64_t arrive = engine_now(sim->eng) + sim_link_time(sim, se->link, bytes);
    sim_emit(sim, TK_SMTP, se->client, se->server, (int32_t)se->msg, arrive, line, NULL, 0, 0, 0, 0);
    engine_schedule(sim->eng, arrive + process_us(sim, se->server), on_server_receive, sim, s);
}

static void release_slot(Sim *sim, uint32_t s);

/* 220 with the server's name; the name is looked up only for a trace (a 220 is formatted only
 * then, see reply_table). */
static void greet(Sim *sim, uint32_t s)
{
    StrId name = N(sim, S(sim, s)->server)->name;
    reply_table(sim, s, SMTP_GREETING, sim_tracing(sim) ? sim_str(sim, name) : "",
                strpool_len(sim->sp, name));
}

static void ehlo_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const WorldNode *srv = N(sim, se->server);
    int64_t limit = srv->kind == NODE_INCOMING ? srv->u.in.size_limit_bytes : 10240000;
    static const char FORMAT[] = "250-%s\n250-PIPELINING\n250-SIZE %lld\n%s250 8BITMIME";
    const char *auth = se->mode == MODE_SUBMIT ? "250-AUTH PLAIN LOGIN\n" : "";
    char line[512];
    line[0] = '\0';
    if (sim_tracing(sim)) {
        snprintf(line, sizeof line, FORMAT, sim_str(sim, srv->name), (long long)limit, auth);
        server_reply(sim, s, 250, line, strlen(line));
        return;
    }
    /* The same length without formatting: FORMAT less its three conversions, plus what they
     * would print. */
    size_t digits = 1;
    for (int64_t v = limit; v >= 10; v /= 10) {
        digits++;
    }
    size_t len = sizeof FORMAT - 1 - strlen("%s%lld%s") + strpool_len(sim->sp, srv->name) +
                 digits + strlen(auth);
    server_reply(sim, s, 250, line, len);
}

static bool serves_domain(const IncomingCfg *in, StrId domain)
{
    for (uint32_t i = 0; i < in->domain_count; i++) {
        if (in->domains[i] == domain) {
            return true;
        }
    }
    return false;
}

static void dnsbl_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    const IncomingCfg *in = &N(sim, se->server)->u.in;
    /* 127.0.0.x = listed (RFC 5782); NXDOMAIN or a failure = not listed. */
    if (ans->rcode == RCODE_NOERROR && ans->count > 0 && (ans->rr[0].addr >> 24) == 127) {
        se->listed = true;
        se->listed_zone = in->dnsbl[se->dnsbl_index];
    }
    se->dnsbl_index++;
    if (se->listed || se->dnsbl_index >= in->dnsbl_count) {
        se->listed_checked = true;
    }
    on_server_receive(sim->eng, sim, s);
}

/* The incoming server's verdict on one RCPT, in Postfix's order: relay permission, the DNSBL,
 * the user database, the quota, then the greylisting policy service. */
static void rcpt_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const IncomingCfg *in = &N(sim, se->server)->u.in;
    Rcpt *r = &sim->rcpts[se->rcpt_cursor];
    const Msg *m = &sim->msgs[se->msg];
    char addr[300], arg[300];
    addr[0] = '\0';
    if (in->dnsbl_count > 0 && !se->listed_checked) {
        relay_lookup(sim, LOOK_DNSBL, s, se->server, in->resolver,
                     dns_reverse_name(sim->sp, N(sim, se->client)->ip, in->dnsbl[se->dnsbl_index]),
                     QTYPE_A, (int32_t)se->msg);
        return;
    }
    SmtpReply verdict = SMTP_RCPT_OK;
    int32_t mb = r->mailbox;
    if (!serves_domain(in, r->domain)) {
        verdict = SMTP_RELAY_DENIED;
    } else if (se->listed) {
        char ip[16];
        world_format_ip(N(sim, se->client)->ip, ip);
        snprintf(arg, sizeof arg, "%s\t%s", ip, sim_str(sim, se->listed_zone));
        reply_table(sim, s, SMTP_BLOCKLISTED, arg, strlen(arg));
        r->txn = 5;
        r->txn_reply = S(sim, s)->reply;
        return;
    } else if (mb == NONE || sim->mailboxes[mb].store != in->store) {
        verdict = SMTP_UNKNOWN_USER;
    } else if (sim->mailboxes[mb].quota_bytes > 0 &&
               sim->mailboxes[mb].used_bytes + m->size_bytes > sim->mailboxes[mb].quota_bytes) {
        verdict = in->quota == QUOTA_PERMANENT ? SMTP_MAILBOX_FULL_P : SMTP_MAILBOX_FULL_T;
    } else if (in->greylist) {
        GreylistCfg gc = { in->greylist_delay_us, in->greylist_max_age_us,
                           in->greylist_auto_whitelist };
        GreyVerdict g = greylist_check(sim->nodes[se->server].greylist, &gc, N(sim, se->client)->ip,
                                       m->sender, r->addr, engine_now(sim->eng));
        if (g == GREY_DEFER_NEW || g == GREY_DEFER_EARLY) {
            verdict = SMTP_GREYLISTED;
        }
    }
    int code = smtp_reply_info(verdict)->code;
    if (reply_written(sim, code)) {
        snprintf(addr, sizeof addr, "<%s>", sim_str(sim, r->addr));
    }
    /* Only refusals quote the address, and they are always formatted: a positive reply's
     * length needs no look-up of it (a cache miss per recipient in a bulk run). */
    reply_table(sim, s, verdict, addr, 0);
    r->txn = code < 300 ? 1 : code < 500 ? 4 : 5;
    r->txn_reply = S(sim, s)->reply;
    r->txn_status = STR_EMPTY;
}

/* The Received: line the accepting server prepends (RFC 5321 §4.4): who handed it over, who
 * took it, how, its queue id and when. */
static void add_received(Sim *sim, const Session *se, const char *qid)
{
    const WorldNode *cl = N(sim, se->client), *srv = N(sim, se->server);
    char date[64], ip[16], rec[1024];
    message_format_date(engine_now(sim->eng), date, sizeof date);
    if (se->mode == MODE_SUBMIT) {
        snprintf(rec, sizeof rec, "Received: from %s (authenticated sender) by %s (Postfix) "
                                  "with ESMTPSA id %s; %s",
                 sim_str(sim, cl->name), sim_str(sim, srv->name), qid, date);
    } else {
        world_format_ip(cl->ip, ip);
        snprintf(rec, sizeof rec, "Received: from %s (%s [%s]) by %s (Postfix) with ESMTP id %s; %s",
                 sim_str(sim, cl->name), cl->u.out.rdns ? sim_str(sim, cl->name) : "unknown", ip,
                 sim_str(sim, srv->name), qid, date);
    }
    sim_add_header(sim, se->msg, se->server, rec);
}

static void accept_message(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    char qid[16];
    message_queue_id(rng_next_u64(&sim->rng), qid);
    if (sim_tracing(sim)) {
        add_received(sim, se, qid);
    }
    /* The reply goes out first, then the server starts working on its copy. */
    reply_table(sim, s, SMTP_QUEUED, qid, strlen(qid));
    se = S(sim, s);
    if (se->mode == MODE_SUBMIT) {
        relay_enqueue(sim, se->msg, se->server);
        return;
    }
    const WorldNode *cl = N(sim, se->client);
    const IncomingCfg *in = &N(sim, se->server)->u.in;
    store_accept(sim, se->msg, se->delivery, se->server, in->filter, in->store, cl->ip,
                 cl->u.out.rdns);
}

static void on_server_receive(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t s = (uint32_t)arg;
    Session *se = S(sim, s);
    NodeState *st = &sim->nodes[se->server];
    const WorldNode *srv = N(sim, se->server);
    char line[512];
    switch (se->cmd) {
    case CMD_CONNECT:
        if (st->down) {
            int64_t arrive = engine_now(eng) + sim_link_time(sim, se->link, 60);
            sim_emit(sim, TK_CONN, se->server, se->client, (int32_t)se->msg, arrive,
                     "Connection refused", NULL, 0, 0, CONN_REFUSED, TRACE_F_REJECT);
            se->reply_code = -1;
            engine_schedule(eng, arrive, on_client_receive, sim, s);
            return;
        }
        if (srv->kind == NODE_INCOMING && st->active >= srv->u.in.concurrency) {
            if (st->waiting < srv->u.in.backlog) {
                if (st->waiting == st->wait_cap) {
                    /* grow the ring, unrolling it so the head is at 0 */
                    size_t cap = st->wait_cap ? st->wait_cap * 2 : 16;
                    uint32_t *q = xmalloc(sizeof *q * cap);
                    for (size_t i = 0; i < st->waiting; i++) {
                        q[i] = st->wait_queue[(st->wait_head + i) % st->wait_cap];
                    }
                    free(st->wait_queue);
                    st->wait_queue = q;
                    st->wait_cap = cap;
                    st->wait_head = 0;
                }
                st->wait_queue[(st->wait_head + st->waiting) % st->wait_cap] = s;
                st->waiting++;
                snprintf(line, sizeof line, "all %u SMTP processes busy: the connection waits",
                         srv->u.in.concurrency);
                sim_emit(sim, TK_CONN, se->server, NONE, (int32_t)se->msg, TRACE_NO_TIME, line,
                         NULL, 0, 0, CONN_QUEUED, 0);
                return;
            }
            reply_table(sim, s, SMTP_OVERLOADED, NULL, 0);
            return;
        }
        st->active++;
        se->have_slot = true;
        greet(sim, s);
        return;
    case CMD_EHLO: ehlo_reply(sim, s); return;
    case CMD_AUTH: reply_table(sim, s, SMTP_AUTH_OK, NULL, 0); return;
    case CMD_MAIL:
        if (srv->kind == NODE_INCOMING && sim->msgs[se->msg].size_bytes > srv->u.in.size_limit_bytes) {
            reply_table(sim, s, SMTP_TOO_BIG, NULL, 0);
            return;
        }
        reply_table(sim, s, SMTP_MAIL_OK, NULL, 0);
        return;
    case CMD_RCPT:
        if (se->mode == MODE_SUBMIT) {
            reply_table(sim, s, SMTP_RCPT_OK, NULL, 0);
            return;
        }
        rcpt_reply(sim, s);
        return;
    case CMD_DATA: reply_table(sim, s, SMTP_DATA_GO, NULL, 0); return;
    case CMD_DOT: accept_message(sim, s); return;
    case CMD_QUIT:
        reply_table(sim, s, SMTP_BYE, NULL, 0);
        release_slot(sim, s);
        return;
    }
}

/* Frees the session's server slot and greets the next waiting connection, if any. */
static void release_slot(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    if (!se->have_slot) {
        return;
    }
    se->have_slot = false;
    NodeState *st = &sim->nodes[se->server];
    st->active--;
    if (st->waiting > 0) {
        uint32_t next = st->wait_queue[st->wait_head];
        st->wait_head = (st->wait_head + 1) % st->wait_cap;
        st->waiting--;
        st->active++;
        S(sim, next)->have_slot = true;
        greet(sim, next);
    }
}

/* First recipient at or after `from` still pending in this delivery, or UINT32_MAX. */
static uint32_t next_rcpt(const Sim *sim, const Session *se, uint32_t from)
{
    if (se->mode == MODE_SUBMIT) {
        const Msg *m = &sim->msgs[se->msg];
        return from < m->rcpt_first + m->rcpt_count ? from : UINT32_MAX;
    }
    const Delivery *dl = &sim->deliveries[se->delivery];
    for (uint32_t i = from; i < dl->rcpt_first + dl->rcpt_count; i++) {
        if (sim->rcpts[i].state == RS_PENDING) {
            return i;
        }
    }
    return UINT32_MAX;
}

static void send_rcpt(Sim *sim, uint32_t s, uint32_t rcpt)
{
    char line[320];
    line[0] = '\0';
    S(sim, s)->rcpt_cursor = rcpt;
    if (sim_tracing(sim)) {
        snprintf(line, sizeof line, "RCPT TO:<%s>", sim_str(sim, sim->rcpts[rcpt].addr));
    }
    client_send(sim, s, CMD_RCPT, line, CMD_BYTES);
}

static void send_mail_from(Sim *sim, uint32_t s)
{
    const Msg *m = &sim->msgs[S(sim, s)->msg];
    char line[400];
    line[0] = '\0';
    if (sim_tracing(sim)) {
        snprintf(line, sizeof line, "MAIL FROM:<%s> SIZE=%lld", sim_str(sim, m->sender),
                 (long long)m->size_bytes);
    }
    client_send(sim, s, CMD_MAIL, line, CMD_BYTES);
}

static void send_quit(Sim *sim, uint32_t s)
{
    client_send(sim, s, CMD_QUIT, "QUIT", 6);
}

/* The relay transaction is over (accepted or not): settle the recipients, then say goodbye. */
static void end_transaction(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    if (se->mode == MODE_RELAY) {
        finish_attempt(sim, se->delivery, se->server_host);
    }
    send_quit(sim, s);
}

/* A failed connection (refused, 421): note why and move on to the next MX host. */
static void connection_failed(Sim *sim, uint32_t s, const char *why)
{
    Session *se = S(sim, s);
    char ip[16], text[640];
    world_format_ip(se->server_ip, ip);
    if (se->reply_code < 0) {
        snprintf(text, sizeof text, "connect to %s[%s]:25: Connection refused",
                 sim_str(sim, se->server_host), ip);
    } else {
        snprintf(text, sizeof text, "host %s[%s] refused to talk to me: %s",
                 sim_str(sim, se->server_host), ip, why);
    }
    if (se->mode == MODE_SUBMIT) {
        uint32_t msg = se->msg;
        sim_msg_hold(sim, msg); /* until on_submit_retry has started the next session */
        session_free(sim, s);
        engine_schedule_in(sim->eng, SUBMIT_RETRY_US, on_submit_retry, sim, msg);
        return;
    }
    se->fail_reason = strpool_intern(sim->sp, text);
    se->mx_index++;
    next_mx(sim, s);
}

static void on_client_receive(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t s = (uint32_t)arg;
    Session *se = S(sim, s);
    const Msg *m = &sim->msgs[se->msg];
    int code = se->reply_code;
    char line[512];
    switch (se->cmd) {
    case CMD_CONNECT:
        if (code != 220) {
            connection_failed(sim, s, sim_str(sim, se->reply));
            return;
        }
        line[0] = '\0';
        if (sim_tracing(sim)) {
            snprintf(line, sizeof line, "EHLO %s", sim_node_name(sim, se->client));
        }
        client_send(sim, s, CMD_EHLO, line, CMD_BYTES);
        return;
    case CMD_EHLO:
        if (se->mode == MODE_SUBMIT) {
            /* Submission (RFC 6409) authenticates first; relays go straight to MAIL. */
            client_send(sim, s, CMD_AUTH, "AUTH PLAIN ********", CMD_BYTES);
            return;
        }
        send_mail_from(sim, s);
        return;
    case CMD_AUTH: send_mail_from(sim, s); return;
    case CMD_MAIL: {
        if (code != 250) {
            if (se->mode == MODE_RELAY) {
                mark_all(sim, se->delivery, smtp_is_permanent(code) ? 5 : 4, se->reply, STR_EMPTY);
            }
            end_transaction(sim, s);
            return;
        }
        uint32_t r = next_rcpt(sim, se, se->mode == MODE_SUBMIT ? m->rcpt_first
                                                                : sim->deliveries[se->delivery].rcpt_first);
        send_rcpt(sim, s, r);
        return;
    }
    case CMD_RCPT: {
        se->accepted += code == 250;
        uint32_t r = next_rcpt(sim, se, se->rcpt_cursor + 1);
        if (r != UINT32_MAX) {
            send_rcpt(sim, s, r);
        } else if (se->accepted > 0) {
            client_send(sim, s, CMD_DATA, "DATA", 6);
        } else {
            end_transaction(sim, s);
        }
        return;
    }
    case CMD_DATA:
        if (code != 354) {
            if (se->mode == MODE_RELAY) {
                mark_all(sim, se->delivery, smtp_is_permanent(code) ? 5 : 4, se->reply, STR_EMPTY);
            }
            end_transaction(sim, s);
            return;
        }
        client_send(sim, s, CMD_DOT, ".", m->size_bytes);
        return;
    case CMD_DOT:
        if (se->mode == MODE_RELAY) {
            /* Every recipient accepted at RCPT shares the final reply. */
            const Delivery *dl = &sim->deliveries[se->delivery];
            for (uint32_t i = dl->rcpt_first; i < dl->rcpt_first + dl->rcpt_count; i++) {
                Rcpt *r = &sim->rcpts[i];
                if (r->state == RS_PENDING && r->txn == 1) {
                    r->txn = code == 250 ? 1 : smtp_is_permanent(code) ? 5 : 4;
                    r->txn_reply = se->reply;
                }
            }
        }
        end_transaction(sim, s);
        return;
    case CMD_QUIT:
        session_free(sim, s);
        return;
    }
}
