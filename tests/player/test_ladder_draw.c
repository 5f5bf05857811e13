/* Tests for player/ladder_draw, by pixels: the temporary and the permanent refusal markers differ
 * in shape (not only colour), the refusal colours are there, the lanes are drawn, and the PNG is
 * written whole. */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include "model/sim.h"
#include "player/ladder_draw.h"
#include "player/render.h"
#include "scenario/scenario.h"

#include <SDL_image.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Trace *run(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", MAILSIM_SOURCE_DIR, name);
    World *w = scenario_load_file(path, NULL);
    if (!w) {
        return NULL;
    }
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    return tr;
}

static Rgba pixel(const SDL_Surface *s, int x, int y)
{
    Uint32 v = ((const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch))[x];
    Rgba c = { 0, 0, 0, 255 };
    SDL_GetRGB(v, s->format, &c.r, &c.g, &c.b);
    return c;
}

/* Inked: clearly darker than the white panel. */
static bool inked(const SDL_Surface *s, int x, int y)
{
    Rgba c = pixel(s, x, y);
    return c.r + c.g + c.b < 3 * 200;
}

static bool near(Rgba a, Rgba b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

#define MASK_R ((int)LADDER_MARK_R + 3)
#define MASK_N (2 * MASK_R + 1)

/* A drawn refusal: its ladder, its surface, the marker's centre. */
typedef struct {
    Trace *tr;
    Ladder *ld;
    SDL_Surface *surf;
    const LadderRow *row;
    int cx, cy;
    bool mask[MASK_N][MASK_N]; /* inked pixels around the marker */
} Drawn;

static bool draw_refusal(Drawn *d, const char *scenario, const char *prefix)
{
    memset(d, 0, sizeof *d);
    d->tr = run(scenario);
    if (!d->tr) {
        return false;
    }
    d->ld = ladder_build(d->tr, 0, NULL);
    for (size_t k = 0; k < ladder_row_count(d->ld) && !d->row; k++) {
        const LadderRow *r = ladder_row(d->ld, k);
        d->row = strncmp(r->text, prefix, strlen(prefix)) == 0 ? r : NULL;
    }
    Error err = { 0 };
    d->surf = ladder_draw_surface(d->ld, THEME_LIGHT, render_locate_assets(NULL), &err);
    if (!d->row || !d->surf) {
        return false;
    }
    float x0 = ladder_lane(d->ld, (size_t)d->row->from)->x, x1 = ladder_lane(d->ld, (size_t)d->row->to)->x;
    d->cx = (int)(x1 - (x1 > x0 ? 1 : -1) * LADDER_MARK_INSET + 0.5f);
    d->cy = (int)(d->row->line_y + 0.5f);
    for (int dy = -MASK_R; dy <= MASK_R; dy++) {
        for (int dx = -MASK_R; dx <= MASK_R; dx++) {
            d->mask[dy + MASK_R][dx + MASK_R] = inked(d->surf, d->cx + dx, d->cy + dy);
        }
    }
    return true;
}

static void drawn_free(Drawn *d)
{
    SDL_FreeSurface(d->surf);
    ladder_destroy(d->ld);
    trace_destroy(d->tr);
}

/* Scenario 05's 450 gets a ring (hollow centre, inked top), scenario 03's 550 a cross (inked
 * centre and diagonals, empty top): the greyscale masks differ in shape. */
static void ladder_draw_should_give_the_two_refusals_different_shapes(void)
{
    Drawn temp, perm;
    bool ok_t = draw_refusal(&temp, "05-greylisting.json", "450 4.2.0");
    bool ok_p = draw_refusal(&perm, "03-unknown-user.json", "550 5.1.1");
    CHECK(ok_t);
    CHECK(ok_p);
    if (ok_t && ok_p) {
        int m = MASK_R, r = (int)LADDER_MARK_R, diag = (int)(LADDER_MARK_R * 0.7f);
        CHECK(!temp.mask[m][m]);          /* the ring's hole (the arrow does not show through) */
        CHECK(temp.mask[m - r][m]);       /* the ring's top */
        CHECK(temp.mask[m + r][m]);       /* and bottom */
        CHECK(perm.mask[m][m]);           /* the cross's centre */
        CHECK(perm.mask[m - diag][m - diag] && perm.mask[m + diag][m + diag]);
        CHECK(!perm.mask[m - r][m]);      /* nothing straight above the centre */
        int differ = 0;
        for (int y = 0; y < MASK_N; y++) {
            for (int x = 0; x < MASK_N; x++) {
                differ += temp.mask[y][x] != perm.mask[y][x];
            }
        }
        CHECK(differ > MASK_N * MASK_N / 6);
    }
    drawn_free(&temp);
    drawn_free(&perm);
}

/* The refusal's colour is in its row band (its marker, arrow and words), and the lanes are drawn
 * as vertical lines through the rows. */
static void ladder_draw_should_colour_refusals_and_draw_lanes(void)
{
    Drawn d;
    bool ok = draw_refusal(&d, "05-greylisting.json", "450 4.2.0");
    REQUIRE(ok);
    Rgba want = ladder_ink(THEME_LIGHT, CR_SMTP_DEFER, 3.0);
    Rgba words = ladder_ink(THEME_LIGHT, CR_SMTP_DEFER, 4.5);
    int coloured = 0, worded = 0;
    for (int y = (int)d.row->y; y < (int)(d.row->y + d.row->h); y++) {
        for (int x = 0; x < d.surf->w; x++) {
            Rgba c = pixel(d.surf, x, y);
            coloured += near(c, want, 12);
            worded += near(c, words, 12);
        }
    }
    CHECK(coloured > 200);
    CHECK(worded > 100);
    const LadderFrame *f = ladder_frame(d.ld);
    for (size_t i = 0; i < ladder_lane_count(d.ld); i++) {
        int x = (int)ladder_lane(d.ld, i)->x, lane_px = 0, ys = 0;
        for (int y = (int)f->lanes_top + 2; y < (int)f->lanes_bottom - 2; y += 7, ys++) {
            lane_px += inked(d.surf, x, y) || inked(d.surf, x - 1, y);
        }
        CHECK(lane_px > ys / 2);
    }
    drawn_free(&d);
}

/* The PNG has the frame's size and nothing is left beside it. */
static void ladder_draw_should_write_the_png_whole(void)
{
    Trace *tr = run("01-happy-path.json");
    REQUIRE(tr != NULL);
    Ladder *ld = ladder_build(tr, 0, NULL);
    char path[64];
    snprintf(path, sizeof path, "/tmp/mailsim-ladder-%ld.png", (long)getpid());
    Error err = { 0 };
    CHECK(ladder_draw_png(ld, THEME_LIGHT, render_locate_assets(NULL), path, &err));
    SDL_Surface *back = IMG_Load(path);
    CHECK(back != NULL);
    if (back) {
        CHECK_EQ_INT(back->w, (int)ceilf(ladder_frame(ld)->width));
        CHECK_EQ_INT(back->h, (int)ceilf(ladder_frame(ld)->height));
        SDL_FreeSurface(back);
    }
    char tmp[sizeof path + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(access(tmp, F_OK) != 0);
    CHECK(!ladder_draw_png(ld, THEME_LIGHT, render_locate_assets(NULL), "/nonexistent/dir/x.png", &err));
    CHECK(strstr(err.msg, "cannot write the PNG") != NULL);
    remove(path);
    ladder_destroy(ld);
    trace_destroy(tr);
}

int main(void)
{
    static const TestCase cases[] = {
        { "ladder_draw_should_give_the_two_refusals_different_shapes",
          ladder_draw_should_give_the_two_refusals_different_shapes },
        { "ladder_draw_should_colour_refusals_and_draw_lanes",
          ladder_draw_should_colour_refusals_and_draw_lanes },
        { "ladder_draw_should_write_the_png_whole", ladder_draw_should_write_the_png_whole },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
