/* fuzz_run: a scenario, when it loads, run through the whole pipeline the CLI uses — simulate
 * (at most FUZZ_MAX_EVENTS engine events, so every input stays fast, and TRACE_MAX_EVENTS trace
 * events, as mailsim does), narrate, summarise, check the expectations — and its trace must read
 * back and write the same bytes again, unless mailsim would refuse the run: before it, when
 * sim_min_trace_events is over the trace limit, or after, when the run reached it. A run that
 * ends on its own never records fewer trace events than sim_min_trace_events said. */
#define _POSIX_C_SOURCE 200809L

#include "fuzz.h"

#include "text/expect.h"
#include "text/narrate.h"
#include "text/summary.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"

#include <string.h>

#define FUZZ_MAX_EVENTS 20000u

static char *write_to_memory(const Trace *tr, size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(trace_write_jsonl(tr, out));
    fclose(out);
    return buf;
}

static void check_round_trip(const Trace *tr)
{
    size_t len1 = 0, len2 = 0;
    char *once = write_to_memory(tr, &len1);
    FILE *in = fmemopen(once, len1, "rb");
    FUZZ_CHECK(in != NULL);
    Error err = { 0 };
    Trace *again = trace_read_jsonl(in, "fuzz.jsonl", &err);
    fclose(in);
    if (!again) {
        char buf[1400];
        fprintf(stderr, "the simulation's trace does not read back: %s\n",
                error_format(&err, buf, sizeof buf));
    }
    FUZZ_CHECK(again != NULL);
    char *twice = write_to_memory(again, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(once, twice, len1) == 0);
    trace_destroy(again);
    free(once);
    free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Error err = { 0 };
    World *w = scenario_load_string((const char *)data, size, "fuzz.json", &err);
    if (!w) {
        fuzz_check_error(&err);
        return 0;
    }
    uint64_t least = sim_min_trace_events(w);
    if (least > TRACE_MAX_EVENTS) { /* refused before the run */
        world_destroy(w);
        return 0;
    }
    SimOptions opt = { .max_events = FUZZ_MAX_EVENTS, .max_trace_events = TRACE_MAX_EVENTS };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    SimStats st = *sim_stats(sim);
    Trace *tr = sim_take_trace(sim);
    sim_destroy(sim);
    FUZZ_CHECK(tr != NULL);
    if (!st.hit_event_limit && !st.hit_trace_limit) {
        FUZZ_CHECK(least <= trace_count(tr));
    }

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    FUZZ_CHECK(out != NULL);
    narrate_write(tr, out);
    Summary *s = summary_build(tr);
    FUZZ_CHECK(summary_write_json(tr, s, out));
    expect_check(w, tr, s, out);
    fclose(out);
    free(buf);
    summary_destroy(s);

    if (!st.hit_trace_limit) { /* mailsim writes no trace of a run over the limit */
        check_round_trip(tr);
    }
    trace_destroy(tr);
    world_destroy(w);
    return 0;
}
