/* narrate: event lines and captions (see narrate.h). One switch over the event kinds; the
 * plain-language sentences for SMTP replies come from the reply table in mail/smtp.c. */
#include "text/narrate.h"
#include "util/fmt.h"

#include "mail/message.h"
#include "mail/smtp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *node_name(const Trace *tr, int32_t n)
{
    return n == TRACE_NONE ? "" : trace_str(tr, trace_node(tr, n)->name);
}

static const char *msg_id(const Trace *tr, int32_t m)
{
    return m == TRACE_NONE ? "" : trace_str(tr, trace_msg(tr, m)->id);
}

/* "from → to  " or "node  " */
static size_t put_route(const Trace *tr, const TraceEvent *ev, char *buf, size_t size)
{
    int n;
    if (ev->from != TRACE_NONE && ev->to != TRACE_NONE) {
        n = snprintf(buf, size, "%s \u2192 %s  ", node_name(tr, ev->from), node_name(tr, ev->to));
    } else if (ev->from != TRACE_NONE) {
        n = snprintf(buf, size, "%s  ", node_name(tr, ev->from));
    } else {
        n = snprintf(buf, size, "%s", "");
    }
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

const char *narrate_event(const Trace *tr, uint32_t i, char *buf, size_t size)
{
    const TraceEvent *ev = &trace_events(tr)[i];
    size_t n = put_route(tr, ev, buf, size);
    char *p = buf + n;
    size_t left = size - n;
    const char *text = trace_str(tr, ev->text), *aux = trace_str(tr, ev->aux);
    const char *id = msg_id(tr, ev->msg);
    char clock[32], sz[32], dsn[TRACE_DSN_BUF + 8];
    /* Postfix's log line names the enhanced status before the status: "dsn=4.2.0, status=...". */
    dsn[0] = '\0';
    if (ev->kind != TK_DNS && ev->kind != TK_SPAM && ev->num2 > 0) {
        char code[TRACE_DSN_BUF];
        snprintf(dsn, sizeof dsn, " dsn=%s", trace_dsn_format(ev->num2, code));
    }
    switch ((TraceKind)ev->kind) {
    case TK_COMPOSE: {
        const TraceMsg *m = trace_msg(tr, ev->msg);
        fmt_size(m->size_bytes, sz, sizeof sz);
        size_t k = m->parent == TRACE_NONE
                       ? (size_t)snprintf(p, left, "composes %s \"%s\" (%s) to ", id,
                                          trace_str(tr, m->subject), sz)
                       : (size_t)snprintf(p, left, "writes %s about %s, \"%s\" (%s), to ", id,
                                          msg_id(tr, m->parent), trace_str(tr, m->subject), sz);
        for (uint32_t r = 0; r < m->rcpt_count && k < left; r++) {
            k += (size_t)snprintf(p + k, left - k, "%s%s", r ? ", " : "",
                                  trace_str(tr, trace_msg_rcpt(tr, ev->msg, r)));
        }
        break;
    }
    case TK_HEADER: snprintf(p, left, "%s + %s", id, text); break;
    case TK_HOP:
        snprintf(p, left, "%s travels %s (arrives %s)", id, text,
                 fmt_clock(ev->arrive_us, clock, sizeof clock));
        break;
    case TK_QUEUE: snprintf(p, left, "%s %s", id, text); break;
    case TK_CONN:
    case TK_SMTP:
    case TK_FETCH:
    case TK_ACTION:
    case TK_MOVE: snprintf(p, left, "%s", text); break;
    case TK_DNS:
        if (ev->sub == TRACE_ASK) {
            snprintf(p, left, "%s", text);
        } else {
            snprintf(p, left, "%s %s: %s (%s%s)", trace_qtype_name((TraceQtype)ev->num), aux, text,
                     trace_rcode_name((TraceRcode)ev->num2),
                     (ev->flags & TRACE_F_CACHED) ? ", from cache" : "");
        }
        break;
    case TK_SENT: snprintf(p, left, "%s to=<%s>%s status=sent (%s)", id, aux, dsn, text); break;
    case TK_DEFER:
        snprintf(p, left, "%s to=<%s>%s status=deferred (%s); next try at %s", id, aux, dsn, text,
                 fmt_clock(ev->arrive_us, clock, sizeof clock));
        break;
    case TK_RETRY: snprintf(p, left, "%s: %s", id, text); break;
    case TK_BOUNCE:
        if (ev->num > 0) {
            snprintf(p, left, "%s to=<%s>%s status=bounced (%s); bounce %s returns to the sender", id,
                     aux, dsn, text, msg_id(tr, ev->num - 1));
        } else {
            snprintf(p, left, "%s to=<%s>%s status=bounced (%s); it is itself a bounce, so it is dropped",
                     id, aux, dsn, text);
        }
        break;
    case TK_WARN:
        snprintf(p, left, "%s to=<%s>%s: delay warning %s sent to the sender", id, aux, dsn,
                 msg_id(tr, ev->num - 1));
        break;
    case TK_SPAM: snprintf(p, left, "%s X-Spam-Status: %s", id, text); break;
    case TK_DELIVER:
        snprintf(p, left, "%s delivered to %s: %s", id, aux,
                 ev->sub == FOLDER_JUNK ? "Junk" : "Inbox");
        break;
    case TK_LEARN: snprintf(p, left, "%s %s", id, text); break;
    case TK_REPORT: {
        char code[TRACE_DSN_BUF];
        const char *remote = trace_str(tr, (StrId)ev->num);
        snprintf(p, left, "%s report: Final-Recipient: rfc822; %s, Action: %s, Status: %s, %s%s%s"
                          "Diagnostic-Code: %s",
                 id, aux, trace_dsn_action_name((TraceDsnAction)ev->sub),
                 trace_dsn_format(ev->num2, code), remote[0] ? "Remote-MTA: dns; " : "", remote,
                 remote[0] ? ", " : "", text);
        break;
    }
    case TK_VERIFY:
        snprintf(p, left, "verdict%s: %s", dsn, text);
        break;
    case TK_KIND_COUNT: break;
    }
    return buf;
}

static const char *smtp_caption(const char *line)
{
    int code = smtp_code_of(line);
    for (int r = 0; r < SMTP_REPLY_COUNT; r++) {
        const SmtpReplyInfo *info = smtp_reply_info((SmtpReply)r);
        size_t sl = strlen(info->status);
        if (info->code == code && code >= 400 &&
            (sl == 0 || strncmp(line + 4, info->status, sl) == 0)) {
            return info->caption;
        }
    }
    return "";
}

/* What each verdict means, by TraceVerifyVerdict. */
static const char *const VERIFY_CAPTIONS[VERIFY_COUNT] = {
    "Deliverable: the server accepted this address and refused a made-up one beside it.",
    "Invalid: no mail can reach this address (refused, bad syntax, or no mail domain).",
    "Risky: accepted, but the server accepts anything (catch-all) or the mailbox is full.",
    "Unknown: a temporary answer (greylisting, a timeout) says nothing about the address.",
};

const char *narrate_caption(const Trace *tr, uint32_t i, char *buf, size_t size)
{
    StrId own = trace_caption(tr, i);
    if (own != STR_EMPTY) {
        snprintf(buf, size, "%s", trace_str(tr, own));
        return buf;
    }
    const TraceEvent *ev = &trace_events(tr)[i];
    const char *text = trace_str(tr, ev->text);
    char clock[32];
    buf[0] = '\0';
    switch ((TraceKind)ev->kind) {
    case TK_SMTP:
        if (ev->sub == TRACE_ANSWER) {
            snprintf(buf, size, "%s", smtp_caption(text));
        }
        break;
    case TK_CONN:
        if (ev->sub == CONN_REFUSED) {
            snprintf(buf, size, "Nobody is listening: the server is down, so the connection is refused.");
        } else if (ev->sub == CONN_TIMEOUT) {
            snprintf(buf, size, "No answer at all: after waiting, the sender gives up on this server.");
        } else if (ev->sub == CONN_QUEUED) {
            snprintf(buf, size, "The server is busy with other senders: this connection has to wait its turn.");
        }
        break;
    case TK_DNS:
        if (ev->sub == TRACE_ANSWER && ev->num == QTYPE_PTR && ev->num2 != RCODE_NOERROR) {
            snprintf(buf, size, "No name for the sending server's address (no reverse DNS): the spam filter's RDNS_NONE fires.");
        } else if (ev->sub == TRACE_ANSWER && ev->num2 == RCODE_NXDOMAIN) {
            snprintf(buf, size, "DNS says this name does not exist: a permanent failure.");
        } else if (ev->sub == TRACE_ANSWER && (ev->num2 == RCODE_SERVFAIL || ev->num2 == RCODE_TIMEOUT)) {
            snprintf(buf, size, "DNS could not answer right now: a temporary failure, so try again later.");
        }
        break;
    case TK_DEFER:
        snprintf(buf, size, "A temporary failure: the message waits in the queue and will be tried again at %s.",
                 fmt_clock(ev->arrive_us, clock, sizeof clock));
        break;
    case TK_BOUNCE:
        snprintf(buf, size, "%s", ev->num > 0 ? "A permanent failure: the server gives up and sends a bounce message back to the sender."
                                              : "A bounce that cannot be delivered is dropped: mail servers never bounce a bounce.");
        break;
    case TK_WARN:
        snprintf(buf, size, "Still not delivered after hours: the sender gets a warning, but the server keeps trying.");
        break;
    case TK_SPAM:
        snprintf(buf, size, ev->sub == VERDICT_SPAM ? "The spam filter's score is over the limit: the message is marked as spam."
                                    : "The spam filter's score is under the limit: the message looks legitimate.");
        break;
    case TK_DELIVER:
        snprintf(buf, size, ev->sub == FOLDER_JUNK ? "Filed in the Junk folder." : "Filed in the Inbox: delivered!");
        break;
    case TK_FETCH:
        if (ev->msg != TRACE_NONE) {
            snprintf(buf, size, "The recipient's mail program downloads the message: now they can read it.");
        }
        break;
    case TK_VERIFY:
        snprintf(buf, size, "%s", VERIFY_CAPTIONS[ev->sub < VERIFY_COUNT ? ev->sub : VERIFY_UNKNOWN]);
        break;
    case TK_LEARN:
        snprintf(buf, size, "The filter learns from this message, so similar mail is judged differently next time.");
        break;
    default: break;
    }
    return buf;
}

void narrate_write_event(const Trace *tr, uint32_t i, FILE *out)
{
    char line[8192], caption[1024], clock[32];
    const TraceEvent *ev = &trace_events(tr)[i];
    narrate_event(tr, i, line, sizeof line);
    fprintf(out, "%s  ", fmt_clock(ev->t_us, clock, sizeof clock));
    for (const char *p = line; *p; p++) {
        fputc(*p, out);
        if (*p == '\n') {
            fputs("                ", out);
        }
    }
    fputc('\n', out);
    if (narrate_caption(tr, i, caption, sizeof caption)[0]) {
        fprintf(out, "              \u21b3 %s\n", caption);
    }
}

void narrate_write(const Trace *tr, FILE *out)
{
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        narrate_write_event(tr, i, out);
    }
}
