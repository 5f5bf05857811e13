/* rules: the spam filter's rules as SpamAssassin names them, with the default score of each
 * (docs/design/mail-facts.md) — the names a scenario's "scores" block, the X-Spam-Status header
 * and the inspector use. The defaults are ONE score set: SpamAssassin's set 3 (Bayes and network
 * tests on), the fourth column of rules/50_scores.cf, as a server running both uses. One rule is
 * mailsim's own (MANY_LINKS), and says so.
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
    RULE_RDNS_NONE,        /* the connecting server's IP has no PTR record (a look-up answers
                              NXDOMAIN or nothing) */
    RULE_RCVD_IN_SBL,      /* sending server's IP listed on the filter's IP blocklist zone */
    RULE_BAYES_00,
    RULE_BAYES_50,
    RULE_BAYES_99,
    RULE_COUNT
} SpamRule;

/* "SUBJ_ALL_CAPS", ... by SpamRule. */
extern const char *const RULE_NAMES[RULE_COUNT];
/* Default scores, by SpamRule: SpamAssassin's score set 3 (BAYES_00 is negative: evidence of
 * ham); MANY_LINKS's is mailsim's own. */
extern const int32_t RULE_DEFAULT_MILLI[RULE_COUNT];

#endif
