/* test_spamfilter: rule scoring and the Bayes classifier (sim/model/spamfilter.h).
 *
 * Scores are the SpamAssassin defaults listed in docs/design/mail-facts.md, typed in here from that
 * list (not read from the code's table) except MANY_LINKS, mailsim's own rule. SpamAssassin's own
 * source is the reference for the rest: is_spam is "score >= required_score" (PerMsgStatus.pm);
 * auto-learn is ham when the non-Bayes score is below bayes_auto_learn_threshold_nonspam (0.1) and
 * spam when it is at or above bayes_auto_learn_threshold_spam (12.0) (Plugin/AutoLearnThreshold.pm:
 * `if ($score < $min) ... elsif ($score >= $max)`); tests are listed alphabetically, "none" when no
 * rule hit; FROM_SUSPICIOUS_NTLD and URIBL domains match whatever the letter case.
 */
#include "model/spamfilter.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

/* docs/design/mail-facts.md (SpamAssassin's score set 3), in thousandths. */
#define SA_SUBJ_ALL_CAPS 500
#define SA_URIBL_BLACK 1700
#define SA_RCVD_IN_SBL 141
#define SA_RDNS_NONE 793
#define SA_MISSING_DATE 1360
#define SA_FROM_SUSPICIOUS_NTLD 500
#define SA_BAYES_00 (-1900)
#define SA_BAYES_50 800
#define SA_BAYES_99 3500

typedef struct {
    World *w;
    FilterCfg *cfg;
} Fixture;

/* A filter node with mail-facts defaults, plus one URI blocklist entry and two bad TLDs (the
 * defaults have none). */
static Fixture setup(void)
{
    Fixture f;
    f.w = world_create();
    int32_t n = world_add_node(f.w, NODE_FILTER, strpool_intern(f.w->strings, "filter.b.example"));
    f.cfg = &f.w->nodes[n].u.filter;
    StrId uribl[] = { strpool_intern(f.w->strings, "evil.example") };
    f.cfg->uribl = world_strids(f.w, uribl, 1);
    f.cfg->uribl_count = 1;
    StrId tlds[] = { strpool_intern(f.w->strings, "xyz"), strpool_intern(f.w->strings, "top") };
    f.cfg->bad_tlds = world_strids(f.w, tlds, 2);
    f.cfg->bad_tld_count = 2;
    return f;
}

static void teardown(Fixture *f)
{
    world_destroy(f->w);
}

/* spam_score with the lists of cfg as they are now (a case may change them after setup). */
static void score(const FilterCfg *cfg, const StrPool *sp, Bayes *bayes, const SpamInput *in,
                  SpamResult *out)
{
    SpamLists *lists = spam_lists_create(cfg, sp);
    spam_score(cfg, lists, bayes, in, out);
    spam_lists_destroy(lists);
}

/* A message no rule should care about. */
static SpamInput clean(void)
{
    return (SpamInput){ .subject = "Lunch on Friday?",
                        .body = "Shall we meet at noon by the library? See you there.",
                        .sender = "alice@a.example",
                        .has_date = true,
                        .relay_rdns = true,
                        .relay_in_sbl = false };
}

static int fired_count(const SpamResult *r)
{
    int n = 0;
    for (int i = 0; i < RULE_COUNT; i++) {
        n += r->fired[i];
    }
    return n;
}

static void spamfilter_should_take_mail_facts_defaults(void)
{
    Fixture f = setup();
    CHECK_EQ_INT(f.cfg->required_milli, 5000);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_SUBJ_ALL_CAPS], SA_SUBJ_ALL_CAPS);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_URIBL_BLACK], SA_URIBL_BLACK);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_RCVD_IN_SBL], SA_RCVD_IN_SBL);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_RDNS_NONE], SA_RDNS_NONE);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_MISSING_DATE], SA_MISSING_DATE);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_FROM_SUSPICIOUS_NTLD], SA_FROM_SUSPICIOUS_NTLD);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_BAYES_00], SA_BAYES_00);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_BAYES_50], SA_BAYES_50);
    CHECK_EQ_INT(f.cfg->score_milli[RULE_BAYES_99], SA_BAYES_99);
    CHECK_EQ_INT(f.cfg->autolearn_ham_milli, 100);
    CHECK_EQ_INT(f.cfg->autolearn_spam_milli, 12000);
    CHECK_EQ_INT(f.cfg->bayes_min_spam, 200);
    CHECK_EQ_INT(f.cfg->bayes_min_ham, 200);
    teardown(&f);
}

static void spamfilter_should_fire_nothing_on_a_clean_message(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    SpamResult r;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK_EQ_INT(fired_count(&r), 0);
    CHECK_EQ_INT(r.score_milli, 0);
    CHECK(!r.is_spam);
    CHECK_EQ_STR(r.tests, "none");
    CHECK(r.bayes_p < 0);
    CHECK_EQ_STR(r.status, "No, score=0.0 required=5.0 tests=none autolearn=disabled");
    teardown(&f);
}

static void spamfilter_should_fire_subj_all_caps_on_a_shouting_subject(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    SpamResult r;
    static const char *const shouting[] = { "FREE MONEY NOW", "WIN $1000 NOW!!!",
                                            "URGENT: ACT TODAY" };
    static const char *const quiet[] = { "Free money now", "Meeting at 10", "FREE money",
                                         "OK", "" };
    for (size_t i = 0; i < sizeof shouting / sizeof shouting[0]; i++) {
        in.subject = shouting[i];
        score(f.cfg, f.w->strings, NULL, &in, &r);
        CHECK(r.fired[RULE_SUBJ_ALL_CAPS]);
        CHECK_EQ_INT(r.score_milli, SA_SUBJ_ALL_CAPS);
        CHECK_EQ_INT(fired_count(&r), 1);
    }
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        in.subject = quiet[i];
        score(f.cfg, f.w->strings, NULL, &in, &r);
        CHECK(!r.fired[RULE_SUBJ_ALL_CAPS]);
    }
    teardown(&f);
}

static void spamfilter_should_count_links(void)
{
    CHECK_EQ_INT(spam_count_links(""), 0);
    CHECK_EQ_INT(spam_count_links("no links here, just http and https words"), 0);
    CHECK_EQ_INT(spam_count_links("see http://a.example/ and https://b.example/x"), 2);
    CHECK_EQ_INT(spam_count_links("http://a.examplehttp://b.example"), 2);
    CHECK_EQ_INT(spam_count_links("ftp://files.example/ is not a web link"), 0);
}

/* MANY_LINKS fires above max_links (5 by default): 5 links do not, 6 do. */
static void spamfilter_should_fire_many_links_above_the_limit(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    SpamResult r;
    in.body = "http://1.example http://2.example https://3.example http://4.example "
              "http://5.example";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(!r.fired[RULE_MANY_LINKS]);
    in.body = "http://1.example http://2.example https://3.example http://4.example "
              "http://5.example https://6.example";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_MANY_LINKS]);
    CHECK_EQ_INT(r.score_milli, f.cfg->score_milli[RULE_MANY_LINKS]);
    /* The limit is configurable. */
    f.cfg->max_links = 10;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(!r.fired[RULE_MANY_LINKS]);
    f.cfg->max_links = 0;
    in.body = "one link: https://a.example";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_MANY_LINKS]);
    teardown(&f);
}

static void spamfilter_should_fire_from_suspicious_ntld_on_listed_tlds(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    SpamResult r;
    in.sender = "deals@cheap-pills.xyz";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_FROM_SUSPICIOUS_NTLD]);
    CHECK_EQ_INT(r.score_milli, SA_FROM_SUSPICIOUS_NTLD);
    in.sender = "offers@mail.winner.top";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_FROM_SUSPICIOUS_NTLD]);
    /* Not: another TLD, a TLD that only starts like a listed one, a bounce's null sender. */
    static const char *const fine[] = { "alice@a.example", "x@shop.xyzzy", "x@top.example",
                                        "xyz@a.example", "" };
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        in.sender = fine[i];
        score(f.cfg, f.w->strings, NULL, &in, &r);
        CHECK(!r.fired[RULE_FROM_SUSPICIOUS_NTLD]);
    }
    teardown(&f);
}

static void spamfilter_should_fire_uribl_black_on_listed_domains_and_subdomains(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    SpamResult r;
    static const char *const hits[] = {
        "Click http://evil.example/win now",
        "Click https://www.evil.example/win now",
        "Go to http://a.b.evil.example:8080/x",
        "<a href=\"http://evil.example\">here</a>",
        "http://evil.example?id=1",
    };
    for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
        in.body = hits[i];
        score(f.cfg, f.w->strings, NULL, &in, &r);
        CHECK(r.fired[RULE_URIBL_BLACK]);
        CHECK_EQ_INT(r.score_milli, SA_URIBL_BLACK);
    }
    static const char *const misses[] = {
        "Click http://notevil.example/win",      /* same ending, different name */
        "Click http://evil.example.org/win",     /* listed name inside another domain */
        "See https://good.example/evil.example", /* listed name only in the path */
        "plain text mentioning evil dot example",
    };
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
        in.body = misses[i];
        score(f.cfg, f.w->strings, NULL, &in, &r);
        CHECK(!r.fired[RULE_URIBL_BLACK]);
    }
    teardown(&f);
}

/* Domain names are case-insensitive (RFC 4343); SpamAssassin lower-cases URI hosts before the
 * URIBL look-up and its FROM_SUSPICIOUS_NTLD pattern carries /i. */
static void spamfilter_should_match_domains_whatever_their_case(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    SpamResult r;
    in.body = "Click http://WWW.Evil.Example/win now";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_URIBL_BLACK]);
    in = clean();
    in.sender = "Deals@Cheap-Pills.XYZ";
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_FROM_SUSPICIOUS_NTLD]);
    teardown(&f);
}

static void spamfilter_should_fire_relay_and_header_rules_from_their_flags(void)
{
    Fixture f = setup();
    SpamResult r;
    SpamInput in = clean();
    in.has_date = false;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_MISSING_DATE]);
    CHECK_EQ_INT(fired_count(&r), 1);
    CHECK_EQ_INT(r.score_milli, SA_MISSING_DATE);

    in = clean();
    in.relay_rdns = false;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_RDNS_NONE]);
    CHECK_EQ_INT(fired_count(&r), 1);
    CHECK_EQ_INT(r.score_milli, SA_RDNS_NONE);

    in = clean();
    in.relay_in_sbl = true;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.fired[RULE_RCVD_IN_SBL]);
    CHECK_EQ_INT(fired_count(&r), 1);
    CHECK_EQ_INT(r.score_milli, SA_RCVD_IN_SBL);
    teardown(&f);
}

/* Everything but Bayes at once: the total is the plain sum, and it is spam. */
static void spamfilter_should_sum_the_scores_of_fired_rules(void)
{
    Fixture f = setup();
    SpamInput in = { .subject = "CHEAP PILLS TODAY",
                     .body = "http://evil.example/1 http://2.example http://3.example "
                             "http://4.example http://5.example http://6.example",
                     .sender = "promo@pills.top",
                     .has_date = false,
                     .relay_rdns = false,
                     .relay_in_sbl = true };
    SpamResult r;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK_EQ_INT(fired_count(&r), 7);
    CHECK_EQ_INT(r.score_milli, SA_SUBJ_ALL_CAPS + f.cfg->score_milli[RULE_MANY_LINKS] +
                                    SA_FROM_SUSPICIOUS_NTLD + SA_URIBL_BLACK + SA_MISSING_DATE +
                                    SA_RDNS_NONE + SA_RCVD_IN_SBL);
    CHECK(r.is_spam);
    CHECK_EQ_STR(r.tests, "FROM_SUSPICIOUS_NTLD,MANY_LINKS,MISSING_DATE,RCVD_IN_SBL,RDNS_NONE,"
                          "SUBJ_ALL_CAPS,URIBL_BLACK");
    /* Changed scores are honoured. */
    f.cfg->score_milli[RULE_RCVD_IN_SBL] = 100;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK_EQ_INT(r.score_milli, SA_SUBJ_ALL_CAPS + f.cfg->score_milli[RULE_MANY_LINKS] +
                                    SA_FROM_SUSPICIOUS_NTLD + SA_URIBL_BLACK + SA_MISSING_DATE +
                                    SA_RDNS_NONE + 100);
    teardown(&f);
}

/* The mail-facts example: 1.36 + 0.793 + 0.5 + 1.7 = 4.353, shown as 4.4; tests alphabetical,
 * each with its score as configured (_TESTSSCORES_); Bayes present but not voting (too little
 * training) so auto-learn is evaluated: 4.353 is between 0.1 and 12.0 -> "no". */
static void spamfilter_should_write_the_x_spam_status_value(void)
{
    Fixture f = setup();
    Bayes *b = bayes_create();
    SpamInput in = { .subject = "YOU HAVE WON",
                     .body = "Claim at http://evil.example/claim",
                     .sender = "lottery@prizes.example",
                     .has_date = false,
                     .relay_rdns = false,
                     .relay_in_sbl = false };
    SpamResult r;
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.score_milli, 4353);
    CHECK(!r.is_spam);
    CHECK_EQ_INT(r.autolearn, -1);
    CHECK_EQ_STR(r.tests, "MISSING_DATE,RDNS_NONE,SUBJ_ALL_CAPS,URIBL_BLACK");
    CHECK_EQ_STR(r.tests_scored,
                 "MISSING_DATE=1.36,RDNS_NONE=0.793,SUBJ_ALL_CAPS=0.5,URIBL_BLACK=1.7");
    CHECK_EQ_STR(r.status, "No, score=4.4 required=5.0 "
                           "tests=MISSING_DATE,RDNS_NONE,SUBJ_ALL_CAPS,URIBL_BLACK autolearn=no");
    /* A stricter threshold: "Yes". */
    f.cfg->required_milli = 4000;
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK(r.is_spam);
    CHECK_EQ_STR(r.status, "Yes, score=4.4 required=4.0 "
                           "tests=MISSING_DATE,RDNS_NONE,SUBJ_ALL_CAPS,URIBL_BLACK autolearn=no");
    bayes_destroy(b);
    teardown(&f);
}

/* _TESTSSCORES_ prints a rule's score as SpamAssassin's Perl holds it: no trailing zeros. */
static void spamfilter_should_list_each_rule_with_its_configured_score(void)
{
    Fixture f = setup();
    SpamInput in = clean();
    in.has_date = false;
    SpamResult r;
    static const struct {
        int32_t milli;
        const char *want;
    } CASES[] = {
        { 793, "MISSING_DATE=0.793" }, { 1360, "MISSING_DATE=1.36" }, { 2000, "MISSING_DATE=2" },
        { -1900, "MISSING_DATE=-1.9" }, { -50, "MISSING_DATE=-0.05" }, { 0, "MISSING_DATE=0" },
        { 12345, "MISSING_DATE=12.345" },
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        f.cfg->score_milli[RULE_MISSING_DATE] = CASES[i].milli;
        score(f.cfg, f.w->strings, NULL, &in, &r);
        CHECK_EQ_STR(r.tests_scored, CASES[i].want);
    }
    teardown(&f);
}

/* is_spam is score >= required: exactly 5.0 is spam. */
static void spamfilter_should_call_a_score_equal_to_required_spam(void)
{
    Fixture f = setup();
    f.cfg->score_milli[RULE_MISSING_DATE] = 5000;
    SpamInput in = clean();
    in.has_date = false;
    SpamResult r;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(r.is_spam);
    CHECK_EQ_STR(r.status, "Yes, score=5.0 required=5.0 tests=MISSING_DATE autolearn=disabled");
    f.cfg->score_milli[RULE_MISSING_DATE] = 4999;
    score(f.cfg, f.w->strings, NULL, &in, &r);
    CHECK(!r.is_spam);
    teardown(&f);
}

/* Auto-learn on the score without Bayes rules: < 0.1 ham, >= 12.0 spam, otherwise no. */
static void spamfilter_should_pick_autolearn_by_thresholds(void)
{
    Fixture f = setup();
    Bayes *b = bayes_create();
    SpamInput in = clean();
    SpamResult r;
    score(f.cfg, f.w->strings, b, &in, &r); /* 0.0 */
    CHECK_EQ_INT(r.autolearn, 0);
    CHECK_EQ_STR(r.status, "No, score=0.0 required=5.0 tests=none autolearn=ham");

    in.has_date = false;
    f.cfg->score_milli[RULE_MISSING_DATE] = 99; /* 0.099 < 0.1 */
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.autolearn, 0);
    f.cfg->score_milli[RULE_MISSING_DATE] = 100; /* 0.1 is not below 0.1 */
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.autolearn, -1);
    f.cfg->score_milli[RULE_MISSING_DATE] = 11999;
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.autolearn, -1);
    f.cfg->score_milli[RULE_MISSING_DATE] = 12000; /* at the spam threshold */
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.autolearn, 1);
    CHECK_EQ_STR(r.status, "Yes, score=12.0 required=5.0 tests=MISSING_DATE autolearn=spam");

    /* Off when autolearn is off or Bayes is off. */
    f.cfg->autolearn = false;
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.autolearn, -1);
    CHECK(strstr(r.status, "autolearn=disabled") != NULL);
    f.cfg->autolearn = true;
    f.cfg->bayes = false;
    score(f.cfg, f.w->strings, b, &in, &r);
    CHECK_EQ_INT(r.autolearn, -1);
    bayes_destroy(b);
    teardown(&f);
}

/* ---- Bayes ---- */

#define SPAM_SUBJ "Cheap pills discount offer"
#define SPAM_BODY "Buy cheap viagra pills online, huge discount pharmacy offer expires today"
#define SPAM_FROM "promo@pharmacy.example"
#define HAM_SUBJ "Minutes of the physics department meeting"
#define HAM_BODY "Attached are the minutes from yesterday about the laboratory schedule and exam " \
                 "preparation for students"
#define HAM_FROM "alice@school.example"

static void bayes_should_not_vote_before_the_minimum_training(void)
{
    Bayes *b = bayes_create();
    CHECK(bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0);
    CHECK(bayes_learn(b, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM, true));
    /* One spam, no ham: still no vote even with minimums of 1. */
    CHECK(bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0);
    CHECK(bayes_learn(b, 2, HAM_SUBJ, HAM_BODY, HAM_FROM, false));
    CHECK(bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) >= 0);
    /* Real SpamAssassin's 200/200. */
    CHECK(bayes_probability(b, 200, 200, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0);
    CHECK(bayes_probability(b, 2, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0);
    CHECK(bayes_probability(b, 1, 2, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0);

    /* Through spam_score with the default 200/200: no BAYES_* rule. */
    World *w = world_create();
    int32_t n = world_add_node(w, NODE_FILTER, strpool_intern(w->strings, "f"));
    FilterCfg *cfg = &w->nodes[n].u.filter;
    SpamInput in = { SPAM_SUBJ, SPAM_BODY, SPAM_FROM, true, true, false };
    SpamResult r;
    score(cfg, w->strings, b, &in, &r);
    CHECK(r.bayes_p < 0);
    CHECK(!r.fired[RULE_BAYES_00] && !r.fired[RULE_BAYES_50] && !r.fired[RULE_BAYES_99]);
    world_destroy(w);
    bayes_destroy(b);
}

/* A classroom filter (1 spam + 1 ham is enough to vote): a message made of the ham's words gets
 * BAYES_00, one made of the spam's words BAYES_99, and the score moves by their default scores. */
static void bayes_should_tell_ham_from_spam_after_learning(void)
{
    Fixture f = setup();
    f.cfg->bayes_min_spam = 1;
    f.cfg->bayes_min_ham = 1;
    Bayes *b = bayes_create();
    CHECK(bayes_learn(b, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM, true));
    CHECK(bayes_learn(b, 2, HAM_SUBJ, HAM_BODY, HAM_FROM, false));
    CHECK_EQ_INT(bayes_spam_count(b), 1);
    CHECK_EQ_INT(bayes_ham_count(b), 1);

    SpamInput ham = { "Physics department meeting minutes",
                      "The minutes about the laboratory schedule and exam preparation",
                      HAM_FROM, true, true, false };
    SpamResult r;
    score(f.cfg, f.w->strings, b, &ham, &r);
    CHECK(r.bayes_p >= 0 && r.bayes_p < 0.01);
    CHECK(r.fired[RULE_BAYES_00]);
    CHECK(!r.fired[RULE_BAYES_50] && !r.fired[RULE_BAYES_99]);
    CHECK_EQ_INT(r.score_milli, SA_BAYES_00);
    CHECK_EQ_STR(r.tests, "BAYES_00");

    SpamInput spam = { "Discount pills offer", "Cheap viagra pills from an online pharmacy today",
                       SPAM_FROM, true, true, false };
    score(f.cfg, f.w->strings, b, &spam, &r);
    CHECK(r.bayes_p >= 0.99 && r.bayes_p <= 1.0);
    CHECK(r.fired[RULE_BAYES_99]);
    CHECK(!r.fired[RULE_BAYES_00] && !r.fired[RULE_BAYES_50]);
    CHECK_EQ_INT(r.score_milli, SA_BAYES_99);

    /* Words it has never seen: no evidence either way, 0.5, BAYES_50. */
    SpamInput unknown = { "Quarterly gardening newsletter", "Tulips, roses, daffodils bloom nicely",
                          "gardener@flowers.example", true, true, false };
    score(f.cfg, f.w->strings, b, &unknown, &r);
    CHECK(r.bayes_p > 0.40 && r.bayes_p < 0.60);
    CHECK(r.fired[RULE_BAYES_50]);
    CHECK_EQ_INT(r.score_milli, SA_BAYES_50);
    bayes_destroy(b);
    teardown(&f);
}

/* sa-learn semantics: learning a message the other way first forgets the old lesson; learning
 * it the same way again changes nothing and says so. */
static void bayes_should_unlearn_when_relearning_the_other_way(void)
{
    Bayes *b = bayes_create();
    CHECK(bayes_learn(b, 10, SPAM_SUBJ, SPAM_BODY, SPAM_FROM, true));
    CHECK(bayes_learn(b, 20, HAM_SUBJ, HAM_BODY, HAM_FROM, false));
    CHECK(bayes_learn(b, 30, "Weekly staff newsletter", "Cafeteria menu and parking notes",
                      "office@school.example", false));
    CHECK_EQ_INT(bayes_spam_count(b), 1);
    CHECK_EQ_INT(bayes_ham_count(b), 2);
    double before = bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM);
    CHECK(before > 0.99);

    /* Same way again: refused, nothing moves. */
    CHECK(!bayes_learn(b, 10, SPAM_SUBJ, SPAM_BODY, SPAM_FROM, true));
    CHECK(!bayes_learn(b, 20, HAM_SUBJ, HAM_BODY, HAM_FROM, false));
    CHECK_EQ_INT(bayes_spam_count(b), 1);
    CHECK_EQ_INT(bayes_ham_count(b), 2);
    CHECK(bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) == before);

    /* The user clicks "not spam" on message 10: it moves from the spam side to the ham side. */
    CHECK(bayes_learn(b, 10, SPAM_SUBJ, SPAM_BODY, SPAM_FROM, false));
    CHECK_EQ_INT(bayes_spam_count(b), 0);
    CHECK_EQ_INT(bayes_ham_count(b), 3);
    /* With no spam left Bayes cannot vote. */
    CHECK(bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0);

    /* Message 30 clicked as spam: now its words are spam words and message 10's are ham words. */
    CHECK(bayes_learn(b, 30, "Weekly staff newsletter", "Cafeteria menu and parking notes",
                      "office@school.example", true));
    CHECK_EQ_INT(bayes_spam_count(b), 1);
    CHECK_EQ_INT(bayes_ham_count(b), 2);
    CHECK(bayes_probability(b, 1, 1, SPAM_SUBJ, SPAM_BODY, SPAM_FROM) < 0.01);
    CHECK(bayes_probability(b, 1, 1, "Weekly staff newsletter", "Cafeteria menu and parking notes",
                            "office@school.example") > 0.99);
    bayes_destroy(b);
}

/* ---- RDNS_NONE from a real PTR look-up, in a whole run ---- */

/* Scenario 09 (its spam robot's server has "rdns": false), with `fail_reverse` the reverse zone
 * in-addr.arpa answers SERVFAIL all along. */
static Trace *run_spam_scenario(bool fail_reverse)
{
    Error err = { 0 };
    World *w = scenario_load_file(MAILSIM_SOURCE_DIR "/scenarios/09-spam-filtered.json", &err);
    if (!w) {
        return NULL;
    }
    if (fail_reverse) {
        Action *a = world_add_action(w);
        a->at_us = 0;
        a->kind = ACT_DNS_FAILURE;
        a->name = strpool_intern(w->strings, "in-addr.arpa");
        a->rcode = RCODE_SERVFAIL;
        a->until_us = INT64_MAX;
        world_finalize(w);
    }
    SimOptions so = { 0 };
    Trace *tr = sim_run_world(w, &so);
    world_destroy(w);
    return tr;
}

typedef struct {
    int asks, answers;   /* PTR queries and answers for the message */
    int answer_rcode;    /* of the last answer */
    char answer[64];     /* its text */
    char qname[64];
    char tests[256];     /* the verdict's rules with scores */
} PtrSeen;

static PtrSeen ptr_seen(const Trace *tr, const char *msg_id)
{
    PtrSeen p = { 0 };
    int32_t m = trace_find_msg(tr, msg_id);
    const TraceEvent *ev = trace_events(tr);
    for (size_t i = 0; i < trace_count(tr); i++) {
        const TraceEvent *e = &ev[i];
        if (e->msg != m) {
            continue;
        }
        if (e->kind == TK_DNS && e->num == QTYPE_PTR) {
            snprintf(p.qname, sizeof p.qname, "%s", trace_str(tr, e->aux));
            if (e->sub == TRACE_ASK) {
                p.asks++;
            } else {
                p.answers++;
                p.answer_rcode = e->num2;
                snprintf(p.answer, sizeof p.answer, "%s", trace_str(tr, e->text));
            }
        } else if (e->kind == TK_SPAM) {
            snprintf(p.tests, sizeof p.tests, "%s", trace_str(tr, e->aux));
        }
    }
    return p;
}

/* The receiving side asks its resolver for d.c.b.a.in-addr.arpa: NXDOMAIN for the spam robot's
 * server (no PTR), its name for Alice's; RDNS_NONE fires for the first only. */
static void spamfilter_should_fire_rdns_none_from_a_ptr_lookup(void)
{
    Trace *tr = run_spam_scenario(false);
    REQUIRE(tr != NULL);
    PtrSeen spam = ptr_seen(tr, "m2");
    CHECK_EQ_INT(spam.asks, 1);
    CHECK_EQ_INT(spam.answers, 1);
    CHECK_EQ_STR(spam.qname, "66.2.0.192.in-addr.arpa");
    CHECK_EQ_INT(spam.answer_rcode, RCODE_NXDOMAIN);
    CHECK(strstr(spam.tests, "RDNS_NONE=0.793") != NULL);
    PtrSeen ham = ptr_seen(tr, "m1");
    CHECK_EQ_INT(ham.asks, 1);
    CHECK_EQ_STR(ham.qname, "10.100.51.198.in-addr.arpa");
    CHECK_EQ_INT(ham.answer_rcode, RCODE_NOERROR);
    CHECK_EQ_STR(ham.answer, "smtp.a.example");
    CHECK(strstr(ham.tests, "RDNS_NONE") == NULL);
    trace_destroy(tr);
}

/* The answer decides, not the scenario's flag: when the reverse zone fails, Alice's server (which
 * has a PTR) gets no name either, and RDNS_NONE fires, as Postfix then records "unknown". */
static void spamfilter_should_fire_rdns_none_when_the_ptr_lookup_fails(void)
{
    Trace *tr = run_spam_scenario(true);
    REQUIRE(tr != NULL);
    PtrSeen ham = ptr_seen(tr, "m1");
    CHECK_EQ_INT(ham.answers, 1);
    CHECK_EQ_INT(ham.answer_rcode, RCODE_SERVFAIL);
    CHECK(strstr(ham.tests, "RDNS_NONE=0.793") != NULL);
    trace_destroy(tr);
}

RUN_TESTS(TEST_CASE(spamfilter_should_take_mail_facts_defaults),
          TEST_CASE(spamfilter_should_fire_nothing_on_a_clean_message),
          TEST_CASE(spamfilter_should_fire_subj_all_caps_on_a_shouting_subject),
          TEST_CASE(spamfilter_should_count_links),
          TEST_CASE(spamfilter_should_fire_many_links_above_the_limit),
          TEST_CASE(spamfilter_should_fire_from_suspicious_ntld_on_listed_tlds),
          TEST_CASE(spamfilter_should_fire_uribl_black_on_listed_domains_and_subdomains),
          TEST_CASE(spamfilter_should_match_domains_whatever_their_case),
          TEST_CASE(spamfilter_should_fire_relay_and_header_rules_from_their_flags),
          TEST_CASE(spamfilter_should_sum_the_scores_of_fired_rules),
          TEST_CASE(spamfilter_should_write_the_x_spam_status_value),
          TEST_CASE(spamfilter_should_list_each_rule_with_its_configured_score),
          TEST_CASE(spamfilter_should_fire_rdns_none_from_a_ptr_lookup),
          TEST_CASE(spamfilter_should_fire_rdns_none_when_the_ptr_lookup_fails),
          TEST_CASE(spamfilter_should_call_a_score_equal_to_required_spam),
          TEST_CASE(spamfilter_should_pick_autolearn_by_thresholds),
          TEST_CASE(bayes_should_not_vote_before_the_minimum_training),
          TEST_CASE(bayes_should_tell_ham_from_spam_after_learning),
          TEST_CASE(bayes_should_unlearn_when_relearning_the_other_way))
