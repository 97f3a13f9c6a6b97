# Sourced by the audio tests: a private PulseAudio server with a null sink at
# 24 kHz mono, kept running (so its monitor records from the first sample), and
# a recording of that monitor into $work/rec.wav. Call stop_recording before
# reading it; everything is torn down on exit.
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run"; mkdir -p "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
export HOME="$work"
cleanup() {
  [[ -n "${rec_pid:-}" ]] && kill "$rec_pid" 2>/dev/null || true
  [[ -n "${keep_pid:-}" ]] && kill "$keep_pid" 2>/dev/null || true
  pulseaudio --kill 2>/dev/null || true
  [[ -n "${CSM_KEEP_TEST_DIR:-}" ]] && cp -r "$work" "$CSM_KEEP_TEST_DIR"
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
stop_recording() {
  sleep 1
  kill -INT "$rec_pid"; wait "$rec_pid" || true; rec_pid=""
}
