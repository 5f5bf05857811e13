/* whatif: the teacher's live changes to a scenario ("What if…?") — the changes that apply to a
 * node or a message at a moment, each written as one action object of the scenario format; the
 * list of changes made (push, undo); the run of the scenario with them; and the changed scenario
 * saved as a new file that loads and plays like any other.
 *
 * Owns: the scenario's original text and path, the act list (JSON strings) and the address
 * lists it hands out. Every run loads the file afresh (scenario_load_file) and adds the acts with
 * scenario_add_action_json, so a run with acts is byte for byte the run of the saved file (and
 * of `mailsim run FILE --act ...`), and everything before an act's time is the run without it.
 * Does not own the traces it returns (the caller does) and draws nothing.
 */
#ifndef MAILSIM_WHATIF_H
#define MAILSIM_WHATIF_H

#include "model/sim.h"
#include "model/world.h"
#include "trace/trace.h"
#include "util/error.h"
#include "view/whatifmenu.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct WhatIf WhatIf;

/* Opens the scenario at `path` (read and loaded once to check it). `so` (may be NULL: the
 * defaults) is copied and used for every run. NULL with err filled when it cannot be read or
 * loaded. */
WhatIf *whatif_open(const char *path, const SimOptions *so, Error *err);
/* whatif_destroy(NULL) is a no-op. */
void whatif_destroy(WhatIf *wi);

/* The scenario with the acts made so far, loaded afresh (the caller owns it), and its run (the
 * caller owns the trace; world_out, when non-NULL, gets the world, else it is freed). NULL with
 * err filled on failure. */
World *whatif_world(const WhatIf *wi, Error *err);
Trace *whatif_run(const WhatIf *wi, World **world_out, Error *err);

/* The changes that apply to node `node` or message `msg` (TRACE_NONE for none) of `tr` (a run
 * of this scenario) at `at_us`: at most `max` of them in out, in the menu's order. With nothing
 * selected only "send one more message" is offered. */
size_t whatif_choices(const WhatIf *wi, const Trace *tr, int32_t node, int32_t msg,
                      int64_t at_us, WhatIfChoice *out, size_t max);

/* The "send" action for the send form's values, at `at_us`, into buf (WHATIF_JSON_MAX). */
const char *whatif_send_json(int64_t at_us, const char *from, const char *to, const char *subject,
                             int64_t size_bytes, char *buf, size_t size);

/* Adds one act (an action object, "at_s" included). False with err set, and nothing added,
 * when the scenario refuses it. */
bool whatif_push(WhatIf *wi, const char *json, Error *err);
/* Takes the last act back; false when there is none. */
bool whatif_pop(WhatIf *wi);
size_t whatif_act_count(const WhatIf *wi);
const char *whatif_act(const WhatIf *wi, size_t i);
/* The acts as marks (time, node, words) for the canvas and the timeline; at most max. */
size_t whatif_marks(const WhatIf *wi, WhatIfMark *out, size_t max);

/* Addresses the send form offers: clients that can send (senders) or every mailbox (recipients).
 * Valid until the WhatIf is destroyed. */
size_t whatif_addresses(const WhatIf *wi, bool senders, const char **out, size_t max);

/* The scenario text with the acts appended to its "actions" (the array is made when the file has
 * none); the caller frees it. NULL with err filled when the original text cannot be spliced (not
 * one JSON object). */
char *whatif_saved_text(const WhatIf *wi, Error *err);
/* Writes whatif_saved_text, whole or not at all, beside the original as
 * "<stem>-whatif-<N>.json" (the first N not taken), or in the current directory when the
 * original's directory is not writable. The path written goes to path_out. False with err
 * filled on failure (nothing written). */
bool whatif_save(const WhatIf *wi, char *path_out, size_t size, Error *err);

#endif
