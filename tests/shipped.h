/* shipped.h: what tests that use the shipped scenarios share. Needs the core library (scenario
 * loader and model); include it after test.h. */
#ifndef MAILSIM_TEST_SHIPPED_H
#define MAILSIM_TEST_SHIPPED_H

#include "model/sim.h"
#include "scenario/scenario.h"

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR "."
#endif

/* The trace of the scenario file at `path` at its own seed, or NULL when it does not load. The
 * caller owns the trace. */
static inline Trace *shipped_run_file(const char *path)
{
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        return NULL;
    }
    SimOptions so = { 0 };
    Trace *tr = sim_run_world(w, &so);
    world_destroy(w);
    return tr;
}

#endif
