/* ladder_svg: a ladder diagram (view/ladder.h) written as one self-contained SVG document.
 *
 * Owns nothing: it reads the ladder's geometry and writes text. The document is UTF-8 XML with
 * every piece of trace text escaped, names its fonts ("DejaVu Sans, sans-serif") instead of
 * embedding or linking them, and refers to no other file. Each row is a <g> whose class is its
 * ladder class ("refusal-temporary", ...) and whose <title> holds the whole line, so a browser
 * shows an elided label in full on hover.
 */
#ifndef MAILSIM_LADDER_SVG_H
#define MAILSIM_LADDER_SVG_H

#include "view/ladder.h"
#include "view/theme.h"

#include <stdbool.h>
#include <stdio.h>

/* Writes the SVG to `out` (borrowed). False when writing failed (ferror). */
bool ladder_svg_write(const Ladder *ld, ThemeId theme, FILE *out);

#endif
