/* ladder: the sequence diagram of one message's journey, built from the trace (see ladder.h).
 *
 * Three steps: pick the events (the message, its bounce, the mailbox sessions that download
 * them), turn each into a row on the lanes it joins (inserting gap rows where time jumps), then
 * lay the figure out: lane spacing from the labels that must fit between neighbours, labels
 * wrapped to the room they get, rows stacked downward.
 */
#include "view/ladder.h"

#include "mail/smtp.h"

#include "util/fmt.h"
#include "util/strpool.h"
#include "util/xalloc.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Geometry, in units. */
#define MARGIN 20.0f
#define TITLE_H 40.0f
#define HEAD_H 62.0f
#define HEAD_PAD 6.0f       /* inside a header box, each side */
#define HEAD_MIN_W 130.0f
#define HEAD_MAX_W 180.0f
#define LANE_SPACE 10.0f    /* between two neighbouring header boxes, at the least */
#define GAP_MAX 420.0f      /* the widest two neighbouring lanes are set apart */
#define TIME_PAD 14.0f      /* after the widest time */
#define ROW_PAD 8.0f        /* above a label, and below an arrow */
#define ARROW_SPACE 18.0f   /* from a label's last line down to its arrow */
#define LABEL_PAD 12.0f     /* a label keeps this far from the lanes at its ends... */
#define OVERHANG 0.45f      /* ...or reaches past them by up to this much of the narrowest gap,
                               as far as the figure has room on both sides */
#define NOTE_GAP 20.0f      /* from a lane to its note's text */
#define NOTE_MAX_W 640.0f
#define GAP_ROW_H 64.0f
#define BOLD_EM 1.12f       /* bold text is about this much wider */
#define MIN_W 960.0f        /* a figure of two or three lanes still has room for its title */

struct Ladder {
    StrPool *pool;
    LadderFrame frame;
    LadderLane *lanes;
    size_t lane_count;
    LadderRow *rows;
    size_t row_count, row_cap;
    int32_t *lane_of_node; /* node index -> lane or LADDER_NO_LANE */
};

/* ---- strings ---- */

static const char *ld_str(Ladder *ld, const char *s)
{
    return strpool_get(ld->pool, strpool_intern(ld->pool, s));
}

static const char *ld_strn(Ladder *ld, const char *s, size_t n)
{
    return strpool_get(ld->pool, strpool_intern_n(ld->pool, s, n));
}

static const char *ld_strf(Ladder *ld, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static const char *ld_strf(Ladder *ld, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ld_str(ld, buf);
}

static bool is_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

static size_t count_cp(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += !is_continuation(*s);
    }
    return n;
}

/* The byte offset of code point `k` in s (or its end). */
static size_t cp_offset(const char *s, size_t k)
{
    size_t i = 0;
    for (size_t n = 0; s[i]; i++) {
        if (!is_continuation(s[i]) && n++ == k) {
            return i;
        }
    }
    return i;
}

float ladder_text_width(const char *text, int px)
{
    return (float)count_cp(text) * (float)px * LADDER_CHAR_EM;
}

/* s shortened to `keep` code points (at least 3) by putting "…" in place of its middle. */
static const char *elide_middle(Ladder *ld, const char *s, size_t keep)
{
    size_t n = count_cp(s);
    if (n <= keep) {
        return s;
    }
    keep = keep < 3 ? 3 : keep;
    size_t head = (keep - 1) / 2 + (keep - 1) % 2, tail = keep - 1 - head;
    size_t head_end = cp_offset(s, head), tail_start = cp_offset(s, n - tail);
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*s\u2026%s", (int)head_end, s, s + tail_start);
    return ld_str(ld, buf);
}

/* Greedy word wrap of `text` at `cpl` code points a line into out[]; a word longer than a line
 * is broken. Returns the line count, or max + 1 when it needs more than `max` lines. */
static int wrap_words(Ladder *ld, const char *text, size_t cpl, const char **out, int max)
{
    const char *p = text;
    int n = 0;
    while (*p) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            break;
        }
        const char *q = p, *last_space = NULL;
        for (size_t cp = 0; *q && cp < cpl; cp++) {
            if (*q == ' ') {
                last_space = q;
            }
            q++;
            while (is_continuation(*q)) {
                q++;
            }
        }
        const char *end = q;
        if (*q && *q != ' ' && last_space) {
            end = last_space;
        }
        if (n == max) {
            return max + 1;
        }
        out[n++] = ld_strn(ld, p, (size_t)(end - p));
        p = end;
    }
    return n;
}

/* Wraps row->text into at most LADDER_MAX_LINES lines of `width_units`, eliding the middle of
 * what does not fit. */
static void row_wrap(Ladder *ld, LadderRow *row, float width_units)
{
    float char_w = (float)LADDER_TEXT_PX * LADDER_CHAR_EM;
    size_t cpl = (size_t)fmaxf(6.0f, floorf(width_units / char_w));
    size_t keep = cpl * LADDER_MAX_LINES;
    const char *text = elide_middle(ld, row->text, keep);
    for (;;) {
        int n = wrap_words(ld, text, cpl, row->lines, LADDER_MAX_LINES);
        if (n <= LADDER_MAX_LINES) {
            row->nlines = n;
            return;
        }
        keep = keep > cpl / 2 + 3 ? keep - cpl / 2 : 3;
        text = elide_middle(ld, row->text, keep);
    }
}

/* ---- picking the events ---- */

/* The message and everything descended from it (its bounce, a delay warning). A message's
 * parent always comes before it in the table. */
static bool *messages_of(const Trace *tr, int32_t msg)
{
    size_t n = trace_msg_count(tr);
    bool *in = xcalloc(n, sizeof *in);
    in[msg] = true;
    for (size_t i = (size_t)msg + 1; i < n; i++) {
        int32_t parent = trace_msg(tr, (int32_t)i)->parent;
        in[i] = parent >= 0 && (size_t)parent < n && in[parent];
    }
    return in;
}

static bool same_pair(const TraceEvent *a, const TraceEvent *b)
{
    return (a->from == b->from && a->to == b->to) || (a->from == b->to && a->to == b->from);
}

/* Marks the mailbox session around fetch event i: the lines between the same two nodes, each
 * sent the moment the one before it arrived (the model's client and store answer at once). */
static void mark_session(const Trace *tr, size_t i, bool *take)
{
    const TraceEvent *ev = trace_events(tr);
    size_t cur = i;
    for (size_t j = i; j-- > 0;) {
        if (ev[j].kind == TK_FETCH && same_pair(&ev[j], &ev[cur]) &&
            ev[j].arrive_us == ev[cur].t_us) {
            take[j] = true;
            cur = j;
        }
    }
    cur = i;
    for (size_t j = i + 1; j < trace_count(tr) && ev[j].t_us <= ev[cur].arrive_us; j++) {
        if (ev[j].kind == TK_FETCH && same_pair(&ev[j], &ev[cur]) &&
            ev[j].t_us == ev[cur].arrive_us) {
            take[j] = true;
            cur = j;
        }
    }
}

/* Which kinds of the message's own events make a row. */
static bool kind_shown(TraceKind k)
{
    switch (k) {
    case TK_COMPOSE:
    case TK_HOP:
    case TK_QUEUE:
    case TK_CONN:
    case TK_SMTP:
    case TK_DNS:
    case TK_DEFER:
    case TK_RETRY:
    case TK_BOUNCE:
    case TK_WARN:
    case TK_SPAM:
    case TK_DELIVER:
    case TK_FETCH:
    case TK_VERIFY:
    case TK_MOVE: return true;
    case TK_REPORT: /* the DSN's contents: the inspector's business too */
    case TK_HEADER: /* the inspector's business, not the conversation's */
    case TK_SENT:   /* the reply that says so is already an arrow */
    case TK_LEARN:
    case TK_ACTION:
    case TK_KIND_COUNT: return false;
    }
    return false;
}

static bool *events_of(const Trace *tr, const bool *msgs)
{
    size_t n = trace_count(tr);
    const TraceEvent *ev = trace_events(tr);
    bool *take = xcalloc(n ? n : 1, sizeof *take);
    for (size_t i = 0; i < n; i++) {
        if (ev[i].msg < 0 || !msgs[ev[i].msg] || !kind_shown((TraceKind)ev[i].kind)) {
            continue;
        }
        take[i] = true;
        if (ev[i].kind == TK_FETCH) {
            mark_session(tr, i, take);
        }
    }
    return take;
}

/* ---- rows ---- */

static int32_t lane_for(Ladder *ld, const Trace *tr, int32_t node)
{
    if (node < 0 || (size_t)node >= trace_node_count(tr)) {
        return LADDER_NO_LANE;
    }
    if (ld->lane_of_node[node] != LADDER_NO_LANE) {
        return ld->lane_of_node[node];
    }
    static const char *const ROLES[NODE_KIND_COUNT] = {
        [NODE_CLIENT] = "mail client",      [NODE_OUTGOING] = "outgoing server",
        [NODE_RESOLVER] = "DNS resolver",   [NODE_INCOMING] = "MX (incoming)",
        [NODE_FILTER] = "spam filter",      [NODE_STORE] = "mail store",
    };
    const TraceNode *tn = trace_node(tr, node);
    const char *label = trace_str(tr, tn->label);
    LadderLane lane = { .name = ld_str(ld, label[0] ? label : trace_str(tr, tn->name)),
                        .role = ROLES[tn->kind],
                        .node = node,
                        .kind = tn->kind };
    ld->lanes = xrealloc(ld->lanes, (ld->lane_count + 1) * sizeof *ld->lanes);
    ld->lanes[ld->lane_count] = lane;
    ld->lane_of_node[node] = (int32_t)ld->lane_count;
    return (int32_t)ld->lane_count++;
}

static LadderRow *row_add(Ladder *ld)
{
    if (ld->row_count == ld->row_cap) {
        ld->row_cap = ld->row_cap ? ld->row_cap * 2 : 64;
        ld->rows = xrealloc(ld->rows, ld->row_cap * sizeof *ld->rows);
    }
    LadderRow *r = &ld->rows[ld->row_count++];
    memset(r, 0, sizeof *r);
    r->from = r->to = LADDER_NO_LANE;
    r->event = UINT32_MAX;
    r->msg = TRACE_NONE;
    return r;
}

/* A multi-line protocol reply on one line: its first and last lines. */
static const char *one_line(Ladder *ld, const char *s)
{
    const char *first_nl = strchr(s, '\n');
    if (!first_nl) {
        return s;
    }
    const char *last = strrchr(s, '\n') + 1;
    return ld_strf(ld, "%.*s \u2026 %s", (int)(first_nl - s), s, last);
}

/* A duration whose spaces do not break ("9 min 56 s" stays on one line): U+00A0 for ' '. */
static const char *unbroken(Ladder *ld, const char *s)
{
    char buf[128];
    size_t n = 0;
    for (; *s && n + 3 < sizeof buf; s++) {
        if (*s == ' ') {
            buf[n++] = (char)0xC2;
            buf[n++] = (char)0xA0;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
    return ld_str(ld, buf);
}

static LadderClass reply_class(int code, unsigned flags)
{
    if (code >= 500) {
        return LADDER_REFUSAL_PERM;
    }
    if (code >= 400) {
        return LADDER_REFUSAL_TEMP;
    }
    return (flags & TRACE_F_REJECT) ? LADDER_REFUSAL_PERM : LADDER_REPLY;
}

static const char *msg_id(const Trace *tr, int32_t m)
{
    return trace_str(tr, trace_msg(tr, m)->id);
}

/* "TCP connect to port 25" from "connect to mx.b.example[203.0.113.25]:25". */
static const char *conn_text(Ladder *ld, const TraceEvent *e, const char *text)
{
    if (e->sub == CONN_REFUSED) {
        return ld_strf(ld, "connection refused");
    }
    if (e->sub == CONN_TIMEOUT) {
        return ld_strf(ld, "no answer: connection timed out");
    }
    const char *colon = strrchr(text, ':');
    if (e->sub == CONN_OPEN && colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        return ld_strf(ld, "TCP connect to port %s", colon + 1);
    }
    return text;
}

static const char *dns_text(Ladder *ld, const Trace *tr, const TraceEvent *e)
{
    const char *text = trace_str(tr, e->text);
    if (e->sub == TRACE_ASK) {
        return text;
    }
    const char *qtype = trace_qtype_name((TraceQtype)e->num);
    const char *qname = trace_str(tr, e->aux);
    if (e->num2 != RCODE_NOERROR) {
        return ld_strf(ld, "%s %s: %s", qtype, qname, trace_rcode_name((TraceRcode)e->num2));
    }
    return ld_strf(ld, "%s %s: %s%s", qtype, qname, text,
                   (e->flags & TRACE_F_CACHED) ? " (cached)" : "");
}

static LadderClass dns_class(const TraceEvent *e)
{
    if (e->sub == TRACE_ASK) {
        return LADDER_DNS;
    }
    switch ((TraceRcode)e->num2) {
    case RCODE_NOERROR: return LADDER_DNS;
    case RCODE_NXDOMAIN: return LADDER_REFUSAL_PERM;
    case RCODE_SERVFAIL:
    case RCODE_TIMEOUT:
    case RCODE_COUNT: return LADDER_REFUSAL_TEMP;
    }
    return LADDER_DNS;
}

/* Fills the row for trace event e: its class, text and lanes. False when it makes no row. */
static bool row_fill(Ladder *ld, const Trace *tr, const TraceEvent *e, LadderRow *r)
{
    const char *text = trace_str(tr, e->text);
    char d[64];
    switch ((TraceKind)e->kind) {
    case TK_COMPOSE: {
        const TraceMsg *m = trace_msg(tr, e->msg);
        r->cls = LADDER_NOTE;
        r->text = m->parent >= 0
                      ? ld_strf(ld, "writes bounce %s about %s", msg_id(tr, e->msg),
                                msg_id(tr, m->parent))
                      : ld_strf(ld, "writes %s \u201c%s\u201d", msg_id(tr, e->msg),
                                trace_str(tr, m->subject));
        return true;
    }
    case TK_QUEUE:
        r->cls = LADDER_NOTE;
        r->text = ld_strf(ld, "%s %s", msg_id(tr, e->msg), text);
        return true;
    case TK_HOP:
        r->cls = LADDER_HOP;
        r->text = ld_strf(ld, "\u2709 %s %s", msg_id(tr, e->msg), text);
        return true;
    case TK_CONN:
        r->cls = e->sub == CONN_OPEN ? LADDER_COMMAND
                 : (e->flags & TRACE_F_REJECT) ? LADDER_REFUSAL_TEMP : LADDER_COMMAND;
        r->text = conn_text(ld, e, text);
        return true;
    case TK_SMTP:
        r->cls = e->sub == TRACE_ASK        ? LADDER_COMMAND
                 : smtp_is_followup(text) ? LADDER_REPLY /* refuses nothing of its own */
                                          : reply_class(e->num, e->flags);
        /* The lone "." ends DATA: the message's text travels with it. */
        r->text = e->sub == TRACE_ASK && strcmp(text, ".") == 0
                      ? ld_str(ld, "\u2709 the message text, then \u201c.\u201d")
                      : one_line(ld, text);
        return true;
    case TK_FETCH:
        r->cls = e->sub == TRACE_ASK ? LADDER_COMMAND
                 : (e->flags & TRACE_F_REJECT) ? LADDER_REFUSAL_PERM : LADDER_REPLY;
        r->text = one_line(ld, text);
        return true;
    case TK_DNS:
        r->cls = dns_class(e);
        r->text = dns_text(ld, tr, e);
        return true;
    case TK_DEFER:
        r->cls = LADDER_REFUSAL_TEMP;
        r->text = ld_strf(ld, "\u27f3 deferred: tries again later, in %s",
                          unbroken(ld, fmt_duration(e->arrive_us - e->t_us, d, sizeof d)));
        return true;
    case TK_RETRY:
        r->cls = LADDER_NOTE;
        r->text = ld_strf(ld, "\u27f3 tries again (attempt %d)", (int)e->num);
        return true;
    case TK_BOUNCE:
        r->cls = LADDER_REFUSAL_PERM;
        r->text = e->num > 0 ? ld_strf(ld, "\u2716 refused for good: bounce %s goes back",
                                       msg_id(tr, e->num - 1))
                             : ld_strf(ld, "\u2716 refused for good: dropped (a bounce is not bounced)");
        return true;
    case TK_WARN:
        r->cls = LADDER_NOTE;
        r->text = e->num > 0 ? ld_strf(ld, "delay warning %s to the sender", msg_id(tr, e->num - 1))
                             : ld_str(ld, "delay warning to the sender");
        return true;
    case TK_SPAM:
        r->cls = LADDER_VERDICT;
        r->spam = e->sub == VERDICT_SPAM;
        r->text = ld_strf(ld, "%s: score %.1f, limit %.1f", r->spam ? "SPAM" : "ham (not spam)",
                          e->num / 1000.0, e->num2 / 1000.0);
        return true;
    case TK_DELIVER:
        r->cls = LADDER_DELIVERY;
        r->text = ld_strf(ld, "\u2714 filed in %s for %s",
                          e->sub == FOLDER_JUNK ? "Junk" : "the Inbox", trace_str(tr, e->aux));
        return true;
    case TK_MOVE:
        r->cls = LADDER_COMMAND;
        r->text = text;
        return true;
    case TK_VERIFY:
        r->cls = LADDER_NOTE;
        r->text = ld_strf(ld, "verdict on %s: %s", trace_str(tr, e->aux),
                          trace_verify_name((TraceVerifyVerdict)e->sub));
        return true;
    case TK_REPORT:
    case TK_HEADER:
    case TK_SENT:
    case TK_LEARN:
    case TK_ACTION:
    case TK_KIND_COUNT: return false;
    }
    return false;
}

static const char *refusal_tag(LadderClass cls)
{
    switch (cls) {
    case LADDER_REFUSAL_TEMP: return "\u27f3 refused for now: try again later";
    case LADDER_REFUSAL_PERM: return "\u2716 refused for good";
    case LADDER_COMMAND:
    case LADDER_REPLY:
    case LADDER_DNS:
    case LADDER_HOP:
    case LADDER_GAP:
    case LADDER_DELIVERY:
    case LADDER_VERDICT:
    case LADDER_NOTE:
    case LADDER_CLASS_COUNT: return NULL;
    }
    return NULL;
}

static void gap_add(Ladder *ld, int64_t from_us, int64_t to_us, bool after_deferral)
{
    char d[64];
    LadderRow *g = row_add(ld);
    g->cls = LADDER_GAP;
    g->t_us = from_us;
    const char *wait = unbroken(ld, fmt_duration(to_us - from_us, d, sizeof d));
    g->text = after_deferral ? ld_strf(ld, "\u27f3 %s later", wait) : ld_strf(ld, "%s later", wait);
}

/* One row per picked event, in trace order, gap rows where time jumps. Actions (an outage, a
 * DNS failure) on a lane already drawn show as notes while the journey lasts. */
static void rows_build(Ladder *ld, const Trace *tr, const bool *take, const bool *msgs,
                       int32_t root, const LadderOptions *o)
{
    const TraceEvent *ev = trace_events(tr);
    size_t n = trace_count(tr);
    bool deferred = false;
    int64_t last_us = TRACE_NO_TIME;
    bool hide = o && o->hide_future && o->until_us != TRACE_NO_TIME;
    for (size_t i = 0; i < n; i++) {
        const TraceEvent *e = &ev[i];
        if (hide && e->t_us > o->until_us) {
            break;
        }
        bool action = e->kind == TK_ACTION && ld->row_count > 0 && e->from >= 0 &&
                      (size_t)e->from < trace_node_count(tr) &&
                      ld->lane_of_node[e->from] != LADDER_NO_LANE;
        if (!take[i] && !action) {
            continue;
        }
        if (last_us != TRACE_NO_TIME && e->t_us - last_us >= LADDER_GAP_US) {
            gap_add(ld, last_us, e->t_us, deferred);
            deferred = false;
        }
        LadderRow tmp;
        memset(&tmp, 0, sizeof tmp);
        if (action) {
            tmp.cls = LADDER_NOTE;
            tmp.text = ld_strf(ld, "\u26a0 %s", trace_str(tr, e->text));
        } else if (!row_fill(ld, tr, e, &tmp)) {
            continue;
        }
        LadderRow *r = row_add(ld);
        r->cls = tmp.cls;
        r->text = tmp.text;
        r->spam = tmp.spam;
        r->t_us = e->t_us;
        r->event = (uint32_t)i;
        r->msg = e->msg >= 0 && msgs[e->msg] ? e->msg : TRACE_NONE;
        r->bounce = r->msg != TRACE_NONE && r->msg != root;
        r->from = lane_for(ld, tr, e->from);
        r->to = e->kind == TK_ACTION ? LADDER_NO_LANE : lane_for(ld, tr, e->to);
        if (r->to == r->from) {
            r->to = LADDER_NO_LANE;
        }
        if (r->to != LADDER_NO_LANE) {
            r->tag = refusal_tag(r->cls);
        }
        deferred |= e->kind == TK_DEFER;
        last_us = e->t_us;
    }
}

/* Keeps the first and last rows of a transcript longer than LADDER_MAX_ROWS and puts one gap row
 * for the middle. */
static void rows_elide_middle(Ladder *ld)
{
    if (ld->row_count <= LADDER_MAX_ROWS) {
        return;
    }
    size_t head = LADDER_MAX_ROWS / 2 - 1, tail = LADDER_MAX_ROWS / 2;
    size_t cut = ld->row_count - head - tail;
    LadderRow *first_kept = &ld->rows[ld->row_count - tail];
    int64_t from_us = ld->rows[head - 1].t_us, to_us = first_kept->t_us;
    char d[64];
    const char *wait = unbroken(ld, fmt_duration(to_us - from_us, d, sizeof d));
    LadderRow gap = { .cls = LADDER_GAP,
                      .t_us = from_us,
                      .from = LADDER_NO_LANE,
                      .to = LADDER_NO_LANE,
                      .event = UINT32_MAX,
                      .msg = TRACE_NONE,
                      .text = ld_strf(ld, "\u22ef %zu lines left out: %s later", cut, wait) };
    ld->rows[head] = gap;
    memmove(&ld->rows[head + 1], first_kept, tail * sizeof *ld->rows);
    ld->row_count = head + 1 + tail;
}

/* ---- layout ---- */

/* The header boxes' width: the widest lane name, within HEAD_MIN_W..HEAD_MAX_W (a longer name is
 * elided). Names are in the regular weight: seven lanes of 15-character host names in bold would
 * not fit LADDER_MAX_W. */
static float head_width(Ladder *ld, float lanes_left)
{
    float w = HEAD_MIN_W;
    for (size_t i = 0; i < ld->lane_count; i++) {
        w = fmaxf(w, ladder_text_width(ld->lanes[i].name, LADDER_TEXT_PX) + 2 * HEAD_PAD);
        w = fmaxf(w, ladder_text_width(ld->lanes[i].role, LADDER_TEXT_PX) + 2 * HEAD_PAD);
    }
    w = fminf(w, HEAD_MAX_W);
    if (ld->lane_count > 0) { /* many lanes: narrower headers, names elided, rather than wider */
        float fit_w = (LADDER_MAX_W - lanes_left - MARGIN) / (float)ld->lane_count - LANE_SPACE;
        w = fmaxf(HEAD_MIN_W, fminf(w, fit_w));
    }
    float char_w = LADDER_TEXT_PX * LADDER_CHAR_EM;
    size_t fit = (size_t)((w - 2 * HEAD_PAD) / char_w);
    for (size_t i = 0; i < ld->lane_count; i++) {
        ld->lanes[i].name = elide_middle(ld, ld->lanes[i].name, fit);
    }
    return w;
}

/* Lane spacing: each pair of neighbours gets the room its widest label needs on two lines,
 * between the header width and GAP_MAX; then all are squeezed (not below the minimum) when the
 * figure would pass LADDER_MAX_W. */
static void lanes_place(Ladder *ld, float head_w, float left)
{
    size_t nl = ld->lane_count;
    if (nl == 0) {
        return;
    }
    float min_gap = head_w + LANE_SPACE;
    float *gap = xcalloc(nl, sizeof *gap);
    for (size_t i = 0; i + 1 < nl; i++) {
        gap[i] = min_gap;
    }
    for (size_t k = 0; k < ld->row_count; k++) {
        const LadderRow *r = &ld->rows[k];
        if (r->to == LADDER_NO_LANE || r->from == LADDER_NO_LANE) {
            continue;
        }
        int32_t lo = r->from < r->to ? r->from : r->to, hi = r->from < r->to ? r->to : r->from;
        if (hi - lo != 1) {
            continue;
        }
        float need = ladder_text_width(r->text, LADDER_TEXT_PX) / 2 + 2 * LABEL_PAD -
                     2 * OVERHANG * min_gap;
        gap[lo] = fmaxf(gap[lo], fminf(need, GAP_MAX));
    }
    float sum = 0;
    for (size_t i = 0; i + 1 < nl; i++) {
        sum += gap[i];
    }
    float room = LADDER_MAX_W - left - head_w - MARGIN;
    float extra = sum - (float)(nl - 1) * min_gap;
    if (sum > room && extra > 0) {
        float keep = fmaxf(0.0f, room - (float)(nl - 1) * min_gap) / extra;
        for (size_t i = 0; i + 1 < nl; i++) {
            gap[i] = min_gap + (gap[i] - min_gap) * keep;
        }
    }
    float x = left + head_w / 2;
    for (size_t i = 0; i < nl; i++) {
        ld->lanes[i].x = x;
        x += gap[i];
    }
    free(gap);
}

/* Where a note's label goes: beside its lane, on the side with more room. */
static void note_place(Ladder *ld, LadderRow *r, float lanes_left, float right)
{
    float x = ld->lanes[r->from].x;
    float room_r = right - (x + NOTE_GAP), room_l = (x - NOTE_GAP) - lanes_left;
    r->text_right = room_l > room_r;
    r->text_x = r->text_right ? x - NOTE_GAP : x + NOTE_GAP;
    row_wrap(ld, r, fminf(NOTE_MAX_W, fmaxf(room_l, room_r)));
}

/* The width an arrow's label may take: its span, and past its ends as far as there is room on
 * both sides (a centred label overhangs both ends alike). */
static float arrow_label_width(const Ladder *ld, const LadderRow *r, float lanes_left, float right,
                               float min_gap)
{
    float a = ld->lanes[r->from].x, b = ld->lanes[r->to].x;
    float lo = fminf(a, b), hi = fmaxf(a, b);
    float over = fminf(OVERHANG * min_gap, fminf(lo - lanes_left, right - hi));
    return hi - lo - 2 * LABEL_PAD + 2 * fmaxf(0.0f, over);
}

static void rows_place(Ladder *ld, float top, float lanes_left, float right, float min_gap)
{
    float y = top;
    for (size_t k = 0; k < ld->row_count; k++) {
        LadderRow *r = &ld->rows[k];
        r->y = y;
        if (r->cls == LADDER_GAP) {
            r->lines[0] = r->text;
            r->nlines = 1;
            r->h = GAP_ROW_H;
            r->line_y = y + GAP_ROW_H / 2;
        } else if (r->to == LADDER_NO_LANE) {
            note_place(ld, r, lanes_left, right);
            r->h = (float)r->nlines * LADDER_LINE_H + 2 * ROW_PAD + 8;
            r->line_y = y + r->h / 2;
        } else {
            row_wrap(ld, r, arrow_label_width(ld, r, lanes_left, right, min_gap));
            r->line_y = y + ROW_PAD + (float)r->nlines * LADDER_LINE_H + ARROW_SPACE / 2;
            r->h = r->line_y - y + ROW_PAD +
                   (r->tag ? ladder_tag_top(r) - r->line_y + LADDER_LINE_H : ARROW_SPACE / 2);
        }
        y += r->h;
    }
}

static void playhead_place(Ladder *ld, const Trace *tr, const LadderOptions *o)
{
    LadderFrame *f = &ld->frame;
    f->playhead_y = -1;
    if (!o || o->until_us == TRACE_NO_TIME) {
        return;
    }
    (void)tr;
    f->playhead_y = f->lanes_top + 4;
    for (size_t k = 0; k < ld->row_count; k++) {
        LadderRow *r = &ld->rows[k];
        if (r->t_us > o->until_us) {
            r->future = true;
            continue;
        }
        bool in_gap = r->cls == LADDER_GAP && k + 1 < ld->row_count &&
                      ld->rows[k + 1].t_us > o->until_us;
        f->playhead_y = in_gap ? r->line_y : r->y + r->h;
    }
    char clock[48];
    f->playhead_label = ld_strf(ld, "now %s", fmt_clock(o->until_us, clock, sizeof clock));
}

static const char *title_of(Ladder *ld, const Trace *tr, int32_t msg, bool with_bounce)
{
    const TraceMsg *m = trace_msg(tr, msg);
    const char *sender = trace_str(tr, m->sender);
    const char *rcpt = m->rcpt_count ? trace_str(tr, trace_msg_rcpt(tr, msg, 0)) : "";
    char more[32] = "";
    if (m->rcpt_count > 1) {
        snprintf(more, sizeof more, " +%u", m->rcpt_count - 1);
    }
    return ld_strf(ld, "%s \u201c%s\u201d: %s \u2192 %s%s%s", msg_id(tr, msg),
                   trace_str(tr, m->subject), sender[0] ? sender : "<>", rcpt, more,
                   with_bounce ? ", and its bounce" : "");
}

static void layout(Ladder *ld, const Trace *tr, const LadderOptions *o)
{
    LadderFrame *f = &ld->frame;
    float head_w;
    f->time_x = MARGIN;
    float time_w = 0;
    for (size_t k = 0; k < ld->row_count; k++) {
        time_w = fmaxf(time_w, ladder_text_width(ld->rows[k].time, LADDER_TEXT_PX));
    }
    float lanes_left = MARGIN + time_w + TIME_PAD;
    f->lanes_left = lanes_left;
    head_w = head_width(ld, lanes_left);
    f->head_w = head_w;
    lanes_place(ld, head_w, lanes_left);
    float last_x = ld->lane_count ? ld->lanes[ld->lane_count - 1].x : lanes_left;
    f->width = ceilf(fmaxf(last_x + head_w / 2 + MARGIN, MIN_W));
    float title_char_w = LADDER_TITLE_PX * LADDER_CHAR_EM * BOLD_EM;
    f->title = elide_middle(ld, f->title, (size_t)((f->width - 2 * MARGIN) / title_char_w));
    f->width = fminf(f->width, fmaxf(LADDER_MAX_W, last_x + head_w / 2 + MARGIN));
    f->title_y = MARGIN;
    f->head_y = MARGIN + TITLE_H;
    f->head_h = HEAD_H;
    f->lanes_top = f->head_y + HEAD_H;
    rows_place(ld, f->lanes_top + 12, lanes_left, f->width - MARGIN, head_w + LANE_SPACE);
    float bottom = ld->row_count ? ld->rows[ld->row_count - 1].y + ld->rows[ld->row_count - 1].h
                                 : f->lanes_top + 40;
    f->lanes_bottom = bottom + 12;
    f->height = ceilf(f->lanes_bottom + MARGIN);
    playhead_place(ld, tr, o);
}

/* ---- public ---- */

Ladder *ladder_build(const Trace *tr, int32_t msg, const LadderOptions *o)
{
    assert(tr && msg >= 0 && (size_t)msg < trace_msg_count(tr));
    Ladder *ld = xcalloc(1, sizeof *ld);
    ld->pool = strpool_create();
    size_t nodes = trace_node_count(tr);
    ld->lane_of_node = xmalloc((nodes ? nodes : 1) * sizeof *ld->lane_of_node);
    for (size_t i = 0; i < nodes; i++) {
        ld->lane_of_node[i] = LADDER_NO_LANE;
    }
    bool *msgs = messages_of(tr, msg);
    bool *take = events_of(tr, msgs);
    rows_build(ld, tr, take, msgs, msg, o);
    rows_elide_middle(ld);
    bool with_bounce = false;
    bool hours = ld->row_count && ld->rows[ld->row_count - 1].t_us >= INT64_C(3600000000);
    for (size_t k = 0; k < ld->row_count; k++) {
        with_bounce |= ld->rows[k].bounce;
        char clock[48];
        fmt_clock(ld->rows[k].t_us, clock, sizeof clock);
        ld->rows[k].time = ld_str(ld, hours ? clock : clock + 3); /* "00:" */
    }
    ld->frame.title = title_of(ld, tr, msg, with_bounce);
    layout(ld, tr, o);
    free(take);
    free(msgs);
    return ld;
}

void ladder_destroy(Ladder *ld)
{
    if (!ld) {
        return;
    }
    strpool_destroy(ld->pool);
    free(ld->lanes);
    free(ld->rows);
    free(ld->lane_of_node);
    free(ld);
}

const LadderFrame *ladder_frame(const Ladder *ld)
{
    return &ld->frame;
}

size_t ladder_lane_count(const Ladder *ld)
{
    return ld->lane_count;
}

const LadderLane *ladder_lane(const Ladder *ld, size_t i)
{
    assert(i < ld->lane_count);
    return &ld->lanes[i];
}

size_t ladder_row_count(const Ladder *ld)
{
    return ld->row_count;
}

const LadderRow *ladder_row(const Ladder *ld, size_t i)
{
    assert(i < ld->row_count);
    return &ld->rows[i];
}

int ladder_row_at(const Ladder *ld, float y)
{
    size_t lo = 0, hi = ld->row_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const LadderRow *r = &ld->rows[mid];
        if (y < r->y) {
            hi = mid;
        } else if (y >= r->y + r->h) {
            lo = mid + 1;
        } else {
            return (int)mid;
        }
    }
    return -1;
}

float ladder_line_top(const LadderRow *row, int j)
{
    if (row->cls == LADDER_GAP || row->to == LADDER_NO_LANE) {
        return row->line_y - (float)row->nlines * LADDER_LINE_H / 2 + (float)j * LADDER_LINE_H;
    }
    return row->line_y - ARROW_SPACE / 2 - (float)(row->nlines - j) * LADDER_LINE_H;
}

float ladder_tag_top(const LadderRow *row)
{
    return row->line_y + LADDER_MARK_R + 4; /* clear of the marker on the arrow */
}

float ladder_label_x(const Ladder *ld, const LadderRow *row, LadderAlign *align)
{
    if (row->cls == LADDER_GAP) {
        *align = LADDER_ALIGN_CENTER;
        return ld->lane_count ? (ld->lanes[0].x + ld->lanes[ld->lane_count - 1].x) / 2
                              : ld->frame.width / 2;
    }
    if (row->to == LADDER_NO_LANE) {
        *align = row->text_right ? LADDER_ALIGN_RIGHT : LADDER_ALIGN_LEFT;
        return row->text_x;
    }
    *align = LADDER_ALIGN_CENTER;
    return (ld->lanes[row->from].x + ld->lanes[row->to].x) / 2;
}

const char *ladder_class_name(LadderClass cls)
{
    static const char *const NAMES[LADDER_CLASS_COUNT] = {
        [LADDER_COMMAND] = "command",
        [LADDER_REPLY] = "reply",
        [LADDER_DNS] = "dns",
        [LADDER_HOP] = "hop",
        [LADDER_REFUSAL_TEMP] = "refusal-temporary",
        [LADDER_REFUSAL_PERM] = "refusal-permanent",
        [LADDER_GAP] = "gap",
        [LADDER_DELIVERY] = "delivery",
        [LADDER_VERDICT] = "spam-verdict",
        [LADDER_NOTE] = "note",
    };
    assert(cls < LADDER_CLASS_COUNT);
    return NAMES[cls];
}

ColorRole ladder_row_role(const LadderRow *row)
{
    switch (row->cls) {
    case LADDER_COMMAND: return CR_SMTP_CMD;
    case LADDER_REPLY: return CR_SMTP_OK;
    case LADDER_DNS: return CR_DNS;
    case LADDER_HOP: return row->bounce ? CR_MSG_DSN : CR_TEXT;
    case LADDER_REFUSAL_TEMP: return CR_SMTP_DEFER;
    case LADDER_REFUSAL_PERM: return CR_SMTP_REJECT;
    case LADDER_GAP: return CR_TEXT_DIM;
    case LADDER_DELIVERY: return CR_OK;
    case LADDER_VERDICT: return row->spam ? CR_SPAM : CR_OK;
    case LADDER_NOTE: return CR_TEXT_DIM;
    case LADDER_CLASS_COUNT: break;
    }
    return CR_TEXT;
}

Rgba ladder_ink(ThemeId theme, ColorRole role, double min_contrast)
{
    Rgba c = theme_color(theme, role), bg = theme_color(theme, CR_PANEL);
    Rgba toward = theme_contrast(bg, (Rgba){ 0, 0, 0, 255 }) > theme_contrast(bg, (Rgba){ 255, 255, 255, 255 })
                      ? (Rgba){ 0, 0, 0, 255 }
                      : (Rgba){ 255, 255, 255, 255 };
    for (int step = 0; step < 20 && theme_contrast(c, bg) < min_contrast; step++) {
        c.r = (uint8_t)(c.r + (toward.r - c.r) / 8);
        c.g = (uint8_t)(c.g + (toward.g - c.g) / 8);
        c.b = (uint8_t)(c.b + (toward.b - c.b) / 8);
    }
    return c;
}
