/* sim_lookup: DNS look-ups through resolvers, with the asker's completion handler (see
 * sim_lookup.h). Owns the look-up records and their timing; does not own the DNS data (dns.c)
 * nor what any answer leads to (the handler's business).
 */
#include "model/sim_lookup.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct Lookup {
    bool live;
    LookupHandler done;
    uint32_t owner;       /* passed to `done` */
    int32_t asker, resolver;
    StrId name;
    TraceQtype qtype;
    int32_t msg;          /* Msg it is for, or NONE */
    DnsAnswer ans;
    bool cached;
    int32_t next_free;
};

static uint32_t lookup_new(Sim *sim)
{
    void *items = sim->lookups;
    uint32_t l = sim_pool_take(&items, &sim->lookup_count, &sim->lookup_cap, &sim->lookup_free,
                               sizeof(Lookup), offsetof(Lookup, next_free));
    sim->lookups = items;
    sim->lookups[l].live = true;
    return l;
}

/* The answer is at the asker: the slot is freed first, so the handler may start a new look-up. */
static void on_lookup_done(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    Lookup lk = sim->lookups[arg];
    sim->lookups[arg].live = false;
    sim_pool_give(sim->lookups, &sim->lookup_free, sizeof(Lookup), offsetof(Lookup, next_free),
                  (uint32_t)arg);
    lk.done(sim, lk.owner, &lk.ans);
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
    sim_emit(sim, .kind = TK_DNS, .from = lk->resolver, .to = lk->asker, .msg = lk->msg,
             .arrive_us = arrive, .text = text, .aux = sim_str(sim, lk->name),
             .num = (int32_t)lk->qtype, .num2 = (int32_t)lk->ans.rcode, .sub = TRACE_ANSWER,
             .flags = lk->cached ? TRACE_F_CACHED : 0);
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
    sim_emit(sim, .kind = TK_DNS, .from = lk->resolver, .to = lk->asker, .msg = lk->msg,
             .arrive_us = TRACE_NO_TIME, .text = "no answer (timeout)",
             .aux = sim_str(sim, lk->name), .num = (int32_t)lk->qtype, .num2 = RCODE_TIMEOUT,
             .sub = TRACE_ANSWER);
    on_lookup_done(sim->eng, sim, arg);
}

void lookup_start(Sim *sim, LookupHandler done, uint32_t owner, int32_t asker, int32_t resolver,
                  StrId name, TraceQtype qtype, int32_t msg)
{
    uint32_t l = lookup_new(sim);
    Lookup *lk = &sim->lookups[l];
    lk->done = done;
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
    sim_emit(sim, .kind = TK_DNS, .from = asker, .to = resolver, .msg = msg, .arrive_us = arrive,
             .text = text, .aux = sim_str(sim, name), .num = (int32_t)qtype, .sub = TRACE_ASK);
    const ResolverCfg *rc = &sim_node(sim, resolver)->u.res;
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
