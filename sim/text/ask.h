/* ask: a scenario's questions ("ask", model/world.h Question) against a run — when each is put,
 * when its answer shows, whether the run bears the answer out — and the narrated log with the
 * questions in it. A view: reads the world and the trace, owns nothing.
 *
 * A question is put just before the `nth` event matching its `before` selector (its moment);
 * its answer shows with the first event at or after that moment matching its `check` selector.
 * The player pauses at ask_index and reveals at answer_index; `mailsim run` prints them in the
 * log (ask_narrate_write); `mailsim check` fails a question whose moment never comes or whose
 * check event never follows it (ask_check, called by expect_check).
 */
#ifndef MAILSIM_ASK_H
#define MAILSIM_ASK_H

#include "model/world.h"
#include "trace/trace.h"

#include <stdint.h>
#include <stdio.h>

typedef struct {
    int64_t ask_index;    /* trace index of the event the question comes before; -1: never */
    int64_t answer_index; /* trace index of the event that bears the answer out (>= ask_index);
                             -1: none (the moment never came, or the run contradicts the answer) */
} AskMoment;

/* Fills out[q] for each of w->questions[q] (w->question_count entries). O(events x questions). */
void ask_resolve(const World *w, const Trace *tr, AskMoment *out);

/* Writes one line per question the run does not bear out to `out` (which may be NULL) and
 * returns how many. Each names the question by its JSON path ("$.ask[0].before",
 * "$.ask[0].check") and says what happened instead. */
int ask_check(const World *w, const Trace *tr, FILE *out);

/* The question's lines of the log: "? QUESTION <question>" at `t_us` and its numbered choices
 * (1 to 4, as the player's keys). */
void ask_write_question(const World *w, const Question *q, int64_t t_us, FILE *out);
/* The answer's lines: "! ANSWER <n>) <choice>" at `t_us`, the explanation, and, when `shown` is
 * false, that the run did not show it. */
void ask_write_answer(const World *w, const Question *q, int64_t t_us, bool shown, FILE *out);

/* The narrated log (narrate_write) with each question before its moment and each answer after
 * the event that bears it out; answers the run never showed come at the end. Questions exist
 * only here and in the player, never in the trace. */
void ask_narrate_write(const World *w, const Trace *tr, FILE *out);

#endif
