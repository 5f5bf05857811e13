/* ladder_svg: the ladder as SVG text (see ladder_svg.h). Drawing order: background, title, lane
 * lines (broken by dotted stretches across gap rows), lane headers, rows, playhead. Labels get a
 * halo in the background colour (paint-order stroke) so a label crossing a lane stays legible. */
#include "view/ladder_svg.h"

#include "util/utf8.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define FONT_FAMILY "DejaVu Sans, sans-serif"

typedef struct {
    FILE *out;
    ThemeId theme;
    const Ladder *ld;
} Svg;

static void hex(char buf[8], Rgba c)
{
    snprintf(buf, 8, "#%02x%02x%02x", c.r, c.g, c.b);
}

/* Writes s as XML character data: markup characters escaped, anything not printable UTF-8 made
 * '?' (a trace's text is checked when read, but the SVG must parse whatever it gets), and the
 * ladder's no-break spaces (which only steered its wrapping) made plain spaces, so the text
 * searches and copies as it reads. */
static void put_text(Svg *s, const char *text)
{
    char *copy = xstrdup(text);
    utf8_make_printable(copy);
    for (const char *p = copy; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", s->out); break;
        case '<': fputs("&lt;", s->out); break;
        case '>': fputs("&gt;", s->out); break;
        case '"': fputs("&quot;", s->out); break;
        case '\'': fputs("&apos;", s->out); break;
        case '\xC2':
            if (p[1] == '\xA0') {
                fputc(' ', s->out);
                p++;
                break;
            }
            fputc(*p, s->out);
            break;
        default: fputc(*p, s->out); break;
        }
    }
    free(copy);
}

static const char *anchor_name(LadderAlign a)
{
    switch (a) {
    case LADDER_ALIGN_LEFT: return "start";
    case LADDER_ALIGN_CENTER: return "middle";
    case LADDER_ALIGN_RIGHT: return "end";
    }
    return "start";
}

/* One line of text with its top at `top`. */
static void text_line(Svg *s, float x, float top, LadderAlign align, Rgba color, bool bold,
                      const char *text)
{
    char c[8], bg[8];
    hex(c, color);
    hex(bg, theme_color(s->theme, CR_PANEL));
    fprintf(s->out,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\"%s stroke=\"%s\" "
            "stroke-width=\"5\" stroke-linejoin=\"round\" paint-order=\"stroke\">",
            x, top + LADDER_BASELINE, anchor_name(align), c, bold ? " font-weight=\"bold\"" : "",
            bg);
    put_text(s, text);
    fputs("</text>\n", s->out);
}

static void lanes_write(Svg *s)
{
    const Ladder *ld = s->ld;
    const LadderFrame *f = ladder_frame(ld);
    char line[8], fill[8], accent[8];
    hex(line, theme_color(s->theme, CR_BORDER));
    hex(fill, theme_color(s->theme, CR_NODE));
    for (size_t i = 0; i < ladder_lane_count(ld); i++) {
        const LadderLane *l = ladder_lane(ld, i);
        /* Solid between gaps, dotted across each gap row: the time there is compressed. */
        float y0 = f->lanes_top;
        for (size_t k = 0; k < ladder_row_count(ld); k++) {
            const LadderRow *r = ladder_row(ld, k);
            if (r->cls != LADDER_GAP) {
                continue;
            }
            fprintf(s->out,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\"/>\n"
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\" stroke-dasharray=\"2 6\"/>\n",
                    l->x, y0, l->x, r->y, line, l->x, r->y, l->x, r->y + r->h, line);
            y0 = r->y + r->h;
        }
        fprintf(s->out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"2\"/>\n",
                l->x, y0, l->x, f->lanes_bottom, line);
        hex(accent, ladder_ink(s->theme, theme_kind_role((int)l->kind), 3.0));
        float x = l->x - f->head_w / 2;
        fprintf(s->out,
                "<g class=\"lane\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"8\" "
                "fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/>\n"
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" rx=\"3\" fill=\"%s\"/>\n",
                x, f->head_y, f->head_w, f->head_h, fill, accent, x, f->head_y, f->head_w, accent);
        text_line(s, l->x, f->head_y + 8, LADDER_ALIGN_CENTER, theme_color(s->theme, CR_TEXT),
                  false, l->name);
        text_line(s, l->x, f->head_y + 8 + LADDER_LINE_H, LADDER_ALIGN_CENTER,
                  theme_color(s->theme, CR_TEXT_DIM), false, l->role);
        fputs("</g>\n", s->out);
    }
}

/* The refusal marker where an arrow (or a note) ends: a ring for "later", a cross for "never";
 * other notes get a dot. */
static void marker_write(Svg *s, const LadderRow *r, float x, float y)
{
    char c[8], bg[8];
    hex(c, ladder_ink(s->theme, ladder_row_role(r), 3.0));
    hex(bg, theme_color(s->theme, CR_PANEL));
    float m = LADDER_MARK_R;
    switch (r->cls) {
    case LADDER_REFUSAL_TEMP:
        fprintf(s->out,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n",
                x, y, m, bg, c);
        return;
    case LADDER_REFUSAL_PERM:
        fprintf(s->out,
                "<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" stroke=\"%s\" "
                "stroke-width=\"4\" stroke-linecap=\"round\"/>\n",
                x - m, y - m, x + m, y + m, x - m, y + m, x + m, y - m, c);
        return;
    case LADDER_DELIVERY:
    case LADDER_VERDICT:
        fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "transform=\"rotate(45 %.1f %.1f)\" fill=\"%s\"/>\n",
                x - m * 0.7f, y - m * 0.7f, m * 1.4f, m * 1.4f, x, y, c);
        return;
    case LADDER_COMMAND:
    case LADDER_REPLY:
    case LADDER_DNS:
    case LADDER_HOP:
    case LADDER_GAP:
    case LADDER_NOTE:
    case LADDER_CLASS_COUNT:
        fprintf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", x, y, c);
        return;
    }
}

static void arrow_write(Svg *s, const LadderRow *r)
{
    const Ladder *ld = s->ld;
    float x0 = ladder_lane(ld, (size_t)r->from)->x, x1 = ladder_lane(ld, (size_t)r->to)->x;
    float dir = x1 > x0 ? 1.0f : -1.0f, y = r->line_y;
    char c[8];
    hex(c, ladder_ink(s->theme, ladder_row_role(r), 3.0));
    bool hop = r->cls == LADDER_HOP;
    float tip = x1 - dir * (hop ? 3.0f : 1.0f);
    fprintf(s->out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"%.1f\"%s/>\n",
            x0, y, tip - dir * LADDER_HEAD_LEN, y, c, hop ? LADDER_HOP_STROKE : LADDER_STROKE,
            r->cls == LADDER_REFUSAL_TEMP ? " stroke-dasharray=\"10 6\"" : "");
    float hw = hop ? 8.0f : 6.0f;
    fprintf(s->out, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"/>\n", tip, y,
            tip - dir * LADDER_HEAD_LEN, y - hw, tip - dir * LADDER_HEAD_LEN, y + hw, c);
    if (r->cls == LADDER_REFUSAL_TEMP || r->cls == LADDER_REFUSAL_PERM) {
        marker_write(s, r, x1 - dir * LADDER_MARK_INSET, y);
    }
}

static bool is_refusal(const LadderRow *r)
{
    return r->cls == LADDER_REFUSAL_TEMP || r->cls == LADDER_REFUSAL_PERM;
}

static void row_write(Svg *s, const LadderRow *r)
{
    const Ladder *ld = s->ld;
    fprintf(s->out, "<g class=\"%s\"%s><title>", ladder_class_name(r->cls),
            r->future ? " opacity=\"0.3\"" : "");
    put_text(s, r->text);
    fputs("</title>\n", s->out);
    Rgba text = theme_color(s->theme, CR_TEXT), dim = theme_color(s->theme, CR_TEXT_DIM);
    Rgba ink = ladder_ink(s->theme, ladder_row_role(r), 4.5);
    if (r->cls != LADDER_GAP) {
        text_line(s, ladder_frame(ld)->time_x, r->line_y - LADDER_LINE_H / 2, LADDER_ALIGN_LEFT,
                  dim, false, r->time);
    }
    if (r->cls == LADDER_GAP) {
        /* Nothing happens: only the label, between the dotted stretches of the lanes. */
    } else if (r->to == LADDER_NO_LANE) {
        marker_write(s, r, ladder_lane(ld, (size_t)r->from)->x, r->line_y);
    } else {
        arrow_write(s, r);
    }
    LadderAlign align;
    float x = ladder_label_x(ld, r, &align);
    bool strong = is_refusal(r) || r->cls == LADDER_DELIVERY || r->cls == LADDER_VERDICT;
    Rgba color = r->cls == LADDER_GAP || r->cls == LADDER_NOTE ? dim : strong ? ink : text;
    for (int j = 0; j < r->nlines; j++) {
        text_line(s, x, ladder_line_top(r, j), align, color, strong || r->cls == LADDER_GAP,
                  r->lines[j]);
    }
    if (r->tag) {
        text_line(s, x, ladder_tag_top(r), align, ink, true, r->tag);
    }
    fputs("</g>\n", s->out);
}

static void playhead_write(Svg *s)
{
    const LadderFrame *f = ladder_frame(s->ld);
    if (f->playhead_y < 0) {
        return;
    }
    char c[8];
    hex(c, ladder_ink(s->theme, CR_SELECT, 3.0));
    fprintf(s->out,
            "<g class=\"playhead\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"%s\" stroke-width=\"3\"/>\n",
            f->time_x, f->playhead_y, f->width - f->time_x, f->playhead_y, c);
    if (f->playhead_label) {
        text_line(s, f->width - f->time_x, f->playhead_y - LADDER_LINE_H - 2, LADDER_ALIGN_RIGHT,
                  ladder_ink(s->theme, CR_SELECT, 4.5), true, f->playhead_label);
    }
    fputs("</g>\n", s->out);
}

bool ladder_svg_write(const Ladder *ld, ThemeId theme, FILE *out)
{
    Svg s = { out, theme, ld };
    const LadderFrame *f = ladder_frame(ld);
    char bg[8];
    hex(bg, theme_color(theme, CR_PANEL));
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"" FONT_FAMILY "\" font-size=\"%d\">\n<title>",
            f->width, f->height, f->width, f->height, LADDER_TEXT_PX);
    put_text(&s, f->title);
    fprintf(out, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>\n", bg);
    char c[8];
    hex(c, theme_color(theme, CR_TEXT));
    fprintf(out,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" font-weight=\"bold\" fill=\"%s\">",
            f->time_x, f->title_y + LADDER_TITLE_PX, LADDER_TITLE_PX, c);
    put_text(&s, f->title);
    fputs("</text>\n", out);
    lanes_write(&s);
    for (size_t k = 0; k < ladder_row_count(ld); k++) {
        row_write(&s, ladder_row(ld, k));
    }
    playhead_write(&s);
    fputs("</svg>\n", out);
    return !ferror(out);
}
