/* sim_session: the SMTP dialogue of one session and the server's side of it (see sim_session.h).
 * Owns the commands, the replies, the server's session slots and the incoming server's checks; does
 * not own what an accepted message, a failed connection or a finished transaction leads to (the
 * opener's SessionHandlers).
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
#include "model/sim_session.h"

#include "model/sim_lookup.h"
#include "mail/message.h"
#include "mail/smtp.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_BYTES 40 /* typical size of a command line on the wire */
#define NO_RCPT UINT32_MAX /* next_rcpt: no recipient left to name */

static void on_server_receive(Engine *eng, void *obj, uint64_t arg);
static void on_client_receive(Engine *eng, void *obj, uint64_t arg);
static void release_slot(Sim *sim, uint32_t s);

static Session *S(Sim *sim, uint32_t s)
{
    return &sim->sessions[s];
}

uint32_t session_new(Sim *sim, uint32_t msg)
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

void session_free(Sim *sim, uint32_t s)
{
    assert(sim->sessions[s].live);
    uint32_t msg = sim->sessions[s].msg;
    sim->sessions[s].live = false;
    sim_pool_give(sim->sessions, &sim->session_free, sizeof(Session), offsetof(Session, next_free), s);
    sim_msg_release(sim, msg);
}

/* ---- connecting ---- */

static void on_connect_timeout(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t s = (uint32_t)arg;
    Session *se = S(sim, s);
    char ip[16], text[512];
    world_format_ip(se->server_ip, ip);
    snprintf(text, sizeof text, "connect to %s[%s]:%d: Connection timed out",
             sim_str(sim, se->server_host), ip, se->port);
    sim_emit(sim, .kind = TK_CONN, .from = se->client, .to = NONE, .msg = (int32_t)se->msg,
             .arrive_us = TRACE_NO_TIME, .text = text, .sub = CONN_TIMEOUT,
             .flags = TRACE_F_REJECT);
    se->on->failed(sim, s, text);
}

void session_connect(Sim *sim, uint32_t s, int32_t server, int port)
{
    Session *se = S(sim, s);
    se->server = server;
    se->port = port;
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
    sim_emit(sim, .kind = TK_CONN, .from = se->client, .to = server, .msg = (int32_t)se->msg,
             .arrive_us = arrive, .text = text, .num = port, .sub = CONN_OPEN);
    if (silent) {
        const WorldNode *cl = sim_node(sim, se->client);
        int64_t timeout = cl->kind == NODE_OUTGOING ? cl->u.out.connect_timeout_us : 30 * US_PER_S;
        se->timer = engine_schedule_in(sim->eng, timeout, on_connect_timeout, sim, s);
        return;
    }
    engine_schedule(sim->eng, arrive + sim_process_us(sim, server), on_server_receive, sim, s);
}

/* ---- the server's side ---- */

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
    sim_emit(sim, .kind = TK_SMTP, .from = se->server, .to = se->client, .msg = (int32_t)se->msg,
             .arrive_us = arrive, .text = line, .num = code, .sub = TRACE_ANSWER,
             .flags = code >= 400 ? TRACE_F_REJECT : 0);
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

/* 220 with the server's name; the name is looked up only for a trace (a 220 is formatted only
 * then, see reply_table). */
static void greet(Sim *sim, uint32_t s)
{
    StrId name = sim_node(sim, S(sim, s)->server)->name;
    reply_table(sim, s, SMTP_GREETING, sim_tracing(sim) ? sim_str(sim, name) : "",
                strpool_len(sim->sp, name));
}

static void ehlo_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const WorldNode *srv = sim_node(sim, se->server);
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

static void dnsbl_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    const IncomingCfg *in = &sim_node(sim, se->server)->u.in;
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
 * the user database, the quota, then the greylisting policy service. The reply decides the
 * recipient's txn mark. */
static void rcpt_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const IncomingCfg *in = &sim_node(sim, se->server)->u.in;
    Rcpt *r = &sim->rcpts[se->rcpt_cursor];
    const Msg *m = &sim->msgs[se->msg];
    char addr[300], arg[300];
    addr[0] = '\0';
    if (in->dnsbl_count > 0 && !se->listed_checked) {
        uint32_t client_ip = sim_node(sim, se->client)->ip;
        lookup_start(sim, dnsbl_answer, s, se->server, in->resolver,
                     dns_reverse_name(sim->sp, client_ip, in->dnsbl[se->dnsbl_index]), QTYPE_A,
                     (int32_t)se->msg);
        return;
    }
    SmtpReply verdict = SMTP_RCPT_OK;
    int32_t mb = r->mailbox;
    if (!sim_serves_domain(sim, se->server, r->domain)) {
        verdict = SMTP_RELAY_DENIED;
    } else if (se->listed) {
        char ip[16];
        world_format_ip(sim_node(sim, se->client)->ip, ip);
        snprintf(arg, sizeof arg, "%s\t%s", ip, sim_str(sim, se->listed_zone));
        reply_table(sim, s, SMTP_BLOCKLISTED, arg, strlen(arg));
        r->txn = (uint8_t)sim_txn_of_reply(S(sim, s)->reply_code);
        r->txn_reply = S(sim, s)->reply;
        return;
    } else if (mb == NONE || sim->mailboxes[mb].store != in->store) {
        verdict = SMTP_UNKNOWN_USER;
    } else if (sim->mailboxes[mb].quota_bytes > 0 &&
               sim->mailboxes[mb].used_bytes + m->size_bytes > sim->mailboxes[mb].quota_bytes) {
        verdict = in->quota == QUOTA_PERMANENT ? SMTP_MAILBOX_FULL_P : SMTP_MAILBOX_FULL_T;
    } else if (in->greylist) {
        GreylistCfg gc = { in->greylist_delay_us, in->greylist_max_age_us,
                           in->greylist_auto_whitelist, in->greylist_retry_window_us };
        GreyVerdict g = greylist_check(sim->nodes[se->server].greylist, &gc,
                                       sim_node(sim, se->client)->ip, m->sender, r->addr,
                                       engine_now(sim->eng));
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
    r->txn = (uint8_t)sim_txn_of_reply(code);
    r->txn_reply = S(sim, s)->reply;
    r->txn_status = STR_EMPTY;
}

/* The Received: line the accepting server prepends (RFC 5321 §4.4): who handed it over, who
 * took it, how, its queue id and when. */
static void add_received(Sim *sim, const Session *se, const char *qid)
{
    const WorldNode *cl = sim_node(sim, se->client), *srv = sim_node(sim, se->server);
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
    S(sim, s)->on->accepted(sim, s);
}

/* A connection the server has no slot for waits in its backlog (FIFO ring), if there is room. */
static bool wait_for_slot(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    NodeState *st = &sim->nodes[se->server];
    const IncomingCfg *in = &sim_node(sim, se->server)->u.in;
    if (st->waiting >= in->backlog) {
        return false;
    }
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
    char line[512];
    snprintf(line, sizeof line, "all %u SMTP processes busy: the connection waits", in->concurrency);
    sim_emit(sim, .kind = TK_CONN, .from = se->server, .to = NONE, .msg = (int32_t)se->msg,
             .arrive_us = TRACE_NO_TIME, .text = line, .sub = CONN_QUEUED);
    return true;
}

static void on_server_receive(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t s = (uint32_t)arg;
    Session *se = S(sim, s);
    NodeState *st = &sim->nodes[se->server];
    const WorldNode *srv = sim_node(sim, se->server);
    switch (se->cmd) {
    case CMD_CONNECT:
        if (st->down) {
            int64_t arrive = engine_now(eng) + sim_link_time(sim, se->link, 60);
            sim_emit(sim, .kind = TK_CONN, .from = se->server, .to = se->client,
                     .msg = (int32_t)se->msg, .arrive_us = arrive, .text = "Connection refused",
                     .sub = CONN_REFUSED, .flags = TRACE_F_REJECT);
            se->reply_code = -1;
            engine_schedule(eng, arrive, on_client_receive, sim, s);
            return;
        }
        if (srv->kind == NODE_INCOMING && st->active >= srv->u.in.concurrency) {
            if (!wait_for_slot(sim, s)) {
                reply_table(sim, s, SMTP_OVERLOADED, NULL, 0);
            }
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

/* ---- the client's side ---- */

/* Sends a command from the session's client; the server answers once it has arrived and been
 * processed. `bytes` is what crosses the link (the whole message for the dot). */
static void client_send(Sim *sim, uint32_t s, Cmd cmd, const char *line, int64_t bytes)
{
    Session *se = S(sim, s);
    se->cmd = cmd;
    int64_t arrive = engine_now(sim->eng) + sim_link_time(sim, se->link, bytes);
    sim_emit(sim, .kind = TK_SMTP, .from = se->client, .to = se->server, .msg = (int32_t)se->msg,
             .arrive_us = arrive, .text = line, .sub = TRACE_ASK);
    engine_schedule(sim->eng, arrive + sim_process_us(sim, se->server), on_server_receive, sim, s);
}

/* First recipient of the session at or after `from` still pending, or NO_RCPT. (A submitted
 * message's recipients are all pending until its server has queued it.) */
static uint32_t next_rcpt(const Sim *sim, const Session *se, uint32_t from)
{
    for (uint32_t i = from; i < se->rcpt_first + se->rcpt_count; i++) {
        if (sim->rcpts[i].state == RS_PENDING) {
            return i;
        }
    }
    return NO_RCPT;
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

/* The transaction is over (the message accepted or not): the opener settles it, then the client
 * says goodbye. */
static void end_transaction(Sim *sim, uint32_t s)
{
    const SessionHandlers *on = S(sim, s)->on;
    if (on->ended) {
        on->ended(sim, s);
    }
    client_send(sim, s, CMD_QUIT, "QUIT", 6);
}

/* A failure of the whole transaction (at MAIL or DATA) decides every recipient of a relay
 * session the same way. */
static void fail_transaction(Sim *sim, uint32_t s, int code)
{
    Session *se = S(sim, s);
    if (se->mode == MODE_RELAY) {
        sim_rcpts_mark(sim, se->rcpt_first, se->rcpt_count, sim_txn_of_reply(code), se->reply,
                       STR_EMPTY);
    }
    end_transaction(sim, s);
}

/* A failed connection (refused, 421): the opener decides what comes next. */
static void connection_failed(Sim *sim, uint32_t s, const char *why)
{
    Session *se = S(sim, s);
    char ip[16], text[640];
    world_format_ip(se->server_ip, ip);
    if (se->reply_code < 0) {
        snprintf(text, sizeof text, "connect to %s[%s]:%d: Connection refused",
                 sim_str(sim, se->server_host), ip, se->port);
    } else {
        snprintf(text, sizeof text, "host %s[%s] refused to talk to me: %s",
                 sim_str(sim, se->server_host), ip, why);
    }
    se->on->failed(sim, s, text);
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
    case CMD_MAIL:
        if (code != 250) {
            fail_transaction(sim, s, code);
            return;
        }
        send_rcpt(sim, s, next_rcpt(sim, se, se->rcpt_first));
        return;
    case CMD_RCPT: {
        se->accepted += code == 250;
        uint32_t r = next_rcpt(sim, se, se->rcpt_cursor + 1);
        if (r != NO_RCPT) {
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
            fail_transaction(sim, s, code);
            return;
        }
        client_send(sim, s, CMD_DOT, ".", m->size_bytes);
        return;
    case CMD_DOT:
        if (se->mode == MODE_RELAY) {
            /* Every recipient accepted at RCPT shares the final reply. */
            for (uint32_t i = se->rcpt_first; i < se->rcpt_first + se->rcpt_count; i++) {
                Rcpt *r = &sim->rcpts[i];
                if (r->state == RS_PENDING && r->txn == TXN_ACCEPTED) {
                    r->txn = (uint8_t)sim_txn_of_reply(code);
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
