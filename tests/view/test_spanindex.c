/* test_spanindex: the open-interval index against a naive twin (a linear scan) on random sets,
 * plus the edge cases: empty, zero-length spans, equal starts, the cap. */
#include "test.h"

#include "view/spanindex.h"

#include <stdbool.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct {
    int64_t a, b;
    uint32_t payload;
} Naive;

static size_t naive_open(const Naive *s, size_t n, int64_t t, int64_t *latest)
{
    size_t k = 0;
    *latest = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        bool open = (s[i].a <= t && t < s[i].b) || (s[i].a == s[i].b && s[i].a == t);
        if (open) {
            k++;
            *latest = s[i].b > *latest && s[i].b > t ? s[i].b : *latest;
        }
    }
    return k;
}

static bool contains_payload(const Span **out, size_t n, uint32_t p)
{
    for (size_t i = 0; i < n; i++) {
        if (out[i]->payload == p) {
            return true;
        }
    }
    return false;
}

static void spanindex_should_match_a_linear_scan_on_random_spans(void)
{
    for (int round = 0; round < 20; round++) {
        size_t n = 1 + next_rand() % 3000;
        Naive *naive = malloc(n * sizeof *naive);
        SpanIndex *ix = spanindex_create();
        for (size_t i = 0; i < n; i++) {
            int64_t a = (int64_t)(next_rand() % 100000);
            int64_t len = next_rand() % 4 == 0 ? 0 : (int64_t)(next_rand() % (round % 2 ? 50 : 20000));
            naive[i] = (Naive){ a, a + len, (uint32_t)i };
            spanindex_add(ix, a, a + len, (uint32_t)i);
        }
        spanindex_finish(ix);
        const Span **out = malloc(n * sizeof *out);
        for (int q = 0; q < 300; q++) {
            int64_t t = (int64_t)(next_rand() % 110000) - 5000;
            if (q % 7 == 0) {
                t = naive[next_rand() % n].a; /* hit starts and zero-length spans exactly */
            }
            int64_t latest;
            size_t want = naive_open(naive, n, t, &latest);
            size_t got = spanindex_query(ix, t, out, n);
            CHECK_EQ_INT(got, want);
            for (size_t i = 0; i < got && i < n; i++) {
                const Naive *s = &naive[out[i]->payload];
                CHECK((s->a <= t && t < s->b) || (s->a == s->b && s->a == t));
            }
            for (size_t i = 1; i < got; i++) {
                CHECK(out[i - 1]->start_us <= out[i]->start_us);
            }
            CHECK_EQ_INT(spanindex_open_until(ix, t), latest);
        }
        free(out);
        free(naive);
        spanindex_destroy(ix);
    }
}

static void spanindex_should_count_beyond_the_cap(void)
{
    SpanIndex *ix = spanindex_create();
    for (uint32_t i = 0; i < 100; i++) {
        spanindex_add(ix, 10, 20, i);
    }
    spanindex_finish(ix);
    const Span *out[5];
    CHECK_EQ_INT(spanindex_query(ix, 15, out, 5), 100);
    CHECK_EQ_INT(spanindex_query(ix, 15, NULL, 0), 100);
    CHECK_EQ_INT(spanindex_query(ix, 20, out, 5), 0); /* half-open */
    CHECK_EQ_INT(spanindex_query(ix, 9, out, 5), 0);
    spanindex_destroy(ix);
}

static void spanindex_should_keep_insertion_order_for_equal_starts(void)
{
    SpanIndex *ix = spanindex_create();
    spanindex_add(ix, 5, 9, 2);
    spanindex_add(ix, 1, 9, 0);
    spanindex_add(ix, 5, 9, 3);
    spanindex_add(ix, 1, 9, 1);
    spanindex_finish(ix);
    const Span *out[4];
    CHECK_EQ_INT(spanindex_query(ix, 6, out, 4), 4);
    for (uint32_t i = 0; i < 4; i++) {
        CHECK_EQ_INT(out[i]->payload, i);
    }
    CHECK(contains_payload(out, 4, 3));
    spanindex_destroy(ix);
}

static void spanindex_should_answer_nothing_when_empty(void)
{
    SpanIndex *ix = spanindex_create();
    spanindex_finish(ix);
    CHECK_EQ_INT(spanindex_query(ix, 0, NULL, 0), 0);
    CHECK_EQ_INT(spanindex_open_until(ix, 0), INT64_MIN);
    CHECK_EQ_INT(spanindex_count(ix), 0);
    spanindex_destroy(ix);
    spanindex_destroy(NULL);
}

RUN_TESTS(TEST_CASE(spanindex_should_match_a_linear_scan_on_random_spans),
          TEST_CASE(spanindex_should_count_beyond_the_cap),
          TEST_CASE(spanindex_should_keep_insertion_order_for_equal_starts),
          TEST_CASE(spanindex_should_answer_nothing_when_empty))
