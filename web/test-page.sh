#!/usr/bin/env bash
# test-page: the web page in headless Chromium (web/test_page.py says what it checks): serves
# SITE_DIR on 127.0.0.1, plays scenario 05, drives keys, uploads a scenario with a mistake and
# downloads the trace, a shot and a chart; fails on any console error. Screenshots go to OUT_DIR.
# Needs chromium (Debian: apt-get install chromium) and python3, nothing else.
#
# Usage: bash web/test-page.sh [SITE_DIR [OUT_DIR [--fps]]]
#        (defaults: build-web-page/site and build-web-page/screenshots; from anywhere)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SITE=$(readlink -f "${1:-$ROOT/build-web-page/site}")
OUT=$(readlink -m "${2:-$ROOT/build-web-page/screenshots}")
[ -f "$SITE/index.html" ] && [ -f "$SITE/mailsim.wasm" ] ||
    { echo "test-page: no site in $SITE (build it: bash web/build-page.sh)" >&2; exit 1; }
command -v chromium >/dev/null ||
    { echo "test-page: no chromium (apt-get install chromium)" >&2; exit 1; }
cd "$ROOT"
exec python3 web/test_page.py "$SITE" "$OUT" "${@:3}"
