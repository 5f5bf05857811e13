/* evmatch: whether a trace event matches an EventSelector (model/world.h), and the selector in
 * words for messages — the one grammar of expect.events and of a question's "before" and
 * "check". A view: owns nothing. */
#ifndef MAILSIM_EVMATCH_H
#define MAILSIM_EVMATCH_H

#include "model/world.h"
#include "trace/trace.h"

#include <stdbool.h>
#include <stddef.h>

/* World and trace nodes share indices (the trace's topology is the world's, in order). */
bool evmatch_event(const World *w, const Trace *tr, const EventSelector *s, const TraceEvent *ev);

/* "kind smtp, msg m1, from mx.b.example, code 450" into buf; returns buf. */
const char *evmatch_describe(const World *w, const EventSelector *s, char *buf, size_t size);

#endif
