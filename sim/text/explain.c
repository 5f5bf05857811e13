/* explain: plain-language sentences per event (see explain.h). One switch over the kinds; SMTP
 * verbs and reply codes come from small tables. */
#include "text/explain.h"

#include <stdio.h>
#include <string.h>

static const char *name(const Trace *tr, int32_t n)
{
    if (n < 0 || (size_t)n >= trace_node_count(tr)) {
        return "?";
    }
    const TraceNode *nd = trace_node(tr, n);
    const char *label = trace_str(tr, nd->label);
    return label[0] ? label : trace_str(tr, nd->name);
}

static const char *msg_id(const Trace *tr, int32_t m)
{
    return m >= 0 && (size_t)m < trace_msg_count(tr) ? trace_str(tr, trace_msg(tr, m)->id) : "?";
}

static const struct {
    const char *verb, *says;
} SMTP_VERBS[] = {
    { "EHLO", "introduces itself" },
    { "HELO", "introduces itself" },
    { "AUTH", "logs in with the user's password" },
    { "MAIL", "names the envelope sender" },
    { "RCPT", "names a recipient" },
    { "DATA", "asks to send the message" },
    { "QUIT", "says goodbye" },
    { "RSET", "starts over" },
    { "VRFY", "asks whether an address exists" },
    { "STARTTLS", "asks to encrypt the connection" },
};

static const struct {
    int code;
    const char *means;
} SMTP_REPLIES[] = {
    { 220, "ready: go ahead" },
    { 221, "closing the connection" },
    { 235, "logged in" },
    { 250, "OK" },
    { 251, "OK, will forward" },
    { 252, "cannot verify, but will try" },
    { 354, "go ahead, send the message and end it with a line holding only \u201c.\u201d" },
};

static void smtp_sentence(const Trace *tr, const TraceEvent *e, char *buf, size_t size)
{
    const char *line = trace_str(tr, e->text);
    const char *from = name(tr, e->from);
    if (e->sub == TRACE_ASK) {
        if (strcmp(line, ".") == 0) {
            long long bytes = e->msg >= 0 && (size_t)e->msg < trace_msg_count(tr)
                                  ? (long long)trace_msg(tr, e->msg)->size_bytes
                                  : 0;
            snprintf(buf, size, "%s sends the message itself (%lld bytes), then a line holding only "
                     "\u201c.\u201d to say it is complete.", from, bytes);
            return;
        }
        for (size_t i = 0; i < sizeof SMTP_VERBS / sizeof SMTP_VERBS[0]; i++) {
            size_t n = strlen(SMTP_VERBS[i].verb);
            if (strncmp(line, SMTP_VERBS[i].verb, n) == 0) {
                snprintf(buf, size, "%s %s: %s", from, SMTP_VERBS[i].says, line);
                return;
            }
        }
        snprintf(buf, size, "%s sends the command %s", from, line);
        return;
    }
    const char *first_nl = strchr(line, '\n');
    int first_len = first_nl ? (int)(first_nl - line) : (int)strlen(line);
    for (size_t i = 0; i < sizeof SMTP_REPLIES / sizeof SMTP_REPLIES[0]; i++) {
        if (SMTP_REPLIES[i].code == e->num) {
            snprintf(buf, size, "%s answers %d \u2014 %s%s", from, e->num, SMTP_REPLIES[i].means,
                     first_nl ? " (and lists what it supports)" : "");
            return;
        }
    }
    snprintf(buf, size, "%s answers: %.*s", from, first_len, line);
}

static void dns_sentence(const Trace *tr, const TraceEvent *e, char *buf, size_t size)
{
    const char *qname = trace_str(tr, e->aux);
    const char *ans = trace_str(tr, e->text);
    TraceQtype q = (TraceQtype)e->num;
    if (e->sub == TRACE_ASK) {
        switch (q) {
        case QTYPE_MX:
            snprintf(buf, size, "%s asks %s: which server takes mail for %s? (MX)", name(tr, e->from),
                     name(tr, e->to), qname);
            return;
        case QTYPE_A:
            snprintf(buf, size, "%s asks %s: what is the address of %s? (A)", name(tr, e->from),
                     name(tr, e->to), qname);
            return;
        default:
            snprintf(buf, size, "%s asks %s about %s (%s)", name(tr, e->from), name(tr, e->to), qname,
                     trace_qtype_name(q));
            return;
        }
    }
    const char *cache = (e->flags & TRACE_F_CACHED) ? ", straight from its cache" : "";
    if (e->num2 != RCODE_NOERROR) {
        snprintf(buf, size, "%s answers %s for %s%s", name(tr, e->from),
                 trace_rcode_name((TraceRcode)e->num2), qname, cache);
    } else if (q == QTYPE_MX) {
        snprintf(buf, size, "%s answers%s: mail for %s goes to %s (MX)", name(tr, e->from), cache,
                 qname, ans[0] ? ans : "nobody");
    } else if (q == QTYPE_A) {
        snprintf(buf, size, "%s answers%s: %s is at %s", name(tr, e->from), cache, qname,
                 ans[0] ? ans : "no address");
    } else {
        snprintf(buf, size, "%s answers%s: %s %s %s", name(tr, e->from), cache, qname,
                 trace_qtype_name(q), ans);
    }
}

const char *explain_event(const Trace *tr, uint32_t i, char *buf, size_t size)
{
    const TraceEvent *e = &trace_events(tr)[i];
    const char *text = trace_str(tr, e->text), *aux = trace_str(tr, e->aux);
    const char *id = msg_id(tr, e->msg);
    switch ((TraceKind)e->kind) {
    case TK_COMPOSE: {
        const TraceMsg *m = trace_msg(tr, e->msg);
        if (m->parent != TRACE_NONE) {
            snprintf(buf, size, "%s writes a bounce report, %s, to tell the sender %s could not be "
                     "delivered.", name(tr, e->from), id, msg_id(tr, m->parent));
        } else {
            snprintf(buf, size, "On %s, a new message %s \u201c%s\u201d is written.", name(tr, e->from),
                     id, trace_str(tr, m->subject));
        }
        break;
    }
    case TK_HEADER: snprintf(buf, size, "%s adds a header to %s: %s", name(tr, e->from), id, text); break;
    case TK_HOP:
        snprintf(buf, size, "%s moves from %s to %s: %s", id, name(tr, e->from), name(tr, e->to), text);
        break;
    case TK_QUEUE:
        snprintf(buf, size, "%s puts %s in its queue (%s) until it can be delivered.", name(tr, e->from),
                 id, text);
        break;
    case TK_CONN:
        if (e->sub == CONN_OPEN) {
            snprintf(buf, size, "%s opens a connection to %s%s", name(tr, e->from),
                     e->to >= 0 ? name(tr, e->to) : "the next server",
                     e->num == 25 ? " on port 25 (SMTP between servers)"
                     : e->num == 587 ? " on port 587 (mail submission)" : "");
        } else {
            snprintf(buf, size, "%s: %s", name(tr, e->from), text);
        }
        break;
    case TK_SMTP: smtp_sentence(tr, e, buf, size); break;
    case TK_DNS: dns_sentence(tr, e, buf, size); break;
    case TK_SENT:
        snprintf(buf, size, "%s hands %s over for %s: the next server has taken responsibility.",
                 name(tr, e->from), id, aux);
        break;
    case TK_DEFER:
        snprintf(buf, size, "%s keeps %s for %s in its queue: %s", name(tr, e->from), id, aux, text);
        break;
    case TK_RETRY:
        snprintf(buf, size, "%s tries %s again (attempt %d).", name(tr, e->from), id, (int)e->num);
        break;
    case TK_BOUNCE: snprintf(buf, size, "%s gives up on %s for %s: %s", name(tr, e->from), id, aux, text); break;
    case TK_WARN:
        snprintf(buf, size, "%s warns the sender that %s for %s is delayed.", name(tr, e->from), id, aux);
        break;
    case TK_SPAM:
        snprintf(buf, size, "%s scores %s: %.1f points, %.1f needed \u2192 %s.", name(tr, e->from), id,
                 e->num / 1000.0, e->num2 / 1000.0, e->sub == VERDICT_SPAM ? "spam" : "not spam");
        break;
    case TK_DELIVER:
        snprintf(buf, size, "%s files %s for %s in %s.", name(tr, e->to >= 0 ? e->to : e->from), id, aux,
                 e->sub == FOLDER_JUNK ? "Junk" : "the Inbox");
        break;
    case TK_FETCH:
        if (e->msg >= 0) {
            snprintf(buf, size, "%s downloads %s from %s.", name(tr, e->to), id, name(tr, e->from));
        } else if (e->sub == TRACE_ASK) {
            snprintf(buf, size, "%s talks to its mail store: %s", name(tr, e->from), text);
        } else {
            snprintf(buf, size, "%s answers: %s", name(tr, e->from), text);
        }
        break;
    case TK_MOVE: snprintf(buf, size, "%s: %s", aux[0] ? aux : name(tr, e->from), text); break;
    case TK_LEARN: snprintf(buf, size, "%s learns from %s: %s", name(tr, e->from), id, text); break;
    case TK_ACTION: snprintf(buf, size, "%s", text[0] ? text : "A scripted action takes effect."); break;
    case TK_REPORT: {
        char code[TRACE_DSN_BUF];
        snprintf(buf, size, "%s writes into %s that %s %s (status %s): %s", name(tr, e->from), id,
                 aux, e->sub == DSN_ACTION_DELAYED ? "is delayed" : "failed",
                 trace_dsn_format(e->num2, code), text);
        break;
    }
    case TK_VERIFY:
        snprintf(buf, size, "%s judges %s %s: %s", name(tr, e->from), aux,
                 trace_verify_name((TraceVerifyVerdict)e->sub), text);
        break;
    case TK_KIND_COUNT: snprintf(buf, size, "?"); break;
    }
    return buf;
}
