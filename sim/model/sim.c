/* sim: setting up a run, the shared helpers (timing over links, trace emission, messages), the
 * scripted actions and the run loop (see sim.h, sim_internal.h). SMTP and queues are in
 * sim_relay.c; filtering, storing and reading mail in sim_store.c. */
#include "model/sim_internal.h"
#include "util/fmt.h"

#include "mail/message.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sim_str(const Sim *sim, StrId id)
{
    return strpool_get(sim->sp, id);
}

const char *sim_node_name(const Sim *sim, int32_t node)
{
    return sim_str(sim, sim->w->nodes[node].name);
}

uint32_t sim_record(Sim *sim, TraceKind kind, int32_t from, int32_t to, int32_t msg,
                    int64_t arrive_us, const char *text, const char *aux, int32_t num,
                    int32_t num2, uint8_t sub, uint16_t flags)
{
    assert(sim->trace);
    assert(num2 >= TRACE_NUM2_MIN && num2 <= TRACE_NUM2_MAX);
    StrPool *tp = trace_strings(sim->trace);
    TraceEvent ev = trace_event_init(kind, engine_now(sim->eng));
    ev.from = (int16_t)from;
    ev.to = (int16_t)to;
    ev.msg = msg >= 0 ? sim->msgs[msg].trace_msg : TRACE_NONE;
    ev.arrive_us = arrive_us;
    ev.text = text ? strpool_intern(tp, text) : STR_EMPTY;
    ev.aux = aux ? strpool_intern(tp, aux) : STR_EMPTY;
    ev.num = num;
    ev.num2 = num2;
    ev.sub = sub;
    ev.flags = flags;
    return trace_append(sim->trace, &ev);
}

/* ---- links ---- */

static void index_links(Sim *sim)
{
    for (uint32_t i = 0; i < sim->w->link_count; i++) {
        pairmap_add(&sim->links, sim->w->links[i].a, sim->w->links[i].b, i);
    }
}

const WorldLink *sim_link(const Sim *sim, int32_t a, int32_t b)
{
    int64_t i = pairmap_get(&sim->links, a, b);
    return i >= 0 ? &sim->w->links[i] : &sim->w->default_link;
}

int64_t sim_link_delay(Sim *sim, int32_t a, int32_t b, int64_t bytes)
{
    return sim_link_time(sim, sim_link(sim, a, b), bytes);
}

int64_t sim_link_time(Sim *sim, const WorldLink *l, int64_t bytes)
{
    int64_t d = l->latency_us;
    if (l->jitter_us > 0) {
        d += rng_range(&sim->rng, 0, l->jitter_us);
    }
    if (l->bandwidth_bps > 0 && bytes > 0) {
        d += (bytes * 8 * US_PER_S + l->bandwidth_bps - 1) / l->bandwidth_bps;
    }
    return d;
}

static size_t ip_hash(uint32_t ip, size_t mask)
{
    return (size_t)((ip * 0x9E3779B97F4A7C15ull) >> 24) & mask;
}

static void index_ips(Sim *sim)
{
    size_t size = 16;
    while (size < (size_t)sim->w->node_count * 2 + 2) {
        size *= 2;
    }
    sim->ip_index = xcalloc(size, sizeof *sim->ip_index);
    sim->ip_index_size = size;
    for (uint32_t i = 0; i < sim->w->node_count; i++) {
        const WorldNode *n = &sim->w->nodes[i];
        if (n->kind != NODE_INCOMING || n->ip == 0 || sim_incoming_at(sim, n->ip) != NONE) {
            continue;
        }
        size_t j = ip_hash(n->ip, size - 1);
        while (sim->ip_index[j]) {
            j = (j + 1) & (size - 1);
        }
        sim->ip_index[j] = i + 1;
    }
}

int32_t sim_incoming_at(const Sim *sim, uint32_t ip)
{
    size_t mask = sim->ip_index_size - 1;
    for (size_t j = ip_hash(ip, mask); sim->ip_index[j]; j = (j + 1) & mask) {
        if (sim->w->nodes[sim->ip_index[j] - 1].ip == ip) {
            return (int32_t)sim->ip_index[j] - 1;
        }
    }
    return NONE;
}

/* ---- messages ---- */

void sim_add_header(Sim *sim, uint32_t msg, int32_t node, const char *line)
{
    sim_emit(sim, TK_HEADER, node, NONE, (int32_t)msg, TRACE_NO_TIME, line, NULL, 0, 0, 0, 0);
}

/* The domain of each recipient is interned when its message is composed. A bulk run does that
 * for a million recipients over a thousand domains, and interning anew costs three cache misses
 * in a pool of millions of strings; so recently seen domains are kept in a small two-way
 * set-associative table of short names, compared byte for byte (way 0 is the most recent). */
#define DOMAIN_CACHE_SIZE 4096u /* entries, a power of two: 128 KiB, 2 per set */

struct DomainCacheEntry {
    StrId id;
    uint8_t len_plus_one; /* 0 = empty */
    char name[27];
};

static StrId sim_domain_of(Sim *sim, StrId addr)
{
    const char *d = world_domain_of(sim_str(sim, addr));
    size_t n = strlen(d);
    struct DomainCacheEntry *set = NULL;
    if (n < sizeof set->name) {
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
            h = (h ^ (unsigned char)d[i]) * 16777619u;
        }
        set = &sim->domain_cache[(h & (DOMAIN_CACHE_SIZE / 2 - 1)) * 2];
        for (int way = 0; way < 2; way++) {
            if (set[way].len_plus_one == n + 1 && memcmp(set[way].name, d, n) == 0) {
                return set[way].id;
            }
        }
    }
    StrId id = strpool_intern_n(sim->sp, d, n);
    if (set) {
        set[1] = set[0];
        set[0].id = id;
        set[0].len_plus_one = (uint8_t)(n + 1);
        memcpy(set[0].name, d, n);
    }
    return id;
}

/* Recipients sorted by domain (stable), so each destination's recipients are contiguous and
 * share one SMTP transaction (RFC 5321 §4.5.4.1 / Postfix per-destination delivery). */
static void sort_rcpts_by_domain(Sim *sim, Rcpt *r, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        Rcpt t = r[i];
        uint32_t j = i;
        while (j > 0 && strcmp(sim_str(sim, r[j - 1].domain), sim_str(sim, t.domain)) > 0) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = t;
    }
}

/* A range of n recipient slots: a settled message's range of the same length, or new ones. A
 * free range is linked through its first slot's `inbound`. */
static uint32_t rcpts_take(Sim *sim, uint32_t n)
{
    if (n > 0 && n <= SIM_RCPT_REUSE_MAX && sim->rcpt_free[n] != NONE) {
        uint32_t first = (uint32_t)sim->rcpt_free[n];
        sim->rcpt_free[n] = sim->rcpts[first].inbound;
        return first;
    }
    if (sim->rcpt_count + n > sim->rcpt_cap) {
        sim->rcpts = xgrow(sim->rcpts, &sim->rcpt_cap, sim->rcpt_count + n, sizeof *sim->rcpts);
    }
    uint32_t first = (uint32_t)sim->rcpt_count;
    sim->rcpt_count += n;
    return first;
}

static void rcpts_give(Sim *sim, uint32_t first, uint32_t n)
{
    if (n > 0 && n <= SIM_RCPT_REUSE_MAX) {
        sim->rcpts[first].inbound = sim->rcpt_free[n];
        sim->rcpt_free[n] = (int32_t)first;
    }
}

void sim_msg_hold(Sim *sim, uint32_t msg)
{
    Msg *m = &sim->msgs[msg];
    assert(m->refs < UINT16_MAX);
    m->refs++;
}

void sim_msg_release(Sim *sim, uint32_t msg)
{
    Msg *m = &sim->msgs[msg];
    assert(m->refs > 0);
    if (--m->refs > 0) {
        return;
    }
    for (uint32_t i = m->rcpt_first; i < m->rcpt_first + m->rcpt_count; i++) {
        sim->settled[sim->rcpts[i].state]++;
    }
    rcpts_give(sim, m->rcpt_first, m->rcpt_count);
    free(m->own_body);
    m->own_body = NULL;
    sim_pool_give(sim->msgs, &sim->msg_free, sizeof(Msg), offsetof(Msg, next_free), msg);
}

const char *sim_msg_body(const Sim *sim, uint32_t msg)
{
    const Msg *m = &sim->msgs[msg];
    return m->own_body ? m->own_body : sim_str(sim, m->body);
}

StrId sim_msg_id(Sim *sim, uint32_t msg)
{
    const Msg *m = &sim->msgs[msg];
    return m->copy ? strpool_internf(sim->sp, "%s.%u", sim_str(sim, m->id), m->copy) : m->id;
}

uint32_t sim_new_msg(Sim *sim, StrId id, uint32_t copy, StrId sender, StrId subject,
                     StrId body, int64_t size_bytes, int32_t origin, int32_t parent,
                     const StrId *rcpts, uint32_t rcpt_count, bool has_date)
{
    void *items = sim->msgs;
    uint32_t m = sim_pool_take(&items, &sim->msg_count, &sim->msg_cap, &sim->msg_free,
                               sizeof(Msg), offsetof(Msg, next_free));
    sim->msgs = items;
    uint32_t first = rcpts_take(sim, rcpt_count);
    Msg *msg = &sim->msgs[m];
    msg->serial = (uint32_t)sim->stats.messages;
    msg->id = id;
    msg->copy = copy;
    msg->sender = sender;
    msg->subject = subject;
    msg->body = body;
    msg->size_bytes = size_bytes;
    msg->origin = origin;
    msg->has_date = has_date;
    msg->trace_msg = TRACE_NONE;
    msg->rcpt_first = first;
    msg->rcpt_count = rcpt_count;
    Rcpt *r = &sim->rcpts[first];
    for (uint32_t i = 0; i < rcpt_count; i++) {
        r[i] = (Rcpt){ .addr = rcpts[i],
                       .domain = sim_domain_of(sim, rcpts[i]),
                       .msg = m,
                       .state = RS_PENDING,
                       .inbound = NONE,
                       .mailbox = sim_mailbox_of(sim, rcpts[i]) };
    }
    sort_rcpts_by_domain(sim, r, rcpt_count);
    sim->stats.messages++;
    if (sim->trace) {
        StrPool *tp = trace_strings(sim->trace);
        StrId ids[1024];
        uint32_t n = rcpt_count < 1024 ? rcpt_count : 1024;
        for (uint32_t i = 0; i < n; i++) {
            ids[i] = strpool_intern(tp, sim_str(sim, r[i].addr));
        }
        TraceMsg tm = { .id = strpool_intern(tp, sim_str(sim, sim_msg_id(sim, m))),
                        .sender = strpool_intern(tp, sim_str(sim, sender)),
                        .subject = strpool_intern(tp, sim_str(sim, subject)),
                        .size_bytes = size_bytes,
                        .parent = parent >= 0 ? sim->msgs[parent].trace_msg : TRACE_NONE,
                        .client = origin };
        msg->trace_msg = trace_add_msg(sim->trace, &tm, ids, n);
    }
    sim_emit(sim, TK_COMPOSE, origin, NONE, (int32_t)m, TRACE_NO_TIME, NULL, NULL, 0, 0, 0, 0);
    return m;
}

int32_t sim_mailbox_of(const Sim *sim, StrId addr)
{
    size_t mask = sim->mailbox_index_size - 1;
    for (size_t j = (addr * 2654435761u) & mask; sim->mailbox_index[j]; j = (j + 1) & mask) {
        if (sim->mailboxes[sim->mailbox_index[j] - 1].addr == addr) {
            return (int32_t)sim->mailbox_index[j] - 1;
        }
    }
    return NONE;
}

uint32_t sim_pool_take(void **items, size_t *count, size_t *cap, int32_t *free_head,
                       size_t item_size, size_t next_off)
{
    uint32_t i;
    if (*free_head != NONE) {
        i = (uint32_t)*free_head;
        memcpy(free_head, (char *)*items + i * item_size + next_off, sizeof *free_head);
    } else {
        if (*count == *cap) {
            *items = xgrow(*items, cap, *count + 1, item_size);
        }
        i = (uint32_t)(*count)++;
    }
    char *slot = (char *)*items + i * item_size;
    memset(slot, 0, item_size);
    int32_t none = NONE;
    memcpy(slot + next_off, &none, sizeof none);
    return i;
}

void sim_pool_give(void *items, int32_t *free_head, size_t item_size, size_t next_off, uint32_t i)
{
    memcpy((char *)items + i * item_size + next_off, free_head, sizeof *free_head);
    *free_head = (int32_t)i;
}

/* ---- setup ---- */

static void init_mailboxes(Sim *sim)
{
    const World *w = sim->w;
    size_t n = 0;
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (w->nodes[i].kind == NODE_STORE) {
            n += w->nodes[i].u.store.mailbox_count;
        }
    }
    sim->mailboxes = xcalloc(n ? n : 1, sizeof *sim->mailboxes);
    size_t size = 16;
    while (size < n * 2 + 2) {
        size *= 2;
    }
    sim->mailbox_index = xcalloc(size, sizeof *sim->mailbox_index);
    sim->mailbox_index_size = size;
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *node = &w->nodes[i];
        if (node->kind != NODE_STORE) {
            continue;
        }
        for (uint32_t k = 0; k < node->u.store.mailbox_count; k++) {
            const MailboxCfg *cfg = &node->u.store.mailboxes[k];
            Mailbox *mb = &sim->mailboxes[sim->mailbox_count];
            *mb = (Mailbox){ .store = (int32_t)i,
                             .addr = cfg->address,
                             .quota_bytes = cfg->quota_bytes,
                             .used_bytes = cfg->used_bytes,
                             .client = NONE };
            if (sim_mailbox_of(sim, cfg->address) == NONE) {
                size_t j = (cfg->address * 2654435761u) & (size - 1);
                while (sim->mailbox_index[j]) {
                    j = (j + 1) & (size - 1);
                }
                sim->mailbox_index[j] = (uint32_t)sim->mailbox_count + 1;
            }
            sim->mailbox_count++;
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
            break;
        case NODE_INCOMING: st->greylist = greylist_create(); break;
        case NODE_RESOLVER: st->cache = n->u.res.cache ? dns_cache_create() : NULL; break;
        case NODE_FILTER: st->bayes = n->u.filter.bayes ? bayes_create() : NULL; break;
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
 * scripted user action finds by address (store_user_action). */
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
    sim->domain_cache = xcalloc(DOMAIN_CACHE_SIZE, sizeof *sim->domain_cache);
    index_links(sim);
    index_ips(sim);
    init_mailboxes(sim);
    init_nodes(sim);
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
    /* Actions are sorted by time: only the next one is pending at any moment, so a million
     * scripted sends cost one heap entry, not a million. */
    if (w->action_count > 0) {
        engine_schedule(sim->eng, w->actions[0].at_us, on_action, sim, 0);
    }
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
        dns_cache_destroy(st->cache);
        bayes_destroy(st->bayes);
        free(st->wait_queue);
    }
    for (size_t i = 0; i < sim->mailbox_count; i++) {
        free(sim->mailboxes[i].items);
    }
    for (size_t i = 0; i < sim->msg_count; i++) {
        free(sim->msgs[i].own_body); /* NULL in free slots (sim_msg_release) */
    }
    free(sim->nodes);
    free(sim->msgs);
    free(sim->rcpts);
    free(sim->deliveries);
    free(sim->sessions);
    free(sim->lookups);
    free(sim->inbound);
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

static void on_outage_end(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    int32_t node = (int32_t)arg;
    sim->nodes[node].down = false;
    char text[256];
    snprintf(text, sizeof text, "%s is back up", sim_node_name(sim, node));
    sim_emit(sim, TK_ACTION, node, NONE, NONE, TRACE_NO_TIME, text, "outage_end", 0, 0, 0, 0);
}

static void on_dns_failure_end(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    const Action *a = &sim->w->actions[arg];
    char text[512];
    snprintf(text, sizeof text, "The DNS servers for %s answer again", sim_str(sim, a->name));
    sim_emit(sim, TK_ACTION, NONE, NONE, NONE, TRACE_NO_TIME, text, "dns_failure_end", 0, 0, 0, 0);
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

/* The headers a mail client writes (RFC 5322): From, To, Subject, Date, Message-ID, MIME. */
/* The headers the client writes; `to`/`to_count` are the message's recipients (one, for a
 * copy of a mailing). */
static void add_compose_headers(Sim *sim, uint32_t m, int32_t client, const MessageSpec *s,
                                const StrId *to, uint32_t to_count, StrId from_header,
                                const char *qid)
{
    char line[1024], date[64];
    snprintf(line, sizeof line, "From: %s", sim_str(sim, from_header));
    sim_add_header(sim, m, client, line);
    size_t n = (size_t)snprintf(line, sizeof line, "To: ");
    for (uint32_t i = 0; i < to_count && n < sizeof line; i++) {
        n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", i ? ", " : "",
                              sim_str(sim, to[i]));
    }
    sim_add_header(sim, m, client, line);
    snprintf(line, sizeof line, "Subject: %s", sim_str(sim, s->subject));
    sim_add_header(sim, m, client, line);
    if (!s->no_date) {
        snprintf(line, sizeof line, "Date: %s",
                 message_format_date(engine_now(sim->eng), date, sizeof date));
        sim_add_header(sim, m, client, line);
    }
    snprintf(line, sizeof line, "Message-ID: <%s.%s@%s>", qid, sim_str(sim, sim_msg_id(sim, m)),
             world_domain_of(sim_str(sim, s->from)));
    sim_add_header(sim, m, client, line);
    sim_add_header(sim, m, client, "MIME-Version: 1.0");
    for (uint32_t i = 0; i < s->attachment_count; i++) {
        snprintf(line, sizeof line,
                 "Content-Disposition: attachment; filename=\"%s\" (%lld bytes, base64)",
                 sim_str(sim, s->attachments[i].name), (long long)s->attachments[i].size_bytes);
        sim_add_header(sim, m, client, line);
    }
}

static void on_next_copy(Engine *eng, void *obj, uint64_t arg);

/* Composes and hands over message `spec`: the whole message, or copy k (from 1) of a mailing,
 * after which the next copy is scheduled. */
static void send_spec(Sim *sim, uint32_t spec, uint32_t copy)
{
    const MessageSpec *s = &sim->w->specs[spec];
    int32_t client = world_find_client(sim->w, s->from);
    assert(client >= 0); /* the loader guarantees a client with submit_to */
    const ClientCfg *c = &sim->w->nodes[client].u.client;
    const StrId *to = copy ? &s->to[copy - 1] : s->to;
    uint32_t to_count = copy ? 1 : s->to_count;
    uint32_t m = sim_new_msg(sim, s->id, copy, s->from, s->subject, s->body, s->size_bytes,
                             client, NONE, to, to_count, !s->no_date);
    char qid[16];
    message_queue_id(rng_next_u64(&sim->rng), qid); /* drawn with or without a trace: same course either way */
    if (sim_tracing(sim)) {
        StrId from_header =
            c->display_name ? strpool_internf(sim->sp, "%s <%s>", sim_str(sim, c->display_name),
                                              sim_str(sim, s->from))
                            : s->from;
        add_compose_headers(sim, m, client, s, to, to_count, from_header, qid);
    }
    if (c->pickup) {
        relay_pickup(sim, m, client, c->submit_to);
    } else {
        relay_submit(sim, m, client, c->submit_to);
    }
    if (copy && copy < s->to_count) { /* one pending event per mailing, not one per copy */
        engine_schedule(sim->eng, engine_now(sim->eng) + s->every_us, on_next_copy, sim,
                        (uint64_t)spec << 32 | (copy + 1));
    }
}

static void on_next_copy(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    send_spec(obj, (uint32_t)(arg >> 32), (uint32_t)arg);
}

static void do_send(Sim *sim, const Action *a)
{
    send_spec(sim, a->spec, sim->w->specs[a->spec].one_per_recipient ? 1 : 0);
}

static void do_outage(Sim *sim, const Action *a)
{
    NodeState *st = &sim->nodes[a->node];
    st->down = true;
    st->mode = a->mode;
    char text[512], until[64];
    until_text(sim, a, until, sizeof until);
    snprintf(text, sizeof text, "%s goes down (%s) %s", sim_node_name(sim, a->node),
             outage_mode_text(a->mode), until);
    sim_emit(sim, TK_ACTION, a->node, NONE, NONE, TRACE_NO_TIME, text, "outage", 0, 0, 0, 0);
    if (a->until_us != INT64_MAX) {
        engine_schedule(sim->eng, a->until_us, on_outage_end, sim, (uint64_t)a->node);
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
    sim_emit(sim, TK_ACTION, NONE, NONE, NONE, TRACE_NO_TIME, text, "dns_failure", 0, 0, 0, 0);
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
    case ACT_OUTAGE: do_outage(sim, a); break;
    case ACT_DNS_FAILURE: do_dns_failure(sim, a, (uint32_t)arg); break;
    case ACT_MARK_SPAM:
    case ACT_MARK_NOT_SPAM:
    case ACT_DELETE:
    case ACT_FETCH: store_user_action(sim, a); break;
    case ACT_KIND_COUNT: assert(0); break;
    }
}

/* ---- captions ---- */

static bool caption_matches(const Sim *sim, const CaptionRule *c, const TraceEvent *ev)
{
    const Trace *tr = sim->trace;
    if (c->at_us >= 0) {
        return ev->t_us >= c->at_us;
    }
    if (c->kind >= 0 && ev->kind != c->kind) {
        return false;
    }
    if (c->msg != STR_EMPTY &&
        (ev->msg == TRACE_NONE ||
         strcmp(trace_str(tr, trace_msg(tr, ev->msg)->id), sim_str(sim, c->msg)) != 0)) {
        return false;
    }
    if (c->code && !(ev->kind == TK_SMTP && ev->sub == 1 && ev->num == c->code)) {
        return false;
    }
    if (c->node >= 0 && ev->from != c->node && ev->to != c->node) {
        return false;
    }
    return true;
}

/* Each caption rule labels the first event it matches (O(events x rules); rules are few). */
static void apply_captions(Sim *sim)
{
    const TraceEvent *evs = trace_events(sim->trace);
    size_t n = trace_count(sim->trace);
    for (uint32_t r = 0; r < sim->w->caption_count; r++) {
        const CaptionRule *c = &sim->w->captions[r];
        for (size_t i = 0; i < n; i++) {
            if (caption_matches(sim, c, &evs[i])) {
                trace_set_caption(sim->trace, (uint32_t)i,
                                  strpool_intern(trace_strings(sim->trace), sim_str(sim, c->text)));
                break;
            }
        }
    }
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
                            UINT64_C(0x100000001B3); /* FNV-1a, a word at a time */
        engine_step(sim->eng);
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

Trace *sim_run_world(World *w, const SimOptions *opt)
{
    Sim *sim = sim_create(w, opt);
    sim_run(sim);
    Trace *tr = sim_take_trace(sim);
    sim_destroy(sim);
    return tr;
}
