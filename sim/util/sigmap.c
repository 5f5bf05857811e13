/* sigmap: 128-bit signatures -> uint32 (see sigmap.h).
 *
 * Invariant: cap is 0 or a power of two, count * 2 <= cap; linear probing from the hash of both
 * words; nothing is ever removed, so a probe ends at the key or at the first empty slot. */
#include "util/sigmap.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>

#define SIGMAP_MIN_CAP 64u

static bool sig_equal(Sig a, Sig b)
{
    return a.hi == b.hi && a.lo == b.lo;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const SigMap *m, Sig key)
{
    size_t mask = m->cap - 1, j = (size_t)hash_u64(hash_u64(key.hi) ^ key.lo) & mask;
    while (m->values[j] != SIGMAP_NONE && !sig_equal(m->keys[j], key)) {
        j = (j + 1) & mask;
    }
    return j;
}

uint32_t sigmap_get(const SigMap *m, Sig key)
{
    if (m->cap == 0) {
        return SIGMAP_NONE;
    }
    return m->values[slot_of(m, key)];
}

static void grow(SigMap *m)
{
    SigMap bigger = { 0 };
    bigger.cap = m->cap ? 2 * m->cap : SIGMAP_MIN_CAP;
    bigger.keys = xmalloc(bigger.cap * sizeof *bigger.keys);
    bigger.values = xmalloc(bigger.cap * sizeof *bigger.values);
    for (size_t i = 0; i < bigger.cap; i++) {
        bigger.values[i] = SIGMAP_NONE;
    }
    bigger.count = m->count;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->values[i] != SIGMAP_NONE) {
            size_t j = slot_of(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.values[j] = m->values[i];
        }
    }
    sigmap_free(m);
    *m = bigger;
}

uint32_t sigmap_get_or_add(SigMap *m, Sig key, uint32_t value)
{
    assert(value != SIGMAP_NONE);
    if (2 * (m->count + 1) > m->cap) {
        grow(m);
    }
    size_t j = slot_of(m, key);
    if (m->values[j] == SIGMAP_NONE) {
        m->keys[j] = key;
        m->values[j] = value;
        m->count++;
    }
    return m->values[j];
}

void sigmap_free(SigMap *m)
{
    free(m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->cap = m->count = 0;
}
