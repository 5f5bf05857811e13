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
} PlayerConfig;

/* Opens the window and runs until it is closed (SDL_QUIT, the window's close button, Ctrl Q),
 * whatever is moving at the time; everything is freed before it returns. The player writes no
 * files. Returns the process exit status: 0, or 2 when the display, the fonts or the first file
 * could not be opened (the reason is printed). */
int player_run(const PlayerConfig *cfg);

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
