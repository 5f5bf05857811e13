/* labelplace: where a frame's movable labels go so that no text covers another text or a node's
 * tile — packet labels, message ids beside envelopes, raised refusal labels.
 *
 * Owns: the obstacles of one frame (fixed things: node tiles, names, kinds, badges) and the
 * labels placed so far. Each label comes with candidate positions in order of preference (on its
 * packet, under its envelope, above the link…); it takes the first candidate that stays inside
 * the canvas and meets nothing, else the one that meets the least, and becomes an obstacle for
 * the labels after it. Callers place the most important labels first. Greedy and O(labels ×
 * candidates × obstacles): a frame holds tens of labels. SDL-free, so tests reach the geometry.
 */
#ifndef MAILSIM_LABELPLACE_H
#define MAILSIM_LABELPLACE_H

#include "view/layout.h"

#include <stddef.h>
#include <stdint.h>

typedef struct LabelPlacer LabelPlacer;

/* Never returns NULL. */
LabelPlacer *labelplace_create(void);
/* labelplace_destroy(NULL) is a no-op. */
void labelplace_destroy(LabelPlacer *lp);

/* Forgets every obstacle; labels must stay inside `bounds` (the canvas). */
void labelplace_reset(LabelPlacer *lp, LayoutRect bounds);
/* Adds a fixed obstacle. A label may lie on an obstacle whose owner is one of its own nodes
 * (a packet on the tile it leaves); owner -1 belongs to no one and is never covered. */
void labelplace_block(LabelPlacer *lp, LayoutRect r, int32_t owner);

typedef struct {
    float x, y; /* the label's top-left corner */
} LabelSpot;

/* Places a w × h label at the best of the n candidate corners (n >= 1), given that it belongs to
 * nodes own_a and own_b (-1 for none), and blocks it for later labels. Returns the chosen
 * candidate's index (the first that costs nothing, else the cheapest); *out gets the label's
 * rectangle. */
int labelplace_put(LabelPlacer *lp, const LabelSpot *cand, int n, float w, float h, int32_t own_a,
                   int32_t own_b, LayoutRect *out);

/* How much of rectangle r overlaps what is placed (area in px², bounds overflow counted four
 * times); obstacles owned by own_a or own_b count a quarter (allowed, but not preferred). */
float labelplace_cost(const LabelPlacer *lp, LayoutRect r, int32_t own_a, int32_t own_b);

#endif
