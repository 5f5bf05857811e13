/* dns: authoritative data and resolver caches (see dns.h).
 *
 * DnsDb keeps the world's records sorted by owner name with an open-addressing index from name to
 * its run of records, so a query is O(1) plus the records of that name. Failure windows are a
 * short list checked on every query (O(failures); scenarios have a handful).
 */
#include "model/dns.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The name of an empty slot in the open-addressing tables below: no pool holds that many
 * strings. */
#define DNS_NO_NAME UINT32_MAX

typedef struct {
    StrId name;            /* DNS_NO_NAME = empty slot */
    uint32_t first, count; /* run in `recs` */
} NameRun;

typedef struct {
    StrId name;
    TraceRcode rcode;
    int64_t from_us, until_us;
} Failure;

struct DnsDb {
    const World *w;
    DnsRecord *recs; /* copy of the world's records, sorted by name (stable) */
    uint32_t rec_count;
    NameRun *runs; /* open addressing by name */
    size_t run_size;
    Failure *failures;
    size_t failure_count, failure_cap;
};

static size_t hash_name(StrId name, size_t mask)
{
    return (size_t)hash_u64(name) & mask;
}

static int cmp_record(const void *a, const void *b)
{
    const DnsRecord *x = a, *y = b;
    if (x->name != y->name) {
        return x->name < y->name ? -1 : 1;
    }
    /* Within one name: by type, preference, host, address — a total order, so qsort's
     * instability cannot make two runs differ. */
    if (x->type != y->type) {
        return x->type < y->type ? -1 : 1;
    }
    if (x->pref != y->pref) {
        return x->pref < y->pref ? -1 : 1;
    }
    return x->host < y->host ? -1 : x->host > y->host ? 1 : (x->addr > y->addr) - (x->addr < y->addr);
}

static NameRun *run_slot(const DnsDb *db, StrId name)
{
    size_t mask = db->run_size - 1;
    for (size_t i = hash_name(name, mask);; i = (i + 1) & mask) {
        if (db->runs[i].name == name || db->runs[i].name == DNS_NO_NAME) {
            return &db->runs[i];
        }
    }
}

DnsDb *dns_db_create(const World *w)
{
    DnsDb *db = xcalloc(1, sizeof *db);
    db->w = w;
    db->rec_count = w->record_count;
    db->recs = xmalloc(sizeof *db->recs * (w->record_count ? w->record_count : 1));
    if (w->record_count) {
        memcpy(db->recs, w->records, sizeof *db->recs * w->record_count);
        qsort(db->recs, w->record_count, sizeof *db->recs, cmp_record);
    }
    db->run_size = 16;
    while (db->run_size < (size_t)w->record_count * 2 + 2) {
        db->run_size *= 2;
    }
    db->runs = xmalloc(sizeof *db->runs * db->run_size);
    for (size_t i = 0; i < db->run_size; i++) {
        db->runs[i].name = DNS_NO_NAME;
    }
    for (uint32_t i = 0; i < db->rec_count; i++) {
        NameRun *r = run_slot(db, db->recs[i].name);
        if (r->name == DNS_NO_NAME) {
            *r = (NameRun){ db->recs[i].name, i, 0 };
        }
        r->count++;
    }
    return db;
}

void dns_db_destroy(DnsDb *db)
{
    if (!db) {
        return;
    }
    free(db->recs);
    free(db->runs);
    free(db->failures);
    free(db);
}

void dns_db_add_failure(DnsDb *db, StrId name, TraceRcode rcode, int64_t from_us,
                        int64_t until_us)
{
    if (db->failure_count == db->failure_cap) {
        db->failures =
            xgrow(db->failures, &db->failure_cap, db->failure_count + 1, sizeof *db->failures);
    }
    db->failures[db->failure_count++] = (Failure){ name, rcode, from_us, until_us };
}

/* Is `name` equal to `zone` or a name under it ("mx.b.example" under "b.example")? */
static bool in_zone(const StrPool *sp, StrId name, StrId zone)
{
    if (name == zone) {
        return true;
    }
    const char *n = strpool_get(sp, name), *z = strpool_get(sp, zone);
    size_t nl = strlen(n), zl = strlen(z);
    return nl > zl && n[nl - zl - 1] == '.' && strcmp(n + nl - zl, z) == 0;
}

static const Failure *active_failure(const DnsDb *db, StrId name, int64_t now_us)
{
    for (size_t i = 0; i < db->failure_count; i++) {
        const Failure *f = &db->failures[i];
        if (now_us >= f->from_us && now_us < f->until_us && in_zone(db->w->strings, name, f->name)) {
            return f;
        }
    }
    return NULL;
}

void dns_db_query(const DnsDb *db, StrId name, TraceQtype qtype, int64_t now_us, DnsAnswer *out)
{
    memset(out, 0, sizeof *out);
    const Failure *f = active_failure(db, name, now_us);
    if (f) {
        out->rcode = f->rcode;
        return;
    }
    const NameRun *run = run_slot(db, name);
    if (run->name == DNS_NO_NAME) {
        out->rcode = RCODE_NXDOMAIN;
        return;
    }
    out->rcode = RCODE_NOERROR;
    out->ttl_us = INT64_MAX;
    DnsType want = qtype == QTYPE_MX ? DNS_MX : DNS_A;
    for (uint32_t i = run->first; i < run->first + run->count && out->count < DNS_MAX_RR; i++) {
        const DnsRecord *r = &db->recs[i];
        if (r->type != want || (qtype != QTYPE_MX && qtype != QTYPE_A)) {
            continue;
        }
        out->rr[out->count++] = (DnsRR){ r->pref, r->host, r->addr };
        out->ttl_us = r->ttl_us < out->ttl_us ? r->ttl_us : out->ttl_us;
        if (want == DNS_MX && strcmp(strpool_get(db->w->strings, r->host), ".") == 0) {
            out->null_mx = true;
        }
    }
    if (out->count == 0) {
        out->ttl_us = 0;
    }
}

/* ---- cache ---- */

typedef struct {
    StrId name; /* DNS_NO_NAME = empty slot */
    uint8_t qtype;
    int64_t expires_us;
    DnsAnswer ans;
} CacheEntry;

struct DnsCache {
    CacheEntry *slots;
    size_t size, used;
};

DnsCache *dns_cache_create(void)
{
    DnsCache *c = xcalloc(1, sizeof *c);
    c->size = 64;
    c->slots = xmalloc(sizeof *c->slots * c->size);
    for (size_t i = 0; i < c->size; i++) {
        c->slots[i].name = DNS_NO_NAME;
    }
    return c;
}

void dns_cache_destroy(DnsCache *cache)
{
    if (!cache) {
        return;
    }
    free(cache->slots);
    free(cache);
}

static CacheEntry *cache_slot(CacheEntry *slots, size_t size, StrId name, uint8_t qtype)
{
    size_t mask = size - 1;
    for (size_t i = (size_t)hash_u64((uint64_t)qtype << 32 | name) & mask;; i = (i + 1) & mask) {
        if (slots[i].name == DNS_NO_NAME || (slots[i].name == name && slots[i].qtype == qtype)) {
            return &slots[i];
        }
    }
}

static void cache_grow(DnsCache *c)
{
    size_t size = c->size * 2;
    CacheEntry *slots = xmalloc(sizeof *slots * size);
    for (size_t i = 0; i < size; i++) {
        slots[i].name = DNS_NO_NAME;
    }
    for (size_t i = 0; i < c->size; i++) {
        if (c->slots[i].name != DNS_NO_NAME) {
            *cache_slot(slots, size, c->slots[i].name, c->slots[i].qtype) = c->slots[i];
        }
    }
    free(c->slots);
    c->slots = slots;
    c->size = size;
}

bool dns_resolve(DnsCache *cache, const DnsDb *db, StrId name, TraceQtype qtype, int64_t now_us,
                 int64_t negative_ttl_us, DnsAnswer *out)
{
    if (cache) {
        CacheEntry *e = cache_slot(cache->slots, cache->size, name, (uint8_t)qtype);
        if (e->name != DNS_NO_NAME && now_us < e->expires_us) {
            *out = e->ans;
            out->ttl_us = e->expires_us - now_us; /* what a resolver reports: remaining TTL */
            return true;
        }
    }
    dns_db_query(db, name, qtype, now_us, out);
    int64_t ttl = 0;
    if (out->rcode == RCODE_NXDOMAIN || (out->rcode == RCODE_NOERROR && out->count == 0)) {
        ttl = negative_ttl_us;
        out->ttl_us = ttl;
    } else if (out->rcode == RCODE_NOERROR) {
        ttl = out->ttl_us;
    }
    if (cache && ttl > 0) {
        if ((cache->used + 1) * 2 > cache->size) {
            cache_grow(cache);
        }
        CacheEntry *e = cache_slot(cache->slots, cache->size, name, (uint8_t)qtype);
        if (e->name == DNS_NO_NAME) {
            cache->used++;
        }
        e->name = name;
        e->qtype = (uint8_t)qtype;
        e->expires_us = now_us + ttl;
        e->ans = *out;
    }
    return false;
}

void dns_sort_mx(DnsAnswer *ans, Rng *rng)
{
    /* Shuffle first (Fisher-Yates), then a stable insertion sort by preference: equal
     * preferences end up in random order, everything else ascending. */
    for (uint32_t i = ans->count; i > 1; i--) {
        uint32_t j = (uint32_t)rng_below(rng, i);
        DnsRR t = ans->rr[i - 1];
        ans->rr[i - 1] = ans->rr[j];
        ans->rr[j] = t;
    }
    for (uint32_t i = 1; i < ans->count; i++) {
        DnsRR t = ans->rr[i];
        uint32_t j = i;
        while (j > 0 && ans->rr[j - 1].pref > t.pref) {
            ans->rr[j] = ans->rr[j - 1];
            j--;
        }
        ans->rr[j] = t;
    }
}

const char *dns_format_answer(const DnsAnswer *ans, TraceQtype qtype, const StrPool *sp, char *buf,
                              size_t size)
{
    if (ans->rcode != RCODE_NOERROR) {
        snprintf(buf, size, "%s", trace_rcode_name(ans->rcode));
        return buf;
    }
    if (ans->count == 0) {
        snprintf(buf, size, "no %s record (NODATA)", trace_qtype_name(qtype));
        return buf;
    }
    if (ans->null_mx) {
        snprintf(buf, size, "0 . (null MX: this domain accepts no mail)");
        return buf;
    }
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < ans->count && n < size; i++) {
        const char *sep = i ? ", " : "";
        if (qtype == QTYPE_MX) {
            n += (size_t)snprintf(buf + n, size - n, "%s%u %s", sep, ans->rr[i].pref,
                                  strpool_get(sp, ans->rr[i].host));
        } else {
            char ip[16];
            world_format_ip(ans->rr[i].addr, ip);
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, ip);
        }
    }
    return buf;
}

StrId dns_reverse_name(StrPool *sp, uint32_t ip, StrId zone)
{
    return strpool_internf(sp, "%u.%u.%u.%u.%s", ip & 255, (ip >> 8) & 255, (ip >> 16) & 255,
                           ip >> 24, strpool_get(sp, zone));
}
