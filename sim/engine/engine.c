/* engine: the discrete-event core (see engine.h).
 *
 * Owns the clock, a 4-ary min-heap of pending events and a pool of event records. It does not own
 * the objects handlers receive, and it knows nothing of what an event means.
 *
 * Layout, chosen for speed (measured with bench/compare-engine.sh against a bare heap):
 *  - A heap entry is 16 bytes: the time and one 64-bit key holding (seq << SLOT_BITS | slot).
 *    Sequence numbers are unique, so comparing keys compares sequence numbers and the slot bits
 *    never decide; (t_us, key) is a total order and equal times fire first-in first-out.
 *  - The heap array is placed so that &heap[1] is 64-byte aligned: the four children of any node
 *    (4i+1 .. 4i+4) then fill exactly one cache line, so a sift-down touches one line per level.
 *  - Handler, object and argument live in a slot pool indexed by the key's low bits. Freed slots
 *    go on a LIFO free list, so the slot a handler's own follow-up event takes is usually still in
 *    cache, and the steady state allocates nothing.
 *  - Cancel only clears the slot's handler; the entry is dropped when it reaches the top, or by a
 *    purge once cancelled entries outnumber live ones (so they never hold more than half the heap).
 *
 * Limits, said out loud: at most 2^24 (16.7 million) event records at once (pending plus cancelled
 * ones not yet purged), and 2^40 (1.1e12) engine_schedule calls over an engine's life; passing
 * either aborts with a message, as running out of memory does. A slot's generation is 32 bits, so
 * an id kept across 2^32 reuses of its slot could be mistaken for a live one.
 */
#include "engine/engine.h"

#include "util/xalloc.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_BITS 24u
#define SLOT_LIMIT (UINT64_C(1) << SLOT_BITS)
#define SLOT_MASK (SLOT_LIMIT - 1u)
#define SEQ_LIMIT (UINT64_C(1) << (64u - SLOT_BITS))
#define NO_SLOT UINT32_MAX
#define CACHE_LINE 64u
/* Cancelled records are purged from the heap once they outnumber live ones and reach this many. */
#define PURGE_MIN_DEAD 64u

typedef struct {
    int64_t t_us;
    uint64_t key; /* seq << SLOT_BITS | slot */
} HeapEntry;

/* One event record. `handler == NULL` marks a slot that is free or holds a cancelled event. */
typedef struct {
    EngineHandler handler;
    void *obj;
    uint64_t arg;
    uint32_t gen;       /* bumped each time the slot is freed; the high half of its ids */
    uint32_t next_free; /* free-list link while the slot is free */
} Slot;

struct Engine {
    HeapEntry *heap;  /* heap[0] is the root; &heap[1] is CACHE_LINE-aligned */
    void *heap_block; /* the allocation `heap` points into */
    size_t heap_len, heap_cap;
    Slot *slots;
    size_t slot_len, slot_cap; /* slots[0 .. slot_len) have been handed out at least once */
    uint32_t free_head;
    uint32_t dead; /* cancelled entries still in the heap */
    uint64_t next_seq;
    int64_t now_us;
    uint64_t fired;
};

static void engine_die(const char *what)
{
    fprintf(stderr, "mailsim: engine: %s\n", what);
    abort();
}

/* (t_us, key) order. Times are never negative (the clock starts at 0 and never goes back), so both
 * halves compare as unsigned and, where the compiler has 128-bit integers, the pair compares as one
 * number: a cmp/sbb with no branch, which the sift-down below relies on for speed. */
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 EngineU128;
static inline int entry_before(HeapEntry a, HeapEntry b)
{
    EngineU128 ka = (EngineU128)(uint64_t)a.t_us << 64 | a.key;
    EngineU128 kb = (EngineU128)(uint64_t)b.t_us << 64 | b.key;
    return ka < kb;
}
#else
static inline int entry_before(HeapEntry a, HeapEntry b)
{
    return a.t_us < b.t_us || (a.t_us == b.t_us && a.key < b.key);
}
#endif

#if defined(__GNUC__)
#define ENGINE_PREFETCH(p) __builtin_prefetch(p)
#else
#define ENGINE_PREFETCH(p) ((void)(p))
#endif

static inline uint32_t entry_slot(HeapEntry e)
{
    return (uint32_t)(e.key & SLOT_MASK);
}

/* ---- heap ---------------------------------------------------------------------------------- */

/* Moves the heap to a block with room for `cap` entries, keeping &heap[1] cache-line aligned. */
static void heap_reserve(Engine *eng, size_t cap)
{
    unsigned char *block = xmalloc(cap * sizeof(HeapEntry) + CACHE_LINE);
    size_t pad = (CACHE_LINE - ((uintptr_t)block + sizeof(HeapEntry)) % CACHE_LINE) % CACHE_LINE;
    HeapEntry *heap = (HeapEntry *)(void *)(block + pad);
    if (eng->heap_len > 0) {
        memcpy(heap, eng->heap, eng->heap_len * sizeof(HeapEntry));
    }
    free(eng->heap_block);
    eng->heap_block = block;
    eng->heap = heap;
    eng->heap_cap = cap;
}

/* Puts `e` into the hole at `i` and moves it up until its parent is earlier. */
static void heap_sift_up(HeapEntry *heap, size_t i, HeapEntry e)
{
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!entry_before(e, heap[parent])) {
            break;
        }
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = e;
}

/* Puts `e` into the hole at `i` of a heap of `len` entries and moves it down until no child is
 * earlier.
 *
 * Speed (bench_engine, best of 4 interleaved runs on the 2-core dev machine): a full group of
 * four children is judged as a two-round tournament with branch-free comparisons (entry_before), so
 * choosing a child costs no mispredictions. With 10k pending that took the engine from 5.4M to 8.7M
 * events/s, but with 1M pending it lost ~10% (1.6M to 1.4M): without branches the CPU no longer
 * speculates into the next level's loads. Prefetching the grandchildren (four consecutive cache
 * lines, 4c+1 .. 4c+16) puts the next level in flight while this one is compared, and together with
 * the slot prefetch in engine_step made it 10.8M (10k) and 2.8M (1M) events/s; heapref.c ran at
 * 8.0M and 2.2M in the same runs. */
static void heap_sift_down(HeapEntry *heap, size_t len, size_t i, HeapEntry e)
{
    for (;;) {
        size_t c = 4 * i + 1;
        size_t best;
        if (c + 4 <= len) {
            size_t g = 4 * c + 1;
            if (g + 15 < len) {
                ENGINE_PREFETCH(&heap[g]);
                ENGINE_PREFETCH(&heap[g + 4]);
                ENGINE_PREFETCH(&heap[g + 8]);
                ENGINE_PREFETCH(&heap[g + 12]);
            }
            size_t b01 = c + (size_t)entry_before(heap[c + 1], heap[c]);
            size_t b23 = c + 2 + (size_t)entry_before(heap[c + 3], heap[c + 2]);
            best = entry_before(heap[b23], heap[b01]) ? b23 : b01;
        } else if (c < len) {
            best = c;
            for (size_t k = c + 1; k < len; k++) {
                if (entry_before(heap[k], heap[best])) {
                    best = k;
                }
            }
        } else {
            break;
        }
        if (!entry_before(heap[best], e)) {
            break;
        }
        heap[i] = heap[best];
        i = best;
    }
    heap[i] = e;
}

static void heap_push(Engine *eng, HeapEntry e)
{
    if (eng->heap_len == eng->heap_cap) {
        heap_reserve(eng, eng->heap_cap * 2);
    }
    heap_sift_up(eng->heap, eng->heap_len++, e);
}

/* Removes the root (the heap must not be empty). */
static void heap_pop_root(Engine *eng)
{
    size_t len = --eng->heap_len;
    if (len > 0) {
        heap_sift_down(eng->heap, len, 0, eng->heap[len]);
    }
}

/* ---- slot pool ----------------------------------------------------------------------------- */

static uint32_t slot_alloc(Engine *eng)
{
    uint32_t slot = eng->free_head;
    if (slot != NO_SLOT) {
        eng->free_head = eng->slots[slot].next_free;
        return slot;
    }
    if (eng->slot_len == SLOT_LIMIT) {
        engine_die("more than 2^24 events pending at once");
    }
    if (eng->slot_len == eng->slot_cap) {
        eng->slots = xgrow(eng->slots, &eng->slot_cap, eng->slot_len + 1, sizeof(Slot));
    }
    slot = (uint32_t)eng->slot_len++;
    eng->slots[slot].gen = 0;
    return slot;
}

static void slot_free(Engine *eng, uint32_t slot)
{
    Slot *s = &eng->slots[slot];
    s->handler = NULL;
    s->gen++;
    s->next_free = eng->free_head;
    eng->free_head = slot;
}

/* ---- purging cancelled events -------------------------------------------------------------- */

/* Drops every cancelled entry from the heap and rebuilds it bottom-up (Floyd), in O(heap_len).
 * Called once cancelled entries outnumber live ones, so its cost is paid for by those cancels. */
static void engine_purge(Engine *eng)
{
    HeapEntry *heap = eng->heap;
    size_t kept = 0;
    for (size_t i = 0; i < eng->heap_len; i++) {
        uint32_t slot = entry_slot(heap[i]);
        if (eng->slots[slot].handler) {
            heap[kept++] = heap[i];
        } else {
            slot_free(eng, slot);
        }
    }
    eng->heap_len = kept;
    eng->dead = 0;
    if (kept < 2) {
        return;
    }
    for (size_t i = (kept - 2) / 4 + 1; i-- > 0;) {
        heap_sift_down(heap, kept, i, heap[i]);
    }
}

/* Frees cancelled entries sitting at the root, so heap[0] (if any) is live. */
static void engine_drop_dead_top(Engine *eng)
{
    while (eng->heap_len > 0) {
        uint32_t slot = entry_slot(eng->heap[0]);
        if (eng->slots[slot].handler) {
            return;
        }
        heap_pop_root(eng);
        slot_free(eng, slot);
        eng->dead--;
    }
}

/* ---- public interface ---------------------------------------------------------------------- */

Engine *engine_create(uint32_t capacity_hint)
{
    Engine *eng = xcalloc(1, sizeof *eng);
    size_t cap = capacity_hint > 16 ? capacity_hint : 16;
    if (cap > SLOT_LIMIT) {
        cap = SLOT_LIMIT;
    }
    heap_reserve(eng, cap);
    eng->slots = xmalloc(cap * sizeof(Slot));
    eng->slot_cap = cap;
    eng->free_head = NO_SLOT;
    return eng;
}

void engine_destroy(Engine *eng)
{
    if (!eng) {
        return;
    }
    free(eng->heap_block);
    free(eng->slots);
    free(eng);
}

int64_t engine_now(const Engine *eng)
{
    return eng->now_us;
}

EngineEventId engine_schedule(Engine *eng, int64_t at_us, EngineHandler handler, void *obj,
                              uint64_t arg)
{
    assert(at_us >= eng->now_us && "engine_schedule: time is in the past");
    assert(at_us < ENGINE_TIME_MAX && "engine_schedule: ENGINE_TIME_MAX means 'never'");
    assert(handler != NULL);
    if (eng->next_seq == SEQ_LIMIT) {
        engine_die("2^40 events scheduled over this engine's life");
    }
    uint32_t slot = slot_alloc(eng);
    Slot *s = &eng->slots[slot];
    s->handler = handler;
    s->obj = obj;
    s->arg = arg;
    HeapEntry e = { at_us, eng->next_seq++ << SLOT_BITS | slot };
    heap_push(eng, e);
    return (EngineEventId)s->gen << 32 | (EngineEventId)(slot + 1u);
}

EngineEventId engine_schedule_in(Engine *eng, int64_t delay_us, EngineHandler handler, void *obj,
                                 uint64_t arg)
{
    assert(delay_us >= 0 && "engine_schedule_in: negative delay");
    assert(delay_us < ENGINE_TIME_MAX - eng->now_us && "engine_schedule_in: time overflows");
    return engine_schedule(eng, eng->now_us + delay_us, handler, obj, arg);
}

bool engine_cancel(Engine *eng, EngineEventId id)
{
    uint64_t slot_plus_one = id & UINT32_MAX;
    if (slot_plus_one == 0 || slot_plus_one > eng->slot_len) {
        return false;
    }
    Slot *s = &eng->slots[slot_plus_one - 1];
    if (s->gen != (uint32_t)(id >> 32) || !s->handler) {
        return false;
    }
    s->handler = NULL;
    eng->dead++;
    if (eng->dead >= PURGE_MIN_DEAD && eng->dead > eng->heap_len - eng->dead) {
        engine_purge(eng);
    }
    return true;
}

uint32_t engine_pending(const Engine *eng)
{
    return (uint32_t)(eng->heap_len - eng->dead);
}

int64_t engine_next_time(Engine *eng)
{
    engine_drop_dead_top(eng);
    return eng->heap_len > 0 ? eng->heap[0].t_us : ENGINE_TIME_MAX;
}

/* The record is copied out and its slot freed before the handler runs, so the handler may
 * schedule (reusing that very slot) and cancelling the firing event's own id returns false. */
bool engine_step(Engine *eng)
{
    engine_drop_dead_top(eng);
    if (eng->heap_len == 0) {
        return false;
    }
    HeapEntry top = eng->heap[0];
    uint32_t slot = entry_slot(top);
    Slot *s = &eng->slots[slot];
    EngineHandler handler = s->handler;
    void *obj = s->obj;
    uint64_t arg = s->arg;
    slot_free(eng, slot);
    heap_pop_root(eng);
    if (eng->heap_len > 0) {
        /* The next step will read this record; with a large pool it is a cache miss otherwise. */
        ENGINE_PREFETCH(&eng->slots[entry_slot(eng->heap[0])]);
    }
    eng->now_us = top.t_us;
    eng->fired++;
    handler(eng, obj, arg);
    return true;
}

uint64_t engine_run_until(Engine *eng, int64_t until_us, uint64_t max_events)
{
    uint64_t fired = 0;
    while (max_events == 0 || fired < max_events) {
        if (engine_next_time(eng) > until_us || !engine_step(eng)) {
            break;
        }
        fired++;
    }
    /* The clock may only jump if nothing is left at or before until_us (max_events can stop us
     * short of it). */
    if (until_us != ENGINE_TIME_MAX && until_us > eng->now_us &&
        engine_next_time(eng) > until_us) {
        eng->now_us = until_us;
    }
    return fired;
}

uint64_t engine_fired(const Engine *eng)
{
    return eng->fired;
}
