/* sim_submit: a client handing a composed message to its outgoing server — SMTP submission on
 * port 587 with AUTH (RFC 6409), retried by the client's Outbox while the server refuses or does
 * not answer, or, for a program on the server's own host (ClientCfg.pickup), the sendmail command:
 * maildrop, pickup and cleanup, no SMTP.
 *
 * Owns the hand-over. Does not own the SMTP dialogue (sim_session.c) nor the queue the message
 * lands in (sim_queue.c). Private to sim/model.
 */
#ifndef MAILSIM_SIM_SUBMIT_H
#define MAILSIM_SIM_SUBMIT_H

#include "model/sim_core.h"

/* Starts the client -> outgoing server submission dialogue for msg. */
void submit_smtp(Sim *sim, uint32_t msg, int32_t client, int32_t server);
/* Hands msg from a pickup client to its server's queue without SMTP. */
void submit_pickup(Sim *sim, uint32_t msg, int32_t client, int32_t server);

#endif
