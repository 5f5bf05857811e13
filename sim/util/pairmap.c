/* pairmap: unordered node pairs -> values (see pairmap.h).
 *
 * Invariant: cap is 0 or a power of two, count * 2 <= cap; linear probing from hash_u64(key);
 * nothing is ever removed, so a probe ends at the key or at the first empty slot. */
#include "util/pairmap.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <stdlib.h>

static uint64_t pair_key(int32_t a, int32_t b)
{
    uint32_t lo = (uint32_t)(a < b ? a : b), hi = (uint32_t)(a < b ? b : a);
    return ((uint64_t)lo << 32 | hi) + 1;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const PairMap *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    size_t j = (size_t)hash_u64(key) & mask;
    while (m->keys[j] && m->keys[j] != key) {
        j = (j + 1) & mask;
    }
    return j;
}

int64_t pairmap_get(const PairMap *m, int32_t a, int32_t b)
{
    if (m->cap == 0) {
        return -1;
    }
    size_t j = slot_of(m, pair_key(a, b));
    return m->keys[j] ? (int64_t)m->values[j] : -1;
}

static void grow(PairMap *m)
{
    PairMap bigger = { 0 };
    bigger.cap = m->cap ? 2 * m->cap : 64;
    bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
    bigger.values = xmalloc(bigger.cap * sizeof *bigger.values);
    bigger.count = m->count;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            size_t j = slot_of(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.values[j] = m->values[i];
        }
    }
    pairmap_free(m);
    *m = bigger;
}

bool pairmap_add(PairMap *m, int32_t a, int32_t b, uint32_t value)
{
    if (2 * (m->count + 1) > m->cap) {
        grow(m);
    }
    uint64_t key = pair_key(a, b);
    size_t j = slot_of(m, key);
    if (m->keys[j]) {
        return false;
    }
    m->keys[j] = key;
    m->values[j] = value;
    m->count++;
    return true;
}

void pairmap_free(PairMap *m)
{
    free(m->keys);
    free(m->values);
    *m = (PairMap){ 0 };
}
