/* captions: labels a finished run's trace with the scenario's caption rules (World captions):
 * each rule labels the first event it matches, the first at or after its `at_us` or the first
 * that has its kind, message, SMTP reply code and node. Owns nothing; does not decide what a
 * caption says or when a viewer shows it.
 *
 * Cost: linear in events + rules. Rules are grouped by what they match, so each event is looked
 * up under the few groups it could belong to (at most 16 look-ups); a time rule is a binary
 * search, since a trace's events are in time order. */
#ifndef MAILSIM_CAPTIONS_H
#define MAILSIM_CAPTIONS_H

#include "model/world.h"
#include "trace/trace.h"

/* Applies every rule of w to tr (trace_set_caption). When two rules label the same event, the
 * later rule's text is the one kept. The caption texts are interned in tr's pool. */
void captions_apply(const World *w, Trace *tr);

#endif
