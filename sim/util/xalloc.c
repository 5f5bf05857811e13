/* xalloc: allocation wrappers that abort on exhaustion (see xalloc.h). */
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die_oom(size_t size)
{
    fprintf(stderr, "mailsim: out of memory (asked for %zu bytes)\n", size);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        die_oom(size);
    }
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        die_oom(count * size);
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) {
        die_oom(size);
    }
    return p;
}

void *xgrow(void *ptr, size_t *cap, size_t min_cap, size_t item_size)
{
    size_t n = *cap ? *cap : 8;
    while (n < min_cap) {
        if (n > SIZE_MAX / 2) {
            die_oom(SIZE_MAX);
        }
        n *= 2;
    }
    if (n > SIZE_MAX / item_size) {
        die_oom(SIZE_MAX);
    }
    *cap = n;
    return xrealloc(ptr, n * item_size);
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}
