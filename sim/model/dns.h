/* dns: the Domain Name System as mail sees it (RFC 1034/1035, RFC 5321 §5.1, RFC 7505, RFC 2308).
 *
 * Two objects:
 *  - DnsDb, the authoritative data of every zone in the world (A, AAAA, MX, CNAME, TXT, PTR, NS
 *    and SOA records) plus scripted failure windows (a zone whose servers answer SERVFAIL, time
 *    out, or vanish). A name with no records at all is NXDOMAIN; a name with records but none of
 *    the asked type is NOERROR with no answer (NODATA), which for MX means "use the implicit MX"
 *    (the domain's own A record). A name with a CNAME is an alias: a query for any type follows
 *    it, as a recursive resolver does (RFC 1034 §3.6.2), for at most DNS_MAX_CNAME links (more
 *    is a loop: SERVFAIL). The answer is that of the canonical name.
 *  - DnsCache, one resolver's cache: positive answers live for their TTL, negative answers
 *    (NXDOMAIN, NODATA) for min(SOA TTL, SOA MINIMUM) of the zone the name is in (RFC 2308 §5),
 *    or the resolver's own negative TTL when the world states no SOA above the name; SERVFAIL
 *    and timeouts are not cached.
 * Timing (how long an answer takes) is the simulation's business; this module only answers.
 * Strings are StrIds of the caller's pool (the world's).
 */
#ifndef MAILSIM_DNS_H
#define MAILSIM_DNS_H

#include "engine/rng.h"
#include "model/world.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_RR 8
#define DNS_MAX_CNAME 8 /* CNAME links a resolver follows for one query */

typedef struct {
    uint16_t pref; /* MX preference */
    StrId host;    /* MX exchange; PTR target */
    uint32_t addr; /* A address */
    StrId text;    /* TXT data; AAAA address */
} DnsRR;

typedef struct {
    TraceRcode rcode;
    uint8_t count;  /* answer records (0 with NOERROR = NODATA) */
    bool null_mx;   /* the only MX is "." (RFC 7505): the domain takes no mail */
    uint8_t aliases; /* CNAME links followed to reach the answer (0: the name is canonical) */
    StrId canonical; /* with aliases > 0: the name the records belong to */
    DnsRR rr[DNS_MAX_RR];
    /* Smallest TTL of the answer (and of the CNAMEs followed). For a negative answer from
     * dns_db_query: the zone's negative TTL, min(SOA TTL, MINIMUM), or -1 when no SOA is above
     * the name; from dns_resolve: the negative TTL it was cached for. */
    int64_t ttl_us;
} DnsAnswer;

typedef struct DnsDb DnsDb;
typedef struct DnsCache DnsCache;

/* Indexes the world's records. Never returns NULL. The world must outlive the db. */
DnsDb *dns_db_create(const World *w);
void dns_db_destroy(DnsDb *db);

/* From `from_us` until `until_us`, queries for `name` and every name under it fail with `rcode`
 * (SERVFAIL, TIMEOUT or NXDOMAIN). Windows may overlap, on one name or on a name and one under
 * it: a name fails while any window covers it, and when several do, the one that started last
 * wins (at equal starts, the one added last). */
void dns_db_add_failure(DnsDb *db, StrId name, TraceRcode rcode, int64_t from_us,
                        int64_t until_us);

/* Ends at `at_us` every failure window added for exactly `name` that covers `at_us` (a window that
 * starts later, or one on a domain above `name`, stays): the DNS is mended by hand. Returns how
 * many windows it cut. */
uint32_t dns_db_end_failures(DnsDb *db, StrId name, int64_t at_us);

/* From `from_us` on, `name` has exactly one A record, `addr` with `ttl_us` (`listed`), or no
 * record at all, NXDOMAIN (not `listed`), whatever the world's records say: a blocklist listing
 * or delisting an address mid-run. The latest-starting listing in force wins (at equal starts,
 * the one added last); a failure window still wins over it. */
void dns_db_add_listing(DnsDb *db, StrId name, bool listed, uint32_t addr, int64_t ttl_us,
                        int64_t from_us);

/* True, with the winning window's rcode in *rcode, when a failure window covers `name` at
 * `now_us`. Time linear in the length of the name, logarithmic in the number of windows (the
 * db is not const: the first query after an add indexes the new window). */
bool dns_db_failing(DnsDb *db, StrId name, int64_t now_us, TraceRcode *rcode);

/* The authoritative answer for (name, qtype) at `now_us`. */
void dns_db_query(DnsDb *db, StrId name, TraceQtype qtype, int64_t now_us, DnsAnswer *out);

/* Never returns NULL. */
DnsCache *dns_cache_create(void);
void dns_cache_destroy(DnsCache *cache);

/* A resolver's answer: from `cache` when it holds an unexpired entry (returns true), otherwise
 * from the db, cached as RFC 2308 says (returns false): a negative answer for the zone's
 * negative TTL, or `negative_ttl_us` when the world states no SOA above the name. `cache` may be
 * NULL (no caching). */
bool dns_resolve(DnsCache *cache, DnsDb *db, StrId name, TraceQtype qtype, int64_t now_us,
                 int64_t negative_ttl_us, DnsAnswer *out);

/* Orders MX records by ascending preference, shuffling equal preferences with `rng`
 * (RFC 5321 §5.1: randomise among equal preferences). */
void dns_sort_mx(DnsAnswer *ans, Rng *rng);

/* Human text of an answer: "10 mx1.b.example, 20 mx2.b.example", "203.0.113.25",
 * "0 . (null MX: this domain accepts no mail)", "NXDOMAIN", "no MX record (NODATA)", and after
 * CNAMEs "(alias of mail.b.example) 203.0.113.25". */
const char *dns_format_answer(const DnsAnswer *ans, TraceQtype qtype, const StrPool *sp, char *buf,
                              size_t size);

/* The DNSBL query name for `ip` under `zone` (RFC 5782): 10.100.51.198.zen.example. */
StrId dns_reverse_name(StrPool *sp, uint32_t ip, StrId zone);

#endif
