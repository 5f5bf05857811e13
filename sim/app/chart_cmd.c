/* chart_cmd: `mailsim chart` (see chart_cmd.h): picks the message, builds its ladder and hands it
 * to the SVG writer (text, written whole or not at all) or to the SDL drawer (PNG). */
#include "app/chart_cmd.h"

#include "player/ladder_draw.h"
#include "player/render.h"
#include "util/atomicfile.h"
#include "util/error.h"
#include "view/ladder.h"
#include "view/ladder_svg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { CHART_OK = 0, CHART_BAD_INPUT = 2 };

/* At most this many ids are listed in an error; a bulk trace has thousands. */
#define CHART_LIST_MAX 20

static void list_messages(const Trace *tr)
{
    size_t n = trace_msg_count(tr);
    if (n == 0) {
        fprintf(stderr, "mailsim: this trace has no messages\n");
        return;
    }
    fprintf(stderr, "mailsim: its messages: ");
    for (size_t i = 0; i < n && i < CHART_LIST_MAX; i++) {
        fprintf(stderr, "%s%s", i ? ", " : "", trace_str(tr, trace_msg(tr, (int32_t)i)->id));
    }
    if (n > CHART_LIST_MAX) {
        fprintf(stderr, ", ... (%zu in all)", n);
    }
    fputc('\n', stderr);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool write_svg(const Ladder *ld, const char *path)
{
    AtomicFile *af = atomicfile_open(path);
    bool ok = af && ladder_svg_write(ld, THEME_LIGHT, atomicfile_stream(af));
    if (ok) {
        ok = atomicfile_commit(af);
    } else {
        atomicfile_abort(af);
    }
    if (!ok) {
        fprintf(stderr, "mailsim: cannot write %s: %s\n", path, strerror(errno));
    }
    return ok;
}

static bool write_png(const Ladder *ld, const char *path)
{
    Error err = { 0 };
    const char *assets = render_locate_assets(&err);
    if (!assets || !ladder_draw_png(ld, THEME_LIGHT, assets, path, &err)) {
        char buf[1400];
        fprintf(stderr, "%s\n", error_format(&err, buf, sizeof buf));
        return false;
    }
    return true;
}

int chart_cmd_run(const Trace *tr, const ChartRequest *req)
{
    bool svg = has_suffix(req->out, ".svg"), png = has_suffix(req->out, ".png");
    if (!svg && !png) {
        fprintf(stderr, "mailsim: chart writes FILE.svg or FILE.png, not \"%s\"\n", req->out);
        return CHART_BAD_INPUT;
    }
    if (!req->msg) {
        fprintf(stderr, "mailsim: chart needs --msg ID, the message to draw\n");
        list_messages(tr);
        return CHART_BAD_INPUT;
    }
    int32_t msg = trace_find_msg(tr, req->msg);
    if (msg == TRACE_NONE) {
        fprintf(stderr, "mailsim: there is no message \"%s\" in this trace\n", req->msg);
        list_messages(tr);
        return CHART_BAD_INPUT;
    }
    LadderOptions o = { .until_us = req->at_given ? req->at_us : TRACE_NO_TIME,
                        .hide_future = req->at_given };
    Ladder *ld = ladder_build(tr, msg, &o);
    bool ok = svg ? write_svg(ld, req->out) : write_png(ld, req->out);
    ladder_destroy(ld);
    return ok ? CHART_OK : CHART_BAD_INPUT;
}
