/* status: where a recipient of a message ends up, as the summary, the expect checker and the
 * scenario format name it — delivered, bounced, deferred (still queued when the run ended) or
 * dropped (a bounce that could not be delivered, discarded: a bounce is never bounced).
 *
 * Vocabulary only: owns no state. The model decides each recipient's status; the text and view
 * layers show it.
 */
#ifndef MAILSIM_STATUS_H
#define MAILSIM_STATUS_H

typedef enum { ST_ANY = -1, ST_DELIVERED, ST_BOUNCED, ST_DEFERRED, ST_DROPPED, ST_COUNT } RcptStatus;

/* "delivered", "bounced", "deferred", "dropped"; "?" for anything else (ST_ANY included). */
const char *status_name(RcptStatus s);
/* The status named `name` (as status_name spells it), or -1. */
int status_from_name(const char *name);

#endif
