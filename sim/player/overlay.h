/* overlay: the classroom's drawings over a frame — the question card (predict, then reveal), the
 * "What if…?" menu and its send form, the marks of the changes made (on the timeline and beside
 * their nodes), and the full-canvas ladder diagram of the selected message.
 *
 * Owns: the ladder's texture (the figure painted once at its natural size, then scaled into the
 * canvas; painted again only when the ladder changes) and where the ladder was last put, for
 * clicks. Does not own the SDL_Renderer, the text cache or anything it is given to draw; decides
 * nothing about what is visible (view/lesson, view/ladder did). Drawn after render_frame, before
 * the frame is presented.
 */
#ifndef MAILSIM_OVERLAY_H
#define MAILSIM_OVERLAY_H

#include "player/textcache.h"
#include "view/ladder.h"
#include "view/layout.h"
#include "view/lesson.h"
#include "view/theme.h"
#include "view/timeaxis.h"
#include "view/whatifmenu.h"

#include <SDL.h>
#include <stdbool.h>

typedef struct Overlay Overlay;

/* Where the overlays go in this frame. */
typedef struct {
    const Layout *lay;
    const TimeAxis *axis;
    ThemeId theme;
} OverlayFrame;

/* Never returns NULL. `sdl` and `tc` are borrowed and must outlive it. */
Overlay *overlay_create(SDL_Renderer *sdl, TextCache *tc);
/* overlay_destroy(NULL) is a no-op. */
void overlay_destroy(Overlay *ov);

/* The question card: the question, its numbered choices (the picked one highlighted) and, once
 * revealed, the answer marked three ways (✔/✖, "right"/"wrong", colour) with its explanation. */
void overlay_question(Overlay *ov, const OverlayFrame *f, const LessonQuestion *q, int picked,
                      bool revealed);

/* The "What if…?" menu: `title` ("What if… (mx.b.example)") and the numbered choices. */
void overlay_whatif_menu(Overlay *ov, const OverlayFrame *f, const char *title,
                         const WhatIfChoice *ch, size_t n);
/* The send form, the field being edited highlighted. */
void overlay_sendform(Overlay *ov, const OverlayFrame *f, const SendForm *form);

/* Each change made: a marker on the timeline at its time and a label beside its node. */
void overlay_marks(Overlay *ov, const OverlayFrame *f, const WhatIfMark *marks, size_t n);

/* "Lesson mode" in a corner, so the class knows why the log ends at now. */
void overlay_lesson_badge(Overlay *ov, const OverlayFrame *f);

/* The ladder over the whole canvas, fitted to its width and scrolled so the playhead stays in
 * view. `version` changes whenever the ladder does (it is then painted again). */
void overlay_ladder(Overlay *ov, const OverlayFrame *f, const Ladder *ld, uint64_t version);
/* The ladder row under the window point (x, y) in the last drawn ladder, or -1. */
int overlay_ladder_row_at(const Overlay *ov, const Ladder *ld, float x, float y);

#endif
