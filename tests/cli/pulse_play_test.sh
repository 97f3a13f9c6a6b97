#!/usr/bin/env bash
# Starts a private PulseAudio server with a null sink, records its monitor while
# csm-stream --play speaks (demo model), and checks the recording contains the
# very audio csm-stream wrote to --out, in order.
set -euo pipefail
stream="$1"; match="$2"
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run"; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
export PULSE_RUNTIME_PATH="$XDG_RUNTIME_DIR/pulse" HOME="$work"
cleanup() {
  [[ -n "${rec_pid:-}" ]] && kill "$rec_pid" 2>/dev/null || true
  [[ -n "${keep_pid:-}" ]] && kill "$keep_pid" 2>/dev/null || true
  pulseaudio --kill 2>/dev/null || true
  [[ -n "${CSM_KEEP_TEST_DIR:-}" ]] && cp -r "$work" "$CSM_KEEP_TEST_DIR"; rm -rf "$work"
}
trap cleanup EXIT
pulseaudio -D --exit-idle-time=-1 -n --log-target=file:"$work/pulse.log" \
  --load="module-null-sink sink_name=csmtest rate=24000 channels=1" --load=module-native-protocol-unix
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl set-default-sink csmtest
# Keep the sink running (silence mixes in as zeros) so the monitor records from the start.
pacat --raw --format=float32le --rate=24000 --channels=1 < /dev/zero &
keep_pid=$!
for _ in $(seq 50); do pactl list short sink-inputs | grep -q . && break; sleep 0.1; done
parec --latency-msec=20 -d csmtest.monitor --rate=24000 --channels=1 --format=float32le --file-format=wav "$work/rec.wav" &
rec_pid=$!
sleep 0.5
"$stream" --model demo --text "Playing into a null sink." --max-audio-ms 2400 --seed 3 --play --float \
  --out "$work/ref.wav" 2> "$work/stream.log" || { cat "$work/stream.log"; exit 1; }
sleep 1
kill -INT "$rec_pid"; wait "$rec_pid" || true; rec_pid=""
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
