/* spanindex: "which intervals are open at time t?" answered in O((k + 1) log n).
 *
 * Owns: a static set of half-open time intervals [start, end) each carrying a 32-bit payload,
 * sorted by start, and an implicit max-end tree over them. The player uses one for every
 * travelling trace event (what is in flight now) and one per node for messages resting there.
 * Does not own: the payloads' meaning (event indices, message indices: the caller decides).
 *
 * Build once (add every span, then spanindex_finish), query many times; it is never edited after
 * finishing. A query visits only subtrees whose latest end is after t, so a seek in a trace with
 * millions of past intervals costs the log of their number plus the number still open.
 */
#ifndef MAILSIM_SPANINDEX_H
#define MAILSIM_SPANINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t start_us, end_us; /* half-open: open at t when start <= t < end */
    uint32_t payload;
} Span;

typedef struct SpanIndex SpanIndex;

/* Never returns NULL. */
SpanIndex *spanindex_create(void);
/* spanindex_destroy(NULL) is a no-op. */
void spanindex_destroy(SpanIndex *ix);

/* Adds a span (any order; end < start is treated as empty). Only before spanindex_finish. */
void spanindex_add(SpanIndex *ix, int64_t start_us, int64_t end_us, uint32_t payload);
/* Sorts by (start, insertion order) and builds the tree. Call once, after the last add. */
void spanindex_finish(SpanIndex *ix);

size_t spanindex_count(const SpanIndex *ix);
/* The i-th span in start order. */
const Span *spanindex_at(const SpanIndex *ix, size_t i);

/* Writes up to `cap` spans open at t into `out` (in start order) and returns how many are open
 * in total (which may exceed cap: the caller can aggregate). `out` may be NULL when cap is 0. */
size_t spanindex_query(const SpanIndex *ix, int64_t t_us, const Span **out, size_t cap);

/* The latest end among spans open at t, or INT64_MIN when none is open. */
int64_t spanindex_open_until(const SpanIndex *ix, int64_t t_us);

#endif
