/* test_pairmap: unordered node pairs -> values (sim/util/pairmap.h), which the loader's
 * duplicate-link check, the world's implicit links and the simulation's link look-up share.
 *
 * {a, b} and {b, a} are one pair; adding a pair that is there keeps the first value; a zeroed map
 * is empty; growth keeps every pair (checked against a naive twin over 20 000 random pairs);
 * free leaves an empty, reusable map. */
#include "test.h"
#include "util/pairmap.h"

#include <stdlib.h>

static void pairmap_should_treat_a_pair_in_either_order_as_one(void)
{
    PairMap m = { 0 };
    CHECK_EQ_INT(pairmap_get(&m, 1, 2), -1);
    CHECK(pairmap_add(&m, 1, 2, 7));
    CHECK_EQ_INT(pairmap_get(&m, 1, 2), 7);
    CHECK_EQ_INT(pairmap_get(&m, 2, 1), 7);
    CHECK(!pairmap_add(&m, 2, 1, 9)); /* already there: the first value stays */
    CHECK_EQ_INT(pairmap_get(&m, 1, 2), 7);
    CHECK_EQ_INT(pairmap_get(&m, 1, 3), -1);
    CHECK(pairmap_add(&m, 0, 0, 0)); /* node 0 with itself, value 0: both are valid */
    CHECK_EQ_INT(pairmap_get(&m, 0, 0), 0);
    CHECK_EQ_INT(m.count, 2);
    pairmap_free(&m);
    CHECK_EQ_INT(pairmap_get(&m, 1, 2), -1);
    CHECK(pairmap_add(&m, 1, 2, 3)); /* reusable after free */
    CHECK_EQ_INT(pairmap_get(&m, 2, 1), 3);
    pairmap_free(&m);
}

static void pairmap_should_keep_every_pair_while_it_grows(void)
{
    enum { N = 20000 };
    static int32_t a[N], b[N];
    PairMap m = { 0 };
    uint32_t x = 12345;
    int added = 0;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        a[i] = (int32_t)(x >> 8) % 5000;
        x = x * 1103515245u + 12345u;
        b[i] = (int32_t)(x >> 8) % 5000;
        /* The naive twin: was this pair seen before? */
        int first = -1;
        for (int j = 0; j < i && first < 0; j++) {
            if ((a[j] == a[i] && b[j] == b[i]) || (a[j] == b[i] && b[j] == a[i])) {
                first = j;
            }
        }
        CHECK_EQ_INT(pairmap_add(&m, a[i], b[i], (uint32_t)i), first < 0);
        added += first < 0;
    }
    CHECK_EQ_INT(m.count, added);
    CHECK(m.cap >= 2 * m.count);
    for (int i = 0; i < N; i++) {
        int64_t v = pairmap_get(&m, b[i], a[i]);
        CHECK(v >= 0 && v <= i);
        CHECK((a[v] == a[i] && b[v] == b[i]) || (a[v] == b[i] && b[v] == a[i]));
    }
    pairmap_free(&m);
}

RUN_TESTS(TEST_CASE(pairmap_should_treat_a_pair_in_either_order_as_one),
          TEST_CASE(pairmap_should_keep_every_pair_while_it_grows))
