/* sim_compose: a mail client writing a message the scenario scripts (a MessageSpec) — the message
 * and the headers the client puts on it (RFC 5322) — and handing it to its outgoing server; a
 * list manager's mailing goes out one copy per recipient, paced by the spec's interval.
 *
 * Owns composing. Does not own the hand-over (sim_submit.c). Private to sim/model.
 */
#ifndef MAILSIM_SIM_COMPOSE_H
#define MAILSIM_SIM_COMPOSE_H

#include "model/sim_core.h"

/* Composes and hands over message spec `spec`: the whole message (copy 0), or copy `copy` (from
 * 1) of a mailing, after which the next copy is scheduled. */
void compose_send(Sim *sim, uint32_t spec, uint32_t copy);

#endif
