/* traceindex: the player's read-only index over one trace, so any moment can be recomputed fast.
 *
 * Owns: everything derived from the trace that the view needs at a random time t —
 *   - the travelling events (spans [t, arrive)) in an interval index: what is in flight at t;
 *   - "stays": where each message rests between moves (composed at a client, queued at an
 *     outgoing server until its last recipient is sent or bounced, scanned at a filter, filed in a
 *     store, downloaded to a reader's client), one interval index per node;
 *   - per-node counters (queue, deferred, sent, bounced, refused, Inbox, Junk, fetched, spam,
 *     ham, down) as a time-sorted list of +/-1 deltas with a snapshot every K deltas;
 *   - each message's events (for the inspector) and each node's spam verdicts and deferrals;
 *   - the scripted DNS failure windows, at the resolvers that relay them (dnsfail.h).
 * Does not own: the trace (borrowed; it must outlive the index and not change).
 *
 * Cost: building is O(n log n) time and O(n) memory. At time t: counters O(log n + K + nodes),
 * in-flight and resting look-ups O((k + 1) log n) for k results — independent of how much of the
 * trace lies before t, which is what makes scrubbing a long trace cheap.
 *
 * Rules for a message's whereabouts (the view's vocabulary, derived here once):
 *   - a "carry" is a travelling event that moves the message itself: a hop, the SMTP "." that
 *     transfers the content, or a POP3/IMAP download (fetch reply with msg set);
 *   - it rests at a client from compose until it leaves; at an outgoing server from arrival until
 *     its last sent/bounce there (a real MTA keeps the queue file until the 250); at an incoming
 *     server or filter until it leaves; at a store and at the reader's client from then on.
 */
#ifndef MAILSIM_TRACEINDEX_H
#define MAILSIM_TRACEINDEX_H

#include "view/dnsfail.h"
#include "view/spanindex.h"
#include "trace/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    NC_RESTING,  /* messages resting here now (queue size at an outgoing server) */
    NC_DEFERRED, /* of those, messages waiting for a retry after a 4xx */
    NC_SENT,     /* recipients accepted by the next hop (outgoing) */
    NC_BOUNCED,  /* recipients given up on (outgoing) */
    NC_REFUSED,  /* permanent refusals (5xx replies) this node sent */
    NC_INBOX,    /* messages filed in an Inbox (store) */
    NC_JUNK,     /* messages filed in Junk (store) */
    NC_FETCHED,  /* messages downloaded (client) */
    NC_SPAM,     /* spam verdicts (filter) */
    NC_HAM,      /* ham verdicts (filter) */
    NC_DOWN,     /* > 0 while an outage is in effect */
    NC_TEMPFAIL, /* temporary refusals (4xx replies, refused connections) this node sent */
    NC_VERIFIED, /* verdicts of an address verifier (client), by TraceVerifyVerdict from here: */
    NC_VERIFY_LAST = NC_VERIFIED + VERIFY_COUNT - 1,
    NC_COUNT
} NodeCounter;

typedef struct TraceIndex TraceIndex;

/* Builds the index. `tr` is borrowed and must outlive the index. Never returns NULL. */
TraceIndex *traceindex_create(const Trace *tr);
/* traceindex_destroy(NULL) is a no-op. */
void traceindex_destroy(TraceIndex *ix);

const Trace *traceindex_trace(const TraceIndex *ix);

/* ---- time ---- */
/* Number of events with t_us <= t (so the current event is that minus one). O(log n). */
size_t traceindex_events_until(const TraceIndex *ix, int64_t t_us);
/* The earliest event time > t, or TRACE_NO_TIME when there is none. */
int64_t traceindex_next_time(const TraceIndex *ix, int64_t t_us);
/* The latest event time < t, or TRACE_NO_TIME when there is none. */
int64_t traceindex_prev_time(const TraceIndex *ix, int64_t t_us);
/* First event time (0 when empty) and the end of the run (trace_end_time, at least start). */
int64_t traceindex_start(const TraceIndex *ix);
int64_t traceindex_end(const TraceIndex *ix);

/* ---- what moves and what rests ---- */
/* True when event i travels (arrive set, not a deferral's next-try time). */
bool traceindex_travels(const TraceIndex *ix, uint32_t i);
/* True when event i moves a message (see "carry" above). */
bool traceindex_is_carry(const TraceIndex *ix, uint32_t i);
/* Travelling events in flight at t (payload = event index), like spanindex_query. */
size_t traceindex_in_flight(const TraceIndex *ix, int64_t t_us, const Span **out, size_t cap);
/* The latest arrival among events in flight at t, or INT64_MIN when nothing travels. */
int64_t traceindex_busy_until(const TraceIndex *ix, int64_t t_us);
/* Messages resting at `node` at t (payload = message index), like spanindex_query. */
size_t traceindex_resting(const TraceIndex *ix, int32_t node, int64_t t_us, const Span **out,
                          size_t cap);

/* ---- counters ---- */
/* Fills out[node * NC_COUNT + counter] for every node as of time t (deltas at t included). */
void traceindex_counters(const TraceIndex *ix, int64_t t_us, int32_t *out);

/* ---- per message and per node ---- */
/* The events with msg == m, in trace order; returns their number. */
size_t traceindex_msg_events(const TraceIndex *ix, int32_t m, const uint32_t **out);
/* The latest spam verdict event at filter `node` with t_us <= t, or UINT32_MAX. */
uint32_t traceindex_last_verdict(const TraceIndex *ix, int32_t node, int64_t t_us);
/* The first spam verdict for message m (any time), or UINT32_MAX. */
uint32_t traceindex_msg_verdict(const TraceIndex *ix, int32_t m);
/* The soonest pending next-try time after t among deferrals at `node` made by t, or
 * TRACE_NO_TIME. Looks at the latest 64 deferrals only (a countdown, not an audit). */
int64_t traceindex_next_retry(const TraceIndex *ix, int32_t node, int64_t t_us);
/* The sender-side role of a client: true when messages are composed there. */
bool traceindex_client_sends(const TraceIndex *ix, int32_t node);
/* True when the client downloads mail (a fetch travels to it). */
bool traceindex_client_reads(const TraceIndex *ix, int32_t node);

/* The scripted DNS failure windows and the resolvers they show at (owned by the index). */
const DnsFail *traceindex_dns_fail(const TraceIndex *ix);

/* Bytes the index holds (for the benchmark). */
size_t traceindex_memory_bytes(const TraceIndex *ix);

#endif
