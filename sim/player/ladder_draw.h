/* ladder_draw: a ladder diagram (view/ladder.h) painted with SDL — the same figure ladder_svg
 * writes, for a PNG (and, later, the player's ladder view).
 *
 * Owns nothing between calls: ladder_draw paints with a borrowed renderer and text cache;
 * ladder_draw_surface and ladder_draw_png make (and free) their own offscreen renderer, fonts and
 * SDL_ttf/SDL_image start-up. All decisions about what goes where were made by view/ladder.
 */
#ifndef MAILSIM_LADDER_DRAW_H
#define MAILSIM_LADDER_DRAW_H

#include "player/textcache.h"
#include "util/error.h"
#include "view/ladder.h"
#include "view/theme.h"

#include <SDL.h>
#include <stdbool.h>

/* Paints the ladder at its natural size (1 unit = 1 pixel), its top-left at (0, 0), onto the
 * renderer's current target. `sdl` and `tc` are borrowed. */
void ladder_draw(SDL_Renderer *sdl, TextCache *tc, const Ladder *ld, ThemeId theme);

/* The ladder painted into a new RGB surface of the frame's size (the caller frees it with
 * SDL_FreeSurface), with the fonts under `asset_dir`/fonts. NULL with err filled on failure. */
SDL_Surface *ladder_draw_surface(const Ladder *ld, ThemeId theme, const char *asset_dir,
                                 Error *err);

/* Writes the ladder as a PNG at `path`, whole or not at all (util/atomicfile.h). False with err
 * filled on failure; the file at `path` is then untouched. */
bool ladder_draw_png(const Ladder *ld, ThemeId theme, const char *asset_dir, const char *path,
                     Error *err);

#endif
