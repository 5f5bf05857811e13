/* rules: spam rule names and default scores (see rules.h). */
#include "mail/rules.h"

const char *const RULE_NAMES[RULE_COUNT] = {
    "SUBJ_ALL_CAPS", "MANY_LINKS", "FROM_SUSPICIOUS_NTLD", "URIBL_BLACK", "MISSING_DATE",
    "RDNS_NONE",     "RCVD_IN_SBL", "BAYES_00",            "BAYES_50",    "BAYES_99",
};

/* SpamAssassin default scores (docs/design/mail-facts.md); MANY_LINKS is mailsim's own rule. */
const int32_t RULE_DEFAULT_MILLI[RULE_COUNT] = {
    500, 1500, 500, 1700, 2700, 2400, 2600, -1900, 800, 3500,
};
