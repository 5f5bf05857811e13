/* sim: a run of the mail model (see sim.h) — creating the run-time state from the world, the
 * scripted actions (sending, outages, DNS failures, and handing user actions on), the run loop
 * and the captions. Owns the Sim's lifetime and nothing of the mail flow itself: that is in the
 * parts sim_core.h lists, which this file only starts.
 */
#include "model/captions.h"
#include "model/sim_compose.h"
#include "model/sim_conncache.h"
#include "model/sim_core.h"
#include "model/sim_intervene.h"
#include "model/sim_user.h"
#include "model/sim_verify.h"
#include "util/fmt.h"
#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- setup ---- */

/* A set of domain StrIds: a server checks one per recipient, and a list may hold 200 000. */
static void index_domains(KeyMap *set, const StrId *domains, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (!keymap_has(set, domains[i])) {
            keymap_add(set, domains[i], 0);
        }
    }
}

static void init_nodes(Sim *sim)
{
    const World *w = sim->w;
    sim->nodes = xcalloc(w->node_count ? w->node_count : 1, sizeof *sim->nodes);
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        NodeState *st = &sim->nodes[i];
        st->mailbox = NONE;
        switch (n->kind) {
        case NODE_OUTGOING:
            /* The queue manager started at some moment before the lesson: its scan phase. */
            st->scan_phase_us = n->u.out.retry.queue_run_us > 0
                                    ? rng_range(&sim->rng, 0, n->u.out.retry.queue_run_us - 1)
                                    : 0;
            if (n->u.out.scan_phase_us >= 0 && n->u.out.retry.queue_run_us > 0) {
                /* Stated: drawn all the same, so the rest of the run takes the same course. */
                st->scan_phase_us = n->u.out.scan_phase_us % n->u.out.retry.queue_run_us;
            }
            index_domains(&st->local_domains, n->u.out.local_domains,
                          n->u.out.local_domain_count);
            break;
        case NODE_INCOMING:
            st->greylist = greylist_create();
            index_domains(&st->served, n->u.in.domains, n->u.in.domain_count);
            break;
        case NODE_RESOLVER: st->cache = n->u.res.cache ? dns_cache_create() : NULL; break;
        case NODE_FILTER:
            st->bayes = n->u.filter.bayes ? bayes_create() : NULL;
            st->lists = spam_lists_create(&n->u.filter, w->strings);
            break;
        case NODE_CLIENT: {
            int32_t mb = sim_mailbox_of(sim, n->u.client.address);
            if (mb != NONE && sim->mailboxes[mb].store == n->u.client.store) {
                st->mailbox = mb;
                sim->mailboxes[mb].client = (int32_t)i;
            }
            st->poll_phase_us =
                n->u.client.poll_us > 0 ? rng_range(&sim->rng, 0, n->u.client.poll_us - 1) : 0;
            break;
        }
        default: break;
        }
    }
}

/* Sets keep_items on every mailbox whose items are ever read: those a client reads, and those a
 * scripted user action finds by address (user_act). */
static void mark_watched_mailboxes(Sim *sim)
{
    for (size_t i = 0; i < sim->mailbox_count; i++) {
        sim->mailboxes[i].keep_items = sim->mailboxes[i].client != NONE;
    }
    for (uint32_t i = 0; i < sim->w->action_count; i++) {
        const Action *a = &sim->w->actions[i];
        bool user = a->kind == ACT_MARK_SPAM || a->kind == ACT_MARK_NOT_SPAM ||
                    a->kind == ACT_DELETE || a->kind == ACT_FETCH;
        int32_t mb = user ? sim_mailbox_of(sim, a->name) : NONE;
        if (mb != NONE) {
            sim->mailboxes[mb].keep_items = true;
        }
    }
}

static void init_trace(Sim *sim, uint64_t seed)
{
    const World *w = sim->w;
    Trace *tr = sim->trace;
    StrPool *tp = trace_strings(tr);
    trace_set_meta(tr, sim_str(sim, w->name), sim_str(sim, w->title), sim_str(sim, w->lesson),
                   seed);
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        char ip[16] = "";
        if (n->ip) {
            world_format_ip(n->ip, ip);
        }
        TraceNode tn = { .name = strpool_intern(tp, sim_str(sim, n->name)),
                         .label = strpool_intern(tp, sim_str(sim, n->label)),
                         .ip = strpool_intern(tp, ip),
                         .kind = n->kind,
                         .has_pos = n->has_pos,
                         .x = n->x,
                         .y = n->y };
        trace_add_node(tr, &tn);
    }
    for (uint32_t i = 0; i < w->link_count; i++) {
        TraceLink tl = { w->links[i].a, w->links[i].b, w->links[i].latency_us };
        trace_add_link(tr, &tl);
    }
}

static void on_action(Engine *eng, void *obj, uint64_t arg);

Sim *sim_create(World *w, const SimOptions *opt)
{
    Sim *sim = xcalloc(1, sizeof *sim);
    SimOptions defaults = { 0 };
    opt = opt ? opt : &defaults;
    sim->w = w;
    sim->sp = w->strings;
    sim->eng = engine_create(1024);
    uint64_t seed = opt->seed_set ? opt->seed : w->seed;
    rng_seed(&sim->rng, seed);
    sim->max_events = opt->max_events;
    sim->max_trace_events = opt->max_trace_events;
    sim->session_free = sim->lookup_free = sim->inbound_free = sim->delivery_free = NONE;
    sim->msg_free = NONE;
    for (size_t i = 0; i <= SIM_RCPT_REUSE_MAX; i++) {
        sim->rcpt_free[i] = NONE;
    }
    sim->dns = dns_db_create(w);
    sim_index_world(sim);
    init_nodes(sim);
    sim->action_over = xcalloc(w->action_count ? w->action_count : 1, sizeof *sim->action_over);
    mark_watched_mailboxes(sim);
    if (!opt->no_trace) {
        sim->trace = trace_create();
        init_trace(sim, seed);
    }
    for (uint32_t i = 0; i < w->action_count; i++) {
        const Action *a = &w->actions[i];
        if (a->kind == ACT_DNS_FAILURE) {
            dns_db_add_failure(sim->dns, a->name, a->rcode, a->at_us, a->until_us);
        }
    }
    intervene_prepare_dns(sim);
    /* Actions are sorted by time: only the next one is pending at any moment, so a million
     * scripted sends cost one heap entry, not a million. */
    if (w->action_count > 0) {
        engine_schedule(sim->eng, w->actions[0].at_us, on_action, sim, 0);
    }
    verify_schedule(sim);
    return sim;
}

void sim_destroy(Sim *sim)
{
    if (!sim) {
        return;
    }
    for (uint32_t i = 0; i < sim->w->node_count; i++) {
        NodeState *st = &sim->nodes[i];
        greylist_destroy(st->greylist);
        free(st->script_hits);
        dns_cache_destroy(st->cache);
        bayes_destroy(st->bayes);
        spam_lists_destroy(st->lists);
        keymap_free(&st->served);
        keymap_free(&st->local_domains);
        free(st->outages);
        free(st->wait_queue);
    }
    for (size_t i = 0; i < sim->mailbox_count; i++) {
        free(sim->mailboxes[i].items);
    }
    for (size_t i = 0; i < sim->msg_count; i++) {
        free(sim->msgs[i].own_body); /* NULL in free slots (sim_msg_release) */
    }
    free(sim->nodes);
    free(sim->action_over);
    free(sim->msgs);
    free(sim->rcpts);
    free(sim->deliveries);
    free(sim->sessions);
    free(sim->lookups);
    free(sim->inbound);
    conncache_free(sim);
    free(sim->mailboxes);
    free(sim->mailbox_index);
    pairmap_free(&sim->links);
    free(sim->ip_index);
    free(sim->domain_cache);
    dns_db_destroy(sim->dns);
    engine_destroy(sim->eng);
    trace_destroy(sim->trace);
    free(sim);
}

/* ---- actions ---- */

static const char *outage_mode_text(OutageMode m)
{
    return m == OUTAGE_TIMEOUT ? "silent: connections time out" : "connections refused";
}

/* The end of outage action `arg`. The node comes back up only when no other outage covers it;
 * otherwise it stays down in the mode of the latest-started outage still on. The event says
 * "outage_end" either way, one per "outage", so a viewer counting them sees the node down while
 * any is on. */
static void on_outage_end(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    int32_t node = sim->w->actions[arg].node;
    NodeState *st = &sim->nodes[node];
    if (sim->action_over[arg]) {
        return; /* ended early by an outage_end action (sim_intervene.c) */
    }
    sim->action_over[arg] = true;
    while (st->outage_count > 0 && sim->action_over[st->outages[st->outage_count - 1]]) {
        st->outage_count--;
    }
    char text[256];
    if (st->outage_count == 0) {
        st->down = false;
        snprintf(text, sizeof text, "%s is back up", sim_node_name(sim, node));
    } else {
        st->mode = sim->w->actions[st->outages[st->outage_count - 1]].mode;
        snprintf(text, sizeof text,
                 "An outage of %s ends, but another still covers it: it stays down (%s)",
                 sim_node_name(sim, node), outage_mode_text(st->mode));
    }
    sim_emit(sim, .kind = TK_ACTION, .from = node, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = "outage_end");
}

/* The end of dns_failure action `arg`; another failure window may still cover the name (dns.h:
 * the latest-started one wins), and then the event says so. */
static void on_dns_failure_end(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    const Action *a = &sim->w->actions[arg];
    char text[512];
    TraceRcode still;
    if (sim->action_over[arg]) {
        return; /* ended early by a dns_failure_end action (sim_intervene.c) */
    }
    if (dns_db_failing(sim->dns, a->name, engine_now(sim->eng), &still)) {
        snprintf(text, sizeof text, "A DNS failure for %s ends, but another still covers it (%s)",
                 sim_str(sim, a->name), trace_rcode_name(still));
    } else {
        snprintf(text, sizeof text, "The DNS servers for %s answer again", sim_str(sim, a->name));
    }
    sim_emit(sim, .kind = TK_ACTION, .from = NONE, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = "dns_failure_end");
}

static void until_text(const Sim *sim, const Action *a, char *buf, size_t size)
{
    (void)sim;
    char clock[32];
    if (a->until_us == INT64_MAX) {
        snprintf(buf, size, "for good");
    } else {
        snprintf(buf, size, "until %s", fmt_clock(a->until_us, clock, sizeof clock));
    }
}

static void do_send(Sim *sim, const Action *a)
{
    compose_send(sim, a->spec, sim->w->specs[a->spec].one_per_recipient ? 1 : 0);
}

/* Outage action `index` begins: it covers the node until it ends (on_outage_end), whatever
 * other outages begin or end meanwhile; while it is the latest begun, its mode holds. */
static void do_outage(Sim *sim, const Action *a, uint32_t index)
{
    NodeState *st = &sim->nodes[a->node];
    if (st->outage_count == st->outage_cap) {
        st->outages = xgrow(st->outages, &st->outage_cap, st->outage_count + 1,
                            sizeof *st->outages);
    }
    st->outages[st->outage_count++] = index;
    st->down = true;
    st->mode = a->mode;
    char text[512], until[64];
    until_text(sim, a, until, sizeof until);
    snprintf(text, sizeof text, "%s goes down (%s) %s", sim_node_name(sim, a->node),
             outage_mode_text(a->mode), until);
    sim_emit(sim, .kind = TK_ACTION, .from = a->node, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = "outage");
    if (a->until_us != INT64_MAX) {
        engine_schedule(sim->eng, a->until_us, on_outage_end, sim, index);
    }
}

static void do_dns_failure(Sim *sim, const Action *a, uint32_t index)
{
    char text[512], until[64];
    until_text(sim, a, until, sizeof until);
    const char *what = a->rcode == RCODE_SERVFAIL   ? "fail (SERVFAIL)"
                       : a->rcode == RCODE_TIMEOUT  ? "stop answering (timeouts)"
                                                    : "say the name does not exist (NXDOMAIN)";
    snprintf(text, sizeof text, "The DNS servers for %s %s %s", sim_str(sim, a->name), what, until);
    sim_emit(sim, .kind = TK_ACTION, .from = NONE, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = "dns_failure");
    if (a->until_us != INT64_MAX) {
        engine_schedule(sim->eng, a->until_us, on_dns_failure_end, sim, index);
    }
}

static void on_action(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    const Action *a = &sim->w->actions[arg];
    if (arg + 1 < sim->w->action_count) {
        engine_schedule(eng, sim->w->actions[arg + 1].at_us, on_action, sim, arg + 1);
    }
    switch (a->kind) {
    case ACT_SEND: do_send(sim, a); break;
    case ACT_OUTAGE: do_outage(sim, a, (uint32_t)arg); break;
    case ACT_DNS_FAILURE: do_dns_failure(sim, a, (uint32_t)arg); break;
    case ACT_MARK_SPAM:
    case ACT_MARK_NOT_SPAM:
    case ACT_DELETE:
    case ACT_FETCH: user_act(sim, a); break;
    case ACT_OUTAGE_END:
    case ACT_DNS_FAILURE_END:
    case ACT_MAILBOX_FULL:
    case ACT_MAILBOX_FREE:
    case ACT_BLOCKLIST_ADD:
    case ACT_BLOCKLIST_REMOVE: intervene_act(sim, a, (uint32_t)arg); break;
    case ACT_KIND_COUNT: assert(0); break;
    }
}

/* ---- captions ---- */

/* The scenario's caption rules on the finished trace (model/captions.h: linear in events plus
 * rules). */
static void apply_captions(Sim *sim)
{
    captions_apply(sim->w, sim->trace);
}

/* ---- the run ---- */

/* Recipients of freed messages were counted into `settled` as they went; the rest belong to the
 * messages still held (refs > 0; a free slot has none). */
static void count_outcomes(Sim *sim)
{
    uint64_t n[RS_DROPPED + 1];
    memcpy(n, sim->settled, sizeof n);
    for (size_t m = 0; m < sim->msg_count; m++) {
        const Msg *msg = &sim->msgs[m];
        uint32_t end = msg->refs > 0 ? msg->rcpt_first + msg->rcpt_count : msg->rcpt_first;
        for (uint32_t i = msg->rcpt_first; i < end; i++) {
            n[sim->rcpts[i].state]++;
        }
    }
    sim->stats.delivered = n[RS_DELIVERED];
    sim->stats.bounced = n[RS_BOUNCED];
    sim->stats.dropped = n[RS_DROPPED];
    sim->stats.deferred = n[RS_PENDING] + n[RS_SENT];
}

void sim_run(Sim *sim)
{
    int64_t horizon = sim->w->horizon_us;
    uint64_t limit = sim->max_events;
    while (engine_pending(sim->eng) > 0) {
        if (engine_next_time(sim->eng) > horizon) {
            sim->stats.hit_horizon = true;
            break;
        }
        if (limit && engine_fired(sim->eng) >= limit) {
            sim->stats.hit_event_limit = true;
            break;
        }
        if (sim->trace && sim->max_trace_events &&
            trace_count(sim->trace) >= sim->max_trace_events) {
            sim->stats.hit_trace_limit = true;
            break;
        }
        sim->stats.course = (sim->stats.course ^ (uint64_t)engine_next_time(sim->eng)) *
                            HASH_FNV_PRIME; /* FNV-1a, a word at a time */
        engine_step(sim->eng);
    }
    /* The last step may have recorded past the limit with nothing left to do: the trace is over
     * it all the same. */
    if (sim->trace && sim->max_trace_events && trace_count(sim->trace) > sim->max_trace_events) {
        sim->stats.hit_trace_limit = true;
    }
    sim->stats.events = engine_fired(sim->eng);
    sim->stats.end_us = engine_now(sim->eng);
    count_outcomes(sim);
    if (sim->trace) {
        apply_captions(sim);
        trace_shrink(sim->trace);
    }
}

const SimStats *sim_stats(const Sim *sim)
{
    return &sim->stats;
}

const Trace *sim_trace(const Sim *sim)
{
    return sim->trace;
}

Trace *sim_take_trace(Sim *sim)
{
    Trace *tr = sim->trace;
    sim->trace = NULL;
    return tr;
}

/* ---- the early estimate ---- */

/* What composing one message records at once (compose_send): the compose event; From, To,
 * Subject, Message-ID and MIME-Version; Date unless the client forgets it; one header per
 * attachment; the hand-over's first step (a connection attempt, or the hop into the maildrop). */
static uint64_t compose_trace_events(const MessageSpec *s)
{
    return 7u + (s->no_date ? 0u : 1u) + s->attachment_count;
}

uint64_t sim_min_trace_events(const World *w)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < w->action_count; i++) {
        const Action *a = &w->actions[i];
        if (a->kind != ACT_SEND || a->at_us > w->horizon_us) {
            continue;
        }
        const MessageSpec *s = &w->specs[a->spec];
        uint64_t copies = s->one_per_recipient ? s->to_count : 1;
        if (s->one_per_recipient && s->every_us > 0) {
            /* Copy k is composed at at + (k - 1) * every: only those by the horizon count. */
            uint64_t by_horizon = (uint64_t)((w->horizon_us - a->at_us) / s->every_us) + 1;
            copies = by_horizon < copies ? by_horizon : copies;
        }
        total += copies * compose_trace_events(s);
    }
    return total;
}

Trace *sim_run_world(World *w, const SimOptions *opt)
{
    Sim *sim = sim_create(w, opt);
    sim_run(sim);
    Trace *tr = sim_take_trace(sim);
    sim_destroy(sim);
    return tr;
}
