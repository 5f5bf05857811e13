/* timeaxis: the timeline strip's mapping between sim time and a 0..1 position, with idle gaps
 * squeezed so a burst of SMTP lasting a second is not a sliver beside a five-minute retry wait.
 *
 * Owns: the list of active stretches and gaps (a gap is a quiet period longer than `min_gap_us`
 * with nothing travelling), each with its share of the strip; and what a retry attempt on the
 * strip says in words. Does not own the index.
 * SDL-free. The mapping is continuous and strictly increasing, so clicking the strip and drawing
 * the cursor agree, and both directions are O(log segments).
 */
#ifndef MAILSIM_TIMEAXIS_H
#define MAILSIM_TIMEAXIS_H

#include "view/traceindex.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t start_us, end_us;
    double frac0, frac1; /* where it sits on the strip */
    int gap;             /* 1 = a squeezed quiet period */
} AxisSegment;

typedef struct TimeAxis TimeAxis;

#define TIMEAXIS_MIN_GAP_US INT64_C(3000000) /* quiet periods longer than 3 s are squeezed */

/* Never returns NULL. The axis spans [min(0, first event), end of the run]. */
TimeAxis *timeaxis_create(const TraceIndex *ix, int64_t min_gap_us);
/* timeaxis_destroy(NULL) is a no-op. */
void timeaxis_destroy(TimeAxis *ax);

int64_t timeaxis_start(const TimeAxis *ax);
int64_t timeaxis_end(const TimeAxis *ax);
/* Position of t on the strip, clamped to 0..1. */
double timeaxis_frac(const TimeAxis *ax, int64_t t_us);
/* The time at strip position f (clamped to 0..1). */
int64_t timeaxis_time(const TimeAxis *ax, double f);

size_t timeaxis_segment_count(const TimeAxis *ax);
const AxisSegment *timeaxis_segment(const TimeAxis *ax, size_t i);

/* A squeezed wait's length as the timeline writes it: fmt_duration ("9 min 56 s"), or when
 * `narrow` one rounded unit ("10 min", "4 h", "1 d"). Returns buf. */
const char *timeaxis_gap_text(int64_t us, bool narrow, char *buf, size_t size);

/* A retry attempt told in words, for the hovered retry tick and the selected message's attempt
 * at the playhead: "attempt 3 of 5, next in 20 min" (deferred: the wait until the next try, as
 * timeaxis_gap_text narrow), "delivered on attempt 5" (accepted by the next hop), "last attempt,
 * then bounced" (given up before another try), or "attempt 3 of 5" (no outcome yet in the trace).
 * Attempts are counted from the trace: the first try, then each TK_RETRY (num = its number); N is
 * the message's last. Event i must be a TK_RETRY; `m`'s attempt is the last begun by t. Both
 * return false, with buf "", when the message is never tried again (one attempt says nothing).
 * O(events of the message). */
bool timeaxis_retry_text(const TraceIndex *ix, uint32_t i, char *buf, size_t size);
bool timeaxis_attempt_text(const TraceIndex *ix, int32_t m, int64_t t_us, char *buf, size_t size);

#endif
