/* dnsfail: whose DNS is broken at time t, and where the picture shows it.
 *
 * In mailsim's model a scripted `dns_failure` breaks a domain's own (authoritative) DNS servers:
 * every look-up of a name under that domain fails, whichever resolver asks, until the matching
 * `dns_failure_end`. Those authoritative servers are not nodes of the picture; the failure reaches
 * the canvas through the recursive resolver that asks them and passes the answer on. So a window
 * is drawn at each resolver that looks up a name under the domain somewhere in the trace, worded
 * as the domain's DNS failing ("⟳ b.example DNS: SERVFAIL"), never as the resolver's own fault.
 *
 * Owns: the windows (domain, rcode, resolver, [from, until)) in an interval index, and copies of
 * the domain names. Does not own the trace (borrowed for dnsfail_create only).
 *
 * The windows come from the trace's TK_ACTION events: aux "dns_failure" starts one ("The DNS
 * servers for b.example fail (SERVFAIL) until …"), aux "dns_failure_end" ends it ("… answer
 * again", "… mended by hand …") or hands over to a failure still covering the name ("A DNS
 * failure for b.example ends, but another still covers it (NXDOMAIN)"). Both name the domain after
 * their first " for ". SDL-free. Building is O(n + a log a) for n events and a DNS answers; a
 * look-up at t is O((k + 1) log w) for k windows open among w.
 */
#ifndef MAILSIM_DNSFAIL_H
#define MAILSIM_DNSFAIL_H

#include "trace/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *domain;  /* "b.example" (owned by the DnsFail) */
    TraceRcode rcode;    /* RCODE_SERVFAIL, RCODE_TIMEOUT or RCODE_NXDOMAIN */
    int32_t resolver;    /* the node that passes the failure on */
    int64_t from_us, until_us; /* half-open; until is INT64_MAX when it never ends */
} DnsFailWindow;

typedef struct DnsFail DnsFail;

/* Never returns NULL. `tr` is only read during the call. */
DnsFail *dnsfail_create(const Trace *tr);
/* dnsfail_destroy(NULL) is a no-op. */
void dnsfail_destroy(DnsFail *df);

size_t dnsfail_count(const DnsFail *df);
/* Writes up to `cap` (and at most 32) windows open at t into `out`, in start order, and returns
 * how many are open. `out` may be NULL when cap is 0. The pointers stay valid until dnsfail_destroy. */
size_t dnsfail_at(const DnsFail *df, int64_t t_us, const DnsFailWindow **out, size_t cap);

/* True for the rcodes that only mean "later" (SERVFAIL, a timeout): drawn ⟳, not ✖. */
bool dnsfail_temporary(TraceRcode rcode);

#endif
