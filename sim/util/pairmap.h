/* pairmap: unordered pairs of node indices -> a uint32 value, in an open-addressing hash table.
 * {a, b} and {b, a} are the same pair. The loader's duplicate-link check, the world's implicit
 * links and the simulation's link look-up all ask "which link joins these two nodes?" once per
 * link or per packet, so each answer is O(1) (a scan of the links made large files take minutes).
 *
 * Owns its arrays; a zeroed PairMap is empty and ready. Grows as needed, at most half full. */
#ifndef MAILSIM_PAIRMAP_H
#define MAILSIM_PAIRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t *keys;   /* (min << 32 | max) + 1; 0 = an empty slot */
    uint32_t *values;
    size_t cap, count;
} PairMap;

/* The value stored for {a, b}, or -1. a and b are >= 0. */
int64_t pairmap_get(const PairMap *m, int32_t a, int32_t b);
/* Stores value for {a, b} unless the pair is there already; returns false (keeping the first
 * value) when it was. */
bool pairmap_add(PairMap *m, int32_t a, int32_t b, uint32_t value);
/* Frees the arrays and leaves m empty. */
void pairmap_free(PairMap *m);

#endif
