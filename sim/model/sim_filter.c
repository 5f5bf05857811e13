/* sim_filter: a spam filter judging one inbound copy (see sim_filter.h). Owns the reverse (PTR)
 * and SBL look-ups, the verdict's trace and headers and auto-learning; does not own the rules and
 * Bayes arithmetic (spamfilter.c) nor the store the copy goes on to (sim_store.c).
 *
 * Order: the PTR look-up of the relay's IP (RDNS_NONE), then the SBL look-up (RCVD_IN_SBL), then
 * the scan. Inbound.relay_rdns carries the PTR result and Inbound.spam the SBL result until the
 * scan; the relay_rdns given to inbound_accept is not used.
 */
#include "model/sim_filter.h"

#include "model/sim_lookup.h"
#include "model/sim_store.h"

#include <stdio.h>

static void on_filter_done(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    Inbound *in = &sim->inbound[i];
    const FilterCfg *cfg = &sim_node(sim, in->filter)->u.filter;
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
        spam_score(cfg, sim->nodes[in->filter].lists, bayes, &input, &res);
    } else {
        spam_judge(cfg, sim->nodes[in->filter].lists, bayes, &input, &res);
    }
    in->spam = res.is_spam;
    sim_emit(sim, .kind = TK_SPAM, .from = in->filter, .to = NONE, .msg = (int32_t)in->msg,
             .arrive_us = TRACE_NO_TIME, .text = res.status, .aux = res.tests_scored,
             .num = res.score_milli, .num2 = cfg->required_milli,
             .sub = res.is_spam ? VERDICT_SPAM : VERDICT_HAM);
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
        sim_emit(sim, .kind = TK_LEARN, .from = in->filter, .to = NONE, .msg = (int32_t)in->msg,
                 .arrive_us = TRACE_NO_TIME, .text = line,
                 .sub = res.autolearn == 1 ? VERDICT_SPAM : VERDICT_HAM);
    }
    sim_hop(sim, in->msg, in->filter, in->store,
            res.is_spam ? "to the mail store (Junk)" : "to the mail store", store_arrive, i);
}

static void scan(Sim *sim, uint32_t i)
{
    const Inbound *in = &sim->inbound[i];
    engine_schedule_in(sim->eng, sim_node(sim, in->filter)->u.filter.scan_us, on_filter_done, sim,
                       i);
}

/* The SBL's answer about the relay's IP: 127.0.0.x = listed (RFC 5782). */
static void sbl_answer(Sim *sim, uint32_t i, const DnsAnswer *ans)
{
    sim->inbound[i].spam =
        ans->rcode == RCODE_NOERROR && ans->count > 0 && (ans->rr[0].addr >> 24) == 127;
    scan(sim, i);
}

static void check_sbl(Sim *sim, uint32_t i)
{
    Inbound *in = &sim->inbound[i];
    const FilterCfg *cfg = &sim_node(sim, in->filter)->u.filter;
    in->spam = false;
    if (cfg->sbl_zone != STR_EMPTY && cfg->resolver != NONE) {
        lookup_start(sim, sbl_answer, i, in->filter, cfg->resolver,
                     dns_reverse_name(sim->sp, in->relay_ip, cfg->sbl_zone), QTYPE_A,
                     (int32_t)in->msg);
        return;
    }
    scan(sim, i);
}

/* The PTR answer about the relay's IP: a name, or none (NXDOMAIN, or a failure, which Postfix
 * also records as "unknown"): RDNS_NONE. */
static void ptr_answer(Sim *sim, uint32_t i, const DnsAnswer *ans)
{
    sim->inbound[i].relay_rdns = ans->rcode == RCODE_NOERROR && ans->count > 0;
    check_sbl(sim, i);
}

/* Who asks for the relay's PTR, and through which resolver: the filter through its own resolver,
 * else the accepting server through its resolver (on a real host the filter uses the same
 * resolver as its mail server). False when neither has one: nothing can be looked up. */
static bool ptr_asker(const Sim *sim, const Inbound *in, int32_t *asker, int32_t *resolver)
{
    const WorldNode *filter = sim_node(sim, in->filter), *server = sim_node(sim, in->server);
    if (filter->u.filter.resolver != NONE) {
        *asker = in->filter;
        *resolver = filter->u.filter.resolver;
        return true;
    }
    if (server->kind == NODE_INCOMING && server->u.in.resolver != NONE) {
        *asker = in->server;
        *resolver = server->u.in.resolver;
        return true;
    }
    return false;
}

void filter_arrive(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    Inbound *in = &sim->inbound[i];
    if (sim->nodes[in->filter].down) {
        engine_schedule_in(eng, SIM_BLOCKED_RETRY_US, filter_arrive, sim, i);
        return;
    }
    int32_t asker, resolver;
    if (!ptr_asker(sim, in, &asker, &resolver)) {
        in->relay_rdns = true; /* not checked: RDNS_NONE cannot fire without a look-up */
        check_sbl(sim, i);
        return;
    }
    lookup_start(sim, ptr_answer, i, asker, resolver, world_ptr_name(sim->sp, in->relay_ip),
                 QTYPE_PTR, (int32_t)in->msg);
}
