/* test_nameset: DNS names with look-up of a name and of the names it lies under
 * (sim/model/nameset.h), behind the URIBL, the suspicious TLDs and the DNS failure windows.
 *
 * "mx.b.example" lies under "b.example" and "example", not under "notb.example" or "b.exam";
 * indices are dense and stable, adding a name twice gives its index back; with fold_case letters
 * compare without case, otherwise byte for byte; a walk lists the listed names a name lies under,
 * shortest first, and stops when told; names longer than any listed one cost nothing. */
#include "model/nameset.h"
#include "test.h"

#include <stdlib.h>

typedef struct {
    uint32_t got[8];
    uint32_t n;
    uint32_t stop_after; /* 0 = never stop */
} Walk;

static bool collect(void *ctx, uint32_t index)
{
    Walk *w = ctx;
    if (w->n < 8) {
        w->got[w->n++] = index;
    }
    return w->stop_after == 0 || w->n < w->stop_after;
}

static uint32_t zones(const NameSet *s, const char *name, Walk *w)
{
    return nameset_each_zone(s, name, strlen(name), collect, w);
}

static void nameset_should_find_every_listed_name_a_name_lies_under(void)
{
    StrPool *sp = strpool_create();
    NameSet s;
    nameset_init(&s, sp, false);
    uint32_t example = nameset_add(&s, strpool_intern(sp, "example"));
    uint32_t b = nameset_add(&s, strpool_intern(sp, "b.example"));
    uint32_t mx = nameset_add(&s, strpool_intern(sp, "mx.b.example"));
    nameset_add(&s, strpool_intern(sp, "notb.example"));
    CHECK(example == 0 && b == 1 && mx == 2);
    CHECK_EQ_INT(nameset_add(&s, strpool_intern(sp, "b.example")), b); /* again: same index */
    CHECK_EQ_INT(s.count, 4);
    Walk w = { .n = 0 };
    CHECK_EQ_INT(zones(&s, "mx.b.example", &w), 3);
    CHECK(w.got[0] == example && w.got[1] == b && w.got[2] == mx); /* shortest first */
    w = (Walk){ .n = 0 };
    CHECK_EQ_INT(zones(&s, "www.notb.example", &w), 2); /* notb.example, example: not b.example */
    w = (Walk){ .n = 0 };
    CHECK_EQ_INT(zones(&s, "b.exam", &w), 0);
    w = (Walk){ .n = 0 };
    CHECK_EQ_INT(zones(&s, "xb.example", &w), 1); /* only "example" */
    w = (Walk){ .n = 0 };
    CHECK_EQ_INT(zones(&s, "", &w), 0);
    w = (Walk){ .stop_after = 1 };
    CHECK_EQ_INT(zones(&s, "mx.b.example", &w), 1); /* stopped at the first */
    CHECK_EQ_INT(nameset_find(&s, "b.example", 9), b);
    CHECK_EQ_INT(nameset_find(&s, "b.example.", 9), b); /* only the first len bytes count */
    CHECK_EQ_INT(nameset_find(&s, "B.example", 9), NAMESET_NONE); /* byte for byte */
    CHECK_EQ_INT(nameset_find(&s, "c.example", 9), NAMESET_NONE);
    CHECK_EQ_INT(nameset_name(&s, mx), strpool_intern(sp, "mx.b.example"));
    nameset_free(&s);
    strpool_destroy(sp);
}

static void nameset_should_ignore_letter_case_when_asked(void)
{
    StrPool *sp = strpool_create();
    NameSet s;
    nameset_init(&s, sp, true);
    uint32_t evil = nameset_add(&s, strpool_intern(sp, "Evil.Example"));
    CHECK_EQ_INT(nameset_add(&s, strpool_intern(sp, "evil.example")), evil);
    CHECK_EQ_INT(nameset_find(&s, "EVIL.EXAMPLE", 12), evil);
    Walk w = { .n = 0 };
    CHECK_EQ_INT(zones(&s, "WWW.evil.EXAMPLE", &w), 1);
    CHECK_EQ_INT(w.got[0], evil);
    nameset_free(&s);
    strpool_destroy(sp);
}

/* 50 000 names: each found, each under-name walk finds its parent, and names longer than every
 * listed one (a 60 000-byte host in a body) are turned away without a probe per label. */
static void nameset_should_stay_exact_over_many_names(void)
{
    StrPool *sp = strpool_create();
    NameSet s;
    nameset_init(&s, sp, true);
    char name[64];
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "n%d.example", i);
        nameset_add(&s, strpool_intern(sp, name));
    }
    int wrong = 0;
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "www.n%d.example", i);
        Walk w = { .n = 0 };
        wrong += zones(&s, name, &w) != 1 || w.got[0] != (uint32_t)i;
        wrong += nameset_find(&s, name + 4, strlen(name + 4)) != (uint32_t)i;
        snprintf(name, sizeof name, "n%d.example", i + 50000);
        wrong += nameset_find(&s, name, strlen(name)) != NAMESET_NONE;
    }
    CHECK_EQ_INT(wrong, 0);
    enum { LONG = 60000 };
    char *host = malloc(LONG + 1);
    REQUIRE(host != NULL);
    for (int i = 0; i < LONG; i++) {
        host[i] = i % 2 ? '.' : 'a';
    }
    memcpy(host + LONG - 11, ".n7.example", 11);
    host[LONG] = '\0';
    Walk w = { .n = 0 };
    CHECK_EQ_INT(nameset_each_zone(&s, host, strlen(host), collect, &w), 1);
    CHECK_EQ_INT(w.got[0], 7);
    free(host);
    nameset_free(&s);
    strpool_destroy(sp);
}

RUN_TESTS(TEST_CASE(nameset_should_find_every_listed_name_a_name_lies_under),
          TEST_CASE(nameset_should_ignore_letter_case_when_asked),
          TEST_CASE(nameset_should_stay_exact_over_many_names))
