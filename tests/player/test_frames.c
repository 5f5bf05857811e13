/* test_frames: every shipped scenario, rendered at 1280×720 at every captioned moment and at
 * every notable event (refusal, deferral, bounce, verdict, delivery: at its start and, when it
 * travels, halfway), measured from the texts the frame really drew (framebox.h): no two canvas
 * texts overlap, no canvas text lies on a node tile not its own, no node name or refusal is cut,
 * node names are at least 16 px and kinds, packets and badges at least 14 px. And at 133 %
 * (Ctrl + three times), a subset of those moments: no overlaps, no name cut or under 16 px, and
 * the badges not drawn whole held to a bound. */
#define _POSIX_C_SOURCE 200809L

#include "test.h"
#include "shipped.h"

#include "model/sim.h"
#include "player/player.h"
#include "scenario/scenario.h"
#include "view/framebox.h"
#include "view/layout.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <stdlib.h>


typedef struct {
    int frames, bad_frames, text_overlaps, tile_overlaps, clipped, too_small;
    int min_name_px, min_small_px;
} Totals;

static void measure(const char *path, const Trace *tr, int64_t at_us, Totals *tot)
{
    FrameCheck fc;
    ShotConfig cfg = { .trace = tr, .at_us = at_us, .check = &fc };
    Error err = { 0 };
    CHECK_EQ_INT(player_shot(&cfg, &err), 0);
    tot->frames++;
    tot->text_overlaps += fc.text_overlaps;
    tot->tile_overlaps += fc.tile_overlaps;
    tot->clipped += fc.clipped;
    tot->too_small += fc.too_small;
    if (fc.min_name_px && (!tot->min_name_px || fc.min_name_px < tot->min_name_px)) {
        tot->min_name_px = fc.min_name_px;
    }
    if (fc.min_small_px && (!tot->min_small_px || fc.min_small_px < tot->min_small_px)) {
        tot->min_small_px = fc.min_small_px;
    }
    if (!framebox_check_ok(&fc)) {
        if (tot->bad_frames < 40 || getenv("MAILSIM_FRAMES_VERBOSE")) {
            const char *base = strrchr(path, '/');
            fprintf(stderr, "  %s at %.3f s: %s\n", base ? base + 1 : path, (double)at_us / 1e6,
                    fc.first);
        }
        tot->bad_frames++;
    }
}

/* The moments a lesson is about: captions, and notable events at their start and halfway. */
static void measure_scenario(const char *path, Totals *tot)
{
    Trace *tr = shipped_run_file(path);
    CHECK(tr != NULL);
    if (!tr) {
        fprintf(stderr, "  cannot run %s\n", path);
        return;
    }
    const TraceEvent *ev = trace_events(tr);
    const TraceCaption *cap = trace_captions(tr);
    for (size_t i = 0; i < trace_caption_count(tr); i++) {
        measure(path, tr, ev[cap[i].event].t_us, tot);
    }
    int64_t last = -1;
    for (size_t i = 0; i < trace_count(tr); i++) {
        if (!view_event_notable(tr, (uint32_t)i)) {
            continue;
        }
        if (ev[i].t_us != last) {
            measure(path, tr, ev[i].t_us, tot);
            last = ev[i].t_us;
        }
        if (ev[i].arrive_us != TRACE_NO_TIME && ev[i].arrive_us > ev[i].t_us) {
            measure(path, tr, ev[i].t_us + (ev[i].arrive_us - ev[i].t_us) / 2, tot);
        }
    }
    trace_destroy(tr);
}

static void frames_should_keep_every_canvas_text_free_and_readable(void)
{
    ShippedList sl = shipped_list();
    CHECK(sl.count >= 14);
    Totals tot = { 0 };
    for (size_t i = 0; i < sl.count; i++) {
        measure_scenario(sl.paths[i], &tot);
    }
    shipped_list_free(&sl);
    printf("  %d frames, %d with problems: %d text overlaps, %d texts on other tiles, %d cut, %d "
           "too small; smallest node name %d px, smallest kind/packet/badge %d px\n",
           tot.frames, tot.bad_frames, tot.text_overlaps, tot.tile_overlaps, tot.clipped,
           tot.too_small, tot.min_name_px, tot.min_small_px);
    CHECK(tot.frames > 100);
    CHECK_EQ_INT(tot.text_overlaps, 0);
    CHECK_EQ_INT(tot.tile_overlaps, 0);
    CHECK_EQ_INT(tot.clipped, 0);
    CHECK_EQ_INT(tot.too_small, 0);
    CHECK(tot.min_name_px >= FRAMEBOX_MIN_NAME_PX);
    CHECK(tot.min_small_px >= FRAMEBOX_MIN_SMALL_PX);
}

/* ---- at 133 % (Ctrl + three times) ---- */

#define ENLARGED 1.331f /* 1.1 per Ctrl + */

typedef struct {
    int frames, text_overlaps, tile_overlaps, names_cut, badges_cut, names_small, badges_missing;
} Enlarged;

/* Whether node i's badges as the view state has them at t were all drawn, whole. */
static void check_badges(const Trace *tr, const FrameBoxes *fb, const ViewState *vs, int32_t i,
                         Enlarged *tot, const char *base, double at_s)
{
    for (int b = 0; b < vs->nodes[i].badge_count; b++) {
        char want[256];
        snprintf(want, sizeof want, "%s", vs->nodes[i].badges[b].text);
        want[strcspn(want, "\n")] = '\0'; /* a two-line badge: its first line */
        bool seen = false;
        for (size_t k = 0; k < framebox_count(fb); k++) {
            const FrameBox *x = framebox_get(fb, k);
            if (x->role == FB_BADGE && x->node == i && strcmp(x->text, want) == 0) {
                seen = true;
                tot->badges_cut += x->clipped;
                if (x->clipped && getenv("MAILSIM_FRAMES_VERBOSE")) {
                    fprintf(stderr, "  %s at %.3f s, 133 %%: badge \"%s\" cut\n", base, at_s, want);
                }
            }
        }
        if (!seen) {
            tot->badges_missing++;
        }
        if (!seen && getenv("MAILSIM_FRAMES_VERBOSE")) {
            fprintf(stderr, "  %s at %.3f s, 133 %%: badge \"%s\" of %s not drawn\n", base, at_s,
                    want, trace_str(tr, trace_node(tr, i)->name));
        }
    }
}

static void measure_enlarged(const char *path, const Trace *tr, int64_t at_us, Enlarged *tot)
{
    FrameCheck fc;
    FrameBoxes *fb = framebox_create();
    ShotConfig cfg = { .trace = tr, .at_us = at_us, .check = &fc, .boxes = fb,
                       .text_scale = ENLARGED };
    Error err = { 0 };
    CHECK_EQ_INT(player_shot(&cfg, &err), 0);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    tot->frames++;
    tot->text_overlaps += fc.text_overlaps;
    tot->tile_overlaps += fc.tile_overlaps;
    tot->names_cut += fc.clipped;
    if (fc.text_overlaps || fc.tile_overlaps || fc.clipped) {
        fprintf(stderr, "  %s at %.3f s, 133 %%: %s\n", base, (double)at_us / 1e6, fc.first);
    }
    for (size_t k = 0; k < framebox_count(fb); k++) {
        const FrameBox *x = framebox_get(fb, k);
        tot->names_small += x->role == FB_NODE_NAME && x->px < FRAMEBOX_MIN_NAME_PX;
    }
    /* The badges the picture means at that moment (the frame draws the same view state). */
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, ENLARGED);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, at_us, &opt, vs);
    for (size_t i = 0; i < vs->node_count; i++) {
        check_badges(tr, fb, vs, (int32_t)i, tot, base, (double)at_us / 1e6);
    }
    viewstate_destroy(vs);
    layout_destroy(lay);
    traceindex_destroy(ix);
    framebox_destroy(fb);
}

/* At 133 % a subset of the moments: each scenario's captions and its first and last notable
 * events. Names may give their enlargement back (down to their 100 % size) but are never cut,
 * no two canvas texts overlap, and the badges the view state has are drawn whole (bar a bound). */
static void frames_should_keep_names_whole_and_badges_shown_at_133_percent(void)
{
    ShippedList sl = shipped_list();
    CHECK(sl.count >= 14);
    Enlarged tot = { 0 };
    for (size_t p = 0; p < sl.count; p++) {
        const char *path = sl.paths[p];
        Trace *tr = shipped_run_file(path);
        CHECK(tr != NULL);
        if (!tr) {
            continue;
        }
        const TraceEvent *ev = trace_events(tr);
        const TraceCaption *cap = trace_captions(tr);
        for (size_t i = 0; i < trace_caption_count(tr); i++) {
            measure_enlarged(path, tr, ev[cap[i].event].t_us, &tot);
        }
        uint32_t first = UINT32_MAX, last = UINT32_MAX;
        for (size_t i = 0; i < trace_count(tr); i++) {
            if (view_event_notable(tr, (uint32_t)i)) {
                first = first == UINT32_MAX ? (uint32_t)i : first;
                last = (uint32_t)i;
            }
        }
        if (first != UINT32_MAX) {
            measure_enlarged(path, tr, ev[first].t_us, &tot);
            measure_enlarged(path, tr, ev[last].t_us, &tot);
        }
        trace_destroy(tr);
    }
    shipped_list_free(&sl);
    printf("  133 %%: %d frames: %d text overlaps, %d texts on other tiles, %d names cut, %d names "
           "under %d px, %d badges cut, %d badges not drawn\n",
           tot.frames, tot.text_overlaps, tot.tile_overlaps, tot.names_cut, tot.names_small,
           FRAMEBOX_MIN_NAME_PX, tot.badges_cut, tot.badges_missing);
    CHECK(tot.frames >= 28);
    CHECK_EQ_INT(tot.text_overlaps, 0);
    CHECK_EQ_INT(tot.tile_overlaps, 0);
    CHECK_EQ_INT(tot.names_cut, 0);
    CHECK_EQ_INT(tot.names_small, 0);
    /* Still open, held to what it is now so it cannot grow: the sender's own store under a
     * crowded sender column has no badge row left at 133 % (09, 10, 13: 10 badges), 08's broken
     * DNS mark has no room between the resolver row and the columns (1), and a reading client's
     * "✉ N downloaded" is wider than its column even at 14 px (4). Before the names and tiles
     * gave their enlargement back, every store lost its Junk badge and names were cut in 09 and
     * 10. Scenario 15's verifier world has four stores in one column and two busy MX servers:
     * at 133 % their Inbox/Junk badges and some counters have no row left (71). */
    CHECK(tot.badges_cut <= 4);
    CHECK(tot.badges_missing <= 82);
}

int main(void)
{
    static const TestCase cases[] = {
        { "frames_should_keep_every_canvas_text_free_and_readable",
          frames_should_keep_every_canvas_text_free_and_readable },
        { "frames_should_keep_names_whole_and_badges_shown_at_133_percent",
          frames_should_keep_names_whole_and_badges_shown_at_133_percent },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
