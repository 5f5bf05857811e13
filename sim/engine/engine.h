/* engine: the discrete-event core.
 *
 * Owns simulated time (int64_t microseconds), the pending-event queue and nothing else. It knows
 * nothing of mail, JSON or SDL: a handler is a plain function pointer plus an opaque object and a
 * 64-bit argument, all owned by the caller.
 *
 * Ordering contract: events fire in ascending (time, sequence number); the sequence number is the
 * order of engine_schedule calls, so events scheduled for the same time fire first-in first-out.
 * Scheduling into the past is a programmer's error (assert).
 *
 * Cost: schedule and pop are O(log n) on a 4-ary heap; cancel is O(1) amortized and lazy (the heap
 * entry is skipped when it reaches the top, and once cancelled entries outnumber live ones the heap
 * is rebuilt without them). Event records live in a slot pool with a free list, so the steady state
 * allocates nothing. Limits (engine.c): 2^24 event records at once, 2^40 schedules per engine.
 */
#ifndef MAILSIM_ENGINE_H
#define MAILSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Engine Engine;

/* Handler for one event. `eng` is the engine that fired it (handlers may schedule and cancel),
 * `obj` and `arg` are what was passed to engine_schedule. */
typedef void (*EngineHandler)(Engine *eng, void *obj, uint64_t arg);

/* Identifies one scheduled event for engine_cancel. 0 is never a valid id. */
typedef uint64_t EngineEventId;

#define ENGINE_TIME_MAX INT64_MAX

/* Creates an engine at time 0 with room for `capacity_hint` pending events (it grows as needed).
 * Never returns NULL (out of memory aborts). */
Engine *engine_create(uint32_t capacity_hint);

/* Frees the engine and every pending event record. The objects handed to engine_schedule belong
 * to the caller and are not touched. engine_destroy(NULL) is a no-op. */
void engine_destroy(Engine *eng);

/* Current simulated time in microseconds: the time of the event being (or last) fired. */
int64_t engine_now(const Engine *eng);

/* Schedules handler(eng, obj, arg) at absolute time `at_us`, engine_now <= at_us < ENGINE_TIME_MAX
 * (ENGINE_TIME_MAX means "never"). `handler` must not be NULL. Returns its id. */
EngineEventId engine_schedule(Engine *eng, int64_t at_us, EngineHandler handler, void *obj,
                              uint64_t arg);

/* Schedules at engine_now + delay_us (delay_us >= 0). */
EngineEventId engine_schedule_in(Engine *eng, int64_t delay_us, EngineHandler handler, void *obj,
                                 uint64_t arg);

/* Cancels a pending event. Returns true if it was pending and is now cancelled; false if it has
 * already fired (an event is no longer pending once its handler has started), was already
 * cancelled, or the id is stale. */
bool engine_cancel(Engine *eng, EngineEventId id);

/* Number of pending (not cancelled) events. */
uint32_t engine_pending(const Engine *eng);

/* Time of the earliest pending event, or ENGINE_TIME_MAX when none is pending. Not const: it frees
 * cancelled entries it finds at the top of the queue. */
int64_t engine_next_time(Engine *eng);

/* Fires the earliest pending event. Returns false (and does nothing) when none is pending. */
bool engine_step(Engine *eng);

/* Fires events in order while the earliest is at or before `until_us`, then sets the clock to
 * `until_us` if it is later than now (and not ENGINE_TIME_MAX). Returns the number fired. Stops
 * early once `max_events` have fired (0 = no limit); the clock then moves to `until_us` only if no
 * pending event is left at or before it, so time never passes an event that has not fired. */
uint64_t engine_run_until(Engine *eng, int64_t until_us, uint64_t max_events);

/* Total number of events fired since creation. */
uint64_t engine_fired(const Engine *eng);

#endif
