/* keymap: 64-bit keys -> 32-bit values in one open-addressing hash table (linear probing), for
 * the model's look-ups that must not scan a list once per message or query: the domains an
 * incoming server serves, an outgoing server's local domains, the names of a NameSet
 * (model/nameset.h). The key is mixed with hash_u64, so small ids and string hashes both spread.
 *
 * A key may hold several values: a caller that keys by a hash of a string adds one value per
 * string and, on look-up, walks every value of the key (keymap_next) and checks each one, so two
 * strings with the same hash are both found. There is no removal.
 * Owns its arrays; a zeroed KeyMap is empty and ready. Grows as needed, at most half full.
 */
#ifndef MAILSIM_KEYMAP_H
#define MAILSIM_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No value: what keymap_next returns past the last value of a key. Never stored. */
#define KEYMAP_NONE UINT32_MAX

typedef struct {
    uint64_t *keys;
    uint32_t *values; /* KEYMAP_NONE = an empty slot */
    size_t cap, count;
} KeyMap;

/* Adds value (not KEYMAP_NONE) under key, after any values the key holds already. */
void keymap_add(KeyMap *m, uint64_t key, uint32_t value);
/* The values of key, one per call, in the order they were added: start with *pos = 0 and call
 * until KEYMAP_NONE. Adding to m restarts nothing: finish a walk before adding. */
uint32_t keymap_next(const KeyMap *m, uint64_t key, size_t *pos);
/* True when key holds at least one value. */
bool keymap_has(const KeyMap *m, uint64_t key);
/* Frees the arrays and leaves m empty. */
void keymap_free(KeyMap *m);

#endif
