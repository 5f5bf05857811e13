/* dnsfail: the DNS failure windows of a trace and the resolvers they show at (see dnsfail.h).
 *
 * Two passes: the (resolver, qname) pairs of every DNS answer, sorted and made unique; then the
 * actions in trace order, each domain's state changing at its dns_failure and dns_failure_end
 * events. A state that ends becomes one window per resolver that asks about the domain.
 */
#include "view/dnsfail.h"

#include "view/spanindex.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define DNSFAIL_QUERY_MAX 32 /* windows copied out per look-up */

/* One domain's state while the actions are walked. */
typedef struct {
    char *domain; /* owned; windows point to it (it never moves, unlike the array) */
    bool failing;
    TraceRcode rcode;
    int64_t from_us;
} DomainState;

struct DnsFail {
    DnsFailWindow *win;
    size_t count, cap;
    DomainState *dom;
    size_t dom_count, dom_cap;
    SpanIndex *open; /* payload: index into win */
};

typedef struct {
    const Trace *tr;
    uint64_t *pairs; /* resolver << 32 | qname StrId, sorted, unique */
    size_t pair_count;
} Asks;

bool dnsfail_temporary(TraceRcode rcode)
{
    return rcode == RCODE_SERVFAIL || rcode == RCODE_TIMEOUT;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void collect_asks(const Trace *tr, Asks *asks)
{
    const TraceEvent *ev = trace_events(tr);
    size_t n = trace_count(tr), cap = 0, count = 0;
    int32_t nodes = (int32_t)trace_node_count(tr);
    uint64_t *pairs = NULL;
    for (size_t i = 0; i < n; i++) {
        const TraceEvent *e = &ev[i];
        if (e->kind != TK_DNS || e->sub != TRACE_ANSWER || e->from < 0 || e->from >= nodes ||
            trace_node(tr, e->from)->kind != NODE_RESOLVER) {
            continue;
        }
        if (count == cap) {
            pairs = xgrow(pairs, &cap, count + 1, sizeof *pairs);
        }
        pairs[count++] = (uint64_t)(uint32_t)e->from << 32 | (uint32_t)e->aux;
    }
    if (count) {
        qsort(pairs, count, sizeof *pairs, cmp_u64);
    }
    size_t unique = 0;
    for (size_t i = 0; i < count; i++) {
        if (unique == 0 || pairs[unique - 1] != pairs[i]) {
            pairs[unique++] = pairs[i];
        }
    }
    *asks = (Asks){ tr, pairs, unique };
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when `name` is `domain` or lies under it ("mx.b.example" under "b.example"); DNS names
 * compare without regard to case. */
static bool name_under(const char *name, const char *domain)
{
    size_t n = strlen(name), d = strlen(domain);
    if (d == 0 || n < d || (n > d && name[n - d - 1] != '.')) {
        return false;
    }
    for (size_t i = 0; i < d; i++) {
        if (lower(name[n - d + i]) != lower(domain[i])) {
            return false;
        }
    }
    return true;
}

/* A failure of `s` over [s->from_us, until_us): one window per resolver asking about it. */
static void close_state(DnsFail *df, const Asks *asks, DomainState *s, int64_t until_us)
{
    if (!s->failing) {
        return;
    }
    s->failing = false;
    if (until_us <= s->from_us) {
        return;
    }
    int64_t last = -1;
    for (size_t i = 0; i < asks->pair_count; i++) {
        int32_t resolver = (int32_t)(asks->pairs[i] >> 32);
        StrId qname = (StrId)(uint32_t)asks->pairs[i];
        if (resolver == last || !name_under(trace_str(asks->tr, qname), s->domain)) {
            continue;
        }
        last = resolver;
        if (df->count == df->cap) {
            df->win = xgrow(df->win, &df->cap, df->count + 1, sizeof *df->win);
        }
        df->win[df->count++] =
            (DnsFailWindow){ s->domain, s->rcode, resolver, s->from_us, until_us };
    }
}

/* The domain an action's text names: the word after its first " for ". */
static DomainState *domain_of(DnsFail *df, const char *text)
{
    const char *p = strstr(text, " for ");
    if (!p) {
        return NULL;
    }
    p += 5;
    size_t len = strcspn(p, " ");
    if (len == 0) {
        return NULL;
    }
    for (size_t i = 0; i < df->dom_count; i++) {
        if (strlen(df->dom[i].domain) == len && memcmp(df->dom[i].domain, p, len) == 0) {
            return &df->dom[i];
        }
    }
    if (df->dom_count == df->dom_cap) {
        df->dom = xgrow(df->dom, &df->dom_cap, df->dom_count + 1, sizeof *df->dom);
    }
    DomainState *s = &df->dom[df->dom_count++];
    *s = (DomainState){ xmalloc(len + 1), false, RCODE_SERVFAIL, 0 };
    memcpy(s->domain, p, len);
    s->domain[len] = '\0';
    return s;
}

/* What a failure's text says the servers do (sim.c's do_dns_failure and on_dns_failure_end). */
static TraceRcode rcode_in(const char *text)
{
    if (strstr(text, "NXDOMAIN")) {
        return RCODE_NXDOMAIN;
    }
    if (strstr(text, "timeout") || strstr(text, "TIMEOUT")) {
        return RCODE_TIMEOUT;
    }
    return RCODE_SERVFAIL;
}

static void walk_action(DnsFail *df, const Asks *asks, const TraceEvent *e)
{
    const Trace *tr = asks->tr;
    const char *aux = trace_str(tr, e->aux);
    bool begins = strcmp(aux, "dns_failure") == 0;
    if (!begins && strcmp(aux, "dns_failure_end") != 0) {
        return;
    }
    const char *text = trace_str(tr, e->text);
    DomainState *s = domain_of(df, text);
    if (!s) {
        return;
    }
    close_state(df, asks, s, e->t_us);
    /* An end that another failure still covers hands the name over to it. */
    if (begins || strstr(text, "still covers it")) {
        s->failing = true;
        s->rcode = rcode_in(text);
        s->from_us = e->t_us;
    }
}

DnsFail *dnsfail_create(const Trace *tr)
{
    DnsFail *df = xcalloc(1, sizeof *df);
    Asks asks;
    collect_asks(tr, &asks);
    const TraceEvent *ev = trace_events(tr);
    size_t n = trace_count(tr);
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == TK_ACTION) {
            walk_action(df, &asks, &ev[i]);
        }
    }
    for (size_t i = 0; i < df->dom_count; i++) {
        close_state(df, &asks, &df->dom[i], INT64_MAX);
    }
    free(asks.pairs);
    df->open = spanindex_create();
    for (size_t i = 0; i < df->count; i++) {
        spanindex_add(df->open, df->win[i].from_us, df->win[i].until_us, (uint32_t)i);
    }
    spanindex_finish(df->open);
    return df;
}

void dnsfail_destroy(DnsFail *df)
{
    if (!df) {
        return;
    }
    for (size_t i = 0; i < df->dom_count; i++) {
        free(df->dom[i].domain);
    }
    free(df->dom);
    free(df->win);
    spanindex_destroy(df->open);
    free(df);
}

size_t dnsfail_count(const DnsFail *df)
{
    return df->count;
}

size_t dnsfail_at(const DnsFail *df, int64_t t_us, const DnsFailWindow **out, size_t cap)
{
    const Span *open[DNSFAIL_QUERY_MAX];
    size_t total = spanindex_query(df->open, t_us, open, DNSFAIL_QUERY_MAX);
    size_t shown = total < DNSFAIL_QUERY_MAX ? total : DNSFAIL_QUERY_MAX;
    for (size_t i = 0; i < shown && i < cap; i++) {
        out[i] = &df->win[open[i]->payload];
    }
    return total;
}
