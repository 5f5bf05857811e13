/* dns: authoritative data and resolver caches (see dns.h).
 *
 * DnsDb keeps the world's records sorted by owner name with an open-addressing index from name to
 * its run of records, so a query is O(1) plus the records of that name.
 *
 * Failure windows are kept per failing domain (a NameSet of the domains, so a query finds the
 * domains its name lies under in one pass over the name, however many failures there are). Each
 * domain's windows are flattened into a timeline: times where the winning window changes, with
 * the window that wins from then on (or none), found by binary search. Windows overlap freely:
 * the name fails while any window covers it, and the end of one window does not end another.
 * When several cover a name at once, the one that started last wins (at equal starts, the one
 * added last): a later scripted failure overrides an earlier one for as long as it lasts, as a
 * later outage does (sim.c). A timeline is rebuilt at the first query after a window is added to
 * its domain.
 */
#include "model/dns.h"

#include "model/nameset.h"
#include "util/hash.h"
#include "util/xalloc.h"

#include <assert.h>
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
    TraceRcode rcode;
    int64_t from_us, until_us;
} Failure;

/* The failure windows of one domain, and their timeline: from seg_from_us[i] (ascending) until
 * the next entry, window seg_failure[i] wins (DNS_NO_FAILURE: none). */
typedef struct {
    uint32_t *failures; /* indices into DnsDb.failures, in the order added */
    size_t count, cap;
    int64_t *seg_from_us;
    uint32_t *seg_failure;
    size_t seg_count;
    bool stale; /* windows added since the timeline was built */
} FailZone;

#define DNS_NO_FAILURE UINT32_MAX

/* A listing changed mid-run (dns_db_add_listing). Few: one per scripted change. */
typedef struct {
    StrId name;
    bool listed;
    uint32_t addr;
    int64_t ttl_us, from_us;
} Listing;

struct DnsDb {
    const World *w;
    Listing *listings;
    size_t listing_count, listing_cap;
    DnsRecord *recs; /* copy of the world's records, sorted by name (stable) */
    uint32_t rec_count;
    NameRun *runs; /* open addressing by name */
    size_t run_size;
    bool has_soa;  /* some zone states its SOA (else every negative TTL is the resolver's) */
    Failure *failures;
    size_t failure_count, failure_cap;
    NameSet fail_names; /* the failing domains; a name's index there is its FailZone's */
    FailZone *zones;
    size_t zone_cap;
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
    nameset_init(&db->fail_names, w->strings, false);
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
        db->has_soa = db->has_soa || db->recs[i].type == DNS_SOA;
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
    free(db->listings);
    free(db->failures);
    for (uint32_t i = 0; i < db->fail_names.count; i++) {
        free(db->zones[i].failures);
        free(db->zones[i].seg_from_us);
        free(db->zones[i].seg_failure);
    }
    free(db->zones);
    nameset_free(&db->fail_names);
    free(db);
}

void dns_db_add_failure(DnsDb *db, StrId name, TraceRcode rcode, int64_t from_us,
                        int64_t until_us)
{
    assert(db->failure_count < DNS_NO_FAILURE);
    if (db->failure_count == db->failure_cap) {
        db->failures =
            xgrow(db->failures, &db->failure_cap, db->failure_count + 1, sizeof *db->failures);
    }
    uint32_t f = (uint32_t)db->failure_count++;
    db->failures[f] = (Failure){ rcode, from_us, until_us };
    uint32_t z = nameset_add(&db->fail_names, name);
    if (z >= db->zone_cap) {
        size_t old = db->zone_cap;
        db->zones = xgrow(db->zones, &db->zone_cap, (size_t)z + 1, sizeof *db->zones);
        memset(db->zones + old, 0, (db->zone_cap - old) * sizeof *db->zones);
    }
    FailZone *zone = &db->zones[z];
    if (zone->count == zone->cap) {
        zone->failures = xgrow(zone->failures, &zone->cap, zone->count + 1, sizeof *zone->failures);
    }
    zone->failures[zone->count++] = f;
    zone->stale = true;
}

uint32_t dns_db_end_failures(DnsDb *db, StrId name, int64_t at_us)
{
    const char *s = strpool_get(db->w->strings, name);
    uint32_t z = nameset_find(&db->fail_names, s, strlen(s));
    uint32_t cut = 0;
    if (z == NAMESET_NONE) {
        return 0;
    }
    FailZone *zone = &db->zones[z];
    for (size_t k = 0; k < zone->count; k++) {
        Failure *f = &db->failures[zone->failures[k]];
        if (f->from_us <= at_us && at_us < f->until_us) {
            f->until_us = at_us;
            cut++;
        }
    }
    zone->stale = zone->stale || cut > 0;
    return cut;
}

void dns_db_add_listing(DnsDb *db, StrId name, bool listed, uint32_t addr, int64_t ttl_us,
                        int64_t from_us)
{
    if (db->listing_count == db->listing_cap) {
        db->listings =
            xgrow(db->listings, &db->listing_cap, db->listing_count + 1, sizeof *db->listings);
    }
    db->listings[db->listing_count++] = (Listing){ name, listed, addr, ttl_us, from_us };
}

/* The listing in force for `name` at `now_us`, or NULL. */
static const Listing *listing_at(const DnsDb *db, StrId name, int64_t now_us)
{
    const Listing *best = NULL;
    for (size_t i = 0; i < db->listing_count; i++) {
        const Listing *l = &db->listings[i];
        if (l->name == name && l->from_us <= now_us && (!best || l->from_us >= best->from_us)) {
            best = l;
        }
    }
    return best;
}

/* ---- failure timelines ---- */

typedef struct {
    int64_t at_us;
    uint32_t failure; /* index into DnsDb.failures */
    uint32_t pos;     /* for an end: the window's place in start order */
} Edge;

/* Starts in the order windows win ties: by time, then by index (the one added later wins). */
static int cmp_start(const void *a, const void *b)
{
    const Edge *x = a, *y = b;
    if (x->at_us != y->at_us) {
        return x->at_us < y->at_us ? -1 : 1;
    }
    return x->failure < y->failure ? -1 : x->failure > y->failure;
}

static int cmp_end(const void *a, const void *b)
{
    const Edge *x = a, *y = b;
    if (x->at_us != y->at_us) {
        return x->at_us < y->at_us ? -1 : 1;
    }
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void zone_add_segment(FailZone *z, int64_t at_us, uint32_t failure)
{
    uint32_t last = z->seg_count ? z->seg_failure[z->seg_count - 1] : DNS_NO_FAILURE;
    if (failure == last) {
        return;
    }
    z->seg_from_us[z->seg_count] = at_us;
    z->seg_failure[z->seg_count] = failure;
    z->seg_count++;
}

/* Sweeps the zone's window edges in time order. The windows begun and not yet ended are a stack
 * in start order, so the winner (latest start) is the top; an ended window below the top stays
 * until it surfaces (marked `over`), so the sweep is O(n log n) for the sort and O(n) after. */
static void zone_build(const DnsDb *db, FailZone *z)
{
    size_t n = z->count;
    Edge *starts = xmalloc(n * sizeof *starts);
    Edge *ends = xmalloc(n * sizeof *ends);
    uint32_t *stack = xmalloc(n * sizeof *stack); /* places in start order */
    bool *over = xcalloc(n, sizeof *over);
    for (size_t i = 0; i < n; i++) {
        starts[i] = (Edge){ db->failures[z->failures[i]].from_us, z->failures[i], 0 };
    }
    qsort(starts, n, sizeof *starts, cmp_start);
    for (size_t i = 0; i < n; i++) {
        uint32_t f = starts[i].failure;
        ends[i] = (Edge){ db->failures[f].until_us, f, (uint32_t)i };
    }
    qsort(ends, n, sizeof *ends, cmp_end);
    free(z->seg_from_us);
    free(z->seg_failure);
    z->seg_from_us = xmalloc((2 * n + 1) * sizeof *z->seg_from_us);
    z->seg_failure = xmalloc((2 * n + 1) * sizeof *z->seg_failure);
    z->seg_count = 0;
    size_t si = 0, ei = 0, top = 0;
    while (si < n || ei < n) {
        int64_t t = si < n && (ei == n || starts[si].at_us <= ends[ei].at_us) ? starts[si].at_us
                                                                            : ends[ei].at_us;
        for (; si < n && starts[si].at_us == t; si++) {
            stack[top++] = (uint32_t)si;
        }
        for (; ei < n && ends[ei].at_us == t; ei++) {
            over[ends[ei].pos] = true;
        }
        while (top > 0 && over[stack[top - 1]]) {
            top--;
        }
        zone_add_segment(z, t, top > 0 ? starts[stack[top - 1]].failure : DNS_NO_FAILURE);
    }
    z->stale = false;
    free(starts);
    free(ends);
    free(stack);
    free(over);
}

/* The window of zone z that wins at now_us, or DNS_NO_FAILURE. */
static uint32_t zone_winner(DnsDb *db, uint32_t zi, int64_t now_us)
{
    FailZone *z = &db->zones[zi];
    if (z->stale) {
        zone_build(db, z);
    }
    size_t lo = 0, hi = z->seg_count; /* first segment starting after now_us */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->seg_from_us[mid] <= now_us) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo == 0 ? DNS_NO_FAILURE : z->seg_failure[lo - 1];
}

typedef struct {
    DnsDb *db;
    int64_t now_us;
    uint32_t best; /* DNS_NO_FAILURE, or the winner so far */
} WinnerSearch;

/* Keeps the window that started last (at equal starts, the one added last) over every zone the
 * name lies under. */
static bool take_winner(void *ctx, uint32_t zone)
{
    WinnerSearch *ws = ctx;
    uint32_t f = zone_winner(ws->db, zone, ws->now_us);
    if (f == DNS_NO_FAILURE) {
        return true;
    }
    if (ws->best == DNS_NO_FAILURE) {
        ws->best = f;
        return true;
    }
    const Failure *a = &ws->db->failures[f], *b = &ws->db->failures[ws->best];
    if (a->from_us > b->from_us || (a->from_us == b->from_us && f > ws->best)) {
        ws->best = f;
    }
    return true;
}

bool dns_db_failing(DnsDb *db, StrId name, int64_t now_us, TraceRcode *rcode)
{
    if (db->failure_count == 0) {
        return false;
    }
    WinnerSearch ws = { db, now_us, DNS_NO_FAILURE };
    nameset_each_zone(&db->fail_names, strpool_get(db->w->strings, name),
                      strpool_len(db->w->strings, name), take_winner, &ws);
    if (ws.best == DNS_NO_FAILURE) {
        return false;
    }
    *rcode = db->failures[ws.best].rcode;
    return true;
}

static DnsType wanted_type(TraceQtype qtype)
{
    switch (qtype) {
    case QTYPE_MX: return DNS_MX;
    case QTYPE_PTR: return DNS_PTR;
    case QTYPE_TXT: return DNS_TXT;
    case QTYPE_AAAA: return DNS_AAAA;
    case QTYPE_A:
    default: return DNS_A;
    }
}

/* RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM) of the closest zone
 * above the name (the name itself included); -1 when the world states no such SOA. */
static int64_t zone_negative_ttl(const DnsDb *db, StrId name)
{
    if (!db->has_soa) {
        return -1;
    }
    const char *s = strpool_get(db->w->strings, name);
    for (;;) {
        const NameRun *run = run_slot(db, strpool_find(db->w->strings, s));
        for (uint32_t i = run->first; run->name != DNS_NO_NAME && i < run->first + run->count;
             i++) {
            const DnsRecord *r = &db->recs[i];
            if (r->type == DNS_SOA) {
                return r->ttl_us < r->soa_minimum_us ? r->ttl_us : r->soa_minimum_us;
            }
        }
        const char *dot = strchr(s, '.');
        if (!dot) {
            return -1;
        }
        s = dot + 1;
    }
}

/* The records of `name` of the wanted type into `out`; returns the target of the name's CNAME
 * when it has one and no records of that type (the caller follows it), else STR_EMPTY. */
static StrId answer_records(const DnsDb *db, const NameRun *run, TraceQtype qtype, DnsAnswer *out)
{
    DnsType want = wanted_type(qtype);
    StrId alias = STR_EMPTY;
    int64_t alias_ttl_us = 0;
    for (uint32_t i = run->first; i < run->first + run->count; i++) {
        const DnsRecord *r = &db->recs[i];
        if (r->type == DNS_CNAME) {
            alias = r->host;
            alias_ttl_us = r->ttl_us;
        }
        if (r->type != want || out->count >= DNS_MAX_RR) {
            continue;
        }
        out->rr[out->count++] = (DnsRR){ r->pref, r->host, r->addr, r->text };
        out->ttl_us = r->ttl_us < out->ttl_us ? r->ttl_us : out->ttl_us;
        if (want == DNS_MX && strcmp(strpool_get(db->w->strings, r->host), ".") == 0) {
            out->null_mx = true;
        }
    }
    if (out->count > 0 || alias == STR_EMPTY) {
        return STR_EMPTY;
    }
    out->ttl_us = alias_ttl_us < out->ttl_us ? alias_ttl_us : out->ttl_us;
    return alias;
}

void dns_db_query(DnsDb *db, StrId name, TraceQtype qtype, int64_t now_us, DnsAnswer *out)
{
    memset(out, 0, sizeof *out);
    out->ttl_us = INT64_MAX;
    for (;;) {
        TraceRcode failed;
        if (dns_db_failing(db, name, now_us, &failed)) {
            out->rcode = failed;
            out->count = 0;
            out->ttl_us = 0;
            return;
        }
        const Listing *l = db->listing_count ? listing_at(db, name, now_us) : NULL;
        if (l) {
            out->rcode = l->listed ? RCODE_NOERROR : RCODE_NXDOMAIN;
            if (l->listed && qtype == QTYPE_A) {
                out->rr[out->count++] = (DnsRR){ 0, STR_EMPTY, l->addr, STR_EMPTY };
                out->ttl_us = l->ttl_us < out->ttl_us ? l->ttl_us : out->ttl_us;
            }
            break;
        }
        const NameRun *run = run_slot(db, name);
        if (run->name == DNS_NO_NAME) {
            out->rcode = RCODE_NXDOMAIN;
            break;
        }
        out->rcode = RCODE_NOERROR;
        StrId alias = answer_records(db, run, qtype, out);
        if (alias == STR_EMPTY) {
            break;
        }
        if (out->aliases == DNS_MAX_CNAME) {
            /* A chain this long is a loop, or as good as one: the resolver gives up. */
            out->rcode = RCODE_SERVFAIL;
            out->ttl_us = 0;
            return;
        }
        out->aliases++;
        out->canonical = alias;
        name = alias;
    }
    if (out->count == 0) {
        out->ttl_us = zone_negative_ttl(db, name);
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

bool dns_resolve(DnsCache *cache, DnsDb *db, StrId name, TraceQtype qtype, int64_t now_us,
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
        ttl = out->ttl_us >= 0 ? out->ttl_us : negative_ttl_us;
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
    if (ans->aliases > 0 && ans->rcode != RCODE_SERVFAIL && size > 0) {
        /* "(alias of mail.b.example) " and then the canonical name's answer */
        int n = snprintf(buf, size, "(alias of %s) ", strpool_get(sp, ans->canonical));
        size_t used = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
        DnsAnswer canon = *ans;
        canon.aliases = 0;
        dns_format_answer(&canon, qtype, sp, buf + used, size - used);
        return buf;
    }
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
        } else if (qtype == QTYPE_PTR) {
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, strpool_get(sp, ans->rr[i].host));
        } else if (qtype == QTYPE_TXT) {
            n += (size_t)snprintf(buf + n, size - n, "%s\"%s\"", sep,
                                  strpool_get(sp, ans->rr[i].text));
        } else if (qtype == QTYPE_AAAA) {
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, strpool_get(sp, ans->rr[i].text));
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
