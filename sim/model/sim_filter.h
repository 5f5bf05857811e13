/* sim_filter: the spam filter in front of a mail store — it checks the relay's IP on its
 * blocklist zone (a DNS look-up), scores the message with its rules and Bayes (spamfilter.h),
 * writes the X-Spam headers, auto-learns, and passes the copy on to the store, for Junk or Inbox.
 *
 * Owns the filter's handling of one inbound copy. Does not own the scoring itself (spamfilter.c),
 * how the copy reached the filter (sim_inbound.c) nor the filing (sim_store.c). Private to
 * sim/model.
 */
#ifndef MAILSIM_SIM_FILTER_H
#define MAILSIM_SIM_FILTER_H

#include "model/sim_core.h"

/* An engine handler: inbound copy `arg` has reached its filter. */
void filter_arrive(Engine *eng, void *obj, uint64_t arg);

#endif
