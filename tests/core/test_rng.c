/* test_rng: the simulation's PRNG (sim/engine/rng.h).
 *
 * Known answers first: every expected number below was computed independently of this C code, by
 * a short Python transcription of Vigna's reference splitmix64.c and xoshiro256starstar.c
 * (arbitrary-precision integers masked to 64 bits; rng_below as "redraw while r < 2^64 mod n, then
 * r % n"; rng_uniform as (r >> 11) * 2^-53, printed with float.hex()). The seed-0 values also agree
 * with the widely published ones (SplitMix64(0) starts 0xE220A8397B1DCDAF; xoshiro256** seeded
 * from it starts 0x99EC5F36CB75F2B4). Then distribution checks at fixed seeds, with bounds loose
 * enough that a correct generator never trips them and a biased one does.
 */
#include "engine/rng.h"
#include "test.h"

#include <math.h>

/* ---- known answers ------------------------------------------------------------------------- */

static void rng_should_seed_with_four_splitmix64_outputs(void)
{
    static const uint64_t want[4] = {
        UINT64_C(0xE220A8397B1DCDAF),
        UINT64_C(0x6E789E6AA1B965F4),
        UINT64_C(0x06C45D188009454F),
        UINT64_C(0xF88BB8A8724C81EC),
    };
    Rng rng;
    rng_seed(&rng, 0);
    for (int i = 0; i < 4; i++) {
        CHECK(rng.s[i] == want[i]);
    }
}

typedef struct {
    uint64_t seed;
    uint64_t out[6];
} KnownStream;

static const KnownStream known_streams[] = {
    { UINT64_C(0),
      { UINT64_C(0x99EC5F36CB75F2B4), UINT64_C(0xBF6E1F784956452A), UINT64_C(0x1A5F849D4933E6E0),
        UINT64_C(0x6AA594F1262D2D2C), UINT64_C(0xBBA5AD4A1F842E59),
        UINT64_C(0xFFEF8375D9EBCACA) } },
    { UINT64_C(42),
      { UINT64_C(0x15780B2E0C2EC716), UINT64_C(0x6104D9866D113A7E), UINT64_C(0xAE17533239E499A1),
        UINT64_C(0xECB8AD4703B360A1), UINT64_C(0xFDE6DC7FE2EC5E64),
        UINT64_C(0xC50DA53101795238) } },
    { UINT64_C(0xDEADBEEFCAFEF00D),
      { UINT64_C(0x9E32CFB5BB93EEBB), UINT64_C(0x16006BD9D4AC0014), UINT64_C(0x8ADA5D6D34B6538E),
        UINT64_C(0x7C327CA32346A238), UINT64_C(0xC43A6D6A3492CED2),
        UINT64_C(0xDB639ECB036A9C04) } },
};

static void rng_should_match_the_reference_xoshiro256starstar(void)
{
    for (size_t k = 0; k < sizeof known_streams / sizeof known_streams[0]; k++) {
        Rng rng;
        rng_seed(&rng, known_streams[k].seed);
        for (int i = 0; i < 6; i++) {
            uint64_t got = rng_next_u64(&rng);
            if (got != known_streams[k].out[i]) {
                fprintf(stderr, "seed %#" PRIx64 " output %d: got %#" PRIx64 "\n",
                        known_streams[k].seed, i, got);
            }
            CHECK(got == known_streams[k].out[i]);
        }
    }
}

static void rng_should_make_uniform_doubles_from_the_top_53_bits(void)
{
    static const double want[3] = { 0x1.5780b2e0c2ec0p-4, 0x1.84136619b444ep-2,
                                    0x1.5c2ea66473c93p-1 };
    Rng rng;
    rng_seed(&rng, 42);
    for (int i = 0; i < 3; i++) {
        CHECK(rng_uniform(&rng) == want[i]);
    }
    int out_of_range = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rng_uniform(&rng);
        out_of_range += !(u >= 0.0 && u < 1.0);
    }
    CHECK_EQ_INT(out_of_range, 0);
}

static void rng_should_draw_below_n_like_the_reference(void)
{
    static const uint64_t want_small[8] = { 994, 674, 638, 664, 664, 721, 716, 196 };
    /* n just above 2^63: nearly half the outputs are redrawn, so this pins the rejection rule. */
    static const uint64_t want_huge[6] = {
        UINT64_C(3699983033973687841), UINT64_C(6265020869637851485),
        UINT64_C(8874686607794389511), UINT64_C(9054773939583308511),
        UINT64_C(6876465445380119568), UINT64_C(763097503181517150),
    };
    Rng rng;
    rng_seed(&rng, 7);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ_INT(rng_below(&rng, 1000), want_small[i]);
    }
    rng_seed(&rng, 7);
    for (int i = 0; i < 6; i++) {
        CHECK(rng_below(&rng, (UINT64_C(1) << 63) + 12345) == want_huge[i]);
    }
}

/* ---- streams ------------------------------------------------------------------------------- */

static void rng_should_repeat_a_stream_for_the_same_seed(void)
{
    Rng a, b;
    rng_seed(&a, 12345);
    rng_seed(&b, 12345);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        differ += rng_next_u64(&a) != rng_next_u64(&b);
    }
    CHECK_EQ_INT(differ, 0);
}

static void rng_should_give_different_streams_for_different_seeds(void)
{
    Rng a, b;
    rng_seed(&a, 12345);
    rng_seed(&b, 12346);
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        same += rng_next_u64(&a) == rng_next_u64(&b);
    }
    CHECK_EQ_INT(same, 0);
}

/* Advances `rng` by `n` raw outputs. */
static void rng_skip(Rng *rng, int n)
{
    for (int i = 0; i < n; i++) {
        rng_next_u64(rng);
    }
}

static int rng_equal(const Rng *a, const Rng *b)
{
    return memcmp(a->s, b->s, sizeof a->s) == 0;
}

/* The header promises call-countable stream positions: one output per uniform or exponential
 * draw, two per normal draw. */
static void rng_should_consume_a_fixed_number_of_outputs_per_draw(void)
{
    Rng draw, skip;
    rng_seed(&draw, 3);
    rng_seed(&skip, 3);
    rng_uniform(&draw);
    rng_skip(&skip, 1);
    CHECK(rng_equal(&draw, &skip));
    rng_exponential(&draw, 4.0);
    rng_skip(&skip, 1);
    CHECK(rng_equal(&draw, &skip));
    rng_normal(&draw, 0.0, 1.0);
    rng_skip(&skip, 2);
    CHECK(rng_equal(&draw, &skip));
    rng_normal(&draw, 5.0, 2.0);
    rng_skip(&skip, 2);
    CHECK(rng_equal(&draw, &skip));
}

/* ---- distributions ------------------------------------------------------------------------- */

static void rng_should_draw_below_n_uniformly(void)
{
    enum { BUCKETS = 10, DRAWS = 100000 };
    long count[BUCKETS] = { 0 };
    Rng rng;
    rng_seed(&rng, 2024);
    int out_of_range = 0;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = rng_below(&rng, BUCKETS);
        if (x >= BUCKETS) {
            out_of_range++;
            continue;
        }
        count[x]++;
    }
    CHECK_EQ_INT(out_of_range, 0);
    double expected = (double)DRAWS / BUCKETS, chi2 = 0.0;
    for (int b = 0; b < BUCKETS; b++) {
        double d = (double)count[b] - expected;
        chi2 += d * d / expected;
    }
    /* 9 degrees of freedom: P(chi2 > 27.9) = 0.001. 40 is generous; a bias lands far above it. */
    CHECK(chi2 < 40.0);
    CHECK_EQ_INT(rng_below(&rng, 1), 0);
}

/* With n = 2/3 of 2^64, plain `r % n` would put two thirds of the draws below n/2; rejection
 * keeps it at one half. */
static void rng_should_draw_below_n_without_modulo_bias(void)
{
    enum { DRAWS = 100000 };
    const uint64_t n = UINT64_C(0xAAAAAAAAAAAAAAAA);
    Rng rng;
    rng_seed(&rng, 77);
    long low = 0, out_of_range = 0;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = rng_below(&rng, n);
        out_of_range += x >= n;
        low += x < n / 2;
    }
    CHECK_EQ_INT(out_of_range, 0);
    double frac = (double)low / DRAWS;
    CHECK(frac > 0.49 && frac < 0.51);
}

static void rng_should_draw_ranges_inclusively(void)
{
    enum { LO = -3, HI = 3, DRAWS = 70000 };
    long count[HI - LO + 1] = { 0 };
    Rng rng;
    rng_seed(&rng, 11);
    int out_of_range = 0;
    for (int i = 0; i < DRAWS; i++) {
        int64_t x = rng_range(&rng, LO, HI);
        if (x < LO || x > HI) {
            out_of_range++;
            continue;
        }
        count[x - LO]++;
    }
    CHECK_EQ_INT(out_of_range, 0);
    for (int v = 0; v <= HI - LO; v++) {
        CHECK(count[v] > 9000 && count[v] < 11000); /* 10000 expected, sd about 93 */
    }
    CHECK_EQ_INT(rng_range(&rng, 5, 5), 5);
    CHECK_EQ_INT(rng_range(&rng, INT64_MIN, INT64_MIN), INT64_MIN);
    /* The full range is the raw output reinterpreted: INT64_MIN + 0x99EC5F36CB75F2B4 (mod 2^64). */
    rng_seed(&rng, 0);
    CHECK(rng_range(&rng, INT64_MIN, INT64_MAX) == INT64_C(0x19EC5F36CB75F2B4));
}

static void rng_should_draw_exponentials_with_the_given_mean(void)
{
    enum { DRAWS = 200000 };
    const double mean = 2.5;
    Rng rng;
    rng_seed(&rng, 31337);
    double sum = 0.0;
    int negative = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = rng_exponential(&rng, mean);
        negative += !(x >= 0.0) || signbit(x);
        sum += x;
    }
    CHECK_EQ_INT(negative, 0);
    /* Standard error of the mean is 2.5 / sqrt(200000) = 0.0056; allow 1% (4.5 of them). */
    CHECK(fabs(sum / DRAWS - mean) < 0.01 * mean);
    CHECK(rng_exponential(&rng, 0.0) == 0.0);
}

static void rng_should_draw_normals_with_the_given_mean_and_stddev(void)
{
    enum { DRAWS = 200000 };
    const double mean = 10.0, stddev = 3.0;
    Rng rng;
    rng_seed(&rng, 4242);
    double sum = 0.0, sum_sq = 0.0;
    int non_finite = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = rng_normal(&rng, mean, stddev);
        non_finite += !isfinite(x);
        sum += x;
        sum_sq += x * x;
    }
    CHECK_EQ_INT(non_finite, 0);
    double m = sum / DRAWS;
    double sd = sqrt(sum_sq / DRAWS - m * m);
    /* Standard errors: 0.0067 for the mean, about 0.005 for the stddev. */
    CHECK(fabs(m - mean) < 0.05);
    CHECK(fabs(sd - stddev) < 0.02 * stddev);
}

RUN_TESTS(TEST_CASE(rng_should_seed_with_four_splitmix64_outputs),
          TEST_CASE(rng_should_match_the_reference_xoshiro256starstar),
          TEST_CASE(rng_should_make_uniform_doubles_from_the_top_53_bits),
          TEST_CASE(rng_should_draw_below_n_like_the_reference),
          TEST_CASE(rng_should_repeat_a_stream_for_the_same_seed),
          TEST_CASE(rng_should_give_different_streams_for_different_seeds),
          TEST_CASE(rng_should_consume_a_fixed_number_of_outputs_per_draw),
          TEST_CASE(rng_should_draw_below_n_uniformly),
          TEST_CASE(rng_should_draw_below_n_without_modulo_bias),
          TEST_CASE(rng_should_draw_ranges_inclusively),
          TEST_CASE(rng_should_draw_exponentials_with_the_given_mean),
          TEST_CASE(rng_should_draw_normals_with_the_given_mean_and_stddev))
