/* explain: one plain-language sentence for any trace event — what the player's caption bar says
 * when neither the scenario nor the narrator has a caption for this moment ("smtp.a.example names
 * the recipient: RCPT TO:<bob@b.example>"). The narrator (text/narrate.h) captions the notable
 * steps; this fills in the ordinary ones, so a class always reads what the step means.
 *
 * A text view: reads the trace alone (no model, no view state, no SDL), so a replayed trace is
 * explained as a live run is. Owns nothing; the sentence goes into the caller's buffer.
 */
#ifndef MAILSIM_EXPLAIN_H
#define MAILSIM_EXPLAIN_H

#include "trace/trace.h"

#include <stddef.h>
#include <stdint.h>

/* Writes the sentence for event i into buf and returns buf (never empty for a valid i). */
const char *explain_event(const Trace *tr, uint32_t i, char *buf, size_t size);

#endif
