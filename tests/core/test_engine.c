/* test_engine: the discrete-event engine (sim/engine/engine.h).
 *
 * The small cases pin one rule each (order, ties, cancellation, run_until's boundaries). The big
 * one runs the heap against a naive twin, a sorted array, over a long random mix of schedule,
 * cancel, step and run_until with many equal times, and demands the same fire order, the same
 * cancel answers, the same pending count and the same next time after every operation.
 */
#include "engine/engine.h"
#include "engine/rng.h"
#include "test.h"
#include "util/xalloc.h"

#include <stdlib.h>

/* ---- a recorder handler -------------------------------------------------------------------- */

typedef struct {
    uint64_t tag;
    int64_t t_us;
} Fired;

typedef struct {
    Fired *v;
    size_t len, cap;
} FireLog;

static void log_fire(Engine *eng, void *obj, uint64_t arg)
{
    FireLog *log = obj;
    if (log->len == log->cap) {
        log->v = xgrow(log->v, &log->cap, log->len + 1, sizeof *log->v);
    }
    log->v[log->len++] = (Fired){ arg, engine_now(eng) };
}

/* The tag and time of the i-th fired event, or UINT64_MAX / -1 when fewer fired, so that a
 * failing case reports a mismatch instead of reading past the log. */
static uint64_t tag_at(const FireLog *log, size_t i)
{
    return i < log->len ? log->v[i].tag : UINT64_MAX;
}

static int64_t time_at(const FireLog *log, size_t i)
{
    return i < log->len ? log->v[i].t_us : -1;
}

/* Counts neighbours fired out of (time, tag) order. Where tags were handed out in scheduling
 * order, the ordering contract says there are none. */
static size_t log_order_violations(const FireLog *log)
{
    size_t bad = 0;
    for (size_t i = 1; i < log->len; i++) {
        const Fired *a = &log->v[i - 1], *b = &log->v[i];
        bad += !(a->t_us < b->t_us || (a->t_us == b->t_us && a->tag < b->tag));
    }
    return bad;
}

static void log_free(FireLog *log)
{
    free(log->v);
    *log = (FireLog){ 0 };
}

static void do_nothing(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    (void)obj;
    (void)arg;
}

/* ---- basic order --------------------------------------------------------------------------- */

static void engine_should_start_empty_at_time_zero(void)
{
    Engine *eng = engine_create(0);
    CHECK_EQ_INT(engine_now(eng), 0);
    CHECK_EQ_INT(engine_pending(eng), 0);
    CHECK(engine_next_time(eng) == ENGINE_TIME_MAX);
    CHECK(!engine_step(eng));
    CHECK_EQ_INT(engine_fired(eng), 0);
    CHECK_EQ_INT(engine_run_until(eng, ENGINE_TIME_MAX, 0), 0);
    CHECK_EQ_INT(engine_now(eng), 0);
    engine_destroy(eng);
}

static void engine_should_fire_in_time_order(void)
{
    static const int64_t times[] = { 50, 10, 40, 30, 20, 0, 70, 60 };
    const size_t n = sizeof times / sizeof times[0];
    FireLog log = { 0 };
    Engine *eng = engine_create(2);
    for (size_t i = 0; i < n; i++) {
        CHECK(engine_schedule(eng, times[i], log_fire, &log, (uint64_t)times[i]) != 0);
    }
    CHECK_EQ_INT(engine_pending(eng), n);
    CHECK_EQ_INT(engine_next_time(eng), 0);
    while (engine_step(eng)) {
    }
    CHECK_EQ_INT(log.len, n);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ_INT(time_at(&log, i), (int64_t)i * 10);
        CHECK_EQ_INT(tag_at(&log, i), (int64_t)i * 10);
    }
    CHECK_EQ_INT(engine_now(eng), 70);
    CHECK_EQ_INT(engine_fired(eng), n);
    CHECK_EQ_INT(engine_pending(eng), 0);
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_fire_equal_times_first_in_first_out(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(4);
    /* Three groups of equal times, scheduled interleaved: 200, 300, 100, 200, 300, 100, ... */
    static const int64_t group_time[3] = { 200, 300, 100 };
    for (uint64_t i = 0; i < 300; i++) {
        engine_schedule(eng, group_time[i % 3], log_fire, &log, i);
    }
    engine_run_until(eng, ENGINE_TIME_MAX, 0);
    CHECK_EQ_INT(log.len, 300);
    CHECK_EQ_INT(log_order_violations(&log), 0);
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_schedule_relative_to_now(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    engine_schedule(eng, 1000, do_nothing, NULL, 0);
    CHECK(engine_step(eng));
    CHECK_EQ_INT(engine_now(eng), 1000);
    engine_schedule_in(eng, 250, log_fire, &log, 7);
    CHECK_EQ_INT(engine_next_time(eng), 1250);
    CHECK(engine_step(eng));
    CHECK_EQ_INT(log.len, 1);
    CHECK_EQ_INT(time_at(&log, 0), 1250);
    engine_destroy(eng);
    log_free(&log);
}

/* Schedules `arg` more events at the current time, tagged after the ones already queued. */
typedef struct {
    FireLog log;
    uint64_t next_tag;
} Spawner;

static void spawn_at_now(Engine *eng, void *obj, uint64_t arg)
{
    Spawner *sp = obj;
    log_fire(eng, &sp->log, arg);
    if (arg == 0) {
        engine_schedule(eng, engine_now(eng), log_fire, &sp->log, 100);
        engine_schedule_in(eng, 0, log_fire, &sp->log, 101);
    }
}

static void engine_should_fire_events_scheduled_at_now_after_queued_ties(void)
{
    Spawner sp = { 0 };
    Engine *eng = engine_create(0);
    engine_schedule(eng, 5, spawn_at_now, &sp, 0);
    engine_schedule(eng, 5, spawn_at_now, &sp, 1);
    engine_schedule(eng, 5, spawn_at_now, &sp, 2);
    engine_schedule(eng, 6, spawn_at_now, &sp, 3);
    CHECK_EQ_INT(engine_run_until(eng, ENGINE_TIME_MAX, 0), 6);
    static const uint64_t want[] = { 0, 1, 2, 100, 101, 3 };
    CHECK_EQ_INT(sp.log.len, 6);
    for (size_t i = 0; i < 6; i++) {
        CHECK_EQ_INT(tag_at(&sp.log, i), want[i]);
    }
    CHECK_EQ_INT(time_at(&sp.log, 4), 5);
    engine_destroy(eng);
    log_free(&sp.log);
}

/* ---- cancellation -------------------------------------------------------------------------- */

static void engine_should_cancel_only_once(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    EngineEventId a = engine_schedule(eng, 10, log_fire, &log, 1);
    EngineEventId b = engine_schedule(eng, 20, log_fire, &log, 2);
    CHECK(a != b);
    CHECK(engine_cancel(eng, b));
    CHECK(!engine_cancel(eng, b));
    CHECK_EQ_INT(engine_pending(eng), 1);
    engine_run_until(eng, ENGINE_TIME_MAX, 0);
    CHECK_EQ_INT(log.len, 1);
    CHECK_EQ_INT(tag_at(&log, 0), 1);
    CHECK(!engine_cancel(eng, b));
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_not_cancel_after_firing(void)
{
    Engine *eng = engine_create(0);
    EngineEventId a = engine_schedule(eng, 10, do_nothing, NULL, 0);
    CHECK(engine_step(eng));
    CHECK(!engine_cancel(eng, a));
    CHECK_EQ_INT(engine_pending(eng), 0);
    engine_destroy(eng);
}

/* After an event fires, its record is reused for the next one: the old id must not reach it. */
static void engine_should_ignore_stale_ids(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    EngineEventId old = engine_schedule(eng, 10, do_nothing, NULL, 0);
    CHECK(engine_step(eng));
    EngineEventId fresh = engine_schedule(eng, 20, log_fire, &log, 9);
    CHECK(fresh != old);
    CHECK(!engine_cancel(eng, old));
    CHECK_EQ_INT(engine_pending(eng), 1);
    /* The same after a cancel: the cancelled record is reused once purged from the top. */
    CHECK(engine_cancel(eng, fresh));
    CHECK(engine_next_time(eng) == ENGINE_TIME_MAX);
    EngineEventId third = engine_schedule(eng, 30, log_fire, &log, 10);
    CHECK(third != fresh);
    CHECK(!engine_cancel(eng, fresh));
    engine_run_until(eng, ENGINE_TIME_MAX, 0);
    CHECK_EQ_INT(log.len, 1);
    CHECK_EQ_INT(tag_at(&log, 0), 10);
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_reject_ids_it_never_issued(void)
{
    Engine *eng = engine_create(0);
    EngineEventId a = engine_schedule(eng, 10, do_nothing, NULL, 0);
    CHECK(!engine_cancel(eng, 0));
    CHECK(!engine_cancel(eng, a + 1));                  /* a slot never handed out */
    CHECK(!engine_cancel(eng, a + (UINT64_C(1) << 32))); /* a future generation */
    CHECK(!engine_cancel(eng, UINT64_MAX));
    CHECK_EQ_INT(engine_pending(eng), 1);
    engine_destroy(eng);
}

static void engine_should_skip_a_cancelled_top(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    EngineEventId first = engine_schedule(eng, 10, log_fire, &log, 1);
    EngineEventId tie = engine_schedule(eng, 10, log_fire, &log, 2);
    engine_schedule(eng, 30, log_fire, &log, 3);
    CHECK(engine_cancel(eng, first));
    CHECK_EQ_INT(engine_pending(eng), 2);
    CHECK_EQ_INT(engine_next_time(eng), 10);
    CHECK(engine_cancel(eng, tie));
    CHECK_EQ_INT(engine_pending(eng), 1);
    CHECK_EQ_INT(engine_next_time(eng), 30);
    CHECK(engine_step(eng));
    CHECK_EQ_INT(log.len, 1);
    CHECK_EQ_INT(tag_at(&log, 0), 3);
    CHECK_EQ_INT(engine_now(eng), 30);
    CHECK_EQ_INT(engine_fired(eng), 1);
    CHECK(!engine_step(eng));
    engine_destroy(eng);
    log_free(&log);
}

typedef struct {
    FireLog log;
    EngineEventId victim;
    bool cancelled;
    bool cancelled_self;
    EngineEventId self;
} Canceller;

static void cancel_victim(Engine *eng, void *obj, uint64_t arg)
{
    Canceller *c = obj;
    log_fire(eng, &c->log, arg);
    c->cancelled = engine_cancel(eng, c->victim);
    c->cancelled_self = engine_cancel(eng, c->self);
}

static void engine_should_let_handlers_cancel(void)
{
    Canceller c = { 0 };
    Engine *eng = engine_create(0);
    c.self = engine_schedule(eng, 10, cancel_victim, &c, 1);
    c.victim = engine_schedule(eng, 10, log_fire, &c.log, 2);
    engine_schedule(eng, 11, log_fire, &c.log, 3);
    engine_run_until(eng, ENGINE_TIME_MAX, 0);
    CHECK(c.cancelled);
    CHECK(!c.cancelled_self); /* the firing event is no longer pending */
    CHECK_EQ_INT(c.log.len, 2);
    CHECK_EQ_INT(tag_at(&c.log, 0), 1);
    CHECK_EQ_INT(tag_at(&c.log, 1), 3);
    engine_destroy(eng);
    log_free(&c.log);
}

/* Cancelling most of a large queue triggers the purge of cancelled records; the survivors must
 * still fire in order and the pending count must stay exact throughout. */
static void engine_should_keep_order_when_most_events_are_cancelled(void)
{
    enum { N = 20000 };
    FireLog log = { 0 };
    Rng rng;
    rng_seed(&rng, 99);
    EngineEventId *ids = xmalloc(N * sizeof *ids);
    bool *kept = xcalloc(N, sizeof *kept);
    Engine *eng = engine_create(16);
    for (uint64_t i = 0; i < N; i++) {
        ids[i] = engine_schedule(eng, (int64_t)rng_below(&rng, 500), log_fire, &log, i);
    }
    uint32_t live = N;
    for (size_t i = 0; i < N; i++) {
        if (rng_below(&rng, 10) != 0) {
            CHECK(engine_cancel(eng, ids[i]));
            live--;
        } else {
            kept[i] = true;
        }
        if (i % 997 == 0) {
            CHECK_EQ_INT(engine_pending(eng), live);
        }
    }
    CHECK_EQ_INT(engine_pending(eng), live);
    size_t recancelled = 0;
    for (size_t i = 0; i < N; i++) {
        recancelled += !kept[i] && engine_cancel(eng, ids[i]);
    }
    CHECK_EQ_INT(recancelled, 0);
    engine_run_until(eng, ENGINE_TIME_MAX, 0);
    CHECK_EQ_INT(log.len, live);
    size_t not_kept = 0;
    for (size_t i = 0; i < log.len; i++) {
        not_kept += !kept[log.v[i].tag];
    }
    CHECK_EQ_INT(not_kept, 0);
    CHECK_EQ_INT(log_order_violations(&log), 0);
    engine_destroy(eng);
    free(kept);
    free(ids);
    log_free(&log);
}

/* ---- run_until ----------------------------------------------------------------------------- */

static void engine_should_fire_events_at_until_and_advance_the_clock(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    engine_schedule(eng, 10, log_fire, &log, 1);
    engine_schedule(eng, 20, log_fire, &log, 2);
    engine_schedule(eng, 20, log_fire, &log, 3);
    engine_schedule(eng, 30, log_fire, &log, 4);

    CHECK_EQ_INT(engine_run_until(eng, 9, 0), 0);
    CHECK_EQ_INT(engine_now(eng), 9);
    CHECK_EQ_INT(engine_run_until(eng, 20, 0), 3); /* events exactly at `until` fire */
    CHECK_EQ_INT(engine_now(eng), 20);
    CHECK_EQ_INT(engine_run_until(eng, 25, 0), 0); /* nothing due: the clock still moves */
    CHECK_EQ_INT(engine_now(eng), 25);
    CHECK_EQ_INT(engine_run_until(eng, 5, 0), 0); /* the clock never goes back */
    CHECK_EQ_INT(engine_now(eng), 25);
    CHECK_EQ_INT(engine_run_until(eng, ENGINE_TIME_MAX, 0), 1);
    CHECK_EQ_INT(engine_now(eng), 30); /* ENGINE_TIME_MAX drains but does not move the clock */
    CHECK_EQ_INT(log.len, 4);
    CHECK_EQ_INT(engine_fired(eng), 4);
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_stop_run_until_at_max_events_without_jumping(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    for (uint64_t i = 0; i < 5; i++) {
        engine_schedule(eng, 100 + (int64_t)i, log_fire, &log, i);
    }
    CHECK_EQ_INT(engine_run_until(eng, 1000, 2), 2);
    CHECK_EQ_INT(engine_now(eng), 101); /* events at 102..104 are still due before 1000 */
    CHECK_EQ_INT(engine_pending(eng), 3);
    CHECK_EQ_INT(engine_run_until(eng, 1000, 3), 3);
    CHECK_EQ_INT(engine_now(eng), 1000); /* all due events fired: the clock reaches until */
    CHECK_EQ_INT(engine_run_until(eng, 2000, 1), 0);
    CHECK_EQ_INT(engine_now(eng), 2000);
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_let_events_be_scheduled_at_the_advanced_clock(void)
{
    FireLog log = { 0 };
    Engine *eng = engine_create(0);
    engine_run_until(eng, 500, 0);
    engine_schedule(eng, 500, log_fire, &log, 1);
    CHECK_EQ_INT(engine_run_until(eng, 500, 0), 1);
    CHECK_EQ_INT(time_at(&log, 0), 500);
    engine_destroy(eng);
    log_free(&log);
}

/* ---- growth and lifetime ------------------------------------------------------------------- */

static void engine_should_grow_past_its_capacity_hint(void)
{
    enum { N = 100000 };
    FireLog log = { 0 };
    Rng rng;
    rng_seed(&rng, 5);
    Engine *eng = engine_create(1);
    for (uint64_t i = 0; i < N; i++) {
        engine_schedule(eng, (int64_t)rng_below(&rng, 1000000), log_fire, &log, i);
    }
    CHECK_EQ_INT(engine_pending(eng), N);
    CHECK_EQ_INT(engine_run_until(eng, ENGINE_TIME_MAX, 0), N);
    CHECK_EQ_INT(log_order_violations(&log), 0);
    engine_destroy(eng);
    log_free(&log);
}

static void engine_should_treat_destroy_null_as_a_no_op(void)
{
    engine_destroy(NULL);
    /* Destroying with events still pending (and some cancelled) frees everything; ASan and
     * valgrind runs of this test check that. */
    Engine *eng = engine_create(0);
    for (int i = 0; i < 100; i++) {
        EngineEventId id = engine_schedule(eng, i, do_nothing, NULL, 0);
        if (i % 3 == 0) {
            engine_cancel(eng, id);
        }
    }
    CHECK_EQ_INT(engine_pending(eng), 66);
    engine_destroy(eng);
}

/* ---- the naive twin ------------------------------------------------------------------------ */

/* The twin keeps every pending event in an array sorted by (t_us, seq) descending, so the earliest
 * is at the end. Everything is O(n) and obviously right. */
typedef struct {
    int64_t t_us;
    uint64_t seq;
    EngineEventId id;
    uint64_t tag;
} TwinEvent;

typedef struct {
    TwinEvent *v;
    size_t len, cap;
    uint64_t next_seq;
} Twin;

static bool twin_later(const TwinEvent *a, int64_t t_us, uint64_t seq)
{
    return a->t_us > t_us || (a->t_us == t_us && a->seq > seq);
}

static void twin_insert(Twin *tw, int64_t t_us, EngineEventId id, uint64_t tag)
{
    uint64_t seq = tw->next_seq++;
    if (tw->len == tw->cap) {
        tw->v = xgrow(tw->v, &tw->cap, tw->len + 1, sizeof *tw->v);
    }
    size_t lo = 0, hi = tw->len; /* first index not later than the new event */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (twin_later(&tw->v[mid], t_us, seq)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    memmove(&tw->v[lo + 1], &tw->v[lo], (tw->len - lo) * sizeof *tw->v);
    tw->v[lo] = (TwinEvent){ t_us, seq, id, tag };
    tw->len++;
}

static bool twin_cancel(Twin *tw, EngineEventId id)
{
    for (size_t i = 0; i < tw->len; i++) {
        if (tw->v[i].id == id) {
            memmove(&tw->v[i], &tw->v[i + 1], (tw->len - i - 1) * sizeof *tw->v);
            tw->len--;
            return true;
        }
    }
    return false;
}

static int64_t twin_next_time(const Twin *tw)
{
    return tw->len ? tw->v[tw->len - 1].t_us : ENGINE_TIME_MAX;
}

/* The engine-side handler: records what fired and, for odd tags, schedules a follow-up at
 * now + (tag / 2 % 3) ms (so at `now` a third of the time), as a simulation's handlers do. */
typedef struct {
    uint64_t tag;
    int64_t t_us;
    EngineEventId spawned;
} TwinFired;

typedef struct {
    TwinFired *v;
    size_t len, cap;
} TwinLog;

#define TWIN_FOLLOW_UP (UINT64_C(1) << 40)

static int64_t follow_up_delay_us(uint64_t tag)
{
    return (int64_t)(tag / 2 % 3) * 1000;
}

static void twin_handler(Engine *eng, void *obj, uint64_t tag)
{
    TwinLog *log = obj;
    EngineEventId spawned = 0;
    if (tag & 1u) {
        spawned = engine_schedule_in(eng, follow_up_delay_us(tag), twin_handler, obj,
                                     (tag ^ 1u) | TWIN_FOLLOW_UP);
    }
    if (log->len == log->cap) {
        log->v = xgrow(log->v, &log->cap, log->len + 1, sizeof *log->v);
    }
    log->v[log->len++] = (TwinFired){ tag, engine_now(eng), spawned };
}

/* Replays what the engine just fired against the twin: each must be the twin's earliest event,
 * and its follow-up goes into the twin at the same point in the sequence. Returns the number of
 * mismatches. */
static size_t twin_replay(Twin *tw, TwinLog *log)
{
    size_t bad = 0;
    for (size_t i = 0; i < log->len; i++) {
        const TwinFired *f = &log->v[i];
        if (tw->len == 0) {
            bad++;
            continue;
        }
        TwinEvent want = tw->v[--tw->len];
        bad += want.tag != f->tag || want.t_us != f->t_us;
        if (f->tag & 1u) {
            twin_insert(tw, f->t_us + follow_up_delay_us(f->tag), f->spawned,
                        (f->tag ^ 1u) | TWIN_FOLLOW_UP);
        }
    }
    log->len = 0;
    return bad;
}

enum { OP_SCHEDULE, OP_CANCEL, OP_STEP, OP_RUN_UNTIL, OP_COUNT };

/* Operation weights per phase: grow, cancel storm, drain. */
static const uint32_t twin_phases[][OP_COUNT] = {
    { 70, 10, 19, 1 },
    { 10, 75, 14, 1 },
    { 10, 10, 75, 5 },
};

static int pick_op(Rng *rng, const uint32_t *weights)
{
    uint32_t total = 0;
    for (int op = 0; op < OP_COUNT; op++) {
        total += weights[op];
    }
    uint64_t r = rng_below(rng, total);
    for (int op = 0; op < OP_COUNT; op++) {
        if (r < weights[op]) {
            return op;
        }
        r -= weights[op];
    }
    return OP_STEP;
}

/* Times: mostly one of 16 millisecond steps ahead (so ties are common), sometimes far ahead. */
static int64_t pick_time(Rng *rng, int64_t now)
{
    if (rng_below(rng, 10) == 0) {
        return now + (int64_t)rng_below(rng, 1000000);
    }
    return now + (int64_t)rng_below(rng, 16) * 1000;
}

static void engine_should_match_a_sorted_array_twin(void)
{
    enum { OPS = 200000, PHASE_OPS = 5000, RECENT = 4096 };
    Rng rng;
    rng_seed(&rng, 20240601);
    Engine *eng = engine_create(8);
    Twin tw = { 0 };
    TwinLog log = { 0 };
    EngineEventId recent[RECENT] = { 0 }; /* ids issued lately: pending, fired or cancelled */
    uint64_t next_tag = 0;
    size_t mismatches = 0, cancels_true = 0, cancels_false = 0, max_pending = 0;
    int phase = 0;

    for (uint32_t k = 0; k < OPS; k++) {
        if (k % PHASE_OPS == 0) {
            phase = (int)rng_below(&rng, sizeof twin_phases / sizeof twin_phases[0]);
        }
        switch (pick_op(&rng, twin_phases[phase])) {
        case OP_SCHEDULE: {
            int64_t t = pick_time(&rng, engine_now(eng));
            uint64_t tag = next_tag++ * 2 + rng_below(&rng, 4) / 3; /* a quarter spawn follow-ups */
            EngineEventId id = engine_schedule(eng, t, twin_handler, &log, tag);
            twin_insert(&tw, t, id, tag);
            recent[k % RECENT] = id;
            break;
        }
        case OP_CANCEL: {
            EngineEventId id = recent[rng_below(&rng, RECENT)];
            if (tw.len > 0 && rng_below(&rng, 2) == 0) {
                id = tw.v[rng_below(&rng, tw.len)].id; /* surely pending */
            }
            bool want = id != 0 && twin_cancel(&tw, id);
            bool got = engine_cancel(eng, id);
            mismatches += want != got;
            cancels_true += got;
            cancels_false += !got;
            break;
        }
        case OP_STEP: {
            bool got = engine_step(eng);
            mismatches += got != (tw.len > 0);
            break;
        }
        case OP_RUN_UNTIL: {
            int64_t until = engine_now(eng) + (int64_t)rng_below(&rng, 1100);
            engine_run_until(eng, until, rng_below(&rng, 4) == 0 ? 3 : 0);
            break;
        }
        }
        mismatches += twin_replay(&tw, &log);
        mismatches += engine_pending(eng) != tw.len;
        mismatches += engine_next_time(eng) != twin_next_time(&tw);
        if (tw.len > max_pending) {
            max_pending = tw.len;
        }
    }
    engine_run_until(eng, ENGINE_TIME_MAX, 0);
    mismatches += twin_replay(&tw, &log);
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(tw.len, 0);
    CHECK_EQ_INT(engine_pending(eng), 0);
    /* The run must have exercised what it claims to. */
    CHECK(cancels_true > 10000);
    CHECK(cancels_false > 10000);
    CHECK(max_pending > 1000);
    engine_destroy(eng);
    free(tw.v);
    free(log.v);
}

RUN_TESTS(TEST_CASE(engine_should_start_empty_at_time_zero),
          TEST_CASE(engine_should_fire_in_time_order),
          TEST_CASE(engine_should_fire_equal_times_first_in_first_out),
          TEST_CASE(engine_should_schedule_relative_to_now),
          TEST_CASE(engine_should_fire_events_scheduled_at_now_after_queued_ties),
          TEST_CASE(engine_should_cancel_only_once),
          TEST_CASE(engine_should_not_cancel_after_firing),
          TEST_CASE(engine_should_ignore_stale_ids),
          TEST_CASE(engine_should_reject_ids_it_never_issued),
          TEST_CASE(engine_should_skip_a_cancelled_top),
          TEST_CASE(engine_should_let_handlers_cancel),
          TEST_CASE(engine_should_keep_order_when_most_events_are_cancelled),
          TEST_CASE(engine_should_fire_events_at_until_and_advance_the_clock),
          TEST_CASE(engine_should_stop_run_until_at_max_events_without_jumping),
          TEST_CASE(engine_should_let_events_be_scheduled_at_the_advanced_clock),
          TEST_CASE(engine_should_grow_past_its_capacity_hint),
          TEST_CASE(engine_should_treat_destroy_null_as_a_no_op),
          TEST_CASE(engine_should_match_a_sorted_array_twin))
