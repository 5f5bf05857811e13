/* labelplace: greedy label placement against fixed obstacles (see labelplace.h). */
#include "view/labelplace.h"

#include "util/xalloc.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    LayoutRect r;
    int32_t owner;
} Obstacle;

struct LabelPlacer {
    LayoutRect bounds;
    Obstacle *obs;
    size_t count, cap;
};

LabelPlacer *labelplace_create(void)
{
    return xcalloc(1, sizeof(LabelPlacer));
}

void labelplace_destroy(LabelPlacer *lp)
{
    if (!lp) {
        return;
    }
    free(lp->obs);
    free(lp);
}

void labelplace_reset(LabelPlacer *lp, LayoutRect bounds)
{
    lp->bounds = bounds;
    lp->count = 0;
}

void labelplace_block(LabelPlacer *lp, LayoutRect r, int32_t owner)
{
    if (r.w <= 0 || r.h <= 0) {
        return;
    }
    if (lp->count == lp->cap) {
        lp->obs = xgrow(lp->obs, &lp->cap, lp->count + 1, sizeof *lp->obs);
    }
    lp->obs[lp->count++] = (Obstacle){ r, owner };
}

/* Area shared by a and b, with a pixel of clearance so neighbours do not touch. */
static float shared_area(LayoutRect a, LayoutRect b)
{
    const float clear = 1.0f;
    float w = fminf(a.x + a.w + clear, b.x + b.w) - fmaxf(a.x - clear, b.x);
    float h = fminf(a.y + a.h + clear, b.y + b.h) - fmaxf(a.y - clear, b.y);
    return w > 0 && h > 0 ? w * h : 0;
}

float labelplace_cost(const LabelPlacer *lp, LayoutRect r, int32_t own_a, int32_t own_b)
{
    LayoutRect b = lp->bounds;
    float inside_w = fminf(r.x + r.w, b.x + b.w) - fmaxf(r.x, b.x);
    float inside_h = fminf(r.y + r.h, b.y + b.h) - fmaxf(r.y, b.y);
    float outside = r.w * r.h - fmaxf(inside_w, 0) * fmaxf(inside_h, 0);
    float cost = outside * 4; /* a label off the canvas is not seen at all */
    for (size_t i = 0; i < lp->count; i++) {
        const Obstacle *o = &lp->obs[i];
        bool own = o->owner >= 0 && (o->owner == own_a || o->owner == own_b);
        /* Its own node's tile is allowed, but a free spot is better. */
        cost += shared_area(r, o->r) * (own ? 0.25f : 1.0f);
    }
    return cost;
}

int labelplace_put(LabelPlacer *lp, const LabelSpot *cand, int n, float w, float h, int32_t own_a,
                   int32_t own_b, LayoutRect *out)
{
    int best = 0;
    float best_cost = INFINITY;
    for (int i = 0; i < n; i++) {
        LayoutRect r = { cand[i].x, cand[i].y, w, h };
        float c = labelplace_cost(lp, r, own_a, own_b);
        if (c < best_cost) {
            best_cost = c;
            best = i;
            if (c <= 0) {
                break;
            }
        }
    }
    *out = (LayoutRect){ cand[best].x, cand[best].y, w, h };
    /* No candidate is free: a few pixels up or down may cost less (a gap narrower than the
     * candidates' spacing). */
    for (int d = -8; best_cost > 0 && d <= 8; d++) {
        LayoutRect r = { cand[best].x, cand[best].y + (float)d, w, h };
        float c = labelplace_cost(lp, r, own_a, own_b);
        if (c < best_cost) {
            best_cost = c;
            *out = r;
        }
    }
    labelplace_block(lp, *out, -1);
    return best;
}
