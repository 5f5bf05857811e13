/* sim_relay: an outgoing server's delivery attempt to a remote domain (see sim_relay.h). Owns the
 * MX and A look-ups of the attempt and the choice of the next MX host; does not own the SMTP
 * dialogue (sim_session.c), the queue (sim_queue.c) nor the incoming side (sim_inbound.c).
 */
#include "model/sim_relay.h"

#include "model/sim_inbound.h"
#include "model/sim_lookup.h"
#include "model/sim_session.h"

static void next_mx(Sim *sim, uint32_t s);

static Session *S(Sim *sim, uint32_t s)
{
    return &sim->sessions[s];
}

/* The attempt ends before any transaction: every pending recipient gets the same mark. */
static void fail_attempt(Sim *sim, uint32_t s, RcptTxn txn, StrId reason, StrId status)
{
    const Session *se = S(sim, s);
    uint32_t d = se->delivery;
    StrId remote = se->server_host;
    AttemptDone done = se->attempt_done;
    session_free(sim, s);
    const Delivery *dl = &sim->deliveries[d];
    sim_rcpts_mark(sim, dl->rcpt_first, dl->rcpt_count, txn, reason, status);
    done(sim, d, remote);
}

/* ---- what the session reports ---- */

/* This MX host could not be reached or would not talk: note why and try the next. */
static void on_session_failed(Sim *sim, uint32_t s, const char *why)
{
    Session *se = S(sim, s);
    se->fail_reason = strpool_intern(sim->sp, why);
    se->mx_index++;
    next_mx(sim, s);
}

/* The incoming server took the message: it goes on through its filter into its store. */
static void on_session_accepted(Sim *sim, uint32_t s)
{
    const Session *se = S(sim, s);
    const WorldNode *cl = sim_node(sim, se->client);
    const IncomingCfg *in = &sim_node(sim, se->server)->u.in;
    inbound_accept(sim, se->msg, se->delivery, se->server, in->filter, in->store, cl->ip,
                   cl->u.out.rdns);
}

static void on_session_ended(Sim *sim, uint32_t s)
{
    const Session *se = S(sim, s);
    se->attempt_done(sim, se->delivery, se->server_host);
}

static const SessionHandlers RELAY_SESSION = {
    .failed = on_session_failed,
    .accepted = on_session_accepted,
    .ended = on_session_ended,
};

/* ---- the MX walk ---- */

static StrId name_error(Sim *sim, StrId name, const char *type, bool try_again)
{
    return strpool_internf(sim->sp,
                           "Host or domain name not found. Name service error for name=%s type=%s: "
                           "Host not found%s",
                           sim_str(sim, name), type, try_again ? ", try again" : "");
}

static void mx_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    const Delivery *dl = &sim->deliveries[se->delivery];
    switch (ans->rcode) {
    case RCODE_SERVFAIL:
    case RCODE_TIMEOUT:
        fail_attempt(sim, s, TXN_TRANSIENT, name_error(sim, dl->domain, "MX", true),
                     strpool_intern(sim->sp, "4.4.3"));
        return;
    case RCODE_NXDOMAIN:
        fail_attempt(sim, s, TXN_PERMANENT, name_error(sim, dl->domain, "MX", false),
                     strpool_intern(sim->sp, "5.4.4"));
        return;
    default: break;
    }
    if (ans->null_mx) {
        fail_attempt(sim, s, TXN_PERMANENT,
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

static void a_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
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
    session_connect(sim, s, sim_incoming_at(sim, se->server_ip), 25);
}

/* Tries the next MX host of the attempt, or defers when none is left (a sender should try at
 * least two before deferring; Postfix tries up to smtp_mx_address_limit = 5). */
static void next_mx(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const OutgoingCfg *o = &sim_node(sim, se->client)->u.out;
    if (se->mx_index >= se->mx.count || se->mx_tried >= o->max_mx_tries) {
        fail_attempt(sim, s, TXN_TRANSIENT,
                     se->fail_reason ? se->fail_reason
                                     : strpool_intern(sim->sp, "no MX host answered"),
                     strpool_intern(sim->sp, "4.4.1"));
        return;
    }
    se->server_host = se->mx.rr[se->mx_index].host;
    lookup_start(sim, a_answer, s, se->client, o->resolver, se->server_host, QTYPE_A,
                 (int32_t)se->msg);
}

void relay_start(Sim *sim, uint32_t d, AttemptDone done)
{
    const Delivery *dl = &sim->deliveries[d];
    uint32_t s = session_new(sim, dl->msg);
    Session *se = S(sim, s);
    se->mode = MODE_RELAY;
    se->on = &RELAY_SESSION;
    se->delivery = d;
    se->attempt_done = done;
    se->rcpt_first = dl->rcpt_first;
    se->rcpt_count = dl->rcpt_count;
    se->client = dl->server;
    se->server = NONE;
    lookup_start(sim, mx_answer, s, dl->server, sim_node(sim, dl->server)->u.out.resolver,
                 dl->domain, QTYPE_MX, (int32_t)dl->msg);
}
