/* sim_conncache: an outgoing server's SMTP connection cache, as Postfix's on-demand session
 * caching works (smtp_connection_cache_on_demand = yes; qmgr_entry.c, smtp_connect.c): while a
 * destination gets mail back to back, a delivery that ends leaves its session open instead of
 * saying QUIT, for at most smtp_connection_cache_time_limit (2 s); the next delivery to that
 * destination takes it (RSET, then MAIL) instead of looking up MX records and connecting.
 *
 * Owns, per outgoing server and destination domain, when its last delivery ended, how many are
 * in progress, whether sessions are being cached, and the one idle session. Does not own the
 * sessions (sim_session.c) nor when a delivery starts or ends (sim_relay.c). Private to
 * sim/model.
 */
#ifndef MAILSIM_SIM_CONNCACHE_H
#define MAILSIM_SIM_CONNCACHE_H

#include "model/sim_core.h"

/* No destination: caching is off for the server. */
#define CONNCACHE_NONE UINT32_MAX

/* A delivery from `server` to `domain` starts: returns the destination's index (CONNCACHE_NONE
 * when the server does not cache) and sets *store when its session may be kept open at its end
 * (Postfix turns caching on for a destination whose last delivery ended within the last second,
 * and off again once it has neither back-to-back nor concurrent deliveries). */
uint32_t conncache_begin(Sim *sim, int32_t server, StrId domain, bool *store);
/* An idle session to the destination, taken out of the cache (its close is cancelled), or
 * NONE. */
int32_t conncache_take(Sim *sim, uint32_t dest);
/* Leaves session s open and idle for the destination's next delivery; returns false (the caller
 * says QUIT) when the destination holds an idle session already. */
bool conncache_park(Sim *sim, uint32_t dest, uint32_t s);
/* A delivery to the destination has ended (its session parked or closed). */
void conncache_end(Sim *sim, uint32_t dest);
/* Frees the cache's tables (sim_destroy). */
void conncache_free(Sim *sim);

#endif
