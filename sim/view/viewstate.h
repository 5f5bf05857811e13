/* viewstate: what the screen shows at sim time t — a pure function of (trace index, layout, t,
 * options). The renderer only draws a ViewState; tests read it directly ("where is m1 at
 * 1.25 s?", "is the rejected reply red?", "does stepping back give the same picture?").
 *
 * Owns: the ViewState arrays (tokens, nodes, a text arena for labels), reused across calls so a
 * frame allocates nothing once they have grown. Does not own the index or the layout.
 * SDL-free.
 *
 * Tokens: every travelling event in flight at t becomes one token placed along its link (a
 * straight line, or a curve around nodes in the way: layout_link_curve) at the fraction of its
 * travel time elapsed (linear in sim time: honest about durations). A message moving (hop, SMTP "." carrying the content, a download) is
 * an envelope; protocol lines (SMTP, DNS, POP3/IMAP, TCP connect) are labelled packets, shown only
 * with `show_packets`. Commands and replies keep to the right of their direction of travel, so a
 * command and its reply never overlap. Messages at rest are envelopes beside their node's card.
 * When more than `max_per_link` tokens share one directed link they are merged into a few
 * counted tokens ("✉ ×120") so a bulk run stays readable.
 */
#ifndef MAILSIM_VIEWSTATE_H
#define MAILSIM_VIEWSTATE_H

#include "view/layout.h"
#include "view/theme.h"
#include "view/traceindex.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TOKEN_ENVELOPE, TOKEN_PACKET } TokenShape;

enum {
    VT_REJECT = 1,   /* a refusal: 5xx/4xx reply, refused connection, failed DNS answer */
    VT_SELECTED = 2, /* belongs to the selected message */
    VT_RESTING = 4,  /* a message at rest at `node`, not travelling */
    VT_GROUP = 8,    /* stands for `count` merged tokens */
    VT_REPLY = 16,   /* a reply / answer (travels server -> client) */
    VT_CACHED = 32,  /* DNS answer from the resolver's cache */
    VT_TEMPORARY = 64, /* a refusal that only means "later" (4xx, refused connection, SERVFAIL):
                        * drawn ⟳ with a dashed outline; a permanent one is ✖, solid */
};

typedef struct {
    float x, y;         /* centre, pixels */
    float x0, y0, x1, y1; /* the travel path's ends (equal for a resting token) */
    float cx, cy;       /* its quadratic Bézier control point (halfway for a straight link) */
    float progress;     /* 0..1 along the segment */
    uint32_t event;     /* trace event, or UINT32_MAX for a resting token */
    int32_t msg;        /* message or TRACE_NONE */
    int32_t node;       /* resting: the node; else TRACE_NONE */
    uint32_t count;     /* tokens this one stands for (1 unless VT_GROUP) */
    uint8_t shape;      /* TokenShape */
    uint8_t role;       /* ColorRole */
    uint8_t flags;      /* VT_* */
    float label_dy;     /* the label is drawn this far below (x, y); negative = above */
    const char *label;  /* "" when none; valid until the next viewstate_compute */
} ViewToken;

typedef struct {
    uint8_t role; /* ColorRole */
    const char *text; /* one line, or two split by '\n' (a broken domain's DNS at a resolver:
                       * "b.example DNS\n⟳ SERVFAIL") */
} ViewBadge;

#define VIEW_MAX_BADGES 3

typedef struct {
    int32_t counters[NC_COUNT];
    bool down;        /* an outage is in effect */
    bool active;      /* takes part in the current event */
    bool selected;
    uint8_t badge_count;
    ViewBadge badges[VIEW_MAX_BADGES];
    /* filters: the latest verdict, for the score-vs-threshold gauge */
    bool has_verdict, verdict_spam;
    int32_t score_milli, required_milli;
    int64_t next_retry_us; /* outgoing: soonest retry after t, or TRACE_NO_TIME */
} ViewNode;

typedef struct {
    bool show_packets;     /* DNS / SMTP / POP3 / IMAP / TCP packets (detail toggle) */
    int32_t selected_msg;  /* TRACE_NONE for none */
    int32_t selected_node; /* TRACE_NONE for none */
    uint32_t max_per_link; /* merge beyond this many tokens on one link; 0 = 8 */
    uint32_t current_event; /* stepping through events that share a time: this one is current
                             * (caption, highlight) when it has time t; UINT32_MAX = the last */
} ViewOptions;

typedef struct {
    int64_t t_us;
    size_t events_done;     /* events with t_us <= t */
    uint32_t current;       /* last event with t_us <= t, or UINT32_MAX before the first */
    uint32_t caption_event; /* event the caption is about, or UINT32_MAX */
    bool caption_is_narration; /* no caption nearby: the current step explained (explain.h) */
    uint8_t caption_role;   /* ColorRole accent for the caption bar */
    const char *caption;
    size_t node_count;
    ViewNode *nodes;
    size_t token_count;
    ViewToken *tokens;
    size_t in_flight;       /* travelling events at t, before merging and hiding */
    int64_t shortest_flight_us; /* shortest travel time among shown tokens; INT64_MAX if none */
    int64_t busy_until_us;  /* latest arrival of anything in flight, or INT64_MIN */
    struct ViewStore *store; /* private: growable storage behind the arrays above */
} ViewState;

#define VIEW_CAPTION_LOOKBACK 6  /* a scenario's caption stays up for this many events */
#define VIEW_DEFAULT_LOOKBACK 3  /* a default caption (narrator) for this many */
#define VIEW_MAX_RESTING 4       /* resting envelopes drawn one by one up to this many per node */
#define VIEW_FLIGHT_CAP 200000u  /* travelling events considered per frame */

/* Defaults: packets shown, nothing selected. */
ViewOptions viewoptions_default(void);

/* Never returns NULL. */
ViewState *viewstate_create(void);
/* viewstate_destroy(NULL) is a no-op. */
void viewstate_destroy(ViewState *vs);

/* Computes the view at t_us. Deterministic: the same inputs give an identical state (see
 * viewstate_equal) whatever was computed before. */
void viewstate_compute(const TraceIndex *ix, const Layout *lay, int64_t t_us,
                       const ViewOptions *opt, ViewState *out);

/* The point at fraction p along a token's path. */
void viewtoken_point(const ViewToken *t, float p, float *x, float *y);

/* True when a and b show the same thing (times, tokens, labels, nodes, caption). */
bool viewstate_equal(const ViewState *a, const ViewState *b);

/* The token under (x, y) — envelopes first, then packets — or -1. */
int64_t viewstate_token_at(const ViewState *vs, float x, float y, float radius);

/* The first token for message m (travelling preferred over resting), or NULL. */
const ViewToken *viewstate_find_msg(const ViewState *vs, int32_t m);
/* The token for event i, or NULL. */
const ViewToken *viewstate_find_event(const ViewState *vs, uint32_t i);

/* The colour role an event is drawn in (log marker, timeline tick, packet, caption accent). */
ColorRole view_event_role(const Trace *tr, uint32_t i);
/* True for events a class should notice (outcomes, refusals, verdicts, actions): they get tall
 * timeline markers. */
bool view_event_notable(const Trace *tr, uint32_t i);


#endif
