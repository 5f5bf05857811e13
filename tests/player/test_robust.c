/* test_robust: the player under hostile conditions — windows squeezed to 1×1, to zero
 * height, or huge; a close request while things move; fonts that are missing or not fonts; traces
 * with no events or a single node. Each must give a sensible state or a clear error, never a
 * crash, NaN geometry or a leak (this file runs under ASan+UBSan in CI). */
#define _POSIX_C_SOURCE 200809L

#include "canvas.h"
#include "view/fixture.h"
#include "test.h"

#include "view/inspect.h"
#include "view/layout.h"
#include "player/player.h"
#include "player/render.h"
#include "view/timeaxis.h"
#include "view/viewstate.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <math.h>
#include <sys/stat.h>
#include <stdlib.h>

/* A trace of one node and no events, and one with a single message resting at its only node. */
static Trace *trace_one_node(bool with_message)
{
    Fx fx = { trace_create(), TRACE_NONE };
    TraceNode n = { fx_s(&fx, "lonely.example"), fx_s(&fx, ""), fx_s(&fx, ""), NODE_OUTGOING,
                    false, 0, 0 };
    trace_add_node(fx.tr, &n);
    if (with_message) {
        fx.msg = fx_msg(&fx, "m1", "a@lonely.example", "b@elsewhere.example", "hello", TRACE_NONE, 0);
        fx_ev(&fx, TK_COMPOSE, 10, 0, TRACE_NONE, -1, "");
        fx_ev(&fx, TK_QUEUE, 20, 0, TRACE_NONE, -1, "queued as 1");
    }
    return fx.tr;
}

typedef Trace *(*TraceMaker)(void);
static Trace *make_empty(void) { return trace_create(); }
static Trace *make_one_node(void) { return trace_one_node(false); }
static Trace *make_one_message(void) { return trace_one_node(true); }

static const TraceMaker TRACES[] = { fixture_happy, fixture_bounce, fixture_spam, fixture_retry,
                                     make_empty,    make_one_node,  make_one_message };

/* Window sizes a window manager can hand out: minimised (0×0), 1×1, one pixel in either
 * direction, zero height, negative (a driver's garbage), the smallest sensible, a projector and
 * the biggest --size accepts. */
static const int SIZES[][2] = {
    { 0, 0 },   { 1, 1 }, { 1, LAYOUT_DESIGN_H }, { LAYOUT_DESIGN_W, 1 }, { LAYOUT_DESIGN_W, 0 },
    { -5, -5 }, { 2, 2 }, { 3, 17 },  { 97, 41 },  { 480, 320 },  { 719, 400 }, { 1920, 1080 },
    { 8192, 8192 },
};

static bool rect_ok(LayoutRect r)
{
    return isfinite(r.x) && isfinite(r.y) && isfinite(r.w) && isfinite(r.h) && r.w >= 0 && r.h >= 0;
}

static bool point_ok(float x, float y)
{
    return isfinite(x) && isfinite(y);
}

/* Every rectangle, curve and token of one layout: finite, no negative sizes, the hit tests
 * answering. Returns the number of bad values found. */
static int check_layout(const Trace *tr, Layout *lay, TraceIndex *ix, ViewState *vs)
{
    int bad = 0;
    for (int r = 0; r < REGION_COUNT; r++) {
        bad += !rect_ok(layout_region(lay, (LayoutRegion)r));
    }
    bad += !rect_ok(layout_timeline_bar(lay));
    bad += !(isfinite(layout_scale(lay)) && layout_scale(lay) > 0);
    bad += !(isfinite(layout_log_row_height(lay)) && layout_log_row_height(lay) > 0);
    bad += layout_log_rows(lay) < 0;
    int64_t total = (int64_t)trace_count(tr);
    int64_t first = layout_log_first_row(lay, total ? total - 1 : -1, total);
    bad += first < 0 || (total > 0 && first >= total);
    for (size_t i = 0; i < trace_node_count(tr); i++) {
        bad += !rect_ok(layout_node(lay, (int32_t)i)) + !rect_ok(layout_node_label(lay, (int32_t)i)) +
               !rect_ok(layout_node_slot(lay, (int32_t)i));
    }
    for (size_t i = 0; i < layout_link_count(lay); i++) {
        int32_t a, b;
        float x0, y0, cx, cy, x1, y1;
        layout_link(lay, i, &a, &b);
        layout_link_curve(lay, a, b, &x0, &y0, &cx, &cy, &x1, &y1);
        bad += !point_ok(x0, y0) + !point_ok(cx, cy) + !point_ok(x1, y1);
    }
    ViewOptions opt = viewoptions_default();
    int64_t end = traceindex_end(ix);
    for (int k = 0; k <= 8; k++) {
        viewstate_compute(ix, lay, end * k / 8, &opt, vs);
        for (size_t t = 0; t < vs->token_count; t++) {
            bad += !point_ok(vs->tokens[t].x, vs->tokens[t].y);
        }
    }
    float W = (float)layout_width(lay), H = (float)layout_height(lay);
    (void)layout_region_at(lay, W / 2, H / 2);
    (void)layout_node_at(lay, W / 2, H / 2);
    (void)layout_log_row_at(lay, H / 2, first, total);
    return bad;
}

static void robust_should_lay_out_every_window_size_with_finite_nonnegative_rects(void)
{
    for (size_t t = 0; t < sizeof TRACES / sizeof TRACES[0]; t++) {
        Trace *tr = TRACES[t]();
        TraceIndex *ix = traceindex_create(tr);
        Layout *lay = layout_create(ix);
        ViewState *vs = viewstate_create();
        for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++) {
            for (int panel = 0; panel < 2; panel++) {
                for (float scale = 0.6f; scale < 3.0f; scale += 1.9f) {
                    layout_set_panel(lay, panel);
                    layout_resize(lay, SIZES[s][0], SIZES[s][1], scale);
                    int bad = check_layout(tr, lay, ix, vs);
                    if (bad) {
                        fprintf(stderr, "  trace %zu at %dx%d panel %d scale %.1f: %d bad values\n",
                                t, SIZES[s][0], SIZES[s][1], panel, scale, bad);
                    }
                    CHECK_EQ_INT(bad, 0);
                    CHECK(layout_width(lay) >= 1 && layout_height(lay) >= 1);
                }
            }
        }
        viewstate_destroy(vs);
        layout_destroy(lay);
        traceindex_destroy(ix);
        trace_destroy(tr);
    }
}

/* ---- drawing ---- */

/* One frame as the player draws it: the layout at w×h (which may be smaller than the surface,
 * as a window's is after a resize), m1 or node 0 in the inspector, every overlay when asked. */
static void draw(Canvas *c, const Trace *tr, Layout *lay, TraceIndex *ix, int w, int h, int64_t t_us,
                 bool overlays, bool node)
{
    layout_resize(lay, w, h, 1.0f);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    Inspector *in = inspector_create();
    if (node && trace_node_count(tr) > 0) {
        opt.selected_node = 0;
        viewstate_compute(ix, lay, t_us, &opt, vs);
        inspector_node(in, ix, vs, 0, t_us);
    } else if (trace_msg_count(tr) > 0) {
        opt.selected_msg = 0;
        viewstate_compute(ix, lay, t_us, &opt, vs);
        inspector_message(in, ix, 0, t_us);
    } else {
        viewstate_compute(ix, lay, t_us, &opt, vs);
        inspector_scenario(in, ix, t_us);
    }
    Playback pb;
    playback_init(&pb, t_us);
    snprintf(pb.note, sizeof pb.note, "\u25b6\u25b6 5 min later: retry");
    PickerItem items[3] = { { "One", "01.json", "lesson" }, { "Two", "02.json", "" },
                            { "Three", "03.json", "a long lesson text that has to wrap" } };
    RenderHud hud = { ix,       lay,      ax,    &pb,   in,        "message m1",
                      overlays ? 500.0f : 0, THEME_LIGHT, overlays, overlays, items,
                      3,        2,        overlays ? "status" : NULL, overlays ? "an error" : NULL, overlays };
    render_frame(c->ren, vs, &hud);
    inspector_destroy(in);
    viewstate_destroy(vs);
    timeaxis_destroy(ax);
}

static bool same_pixels(const SDL_Surface *a, const SDL_Surface *b)
{
    if (a->w != b->w || a->h != b->h) {
        return false;
    }
    for (int y = 0; y < a->h; y++) {
        if (memcmp((const Uint8 *)a->pixels + y * a->pitch, (const Uint8 *)b->pixels + y * b->pitch,
                   (size_t)a->w * 4) != 0) {
            return false;
        }
    }
    return true;
}

static void robust_should_draw_at_every_size_and_then_the_normal_picture_again(void)
{
    for (size_t t = 0; t < sizeof TRACES / sizeof TRACES[0]; t++) {
        Trace *tr = TRACES[t]();
        TraceIndex *ix = traceindex_create(tr);
        /* The reference: a fresh renderer and layout at the design size. */
        Canvas ref = canvas_open(LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
        Layout *ref_lay = layout_create(ix);
        draw(&ref, tr, ref_lay, ix, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, MS(1750), false, false);
        /* The same window squeezed through every size (the layout shrinks, the surface keeps its
         * size as a window's backing store may), with every overlay, then back to the design size. */
        Canvas c = canvas_open(LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
        Layout *lay = layout_create(ix);
        for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++) {
            if (SIZES[s][0] > 4096 || SIZES[s][1] > 4096) {
                continue; /* drawn below on a surface of that size */
            }
            draw(&c, tr, lay, ix, SIZES[s][0], SIZES[s][1], MS(1750), true, s % 2 == 0);
            draw(&c, tr, lay, ix, SIZES[s][0], SIZES[s][1], MS(1750), false, s % 2 == 1);
        }
        draw(&c, tr, lay, ix, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, MS(1750), false, false);
        CHECK(same_pixels(ref.surf, c.surf));
        layout_destroy(lay);
        canvas_close(&c);
        layout_destroy(ref_lay);
        canvas_close(&ref);
        /* A real 1×1 target: nothing to draw into but one pixel. */
        Canvas one = canvas_open(1, 1);
        Layout *l1 = layout_create(ix);
        draw(&one, tr, l1, ix, 1, 1, MS(1750), true, false);
        layout_destroy(l1);
        canvas_close(&one);
        traceindex_destroy(ix);
        trace_destroy(tr);
    }
    /* A huge target once (8192×8192 is the largest --size). */
    Trace *tr = fixture_bounce();
    TraceIndex *ix = traceindex_create(tr);
    Canvas big = canvas_open(8192, 8192);
    Layout *lay = layout_create(ix);
    draw(&big, tr, lay, ix, 8192, 8192, MS(1750), true, false);
    layout_destroy(lay);
    canvas_close(&big);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* ---- fonts ---- */

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static void robust_should_refuse_a_mailsim_assets_that_holds_no_fonts(void)
{
    const char *saved = getenv("MAILSIM_ASSETS");
    char *keep = saved ? strdup(saved) : NULL;
    /* Set but wrong: an error naming the directory and how to fix it, not a silent fallback to
     * another copy of the fonts (that hid typos). */
    setenv("MAILSIM_ASSETS", "/nonexistent/mailsim-assets", 1);
    Error err = { 0 };
    CHECK(render_locate_assets(&err) == NULL);
    CHECK(err.set && strcmp(err.file, "/nonexistent/mailsim-assets") == 0);
    CHECK(strstr(err.msg, "MAILSIM_ASSETS") != NULL && strstr(err.msg, "DejaVuSans.ttf") != NULL);
    CHECK(render_locate_assets(NULL) == NULL);
    if (keep) {
        setenv("MAILSIM_ASSETS", keep, 1);
    } else {
        unsetenv("MAILSIM_ASSETS");
    }
    free(keep);
    CHECK(render_locate_assets(NULL) != NULL);
}

static void robust_should_refuse_a_font_file_that_is_not_a_font(void)
{
    char dir[] = "/tmp/mailsim-robust-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char fonts[128], path[160];
    snprintf(fonts, sizeof fonts, "%s/fonts", dir);
    CHECK(mkdir(fonts, 0700) == 0);
    snprintf(path, sizeof path, "%s/DejaVuSans.ttf", fonts);
    write_file(path, "not a font\n", 11);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *sdl = SDL_CreateSoftwareRenderer(s);
    Error err = { 0 };
    CHECK(render_create(sdl, dir, &err) == NULL);
    CHECK(err.set && strcmp(err.file, path) == 0);
    CHECK(strstr(err.msg, "MAILSIM_ASSETS") != NULL);
    SDL_DestroyRenderer(sdl);
    SDL_FreeSurface(s);
    remove(path);
    remove(fonts);
    remove(dir);
}

/* ---- the window: a close request while things move ---- */

typedef struct {
    uint64_t quit_at, last_frame;
    Uint32 close_event; /* SDL_QUIT, or SDL_WINDOWEVENT for the window's close button */
} Script;

static Trace *load_fixture(void *ctx, const char *path, Error *err)
{
    (void)ctx;
    (void)path;
    (void)err;
    return fixture_bounce();
}

static void push_key(SDL_Keycode key)
{
    SDL_Event e = { .type = SDL_KEYDOWN };
    e.key.keysym.sym = key;
    e.key.windowID = 1;
    SDL_PushEvent(&e);
}

/* Plays, scrubs the timeline (button held), opens a message in the inspector, then asks to close
 * while the mouse button is still down and the clock is running. A backstop SDL_QUIT at frame
 * 200 keeps a player that ignores the request from hanging the test. */
static void script(void *ctx, uint64_t frame)
{
    Script *s = ctx;
    s->last_frame = frame;
    if (frame == 1) {
        push_key(SDLK_SPACE);
    } else if (frame == 3) {
        SDL_Event e = { .type = SDL_MOUSEBUTTONDOWN };
        e.button.button = SDL_BUTTON_LEFT;
        e.button.x = 400;
        e.button.y = 700; /* the timeline strip at the design size */
        e.button.windowID = 1;
        SDL_PushEvent(&e);
    } else if (frame == 4) {
        SDL_Event e = { .type = SDL_MOUSEMOTION };
        e.motion.x = 500;
        e.motion.y = 700;
        e.motion.windowID = 1;
        SDL_PushEvent(&e);
        push_key(SDLK_TAB);
        push_key(SDLK_SPACE);
    } else if (frame == s->quit_at) {
        SDL_Event e = { .type = s->close_event };
        if (s->close_event == SDL_WINDOWEVENT) {
            e.window.event = SDL_WINDOWEVENT_CLOSE;
            e.window.windowID = 1;
        }
        SDL_PushEvent(&e);
    } else if (frame == 200) {
        SDL_Event e = { .type = SDL_QUIT };
        SDL_PushEvent(&e);
    }
}

static void run_script(Uint32 close_event)
{
    Script s = { 12, 0, close_event };
    PlayerConfig cfg = { .path = "fixture.jsonl",
                         .load = load_fixture,
                         .width = LAYOUT_DESIGN_W,
                         .height = LAYOUT_DESIGN_H,
                         .on_frame = script,
                         .frame_ctx = &s,
                         .frame_dt_s = 0.05 };
    CHECK_EQ_INT(player_run(&cfg), 0);
    /* The request was honoured in the frame it arrived in. */
    CHECK_EQ_INT((int)s.last_frame, (int)s.quit_at);
    /* Everything it started is stopped again (ASan checks the memory at exit). */
    CHECK_EQ_INT((int)SDL_WasInit(SDL_INIT_VIDEO), 0);
    CHECK_EQ_INT(TTF_WasInit(), 0);
}

static void player_should_exit_cleanly_on_sdl_quit_mid_animation(void)
{
    run_script(SDL_QUIT);
}

static void player_should_exit_cleanly_on_the_window_close_button(void)
{
    run_script(SDL_WINDOWEVENT);
}

int main(void)
{
    /* The player's window without a display: SDL's dummy driver (no GL, no leaks from drivers). */
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    static const TestCase player_cases[] = {
        TEST_CASE(player_should_exit_cleanly_on_sdl_quit_mid_animation),
        TEST_CASE(player_should_exit_cleanly_on_the_window_close_button),
    };
    int rc = test_main(player_cases, sizeof player_cases / sizeof player_cases[0]);
    if (TTF_Init() != 0) {
        fprintf(stderr, "TTF_Init: %s\n", TTF_GetError());
        return 1;
    }
    static const TestCase cases[] = {
        TEST_CASE(robust_should_lay_out_every_window_size_with_finite_nonnegative_rects),
        TEST_CASE(robust_should_draw_at_every_size_and_then_the_normal_picture_again),
        TEST_CASE(robust_should_refuse_a_mailsim_assets_that_holds_no_fonts),
        TEST_CASE(robust_should_refuse_a_font_file_that_is_not_a_font),
    };
    rc |= test_main(cases, sizeof cases / sizeof cases[0]);
    TTF_Quit();
    return rc;
}
