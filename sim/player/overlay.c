/* overlay: the classroom's drawings over a frame (see overlay.h).
 *
 * Sizes are for the design window at scale 1 and grow with the layout's scale. The question card
 * uses the largest text in the player (28 px question, 24 px choices): it is read from the back
 * of a room.
 */
#include "player/overlay.h"

#include "player/ladder_draw.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct Overlay {
    SDL_Renderer *sdl;
    TextCache *tc;
    ThemeId theme;
    float s;
    /* the ladder's texture and where it was last drawn */
    SDL_Texture *ladder_tex;
    uint64_t ladder_version;
    bool ladder_valid;
    float lad_ox, lad_oy, lad_sc, lad_w, lad_h; /* window = o + figure * sc, over [ox, ox+w) */
};

enum { FS_QUESTION = 28, FS_CHOICE = 24, FS_EXPLAIN = 20, FS_HINT = 17, FS_MARK = 14 };

Overlay *overlay_create(SDL_Renderer *sdl, TextCache *tc)
{
    Overlay *ov = xcalloc(1, sizeof *ov);
    ov->sdl = sdl;
    ov->tc = tc;
    return ov;
}

void overlay_destroy(Overlay *ov)
{
    if (!ov) {
        return;
    }
    if (ov->ladder_tex) {
        SDL_DestroyTexture(ov->ladder_tex);
    }
    free(ov);
}

/* ---- primitives ---- */

static void begin(Overlay *ov, const OverlayFrame *f)
{
    ov->theme = f->theme;
    ov->s = layout_scale(f->lay);
    SDL_SetRenderDrawBlendMode(ov->sdl, SDL_BLENDMODE_BLEND);
}

static float S(const Overlay *ov, float v)
{
    return v * ov->s;
}

static int px(const Overlay *ov, int base)
{
    int v = (int)lroundf((float)base * ov->s);
    return v < 8 ? 8 : v;
}

static Rgba C(const Overlay *ov, ColorRole r)
{
    return theme_color(ov->theme, r);
}

/* a tinted with b by k (0 = a) */
static Rgba mix(Rgba a, Rgba b, float k)
{
    return (Rgba){ (uint8_t)(a.r + (b.r - a.r) * k), (uint8_t)(a.g + (b.g - a.g) * k),
                   (uint8_t)(a.b + (b.b - a.b) * k), 255 };
}

static void fill(Overlay *ov, float x, float y, float w, float h, Rgba c)
{
    SDL_SetRenderDrawColor(ov->sdl, c.r, c.g, c.b, c.a);
    SDL_FRect rc = { x, y, w, h };
    SDL_RenderFillRectF(ov->sdl, &rc);
}

static void outline(Overlay *ov, float x, float y, float w, float h, float t, Rgba c)
{
    fill(ov, x, y, w, t, c);
    fill(ov, x, y + h - t, w, t, c);
    fill(ov, x, y, t, h, c);
    fill(ov, x + w - t, y, t, h, c);
}

/* Draws `s` with its top-left (or top-right when right) at (x, y), wrapped at wrap px (0 = one
 * line); returns its height. With draw false only measures. */
static float text(Overlay *ov, FontFace face, int size, const char *s, float x, float y, Rgba c,
                  float wrap, bool right, bool draw)
{
    int w = 0, h = 0;
    SDL_Texture *t = textcache_get(ov->tc, face, size, s, wrap > 0 ? (int)wrap : 0, &w, &h);
    if (!t) {
        return 0;
    }
    if (draw) {
        SDL_SetTextureColorMod(t, c.r, c.g, c.b);
        SDL_SetTextureAlphaMod(t, c.a);
        SDL_FRect dst = { right ? x - (float)w : x, y, (float)w, (float)h };
        SDL_RenderCopyF(ov->sdl, t, NULL, &dst);
    }
    return (float)h;
}

static float text_w(Overlay *ov, FontFace face, int size, const char *s)
{
    int w = 0, h = 0;
    textcache_measure(ov->tc, face, size, s, &w, &h);
    return (float)w;
}

/* A card centred on the canvas over a dimmed canvas; returns its content box. */
static SDL_FRect card(Overlay *ov, const OverlayFrame *f, float want_w, float h, ColorRole accent)
{
    LayoutRect c = layout_region(f->lay, REGION_CANVAS);
    fill(ov, c.x, c.y, c.w, c.h, (Rgba){ 0, 0, 0, 120 });
    float w = fminf(want_w, c.w - S(ov, 30));
    float x = c.x + (c.w - w) / 2, y = c.y + fmaxf((c.h - h) / 2, S(ov, 10));
    fill(ov, x, y, w, h, C(ov, CR_PANEL));
    outline(ov, x, y, w, h, S(ov, 3), C(ov, accent));
    fill(ov, x, y, S(ov, 10), h, C(ov, accent));
    return (SDL_FRect){ x + S(ov, 30), y + S(ov, 18), w - S(ov, 50), h - S(ov, 36) };
}

/* A key cap with `label` at (x, y), `size` px text; returns its width. */
static float keycap(Overlay *ov, float x, float y, const char *label, int size, Rgba fg, Rgba bg)
{
    float w = fmaxf(text_w(ov, FACE_BOLD, size, label) + S(ov, 16), (float)size * 1.5f);
    float h = (float)size * 1.45f;
    fill(ov, x, y, w, h, bg);
    outline(ov, x, y, w, h, S(ov, 2), fg);
    text(ov, FACE_BOLD, size, label, x + w / 2 - text_w(ov, FACE_BOLD, size, label) / 2,
         y + (h - (float)textcache_line_height(ov->tc, FACE_BOLD, size)) / 2, fg, 0, false, true);
    return w;
}

/* ---- the question ---- */

typedef struct {
    Rgba fill, edge;
    const char *mark; /* "✔ right answer", "✖ wrong", or NULL */
    ColorRole role;
} ChoiceLook;

static ChoiceLook choice_look(Overlay *ov, const LessonQuestion *q, int c, int picked,
                              bool revealed)
{
    Rgba panel = C(ov, CR_PANEL);
    ChoiceLook lk = { panel, C(ov, CR_BORDER), NULL, CR_TEXT };
    if (revealed && (uint32_t)c == q->answer) {
        lk = (ChoiceLook){ mix(panel, C(ov, CR_OK), 0.25f), C(ov, CR_OK),
                           c == picked ? "\u2714 right \u2014 your pick" : "\u2714 right answer",
                           CR_OK };
    } else if (revealed && c == picked) {
        lk = (ChoiceLook){ mix(panel, C(ov, CR_SMTP_REJECT), 0.2f), C(ov, CR_SMTP_REJECT),
                           "\u2716 wrong \u2014 your pick", CR_SMTP_REJECT };
    } else if (c == picked) {
        lk = (ChoiceLook){ mix(panel, C(ov, CR_SELECT), 0.3f), C(ov, CR_SELECT), "your pick",
                           CR_SELECT };
    }
    return lk;
}

/* Lays the card out (draw false) or draws it; returns its height. */
static float question_body(Overlay *ov, const LessonQuestion *q, int picked, bool revealed,
                           float x, float y, float w, bool draw)
{
    float y0 = y;
    Rgba ink = C(ov, CR_TEXT), dim = C(ov, CR_TEXT_DIM);
    y += text(ov, FACE_BOLD, px(ov, FS_HINT), "QUESTION \u2014 predict, then reveal", x, y, dim, 0,
              false, draw) + S(ov, 6);
    y += text(ov, FACE_BOLD, px(ov, FS_QUESTION), q->question, x, y, ink, w, false, draw) +
         S(ov, 16);
    int cs = px(ov, FS_CHOICE);
    for (uint32_t c = 0; c < q->choice_count; c++) {
        ChoiceLook lk = choice_look(ov, q, (int)c, picked, revealed);
        float cap = (float)cs * 1.45f + S(ov, 4);
        float mark_w = lk.mark ? text_w(ov, FACE_BOLD, px(ov, FS_HINT + 1), lk.mark) + S(ov, 20) : 0;
        float tw = w - cap * 1.6f - mark_w - S(ov, 20);
        float th = text(ov, FACE_SANS, cs, q->choices[c], 0, 0, ink, tw, false, false);
        float rh = fmaxf(th, cap) + S(ov, 14);
        if (draw) {
            fill(ov, x, y, w, rh, lk.fill);
            outline(ov, x, y, w, rh, S(ov, lk.mark ? 3 : 1), lk.edge);
            char num[24];
            snprintf(num, sizeof num, "%u", c + 1);
            keycap(ov, x + S(ov, 10), y + (rh - cap) / 2 + S(ov, 2), num, cs, ink, C(ov, CR_PANEL_ALT));
            text(ov, FACE_SANS, cs, q->choices[c], x + cap * 1.6f, y + (rh - th) / 2, ink, tw,
                 false, true);
            if (lk.mark) {
                text(ov, FACE_BOLD, px(ov, FS_HINT + 1), lk.mark, x + w - S(ov, 12),
                     y + (rh - (float)textcache_line_height(ov->tc, FACE_BOLD, px(ov, FS_HINT + 1))) / 2,
                     ladder_ink(ov->theme, lk.role, 4.5), 0, true, true);
            }
        }
        y += rh + S(ov, 8);
    }
    y += S(ov, 6);
    if (revealed) {
        char verdict[600];
        const char *answer = q->choices[q->answer];
        if (picked < 0) {
            snprintf(verdict, sizeof verdict, "The answer: %u) %s", q->answer + 1, answer);
        } else if ((uint32_t)picked == q->answer) {
            snprintf(verdict, sizeof verdict, "\u2714 Right! %u) %s", q->answer + 1, answer);
        } else {
            snprintf(verdict, sizeof verdict, "\u2716 Wrong \u2014 the answer is %u) %s",
                     q->answer + 1, answer);
        }
        ColorRole vr = picked >= 0 && (uint32_t)picked != q->answer ? CR_SMTP_REJECT : CR_OK;
        y += text(ov, FACE_BOLD, px(ov, FS_EXPLAIN + 2), verdict, x, y, ladder_ink(ov->theme, vr, 4.5), w,
                  false, draw) +
             S(ov, 6);
        if (q->explain[0]) {
            y += text(ov, FACE_SANS, px(ov, FS_EXPLAIN), q->explain, x, y, ink, w, false, draw) +
                 S(ov, 10);
        }
    }
    const char *hint = revealed ? "Space: go on   \u2190: step back"
                                : "1\u20134: pick a choice   Space: reveal the answer   Esc: skip";
    y += text(ov, FACE_SANS, px(ov, FS_HINT), hint, x, y, dim, w, false, draw);
    return y - y0;
}

void overlay_question(Overlay *ov, const OverlayFrame *f, const LessonQuestion *q, int picked,
                      bool revealed)
{
    begin(ov, f);
    float want = S(ov, 900);
    LayoutRect c = layout_region(f->lay, REGION_CANVAS);
    float w = fminf(want, c.w - S(ov, 30)) - S(ov, 50);
    float h = question_body(ov, q, picked, revealed, 0, 0, w, false) + S(ov, 36);
    SDL_FRect box = card(ov, f, want, h, revealed ? CR_OK : CR_SELECT);
    question_body(ov, q, picked, revealed, box.x, box.y, box.w, true);
}

/* ---- the what-if menu and form ---- */

static float menu_body(Overlay *ov, const char *title, const WhatIfChoice *ch, size_t n, float x,
                       float y, float w, bool draw)
{
    float y0 = y;
    Rgba ink = C(ov, CR_TEXT);
    y += text(ov, FACE_BOLD, px(ov, FS_QUESTION - 2), title, x, y, ink, w, false, draw) + S(ov, 12);
    int cs = px(ov, FS_CHOICE - 4);
    for (size_t i = 0; i < n; i++) {
        char num[24];
        snprintf(num, sizeof num, "%zu", i + 1);
        float cap = (float)cs * 1.45f;
        if (draw) {
            keycap(ov, x, y, num, cs, ink, C(ov, CR_PANEL_ALT));
        }
        float th = text(ov, FACE_SANS, cs, ch[i].label, x + cap * 1.6f,
                        y + (cap - (float)textcache_line_height(ov->tc, FACE_SANS, cs)) / 2, ink,
                        w - cap * 1.6f, false, draw);
        y += fmaxf(th, cap) + S(ov, 8);
    }
    if (n == 0) {
        y += text(ov, FACE_SANS, cs, "Nothing to change here: click a node or a message first.",
                  x, y, ink, w, false, draw) + S(ov, 8);
    }
    y += S(ov, 6);
    y += text(ov, FACE_SANS, px(ov, FS_HINT),
              "1\u20139: make the change now   Esc: close   (click a node or a message for its changes)",
              x, y, C(ov, CR_TEXT_DIM), w, false, draw);
    return y - y0;
}

void overlay_whatif_menu(Overlay *ov, const OverlayFrame *f, const char *title,
                         const WhatIfChoice *ch, size_t n)
{
    begin(ov, f);
    float want = S(ov, 820);
    LayoutRect c = layout_region(f->lay, REGION_CANVAS);
    float w = fminf(want, c.w - S(ov, 30)) - S(ov, 50);
    float h = menu_body(ov, title, ch, n, 0, 0, w, false) + S(ov, 36);
    SDL_FRect box = card(ov, f, want, h, CR_SMTP_DEFER);
    menu_body(ov, title, ch, n, box.x, box.y, box.w, true);
}

static const char *const FIELD_NAMES[SF_FIELD_COUNT] = { "From", "To", "Subject", "Size" };

static float form_body(Overlay *ov, const SendForm *form, float x, float y, float w, bool draw)
{
    float y0 = y;
    Rgba ink = C(ov, CR_TEXT);
    y += text(ov, FACE_BOLD, px(ov, FS_QUESTION - 2), "What if\u2026 one more message is sent now?",
              x, y, ink, w, false, draw) + S(ov, 14);
    int cs = px(ov, FS_CHOICE - 2);
    float lab_w = S(ov, 120), rh = (float)textcache_line_height(ov->tc, FACE_SANS, cs) + S(ov, 14);
    for (int i = 0; i < SF_FIELD_COUNT; i++) {
        bool cur = form->field == (SendField)i;
        char val[160], shown[200];
        sendform_value(form, (SendField)i, val, sizeof val);
        if (i == SF_SUBJECT) {
            snprintf(shown, sizeof shown, "%s%s", val, cur ? "\u258f" : "");
        } else {
            snprintf(shown, sizeof shown, "\u2039  %s  \u203a", val);
        }
        if (draw) {
            if (cur) {
                fill(ov, x, y, w, rh, mix(C(ov, CR_PANEL), C(ov, CR_SELECT), 0.3f));
                outline(ov, x, y, w, rh, S(ov, 2), C(ov, CR_SELECT));
            }
            text(ov, FACE_BOLD, cs, FIELD_NAMES[i], x + S(ov, 10), y + S(ov, 7), ink, 0, false, true);
            text(ov, i == SF_SUBJECT ? FACE_SANS : FACE_MONO, cs, shown, x + lab_w, y + S(ov, 7),
                 ink, 0, false, true);
        }
        y += rh + S(ov, 6);
    }
    y += S(ov, 6);
    y += text(ov, FACE_SANS, px(ov, FS_HINT),
              "\u2191\u2193: field   \u2190\u2192: change   type the subject   Enter: send it now   Esc: cancel",
              x, y, C(ov, CR_TEXT_DIM), w, false, draw);
    return y - y0;
}

void overlay_sendform(Overlay *ov, const OverlayFrame *f, const SendForm *form)
{
    begin(ov, f);
    float want = S(ov, 820);
    LayoutRect c = layout_region(f->lay, REGION_CANVAS);
    float w = fminf(want, c.w - S(ov, 30)) - S(ov, 50);
    float h = form_body(ov, form, 0, 0, w, false) + S(ov, 36);
    SDL_FRect box = card(ov, f, want, h, CR_SMTP_DEFER);
    form_body(ov, form, box.x, box.y, box.w, true);
}

/* ---- marks of the changes ---- */

void overlay_marks(Overlay *ov, const OverlayFrame *f, const WhatIfMark *marks, size_t n)
{
    if (n == 0) {
        return;
    }
    begin(ov, f);
    Rgba accent = C(ov, CR_SMTP_DEFER), ink = C(ov, CR_TEXT), panel = C(ov, CR_PANEL);
    LayoutRect bar = layout_timeline_bar(f->lay);
    int size = px(ov, FS_MARK);
    float per_node[64] = { 0 }; /* labels already stacked above each node */
    for (size_t i = 0; i < n; i++) {
        const WhatIfMark *m = &marks[i];
        if (f->axis && bar.w > 0) {
            float x = bar.x + (float)timeaxis_frac(f->axis, m->at_us) * bar.w;
            fill(ov, x - S(ov, 2), bar.y - S(ov, 6), S(ov, 4), bar.h + S(ov, 6), accent);
            fill(ov, x - S(ov, 6), bar.y - S(ov, 12), S(ov, 12), S(ov, 8), accent);
            char num[24];
            snprintf(num, sizeof num, "\u270e%zu", i + 1);
            text(ov, FACE_BOLD, px(ov, FS_MARK - 2), num, x + S(ov, 8), bar.y - S(ov, 16), ink, 0,
                 false, true);
        }
        if (m->node < 0 || (size_t)m->node >= layout_node_count(f->lay)) {
            continue;
        }
        LayoutRect nd = layout_node(f->lay, m->node);
        char label[WHATIF_LABEL_MAX + 8];
        snprintf(label, sizeof label, "\u270e %s", m->label);
        float w = text_w(ov, FACE_BOLD, size, label) + S(ov, 14);
        float h = (float)textcache_line_height(ov->tc, FACE_BOLD, size) + S(ov, 6);
        float *stack = m->node < 64 ? &per_node[m->node] : &per_node[63];
        float x = nd.x + nd.w / 2 - w / 2, y = nd.y - h - S(ov, 4) - *stack;
        *stack += h + S(ov, 2);
        fill(ov, x, y, w, h, panel);
        outline(ov, x, y, w, h, S(ov, 2), accent);
        text(ov, FACE_BOLD, size, label, x + S(ov, 7), y + S(ov, 3), ink, 0, false, true);
    }
}

void overlay_lesson_badge(Overlay *ov, const OverlayFrame *f)
{
    begin(ov, f);
    LayoutRect c = layout_region(f->lay, REGION_CANVAS);
    const char *label = "LESSON MODE \u2014 the future is hidden (Q)";
    int size = px(ov, FS_MARK);
    float w = text_w(ov, FACE_BOLD, size, label) + S(ov, 16);
    float h = (float)textcache_line_height(ov->tc, FACE_BOLD, size) + S(ov, 8);
    float x = c.x + c.w - w - S(ov, 8), y = c.y + c.h - h - S(ov, 8);
    fill(ov, x, y, w, h, C(ov, CR_SELECT));
    text(ov, FACE_BOLD, size, label, x + S(ov, 8), y + S(ov, 4),
         theme_text_on(ov->theme, CR_SELECT), 0, false, true);
}

/* ---- the ladder ---- */

static bool ladder_paint(Overlay *ov, const Ladder *ld)
{
    const LadderFrame *fr = ladder_frame(ld);
    SDL_RendererInfo info;
    SDL_GetRendererInfo(ov->sdl, &info);
    int w = (int)ceilf(fr->width), h = (int)ceilf(fr->height);
    int max_h = info.max_texture_height > 0 ? info.max_texture_height : 16384;
    h = h > max_h ? max_h : h; /* a figure taller than a texture loses its end */
    if (ov->ladder_tex) {
        SDL_DestroyTexture(ov->ladder_tex);
    }
    ov->ladder_tex = SDL_CreateTexture(ov->sdl, SDL_PIXELFORMAT_ARGB8888,
                                       SDL_TEXTUREACCESS_TARGET, w > 0 ? w : 1, h > 0 ? h : 1);
    if (!ov->ladder_tex) {
        return false;
    }
    SDL_Texture *prev = SDL_GetRenderTarget(ov->sdl);
    SDL_SetRenderTarget(ov->sdl, ov->ladder_tex);
    ladder_draw(ov->sdl, ov->tc, ld, ov->theme);
    SDL_SetRenderTarget(ov->sdl, prev);
    ov->lad_h = (float)h;
    return true;
}

void overlay_ladder(Overlay *ov, const OverlayFrame *f, const Ladder *ld, uint64_t version)
{
    begin(ov, f);
    if (!ov->ladder_valid || version != ov->ladder_version || !ov->ladder_tex) {
        ov->ladder_valid = ladder_paint(ov, ld);
        ov->ladder_version = version;
    }
    LayoutRect c = layout_region(f->lay, REGION_CANVAS);
    fill(ov, c.x, c.y, c.w, c.h, C(ov, CR_PANEL));
    if (!ov->ladder_valid) {
        return;
    }
    const LadderFrame *fr = ladder_frame(ld);
    float sc = fminf(c.w / fr->width, 1.5f * ov->s);
    float shown_h = c.h / sc; /* figure units that fit */
    float top = 0;
    if (ov->lad_h > shown_h) { /* keep the playhead in view, a little above the middle */
        float at = fr->playhead_y >= 0 ? fr->playhead_y : ov->lad_h;
        top = fminf(fmaxf(at - shown_h * 0.6f, 0), ov->lad_h - shown_h);
    }
    float src_h = fminf(ov->lad_h - top, shown_h);
    SDL_Rect src = { 0, (int)top, (int)ceilf(fr->width), (int)src_h };
    SDL_FRect dst = { c.x + (c.w - fr->width * sc) / 2, c.y, fr->width * sc, (float)src.h * sc };
    SDL_RenderCopyF(ov->sdl, ov->ladder_tex, &src, &dst);
    ov->lad_ox = dst.x;
    ov->lad_oy = dst.y - (float)src.y * sc;
    ov->lad_sc = sc;
    ov->lad_w = dst.w;
    const char *hint = "Ladder of the selected message (C closes; click an arrow to go there)";
    int size = px(ov, FS_MARK);
    text(ov, FACE_SANS, size, hint, c.x + c.w - S(ov, 8),
         c.y + c.h - (float)textcache_line_height(ov->tc, FACE_SANS, size) - S(ov, 6),
         C(ov, CR_TEXT_DIM), 0, true, true);
}

int overlay_ladder_row_at(const Overlay *ov, const Ladder *ld, float x, float y)
{
    if (!ov->ladder_valid || ov->lad_sc <= 0 || x < ov->lad_ox || x >= ov->lad_ox + ov->lad_w) {
        return -1;
    }
    return ladder_row_at(ld, (y - ov->lad_oy) / ov->lad_sc);
}
