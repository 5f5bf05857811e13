/* sim_relay: one delivery attempt to a remote domain, as an outgoing server's SMTP client makes it
 * (RFC 5321 §5.1) — look up the domain's MX (or use the implicit MX), try the hosts in preference
 * order, each by its A record, until one takes an SMTP session, and hand an accepted message to
 * the incoming server's way into its store.
 *
 * Owns the MX walk of an attempt. Does not own the queue the attempt comes from, nor what its
 * outcome means for the message (retry, bounce): it marks each recipient's txn and reports to the
 * AttemptDone handler it was given (sim_queue.c). Private to sim/model.
 */
#ifndef MAILSIM_SIM_RELAY_H
#define MAILSIM_SIM_RELAY_H

#include "model/sim_core.h"

/* Starts an attempt to deliver the pending recipients of `delivery` to their domain's servers;
 * `done` runs once every one of them has its txn mark for this attempt. */
void relay_start(Sim *sim, uint32_t delivery, AttemptDone done);

#endif
