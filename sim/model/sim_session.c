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
 * With PIPELINING (RFC 2920) offered by the server and used by the client, MAIL, the RCPTs and DATA
 * leave together (send_batch): each is still its own trace event, all departing at once and
 * arriving one after the other. The server answers them in order as they arrive (one
 * on_server_receive each); the client has nothing to send until the DATA reply, so it reads the
 * MAIL and RCPT replies as the server sends them (batch_replied) and wakes only for the DATA
 * reply, which arrives last.
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
static void batch_replied(Sim *sim, uint32_t s);

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

/* The server's state of the transaction, after its reply `code` to the current command. */
static void server_track(Session *se, int code)
{
    bool ok = code >= 200 && code < 300;
    switch (se->cmd) {
    case CMD_MAIL:
        se->srv_in_mail = ok;
        se->srv_rcpts = 0;
        return;
    case CMD_RCPT: se->srv_rcpts += ok; return;
    case CMD_DOT:
    case CMD_RSET:
        se->srv_in_mail = false;
        se->srv_rcpts = 0;
        return;
    default: return;
    }
}

/* Sends a reply from the session's server; the client reacts when it arrives. `line` is the
 * reply's text, "" when it is not written (reply_written); `wire_len` is its length either way,
 * so the run takes the same course with or without a trace. */
static void server_reply(Sim *sim, uint32_t s, int code, const char *line, size_t wire_len)
{
    Session *se = S(sim, s);
    se->reply_code = code;
    se->reply = reply_written(sim, code) ? strpool_intern(sim->sp, line) : STR_EMPTY;
    server_track(se, code);
    int64_t arrive = engine_now(sim->eng) + sim_link_time(sim, se->link, (int64_t)wire_len + 2);
    if (se->batch) {
        arrive = arrive > se->batch_reply_us ? arrive : se->batch_reply_us;
        se->batch_reply_us = arrive;
    }
    sim_emit(sim, .kind = TK_SMTP, .from = se->server, .to = se->client, .msg = (int32_t)se->msg,
             .arrive_us = arrive, .text = line, .num = code, .sub = TRACE_ANSWER,
             .flags = code >= 400 ? TRACE_F_REJECT : 0);
    if (se->batch && se->cmd != CMD_DATA) {
        batch_replied(sim, s);
        return;
    }
    se->batch = false;
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

/* The first of the incoming server's scripted replies that applies to the command at `stage`
 * now (`rcpt`: the recipient of a RCPT, else NONE), counted as used; NULL when none does and the
 * server answers as its checks say. */
static const ScriptedReply *scripted_reply(Sim *sim, uint32_t s, ScriptStage stage, uint32_t rcpt)
{
    const Session *se = S(sim, s);
    const WorldNode *srv = sim_node(sim, se->server);
    if (srv->kind != NODE_INCOMING || srv->u.in.script_count == 0) {
        return NULL;
    }
    const IncomingCfg *in = &srv->u.in;
    NodeState *st = &sim->nodes[se->server];
    int64_t now = engine_now(sim->eng);
    for (uint32_t i = 0; i < in->script_count; i++) {
        const ScriptedReply *r = &in->scripts[i];
        if (r->at != stage || now < r->from_us || now >= r->until_us ||
            (r->sender != STR_EMPTY && r->sender != sim->msgs[se->msg].sender) ||
            (r->rcpt != STR_EMPTY && (rcpt == NO_RCPT || r->rcpt != sim->rcpts[rcpt].addr))) {
            continue;
        }
        if (!st->script_hits) {
            st->script_hits = xcalloc(in->script_count, sizeof *st->script_hits);
        }
        if (r->times > 0 && st->script_hits[i] >= r->times) {
            continue;
        }
        st->script_hits[i]++;
        return r;
    }
    return NULL;
}

/* Answers with the scripted reply `r` when there is one; returns whether it did. */
static bool reply_scripted(Sim *sim, uint32_t s, const ScriptedReply *r)
{
    if (!r) {
        return false;
    }
    server_reply(sim, s, r->code, sim_str(sim, r->reply), strpool_len(sim->sp, r->reply));
    return true;
}

/* The SIZE a server announces in its EHLO reply and enforces at MAIL (RFC 1870): an incoming
 * server's message_size_limit, or an outgoing server's for its submission service. */
static int64_t server_size_limit(const WorldNode *srv)
{
    return srv->kind == NODE_INCOMING ? srv->u.in.size_limit_bytes : srv->u.out.size_limit_bytes;
}

static bool server_pipelining(const WorldNode *srv)
{
    return srv->kind != NODE_INCOMING || srv->u.in.pipelining;
}

/* Does the server offer SIZE in its EHLO reply? Without it (RFC 1870 §4) the client sends no
 * SIZE= at MAIL and the server can only refuse a too-big message after the dot. */
static bool server_advertises_size(const WorldNode *srv)
{
    return srv->kind != NODE_INCOMING || srv->u.in.advertise_size;
}

static void ehlo_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const WorldNode *srv = sim_node(sim, se->server);
    char size[40];
    size[0] = '\0';
    if (server_advertises_size(srv)) {
        snprintf(size, sizeof size, "250-SIZE %lld\n", (long long)server_size_limit(srv));
    }
    static const char FORMAT[] = "250-%s\n%s%s%s250 8BITMIME";
    const char *pipelining = server_pipelining(srv) ? "250-PIPELINING\n" : "";
    const char *auth = se->mode == MODE_SUBMIT ? "250-AUTH PLAIN LOGIN\n" : "";
    char line[512];
    line[0] = '\0';
    if (sim_tracing(sim)) {
        snprintf(line, sizeof line, FORMAT, sim_str(sim, srv->name), pipelining, size, auth);
        server_reply(sim, s, 250, line, strlen(line));
        return;
    }
    /* The same length without formatting: FORMAT less its four conversions, plus what they
     * would print. */
    size_t len = sizeof FORMAT - 1 - strlen("%s%s%s%s") + strpool_len(sim->sp, srv->name) +
                 strlen(pipelining) + strlen(size) + strlen(auth);
    server_reply(sim, s, 250, line, len);
}

static void dnsbl_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    const IncomingCfg *in = &sim_node(sim, se->server)->u.in;
    /* 127.0.0.x = listed (RFC 5782), or only the one answer the server asks for (Postfix's
     * reject_rbl_client zone=127.0.0.4); NXDOMAIN or a failure = not listed. */
    uint32_t want = in->dnsbl_answer ? in->dnsbl_answer[se->dnsbl_index] : 0;
    for (uint32_t i = 0; ans->rcode == RCODE_NOERROR && i < ans->count && !se->listed; i++) {
        uint32_t a = ans->rr[i].addr;
        if (want ? a == want : (a >> 24) == 127) {
            se->listed = true;
            se->listed_zone = in->dnsbl[se->dnsbl_index];
        }
    }
    se->dnsbl_index++;
    if (se->listed || se->dnsbl_index >= in->dnsbl_count) {
        se->listed_checked = true;
    }
    on_server_receive(sim->eng, sim, s);
}

/* postgrey's whitelist_clients and whitelist_recipients: the client's address, or the
 * recipient's address or domain, is listed, so the recipient is never greylisted. */
static bool greylist_exempt(const IncomingCfg *in, uint32_t client_ip, const Rcpt *r)
{
    for (uint32_t i = 0; i < in->greylist_client_count; i++) {
        if (in->greylist_clients[i] == client_ip) {
            return true;
        }
    }
    for (uint32_t i = 0; i < in->greylist_rcpt_count; i++) {
        if (in->greylist_rcpts[i] == r->addr || in->greylist_rcpts[i] == r->domain) {
            return true;
        }
    }
    return false;
}

/* The incoming server's verdict on one RCPT, in Postfix's order: relay permission, the DNSBL,
 * the user database, the quota, then the greylisting policy service. What the reply means for
 * the recipient is the client's business (decide_rcpt). */
static void rcpt_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const IncomingCfg *in = &sim_node(sim, se->server)->u.in;
    const Rcpt *r = &sim->rcpts[se->rcpt_cursor];
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
    if (reply_scripted(sim, s, scripted_reply(sim, s, STAGE_RCPT, se->rcpt_cursor))) {
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
        return;
    } else if ((mb == NONE || sim->mailboxes[mb].store != in->store) &&
               !sim_node(sim, in->store)->u.store.catch_all) {
        verdict = SMTP_UNKNOWN_USER;
    } else if (mb == NONE || sim->mailboxes[mb].store != in->store) {
        /* A catch-all store takes any local part: no quota to check for an alias. */
    } else if (sim->mailboxes[mb].quota_bytes > 0 &&
               sim->mailboxes[mb].used_bytes + m->size_bytes > sim->mailboxes[mb].quota_bytes) {
        verdict = in->quota == QUOTA_PERMANENT ? SMTP_MAILBOX_FULL_P : SMTP_MAILBOX_FULL_T;
    } else if (in->greylist && !greylist_exempt(in, sim_node(sim, se->client)->ip, r)) {
        GreylistCfg gc = { in->greylist_delay_us, in->greylist_max_age_us,
                           in->greylist_auto_whitelist, in->greylist_retry_window_us };
        GreyVerdict g = greylist_check(sim->nodes[se->server].greylist, &gc,
                                       sim_node(sim, se->client)->ip, m->sender, r->addr,
                                       engine_now(sim->eng));
        if ((g == GREY_DEFER_NEW || g == GREY_DEFER_EARLY) && in->greylist_code != 450) {
            /* postgrey's action with another code (451): Postfix's reply, that code. */
            snprintf(addr, sizeof addr, "<%s>", sim_str(sim, r->addr));
            char line[512];
            smtp_format_reply(SMTP_GREYLISTED, addr, line, sizeof line);
            char code[8];
            snprintf(code, sizeof code, "%03d", (int)in->greylist_code);
            memcpy(line, code, 3);
            server_reply(sim, s, in->greylist_code, line, strlen(line));
            return;
        }
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
        /* A scripted 421 or 554 greeting (RFC 5321 §3.1, §4.2.3): no slot is taken. */
        if (reply_scripted(sim, s, scripted_reply(sim, s, STAGE_GREETING, NO_RCPT))) {
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
        if (reply_scripted(sim, s, scripted_reply(sim, s, STAGE_MAIL, NO_RCPT))) {
            return;
        }
        /* MAIL FROM:<...> SIZE=n over the announced SIZE (RFC 1870 §6.1). */
        if (server_advertises_size(srv) && sim->msgs[se->msg].size_bytes > server_size_limit(srv)) {
            reply_table(sim, s, SMTP_TOO_BIG, NULL, 0);
            return;
        }
        reply_table(sim, s, SMTP_MAIL_OK, NULL, 0);
        return;
    case CMD_RCPT:
        if (!se->srv_in_mail) {
            reply_table(sim, s, SMTP_NEED_MAIL, NULL, 0); /* pipelined after a refused MAIL */
            return;
        }
        if (se->mode == MODE_SUBMIT) {
            reply_table(sim, s, SMTP_RCPT_OK, NULL, 0);
            return;
        }
        rcpt_reply(sim, s);
        return;
    case CMD_DATA:
        /* Only a pipelining client sends DATA with no recipient taken (smtpd.c's order). */
        if (se->srv_rcpts == 0) {
            reply_table(sim, s, se->srv_in_mail ? SMTP_NO_VALID_RCPT : SMTP_NEED_RCPT, NULL, 0);
            return;
        }
        if (reply_scripted(sim, s, scripted_reply(sim, s, STAGE_DATA, NO_RCPT))) {
            return;
        }
        reply_table(sim, s, SMTP_DATA_GO, NULL, 0);
        return;
    case CMD_DOT:
        if (reply_scripted(sim, s, scripted_reply(sim, s, STAGE_DOT, NO_RCPT))) {
            return;
        }
        /* Without SIZE in its EHLO reply the server learns the size only now (RFC 1870 §4). */
        if (!server_advertises_size(srv) && sim->msgs[se->msg].size_bytes > server_size_limit(srv)) {
            reply_table(sim, s, SMTP_TOO_BIG, NULL, 0);
            return;
        }
        accept_message(sim, s);
        return;
    case CMD_QUIT:
        reply_table(sim, s, SMTP_BYE, NULL, 0);
        release_slot(sim, s);
        return;
    case CMD_RSET: reply_table(sim, s, SMTP_RSET_OK, NULL, 0); return;
    case CMD_VRFY: reply_table(sim, s, SMTP_VRFY_DISABLED, NULL, 0); return;
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

/* First recipient of the session at or after `from` still pending and not yet answered in this
 * attempt, or NO_RCPT. (A submitted message's recipients are all pending until its server has
 * queued it; a relay attempt's earlier server may have decided some.) */
static uint32_t next_rcpt(const Sim *sim, const Session *se, uint32_t from)
{
    for (uint32_t i = from; i < se->rcpt_first + se->rcpt_count; i++) {
        if (sim->rcpts[i].state == RS_PENDING && sim->rcpts[i].txn == TXN_NONE) {
            return i;
        }
    }
    return NO_RCPT;
}

/* The command lines, written only for a trace ("" otherwise; CMD_BYTES on the wire either way). */
static void format_rcpt(const Sim *sim, uint32_t rcpt, char *line, size_t size)
{
    line[0] = '\0';
    if (sim_tracing(sim)) {
        snprintf(line, size, "RCPT TO:<%s>", sim_str(sim, sim->rcpts[rcpt].addr));
    }
}

static void format_mail_from(const Sim *sim, uint32_t s, char *line, size_t size)
{
    const Msg *m = &sim->msgs[sim->sessions[s].msg];
    line[0] = '\0';
    if (sim_tracing(sim) && (sim->sessions[s].mode == MODE_VERIFY ||
                             !server_advertises_size(sim_node(sim, sim->sessions[s].server)))) {
        /* A probe carries no message; without SIZE in the EHLO reply there is no SIZE= (RFC 1870) */
        snprintf(line, size, "MAIL FROM:<%s>", sim_str(sim, m->sender));
    } else if (sim_tracing(sim)) {
        snprintf(line, size, "MAIL FROM:<%s> SIZE=%lld", sim_str(sim, m->sender),
                 (long long)m->size_bytes);
    }
}

static void send_rcpt(Sim *sim, uint32_t s, uint32_t rcpt)
{
    char line[320];
    format_rcpt(sim, rcpt, line, sizeof line);
    S(sim, s)->rcpt_cursor = rcpt;
    client_send(sim, s, CMD_RCPT, line, CMD_BYTES);
}

static void send_mail_from(Sim *sim, uint32_t s)
{
    char line[400];
    format_mail_from(sim, s, line, sizeof line);
    client_send(sim, s, CMD_MAIL, line, CMD_BYTES);
}

/* ---- PIPELINING (RFC 2920) ---- */

/* The time `bytes` spend on the link's bandwidth: sim_link_time's bandwidth term, without its
 * latency and jitter (a batch draws those once). */
static int64_t wire_us(const WorldLink *l, int64_t bytes)
{
    if (l->bandwidth_bps <= 0 || bytes <= 0) {
        return 0;
    }
    return (bytes * 8 * US_PER_S + l->bandwidth_bps - 1) / l->bandwidth_bps;
}

/* Does this transaction go as one batch? Postfix's client pipelines whenever the server's EHLO
 * offers PIPELINING (smtp_proto.c); a mail client's submission stays lock-step here, and so does
 * a transaction with no recipient left to name. */
static bool pipelines(const Sim *sim, const Session *se)
{
    const WorldNode *cl = sim_node(sim, se->client);
    return se->mode == MODE_RELAY && cl->kind == NODE_OUTGOING && cl->u.out.pipelining &&
           server_pipelining(sim_node(sim, se->server)) &&
           next_rcpt(sim, se, se->rcpt_first) != NO_RCPT;
}

/* When the batch's first `bytes` bytes have reached the server. */
static int64_t batch_arrival(const Session *se, int64_t bytes)
{
    return se->batch_sent_us + se->batch_delay_us + wire_us(se->link, bytes);
}

static void batch_emit(Sim *sim, uint32_t s, const char *line, int64_t bytes)
{
    const Session *se = S(sim, s);
    sim_emit(sim, .kind = TK_SMTP, .from = se->client, .to = se->server, .msg = (int32_t)se->msg,
             .arrive_us = batch_arrival(se, bytes), .text = line, .sub = TRACE_ASK);
}

/* MAIL, one RCPT per recipient left and DATA, all leaving now; the server starts on MAIL once it
 * has arrived. Postfix sends DATA even if every RCPT may be refused: the server then answers
 * it 554 and no message follows. */
static void send_batch(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    se->batch = true;
    se->batch_mail_refused = false;
    se->batch_sent_us = engine_now(sim->eng);
    se->batch_delay_us = sim_link_time(sim, se->link, 0);
    se->batch_reply_us = 0;
    se->batch_answered = 0;
    char line[400];
    format_mail_from(sim, s, line, sizeof line);
    int64_t bytes = CMD_BYTES;
    batch_emit(sim, s, line, bytes);
    uint32_t n = 0;
    for (uint32_t r = next_rcpt(sim, se, se->rcpt_first); r != NO_RCPT; r = next_rcpt(sim, se, r + 1)) {
        format_rcpt(sim, r, line, sizeof line);
        bytes += CMD_BYTES;
        n++;
        batch_emit(sim, s, line, bytes);
    }
    batch_emit(sim, s, "DATA", bytes + 6);
    se->batch_rcpts = n;
    se->batch_bytes = CMD_BYTES;
    se->cmd = CMD_MAIL;
    engine_schedule(sim->eng, batch_arrival(se, se->batch_bytes) + sim_process_us(sim, se->server),
                    on_server_receive, sim, s);
}

/* The transaction is over (the message accepted or not): the opener settles it, then the client
 * says goodbye. */
static void end_transaction(Sim *sim, uint32_t s)
{
    const SessionHandlers *on = S(sim, s)->on;
    if (on->ended) {
        on->ended(sim, s);
    }
    if (S(sim, s)->keep_open) {
        return; /* idle, in the opener's connection cache */
    }
    client_send(sim, s, CMD_QUIT, "QUIT", 6);
}

void session_reuse(Sim *sim, uint32_t s, uint32_t msg)
{
    Session *se = S(sim, s);
    assert(se->live && se->keep_open);
    uint32_t old = se->msg;
    sim_msg_hold(sim, msg);
    se->msg = msg;
    se->keep_open = false;
    se->accepted = 0;
    sim_msg_release(sim, old);
    client_send(sim, s, CMD_RSET, "RSET", 6);
}

void session_close(Sim *sim, uint32_t s, const char *why)
{
    Session *se = S(sim, s);
    assert(se->live && se->keep_open);
    sim_emit(sim, .kind = TK_CONN, .from = se->client, .to = se->server, .msg = (int32_t)se->msg,
             .arrive_us = engine_now(sim->eng) + sim_link_time(sim, se->link, 60), .text = why,
             .sub = CONN_CLOSED);
    release_slot(sim, s);
    session_free(sim, s);
}

/* ---- what a reply means for the recipients of a relay session ---- */

/* The command a reply answers, as Postfix names it in "(in reply to ... command)". */
static const char *command_name(Cmd cmd)
{
    switch (cmd) {
    case CMD_MAIL: return "MAIL FROM";
    case CMD_RCPT: return "RCPT TO";
    case CMD_DATA: return "DATA";
    case CMD_DOT: return "end of DATA";
    case CMD_VRFY: return "VRFY";
    default: return "?";
    }
}

/* A server's refusal of recipient r (the current reply, 4xx or 5xx), logged the way Postfix logs
 * it: "host mx.b.example[203.0.113.25] said: 450 4.2.0 ... (in reply to RCPT TO command)". A
 * 5xx, or a 4xx from the attempt's last server, decides it; a 4xx from an earlier one leaves it
 * undecided for the next MX host and becomes the attempt's last error. */
static void refuse_rcpt(Sim *sim, uint32_t s, uint32_t rcpt)
{
    Session *se = S(sim, s);
    char ip[16], status[16];
    world_format_ip(se->server_ip, ip);
    const char *reply = sim_str(sim, se->reply);
    StrId why = strpool_internf(sim->sp, "host %s[%s] said: %s (in reply to %s command)",
                                sim_str(sim, se->server_host), ip, reply, command_name(se->cmd));
    StrId st = strpool_intern(sim->sp, message_status_of(reply, "4.0.0", status));
    Rcpt *r = &sim->rcpts[rcpt];
    if (smtp_is_transient(se->reply_code) && !se->final_server) {
        r->txn = TXN_NONE;
        se->fail_reason = why;
        se->fail_status = st;
        return;
    }
    r->txn = (uint8_t)sim_txn_of_reply(se->reply_code);
    r->txn_reply = why;
    r->txn_status = st;
    r->txn_diag = se->reply;
}

/* The reply to this session's RCPT for `rcpt`: accepted for now (taken once DATA is), or refused. */
static void decide_rcpt(Sim *sim, uint32_t s, uint32_t rcpt)
{
    const Session *se = S(sim, s);
    if (se->mode == MODE_SUBMIT) {
        return;
    }
    if (se->reply_code >= 200 && se->reply_code < 300) {
        Rcpt *r = &sim->rcpts[rcpt];
        r->txn = TXN_RCPT_OK;
        r->txn_reply = se->reply;
        r->txn_status = STR_EMPTY;
        r->txn_diag = STR_EMPTY;
        return;
    }
    refuse_rcpt(sim, s, rcpt);
}

/* A reply to MAIL, DATA or the final dot decides every recipient it covers the same way: those
 * still unanswered (`covered` TXN_NONE, at MAIL) or those accepted at RCPT in this session
 * (TXN_RCPT_OK, at DATA and the dot). A 2xx after the dot makes them accepted. */
static void decide_all(Sim *sim, uint32_t s, RcptTxn covered)
{
    const Session *se = S(sim, s);
    if (se->mode == MODE_SUBMIT) {
        return;
    }
    bool ok = se->reply_code >= 200 && se->reply_code < 300;
    for (uint32_t i = se->rcpt_first; i < se->rcpt_first + se->rcpt_count; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state != RS_PENDING || r->txn != covered) {
            continue;
        }
        if (ok) {
            r->txn = TXN_ACCEPTED;
            r->txn_reply = se->reply;
        } else {
            refuse_rcpt(sim, s, i);
        }
    }
}

/* The client reads a reply of its batch (as it sends nothing until the DATA reply, it may do so
 * when the server sends it: the marks are the same), as Postfix does: a refused MAIL decides
 * every recipient at once and the RCPT replies after it count for nothing. */
static void batch_read_reply(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    switch (se->cmd) {
    case CMD_MAIL:
        if (se->reply_code != 250) {
            se->batch_mail_refused = true;
            decide_all(sim, s, TXN_NONE);
        }
        return;
    case CMD_RCPT:
        if (se->batch_mail_refused) {
            return;
        }
        se->accepted += se->reply_code == 250;
        decide_rcpt(sim, s, se->rcpt_cursor);
        return;
    default: return;
    }
}

/* The server has answered a MAIL or RCPT of the batch: the client reads the reply, and the
 * server takes the next command once it has answered this one and the command has arrived.
 * After a refused MAIL the RCPTs name nobody the server looks up (it answers 503). */
static void batch_replied(Sim *sim, uint32_t s)
{
    batch_read_reply(sim, s);
    Session *se = S(sim, s);
    if (se->cmd == CMD_RCPT) {
        se->batch_answered++;
    }
    uint32_t next = se->cmd == CMD_MAIL ? se->rcpt_first : se->rcpt_cursor + 1;
    if (se->batch_answered < se->batch_rcpts) {
        se->cmd = CMD_RCPT;
        se->batch_bytes += CMD_BYTES;
        if (!se->batch_mail_refused) {
            uint32_t r = next_rcpt(sim, se, next);
            assert(r != NO_RCPT);
            se->rcpt_cursor = r;
        }
    } else {
        se->cmd = CMD_DATA;
        se->batch_bytes += 6;
    }
    int64_t at = batch_arrival(se, se->batch_bytes);
    int64_t now = engine_now(sim->eng);
    engine_schedule(sim->eng, (at > now ? at : now) + sim_process_us(sim, se->server),
                    on_server_receive, sim, s);
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

/* After EHLO: the opener may end the session before MAIL (greeted); else submission
 * authenticates first (RFC 6409) and a relay goes straight to MAIL. */
static void after_ehlo(Sim *sim, uint32_t s)
{
    const Session *se = S(sim, s);
    if (se->on->greeted && !se->on->greeted(sim, s)) {
        end_transaction(sim, s);
        return;
    }
    if (se->mode == MODE_SUBMIT) {
        client_send(sim, s, CMD_AUTH, "AUTH PLAIN ********", CMD_BYTES);
        return;
    }
    if (se->mode == MODE_VERIFY && se->vrfy) {
        char line[320];
        line[0] = '\0';
        S(sim, s)->vrfy = false;
        if (sim_tracing(sim)) {
            snprintf(line, sizeof line, "VRFY %s",
                     sim_str(sim, sim_node(sim, se->client)->u.client.verify[se->verify_index]));
        }
        client_send(sim, s, CMD_VRFY, line, CMD_BYTES);
        return;
    }
    if (pipelines(sim, se)) {
        send_batch(sim, s);
        return;
    }
    send_mail_from(sim, s);
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
    case CMD_EHLO: after_ehlo(sim, s); return;
    case CMD_AUTH:
    case CMD_VRFY: send_mail_from(sim, s); return;
    case CMD_MAIL: {
        uint32_t first = next_rcpt(sim, se, se->rcpt_first);
        if (code != 250 || first == NO_RCPT) {
            decide_all(sim, s, TXN_NONE);
            end_transaction(sim, s);
            return;
        }
        send_rcpt(sim, s, first);
        return;
    }
    case CMD_RCPT: {
        se->accepted += code == 250;
        decide_rcpt(sim, s, se->rcpt_cursor);
        uint32_t r = next_rcpt(sim, se, se->rcpt_cursor + 1);
        if (r != NO_RCPT) {
            send_rcpt(sim, s, r);
        } else if (se->mode == MODE_VERIFY) {
            client_send(sim, s, CMD_RSET, "RSET", 6); /* never DATA: nothing is sent */
        } else if (se->accepted > 0) {
            client_send(sim, s, CMD_DATA, "DATA", 6);
        } else {
            end_transaction(sim, s);
        }
        return;
    }
    case CMD_DATA:
        if (code != 354) {
            decide_all(sim, s, TXN_RCPT_OK);
            end_transaction(sim, s);
            return;
        }
        client_send(sim, s, CMD_DOT, ".", m->size_bytes);
        return;
    case CMD_DOT:
        /* Every recipient accepted at RCPT in this session shares the final reply. */
        decide_all(sim, s, TXN_RCPT_OK);
        end_transaction(sim, s);
        return;
    case CMD_QUIT:
        session_free(sim, s);
        return;
    case CMD_RSET:
        if (code != 250 || se->mode == MODE_VERIFY) {
            end_transaction(sim, s);
            return;
        }
        after_ehlo(sim, s);
        return;
    }
}
