/* heapref: the bare-queue yardstick for bench_engine.
 *
 * Runs the hold model with nothing but a 4-ary min-heap: PENDING events wait in the heap, keyed
 * by (time_us, seq); each step removes the earliest and puts one new event back at
 * now + Exp(mean 1 s). No callbacks, no cancellation, no slot pool: what is left is the cost of
 * the queue itself, the fastest a discrete-event engine on this machine can hope to go.
 * bench/compare-engine.sh runs it and bench_engine alternately and prints their ratio.
 *
 * Both programs must fire the same events in the same order, so this file and bench_engine.c
 * share three things exactly: the xoroshiro128+ stream and its seed, the way a uniform draw
 * becomes an exponential delay, and "equal times fire in scheduling order" (seq). The `check`
 * they print (the sum of the payloads fired) then agrees, and the script refuses to compare
 * runs whose checks differ.
 *
 *   heapref [PENDING=10000] [EVENTS=5000000]
 *   prints: pending=N events=N seconds=S check=N
 *           events_per_s=N        (always the last line)
 *
 * Stands alone (C11 + POSIX clock_gettime + libm):  cc -O2 -std=c11 bench/heapref.c -lm
 */
#define _POSIX_C_SOURCE 199309L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define HEAP_ARITY 4

typedef struct {
    int64_t time_us;
    uint64_t seq;     /* scheduling order: breaks ties between equal times */
    uint64_t payload; /* what the event carries; summed into the check when it fires */
} Event;

/* Invariant: for every i > 0, items[(i - 1) / HEAP_ARITY] fires no later than items[i].
 * The capacity is fixed at creation: the hold model never holds more than PENDING events. */
typedef struct {
    Event *items;
    size_t count;
    size_t capacity;
    uint64_t next_seq;
} Heap;

/* Written as one expression on purpose: the compiler can then evaluate it without branches,
 * and in the sift-down loop, where the outcome is a coin toss, that is most of the speed. */
static int fires_before(const Event *a, const Event *b)
{
    return (a->time_us < b->time_us) | ((a->time_us == b->time_us) & (a->seq < b->seq));
}

/* Moves the hole at `hole` up until `e` fits there, then stores `e`. The array is passed
 * apart from the Heap so the compiler can keep it in a register: a store of an Event could
 * otherwise alias the Heap's own fields (uint64_t and size_t are the same type here). */
static void sift_up(Event *items, size_t hole, Event e)
{
    while (hole > 0) {
        size_t parent = (hole - 1) / HEAP_ARITY;
        if (!fires_before(&e, &items[parent])) {
            break;
        }
        items[hole] = items[parent];
        hole = parent;
    }
    items[hole] = e;
}

/* Moves the hole at `hole` down, past every child that fires before `e`, then stores `e`.
 * `count` is the number of events in the heap, the hole included. */
static void sift_down(Event *items, size_t count, size_t hole, Event e)
{
    for (;;) {
        size_t first = hole * HEAP_ARITY + 1;
        if (first >= count) {
            break;
        }
        size_t last = first + HEAP_ARITY < count ? first + HEAP_ARITY : count;
        size_t min = first;
        for (size_t c = first + 1; c < last; c++) {
            if (fires_before(&items[c], &items[min])) {
                min = c;
            }
        }
        if (!fires_before(&items[min], &e)) {
            break;
        }
        items[hole] = items[min];
        hole = min;
    }
    items[hole] = e;
}

static void heap_push(Heap *h, int64_t time_us, uint64_t payload)
{
    Event e = { time_us, h->next_seq++, payload };
    sift_up(h->items, h->count++, e);
}

/* Removes and returns the earliest event. The heap must not be empty. */
static Event heap_pop(Heap *h)
{
    Event top = h->items[0];
    h->count--;
    if (h->count > 0) {
        sift_down(h->items, h->count, 0, h->items[h->count]);
    }
    return top;
}

/* xoroshiro128+ (Blackman and Vigna); the same state and steps as bench_engine.c's. */
static uint64_t prng_state[2] = { 0x9E3779B97F4A7C15ull, 0xD1B54A32D192ED03ull };

static uint64_t prng_next(void)
{
    uint64_t s0 = prng_state[0], s1 = prng_state[1];
    uint64_t result = s0 + s1;
    s1 ^= s0;
    prng_state[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14);
    prng_state[1] = (s1 << 36) | (s1 >> 28);
    return result;
}

/* A delay drawn from Exp(mean 1 s), in whole microseconds: u is uniform in (0, 1] on a 2^-53
 * grid (never 0, so the log is finite), and -ln(u) is exponential with mean 1. */
static int64_t exp_delay_us(void)
{
    double u = (double)((prng_next() >> 11) + 1) * 0x1.0p-53;
    return (int64_t)(-log(u) * 1e6);
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    unsigned long long pending = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000;
    unsigned long long events = argc > 2 ? strtoull(argv[2], NULL, 10) : 5000000;
    if (pending == 0 || pending > UINT32_MAX) {
        fprintf(stderr, "heapref: PENDING must be in 1..%u\n", (unsigned)UINT32_MAX);
        return 2;
    }

    Heap h = { .capacity = (size_t)pending };
    h.items = malloc(sizeof *h.items * h.capacity);
    if (!h.items) {
        fprintf(stderr, "heapref: out of memory for %llu events\n", pending);
        return 1;
    }
    for (unsigned long long i = 0; i < pending; i++) {
        heap_push(&h, exp_delay_us(), i);
    }

    uint64_t check = 0;
    double start_s = monotonic_s();
    for (unsigned long long k = 0; k < events; k++) {
        Event e = heap_pop(&h);
        check += e.payload;
        heap_push(&h, e.time_us + exp_delay_us(), e.payload);
    }
    double elapsed_s = monotonic_s() - start_s;

    printf("pending=%llu events=%llu seconds=%.3f check=%llu\n", pending, events, elapsed_s,
           (unsigned long long)check);
    printf("events_per_s=%.0f\n", (double)events / elapsed_s);
    free(h.items);
    return 0;
}
