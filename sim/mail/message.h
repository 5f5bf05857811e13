/* message: the text of mail — RFC 5322 dates, queue ids, Message-IDs, and the RFC 3464 delivery
 * status notification (bounce) a real MTA writes. Pure formatting; owns nothing. */
#ifndef MAILSIM_MESSAGE_H
#define MAILSIM_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

/* Simulated time 0 is Monday 7 September 2026, 09:00:00 UTC (a school morning). */
#define MESSAGE_EPOCH_S INT64_C(1788771600)

/* RFC 5322 date of sim time t_us: "Mon, 07 Sep 2026 09:00:01 +0000". */
const char *message_format_date(int64_t t_us, char *buf, size_t size);

/* Postfix-style queue id: 10 upper-case hex digits, the low 40 bits of `random` (a draw from the
 * simulation's seeded RNG, so the same seed gives the same ids). */
const char *message_queue_id(uint64_t random, char buf[16]);

/* A DSN body (RFC 3464 text part and message/delivery-status part) for one recipient.
 * `action` is "failed" or "delayed"; `status` an enhanced code ("5.1.1"); `diagnostic` the remote
 * reply or the local reason. Returns the number of bytes written (truncated to size). */
size_t message_format_dsn(char *buf, size_t size, const char *reporting_mta,
                          const char *arrival_date, const char *rcpt, const char *action,
                          const char *status, const char *remote_mta, const char *diagnostic);

/* The enhanced status code in a reply or reason ("550 5.1.1 <x>..." -> "5.1.1"); falls back to
 * "5.0.0" / "4.0.0" from the basic code's class, or `fallback` when there is neither. */
const char *message_status_of(const char *reply, const char *fallback, char buf[16]);

#endif
