/* bench_engine: the engine under the hold model of bench/heapref.c.
 *
 * Keeps PENDING events pending through the real engine_schedule / engine_step path: each fired
 * event's handler adds its argument to a checksum and schedules one new event at
 * now + Exp(mean 1 s). The random delays come from the same xoroshiro128+ stream and
 * exp_delay_us as heapref.c, and the engine's FIFO tie-break matches heapref's sequence numbers,
 * so both programs fire the same events in the same order and print the same `check`; the ratio of
 * their events_per_s is what the engine's callbacks, slot pool and cancellation support cost.
 *
 *   bench_engine [PENDING=10000] [EVENTS=5000000]
 *   prints: pending=N events=N seconds=S check=N
 *           events_per_s=N        (always the last line)
 *
 * bench/compare-engine.sh builds and runs both programs and prints the ratio.
 */
#define _POSIX_C_SOURCE 199309L
#include "engine/engine.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t rng[2] = { 0x9E3779B97F4A7C15ull, 0xD1B54A32D192ED03ull };

/* xoroshiro128+, as in heapref.c. */
static uint64_t next_u64(void)
{
    uint64_t a = rng[0], b = rng[1], r = a + b;
    b ^= a;
    rng[0] = ((a << 55) | (a >> 9)) ^ b ^ (b << 14);
    rng[1] = (b << 36) | (b >> 28);
    return r;
}

/* Exp(mean 1 s) in microseconds, as in heapref.c. */
static int64_t exp_delay_us(void)
{
    double u = (double)((next_u64() >> 11) + 1) * 0x1.0p-53;
    return (int64_t)(-log(u) * 1e6);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_fire(Engine *eng, void *obj, uint64_t arg)
{
    uint64_t *check = obj;
    *check += arg;
    engine_schedule_in(eng, exp_delay_us(), on_fire, obj, arg);
}

int main(int argc, char **argv)
{
    unsigned long long pending = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000;
    unsigned long long events = argc > 2 ? strtoull(argv[2], NULL, 10) : 5000000;
    if (pending == 0 || pending > UINT32_MAX) {
        fprintf(stderr, "bench_engine: PENDING must be in 1..%u\n", (unsigned)UINT32_MAX);
        return 2;
    }

    uint64_t check = 0;
    Engine *eng = engine_create((uint32_t)pending);
    for (unsigned long long i = 0; i < pending; i++) {
        engine_schedule(eng, exp_delay_us(), on_fire, &check, i);
    }

    double t0 = now_s();
    for (unsigned long long k = 0; k < events; k++) {
        engine_step(eng);
    }
    double dt = now_s() - t0;

    printf("pending=%llu events=%llu seconds=%.3f check=%llu\n", pending, events, dt,
           (unsigned long long)check);
    printf("events_per_s=%.0f\n", (double)events / dt);
    engine_destroy(eng);
    return 0;
}
