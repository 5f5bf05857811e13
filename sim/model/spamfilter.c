/* spamfilter: rule scoring and the Bayes classifier (see spamfilter.h).
 *
 * Bayes follows SpamAssassin's Bayes.pm: per-token probability p = (s/nspam) / (s/nspam +
 * h/nham), smoothed with Robinson's f = (S*X + n*p) / (S + n) (S = 0.16, X = 0.538); tokens with
 * |f - 0.5| < 0.346 are not interesting; the rest are combined with Fisher's chi-square method
 * (SpamBayes' chi2_spamprob). Tokens: lower-cased words of 3-24 letters/digits of the subject
 * (prefixed "S:") and body, and the sender's domain ("D:"), each counted once per message. Like
 * SpamAssassin, which keeps 40-bit SHA-1 prefixes of tokens, the database stores 64-bit hashes
 * (FNV-1a) of tokens, not the tokens themselves.
 */
#include "model/spamfilter.h"

#include "model/nameset.h"
#include "util/hash.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROBINSON_S 0.160
#define ROBINSON_X 0.538
#define MIN_PROB_STRENGTH 0.346
#define MAX_TOKENS 150

typedef uint64_t Token; /* FNV-1a hash of the token text; 0 = empty slot */

typedef struct {
    Token token;
    uint32_t spam, ham;
} TokenCount;

typedef struct {
    uint32_t key;
    int8_t as; /* 1 spam, 0 ham */
} Learned;

typedef struct {
    Token ids[1024];
    size_t count;
} TokenSet;

struct Bayes {
    TokenSet scratch; /* the tokens of the message `memo` holds */
    char *memo;       /* subject, body and sender of `scratch`, each NUL-terminated; the filter
                         scores then learns each message, and a newsletter run sends the same text
                         thousands of times, so the last tokenization is reused when the text is
                         the same (compared byte for byte) */
    size_t memo_len, memo_cap; /* memo_len 0 = nothing memoised */
    TokenCount *slots;
    size_t size, used;
    uint32_t nspam, nham;
    Learned *learned;
    size_t learned_count, learned_cap;
    uint32_t *learned_index; /* open addressing on key: learned index + 1, 0 = empty; at most
                                half full */
    size_t learned_index_size;
};

Bayes *bayes_create(void)
{
    Bayes *b = xcalloc(1, sizeof *b);
    b->size = 256;
    b->slots = xcalloc(b->size, sizeof *b->slots);
    return b;
}

void bayes_destroy(Bayes *b)
{
    if (!b) {
        return;
    }
    free(b->slots);
    free(b->memo);
    free(b->learned);
    free(b->learned_index);
    free(b);
}

static TokenCount *token_slot(TokenCount *slots, size_t size, Token token)
{
    size_t mask = size - 1;
    for (size_t i = (size_t)hash_u64(token) & mask;; i = (i + 1) & mask) {
        if (slots[i].token == token || slots[i].token == 0) {
            return &slots[i];
        }
    }
}

static void token_grow(Bayes *b)
{
    size_t size = b->size * 2;
    TokenCount *slots = xcalloc(size, sizeof *slots);
    for (size_t i = 0; i < b->size; i++) {
        if (b->slots[i].token != 0) {
            *token_slot(slots, size, b->slots[i].token) = b->slots[i];
        }
    }
    free(b->slots);
    b->slots = slots;
    b->size = size;
}

/* ---- tokenizer ---- */

static Token token_hash(const char *s, size_t len)
{
    Token h = hash_bytes(s, len);
    return h ? h : 1;
}

static void token_add(TokenSet *set, Token id)
{
    for (size_t i = 0; i < set->count; i++) {
        if (set->ids[i] == id) {
            return;
        }
    }
    if (set->count < sizeof set->ids / sizeof set->ids[0]) {
        set->ids[set->count++] = id;
    }
}

static void tokenize_text(TokenSet *set, const char *text, const char *prefix)
{
    char word[32];
    size_t plen = strlen(prefix);
    const char *p = text;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p)) {
            p++;
        }
        size_t n = 0;
        memcpy(word, prefix, plen);
        while (isalnum((unsigned char)*p)) {
            if (n < 24) {
                word[plen + n] = (char)tolower((unsigned char)*p);
            }
            n++;
            p++;
        }
        if (n >= 3 && n <= 24) {
            token_add(set, token_hash(word, plen + n));
        }
    }
}

/* True when `memo` holds exactly these three strings. */
static bool memo_matches(const Bayes *b, const char *const parts[3])
{
    const char *m = b->memo;
    const char *end = b->memo + b->memo_len;
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(parts[i]) + 1;
        if ((size_t)(end - m) < n || memcmp(m, parts[i], n) != 0) {
            return false;
        }
        m += n;
    }
    return m == end;
}

static void memo_store(Bayes *b, const char *const parts[3])
{
    size_t len[3], total = 0;
    for (int i = 0; i < 3; i++) {
        len[i] = strlen(parts[i]) + 1;
        total += len[i];
    }
    if (total > b->memo_cap) {
        b->memo = xrealloc(b->memo, total);
        b->memo_cap = total;
    }
    char *m = b->memo;
    for (int i = 0; i < 3; i++) {
        memcpy(m, parts[i], len[i]);
        m += len[i];
    }
    b->memo_len = total;
}

/* Fills b->scratch with the message's tokens (reusing the last result for the same text). */
static void tokenize(Bayes *b, const char *subject, const char *body, const char *sender)
{
    const char *const parts[3] = { subject, body, sender };
    if (b->memo_len > 0 && memo_matches(b, parts)) {
        return;
    }
    TokenSet *set = &b->scratch;
    set->count = 0;
    tokenize_text(set, subject, "S:");
    tokenize_text(set, body, "");
    const char *at = strrchr(sender, '@');
    char dom[300];
    int n = snprintf(dom, sizeof dom, "D:%s", at ? at + 1 : "<>");
    token_add(set, token_hash(dom, n > 0 && (size_t)n < sizeof dom ? (size_t)n : strlen(dom)));
    memo_store(b, parts);
}

/* ---- learning ---- */

static size_t learned_hash(uint32_t key, size_t mask)
{
    return (size_t)hash_u64(key) & mask;
}

static Learned *find_learned(Bayes *b, uint32_t key)
{
    if (b->learned_index_size == 0) {
        return NULL;
    }
    size_t mask = b->learned_index_size - 1;
    for (size_t i = learned_hash(key, mask); b->learned_index[i]; i = (i + 1) & mask) {
        Learned *l = &b->learned[b->learned_index[i] - 1];
        if (l->key == key) {
            return l;
        }
    }
    return NULL;
}

/* Appends a learned message (not yet known) and indexes it. */
static void add_learned(Bayes *b, uint32_t key, bool spam)
{
    if (b->learned_count == b->learned_cap) {
        b->learned = xgrow(b->learned, &b->learned_cap, b->learned_count + 1, sizeof *b->learned);
    }
    b->learned[b->learned_count++] = (Learned){ key, spam ? 1 : 0 };
    if (b->learned_count * 2 > b->learned_index_size) {
        size_t size = b->learned_index_size ? b->learned_index_size * 2 : 64;
        free(b->learned_index);
        b->learned_index = xcalloc(size, sizeof *b->learned_index);
        b->learned_index_size = size;
        for (size_t k = 0; k < b->learned_count; k++) {
            size_t i = learned_hash(b->learned[k].key, size - 1);
            while (b->learned_index[i]) {
                i = (i + 1) & (size - 1);
            }
            b->learned_index[i] = (uint32_t)k + 1;
        }
        return;
    }
    size_t mask = b->learned_index_size - 1, i = learned_hash(key, mask);
    while (b->learned_index[i]) {
        i = (i + 1) & mask;
    }
    b->learned_index[i] = (uint32_t)b->learned_count;
}

static void apply(Bayes *b, const TokenSet *set, bool spam, int delta)
{
    for (size_t i = 0; i < set->count; i++) {
        if ((b->used + 1) * 2 > b->size) {
            token_grow(b);
        }
        TokenCount *t = token_slot(b->slots, b->size, set->ids[i]);
        if (t->token == 0) {
            *t = (TokenCount){ set->ids[i], 0, 0 };
            b->used++;
        }
        uint32_t *c = spam ? &t->spam : &t->ham;
        *c = (uint32_t)((int64_t)*c + delta);
    }
    uint32_t *n = spam ? &b->nspam : &b->nham;
    *n = (uint32_t)((int64_t)*n + delta);
}

bool bayes_learn(Bayes *b, uint32_t msg_key, const char *subject, const char *body,
                 const char *sender, bool spam)
{
    Learned *prev = find_learned(b, msg_key);
    if (prev && prev->as == (spam ? 1 : 0)) {
        return false;
    }
    tokenize(b, subject, body, sender);
    if (prev) {
        apply(b, &b->scratch, prev->as == 1, -1);
        prev->as = spam ? 1 : 0;
    } else {
        add_learned(b, msg_key, spam);
    }
    apply(b, &b->scratch, spam, +1);
    return true;
}

uint32_t bayes_spam_count(const Bayes *b)
{
    return b->nspam;
}

uint32_t bayes_ham_count(const Bayes *b)
{
    return b->nham;
}

/* Upper tail of the chi-square distribution with `v` (even) degrees of freedom at x. */
static double chi2q(double x, int v)
{
    double m = x / 2.0, term = exp(-m), sum = term;
    for (int i = 1; i < v / 2; i++) {
        term *= m / i;
        sum += term;
    }
    return sum < 1.0 ? sum : 1.0;
}

double bayes_probability(Bayes *b, uint32_t min_spam, uint32_t min_ham, const char *subject,
                         const char *body, const char *sender)
{
    if (b->nspam < min_spam || b->nham < min_ham || b->nspam == 0 || b->nham == 0) {
        return -1.0;
    }
    tokenize(b, subject, body, sender);
    const TokenSet *set = &b->scratch;
    double ln_p = 0, ln_q = 0;
    int n = 0;
    for (size_t i = 0; i < set->count && n < MAX_TOKENS; i++) {
        const TokenCount *t = token_slot(b->slots, b->size, set->ids[i]);
        if (t->token == 0 || t->spam + t->ham == 0) {
            continue;
        }
        double ps = (double)t->spam / b->nspam, ph = (double)t->ham / b->nham;
        double p = ps / (ps + ph), cnt = t->spam + t->ham;
        double f = (ROBINSON_S * ROBINSON_X + cnt * p) / (ROBINSON_S + cnt);
        if (fabs(f - 0.5) < MIN_PROB_STRENGTH) {
            continue;
        }
        ln_p += log(f);
        ln_q += log(1.0 - f);
        n++;
    }
    if (n == 0) {
        return 0.5;
    }
    double spamminess = 1.0 - chi2q(-2.0 * ln_q, 2 * n);
    double hamminess = 1.0 - chi2q(-2.0 * ln_p, 2 * n);
    return (spamminess - hamminess + 1.0) / 2.0;
}

/* ---- rules ---- */

uint32_t spam_count_links(const char *body)
{
    uint32_t n = 0;
    for (const char *p = body; (p = strstr(p, "http")) != NULL; p += 4) {
        if (strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0) {
            n++;
        }
    }
    return n;
}

static bool subject_all_caps(const char *s)
{
    int letters = 0;
    for (; *s; s++) {
        if (islower((unsigned char)*s)) {
            return false;
        }
        letters += isupper((unsigned char)*s) != 0;
    }
    return letters >= 5;
}

/* ---- lists ---- */

/* DNS names compare without regard to ASCII case (RFC 4343): both sets fold case. */
struct SpamLists {
    NameSet uribl;
    NameSet bad_tlds;
};

SpamLists *spam_lists_create(const FilterCfg *cfg, const StrPool *sp)
{
    SpamLists *l = xcalloc(1, sizeof *l);
    nameset_init(&l->uribl, sp, true);
    nameset_init(&l->bad_tlds, sp, true);
    for (uint32_t i = 0; i < cfg->uribl_count; i++) {
        nameset_add(&l->uribl, cfg->uribl[i]);
    }
    for (uint32_t i = 0; i < cfg->bad_tld_count; i++) {
        nameset_add(&l->bad_tlds, cfg->bad_tlds[i]);
    }
    return l;
}

void spam_lists_destroy(SpamLists *lists)
{
    if (!lists) {
        return;
    }
    nameset_free(&lists->uribl);
    nameset_free(&lists->bad_tlds);
    free(lists);
}

static bool stop_at_first(void *ctx, uint32_t index)
{
    (void)ctx;
    (void)index;
    return false;
}

/* A URL's host is listed when it is a listed name or lies under one. */
static bool body_hits_uribl(const SpamLists *lists, const char *body)
{
    if (lists->uribl.count == 0) {
        return false;
    }
    for (const char *p = body; (p = strstr(p, "://")) != NULL; p += 3) {
        const char *host = p + 3;
        size_t len = strcspn(host, "/:?# \t\r\n\"'<>)");
        if (nameset_each_zone(&lists->uribl, host, len, stop_at_first, NULL) > 0) {
            return true;
        }
    }
    return false;
}

static bool sender_tld_suspicious(const SpamLists *lists, const char *sender)
{
    const char *dot = strrchr(sender, '.');
    if (!dot || !strchr(sender, '@')) {
        return false;
    }
    return nameset_find(&lists->bad_tlds, dot + 1, strlen(dot + 1)) != NAMESET_NONE;
}

/* SpamAssassin prints scores rounded to one decimal. */
static void format_score(int32_t milli, char *buf, size_t size)
{
    int32_t tenths = milli >= 0 ? (milli + 50) / 100 : -((-milli + 50) / 100);
    snprintf(buf, size, "%s%d.%d", tenths < 0 ? "-" : "", abs(tenths) / 10, abs(tenths) % 10);
}

/* A rule's score as SpamAssassin's _TESTSSCORES_ tag prints it: the configured number as Perl
 * writes it, with no trailing zeros ("0.793", "1.36", "-1.9", "2"). */
static void format_rule_score(int32_t milli, char *buf, size_t size)
{
    int32_t mag = milli < 0 ? -milli : milli;
    int len = snprintf(buf, size, "%s%d.%03d", milli < 0 ? "-" : "", mag / 1000, mag % 1000);
    while (len > 0 && (size_t)len < size && buf[len - 1] == '0') {
        buf[--len] = '\0';
    }
    if (len > 0 && (size_t)len < size && buf[len - 1] == '.') {
        buf[--len] = '\0';
    }
}

static int cmp_rule_name(const void *a, const void *b)
{
    return strcmp(RULE_NAMES[*(const int *)a], RULE_NAMES[*(const int *)b]);
}

/* Writes the fired rules alphabetically, as SpamAssassin lists them: "A,B,C" (the _TESTS_
 * template), or with `cfg` "A=0.5,B=0.793" (_TESTSSCORES_); "none" when nothing fired. */
static void format_tests(const SpamResult *r, const FilterCfg *cfg, char *buf, size_t size)
{
    int rules[RULE_COUNT], n = 0;
    for (int i = 0; i < RULE_COUNT; i++) {
        if (r->fired[i]) {
            rules[n++] = i;
        }
    }
    qsort(rules, (size_t)n, sizeof rules[0], cmp_rule_name);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < size; i++) {
        char score[16] = "";
        if (cfg) {
            score[0] = '=';
            format_rule_score(cfg->score_milli[rules[i]], score + 1, sizeof score - 1);
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s%s", i ? "," : "",
                                 RULE_NAMES[rules[i]], score);
    }
    if (n == 0) {
        snprintf(buf, size, "none");
    }
}

void spam_judge(const FilterCfg *cfg, const SpamLists *lists, Bayes *bayes, const SpamInput *in,
                SpamResult *out)
{
    memset(out, 0, offsetof(SpamResult, tests)); /* the texts are only ever written */
    out->tests[0] = out->tests_scored[0] = out->status[0] = '\0';
    out->bayes_p = -1.0;
    out->autolearn = -1;
    out->fired[RULE_SUBJ_ALL_CAPS] = subject_all_caps(in->subject);
    out->fired[RULE_MANY_LINKS] = spam_count_links(in->body) > cfg->max_links;
    out->fired[RULE_FROM_SUSPICIOUS_NTLD] = sender_tld_suspicious(lists, in->sender);
    out->fired[RULE_URIBL_BLACK] = body_hits_uribl(lists, in->body);
    out->fired[RULE_MISSING_DATE] = !in->has_date;
    out->fired[RULE_RDNS_NONE] = !in->relay_rdns;
    out->fired[RULE_RCVD_IN_SBL] = in->relay_in_sbl;
    int32_t rules_only = 0;
    for (int i = 0; i < RULE_BAYES_00; i++) {
        rules_only += out->fired[i] ? cfg->score_milli[i] : 0;
    }
    if (bayes && cfg->bayes) {
        out->bayes_p = bayes_probability(bayes, cfg->bayes_min_spam, cfg->bayes_min_ham,
                                         in->subject, in->body, in->sender);
    }
    if (out->bayes_p >= 0) {
        out->fired[RULE_BAYES_00] = out->bayes_p < 0.01;
        out->fired[RULE_BAYES_50] = out->bayes_p >= 0.40 && out->bayes_p < 0.60;
        out->fired[RULE_BAYES_99] = out->bayes_p >= 0.99;
    }
    out->score_milli = rules_only;
    for (int i = RULE_BAYES_00; i < RULE_COUNT; i++) {
        out->score_milli += out->fired[i] ? cfg->score_milli[i] : 0;
    }
    out->is_spam = out->score_milli >= cfg->required_milli;
    if (bayes && cfg->bayes && cfg->autolearn) {
        if (rules_only < cfg->autolearn_ham_milli) {
            out->autolearn = 0;
        } else if (rules_only >= cfg->autolearn_spam_milli) {
            out->autolearn = 1;
        }
    }
}

void spam_score(const FilterCfg *cfg, const SpamLists *lists, Bayes *bayes, const SpamInput *in,
                SpamResult *out)
{
    spam_judge(cfg, lists, bayes, in, out);
    const char *learn = !(bayes && cfg->bayes && cfg->autolearn) ? "disabled"
                        : out->autolearn == 0                    ? "ham"
                        : out->autolearn == 1                    ? "spam"
                                                                 : "no";
    format_tests(out, NULL, out->tests, sizeof out->tests);
    format_tests(out, cfg, out->tests_scored, sizeof out->tests_scored);
    char score[16], required[16];
    format_score(out->score_milli, score, sizeof score);
    format_score(cfg->required_milli, required, sizeof required);
    snprintf(out->status, sizeof out->status, "%s, score=%s required=%s tests=%s autolearn=%s",
             out->is_spam ? "Yes" : "No", score, required, out->tests, learn);
}
