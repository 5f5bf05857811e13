/* greylist: postgrey's triplet database for one incoming server.
 *
 * Key: (client /24 subnet, envelope sender, recipient). A triplet seen for the first time, or
 * retried sooner than `delay` after it was first seen, is deferred (450 4.2.0). A retry after the
 * delay passes and is remembered; triplets unseen for `max_age` are forgotten; a client that has
 * passed `auto_whitelist` times is whitelisted (postgrey --auto-whitelist-clients) and never
 * greylisted again. A triplet whose first retry after the delay comes later than `retry_window`
 * after it was first seen starts over as new (postgrey --retry-window). Owns its table; keys are StrIds from the caller's pool.
 */
#ifndef MAILSIM_GREYLIST_H
#define MAILSIM_GREYLIST_H

#include "util/strpool.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct Greylist Greylist;

typedef struct {
    int64_t delay_us;
    int64_t max_age_us;
    uint32_t auto_whitelist; /* passes before the client is whitelisted; 0 = never */
    int64_t retry_window_us; /* 0 = no window */
} GreylistCfg;

typedef enum { GREY_PASS, GREY_DEFER_NEW, GREY_DEFER_EARLY, GREY_WHITELISTED } GreyVerdict;

/* Never returns NULL. */
Greylist *greylist_create(void);
void greylist_destroy(Greylist *gl);

/* Decides for one RCPT and records the sighting. `client_ip` is host-order IPv4. */
GreyVerdict greylist_check(Greylist *gl, const GreylistCfg *cfg, uint32_t client_ip, StrId sender,
                           StrId rcpt, int64_t now_us);

#endif
