#!/usr/bin/env bash
# One command on a fresh CUDA cloud box (Debian/Ubuntu with PyTorch): install the
# build dependencies, build the engine against PyTorch's LibTorch, download the
# model (HF_TOKEN for the gated repo), run a quick test and a short benchmark,
# and print the recommended settings. Safe to run again: every step skips what
# is already done. Options: --dry-run (say the steps, change nothing),
# --model REPO_OR_DIR (default sesame/csm-1b), --device cuda|cpu,
# --serve: then start csm-serve in the background on 127.0.0.1 (--port N, default
# 8000) with an API key kept in build-gpu-serve/api-key, and print the ssh tunnel
# to run on the laptop for the studio (docs/remote-serve.md). A rerun reuses the
# key and does not start a second server when one answers on the port.
set -euo pipefail
cd "$(dirname "$0")/.."
dry_run=0; model="sesame/csm-1b"; device=""; serve=0; port=8000
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --model) model="$2"; shift ;;
    --device) device="$2"; shift ;;
    --serve) serve=1 ;;
    --port) port="$2"; shift
            [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || { echo "setup-gpu-box: --port needs a number 1-65535" >&2; exit 2; } ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup-gpu-box: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
step=0; steps=$((6 + serve))
say() { step=$((step + 1)); echo; echo "[$step/$steps] $*"; }
die() { echo "setup-gpu-box: $*" >&2; exit 1; }
run() { if ((dry_run)); then echo "    would run: $*"; else "$@"; fi; }

say "Checking the machine"
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/    GPU: /'
  device=${device:-cuda}
else
  echo "    no NVIDIA GPU found: building and running on the CPU (slow, but it works)"
  device=${device:-cpu}
fi
command -v apt-get >/dev/null || die "this script needs apt-get (Debian or Ubuntu)"

say "Installing build dependencies (apt-get; already installed packages are skipped)"
# shellcheck source=packages.sh
source scripts/packages.sh  # the one package list: the engine's part
packages=("${engine_packages[@]}")
mapfile -t missing < <(missing_packages "${packages[@]}")
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  run $SUDO apt-get update -qq || die "apt-get update failed: check the network"
  run env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" || die "installing ${missing[*]} failed"
else
  echo "    all ${#packages[@]} packages present"
fi

say "Building the engine against PyTorch's LibTorch (build-gpu/)"
run scripts/build.sh --gpu-box || die "the build failed (see above)"

say "Getting the model ($model) into the Hugging Face cache"
if [[ "$model" == */* && ! -e "$model" && -z "${HF_TOKEN:-}" && ! -f "${HF_HOME:-$HOME/.cache/huggingface}/token" ]]; then
  echo "    note: no HF_TOKEN set; a gated model needs one (accept the license on its model page)"
fi
run build-gpu/bin/csm-stream --model "$model" --device "$device" --text "Setup check: the model speaks." \
  --out setup-check.wav --max-audio-ms 4000 || die "the first generation failed (see the message above)"

say "Quick test: the audio file is there and is not silent"
if ((dry_run == 0)); then
  [[ -s setup-check.wav ]] || die "setup-check.wav was not written"
  sox setup-check.wav -n stat 2>&1 | grep -E "Length|RMS +amplitude" | sed 's/^/    /'
fi

say "Short benchmark and the recommended settings"
run build-gpu/bin/csm-bench --benchmark --model "$model" --device "$device" --bench-frames 24 \
  --chunk-sizes 80,160,320 --frame-batches 1,4 --stream-batches 1,4,16 --json-out bench-setup.json \
  --csv-out bench-setup.csv || die "the benchmark failed"
echo
echo "Done. Speak with: build-gpu/bin/csm-stream --model $model --device $device --text \"...\" --play"
((serve)) || exit 0

# ---- --serve: csm-serve for the studio on a laptop, through an ssh tunnel ----
serve_dir=build-gpu-serve  # next to the build: cloned voices, the API key, the log
key_file=$serve_dir/api-key
url="http://127.0.0.1:$port"
answers() { command -v curl >/dev/null && curl -fsS --max-time 2 "$url/health" >/dev/null 2>&1; }

# The key: $CSM_SERVE_API_KEY, else the one a previous run made, else a new one; kept 0600.
api_key() {
  if [[ -n "${CSM_SERVE_API_KEY:-}" ]]; then echo "$CSM_SERVE_API_KEY"
  elif [[ -s "$key_file" ]]; then cat "$key_file"
  else openssl rand -hex 16 || die "openssl is needed to make an API key (apt-get install openssl), or set CSM_SERVE_API_KEY"
  fi
}

wait_ready() {
  local pid=$1 deadline=$((SECONDS + 900))
  until curl -fsS --max-time 2 "$url/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$serve_dir/csm-serve.log" >&2; die "csm-serve exited (log above, all of it in $serve_dir/csm-serve.log)"; }
    ((SECONDS < deadline)) || die "csm-serve is not ready after 15 minutes (see $serve_dir/csm-serve.log)"
    sleep 2
  done
}

say "Starting csm-serve on 127.0.0.1:$port (reached from the laptop through an ssh tunnel)"
key="<the key in $key_file>"
if answers; then
  echo "    a server already answers on port $port: not starting a second one"
  echo "    (to restart it: kill \$(cat $serve_dir/csm-serve.pid), then run this again)"
  [[ -s "$key_file" ]] && key=$(cat "$key_file")
elif ((dry_run)); then
  echo "    would keep the API key in $key_file (0600): \$CSM_SERVE_API_KEY, the one there, or openssl rand -hex 16"
  echo "    would run: nohup build-gpu/bin/csm-serve --model $model --device $device --host 127.0.0.1 --port $port" \
       "--api-key-file $PWD/$key_file --voices $PWD/$serve_dir/voices --benchmark-report $PWD/bench-setup.json" \
       "> $serve_dir/csm-serve.log &"
  echo "    would wait for $url/ready"
else
  command -v curl >/dev/null || die "curl is needed to check the server (apt-get install curl)"
  mkdir -p "$serve_dir/voices"
  key=$(api_key)
  (umask 077 && printf '%s\n' "$key" > "$key_file")
  chmod 600 "$key_file"
  # The key goes in through its 0600 file: not in the process list, nor in the environment.
  nohup build-gpu/bin/csm-serve --model "$model" --device "$device" --host 127.0.0.1 --port "$port" \
    --api-key-file "$PWD/$key_file" --voices "$PWD/$serve_dir/voices" --benchmark-report "$PWD/bench-setup.json" \
    > "$serve_dir/csm-serve.log" 2>&1 < /dev/null &
  echo $! > "$serve_dir/csm-serve.pid"
  echo "    started (pid $(cat "$serve_dir/csm-serve.pid"), log $serve_dir/csm-serve.log); loading the model..."
  wait_ready "$(cat "$serve_dir/csm-serve.pid")"
  echo "    ready: $url"
fi

# The address the laptop reached this box at (the ssh session's), else this host's first address.
ssh_host=$(awk '{print $3}' <<<"${SSH_CONNECTION:-}")
ssh_port=$(awk '{print $4}' <<<"${SSH_CONNECTION:-}")
[[ -n "$ssh_host" ]] || ssh_host=$(hostname -I 2>/dev/null | awk '{print $1}')
[[ -n "$ssh_host" ]] || ssh_host=$(hostname)
ssh_opts=""; [[ -n "$ssh_port" && "$ssh_port" != 22 ]] && ssh_opts="-p $ssh_port "
echo
echo "On the laptop, keep this running (the tunnel; use the address you ssh to if this one is internal):"
echo "    ssh -N -L $port:localhost:$port ${ssh_opts}$(id -un)@$ssh_host"
echo "Then in the studio: Model → Remote csm-serve…, URL http://localhost:$port, API key $key"
