/* ladder_draw: the ladder painted with SDL (see ladder_draw.h). It follows ladder_svg shape for
 * shape — lanes solid with dotted stretches across gaps, arrows with filled heads, a ring for a
 * temporary refusal and a cross for a permanent one, labels over a background-coloured plate —
 * so the PNG and the SVG of one ladder look alike. */
#include "player/ladder_draw.h"

#include "util/atomicfile.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define RING_SEGMENTS 32
#define PI_F 3.14159265f
#define FUTURE_ALPHA 77 /* rows after the playhead, when shown: 30 % */

typedef struct {
    SDL_Renderer *sdl;
    TextCache *tc;
    const Ladder *ld;
    ThemeId theme;
    uint8_t alpha;
} Pen;

static SDL_Color sdl_color(Rgba c, uint8_t alpha)
{
    return (SDL_Color){ c.r, c.g, c.b, alpha };
}

static void fill_rect(Pen *p, float x, float y, float w, float h, Rgba c)
{
    SDL_SetRenderDrawColor(p->sdl, c.r, c.g, c.b, p->alpha);
    SDL_FRect r = { x, y, w, h };
    SDL_RenderFillRectF(p->sdl, &r);
}

/* A thick segment from (x0, y0) to (x1, y1), as a quad. */
static void segment(Pen *p, float x0, float y0, float x1, float y1, float width, Rgba c)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0) {
        return;
    }
    float nx = -dy / len * width / 2, ny = dx / len * width / 2;
    SDL_Color col = sdl_color(c, p->alpha);
    SDL_Vertex v[4] = { { { x0 + nx, y0 + ny }, col, { 0, 0 } },
                        { { x1 + nx, y1 + ny }, col, { 0, 0 } },
                        { { x1 - nx, y1 - ny }, col, { 0, 0 } },
                        { { x0 - nx, y0 - ny }, col, { 0, 0 } } };
    int idx[6] = { 0, 1, 2, 0, 2, 3 };
    SDL_RenderGeometry(p->sdl, NULL, v, 4, idx, 6);
}

static void triangle(Pen *p, float x0, float y0, float x1, float y1, float x2, float y2, Rgba c)
{
    SDL_Color col = sdl_color(c, p->alpha);
    SDL_Vertex v[3] = { { { x0, y0 }, col, { 0, 0 } },
                        { { x1, y1 }, col, { 0, 0 } },
                        { { x2, y2 }, col, { 0, 0 } } };
    SDL_RenderGeometry(p->sdl, NULL, v, 3, NULL, 0);
}

/* A ring (inner radius r_in) or a disc (r_in = 0) around (cx, cy). */
static void ring(Pen *p, float cx, float cy, float r_out, float r_in, Rgba c)
{
    SDL_Color col = sdl_color(c, p->alpha);
    SDL_Vertex v[(RING_SEGMENTS + 1) * 2];
    int idx[RING_SEGMENTS * 6];
    for (int i = 0; i <= RING_SEGMENTS; i++) {
        float a = (float)i * 2.0f * PI_F / RING_SEGMENTS;
        v[2 * i] = (SDL_Vertex){ { cx + cosf(a) * r_out, cy + sinf(a) * r_out }, col, { 0, 0 } };
        v[2 * i + 1] = (SDL_Vertex){ { cx + cosf(a) * r_in, cy + sinf(a) * r_in }, col, { 0, 0 } };
    }
    for (int i = 0; i < RING_SEGMENTS; i++) {
        int a = 2 * i, b = 2 * i + 1, c2 = 2 * i + 2, d = 2 * i + 3;
        int q[6] = { a, b, c2, b, d, c2 };
        memcpy(&idx[6 * i], q, sizeof q);
    }
    SDL_RenderGeometry(p->sdl, NULL, v, (RING_SEGMENTS + 1) * 2, idx, RING_SEGMENTS * 6);
}

/* One line of text with its band's top at `top`, on a plate of the background colour. */
static void text_line(Pen *p, float x, float top, LadderAlign align, Rgba color, bool bold,
                      int px, const char *text)
{
    int w, h;
    FontFace face = bold ? FACE_BOLD : FACE_SANS;
    SDL_Texture *tex = textcache_get(p->tc, face, px, text, 0, &w, &h);
    if (!tex) {
        return;
    }
    float left = align == LADDER_ALIGN_LEFT     ? x
                 : align == LADDER_ALIGN_CENTER ? x - (float)w / 2
                                                : x - (float)w;
    /* SDL_ttf's ascent for DejaVu is about 0.93 em: put the baseline where the SVG puts it. */
    float y = top + LADDER_BASELINE * (float)px / LADDER_TEXT_PX - (float)px * 0.93f;
    fill_rect(p, left - 3, y + 2, (float)w + 6, (float)h - 3, theme_color(p->theme, CR_PANEL));
    SDL_SetTextureColorMod(tex, color.r, color.g, color.b);
    SDL_SetTextureAlphaMod(tex, p->alpha);
    SDL_FRect dst = { left, y, (float)w, (float)h };
    SDL_RenderCopyF(p->sdl, tex, NULL, &dst);
}

static void lanes_draw(Pen *p)
{
    const Ladder *ld = p->ld;
    const LadderFrame *f = ladder_frame(ld);
    Rgba line = theme_color(p->theme, CR_BORDER);
    for (size_t i = 0; i < ladder_lane_count(ld); i++) {
        const LadderLane *l = ladder_lane(ld, i);
        float y0 = f->lanes_top;
        for (size_t k = 0; k < ladder_row_count(ld); k++) {
            const LadderRow *r = ladder_row(ld, k);
            if (r->cls != LADDER_GAP) {
                continue;
            }
            fill_rect(p, l->x - 1, y0, 2, r->y - y0, line);
            for (float y = r->y; y < r->y + r->h; y += 8) {
                fill_rect(p, l->x - 1, y, 2, 2, line);
            }
            y0 = r->y + r->h;
        }
        fill_rect(p, l->x - 1, y0, 2, f->lanes_bottom - y0, line);
        Rgba accent = ladder_ink(p->theme, theme_kind_role((int)l->kind), 3.0);
        float x = l->x - f->head_w / 2;
        fill_rect(p, x, f->head_y, f->head_w, f->head_h, accent);
        fill_rect(p, x + 2, f->head_y + 6, f->head_w - 4, f->head_h - 8,
                  theme_color(p->theme, CR_NODE));
        text_line(p, l->x, f->head_y + 8, LADDER_ALIGN_CENTER, theme_color(p->theme, CR_TEXT),
                  false, LADDER_TEXT_PX, l->name);
        text_line(p, l->x, f->head_y + 8 + LADDER_LINE_H, LADDER_ALIGN_CENTER,
                  theme_color(p->theme, CR_TEXT_DIM), false, LADDER_TEXT_PX, l->role);
    }
}

static void marker_draw(Pen *p, const LadderRow *r, float x, float y)
{
    Rgba c = ladder_ink(p->theme, ladder_row_role(r), 3.0);
    float m = LADDER_MARK_R;
    switch (r->cls) {
    case LADDER_REFUSAL_TEMP:
        ring(p, x, y, m + 1.5f, 0, theme_color(p->theme, CR_PANEL));
        ring(p, x, y, m + 1.5f, m - 1.5f, c);
        return;
    case LADDER_REFUSAL_PERM:
        segment(p, x - m, y - m, x + m, y + m, 4, c);
        segment(p, x - m, y + m, x + m, y - m, 4, c);
        return;
    case LADDER_DELIVERY:
    case LADDER_VERDICT:
        triangle(p, x, y - m, x + m, y, x, y + m, c);
        triangle(p, x, y - m, x - m, y, x, y + m, c);
        return;
    case LADDER_COMMAND:
    case LADDER_REPLY:
    case LADDER_DNS:
    case LADDER_HOP:
    case LADDER_GAP:
    case LADDER_NOTE:
    case LADDER_CLASS_COUNT: ring(p, x, y, 5, 0, c); return;
    }
}

static void arrow_draw(Pen *p, const LadderRow *r)
{
    const Ladder *ld = p->ld;
    float x0 = ladder_lane(ld, (size_t)r->from)->x, x1 = ladder_lane(ld, (size_t)r->to)->x;
    float dir = x1 > x0 ? 1.0f : -1.0f, y = r->line_y;
    Rgba c = ladder_ink(p->theme, ladder_row_role(r), 3.0);
    bool hop = r->cls == LADDER_HOP;
    float width = hop ? LADDER_HOP_STROKE : LADDER_STROKE;
    float tip = x1 - dir * (hop ? 3.0f : 1.0f), end = tip - dir * LADDER_HEAD_LEN;
    if (r->cls == LADDER_REFUSAL_TEMP) {
        for (float x = x0; (end - x) * dir > 0; x += dir * 16) {
            float x2 = (end - (x + dir * 10)) * dir > 0 ? x + dir * 10 : end;
            segment(p, x, y, x2, y, width, c);
        }
    } else {
        segment(p, x0, y, end, y, width, c);
    }
    float hw = hop ? 8.0f : 6.0f;
    triangle(p, tip, y, end, y - hw, end, y + hw, c);
    if (r->cls == LADDER_REFUSAL_TEMP || r->cls == LADDER_REFUSAL_PERM) {
        marker_draw(p, r, x1 - dir * LADDER_MARK_INSET, y);
    }
}

static void row_draw(Pen *p, const LadderRow *r)
{
    const Ladder *ld = p->ld;
    p->alpha = r->future ? FUTURE_ALPHA : 255;
    Rgba text = theme_color(p->theme, CR_TEXT), dim = theme_color(p->theme, CR_TEXT_DIM);
    Rgba ink = ladder_ink(p->theme, ladder_row_role(r), 4.5);
    if (r->cls != LADDER_GAP) {
        text_line(p, ladder_frame(ld)->time_x, r->line_y - LADDER_LINE_H / 2, LADDER_ALIGN_LEFT,
                  dim, false, LADDER_TEXT_PX, r->time);
        if (r->to == LADDER_NO_LANE) {
            marker_draw(p, r, ladder_lane(ld, (size_t)r->from)->x, r->line_y);
        } else {
            arrow_draw(p, r);
        }
    }
    LadderAlign align;
    float x = ladder_label_x(ld, r, &align);
    bool refusal = r->cls == LADDER_REFUSAL_TEMP || r->cls == LADDER_REFUSAL_PERM;
    bool strong = refusal || r->cls == LADDER_DELIVERY || r->cls == LADDER_VERDICT;
    Rgba color = r->cls == LADDER_GAP || r->cls == LADDER_NOTE ? dim : strong ? ink : text;
    for (int j = 0; j < r->nlines; j++) {
        text_line(p, x, ladder_line_top(r, j), align, color, strong || r->cls == LADDER_GAP,
                  LADDER_TEXT_PX, r->lines[j]);
    }
    if (r->tag) {
        text_line(p, x, ladder_tag_top(r), align, ink, true, LADDER_TEXT_PX, r->tag);
    }
    p->alpha = 255;
}

static void playhead_draw(Pen *p)
{
    const LadderFrame *f = ladder_frame(p->ld);
    if (f->playhead_y < 0) {
        return;
    }
    Rgba c = ladder_ink(p->theme, CR_SELECT, 3.0);
    fill_rect(p, f->time_x, f->playhead_y - 1.5f, f->width - 2 * f->time_x, 3, c);
    if (f->playhead_label) {
        text_line(p, f->width - f->time_x, f->playhead_y - LADDER_LINE_H - 2, LADDER_ALIGN_RIGHT,
                  ladder_ink(p->theme, CR_SELECT, 4.5), true, LADDER_TEXT_PX, f->playhead_label);
    }
}

void ladder_draw(SDL_Renderer *sdl, TextCache *tc, const Ladder *ld, ThemeId theme)
{
    Pen p = { sdl, tc, ld, theme, 255 };
    const LadderFrame *f = ladder_frame(ld);
    SDL_SetRenderDrawBlendMode(sdl, SDL_BLENDMODE_BLEND);
    fill_rect(&p, 0, 0, f->width, f->height, theme_color(theme, CR_PANEL));
    text_line(&p, f->time_x, f->title_y + 4, LADDER_ALIGN_LEFT, theme_color(theme, CR_TEXT), true,
              LADDER_TITLE_PX, f->title);
    lanes_draw(&p);
    for (size_t k = 0; k < ladder_row_count(ld); k++) {
        row_draw(&p, ladder_row(ld, k));
    }
    playhead_draw(&p);
}

SDL_Surface *ladder_draw_surface(const Ladder *ld, ThemeId theme, const char *asset_dir,
                                 Error *err)
{
    const LadderFrame *f = ladder_frame(ld);
    int w = (int)ceilf(f->width), h = (int)ceilf(f->height);
    SDL_Surface *surf = NULL;
    SDL_Renderer *sdl = NULL;
    TextCache *tc = NULL;
    if (TTF_Init() != 0) { /* counted: a caller that started SDL_ttf keeps it */
        error_set(err, "", "", "cannot start SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    sdl = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!sdl) {
        error_set(err, "", "", "cannot create an offscreen %dx%d renderer: %s", w, h, SDL_GetError());
        goto fail;
    }
    char font_dir[1024];
    snprintf(font_dir, sizeof font_dir, "%s/fonts", asset_dir);
    tc = textcache_create(sdl, font_dir, err);
    if (!tc) {
        goto fail;
    }
    ladder_draw(sdl, tc, ld, theme);
    SDL_RenderPresent(sdl);
    textcache_destroy(tc);
    SDL_DestroyRenderer(sdl);
    TTF_Quit();
    return surf;
fail:
    textcache_destroy(tc);
    if (sdl) {
        SDL_DestroyRenderer(sdl);
    }
    SDL_FreeSurface(surf);
    TTF_Quit();
    return NULL;
}

bool ladder_draw_png(const Ladder *ld, ThemeId theme, const char *asset_dir, const char *path,
                     Error *err)
{
    SDL_Surface *surf = ladder_draw_surface(ld, theme, asset_dir, err);
    if (!surf) {
        return false;
    }
    bool img = (IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) != 0;
    bool ok = false;
    AtomicFile *af = atomicfile_open(path);
    SDL_RWops *rw = af ? SDL_RWFromFP(atomicfile_stream(af), SDL_FALSE) : NULL;
    if (!af) {
        error_set(err, path, "", "cannot write the PNG: %s", strerror(errno));
    } else if (!rw || IMG_SavePNG_RW(surf, rw, 1) != 0) {
        error_set(err, path, "", "cannot write the PNG: %s", IMG_GetError());
        atomicfile_abort(af);
    } else if (!atomicfile_commit(af)) {
        error_set(err, path, "", "cannot write the PNG: %s", strerror(errno));
    } else {
        ok = true;
    }
    SDL_FreeSurface(surf);
    if (img) {
        IMG_Quit();
    }
    return ok;
}
