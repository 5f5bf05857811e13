/* render: draws one frame — a ViewState plus the player's panels — with an SDL_Renderer.
 *
 * Owns: the text cache (fonts and text textures), a vertex batch for shapes, the timeline's
 * per-pixel marker cache, and where it last drew clickable things (inspector lines, picker rows)
 * so the player can hit-test clicks. Does not own the SDL_Renderer, the view state or anything the
 * hud points to. It only reads: all decisions about what is where were made by the SDL-free
 * modules (viewstate, layout, inspect, timeaxis, playback).
 *
 * Drawing order: canvas (links, trails, nodes, tokens), top bar, caption, timeline, log,
 * inspector, then overlays (gap note, status, help, picker). Shapes are batched into one
 * SDL_RenderGeometry call per layer; text is cached textures tinted at draw time.
 */
#ifndef MAILSIM_RENDER_H
#define MAILSIM_RENDER_H

#include "view/framebox.h"
#include "view/inspect.h"
#include "view/layout.h"
#include "view/playback.h"
#include "view/theme.h"
#include "view/timeaxis.h"
#include "view/viewstate.h"
#include "player/textcache.h"
#include "util/error.h"

#include <SDL.h>
#include <stdbool.h>

typedef struct {
    const char *title;  /* scenario title */
    const char *file;   /* file name */
    const char *lesson; /* lesson text, may be "" */
} PickerItem;

/* Everything besides the view state that a frame shows. Pointers are borrowed for the call. */
typedef struct {
    const TraceIndex *ix;
    const Layout *lay;
    const TimeAxis *axis;
    const Playback *pb;
    const Inspector *inspector;
    const char *inspector_title; /* "Message m1", "Node mx.b.example", "About this scenario" */
    float inspector_scroll;      /* pixels scrolled down */
    ThemeId theme;
    bool show_help;
    bool show_picker;
    const PickerItem *picker;
    size_t picker_count;
    int picker_selected;
    const char *status; /* a short transient message, or NULL */
    const char *error;  /* an error to show over the canvas, or NULL */
    bool show_legend;   /* the visual grammar, for the teacher to show (key L) */
} RenderHud;

/* Lesson mode and the log filter (view/lesson.h, view/logfilter.h) for the frames to come. */
typedef struct {
    bool lesson;              /* timeline ticks of events [ticks_shown, ...) are neutral, short */
    size_t ticks_shown;
    const uint32_t *log_rows; /* NULL: the log lists every event; else these events, ascending */
    size_t log_row_count;
    const char *log_title;    /* NULL: "Event log" */
} RenderLesson;

typedef struct Renderer Renderer;

/* Finds the asset directory: $MAILSIM_ASSETS when set (and only it: a set but wrong
 * MAILSIM_ASSETS is an error, not a reason to look elsewhere), else next to the executable
 * (../share/mailsim/assets, ../assets, ../../assets, assets), then the source tree's, then
 * ./assets (util/datadir.h). Returns a pointer to a static buffer, or NULL with err saying where it looked and how
 * to point at the fonts when no directory holds fonts/DejaVuSans.ttf (err may be NULL). */
const char *render_locate_assets(Error *err);

/* Loads the fonts from `asset_dir`/fonts. Returns NULL with err filled when they are missing. */
Renderer *render_create(SDL_Renderer *sdl, const char *asset_dir, Error *err);
/* render_destroy(NULL) is a no-op. */
void render_destroy(Renderer *r);

/* Records every text the following frames draw into fb (reset at each frame), or stops when fb
 * is NULL. fb is borrowed: it must outlive its use here. */
void render_set_boxes(Renderer *r, FrameBoxes *fb);

/* A LayoutMeasureFn over the renderer's fonts (ctx: the Renderer): the width of one line of
 * text in the sans face, bold or not, at px pixels (rounded as the renderer rounds sizes). */
float render_measure(void *renderer, const char *text, float px, bool bold);

/* Draws the frame (does not present it). */
void render_frame(Renderer *r, const ViewState *vs, const RenderHud *hud);

/* Hit tests against the last frame: the inspector line under (x, y) or -1; the picker row or -1. */
int render_inspector_line_at(const Renderer *r, float x, float y);
int render_picker_row_at(const Renderer *r, float x, float y);
/* Height of the inspector's content in the last frame (for scroll limits). */
float render_inspector_content_height(const Renderer *r);
/* Sets (or, with NULL, clears) lesson mode and the log filter; `ls` and what it points to are
 * borrowed until the next call. Without it every frame is drawn as before. */
void render_set_lesson(Renderer *r, const RenderLesson *ls);
/* The renderer's text cache, for the overlays drawn over a frame (player/overlay.h). */
TextCache *render_textcache(Renderer *r);
/* Text textures currently cached (for tests). */
size_t render_cached_texts(const Renderer *r);

#endif
