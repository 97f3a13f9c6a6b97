#!/usr/bin/env bash
# The one build script, in three flavours:
#
#   scripts/build.sh [CMAKE ARGS...]            CPU: Debian's LibTorch 1.13 into build/ (Release; the GUI
#                                               when Qt 6 is there). What setup-and-run.sh and test.sh use.
#   scripts/build.sh --cuda [TARGET...]         LibTorch 2.11 with CUDA 13 (the GPU machines' version) into
#   scripts/build.sh --cuda --venv-only         build-cuda/, on any x86-64 Linux machine, a CPU-only one too:
#                                               compile and link check of the CUDA code paths (CSM_WITH_CUDA),
#                                               and binaries that also run on the CPU here (details below).
#   scripts/build.sh --gpu-box                  a GPU box with PyTorch installed: its LibTorch into build-gpu/
#                                               (no GUI); the system LibTorch when python3 has no torch.
#
# --cuda: 1. A Python venv ($CSM_TORCH_VENV, default .venv-torch/ in the repo, gitignored) with
#    torch==$CSM_TORCH_VERSION (default 2.11.0) from PyPI, installed --no-deps: the wheel's
#    nvidia-* dependencies are GBs. Only what configuring, linking and running on a CPU
#    needs comes along: torch's small Python deps, and the three CUDA libraries that
#    libtorch_cuda.so needs but the CUDA toolkit lacks (cuSPARSELt, NVSHMEM, cuFile).
#    cudart, cuBLAS, cuDNN, NCCL, cuFFT, cuRAND, cuSPARSE, CUPTI come from the toolkit
#    ($CUDA_HOME, default /usr/local/cuda; nvcc 13 from its bin/ first on PATH).
#    pip's cache makes the second run cheap; an existing venv with that torch is reused.
#    Plus transformers==5.17.0 (about 19 MB with its deps), the baseline of csm-bench --compare-hf.
# 2. Configures $CSM_CUDA_BUILD_DIR (default build-cuda/) with -DCSM_BUILD_GUI=OFF and
#    CMAKE_PREFIX_PATH from torch.utils.cmake_prefix_path, and builds.
# 3. Makes the binaries runnable in place: DT_RPATH (not RUNPATH, so it also serves
#    libtorch_cuda.so's own dependencies) names torch's lib folder and the toolkit's
#    libraries. build-cuda/env.sh sets LD_LIBRARY_PATH the same way for other programs.
# Extra CMake arguments: CSM_CUDA_CMAKE_ARGS (word-split).
set -euo pipefail
cd "$(dirname "$0")/.."

build_cpu() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build build --parallel "$(nproc)"
}

build_gpu_box() {
  local torch_prefix
  torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null) || torch_prefix=""
  if [[ -z "$torch_prefix" && -d /usr/lib/x86_64-linux-gnu/cmake/Torch ]]; then
    torch_prefix=/usr/lib/x86_64-linux-gnu/cmake/Torch
    echo "    PyTorch not found for python3; using the system LibTorch (CPU only)"
  elif [[ -z "$torch_prefix" ]]; then
    echo "build --gpu-box: PyTorch is not installed for python3: pip install torch (a CUDA build), then run this again" >&2
    exit 1
  fi
  echo "    LibTorch from $torch_prefix"
  cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCSM_BUILD_GUI=OFF -DCMAKE_PREFIX_PATH="$torch_prefix"
  cmake --build build-gpu --parallel "$(nproc)"
}

build_cuda() {
  local venv_only=0
  if [[ ${1:-} == --venv-only ]]; then venv_only=1; shift; fi
# (not indented: the here-documents below end at a bare EOF)
repo=$PWD
venv=${CSM_TORCH_VENV:-$repo/.venv-torch}
build=${CSM_CUDA_BUILD_DIR:-build-cuda}
cuda=${CUDA_HOME:-/usr/local/cuda}
torch_version=${CSM_TORCH_VERSION:-2.11.0}
python=${PYTHON:-python3}
log() { echo "build --cuda: $*"; }
die() { echo "build --cuda: $*" >&2; exit 1; }

[[ -x "$cuda/bin/nvcc" ]] || die "no nvcc in $cuda/bin: install the CUDA 13 toolkit or set CUDA_HOME"
export PATH="$cuda/bin:$PATH" CUDACXX="$cuda/bin/nvcc" CUDA_HOME="$cuda"

# --- 1. The venv with torch (no GPU dependencies) -------------------------------------
have_torch() {
  [[ -x "$venv/bin/python" ]] &&
    "$venv/bin/python" - "$torch_version" <<'EOF' 2>/dev/null
import sys, importlib.metadata as md
assert md.version("torch").split("+")[0] == sys.argv[1]
for pkg in ("nvidia-cusparselt-cu13", "nvidia-nvshmem-cu13", "nvidia-cufile", "numpy", "sympy"):
    md.version(pkg)
import torch
EOF
}
if have_torch; then
  log "reusing $venv (torch $torch_version)"
else
  log "making $venv with torch==$torch_version (no nvidia-* dependencies; pip's cache keeps the wheel)"
  [[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv" || die "python3 -m venv $venv failed"
  pip=("$venv/bin/python" -m pip install --disable-pip-version-check -q)
  "${pip[@]}" typing_extensions filelock fsspec jinja2 networkx sympy numpy || die "pip install of torch's Python deps failed"
  # The versions torch 2.11's metadata pins (only the sonames matter for linking).
  "${pip[@]}" --no-deps "torch==$torch_version" nvidia-cusparselt-cu13==0.8.0 nvidia-nvshmem-cu13==3.4.5 nvidia-cufile \
    || die "pip install torch==$torch_version failed"
  have_torch || die "torch in $venv does not import"
fi
# HF transformers for csm-bench --compare-hf and its test (Bench.CompareHfOnATinyModel): about 19 MB of wheels
# (transformers, tokenizers, safetensors, huggingface_hub, regex, pyyaml, tqdm, packaging, ...), ~15 s.
if ! "$venv/bin/python" -c 'import transformers, sys; sys.exit(transformers.__version__ != "5.17.0")' 2>/dev/null; then
  log "installing transformers==5.17.0 into $venv (csm-bench --compare-hf)"
  "$venv/bin/python" -m pip install --disable-pip-version-check -q transformers==5.17.0 ||
    die "pip install transformers==5.17.0 failed"
fi
((venv_only)) && return 0
torch_prefix=$("$venv/bin/python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_lib=$("$venv/bin/python" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
site=$(dirname "$(dirname "$torch_lib")")
cuda_lib_dirs=()
for d in "$cuda/lib64" "$cuda/lib" "$cuda/targets/x86_64-linux/lib"; do
  [[ -d $d ]] || continue
  d=$(readlink -f "$d")
  [[ " ${cuda_lib_dirs[*]} " == *" $d "* ]] || cuda_lib_dirs+=("$d")
done
rpath=$(IFS=:; echo "$torch_lib:$site/nvidia/cu13/lib:$site/nvidia/nvshmem/lib:$site/nvidia/cusparselt/lib:${cuda_lib_dirs[*]}")

# --- 2. Configure and build -----------------------------------------------------------
# TorchConfig.cmake looks for libtorch and libc10 with find_library(... PATHS <torch>/lib),
# which searches the system folders first: on a machine with Debian's libtorch-dev it would
# link Debian's 1.13 libc10.so beside the wheel's libraries (the programs then abort at
# start). Hence both are named here.
log "configuring $build/ (LibTorch from $torch_prefix, nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'))"
# shellcheck disable=SC2086
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCSM_BUILD_GUI=OFF \
  -DCMAKE_PREFIX_PATH="$torch_prefix" -DCMAKE_CUDA_COMPILER="$cuda/bin/nvcc" \
  -DTORCH_LIBRARY="$torch_lib/libtorch.so" -Dc10_LIBRARY="$torch_lib/libc10.so" \
  -DCMAKE_BUILD_RPATH="$rpath" -DCMAKE_EXE_LINKER_FLAGS="-Wl,--disable-new-dtags" \
  -DCMAKE_SHARED_LINKER_FLAGS="-Wl,--disable-new-dtags" -DCMAKE_MODULE_LINKER_FLAGS="-Wl,--disable-new-dtags" \
  ${CSM_CUDA_CMAKE_ARGS:-} >"$build.configure.log" 2>&1 \
  || { tail -n 40 "$build.configure.log" >&2; die "configuring failed (log: $build.configure.log)"; }
grep -q "LibTorch with CUDA" "$build.configure.log" \
  || die "this LibTorch has no CUDA (TORCH_CUDA_LIBRARIES unset): $torch_prefix"
mv "$build.configure.log" "$build/configure.log"

cat >"$build/env.sh" <<EOF
# Sourced by programs that run this build's binaries: LibTorch 2.11 from $venv and the CUDA libraries.
export LD_LIBRARY_PATH="$rpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export CSM_TORCH_PYTHON="$venv/bin/python"
EOF

targets=()
for t in "$@"; do targets+=(--target "$t"); done
log "building ${*:-everything} in $build/"
start=$SECONDS
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"
log "built in $((SECONDS - start)) s"
}

case "${1:-}" in
  --cuda) shift; build_cuda "$@" ;;
  --gpu-box) shift; build_gpu_box "$@" ;;
  -h|--help) sed -n '2,12p' "$0" ;;
  *) build_cpu "$@" ;;
esac
