/* greylist: postgrey's triplet database and client auto-whitelist for one incoming server.
 *
 * Key: (client /24 subnet, envelope sender, recipient) (postgrey --lookup-by-subnet). A triplet
 * seen for the first time, or retried sooner than `delay` after it was first seen, is deferred
 * (450 4.2.0). A retry after the delay passes and is remembered. A triplet that has not passed yet
 * and whose first sighting is more than `retry_window` ago starts again as new (postgrey
 * --retry-window); triplets unseen for `max_age` are forgotten.
 * Auto-whitelist (postgrey --auto-whitelist-clients), keyed by the client's own IP address: a
 * triplet's *first* pass counts for its client, at most once an hour; a client with
 * `auto_whitelist` counts is whitelisted and never greylisted again (until unseen for max_age).
 * Owns its tables; keys are StrIds from the caller's pool.
 */
#ifndef MAILSIM_GREYLIST_H
#define MAILSIM_GREYLIST_H

#include "util/strpool.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct Greylist Greylist;

typedef struct {
    int64_t delay_us;        /* postgrey --delay: 300 s */
    int64_t max_age_us;      /* postgrey --max-age: 35 days */
    uint32_t auto_whitelist; /* counted passes before the client is whitelisted; 0 = never */
    int64_t retry_window_us; /* postgrey --retry-window: 2 days; 0 = no window */
} GreylistCfg;

typedef enum { GREY_PASS, GREY_DEFER_NEW, GREY_DEFER_EARLY, GREY_WHITELISTED } GreyVerdict;

/* postgrey counts a client's passes at most once in this long (hard-coded there: 3600 s). */
#define GREYLIST_AWL_INTERVAL_US (INT64_C(3600) * 1000000)

/* Never returns NULL. */
Greylist *greylist_create(void);
void greylist_destroy(Greylist *gl);

/* Decides for one RCPT and records the sighting. `client_ip` is host-order IPv4. */
GreyVerdict greylist_check(Greylist *gl, const GreylistCfg *cfg, uint32_t client_ip, StrId sender,
                           StrId rcpt, int64_t now_us);

#endif
