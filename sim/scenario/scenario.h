/* scenario: the loader. Reads a scenario file (JSON, format version 1, docs/scenario-format.md)
 * and turns it into a validated, finalized World — or refuses it with one precise error.
 *
 * Owns nothing once a load returns: the World belongs to the caller (world_destroy), and the
 * text, the parse tree and the look-up tables live only for the duration of one load.
 * Does not: run anything, know the engine, or touch the file system beyond reading one file.
 * It is the only module that includes cJSON (architecture.md).
 *
 * Errors: the first problem found wins. err->file is the path (or the name given to
 * scenario_load_string), err->where a JSON path such as "$.nodes[2].retry.min_backoff_s" or
 * "line 3:14" for a syntax error, and err->msg says what was wrong and what was expected.
 * error_format(err) gives the one line a user sees: "FILE: WHERE: MESSAGE".
 */
#ifndef MAILSIM_SCENARIO_H
#define MAILSIM_SCENARIO_H

#include "model/world.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The format version this loader reads ("mailsim": 1). */
#define SCENARIO_FORMAT_VERSION 1

/* Limits; a file beyond any of them is refused with a message naming the limit. */
#define SCENARIO_MAX_FILE_BYTES (8u * 1024u * 1024u) /* checked before parsing */
#define SCENARIO_MAX_DEPTH 32                        /* nesting of [ and { */
#define SCENARIO_MAX_STRING_BYTES 65536u             /* any one string (a body, mostly) */
#define SCENARIO_MAX_NODES 10000u
#define SCENARIO_MAX_LINKS 100000u        /* entries of "links" */
#define SCENARIO_MAX_SERVER_PAIRS 100000u /* outgoing x incoming servers: each pair may be a link */
#define SCENARIO_MAX_RCPTS_PER_MESSAGE 1000u
#define SCENARIO_MAX_RECIPIENTS 1000000u /* summed over all messages */
#define SCENARIO_MAX_ACTIONS 100000u     /* entries of "actions" (sends are not counted) */
#define SCENARIO_MAX_MESSAGE_BYTES INT64_C(1073741824) /* 1 GiB: a message's "size_bytes", and
                                                          its attachments' added up */
#define SCENARIO_MAX_DAYS 366            /* every time value, the horizon included */
#define SCENARIO_MAX_SECONDS (INT64_C(366) * 86400)

/* Loads, validates and finalizes (world_finalize) the scenario in the file at `path`.
 * Returns a World owned by the caller, with world->file a copy of `path` and world->name the
 * file's stem ("01-happy-path"); or NULL with `err` filled (when non-NULL). No partial world
 * survives a failed load. */
World *scenario_load_file(const char *path, Error *err);

/* The same for the scenario in stream f (not closed here), whose first head_len bytes were already
 * read (a format sniff on a pipe, where they cannot be read again) and are in head (NULL when
 * head_len is 0): the scenario is head followed by the rest of f. `path` names it in the World and
 * in errors. */
World *scenario_load_stream(FILE *f, const char *head, size_t head_len, const char *path,
                            Error *err);

/* The same for `len` bytes of text (need not be NUL-terminated). `name` stands in for the file
 * name in the World and in errors; NULL means "<string>". */
World *scenario_load_string(const char *text, size_t len, const char *name, Error *err);

/* Adds one action to a loaded world: `len` bytes of JSON holding one object written as an
 * element of "actions" (docs/scenario-format.md), "at_s" included. The world becomes the one the
 * file would give with that object appended to its "actions" (and is finalized again), so a run
 * of it equals a run of that file. `name` stands in for the file name in errors ("--act"), and
 * paths start at "$", the object. Returns false with `err` set, and the world unchanged, on any
 * mistake. */
bool scenario_add_action_json(World *w, const char *json, size_t len, const char *name,
                              Error *err);

#endif
