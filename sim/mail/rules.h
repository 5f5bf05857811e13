/* rules: the spam filter's rules as SpamAssassin names them, with the default score of each
 * (docs/design/mail-facts.md) — the names a scenario's "scores" block, the X-Spam-Status header
 * and the inspector use.
 *
 * Vocabulary only: owns no state. A filter's actual scores are world state (FilterCfg), starting
 * from these defaults; what makes a rule fire is the filter's business (model/spamfilter.c).
 * Scores are thousandths of a point (`_milli`).
 */
#ifndef MAILSIM_RULES_H
#define MAILSIM_RULES_H

#include <stdint.h>

typedef enum {
    RULE_SUBJ_ALL_CAPS,
    RULE_MANY_LINKS,       /* mailsim's own: more than max_links URLs in the body */
    RULE_FROM_SUSPICIOUS_NTLD,
    RULE_URIBL_BLACK,      /* a body URL's domain is on the URI blocklist */
    RULE_MISSING_DATE,
    RULE_RDNS_NONE,
    RULE_RCVD_IN_SBL,      /* sending server's IP listed on the filter's IP blocklist zone */
    RULE_BAYES_00,
    RULE_BAYES_50,
    RULE_BAYES_99,
    RULE_COUNT
} SpamRule;

/* "SUBJ_ALL_CAPS", ... by SpamRule. */
extern const char *const RULE_NAMES[RULE_COUNT];
/* SpamAssassin's default scores, by SpamRule (BAYES_00 is negative: evidence of ham). */
extern const int32_t RULE_DEFAULT_MILLI[RULE_COUNT];

#endif
