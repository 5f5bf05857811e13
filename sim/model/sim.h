/* sim: the mail model — clients, outgoing servers with their queues, DNS resolvers, incoming
 * servers with their checks, spam filters and mail stores — run on the discrete-event engine
 * over a World, recording everything in a Trace.
 *
 * Owns: the engine, the RNG (seeded from the world's seed or the override), all run-time state,
 * and the trace until sim_take_trace hands it over. Borrows the world, which must outlive it;
 * the simulation interns new strings (DNS names it builds) into the world's pool but otherwise
 * leaves the world unchanged.
 *
 * A run ends when nothing is left to do (every message delivered, bounced or dropped and every
 * client that has new mail has fetched it, every action done) or at the world's horizon.
 */
#ifndef MAILSIM_SIM_H
#define MAILSIM_SIM_H

#include "model/world.h"
#include "trace/trace.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct Sim Sim;

typedef struct {
    bool seed_set;      /* use `seed` instead of the world's */
    uint64_t seed;
    bool no_trace;      /* keep no trace (benchmarks): only counters are kept */
    uint64_t max_events; /* stop after this many engine events (0 = no limit) */
    uint64_t max_trace_events; /* stop once the trace holds this many events (0 = no limit); one
                                  engine event may record many (one per recipient), so this is
                                  what bounds the trace's memory */
} SimOptions;

typedef struct {
    uint64_t events;        /* engine events fired */
    uint64_t messages;      /* messages composed, DSNs included */
    uint64_t delivered, bounced, deferred, dropped; /* per recipient, at the end */
    int64_t end_us;         /* sim time when the run ended */
    bool hit_horizon;       /* stopped by the horizon with work left */
    bool hit_event_limit;
    bool hit_trace_limit;   /* stopped by max_trace_events with work left, or ended with the
                               trace over it (its last step recorded past it) */
    uint64_t course;        /* a digest of every engine event's time, in order: two runs of a
                               world took the same course exactly when their digests agree (with
                               and without a trace, say) */
} SimStats;

/* Never returns NULL. `opt` may be NULL (defaults). */
Sim *sim_create(World *w, const SimOptions *opt);
void sim_destroy(Sim *sim);

/* Runs to the end. May be called once. */
void sim_run(Sim *sim);

const SimStats *sim_stats(const Sim *sim);

/* The trace (NULL with no_trace). Still owned by the simulation. */
const Trace *sim_trace(const Sim *sim);
/* Hands the trace over to the caller (who must trace_destroy it); the sim keeps none. */
Trace *sim_take_trace(Sim *sim);

/* The fewest trace events a traced run of `w` records if it runs to the end: every message
 * composed by the horizon records at once its compose event, the client's headers and the first
 * step of its hand-over (sim_compose.c). Computed from the world alone, so that a run whose trace
 * could not be kept (TRACE_MAX_EVENTS) is refused before it starts. O(actions). */
uint64_t sim_min_trace_events(const World *w);

/* Convenience: create, run, take the trace, destroy. */
Trace *sim_run_world(World *w, const SimOptions *opt);

#endif
