/* sim_inbound: a message a server has accepted, on its way to the mailboxes — one inbound copy
 * carries it, for the recipients the server took, from the accepting server through its spam
 * filter (when it has one) into its mail store.
 *
 * Owns the creation of inbound copies and the first hop. Does not own what the filter or the store
 * do with the copy (sim_filter.c, sim_store.c, which frees it). Private to sim/model.
 */
#ifndef MAILSIM_SIM_INBOUND_H
#define MAILSIM_SIM_INBOUND_H

#include "model/sim_core.h"

/* Node `server` accepted msg for the recipients of `delivery` whose txn is TXN_ACCEPTED: carry it
 * through `filter` (NONE = none) into `store`. `relay_ip` and `relay_rdns` describe the server
 * that handed it over, for the filter's checks. An outgoing server's local delivery has already
 * carried the message to the store: it goes straight in. */
void inbound_accept(Sim *sim, uint32_t msg, uint32_t delivery, int32_t server, int32_t filter,
                    int32_t store, uint32_t relay_ip, bool relay_rdns);

#endif
