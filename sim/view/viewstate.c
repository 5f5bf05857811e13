/* viewstate: the picture at time t (see viewstate.h).
 *
 * One call = counters from the index's snapshots, tokens for everything in flight, merging of
 * crowded links, resting envelopes, node badges, then the caption. Labels are written into a text
 * arena as offsets while it may still grow, and turned into pointers at the very end.
 */
#include "view/viewstate.h"

#include "mail/smtp.h"

#include "text/explain.h"
#include "text/narrate.h"
#include "util/fmt.h"
#include "util/hash.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 20        /* characters in an ordinary packet label */
#define LABEL_REJECT_MAX 110 /* a refusal shows its code and its whole reason (the player wraps it) */
#define GROUP_BUCKETS 4
#define LANE_CHECK_MAX 400 /* tokens checked for shared lanes */

/* Where flight_tokens puts each in-flight event (ViewStore.member): the index of its directed
 * link's group (below VIEW_FLIGHT_CAP), or one of these two markers. */
#define MEMBER_HIDDEN UINT32_MAX         /* a packet while packets are hidden: not drawn */
#define MEMBER_SELECTED (UINT32_MAX - 1) /* the selected message's: drawn alone, never merged */

typedef struct {
    uint32_t count, envelopes, refusals, first_event;
    double progress_sum;
} Bucket;

struct ViewStore {
    size_t token_cap, node_cap;
    uint32_t *label_off; /* per token, into text */
    uint32_t *badge_off; /* per node * VIEW_MAX_BADGES */
    uint32_t caption_off;
    char *text;
    size_t text_len, text_cap;
    const Span **spans;
    size_t span_cap;
    int32_t *counters;
    size_t counter_cap;
    /* merging crowded links: a hash of directed links -> group, per group a count and buckets */
    uint64_t *group_keys;
    uint32_t *group_of, *group_count;
    size_t group_cap;
    uint32_t *member; /* per in-flight event: its link's group, MEMBER_HIDDEN or MEMBER_SELECTED */
    size_t member_cap;
    Bucket *buckets;
    size_t bucket_cap;
};

ViewOptions viewoptions_default(void)
{
    return (ViewOptions){ .show_packets = true,
                          .selected_msg = TRACE_NONE,
                          .selected_node = TRACE_NONE,
                          .max_per_link = 8,
                          .current_event = UINT32_MAX };
}

ViewState *viewstate_create(void)
{
    ViewState *vs = xcalloc(1, sizeof *vs);
    vs->store = xcalloc(1, sizeof *vs->store);
    vs->caption = "";
    return vs;
}

void viewstate_destroy(ViewState *vs)
{
    if (!vs) {
        return;
    }
    struct ViewStore *st = vs->store;
    free(st->label_off);
    free(st->badge_off);
    free(st->text);
    free(st->spans);
    free(st->counters);
    free(st->group_keys);
    free(st->group_of);
    free(st->group_count);
    free(st->member);
    free(st->buckets);
    free(st);
    free(vs->tokens);
    free(vs->nodes);
    free(vs);
}

/* ---- text arena ---- */

static uint32_t put_bytes(ViewState *vs, const char *s, size_t n)
{
    struct ViewStore *st = vs->store;
    if (st->text_len + n + 1 > st->text_cap) {
        st->text = xgrow(st->text, &st->text_cap, st->text_len + n + 1, 1);
    }
    uint32_t off = (uint32_t)st->text_len;
    memcpy(st->text + off, s, n);
    st->text[off + n] = '\0';
    st->text_len += n + 1;
    return off;
}

static uint32_t put_fmt(ViewState *vs, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static uint32_t put_fmt(ViewState *vs, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) {
        n = 0;
    }
    return put_bytes(vs, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Copies the first line of s, cut to max_chars UTF-8 characters with "…" when longer; a
 * multi-line text also gets "…". */
static uint32_t put_line(ViewState *vs, const char *s, size_t max_chars)
{
    char buf[512];
    size_t n = 0, chars = 0;
    bool more = false;
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            more = p[1] != '\0';
            break;
        }
        bool lead = ((unsigned char)*p & 0xC0) != 0x80;
        if (lead && chars == max_chars) {
            more = true;
            break;
        }
        if (n + 8 >= sizeof buf) {
            more = true;
            break;
        }
        chars += lead;
        buf[n++] = *p;
    }
    if (more) {
        memcpy(buf + n, " \u2026", 4);
        n += 4;
    }
    return put_bytes(vs, buf, n);
}

/* ---- event classification ---- */

static bool str_is(const Trace *tr, StrId id, const char *s)
{
    return strcmp(trace_str(tr, id), s) == 0;
}

ColorRole view_event_role(const Trace *tr, uint32_t i)
{
    const TraceEvent *e = &trace_events(tr)[i];
    switch ((TraceKind)e->kind) {
    case TK_SMTP:
        if (e->sub == TRACE_ASK) {
            return CR_SMTP_CMD;
        }
        if (smtp_is_followup(trace_str(tr, e->text))) {
            return CR_NEUTRAL; /* refuses nothing of its own (mail/smtp.h) */
        }
        return e->num >= 500 ? CR_SMTP_REJECT : e->num >= 400 ? CR_SMTP_DEFER : CR_SMTP_OK;
    case TK_DNS:
        if (e->sub == TRACE_ANSWER && e->num2 == RCODE_NXDOMAIN) {
            return CR_SMTP_REJECT;
        }
        if (e->sub == TRACE_ANSWER && (e->num2 == RCODE_SERVFAIL || e->num2 == RCODE_TIMEOUT)) {
            return CR_SMTP_DEFER;
        }
        return CR_DNS;
    case TK_CONN:
        return e->sub == CONN_REFUSED ? CR_SMTP_DEFER
               : e->sub == CONN_TIMEOUT || e->sub == CONN_QUEUED ? CR_SMTP_DEFER
                                                                  : CR_CONN;
    case TK_SENT: return CR_OK;
    case TK_DEFER:
    case TK_RETRY:
    case TK_WARN: return CR_SMTP_DEFER;
    case TK_BOUNCE: return CR_SMTP_REJECT;
    case TK_SPAM: return e->sub == VERDICT_SPAM ? CR_SPAM : CR_OK;
    case TK_DELIVER: return e->sub == FOLDER_JUNK ? CR_SPAM : CR_OK;
    case TK_FETCH: return (e->flags & TRACE_F_REJECT) ? CR_SMTP_REJECT : CR_FETCH;
    case TK_MOVE:
    case TK_LEARN: return CR_SPAM;
    case TK_ACTION:
        return str_is(tr, e->aux, "outage")        ? CR_SMTP_REJECT
               : str_is(tr, e->aux, "dns_failure") ? CR_SMTP_DEFER
                                                   : CR_NEUTRAL;
    case TK_COMPOSE: return CR_MSG;
    case TK_HOP: return CR_MSG;
    case TK_VERIFY:
        return e->sub == VERIFY_DELIVERABLE ? CR_OK
               : e->sub == VERIFY_INVALID   ? CR_SMTP_REJECT
                                            : CR_SMTP_DEFER;
    case TK_REPORT: return e->sub == DSN_ACTION_FAILED ? CR_SMTP_REJECT : CR_SMTP_DEFER;
    case TK_HEADER:
    case TK_QUEUE:
    case TK_KIND_COUNT: break;
    }
    return CR_NEUTRAL;
}

bool view_event_notable(const Trace *tr, uint32_t i)
{
    const TraceEvent *e = &trace_events(tr)[i];
    switch ((TraceKind)e->kind) {
    case TK_COMPOSE:
    case TK_SENT:
    case TK_DEFER:
    case TK_BOUNCE:
    case TK_WARN:
    case TK_SPAM:
    case TK_DELIVER:
    case TK_ACTION:
    case TK_VERIFY:
    case TK_MOVE: return true;
    case TK_SMTP:
        return (e->flags & TRACE_F_REJECT) != 0 && !smtp_is_followup(trace_str(tr, e->text));
    case TK_CONN: return e->sub == CONN_REFUSED || e->sub == CONN_TIMEOUT;
    case TK_DNS: return e->sub == TRACE_ANSWER && e->num2 != RCODE_NOERROR;
    case TK_FETCH: return e->msg != TRACE_NONE;
    default: return false;
    }
}

static bool event_is_refusal(const Trace *tr, const TraceEvent *e)
{
    switch ((TraceKind)e->kind) {
    case TK_SMTP:
        return (e->flags & TRACE_F_REJECT) != 0 && !smtp_is_followup(trace_str(tr, e->text));
    case TK_FETCH: return (e->flags & TRACE_F_REJECT) != 0;
    case TK_CONN: return e->sub == CONN_REFUSED || e->sub == CONN_TIMEOUT;
    case TK_DNS: return e->sub == TRACE_ANSWER && e->num2 != RCODE_NOERROR;
    default: return false;
    }
}

/* ---- tokens ---- */

static ViewToken *push_token(ViewState *vs, uint32_t label_off)
{
    struct ViewStore *st = vs->store;
    if (vs->token_count == st->token_cap) {
        size_t cap = st->token_cap;
        vs->tokens = xgrow(vs->tokens, &st->token_cap, vs->token_count + 1, sizeof *vs->tokens);
        size_t c2 = cap;
        st->label_off = xgrow(st->label_off, &c2, vs->token_count + 1, sizeof *st->label_off);
    }
    size_t i = vs->token_count++;
    st->label_off[i] = label_off;
    ViewToken *tok = &vs->tokens[i];
    memset(tok, 0, sizeof *tok);
    tok->event = UINT32_MAX;
    tok->msg = TRACE_NONE;
    tok->node = TRACE_NONE;
    tok->count = 1;
    return tok;
}

void viewtoken_point(const ViewToken *t, float p, float *x, float *y)
{
    float u = 1 - p;
    *x = u * u * t->x0 + 2 * u * p * t->cx + p * p * t->x1;
    *y = u * u * t->y0 + 2 * u * p * t->cy + p * p * t->y1;
}

/* Puts a travelling token on the link from -> to at its progress, `side` pixels to the right of
 * its direction of travel (so a command and its reply pass each other instead of colliding). */
static void place_on_link(ViewToken *tok, const Layout *lay, int32_t from, int32_t to, float side)
{
    layout_link_curve(lay, from, to, &tok->x0, &tok->y0, &tok->cx, &tok->cy, &tok->x1, &tok->y1);
    float dx = tok->x1 - tok->x0, dy = tok->y1 - tok->y0, len = sqrtf(dx * dx + dy * dy);
    float nx = len > 0 ? -dy / len * side : 0, ny = len > 0 ? dx / len * side : 0;
    tok->x0 += nx;
    tok->y0 += ny;
    tok->cx += nx;
    tok->cy += ny;
    tok->x1 += nx;
    tok->y1 += ny;
    viewtoken_point(tok, tok->progress, &tok->x, &tok->y);
}

static ColorRole msg_role(const TraceIndex *ix, int32_t m, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    if (trace_msg(tr, m)->parent != TRACE_NONE) {
        return CR_MSG_DSN;
    }
    uint32_t v = traceindex_msg_verdict(ix, m);
    if (v != UINT32_MAX && trace_events(tr)[v].t_us <= t_us &&
        trace_events(tr)[v].sub == VERDICT_SPAM) {
        return CR_MSG_SPAM;
    }
    return CR_MSG;
}

/* Short words for the ordinary reply codes: the packet says "250 OK", the log says the rest. */
static const char *reply_word(int code)
{
    switch (code) {
    case 220: return "ready";
    case 221: return "bye";
    case 235: return "authenticated";
    case 250: return "OK";
    case 251: return "OK";
    case 252: return "cannot verify";
    case 354: return "send data";
    default: return "";
    }
}

/* "550 5.1.1 <x>: Recipient address rejected: User unknown" -> "✖ 550 5.1.1 User unknown":
 * code, enhanced code, and the last phrase, which is what a person needs to read. */
/* The grammar of failures, in shape and word as well as colour: a temporary one is "⟳ … try
 * later", a permanent one "✖ … refused". */
#define MARK_TEMPORARY "\u27f3 "
#define MARK_PERMANENT "\u2716 "

static uint32_t refusal_label(ViewState *vs, const char *line)
{
    char code[4] = { 0 }, status[16] = { 0 };
    const char *p = line;
    size_t i = 0;
    while (i < 3 && *p >= '0' && *p <= '9') {
        code[i++] = *p++;
    }
    p += *p == ' ' || *p == '-';
    size_t st = strspn(p, "0123456789.");
    if (st > 0 && st < sizeof status && strchr(p, '.') && strchr(p, '.') < p + st) {
        memcpy(status, p, st);
        p += st;
        p += strspn(p, " ");
    }
    const char *phrase = p;
    for (const char *q = strstr(p, ": "); q; q = strstr(q + 2, ": ")) {
        phrase = q + 2;
    }
    char buf[300];
    bool temporary = code[0] == '4';
    snprintf(buf, sizeof buf, "%s%s%s%s %s: %s", temporary ? MARK_TEMPORARY : MARK_PERMANENT, code,
             status[0] ? " " : "", status, temporary ? "try later" : "refused", phrase);
    return put_line(vs, buf, LABEL_REJECT_MAX);
}

/* The first `words` words of s (stopping at ':' after the first word for "MAIL FROM:<...>"). */
static uint32_t first_words(ViewState *vs, const char *s, int words, size_t max_chars)
{
    char buf[128];
    size_t n = 0;
    int w = 0;
    for (const char *p = s; *p && *p != '\n' && n + 1 < sizeof buf; p++) {
        if (*p == ':' || (*p == ' ' && ++w >= words)) {
            break;
        }
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return put_line(vs, buf, max_chars);
}

static uint32_t packet_label(ViewState *vs, const Trace *tr, const TraceEvent *e, bool refusal)
{
    const char *text = trace_str(tr, e->text);
    switch ((TraceKind)e->kind) {
    case TK_DNS:
        if (e->sub == TRACE_ASK) {
            return put_fmt(vs, "%s? %s", trace_qtype_name((TraceQtype)e->num), trace_str(tr, e->aux));
        }
        if (e->num2 != RCODE_NOERROR) {
            bool temporary = view_event_role(tr, (uint32_t)(e - trace_events(tr))) == CR_SMTP_DEFER;
            /* Name the domain whose DNS failed: the resolver only passes the failure on. */
            return put_fmt(vs, "%s%s: %s%s", temporary ? MARK_TEMPORARY : MARK_PERMANENT,
                           trace_rcode_name((TraceRcode)e->num2), trace_str(tr, e->aux),
                           temporary ? "'s DNS failed, try later" : " does not exist");
        } else {
            char buf[256];
            snprintf(buf, sizeof buf, "%s %s%s", trace_qtype_name((TraceQtype)e->num),
                     text[0] ? text : "(none)", (e->flags & TRACE_F_CACHED) ? " (cache)" : "");
            return put_line(vs, buf, LABEL_MAX);
        }
    case TK_CONN:
        if (e->sub == CONN_OPEN) {
            return e->num > 0 ? put_fmt(vs, "connect :%d", (int)e->num) : put_fmt(vs, "connect");
        }
        if (e->sub == CONN_REFUSED) {
            return put_fmt(vs, MARK_TEMPORARY "can't connect: try later");
        }
        return first_words(vs, text, 2, LABEL_MAX);
    case TK_SMTP:
        if (e->sub == TRACE_ASK) {
            return first_words(vs, text, strncmp(text, "MAIL", 4) == 0 || strncmp(text, "RCPT", 4) == 0 ? 2 : 1,
                               LABEL_MAX);
        }
        if (refusal) {
            return refusal_label(vs, text);
        }
        if (smtp_is_followup(text)) {
            return put_fmt(vs, "%d nothing to send", (int)e->num);
        }
        return reply_word(e->num)[0] ? put_fmt(vs, "%d %s", (int)e->num, reply_word(e->num))
                                     : first_words(vs, text, 1, LABEL_MAX);
    case TK_FETCH:
        if (refusal) {
            char buf[300];
            snprintf(buf, sizeof buf, MARK_PERMANENT "%s", text);
            return put_line(vs, buf, LABEL_MAX);
        }
        return first_words(vs, text, 2, LABEL_MAX);
    default: return first_words(vs, text, 3, refusal ? LABEL_REJECT_MAX : LABEL_MAX);
    }
}

/* How far along its travel event e is at t, clamped to 0..1 (0.5 for an instant one). */
static double flight_progress(const TraceEvent *e, int64_t t_us)
{
    int64_t dur = e->arrive_us - e->t_us;
    double p = dur > 0 ? (double)(t_us - e->t_us) / (double)dur : 0.5;
    return p < 0 ? 0 : p > 1 ? 1 : p;
}

static void flight_token(ViewState *vs, const TraceIndex *ix, const Layout *lay, uint32_t i,
                         int64_t t_us, const ViewOptions *opt)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *e = &trace_events(tr)[i];
    bool carry = traceindex_is_carry(ix, i);
    if (!carry && !opt->show_packets) {
        return;
    }
    bool refusal = event_is_refusal(tr, e);
    uint32_t label = carry ? put_bytes(vs, trace_str(tr, trace_msg(tr, e->msg)->id),
                                       strlen(trace_str(tr, trace_msg(tr, e->msg)->id)))
                           : packet_label(vs, tr, e, refusal);
    ViewToken *tok = push_token(vs, label);
    tok->event = i;
    tok->msg = e->msg;
    tok->shape = carry ? TOKEN_ENVELOPE : TOKEN_PACKET;
    tok->role = (uint8_t)(carry ? msg_role(ix, e->msg, t_us) : view_event_role(tr, i));
    bool reply = (e->kind == TK_SMTP || e->kind == TK_DNS || e->kind == TK_FETCH) &&
                 e->sub == TRACE_ANSWER;
    reply |= e->kind == TK_CONN && e->sub == CONN_REFUSED;
    bool temporary = refusal && !carry && view_event_role(tr, i) == CR_SMTP_DEFER;
    tok->flags = (uint8_t)((refusal ? VT_REJECT : 0) | (reply ? VT_REPLY : 0) |
                           (temporary ? VT_TEMPORARY : 0) |
                           ((e->flags & TRACE_F_CACHED) ? VT_CACHED : 0) |
                           (e->msg != TRACE_NONE && e->msg == opt->selected_msg ? VT_SELECTED : 0));
    tok->progress = (float)flight_progress(e, t_us);
    place_on_link(tok, lay, e->from, e->to, carry ? 0 : 11 * layout_scale(lay));
    if (refusal) { /* a refusal's label floats above the link, clear of the node tiles */
        tok->label_dy = -(layout_node(lay, e->from).h / 2 + 22 * layout_scale(lay));
    }
}

/* Two packets on the same link in the same direction and close together (two sessions to one
 * server) would cover each other: the later one moves out to a second lane, and so on. O(T²) over
 * the individual tokens, bounded by LANE_CHECK_MAX. */
static void separate_lanes(ViewState *vs, const TraceIndex *ix, const Layout *lay, size_t first)
{
    const TraceEvent *ev = trace_events(traceindex_trace(ix));
    size_t end = vs->token_count;
    if (end - first > LANE_CHECK_MAX) {
        return;
    }
    float s = layout_scale(lay);
    for (size_t i = first + 1; i < end; i++) {
        ViewToken *t = &vs->tokens[i];
        if (t->shape != TOKEN_PACKET) {
            continue;
        }
        int lane = 0;
        for (size_t j = first; j < i; j++) {
            const ViewToken *o = &vs->tokens[j];
            if (o->shape == TOKEN_PACKET && ev[o->event].from == ev[t->event].from &&
                ev[o->event].to == ev[t->event].to && fabsf(o->progress - t->progress) < 0.25f) {
                lane++;
            }
        }
        if (lane > 0) {
            place_on_link(t, lay, ev[t->event].from, ev[t->event].to, (11 + 22 * (float)lane) * s);
        }
    }
}

/* Makes room for n in-flight events: `member` for each, and an empty link table of a power of two
 * (at least 16) slots, at most half full. Returns the table's size. */
static size_t reserve_groups(struct ViewStore *st, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n) {
        cap *= 2;
    }
    if (st->group_cap < cap) {
        size_t c1 = st->group_cap, c2 = st->group_cap;
        st->group_keys = xgrow(st->group_keys, &st->group_cap, cap, sizeof *st->group_keys);
        st->group_of = xgrow(st->group_of, &c1, cap, sizeof *st->group_of);
        st->group_count = xgrow(st->group_count, &c2, cap, sizeof *st->group_count);
    }
    if (st->member_cap < n) {
        st->member = xgrow(st->member, &st->member_cap, n, sizeof *st->member);
    }
    memset(st->group_keys, 0xff, cap * sizeof *st->group_keys);
    return cap;
}

/* The group of directed link from -> to in the link table of `cap` slots, a new one (numbered
 * `*groups`, which then grows by one) when the link is not there yet. */
static uint32_t link_group(struct ViewStore *st, size_t cap, int32_t from, int32_t to,
                           uint32_t *groups)
{
    uint64_t key = ((uint64_t)(uint32_t)from << 32) | (uint32_t)to;
    size_t h = (size_t)hash_u64(key) & (cap - 1);
    while (st->group_keys[h] != UINT64_MAX && st->group_keys[h] != key) {
        h = (h + 1) & (cap - 1);
    }
    if (st->group_keys[h] == UINT64_MAX) {
        st->group_keys[h] = key;
        st->group_of[h] = *groups;
        st->group_count[(*groups)++] = 0;
    }
    return st->group_of[h];
}

/* Sets every in-flight event's member (MEMBER_HIDDEN, MEMBER_SELECTED or its link's group),
 * counts each group's members and records the shortest flight shown. Returns the number of
 * groups, numbered in order of first appearance. */
static uint32_t group_by_link(ViewState *vs, const TraceIndex *ix, const ViewOptions *opt, size_t n,
                              size_t cap)
{
    struct ViewStore *st = vs->store;
    const TraceEvent *ev = trace_events(traceindex_trace(ix));
    uint32_t groups = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t i = st->spans[k]->payload;
        const TraceEvent *e = &ev[i];
        if (!traceindex_is_carry(ix, i) && !opt->show_packets) {
            st->member[k] = MEMBER_HIDDEN;
            continue;
        }
        int64_t dur = e->arrive_us - e->t_us;
        if (dur > 0 && dur < vs->shortest_flight_us) {
            vs->shortest_flight_us = dur;
        }
        if (e->msg != TRACE_NONE && e->msg == opt->selected_msg) {
            st->member[k] = MEMBER_SELECTED;
            continue;
        }
        st->member[k] = link_group(st, cap, e->from, e->to, &groups);
        st->group_count[st->member[k]]++;
    }
    return groups;
}

/* True when member g belongs to a link with more than max_per_link tokens (merged). */
static bool member_crowded(const struct ViewStore *st, uint32_t g, uint32_t max_per_link)
{
    return g != MEMBER_HIDDEN && g != MEMBER_SELECTED && st->group_count[g] > max_per_link;
}

/* One token per shown event that is selected or on an uncrowded link, in start order, moved
 * into lanes where they would cover each other. Returns true when some link is crowded. */
static bool individual_tokens(ViewState *vs, const TraceIndex *ix, const Layout *lay, int64_t t_us,
                              const ViewOptions *opt, size_t n, uint32_t max_per_link)
{
    struct ViewStore *st = vs->store;
    bool crowded = false;
    size_t first_token = vs->token_count;
    for (size_t k = 0; k < n; k++) {
        uint32_t g = st->member[k];
        if (g == MEMBER_HIDDEN) {
            continue;
        }
        if (member_crowded(st, g, max_per_link)) {
            crowded = true;
        } else {
            flight_token(vs, ix, lay, st->spans[k]->payload, t_us, opt);
        }
    }
    separate_lanes(vs, ix, lay, first_token);
    return crowded;
}

/* Sorts the members of crowded links into GROUP_BUCKETS stretches along their link by progress
 * (count, progress sum, envelopes, refusals and the first event of each). */
static void fill_buckets(ViewState *vs, const TraceIndex *ix, int64_t t_us, size_t n,
                         uint32_t groups, uint32_t max_per_link)
{
    struct ViewStore *st = vs->store;
    const TraceEvent *ev = trace_events(traceindex_trace(ix));
    if (st->bucket_cap < (size_t)groups * GROUP_BUCKETS) {
        st->buckets = xgrow(st->buckets, &st->bucket_cap, (size_t)groups * GROUP_BUCKETS,
                            sizeof *st->buckets);
    }
    memset(st->buckets, 0, (size_t)groups * GROUP_BUCKETS * sizeof *st->buckets);
    for (size_t k = 0; k < n; k++) {
        uint32_t g = st->member[k];
        if (!member_crowded(st, g, max_per_link)) {
            continue;
        }
        uint32_t i = st->spans[k]->payload;
        const TraceEvent *e = &ev[i];
        double p = flight_progress(e, t_us);
        int b = (int)(p * GROUP_BUCKETS);
        b = b >= GROUP_BUCKETS ? GROUP_BUCKETS - 1 : b;
        Bucket *bk = &st->buckets[(size_t)g * GROUP_BUCKETS + (size_t)b];
        if (bk->count == 0) {
            bk->first_event = i;
        }
        bk->count++;
        bk->progress_sum += p;
        bk->envelopes += traceindex_is_carry(ix, i);
        bk->refusals += event_is_refusal(traceindex_trace(ix), e);
    }
}

/* One counted token per non-empty bucket ("✉ ×120"), by group in order of first appearance, at
 * its members' mean progress; an envelope when any member is one, red when any is a refusal. */
static void merged_tokens(ViewState *vs, const TraceIndex *ix, const Layout *lay, int64_t t_us,
                          uint32_t groups)
{
    struct ViewStore *st = vs->store;
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    float s = layout_scale(lay);
    for (uint32_t g = 0; g < groups; g++) {
        for (int b = 0; b < GROUP_BUCKETS; b++) {
            const Bucket *bk = &st->buckets[(size_t)g * GROUP_BUCKETS + (size_t)b];
            if (bk->count == 0) {
                continue;
            }
            const TraceEvent *e = &ev[bk->first_event];
            bool envelope = bk->envelopes > 0;
            ViewToken *tok = push_token(vs, put_fmt(vs, "%s\u00d7%u", envelope ? "\u2709 " : "", bk->count));
            tok->progress = (float)(bk->progress_sum / bk->count);
            place_on_link(tok, lay, e->from, e->to, envelope ? 0 : 11 * s);
            tok->event = bk->first_event;
            tok->count = bk->count;
            tok->shape = envelope ? TOKEN_ENVELOPE : TOKEN_PACKET;
            tok->flags = (uint8_t)(VT_GROUP | (bk->refusals ? VT_REJECT : 0));
            tok->role = (uint8_t)(bk->refusals ? CR_SMTP_REJECT
                                  : envelope   ? msg_role(ix, e->msg, t_us)
                                               : view_event_role(tr, bk->first_event));
        }
    }
}

/* Everything in flight at t. Tokens on one directed link are drawn one by one up to
 * max_per_link; a busier link gets up to GROUP_BUCKETS counted tokens instead, built without
 * formatting a label per member, so a bulk run costs little more than counting. Tokens of the
 * selected message are never merged. Order: individual tokens in start order, then the merged
 * ones by link in order of first appearance. */
static void flight_tokens(ViewState *vs, const TraceIndex *ix, const Layout *lay, int64_t t_us,
                          const ViewOptions *opt, uint32_t max_per_link)
{
    size_t n = vs->in_flight < VIEW_FLIGHT_CAP ? vs->in_flight : VIEW_FLIGHT_CAP;
    if (n == 0) {
        return;
    }
    size_t cap = reserve_groups(vs->store, n);
    uint32_t groups = group_by_link(vs, ix, opt, n, cap);
    if (!individual_tokens(vs, ix, lay, t_us, opt, n, max_per_link)) {
        return;
    }
    fill_buckets(vs, ix, t_us, n, groups, max_per_link);
    merged_tokens(vs, ix, lay, t_us, groups);
}

/* Messages at rest sit as a small fanned stack on the tile's top-right corner, with their ids
 * beside the stack (on the last token). More than VIEW_MAX_RESTING become one counted envelope. */
static void resting_tokens(ViewState *vs, const TraceIndex *ix, const Layout *lay, int32_t node,
                           int64_t t_us, const ViewOptions *opt)
{
    const Trace *tr = traceindex_trace(ix);
    int32_t k = vs->nodes[node].counters[NC_RESTING];
    if (k <= 0) {
        return;
    }
    LayoutRect card = layout_node(lay, node);
    float s = layout_scale(lay);
    float x = card.x + card.w - 2 * s, y = card.y + 3 * s;
    if (k > VIEW_MAX_RESTING) {
        ViewToken *tok = push_token(vs, put_fmt(vs, "\u00d7%d", (int)k));
        tok->x = tok->x0 = tok->x1 = tok->cx = x;
        tok->y = tok->y0 = tok->y1 = tok->cy = y;
        tok->node = node;
        tok->count = (uint32_t)k;
        tok->shape = TOKEN_ENVELOPE;
        tok->role = CR_MSG;
        tok->flags = VT_RESTING | VT_GROUP;
        return;
    }
    const Span **spans = vs->store->spans;
    size_t found = traceindex_resting(ix, node, t_us, spans, VIEW_MAX_RESTING);
    size_t shown = found < VIEW_MAX_RESTING ? found : VIEW_MAX_RESTING;
    char ids[160];
    size_t used = 0;
    ids[0] = '\0';
    /* One or two messages are named; a bigger stack says how many (ids are a click away). */
    for (size_t j = 0; j < shown && shown <= 2; j++) {
        const char *id = trace_str(tr, trace_msg(tr, (int32_t)spans[j]->payload)->id);
        int n = snprintf(ids + used, sizeof ids - used, "%s%s", j ? " " : "", id);
        used += n > 0 && (size_t)n < sizeof ids - used ? (size_t)n : 0;
    }
    if (shown > 2) {
        snprintf(ids, sizeof ids, "\u00d7%d", (int)shown);
    }
    for (size_t j = 0; j < shown; j++) {
        int32_t m = (int32_t)spans[j]->payload;
        bool last = j + 1 == shown;
        ViewToken *tok = push_token(vs, last ? put_bytes(vs, ids, strlen(ids)) : put_bytes(vs, "", 0));
        tok->x = tok->x0 = tok->x1 = tok->cx = x + (float)j * 6 * s;
        tok->y = tok->y0 = tok->y1 = tok->cy = y + (float)j * 5 * s;
        tok->node = node;
        tok->msg = m;
        tok->shape = TOKEN_ENVELOPE;
        tok->role = (uint8_t)msg_role(ix, m, t_us);
        tok->flags = (uint8_t)(VT_RESTING | (m == opt->selected_msg ? VT_SELECTED : 0));
    }
}

/* ---- node badges ---- */

static void add_badge(ViewState *vs, int32_t node, ColorRole role, uint32_t off)
{
    ViewNode *vn = &vs->nodes[node];
    if (vn->badge_count >= VIEW_MAX_BADGES) {
        return;
    }
    vs->store->badge_off[(size_t)node * VIEW_MAX_BADGES + vn->badge_count] = off;
    vn->badges[vn->badge_count++].role = (uint8_t)role;
}

/* An address verifier's verdicts so far, in one badge: "verified ✔2 ✖2 ⚠1 ?1". */
static void verify_badge(ViewState *vs, int32_t node, const int32_t *c)
{
    const int32_t *v = c + NC_VERIFIED;
    if (v[VERIFY_DELIVERABLE] + v[VERIFY_INVALID] + v[VERIFY_RISKY] + v[VERIFY_UNKNOWN] == 0) {
        return;
    }
    add_badge(vs, node, CR_TEXT,
              put_fmt(vs, "verified \u2714%d \u2716%d \u26a0%d ?%d", (int)v[VERIFY_DELIVERABLE],
                      (int)v[VERIFY_INVALID], (int)v[VERIFY_RISKY], (int)v[VERIFY_UNKNOWN]));
}

/* A domain whose DNS is failing now, at the resolver that passes its answers on, in two lines:
 * the culprit first ("b.example DNS"), then what it does ("⟳ SERVFAIL"), so the resolver that only
 * relays the failure is not read as the one at fault. */
static void dns_fail_badges(ViewState *vs, const TraceIndex *ix, int32_t node, int64_t t_us)
{
    const DnsFailWindow *open[VIEW_MAX_BADGES * 4];
    size_t count = dnsfail_at(traceindex_dns_fail(ix), t_us, open, sizeof open / sizeof open[0]);
    for (size_t i = 0; i < count && i < sizeof open / sizeof open[0]; i++) {
        if (open[i]->resolver != node) {
            continue;
        }
        bool temporary = dnsfail_temporary(open[i]->rcode);
        add_badge(vs, node, temporary ? CR_SMTP_DEFER : CR_SMTP_REJECT,
                  put_fmt(vs, "%s DNS\n%s%s", open[i]->domain,
                          temporary ? MARK_TEMPORARY : MARK_PERMANENT,
                          open[i]->rcode == RCODE_TIMEOUT ? "no answer"
                                                          : trace_rcode_name(open[i]->rcode)));
    }
}

static void node_badges(ViewState *vs, const TraceIndex *ix, int32_t node, int64_t t_us)
{
    const Trace *tr = traceindex_trace(ix);
    ViewNode *vn = &vs->nodes[node];
    const int32_t *c = vn->counters;
    char dur[48];
    if (vn->down) {
        add_badge(vs, node, CR_SMTP_REJECT, put_fmt(vs, "\u26a0 DOWN"));
    }
    switch (trace_node(tr, node)->kind) {
    case NODE_OUTGOING:
        if (c[NC_DEFERRED] > 0 && vn->next_retry_us != TRACE_NO_TIME) {
            add_badge(vs, node, CR_SMTP_DEFER,
                      put_fmt(vs, MARK_TEMPORARY "retry in %s",
                              fmt_countdown(vn->next_retry_us - t_us, dur, sizeof dur)));
        }
        if (c[NC_RESTING] > 0) {
            add_badge(vs, node, CR_TEXT_DIM, put_fmt(vs, "queue %d", (int)c[NC_RESTING]));
        }
        if (c[NC_BOUNCED] > 0) {
            add_badge(vs, node, CR_SMTP_REJECT, put_fmt(vs, "\u21a9 bounced %d", (int)c[NC_BOUNCED]));
        }
        if (c[NC_SENT] > 0) {
            add_badge(vs, node, CR_OK, put_fmt(vs, "\u2714 sent %d", (int)c[NC_SENT]));
        }
        break;
    case NODE_INCOMING:
        if (c[NC_TEMPFAIL] > 0) {
            add_badge(vs, node, CR_SMTP_DEFER, put_fmt(vs, MARK_TEMPORARY "deferred %d", (int)c[NC_TEMPFAIL]));
        }
        if (c[NC_REFUSED] > 0) {
            add_badge(vs, node, CR_SMTP_REJECT, put_fmt(vs, MARK_PERMANENT "refused %d", (int)c[NC_REFUSED]));
        }
        break;
    case NODE_FILTER:
        if (vn->has_verdict) {
            add_badge(vs, node, vn->verdict_spam ? CR_SPAM : CR_OK,
                      put_fmt(vs, "%s%.1f / %.1f %s", vn->verdict_spam ? "\u2691 " : "\u2714 ",
                              vn->score_milli / 1000.0, vn->required_milli / 1000.0,
                              vn->verdict_spam ? "SPAM" : "ham"));
        }
        break;
    case NODE_STORE:
        add_badge(vs, node, CR_OK, put_fmt(vs, "Inbox %d", (int)c[NC_INBOX]));
        add_badge(vs, node, CR_SPAM, put_fmt(vs, "\u2691 Junk %d", (int)c[NC_JUNK]));
        break;
    case NODE_CLIENT:
        if (c[NC_FETCHED] > 0) {
            add_badge(vs, node, CR_FETCH, put_fmt(vs, "\u2709 %d downloaded", (int)c[NC_FETCHED]));
        }
        verify_badge(vs, node, c);
        break;
    case NODE_RESOLVER:
        dns_fail_badges(vs, ix, node, t_us);
        if (c[NC_TEMPFAIL] + c[NC_REFUSED] > 0) {
            add_badge(vs, node, CR_SMTP_DEFER,
                      put_fmt(vs, MARK_TEMPORARY "failed %d", (int)(c[NC_TEMPFAIL] + c[NC_REFUSED])));
        }
        break;
    case NODE_KIND_COUNT: break;
    }
}

/* ---- caption ---- */

/* Which caption: a scenario's own caption stays up for VIEW_CAPTION_LOOKBACK events; the
 * narrator's default caption for a notable step for VIEW_DEFAULT_LOOKBACK; otherwise the current
 * step explained in plain words. */
static void set_caption(ViewState *vs, const Trace *tr, uint32_t current)
{
    char buf[2048];
    vs->caption_event = UINT32_MAX;
    vs->caption_is_narration = false;
    vs->caption_role = CR_TEXT;
    if (current == UINT32_MAX) {
        vs->store->caption_off = put_fmt(vs, "%s",
            "Ready. Press Space to play, or \u2192 to step through the events one at a time.");
        return;
    }
    uint32_t stop = current >= VIEW_CAPTION_LOOKBACK ? current - VIEW_CAPTION_LOOKBACK : 0;
    for (uint32_t j = current + 1; j-- > stop;) {
        StrId own = trace_caption(tr, j);
        if (own != STR_EMPTY) {
            vs->caption_event = j;
            vs->caption_role = (uint8_t)view_event_role(tr, j);
            vs->store->caption_off = put_bytes(vs, trace_str(tr, own), strlen(trace_str(tr, own)));
            return;
        }
    }
    stop = current >= VIEW_DEFAULT_LOOKBACK ? current - VIEW_DEFAULT_LOOKBACK : 0;
    for (uint32_t j = current + 1; j-- > stop;) {
        if (narrate_caption(tr, j, buf, sizeof buf)[0]) {
            vs->caption_event = j;
            vs->caption_role = (uint8_t)view_event_role(tr, j);
            vs->store->caption_off = put_bytes(vs, buf, strlen(buf));
            return;
        }
    }
    explain_event(tr, current, buf, sizeof buf);
    for (char *p = buf; *p; p++) {
        *p = *p == '\n' ? ' ' : *p;
    }
    vs->caption_event = current;
    vs->caption_is_narration = true;
    vs->caption_role = (uint8_t)view_event_role(tr, current);
    vs->store->caption_off = put_bytes(vs, buf, strlen(buf));
}

/* ---- compute ---- */

static void ensure_nodes(ViewState *vs, size_t n)
{
    struct ViewStore *st = vs->store;
    if (st->node_cap < n) {
        size_t cap = st->node_cap;
        vs->nodes = xgrow(vs->nodes, &st->node_cap, n, sizeof *vs->nodes);
        st->badge_off = xgrow(st->badge_off, &cap, n, VIEW_MAX_BADGES * sizeof *st->badge_off);
    }
    if (st->counter_cap < n * NC_COUNT + 1) {
        st->counters = xgrow(st->counters, &st->counter_cap, n * NC_COUNT + 1, sizeof *st->counters);
    }
}

void viewstate_compute(const TraceIndex *ix, const Layout *lay, int64_t t_us,
                       const ViewOptions *opt, ViewState *out)
{
    const Trace *tr = traceindex_trace(ix);
    const TraceEvent *ev = trace_events(tr);
    struct ViewStore *st = out->store;
    ViewOptions defaults = viewoptions_default();
    opt = opt ? opt : &defaults;
    uint32_t max_per_link = opt->max_per_link ? opt->max_per_link : 8;

    st->text_len = 0;
    out->t_us = t_us;
    out->token_count = 0;
    out->shortest_flight_us = INT64_MAX;
    out->events_done = traceindex_events_until(ix, t_us);
    out->current = out->events_done ? (uint32_t)(out->events_done - 1) : UINT32_MAX;
    if (opt->current_event < out->current &&
        trace_events(tr)[opt->current_event].t_us == trace_events(tr)[out->current].t_us) {
        out->current = opt->current_event;
    }
    out->busy_until_us = traceindex_busy_until(ix, t_us);

    size_t n = trace_node_count(tr);
    ensure_nodes(out, n);
    out->node_count = n;
    traceindex_counters(ix, t_us, st->counters);
    for (size_t i = 0; i < n; i++) {
        ViewNode *vn = &out->nodes[i];
        memset(vn, 0, sizeof *vn);
        memcpy(vn->counters, st->counters + i * NC_COUNT, sizeof vn->counters);
        vn->down = vn->counters[NC_DOWN] > 0;
        vn->selected = (int32_t)i == opt->selected_node;
        vn->next_retry_us = TRACE_NO_TIME;
        if (vn->counters[NC_DEFERRED] > 0) {
            vn->next_retry_us = traceindex_next_retry(ix, (int32_t)i, t_us);
        }
        uint32_t v = traceindex_last_verdict(ix, (int32_t)i, t_us);
        if (v != UINT32_MAX) {
            vn->has_verdict = true;
            vn->verdict_spam = ev[v].sub == VERDICT_SPAM;
            vn->score_milli = ev[v].num;
            vn->required_milli = ev[v].num2;
        }
    }
    /* Nodes taking part in the current instant's events. */
    if (out->current != UINT32_MAX) {
        int64_t now = ev[out->current].t_us;
        for (uint32_t j = out->current + 1, seen = 0; j-- > 0 && ev[j].t_us == now && seen < 64; seen++) {
            if (ev[j].from >= 0 && (size_t)ev[j].from < n) {
                out->nodes[ev[j].from].active = true;
            }
            if (ev[j].to >= 0 && (size_t)ev[j].to < n) {
                out->nodes[ev[j].to].active = true;
            }
        }
    }

    /* In flight. */
    if (st->span_cap < VIEW_FLIGHT_CAP) {
        st->spans = xgrow(st->spans, &st->span_cap, VIEW_FLIGHT_CAP, sizeof *st->spans);
    }
    out->in_flight = traceindex_in_flight(ix, t_us, st->spans, VIEW_FLIGHT_CAP);
    flight_tokens(out, ix, lay, t_us, opt, max_per_link);

    for (size_t i = 0; i < n; i++) {
        resting_tokens(out, ix, lay, (int32_t)i, t_us, opt);
        node_badges(out, ix, (int32_t)i, t_us);
    }
    set_caption(out, tr, out->current);

    /* The arena has stopped growing: offsets become pointers. */
    for (size_t i = 0; i < out->token_count; i++) {
        out->tokens[i].label = st->text + st->label_off[i];
    }
    for (size_t i = 0; i < n; i++) {
        for (int b = 0; b < out->nodes[i].badge_count; b++) {
            out->nodes[i].badges[b].text = st->text + st->badge_off[i * VIEW_MAX_BADGES + (size_t)b];
        }
    }
    out->caption = st->text + st->caption_off;
}

/* ---- queries ---- */

static bool token_equal(const ViewToken *a, const ViewToken *b)
{
    return a->x == b->x && a->y == b->y && a->progress == b->progress && a->event == b->event &&
           a->msg == b->msg && a->node == b->node && a->count == b->count && a->shape == b->shape &&
           a->role == b->role && a->flags == b->flags && strcmp(a->label, b->label) == 0;
}

static bool node_equal(const ViewNode *a, const ViewNode *b)
{
    if (memcmp(a->counters, b->counters, sizeof a->counters) != 0 || a->down != b->down ||
        a->active != b->active || a->selected != b->selected || a->badge_count != b->badge_count ||
        a->has_verdict != b->has_verdict || a->verdict_spam != b->verdict_spam ||
        a->score_milli != b->score_milli || a->required_milli != b->required_milli ||
        a->next_retry_us != b->next_retry_us) {
        return false;
    }
    for (int i = 0; i < a->badge_count; i++) {
        if (a->badges[i].role != b->badges[i].role || strcmp(a->badges[i].text, b->badges[i].text)) {
            return false;
        }
    }
    return true;
}

bool viewstate_equal(const ViewState *a, const ViewState *b)
{
    if (a->t_us != b->t_us || a->events_done != b->events_done || a->current != b->current ||
        a->caption_event != b->caption_event || a->caption_role != b->caption_role ||
        a->caption_is_narration != b->caption_is_narration || strcmp(a->caption, b->caption) ||
        a->node_count != b->node_count || a->token_count != b->token_count ||
        a->in_flight != b->in_flight || a->shortest_flight_us != b->shortest_flight_us ||
        a->busy_until_us != b->busy_until_us) {
        return false;
    }
    for (size_t i = 0; i < a->token_count; i++) {
        if (!token_equal(&a->tokens[i], &b->tokens[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < a->node_count; i++) {
        if (!node_equal(&a->nodes[i], &b->nodes[i])) {
            return false;
        }
    }
    return true;
}

int64_t viewstate_token_at(const ViewState *vs, float x, float y, float radius)
{
    int64_t best = -1;
    float best_d = radius * radius;
    for (int pass = 0; pass < 2 && best < 0; pass++) {
        for (size_t i = 0; i < vs->token_count; i++) {
            const ViewToken *t = &vs->tokens[i];
            if ((pass == 0) != (t->shape == TOKEN_ENVELOPE)) {
                continue;
            }
            float dx = t->x - x, dy = t->y - y, d = dx * dx + dy * dy;
            if (d <= best_d) {
                best_d = d;
                best = (int64_t)i;
            }
        }
    }
    return best;
}

const ViewToken *viewstate_find_msg(const ViewState *vs, int32_t m)
{
    const ViewToken *resting = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        const ViewToken *t = &vs->tokens[i];
        if (t->msg != m || t->shape != TOKEN_ENVELOPE) {
            continue;
        }
        if (!(t->flags & VT_RESTING)) {
            return t;
        }
        resting = resting ? resting : t;
    }
    return resting;
}

const ViewToken *viewstate_find_event(const ViewState *vs, uint32_t i)
{
    for (size_t k = 0; k < vs->token_count; k++) {
        if (vs->tokens[k].event == i) {
            return &vs->tokens[k];
        }
    }
    return NULL;
}
