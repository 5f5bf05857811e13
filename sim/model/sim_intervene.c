/* sim_intervene: a teacher's changes to a running world (see sim_intervene.h). */
#include "model/sim_intervene.h"

#include "util/fmt.h"

#include <assert.h>
#include <stdio.h>

/* The A record a DNSBL serves for a listed address (RFC 5782), as the loader makes it for
 * "dns.blocklists" (scenario_nodes.c). */
#define LISTED_ADDR UINT32_C(0x7F000002) /* 127.0.0.2 */
#define LISTED_TTL_US (300 * US_PER_S)

void intervene_prepare_dns(Sim *sim)
{
    const World *w = sim->w;
    for (uint32_t i = 0; i < w->action_count; i++) {
        const Action *a = &w->actions[i];
        switch (a->kind) {
        case ACT_DNS_FAILURE_END: dns_db_end_failures(sim->dns, a->name, a->at_us); break;
        case ACT_BLOCKLIST_ADD:
        case ACT_BLOCKLIST_REMOVE:
            dns_db_add_listing(sim->dns, dns_reverse_name(sim->sp, a->ip, a->name),
                               a->kind == ACT_BLOCKLIST_ADD, LISTED_ADDR, LISTED_TTL_US, a->at_us);
            break;
        default: break;
        }
    }
}

/* Every outage covering the node ends now. Each ended outage gets its "outage_end" event, as
 * when it ends on its own (a viewer counts them to know when the node is up); its own end,
 * still scheduled, then does nothing (Sim.action_over). */
static void outage_end(Sim *sim, const Action *a)
{
    NodeState *st = &sim->nodes[a->node];
    char text[256];
    if (st->outage_count == 0) {
        snprintf(text, sizeof text, "%s is brought up by hand, but it was not down",
                 sim_node_name(sim, a->node));
        sim_emit(sim, .kind = TK_ACTION, .from = a->node, .to = NONE, .msg = NONE,
                 .arrive_us = TRACE_NO_TIME, .text = text, .aux = "up");
        return;
    }
    for (size_t k = 0; k < st->outage_count; k++) {
        uint32_t outage = st->outages[k];
        if (sim->action_over[outage]) {
            continue; /* ended on its own, below the top of the stack */
        }
        sim->action_over[outage] = true;
        snprintf(text, sizeof text, "%s is brought back up by hand", sim_node_name(sim, a->node));
        sim_emit(sim, .kind = TK_ACTION, .from = a->node, .to = NONE, .msg = NONE,
                 .arrive_us = TRACE_NO_TIME, .text = text, .aux = "outage_end");
    }
    st->outage_count = 0;
    st->down = false;
}

/* The failure windows on the name were cut at the start (intervene_prepare_dns); here the
 * scheduled ends of the actions behind them are silenced, and the moment is told. */
static void dns_failure_end(Sim *sim, const Action *a)
{
    const World *w = sim->w;
    uint32_t cut = 0;
    for (uint32_t i = 0; i < w->action_count; i++) {
        const Action *f = &w->actions[i];
        if (f->kind == ACT_DNS_FAILURE && f->name == a->name && f->at_us <= a->at_us &&
            a->at_us < f->until_us && !sim->action_over[i]) {
            sim->action_over[i] = true;
            cut++;
        }
    }
    char text[512];
    snprintf(text, sizeof text,
             cut ? "The DNS servers for %s are mended by hand and answer again"
                 : "The DNS servers for %s are mended by hand, but they were not failing",
             sim_str(sim, a->name));
    sim_emit(sim, .kind = TK_ACTION, .from = NONE, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = "dns_failure_end");
}

static void mailbox_set(Sim *sim, const Action *a)
{
    int32_t mbi = sim_mailbox_of(sim, a->name);
    if (mbi == NONE) {
        return; /* the loader guarantees the mailbox exists */
    }
    Mailbox *mb = &sim->mailboxes[mbi];
    bool full = a->kind == ACT_MAILBOX_FULL;
    mb->used_bytes = full ? mb->quota_bytes : 0;
    char text[512], used[32], quota[32];
    fmt_size(mb->used_bytes, used, sizeof used);
    fmt_size(mb->quota_bytes, quota, sizeof quota);
    if (mb->quota_bytes > 0) {
        snprintf(text, sizeof text, "%s's mailbox %s: %s of %s used", sim_str(sim, a->name),
                 full ? "is full" : "is emptied of old mail", used, quota);
    } else {
        snprintf(text, sizeof text, "%s's mailbox is emptied of old mail (it has no quota)",
                 sim_str(sim, a->name));
    }
    sim_emit(sim, .kind = TK_ACTION, .from = mb->store, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text,
             .aux = full ? "mailbox_full" : "mailbox_free");
}

static void blocklist(Sim *sim, const Action *a)
{
    char ip[16], text[512];
    world_format_ip(a->ip, ip);
    bool add = a->kind == ACT_BLOCKLIST_ADD;
    snprintf(text, sizeof text,
             add ? "%s is put on the blocklist %s (a resolver that cached the old answer sees it "
                   "when that expires)"
                 : "%s is taken off the blocklist %s (a resolver that cached the old answer sees "
                   "it when that expires)",
             ip, sim_str(sim, a->name));
    sim_emit(sim, .kind = TK_ACTION, .from = NONE, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text,
             .aux = add ? "blocklist_add" : "blocklist_remove");
}

void intervene_act(Sim *sim, const Action *a, uint32_t index)
{
    (void)index;
    switch (a->kind) {
    case ACT_OUTAGE_END: outage_end(sim, a); break;
    case ACT_DNS_FAILURE_END: dns_failure_end(sim, a); break;
    case ACT_MAILBOX_FULL:
    case ACT_MAILBOX_FREE: mailbox_set(sim, a); break;
    case ACT_BLOCKLIST_ADD:
    case ACT_BLOCKLIST_REMOVE: blocklist(sim, a); break;
    default: assert(0); break;
    }
}
