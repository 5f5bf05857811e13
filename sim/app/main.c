/* main: the mailsim program — parses the command line and wires the layers together:
 * scenario -> world -> simulation -> trace -> views (narrated log, JSONL trace, summary, expect
 * checker, the SDL player and screenshots). It owns nothing beyond one command's lifetime.
 *
 * The command line is described by two tables, COMMANDS and OPTIONS: parsing, the check of which
 * command takes which option, the check that no output overwrites an input or another output and
 * the --help text are all driven by them.
 *
 * Nothing written is lost unnoticed: an output file is written whole or not at all
 * (util/atomicfile.h), and standard output is flushed and checked before the exit status is
 * chosen, so a full disk or a closed pipe is an error (exit 2) rather than a silent success. */
#define _POSIX_C_SOURCE 200809L

#include "text/ask.h"
#include "text/expect.h"
#include "text/summary.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"
#include "util/atomicfile.h"
#include "util/datadir.h"
#include "util/error.h"
#include "util/xalloc.h"

#ifdef MAILSIM_HAVE_PLAYER
#include "app/chart_cmd.h"
#include "app/whatif.h"
#include "player/player.h"
#endif

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef MAILSIM_VERSION
#define MAILSIM_VERSION "0.0.0"
#endif
#ifndef MAILSIM_SCENARIO_DIR
#define MAILSIM_SCENARIO_DIR "scenarios"
#endif

enum { EXIT_OK = 0, EXIT_UNMET = 1, EXIT_BAD_INPUT = 2 };

/* The most engine events one run may take (--max-events changes it). A run that reaches it, or
 * whose trace reaches TRACE_MAX_EVENTS (what a trace file may hold; one engine event can record an
 * event per recipient), is refused as bad input rather than shown half done; one whose messages
 * alone would record more trace events is refused before it runs. Every shipped scenario needs
 * under 1 000; the trace limit is reached in a few seconds and under 1 GB. */
#define MAILSIM_MAX_EVENTS UINT64_C(50000000)

/* The options, in the order a refusal names them when several are refused at once. */
typedef enum {
    OPT_SEED,
    OPT_TRACE,
    OPT_SUMMARY,
    OPT_QUIET,
    OPT_MAX_EVENTS,
    OPT_AT,
    OPT_OUT,
    OPT_SIZE,
    OPT_SELECT,
    OPT_HIGH_CONTRAST,
    OPT_MSG,
    OPT_BOXES,
    OPT_ACT,
    OPT_LESSON,
    OPT_COUNT
} OptionId;

/* The commands, in the order --help lists them. */
typedef enum { CMD_PLAYER, CMD_RUN, CMD_CHECK, CMD_REPLAY, CMD_SHOT, CMD_CHART, CMD_COUNT } CommandId;

#define BIT(id) (1u << (id))

typedef struct {
    int width, height; /* 0x0: the player's design size */
} Size;

/* What the command line asked for; OPTIONS says which option fills which field. */
typedef struct {
    const char *trace_out;
    const char *summary_out;
    const char *out_png;
    const char *boxes_json;
    const char *select;
    const char *msg;
    bool quiet, high_contrast, lesson;
    uint64_t seed;
    uint64_t max_events; /* 0: MAILSIM_MAX_EVENTS */
    double at_s;
    Size size;
    const char **acts; /* every --act JSON, in order (room for one per argument) */
    uint32_t act_count;
    unsigned given; /* BIT(OptionId) of every option on the command line */
} Options;

static void usage_print(FILE *out);

static int usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* "mailsim: " + the message + the usage on stderr; returns EXIT_BAD_INPUT. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "mailsim: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    usage_print(stderr);
    return EXIT_BAD_INPUT;
}

static void print_error(const Error *err)
{
    char buf[1400];
    fprintf(stderr, "%s\n", error_format(err, buf, sizeof buf));
}

static bool option_given(const Options *opt, OptionId id)
{
    return (opt->given & BIT(id)) != 0;
}

/* ---- standard output ---- */

/* Set once standard output has been reported as failing, so it is reported only once. */
static bool stdout_reported;

static void stdout_report(int errnum)
{
    if (!stdout_reported) {
        fprintf(stderr, "mailsim: cannot write to standard output: %s\n", strerror(errnum));
    }
    stdout_reported = true;
}

/* Flushes and closes standard output at exit. False, with the reason reported, when anything
 * written to it was lost (a full disk, /dev/full, a closed pipe with SIGPIPE ignored): the
 * narrated log, `check`'s lines or `--trace -` would otherwise vanish behind exit status 0. */
static bool stdout_close(void)
{
    bool ok = fflush(stdout) == 0;
    if (ok && ferror(stdout)) {
        errno = EIO; /* a write failed earlier and its bytes are gone: the reason is lost too */
        ok = false;
    }
    int reason = errno;
    if (fclose(stdout) != 0 && ok) {
        ok = false;
        reason = errno;
    }
    if (!ok) {
        stdout_report(reason);
    }
    return ok && !stdout_reported;
}

/* ---- writing output files whole or not at all ---- */

typedef bool (*Writer)(const Trace *tr, const void *ctx, FILE *out);

/* Writes whole or not at all (util/atomicfile.h), so a failure never leaves a half-written file
 * and never replaces a FIFO or a device; "-" writes to stdout. */
static bool write_output(const char *path, Writer write, const Trace *tr, const void *ctx)
{
    if (strcmp(path, "-") == 0) {
        if (write(tr, ctx, stdout)) {
            return true;
        }
        stdout_report(errno);
        return false;
    }
    AtomicFile *af = atomicfile_open(path);
    bool ok = af && write(tr, ctx, atomicfile_stream(af));
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

static bool write_trace(const Trace *tr, const void *ctx, FILE *out)
{
    (void)ctx;
    return trace_write_jsonl(tr, out);
}

static bool write_summary(const Trace *tr, const void *ctx, FILE *out)
{
    return summary_write_json(tr, ctx, out);
}

/* ---- loading ---- */

/* Adds each --act to the loaded world, as if written at the end of its "actions". Errors name
 * the option ("--act", or "--act #2" when there are several) and the JSON path in it. */
static bool add_acts(World *w, const Options *opt, Error *err)
{
    for (uint32_t i = 0; opt && i < opt->act_count; i++) {
        char name[32];
        snprintf(name, sizeof name, opt->act_count == 1 ? "--act" : "--act #%u", i + 1);
        if (!scenario_add_action_json(w, opt->acts[i], strlen(opt->acts[i]), name, err)) {
            return false;
        }
    }
    return true;
}

/* Adds the --act actions to the loaded world w (from the file at `path`, named in errors) and
 * runs it; takes w: it is destroyed or, with world_out, handed back. */
static Trace *run_world(World *w, const char *path, const Options *opt, World **world_out,
                        Error *err)
{
    if (!add_acts(w, opt, err)) {
        world_destroy(w);
        return NULL;
    }
    /* Every command that runs a scenario keeps its trace (run narrates from it), so one whose
     * messages alone would outgrow the trace is refused now rather than after seconds of run. */
    uint64_t least = sim_min_trace_events(w);
    if (least > TRACE_MAX_EVENTS) {
        error_set(err, path, "",
                  "the run would record at least %llu trace events (each message composed "
                  "records its headers); the limit is %u, the most a trace may hold. Fewer "
                  "messages or recipients, a longer every_s or a shorter horizon_s make it smaller",
                  (unsigned long long)least, TRACE_MAX_EVENTS);
        world_destroy(w);
        return NULL;
    }
    SimOptions so = { .seed_set = opt && option_given(opt, OPT_SEED),
                      .seed = opt ? opt->seed : 0,
                      .max_events = opt && opt->max_events ? opt->max_events : MAILSIM_MAX_EVENTS,
                      .max_trace_events = TRACE_MAX_EVENTS };
    Sim *sim = sim_create(w, &so);
    sim_run(sim);
    const SimStats *st = sim_stats(sim);
    if (st->hit_event_limit) {
        error_set(err, path, "",
                  "the run needs more than %llu events, the limit (--max-events); it was stopped "
                  "at %.3f s of simulated time. Fewer messages or recipients, a shorter "
                  "horizon_s or longer retry waits make it smaller",
                  (unsigned long long)so.max_events, (double)st->end_us / 1e6);
        sim_destroy(sim);
        world_destroy(w);
        return NULL;
    }
    if (st->hit_trace_limit) {
        /* Past this a trace could not be replayed (TRACE_MAX_EVENTS), and its memory is what
         * a run costs: one engine event may record an event per recipient. */
        error_set(err, path, "",
                  "the run records more than %u trace events, the most a trace may hold; it was "
                  "stopped at %.3f s of simulated time. Fewer messages or recipients, a shorter "
                  "horizon_s or longer retry waits make it smaller",
                  TRACE_MAX_EVENTS, (double)st->end_us / 1e6);
        sim_destroy(sim);
        world_destroy(w);
        return NULL;
    }
    if (st->hit_horizon) {
        fprintf(stderr, "mailsim: note: %s stopped at its horizon with mail still in flight\n", path);
    }
    Trace *tr = sim_take_trace(sim);
    sim_destroy(sim);
    if (world_out) {
        *world_out = w;
    } else {
        world_destroy(w);
    }
    return tr;
}

static Trace *run_scenario(const char *path, const Options *opt, World **world_out, Error *err)
{
    World *w = scenario_load_file(path, err);
    return w ? run_world(w, path, opt, world_out, err) : NULL;
}

#ifdef MAILSIM_HAVE_PLAYER
static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* True when `head` (the file's first bytes) begins with a line naming the trace format: a trace
 * saved under another name (t.trace, t.txt) is still read as a trace instead of failing as a
 * scenario. A best-effort look only; the trace reader decides. */
static bool looks_like_trace(const char *head)
{
    char line[512];
    snprintf(line, sizeof line, "%s", head);
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
    }
    return strstr(line, "\"format\"") && strstr(line, "\"mailsim-trace\"");
}

/* A recorded trace (.jsonl, or a file whose first line is a trace header) is read; anything else
 * is a scenario to run. A trace carries its own topology (the header's nodes and links), so it is
 * never combined with a scenario file and the two cannot disagree. The file is opened once and
 * its first bytes, read for the sniff, are handed on to the reader: a pipe (/dev/stdin, <(...))
 * cannot be read twice. */
static Trace *load_any(const char *path, const Options *opt, Error *err)
{
    bool jsonl = ends_with(path, ".jsonl");
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, path, "", jsonl ? "cannot open: %s" : "cannot open the scenario: %s",
                  strerror(errno));
        return NULL;
    }
    char head[512];
    size_t n = jsonl ? 0 : fread(head, 1, sizeof head - 1, f);
    head[n] = '\0';
    Trace *tr = NULL;
    if ((jsonl || looks_like_trace(head)) && opt && opt->act_count) {
        error_set(err, path, "",
                  "--act changes a scenario before it runs; a recorded trace has already run");
    } else if (jsonl || looks_like_trace(head)) {
        tr = trace_read_jsonl_after(f, head, n, path, err);
    } else {
        World *w = scenario_load_stream(f, head, n, path, err);
        tr = w ? run_world(w, path, opt, NULL, err) : NULL;
    }
    fclose(f);
    return tr;
}
#endif

/* ---- commands ---- */

/* A command's handler: the options it takes (the others were refused) and its files, as many as
 * its FileRule allows. Returns the exit status. */
typedef int (*CommandFn)(const Options *opt, char **files, int nfiles);

static int cmd_run(const Options *opt, char **files, int nfiles)
{
    (void)nfiles;
    Error err = { 0 };
    World *w = NULL;
    Trace *tr = run_scenario(files[0], opt, &w, &err);
    if (!tr) {
        print_error(&err);
        return EXIT_BAD_INPUT;
    }
    bool to_stdout = (opt->trace_out && strcmp(opt->trace_out, "-") == 0) ||
                     (opt->summary_out && strcmp(opt->summary_out, "-") == 0);
    if (!opt->quiet && !to_stdout) {
        ask_narrate_write(w, tr, stdout); /* the narrated log, with the scenario's questions */
    }
    world_destroy(w);
    bool ok = true;
    if (opt->trace_out) {
        ok &= write_output(opt->trace_out, write_trace, tr, NULL);
    }
    if (opt->summary_out) {
        Summary *s = summary_build(tr);
        ok &= write_output(opt->summary_out, write_summary, tr, s);
        summary_destroy(s);
    }
    trace_destroy(tr);
    return ok ? EXIT_OK : EXIT_BAD_INPUT;
}

static int check_one(const char *path, const Options *opt)
{
    Error err = { 0 };
    World *w = NULL;
    Trace *tr = run_scenario(path, opt, &w, &err);
    if (!tr) {
        print_error(&err);
        return EXIT_BAD_INPUT;
    }
    Summary *s = summary_build(tr);
    int unmet = expect_check(w, tr, s, NULL);
    /* Questions count as expectations: each one's answer must be what the run shows. */
    uint32_t total = w->expect_msg_count + w->expect_event_count + w->question_count;
    if (unmet == 0) {
        printf("PASS %s (%u expectations)\n", path, total);
    } else {
        printf("FAIL %s (%d of %u expectations unmet)\n", path, unmet, total);
        expect_check(w, tr, s, stdout);
    }
    summary_destroy(s);
    trace_destroy(tr);
    world_destroy(w);
    return unmet ? EXIT_UNMET : EXIT_OK;
}

static int cmd_check(const Options *opt, char **files, int nfiles)
{
    /* check runs each scenario with its own seed: only the event limit carries over. */
    Options check_opt = { .max_events = opt->max_events };
    int worst = EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        int rc = check_one(files[i], &check_opt);
        worst = rc > worst ? rc : worst;
    }
    return worst;
}

#ifdef MAILSIM_HAVE_PLAYER
/* The player's window onto the scenario it shows (player.h PlayerClassroom): the what-if session
 * of the last scenario loaded, NULL for a recorded trace. */
typedef struct {
    const Options *opt;
    WhatIf *wi;
} Classroom;

static Trace *player_load(void *ctx, const char *path, Error *err)
{
    Classroom *cl = ctx;
    Trace *tr = load_any(path, cl->opt, err);
    if (!tr) {
        return NULL; /* the file shown before stays, with its what-if */
    }
    whatif_destroy(cl->wi);
    cl->wi = NULL;
    bool trace = ends_with(path, ".jsonl") || looks_like_trace(path);
    if (!trace) {
        SimOptions so = { .seed_set = option_given(cl->opt, OPT_SEED),
                          .seed = cl->opt->seed,
                          .max_events = cl->opt->max_events ? cl->opt->max_events
                                                            : MAILSIM_MAX_EVENTS,
                          .max_trace_events = TRACE_MAX_EVENTS };
        Error ignored = { 0 }; /* it just loaded: only a vanished file fails, and then no what-if */
        cl->wi = whatif_open(path, &so, &ignored);
        for (uint32_t i = 0; cl->wi && i < cl->opt->act_count; i++) {
            whatif_push(cl->wi, cl->opt->acts[i], &ignored);
        }
    }
    return tr;
}

static LessonQuestions *classroom_questions(void *ctx, const Trace *tr)
{
    Classroom *cl = ctx;
    Error err = { 0 };
    World *w = cl->wi ? whatif_world(cl->wi, &err) : NULL;
    if (!w) {
        return NULL;
    }
    LessonQuestions *lq = w->question_count ? lesson_questions_build(w, tr) : NULL;
    world_destroy(w);
    return lq;
}

static bool classroom_can_change(void *ctx)
{
    return ((Classroom *)ctx)->wi != NULL;
}

static size_t classroom_choices(void *ctx, const Trace *tr, int32_t node, int32_t msg,
                                int64_t at_us, WhatIfChoice *out, size_t max)
{
    Classroom *cl = ctx;
    return cl->wi ? whatif_choices(cl->wi, tr, node, msg, at_us, out, max) : 0;
}

static size_t classroom_addresses(void *ctx, bool senders, const char **out, size_t max)
{
    Classroom *cl = ctx;
    return cl->wi ? whatif_addresses(cl->wi, senders, out, max) : 0;
}

static Trace *classroom_apply(void *ctx, const char *json, Error *err)
{
    Classroom *cl = ctx;
    if (!cl->wi || !whatif_push(cl->wi, json, err)) {
        return NULL;
    }
    Trace *tr = whatif_run(cl->wi, NULL, err);
    if (!tr) {
        whatif_pop(cl->wi); /* a change the run cannot take is not kept */
    }
    return tr;
}

static Trace *classroom_undo(void *ctx, Error *err)
{
    Classroom *cl = ctx;
    if (!cl->wi || !whatif_pop(cl->wi)) {
        return NULL;
    }
    return whatif_run(cl->wi, NULL, err);
}

static bool classroom_save(void *ctx, char *path_out, size_t size, Error *err)
{
    Classroom *cl = ctx;
    return cl->wi && whatif_save(cl->wi, path_out, size, err);
}

static size_t classroom_marks(void *ctx, WhatIfMark *out, size_t max)
{
    Classroom *cl = ctx;
    return cl->wi ? whatif_marks(cl->wi, out, max) : 0;
}

/* The player, and replay: the window on one file, or on the default scenario when none is given. */
static int cmd_player(const Options *opt, char **files, int nfiles)
{
    /* The installed scenarios, else the source tree's (util/datadir.h); the latter is named when
     * no folder is found. */
    char dir[DATADIR_PATH_MAX];
    bool found = datadir_find("scenarios", NULL, NULL, MAILSIM_SCENARIO_DIR, dir, sizeof dir) ==
                 DATADIR_FOUND;
    Classroom cl = { .opt = opt };
    const PlayerClassroom ops = { .ctx = &cl,
                                  .questions = classroom_questions,
                                  .can_change = classroom_can_change,
                                  .choices = classroom_choices,
                                  .addresses = classroom_addresses,
                                  .send_json = whatif_send_json,
                                  .apply = classroom_apply,
                                  .undo = classroom_undo,
                                  .save = classroom_save,
                                  .marks = classroom_marks };
    PlayerConfig cfg = { .path = nfiles ? files[0] : NULL,
                         .scenario_dir = found ? dir : MAILSIM_SCENARIO_DIR,
                         .load = player_load,
                         .load_ctx = &cl,
                         .width = opt->size.width,
                         .height = opt->size.height,
                         .fullscreen = false,
                         .classroom = &ops,
                         .lesson = opt->lesson };
    int rc = player_run(&cfg);
    whatif_destroy(cl.wi);
    return rc;
}

static int cmd_shot(const Options *opt, char **files, int nfiles)
{
    (void)nfiles;
    if (!option_given(opt, OPT_AT) || !opt->out_png) {
        return usage_error("%s", "shot needs --at SECONDS and --out FILE.png");
    }
    Error err = { 0 };
    Trace *tr = load_any(files[0], opt, &err);
    if (!tr) {
        print_error(&err);
        return EXIT_BAD_INPUT;
    }
    ShotConfig cfg = { .trace = tr,
                       .at_us = (int64_t)(opt->at_s * 1e6 + 0.5),
                       .out_png = opt->out_png,
                       .width = opt->size.width,
                       .height = opt->size.height,
                       .select_msg = opt->select,
                       .high_contrast = opt->high_contrast,
                       .boxes_json = opt->boxes_json };
    int rc = player_shot(&cfg, &err);
    if (rc != 0) {
        print_error(&err);
    }
    trace_destroy(tr);
    return rc == 0 ? EXIT_OK : EXIT_BAD_INPUT;
}

/* One message's ladder diagram as SVG or PNG (app/chart_cmd.h). */
static int cmd_chart(const Options *opt, char **files, int nfiles)
{
    (void)nfiles;
    if (!opt->out_png) {
        return usage_error("%s", "chart needs --msg ID and --out FILE.svg|FILE.png");
    }
    Error err = { 0 };
    Trace *tr = load_any(files[0], opt, &err);
    if (!tr) {
        print_error(&err);
        return EXIT_BAD_INPUT;
    }
    ChartRequest req = { .msg = opt->msg,
                         .out = opt->out_png,
                         .at_given = option_given(opt, OPT_AT),
                         .at_us = (int64_t)(opt->at_s * 1e6 + 0.5) };
    int rc = chart_cmd_run(tr, &req);
    trace_destroy(tr);
    return rc;
}

#define PLAYER_COMMAND(fn) fn
#else
static int no_player(const Options *opt, char **files, int nfiles)
{
    (void)opt;
    (void)files;
    (void)nfiles;
    fprintf(stderr, "mailsim: this build has no SDL player (configure with -DMAILSIM_PLAYER=ON)\n");
    return EXIT_BAD_INPUT;
}

#define PLAYER_COMMAND(fn) no_player
#endif

/* ---- the command table ---- */

/* How many files a command takes; a wrong count is refused before the command runs. */
typedef enum {
    FILES_ONE,         /* "NAME takes exactly one file" */
    FILES_SOME,        /* one or more: "NAME needs at least one scenario" */
    FILES_AT_MOST_ONE, /* "NAME opens one file at a time" */
    FILES_ANY,
} FileRule;

typedef struct {
    const char *name;    /* the word after `mailsim`; "" for the player, which has none */
    CommandFn run;
    FileRule files;
    const char *usage;   /* its synopsis after "mailsim NAME "; a '\n' goes on at USAGE_INDENT */
    const char *summary; /* what it does, for --help; a '\n' goes on at SUMMARY_INDENT */
} Command;

#define USAGE_INDENT 20
#define SUMMARY_INDENT 8
#define PLAYER_SUMMARY_COLUMN 40

/* Without a player build, the player refuses any file count with the same "no SDL player". */
#ifdef MAILSIM_HAVE_PLAYER
#define PLAYER_FILES FILES_AT_MOST_ONE
#else
#define PLAYER_FILES FILES_ANY
#endif

static const Command COMMANDS[CMD_COUNT] = {
    [CMD_PLAYER] = { "", PLAYER_COMMAND(cmd_player), PLAYER_FILES, "[SCENARIO.json]",
                     "open the player (default: the happy path)" },
    [CMD_RUN] = { "run", cmd_run, FILES_ONE,
                  "SCENARIO [--seed N] [--trace FILE] [--summary FILE] [--quiet]\n"
                  "[--max-events N] [--act JSON]...",
                  "simulate a scenario and print a narrated log; --trace writes the trace as JSON\n"
                  "Lines, --summary one row per (message, recipient); FILE may be - for stdout" },
    [CMD_CHECK] = { "check", cmd_check, FILES_SOME, "SCENARIO... [--max-events N]",
                    "run scenarios and compare each with its \"expect\" block: exit 0 when all hold,\n"
                    "1 naming each unmet expectation, 2 on a bad file" },
    [CMD_REPLAY] = { "replay", PLAYER_COMMAND(cmd_player), FILES_ONE, "TRACE.jsonl",
                     "play a recorded trace in the player" },
    [CMD_SHOT] = { "shot", PLAYER_COMMAND(cmd_shot), FILES_ONE,
                   "SCENARIO|TRACE --at SECONDS --out FILE.png [--size WxH]\n"
                    "[--select MSG] [--seed N] [--high-contrast] [--boxes FILE.json]\n"
                    "[--act JSON]...",
                   "render one moment to a PNG without a display" },
    [CMD_CHART] = { "chart", PLAYER_COMMAND(cmd_chart), FILES_ONE,
                    "SCENARIO|TRACE --msg ID --out FILE.svg|FILE.png [--at SECONDS]\n"
                    "[--seed N] [--act JSON]...",
                    "draw one message's ladder (sequence) diagram: every protocol line between the\n"
                    "nodes it passes, its bounce too; --at draws what happened up to that moment" },
};

/* The command a message names: its word, or "the player". */
static const char *command_label(const Command *c)
{
    return c->name[0] ? c->name : "the player";
}

/* The command named by `word`, or NULL when it names none (it is then the player's file). */
static const Command *command_find(const char *word)
{
    for (size_t i = 0; i < CMD_COUNT; i++) {
        if (COMMANDS[i].name[0] && strcmp(COMMANDS[i].name, word) == 0) {
            return &COMMANDS[i];
        }
    }
    return NULL;
}

static int command_check_files(const Command *c, int nfiles)
{
    switch (c->files) {
    case FILES_ONE:
        return nfiles == 1 ? -1 : usage_error("%s takes exactly one file", command_label(c));
    case FILES_SOME:
        return nfiles >= 1 ? -1 : usage_error("%s needs at least one scenario", command_label(c));
    case FILES_AT_MOST_ONE:
        return nfiles <= 1 ? -1 : usage_error("%s opens one file at a time", command_label(c));
    case FILES_ANY:
        return -1;
    }
    return -1;
}

/* ---- the option table ---- */

/* What follows an option on the command line and how it is stored. */
typedef enum {
    VALUE_NONE,    /* a flag: sets a bool */
    VALUE_TEXT,    /* a const char * (an input path, a message id) */
    VALUE_OUTPUT,  /* a const char *: a file written, or "-" for stdout; it may not name an input
                    * or another output (outputs_check) */
    VALUE_WHOLE,   /* a uint64_t from OptionSpec.min to 2^53-1 (a JSON number holds it exactly) */
    VALUE_SECONDS, /* a double from 0 to a leap year */
    VALUE_SIZE,    /* a Size, WIDTHxHEIGHT, digits only, 1 to MAX_SIZE_PX each */
    VALUE_LIST,    /* a const char * appended to Options.acts: the one option given repeatedly */
} ValueKind;

#define MAX_WHOLE ((UINT64_C(1) << 53) - 1)
#define MAX_SECONDS (366.0 * 86400)
#define MAX_SIZE_PX 8192

typedef struct {
    const char *name;     /* "--seed" */
    const char *value;    /* what --help calls its value ("N"); NULL for a flag */
    ValueKind kind;
    size_t field;         /* offsetof(Options, ...): where the parsed value goes */
    uint64_t min;         /* VALUE_WHOLE: the smallest value taken */
    unsigned commands;    /* BIT(CommandId) of every command that takes it */
    const char *takes;    /* a valid value, for "NAME takes TAKES, not "VALUE"" */
    const char *refusal;  /* NULL, or a format (%s: the command) saying why a command that does not
                           * take it refuses it; such a refusal is given before any other */
    const char *help;     /* its line in --help, or NULL */
} OptionSpec;

/* Anything a command does not take is refused rather than ignored: `mailsim SCENARIO --trace
 * OTHER.jsonl` reads like "play this scenario with that trace", but --trace is where `run` writes
 * one, and the player plays a single file. */
static const OptionSpec OPTIONS[OPT_COUNT] = {
    [OPT_SEED] = { "--seed", "N", VALUE_WHOLE, offsetof(Options, seed), 0,
                   BIT(CMD_RUN) | BIT(CMD_SHOT) | BIT(CMD_PLAYER) | BIT(CMD_CHART),
                   "a whole number from 0 to 2^53-1", NULL, NULL },
    [OPT_TRACE] = { "--trace", "FILE", VALUE_OUTPUT, offsetof(Options, trace_out), 0, BIT(CMD_RUN),
                    NULL,
                    "--trace is where `mailsim run` writes a trace, not an input of %s: a recorded "
                    "trace carries its own nodes and links and is played on its own with `mailsim "
                    "replay TRACE.jsonl`",
                    NULL },
    [OPT_SUMMARY] = { "--summary", "FILE", VALUE_OUTPUT, offsetof(Options, summary_out), 0,
                      BIT(CMD_RUN), NULL, NULL, NULL },
    [OPT_QUIET] = { "--quiet", NULL, VALUE_NONE, offsetof(Options, quiet), 0, BIT(CMD_RUN), NULL,
                    NULL, NULL },
    [OPT_MAX_EVENTS] = { "--max-events", "N", VALUE_WHOLE, offsetof(Options, max_events), 1,
                         BIT(CMD_RUN) | BIT(CMD_CHECK) | BIT(CMD_SHOT) | BIT(CMD_PLAYER),
                         "a whole number from 1 to 2^53-1", NULL,
                         "refuse a run that needs more than N engine events (default 50000000)" },
    [OPT_AT] = { "--at", "SECONDS", VALUE_SECONDS, offsetof(Options, at_s), 0,
                 BIT(CMD_SHOT) | BIT(CMD_CHART),
                 "a time in seconds (>= 0)", NULL, NULL },
    [OPT_OUT] = { "--out", "FILE.png", VALUE_OUTPUT, offsetof(Options, out_png), 0,
                  BIT(CMD_SHOT) | BIT(CMD_CHART),
                  NULL, NULL, NULL },
    [OPT_SIZE] = { "--size", "WxH", VALUE_SIZE, offsetof(Options, size), 0,
                   BIT(CMD_REPLAY) | BIT(CMD_SHOT) | BIT(CMD_PLAYER),
                   "WIDTHxHEIGHT (1 to 8192 each)", NULL, NULL },
    [OPT_SELECT] = { "--select", "MSG", VALUE_TEXT, offsetof(Options, select), 0, BIT(CMD_SHOT),
                     NULL, NULL, NULL },
    [OPT_HIGH_CONTRAST] = { "--high-contrast", NULL, VALUE_NONE, offsetof(Options, high_contrast),
                            0, BIT(CMD_SHOT), NULL, NULL, NULL },
    [OPT_MSG] = { "--msg", "ID", VALUE_TEXT, offsetof(Options, msg), 0, BIT(CMD_CHART), NULL,
                  NULL, NULL },
    [OPT_BOXES] = { "--boxes", "FILE.json", VALUE_OUTPUT, offsetof(Options, boxes_json), 0,
                    BIT(CMD_SHOT), NULL, NULL, NULL },
    [OPT_ACT] = { "--act", "JSON", VALUE_LIST, offsetof(Options, acts), 0,
                  BIT(CMD_RUN) | BIT(CMD_SHOT) | BIT(CMD_CHART), NULL, NULL,
                  "add an action, written as in \"actions\" with its at_s, before the run; "
                  "repeatable" },
    [OPT_LESSON] = { "--lesson", NULL, VALUE_NONE, offsetof(Options, lesson), 0,
                     BIT(CMD_PLAYER) | BIT(CMD_REPLAY), NULL, NULL,
                     "start in lesson mode: only the past shows (on anyway with questions)" },
};

static const OptionSpec *option_find(const char *name, size_t len)
{
    for (size_t i = 0; i < OPT_COUNT; i++) {
        if (strlen(OPTIONS[i].name) == len && strncmp(OPTIONS[i].name, name, len) == 0) {
            return &OPTIONS[i];
        }
    }
    return NULL;
}

static bool parse_whole(const char *s, uint64_t min, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > MAX_WHOLE) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0) || v > MAX_SECONDS) {
        return false;
    }
    *out = v;
    return true;
}

/* The pixel count at the start of s, 1 to MAX_SIZE_PX, in digits only (no sign, no space): the
 * character after it, or NULL when there is none or it is out of range. Digits past the range
 * keep it past the range instead of wrapping (4294967297 is not 1). */
static const char *parse_px(const char *s, int *out)
{
    long v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v <= MAX_SIZE_PX ? v * 10 + (*p - '0') : v;
    }
    if (p == s || v < 1 || v > MAX_SIZE_PX) {
        return NULL;
    }
    *out = (int)v;
    return p;
}

static bool parse_size(const char *s, Size *out)
{
    Size v;
    const char *p = parse_px(s, &v.width);
    if (!p || *p != 'x') {
        return false;
    }
    p = parse_px(p + 1, &v.height);
    if (!p || *p) {
        return false;
    }
    *out = v;
    return true;
}

/* Stores an option's value where its spec says; false when `val` is not a valid value. */
static bool option_store(const OptionSpec *spec, const char *val, Options *opt)
{
    void *dst = (char *)opt + spec->field;
    switch (spec->kind) {
    case VALUE_NONE: *(bool *)dst = true; return true;
    case VALUE_TEXT:
    case VALUE_OUTPUT: *(const char **)dst = val; return true;
    case VALUE_WHOLE: return parse_whole(val, spec->min, dst);
    case VALUE_SECONDS: return parse_seconds(val, dst);
    case VALUE_SIZE: return parse_size(val, dst);
    case VALUE_LIST: opt->acts[opt->act_count++] = val; return true;
    }
    return false;
}

/* Parses the arguments after the command word into `opt`, in order, refusing the first bad one;
 * the others are files, collected in `files`. An option given twice is refused rather than the
 * last one silently winning. Returns -1, or the exit status of a refusal. */
static int parse_options(int argc, char **argv, Options *opt, char **files, int *nfiles)
{
    *nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        const OptionSpec *spec = option_find(a, strlen(a));
        if (spec && spec->kind != VALUE_LIST && option_given(opt, (OptionId)(spec - OPTIONS))) {
            return usage_error("%s given twice", spec->name);
        }
        if (spec && spec->kind == VALUE_NONE) {
            option_store(spec, NULL, opt);
        } else if (a[0] == '-' && a[1] == '-' && !val) {
            return usage_error("%s needs a value", a);
        } else if (spec) {
            if (!option_store(spec, val, opt)) {
                return usage_error("%s takes %s, not \"%s\"", spec->name, spec->takes, val);
            }
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option %s", a);
        } else {
            files[(*nfiles)++] = argv[i];
            continue;
        }
        opt->given |= BIT(spec - OPTIONS);
    }
    return -1;
}

/* Refuses the options `c` does not take: one with a refusal of its own first, else the first in
 * OptionId order. Returns -1 when there are none. */
static int command_check_options(const Command *c, const Options *opt)
{
    unsigned cmd_bit = BIT(c - COMMANDS);
    const OptionSpec *refused = NULL;
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const OptionSpec *spec = &OPTIONS[i];
        if (!option_given(opt, (OptionId)i) || (spec->commands & cmd_bit)) {
            continue;
        }
        if (spec->refusal) {
            return usage_error(spec->refusal, command_label(c));
        }
        refused = refused ? refused : spec;
    }
    return refused ? usage_error("%s does not take %s", command_label(c), refused->name) : -1;
}

/* Refuses an empty file name, which would otherwise be reported without one ("cannot open the
 * scenario: No such file or directory"). Returns -1 when there is none. */
static int files_check_names(char *const *files, int nfiles)
{
    for (int i = 0; i < nfiles; i++) {
        if (!files[i][0]) {
            fprintf(stderr, "\"\": cannot open the file: the file name is empty\n");
            return EXIT_BAD_INPUT;
        }
    }
    return -1;
}

static const char *option_output(const OptionSpec *spec, const Options *opt)
{
    assert(spec->kind == VALUE_OUTPUT);
    return *(const char *const *)((const char *)opt + spec->field);
}

/* Refuses an output that would destroy an input or another output before anything runs:
 * `--trace` naming the scenario it runs, `shot --out` naming the trace it draws, `--trace X
 * --summary X` (the summary would replace the trace). The same file is found through links and
 * other spellings (atomicfile_same_target); "-" (stdout) and special files such as /dev/null are
 * written directly and harm nothing. Returns -1, or the exit status with the reason printed. */
static int outputs_check(const Options *opt, char *const *files, int nfiles)
{
    const OptionSpec *earlier[OPT_COUNT];
    size_t nearlier = 0;
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const OptionSpec *spec = &OPTIONS[i];
        if (spec->kind != VALUE_OUTPUT || !option_given(opt, (OptionId)i)) {
            continue;
        }
        const char *path = option_output(spec, opt);
        if (strcmp(path, "-") == 0) {
            continue;
        }
        if (!path[0]) {
            fprintf(stderr, "mailsim: %s \"\": the file name is empty\n", spec->name);
            return EXIT_BAD_INPUT;
        }
        for (int f = 0; f < nfiles; f++) {
            if (atomicfile_same_target(path, files[f])) {
                fprintf(stderr,
                        "mailsim: %s %s would overwrite the input file %s; give the output "
                        "another name\n",
                        spec->name, path, files[f]);
                return EXIT_BAD_INPUT;
            }
        }
        for (size_t k = 0; k < nearlier; k++) {
            if (atomicfile_same_target(path, option_output(earlier[k], opt))) {
                fprintf(stderr,
                        "mailsim: %s and %s both name %s, so one would replace the other; give "
                        "each its own file\n",
                        earlier[k]->name, spec->name, path);
                return EXIT_BAD_INPUT;
            }
        }
        earlier[nearlier++] = spec;
    }
    return -1;
}

/* ---- --help, from the tables ---- */

/* Writes `text`, starting each line after a '\n' at column `indent`. */
static void print_indented(FILE *out, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n') {
            fprintf(out, "%*s", indent, "");
        }
    }
}

static void usage_print(FILE *out)
{
    for (size_t i = 0; i < CMD_COUNT; i++) {
        const Command *c = &COMMANDS[i];
        int col = fprintf(out, "%smailsim%s%s ", i == 0 ? "usage: " : "       ",
                          c->name[0] ? " " : "", c->name);
        print_indented(out, c->usage, USAGE_INDENT);
        if (!c->name[0]) { /* the player has no summary section: its summary ends its line */
            col += (int)strlen(c->usage);
            fprintf(out, "%*s%s", col < PLAYER_SUMMARY_COLUMN ? PLAYER_SUMMARY_COLUMN - col : 1, "",
                    c->summary);
        }
        fputc('\n', out);
    }
    fprintf(out, "       mailsim --help | --version | COMMAND --help\n\n");
    for (size_t i = 0; i < CMD_COUNT; i++) {
        const Command *c = &COMMANDS[i];
        if (c->name[0]) {
            fprintf(out, "%-*s", SUMMARY_INDENT, c->name);
            print_indented(out, c->summary, SUMMARY_INDENT);
            fputc('\n', out);
        }
    }
    fputc('\n', out);
    for (size_t i = 0; i < OPT_COUNT; i++) {
        if (OPTIONS[i].help) {
            fprintf(out, "%s %s  %s\n", OPTIONS[i].name, OPTIONS[i].value, OPTIONS[i].help);
        }
    }
}

/* `mailsim COMMAND --help`: that command's synopsis, what it does and the options it takes that
 * have a line of their own in --help. The player, which has no command word, gets the whole
 * usage. */
static void command_usage_print(FILE *out, const Command *c)
{
    if (!c->name[0]) {
        usage_print(out);
        return;
    }
    fprintf(out, "usage: mailsim %s ", c->name);
    print_indented(out, c->usage, USAGE_INDENT);
    fprintf(out, "\n\n%-*s", SUMMARY_INDENT, c->name);
    print_indented(out, c->summary, SUMMARY_INDENT);
    fputc('\n', out);
    bool first = true;
    for (size_t i = 0; i < OPT_COUNT; i++) {
        if (OPTIONS[i].help && (OPTIONS[i].commands & BIT(c - COMMANDS))) {
            fprintf(out, "%s%s %s  %s\n", first ? "\n" : "", OPTIONS[i].name, OPTIONS[i].value,
                    OPTIONS[i].help);
            first = false;
        }
    }
}

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* ---- a first word that is neither a command nor a file ---- */

/* The edit distance between two short words (longer ones are simply "far"). */
static size_t word_distance(const char *a, const char *b)
{
    enum { MAX_WORD = 32 };
    size_t na = strlen(a), nb = strlen(b);
    if (na >= MAX_WORD || nb >= MAX_WORD) {
        return MAX_WORD;
    }
    size_t row[MAX_WORD + 1];
    for (size_t j = 0; j <= nb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* True when the first argument reads as a command that does not exist rather than as a file:
 * a word with no dot, slash or leading dash, and no file of that name. `mailsim fetch` is then
 * an unknown command, not "fetch: cannot open the scenario". */
static bool looks_like_a_command(const char *word)
{
    struct stat st;
    return word[0] && word[0] != '-' && !strpbrk(word, "./") && stat(word, &st) != 0;
}

/* Says that `word` is no command, which command it may be a typo of, what the commands are and
 * how a file is opened, then the usage. Returns EXIT_BAD_INPUT. */
static int unknown_command(const char *word)
{
    const Command *near = NULL;
    size_t best = 3; /* a typo: at most two letters wrong, missing or extra */
    char names[128] = "";
    for (size_t i = 0; i < CMD_COUNT; i++) {
        const Command *c = &COMMANDS[i];
        if (!c->name[0]) {
            continue;
        }
        size_t d = word_distance(word, c->name);
        if (d < best && d < strlen(c->name)) {
            best = d;
            near = c;
        }
        size_t len = strlen(names);
        const char *sep = !len ? "" : i + 1 < CMD_COUNT ? ", " : " and ";
        snprintf(names + len, sizeof names - len, "%s%s", sep, c->name);
    }
    if (near) {
        return usage_error("unknown command \"%s\" (did you mean \"%s\"?)", word, near->name);
    }
    return usage_error("unknown command \"%s\", and there is no file of that name either. The "
                       "commands are %s; a scenario or a trace is opened by its file name, e.g. "
                       "`mailsim scenarios/01-happy-path.json`",
                       word, names);
}

#ifndef NDEBUG
/* Every option a synopsis shows is one its command takes (the synopses are text, the rest of the
 * command line is driven by the tables). */
static bool usage_matches_options(void)
{
    for (size_t i = 0; i < CMD_COUNT; i++) {
        for (const char *p = strstr(COMMANDS[i].usage, "--"); p; p = strstr(p + 2, "--")) {
            const OptionSpec *spec = option_find(p, strspn(p, "-abcdefghijklmnopqrstuvwxyz"));
            if (!spec || !(spec->commands & BIT(i))) {
                return false;
            }
        }
    }
    return true;
}
#endif

/* Everything but the final check of standard output. */
static int main_run(int argc, char **argv)
{
    if (argc >= 2 && is_help(argv[1])) {
        usage_print(stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("mailsim %s\n", MAILSIM_VERSION);
        return EXIT_OK;
    }
    const Command *cmd = argc >= 2 ? command_find(argv[1]) : NULL;
    if (!cmd && argc >= 2 && looks_like_a_command(argv[1])) {
        return unknown_command(argv[1]);
    }
    int first = cmd ? 2 : 1;
    cmd = cmd ? cmd : &COMMANDS[CMD_PLAYER];
    for (int i = first; i < argc; i++) {
        if (is_help(argv[i])) {
            command_usage_print(stdout, cmd);
            return EXIT_OK;
        }
    }
    Options opt = { 0 };
    char **files = xcalloc((size_t)argc + 1, sizeof *files);
    opt.acts = xcalloc((size_t)argc + 1, sizeof *opt.acts);
    int nfiles = 0;
    int rc = parse_options(argc - first, argv + first, &opt, files, &nfiles);
    if (rc < 0) {
        rc = command_check_options(cmd, &opt);
    }
    if (rc < 0) {
        rc = command_check_files(cmd, nfiles);
    }
    if (rc < 0) {
        rc = files_check_names(files, nfiles);
    }
    if (rc < 0) {
        rc = outputs_check(&opt, files, nfiles);
    }
    if (rc < 0) {
        rc = cmd->run(&opt, files, nfiles);
    }
    free(files);
    free(opt.acts);
    return rc;
}

int main(int argc, char **argv)
{
    assert(usage_matches_options());
    /* Past a file-size limit (ulimit -f) a write then fails with EFBIG and is reported like any
     * other failed write, instead of SIGXFSZ killing mailsim with a temporary file left behind. */
    signal(SIGXFSZ, SIG_IGN);
    int rc = main_run(argc, argv);
    if (!stdout_close() && rc < EXIT_BAD_INPUT) {
        rc = EXIT_BAD_INPUT;
    }
    return rc;
}
