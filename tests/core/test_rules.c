/* test_rules: the spam rules' names and default scores (sim/mail/rules.h). Expected values are
 * SpamAssassin's own rule names and default scores (docs/design/mail-facts.md), not copies of the
 * table's layout. */
#include "mail/rules.h"
#include "test.h"

#include <ctype.h>
#include <string.h>

static int32_t default_of(const char *name)
{
    for (int r = 0; r < RULE_COUNT; r++) {
        if (strcmp(RULE_NAMES[r], name) == 0) {
            return RULE_DEFAULT_MILLI[r];
        }
    }
    return INT32_MIN;
}

static void rules_should_use_spamassassin_names_once_each(void)
{
    for (int r = 0; r < RULE_COUNT; r++) {
        const char *n = RULE_NAMES[r];
        REQUIRE(n != NULL && n[0] != '\0');
        for (const char *p = n; *p; p++) {
            CHECK(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_');
        }
        for (int q = r + 1; q < RULE_COUNT; q++) {
            CHECK(strcmp(n, RULE_NAMES[q]) != 0);
        }
    }
    CHECK_EQ_STR(RULE_NAMES[RULE_URIBL_BLACK], "URIBL_BLACK");
    CHECK_EQ_STR(RULE_NAMES[RULE_BAYES_99], "BAYES_99");
}

/* One score set: SpamAssassin's set 3 (Bayes + network tests), the fourth column of
 * rules/50_scores.cf (4.0.x): "score MISSING_DATE 2.739 1.396 1.800 1.360", "score RDNS_NONE
 * 2.399 1.274 1.228 0.793", "score RCVD_IN_SBL 0 2.596 0 0.141", "score URIBL_BLACK 0 1.7 0 1.7",
 * "score BAYES_00 0 0 -1.5 -1.9", BAYES_50 "0 0 2.0 0.8", BAYES_99 "0 0 3.8 3.5"; SUBJ_ALL_CAPS
 * 0.5 and FROM_SUSPICIOUS_NTLD 0.5 in every set. */
static void rules_should_default_to_spamassassin_score_set_3(void)
{
    CHECK_EQ_INT(default_of("MISSING_DATE"), 1360);
    CHECK_EQ_INT(default_of("RDNS_NONE"), 793);
    CHECK_EQ_INT(default_of("RCVD_IN_SBL"), 141);
    CHECK_EQ_INT(default_of("URIBL_BLACK"), 1700);
    CHECK_EQ_INT(default_of("SUBJ_ALL_CAPS"), 500);
    CHECK_EQ_INT(default_of("FROM_SUSPICIOUS_NTLD"), 500);
    CHECK_EQ_INT(default_of("BAYES_00"), -1900);
    CHECK_EQ_INT(default_of("BAYES_50"), 800);
    CHECK_EQ_INT(default_of("BAYES_99"), 3500);
}

static void rules_should_count_only_bayes_00_as_evidence_of_ham(void)
{
    for (int r = 0; r < RULE_COUNT; r++) {
        CHECK(r == RULE_BAYES_00 ? RULE_DEFAULT_MILLI[r] < 0 : RULE_DEFAULT_MILLI[r] > 0);
    }
}

RUN_TESTS(TEST_CASE(rules_should_use_spamassassin_names_once_each),
          TEST_CASE(rules_should_default_to_spamassassin_score_set_3),
          TEST_CASE(rules_should_count_only_bayes_00_as_evidence_of_ham))
