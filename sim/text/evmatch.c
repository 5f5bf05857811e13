/* evmatch: event selectors matched against trace events (see evmatch.h). */
#include "text/evmatch.h"

#include <stdio.h>
#include <string.h>

static const char *wstr(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

bool evmatch_event(const World *w, const Trace *tr, const EventSelector *s, const TraceEvent *ev)
{
    if (s->kind >= 0 && ev->kind != s->kind) {
        return false;
    }
    if (s->msg != STR_EMPTY &&
        (ev->msg == TRACE_NONE ||
         strcmp(trace_str(tr, trace_msg(tr, ev->msg)->id), wstr(w, s->msg)) != 0)) {
        return false;
    }
    if ((s->from >= 0 && ev->from != s->from) || (s->to >= 0 && ev->to != s->to)) {
        return false;
    }
    if (s->code && !(ev->kind == TK_SMTP && ev->sub == TRACE_ANSWER && ev->num == s->code)) {
        return false;
    }
    if (s->qtype >= 0 && !(ev->kind == TK_DNS && ev->num == s->qtype)) {
        return false;
    }
    if (s->text_contains != STR_EMPTY &&
        !strstr(trace_str(tr, ev->text), wstr(w, s->text_contains))) {
        return false;
    }
    return true;
}

const char *evmatch_describe(const World *w, const EventSelector *s, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "kind %s",
                                s->kind >= 0 ? trace_kind_name((TraceKind)s->kind) : "any");
    if (s->msg && n < size) {
        n += (size_t)snprintf(buf + n, size - n, ", msg %s", wstr(w, s->msg));
    }
    if (s->from >= 0 && n < size) {
        n += (size_t)snprintf(buf + n, size - n, ", from %s", wstr(w, w->nodes[s->from].name));
    }
    if (s->to >= 0 && n < size) {
        n += (size_t)snprintf(buf + n, size - n, ", to %s", wstr(w, w->nodes[s->to].name));
    }
    if (s->code && n < size) {
        n += (size_t)snprintf(buf + n, size - n, ", code %d", s->code);
    }
    if (s->qtype >= 0 && n < size) {
        n += (size_t)snprintf(buf + n, size - n, ", qtype %s",
                              trace_qtype_name((TraceQtype)s->qtype));
    }
    if (s->text_contains && n < size) {
        snprintf(buf + n, size - n, ", text containing \"%s\"", wstr(w, s->text_contains));
    }
    return buf;
}
