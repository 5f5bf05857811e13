/* sim_user: people acting on the mail in their mailbox, as the scenario scripts it (see
 * sim_user.h). Owns the effect of each click; does not own the mailboxes (sim_store.c fills them),
 * the Bayes arithmetic (spamfilter.c) nor fetching (sim_fetch.c).
 */
#include "model/sim_user.h"

#include "model/sim_fetch.h"

#include <assert.h>
#include <stdio.h>

static int32_t find_item(Sim *sim, int32_t mbi, StrId msg_id)
{
    const Mailbox *mb = &sim->mailboxes[mbi];
    for (size_t k = 0; k < mb->item_count; k++) {
        if (!mb->items[k].deleted && sim_msg_id(sim, mb->items[k].msg) == msg_id) {
            return (int32_t)k;
        }
    }
    return NONE;
}

static void mark(Sim *sim, const Action *a, int32_t mbi, bool spam)
{
    Mailbox *mb = &sim->mailboxes[mbi];
    const char *user = sim_str(sim, a->name);
    char text[512];
    int32_t k = find_item(sim, mbi, a->msg);
    if (k == NONE) {
        snprintf(text, sizeof text, "%s clicks \"%s\" on %s, but it is not in the mailbox", user,
                 spam ? "spam" : "not spam", sim_str(sim, a->msg));
        sim_emit(sim, .kind = TK_ACTION, .from = mb->client, .to = NONE, .msg = NONE,
                 .arrive_us = TRACE_NO_TIME, .text = text, .aux = "mark");
        return;
    }
    MailItem *it = &mb->items[k];
    TraceFolder to = spam ? FOLDER_JUNK : FOLDER_INBOX;
    int64_t arrive = engine_now(sim->eng) + (mb->client != NONE ? sim_link_delay(sim, mb->client, mb->store, 60) : 0);
    it->folder = (uint8_t)to;
    snprintf(text, sizeof text, "%s marks it as %s", user, spam ? "spam" : "not spam");
    sim_emit(sim, .kind = TK_MOVE, .from = mb->client != NONE ? mb->client : mb->store,
             .to = mb->store, .msg = (int32_t)it->msg,
             .arrive_us = mb->client != NONE ? arrive : TRACE_NO_TIME, .text = text, .aux = user,
             .sub = (uint8_t)to);
    Bayes *bayes = it->filter != NONE ? sim->nodes[it->filter].bayes : NULL;
    const Msg *m = &sim->msgs[it->msg];
    if (bayes && bayes_learn(bayes, m->serial, sim_str(sim, m->subject), sim_msg_body(sim, it->msg),
                             sim_str(sim, m->sender), spam)) {
        snprintf(text, sizeof text, "%s's click teaches the filter: learned as %s (Bayes now knows %u spam, %u ham)",
                 user, spam ? "spam" : "ham", bayes_spam_count(bayes), bayes_ham_count(bayes));
        sim_emit(sim, .kind = TK_LEARN, .from = it->filter, .to = NONE, .msg = (int32_t)it->msg,
                 .arrive_us = TRACE_NO_TIME, .text = text,
                 .sub = spam ? VERDICT_SPAM : VERDICT_HAM);
    }
}

static void delete_mail(Sim *sim, const Action *a, int32_t mbi)
{
    Mailbox *mb = &sim->mailboxes[mbi];
    const char *user = sim_str(sim, a->name);
    char text[512];
    int64_t freed = 0;
    if (a->msg != STR_EMPTY) {
        int32_t k = find_item(sim, mbi, a->msg);
        if (k != NONE) {
            mb->items[k].deleted = true;
            freed = sim->msgs[mb->items[k].msg].size_bytes;
        }
    } else {
        freed = a->bytes < mb->used_bytes ? a->bytes : mb->used_bytes;
    }
    mb->used_bytes -= freed;
    if (mb->quota_bytes > 0) {
        snprintf(text, sizeof text, "%s deletes old mail, freeing %lld bytes (mailbox now %lld of %lld bytes)",
                 user, (long long)freed, (long long)mb->used_bytes, (long long)mb->quota_bytes);
    } else {
        snprintf(text, sizeof text, "%s deletes mail, freeing %lld bytes", user, (long long)freed);
    }
    sim_emit(sim, .kind = TK_ACTION, .from = mb->client, .to = NONE, .msg = NONE,
             .arrive_us = TRACE_NO_TIME, .text = text, .aux = "delete");
}

void user_act(Sim *sim, const Action *a)
{
    int32_t mbi = sim_mailbox_of(sim, a->name);
    if (mbi == NONE) {
        return; /* the loader guarantees the user has a mailbox */
    }
    switch (a->kind) {
    case ACT_MARK_SPAM: mark(sim, a, mbi, true); break;
    case ACT_MARK_NOT_SPAM: mark(sim, a, mbi, false); break;
    case ACT_DELETE: delete_mail(sim, a, mbi); break;
    case ACT_FETCH:
        if (sim->mailboxes[mbi].client != NONE) {
            fetch_start(sim, sim->mailboxes[mbi].client);
        }
        break;
    default: assert(0); break;
    }
}
