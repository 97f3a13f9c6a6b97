#!/usr/bin/env bash
# csm-stream --play (demo model) into a PulseAudio null sink: the recording of the
# sink's monitor holds the very audio csm-stream also wrote to --out, in order.
set -euo pipefail
stream="$1"; match="$2"
source "$(dirname "$0")/../support/pulse_server.sh"
"$stream" --model demo --text "Playing into a null sink." --max-audio-ms 2400 --seed 3 --play --float \
  --out "$work/ref.wav" 2> "$work/stream.log" || { cat "$work/stream.log"; exit 1; }
stop_recording
result=$("$match" "$work/rec.wav" "$work/ref.wav" 80)
echo "$result"
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
assert r["blocks"] >= 30, r
assert r["worst_correlation"] > 0.95, f"played audio not found in the recording: {r}"
assert r["in_order"], f"blocks out of order: {r}"
print("1 passed, 0 failed")
PY
