/* multimatch: which of a fixed list of needles (byte strings) a text contains, found in one pass
 * over the text (Aho-Corasick). Needles come in sets, one trie each in one shared automaton, and a
 * scan looks for one set's needles only. The expect checker asks this of every event for each
 * group of expectations that share everything but their text_contains; a strstr per needle per
 * event took 80 s CPU for 150 000 needles over the SMTP events of an 84 000-event run.
 *
 * Owns its automaton; does not keep the needle strings it was built from. A scan reports each
 * needle the text contains once, however often it occurs; equal needles are each reported.
 * Containment is strstr's: byte for byte, so a UTF-8 needle matches exactly its own bytes, and
 * the empty needle is in every text. Not thread-safe: a scan marks what it has reported in the
 * handle. */
#ifndef MAILSIM_MULTIMATCH_H
#define MAILSIM_MULTIMATCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct MultiMatch MultiMatch;

/* Called once per needle the text contains, with the needle's index in the creating array. */
typedef void (*MultiMatchFn)(void *ctx, uint32_t needle);

/* An automaton over needles[0..count) (NUL-terminated, read during the call only), needle i in
 * set set_of[i] < set_count (set_of NULL: all in set 0; set_count >= 1). Memory is linear in the
 * needles' total length plus set_count. Caller owns the result: multimatch_destroy. */
MultiMatch *multimatch_create(const char *const *needles, const uint32_t *set_of, uint32_t count,
                              uint32_t set_count);
/* Calls fn(ctx, i) once for each needle i of set `set` that occurs in text[0..len), in no
 * promised order. */
void multimatch_scan(MultiMatch *m, uint32_t set, const char *text, size_t len, MultiMatchFn fn,
                     void *ctx);
/* NULL is a no-op. */
void multimatch_destroy(MultiMatch *m);

#endif
