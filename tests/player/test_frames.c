/* test_frames: every shipped scenario, rendered at 1280×720 at every captioned moment and at
 * every notable event (refusal, deferral, bounce, verdict, delivery: at its start and, when it
 * travels, halfway), measured from the texts the frame really drew (framebox.h): no two canvas
 * texts overlap, no canvas text lies on a node tile not its own, no node name or refusal is cut,
 * node names are at least 16 px and kinds, packets and badges at least 14 px. */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include "model/sim.h"
#include "player/player.h"
#include "scenario/scenario.h"
#include "view/framebox.h"
#include "view/viewstate.h"

#include <dirent.h>
#include <stdlib.h>

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR "."
#endif

static Trace *run_file(const char *path)
{
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        return NULL;
    }
    SimOptions so = { 0 };
    Trace *tr = sim_run_world(w, &so);
    world_destroy(w);
    return tr;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shipped scenarios' paths, sorted; *n gets their number. The caller frees. */
static char **scenario_paths(size_t *n)
{
    char **paths = calloc(64, sizeof *paths);
    *n = 0;
    DIR *d = opendir(MAILSIM_SOURCE_DIR "/scenarios");
    if (!d) {
        return paths;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL && *n < 64;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
            paths[*n] = malloc(strlen(MAILSIM_SOURCE_DIR) + len + 16);
            sprintf(paths[*n], "%s/scenarios/%s", MAILSIM_SOURCE_DIR, e->d_name);
            (*n)++;
        }
    }
    closedir(d);
    qsort(paths, *n, sizeof *paths, cmp_str);
    return paths;
}

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
    Trace *tr = run_file(path);
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
    size_t n;
    char **paths = scenario_paths(&n);
    CHECK(n >= 14);
    Totals tot = { 0 };
    for (size_t i = 0; i < n; i++) {
        measure_scenario(paths[i], &tot);
        free(paths[i]);
    }
    free(paths);
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

int main(void)
{
    static const TestCase cases[] = {
        { "frames_should_keep_every_canvas_text_free_and_readable",
          frames_should_keep_every_canvas_text_free_and_readable },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
