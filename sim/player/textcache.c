/* textcache: rendered-text cache (see textcache.h).
 *
 * Table: open addressing on an FNV-1a hash of (face, px, wrap, text), sized so it stays at most
 * half full. Eviction runs at the end of a frame when the table holds more than TC_SOFT_LIMIT
 * entries: everything not used in the last TC_KEEP_FRAMES frames goes, and the table is rebuilt.
 */
#include "player/textcache.h"

#include "util/xalloc.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TC_SOFT_LIMIT 2048
#define TC_KEEP_FRAMES 90
#define TC_MAX_FONTS 48
#define TC_MIN_PX 6
#define TC_MAX_PX 200
/* Bounds on what is rendered, whatever a trace holds: a line of text is cut where it passes
 * TC_MAX_LINE_W pixels (wider than any window, narrower than a renderer's texture limit); a
 * wrapped text at TC_MAX_WRAP_BYTES bytes, hundreds of lines in any panel. Both end in "…".
 * Past the first TC_LONG_BYTES bytes a text is measured before it is rendered. */
#define TC_MAX_LINE_W 8192
#define TC_MAX_WRAP_BYTES 16384
#define TC_LONG_BYTES 256
#define TC_ELLIPSIS "\xe2\x80\xa6"

static const char *const FACE_FILES[FACE_COUNT] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
                                                    "DejaVuSansMono.ttf" };

typedef struct {
    uint64_t hash; /* 0 = empty slot */
    uint8_t face;
    int px, wrap;
    char *text;
    SDL_Texture *tex;
    int w, h;
    uint64_t used_frame;
} Entry;

typedef struct {
    uint8_t face;
    int px;
    TTF_Font *font;
} OpenFont;

struct TextCache {
    SDL_Renderer *ren;
    char *paths[FACE_COUNT];
    OpenFont fonts[TC_MAX_FONTS];
    int font_count;
    Entry *slots;
    size_t cap, count;
    uint64_t frame;
    /* Texts cut to size: textcache_fit_lines's result, and a long text textcache_get renders
     * (each its own, so the one may be passed to the other). */
    char *cut, *bound;
    size_t cut_cap, bound_cap;
};

static TTF_Font *font_for(TextCache *tc, FontFace face, int px)
{
    px = px < TC_MIN_PX ? TC_MIN_PX : px > TC_MAX_PX ? TC_MAX_PX : px;
    for (int i = 0; i < tc->font_count; i++) {
        if (tc->fonts[i].face == face && tc->fonts[i].px == px) {
            return tc->fonts[i].font;
        }
    }
    TTF_Font *f = TTF_OpenFont(tc->paths[face], px);
    if (!f) {
        return NULL;
    }
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    if (tc->font_count == TC_MAX_FONTS) { /* many scale changes: start over */
        for (int i = 0; i < tc->font_count; i++) {
            TTF_CloseFont(tc->fonts[i].font);
        }
        tc->font_count = 0;
    }
    tc->fonts[tc->font_count++] = (OpenFont){ (uint8_t)face, px, f };
    return f;
}

TextCache *textcache_create(SDL_Renderer *ren, const char *font_dir, Error *err)
{
    TextCache *tc = xcalloc(1, sizeof *tc);
    tc->ren = ren;
    if (!TTF_WasInit()) { /* the caller owns TTF_Init/TTF_Quit */
        error_set(err, "", "", "SDL_ttf is not started (TTF_Init)");
        goto fail;
    }
    for (int f = 0; f < FACE_COUNT; f++) {
        size_t n = strlen(font_dir) + strlen(FACE_FILES[f]) + 2;
        tc->paths[f] = xmalloc(n);
        snprintf(tc->paths[f], n, "%s/%s", font_dir, FACE_FILES[f]);
        if (!font_for(tc, (FontFace)f, 16)) {
            error_set(err, tc->paths[f], "", "cannot load the font (%s): the player needs "
                      "the TrueType font %s as shipped in mailsim's assets/fonts; restore it "
                      "from the source tree, or set MAILSIM_ASSETS to an assets directory that "
                      "holds it", TTF_GetError(), FACE_FILES[f]);
            goto fail;
        }
    }
    tc->cap = 1024;
    tc->slots = xcalloc(tc->cap, sizeof *tc->slots);
    return tc;
fail:
    textcache_destroy(tc);
    return NULL;
}

static void free_entry(Entry *e)
{
    if (e->tex) {
        SDL_DestroyTexture(e->tex);
    }
    free(e->text);
    memset(e, 0, sizeof *e);
}

void textcache_clear(TextCache *tc)
{
    for (size_t i = 0; i < tc->cap; i++) {
        if (tc->slots[i].hash) {
            free_entry(&tc->slots[i]);
        }
    }
    tc->count = 0;
}

void textcache_destroy(TextCache *tc)
{
    if (!tc) {
        return;
    }
    if (tc->slots) {
        textcache_clear(tc);
    }
    free(tc->slots);
    free(tc->cut);
    free(tc->bound);
    for (int i = 0; i < tc->font_count; i++) {
        TTF_CloseFont(tc->fonts[i].font);
    }
    for (int f = 0; f < FACE_COUNT; f++) {
        free(tc->paths[f]);
    }
    free(tc);
}

static uint64_t hash_key(FontFace face, int px, int wrap, const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    uint32_t head[3] = { (uint32_t)face, (uint32_t)px, (uint32_t)wrap };
    const unsigned char *p = (const unsigned char *)head;
    for (size_t i = 0; i < sizeof head; i++) {
        h = (h ^ p[i]) * 1099511628211ULL;
    }
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        h = (h ^ *s) * 1099511628211ULL;
    }
    return h ? h : 1;
}

static Entry *slot_for(TextCache *tc, uint64_t h, FontFace face, int px, int wrap, const char *text)
{
    size_t i = (size_t)(h & (tc->cap - 1));
    while (tc->slots[i].hash) {
        Entry *e = &tc->slots[i];
        if (e->hash == h && e->face == face && e->px == px && e->wrap == wrap &&
            strcmp(e->text, text) == 0) {
            return e;
        }
        i = (i + 1) & (tc->cap - 1);
    }
    return &tc->slots[i];
}

static void rehash(TextCache *tc, size_t cap, uint64_t keep_after)
{
    Entry *old = tc->slots;
    size_t old_cap = tc->cap;
    tc->slots = xcalloc(cap, sizeof *tc->slots);
    tc->cap = cap;
    tc->count = 0;
    for (size_t i = 0; i < old_cap; i++) {
        Entry *e = &old[i];
        if (!e->hash) {
            continue;
        }
        if (e->used_frame < keep_after) {
            free_entry(e);
            continue;
        }
        Entry *dst = slot_for(tc, e->hash, (FontFace)e->face, e->px, e->wrap, e->text);
        *dst = *e;
        tc->count++;
    }
    free(old);
}

/* The length in bytes of the first `chars` code points of text (at most len bytes). */
static size_t utf8_prefix_bytes(const char *text, size_t len, size_t chars)
{
    size_t i = 0;
    while (i < len && chars > 0) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80) {
            i++;
        }
        chars--;
    }
    return i;
}

/* The longest whole code points of text within `bytes` bytes. */
static size_t utf8_floor(const char *text, size_t len, size_t bytes)
{
    if (bytes >= len) {
        return len;
    }
    while (bytes > 0 && ((unsigned char)text[bytes] & 0xc0) == 0x80) {
        bytes--;
    }
    return bytes;
}

/* *buf grown to hold at least n bytes. */
static char *grow(char **buf, size_t *cap, size_t n)
{
    if (n > *cap) {
        *cap = n * 2;
        *buf = xrealloc(*buf, *cap);
    }
    return *buf;
}

static char *cut_buffer(TextCache *tc, size_t n)
{
    return grow(&tc->cut, &tc->cut_cap, n);
}

/* How many bytes of text (len bytes) fit in width_px on one line. Measures a bounded copy:
 * no glyph is narrower than a pixel, so width_px code points are always enough. */
static size_t fit_bytes(TTF_Font *font, const char *text, size_t len, int width_px)
{
    size_t probe = utf8_floor(text, len, (size_t)(width_px > 0 ? width_px : 1) * 4 + 4);
    char *copy = xmalloc(probe + 1);
    memcpy(copy, text, probe);
    copy[probe] = '\0';
    int extent = 0, count = 0;
    if (TTF_MeasureUTF8(font, copy, width_px, &extent, &count) != 0) {
        count = 0;
    }
    free(copy);
    return utf8_prefix_bytes(text, probe, (size_t)count);
}

/* text, or a copy in tc's cut buffer cut short with "…" when it would render past the bounds
 * (TC_MAX_LINE_W for one line, TC_MAX_WRAP_BYTES wrapped). */
static const char *bounded_text(TextCache *tc, TTF_Font *font, const char *text, int wrap_w)
{
    size_t len = strlen(text);
    if (len <= TC_LONG_BYTES || !font) {
        return text;
    }
    size_t keep = wrap_w > 0 ? utf8_floor(text, len, TC_MAX_WRAP_BYTES)
                             : fit_bytes(font, text, len, TC_MAX_LINE_W - 64); /* 64: the "…" */
    if (keep >= len) {
        return text;
    }
    char *out = grow(&tc->bound, &tc->bound_cap, keep + sizeof TC_ELLIPSIS);
    memcpy(out, text, keep);
    memcpy(out + keep, TC_ELLIPSIS, sizeof TC_ELLIPSIS);
    return out;
}

SDL_Texture *textcache_get(TextCache *tc, FontFace face, int px, const char *text, int wrap_w,
                           int *w, int *h)
{
    *w = *h = 0;
    if (!text || !text[0]) {
        return NULL;
    }
    wrap_w = wrap_w < 0 ? 0 : wrap_w;
    uint64_t hk = hash_key(face, px, wrap_w, text);
    Entry *e = slot_for(tc, hk, face, px, wrap_w, text);
    if (!e->hash) {
        if ((tc->count + 1) * 2 > tc->cap) {
            rehash(tc, tc->cap * 2, 0);
            e = slot_for(tc, hk, face, px, wrap_w, text);
        }
        TTF_Font *font = font_for(tc, face, px);
        SDL_Color white = { 255, 255, 255, 255 };
        SDL_Surface *s = NULL;
        if (font) {
            const char *shown = bounded_text(tc, font, text, wrap_w);
            s = wrap_w > 0 ? TTF_RenderUTF8_Blended_Wrapped(font, shown, white, (Uint32)wrap_w)
                           : TTF_RenderUTF8_Blended(font, shown, white);
        }
        e->hash = hk;
        e->face = (uint8_t)face;
        e->px = px;
        e->wrap = wrap_w;
        e->text = xstrdup(text);
        if (s) {
            e->tex = SDL_CreateTextureFromSurface(tc->ren, s);
            e->w = s->w;
            e->h = s->h;
            SDL_FreeSurface(s);
            if (e->tex) {
                SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
            }
        }
        tc->count++;
    }
    e->used_frame = tc->frame;
    if (!e->tex) {
        return NULL;
    }
    *w = e->w;
    *h = e->h;
    return e->tex;
}

/* Where the line starting at p (rest bytes to its paragraph's end) breaks when it may be
 * width_px wide: after the last space that fits, else after the last code point that fits (at
 * least one). Returns the bytes the line takes; *next gets the bytes to skip to the next line. */
static size_t break_line(TTF_Font *font, const char *p, size_t rest, int width_px,
                         size_t *next)
{
    size_t fit = fit_bytes(font, p, rest, width_px);
    if (fit >= rest) {
        *next = rest;
        return rest;
    }
    size_t brk = fit;
    while (brk > 0 && p[brk] != ' ') {
        brk--;
    }
    size_t take = brk > 0 ? brk : fit > 0 ? fit : utf8_prefix_bytes(p, rest, 1);
    size_t skip = take;
    while (skip < rest && p[skip] == ' ') {
        skip++;
    }
    *next = skip;
    return take;
}

const char *textcache_fit_lines(TextCache *tc, FontFace face, int px, const char *text,
                                int wrap_w, int max_lines, bool *cut)
{
    *cut = false;
    TTF_Font *font = font_for(tc, face, px);
    if (!text || !font || wrap_w <= 0 || max_lines <= 0) {
        return text ? text : "";
    }
    int ell_w = 0, ell_h = 0;
    TTF_SizeUTF8(font, TC_ELLIPSIS, &ell_w, &ell_h);
    /* SDL_ttf's own wrapping (which draws the result) counts a line's break as part of it: lines
     * are kept half an em short of wrap_w so it never breaks them again. */
    wrap_w -= px / 2;
    size_t len = strlen(text), at = 0, o = 0;
    char *out = cut_buffer(tc, 64);
    for (int line = 0; at < len; line++) {
        const char *p = text + at;
        const char *nl = memchr(p, '\n', len - at);
        size_t rest = nl ? (size_t)(nl - p) : len - at, next = 0;
        bool last = line + 1 == max_lines;
        size_t take = break_line(font, p, rest, wrap_w, &next);
        bool more = at + next + (next == rest && nl) < len;
        if (last && more) { /* the last line shown: cut to leave room for the ellipsis */
            take = break_line(font, p, rest, wrap_w - ell_w, &next);
            if (take == rest && rest > 0) { /* fits only without: drop a code point */
                take = utf8_floor(p, rest, rest - 1);
            }
            out = cut_buffer(tc, o + take + sizeof TC_ELLIPSIS);
            memcpy(out + o, p, take);
            o += take;
            while (o > 0 && out[o - 1] == ' ') {
                o--;
            }
            memcpy(out + o, TC_ELLIPSIS, sizeof TC_ELLIPSIS);
            *cut = true;
            return out;
        }
        out = cut_buffer(tc, o + take + 2);
        memcpy(out + o, p, take);
        o += take;
        out[o++] = '\n';
        at += next + (next == rest && nl);
    }
    return text;
}

void textcache_measure(TextCache *tc, FontFace face, int px, const char *text, int *w, int *h)
{
    TTF_Font *font = font_for(tc, face, px);
    *w = *h = 0;
    if (font && text && text[0]) {
        TTF_SizeUTF8(font, text, w, h);
    }
}

int textcache_line_height(TextCache *tc, FontFace face, int px)
{
    TTF_Font *font = font_for(tc, face, px);
    return font ? TTF_FontLineSkip(font) : px;
}

bool textcache_has_glyph(TextCache *tc, FontFace face, uint32_t cp)
{
    TTF_Font *font = font_for(tc, face, 16);
    return font && TTF_GlyphIsProvided32(font, cp);
}

void textcache_end_frame(TextCache *tc)
{
    tc->frame++;
    if (tc->count > TC_SOFT_LIMIT && tc->frame > TC_KEEP_FRAMES) {
        rehash(tc, tc->cap, tc->frame - TC_KEEP_FRAMES);
    }
}

size_t textcache_size(const TextCache *tc)
{
    return tc->count;
}
