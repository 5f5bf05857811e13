#!/usr/bin/env bash
# build-page: builds the mailsim player as a web page, a folder of static files any web server can
# serve as they are:
#     BUILD_DIR/site/index.html      the page (web/index.html)
#                    mailsim.js      emscripten's loader and the page's C functions
#                    mailsim.wasm    the player: the same C as the desktop's, SDL2 drawing with WebGL
#                    mailsim.data    the fonts and the shipped scenarios, preloaded into the page's
#                                    virtual filesystem under /mailsim (util/datadir.h finds them)
#                    licenses/       the licences the page's Credits link to
# It owns BUILD_DIR (default build-web-page). The libraries come from web/build-deps.sh (cached).
# The main loop is the browser's (player_run uses emscripten_set_main_loop_arg): no ASYNCIFY.
#
# Usage: bash web/build-page.sh [BUILD_DIR]   (from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-web-page}
SITE=$BUILD/site
JOBS=2

# The same environment as web/build.sh (see the notes there).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
if [ -z "${EMSDK_PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
    export EMSDK_PYTHON=/usr/bin/python3
fi
PREFIX=${MAILSIM_WEB_PREFIX:-$(bash "$ROOT/web/build-deps.sh")}
export PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig:$PREFIX/share/pkgconfig
export PKG_CONFIG_PATH=

# ENVIRONMENT=web: no node or worker glue. ALLOW_MEMORY_GROWTH: the heavy-traffic scenario needs
# more than 16 MB. The page calls callMain itself once the scenarios are listed (index.html), reads
# and writes the virtual filesystem (FS) and calls the C functions of sim/app/web_main.c (ccall).
# The preloaded folders stand where util/datadir.h looks in a page (DATADIR_WEB_ROOT, /mailsim).
LINK_FLAGS="-sENVIRONMENT=web -sALLOW_MEMORY_GROWTH=1"
LINK_FLAGS="$LINK_FLAGS -sEXPORTED_RUNTIME_METHODS=FS,ccall,callMain"
LINK_FLAGS="$LINK_FLAGS --preload-file $ROOT/assets/fonts@/mailsim/assets/fonts"
LINK_FLAGS="$LINK_FLAGS --preload-file $ROOT/scenarios@/mailsim/scenarios"

# A build folder configured against another prefix (other library versions) starts afresh:
# pkg-config's answers stay in CMakeCache.txt and would keep pointing at the old one.
if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -qF "$PREFIX/include;" "$BUILD/CMakeCache.txt"; then
    rm -rf "$BUILD/CMakeCache.txt" "$BUILD/CMakeFiles"
fi
# Release with asserts on, as web/build.sh: the page checks what the desktop player does.
nice -n 10 emcmake cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DMAILSIM_PLAYER=ON -DMAILSIM_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-O2 \
    -DCMAKE_FIND_ROOT_PATH="$PREFIX" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_EXE_LINKER_FLAGS="$LINK_FLAGS" >/dev/null
nice -n 10 cmake --build "$BUILD" -j "$JOBS" --target mailsim

rm -rf "$SITE"
mkdir -p "$SITE/licenses"
cp "$ROOT/web/index.html" "$BUILD/sim/mailsim.js" "$BUILD/sim/mailsim.wasm" \
    "$BUILD/sim/mailsim.data" "$SITE/"
# The licences the Credits name: the fonts', and those build-deps.sh kept from Debian's sources.
cp "$ROOT/assets/fonts/LICENSE-DejaVu.txt" "$SITE/licenses/DejaVu-fonts.txt"
LIC=$PREFIX/share/licenses
for pair in libsdl2/LICENSE.txt:SDL2-zlib.txt freetype/FTL.TXT:FreeType-FTL.txt \
    harfbuzz/COPYING:HarfBuzz-MIT.txt libsdl2-ttf/LICENSE.txt:SDL2_ttf-zlib.txt \
    libsdl2-image/LICENSE.txt:SDL2_image-zlib.txt libsdl2-image/copyright:SDL2_image-copyright.txt \
    cjson/LICENSE:cJSON-MIT.txt; do
    src=$LIC/${pair%%:*}
    [ -f "$src" ] || { echo "build-page: no $src (rebuild the prefix: web/build-deps.sh)" >&2; exit 1; }
    cp "$src" "$SITE/licenses/${pair#*:}"
done
echo "built $SITE ($(du -sk "$SITE" | cut -f1) kB)" >&2
