/* sim_submit: how a message gets from its client into its outgoing server's queue (see
 * sim_submit.h). Owns the submission session's handlers, the Outbox's retry and the local pickup;
 * does not own the dialogue (sim_session.c) nor the queue (sim_queue.c).
 */
#include "model/sim_submit.h"

#include "model/sim_queue.h"
#include "model/sim_session.h"
#include "mail/message.h"

#include <stdio.h>

#define SUBMIT_RETRY_US (60 * US_PER_S) /* a client's Outbox retries a refused submission */

/* ---- submission (client -> its outgoing server) ---- */

static void on_submit_retry(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    const Msg *m = &sim->msgs[arg];
    submit_smtp(sim, (uint32_t)arg, m->origin, sim_node(sim, m->origin)->u.client.submit_to);
    sim_msg_release(sim, (uint32_t)arg); /* on_session_failed's */
}

/* The server refused or did not answer: the Outbox keeps the message and tries again later. */
static void on_session_failed(Sim *sim, uint32_t s, const char *why)
{
    (void)why;
    uint32_t msg = sim->sessions[s].msg;
    sim_msg_hold(sim, msg); /* until on_submit_retry has started the next session */
    session_free(sim, s);
    engine_schedule_in(sim->eng, SUBMIT_RETRY_US, on_submit_retry, sim, msg);
}

static void on_session_accepted(Sim *sim, uint32_t s)
{
    const Session *se = &sim->sessions[s];
    queue_enqueue(sim, se->msg, se->server);
}

static const SessionHandlers SUBMIT_SESSION = {
    .failed = on_session_failed,
    .accepted = on_session_accepted,
    .ended = NULL,
};

void submit_smtp(Sim *sim, uint32_t msg, int32_t client, int32_t server)
{
    uint32_t s = session_new(sim, msg);
    Session *se = &sim->sessions[s];
    const Msg *m = &sim->msgs[msg];
    se->mode = MODE_SUBMIT;
    se->on = &SUBMIT_SESSION;
    se->rcpt_first = m->rcpt_first;
    se->rcpt_count = m->rcpt_count;
    se->client = client;
    se->server_host = sim_node(sim, server)->name;
    se->server_ip = sim_node(sim, server)->ip;
    session_connect(sim, s, server, 587);
}

/* ---- local submission (Postfix: sendmail -> maildrop -> pickup -> cleanup) ---- */

static void on_pickup(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t msg = (uint32_t)arg;
    int32_t server = sim_node(sim, sim->msgs[msg].origin)->u.client.submit_to;
    if (sim->nodes[server].down) {
        /* The file waits in the maildrop until the mail system runs again. */
        engine_schedule_in(eng, sim_node(sim, server)->u.out.retry.queue_run_us, on_pickup, sim,
                           arg);
        return;
    }
    char qid[16], date[64], line[512];
    message_queue_id(rng_next_u64(&sim->rng), qid);
    if (sim_tracing(sim)) {
        /* What Postfix's cleanup writes for a locally submitted message. */
        snprintf(line, sizeof line, "Received: by %s (Postfix, from userid 1001) id %s; %s",
                 sim_node_name(sim, server), qid,
                 message_format_date(engine_now(eng), date, sizeof date));
        sim_add_header(sim, msg, server, line);
    }
    queue_enqueue(sim, msg, server);
    sim_msg_release(sim, msg); /* submit_pickup's */
}

/* The program writes the message into the maildrop directory; the pickup daemon hands it to
 * cleanup, which takes the server's processing time, then it is queued as if it had arrived by
 * SMTP. No network, no AUTH, no submission dialogue: how list managers such as Sympa hand a
 * mailing's copies to their local MTA. */
void submit_pickup(Sim *sim, uint32_t msg, int32_t client, int32_t server)
{
    int64_t arrive = engine_now(sim->eng) + sim_process_us(sim, server);
    sim_emit(sim, .kind = TK_HOP, .from = client, .to = server, .msg = (int32_t)msg,
             .arrive_us = arrive, .text = "sendmail: into the maildrop (local pickup, no SMTP)");
    sim_msg_hold(sim, msg); /* until on_pickup has queued it */
    engine_schedule(sim->eng, arrive, on_pickup, sim, msg);
}
