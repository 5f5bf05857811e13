/* strpool: string interning.
 *
 * Owns copies of every string handed to it and gives each distinct string a small integer id, so
 * records elsewhere (trace events, world tables) hold 4-byte ids instead of pointers and equal
 * strings compare by id. Strings are stored back to back in large chunks (no malloc per string);
 * the table is open addressing on FNV-1a hashes. Id 0 is always the empty string "".
 */
#ifndef MAILSIM_STRPOOL_H
#define MAILSIM_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t StrId;
typedef struct StrPool StrPool;

#define STR_EMPTY ((StrId)0)

/* Never returns NULL. */
StrPool *strpool_create(void);
/* Frees the pool and every string it holds; strpool_destroy(NULL) is a no-op. */
void strpool_destroy(StrPool *pool);

/* Interns `len` bytes at `s` (need not be NUL-terminated; must not contain NUL) and returns its
 * id; the same bytes always get the same id. */
StrId strpool_intern_n(StrPool *pool, const char *s, size_t len);
StrId strpool_intern(StrPool *pool, const char *s);
/* printf-style intern. */
StrId strpool_internf(StrPool *pool, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Looks a string up without adding it: its id, or UINT32_MAX when absent. */
StrId strpool_find(const StrPool *pool, const char *s);

/* The string for `id` (valid until the pool is destroyed; ids are never invalidated). */
const char *strpool_get(const StrPool *pool, StrId id);
size_t strpool_len(const StrPool *pool, StrId id);

/* Number of distinct strings, and the bytes the pool holds (for memory accounting). */
uint32_t strpool_count(const StrPool *pool);
size_t strpool_bytes(const StrPool *pool);

#endif
