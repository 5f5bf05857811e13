/* sim_store: delivery into mailboxes (see sim_store.h). Owns filing, quota accounting and freeing
 * the inbound copy; does not own the filter's verdict (carried in Inbound.spam) nor the clients'
 * fetching (sim_fetch.c, told of new mail here).
 */
#include "model/sim_store.h"

#include "model/sim_fetch.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>

static void mailbox_add(Mailbox *mb, const MailItem *item)
{
    if (mb->item_count == mb->item_cap) {
        assert(mb->item_cap < UINT32_MAX / 2);
        mb->item_cap = mb->item_cap ? mb->item_cap * 2 : 1;
        mb->items = xrealloc(mb->items, mb->item_cap * sizeof *mb->items);
    }
    mb->items[mb->item_count++] = *item;
}

/* The reading client learns of new mail: an IMAP IDLE client fetches at once, the others at
 * their next poll. */
static void tell_client(Sim *sim, int32_t client)
{
    if (client == NONE) {
        return;
    }
    if (sim_node(sim, client)->u.client.idle && !sim->nodes[client].fetching) {
        fetch_start(sim, client);
    } else {
        fetch_arm_poll(sim, client);
    }
}

static void on_deliver(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    const Inbound in = sim->inbound[i];
    sim_pool_give(sim->inbound, &sim->inbound_free, sizeof(Inbound), offsetof(Inbound, next_free), i);
    const Msg *m = &sim->msgs[in.msg];
    char line[400];
    if (sim_tracing(sim)) {
        snprintf(line, sizeof line, "Return-Path: <%s>", sim_str(sim, m->sender));
        sim_add_header(sim, in.msg, in.store, line);
    }
    for (uint32_t r = m->rcpt_first; r < m->rcpt_first + m->rcpt_count; r++) {
        Rcpt *rc = &sim->rcpts[r];
        if (rc->inbound != (int32_t)i || rc->state == RS_DELIVERED) {
            continue;
        }
        rc->inbound = NONE;
        int32_t mbi = rc->mailbox;
        if (mbi == NONE || sim->mailboxes[mbi].store != in.store) {
            /* Accepted by a catch-all (sim_session.c): the alias leads to its first mailbox. */
            const StoreCfg *sc = &sim_node(sim, in.store)->u.store;
            assert(sc->catch_all && sc->mailbox_count > 0);
            mbi = sim_mailbox_of(sim, sc->mailboxes[0].address);
        }
        assert(mbi != NONE && sim->mailboxes[mbi].store == in.store);
        Mailbox *mb = &sim->mailboxes[mbi];
        TraceFolder folder = in.spam ? FOLDER_JUNK : FOLDER_INBOX;
        MailItem item = { .msg = in.msg, .rcpt = r, .folder = (uint8_t)folder, .filter = in.filter };
        if (mb->keep_items) {
            mailbox_add(mb, &item);
            sim_msg_hold(sim, in.msg); /* for as long as the item is in the mailbox */
        }
        mb->used_bytes += m->size_bytes;
        rc->state = RS_DELIVERED;
        if (sim_tracing(sim)) {
            snprintf(line, sizeof line, "Delivered-To: %s", sim_str(sim, rc->addr));
            sim_add_header(sim, in.msg, in.store, line);
        }
        sim_emit(sim, .kind = TK_DELIVER, .from = in.store, .to = NONE, .msg = (int32_t)in.msg,
                 .arrive_us = TRACE_NO_TIME,
                 .text = folder == FOLDER_JUNK ? "filed in Junk" : "filed in Inbox",
                 .aux = sim_str(sim, rc->addr), .num2 = trace_dsn_pack("2.0.0"),
                 .sub = (uint8_t)folder);
        tell_client(sim, mb->client);
    }
    sim_msg_release(sim, in.msg); /* inbound_accept's */
}

void store_arrive(Engine *eng, void *obj, uint64_t arg)
{
    Sim *sim = obj;
    uint32_t i = (uint32_t)arg;
    int32_t store = sim->inbound[i].store;
    if (sim->nodes[store].down) {
        engine_schedule_in(eng, SIM_BLOCKED_RETRY_US, store_arrive, sim, i);
        return;
    }
    engine_schedule_in(eng, sim_node(sim, store)->u.store.deliver_us, on_deliver, sim, i);
}
