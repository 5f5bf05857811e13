/* nameset: DNS names with look-up of a name and of every name it lies under (see nameset.h).
 *
 * A name's hash is built label by label from the right: h = hash_u64(h ^ hash_bytes(label)),
 * starting from h = 0 and taking the labels from the last to the first. So walking a name from
 * its end gives the hash of each of its suffixes that starts after a dot, in one pass: asking
 * about a name costs its length plus one table probe per label, never the size of the set.
 * With fold_case the labels are hashed lower-cased. Equal hashes are confirmed by comparing the
 * bytes (KeyMap keeps every index of a shared hash).
 */
#include "model/nameset.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static uint64_t fold_label(const NameSet *s, uint64_t h, const char *label, size_t len)
{
    uint64_t lh = HASH_FNV_OFFSET;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s->fold_case ? lower((unsigned char)label[i]) : (unsigned char)label[i];
        lh = hash_bytes_from(lh, &c, 1);
    }
    return hash_u64(h ^ lh);
}

/* Calls step(s, hash, suffix, suffix_len, ctx) for each suffix of name that starts at the name's
 * start or just after a dot, shortest first, stopping past max_len or when step returns false. */
typedef bool (*SuffixStep)(const NameSet *s, uint64_t hash, const char *suffix, size_t len,
                           void *ctx);

static void each_suffix(const NameSet *s, const char *name, size_t len, size_t max_len,
                        SuffixStep step, void *ctx)
{
    uint64_t h = 0;
    size_t end = len; /* end of the label that begins at `start` */
    for (size_t start = len + 1; start-- > 0;) {
        if (start > 0 && name[start - 1] != '.') {
            continue;
        }
        h = fold_label(s, h, name + start, end - start);
        if (len - start > max_len || !step(s, h, name + start, len - start, ctx)) {
            return;
        }
        end = start - 1; /* the dot before this label (unused once start is 0) */
    }
}

static bool same_bytes(const NameSet *s, const char *a, const char *b, size_t len)
{
    if (!s->fold_case) {
        return memcmp(a, b, len) == 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

/* The index of the name with this hash and these bytes, or NAMESET_NONE. */
static uint32_t lookup(const NameSet *s, uint64_t hash, const char *name, size_t len)
{
    size_t pos = 0;
    for (uint32_t i; (i = keymap_next(&s->by_hash, hash, &pos)) != KEYMAP_NONE;) {
        StrId id = s->names[i];
        if (strpool_len(s->sp, id) == len && same_bytes(s, strpool_get(s->sp, id), name, len)) {
            return i;
        }
    }
    return NAMESET_NONE;
}

void nameset_init(NameSet *s, const StrPool *sp, bool fold_case)
{
    *s = (NameSet){ .sp = sp, .fold_case = fold_case };
}

void nameset_free(NameSet *s)
{
    keymap_free(&s->by_hash);
    free(s->names);
    *s = (NameSet){ 0 };
}

/* The whole name's hash: the last suffix each_suffix visits. */
static bool keep_hash(const NameSet *s, uint64_t hash, const char *suffix, size_t len, void *ctx)
{
    (void)s;
    (void)suffix;
    (void)len;
    *(uint64_t *)ctx = hash;
    return true;
}

static uint64_t name_hash(const NameSet *s, const char *name, size_t len)
{
    uint64_t h = 0;
    each_suffix(s, name, len, SIZE_MAX, keep_hash, &h);
    return h;
}

uint32_t nameset_add(NameSet *s, StrId name)
{
    const char *text = strpool_get(s->sp, name);
    size_t len = strpool_len(s->sp, name);
    uint64_t h = name_hash(s, text, len);
    uint32_t found = lookup(s, h, text, len);
    if (found != NAMESET_NONE) {
        return found;
    }
    if (s->count == s->cap) {
        size_t cap = s->cap;
        s->names = xgrow(s->names, &cap, (size_t)s->count + 1, sizeof *s->names);
        s->cap = (uint32_t)cap;
    }
    keymap_add(&s->by_hash, h, s->count);
    s->names[s->count] = name;
    s->max_len = len > s->max_len ? len : s->max_len;
    return s->count++;
}

uint32_t nameset_find(const NameSet *s, const char *name, size_t len)
{
    if (s->count == 0 || len > s->max_len) {
        return NAMESET_NONE;
    }
    return lookup(s, name_hash(s, name, len), name, len);
}

typedef struct {
    bool (*visit)(void *ctx, uint32_t index);
    void *ctx;
    uint32_t calls;
} ZoneWalk;

static bool zone_step(const NameSet *s, uint64_t hash, const char *suffix, size_t len, void *ctx)
{
    ZoneWalk *walk = ctx;
    uint32_t i = lookup(s, hash, suffix, len);
    if (i == NAMESET_NONE) {
        return true;
    }
    walk->calls++;
    return walk->visit(walk->ctx, i);
}

uint32_t nameset_each_zone(const NameSet *s, const char *name, size_t len,
                           bool (*visit)(void *ctx, uint32_t index), void *ctx)
{
    if (s->count == 0) {
        return 0;
    }
    ZoneWalk walk = { visit, ctx, 0 };
    each_suffix(s, name, len, s->max_len, zone_step, &walk);
    return walk.calls;
}
