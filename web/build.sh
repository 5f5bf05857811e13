#!/usr/bin/env bash
# build: builds mailsim's core (everything but the SDL player) to WebAssembly for node, with the
# project's own top-level CMake under emcmake and the prefix web/build-deps.sh makes. The result,
# BUILD_DIR/sim/mailsim.js with mailsim.wasm beside it, is the same command-line program as the
# native one, reading and writing the real filesystem (NODERAWFS):
#     node BUILD_DIR/sim/mailsim.js run scenarios/01-happy-path.json
# It owns BUILD_DIR; the page (the player in a browser) is web/build-page.sh's.
#
# Every other target of the native build is built too: the unit tests (tests/core, tests/view and
# the fuzz replays) run under node with `ctest --test-dir BUILD_DIR` (ctest runs them through
# CMAKE_CROSSCOMPILING_EMULATOR, node), except test_*_asserts (death tests fork, which WebAssembly
# cannot) and the cli_* scripts (they exec the native binary; web/test-core-node.sh does their
# part for the browser build).
#
# Usage: bash web/build.sh [BUILD_DIR [--only-mailsim]]   (from anywhere; BUILD_DIR: build-web)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-web}
# --only-mailsim: just the program, not the unit tests and benchmarks.
TARGETS=()
[ "${2:-}" = "--only-mailsim" ] && TARGETS=(--target mailsim)
JOBS=2

# emcc's JavaScript passes (-O2 links) need acorn, which Debian installs where only Debian's node
# looks.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
# emcc, emar and friends are Python scripts run by the python3 on PATH; a pyenv shim there costs
# about 0.4 s a call, and CMake's configure checks make hundreds of calls.
if [ -z "${EMSDK_PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then
    export EMSDK_PYTHON=/usr/bin/python3
fi

# MAILSIM_WEB_PREFIX names a prefix made some other way (it needs cJSON's libcjson.pc).
PREFIX=${MAILSIM_WEB_PREFIX:-$(bash "$ROOT/web/build-deps.sh")}

# NODERAWFS: node's filesystem, so paths on the command line work as natively.
# EXIT_RUNTIME: main's return value becomes node's exit status and stdio is flushed at exit.
# ALLOW_MEMORY_GROWTH: the heavy-traffic scenario and --max-events runs need more than 16 MB.
# node-no-fetch.js: plain `node mailsim.js` works on node 18 and later (see the file).
LINK_FLAGS="-sNODERAWFS=1 -sEXIT_RUNTIME=1 -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node"
LINK_FLAGS="$LINK_FLAGS --pre-js $ROOT/web/node-no-fetch.js"
# node-umask.js: files get the process's umask, as natively (see the file); it calls umask.
LINK_FLAGS="$LINK_FLAGS --pre-js $ROOT/web/node-umask.js -sEXPORTED_FUNCTIONS=_main,_umask"

# The host's .pc files and CMake packages must not leak in: pkg-config and find_* see only the
# prefix (and emscripten's sysroot, which its toolchain file adds).
export PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig:$PREFIX/share/pkgconfig
export PKG_CONFIG_PATH=
# A build folder configured against another prefix (other library versions) starts afresh:
# pkg-config's answers stay in CMakeCache.txt and would keep pointing at the old one.
if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -qF "$PREFIX/include;" "$BUILD/CMakeCache.txt"; then
    rm -rf "$BUILD/CMakeCache.txt" "$BUILD/CMakeFiles"
fi
# Release with asserts on (-O2 without -DNDEBUG): the browser build checks what the native one does.
# The emulator: emcmake's default adds --experimental-wasm-threads, which node 20 refuses.
nice -n 10 emcmake cmake -S "$ROOT" -B "$BUILD" -G Ninja \
    -DMAILSIM_PLAYER=OFF -DMAILSIM_WERROR=ON \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-O2 \
    -DCMAKE_FIND_ROOT_PATH="$PREFIX" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_EXE_LINKER_FLAGS="$LINK_FLAGS" \
    -DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node)" >/dev/null
nice -n 10 cmake --build "$BUILD" -j "$JOBS" "${TARGETS[@]}"
echo "built $BUILD/sim/mailsim.js ($(stat -c %s "$BUILD/sim/mailsim.wasm") bytes of wasm)" >&2
