/* sim_fetch: clients reading mail over IMAP (RFC 9051) or POP3 (RFC 1939), see sim_fetch.h.
 * Owns the fetch session's phases and the poll timer; does not own the mailboxes, which it reads
 * (and for POP3 expunges at QUIT) but never fills.
 */
#include "model/sim_fetch.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

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

/* Is there mail the client has not downloaded yet (POP3 sees only the Inbox)? */
static bool has_unfetched(const Sim *sim, int32_t client)
{
    int32_t mb = sim->nodes[client].mailbox;
    if (mb == NONE) {
        return false;
    }
    bool pop3 = sim_node(sim, client)->u.client.access == ACCESS_POP3;
    const Mailbox *box = &sim->mailboxes[mb];
    for (size_t k = 0; k < box->item_count; k++) {
        const MailItem *it = &box->items[k];
        if (!it->fetched && !it->deleted && (!pop3 || it->folder == FOLDER_INBOX)) {
            return true;
        }
    }
    return false;
}

/* Picks the next phase after `p`, skipping what has nothing to do. */
static FetchPhase advance(const Sim *sim, int32_t client, FetchPhase p)
{
    bool pop3 = sim_node(sim, client)->u.client.access == ACCESS_POP3;
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
    const ClientCfg *c = &sim_node(sim, client)->u.client;
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
    int32_t store = sim_node(sim, client)->u.client.store;
    int64_t arrive = engine_now(sim->eng) + sim_link_delay(sim, client, store, 40);
    sim_emit(sim, .kind = TK_FETCH, .from = client, .to = store, .msg = NONE, .arrive_us = arrive,
             .text = line, .sub = TRACE_ASK);
    engine_schedule(sim->eng, arrive, on_fetch_server, sim, (uint64_t)client);
}

/* The store answers the client's command; a FETCH/RETR reply carries the message itself. */
static void on_fetch_server(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    int32_t client = (int32_t)arg;
    NodeState *st = &sim->nodes[client];
    const ClientCfg *c = &sim_node(sim, client)->u.client;
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
    sim_emit(sim, .kind = TK_FETCH, .from = store, .to = client, .msg = msg, .arrive_us = arrive,
             .text = line, .aux = user, .sub = TRACE_ANSWER);
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
        fetch_arm_poll(sim, client);
    }
}

void fetch_start(Sim *sim, int32_t client)
{
    NodeState *st = &sim->nodes[client];
    const ClientCfg *c = &sim_node(sim, client)->u.client;
    if (st->fetching || st->mailbox == NONE || c->store == NONE) {
        return;
    }
    if (sim->nodes[c->store].down) {
        fetch_arm_poll(sim, client); /* the client shows an error and tries at its next check */
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
    fetch_start(sim, (int32_t)arg);
}

/* Polls are armed only while there is new mail, so an idle classroom scenario ends instead of
 * polling forever; the next check falls on the client's own poll grid (phase + k x interval). */
void fetch_arm_poll(Sim *sim, int32_t client)
{
    NodeState *st = &sim->nodes[client];
    int64_t poll = sim_node(sim, client)->u.client.poll_us;
    if (poll <= 0 || st->poll_armed) {
        return;
    }
    int64_t now = engine_now(sim->eng);
    int64_t k = now < st->poll_phase_us ? 0 : (now - st->poll_phase_us) / poll + 1;
    st->poll_armed = true;
    engine_schedule(sim->eng, st->poll_phase_us + k * poll, on_poll, sim, (uint64_t)client);
}
