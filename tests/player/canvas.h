/* canvas: an offscreen drawing target for the player's tests — an RGB surface, SDL's software
 * renderer over it, and the player's Renderer with the shipped fonts. */
#ifndef MAILSIM_TEST_RENDER_CANVAS_H
#define MAILSIM_TEST_RENDER_CANVAS_H

#include "test.h"

#include "player/render.h"

#include <SDL.h>

typedef struct {
    SDL_Surface *surf;
    SDL_Renderer *sdl;
    Renderer *ren;
} Canvas;

static inline Canvas canvas_open(int w, int h)
{
    Canvas c = { SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888), NULL, NULL };
    c.sdl = SDL_CreateSoftwareRenderer(c.surf);
    Error err = { 0 };
    c.ren = render_create(c.sdl, render_locate_assets(NULL), &err);
    CHECK(c.ren != NULL);
    return c;
}

static inline void canvas_close(Canvas *c)
{
    render_destroy(c->ren);
    SDL_DestroyRenderer(c->sdl);
    SDL_FreeSurface(c->surf);
}

#endif
