/* test_strpool: string interning (sim/util/strpool.h).
 *
 * The pool's promises, one case each: equal bytes get equal ids and different bytes different
 * ids; id 0 is ""; a returned string stays where it is however much the pool grows afterwards;
 * find never adds; printf-style interning works past its 512-byte stack buffer. The growth case
 * checks the pool against a naive twin (a plain array of the strings it was given).
 */
#include "test.h"
#include "util/strpool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void strpool_should_give_the_same_bytes_the_same_id(void)
{
    StrPool *sp = strpool_create();
    StrId a = strpool_intern(sp, "alice@a.example");
    StrId b = strpool_intern(sp, "bob@b.example");
    char copy[] = "alice@a.example"; /* different storage, same bytes */
    CHECK(a != b);
    CHECK_EQ_INT(strpool_intern(sp, copy), a);
    CHECK_EQ_INT(strpool_intern(sp, "bob@b.example"), b);
    CHECK_EQ_STR(strpool_get(sp, a), "alice@a.example");
    CHECK_EQ_INT(strpool_len(sp, a), strlen("alice@a.example"));
    /* "" plus two distinct strings */
    CHECK_EQ_INT(strpool_count(sp), 3);
    strpool_destroy(sp);
}

static void strpool_should_intern_a_prefix_with_intern_n(void)
{
    StrPool *sp = strpool_create();
    const char *s = "mx1.b.example trailing";
    StrId host = strpool_intern_n(sp, s, 13); /* not NUL-terminated at 13 */
    CHECK_EQ_STR(strpool_get(sp, host), "mx1.b.example");
    CHECK_EQ_INT(strpool_len(sp, host), 13);
    CHECK_EQ_INT(strpool_intern(sp, "mx1.b.example"), host);
    /* Case matters: interning is by bytes, not by meaning. */
    CHECK(strpool_intern(sp, "MX1.b.example") != host);
    strpool_destroy(sp);
}

static void strpool_should_reserve_id_zero_for_the_empty_string(void)
{
    StrPool *sp = strpool_create();
    CHECK_EQ_INT(STR_EMPTY, 0);
    CHECK_EQ_STR(strpool_get(sp, STR_EMPTY), "");
    CHECK_EQ_INT(strpool_len(sp, STR_EMPTY), 0);
    CHECK_EQ_INT(strpool_intern(sp, ""), STR_EMPTY);
    CHECK_EQ_INT(strpool_intern_n(sp, "abc", 0), STR_EMPTY);
    CHECK_EQ_INT(strpool_find(sp, ""), STR_EMPTY);
    CHECK_EQ_INT(strpool_count(sp), 1);
    strpool_destroy(sp);
}

static void strpool_should_find_without_adding(void)
{
    StrPool *sp = strpool_create();
    StrId id = strpool_intern(sp, "zen.example");
    uint32_t count = strpool_count(sp);
    CHECK_EQ_INT(strpool_find(sp, "zen.example"), id);
    CHECK_EQ_INT(strpool_find(sp, "sbl.example"), UINT32_MAX);
    CHECK_EQ_INT(strpool_find(sp, "zen.exampl"), UINT32_MAX); /* a prefix is another string */
    CHECK_EQ_INT(strpool_count(sp), count);
    /* Still absent after being looked for. */
    CHECK_EQ_INT(strpool_find(sp, "sbl.example"), UINT32_MAX);
    strpool_destroy(sp);
}

/* 100 000 strings (several table doublings and well over one 256 KiB chunk): every id stays
 * distinct and stable, and every pointer taken early still holds its string at the end. */
static void strpool_should_keep_strings_valid_while_it_grows(void)
{
    enum { N = 100000 };
    StrPool *sp = strpool_create();
    StrId *ids = malloc(sizeof *ids * N);
    const char **early = malloc(sizeof *early * N);
    char buf[64];
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "rcpt%06d@host%d.example", i, i % 97);
        ids[i] = strpool_intern(sp, buf);
        early[i] = strpool_get(sp, ids[i]);
    }
    CHECK_EQ_INT(strpool_count(sp), N + 1);
    int bad_text = 0, bad_ptr = 0, bad_id = 0, bad_find = 0;
    for (int i = 0; i < N; i++) {
        snprintf(buf, sizeof buf, "rcpt%06d@host%d.example", i, i % 97);
        bad_text += strcmp(early[i], buf) != 0;
        bad_ptr += strpool_get(sp, ids[i]) != early[i];
        bad_id += strpool_intern(sp, buf) != ids[i];
        bad_find += strpool_find(sp, buf) != ids[i];
    }
    CHECK_EQ_INT(bad_text, 0);
    CHECK_EQ_INT(bad_ptr, 0);
    CHECK_EQ_INT(bad_id, 0);
    CHECK_EQ_INT(bad_find, 0);
    /* Re-interning added nothing. */
    CHECK_EQ_INT(strpool_count(sp), N + 1);
    /* Distinct strings got distinct ids: ids are handed out densely, 1..N in order here. */
    int not_dense = 0;
    for (int i = 0; i < N; i++) {
        not_dense += ids[i] != (StrId)(i + 1);
    }
    CHECK_EQ_INT(not_dense, 0);
    CHECK(strpool_bytes(sp) > (size_t)N * 20);
    free(early);
    free(ids);
    strpool_destroy(sp);
}

/* A string bigger than a whole chunk gets a chunk of its own; the pool carries on afterwards. */
static void strpool_should_hold_a_string_bigger_than_a_chunk(void)
{
    size_t n = 300 * 1024;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        big[i] = (char)('a' + i % 26);
    }
    big[n] = '\0';
    StrPool *sp = strpool_create();
    StrId small = strpool_intern(sp, "before");
    StrId id = strpool_intern(sp, big);
    StrId after = strpool_intern(sp, "after");
    CHECK_EQ_INT(strpool_len(sp, id), n);
    CHECK(strcmp(strpool_get(sp, id), big) == 0);
    CHECK_EQ_STR(strpool_get(sp, small), "before");
    CHECK_EQ_STR(strpool_get(sp, after), "after");
    CHECK_EQ_INT(strpool_intern(sp, big), id);
    strpool_destroy(sp);
    free(big);
}

static void strpool_should_format_with_internf(void)
{
    StrPool *sp = strpool_create();
    StrId a = strpool_internf(sp, "%u.%u.%u.%u.%s", 10u, 100u, 51u, 198u, "zen.example");
    CHECK_EQ_STR(strpool_get(sp, a), "10.100.51.198.zen.example");
    CHECK_EQ_INT(strpool_intern(sp, "10.100.51.198.zen.example"), a);
    CHECK_EQ_INT(strpool_internf(sp, "%s", ""), STR_EMPTY);
    strpool_destroy(sp);
}

/* internf formats into a 512-byte stack buffer first; longer results take the heap path. Check
 * both sides of the boundary (511 fits with its NUL, 512 does not) and a much longer one. */
static void strpool_should_format_long_strings_with_internf(void)
{
    static const size_t lens[] = { 511, 512, 513, 2000, 70000 };
    StrPool *sp = strpool_create();
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t n = lens[k];
        char *body = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            body[i] = (char)('A' + (i * 7 + k) % 26);
        }
        body[n] = '\0';
        /* "<" + body + ">" so the format does real work around the long argument. */
        StrId id = strpool_internf(sp, "<%s>", body);
        CHECK_EQ_INT(strpool_len(sp, id), n + 2);
        const char *got = strpool_get(sp, id);
        CHECK(got[0] == '<' && got[n + 1] == '>' && got[n + 2] == '\0');
        CHECK(memcmp(got + 1, body, n) == 0);
        /* The same text interned directly is the same string. */
        char *direct = malloc(n + 3);
        snprintf(direct, n + 3, "<%s>", body);
        CHECK_EQ_INT(strpool_intern(sp, direct), id);
        free(direct);
        free(body);
    }
    strpool_destroy(sp);
}

static void strpool_should_answer_empty_for_an_unknown_id(void)
{
    StrPool *sp = strpool_create();
    strpool_intern(sp, "x");
    CHECK_EQ_STR(strpool_get(sp, 12345), "");
    CHECK_EQ_INT(strpool_len(sp, 12345), 0);
    strpool_destroy(sp);
}

RUN_TESTS(TEST_CASE(strpool_should_give_the_same_bytes_the_same_id),
          TEST_CASE(strpool_should_intern_a_prefix_with_intern_n),
          TEST_CASE(strpool_should_reserve_id_zero_for_the_empty_string),
          TEST_CASE(strpool_should_find_without_adding),
          TEST_CASE(strpool_should_keep_strings_valid_while_it_grows),
          TEST_CASE(strpool_should_hold_a_string_bigger_than_a_chunk),
          TEST_CASE(strpool_should_format_with_internf),
          TEST_CASE(strpool_should_format_long_strings_with_internf),
          TEST_CASE(strpool_should_answer_empty_for_an_unknown_id))
