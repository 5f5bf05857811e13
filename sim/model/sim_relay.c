/* sim_relay: an outgoing server's delivery attempt to a remote domain (see sim_relay.h). Owns the
 * MX and address look-ups of the attempt, the walk over the addresses and what ends it; does not
 * own the SMTP dialogue (sim_session.c), the queue (sim_queue.c) nor the incoming side
 * (sim_inbound.c).
 *
 * The walk is Postfix's (smtp_connect.c, smtp_addr.c): look up the MX hosts, then the addresses
 * of every one of them, in preference order; try the addresses one after another, at most
 * smtp_mx_address_limit of them and at most smtp_mx_session_limit sessions that got past EHLO.
 * A refused or timed-out connection moves on to the next address; so does a session that left
 * recipients undecided (a 4xx from a server that is not the last: the backup gets them).
 */
#include "model/sim_relay.h"

#include "model/sim_conncache.h"
#include "model/sim_inbound.h"
#include "model/sim_lookup.h"
#include "model/sim_session.h"

#include "mail/message.h"

#include <stdio.h>
#include <string.h>

/* Postfix's SMTP client reports a null MX (RFC 7505) with status 5.1.0 (smtp_addr.c,
 * DNS_NULLMX), not the X.1.10 that RFC 7505 §4.2 suggests. */
#define NULL_MX_STATUS "5.1.0"

static void next_addr(Sim *sim, uint32_t s);
static void next_host(Sim *sim, uint32_t s);

static Session *S(Sim *sim, uint32_t s)
{
    return &sim->sessions[s];
}

static const OutgoingCfg *out_cfg(Sim *sim, uint32_t s)
{
    return &sim_node(sim, S(sim, s)->client)->u.out;
}

/* The attempt is over: the recipients no server decided get `txn` with the reason, and the
 * queue is told. */
static void end_attempt(Sim *sim, uint32_t s, RcptTxn txn, StrId reason, StrId status)
{
    const Session *se = S(sim, s);
    uint32_t d = se->delivery;
    StrId remote = se->server_host;
    AttemptDone done = se->attempt_done;
    conncache_end(sim, se->dest);
    session_free(sim, s);
    const Delivery *dl = &sim->deliveries[d];
    sim_rcpts_mark(sim, dl->rcpt_first, dl->rcpt_count, txn, reason, status);
    done(sim, d, remote, true);
}

/* Recipients of the attempt that no server has decided yet. */
static bool undecided_left(Sim *sim, uint32_t s)
{
    const Session *se = S(sim, s);
    for (uint32_t i = se->rcpt_first; i < se->rcpt_first + se->rcpt_count; i++) {
        if (sim->rcpts[i].state == RS_PENDING && sim->rcpts[i].txn == TXN_NONE) {
            return true;
        }
    }
    return false;
}

/* ---- what the session reports ---- */

/* This address could not be reached or would not talk: note why and try the next. */
static void on_session_failed(Sim *sim, uint32_t s, const char *why)
{
    Session *se = S(sim, s);
    char status[16];
    se->fail_reason = strpool_intern(sim->sp, why);
    /* A connection that failed is 4.4.1 (Postfix's dsb_simple in smtp_connect_addr); a 421
     * greeting carries its own code. A 5xx greeting only skips this server
     * (smtp_skip_5xx_greeting = yes): its status is made a 4 (smtp_proto.c). */
    const char *said = strstr(why, "refused to talk to me: ");
    if (said) {
        char buf[16];
        snprintf(status, sizeof status, "%s",
                 message_status_of(said + strlen("refused to talk to me: "), "4.4.1", buf));
        status[0] = '4';
    }
    se->fail_status = strpool_intern(sim->sp, said ? status : "4.4.1");
    se->addr_index++;
    next_addr(sim, s);
}

/* The session is up. It counts towards the session limit, and the client reads the server's
 * EHLO SIZE: a message bigger than that is not offered at all (Postfix's smtp_proto.c: status
 * 5.3.4, no MAIL). A server that offers no SIZE is sent the message. */
static bool on_session_greeted(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const OutgoingCfg *o = out_cfg(sim, s);
    se->sess_count++;
    if (o->mx_session_limit > 0 && se->sess_count >= o->mx_session_limit) {
        se->final_server = true;
    }
    const WorldNode *srv = sim_node(sim, se->server);
    int64_t size = sim->msgs[se->msg].size_bytes;
    if (!o->checks_size || srv->kind != NODE_INCOMING || !srv->u.in.advertise_size ||
        size <= srv->u.in.size_limit_bytes) {
        return true;
    }
    char ip[16];
    world_format_ip(se->server_ip, ip);
    StrId why = strpool_internf(sim->sp, "message size %lld exceeds size limit %lld of server %s[%s]",
                                (long long)size, (long long)srv->u.in.size_limit_bytes,
                                sim_str(sim, se->server_host), ip);
    sim_rcpts_mark(sim, se->rcpt_first, se->rcpt_count, TXN_PERMANENT, why,
                   strpool_intern(sim->sp, "5.3.4"));
    return false;
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

/* The transaction is over and this session says QUIT. Recipients it left undecided go to the
 * next address, in a new session of the same attempt; otherwise the attempt is over. */
static void on_session_ended(Sim *sim, uint32_t s)
{
    const Session *se = S(sim, s);
    bool more = !se->final_server && se->addr_index + 1 < se->addr_count;
    if (!more || !undecided_left(sim, s)) {
        /* Anything still undecided (nothing is, normally: the last server's 4xx decides) is
         * deferred with the last error, Postfix's fallback text when there is none. */
        const Delivery *dl = &sim->deliveries[se->delivery];
        sim_rcpts_mark(sim, dl->rcpt_first, dl->rcpt_count, TXN_TRANSIENT,
                       se->fail_reason ? se->fail_reason
                                       : strpool_intern(sim->sp, "server unavailable or unable to receive mail"),
                       se->fail_status ? se->fail_status : strpool_intern(sim->sp, "4.3.0"));
        se = S(sim, s);
        conncache_end(sim, se->dest);
        if (se->cache_store && conncache_park(sim, se->dest, s)) {
            S(sim, s)->keep_open = true;
        }
        se = S(sim, s);
        se->attempt_done(sim, se->delivery, se->server_host, true);
        return;
    }
    /* Those already taken are settled now, as Postfix logs them at the end of each session. */
    se->attempt_done(sim, se->delivery, se->server_host, false);
    Session carry = *S(sim, s);
    uint32_t s2 = session_new(sim, carry.msg);
    Session *n = S(sim, s2);
    n->mode = MODE_RELAY;
    n->on = carry.on;
    n->delivery = carry.delivery;
    n->attempt_done = carry.attempt_done;
    n->rcpt_first = carry.rcpt_first;
    n->rcpt_count = carry.rcpt_count;
    n->client = carry.client;
    n->server = NONE;
    n->mx = carry.mx;
    n->mx_index = carry.mx_index;
    memcpy(n->addrs, carry.addrs, sizeof n->addrs);
    n->addr_count = carry.addr_count;
    n->addr_index = carry.addr_index + 1;
    n->sess_count = carry.sess_count;
    n->dns_soft = carry.dns_soft;
    n->dest = carry.dest;
    n->cache_store = carry.cache_store;
    n->fail_reason = carry.fail_reason;
    n->fail_status = carry.fail_status;
    next_addr(sim, s2);
}

static const SessionHandlers RELAY_SESSION = {
    .failed = on_session_failed,
    .greeted = on_session_greeted,
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
        end_attempt(sim, s, TXN_TRANSIENT, name_error(sim, dl->domain, "MX", true),
                    strpool_intern(sim->sp, "4.4.3"));
        return;
    case RCODE_NXDOMAIN:
        end_attempt(sim, s, TXN_PERMANENT, name_error(sim, dl->domain, "MX", false),
                    strpool_intern(sim->sp, "5.4.4"));
        return;
    default: break;
    }
    if (ans->null_mx) {
        /* RFC 7505: the sender does not connect at all. The text and status are those of
         * Postfix's SMTP client (dns_lookup.c, smtp_addr.c: DNS_NULLMX is status 5.1.0); no
         * server said anything, so there is no reply code. */
        end_attempt(sim, s, TXN_PERMANENT,
                    strpool_internf(sim->sp, "Domain %s does not accept mail (nullMX)",
                                    sim_str(sim, dl->domain)),
                    strpool_intern(sim->sp, NULL_MX_STATUS));
        return;
    }
    se->mx = *ans;
    if (ans->count == 0) {
        /* No MX but the name exists: the implicit MX is the domain itself (RFC 5321 §5.1). */
        se->mx.count = 1;
        se->mx.rr[0] = (DnsRR){ 0, dl->domain, 0, STR_EMPTY };
    }
    dns_sort_mx(&se->mx, &sim->rng);
    se->mx_index = 0;
    se->addr_count = 0;
    se->fail_reason = STR_EMPTY;
    se->fail_status = STR_EMPTY;
    next_host(sim, s);
}

/* The addresses of one MX host, in the order of the answer, up to the address limit. */
static void a_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = S(sim, s);
    StrId host = se->mx.rr[se->mx_index].host;
    if (ans->rcode != RCODE_NOERROR || ans->count == 0) {
        bool soft = ans->rcode == RCODE_SERVFAIL || ans->rcode == RCODE_TIMEOUT;
        /* A soft error dominates past and future hard ones (smtp_addr.c). */
        se->dns_soft = se->dns_soft || soft;
        se->fail_reason = name_error(sim, host, "A", soft);
        se->fail_status = strpool_intern(sim->sp, se->dns_soft ? "4.4.3" : "5.4.4");
    }
    /* smtp_randomize_addresses = yes: a host's addresses are tried in random order (Postfix
     * shuffles all addresses of equal preference; the hosts themselves are shuffled already). */
    uint32_t start = se->addr_count;
    for (uint32_t i = 0; ans->rcode == RCODE_NOERROR && i < ans->count; i++) {
        if (se->addr_count < SESSION_MAX_ADDRS) {
            se->addrs[se->addr_count++] = (SessionAddr){ host, ans->rr[i].addr };
        }
    }
    for (uint32_t i = se->addr_count - start; i > 1; i--) {
        uint32_t j = (uint32_t)rng_below(&sim->rng, i);
        SessionAddr t = se->addrs[start + i - 1];
        se->addrs[start + i - 1] = se->addrs[start + j];
        se->addrs[start + j] = t;
    }
    se->mx_index++;
    next_host(sim, s);
}

/* Looks up the next MX host's addresses; with all of them known, starts connecting. When no
 * host has an address, Postfix bounces (5.4.4) unless a look-up failed only for now (4.4.3) or
 * smtp_defer_if_no_mx_address_found is set (4.4.4). */
static void next_host(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    const OutgoingCfg *o = out_cfg(sim, s);
    if (se->mx_index < se->mx.count) {
        lookup_start(sim, a_answer, s, se->client, o->resolver, se->mx.rr[se->mx_index].host,
                     QTYPE_A, (int32_t)se->msg);
        return;
    }
    uint32_t limit = o->max_mx_tries < SESSION_MAX_ADDRS ? o->max_mx_tries : SESSION_MAX_ADDRS;
    if (limit > 0 && se->addr_count > limit) {
        se->addr_count = limit;
    }
    if (se->addr_count > 0) {
        se->addr_index = 0;
        next_addr(sim, s);
        return;
    }
    if (se->dns_soft) {
        end_attempt(sim, s, TXN_TRANSIENT, se->fail_reason, strpool_intern(sim->sp, "4.4.3"));
    } else if (o->defer_if_no_mx_address) {
        end_attempt(sim, s, TXN_TRANSIENT, se->fail_reason, strpool_intern(sim->sp, "4.4.4"));
    } else {
        end_attempt(sim, s, TXN_PERMANENT, se->fail_reason, strpool_intern(sim->sp, "5.4.4"));
    }
}

/* Connects to the next address of the attempt, or ends the attempt when none is left: the
 * recipients still undecided are deferred with the attempt's last error. */
static void next_addr(Sim *sim, uint32_t s)
{
    Session *se = S(sim, s);
    if (se->addr_index >= se->addr_count) {
        end_attempt(sim, s, TXN_TRANSIENT,
                    se->fail_reason ? se->fail_reason : strpool_intern(sim->sp, "no MX host answered"),
                    se->fail_status ? se->fail_status : strpool_intern(sim->sp, "4.4.1"));
        return;
    }
    const SessionAddr *a = &se->addrs[se->addr_index];
    se->server_host = a->host;
    se->server_ip = a->ip;
    se->final_server = se->addr_index + 1 >= se->addr_count;
    session_connect(sim, s, sim_incoming_at(sim, a->ip), 25);
}

/* The attempt goes over a session to the destination that an earlier delivery left open: no
 * look-ups, no connection, RSET then MAIL. It is the attempt's only server (Postfix would fall
 * back to a fresh MX walk; with one cached session per destination that is rare). */
static void reuse_session(Sim *sim, uint32_t s, uint32_t d, AttemptDone done, uint32_t dest)
{
    const Delivery *dl = &sim->deliveries[d];
    Session *se = S(sim, s);
    se->delivery = d;
    se->attempt_done = done;
    se->rcpt_first = dl->rcpt_first;
    se->rcpt_count = dl->rcpt_count;
    se->dest = dest;
    se->cache_store = true;
    se->final_server = true;
    se->addrs[0] = (SessionAddr){ se->server_host, se->server_ip };
    se->addr_count = 1;
    se->addr_index = 0;
    se->sess_count = 0;
    se->fail_reason = STR_EMPTY;
    se->fail_status = STR_EMPTY;
    session_reuse(sim, s, dl->msg);
}

void relay_start(Sim *sim, uint32_t d, AttemptDone done)
{
    const Delivery *dl = &sim->deliveries[d];
    bool store;
    uint32_t dest = conncache_begin(sim, dl->server, dl->domain, &store);
    int32_t idle = conncache_take(sim, dest);
    if (idle != NONE) {
        reuse_session(sim, (uint32_t)idle, d, done, dest);
        return;
    }
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
    se->dest = dest;
    se->cache_store = store;
    lookup_start(sim, mx_answer, s, dl->server, sim_node(sim, dl->server)->u.out.resolver,
                 dl->domain, QTYPE_MX, (int32_t)dl->msg);
}
