#!/usr/bin/env bash
# One command on a fresh CUDA cloud box (Debian/Ubuntu with PyTorch): install the
# build dependencies, build the engine against PyTorch's LibTorch, download the
# model (HF_TOKEN for the gated repo), run a quick test and a short benchmark,
# and print the recommended settings. Safe to run again: every step skips what
# is already done. Options: --dry-run (say the steps, change nothing),
# --model REPO_OR_DIR (default sesame/csm-1b), --device cuda|cpu.
set -euo pipefail
cd "$(dirname "$0")/.."
dry_run=0; model="sesame/csm-1b"; device=""
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --model) model="$2"; shift ;;
    --device) device="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup-gpu-box: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
step=0
say() { step=$((step + 1)); echo; echo "[$step/6] $*"; }
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
packages=(build-essential cmake ninja-build pkg-config git nlohmann-json3-dev libpcre2-dev libsentencepiece-dev
          sentencepiece libsndfile1-dev libsoxr-dev libcurl4-openssl-dev libssl-dev libpulse-dev libgtest-dev sox)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  run $SUDO apt-get update -qq || die "apt-get update failed: check the network"
  run env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" || die "installing ${missing[*]} failed"
else
  echo "    all ${#packages[@]} packages present"
fi

say "Building the engine against PyTorch's LibTorch (build-gpu/)"
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) || torch_prefix=""
if [[ -z "$torch_prefix" && -d /usr/lib/x86_64-linux-gnu/cmake/Torch ]]; then
  torch_prefix=/usr/lib/x86_64-linux-gnu/cmake/Torch
  echo "    PyTorch not found for python3; using the system LibTorch (CPU only)"
elif [[ -z "$torch_prefix" ]]; then
  if ((dry_run)); then torch_prefix="<PyTorch's cmake prefix>"; echo "    (PyTorch is not installed here)"
  else die "PyTorch is not installed for python3: pip install torch (a CUDA build), then run this again"; fi
fi
echo "    LibTorch from $torch_prefix"
run cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCSM_BUILD_GUI=OFF -DCMAKE_PREFIX_PATH="$torch_prefix" \
  || die "configuring failed (see above)"
run cmake --build build-gpu --parallel "$(nproc)" || die "the build failed (see above)"

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
