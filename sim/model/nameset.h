/* nameset: a set of DNS names that answers "is this name, or a name it lies under, in the set?"
 * in time linear in the length of the name asked about, whatever the size of the set: the URI
 * blocklist and the suspicious top-level domains of a spam filter (model/spamfilter.h), and the
 * domains with scripted DNS failures (model/dns.h). "mx.b.example" lies under "b.example" and
 * "example" (RFC 1034 §3.1: the names after each dot).
 *
 * Each name added gets a dense index (0, 1, 2 ... in order of first addition; adding a name again
 * gives its index back), which a caller uses to keep its own data per name. Names compare byte
 * for byte, or without regard to ASCII case (RFC 4343) when the set is made with fold_case.
 * Owns its arrays; names are StrIds of the caller's pool, which must outlive the set.
 * Pointers are not kept between calls: a NameSet may be moved.
 */
#ifndef MAILSIM_NAMESET_H
#define MAILSIM_NAMESET_H

#include "model/keymap.h"
#include "util/strpool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Not a name of the set. */
#define NAMESET_NONE UINT32_MAX

typedef struct {
    const StrPool *sp;
    bool fold_case;
    KeyMap by_hash;   /* name hash (see nameset.c) -> index */
    StrId *names;     /* by index */
    uint32_t count, cap;
    size_t max_len;   /* the longest name's length: no longer suffix can be in the set */
} NameSet;

/* An empty set of names from `sp`. */
void nameset_init(NameSet *s, const StrPool *sp, bool fold_case);
void nameset_free(NameSet *s);

/* Adds `name` (if it is not there yet) and returns its index. */
uint32_t nameset_add(NameSet *s, StrId name);
/* The index of the `len` bytes at `name` (need not be NUL-terminated), or NAMESET_NONE. */
uint32_t nameset_find(const NameSet *s, const char *name, size_t len);

/* Calls visit(ctx, index) for each name of the set that the `len` bytes at `name` are, or lie
 * under: the shortest first ("example", then "b.example", then "mx.b.example"). Stops early
 * when visit returns false. Returns the number of calls. */
uint32_t nameset_each_zone(const NameSet *s, const char *name, size_t len,
                           bool (*visit)(void *ctx, uint32_t index), void *ctx);

static inline StrId nameset_name(const NameSet *s, uint32_t index)
{
    return s->names[index];
}

#endif
