/* rng: the simulation's only source of randomness.
 *
 * xoshiro256** 1.0 (Blackman & Vigna, 2018), seeded through SplitMix64 as its authors recommend.
 * The state is a plain value owned by whoever holds it (the simulation owns one); nothing here
 * reads the wall clock or calls rand(), so the same seed gives the same sequence on every machine.
 */
#ifndef MAILSIM_RNG_H
#define MAILSIM_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} Rng;

/* Seeds the generator: s[0..3] are four successive SplitMix64 outputs starting from `seed`. */
void rng_seed(Rng *rng, uint64_t seed);

/* Next 64 random bits. */
uint64_t rng_next_u64(Rng *rng);

/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(Rng *rng);

/* Uniform integer in [0, n) without modulo bias (n > 0). */
uint64_t rng_below(Rng *rng, uint64_t n);

/* Uniform integer in [lo, hi] (lo <= hi). */
int64_t rng_range(Rng *rng, int64_t lo, int64_t hi);

/* Exponential draw with the given mean (mean >= 0); never negative. */
double rng_exponential(Rng *rng, double mean);

/* Normal draw (Box-Muller, no cached second value so the stream position is call-countable). */
double rng_normal(Rng *rng, double mean, double stddev);

#endif
