/* spamfilter: SpamAssassin-style scoring and a Bayes classifier that learns.
 *
 * Scoring: each named rule (mail/rules.h SpamRule) that fires adds its score; the sum is compared with
 * required_score. The result carries the exact X-Spam-Status value a real filter writes
 * ("Yes, score=7.3 required=5.0 tests=SUBJ_ALL_CAPS,URIBL_BLACK autolearn=no").
 * Bayes: token counts per filter (Robinson's combining of Graham's per-token probabilities); it
 * votes only once it has learned bayes_min_spam spam and bayes_min_ham ham messages, as real
 * SpamAssassin waits for 200 of each. It learns from user clicks (spam / not spam) and from
 * auto-learning (score below autolearn_ham or above autolearn_spam).
 * Owns the token database (hashes of tokens with their spam and ham counts), and SpamLists: a
 * filter's URI blocklist and suspicious top-level domains indexed once, so a message costs the
 * length of its text, not its links times the list (a list may hold 300 000 names).
 */
#ifndef MAILSIM_SPAMFILTER_H
#define MAILSIM_SPAMFILTER_H

#include "model/world.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Bayes Bayes;
typedef struct SpamLists SpamLists;

/* What the filter sees of one message. */
typedef struct {
    const char *subject;
    const char *body;
    const char *sender;   /* envelope sender address, "" for a bounce */
    bool has_date;
    bool relay_rdns;      /* a PTR look-up of the sending server's IP found a name (else
                             RDNS_NONE fires) */
    bool relay_in_sbl;    /* the sending server's IP is on the filter's SBL zone */
} SpamInput;

typedef struct {
    int32_t score_milli;
    bool fired[RULE_COUNT];
    bool is_spam;
    double bayes_p;       /* Bayes spam probability, or -1 when Bayes did not vote */
    int autolearn;        /* -1 no, 0 ham, 1 spam */
    char tests[256];      /* "SUBJ_ALL_CAPS,URIBL_BLACK" or "none" */
    char tests_scored[320]; /* "RDNS_NONE=0.793,URIBL_BLACK=1.7" (_TESTSSCORES_) or "none" */
    char status[384];     /* X-Spam-Status value */
} SpamResult;

/* Never returns NULL. */
Bayes *bayes_create(void);
void bayes_destroy(Bayes *b);

/* The lists of `cfg` (uribl, bad_tlds; StrIds of `sp`), indexed. Never returns NULL. cfg and sp
 * must outlive the result. */
SpamLists *spam_lists_create(const FilterCfg *cfg, const StrPool *sp);
void spam_lists_destroy(SpamLists *lists);

/* Scores `in` with `cfg`'s rules, `lists` (spam_lists_create of cfg) and `bayes` (may be NULL).
 * Does not learn. */
void spam_score(const FilterCfg *cfg, const SpamLists *lists, Bayes *bayes, const SpamInput *in,
                SpamResult *out);
/* The same verdict, but tests, tests_scored and status are left empty: for a run that shows
 * them nowhere (formatting them was a visible share of a bulk run without a trace). */
void spam_judge(const FilterCfg *cfg, const SpamLists *lists, Bayes *bayes, const SpamInput *in,
                SpamResult *out);

/* Learns a message as spam (true) or ham. Re-learning a message the other way first unlearns
 * it, as sa-learn does; `msg_key` identifies the message (e.g. its index). Returns false when
 * it was already learned that way (nothing changes). */
bool bayes_learn(Bayes *b, uint32_t msg_key, const char *subject, const char *body,
                 const char *sender, bool spam);

uint32_t bayes_spam_count(const Bayes *b);
uint32_t bayes_ham_count(const Bayes *b);

/* Spam probability of a message, or -1 when fewer than the minimum messages are learned. */
double bayes_probability(Bayes *b, uint32_t min_spam, uint32_t min_ham, const char *subject,
                         const char *body, const char *sender);

/* Number of URLs ("http://" or "https://") in a body. */
uint32_t spam_count_links(const char *body);

#endif
