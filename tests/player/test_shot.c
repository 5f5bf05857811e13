/* test_shot: `mailsim shot`'s engine, player_shot, with no display — the PNG is read back and
 * checked for the expected things at the expected places: node tiles in their kind's colour at
 * their layout position, a red refusal where the 550 travels, the yellow envelope of m1 on its
 * link, the high-contrast theme, the size, the caption, determinism and a clear error. */
#define _POSIX_C_SOURCE 200809L

#include "view/fixture.h"
#include "test.h"

#include "view/layout.h"
#include "player/player.h"
#include "player/render.h"
#include "view/theme.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdlib.h>
#include <unistd.h>

static char png_path[256];

/* Renders `tr` at at_ms and loads the PNG back as ARGB8888 (caller frees). */
static SDL_Surface *shoot(const Trace *tr, int64_t at_ms, int w, int h, const char *sel, bool hc)
{
    ShotConfig cfg = { tr, MS(at_ms), png_path, w, h, sel, hc, NULL, NULL, NULL, false, 0 };
    Error err = { 0 };
    int rc = player_shot(&cfg, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc != 0) {
        char buf[1200];
        fprintf(stderr, "  %s\n", error_format(&err, buf, sizeof buf));
        return NULL;
    }
    IMG_Init(IMG_INIT_PNG);
    SDL_Surface *raw = IMG_Load(png_path);
    CHECK(raw != NULL);
    SDL_Surface *s = raw ? SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0) : NULL;
    SDL_FreeSurface(raw);
    IMG_Quit();
    remove(png_path);
    return s;
}

/* Like shoot at the design size, also recording every text drawn into fb. */
static SDL_Surface *shoot_boxes(const Trace *tr, int64_t at_ms, FrameBoxes *fb)
{
    ShotConfig cfg = { tr, MS(at_ms), png_path, 0, 0, NULL, false, NULL, fb, NULL, false, 0 };
    Error err = { 0 };
    CHECK_EQ_INT(player_shot(&cfg, &err), 0);
    IMG_Init(IMG_INIT_PNG);
    SDL_Surface *raw = IMG_Load(png_path);
    CHECK(raw != NULL);
    SDL_Surface *s = raw ? SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0) : NULL;
    SDL_FreeSurface(raw);
    IMG_Quit();
    remove(png_path);
    return s;
}

static Rgba pixel(SDL_Surface *s, int x, int y)
{
    if (!s || x < 0 || y < 0 || x >= s->w || y >= s->h) {
        return (Rgba){ 0, 0, 0, 0 };
    }
    Uint32 p = ((const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch))[x];
    return (Rgba){ (uint8_t)(p >> 16), (uint8_t)(p >> 8), (uint8_t)p, (uint8_t)(p >> 24) };
}

static bool near_color(Rgba a, Rgba b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

/* Fraction of pixels in the rectangle close to colour c. */
static double share(SDL_Surface *s, int x0, int y0, int w, int h, Rgba c, int tol)
{
    int hit = 0, all = 0;
    for (int y = y0; y < y0 + h; y++) {
        for (int x = x0; x < x0 + w; x++) {
            hit += near_color(pixel(s, x, y), c, tol);
            all++;
        }
    }
    return all ? (double)hit / all : 0;
}

/* The same layout and view the shot used (same trace, size, scale, and names measured with the
 * same fonts: the columns are as wide as their names). */
typedef struct {
    TraceIndex *ix;
    Layout *lay;
    ViewState *vs;
    SDL_Surface *surf;
    SDL_Renderer *sdl;
    Renderer *ren;
} Model;

static Model model_at(const Trace *tr, int64_t at_ms, int w, int h)
{
    Model m = { traceindex_create(tr), NULL, viewstate_create(), NULL, NULL, NULL };
    TTF_Init();
    m.surf = SDL_CreateRGBSurfaceWithFormat(0, 8, 8, 32, SDL_PIXELFORMAT_RGB888);
    m.sdl = SDL_CreateSoftwareRenderer(m.surf);
    m.ren = render_create(m.sdl, render_locate_assets(NULL), NULL);
    CHECK(m.ren != NULL);
    m.lay = layout_create(m.ix);
    layout_set_measure(m.lay, m.ren ? render_measure : NULL, m.ren);
    layout_resize(m.lay, w, h, 1.0f);
    ViewOptions opt = viewoptions_default();
    viewstate_compute(m.ix, m.lay, MS(at_ms), &opt, m.vs);
    return m;
}

static void model_close(Model *m)
{
    viewstate_destroy(m->vs);
    layout_destroy(m->lay);
    traceindex_destroy(m->ix);
    render_destroy(m->ren);
    SDL_DestroyRenderer(m->sdl);
    SDL_FreeSurface(m->surf);
    TTF_Quit();
}

static void shot_should_draw_each_node_tile_in_its_kind_colour_where_the_layout_puts_it(void)
{
    Trace *tr = fixture_happy();
    SDL_Surface *s = shoot(tr, 1865, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, NULL, false);
    Model m = model_at(tr, 1865, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    static const int32_t nodes[] = { N_SMTP_A, N_MX_B, N_SPAMD_B, N_STORE_B, N_BOB, N_DNS_A };
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        LayoutRect t = layout_node(m.lay, nodes[i]);
        Rgba kind = theme_color(THEME_LIGHT, theme_kind_role(trace_node(tr, nodes[i])->kind));
        /* The tile's left border, halfway down, is the kind's colour. */
        CHECK(near_color(pixel(s, (int)t.x + 1, (int)(t.y + t.h / 2)), kind, 12));
        /* Just outside the tile is the canvas background. */
        Rgba bg = theme_color(THEME_LIGHT, CR_BG);
        CHECK(near_color(pixel(s, (int)t.x - 12, (int)(t.y + t.h / 2) - 12), bg, 12));
    }
    model_close(&m);
    SDL_FreeSurface(s);
    trace_destroy(tr);
}

static void shot_should_show_the_rejected_reply_in_red_where_it_travels(void)
{
    Trace *tr = fixture_bounce();
    FrameBoxes *fb = framebox_create();
    SDL_Surface *s = shoot_boxes(tr, 1730, fb);
    Model m = model_at(tr, 1730, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    const FrameBox *label = NULL;
    for (size_t i = 0; i < framebox_count(fb); i++) {
        label = framebox_get(fb, i)->role == FB_REFUSAL ? framebox_get(fb, i) : label;
    }
    CHECK(label != NULL);
    const ViewToken *rej = NULL;
    for (size_t i = 0; i < m.vs->token_count; i++) {
        rej = (m.vs->tokens[i].flags & VT_REJECT) ? &m.vs->tokens[i] : rej;
    }
    CHECK(rej != NULL);
    if (rej) {
        Rgba red = theme_color(THEME_LIGHT, CR_SMTP_REJECT);
        /* The label's box, where it was placed, is mostly vermillion (the rest is its text). */
        if (label) {
            CHECK(strstr(label->text, "550") != NULL && strstr(label->text, "refused") != NULL);
            CHECK(share(s, (int)label->x - 4, (int)label->y, (int)label->w + 8, (int)label->h, red,
                        16) > 0.3);
        }
        /* And its mark sits on the link: a red disc crossed by the ink colour. */
        CHECK(share(s, (int)rej->x - 8, (int)rej->y - 8, 16, 16, red, 16) > 0.25);
    }
    /* Before the 550 nothing on the canvas is that red. */
    SDL_FreeSurface(s);
    s = shoot(tr, 1690, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, NULL, false);
    LayoutRect c = layout_region(m.lay, REGION_CANVAS);
    CHECK(share(s, (int)c.x, (int)c.y, (int)c.w, (int)c.h, theme_color(THEME_LIGHT, CR_SMTP_REJECT), 10) <
          0.0005);
    model_close(&m);
    SDL_FreeSurface(s);
    framebox_destroy(fb);
    trace_destroy(tr);
}

static int luma(Rgba c)
{
    return (299 * c.r + 587 * c.g + 114 * c.b) / 1000;
}

/* The frame's refusal label (its text box) and the model's refusal token, at at_ms. */
typedef struct {
    SDL_Surface *s;
    FrameBox label;
    float mark_x, mark_y;
    bool found;
} Refusal;

static Refusal refusal_at(Trace *tr, int64_t at_ms)
{
    Refusal out = { 0 };
    FrameBoxes *fb = framebox_create();
    out.s = shoot_boxes(tr, at_ms, fb);
    Model m = model_at(tr, at_ms, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    for (size_t i = 0; i < framebox_count(fb); i++) {
        if (framebox_get(fb, i)->role == FB_REFUSAL) {
            out.label = *framebox_get(fb, i);
            out.found = true;
        }
    }
    for (size_t i = 0; i < m.vs->token_count; i++) {
        if (m.vs->tokens[i].flags & VT_REJECT) {
            out.mark_x = m.vs->tokens[i].x;
            out.mark_y = m.vs->tokens[i].y;
        }
    }
    out.label.text = NULL; /* owned by fb */
    framebox_destroy(fb);
    model_close(&m);
    return out;
}

/* Light-dark changes along the label box's top border, in greyscale. */
static int border_changes(const Refusal *rf)
{
    int y = (int)rf->label.y - 3, changes = 0;
    bool prev_dark = false;
    for (int x = (int)rf->label.x + 4; x < (int)(rf->label.x + rf->label.w) - 4; x++) {
        bool dark = luma(pixel(rf->s, x, y)) < 90;
        changes += x > (int)rf->label.x + 4 && dark != prev_dark;
        prev_dark = dark;
    }
    return changes;
}

/* Temporary and permanent failures differ in shape, not only in hue: in greyscale the temporary
 * label's border is dashed and its mark a hollow ring; the permanent one's border is solid and
 * its mark crossed through the middle. */
static void shot_should_tell_temporary_from_permanent_in_greyscale(void)
{
    Trace *tmp_tr = fixture_retry();
    Refusal tmp = refusal_at(tmp_tr, 1490);
    Trace *perm_tr = fixture_bounce();
    Refusal perm = refusal_at(perm_tr, 1730);
    REQUIRE(tmp.found && perm.found && tmp.s && perm.s);
    CHECK(border_changes(&tmp) >= 6);
    CHECK(border_changes(&perm) <= 1);
    /* The ring is hollow (background light inside), the cross dark at its centre. */
    CHECK(luma(pixel(tmp.s, (int)tmp.mark_x, (int)tmp.mark_y)) > 150);
    CHECK(luma(pixel(perm.s, (int)perm.mark_x, (int)perm.mark_y)) < 90);
    SDL_FreeSurface(tmp.s);
    SDL_FreeSurface(perm.s);
    trace_destroy(tmp_tr);
    trace_destroy(perm_tr);
}

/* The legend (key L) shows the grammar in words: both failure kinds and what badges mean. */
static void shot_should_draw_the_legend_on_request(void)
{
    Trace *tr = fixture_happy();
    FrameBoxes *fb = framebox_create();
    ShotConfig cfg = { tr, MS(1500), NULL, 0, 0, NULL, false, NULL, fb, NULL, true, 0 };
    Error err = { 0 };
    CHECK_EQ_INT(player_shot(&cfg, &err), 0);
    bool title = false, later = false, refused = false;
    for (size_t i = 0; i < framebox_count(fb); i++) {
        const char *t = framebox_get(fb, i)->text;
        title |= strstr(t, "How to read the picture") != NULL;
        later |= strcmp(t, "\u27f3 450 try later") == 0;
        refused |= strcmp(t, "\u2716 550 refused") == 0;
    }
    CHECK(title && later && refused);
    framebox_destroy(fb);
    trace_destroy(tr);
}

static void shot_should_draw_m1_as_a_yellow_envelope_on_its_link(void)
{
    Trace *tr = fixture_happy();
    SDL_Surface *s = shoot(tr, 1865, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, "m1", false);
    Model m = model_at(tr, 1865, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H);
    const ViewToken *m1 = viewstate_find_msg(m.vs, 0);
    CHECK(m1 != NULL);
    if (m1) {
        Rgba yellow = theme_color(THEME_LIGHT, CR_MSG);
        CHECK(share(s, (int)m1->x - 10, (int)m1->y + 3, 20, 6, yellow, 10) > 0.6);
        /* Selected: the selection colour rings it. */
        CHECK(share(s, (int)m1->x - 30, (int)m1->y - 20, 60, 40, theme_color(THEME_LIGHT, CR_SELECT), 10) >
              0.05);
    }
    model_close(&m);
    SDL_FreeSurface(s);
    trace_destroy(tr);
}

static void shot_should_use_the_high_contrast_theme_and_the_requested_size(void)
{
    Trace *tr = fixture_spam();
    SDL_Surface *s = shoot(tr, 3000, 1600, 900, NULL, true);
    CHECK(s && s->w == 1600 && s->h == 900);
    Model m = model_at(tr, 3000, 1600, 900);
    LayoutRect c = layout_region(m.lay, REGION_CANVAS);
    Rgba black = { 0, 0, 0, 255 };
    CHECK(near_color(pixel(s, (int)c.x + 4, (int)c.y + 4), black, 2));
    /* The caption bar says something: plenty of light (text) pixels on its black. */
    LayoutRect cap = layout_region(m.lay, REGION_CAPTION);
    CHECK(share(s, (int)cap.x + 20, (int)cap.y, (int)cap.w - 40, (int)cap.h, (Rgba){ 255, 255, 255, 255 },
                40) > 0.01);
    model_close(&m);
    SDL_FreeSurface(s);
    trace_destroy(tr);
}

static void shot_should_write_opaque_pixels(void)
{
    /* Trails and overlays are drawn with alpha; the PNG must still be fully opaque. */
    Trace *tr = fixture_happy();
    SDL_Surface *s = shoot(tr, 1865, 640, 360, NULL, false);
    bool opaque = s != NULL;
    for (int y = 0; s && y < s->h && opaque; y++) {
        for (int x = 0; x < s->w && opaque; x++) {
            opaque = pixel(s, x, y).a == 255;
        }
    }
    CHECK(opaque);
    SDL_FreeSurface(s);
    trace_destroy(tr);
}

static void shot_should_be_deterministic(void)
{
    Trace *tr = fixture_retry();
    SDL_Surface *a = shoot(tr, 100000, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, NULL, false);
    SDL_Surface *b = shoot(tr, 100000, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, NULL, false);
    CHECK(a && b);
    if (a && b) {
        bool same = a->w == b->w && a->h == b->h;
        for (int y = 0; same && y < a->h; y++) {
            same = memcmp((Uint8 *)a->pixels + y * a->pitch, (Uint8 *)b->pixels + y * b->pitch,
                          (size_t)a->w * 4) == 0;
        }
        CHECK(same);
    }
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    trace_destroy(tr);
}

static void shot_should_refuse_an_unknown_message_and_an_unwritable_file(void)
{
    Trace *tr = fixture_happy();
    Error err = { 0 };
    ShotConfig cfg = { tr, MS(2000), png_path, 640, 360, "m9", false, NULL, NULL, NULL, false, 0 };
    CHECK(player_shot(&cfg, &err) != 0);
    CHECK(err.set && strstr(err.msg, "m9") != NULL);
    Error err2 = { 0 };
    ShotConfig bad = { tr, MS(2000), "/nonexistent-dir/x.png", 640, 360, NULL, false, NULL, NULL, NULL, false, 0 };
    CHECK(player_shot(&bad, &err2) != 0);
    CHECK(err2.set && strstr(err2.file, "/nonexistent-dir/x.png") != NULL);
    /* A tiny size still renders. */
    ShotConfig tiny = { tr, MS(2000), png_path, 64, 48, NULL, false, NULL, NULL, NULL, false, 0 };
    Error err3 = { 0 };
    CHECK_EQ_INT(player_shot(&tiny, &err3), 0);
    remove(png_path);
    trace_destroy(tr);
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
    const char *tmp = getenv("TMPDIR");
    snprintf(png_path, sizeof png_path, "%s/mailsim-test-shot-%ld.png", tmp && tmp[0] ? tmp : "/tmp",
             (long)getpid());
    static const TestCase cases[] = {
        TEST_CASE(shot_should_draw_each_node_tile_in_its_kind_colour_where_the_layout_puts_it),
        TEST_CASE(shot_should_show_the_rejected_reply_in_red_where_it_travels),
        TEST_CASE(shot_should_tell_temporary_from_permanent_in_greyscale),
        TEST_CASE(shot_should_draw_the_legend_on_request),
        TEST_CASE(shot_should_draw_m1_as_a_yellow_envelope_on_its_link),
        TEST_CASE(shot_should_use_the_high_contrast_theme_and_the_requested_size),
        TEST_CASE(shot_should_write_opaque_pixels),
        TEST_CASE(shot_should_be_deterministic),
        TEST_CASE(shot_should_refuse_an_unknown_message_and_an_unwritable_file),
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
