/* framebox: the texts of one frame and the checks over them (see framebox.h). */
#include "view/framebox.h"

#include "util/jsonout.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct FrameBoxes {
    int width, height;
    FrameBox *boxes;
    size_t count, cap;
};

static const char *const ROLE_NAME[FB_ROLE_COUNT] = {
    [FB_NODE_NAME] = "node-name", [FB_NODE_KIND] = "node-kind", [FB_BADGE] = "badge",
    [FB_PACKET] = "packet",       [FB_REFUSAL] = "refusal",     [FB_ENVELOPE] = "envelope",
    [FB_CAPTION] = "caption",     [FB_LOG] = "log",             [FB_INSPECTOR] = "inspector",
    [FB_TIMELINE] = "timeline",   [FB_TITLE] = "title",         [FB_NOTE] = "note",
    [FB_OVERLAY] = "overlay",
};

FrameBoxes *framebox_create(void)
{
    return xcalloc(1, sizeof(FrameBoxes));
}

static void free_texts(FrameBoxes *fb)
{
    for (size_t i = 0; i < fb->count; i++) {
        free((char *)fb->boxes[i].text);
    }
    fb->count = 0;
}

void framebox_destroy(FrameBoxes *fb)
{
    if (!fb) {
        return;
    }
    free_texts(fb);
    free(fb->boxes);
    free(fb);
}

void framebox_reset(FrameBoxes *fb, int width, int height)
{
    free_texts(fb);
    fb->width = width;
    fb->height = height;
}

void framebox_add(FrameBoxes *fb, const FrameBox *box)
{
    if (box->role >= FB_ROLE_COUNT) {
        return;
    }
    if (fb->count == fb->cap) {
        fb->boxes = xgrow(fb->boxes, &fb->cap, fb->count + 1, sizeof *fb->boxes);
    }
    FrameBox *b = &fb->boxes[fb->count++];
    *b = *box;
    size_t n = strlen(box->text ? box->text : "");
    char *copy = xmalloc(n + 1);
    memcpy(copy, box->text ? box->text : "", n + 1);
    b->text = copy;
}

size_t framebox_count(const FrameBoxes *fb)
{
    return fb->count;
}

const FrameBox *framebox_get(const FrameBoxes *fb, size_t i)
{
    return i < fb->count ? &fb->boxes[i] : NULL;
}

const char *framebox_role_name(FrameTextRole role)
{
    return role < FB_ROLE_COUNT ? ROLE_NAME[role] : "?";
}

bool framebox_write_json(const FrameBoxes *fb, FILE *out)
{
    fprintf(out, "{\"w\":%d,\"h\":%d,\"texts\":[", fb->width, fb->height);
    for (size_t i = 0; i < fb->count; i++) {
        const FrameBox *b = &fb->boxes[i];
        fputs(i ? ",\n{\"text\":" : "\n{\"text\":", out);
        json_put_string(out, b->text);
        fprintf(out, ",\"x\":%.1f,\"y\":%.1f,\"w\":%.1f,\"h\":%.1f,\"px\":%d,\"role\":\"%s\","
                "\"clipped\":%s}",
                (double)b->x, (double)b->y, (double)b->w, (double)b->h, b->px,
                framebox_role_name((FrameTextRole)b->role), b->clipped ? "true" : "false");
    }
    fputs("\n]}\n", out);
    return !ferror(out);
}

/* ---- checks ---- */

static bool on_canvas(const FrameBox *b)
{
    return b->role < FB_CANVAS_END;
}

/* True when a and b share more than a pixel's rounding in both directions. */
static bool boxes_meet(float ax, float ay, float aw, float ah, LayoutRect b)
{
    const float slack = 1.0f;
    return ax + aw - slack > b.x && b.x + b.w - slack > ax && ay + ah - slack > b.y &&
           b.y + b.h - slack > ay;
}

static LayoutRect rect_of(const FrameBox *b)
{
    return (LayoutRect){ b->x, b->y, b->w, b->h };
}

static void note_first(FrameCheck *c, const char *fmt, const char *a, const char *b)
{
    if (!c->first[0]) {
        snprintf(c->first, sizeof c->first, fmt, a, b);
    }
}

static int min_px_for(FrameTextRole role)
{
    switch (role) {
    case FB_NODE_NAME: return FRAMEBOX_MIN_NAME_PX;
    case FB_NODE_KIND:
    case FB_BADGE:
    case FB_PACKET:
    case FB_REFUSAL: return FRAMEBOX_MIN_SMALL_PX;
    case FB_ENVELOPE:
    case FB_CAPTION:
    case FB_LOG:
    case FB_INSPECTOR:
    case FB_TIMELINE:
    case FB_TITLE:
    case FB_NOTE:
    case FB_OVERLAY:
    case FB_ROLE_COUNT: return 0;
    }
    return 0;
}

static void check_one(const FrameBox *b, float scale, FrameCheck *out)
{
    int min = min_px_for((FrameTextRole)b->role);
    if (min > 0 && (float)b->px + 0.5f < (float)min * scale) {
        out->too_small++;
        note_first(out, "\"%s\" is smaller than %s", b->text, framebox_role_name((FrameTextRole)b->role));
    }
    if (b->role == FB_NODE_NAME) {
        out->min_name_px = out->min_name_px == 0 || b->px < out->min_name_px ? b->px : out->min_name_px;
    } else if (min == FRAMEBOX_MIN_SMALL_PX) {
        out->min_small_px = out->min_small_px == 0 || b->px < out->min_small_px ? b->px
                                                                                : out->min_small_px;
    }
    if (b->clipped && (b->role == FB_NODE_NAME || b->role == FB_REFUSAL)) {
        out->clipped++;
        note_first(out, "\"%s\" (%s) is cut", b->text, framebox_role_name((FrameTextRole)b->role));
    }
}

void framebox_check(const FrameBoxes *fb, const Layout *lay, FrameCheck *out)
{
    *out = (FrameCheck){ 0 };
    float scale = layout_scale(lay);
    size_t nodes = layout_node_count(lay);
    for (size_t i = 0; i < fb->count; i++) {
        const FrameBox *a = &fb->boxes[i];
        if (!on_canvas(a)) {
            continue;
        }
        check_one(a, scale, out);
        for (size_t j = i + 1; j < fb->count; j++) {
            const FrameBox *b = &fb->boxes[j];
            if (on_canvas(b) && boxes_meet(a->x, a->y, a->w, a->h, rect_of(b))) {
                out->text_overlaps++;
                note_first(out, "\"%s\" overlaps \"%s\"", a->text, b->text);
            }
        }
        for (size_t k = 0; k < nodes; k++) {
            int32_t node = (int32_t)k;
            if (node == a->node || node == a->node2) {
                continue;
            }
            if (boxes_meet(a->x, a->y, a->w, a->h, layout_node(lay, node))) {
                out->tile_overlaps++;
                char tile[200];
                LayoutRect t = layout_node(lay, node);
                snprintf(tile, sizeof tile, "%s (tile %.0f,%.0f %.0fx%.0f; text %.0f,%.0f %.0fx%.0f)",
                         layout_node_title(lay, node), (double)t.x, (double)t.y, (double)t.w,
                         (double)t.h, (double)a->x, (double)a->y, (double)a->w, (double)a->h);
                note_first(out, "\"%s\" lies on the tile of %s", a->text, tile);
            }
        }
    }
}

bool framebox_check_ok(const FrameCheck *c)
{
    return c->text_overlaps == 0 && c->tile_overlaps == 0 && c->clipped == 0 && c->too_small == 0;
}
