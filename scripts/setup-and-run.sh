#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install what is needed, build, and
# start the main job. With a display and Qt, the studio; on a headless box,
# csm-stream speaking a sentence into demo.wav (and the speakers, if a sound
# server answers). Without a real model (--model or the HF cache's
# sesame/csm-1b) the built-in demo model runs: random weights, noise not speech.
# Extra arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [[ -x build/bin/csm-studio && -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec build/bin/csm-studio "$@"
fi
if (($# > 0)); then exec build/bin/csm-stream "$@"; fi
play=()
if command -v pactl >/dev/null && pactl info >/dev/null 2>&1; then play=(--play); fi
exec build/bin/csm-stream --text "Hello from csm studio. This is streaming speech." --out demo.wav "${play[@]}"
