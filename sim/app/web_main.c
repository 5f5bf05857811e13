/* web_main: what the web page (web/index.html) calls in the running player, compiled only under
 * emscripten. Each function is one button of the page: open a file the page wrote into the virtual
 * filesystem, write the scene's trace, a shot or a chart into a file there (the page then offers it
 * as a download), and read the clock for the page's status line and its tests.
 *
 * Owns nothing between calls; the player owns the scene (player.h's player_web_view). The files
 * are written with the same writers as `mailsim run --trace`, `mailsim shot` and `mailsim chart`,
 * so a download equals what those commands write. Errors go to stderr as on the desktop; the page
 * shows them. Every function returns 1 on success, 0 otherwise (C ints are what ccall passes). */

#include "app/chart_cmd.h"
#include "player/player.h"
#include "trace/trace_jsonl.h"
#include "util/atomicfile.h"

#include <emscripten.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Exported to JavaScript: prototypes here only to satisfy -Wmissing-prototypes. */
int mailsim_web_open(const char *path);
int mailsim_web_save_trace(const char *out);
int mailsim_web_save_shot(const char *out);
int mailsim_web_save_chart(const char *out);
double mailsim_web_time_s(void);
double mailsim_web_frames(void);

/* Emscripten starts with a umask of 0777, so a file made with 0666 minus the umask (as fopen and
 * util/atomicfile.h make them) would have no permission at all, and the page could not read it
 * back for the download. The usual 022, as a shell gives, before writing one. */
static void web_prepare_write(void)
{
    umask(022);
}

EMSCRIPTEN_KEEPALIVE int mailsim_web_open(const char *path)
{
    return player_web_open(path);
}

EMSCRIPTEN_KEEPALIVE int mailsim_web_save_trace(const char *out)
{
    web_prepare_write();
    PlayerWebView v;
    if (!player_web_view(&v)) {
        return 0;
    }
    AtomicFile *af = atomicfile_open(out);
    if (!af) {
        fprintf(stderr, "mailsim: %s: cannot write the trace: %s\n", out, strerror(errno));
        return 0;
    }
    if (!trace_write_jsonl(v.trace, atomicfile_stream(af))) {
        fprintf(stderr, "mailsim: %s: cannot write the trace: %s\n", out, strerror(errno));
        atomicfile_abort(af);
        return 0;
    }
    return atomicfile_commit(af);
}

/* The selected message's id, else the first message's, else NULL (a trace without messages). */
static const char *chosen_msg_id(const PlayerWebView *v, bool fall_back)
{
    int32_t m = v->selected_msg;
    if (m == TRACE_NONE && fall_back && trace_msg_count(v->trace) > 0) {
        m = 0;
    }
    return m == TRACE_NONE ? NULL : trace_str(v->trace, trace_msg(v->trace, m)->id);
}

/* `mailsim shot` at the player's clock, with its selection and contrast, at the design size. */
EMSCRIPTEN_KEEPALIVE int mailsim_web_save_shot(const char *out)
{
    web_prepare_write();
    PlayerWebView v;
    if (!player_web_view(&v)) {
        return 0;
    }
    ShotConfig cfg = { .trace = v.trace,
                       .at_us = v.t_us,
                       .out_png = out,
                       .select_msg = chosen_msg_id(&v, false),
                       .high_contrast = v.high_contrast };
    Error err = { 0 };
    if (player_shot(&cfg, &err) != 0) {
        char buf[1200];
        fprintf(stderr, "mailsim: %s\n", error_format(&err, buf, sizeof buf));
        return 0;
    }
    return 1;
}

/* `mailsim chart` of the selected message (else the first), the whole ladder; out ends in .svg
 * or .png. */
EMSCRIPTEN_KEEPALIVE int mailsim_web_save_chart(const char *out)
{
    web_prepare_write();
    PlayerWebView v;
    if (!player_web_view(&v)) {
        return 0;
    }
    ChartRequest req = { .msg = chosen_msg_id(&v, true), .out = out };
    return chart_cmd_run(v.trace, &req) == 0;
}

/* The playback clock in seconds, or -1 while no player runs. */
EMSCRIPTEN_KEEPALIVE double mailsim_web_time_s(void)
{
    PlayerWebView v;
    return player_web_view(&v) ? (double)v.t_us / 1e6 : -1;
}

/* Frames the player has drawn (a double: JavaScript has no 64-bit ints here), or -1. */
EMSCRIPTEN_KEEPALIVE double mailsim_web_frames(void)
{
    PlayerWebView v;
    return player_web_view(&v) ? (double)v.frames : -1;
}
