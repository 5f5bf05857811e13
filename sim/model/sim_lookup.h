/* sim_lookup: DNS look-ups as the network carries them — a query travels from the asking node to
 * its resolver, the resolver answers from its cache or recurses (or stays silent while it is
 * down), and the answer travels back; a trace event each way.
 *
 * Owns the look-up records (a slot pool in Sim). Does not own what the answer means: whoever asks
 * passes a handler, and the handler decides what happens next. Private to sim/model.
 */
#ifndef MAILSIM_SIM_LOOKUP_H
#define MAILSIM_SIM_LOOKUP_H

#include "model/sim_core.h"

/* Called when the answer has arrived at the asker (or the asker gave up: rcode TIMEOUT), with the
 * `owner` given to lookup_start. `ans` is valid only during the call. */
typedef void (*LookupHandler)(Sim *sim, uint32_t owner, const DnsAnswer *ans);

/* Asks `resolver` for (name, qtype) on behalf of node `asker`; `msg` is the Msg the look-up is
 * for (shown in the trace) or NONE. `done` runs with `owner` once the answer is in. */
void lookup_start(Sim *sim, LookupHandler done, uint32_t owner, int32_t asker, int32_t resolver,
                  StrId name, TraceQtype qtype, int32_t msg);

#endif
