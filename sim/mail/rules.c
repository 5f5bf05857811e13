/* rules: spam rule names and default scores (see rules.h). */
#include "mail/rules.h"

const char *const RULE_NAMES[RULE_COUNT] = {
    "SUBJ_ALL_CAPS", "MANY_LINKS", "FROM_SUSPICIOUS_NTLD", "URIBL_BLACK", "MISSING_DATE",
    "RDNS_NONE",     "RCVD_IN_SBL", "BAYES_00",            "BAYES_50",    "BAYES_99",
};

/* SpamAssassin 4.0's score set 3 (rules/50_scores.cf, fourth column; docs/design/mail-facts.md).
 * SUBJ_ALL_CAPS and FROM_SUSPICIOUS_NTLD have one score for every set; MANY_LINKS is mailsim's
 * own rule, and so is its score. */
const int32_t RULE_DEFAULT_MILLI[RULE_COUNT] = {
    [RULE_SUBJ_ALL_CAPS] = 500,
    [RULE_MANY_LINKS] = 1500,
    [RULE_FROM_SUSPICIOUS_NTLD] = 500,
    [RULE_URIBL_BLACK] = 1700,
    [RULE_MISSING_DATE] = 1360,
    [RULE_RDNS_NONE] = 793,
    [RULE_RCVD_IN_SBL] = 141,
    [RULE_BAYES_00] = -1900,
    [RULE_BAYES_50] = 800,
    [RULE_BAYES_99] = 3500,
};
