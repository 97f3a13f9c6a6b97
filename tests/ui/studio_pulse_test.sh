#!/usr/bin/env bash
# The studio's live playback, recorded from a PulseAudio null sink's monitor, holds
# the generated audio in order, with no more silence inserted than the studio's
# own underrun counter reports.
set -euo pipefail
check="$1"; match="$2"
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run"; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
export HOME="$work" QT_QPA_PLATFORM=offscreen
cleanup() {
  [[ -n "${rec_pid:-}" ]] && kill "$rec_pid" 2>/dev/null || true
  [[ -n "${keep_pid:-}" ]] && kill "$keep_pid" 2>/dev/null || true
  pulseaudio --kill 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
pulseaudio -D --exit-idle-time=-1 -n --log-target=file:"$work/pulse.log" \
  --load="module-null-sink sink_name=csmtest rate=24000 channels=1" --load=module-native-protocol-unix
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl set-default-sink csmtest
pacat --raw --format=float32le --rate=24000 --channels=1 < /dev/zero &
keep_pid=$!
for _ in $(seq 50); do pactl list short sink-inputs | grep -q . && break; sleep 0.1; done
parec --latency-msec=20 -d csmtest.monitor --rate=24000 --channels=1 --format=float32le --file-format=wav "$work/rec.wav" &
rec_pid=$!
sleep 0.5
studio=$("$check" "$work/ref.wav")
echo "studio: $studio"
sleep 0.5
kill -INT "$rec_pid"; wait "$rec_pid" || true; rec_pid=""
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
