/* test_render: the SDL drawing layer on an offscreen surface — text is rendered once and then
 * reused (the cache does not grow from frame to frame), the shipped fonts have every symbol the
 * player draws, missing fonts are a clear error, and odd inputs (an empty trace, a tiny window,
 * every theme, the overlays) draw without trouble. */
#include "canvas.h"
#include "view/fixture.h"
#include "test.h"

#include "view/inspect.h"
#include "view/layout.h"
#include "player/render.h"
#include "player/textcache.h"
#include "view/timeaxis.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdlib.h>
#include <string.h>

/* Draws one frame of `tr` at t with the given hud switches. */
static void frame(Canvas *c, const Trace *tr, int64_t t_us, ThemeId theme, bool help, bool picker,
                  bool panel)
{
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_set_panel(lay, panel);
    layout_resize(lay, c->surf->w, c->surf->h, 1.0f);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, t_us, &opt, vs);
    Inspector *in = inspector_create();
    inspector_scenario(in, ix, t_us);
    Playback pb;
    playback_init(&pb, t_us);
    snprintf(pb.note, sizeof pb.note, "\u25b6\u25b6 5 min later: retry");
    PickerItem items[2] = { { "One", "01.json", "lesson" }, { "Two", "02.json", "" } };
    RenderHud hud = { ix, lay, ax, &pb, in, "about", 0, theme, help, picker, items, 2, 1, "status", NULL, false };
    render_frame(c->ren, vs, &hud);
    inspector_destroy(in);
    viewstate_destroy(vs);
    timeaxis_destroy(ax);
    layout_destroy(lay);
    traceindex_destroy(ix);
}

/* A loader error over the canvas is shown whole, wrapped over lines, never cut: it names the
 * file, the place and what was expected, and the teacher needs all of it to fix the file. */
static void render_should_wrap_a_long_error_over_the_canvas_whole(void)
{
    Canvas c = canvas_open(LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, c.surf->w, c.surf->h, 1.0f);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, MS(1000), &opt, vs);
    Inspector *in = inspector_create();
    inspector_scenario(in, ix, MS(1000));
    Playback pb;
    playback_init(&pb, MS(1000));
    static const char msg[] =
        "07-unknown-key-typo.json: $.links[0].latncy_ms: unknown key \"latncy_ms\" (did you mean "
        "\"latency_ms\"?); expected one of: between, latency_ms, bandwidth_mbps, jitter_ms";
    RenderHud hud = { ix, lay, ax, &pb, in, "about", 0, THEME_LIGHT, false, false, NULL, 0, 0,
                      NULL, msg, false };
    FrameBoxes *fb = framebox_create();
    render_set_boxes(c.ren, fb);
    render_frame(c.ren, vs, &hud);
    render_set_boxes(c.ren, NULL);
    const FrameBox *note = NULL;
    for (size_t i = 0; i < framebox_count(fb); i++) {
        if (strcmp(framebox_get(fb, i)->text, msg) == 0) {
            note = framebox_get(fb, i);
        }
    }
    REQUIRE(note != NULL);
    CHECK(!note->clipped);
    CHECK(note->h > 1.5f * (float)note->px); /* more than one line */
    LayoutRect canvas = layout_region(lay, REGION_CANVAS);
    CHECK(note->x >= canvas.x && note->x + note->w <= canvas.x + canvas.w);
    framebox_destroy(fb);
    inspector_destroy(in);
    viewstate_destroy(vs);
    timeaxis_destroy(ax);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
    canvas_close(&c);
}

static void render_should_reuse_cached_text_between_frames(void)
{
    Canvas c = canvas_open(LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    Trace *tr = fixture_happy();
    frame(&c, tr, MS(1865), THEME_LIGHT, false, false, true);
    size_t first = render_cached_texts(c.ren);
    CHECK(first > 20);
    for (int i = 0; i < 5; i++) {
        frame(&c, tr, MS(1865), THEME_LIGHT, false, false, true);
    }
    CHECK_EQ_INT(render_cached_texts(c.ren), first);
    /* A theme change tints the same textures: still nothing new. */
    frame(&c, tr, MS(1865), THEME_DARK, false, false, true);
    CHECK_EQ_INT(render_cached_texts(c.ren), first);
    trace_destroy(tr);
    canvas_close(&c);
}

static void render_should_find_every_symbol_it_draws_in_the_shipped_fonts(void)
{
    Canvas c = canvas_open(64, 64);
    Error err = { 0 };
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/fonts", render_locate_assets(NULL));
    TextCache *tc = textcache_create(c.sdl, dir, &err);
    CHECK(tc != NULL);
    /* ✖ ✔ ✉ ↻ ⚠ ▶ → ← ↑ ↓ × … · — “ ” µ − */
    static const uint32_t cps[] = { 0x2716, 0x2714, 0x2709, 0x21BB, 0x26A0, 0x25B6, 0x2192, 0x2190,
                                    0x2191, 0x2193, 0x00D7, 0x2026, 0x00B7, 0x2014, 0x201C, 0x201D,
                                    0x00B5, 0x2212 };
    for (size_t i = 0; tc && i < sizeof cps / sizeof cps[0]; i++) {
        CHECK(textcache_has_glyph(tc, FACE_SANS, cps[i]));
        CHECK(textcache_has_glyph(tc, FACE_BOLD, cps[i]));
    }
    int w1, h1, w2, h2;
    SDL_Texture *a = tc ? textcache_get(tc, FACE_SANS, 16, "hello", 0, &w1, &h1) : NULL;
    SDL_Texture *b = tc ? textcache_get(tc, FACE_SANS, 16, "hello", 0, &w2, &h2) : NULL;
    CHECK(a != NULL && a == b && w1 == w2 && w1 > 10);
    CHECK(tc && textcache_get(tc, FACE_SANS, 16, "", 0, &w1, &h1) == NULL && w1 == 0);
    textcache_destroy(tc);
    textcache_destroy(NULL);
    /* A missing font directory is a clear error naming the file. */
    Error miss = { 0 };
    CHECK(textcache_create(c.sdl, "/nonexistent/fonts", &miss) == NULL);
    CHECK(miss.set && strstr(miss.file, "DejaVuSans.ttf") != NULL);
    canvas_close(&c);
}

/* A megabyte of words: textcache_fit_lines keeps the lines a bar shows and ends them in "…";
 * a text that fits comes back as it is; a one-line text of a million characters renders no
 * wider than 8192 px, and a wrapped one of a megabyte no taller than its first 16 KB. */
static void textcache_should_bound_what_it_lays_out(void)
{
    Canvas c = canvas_open(64, 64);
    Error err = { 0 };
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/fonts", render_locate_assets(NULL));
    TextCache *tc = textcache_create(c.sdl, dir, &err);
    REQUIRE(tc != NULL);
    size_t n = 1u << 20;
    char *words = malloc(n + 1), *line = malloc(n + 1);
    REQUIRE(words && line);
    for (size_t i = 0; i < n; i++) {
        words[i] = i % 6 == 5 ? ' ' : "retry"[i % 6];
        line[i] = 'T';
    }
    words[n] = line[n] = '\0';
    bool cut = false;
    const char *shown = textcache_fit_lines(tc, FACE_SANS, 20, words, 600, 3, &cut);
    CHECK(cut);
    size_t len = strlen(shown);
    CHECK(len > 60 && len < 400);
    CHECK(len >= 3 && strcmp(shown + len - 3, "\xe2\x80\xa6") == 0);
    int newlines = 0;
    for (const char *p = shown; *p; p++) {
        newlines += *p == '\n';
    }
    CHECK_EQ_INT(newlines, 2);
    int w = 0, h = 0, lh = textcache_line_height(tc, FACE_SANS, 20);
    CHECK(textcache_get(tc, FACE_SANS, 20, shown, 600, &w, &h) != NULL);
    CHECK(w <= 600 && h <= 3 * lh + 2);
    const char *fits = "retry later";
    CHECK(textcache_fit_lines(tc, FACE_SANS, 20, fits, 600, 3, &cut) == fits && !cut);
    CHECK(textcache_get(tc, FACE_BOLD, 20, line, 0, &w, &h) != NULL);
    CHECK(w > 1000 && w <= 8192);
    CHECK(textcache_get(tc, FACE_SANS, 14, words, 400, &w, &h) != NULL);
    CHECK(w <= 400 && h > 0 && h < 16384 / 20 * lh);
    free(words);
    free(line);
    textcache_destroy(tc);
    canvas_close(&c);
}

static void render_should_draw_odd_inputs_and_every_overlay(void)
{
    Canvas c = canvas_open(LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    Trace *empty = trace_create();
    frame(&c, empty, 0, THEME_LIGHT, false, false, true);
    trace_destroy(empty);
    Trace *tr = fixture_retry();
    for (int th = 0; th < THEME_COUNT; th++) {
        frame(&c, tr, MS(100000), (ThemeId)th, th == 1, th == 2, th != 1);
    }
    canvas_close(&c);
    Canvas tiny = canvas_open(32, 24);
    frame(&tiny, tr, MS(100000), THEME_LIGHT, true, true, true);
    canvas_close(&tiny);
    trace_destroy(tr);
    render_destroy(NULL);
}

int main(void)
{
    if (TTF_Init() != 0) {
        fprintf(stderr, "TTF_Init: %s\n", TTF_GetError());
        return 1;
    }
    static const TestCase cases[] = {
        TEST_CASE(render_should_wrap_a_long_error_over_the_canvas_whole),
        TEST_CASE(render_should_reuse_cached_text_between_frames),
        TEST_CASE(render_should_find_every_symbol_it_draws_in_the_shipped_fonts),
        TEST_CASE(render_should_draw_odd_inputs_and_every_overlay),
        TEST_CASE(textcache_should_bound_what_it_lays_out),
    };
    int rc = test_main(cases, sizeof cases / sizeof cases[0]);
    TTF_Quit();
    return rc;
}
