/* sim_compose: a mail client writing a message the scenario scripts (see sim_compose.h). Owns the
 * headers the client writes and the pacing of a mailing's copies; does not own the hand-over to
 * the server (sim_submit.c).
 */
#include "model/sim_compose.h"

#include "model/sim_submit.h"
#include "mail/message.h"

#include <assert.h>
#include <stdio.h>

/* The headers a mail client writes (RFC 5322): From, To, Subject, Date, Message-ID, MIME;
 * `to`/`to_count` are the message's recipients (one, for a copy of a mailing). */
static void add_compose_headers(Sim *sim, uint32_t m, int32_t client, const MessageSpec *s,
                                const StrId *to, uint32_t to_count, StrId from_header,
                                const char *qid)
{
    char line[1024], date[64];
    snprintf(line, sizeof line, "From: %s", sim_str(sim, from_header));
    sim_add_header(sim, m, client, line);
    size_t n = (size_t)snprintf(line, sizeof line, "To: ");
    for (uint32_t i = 0; i < to_count && n < sizeof line; i++) {
        n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", i ? ", " : "",
                              sim_str(sim, to[i]));
    }
    sim_add_header(sim, m, client, line);
    snprintf(line, sizeof line, "Subject: %s", sim_str(sim, s->subject));
    sim_add_header(sim, m, client, line);
    if (!s->no_date) {
        snprintf(line, sizeof line, "Date: %s",
                 message_format_date(engine_now(sim->eng), date, sizeof date));
        sim_add_header(sim, m, client, line);
    }
    snprintf(line, sizeof line, "Message-ID: <%s.%s@%s>", qid, sim_str(sim, sim_msg_id(sim, m)),
             world_domain_of(sim_str(sim, s->from)));
    sim_add_header(sim, m, client, line);
    sim_add_header(sim, m, client, "MIME-Version: 1.0");
    for (uint32_t i = 0; i < s->attachment_count; i++) {
        snprintf(line, sizeof line,
                 "Content-Disposition: attachment; filename=\"%s\" (%lld bytes, base64)",
                 sim_str(sim, s->attachments[i].name), (long long)s->attachments[i].size_bytes);
        sim_add_header(sim, m, client, line);
    }
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
