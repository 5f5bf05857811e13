/* textcache: text turned into textures once and reused, so a frame draws text by copying
 * textures instead of rasterising glyphs.
 *
 * Owns: the fonts (DejaVu Sans, Sans Bold, Sans Mono from the asset directory, opened lazily
 * per pixel size) and a table of rendered strings keyed by (face, size, wrap width, text).
 * Textures are rendered white and tinted per draw with a colour mod, so a colour change costs
 * nothing. Entries not used for a while are dropped once the table is large. Does not own the
 * SDL_Renderer (borrowed; it must outlive the cache).
 */
#ifndef MAILSIM_TEXTCACHE_H
#define MAILSIM_TEXTCACHE_H

#include "util/error.h"

#include <SDL.h>
#include <stdbool.h>

typedef enum { FACE_SANS, FACE_BOLD, FACE_MONO, FACE_COUNT } FontFace;

typedef struct TextCache TextCache;

/* Opens the three fonts under `font_dir` (checks they load). Returns NULL with err filled when a
 * font is missing or unreadable. */
TextCache *textcache_create(SDL_Renderer *ren, const char *font_dir, Error *err);
/* textcache_destroy(NULL) is a no-op. */
void textcache_destroy(TextCache *tc);

/* The texture for `text` in `face` at `px` pixels, wrapped at wrap_w pixels (0 = one line);
 * *w and *h get its size. NULL for an empty string or on a rendering failure (then *w = *h = 0).
 * The texture stays valid until the next textcache_end_frame. */
SDL_Texture *textcache_get(TextCache *tc, FontFace face, int px, const char *text, int wrap_w,
                           int *w, int *h);
/* `text` as it is shown in at most max_lines lines wrap_w pixels wide: the text itself when it
 * fits (then *cut = false), else its first lines broken at spaces with newlines, the last cut
 * short and ending in "…" (*cut = true). Measures only what the lines show, so a caption of a
 * megabyte costs what one of a few lines does. The result is text or tc's buffer, valid until
 * the next call into tc. (textcache_get also bounds whatever it renders: a line past 8192 px,
 * a wrapped text past 16 KB, end in "…".) */
const char *textcache_fit_lines(TextCache *tc, FontFace face, int px, const char *text,
                                int wrap_w, int max_lines, bool *cut);
/* Size of one line of text without rendering it. */
void textcache_measure(TextCache *tc, FontFace face, int px, const char *text, int *w, int *h);
/* Line height of the face at px. */
int textcache_line_height(TextCache *tc, FontFace face, int px);
/* True when the face has a glyph for code point cp. */
bool textcache_has_glyph(TextCache *tc, FontFace face, uint32_t cp);

/* Marks the end of a frame: may evict entries unused for a while. */
void textcache_end_frame(TextCache *tc);
/* Drops every texture (e.g. after the renderer was reset). */
void textcache_clear(TextCache *tc);
/* Entries currently cached (for tests). */
size_t textcache_size(const TextCache *tc);

#endif
