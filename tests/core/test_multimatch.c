/* test_multimatch: which needles a text contains, in one pass (sim/util/multimatch.h).
 *
 * Each needle the text contains is reported exactly once, as strstr would find it: needles that
 * are substrings of each other, that overlap in the text, that are bytes of multi-byte UTF-8, the
 * empty needle and equal needles; a scan reads only its own set's needles; and on random needles
 * and texts over a small alphabet (high bytes included) the reports equal strstr's. */
#include "test.h"
#include "util/multimatch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_NEEDLES = 400 };

typedef struct {
    int hits[MAX_NEEDLES];
} Hits;

static void count_hit(void *ctx, uint32_t needle)
{
    ((Hits *)ctx)->hits[needle]++;
}

/* Scans text with set `set` and checks each needle of the set was reported once when strstr
 * finds it and never otherwise, and needles of other sets never. */
static void check_scan(MultiMatch *m, const char *const *needles, const uint32_t *set_of,
                       uint32_t count, uint32_t set, const char *text)
{
    Hits h = { { 0 } };
    multimatch_scan(m, set, text, strlen(text), count_hit, &h);
    for (uint32_t i = 0; i < count; i++) {
        bool mine = !set_of || set_of[i] == set;
        CHECK_EQ_INT(h.hits[i], mine && strstr(text, needles[i]) != NULL);
    }
}

static void multimatch_should_report_nested_and_overlapping_needles_once(void)
{
    const char *needles[] = { "he", "she", "his", "hers", "e", "h", "ershe", "x" };
    uint32_t n = sizeof needles / sizeof *needles;
    MultiMatch *m = multimatch_create(needles, NULL, n, 1);
    check_scan(m, needles, NULL, n, 0, "ushers");
    check_scan(m, needles, NULL, n, 0, "hershehe");
    check_scan(m, needles, NULL, n, 0, "");
    check_scan(m, needles, NULL, n, 0, "zzz");
    Hits h = { { 0 } };
    multimatch_scan(m, 0, "hershehe", 8, count_hit, &h);
    CHECK_EQ_INT(h.hits[0] + h.hits[1] + h.hits[3] + h.hits[6], 4);
    multimatch_destroy(m);
    multimatch_destroy(NULL);
}

static void multimatch_should_match_utf8_bytes_as_strstr_does(void)
{
    /* "é" is C3 A9, "è" C3 A8, "→" E2 86 92: needles share lead bytes and cut characters. */
    const char *needles[] = { "\u00e9", "\u00e9\u00e9", "\u00e9\u00e9\u00e9", "\xC3", "\xA9\xC3",
                              "\u00e8", "\u2192", "\x86\x92 c", "caf\u00e9", "a" };
    uint32_t n = sizeof needles / sizeof *needles;
    MultiMatch *m = multimatch_create(needles, NULL, n, 1);
    check_scan(m, needles, NULL, n, 0, "\u00e9\u00e9\u00e9\u00e9 \u2192 caf\u00e9");
    check_scan(m, needles, NULL, n, 0, "d\u00e8s \u00e9");
    check_scan(m, needles, NULL, n, 0, "\u2192");
    multimatch_destroy(m);
}

static void multimatch_should_report_empty_and_equal_needles_each(void)
{
    const char *needles[] = { "", "ab", "ab", "b", "" };
    uint32_t n = sizeof needles / sizeof *needles;
    MultiMatch *m = multimatch_create(needles, NULL, n, 1);
    Hits h = { { 0 } };
    multimatch_scan(m, 0, "abab", 4, count_hit, &h);
    CHECK_EQ_INT(h.hits[0], 1);
    CHECK_EQ_INT(h.hits[1], 1);
    CHECK_EQ_INT(h.hits[2], 1);
    CHECK_EQ_INT(h.hits[3], 1);
    CHECK_EQ_INT(h.hits[4], 1);
    check_scan(m, needles, NULL, n, 0, "");
    check_scan(m, needles, NULL, n, 0, "a");
    multimatch_destroy(m);
}

static void multimatch_should_scan_one_set_only(void)
{
    const char *needles[] = { "ab", "b", "abc", "", "c", "bc" };
    const uint32_t set_of[] = { 0, 1, 1, 2, 0, 0 };
    uint32_t n = sizeof needles / sizeof *needles;
    MultiMatch *m = multimatch_create(needles, set_of, n, 4); /* set 3 has no needle */
    for (uint32_t set = 0; set < 4; set++) {
        check_scan(m, needles, set_of, n, set, "xabcx");
        check_scan(m, needles, set_of, n, set, "bcb");
    }
    multimatch_destroy(m);
}

static uint32_t xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Random needles and texts over "ab" plus a high byte, so that needles nest and overlap often. */
static void multimatch_should_agree_with_strstr_on_random_needles(void)
{
    static const char alphabet[] = { 'a', 'b', (char)0xC3 };
    static char storage[MAX_NEEDLES][8];
    const char *needles[MAX_NEEDLES];
    uint32_t set_of[MAX_NEEDLES];
    uint32_t x = 2463534242u;
    for (uint32_t i = 0; i < MAX_NEEDLES; i++) {
        size_t len = 1 + xorshift(&x) % 7;
        for (size_t k = 0; k < len; k++) {
            storage[i][k] = alphabet[xorshift(&x) % 3];
        }
        storage[i][len] = '\0';
        needles[i] = storage[i];
        set_of[i] = xorshift(&x) % 3;
    }
    MultiMatch *m = multimatch_create(needles, set_of, MAX_NEEDLES, 3);
    for (int t = 0; t < 200; t++) {
        char text[40];
        size_t len = xorshift(&x) % (sizeof text - 1);
        for (size_t k = 0; k < len; k++) {
            text[k] = alphabet[xorshift(&x) % 3];
        }
        text[len] = '\0';
        check_scan(m, needles, set_of, MAX_NEEDLES, (uint32_t)t % 3, text);
    }
    multimatch_destroy(m);
}

RUN_TESTS(TEST_CASE(multimatch_should_report_nested_and_overlapping_needles_once),
          TEST_CASE(multimatch_should_match_utf8_bytes_as_strstr_does),
          TEST_CASE(multimatch_should_report_empty_and_equal_needles_each),
          TEST_CASE(multimatch_should_scan_one_set_only),
          TEST_CASE(multimatch_should_agree_with_strstr_on_random_needles))
