/* backoff: when a deferred message is tried again, and when the queue gives up on it.
 *
 * Pure functions of a RetryPolicy (world.h) and times; no state. Three schedules:
 *  - Postfix (defaults since 2.4): wait = time already spent in the queue, clamped to
 *    [minimal_backoff_time, maximal_backoff_time]; the message is picked up by the first queue run
 *    (every queue_run_delay) at or after that. Tries fall near 0, 300, 600, 1200, 2400, 4800,
 *    8800 s, then every 4000 s. Like Postfix, it counts in whole seconds: the wait runs from the
 *    second the attempt ended in, and a scan takes a message due up to one second later
 *    (qmgr_active.c), so at the cap a retry comes exactly maximal_backoff_time after the last.
 *  - Exim's default retry rule "F,2h,15m; G,16h,1h,1.5; F,4d,6h": every 15 min for 2 h, then
 *    waits from 1 h growing x1.5 until 16 h after arrival, then every 6 h until 4 days.
 *  - Fixed: the listed waits, the last one repeating.
 */
#ifndef MAILSIM_BACKOFF_H
#define MAILSIM_BACKOFF_H

#include "model/world.h"

#include <stdbool.h>
#include <stdint.h>

/* Time of the next try for a message that entered the queue at `arrival_us`, failed its
 * `attempt`-th try (1-based) at `now_us`. `scan_phase_us` (0 <= phase < queue_run) is when the
 * server's queue manager scans relative to multiples of queue_run_delay (Postfix only; a server
 * picks it once). Always > now_us. */
int64_t backoff_next_try(const RetryPolicy *p, int64_t arrival_us, int64_t now_us,
                         uint32_t attempt, int64_t scan_phase_us);

/* True when a message that failed at `now_us` has outlived the queue lifetime and must bounce
 * (Postfix: in whole seconds, as its queue manager compares them). */
bool backoff_expired(const RetryPolicy *p, int64_t arrival_us, int64_t now_us);

#endif
