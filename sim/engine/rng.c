/* rng: xoshiro256** 1.0 seeded by SplitMix64, and the draws the simulation needs (see rng.h).
 *
 * Owns nothing but the arithmetic: the state is the caller's Rng value. Each draw consumes a fixed
 * number of 64-bit outputs (uniform and exponential one, normal two; rng_below and rng_range one or
 * more, by rejection), so a trace can be reproduced by counting calls.
 *
 * Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators", 2018,
 * and their public-domain xoshiro256starstar.c / splitmix64.c; tests/test_rng.c checks the first
 * outputs against values computed independently from those algorithms.
 */
#include "engine/rng.h"

#include <assert.h>
#include <math.h>

static inline uint64_t rotl64(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* SplitMix64 is a bijection of its counter, so four successive outputs are distinct and the state
 * is never all zero (the one state xoshiro cannot leave). */
void rng_seed(Rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        rng->s[i] = splitmix64_next(&x);
    }
}

uint64_t rng_next_u64(Rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl64(s[1] * 5u, 7) * 9u;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* The top 53 bits, scaled by 2^-53: every value is a multiple of 2^-53 in [0, 1 - 2^-53]. */
double rng_uniform(Rng *rng)
{
    return (double)(rng_next_u64(rng) >> 11) * 0x1.0p-53;
}

/* Rejection: outputs below 2^64 mod n are redrawn, so the accepted range [2^64 mod n, 2^64) holds
 * a whole number of copies of [0, n) and r % n is exactly uniform. At most half the outputs are
 * rejected (n just above 2^63); for the small n a simulation uses, almost none. */
uint64_t rng_below(Rng *rng, uint64_t n)
{
    assert(n > 0 && "rng_below: empty range");
    uint64_t threshold = (UINT64_C(0) - n) % n; /* == 2^64 mod n */
    for (;;) {
        uint64_t r = rng_next_u64(rng);
        if (r >= threshold) {
            return r % n;
        }
    }
}

/* Two's-complement reading of a 64-bit pattern, without relying on implementation-defined
 * unsigned-to-signed conversion. */
static int64_t int64_from_bits(uint64_t u)
{
    if (u <= (uint64_t)INT64_MAX) {
        return (int64_t)u;
    }
    return -(int64_t)(~u) - 1;
}

int64_t rng_range(Rng *rng, int64_t lo, int64_t hi)
{
    assert(lo <= hi && "rng_range: empty range");
    uint64_t span = (uint64_t)hi - (uint64_t)lo; /* modulo 2^64, so even the full range fits */
    uint64_t offset = span == UINT64_MAX ? rng_next_u64(rng) : rng_below(rng, span + 1u);
    return int64_from_bits((uint64_t)lo + offset);
}

/* Inverse transform: 1 - u lies in (0, 1], so the logarithm is finite; log1p(-u) is log(1 - u)
 * computed without cancellation, and negating it (not the mean) keeps u == 0 at +0.0, not -0.0. */
double rng_exponential(Rng *rng, double mean)
{
    assert(mean >= 0.0 && "rng_exponential: negative mean");
    double u = rng_uniform(rng);
    return mean * -log1p(-u);
}

/* Box-Muller, cosine branch only: consumes exactly two outputs per call. */
double rng_normal(Rng *rng, double mean, double stddev)
{
    const double two_pi = 6.283185307179586476925286766559;
    double u1 = rng_uniform(rng);
    double u2 = rng_uniform(rng);
    double radius = sqrt(-2.0 * log1p(-u1));
    return mean + stddev * radius * cos(two_pi * u2);
}
