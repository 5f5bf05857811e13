/* fmt: times and sizes written for people, the same everywhere (log, player, inspector).
 * Every function writes a NUL-terminated string into buf (cut to size) and returns buf; the caller
 * owns buf. Times are simulated microseconds.
 */
#ifndef MAILSIM_FMT_H
#define MAILSIM_FMT_H

#include <stddef.h>
#include <stdint.h>

/* The sim clock: "00:04:58.250" (hh:mm:ss.mmm) within the first day, "4d 20:14:58.540" after;
 * truncated to the millisecond; negative times read as 0. */
const char *fmt_clock(int64_t us, char *buf, size_t size);

/* A readable duration: "40 ms", "1.25 s", "4 min 58 s", "2 h 05 min", "3 d 4 h". */
const char *fmt_duration(int64_t us, char *buf, size_t size);

/* A countdown, rounded up to whole seconds: "4:58", "1:02:03", "2d 4h". */
const char *fmt_countdown(int64_t us, char *buf, size_t size);

/* A message size in SI units: "707 bytes", "12.5 kB", "5.0 MB". */
const char *fmt_size(int64_t bytes, char *buf, size_t size);

#endif
