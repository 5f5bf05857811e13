/* bulk: the benchmarks' newsletter world, built in C (a million-recipient JSON file is over the
 * loader's 8 MiB limit).
 *
 * One sending organisation (news@big.example through smtp.big.example) mails `recipients`
 * addresses spread over 1 000 domains as one mailing ("one_per_recipient" in a scenario): a
 * copy per recipient, handed to the outgoing server at 2 000 copies/s.
 * The mix (decided per recipient/domain by a fixed hash, so every run is the same):
 *   5 % unknown users (550 5.1.1), 2 % full mailboxes (552 5.2.2), 3 % of domains greylist
 *   (450 then a retry), 1 % of domains check a DNSBL that lists the sender (554 5.7.1),
 *   every domain runs a spam filter, and domain 0's server is overloaded (2 sessions, backlog 2:
 *   queueing and 421 4.3.2). The run stops when everything is settled or at a 6-hour horizon.
 */
#ifndef MAILSIM_BENCH_BULK_H
#define MAILSIM_BENCH_BULK_H

#include "model/world.h"

#include <stdint.h>

#define BULK_DOMAINS 1000u

/* A finalized world; the caller destroys it. */
World *bulk_world(uint32_t recipients);

/* Seconds on the monotonic clock, and the peak resident set size so far in MB. */
double bulk_now_s(void);
double bulk_peak_rss_mb(void);

#endif
