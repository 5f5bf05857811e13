/* captions: the caption rules applied to a trace (see captions.h).
 *
 * A rule's signature is what it asks of an event: a kind, a message id, an SMTP reply code, a
 * node, each given or not. Rules with the same signature match the same events, so they form one
 * group and share one answer: the first matching event. For each event the groups it could be
 * in are found by filling the signature's given fields from the event, for each combination of
 * given fields some rule uses (the `patterns`); the node field is tried as the event's `from` and
 * as its `to`. */
#include "model/captions.h"

#include "util/sigmap.h"
#include "util/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>

#define NO_EVENT UINT32_MAX

/* Which fields a signature gives: one bit each, so 16 patterns. */
enum { P_KIND = 1, P_MSG = 2, P_CODE = 4, P_NODE = 8, P_COUNT = 16 };

typedef struct {
    int kind;     /* TraceKind, when P_KIND */
    uint32_t msg; /* the message id's StrId in the trace's pool, when P_MSG */
    int32_t code; /* SMTP reply code, when P_CODE */
    int32_t node; /* when P_NODE */
} Fields;

static Sig signature(unsigned pattern, const Fields *f)
{
    Sig s = { (uint64_t)pattern << 48, 0 };
    if (pattern & P_KIND) {
        s.hi |= (uint64_t)(uint32_t)f->kind << 32;
    }
    if (pattern & P_CODE) {
        s.hi |= (uint32_t)f->code;
    }
    if (pattern & P_MSG) {
        s.lo |= (uint64_t)f->msg << 32;
    }
    if (pattern & P_NODE) {
        s.lo |= (uint32_t)f->node;
    }
    return s;
}

/* The first event at or after t_us, or NO_EVENT: events are in time order. */
static uint32_t first_at(const TraceEvent *evs, size_t n, int64_t t_us)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (evs[mid].t_us < t_us) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n ? (uint32_t)lo : NO_EVENT;
}

typedef struct {
    SigMap groups;      /* signature -> group */
    uint32_t *first;    /* per group: its first matching event, or NO_EVENT */
    size_t first_cap;
    uint32_t count;     /* groups */
    uint32_t open;      /* groups still without an event */
    bool patterns[P_COUNT];
} Groups;

/* The group of rule c, or NO_EVENT for a rule no event can match (a message id the trace does
 * not hold). */
static uint32_t group_of(Groups *g, const World *w, const Trace *tr, const CaptionRule *c)
{
    unsigned pattern = 0;
    Fields f = { 0 };
    if (c->kind >= 0) {
        pattern |= P_KIND;
        f.kind = c->kind;
    }
    if (c->msg != STR_EMPTY) {
        StrId id = strpool_find(trace_strings_const(tr), strpool_get(w->strings, c->msg));
        if (id == UINT32_MAX) {
            return NO_EVENT;
        }
        pattern |= P_MSG;
        f.msg = id;
    }
    if (c->code) {
        pattern |= P_CODE;
        f.code = c->code;
    }
    if (c->node >= 0) {
        pattern |= P_NODE;
        f.node = c->node;
    }
    uint32_t group = sigmap_get_or_add(&g->groups, signature(pattern, &f), g->count);
    if (group == g->count) {
        g->first = xgrow(g->first, &g->first_cap, g->count + 1, sizeof *g->first);
        g->first[g->count++] = NO_EVENT;
        g->open++;
        g->patterns[pattern] = true;
    }
    return group;
}

static void claim(Groups *g, Sig s, uint32_t event)
{
    uint32_t group = sigmap_get(&g->groups, s);
    if (group != SIGMAP_NONE && g->first[group] == NO_EVENT) {
        g->first[group] = event;
        g->open--;
    }
}

/* Gives event i to every group still open that it matches. */
static void offer(Groups *g, const Trace *tr, const TraceEvent *ev, uint32_t i)
{
    bool answer = ev->kind == TK_SMTP && ev->sub == TRACE_ANSWER;
    Fields f = { .kind = (int)ev->kind,
                 .msg = ev->msg != TRACE_NONE ? trace_msg(tr, ev->msg)->id : 0,
                 .code = ev->num };
    for (unsigned p = 0; p < P_COUNT; p++) {
        if (!g->patterns[p] || ((p & P_MSG) && ev->msg == TRACE_NONE) ||
            ((p & P_CODE) && !answer)) {
            continue;
        }
        if (!(p & P_NODE)) {
            claim(g, signature(p, &f), i);
            continue;
        }
        if (ev->from != TRACE_NONE) {
            f.node = ev->from;
            claim(g, signature(p, &f), i);
        }
        if (ev->to != TRACE_NONE && ev->to != ev->from) {
            f.node = ev->to;
            claim(g, signature(p, &f), i);
        }
    }
}

typedef struct {
    uint32_t event, rule;
} Hit;

static int hit_order(const void *a, const void *b)
{
    const Hit *x = a, *y = b;
    if (x->event != y->event) {
        return x->event < y->event ? -1 : 1;
    }
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

void captions_apply(const World *w, Trace *tr)
{
    const TraceEvent *evs = trace_events(tr);
    size_t n = trace_count(tr);
    Groups g = { 0 };
    uint32_t *group = xmalloc((w->caption_count ? w->caption_count : 1) * sizeof *group);
    for (uint32_t r = 0; r < w->caption_count; r++) {
        const CaptionRule *c = &w->captions[r];
        group[r] = c->at_us >= 0 ? NO_EVENT : group_of(&g, w, tr, c);
    }
    for (size_t i = 0; i < n && g.open > 0; i++) {
        offer(&g, tr, &evs[i], (uint32_t)i);
    }
    /* Captions are set in event order, so each lands at the end of the trace's sorted caption
     * array; for one event, in rule order, so the later rule's text stays. */
    Hit *hits = xmalloc((w->caption_count ? w->caption_count : 1) * sizeof *hits);
    size_t nhits = 0;
    for (uint32_t r = 0; r < w->caption_count; r++) {
        const CaptionRule *c = &w->captions[r];
        uint32_t event = c->at_us >= 0              ? first_at(evs, n, c->at_us)
                         : group[r] != NO_EVENT ? g.first[group[r]]
                                                : NO_EVENT;
        if (event != NO_EVENT) {
            hits[nhits++] = (Hit){ event, r };
        }
    }
    qsort(hits, nhits, sizeof *hits, hit_order);
    for (size_t k = 0; k < nhits; k++) {
        const CaptionRule *c = &w->captions[hits[k].rule];
        trace_set_caption(tr, hits[k].event,
                          strpool_intern(trace_strings(tr), strpool_get(w->strings, c->text)));
    }
    free(hits);
    free(group);
    free(g.first);
    sigmap_free(&g.groups);
}
