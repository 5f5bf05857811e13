/* sim_core: the helpers every part of the simulation shares — trace emission, timing over links,
 * the message and recipient tables, slot pools and the world's indexes (see sim_core.h).
 *
 * Owns no behaviour of the mail model and calls no other part of the simulation: what happens
 * when a message arrives somewhere is the business of the caller's handler (sim_hop).
 */
#include "model/sim_core.h"

#include "mail/smtp.h"
#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *sim_str(const Sim *sim, StrId id)
{
    return strpool_get(sim->sp, id);
}

const char *sim_node_name(const Sim *sim, int32_t node)
{
    return sim_str(sim, sim_node(sim, node)->name);
}

int64_t sim_process_us(const Sim *sim, int32_t node)
{
    const WorldNode *n = sim_node(sim, node);
    switch (n->kind) {
    case NODE_OUTGOING: return n->u.out.process_us;
    case NODE_INCOMING: return n->u.in.process_us;
    default: return 0;
    }
}

uint32_t sim_record(Sim *sim, const SimEvent *e)
{
    assert(sim->trace);
    assert(e->num2 >= TRACE_NUM2_MIN && e->num2 <= TRACE_NUM2_MAX);
    StrPool *tp = trace_strings(sim->trace);
    TraceEvent ev = trace_event_init(e->kind, engine_now(sim->eng));
    ev.from = (int16_t)e->from;
    ev.to = (int16_t)e->to;
    ev.msg = e->msg >= 0 ? sim->msgs[e->msg].trace_msg : TRACE_NONE;
    ev.arrive_us = e->arrive_us;
    ev.text = e->text ? strpool_intern(tp, e->text) : STR_EMPTY;
    ev.aux = e->aux ? strpool_intern(tp, e->aux) : STR_EMPTY;
    ev.num = e->num;
    ev.num2 = e->num2;
    ev.sub = e->sub;
    ev.flags = e->flags;
    return trace_append(sim->trace, &ev);
}

/* ---- links ---- */

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

void sim_hop(Sim *sim, uint32_t msg, int32_t from, int32_t to, const char *what,
             EngineHandler then, uint64_t arg)
{
    int64_t arrive =
        engine_now(sim->eng) + sim_link_delay(sim, from, to, sim->msgs[msg].size_bytes);
    sim_emit(sim, .kind = TK_HOP, .from = from, .to = to, .msg = (int32_t)msg, .arrive_us = arrive,
             .text = what);
    engine_schedule(sim->eng, arrive, then, sim, arg);
}

/* ---- messages ---- */

void sim_add_header(Sim *sim, uint32_t msg, int32_t node, const char *line)
{
    sim_emit(sim, .kind = TK_HEADER, .from = node, .to = NONE, .msg = (int32_t)msg,
             .arrive_us = TRACE_NO_TIME, .text = line);
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
        set = &sim->domain_cache[(hash_bytes(d, n) & (DOMAIN_CACHE_SIZE / 2 - 1)) * 2];
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
                       .txn = TXN_NONE,
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
    sim_emit(sim, .kind = TK_COMPOSE, .from = origin, .to = NONE, .msg = (int32_t)m,
             .arrive_us = TRACE_NO_TIME);
    return m;
}

RcptTxn sim_txn_of_reply(int code)
{
    if (code >= 200 && code < 300) {
        return TXN_ACCEPTED;
    }
    return smtp_is_permanent(code) ? TXN_PERMANENT : TXN_TRANSIENT;
}

void sim_rcpts_mark(Sim *sim, uint32_t first, uint32_t count, RcptTxn txn, StrId reply,
                    StrId status)
{
    for (uint32_t i = first; i < first + count; i++) {
        Rcpt *r = &sim->rcpts[i];
        if (r->state == RS_PENDING && r->txn == TXN_NONE) {
            r->txn = (uint8_t)txn;
            r->txn_reply = reply;
            r->txn_status = status;
            r->txn_diag = STR_EMPTY;
        }
    }
}

/* ---- pools ---- */

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

/* ---- indexes ---- */

/* Open-addressing tables of n keys: a power of two at least twice n (at most half full). */
static size_t index_size(size_t n)
{
    size_t size = 16;
    while (size < n * 2 + 2) {
        size *= 2;
    }
    return size;
}

static void index_links(Sim *sim)
{
    for (uint32_t i = 0; i < sim->w->link_count; i++) {
        pairmap_add(&sim->links, sim->w->links[i].a, sim->w->links[i].b, i);
    }
}

/* An incoming server's IP names the first incoming node that has it. */
static void index_ips(Sim *sim)
{
    size_t size = index_size(sim->w->node_count);
    sim->ip_index = xcalloc(size, sizeof *sim->ip_index);
    sim->ip_index_size = size;
    for (uint32_t i = 0; i < sim->w->node_count; i++) {
        const WorldNode *n = sim_node(sim, (int32_t)i);
        if (n->kind != NODE_INCOMING || n->ip == 0 || sim_incoming_at(sim, n->ip) != NONE) {
            continue;
        }
        size_t j = hash_u64(n->ip) & (size - 1);
        while (sim->ip_index[j]) {
            j = (j + 1) & (size - 1);
        }
        sim->ip_index[j] = i + 1;
    }
}

int32_t sim_incoming_at(const Sim *sim, uint32_t ip)
{
    size_t mask = sim->ip_index_size - 1;
    for (size_t j = hash_u64(ip) & mask; sim->ip_index[j]; j = (j + 1) & mask) {
        if (sim_node(sim, (int32_t)sim->ip_index[j] - 1)->ip == ip) {
            return (int32_t)sim->ip_index[j] - 1;
        }
    }
    return NONE;
}

/* One mailbox per configured address, in world order; an address configured twice is found at
 * its first mailbox. */
static void index_mailboxes(Sim *sim)
{
    const World *w = sim->w;
    size_t n = 0;
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (w->nodes[i].kind == NODE_STORE) {
            n += w->nodes[i].u.store.mailbox_count;
        }
    }
    sim->mailboxes = xcalloc(n ? n : 1, sizeof *sim->mailboxes);
    size_t size = index_size(n);
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
                size_t j = hash_u64(cfg->address) & (size - 1);
                while (sim->mailbox_index[j]) {
                    j = (j + 1) & (size - 1);
                }
                sim->mailbox_index[j] = (uint32_t)sim->mailbox_count + 1;
            }
            sim->mailbox_count++;
        }
    }
}

int32_t sim_mailbox_of(const Sim *sim, StrId addr)
{
    size_t mask = sim->mailbox_index_size - 1;
    for (size_t j = hash_u64(addr) & mask; sim->mailbox_index[j]; j = (j + 1) & mask) {
        if (sim->mailboxes[sim->mailbox_index[j] - 1].addr == addr) {
            return (int32_t)sim->mailbox_index[j] - 1;
        }
    }
    return NONE;
}

void sim_index_world(Sim *sim)
{
    sim->domain_cache = xcalloc(DOMAIN_CACHE_SIZE, sizeof *sim->domain_cache);
    index_links(sim);
    index_ips(sim);
    index_mailboxes(sim);
}

bool sim_serves_domain(const Sim *sim, int32_t node, StrId domain)
{
    return keymap_has(&sim->nodes[node].served, domain);
}

bool sim_is_local_domain(const Sim *sim, int32_t node, StrId domain)
{
    return keymap_has(&sim->nodes[node].local_domains, domain);
}
