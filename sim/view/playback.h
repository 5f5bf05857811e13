/* playback: the player's clock — how sim time moves as wall time passes, under the teacher's
 * control (play/pause, speed, step, seek).
 *
 * Owns: the current sim time and the playback settings. Reads the index and the current view
 * state (what is in flight) to pace itself; SDL-free, so its rules are unit-tested.
 *
 * Rules, in order, for each frame while playing:
 *   1. Reading pause: after crossing an event that has a caption, sim time holds still long
 *      enough to read it (about 18 characters a second, 2–7 s), unless faster than 50×.
 *   2. Slow motion: while something travels, the speed is capped so the shortest travelling
 *      token takes at least PLAYBACK_MIN_TRAVEL_S of wall time — a 40 ms hop stays visible.
 *   3. Gap compression: when nothing travels and the next event is more than
 *      PLAYBACK_GAP_WALL_S of wall time away at the current speed, jump to just before it and
 *      show a note ("▶▶ 4 min 58 s later: …") for a few seconds.
 * Stepping jumps exactly to the previous/next event time and pauses.
 */
#ifndef MAILSIM_PLAYBACK_H
#define MAILSIM_PLAYBACK_H

#include "view/traceindex.h"
#include "view/viewstate.h"

#include <stdbool.h>
#include <stdint.h>

#define PLAYBACK_MIN_TRAVEL_S 0.8
#define PLAYBACK_GAP_WALL_S 1.2
#define PLAYBACK_GAP_LEAD_S 0.3  /* wall time left before the event after a jump */
#define PLAYBACK_NOTE_S 3.0      /* how long a gap note stays up */
#define PLAYBACK_DWELL_MAX_SPEED 50.0

typedef struct {
    int64_t t_us;
    double speed;           /* sim seconds per wall second, 0.1 .. 10000 */
    bool playing;
    bool slowmo;            /* rule 2 */
    bool compress_gaps;     /* rule 3 */
    bool dwell;             /* rule 1 */
    double effective_speed; /* the speed actually used by the last advance */
    double dwell_left_s;
    uint32_t dwelt_event;   /* the last event a reading pause was made for, or UINT32_MAX */
    char note[200];         /* gap note, "" when none */
    double note_left_s;
    uint32_t step_event;    /* stepping: the event shown as current among those sharing t_us
                             * (compose and its headers share a time), or UINT32_MAX */
} Playback;

/* Paused at the start of the axis (t = start_us), 1×, every rule on. */
void playback_init(Playback *pb, int64_t start_us);

/* Moves time forward by wall_dt_s of wall time (see the rules). `vs` is the view at pb->t_us.
 * Stops (pauses) at the end of the run. */
void playback_advance(Playback *pb, const TraceIndex *ix, const ViewState *vs, double wall_dt_s);

/* Steps to the next (dir > 0) or previous (dir < 0) event and pauses: one event at a time,
 * also through events that share a time (step_event says which is current). Returns false when
 * there is no such event (nothing changes). */
bool playback_step(Playback *pb, const TraceIndex *ix, int dir);
/* Jumps to t (clamped to the run) and clears any pause or note. */
void playback_seek(Playback *pb, const TraceIndex *ix, int64_t t_us);
/* One notch faster (dir > 0) or slower on the 0.1 × .. 10 000 × ladder. */
void playback_change_speed(Playback *pb, int dir);
void playback_toggle(Playback *pb, const TraceIndex *ix);

/* "×0.5", "×1", "×10 000". */
const char *playback_speed_text(double speed, char *buf, size_t size);

#endif
