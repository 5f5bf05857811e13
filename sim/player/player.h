/* player: the SDL player — an interactive window over one trace at a time, and the offscreen
 * "shot" that renders one moment of a trace to a PNG.
 *
 * Owns: the window, the SDL renderer, the loaded trace and everything derived from it (index,
 * layout, time axis, view state, inspector), the playback clock and the UI state (selection,
 * theme, overlays). Does not own the loading: the app supplies a PlayerLoadFn that turns a path
 * (a scenario, running the simulation, or a recorded trace) into a trace; the player owns each
 * trace it gets back and destroys it when another one is opened or the player closes.
 *
 * A recorded trace replays frame for frame like the live run it came from: everything on screen is
 * a pure function of (trace, time, options).
 */
#ifndef MAILSIM_PLAYER_H
#define MAILSIM_PLAYER_H

#include "trace/trace.h"
#include "view/framebox.h"
#include "view/lesson.h"
#include "view/whatifmenu.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* Supplied by the app: turns a path (a scenario .json, or a recorded trace .jsonl) into a trace,
 * running the simulation if needed. Returns NULL with err filled on failure. The player owns the
 * returned trace. */
typedef Trace *(*PlayerLoadFn)(void *ctx, const char *path, Error *err);

/* Called at the start of every frame, before the player reads its events, with the frame's
 * number (0, 1, ...): a script may push SDL events (keys, clicks, SDL_QUIT) to drive the window
 * the way a user would. For tests; the app leaves it NULL. */
typedef void (*PlayerFrameFn)(void *ctx, uint64_t frame);

/* Supplied by the app: the classroom's questions and the what-if, about the file the last
 * successful PlayerLoadFn call opened (a scenario; a recorded trace has neither). Every function
 * may be called only with that trace; NULL members (or no PlayerClassroom) turn a feature off.
 * The player never sees the scenario itself: this is its whole window onto it. */
typedef struct {
    void *ctx;
    /* The scenario's questions resolved against `tr` (view/lesson.h); NULL when it has none or
     * the file is a recorded trace. The player owns the result. */
    LessonQuestions *(*questions)(void *ctx, const Trace *tr);
    /* True when the open file can be changed (a scenario). */
    bool (*can_change)(void *ctx);
    /* The changes for node `node` or message `msg` (TRACE_NONE: none selected) at at_us. */
    size_t (*choices)(void *ctx, const Trace *tr, int32_t node, int32_t msg, int64_t at_us,
                      WhatIfChoice *out, size_t max);
    /* The send form's address lists (borrowed until the next load). */
    size_t (*addresses)(void *ctx, bool senders, const char **out, size_t max);
    /* The "send" action for the form's values. */
    const char *(*send_json)(int64_t at_us, const char *from, const char *to, const char *subject,
                             int64_t size_bytes, char *buf, size_t size);
    /* Adds one change (an action object) and runs the scenario again: the new trace (owned by
     * the player), or NULL with err filled and nothing changed. */
    Trace *(*apply)(void *ctx, const char *json, Error *err);
    /* Takes the last change back and runs again; NULL with err filled on failure, NULL with err
     * unset when there was nothing to take back. */
    Trace *(*undo)(void *ctx, Error *err);
    /* Saves the changed scenario as a new file; its path in path_out. */
    bool (*save)(void *ctx, char *path_out, size_t size, Error *err);
    /* The changes made so far, for the canvas and the timeline. */
    size_t (*marks)(void *ctx, WhatIfMark *out, size_t max);
} PlayerClassroom;

typedef struct {
    const char *path;         /* scenario or trace to open; NULL = the default scenario */
    const char *scenario_dir; /* for the picker (and the default: 01-*.json in it) */
    PlayerLoadFn load;
    void *load_ctx;
    int width, height;        /* window size; 0 = the design size, LAYOUT_DESIGN_W×H */
    bool fullscreen;
    PlayerFrameFn on_frame;   /* NULL, or a script (above) */
    void *frame_ctx;
    double frame_dt_s;        /* > 0: every frame advances the clock by this much instead of the
                               * wall time, and the loop never waits (scripted runs repeat) */
    const PlayerClassroom *classroom; /* NULL: no questions, no what-if */
    bool lesson;              /* start in lesson mode (it is on anyway when a scenario has
                               * questions; key Q toggles it) */
} PlayerConfig;

/* Opens the window and runs until it is closed (SDL_QUIT, the window's close button, Ctrl Q),
 * whatever is moving at the time; everything is freed before it returns. The player writes no
 * files but the what-if scenarios the teacher saves (Ctrl S). Returns the process exit status: 0, or 2 when the display, the fonts or the first file
 * could not be opened (the reason is printed). */
int player_run(const PlayerConfig *cfg);

#ifdef __EMSCRIPTEN__
/* The web page's hooks into the running player (sim/app/web_main.c calls them for the page's
 * buttons); both return false while no player runs. player_web_open opens a file as the picker
 * would: on failure the error is shown on screen (and printed) and the scene stays. */
typedef struct {
    const Trace *trace;   /* the scene's, borrowed until the next open */
    int64_t t_us;         /* the playback clock */
    int32_t selected_msg; /* TRACE_NONE when no message is selected */
    bool high_contrast;
    uint64_t frames;      /* frames drawn so far */
} PlayerWebView;

bool player_web_open(const char *path);
bool player_web_view(PlayerWebView *out);
#endif

typedef struct {
    const Trace *trace;     /* borrowed */
    int64_t at_us;          /* the moment to draw (clamped to the run) */
    const char *out_png;
    int width, height;      /* 0 = the design size, LAYOUT_DESIGN_W×H */
    const char *select_msg; /* message id to select (inspector + highlight), or NULL */
    bool high_contrast;
    const char *boxes_json; /* NULL, or where to write every text drawn (framebox.h's JSON) */
    FrameBoxes *boxes;      /* NULL, or filled with every text drawn (borrowed) */
    FrameCheck *check;      /* NULL, or filled with framebox_check of the frame */
    bool legend;            /* draw the legend (key L) over the frame */
    float text_scale;       /* the text size (Ctrl + / Ctrl −: 1.1 per step); 0 = 1, 100 % */
} ShotConfig;

/* Renders one frame offscreen (SDL's software renderer on a surface: no display, no video
 * driver needed) and writes it as a PNG, whole or not at all (a temporary file beside it is
 * renamed into place); out_png may be NULL when only the boxes or the check are wanted. The
 * boxes JSON is written whole or not at all, too. Returns 0 on success; otherwise non-zero with err filled (unknown message
 * id, missing or unreadable fonts, unwritable file) and nothing written. */
int player_shot(const ShotConfig *cfg, Error *err);

#endif
