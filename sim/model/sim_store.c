/* sim_store: what happens after a server accepts a message — the spam filter's verdict (rules,
 * Bayes, auto-learning), filing into Inbox or Junk in the mail store (Maildir: tmp/ then new/),
 * quota accounting, clients fetching over IMAP or POP3 at their poll interval, and users acting on
 * their mail (marking spam / not spam, which retrains the filter; deleting; checking now).
 */
#include "model/sim_internal.h"

#include "mail/message.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKED_RETRY_US (60 * US_PER_S) /* a hop into a down filter/store is retried this often */

static void on_filter_arrive(Engine *eng, void *obj, uint64_t arg);
static void on_store_arrive(Engine *eng, void *obj, uint64_t arg);

static const WorldNode *N(const Sim *sim, int32_t node)
{
    return &sim->w->nodes[node];
}

static uint32_t inbound_new(Sim *sim)
{
    void *items = sim->inbound;
    uint32_t i = sim_pool_take(&items, &sim->inbound_count, &sim->inbound_cap, &sim->inbound_free,
                               sizeof(Inbound), offsetof(Inbound, next_free));
    sim->inbound = items;
    return i;
}

static void inbound_free(Sim *sim, uint32_t i)
{
    sim_pool_give(sim->inbound, &sim->inbound_free, sizeof(Inbound), offsetof(Inbound, next_free), i);
}

/* Sends the inbound copy over the link `from` -> `to`; `then` runs when it has arrived. */
static void hop(Sim *sim, uint32_t i, int32_t from, int32_t to, const char *what,
                EngineHandler then)
{
    const Inbound *in = &sim->inbound[i];
    int64_t arrive =
        engine_now(sim->eng) + sim_link_delay(sim, from, to, sim->msgs[in->msg].size_bytes);
    sim_emit(sim, TK_HOP, from, to, (int32_t)in->msg, arrive, what, NULL, 0, 0, 0, 0);
    engine_schedule(sim->eng, arrive, then, sim, i);
}

void store_accept(Sim *sim, uint32_t msg, uint32_t delivery, int32_t server, int32_t filter,
                  int32_t store, uint32_t relay_ip, bool relay_rdns)
{
    uint32_t i = inbound_new(sim);
    sim_msg_hold(sim, msg); /* until on_deliver */
    sim->inbound[i] = (Inbound){ .msg = msg,
                                 .delivery = delivery,
                                 .server = server,
                                 .filter = filter,
                                 .store = store,
                                 .relay_ip = relay_ip,
                                 .relay_rdns = relay_rdns,
                                 .next_free = NONE };
    const Delivery *dl = &sim->deliveries[delivery];
    for (uint32_t r = dl->rcpt_first; r < dl->rcpt_first + dl->rcpt_count; r++) {
        if (sim->rcpts[r].state == RS_PENDING && sim->rcpts[r].txn == 1) {
            sim->rcpts[r].inbound = (int32_t)i;
        }
    }
    if (filter != NONE) {
        hop(sim, i, server, filter, "to the spam filter", on_filter_arrive);
    } else if (N(sim, server)->kind == NODE_INCOMING) {
        hop(sim, i, server, store, "to the mail store", on_store_arrive);
    } else {
        /* Local delivery: the outgoing server already carried it to the store. */
        on_store_arrive(sim->eng, sim, i);
    }
}

/* ---- the spam filter ---- */

static void on_filter_done(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    Inbound *in = &sim->inbound[i];
    const FilterCfg *cfg = &N(sim, in->filter)->u.filter;
    const Msg *m = &sim->msgs[in->msg];
    Bayes *bayes = sim->nodes[in->filter].bayes;
    SpamInput input = { .subject = sim_str(sim, m->subject),
                        .body = sim_msg_body(sim, in->msg),
                        .sender = sim_str(sim, m->sender),
                        .has_date = m->has_date,
                        .relay_rdns = in->relay_rdns,
                        .relay_in_sbl = in->spam }; /* `spam` carries the SBL result until now */
    SpamResult res;
    if (sim_tracing(sim)) {
        spam_score(cfg, sim->sp, bayes, &input, &res);
    } else {
        spam_judge(cfg, sim->sp, bayes, &input, &res);
    }
    in->spam = res.is_spam;
    sim_emit(sim, TK_SPAM, in->filter, NONE, (int32_t)in->msg, TRACE_NO_TIME, res.status, res.tests_scored,
             res.score_milli, cfg->required_milli, res.is_spam ? 1 : 0, 0);
    char line[512];
    if (sim_tracing(sim)) {
        if (res.is_spam) {
            sim_add_header(sim, in->msg, in->filter, "X-Spam-Flag: YES");
        }
        snprintf(line, sizeof line, "X-Spam-Status: %s", res.status);
        sim_add_header(sim, in->msg, in->filter, line);
    }
    bool learned = res.autolearn >= 0 && bayes_learn(bayes, m->serial, input.subject, input.body,
                                                     input.sender, res.autolearn == 1);
    if (learned && sim_tracing(sim)) {
        snprintf(line, sizeof line, "auto-learned as %s (Bayes now knows %u spam, %u ham)",
                 res.autolearn ? "spam" : "ham", bayes_spam_count(bayes), bayes_ham_count(bayes));
        sim_emit(sim, TK_LEARN, in->filter, NONE, (int32_t)in->msg, TRACE_NO_TIME, line, NULL, 0, 0,
                 (uint8_t)res.autolearn, 0);
    }
    hop(sim, i, in->filter, in->store, res.is_spam ? "to the mail store (Junk)" : "to the mail store",
        on_store_arrive);
}

static void scan(Sim *sim, uint32_t i)
{
    const Inbound *in = &sim->inbound[i];
    engine_schedule_in(sim->eng, N(sim, in->filter)->u.filter.scan_us, on_filter_done, sim, i);
}

void store_sbl_answer(Sim *sim, uint32_t owner, const DnsAnswer *ans)
{
    sim->inbound[owner].spam =
        ans->rcode == RCODE_NOERROR && ans->count > 0 && (ans->rr[0].addr >> 24) == 127;
    scan(sim, owner);
}

static void on_filter_arrive(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    Inbound *in = &sim->inbound[i];
    if (sim->nodes[in->filter].down) {
        engine_schedule_in(eng, BLOCKED_RETRY_US, on_filter_arrive, sim, i);
        return;
    }
    const FilterCfg *cfg = &N(sim, in->filter)->u.filter;
    in->spam = false;
    if (cfg->sbl_zone != STR_EMPTY && cfg->resolver != NONE) {
        relay_lookup(sim, LOOK_SBL, i, in->filter, cfg->resolver,
                     dns_reverse_name(sim->sp, in->relay_ip, cfg->sbl_zone), QTYPE_A,
                     (int32_t)in->msg);
        return;
    }
    scan(sim, i);
}

/* ---- the mail store ---- */

static void mailbox_add(Mailbox *mb, const MailItem *item)
{
    if (mb->item_count == mb->item_cap) {
        assert(mb->item_cap < UINT32_MAX / 2);
        mb->item_cap = mb->item_cap ? mb->item_cap * 2 : 1;
        mb->items = xrealloc(mb->items, mb->item_cap * sizeof *mb->items);
    }
    mb->items[mb->item_count++] = *item;
}

static bool has_unfetched(const Sim *sim, int32_t client)
{
    int32_t mb = sim->nodes[client].mailbox;
    if (mb == NONE) {
        return false;
    }
    bool pop3 = N(sim, client)->u.client.access == ACCESS_POP3;
    const Mailbox *box = &sim->mailboxes[mb];
    for (size_t k = 0; k < box->item_count; k++) {
        const MailItem *it = &box->items[k];
        if (!it->fetched && !it->deleted && (!pop3 || it->folder == FOLDER_INBOX)) {
            return true;
        }
    }
    return false;
}

static void on_deliver(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    const Inbound in = sim->inbound[i];
    inbound_free(sim, i);
    const Msg *m = &sim->msgs[in.msg];
    char line[400];
    if (sim_tracing(sim)) {
        snprintf(line, sizeof line, "Return-Path: <%s>", sim_str(sim, m->sender));
        sim_add_header(sim, in.msg, in.store, line);
    }
    for (uint32_t r = m->rcpt_first; r < m->rcpt_first + m->rcpt_count; r++) {
        Rcpt *rc = &sim->rcpts[r];
        if (rc->inbound != (int32_t)i || rc->state == RS_DELIVERED) {
            continue;
        }
        rc->inbound = NONE;
        int32_t mbi = rc->mailbox;
        assert(mbi != NONE && sim->mailboxes[mbi].store == in.store);
        Mailbox *mb = &sim->mailboxes[mbi];
        TraceFolder folder = in.spam ? FOLDER_JUNK : FOLDER_INBOX;
        MailItem item = { .msg = in.msg, .rcpt = r, .folder = (uint8_t)folder, .filter = in.filter };
        if (mb->keep_items) {
            mailbox_add(mb, &item);
            sim_msg_hold(sim, in.msg); /* for as long as the item is in the mailbox */
        }
        mb->used_bytes += m->size_bytes;
        rc->state = RS_DELIVERED;
        if (sim_tracing(sim)) {
            snprintf(line, sizeof line, "Delivered-To: %s", sim_str(sim, rc->addr));
            sim_add_header(sim, in.msg, in.store, line);
        }
        sim_emit(sim, TK_DELIVER, in.store, NONE, (int32_t)in.msg, TRACE_NO_TIME,
                 folder == FOLDER_JUNK ? "filed in Junk" : "filed in Inbox", sim_str(sim, rc->addr),
                 0, 0, (uint8_t)folder, 0);
        if (mb->client != NONE) {
            if (N(sim, mb->client)->u.client.idle && !sim->nodes[mb->client].fetching) {
                store_client_fetch(sim, mb->client);
            } else {
                store_arm_poll(sim, mb->client);
            }
        }
    }
    sim_msg_release(sim, in.msg); /* store_accept's */
}

static void on_store_arrive(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    int32_t store = sim->inbound[i].store;
    if (sim->nodes[store].down) {
        engine_schedule_in(eng, BLOCKED_RETRY_US, on_store_arrive, sim, i);
        return;
    }
    engine_schedule_in(eng, N(sim, store)->u.store.deliver_us, on_deliver, sim, i);
}

/* ---- clients reading mail (IMAP, RFC 9051; POP3, RFC 1939) ---- */

typedef enum {
    FP_LOGIN,      /* IMAP LOGIN / POP3 USER */
    FP_PASS,       /* POP3 PASS */
    FP_SELECT,     /* IMAP SELECT INBOX / POP3 STAT */
    FP_FETCH,      /* IMAP FETCH / POP3 RETR, one per new message in the folder */
    FP_DELE,       /* POP3 DELE after each RETR */
    FP_SELECT_JUNK,
    FP_FETCH_JUNK,
    FP_LOGOUT,
    FP_DONE,
} FetchPhase;

static void on_fetch_server(Engine *eng, void *obj, uint64_t arg);
static void on_fetch_client(Engine *eng, void *obj, uint64_t arg);

static const char *local_part(const Sim *sim, StrId addr, char *buf, size_t size)
{
    const char *a = sim_str(sim, addr), *at = strchr(a, '@');
    snprintf(buf, size, "%.*s", at ? (int)(at - a) : (int)strlen(a), a);
    return buf;
}

/* Next new message of `folder` in the client's mailbox, or NONE. */
static int32_t next_item(const Sim *sim, int32_t client, TraceFolder folder)
{
    const Mailbox *mb = &sim->mailboxes[sim->nodes[client].mailbox];
    for (size_t k = 0; k < mb->item_count; k++) {
        const MailItem *it = &mb->items[k];
        if (!it->fetched && !it->deleted && it->folder == folder) {
            return (int32_t)k;
        }
    }
    return NONE;
}

/* Sequence number of item k in its folder (deleted items excluded), as IMAP/POP3 number them. */
static uint32_t seq_of(const Sim *sim, int32_t client, int32_t k)
{
    const Mailbox *mb = &sim->mailboxes[sim->nodes[client].mailbox];
    uint32_t n = 0;
    for (int32_t j = 0; j <= k; j++) {
        n += !mb->items[j].deleted && mb->items[j].folder == mb->items[k].folder;
    }
    return n;
}

static uint32_t folder_count(const Sim *sim, int32_t client, TraceFolder folder)
{
    const Mailbox *mb = &sim->mailboxes[sim->nodes[client].mailbox];
    uint32_t n = 0;
    for (size_t k = 0; k < mb->item_count; k++) {
        n += !mb->items[k].deleted && mb->items[k].folder == folder;
    }
    return n;
}

/* Picks the next phase after `p`, skipping what has nothing to do. */
static FetchPhase advance(const Sim *sim, int32_t client, FetchPhase p)
{
    bool pop3 = N(sim, client)->u.client.access == ACCESS_POP3;
    switch (p) {
    case FP_LOGIN: return pop3 ? FP_PASS : FP_SELECT;
    case FP_PASS: return FP_SELECT;
    case FP_SELECT:
    case FP_DELE:
        return next_item(sim, client, FOLDER_INBOX) != NONE ? FP_FETCH
               : pop3                                       ? FP_LOGOUT
               : next_item(sim, client, FOLDER_JUNK) != NONE ? FP_SELECT_JUNK
                                                             : FP_LOGOUT;
    case FP_FETCH:
        if (pop3) {
            return FP_DELE;
        }
        return advance(sim, client, FP_SELECT);
    case FP_SELECT_JUNK:
    case FP_FETCH_JUNK:
        return next_item(sim, client, FOLDER_JUNK) != NONE ? FP_FETCH_JUNK : FP_LOGOUT;
    case FP_LOGOUT:
    case FP_DONE: return FP_DONE;
    }
    return FP_DONE;
}

/* The client's command for the current phase. */
static void fetch_command(Sim *sim, int32_t client, char *line, size_t size)
{
    NodeState *st = &sim->nodes[client];
    const ClientCfg *c = &N(sim, client)->u.client;
    bool pop3 = c->access == ACCESS_POP3;
    char user[128];
    local_part(sim, c->address, user, sizeof user);
    uint32_t tag = ++st->fetch_tag;
    if (st->fetch_phase != FP_DELE) {
        st->fetch_item = NONE; /* DELE names the message the RETR before it downloaded */
    }
    switch ((FetchPhase)st->fetch_phase) {
    case FP_LOGIN:
        if (pop3) {
            snprintf(line, size, "USER %s", user);
        } else {
            snprintf(line, size, "a%u LOGIN %s ********", tag, user);
        }
        return;
    case FP_PASS: snprintf(line, size, "PASS ********"); return;
    case FP_SELECT:
        snprintf(line, size, pop3 ? "STAT" : "a%u SELECT INBOX", tag);
        return;
    case FP_FETCH:
    case FP_FETCH_JUNK:
        st->fetch_item = next_item(sim, client,
                                   st->fetch_phase == FP_FETCH ? FOLDER_INBOX : FOLDER_JUNK);
        if (pop3) {
            snprintf(line, size, "RETR %u", seq_of(sim, client, st->fetch_item));
        } else {
            snprintf(line, size, "a%u FETCH %u (BODY[])", tag, seq_of(sim, client, st->fetch_item));
        }
        return;
    case FP_DELE: snprintf(line, size, "DELE %u", seq_of(sim, client, st->fetch_item)); return;
    case FP_SELECT_JUNK: snprintf(line, size, "a%u SELECT Junk", tag); return;
    case FP_LOGOUT: snprintf(line, size, pop3 ? "QUIT" : "a%u LOGOUT", tag); return;
    case FP_DONE: assert(0); return;
    }
}

static void fetch_send(Sim *sim, int32_t client)
{
    char line[256];
    fetch_command(sim, client, line, sizeof line);
    int32_t store = N(sim, client)->u.client.store;
    int64_t arrive = engine_now(sim->eng) + sim_link_delay(sim, client, store, 40);
    sim_emit(sim, TK_FETCH, client, store, NONE, arrive, line, NULL, 0, 0, 0, 0);
    engine_schedule(sim->eng, arrive, on_fetch_server, sim, (uint64_t)client);
}

/* The store answers the client's command; a FETCH/RETR reply carries the message itself. */
static void on_fetch_server(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    int32_t client = (int32_t)arg;
    NodeState *st = &sim->nodes[client];
    const ClientCfg *c = &N(sim, client)->u.client;
    bool pop3 = c->access == ACCESS_POP3;
    Mailbox *mb = &sim->mailboxes[st->mailbox];
    char line[512];
    int64_t bytes = 60;
    int32_t msg = NONE;
    const char *user = NULL;
    uint32_t tag = st->fetch_tag;
    switch ((FetchPhase)st->fetch_phase) {
    case FP_LOGIN:
        snprintf(line, sizeof line, pop3 ? "+OK" : "a%u OK LOGIN completed", tag);
        break;
    case FP_PASS: snprintf(line, sizeof line, "+OK Logged in."); break;
    case FP_SELECT:
        if (pop3) {
            snprintf(line, sizeof line, "+OK %u %lld", folder_count(sim, client, FOLDER_INBOX),
                     (long long)mb->used_bytes);
        } else {
            snprintf(line, sizeof line, "* %u EXISTS\na%u OK [READ-WRITE] SELECT completed",
                     folder_count(sim, client, FOLDER_INBOX), tag);
        }
        break;
    case FP_SELECT_JUNK:
        snprintf(line, sizeof line, "* %u EXISTS\na%u OK [READ-WRITE] SELECT completed",
                 folder_count(sim, client, FOLDER_JUNK), tag);
        break;
    case FP_FETCH:
    case FP_FETCH_JUNK: {
        MailItem *it = &mb->items[st->fetch_item];
        const Msg *m = &sim->msgs[it->msg];
        it->fetched = true;
        msg = (int32_t)it->msg;
        user = sim_str(sim, sim->rcpts[it->rcpt].addr);
        bytes = m->size_bytes;
        if (pop3) {
            snprintf(line, sizeof line, "+OK %lld octets (message follows)", (long long)m->size_bytes);
        } else {
            snprintf(line, sizeof line, "* %u FETCH (BODY[] {%lld})\na%u OK FETCH completed",
                     seq_of(sim, client, st->fetch_item), (long long)m->size_bytes, tag);
        }
        break;
    }
    case FP_DELE: {
        /* POP3 clients by default remove what they downloaded; the server expunges at QUIT
         * (RFC 1939 UPDATE state), so message numbers stay stable during the session. */
        mb->items[st->fetch_item].dele = true;
        snprintf(line, sizeof line, "+OK Marked to be deleted.");
        break;
    }
    case FP_LOGOUT:
        for (size_t k = 0; k < mb->item_count; k++) {
            if (mb->items[k].dele && !mb->items[k].deleted) {
                mb->items[k].deleted = true;
                mb->used_bytes -= sim->msgs[mb->items[k].msg].size_bytes;
            }
        }
        snprintf(line, sizeof line,
                 pop3 ? "+OK Logging out, messages deleted." : "* BYE Logging out\na%u OK LOGOUT completed", tag);
        break;
    case FP_DONE: assert(0); return;
    }
    int32_t store = c->store;
    int64_t arrive = engine_now(eng) + sim_link_delay(sim, store, client, bytes);
    sim_emit(sim, TK_FETCH, store, client, msg, arrive, line, user, 0, 0, 1, 0);
    engine_schedule(eng, arrive, on_fetch_client, sim, arg);
}

static void on_fetch_client(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    int32_t client = (int32_t)arg;
    NodeState *st = &sim->nodes[client];
    st->fetch_phase = (uint8_t)advance(sim, client, (FetchPhase)st->fetch_phase);
    if (st->fetch_phase != FP_DONE) {
        fetch_send(sim, client);
        return;
    }
    st->fetching = false;
    if (has_unfetched(sim, client)) {
        store_arm_poll(sim, client);
    }
}

void store_client_fetch(Sim *sim, int32_t client)
{
    NodeState *st = &sim->nodes[client];
    const ClientCfg *c = &N(sim, client)->u.client;
    if (st->fetching || st->mailbox == NONE || c->store == NONE) {
        return;
    }
    if (sim->nodes[c->store].down) {
        store_arm_poll(sim, client); /* the client shows an error and tries at its next check */
        return;
    }
    st->fetching = true;
    st->fetch_phase = FP_LOGIN;
    st->fetch_tag = 0;
    fetch_send(sim, client);
}

static void on_poll(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    sim->nodes[arg].poll_armed = false;
    store_client_fetch(sim, (int32_t)arg);
}

/* Polls are armed only while there is new mail, so an idle classroom scenario ends instead of
 * polling forever; the next check falls on the client's own poll grid (phase + k x interval). */
void store_arm_poll(Sim *sim, int32_t client)
{
    NodeState *st = &sim->nodes[client];
    int64_t poll = N(sim, client)->u.client.poll_us;
    if (poll <= 0 || st->poll_armed) {
        return;
    }
    int64_t now = engine_now(sim->eng);
    int64_t k = now < st->poll_phase_us ? 0 : (now - st->poll_phase_us) / poll + 1;
    st->poll_armed = true;
    engine_schedule(sim->eng, st->poll_phase_us + k * poll, on_poll, sim, (uint64_t)client);
}

/* ---- users acting on their mail ---- */

static int32_t find_item(Sim *sim, int32_t mbi, StrId msg_id)
{
    const Mailbox *mb = &sim->mailboxes[mbi];
    for (size_t k = 0; k < mb->item_count; k++) {
        if (!mb->items[k].deleted && sim_msg_id(sim, mb->items[k].msg) == msg_id) {
            return (int32_t)k;
        }
    }
    return NONE;
}

static void mark(Sim *sim, const Action *a, int32_t mbi, bool spam)
{
    Mailbox *mb = &sim->mailboxes[mbi];
    const char *user = sim_str(sim, a->name);
    char text[512];
    int32_t k = find_item(sim, mbi, a->msg);
    if (k == NONE) {
        snprintf(text, sizeof text, "%s clicks \"%s\" on %s, but it is not in the mailbox", user,
                 spam ? "spam" : "not spam", sim_str(sim, a->msg));
        sim_emit(sim, TK_ACTION, mb->client, NONE, NONE, TRACE_NO_TIME, text, "mark", 0, 0, 0, 0);
        return;
    }
    MailItem *it = &mb->items[k];
    TraceFolder to = spam ? FOLDER_JUNK : FOLDER_INBOX;
    int64_t arrive = engine_now(sim->eng) + (mb->client != NONE ? sim_link_delay(sim, mb->client, mb->store, 60) : 0);
    it->folder = (uint8_t)to;
    snprintf(text, sizeof text, "%s marks it as %s", user, spam ? "spam" : "not spam");
    sim_emit(sim, TK_MOVE, mb->client != NONE ? mb->client : mb->store, mb->store, (int32_t)it->msg,
             mb->client != NONE ? arrive : TRACE_NO_TIME, text, user, 0, 0, (uint8_t)to, 0);
    Bayes *bayes = it->filter != NONE ? sim->nodes[it->filter].bayes : NULL;
    const Msg *m = &sim->msgs[it->msg];
    if (bayes && bayes_learn(bayes, m->serial, sim_str(sim, m->subject), sim_msg_body(sim, it->msg),
                             sim_str(sim, m->sender), spam)) {
        snprintf(text, sizeof text, "%s's click teaches the filter: learned as %s (Bayes now knows %u spam, %u ham)",
                 user, spam ? "spam" : "ham", bayes_spam_count(bayes), bayes_ham_count(bayes));
        sim_emit(sim, TK_LEARN, it->filter, NONE, (int32_t)it->msg, TRACE_NO_TIME, text, NULL, 0, 0,
                 spam ? 1 : 0, 0);
    }
}

static void delete_mail(Sim *sim, const Action *a, int32_t mbi)
{
    Mailbox *mb = &sim->mailboxes[mbi];
    const char *user = sim_str(sim, a->name);
    char text[512];
    int64_t freed = 0;
    if (a->msg != STR_EMPTY) {
        int32_t k = find_item(sim, mbi, a->msg);
        if (k != NONE) {
            mb->items[k].deleted = true;
            freed = sim->msgs[mb->items[k].msg].size_bytes;
        }
    } else {
        freed = a->bytes < mb->used_bytes ? a->bytes : mb->used_bytes;
    }
    mb->used_bytes -= freed;
    if (mb->quota_bytes > 0) {
        snprintf(text, sizeof text, "%s deletes old mail, freeing %lld bytes (mailbox now %lld of %lld bytes)",
                 user, (long long)freed, (long long)mb->used_bytes, (long long)mb->quota_bytes);
    } else {
        snprintf(text, sizeof text, "%s deletes mail, freeing %lld bytes", user, (long long)freed);
    }
    sim_emit(sim, TK_ACTION, mb->client, NONE, NONE, TRACE_NO_TIME, text, "delete", 0, 0, 0, 0);
}

void store_user_action(Sim *sim, const Action *a)
{
    int32_t mbi = sim_mailbox_of(sim, a->name);
    if (mbi == NONE) {
        return; /* the loader guarantees the user has a mailbox */
    }
    switch (a->kind) {
    case ACT_MARK_SPAM: mark(sim, a, mbi, true); break;
    case ACT_MARK_NOT_SPAM: mark(sim, a, mbi, false); break;
    case ACT_DELETE: delete_mail(sim, a, mbi); break;
    case ACT_FETCH:
        if (sim->mailboxes[mbi].client != NONE) {
            store_client_fetch(sim, sim->mailboxes[mbi].client);
        }
        break;
    default: assert(0); break;
    }
}
