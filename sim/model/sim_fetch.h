/* sim_fetch: mail clients reading their mailbox — a POP3 (RFC 1939) or IMAP (RFC 9051) session
 * with the store, command by command, at the client's poll interval, at once for IMAP IDLE, or
 * when the user asks.
 *
 * Owns each client's fetch session state (in NodeState) and its poll timer. Does not own the
 * mailboxes (sim_store.c puts mail in; the fetch session only marks items fetched and, for POP3,
 * expunges what the client deleted). Private to sim/model.
 */
#ifndef MAILSIM_SIM_FETCH_H
#define MAILSIM_SIM_FETCH_H

#include "model/sim_core.h"

/* Client `client` checks its mailbox now, unless a session is in progress or it reads none; when
 * its store is down it tries again at its next poll. */
void fetch_start(Sim *sim, int32_t client);
/* Schedules the client's next check on its own poll grid (phase + k x interval), unless one is
 * already scheduled or it does not poll. */
void fetch_arm_poll(Sim *sim, int32_t client);

#endif
