/* keymap: a multimap from 64-bit keys to 32-bit values (see keymap.h).
 *
 * Linear probing with no removal: the values of one key lie on its probe sequence in the order
 * they were added (an add takes the first empty slot on the sequence, after every earlier value of
 * the key), and the sequence ends at the first empty slot.
 */
#include "model/keymap.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdlib.h>

static size_t home_of(const KeyMap *m, uint64_t key)
{
    return (size_t)hash_u64(key) & (m->cap - 1);
}

static void put(KeyMap *m, uint64_t key, uint32_t value)
{
    size_t mask = m->cap - 1;
    size_t j = home_of(m, key);
    while (m->values[j] != KEYMAP_NONE) {
        j = (j + 1) & mask;
    }
    m->keys[j] = key;
    m->values[j] = value;
}

/* Doubles the table, re-adding every entry. The old table is visited cyclically from just after
 * an empty slot: a key's values lie on one run of full slots, in the order they were added, so
 * they are re-added in that order. */
static void grow(KeyMap *m)
{
    KeyMap old = *m;
    m->cap = old.cap ? 2 * old.cap : 16;
    m->keys = xmalloc(m->cap * sizeof *m->keys);
    m->values = xmalloc(m->cap * sizeof *m->values);
    for (size_t i = 0; i < m->cap; i++) {
        m->values[i] = KEYMAP_NONE;
    }
    if (old.cap == 0) {
        return;
    }
    /* The old table is at most half full, so it has an empty slot: start just after one. */
    size_t start = 0;
    while (old.values[start] != KEYMAP_NONE) {
        start++;
    }
    for (size_t n = 0; n < old.cap; n++) {
        size_t i = (start + 1 + n) & (old.cap - 1);
        if (old.values[i] != KEYMAP_NONE) {
            put(m, old.keys[i], old.values[i]);
        }
    }
    free(old.keys);
    free(old.values);
}

void keymap_add(KeyMap *m, uint64_t key, uint32_t value)
{
    assert(value != KEYMAP_NONE);
    if (2 * (m->count + 1) > m->cap) {
        grow(m);
    }
    put(m, key, value);
    m->count++;
}

uint32_t keymap_next(const KeyMap *m, uint64_t key, size_t *pos)
{
    if (m->cap == 0) {
        return KEYMAP_NONE;
    }
    size_t mask = m->cap - 1;
    size_t home = home_of(m, key);
    for (size_t n = *pos; n < m->cap; n++) {
        size_t j = (home + n) & mask;
        if (m->values[j] == KEYMAP_NONE) {
            *pos = m->cap;
            return KEYMAP_NONE;
        }
        if (m->keys[j] == key) {
            *pos = n + 1;
            return m->values[j];
        }
    }
    *pos = m->cap;
    return KEYMAP_NONE;
}

bool keymap_has(const KeyMap *m, uint64_t key)
{
    size_t pos = 0;
    return keymap_next(m, key, &pos) != KEYMAP_NONE;
}

void keymap_free(KeyMap *m)
{
    free(m->keys);
    free(m->values);
    *m = (KeyMap){ 0 };
}
