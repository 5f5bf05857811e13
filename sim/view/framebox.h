/* framebox: every text a frame draws, as boxes — what `mailsim shot --boxes FILE.json` writes and
 * what the frame tests measure ("no two canvas texts overlap", "node names are at least 16 px").
 *
 * Owns: the list of boxes of one frame (copies of their texts) and the checks over them. Does not
 * own the layout it checks against (borrowed for the call). The renderer records into it from its
 * one text-drawing path, so the boxes are exactly what was drawn. SDL-free: view tests check the
 * checker with hand-made boxes.
 *
 * Units: pixels, origin top-left; `px` is the font's pixel size.
 */
#ifndef MAILSIM_FRAMEBOX_H
#define MAILSIM_FRAMEBOX_H

#include "view/layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a text is for. The FB_CANVAS_* roles are drawn on the canvas and take part in the overlap
 * checks; the others live in bars and panels that cannot collide with the canvas. */
typedef enum {
    FB_NODE_NAME,
    FB_NODE_KIND,
    FB_BADGE,
    FB_PACKET,   /* a protocol line on a link */
    FB_REFUSAL,  /* a refusal's or deferral's raised label */
    FB_ENVELOPE, /* a message id beside its envelope */
    FB_CANVAS_END,
    FB_CAPTION = FB_CANVAS_END,
    FB_LOG,
    FB_INSPECTOR,
    FB_TIMELINE,
    FB_TITLE, /* top bar: title, clock, speed */
    FB_NOTE,  /* a note over the canvas (gap skipped, status, error) */
    FB_OVERLAY, /* help, legend, picker */
    FB_ROLE_COUNT
} FrameTextRole;

typedef struct {
    const char *text; /* the text meant (owned by the FrameBoxes) */
    float x, y, w, h; /* what was drawn */
    int px;
    uint8_t role;     /* FrameTextRole */
    bool clipped;     /* what is shown is shorter than `text` (cut, faded or abbreviated) */
    int32_t node;     /* the node it belongs to (name, kind, badge; a packet's sender), or -1 */
    int32_t node2;    /* a packet's receiver, or -1 */
} FrameBox;

typedef struct FrameBoxes FrameBoxes;

/* Never returns NULL. */
FrameBoxes *framebox_create(void);
/* framebox_destroy(NULL) is a no-op. */
void framebox_destroy(FrameBoxes *fb);
/* Forgets every box; the frame size becomes width × height. */
void framebox_reset(FrameBoxes *fb, int width, int height);
/* Records one text; `text` is copied. */
void framebox_add(FrameBoxes *fb, const FrameBox *box);
size_t framebox_count(const FrameBoxes *fb);
/* Box i (valid until the next add or reset). */
const FrameBox *framebox_get(const FrameBoxes *fb, size_t i);
/* "node-name", "badge", ... */
const char *framebox_role_name(FrameTextRole role);

/* Writes {"w":…, "h":…, "texts":[{"text", "x", "y", "w", "h", "px", "role", "clipped"}, …]}.
 * Returns false when the stream failed. */
bool framebox_write_json(const FrameBoxes *fb, FILE *out);

/* Minimum sizes at the design size (scale 1): node names, then kinds, packets and badges. */
#define FRAMEBOX_MIN_NAME_PX 16
#define FRAMEBOX_MIN_SMALL_PX 14

typedef struct {
    int text_overlaps;   /* pairs of canvas texts that overlap */
    int tile_overlaps;   /* canvas texts over a node tile not their own */
    int clipped;         /* node names and refusal labels not shown whole */
    int too_small;       /* canvas texts under their minimum size (scaled by `scale`) */
    int min_name_px;     /* smallest node name, or 0 when there is none */
    int min_small_px;    /* smallest kind, packet or badge, or 0 */
    char first[512];     /* the first problem in words, or "" */
} FrameCheck;

/* Checks the frame's canvas texts against each other and against the layout's node tiles.
 * Overlaps under 1 px (rounding) do not count. */
void framebox_check(const FrameBoxes *fb, const Layout *lay, FrameCheck *out);
/* True when the check found nothing. */
bool framebox_check_ok(const FrameCheck *c);

#endif
