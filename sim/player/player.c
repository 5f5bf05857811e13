/* player: the window, the event loop and the offscreen shot (see player.h).
 *
 * Shape (after SDL's testsprite2): player_init opens the window, renderer, fonts and first file;
 * player_frame handles the pending events, advances the clock and draws one frame, and says
 * whether to go on; player_cleanup undoes player_init in reverse order, from wherever it stopped.
 * Everything a frame needs lives in the Player, none of it in player_run's locals, so another
 * loop (a browser's main loop) can call player_frame just as well.
 *
 * A Scene bundles one trace with everything derived from it; opening another file builds a new
 * Scene and only then drops the old one, so a failed open leaves the player showing what it
 * showed.
 */
#define _POSIX_C_SOURCE 200809L

#include "player/player.h"

#include "view/inspect.h"
#include "view/layout.h"
#include "view/playback.h"
#include "player/render.h"
#include "player/overlay.h"
#include "view/ladder.h"
#include "view/lesson.h"
#include "view/logfilter.h"
#include "view/whatifmenu.h"
#include "view/timeaxis.h"
#include "view/traceindex.h"
#include "view/viewstate.h"
#include "util/atomicfile.h"
#include "util/fmt.h"
#include "util/xalloc.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#define STATUS_S 2.0
#define ERROR_S 6.0

/* ---- a trace and what is derived from it ---- */

typedef struct {
    Trace *owned;     /* NULL when borrowed (shots) */
    const Trace *tr;
    TraceIndex *ix;
    Layout *lay;
    TimeAxis *axis;
    ViewState *vs;
    Inspector *insp;
} Scene;

static void scene_open(Scene *sc, const Trace *tr, Trace *owned, Renderer *ren, int w, int h,
                       float user_scale, bool panel)
{
    sc->owned = owned;
    sc->tr = tr;
    sc->ix = traceindex_create(tr);
    sc->lay = layout_create(sc->ix);
    layout_set_measure(sc->lay, render_measure, ren);
    layout_set_panel(sc->lay, panel);
    layout_resize(sc->lay, w, h, user_scale);
    sc->axis = timeaxis_create(sc->ix, TIMEAXIS_MIN_GAP_US);
    sc->vs = viewstate_create();
    sc->insp = inspector_create();
}

static void scene_close(Scene *sc)
{
    inspector_destroy(sc->insp);
    viewstate_destroy(sc->vs);
    timeaxis_destroy(sc->axis);
    layout_destroy(sc->lay);
    traceindex_destroy(sc->ix);
    trace_destroy(sc->owned);
    memset(sc, 0, sizeof *sc);
}

/* ---- the inspector's subject ---- */

typedef enum { SUBJ_SCENARIO, SUBJ_MESSAGE, SUBJ_NODE } Subject;

static void build_inspector(Scene *sc, Subject subj, int32_t id, int64_t t_us, char *title,
                            size_t title_size)
{
    const Trace *tr = sc->tr;
    switch (subj) {
    case SUBJ_MESSAGE:
        inspector_message(sc->insp, sc->ix, id, t_us);
        snprintf(title, title_size, "message %s", trace_str(tr, trace_msg(tr, id)->id));
        break;
    case SUBJ_NODE:
        inspector_node(sc->insp, sc->ix, sc->vs, id, t_us);
        snprintf(title, title_size, "%s", trace_str(tr, trace_node(tr, id)->name));
        break;
    case SUBJ_SCENARIO:
        inspector_scenario(sc->insp, sc->ix, t_us);
        snprintf(title, title_size, "about this scenario");
        break;
    }
}

/* ---- shot ---- */

/* Writes the PNG whole or not at all (util/atomicfile.h): a full disk, a file-size limit or any
 * other failing write, flush, sync or close never leaves a truncated PNG under the name asked for
 * and leaves the old file as it was. Every message names the target, not the temporary file. */
static bool save_png_whole(SDL_Surface *surf, const char *path, Error *err)
{
    AtomicFile *af = atomicfile_open(path);
    if (!af) {
        error_set(err, path, "", "cannot write the PNG: %s", strerror(errno));
        return false;
    }
    FILE *f = atomicfile_stream(af);
    SDL_RWops *rw = SDL_RWFromFP(f, SDL_FALSE);
    if (!rw || IMG_SavePNG_RW(surf, rw, 1) != 0) {
        /* A failed write says why in errno (EFBIG, ENOSPC); SDL's own words say less. */
        int reason = errno;
        bool write_failed = ferror(f) != 0;
        error_set(err, path, "", "cannot write the PNG: %s",
                  write_failed ? strerror(reason) : IMG_GetError());
        atomicfile_abort(af);
        return false;
    }
    if (!atomicfile_commit(af)) {
        error_set(err, path, "", "cannot write the PNG: %s", strerror(errno));
        return false;
    }
    return true;
}

static bool save_boxes_whole(const FrameBoxes *fb, const char *path, Error *err)
{
    AtomicFile *af = atomicfile_open(path);
    if (!af) {
        error_set(err, path, "", "cannot write the text boxes: %s", strerror(errno));
        return false;
    }
    if (!framebox_write_json(fb, atomicfile_stream(af))) {
        error_set(err, path, "", "cannot write the text boxes: %s", strerror(errno));
        atomicfile_abort(af);
        return false;
    }
    if (!atomicfile_commit(af)) {
        error_set(err, path, "", "cannot write the text boxes: %s", strerror(errno));
        return false;
    }
    return true;
}

int player_shot(const ShotConfig *cfg, Error *err)
{
    int w = cfg->width > 0 ? cfg->width : LAYOUT_DESIGN_W;
    int h = cfg->height > 0 ? cfg->height : LAYOUT_DESIGN_H;
    SDL_Surface *surf = NULL;
    SDL_Renderer *sdl = NULL;
    Renderer *ren = NULL;
    Scene sc = { 0 };
    bool ttf = false, img = false;
    int rc = 1;
    int32_t sel = TRACE_NONE;
    FrameBoxes *own_boxes = NULL;

    if (cfg->select_msg) {
        sel = trace_find_msg(cfg->trace, cfg->select_msg);
        if (sel == TRACE_NONE) {
            error_set(err, "", "--select", "there is no message \"%s\" in this trace",
                      cfg->select_msg);
            goto done;
        }
    }
    const char *assets = render_locate_assets(err);
    if (!assets) {
        goto done;
    }
    if (TTF_Init() != 0) {
        error_set(err, "", "", "cannot start SDL_ttf: %s", TTF_GetError());
        goto done;
    }
    ttf = true;
    img = (IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) != 0;
    surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    sdl = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    if (!sdl) {
        error_set(err, "", "", "cannot create an offscreen %dx%d renderer: %s", w, h, SDL_GetError());
        goto done;
    }
    ren = render_create(sdl, assets, err);
    if (!ren) {
        goto done;
    }
    if (cfg->boxes_json || cfg->check) {
        own_boxes = cfg->boxes ? NULL : framebox_create();
    }
    FrameBoxes *boxes = cfg->boxes ? cfg->boxes : own_boxes;
    render_set_boxes(ren, boxes);
    scene_open(&sc, cfg->trace, NULL, ren, w, h, cfg->text_scale > 0 ? cfg->text_scale : 1.0f, true);
    Playback pb;
    playback_init(&pb, 0);
    playback_seek(&pb, sc.ix, cfg->at_us);
    ViewOptions opt = viewoptions_default();
    opt.selected_msg = sel;
    viewstate_compute(sc.ix, sc.lay, pb.t_us, &opt, sc.vs);
    char title[160];
    build_inspector(&sc, sel != TRACE_NONE ? SUBJ_MESSAGE : SUBJ_SCENARIO, sel, pb.t_us, title,
                    sizeof title);
    RenderHud hud = { .ix = sc.ix,
                      .lay = sc.lay,
                      .axis = sc.axis,
                      .pb = &pb,
                      .inspector = sc.insp,
                      .inspector_title = title,
                      .theme = cfg->high_contrast ? THEME_HIGH_CONTRAST : THEME_LIGHT,
                      .show_legend = cfg->legend };
    render_frame(ren, sc.vs, &hud);
    SDL_RenderPresent(sdl);
    if (cfg->check) {
        framebox_check(boxes, sc.lay, cfg->check);
    }
    if (cfg->boxes_json && !save_boxes_whole(boxes, cfg->boxes_json, err)) {
        goto done;
    }
    if (cfg->out_png && !save_png_whole(surf, cfg->out_png, err)) {
        goto done;
    }
    rc = 0;
done:
    framebox_destroy(own_boxes);
    scene_close(&sc);
    render_destroy(ren);
    if (sdl) {
        SDL_DestroyRenderer(sdl);
    }
    SDL_FreeSurface(surf);
    if (img) {
        IMG_Quit();
    }
    if (ttf) {
        TTF_Quit();
    }
    return rc;
}

/* ---- the interactive player ---- */

typedef struct {
    char *path;
    char *title, *lesson, *file;
} Choice;

/* The interactive player: what player_init opens, and everything one frame reads or changes. */
typedef struct {
    const PlayerConfig *cfg;
    bool video, ttf, img; /* which subsystems player_init started (player_cleanup stops them) */
    SDL_Window *win;
    SDL_Renderer *sdl;
    Renderer *ren;
    Scene sc;
    Playback pb;
    ViewOptions opt;
    ThemeId theme, theme_before_hc;
    float user_scale;
    bool panel, help, legend, picker, fullscreen, scrubbing, done;
    Subject subj;
    int32_t subj_id;
    size_t insp_events;
    int64_t insp_t;
    char insp_title[160];
    float insp_scroll;
    char status[200];
    double status_left;
    char error[600];
    double error_left;
    Choice *choices;
    PickerItem *items;
    size_t nchoices;
    int picked;
    int out_w, out_h; /* renderer output size in pixels */
    uint64_t frame_no;             /* frames begun, for PlayerConfig.on_frame */
    /* the classroom: lesson mode, questions, the log filter, what-if, the ladder */
    Overlay *ov;
    bool lesson;
    LessonQuestions *lq;
    LessonQuiz quiz;
    int64_t last_t;    /* the time the last frame showed: the quiz looks at what was crossed */
    int64_t reveal_us; /* lesson mode shows the lesson's answer part from here on */
    char lesson_text[4096];
    LogFilter filter;  /* its kind; msg and node come from the selection when filter_sel */
    bool filter_sel;
    LogRows rows;
    bool rows_active; /* the log shows `rows`, not every event */
    bool menu, form_open;
    WhatIfChoice wch[WHATIF_MAX_CHOICES];
    size_t nwch;
    char menu_title[200];
    SendForm form;
    const char *senders[WHATIF_MAX_ADDRESSES], *rcpts[WHATIF_MAX_ADDRESSES];
    WhatIfMark marks[32];
    size_t nmarks;
    bool ladder_on;
    Ladder *ladder;
    int32_t ladder_msg;
    size_t ladder_shown;
    bool ladder_lesson;
    const Trace *ladder_tr;
    uint64_t ladder_version;
    Uint64 clock_freq, clock_last; /* performance counter: ticks a second, the last frame's reading */
} Player;

static void set_status(Player *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_status(Player *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->status, sizeof p->status, fmt, ap);
    va_end(ap);
    p->status_left = STATUS_S;
}

static void set_error(Player *p, const Error *err)
{
    char buf[1200];
    snprintf(p->error, sizeof p->error, "%s", error_format(err, buf, sizeof buf));
    p->error_left = ERROR_S;
    fprintf(stderr, "mailsim: %s\n", p->error);
}

/* The trace at `path`, through the app's loader; NULL with err filled when it cannot be opened. */
static Trace *load_path(const Player *p, const char *path, Error *err)
{
    Trace *tr = p->cfg->load ? p->cfg->load(p->cfg->load_ctx, path, err) : NULL;
    if (!tr && !err->set) {
        error_set(err, path, "", "cannot open it");
    }
    return tr;
}

/* ---- the classroom (lesson mode, questions, what-if, ladder, log filter) ---- */

static const PlayerClassroom *classroom(const Player *p)
{
    return p->cfg->classroom;
}

static void ladder_drop(Player *p)
{
    ladder_destroy(p->ladder);
    p->ladder = NULL;
    p->ladder_tr = NULL;
}

static void refresh_marks(Player *p)
{
    const PlayerClassroom *cr = classroom(p);
    p->nmarks = cr && cr->marks ? cr->marks(cr->ctx, p->marks, sizeof p->marks / sizeof p->marks[0])
                                : 0;
}

/* The questions of the trace just opened; the quiz starts afresh at time `t_us` (questions before
 * it are not put again unless time is taken back before them). */
static void classroom_reset(Player *p, int64_t t_us)
{
    const PlayerClassroom *cr = classroom(p);
    lesson_quiz_free(&p->quiz);
    lesson_questions_destroy(p->lq);
    p->lq = cr && cr->questions ? cr->questions(cr->ctx, p->sc.tr) : NULL;
    lesson_quiz_init(&p->quiz, p->lq);
    p->reveal_us = lesson_reveal_us(p->lq, p->sc.tr);
    p->last_t = t_us;
    p->menu = p->form_open = false;
    ladder_drop(p);
    refresh_marks(p);
}

/* Shows `tr` (owned from now on) from its start with nothing selected, in place of the scene. */
static void show_trace(Player *p, Trace *tr, const char *path)
{
    scene_close(&p->sc);
    scene_open(&p->sc, tr, tr, p->ren, p->out_w, p->out_h, p->user_scale, p->panel);
    playback_init(&p->pb, 0);
    p->opt = viewoptions_default();
    p->subj = SUBJ_SCENARIO;
    p->subj_id = TRACE_NONE;
    p->insp_events = SIZE_MAX;
    p->insp_scroll = 0;
    char title[200];
    snprintf(title, sizeof title, "mailsim \u2014 %s", trace_title(tr)[0] ? trace_title(tr) : path);
    SDL_SetWindowTitle(p->win, title);
    classroom_reset(p, p->pb.t_us);
    p->lesson = p->cfg->lesson || lesson_question_count(p->lq) > 0;
    p->filter = logfilter_all();
    p->filter_sel = false;
}

/* Replaces the scene with a freshly loaded file; on failure the old one stays. */
static bool open_path(Player *p, const char *path)
{
    Error err = { 0 };
    Trace *tr = load_path(p, path, &err);
    if (!tr) {
        set_error(p, &err);
        return false;
    }
    show_trace(p, tr, path);
    return true;
}

/* ---- scenario picker ---- */

/* Best-effort read of a top-level string field for display ("title", "lesson"): the first
 * occurrence of "key": "..." with JSON escapes for quotes, backslashes and \n undone. The
 * scenario loader remains the only JSON parser that decides anything. */
static char *scan_field(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(text, pat);
    if (!p) {
        return xstrdup("");
    }
    p += strlen(pat);
    p += strspn(p, " \t\r\n");
    if (*p != ':') {
        return xstrdup("");
    }
    p++;
    p += strspn(p, " \t\r\n");
    if (*p != '"') {
        return xstrdup("");
    }
    p++;
    size_t cap = strlen(p) + 1, n = 0;
    char *out = xmalloc(cap);
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            out[n++] = *p == 'n' ? ' ' : *p;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return out;
}

static int cmp_choice(const void *a, const void *b)
{
    return strcmp(((const Choice *)a)->file, ((const Choice *)b)->file);
}

static void load_choices(Player *p)
{
    if (p->choices || !p->cfg->scenario_dir) {
        return;
    }
    DIR *d = opendir(p->cfg->scenario_dir);
    if (!d) {
        return;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0) {
            continue;
        }
        if (p->nchoices == cap) {
            p->choices = xgrow(p->choices, &cap, p->nchoices + 1, sizeof *p->choices);
        }
        Choice *c = &p->choices[p->nchoices++];
        size_t plen = strlen(p->cfg->scenario_dir) + len + 2;
        c->path = xmalloc(plen);
        snprintf(c->path, plen, "%s/%s", p->cfg->scenario_dir, de->d_name);
        c->file = xstrdup(de->d_name);
        FILE *f = fopen(c->path, "rb");
        char *text = NULL;
        if (f) {
            text = xcalloc(65537, 1);
            size_t got = fread(text, 1, 65536, f);
            text[got] = '\0';
            fclose(f);
        }
        c->title = text ? scan_field(text, "title") : xstrdup("");
        c->lesson = text ? scan_field(text, "lesson") : xstrdup("");
        if (!c->title[0]) {
            free(c->title);
            c->title = xstrdup(c->file);
        }
        free(text);
    }
    closedir(d);
    if (p->nchoices > 0) { /* a folder without scenarios leaves choices NULL: qsort(NULL) is UB */
        qsort(p->choices, p->nchoices, sizeof *p->choices, cmp_choice);
    }
    p->items = xcalloc(p->nchoices + 1, sizeof *p->items);
    for (size_t i = 0; i < p->nchoices; i++) {
        p->items[i] = (PickerItem){ p->choices[i].title, p->choices[i].file, p->choices[i].lesson };
    }
}

static void free_choices(Player *p)
{
    for (size_t i = 0; i < p->nchoices; i++) {
        free(p->choices[i].path);
        free(p->choices[i].title);
        free(p->choices[i].lesson);
        free(p->choices[i].file);
    }
    free(p->choices);
    free(p->items);
}

static void open_picker(Player *p)
{
    load_choices(p);
    if (p->nchoices == 0) {
        set_status(p, "No scenarios found in %s", p->cfg->scenario_dir ? p->cfg->scenario_dir : "?");
        return;
    }
    p->picker = true;
    p->picked = p->picked < 0 || (size_t)p->picked >= p->nchoices ? 0 : p->picked;
}

static void pick(Player *p, int i)
{
    if (i < 0 || (size_t)i >= p->nchoices) {
        return;
    }
    p->picked = i;
    if (open_path(p, p->choices[i].path)) {
        p->picker = false;
    }
}

/* ---- input ---- */

static void select_msg(Player *p, int32_t m)
{
    p->opt.selected_msg = m;
    p->opt.selected_node = TRACE_NONE;
    p->subj = m == TRACE_NONE ? SUBJ_SCENARIO : SUBJ_MESSAGE;
    p->subj_id = m;
    p->insp_events = SIZE_MAX;
    p->insp_scroll = 0;
}

static void select_node(Player *p, int32_t n)
{
    p->opt.selected_msg = TRACE_NONE;
    p->opt.selected_node = n;
    p->subj = n == TRACE_NONE ? SUBJ_SCENARIO : SUBJ_NODE;
    p->subj_id = n;
    p->insp_events = SIZE_MAX;
    p->insp_scroll = 0;
}

static void cycle_msg(Player *p, int dir)
{
    size_t n = trace_msg_count(p->sc.tr);
    if (n == 0) {
        return;
    }
    int32_t m = p->opt.selected_msg;
    m = m == TRACE_NONE ? (dir > 0 ? 0 : (int32_t)n - 1) : (int32_t)((m + (int32_t)n + dir) % (int32_t)n);
    select_msg(p, m);
}

static void relayout(Player *p)
{
    layout_set_panel(p->sc.lay, p->panel);
    layout_resize(p->sc.lay, p->out_w, p->out_h, p->user_scale);
}

static void toggle(Player *p, bool *flag, const char *on, const char *off)
{
    *flag = !*flag;
    set_status(p, "%s", *flag ? on : off);
}

/* ---- what if? ---- */

/* Puts a changed run in place of the scene at the same moment, with the same selection (the
 * message by its id, the node by its index: the topology does not change) and the same modes. */
static void replace_trace(Player *p, Trace *tr)
{
    int64_t t = p->pb.t_us;
    double speed = p->pb.speed;
    char msg_id[128] = "";
    if (p->opt.selected_msg != TRACE_NONE) {
        snprintf(msg_id, sizeof msg_id, "%s",
                 trace_str(p->sc.tr, trace_msg(p->sc.tr, p->opt.selected_msg)->id));
    }
    int32_t node = p->opt.selected_node;
    Subject subj = p->subj;
    ViewOptions opt = p->opt;
    scene_close(&p->sc);
    scene_open(&p->sc, tr, tr, p->ren, p->out_w, p->out_h, p->user_scale, p->panel);
    playback_init(&p->pb, 0);
    playback_seek(&p->pb, p->sc.ix, t);
    p->pb.speed = speed;
    p->opt = opt;
    p->opt.current_event = UINT32_MAX;
    if (msg_id[0]) {
        select_msg(p, trace_find_msg(tr, msg_id));
    } else if (subj == SUBJ_NODE) {
        select_node(p, node);
    } else {
        select_msg(p, TRACE_NONE);
    }
    classroom_reset(p, p->pb.t_us);
}

static void whatif_apply(Player *p, const char *json, const char *label)
{
    const PlayerClassroom *cr = classroom(p);
    Error err = { 0 };
    Trace *tr = cr->apply(cr->ctx, json, &err);
    p->menu = p->form_open = false;
    if (!tr) {
        set_error(p, &err);
        return;
    }
    replace_trace(p, tr);
    set_status(p, "What if\u2026 %s (Ctrl Z takes it back)", label);
}

static void whatif_undo(Player *p)
{
    const PlayerClassroom *cr = classroom(p);
    if (!cr || !cr->undo) {
        return;
    }
    Error err = { 0 };
    Trace *tr = cr->undo(cr->ctx, &err);
    if (!tr) {
        if (err.set) {
            set_error(p, &err);
        } else {
            set_status(p, "%s", "No change to take back");
        }
        return;
    }
    replace_trace(p, tr);
    set_status(p, "%s", "Last change taken back");
}

static void whatif_save(Player *p)
{
    const PlayerClassroom *cr = classroom(p);
    if (!cr || !cr->save || p->nmarks == 0) {
        set_status(p, "%s", "No change to save: make one with W first");
        return;
    }
    char path[1200];
    Error err = { 0 };
    if (!cr->save(cr->ctx, path, sizeof path, &err)) {
        set_error(p, &err);
        return;
    }
    set_status(p, "Saved as %s", path);
}

static void whatif_open_menu(Player *p)
{
    const PlayerClassroom *cr = classroom(p);
    if (!cr || !cr->choices || !cr->can_change || !cr->can_change(cr->ctx)) {
        set_status(p, "%s", "What if\u2026? needs a scenario, not a recorded trace");
        return;
    }
    p->nwch = cr->choices(cr->ctx, p->sc.tr, p->opt.selected_node, p->opt.selected_msg, p->pb.t_us,
                          p->wch, WHATIF_MAX_CHOICES);
    char clock[48];
    fmt_clock(p->pb.t_us, clock, sizeof clock);
    const char *about = p->opt.selected_msg != TRACE_NONE
                            ? trace_str(p->sc.tr, trace_msg(p->sc.tr, p->opt.selected_msg)->id)
                        : p->opt.selected_node != TRACE_NONE
                            ? trace_str(p->sc.tr, trace_node(p->sc.tr, p->opt.selected_node)->name)
                            : "nothing selected";
    snprintf(p->menu_title, sizeof p->menu_title, "What if\u2026? at %s (%s)", clock, about);
    p->menu = true;
    p->pb.playing = false;
}

static void whatif_pick(Player *p, int i)
{
    if (i < 0 || (size_t)i >= p->nwch) {
        return;
    }
    const WhatIfChoice *c = &p->wch[i];
    if (!c->form) {
        whatif_apply(p, c->json, c->label);
        return;
    }
    const PlayerClassroom *cr = classroom(p);
    size_t ns = cr->addresses(cr->ctx, true, p->senders, WHATIF_MAX_ADDRESSES);
    size_t nr = cr->addresses(cr->ctx, false, p->rcpts, WHATIF_MAX_ADDRESSES);
    sendform_init(&p->form, p->senders, ns, p->rcpts, nr);
    p->menu = false;
    p->form_open = true;
}

static void form_send(Player *p)
{
    const PlayerClassroom *cr = classroom(p);
    if (!sendform_ready(&p->form) || !cr->send_json) {
        return;
    }
    char json[WHATIF_JSON_MAX], label[WHATIF_LABEL_MAX];
    const SendForm *f = &p->form;
    cr->send_json(p->pb.t_us, f->senders[f->from], f->recipients[f->to], f->subject,
                  sendform_size_bytes(f->size), json, sizeof json);
    snprintf(label, sizeof label, "one more message to %s", f->recipients[f->to]);
    whatif_apply(p, json, label);
}

/* The digit of a number key (1 to 9, top row or keypad), or -1. */
static int digit_of(SDL_Keycode key)
{
    if (key >= SDLK_1 && key <= SDLK_9) {
        return (int)(key - SDLK_1) + 1;
    }
    if (key >= SDLK_KP_1 && key <= SDLK_KP_9) {
        return (int)(key - SDLK_KP_1) + 1;
    }
    return -1;
}

/* Keys while the send form is open: all of them go to it. */
static void form_key(Player *p, SDL_Keycode key)
{
    switch (key) {
    case SDLK_ESCAPE: p->form_open = false; break;
    case SDLK_UP: sendform_move(&p->form, -1); break;
    case SDLK_DOWN:
    case SDLK_TAB: sendform_move(&p->form, +1); break;
    case SDLK_LEFT: sendform_cycle(&p->form, -1); break;
    case SDLK_RIGHT: sendform_cycle(&p->form, +1); break;
    case SDLK_BACKSPACE: sendform_backspace(&p->form); break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER: form_send(p); break;
    default: break;
    }
}

/* Keys of an open question; returns true when the key was the question's. */
static bool quiz_key(Player *p, SDL_Keycode key)
{
    int d = digit_of(key);
    if (d >= 1 && d <= QUESTION_MAX_CHOICES) {
        lesson_quiz_pick(&p->quiz, p->lq, d - 1);
        return true;
    }
    switch (key) {
    case SDLK_SPACE:
        if (lesson_quiz_space(&p->quiz)) {
            p->pb.playing = true; /* the answer was seen: go on */
        }
        return true;
    case SDLK_ESCAPE: lesson_quiz_cancel(&p->quiz); return true;
    default: return false;
    }
}

static void toggle_lesson(Player *p)
{
    p->lesson = !p->lesson;
    p->insp_events = SIZE_MAX;
    lesson_quiz_cancel(&p->quiz);
    p->last_t = p->pb.t_us; /* questions behind us stay behind */
    set_status(p, "%s", p->lesson ? "Lesson mode: the future is hidden, questions are put (Q)"
                                  : "Lesson mode off: everything shows (Q)");
}

static void toggle_ladder(Player *p)
{
    p->ladder_on = !p->ladder_on;
    if (p->ladder_on && p->opt.selected_msg == TRACE_NONE && trace_msg_count(p->sc.tr) > 0) {
        select_msg(p, 0);
    }
    if (p->ladder_on && p->opt.selected_msg == TRACE_NONE) {
        p->ladder_on = false;
        set_status(p, "%s", "No message to draw yet");
    }
}

static void cycle_filter(Player *p, bool selection)
{
    if (selection) {
        p->filter_sel = !p->filter_sel;
        set_status(p, "%s", p->filter_sel ? "Log: only the selected message or node (Shift F)"
                                          : "Log: every message and node (Shift F)");
        return;
    }
    p->filter.kind = logfilter_next_kind(p->filter.kind);
    set_status(p, "Log: %s events (F)", logfilter_kind_name(p->filter.kind));
}

/* Keys the classroom takes before the others; returns true when it took the key. */
static bool classroom_key(Player *p, SDL_Keycode key, bool ctrl, bool shift)
{
    if (p->form_open) {
        form_key(p, key);
        return true;
    }
    if (p->menu) {
        int d = digit_of(key);
        if (d >= 1) {
            whatif_pick(p, d - 1);
        } else if (key == SDLK_ESCAPE || key == SDLK_w) {
            p->menu = false;
        }
        return true;
    }
    if (p->quiz.active >= 0 && !ctrl && quiz_key(p, key)) {
        return true;
    }
    if (ctrl) {
        switch (key) {
        case SDLK_z: whatif_undo(p); return true;
        case SDLK_s: whatif_save(p); return true;
        default: return false;
        }
    }
    switch (key) {
    case SDLK_q: toggle_lesson(p); return true;
    case SDLK_w: whatif_open_menu(p); return true;
    case SDLK_c: toggle_ladder(p); return true;
    case SDLK_f: cycle_filter(p, shift); return true;
    default: return false;
    }
}

static void on_key(Player *p, const SDL_KeyboardEvent *k)
{
    SDL_Keycode key = k->keysym.sym;
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0, shift = (k->keysym.mod & KMOD_SHIFT) != 0;
    if (p->picker) {
        switch (key) {
        case SDLK_ESCAPE: p->picker = false; break;
        case SDLK_UP: p->picked = p->picked > 0 ? p->picked - 1 : 0; break;
        case SDLK_DOWN: p->picked = (size_t)p->picked + 1 < p->nchoices ? p->picked + 1 : p->picked; break;
        case SDLK_RETURN:
        case SDLK_KP_ENTER: pick(p, p->picked); break;
        default: break;
        }
        return;
    }
    if (p->help && (key == SDLK_ESCAPE || key == SDLK_F1)) {
        p->help = false;
        return;
    }
    if (p->legend && (key == SDLK_ESCAPE || key == SDLK_l)) {
        p->legend = false;
        return;
    }
    if (classroom_key(p, key, ctrl, shift)) {
        return;
    }
    if (ctrl) {
        switch (key) {
        case SDLK_q: p->done = true; break;
        case SDLK_EQUALS:
        case SDLK_PLUS:
        case SDLK_KP_PLUS: p->user_scale = p->user_scale * 1.1f > 2.5f ? 2.5f : p->user_scale * 1.1f; relayout(p); break;
        case SDLK_MINUS:
        case SDLK_KP_MINUS: p->user_scale = p->user_scale / 1.1f < 0.6f ? 0.6f : p->user_scale / 1.1f; relayout(p); break;
        case SDLK_0:
        case SDLK_KP_0: p->user_scale = 1.0f; relayout(p); break;
        default: break;
        }
        if (key != SDLK_q) {
            set_status(p, "Text size %d %%", (int)(p->user_scale * 100 + 0.5f));
        }
        return;
    }
    char sp[32];
    switch (key) {
    case SDLK_SPACE: playback_toggle(&p->pb, p->sc.ix); break;
    case SDLK_RIGHT: playback_step(&p->pb, p->sc.ix, +1); break;
    case SDLK_LEFT: playback_step(&p->pb, p->sc.ix, -1); break;
    case SDLK_HOME: playback_seek(&p->pb, p->sc.ix, timeaxis_start(p->sc.axis)); break;
    case SDLK_END: playback_seek(&p->pb, p->sc.ix, traceindex_end(p->sc.ix)); p->pb.playing = false; break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        playback_change_speed(&p->pb, +1);
        set_status(p, "Speed %s", playback_speed_text(p->pb.speed, sp, sizeof sp));
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        playback_change_speed(&p->pb, -1);
        set_status(p, "Speed %s", playback_speed_text(p->pb.speed, sp, sizeof sp));
        break;
    case SDLK_TAB: cycle_msg(p, shift ? -1 : +1); break;
    case SDLK_ESCAPE: select_msg(p, TRACE_NONE); break;
    case SDLK_F1: p->help = !p->help; break;
    case SDLK_l: p->legend = !p->legend; break;
    case SDLK_F11:
        p->fullscreen = !p->fullscreen;
        SDL_SetWindowFullscreen(p->win, p->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        break;
    case SDLK_d: toggle(p, &p->opt.show_packets, "Protocol packets shown (D)", "Protocol packets hidden: only messages move (D)"); break;
    case SDLK_s: toggle(p, &p->pb.slowmo, "Slow motion for packets on (S)", "Slow motion off: real proportions (S)"); break;
    case SDLK_g: toggle(p, &p->pb.compress_gaps, "Idle gaps squeezed (G)", "Idle gaps played in full (G)"); break;
    case SDLK_r: toggle(p, &p->pb.dwell, "Reading pauses at captions on (R)", "Reading pauses off (R)"); break;
    case SDLK_p: p->panel = !p->panel; relayout(p); break;
    case SDLK_h:
        if (p->theme == THEME_HIGH_CONTRAST) {
            p->theme = p->theme_before_hc;
        } else {
            p->theme_before_hc = p->theme;
            p->theme = THEME_HIGH_CONTRAST;
        }
        set_status(p, "Theme: %s (H)", theme_name(p->theme));
        break;
    case SDLK_t:
        p->theme = p->theme == THEME_LIGHT ? THEME_DARK : THEME_LIGHT;
        set_status(p, "Theme: %s (T)", theme_name(p->theme));
        break;
    case SDLK_o: open_picker(p); break;
    default: break;
    }
}

static void seek_timeline(Player *p, float x)
{
    LayoutRect bar = layout_timeline_bar(p->sc.lay);
    double f = bar.w > 0 ? (x - bar.x) / bar.w : 0;
    playback_seek(&p->pb, p->sc.ix, timeaxis_time(p->sc.axis, f));
}

static void on_click(Player *p, float x, float y)
{
    if (p->picker) {
        int row = render_picker_row_at(p->ren, x, y);
        if (row >= 0) {
            pick(p, row);
        }
        return;
    }
    if (p->help || p->legend) {
        p->help = false;
        p->legend = false;
        return;
    }
    if (p->menu || p->form_open) {
        return; /* the keyboard drives them */
    }
    const Layout *lay = p->sc.lay;
    float s = layout_scale(lay);
    if (p->ladder_on && p->ladder && layout_region_at(lay, x, y) == REGION_CANVAS) {
        int row = overlay_ladder_row_at(p->ov, p->ladder, x, y);
        const LadderRow *lr = row >= 0 ? ladder_row(p->ladder, (size_t)row) : NULL;
        if (lr && lr->event != UINT32_MAX) {
            p->pb.playing = false;
            playback_seek(&p->pb, p->sc.ix, lr->t_us);
        }
        return;
    }
    switch (layout_region_at(lay, x, y)) {
    case REGION_TIMELINE:
        p->scrubbing = true;
        p->pb.playing = false;
        seek_timeline(p, x);
        break;
    case REGION_CANVAS: {
        int64_t t = viewstate_token_at(p->sc.vs, x, y, 20 * s);
        if (t >= 0) {
            const ViewToken *tok = &p->sc.vs->tokens[t];
            int32_t m = tok->msg;
            if (m == TRACE_NONE && tok->event != UINT32_MAX) {
                m = trace_events(p->sc.tr)[tok->event].msg;
            }
            if (m != TRACE_NONE) {
                select_msg(p, m);
                break;
            }
        }
        int32_t n = layout_node_at(lay, x, y);
        if (n != TRACE_NONE) {
            select_node(p, n);
        } else {
            select_msg(p, TRACE_NONE);
        }
        break;
    }
    case REGION_LOG: {
        int64_t total = (int64_t)trace_count(p->sc.tr);
        int64_t cur = p->sc.vs->current == UINT32_MAX ? -1 : (int64_t)p->sc.vs->current;
        bool rows = p->rows_active;
        if (rows) { /* the log shows p->rows (classroom_render_state) */
            total = (int64_t)p->rows.count;
            cur = logrows_position(&p->rows, p->sc.vs->current);
        }
        int64_t row = layout_log_row_at(lay, y, layout_log_first_row(lay, cur, total), total);
        if (row >= 0 && rows) {
            row = p->rows.rows[row];
        }
        if (row >= 0) {
            p->pb.playing = false;
            playback_seek(&p->pb, p->sc.ix, trace_events(p->sc.tr)[row].t_us);
        }
        break;
    }
    case REGION_INSPECTOR: {
        int line = render_inspector_line_at(p->ren, x, y);
        const InspectLine *l = line >= 0 ? inspector_line(p->sc.insp, (size_t)line) : NULL;
        if (l && l->msg != TRACE_NONE) {
            select_msg(p, l->msg);
        }
        break;
    }
    default: break;
    }
}

static void on_wheel(Player *p, float x, float y, int dy)
{
    if (p->picker) {
        int n = p->picked - dy;
        p->picked = n < 0 ? 0 : (size_t)n >= p->nchoices ? (int)p->nchoices - 1 : n;
        return;
    }
    switch (layout_region_at(p->sc.lay, x, y)) {
    case REGION_LOG:
    case REGION_TIMELINE: playback_step(&p->pb, p->sc.ix, dy > 0 ? -1 : +1); break;
    case REGION_INSPECTOR: {
        float step = 48 * layout_scale(p->sc.lay);
        LayoutRect r = layout_region(p->sc.lay, REGION_INSPECTOR);
        float max = render_inspector_content_height(p->ren) - (r.h - 60 * layout_scale(p->sc.lay));
        p->insp_scroll -= (float)dy * step;
        p->insp_scroll = p->insp_scroll > max ? max : p->insp_scroll;
        p->insp_scroll = p->insp_scroll < 0 ? 0 : p->insp_scroll;
        break;
    }
    default: break;
    }
}

static void update_output_size(Player *p)
{
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(p->sdl, &w, &h);
    if (w != p->out_w || h != p->out_h) {
        p->out_w = w;
        p->out_h = h;
        relayout(p);
    }
}

/* Window coordinates -> renderer pixels (they differ on high-DPI screens). */
static void to_pixels(const Player *p, int wx, int wy, float *x, float *y)
{
    int ww, wh;
    SDL_GetWindowSize(p->win, &ww, &wh);
    *x = ww > 0 ? (float)wx * (float)p->out_w / (float)ww : (float)wx;
    *y = wh > 0 ? (float)wy * (float)p->out_h / (float)wh : (float)wy;
}

static void handle(Player *p, const SDL_Event *e)
{
    float x, y;
    switch (e->type) {
    case SDL_QUIT: p->done = true; break;
    case SDL_KEYDOWN: on_key(p, &e->key); break;
    case SDL_TEXTINPUT: /* '?' wherever the keyboard layout puts it */
        if (p->form_open) {
            sendform_type(&p->form, e->text.text);
        } else if (strcmp(e->text.text, "?") == 0 && !p->picker) {
            p->help = !p->help;
        }
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            update_output_size(p);
        } else if (e->window.event == SDL_WINDOWEVENT_CLOSE) {
            /* The close button: SDL turns it into SDL_QUIT only while
             * SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE is on (and not before SDL 2.0.22). */
            p->done = true;
        }
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) {
            to_pixels(p, e->button.x, e->button.y, &x, &y);
            on_click(p, x, y);
        }
        break;
    case SDL_MOUSEBUTTONUP: p->scrubbing = false; break;
    case SDL_MOUSEMOTION:
        if (p->scrubbing) {
            to_pixels(p, e->motion.x, e->motion.y, &x, &y);
            seek_timeline(p, x);
        }
        break;
    case SDL_MOUSEWHEEL: {
        int mx, my;
        SDL_GetMouseState(&mx, &my);
        to_pixels(p, mx, my, &x, &y);
        on_wheel(p, x, y, e->wheel.y);
        break;
    }
    default: break;
    }
}

/* Lesson mode's questions: time that crossed a question's moment is held just before it and the
 * question is put; an open question holds time there, and closes when time is taken back. */
static void quiz_follow(Player *p)
{
    if (!p->lesson || !p->lq) {
        p->last_t = p->pb.t_us;
        return;
    }
    LessonQuiz *qz = &p->quiz;
    if (qz->active >= 0) {
        const LessonQuestion *q = lesson_question(p->lq, (size_t)qz->active);
        if (p->pb.t_us < q->pause_us) {
            qz->active = -1; /* stepped back: the question waits for its moment again */
            qz->revealed = false;
        } else if (p->pb.t_us != q->pause_us) {
            playback_seek(&p->pb, p->sc.ix, q->pause_us);
            p->pb.playing = false;
        }
    }
    int64_t t = p->pb.t_us;
    if (lesson_quiz_update(qz, p->lq, p->last_t, &t) >= 0) {
        playback_seek(&p->pb, p->sc.ix, t);
        p->pb.playing = false;
    }
    p->last_t = p->pb.t_us;
}

/* The log's rows and the ticks for lesson mode and the filter (render_set_lesson). */
static void classroom_render_state(Player *p, RenderLesson *rl, char *title, size_t size)
{
    memset(rl, 0, sizeof *rl);
    LogFilter f = p->filter;
    if (p->filter_sel) {
        f.msg = p->opt.selected_msg;
        f.node = p->opt.selected_msg == TRACE_NONE ? p->opt.selected_node : TRACE_NONE;
    }
    size_t shown = lesson_events_shown(p->sc.vs);
    rl->lesson = p->lesson;
    rl->ticks_shown = shown;
    p->rows_active = p->lesson || !logfilter_is_all(&f);
    if (!p->rows_active) {
        return;
    }
    static const uint32_t NO_ROWS[1] = { 0 };
    logrows_build(&p->rows, p->sc.tr, &f, p->lesson ? shown : trace_count(p->sc.tr));
    rl->log_rows = p->rows.count ? p->rows.rows : NO_ROWS;
    rl->log_row_count = p->rows.count;
    logfilter_title(p->sc.tr, &f, title, size);
    if (p->lesson) {
        size_t n = strlen(title);
        snprintf(title + n, size - n, " \u00b7 past");
    }
    rl->log_title = title;
}

/* The ladder of the selected message, built again when the message, what is past or the mode
 * changes. */
static void ladder_follow(Player *p)
{
    int32_t m = p->opt.selected_msg;
    if (!p->ladder_on || m == TRACE_NONE) {
        ladder_drop(p);
        return;
    }
    size_t shown = lesson_events_shown(p->sc.vs);
    if (p->ladder && p->ladder_tr == p->sc.tr && p->ladder_msg == m && p->ladder_shown == shown &&
        p->ladder_lesson == p->lesson) {
        return;
    }
    ladder_destroy(p->ladder);
    LadderOptions lo = { .until_us = p->pb.t_us, .hide_future = p->lesson };
    p->ladder = ladder_build(p->sc.tr, m, &lo);
    p->ladder_tr = p->sc.tr;
    p->ladder_msg = m;
    p->ladder_shown = shown;
    p->ladder_lesson = p->lesson;
    p->ladder_version++;
}

static void draw_overlays(Player *p)
{
    if (p->help || p->picker || p->legend) {
        return;
    }
    OverlayFrame of = { .lay = p->sc.lay, .axis = p->sc.axis, .theme = p->theme };
    if (p->ladder_on && p->ladder) {
        overlay_ladder(p->ov, &of, p->ladder, p->ladder_version);
    }
    overlay_marks(p->ov, &of, p->marks, p->nmarks);
    if (p->lesson) {
        overlay_lesson_badge(p->ov, &of);
    }
    if (p->lesson && p->quiz.active >= 0) {
        overlay_question(p->ov, &of, lesson_question(p->lq, (size_t)p->quiz.active),
                         p->quiz.picked, p->quiz.revealed);
    }
    if (p->menu) {
        overlay_whatif_menu(p->ov, &of, p->menu_title, p->wch, p->nwch);
    }
    if (p->form_open) {
        overlay_sendform(p->ov, &of, &p->form);
    }
}

/* Advances the clock by dt_s and draws the frame. */
static void advance_and_draw(Player *p, double dt_s)
{
    Scene *sc = &p->sc;
    if (p->quiz.active < 0 && !p->menu && !p->form_open) {
        playback_advance(&p->pb, sc->ix, sc->vs, dt_s);
    }
    quiz_follow(p);
    p->opt.current_event = p->pb.step_event;
    viewstate_compute(sc->ix, sc->lay, p->pb.t_us, &p->opt, sc->vs);
    ladder_follow(p);
    RenderLesson rl;
    char log_title[300];
    classroom_render_state(p, &rl, log_title, sizeof log_title);
    render_set_lesson(p->ren, &rl);
    /* The inspector follows time; a node's countdowns change even between events. */
    if (sc->vs->events_done != p->insp_events || (p->subj == SUBJ_NODE && p->pb.t_us != p->insp_t)) {
        build_inspector(sc, p->subj, p->subj_id, p->pb.t_us, p->insp_title, sizeof p->insp_title);
        if (p->lesson && p->subj == SUBJ_SCENARIO) { /* the lesson's answer waits for its moment */
            inspector_scenario_lesson(sc->insp, sc->ix, p->pb.t_us,
                                      lesson_text(trace_lesson(sc->tr), p->pb.t_us >= p->reveal_us,
                                                  p->lesson_text, sizeof p->lesson_text));
        }
        p->insp_events = sc->vs->events_done;
        p->insp_t = p->pb.t_us;
    }
    p->status_left -= dt_s;
    p->error_left -= dt_s;
    RenderHud hud = { .ix = sc->ix,
                      .lay = sc->lay,
                      .axis = sc->axis,
                      .pb = &p->pb,
                      .inspector = sc->insp,
                      .inspector_title = p->insp_title,
                      .inspector_scroll = p->insp_scroll,
                      .theme = p->theme,
                      .show_help = p->help,
                      .show_legend = p->legend,
                      .show_picker = p->picker,
                      .picker = p->items,
                      .picker_count = p->nchoices,
                      .picker_selected = p->picked,
                      .status = p->status_left > 0 ? p->status : NULL,
                      .error = p->error_left > 0 ? p->error : NULL };
    render_frame(p->ren, sc->vs, &hud);
    draw_overlays(p);
    SDL_RenderPresent(p->sdl);
}

static bool busy(const Player *p)
{
    return p->pb.playing || p->pb.note_left_s > 0 || p->status_left > 0 || p->error_left > 0 ||
           p->scrubbing;
}

/* The default scenario: 01-*.json in the scenario directory, else the first one. */
static char *default_path(Player *p)
{
    load_choices(p);
    for (size_t i = 0; i < p->nchoices; i++) {
        if (strncmp(p->choices[i].file, "01-", 3) == 0) {
            return xstrdup(p->choices[i].path);
        }
    }
    return p->nchoices ? xstrdup(p->choices[0].path) : NULL;
}

static void print_error(const Error *err)
{
    char buf[1200];
    fprintf(stderr, "mailsim: %s\n", error_format(err, buf, sizeof buf));
}

/* The window and its renderer at the configured size (the design size by default). */
static bool open_window(Player *p)
{
    const PlayerConfig *cfg = p->cfg;
    int w = cfg->width > 0 ? cfg->width : LAYOUT_DESIGN_W;
    int h = cfg->height > 0 ? cfg->height : LAYOUT_DESIGN_H;
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI |
                   (cfg->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    p->win = SDL_CreateWindow("mailsim", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (!p->win) {
        fprintf(stderr, "mailsim: cannot create the window: %s\n", SDL_GetError());
        return false;
    }
    SDL_SetWindowMinimumSize(p->win, 480, 320);
    p->sdl = SDL_CreateRenderer(p->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!p->sdl) {
        p->sdl = SDL_CreateRenderer(p->win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!p->sdl) {
        fprintf(stderr, "mailsim: cannot create a renderer: %s\n", SDL_GetError());
        return false;
    }
    return true;
}

/* The file asked for, else the default scenario (then with the picker open over it). The first
 * file must open; later ones may fail and leave the current one in place. */
static bool open_first(Player *p)
{
    const PlayerConfig *cfg = p->cfg;
    char *first = cfg->path ? xstrdup(cfg->path) : default_path(p);
    if (!first) {
        fprintf(stderr, "mailsim: no scenario given and none found in %s\n",
                cfg->scenario_dir ? cfg->scenario_dir : "(no scenario directory)");
        return false;
    }
    Error err = { 0 };
    Trace *tr = load_path(p, first, &err);
    if (tr) {
        show_trace(p, tr, first);
    } else {
        print_error(&err);
    }
    free(first);
    if (tr && !cfg->path) {
        open_picker(p);
    }
    return tr != NULL;
}

/* Opens, in this order, the fonts' directory, SDL's video, SDL_ttf, SDL_image, the window and its
 * renderer, the drawing and the first file, and starts the clock. Returns false at the first that
 * fails, with the reason printed; player_cleanup undoes whatever was done. */
static bool player_init(Player *p, const PlayerConfig *cfg)
{
    p->cfg = cfg;
    p->theme = THEME_LIGHT;
    p->theme_before_hc = THEME_LIGHT;
    p->user_scale = 1.0f;
    p->panel = true;
    p->picked = 0;
    p->subj_id = TRACE_NONE;
    p->fullscreen = cfg->fullscreen;

    Error err = { 0 };
    const char *assets = render_locate_assets(&err);
    if (!assets) {
        print_error(&err);
        return false;
    }
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "mailsim: cannot open a window (%s); `mailsim shot` works without a "
                        "display\n", SDL_GetError());
        return false;
    }
    p->video = true;
    if (TTF_Init() != 0) {
        fprintf(stderr, "mailsim: cannot start SDL_ttf: %s\n", TTF_GetError());
        return false;
    }
    p->ttf = true;
    p->img = (IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) != 0;
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");
    if (!open_window(p)) {
        return false;
    }
    p->ren = render_create(p->sdl, assets, &err);
    if (!p->ren) {
        print_error(&err);
        return false;
    }
    SDL_GetRendererOutputSize(p->sdl, &p->out_w, &p->out_h);
    p->ov = overlay_create(p->sdl, render_textcache(p->ren));
    lesson_quiz_init(&p->quiz, NULL);
    if (!open_first(p)) {
        return false;
    }
    p->clock_freq = SDL_GetPerformanceFrequency();
    p->clock_last = SDL_GetPerformanceCounter();
    return true;
}

/* One turn of the loop: the script's events (tests), every pending event, then the clock and one
 * frame. Returns false when the player is to close: a close request stops it in the frame it
 * arrives in, whatever is moving (there is nothing to save). */
static bool player_frame(Player *p)
{
    const PlayerConfig *cfg = p->cfg;
    if (cfg->on_frame) {
        cfg->on_frame(cfg->frame_ctx, p->frame_no);
    }
    p->frame_no++;
    bool scripted = cfg->frame_dt_s > 0;
    /* Nothing moving: sleep until an event comes, or a quarter second passes. A browser calls
     * this once per display frame and delivers events only between calls: it must never wait. */
    bool may_wait = !busy(p) && !scripted;
#ifdef __EMSCRIPTEN__
    may_wait = false;
#endif
    SDL_Event e;
    bool got = may_wait ? SDL_WaitEventTimeout(&e, 250) : SDL_PollEvent(&e);
    while (got) {
        handle(p, &e);
        got = SDL_PollEvent(&e);
    }
    if (p->done) {
        return false;
    }
    Uint64 now = SDL_GetPerformanceCounter();
    double dt_s = (double)(now - p->clock_last) / (double)p->clock_freq;
    p->clock_last = now;
    advance_and_draw(p, scripted ? cfg->frame_dt_s : dt_s > 0.1 ? 0.1 : dt_s); /* after a stall, do not leap */
    return true;
}

/* Undoes player_init in reverse order, from wherever it stopped, and frees the Player. */
static void player_cleanup(Player *p)
{
    ladder_drop(p);
    lesson_quiz_free(&p->quiz);
    lesson_questions_destroy(p->lq);
    logrows_free(&p->rows);
    overlay_destroy(p->ov);
    scene_close(&p->sc);
    free_choices(p);
    render_destroy(p->ren);
    if (p->sdl) {
        SDL_DestroyRenderer(p->sdl);
    }
    if (p->win) {
        SDL_DestroyWindow(p->win);
    }
    if (p->img) {
        IMG_Quit();
    }
    if (p->ttf) {
        TTF_Quit();
    }
    if (p->video) {
        SDL_Quit();
    }
    free(p);
}

#ifdef __EMSCRIPTEN__
/* The page's one player while it runs (player.h's player_web_* read it), else NULL. */
static Player *web_player;
/* The page changed the scene without an SDL event (player_web_open): draw the next frame. */
static bool web_redraw;

/* One browser frame: player_frame, and the end of the player when it is closed. With nothing
 * moving and no input the frame is skipped and the canvas keeps the last one, as the desktop
 * sleeps in SDL_WaitEventTimeout; the clock restarts from now, so no time is lost or gained. */
static void web_frame(void *arg)
{
    Player *p = arg;
    if (!busy(p) && !web_redraw && !SDL_HasEvents(SDL_FIRSTEVENT, SDL_LASTEVENT)) {
        p->clock_last = SDL_GetPerformanceCounter();
        return;
    }
    web_redraw = false;
    if (player_frame(p)) {
        return;
    }
    emscripten_cancel_main_loop();
    web_player = NULL;
    player_cleanup(p);
}

bool player_web_open(const char *path)
{
    if (!web_player || !open_path(web_player, path)) {
        return false; /* the error shown keeps the player busy, hence drawing */
    }
    web_player->picker = false;
    web_redraw = true;
    return true;
}

bool player_web_view(PlayerWebView *out)
{
    const Player *p = web_player;
    if (!p) {
        return false;
    }
    *out = (PlayerWebView){ .trace = p->sc.tr,
                            .t_us = p->pb.t_us,
                            .selected_msg = p->opt.selected_msg,
                            .high_contrast = p->theme == THEME_HIGH_CONTRAST,
                            .frames = p->frame_no };
    return true;
}
#endif

int player_run(const PlayerConfig *cfg)
{
    Player *p = xcalloc(1, sizeof *p);
    bool ok = player_init(p, cfg);
#ifdef __EMSCRIPTEN__
    /* The browser owns the loop: it calls web_frame once per display frame (requestAnimationFrame)
     * and this call never returns; simulate_infinite_loop leaves the caller's stack, where cfg
     * lives, in place. */
    if (ok) {
        web_player = p;
        web_redraw = true;
        emscripten_set_main_loop_arg(web_frame, p, 0, 1);
    }
#endif
    while (ok && player_frame(p)) {
    }
    player_cleanup(p);
    return ok ? 0 : 2;
}
