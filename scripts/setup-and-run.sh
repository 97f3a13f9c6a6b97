#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install what is needed, build,
# and start the main job (csm-stream speaking a demo sentence into demo.wav).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/bin/csm-stream "$@"
