/* lesson: what lesson mode lets the class see at sim time t, and the questions the player puts
 * on the way (predict, then reveal).
 *
 * Lesson mode hides the future, nothing else: the event log ends at the current event, timeline
 * ticks after it are neutral and short (no outcome colour, no "notable" height), and the lesson
 * text's answer part (everything from LESSON_ANSWER_MARK on) stays hidden until the run reaches
 * the moment that reveals it. A lesson without the mark hides nothing but the future log rows
 * and ticks. Outside lesson mode these functions are not called and the player shows all.
 *
 * Owns: LessonQuestions (copies of each question's text, so it outlives the World it was built
 * from) and LessonQuiz (which question is being put, which choice is picked, which are done).
 * Does not own the trace or the view state it reads. SDL-free.
 */
#ifndef MAILSIM_LESSON_H
#define MAILSIM_LESSON_H

#include "model/world.h"
#include "trace/trace.h"
#include "view/theme.h"
#include "view/viewstate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A lesson text's answer part starts at this word ("... Ask the class: why? Answer: because").
 * Shown whole outside lesson mode, so the mark reads as plain text there. */
#define LESSON_ANSWER_MARK "Answer:"

/* ---- what is visible ---- */

/* Events [0, n) are the past at this view state (the current one included); the rest is the
 * future lesson mode hides. */
size_t lesson_events_shown(const ViewState *vs);

/* The timeline tick of event i when events [0, shown) are the past: the event's own colour and
 * height (view_event_role, view_event_notable) for the past, CR_NEUTRAL and short for the
 * future. */
ColorRole lesson_tick_role(const Trace *tr, size_t shown, uint32_t i, bool *tall);

/* The length of the lesson's part before its answer (LESSON_ANSWER_MARK), or strlen(lesson)
 * when it has none. */
size_t lesson_premise_len(const char *lesson);

/* The lesson text as lesson mode shows it: the premise only while `revealed` is false (with
 * " (the answer comes later)" when an answer part was cut), else all of it. Writes into buf
 * (truncated to size) and returns it. */
const char *lesson_text(const char *lesson, bool revealed, char *buf, size_t size);

/* ---- questions ---- */

typedef struct {
    const char *question;
    const char *choices[QUESTION_MAX_CHOICES];
    uint32_t choice_count;
    uint32_t answer;       /* index into choices */
    const char *explain;   /* "" when none */
    int64_t ask_index;     /* trace event the question comes before; -1: never (not put) */
    int64_t answer_index;  /* the event that bears the answer out, or -1 */
    int64_t pause_us;      /* where the player waits: 1 µs before the ask event's time */
} LessonQuestion;

typedef struct LessonQuestions LessonQuestions;

/* The world's questions resolved against its run (text/ask.h ask_resolve). Never NULL; the
 * caller owns it. */
LessonQuestions *lesson_questions_build(const World *w, const Trace *tr);
/* lesson_questions_destroy(NULL) is a no-op. */
void lesson_questions_destroy(LessonQuestions *lq);
/* lq may be NULL (no questions). */
size_t lesson_question_count(const LessonQuestions *lq);
const LessonQuestion *lesson_question(const LessonQuestions *lq, size_t i);
/* When the lesson's answer part may show: the latest answer event's time among the questions
 * that are put, or, with none, the end of the run (the last event's time). */
int64_t lesson_reveal_us(const LessonQuestions *lq, const Trace *tr);

/* ---- putting the questions ---- */

/* The quiz: at most one question is being put at a time. A question is put when time moves
 * from before its moment to its moment or past it (playing, stepping or seeking); time is then
 * held at its pause_us. It is done once the class has seen the answer and the teacher goes on,
 * and askable again once time is taken back before its pause point. */
typedef struct {
    int active;          /* the question being put, or -1 */
    int picked;          /* the choice the class picked (0-based), or -1 */
    bool revealed;       /* the answer is showing */
    size_t count;
    bool *done;          /* per question */
} LessonQuiz;

void lesson_quiz_init(LessonQuiz *qz, const LessonQuestions *lq);
void lesson_quiz_free(LessonQuiz *qz);

/* Time moved from prev_us to *t_us. Returns the question now to be put (and sets *t_us to its
 * pause point), or -1 when none. Clears `done` of every question whose pause point *t_us went
 * back before. Does nothing while a question is active. */
int lesson_quiz_update(LessonQuiz *qz, const LessonQuestions *lq, int64_t prev_us,
                       int64_t *t_us);

/* Picks choice c (0-based) of the active question; ignored when out of range or revealed. */
void lesson_quiz_pick(LessonQuiz *qz, const LessonQuestions *lq, int c);
/* Space: reveals the answer, or, when it shows, closes the question (done). Returns true when
 * the question was closed (playback goes on). */
bool lesson_quiz_space(LessonQuiz *qz);
/* Esc: closes the active question unanswered; it counts as done (skipped), so going on does not
 * put it again until time is taken back before it. */
void lesson_quiz_cancel(LessonQuiz *qz);

#endif
