/* strpool: string interning (see strpool.h).
 *
 * Invariant: `table` has a power-of-two size, at most half full; a slot holds id+1 (0 = empty).
 * Strings live in chunks that never move, so pointers returned by strpool_get stay valid.
 */
#include "util/strpool.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (256u * 1024u)

typedef struct Chunk {
    struct Chunk *next;
    size_t used, size;
    char data[];
} Chunk;

typedef struct {
    const char *s;
    uint32_t len;
    uint32_t hash;
} Entry;

struct StrPool {
    Entry *entries;
    size_t count, cap;
    uint32_t *table; /* id + 1, 0 = empty */
    size_t table_size;
    Chunk *chunks;
    size_t bytes;
};

/* The table keeps 32 bits of the 64-bit FNV-1a hash: enough to index it and to skip most
 * mismatches before a memcmp. */
static uint32_t hash_of(const char *s, size_t len)
{
    return (uint32_t)hash_bytes(s, len);
}

static char *chunk_alloc(StrPool *pool, size_t n)
{
    Chunk *c = pool->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        c = xmalloc(sizeof *c + size);
        c->next = pool->chunks;
        c->used = 0;
        c->size = size;
        pool->chunks = c;
        pool->bytes += sizeof *c + size;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static void table_insert(uint32_t *table, size_t size, uint32_t hash, uint32_t id)
{
    size_t mask = size - 1, i = hash & mask;
    while (table[i]) {
        i = (i + 1) & mask;
    }
    table[i] = id + 1;
}

static void table_grow(StrPool *pool)
{
    size_t size = pool->table_size ? pool->table_size * 2 : 1024;
    uint32_t *table = xcalloc(size, sizeof *table);
    for (size_t id = 0; id < pool->count; id++) {
        table_insert(table, size, pool->entries[id].hash, (uint32_t)id);
    }
    free(pool->table);
    pool->table = table;
    pool->table_size = size;
}

StrPool *strpool_create(void)
{
    StrPool *pool = xcalloc(1, sizeof *pool);
    table_grow(pool);
    strpool_intern_n(pool, "", 0);
    return pool;
}

void strpool_destroy(StrPool *pool)
{
    if (!pool) {
        return;
    }
    for (Chunk *c = pool->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(pool->entries);
    free(pool->table);
    free(pool);
}

static StrId lookup(const StrPool *pool, const char *s, size_t len, uint32_t hash)
{
    size_t mask = pool->table_size - 1;
    for (size_t i = hash & mask; pool->table[i]; i = (i + 1) & mask) {
        const Entry *e = &pool->entries[pool->table[i] - 1];
        if (e->hash == hash && e->len == len && memcmp(e->s, s, len) == 0) {
            return pool->table[i] - 1;
        }
    }
    return UINT32_MAX;
}

StrId strpool_intern_n(StrPool *pool, const char *s, size_t len)
{
    uint32_t hash = hash_of(s, len);
    StrId found = lookup(pool, s, len, hash);
    if (found != UINT32_MAX) {
        return found;
    }
    if ((pool->count + 1) * 2 > pool->table_size) {
        table_grow(pool);
    }
    if (pool->count == pool->cap) {
        pool->entries = xgrow(pool->entries, &pool->cap, pool->count + 1, sizeof *pool->entries);
    }
    char *copy = chunk_alloc(pool, len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    StrId id = (StrId)pool->count++;
    pool->entries[id] = (Entry){ copy, (uint32_t)len, hash };
    table_insert(pool->table, pool->table_size, hash, id);
    return id;
}

StrId strpool_intern(StrPool *pool, const char *s)
{
    return strpool_intern_n(pool, s, strlen(s));
}

StrId strpool_internf(StrPool *pool, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return STR_EMPTY;
    }
    if ((size_t)n < sizeof small) {
        return strpool_intern_n(pool, small, (size_t)n);
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    StrId id = strpool_intern_n(pool, big, (size_t)n);
    free(big);
    return id;
}

StrId strpool_find(const StrPool *pool, const char *s)
{
    size_t len = strlen(s);
    return lookup(pool, s, len, hash_of(s, len));
}

const char *strpool_get(const StrPool *pool, StrId id)
{
    return id < pool->count ? pool->entries[id].s : "";
}

size_t strpool_len(const StrPool *pool, StrId id)
{
    return id < pool->count ? pool->entries[id].len : 0;
}

uint32_t strpool_count(const StrPool *pool)
{
    return (uint32_t)pool->count;
}

size_t strpool_bytes(const StrPool *pool)
{
    return pool->bytes + pool->cap * sizeof(Entry) + pool->table_size * sizeof(uint32_t);
}
