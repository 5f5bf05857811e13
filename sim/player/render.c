/* render: one frame with SDL (see render.h).
 *
 * Sizes are written for the design window (LAYOUT_DESIGN_W×H, view/layout.h) at scale 1 and
 * multiplied by the layout's scale, so a projector or Ctrl + gets proportionally larger
 * everything. Body text is 16 px, node names 17 px bold, captions 22 px: readable from the back
 * of a classroom at the design size.
 */
#include "player/render.h"
#include "util/datadir.h"
#include "util/fmt.h"

#include "text/narrate.h"
#include "player/textcache.h"
#include "view/framebox.h"
#include "view/labelplace.h"
#include "view/logfilter.h"
#include "view/lesson.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MAILSIM_ASSET_DIR
#define MAILSIM_ASSET_DIR "assets"
#endif

/* Font sizes at scale 1, in pixels. */
enum {
    FS_BODY = 16,
    FS_SMALL = 14,
    FS_MONO = 15,
    FS_BADGE = 15,
    FS_TOKEN = 15,
    FS_REJECT = 17,
    FS_CAPTION = 22,
    FS_TITLE = 19,
    FS_CLOCK = 22,
    FS_HELP = 18,
};

typedef struct {
    SDL_FRect rect;
    int line;
} LineHit;

struct Renderer {
    SDL_Renderer *sdl;
    TextCache *tc;
    ThemeId theme;
    float s;
    SDL_Vertex *verts;
    size_t nverts, cap;
    LineHit *hits;
    size_t nhits, hits_cap;
    SDL_FRect picker_rows[64];
    int npicker, picker_first; /* row i shows item picker_first + i */
    float inspector_h;
    /* Timeline markers per pixel column, rebuilt when the trace or the width changes. */
    const TraceIndex *marks_ix;
    int marks_w;
    uint8_t *mark_role; /* ColorRole per column, 255 = none */
    uint8_t *mark_tall;
    bool marks_lesson;  /* the cache was built for lesson mode, with marks_shown past events */
    size_t marks_shown;
    RenderLesson ls;    /* render_set_lesson: all zero when not set */
    /* The frame's texts are recorded here when set (render_set_boxes): what the next text drawn
     * is for, whose it is, and the text it stands for when it shows less (NULL: itself). */
    FrameBoxes *boxes;
    LabelPlacer *lp;
    LayoutRect *lab; /* per token: where its label box was placed this frame */
    size_t lab_cap;
    FrameTextRole trole;
    int32_t tnode, tnode2;
    const char *tmeant;
};

typedef enum { AL_LEFT, AL_CENTER, AL_RIGHT } Align;

/* ---- assets ---- */

const char *render_locate_assets(Error *err)
{
    static char found[DATADIR_PATH_MAX];
    const char *env = getenv("MAILSIM_ASSETS");
    switch (datadir_find("assets", "fonts/DejaVuSans.ttf", env, MAILSIM_ASSET_DIR, found,
                         sizeof found)) {
    case DATADIR_FOUND:
        return found;
    case DATADIR_ENV_WRONG:
        /* An explicit setting is the user's answer: falling back past a typo would hide it. */
        error_set(err, env, "", "MAILSIM_ASSETS names this directory, but it has no "
                  "fonts/DejaVuSans.ttf; point MAILSIM_ASSETS at mailsim's assets/ directory (it "
                  "holds fonts/DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSansMono.ttf), or "
                  "unset it");
        return NULL;
    case DATADIR_NOT_FOUND:
        break;
    }
    error_set(err, "", "", "cannot find the player's fonts (fonts/DejaVuSans.ttf in an assets "
              "directory: $MAILSIM_ASSETS, ../assets or ../share/mailsim/assets beside the "
              "program, ./assets, or %s); set MAILSIM_ASSETS to the assets/ directory of the "
              "mailsim source tree", MAILSIM_ASSET_DIR);
    return NULL;
}

Renderer *render_create(SDL_Renderer *sdl, const char *asset_dir, Error *err)
{
    Renderer *r = xcalloc(1, sizeof *r);
    r->sdl = sdl;
    char fonts[1100];
    snprintf(fonts, sizeof fonts, "%s/fonts", asset_dir ? asset_dir : "assets");
    r->tc = textcache_create(sdl, fonts, err);
    if (!r->tc) {
        goto fail;
    }
    SDL_SetRenderDrawBlendMode(sdl, SDL_BLENDMODE_BLEND);
    r->lp = labelplace_create();
    return r;
fail:
    render_destroy(r);
    return NULL;
}

void render_destroy(Renderer *r)
{
    if (!r) {
        return;
    }
    textcache_destroy(r->tc);
    labelplace_destroy(r->lp);
    free(r->lab);
    free(r->verts);
    free(r->hits);
    free(r->mark_role);
    free(r->mark_tall);
    free(r);
}

size_t render_cached_texts(const Renderer *r)
{
    return textcache_size(r->tc);
}

void render_set_lesson(Renderer *r, const RenderLesson *ls)
{
    r->ls = ls ? *ls : (RenderLesson){ 0 };
}

TextCache *render_textcache(Renderer *r)
{
    return r->tc;
}

/* ---- colours ---- */

static SDL_Color sdlc(Rgba c)
{
    return (SDL_Color){ c.r, c.g, c.b, c.a };
}

static SDL_Color role(const Renderer *r, ColorRole cr)
{
    return sdlc(theme_color(r->theme, cr));
}

static SDL_Color alpha(SDL_Color c, uint8_t a)
{
    c.a = a;
    return c;
}

static SDL_Color mix(SDL_Color a, SDL_Color b, float k)
{
    return (SDL_Color){ (uint8_t)(a.r + (b.r - a.r) * k), (uint8_t)(a.g + (b.g - a.g) * k),
                        (uint8_t)(a.b + (b.b - a.b) * k), 255 };
}

static SDL_Color text_on(const Renderer *r, ColorRole cr)
{
    return sdlc(theme_text_on(r->theme, cr));
}

/* Role colours used as text on the panel background: the pale fills (yellow, sky blue) would
 * not read, so they are darkened in the light theme. */
static SDL_Color ink(const Renderer *r, ColorRole cr)
{
    SDL_Color c = role(r, cr);
    SDL_Color bg = role(r, CR_PANEL);
    Rgba a = { c.r, c.g, c.b, 255 }, b = { bg.r, bg.g, bg.b, 255 };
    for (int i = 0; i < 6 && theme_contrast(a, b) < 4.5; i++) {
        bool dark_bg = bg.r + bg.g + bg.b < 384;
        SDL_Color target = dark_bg ? (SDL_Color){ 255, 255, 255, 255 } : (SDL_Color){ 0, 0, 0, 255 };
        c = mix(c, target, 0.25f);
        a = (Rgba){ c.r, c.g, c.b, 255 };
    }
    return c;
}

static float S(const Renderer *r, float v)
{
    return v * r->s;
}

static int px(const Renderer *r, int base)
{
    int v = (int)lroundf((float)base * r->s);
    return v < 7 ? 7 : v;
}

/* ---- shapes (batched) ---- */

static void v_push(Renderer *r, float x, float y, SDL_Color c)
{
    if (r->nverts == r->cap) {
        r->verts = xgrow(r->verts, &r->cap, r->nverts + 1, sizeof *r->verts);
    }
    r->verts[r->nverts++] = (SDL_Vertex){ { x, y }, c, { 0, 0 } };
}

static void flush(Renderer *r)
{
    if (r->nverts > 0) {
        SDL_RenderGeometry(r->sdl, NULL, r->verts, (int)r->nverts, NULL, 0);
        r->nverts = 0;
    }
}

static void tri(Renderer *r, float x0, float y0, float x1, float y1, float x2, float y2, SDL_Color c)
{
    v_push(r, x0, y0, c);
    v_push(r, x1, y1, c);
    v_push(r, x2, y2, c);
}

static void quad(Renderer *r, float x0, float y0, float x1, float y1, float x2, float y2, float x3,
                 float y3, SDL_Color c)
{
    tri(r, x0, y0, x1, y1, x2, y2, c);
    tri(r, x0, y0, x2, y2, x3, y3, c);
}

/* Rectangles snap to whole pixels: adjacent shapes then share exact edges and the software
 * rasteriser leaves no hairline seams between them. */
static void rect(Renderer *r, float x, float y, float w, float h, SDL_Color c)
{
    float x0 = roundf(x), y0 = roundf(y), x1 = roundf(x + w), y1 = roundf(y + h);
    if (x1 <= x0 || y1 <= y0) {
        return;
    }
    quad(r, x0, y0, x1, y0, x1, y1, x0, y1, c);
}

static void hgradient(Renderer *r, float x, float y, float w, float h, SDL_Color a, SDL_Color b)
{
    v_push(r, x, y, a);
    v_push(r, x + w, y, b);
    v_push(r, x + w, y + h, b);
    v_push(r, x, y, a);
    v_push(r, x + w, y + h, b);
    v_push(r, x, y + h, a);
}

static void line(Renderer *r, float x0, float y0, float x1, float y1, float w, SDL_Color c)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f) {
        return;
    }
    float nx = -dy / len * w / 2, ny = dx / len * w / 2;
    quad(r, x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny, c);
}

static void fan(Renderer *r, float cx, float cy, float rad, float a0, float a1, int segs, SDL_Color c)
{
    for (int i = 0; i < segs; i++) {
        float t0 = a0 + (a1 - a0) * (float)i / (float)segs;
        float t1 = a0 + (a1 - a0) * (float)(i + 1) / (float)segs;
        tri(r, cx, cy, cx + cosf(t0) * rad, cy + sinf(t0) * rad, cx + cosf(t1) * rad,
            cy + sinf(t1) * rad, c);
    }
}

static void circle(Renderer *r, float cx, float cy, float rad, SDL_Color c)
{
    fan(r, cx, cy, rad, 0, 6.2831853f, rad > 12 ? 28 : 16, c);
}

static void ring(Renderer *r, float cx, float cy, float rad, float w, SDL_Color c)
{
    int segs = rad > 12 ? 36 : 20;
    for (int i = 0; i < segs; i++) {
        float t0 = 6.2831853f * (float)i / (float)segs, t1 = 6.2831853f * (float)(i + 1) / (float)segs;
        float ro = rad + w / 2, ri = rad - w / 2;
        quad(r, cx + cosf(t0) * ro, cy + sinf(t0) * ro, cx + cosf(t1) * ro, cy + sinf(t1) * ro,
             cx + cosf(t1) * ri, cy + sinf(t1) * ri, cx + cosf(t0) * ri, cy + sinf(t0) * ri, c);
    }
}

static void round_rect(Renderer *r, float x, float y, float w, float h, float rad, SDL_Color c)
{
    if (w <= 0 || h <= 0) {
        return;
    }
    float x1 = roundf(x + w), y1 = roundf(y + h);
    x = roundf(x);
    y = roundf(y);
    w = x1 - x;
    h = y1 - y;
    rad = roundf(fminf(rad, fminf(w, h) / 2));
    if (rad < 0.75f) {
        rect(r, x, y, w, h, c);
        return;
    }
    rect(r, x + rad, y, w - 2 * rad, h, c);
    rect(r, x, y + rad, rad, h - 2 * rad, c);
    rect(r, x + w - rad, y + rad, rad, h - 2 * rad, c);
    int segs = rad > 6 ? 6 : 3;
    fan(r, x + rad, y + rad, rad, 3.14159265f, 4.71238898f, segs, c);
    fan(r, x + w - rad, y + rad, rad, 4.71238898f, 6.2831853f, segs, c);
    fan(r, x + w - rad, y + h - rad, rad, 0, 1.57079633f, segs, c);
    fan(r, x + rad, y + h - rad, rad, 1.57079633f, 3.14159265f, segs, c);
}

/* A filled rounded box with a border of width bw. */
static void box(Renderer *r, float x, float y, float w, float h, float rad, SDL_Color fill,
                SDL_Color border, float bw)
{
    round_rect(r, x, y, w, h, rad, border);
    round_rect(r, x + bw, y + bw, w - 2 * bw, h - 2 * bw, fmaxf(rad - bw, 0), fill);
}

/* ---- text ---- */

static void text_size(Renderer *r, FontFace face, int size, const char *s, int *w, int *h)
{
    SDL_Texture *t = textcache_get(r->tc, face, size, s, 0, w, h);
    (void)t;
}

/* Draws text with its top-left (or top-centre / top-right) at (x, y). When max_w > 0 and the
 * text is wider, it is cut at max_w and faded into `bg`. Returns the height drawn. */
/* Says what the texts drawn next are for (for the recorded boxes). */
static void text_role(Renderer *r, FrameTextRole role, int32_t node, int32_t node2)
{
    r->trole = role;
    r->tnode = node;
    r->tnode2 = node2;
    r->tmeant = NULL;
}

static void record_text(Renderer *r, const char *s, SDL_FRect dst, int size, bool cut)
{
    if (!r->boxes) {
        return;
    }
    const char *meant = r->tmeant ? r->tmeant : s;
    FrameBox b = { meant, dst.x, dst.y, dst.w, dst.h, size, (uint8_t)r->trole,
                   cut || strcmp(meant, s) != 0, r->tnode, r->tnode2 };
    framebox_add(r->boxes, &b);
}

static float text_fit(Renderer *r, FontFace face, int size, const char *s, float x, float y,
                      SDL_Color c, Align al, float max_w, SDL_Color bg)
{
    int w, h;
    SDL_Texture *t = textcache_get(r->tc, face, size, s, 0, &w, &h);
    if (!t) {
        return 0;
    }
    flush(r);
    float dw = (float)w;
    bool cut = max_w > 0 && dw > max_w;
    if (cut) {
        dw = max_w;
    }
    float dx = al == AL_CENTER ? x - dw / 2 : al == AL_RIGHT ? x - dw : x;
    SDL_Rect src = { 0, 0, (int)dw, h };
    SDL_FRect dst = { roundf(dx), roundf(y), dw, (float)h };
    SDL_SetTextureColorMod(t, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(t, c.a);
    SDL_RenderCopyF(r->sdl, t, &src, &dst);
    record_text(r, s, dst, size, cut);
    if (cut) {
        float fw = fminf(S(r, 26), dw / 3);
        hgradient(r, dst.x + dw - fw, dst.y, fw, (float)h, alpha(bg, 0), alpha(bg, 255));
        flush(r);
    }
    return (float)h;
}

static float text(Renderer *r, FontFace face, int size, const char *s, float x, float y, SDL_Color c,
                  Align al)
{
    return text_fit(r, face, size, s, x, y, c, al, 0, c);
}

/* Wrapped text; returns its height. */
static float text_wrap(Renderer *r, FontFace face, int size, const char *s, float x, float y,
                       float wrap, SDL_Color c, bool draw)
{
    int w, h;
    SDL_Texture *t = textcache_get(r->tc, face, size, s, (int)wrap, &w, &h);
    if (!t) {
        return 0;
    }
    if (draw) {
        flush(r);
        SDL_FRect dst = { roundf(x), roundf(y), (float)w, (float)h };
        SDL_SetTextureColorMod(t, c.r, c.g, c.b);
        SDL_SetTextureAlphaMod(t, c.a);
        SDL_RenderCopyF(r->sdl, t, NULL, &dst);
        record_text(r, s, dst, size, false);
    }
    return (float)h;
}

static void clip(Renderer *r, LayoutRect rc)
{
    flush(r);
    SDL_Rect c = { (int)rc.x, (int)rc.y, (int)ceilf(rc.w), (int)ceilf(rc.h) };
    SDL_RenderSetClipRect(r->sdl, &c);
}

static void unclip(Renderer *r)
{
    flush(r);
    SDL_RenderSetClipRect(r->sdl, NULL);
}

/* ---- node icons (drawn in the tile, unit u = tile / 52) ---- */

static void icon_frame(Renderer *r, float x, float y, float w, float h, float t, SDL_Color c)
{
    rect(r, x, y, w, t, c);
    rect(r, x, y + h - t, w, t, c);
    rect(r, x, y, t, h, c);
    rect(r, x + w - t, y, t, h, c);
}

static void arrow_right(Renderer *r, float x0, float x1, float y, float t, float head, SDL_Color c)
{
    line(r, x0, y, x1 - head * 0.6f, y, t, c);
    tri(r, x1, y, x1 - head, y - head * 0.7f, x1 - head, y + head * 0.7f, c);
}

static void draw_icon(Renderer *r, NodeKind kind, LayoutRect tile, SDL_Color c, SDL_Color bg)
{
    float u = tile.w / 52.0f, x = tile.x, y = tile.y, t = fmaxf(2.2f * u, 1.5f);
    switch (kind) {
    case NODE_CLIENT:
        icon_frame(r, x + 12 * u, y + 12 * u, 28 * u, 20 * u, t, c);
        rect(r, x + 15 * u, y + 15 * u, 22 * u, 14 * u, alpha(c, 60));
        quad(r, x + 8 * u, y + 34 * u, x + 44 * u, y + 34 * u, x + 48 * u, y + 40 * u, x + 4 * u,
             y + 40 * u, c);
        break;
    case NODE_OUTGOING:
    case NODE_INCOMING: {
        float sx = kind == NODE_OUTGOING ? 8 * u : 16 * u;
        for (int k = 0; k < 2; k++) {
            float sy = y + (11 + 14 * (float)k) * u;
            round_rect(r, x + sx, y + (11 + 14 * (float)k) * u, 28 * u, 11 * u, 2 * u, c);
            circle(r, x + sx + 5 * u, sy + 5.5f * u, 1.8f * u, bg);
            rect(r, x + sx + 11 * u, sy + 4.5f * u, 13 * u, 2 * u, bg);
        }
        if (kind == NODE_OUTGOING) {
            arrow_right(r, x + 30 * u, x + 47 * u, y + 43 * u, t, 6 * u, c);
        } else {
            arrow_right(r, x + 5 * u, x + 22 * u, y + 43 * u, t, 6 * u, c);
        }
        break;
    }
    case NODE_RESOLVER: {
        float cx = x + 26 * u, cy = y + 26 * u, rad = 15 * u;
        ring(r, cx, cy, rad, t, c);
        line(r, cx - rad, cy, cx + rad, cy, t * 0.8f, c);
        line(r, cx, cy - rad, cx, cy + rad, t * 0.8f, c);
        for (int i = 0; i < 16; i++) { /* a meridian: an ellipse */
            float a0 = 6.2831853f * (float)i / 16, a1 = 6.2831853f * (float)(i + 1) / 16;
            line(r, cx + cosf(a0) * 7 * u, cy + sinf(a0) * rad, cx + cosf(a1) * 7 * u,
                 cy + sinf(a1) * rad, t * 0.8f, c);
        }
        break;
    }
    case NODE_FILTER:
        quad(r, x + 9 * u, y + 12 * u, x + 43 * u, y + 12 * u, x + 30 * u, y + 27 * u, x + 22 * u,
             y + 27 * u, c);
        rect(r, x + 22 * u, y + 26 * u, 8 * u, 12 * u, c);
        tri(r, x + 22 * u, y + 38 * u, x + 30 * u, y + 38 * u, x + 26 * u, y + 43 * u, c);
        break;
    case NODE_STORE:
        icon_frame(r, x + 11 * u, y + 10 * u, 30 * u, 32 * u, t, c);
        rect(r, x + 11 * u, y + 25 * u, 30 * u, t, c);
        rect(r, x + 21 * u, y + 16 * u, 10 * u, 3 * u, c);
        rect(r, x + 21 * u, y + 31 * u, 10 * u, 3 * u, c);
        break;
    case NODE_KIND_COUNT: break;
    }
}

/* ---- canvas ---- */

/* A token's path from fraction p0 to p1, w wide: one quad for a straight link; a curve is a
 * strip of POLY_STEPS quads whose neighbours share their edge (mitred: the pieces meet without
 * gaps or overlaps, so a translucent trail has no darker joints). Two triangles a piece: a
 * software renderer pays for every triangle, and links and trails are most of a frame. */
#define POLY_STEPS 20

static void polyline(Renderer *r, const ViewToken *t, float p0, float p1, float w, SDL_Color c)
{
    float mx = (t->x0 + t->x1) / 2, my = (t->y0 + t->y1) / 2;
    bool straight = fabsf(t->cx - mx) < 0.5f && fabsf(t->cy - my) < 0.5f;
    int steps = straight ? 1 : POLY_STEPS;
    float px[POLY_STEPS + 1], py[POLY_STEPS + 1];
    for (int k = 0; k <= steps; k++) {
        viewtoken_point(t, p0 + (p1 - p0) * (float)k / (float)steps, &px[k], &py[k]);
    }
    /* Each point's offset to the strip's left edge: the mean of its pieces' unit normals,
     * lengthened so the strip keeps width w where it bends (at most 2x, for sharp bends). */
    float ox[POLY_STEPS + 1], oy[POLY_STEPS + 1];
    for (int k = 0; k <= steps; k++) {
        float nx = 0, ny = 0;
        for (int j = k - 1; j <= k; j++) {
            if (j < 0 || j >= steps) {
                continue;
            }
            float dx = px[j + 1] - px[j], dy = py[j + 1] - py[j], len = sqrtf(dx * dx + dy * dy);
            if (len > 1e-4f) {
                nx += -dy / len;
                ny += dx / len;
            }
        }
        float nlen = sqrtf(nx * nx + ny * ny);
        if (nlen < 1e-4f) {
            ox[k] = oy[k] = 0;
            continue;
        }
        float ux = nx / nlen, uy = ny / nlen;
        float cos_half = nlen / (k == 0 || k == steps ? 1.0f : 2.0f);
        float m = w / 2 / fmaxf(cos_half, 0.5f);
        ox[k] = ux * m;
        oy[k] = uy * m;
    }
    for (int k = 0; k < steps; k++) {
        quad(r, px[k] + ox[k], py[k] + oy[k], px[k + 1] + ox[k + 1], py[k + 1] + oy[k + 1],
             px[k + 1] - ox[k + 1], py[k + 1] - oy[k + 1], px[k] - ox[k], py[k] - oy[k], c);
    }
}

/* Beyond this many links a picture shows a web, not lines to follow: each link is drawn as one
 * thin straight line (a software renderer fills 40 triangles for every curved one, about 90 s of
 * CPU for a million links). */
#define RENDER_DETAILED_LINKS_MAX 5000

static void draw_links(Renderer *r, const RenderHud *h)
{
    SDL_Color c = role(r, CR_LINK);
    size_t count = layout_link_count(h->lay);
    if (count > RENDER_DETAILED_LINKS_MAX) {
        SDL_SetRenderDrawColor(r->sdl, c.r, c.g, c.b, c.a);
        for (size_t i = 0; i < count; i++) {
            int32_t a, b;
            layout_link(h->lay, i, &a, &b);
            LayoutRect ra = layout_node(h->lay, a), rb = layout_node(h->lay, b);
            SDL_RenderDrawLineF(r->sdl, ra.x + ra.w / 2, ra.y + ra.h / 2, rb.x + rb.w / 2,
                                rb.y + rb.h / 2);
        }
        return;
    }
    for (size_t i = 0; i < count; i++) {
        int32_t a, b;
        layout_link(h->lay, i, &a, &b);
        ViewToken path = { 0 };
        layout_link_curve(h->lay, a, b, &path.x0, &path.y0, &path.cx, &path.cy, &path.x1, &path.y1);
        polyline(r, &path, 0, 1, S(r, 3), c);
    }
}

static void draw_node_shapes(Renderer *r, const ViewState *vs, const RenderHud *h, int32_t i)
{
    const Trace *tr = traceindex_trace(h->ix);
    const TraceNode *n = trace_node(tr, i);
    const ViewNode *vn = &vs->nodes[i];
    LayoutRect t = layout_node(h->lay, i);
    SDL_Color kind = role(r, theme_kind_role(n->kind));
    SDL_Color panel = role(r, CR_NODE);
    SDL_Color fill = r->theme == THEME_HIGH_CONTRAST ? panel : mix(panel, kind, 0.13f);
    if (vn->down) {
        kind = role(r, CR_DOWN);
        fill = mix(panel, kind, 0.25f);
    }
    float rad = S(r, 9);
    if (vn->selected) {
        box(r, t.x - S(r, 7), t.y - S(r, 7), t.w + S(r, 14), t.h + S(r, 14), rad + S(r, 6),
            alpha(role(r, CR_SELECT), 0), role(r, CR_SELECT), S(r, 4));
    } else if (vn->active) {
        box(r, t.x - S(r, 5), t.y - S(r, 5), t.w + S(r, 10), t.h + S(r, 10), rad + S(r, 4),
            alpha(role(r, CR_NODE_ACTIVE), 0), role(r, CR_NODE_ACTIVE), S(r, 3));
    }
    box(r, t.x, t.y, t.w, t.h, rad, fill, kind, fmaxf(S(r, 2.5f), 1.5f));
    draw_icon(r, n->kind, t, kind, fill);
    if (vn->down) { /* a red bar across: out of service */
        line(r, t.x + S(r, 6), t.y + t.h - S(r, 6), t.x + t.w - S(r, 6), t.y + S(r, 6), S(r, 5),
             role(r, CR_SMTP_REJECT));
    }
}

/* A badge's lines: most have one; a broken domain's DNS at its resolver has two ("b.example DNS",
 * "⟳ SERVFAIL"). Writes the first into `first` and returns the second, or NULL. */
static const char *badge_lines(const char *text, char *first, size_t size)
{
    const char *nl = strchr(text, '\n');
    size_t len = nl ? (size_t)(nl - text) : strlen(text);
    len = len < size - 1 ? len : size - 1;
    memcpy(first, text, len);
    first[len] = '\0';
    return nl ? nl + 1 : NULL;
}

/* The widest line of a badge at `size`, and its line height. */
static void badge_text_size(Renderer *r, int size, const char *text, int *w, int *th)
{
    char first[256];
    const char *second = badge_lines(text, first, sizeof first);
    text_size(r, FACE_BOLD, size, first, w, th);
    if (second) {
        int w2, h2;
        text_size(r, FACE_BOLD, size, second, &w2, &h2);
        *w = w2 > *w ? w2 : *w;
    }
}

/* The room under a top-row node's label (a resolver's; the top row has no badge rows of its own):
 * down to the first tile, name or badge row of the columns below within its slot's width. Only
 * asked for a top-row node with badges (a domain's broken DNS), so the walk over nodes is rare. */
static float top_row_room(const Renderer *r, const RenderHud *h, int32_t i)
{
    LayoutRect lab = layout_node_label(h->lay, i), slot = layout_node_slot(h->lay, i);
    float top = lab.y + lab.h, bottom = layout_region(h->lay, REGION_CANVAS).y +
                                        layout_region(h->lay, REGION_CANVAS).h;
    float x0 = slot.x - S(r, 4), x1 = slot.x + slot.w + S(r, 4);
    for (size_t k = 0; k < layout_node_count(h->lay); k++) {
        int32_t j = (int32_t)k;
        if (layout_column(h->lay, j) == COL_TOP_ROW) {
            continue;
        }
        LayoutRect o = layout_node_slot(h->lay, j);
        if (o.x < x1 && o.x + o.w > x0 && o.y >= top && o.y < bottom) {
            bottom = o.y;
        }
    }
    return fmaxf(bottom - top - S(r, 6), 0);
}

/* Badge b of node i: its pill and its font size. Coloured pills under the label, as many as the
 * footprint has rows for (the top row: as many as fit above the columns below it).
 * A two-line badge takes two rows. Returns false when it is not shown. */
static bool badge_box(Renderer *r, const ViewState *vs, const RenderHud *h, int32_t i, int b,
                      LayoutRect *pill, int *size)
{
    const ViewNode *vn = &vs->nodes[i];
    LayoutRect lab = layout_node_label(h->lay, i), slot = layout_node_slot(h->lay, i);
    float row_h = S(r, LAYOUT_BADGE_ROW - 2), maxw = slot.w + S(r, 8);
    float room = slot.y + slot.h - lab.y - lab.h;
    if (layout_column(h->lay, i) == COL_TOP_ROW) {
        room = top_row_room(r, h, i);
    }
    int fit = (int)((room + S(r, 1)) / S(r, LAYOUT_BADGE_ROW));
    int row = 0;
    for (int k = 0; k < b && k < vn->badge_count; k++) {
        row += strchr(vn->badges[k].text, '\n') ? 2 : 1;
    }
    if (b >= vn->badge_count || row >= fit) {
        return false;
    }
    const ViewBadge *bd = &vn->badges[b];
    int rows = strchr(bd->text, '\n') ? 2 : 1;
    int w, th;
    *size = px(r, FS_BADGE);
    badge_text_size(r, *size, bd->text, &w, &th);
    /* Enlarged text that does not fit gives its enlargement back first: a smaller whole badge
     * reads better than a bigger cut one. */
    int least = (int)lroundf(FRAMEBOX_MIN_SMALL_PX * layout_base_scale(h->lay));
    least = least < 7 ? 7 : least;
    while ((float)w + S(r, 12) > maxw && *size > least) {
        (*size)--;
        badge_text_size(r, *size, bd->text, &w, &th);
    }
    float bw = fminf((float)w + S(r, 12), maxw);
    float bx = lab.x + lab.w / 2 - bw / 2;
    float by = lab.y + lab.h + S(r, 1) + (float)row * (row_h + S(r, 2));
    *pill = (LayoutRect){ bx, by, bw, (float)rows * row_h + (float)(rows - 1) * S(r, 2) };
    return true;
}

static void draw_badges(Renderer *r, const ViewState *vs, const RenderHud *h, int32_t i, bool shapes)
{
    const ViewNode *vn = &vs->nodes[i];
    LayoutRect pill = { 0 };
    int size, count = 0;
    float row_h = S(r, LAYOUT_BADGE_ROW - 2);
    for (int b = 0; badge_box(r, vs, h, i, b, &pill, &size); b++, count++) {
        const ViewBadge *bd = &vn->badges[b];
        if (shapes) {
            round_rect(r, pill.x, pill.y, pill.w, pill.h, row_h / 2, role(r, (ColorRole)bd->role));
            continue;
        }
        char first[256];
        const char *second = badge_lines(bd->text, first, sizeof first);
        int w, th;
        text_size(r, FACE_BOLD, size, first, &w, &th);
        text_role(r, FB_BADGE, i, -1);
        if (!second) {
            text_fit(r, FACE_BOLD, size, first, pill.x + S(r, 6), pill.y + (row_h - (float)th) / 2,
                     text_on(r, (ColorRole)bd->role), AL_LEFT, pill.w - S(r, 12),
                     role(r, (ColorRole)bd->role));
            continue;
        }
        /* Two lines, each centred in its row. */
        float cx = pill.x + pill.w / 2;
        text_fit(r, FACE_BOLD, size, first, cx, pill.y + (row_h - (float)th) / 2,
                 text_on(r, (ColorRole)bd->role), AL_CENTER, pill.w - S(r, 12),
                 role(r, (ColorRole)bd->role));
        text_role(r, FB_BADGE, i, -1);
        text_fit(r, FACE_BOLD, size, second, cx,
                 pill.y + row_h + S(r, 2) + (row_h - (float)th) / 2,
                 text_on(r, (ColorRole)bd->role), AL_CENTER, pill.w - S(r, 12),
                 role(r, (ColorRole)bd->role));
    }
    /* The filter's gauge: score against the threshold, under its badge. */
    LayoutRect lab = layout_node_label(h->lay, i);
    if (vn->has_verdict && shapes && count > 0 && layout_column(h->lay, i) != COL_TOP_ROW) {
        float gy = pill.y + pill.h + S(r, 3);
        float gw = fminf(lab.w, S(r, 120)), gx = lab.x + lab.w / 2 - gw / 2, gh = S(r, 7);
        double max = fmax(vn->required_milli * 2.0, vn->score_milli * 1.1);
        float k = max > 0 ? (float)(vn->score_milli / max) : 0;
        k = k < 0 ? 0 : k > 1 ? 1 : k;
        rect(r, gx, gy, gw, gh, role(r, CR_PANEL_ALT));
        rect(r, gx, gy, gw * k, gh, role(r, vn->verdict_spam ? CR_SPAM : CR_OK));
        float mx = gx + gw * (float)(vn->required_milli / max);
        rect(r, mx - S(r, 1.5f), gy - S(r, 3), S(r, 3), gh + S(r, 6), role(r, CR_TEXT));
    }
}

/* Where the name and the kind line of node i are drawn. */
static void node_text_boxes(Renderer *r, const RenderHud *h, int32_t i, LayoutRect *name,
                            LayoutRect *kind)
{
    LayoutRect lab = layout_node_label(h->lay, i);
    int w, th;
    text_size(r, FACE_BOLD, (int)lroundf(layout_name_px(h->lay)), layout_node_title(h->lay, i), &w,
              &th);
    float nw = fminf((float)w, lab.w);
    *name = (LayoutRect){ roundf(lab.x + lab.w / 2 - nw / 2), roundf(lab.y), nw, (float)th };
    *kind = (LayoutRect){ 0, 0, 0, 0 };
    if (lab.h > S(r, 30)) {
        const char *k = layout_node_kind_line(h->lay, i);
        int kw, kh;
        text_size(r, FACE_SANS, (int)lroundf(layout_kind_px(h->lay)), k, &kw, &kh);
        float w2 = fminf((float)kw, lab.w);
        *kind = (LayoutRect){ roundf(lab.x + lab.w / 2 - w2 / 2), roundf(lab.y + (float)th), w2,
                              (float)kh };
    }
}

/* A node's name and kind under its tile, at their fixed sizes: the layout made the room. */
static void draw_node_text(Renderer *r, const RenderHud *h, int32_t i)
{
    const Trace *tr = traceindex_trace(h->ix);
    const TraceNode *n = trace_node(tr, i);
    LayoutRect lab = layout_node_label(h->lay, i);
    SDL_Color bg = role(r, CR_BG);
    /* A plate of background behind the words: an envelope or a link passing under a name
     * does not make it unreadable (names are drawn above travelling tokens). */
    LayoutRect nb, kb;
    node_text_boxes(r, h, i, &nb, &kb);
    round_rect(r, nb.x - S(r, 3), nb.y, nb.w + S(r, 6), nb.h + kb.h, S(r, 4), bg);
    if (kb.w > nb.w) {
        round_rect(r, kb.x - S(r, 3), kb.y, kb.w + S(r, 6), kb.h, S(r, 4), bg);
    }
    flush(r);
    text_role(r, FB_NODE_NAME, i, -1);
    float y = lab.y + text_fit(r, FACE_BOLD, (int)lroundf(layout_name_px(h->lay)), layout_node_title(h->lay, i),
                               lab.x + lab.w / 2, lab.y, role(r, CR_TEXT), AL_CENTER, lab.w, bg);
    if (lab.h > S(r, 30)) {
        text_role(r, FB_NODE_KIND, i, -1);
        text_fit(r, FACE_SANS, (int)lroundf(layout_kind_px(h->lay)), layout_node_kind_line(h->lay, i),
                 lab.x + lab.w / 2,
                 y, ink(r, theme_kind_role(n->kind)), AL_CENTER, lab.w, bg);
    }
}

static void envelope(Renderer *r, float cx, float cy, float w, SDL_Color fill, SDL_Color edge)
{
    float h = w * 0.66f, x = cx - w / 2, y = cy - h / 2, t = fmaxf(w * 0.06f, 1.2f);
    rect(r, x - t, y - t, w + 2 * t, h + 2 * t, edge);
    rect(r, x, y, w, h, fill);
    line(r, x, y, cx, y + h * 0.58f, t, edge);
    line(r, x + w, y, cx, y + h * 0.58f, t, edge);
}

static SDL_Color envelope_edge(const Renderer *r)
{
    return r->theme == THEME_LIGHT ? (SDL_Color){ 40, 40, 40, 255 } : (SDL_Color){ 20, 20, 20, 255 };
}

/* ---- token labels ----
 *
 * Every token's text sits in a box of its own: a packet's pill, a refusal's raised label, the id
 * beside an envelope. Before anything is drawn, labelplace puts each box where it covers no other
 * text and no other node's tile (most important first: refusals, travelling envelopes, resting
 * ones, packets), so drawing only follows r->lab. */

typedef struct {
    FontFace face;
    int size;
    float wrap;        /* > 0: the text is wrapped at this width (a long refusal) */
    float tw, th;      /* the text's size */
    float pad_x, pad_y; /* the box around it */
} TokenText;

#define REFUSAL_WRAP_W 330 /* a refusal wider than this many px (scale 1) takes two lines */

static TokenText token_text(Renderer *r, const ViewToken *t)
{
    TokenText tt = { FACE_SANS, px(r, FS_TOKEN), 0, 0, 0, S(r, 6), S(r, 1.5f) };
    if (t->shape == TOKEN_ENVELOPE) {
        tt.face = FACE_BOLD;
        tt.size = px(r, FS_SMALL);
        tt.pad_x = S(r, 3);
        tt.pad_y = 0;
    } else if (t->flags & VT_REJECT) {
        tt.face = FACE_BOLD;
        tt.size = px(r, FS_REJECT);
        tt.pad_x = S(r, 10);
        tt.pad_y = S(r, 4);
    }
    int w, h;
    text_size(r, tt.face, tt.size, t->label, &w, &h);
    if ((t->flags & VT_REJECT) && (float)w > S(r, REFUSAL_WRAP_W)) {
        tt.wrap = S(r, REFUSAL_WRAP_W);
        float wh = text_wrap(r, tt.face, tt.size, t->label, 0, 0, tt.wrap, role(r, CR_TEXT), false);
        SDL_Texture *tex = textcache_get(r->tc, tt.face, tt.size, t->label, (int)tt.wrap, &w, &h);
        (void)tex;
        h = (int)wh;
    }
    tt.tw = (float)w;
    tt.th = (float)h;
    return tt;
}

static int token_rank(const ViewToken *t)
{
    return (t->flags & VT_REJECT) ? 0 : t->shape == TOKEN_ENVELOPE ? ((t->flags & VT_RESTING) ? 2 : 1) : 3;
}

static int token_preferred(Renderer *r, const ViewToken *t, float bw, float bh, LabelSpot *c);

/* After a token's preferred spots: a widening ring around (x, y), for crowded moments. */
static int ring_candidates(Renderer *r, float x, float y, float bw, float bh, LabelSpot *c, int n)
{
    for (int k = 1; k <= 5; k++) {
        float ox = bw / 2 + S(r, 10) + (float)(k - 1) * S(r, 24), oy = (float)k * (bh + S(r, 5));
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                if (dx != 0 || dy != 0) {
                    c[n++] = (LabelSpot){ x + (float)dx * ox - bw / 2, y + (float)dy * oy - bh / 2 };
                }
            }
        }
    }
    return n;
}

#define MAX_CANDIDATES 96

static int token_candidates(Renderer *r, const ViewToken *t, float bw, float bh, LabelSpot *c)
{
    int n = token_preferred(r, t, bw, bh, c);
    if (!(t->flags & VT_RESTING)) { /* along its own link, a little behind or ahead */
        static const float SLIDE[] = { -0.12f, 0.12f, -0.25f, 0.25f, -0.4f, 0.4f };
        for (size_t k = 0; k < sizeof SLIDE / sizeof SLIDE[0]; k++) {
            float p = t->progress + SLIDE[k], x, y;
            if (p > 0.02f && p < 0.98f) {
                viewtoken_point(t, p, &x, &y);
                c[n++] = (LabelSpot){ x - bw / 2, y - bh / 2 + ((t->flags & VT_REJECT) ? t->label_dy : 0) };
            }
        }
    }
    n = ring_candidates(r, t->x, t->y, bw, bh, c, n);
    for (int k = 1; k <= 12; k++) { /* last: small nudges up or down, for a tight corner */
        float dy = (float)((k + 1) / 2) * S(r, 4) * (k % 2 ? -1.0f : 1.0f);
        c[n++] = (LabelSpot){ t->x - bw / 2, t->y - bh / 2 + dy };
    }
    return n;
}

static int token_preferred(Renderer *r, const ViewToken *t, float bw, float bh, LabelSpot *c)
{
    int n = 0;
    float x = t->x, y = t->y;
    if (t->flags & VT_REJECT) {
        float up = t->label_dy != 0 ? -t->label_dy : S(r, 48), step = bh + S(r, 6);
        for (int k = 0; k < 4; k++) {
            c[n++] = (LabelSpot){ x - bw / 2, y - up - (float)k * step - bh / 2 };
        }
        for (int k = 0; k < 3; k++) {
            c[n++] = (LabelSpot){ x - bw / 2, y + up + (float)k * step - bh / 2 };
        }
        for (int k = 0; k < 3; k++) {
            c[n++] = (LabelSpot){ x - bw * 0.15f, y - up - (float)k * step - bh / 2 };
            c[n++] = (LabelSpot){ x - bw * 0.85f, y - up - (float)k * step - bh / 2 };
        }
        return n;
    }
    if (t->shape == TOKEN_ENVELOPE && (t->flags & VT_RESTING)) {
        c[n++] = (LabelSpot){ x + S(r, 16), y - bh / 2 };
        c[n++] = (LabelSpot){ x + S(r, 16), y - bh - S(r, 8) };
        c[n++] = (LabelSpot){ x - bw / 2, y - S(r, 12) - bh };
        c[n++] = (LabelSpot){ x + S(r, 16), y + S(r, 8) };
        return n;
    }
    if (t->shape == TOKEN_ENVELOPE) {
        c[n++] = (LabelSpot){ x - bw / 2, y + S(r, 13) };
        c[n++] = (LabelSpot){ x - bw / 2, y - S(r, 13) - bh };
        c[n++] = (LabelSpot){ x + S(r, 21), y - bh / 2 };
        c[n++] = (LabelSpot){ x - S(r, 21) - bw, y - bh / 2 };
        c[n++] = (LabelSpot){ x - bw / 2, y + S(r, 15) + bh };
        c[n++] = (LabelSpot){ x - bw / 2, y - S(r, 15) - 2 * bh };
        return n;
    }
    float step = bh + S(r, 3);
    c[n++] = (LabelSpot){ x - bw / 2, y - bh / 2 };
    for (int k = 1; k <= 3; k++) {
        c[n++] = (LabelSpot){ x - bw / 2, y - bh / 2 - (float)k * step };
        c[n++] = (LabelSpot){ x - bw / 2, y - bh / 2 + (float)k * step };
    }
    c[n++] = (LabelSpot){ x + S(r, 10), y - bh / 2 };
    c[n++] = (LabelSpot){ x - S(r, 10) - bw, y - bh / 2 };
    return n;
}

/* The nodes a token's label belongs to (it may lie on their tiles). */
static void token_owners(const Trace *tr, const ViewToken *t, int32_t *a, int32_t *b)
{
    *a = *b = -1;
    if (t->flags & VT_RESTING) {
        *a = t->node;
    } else if (t->event < trace_count(tr)) {
        *a = trace_events(tr)[t->event].from;
        *b = trace_events(tr)[t->event].to;
    }
}

static void place_labels(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    const Trace *tr = traceindex_trace(h->ix);
    if (vs->token_count > r->lab_cap) {
        r->lab = xgrow(r->lab, &r->lab_cap, vs->token_count, sizeof *r->lab);
    }
    labelplace_reset(r->lp, layout_region(h->lay, REGION_CANVAS));
    for (size_t i = 0; i < vs->node_count; i++) {
        int32_t n = (int32_t)i;
        labelplace_block(r->lp, layout_node(h->lay, n), n);
        LayoutRect name, kind, pill;
        node_text_boxes(r, h, n, &name, &kind);
        labelplace_block(r->lp, name, -1);
        labelplace_block(r->lp, kind, -1);
        int size;
        for (int b = 0; badge_box(r, vs, h, n, b, &pill, &size); b++) {
            labelplace_block(r->lp, pill, -1);
        }
    }
    /* Envelopes are shapes a label must not hide either. */
    for (size_t i = 0; i < vs->token_count; i++) {
        const ViewToken *t = &vs->tokens[i];
        if (t->shape == TOKEN_ENVELOPE) {
            float w = S(r, (t->flags & VT_RESTING) ? 24 : 32);
            LayoutRect env = { t->x - w / 2 - 1, t->y - w * 0.33f - 1, w + 2, w * 0.66f + 2 };
            labelplace_block(r->lp, env, (t->flags & VT_RESTING) ? t->node : -1);
        }
    }
    LabelSpot cand[MAX_CANDIDATES];
    for (int rank = 0; rank < 4; rank++) {
        for (size_t i = 0; i < vs->token_count; i++) {
            const ViewToken *t = &vs->tokens[i];
            if (token_rank(t) != rank) {
                continue;
            }
            r->lab[i] = (LayoutRect){ t->x, t->y, 0, 0 };
            if (!t->label[0]) {
                continue;
            }
            TokenText tt = token_text(r, t);
            float bw = tt.tw + 2 * tt.pad_x, bh = tt.th + 2 * tt.pad_y;
            int n = token_candidates(r, t, bw, bh, cand);
            int32_t a, b;
            token_owners(tr, t, &a, &b);
            labelplace_put(r->lp, cand, n, bw, bh, a, b, &r->lab[i]);
        }
    }
}

/* A refusal's mark on the link: permanent is a filled disc with a cross, temporary a hollow
 * ring with an arrowhead (⟳) — they differ in shape, not only in hue. */
static void refusal_mark(Renderer *r, const ViewToken *t, SDL_Color c)
{
    SDL_Color ink_c = role(r, CR_TEXT), bg = role(r, CR_BG);
    float rad = S(r, 9);
    if (t->flags & VT_TEMPORARY) {
        circle(r, t->x, t->y, rad + S(r, 2), ink_c);
        circle(r, t->x, t->y, rad, c);
        circle(r, t->x, t->y, rad - S(r, 4), bg);
        tri(r, t->x + rad * 0.2f, t->y - rad - S(r, 5), t->x + rad * 0.2f, t->y - rad + S(r, 5),
            t->x + rad + S(r, 3), t->y - rad, ink_c);
        return;
    }
    circle(r, t->x, t->y, rad + S(r, 2), ink_c);
    circle(r, t->x, t->y, rad, c);
    float k = rad * 0.55f;
    line(r, t->x - k, t->y - k, t->x + k, t->y + k, S(r, 3), ink_c);
    line(r, t->x - k, t->y + k, t->x + k, t->y - k, S(r, 3), ink_c);
}

/* A dashed outline around rectangle b: the temporary refusal's label. */
static void dashed_box(Renderer *r, LayoutRect b, float t, SDL_Color c)
{
    float dash = S(r, 7), gap = S(r, 5);
    for (float x = b.x; x < b.x + b.w; x += dash + gap) {
        float w = fminf(dash, b.x + b.w - x);
        rect(r, x, b.y, w, t, c);
        rect(r, x, b.y + b.h - t, w, t, c);
    }
    for (float y = b.y; y < b.y + b.h; y += dash + gap) {
        float hh = fminf(dash, b.y + b.h - y);
        rect(r, b.x, y, t, hh, c);
        rect(r, b.x + b.w - t, y, t, hh, c);
    }
}

static void draw_token_shapes(Renderer *r, const ViewToken *t, LayoutRect lab)
{
    SDL_Color c = role(r, (ColorRole)t->role);
    bool travelling = !(t->flags & VT_RESTING);
    if (travelling && !(t->flags & VT_GROUP)) {
        polyline(r, t, 0, t->progress, S(r, t->shape == TOKEN_ENVELOPE ? 4 : 3), alpha(c, 150));
        circle(r, t->x0, t->y0, S(r, 3), alpha(c, 150));
    }
    bool selected = (t->flags & VT_SELECTED) != 0;
    if (t->shape == TOKEN_ENVELOPE) {
        float w = S(r, (t->flags & VT_RESTING) ? 24 : 32);
        if (selected) {
            round_rect(r, t->x - w / 2 - S(r, 6), t->y - w * 0.33f - S(r, 6), w + S(r, 12),
                       w * 0.66f + S(r, 12), S(r, 6), role(r, CR_SELECT));
        }
        envelope(r, t->x, t->y, w, c, envelope_edge(r));
        return;
    }
    if (lab.w <= 0) {
        return;
    }
    float lcx = lab.x + lab.w / 2, lcy = lab.y + lab.h / 2;
    bool moved = fabsf(lcx - t->x) > 1 || fabsf(lcy - t->y) > 1;
    if (t->flags & VT_REJECT) {
        /* The mark on the link, a leader to the label's nearer edge. */
        float ey = lcy < t->y ? lab.y + lab.h : lab.y;
        float ex = fminf(fmaxf(t->x, lab.x + S(r, 12)), lab.x + lab.w - S(r, 12));
        if (selected) {
            circle(r, t->x, t->y, S(r, 15), role(r, CR_SELECT));
            round_rect(r, lab.x - S(r, 5), lab.y - S(r, 5), lab.w + S(r, 10), lab.h + S(r, 10),
                       S(r, 10), role(r, CR_SELECT));
        }
        line(r, t->x, t->y, ex, ey, S(r, 3), role(r, CR_TEXT));
        refusal_mark(r, t, c);
        round_rect(r, lab.x + S(r, 2), lab.y + S(r, 3), lab.w, lab.h, S(r, 8), (SDL_Color){ 0, 0, 0, 70 });
        if (t->flags & VT_TEMPORARY) {
            round_rect(r, lab.x, lab.y, lab.w, lab.h, S(r, 3), c);
            dashed_box(r, lab, S(r, 3), role(r, CR_TEXT));
        } else {
            box(r, lab.x, lab.y, lab.w, lab.h, fminf(lab.h / 2, S(r, 14)), c, role(r, CR_TEXT),
                S(r, 3));
        }
        return;
    }
    if (moved) { /* a label moved off its packet keeps a thread to where the packet is */
        line(r, t->x, t->y, lcx, lcy, S(r, 1.5f), alpha(c, 200));
        circle(r, t->x, t->y, S(r, 4), c);
    }
    if (selected) {
        round_rect(r, lab.x - S(r, 4), lab.y - S(r, 4), lab.w + S(r, 8), lab.h + S(r, 8),
                   S(r, 9), role(r, CR_SELECT));
    }
    round_rect(r, lab.x, lab.y, lab.w, lab.h, S(r, 6), c);
}

/* Whose a token's text is: a resting envelope's node; a travelling token's two ends. */
static void token_text_role(Renderer *r, const Trace *tr, const ViewToken *t)
{
    FrameTextRole role = t->shape == TOKEN_ENVELOPE ? FB_ENVELOPE
                         : (t->flags & VT_REJECT)   ? FB_REFUSAL
                                                    : FB_PACKET;
    int32_t a, b;
    token_owners(tr, t, &a, &b);
    text_role(r, role, a, b);
}

static void draw_token_text(Renderer *r, const Trace *tr, const ViewToken *t, LayoutRect lab)
{
    if (!t->label[0] || lab.w <= 0) {
        return;
    }
    token_text_role(r, tr, t);
    TokenText tt = token_text(r, t);
    if (t->shape == TOKEN_ENVELOPE) {
        flush(r);
        round_rect(r, lab.x, lab.y, lab.w, lab.h, S(r, 4), alpha(role(r, CR_BG), 225));
        text(r, tt.face, tt.size, t->label, lab.x + tt.pad_x, lab.y + tt.pad_y, role(r, CR_TEXT),
             AL_LEFT);
        return;
    }
    SDL_Color tc = text_on(r, (ColorRole)t->role);
    if (tt.wrap > 0) {
        text_wrap(r, tt.face, tt.size, t->label, lab.x + tt.pad_x, lab.y + tt.pad_y, tt.wrap, tc,
                  true);
        return;
    }
    text(r, tt.face, tt.size, t->label, lab.x + tt.pad_x, lab.y + tt.pad_y, tc, AL_LEFT);
}

static void draw_canvas(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    LayoutRect c = layout_region(h->lay, REGION_CANVAS);
    rect(r, c.x, c.y, c.w, c.h, role(r, CR_BG));
    clip(r, c);
    draw_links(r, h);
    for (size_t i = 0; i < vs->node_count; i++) {
        draw_node_shapes(r, vs, h, (int32_t)i);
        draw_badges(r, vs, h, (int32_t)i, true);
    }
    flush(r);
    place_labels(r, vs, h);
    /* Resting envelopes, then travelling tokens; names and badges above them; then the tokens'
     * labels; refusals on top of everything. */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < vs->token_count; i++) {
            const ViewToken *t = &vs->tokens[i];
            int want = (t->flags & VT_RESTING) ? 0 : (t->flags & VT_REJECT) ? 2 : 1;
            if (want == pass) {
                draw_token_shapes(r, t, r->lab[i]);
            }
        }
        flush(r);
        if (pass == 1) {
            /* The top row's badges hang across the links below it: their pills go over the
             * packets and trails travelling there. */
            for (size_t i = 0; i < vs->node_count; i++) {
                if (layout_column(h->lay, (int32_t)i) == COL_TOP_ROW) {
                    draw_badges(r, vs, h, (int32_t)i, true);
                }
            }
            flush(r);
            for (size_t i = 0; i < vs->node_count; i++) {
                draw_node_text(r, h, (int32_t)i);
                draw_badges(r, vs, h, (int32_t)i, false);
            }
            for (size_t i = 0; i < vs->token_count; i++) {
                if (!(vs->tokens[i].flags & VT_REJECT)) {
                    draw_token_text(r, traceindex_trace(h->ix), &vs->tokens[i], r->lab[i]);
                }
            }
        }
        for (size_t i = 0; i < vs->token_count && pass == 2; i++) {
            if (vs->tokens[i].flags & VT_REJECT) {
                draw_token_text(r, traceindex_trace(h->ix), &vs->tokens[i], r->lab[i]);
            }
        }
    }
    unclip(r);
}

/* ---- bars and panels ---- */

static void draw_topbar(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    text_role(r, FB_TITLE, -1, -1);
    LayoutRect b = layout_region(h->lay, REGION_TOPBAR);
    rect(r, b.x, b.y, b.w, b.h, role(r, CR_PANEL_ALT));
    rect(r, b.x, b.y + b.h - S(r, 1), b.w, S(r, 1), role(r, CR_BORDER));
    float x = b.x + S(r, 14), mid = b.y + b.h / 2;
    bool playing = h->pb && h->pb->playing;
    SDL_Color tc = role(r, CR_TEXT);
    /* Play / pause glyph, drawn as shapes so it never depends on the font. */
    float g = S(r, 16);
    if (playing) {
        rect(r, x, mid - g / 2, g * 0.35f, g, tc);
        rect(r, x + g * 0.6f, mid - g / 2, g * 0.35f, g, tc);
    } else {
        tri(r, x, mid - g / 2, x + g * 0.9f, mid, x, mid + g / 2, tc);
    }
    x += g + S(r, 12);
    char clock[48], speed[48], line2[160];
    fmt_clock(vs->t_us, clock, sizeof clock);
    int w, th;
    text_size(r, FACE_MONO, px(r, FS_CLOCK), clock, &w, &th);
    text(r, FACE_MONO, px(r, FS_CLOCK), clock, x, mid - (float)th / 2, tc, AL_LEFT);
    x += (float)w + S(r, 16);
    if (h->pb) {
        playback_speed_text(h->pb->speed, speed, sizeof speed);
        text_size(r, FACE_BOLD, px(r, FS_TITLE), speed, &w, &th);
        text(r, FACE_BOLD, px(r, FS_TITLE), speed, x, mid - (float)th / 2, tc, AL_LEFT);
        x += (float)w + S(r, 10);
        line2[0] = '\0';
        if (h->pb->dwell_left_s > 0 && h->pb->playing) {
            snprintf(line2, sizeof line2, "reading pause");
        } else if (h->pb->playing && h->pb->effective_speed < h->pb->speed * 0.999) {
            char eff[32];
            snprintf(line2, sizeof line2, "slow motion %s",
                     playback_speed_text(h->pb->effective_speed, eff, sizeof eff));
        } else if (!h->pb->playing) {
            snprintf(line2, sizeof line2, "paused");
        }
        if (line2[0]) {
            text_size(r, FACE_SANS, px(r, FS_SMALL), line2, &w, &th);
            text(r, FACE_SANS, px(r, FS_SMALL), line2, x, mid - (float)th / 2, role(r, CR_TEXT_DIM),
                 AL_LEFT);
            x += (float)w + S(r, 16);
        }
    }
    const char *hint = "F1  keys";
    int hw;
    text_size(r, FACE_SANS, px(r, FS_SMALL), hint, &hw, &th);
    float right = b.x + b.w - S(r, 14);
    text(r, FACE_SANS, px(r, FS_SMALL), hint, right, mid - (float)th / 2, role(r, CR_TEXT_DIM), AL_RIGHT);
    right -= (float)hw + S(r, 20);
    const Trace *tr = traceindex_trace(h->ix);
    const char *title = trace_title(tr)[0] ? trace_title(tr) : trace_scenario(tr);
    text_size(r, FACE_BOLD, px(r, FS_TITLE), title, &w, &th);
    float avail = right - x;
    if (avail > S(r, 60)) {
        float tx = (float)w < avail ? right - (float)w : x;
        text_fit(r, FACE_BOLD, px(r, FS_TITLE), title, tx, mid - (float)th / 2, tc, AL_LEFT, avail,
                 role(r, CR_PANEL_ALT));
    }
}

static void draw_caption(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    text_role(r, FB_CAPTION, -1, -1);
    LayoutRect c = layout_region(h->lay, REGION_CAPTION);
    rect(r, c.x, c.y, c.w, c.h, role(r, CR_PANEL));
    rect(r, c.x, c.y, c.w, S(r, 1), role(r, CR_BORDER));
    ColorRole accent = vs->caption_role == CR_TEXT || vs->caption_role == CR_NEUTRAL ||
                               vs->caption_role == CR_MSG
                           ? CR_NODE_ACTIVE
                           : (ColorRole)vs->caption_role;
    rect(r, c.x, c.y + S(r, 1), S(r, 10), c.h - S(r, 1), role(r, accent));
    clip(r, c);
    float x = c.x + S(r, 26), wrap = c.w - S(r, 40);
    int size = px(r, vs->caption_is_narration ? FS_CAPTION - 2 : FS_CAPTION);
    FontFace face = FACE_SANS;
    SDL_Color col = role(r, CR_TEXT);
    /* Only the lines the bar holds are measured and drawn: a longer caption ends in "…" (the
     * whole text is the event's, in the log and the inspector). */
    bool cut = false;
    int lines = (int)((c.h - S(r, 8)) / (float)textcache_line_height(r->tc, face, size));
    const char *shown = textcache_fit_lines(r->tc, face, size, vs->caption, (int)wrap, lines, &cut);
    float th = cut ? INFINITY : text_wrap(r, face, size, shown, x, 0, wrap, col, false);
    if (th > c.h - S(r, 8)) { /* too long for two lines: a size smaller */
        size = px(r, FS_BODY + 2);
        lines = (int)((c.h - S(r, 4)) / (float)textcache_line_height(r->tc, face, size));
        shown = textcache_fit_lines(r->tc, face, size, vs->caption, (int)wrap, lines, &cut);
        th = text_wrap(r, face, size, shown, x, 0, wrap, col, false);
    }
    float y = c.y + fmaxf((c.h - th) / 2, S(r, 4));
    r->tmeant = cut ? vs->caption : NULL;
    text_wrap(r, face, size, shown, x, y, wrap, col, true);
    r->tmeant = NULL;
    unclip(r);
}

static void build_marks(Renderer *r, const RenderHud *h, int width)
{
    if (r->marks_ix == h->ix && r->marks_w == width && r->marks_lesson == r->ls.lesson &&
        (!r->ls.lesson || r->marks_shown == r->ls.ticks_shown)) {
        return;
    }
    r->marks_lesson = r->ls.lesson;
    r->marks_shown = r->ls.ticks_shown;
    free(r->mark_role);
    free(r->mark_tall);
    r->mark_role = xmalloc((size_t)width + 1);
    r->mark_tall = xcalloc((size_t)width + 1, 1);
    memset(r->mark_role, 255, (size_t)width + 1);
    r->marks_ix = h->ix;
    r->marks_w = width;
    const Trace *tr = traceindex_trace(h->ix);
    const TraceEvent *ev = trace_events(tr);
    /* Per column: the most alarming notable event wins (refusal > deferral > spam > ok). */
    static const int RANK[CR_COUNT] = { [CR_SMTP_REJECT] = 6, [CR_SMTP_DEFER] = 5, [CR_SPAM] = 4,
                                        [CR_OK] = 3, [CR_FETCH] = 2, [CR_MSG] = 2 };
    for (size_t i = 0; i < trace_count(tr); i++) {
        int col = (int)(timeaxis_frac(h->axis, ev[i].t_us) * (width - 1) + 0.5);
        bool tall = view_event_notable(tr, (uint32_t)i);
        ColorRole cr = tall ? view_event_role(tr, (uint32_t)i) : CR_NEUTRAL;
        if (r->ls.lesson) { /* the future stays neutral: nothing to guess from */
            cr = lesson_tick_role(tr, r->ls.ticks_shown, (uint32_t)i, &tall);
        }
        uint8_t cur = r->mark_role[col];
        if (cur == 255 || RANK[cr] > RANK[cur]) {
            r->mark_role[col] = (uint8_t)cr;
        }
        r->mark_tall[col] |= tall;
    }
}

/* Every squeezed wait's real length: over its dotted stretch when it fits ("9 min 56 s"), else
 * abbreviated ("10 min"); where two would meet, the second goes under the strip, between the
 * start and end times. A label that has no room in either row is left out. */
static void draw_gap_lengths(Renderer *r, const RenderHud *h, LayoutRect bar, int64_t t_us)
{
    int size = px(r, FS_SMALL - 1);
    float base = bar.y + bar.h, sep = S(r, 8);
    float row_y[2] = { bar.y - S(r, 1), base + S(r, 1) };
    float row_end[2] = { bar.x - sep, bar.x - sep };
    /* Row 1 holds the start and end times at its ends. */
    char a[48], b[48];
    int aw, bw, th;
    fmt_duration(timeaxis_start(h->axis), a, sizeof a);
    fmt_duration(timeaxis_end(h->axis), b, sizeof b);
    text_size(r, FACE_SANS, size, timeaxis_start(h->axis) == 0 ? "0 s" : a, &aw, &th);
    text_size(r, FACE_SANS, size, b, &bw, &th);
    row_end[1] = bar.x + (float)aw;
    float row1_limit = bar.x + bar.w - (float)bw - sep;
    char dur[48];
    for (size_t i = 0; i < timeaxis_segment_count(h->axis); i++) {
        const AxisSegment *sg = timeaxis_segment(h->axis, i);
        if (!sg->gap || (r->ls.lesson && sg->start_us > t_us)) {
            continue; /* in a lesson a wait to come is not told: its length gives the answer away */
        }
        float x0 = bar.x + (float)sg->frac0 * bar.w, x1 = bar.x + (float)sg->frac1 * bar.w;
        int64_t len = sg->end_us - sg->start_us;
        int w;
        timeaxis_gap_text(len, false, dur, sizeof dur);
        text_size(r, FACE_SANS, size, dur, &w, &th);
        if ((float)w > x1 - x0) {
            timeaxis_gap_text(len, true, dur, sizeof dur);
            text_size(r, FACE_SANS, size, dur, &w, &th);
        }
        float lx = fminf(fmaxf((x0 + x1) / 2 - (float)w / 2, bar.x), bar.x + bar.w - (float)w);
        for (int row = 0; row < 2; row++) {
            float limit = row == 1 ? row1_limit : bar.x + bar.w;
            if (lx >= row_end[row] + sep && lx + (float)w <= limit) {
                float ty = row == 0 ? row_y[0] - (float)th * 0.35f : row_y[1];
                text(r, FACE_SANS, size, dur, lx, ty, role(r, CR_TEXT), AL_LEFT);
                row_end[row] = lx + (float)w;
                break;
            }
        }
    }
}

static void draw_timeline(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    text_role(r, FB_TIMELINE, -1, -1);
    LayoutRect tl = layout_region(h->lay, REGION_TIMELINE);
    rect(r, tl.x, tl.y, tl.w, tl.h, role(r, CR_PANEL_ALT));
    rect(r, tl.x, tl.y, tl.w, S(r, 1), role(r, CR_BORDER));
    LayoutRect bar = layout_timeline_bar(h->lay);
    int width = (int)bar.w;
    if (width < 2 || !h->axis) {
        return;
    }
    build_marks(r, h, width);
    float base = bar.y + bar.h;
    rect(r, bar.x, base - S(r, 2), bar.w, S(r, 2), role(r, CR_BORDER));
    /* Squeezed gaps: a dotted stretch (wider for a longer wait) with its real length. */
    for (size_t i = 0; i < timeaxis_segment_count(h->axis); i++) {
        const AxisSegment *sg = timeaxis_segment(h->axis, i);
        if (!sg->gap || (r->ls.lesson && sg->start_us > vs->t_us)) {
            continue; /* in a lesson a wait to come is not told: its length gives the answer away */
        }
        float x0 = bar.x + (float)sg->frac0 * bar.w, x1 = bar.x + (float)sg->frac1 * bar.w;
        for (float x = x0 + S(r, 2); x < x1 - S(r, 2); x += S(r, 6)) {
            rect(r, x, base - S(r, 9), S(r, 3), S(r, 3), role(r, CR_TEXT_DIM));
        }
    }
    draw_gap_lengths(r, h, bar, vs->t_us);
    for (int x = 0; x < width; x++) {
        if (r->mark_role[x] == 255) {
            continue;
        }
        float mh = r->mark_tall[x] ? bar.h * 0.75f : bar.h * 0.3f;
        rect(r, bar.x + (float)x, base - mh, fmaxf(S(r, 2), 1.5f), mh, ink(r, (ColorRole)r->mark_role[x]));
    }
    float cx = bar.x + (float)timeaxis_frac(h->axis, vs->t_us) * bar.w;
    SDL_Color cur = role(r, CR_TEXT);
    rect(r, cx - S(r, 1.5f), bar.y - S(r, 2), S(r, 3), bar.h + S(r, 4), cur);
    tri(r, cx - S(r, 7), bar.y - S(r, 4), cx + S(r, 7), bar.y - S(r, 4), cx, bar.y + S(r, 5), cur);
    /* Start and end times under the strip. */
    char a[48], b[48];
    fmt_duration(timeaxis_start(h->axis), a, sizeof a);
    fmt_duration(timeaxis_end(h->axis), b, sizeof b);
    float ly = base + S(r, 1);
    text(r, FACE_SANS, px(r, FS_SMALL - 1), timeaxis_start(h->axis) == 0 ? "0 s" : a, bar.x, ly,
         role(r, CR_TEXT_DIM), AL_LEFT);
    /* (the gap lengths in draw_gap_lengths keep clear of these two) */
    text(r, FACE_SANS, px(r, FS_SMALL - 1), b, bar.x + bar.w, ly, role(r, CR_TEXT_DIM), AL_RIGHT);
}

static void panel_header(Renderer *r, LayoutRect p, const char *title, const char *right)
{
    float hh = S(r, 30);
    rect(r, p.x, p.y, p.w, hh, role(r, CR_PANEL_ALT));
    rect(r, p.x, p.y + hh - S(r, 1), p.w, S(r, 1), role(r, CR_BORDER));
    int w, th;
    text_size(r, FACE_BOLD, px(r, FS_BODY), title, &w, &th);
    text(r, FACE_BOLD, px(r, FS_BODY), title, p.x + S(r, 12), p.y + (hh - (float)th) / 2,
         role(r, CR_TEXT), AL_LEFT);
    if (right && right[0]) {
        int rw, rh;
        text_size(r, FACE_SANS, px(r, FS_SMALL), right, &rw, &rh);
        text_fit(r, FACE_SANS, px(r, FS_SMALL), right, p.x + p.w - S(r, 12), p.y + (hh - (float)rh) / 2,
                 role(r, CR_TEXT_DIM), AL_RIGHT, p.w - (float)w - S(r, 40), role(r, CR_PANEL_ALT));
    }
}

/* "smtp.a.example → mx.b.example" -> "smtp.a → mx.b": each host name cut after its second
 * label, enough to tell nodes apart in a lesson. */
static void short_route(const char *route, char *out, size_t size)
{
    size_t n = 0;
    int dots = 0;
    bool skipping = false;
    for (const char *p = route; *p && n + 1 < size; p++) {
        if (*p == ' ') {
            dots = 0;
            skipping = false;
        } else if (*p == '.' && ++dots == 2) {
            skipping = true;
        }
        if (!skipping) {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

static void draw_log(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    text_role(r, FB_LOG, -1, -1);
    LayoutRect p = layout_region(h->lay, REGION_LOG);
    if (p.w <= 0 || p.h <= 0) {
        return;
    }
    const Trace *tr = traceindex_trace(h->ix);
    int64_t total = (int64_t)trace_count(tr);
    int64_t cur = vs->current == UINT32_MAX ? -1 : (int64_t)vs->current;
    /* Filtered (or lesson mode): row k shows event r->ls.log_rows[k]. */
    LogRows filtered = { (uint32_t *)r->ls.log_rows, r->ls.log_row_count, r->ls.log_row_count };
    if (r->ls.log_rows) {
        total = (int64_t)r->ls.log_row_count;
        cur = logrows_position(&filtered, vs->current);
    }
    rect(r, p.x, p.y, p.w, p.h, role(r, CR_PANEL));
    rect(r, p.x, p.y, S(r, 1), p.h, role(r, CR_BORDER));
    char count[64];
    snprintf(count, sizeof count, "%lld of %lld", (long long)(cur + 1), (long long)total);
    panel_header(r, p, r->ls.log_title ? r->ls.log_title : "Event log", count);
    clip(r, (LayoutRect){ p.x + S(r, 1), p.y + S(r, 30), p.w - S(r, 1), p.h - S(r, 30) });
    int64_t first = layout_log_first_row(h->lay, cur, total);
    int rows = layout_log_rows(h->lay);
    float rh = layout_log_row_height(h->lay), y = p.y + S(r, 30);
    const TraceEvent *ev = trace_events(tr);
    char line[2048], clock[48];
    for (int64_t k = first; k < total && k < first + rows + 1; k++, y += rh) {
        bool is_cur = k == cur, future = k > cur;
        int64_t i = r->ls.log_rows ? (int64_t)r->ls.log_rows[k] : k;
        SDL_Color bg = is_cur ? role(r, CR_CURRENT_ROW) : role(r, CR_PANEL);
        if (is_cur) {
            rect(r, p.x + S(r, 1), y, p.w - S(r, 1), rh, bg);
        }
        ColorRole cr = view_event_role(tr, (uint32_t)i);
        rect(r, p.x + S(r, 8), y + rh * 0.25f, S(r, 5), rh * 0.5f, role(r, cr));
        fmt_clock(ev[i].t_us, clock, sizeof clock);
        const char *shown = clock + 3; /* mm:ss.mmm; hours are rare in a lesson */
        if (ev[i].t_us >= INT64_C(3600000000)) {
            shown = clock;
        }
        int cw, chh;
        text_size(r, FACE_MONO, px(r, FS_SMALL), shown, &cw, &chh);
        SDL_Color tc = future ? role(r, CR_TEXT_DIM) : role(r, CR_TEXT);
        text(r, FACE_MONO, px(r, FS_SMALL), shown, p.x + S(r, 18), y + (rh - (float)chh) / 2,
             role(r, CR_TEXT_DIM), AL_LEFT);
        narrate_event(tr, (uint32_t)i, line, sizeof line);
        char *nl = strchr(line, '\n');
        if (nl) {
            strcpy(nl, " \u2026");
        }
        /* "route  payload": the payload is what matters, the route goes after it, shortened. */
        char route[256] = "";
        const char *payload = line;
        char *gap = strstr(line, "  ");
        if (gap && gap - line < 120) {
            *gap = '\0';
            payload = gap + 2;
            /* The route in the canvas's names, so the log and the canvas call a node alike. */
            char titles[256];
            int32_t from = ev[i].from, to = ev[i].to;
            if (from >= 0 && (size_t)from < trace_node_count(tr)) {
                bool both = to >= 0 && (size_t)to < trace_node_count(tr) && to != from &&
                            strstr(line, "\u2192") != NULL;
                snprintf(titles, sizeof titles, "%s%s%s", layout_node_title(h->lay, from),
                         both ? " \u2192 " : "", both ? layout_node_title(h->lay, to) : "");
                short_route(titles, route, sizeof route);
            } else {
                short_route(line, route, sizeof route);
            }
        }
        float tx = p.x + S(r, 24) + (float)cw, right = p.x + p.w - S(r, 8);
        FontFace face = FACE_SANS;
        int size = px(r, FS_BODY - 1), lw, lh, rw = 0, rhh;
        text_size(r, face, size, payload, &lw, &lh);
        if (route[0]) {
            text_size(r, FACE_SANS, px(r, FS_SMALL - 1), route, &rw, &rhh);
            if ((float)rw > (right - tx) * 0.45f) {
                rw = 0;
            }
        }
        float pw = fminf((float)lw, right - tx - (rw ? (float)rw + S(r, 10) : 0));
        text_fit(r, face, size, payload, tx, y + (rh - (float)lh) / 2, tc, AL_LEFT, pw, bg);
        if (rw) {
            text(r, FACE_SANS, px(r, FS_SMALL - 1), route, right, y + (rh - (float)rhh) / 2,
                 role(r, CR_TEXT_DIM), AL_RIGHT);
        }
    }
    unclip(r);
}

static float draw_inspect_line(Renderer *r, const InspectLine *l, float x, float y, float w, bool draw)
{
    float s6 = S(r, 6);
    switch ((InspectStyle)l->style) {
    case IL_TITLE:
        return text_wrap(r, FACE_BOLD, px(r, FS_TITLE), l->text, x, y, w, ink(r, (ColorRole)l->role),
                         draw) + s6;
    case IL_HEADING: {
        if (draw) {
            rect(r, x, y + S(r, 6), w, S(r, 1), role(r, CR_BORDER));
        }
        return text_wrap(r, FACE_BOLD, px(r, FS_BODY - 1), l->text, x, y + S(r, 10), w,
                         role(r, CR_TEXT_DIM), draw) + S(r, 12);
    }
    case IL_TEXT:
        return text_wrap(r, l->strong ? FACE_BOLD : FACE_SANS, px(r, FS_BODY - 1), l->text, x, y, w,
                         ink(r, (ColorRole)l->role), draw) + S(r, 3);
    case IL_MONO: {
        if (l->strong && draw) {
            float hgt = text_wrap(r, FACE_MONO, px(r, FS_MONO - 1), l->text, x + S(r, 8), y, w - S(r, 8),
                                  role(r, CR_TEXT), false);
            rect(r, x, y, S(r, 4), hgt, role(r, CR_SELECT));
        }
        return text_wrap(r, FACE_MONO, px(r, FS_MONO - 1), l->text, x + S(r, 8), y, w - S(r, 8),
                         ink(r, (ColorRole)l->role), draw) + S(r, 2);
    }
    case IL_BAR: {
        float barw = w * 0.35f, tw = w - barw - S(r, 8);
        float hgt = text_wrap(r, FACE_MONO, px(r, FS_MONO - 1), l->text, x + S(r, 8), y, tw,
                              ink(r, (ColorRole)l->role), draw);
        if (draw && l->max > 0) {
            float k = (float)(fabs(l->value) / l->max);
            float bx = x + w - barw, bh = S(r, 10), by = y + (hgt - bh) / 2;
            rect(r, bx, by, barw, bh, role(r, CR_PANEL_ALT));
            rect(r, bx, by, barw * fminf(k, 1), bh, role(r, (ColorRole)l->role));
        }
        return hgt + S(r, 2);
    }
    case IL_GAUGE: {
        float hgt = text_wrap(r, FACE_BOLD, px(r, FS_BODY - 1), l->text, x, y, w,
                              ink(r, (ColorRole)l->role), draw);
        float gh = S(r, 12), gy = y + hgt + S(r, 3);
        if (draw) {
            double max = fmax(l->max * 2, l->value * 1.1);
            float k = max > 0 ? (float)(l->value / max) : 0;
            k = k < 0 ? 0 : k > 1 ? 1 : k;
            rect(r, x, gy, w, gh, role(r, CR_PANEL_ALT));
            rect(r, x, gy, w * k, gh, role(r, (ColorRole)l->role));
            float mx = x + w * (float)(l->max / max);
            rect(r, mx - S(r, 1.5f), gy - S(r, 4), S(r, 3), gh + S(r, 8), role(r, CR_TEXT));
        }
        return hgt + gh + S(r, 10);
    }
    }
    return 0;
}

static void draw_inspector(Renderer *r, const RenderHud *h)
{
    text_role(r, FB_INSPECTOR, -1, -1);
    LayoutRect p = layout_region(h->lay, REGION_INSPECTOR);
    r->nhits = 0;
    if (p.w <= 0 || p.h <= 0) {
        return;
    }
    rect(r, p.x, p.y, p.w, p.h, role(r, CR_PANEL));
    rect(r, p.x, p.y, S(r, 1), p.h, role(r, CR_BORDER));
    panel_header(r, p, "Inspector", h->inspector_title);
    LayoutRect body = { p.x + S(r, 1), p.y + S(r, 30), p.w - S(r, 1), p.h - S(r, 30) };
    clip(r, body);
    float x = p.x + S(r, 12), w = p.w - S(r, 24);
    float y = body.y + S(r, 8) - h->inspector_scroll;
    size_t n = h->inspector ? inspector_count(h->inspector) : 0;
    for (size_t i = 0; i < n; i++) {
        const InspectLine *l = inspector_line(h->inspector, i);
        bool visible = y < body.y + body.h && y > body.y - S(r, 400);
        float lh = draw_inspect_line(r, l, x, y, w, visible);
        if (l->msg != TRACE_NONE) {
            if (r->nhits == r->hits_cap) {
                r->hits = xgrow(r->hits, &r->hits_cap, r->nhits + 1, sizeof *r->hits);
            }
            r->hits[r->nhits++] = (LineHit){ { x, y, w, lh }, (int)i };
        }
        y += lh;
    }
    r->inspector_h = y + h->inspector_scroll - (body.y + S(r, 8));
    unclip(r);
}

/* ---- overlays ---- */

static void draw_note(Renderer *r, const RenderHud *h, const char *msg, float y, ColorRole accent)
{
    text_role(r, FB_NOTE, -1, -1);
    LayoutRect c = layout_region(h->lay, REGION_CANVAS);
    int w, th, size = px(r, FS_BODY + 1);
    text_size(r, FACE_BOLD, size, msg, &w, &th);
    float bw = fminf((float)w + S(r, 28), c.w - S(r, 20)), inner = bw - S(r, 28);
    if ((float)w <= inner) {
        float bh = (float)th + S(r, 14), bx = c.x + c.w / 2 - bw / 2;
        box(r, bx, y, bw, bh, S(r, 10), role(r, CR_PANEL), role(r, accent), S(r, 2.5f));
        text(r, FACE_BOLD, size, msg, bx + S(r, 14), y + S(r, 7), role(r, CR_TEXT), AL_LEFT);
        return;
    }
    /* Too long for one line (a loader error names the file, the place and what was expected):
     * wrapped whole, never cut, so the teacher reads the fix on the canvas too. */
    float bh = text_wrap(r, FACE_BOLD, size, msg, 0, 0, inner, role(r, CR_TEXT), false) + S(r, 14);
    float bx = c.x + c.w / 2 - bw / 2;
    y = fminf(y, c.y + c.h - bh - S(r, 10));
    box(r, bx, y, bw, bh, S(r, 10), role(r, CR_PANEL), role(r, accent), S(r, 2.5f));
    text_wrap(r, FACE_BOLD, size, msg, bx + S(r, 14), y + S(r, 7), inner, role(r, CR_TEXT), true);
}

static const char *const HELP[][2] = {
    { "Space", "play / pause" },
    { "\u2192  \u2190", "next / previous event (exact)" },
    { "+  \u2212", "faster / slower (0.1\u00d7 \u2026 10 000\u00d7)" },
    { "Home  End", "start / end" },
    { "click timeline", "jump there (drag to scrub)" },
    { "click log row", "jump to that event" },
    { "click envelope / node", "inspect it" },
    { "Tab  Shift+Tab", "next / previous message" },
    { "Esc", "clear selection, close this" },
    { "D", "protocol packets on / off" },
    { "S", "slow motion for packets on / off" },
    { "G", "squeeze idle gaps on / off" },
    { "R", "reading pauses at captions on / off" },
    { "P", "side panels on / off" },
    { "H", "high-contrast theme" },
    { "T", "light / dark theme" },
    { "Ctrl +  Ctrl \u2212  Ctrl 0", "text size" },
    { "O", "open another scenario" },
    { "F11", "full screen" },
    { "L", "legend: what the shapes and colours mean" },
    { "Q", "lesson mode: only the past shows, questions are put" },
    { "1\u20134  Space", "a question: pick a choice, reveal, go on" },
    { "W", "what if\u2026? change the world now (click a node first)" },
    { "Ctrl Z  Ctrl S", "take the last change back / save the changed scenario" },
    { "C", "ladder diagram of the selected message" },
    { "F  Shift F", "log filter: by kind / by the selection" },
    { "F1  ?", "this help" },
    { "Ctrl Q", "quit" },
};

static void draw_help(Renderer *r, const RenderHud *h)
{
    text_role(r, FB_OVERLAY, -1, -1);
    float W = (float)layout_width(h->lay), H = (float)layout_height(h->lay);
    rect(r, 0, 0, W, H, (SDL_Color){ 0, 0, 0, 150 });
    size_t n = sizeof HELP / sizeof HELP[0];
    int size = px(r, FS_HELP), lh = textcache_line_height(r->tc, FACE_SANS, size);
    float bw = fminf(S(r, 720), W - 40), bh = fminf((float)n * (float)lh + S(r, 90), H - 20);
    float bx = W / 2 - bw / 2, by = H / 2 - bh / 2;
    box(r, bx, by, bw, bh, S(r, 12), role(r, CR_PANEL), role(r, CR_BORDER), S(r, 2));
    text(r, FACE_BOLD, px(r, FS_TITLE + 2), "Keys and mouse", bx + S(r, 24), by + S(r, 16),
         role(r, CR_TEXT), AL_LEFT);
    float y = by + S(r, 56), kx = bx + S(r, 24), ax = bx + bw * 0.42f;
    for (size_t i = 0; i < n && y + (float)lh < by + bh; i++, y += (float)lh) {
        text(r, FACE_BOLD, size, HELP[i][0], kx, y, role(r, CR_NODE_ACTIVE), AL_LEFT);
        text_fit(r, FACE_SANS, size, HELP[i][1], ax, y, role(r, CR_TEXT), AL_LEFT,
                 bx + bw - ax - S(r, 16), role(r, CR_PANEL));
    }
}

/* One legend row: a sample drawn at (x, y) by the caller, then its words. */
static void legend_words(Renderer *r, float x, float y, float w, const char *words)
{
    text_role(r, FB_OVERLAY, -1, -1);
    text_wrap(r, FACE_SANS, px(r, FS_BODY), words, x, y, w, role(r, CR_TEXT), true);
}

/* A sample refusal: its mark at (x, y + h / 2) and its label to the right. */
static float legend_refusal(Renderer *r, float x, float y, const char *label, bool temporary)
{
    ViewToken t = { 0 };
    t.x = t.x0 = t.x1 = t.cx = x + S(r, 12);
    t.y = t.y0 = t.y1 = t.cy = y + S(r, 16);
    t.shape = TOKEN_PACKET;
    t.role = (uint8_t)(temporary ? CR_SMTP_DEFER : CR_SMTP_REJECT);
    t.flags = (uint8_t)(VT_REJECT | VT_GROUP | (temporary ? VT_TEMPORARY : 0));
    t.event = UINT32_MAX;
    t.label = label;
    TokenText tt = token_text(r, &t);
    LayoutRect lab = { x + S(r, 34), t.y - (tt.th + 2 * tt.pad_y) / 2, tt.tw + 2 * tt.pad_x,
                       tt.th + 2 * tt.pad_y };
    draw_token_shapes(r, &t, lab);
    flush(r);
    text_role(r, FB_OVERLAY, -1, -1);
    text(r, tt.face, tt.size, label, lab.x + tt.pad_x, lab.y + tt.pad_y,
         text_on(r, (ColorRole)t.role), AL_LEFT);
    return lab.x + lab.w - x;
}

static float legend_badge(Renderer *r, float x, float y, const char *label, ColorRole cr)
{
    int w, th, size = px(r, FS_BADGE);
    text_size(r, FACE_BOLD, size, label, &w, &th);
    float bh = S(r, LAYOUT_BADGE_ROW - 2), bw = (float)w + S(r, 12);
    round_rect(r, x, y, bw, bh, bh / 2, role(r, cr));
    flush(r);
    text_role(r, FB_OVERLAY, -1, -1);
    text(r, FACE_BOLD, size, label, x + S(r, 6), y + (bh - (float)th) / 2, text_on(r, cr), AL_LEFT);
    return bw;
}

/* The visual grammar on one card, for the teacher to show (key L): every outcome has its own
 * shape and word as well as its colour, so it reads in greyscale and on a washed-out projector. */
static void draw_legend(Renderer *r, const RenderHud *h)
{
    text_role(r, FB_OVERLAY, -1, -1);
    float W = (float)layout_width(h->lay), H = (float)layout_height(h->lay);
    rect(r, 0, 0, W, H, (SDL_Color){ 0, 0, 0, 150 });
    float bw = fminf(S(r, 1060), W - 20), bh = fminf(S(r, 470), H - 20);
    float bx = W / 2 - bw / 2, by = H / 2 - bh / 2;
    box(r, bx, by, bw, bh, S(r, 12), role(r, CR_PANEL), role(r, CR_BORDER), S(r, 2));
    text(r, FACE_BOLD, px(r, FS_TITLE + 2), "How to read the picture   (L or Esc closes)",
         bx + S(r, 24), by + S(r, 16), role(r, CR_TEXT), AL_LEFT);
    float x = bx + S(r, 24), col2 = bx + S(r, 430), y = by + S(r, 62), ww = bx + bw - col2 - S(r, 20);
    flush(r);
    legend_refusal(r, x, y, "\u27f3 450 try later", true);
    legend_words(r, col2, y, ww, "Temporary failure (4xx, refused connection, SERVFAIL): the "
                 "sender keeps the message and tries again later. Ring, dashed box, \u27f3, amber.");
    y += S(r, 70);
    legend_refusal(r, x, y, "\u2716 550 refused", false);
    legend_words(r, col2, y, ww, "Permanent failure (5xx, NXDOMAIN): not this way, ever; the "
                 "message bounces. Crossed disc, solid box, \u2716, vermilion.");
    y += S(r, 70);
    float bx2 = x;
    bx2 += legend_badge(r, bx2, y, "\u27f3 deferred 1", CR_SMTP_DEFER) + S(r, 8);
    bx2 += legend_badge(r, bx2, y, "\u27f3 retry in 4:58", CR_SMTP_DEFER) + S(r, 8);
    legend_badge(r, x, y + S(r, 26), "\u2716 refused 1", CR_SMTP_REJECT);
    legend_badge(r, x + S(r, 130), y + S(r, 26), "\u21a9 bounced 1", CR_SMTP_REJECT);
    legend_words(r, col2, y, ww, "Badges count what a node did: \u27f3 deferred or waiting to "
                 "retry, \u2716 refused for good, \u21a9 bounced back to the sender.");
    y += S(r, 70);
    bx2 = x;
    bx2 += legend_badge(r, bx2, y, "\u2714 sent 1", CR_OK) + S(r, 8);
    bx2 += legend_badge(r, bx2, y, "Inbox 1", CR_OK) + S(r, 8);
    legend_badge(r, bx2, y, "\u2691 Junk 1", CR_SPAM);
    legend_words(r, col2, y, ww, "\u2714 delivered or accepted; \u2691 judged spam (the filter's "
                 "score against its threshold, filed in Junk).");
    y += S(r, 56);
    static const struct {
        ColorRole role;
        const char *words;
    } ENV[] = { { CR_MSG, "mail" }, { CR_MSG_SPAM, "spam" }, { CR_MSG_DSN, "bounce" } };
    float ex = x + S(r, 16);
    for (size_t i = 0; i < sizeof ENV / sizeof ENV[0]; i++) {
        envelope(r, ex, y + S(r, 12), S(r, 32), role(r, ENV[i].role), envelope_edge(r));
        flush(r);
        text_role(r, FB_OVERLAY, -1, -1);
        text(r, FACE_BOLD, px(r, FS_SMALL), ENV[i].words, ex + S(r, 22), y + S(r, 3), role(r, CR_TEXT),
             AL_LEFT);
        ex += S(r, 120);
    }
    legend_words(r, col2, y, ww, "Envelopes are messages: yellow mail, purple once judged spam, "
                 "orange-red a bounce (a delivery status notification).");
    y += S(r, 56);
    round_rect(r, x, y, S(r, 80), S(r, 22), S(r, 6), role(r, CR_SMTP_CMD));
    round_rect(r, x + S(r, 92), y, S(r, 70), S(r, 22), S(r, 6), role(r, CR_SMTP_OK));
    round_rect(r, x + S(r, 174), y, S(r, 96), S(r, 22), S(r, 6), role(r, CR_DNS));
    flush(r);
    text_role(r, FB_OVERLAY, -1, -1);
    text(r, FACE_SANS, px(r, FS_TOKEN), "RCPT TO", x + S(r, 6), y + S(r, 2), text_on(r, CR_SMTP_CMD), AL_LEFT);
    text(r, FACE_SANS, px(r, FS_TOKEN), "250 OK", x + S(r, 98), y + S(r, 2), text_on(r, CR_SMTP_OK), AL_LEFT);
    text(r, FACE_SANS, px(r, FS_TOKEN), "MX? b.ex", x + S(r, 180), y + S(r, 2), text_on(r, CR_DNS), AL_LEFT);
    legend_words(r, col2, y, ww, "Pills are protocol lines: commands, replies, DNS questions "
                 "and answers (D hides them).");
}

static void draw_picker(Renderer *r, const RenderHud *h)
{
    text_role(r, FB_OVERLAY, -1, -1);
    float W = (float)layout_width(h->lay), H = (float)layout_height(h->lay);
    rect(r, 0, 0, W, H, (SDL_Color){ 0, 0, 0, 150 });
    float bw = fminf(S(r, 900), W - 40), bh = H - S(r, 80);
    float bx = W / 2 - bw / 2, by = S(r, 40);
    box(r, bx, by, bw, bh, S(r, 12), role(r, CR_PANEL), role(r, CR_BORDER), S(r, 2));
    text(r, FACE_BOLD, px(r, FS_TITLE + 2), "Choose a scenario  (\u2191 \u2193 Enter, Esc to close)",
         bx + S(r, 24), by + S(r, 14), role(r, CR_TEXT), AL_LEFT);
    float rowh = S(r, 50), y = by + S(r, 52);
    int visible = (int)((bh - S(r, 60)) / rowh);
    int first = h->picker_selected - visible / 2;
    first = first > (int)h->picker_count - visible ? (int)h->picker_count - visible : first;
    first = first < 0 ? 0 : first;
    r->npicker = 0;
    for (int i = first; i < (int)h->picker_count && i < first + visible && r->npicker < 64; i++, y += rowh) {
        const PickerItem *it = &h->picker[i];
        bool sel = i == h->picker_selected;
        SDL_Color bg = sel ? role(r, CR_CURRENT_ROW) : role(r, CR_PANEL);
        if (sel) {
            round_rect(r, bx + S(r, 10), y, bw - S(r, 20), rowh - S(r, 4), S(r, 6), bg);
        }
        text_fit(r, FACE_BOLD, px(r, FS_BODY + 1), it->title, bx + S(r, 24), y + S(r, 4),
                 role(r, CR_TEXT), AL_LEFT, bw - S(r, 48), bg);
        char sub[600];
        snprintf(sub, sizeof sub, "%s \u2014 %s", it->file, it->lesson);
        text_fit(r, FACE_SANS, px(r, FS_SMALL), sub, bx + S(r, 24), y + S(r, 27), role(r, CR_TEXT_DIM),
                 AL_LEFT, bw - S(r, 48), bg);
        r->picker_rows[r->npicker] = (SDL_FRect){ bx, y, bw, rowh };
        r->npicker++;
    }
    r->picker_first = first;
}

float render_measure(void *renderer, const char *text, float px_size, bool bold)
{
    Renderer *r = renderer;
    int size = (int)lroundf(px_size), w = 0, h = 0;
    textcache_measure(r->tc, bold ? FACE_BOLD : FACE_SANS, size < 7 ? 7 : size, text, &w, &h);
    return (float)w;
}

void render_set_boxes(Renderer *r, FrameBoxes *fb)
{
    r->boxes = fb;
}

void render_frame(Renderer *r, const ViewState *vs, const RenderHud *h)
{
    if (r->boxes) {
        framebox_reset(r->boxes, layout_width(h->lay), layout_height(h->lay));
    }
    r->theme = h->theme;
    r->s = layout_scale(h->lay);
    SDL_Color bg = role(r, CR_BG);
    SDL_SetRenderDrawColor(r->sdl, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r->sdl);
    draw_canvas(r, vs, h);
    draw_topbar(r, vs, h);
    draw_caption(r, vs, h);
    draw_timeline(r, vs, h);
    draw_log(r, vs, h);
    draw_inspector(r, h);
    LayoutRect c = layout_region(h->lay, REGION_CANVAS);
    /* Notes sit at the bottom of the canvas, clear of the resolvers' row; the short status
     * line at the top. */
    float note_h = S(r, FS_BODY + 1) * 1.25f + S(r, 14);
    if (h->pb && h->pb->note[0]) {
        draw_note(r, h, h->pb->note, c.y + c.h - note_h - S(r, 10), CR_SMTP_DEFER);
    }
    if (h->error) {
        draw_note(r, h, h->error, c.y + c.h / 2, CR_SMTP_REJECT);
    }
    if (h->status) {
        draw_note(r, h, h->status, c.y + S(r, 8), CR_NODE_ACTIVE);
    }
    if (h->show_legend) {
        draw_legend(r, h);
    }
    if (h->show_help) {
        draw_help(r, h);
    }
    if (h->show_picker && h->picker_count > 0) {
        draw_picker(r, h);
    }
    flush(r);
    textcache_end_frame(r->tc);
}

int render_inspector_line_at(const Renderer *r, float x, float y)
{
    for (size_t i = 0; i < r->nhits; i++) {
        const SDL_FRect *f = &r->hits[i].rect;
        if (x >= f->x && x < f->x + f->w && y >= f->y && y < f->y + f->h) {
            return r->hits[i].line;
        }
    }
    return -1;
}

int render_picker_row_at(const Renderer *r, float x, float y)
{
    for (int i = 0; i < r->npicker; i++) {
        const SDL_FRect *f = &r->picker_rows[i];
        if (x >= f->x && x < f->x + f->w && y >= f->y && y < f->y + f->h) {
            return r->picker_first + i;
        }
    }
    return -1;
}

float render_inspector_content_height(const Renderer *r)
{
    return r->inspector_h;
}
