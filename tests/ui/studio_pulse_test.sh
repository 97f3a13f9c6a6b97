#!/usr/bin/env bash
# The studio's live playback, recorded from a PulseAudio null sink's monitor, holds
# the generated audio in order, with no more silence inserted than the studio's
# own underrun counter reports.
set -euo pipefail
check="$1"; match="$2"
source "$(dirname "$0")/../support/pulse_server.sh"
export QT_QPA_PLATFORM=offscreen
studio=$("$check" "$work/ref.wav")
echo "studio: $studio"
stop_recording
found=$("$match" "$work/rec.wav" "$work/ref.wav" 80)
echo "recording: $found"
python3 - "$studio" "$found" <<'PY'
import json, sys
studio, found = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert found["blocks"] >= 40, found
assert found["worst_correlation"] > 0.95, f"studio audio not found in the recording: {found}"
assert found["in_order"], f"blocks out of order: {found}"
# Silence the recording shows between blocks must have been counted by the studio.
assert found["gap_ms"] <= studio["gap_ms"] + 40, f"unreported gaps: recording {found['gap_ms']} ms, counter {studio['gap_ms']} ms"
print("1 passed, 0 failed")
PY
