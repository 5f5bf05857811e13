/* sim_verify: an address verifier — how a bulk-email verification service decides whether an
 * address exists without sending anything: the address's syntax, the domain's MX look-up, then an
 * SMTP session to the best MX that names the address at RCPT TO, and a made-up address beside it
 * (the catch-all test), and leaves with RSET and QUIT before DATA. Its verdict on each address is a
 * trace "verify" event: deliverable, invalid, risky or unknown.
 *
 * Owns the sequence of probes of every verifier client (ClientCfg.verify) and the verdicts. Does
 * not own the look-ups (sim_lookup.c) nor the dialogue (sim_session.c, MODE_VERIFY). Each probe is
 * a message with two recipients in the trace (the address and the made-up one) that never leaves
 * the verifier: it is what the session's commands are about. Private to sim/model.
 */
#ifndef MAILSIM_SIM_VERIFY_H
#define MAILSIM_SIM_VERIFY_H

#include "model/sim_core.h"

/* Schedules every verifier client's first probe (at its verify_at_us). Draws no random numbers
 * when the world has no verifier. */
void verify_schedule(Sim *sim);

#endif
