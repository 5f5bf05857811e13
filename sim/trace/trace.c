/* trace: the append-only run record (see trace.h). Plain growable arrays; no per-event malloc. */
#include "trace/trace.h"

#include "util/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(TraceEvent) == 40, "TraceEvent is meant to be 40 bytes");
_Static_assert(TK_KIND_COUNT <= 32 && CONN_QUEUED < 8 && FOLDER_JUNK < 8 && VERIFY_COUNT <= 8,
               "TraceEvent's kind and sub bit-fields are too narrow");
_Static_assert((TRACE_F_CACHED | TRACE_F_REJECT) < 4, "TraceEvent's flags bit-field is too narrow");

struct Trace {
    StrPool *strings;
    StrId scenario, title, lesson;
    uint64_t seed;
    TraceEvent *events;
    size_t count, cap;
    TraceNode *nodes;
    size_t node_count, node_cap;
    TraceLink *links;
    size_t link_count, link_cap;
    TraceMsg *msgs;
    size_t msg_count, msg_cap;
    StrId *rcpts;
    size_t rcpt_count, rcpt_cap;
    TraceCaption *captions; /* sorted by event index */
    size_t caption_count, caption_cap;
    int64_t end_us; /* latest event time or arrival of anything travelling */
};

Trace *trace_create(void)
{
    Trace *tr = xcalloc(1, sizeof *tr);
    tr->strings = strpool_create();
    return tr;
}

void trace_destroy(Trace *tr)
{
    if (!tr) {
        return;
    }
    strpool_destroy(tr->strings);
    free(tr->events);
    free(tr->nodes);
    free(tr->links);
    free(tr->msgs);
    free(tr->rcpts);
    free(tr->captions);
    free(tr);
}

StrPool *trace_strings(Trace *tr)
{
    return tr->strings;
}

const StrPool *trace_strings_const(const Trace *tr)
{
    return tr->strings;
}

const char *trace_str(const Trace *tr, StrId id)
{
    return strpool_get(tr->strings, id);
}

void trace_set_meta(Trace *tr, const char *scenario, const char *title, const char *lesson,
                    uint64_t seed)
{
    tr->scenario = strpool_intern(tr->strings, scenario ? scenario : "");
    tr->title = strpool_intern(tr->strings, title ? title : "");
    tr->lesson = strpool_intern(tr->strings, lesson ? lesson : "");
    tr->seed = seed;
}

const char *trace_scenario(const Trace *tr)
{
    return trace_str(tr, tr->scenario);
}

const char *trace_title(const Trace *tr)
{
    return trace_str(tr, tr->title);
}

const char *trace_lesson(const Trace *tr)
{
    return trace_str(tr, tr->lesson);
}

uint64_t trace_seed(const Trace *tr)
{
    return tr->seed;
}

int32_t trace_add_node(Trace *tr, const TraceNode *node)
{
    assert(tr->node_count < TRACE_MAX_NODES && "events hold node indices in 16 bits");
    if (tr->node_count == tr->node_cap) {
        tr->nodes = xgrow(tr->nodes, &tr->node_cap, tr->node_count + 1, sizeof *tr->nodes);
    }
    tr->nodes[tr->node_count] = *node;
    return (int32_t)tr->node_count++;
}

int32_t trace_add_link(Trace *tr, const TraceLink *link)
{
    assert(link->a >= 0 && (size_t)link->a < tr->node_count);
    assert(link->b >= 0 && (size_t)link->b < tr->node_count);
    if (tr->link_count == tr->link_cap) {
        tr->links = xgrow(tr->links, &tr->link_cap, tr->link_count + 1, sizeof *tr->links);
    }
    tr->links[tr->link_count] = *link;
    return (int32_t)tr->link_count++;
}

size_t trace_node_count(const Trace *tr)
{
    return tr->node_count;
}

const TraceNode *trace_node(const Trace *tr, int32_t i)
{
    assert(i >= 0 && (size_t)i < tr->node_count);
    return &tr->nodes[i];
}

size_t trace_link_count(const Trace *tr)
{
    return tr->link_count;
}

const TraceLink *trace_link(const Trace *tr, int32_t i)
{
    assert(i >= 0 && (size_t)i < tr->link_count);
    return &tr->links[i];
}

int32_t trace_find_node(const Trace *tr, const char *name)
{
    StrId id = strpool_find(tr->strings, name);
    if (id == UINT32_MAX) {
        return TRACE_NONE;
    }
    for (size_t i = 0; i < tr->node_count; i++) {
        if (tr->nodes[i].name == id) {
            return (int32_t)i;
        }
    }
    return TRACE_NONE;
}

int32_t trace_add_msg(Trace *tr, const TraceMsg *msg, const StrId *rcpts, uint32_t n)
{
    if (tr->msg_count == tr->msg_cap) {
        tr->msgs = xgrow(tr->msgs, &tr->msg_cap, tr->msg_count + 1, sizeof *tr->msgs);
    }
    if (tr->rcpt_count + n > tr->rcpt_cap) {
        tr->rcpts = xgrow(tr->rcpts, &tr->rcpt_cap, tr->rcpt_count + n, sizeof *tr->rcpts);
    }
    TraceMsg *m = &tr->msgs[tr->msg_count];
    *m = *msg;
    m->rcpt_first = (uint32_t)tr->rcpt_count;
    m->rcpt_count = n;
    if (n) {
        memcpy(tr->rcpts + tr->rcpt_count, rcpts, n * sizeof *rcpts);
    }
    tr->rcpt_count += n;
    return (int32_t)tr->msg_count++;
}

size_t trace_msg_count(const Trace *tr)
{
    return tr->msg_count;
}

const TraceMsg *trace_msg(const Trace *tr, int32_t i)
{
    assert(i >= 0 && (size_t)i < tr->msg_count);
    return &tr->msgs[i];
}

StrId trace_msg_rcpt(const Trace *tr, int32_t msg, uint32_t k)
{
    const TraceMsg *m = trace_msg(tr, msg);
    assert(k < m->rcpt_count);
    return tr->rcpts[m->rcpt_first + k];
}

int32_t trace_find_msg(const Trace *tr, const char *id)
{
    StrId s = strpool_find(tr->strings, id);
    if (s == UINT32_MAX) {
        return TRACE_NONE;
    }
    for (size_t i = 0; i < tr->msg_count; i++) {
        if (tr->msgs[i].id == s) {
            return (int32_t)i;
        }
    }
    return TRACE_NONE;
}

uint32_t trace_append(Trace *tr, const TraceEvent *ev)
{
    assert(tr->count == 0 || ev->t_us >= tr->events[tr->count - 1].t_us);
    assert(ev->arrive_us == TRACE_NO_TIME || ev->arrive_us >= ev->t_us);
    if (tr->count == tr->cap) {
        tr->events = xgrow(tr->events, &tr->cap, tr->count + 1, sizeof *tr->events);
    }
    tr->events[tr->count] = *ev;
    /* A deferral's arrive_us is its next try, not a journey: it does not extend the run. */
    int64_t end = ev->arrive_us != TRACE_NO_TIME && ev->kind != TK_DEFER ? ev->arrive_us : ev->t_us;
    tr->end_us = end > tr->end_us ? end : tr->end_us;
    return (uint32_t)tr->count++;
}

size_t trace_count(const Trace *tr)
{
    return tr->count;
}

const TraceEvent *trace_events(const Trace *tr)
{
    return tr->events;
}

int64_t trace_end_time(const Trace *tr)
{
    return tr->end_us;
}

static size_t caption_lower_bound(const Trace *tr, uint32_t event)
{
    size_t lo = 0, hi = tr->caption_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->captions[mid].event < event) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

void trace_set_caption(Trace *tr, uint32_t event, StrId text)
{
    size_t i = caption_lower_bound(tr, event);
    if (i < tr->caption_count && tr->captions[i].event == event) {
        tr->captions[i].text = text;
        return;
    }
    if (tr->caption_count == tr->caption_cap) {
        tr->captions =
            xgrow(tr->captions, &tr->caption_cap, tr->caption_count + 1, sizeof *tr->captions);
    }
    memmove(tr->captions + i + 1, tr->captions + i,
            (tr->caption_count - i) * sizeof *tr->captions);
    tr->captions[i] = (TraceCaption){ event, text };
    tr->caption_count++;
}

StrId trace_caption(const Trace *tr, uint32_t event)
{
    size_t i = caption_lower_bound(tr, event);
    if (i < tr->caption_count && tr->captions[i].event == event) {
        return tr->captions[i].text;
    }
    return STR_EMPTY;
}

size_t trace_caption_count(const Trace *tr)
{
    return tr->caption_count;
}

const TraceCaption *trace_captions(const Trace *tr)
{
    return tr->captions;
}

TraceEvent trace_event_init(TraceKind kind, int64_t t_us)
{
    TraceEvent ev = { 0 };
    ev.t_us = t_us;
    ev.arrive_us = TRACE_NO_TIME;
    ev.msg = TRACE_NONE;
    ev.from = TRACE_NONE;
    ev.to = TRACE_NONE;
    ev.kind = (uint8_t)kind;
    return ev;
}

/* Name tables: index = enum value. */
static const char *const KIND_NAMES[TK_KIND_COUNT] = {
    "compose", "header", "hop",    "queue",   "conn",  "smtp",  "dns",   "sent",   "defer",
    "retry",   "bounce", "warning", "spam", "deliver", "fetch", "move", "learn", "action",
    "report",  "verify",
};
static const char *const NODE_KIND_NAMES[NODE_KIND_COUNT] = {
    "client", "outgoing", "resolver", "incoming", "filter", "store",
};
static const char *const FOLDER_NAMES[] = { "null", "inbox", "junk" };
static const char *const RCODE_NAMES[RCODE_COUNT] = { "NOERROR", "NXDOMAIN", "SERVFAIL",
                                                      "TIMEOUT" };
static const char *const QTYPE_NAMES[QTYPE_COUNT] = { "A", "MX", "PTR", "TXT", "AAAA" };
static const char *const CONN_NAMES[] = { "open", "refused", "timeout", "closed", "queued" };
static const char *const ACTION_NAMES[] = { "failed", "delayed" };
static const char *const VERIFY_NAMES[VERIFY_COUNT] = { "deliverable", "invalid", "risky",
                                                        "unknown" };

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

const char *trace_kind_name(TraceKind kind)
{
    return (unsigned)kind < TK_KIND_COUNT ? KIND_NAMES[kind] : "?";
}

const char *trace_node_kind_name(NodeKind kind)
{
    return (unsigned)kind < NODE_KIND_COUNT ? NODE_KIND_NAMES[kind] : "?";
}

const char *trace_folder_name(TraceFolder f)
{
    return (int)f < COUNT_OF(FOLDER_NAMES) ? FOLDER_NAMES[f] : "?";
}

const char *trace_rcode_name(TraceRcode r)
{
    return (unsigned)r < RCODE_COUNT ? RCODE_NAMES[r] : "?";
}

const char *trace_qtype_name(TraceQtype q)
{
    return (unsigned)q < QTYPE_COUNT ? QTYPE_NAMES[q] : "?";
}

const char *trace_conn_name(TraceConn c)
{
    return (int)c < COUNT_OF(CONN_NAMES) ? CONN_NAMES[c] : "?";
}

const char *trace_dsn_action_name(TraceDsnAction a)
{
    return (int)a < COUNT_OF(ACTION_NAMES) ? ACTION_NAMES[a] : "?";
}

const char *trace_verify_name(TraceVerifyVerdict v)
{
    return (unsigned)v < VERIFY_COUNT ? VERIFY_NAMES[v] : "?";
}

int trace_dsn_action_from_name(const char *name)
{
    return name_index(ACTION_NAMES, COUNT_OF(ACTION_NAMES), name);
}

int trace_verify_from_name(const char *name)
{
    return name_index(VERIFY_NAMES, VERIFY_COUNT, name);
}

/* Reads 1..max_digits decimal digits at *p (no sign, no leading '+'), advancing *p. */
static bool read_digits(const char **p, int max_digits, int32_t *out)
{
    int n = 0;
    int32_t v = 0;
    while (n < max_digits && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n > 0 && !(**p >= '0' && **p <= '9');
}

int32_t trace_dsn_pack(const char *s)
{
    const char *p = s;
    int32_t cls, subject, detail;
    if (!read_digits(&p, 1, &cls) || *p++ != '.' || !read_digits(&p, 2, &subject) ||
        *p++ != '.' || !read_digits(&p, 3, &detail) || *p != '\0') {
        return 0;
    }
    if (cls != 2 && cls != 4 && cls != 5) {
        return 0;
    }
    return cls * 100000 + subject * 1000 + detail;
}

const char *trace_dsn_format(int32_t code, char *buf)
{
    if (code <= 0) {
        buf[0] = '\0';
        return buf;
    }
    uint32_t c = (uint32_t)code;
    snprintf(buf, TRACE_DSN_BUF, "%u.%u.%u", (unsigned)(c / 100000u % 10u),
             (unsigned)(c / 1000u % 100u), (unsigned)(c % 1000u));
    return buf;
}

int trace_kind_from_name(const char *name)
{
    return name_index(KIND_NAMES, TK_KIND_COUNT, name);
}

int trace_node_kind_from_name(const char *name)
{
    return name_index(NODE_KIND_NAMES, NODE_KIND_COUNT, name);
}

int trace_folder_from_name(const char *name)
{
    return name_index(FOLDER_NAMES, COUNT_OF(FOLDER_NAMES), name);
}

int trace_rcode_from_name(const char *name)
{
    return name_index(RCODE_NAMES, RCODE_COUNT, name);
}

int trace_qtype_from_name(const char *name)
{
    return name_index(QTYPE_NAMES, QTYPE_COUNT, name);
}

int trace_conn_from_name(const char *name)
{
    return name_index(CONN_NAMES, COUNT_OF(CONN_NAMES), name);
}

void trace_shrink(Trace *tr)
{
    if (tr->count > 0 && tr->count < tr->cap) {
        tr->events = xrealloc(tr->events, tr->count * sizeof *tr->events);
        tr->cap = tr->count;
    }
    if (tr->msg_count > 0 && tr->msg_count < tr->msg_cap) {
        tr->msgs = xrealloc(tr->msgs, tr->msg_count * sizeof *tr->msgs);
        tr->msg_cap = tr->msg_count;
    }
    if (tr->rcpt_count > 0 && tr->rcpt_count < tr->rcpt_cap) {
        tr->rcpts = xrealloc(tr->rcpts, tr->rcpt_count * sizeof *tr->rcpts);
        tr->rcpt_cap = tr->rcpt_count;
    }
}

size_t trace_memory_bytes(const Trace *tr)
{
    return sizeof *tr + tr->cap * sizeof *tr->events + tr->node_cap * sizeof *tr->nodes +
           tr->link_cap * sizeof *tr->links + tr->msg_cap * sizeof *tr->msgs +
           tr->rcpt_cap * sizeof *tr->rcpts + tr->caption_cap * sizeof *tr->captions +
           strpool_bytes(tr->strings);
}
