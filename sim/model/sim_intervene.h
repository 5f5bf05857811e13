/* sim_intervene: the changes a teacher makes to the world at a moment of the run — a server
 * brought back up, a domain's DNS mended, a mailbox filled or emptied, an address put on or
 * taken off a blocklist (ACT_OUTAGE_END and after in world.h's ActionKind).
 *
 * Owns what each of those does to the run-time state, and the DNS side of them set up before
 * the run (the DNS database answers by time, so a change at t is registered at the start and
 * nothing before t sees it). Does not own outages' own starts and ends (sim.c), the mailboxes
 * (sim_store.c) nor the DNS data (dns.c). Private to sim/model.
 */
#ifndef MAILSIM_SIM_INTERVENE_H
#define MAILSIM_SIM_INTERVENE_H

#include "model/sim_core.h"

/* Registers every intervention's effect on the DNS database (listings, mended failure windows).
 * Called once by sim_create after the scripted DNS failures are added. */
void intervene_prepare_dns(Sim *sim);

/* Carries out intervention `index` (an index into the world's actions) at its time. */
void intervene_act(Sim *sim, const Action *a, uint32_t index);

#endif
