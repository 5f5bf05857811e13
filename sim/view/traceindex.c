/* traceindex: the player's index over a trace (see traceindex.h).
 *
 * Built in two passes over the events. The first finds, for every (message, outgoing server),
 * the last sent/bounce there — the moment the queue file goes away. The second walks the events
 * in order with a little per-message state (where the message currently rests, whether it is
 * waiting for a retry, which folder each copy is in) and emits stays and counter deltas. Deltas
 * are then sorted by time (stays end and arrivals land in the future of the event that caused
 * them) and snapshotted every `k` deltas.
 */
#include "view/traceindex.h"

#include "mail/smtp.h"
#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define STAY_FOREVER INT64_MAX
#define RETRY_LOOKBACK 64

/* ---- a tiny uint64 -> uint32 hash map (open addressing, linear probing) ---- */

typedef struct {
    uint64_t *keys; /* key + 1; 0 = empty */
    uint32_t *vals;
    size_t cap, count;
} Map;

static void map_put(Map *m, uint64_t key, uint32_t val);

static void map_grow(Map *m)
{
    Map bigger = { 0 };
    bigger.cap = m->cap ? m->cap * 2 : 64;
    bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.vals = xcalloc(bigger.cap, sizeof *bigger.vals);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            map_put(&bigger, m->keys[i] - 1, m->vals[i]);
        }
    }
    free(m->keys);
    free(m->vals);
    *m = bigger;
}

static void map_put(Map *m, uint64_t key, uint32_t val)
{
    if ((m->count + 1) * 2 > m->cap) {
        map_grow(m);
    }
    size_t i = (size_t)(hash_u64(key) & (m->cap - 1));
    while (m->keys[i] && m->keys[i] != key + 1) {
        i = (i + 1) & (m->cap - 1);
    }
    if (!m->keys[i]) {
        m->keys[i] = key + 1;
        m->count++;
    }
    m->vals[i] = val;
}

static bool map_get(const Map *m, uint64_t key, uint32_t *val)
{
    if (!m->cap) {
        return false;
    }
    size_t i = (size_t)(hash_u64(key) & (m->cap - 1));
    while (m->keys[i]) {
        if (m->keys[i] == key + 1) {
            *val = m->vals[i];
            return true;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return false;
}

static void map_free(Map *m)
{
    free(m->keys);
    free(m->vals);
}

static uint64_t key2(uint32_t a, uint32_t b)
{
    return ((uint64_t)a << 32) | b;
}

/* ---- searching by time ---- */

/* Item k's time, for items in non-decreasing time order; `ev` is the trace's events, for items
 * that refer to them. */
typedef int64_t (*TimeAt)(const void *items, size_t k, const TraceEvent *ev);

/* The index of the first of the n items whose time is after t_us (n when none is): also how
 * many are at or before t. O(log n). */
static size_t first_after(const void *items, size_t n, TimeAt time_at, const TraceEvent *ev,
                          int64_t t_us)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (time_at(items, mid, ev) <= t_us) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* items = the events themselves. */
static int64_t event_time(const void *items, size_t k, const TraceEvent *ev)
{
    (void)items;
    return ev[k].t_us;
}

/* items = event indices (a CSR list). */
static int64_t listed_event_time(const void *items, size_t k, const TraceEvent *ev)
{
    return ev[((const uint32_t *)items)[k]].t_us;
}

/* ---- the index ---- */

typedef struct {
    int64_t t_us;
    uint32_t slot; /* node * NC_COUNT + counter */
    int32_t delta;
} Delta;

/* items = the sorted deltas. */
static int64_t delta_time(const void *items, size_t k, const TraceEvent *ev)
{
    (void)ev;
    return ((const Delta *)items)[k].t_us;
}

/* A CSR list: for item i, entries [first[i], first[i + 1]). */
typedef struct {
    uint32_t *first;
    uint32_t *items;
} Csr;

struct TraceIndex {
    const Trace *tr;
    size_t n, nodes, msgs;
    uint8_t *flags; /* per event: IX_TRAVELS, IX_CARRY */
    SpanIndex *flight;
    SpanIndex **resting; /* per node */
    Delta *deltas;
    size_t delta_count;
    size_t k;          /* deltas per snapshot */
    int32_t *snapshots; /* (delta_count / k + 1) * nodes * NC_COUNT */
    Csr msg_events, node_spam, node_defer;
    uint32_t *msg_verdict;
    uint8_t *client_role; /* bit 0 sends, bit 1 reads */
    int64_t start_us, end_us;
    DnsFail *dns_fail; /* whose DNS is broken when, and at which resolver (dnsfail.h) */
};

enum { IX_TRAVELS = 1, IX_CARRY = 2 };

/* Builder state for the second pass. */
typedef struct {
    int32_t node;
    int64_t start_us;
    int32_t next;
} OpenStay;

typedef struct {
    TraceIndex *ix;
    const TraceEvent *ev;
    Delta *deltas;
    size_t delta_count, delta_cap;
    OpenStay *open;
    size_t open_count, open_cap;
    int32_t open_free;
    int32_t *open_head;      /* per message */
    int32_t *deferred_at;    /* per message: node or -1 */
    Map last_outcome;        /* (msg, node) -> event index */
    Map folders;             /* (msg, rcpt) -> store << 8 | folder */
    StrId dot, outage, outage_end;
    Span *stays;             /* payload msg; node kept in `stay_node` */
    int32_t *stay_node;
    size_t stay_count, stay_cap, stay_node_cap;
} Builder;

static void add_delta(Builder *b, int64_t t_us, int32_t node, NodeCounter c, int32_t d)
{
    if (node < 0 || (size_t)node >= b->ix->nodes) {
        return;
    }
    if (b->delta_count == b->delta_cap) {
        b->deltas = xgrow(b->deltas, &b->delta_cap, b->delta_count + 1, sizeof *b->deltas);
    }
    b->deltas[b->delta_count++] = (Delta){ t_us, (uint32_t)node * NC_COUNT + c, d };
}

static void add_stay(Builder *b, int32_t m, int32_t node, int64_t start_us, int64_t end_us)
{
    if (b->stay_count == b->stay_cap) {
        size_t cap = b->stay_cap;
        b->stays = xgrow(b->stays, &b->stay_cap, b->stay_count + 1, sizeof *b->stays);
        b->stay_node = xgrow(b->stay_node, &cap, b->stay_count + 1, sizeof *b->stay_node);
    }
    b->stays[b->stay_count] = (Span){ start_us, end_us, (uint32_t)m };
    b->stay_node[b->stay_count++] = node;
    add_delta(b, start_us, node, NC_RESTING, +1);
    if (end_us != STAY_FOREVER) {
        add_delta(b, end_us, node, NC_RESTING, -1);
    }
}

static bool stay_is_open(const Builder *b, int32_t m, int32_t node)
{
    for (int32_t s = b->open_head[m]; s >= 0; s = b->open[s].next) {
        if (b->open[s].node == node) {
            return true;
        }
    }
    return false;
}

static void open_stay(Builder *b, int32_t m, int32_t node, int64_t t_us)
{
    if (node < 0 || stay_is_open(b, m, node)) {
        return;
    }
    int32_t s;
    if (b->open_free >= 0) {
        s = b->open_free;
        b->open_free = b->open[s].next;
    } else {
        if (b->open_count == b->open_cap) {
            b->open = xgrow(b->open, &b->open_cap, b->open_count + 1, sizeof *b->open);
        }
        s = (int32_t)b->open_count++;
    }
    b->open[s] = (OpenStay){ node, t_us, b->open_head[m] };
    b->open_head[m] = s;
}

/* Ends m's stay at node (if open) at end_us. */
static void close_stay(Builder *b, int32_t m, int32_t node, int64_t end_us)
{
    int32_t *link = &b->open_head[m];
    while (*link >= 0) {
        int32_t s = *link;
        if (b->open[s].node == node) {
            add_stay(b, m, node, b->open[s].start_us, end_us);
            *link = b->open[s].next;
            b->open[s].next = b->open_free;
            b->open_free = s;
            return;
        }
        link = &b->open[s].next;
    }
}

static NodeKind node_kind(const TraceIndex *ix, int32_t n)
{
    return trace_node(ix->tr, n)->kind;
}

static bool valid_node(const TraceIndex *ix, int32_t n)
{
    return n >= 0 && (size_t)n < ix->nodes;
}

static bool valid_msg(const TraceIndex *ix, int32_t m)
{
    return m >= 0 && (size_t)m < ix->msgs;
}

static void classify(TraceIndex *ix, StrId dot)
{
    for (size_t i = 0; i < ix->n; i++) {
        const TraceEvent *e = &trace_events(ix->tr)[i];
        uint8_t f = 0;
        if (e->arrive_us != TRACE_NO_TIME && e->kind != TK_DEFER && valid_node(ix, e->from) &&
            valid_node(ix, e->to)) {
            f |= IX_TRAVELS;
            bool has_msg = valid_msg(ix, e->msg);
            bool carry = (e->kind == TK_HOP && has_msg) ||
                         (e->kind == TK_SMTP && e->sub == TRACE_ASK && has_msg && e->text == dot) ||
                         (e->kind == TK_FETCH && e->sub == TRACE_ANSWER && has_msg);
            f |= carry ? IX_CARRY : 0;
        }
        ix->flags[i] = f;
    }
}

/* A message leaves node A (a carry departs at event i). */
static void depart(Builder *b, uint32_t i)
{
    const TraceEvent *e = &b->ev[i];
    TraceIndex *ix = b->ix;
    switch (node_kind(ix, e->from)) {
    case NODE_OUTGOING: {
        uint32_t last;
        bool later = map_get(&b->last_outcome, key2((uint32_t)e->msg, (uint32_t)e->from), &last) &&
                     last > i;
        close_stay(b, e->msg, e->from, later ? b->ev[last].t_us : e->t_us);
        break;
    }
    case NODE_CLIENT:
    case NODE_INCOMING:
    case NODE_FILTER:
    case NODE_RESOLVER: close_stay(b, e->msg, e->from, e->t_us); break;
    case NODE_STORE: /* the store keeps its copy */
    case NODE_KIND_COUNT: break;
    }
}

static void folder_delta(Builder *b, int64_t t_us, int32_t store, TraceFolder folder, int32_t d)
{
    if (folder == FOLDER_INBOX) {
        add_delta(b, t_us, store, NC_INBOX, d);
    } else if (folder == FOLDER_JUNK) {
        add_delta(b, t_us, store, NC_JUNK, d);
    }
}

/* A carry (event i): its message leaves `from` and rests at `to` from its arrival; a download
 * also counts as fetched at the reading client. */
static void walk_carry(Builder *b, uint32_t i)
{
    TraceIndex *ix = b->ix;
    const TraceEvent *e = &b->ev[i];
    depart(b, i);
    if (node_kind(ix, e->to) == NODE_CLIENT && e->kind == TK_FETCH) {
        add_delta(b, e->arrive_us, e->to, NC_FETCHED, +1);
    }
    /* Arrival is opened now with its future start: the span index does not mind. */
    if (!stay_is_open(b, e->msg, e->to)) {
        open_stay(b, e->msg, e->to, e->arrive_us);
    }
}

/* A compose: the message rests where it was written from now on; a client there sends. */
static void walk_compose(Builder *b, const TraceEvent *e)
{
    TraceIndex *ix = b->ix;
    if (!valid_msg(ix, e->msg) || !valid_node(ix, e->from)) {
        return;
    }
    open_stay(b, e->msg, e->from, e->t_us);
    if (node_kind(ix, e->from) == NODE_CLIENT) {
        ix->client_role[e->from] |= 1;
    }
}

/* A sent or bounce (event i) counts at its server; the message's last one there ends its stay in
 * the queue and its wait for a retry. */
static void walk_outcome(Builder *b, uint32_t i)
{
    TraceIndex *ix = b->ix;
    const TraceEvent *e = &b->ev[i];
    if (!valid_node(ix, e->from)) {
        return;
    }
    /* A bounce the server hands to its own sender's store is not mail it "sent": counting it
     * showed "sent 1" beside "bounced 1" for one message that never arrived. */
    bool dsn = valid_msg(ix, e->msg) && trace_msg(ix->tr, e->msg)->parent != TRACE_NONE;
    if (e->kind != TK_SENT || !dsn) {
        add_delta(b, e->t_us, e->from, e->kind == TK_SENT ? NC_SENT : NC_BOUNCED, +1);
    }
    uint32_t last;
    if (!valid_msg(ix, e->msg) ||
        !map_get(&b->last_outcome, key2((uint32_t)e->msg, (uint32_t)e->from), &last) || last != i) {
        return;
    }
    close_stay(b, e->msg, e->from, e->t_us);
    if (b->deferred_at[e->msg] == e->from) {
        add_delta(b, e->t_us, e->from, NC_DEFERRED, -1);
        b->deferred_at[e->msg] = -1;
    }
}

/* A deferral: the message waits for a retry at its server (counted once, until the retry or its
 * last outcome there). */
static void walk_defer(Builder *b, const TraceEvent *e)
{
    if (valid_msg(b->ix, e->msg) && valid_node(b->ix, e->from) && b->deferred_at[e->msg] < 0) {
        b->deferred_at[e->msg] = e->from;
        add_delta(b, e->t_us, e->from, NC_DEFERRED, +1);
    }
}

/* A retry: the message no longer waits at the server that deferred it. */
static void walk_retry(Builder *b, const TraceEvent *e)
{
    if (valid_msg(b->ix, e->msg) && b->deferred_at[e->msg] >= 0 &&
        b->deferred_at[e->msg] == e->from) {
        add_delta(b, e->t_us, e->from, NC_DEFERRED, -1);
        b->deferred_at[e->msg] = -1;
    }
}

/* A refusing SMTP reply or a refused connection counts at the node that refused. */
static void walk_refusal(Builder *b, const TraceEvent *e)
{
    bool refused = e->kind == TK_SMTP ? e->sub == TRACE_ANSWER && (e->flags & TRACE_F_REJECT) &&
                                            !smtp_is_followup(trace_str(b->ix->tr, e->text))
                                      : e->sub == CONN_REFUSED;
    if (refused) {
        bool permanent = e->kind == TK_SMTP && e->num >= 500;
        add_delta(b, e->t_us, e->from, permanent ? NC_REFUSED : NC_TEMPFAIL, +1);
    }
}

/* A verdict (event i) counts as spam or ham at its filter; the message's first is its verdict. */
static void walk_verdict(Builder *b, uint32_t i)
{
    TraceIndex *ix = b->ix;
    const TraceEvent *e = &b->ev[i];
    add_delta(b, e->t_us, e->from, e->sub == VERDICT_SPAM ? NC_SPAM : NC_HAM, +1);
    if (valid_msg(ix, e->msg) && ix->msg_verdict[e->msg] == UINT32_MAX) {
        ix->msg_verdict[e->msg] = i;
    }
}

/* A delivery: the message rests at the store from now on, counted in its folder, which is
 * remembered per (message, recipient) for a later move. */
static void walk_deliver(Builder *b, const TraceEvent *e)
{
    TraceIndex *ix = b->ix;
    int32_t store = valid_node(ix, e->to) ? e->to : e->from;
    if (!valid_msg(ix, e->msg) || !valid_node(ix, store)) {
        return;
    }
    open_stay(b, e->msg, store, e->t_us);
    folder_delta(b, e->t_us, store, (TraceFolder)e->sub, +1);
    map_put(&b->folders, key2((uint32_t)e->msg, e->aux), ((uint32_t)store << 8) | e->sub);
}

/* A move: the delivered copy for (message, recipient) leaves its folder's count for the new
 * folder's. */
static void walk_move(Builder *b, const TraceEvent *e)
{
    uint32_t v;
    if (!valid_msg(b->ix, e->msg) || !map_get(&b->folders, key2((uint32_t)e->msg, e->aux), &v)) {
        return;
    }
    int32_t store = (int32_t)(v >> 8);
    folder_delta(b, e->t_us, store, (TraceFolder)(v & 0xff), -1);
    folder_delta(b, e->t_us, store, (TraceFolder)e->sub, +1);
    map_put(&b->folders, key2((uint32_t)e->msg, e->aux), ((uint32_t)store << 8) | e->sub);
}

/* An outage starting or ending at its node raises or lowers NC_DOWN there. */
static void walk_action(Builder *b, const TraceEvent *e)
{
    if (e->aux != STR_EMPTY && e->aux == b->outage) {
        add_delta(b, e->t_us, e->from, NC_DOWN, +1);
    } else if (e->aux != STR_EMPTY && e->aux == b->outage_end) {
        add_delta(b, e->t_us, e->from, NC_DOWN, -1);
    }
}

/* A POP3/IMAP line: a client at either end reads mail. */
static void walk_fetch(Builder *b, const TraceEvent *e)
{
    TraceIndex *ix = b->ix;
    if (valid_node(ix, e->from) && node_kind(ix, e->from) == NODE_CLIENT) {
        ix->client_role[e->from] |= 2;
    }
    if (valid_node(ix, e->to) && node_kind(ix, e->to) == NODE_CLIENT) {
        ix->client_role[e->to] |= 2;
    }
}

/* Pass 2 for event i: a carry moves its message; any other event updates the whereabouts,
 * retry waits, folders and counters its kind concerns. */
static void walk_event(Builder *b, uint32_t i)
{
    const TraceEvent *e = &b->ev[i];
    if (b->ix->flags[i] & IX_CARRY) {
        walk_carry(b, i);
        return;
    }
    switch ((TraceKind)e->kind) {
    case TK_COMPOSE: walk_compose(b, e); break;
    case TK_SENT:
    case TK_BOUNCE: walk_outcome(b, i); break;
    case TK_DEFER: walk_defer(b, e); break;
    case TK_RETRY: walk_retry(b, e); break;
    case TK_SMTP:
    case TK_CONN: walk_refusal(b, e); break;
    case TK_SPAM: walk_verdict(b, i); break;
    case TK_DELIVER: walk_deliver(b, e); break;
    case TK_MOVE: walk_move(b, e); break;
    case TK_ACTION: walk_action(b, e); break;
    case TK_FETCH: walk_fetch(b, e); break;
    case TK_VERIFY:
        if (valid_node(b->ix, e->from) && e->sub < VERIFY_COUNT) {
            add_delta(b, e->t_us, e->from, NC_VERIFIED + e->sub, +1);
        }
        break;
    case TK_REPORT:
    case TK_HEADER:
    case TK_HOP:
    case TK_QUEUE:
    case TK_DNS:
    case TK_WARN:
    case TK_LEARN:
    case TK_KIND_COUNT: break;
    }
}

/* Stable merge sort of deltas by time. */
static void sort_deltas(Delta *a, Delta *tmp, size_t n)
{
    if (n < 2) {
        return;
    }
    size_t h = n / 2;
    sort_deltas(a, tmp, h);
    sort_deltas(a + h, tmp, n - h);
    if (a[h - 1].t_us <= a[h].t_us) {
        return;
    }
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        tmp[k++] = a[j].t_us < a[i].t_us ? a[j++] : a[i++];
    }
    while (i < h) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    memcpy(a, tmp, n * sizeof *a);
}

static void build_snapshots(TraceIndex *ix)
{
    size_t width = ix->nodes * NC_COUNT;
    ix->k = width > 1024 ? width : 1024;
    size_t snaps = ix->delta_count / ix->k + 1;
    ix->snapshots = xcalloc(snaps * (width ? width : 1), sizeof *ix->snapshots);
    int32_t *cur = xcalloc(width ? width : 1, sizeof *cur);
    for (size_t s = 0; s < snaps; s++) {
        memcpy(ix->snapshots + s * width, cur, width * sizeof *cur);
        size_t end = (s + 1) * ix->k < ix->delta_count ? (s + 1) * ix->k : ix->delta_count;
        for (size_t d = s * ix->k; d < end; d++) {
            cur[ix->deltas[d].slot] += ix->deltas[d].delta;
        }
    }
    free(cur);
}

/* Builds CSR lists item -> events from a key function over the events. */
typedef int32_t (*KeyFn)(const TraceIndex *ix, const TraceEvent *e);

static void build_csr(TraceIndex *ix, Csr *csr, size_t items, KeyFn key)
{
    csr->first = xcalloc(items + 1, sizeof *csr->first);
    const TraceEvent *ev = trace_events(ix->tr);
    for (size_t i = 0; i < ix->n; i++) {
        int32_t k = key(ix, &ev[i]);
        if (k >= 0) {
            csr->first[k + 1]++;
        }
    }
    for (size_t i = 0; i < items; i++) {
        csr->first[i + 1] += csr->first[i];
    }
    csr->items = xmalloc((csr->first[items] + 1) * sizeof *csr->items);
    uint32_t *fill = xmalloc((items + 1) * sizeof *fill);
    memcpy(fill, csr->first, (items + 1) * sizeof *fill);
    for (size_t i = 0; i < ix->n; i++) {
        int32_t k = key(ix, &ev[i]);
        if (k >= 0) {
            csr->items[fill[k]++] = (uint32_t)i;
        }
    }
    free(fill);
}

static void free_csr(Csr *csr)
{
    free(csr->first);
    free(csr->items);
}

static int32_t key_msg(const TraceIndex *ix, const TraceEvent *e)
{
    return valid_msg(ix, e->msg) ? e->msg : -1;
}

static int32_t key_spam(const TraceIndex *ix, const TraceEvent *e)
{
    return e->kind == TK_SPAM && valid_node(ix, e->from) ? e->from : -1;
}

static int32_t key_defer(const TraceIndex *ix, const TraceEvent *e)
{
    return e->kind == TK_DEFER && valid_node(ix, e->from) && e->arrive_us != TRACE_NO_TIME ? e->from
                                                                                            : -1;
}

static StrId find_str(const Trace *tr, const char *s)
{
    StrId id = strpool_find(trace_strings_const(tr), s);
    return id == UINT32_MAX ? STR_EMPTY : id;
}

TraceIndex *traceindex_create(const Trace *tr)
{
    TraceIndex *ix = xcalloc(1, sizeof *ix);
    ix->tr = tr;
    ix->n = trace_count(tr);
    ix->nodes = trace_node_count(tr);
    ix->msgs = trace_msg_count(tr);
    ix->flags = xcalloc(ix->n + 1, 1);
    ix->msg_verdict = xmalloc((ix->msgs + 1) * sizeof *ix->msg_verdict);
    for (size_t m = 0; m < ix->msgs; m++) {
        ix->msg_verdict[m] = UINT32_MAX;
    }
    ix->client_role = xcalloc(ix->nodes + 1, 1);
    ix->dns_fail = dnsfail_create(tr);
    const TraceEvent *ev = trace_events(tr);
    ix->start_us = ix->n ? ev[0].t_us : 0;
    ix->end_us = trace_end_time(tr);
    if (ix->end_us < ix->start_us) {
        ix->end_us = ix->start_us;
    }

    Builder b = { 0 };
    b.ix = ix;
    b.ev = ev;
    b.open_free = -1;
    b.dot = find_str(tr, ".");
    b.outage = find_str(tr, "outage");
    b.outage_end = find_str(tr, "outage_end");
    classify(ix, b.dot == STR_EMPTY ? UINT32_MAX : b.dot);
    b.open_head = xmalloc((ix->msgs + 1) * sizeof *b.open_head);
    b.deferred_at = xmalloc((ix->msgs + 1) * sizeof *b.deferred_at);
    for (size_t m = 0; m < ix->msgs; m++) {
        b.open_head[m] = -1;
        b.deferred_at[m] = -1;
    }

    /* Pass 1: the last outcome of each (message, server). */
    for (size_t i = 0; i < ix->n; i++) {
        const TraceEvent *e = &ev[i];
        if ((e->kind == TK_SENT || e->kind == TK_BOUNCE) && valid_msg(ix, e->msg) &&
            valid_node(ix, e->from)) {
            map_put(&b.last_outcome, key2((uint32_t)e->msg, (uint32_t)e->from), (uint32_t)i);
        }
    }
    /* Pass 2: whereabouts and counters. */
    ix->flight = spanindex_create();
    for (size_t i = 0; i < ix->n; i++) {
        if (ix->flags[i] & IX_TRAVELS) {
            spanindex_add(ix->flight, ev[i].t_us, ev[i].arrive_us, (uint32_t)i);
        }
        walk_event(&b, (uint32_t)i);
    }
    spanindex_finish(ix->flight);
    for (size_t m = 0; m < ix->msgs; m++) {
        while (b.open_head[m] >= 0) {
            close_stay(&b, (int32_t)m, b.open[b.open_head[m]].node, STAY_FOREVER);
        }
    }

    ix->resting = xcalloc(ix->nodes + 1, sizeof *ix->resting);
    for (size_t n = 0; n < ix->nodes; n++) {
        ix->resting[n] = spanindex_create();
    }
    for (size_t s = 0; s < b.stay_count; s++) {
        spanindex_add(ix->resting[b.stay_node[s]], b.stays[s].start_us, b.stays[s].end_us,
                      b.stays[s].payload);
    }
    for (size_t n = 0; n < ix->nodes; n++) {
        spanindex_finish(ix->resting[n]);
    }

    Delta *tmp = xmalloc((b.delta_count + 1) * sizeof *tmp);
    sort_deltas(b.deltas, tmp, b.delta_count);
    free(tmp);
    ix->deltas = b.deltas;
    ix->delta_count = b.delta_count;
    build_snapshots(ix);

    build_csr(ix, &ix->msg_events, ix->msgs, key_msg);
    build_csr(ix, &ix->node_spam, ix->nodes, key_spam);
    build_csr(ix, &ix->node_defer, ix->nodes, key_defer);

    free(b.open);
    free(b.open_head);
    free(b.deferred_at);
    free(b.stays);
    free(b.stay_node);
    map_free(&b.last_outcome);
    map_free(&b.folders);
    return ix;
}

void traceindex_destroy(TraceIndex *ix)
{
    if (!ix) {
        return;
    }
    dnsfail_destroy(ix->dns_fail);
    spanindex_destroy(ix->flight);
    if (ix->resting) {
        for (size_t n = 0; n < ix->nodes; n++) {
            spanindex_destroy(ix->resting[n]);
        }
    }
    free(ix->resting);
    free(ix->flags);
    free(ix->deltas);
    free(ix->snapshots);
    free_csr(&ix->msg_events);
    free_csr(&ix->node_spam);
    free_csr(&ix->node_defer);
    free(ix->msg_verdict);
    free(ix->client_role);
    free(ix);
}

const Trace *traceindex_trace(const TraceIndex *ix)
{
    return ix->tr;
}

size_t traceindex_events_until(const TraceIndex *ix, int64_t t_us)
{
    const TraceEvent *ev = trace_events(ix->tr);
    return first_after(ev, ix->n, event_time, ev, t_us);
}

int64_t traceindex_next_time(const TraceIndex *ix, int64_t t_us)
{
    size_t i = traceindex_events_until(ix, t_us);
    return i < ix->n ? trace_events(ix->tr)[i].t_us : TRACE_NO_TIME;
}

int64_t traceindex_prev_time(const TraceIndex *ix, int64_t t_us)
{
    if (t_us == INT64_MIN) {
        return TRACE_NO_TIME;
    }
    size_t i = traceindex_events_until(ix, t_us - 1);
    return i > 0 ? trace_events(ix->tr)[i - 1].t_us : TRACE_NO_TIME;
}

int64_t traceindex_start(const TraceIndex *ix)
{
    return ix->start_us;
}

int64_t traceindex_end(const TraceIndex *ix)
{
    return ix->end_us;
}

bool traceindex_travels(const TraceIndex *ix, uint32_t i)
{
    return i < ix->n && (ix->flags[i] & IX_TRAVELS);
}

bool traceindex_is_carry(const TraceIndex *ix, uint32_t i)
{
    return i < ix->n && (ix->flags[i] & IX_CARRY);
}

size_t traceindex_in_flight(const TraceIndex *ix, int64_t t_us, const Span **out, size_t cap)
{
    return spanindex_query(ix->flight, t_us, out, cap);
}

int64_t traceindex_busy_until(const TraceIndex *ix, int64_t t_us)
{
    return spanindex_open_until(ix->flight, t_us);
}

size_t traceindex_resting(const TraceIndex *ix, int32_t node, int64_t t_us, const Span **out,
                          size_t cap)
{
    if (!valid_node(ix, node)) {
        return 0;
    }
    return spanindex_query(ix->resting[node], t_us, out, cap);
}

void traceindex_counters(const TraceIndex *ix, int64_t t_us, int32_t *out)
{
    size_t width = ix->nodes * NC_COUNT;
    size_t lo = first_after(ix->deltas, ix->delta_count, delta_time, NULL, t_us);
    size_t snap = lo / ix->k;
    memcpy(out, ix->snapshots + snap * width, width * sizeof *out);
    for (size_t d = snap * ix->k; d < lo; d++) {
        out[ix->deltas[d].slot] += ix->deltas[d].delta;
    }
}

size_t traceindex_msg_events(const TraceIndex *ix, int32_t m, const uint32_t **out)
{
    if (!valid_msg(ix, m)) {
        *out = NULL;
        return 0;
    }
    *out = ix->msg_events.items + ix->msg_events.first[m];
    return ix->msg_events.first[m + 1] - ix->msg_events.first[m];
}

uint32_t traceindex_last_verdict(const TraceIndex *ix, int32_t node, int64_t t_us)
{
    if (!valid_node(ix, node)) {
        return UINT32_MAX;
    }
    const uint32_t *items = ix->node_spam.items + ix->node_spam.first[node];
    size_t n = ix->node_spam.first[node + 1] - ix->node_spam.first[node];
    size_t lo = first_after(items, n, listed_event_time, trace_events(ix->tr), t_us);
    return lo ? items[lo - 1] : UINT32_MAX;
}

uint32_t traceindex_msg_verdict(const TraceIndex *ix, int32_t m)
{
    return valid_msg(ix, m) ? ix->msg_verdict[m] : UINT32_MAX;
}

int64_t traceindex_next_retry(const TraceIndex *ix, int32_t node, int64_t t_us)
{
    if (!valid_node(ix, node)) {
        return TRACE_NO_TIME;
    }
    const uint32_t *items = ix->node_defer.items + ix->node_defer.first[node];
    size_t n = ix->node_defer.first[node + 1] - ix->node_defer.first[node];
    const TraceEvent *ev = trace_events(ix->tr);
    size_t lo = first_after(items, n, listed_event_time, ev, t_us);
    int64_t best = TRACE_NO_TIME;
    for (size_t k = lo, seen = 0; k > 0 && seen < RETRY_LOOKBACK; k--, seen++) {
        int64_t next = ev[items[k - 1]].arrive_us;
        if (next > t_us && (best == TRACE_NO_TIME || next < best)) {
            best = next;
        }
    }
    return best;
}

bool traceindex_client_sends(const TraceIndex *ix, int32_t node)
{
    return valid_node(ix, node) && (ix->client_role[node] & 1);
}

bool traceindex_client_reads(const TraceIndex *ix, int32_t node)
{
    return valid_node(ix, node) && (ix->client_role[node] & 2);
}

size_t traceindex_memory_bytes(const TraceIndex *ix)
{
    size_t width = ix->nodes * NC_COUNT;
    size_t bytes = sizeof *ix + ix->n + ix->delta_count * sizeof(Delta) +
                   (ix->delta_count / ix->k + 1) * width * sizeof(int32_t) +
                   (ix->msgs + 1) * 4 * 2 + ix->n * 4 * 2;
    bytes += spanindex_count(ix->flight) * (sizeof(Span) + 16);
    for (size_t n = 0; n < ix->nodes; n++) {
        bytes += spanindex_count(ix->resting[n]) * (sizeof(Span) + 16);
    }
    return bytes;
}

const DnsFail *traceindex_dns_fail(const TraceIndex *ix)
{
    return ix->dns_fail;
}
