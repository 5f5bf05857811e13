/* layout: where everything goes on screen — the window's regions (top bar, canvas, side panels,
 * caption bar, timeline) and every node's card — for a given window size and text scale.
 *
 * Owns: the node placement (role columns left to right: sender clients → outgoing servers →
 * incoming servers → filters → stores → reading clients, with twice the usual gap across the
 * Internet, outgoing → incoming; the sender's own store — linked to an outgoing server and to no
 * incoming server or filter — under its outgoing server or its client; each DNS resolver in a
 * row above the server that asks it most, the row in its least tangled order; or the
 * scenario's own positions) and the pixel
 * rectangles derived from it. Does not own the trace or the index (borrowed at create; they must
 * outlive it). SDL-free: tests check columns, reflow and overlap without a window.
 *
 * Units: pixels (floats), origin top-left. `scale` multiplies every size that holds text; it is
 * the user's text scale (Ctrl +/−) times an automatic factor for windows larger than the design
 * size (LAYOUT_DESIGN_W × LAYOUT_DESIGN_H), so a projector at 1920×1080 gets proportionally larger
 * labels.
 */
#ifndef MAILSIM_LAYOUT_H
#define MAILSIM_LAYOUT_H

#include "view/traceindex.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    float x, y, w, h;
} LayoutRect;

/* The size everything is designed for: a classroom projector's 1280×720. A window of this size
 * is drawn at scale 1; a larger one scales up (layout_resize). */
#define LAYOUT_DESIGN_W 1280
#define LAYOUT_DESIGN_H 720

#define LAYOUT_BADGE_ROW 23 /* height of one badge row under a node, at scale 1 */
/* Font sizes of a node's name (bold) and kind line at scale 1, in pixels: readable from the back
 * of a room at the design size, and never shrunk to fit — the columns make room instead. */
#define LAYOUT_NAME_PX 17
#define LAYOUT_NAME_MIN_PX 16 /* a crowded row of long names takes this size instead */
#define LAYOUT_KIND_PX 14

/* The width in pixels of `text` set in the player's sans face (bold or regular) at px pixels.
 * The player passes its font's measure; without one the layout estimates generously. */
typedef float (*LayoutMeasureFn)(void *ctx, const char *text, float px, bool bold);

typedef enum {
    REGION_TOPBAR,    /* clock, speed, title */
    REGION_CANVAS,    /* nodes, links, tokens */
    REGION_LOG,       /* event log (side panel, top) */
    REGION_INSPECTOR, /* inspector (side panel, bottom) */
    REGION_CAPTION,   /* caption bar */
    REGION_TIMELINE,  /* timeline strip */
    REGION_COUNT
} LayoutRegion;

/* Layout columns in left-to-right order; resolvers sit in the top row, not a column. */
typedef enum {
    COL_SENDER,
    COL_OUTGOING,
    COL_INCOMING,
    COL_FILTER,
    COL_STORE,
    COL_READER,
    COL_COUNT,
    COL_TOP_ROW = -1
} LayoutColumn;

typedef struct Layout Layout;

/* Assigns roles and columns from the index's trace. Never returns NULL; call layout_resize
 * before reading rectangles (a fresh layout has the design size, at scale 1). */
Layout *layout_create(const TraceIndex *ix);
/* layout_destroy(NULL) is a no-op. */
void layout_destroy(Layout *lay);

/* Measures names with fn(ctx, …) from now on (fn NULL: the estimate) and lays out again. */
void layout_set_measure(Layout *lay, LayoutMeasureFn fn, void *ctx);
/* What a node is called on screen, the one name the canvas and the log's routes use: a client's
 * label ("Bob's laptop"), else the node's name — for a server its host name ("mx2.b.example"),
 * the name its protocol lines and the log use. */
const char *layout_node_title(const Layout *lay, int32_t node);
/* The line under a node's name: a server's label when it has one ("backup MX"), else its kind. */
const char *layout_node_kind_line(const Layout *lay, int32_t node);
/* The width node i's name and kind line take, in pixels at the current scale and name size. */
float layout_label_need(const Layout *lay, int32_t node);
/* The kind line under a node's name: "outgoing server", "DNS resolver", ... */
const char *layout_kind_text(NodeKind kind);

/* Recomputes every rectangle for a window of width × height pixels and the user's text scale
 * (1 = default; clamped to 0.6..2.5). Sizes below 1×1 are treated as 1×1. */
void layout_resize(Layout *lay, int width, int height, float user_scale);
/* Shows or hides the side panel (log + inspector); the canvas takes its room. */
void layout_set_panel(Layout *lay, bool visible);
bool layout_panel_visible(const Layout *lay);

/* Nodes laid out (the trace's nodes). */
size_t layout_node_count(const Layout *lay);
int layout_width(const Layout *lay);
int layout_height(const Layout *lay);
/* The size node names are set in, in pixels (LAYOUT_NAME_PX, or LAYOUT_NAME_MIN_PX when the
 * row of columns needs the room; both times the scale; enlarged text (Ctrl +) that does not fit
 * steps back towards the 100 % size, never under it). */
float layout_name_px(const Layout *lay);
/* The size kind lines are set in: LAYOUT_KIND_PX at the layout's scale, less when enlarged text
 * had to give back its enlargement for the names to fit (never under LAYOUT_KIND_PX at 100 %). */
float layout_kind_px(const Layout *lay);
/* The effective scale for text and everything sized by it. */
float layout_scale(const Layout *lay);
/* The scale without the user's enlargement (Ctrl +; a reduction is kept): the floor that enlarged
 * text gives its enlargement back to when it does not fit. */
float layout_base_scale(const Layout *lay);

LayoutRect layout_region(const Layout *lay, LayoutRegion r);
/* Node i's icon tile: the square links attach to and tokens travel between. */
LayoutRect layout_node(const Layout *lay, int32_t node);
/* Under the tile: the name line and the kind line. */
LayoutRect layout_node_label(const Layout *lay, int32_t node);
/* The node's whole footprint: tile, name, kind and room for badges below. Footprints of the
 * automatic layout never overlap. */
LayoutRect layout_node_slot(const Layout *lay, int32_t node);
/* Centre of node i's tile. */
void layout_node_center(const Layout *lay, int32_t node, float *x, float *y);
/* Column of node i (COL_TOP_ROW for resolvers; COL_OUTGOING or COL_SENDER for the sender's own
 * store; scenario positions keep their role column). */
LayoutColumn layout_column(const Layout *lay, int32_t node);
/* True when the scenario positioned the nodes itself. */
bool layout_uses_scenario_positions(const Layout *lay);

/* The node whose tile or name contains (x, y), or TRACE_NONE. */
int32_t layout_node_at(const Layout *lay, float x, float y);
/* The region containing (x, y), or REGION_COUNT. */
LayoutRegion layout_region_at(const Layout *lay, float x, float y);

/* The path of the link a -> b as a quadratic Bézier: it starts where it leaves a's tile
 * (x0, y0), ends where it enters b's (x1, y1), with control point (cx, cy). A link whose straight
 * line would cross another node bends around it; a straight one has its control point halfway, so
 * travel along it is uniform. Pairs that are not links are drawn straight. */
void layout_link_curve(const Layout *lay, int32_t a, int32_t b, float *x0, float *y0, float *cx,
                       float *cy, float *x1, float *y1);
/* The start (x0, y0) of layout_link_curve(a, b). */
void layout_edge_point(const Layout *lay, int32_t a, int32_t b, float *x, float *y);

/* The lines drawn between nodes: the trace's links plus every pair that exchanged traffic. */
size_t layout_link_count(const Layout *lay);
void layout_link(const Layout *lay, size_t i, int32_t *a, int32_t *b);

/* How many times the drawn links cross each other: pairs of links with no node in common whose
 * curves (layout_link_curve, sampled as LAYOUT_CROSSING_STEPS straight pieces) intersect, each
 * crossing counted once. Links sharing a node meet at it and are not counted. Cost: every pair of
 * links, so a measure for tests and tools on classroom-sized traces, not for each frame. */
#define LAYOUT_CROSSING_STEPS 16
size_t layout_link_crossings(const Layout *lay);

/* ---- panels ---- */
/* Height of one event-log row, and how many rows fit. */
float layout_log_row_height(const Layout *lay);
int layout_log_rows(const Layout *lay);
/* The first row shown when `current` (or -1) is the current event of `total`: the current row
 * sits a third of the way down so what comes next is visible. */
int64_t layout_log_first_row(const Layout *lay, int64_t current, int64_t total);
/* Event row at y (given the first row shown), or -1. */
int64_t layout_log_row_at(const Layout *lay, float y, int64_t first, int64_t total);
/* The timeline bar (markers and cursor) inside REGION_TIMELINE. */
LayoutRect layout_timeline_bar(const Layout *lay);

/* True when two rectangles overlap (share interior area). */
bool layout_rects_overlap(LayoutRect a, LayoutRect b);

#endif
