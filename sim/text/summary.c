/* summary: per-recipient outcomes folded from the trace (see summary.h).
 *
 * Each message's rows are contiguous (message order, then recipient order), so an event finds its
 * row by the message's first row plus a scan of that message's recipients: O(events x recipients
 * of one message).
 */
#include "text/summary.h"

#include "util/jsonout.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static SummaryRow *row_for(Summary *s, const size_t *first, const Trace *tr, int32_t msg, StrId rcpt)
{
    const TraceMsg *m = trace_msg(tr, msg);
    for (uint32_t k = 0; k < m->rcpt_count; k++) {
        if (s->rows[first[msg] + k].rcpt == rcpt) {
            return &s->rows[first[msg] + k];
        }
    }
    return NULL;
}

/* The verdicts, and which messages are a verifier's probes (probe[m]): a probe names a verdict. */
static void collect_verdicts(Summary *s, const Trace *tr, bool *probe)
{
    const TraceEvent *evs = trace_events(tr);
    size_t cap = 0;
    for (size_t i = 0; i < trace_count(tr); i++) {
        if (evs[i].kind != TK_VERIFY) {
            continue;
        }
        if (evs[i].msg != TRACE_NONE) {
            probe[evs[i].msg] = true;
        }
        s->verdicts = xgrow(s->verdicts, &cap, s->verdict_count + 1,
                            sizeof *s->verdicts);
        s->verdicts[s->verdict_count++] = (SummaryVerdict){ .verifier = evs[i].from,
                                                            .address = evs[i].aux,
                                                            .verdict = (TraceVerifyVerdict)evs[i].sub,
                                                            .reason = evs[i].text,
                                                            .dsn = evs[i].num2,
                                                            .t_us = evs[i].t_us };
    }
}

Summary *summary_build(const Trace *tr)
{
    Summary *s = xcalloc(1, sizeof *s);
    size_t nmsg = trace_msg_count(tr);
    size_t *first = xmalloc(sizeof *first * (nmsg ? nmsg : 1));
    bool *probe = xcalloc(nmsg ? nmsg : 1, sizeof *probe);
    collect_verdicts(s, tr, probe);
    for (size_t m = 0; m < nmsg; m++) {
        first[m] = s->count;
        s->count += probe[m] ? 0 : trace_msg(tr, (int32_t)m)->rcpt_count;
    }
    s->rows = xcalloc(s->count ? s->count : 1, sizeof *s->rows);
    for (size_t m = 0; m < nmsg; m++) {
        const TraceMsg *tm = trace_msg(tr, (int32_t)m);
        for (uint32_t k = 0; k < tm->rcpt_count && !probe[m]; k++) {
            s->rows[first[m] + k] = (SummaryRow){ .msg = (int32_t)m,
                                                  .rcpt = trace_msg_rcpt(tr, (int32_t)m, k),
                                                  .status = ST_DEFERRED,
                                                  .folder = FOLDER_NONE,
                                                  .sent_us = -1,
                                                  .final_us = -1 };
        }
    }
    const TraceEvent *evs = trace_events(tr);
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *ev = &evs[i];
        if (ev->msg == TRACE_NONE || probe[ev->msg]) {
            continue;
        }
        if (ev->kind == TK_COMPOSE) {
            for (uint32_t k = 0; k < trace_msg(tr, ev->msg)->rcpt_count; k++) {
                s->rows[first[ev->msg] + k].sent_us = ev->t_us;
            }
            continue;
        }
        SummaryRow *row = row_for(s, first, tr, ev->msg, ev->aux);
        if (!row) {
            continue;
        }
        switch ((TraceKind)ev->kind) {
        case TK_SENT:
        case TK_DEFER:
            row->attempts++;
            row->reply = ev->text;
            row->dsn = ev->num2;
            break;
        case TK_BOUNCE:
            row->attempts++;
            row->reply = ev->text;
            row->dsn = ev->num2;
            row->status = ev->num > 0 ? ST_BOUNCED : ST_DROPPED;
            row->final_us = ev->t_us;
            break;
        case TK_DELIVER:
            row->dsn = ev->num2;
            row->status = ST_DELIVERED;
            row->folder = (TraceFolder)ev->sub;
            row->final_us = ev->t_us;
            break;
        case TK_FETCH: row->fetched = true; break;
        default: break;
        }
    }
    free(first);
    free(probe);
    return s;
}

void summary_destroy(Summary *s)
{
    if (!s) {
        return;
    }
    free(s->rows);
    free(s->verdicts);
    free(s);
}

static void put_seconds(FILE *out, int64_t us)
{
    if (us < 0) {
        fputs("null", out);
    } else {
        json_put_seconds(out, us);
    }
}

static void put_dsn(FILE *out, int32_t dsn)
{
    char buf[TRACE_DSN_BUF];
    if (dsn <= 0) {
        fputs("null", out);
    } else {
        json_put_string(out, trace_dsn_format(dsn, buf));
    }
}

bool summary_write_json(const Trace *tr, const Summary *s, FILE *out)
{
    fputs("{\"scenario\":", out);
    json_put_string(out, trace_scenario(tr));
    fprintf(out, ",\"seed\":%" PRIu64 ",\"messages\":[", trace_seed(tr));
    for (size_t i = 0; i < s->count; i++) {
        const SummaryRow *r = &s->rows[i];
        const TraceMsg *m = trace_msg(tr, r->msg);
        fputs(i ? ",\n  {\"id\":" : "\n  {\"id\":", out);
        json_put_string(out, trace_str(tr, m->id));
        fputs(",\"from\":", out);
        json_put_string(out, m->sender == STR_EMPTY ? "<>" : trace_str(tr, m->sender));
        fputs(",\"rcpt\":", out);
        json_put_string(out, trace_str(tr, r->rcpt));
        fprintf(out, ",\"status\":\"%s\",\"folder\":", world_status_name(r->status));
        if (r->folder == FOLDER_NONE) {
            fputs("null", out);
        } else {
            json_put_string(out, trace_folder_name(r->folder));
        }
        fprintf(out, ",\"attempts\":%u,\"sent_s\":", r->attempts);
        put_seconds(out, r->sent_us);
        fputs(",\"final_s\":", out);
        put_seconds(out, r->final_us);
        fputs(",\"reply\":", out);
        if (r->reply == STR_EMPTY) {
            fputs("null", out);
        } else {
            json_put_string(out, trace_str(tr, r->reply));
        }
        fputs(",\"dsn\":", out);
        put_dsn(out, r->dsn);
        fprintf(out, ",\"fetched\":%s}", r->fetched ? "true" : "false");
    }
    fputs(s->count ? "\n]" : "]", out);
    if (s->verdict_count > 0) {
        fputs(",\"verdicts\":[", out);
        for (size_t i = 0; i < s->verdict_count; i++) {
            const SummaryVerdict *v = &s->verdicts[i];
            fputs(i ? ",\n  {\"verifier\":" : "\n  {\"verifier\":", out);
            json_put_string(out, v->verifier == TRACE_NONE
                                     ? ""
                                     : trace_str(tr, trace_node(tr, v->verifier)->name));
            fputs(",\"address\":", out);
            json_put_string(out, trace_str(tr, v->address));
            fprintf(out, ",\"verdict\":\"%s\",\"dsn\":", trace_verify_name(v->verdict));
            put_dsn(out, v->dsn);
            fputs(",\"reason\":", out);
            json_put_string(out, trace_str(tr, v->reason));
            fputs(",\"at_s\":", out);
            put_seconds(out, v->t_us);
            fputc('}', out);
        }
        fputs("\n]", out);
    }
    fputs("}\n", out);
    return fflush(out) == 0 && !ferror(out);
}
