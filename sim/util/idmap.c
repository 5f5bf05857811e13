/* idmap: StrId -> index (see idmap.h).
 *
 * Invariant: cap is 0 or a power of two, count * 2 <= cap; linear probing from hash_u64(key);
 * nothing is ever removed, so a probe ends at the key or at the first empty slot. */
#include "util/idmap.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdlib.h>

#define IDMAP_MIN_CAP 64u

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const IdMap *m, uint32_t key)
{
    size_t mask = m->cap - 1, j = (size_t)hash_u64(key) & mask;
    while (m->keys[j] && m->keys[j] != key) {
        j = (j + 1) & mask;
    }
    return j;
}

int32_t idmap_get(const IdMap *m, StrId id)
{
    if (m->cap == 0 || id == UINT32_MAX) {
        return -1;
    }
    size_t j = slot_of(m, id + 1);
    return m->keys[j] ? m->values[j] : -1;
}

static void grow(IdMap *m)
{
    IdMap bigger = { 0 };
    bigger.cap = m->cap ? 2 * m->cap : IDMAP_MIN_CAP;
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
    idmap_free(m);
    *m = bigger;
}

void idmap_set(IdMap *m, StrId id, int32_t index)
{
    assert(id != UINT32_MAX && index >= 0);
    if (2 * (m->count + 1) > m->cap) {
        grow(m);
    }
    size_t j = slot_of(m, id + 1);
    if (!m->keys[j]) {
        m->keys[j] = id + 1;
        m->count++;
    }
    m->values[j] = index;
}

void idmap_free(IdMap *m)
{
    free(m->keys);
    free(m->values);
    *m = (IdMap){ 0 };
}
