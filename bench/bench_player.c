/* bench_player: the player's two costs, drawing frames and seeking.
 *
 *   bench_player [--frames N] [--no-seek] [--png DIR] [TOKENS...]
 *                                        (default: 100 frames; 1000 10000)
 *
 * Frames: for each TOKENS, a trace in which that many events are in flight at once: messages
 * relayed from smtp.news.example to 20 receiving domains, half drawn as envelopes (the content
 * crossing, TK_HOP) and half as labelled SMTP packets ("RCPT TO:<...>"). N frames at the design
 * size (LAYOUT_DESIGN_W×H) sweep one second of sim time while nearly all of them are in flight; each frame is what the player
 * does per frame: viewstate_compute + render_frame + SDL_RenderPresent, with SDL's software
 * renderer on an offscreen window (SDL_VIDEODRIVER=offscreen unless set). Measured twice: every
 * token drawn one by one (merging off), and with the player's default merging of busy links
 * (what a class sees).
 *
 * Seek: the bulk newsletter of bench_model (bulk.h; its copies submitted over SMTP, bulk.c's
 * default, so each recipient leaves a full transcript), run with the trace kept and enough
 * recipients for at least 1 M trace events; indexed once (traceindex_create, timed), then 2 000
 * view states at random times (viewstate_compute: counters, in-flight and resting messages,
 * caption) — what a scrub or a jump costs. Mean, 99th percentile and worst.
 *
 * Long text: a frame whose caption is 1 MB of words, and one whose title is 1 M characters,
 * drawn cold (first frame: everything laid out and rendered) and warm (mean of the next N);
 * printed as a table with the process's peak memory. Text that is laid out is bounded (the
 * caption bar measures only the lines it shows; no texture is wider than 8192 px or holds more
 * than 16 KB wrapped), so both cost what a short text does.
 *
 * --png DIR writes the last merged frame of each run to DIR/bench-player-TOKENS.png, to look at.
 *
 * The last line is `seek_worst_ms=N`.
 */
#define _POSIX_C_SOURCE 200112L /* setenv */
#include "bulk.h"

#include "util/hash.h"
#include "util/xalloc.h"
#include "model/sim.h"
#include "view/inspect.h"
#include "player/render.h"
#include "view/layout.h"
#include "view/timeaxis.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOMAINS 20
#define SEEKS 2000
#define SEEK_MIN_EVENTS 1000000u

static StrId str(Trace *tr, const char *s)
{
    return strpool_intern(trace_strings(tr), s);
}

static int32_t add_node(Trace *tr, const char *name, NodeKind kind)
{
    TraceNode n = { str(tr, name), STR_EMPTY, STR_EMPTY, kind, false, 0, 0 };
    return trace_add_node(tr, &n);
}

static void add_link(Trace *tr, int32_t a, int32_t b)
{
    TraceLink l = { a, b, 40000 };
    trace_add_link(tr, &l);
}

/* `tokens` messages leave smtp.news.example evenly over the first 10 s, each travelling for
 * 10 s: between 10 and 11 s some 90-100 % of them are in flight, spread along their links. */
static Trace *flight_trace(uint32_t tokens)
{
    Trace *tr = trace_create();
    trace_set_meta(tr, "bench-player", "Many messages in flight", "", 1);
    char buf[96];
    int32_t client = add_node(tr, "newsletter-app", NODE_CLIENT);
    int32_t out = add_node(tr, "smtp.news.example", NODE_OUTGOING);
    int32_t dns = add_node(tr, "dns.news.example", NODE_RESOLVER);
    add_link(tr, client, out);
    add_link(tr, out, dns);
    int32_t mx[DOMAINS];
    for (int d = 0; d < DOMAINS; d++) {
        snprintf(buf, sizeof buf, "mx.d%02d.example", d);
        mx[d] = add_node(tr, buf, NODE_INCOMING);
        snprintf(buf, sizeof buf, "spamd.d%02d.example", d);
        int32_t filter = add_node(tr, buf, NODE_FILTER);
        snprintf(buf, sizeof buf, "store.d%02d.example", d);
        int32_t store = add_node(tr, buf, NODE_STORE);
        add_link(tr, out, mx[d]);
        add_link(tr, mx[d], filter);
        add_link(tr, filter, store);
    }
    StrId sender = str(tr, "news@news.example"), subject = str(tr, "Our autumn newsletter");
    for (uint32_t i = 0; i < tokens; i++) {
        int d = (int)(i % DOMAINS);
        snprintf(buf, sizeof buf, "u%u@d%02d.example", i / DOMAINS, d);
        StrId rcpt = str(tr, buf);
        snprintf(buf, sizeof buf, "n%u", i + 1);
        TraceMsg m = { str(tr, buf), sender, subject, 24000, 0, 0, TRACE_NONE, client };
        int32_t msg = trace_add_msg(tr, &m, &rcpt, 1);
        TraceEvent e = trace_event_init(i % 2 ? TK_SMTP : TK_HOP,
                                        (int64_t)i * 10000000 / (int64_t)tokens);
        e.from = out;
        e.to = mx[d];
        e.msg = msg;
        e.arrive_us = e.t_us + 10000000;
        if (e.kind == TK_SMTP) {
            e.sub = TRACE_ASK; /* a command, on its way to the server */
            snprintf(buf, sizeof buf, "RCPT TO:<u%u@d%02d.example>", i / DOMAINS, d);
            e.text = str(tr, buf);
        } else {
            e.text = str(tr, "to the next hop");
        }
        trace_append(tr, &e);
    }
    return tr;
}

/* One frame as the player draws it. */
static void draw(SDL_Renderer *sdl, Renderer *ren, const TraceIndex *ix, const Layout *lay,
                 const TimeAxis *ax, const Inspector *in, ViewState *vs, const ViewOptions *opt,
                 int64_t t_us)
{
    viewstate_compute(ix, lay, t_us, opt, vs);
    Playback pb;
    playback_init(&pb, t_us);
    pb.playing = true;
    RenderHud hud = { .ix = ix, .lay = lay, .axis = ax, .pb = &pb, .inspector = in,
                      .inspector_title = "About this scenario", .theme = THEME_LIGHT };
    render_frame(ren, vs, &hud);
    SDL_RenderPresent(sdl);
}

static void bench_frames(SDL_Window *win, SDL_Renderer *sdl, Renderer *ren, uint32_t tokens,
                         int frames, const char *png_dir)
{
    Trace *tr = flight_trace(tokens);
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    Inspector *in = inspector_create();
    inspector_scenario(in, ix, 10000000);
    ViewState *vs = viewstate_create();
    for (int merged = 0; merged <= 1; merged++) {
        ViewOptions opt = viewoptions_default();
        opt.max_per_link = merged ? 0 : UINT32_MAX;
        draw(sdl, ren, ix, lay, ax, in, vs, &opt, 10000000); /* warm the text cache */
        double t0 = bulk_now_s();
        size_t drawn = 0;
        for (int f = 0; f < frames; f++) {
            draw(sdl, ren, ix, lay, ax, in, vs, &opt, 10000000 + (int64_t)f * 1000000 / frames);
            drawn += vs->token_count;
        }
        double dt = bulk_now_s() - t0;
        printf("frames: in_flight=%zu tokens_drawn=%zu merging=%s fps=%.1f ms_per_frame=%.2f\n",
               vs->in_flight, drawn / (size_t)frames, merged ? "default" : "off", frames / dt,
               dt * 1000.0 / frames);
    }
    if (png_dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/bench-player-%u.png", png_dir, tokens);
        if (IMG_SavePNG(SDL_GetWindowSurface(win), path) != 0) {
            fprintf(stderr, "bench_player: %s: %s\n", path, IMG_GetError());
        }
    }
    viewstate_destroy(vs);
    inspector_destroy(in);
    timeaxis_destroy(ax);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

/* A four-node trace whose one event carries a caption of caption_bytes bytes of words and whose
 * title is title_chars characters long (0: short ones). */
static Trace *long_text_trace(size_t caption_bytes, size_t title_chars)
{
    static const char *const WORDS[] = { "mail", "server", "queue", "retry", "later", "the",
                                         "greylisting", "message" };
    Trace *tr = trace_create();
    char *title = xmalloc(title_chars + 16);
    memset(title, 'T', title_chars);
    strcpy(title + title_chars, title_chars ? "" : "Long text");
    trace_set_meta(tr, "bench-long-text", title, "", 1);
    free(title);
    int32_t client = add_node(tr, "alice-laptop", NODE_CLIENT);
    int32_t out = add_node(tr, "smtp.a.example", NODE_OUTGOING);
    add_link(tr, client, out);
    StrId rcpt = str(tr, "bob@b.example");
    TraceMsg m = { str(tr, "m1"), str(tr, "alice@a.example"), str(tr, "Lunch"), 700, 0, 0,
                   TRACE_NONE, client };
    TraceEvent e = trace_event_init(TK_COMPOSE, 1000000);
    e.from = client;
    e.msg = trace_add_msg(tr, &m, &rcpt, 1);
    trace_append(tr, &e);
    if (caption_bytes) {
        char *cap = xmalloc(caption_bytes + 16);
        size_t n = 0;
        for (uint32_t k = 0; n < caption_bytes; k++) {
            const char *w = WORDS[hash_u64(k) % (sizeof WORDS / sizeof WORDS[0])];
            size_t wl = strlen(w);
            memcpy(cap + n, w, wl);
            n += wl;
            cap[n++] = ' ';
        }
        cap[n - 1] = '\0';
        trace_set_caption(tr, 0, str(tr, cap));
        free(cap);
    }
    return tr;
}

static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return kb;
}

static void bench_long_text(SDL_Renderer *sdl, Renderer *ren, const char *name,
                            size_t caption_bytes, size_t title_chars, int frames)
{
    Trace *tr = long_text_trace(caption_bytes, title_chars);
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    TimeAxis *ax = timeaxis_create(ix, TIMEAXIS_MIN_GAP_US);
    Inspector *in = inspector_create();
    inspector_scenario(in, ix, 1000000);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    double t0 = bulk_now_s();
    draw(sdl, ren, ix, lay, ax, in, vs, &opt, 1000000);
    double cold = bulk_now_s() - t0;
    t0 = bulk_now_s();
    for (int f = 0; f < frames; f++) {
        draw(sdl, ren, ix, lay, ax, in, vs, &opt, 1000000);
    }
    double warm = (bulk_now_s() - t0) / frames;
    printf("| %-24s | %14.1f | %14.2f | %11ld |\n", name, cold * 1e3, warm * 1e3, peak_rss_kb());
    viewstate_destroy(vs);
    inspector_destroy(in);
    timeaxis_destroy(ax);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs the bulk newsletter with its trace, growing the recipients until it holds 1 M events. */
static Trace *bulk_trace(uint32_t *recipients_out)
{
    uint32_t n = 20000;
    for (;;) {
        World *w = bulk_world(n);
        SimOptions so = { 0 };
        Sim *sim = sim_create(w, &so);
        sim_run(sim);
        Trace *tr = sim_take_trace(sim);
        sim_destroy(sim);
        world_destroy(w);
        size_t count = trace_count(tr);
        if (count >= SEEK_MIN_EVENTS) {
            *recipients_out = n;
            return tr;
        }
        trace_destroy(tr);
        n = (uint32_t)((double)n * 1.05 * SEEK_MIN_EVENTS / (double)(count ? count : 1)) + 1;
    }
}

static void bench_seek(void)
{
    uint32_t recipients = 0;
    Trace *tr = bulk_trace(&recipients);
    double t0 = bulk_now_s();
    TraceIndex *ix = traceindex_create(tr);
    double index_s = bulk_now_s() - t0;
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    ViewState *vs = viewstate_create();
    ViewOptions opt = viewoptions_default();
    int64_t start = traceindex_start(ix), span = traceindex_end(ix) - start;
    static double ms[SEEKS];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    double sum = 0, worst_ms = 0;
    int64_t worst_t = 0;
    size_t most_flight = 0, worst_flight = 0;
    viewstate_compute(ix, lay, start, &opt, vs); /* the player's first frame, before any seek */
    for (int i = 0; i < SEEKS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64: the same times every run */
        int64_t t = start + (int64_t)((double)(x >> 11) / 9007199254740992.0 * (double)span);
        double s0 = bulk_now_s();
        viewstate_compute(ix, lay, t, &opt, vs);
        ms[i] = (bulk_now_s() - s0) * 1000.0;
        if (ms[i] > worst_ms) {
            worst_ms = ms[i];
            worst_t = t;
            worst_flight = vs->in_flight;
        }
        sum += ms[i];
        most_flight = vs->in_flight > most_flight ? vs->in_flight : most_flight;
    }
    qsort(ms, SEEKS, sizeof ms[0], cmp_double);
    printf("seek: trace_events=%zu recipients=%u index_build_s=%.2f index_mb=%.0f "
           "most_in_flight=%zu\n",
           trace_count(tr), recipients, index_s, (double)traceindex_memory_bytes(ix) / 1048576.0,
           most_flight);
    printf("seek: n=%d mean_ms=%.3f p99_ms=%.3f\n", SEEKS, sum / SEEKS, ms[SEEKS * 99 / 100]);
    /* Was the worst the moment's own cost, or the machine's (a page fault, another process)?
     * The same moment again, best of five. */
    double again = INFINITY;
    for (int i = 0; i < 5; i++) {
        double s0 = bulk_now_s();
        viewstate_compute(ix, lay, worst_t, &opt, vs);
        double d = (bulk_now_s() - s0) * 1000.0;
        again = d < again ? d : again;
    }
    printf("seek: worst at t=%.3f s with %zu in flight; the same moment again: %.3f ms\n",
           (double)worst_t / 1e6, worst_flight, again);
    printf("seek_worst_ms=%.3f\n", ms[SEEKS - 1]);
    viewstate_destroy(vs);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

int main(int argc, char **argv)
{
    setenv("SDL_VIDEODRIVER", "offscreen", 0);
    /* The window's pixels stay a plain surface: without this, the offscreen driver shows the
     * software renderer's frame through an OpenGL texture (Mesa's llvmpipe), which is not what
     * is measured here. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0 || TTF_Init() != 0) {
        fprintf(stderr, "bench_player: SDL_Init / TTF_Init: %s\n", SDL_GetError());
        return 1;
    }
    SDL_Window *win = SDL_CreateWindow("bench_player", 0, 0, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H,
                                       SDL_WINDOW_HIDDEN);
    SDL_Renderer *sdl = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    Error err = { 0 };
    const char *assets = render_locate_assets(&err);
    Renderer *ren = sdl && assets ? render_create(sdl, assets, &err) : NULL;
    if (!ren) {
        fprintf(stderr, "bench_player: no window, renderer or fonts: %s %s\n", SDL_GetError(),
                err.msg);
        return 1;
    }
    int frames = 100;
    bool seek = true;
    const char *png_dir = NULL;
    uint32_t tokens[16];
    int ntok = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc) {
            frames = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--png") == 0 && i + 1 < argc) {
            png_dir = argv[++i];
        } else if (strcmp(argv[i], "--no-seek") == 0) {
            seek = false;
        } else if (ntok < 16 && argv[i][0] >= '0' && argv[i][0] <= '9') {
            tokens[ntok++] = (uint32_t)strtoul(argv[i], NULL, 10);
        } else {
            fprintf(stderr, "usage: bench_player [--frames N] [--no-seek] [--png DIR] [TOKENS...]\n");
            return 2;
        }
    }
    if (ntok == 0) {
        tokens[ntok++] = 1000;
        tokens[ntok++] = 10000;
    }
    frames = frames < 1 ? 1 : frames;
    printf("video_driver=%s renderer=software size=%dx%d frames=%d\n",
           SDL_GetCurrentVideoDriver(), LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, frames);
    for (int i = 0; i < ntok; i++) {
        bench_frames(win, sdl, ren, tokens[i], frames, png_dir);
    }
    printf("| long text                | first frame ms | next frames ms | peak RSS KB |\n");
    printf("|--------------------------|----------------|----------------|-------------|\n");
    bench_long_text(sdl, ren, "short caption and title", 0, 0, frames);
    bench_long_text(sdl, ren, "caption of 1 MB", 1u << 20, 0, frames);
    bench_long_text(sdl, ren, "title of 1 M characters", 0, 1u << 20, frames);
    render_destroy(ren);
    SDL_DestroyRenderer(sdl);
    SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    if (seek) {
        bench_seek();
    }
    return 0;
}
