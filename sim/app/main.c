/* main: the mailsim program — parses the command line and wires the layers together:
 * scenario -> world -> simulation -> trace -> views (narrated log, JSONL trace, summary, expect
 * checker, the SDL player and screenshots). It owns nothing beyond one command's lifetime. */
#include "text/expect.h"
#include "text/narrate.h"
#include "text/summary.h"
#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"
#include "util/atomicfile.h"
#include "util/error.h"

#ifdef MAILSIM_HAVE_PLAYER
#include "player/player.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MAILSIM_VERSION
#define MAILSIM_VERSION "0.0.0"
#endif
#ifndef MAILSIM_SCENARIO_DIR
#define MAILSIM_SCENARIO_DIR "scenarios"
#endif

enum { EXIT_OK = 0, EXIT_UNMET = 1, EXIT_BAD_INPUT = 2 };

/* The most engine events one run may take (--max-events changes it). A run that reaches it, or
 * whose trace reaches TRACE_MAX_EVENTS (what a trace file may hold; one engine event can record an
 * event per recipient), is refused as bad input rather than shown half done. Every shipped
 * scenario needs under 1 000; either limit is reached in well under a minute and 3 GB. */
#define MAILSIM_MAX_EVENTS UINT64_C(50000000)

static const char USAGE[] =
    "usage: mailsim [SCENARIO.json]          open the player (default: the happy path)\n"
    "       mailsim run SCENARIO [--seed N] [--trace FILE] [--summary FILE] [--quiet]\n"
    "                    [--max-events N]\n"
    "       mailsim check SCENARIO... [--max-events N]\n"
    "       mailsim replay TRACE.jsonl\n"
    "       mailsim shot SCENARIO|TRACE --at SECONDS --out FILE.png [--size WxH]\n"
    "                    [--select MSG] [--seed N] [--high-contrast]\n"
    "       mailsim --help | --version\n"
    "\n"
    "run     simulate a scenario and print a narrated log; --trace writes the trace as JSON\n"
    "        Lines, --summary one row per (message, recipient); FILE may be - for stdout\n"
    "check   run scenarios and compare each with its \"expect\" block: exit 0 when all hold,\n"
    "        1 naming each unmet expectation, 2 on a bad file\n"
    "replay  play a recorded trace in the player\n"
    "shot    render one moment to a PNG without a display\n"
    "\n"
    "--max-events N  refuse a run that needs more than N engine events (default 50000000)\n";

typedef struct {
    const char *scenario;
    const char *trace_out;
    const char *summary_out;
    const char *out_png;
    const char *select;
    bool quiet, seed_set, high_contrast, have_at;
    uint64_t seed;
    uint64_t max_events; /* 0: MAILSIM_MAX_EVENTS */
    double at_s;
    int width, height;
} Options;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "mailsim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", USAGE);
    return EXIT_BAD_INPUT;
}

static void print_error(const Error *err)
{
    char buf[1400];
    fprintf(stderr, "%s\n", error_format(err, buf, sizeof buf));
}

/* ---- writing output files whole or not at all ---- */

typedef bool (*Writer)(const Trace *tr, const void *ctx, FILE *out);

/* Writes whole or not at all (util/atomicfile.h), so a failure never leaves a half-written file;
 * "-" writes to stdout. */
static bool write_output(const char *path, Writer write, const Trace *tr, const void *ctx)
{
    if (strcmp(path, "-") == 0) {
        return write(tr, ctx, stdout);
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

static Trace *run_scenario(const char *path, const Options *opt, World **world_out, Error *err)
{
    World *w = scenario_load_file(path, err);
    if (!w) {
        return NULL;
    }
    SimOptions so = { .seed_set = opt && opt->seed_set,
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

#ifdef MAILSIM_HAVE_PLAYER
static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static Trace *read_trace(const char *path, Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, path, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    Trace *tr = trace_read_jsonl(f, path, err);
    fclose(f);
    return tr;
}

/* True when the file's first line names the trace format: a trace saved under another name
 * (t.trace, t.txt) is still read as a trace instead of failing as a scenario. A best-effort
 * look only; the trace reader decides. */
static bool looks_like_trace(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    char head[512];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    char *nl = strchr(head, '\n');
    if (nl) {
        *nl = '\0';
    }
    return strstr(head, "\"format\"") && strstr(head, "\"mailsim-trace\"");
}

/* A recorded trace (.jsonl, or a file whose first line is a trace header) is read; anything else
 * is a scenario to run. A trace carries its own topology (the header's nodes and links), so it is
 * never combined with a scenario file and the two cannot disagree. */
static Trace *load_any(const char *path, const Options *opt, Error *err)
{
    return ends_with(path, ".jsonl") || looks_like_trace(path) ? read_trace(path, err)
                                                                 : run_scenario(path, opt, NULL, err);
}
#endif

/* ---- commands ---- */

static int cmd_run(const Options *opt)
{
    Error err = { 0 };
    Trace *tr = run_scenario(opt->scenario, opt, NULL, &err);
    if (!tr) {
        print_error(&err);
        return EXIT_BAD_INPUT;
    }
    bool to_stdout = (opt->trace_out && strcmp(opt->trace_out, "-") == 0) ||
                     (opt->summary_out && strcmp(opt->summary_out, "-") == 0);
    if (!opt->quiet && !to_stdout) {
        narrate_write(tr, stdout);
    }
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
    uint32_t total = w->expect_msg_count + w->expect_event_count;
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

static int cmd_check(int argc, char **argv, const Options *opt)
{
    if (argc == 0) {
        return usage_error("%s", "check needs at least one scenario");
    }
    /* check runs each scenario with its own seed: only the event limit carries over. */
    Options check_opt = { .max_events = opt->max_events };
    int worst = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        int rc = check_one(argv[i], &check_opt);
        worst = rc > worst ? rc : worst;
    }
    return worst;
}

#ifdef MAILSIM_HAVE_PLAYER
static Trace *player_load(void *ctx, const char *path, Error *err)
{
    return load_any(path, ctx, err);
}

static int cmd_player(const char *path, const Options *opt)
{
    PlayerConfig cfg = { .path = path,
                         .scenario_dir = MAILSIM_SCENARIO_DIR,
                         .load = player_load,
                         .load_ctx = (void *)opt,
                         .width = opt->width ? opt->width : 1280,
                         .height = opt->height ? opt->height : 720,
                         .fullscreen = false };
    return player_run(&cfg);
}

static int cmd_shot(const Options *opt)
{
    if (!opt->have_at || !opt->out_png) {
        return usage_error("%s", "shot needs --at SECONDS and --out FILE.png");
    }
    Error err = { 0 };
    Trace *tr = load_any(opt->scenario, opt, &err);
    if (!tr) {
        print_error(&err);
        return EXIT_BAD_INPUT;
    }
    ShotConfig cfg = { .trace = tr,
                       .at_us = (int64_t)(opt->at_s * 1e6 + 0.5),
                       .out_png = opt->out_png,
                       .width = opt->width ? opt->width : 1280,
                       .height = opt->height ? opt->height : 720,
                       .select_msg = opt->select,
                       .high_contrast = opt->high_contrast };
    int rc = player_shot(&cfg, &err);
    if (rc != 0) {
        print_error(&err);
    }
    trace_destroy(tr);
    return rc == 0 ? EXIT_OK : EXIT_BAD_INPUT;
}
#else
static int no_player(void)
{
    fprintf(stderr, "mailsim: this build has no SDL player (configure with -DMAILSIM_PLAYER=ON)\n");
    return EXIT_BAD_INPUT;
}
#endif

/* ---- argument parsing ---- */

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* Parses options after the command word; positional arguments are collected in `pos`. */
static int parse_options(int argc, char **argv, Options *opt, char **pos, int *npos)
{
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = true;
        if (strcmp(a, "--quiet") == 0) {
            opt->quiet = true;
            takes_value = false;
        } else if (strcmp(a, "--high-contrast") == 0) {
            opt->high_contrast = true;
            takes_value = false;
        } else if (a[0] == '-' && a[1] == '-' && !val) {
            return usage_error("%s needs a value", a);
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(val, (UINT64_C(1) << 53) - 1, &opt->seed)) {
                return usage_error("--seed takes a whole number from 0 to 2^53-1, not \"%s\"", val);
            }
            opt->seed_set = true;
        } else if (strcmp(a, "--max-events") == 0) {
            if (!parse_u64(val, (UINT64_C(1) << 53) - 1, &opt->max_events) || !opt->max_events) {
                return usage_error("--max-events takes a whole number from 1 to 2^53-1, not \"%s\"",
                                   val);
            }
        } else if (strcmp(a, "--trace") == 0) {
            opt->trace_out = val;
        } else if (strcmp(a, "--summary") == 0) {
            opt->summary_out = val;
        } else if (strcmp(a, "--out") == 0) {
            opt->out_png = val;
        } else if (strcmp(a, "--select") == 0) {
            opt->select = val;
        } else if (strcmp(a, "--at") == 0) {
            char *end;
            opt->at_s = strtod(val, &end);
            if (end == val || *end || !(opt->at_s >= 0) || opt->at_s > 366.0 * 86400) {
                return usage_error("--at takes a time in seconds (>= 0), not \"%s\"", val);
            }
            opt->have_at = true;
        } else if (strcmp(a, "--size") == 0) {
            if (sscanf(val, "%dx%d", &opt->width, &opt->height) != 2 || opt->width < 1 ||
                opt->height < 1 || opt->width > 8192 || opt->height > 8192) {
                return usage_error("--size takes WIDTHxHEIGHT (1 to 8192 each), not \"%s\"", val);
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option %s", a);
        } else {
            pos[(*npos)++] = argv[i];
            takes_value = false;
        }
        i += takes_value;
    }
    return -1;
}

/* Options each command takes. Anything else is refused rather than ignored: `mailsim
 * SCENARIO --trace OTHER.jsonl` reads like "play this scenario with that trace", but --trace is
 * where `run` writes one, and the player plays a single file. */
typedef struct {
    const char *cmd;
    unsigned takes; /* OPT_* bits */
} CommandOptions;

enum {
    OPT_SEED = 1u << 0,
    OPT_TRACE = 1u << 1,
    OPT_SUMMARY = 1u << 2,
    OPT_QUIET = 1u << 3,
    OPT_MAX_EVENTS = 1u << 4,
    OPT_AT = 1u << 5,
    OPT_OUT = 1u << 6,
    OPT_SIZE = 1u << 7,
    OPT_SELECT = 1u << 8,
    OPT_HIGH_CONTRAST = 1u << 9,
};

static const CommandOptions COMMAND_OPTIONS[] = {
    { "run", OPT_SEED | OPT_TRACE | OPT_SUMMARY | OPT_QUIET | OPT_MAX_EVENTS },
    { "check", OPT_MAX_EVENTS },
    { "replay", OPT_SIZE },
    { "shot", OPT_SEED | OPT_MAX_EVENTS | OPT_AT | OPT_OUT | OPT_SIZE | OPT_SELECT |
                  OPT_HIGH_CONTRAST },
    { "", OPT_SEED | OPT_MAX_EVENTS | OPT_SIZE }, /* the player on a scenario */
};

static int check_command_options(const char *cmd, const Options *o)
{
    unsigned given = (o->seed_set ? OPT_SEED : 0) | (o->trace_out ? OPT_TRACE : 0) |
                     (o->summary_out ? OPT_SUMMARY : 0) | (o->quiet ? OPT_QUIET : 0) |
                     (o->max_events ? OPT_MAX_EVENTS : 0) | (o->have_at ? OPT_AT : 0) |
                     (o->out_png ? OPT_OUT : 0) | (o->width ? OPT_SIZE : 0) |
                     (o->select ? OPT_SELECT : 0) | (o->high_contrast ? OPT_HIGH_CONTRAST : 0);
    static const char *const NAMES[] = { "--seed", "--trace",  "--summary", "--quiet",
                                         "--max-events", "--at", "--out", "--size",
                                         "--select", "--high-contrast" };
    unsigned takes = 0;
    for (size_t i = 0; i < sizeof COMMAND_OPTIONS / sizeof COMMAND_OPTIONS[0]; i++) {
        if (strcmp(COMMAND_OPTIONS[i].cmd, cmd) == 0) {
            takes = COMMAND_OPTIONS[i].takes;
        }
    }
    unsigned extra = given & ~takes;
    if (!extra) {
        return -1;
    }
    size_t bit = 0;
    while (!(extra & (1u << bit))) {
        bit++;
    }
    if (extra & OPT_TRACE) {
        return usage_error("--trace is where `mailsim run` writes a trace, not an input of %s: a "
                           "recorded trace carries its own nodes and links and is played on its "
                           "own with `mailsim replay TRACE.jsonl`",
                           cmd[0] ? cmd : "the player");
    }
    fprintf(stderr, "mailsim: %s does not take %s\n%s", cmd[0] ? cmd : "the player", NAMES[bit],
            USAGE);
    return EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("mailsim %s\n", MAILSIM_VERSION);
        return EXIT_OK;
    }
    const char *cmd = argc >= 2 ? argv[1] : "";
    bool named = strcmp(cmd, "run") == 0 || strcmp(cmd, "check") == 0 ||
                 strcmp(cmd, "replay") == 0 || strcmp(cmd, "shot") == 0;
    int first = named ? 2 : 1;
    Options opt = { 0 };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    int npos = 0;
    if (!pos) {
        return EXIT_BAD_INPUT;
    }
    int rc = parse_options(argc - first, argv + first, &opt, pos, &npos);
    if (rc < 0) {
        rc = check_command_options(named ? cmd : "", &opt);
    }
    if (rc >= 0) {
        free(pos);
        return rc;
    }
    if (strcmp(cmd, "check") == 0) {
        rc = cmd_check(npos, pos, &opt);
    } else if (named && npos != 1) {
        rc = usage_error("%s takes exactly one file", cmd);
    } else if (strcmp(cmd, "run") == 0) {
        opt.scenario = pos[0];
        rc = cmd_run(&opt);
    } else {
#ifdef MAILSIM_HAVE_PLAYER
        if (strcmp(cmd, "shot") == 0) {
            opt.scenario = pos[0];
            rc = cmd_shot(&opt);
        } else if (npos > 1) {
            rc = usage_error("%s", "the player opens one file at a time");
        } else {
            rc = cmd_player(npos ? pos[0] : NULL, &opt);
        }
#else
        rc = no_player();
#endif
    }
    free(pos);
    return rc;
}
