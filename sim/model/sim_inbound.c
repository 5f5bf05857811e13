/* sim_inbound: creating an accepted message's inbound copy and sending it to the filter or the
 * store (see sim_inbound.h). Owns nothing after that first hop.
 */
#include "model/sim_inbound.h"

#include "model/sim_filter.h"
#include "model/sim_store.h"

#include <stddef.h>

void inbound_accept(Sim *sim, uint32_t msg, uint32_t delivery, int32_t server, int32_t filter,
                    int32_t store, uint32_t relay_ip, bool relay_rdns)
{
    void *items = sim->inbound;
    uint32_t i = sim_pool_take(&items, &sim->inbound_count, &sim->inbound_cap, &sim->inbound_free,
                               sizeof(Inbound), offsetof(Inbound, next_free));
    sim->inbound = items;
    sim_msg_hold(sim, msg); /* until the store has delivered it */
    sim->inbound[i] = (Inbound){ .msg = msg,
                                 .delivery = delivery,
                                 .server = server,
                                 .filter = filter,
                                 .store = store,
                                 .relay_ip = relay_ip,
                                 .relay_rdns = relay_rdns,
                                 .next_free = NONE };
    /* Its recipients: those this hand-over takes, accepted at RCPT in the session that sent it
     * (or accepted by local delivery). One that an earlier server of the same attempt took
     * already travels with that server's copy. */
    const Delivery *dl = &sim->deliveries[delivery];
    for (uint32_t r = dl->rcpt_first; r < dl->rcpt_first + dl->rcpt_count; r++) {
        const Rcpt *rc = &sim->rcpts[r];
        if (rc->state == RS_PENDING && rc->inbound == NONE &&
            (rc->txn == TXN_RCPT_OK || rc->txn == TXN_ACCEPTED)) {
            sim->rcpts[r].inbound = (int32_t)i;
        }
    }
    if (filter != NONE) {
        sim_hop(sim, msg, server, filter, "to the spam filter", filter_arrive, i);
    } else if (sim_node(sim, server)->kind == NODE_INCOMING) {
        sim_hop(sim, msg, server, store, "to the mail store", store_arrive, i);
    } else {
        store_arrive(sim->eng, sim, i);
    }
}
