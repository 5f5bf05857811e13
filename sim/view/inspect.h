/* inspect: the inspector panel's content, as styled lines — for the selected message (status
 * per recipient, envelope beside headers, headers as they grew hop by hop, SMTP transcript with
 * client and server lines, DNS look-ups, spam-rule breakdown), the selected node, or the scenario
 * itself when nothing is selected. Everything is "as of time t": a header added later is not
 * there yet.
 *
 * Owns: its lines and their text (reused between calls). Does not own the index or trace.
 * SDL-free; the renderer wraps and draws the lines, tests read them.
 */
#ifndef MAILSIM_INSPECT_H
#define MAILSIM_INSPECT_H

#include "view/theme.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    IL_TITLE,   /* big bold line */
    IL_HEADING, /* section heading */
    IL_TEXT,    /* proportional body text, wrapped */
    IL_MONO,    /* monospaced (headers, protocol lines), wrapped with a hanging indent */
    IL_BAR,     /* a labelled bar: value against max (spam rule scores) */
    IL_GAUGE,   /* score against threshold */
} InspectStyle;

typedef struct {
    uint8_t style; /* InspectStyle */
    uint8_t role;  /* ColorRole of the text (or bar) */
    bool strong;   /* bold / emphasised (e.g. the header just added) */
    const char *text;
    double value, max; /* IL_BAR / IL_GAUGE: value and the scale's maximum (or threshold) */
    int32_t msg;       /* a message this line links to (click selects it), or TRACE_NONE */
} InspectLine;

typedef struct Inspector Inspector;

/* Never returns NULL. */
Inspector *inspector_create(void);
/* inspector_destroy(NULL) is a no-op. */
void inspector_destroy(Inspector *in);

/* Rebuilds the lines for message m at time t. */
void inspector_message(Inspector *in, const TraceIndex *ix, int32_t m, int64_t t_us);
/* Rebuilds the lines for node `node` at time t (`vs` is the view at t, for its counters). */
void inspector_node(Inspector *in, const TraceIndex *ix, const ViewState *vs, int32_t node,
                    int64_t t_us);
/* Rebuilds the lines for the scenario: title, lesson, its messages and where each stands. */
void inspector_scenario(Inspector *in, const TraceIndex *ix, int64_t t_us);
/* The same with `lesson` in place of the trace's lesson text (lesson mode hides its answer part:
 * view/lesson.h). */
void inspector_scenario_lesson(Inspector *in, const TraceIndex *ix, int64_t t_us,
                               const char *lesson);

size_t inspector_count(const Inspector *in);
const InspectLine *inspector_line(const Inspector *in, size_t i);

/* The score (thousandths) of a SpamAssassin-style rule name: "NAME=1.5" inline scores win, else
 * the mail-facts defaults; *known is false for a rule the table does not know. */
int32_t inspect_rule_score(const char *name, size_t len, bool *known);

#endif
