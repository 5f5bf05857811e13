/* sim_compose: a mail client writing a message the scenario scripts (see sim_compose.h). Owns the
 * headers the client writes and the pacing of a mailing's copies; does not own the hand-over to
 * the server (sim_submit.c).
 */
#include "model/sim_compose.h"

#include "model/sim_submit.h"
#include "mail/message.h"

#include "util/xalloc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* One header line being built, as long as it needs to be: a subject, a display name or an
 * attachment name may each be a 64 KiB string, and the To line lists up to 1 000 addresses. A
 * fixed buffer cut them, in the middle of a UTF-8 character too, and the trace reader then
 * refused the whole trace. */
typedef struct {
    char *text;
    size_t len, cap;
} HeaderLine;

static void header_printf(HeaderLine *h, bool append, const char *fmt, ...)
{
    if (!append) {
        h->len = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert(n >= 0);
    if (h->len + (size_t)n + 1 > h->cap) {
        h->text = xgrow(h->text, &h->cap, h->len + (size_t)n + 1, 1);
    }
    va_start(ap, fmt);
    vsnprintf(h->text + h->len, h->cap - h->len, fmt, ap);
    va_end(ap);
    h->len += (size_t)n;
}

/* The headers a mail client writes (RFC 5322): From, To, Subject, Date, Message-ID, MIME;
 * `to`/`to_count` are the message's recipients (one, for a copy of a mailing). */
static void add_compose_headers(Sim *sim, uint32_t m, int32_t client, const MessageSpec *s,
                                const StrId *to, uint32_t to_count, StrId from_header,
                                const char *qid)
{
    HeaderLine line = { 0 };
    char date[64];
    header_printf(&line, false, "From: %s", sim_str(sim, from_header));
    sim_add_header(sim, m, client, line.text);
    header_printf(&line, false, "To: ");
    for (uint32_t i = 0; i < to_count; i++) {
        header_printf(&line, true, "%s%s", i ? ", " : "", sim_str(sim, to[i]));
    }
    sim_add_header(sim, m, client, line.text);
    header_printf(&line, false, "Subject: %s", sim_str(sim, s->subject));
    sim_add_header(sim, m, client, line.text);
    if (!s->no_date) {
        header_printf(&line, false, "Date: %s",
                      message_format_date(engine_now(sim->eng), date, sizeof date));
        sim_add_header(sim, m, client, line.text);
    }
    header_printf(&line, false, "Message-ID: <%s.%s@%s>", qid, sim_str(sim, sim_msg_id(sim, m)),
                  world_domain_of(sim_str(sim, s->from)));
    sim_add_header(sim, m, client, line.text);
    sim_add_header(sim, m, client, "MIME-Version: 1.0");
    for (uint32_t i = 0; i < s->attachment_count; i++) {
        header_printf(&line, false,
                      "Content-Disposition: attachment; filename=\"%s\" (%lld bytes, base64)",
                      sim_str(sim, s->attachments[i].name),
                      (long long)s->attachments[i].size_bytes);
        sim_add_header(sim, m, client, line.text);
    }
    free(line.text);
}

static void on_next_copy(Engine *eng, void *obj, uint64_t arg);

void compose_send(Sim *sim, uint32_t spec, uint32_t copy)
{
    const MessageSpec *s = &sim->w->specs[spec];
    int32_t client = world_find_client(sim->w, s->from);
    assert(client >= 0); /* the loader guarantees a client with submit_to */
    const ClientCfg *c = &sim->w->nodes[client].u.client;
    const StrId *to = copy ? &s->to[copy - 1] : s->to;
    uint32_t to_count = copy ? 1 : s->to_count;
    uint32_t m = sim_new_msg(sim, s->id, copy, s->from, s->subject, s->body, s->size_bytes,
                             client, NONE, to, to_count, !s->no_date);
    char qid[16];
    /* The Message-ID's queue id is drawn with or without a trace: the same course either way. */
    message_queue_id(rng_next_u64(&sim->rng), qid);
    if (sim_tracing(sim)) {
        StrId from_header =
            c->display_name ? strpool_internf(sim->sp, "%s <%s>", sim_str(sim, c->display_name),
                                              sim_str(sim, s->from))
                            : s->from;
        add_compose_headers(sim, m, client, s, to, to_count, from_header, qid);
    }
    if (c->pickup) {
        submit_pickup(sim, m, client, c->submit_to);
    } else {
        submit_smtp(sim, m, client, c->submit_to);
    }
    if (copy && copy < s->to_count) { /* one pending event per mailing, not one per copy */
        engine_schedule(sim->eng, engine_now(sim->eng) + s->every_us, on_next_copy, sim,
                        (uint64_t)spec << 32 | (copy + 1));
    }
}

static void on_next_copy(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    compose_send(obj, (uint32_t)(arg >> 32), (uint32_t)arg);
}
