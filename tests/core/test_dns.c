/* test_dns: authoritative data, resolver caches and the DNS helpers (sim/model/dns.h).
 *
 * The rules checked are those of docs/design/mail-facts.md and the RFCs it cites: MX hosts in
 * ascending preference with equal preferences randomised (RFC 5321 §5.1) by the seeded RNG; a name
 * with no records is NXDOMAIN, a name with records but none of the asked type is NOERROR with no
 * answer (NODATA); "MX 0 ." is a null MX (RFC 7505); answers are cached for their TTL, NXDOMAIN for
 * the negative TTL (RFC 2308), SERVFAIL not at all; DNSBL names are the reversed octets under the
 * zone (RFC 5782 §2.1); a PTR look-up asks for the reversed octets under in-addr.arpa (RFC 1035
 * §3.5), and an address without a PTR record is NXDOMAIN.
 */
#include "model/dns.h"
#include "test.h"


#define SEC(x) ((int64_t)(x) * US_PER_S)

static uint32_t ip(const char *s)
{
    uint32_t v = 0;
    CHECK(world_parse_ip(s, &v));
    return v;
}

static StrId str(World *w, const char *s)
{
    return strpool_intern(w->strings, s);
}

static void add_mx(World *w, const char *name, uint16_t pref, const char *host, int64_t ttl_s)
{
    DnsRecord *r = world_add_record(w);
    r->name = str(w, name);
    r->type = DNS_MX;
    r->pref = pref;
    r->host = str(w, host);
    r->ttl_us = SEC(ttl_s);
}

static void add_a(World *w, const char *name, const char *addr, int64_t ttl_s)
{
    DnsRecord *r = world_add_record(w);
    r->name = str(w, name);
    r->type = DNS_A;
    r->addr = ip(addr);
    r->ttl_us = SEC(ttl_s);
}

/* b.example: three MX at 20, 10, 30 (listed out of order); c.example: only an A record;
 * null.example: null MX; eq.example: two MX at the same preference. */
static World *make_world(void)
{
    World *w = world_create();
    add_mx(w, "b.example", 20, "mx2.b.example", 3600);
    add_mx(w, "b.example", 10, "mx1.b.example", 3600);
    add_mx(w, "b.example", 30, "mx3.b.example", 600);
    add_a(w, "mx1.b.example", "203.0.113.25", 3600);
    add_a(w, "mx2.b.example", "203.0.113.26", 3600);
    add_a(w, "c.example", "192.0.2.80", 300);
    add_mx(w, "null.example", 0, ".", 3600);
    add_mx(w, "eq.example", 10, "alpha.eq.example", 3600);
    add_mx(w, "eq.example", 10, "beta.eq.example", 3600);
    add_a(w, "10.100.51.198.zen.example", "127.0.0.2", 900);
    return w;
}

static const char *host(const World *w, const DnsAnswer *a, int i)
{
    return strpool_get(w->strings, a->rr[i].host);
}

static void dns_should_answer_mx_sorted_by_preference(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    dns_db_query(db, str(w, "b.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 3);
    CHECK(!a.null_mx);
    Rng rng;
    rng_seed(&rng, 1);
    dns_sort_mx(&a, &rng);
    CHECK_EQ_INT(a.rr[0].pref, 10);
    CHECK_EQ_STR(host(w, &a, 0), "mx1.b.example");
    CHECK_EQ_INT(a.rr[1].pref, 20);
    CHECK_EQ_STR(host(w, &a, 1), "mx2.b.example");
    CHECK_EQ_INT(a.rr[2].pref, 30);
    CHECK_EQ_STR(host(w, &a, 2), "mx3.b.example");
    /* The answer's TTL is its smallest record TTL. */
    CHECK_EQ_INT(a.ttl_us, SEC(600));
    dns_db_destroy(db);
    world_destroy(w);
}

/* dns_sort_mx on an answer built by hand in reverse order, with a tie in the middle. */
static void dns_should_sort_any_answer_ascending(void)
{
    StrPool *sp = strpool_create();
    DnsAnswer a = { .rcode = RCODE_NOERROR, .count = 5 };
    static const uint16_t prefs[] = { 50, 40, 20, 20, 5 };
    for (int i = 0; i < 5; i++) {
        a.rr[i].pref = prefs[i];
        a.rr[i].host = strpool_internf(sp, "mx%d.example", i);
    }
    for (uint64_t seed = 0; seed < 20; seed++) {
        DnsAnswer b = a;
        Rng rng;
        rng_seed(&rng, seed);
        dns_sort_mx(&b, &rng);
        CHECK_EQ_INT(b.count, 5);
        CHECK_EQ_INT(b.rr[0].pref, 5);
        CHECK_EQ_INT(b.rr[1].pref, 20);
        CHECK_EQ_INT(b.rr[2].pref, 20);
        CHECK_EQ_INT(b.rr[3].pref, 40);
        CHECK_EQ_INT(b.rr[4].pref, 50);
        /* Nothing lost or duplicated: the two 20s are mx2 and mx3 in some order. */
        CHECK(b.rr[1].host != b.rr[2].host);
        CHECK(b.rr[1].host == a.rr[2].host || b.rr[1].host == a.rr[3].host);
        CHECK(b.rr[2].host == a.rr[2].host || b.rr[2].host == a.rr[3].host);
    }
    strpool_destroy(sp);
}

/* Equal preferences are shuffled by the seeded RNG: across seeds both orders occur, and the same
 * seed always gives the same order. */
static void dns_should_shuffle_equal_preferences_by_seed(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    StrId alpha = str(w, "alpha.eq.example");
    int alpha_first = 0, beta_first = 0, unstable = 0;
    for (uint64_t seed = 1; seed <= 64; seed++) {
        StrId first[2];
        for (int rep = 0; rep < 2; rep++) {
            DnsAnswer a;
            dns_db_query(db, str(w, "eq.example"), QTYPE_MX, 0, &a);
            Rng rng;
            rng_seed(&rng, seed);
            dns_sort_mx(&a, &rng);
            first[rep] = a.rr[0].host;
        }
        unstable += first[0] != first[1];
        if (first[0] == alpha) {
            alpha_first++;
        } else {
            beta_first++;
        }
    }
    CHECK_EQ_INT(unstable, 0);
    CHECK(alpha_first > 0);
    CHECK(beta_first > 0);
    /* A fair coin over 64 seeds: far from all-or-nothing. */
    CHECK(alpha_first >= 16 && alpha_first <= 48);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_answer_nxdomain_for_an_unknown_name(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    dns_db_query(db, str(w, "nowhere.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    CHECK_EQ_INT(a.count, 0);
    dns_db_query(db, str(w, "nowhere.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    /* A DNSBL query for an unlisted address: NXDOMAIN means "not listed" (RFC 5782). */
    dns_db_query(db, str(w, "1.2.0.192.zen.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    dns_db_destroy(db);
    world_destroy(w);
}

/* c.example has an A record but no MX: NOERROR with no answer (the implicit-MX case), and the
 * A query answers. mx1.b.example likewise for MX. */
static void dns_should_answer_nodata_for_a_name_without_that_type(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    dns_db_query(db, str(w, "c.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 0);
    CHECK(!a.null_mx);
    dns_db_query(db, str(w, "c.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 1);
    CHECK_EQ_INT(a.rr[0].addr, ip("192.0.2.80"));
    CHECK_EQ_INT(a.ttl_us, SEC(300));
    /* And the other way round: b.example has MX but no A. */
    dns_db_query(db, str(w, "b.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 0);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_flag_a_null_mx(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    dns_db_query(db, str(w, "null.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 1);
    CHECK(a.null_mx);
    CHECK_EQ_INT(a.rr[0].pref, 0);
    CHECK_EQ_STR(host(w, &a, 0), ".");
    dns_db_destroy(db);
    world_destroy(w);
}

/* A failure window [from, until) on b.example covers b.example and names under it, and nothing
 * else (not even names that merely end in the same letters). */
static void dns_should_fail_inside_a_failure_window(void)
{
    World *w = make_world();
    add_a(w, "notb.example", "192.0.2.9", 3600);
    DnsDb *db = dns_db_create(w);
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, SEC(100), SEC(200));
    DnsAnswer a;
    dns_db_query(db, str(w, "b.example"), QTYPE_MX, SEC(100) - 1, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    dns_db_query(db, str(w, "b.example"), QTYPE_MX, SEC(100), &a);
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    CHECK_EQ_INT(a.count, 0);
    dns_db_query(db, str(w, "mx1.b.example"), QTYPE_A, SEC(150), &a);
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    dns_db_query(db, str(w, "b.example"), QTYPE_MX, SEC(200) - 1, &a);
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    dns_db_query(db, str(w, "b.example"), QTYPE_MX, SEC(200), &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 3);
    /* Outside the zone. */
    dns_db_query(db, str(w, "notb.example"), QTYPE_A, SEC(150), &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 1);
    dns_db_query(db, str(w, "c.example"), QTYPE_A, SEC(150), &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    /* Other failure kinds: a timeout window, and an NXDOMAIN one that hides existing names. */
    dns_db_add_failure(db, str(w, "c.example"), RCODE_TIMEOUT, SEC(0), INT64_MAX);
    dns_db_query(db, str(w, "c.example"), QTYPE_A, SEC(5), &a);
    CHECK_EQ_INT(a.rcode, RCODE_TIMEOUT);
    dns_db_add_failure(db, str(w, "null.example"), RCODE_NXDOMAIN, SEC(0), SEC(10));
    dns_db_query(db, str(w, "null.example"), QTYPE_MX, SEC(5), &a);
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_serve_from_cache_within_the_ttl(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsCache *cache = dns_cache_create();
    StrId name = str(w, "c.example");
    DnsAnswer a;
    CHECK(!dns_resolve(cache, db, name, QTYPE_A, SEC(1000), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.ttl_us, SEC(300));
    /* 100 s later: from the cache, with the remaining 200 s. */
    CHECK(dns_resolve(cache, db, name, QTYPE_A, SEC(1100), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 1);
    CHECK_EQ_INT(a.rr[0].addr, ip("192.0.2.80"));
    CHECK_EQ_INT(a.ttl_us, SEC(200));
    CHECK(dns_resolve(cache, db, name, QTYPE_A, SEC(1300) - 1, SEC(900), &a));
    CHECK_EQ_INT(a.ttl_us, 1);
    /* At 300 s the entry has expired: asked again (and cached afresh). */
    CHECK(!dns_resolve(cache, db, name, QTYPE_A, SEC(1300), SEC(900), &a));
    CHECK_EQ_INT(a.ttl_us, SEC(300));
    CHECK(dns_resolve(cache, db, name, QTYPE_A, SEC(1301), SEC(900), &a));
    /* The cache is per (name, type): an MX question for the same name is a miss. */
    CHECK(!dns_resolve(cache, db, name, QTYPE_MX, SEC(1302), SEC(900), &a));
    dns_cache_destroy(cache);
    dns_db_destroy(db);
    world_destroy(w);
}

/* Without a cache every answer comes from the db. */
static void dns_should_always_ask_without_a_cache(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    CHECK(!dns_resolve(NULL, db, str(w, "b.example"), QTYPE_MX, 0, SEC(900), &a));
    CHECK(!dns_resolve(NULL, db, str(w, "b.example"), QTYPE_MX, 1, SEC(900), &a));
    CHECK_EQ_INT(a.count, 3);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_cache_nxdomain_for_the_negative_ttl(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    DnsCache *cache = dns_cache_create();
    StrId name = str(w, "nowhere.example");
    DnsAnswer a;
    CHECK(!dns_resolve(cache, db, name, QTYPE_MX, 0, SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    CHECK_EQ_INT(a.ttl_us, SEC(900));
    CHECK(dns_resolve(cache, db, name, QTYPE_MX, SEC(899), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    CHECK_EQ_INT(a.ttl_us, SEC(1));
    CHECK(!dns_resolve(cache, db, name, QTYPE_MX, SEC(900), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    /* NODATA is a negative answer too (RFC 2308 §5). */
    CHECK(!dns_resolve(cache, db, str(w, "c.example"), QTYPE_MX, 0, SEC(60), &a));
    CHECK_EQ_INT(a.ttl_us, SEC(60));
    CHECK(dns_resolve(cache, db, str(w, "c.example"), QTYPE_MX, SEC(59), SEC(60), &a));
    CHECK_EQ_INT(a.count, 0);
    CHECK(!dns_resolve(cache, db, str(w, "c.example"), QTYPE_MX, SEC(60), SEC(60), &a));
    dns_cache_destroy(cache);
    dns_db_destroy(db);
    world_destroy(w);
}

/* A SERVFAIL is never cached: once the failure is over, the next question gets the real answer
 * at once. A timeout is not cached either. */
static void dns_should_never_cache_servfail(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, 0, SEC(100));
    dns_db_add_failure(db, str(w, "c.example"), RCODE_TIMEOUT, 0, SEC(100));
    DnsCache *cache = dns_cache_create();
    DnsAnswer a;
    CHECK(!dns_resolve(cache, db, str(w, "b.example"), QTYPE_MX, SEC(10), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    CHECK(!dns_resolve(cache, db, str(w, "b.example"), QTYPE_MX, SEC(20), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    CHECK(!dns_resolve(cache, db, str(w, "b.example"), QTYPE_MX, SEC(100), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 3);
    CHECK(!dns_resolve(cache, db, str(w, "c.example"), QTYPE_A, SEC(10), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_TIMEOUT);
    CHECK(!dns_resolve(cache, db, str(w, "c.example"), QTYPE_A, SEC(100), SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    dns_cache_destroy(cache);
    dns_db_destroy(db);
    world_destroy(w);
}

/* Past its initial 64 slots the cache grows and still answers for every name it holds. */
static void dns_should_keep_every_entry_while_the_cache_grows(void)
{
    enum { N = 300 };
    World *w = world_create();
    for (int i = 0; i < N; i++) {
        char name[64], addr[16];
        snprintf(name, sizeof name, "host%d.example", i);
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
        add_a(w, name, addr, 3600);
    }
    DnsDb *db = dns_db_create(w);
    DnsCache *cache = dns_cache_create();
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        DnsAnswer a;
        wrong += dns_resolve(cache, db, strpool_internf(w->strings, "host%d.example", i), QTYPE_A,
                             SEC(i), SEC(900), &a);
    }
    CHECK_EQ_INT(wrong, 0);
    for (int i = 0; i < N; i++) {
        DnsAnswer a;
        bool hit = dns_resolve(cache, db, strpool_internf(w->strings, "host%d.example", i),
                               QTYPE_A, SEC(N), SEC(900), &a);
        wrong += !hit || a.count != 1 || a.rr[0].addr != (0x0A000000u | (uint32_t)i);
    }
    CHECK_EQ_INT(wrong, 0);
    dns_cache_destroy(cache);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_build_the_dnsbl_query_name(void)
{
    StrPool *sp = strpool_create();
    StrId zone = strpool_intern(sp, "zen.example");
    StrId q = dns_reverse_name(sp, ip("198.51.100.10"), zone);
    CHECK_EQ_STR(strpool_get(sp, q), "10.100.51.198.zen.example");
    /* The example of docs/design/mail-facts.md / RFC 5782 style. */
    CHECK_EQ_STR(strpool_get(sp, dns_reverse_name(sp, ip("203.0.113.42"), zone)),
                 "42.113.0.203.zen.example");
    CHECK_EQ_STR(strpool_get(sp, dns_reverse_name(sp, ip("127.0.0.2"), zone)),
                 "2.0.0.127.zen.example");
    strpool_destroy(sp);
}

static void dns_should_describe_answers_in_words(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    char buf[256];
    DnsAnswer a;
    Rng rng;
    rng_seed(&rng, 1);

    dns_db_query(db, str(w, "b.example"), QTYPE_MX, 0, &a);
    dns_sort_mx(&a, &rng);
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_MX, w->strings, buf, sizeof buf),
                 "10 mx1.b.example, 20 mx2.b.example, 30 mx3.b.example");

    dns_db_query(db, str(w, "mx1.b.example"), QTYPE_A, 0, &a);
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_A, w->strings, buf, sizeof buf), "203.0.113.25");

    dns_db_query(db, str(w, "nowhere.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_MX, w->strings, buf, sizeof buf), "NXDOMAIN");

    dns_db_query(db, str(w, "c.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_MX, w->strings, buf, sizeof buf),
                 "no MX record (NODATA)");

    /* The header documents "0 . (null MX)"; the text may say more after it. */
    dns_db_query(db, str(w, "null.example"), QTYPE_MX, 0, &a);
    dns_format_answer(&a, QTYPE_MX, w->strings, buf, sizeof buf);
    CHECK(strncmp(buf, "0 . (null MX", 12) == 0);

    DnsAnswer fail = { .rcode = RCODE_SERVFAIL };
    CHECK_EQ_STR(dns_format_answer(&fail, QTYPE_MX, w->strings, buf, sizeof buf), "SERVFAIL");
    fail.rcode = RCODE_TIMEOUT;
    CHECK_EQ_STR(dns_format_answer(&fail, QTYPE_A, w->strings, buf, sizeof buf), "TIMEOUT");

    /* Two A records. */
    DnsAnswer two = { .rcode = RCODE_NOERROR, .count = 2 };
    two.rr[0].addr = ip("203.0.113.25");
    two.rr[1].addr = ip("203.0.113.26");
    CHECK_EQ_STR(dns_format_answer(&two, QTYPE_A, w->strings, buf, sizeof buf),
                 "203.0.113.25, 203.0.113.26");
    /* A short buffer truncates, NUL-terminated. */
    char small[8];
    CHECK_EQ_STR(dns_format_answer(&two, QTYPE_A, w->strings, small, sizeof small), "203.0.1");
    dns_db_destroy(db);
    world_destroy(w);
}

/* Windows that overlap combine: the name fails while any covers it; the end of an inner window
 * does not end the outer one. */
static void dns_should_fail_while_any_overlapping_window_covers_the_name(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, SEC(0), SEC(1000));
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, SEC(1), SEC(2));
    /* Back to back with the outer one: the gap at 1000 s is closed by the next. */
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, SEC(1000), SEC(1100));
    DnsAnswer a;
    int64_t times[] = { SEC(0), SEC(1), SEC(2), SEC(3), SEC(999), SEC(1000), SEC(1099) };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        dns_db_query(db, str(w, "b.example"), QTYPE_MX, times[i], &a);
        CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    }
    dns_db_query(db, str(w, "b.example"), QTYPE_MX, SEC(1100), &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    TraceRcode rc = RCODE_NOERROR;
    CHECK(dns_db_failing(db, str(w, "mx1.b.example"), SEC(2), &rc) && rc == RCODE_SERVFAIL);
    CHECK(!dns_db_failing(db, str(w, "b.example"), SEC(1100), &rc));
    CHECK(!dns_db_failing(db, str(w, "c.example"), SEC(5), &rc));
    dns_db_destroy(db);
    world_destroy(w);
}

/* When windows of different kinds cover a name at once, the one that started last wins (at
 * equal starts, the one added last), whatever order they were added in and whether they are on
 * the name or on a domain above it. */
static void dns_should_let_the_latest_started_window_win(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    /* Added inner first: the order of adding does not matter, the start does. */
    dns_db_add_failure(db, str(w, "b.example"), RCODE_TIMEOUT, SEC(1), SEC(5));
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, SEC(0), SEC(1000));
    dns_db_add_failure(db, str(w, "example"), RCODE_NXDOMAIN, SEC(10), SEC(20));
    dns_db_add_failure(db, str(w, "mx1.b.example"), RCODE_SERVFAIL, SEC(30), SEC(40));
    dns_db_add_failure(db, str(w, "mx1.b.example"), RCODE_TIMEOUT, SEC(30), SEC(40));
    struct {
        const char *name;
        int64_t at;
        TraceRcode want;
    } cases[] = {
        { "b.example", SEC(0), RCODE_SERVFAIL },     { "b.example", SEC(1), RCODE_TIMEOUT },
        { "mx1.b.example", SEC(4), RCODE_TIMEOUT },  { "b.example", SEC(5), RCODE_SERVFAIL },
        { "mx1.b.example", SEC(15), RCODE_NXDOMAIN }, { "c.example", SEC(15), RCODE_NXDOMAIN },
        { "b.example", SEC(20), RCODE_SERVFAIL },    { "c.example", SEC(20), RCODE_NOERROR },
        { "mx1.b.example", SEC(30), RCODE_TIMEOUT }, { "b.example", SEC(30), RCODE_SERVFAIL },
        { "mx1.b.example", SEC(40), RCODE_SERVFAIL }, { "b.example", SEC(1000), RCODE_NOERROR },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        DnsAnswer a;
        dns_db_query(db, str(w, cases[i].name), QTYPE_A, cases[i].at, &a);
        if (a.rcode != cases[i].want) {
            fprintf(stderr, "case %zu: %s at %lld s\n", i, cases[i].name,
                    (long long)(cases[i].at / US_PER_S));
        }
        CHECK_EQ_INT(a.rcode, cases[i].want);
    }
    dns_db_destroy(db);
    world_destroy(w);
}

/* With 100 000 failure windows (the most a file can script) a name fails exactly when one of them
 * covers it: the windows are indexed by domain, and none of the others leaks onto it. Speed is
 * measured by bench/bench_limits, not here. */
static void dns_should_find_the_one_covering_window_among_100000(void)
{
    World *w = make_world();
    DnsDb *db = dns_db_create(w);
    for (unsigned i = 0; i < 100000; i++) {
        dns_db_add_failure(db, strpool_internf(w->strings, "f%u.example", i), RCODE_SERVFAIL,
                           SEC(0), INT64_MAX);
    }
    dns_db_add_failure(db, str(w, "b.example"), RCODE_SERVFAIL, SEC(0), INT64_MAX);
    StrId names[] = { str(w, "mx1.b.example"), str(w, "c.example") };
    int servfails[2] = { 0, 0 };
    for (int i = 0; i < 2000; i++) {
        DnsAnswer a;
        dns_db_query(db, names[i & 1], QTYPE_A, SEC(10), &a);
        servfails[i & 1] += a.rcode == RCODE_SERVFAIL;
    }
    CHECK_EQ_INT(servfails[0], 1000); /* under b.example: always fails */
    CHECK_EQ_INT(servfails[1], 0);    /* c.example: never */
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_name_an_address_under_in_addr_arpa(void)
{
    World *w = world_create();
    CHECK_EQ_STR(strpool_get(w->strings, world_ptr_name(w->strings, ip("192.0.2.66"))),
                 "66.2.0.192.in-addr.arpa");
    CHECK_EQ_STR(strpool_get(w->strings, world_ptr_name(w->strings, ip("10.0.0.255"))),
                 "255.0.0.10.in-addr.arpa");
    world_destroy(w);
}

static void dns_should_answer_a_ptr_query_with_the_name(void)
{
    World *w = world_create();
    DnsRecord *r = world_add_record(w);
    r->name = str(w, "10.100.51.198.in-addr.arpa");
    r->type = DNS_PTR;
    r->host = str(w, "smtp.a.example");
    r->ttl_us = SEC(3600);
    DnsDb *db = dns_db_create(w);
    DnsAnswer ans;
    dns_db_query(db, str(w, "10.100.51.198.in-addr.arpa"), QTYPE_PTR, 0, &ans);
    CHECK_EQ_INT(ans.rcode, RCODE_NOERROR);
    REQUIRE(ans.count == 1);
    CHECK_EQ_STR(strpool_get(w->strings, ans.rr[0].host), "smtp.a.example");
    CHECK_EQ_INT(ans.ttl_us, SEC(3600));
    char buf[128];
    CHECK_EQ_STR(dns_format_answer(&ans, QTYPE_PTR, w->strings, buf, sizeof buf), "smtp.a.example");
    /* The same name asked for an A record: NODATA. */
    dns_db_query(db, str(w, "10.100.51.198.in-addr.arpa"), QTYPE_A, 0, &ans);
    CHECK_EQ_INT(ans.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(ans.count, 0);
    /* An address with no PTR record: NXDOMAIN, which the filter reads as RDNS_NONE. */
    dns_db_query(db, str(w, "66.2.0.192.in-addr.arpa"), QTYPE_PTR, 0, &ans);
    CHECK_EQ_INT(ans.rcode, RCODE_NXDOMAIN);
    dns_db_destroy(db);
    world_destroy(w);
}

/* A scenario's "rdns" is world data: world_finalize gives every outgoing server with rdns (the
 * default) a PTR record naming it, once however often it runs, and none to a server without. */
static void dns_should_turn_an_outgoing_servers_rdns_into_a_ptr_record(void)
{
    World *w = world_create();
    int32_t good = world_add_node(w, NODE_OUTGOING, str(w, "smtp.a.example"));
    w->nodes[good].ip = ip("198.51.100.10");
    int32_t bad = world_add_node(w, NODE_OUTGOING, str(w, "mail.cheap-pills.xyz"));
    w->nodes[bad].ip = ip("192.0.2.66");
    w->nodes[bad].u.out.rdns = false;
    int32_t mx = world_add_node(w, NODE_INCOMING, str(w, "mx.b.example"));
    w->nodes[mx].ip = ip("203.0.113.25");
    world_finalize(w);
    world_finalize(w);
    uint32_t ptrs = 0;
    for (uint32_t i = 0; i < w->record_count; i++) {
        ptrs += w->records[i].type == DNS_PTR;
    }
    CHECK_EQ_INT(ptrs, 1);
    DnsDb *db = dns_db_create(w);
    DnsAnswer ans;
    dns_db_query(db, str(w, "10.100.51.198.in-addr.arpa"), QTYPE_PTR, 0, &ans);
    CHECK_EQ_INT(ans.rcode, RCODE_NOERROR);
    REQUIRE(ans.count == 1);
    CHECK_EQ_STR(strpool_get(w->strings, ans.rr[0].host), "smtp.a.example");
    CHECK_EQ_INT(ans.ttl_us, SEC(3600));
    dns_db_query(db, str(w, "66.2.0.192.in-addr.arpa"), QTYPE_PTR, 0, &ans);
    CHECK_EQ_INT(ans.rcode, RCODE_NXDOMAIN);
    dns_db_query(db, str(w, "25.113.0.203.in-addr.arpa"), QTYPE_PTR, 0, &ans);
    CHECK_EQ_INT(ans.rcode, RCODE_NXDOMAIN);
    dns_db_destroy(db);
    world_destroy(w);
}

/* ---- the record types beyond A and MX ---- */

static DnsRecord *add_rec(World *w, const char *name, DnsType type, int64_t ttl_s)
{
    DnsRecord *r = world_add_record(w);
    r->name = str(w, name);
    r->type = type;
    r->ttl_us = SEC(ttl_s);
    return r;
}

static void add_cname(World *w, const char *name, const char *target, int64_t ttl_s)
{
    add_rec(w, name, DNS_CNAME, ttl_s)->host = str(w, target);
}

static void dns_should_follow_a_cname_to_the_canonical_name(void)
{
    World *w = make_world();
    add_cname(w, "mail.d.example", "mx1.b.example", 120);
    add_mx(w, "d.example", 10, "mail.d.example", 3600);
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    dns_db_query(db, str(w, "mail.d.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    REQUIRE(a.count == 1);
    CHECK_EQ_INT(a.rr[0].addr, ip("203.0.113.25"));
    CHECK_EQ_INT(a.aliases, 1);
    CHECK_EQ_STR(strpool_get(w->strings, a.canonical), "mx1.b.example");
    CHECK_EQ_INT(a.ttl_us, SEC(120)); /* the CNAME's TTL is the smaller */
    char buf[128];
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_A, w->strings, buf, sizeof buf),
                 "(alias of mx1.b.example) 203.0.113.25");
    /* A CNAME itself is no answer to MX: the MX query follows it too (NODATA at the target). */
    dns_db_query(db, str(w, "mail.d.example"), QTYPE_MX, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 0);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_give_up_on_a_cname_chain_longer_than_8(void)
{
    World *w = world_create();
    char name[32], next[32];
    for (int i = 0; i < 9; i++) { /* c0 -> c1 -> ... -> c9, which has an A record */
        snprintf(name, sizeof name, "c%d.example", i);
        snprintf(next, sizeof next, "c%d.example", i + 1);
        add_cname(w, name, next, 300);
    }
    add_a(w, "c9.example", "192.0.2.9", 300);
    add_cname(w, "loop1.example", "loop2.example", 300);
    add_cname(w, "loop2.example", "loop1.example", 300);
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    dns_db_query(db, str(w, "c1.example"), QTYPE_A, 0, &a); /* 8 links: answered */
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.aliases, 8);
    CHECK_EQ_INT(a.count, 1);
    dns_db_query(db, str(w, "c0.example"), QTYPE_A, 0, &a); /* 9 links: too many */
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    CHECK_EQ_INT(a.count, 0);
    dns_db_query(db, str(w, "loop1.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_SERVFAIL);
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_answer_aaaa_txt_and_ptr(void)
{
    World *w = world_create();
    add_rec(w, "v6.example", DNS_AAAA, 300)->text = str(w, "2001:db8::25");
    add_rec(w, "b.example", DNS_TXT, 300)->text = str(w, "v=spf1 -all");
    add_rec(w, "25.113.0.203.in-addr.arpa", DNS_PTR, 300)->host = str(w, "mx.b.example");
    DnsDb *db = dns_db_create(w);
    DnsAnswer a;
    char buf[128];
    dns_db_query(db, str(w, "v6.example"), QTYPE_AAAA, 0, &a);
    REQUIRE(a.count == 1);
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_AAAA, w->strings, buf, sizeof buf), "2001:db8::25");
    /* An AAAA-only host has no IPv4 address: NODATA for A, which is all the simulation asks. */
    dns_db_query(db, str(w, "v6.example"), QTYPE_A, 0, &a);
    CHECK_EQ_INT(a.rcode, RCODE_NOERROR);
    CHECK_EQ_INT(a.count, 0);
    dns_db_query(db, str(w, "b.example"), QTYPE_TXT, 0, &a);
    REQUIRE(a.count == 1);
    CHECK_EQ_STR(dns_format_answer(&a, QTYPE_TXT, w->strings, buf, sizeof buf),
                 "\"v=spf1 -all\"");
    StrId rev = dns_reverse_name(w->strings, ip("203.0.113.25"), str(w, "in-addr.arpa"));
    dns_db_query(db, rev, QTYPE_PTR, 0, &a);
    REQUIRE(a.count == 1);
    CHECK_EQ_STR(host(w, &a, 0), "mx.b.example");
    dns_db_destroy(db);
    world_destroy(w);
}

static void dns_should_cache_a_negative_answer_for_the_zones_soa_minimum(void)
{
    World *w = world_create();
    DnsRecord *soa = add_rec(w, "b.example", DNS_SOA, 3600);
    soa->soa_minimum_us = SEC(60);
    DnsRecord *soa2 = add_rec(w, "c.example", DNS_SOA, 30); /* the TTL is the smaller here */
    soa2->soa_minimum_us = SEC(86400);
    add_a(w, "mx.b.example", "203.0.113.25", 300);
    DnsDb *db = dns_db_create(w);
    DnsCache *cache = dns_cache_create();
    DnsAnswer a;
    /* NXDOMAIN under b.example: min(3600, 60) = 60 s, not the resolver's 900 s. */
    CHECK(!dns_resolve(cache, db, str(w, "nobody.b.example"), QTYPE_A, 0, SEC(900), &a));
    CHECK_EQ_INT(a.rcode, RCODE_NXDOMAIN);
    CHECK_EQ_INT(a.ttl_us, SEC(60));
    CHECK(!dns_resolve(cache, db, str(w, "nobody.b.example"), QTYPE_A, SEC(60), SEC(900), &a));
    /* NODATA at a name of the zone: the same. */
    CHECK(!dns_resolve(cache, db, str(w, "mx.b.example"), QTYPE_MX, 0, SEC(900), &a));
    CHECK_EQ_INT(a.ttl_us, SEC(60));
    CHECK(!dns_resolve(cache, db, str(w, "x.y.c.example"), QTYPE_A, 0, SEC(900), &a));
    CHECK_EQ_INT(a.ttl_us, SEC(30));
    /* No SOA above the name: the resolver's own negative TTL. */
    CHECK(!dns_resolve(cache, db, str(w, "d.example"), QTYPE_A, 0, SEC(900), &a));
    CHECK_EQ_INT(a.ttl_us, SEC(900));
    dns_cache_destroy(cache);
    dns_db_destroy(db);
    world_destroy(w);
}

RUN_TESTS(TEST_CASE(dns_should_answer_mx_sorted_by_preference),
          TEST_CASE(dns_should_follow_a_cname_to_the_canonical_name),
          TEST_CASE(dns_should_give_up_on_a_cname_chain_longer_than_8),
          TEST_CASE(dns_should_answer_aaaa_txt_and_ptr),
          TEST_CASE(dns_should_cache_a_negative_answer_for_the_zones_soa_minimum),
          TEST_CASE(dns_should_name_an_address_under_in_addr_arpa),
          TEST_CASE(dns_should_answer_a_ptr_query_with_the_name),
          TEST_CASE(dns_should_turn_an_outgoing_servers_rdns_into_a_ptr_record),
          TEST_CASE(dns_should_sort_any_answer_ascending),
          TEST_CASE(dns_should_shuffle_equal_preferences_by_seed),
          TEST_CASE(dns_should_answer_nxdomain_for_an_unknown_name),
          TEST_CASE(dns_should_answer_nodata_for_a_name_without_that_type),
          TEST_CASE(dns_should_flag_a_null_mx),
          TEST_CASE(dns_should_fail_inside_a_failure_window),
          TEST_CASE(dns_should_fail_while_any_overlapping_window_covers_the_name),
          TEST_CASE(dns_should_let_the_latest_started_window_win),
          TEST_CASE(dns_should_find_the_one_covering_window_among_100000),
          TEST_CASE(dns_should_serve_from_cache_within_the_ttl),
          TEST_CASE(dns_should_always_ask_without_a_cache),
          TEST_CASE(dns_should_cache_nxdomain_for_the_negative_ttl),
          TEST_CASE(dns_should_never_cache_servfail),
          TEST_CASE(dns_should_keep_every_entry_while_the_cache_grows),
          TEST_CASE(dns_should_build_the_dnsbl_query_name),
          TEST_CASE(dns_should_describe_answers_in_words))
