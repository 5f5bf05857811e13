#!/usr/bin/env bash
# build-deps: builds the libraries the browser build of mailsim links (SDL2, FreeType, HarfBuzz,
# SDL2_ttf, SDL2_image, cJSON) to WebAssembly with Debian's emscripten, from Debian's own source
# packages, into one static prefix in a cache folder outside the clone. It owns that cache folder
# and the deb-src entry it may add; it does not build mailsim (web/build.sh does).
#
# HarfBuzz is there because Debian's own SDL2_ttf uses it: without it SDL2_ttf advances glyphs by
# FreeType's rounded widths and without GPOS kerning, text comes out a few pixels wider and the
# inspector wraps lines elsewhere than the native player does.
#
# Emscripten's "ports" (-sUSE_SDL=2 and friends) download their sources at build time, which this
# machine and CI cannot do; Debian's source packages come through apt like everything else.
#
# The prefix is ${MAILSIM_WEB_CACHE:-$HOME/.cache/mailsim-web}/prefix-KEY, where KEY hashes the
# source package versions apt would fetch, the emcc version and this script, so a new version of
# any of them builds a new prefix. A prefix is complete when its stamp file exists; then this
# script only prints its path (about 3 s, apt's look-ups). Otherwise the build takes about 5 to 6
# minutes on 2 busy cores, SDL2's CMake configure most of it (web/README.md has the numbers); it
# runs under `nice -n 10` with -j2 and logs to the cache folder.
#
# Every build step below is chained with && rather than left to `set -e`: the steps run as the
# left side of `||`, where bash ignores errexit.
#
# Usage: bash web/build-deps.sh     prints progress on stderr and the prefix path on stdout
# Needs root (or the tools already installed and a deb-src entry already configured).
set -euo pipefail

SCRIPT=$(readlink -f "${BASH_SOURCE[0]}")
FONT=$(dirname "$SCRIPT")/../assets/fonts/DejaVuSans.ttf
CACHE=${MAILSIM_WEB_CACHE:-$HOME/.cache/mailsim-web}
JOBS=2
# Debian source package names, in build order: SDL2 first, FreeType before HarfBuzz (its FreeType
# helpers), both before SDL2_ttf.
SOURCES=(libsdl2 freetype harfbuzz cjson libsdl2-ttf libsdl2-image)
# Licence files kept from each source tree (the page must ship them: web/build-page.sh copies
# PREFIX/share/licenses/ beside it), with Debian's copyright file, which also covers bundled code
# (SDL2_image's stb and miniz).
LICENCE_FILES=(LICENSE.txt LICENSE COPYING docs/FTL.TXT docs/LICENSE.TXT debian/copyright)
# Commands the build needs, each with the Debian package that brings it.
TOOLS=(emcc:emscripten node:nodejs dpkg-source:dpkg-dev cmake:cmake ninja:ninja-build
    pkg-config:pkg-config xz:xz-utils)

# emcc's JavaScript passes need acorn, which Debian installs where only Debian's node looks.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# emcc, emar and friends are Python scripts run by the python3 on PATH; a pyenv shim there costs
# about 0.4 s a call, and CMake's configure checks make hundreds of calls.
if [ -z "${EMSDK_PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
    export EMSDK_PYTHON=/usr/bin/python3
fi

say() { printf 'build-deps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

ensure_tools() {
    local missing=() entry
    for entry in "${TOOLS[@]}"; do
        command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: install them (apt-get install ${missing[*]})"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# The .dsc apt would fetch for each source package named, one line each; none for a package apt
# knows no source of. One apt-get call for all: each takes over a second.
dscs_of() {
    apt-get source --print-uris -qq "$@" 2>/dev/null | awk '$2 ~ /\.dsc$/ { print $2 }'
}

# Adds deb-src twins of the Debian archive entries (deb822 .sources files and one-line
# sources.list entries) when apt has no source packages yet.
ensure_deb_src() {
    [ -n "$(dscs_of libsdl2)" ] && return 0
    [ "$(id -u)" -eq 0 ] || die "apt has no deb-src entry: add one for the Debian mirror"
    local out=/etc/apt/sources.list.d/mailsim-web-src.sources list=/etc/apt/sources.list
    say "adding deb-src entries ($out)"
    {
        shopt -s nullglob
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
            [ "$f" = "$out" ] && continue
            awk 'BEGIN { RS = ""; ORS = "\n\n" }
                 /Types:[^\n]*deb/ && /URIs:[^\n]*\/debian(-security)?\/?([ \n]|$)/ {
                     sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
        done
    } > "$out.tmp"
    if [ -f "$list" ]; then
        sed -n 's/^deb \(.*\/debian\(-security\)\?\/\? .*\)$/deb-src \1/p' "$list" \
            > /etc/apt/sources.list.d/mailsim-web-src.list
    fi
    mv "$out.tmp" "$out"
    apt-get update -qq >&2
    [ -n "$(dscs_of libsdl2)" ] || die "apt still finds no source for libsdl2 after adding deb-src"
}

# Fills DSC[package] with the .dsc apt would fetch for each of SOURCES.
declare -A DSC
find_dscs() {
    local p dsc
    local all
    all=$(dscs_of "${SOURCES[@]}")
    for p in "${SOURCES[@]}"; do
        dsc=$(grep "^${p}_" <<< "$all" || true)
        [ -n "$dsc" ] || die "apt finds no source package $p"
        DSC[$p]=$dsc
    done
}

prefix_key() {
    local p
    {
        for p in "${SOURCES[@]}"; do
            echo "${DSC[$p]}"
        done
        emcc --version 2>/dev/null | head -n 1
        sha256sum "$SCRIPT" | cut -d' ' -f1
    } | sha256sum | cut -c1-12
}

# Configures, builds and installs one CMake source tree into the prefix. Host .pc files and host
# CMake packages must not leak in: pkg-config and find_* see only the prefix (and the sysroot,
# which emscripten's toolchain file adds).
cmake_build() {
    local src=$1 build=$2
    shift 2
    PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig:$PREFIX/share/pkgconfig" PKG_CONFIG_PATH='' \
        nice -n 10 emcmake cmake -S "$src" -B "$build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" \
        -DCMAKE_FIND_ROOT_PATH="$PREFIX" \
        -DCMAKE_PREFIX_PATH="$PREFIX" \
        -DBUILD_SHARED_LIBS=OFF \
        "$@" &&
        nice -n 10 cmake --build "$build" -j "$JOBS" &&
        nice -n 10 cmake --install "$build"
}

build_libsdl2() {
    cmake_build "$1" "$2" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF
}

build_freetype() {
    cmake_build "$1" "$2" -DFT_DISABLE_ZLIB=ON -DFT_DISABLE_BZIP2=ON -DFT_DISABLE_PNG=ON \
        -DFT_DISABLE_HARFBUZZ=ON -DFT_DISABLE_BROTLI=ON
}

# With FreeType's helpers (hb-ft, which SDL2_ttf uses); without the subsetter, which nothing needs.
build_harfbuzz() {
    cmake_build "$1" "$2" -DHB_HAVE_FREETYPE=ON -DHB_BUILD_SUBSET=OFF
}

build_cjson() {
    cmake_build "$1" "$2" -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
        -DBUILD_SHARED_AND_STATIC_LIBS=OFF -DCJSON_BUILD_SHARED_LIBS=OFF \
        -DENABLE_CUSTOM_COMPILER_FLAGS=OFF
}

build_libsdl2_ttf() {
    cmake_build "$1" "$2" -DSDL2TTF_VENDORED=OFF -DSDL2TTF_HARFBUZZ=ON -DSDL2TTF_SAMPLES=OFF &&
        write_pc SDL2_ttf "$(upstream_version "$1")" "sdl2 harfbuzz freetype2"
}

# stb_image reads PNG and JPEG and miniz writes PNG, both bundled: no libpng, no libjpeg.
build_libsdl2_image() {
    cmake_build "$1" "$2" -DSDL2IMAGE_VENDORED=OFF -DSDL2IMAGE_DEPS_SHARED=OFF \
        -DSDL2IMAGE_BACKEND_STB=ON -DSDL2IMAGE_SAMPLES=OFF -DSDL2IMAGE_TESTS=OFF &&
        write_pc SDL2_image "$(upstream_version "$1")" "sdl2"
}

# "…/libsdl2-ttf-2.20.1+dfsg" -> "2.20.1"
upstream_version() {
    local v=${1##*-}
    echo "${v%%+*}"
}

# SDL2_ttf and SDL2_image install a .pc file only when built shared, and mailsim's CMake finds
# them with pkg-config. In a static-only prefix everything a library needs at link time is a
# plain Requires (CMake's pkg_check_modules reads no Requires.private).
write_pc() { # NAME VERSION REQUIRES
    cat > "$PREFIX/lib/pkgconfig/$1.pc" <<EOF
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: $1
Description: $1 built to WebAssembly by mailsim's web/build-deps.sh
Version: $2
Requires: $3
Libs: -L\${libdir} -l$1
Cflags: -I\${includedir}/SDL2
EOF
}

# Links one small program against every library the way mailsim's CMake does (pkg-config without
# --static: harfbuzz.pc's private -pthread would make a threaded build) and runs it under node:
# parse JSON, shape and render a line of text with the project's font, write a PNG. The prefix is
# complete only when this works.
# Copies the licence files of one source tree into PREFIX/share/licenses/PACKAGE/.
keep_licences() {
    local pkg=$1 src=$2 f out=$PREFIX/share/licenses/$1
    mkdir -p "$out" &&
        for f in "${LICENCE_FILES[@]}"; do
            if [ -f "$src/$f" ]; then cp "$src/$f" "$out/$(basename "$f")" || return 1; fi
        done
}

smoke_test() {
    local dir=$1
    cat > "$dir/smoke.c" <<'EOF'
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <cjson/cJSON.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        return 2;
    }
    cJSON *doc = cJSON_Parse("{\"ok\": 1}");
    int ok = doc != NULL && cJSON_GetObjectItem(doc, "ok") != NULL;
    cJSON_Delete(doc);
    ok = ok && TTF_Init() == 0;
    ok = ok && (IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG) != 0;
    TTF_Font *font = ok ? TTF_OpenFont(argv[1], 16) : NULL;
    SDL_Color black = { 0, 0, 0, 255 };
    SDL_Surface *s = font ? TTF_RenderUTF8_Blended(font, "AVAWAY -> mx.b", black) : NULL;
    ok = s != NULL && s->w > 0 && IMG_SavePNG(s, argv[2]) == 0;
    SDL_FreeSurface(s);
    if (font) {
        TTF_CloseFont(font);
    }
    printf("%s\n", ok ? "smoke ok" : "smoke FAILED");
    return ok ? 0 : 1;
}
EOF
    local flags=()
    read -ra flags < <(PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig" PKG_CONFIG_PATH='' \
        pkg-config --cflags --libs sdl2 SDL2_ttf SDL2_image libcjson) &&
        [ ${#flags[@]} -gt 0 ] &&
        emcc "$dir/smoke.c" "${flags[@]}" -sNODERAWFS=1 -o "$dir/smoke.js" &&
        run_node "$dir/smoke.js" "$FONT" "$dir/smoke.png" &&
        [ -s "$dir/smoke.png" ]
}

# Emscripten 3.1.6 loads the .wasm with fetch() whenever fetch exists, which node 18 and later
# have and which cannot read a file path; without fetch it reads the file.
run_node() {
    if node --no-experimental-fetch -e 0 2>/dev/null; then
        node --no-experimental-fetch "$@"
    else
        node "$@"
    fi
}

main() {
    ensure_tools
    ensure_deb_src
    mkdir -p "$CACHE"
    exec 9> "$CACHE/lock"
    flock 9 # one build per cache folder at a time

    find_dscs
    local key
    key=$(prefix_key)
    PREFIX=$CACHE/prefix-$key
    local stamp=$PREFIX/.complete
    if [ -f "$stamp" ]; then
        say "up to date: $PREFIX"
        echo "$PREFIX"
        return 0
    fi

    local work=$CACHE/work-$key log=$CACHE/build-$key.log start p
    start=$(date +%s)
    # Under the lock no other build runs: work folders left by failed builds can go.
    rm -rf "$PREFIX" "$CACHE"/work-*
    mkdir -p "$PREFIX" "$work/src"
    : > "$log"
    say "building into $PREFIX (log: $log)"
    for p in "${SOURCES[@]}"; do
        local t0 dir
        t0=$(date +%s)
        say "  $p: fetching ${DSC[$p]}"
        (cd "$work/src" && apt-get source -qq "$p") >> "$log" 2>&1 ||
            die "apt-get source $p failed (see $log)"
        # apt-get source unpacks NAME-VERSION; "libsdl2-[0-9]*" cannot match libsdl2-ttf-*.
        dir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name "$p-[0-9]*" | head -n 1)
        [ -n "$dir" ] || die "no source folder for $p in $work/src"
        "build_${p//-/_}" "$dir" "$work/build-$p" >> "$log" 2>&1 ||
            die "building $p failed (last lines of $log):$(printf '\n'; tail -n 20 "$log")"
        keep_licences "$p" "$dir" || die "cannot copy the licences of $p"
        say "  $p: built in $(( $(date +%s) - t0 )) s"
    done
    smoke_test "$work" >> "$log" 2>&1 || die "smoke test failed (see $log)"
    rm -rf "$work"
    date -u +%FT%TZ > "$stamp"
    say "done in $(( $(date +%s) - start )) s: $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
    echo "$PREFIX"
}

main "$@"
