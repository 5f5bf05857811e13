/* sim_store: the mail store — an accepted copy arrives (waiting while the store is down), the
 * local delivery agent files it for each of its recipients into Inbox or Junk (Maildir: tmp/ then
 * new/), counts it against the mailbox's quota, and tells the reading client there is new mail.
 *
 * Owns the delivery into mailboxes and the end of an inbound copy's life. Does not own how the
 * copy got here (sim_inbound.c, sim_filter.c) nor how clients read it (sim_fetch.c). Private to
 * sim/model.
 */
#ifndef MAILSIM_SIM_STORE_H
#define MAILSIM_SIM_STORE_H

#include "model/sim_core.h"

/* An engine handler: inbound copy `arg` has reached its store. */
void store_arrive(Engine *eng, void *obj, uint64_t arg);

#endif
