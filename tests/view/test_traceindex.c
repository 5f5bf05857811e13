/* test_traceindex: the player's index — counters from snapshots against brute-force counts on a
 * generated trace long enough to cross many snapshots, event stepping, per-message events. */
#include "view/fixture.h"
#include "test.h"

#include "view/traceindex.h"

#include "shipped.h"

#include <stdlib.h>

static uint64_t rs = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs % n);
}

/* 3 000 messages: compose, submit (.), sent, relay (.), hop into a store, deliver (Inbox or
 * Junk), some deferred once and retried; overlapping in time. */
static Trace *generated(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    fx_topology(&fx);
    int64_t t = 0;
    for (int i = 0; i < 3000; i++) {
        char id[16];
        snprintf(id, sizeof id, "g%d", i);
        fx.msg = fx_msg(&fx, id, "alice@a.example", "bob@b.example", "hi", TRACE_NONE, N_ALICE);
        t += 40 + rnd(40);
        fx_ev(&fx, TK_COMPOSE, t, N_ALICE, TRACE_NONE, -1, "");
        fx_cmd(&fx, t + 1, N_ALICE, N_SMTP_A, t + 30, ".");
        fx_outcome(&fx, TK_SENT, t + 31, N_ALICE, "bob@b.example", "250 ok", -1, 0);
    }
    return fx.tr;
}

/* The same, but as a trace whose events are time-sorted: build relay steps per message with
 * their own times, then append everything in time order. */
typedef struct {
    int64_t t;
    int kind; /* 0 dot-relay, 1 sent, 2 hop, 3 deliver, 4 defer, 5 retry */
    int32_t msg;
    int folder;
} Step;

static int cmp_step(const void *a, const void *b)
{
    const Step *x = a, *y = b;
    if (x->t != y->t) {
        return x->t < y->t ? -1 : 1;
    }
    return x->msg != y->msg ? (x->msg < y->msg ? -1 : 1) : (x->kind < y->kind ? -1 : x->kind > y->kind);
}

static Trace *relay_trace(Step **steps_out, size_t *n_out)
{
    Fx fx = { trace_create(), TRACE_NONE };
    fx_topology(&fx);
    size_t n_msgs = 2500, cap = n_msgs * 6, n = 0;
    Step *st = malloc(cap * sizeof *st);
    for (size_t m = 0; m < n_msgs; m++) {
        char id[16];
        snprintf(id, sizeof id, "r%zu", m);
        fx_msg(&fx, id, "alice@a.example", "bob@b.example", "hi", TRACE_NONE, N_SMTP_A);
        int64_t t = (int64_t)rnd(200000);
        if (rnd(4) == 0) {
            st[n++] = (Step){ t, 4, (int32_t)m, 0 };
            t += 1000 + rnd(5000);
            st[n++] = (Step){ t, 5, (int32_t)m, 0 };
        }
        st[n++] = (Step){ t, 0, (int32_t)m, 0 };
        st[n++] = (Step){ t + 50, 1, (int32_t)m, 0 };
        st[n++] = (Step){ t + 60, 2, (int32_t)m, 0 };
        st[n++] = (Step){ t + 80, 3, (int32_t)m, rnd(3) == 0 ? FOLDER_JUNK : FOLDER_INBOX };
    }
    qsort(st, n, sizeof *st, cmp_step);
    for (size_t i = 0; i < n; i++) {
        fx.msg = st[i].msg;
        int64_t t = st[i].t;
        switch (st[i].kind) {
        case 0: fx_cmd(&fx, t, N_SMTP_A, N_MX_B, t + 40, "."); break;
        case 1: fx_outcome(&fx, TK_SENT, t, N_SMTP_A, "bob@b.example", "250 ok", -1, 0); break;
        case 2: fx_ev(&fx, TK_HOP, t, N_MX_B, N_STORE_B, t + 20, "into the store"); break;
        case 3: {
            TraceEvent d = trace_event_init(TK_DELIVER, MS(t));
            d.from = N_STORE_B;
            d.msg = st[i].msg;
            d.sub = (uint8_t)st[i].folder;
            d.aux = fx_s(&fx, "bob@b.example");
            trace_append(fx.tr, &d);
            break;
        }
        case 4: fx_outcome(&fx, TK_DEFER, t, N_SMTP_A, "bob@b.example", "451 later", t + 1000, 1); break;
        case 5: {
            TraceEvent r = trace_event_init(TK_RETRY, MS(t));
            r.from = N_SMTP_A;
            r.msg = st[i].msg;
            r.num = 2;
            trace_append(fx.tr, &r);
            break;
        }
        }
    }
    *steps_out = st;
    *n_out = n;
    return fx.tr;
}

static void traceindex_should_count_like_a_brute_force_replay(void)
{
    Step *st;
    size_t n;
    Trace *tr = relay_trace(&st, &n);
    TraceIndex *ix = traceindex_create(tr);
    size_t nodes = trace_node_count(tr);
    int32_t *c = malloc(nodes * NC_COUNT * sizeof *c);
    for (int q = 0; q < 400; q++) {
        int64_t t_ms = (int64_t)rnd(210000);
        int64_t t = MS(t_ms) + (q % 3 == 0 ? 0 : 500); /* exact step times and in between */
        traceindex_counters(ix, t, c);
        int inbox = 0, junk = 0, sent = 0, at_store = 0, deferred = 0, at_mx = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t at = MS(st[i].t);
            if (st[i].kind == 3 && at <= t) {
                inbox += st[i].folder == FOLDER_INBOX;
                junk += st[i].folder == FOLDER_JUNK;
            }
            sent += st[i].kind == 1 && at <= t;
            at_store += st[i].kind == 2 && MS(st[i].t + 20) <= t; /* arrived */
            /* At mx.b from the "." arrival until the hop leaves. */
            at_mx += st[i].kind == 0 && MS(st[i].t + 40) <= t && MS(st[i].t + 60) > t;
            if (st[i].kind == 4 && at <= t && MS(st[i + 0].t) <= t) {
                /* deferred until its retry (the next step of this message, kind 5) */
                for (size_t j = i + 1; j < n; j++) {
                    if (st[j].msg == st[i].msg && st[j].kind == 5) {
                        deferred += MS(st[j].t) > t;
                        break;
                    }
                }
            }
        }
        CHECK_EQ_INT(c[N_STORE_B * NC_COUNT + NC_INBOX], inbox);
        CHECK_EQ_INT(c[N_STORE_B * NC_COUNT + NC_JUNK], junk);
        CHECK_EQ_INT(c[N_SMTP_A * NC_COUNT + NC_SENT], sent);
        CHECK_EQ_INT(c[N_STORE_B * NC_COUNT + NC_RESTING], at_store);
        CHECK_EQ_INT(c[N_MX_B * NC_COUNT + NC_RESTING], at_mx);
        CHECK_EQ_INT(c[N_SMTP_A * NC_COUNT + NC_DEFERRED], deferred);
    }
    free(c);
    free(st);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void traceindex_should_step_exactly_between_event_times(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    const TraceEvent *ev = trace_events(tr);
    CHECK_EQ_INT(traceindex_start(ix), MS(1000));
    CHECK_EQ_INT(traceindex_end(ix), MS(600120));
    CHECK_EQ_INT(traceindex_next_time(ix, MS(1000)), MS(1010));
    CHECK_EQ_INT(traceindex_prev_time(ix, MS(1010)), MS(1000));
    CHECK_EQ_INT(traceindex_prev_time(ix, MS(1000)), TRACE_NO_TIME);
    CHECK_EQ_INT(traceindex_next_time(ix, MS(600020)), TRACE_NO_TIME);
    CHECK_EQ_INT(traceindex_events_until(ix, MS(999)), 0);
    /* All events at 1000 ms count as done at 1000 ms. */
    size_t at1000 = 0;
    while (ev[at1000].t_us == MS(1000)) {
        at1000++;
    }
    CHECK_EQ_INT(traceindex_events_until(ix, MS(1000)), at1000);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void traceindex_should_list_each_messages_events(void)
{
    Trace *tr = fixture_bounce();
    TraceIndex *ix = traceindex_create(tr);
    const uint32_t *evs;
    size_t k = traceindex_msg_events(ix, 1, &evs); /* the DSN */
    CHECK(k >= 3);
    for (size_t i = 0; i < k; i++) {
        CHECK_EQ_INT(trace_events(tr)[evs[i]].msg, 1);
        CHECK(i == 0 || evs[i - 1] < evs[i]);
    }
    CHECK_EQ_INT(traceindex_msg_events(ix, 7, &evs), 0);
    CHECK(traceindex_client_sends(ix, N_ALICE));
    CHECK(!traceindex_client_sends(ix, N_BOB));
    traceindex_destroy(ix);
    trace_destroy(tr);

    tr = fixture_happy();
    ix = traceindex_create(tr);
    CHECK(traceindex_client_reads(ix, N_BOB));
    CHECK(!traceindex_client_reads(ix, N_ALICE));
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void traceindex_should_know_what_travels_and_what_carries_a_message(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    const TraceEvent *ev = trace_events(tr);
    size_t carries = 0, travels = 0;
    for (uint32_t i = 0; i < trace_count(tr); i++) {
        carries += traceindex_is_carry(ix, i);
        travels += traceindex_travels(ix, i);
        if (ev[i].kind == TK_DEFER) {
            CHECK(!traceindex_travels(ix, i));
        }
    }
    /* Two "." (submission, relay), two hops, one download. */
    CHECK_EQ_INT(carries, 5);
    CHECK(travels > 30);
    CHECK_EQ_INT(traceindex_busy_until(ix, MS(1865)), MS(1900));
    CHECK_EQ_INT(traceindex_busy_until(ix, MS(300000)), INT64_MIN);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void traceindex_should_handle_a_trace_without_events(void)
{
    Trace *tr = trace_create();
    TraceIndex *ix = traceindex_create(tr);
    int32_t dummy[1];
    traceindex_counters(ix, 0, dummy);
    CHECK_EQ_INT(traceindex_events_until(ix, 100), 0);
    CHECK_EQ_INT(traceindex_next_time(ix, 0), TRACE_NO_TIME);
    CHECK_EQ_INT(traceindex_in_flight(ix, 0, NULL, 0), 0);
    traceindex_destroy(ix);
    traceindex_destroy(NULL);
    trace_destroy(tr);
    Trace *g = generated();
    ix = traceindex_create(g);
    CHECK(traceindex_memory_bytes(ix) > 0);
    traceindex_destroy(ix);
    trace_destroy(g);
}

/* Greylisting (05): mx.b.example's 450 defers; the 554 5.5.1 that the pipelined DATA gets after
 * it refuses nothing of its own, so the server shows one deferral and no permanent refusal. */
static void traceindex_should_not_count_a_pipelined_followup_as_a_refusal(void)
{
    Trace *tr = shipped_run_file("scenarios/05-greylisting.json");
    REQUIRE(tr != NULL);
    TraceIndex *ix = traceindex_create(tr);
    int32_t mx = trace_find_node(tr, "mx.b.example");
    int32_t *c = malloc(trace_node_count(tr) * NC_COUNT * sizeof *c);
    traceindex_counters(ix, 60 * INT64_C(1000000), c); /* after the first attempt, before the retry */
    CHECK_EQ_INT(c[mx * NC_COUNT + NC_TEMPFAIL], 1);
    CHECK_EQ_INT(c[mx * NC_COUNT + NC_REFUSED], 0);
    free(c);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

RUN_TESTS(TEST_CASE(traceindex_should_not_count_a_pipelined_followup_as_a_refusal),
          TEST_CASE(traceindex_should_count_like_a_brute_force_replay),
          TEST_CASE(traceindex_should_step_exactly_between_event_times),
          TEST_CASE(traceindex_should_list_each_messages_events),
          TEST_CASE(traceindex_should_know_what_travels_and_what_carries_a_message),
          TEST_CASE(traceindex_should_handle_a_trace_without_events))
