/* expect: the scenario's expectations checked against a run (see expect.h).
 *
 * Both kinds of expectation are looked up, not scanned for: the summary's rows are sorted by
 * message id once, so a message expectation reads only its message's rows; event expectations
 * are grouped by what they ask of an event besides its text (kind, message, from, to, code or
 * qtype), and each event is counted into the few groups it could be in (at most 32 look-ups).
 * An expectation's own text_contains is then checked on the events of its group only, and all of
 * a group's distinct texts at once: one automaton (util/multimatch.h) holds every group's needles
 * as a set of its own, so an event's text is read once per group it is in, however many needles
 * that group has. */
#include "text/expect.h"
#include "text/ask.h"
#include "text/evmatch.h"

#include "util/multimatch.h"
#include "util/sigmap.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *wstr(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void report(FILE *out, int *unmet, const char *fmt, ...)
{
    (*unmet)++;
    if (!out) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

static void seconds(int64_t us, char *buf, size_t size)
{
    if (us < 0) {
        snprintf(buf, size, "never");
    } else {
        snprintf(buf, size, "%" PRId64 ".%03" PRId64 " s", us / 1000000, us % 1000000 / 1000);
    }
}

static void check_row(const World *w, const Trace *tr, const ExpectMsg *e, const SummaryRow *r,
                      FILE *out, int *unmet)
{
    char where[96], a[32], b[32];
    snprintf(where, sizeof where, "$.expect.messages[%u] (%s \u2192 %s)", e->path_index,
             trace_str(tr, trace_msg(tr, r->msg)->id), trace_str(tr, r->rcpt));
    const char *reply = r->reply ? trace_str(tr, r->reply) : "none";
    if (e->status != ST_ANY && (int)r->status != e->status) {
        report(out, unmet, "%s: status is \"%s\", expected \"%s\" (last reply: %s)", where,
               world_status_name(r->status), world_status_name((RcptStatus)e->status), reply);
    }
    if (e->folder >= 0 && (int)r->folder != e->folder) {
        report(out, unmet, "%s: folder is %s, expected %s", where, trace_folder_name(r->folder),
               trace_folder_name((TraceFolder)e->folder));
    }
    if (e->attempts_min >= 0 && (int64_t)r->attempts < e->attempts_min) {
        report(out, unmet, "%s: %u delivery attempts, expected at least %d", where, r->attempts,
               e->attempts_min);
    }
    if (e->attempts_max >= 0 && (int64_t)r->attempts > e->attempts_max) {
        report(out, unmet, "%s: %u delivery attempts, expected at most %d", where, r->attempts,
               e->attempts_max);
    }
    seconds(r->final_us, a, sizeof a);
    if (e->final_min_us >= 0 && (r->final_us < 0 || r->final_us < e->final_min_us)) {
        seconds(e->final_min_us, b, sizeof b);
        report(out, unmet, "%s: final at %s, expected at or after %s", where, a, b);
    }
    if (e->final_max_us >= 0 && (r->final_us < 0 || r->final_us > e->final_max_us)) {
        seconds(e->final_max_us, b, sizeof b);
        report(out, unmet, "%s: final at %s, expected at or before %s", where, a, b);
    }
    if (e->reply_contains != STR_EMPTY &&
        (!r->reply || !strstr(trace_str(tr, r->reply), wstr(w, e->reply_contains)))) {
        report(out, unmet, "%s: last reply is \"%s\", expected it to contain \"%s\"", where, reply,
               wstr(w, e->reply_contains));
    }
    if (e->fetched >= 0 && r->fetched != (e->fetched == 1)) {
        report(out, unmet, "%s: %s fetched by the recipient's client, expected %s", where,
               r->fetched ? "was" : "was not", e->fetched ? "fetched" : "not fetched");
    }
}

/* The summary's rows by message id: row indices sorted by (id, row), so the rows of one message
 * are a range, in summary order. */
typedef struct {
    StrId id;     /* trace pool */
    uint32_t row;
} RowKey;

static int row_key_order(const void *a, const void *b)
{
    const RowKey *x = a, *y = b;
    if (x->id != y->id) {
        return x->id < y->id ? -1 : 1;
    }
    return x->row < y->row ? -1 : x->row > y->row;
}

static RowKey *index_rows(const Trace *tr, const Summary *s)
{
    RowKey *keys = xmalloc((s->count ? s->count : 1) * sizeof *keys);
    for (size_t i = 0; i < s->count; i++) {
        keys[i] = (RowKey){ trace_msg(tr, s->rows[i].msg)->id, (uint32_t)i };
    }
    qsort(keys, s->count, sizeof *keys, row_key_order);
    return keys;
}

/* The first key of message id `id` (a trace StrId), or s->count. */
static size_t first_row_of(const RowKey *keys, size_t n, StrId id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void check_msg(const World *w, const Trace *tr, const Summary *s, const RowKey *keys,
                      const ExpectMsg *e, FILE *out, int *unmet)
{
    size_t matched = 0;
    /* Equal strings have one StrId in a pool; a message id the trace lacks matches no row. */
    StrId id = strpool_find(trace_strings_const(tr), wstr(w, e->msg));
    for (size_t k = id == UINT32_MAX ? s->count : first_row_of(keys, s->count, id);
         k < s->count && keys[k].id == id; k++) {
        const SummaryRow *r = &s->rows[keys[k].row];
        if (e->rcpt != STR_EMPTY && strcmp(trace_str(tr, r->rcpt), wstr(w, e->rcpt)) != 0) {
            continue;
        }
        matched++;
        check_row(w, tr, e, r, out, unmet);
    }
    if (matched == 0) {
        char have[512] = "";
        size_t n = 0;
        for (size_t m = 0; m < trace_msg_count(tr) && n < sizeof have - 1; m++) {
            n += (size_t)snprintf(have + n, sizeof have - n, "%s%s", m ? ", " : "",
                                  trace_str(tr, trace_msg(tr, (int32_t)m)->id));
        }
        report(out, unmet, "$.expect.messages[%u]: no message \"%s\"%s%s%s in the run; messages: %s",
               e->path_index, wstr(w, e->msg), e->rcpt ? " to <" : "", e->rcpt ? wstr(w, e->rcpt) : "",
               e->rcpt ? ">" : "", n ? have : "none");
    }
}

/* ---- counting events by signature ---- */

/* Which fields an event expectation asks for, besides its text: one bit each. */
enum { P_KIND = 1, P_MSG = 2, P_FROM = 4, P_TO = 8, P_CODE = 16, P_QTYPE = 32, P_COUNT = 64 };

typedef struct {
    int kind;
    StrId msg; /* trace pool */
    int32_t from, to;
    int32_t num; /* the SMTP code (P_CODE) or the DNS qtype (P_QTYPE) */
} Fields;

static Sig signature(unsigned pattern, const Fields *f)
{
    Sig s = { (uint64_t)pattern << 56, 0 };
    if (pattern & P_KIND) {
        s.hi |= (uint64_t)(uint8_t)f->kind << 48;
    }
    if (pattern & (P_CODE | P_QTYPE)) {
        s.hi |= (uint32_t)f->num;
    }
    if (pattern & P_MSG) {
        s.lo |= (uint64_t)f->msg << 32;
    }
    if (pattern & P_FROM) {
        s.lo |= (uint64_t)(uint16_t)f->from << 16;
    }
    if (pattern & P_TO) {
        s.lo |= (uint16_t)f->to;
    }
    return s;
}

/* One group: the expectations with one signature. Its needles are their distinct text_contains
 * (STR_EMPTY for none, world pool), each with the count of matching events that contain it. */
typedef struct {
    uint32_t first, count; /* range in Counter.needles */
} Group;

typedef struct {
    SigMap by_sig;     /* signature -> group */
    Group *groups;
    size_t group_count, group_cap;
    StrId *needles;    /* per group, a range */
    int64_t *counts;   /* per needle */
    MultiMatch *match; /* needle k in set (group) of k */
    bool patterns[P_COUNT];
} Counter;

typedef struct {
    uint32_t group;    /* or SIGMAP_NONE: no event can match */
    StrId needle;
    uint32_t order;    /* the expectation's index */
} Member;

static int member_order(const void *a, const void *b)
{
    const Member *x = a, *y = b;
    if (x->group != y->group) {
        return x->group < y->group ? -1 : 1;
    }
    if (x->needle != y->needle) {
        return x->needle < y->needle ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The group of e, or SIGMAP_NONE for an expectation no event can match: a message id the trace
 * does not hold, or both a code (SMTP) and a qtype (DNS). */
static uint32_t group_of(Counter *c, const World *w, const Trace *tr, const ExpectEvent *ee)
{
    const EventSelector *e = &ee->sel;
    unsigned pattern = 0;
    Fields f = { 0 };
    if (e->kind >= 0) {
        pattern |= P_KIND;
        f.kind = e->kind;
    }
    if (e->msg != STR_EMPTY) {
        f.msg = strpool_find(trace_strings_const(tr), wstr(w, e->msg));
        if (f.msg == UINT32_MAX) {
            return SIGMAP_NONE;
        }
        pattern |= P_MSG;
    }
    if (e->from >= 0) {
        pattern |= P_FROM;
        f.from = e->from;
    }
    if (e->to >= 0) {
        pattern |= P_TO;
        f.to = e->to;
    }
    if (e->code && e->qtype >= 0) {
        return SIGMAP_NONE;
    }
    if (e->code) {
        pattern |= P_CODE;
        f.num = e->code;
    }
    if (e->qtype >= 0) {
        pattern |= P_QTYPE;
        f.num = e->qtype;
    }
    uint32_t g = sigmap_get_or_add(&c->by_sig, signature(pattern, &f), (uint32_t)c->group_count);
    if (g == c->group_count) {
        c->groups = xgrow(c->groups, &c->group_cap, c->group_count + 1, sizeof *c->groups);
        c->groups[c->group_count++] = (Group){ 0, 0 };
        c->patterns[pattern] = true;
    }
    return g;
}

static void count_needle(void *counts, uint32_t needle)
{
    ((int64_t *)counts)[needle]++;
}

/* Counts event ev into every group it matches, for each needle its text contains. */
static void count_event(Counter *c, const Trace *tr, const TraceEvent *ev)
{
    const char *text = trace_str(tr, ev->text);
    size_t len = strlen(text);
    Fields f = { .kind = (int)ev->kind,
                 .msg = ev->msg != TRACE_NONE ? trace_msg(tr, ev->msg)->id : 0,
                 .from = ev->from,
                 .to = ev->to,
                 .num = ev->num };
    bool answer = ev->kind == TK_SMTP && ev->sub == TRACE_ANSWER;
    for (unsigned p = 0; p < P_COUNT; p++) {
        if (!c->patterns[p] || ((p & P_MSG) && ev->msg == TRACE_NONE) ||
            ((p & P_FROM) && ev->from == TRACE_NONE) || ((p & P_TO) && ev->to == TRACE_NONE) ||
            ((p & P_CODE) && !answer) || ((p & P_QTYPE) && ev->kind != TK_DNS)) {
            continue;
        }
        uint32_t g = sigmap_get(&c->by_sig, signature(p, &f));
        if (g == SIGMAP_NONE) {
            continue;
        }
        multimatch_scan(c->match, g, text, len, count_needle, c->counts);
    }
}

/* count[i]: the events matching w->expect_events[i]. */
static void count_matches(const World *w, const Trace *tr, int64_t *count)
{
    uint32_t n = w->expect_event_count;
    Counter c = { 0 };
    Member *members = xmalloc((n ? n : 1) * sizeof *members);
    for (uint32_t i = 0; i < n; i++) {
        const ExpectEvent *e = &w->expect_events[i];
        members[i] = (Member){ group_of(&c, w, tr, e), e->sel.text_contains, i };
    }
    /* Each group's distinct needles, as a range; needle_of[i]: expectation i's needle. */
    qsort(members, n, sizeof *members, member_order);
    c.needles = xmalloc((n ? n : 1) * sizeof *c.needles);
    c.counts = xcalloc(n ? n : 1, sizeof *c.counts);
    uint32_t *needle_of = xmalloc((n ? n : 1) * sizeof *needle_of);
    uint32_t needles = 0;
    for (uint32_t k = 0; k < n; k++) {
        const Member *m = &members[k];
        if (m->group == SIGMAP_NONE) {
            needle_of[m->order] = UINT32_MAX;
            continue;
        }
        Group *g = &c.groups[m->group];
        if (g->count == 0 || c.needles[needles - 1] != m->needle) {
            if (g->count == 0) {
                g->first = needles;
            }
            c.needles[needles++] = m->needle;
            g->count++;
        }
        needle_of[m->order] = needles - 1;
    }
    const char **texts = xmalloc((needles ? needles : 1) * sizeof *texts);
    uint32_t *group_of_needle = xmalloc((needles ? needles : 1) * sizeof *group_of_needle);
    for (uint32_t g = 0; g < c.group_count; g++) {
        for (uint32_t k = c.groups[g].first; k < c.groups[g].first + c.groups[g].count; k++) {
            texts[k] = wstr(w, c.needles[k]);
            group_of_needle[k] = g;
        }
    }
    c.match = multimatch_create(texts, group_of_needle, needles,
                                c.group_count ? (uint32_t)c.group_count : 1);
    free(texts);
    free(group_of_needle);
    const TraceEvent *evs = trace_events(tr);
    for (size_t k = 0; k < trace_count(tr) && c.group_count > 0; k++) {
        count_event(&c, tr, &evs[k]);
    }
    for (uint32_t i = 0; i < n; i++) {
        count[i] = needle_of[i] == UINT32_MAX ? 0 : c.counts[needle_of[i]];
    }
    free(needle_of);
    free(members);
    free(c.needles);
    free(c.counts);
    free(c.groups);
    multimatch_destroy(c.match);
    sigmap_free(&c.by_sig);
}

int expect_check(const World *w, const Trace *tr, const Summary *s, FILE *out)
{
    int unmet = 0;
    RowKey *keys = index_rows(tr, s);
    for (uint32_t i = 0; i < w->expect_msg_count; i++) {
        check_msg(w, tr, s, keys, &w->expect_msgs[i], out, &unmet);
    }
    free(keys);
    int64_t *counts = xmalloc((w->expect_event_count ? w->expect_event_count : 1) * sizeof *counts);
    count_matches(w, tr, counts);
    for (uint32_t i = 0; i < w->expect_event_count; i++) {
        const ExpectEvent *e = &w->expect_events[i];
        int64_t count = counts[i];
        char what[512];
        evmatch_describe(w, &e->sel, what, sizeof what);
        if (e->count_min >= 0 && count < e->count_min) {
            report(out, &unmet, "$.expect.events[%u] (%s): %" PRId64 " matching events, expected at least %" PRId64,
                   e->path_index, what, count, e->count_min);
        }
        if (e->count_max >= 0 && count > e->count_max) {
            report(out, &unmet, "$.expect.events[%u] (%s): %" PRId64 " matching events, expected at most %" PRId64,
                   e->path_index, what, count, e->count_max);
        }
    }
    free(counts);
    return unmet + ask_check(w, tr, out);
}
