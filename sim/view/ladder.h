/* ladder: the sequence ("ladder") diagram of one message's journey, as every SMTP textbook draws
 * it — one vertical lane per node the message touched, one horizontal arrow per protocol line,
 * time running downward, long waits shown as labelled gaps.
 *
 * Owns: the lanes, the rows (their display text, already wrapped and elided) and the layout in
 * abstract units (1 unit = 1 pixel of the figure at its natural size), all in one Ladder.
 * Does not own the trace (read during ladder_build only) and draws nothing: ladder_svg writes it
 * as SVG text, player/ladder_draw paints it with SDL. Both read the same geometry, so the two
 * figures agree.
 *
 * What a ladder shows of message `msg`: every trace event of the message and of its bounce (a
 * message whose `parent` is it), and the whole POP3/IMAP session in which a client downloads
 * either (the session's lines carry no message, only its FETCH reply does). Refusals are marked
 * three ways: shape (a ring for a temporary one, a cross for a permanent one), word ("later",
 * "refused") and colour. Text is measured by an estimate (LADDER_CHAR_EM of the font size per
 * character, generous for DejaVu Sans), so a drawer never needs to re-flow it.
 */
#ifndef MAILSIM_LADDER_H
#define MAILSIM_LADDER_H

#include "trace/trace.h"
#include "view/theme.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Font sizes in units (= pixels at the natural size; the figure is never drawn smaller). Every
 * text is at least 18 px and the figure at most LADDER_MAX_W wide, so shown 1280 px wide it still
 * has text of 16 px or more: readable from the back of a classroom. */
#define LADDER_TEXT_PX 18  /* everything: labels, times, lane names, tags */
#define LADDER_TITLE_PX 22 /* the figure's title (bold) */
/* The estimated advance of one character, as a fraction of the font size (DejaVu Sans runs
 * 0.47-0.61 em on protocol lines and names; bold about 12 % wider). */
#define LADDER_CHAR_EM 0.6f
#define LADDER_LINE_H 24.0f /* one line of LADDER_TEXT_PX text */
#define LADDER_MAX_LINES 3  /* a label is wrapped to at most this many lines */
/* The widest a figure grows: lanes are pushed closer, labels wrapped harder and, with many lanes,
 * lane names elided (only more lanes than fit at the narrowest header make it wider). Its height
 * is capped by LADDER_MAX_ROWS rows: a longer transcript keeps its first and last rows and
 * replaces the middle with one gap row saying how many lines and how much time it leaves out. */
#define LADDER_MAX_W 1440.0f
#define LADDER_MAX_ROWS 120
/* Consecutive rows further apart than this get a gap row between them. */
#define LADDER_GAP_US INT64_C(5000000)

#define LADDER_NO_LANE (-1)

/* Shapes both drawers use, in units: the arrowhead, the refusal marker's radius (a ring for
 * temporary, a cross for permanent, drawn where the arrow ends), stroke widths. */
#define LADDER_HEAD_LEN 12.0f
#define LADDER_MARK_R 10.0f
#define LADDER_MARK_INSET (LADDER_HEAD_LEN + LADDER_MARK_R + 22.0f) /* marker centre to arrow tip */
#define LADDER_STROKE 2.0f
#define LADDER_HOP_STROKE 4.0f
/* A text line's baseline sits this far below the top of its LADDER_LINE_H band. */
#define LADDER_BASELINE 18.0f

typedef enum {
    LADDER_COMMAND,     /* an SMTP command, a client's POP3/IMAP line, a TCP connect */
    LADDER_REPLY,       /* a positive reply: SMTP 2xx/3xx, +OK, OK */
    LADDER_DNS,         /* a DNS query or answer */
    LADDER_HOP,         /* the message itself travels (to the filter, into the store) */
    LADDER_REFUSAL_TEMP, /* 4xx, a refused connection, SERVFAIL, a deferral: try again later */
    LADDER_REFUSAL_PERM, /* 5xx, NXDOMAIN, -ERR, a bounce: refused for good */
    LADDER_GAP,         /* simulated time passes with nothing to show */
    LADDER_DELIVERY,    /* filed into a folder */
    LADDER_VERDICT,     /* the spam filter's verdict */
    LADDER_NOTE,        /* something one node does on its own: writes, queues, retries */
    LADDER_CLASS_COUNT
} LadderClass;

typedef struct {
    const char *name;  /* display label ("Alice's laptop") or host name */
    const char *role;  /* what it is: "mail client", "outgoing server", ... */
    int32_t node;      /* trace node index */
    NodeKind kind;
    float x;           /* centre of the lane */
} LadderLane;

typedef struct {
    int64_t t_us;
    int32_t from, to;   /* lane indices; to == LADDER_NO_LANE for a note on `from`; both
                           LADDER_NO_LANE for a gap */
    LadderClass cls;
    uint32_t event;     /* trace event index; UINT32_MAX for a gap */
    int32_t msg;        /* the message the row is about, or TRACE_NONE */
    bool spam;          /* LADDER_VERDICT: judged spam */
    bool bounce;        /* about the bounce (DSN), not the message itself */
    bool future;        /* after the playhead (only when the future is drawn) */
    const char *text;   /* the whole label on one line, before wrapping and eliding */
    const char *time;   /* the sim clock of t_us, "00:02.450" (hours shown only when a row is an
                           hour or more in) */
    const char *tag;    /* the refusal's word line ("⟳ try again later") or NULL */
    const char *lines[LADDER_MAX_LINES]; /* the label, wrapped; nlines of them */
    int nlines;
    float y, h;         /* the row's band: [y, y + h) */
    float line_y;       /* the arrow (or the note's centre line) */
    float text_x;       /* notes: where the label starts (left edge; or right edge when
                           text_right) */
    bool text_right;    /* notes: the label is right-aligned at text_x */
} LadderRow;

typedef struct {
    int64_t until_us; /* the playhead; TRACE_NO_TIME for none */
    bool hide_future; /* leave out everything after until_us (lesson mode) */
} LadderOptions;

typedef struct {
    const char *title;  /* "m1 "Lunch on Friday?" — alice@a.example → bob@b.example" */
    float width, height;
    float title_y;      /* baseline band of the title: [title_y, title_y + LADDER_LINE_H) */
    float head_y, head_h; /* the lane headers' boxes */
    float head_w;       /* width of each header box */
    float lanes_top, lanes_bottom; /* the lane lines run between these */
    float time_x;       /* left edge of the time column */
    float lanes_left;   /* right edge of the time column: lanes, labels and notes stay right of it */
    float playhead_y;   /* < 0: no playhead */
    const char *playhead_label; /* "now 00:04:58.250" or NULL */
} LadderFrame;

typedef struct Ladder Ladder;

/* The ladder of message `msg` (an index into the trace's message table; asserted valid). `o` may
 * be NULL: no playhead, nothing hidden. Never returns NULL; the caller owns it. */
Ladder *ladder_build(const Trace *tr, int32_t msg, const LadderOptions *o);
/* ladder_destroy(NULL) is a no-op. */
void ladder_destroy(Ladder *ld);

const LadderFrame *ladder_frame(const Ladder *ld);
size_t ladder_lane_count(const Ladder *ld);
const LadderLane *ladder_lane(const Ladder *ld, size_t i);
size_t ladder_row_count(const Ladder *ld);
const LadderRow *ladder_row(const Ladder *ld, size_t i);
/* The row whose band holds y, or -1 (above the first row, below the last). O(log rows). */
int ladder_row_at(const Ladder *ld, float y);

/* Where a row's label goes, so every drawer puts it in the same place: the top of line j's band
 * (LADDER_LINE_H high; its baseline LADDER_BASELINE below), the top of the tag's band, and the x
 * the label is anchored at with its alignment (LADDER_ALIGN_*). */
typedef enum { LADDER_ALIGN_LEFT, LADDER_ALIGN_CENTER, LADDER_ALIGN_RIGHT } LadderAlign;
float ladder_line_top(const LadderRow *row, int j);
float ladder_tag_top(const LadderRow *row);
float ladder_label_x(const Ladder *ld, const LadderRow *row, LadderAlign *align);

/* "command", "reply", "dns", "hop", "refusal-temporary", "refusal-permanent", "gap",
 * "delivery", "spam-verdict", "note" (SVG class names and test output). */
const char *ladder_class_name(LadderClass cls);
/* The theme role a row is drawn in. */
ColorRole ladder_row_role(const LadderRow *row);
/* The row's colour made dark (or light) enough to read on the theme's CR_PANEL with at least
 * `min_contrast` (3 for strokes, 4.5 for text), keeping its hue. */
Rgba ladder_ink(ThemeId theme, ColorRole role, double min_contrast);
/* Estimated width in units of `text` at `px` (counts code points). */
float ladder_text_width(const char *text, int px);

#endif
