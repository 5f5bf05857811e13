/* backoff: retry schedules of real MTAs (see backoff.h). */
#include "model/backoff.h"

#include <assert.h>

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Postfix keeps time in whole seconds (time_t): the event loop's clock is the current second. */
static int64_t whole_s(int64_t t_us)
{
    return t_us >= 0 ? t_us / US_PER_S : -((-t_us + US_PER_S - 1) / US_PER_S);
}

/* Postfix's queue manager (qmgr_active.c): when an attempt ends at second T, the queue file's
 * time stamp is set to T + delay, delay = T - the message's arrival second, clamped to
 * [minimal_backoff_time, maximal_backoff_time]; a deferred-queue scan (every queue_run_delay,
 * at `phase` + k * queue_run_delay) takes a file whose stamp is at most one second ahead of the
 * scan's second (qmgr_active_feed: skipped only when mtime > now + 1). */
static int64_t postfix_next(const RetryPolicy *p, int64_t arrival_us, int64_t now_us,
                            int64_t phase)
{
    int64_t t_s = whole_s(now_us);
    int64_t delay_s = clamp64(t_s - whole_s(arrival_us), p->min_backoff_us / US_PER_S,
                              p->max_backoff_us / US_PER_S);
    int64_t wakeup_s = t_s + delay_s;
    if (p->queue_run_us <= 0) {
        return wakeup_s * US_PER_S;
    }
    /* The first scan at or after second wakeup - 1, and after now. */
    int64_t from = (wakeup_s - 1) * US_PER_S;
    if (from <= now_us) {
        from = now_us + 1;
    }
    int64_t k = (from - phase + p->queue_run_us - 1) / p->queue_run_us;
    return phase + (k > 0 ? k : 0) * p->queue_run_us;
}

/* Exim applies a rule while the time since the first failure is at most the rule's limit
 * (retry.c: failing_interval <= rule->timeout). The geometric rule's series starts from the
 * first try it schedules: the one after the last 15-minute try at the 2 h mark. */
static int64_t exim_next(int64_t arrival_us, int64_t now_us)
{
    const int64_t min = 60 * US_PER_S, hour = 3600 * US_PER_S;
    int64_t age = now_us - arrival_us;
    if (age <= 2 * hour) {
        return now_us + 15 * min;
    }
    if (age <= 16 * hour) {
        int64_t t = arrival_us + 2 * hour + 15 * min, wait = hour;
        while (t <= now_us) {
            t += wait;
            wait = wait * 3 / 2;
        }
        return t;
    }
    return now_us + 6 * hour;
}

static int64_t fixed_next(const RetryPolicy *p, int64_t now_us, uint32_t attempt)
{
    assert(p->fixed_count > 0);
    uint32_t i = attempt - 1 < p->fixed_count ? attempt - 1 : p->fixed_count - 1;
    return now_us + p->fixed_us[i];
}

int64_t backoff_next_try(const RetryPolicy *p, int64_t arrival_us, int64_t now_us,
                         uint32_t attempt, int64_t scan_phase_us)
{
    assert(attempt >= 1 && now_us >= arrival_us);
    int64_t next;
    switch (p->style) {
    case RETRY_EXIM: next = exim_next(arrival_us, now_us); break;
    case RETRY_FIXED: next = fixed_next(p, now_us, attempt); break;
    case RETRY_POSTFIX:
    default: next = postfix_next(p, arrival_us, now_us, scan_phase_us); break;
    }
    return next > now_us ? next : now_us + 1;
}

bool backoff_expired(const RetryPolicy *p, int64_t arrival_us, int64_t now_us)
{
    if (p->style != RETRY_POSTFIX) {
        return now_us - arrival_us >= p->lifetime_us;
    }
    /* qmgr_active.c: event_time() >= create_time + maximal_queue_lifetime, in whole seconds. */
    return (whole_s(now_us) - whole_s(arrival_us)) * US_PER_S >= p->lifetime_us;
}
