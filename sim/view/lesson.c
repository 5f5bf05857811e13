/* lesson: lesson mode's visibility rules and the quiz (see lesson.h). */
#include "view/lesson.h"

#include "text/ask.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct LessonQuestions {
    size_t count;
    LessonQuestion *q;
};

size_t lesson_events_shown(const ViewState *vs)
{
    return vs->current == UINT32_MAX ? 0 : (size_t)vs->current + 1;
}

ColorRole lesson_tick_role(const Trace *tr, size_t shown, uint32_t i, bool *tall)
{
    if (i >= shown) {
        *tall = false;
        return CR_NEUTRAL;
    }
    *tall = view_event_notable(tr, i);
    return *tall ? view_event_role(tr, i) : CR_NEUTRAL;
}

size_t lesson_premise_len(const char *lesson)
{
    const char *mark = strstr(lesson, LESSON_ANSWER_MARK);
    if (!mark) {
        return strlen(lesson);
    }
    size_t n = (size_t)(mark - lesson);
    while (n > 0 && lesson[n - 1] == ' ') {
        n--;
    }
    return n;
}

const char *lesson_text(const char *lesson, bool revealed, char *buf, size_t size)
{
    assert(size > 0);
    size_t premise = lesson_premise_len(lesson);
    if (revealed || premise == strlen(lesson)) {
        snprintf(buf, size, "%s", lesson);
    } else {
        snprintf(buf, size, "%.*s (the answer comes later)", (int)premise, lesson);
    }
    return buf;
}

/* ---- questions ---- */

static const char *copy(const World *w, StrId id)
{
    return xstrdup(strpool_get(w->strings, id));
}

LessonQuestions *lesson_questions_build(const World *w, const Trace *tr)
{
    LessonQuestions *lq = xcalloc(1, sizeof *lq);
    if (w->question_count == 0) {
        return lq;
    }
    AskMoment *m = xcalloc(w->question_count, sizeof *m);
    ask_resolve(w, tr, m);
    lq->count = w->question_count;
    lq->q = xcalloc(lq->count, sizeof *lq->q);
    for (size_t i = 0; i < lq->count; i++) {
        const Question *src = &w->questions[i];
        LessonQuestion *q = &lq->q[i];
        q->question = copy(w, src->question);
        q->choice_count = src->choice_count;
        for (uint32_t c = 0; c < src->choice_count; c++) {
            q->choices[c] = copy(w, src->choices[c]);
        }
        q->answer = src->answer;
        q->explain = copy(w, src->explain);
        q->ask_index = m[i].ask_index;
        q->answer_index = m[i].answer_index;
        q->pause_us = q->ask_index < 0 ? TRACE_NO_TIME
                                       : trace_events(tr)[q->ask_index].t_us - 1;
    }
    free(m);
    return lq;
}

void lesson_questions_destroy(LessonQuestions *lq)
{
    if (!lq) {
        return;
    }
    for (size_t i = 0; i < lq->count; i++) {
        LessonQuestion *q = &lq->q[i];
        free((char *)q->question);
        for (uint32_t c = 0; c < q->choice_count; c++) {
            free((char *)q->choices[c]);
        }
        free((char *)q->explain);
    }
    free(lq->q);
    free(lq);
}

size_t lesson_question_count(const LessonQuestions *lq)
{
    return lq ? lq->count : 0;
}

const LessonQuestion *lesson_question(const LessonQuestions *lq, size_t i)
{
    assert(lq && i < lq->count);
    return &lq->q[i];
}

int64_t lesson_reveal_us(const LessonQuestions *lq, const Trace *tr)
{
    size_t n = trace_count(tr);
    int64_t latest = INT64_MIN;
    for (size_t i = 0; i < lesson_question_count(lq); i++) {
        const LessonQuestion *q = &lq->q[i];
        int64_t at = q->answer_index >= 0 ? q->answer_index : q->ask_index;
        if (at >= 0 && trace_events(tr)[at].t_us > latest) {
            latest = trace_events(tr)[at].t_us;
        }
    }
    if (latest != INT64_MIN) {
        return latest;
    }
    return n ? trace_events(tr)[n - 1].t_us : 0;
}

/* ---- the quiz ---- */

void lesson_quiz_init(LessonQuiz *qz, const LessonQuestions *lq)
{
    qz->active = -1;
    qz->picked = -1;
    qz->revealed = false;
    qz->count = lesson_question_count(lq);
    qz->done = qz->count ? xcalloc(qz->count, sizeof *qz->done) : NULL;
}

void lesson_quiz_free(LessonQuiz *qz)
{
    free(qz->done);
    memset(qz, 0, sizeof *qz);
    qz->active = -1;
    qz->picked = -1;
}

int lesson_quiz_update(LessonQuiz *qz, const LessonQuestions *lq, int64_t prev_us,
                       int64_t *t_us)
{
    if (qz->active >= 0) {
        return -1;
    }
    int due = -1;
    for (size_t i = 0; i < qz->count; i++) {
        const LessonQuestion *q = &lq->q[i];
        if (q->ask_index < 0) {
            continue;
        }
        if (*t_us < q->pause_us) {
            qz->done[i] = false; /* taken back before it: askable again */
            continue;
        }
        bool crossed = prev_us <= q->pause_us && *t_us > q->pause_us;
        if (crossed && !qz->done[i] && (due < 0 || q->pause_us < lq->q[due].pause_us)) {
            due = (int)i;
        }
    }
    if (due >= 0) {
        qz->active = due;
        qz->picked = -1;
        qz->revealed = false;
        *t_us = lq->q[due].pause_us;
    }
    return due;
}

void lesson_quiz_pick(LessonQuiz *qz, const LessonQuestions *lq, int c)
{
    if (qz->active < 0 || qz->revealed || c < 0 ||
        (uint32_t)c >= lq->q[qz->active].choice_count) {
        return;
    }
    qz->picked = c;
}

bool lesson_quiz_space(LessonQuiz *qz)
{
    if (qz->active < 0) {
        return false;
    }
    if (!qz->revealed) {
        qz->revealed = true;
        return false;
    }
    qz->done[qz->active] = true;
    qz->active = -1;
    qz->revealed = false;
    return true;
}

void lesson_quiz_cancel(LessonQuiz *qz)
{
    if (qz->active < 0) {
        return;
    }
    qz->done[qz->active] = true;
    qz->active = -1;
    qz->revealed = false;
}
