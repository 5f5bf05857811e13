/* layout: regions and node placement (see layout.h).
 *
 * Columns come from roles once, at create; a sender's own store joins the sender side (under its
 * outgoing server or its client) so bounces come home next to the sender. Column centres are one
 * unit apart, two across the Internet (outgoing -> incoming), the hop the lessons are about.
 * At every resize: regions first; then each column's nodes form an evenly spaced block on the
 * band's main line, ordered by the mean height of the nodes they talk to and slid by half steps
 * to where they line up best with them (four passes, left to right), so a lesson's main path runs
 * straight across; a sender's store hangs just under the node it belongs to and pulls no one.
 * A column with one node gets the full footprint (three badge rows); a fuller column gets room to
 * slide, or shares the band evenly. Resolvers go in a row above, each over the node that asks it
 * most, swept apart horizontally. Then links that would cross another node (its tile, name or
 * first badge row) are bent into a quadratic curve around it. Last, a small top row is tried in
 * every order of its places and the least tangled kept (crossings, links over nodes).
 */
#include "view/layout.h"

#include "util/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Width of the gap across the Internet (outgoing -> incoming column), in ordinary column gaps. */
#define INTERNET_GAP 2.0f
/* Links are bent around nodes only up to this many nodes, and while nodes × links stays within
 * the budget (each try samples a curve against every node): about 0.1 s of routing. */
#define ROUTE_MAX_NODES 200
#define ROUTE_BUDGET 40000.0
/* The top row's order is searched (order_top_row) up to this many resolvers and links. */
#define TOP_ROW_SEARCH_MAX 4
#define TOP_ROW_SEARCH_LINKS 64
#define TANGLE_CROSSING 4 /* a crossing weighs as much as 4 of 24 samples over another node */
/* Windows narrower than this many pixels get no side panel: the canvas needs the room. */
#define PANEL_MIN_W 720

/* A rectangle by its corners. */
typedef struct {
    float x0, y0, x1, y1;
} Box;

typedef struct {
    int32_t a, b; /* a < b */
    uint32_t weight;
    double pull; /* log2(weight + 1): how strongly the link pulls its ends into line */
    float cx, cy; /* quadratic Bézier control point (the midpoint for a straight link) */
} Edge;

/* One offset a column's block may slide by, and the pull of its nodes' neighbours there. */
typedef struct {
    float off;
    double cost;
    uint32_t index; /* its place among the candidates, tried in this order */
} SlideCandidate;

/* One neighbour's pull on a block: it costs weight × |offset − at| (at: the offset that would
 * put the node it pulls level with it). */
typedef struct {
    double at, weight;
} Pull;

struct Layout {
    const TraceIndex *ix;
    const Trace *tr;
    size_t n;
    int8_t *column;  /* LayoutColumn per node */
    int32_t *owner;  /* resolver -> node that asks it most, or -1 */
    int32_t *anchor; /* a sender's own store -> the node it sits under (same column), or -1 */
    Edge *edges;
    size_t edge_count;
    /* Each node's edges, in edge order: node i's are adj_edge[adj_first[i] .. adj_first[i + 1]).
     * Placement asks about a node's neighbours many times; a scan of every edge per question
     * made a 1 000-domain trace take minutes to lay out. */
    uint32_t *adj_first, *adj_edge;
    float *traffic; /* per node: the weight of all its edges */
    bool scenario_pos; /* every node has a scenario position */
    bool panel;
    int width, height;
    float scale, user_scale;
    LayoutRect regions[REGION_COUNT];
    LayoutRect *cards, *slots, *labels;
    float *cy; /* scratch: centre y per node */
    Box *obstacles; /* routing: per node, what a link must not cross */
    /* Scratch for place_column, sized once at create: a node's place in its column's order,
     * the block's candidate offsets (2 per node + 1) and its nodes' pulls (2 per edge). */
    int32_t *slot_of;
    SlideCandidate *cand;
    Pull *pulls;
    LayoutMeasureFn measure;
    void *measure_ctx;
    float name_px; /* node names' size at this scale (size_columns) */
    float kind_px; /* kind lines' size ("outgoing server"), likewise */
    float spacing_scale; /* the scale of the room around names (size_columns): the layout's,
                          * or 100 %'s when enlarged text does not fit even given back */
};

/* The lower bound wins when the bounds cross (hi < lo happens in a window smaller than the
 * margins): sizes stay at their minimum instead of turning negative. */
static float clampf(float v, float lo, float hi)
{
    v = v > hi ? hi : v;
    return v < lo ? lo : v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Builds the adjacency lists and per-node traffic from the edges (a counting sort by node). */
static void index_edges(Layout *lay)
{
    size_t n = lay->n;
    lay->adj_first = xcalloc(n + 2, sizeof *lay->adj_first);
    lay->adj_edge = xmalloc((2 * lay->edge_count + 1) * sizeof *lay->adj_edge);
    lay->traffic = xcalloc(n + 1, sizeof *lay->traffic);
    for (size_t e = 0; e < lay->edge_count; e++) {
        lay->adj_first[lay->edges[e].a + 2]++;
        lay->adj_first[lay->edges[e].b + 2]++;
    }
    for (size_t i = 2; i < n + 2; i++) {
        lay->adj_first[i] += lay->adj_first[i - 1];
    }
    /* adj_first[i + 1] is now where node i's list starts; filling it moves it to the end,
     * which is where node i + 1's list starts. */
    for (size_t e = 0; e < lay->edge_count; e++) {
        const Edge *ed = &lay->edges[e];
        lay->adj_edge[lay->adj_first[ed->a + 1]++] = (uint32_t)e;
        lay->adj_edge[lay->adj_first[ed->b + 1]++] = (uint32_t)e;
        lay->edges[e].pull = log2((double)ed->weight + 1.0);
        lay->traffic[ed->a] += (float)ed->weight;
        lay->traffic[ed->b] += (float)ed->weight;
    }
}

/* Unique undirected node pairs that talk (links and travelling events), weighted by traffic. */
static void collect_edges(Layout *lay)
{
    const Trace *tr = lay->tr;
    size_t n_ev = trace_count(tr), n_links = trace_link_count(tr);
    uint64_t *pairs = xmalloc((n_ev + n_links + 1) * sizeof *pairs);
    size_t np = 0;
    for (size_t i = 0; i < n_links; i++) {
        const TraceLink *l = trace_link(tr, (int32_t)i);
        uint32_t a = (uint32_t)(l->a < l->b ? l->a : l->b), b = (uint32_t)(l->a < l->b ? l->b : l->a);
        pairs[np++] = ((uint64_t)a << 32) | b;
    }
    const TraceEvent *ev = trace_events(tr);
    for (size_t i = 0; i < n_ev; i++) {
        if (!traceindex_travels(lay->ix, (uint32_t)i) || ev[i].from == ev[i].to) {
            continue;
        }
        uint32_t a = (uint32_t)(ev[i].from < ev[i].to ? ev[i].from : ev[i].to);
        uint32_t b = (uint32_t)(ev[i].from < ev[i].to ? ev[i].to : ev[i].from);
        pairs[np++] = ((uint64_t)a << 32) | b;
    }
    qsort(pairs, np, sizeof *pairs, cmp_u64);
    lay->edges = xmalloc((np + 1) * sizeof *lay->edges);
    for (size_t i = 0; i < np; i++) {
        if (lay->edge_count && pairs[i] == pairs[i - 1]) {
            lay->edges[lay->edge_count - 1].weight++;
            continue;
        }
        lay->edges[lay->edge_count++] =
            (Edge){ (int32_t)(pairs[i] >> 32), (int32_t)(pairs[i] & 0xffffffffu), 1, 0, 0, 0 };
    }
    free(pairs);
    index_edges(lay);
}

/* The node at the other end of edge `ed` from i, or -1 when i is not on it. */
static int32_t edge_other(const Edge *ed, int32_t i)
{
    return ed->a == i ? ed->b : ed->b == i ? ed->a : -1;
}

static LayoutColumn client_column(const Layout *lay, int32_t i)
{
    if (traceindex_client_sends(lay->ix, i)) {
        return COL_SENDER;
    }
    if (traceindex_client_reads(lay->ix, i)) {
        return COL_READER;
    }
    /* Idle in this trace: guess from what it is linked to. */
    for (uint32_t k = lay->adj_first[i]; k < lay->adj_first[i + 1]; k++) {
        const Edge *ed = &lay->edges[lay->adj_edge[k]];
        int32_t other = edge_other(ed, i);
        if (other >= 0 && trace_node(lay->tr, other)->kind == NODE_OUTGOING) {
            return COL_SENDER;
        }
    }
    return COL_READER;
}

/* The neighbour of i of the given kind with the most traffic, or -1. */
static int32_t busiest_neighbour(const Layout *lay, int32_t i, NodeKind kind)
{
    int32_t best = -1;
    uint32_t best_w = 0;
    for (uint32_t k = lay->adj_first[i]; k < lay->adj_first[i + 1]; k++) {
        const Edge *ed = &lay->edges[lay->adj_edge[k]];
        int32_t other = edge_other(ed, i);
        if (other >= 0 && trace_node(lay->tr, other)->kind == kind && ed->weight > best_w) {
            best_w = ed->weight;
            best = other;
        }
    }
    return best;
}

/* A store linked to an outgoing server and to no incoming server or filter is the sender's own
 * (the one the sending client reads, where its server delivers bounces): it goes to the sender
 * side, so a bounce comes home next to the sender instead of crossing the canvas. It sits under
 * its outgoing server or under the client that reads it, whichever column is emptier; on a tie,
 * under a lone server (both keep two badge rows), else under the client (a client shows at most
 * one badge; a server's queue, retry and bounce badges matter more). Its anchor is the node it
 * sits under. */
static void place_sender_stores(Layout *lay)
{
    size_t per_col[COL_COUNT] = { 0 };
    for (size_t i = 0; i < lay->n; i++) {
        lay->anchor[i] = -1;
        if (lay->column[i] >= 0 && lay->column[i] < COL_COUNT) {
            per_col[lay->column[i]]++;
        }
    }
    for (size_t i = 0; i < lay->n; i++) {
        int32_t si = (int32_t)i;
        if (trace_node(lay->tr, si)->kind != NODE_STORE) {
            continue;
        }
        int32_t out = busiest_neighbour(lay, si, NODE_OUTGOING);
        if (out < 0 || busiest_neighbour(lay, si, NODE_INCOMING) >= 0 ||
            busiest_neighbour(lay, si, NODE_FILTER) >= 0) {
            continue;
        }
        int32_t client = busiest_neighbour(lay, si, NODE_CLIENT);
        size_t ns = per_col[COL_SENDER], no = per_col[COL_OUTGOING];
        bool under_client = client >= 0 && lay->column[client] == COL_SENDER &&
                            (ns < no || (ns == no && no > 1));
        int col = under_client ? COL_SENDER : COL_OUTGOING;
        per_col[lay->column[i]]--;
        per_col[col]++;
        lay->column[i] = (int8_t)col;
        lay->anchor[i] = under_client ? client : out;
    }
}

static void assign_columns(Layout *lay)
{
    for (size_t i = 0; i < lay->n; i++) {
        switch (trace_node(lay->tr, (int32_t)i)->kind) {
        case NODE_CLIENT: lay->column[i] = (int8_t)client_column(lay, (int32_t)i); break;
        case NODE_OUTGOING: lay->column[i] = COL_OUTGOING; break;
        case NODE_INCOMING: lay->column[i] = COL_INCOMING; break;
        case NODE_FILTER: lay->column[i] = COL_FILTER; break;
        case NODE_STORE: lay->column[i] = COL_STORE; break;
        case NODE_RESOLVER:
        case NODE_KIND_COUNT: lay->column[i] = COL_TOP_ROW; break;
        }
    }
    place_sender_stores(lay);
    /* A resolver's owner: the non-resolver it exchanges the most traffic with. */
    for (size_t i = 0; i < lay->n; i++) {
        lay->owner[i] = -1;
        if (lay->column[i] != COL_TOP_ROW) {
            continue;
        }
        uint32_t best = 0;
        for (uint32_t k = lay->adj_first[i]; k < lay->adj_first[i + 1]; k++) {
            const Edge *ed = &lay->edges[lay->adj_edge[k]];
            int32_t other = edge_other(ed, (int32_t)i);
            if (other >= 0 && lay->column[other] != COL_TOP_ROW && ed->weight > best) {
                best = ed->weight;
                lay->owner[i] = other;
            }
        }
    }
}

Layout *layout_create(const TraceIndex *ix)
{
    Layout *lay = xcalloc(1, sizeof *lay);
    lay->ix = ix;
    lay->tr = traceindex_trace(ix);
    lay->n = trace_node_count(lay->tr);
    lay->column = xcalloc(lay->n + 1, sizeof *lay->column);
    lay->owner = xcalloc(lay->n + 1, sizeof *lay->owner);
    lay->anchor = xcalloc(lay->n + 1, sizeof *lay->anchor);
    lay->cards = xcalloc(lay->n + 1, sizeof *lay->cards);
    lay->slots = xcalloc(lay->n + 1, sizeof *lay->slots);
    lay->labels = xcalloc(lay->n + 1, sizeof *lay->labels);
    lay->cy = xcalloc(lay->n + 1, sizeof *lay->cy);
    lay->obstacles = xcalloc(lay->n + 1, sizeof *lay->obstacles);
    lay->slot_of = xcalloc(lay->n + 1, sizeof *lay->slot_of);
    lay->cand = xcalloc(2 * lay->n + 1, sizeof *lay->cand);
    lay->panel = true;
    collect_edges(lay);
    lay->pulls = xcalloc(2 * lay->edge_count + 1, sizeof *lay->pulls);
    assign_columns(lay);
    lay->scenario_pos = lay->n > 0;
    for (size_t i = 0; i < lay->n; i++) {
        lay->scenario_pos &= trace_node(lay->tr, (int32_t)i)->has_pos;
    }
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    return lay;
}

void layout_destroy(Layout *lay)
{
    if (!lay) {
        return;
    }
    free(lay->column);
    free(lay->owner);
    free(lay->anchor);
    free(lay->edges);
    free(lay->adj_first);
    free(lay->adj_edge);
    free(lay->traffic);
    free(lay->cards);
    free(lay->slots);
    free(lay->labels);
    free(lay->cy);
    free(lay->slot_of);
    free(lay->obstacles);
    free(lay->cand);
    free(lay->pulls);
    free(lay);
}

/* ---- names ---- */

static const char *const KIND_TEXT[NODE_KIND_COUNT] = {
    [NODE_CLIENT] = "mail client",     [NODE_OUTGOING] = "outgoing server",
    [NODE_RESOLVER] = "DNS resolver",  [NODE_INCOMING] = "incoming server",
    [NODE_FILTER] = "spam filter",     [NODE_STORE] = "mail store",
};

const char *layout_kind_text(NodeKind kind)
{
    return kind < NODE_KIND_COUNT ? KIND_TEXT[kind] : "";
}

const char *layout_node_title(const Layout *lay, int32_t node)
{
    const TraceNode *n = trace_node(lay->tr, node);
    const char *label = trace_str(lay->tr, n->label);
    return label[0] && n->kind == NODE_CLIENT ? label : trace_str(lay->tr, n->name);
}

const char *layout_node_kind_line(const Layout *lay, int32_t node)
{
    const TraceNode *n = trace_node(lay->tr, node);
    const char *label = trace_str(lay->tr, n->label);
    return label[0] && n->kind != NODE_CLIENT ? label : layout_kind_text(n->kind);
}

/* Without the player's font: DejaVu Sans averages about 0.55 em a character in host names
 * (0.62 bold); the estimate rounds up. */
static float estimate_width(const char *text, float px, bool bold)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        chars += (*p & 0xc0) != 0x80;
    }
    return (float)chars * px * (bold ? 0.64f : 0.56f);
}

/* The width node i's name and kind line need, in pixels at the current scale. */
static float label_need(const Layout *lay, int32_t i)
{
    float s = lay->scale;
    const char *name = layout_node_title(lay, i);
    const char *kind = layout_node_kind_line(lay, i);
    float nw = lay->measure ? lay->measure(lay->measure_ctx, name, lay->name_px, true)
                            : estimate_width(name, lay->name_px, true);
    float kpx = lay->kind_px > 0 ? lay->kind_px : LAYOUT_KIND_PX * s;
    float kw = lay->measure ? lay->measure(lay->measure_ctx, kind, kpx, false)
                            : estimate_width(kind, kpx, false);
    return ceilf(fmaxf(nw, kw)) + 4 * (lay->spacing_scale > 0 ? lay->spacing_scale : s);
}

float layout_label_need(const Layout *lay, int32_t node)
{
    return label_need(lay, node);
}

void layout_set_measure(Layout *lay, LayoutMeasureFn fn, void *ctx)
{
    lay->measure = fn;
    lay->measure_ctx = ctx;
    layout_resize(lay, lay->width, lay->height, lay->user_scale);
}

/* ---- regions ---- */

static void place_regions(Layout *lay)
{
    float W = (float)lay->width, H = (float)lay->height, s = lay->scale;
    float top = roundf(46 * s), timeline = roundf(52 * s), caption = roundf(78 * s);
    if (top + timeline + caption > H * 0.6f) { /* tiny windows: keep the canvas visible */
        float k = H * 0.6f / (top + timeline + caption);
        top = floorf(top * k);
        timeline = floorf(timeline * k);
        caption = floorf(caption * k);
    }
    float side = 0;
    if (lay->panel && W >= PANEL_MIN_W) {
        /* A quarter of the width: the canvas needs the rest for full-size names. Text enlarged
         * by the user (Ctrl +) does not widen it past that quarter: the canvas's names need the
         * room more than the log's lines, which are cut anyway. */
        float at_100 = layout_base_scale(lay);
        side = roundf(clampf(W * 0.245f, 300 * at_100, 540 * s));
        side = side > W * 0.45f ? roundf(W * 0.45f) : side;
    }
    float body_h = H - top - timeline - caption;
    body_h = body_h < 1 ? 1 : body_h;
    lay->regions[REGION_TOPBAR] = (LayoutRect){ 0, 0, W, top };
    lay->regions[REGION_CANVAS] = (LayoutRect){ 0, top, W - side, body_h };
    float log_h = roundf(body_h * 0.42f);
    lay->regions[REGION_LOG] = (LayoutRect){ W - side, top, side, side > 0 ? log_h : 0 };
    lay->regions[REGION_INSPECTOR] =
        (LayoutRect){ W - side, top + log_h, side, side > 0 ? body_h - log_h : 0 };
    lay->regions[REGION_CAPTION] = (LayoutRect){ 0, top + body_h, W, caption };
    lay->regions[REGION_TIMELINE] = (LayoutRect){ 0, top + body_h + caption, W, timeline };
}

/* ---- nodes ---- */

/* A node's footprint, top to bottom: the icon tile (what links attach to), the name line, the
 * kind line ("outgoing server"), then room for badges. */
typedef struct {
    float tile, label_w, name_h, kind_h, badge_h, gap;
} Metrics;

static float footprint(const Metrics *m)
{
    return m->tile + m->name_h + m->kind_h + m->badge_h;
}

/* Pushes sorted centres apart to at least `gap` and keeps them inside [lo, hi]. */
static void sweep_apart(float *pos, size_t k, float gap, float lo, float hi)
{
    if (k == 0) {
        return;
    }
    if (gap * (float)(k - 1) > hi - lo) { /* cannot fit: spread evenly */
        for (size_t j = 0; j < k; j++) {
            pos[j] = k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * (float)j / (float)(k - 1);
        }
        return;
    }
    for (size_t j = 0; j < k; j++) {
        float min = j ? pos[j - 1] + gap : lo;
        pos[j] = pos[j] < min ? min : pos[j];
    }
    for (size_t j = k; j-- > 0;) {
        float max = j + 1 < k ? pos[j + 1] - gap : hi;
        pos[j] = pos[j] > max ? max : pos[j];
    }
}

typedef struct {
    int32_t node;
    float key;
    float weight; /* traffic: the busier node goes first among equals */
    int follower; /* 1 for a sender's store: right after its anchor, which has the same key */
} Order;

static int cmp_order(const void *a, const void *b)
{
    const Order *x = a, *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    if (x->weight != y->weight) {
        return x->weight > y->weight ? -1 : 1;
    }
    if (x->follower != y->follower) {
        return x->follower - y->follower;
    }
    return x->node < y->node ? -1 : x->node > y->node;
}

/* Mean centre-y of node i's neighbours outside its column (weighted), or its own y. A sender's
 * store counts here (a client that reads its store sits nearer it, so its link to the store
 * does not cross a neighbour's link to the server above) though it neither pulls nor is pulled
 * when a block slides. */
static float neighbour_mean_y(const Layout *lay, int32_t i)
{
    double sum = 0, w = 0;
    for (uint32_t k = lay->adj_first[i]; k < lay->adj_first[i + 1]; k++) {
        const Edge *ed = &lay->edges[lay->adj_edge[k]];
        int32_t other = edge_other(ed, i);
        if (other < 0 || lay->column[other] == COL_TOP_ROW || lay->column[other] == lay->column[i]) {
            continue;
        }
        double wt = ed->pull;
        sum += wt * lay->cy[other];
        w += wt;
    }
    return w > 0 ? (float)(sum / w) : lay->cy[i];
}

static int cmp_pull(const void *a, const void *b)
{
    double x = ((const Pull *)a)->at, y = ((const Pull *)b)->at;
    return x < y ? -1 : x > y;
}

static int cmp_candidate_off(const void *a, const void *b)
{
    const SlideCandidate *x = a, *y = b;
    if (x->off != y->off) {
        return x->off < y->off ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_candidate_index(const void *a, const void *b)
{
    uint32_t x = ((const SlideCandidate *)a)->index, y = ((const SlideCandidate *)b)->index;
    return x < y ? -1 : x > y;
}

/* The weighted distance of the block's nodes to their neighbours outside the column at every
 * candidate offset (a sender's store follows its anchor: it neither pulls nor is pulled).
 * The cost is a sum of |offset − at| terms, so one sweep over the pulls and the candidates, both
 * sorted, prices them all: O((links + nodes) log) where trying each offset on each node's links
 * was quadratic in a column's size. Leaves cand[] in its original order. */
static void slide_costs(Layout *lay, const Order *scratch, size_t k, float mid, float step,
                        SlideCandidate *cand, size_t nc)
{
    size_t np = 0;
    Pull *pulls = lay->pulls;
    for (size_t j = 0; j < k; j++) {
        int32_t i = scratch[j].node;
        if (lay->anchor[i] >= 0) {
            continue;
        }
        float base = mid + ((float)j - (float)(k - 1) / 2) * step;
        for (uint32_t q = lay->adj_first[i]; q < lay->adj_first[i + 1]; q++) {
            const Edge *ed = &lay->edges[lay->adj_edge[q]];
            int32_t other = edge_other(ed, i);
            if (other < 0 || lay->column[other] == COL_TOP_ROW ||
                lay->column[other] == lay->column[i] || lay->anchor[other] >= 0) {
                continue;
            }
            pulls[np++] = (Pull){ (double)lay->cy[other] - base, ed->pull };
        }
    }
    qsort(pulls, np, sizeof *pulls, cmp_pull);
    qsort(cand, nc, sizeof *cand, cmp_candidate_off);
    double w_total = 0, wa_total = 0;
    for (size_t q = 0; q < np; q++) {
        w_total += pulls[q].weight;
        wa_total += pulls[q].weight * pulls[q].at;
    }
    /* Left of the offset: weight × (off − at); right of it: weight × (at − off). */
    double w_left = 0, wa_left = 0;
    size_t q = 0;
    for (size_t c = 0; c < nc; c++) {
        double off = cand[c].off;
        while (q < np && pulls[q].at <= off) {
            w_left += pulls[q].weight;
            wa_left += pulls[q].weight * pulls[q].at;
            q++;
        }
        double cost = off * w_left - wa_left + (wa_total - wa_left) - off * (w_total - w_left);
        cand[c].cost = cost > 0 ? cost : 0;
    }
    qsort(cand, nc, sizeof *cand, cmp_candidate_index);
}

/* The vertical frame a column is placed in. Positions are tile centres; a footprint reaches
 * `above` over its tile centre and `below` under it (name, kind, badges). */
typedef struct {
    float band_lo, band_hi; /* the main band */
    float mid;              /* where a lone node's tile centre goes: the lesson's main line */
    float above, below;     /* extents of this column's footprints around the tile centre */
    float step;             /* distance between tile centres in this column */
} ColumnFrame;

/* Places one column's nodes as an evenly spaced block on the main line, in the order of their
 * neighbours' mean height, then slides the block by half steps to where its nodes sit closest to
 * their neighbours (so the lesson's main path runs straight across). */
static void place_column(Layout *lay, int col, const ColumnFrame *f, bool relax, Order *scratch,
                         float *pos)
{
    size_t k = 0;
    for (size_t i = 0; i < lay->n; i++) {
        if (lay->column[i] == col) {
            scratch[k].node = (int32_t)i;
            scratch[k].key = relax ? neighbour_mean_y(lay, (int32_t)i) : 0;
            scratch[k].weight = lay->traffic[i];
            scratch[k].follower = 0;
            k++;
        }
    }
    if (k == 0) {
        return;
    }
    /* A sender's store takes its anchor's place in the order, just after it (slot[] finds the
     * anchor's entry without a scan of the column per store). */
    for (size_t j = 0; j < k; j++) {
        lay->slot_of[scratch[j].node] = (int32_t)j;
    }
    for (size_t j = 0; j < k; j++) {
        int32_t a = lay->anchor[scratch[j].node];
        if (a >= 0 && lay->column[a] == col) {
            const Order *q = &scratch[lay->slot_of[a]];
            scratch[j].key = q->key;
            scratch[j].weight = q->weight;
            scratch[j].follower = 1;
        }
    }
    qsort(scratch, k, sizeof *scratch, cmp_order);
    float step = f->step, lo = f->band_lo + f->above, hi = f->band_hi - f->below;
    if (step * (float)(k - 1) > hi - lo + 0.5f) {
        for (size_t j = 0; j < k; j++) {
            pos[j] = k == 1 ? f->mid : lo + (hi - lo) * (float)j / (float)(k - 1);
            lay->cy[scratch[j].node] = pos[j];
        }
        return;
    }
    /* Where the block centres on the main line: its nodes without the sender's stores that
     * hang under them, so a server with its store below stays on the line. */
    float lead = 0, leaders = 0;
    for (size_t j = 0; j < k; j++) {
        if (!scratch[j].follower) {
            lead += (float)j - (float)(k - 1) / 2;
            leaders++;
        }
    }
    lead = leaders > 0 ? lead / leaders * step : 0;
    /* The candidate offsets: half steps, slid back inside the band when they overshoot it. */
    size_t nc = 2 * k + 1;
    SlideCandidate *cand = lay->cand;
    for (size_t c = 0; c < nc; c++) {
        float off = ((float)c - (float)k) * step / 2;
        float first = f->mid + (0 - (float)(k - 1) / 2) * step + off;
        float last = f->mid + ((float)(k - 1) / 2) * step + off;
        off -= last > hi ? last - hi : 0;
        off += first < lo ? lo - first : 0;
        cand[c] = (SlideCandidate){ off, 0, (uint32_t)c };
    }
    if (relax) {
        slide_costs(lay, scratch, k, f->mid, step, cand, nc);
    }
    float best_off = 0, best_cost = INFINITY, prev_off = NAN;
    for (size_t c = 0; c < nc; c++) {
        float off = cand[c].off;
        if (off == prev_off) { /* clamped to the same place: the same cost (a full column) */
            continue;
        }
        prev_off = off;
        float cost = (float)cand[c].cost + fabsf(off + lead) * 1e-3f; /* ties: stay centred */
        if (cost < best_cost) {
            best_cost = cost;
            best_off = off;
        }
    }
    for (size_t j = 0; j < k; j++) {
        pos[j] = f->mid + ((float)j - (float)(k - 1) / 2) * step + best_off;
        lay->cy[scratch[j].node] = pos[j];
    }
}

static void set_card(Layout *lay, int32_t i, float cx, float cy, const Metrics *m)
{
    /* cy is the centre of the tile; the footprint hangs below it. */
    float top = cy - m->tile / 2;
    lay->slots[i] = (LayoutRect){ roundf(cx - m->label_w / 2), roundf(top), roundf(m->label_w),
                                  roundf(footprint(m)) };
    lay->cards[i] = (LayoutRect){ roundf(cx - m->tile / 2), roundf(top), roundf(m->tile),
                                  roundf(m->tile) };
    lay->labels[i] = (LayoutRect){ roundf(cx - m->label_w / 2), roundf(top + m->tile),
                                   roundf(m->label_w), roundf(m->name_h + m->kind_h) };
}

static void place_scenario(Layout *lay, LayoutRect c, const Metrics *m)
{
    float pad = 12 * lay->scale;
    for (size_t i = 0; i < lay->n; i++) {
        const TraceNode *nd = trace_node(lay->tr, (int32_t)i);
        float cx = c.x + pad + m->label_w / 2 + clampf(nd->x, 0, 1) * (c.w - 2 * pad - m->label_w);
        float cy = c.y + pad + m->tile / 2 + clampf(nd->y, 0, 1) * (c.h - 2 * pad - footprint(m));
        set_card(lay, (int32_t)i, cx, cy, m);
    }
}

/* What the automatic placement works from, worked out once per resize by plan_placement. */
typedef struct {
    LayoutRect canvas;
    float pad;                 /* margin inside the canvas */
    float unit;                /* one column unit in pixels (see column_units) */
    float units[COL_COUNT];    /* each used column's centre, in units from the left margin */
    float colx[COL_COUNT];     /* each used column's centre, in pixels */
    float colw[COL_COUNT];     /* each used column's label width: its widest name or kind, and
                                * its share of the room left over */
    size_t per_col[COL_COUNT]; /* nodes per column (the top row not counted) */
    size_t fullest;            /* nodes in the fullest column, at least 1 */
    Metrics m, tm;             /* a column node's footprint; a top-row node's */
    float band_lo, band_hi;    /* the main band, under the top row */
} Placement;

/* Column centres in units: half a unit at each end, one unit between neighbouring columns,
 * INTERNET_GAP units across the Internet (sender side -> receiving side), the hop the lesson is
 * about, so envelopes and refusals have room to travel and be read there. Fills units[] for the
 * columns in use and returns the total width in units. */
static float column_units(const Layout *lay, float units[COL_COUNT])
{
    float total = 0;
    int prev = -1;
    for (int col = 0; col < COL_COUNT; col++) {
        bool used = false;
        for (size_t i = 0; i < lay->n && !used; i++) {
            used = lay->column[i] == col;
        }
        if (used) {
            bool internet = prev <= COL_OUTGOING && col >= COL_INCOMING;
            total += prev < 0 ? 0.5f : internet ? INTERNET_GAP : 1.0f;
            units[col] = total;
            prev = col;
        }
    }
    return total + 0.5f;
}

/* The footprints for a column `unit` pixels wide: a column node's, and the top row's (smaller
 * tiles, badges beside the tile). */
static void size_footprints(const Layout *lay, float unit, Metrics *m, Metrics *tm)
{
    float s = lay->scale;
    *m = (Metrics){ 0 };
    m->gap = 8 * s;
    /* Neighbouring names are m->gap apart (badges may hang 4 px over each side of a name: they
     * can meet, never overlap); 2 px more absorb the rounding to whole pixels. */
    m->label_w = clampf(unit - m->gap - 2, 40, 220 * s);
    /* Tiles are icons, not text: enlarged text (Ctrl +) leaves them their size at 100 %, so the
     * room goes to the names and badges it enlarges. */
    float at_100 = layout_base_scale(lay);
    m->tile = clampf(52 * at_100, 16, unit * 0.6f);
    m->name_h = 20 * s; /* the line height of LAYOUT_NAME_PX bold */
    m->kind_h = 17 * s; /* of LAYOUT_KIND_PX */
    m->badge_h = 3 * LAYOUT_BADGE_ROW * s; /* up to three badge rows when there is room */
    *tm = *m;
    tm->tile = clampf(40 * at_100, 16, m->tile);
    tm->badge_h = 0;
}

/* Column centres and label widths from the names they hold: each used column first gets the
 * width of its widest name or kind line, neighbours `gap` apart; what is left of the canvas is
 * shared out in column units (column_units: the Internet gets twice the share), so names are
 * never shrunk while there is room anywhere on the row. Each column's labels may then spread to
 * halfway into the room beside them. When even the names do not fit, every column shrinks in
 * proportion (the renderer then cuts the longest names). */
/* The gaps between the used columns in ordinary gaps: the Internet's counts twice. */
static float column_gap_units(const int used[COL_COUNT], int k)
{
    float units = 0;
    for (int j = 1; j < k; j++) {
        units += used[j - 1] <= COL_OUTGOING && used[j] >= COL_INCOMING ? INTERNET_GAP : 1.0f;
    }
    return units;
}

/* The columns' label widths with names at the layout's name size; returns their total width
 * with the gaps between them, and fills used[] (their columns, left to right) and *k. */
static float column_needs(const Layout *lay, float gap, float need[COL_COUNT], int used[COL_COUNT],
                          int *k)
{
    for (int col = 0; col < COL_COUNT; col++) {
        need[col] = 0;
    }
    for (size_t i = 0; i < lay->n; i++) {
        int col = lay->column[i];
        if (col >= 0 && col < COL_COUNT) {
            need[col] = fmaxf(need[col], label_need(lay, (int32_t)i));
        }
    }
    float base = 0;
    *k = 0;
    for (int col = 0; col < COL_COUNT; col++) {
        if (need[col] > 0) {
            used[(*k)++] = col;
            base += need[col];
        }
    }
    return base + gap * column_gap_units(used, *k);
}

static void size_columns(Layout *lay, Placement *p, float total_units)
{
    float need[COL_COUNT], gap = p->m.gap + 2;
    lay->spacing_scale = lay->scale;
    float avail = fmaxf(p->canvas.w - 2 * p->pad, 0);
    int used[COL_COUNT], k = 0;
    lay->name_px = LAYOUT_NAME_PX * lay->scale;
    lay->kind_px = LAYOUT_KIND_PX * lay->scale;
    float base = column_needs(lay, gap, need, used, &k);
    if (base > avail) { /* a pixel smaller before any name is cut */
        lay->name_px = LAYOUT_NAME_MIN_PX * lay->scale;
        base = column_needs(lay, gap, need, used, &k);
    }
    /* Text enlarged by the user (Ctrl +) that no longer fits the row gives its enlargement back,
     * a pixel at a time, names and kinds together, down to their sizes at 100 %: a bigger name
     * that is cut reads worse than a smaller whole one. */
    float floor_scale = layout_base_scale(lay);
    while (base > avail && lay->name_px - 1 >= LAYOUT_NAME_MIN_PX * floor_scale) {
        lay->name_px -= 1;
        lay->kind_px = fmaxf(LAYOUT_KIND_PX * floor_scale,
                             lay->kind_px * lay->name_px / (lay->name_px + 1));
        base = column_needs(lay, gap, need, used, &k);
    }
    if (base > avail && lay->spacing_scale > floor_scale) { /* and the room around them */
        lay->spacing_scale = floor_scale;
        gap = 8 * floor_scale + 2;
        p->pad = 8 * floor_scale;
        avail = fmaxf(p->canvas.w - 2 * p->pad, 0);
        base = column_needs(lay, gap, need, used, &k);
    }
    if (k == 0) {
        return;
    }
    float squeeze = base > avail ? avail / base : 1.0f;
    float per_unit = base > avail ? 0 : (avail - base) / total_units;
    float left[COL_COUNT], right[COL_COUNT], x = p->canvas.x + p->pad;
    for (int j = 0; j < k; j++) {
        int col = used[j];
        float units = j == 0 ? p->units[col] : p->units[col] - p->units[used[j - 1]];
        x += units * per_unit + (j ? units * gap * squeeze : 0);
        left[col] = x;
        x += need[col] * squeeze;
        right[col] = x;
        p->colx[col] = (left[col] + right[col]) / 2;
    }
    for (int j = 0; j < k; j++) {
        int col = used[j];
        float lo = j ? (right[used[j - 1]] + left[col]) / 2 + gap / 2 : p->canvas.x + p->pad;
        float hi = j + 1 < k ? (right[col] + left[used[j + 1]]) / 2 - gap / 2
                             : p->canvas.x + p->canvas.w - p->pad;
        float half = fminf(p->colx[col] - lo, hi - p->colx[col]);
        p->colw[col] = clampf(2 * half, 0, 260 * lay->scale);
    }
}

/* When even tile + name + kind do not fit the fullest column's share of `avail` pixels, shrinks
 * them: the kind line first, then the tile, then the name. */
static void fit_fullest_column(Metrics *m, float avail, size_t fullest)
{
    float each = avail / (float)fullest - m->gap;
    if (m->tile + m->name_h + m->kind_h > each) {
        m->kind_h = each - m->tile - m->name_h < 0 ? 0 : m->kind_h;
        m->tile = clampf(each - m->name_h - m->kind_h, 14, m->tile);
        m->name_h = clampf(each - m->tile, 0, m->name_h);
    }
}

/* Fills p from the layout's columns and canvas: units, counts, footprints and the main band. */
static void plan_placement(Layout *lay, Placement *p)
{
    *p = (Placement){ 0 };
    p->canvas = lay->regions[REGION_CANVAS];
    float s = lay->scale;
    p->pad = 8 * s;
    float total = column_units(lay, p->units);
    /* One unit: the narrowest distance between columns (0 when the canvas is narrower than its
     * margins: the columns then stack instead of running backwards). */
    p->unit = fmaxf(p->canvas.w - 2 * p->pad, 0) / total;
    size_footprints(lay, p->unit, &p->m, &p->tm);
    size_columns(lay, p, total);
    bool have_top = false;
    p->fullest = 1;
    for (size_t i = 0; i < lay->n; i++) {
        if (lay->column[i] != COL_TOP_ROW) {
            p->per_col[lay->column[i]]++;
        } else {
            have_top = true;
        }
    }
    for (int col = 0; col < COL_COUNT; col++) {
        p->fullest = p->per_col[col] > p->fullest ? p->per_col[col] : p->fullest;
    }
    float top_h = have_top ? footprint(&p->tm) : 0;
    p->band_lo = p->canvas.y + p->pad + (have_top ? top_h + 10 * s : 0);
    p->band_hi = p->canvas.y + p->canvas.h - p->pad;
    fit_fullest_column(&p->m, p->band_hi - p->band_lo, p->fullest);
}

/* Tile + name + kind + the gap: a footprint without its badges. */
static float bare_footprint(const Metrics *m)
{
    return m->tile + m->name_h + m->kind_h + m->gap;
}

/* Each column's step: a lone node gets the full footprint; k nodes get room for k + 1
 * footprints so the block can slide to line up with its neighbours, as long as that still
 * leaves at least one badge row; otherwise they share the band evenly. */
static void column_steps(const Layout *lay, const Placement *p, float steps[COL_COUNT])
{
    float avail = p->band_hi - p->band_lo;
    float base = bare_footprint(&p->m), row = LAYOUT_BADGE_ROW * lay->scale;
    /* Enlarged text (Ctrl +) makes a badge row so tall that half the band may hold only one: a
     * store's Inbox and Junk then ask for two. */
    float rows = lay->user_scale > 1.0f ? 2.0f : 1.0f;
    for (int col = 0; col < COL_COUNT; col++) {
        float k = (float)(p->per_col[col] ? p->per_col[col] : 1);
        float step = avail / (k + 1);
        if (step < base + rows * row) {
            step = fminf(avail / k, base + rows * row);
        }
        steps[col] = fminf(step, base + p->m.badge_h);
    }
}

/* Places every column's nodes (four passes, each lining columns up with the last pass's
 * neighbours) and sets their cards, with the badge room their column's step leaves. */
static void place_columns(Layout *lay, const Placement *p, const float steps[COL_COUNT],
                          Order *scratch, float *pos)
{
    const Metrics *m = &p->m;
    float base = bare_footprint(m);
    float full_below = base + m->badge_h - m->gap - m->tile / 2;
    /* Where a lone footprint's tile centre goes: the footprint centred in the band. */
    float mid = (p->band_lo + p->band_hi + m->tile / 2 - full_below) / 2;
    for (int pass = 0; pass < 4; pass++) {
        for (int col = 0; col < COL_COUNT; col++) {
            ColumnFrame f = { p->band_lo, p->band_hi, mid, m->tile / 2,
                              p->per_col[col] > 1 ? steps[col] - m->gap - m->tile / 2 : full_below,
                              steps[col] };
            place_column(lay, col, &f, pass > 0, scratch, pos);
        }
    }
    for (size_t i = 0; i < lay->n; i++) {
        int col = lay->column[i];
        if (col != COL_TOP_ROW) {
            Metrics mc = *m;
            mc.badge_h = fmaxf(steps[col] - base, 0);
            mc.label_w = p->colw[col];
            float cx = p->colx[col];
            set_card(lay, (int32_t)i, cx, lay->cy[i], &mc);
        }
    }
}

/* The top row: resolvers over their owners (the canvas's middle without one), swept apart
 * horizontally. Needs the columns' cards. */
static void place_top_row(Layout *lay, const Placement *p, Order *scratch, float *pos)
{
    LayoutRect c = p->canvas;
    Metrics top = p->tm;
    const Metrics *tm = &top;
    size_t k = 0;
    float widest = 0;
    for (size_t i = 0; i < lay->n; i++) {
        if (lay->column[i] == COL_TOP_ROW) {
            widest = fmaxf(widest, label_need(lay, (int32_t)i));
        }
    }
    top.label_w = fmaxf(widest, 40);
    for (size_t i = 0; i < lay->n; i++) {
        if (lay->column[i] != COL_TOP_ROW) {
            continue;
        }
        int32_t o = lay->owner[i];
        float want = o >= 0 ? lay->cards[o].x + lay->cards[o].w / 2
                            : c.x + c.w / 2;
        scratch[k++] = (Order){ (int32_t)i, want, 0, 0 };
    }
    qsort(scratch, k, sizeof *scratch, cmp_order);
    for (size_t j = 0; j < k; j++) {
        pos[j] = scratch[j].key;
    }
    sweep_apart(pos, k, tm->label_w + tm->gap + 2, c.x + p->pad + tm->label_w / 2,
                c.x + c.w - p->pad - tm->label_w / 2);
    for (size_t j = 0; j < k; j++) {
        set_card(lay, scratch[j].node, pos[j], c.y + p->pad + tm->tile / 2, tm);
    }
}

/* Every node's card: the scenario's own positions when it gives them all, else the automatic
 * placement (columns, then the top row). */
static void place_nodes(Layout *lay)
{
    Placement p;
    plan_placement(lay, &p);
    if (lay->scenario_pos) {
        p.m.badge_h = 2 * LAYOUT_BADGE_ROW * lay->scale;
        place_scenario(lay, p.canvas, &p.m);
        return;
    }
    float steps[COL_COUNT];
    column_steps(lay, &p, steps);
    Order *scratch = xmalloc((lay->n + 1) * sizeof *scratch);
    float *pos = xmalloc((lay->n + 1) * sizeof *pos);
    place_columns(lay, &p, steps, scratch, pos);
    place_top_row(lay, &p, scratch, pos);
    free(scratch);
    free(pos);
}

/* ---- links ---- */

/* Each node's obstacle for routing: its tile, name and first badge row (when the footprint has
 * one), with `margin` around them. Worked out once per resize, not per sample. */
static void obstacle_boxes(Layout *lay, float margin)
{
    for (size_t i = 0; i < lay->n; i++) {
        LayoutRect t = lay->cards[i], l = lay->labels[i], sl = lay->slots[i];
        float x0 = fminf(t.x, l.x) - margin, x1 = fmaxf(t.x + t.w, l.x + l.w) + margin;
        float y0 = t.y - margin, y1 = fminf(l.y + l.h + LAYOUT_BADGE_ROW * lay->scale, sl.y + sl.h);
        y1 = fmaxf(y1, l.y + l.h) + margin;
        lay->obstacles[i] = (Box){ x0, y0, x1, y1 };
    }
}

/* True when the point is inside another node's obstacle (other than a and b). */
static bool point_blocked(const Layout *lay, float x, float y, int32_t a, int32_t b)
{
    for (size_t i = 0; i < lay->n; i++) {
        const Box *o = &lay->obstacles[i];
        if (x >= o->x0 && x <= o->x1 && y >= o->y0 && y <= o->y1 && (int32_t)i != a && (int32_t)i != b) {
            return true;
        }
    }
    return false;
}

/* How many of 24 samples along the curve a -> c -> b land on other nodes. */
static int curve_hits(const Layout *lay, const Edge *e, float cx, float cy)
{
    float ax, ay, bx, by;
    layout_node_center(lay, e->a, &ax, &ay);
    layout_node_center(lay, e->b, &bx, &by);
    int hits = 0;
    for (int k = 1; k < 24; k++) {
        float t = (float)k / 24, u = 1 - t;
        float x = u * u * ax + 2 * u * t * cx + t * t * bx, y = u * u * ay + 2 * u * t * cy + t * t * by;
        hits += point_blocked(lay, x, y, e->a, e->b);
    }
    return hits;
}

/* A link whose straight line would cross another node bends around it: the least bend, on the
 * side with fewest crossings, that clears every other node's tile and name. Skipped beyond
 * ROUTE_MAX_NODES or ROUTE_BUDGET (then links stay straight). */
static void route_links(Layout *lay)
{
    /* Each try samples the curve against every node: beyond the budget links stay straight, so
     * a trace with many nodes or links opens at once. */
    bool route = !lay->scenario_pos && lay->n <= ROUTE_MAX_NODES &&
                 (double)lay->n * (double)lay->edge_count <= ROUTE_BUDGET;
    if (route) {
        obstacle_boxes(lay, 4 * lay->scale);
    }
    for (size_t i = 0; i < lay->edge_count; i++) {
        Edge *e = &lay->edges[i];
        float ax, ay, bx, by;
        layout_node_center(lay, e->a, &ax, &ay);
        layout_node_center(lay, e->b, &bx, &by);
        e->cx = (ax + bx) / 2;
        e->cy = (ay + by) / 2;
        if (!route || curve_hits(lay, e, e->cx, e->cy) == 0) {
            continue;
        }
        float dx = bx - ax, dy = by - ay, len = sqrtf(dx * dx + dy * dy);
        if (len < 1) {
            continue;
        }
        float nx = -dy / len, ny = dx / len;
        if (ny > 0) { /* try the upper side first: the space below nodes holds their badges */
            nx = -nx;
            ny = -ny;
        }
        int best = curve_hits(lay, e, e->cx, e->cy);
        float best_x = e->cx, best_y = e->cy;
        static const float BENDS[] = { 0.18f, 0.3f, 0.45f, 0.6f };
        for (size_t k = 0; k < sizeof BENDS / sizeof BENDS[0] && best > 0; k++) {
            for (int side = 0; side < 2 && best > 0; side++) {
                float sgn = side ? -1.0f : 1.0f;
                float cx = (ax + bx) / 2 + sgn * nx * BENDS[k] * len;
                float cy = (ay + by) / 2 + sgn * ny * BENDS[k] * len;
                int h = curve_hits(lay, e, cx, cy);
                if (h < best) {
                    best = h;
                    best_x = cx;
                    best_y = cy;
                }
            }
        }
        e->cx = best_x;
        e->cy = best_y;
    }
}

/* How tangled the links are: each crossing counts TANGLE_CROSSING, each sample of a link's
 * curve that still lands on another node (routing found no clear bend) 1 — a link straight
 * through a node's tile and name misleads more than a crossing, one grazing a name less. */
static size_t tangle_score(const Layout *lay)
{
    size_t hits = 0;
    for (size_t i = 0; i < lay->edge_count; i++) {
        const Edge *e = &lay->edges[i];
        hits += (size_t)curve_hits(lay, e, e->cx, e->cy);
    }
    return layout_link_crossings(lay) * TANGLE_CROSSING + hits;
}

/* Moves node i's tile, label and footprint so its tile is centred at x. */
static void move_node_x(Layout *lay, int32_t i, float x)
{
    float dx = roundf(x - (lay->cards[i].x + lay->cards[i].w / 2));
    lay->cards[i].x += dx;
    lay->labels[i].x += dx;
    lay->slots[i].x += dx;
}

/* The top row's order: each resolver stands over the node that asks it most, but when two
 * such nodes share a column, or sit far from their resolvers, the order that puts each
 * resolver over its owner can still make links cross or run over a node. With a few resolvers
 * and links, every order of the row's places is tried (links routed for each) and the least
 * tangled kept (tangle_score); the first such order wins, so an untangled row stays as placed. */
static void order_top_row(Layout *lay)
{
    int32_t row[TOP_ROW_SEARCH_MAX];
    float xs[TOP_ROW_SEARCH_MAX];
    int k = 0;
    for (size_t i = 0; i < lay->n; i++) {
        if (lay->column[i] != COL_TOP_ROW) {
            continue;
        }
        if (k == TOP_ROW_SEARCH_MAX) {
            return;
        }
        row[k] = (int32_t)i;
        xs[k] = lay->cards[i].x + lay->cards[i].w / 2;
        k++;
    }
    if (k < 2 || lay->scenario_pos || lay->edge_count > TOP_ROW_SEARCH_LINKS ||
        lay->n > ROUTE_MAX_NODES) { /* (routed links only: tangle_score reads the obstacles) */
        return;
    }
    /* Heap's algorithm over the assignment of places to resolvers. */
    int perm[TOP_ROW_SEARCH_MAX], c[TOP_ROW_SEARCH_MAX] = { 0 }, best[TOP_ROW_SEARCH_MAX];
    for (int j = 0; j < k; j++) {
        perm[j] = best[j] = j;
    }
    size_t best_n = tangle_score(lay);
    for (int j = 1; j < k && best_n > 0;) {
        if (c[j] < j) {
            int a = j % 2 ? c[j] : 0, t = perm[a];
            perm[a] = perm[j];
            perm[j] = t;
            for (int q = 0; q < k; q++) {
                move_node_x(lay, row[q], xs[perm[q]]);
            }
            route_links(lay);
            size_t n = tangle_score(lay);
            if (n < best_n) {
                best_n = n;
                memcpy(best, perm, sizeof best);
            }
            c[j]++;
            j = 1;
        } else {
            c[j] = 0;
            j++;
        }
    }
    for (int q = 0; q < k; q++) {
        move_node_x(lay, row[q], xs[best[q]]);
    }
    route_links(lay);
}

void layout_resize(Layout *lay, int width, int height, float user_scale)
{
    lay->width = width < 1 ? 1 : width;
    lay->height = height < 1 ? 1 : height;
    float auto_scale = fminf((float)lay->width / (float)LAYOUT_DESIGN_W, (float)lay->height / (float)LAYOUT_DESIGN_H);
    auto_scale = clampf(auto_scale, 0.75f, 2.0f);
    lay->user_scale = clampf(user_scale, 0.6f, 2.5f);
    lay->scale = lay->user_scale * auto_scale;
    place_regions(lay);
    place_nodes(lay);
    route_links(lay);
    order_top_row(lay);
}

void layout_set_panel(Layout *lay, bool visible)
{
    lay->panel = visible;
    layout_resize(lay, lay->width, lay->height, lay->user_scale);
}

bool layout_panel_visible(const Layout *lay)
{
    return lay->regions[REGION_LOG].w > 0;
}

float layout_name_px(const Layout *lay)
{
    return lay->name_px;
}

float layout_base_scale(const Layout *lay)
{
    return lay->scale / fmaxf(lay->user_scale, 1.0f);
}

float layout_kind_px(const Layout *lay)
{
    return lay->kind_px > 0 ? lay->kind_px : LAYOUT_KIND_PX * lay->scale;
}

size_t layout_node_count(const Layout *lay)
{
    return lay->n;
}

int layout_width(const Layout *lay)
{
    return lay->width;
}

int layout_height(const Layout *lay)
{
    return lay->height;
}

float layout_scale(const Layout *lay)
{
    return lay->scale;
}

LayoutRect layout_region(const Layout *lay, LayoutRegion r)
{
    return (unsigned)r < REGION_COUNT ? lay->regions[r] : (LayoutRect){ 0, 0, 0, 0 };
}

LayoutRect layout_node(const Layout *lay, int32_t node)
{
    return node >= 0 && (size_t)node < lay->n ? lay->cards[node] : (LayoutRect){ 0, 0, 0, 0 };
}

LayoutRect layout_node_label(const Layout *lay, int32_t node)
{
    return node >= 0 && (size_t)node < lay->n ? lay->labels[node] : (LayoutRect){ 0, 0, 0, 0 };
}

LayoutRect layout_node_slot(const Layout *lay, int32_t node)
{
    return node >= 0 && (size_t)node < lay->n ? lay->slots[node] : (LayoutRect){ 0, 0, 0, 0 };
}

void layout_node_center(const Layout *lay, int32_t node, float *x, float *y)
{
    LayoutRect r = layout_node(lay, node);
    *x = r.x + r.w / 2;
    *y = r.y + r.h / 2;
}

LayoutColumn layout_column(const Layout *lay, int32_t node)
{
    return node >= 0 && (size_t)node < lay->n ? (LayoutColumn)lay->column[node] : COL_TOP_ROW;
}

bool layout_uses_scenario_positions(const Layout *lay)
{
    return lay->scenario_pos;
}

static bool contains(LayoutRect r, float x, float y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

int32_t layout_node_at(const Layout *lay, float x, float y)
{
    for (size_t i = lay->n; i-- > 0;) {
        if (contains(lay->cards[i], x, y) || contains(lay->labels[i], x, y)) {
            return (int32_t)i;
        }
    }
    return TRACE_NONE;
}

LayoutRegion layout_region_at(const Layout *lay, float x, float y)
{
    for (int r = 0; r < REGION_COUNT; r++) {
        if (contains(lay->regions[r], x, y)) {
            return (LayoutRegion)r;
        }
    }
    return REGION_COUNT;
}

static void clip_to_tile(const Layout *lay, int32_t a, float tx, float ty, float *x, float *y);

static const Edge *find_edge(const Layout *lay, int32_t a, int32_t b)
{
    int32_t lo_n = a < b ? a : b, hi_n = a < b ? b : a;
    size_t lo = 0, hi = lay->edge_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const Edge *e = &lay->edges[mid];
        if (e->a < lo_n || (e->a == lo_n && e->b < hi_n)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < lay->edge_count && lay->edges[lo].a == lo_n && lay->edges[lo].b == hi_n
               ? &lay->edges[lo]
               : NULL;
}

void layout_link_curve(const Layout *lay, int32_t a, int32_t b, float *x0, float *y0, float *cx,
                       float *cy, float *x1, float *y1)
{
    const Edge *e = find_edge(lay, a, b);
    float ax, ay, bx, by;
    layout_node_center(lay, a, &ax, &ay);
    layout_node_center(lay, b, &bx, &by);
    *cx = e ? e->cx : (ax + bx) / 2;
    *cy = e ? e->cy : (ay + by) / 2;
    bool straight = fabsf(*cx - (ax + bx) / 2) < 0.5f && fabsf(*cy - (ay + by) / 2) < 0.5f;
    clip_to_tile(lay, a, straight ? bx : *cx, straight ? by : *cy, x0, y0);
    clip_to_tile(lay, b, straight ? ax : *cx, straight ? ay : *cy, x1, y1);
    if (straight) { /* keep the control point on the clipped segment: uniform speed */
        *cx = (*x0 + *x1) / 2;
        *cy = (*y0 + *y1) / 2;
    }
}

void layout_edge_point(const Layout *lay, int32_t a, int32_t b, float *x, float *y)
{
    float x0, y0, cx, cy, x1, y1;
    layout_link_curve(lay, a, b, &x0, &y0, &cx, &cy, &x1, &y1);
    *x = x0;
    *y = y0;
}

/* Where the line from the centre of a's tile towards (tx, ty) leaves the tile (plus 4 px). */
static void clip_to_tile(const Layout *lay, int32_t a, float tx, float ty, float *x, float *y)
{
    float ax, ay;
    layout_node_center(lay, a, &ax, &ay);
    LayoutRect r = layout_node(lay, a);
    float dx = tx - ax, dy = ty - ay;
    float hw = r.w / 2 + 4, hh = r.h / 2 + 4;
    float kx = fabsf(dx) > 1e-6f ? hw / fabsf(dx) : INFINITY;
    float ky = fabsf(dy) > 1e-6f ? hh / fabsf(dy) : INFINITY;
    float t = fminf(fminf(kx, ky), 1.0f);
    if (!isfinite(t)) {
        t = 0;
    }
    *x = ax + dx * t;
    *y = ay + dy * t;
}

float layout_log_row_height(const Layout *lay)
{
    return roundf(25 * lay->scale);
}

int layout_log_rows(const Layout *lay)
{
    LayoutRect r = lay->regions[REGION_LOG];
    float header = roundf(30 * lay->scale);
    int rows = (int)((r.h - header) / layout_log_row_height(lay));
    return rows < 0 ? 0 : rows;
}

int64_t layout_log_first_row(const Layout *lay, int64_t current, int64_t total)
{
    int64_t rows = layout_log_rows(lay);
    if (total <= rows || current < 0) {
        return 0;
    }
    int64_t first = current - rows / 3;
    if (first > total - rows) {
        first = total - rows;
    }
    return first < 0 ? 0 : first;
}

int64_t layout_log_row_at(const Layout *lay, float y, int64_t first, int64_t total)
{
    LayoutRect r = lay->regions[REGION_LOG];
    float header = roundf(30 * lay->scale);
    if (y < r.y + header || y >= r.y + r.h) {
        return -1;
    }
    int64_t row = first + (int64_t)((y - r.y - header) / layout_log_row_height(lay));
    return row < total ? row : -1;
}

LayoutRect layout_timeline_bar(const Layout *lay)
{
    LayoutRect r = lay->regions[REGION_TIMELINE];
    float s = lay->scale, mx = 16 * s;
    return (LayoutRect){ r.x + mx, r.y + 10 * s, fmaxf(r.w - 2 * mx, 0), fmaxf(r.h - 30 * s, 0) };
}

bool layout_rects_overlap(LayoutRect a, LayoutRect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

size_t layout_link_count(const Layout *lay)
{
    return lay->edge_count;
}

void layout_link(const Layout *lay, size_t i, int32_t *a, int32_t *b)
{
    *a = i < lay->edge_count ? lay->edges[i].a : TRACE_NONE;
    *b = i < lay->edge_count ? lay->edges[i].b : TRACE_NONE;
}

/* ---- crossings ---- */

/* The sign of the turn a -> b -> c: 1 left, -1 right, 0 collinear. */
static int turn(float ax, float ay, float bx, float by, float cx, float cy)
{
    float v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    return v > 1e-6f ? 1 : v < -1e-6f ? -1 : 0;
}

/* True when segments p and q meet (a piece's end lying on the other counts: curves crossing
 * exactly at a sample point; collinear overlaps do not: links running side by side). */
static bool segments_cross(const float *p, const float *q)
{
    int d1 = turn(p[0], p[1], p[2], p[3], q[0], q[1]), d2 = turn(p[0], p[1], p[2], p[3], q[2], q[3]);
    int d3 = turn(q[0], q[1], q[2], q[3], p[0], p[1]), d4 = turn(q[0], q[1], q[2], q[3], p[2], p[3]);
    if ((d1 == 0 && d2 == 0) || (d3 == 0 && d4 == 0)) {
        return false;
    }
    return d1 * d2 <= 0 && d3 * d4 <= 0;
}

/* Link i's curve as LAYOUT_CROSSING_STEPS + 1 points (x, y pairs). */
static void link_points(const Layout *lay, size_t i, float *pts)
{
    const Edge *e = &lay->edges[i];
    float x0, y0, cx, cy, x1, y1;
    layout_link_curve(lay, e->a, e->b, &x0, &y0, &cx, &cy, &x1, &y1);
    for (int k = 0; k <= LAYOUT_CROSSING_STEPS; k++) {
        float t = (float)k / LAYOUT_CROSSING_STEPS, u = 1 - t;
        pts[2 * k] = u * u * x0 + 2 * u * t * cx + t * t * x1;
        pts[2 * k + 1] = u * u * y0 + 2 * u * t * cy + t * t * y1;
    }
}

size_t layout_link_crossings(const Layout *lay)
{
    size_t n = lay->edge_count, crossings = 0;
    const size_t per = 2 * (LAYOUT_CROSSING_STEPS + 1);
    float *pts = xmalloc((n * per + 1) * sizeof *pts);
    for (size_t i = 0; i < n; i++) {
        link_points(lay, i, pts + i * per);
    }
    for (size_t i = 0; i < n; i++) {
        const Edge *a = &lay->edges[i];
        for (size_t j = i + 1; j < n; j++) {
            const Edge *b = &lay->edges[j];
            if (a->a == b->a || a->a == b->b || a->b == b->a || a->b == b->b) {
                continue;
            }
            bool cross = false;
            for (int p = 0; p < LAYOUT_CROSSING_STEPS && !cross; p++) {
                for (int q = 0; q < LAYOUT_CROSSING_STEPS && !cross; q++) {
                    cross = segments_cross(pts + i * per + 2 * p, pts + j * per + 2 * q);
                }
            }
            crossings += cross;
        }
    }
    free(pts);
    return crossings;
}
