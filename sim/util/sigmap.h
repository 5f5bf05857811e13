/* sigmap: signatures (a 128-bit key, two uint64 words a caller packs its fields into) -> a
 * uint32 value, in an open-addressing hash table keyed with hash_u64 (util/hash.h). The caption
 * rules and the expect checker group what they look for by signature (kind, message, code, node
 * ...) and, for each trace event, look up the few signatures the event could match: so each event
 * costs a handful of look-ups, however many rules or expectations a scenario holds.
 *
 * Owns its arrays; a zeroed SigMap is empty and ready. Grows as needed, at most half full. There
 * is no removal, and no iteration, so nothing a caller writes can depend on the table's layout. */
#ifndef MAILSIM_SIGMAP_H
#define MAILSIM_SIGMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t hi, lo;
} Sig;

/* What sigmap_get returns for a signature that is not there. Never stored. */
#define SIGMAP_NONE UINT32_MAX

typedef struct {
    Sig *keys;
    uint32_t *values; /* SIGMAP_NONE = an empty slot */
    size_t cap, count;
} SigMap;

/* The value stored for key, or SIGMAP_NONE. */
uint32_t sigmap_get(const SigMap *m, Sig key);
/* The value stored for key; when there is none, stores `value` (not SIGMAP_NONE) and returns it. */
uint32_t sigmap_get_or_add(SigMap *m, Sig key, uint32_t value);
/* Frees the arrays and leaves m empty. */
void sigmap_free(SigMap *m);

#endif
