/* backoff: retry schedules of real MTAs (see backoff.h). */
#include "model/backoff.h"

#include <assert.h>

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* First scan time (phase + k * period) at or after `t`: the queue manager's next scan. */
static int64_t next_scan(int64_t t, int64_t period, int64_t phase)
{
    int64_t k = (t - phase + period - 1) / period;
    return phase + (k > 0 ? k : 0) * period;
}

static int64_t postfix_next(const RetryPolicy *p, int64_t arrival_us, int64_t now_us,
                            int64_t phase)
{
    int64_t wait = clamp64(now_us - arrival_us, p->min_backoff_us, p->max_backoff_us);
    int64_t eligible = now_us + wait;
    return p->queue_run_us > 0 ? next_scan(eligible, p->queue_run_us, phase) : eligible;
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
    return now_us - arrival_us >= p->lifetime_us;
}
