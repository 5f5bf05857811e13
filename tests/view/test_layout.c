/* test_layout: role columns, resolvers above their servers, reflow on resize, no overlapping
 * node footprints (in the fixtures, a crowded generated topology and every shipped scenario),
 * the wide Internet gap, the sender's own store on the sender side, scenario positions, hit
 * testing and the event-log rows. */
#include "view/fixture.h"
#include "test.h"
#include "shipped.h"

#include "model/sim.h"
#include "view/layout.h"
#include "view/traceindex.h"
#include "scenario/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool inside(LayoutRect inner, LayoutRect outer)
{
    return inner.x >= outer.x - 0.5f && inner.y >= outer.y - 0.5f &&
           inner.x + inner.w <= outer.x + outer.w + 0.5f && inner.y + inner.h <= outer.y + outer.h + 0.5f;
}

static float cx(const Layout *lay, int32_t n)
{
    float x, y;
    layout_node_center(lay, n, &x, &y);
    return x;
}

static float cy(const Layout *lay, int32_t n)
{
    float x, y;
    layout_node_center(lay, n, &x, &y);
    return y;
}

static void check_no_overlap(const Layout *lay, size_t n)
{
    LayoutRect canvas = layout_region(lay, REGION_CANVAS);
    for (size_t i = 0; i < n; i++) {
        CHECK(inside(layout_node(lay, (int32_t)i), canvas));
        for (size_t j = i + 1; j < n; j++) {
            bool overlap = layout_rects_overlap(layout_node_slot(lay, (int32_t)i),
                                                layout_node_slot(lay, (int32_t)j));
            if (overlap) {
                fprintf(stderr, "  nodes %zu and %zu overlap\n", i, j);
            }
            CHECK(!overlap);
        }
    }
}

static void layout_should_put_roles_in_columns_left_to_right(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    CHECK_EQ_INT(layout_column(lay, N_ALICE), COL_SENDER);
    CHECK_EQ_INT(layout_column(lay, N_SMTP_A), COL_OUTGOING);
    CHECK_EQ_INT(layout_column(lay, N_MX_B), COL_INCOMING);
    CHECK_EQ_INT(layout_column(lay, N_SPAMD_B), COL_FILTER);
    CHECK_EQ_INT(layout_column(lay, N_STORE_B), COL_STORE);
    CHECK_EQ_INT(layout_column(lay, N_BOB), COL_READER);
    CHECK_EQ_INT(layout_column(lay, N_DNS_A), COL_TOP_ROW);
    /* Alice's own store (her server's local store, which she reads) sits under her server. */
    CHECK_EQ_INT(layout_column(lay, N_STORE_A), COL_OUTGOING);
    CHECK(fabsf(cx(lay, N_STORE_A) - cx(lay, N_SMTP_A)) < 1.0f);
    CHECK(cy(lay, N_STORE_A) > cy(lay, N_SMTP_A));
    CHECK(cx(lay, N_ALICE) < cx(lay, N_SMTP_A));
    CHECK(cx(lay, N_SMTP_A) < cx(lay, N_MX_B));
    CHECK(cx(lay, N_MX_B) < cx(lay, N_SPAMD_B));
    CHECK(cx(lay, N_SPAMD_B) < cx(lay, N_STORE_B));
    CHECK(cx(lay, N_STORE_B) < cx(lay, N_BOB));
    /* The lesson's main path runs straight across. */
    CHECK(fabsf(cy(lay, N_ALICE) - cy(lay, N_BOB)) < 1.0f);
    CHECK(fabsf(cy(lay, N_SMTP_A) - cy(lay, N_STORE_B)) < 1.0f);
    /* Resolvers sit above the server that asks them. */
    CHECK(cy(lay, N_DNS_A) < cy(lay, N_SMTP_A));
    CHECK(fabsf(cx(lay, N_DNS_A) - cx(lay, N_SMTP_A)) < 1.0f);
    check_no_overlap(lay, trace_node_count(tr));
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void layout_should_reflow_when_the_window_changes(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    static const int sizes[][2] = { { LAYOUT_DESIGN_W, LAYOUT_DESIGN_H }, { 1920, 1080 }, { 1024, 768 },
                                    { 800, 600 }, { 2560, 1440 }, { 640, 400 } };
    float prev_scale = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        layout_resize(lay, sizes[k][0], sizes[k][1], 1.0f);
        CHECK_EQ_INT(layout_width(lay), sizes[k][0]);
        LayoutRect canvas = layout_region(lay, REGION_CANVAS);
        CHECK(canvas.w > 0 && canvas.h > 0);
        LayoutRect whole = { 0, 0, (float)sizes[k][0], (float)sizes[k][1] };
        for (int r = 0; r < REGION_COUNT; r++) {
            CHECK(inside(layout_region(lay, (LayoutRegion)r), whole));
        }
        check_no_overlap(lay, trace_node_count(tr));
        if (k == 1) {
            CHECK(layout_scale(lay) > prev_scale); /* a projector gets bigger text */
        }
        prev_scale = layout_scale(lay);
    }
    /* Text scale (Ctrl +) grows the text and what is sized by it, not the tiles (icons), and does
     * not widen the side panel past its quarter; hiding the panel widens the canvas. */
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    float tile = layout_node(lay, N_MX_B).w, canvas_w = layout_region(lay, REGION_CANVAS).w;
    float name_px = layout_name_px(lay), bar_h = layout_region(lay, REGION_TOPBAR).h;
    CHECK(layout_base_scale(lay) == layout_scale(lay));
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.3f);
    CHECK(layout_node(lay, N_MX_B).w == tile);
    CHECK(layout_name_px(lay) > name_px);
    CHECK(layout_region(lay, REGION_TOPBAR).h > bar_h);
    CHECK(layout_region(lay, REGION_CANVAS).w == canvas_w);
    CHECK(layout_base_scale(lay) < layout_scale(lay));
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    layout_set_panel(lay, false);
    CHECK(!layout_panel_visible(lay));
    CHECK(layout_region(lay, REGION_CANVAS).w > canvas_w);
    CHECK_EQ_INT((int)layout_region(lay, REGION_LOG).w, 0);
    /* Degenerate windows do not break it. */
    layout_resize(lay, 0, 0, 1.0f);
    CHECK_EQ_INT(layout_width(lay), 1);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* Five clients, two outgoing servers, two incoming, two stores: a busy lesson. */
static Trace *crowded(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    fx_topology(&fx);
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "client%d", i);
        TraceNode c = { fx_s(&fx, name), STR_EMPTY, STR_EMPTY, NODE_CLIENT, false, 0, 0 };
        int32_t ci = trace_add_node(fx.tr, &c);
        TraceLink l = { ci, N_SMTP_A, MS(10) };
        trace_add_link(fx.tr, &l);
    }
    TraceNode o = { fx_s(&fx, "smtp.c.example"), STR_EMPTY, STR_EMPTY, NODE_OUTGOING, false, 0, 0 };
    trace_add_node(fx.tr, &o);
    TraceNode in = { fx_s(&fx, "mx2.b.example"), STR_EMPTY, STR_EMPTY, NODE_INCOMING, false, 0, 0 };
    trace_add_node(fx.tr, &in);
    return fx.tr;
}

static void layout_should_never_overlap_nodes_in_a_crowded_lesson(void)
{
    Trace *tr = crowded();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    static const int sizes[][2] = { { LAYOUT_DESIGN_W, LAYOUT_DESIGN_H }, { 1920, 1080 }, { 1024, 600 },
                                    { 900, 500 } };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        layout_resize(lay, sizes[k][0], sizes[k][1], 1.0f);
        check_no_overlap(lay, trace_node_count(tr));
    }
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 2.0f); /* big text on a small window */
    check_no_overlap(lay, trace_node_count(tr));
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* Slot i widened by what may hang over its sides: a badge is up to 8 px (scaled) wider than
 * the slot, centred on it. */
static LayoutRect widened_slot(const Layout *lay, int32_t i)
{
    LayoutRect r = layout_node_slot(lay, i);
    float over = 4 * layout_scale(lay);
    return (LayoutRect){ r.x - over, r.y, r.w + 2 * over, r.h };
}

/* Tiles, names and badge room of distinct nodes never overlap, and all stay on the canvas. */
static void check_scenario_layout(const char *name, const Trace *tr, const Layout *lay)
{
    size_t n = trace_node_count(tr);
    LayoutRect canvas = layout_region(lay, REGION_CANVAS);
    for (size_t i = 0; i < n; i++) {
        int32_t a = (int32_t)i;
        bool in = inside(layout_node(lay, a), canvas) && inside(layout_node_label(lay, a), canvas) &&
                  inside(layout_node_slot(lay, a), canvas);
        if (!in) {
            fprintf(stderr, "  %s at %dx%d: node %zu leaves the canvas\n", name, layout_width(lay),
                    layout_height(lay), i);
        }
        CHECK(in);
        for (size_t j = i + 1; j < n; j++) {
            int32_t b = (int32_t)j;
            LayoutRect ra[3] = { layout_node(lay, a), layout_node_label(lay, a), widened_slot(lay, a) };
            LayoutRect rb[3] = { layout_node(lay, b), layout_node_label(lay, b), widened_slot(lay, b) };
            bool overlap = false;
            for (int p = 0; p < 3; p++) {
                for (int q = 0; q < 3; q++) {
                    overlap |= layout_rects_overlap(ra[p], rb[q]);
                }
            }
            if (overlap) {
                fprintf(stderr, "  %s at %dx%d: nodes %zu and %zu overlap\n", name,
                        layout_width(lay), layout_height(lay), i, j);
            }
            CHECK(!overlap);
        }
    }
}

/* The free room between neighbouring columns' names: the one across the Internet (outgoing ->
 * incoming), where envelopes and refusals travel, is clearly the widest (columns are as wide as
 * their names; the room between them goes twice to the Internet). */
static void check_internet_gap(const char *name, const Trace *tr, const Layout *lay)
{
    float colx[COL_COUNT], half[COL_COUNT] = { 0 };
    bool used[COL_COUNT] = { false };
    for (size_t i = 0; i < trace_node_count(tr); i++) {
        LayoutColumn c = layout_column(lay, (int32_t)i);
        if (c != COL_TOP_ROW) {
            used[c] = true;
            colx[c] = cx(lay, (int32_t)i);
            half[c] = fmaxf(half[c], layout_label_need(lay, (int32_t)i) / 2);
        }
    }
    if (!used[COL_OUTGOING] || !used[COL_INCOMING]) {
        return;
    }
    float internet = colx[COL_INCOMING] - colx[COL_OUTGOING] - half[COL_INCOMING] -
                     half[COL_OUTGOING], widest_other = 0;
    int prev = -1;
    for (int c = 0; c < COL_COUNT; c++) {
        if (!used[c]) {
            continue;
        }
        if (prev >= 0 && c != COL_INCOMING) {
            float gap = colx[c] - colx[prev] - half[c] - half[prev];
            CHECK(gap > 0);
            widest_other = gap > widest_other ? gap : widest_other;
        }
        prev = c;
    }
    if (!(internet >= 1.5f * widest_other)) {
        fprintf(stderr, "  %s at %dx%d: Internet gap %.0f, widest other %.0f\n", name,
                layout_width(lay), layout_height(lay), internet, widest_other);
    }
    CHECK(internet >= 1.5f * widest_other);
}

/* A store linked to an outgoing server and to no incoming server or filter is the sender's own:
 * it sits on the sender side, left of every incoming server. Sending clients stay left too. */
static void check_sender_side(const char *name, const Trace *tr, const TraceIndex *ix, const Layout *lay)
{
    float first_incoming = INFINITY;
    for (size_t i = 0; i < trace_node_count(tr); i++) {
        if (trace_node(tr, (int32_t)i)->kind == NODE_INCOMING) {
            first_incoming = fminf(first_incoming, cx(lay, (int32_t)i));
        }
    }
    for (size_t i = 0; i < trace_node_count(tr); i++) {
        int32_t s = (int32_t)i;
        const TraceNode *nd = trace_node(tr, s);
        if (nd->kind == NODE_CLIENT && traceindex_client_sends(ix, s)) {
            CHECK_EQ_INT(layout_column(lay, s), COL_SENDER);
        }
        if (nd->kind != NODE_STORE) {
            continue;
        }
        bool to_out = false, to_in = false;
        for (size_t l = 0; l < trace_link_count(tr); l++) {
            const TraceLink *lk = trace_link(tr, (int32_t)l);
            int32_t other = lk->a == s ? lk->b : lk->b == s ? lk->a : -1;
            NodeKind k = other >= 0 ? trace_node(tr, other)->kind : NODE_KIND_COUNT;
            to_out |= k == NODE_OUTGOING;
            to_in |= k == NODE_INCOMING || k == NODE_FILTER;
        }
        if (to_out && !to_in) {
            LayoutColumn c = layout_column(lay, s);
            if (!(c == COL_SENDER || c == COL_OUTGOING) || !(cx(lay, s) < first_incoming)) {
                fprintf(stderr, "  %s: the sender's store (node %d) is not on the sender side\n", name, s);
            }
            CHECK(c == COL_SENDER || c == COL_OUTGOING);
            CHECK(cx(lay, s) < first_incoming);
        } else if (to_in) {
            CHECK_EQ_INT(layout_column(lay, s), COL_STORE);
        }
    }
}

/* One name per node: a server is called by its host name on the canvas as in the log
 * ("mx2.b.example", with its label "backup MX" as the line under it); a client by its label. */
static void layout_should_call_a_server_by_its_host_name(void)
{
    World *w = scenario_load_file(MAILSIM_SOURCE_DIR "/scenarios/02-mx-fallback.json", NULL);
    REQUIRE(w != NULL);
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    REQUIRE(tr != NULL);
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    int32_t mx2 = trace_find_node(tr, "mx2.b.example"), alice = trace_find_node(tr, "alice-laptop");
    REQUIRE(mx2 != TRACE_NONE && alice != TRACE_NONE);
    CHECK_EQ_STR(layout_node_title(lay, mx2), "mx2.b.example");
    CHECK_EQ_STR(layout_node_kind_line(lay, mx2), "backup MX");
    CHECK_EQ_STR(layout_node_title(lay, alice), "Alice's laptop");
    CHECK_EQ_STR(layout_node_kind_line(lay, alice), "mail client");
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void layout_should_lay_out_every_shipped_scenario_cleanly(void)
{
    ShippedList sl = shipped_list();
    REQUIRE(sl.count > 0);
    static const int sizes[][2] = { { LAYOUT_DESIGN_W, LAYOUT_DESIGN_H }, { 1920, 1080 } };
    int n = 0;
    for (size_t file = 0; file < sl.count; file++) {
        const char *path = sl.paths[file], *name = shipped_name(path);
        World *w = scenario_load_file(path, NULL);
        CHECK(w != NULL);
        if (!w) {
            continue;
        }
        Trace *tr = sim_run_world(w, NULL);
        TraceIndex *ix = traceindex_create(tr);
        Layout *lay = layout_create(ix);
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            for (int panel = 1; panel >= 0; panel--) {
                layout_set_panel(lay, panel != 0);
                layout_resize(lay, sizes[k][0], sizes[k][1], 1.0f);
                check_scenario_layout(name, tr, lay);
                if (!layout_uses_scenario_positions(lay)) {
                    check_internet_gap(name, tr, lay);
                }
            }
        }
        if (!layout_uses_scenario_positions(lay)) {
            check_sender_side(name, tr, ix, lay);
        }
        layout_destroy(lay);
        traceindex_destroy(ix);
        trace_destroy(tr);
        world_destroy(w);
        n++;
    }
    shipped_list_free(&sl);
    CHECK(n >= 14);
}

static void layout_should_use_the_scenarios_own_positions(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    static const float pos[][2] = { { 0, 0 }, { 1, 1 }, { 0.5f, 0.5f } };
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        TraceNode n = { fx_s(&fx, name), STR_EMPTY, STR_EMPTY, NODE_INCOMING, true, pos[i][0], pos[i][1] };
        trace_add_node(fx.tr, &n);
    }
    TraceIndex *ix = traceindex_create(fx.tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    CHECK(layout_uses_scenario_positions(lay));
    CHECK(cx(lay, 0) < cx(lay, 2) && cx(lay, 2) < cx(lay, 1));
    CHECK(cy(lay, 0) < cy(lay, 2) && cy(lay, 2) < cy(lay, 1));
    LayoutRect canvas = layout_region(lay, REGION_CANVAS);
    for (int32_t i = 0; i < 3; i++) {
        CHECK(inside(layout_node_slot(lay, i), canvas));
    }
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(fx.tr);
}

static void layout_should_start_at_the_design_size_and_scale_with_the_window(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    CHECK_EQ_INT(layout_width(lay), LAYOUT_DESIGN_W);
    CHECK_EQ_INT(layout_height(lay), LAYOUT_DESIGN_H);
    CHECK(fabsf(layout_scale(lay) - 1.0f) < 1e-6f);
    layout_resize(lay, 2 * LAYOUT_DESIGN_W, 2 * LAYOUT_DESIGN_H, 1.0f);
    CHECK(fabsf(layout_scale(lay) - 2.0f) < 1e-6f);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void layout_should_hit_test_nodes_regions_and_log_rows(void)
{
    Trace *tr = fixture_happy();
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    CHECK_EQ_INT(layout_node_at(lay, cx(lay, N_MX_B), cy(lay, N_MX_B)), N_MX_B);
    LayoutRect label = layout_node_label(lay, N_MX_B);
    CHECK_EQ_INT(layout_node_at(lay, label.x + label.w / 2, label.y + 2), N_MX_B);
    CHECK_EQ_INT(layout_node_at(lay, 2, 2), TRACE_NONE);
    CHECK_EQ_INT(layout_region_at(lay, 5, 5), REGION_TOPBAR);
    LayoutRect tl = layout_region(lay, REGION_TIMELINE);
    CHECK_EQ_INT(layout_region_at(lay, tl.x + 5, tl.y + 5), REGION_TIMELINE);
    CHECK(inside(layout_timeline_bar(lay), tl));
    /* Log rows: the current row sits a third of the way down and maps back from its y. */
    int rows = layout_log_rows(lay);
    CHECK(rows >= 6);
    int64_t first = layout_log_first_row(lay, 30, 48);
    CHECK(first <= 30 && 30 < first + rows);
    LayoutRect log = layout_region(lay, REGION_LOG);
    float header = log.h - (float)rows * layout_log_row_height(lay);
    float y = log.y + 30 + (float)(30 - first) * layout_log_row_height(lay) + 3;
    CHECK(header >= 0);
    CHECK_EQ_INT(layout_log_row_at(lay, y, first, 48), 30);
    CHECK_EQ_INT(layout_log_first_row(lay, 2, 5), 0);
    layout_destroy(lay);
    layout_destroy(NULL);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

RUN_TESTS(TEST_CASE(layout_should_put_roles_in_columns_left_to_right),
          TEST_CASE(layout_should_reflow_when_the_window_changes),
          TEST_CASE(layout_should_never_overlap_nodes_in_a_crowded_lesson),
          TEST_CASE(layout_should_lay_out_every_shipped_scenario_cleanly),
          TEST_CASE(layout_should_call_a_server_by_its_host_name),
          TEST_CASE(layout_should_use_the_scenarios_own_positions),
          TEST_CASE(layout_should_start_at_the_design_size_and_scale_with_the_window),
          TEST_CASE(layout_should_hit_test_nodes_regions_and_log_rows))
