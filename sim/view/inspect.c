/* inspect: inspector content as styled lines (see inspect.h).
 *
 * A message's state at t is read from its own events (traceindex_msg_events), so building the
 * panel costs O(events of that message), not of the trace. Texts go into an arena as offsets and
 * become pointers once the arena stops growing.
 */
#include "view/inspect.h"
#include "view/timeaxis.h"
#include "util/fmt.h"

#include "text/narrate.h"
#include "model/world.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_RECENT 10      /* recent events listed for a node */
#define NODE_SCAN_BACK 5000 /* events looked at to find them */

struct Inspector {
    InspectLine *lines;
    uint32_t *offs;
    size_t count, cap;
    char *text;
    size_t text_len, text_cap;
};

Inspector *inspector_create(void)
{
    return xcalloc(1, sizeof(Inspector));
}

void inspector_destroy(Inspector *in)
{
    if (!in) {
        return;
    }
    free(in->lines);
    free(in->offs);
    free(in->text);
    free(in);
}

static void reset(Inspector *in)
{
    in->count = 0;
    in->text_len = 0;
}

static void finish(Inspector *in)
{
    for (size_t i = 0; i < in->count; i++) {
        in->lines[i].text = in->text + in->offs[i];
    }
}

static InspectLine *add(Inspector *in, InspectStyle style, ColorRole role, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static InspectLine *add(Inspector *in, InspectStyle style, ColorRole role, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    if (in->text_len + len + 1 > in->text_cap) {
        in->text = xgrow(in->text, &in->text_cap, in->text_len + len + 1, 1);
    }
    memcpy(in->text + in->text_len, buf, len);
    in->text[in->text_len + len] = '\0';
    if (in->count == in->cap) {
        size_t cap = in->cap;
        in->lines = xgrow(in->lines, &in->cap, in->count + 1, sizeof *in->lines);
        in->offs = xgrow(in->offs, &cap, in->count + 1, sizeof *in->offs);
    }
    InspectLine *l = &in->lines[in->count];
    memset(l, 0, sizeof *l);
    l->style = (uint8_t)style;
    l->role = (uint8_t)role;
    l->msg = TRACE_NONE;
    in->offs[in->count++] = (uint32_t)in->text_len;
    in->text_len += len + 1;
    return l;
}

size_t inspector_count(const Inspector *in)
{
    return in->count;
}

const InspectLine *inspector_line(const Inspector *in, size_t i)
{
    return i < in->count ? &in->lines[i] : NULL;
}

/* ---- spam rules ---- */

/* Rules mail-facts.md lists that the model's table may not carry. */
static const struct {
    const char *name;
    int32_t milli;
} EXTRA_RULES[] = {
    { "URIBL_DBL_SPAM", 2500 },
    { "URIBL_BLACK", 1700 },
};

int32_t inspect_rule_score(const char *name, size_t len, bool *known)
{
    const char *eq = memchr(name, '=', len);
    *known = true;
    if (eq) {
        return (int32_t)(strtod(eq + 1, NULL) * 1000.0 + (eq[1] == '-' ? -0.5 : 0.5));
    }
    for (int r = 0; r < RULE_COUNT; r++) {
        if (strlen(WORLD_RULE_NAMES[r]) == len && memcmp(WORLD_RULE_NAMES[r], name, len) == 0) {
            return WORLD_RULE_DEFAULT_MILLI[r];
        }
    }
    for (size_t r = 0; r < sizeof EXTRA_RULES / sizeof EXTRA_RULES[0]; r++) {
        if (strlen(EXTRA_RULES[r].name) == len && memcmp(EXTRA_RULES[r].name, name, len) == 0) {
            return EXTRA_RULES[r].milli;
        }
    }
    *known = false;
    return 0;
}

static void spam_section(Inspector *in, const Trace *tr, const TraceEvent *e)
{
    add(in, IL_HEADING, CR_TEXT, "Spam check");
    bool spam = e->sub == VERDICT_SPAM;
    InspectLine *g = add(in, IL_GAUGE, spam ? CR_SPAM : CR_OK, "score %.1f, needed %.1f \u2192 %s",
                         e->num / 1000.0, e->num2 / 1000.0,
                         spam ? "SPAM: filed in Junk" : "not spam");
    g->value = e->num / 1000.0;
    g->max = e->num2 / 1000.0;
    g->strong = true;
    const char *tests = trace_str(tr, e->aux);
    int32_t sum = 0, max_abs = 1;
    /* Two passes: the bar scale needs the largest score first. */
    for (int pass = 0; pass < 2; pass++) {
        const char *p = tests;
        while (*p) {
            size_t len = strcspn(p, ", ");
            if (len > 0 && !(len == 4 && memcmp(p, "none", 4) == 0)) {
                bool known;
                int32_t score = inspect_rule_score(p, len, &known);
                int32_t a = score < 0 ? -score : score;
                if (pass == 0) {
                    max_abs = a > max_abs ? a : max_abs;
                    sum += score;
                } else {
                    size_t name_len = strcspn(p, "=");
                    name_len = name_len < len ? name_len : len;
                    InspectLine *b = add(in, IL_BAR, score < 0 ? CR_OK : CR_SPAM, "%.*s  %s%.1f%s",
                                         (int)name_len, p, score < 0 ? "" : "+", score / 1000.0,
                                         known ? "" : " (?)");
                    b->value = score / 1000.0;
                    b->max = max_abs / 1000.0;
                }
            }
            p += len;
            p += *p ? strspn(p, ", ") : 0;
        }
    }
    if (sum != e->num) {
        add(in, IL_TEXT, CR_TEXT_DIM, "Other adjustments (this scenario's scores): %+.1f",
            (e->num - sum) / 1000.0);
    }
    if (tests[0] == '\0' || strcmp(tests, "none") == 0) {
        add(in, IL_TEXT, CR_TEXT_DIM, "No rule fired.");
    }
}

/* ---- message ---- */

typedef enum { RS_NOT_YET, RS_TRAVEL, RS_DEFERRED, RS_SENT, RS_BOUNCED, RS_FILED, RS_FETCHED } RcptView;

typedef struct {
    StrId rcpt;
    RcptView state;
    uint32_t event;
    int folder;
} RcptNow;

#define MAX_RCPT_SHOWN 16

/* Where each recipient of m stands at t (up to MAX_RCPT_SHOWN). Returns how many. */
static size_t rcpt_status(const TraceIndex *ix, int32_t m, int64_t t_us, RcptNow *out)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceMsg *msg = trace_msg(tr, m);
    size_t n = msg->rcpt_count < MAX_RCPT_SHOWN ? msg->rcpt_count : MAX_RCPT_SHOWN;
    for (size_t r = 0; r < n; r++) {
        out[r] = (RcptNow){ trace_msg_rcpt(tr, m, (uint32_t)r), RS_NOT_YET, UINT32_MAX, 0 };
    }
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    const TraceEvent *ev = trace_events(tr);
    bool moving = false;
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        const TraceEvent *e = &ev[evs[j]];
        moving |= e->kind == TK_SMTP || e->kind == TK_HOP || e->kind == TK_CONN;
        RcptView st;
        switch ((TraceKind)e->kind) {
        case TK_SENT: st = RS_SENT; break;
        case TK_DEFER: st = RS_DEFERRED; break;
        case TK_BOUNCE: st = RS_BOUNCED; break;
        case TK_DELIVER:
        case TK_MOVE: st = RS_FILED; break;
        case TK_FETCH: st = RS_FETCHED; break;
        default: continue;
        }
        for (size_t r = 0; r < n; r++) {
            if (out[r].rcpt == e->aux) {
                out[r].state = st;
                out[r].event = evs[j];
                out[r].folder = e->kind == TK_DELIVER || e->kind == TK_MOVE ? e->sub : out[r].folder;
            }
        }
    }
    for (size_t r = 0; r < n; r++) {
        out[r].state = out[r].state == RS_NOT_YET && moving ? RS_TRAVEL : out[r].state;
    }
    return n;
}

static const char *folder_word(int f)
{
    return f == FOLDER_JUNK ? "Junk" : f == FOLDER_INBOX ? "Inbox" : "no folder";
}

static void status_lines(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    RcptNow st[MAX_RCPT_SHOWN];
    size_t n = rcpt_status(ix, m, t_us, st);
    char clock[32];
    for (size_t r = 0; r < n; r++) {
        const char *who = trace_str(tr, st[r].rcpt);
        const TraceEvent *e = st[r].event != UINT32_MAX ? &ev[st[r].event] : NULL;
        const char *reply = e ? trace_str(tr, e->text) : "";
        InspectLine *l;
        switch (st[r].state) {
        case RS_NOT_YET: l = add(in, IL_TEXT, CR_TEXT_DIM, "%s: not sent yet", who); break;
        case RS_TRAVEL: l = add(in, IL_TEXT, CR_TEXT, "%s: on its way", who); break;
        case RS_DEFERRED:
            l = add(in, IL_TEXT, CR_SMTP_DEFER, "%s: waiting in the queue (%s); next try at %s", who,
                    reply, fmt_clock(e->arrive_us, clock, sizeof clock));
            break;
        case RS_SENT:
            l = add(in, IL_TEXT, CR_OK, "%s: accepted by the next server (%s)", who, reply);
            break;
        case RS_BOUNCED:
            l = add(in, IL_TEXT, CR_SMTP_REJECT, "%s: bounced \u2014 %s", who, reply);
            break;
        case RS_FILED:
            l = add(in, IL_TEXT, st[r].folder == FOLDER_JUNK ? CR_SPAM : CR_OK,
                    "%s: in the %s folder since %s", who, folder_word(st[r].folder),
                    fmt_clock(e->t_us, clock, sizeof clock));
            break;
        case RS_FETCHED:
            l = add(in, IL_TEXT, CR_FETCH, "%s: downloaded by the reader at %s", who,
                    fmt_clock(e->t_us, clock, sizeof clock));
            break;
        default: l = NULL; break;
        }
        if (l) {
            l->strong = true;
        }
    }
    const TraceMsg *msg = trace_msg(tr, m);
    if (msg->rcpt_count > n) {
        add(in, IL_TEXT, CR_TEXT_DIM, "\u2026 and %u more recipients", msg->rcpt_count - (unsigned)n);
    }
    if (msg->parent != TRACE_NONE) {
        InspectLine *l = add(in, IL_TEXT, CR_MSG_DSN, "A bounce report (DSN) about %s \u2192 inspect",
                             trace_str(tr, trace_msg(tr, msg->parent)->id));
        l->msg = msg->parent;
    }
    /* Bounces this message caused, already written by t. */
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        const TraceEvent *e = &ev[evs[j]];
        if ((e->kind == TK_BOUNCE || e->kind == TK_WARN) && e->num > 0 &&
            (size_t)(e->num - 1) < trace_msg_count(tr)) {
            InspectLine *l = add(in, IL_TEXT, CR_MSG_DSN, "%s %s went back to the sender \u2192 inspect",
                                 e->kind == TK_BOUNCE ? "Bounce" : "Delay warning",
                                 trace_str(tr, trace_msg(tr, e->num - 1)->id));
            l->msg = e->num - 1;
        }
    }
}

static bool starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char a = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
        char b = *prefix >= 'A' && *prefix <= 'Z' ? (char)(*prefix + 32) : *prefix;
        if (a != b) {
            return false;
        }
    }
    return true;
}

/* The latest header event of m by t that starts with `name` ("From:"), or NULL. */
static const char *find_header(const TraceIndex *ix, int32_t m, int64_t t_us, const char *name)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    const char *found = NULL;
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        if (ev[evs[j]].kind == TK_HEADER && starts_with_ci(trace_str(tr, ev[evs[j]].text), name)) {
            found = trace_str(tr, ev[evs[j]].text);
        }
    }
    return found;
}

/* The envelope as last said on the wire by t: the latest session's MAIL FROM and its RCPT TOs
 * (with any parameters, "SIZE=707"); before any SMTP, the message table's sender and
 * recipients, dimmed. */
static void envelope_lines(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const TraceMsg *msg = trace_msg(tr, m);
    add(in, IL_HEADING, CR_TEXT, "Envelope (SMTP) beside the headers");
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    uint32_t mail = UINT32_MAX, rcpt[4];
    size_t nrcpt = 0, more = 0;
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        const TraceEvent *e = &ev[evs[j]];
        if (e->kind != TK_SMTP || e->sub != TRACE_ASK) {
            continue;
        }
        const char *line = trace_str(tr, e->text);
        if (strncmp(line, "MAIL FROM", 9) == 0) {
            mail = evs[j];
            nrcpt = more = 0;
        } else if (strncmp(line, "RCPT TO", 7) == 0 && mail != UINT32_MAX) {
            if (nrcpt < 4) {
                rcpt[nrcpt++] = evs[j];
            } else {
                more++;
            }
        }
    }
    const char *from = find_header(ix, m, t_us, "From:");
    const char *to = find_header(ix, m, t_us, "To:");
    if (mail != UINT32_MAX) {
        add(in, IL_MONO, CR_SMTP_CMD, "%s", trace_str(tr, ev[mail].text));
    } else {
        add(in, IL_MONO, CR_TEXT_DIM, "MAIL FROM:<%s>  (no SMTP session yet)", trace_str(tr, msg->sender));
    }
    add(in, IL_MONO, from ? CR_TEXT : CR_TEXT_DIM, "%s", from ? from : "From: (no header yet)");
    if (mail != UINT32_MAX) {
        for (size_t r = 0; r < nrcpt; r++) {
            add(in, IL_MONO, CR_SMTP_CMD, "%s", trace_str(tr, ev[rcpt[r]].text));
        }
        if (more) {
            add(in, IL_MONO, CR_TEXT_DIM, "\u2026 and %zu more RCPT TO", more);
        }
    } else {
        for (uint32_t r = 0; r < msg->rcpt_count && r < 4; r++) {
            add(in, IL_MONO, CR_TEXT_DIM, "RCPT TO:<%s>", trace_str(tr, trace_msg_rcpt(tr, m, r)));
        }
    }
    add(in, IL_MONO, to ? CR_TEXT : CR_TEXT_DIM, "%s", to ? to : "To: (no header yet)");
    add(in, IL_TEXT, CR_TEXT_DIM, "%s",
        msg->sender == STR_EMPTY
            ? "The empty MAIL FROM:<> marks a bounce: nobody may bounce it again."
            : "Servers act on the envelope; the reader sees the headers. They need not match.");
}

static void header_lines(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const TraceMsg *msg = trace_msg(tr, m);
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    size_t count = 0, last = SIZE_MAX;
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        if (ev[evs[j]].kind == TK_HEADER) {
            count++;
            last = j;
        }
    }
    if (count == 0) {
        return;
    }
    add(in, IL_HEADING, CR_TEXT, "Headers as they grew (%zu)", count);
    /* Servers prepend trace headers (Received, X-Spam-*): newest on top. The composing
     * client's own headers keep their order below them. */
    for (size_t j = k; j-- > 0;) {
        const TraceEvent *e = &ev[evs[j]];
        if (e->kind != TK_HEADER || e->t_us > t_us || e->from == msg->client) {
            continue;
        }
        InspectLine *l = add(in, IL_MONO, j == last ? CR_SELECT : CR_TEXT, "%s", trace_str(tr, e->text));
        l->strong = j == last;
    }
    for (size_t j = 0; j < k; j++) {
        const TraceEvent *e = &ev[evs[j]];
        if (e->kind != TK_HEADER || e->t_us > t_us || e->from != msg->client) {
            continue;
        }
        InspectLine *l = add(in, IL_MONO, j == last ? CR_SELECT : CR_TEXT, "%s", trace_str(tr, e->text));
        l->strong = j == last;
    }
}

static const char *node_name(const Trace *tr, int32_t n)
{
    return n >= 0 && (size_t)n < trace_node_count(tr) ? trace_str(tr, trace_node(tr, n)->name) : "?";
}

/* How far back (in trace events) reused_from looks for the session's previous message: a cached
 * session is idle at most a few seconds, but a bulk trace may hold many events in them. */
#define REUSE_LOOKBACK_EVENTS 100000

/* A session that starts with RSET was kept open by the sending server's connection cache and
 * carried another message before: the last message on the same client/server pair before
 * event `at`, or TRACE_NONE when none is found within REUSE_LOOKBACK_EVENTS. */
static int32_t reused_from(const Trace *tr, uint32_t at, int32_t client, int32_t server)
{
    const TraceEvent *ev = trace_events(tr);
    int32_t m = ev[at].msg;
    uint32_t stop = at > REUSE_LOOKBACK_EVENTS ? at - REUSE_LOOKBACK_EVENTS : 0;
    for (uint32_t i = at; i-- > stop;) {
        const TraceEvent *e = &ev[i];
        bool pair = (e->from == client && e->to == server) || (e->from == server && e->to == client);
        if (pair && (e->kind == TK_SMTP || e->kind == TK_CONN) && e->msg != m) {
            return e->msg;
        }
    }
    return TRACE_NONE;
}

/* The cue that a session was reused: "reused session (RSET) — previous message m3". */
static void reuse_line(Inspector *in, const Trace *tr, uint32_t at, int32_t client, int32_t server)
{
    int32_t prev = reused_from(tr, at, client, server);
    if (prev != TRACE_NONE && prev >= 0 && (size_t)prev < trace_msg_count(tr)) {
        add(in, IL_TEXT, CR_TEXT_DIM, "   reused session (RSET) \u2014 previous message %s",
            trace_str(tr, trace_msg(tr, prev)->id));
    } else {
        add(in, IL_TEXT, CR_TEXT_DIM, "   reused session (RSET)");
    }
}

static void transcript_lines(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    int32_t client = -1, server = -1;
    bool any = false;
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        const TraceEvent *e = &ev[evs[j]];
        if (e->kind != TK_SMTP && e->kind != TK_CONN) {
            continue;
        }
        if (!any) {
            add(in, IL_HEADING, CR_TEXT, "SMTP conversation");
            any = true;
        }
        bool from_client = (e->kind == TK_SMTP && e->sub == TRACE_ASK) || (e->kind == TK_CONN && e->sub == CONN_OPEN);
        int32_t c = from_client ? e->from : e->to, s = from_client ? e->to : e->from;
        if (e->kind == TK_CONN && e->sub == CONN_OPEN) {
            add(in, IL_TEXT, CR_TEXT_DIM, "%s \u2192 %s", node_name(tr, c), node_name(tr, s));
            client = c;
            server = s;
        } else if (c != client || s != server) {
            add(in, IL_TEXT, CR_TEXT_DIM, "%s \u2192 %s", node_name(tr, c), node_name(tr, s));
            client = c;
            server = s;
            if (e->kind == TK_SMTP && from_client && strcmp(trace_str(tr, e->text), "RSET") == 0) {
                reuse_line(in, tr, evs[j], c, s);
            }
        }
        ColorRole role = view_event_role(tr, evs[j]);
        if (e->kind == TK_CONN) {
            add(in, IL_MONO, role, "   %s", trace_str(tr, e->text));
            continue;
        }
        /* One line per reply line: "S: 250-PIPELINING". */
        const char *p = trace_str(tr, e->text);
        do {
            size_t len = strcspn(p, "\n");
            add(in, IL_MONO, role, "%s %.*s", from_client ? "C:" : "S:", (int)len, p);
            p += len;
            p += *p == '\n';
        } while (*p);
    }
}

static void dns_lines(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    bool any = false;
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        const TraceEvent *e = &ev[evs[j]];
        if (e->kind != TK_DNS || e->sub != TRACE_ANSWER) {
            continue;
        }
        if (!any) {
            add(in, IL_HEADING, CR_TEXT, "DNS look-ups");
            any = true;
        }
        const char *ans = trace_str(tr, e->text);
        add(in, IL_MONO, view_event_role(tr, evs[j]), "%s %s \u2192 %s%s",
            trace_qtype_name((TraceQtype)e->num), trace_str(tr, e->aux),
            e->num2 == RCODE_NOERROR ? (ans[0] ? ans : "(no records)") : trace_rcode_name((TraceRcode)e->num2),
            (e->flags & TRACE_F_CACHED) ? " (cached)" : "");
    }
}

/* A DSN's machine-readable part (RFC 3464 message/delivery-status), from its report events:
 * what a mail program reads to tell the sender which recipient failed and why. */
static void report_lines(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, m, &evs);
    bool first = true;
    char code[TRACE_DSN_BUF];
    for (size_t j = 0; j < k && ev[evs[j]].t_us <= t_us; j++) {
        const TraceEvent *e = &ev[evs[j]];
        if (e->kind != TK_REPORT) {
            continue;
        }
        ColorRole role = e->sub == DSN_ACTION_FAILED ? CR_SMTP_REJECT : CR_SMTP_DEFER;
        if (first) {
            add(in, IL_HEADING, CR_TEXT, "Delivery report");
            add(in, IL_MONO, CR_TEXT, "Reporting-MTA: dns; %s", node_name(tr, e->from));
            first = false;
        }
        add(in, IL_MONO, CR_TEXT, "Final-Recipient: rfc822; %s", trace_str(tr, e->aux));
        add(in, IL_MONO, role, "Action: %s", trace_dsn_action_name((TraceDsnAction)e->sub));
        add(in, IL_MONO, role, "Status: %s", trace_dsn_format(e->num2, code))->strong = true;
        if ((StrId)e->num != STR_EMPTY) {
            add(in, IL_MONO, CR_TEXT, "Remote-MTA: dns; %s", trace_str(tr, (StrId)e->num));
        }
        add(in, IL_MONO, CR_TEXT, "Diagnostic-Code: %s", trace_str(tr, e->text));
    }
}

void inspector_message(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us)
{
    reset(in);
    const Trace *tr = traceindex_trace(ix);
    if (m < 0 || (size_t)m >= trace_msg_count(tr)) {
        finish(in);
        return;
    }
    const TraceMsg *msg = trace_msg(tr, m);
    add(in, IL_TITLE, msg->parent != TRACE_NONE ? CR_MSG_DSN : CR_TEXT, "%s  \u201c%s\u201d",
        trace_str(tr, msg->id), trace_str(tr, msg->subject));
    char size[32];
    fmt_size(msg->size_bytes, size, sizeof size);
    add(in, IL_TEXT, CR_TEXT_DIM, "from %s \u00b7 %s \u00b7 written at %s",
        msg->sender == STR_EMPTY ? "<> (mailer daemon)" : trace_str(tr, msg->sender), size,
        node_name(tr, msg->client));
    add(in, IL_HEADING, CR_TEXT, "Where it stands");
    char attempt[96];
    if (timeaxis_attempt_text(ix, m, t_us, attempt, sizeof attempt)) {
        add(in, IL_TEXT, CR_SMTP_DEFER, "\u27f3 %s", attempt); /* the retry grammar's mark */
    }
    status_lines(in, ix, m, t_us);
    report_lines(in, ix, m, t_us);
    uint32_t v = traceindex_msg_verdict(ix, m);
    if (v != UINT32_MAX && trace_events(tr)[v].t_us <= t_us) {
        spam_section(in, tr, &trace_events(tr)[v]);
    }
    /* The conversation, where refusals are said, right after where the message stands: it
     * used to come after every header, some fifteen wheel clicks down. */
    transcript_lines(in, ix, m, t_us);
    envelope_lines(in, ix, m, t_us);
    header_lines(in, ix, m, t_us);
    dns_lines(in, ix, m, t_us);
    finish(in);
}

/* ---- node ---- */

static const char *const KIND_DESCRIPTION[NODE_KIND_COUNT] = {
    [NODE_CLIENT] = "A mail client: its user writes mail here and submits it to an outgoing server "
                    "(port 587), and reads mail from a mail store over IMAP or POP3.",
    [NODE_OUTGOING] = "An outgoing mail server: accepts mail from its users, keeps it in a queue, "
                      "asks DNS for the recipient domain's MX and delivers by SMTP, retrying after "
                      "temporary (4xx) failures and bouncing after permanent (5xx) ones.",
    [NODE_RESOLVER] = "A DNS resolver: answers questions such as \u201cwhich server takes mail for "
                      "b.example?\u201d (MX) and \u201cwhat is its address?\u201d (A), and caches "
                      "answers for their TTL.",
    [NODE_INCOMING] = "An incoming mail server (MX): accepts mail for its domains over SMTP (port 25) "
                      "after its checks \u2014 known recipient, blocklists, greylisting, size, quota.",
    [NODE_FILTER] = "A spam filter: adds up rule scores for each message; at or above the threshold "
                    "the message is tagged as spam and filed in Junk.",
    [NODE_STORE] = "A mail store: the mailboxes and their folders (Inbox, Junk), read by clients over "
                   "IMAP or POP3.",
};

static const char *const KIND_TITLE[NODE_KIND_COUNT] = {
    [NODE_CLIENT] = "mail client",       [NODE_OUTGOING] = "outgoing server",
    [NODE_RESOLVER] = "DNS resolver",    [NODE_INCOMING] = "incoming server (MX)",
    [NODE_FILTER] = "spam filter",       [NODE_STORE] = "mail store",
};

/* An address verifier's verdict on each address so far (the events before `done`). Only a node
 * that has given verdicts is scanned for them. */
static void verdict_lines(Inspector *in, const Trace *tr, const ViewNode *vn, int32_t node,
                          size_t done)
{
    int32_t given = 0;
    for (int v = 0; v < VERIFY_COUNT; v++) {
        given += vn->counters[NC_VERIFIED + v];
    }
    if (given == 0) {
        return;
    }
    add(in, IL_HEADING, CR_TEXT, "Addresses verified");
    const TraceEvent *ev = trace_events(tr);
    char code[TRACE_DSN_BUF];
    for (size_t j = 0; j < done; j++) {
        if (ev[j].kind != TK_VERIFY || ev[j].from != node) {
            continue;
        }
        trace_dsn_format(ev[j].num2, code);
        InspectLine *l = add(in, IL_TEXT, view_event_role(tr, (uint32_t)j), "%s: %s%s%s — %s",
                             trace_str(tr, ev[j].aux),
                             trace_verify_name((TraceVerifyVerdict)ev[j].sub), code[0] ? ", " : "",
                             code, trace_str(tr, ev[j].text));
        l->strong = true;
        l->msg = ev[j].msg;
    }
}

void inspector_node(Inspector *in, const TraceIndex *ix, const ViewState *vs, int32_t node,
                    int64_t t_us)
{
    reset(in);
    const Trace *tr = traceindex_trace(ix);
    if (node < 0 || (size_t)node >= trace_node_count(tr)) {
        finish(in);
        return;
    }
    const TraceNode *nd = trace_node(tr, node);
    const char *label = trace_str(tr, nd->label);
    add(in, IL_TITLE, theme_kind_role(nd->kind), "%s", label[0] ? label : trace_str(tr, nd->name));
    add(in, IL_TEXT, CR_TEXT_DIM, "%s%s%s%s%s", KIND_TITLE[nd->kind], label[0] ? " \u00b7 " : "",
        label[0] ? trace_str(tr, nd->name) : "", nd->ip != STR_EMPTY ? " \u00b7 IP " : "",
        trace_str(tr, nd->ip));
    add(in, IL_TEXT, CR_TEXT, "%s", KIND_DESCRIPTION[nd->kind]);
    if (vs && (size_t)node < vs->node_count) {
        const ViewNode *vn = &vs->nodes[node];
        add(in, IL_HEADING, CR_TEXT, "Now");
        if (vn->down) {
            add(in, IL_TEXT, CR_SMTP_REJECT, "DOWN: it does not answer connections.")->strong = true;
        }
        for (int b = 0; b < vn->badge_count; b++) {
            if (strcmp(vn->badges[b].text, "\u26a0 DOWN") != 0) {
                add(in, IL_TEXT, (ColorRole)vn->badges[b].role, "%s", vn->badges[b].text);
            }
        }
        if (vn->counters[NC_RESTING] > 0 && nd->kind != NODE_OUTGOING) {
            add(in, IL_TEXT, CR_TEXT, "messages here: %d", (int)vn->counters[NC_RESTING]);
        }
        if (vn->badge_count == 0 && vn->counters[NC_RESTING] == 0) {
            add(in, IL_TEXT, CR_TEXT_DIM, "Nothing here right now.");
        }
    }
    /* Recent events touching the node, newest first. */
    size_t done = traceindex_events_until(ix, t_us);
    const TraceEvent *ev = trace_events(tr);
    if (vs && (size_t)node < vs->node_count && nd->kind == NODE_CLIENT) {
        verdict_lines(in, tr, &vs->nodes[node], node, done);
    }
    size_t shown = 0;
    char line[1024], clock[32];
    for (size_t j = done, seen = 0; j-- > 0 && shown < NODE_RECENT && seen < NODE_SCAN_BACK; seen++) {
        if (ev[j].from != node && ev[j].to != node) {
            continue;
        }
        if (shown == 0) {
            add(in, IL_HEADING, CR_TEXT, "Recent events here");
        }
        narrate_event(tr, (uint32_t)j, line, sizeof line);
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }
        /* The log's short clock: mm:ss.mmm within the first hour, the full clock (with its day)
         * after; cutting "hh:" always showed 4d 20:14:58 as 20:14:58. */
        fmt_clock(ev[j].t_us, clock, sizeof clock);
        const char *shown_clock = ev[j].t_us < INT64_C(3600000000) ? clock + 3 : clock;
        InspectLine *l = add(in, IL_MONO, view_event_role(tr, (uint32_t)j), "%s  %s", shown_clock,
                             line);
        l->msg = ev[j].msg;
        shown++;
    }
    finish(in);
}

/* ---- scenario ---- */

static const char *msg_summary(const TraceIndex *ix, int32_t m, int64_t t_us, ColorRole *role)
{
    RcptNow st[MAX_RCPT_SHOWN];
    size_t n = rcpt_status(ix, m, t_us, st);
    RcptView worst = RS_FETCHED;
    int folder = FOLDER_INBOX;
    for (size_t r = 0; r < n; r++) {
        /* Show the least finished recipient, but a bounce always wins. */
        if (st[r].state == RS_BOUNCED || (worst != RS_BOUNCED && st[r].state < worst)) {
            worst = st[r].state;
            folder = st[r].folder;
        }
    }
    switch (n ? worst : RS_NOT_YET) {
    case RS_NOT_YET: *role = CR_TEXT_DIM; return "not sent yet";
    case RS_TRAVEL: *role = CR_TEXT; return "on its way";
    case RS_DEFERRED: *role = CR_SMTP_DEFER; return "deferred, will retry";
    case RS_SENT: *role = CR_OK; return "accepted, on its way to the mailbox";
    case RS_BOUNCED: *role = CR_SMTP_REJECT; return "bounced";
    case RS_FILED: *role = folder == FOLDER_JUNK ? CR_SPAM : CR_OK;
        return folder == FOLDER_JUNK ? "filed in Junk" : "delivered to the Inbox";
    case RS_FETCHED: *role = CR_FETCH; return "delivered and downloaded";
    }
    *role = CR_TEXT;
    return "";
}

void inspector_scenario(Inspector *in, const TraceIndex *ix, int64_t t_us)
{
    inspector_scenario_lesson(in, ix, t_us, trace_lesson(traceindex_trace(ix)));
}

void inspector_scenario_lesson(Inspector *in, const TraceIndex *ix, int64_t t_us,
                               const char *lesson)
{
    reset(in);
    const Trace *tr = traceindex_trace(ix);
    const char *title = trace_title(tr);
    add(in, IL_TITLE, CR_TEXT, "%s", title[0] ? title : trace_scenario(tr));
    if (lesson[0]) {
        add(in, IL_TEXT, CR_TEXT, "%s", lesson);
    }
    size_t n = trace_msg_count(tr);
    if (n > 0) {
        add(in, IL_HEADING, CR_TEXT, "Messages (click one to inspect it)");
    }
    const TraceEvent *ev = trace_events(tr);
    for (size_t m = 0, shown = 0; m < n && shown < 200; m++) {
        const uint32_t *evs;
        size_t k = traceindex_msg_events(ix, (int32_t)m, &evs);
        if (k == 0 || ev[evs[0]].t_us > t_us) {
            continue; /* not written yet */
        }
        ColorRole role;
        const char *what = msg_summary(ix, (int32_t)m, t_us, &role);
        const TraceMsg *msg = trace_msg(tr, (int32_t)m);
        InspectLine *l = add(in, IL_TEXT, role, "%s  %s \u2014 %s", trace_str(tr, msg->id),
                             trace_str(tr, msg->subject), what);
        l->msg = (int32_t)m;
        shown++;
    }
    add(in, IL_TEXT, CR_TEXT_DIM, "%s",
        "Click an envelope, a node or a message; Tab cycles messages; F1 lists the keys.");
    finish(in);
}
