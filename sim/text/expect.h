/* expect: checks a run against the outcomes its scenario states (World expect_msgs and
 * expect_events) and the answers of its questions (text/ask.h), from the trace and its summary.
 * A view: owns nothing. */
#ifndef MAILSIM_EXPECT_H
#define MAILSIM_EXPECT_H

#include "text/summary.h"
#include "model/world.h"
#include "trace/trace.h"

#include <stdio.h>

/* Writes one line per unmet expectation to `out` (which may be NULL) and returns how many were
 * unmet. Each line names the expectation by its JSON path ("$.expect.messages[0]", "$.ask[1]"),
 * what was expected and what happened. */
int expect_check(const World *w, const Trace *tr, const Summary *s, FILE *out);

#endif
