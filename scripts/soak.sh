#!/usr/bin/env bash
# Generates continuously for SECONDS (default 600) with the demo model (or MODEL, on DEVICE),
# checking every run and that memory stays flat; the log goes to soak-<date>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"; model="${2:-demo}"; device="${3:-cpu}"
[[ -x build/bin/soak ]] || scripts/build.sh
log="soak-$(date +%Y%m%d-%H%M%S).jsonl"
build/bin/soak "$seconds" "$model" "$device" | tee "$log"
