/* spanindex: open-interval queries over a static span set (see spanindex.h).
 *
 * Layout: spans sorted by start in one array; `maxend` is a complete binary tree stored
 * heap-style (root 1, children 2i and 2i+1, leaves from `leaves`) whose every node holds the latest
 * end of the spans below it. Spans with start <= t form a prefix [0, p) of the array; the open
 * ones are those in the prefix whose end > t, found by descending only into subtrees whose
 * max end is > t.
 */
#include "view/spanindex.h"

#include "util/xalloc.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>

struct SpanIndex {
    Span *spans;
    size_t count, cap;
    int64_t *maxend; /* 2 * leaves entries; [0] unused */
    size_t leaves;   /* power of two >= count (1 when empty) */
    bool finished;
};

SpanIndex *spanindex_create(void)
{
    SpanIndex *ix = xcalloc(1, sizeof *ix);
    return ix;
}

void spanindex_destroy(SpanIndex *ix)
{
    if (!ix) {
        return;
    }
    free(ix->spans);
    free(ix->maxend);
    free(ix);
}

void spanindex_add(SpanIndex *ix, int64_t start_us, int64_t end_us, uint32_t payload)
{
    assert(!ix->finished);
    if (end_us < start_us) {
        end_us = start_us;
    }
    if (ix->count == ix->cap) {
        ix->spans = xgrow(ix->spans, &ix->cap, ix->count + 1, sizeof *ix->spans);
    }
    ix->spans[ix->count++] = (Span){ start_us, end_us, payload };
}

/* Stable sort by start: merge sort keeps equal starts in insertion order, which callers rely on
 * (events at one instant stay in trace order). */
static void merge_sort(Span *a, Span *tmp, size_t n)
{
    if (n < 2) {
        return;
    }
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    if (a[h - 1].start_us <= a[h].start_us) {
        return; /* already in order: common, since traces append in time order */
    }
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        tmp[k++] = a[j].start_us < a[i].start_us ? a[j++] : a[i++];
    }
    while (i < h) {
        tmp[k++] = a[i++];
    }
    while (j < n) {
        tmp[k++] = a[j++];
    }
    for (size_t m = 0; m < n; m++) {
        a[m] = tmp[m];
    }
}

void spanindex_finish(SpanIndex *ix)
{
    assert(!ix->finished);
    ix->finished = true;
    if (ix->count > 1) {
        Span *tmp = xmalloc(ix->count * sizeof *tmp);
        merge_sort(ix->spans, tmp, ix->count);
        free(tmp);
    }
    ix->leaves = 1;
    while (ix->leaves < ix->count) {
        ix->leaves *= 2;
    }
    ix->maxend = xmalloc(2 * ix->leaves * sizeof *ix->maxend);
    for (size_t i = 0; i < ix->leaves; i++) {
        ix->maxend[ix->leaves + i] = i < ix->count ? ix->spans[i].end_us : INT64_MIN;
    }
    for (size_t i = ix->leaves - 1; i >= 1; i--) {
        int64_t l = ix->maxend[2 * i], r = ix->maxend[2 * i + 1];
        ix->maxend[i] = l > r ? l : r;
    }
}

size_t spanindex_count(const SpanIndex *ix)
{
    return ix->count;
}

const Span *spanindex_at(const SpanIndex *ix, size_t i)
{
    assert(i < ix->count);
    return &ix->spans[i];
}

/* Number of spans with start <= t. */
static size_t prefix_len(const SpanIndex *ix, int64_t t_us)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->spans[mid].start_us <= t_us) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

typedef struct {
    const SpanIndex *ix;
    int64_t t_us;
    size_t prefix;
    const Span **out;
    size_t cap, found;
} Query;

/* Visits tree node `node` covering leaves [lo, lo + width). */
static void visit(Query *q, size_t node, size_t lo, size_t width)
{
    if (lo >= q->prefix || q->ix->maxend[node] <= q->t_us) {
        return;
    }
    if (width == 1) {
        const Span *s = &q->ix->spans[lo];
        if (s->end_us > q->t_us) {
            if (q->found < q->cap) {
                q->out[q->found] = s;
            }
            q->found++;
        }
        return;
    }
    visit(q, 2 * node, lo, width / 2);
    visit(q, 2 * node + 1, lo + width / 2, width / 2);
}

size_t spanindex_query(const SpanIndex *ix, int64_t t_us, const Span **out, size_t cap)
{
    assert(ix->finished);
    if (ix->count == 0) {
        return 0;
    }
    Query q = { ix, t_us, prefix_len(ix, t_us), out, cap, 0 };
    /* Zero-length spans are "open" only at their own instant; the tree prunes on end > t, so
     * look at them separately: they sit at the end of the prefix with start == t. */
    visit(&q, 1, 0, ix->leaves);
    for (size_t i = q.prefix; i > 0; i--) {
        const Span *s = &ix->spans[i - 1];
        if (s->start_us != t_us) {
            break;
        }
        if (s->end_us == t_us) {
            if (q.found < cap) {
                out[q.found] = s;
            }
            q.found++;
        }
    }
    return q.found;
}

int64_t spanindex_open_until(const SpanIndex *ix, int64_t t_us)
{
    assert(ix->finished);
    size_t p = prefix_len(ix, t_us);
    if (p == 0) {
        return INT64_MIN;
    }
    /* Max over leaves [0, p): walk the bottom-up segment query. */
    int64_t best = INT64_MIN;
    size_t lo = ix->leaves, hi = ix->leaves + p; /* half-open */
    while (lo < hi) {
        if (lo & 1) {
            best = ix->maxend[lo] > best ? ix->maxend[lo] : best;
            lo++;
        }
        if (hi & 1) {
            hi--;
            best = ix->maxend[hi] > best ? ix->maxend[hi] : best;
        }
        lo /= 2;
        hi /= 2;
    }
    return best > t_us ? best : INT64_MIN;
}
