/* fmt: how mailsim writes times and sizes for people, in one place, so that the narrated log, the
 * player's clock, its captions and the inspector always agree ("4d 20:14:58.540" in all of them).
 * Pure functions writing into the caller's buffer; each returns that buffer.
 */
#include "util/fmt.h"

#include <inttypes.h>
#include <stdio.h>

const char *fmt_duration(int64_t us, char *buf, size_t size)
{
    int64_t a = us < 0 ? -us : us;
    const char *sign = us < 0 ? "-" : "";
    if (a < 1000) {
        snprintf(buf, size, "%s%" PRId64 " \u00b5s", sign, a);
    } else if (a < 1000000) {
        snprintf(buf, size, "%s%" PRId64 " ms", sign, a / 1000);
    } else if (a < 10000000) {
        snprintf(buf, size, "%s%.2f s", sign, (double)a / 1e6);
    } else if (a < 60000000) {
        snprintf(buf, size, "%s%" PRId64 " s", sign, a / 1000000);
    } else if (a < INT64_C(3600000000)) {
        int64_t s = a / 1000000;
        snprintf(buf, size, "%s%" PRId64 " min %02" PRId64 " s", sign, s / 60, s % 60);
    } else if (a < INT64_C(86400000000)) {
        int64_t m = a / 60000000;
        snprintf(buf, size, "%s%" PRId64 " h %02" PRId64 " min", sign, m / 60, m % 60);
    } else {
        int64_t h = a / INT64_C(3600000000);
        snprintf(buf, size, "%s%" PRId64 " d %" PRId64 " h", sign, h / 24, h % 24);
    }
    return buf;
}

const char *fmt_countdown(int64_t us, char *buf, size_t size)
{
    int64_t s = us <= 0 ? 0 : (us + 999999) / 1000000; /* round up: "0:00" only when due */
    if (s >= 86400) {
        snprintf(buf, size, "%" PRId64 "d %" PRId64 "h", s / 86400, s / 3600 % 24);
    } else if (s >= 3600) {
        snprintf(buf, size, "%" PRId64 ":%02" PRId64 ":%02" PRId64, s / 3600, s / 60 % 60, s % 60);
    } else {
        snprintf(buf, size, "%" PRId64 ":%02" PRId64, s / 60, s % 60);
    }
    return buf;
}

const char *fmt_clock(int64_t us, char *buf, size_t size)
{
    if (us < 0) {
        us = 0;
    }
    int64_t ms = us / 1000, s = ms / 1000, m = s / 60, h = m / 60, d = h / 24;
    if (d > 0) {
        snprintf(buf, size, "%" PRId64 "d %02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64,
                 d, h % 24, m % 60, s % 60, ms % 1000);
    } else {
        snprintf(buf, size, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64, h, m % 60,
                 s % 60, ms % 1000);
    }
    return buf;
}

const char *fmt_size(int64_t bytes, char *buf, size_t size)
{
    if (bytes >= 1000000) {
        snprintf(buf, size, "%.1f MB", (double)bytes / 1e6);
    } else if (bytes >= 1000) {
        snprintf(buf, size, "%.1f kB", (double)bytes / 1e3);
    } else {
        snprintf(buf, size, "%" PRId64 " bytes", bytes);
    }
    return buf;
}
