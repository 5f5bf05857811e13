/* sim_verify: the address verifier (see sim_verify.h).
 *
 * One address at a time per verifier, as a polite verifier goes: the verdict on one comes before
 * the next probe starts. What each answer means is the table of verdicts in
 * docs/scenario-format.md ("verify"): a 5.1.x refusal, bad syntax, NXDOMAIN or a null MX make an
 * address invalid; a full mailbox, or a server that also takes the made-up address (a catch-all),
 * make it risky; a temporary answer (greylisting), a refused or silent server, or a refusal of the
 * verifier itself (5.7.x: a blocklist) leave it unknown.
 */
#include "model/sim_verify.h"

#include "model/sim_lookup.h"
#include "model/sim_session.h"
#include "mail/address.h"

#include <stdio.h>
#include <string.h>

/* Between one verdict and the next probe. */
#define VERIFY_GAP_US (500 * US_PER_MS)
/* The size a probe's MAIL FROM stands for: a small message, so that a mailbox already at its
 * quota counts as full. Nothing of it is ever sent. */
#define PROBE_SIZE_BYTES 600

static void probe(Sim *sim, int32_t client, uint32_t k);

static const ClientCfg *cfg(const Sim *sim, int32_t client)
{
    return &sim_node(sim, client)->u.client;
}

static uint64_t probe_arg(int32_t client, uint32_t k)
{
    return (uint64_t)(uint32_t)client << 32 | k;
}

static void on_probe(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    probe(obj, (int32_t)(arg >> 32), (uint32_t)arg);
}

void verify_schedule(Sim *sim)
{
    for (uint32_t i = 0; i < sim->w->node_count; i++) {
        const WorldNode *n = &sim->w->nodes[i];
        if (n->kind == NODE_CLIENT && n->u.client.verify_count > 0) {
            engine_schedule(sim->eng, n->u.client.verify_at_us, on_probe, sim,
                            probe_arg((int32_t)i, 0));
        }
    }
}

/* Records the verdict on address k (msg: its probe, or NONE) and schedules the next address. */
static void give_verdict(Sim *sim, int32_t client, uint32_t k, int32_t msg, TraceVerifyVerdict v,
                         const char *why, const char *status)
{
    const char *addr = sim_str(sim, cfg(sim, client)->verify[k]);
    char text[1024];
    text[0] = '\0';
    if (sim_tracing(sim)) {
        /* Names the address and the verdict, so expectations and questions can match it. */
        snprintf(text, sizeof text, "%s: %s \u2014 %s", addr, trace_verify_name(v), why);
    }
    sim_emit(sim, .kind = TK_VERIFY, .from = client, .to = NONE, .msg = msg,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = addr,
             .num2 = status ? trace_dsn_pack(status) : 0, .sub = (uint8_t)v);
    if (k + 1 < cfg(sim, client)->verify_count) {
        engine_schedule_in(sim->eng, VERIFY_GAP_US, on_probe, sim, probe_arg(client, k + 1));
    }
}

/* A verdict reached before any session got going: the probe's session record, used to carry the
 * look-ups, is freed with it. */
static void end_early(Sim *sim, uint32_t s, TraceVerifyVerdict v, const char *why,
                      const char *status)
{
    const Session *se = &sim->sessions[s];
    give_verdict(sim, se->client, se->verify_index, (int32_t)se->msg, v, why, status);
    session_free(sim, s);
}

/* ---- the SMTP probe ---- */

static void on_failed(Sim *sim, uint32_t s, const char *why)
{
    char text[700];
    snprintf(text, sizeof text, "no SMTP answer to go on: %s", why);
    end_early(sim, s, VERIFY_UNKNOWN, text, "4.4.1");
}

/* What a refusal of the address at RCPT (or of the whole transaction at MAIL) says about it. */
static TraceVerifyVerdict verdict_of_refusal(const char *status)
{
    if (strcmp(status, "5.2.2") == 0 || strcmp(status, "4.2.2") == 0) {
        return VERIFY_RISKY; /* it exists, but nothing fits in it now */
    }
    if (status[0] == '4' || strncmp(status, "5.7.", 4) == 0) {
        return VERIFY_UNKNOWN; /* "later", or a refusal of the verifier itself */
    }
    return VERIFY_INVALID;
}

/* The transaction is over (before DATA, always): judge the address by the two RCPT replies. */
static void on_ended(Sim *sim, uint32_t s)
{
    const Session *se = &sim->sessions[s];
    StrId addr = cfg(sim, se->client)->verify[se->verify_index];
    const Rcpt *real = NULL, *fake = NULL;
    for (uint32_t i = se->rcpt_first; i < se->rcpt_first + se->rcpt_count; i++) {
        if (sim->rcpts[i].addr == addr && !real) {
            real = &sim->rcpts[i];
        } else {
            fake = &sim->rcpts[i];
        }
    }
    char why[700];
    int32_t client = se->client, msg = (int32_t)se->msg;
    uint32_t k = se->verify_index;
    if (real->txn == TXN_RCPT_OK && fake->txn == TXN_RCPT_OK) {
        snprintf(why, sizeof why, "accepted, but so is the made-up <%s>: a catch-all domain "
                                  "accepts every address, so this says nothing",
                 sim_str(sim, fake->addr));
        give_verdict(sim, client, k, msg, VERIFY_RISKY, why, "2.1.5");
        return;
    }
    if (real->txn == TXN_RCPT_OK && fake->txn == TXN_PERMANENT) {
        snprintf(why, sizeof why, "accepted at RCPT TO, and the made-up <%s> was refused",
                 sim_str(sim, fake->addr));
        give_verdict(sim, client, k, msg, VERIFY_DELIVERABLE, why, "2.1.5");
        return;
    }
    if (real->txn == TXN_RCPT_OK) {
        snprintf(why, sizeof why, "accepted, but the made-up <%s> got no clear answer: a "
                                  "catch-all cannot be ruled out",
                 sim_str(sim, fake->addr));
        give_verdict(sim, client, k, msg, VERIFY_UNKNOWN, why, "2.1.5");
        return;
    }
    if (real->txn == TXN_NONE || real->txn_status == STR_EMPTY) {
        give_verdict(sim, client, k, msg, VERIFY_UNKNOWN, "the server never answered for it", NULL);
        return;
    }
    const char *status = sim_str(sim, real->txn_status);
    snprintf(why, sizeof why, "%s", sim_str(sim, real->txn_diag ? real->txn_diag : real->txn_reply));
    give_verdict(sim, client, k, msg, verdict_of_refusal(status), why, status);
}

static const SessionHandlers VERIFY_SESSION = {
    .failed = on_failed,
    .greeted = NULL,
    .accepted = NULL, /* never reached: a probe sends no DATA */
    .ended = on_ended,
};

/* ---- DNS ---- */

static void a_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = &sim->sessions[s];
    char why[400];
    if (ans->rcode == RCODE_SERVFAIL || ans->rcode == RCODE_TIMEOUT) {
        snprintf(why, sizeof why, "the address of %s could not be looked up (%s): try again later",
                 sim_str(sim, se->server_host), trace_rcode_name(ans->rcode));
        end_early(sim, s, VERIFY_UNKNOWN, why, "4.4.3");
        return;
    }
    if (ans->rcode != RCODE_NOERROR || ans->count == 0) {
        snprintf(why, sizeof why, "its mail server %s has no address",
                 sim_str(sim, se->server_host));
        end_early(sim, s, VERIFY_INVALID, why, "5.4.4");
        return;
    }
    se->server_ip = ans->rr[0].addr;
    session_connect(sim, s, sim_incoming_at(sim, se->server_ip), 25);
}

static void mx_answer(Sim *sim, uint32_t s, const DnsAnswer *ans)
{
    Session *se = &sim->sessions[s];
    StrId domain = sim->rcpts[se->rcpt_first].domain;
    char why[400];
    switch (ans->rcode) {
    case RCODE_SERVFAIL:
    case RCODE_TIMEOUT:
        snprintf(why, sizeof why, "DNS could not answer for %s (%s): try again later",
                 sim_str(sim, domain), trace_rcode_name(ans->rcode));
        end_early(sim, s, VERIFY_UNKNOWN, why, "4.4.3");
        return;
    case RCODE_NXDOMAIN:
        snprintf(why, sizeof why, "the domain %s does not exist (NXDOMAIN)", sim_str(sim, domain));
        end_early(sim, s, VERIFY_INVALID, why, "5.4.4");
        return;
    default: break;
    }
    if (ans->null_mx) {
        /* RFC 7505 §4.2's code for an address at a domain that takes no mail. */
        snprintf(why, sizeof why, "%s takes no mail: its MX is the null MX \".\" (RFC 7505)",
                 sim_str(sim, domain));
        end_early(sim, s, VERIFY_INVALID, why, "5.1.10");
        return;
    }
    DnsAnswer mx = *ans;
    if (mx.count == 0) {
        mx.count = 1; /* the implicit MX: the domain itself (RFC 5321 §5.1) */
        mx.rr[0] = (DnsRR){ .host = domain };
    }
    dns_sort_mx(&mx, &sim->rng);
    se->server_host = mx.rr[0].host;
    lookup_start(sim, a_answer, s, se->client, cfg(sim, se->client)->resolver, se->server_host,
                 QTYPE_A, (int32_t)se->msg);
}

/* ---- one address ---- */

static void probe(Sim *sim, int32_t client, uint32_t k)
{
    const ClientCfg *c = cfg(sim, client);
    const char *addr = sim_str(sim, c->verify[k]);
    char why[200], text[260];
    if (!address_check(addr, why, sizeof why)) {
        snprintf(text, sizeof text, "bad syntax: %s", why);
        give_verdict(sim, client, k, NONE, VERIFY_INVALID, text, NULL);
        return;
    }
    /* The made-up address beside it: random enough that no real mailbox has it. */
    char local[24];
    snprintf(local, sizeof local, "x%012llx",
             (unsigned long long)(rng_next_u64(&sim->rng) & 0xffffffffffffULL));
    StrId rcpts[2] = { c->verify[k],
                       strpool_internf(sim->sp, "%s@%s", local, world_domain_of(addr)) };
    sim->stats_probes++;
    StrId id = strpool_internf(sim->sp, "probe%u", sim->stats_probes);
    StrId subject = strpool_intern(sim->sp, "(an address probe: never sent)");
    uint32_t m = sim_new_msg(sim, id, 0, c->address, subject, STR_EMPTY, PROBE_SIZE_BYTES, client,
                             NONE, rcpts, 2, true);
    uint32_t s = session_new(sim, m);
    Session *se = &sim->sessions[s];
    se->mode = MODE_VERIFY;
    se->on = &VERIFY_SESSION;
    se->client = client;
    se->server = NONE;
    se->rcpt_first = sim->msgs[m].rcpt_first;
    se->rcpt_count = sim->msgs[m].rcpt_count;
    se->final_server = true; /* a 4xx is the answer: a verifier tries no backup MX */
    se->verify_index = k;
    se->vrfy = c->vrfy;
    lookup_start(sim, mx_answer, s, client, c->resolver, sim->rcpts[se->rcpt_first].domain,
                 QTYPE_MX, (int32_t)m);
}
