/* test_idmap: string ids -> indices (sim/util/idmap.h), which the scenario loader and the JSONL
 * trace reader share.
 *
 * A zeroed map is empty; setting an id again replaces its index; UINT32_MAX (strpool_find's "not
 * there") is never found; growth keeps every id (checked against a naive twin, a linear list of
 * the ids and their latest index, over many random sets and look-ups); free leaves an empty,
 * reusable map. */
#include "test.h"
#include "util/idmap.h"

#include <stdlib.h>

static void idmap_should_find_what_was_set_and_nothing_else(void)
{
    IdMap m = { 0 };
    CHECK_EQ_INT(idmap_get(&m, 0), -1);
    CHECK_EQ_INT(idmap_get(&m, UINT32_MAX), -1);
    idmap_set(&m, 0, 0); /* id 0 (the empty string) with index 0: both are valid */
    idmap_set(&m, 7, 3);
    CHECK_EQ_INT(idmap_get(&m, 0), 0);
    CHECK_EQ_INT(idmap_get(&m, 7), 3);
    CHECK_EQ_INT(idmap_get(&m, 8), -1);
    CHECK_EQ_INT(idmap_get(&m, UINT32_MAX), -1);
    CHECK_EQ_INT(idmap_get(&m, UINT32_MAX - 1), -1);
    CHECK_EQ_INT(m.count, 2);
    idmap_free(&m);
    CHECK_EQ_INT(idmap_get(&m, 7), -1);
    idmap_set(&m, 7, 9); /* reusable after free */
    CHECK_EQ_INT(idmap_get(&m, 7), 9);
    idmap_free(&m);
}

static void idmap_should_replace_the_index_of_an_id_set_again(void)
{
    IdMap m = { 0 };
    idmap_set(&m, 42, 1);
    idmap_set(&m, 42, 5);
    CHECK_EQ_INT(idmap_get(&m, 42), 5);
    CHECK_EQ_INT(m.count, 1);
    idmap_set(&m, UINT32_MAX - 1, 2); /* the largest id a map can hold */
    CHECK_EQ_INT(idmap_get(&m, UINT32_MAX - 1), 2);
    idmap_free(&m);
}

/* The naive twin: ids and their latest index, found by a linear search. */
typedef struct {
    StrId id[20000];
    int32_t index[20000];
    int count;
} Twin;

static int32_t twin_get(const Twin *t, StrId id)
{
    for (int i = 0; i < t->count; i++) {
        if (t->id[i] == id) {
            return t->index[i];
        }
    }
    return -1;
}

static void twin_set(Twin *t, StrId id, int32_t index)
{
    for (int i = 0; i < t->count; i++) {
        if (t->id[i] == id) {
            t->index[i] = index;
            return;
        }
    }
    t->id[t->count] = id;
    t->index[t->count] = index;
    t->count++;
}

static uint32_t next(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

static void idmap_should_agree_with_a_naive_twin_while_it_grows(void)
{
    enum { N = 20000 };
    static Twin twin;
    IdMap m = { 0 };
    uint32_t x = 2024;
    int mismatches = 0;
    twin.count = 0;
    for (int i = 0; i < N; i++) {
        /* Small ids repeat (replacements); some ids are large and sparse, as in a busy pool. */
        StrId id = next(&x) % 4 == 0 ? next(&x) * 977u : next(&x) % 8000;
        int32_t index = (int32_t)(next(&x) % 100000);
        idmap_set(&m, id, index);
        twin_set(&twin, id, index);
        StrId probe = next(&x) % 2 ? id ^ (next(&x) % 16) : next(&x) * 131u;
        mismatches += idmap_get(&m, probe) != twin_get(&twin, probe);
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(m.count, twin.count);
    CHECK(m.cap >= 2 * m.count);
    int lost = 0;
    for (int i = 0; i < twin.count; i++) {
        lost += idmap_get(&m, twin.id[i]) != twin.index[i];
    }
    CHECK_EQ_INT(lost, 0);
    idmap_free(&m);
}

RUN_TESTS(TEST_CASE(idmap_should_find_what_was_set_and_nothing_else),
          TEST_CASE(idmap_should_replace_the_index_of_an_id_set_again),
          TEST_CASE(idmap_should_agree_with_a_naive_twin_while_it_grows))
