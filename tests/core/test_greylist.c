/* test_greylist: postgrey's triplet database (sim/model/greylist.h).
 *
 * postgrey defaults (docs/design/mail-facts.md): key (client /24, sender, recipient); first sight,
 * or a retry sooner than --delay=300 s after first sight, is deferred; a later retry passes and the
 * triplet is remembered; triplets unseen for --max-age=35 days are forgotten; a retry more than
 * --retry-window=2 days after the first sighting starts over. The auto-whitelist counts a triplet's
 * first pass, at most once an hour per client IP address; at --auto-whitelist-clients=5 counts the
 * client is whitelisted.
 */
#include "model/greylist.h"
#include "model/world.h" /* US_PER_S, world_parse_ip */
#include "test.h"

#define SEC(x) ((int64_t)(x) * US_PER_S)
#define DAY(x) ((int64_t)(x) * 86400 * US_PER_S)

static const GreylistCfg POSTGREY = { SEC(300), DAY(35), 5, DAY(2) };

typedef struct {
    StrPool *sp;
    Greylist *gl;
    StrId alice, carol, bob, dave;
} Fixture;

static Fixture setup(void)
{
    Fixture f;
    f.sp = strpool_create();
    f.gl = greylist_create();
    f.alice = strpool_intern(f.sp, "alice@a.example");
    f.carol = strpool_intern(f.sp, "carol@c.example");
    f.bob = strpool_intern(f.sp, "bob@b.example");
    f.dave = strpool_intern(f.sp, "dave@b.example");
    return f;
}

static void teardown(Fixture *f)
{
    greylist_destroy(f->gl);
    strpool_destroy(f->sp);
}

static uint32_t ip(const char *s)
{
    uint32_t v = 0;
    CHECK(world_parse_ip(s, &v));
    return v;
}

static void greylist_should_defer_a_triplet_seen_for_the_first_time(void)
{
    Fixture f = setup();
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, ip("198.51.100.10"), f.alice, f.bob, SEC(0)),
                 GREY_DEFER_NEW);
    teardown(&f);
}

static void greylist_should_defer_a_retry_before_the_delay(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(1000)),
                 GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(1001)),
                 GREY_DEFER_EARLY);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(1299)),
                 GREY_DEFER_EARLY);
    /* 300 s after first sight, however many early retries there were in between. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(1300) - 1),
                 GREY_DEFER_EARLY);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(1300)), GREY_PASS);
    teardown(&f);
}

/* The usual story: Postfix retries 300-600 s later and gets through. */
static void greylist_should_pass_a_retry_after_the_delay(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, 0), GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(600)), GREY_PASS);
    teardown(&f);
}

static void greylist_should_remember_a_triplet_that_passed(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, 0);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(400)), GREY_PASS);
    /* Later mail with the same triplet goes straight through, at once and days later. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(401)), GREY_PASS);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(3)), GREY_PASS);
    teardown(&f);
}

static void greylist_should_keep_triplets_apart(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, 0);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(400)), GREY_PASS);
    /* Another sender, another recipient, another /24: each is a new triplet. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.carol, f.bob, SEC(401)),
                 GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.dave, SEC(402)),
                 GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, ip("198.51.101.10"), f.alice, f.bob, SEC(403)),
                 GREY_DEFER_NEW);
    /* Sender and recipient are not interchangeable. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.bob, f.alice, SEC(404)),
                 GREY_DEFER_NEW);
    teardown(&f);
}

/* postgrey keys by the /24 (lookup-by-subnet, its default): a retry from another host of the
 * same /24 (a server farm) counts as the same client. */
static void greylist_should_share_a_triplet_across_a_slash_24(void)
{
    Fixture f = setup();
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, ip("203.0.113.5"), f.alice, f.bob, 0),
                 GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, ip("203.0.113.200"), f.alice, f.bob, SEC(100)),
                 GREY_DEFER_EARLY);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, ip("203.0.113.77"), f.alice, f.bob, SEC(300)),
                 GREY_PASS);
    /* 203.0.112.x is a different /24 even though it is numerically adjacent. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, ip("203.0.112.255"), f.alice, f.bob, SEC(301)),
                 GREY_DEFER_NEW);
    teardown(&f);
}

/* Forgotten after max-age without being seen (counted from the last sighting, not the first). */
static void greylist_should_forget_triplets_older_than_max_age(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, 0);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(300)), GREY_PASS);
    /* Seen again after 30 days: still known (and now last seen at day 30). */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(30)), GREY_PASS);
    /* 35 days after that last sighting: still within max-age. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(65)), GREY_PASS);
    /* More than 35 days of silence: forgotten, greylisted again from scratch. */
    int64_t t = DAY(65) + DAY(35) + 1;
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, t), GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, t + SEC(299)),
                 GREY_DEFER_EARLY);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, t + SEC(300)),
                 GREY_PASS);
    teardown(&f);
}

/* Five counted passes (first passes of five triplets, an hour or more apart) whitelist the
 * client's IP address: its next new triplet is not greylisted. */
static void greylist_should_whitelist_a_client_after_five_passes(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    StrId senders[5];
    for (int i = 0; i < 5; i++) {
        senders[i] = strpool_internf(f.sp, "user%d@a.example", i);
    }
    int64_t t = 0;
    for (int i = 0; i < 5; i++) {
        CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, senders[i], f.bob, t),
                     GREY_DEFER_NEW);
        CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, senders[i], f.bob, t + SEC(300)),
                     GREY_PASS);
        t += SEC(4000);
        if (i < 4) {
            /* Not yet: a brand-new triplet from this client is still greylisted. */
            StrId probe = strpool_internf(f.sp, "probe%d@z.example", i);
            CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, probe, f.dave, t),
                         GREY_DEFER_NEW);
        }
    }
    StrId stranger = strpool_intern(f.sp, "new@elsewhere.example");
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, stranger, f.dave, t),
                 GREY_WHITELISTED);
    teardown(&f);
}

/* postgrey's auto-whitelist key is the client's address (client_address), not its /24: another
 * host of the same network is not whitelisted with it. */
static void greylist_should_whitelist_a_client_address_not_its_network(void)
{
    Fixture f = setup();
    GreylistCfg cfg = POSTGREY;
    cfg.auto_whitelist = 1;
    uint32_t client = ip("198.51.100.10");
    greylist_check(f.gl, &cfg, client, f.alice, f.bob, 0);
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.alice, f.bob, SEC(300)), GREY_PASS);
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.carol, f.dave, SEC(301)), GREY_WHITELISTED);
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, ip("198.51.100.99"), f.carol, f.dave, SEC(302)),
                 GREY_DEFER_NEW);
    teardown(&f);
}

/* Later deliveries of a triplet that has passed do not count: only its first pass does. */
static void greylist_should_count_only_a_triplets_first_pass(void)
{
    Fixture f = setup();
    GreylistCfg cfg = POSTGREY;
    cfg.auto_whitelist = 2;
    uint32_t client = ip("198.51.100.10");
    greylist_check(f.gl, &cfg, client, f.alice, f.bob, 0);
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.alice, f.bob, SEC(300)), GREY_PASS);
    /* The same triplet, hours apart: it passes as known, but counts no more. */
    for (int h = 2; h <= 10; h += 2) {
        CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.alice, f.bob, SEC(h * 3600)),
                     GREY_PASS);
    }
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.carol, f.dave, SEC(11 * 3600)),
                 GREY_DEFER_NEW);
    teardown(&f);
}

/* First passes of several triplets within one hour count once. */
static void greylist_should_count_a_client_at_most_once_an_hour(void)
{
    Fixture f = setup();
    GreylistCfg cfg = POSTGREY;
    cfg.auto_whitelist = 2;
    uint32_t client = ip("198.51.100.10");
    StrId rcpt[4];
    for (int i = 0; i < 4; i++) {
        rcpt[i] = strpool_internf(f.sp, "user%d@b.example", i);
        greylist_check(f.gl, &cfg, client, f.alice, rcpt[i], SEC(i));
    }
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.alice, rcpt[i], SEC(400 + i)),
                     GREY_PASS);
    }
    /* One count so far: a new triplet is still greylisted. */
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.carol, f.dave, SEC(500)), GREY_DEFER_NEW);
    /* An hour after the count, the next first pass counts: whitelisted. */
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.carol, f.dave, SEC(400 + 3600)), GREY_PASS);
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.carol, f.bob, SEC(400 + 3601)),
                 GREY_WHITELISTED);
    teardown(&f);
}

/* A first retry more than --retry-window after the first sighting is too late: postgrey starts
 * the triplet over, so it is deferred as new and passes one delay later. */
static void greylist_should_start_over_after_the_retry_window(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, 0), GREY_DEFER_NEW);
    /* Exactly at the window's end: still in time. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.dave, 0), GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.dave, DAY(2)), GREY_PASS);
    /* Early retries do not stretch the window: it counts from the first sighting. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, SEC(100)),
                 GREY_DEFER_EARLY);
    int64_t late = DAY(2) + SEC(1);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, late), GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, late + SEC(299)),
                 GREY_DEFER_EARLY);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, late + SEC(300)),
                 GREY_PASS);
    /* A triplet that has passed keeps passing, however long after the window. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(20)), GREY_PASS);
    teardown(&f);
}

static void greylist_should_never_whitelist_when_auto_whitelist_is_off(void)
{
    Fixture f = setup();
    GreylistCfg cfg = POSTGREY;
    cfg.auto_whitelist = 0;
    uint32_t client = ip("198.51.100.10");
    for (int i = 0; i < 10; i++) {
        StrId s = strpool_internf(f.sp, "user%d@a.example", i);
        greylist_check(f.gl, &cfg, client, s, f.bob, 0);
        CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, s, f.bob, SEC(300)), GREY_PASS);
    }
    CHECK_EQ_INT(greylist_check(f.gl, &cfg, client, f.carol, f.dave, SEC(301)), GREY_DEFER_NEW);
    teardown(&f);
}

/* Many triplets (the table starts at 64 slots and must grow): each still gets its own verdict. */
static void greylist_should_keep_every_triplet_while_growing(void)
{
    enum { N = 2000 };
    Fixture f = setup();
    GreylistCfg cfg = POSTGREY;
    cfg.auto_whitelist = 0;
    StrId rcpt[N];
    for (int i = 0; i < N; i++) {
        rcpt[i] = strpool_internf(f.sp, "user%d@b.example", i);
    }
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        uint32_t client = ((uint32_t)(i % 50) << 8) | 0x0A000001u; /* 50 different /24s */
        wrong += greylist_check(f.gl, &cfg, client, f.alice, rcpt[i], SEC(i)) != GREY_DEFER_NEW;
    }
    CHECK_EQ_INT(wrong, 0);
    /* Every even one retries in time and passes; the odd ones retry too early. */
    for (int i = 0; i < N; i++) {
        uint32_t client = ((uint32_t)(i % 50) << 8) | 0x0A000001u;
        GreyVerdict want = i % 2 == 0 ? GREY_PASS : GREY_DEFER_EARLY;
        int64_t t = i % 2 == 0 ? SEC(i + 300) : SEC(i + 299);
        wrong += greylist_check(f.gl, &cfg, client, f.alice, rcpt[i], t) != want;
    }
    CHECK_EQ_INT(wrong, 0);
    teardown(&f);
}

static void greylist_should_start_over_when_the_first_retry_comes_after_the_retry_window(void)
{
    Fixture f = setup();
    uint32_t client = ip("198.51.100.10");
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, 0), GREY_DEFER_NEW);
    /* Two days and a second later: too late, a new triplet (postgrey --retry-window). */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(2) + SEC(1)),
                 GREY_DEFER_NEW);
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(2) + SEC(301)),
                 GREY_PASS);
    /* Once passed, the window no longer applies: a week later it still passes. */
    CHECK_EQ_INT(greylist_check(f.gl, &POSTGREY, client, f.alice, f.bob, DAY(9)), GREY_PASS);
    teardown(&f);
}

RUN_TESTS(TEST_CASE(greylist_should_defer_a_triplet_seen_for_the_first_time),
          TEST_CASE(greylist_should_start_over_when_the_first_retry_comes_after_the_retry_window),
          TEST_CASE(greylist_should_defer_a_retry_before_the_delay),
          TEST_CASE(greylist_should_pass_a_retry_after_the_delay),
          TEST_CASE(greylist_should_remember_a_triplet_that_passed),
          TEST_CASE(greylist_should_keep_triplets_apart),
          TEST_CASE(greylist_should_share_a_triplet_across_a_slash_24),
          TEST_CASE(greylist_should_forget_triplets_older_than_max_age),
          TEST_CASE(greylist_should_whitelist_a_client_after_five_passes),
          TEST_CASE(greylist_should_whitelist_a_client_address_not_its_network),
          TEST_CASE(greylist_should_count_only_a_triplets_first_pass),
          TEST_CASE(greylist_should_count_a_client_at_most_once_an_hour),
          TEST_CASE(greylist_should_start_over_after_the_retry_window),
          TEST_CASE(greylist_should_never_whitelist_when_auto_whitelist_is_off),
          TEST_CASE(greylist_should_keep_every_triplet_while_growing))
