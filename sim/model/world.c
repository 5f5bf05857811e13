/* world: construction, defaults and finalisation of the static simulation description
 * (see world.h). The defaults here are the single place the numbers of
 * docs/design/mail-facts.md enter the code. */
#include "model/world.h"

#include "util/idmap.h"
#include "util/pairmap.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ACTION_NAMES[ACT_KIND_COUNT] = {
    "send",           "outage",        "dns_failure",  "mark_spam",    "mark_not_spam",
    "delete",         "fetch",         "outage_end",   "dns_failure_end", "mailbox_full",
    "mailbox_free",   "blocklist_add", "blocklist_remove",
};

const char *world_action_name(ActionKind k)
{
    return (unsigned)k < ACT_KIND_COUNT ? ACTION_NAMES[k] : "?";
}

void world_retry_defaults(RetryPolicy *p, RetryStyle style)
{
    memset(p, 0, sizeof *p);
    p->style = style;
    p->queue_run_us = 300 * US_PER_S;
    p->min_backoff_us = 300 * US_PER_S;
    p->max_backoff_us = 4000 * US_PER_S;
    p->lifetime_us = 5 * 86400 * US_PER_S;
    p->delay_warning_us = 0;
    if (style == RETRY_EXIM) {
        p->lifetime_us = 4 * 86400 * US_PER_S;
    }
}

World *world_create(void)
{
    World *w = xcalloc(1, sizeof *w);
    w->strings = strpool_create();
    w->seed = 1;
    w->horizon_us = 7 * 86400 * US_PER_S;
    w->default_link = (WorldLink){ .a = -1,
                                   .b = -1,
                                   .latency_us = 20 * US_PER_MS,
                                   .bandwidth_bps = INT64_C(100000000),
                                   .jitter_us = 0,
                                   .implicit = true };
    return w;
}

static void node_free(WorldNode *n)
{
    switch (n->kind) {
    case NODE_OUTGOING: free(n->u.out.local_domains); break;
    case NODE_INCOMING:
        free(n->u.in.domains);
        free(n->u.in.dnsbl);
        free(n->u.in.dnsbl_answer);
        free(n->u.in.greylist_clients);
        free(n->u.in.greylist_rcpts);
        free(n->u.in.scripts);
        break;
    case NODE_FILTER:
        free(n->u.filter.uribl);
        free(n->u.filter.bad_tlds);
        break;
    case NODE_STORE: free(n->u.store.mailboxes); break;
    case NODE_CLIENT: free(n->u.client.verify); break;
    default: break;
    }
}

void world_destroy(World *w)
{
    if (!w) {
        return;
    }
    for (uint32_t i = 0; i < w->node_count; i++) {
        node_free(&w->nodes[i]);
    }
    for (uint32_t i = 0; i < w->spec_count; i++) {
        free(w->specs[i].to);
        free(w->specs[i].attachments);
    }
    free(w->nodes);
    free(w->links);
    free(w->records);
    free(w->specs);
    free(w->actions);
    free(w->captions);
    free(w->expect_msgs);
    free(w->expect_events);
    free(w->questions);
    free(w->file);
    strpool_destroy(w->strings);
    free(w);
}


static void *append(void **arr, uint32_t *count, uint32_t *cap, size_t item)
{
    if (*count == *cap) {
        size_t c = *cap;
        *arr = xgrow(*arr, &c, (size_t)*count + 1, item);
        *cap = (uint32_t)c;
    }
    void *p = (char *)*arr + (size_t)*count * item;
    memset(p, 0, item);
    (*count)++;
    return p;
}

static void node_defaults(WorldNode *n)
{
    switch (n->kind) {
    case NODE_CLIENT:
        n->u.client.submit_to = -1;
        n->u.client.store = -1;
        n->u.client.poll_us = 600 * US_PER_S;
        n->u.client.access = ACCESS_IMAP;
        n->u.client.resolver = -1;
        n->u.client.verify_at_us = US_PER_S;
        break;
    case NODE_OUTGOING:
        n->u.out.resolver = -1;
        world_retry_defaults(&n->u.out.retry, RETRY_POSTFIX);
        n->u.out.connect_timeout_us = 30 * US_PER_S;
        n->u.out.process_us = 5 * US_PER_MS;
        n->u.out.max_mx_tries = 5;
        n->u.out.mx_session_limit = 2;
        n->u.out.defer_if_no_mx_address = false;
        n->u.out.recipient_limit = 50;
        n->u.out.checks_size = true;
        n->u.out.size_limit_bytes = 10240000;
        n->u.out.connection_cache = true;
        n->u.out.cache_time_us = 2 * US_PER_S;
        n->u.out.pipelining = true;
        n->u.out.notify_classes = WORLD_NOTIFY_DEFAULT;
        n->u.out.scan_phase_us = -1;
        n->u.out.rdns = true;
        n->u.out.local_store = -1;
        break;
    case NODE_RESOLVER:
        n->u.res.cache = true;
        n->u.res.hit_min_us = 1 * US_PER_MS;
        n->u.res.hit_max_us = 20 * US_PER_MS;
        n->u.res.miss_min_us = 100 * US_PER_MS;
        n->u.res.miss_max_us = 400 * US_PER_MS;
        n->u.res.timeout_us = 5 * US_PER_S;
        n->u.res.negative_ttl_us = 900 * US_PER_S;
        break;
    case NODE_INCOMING:
        n->u.in.store = -1;
        n->u.in.filter = -1;
        n->u.in.resolver = -1;
        n->u.in.greylist_delay_us = 300 * US_PER_S;
        n->u.in.greylist_max_age_us = 35 * 86400 * US_PER_S;
        n->u.in.greylist_auto_whitelist = 5;
        n->u.in.greylist_retry_window_us = 2 * 86400 * US_PER_S;
        n->u.in.greylist_code = 450;
        n->u.in.size_limit_bytes = 10240000;
        n->u.in.advertise_size = true;
        n->u.in.pipelining = true;
        n->u.in.quota = QUOTA_TEMPORARY;
        n->u.in.concurrency = 100;
        n->u.in.backlog = 100;
        n->u.in.process_us = 2 * US_PER_MS;
        break;
    case NODE_FILTER:
        n->u.filter.required_milli = 5000;
        memcpy(n->u.filter.score_milli, RULE_DEFAULT_MILLI, sizeof RULE_DEFAULT_MILLI);
        n->u.filter.scan_us = 300 * US_PER_MS;
        n->u.filter.max_links = 5;
        n->u.filter.resolver = -1;
        n->u.filter.bayes = true;
        n->u.filter.bayes_min_spam = 200;
        n->u.filter.bayes_min_ham = 200;
        n->u.filter.autolearn = true;
        n->u.filter.autolearn_ham_milli = 100;
        n->u.filter.autolearn_spam_milli = 12000;
        n->u.filter.store = -1;
        break;
    case NODE_STORE: n->u.store.deliver_us = 10 * US_PER_MS; break;
    default: break;
    }
}

int32_t world_add_node(World *w, NodeKind kind, StrId name)
{
    WorldNode *n = append((void **)&w->nodes, &w->node_count, &w->node_cap, sizeof *w->nodes);
    n->kind = kind;
    n->name = name;
    node_defaults(n);
    return (int32_t)(w->node_count - 1);
}

WorldLink *world_add_link(World *w)
{
    WorldLink *l = append((void **)&w->links, &w->link_count, &w->link_cap, sizeof *w->links);
    *l = w->default_link;
    l->implicit = false;
    return l;
}

DnsRecord *world_add_record(World *w)
{
    DnsRecord *r =
        append((void **)&w->records, &w->record_count, &w->record_cap, sizeof *w->records);
    r->ttl_us = 3600 * US_PER_S;
    return r;
}

MessageSpec *world_add_spec(World *w)
{
    return append((void **)&w->specs, &w->spec_count, &w->spec_cap, sizeof *w->specs);
}

Action *world_add_action(World *w)
{
    Action *a = append((void **)&w->actions, &w->action_count, &w->action_cap, sizeof *w->actions);
    a->node = -1;
    a->until_us = INT64_MAX;
    return a;
}

CaptionRule *world_add_caption(World *w)
{
    CaptionRule *c =
        append((void **)&w->captions, &w->caption_count, &w->caption_cap, sizeof *w->captions);
    c->at_us = -1;
    c->kind = -1;
    c->node = -1;
    return c;
}

ExpectMsg *world_add_expect_msg(World *w)
{
    ExpectMsg *e = append((void **)&w->expect_msgs, &w->expect_msg_count, &w->expect_msg_cap,
                          sizeof *w->expect_msgs);
    e->status = ST_ANY;
    e->folder = -1;
    e->attempts_min = e->attempts_max = -1;
    e->final_min_us = e->final_max_us = -1;
    e->fetched = -1;
    e->path_index = w->expect_msg_count - 1;
    return e;
}

ExpectEvent *world_add_expect_event(World *w)
{
    ExpectEvent *e = append((void **)&w->expect_events, &w->expect_event_count,
                            &w->expect_event_cap, sizeof *w->expect_events);
    world_selector_init(&e->sel);
    e->count_min = e->count_max = -1;
    e->path_index = w->expect_event_count - 1;
    return e;
}

void world_selector_init(EventSelector *s)
{
    *s = (EventSelector){ .kind = -1, .qtype = -1, .from = -1, .to = -1 };
}

Question *world_add_question(World *w)
{
    Question *q = append((void **)&w->questions, &w->question_count, &w->question_cap,
                         sizeof *w->questions);
    world_selector_init(&q->before);
    world_selector_init(&q->check);
    q->nth = 1;
    q->path_index = w->question_count - 1;
    return q;
}

StrId *world_strids(World *w, const StrId *ids, uint32_t n)
{
    (void)w;
    StrId *copy = xmalloc(sizeof *copy * (n ? n : 1));
    if (n) {
        memcpy(copy, ids, sizeof *copy * n);
    }
    return copy;
}

int32_t world_find_node(const World *w, const char *name)
{
    StrId id = strpool_find(w->strings, name);
    if (id == UINT32_MAX) {
        return -1;
    }
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (w->nodes[i].name == id) {
            return (int32_t)i;
        }
    }
    return -1;
}

int32_t world_find_client(const World *w, StrId addr)
{
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (w->nodes[i].kind == NODE_CLIENT && w->nodes[i].u.client.address == addr) {
            return (int32_t)i;
        }
    }
    return -1;
}

MailboxCfg *world_find_mailbox(const World *w, int32_t store, StrId addr)
{
    if (store < 0 || w->nodes[store].kind != NODE_STORE) {
        return NULL;
    }
    const StoreCfg *s = &w->nodes[store].u.store;
    for (uint32_t i = 0; i < s->mailbox_count; i++) {
        if (s->mailboxes[i].address == addr) {
            return &s->mailboxes[i];
        }
    }
    return NULL;
}

const WorldLink *world_link(const World *w, int32_t a, int32_t b)
{
    for (uint32_t i = 0; i < w->link_count; i++) {
        const WorldLink *l = &w->links[i];
        if ((l->a == a && l->b == b) || (l->a == b && l->b == a)) {
            return l;
        }
    }
    return &w->default_link;
}

/* Adds a link between a and b unless there is one (`links` holds every pair linked so far). */
static void add_implicit(World *w, PairMap *links, int32_t a, int32_t b)
{
    if (a < 0 || b < 0 || a == b || !pairmap_add(links, a, b, w->link_count)) {
        return;
    }
    WorldLink *l = world_add_link(w);
    l->a = a;
    l->b = b;
    l->implicit = true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Incoming servers whose IP some A record names: an MX or A record of one of their domains may
 * lead to them. Used only to decide which links to draw. served[i] is set for such nodes. */
static void mark_served(const World *w, bool *served)
{
    uint32_t *addrs = xmalloc(sizeof *addrs * (w->record_count + 1u));
    uint32_t n = 0;
    for (uint32_t i = 0; i < w->record_count; i++) {
        if (w->records[i].type == DNS_A) {
            addrs[n++] = w->records[i].addr;
        }
    }
    qsort(addrs, n, sizeof *addrs, cmp_u32);
    for (uint32_t i = 0; i < w->node_count; i++) {
        served[i] = w->nodes[i].kind == NODE_INCOMING &&
                    bsearch(&w->nodes[i].ip, addrs, n, sizeof *addrs, cmp_u32) != NULL;
    }
    free(addrs);
}

static void add_implicit_links(World *w)
{
    bool *served = xmalloc(sizeof *served * (w->node_count + 1u));
    mark_served(w, served);
    PairMap links = { 0 }; /* O(1) a check: a scan per check made large scenarios take minutes */
    for (uint32_t i = 0; i < w->link_count; i++) {
        pairmap_add(&links, w->links[i].a, w->links[i].b, i);
    }
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        int32_t self = (int32_t)i;
        switch (n->kind) {
        case NODE_CLIENT:
            add_implicit(w, &links, self, n->u.client.submit_to);
            add_implicit(w, &links, self, n->u.client.store);
            if (n->u.client.verify_count > 0) {
                /* An address verifier talks to DNS and to every MX itself. */
                add_implicit(w, &links, self, n->u.client.resolver);
                for (uint32_t j = 0; j < w->node_count; j++) {
                    if (served[j]) {
                        add_implicit(w, &links, self, (int32_t)j);
                    }
                }
            }
            break;
        case NODE_OUTGOING:
            add_implicit(w, &links, self, n->u.out.resolver);
            add_implicit(w, &links, self, n->u.out.local_store);
            for (uint32_t j = 0; j < w->node_count; j++) {
                if (served[j]) {
                    add_implicit(w, &links, self, (int32_t)j);
                }
            }
            break;
        case NODE_INCOMING:
            add_implicit(w, &links, self, n->u.in.resolver);
            add_implicit(w, &links, self, n->u.in.filter >= 0 ? n->u.in.filter : n->u.in.store);
            break;
        case NODE_FILTER:
            add_implicit(w, &links, self, n->u.filter.store);
            add_implicit(w, &links, self, n->u.filter.resolver);
            break;
        default: break;
        }
    }
    pairmap_free(&links);
    free(served);
}

/* RFC 5322 headers (~ 600 bytes with a Received chain), body, and attachments in base64 (4/3)
 * with MIME part headers. */
static int64_t spec_size(const World *w, const MessageSpec *s)
{
    int64_t size = 600 + (int64_t)strpool_len(w->strings, s->subject) +
                   (int64_t)strpool_len(w->strings, s->body);
    for (uint32_t i = 0; i < s->attachment_count; i++) {
        size += (s->attachments[i].size_bytes + 2) / 3 * 4 + 200;
    }
    return size;
}

typedef struct {
    int64_t at_us;
    uint32_t index;
} ActionKey;

/* Time, then position in the file: a total order, so the sort is stable whatever qsort does. */
static int cmp_action_key(const void *a, const void *b)
{
    const ActionKey *x = a, *y = b;
    if (x->at_us != y->at_us) {
        return x->at_us < y->at_us ? -1 : 1;
    }
    return (x->index > y->index) - (x->index < y->index);
}

/* Sorts actions by time, keeping the file's order among actions at the same time. */
static void sort_actions(World *w)
{
    uint32_t n = w->action_count;
    ActionKey *keys = xmalloc(sizeof *keys * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = (ActionKey){ w->actions[i].at_us, i };
    }
    qsort(keys, n, sizeof *keys, cmp_action_key);
    Action *sorted = xmalloc(sizeof *sorted * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        sorted[i] = w->actions[keys[i].index];
    }
    free(w->actions);
    w->actions = sorted;
    w->action_cap = n;
    free(keys);
}

StrId world_ptr_name(StrPool *sp, uint32_t ip)
{
    return strpool_internf(sp, "%u.%u.%u.%u.in-addr.arpa", ip & 255, (ip >> 8) & 255,
                           (ip >> 16) & 255, ip >> 24);
}

/* An outgoing server's `rdns` is a PTR record in the DNS data: the receiving side finds it (or
 * NXDOMAIN) by a real look-up. A PTR a world already has for that name is left alone. */
static void add_ptr_records(World *w)
{
    IdMap have = { 0 };
    for (uint32_t i = 0; i < w->record_count; i++) {
        if (w->records[i].type == DNS_PTR) {
            idmap_set(&have, w->records[i].name, (int32_t)i);
        }
    }
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        if (n->kind != NODE_OUTGOING || !n->u.out.rdns || n->ip == 0) {
            continue;
        }
        StrId name = world_ptr_name(w->strings, n->ip);
        if (idmap_get(&have, name) >= 0) {
            continue;
        }
        StrId host = n->name;
        DnsRecord *r = world_add_record(w);
        r->name = name;
        r->type = DNS_PTR;
        r->host = host;
        r->ttl_us = 3600 * US_PER_S;
        idmap_set(&have, name, (int32_t)(w->record_count - 1));
    }
    idmap_free(&have);
}

void world_finalize(World *w)
{
    for (uint32_t i = 0; i < w->spec_count; i++) {
        if (w->specs[i].size_bytes <= 0) {
            w->specs[i].size_bytes = spec_size(w, &w->specs[i]);
        }
    }
    sort_actions(w);
    add_implicit_links(w);
    add_ptr_records(w);
}

bool world_parse_ip(const char *s, uint32_t *out)
{
    uint32_t ip = 0;
    for (int part = 0; part < 4; part++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255) {
                return false;
            }
        }
        ip = ip << 8 | v;
        if (part < 3 && *s++ != '.') {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    *out = ip;
    return true;
}

void world_format_ip(uint32_t ip, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

const char *world_domain_of(const char *address)
{
    const char *at = strrchr(address, '@');
    return at ? at + 1 : "";
}
