#!/usr/bin/env bash
# layers: the include rules of docs/design/architecture.md hold in sim/. Each layer includes only
# itself and the layers it is allowed to know; only the scenario loader and the trace reader
# include cJSON; only the player includes SDL. A new #include across a forbidden line fails here.
# Usage, from the repository root:  bash tests/cli/layers.sh [/path/to/mailsim (unused)]
. "$(dirname "$0")/lib.sh"

# layer: the folders under sim/ it may include ("<layer>/..." headers). world.h is the static
# description of a scenario (nodes, mailboxes, expectations), which the text and view layers read.
declare -A allowed=(
    [util]="util"
    [engine]="util engine"
    [trace]="util trace"
    [mail]="util mail"
    [model]="util engine trace mail model"
    [scenario]="util engine trace mail model scenario"
    [text]="util trace mail text model/world.h"
    [view]="util trace mail text view model/world.h"
    [player]="util trace mail text view player"
    [app]="util engine trace mail model scenario text view player app"
)

for layer in "${!allowed[@]}"; do
    [ -d "sim/$layer" ] || { bad "layers_should_have_a_folder_for_each_layer (sim/$layer)"; continue; }
done
for dir in sim/*/; do
    layer=$(basename "$dir")
    if [ -z "${allowed[$layer]+x}" ]; then bad "layers_should_know_every_folder (sim/$layer)"; continue; fi
    wrong=""
    while IFS=: read -r file line inc; do
        target=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$inc")
        ok_inc=0
        for a in ${allowed[$layer]}; do
            case "$target" in "$a"/* | "$a") ok_inc=1 ;; esac
        done
        [ $ok_inc -eq 1 ] || wrong="$wrong $file:$line:$target"
    done < <(grep -rn '#include "' "$dir" --include='*.[ch]')
    if [ -z "$wrong" ]; then ok "layers_should_hold_for_$layer"; else bad "layers_should_hold_for_$layer:$wrong"; fi
done

sdl=$(grep -rln '#include <SDL' sim --include='*.[ch]' | grep -v '^sim/player/' || true)
[ -z "$sdl" ] && ok "layers_should_keep_SDL_in_the_player" || bad "layers_should_keep_SDL_in_the_player: $sdl"
cjson=$(grep -rln 'cjson/cJSON.h' sim --include='*.[ch]' | grep -v '^sim/scenario/\|^sim/trace/trace_jsonl' || true)
[ -z "$cjson" ] && ok "layers_should_keep_cJSON_in_the_loaders" || bad "layers_should_keep_cJSON_in_the_loaders: $cjson"
finish
