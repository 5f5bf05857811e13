/* test_backoff: retry schedules (sim/model/backoff.h).
 *
 * Every expected time below was worked out by hand from the rules, not read off the code:
 *  - Postfix (docs/design/mail-facts.md, qmgr_active.c): after a try that failed in second T, the
 *    message is due at T + wait, wait = T - the arrival second clamped to [300 s, 4000 s]; the
 *    first queue scan (phase + k * 300 s) whose second is at least due - 1 takes it. The "tries"
 *    cases fail each try the moment it starts.
 *  - Exim's default "F,2h,15m; G,16h,1h,1.5; F,4d,6h", with the rule boundaries Exim's own
 *    retry.c uses (retry_update: `if (failing_interval <= rule->timeout) break;` — a rule still
 *    applies at exactly its cutoff) and its G step "next gap = max(1 h, last gap * 1.5)".
 *  - Fixed: the listed waits in turn, the last one repeating.
 */
#include "model/backoff.h"
#include "test.h"

#define S(x) ((int64_t)((x) * 1000000.0 + 0.5)) /* seconds (may be fractional) -> us */

static RetryPolicy policy(RetryStyle style)
{
    RetryPolicy p;
    world_retry_defaults(&p, style);
    return p;
}

/* Plays a message queued at `arrival_us` whose every try fails at once: the first try happens at
 * arrival, each next one when backoff_next_try says. Fills tries[0..n). */
static void play(const RetryPolicy *p, int64_t arrival_us, int64_t phase_us, int64_t *tries, int n)
{
    int64_t now = arrival_us;
    for (int i = 0; i < n; i++) {
        tries[i] = now;
        now = backoff_next_try(p, arrival_us, now, (uint32_t)(i + 1), phase_us);
    }
}

static void backoff_should_default_to_postfix_parameters(void)
{
    RetryPolicy p = policy(RETRY_POSTFIX);
    CHECK_EQ_INT(p.queue_run_us, S(300));
    CHECK_EQ_INT(p.min_backoff_us, S(300));
    CHECK_EQ_INT(p.max_backoff_us, S(4000));
    CHECK_EQ_INT(p.lifetime_us, S(5 * 86400));
    CHECK_EQ_INT(p.delay_warning_us, 0);
}

/* Phase 0: tries near 0, 300, 600, 1200, 2400, 4800, then the wait is capped at 4000 s:
 *   4800 + 4000 = 8800  -> next scan at or after: 9000 (30 * 300)
 *   9000 + 4000 = 13000 -> 13200 (44 * 300)
 *  13200 + 4000 = 17200 -> 17400 (58 * 300)
 *  17400 + 4000 = 21400 -> 21600 (72 * 300)
 * Before the cap every eligible time (2 * now) is already on the 300 s grid. */
static void backoff_should_follow_the_postfix_grid(void)
{
    static const double want_s[] = { 0, 300, 600, 1200, 2400, 4800, 9000, 13200, 17400, 21600 };
    enum { N = sizeof want_s / sizeof want_s[0] };
    RetryPolicy p = policy(RETRY_POSTFIX);
    int64_t tries[N];
    play(&p, 0, 0, tries, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(tries[i], S(want_s[i]));
    }
}

/* Scans at 100 + k * 300 s:
 *     0 + 300  = 300   -> 400
 *   400 + 400  = 800   -> 1000
 *  1000 + 1000 = 2000  -> 2200
 *  2200 + 2200 = 4400  -> 4600
 *  4600 + 4000 = 8600  -> 8800
 *  8800 + 4000 = 12800 -> 13000
 * 13000 + 4000 = 17000 -> 17200 */
static void backoff_should_round_up_to_a_shifted_scan_phase(void)
{
    static const double want_s[] = { 0, 400, 1000, 2200, 4600, 8800, 13000, 17200 };
    enum { N = sizeof want_s / sizeof want_s[0] };
    RetryPolicy p = policy(RETRY_POSTFIX);
    int64_t tries[N];
    play(&p, 0, S(100), tries, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(tries[i], S(want_s[i]));
    }
}

/* Arrival off the grid: queued at 1000 s, scans at multiples of 300 s (phase 0).
 *  1000 + 300 = 1300 -> 1500; age 500 -> 1500 + 500 = 2000 -> 2100; age 1100 -> 3200 -> 3300;
 *  age 2300 -> 5600 -> 5700. */
static void backoff_should_measure_the_wait_from_arrival(void)
{
    static const double want_s[] = { 1000, 1500, 2100, 3300, 5700 };
    enum { N = sizeof want_s / sizeof want_s[0] };
    RetryPolicy p = policy(RETRY_POSTFIX);
    int64_t tries[N];
    play(&p, S(1000), 0, tries, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(tries[i], S(want_s[i]));
    }
}

/* A try that takes time to fail (a 30 s connect timeout): failed at 330 s after arrival at 0,
 * wait 330 s -> eligible 660 -> next scan 900. Postfix counts in whole seconds: a try that ends
 * within second 450 is due at 900 and taken by the scan at 900; one that ends in second 451 is
 * due at 902, more than a second after that scan, and waits for the next. With arrival at 0.5 s
 * (second 0) and a try ending in second 450, it is due at 900 as well. */
static void backoff_should_pick_the_scan_at_or_after_the_eligible_time(void)
{
    RetryPolicy p = policy(RETRY_POSTFIX);
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(330), 2, 0), S(900));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(450), 2, 0), S(900)); /* 450 + 450 = 900 exactly */
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(450) + 1, 2, 0), S(900));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(450) + 999999, 2, 0), S(900));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(451), 2, 0), S(1200)); /* due at 902 */
    CHECK_EQ_INT(backoff_next_try(&p, S(0.5), S(450.9), 2, 0), S(900));
    /* Due at 901 (arrival in second 1, fail in 451: wait 450): the scan at 900 takes it. */
    CHECK_EQ_INT(backoff_next_try(&p, S(1), S(451), 2, 0), S(900));
}

/* Without queue runs (queue_run 0) the message is eligible exactly after its wait. */
static void backoff_should_not_round_without_queue_runs(void)
{
    RetryPolicy p = policy(RETRY_POSTFIX);
    p.queue_run_us = 0;
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(10), 1, 0), S(310));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(1000), 3, 0), S(2000));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(9000), 7, 0), S(13000));
}

/* maximal_queue_lifetime 5 d: Postfix's qmgr_active.c returns a deferred message when
 * `event_time() >= message->create_time + var_max_queue_time`, so exactly 5 days is too old. */
static void backoff_should_expire_at_exactly_the_lifetime(void)
{
    RetryPolicy p = policy(RETRY_POSTFIX);
    CHECK(!backoff_expired(&p, 0, 0));
    CHECK(!backoff_expired(&p, 0, S(5 * 86400) - 1));
    CHECK(backoff_expired(&p, 0, S(5 * 86400)));
    CHECK(backoff_expired(&p, 0, S(6 * 86400)));
    /* Measured from arrival, not from time 0. */
    CHECK(!backoff_expired(&p, S(3600), S(5 * 86400)));
    CHECK(backoff_expired(&p, S(3600), S(5 * 86400 + 3600)));
    /* Exim's default gives up after 4 days (its own test is "> 4 d", so the exact instant is
     * left alone here: no try of the default schedule lands on it). */
    RetryPolicy e = policy(RETRY_EXIM);
    CHECK(!backoff_expired(&e, 0, S(4 * 86400) - 1));
    CHECK(backoff_expired(&e, 0, S(4 * 86400) + 1));
}

/* Exim, every try failing at once, times in seconds:
 *  F,2h,15m: 0, 900, ..., 7200. At 7200 the failing interval is exactly 2 h and F still applies
 *            (Exim's "<="), so the next try is 7200 + 900 = 8100.
 *  G,16h,1h,1.5 from 8100 (last gap 15 min < 1 h, so 1 h): 8100 + 3600 = 11700; then gaps
 *            5400, 8100, 12150, 18225: 17100, 25200, 37350, 55575; 55575 s = 15.4375 h <= 16 h,
 *            so G once more with 27337.5: 82912.5.
 *  F,4d,6h:  82912.5 + 21600 = 104512.5, then 126112.5.
 * (Exim keeps whole seconds and would write 27337; the simulator keeps microseconds.) */
static void backoff_should_follow_the_exim_default_rule(void)
{
    static const double want_s[] = { 0,     900,   1800,  2700,  3600,    4500,     5400,
                                     6300,  7200,  8100,  11700, 17100,   25200,    37350,
                                     55575, 82912.5, 104512.5, 126112.5 };
    enum { N = sizeof want_s / sizeof want_s[0] };
    RetryPolicy p = policy(RETRY_EXIM);
    int64_t tries[N];
    play(&p, 0, 0, tries, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(tries[i], S(want_s[i]));
    }
}

/* Whatever the anchor of the geometric part, its waits are 1 h, 1.5 h, 2.25 h, 3.375 h,
 * 5.0625 h, 7.59375 h (each 1.5 times the one before, from 1 h), followed by 6 h waits. */
static void backoff_should_grow_exim_waits_by_half_from_one_hour(void)
{
    static const double want_gap_s[] = { 3600, 5400, 8100, 12150, 18225, 27337.5, 21600, 21600 };
    enum { N = 24, G = sizeof want_gap_s / sizeof want_gap_s[0] };
    RetryPolicy p = policy(RETRY_EXIM);
    int64_t tries[N];
    play(&p, 0, 0, tries, N);
    int first = -1;
    for (int i = 1; i < N && first < 0; i++) {
        if (tries[i] - tries[i - 1] > S(900)) {
            first = i;
        }
    }
    REQUIRE(first > 0 && first + G < N);
    for (int k = 0; k < G; k++) {
        CHECK_EQ_INT(tries[first + k] - tries[first + k - 1], S(want_gap_s[k]));
    }
}

/* The parts of the Exim rule away from its cutoffs: 15 min waits well inside the first 2 h, and
 * 6 h waits well past 16 h, whatever the attempt number. */
static void backoff_should_use_exim_fixed_steps_inside_their_windows(void)
{
    RetryPolicy p = policy(RETRY_EXIM);
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(100), 1, 0), S(1000));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(3000), 5, 0), S(3900));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(20 * 3600), 12, 0), S(26 * 3600));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(3 * 86400), 20, 0), S(3 * 86400 + 6 * 3600));
}

static void backoff_should_use_fixed_waits_with_the_last_repeating(void)
{
    RetryPolicy p = policy(RETRY_FIXED);
    p.fixed_count = 3;
    p.fixed_us[0] = S(60);
    p.fixed_us[1] = S(600);
    p.fixed_us[2] = S(1800);
    /* tries: 0, +60 = 60, +600 = 660, +1800 = 2460, +1800 = 4260, +1800 = 6060 */
    static const double want_s[] = { 0, 60, 660, 2460, 4260, 6060 };
    enum { N = sizeof want_s / sizeof want_s[0] };
    int64_t tries[N];
    play(&p, 0, 0, tries, N);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(tries[i], S(want_s[i]));
    }
    /* The wait depends on the attempt number, not on the time in the queue. */
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(5000), 1, 0), S(5060));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(5000), 2, 0), S(5600));
    CHECK_EQ_INT(backoff_next_try(&p, 0, S(5000), 99, 0), S(6800));
}

/* Whatever the policy, the next try is strictly later than the failure, even with zero waits. */
static void backoff_should_always_schedule_after_now(void)
{
    RetryPolicy zero_postfix = policy(RETRY_POSTFIX);
    zero_postfix.queue_run_us = 0;
    zero_postfix.min_backoff_us = 0;
    zero_postfix.max_backoff_us = 0;
    CHECK_EQ_INT(backoff_next_try(&zero_postfix, 0, 0, 1, 0), 1);
    CHECK_EQ_INT(backoff_next_try(&zero_postfix, S(5), S(5), 1, 0), S(5) + 1);

    RetryPolicy zero_fixed = policy(RETRY_FIXED);
    zero_fixed.fixed_count = 1;
    zero_fixed.fixed_us[0] = 0;
    CHECK_EQ_INT(backoff_next_try(&zero_fixed, 0, S(42), 3, 0), S(42) + 1);

    /* Sweep: every style, many failure times and phases. */
    RetryPolicy styles[3] = { policy(RETRY_POSTFIX), policy(RETRY_EXIM), policy(RETRY_FIXED) };
    styles[2].fixed_count = 2;
    styles[2].fixed_us[0] = S(1);
    styles[2].fixed_us[1] = S(2);
    int not_later = 0;
    for (int s = 0; s < 3; s++) {
        for (int64_t now = 0; now < S(5 * 86400); now += S(997)) {
            for (int64_t phase = 0; phase < S(300); phase += S(73)) {
                uint32_t attempt = (uint32_t)(now / S(997)) % 20 + 1;
                not_later += backoff_next_try(&styles[s], 0, now, attempt, phase) <= now;
            }
        }
    }
    CHECK_EQ_INT(not_later, 0);
}

/* Postfix 3.7 with short timers (queue_run_delay 10 s, minimal_backoff_time 10 s,
 * maximal_backoff_time 80 s, maximal_queue_lifetime 300 s); the message arrives at 0, its queue
 * manager scans at 6.2 + k * 10 s, and every try fails 50 ms after it starts (a refused
 * connection). By qmgr_active.c's whole-second arithmetic:
 *   try at   0    ends in second   0: wait 10 (the minimum) -> due  10, scan >= 9 s  ->  16.2
 *   try at  16.2  ends in second  16: wait 16               -> due  32, scan >= 31 s ->  36.2
 *   try at  36.2  ends in second  36: wait 36               -> due  72, scan >= 71 s ->  76.2
 *   try at  76.2  ends in second  76: wait 76               -> due 152              -> 156.2
 *   try at 156.2  ends in second 156: wait 80 (the cap)     -> due 236              -> 236.2
 *   try at 236.2  ends in second 236: wait 80               -> due 316              -> 316.2
 *   try at 316.2  ends in second 316 >= 0 + 300: expired, returned to the sender at 316 s.
 * At the cap the retry comes exactly 80 s after the last, as on a real Postfix; counting the wait
 * from the end of the try (156.25 + 80 = 236.25, just after the scan at 236.2) missed that scan
 * and waited 90 s, which moved the expiry to the try at 336.2. */
static void backoff_should_retry_and_expire_as_postfix_3_7_does_with_short_timers(void)
{
    static const double want_s[] = { 0, 16.2, 36.2, 76.2, 156.2, 236.2, 316.2 };
    enum { N = sizeof want_s / sizeof want_s[0] };
    RetryPolicy p = policy(RETRY_POSTFIX);
    p.queue_run_us = S(10);
    p.min_backoff_us = S(10);
    p.max_backoff_us = S(80);
    p.lifetime_us = S(300);
    int64_t now = 0;
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(now, S(want_s[i]));
        int64_t end = now + S(0.05);
        CHECK_EQ_INT(backoff_expired(&p, 0, end), i == N - 1);
        now = backoff_next_try(&p, 0, end, (uint32_t)(i + 1), S(6.2));
    }
}

RUN_TESTS(TEST_CASE(backoff_should_default_to_postfix_parameters),
          TEST_CASE(backoff_should_retry_and_expire_as_postfix_3_7_does_with_short_timers),
          TEST_CASE(backoff_should_follow_the_postfix_grid),
          TEST_CASE(backoff_should_round_up_to_a_shifted_scan_phase),
          TEST_CASE(backoff_should_measure_the_wait_from_arrival),
          TEST_CASE(backoff_should_pick_the_scan_at_or_after_the_eligible_time),
          TEST_CASE(backoff_should_not_round_without_queue_runs),
          TEST_CASE(backoff_should_expire_at_exactly_the_lifetime),
          TEST_CASE(backoff_should_follow_the_exim_default_rule),
          TEST_CASE(backoff_should_grow_exim_waits_by_half_from_one_hour),
          TEST_CASE(backoff_should_use_exim_fixed_steps_inside_their_windows),
          TEST_CASE(backoff_should_use_fixed_waits_with_the_last_repeating),
          TEST_CASE(backoff_should_always_schedule_after_now))
