/* idmap: string ids (StrId, util/strpool.h) -> a non-negative int32 index, in an open-addressing
 * hash table keyed with hash_u64 (util/hash.h). The scenario loader (node, client, message and
 * mailbox look-ups) and the JSONL trace reader (node and message names) turn a name into an
 * index once per reference, so each answer is O(1) however many names a file holds.
 *
 * Owns its arrays; a zeroed IdMap is empty and ready. Grows as needed, at most half full. Holds
 * no strings and knows no pool: the ids are only numbers to it. Does not iterate, so nothing a
 * caller writes can depend on the table's layout. */
#ifndef MAILSIM_IDMAP_H
#define MAILSIM_IDMAP_H

#include "util/strpool.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t *keys;  /* id + 1; 0 = an empty slot */
    int32_t *values;
    size_t cap, count;
} IdMap;

/* The index stored for id, or -1. UINT32_MAX (strpool_find's "not in the pool") is never stored,
 * so looking up a strpool_find result needs no check first. */
int32_t idmap_get(const IdMap *m, StrId id);
/* Stores index (>= 0) for id, replacing what was there. id must not be UINT32_MAX. */
void idmap_set(IdMap *m, StrId id, int32_t index);
/* Frees the arrays and leaves m empty. */
void idmap_free(IdMap *m);

#endif
