/* sim_queue: an outgoing server's queue — a message it has taken (from a client, or a bounce of
 * its own) waits per destination domain, is tried at once and then on the retry schedule
 * (backoff.h), and each recipient ends sent, bounced (with a DSN to the sender, RFC 3464; never a
 * bounce of a bounce) or still deferred; a delay warning goes out once when configured.
 *
 * Owns the deliveries (a slot pool in Sim) and the outcome of each attempt. Does not own how a
 * remote attempt talks to the next hop (sim_relay.c) nor how mail reaches the queue
 * (sim_submit.c). Private to sim/model.
 */
#ifndef MAILSIM_SIM_QUEUE_H
#define MAILSIM_SIM_QUEUE_H

#include "model/sim_core.h"

/* Outgoing server `server` has accepted msg: one delivery per destination domain, each attempted
 * after the server's processing time. */
void queue_enqueue(Sim *sim, uint32_t msg, int32_t server);

#endif
