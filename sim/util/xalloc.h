/* xalloc: the one place out-of-memory is handled. Every allocation in mailsim goes through these;
 * on failure they print one line and abort, so callers never test for NULL
 * (docs/design/house-style.md). */
#ifndef MAILSIM_XALLOC_H
#define MAILSIM_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows *cap (doubling, at least `min_cap`) and reallocates `ptr` to hold *cap items of
 * `item_size` bytes. Returns the new pointer. */
void *xgrow(void *ptr, size_t *cap, size_t min_cap, size_t item_size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
